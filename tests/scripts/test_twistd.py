"""
Tests for L{torsion.scripts.twistd}: its options and .tac loading in
process; C{python -m torsion.scripts.twistd} end to end, in the foreground
(C{-n}) and as a daemon, on real sockets.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import requireTool
from tests.scripts.serving import (
    TIMEOUT,
    docBlock,
    echoed,
    echoUpstream,
    environment,
    killIfAlive,
    runClientTool,
    serving,
    twistdCommand,
    unixExchange,
    waitForExit,
    waitForLine,
    waitForPath,
)
from torsion.application.service import IService
from torsion.python.usage import UsageError
from torsion.scripts.twistd import NoApplicationError, ServerOptions, loadApplication, run

# A .tac file in the classic style: it imports the global reactor (so
# twistd must install the chosen one first) and logs its port.
ECHO_TAC = """\
from torsion.application import service
from torsion.internet import reactor
from torsion.internet.protocol import Factory, Protocol
from torsion.logger import Logger

log = Logger(namespace="echo.tac")


class Echo(Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class EchoService(service.Service):
    def startService(self):
        super().startService()
        self.port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        log.info(
            "listening on port {port} with {reactor}",
            port=self.port.getHost().port,
            reactor=type(reactor).__name__,
        )

    def stopService(self):
        super().stopService()
        return self.port.stopListening()


application = service.Application("echo")
EchoService().setServiceParent(application)
"""

# A twistd text log line: "2026-11-25T12:00:00+0000 [system] message".
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}"
LISTENING = STAMP + r" \[echo\.tac#info\] listening on port (\d+) with (\w+)"


def parsed(*argv: str) -> ServerOptions:
    """
    Parse C{argv} with L{ServerOptions}.
    """
    options = ServerOptions()
    options.parseOptions(list(argv))
    return options


class ServerOptionsTests:
    """
    The command line of C{twistd}.
    """

    def test_defaults(self) -> None:
        """
        With only -y: daemonize, pid file twistd.pid, default log file and
        reactor, run directory ".", umask unset.
        """
        options = parsed("-y", "app.tac")
        assert options["python"] == "app.tac"
        assert (options["nodaemon"], options["no_save"], options["originalname"]) == (0, 0, 0)
        assert options["pidfile"] == "twistd.pid"
        assert options["logfile"] is None
        assert options["reactor"] == "default"
        assert options["rundir"] == "."
        assert options["umask"] is None
        assert options.subCommand is None

    def test_everyOption(self) -> None:
        """
        Each option sets its key, with twistd's short names.
        """
        options = parsed(
            "-noy",
            "app.tac",
            "--originalname",
            "--pidfile",
            "",
            "-l",
            "-",
            "-r",
            "select",
            "-d",
            "/tmp",
            "--umask",
            "022",
        )
        assert options["nodaemon"] == options["no_save"] == options["originalname"] == 1
        assert options["python"] == "app.tac"
        assert options["pidfile"] == ""
        assert options["logfile"] == "-"
        assert options["reactor"] == "select"
        assert options["rundir"] == "/tmp"
        assert options["umask"] == 0o022

    def test_longNames(self) -> None:
        """
        The long names work too.
        """
        options = parsed(
            "--nodaemon", "--python=a.tac", "--logfile=x.log", "--reactor=poll", "--rundir=d"
        )
        assert (options["nodaemon"], options["python"], options["logfile"]) == (1, "a.tac", "x.log")
        assert (options["reactor"], options["rundir"]) == ("poll", "d")

    def test_badReactor(self) -> None:
        """
        An unknown reactor is refused, listing the names there are.
        """
        with pytest.raises(UsageError, match=r"^unknown reactor 'iocp'; choose one of: default, "):
            parsed("-r", "iocp", "-y", "a.tac")

    @pytest.mark.parametrize("value", ["999", "abc", "-1"])
    def test_badUmask(self, value: str) -> None:
        """
        A umask that is not an octal number up to 777 is refused.
        """
        with pytest.raises(
            UsageError,
            match=rf"^invalid umask '{value}'; give an octal number from 0 to 777, such as 022$",
        ):
            parsed("--umask", value, "-y", "a.tac")

    def test_plugin(self) -> None:
        """
        A plugin name with its options is the other way to say what to run.
        """
        options = parsed("-n", "echo", "--listen", "tcp:1")
        assert options.subCommand == "echo"
        assert options.subOptions["listen"] == ["tcp:1"]

    def test_unknownPlugin(self) -> None:
        """
        An unknown plugin is refused, naming the plugins.
        """
        with pytest.raises(
            UsageError, match=r"^Unknown command: 'nosuchplugin'; the commands are echo"
        ):
            parsed("-n", "nosuchplugin")

    def test_bothTacAndPlugin(self) -> None:
        """
        -y and a plugin together are refused.
        """
        with pytest.raises(
            UsageError,
            match=r"^both -y a\.tac and the plugin 'echo' were given; give one of them$",
        ):
            parsed("-y", "a.tac", "echo")

    def test_nothingToRun(self) -> None:
        """
        Neither -y nor a plugin is refused, saying what to give.
        """
        with pytest.raises(
            UsageError,
            match=r"^nothing to run: give -y FILE\.tac, or a plugin name \(one of: echo, ",
        ):
            parsed("-n")

    def test_helpReactors(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        --help-reactors lists the reactor names and exits 0.
        """
        with pytest.raises(SystemExit) as exited:
            parsed("--help-reactors")
        assert exited.value.code == 0
        assert capsys.readouterr().out.split() == ["default", "epoll", "poll", "select"]


class LoadApplicationTests:
    """
    L{loadApplication} runs a .tac file and returns its C{application}.
    """

    def test_application(self, tmp_path: Path) -> None:
        """
        The file's C{application} is returned; the file runs with its own
        C{__file__}, and C{__name__} is not C{"__main__"}.
        """
        tac = tmp_path / "app.tac"
        tac.write_text(
            "from torsion.application import service\n"
            "application = service.Application('app')\n"
            "application.where = (__file__, __name__)\n"
        )
        application = loadApplication(str(tac))
        assert IService(application).name == "app"
        assert application.where == (str(tac), "__tac__")

    def test_noApplication(self, tmp_path: Path) -> None:
        """
        A file without C{application} is refused, saying what it must do.
        """
        tac = tmp_path / "app.tac"
        tac.write_text("x = 1\n")
        with pytest.raises(NoApplicationError) as raised:
            loadApplication(str(tac))
        assert str(raised.value) == (
            f"{str(tac)!r} defines no 'application'; a .tac file must set application = "
            f"service.Application('NAME') and attach its services to it "
            f"(service.setServiceParent(application))"
        )

    def test_errorsPropagate(self, tmp_path: Path) -> None:
        """
        Errors in the file's code propagate, naming the file.
        """
        tac = tmp_path / "app.tac"
        tac.write_text("application = (\n")
        with pytest.raises(SyntaxError) as raised:
            loadApplication(str(tac))
        assert raised.value.filename == str(tac)


class RunErrorTests:
    """
    L{run}'s errors before anything starts, in process.
    """

    def test_usageError(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        A wrong command line prints the usage and the error on stderr and
        exits 1, as twistd does.
        """
        with pytest.raises(SystemExit) as exited:
            run(["twistd", "--umask", "9"])
        assert exited.value.code == 1
        err = capsys.readouterr().err
        assert err.startswith("Usage: twistd [options] [plugin [plugin_options]]\n")
        assert err.endswith(
            "\ntwistd: invalid umask '9'; give an octal number from 0 to 777, such as 022\n"
        )

    def test_pidFileHeldByLiveProcess(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        A pid file naming a live process stops twistd before anything else
        is done: exit status 1, a message naming the pid and the file.
        """
        monkeypatch.setattr(sys, "path", list(sys.path))
        pid = tmp_path / "twistd.pid"
        other = os.getppid()
        pid.write_text(f"{other}\n")
        with pytest.raises(SystemExit) as exited:
            run(["twistd", "-n", "-y", "missing.tac", "--pidfile", str(pid)])
        assert exited.value.code == 1
        assert capsys.readouterr().err == (
            f"twistd: the pid file '{pid}' names process {other}, which is running: another "
            f"instance seems to be running already; stop it first, or use another pid file "
            f"(if process {other} is not an instance of this server, remove '{pid}')\n"
        )
        assert pid.read_text() == f"{other}\n"


def failedRun(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """
    Run twistd with C{argv} in C{tmp_path}, expecting it to fail at once.
    """
    done = subprocess.run(
        twistdCommand(*argv),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(),
        check=False,
    )
    assert done.returncode == 1, done
    return done


class EndToEndTests:
    """
    C{python -m torsion.scripts.twistd} as a subprocess, on real sockets.
    """

    def test_foregroundTac(self, tmp_path: Path) -> None:
        """
        C{twistd -n -r select -y echo.tac --pidfile P -l LOG} installs the
        chosen reactor before the .tac file runs, logs in twistd's text
        format, holds the pid file, serves, and on SIGTERM stops with status
        0, removing the pid file.
        """
        (tmp_path / "echo.tac").write_text(ECHO_TAC)
        pid, log = tmp_path / "app.pid", tmp_path / "app.log"
        argv = twistdCommand(
            "-n", "-r", "select", "-y", "echo.tac", "--pidfile", str(pid), "-l", str(log)
        )
        with serving(argv, tmp_path) as server:
            match = waitForLine(server, log, LISTENING)
            assert match.group(2) == "SelectReactor"
            assert pid.read_text() == f"{server.process.pid}\n"
            assert echoed(int(match.group(1)), b"hello, twistd") == b"hello, twistd"
            assert server.stop(signal.SIGTERM) == 0
        assert not pid.exists()
        assert server.stderr.read_text() == server.stdout.read_text() == ""
        lines = log.read_text().splitlines()
        system = r"\[torsion\.scripts\.twistd#info\]"
        assert re.fullmatch(
            rf"{STAMP} {system} twistd \(torsion \S+, Python \S+\) starting up\.", lines[0]
        )
        assert re.fullmatch(
            rf"{STAMP} {system} reactor class: torsion\.internet\.selectreactor\.SelectReactor\.",
            lines[1],
        )
        assert any(line.endswith("] Received SIGTERM, shutting down.") for line in lines)
        assert re.fullmatch(rf"{STAMP} {system} Server Shut Down\.", lines[-1])

    def test_docsTac(self, tmp_path: Path) -> None:
        """
        The .tac file of the docs runs under twistd -n (on a UNIX socket
        instead of port 8000) and echoes.
        """
        sock = tmp_path / "echo.sock"
        tac = docBlock("command-line.md", "# echo.tac")
        assert '"tcp:8000"' in tac
        (tmp_path / "echo.tac").write_text(tac.replace('"tcp:8000"', repr(f"unix:{sock}")))
        with serving(twistdCommand("-noy", "echo.tac", "--pidfile", ""), tmp_path) as server:
            waitForPath(server, sock)
            assert unixExchange(sock, b"from the docs", 13) == b"from the docs"
            assert server.stop(signal.SIGTERM) == 0
        assert server.stdout.read_text().endswith("] Server Shut Down.\n")

    def test_foregroundPlugin(self, tmp_path: Path) -> None:
        """
        twistd runs a plugin's service, logging to stdout with C{-n}; socat
        talks to it; SIGINT stops it with status 0.
        """
        socat = requireTool("socat")
        argv = twistdCommand("-n", "--pidfile", "", "echo", "--listen", "tcp:0:interface=127.0.0.1")
        with serving(argv, tmp_path) as server:
            match = waitForLine(
                server,
                server.stdout,
                STAMP + r" \[torsion\.application\.twist#info\] Echo server listening on "
                r"127\.0\.0\.1:(\d+) \(tcp:0:interface=127\.0\.0\.1\)",
            )
            out = runClientTool(
                [socat, "-t", "5", "-", f"TCP:127.0.0.1:{match.group(1)}"], b"plugin\n"
            )
            assert out == b"plugin\n"
            assert server.stop(signal.SIGINT) == 0
        assert server.stdout.read_text().endswith("] Server Shut Down.\n")
        assert sorted(os.listdir(tmp_path)) == ["stderr.txt", "stdout.txt"]

    def test_daemon(self, tmp_path: Path) -> None:
        """
        Without -n, the command returns 0 once the daemon has started; the
        pid file names the daemon (another process, in its own session,
        made with umask 077); the daemon serves; SIGTERM stops it and
        removes the pid file.
        """
        (tmp_path / "echo.tac").write_text(ECHO_TAC)
        pid, log = tmp_path / "twistd.pid", tmp_path / "twistd.log"
        done = subprocess.run(
            twistdCommand("-y", "echo.tac"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=environment(),
            check=False,
        )
        daemon = int(pid.read_text())
        try:
            assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
            assert stat.S_IMODE(pid.stat().st_mode) == 0o600
            assert os.getsid(daemon) not in (os.getsid(0), daemon)
            match = re.search(LISTENING, log.read_text(), re.MULTILINE)
            assert match, log.read_text()
            assert echoed(int(match.group(1)), b"daemon") == b"daemon"
            os.kill(daemon, signal.SIGTERM)
            assert waitForExit(daemon)
        finally:
            killIfAlive(daemon)
        assert not pid.exists()
        assert log.read_text().endswith("] Server Shut Down.\n")

    def test_daemonStartFailure(self, tmp_path: Path) -> None:
        """
        When the daemon's service fails to start, the command prints why
        and exits 1, and the pid file is gone.
        """
        with echoUpstream() as taken:
            done = failedRun(tmp_path, "echo", "--listen", f"tcp:{taken}:interface=127.0.0.1")
        assert done.stderr.startswith("twistd: the application failed to start: ")
        assert done.stderr.endswith(
            "Address already in use. (the log, 'twistd.log', has the traceback)\n"
        )
        assert not (tmp_path / "twistd.pid").exists()
        assert "failed to start; stopping." in (tmp_path / "twistd.log").read_text()

    def test_badTac(self, tmp_path: Path) -> None:
        """
        A .tac file that fails to run stops twistd with its traceback; one
        without an application, with a message saying what is missing.
        """
        (tmp_path / "broken.tac").write_text("import no_such_module_here\n")
        done = failedRun(tmp_path, "-n", "-y", "broken.tac")
        assert done.stderr.startswith("twistd: running the .tac file 'broken.tac' failed:\n")
        assert "ModuleNotFoundError: No module named 'no_such_module_here'" in done.stderr
        (tmp_path / "empty.tac").write_text("x = 1\n")
        done = failedRun(tmp_path, "-n", "-y", "empty.tac")
        assert done.stderr.startswith("twistd: 'empty.tac' defines no 'application'")
        assert not (tmp_path / "twistd.pid").exists()
