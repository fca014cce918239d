"""
Tests for L{torsion.logger.LogBeginner}, L{torsion.logger.globalLogBeginner}
and L{torsion.logger.globalLogPublisher}.
"""

import io
import subprocess
import sys
import textwrap

import pytest

from torsion.logger import (
    LogBeginner,
    LogEvent,
    Logger,
    LogLevel,
    LogPublisher,
    formatEvent,
    globalLogBeginner,
    globalLogPublisher,
)
from torsion.python.failure import Failure


def formats(events: list[LogEvent]) -> list[str]:
    """
    Render each event's message.
    """
    return [formatEvent(event) for event in events]


def lineOf(marker: str) -> int:
    """
    Find the line number of this file's line containing C{marker}.
    """
    with open(__file__, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if marker in line and "lineOf(" not in line:
                return number
    raise AssertionError(f"no line contains {marker!r}")


class BeginnerSetup:
    """
    A fresh publisher, beginner on a private error stream, and logger.
    """

    def __init__(self, initialBufferSize: int | None = None) -> None:
        self.publisher = LogPublisher()
        self.errors = io.StringIO()
        self.beginner = LogBeginner(
            self.publisher, self.errors, initialBufferSize=initialBufferSize
        )
        self.log = Logger("test", observer=self.publisher)


def test_seriousEventsToErrorStream() -> None:
    """
    Before logging begins, error and critical events, and events with a
    failure, are written to the error stream as classic text; others are
    not.
    """
    setup = BeginnerSetup()
    setup.log.debug("d")
    setup.log.info("i")
    setup.log.warn("w")
    setup.log.error("e {n}", n=1)
    setup.log.critical("c")
    try:
        raise KeyError("k")
    except KeyError:
        setup.log.failure("f", level=LogLevel.info)
    lines = setup.errors.getvalue().splitlines()
    assert [line.split(" ", 1)[1] for line in lines[:3]] == [
        "[test#error] e 1",
        "[test#critical] c",
        "[test#info] f",
    ]
    assert lines[3] == "\tTraceback (most recent call last):"
    assert lines[-1] == "\tKeyError: 'k'"


def test_stderrLookedUpAtWriteTime(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    Without an explicit error stream, the C{sys.stderr} of the moment of
    writing is used.
    """
    publisher = LogPublisher()
    LogBeginner(publisher)
    replacement = io.StringIO()
    monkeypatch.setattr(sys, "stderr", replacement)
    Logger("late", observer=publisher).error("now")
    assert replacement.getvalue().endswith(" [late#error] now\n")


def test_noStderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    With no C{sys.stderr} at all, serious events are still buffered and
    nothing raises.
    """
    publisher = LogPublisher()
    beginner = LogBeginner(publisher)
    monkeypatch.setattr(sys, "stderr", None)
    Logger(observer=publisher).critical("lost?")
    monkeypatch.undo()
    events: list[LogEvent] = []
    beginner.beginLoggingTo([events.append])
    assert formats(events) == ["lost?"]


def test_defaultBufferSize() -> None:
    """
    By default the last 200 events before logging begins are kept.
    """
    setup = BeginnerSetup()
    for n in range(250):
        setup.log.info("{n}", n=n)
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append])
    assert formats(events) == [str(n) for n in range(50, 250)]


def test_customBufferSize() -> None:
    """
    The number of buffered events can be chosen.
    """
    setup = BeginnerSetup(initialBufferSize=2)
    for n in range(5):
        setup.log.info("{n}", n=n)
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append])
    assert formats(events) == ["3", "4"]


def test_replay() -> None:
    """
    Buffered events are replayed, in order, to the new observers, which
    then get later events too.
    """
    setup = BeginnerSetup()
    setup.log.info("one")
    setup.log.debug("two")
    first: list[LogEvent] = []
    second: list[LogEvent] = []
    setup.beginner.beginLoggingTo([first.append, second.append])
    setup.log.info("three")
    assert formats(first) == formats(second) == ["one", "two", "three"]


def test_discardBuffer() -> None:
    """
    With C{discardBuffer}, buffered events are dropped, not replayed.
    """
    setup = BeginnerSetup()
    setup.log.info("early")
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append], discardBuffer=True)
    setup.log.info("late")
    assert formats(events) == ["late"]


def test_errorStreamStops() -> None:
    """
    Once logging begins, nothing more is written to the error stream.
    """
    setup = BeginnerSetup()
    setup.beginner.beginLoggingTo([])
    setup.log.critical("after")
    try:
        raise ValueError("v")
    except ValueError:
        setup.log.failure("after failure")
    assert setup.errors.getvalue() == ""


def test_noReplayToExistingObservers() -> None:
    """
    Observers already on the publisher saw the early events live and do
    not get them again.
    """
    setup = BeginnerSetup()
    existing: list[LogEvent] = []
    setup.publisher.addObserver(existing.append)
    setup.log.info("early")
    setup.beginner.beginLoggingTo([lambda event: None])
    setup.log.info("late")
    assert formats(existing) == ["early", "late"]


def test_brokenObserverDuringReplay() -> None:
    """
    A new observer that raises during the replay does not stop the
    others from getting the buffered events.
    """
    setup = BeginnerSetup()
    setup.log.info("early")

    def broken(event: LogEvent) -> None:
        raise RuntimeError("broken")

    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([broken, events.append])
    assert formatEvent(events[0]) == "early"
    assert events[1]["observer"] is broken


def test_calledTwice() -> None:
    """
    A second call adds its observers too, replays nothing, and emits a
    warning naming both call sites.
    """
    setup = BeginnerSetup()
    setup.log.info("early")
    first: list[LogEvent] = []
    second: list[LogEvent] = []
    setup.beginner.beginLoggingTo([first.append])  # first call
    setup.beginner.beginLoggingTo([second.append])  # second call
    setup.log.info("late")
    warning = first[1]
    assert second == [warning, first[2]]
    assert warning["log_level"] is LogLevel.warn
    assert warning["log_namespace"] == "torsion.logger"
    assert formatEvent(warning) == (
        f"beginLoggingTo() was called again at {__file__}:{lineOf('# second call')}; "
        f"it was first called at {__file__}:{lineOf('# first call')}. "
        "Both sets of observers now receive events; choose the log observers in one place."
    )
    assert formats(first) == ["early", formatEvent(warning), "late"]


def test_redirectStandardIOIgnored() -> None:
    """
    C{redirectStandardIO} is accepted and leaves standard I/O alone.
    """
    stdout, stderr = sys.stdout, sys.stderr
    setup = BeginnerSetup()
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append], redirectStandardIO=True)
    assert (sys.stdout, sys.stderr) == (stdout, stderr)
    assert events == []


def test_globalBeginner() -> None:
    """
    The global beginner is a L{LogBeginner} over the global publisher.
    """
    assert isinstance(globalLogBeginner, LogBeginner)
    assert globalLogBeginner._publisher is globalLogPublisher


def test_captureFailuresGlobally() -> None:
    """
    An observer added to the global publisher sees failures logged by
    any L{Logger} created without an observer.
    """
    captured: list[LogEvent] = []

    def capture(event: LogEvent) -> None:
        if "log_failure" in event:
            captured.append(event)

    failure = Failure(ZeroDivisionError("lost"))
    globalLogPublisher.addObserver(capture)
    try:
        Logger().info("not a failure")
        Logger().failure("Unhandled error in Deferred:", failure=failure)
    finally:
        globalLogPublisher.removeObserver(capture)
    [event] = captured
    assert event["log_failure"] is failure
    assert event["log_namespace"] == __name__
    assert formatEvent(event) == "Unhandled error in Deferred:"


def runScript(source: str) -> subprocess.CompletedProcess[str]:
    """
    Run Python code in a new interpreter and capture its output.
    """
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_unhandledErrorShown() -> None:
    """
    In a script that never begins logging, a logged failure appears on
    standard error with its traceback, and info events do not.
    """
    result = runScript(
        """
        from torsion.logger import Logger
        log = Logger(namespace="script")
        log.info("quiet")
        try:
            1 / 0
        except ZeroDivisionError:
            log.failure("Unhandled error in Deferred:")
        """
    )
    assert "quiet" not in result.stderr
    assert " [script#critical] Unhandled error in Deferred:\n" in result.stderr
    assert result.stderr.endswith("\tZeroDivisionError: division by zero\n")
    assert result.stdout == ""


def test_afterBeginningNothingOnStderr() -> None:
    """
    Once the script begins logging, errors go to its chosen observers
    only, including the ones buffered before.
    """
    result = runScript(
        """
        import sys
        from torsion.logger import Logger, globalLogBeginner, textFileLogObserver
        log = Logger(namespace="script")
        log.error("early")
        sys.stderr.write("BEGIN\\n")
        globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)])
        log.error("late")
        """
    )
    assert result.stderr.split(" ", 1)[1] == "[script#error] early\nBEGIN\n"
    assert [line.split(" ", 1)[1] for line in result.stdout.splitlines()] == [
        "[script#error] early",
        "[script#error] late",
    ]
