# The global publisher and the LogBeginner that starts logging.
#
# Every Logger without an explicit observer emits to globalLogPublisher.  A
# program chooses where its logs go once, by calling
# globalLogBeginner.beginLoggingTo(observers).  Until then the beginner has
# two temporary observers on the publisher:
#
#   * a LimitedHistoryLogObserver buffer, replayed to the chosen observers
#     when logging begins, so early events are not lost;
#   * a stderr fallback, which writes error and critical events, and any
#     event carrying log_failure, as classic text to the error stream (by
#     default sys.stderr, looked up at each write so that redirections and
#     test capture apply).  Twisted drops these silently until logging
#     begins; torsion shows them, so a script's unhandled errors are never
#     lost.
#
# beginLoggingTo removes both, replays the buffer to the new observers only
# (observers that were already on the publisher, such as a test's capture
# observer, saw those events live), and adds the new observers.  Calling it a
# second time adds more observers and emits a warning event naming both
# call sites.

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO

from torsion.logger._buffer import LimitedHistoryLogObserver
from torsion.logger._format import formatEventAsClassicLogText
from torsion.logger._interfaces import LogEvent, LogObserver
from torsion.logger._levels import LogLevel
from torsion.logger._logger import Logger
from torsion.logger._observer import LogPublisher

globalLogPublisher = LogPublisher()
"""The publisher that every L{Logger} without an explicit observer emits to."""


class _ErrorStreamFallback:
    """
    Writes failures, errors and critical events to a text stream.
    """

    def __init__(self, errorStream: IO[str] | None) -> None:
        self._errorStream = errorStream

    def __call__(self, event: LogEvent) -> None:
        level = event.get("log_level")
        if (
            level is not LogLevel.error
            and level is not LogLevel.critical
            and "log_failure" not in event
        ):
            return
        stream = sys.stderr if self._errorStream is None else self._errorStream
        if stream is None:  # e.g. pythonw, where there is no stderr at all
            return
        text = formatEventAsClassicLogText(event)
        if text:
            stream.write(text)
            stream.flush()


class LogBeginner:
    """
    Starts logging: chooses the observers of a publisher, once, at startup.

    Until L{beginLoggingTo} is called, events are kept in a bounded buffer
    and the serious ones (C{error}, C{critical}, and any carrying
    C{log_failure}) are also written to the error stream.

    @cvar _DEFAULT_BUFFER_SIZE: How many early events are kept by default.
    """

    _DEFAULT_BUFFER_SIZE = 200

    def __init__(
        self,
        publisher: LogPublisher,
        errorStream: IO[str] | None = None,
        stdio: object = None,
        warningsModule: object = None,
        initialBufferSize: int | None = None,
    ) -> None:
        """
        @param publisher: The publisher whose observers this beginner sets.
        @param errorStream: A text stream for serious events written before
            logging begins; L{None} means C{sys.stderr} as it is at each write.
        @param stdio: Kept for Twisted's signature: the module whose
            C{stdout}/C{stderr} C{redirectStandardIO} will replace once torsion
            supports it.  Not used yet.
        @param warningsModule: Kept for Twisted's signature: the module whose
            warnings will be routed to the log once torsion supports it.  Not
            used yet.
        @param initialBufferSize: How many events to keep until logging
            begins; L{None} means C{_DEFAULT_BUFFER_SIZE}.
        """
        if initialBufferSize is None:
            initialBufferSize = self._DEFAULT_BUFFER_SIZE
        self._publisher = publisher
        self._stdio = stdio
        self._warningsModule = warningsModule
        self._log = Logger("torsion.logger", self, publisher)
        self._initialBuffer = LimitedHistoryLogObserver(initialBufferSize)
        self._temporaryObservers: tuple[LogObserver, ...] | None = (
            self._initialBuffer,
            _ErrorStreamFallback(errorStream),
        )
        self._previousBegin: tuple[str, int] = ("<unknown>", 0)
        for observer in self._temporaryObservers:
            publisher.addObserver(observer)

    def beginLoggingTo(
        self,
        observers: Iterable[LogObserver],
        discardBuffer: bool = False,
        redirectStandardIO: bool = False,
    ) -> None:
        """
        Send all further events to the given observers, and start logging.

        The first call stops the buffering and the error-stream fallback, and
        replays the buffered events to C{observers}.  Later calls only add
        observers, and emit a warning event naming both call sites: a program
        should choose its log observers in one place.

        @param observers: The observers to add to the publisher.
        @param discardBuffer: If true, drop the buffered events instead of
            replaying them.
        @param redirectStandardIO: Accepted for compatibility with Twisted,
            where it makes C{print} and C{sys.stderr} writes into log events
            (and defaults to true).  torsion does not support this yet: the
            argument is ignored and standard I/O is left alone.
        """
        caller = sys._getframe(1)
        here = (caller.f_code.co_filename, caller.f_lineno)
        observers = tuple(observers)
        for observer in observers:
            self._publisher.addObserver(observer)
        if self._temporaryObservers is not None:
            for observer in self._temporaryObservers:
                self._publisher.removeObserver(observer)
            self._temporaryObservers = None
            buffer = self._initialBuffer
            self._initialBuffer = LimitedHistoryLogObserver(0)
            if not discardBuffer:
                buffer.replayTo(LogPublisher(*observers))
        else:
            self._log.warn(
                "beginLoggingTo() was called again at {fileNow}:{lineNow}; "
                "it was first called at {fileThen}:{lineThen}. "
                "Both sets of observers now receive events; "
                "choose the log observers in one place.",
                fileNow=here[0],
                lineNow=here[1],
                fileThen=self._previousBegin[0],
                lineThen=self._previousBegin[1],
            )
        self._previousBegin = here


globalLogBeginner = LogBeginner(globalLogPublisher)
"""The beginner for L{globalLogPublisher}: call its C{beginLoggingTo} once at startup."""
