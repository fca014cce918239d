# The older logging API (twisted.python.log), kept for code written for it.
#
# There is one log system: torsion.logger.  Every old-style call becomes a
# new-style event on torsion.logger.globalLogPublisher, and every old-style
# observer is a LegacyLogObserverWrapper on that same publisher, so:
#
#   * msg() and err() reach new-style observers (and the early-event buffer,
#     trial's flushLoggedErrors, JSON files...) and old-style ones alike;
#   * events from torsion.logger.Logger reach old-style observers.
#
# An old-style event has "message" (a tuple of objects joined with spaces),
# "time", "system", "isError", and for errors "failure" and "why"; msg() adds
# the new-style keys: log_time, log_system, log_namespace "log_legacy",
# log_level (critical for errors, else from a stdlib "logLevel" number, else
# info), log_format "{log_text}" with the old-style text in log_text, and for
# errors log_failure.  For an error, log_text is only the "why" (the
# traceback comes from log_failure, so new-style observers show it once);
# old-style observers build their text with textFromEventDict, which adds it.
#
# "Context" is what callWithContext and callWithLogger set around a call:
# default keys for the events msg() makes meanwhile, typically "system".  It
# is a contextvars.ContextVar, so it follows threads and coroutines the way
# contextvars do.
#
# startLogging keeps Twisted's behaviour: it discards the events buffered
# before logging began (torsion has already shown the serious ones on
# stderr) and starts with "Log opened.".

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import IO, Any, Protocol, TypeVar

from zope.interface import Interface, implementer

from torsion.logger import (
    LegacyLogObserverWrapper,
    LogBeginner,
    LoggingFile,
    LogLevel,
    STDLibLogObserver,
    formatTime,
    globalLogBeginner,
    globalLogPublisher,
)
from torsion.logger import LogPublisher as NewLogPublisher
from torsion.logger._stdlib import fromStdlibLevel
from torsion.python.failure import Failure

_T = TypeVar("_T")

EventDict = dict[str, Any]
"""An old-style log event."""

_DEFAULT_CONTEXT: dict[str, Any] = {"isError": 0, "system": "-"}
_context: ContextVar[dict[str, Any]] = ContextVar("torsion.python.log context")


class ILogObserver(Interface):
    """
    An old-style log observer: a callable taking an old-style event dict.

    The event has at least C{message} (a tuple), C{time}, C{system} and
    C{isError}; an error also has C{failure} and C{why}.  Render it with
    L{textFromEventDict}.
    """

    def __call__(eventDict: EventDict) -> None:
        """
        Receive one event.

        @param eventDict: The event.
        """


class _HasLogPrefix(Protocol):
    def logPrefix(self) -> str: ...


def textFromEventDict(eventDict: EventDict) -> str | None:
    """
    Render an old-style event as text.

    The text is the C{message} objects joined with spaces; or for an error
    with a failure, the C{why} (or C{"Unhandled Error"}) followed by the
    traceback; or the C{format} string %-formatted with the event.

    @param eventDict: The event.
    @return: The text, or L{None} if the event has nothing to show.
    """
    message = eventDict.get("message")
    if message:
        return " ".join(_safeStr(part) for part in message)
    failure = eventDict.get("failure")
    if eventDict.get("isError") and failure is not None:
        why = eventDict.get("why")
        whyText = _safeStr(why) if why else "Unhandled Error"
        try:
            traceback = failure.getTraceback()
        except Exception as e:
            traceback = f"(unable to get a traceback: {_safeStr(e)})"
        return f"{whyText}\n{traceback}"
    fmt = eventDict.get("format")
    if fmt is not None:
        try:
            return str(fmt % eventDict)
        except Exception as e:
            return (
                f"Invalid format string or unformattable object in log message: "
                f"{fmt!r}, {_safeStr(e)}"
            )
    return None


def _safeStr(obj: object) -> str:
    try:
        return str(obj)
    except Exception as e:
        return f"<{type(obj).__name__} object with broken str: {type(e).__name__}>"


def _addNewStyleKeys(eventDict: EventDict) -> EventDict:
    """
    Give an old-style event the new-style keys it lacks (in place).
    """
    eventDict.setdefault("message", ())
    eventDict.setdefault("system", "-")
    eventDict.setdefault("isError", 0)
    if "time" not in eventDict:
        eventDict["time"] = time.time()
    eventDict.setdefault("log_time", eventDict["time"])
    eventDict.setdefault("log_system", eventDict["system"])
    eventDict.setdefault("log_namespace", "log_legacy")
    failure = eventDict.get("failure")
    isFailure = bool(eventDict["isError"]) and isinstance(failure, Failure)
    if "log_level" not in eventDict:
        stdlibLevel = eventDict.get("logLevel")
        if eventDict["isError"]:
            eventDict["log_level"] = LogLevel.critical
        elif isinstance(stdlibLevel, int):
            eventDict["log_level"] = fromStdlibLevel(stdlibLevel)
        else:
            eventDict["log_level"] = LogLevel.info
    if isFailure:
        eventDict.setdefault("log_failure", failure)
    if "log_format" not in eventDict:
        if isFailure and not eventDict["message"]:
            why = eventDict.get("why")
            text: str | None = _safeStr(why) if why else "Unhandled Error"
        else:
            text = textFromEventDict(eventDict)
        if text is not None:
            eventDict["log_text"] = text
            eventDict["log_format"] = "{log_text}"
    return eventDict


class LogPublisher:
    """
    The old-style publisher: old-style observers and C{msg} on top of a
    new-style publisher.

    @ivar observers: The old-style observers added, oldest first.
    """

    def __init__(
        self,
        observerPublisher: NewLogPublisher | None = None,
        publishPublisher: NewLogPublisher | None = None,
        logBeginner: LogBeginner | None = None,
    ) -> None:
        """
        @param observerPublisher: Where old-style observers are added (as
            L{LegacyLogObserverWrapper}s); L{None} means
            L{torsion.logger.globalLogPublisher}.
        @param publishPublisher: Where C{msg} sends events; L{None} means
            L{torsion.logger.globalLogPublisher}.
        @param logBeginner: What L{startLogging} begins logging with; L{None}
            means L{torsion.logger.globalLogBeginner}.
        """
        self._observerPublisher = (
            globalLogPublisher if observerPublisher is None else observerPublisher
        )
        self._publishPublisher = (
            globalLogPublisher if publishPublisher is None else publishPublisher
        )
        self._logBeginner = globalLogBeginner if logBeginner is None else logBeginner
        self._wrappers: list[LegacyLogObserverWrapper] = []

    @property
    def observers(self) -> list[Callable[[EventDict], None]]:
        """
        The old-style observers added, oldest first.
        """
        return [wrapper.legacyObserver for wrapper in self._wrappers]

    def addObserver(self, other: Callable[[EventDict], None]) -> None:
        """
        Add an old-style observer; it receives new-style events too.

        @param other: A callable taking an old-style event dict.
        @raise TypeError: If C{other} is not callable.
        """
        if not callable(other):
            raise TypeError(
                f"a log observer must be callable with an event dict, "
                f"not {type(other).__name__} {other!r}"
            )
        wrapper = LegacyLogObserverWrapper(other)
        self._wrappers.append(wrapper)
        self._observerPublisher.addObserver(wrapper)

    def removeObserver(self, other: Callable[[EventDict], None]) -> None:
        """
        Remove an old-style observer; removing one never added does nothing.

        @param other: The observer given to L{addObserver}.
        """
        for wrapper in self._wrappers:
            if wrapper.legacyObserver == other:
                self._wrappers.remove(wrapper)
                self._observerPublisher.removeObserver(wrapper)
                return

    def msg(self, *message: object, **kw: Any) -> None:
        """
        Log a message, as L{torsion.python.log.msg} does.

        @param message: Objects joined with spaces to make the text.
        @param kw: More fields of the event.
        """
        eventDict = dict(_context.get(_DEFAULT_CONTEXT))
        eventDict.update(kw)
        eventDict["message"] = message
        eventDict["time"] = time.time()
        self._publishPublisher(_addNewStyleKeys(eventDict))

    def _startLogging(self, observer: Callable[[EventDict], None], setStdout: bool) -> None:
        wrapper = LegacyLogObserverWrapper(observer)
        self._wrappers.append(wrapper)
        self._logBeginner.beginLoggingTo(
            [wrapper], discardBuffer=True, redirectStandardIO=bool(setStdout)
        )


theLogPublisher = LogPublisher()
"""The old-style publisher used by L{msg}, L{err}, L{addObserver} and L{startLogging}."""


def msg(*message: object, **kw: Any) -> None:
    """
    Log a message.

    C{msg("connected to", host)} logs the text C{"connected to <host>"}.
    Keyword arguments become fields of the event: C{system} names the
    source (default C{"-"}), C{format} gives a %-format over the event
    instead of C{message}, C{isError=1} marks an error, C{logLevel} a stdlib
    level number.  The event reaches old- and new-style observers.

    @param message: Objects joined with spaces to make the text.
    @param kw: More fields of the event.
    """
    theLogPublisher.msg(*message, **kw)


def err(_stuff: object = None, _why: str | None = None, **kw: Any) -> None:
    """
    Log an error, usually the exception being handled, with its traceback.

    ::

        try:
            frobnicate()
        except Exception:
            log.err(None, "Frobnication failed")

    The event is critical and carries the failure as C{log_failure} (and
    C{failure}), so new-style observers print its traceback.

    @param _stuff: A L{Failure}, an exception, or L{None} for the exception
        being handled; anything else is logged as an error message (its
        C{repr}).
    @param _why: What was going on when the error happened.
    @param kw: More fields of the event.
    @raise torsion.python.failure.NoCurrentExceptionError: If C{_stuff} is
        L{None} and no exception is being handled.
    """
    if _stuff is None:
        _stuff = Failure()
    if isinstance(_stuff, BaseException) and not isinstance(_stuff, Failure):
        _stuff = Failure(_stuff)
    if isinstance(_stuff, Failure):
        msg(failure=_stuff, why=_why, isError=1, **kw)
    else:
        msg(repr(_stuff), why=_why, isError=1, **kw)


deferr = err


def addObserver(observer: Callable[[EventDict], None]) -> None:
    """
    Add an old-style observer to L{theLogPublisher}.

    @param observer: A callable taking an old-style event dict; it receives
        every event, old- and new-style.
    """
    theLogPublisher.addObserver(observer)


def removeObserver(observer: Callable[[EventDict], None]) -> None:
    """
    Remove an old-style observer from L{theLogPublisher}.

    @param observer: An observer given to L{addObserver}.
    """
    theLogPublisher.removeObserver(observer)


def callWithContext(ctx: dict[str, Any], func: Callable[..., _T], *args: Any, **kw: Any) -> _T:
    """
    Call a function with default fields for the events L{msg} makes meanwhile.

    @param ctx: Default fields, such as C{{"system": "my-connection"}}; they
        add to (and override) any context already in effect.
    @param func: The function.
    @param args: Its positional arguments.
    @param kw: Its keyword arguments.
    @return: What C{func} returns.
    """
    token = _context.set({**_context.get(_DEFAULT_CONTEXT), **ctx})
    try:
        return func(*args, **kw)
    finally:
        _context.reset(token)


def callWithLogger(
    logger: _HasLogPrefix, func: Callable[..., _T], *args: Any, **kw: Any
) -> _T | None:
    """
    Call a function with C{logger.logPrefix()} as the C{system} of its
    events, logging (not raising) any exception.

    @param logger: An object with a C{logPrefix()} method, such as a
        L{Logger} or a protocol.
    @param func: The function.
    @param args: Its positional arguments.
    @param kw: Its keyword arguments.
    @return: What C{func} returns, or L{None} if it raised.
    """
    try:
        prefix = logger.logPrefix()
    except Exception:
        prefix = "(buggy logPrefix method)"
        err(system=prefix)
    try:
        return callWithContext({"system": prefix}, func, *args, **kw)
    except Exception:
        err(system=prefix)
        return None


class Logger:
    """
    Base for objects that name the C{system} of the events they log.

    Subclasses override L{logPrefix}; see L{callWithLogger}.
    """

    def logPrefix(self) -> str:
        """
        @return: The C{system} of events logged on this object's behalf.
        """
        return "-"


@implementer(ILogObserver)
class FileLogObserver:
    """
    An old-style observer writing events to a text file.

    Each event is a line C{"<time> [<system>] <text>"}, further lines of
    the text (a traceback) indented with a tab.

    @ivar timeFormat: A C{strftime} format for the time, or L{None} for
        C{"%Y-%m-%d %H:%M:%S%z"}.
    """

    timeFormat: str | None = None

    def __init__(self, f: IO[str]) -> None:
        """
        @param f: A text file.
        """
        self.write = f.write
        self.flush = f.flush

    def formatTime(self, when: float) -> str:
        """
        Format a time for a line of the log.

        @param when: Seconds since the epoch.
        @return: The time in the local time zone, as L{timeFormat} says.
        """
        return formatTime(
            when, "%Y-%m-%d %H:%M:%S%z" if self.timeFormat is None else self.timeFormat
        )

    def emit(self, eventDict: EventDict) -> None:
        """
        Write an event to the file, if it has text.

        @param eventDict: An old-style event.
        """
        text = textFromEventDict(eventDict)
        if text is None:
            return
        when = eventDict.get("time")
        timeText = self.formatTime(when) if isinstance(when, int | float) else "-"
        body = text.rstrip("\n").replace("\n", "\n\t")
        self.write(f"{timeText} [{eventDict.get('system', '-')}] {body}\n")
        self.flush()

    __call__ = emit

    def start(self) -> None:
        """
        Start observing L{theLogPublisher}.
        """
        addObserver(self.emit)

    def stop(self) -> None:
        """
        Stop observing L{theLogPublisher}.
        """
        removeObserver(self.emit)


@implementer(ILogObserver)
class PythonLoggingObserver:
    """
    An old-style observer passing events to the standard library's C{logging}.

    The new-style equivalent is L{torsion.logger.STDLibLogObserver}.
    """

    def __init__(self, loggerName: str = "torsion") -> None:
        """
        @param loggerName: The name of the stdlib logger receiving the records.
        """
        self._observer = STDLibLogObserver(loggerName, stackDepth=6)

    def emit(self, eventDict: EventDict) -> None:
        """
        Pass an event to the stdlib logger.

        @param eventDict: An old- or new-style event.
        """
        if "log_format" not in eventDict and "log_failure" not in eventDict:
            eventDict = _addNewStyleKeys(dict(eventDict))
        self._observer(eventDict)

    __call__ = emit

    def start(self) -> None:
        """
        Start observing L{theLogPublisher}.
        """
        addObserver(self.emit)

    def stop(self) -> None:
        """
        Stop observing L{theLogPublisher}.
        """
        removeObserver(self.emit)


def startLoggingWithObserver(observer: Callable[[EventDict], None], setStdout: bool = True) -> None:
    """
    Begin logging to an old-style observer.

    Like C{globalLogBeginner.beginLoggingTo([observer])}, except that the
    events logged before are discarded (as in Twisted), and a first event
    says C{"Log opened."}.

    @param observer: A callable taking an old-style event dict.
    @param setStdout: Whether to turn C{sys.stdout} and C{sys.stderr} output
        into log events.
    """
    theLogPublisher._startLogging(observer, setStdout)
    msg("Log opened.")


def startLogging(file: IO[str], setStdout: bool = True) -> FileLogObserver | None:
    """
    Begin logging to a text file, in the old-style format.

    ::

        log.startLogging(sys.stdout)

    @param file: The file, such as C{sys.stdout}.
    @param setStdout: Whether to turn C{sys.stdout} and C{sys.stderr} output
        into log events.
    @return: The observer writing to the file, or L{None} if C{file} is a
        L{torsion.logger.LoggingFile} (standard output already redirected
        into the log), which would log into itself.
    """
    if isinstance(file, LoggingFile):
        return None
    observer = FileLogObserver(file)
    startLoggingWithObserver(observer.emit, setStdout)
    return observer
