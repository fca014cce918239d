"""
Tests for L{torsion.python.log}, the older logging API.
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface.verify import verifyObject

import torsion.python._legacylog
from tests.logger.logstate import FakeWarnings, fakeStdio
from torsion.logger import (
    LogBeginner,
    LogEvent,
    Logger,
    LoggingFile,
    LogLevel,
    capturedLogs,
    eventAsText,
    formatEvent,
)
from torsion.logger import LogPublisher as NewLogPublisher
from torsion.python import log
from torsion.python.failure import Failure, NoCurrentExceptionError


@pytest.fixture
def legacyObserver() -> Iterator[list[dict[str, Any]]]:
    """
    An old-style observer added with C{log.addObserver} for the test.
    """
    received: list[dict[str, Any]] = []
    log.addObserver(received.append)
    yield received
    log.removeObserver(received.append)


class PrivateLog:
    """
    A L{log.LogPublisher} with its own new-style publisher and a beginner
    with stand-in stdio and warnings, installed as C{theLogPublisher}.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.publisher = NewLogPublisher()
        self.errors = io.StringIO()
        self.stdio = fakeStdio()
        self.beginner = LogBeginner(self.publisher, self.errors, self.stdio, FakeWarnings())
        self.legacy = log.LogPublisher(self.publisher, self.publisher, self.beginner)
        monkeypatch.setattr(torsion.python._legacylog, "theLogPublisher", self.legacy)


class MsgTests:
    """
    L{log.msg}.
    """

    def test_reachesNewObservers(self) -> None:
        """
        A message reaches new-style observers as an C{info} event of
        namespace C{"log_legacy"} whose text is the message parts joined.
        """
        with capturedLogs() as events:
            log.msg("hello", 42, system="conn", extra="x")
        [event] = events
        assert formatEvent(event) == "hello 42"
        assert event["log_level"] is LogLevel.info
        assert event["log_namespace"] == "log_legacy"
        assert event["log_system"] == event["system"] == "conn"
        assert event["extra"] == "x"
        assert event["message"] == ("hello", 42)
        assert event["log_time"] == event["time"]
        assert event["isError"] == 0
        assert eventAsText(event, includeTimestamp=False) == "[conn] hello 42"

    def test_defaults(self) -> None:
        """
        Without a system, the system is C{"-"}.
        """
        with capturedLogs() as events:
            log.msg("x")
        assert events[0]["system"] == "-"

    def test_format(self) -> None:
        """
        A C{format} keyword is a %-format over the event.
        """
        with capturedLogs() as events:
            log.msg(format="%(a)s and %(b)d", a="x", b=2)
        assert formatEvent(events[0]) == "x and 2"

    def test_stdlibLevel(self) -> None:
        """
        A stdlib C{logLevel} sets the event's level.
        """
        with capturedLogs() as events:
            log.msg("w", logLevel=logging.WARNING)
            log.msg("d", logLevel=logging.DEBUG)
        assert [e["log_level"] for e in events] == [LogLevel.warn, LogLevel.debug]

    def test_newStyleKeysWin(self) -> None:
        """
        New-style keys given to C{msg} are kept.
        """
        with capturedLogs() as events:
            log.msg(log_format="{n}!", n=3, log_level=LogLevel.error, log_namespace="mine")
        [event] = events
        assert formatEvent(event) == "3!"
        assert (event["log_level"], event["log_namespace"]) == (LogLevel.error, "mine")

    def test_reachesOldObservers(self, legacyObserver: list[dict[str, Any]]) -> None:
        """
        A message reaches old-style observers with its old-style keys.
        """
        log.msg("a", "b", system="s")
        [event] = legacyObserver
        assert event["message"] == ("a", "b")
        assert event["system"] == "s"
        assert log.textFromEventDict(event) == "a b"


class ErrTests:
    """
    L{log.err}.
    """

    def test_currentException(self) -> None:
        """
        In an C{except} block, C{err()} logs the exception as a critical
        event whose C{log_failure} is it; new-style text shows the why and
        the traceback once.
        """
        with capturedLogs() as events:
            try:
                raise ZeroDivisionError("division by zero")
            except ZeroDivisionError:
                log.err(None, "Computing the average")
        [event] = events
        assert event["log_level"] is LogLevel.critical
        failure = event["log_failure"]
        assert isinstance(failure, Failure)
        assert event["failure"] is failure
        assert failure.check(ZeroDivisionError) is ZeroDivisionError
        assert (event["isError"], event["why"]) == (1, "Computing the average")
        assert formatEvent(event) == "Computing the average"
        text = eventAsText(event, includeTimestamp=False)
        assert text.startswith("[-] Computing the average\n\tTraceback (most recent call last):")
        assert text.count("Traceback") == 1
        assert text.endswith("\tZeroDivisionError: division by zero")

    def test_noWhy(self) -> None:
        """
        Without a why, the message is C{"Unhandled Error"}.
        """
        with capturedLogs() as events:
            log.err(ValueError("v"))
        [event] = events
        assert formatEvent(event) == "Unhandled Error"
        assert event["log_failure"].value.args == ("v",)

    def test_failure(self) -> None:
        """
        A L{Failure} is logged as it is.
        """
        failure = Failure(KeyError("k"))
        with capturedLogs() as events:
            log.err(failure, "why", system="s")
        [event] = events
        assert event["log_failure"] is failure
        assert event["system"] == "s"

    def test_notAnException(self) -> None:
        """
        Anything else is logged as an error message: its repr.
        """
        with capturedLogs() as events:
            log.err("plain text")
        [event] = events
        assert formatEvent(event) == "'plain text'"
        assert event["isError"] == 1
        assert event["log_level"] is LogLevel.critical
        assert "log_failure" not in event

    def test_noCurrentException(self) -> None:
        """
        C{err()} outside an C{except} block raises.
        """
        with pytest.raises(NoCurrentExceptionError):
            log.err()

    def test_deferr(self) -> None:
        """
        C{deferr} is C{err}.
        """
        assert log.deferr is log.err

    def test_oldObserverText(self, legacyObserver: list[dict[str, Any]]) -> None:
        """
        Old-style observers render the error with the why and traceback.
        """
        try:
            raise ValueError("bad")
        except ValueError:
            log.err(None, "Parsing")
        text = log.textFromEventDict(legacyObserver[0])
        assert text is not None
        assert text.startswith("Parsing\nTraceback (most recent call last):\n")
        assert text.endswith("ValueError: bad\n")

    def test_seenByLoggedFailures(self, loggedFailures: list[LogEvent]) -> None:
        """
        Errors logged with C{err} are seen where failures of the new API
        are (as trial's C{flushLoggedErrors} does).
        """
        log.err(RuntimeError("r"))
        assert [e["log_failure"].check(RuntimeError) for e in loggedFailures] == [RuntimeError]


class ObserverTests:
    """
    L{log.addObserver} and L{log.removeObserver}.
    """

    def test_newStyleEventsReachOldObservers(self, legacyObserver: list[dict[str, Any]]) -> None:
        """
        Events of L{torsion.logger.Logger} reach old-style observers.
        """
        Logger("ns").warn("new {x}", x=1)
        [event] = legacyObserver
        assert log.textFromEventDict(event) == "new 1"
        assert event["system"] == "-"
        assert event["isError"] == 0

    def test_remove(self) -> None:
        """
        A removed observer gets no more events; removing one never added
        does nothing.
        """
        received: list[dict[str, Any]] = []
        log.addObserver(received.append)
        assert received.append in log.theLogPublisher.observers
        log.removeObserver(received.append)
        log.removeObserver(received.append)
        log.msg("after")
        assert received == []
        assert received.append not in log.theLogPublisher.observers

    def test_notCallable(self) -> None:
        """
        Adding something that is not callable raises L{TypeError}.
        """
        with pytest.raises(TypeError, match=r"^a log observer must be callable with an event"):
            log.addObserver("nope")  # type: ignore[arg-type]


class TextFromEventDictTests:
    """
    L{log.textFromEventDict}.
    """

    def test_message(self) -> None:
        """
        The message parts are joined with spaces.
        """
        assert log.textFromEventDict({"message": ("a", 1, None)}) == "a 1 None"

    def test_error(self) -> None:
        """
        An error with a failure is its why and traceback.
        """
        failure = Failure(ValueError("v"))
        event = {"message": (), "isError": 1, "failure": failure, "why": None}
        assert log.textFromEventDict(event) == "Unhandled Error\n" + failure.getTraceback()

    def test_brokenFailure(self) -> None:
        """
        A failure whose traceback cannot be had is described instead.
        """

        class Broken:
            def getTraceback(self) -> str:
                raise RuntimeError("gone")

        event = {"message": (), "isError": 1, "failure": Broken(), "why": "w"}
        assert log.textFromEventDict(event) == "w\n(unable to get a traceback: gone)"

    def test_badFormat(self) -> None:
        """
        A format that fails says so instead of raising.
        """
        text = log.textFromEventDict({"message": (), "format": "%(missing)s"})
        assert text == (
            "Invalid format string or unformattable object in log message: '%(missing)s', 'missing'"
        )

    def test_nothing(self) -> None:
        """
        An event with nothing to show gives L{None}.
        """
        assert log.textFromEventDict({"message": (), "isError": 0}) is None


class ContextTests:
    """
    L{log.callWithContext} and L{log.callWithLogger}.
    """

    def test_callWithContext(self) -> None:
        """
        Events logged during the call get the context's fields, nested
        contexts add to outer ones, and the context ends with the call.
        """

        def inner() -> str:
            log.msg("inner")
            return "result"

        def outer() -> str:
            log.msg("outer")
            return log.callWithContext({"system": "in"}, inner)

        with capturedLogs() as events:
            assert log.callWithContext({"system": "out", "tag": 1}, outer) == "result"
            log.msg("after")
        assert [(e["system"], e.get("tag")) for e in events] == [
            ("out", 1),
            ("in", 1),
            ("-", None),
        ]

    def test_callWithLogger(self) -> None:
        """
        The logger's prefix is the system of the call's events.
        """

        class Conn(log.Logger):
            def logPrefix(self) -> str:
                return "Conn,1"

        with capturedLogs() as events:
            result = log.callWithLogger(Conn(), log.msg, "hi")
        assert result is None
        assert [(e["system"], formatEvent(e)) for e in events] == [("Conn,1", "hi")]

    def test_callWithLoggerLogsErrors(self) -> None:
        """
        An exception in the call is logged, with the logger's prefix, and
        not raised.
        """

        def fail() -> int:
            raise ValueError("x")

        with capturedLogs() as events:
            assert log.callWithLogger(log.Logger(), fail) is None
        [event] = events
        assert event["system"] == "-"
        assert event["log_failure"].check(ValueError) is ValueError

    def test_buggyLogPrefix(self) -> None:
        """
        A C{logPrefix} that raises is logged, and the call still runs.
        """

        class Buggy(log.Logger):
            def logPrefix(self) -> str:
                raise RuntimeError("buggy")

        with capturedLogs() as events:
            assert log.callWithLogger(Buggy(), lambda: 5) == 5
        [event] = events
        assert event["system"] == "(buggy logPrefix method)"
        assert event["log_failure"].check(RuntimeError) is RuntimeError


class FileLogObserverTests:
    """
    The old-style L{log.FileLogObserver}.
    """

    def test_interface(self) -> None:
        """
        It provides the old-style L{log.ILogObserver}.
        """
        assert verifyObject(log.ILogObserver, log.FileLogObserver(io.StringIO()))

    def test_lines(self) -> None:
        """
        Each event is a line C{"<time> [<system>] <text>"}; further lines are
        indented with a tab; events without text are skipped.
        """
        out = io.StringIO()
        observer = log.FileLogObserver(out)
        observer.timeFormat = "T"
        observer.emit({"message": ("a", "b"), "system": "s", "time": 0.0})
        observer.emit({"message": ("x\ny",), "system": "-", "time": 0.0})
        observer.emit({"message": (), "isError": 0, "time": 0.0})
        assert out.getvalue() == "T [s] a b\nT [-] x\n\ty\n"

    def test_defaultTimeFormat(self) -> None:
        """
        By default the time is C{YYYY-MM-DD HH:MM:SS+ZZZZ}.
        """
        out = io.StringIO()
        log.FileLogObserver(out).emit({"message": ("m",), "system": "-", "time": 0.0})
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:00[+-]\d{4} \[-\] m\n", out.getvalue())

    def test_startStop(self) -> None:
        """
        C{start} observes the log; C{stop} ends that.
        """
        out = io.StringIO()
        observer = log.FileLogObserver(out)
        observer.timeFormat = "T"
        observer.start()
        try:
            log.msg("seen")
        finally:
            observer.stop()
        log.msg("not seen")
        assert out.getvalue() == "T [-] seen\n"


class PythonLoggingObserverTests:
    """
    L{log.PythonLoggingObserver}.
    """

    def test_toStdlib(self, caplog: pytest.LogCaptureFixture) -> None:
        """
        Events go to the stdlib logger at their level.
        """
        observer = log.PythonLoggingObserver("torsion-tests.legacy")
        caplog.set_level(logging.DEBUG, "torsion-tests.legacy")
        observer.start()
        try:
            log.msg("m", logLevel=logging.WARNING)
            Logger("ns").error("e")
        finally:
            observer.stop()
        observer.emit({"message": ("direct",), "isError": 0, "system": "-", "time": 0.0})
        assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
            ("torsion-tests.legacy", logging.WARNING, "m"),
            ("torsion-tests.legacy", logging.ERROR, "e"),
            ("torsion-tests.legacy", logging.INFO, "direct"),
        ]
        assert caplog.records[0].funcName == "test_toStdlib"


class StartLoggingTests:
    """
    L{log.startLogging} and L{log.startLoggingWithObserver}, on a private
    publisher and beginner.
    """

    def test_startLogging(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Logging to a file starts with C{"Log opened."}, discards the events
        logged before, and redirects standard output into the log.
        """
        private = PrivateLog(monkeypatch)
        private.legacy.msg("before")
        out = io.StringIO()
        observer = log.startLogging(out)
        assert isinstance(observer, log.FileLogObserver)
        private.legacy.msg("after")
        print("printed", file=private.stdio.stdout)
        lines = [line.split(" ", 2)[2] for line in out.getvalue().splitlines()]
        assert lines == ["[-] Log opened.", "[-] after", "[-] printed"]
        assert isinstance(private.stdio.stdout, LoggingFile)

    def test_noStdout(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        With C{setStdout=False}, standard output is left alone.
        """
        private = PrivateLog(monkeypatch)
        stdout = private.stdio.stdout
        log.startLogging(io.StringIO(), setStdout=False)
        assert private.stdio.stdout is stdout

    def test_withObserver(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        L{log.startLoggingWithObserver} begins logging to an old-style
        observer, which L{log.removeObserver} can remove.
        """
        private = PrivateLog(monkeypatch)
        received: list[dict[str, Any]] = []
        log.startLoggingWithObserver(received.append, setStdout=False)
        assert [log.textFromEventDict(e) for e in received] == ["Log opened."]
        log.removeObserver(received.append)
        private.legacy.msg("gone")
        assert len(received) == 1

    def test_loggingFileRefused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Logging to a L{LoggingFile} (standard output already redirected)
        does nothing and returns L{None}.
        """
        private = PrivateLog(monkeypatch)
        loggingFile = LoggingFile(Logger("stdout", observer=private.publisher))
        assert log.startLogging(loggingFile) is None  # type: ignore[arg-type]
        assert private.legacy.observers == []


def test_scriptStartLogging() -> None:
    """
    A script calling C{startLogging(sys.stdout)} prints its messages,
    errors with tracebacks, and print() output in the old format.
    """
    source = """
        import sys
        from torsion.python import log
        log.msg("discarded")
        log.startLogging(sys.stdout)
        log.msg("hello", "world")
        print("printed")
        try:
            1 / 0
        except ZeroDivisionError:
            log.err(None, "Oops")
        """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [re.sub(r"^\S+ \S+ ", "", line) for line in result.stdout.splitlines()]
    assert lines[:5] == [
        "[-] Log opened.",
        "[-] hello world",
        "[-] printed",
        "[-] Oops",
        "\tTraceback (most recent call last):",
    ]
    assert lines[-1] == "\tZeroDivisionError: division by zero"
    assert result.stderr == ""


def test_exports() -> None:
    """
    C{__all__} is sorted, unique, and names what the module has.
    """
    assert log.__all__ == sorted(set(log.__all__))
    assert all(hasattr(log, name) for name in log.__all__)
    assert log.msg.__module__ == "torsion.python.log"
