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
# observer, saw those events live), and adds the new observers.  Then it
# routes the rest of the program's output into the log:
#
#   * warnings: the warnings module's showwarning becomes the beginner's, which
#     emits a warn event (namespace "py.warnings", as stdlib logging's
#     captureWarnings uses) for warnings meant for stderr and hands those
#     meant for a given file to the showwarning it replaced;
#   * with redirectStandardIO (the default, as in Twisted), the stdio
#     module's stdout and stderr become LoggingFiles: print() output turns
#     into info events in namespace "stdout", stderr writes into error events
#     in namespace "stderr";
#   * with captureStdlibLogging (torsion only, off by default), an
#     STDLibLogHandler is added to the root stdlib logger, so records of
#     stdlib logging become events at their level.
#
# Each of these is done once, however often beginLoggingTo is called.
# Calling it a second time adds more observers and emits a warning event
# naming both call sites.  There is no "end logging": tests that exercise
# the redirections give the beginner stand-in stdio and warnings objects, or
# put the real ones back themselves.

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterable
from typing import IO, Any

from torsion.logger._buffer import LimitedHistoryLogObserver
from torsion.logger._format import formatEventAsClassicLogText
from torsion.logger._interfaces import LogEvent, LogObserver
from torsion.logger._io import LoggingFile
from torsion.logger._levels import LogLevel
from torsion.logger._logger import Logger
from torsion.logger._observer import LogPublisher
from torsion.logger._stdlib import STDLibLogHandler

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
        stdio: Any = None,
        warningsModule: Any = None,
        initialBufferSize: int | None = None,
    ) -> None:
        """
        @param publisher: The publisher whose observers this beginner sets.
        @param errorStream: A text stream for serious events written before
            logging begins; L{None} means C{sys.stderr} as it is at each write.
        @param stdio: The object whose C{stdout} and C{stderr} attributes
            C{redirectStandardIO} replaces; L{None} means the C{sys} module.
        @param warningsModule: The object whose C{showwarning} attribute is
            replaced when logging begins; L{None} means the C{warnings}
            module.
        @param initialBufferSize: How many events to keep until logging
            begins; L{None} means C{_DEFAULT_BUFFER_SIZE}.
        """
        if initialBufferSize is None:
            initialBufferSize = self._DEFAULT_BUFFER_SIZE
        self._publisher = publisher
        self._stdio: Any = sys if stdio is None else stdio
        self._warningsModule: Any = warnings if warningsModule is None else warningsModule
        self._log = Logger("torsion.logger", self, publisher)
        self._warningsLog = Logger("py.warnings", self, publisher)
        self._initialBuffer = LimitedHistoryLogObserver(initialBufferSize)
        self._temporaryObservers: tuple[LogObserver, ...] | None = (
            self._initialBuffer,
            _ErrorStreamFallback(errorStream),
        )
        self._previousBegin: tuple[str, int] = ("<unknown>", 0)
        self._oldShowwarning: Any = None
        self._redirectedStandardIO = False
        self._stdlibHandler: STDLibLogHandler | None = None
        for observer in self._temporaryObservers:
            publisher.addObserver(observer)

    def beginLoggingTo(
        self,
        observers: Iterable[LogObserver],
        discardBuffer: bool = False,
        redirectStandardIO: bool = True,
        *,
        captureStdlibLogging: bool = False,
    ) -> None:
        """
        Send all further events to the given observers, and start logging.

        This adds C{observers} to the publisher; replays the buffered early
        events to them (unless C{discardBuffer}); stops writing serious
        events to the error stream; routes warnings from the C{warnings}
        module into the log as C{warn} events (namespace C{"py.warnings"});
        and, if asked, redirects standard output and error and captures
        stdlib C{logging}.

        It should be called once.  Later calls only add observers (and any
        redirection not yet made), and emit a warning event naming both call
        sites: a program should choose its log observers in one place.

        @param observers: The observers to add to the publisher.
        @param discardBuffer: If true, drop the buffered events instead of
            replaying them.
        @param redirectStandardIO: If true, replace C{sys.stdout} with a
            L{LoggingFile} whose lines become C{info} events in namespace
            C{"stdout"}, and C{sys.stderr} with one whose lines become
            C{error} events in namespace C{"stderr"}.  Observers that write
            to the terminal must be made before this call, with the real
            streams (or use C{sys.__stdout__}).
        @param captureStdlibLogging: If true, add an L{STDLibLogHandler} to
            the root logger of the standard library's C{logging}, so that
            its records become events at their level, in a namespace named
            after their logger.  Only records that pass the stdlib loggers'
            levels arrive (the root logger passes C{WARNING} and above unless
            configured otherwise).  This is a torsion addition.
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
        if redirectStandardIO and not self._redirectedStandardIO:
            self._redirectedStandardIO = True
            self._redirect("stdout", LogLevel.info)
            self._redirect("stderr", LogLevel.error)
        if self._oldShowwarning is None:
            self._oldShowwarning = self._warningsModule.showwarning
            self._warningsModule.showwarning = self.showwarning
        if captureStdlibLogging and self._stdlibHandler is None:
            self._stdlibHandler = STDLibLogHandler(self._publisher)
            logging.getLogger().addHandler(self._stdlibHandler)

    def _redirect(self, name: str, level: LogLevel) -> None:
        """
        Replace one of the stdio object's streams with a L{LoggingFile}.
        """
        encoding = getattr(getattr(self._stdio, name, None), "encoding", None)
        logger = Logger(name, None, self._publisher)
        setattr(
            self._stdio,
            name,
            LoggingFile(logger, level, encoding if isinstance(encoding, str) else None),
        )

    def showwarning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: IO[str] | None = None,
        line: str | None = None,
    ) -> None:
        """
        Show a warning: as a log event, or in the given file.

        Installed as C{warnings.showwarning} when logging begins.  A warning
        meant for standard error (C{file} is L{None}) becomes a C{warn} event
        in namespace C{"py.warnings"}, with the fields C{warning},
        C{category} (the class's qualified name), C{filename} and
        C{lineno}.  A warning for a given file goes to the C{showwarning}
        that was there before.

        @param message: The warning, or its text.
        @param category: The warning's class.
        @param filename: The file the warning is about.
        @param lineno: The line the warning is about.
        @param file: Where to write the warning, or L{None} for the log.
        @param line: The source line, for the previous C{showwarning}.
        """
        if file is None:
            self._warningsLog.warn(
                "{filename}:{lineno}: {category}: {warning}",
                warning=message,
                category=f"{category.__module__}.{category.__qualname__}",
                filename=filename,
                lineno=lineno,
            )
            return
        previous = self._oldShowwarning
        if previous is None:  # called before logging began
            file.write(warnings.formatwarning(message, category, filename, lineno, line))
        else:
            previous(message, category, filename, lineno, file, line)


globalLogBeginner = LogBeginner(globalLogPublisher)
"""The beginner for L{globalLogPublisher}: call its C{beginLoggingTo} once at startup."""


def capturedLogs() -> _CapturedLogs:
    """
    Collect the events emitted to L{globalLogPublisher} while a block runs.

    ::

        with capturedLogs() as events:
            frobnicate()
        assert [formatEvent(e) for e in events] == ["frobnicated"]

    @return: A context manager giving the list that collects the events.
    """
    return _CapturedLogs()


class _CapturedLogs:
    """
    The context manager of L{capturedLogs}.
    """

    def __init__(self) -> None:
        self._events: list[LogEvent] = []

    def __enter__(self) -> list[LogEvent]:
        globalLogPublisher.addObserver(self._events.append)
        return self._events

    def __exit__(self, *excInfo: object) -> None:
        globalLogPublisher.removeObserver(self._events.append)
