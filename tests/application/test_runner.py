"""
Tests for L{torsion.application.runner}: L{PIDFile} on a real file system,
L{Runner} driving a service on a L{MemoryReactor}, and the command-line
choices the C{torsion} command and C{twistd} share.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from torsion.application.runner import (
    AlreadyRunningError,
    ExitStatus,
    InvalidPIDFileError,
    IPIDFile,
    NonePIDFile,
    PIDFile,
    PIDFileWriteError,
    Runner,
    nonePIDFile,
)
from torsion.application.runner._setup import (
    checkReactorName,
    describeError,
    installReactor,
    reactorNames,
)
from torsion.application.service import Service
from torsion.internet.defer import Deferred, fail
from torsion.internet.error import ReactorAlreadyInstalledError
from torsion.internet.testing import MemoryReactor
from torsion.logger import (
    LogBeginner,
    LogEvent,
    Logger,
    LogLevel,
    LogPublisher,
    eventsFromJSONLogFile,
    globalLogPublisher,
    jsonFileLogObserver,
)
from torsion.logger._interfaces import LogObserver


def deadPID() -> int:
    """
    The id of a process that has exited (and been reaped).
    """
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


class PIDFileTests:
    """
    L{PIDFile}: a text file holding the pid, refused while a live process
    holds it.
    """

    def test_interface(self, tmp_path: Path) -> None:
        """
        L{PIDFile} and L{nonePIDFile} provide L{IPIDFile}.
        """
        assert verifyObject(IPIDFile, PIDFile(str(tmp_path / "x.pid")))
        assert verifyObject(IPIDFile, nonePIDFile)

    def test_writtenAndRemoved(self, tmp_path: Path) -> None:
        """
        Inside C{with}, the file holds this process's id and a newline;
        afterwards it is gone, and no temporary file is left.
        """
        path = tmp_path / "server.pid"
        with PIDFile(str(path)) as pidFile:
            assert path.read_text() == f"{os.getpid()}\n"
            assert pidFile.read() == os.getpid()
            assert os.listdir(tmp_path) == ["server.pid"]
        assert not path.exists()
        assert os.listdir(tmp_path) == []

    def test_removedOnError(self, tmp_path: Path) -> None:
        """
        The file is removed when the block raises, too.
        """
        path = tmp_path / "server.pid"
        with pytest.raises(ZeroDivisionError), PIDFile(str(path)):
            1 / 0  # noqa: B018
        assert not path.exists()

    def test_liveProcessRefused(self, tmp_path: Path) -> None:
        """
        A file naming another live process is refused with a message naming
        the pid and the file, and is left alone.
        """
        path = tmp_path / "server.pid"
        other = os.getppid()
        path.write_text(f"{other}\n")
        pidFile = PIDFile(str(path))
        assert pidFile.runningPID() == other
        assert pidFile.isRunning()
        with pytest.raises(AlreadyRunningError) as raised:
            pidFile.writeRunningPID()
        assert (raised.value.pid, raised.value.path) == (other, str(path))
        assert str(raised.value) == (
            f"the pid file '{path}' names process {other}, which is running: another "
            f"instance seems to be running already; stop it first, or use another pid file "
            f"(if process {other} is not an instance of this server, remove '{path}')"
        )
        assert path.read_text() == f"{other}\n"

    def test_staleRemoved(self, tmp_path: Path) -> None:
        """
        A file naming a process that is gone is stale: it is replaced.
        """
        path = tmp_path / "server.pid"
        path.write_text(f"{deadPID()}\n")
        pidFile = PIDFile(str(path))
        assert pidFile.runningPID() is None
        assert not pidFile.isRunning()
        with pidFile:
            assert path.read_text() == f"{os.getpid()}\n"
        assert not path.exists()

    def test_ownPIDIsStale(self, tmp_path: Path) -> None:
        """
        A file naming this very process (a container restarted under the
        same pid) is stale, not a reason to refuse.
        """
        path = tmp_path / "server.pid"
        path.write_text(f"{os.getpid()}\n")
        pidFile = PIDFile(str(path))
        assert not pidFile.isRunning()
        pidFile.writeRunningPID()
        assert path.read_text() == f"{os.getpid()}\n"
        pidFile.remove()
        assert not path.exists()

    @pytest.mark.parametrize("content", ["garbage\n", "", "-5\n", "0\n"])
    def test_invalidContent(self, tmp_path: Path, content: str) -> None:
        """
        A file that holds no process id is refused, saying what it holds,
        and is not removed.
        """
        path = tmp_path / "server.pid"
        path.write_text(content)
        pidFile = PIDFile(str(path))
        shown = re.escape(repr(content.strip()))
        message = (
            rf"^the pid file '{re.escape(str(path))}' holds {shown}, not a process id; "
            r"remove it if it is a leftover pid file, or choose another pid file path$"
        )
        with pytest.raises(InvalidPIDFileError, match=message):
            pidFile.read()
        with pytest.raises(InvalidPIDFileError, match=message):
            pidFile.writeRunningPID()
        pidFile.remove()
        assert path.read_text() == content

    def test_unwritable(self, tmp_path: Path) -> None:
        """
        A pid file in a directory that does not exist cannot be written;
        the error says so and what to do.
        """
        path = tmp_path / "missing" / "server.pid"
        with pytest.raises(
            PIDFileWriteError,
            match=rf"^cannot write the pid file '{re.escape(str(path))}': No such file or "
            r"directory; choose a path in a directory that exists and that you can write "
            r"to$",
        ):
            PIDFile(str(path)).writeRunningPID()

    def test_removeLeavesOthersFile(self, tmp_path: Path) -> None:
        """
        remove() leaves a file that names another process.
        """
        path = tmp_path / "server.pid"
        pidFile = PIDFile(str(path))
        pidFile.writeRunningPID()
        path.write_text(f"{os.getppid()}\n")
        pidFile.remove()
        assert path.read_text() == f"{os.getppid()}\n"

    def test_noFile(self, tmp_path: Path) -> None:
        """
        Without a file, nothing holds it; remove() does nothing.
        """
        pidFile = PIDFile(str(tmp_path / "server.pid"))
        assert pidFile.read() is None
        assert pidFile.runningPID() is None
        assert not pidFile.isRunning()
        pidFile.remove()

    def test_relativePathMadeAbsolute(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        A relative path is resolved when the object is made, so changing
        directory later does not move the file.
        """
        monkeypatch.chdir(tmp_path)
        pidFile = PIDFile("server.pid")
        assert pidFile.path == str(tmp_path / "server.pid")
        assert repr(pidFile) == f"PIDFile({str(tmp_path / 'server.pid')!r})"

    def test_nonePIDFile(self) -> None:
        """
        L{nonePIDFile} reads, writes and removes nothing.
        """
        assert isinstance(nonePIDFile, NonePIDFile)
        with nonePIDFile as same:
            assert same is nonePIDFile
        assert nonePIDFile.read() is None
        assert nonePIDFile.runningPID() is None
        assert not nonePIDFile.isRunning()
        nonePIDFile.writeRunningPID()
        nonePIDFile.remove()


class RecordingBeginner(LogBeginner):
    """
    A log beginner that adds the observers to the global publisher (where
    the runner's logger emits) and remembers them, redirecting nothing.
    """

    def __init__(self) -> None:
        super().__init__(LogPublisher())
        self.observers: list[LogObserver] = []
        self.redirectStandardIO: bool | None = None

    def beginLoggingTo(
        self,
        observers: Iterable[LogObserver],
        discardBuffer: bool = False,
        redirectStandardIO: bool = True,
        *,
        captureStdlibLogging: bool = False,
    ) -> None:
        """
        Add C{observers} to the global publisher.
        """
        self.redirectStandardIO = redirectStandardIO
        for observer in observers:
            self.observers.append(observer)
            globalLogPublisher.addObserver(observer)


@pytest.fixture
def beginner() -> Iterator[RecordingBeginner]:
    """
    A L{RecordingBeginner} whose observers are removed after the test.
    """
    recording = RecordingBeginner()
    yield recording
    for observer in recording.observers:
        globalLogPublisher.removeObserver(observer)


class RecordingService(Service):
    """
    A service that records the calls it gets.
    """

    def __init__(self, calls: list[str], stopping: Deferred[None] | None = None) -> None:
        self.calls = calls
        self.stopping = stopping

    def privilegedStartService(self) -> None:
        self.calls.append("privilegedStartService")

    def startService(self) -> None:
        super().startService()
        self.calls.append("startService")

    def stopService(self) -> Deferred[None] | None:
        super().stopService()
        self.calls.append("stopService")
        return self.stopping


class RunnerTests:
    """
    L{Runner} on a L{MemoryReactor}, whose C{run()} fires startup, the
    C{callWhenRunning} calls, then shutdown.
    """

    def runner(
        self, beginner: LogBeginner, logFile: io.StringIO, **kwargs: Any
    ) -> tuple[Runner, MemoryReactor]:
        """
        A runner on a fresh memory reactor, logging text to C{logFile}.
        """
        reactor = MemoryReactor()
        return Runner(reactor, logFile=logFile, logBeginner=beginner, **kwargs), reactor

    def test_serviceLifecycle(self, beginner: RecordingBeginner) -> None:
        """
        The service starts once the reactor runs (privileged part first),
        then the whenRunning hook runs; on shutdown the service stops; then
        the reactorExited hook runs.  The log has the start and stop lines.
        """
        calls: list[str] = []
        log = io.StringIO()
        runner, reactor = self.runner(
            beginner,
            log,
            service=RecordingService(calls),
            whenRunning=lambda **kw: calls.append(f"whenRunning {kw}"),
            whenRunningArguments={"a": 1},
            reactorExited=lambda **kw: calls.append(f"reactorExited {kw}"),
            reactorExitedArguments={"b": 2},
        )
        assert runner.run() == ExitStatus.EX_OK
        assert calls == [
            "privilegedStartService",
            "startService",
            "whenRunning {'a': 1}",
            "stopService",
            "reactorExited {'b': 2}",
        ]
        assert reactor.hasRun and reactor.hasStopped
        lines = log.getvalue().splitlines()
        assert lines[0].endswith("#info] Starting reactor...")
        assert lines[-1].endswith("#info] Main loop terminated.")
        assert beginner.redirectStandardIO is True

    def test_stopIsWaitedFor(self, beginner: RecordingBeginner) -> None:
        """
        Shutdown waits for the Deferred that stopService returns.
        """
        stopping: Deferred[None] = Deferred()
        runner, reactor = self.runner(
            beginner, io.StringIO(), service=RecordingService([], stopping)
        )
        after: list[str] = []
        reactor.addSystemEventTrigger("during", "shutdown", after.append, "during shutdown")
        runner.run()
        assert after == []
        stopping.callback(None)
        assert after == ["during shutdown"]

    def test_startFailure(self, beginner: RecordingBeginner) -> None:
        """
        A service that fails to start is logged at critical level, the
        reactor stops, the service is still stopped, whenRunning is not
        called, and the exit status is EX_SOFTWARE.
        """
        calls: list[str] = []

        class Failing(RecordingService):
            def startService(self) -> None:
                raise RuntimeError("no way")

        events: list[LogEvent] = []
        globalLogPublisher.addObserver(events.append)
        try:
            runner, reactor = self.runner(
                beginner,
                io.StringIO(),
                service=Failing(calls),
                whenRunning=lambda: calls.append("whenRunning"),
            )
            assert runner.run() == ExitStatus.EX_SOFTWARE
        finally:
            globalLogPublisher.removeObserver(events.append)
        assert calls == ["privilegedStartService", "stopService"]
        assert reactor.hasStopped
        assert runner.exitStatus == ExitStatus.EX_SOFTWARE
        assert runner.startFailure is not None
        assert runner.startFailure.check(RuntimeError)
        (failed,) = [e for e in events if "log_failure" in e]
        assert failed["log_level"] is LogLevel.critical
        assert failed["log_format"] == "{service!r} failed to start; stopping."

    def test_stopFailure(self, beginner: RecordingBeginner) -> None:
        """
        A service whose stop fails is logged, and the exit status is
        EX_SOFTWARE.
        """
        log = io.StringIO()
        runner, _ = self.runner(
            beginner, log, service=RecordingService([], fail(RuntimeError("stuck")))
        )
        assert runner.run() == ExitStatus.EX_SOFTWARE
        assert "failed to stop." in log.getvalue()
        assert "RuntimeError: stuck" in log.getvalue()

    def test_logLevel(self, beginner: RecordingBeginner) -> None:
        """
        Events below the default log level are left out.
        """
        log = io.StringIO()
        logger = Logger(namespace="test_runner")

        def emit() -> None:
            logger.info("quiet")
            logger.warn("loud")

        runner, _ = self.runner(beginner, log, defaultLogLevel=LogLevel.warn, whenRunning=emit)
        runner.run()
        assert log.getvalue().endswith(" [test_runner#warn] loud\n")
        assert "quiet" not in log.getvalue()
        assert "Starting reactor" not in log.getvalue()

    def test_jsonLog(self, beginner: RecordingBeginner) -> None:
        """
        With the JSON observer factory, the log file holds JSON records,
        the start line naming the reactor's class.
        """
        log = io.StringIO()
        runner, _ = self.runner(beginner, log, fileLogObserverFactory=jsonFileLogObserver)
        runner.run()
        log.seek(0)
        events = list(eventsFromJSONLogFile(log))
        assert [e["log_format"] for e in events] == [
            "Starting reactor...",
            "Main loop terminated.",
        ]
        assert events[0]["reactorClass"] == "torsion.internet.testing.MemoryReactor"

    def test_pidFileHeldWhileRunning(self, beginner: RecordingBeginner, tmp_path: Path) -> None:
        """
        The pid file holds this process's id while the reactor runs and is
        removed afterwards.
        """
        path = tmp_path / "server.pid"
        seen: list[str] = []
        runner, _ = self.runner(
            beginner,
            io.StringIO(),
            pidFile=PIDFile(str(path)),
            whenRunning=lambda: seen.append(path.read_text()),
        )
        runner.run()
        assert seen == [f"{os.getpid()}\n"]
        assert not path.exists()

    def test_pidFileRefused(self, beginner: RecordingBeginner, tmp_path: Path) -> None:
        """
        If the pid file names a live process, run() raises before logging
        begins or the reactor runs.
        """
        path = tmp_path / "server.pid"
        path.write_text(f"{os.getppid()}\n")
        log = io.StringIO()
        runner, reactor = self.runner(beginner, log, pidFile=PIDFile(str(path)))
        with pytest.raises(AlreadyRunningError):
            runner.run()
        assert not reactor.hasRun
        assert beginner.observers == []
        assert log.getvalue() == ""
        assert path.read_text() == f"{os.getppid()}\n"

    def test_defaultLogFileIsStdout(
        self, beginner: RecordingBeginner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        Without a log file, the log goes to sys.stdout as it is when
        logging begins.
        """
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        Runner(MemoryReactor(), logBeginner=beginner, redirectStandardIO=False).run()
        assert "Starting reactor..." in out.getvalue()
        assert beginner.redirectStandardIO is False


class FakeReactor:
    """
    Stands in for an installed reactor in C{sys.modules}.
    """

    def callWhenRunning(self) -> None:
        """
        Make it look like a reactor.
        """


class SetupTests:
    """
    The choices both commands make from the command line
    (C{torsion.application.runner._setup}).
    """

    def test_reactorNames(self) -> None:
        """
        The names are C{default} and the platform's reactors, sorted.
        """
        assert reactorNames() == ["default", "epoll", "poll", "select"]
        assert checkReactorName("poll") == "poll"

    def test_installedReactorKept(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        If a reactor is installed already, C{default} and its own name get
        it.
        """
        fake = FakeReactor()
        monkeypatch.setattr(FakeReactor, "__module__", "torsion.internet.pollreactor")
        monkeypatch.setitem(sys.modules, "torsion.internet.reactor", fake)
        assert installReactor("default") is fake
        assert installReactor("poll") is fake

    def test_otherReactorInstalled(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Asking for another reactor than the one installed already fails,
        saying why and what to do.
        """
        fake = FakeReactor()
        monkeypatch.setattr(FakeReactor, "__module__", "torsion.internet.pollreactor")
        monkeypatch.setitem(sys.modules, "torsion.internet.reactor", fake)
        with pytest.raises(ReactorAlreadyInstalledError) as raised:
            installReactor("select")
        assert str(raised.value).startswith(
            f"cannot use the 'select' reactor: {fake!r} was installed already, because "
            "something imported torsion.internet.reactor before the command could install "
            "its choice"
        )

    def test_describeError(self) -> None:
        """
        A ValueError is described by its message; other errors by their
        type's name and message.
        """
        assert describeError(ValueError("bad description")) == "bad description"
        assert describeError(KeyError("x")) == "KeyError: 'x'"
        assert describeError(RuntimeError()) == "RuntimeError"
