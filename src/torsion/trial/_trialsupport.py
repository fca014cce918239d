# Pieces of SynchronousTestCase that stand alone: trial's todo values, the
# attribute patches made by patch(), where mktemp() puts its directories,
# and which warnings flushWarnings(offendingFunctions) picks.
#
# mktemp's root: the pytest plugin points it under pytest's own temporary
# directory (so --basetemp and pytest's clean-up apply) by giving a factory
# that is called the first time a test needs it.  Without the plugin, one
# directory per process is made in the system's temporary directory.
#
# flushWarnings picks a warning when its file and line, as set by the
# warning's stacklevel, fall within the lines of a given function's code.
from __future__ import annotations

import dis
import os
import tempfile
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from torsion.python.failure import Failure

_MISSING: Any = object()

# Where mktemp() makes its directories: a callable giving the root, set by
# the pytest plugin to a directory under pytest's own temporary directory.
# Without it, one directory per process is made under the system's.
_temporaryRootFactory: Callable[[], str] | None = None
_temporaryRoot: str | None = None


def _setTemporaryRootFactory(
    factory: Callable[[], str] | None, root: str | None = None
) -> tuple[Callable[[], str] | None, str | None]:
    """
    Set where mktemp() makes its directories.

    @param factory: Called once, when first needed, for the root directory.
    @param root: The root, if already known.
    @return: The previous C{(factory, root)}, to restore them.
    """
    global _temporaryRootFactory, _temporaryRoot
    previous = _temporaryRootFactory, _temporaryRoot
    _temporaryRootFactory = factory
    _temporaryRoot = root
    return previous


def _getTemporaryRoot() -> str:
    global _temporaryRoot
    if _temporaryRoot is None:
        if _temporaryRootFactory is not None:
            _temporaryRoot = _temporaryRootFactory()
        else:
            _temporaryRoot = tempfile.mkdtemp(prefix="torsion-trial-")
    return _temporaryRoot


@dataclass(frozen=True)
class Todo:
    """
    A test expected to fail: what C{todo = ...} on a test makes.

    @ivar reason: Why the test is expected to fail.
    @ivar errors: The exception types it is expected to fail with; L{None}
        means any.
    """

    reason: str
    errors: tuple[type[BaseException], ...] | None = None

    def expected(self, failure: Failure) -> bool:
        """
        @param failure: How the test failed.
        @return: Whether that is the expected failure.
        """
        return self.errors is None or failure.check(*self.errors) is not None


def makeTodo(
    value: str | Todo | tuple[type[BaseException] | Iterable[type[BaseException]], str],
) -> Todo:
    """
    Make a L{Todo} from the value of a C{todo} attribute.

    @param value: A reason (any failure is expected), or C{(errors,
        reason)} where C{errors} is one exception type or several.
    @return: The L{Todo}.
    @raise TypeError: If C{value} is neither.
    """
    if isinstance(value, Todo):
        return value
    if isinstance(value, str):
        return Todo(value)
    try:
        errors, reason = value
        if isinstance(errors, type):
            return Todo(str(reason), (errors,))
        return Todo(str(reason), tuple(errors))
    except (TypeError, ValueError):
        raise TypeError(
            f"todo must be a reason string or an (errors, reason) tuple, not {value!r}; "
            'e.g. todo = "flaky on macOS" or todo = (KeyError, "lookup not written yet")'
        ) from None


class _FlushedWarning(TypedDict):
    message: str
    category: type[Warning]
    filename: str
    lineno: int


class _Patch:
    """
    One attribute replaced on one object; undone by L{restore}.
    """

    def __init__(self, obj: object, attribute: str, value: object) -> None:
        self._obj = obj
        self._attribute = attribute
        self._value = value
        self._original: Any = _MISSING
        self._patched = False

    def patch(self) -> None:
        """
        Set the attribute to the new value (again, after L{restore}).
        """
        if self._patched:
            return
        obj, name = self._obj, self._attribute
        ownAttributes = getattr(obj, "__dict__", None)
        if ownAttributes is not None and name not in ownAttributes:
            # Inherited or absent: restoring means deleting ours.
            self._original = _MISSING
        else:
            self._original = getattr(obj, name, _MISSING)
        setattr(obj, name, self._value)
        self._patched = True

    def restore(self) -> None:
        """
        Put the original attribute back; restoring twice does nothing.
        """
        if not self._patched:
            return
        self._patched = False
        if self._original is _MISSING:
            delattr(self._obj, self._attribute)
        else:
            setattr(self._obj, self._attribute, self._original)


def _linesOf(function: object) -> tuple[str, int, int]:
    """
    @return: The normalized file name and the first and last line of the
        code of a function or method.
    @raise ValueError: If C{function} is neither.
    """
    if isinstance(function, types.MethodType):
        function = function.__func__
    if not isinstance(function, types.FunctionType):
        raise ValueError(
            f"flushWarnings() takes functions or methods, not {type(function).__name__} "
            f"{function!r}; pass the function whose code emits the warnings"
        )
    code = function.__code__
    # Python 3.13 gives None for code that maps to no line.
    starts: list[int | None] = [line for _, line in dis.findlinestarts(code)]
    lines = [line for line in starts if line is not None]
    if not lines:
        lines = [code.co_firstlineno]
    return os.path.normcase(os.path.abspath(code.co_filename)), min(lines), max(lines)
