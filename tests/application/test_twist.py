"""
Tests for L{torsion.application.twist} (the C{torsion} command) and the
built-in plugins C{echo} and C{portforward}: option parsing in process, and
the command end to end as a subprocess, talking to it with real clients and
stopping it with signals.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from zope.interface.verify import verifyObject

from tests.helpers import requireTool
from tests.scripts.serving import (
    TORSION_SCRIPT,
    closeAll,
    docBlock,
    echoed,
    echoUpstream,
    isListening,
    runClientTool,
    serving,
    torsionCommand,
    unixExchange,
    waitForEvent,
    waitForLine,
    waitForPath,
)
from torsion.application.internet import StreamServerEndpointService
from torsion.application.service import IServiceMaker, MultiService
from torsion.application.twist import Twist, TwistOptions
from torsion.application.twist._listening import listeningService
from torsion.internet.protocol import Factory
from torsion.internet.testing import MemoryReactor, StringTransport
from torsion.logger import (
    LogEvent,
    LogLevel,
    capturedLogs,
    eventsFromJSONLogFile,
    jsonFileLogObserver,
    textFileLogObserver,
)
from torsion.plugin import IPlugin, getPlugins
from torsion.plugins import torsion_echo, torsion_portforward
from torsion.protocols.portforward import ProxyFactory
from torsion.python.usage import UsageError


def parsed(*argv: str) -> TwistOptions:
    """
    Parse C{argv} with L{TwistOptions}.
    """
    options = TwistOptions()
    options.parseOptions(list(argv))
    return options


class TwistOptionsTests:
    """
    The command line of the C{torsion} command.
    """

    def test_defaults(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        With only a plugin: the default reactor, stdout as the log (JSON,
        since it is not a terminal), level info, no pid file.
        """
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        options = parsed("echo")
        assert options.subCommand == "echo"
        assert options["reactor"] == "default"
        assert options["logFile"] is out
        assert options["log-format"] == "json"
        assert options["fileLogObserverFactory"] is jsonFileLogObserver
        assert options["log-level"] is LogLevel.info
        assert options["pidfile"] is None

    def test_reactor(self) -> None:
        """
        --reactor takes any name the platform has.
        """
        for name in ("select", "poll", "epoll", "default"):
            assert parsed("--reactor", name, "echo")["reactor"] == name

    def test_unknownReactor(self) -> None:
        """
        An unknown reactor is refused, listing the names there are.
        """
        with pytest.raises(
            UsageError,
            match=r"^unknown reactor 'kqueue'; choose one of: default, epoll, poll, select$",
        ):
            parsed("--reactor=kqueue", "echo")

    def test_logFilePath(self, tmp_path: Path) -> None:
        """
        --log-file opens the file for appending.
        """
        path = tmp_path / "log.txt"
        path.write_text("before\n")
        options = parsed("--log-file", str(path), "echo")
        try:
            options["logFile"].write("after\n")
        finally:
            closeAll(options["logFile"])
        assert path.read_text() == "before\nafter\n"
        assert options["log-file"] == str(path)

    def test_logFileStandardStreams(self) -> None:
        """
        --log-file - is stdout and --log-file + is stderr.
        """
        assert parsed("--log-file", "-", "echo")["logFile"] is sys.stdout
        assert parsed("--log-file", "+", "echo")["logFile"] is sys.stderr

    def test_logFileUnwritable(self, tmp_path: Path) -> None:
        """
        A log file that cannot be opened is a usage error saying why.
        """
        missing = tmp_path / "no" / "log.txt"
        with pytest.raises(
            UsageError,
            match=rf"^cannot open the log file '{re.escape(str(missing))}': No such file or "
            r"directory; give a path you can write to, or - for standard output$",
        ):
            parsed("--log-file", str(missing), "echo")

    def test_logFormat(self) -> None:
        """
        --log-format chooses the text or JSON observer.
        """
        assert parsed("--log-format", "text", "echo")["fileLogObserverFactory"] is (
            textFileLogObserver
        )
        assert parsed("--log-format", "json", "echo")["fileLogObserverFactory"] is (
            jsonFileLogObserver
        )

    def test_logFormatDefaultTerminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without --log-format, a log file that is a terminal gets text.
        """

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        monkeypatch.setattr(sys, "stdout", Terminal())
        assert parsed("echo")["log-format"] == "text"

    def test_badLogFormat(self) -> None:
        """
        A log format other than text and json is refused.
        """
        with pytest.raises(UsageError, match=r"^invalid log format 'xml'; choose text or json$"):
            parsed("--log-format", "xml", "echo")

    def test_logLevel(self) -> None:
        """
        --log-level takes a level's name.
        """
        for level in LogLevel.iterconstants():
            assert parsed("--log-level", level.name, "echo")["log-level"] is level

    def test_badLogLevel(self) -> None:
        """
        An unknown log level is refused, listing the levels.
        """
        with pytest.raises(
            UsageError,
            match=r"^invalid log level 'loud'; choose one of: debug, info, warn, error, "
            r"critical$",
        ):
            parsed("--log-level", "loud", "echo")

    def test_pidfile(self) -> None:
        """
        --pidfile records the path.
        """
        assert parsed("--pidfile", "x.pid", "echo")["pidfile"] == "x.pid"

    def test_noPlugin(self) -> None:
        """
        A command line without a plugin is refused, naming the plugins.
        """
        with pytest.raises(UsageError, match=r"^no plugin given; name one of: echo, portforward"):
            parsed("--log-level", "warn")

    def test_unknownPlugin(self) -> None:
        """
        An unknown plugin is refused, naming the plugins.
        """
        with pytest.raises(
            UsageError, match=r"^Unknown command: 'ehco'; the commands are echo, portforward"
        ):
            parsed("ehco")

    def test_pluginOptions(self) -> None:
        """
        What follows the plugin's name is parsed by the plugin's options.
        """
        options = parsed("echo", "--listen", "tcp:1", "--listen", "unix:/tmp/x")
        assert isinstance(options.subOptions, torsion_echo.Options)
        assert options.subOptions["listen"] == ["tcp:1", "unix:/tmp/x"]

    def test_subcommandsArePlugins(self) -> None:
        """
        The subcommands are the IServiceMaker plugins, sorted by name, and
        each declares IPlugin too.
        """
        options = TwistOptions()
        names = [entry[0] for entry in options.subCommands]
        assert names == sorted(names)
        assert {"echo", "portforward"} <= set(names)
        for maker in getPlugins(IServiceMaker):
            assert IPlugin.providedBy(maker)
            assert verifyObject(IServiceMaker, maker)

    def test_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        --help shows the usage, the options and the plugins.
        """
        with pytest.raises(SystemExit) as exited:
            parsed("--help")
        assert exited.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("Usage: torsion [options] plugin [plugin_options]\n")
        for word in ("--reactor=", "--log-file=", "--log-format=", "--log-level=", "--pidfile="):
            assert word in out
        assert re.search(r"^  echo +An echo server", out, re.MULTILINE)

    def test_pluginHelp(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        PLUGIN --help shows the plugin's options under its own usage line.
        """
        with pytest.raises(SystemExit):
            parsed("portforward", "--help")
        out = capsys.readouterr().out
        assert out.startswith("Usage: torsion [options] portforward [--listen DESCRIPTION]")
        assert "--dest-host=" in out


class TwistMainTests:
    """
    L{Twist.main} before anything runs: command-line errors.
    """

    def test_usageError(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        A wrong command line prints the error and the usage on stderr, and
        exits with EX_USAGE (64), as twist does.
        """
        with pytest.raises(SystemExit) as exited:
            Twist.main(["torsion", "--reactor", "nope", "echo"])
        assert exited.value.code == 64
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("Error: unknown reactor 'nope'; choose one of: ")
        assert "\n\nUsage: torsion [options] plugin [plugin_options]\n" in captured.err

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        --version prints the version and exits 0.
        """
        with pytest.raises(SystemExit) as exited:
            Twist.main(["torsion", "--version"])
        assert exited.value.code == 0
        assert capsys.readouterr().out.startswith("torsion ")


class EchoPluginTests:
    """
    The C{echo} plugin.
    """

    def test_plugin(self) -> None:
        """
        The plugin object provides IPlugin and IServiceMaker and names the
        module's options.
        """
        maker = torsion_echo.echoMaker
        assert verifyObject(IPlugin, maker)
        assert verifyObject(IServiceMaker, maker)
        assert maker.tapname == "echo"
        assert maker.options is torsion_echo.Options

    def test_defaultListen(self) -> None:
        """
        Without --listen, the server listens on tcp:8000.
        """
        options = torsion_echo.Options()
        options.parseOptions([])
        assert options["listen"] == ["tcp:8000"]

    def test_echo(self) -> None:
        """
        The protocol writes back what it receives.
        """
        protocol = torsion_echo.Echo()
        transport = StringTransport()
        protocol.makeConnection(transport)
        protocol.dataReceived(b"hello")
        protocol.dataReceived(b" again")
        assert transport.value() == b"hello again"

    def test_makeService(self) -> None:
        """
        The service listens on each description with an echo factory.
        """
        options = torsion_echo.Options()
        options.parseOptions(["--listen", "tcp:0", "--listen", "tcp:1"])
        service = torsion_echo.makeService(options)
        assert isinstance(service, MultiService)
        children = list(service)
        assert len(children) == 2
        for child in children:
            assert isinstance(child, StreamServerEndpointService)
            assert isinstance(child.factory, Factory)
            assert child.factory.protocol is torsion_echo.Echo

    def test_badDescription(self) -> None:
        """
        A wrong description is a ValueError from makeService, saying why.
        """
        options = torsion_echo.Options()
        options.parseOptions(["--listen", "bogus:1"])
        with pytest.raises(ValueError, match="unknown endpoint type 'bogus'"):
            torsion_echo.makeService(options)


class PortforwardPluginTests:
    """
    The C{portforward} plugin.
    """

    def test_plugin(self) -> None:
        """
        The plugin object provides IPlugin and IServiceMaker.
        """
        maker = torsion_portforward.portforwardMaker
        assert verifyObject(IPlugin, maker)
        assert verifyObject(IServiceMaker, maker)
        assert maker.tapname == "portforward"

    def test_defaults(self) -> None:
        """
        The defaults are Twisted's: listen on tcp:6666, forward to
        localhost:6665.
        """
        options = torsion_portforward.Options()
        options.parseOptions([])
        assert (options["listen"], options["dest-host"], options["dest-port"]) == (
            ["tcp:6666"],
            "localhost",
            6665,
        )

    def test_options(self) -> None:
        """
        --listen (repeatable), --dest-host and --dest-port set where to
        listen and where to forward.
        """
        options = torsion_portforward.Options()
        options.parseOptions(
            ["--listen", "tcp:1", "--listen", "tcp:2", "--dest-host", "h", "--dest-port", "7"]
        )
        assert (options["listen"], options["dest-host"], options["dest-port"]) == (
            ["tcp:1", "tcp:2"],
            "h",
            7,
        )

    def test_twistedSpelling(self) -> None:
        """
        Twisted's option names work too: -p/--port, -h/--host,
        -d/--dest_port.
        """
        options = torsion_portforward.Options()
        options.parseOptions(["-p", "tcp:1", "--port", "tcp:2", "-h", "h", "--dest_port", "7"])
        assert (options["listen"], options["dest-host"], options["dest-port"]) == (
            ["tcp:1", "tcp:2"],
            "h",
            7,
        )
        options = torsion_portforward.Options()
        options.parseOptions(["--host", "g", "-d", "8"])
        assert (options["dest-host"], options["dest-port"]) == ("g", 8)

    def test_badDestPort(self) -> None:
        """
        Destination port 0, or one out of range, is refused.
        """
        with pytest.raises(UsageError, match=r"^--dest-port must be a port from 1 to 65535"):
            torsion_portforward.Options().parseOptions(["--dest-port", "0"])
        with pytest.raises(UsageError, match=r"^invalid value '70000' for --dest-port"):
            torsion_portforward.Options().parseOptions(["--dest-port", "70000"])

    def test_makeService(self) -> None:
        """
        The service listens with a ProxyFactory for the destination.
        """
        options = torsion_portforward.Options()
        options.parseOptions(["--listen", "tcp:0", "--dest-host", "h", "--dest-port", "7"])
        service = torsion_portforward.makeService(options)
        assert isinstance(service, MultiService)
        (child,) = list(service)
        assert isinstance(child, StreamServerEndpointService)
        assert isinstance(child.factory, ProxyFactory)
        assert (child.factory.host, child.factory.port) == ("h", 7)


def test_listeningServiceLogsAddress() -> None:
    """
    Once listening, each address is logged with its real host and port and
    the description it came from.
    """
    reactor = MemoryReactor()
    service = listeningService(
        ["tcp:0:interface=127.0.0.1"], Factory(), "Test server", reactor=reactor
    )
    with capturedLogs() as events:
        service.privilegedStartService()
        service.startService()
    (listening,) = [e for e in events if "listening on" in e["log_format"]]
    assert listening["what"] == "Test server"
    assert listening["description"] == "tcp:0:interface=127.0.0.1"
    assert listening["host"] == "127.0.0.1"
    assert isinstance(listening["port"], int)
    assert listening["address"] == f"127.0.0.1:{listening['port']}"
    assert reactor.tcpServers


# -- end to end ---------------------------------------------------------------


def messages(path: Path) -> list[str]:
    """
    The log formats of the events in a JSON log file, in order.
    """
    with path.open() as f:
        return [str(event.get("log_format")) for event in eventsFromJSONLogFile(f)]


def listeningPort(event: LogEvent) -> int:
    """
    The port of a "listening on" event.
    """
    port = event["port"]
    assert isinstance(port, int)
    return port


class EndToEndTests:
    """
    The C{torsion} command as a subprocess, on real sockets.
    """

    def test_echoStopsCleanlyOnSIGTERM(self, tmp_path: Path) -> None:
        """
        C{torsion --log-format json --log-file F --pidfile P echo --listen
        tcp:0:...} serves, holds the pid file, and on SIGTERM stops with
        status 0, removing the pid file; the JSON log has the start, the
        listening and the stop lines.
        """
        log, pid = tmp_path / "log.json", tmp_path / "torsion.pid"
        argv = torsionCommand(
            "--log-format=json",
            "--log-file",
            str(log),
            "--pidfile",
            str(pid),
            "echo",
            "--listen",
            "tcp:0:interface=127.0.0.1",
        )
        with serving(argv, tmp_path) as server:
            port = listeningPort(waitForEvent(server, log, isListening))
            assert pid.read_text() == f"{server.process.pid}\n"
            assert echoed(port, b"hello, torsion") == b"hello, torsion"
            assert server.stop(signal.SIGTERM) == 0
        assert not pid.exists()
        assert server.stderr.read_text() == ""
        assert server.stdout.read_text() == ""
        said = messages(log)
        assert said[0] == "Starting reactor..."
        assert "{what} listening on {address} ({description})" in said
        assert said.index("Received {signal}, shutting down.") < len(said) - 1
        assert said[-1] == "Main loop terminated."
        with log.open() as f:
            (received,) = [e for e in eventsFromJSONLogFile(f) if "signal" in e]
        assert received["signal"] == "SIGTERM"

        # The docs' script that reads a JSON log finds the port in it.
        reader = tmp_path / "reader.py"
        reader.write_text(docBlock("command-line.md", "import sys"))
        done = subprocess.run(
            [sys.executable, str(reader), str(log)], capture_output=True, text=True, check=True
        )
        assert f"Echo server got port {port}\n" in done.stdout
        assert "Starting reactor...\n" in done.stdout

    def test_consoleScriptStopsCleanlyOnSIGINT(self, tmp_path: Path) -> None:
        """
        The console script, with C{--reactor poll}, serves a real client
        (nc) and stops with status 0 on SIGINT.
        """
        nc = requireTool("nc")
        log = tmp_path / "log.json"
        argv = [
            str(TORSION_SCRIPT),
            "--reactor",
            "poll",
            "--log-format",
            "json",
            "--log-file",
            str(log),
            "echo",
            "--listen",
            "tcp:0:interface=127.0.0.1",
        ]
        with serving(argv, tmp_path) as server:
            port = listeningPort(waitForEvent(server, log, isListening))
            assert runClientTool([nc, "-N", "127.0.0.1", str(port)], b"via nc\n") == b"via nc\n"
            assert server.stop(signal.SIGINT) == 0
        assert server.stderr.read_text() == ""
        with log.open() as f:
            events = list(eventsFromJSONLogFile(f))
        assert events[0]["log_format"] == "Starting reactor..."
        assert events[0]["reactorClass"] == "torsion.internet.pollreactor.PollReactor"
        assert [e.get("signal") for e in events if "signal" in e] == ["SIGINT"]
        assert events[-1]["log_format"] == "Main loop terminated."

    def test_socatClientAndTextLog(self, tmp_path: Path) -> None:
        """
        With a text log, the lines look like twist's; socat talks to the
        server.
        """
        socat = requireTool("socat")
        log = tmp_path / "log.txt"
        argv = torsionCommand(
            "--log-format",
            "text",
            "--log-file",
            str(log),
            "echo",
            "--listen",
            "tcp:0:interface=127.0.0.1",
        )
        with serving(argv, tmp_path) as server:
            match = waitForLine(
                server,
                log,
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \[torsion\.application\.twist#info\] "
                r"Echo server listening on 127\.0\.0\.1:(\d+) \(tcp:0:interface=127\.0\.0\.1\)",
            )
            port = int(match.group(1))
            out = runClientTool([socat, "-t", "5", "-", f"TCP:127.0.0.1:{port}"], b"via socat\n")
            assert out == b"via socat\n"
            assert server.stop(signal.SIGTERM) == 0
        assert log.read_text().endswith("#info] Main loop terminated.\n")

    def test_portforward(self, tmp_path: Path) -> None:
        """
        C{torsion portforward} relays a client's data to the destination and
        back.
        """
        log = tmp_path / "log.json"
        with echoUpstream() as upstream:
            argv = torsionCommand(
                "--log-file",
                str(log),
                "portforward",
                "--listen",
                "tcp:0:interface=127.0.0.1",
                "--dest-host",
                "127.0.0.1",
                "--dest-port",
                str(upstream),
            )
            with serving(argv, tmp_path) as server:
                event = waitForEvent(server, log, isListening)
                assert event["what"] == f"Port forwarder to 127.0.0.1:{upstream}"
                payload = os.urandom(200_000)
                assert echoed(listeningPort(event), payload) == payload
                assert server.stop(signal.SIGTERM) == 0
        assert server.stderr.read_text() == ""

    def test_pidFileHeldByLiveProcess(self, tmp_path: Path) -> None:
        """
        A pid file naming a live process stops the command before it
        starts: status 78 (EX_CONFIG, as twist), a message naming the pid
        and the file, the file untouched, nothing logged.
        """
        pid, log = tmp_path / "held.pid", tmp_path / "log.json"
        pid.write_text(f"{os.getpid()}\n")
        argv = torsionCommand(
            "--log-file", str(log), "--pidfile", str(pid), "echo", "--listen", "tcp:0"
        )
        with serving(argv, tmp_path) as server:
            assert server.process.wait(timeout=30) == 78
        assert server.stderr.read_text() == (
            f"torsion: the pid file '{pid}' names process {os.getpid()}, which is running: "
            f"another instance seems to be running already; stop it first, or use another "
            f"pid file (if process {os.getpid()} is not an instance of this server, remove "
            f"'{pid}')\n"
        )
        assert pid.read_text() == f"{os.getpid()}\n"
        assert log.read_text() == ""

    def test_startFailure(self, tmp_path: Path) -> None:
        """
        A port that is taken stops the command with status 70 and a message
        on stderr; the log has the traceback and the stop line.
        """
        log = tmp_path / "log.json"
        with echoUpstream() as taken:
            argv = torsionCommand(
                "--log-file", str(log), "echo", "--listen", f"tcp:{taken}:interface=127.0.0.1"
            )
            with serving(argv, tmp_path) as server:
                assert server.process.wait(timeout=30) == 70
        err = server.stderr.read_text()
        assert err.startswith(
            "torsion: the service failed to start: CannotListenError: Couldn't listen on "
        )
        assert err.endswith("Address already in use. (the log has the traceback)\n")
        with log.open() as f:
            events = list(eventsFromJSONLogFile(f))
        assert [e["log_level"] for e in events if "log_failure" in e] == [LogLevel.critical]
        assert events[-1]["log_format"] == "Main loop terminated."

    def test_docsPlugin(self, tmp_path: Path) -> None:
        """
        The plugin of the docs, dropped into a C{torsion/plugins} directory
        on the path, is a subcommand: listed in C{--help}, and it runs.
        """
        plugins = tmp_path / "myproject" / "torsion" / "plugins"
        plugins.mkdir(parents=True)
        block = docBlock("command-line.md", "# myproject/torsion/plugins/myproject_greeter.py")
        (plugins / "myproject_greeter.py").write_text(block)
        with serving(torsionCommand("--help"), tmp_path, tmp_path / "myproject") as server:
            assert server.process.wait(timeout=30) == 0
        assert re.search(r"^  greeter +Says hello and hangs up\.$", server.stdout.read_text(), re.M)
        sock = tmp_path / "greeter.sock"
        argv = torsionCommand("greeter", "-g", "hi there", "--listen", f"unix:{sock}")
        with serving(argv, tmp_path, tmp_path / "myproject") as server:
            waitForPath(server, sock)
            assert unixExchange(sock, b"") == b"hi there\n"
            assert server.stop(signal.SIGTERM) == 0
        assert server.stderr.read_text() == ""

    def test_badDescription(self, tmp_path: Path) -> None:
        """
        A wrong endpoint description stops the command before it starts,
        with status 70 and the reason.
        """
        with serving(torsionCommand("echo", "--listen", "bogus:1"), tmp_path) as server:
            assert server.process.wait(timeout=30) == 70
        assert server.stderr.read_text().startswith(
            "torsion: the 'echo' plugin could not make its service: bad server endpoint "
            "description 'bogus:1': unknown endpoint type 'bogus'"
        )
