"""
Tests for L{torsion.logger.LogBeginner}, L{torsion.logger.globalLogBeginner},
L{torsion.logger.globalLogPublisher} and L{torsion.logger.capturedLogs}.
"""

import io
import logging
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.logger.logstate import FakeWarnings, fakeStdio, preservedLogState
from torsion.logger import (
    LogBeginner,
    LogEvent,
    Logger,
    LoggingFile,
    LogLevel,
    LogPublisher,
    STDLibLogHandler,
    capturedLogs,
    eventsFromJSONLogFile,
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
    A fresh publisher, a beginner on a private error stream and stand-in
    stdio and warnings objects, and a logger.
    """

    def __init__(self, initialBufferSize: int | None = None) -> None:
        self.publisher = LogPublisher()
        self.errors = io.StringIO()
        self.stdio = fakeStdio()
        self.warnings = FakeWarnings()
        self.beginner = LogBeginner(
            self.publisher,
            self.errors,
            self.stdio,
            self.warnings,
            initialBufferSize=initialBufferSize,
        )
        self.log = Logger("test", observer=self.publisher)


@pytest.fixture
def preserved() -> Iterator[None]:
    """
    Put back standard I/O, warnings, stdlib logging's root handlers and the
    global publisher's observers after the test.
    """
    with preservedLogState():
        yield


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


def test_redirectStandardIO() -> None:
    """
    By default, standard output and error become L{LoggingFile}s whose
    lines are C{info} events in namespace C{"stdout"} and C{error} events in
    namespace C{"stderr"}.
    """
    setup = BeginnerSetup()
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append])
    stdout, stderr = setup.stdio.stdout, setup.stdio.stderr
    assert isinstance(stdout, LoggingFile)
    assert isinstance(stderr, LoggingFile)
    print("out line", file=stdout)
    print("err line", file=stderr)
    assert [(e["log_namespace"], e["log_level"], formatEvent(e)) for e in events] == [
        ("stdout", LogLevel.info, "out line"),
        ("stderr", LogLevel.error, "err line"),
    ]


def test_redirectKeepsEncoding() -> None:
    """
    The redirected streams decode bytes with the encoding of the streams
    they replace.
    """
    setup = BeginnerSetup()
    setup.stdio.stdout = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    setup.beginner.beginLoggingTo([])
    assert setup.stdio.stdout.encoding == "latin-1"
    assert setup.stdio.stderr.encoding == "utf-8"


def test_noRedirect() -> None:
    """
    With C{redirectStandardIO=False}, standard I/O is left alone.
    """
    setup = BeginnerSetup()
    stdout, stderr = setup.stdio.stdout, setup.stdio.stderr
    setup.beginner.beginLoggingTo([], redirectStandardIO=False)
    assert (setup.stdio.stdout, setup.stdio.stderr) == (stdout, stderr)


def test_redirectOnce() -> None:
    """
    A second call does not redirect the redirected streams again.
    """
    setup = BeginnerSetup()
    setup.beginner.beginLoggingTo([])
    stdout = setup.stdio.stdout
    setup.beginner.beginLoggingTo([])
    assert setup.stdio.stdout is stdout


def test_laterRedirect() -> None:
    """
    A second call may redirect standard I/O if the first did not.
    """
    setup = BeginnerSetup()
    setup.beginner.beginLoggingTo([], redirectStandardIO=False)
    setup.beginner.beginLoggingTo([])
    assert isinstance(setup.stdio.stdout, LoggingFile)


def test_warningsBecomeEvents() -> None:
    """
    Once logging begins, a warning meant for standard error is a C{warn}
    event in namespace C{"py.warnings"}, with the warning's details as
    fields.
    """
    setup = BeginnerSetup()
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append])
    assert setup.warnings.showwarning == setup.beginner.showwarning
    warning = DeprecationWarning("old")
    setup.warnings.showwarning(warning, DeprecationWarning, "f.py", 7)
    [event] = events
    assert event["log_level"] is LogLevel.warn
    assert event["log_namespace"] == "py.warnings"
    assert event["warning"] is warning
    assert (event["category"], event["filename"], event["lineno"]) == (
        "builtins.DeprecationWarning",
        "f.py",
        7,
    )
    assert formatEvent(event) == "f.py:7: builtins.DeprecationWarning: old"
    assert setup.warnings.shown == []


def test_warningsForAFile() -> None:
    """
    A warning meant for a given file goes to the C{showwarning} that was
    there before.
    """
    setup = BeginnerSetup()
    events: list[LogEvent] = []
    setup.beginner.beginLoggingTo([events.append])
    out = io.StringIO()
    setup.warnings.showwarning("w", UserWarning, "f.py", 1, out, "line")
    assert setup.warnings.shown == [("w", UserWarning, "f.py", 1, out, "line")]
    assert events == []


def test_warningsForAFileBeforeBeginning() -> None:
    """
    Called before logging begins, the beginner's C{showwarning} writes a
    warning for a file in the standard format.
    """
    setup = BeginnerSetup()
    out = io.StringIO()
    setup.beginner.showwarning("careful", UserWarning, "f.py", 3, out, "x = 1")
    assert out.getvalue() == "f.py:3: UserWarning: careful\n  x = 1\n"


def test_warningsInstalledOnce() -> None:
    """
    A second call keeps the C{showwarning} it replaced first.
    """
    setup = BeginnerSetup()
    setup.beginner.beginLoggingTo([])
    setup.beginner.beginLoggingTo([])
    out = io.StringIO()
    setup.warnings.showwarning("w", UserWarning, "f.py", 1, out)
    assert len(setup.warnings.shown) == 1


@pytest.mark.usefixtures("preserved")
def test_realPrintAndWarnings() -> None:
    """
    With the real C{sys} and C{warnings} modules, C{print()} and
    C{warnings.warn()} become events; once the streams are put back,
    C{print()} writes to the terminal again.
    """
    publisher = LogPublisher()
    beginner = LogBeginner(publisher, io.StringIO())
    events: list[LogEvent] = []
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        beginner.beginLoggingTo([events.append])
        print("printed")
        sys.stderr.write("to stderr\n")
        warnings.warn("careful", stacklevel=1)
    warnLine = lineOf('warnings.warn("careful"')
    assert [(e["log_namespace"], formatEvent(e)) for e in events] == [
        ("stdout", "printed"),
        ("stderr", "to stderr"),
        ("py.warnings", f"{__file__}:{warnLine}: builtins.UserWarning: careful"),
    ]


def test_printRestored(capsys: pytest.CaptureFixture[str]) -> None:
    """
    Once the saved streams are put back, C{print()} no longer makes events.
    """
    publisher = LogPublisher()
    events: list[LogEvent] = []
    with preservedLogState():
        LogBeginner(publisher, io.StringIO()).beginLoggingTo([events.append])
        print("into the log")
    print("to the terminal")
    assert [formatEvent(e) for e in events] == ["into the log"]
    assert capsys.readouterr().out == "to the terminal\n"
    assert not isinstance(sys.stdout, LoggingFile)


@pytest.mark.usefixtures("preserved")
def test_captureStdlibLogging() -> None:
    """
    With C{captureStdlibLogging}, records of stdlib C{logging} become
    events at their level, in their logger's namespace; one handler is
    added to the root logger, however often logging begins.
    """
    setup = BeginnerSetup()
    events: list[LogEvent] = []
    root = logging.getLogger()
    before = list(root.handlers)
    setup.beginner.beginLoggingTo([events.append], captureStdlibLogging=True)
    setup.beginner.beginLoggingTo([], captureStdlibLogging=True)
    added = [h for h in root.handlers if h not in before]
    assert len(added) == 1
    assert isinstance(added[0], STDLibLogHandler)
    logging.getLogger("x").warning("disk %s full", "sda")
    logging.getLogger("x.y").error("broken")
    captured = [e for e in events if e["log_namespace"] != "torsion.logger"]
    assert [(e["log_namespace"], e["log_level"], formatEvent(e)) for e in captured] == [
        ("x", LogLevel.warn, "disk sda full"),
        ("x.y", LogLevel.error, "broken"),
    ]


@pytest.mark.usefixtures("preserved")
def test_noStdlibCaptureByDefault() -> None:
    """
    Without C{captureStdlibLogging}, stdlib C{logging} is left alone.
    """
    root = logging.getLogger()
    before = list(root.handlers)
    BeginnerSetup().beginner.beginLoggingTo([])
    assert root.handlers == before


def test_capturedLogs() -> None:
    """
    L{capturedLogs} collects the events of the global publisher during its
    block only.
    """
    log = Logger("cap")
    log.info("before")
    with capturedLogs() as events:
        log.info("during {n}", n=1)
    log.info("after")
    assert [formatEvent(e) for e in events] == ["during 1"]
    assert events.append not in globalLogPublisher._observers


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


def test_scriptOutputIntoJSONLog(tmp_path: Path) -> None:
    """
    In a script that begins logging to a JSON file, capturing stdlib
    logging: early events, print() output, stderr writes, warnings and
    stdlib records all end up in the file as events, and nothing reaches
    the real standard output or error.
    """
    path = tmp_path / "log.json"
    result = runScript(
        f"""
        import logging, sys, warnings
        from torsion.logger import Logger, globalLogBeginner, jsonFileLogObserver
        Logger(namespace="script").info("early")
        out = open({str(path)!r}, "w", encoding="utf-8")
        globalLogBeginner.beginLoggingTo([jsonFileLogObserver(out)], captureStdlibLogging=True)
        print("printed")
        print("oops", file=sys.stderr)
        warnings.warn("careful")
        logging.getLogger("lib").warning("from %s", "stdlib")
        out.close()
        """
    )
    assert (result.stdout, result.stderr) == ("", "")
    with open(path, "rb") as f:
        events = list(eventsFromJSONLogFile(f))
    assert [(e["log_namespace"], e["log_level"], formatEvent(e)) for e in events] == [
        ("script", LogLevel.info, "early"),
        ("stdout", LogLevel.info, "printed"),
        ("stderr", LogLevel.error, "oops"),
        ("py.warnings", LogLevel.warn, "<string>:9: builtins.UserWarning: careful"),
        ("lib", LogLevel.warn, "from stdlib"),
    ]
