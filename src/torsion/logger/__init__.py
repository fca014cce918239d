"""
Structured logging: events are dicts, emitted by loggers, fanned out to observers.

Emit with a L{Logger}; choose where events go with
C{globalLogBeginner.beginLoggingTo([...])}; render them with L{formatEvent};
write them with L{textFileLogObserver} or L{jsonFileLogObserver}; bridge to
the standard library's C{logging} with L{STDLibLogObserver} and
L{STDLibLogHandler}.  See C{docs/logging.md}.
"""

from torsion.logger._buffer import LimitedHistoryLogObserver
from torsion.logger._file import FileLogObserver, textFileLogObserver
from torsion.logger._filter import (
    FilteringLogObserver,
    ILogFilterPredicate,
    LogLevelFilterPredicate,
    PredicateResult,
)
from torsion.logger._flatten import extractField
from torsion.logger._format import (
    eventAsText,
    formatEvent,
    formatEventAsClassicLogText,
    formatTime,
    timeFormatRFC3339,
)
from torsion.logger._global import (
    LogBeginner,
    capturedLogs,
    globalLogBeginner,
    globalLogPublisher,
)
from torsion.logger._interfaces import ILogObserver, LogEvent
from torsion.logger._io import LoggingFile
from torsion.logger._json import (
    eventAsJSON,
    eventFromJSON,
    eventsFromJSONLogFile,
    jsonFileLogObserver,
)
from torsion.logger._legacy import LegacyLogObserverWrapper
from torsion.logger._levels import InvalidLogLevelError, LogLevel
from torsion.logger._logger import Logger, Operation
from torsion.logger._observer import LogPublisher
from torsion.logger._stdlib import STDLibLogHandler, STDLibLogObserver
from torsion.python._publish import publish as _publish

__all__ = [
    "FileLogObserver",
    "FilteringLogObserver",
    "ILogFilterPredicate",
    "ILogObserver",
    "InvalidLogLevelError",
    "LegacyLogObserverWrapper",
    "LimitedHistoryLogObserver",
    "LogBeginner",
    "LogEvent",
    "LogLevel",
    "LogLevelFilterPredicate",
    "LogPublisher",
    "Logger",
    "LoggingFile",
    "Operation",
    "PredicateResult",
    "STDLibLogHandler",
    "STDLibLogObserver",
    "capturedLogs",
    "eventAsJSON",
    "eventAsText",
    "eventFromJSON",
    "eventsFromJSONLogFile",
    "extractField",
    "formatEvent",
    "formatEventAsClassicLogText",
    "formatTime",
    "globalLogBeginner",
    "globalLogPublisher",
    "jsonFileLogObserver",
    "textFileLogObserver",
    "timeFormatRFC3339",
]

_publish(globals())
