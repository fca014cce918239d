"""
The older logging API, for code written against C{twisted.python.log}.

New code should use L{torsion.logger}.  Both are one log system: C{msg} and
C{err} reach the observers of L{torsion.logger.globalLogPublisher}, and
observers added here receive the events of L{torsion.logger.Logger}.  See
C{docs/logging.md}.
"""

from torsion.python._legacylog import (
    EventDict,
    FileLogObserver,
    ILogObserver,
    Logger,
    LogPublisher,
    PythonLoggingObserver,
    addObserver,
    callWithContext,
    callWithLogger,
    deferr,
    err,
    msg,
    removeObserver,
    startLogging,
    startLoggingWithObserver,
    textFromEventDict,
    theLogPublisher,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "EventDict",
    "FileLogObserver",
    "ILogObserver",
    "LogPublisher",
    "Logger",
    "PythonLoggingObserver",
    "addObserver",
    "callWithContext",
    "callWithLogger",
    "deferr",
    "err",
    "msg",
    "removeObserver",
    "startLogging",
    "startLoggingWithObserver",
    "textFromEventDict",
    "theLogPublisher",
]

_publish(globals())
