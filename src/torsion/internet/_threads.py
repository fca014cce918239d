# Crossing between the reactor thread and other threads.
#
# How it works
# ------------
# Into a thread: deferToThreadPool() makes a Deferred, and submits the call
# to the pool with an onResult that runs in the worker thread.  onResult
# does nothing there but reactor.callFromThread(_deliver, ...), so the
# Deferred fires in the reactor thread, like every other Deferred.  If the
# Deferred was cancelled meanwhile, the late result is dropped: a thread
# cannot be interrupted, so cancelling only stops the caller from waiting.
#
# Out of a thread: blockingCallFromThread() schedules the call in the
# reactor thread with callFromThread.  There an exception is kept as a
# Failure with its traceback, and any other outcome (a value, a Deferred, a
# coroutine) becomes a Deferred through maybeDeferred.  The result comes
# back through a one-slot box and an Event that the calling thread waits
# on; a Failure is raised there.  Called from the reactor thread itself,
# it would wait for a call that can only run once the wait is over, so it
# raises instead.  The reactor thread is read from the reactor's
# `_reactorThread` attribute (set by ReactorBase.startRunning; reactors
# without it are taken at their word that the caller is not their thread).
#
# The same deadlock, one step removed: at shutdown the reactor thread stops
# the reactor's pool, and ThreadPool.stop() waits for the running jobs.  A
# job waiting in blockingCallFromThread then waits for a reactor thread that
# waits for it, and the process hangs (even SIGTERM is only handled by the
# reactor thread).  So a pool thread registers its Event with its pool
# (ThreadPool._addStopWaiter); when the reactor thread is the one stopping
# that pool, the wait ends with ReactorStoppingError, the job unwinds and
# shutdown goes on.
from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar, cast, overload

from torsion.internet._deferred import Deferred, fail, maybeDeferred
from torsion.internet._ireactor import IReactorFromThreads, IReactorThreads
from torsion.python._threadpool import PoolStoppedError, ThreadPool, currentPool
from torsion.python.failure import Failure

_T = TypeVar("_T")
_P = ParamSpec("_P")


class _BlockingCallError(RuntimeError):
    """
    A L{blockingCallFromThread} call that could not be made.

    @ivar func: The callable that was to be run.
    """

    def __init__(self, func: object) -> None:
        """
        @param func: The callable that was to be run.
        """
        super().__init__(func)
        self.func = func


class ReactorStoppingError(_BlockingCallError):
    """
    L{blockingCallFromThread} gave up waiting: the reactor thread is
    stopping the thread pool of the waiting thread (at reactor shutdown),
    so it will not finish the call or hand its result over.

    @ivar func: The callable that was to be run.
    """

    def __str__(self) -> str:
        return (
            f"blockingCallFromThread(reactor, {self.func!r}, ...) gave up waiting: the "
            "reactor thread is stopping this thread's pool (the reactor is shutting down), "
            "so the call may not have run; let the job end when it sees this error"
        )


class BlockingCallInReactorThreadError(_BlockingCallError):
    """
    L{blockingCallFromThread} was called from the reactor thread, where it
    would wait forever for a call that cannot run until it returns.

    @ivar func: The callable that was to be run.
    """

    def __str__(self) -> str:
        return (
            f"blockingCallFromThread(reactor, {self.func!r}, ...) was called from the "
            "reactor thread, where it would deadlock; in the reactor thread, call "
            "the function directly (maybeDeferred(f, ...) gives a Deferred for its result)"
        )


def _deliver(d: Deferred[_T], success: bool, result: _T | Failure) -> None:
    # Runs in the reactor thread.
    if d.called:
        return  # cancelled while the thread was busy: nobody is waiting
    if success:
        d.callback(cast(_T, result))
    else:
        d.errback(cast(Failure, result))


def deferToThreadPool(
    reactor: IReactorFromThreads,
    threadpool: ThreadPool,
    f: Callable[_P, _T],
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> Deferred[_T]:
    """
    Call C{f(*args, **kwargs)} in a thread of C{threadpool}, and get its
    result as a Deferred that fires in the reactor thread.

    Cancelling the Deferred fails it with
    L{torsion.internet.defer.CancelledError} at once, but cannot interrupt
    the thread: C{f} still runs (if it has not yet, once a thread is free)
    and its result is dropped.

    @param reactor: The reactor whose thread the Deferred fires in.
    @param threadpool: The pool to run C{f} in; use
        L{deferToThread} for the reactor's own pool.
    @param f: The function to call; it may block.
    @return: A Deferred that fires with C{f}'s return value, or fails with
        what it raised (or with L{torsion.python.threadpool.PoolStoppedError}
        if C{threadpool} is stopped, or stops before C{f} starts).
    """
    d: Deferred[_T] = Deferred()

    def onResult(success: bool, result: _T | Failure) -> None:
        reactor.callFromThread(_deliver, d, success, result)

    try:
        threadpool.callInThreadWithCallback(onResult, f, *args, **kwargs)
    except PoolStoppedError:
        return fail()
    return d


def _globalReactor() -> IReactorThreads:
    from torsion.internet import reactor

    return cast(IReactorThreads, reactor)


def deferToThread(f: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]:
    """
    Call C{f(*args, **kwargs)} in a thread of the global reactor's pool,
    and get its result as a Deferred that fires in the reactor thread.

    Imports (and so installs, if none is) the global reactor.  See
    L{deferToThreadPool} for cancellation.

    @param f: The function to call; it may block.
    @return: A Deferred that fires with C{f}'s return value, or fails with
        what it raised.
    """
    reactor = _globalReactor()
    pool: ThreadPool = reactor.getThreadPool()
    return deferToThreadPool(reactor, pool, f, *args, **kwargs)


def _runMultiple(
    tupleList: Sequence[tuple[Callable[..., object], Sequence[object], Mapping[str, object]]],
) -> None:
    for f, args, kwargs in tupleList:
        f(*args, **kwargs)


def callMultipleInThread(
    tupleList: Iterable[tuple[Callable[..., object], Sequence[object], Mapping[str, object]]],
) -> None:
    """
    Run several calls one after the other in a single thread of the global
    reactor's pool.

    If one raises, the calls after it do not run, and the exception is
    logged by the pool.

    @param tupleList: C{(function, args, kwargs)} triples, in the order to
        call them.
    """
    _globalReactor().callInThread(_runMultiple, list(tupleList))


@overload
def blockingCallFromThread(
    reactor: IReactorFromThreads,
    f: Callable[_P, Deferred[_T]],
    *a: _P.args,
    **kw: _P.kwargs,
) -> _T: ...


@overload
def blockingCallFromThread(
    reactor: IReactorFromThreads,
    f: Callable[_P, Coroutine[Deferred[Any], Any, _T]],
    *a: _P.args,
    **kw: _P.kwargs,
) -> _T: ...


@overload
def blockingCallFromThread(
    reactor: IReactorFromThreads, f: Callable[_P, _T], *a: _P.args, **kw: _P.kwargs
) -> _T: ...


def blockingCallFromThread(
    reactor: IReactorFromThreads, f: Callable[..., Any], *a: Any, **kw: Any
) -> Any:
    """
    From a thread that is not the reactor's, call C{f(*a, **kw)} in the
    reactor thread and wait for its result.

    If C{f} returns a Deferred or a coroutine, its eventual result is
    waited for.  The wait has no time limit: if the reactor is not running
    (or stops before C{f} finishes), it lasts forever.

    @param reactor: The reactor whose thread runs C{f}.
    @param f: The function to call in the reactor thread.
    @return: C{f}'s result (that of its Deferred or coroutine, if it
        returns one).
    @raise BaseException: What C{f} raised, or what its Deferred or
        coroutine failed with, with its original traceback.
    @raise BlockingCallInReactorThreadError: If called from the reactor
        thread, where waiting would deadlock.
    @raise ReactorStoppingError: If called in a pool thread whose pool the
        reactor thread stops (at shutdown) before the result is there.
    """
    reactorThread = getattr(reactor, "_reactorThread", None)
    if reactorThread is not None and reactorThread is threading.current_thread():
        raise BlockingCallInReactorThreadError(f)
    box: list[Any] = []
    done = threading.Event()

    def keep(result: object) -> None:
        box.append(result)  # a Failure stops here: it is raised below instead of logged
        done.set()

    def inReactor() -> None:
        try:
            result = f(*a, **kw)
        except BaseException:
            # Kept here rather than by maybeDeferred, whose already-failed
            # Deferred would have cleaned the traceback away.
            keep(Failure())
        else:
            maybeDeferred(lambda: result).addBoth(keep)

    pool = currentPool() if reactorThread is not None else None
    if pool is None:
        reactor.callFromThread(inReactor)
        done.wait()
    else:
        try:
            if pool._addStopWaiter(done) is reactorThread:
                raise ReactorStoppingError(f)
            reactor.callFromThread(inReactor)
            while not box:
                done.wait()
                if box:
                    break
                if pool._stopper is reactorThread:
                    raise ReactorStoppingError(f)
                # Stopped by some other thread: the reactor can still answer.
                # (keep() fills the box before setting the event, so a result
                # arriving around this clear() is seen by the loop test.)
                done.clear()
        finally:
            pool._removeStopWaiter(done)
    result = box[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result
