"""
Tests for L{torsion.web.wsgi.WSGIResource} serving a real Django project
(L{tests.web.djangoapp}, configured in code) on a L{Site} on 127.0.0.1
whose reactor runs in a thread, talked to with curl and C{http.client};
and the C{torsion web --wsgi} command serving a project made by
C{django-admin startproject}.
"""

from __future__ import annotations

import http.client as httpclient
import json
import logging
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import requireTool
from tests.scripts.serving import isListening, serving, torsionCommand, waitForEvent
from tests.web.test_server_support import ThreadedServer
from torsion.web.resource import Resource
from torsion.web.server import Site
from torsion.web.wsgi import WSGIResource

pytest.importorskip("django", reason="Django is a test dependency (pip install -e '.[test]')")

from tests.web import djangoapp  # imports Django

TIMEOUT = 30.0

# Django's own error pages, with DEBUG off and no templates.
NOT_FOUND = b"<h1>Not Found</h1>"
BAD_REQUEST = b"<h1>Bad Request (400)</h1>"
SERVER_ERROR = b"<h1>Server Error (500)</h1>"


def djangoSite(reactor: Any, mount: bytes | None) -> Site:
    """
    A site serving the Django project at C{/MOUNT} (or at the root with
    L{None}).
    """
    wsgi = WSGIResource(reactor, reactor.getThreadPool(), djangoapp.application())
    if mount is None:
        return Site(wsgi, reactor=reactor)
    root = Resource()
    root.putChild(mount, wsgi)
    return Site(root, reactor=reactor)


@pytest.fixture
def serveDjango() -> Iterator[Callable[[bytes | None], ThreadedServer]]:
    """
    Serve the Django project on threaded servers, stopped after the test.
    """
    servers: list[ThreadedServer] = []

    def start(mount: bytes | None) -> ThreadedServer:
        server = ThreadedServer(lambda reactor: djangoSite(reactor, mount))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def djangoServer(serveDjango: Callable[[bytes | None], ThreadedServer]) -> ThreadedServer:
    """
    The Django project served at C{/app}.
    """
    return serveDjango(b"app")


class Curled:
    """
    What curl got: the status, the headers (lower-case names, the last
    of each) and the body.
    """

    def __init__(self, output: bytes) -> None:
        head, _, self.body = output.partition(b"\r\n\r\n")
        statusLine, *lines = head.decode("latin-1").split("\r\n")
        self.status = int(statusLine.split()[1])
        self.headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()


def curl(server: ThreadedServer, path: str, *options: str) -> Curled:
    """
    Request C{path} from C{server} with curl (with C{options}), showing
    the response head.
    """
    done = subprocess.run(
        [
            requireTool("curl"),
            "-sS",
            "--include",
            *options,
            f"http://127.0.0.1:{server.portNumber}{path}",
        ],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Curled(done.stdout)


def connection(server: ThreadedServer) -> httpclient.HTTPConnection:
    """
    An C{http.client} connection to C{server}.
    """
    return httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=TIMEOUT)


class DjangoTests:
    """
    The Django project, mounted at C{/app}, to curl and C{http.client}.
    """

    def test_plainText(self, djangoServer: ThreadedServer) -> None:
        """
        A plain text view's status, headers and body reach curl; the body
        has the Content-Length that Django's CommonMiddleware set.
        """
        got = curl(djangoServer, "/app/text/")
        assert got.status == 200
        assert got.headers["content-type"] == "text/plain; charset=utf-8"
        assert got.headers["content-length"] == str(len(got.body))
        assert "transfer-encoding" not in got.headers
        assert got.body == b"Plain text from Django\n"

    def test_jsonQueryAndScriptName(self, djangoServer: ThreadedServer) -> None:
        """
        A JSON view reads a percent-encoded query parameter.  Mounted at
        C{/app}, the resource gives Django SCRIPT_NAME C{/app} and
        PATH_INFO the rest: C{request.path} is C{/app/about/},
        C{path_info} C{/about/}, and the URLs Django builds (C{reverse},
        absolute URIs) include the mount point and the Host the client
        sent.  The view ran in a thread of the reactor's pool.
        """
        got = curl(djangoServer, "/app/about/?name=a%20b%26c")
        about = json.loads(got.body)
        assert got.status == 200
        assert got.headers["content-type"] == "application/json"
        assert about["name"] == "a b&c"
        assert about["method"] == "GET"
        assert about["script_name"] == "/app"
        assert about["path"] == "/app/about/"
        assert about["path_info"] == "/about/"
        assert about["reversed"] == "/app/about/"
        host = f"127.0.0.1:{djangoServer.portNumber}"
        assert about["host"] == host
        assert about["absolute"] == f"http://{host}/app/about/?name=a%20b%26c"
        assert about["secure"] is False
        assert about["thread"].startswith("torsion.reactor-worker-")

    def test_utf8Query(self, djangoServer: ThreadedServer) -> None:
        """
        A query parameter holding percent-encoded UTF-8 (C{J%C3%BCrgen})
        reaches the view as text.
        """
        got = curl(djangoServer, "/app/about/?name=J%C3%BCrgen")
        assert got.status == 200
        assert json.loads(got.body)["name"] == "Jürgen"

    def test_utf8Form(self, djangoServer: ThreadedServer) -> None:
        """
        A form POST holding percent-encoded UTF-8 (what a browser sends
        for C{café}) reaches the view's C{request.POST} as text.
        """
        got = curl(djangoServer, "/app/echo/", "--data", "name=caf%C3%A9")
        assert got.status == 200
        assert json.loads(got.body)["form"] == {"name": "café"}

    def test_appendSlashRedirect(self, djangoServer: ThreadedServer) -> None:
        """
        CommonMiddleware's APPEND_SLASH redirect keeps the mount point:
        C{/app/text} is sent to C{/app/text/}.
        """
        got = curl(djangoServer, "/app/text?x=1")
        assert got.status == 301
        assert got.headers["location"] == "/app/text/?x=1"

    def test_unicodePath(self, djangoServer: ThreadedServer) -> None:
        """
        A percent-encoded UTF-8 path segment, carried in PATH_INFO as
        latin-1 text (PEP 3333), is decoded by Django to the right text.
        """
        conn = connection(djangoServer)
        try:
            conn.request("GET", "/app/word/caf%C3%A9/")
            response = conn.getresponse()
            got = json.loads(response.read())
        finally:
            conn.close()
        assert response.status == 200
        assert got == {"word": "café", "path": "/app/word/café/"}

    def test_postBodyLength(self, djangoServer: ThreadedServer, tmp_path: Path) -> None:
        """
        A POST view (csrf_exempt) reads the whole body: 300 KiB from curl
        (past the size the server keeps in memory), and a few bytes from
        C{http.client}; a GET to it gets Django's 405.
        """
        upload = tmp_path / "upload.bin"
        upload.write_bytes(b"0123456789" * 30720)
        got = curl(
            djangoServer,
            "/app/echo/",
            "--data-binary",
            f"@{upload}",
            "-H",
            "Content-Type: application/octet-stream",
        )
        assert got.status == 200
        assert json.loads(got.body) == {
            "length": 307200,
            "start": "0123456789",
            "content_type": "application/octet-stream",
            "form": {},
        }
        conn = connection(djangoServer)
        try:
            conn.request("POST", "/app/echo/", body=b"a=1&b=2", headers={"Content-Type": "text/x"})
            response = conn.getresponse()
            answer = json.loads(response.read())
            conn.request("GET", "/app/echo/")
            refused = conn.getresponse()
            refused.read()
        finally:
            conn.close()
        assert response.status == 200
        assert answer == {"length": 7, "start": "a=1&b=2", "content_type": "text/x", "form": {}}
        assert refused.status == 405
        assert refused.getheader("allow") == "POST"

    def test_formPost(self, djangoServer: ThreadedServer) -> None:
        """
        A urlencoded form POSTed by curl reaches the view's
        C{request.POST}, decoded.
        """
        got = curl(djangoServer, "/app/echo/", "--data", "a=b%26c&n=1&empty=")
        assert got.status == 200
        answer = json.loads(got.body)
        assert answer["content_type"] == "application/x-www-form-urlencoded"
        assert answer["form"] == {"a": "b&c", "n": "1", "empty": ""}

    def test_streamingResponse(self, djangoServer: ThreadedServer) -> None:
        """
        A StreamingHttpResponse reaches curl whole, with no Content-Length
        and chunked: C{--raw} shows one chunk per line yielded.  Django's
        C{request_finished} signal fires, as the response's close() was
        called.
        """
        from django.core.signals import request_finished  # type: ignore[import-untyped]

        finished = threading.Event()

        def onFinished(**kwargs: Any) -> None:
            finished.set()

        request_finished.connect(onFinished)
        try:
            got = curl(djangoServer, "/app/stream/")
            raw = curl(djangoServer, "/app/stream/", "--raw")
            assert finished.wait(TIMEOUT)
        finally:
            request_finished.disconnect(onFinished)
        expected = b"".join(b"line %d\n" % i for i in range(20))
        assert got.status == 200
        assert got.headers["content-type"] == "text/plain"
        assert got.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in got.headers
        assert got.body == expected
        assert (
            raw.body
            == b"".join(b"7\r\nline %d\n\r\n" % i for i in range(10))
            + b"".join(b"8\r\nline %d\n\r\n" % i for i in range(10, 20))
            + b"0\r\n\r\n"
        )

    def test_streamingHTTP10(self, djangoServer: ThreadedServer) -> None:
        """
        To an HTTP/1.0 client the streamed response is sent unchunked,
        delimited by the end of the connection.
        """
        got = curl(djangoServer, "/app/stream/", "--http1.0", "--raw")
        assert got.status == 200
        assert "transfer-encoding" not in got.headers
        assert "content-length" not in got.headers
        assert got.body == b"".join(b"line %d\n" % i for i in range(20))

    def test_streamArrivesAsMade(self, djangoServer: ThreadedServer) -> None:
        """
        A streamed response's headers and first chunk reach the client
        while the view's generator is still waiting to make the next.
        """
        djangoapp.gate.clear()
        conn = connection(djangoServer)
        try:
            conn.request("GET", "/app/gated/")
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("transfer-encoding") == "chunked"
            assert response.read(6) == b"first|"
            assert not djangoapp.gate.is_set()
            djangoapp.gate.set()
            assert response.read() == b"second|last"
        finally:
            djangoapp.gate.set()
            conn.close()

    def test_notFound(self, djangoServer: ThreadedServer) -> None:
        """
        A path that Django's URL resolver does not know gets Django's 404
        page, from curl and from C{http.client}.
        """
        got = curl(djangoServer, "/app/nowhere/")
        assert got.status == 404
        assert got.headers["content-type"] == "text/html; charset=utf-8"
        assert NOT_FOUND in got.body
        conn = connection(djangoServer)
        try:
            conn.request("GET", "/app/text/more/")
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        assert response.status == 404
        assert NOT_FOUND in body

    def test_viewRaises(
        self,
        djangoServer: ThreadedServer,
        flushLoggedErrors: Callable[..., list[Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """
        A view that raises gets Django's 500 page, without the error's
        details; Django logs the exception to its C{django.request}
        logger, WSGIResource logs no failure (Django answered), and the
        server goes on answering.
        """
        with caplog.at_level(logging.ERROR, logger="django.request"):
            got = curl(djangoServer, "/app/boom/")
        assert got.status == 500
        assert SERVER_ERROR in got.body
        assert b"secret detail" not in got.body
        (record,) = [r for r in caplog.records if r.name == "django.request"]
        assert record.exc_info is not None
        assert record.exc_info[0] is ZeroDivisionError
        assert flushLoggedErrors() == []
        assert curl(djangoServer, "/app/text/").status == 200

    def test_disallowedHost(
        self, djangoServer: ThreadedServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """
        The Host header reaches Django as sent: a host not in
        ALLOWED_HOSTS gets Django's 400, while C{localhost} is allowed
        and is the host Django sees.
        """
        with caplog.at_level(logging.ERROR, logger="django.security.DisallowedHost"):
            got = curl(djangoServer, "/app/text/", "-H", "Host: evil.example")
        assert got.status == 400
        assert BAD_REQUEST in got.body
        (record,) = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
        assert "evil.example" in record.getMessage()
        allowed = curl(
            djangoServer, "/app/about/", "-H", f"Host: localhost:{djangoServer.portNumber}"
        )
        assert allowed.status == 200
        assert json.loads(allowed.body)["host"] == f"localhost:{djangoServer.portNumber}"

    def test_keepAliveAndHead(self, djangoServer: ThreadedServer) -> None:
        """
        Several requests follow one another on one C{http.client}
        connection, a HEAD among them: the HEAD gets the GET's headers
        (its Content-Length too) and no body, and the next response is
        read correctly after it.
        """
        conn = connection(djangoServer)
        try:
            conn.request("GET", "/app/text/")
            first = conn.getresponse()
            firstBody = first.read()
            conn.request("HEAD", "/app/text/")
            head = conn.getresponse()
            headBody = head.read()
            conn.request("GET", "/app/about/?name=again")
            last = conn.getresponse()
            lastBody = json.loads(last.read())
        finally:
            conn.close()
        assert (first.status, firstBody) == (200, b"Plain text from Django\n")
        assert (head.status, headBody) == (200, b"")
        assert head.getheader("content-length") == str(len(firstBody))
        assert head.getheader("content-type") == "text/plain; charset=utf-8"
        assert (last.status, lastBody["name"]) == (200, "again")

    def test_requestsRunTogether(self, djangoServer: ThreadedServer, tmp_path: Path) -> None:
        """
        Requests run in the pool's threads at the same time: three views
        that each wait for the two others at a barrier all answer.
        """
        djangoapp.barrier = threading.Barrier(3)
        url = f"http://127.0.0.1:{djangoServer.portNumber}/app/together/"
        outputs = [tmp_path / f"out{i}" for i in range(3)]
        arguments = [part for output in outputs for part in ("-o", str(output), url)]
        done = subprocess.run(
            [
                requireTool("curl"),
                "-sS",
                "--fail",
                "--parallel",
                "--parallel-immediate",
                *arguments,
            ],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        answers = sorted(output.read_bytes() for output in outputs)
        assert answers == [b"passed 0", b"passed 1", b"passed 2"]


def test_rootMount(serveDjango: Callable[[bytes | None], ThreadedServer]) -> None:
    """
    Served at the site's root, Django gets an empty SCRIPT_NAME and the
    whole path as PATH_INFO.
    """
    server = serveDjango(None)
    got = curl(server, "/about/")
    about = json.loads(got.body)
    assert got.status == 200
    assert about["script_name"] == ""
    assert about["path"] == about["path_info"] == about["reversed"] == "/about/"


def test_commandLineProject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """
    C{torsion web --wsgi mysite.wsgi.application} serves a project made
    by C{django-admin startproject} from PYTHONPATH, without
    DJANGO_SETTINGS_MODULE set: the project's C{wsgi.py} sets it.
    """
    requireTool("curl")
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(project)],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
    )
    (project / "mysite" / "urls.py").write_text(
        textwrap.dedent(
            """
            from django.http import HttpResponse
            from django.urls import path


            def hello(request):
                return HttpResponse(f"Hello from {request.path}", content_type="text/plain")


            urlpatterns = [path("hello/", hello)]
            """
        )
    )
    log = tmp_path / "log.json"
    argv = torsionCommand(
        "--log-format",
        "json",
        "--log-file",
        str(log),
        "web",
        "--listen",
        "tcp:0:interface=127.0.0.1",
        "--wsgi",
        "mysite.wsgi.application",
    )
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    with serving(argv, tmp_path, project) as server:
        port = waitForEvent(server, log, isListening)["port"]
        done = subprocess.run(
            [requireTool("curl"), "-sS", "--fail", f"http://127.0.0.1:{port}/hello/"],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert server.stop(signal.SIGTERM) == 0
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"Hello from /hello/"
