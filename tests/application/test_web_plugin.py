"""
Tests for the C{web} plugin of the C{torsion} command
(L{torsion.plugins.torsion_web}): option parsing in process, and the
command end to end as a subprocess, serving a directory and a WSGI
application to curl, and stopped with SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import textwrap
from pathlib import Path

import pytest
from zope.interface.verify import verifyObject

from tests.helpers import requireTool
from tests.scripts.serving import (
    TIMEOUT,
    Server,
    isListening,
    serving,
    torsionCommand,
    waitForEvent,
    waitForLine,
)
from torsion.application.service import IServiceMaker, MultiService
from torsion.application.twist import TwistOptions
from torsion.logger import LogEvent, eventsFromJSONLogFile
from torsion.plugin import IPlugin, getPlugins
from torsion.plugins import torsion_web
from torsion.python.usage import UsageError
from torsion.web.server import Site
from torsion.web.static import File


def parsed(*argv: str) -> torsion_web.Options:
    """
    Parse C{torsion ARGV} and return the C{web} plugin's options.
    """
    options = TwistOptions()
    options.parseOptions(list(argv))
    assert options.subCommand == "web"
    assert isinstance(options.subOptions, torsion_web.Options)
    return options.subOptions


class OptionsTests:
    """
    The options of C{torsion web}.
    """

    def test_plugin(self) -> None:
        """
        The plugin is found by name and provides IPlugin and IServiceMaker.
        """
        maker = torsion_web.webMaker
        assert maker.tapname == "web"
        assert maker.options is torsion_web.Options
        assert verifyObject(IServiceMaker, maker)
        assert IPlugin.providedBy(maker)
        assert "web" in {p.tapname for p in getPlugins(IServiceMaker)}

    def test_pathAndDefaultListen(self, tmp_path: Path) -> None:
        """
        C{--path DIR} alone listens on the default C{tcp:8080}.
        """
        options = parsed("web", "--path", str(tmp_path))
        assert options["path"] == str(tmp_path)
        assert options["wsgi"] is None
        assert options["listen"] == ["tcp:8080"]
        assert options["logfile"] is None

    def test_listenRepeated(self) -> None:
        """
        C{--listen} may be given more than once; C{--wsgi} names an app.
        """
        options = parsed(
            "web", "--listen", "tcp:1", "--listen", "unix:/tmp/web.sock", "--wsgi", "a.app"
        )
        assert options["listen"] == ["tcp:1", "unix:/tmp/web.sock"]
        assert options["wsgi"] == "a.app"

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ((), "got neither"),
            (("--path", ".", "--wsgi", "a.app"), "got both"),
            (("--path", "/no/such/dir"), "'/no/such/dir' is not a directory"),
            (("--wsgi", "app"), "'app' is not MODULE.APP"),
        ],
    )
    def test_usageErrors(self, argv: tuple[str, ...], message: str) -> None:
        """
        Both or neither of C{--path} and C{--wsgi}, a missing directory or
        a name without its module are usage errors that say what is wrong.
        """
        with pytest.raises(UsageError, match=message):
            parsed("web", *argv)

    def test_makeServicePath(self, tmp_path: Path) -> None:
        """
        With C{--path}, the service serves a L{File} of the directory on
        each address, with the access log in C{--logfile}.
        """
        options = parsed(
            "web",
            "--path",
            str(tmp_path),
            "--listen",
            "tcp:0",
            "--listen",
            "tcp:1",
            "--logfile",
            str(tmp_path / "access.log"),
        )
        service = torsion_web.makeService(options)
        assert isinstance(service, MultiService)
        children = list(service)
        assert len(children) == 2
        site = children[0].factory  # type: ignore[attr-defined]
        assert isinstance(site, Site)
        assert isinstance(site.resource, File)
        assert site.resource.path == str(tmp_path)
        assert site.logPath == str(tmp_path / "access.log")

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("no_such_module_here.app", "no such WSGI application: .*no_such_module_here"),
            ("os.no_such_app", "no such WSGI application"),
            ("os.sep", "not a WSGI application"),
        ],
    )
    def test_makeServiceBadApplication(self, name: str, message: str) -> None:
        """
        A C{--wsgi} name that cannot be imported, or is not callable, is a
        ValueError naming it.
        """
        options = parsed("web", "--wsgi", name)
        with pytest.raises(ValueError, match=message):
            torsion_web.makeService(options)


def listeningPort(log: Path, server: Server) -> int:
    """
    The port of the server's "listening on" event.
    """
    event: LogEvent = waitForEvent(server, log, isListening)
    port = event["port"]
    assert isinstance(port, int)
    return port


def curl(url: str) -> bytes:
    """
    What curl gets from C{url} (failing on an HTTP error).
    """
    done = subprocess.run(
        [requireTool("curl"), "-sS", "--fail", url],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class EndToEndTests:
    """
    C{python -m torsion ... web} as a subprocess.
    """

    def test_pathServesFiles(self, tmp_path: Path) -> None:
        """
        C{web --path DIR} serves the directory's files to curl, logs its
        real port and the access lines, and stops with status 0 on SIGTERM.
        """
        requireTool("curl")
        site = tmp_path / "site"
        site.mkdir()
        (site / "hello.txt").write_text("Hello from a file\n")
        log = tmp_path / "log.json"
        argv = torsionCommand(
            "--log-format",
            "json",
            "--log-file",
            str(log),
            "web",
            "--listen",
            "tcp:0:interface=127.0.0.1",
            "--path",
            str(site),
        )
        with serving(argv, tmp_path) as server:
            port = listeningPort(log, server)
            assert curl(f"http://127.0.0.1:{port}/hello.txt") == b"Hello from a file\n"
            waitForEvent(server, log, lambda e: "GET /hello.txt" in str(e.get("line", "")))
            assert server.stop(signal.SIGTERM) == 0
        assert server.stderr.read_text() == ""
        with log.open() as f:
            events = list(eventsFromJSONLogFile(f))
        (listening,) = [e for e in events if isListening(e)]
        assert listening["what"] == f"Web server for {site}"
        assert events[-1]["log_format"] == "Main loop terminated."

    def test_wsgiServesApplication(self, tmp_path: Path) -> None:
        """
        C{web --wsgi module.app} imports the application from PYTHONPATH
        and serves it to curl, with the access log in C{--logfile}.
        """
        requireTool("curl")
        (tmp_path / "mywsgiapp.py").write_text(
            textwrap.dedent(
                """
                import threading


                def app(environ, start_response):
                    start_response("200 OK", [("Content-Type", "text/plain")])
                    name = threading.current_thread().name
                    return [
                        b"path=" + environ["PATH_INFO"].encode("latin-1"),
                        b" query=" + environ["QUERY_STRING"].encode("latin-1"),
                        b" pool=" + str("torsion.reactor" in name).encode(),
                    ]
                """
            )
        )
        log, access = tmp_path / "log.json", tmp_path / "access.log"
        argv = torsionCommand(
            "--log-format",
            "json",
            "--log-file",
            str(log),
            "web",
            "--listen",
            "tcp:0:interface=127.0.0.1",
            "--wsgi",
            "mywsgiapp.app",
            "--logfile",
            str(access),
        )
        with serving(argv, tmp_path, tmp_path) as server:
            port = listeningPort(log, server)
            answer = curl(f"http://127.0.0.1:{port}/some/where?x=1")
            assert answer == b"path=/some/where query=x=1 pool=True"
            waitForLine(server, access, r'.*"GET /some/where\?x=1 HTTP/1\.1" 200 .*')
            assert server.stop(signal.SIGTERM) == 0
        assert server.stderr.read_text() == ""

    def test_wsgiMissingApplication(self, tmp_path: Path) -> None:
        """
        A C{--wsgi} application that cannot be imported stops the command
        with status 70 and a message naming it.
        """
        done = subprocess.run(
            torsionCommand("web", "--wsgi", "no_such_module_here.app"),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 70
        assert "--wsgi 'no_such_module_here.app': no such WSGI application" in done.stderr
