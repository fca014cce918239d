/*
 * torsion._cdefer: optional C speedups for Deferreds.
 *
 * How it works
 * ------------
 * Pure Python cannot make `await d` on an already-fired Deferred cheap: the
 * interpreter must call a Python-level __await__ and run a generator.  This
 * module provides:
 *
 * - DeferredBase: the base class of Deferred.  It owns four attributes that
 *   both Python and C read (called, paused, result, _runningCallbacks) and
 *   implements the await slot in C.  If the Deferred has a result that is not
 *   a Failure and nothing is pausing it, `await d` gets a tiny DoneIter that
 *   returns the result through the am_send slot (no generator, no
 *   StopIteration object).  Otherwise it calls the Python method
 *   `_awaitSlow`, a generator that yields the Deferred to the coroutine's
 *   driver or raises the failure.
 *
 * - advance(coro, context, value, lenient): the inner loop of the coroutine /
 *   inlineCallbacks driver.  It sends values into the coroutine inside its
 *   contextvars context and, as long as the coroutine yields Deferreds that
 *   already have a non-Failure result (or, when lenient, plain values other
 *   than coroutines), feeds
 *   the result straight back.  It returns (True, returnValue) when the
 *   coroutine returns and (False, yielded) for anything the Python driver must
 *   handle; exceptions from the coroutine propagate.
 *
 * The pure-Python fallback in torsion/internet/_deferredbase.py implements the
 * same contract; TORSION_NO_EXTENSIONS=1 selects it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

static PyObject *FailureType = NULL;   /* set by _setFailureType() */
static PyObject *str_awaitSlow = NULL;
static PyObject *ZERO = NULL;          /* CPython caches small ints: 0 is one object */

typedef struct {
    PyObject_HEAD
    PyObject *called;
    PyObject *paused;
    PyObject *result;
    PyObject *runningCallbacks;
} DeferredBaseObject;

typedef struct {
    PyObject_HEAD
    PyObject *result;
} DoneIterObject;

static PyTypeObject DeferredBaseType;
static PyTypeObject DoneIterType;

/* ---------------------------------------------------------------- DoneIter */

static void
DoneIter_dealloc(DoneIterObject *self)
{
    Py_CLEAR(self->result);
    PyObject_Free(self);
}

static PySendResult
DoneIter_am_send(DoneIterObject *self, PyObject *arg, PyObject **presult)
{
    PyObject *result = self->result;
    if (result == NULL) {
        Py_INCREF(Py_None);
        *presult = Py_None;
        return PYGEN_RETURN;
    }
    self->result = NULL;   /* hand over our reference */
    *presult = result;
    return PYGEN_RETURN;
}

static PyObject *
DoneIter_iternext(DoneIterObject *self)
{
    PyObject *result = self->result;
    if (result == NULL) {
        result = Py_None;
        Py_INCREF(result);
    }
    else {
        self->result = NULL;
    }
    PyObject *exc = PyObject_CallOneArg(PyExc_StopIteration, result);
    Py_DECREF(result);
    if (exc != NULL) {
        PyErr_SetObject(PyExc_StopIteration, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

static PyObject *
DoneIter_send(DoneIterObject *self, PyObject *arg)
{
    return DoneIter_iternext(self);
}

static PyObject *
DoneIter_throw(DoneIterObject *self, PyObject *args)
{
    PyObject *typ, *val = NULL, *tb = NULL;
    if (!PyArg_UnpackTuple(args, "throw", 1, 3, &typ, &val, &tb)) {
        return NULL;
    }
    Py_CLEAR(self->result);
    if (val == NULL || val == Py_None) {
        if (PyExceptionInstance_Check(typ)) {
            PyErr_SetObject((PyObject *)Py_TYPE(typ), typ);
        }
        else {
            PyErr_SetNone(typ);
        }
    }
    else {
        PyErr_SetObject(typ, val);
    }
    return NULL;
}

static PyObject *
DoneIter_close(DoneIterObject *self, PyObject *Py_UNUSED(ignored))
{
    Py_CLEAR(self->result);
    Py_RETURN_NONE;
}

static PyMethodDef DoneIter_methods[] = {
    {"send", (PyCFunction)DoneIter_send, METH_O, NULL},
    {"throw", (PyCFunction)DoneIter_throw, METH_VARARGS, NULL},
    {"close", (PyCFunction)DoneIter_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyAsyncMethods DoneIter_as_async = {
    0,                              /* am_await */
    0,                              /* am_aiter */
    0,                              /* am_anext */
    (sendfunc)DoneIter_am_send,     /* am_send */
};

static PyTypeObject DoneIterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "torsion._cdefer.DoneIter",
    .tp_basicsize = sizeof(DoneIterObject),
    .tp_dealloc = (destructor)DoneIter_dealloc,
    .tp_as_async = &DoneIter_as_async,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)DoneIter_iternext,
    .tp_methods = DoneIter_methods,
};

/* ------------------------------------------------------------ DeferredBase */

/* A Deferred whose result can be handed over now: fired, not paused, not
 * in the middle of running callbacks, and with a result that is not a
 * Failure or another Deferred. */
static inline int
hasPlainResult(DeferredBaseObject *d)
{
    if (d->called != Py_True || d->result == NULL) {
        return 0;
    }
    if (d->runningCallbacks == Py_True) {
        return 0;
    }
    if (d->paused != ZERO && (d->paused == NULL || PyObject_IsTrue(d->paused) != 0)) {
        return 0;
    }
    if (FailureType != NULL && PyObject_TypeCheck(d->result, (PyTypeObject *)FailureType)) {
        return 0;
    }
    return 1;
}

static PyObject *
DeferredBase_await(DeferredBaseObject *self)
{
    if (hasPlainResult(self)) {
        DoneIterObject *it = PyObject_New(DoneIterObject, &DoneIterType);
        if (it == NULL) {
            return NULL;
        }
        Py_INCREF(self->result);
        it->result = self->result;
        return (PyObject *)it;
    }
    return PyObject_CallMethodNoArgs((PyObject *)self, str_awaitSlow);
}

static PyObject *
DeferredBase_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    DeferredBaseObject *self = (DeferredBaseObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    Py_INCREF(Py_False);
    self->called = Py_False;
    self->paused = PyLong_FromLong(0);
    Py_INCREF(Py_False);
    self->runningCallbacks = Py_False;
    self->result = NULL;
    return (PyObject *)self;
}

static int
DeferredBase_traverse(DeferredBaseObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->result);
    return 0;
}

static int
DeferredBase_clear(DeferredBaseObject *self)
{
    Py_CLEAR(self->result);
    return 0;
}

static void
DeferredBase_dealloc(DeferredBaseObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->called);
    Py_CLEAR(self->paused);
    Py_CLEAR(self->result);
    Py_CLEAR(self->runningCallbacks);
    tp->tp_free((PyObject *)self);
}

static PyMemberDef DeferredBase_members[] = {
    {"called", T_OBJECT_EX, offsetof(DeferredBaseObject, called), 0, NULL},
    {"paused", T_OBJECT_EX, offsetof(DeferredBaseObject, paused), 0, NULL},
    {"result", T_OBJECT_EX, offsetof(DeferredBaseObject, result), 0, NULL},
    {"_runningCallbacks", T_OBJECT_EX, offsetof(DeferredBaseObject, runningCallbacks), 0, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyAsyncMethods DeferredBase_as_async = {
    (unaryfunc)DeferredBase_await,  /* am_await */
    0, 0, 0,
};

static PyTypeObject DeferredBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "torsion._cdefer.DeferredBase",
    .tp_basicsize = sizeof(DeferredBaseObject),
    .tp_dealloc = (destructor)DeferredBase_dealloc,
    .tp_as_async = &DeferredBase_as_async,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)DeferredBase_traverse,
    .tp_clear = (inquiry)DeferredBase_clear,
    .tp_iter = (getiterfunc)DeferredBase_await,
    .tp_members = DeferredBase_members,
    .tp_new = DeferredBase_new,
};

/* ---------------------------------------------------------------- advance */

static PyObject *
advance(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "advance(coro, context, value, lenient)");
        return NULL;
    }
    PyObject *coro = args[0];
    PyObject *ctx = args[1];
    PyObject *value = args[2];
    int lenient = PyObject_IsTrue(args[3]);
    PyObject *yielded = NULL;
    PyObject *done = NULL;

    if (PyContext_Enter(ctx) < 0) {
        return NULL;
    }
    Py_INCREF(value);
    for (;;) {
        PySendResult status = PyIter_Send(coro, value, &yielded);
        Py_DECREF(value);
        if (status == PYGEN_ERROR) {
            PyContext_Exit(ctx);
            return NULL;
        }
        if (status == PYGEN_RETURN) {
            done = Py_True;
            break;
        }
        if (PyObject_TypeCheck(yielded, &DeferredBaseType)) {
            DeferredBaseObject *d = (DeferredBaseObject *)yielded;
            if (hasPlainResult(d)) {
                /* Take its result, leaving None behind, as Twisted does. */
                value = d->result;
                Py_INCREF(Py_None);
                d->result = Py_None;
                Py_DECREF(yielded);
                continue;
            }
        }
        else if (lenient && !PyCoro_CheckExact(yielded)) {
            value = yielded;
            continue;
        }
        done = Py_False;
        break;
    }
    if (PyContext_Exit(ctx) < 0) {
        Py_DECREF(yielded);
        return NULL;
    }
    PyObject *pair = PyTuple_New(2);
    if (pair == NULL) {
        Py_DECREF(yielded);
        return NULL;
    }
    Py_INCREF(done);
    PyTuple_SET_ITEM(pair, 0, done);
    PyTuple_SET_ITEM(pair, 1, yielded);
    return pair;
}

static PyObject *
setFailureType(PyObject *module, PyObject *type)
{
    if (!PyType_Check(type)) {
        PyErr_SetString(PyExc_TypeError, "_setFailureType() needs a class");
        return NULL;
    }
    Py_INCREF(type);
    Py_XSETREF(FailureType, type);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"advance", (PyCFunction)(void (*)(void))advance, METH_FASTCALL, NULL},
    {"_setFailureType", setFailureType, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef cdefer_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "torsion._cdefer",
    .m_doc = "Optional C speedups for torsion's Deferreds.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__cdefer(void)
{
    if (PyType_Ready(&DoneIterType) < 0 || PyType_Ready(&DeferredBaseType) < 0) {
        return NULL;
    }
    str_awaitSlow = PyUnicode_InternFromString("_awaitSlow");
    ZERO = PyLong_FromLong(0);
    if (str_awaitSlow == NULL || ZERO == NULL) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&cdefer_module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&DeferredBaseType);
    if (PyModule_AddObject(m, "DeferredBase", (PyObject *)&DeferredBaseType) < 0) {
        Py_DECREF(&DeferredBaseType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
