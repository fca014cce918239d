"""
Structured logging: events are dicts, emitted by loggers, fanned out to observers.

Emit with a L{Logger}; choose where events go with
C{globalLogBeginner.beginLoggingTo([...])}; render them with L{formatEvent}
or write them with L{textFileLogObserver}.  See C{docs/logging.md}.
"""

from torsion.logger._buffer import LimitedHistoryLogObserver
from torsion.logger._file import FileLogObserver, textFileLogObserver
from torsion.logger._filter import (
    FilteringLogObserver,
    ILogFilterPredicate,
    LogLevelFilterPredicate,
    PredicateResult,
)
from torsion.logger._format import (
    eventAsText,
    formatEvent,
    formatEventAsClassicLogText,
    formatTime,
    timeFormatRFC3339,
)
from torsion.logger._global import LogBeginner, globalLogBeginner, globalLogPublisher
from torsion.logger._interfaces import ILogObserver, LogEvent
from torsion.logger._levels import InvalidLogLevelError, LogLevel
from torsion.logger._logger import Logger
from torsion.logger._observer import LogPublisher
from torsion.python._publish import publish as _publish

__all__ = [
    "FileLogObserver",
    "FilteringLogObserver",
    "ILogFilterPredicate",
    "ILogObserver",
    "InvalidLogLevelError",
    "LimitedHistoryLogObserver",
    "LogBeginner",
    "LogEvent",
    "LogLevel",
    "LogLevelFilterPredicate",
    "LogPublisher",
    "Logger",
    "PredicateResult",
    "eventAsText",
    "formatEvent",
    "formatEventAsClassicLogText",
    "formatTime",
    "globalLogBeginner",
    "globalLogPublisher",
    "textFileLogObserver",
    "timeFormatRFC3339",
]

_publish(globals())
