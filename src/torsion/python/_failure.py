# A Failure wraps one exception so that it can travel down a Deferred's
# callback chain, be inspected (check/trap), re-raised later, logged with its
# traceback, and pickled once cleaned.
#
# How it works:
# - Construction is on the hot path (every raising callback makes one), so it
#   only stores the exception, its type and its traceback object.  Everything
#   derived -- ``frames``, ``parents``, the text of the traceback -- is computed
#   on first use.
# - The traceback text is produced by the standard ``traceback`` module, which
#   renders ``raise ... from ...`` and implicit exception context for us.
# - ``cleanFailure`` snapshots the traceback text and frame summaries, then
#   drops the live traceback (and with it every frame and local variable it
#   kept alive).  A cleaned Failure can still print its traceback, and it can
#   be pickled: ``__reduce__`` stores the cleaned state, never frames.
from __future__ import annotations

import builtins
import itertools
import sys
import traceback
from collections.abc import Callable, Generator
from types import TracebackType
from typing import IO, Any, NoReturn, TypeVar, cast

_T = TypeVar("_T")

# Each Failure gets a serial number so that verbose tracebacks (and logs that
# mention several failures) can tell them apart.
_counter = itertools.count(1)

_DETAIL_LEVELS = ("default", "brief", "verbose")

FrameInfo = tuple[str, str, int, list[tuple[str, str]], list[tuple[str, str]]]


class NoCurrentExceptionError(Exception):
    """
    C{Failure()} was called with no exception given and none being handled.
    """

    def __str__(self) -> str:
        return (
            "Failure() was called outside an 'except' block and without an "
            "exception; pass one, e.g. Failure(ValueError('bad input'))"
        )


def _qual(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _saferepr(obj: object) -> str:
    try:
        return repr(obj)
    except BaseException as e:
        return f"<{type(obj).__name__} instance with broken repr: {type(e).__name__}>"


def _safestr(obj: object) -> str:
    try:
        return str(obj)
    except BaseException as e:
        return f"<{type(obj).__name__} instance with broken str: {type(e).__name__}>"


class Failure(BaseException):
    """
    An exception together with its traceback, as passed along Deferred chains.

    @ivar value: The exception instance.
    @ivar type: The exception's class.
    @ivar tb: The live traceback, or L{None} once L{cleanFailure} has run (or
        if the exception was never raised).
    @ivar count: A serial number distinguishing this Failure from others.
    @ivar captureVars: Whether local and global variables were recorded.
    """

    value: BaseException
    type: builtins.type[BaseException]
    tb: TracebackType | None
    count: int
    captureVars: bool
    pickled: int

    def __init__(
        self,
        exc_value: BaseException | None = None,
        exc_type: builtins.type[BaseException] | None = None,
        exc_tb: TracebackType | None = None,
        captureVars: bool = False,
    ) -> None:
        """
        Wrap an exception.

        @param exc_value: The exception to wrap; L{None} means the exception
            currently being handled (C{sys.exc_info()}).
        @param exc_type: The exception's type; defaults to C{type(exc_value)}.
        @param exc_tb: The traceback; defaults to C{exc_value.__traceback__}.
        @param captureVars: Record the local and global variables of every
            frame (as reprs), for verbose tracebacks.  Costly; off by default.
        @raise NoCurrentExceptionError: If C{exc_value} is L{None} and no
            exception is being handled.
        @raise TypeError: If C{exc_value} is not an exception.
        """
        if exc_value is None:
            exc_value = sys.exception()
            if exc_value is None:
                raise NoCurrentExceptionError()
        if isinstance(exc_value, Failure):
            # Wrapping a Failure yields an equivalent Failure, not a nesting.
            self.__dict__.update(exc_value.__dict__)
            return
        if not isinstance(cast(object, exc_value), BaseException):
            raise TypeError(
                f"Failure() wraps an exception, not {type(exc_value).__name__} "
                f"{_saferepr(exc_value)}; e.g. Failure(ValueError(message))"
            )
        self.value = exc_value
        self.type = exc_type if exc_type is not None else type(exc_value)
        self.tb = exc_tb if exc_tb is not None else exc_value.__traceback__
        self.count = next(_counter)
        self.captureVars = captureVars
        self.pickled = 0
        if captureVars:
            # Locals change as the program runs: snapshot them now.
            self.__dict__["_frames"] = self._extractFrames()

    # -- derived data, computed lazily -----------------------------------

    def _extractFrames(self) -> list[FrameInfo]:
        frames: list[FrameInfo] = []
        tb = self.tb
        while tb is not None:
            frame = tb.tb_frame
            code = frame.f_code
            if self.captureVars:
                localsItems = [(k, _saferepr(v)) for k, v in frame.f_locals.items()]
                globalsItems = [(k, _saferepr(v)) for k, v in frame.f_globals.items()]
            else:
                localsItems, globalsItems = [], []
            frames.append((code.co_name, code.co_filename, tb.tb_lineno, localsItems, globalsItems))
            tb = tb.tb_next
        return frames

    @property
    def frames(self) -> list[FrameInfo]:
        """
        The traceback as C{(function, filename, line, locals, globals)} tuples,
        innermost last.  The locals and globals lists are empty unless the
        Failure was made with C{captureVars=True}.
        """
        frames: list[FrameInfo] | None = self.__dict__.get("_frames")
        if frames is None:
            frames = self.__dict__["_frames"] = self._extractFrames()
        return frames

    @property
    def stack(self) -> list[FrameInfo]:
        """
        Frames above the point where the exception was caught; torsion does
        not record them, so this is always empty.
        """
        return []

    @property
    def parents(self) -> list[str]:
        """
        The fully qualified names of the exception type and its bases.
        """
        return [_qual(cls) for cls in self.type.__mro__]

    # -- inspection --------------------------------------------------------

    def check(
        self, *errorTypes: builtins.type[BaseException] | str
    ) -> builtins.type[BaseException] | str | None:
        """
        Find which of the given types the wrapped exception is an instance of.

        @param errorTypes: Exception classes, or their fully qualified names.
        @return: The first matching entry of C{errorTypes}, or L{None}.
        """
        for error in errorTypes:
            if isinstance(error, str):
                if error in self.parents:
                    return error
            elif issubclass(self.type, error):
                return error
        return None

    def trap(
        self, *errorTypes: builtins.type[BaseException] | str
    ) -> builtins.type[BaseException] | str:
        """
        Like L{check}, but re-raise the wrapped exception when nothing matches.

        Used in errbacks to handle some errors and pass the others on::

            def onError(failure):
                failure.trap(ConnectionRefusedError)
                return "offline"

        @return: The matching entry of C{errorTypes}.
        @raise BaseException: The wrapped exception, if it matches none.
        """
        error = self.check(*errorTypes)
        if error is None:
            self.raiseException()
        return error

    def raiseException(self) -> NoReturn:
        """
        Raise the wrapped exception, with its original traceback.
        """
        raise self.value.with_traceback(self.tb)

    def throwExceptionIntoGenerator(self, g: Generator[Any, Any, _T]) -> Any:
        """
        Throw the wrapped exception into a generator, as if raised at its
        current C{yield}.

        @return: What the generator yields next.
        """
        return g.throw(self.value.with_traceback(self.tb))

    def getTracebackObject(self) -> TracebackType | None:
        """
        @return: The live traceback, or L{None} once the Failure is cleaned.
        """
        return self.tb

    def getErrorMessage(self) -> str:
        """
        @return: C{str()} of the wrapped exception.
        """
        return _safestr(self.value)

    def getBriefTraceback(self) -> str:
        """
        @return: The traceback in the brief, one-line-per-frame form.
        """
        return self.getTraceback(detail="brief")

    # -- rendering ---------------------------------------------------------

    def _standardTraceback(self) -> str:
        text: str | None = self.__dict__.get("_tbText")
        if text is not None:
            return text
        snapshot: traceback.TracebackException | None = self.__dict__.get("_tbSnapshot")
        if snapshot is not None:
            return "".join(snapshot.format())
        return "".join(traceback.format_exception(self.type, self.value, self.tb))

    def getTraceback(self, elideFrameworkCode: int = 0, detail: str = "default") -> str:
        """
        Render the traceback as text.

        @param elideFrameworkCode: Accepted for compatibility; ignored.
        @param detail: C{"default"} (Python's own format, including chained
            exceptions), C{"brief"} (one line per frame) or C{"verbose"} (with
            local and global variables, if they were captured).
        @raise ValueError: If C{detail} is not one of those.
        """
        if detail not in _DETAIL_LEVELS:
            raise ValueError(
                f"detail must be one of {', '.join(map(repr, _DETAIL_LEVELS))}, not {detail!r}"
            )
        if detail == "default":
            return self._standardTraceback()
        lines: list[str] = []
        if detail == "brief":
            lines.append(f"Traceback: {self.type}: {self.getErrorMessage()}\n")
            for name, filename, lineno, _, _ in self.frames:
                lines.append(f"{filename}:{lineno}:{name}\n")
            return "".join(lines)
        lines.append(f"*--- Failure #{self.count}{' (pickled)' if self.pickled else ''} ---\n")
        for name, filename, lineno, localsItems, globalsItems in self.frames:
            lines.append(f'  File "{filename}", line {lineno}, in {name}\n')
            for title, items in (("Locals", localsItems), ("Globals", globalsItems)):
                if items:
                    lines.append(f"    [ {title} ]\n")
                    lines.extend(f"      {k} : {v}\n" for k, v in items)
        lines.append(f"{_qual(self.type)}: {self.getErrorMessage()}\n")
        lines.append("*--- End of Failure ---\n")
        return "".join(lines)

    def printTraceback(
        self,
        file: IO[str] | None = None,
        elideFrameworkCode: bool = False,
        detail: str = "default",
    ) -> None:
        """
        Write the traceback to C{file} (default: C{sys.stderr}).
        """
        out = sys.stderr if file is None else file
        out.write(self.getTraceback(elideFrameworkCode, detail))

    def printBriefTraceback(self, file: IO[str] | None = None, elideFrameworkCode: int = 0) -> None:
        """
        Write the brief traceback to C{file} (default: C{sys.stderr}).
        """
        self.printTraceback(file, bool(elideFrameworkCode), "brief")

    def printDetailedTraceback(
        self, file: IO[str] | None = None, elideFrameworkCode: int = 0
    ) -> None:
        """
        Write the verbose traceback to C{file} (default: C{sys.stderr}).
        """
        self.printTraceback(file, bool(elideFrameworkCode), "verbose")

    # -- memory and pickling -----------------------------------------------

    def cleanFailure(self) -> None:
        """
        Drop the live traceback, keeping what is needed to print it.

        A cleaned Failure no longer keeps frames and their variables alive and
        can be pickled; L{getTraceback} still works.
        """
        if self.tb is None and ("_tbSnapshot" in self.__dict__ or "_tbText" in self.__dict__):
            return
        # Summaries only: source lines are read when (if ever) it is printed.
        self.__dict__["_frames"] = self.frames
        snapshot = traceback.TracebackException(self.type, self.value, self.tb, lookup_lines=False)
        _dropColumns(snapshot)
        self.__dict__["_tbSnapshot"] = snapshot
        self.tb = None
        # The exception (and the ones it chains to) keep their own tracebacks.
        seen: set[int] = set()
        exc: BaseException | None = self.value
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            exc.__traceback__ = None
            exc = exc.__cause__ or exc.__context__

    def _pickleState(self) -> dict[str, Any]:
        self.cleanFailure()
        state = dict(self.__dict__)
        state["_tbText"] = self._standardTraceback()
        state.pop("_tbSnapshot", None)
        state["pickled"] = 1
        return state

    def __reduce__(self) -> tuple[Callable[[dict[str, Any]], Failure], tuple[dict[str, Any]]]:
        return (_rebuildFailure, (self._pickleState(),))

    def __getstate__(self) -> dict[str, Any]:
        return self._pickleState()

    # -- display -----------------------------------------------------------

    def __repr__(self) -> str:
        return f"<torsion.python.failure.Failure {_qual(self.type)}: {self.getErrorMessage()}>"

    def __str__(self) -> str:
        return f"[Failure instance: {self.getTraceback()}]"


def _dropColumns(snapshot: traceback.TracebackException) -> None:
    # Printing a snapshot may happen in a finalizer (an unhandled error in a
    # garbage-collected Deferred).  With column numbers, Python 3.11's
    # traceback module calls ast.parse to place its ^^^ markers, and parsing
    # inside a collection that interrupted another parse fails.  Without
    # column numbers, it prints plain lines and never parses.
    pending = [snapshot]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for frame in current.stack:
            frame.colno = frame.end_colno = None
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
        pending.extend(getattr(current, "exceptions", None) or ())


def _rebuildFailure(state: dict[str, Any]) -> Failure:
    failure = Failure.__new__(Failure)
    failure.__dict__.update(state)
    return failure


__all__ = ["Failure", "NoCurrentExceptionError"]
