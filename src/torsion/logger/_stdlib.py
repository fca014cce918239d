# Bridges between torsion events and the standard library's logging module.
#
# Torsion to stdlib: STDLibLogObserver turns each event into a LogRecord on
# one stdlib logger.  The record's message is the rendered event; its level
# is the event's level mapped onto stdlib's numbers; a failure's traceback
# goes in exc_text, which logging.Formatter prints after the message (and
# exc_info is set as well when the failure still has a live exception, for
# handlers that inspect it).  The file, line and function of the record are
# those of the frame stackDepth levels above the observer: with the default,
# the code that called Logger.info() and friends when the observer sits
# directly on the publisher the logger emits to.
#
# Stdlib to torsion: STDLibLogHandler is a logging.Handler whose emit() turns
# a record into an event (namespace: the stdlib logger's name; level: mapped
# down to the nearest LogLevel; message: the record's rendered message in
# log_text; log_failure: the record's exception, if any) and hands it to an
# observer.
#
# Using both at once must neither loop nor duplicate.  Records made by
# STDLibLogObserver carry the event they come from as the record attribute
# "torsionEvent", and STDLibLogHandler ignores such records.  Events made by
# STDLibLogHandler carry the record's level number as log_stdlib_levelno,
# and STDLibLogObserver ignores such events: stdlib's own handlers have had
# that record already.  The handler also ignores records logged, on the same
# thread, while it is delivering an event (an observer that itself logs
# through stdlib).

from __future__ import annotations

import logging
import sys
import threading

from zope.interface import implementer

from torsion.logger._format import formatEvent
from torsion.logger._interfaces import ILogObserver, LogEvent, LogObserver
from torsion.logger._levels import LogLevel
from torsion.python.failure import Failure

_TO_STDLIB: dict[LogLevel, int] = {
    LogLevel.debug: logging.DEBUG,
    LogLevel.info: logging.INFO,
    LogLevel.warn: logging.WARNING,
    LogLevel.error: logging.ERROR,
    LogLevel.critical: logging.CRITICAL,
}

RECORD_EVENT_ATTRIBUTE = "torsionEvent"
STDLIB_LEVELNO = "log_stdlib_levelno"


def toStdlibLevel(level: object) -> int:
    """
    Map a torsion level to a stdlib level number (C{INFO} for a non-level).

    @param level: The event's C{log_level}.
    @return: The stdlib level number.
    """
    if type(level) is LogLevel:
        return _TO_STDLIB[level]
    return logging.INFO


def fromStdlibLevel(levelno: int) -> LogLevel:
    """
    Map a stdlib level number down to the nearest torsion level.

    @param levelno: A stdlib level number; custom levels between the
        standard ones map to the standard level below them.
    @return: The torsion level.
    """
    if levelno >= logging.CRITICAL:
        return LogLevel.critical
    if levelno >= logging.ERROR:
        return LogLevel.error
    if levelno >= logging.WARNING:
        return LogLevel.warn
    if levelno >= logging.INFO:
        return LogLevel.info
    return LogLevel.debug


@implementer(ILogObserver)
class STDLibLogObserver:
    """
    An observer that passes events on to the standard library's C{logging}.

    Levels map to C{DEBUG}, C{INFO}, C{WARNING}, C{ERROR} and C{CRITICAL}
    (events without a level are C{INFO}).  The record's message is the
    rendered event, a failure's traceback is the record's exception text,
    and the event itself is the record's C{torsionEvent} attribute.  Events
    that came from stdlib C{logging} (through an L{STDLibLogHandler}) are
    not sent back to it.
    """

    def __init__(self, name: str = "torsion", stackDepth: int = 4) -> None:
        """
        @param name: The name of the stdlib logger that receives the records.
        @param stackDepth: How many frames above this observer's C{__call__}
            the emitting code is, for the record's file, line and function.
            The default fits an observer added straight to the publisher that
            a L{Logger} emits to; add one per wrapping observer.
        """
        self.logger = logging.getLogger(name)
        self._stackDepth = stackDepth

    def __call__(self, event: LogEvent) -> None:
        """
        Hand an event to the stdlib logger as a log record.

        @param event: The event.
        """
        if STDLIB_LEVELNO in event:
            return
        level = toStdlibLevel(event.get("log_level"))
        logger = self.logger
        if not logger.isEnabledFor(level):
            return
        try:
            frame = sys._getframe(self._stackDepth)
            code = frame.f_code
            fileName, line, function = code.co_filename, frame.f_lineno, code.co_name
        except ValueError:  # the stack is not that deep
            fileName, line, function = "(unknown file)", 0, "(unknown function)"
        excInfo = None
        excText = None
        failure = event.get("log_failure")
        if failure is not None:
            try:
                excText = failure.getTraceback().rstrip("\n")
            except Exception as e:
                excText = f"(unable to get a traceback from {failure!r}: {e!r})"
            value = getattr(failure, "value", None)
            if isinstance(value, BaseException):
                excInfo = (type(value), value, getattr(failure, "tb", None))
        record = logger.makeRecord(
            logger.name,
            level,
            fileName,
            line,
            formatEvent(event),
            (),
            excInfo,
            function,
            {RECORD_EVENT_ATTRIBUTE: event},
        )
        record.exc_text = excText
        logger.handle(record)


class STDLibLogHandler(logging.Handler):
    """
    A C{logging} handler that turns stdlib log records into torsion events.

    Each record becomes an event whose C{log_namespace} is the stdlib
    logger's name, whose C{log_level} is the record's level mapped down to
    the nearest L{LogLevel}, whose message (C{log_text}, format
    C{"{log_text}"}) is the record's message, whose C{log_time} is the
    record's creation time, whose C{log_stdlib_levelno} is the record's
    level number, and whose C{log_failure} is the record's exception, if
    any.  Records that a L{STDLibLogObserver} made from torsion events are
    ignored, so the two can be used together.

    C{globalLogBeginner.beginLoggingTo(..., captureStdlibLogging=True)} adds
    one to the root logger; add one yourself to capture only some loggers.
    """

    def __init__(self, observer: LogObserver | None = None, level: int = logging.NOTSET) -> None:
        """
        @param observer: Receives the events; L{None} means
            L{torsion.logger.globalLogPublisher}.
        @param level: The handler's own minimum stdlib level.
        """
        super().__init__(level)
        if observer is None:
            # Imported here: _global imports this module to install handlers.
            from torsion.logger._global import globalLogPublisher

            observer = globalLogPublisher
        self.observer: LogObserver = observer
        self._delivering = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        """
        Turn a record into an event and hand it to the observer.

        @param record: The record.
        """
        if getattr(record, RECORD_EVENT_ATTRIBUTE, None) is not None:
            return
        if getattr(self._delivering, "active", False):
            return
        self._delivering.active = True
        try:
            event: LogEvent = {
                "log_level": fromStdlibLevel(record.levelno),
                "log_namespace": record.name,
                "log_source": None,
                "log_format": "{log_text}",
                "log_text": record.getMessage(),
                "log_time": record.created,
                STDLIB_LEVELNO: record.levelno,
            }
            if record.exc_info is not None and record.exc_info[1] is not None:
                excType, excValue, excTraceback = record.exc_info
                event["log_failure"] = Failure(excValue, excType, excTraceback)
            if record.stack_info:
                event["log_text"] += "\n" + record.stack_info
            self.observer(event)
        except Exception:
            self.handleError(record)
        finally:
            self._delivering.active = False
