"""
Tests for L{torsion.web.wsgi.WSGIResource}: WSGI applications (a bare one
and Flask) served on a real L{Site} on 127.0.0.1, whose reactor runs in a
thread, talked to with C{http.client}, raw sockets and curl.
"""

from __future__ import annotations

import http.client as httpclient
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.helpers import requireTool
from tests.web.test_server_support import (
    ThreadedServer,
    httpsRequest,
    recvAll,
    recvUntil,
    serveTLS,
)
from torsion.logger import LogEvent, capturedLogs, globalLogPublisher
from torsion.web import _wsgi
from torsion.web.iweb import IResource
from torsion.web.resource import Resource
from torsion.web.server import Site
from torsion.web.wsgi import WSGIResource

TIMEOUT = 30.0

Environ = dict[str, Any]
StartResponse = Callable[..., Callable[[bytes], None]]
App = Callable[[Environ, StartResponse], Any]


def wsgiSite(reactor: Any, app: App, mount: bytes | None = b"app") -> Site:
    """
    A site serving C{app} at C{/MOUNT} (or at the root with L{None}).
    """
    wsgi = WSGIResource(reactor, reactor.getThreadPool(), app)
    if mount is None:
        return Site(wsgi, reactor=reactor)
    root = Resource()
    root.putChild(mount, wsgi)
    return Site(root, reactor=reactor)


@pytest.fixture
def serveApp() -> Iterator[Callable[..., ThreadedServer]]:
    """
    Serve WSGI applications on threaded servers, stopped after the test.
    """
    servers: list[ThreadedServer] = []

    def start(app: App, mount: bytes | None = b"app") -> ThreadedServer:
        server = ThreadedServer(lambda reactor: wsgiSite(reactor, app, mount))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def request(
    server: ThreadedServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, str], bytes]:
    """
    Make one request with C{http.client}.

    @return: The status, reason, headers (lower-case names) and body.
    """
    conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        found = {name.lower(): value for name, value in response.getheaders()}
        return response.status, response.reason, found, data
    finally:
        conn.close()


def environApp(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """
    Answer with the environ's strings and a few other values, as JSON.
    """
    shown: dict[str, Any] = {k: v for k, v in environ.items() if isinstance(v, (str, bool))}
    shown["wsgi.version"] = list(environ["wsgi.version"])
    shown["body"] = environ["wsgi.input"].read().decode("latin-1")
    shown["more"] = environ["wsgi.input"].read().decode("latin-1")
    data = json.dumps(shown).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]


class EnvironTests:
    """
    The environ an application is called with.
    """

    def test_getWithQuery(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        A GET below the mount point: SCRIPT_NAME is the mount point,
        PATH_INFO the rest, QUERY_STRING the query; the server's name,
        port and protocol and the WSGI keys are PEP 3333's.
        """
        server = serveApp(environApp)
        status, _, headers, body = request(
            server, "GET", "/app/a/b?x=1&y=%20", headers={"X-Custom": "yes"}
        )
        environ = json.loads(body)
        assert status == 200
        assert headers["content-type"] == "application/json"
        assert environ["REQUEST_METHOD"] == "GET"
        assert environ["SCRIPT_NAME"] == "/app"
        assert environ["PATH_INFO"] == "/a/b"
        assert environ["QUERY_STRING"] == "x=1&y=%20"
        assert environ["SERVER_NAME"] == "127.0.0.1"
        assert environ["SERVER_PORT"] == str(server.portNumber)
        assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
        assert environ["REMOTE_ADDR"] == "127.0.0.1"
        assert environ["HTTP_X_CUSTOM"] == "yes"
        assert environ["HTTP_HOST"] == f"127.0.0.1:{server.portNumber}"
        assert environ["CONTENT_TYPE"] == ""
        assert environ["CONTENT_LENGTH"] == ""
        assert environ["wsgi.url_scheme"] == "http"
        assert environ["wsgi.version"] == [1, 0]
        assert environ["wsgi.multithread"] is True
        assert environ["wsgi.multiprocess"] is False
        assert environ["wsgi.run_once"] is False
        assert environ["body"] == ""

    def test_rootMount(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        At the root of the site SCRIPT_NAME is empty; C{/} gives PATH_INFO
        C{"/"} (the path's one segment is empty).
        """
        server = serveApp(environApp, None)
        environ = json.loads(request(server, "GET", "/x/y")[3])
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/x/y")
        environ = json.loads(request(server, "GET", "/")[3])
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/")

    def test_unicodePathInfo(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        PATH_INFO is percent-decoded, and its bytes are carried as latin-1
        text (PEP 3333): UTF-8 C{é} arrives as C{"Ã©"}.
        """
        server = serveApp(environApp)
        environ = json.loads(request(server, "GET", "/app/caf%C3%A9/%2F")[3])
        assert environ["PATH_INFO"] == "/café//".encode().decode("latin-1")
        assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/café//"

    def test_postBody(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        wsgi.input reads the body, and nothing past it; CONTENT_TYPE and
        CONTENT_LENGTH are set and not repeated as HTTP_ variables.
        """
        server = serveApp(environApp)
        status, _, _, body = request(
            server, "POST", "/app", body=b"a=1&b=2", headers={"Content-Type": "text/plain"}
        )
        environ = json.loads(body)
        assert status == 200
        assert environ["body"] == "a=1&b=2"
        assert environ["more"] == ""
        assert environ["CONTENT_TYPE"] == "text/plain"
        assert environ["CONTENT_LENGTH"] == "7"
        assert "HTTP_CONTENT_TYPE" not in environ
        assert "HTTP_CONTENT_LENGTH" not in environ

    def test_chunkedBodyLength(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        A chunked request body (no Content-Length) is read whole first, so
        CONTENT_LENGTH says its size and wsgi.input_terminated is true.
        """
        server = serveApp(environApp)
        with server.connect() as sock:
            sock.sendall(
                b"POST /app HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
            )
            answer = recvAll(sock)
        environ = json.loads(answer.partition(b"\r\n\r\n")[2])
        assert environ["body"] == "abcde"
        assert environ["CONTENT_LENGTH"] == "5"
        assert environ["wsgi.input_terminated"] is True

    def test_underscoreHeadersDropped(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        A header whose name has an underscore is left out: it could pose as
        the dashed one, since both map to the same HTTP_ variable.
        """
        server = serveApp(environApp)
        with server.connect() as sock:
            sock.sendall(
                b"GET /app HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX_User: admin\r\n\r\n"
            )
            answer = recvAll(sock)
        environ = json.loads(answer.partition(b"\r\n\r\n")[2])
        assert "HTTP_X_USER" not in environ
        assert environ["HTTP_HOST"] == "x"
        assert environ["SERVER_NAME"] == "x"

    def test_inputStreamReads(self) -> None:
        """
        wsgi.input's read, readline, readlines and iteration stop at the
        length given, whatever follows in the file.
        """
        from io import BytesIO

        stream = _wsgi._InputStream(BytesIO(b"one\ntwo\nthree\nEXTRA"), 14)
        assert stream.readline() == b"one\n"
        assert stream.read(2) == b"tw"
        assert stream.readlines() == [b"o\n", b"three\n"]
        assert stream.read() == b""
        stream = _wsgi._InputStream(BytesIO(b"a\nb\nc\n"), 6)
        assert stream.readlines(1) == [b"a\n"]
        assert list(stream) == [b"b\n", b"c\n"]
        assert stream.readline(5) == b""

    def test_errorsStreamLogs(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        Text written to wsgi.errors is logged by the C{torsion.web.wsgi}
        logger; bytes are refused.
        """
        refused: list[Exception] = []

        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            errors = environ["wsgi.errors"]
            errors.write("something odd\n")
            errors.writelines(["one", "two"])
            errors.flush()
            try:
                errors.write(b"bytes")
            except TypeError as e:
                refused.append(e)
            start_response("204 No Content", [])
            return []

        server = serveApp(app)
        with capturedLogs() as events:
            assert request(server, "GET", "/app")[0] == 204
        texts = [e["text"] for e in events if e.get("log_namespace") == "torsion.web.wsgi"]
        assert texts == ["something odd", "one", "two"]
        assert "decode bytes first" in str(refused[0])


class ResponseTests:
    """
    How the application's response reaches the client.
    """

    def test_wholeBodyHasLength(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        A one-element list gets a Content-Length; an empty body gets
        C{Content-Length: 0}; the status and headers are the app's.
        """

        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            if environ["PATH_INFO"] == "/empty":
                start_response("201 Made It", [("X-Thing", "1"), ("X-Thing", "2")])
                return []
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"whole"]

        server = serveApp(app)
        status, _, headers, body = request(server, "GET", "/app")
        assert (status, headers["content-length"], body) == (200, "5", b"whole")
        assert "transfer-encoding" not in headers
        with server.connect() as sock:
            sock.sendall(b"GET /app/empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head = recvAll(sock)
        assert head.startswith(b"HTTP/1.1 201 Made It\r\n")
        assert b"X-Thing: 1\r\nX-Thing: 2\r\n" in head
        assert b"Content-Length: 0\r\n" in head

    def test_writeCallable(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        The C{write} callable that start_response returns sends body bytes,
        before those of the returned iterable.
        """

        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            write = start_response("200 OK", [])
            write(b"first ")
            write(b"")
            return [b"second"]

        server = serveApp(app)
        assert request(server, "GET", "/app")[3] == b"first second"

    def test_generatorStreamsAndCloses(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        A generator's chunks are sent as they are made (the first arrives
        while the generator waits for the test), the body is whole, and the
        iterable's close() is called.
        """
        goOn = threading.Event()
        closed = threading.Event()

        class Body:
            def __iter__(self) -> Iterator[bytes]:
                yield b"first|"
                assert goOn.wait(TIMEOUT)
                for i in range(500):
                    yield b"%d," % i

            def close(self) -> None:
                closed.set()

        def app(environ: Environ, start_response: StartResponse) -> Body:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return Body()

        server = serveApp(app)
        with server.connect() as sock:
            sock.sendall(b"GET /app HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            early = recvUntil(sock, b"first|")
            assert not closed.is_set()
            goOn.set()
            answer = early + recvAll(sock)
        assert b"Transfer-Encoding: chunked\r\n" in answer
        assert answer.endswith(b"0\r\n\r\n")
        body = b"".join(answer.partition(b"\r\n\r\n")[2].split(b"\r\n")[1::2])
        assert body == b"first|" + b"".join(b"%d," % i for i in range(500))
        assert closed.wait(TIMEOUT)

    def test_slowClientPushesBack(
        self, serveApp: Callable[..., ThreadedServer], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        While the client does not read, the transport pauses the response
        and the application is not asked for more chunks: far fewer than
        all were made when it pauses.  Reading resumes it, and the body
        arrives whole.
        """
        paused = threading.Event()
        original = _wsgi._WSGIResponse.pauseProducing

        def pauseProducing(self: Any) -> None:
            original(self)
            paused.set()

        monkeypatch.setattr(_wsgi._WSGIResponse, "pauseProducing", pauseProducing)
        chunk = b"x" * 262144
        total = 128  # 32 MiB: far more than the socket buffers hold
        made: list[int] = []

        def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
            start_response("200 OK", [("Content-Length", str(len(chunk) * total))])
            for i in range(total):
                made.append(i)
                yield chunk

        server = serveApp(app)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.settimeout(TIMEOUT)
        with sock:
            sock.connect(("127.0.0.1", server.portNumber))
            sock.sendall(b"GET /app HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert paused.wait(TIMEOUT)
            assert len(made) < total // 2
            answer = recvAll(sock)
        assert len(made) == total
        assert len(answer.partition(b"\r\n\r\n")[2]) == len(chunk) * total

    def test_clientGoneStopsIteration(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        When the client goes away, the application's endless iterable is
        no longer iterated, and it is closed.
        """
        closed = threading.Event()
        made: list[int] = []

        class Endless:
            def __iter__(self) -> Iterator[bytes]:
                while True:
                    made.append(1)
                    yield b"y" * 65536

            def close(self) -> None:
                closed.set()

        def app(environ: Environ, start_response: StartResponse) -> Endless:
            start_response("200 OK", [])
            return Endless()

        server = serveApp(app)
        with server.connect() as sock:
            sock.sendall(b"GET /app HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(1024).startswith(b"HTTP/1.1 200 OK")
        # close() is called once the iteration is over, which for this
        # endless iterable means that it was stopped.
        assert closed.wait(TIMEOUT)
        count = len(made)
        assert request(server, "GET", "/nothing")[0] == 404
        assert len(made) == count

    def test_keepAliveAndPipelining(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        Several responses, streamed and whole, follow one another on one
        connection, also when the requests were sent back to back.
        """

        def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            yield environ["PATH_INFO"].encode("latin-1")
            yield b"!"

        server = serveApp(app)
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=TIMEOUT)
        try:
            for path in ("/a", "/b", "/c"):
                conn.request("GET", "/app" + path)
                assert conn.getresponse().read() == path.encode() + b"!"
        finally:
            conn.close()
        with server.connect() as sock:
            sock.sendall(
                b"GET /app/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /app/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            answer = recvAll(sock)
        assert answer.count(b"HTTP/1.1 200 OK\r\n") == 2
        assert answer.index(b"/1") < answer.index(b"/2")

    def test_head(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        A HEAD request gets the headers and no body.
        """

        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"" if environ["REQUEST_METHOD"] == "HEAD" else b"body"]

        server = serveApp(app)
        status, _, headers, body = request(server, "HEAD", "/app")
        assert (status, body) == (200, b"")
        assert headers["content-type"] == "text/plain"


def badStatus(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with a status that has no reason."""
    start_response("200", [])
    return [b"never"]


def informationalStatus(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with a 1xx status, which only the server may send."""
    start_response("101 Switching Protocols", [])
    return [b"never"]


def bytesStatus(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with a bytes status."""
    start_response(b"200 OK", [])
    return [b"never"]


def injectedHeader(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with a header value that holds CR LF."""
    start_response("200 OK", [("X-A", "1\r\nSet-Cookie: evil=1")])
    return [b"never"]


def badHeaderName(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with a header name holding a space and colon."""
    start_response("200 OK", [("Set-Cookie: evil", "1")])
    return [b"never"]


def bytesHeader(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with a bytes header."""
    start_response("200 OK", [(b"X-A", b"1")])
    return [b"never"]


def tupleHeaders(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response with headers that are not a list."""
    start_response("200 OK", (("X-A", "1"),))
    return [b"never"]


def twice(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """start_response twice, without exc_info."""
    start_response("200 OK", [])
    start_response("404 Not Found", [])
    return [b"never"]


def noStartResponse(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """Never calls start_response."""
    return [b"never"]


def textBody(environ: Environ, start_response: StartResponse) -> list[Any]:
    """Yields text instead of bytes."""
    start_response("200 OK", [])
    return ["never"]


def failing(environ: Environ, start_response: StartResponse) -> list[bytes]:
    """Raises."""
    start_response("200 OK", [("X-Leaked", "no")])
    raise ZeroDivisionError("secret detail")


class ErrorTests:
    """
    Mistakes and exceptions in the application: a 500, logged, never a
    crash or a header injection.
    """

    @pytest.mark.parametrize(
        ("app", "error"),
        [
            (badStatus, ValueError),
            (informationalStatus, ValueError),
            (bytesStatus, TypeError),
            (injectedHeader, ValueError),
            (badHeaderName, ValueError),
            (bytesHeader, TypeError),
            (tupleHeaders, TypeError),
            (twice, RuntimeError),
            (noStartResponse, RuntimeError),
            (textBody, TypeError),
            (failing, ZeroDivisionError),
        ],
    )
    def test_internalServerError(
        self,
        serveApp: Callable[..., ThreadedServer],
        flushLoggedErrors: Callable[..., list[Any]],
        app: App,
        error: type[Exception],
    ) -> None:
        """
        The client gets a plain I{500} (without the app's headers or the
        error's details) and the failure is logged with its traceback;
        the server goes on answering.
        """
        server = serveApp(app)
        status, _, headers, body = request(server, "GET", "/app")
        assert (status, body) == (500, b"Internal Server Error")
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert "set-cookie" not in headers
        assert "x-leaked" not in headers
        (failure,) = flushLoggedErrors(error)
        assert failure.getTracebackObject() is not None
        assert request(server, "GET", "/app")[0] == 500
        assert len(flushLoggedErrors(error)) == 1

    def test_failureAfterHeadersCloses(
        self,
        serveApp: Callable[..., ThreadedServer],
        flushLoggedErrors: Callable[..., list[Any]],
    ) -> None:
        """
        An exception once part of the body was sent is logged and closes
        the connection: the chunked body never gets its last chunk.
        """
        closed = threading.Event()

        class Body:
            def __iter__(self) -> Iterator[bytes]:
                yield b"partial"
                raise KeyError("late")

            def close(self) -> None:
                closed.set()

        def app(environ: Environ, start_response: StartResponse) -> Body:
            start_response("200 OK", [])
            return Body()

        server = serveApp(app)
        with server.connect() as sock:
            sock.sendall(b"GET /app HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = recvAll(sock)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"partial" in answer
        assert not answer.endswith(b"0\r\n\r\n")
        assert closed.wait(TIMEOUT)
        assert len(flushLoggedErrors(KeyError)) == 1

    def test_excInfoReplacesHeaders(self, serveApp: Callable[..., ThreadedServer]) -> None:
        """
        start_response with exc_info, before the body began, replaces the
        status and headers: the app's own error page is sent.
        """

        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            start_response("200 OK", [("X-First", "1")])
            try:
                raise ValueError("oops")
            except ValueError:
                start_response("503 Busy", [("X-Second", "2")], sys.exc_info())
            return [b"try later"]

        server = serveApp(app)
        status, reason, headers, body = request(server, "GET", "/app")
        assert (status, reason, body) == (503, "Busy", b"try later")
        assert "x-first" not in headers
        assert headers["x-second"] == "2"

    def test_excInfoAfterBodyReraises(
        self,
        serveApp: Callable[..., ThreadedServer],
        flushLoggedErrors: Callable[..., list[Any]],
    ) -> None:
        """
        start_response with exc_info once the body began re-raises the
        exception (PEP 3333): logged, and the connection is closed.
        """

        def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
            write = start_response("200 OK", [])
            write(b"begun")
            try:
                raise OSError("disk")
            except OSError:
                start_response("500 Oops", [], sys.exc_info())
            return [b"never"]

        server = serveApp(app)
        with server.connect() as sock:
            sock.sendall(b"GET /app HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = recvAll(sock)
        assert b"begun" in answer
        assert b"never" not in answer
        assert len(flushLoggedErrors(OSError)) == 1

    def test_closeFailureLogged(
        self,
        serveApp: Callable[..., ThreadedServer],
        flushLoggedErrors: Callable[..., list[Any]],
    ) -> None:
        """
        An exception from the iterable's close() is logged; the response
        was complete already.
        """
        logged = threading.Event()

        def observer(event: LogEvent) -> None:
            if event.get("log_namespace") == "torsion.web.wsgi" and "log_failure" in event:
                logged.set()

        class Body(list[bytes]):
            def close(self) -> None:
                raise LookupError("close")

        def app(environ: Environ, start_response: StartResponse) -> Body:
            start_response("200 OK", [])
            return Body([b"fine"])

        server = serveApp(app)
        globalLogPublisher.addObserver(observer)
        try:
            assert request(server, "GET", "/app")[3] == b"fine"
            assert logged.wait(TIMEOUT)
        finally:
            globalLogPublisher.removeObserver(observer)
        assert len(flushLoggedErrors(LookupError)) == 1


class ResourceTests:
    """
    WSGIResource as a resource.
    """

    def test_interface(self) -> None:
        """
        It provides IResource, is a leaf, and is named by its public module.
        """
        resource = WSGIResource(None, None, environApp)
        assert verifyObject(IResource, resource)
        assert resource.isLeaf
        assert WSGIResource.__module__ == "torsion.web.wsgi"
        assert "environApp" in repr(resource)

    def test_noChildren(self) -> None:
        """
        It has no children, and refuses to be given any.
        """
        resource = WSGIResource(None, None, environApp)
        with pytest.raises(RuntimeError, match="PATH_INFO"):
            resource.getChildWithDefault(b"x", None)
        with pytest.raises(RuntimeError, match="route 'x'"):
            resource.putChild(b"x", Resource())


class FlaskTests:
    """
    A Flask application served by WSGIResource.
    """

    @pytest.fixture
    def flaskServer(self, serveApp: Callable[..., ThreadedServer]) -> ThreadedServer:
        """
        A small Flask app at C{/app}.
        """
        import flask  # a test dependency (pyproject.toml)

        app = flask.Flask("wsgitest")

        @app.get("/hello/<name>")
        def hello(name: str) -> str:
            return f"Hello, {name}! {flask.request.args.get('q', '')}"

        @app.post("/form")
        def form() -> Any:
            return {"a": flask.request.form["a"], "script": flask.request.script_root}

        @app.post("/json")
        def echoJSON() -> Any:
            data = flask.request.get_json()
            return {"doubled": data["n"] * 2}

        @app.get("/stream")
        def stream() -> Any:
            def numbers() -> Iterator[str]:
                for i in range(100):
                    yield f"{i}\n"

            return flask.Response(numbers(), mimetype="text/plain")

        @app.get("/boom")
        def boom() -> str:
            raise ZeroDivisionError("boom")

        return serveApp(app)

    def test_getWithQuery(self, flaskServer: ThreadedServer) -> None:
        """
        A route with a unicode variable and a query answers.
        """
        status, _, headers, body = request(flaskServer, "GET", "/app/hello/J%C3%BCrgen?q=hi")
        assert status == 200
        assert body.decode("utf-8") == "Hello, Jürgen! hi"
        assert headers["content-length"] == str(len(body))

    def test_postForm(self, flaskServer: ThreadedServer) -> None:
        """
        A form POST reaches request.form; SCRIPT_NAME is Flask's
        script_root.
        """
        status, _, _, body = request(
            flaskServer,
            "POST",
            "/app/form",
            body=b"a=b%26c",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200
        assert json.loads(body) == {"a": "b&c", "script": "/app"}

    def test_postJSON(self, flaskServer: ThreadedServer) -> None:
        """
        A JSON POST reaches request.get_json().
        """
        status, _, headers, body = request(
            flaskServer,
            "POST",
            "/app/json",
            body=b'{"n": 21}',
            headers={"Content-Type": "application/json"},
        )
        assert (status, json.loads(body)) == (200, {"doubled": 42})
        assert headers["content-type"] == "application/json"

    def test_streamedResponse(self, flaskServer: ThreadedServer) -> None:
        """
        A streamed Flask response arrives whole, chunked.
        """
        status, _, headers, body = request(flaskServer, "GET", "/app/stream")
        assert status == 200
        assert headers["transfer-encoding"] == "chunked"
        assert body == "".join(f"{i}\n" for i in range(100)).encode()

    def test_notFoundAndError(
        self, flaskServer: ThreadedServer, flushLoggedErrors: Callable[..., list[Any]]
    ) -> None:
        """
        Flask's own 404 and 500 pages come through: Flask handles its
        exceptions itself, so WSGIResource logs no failure.
        """
        assert request(flaskServer, "GET", "/app/missing")[0] == 404
        assert request(flaskServer, "GET", "/app/boom")[0] == 500
        assert flushLoggedErrors() == []

    def test_curl(self, flaskServer: ThreadedServer) -> None:
        """
        curl gets, and posts JSON to, the Flask app.
        """
        curl = requireTool("curl")
        base = f"http://127.0.0.1:{flaskServer.portNumber}/app"
        got = subprocess.run(
            [curl, "-sS", "--fail", f"{base}/hello/curl?q=there"],
            capture_output=True,
            timeout=TIMEOUT,
            check=True,
        )
        assert got.stdout == b"Hello, curl! there"
        posted = subprocess.run(
            [curl, "-sS", "--fail", "--json", '{"n": 5}', f"{base}/json"],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if posted.returncode == 2:  # curl older than 7.82 lacks --json
            posted = subprocess.run(
                [
                    curl,
                    "-sS",
                    "--fail",
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    '{"n": 5}',
                    f"{base}/json",
                ],
                capture_output=True,
                timeout=TIMEOUT,
                check=True,
            )
        assert json.loads(posted.stdout) == {"doubled": 10}


def test_httpsUrlScheme() -> None:
    """
    Over TLS, wsgi.url_scheme is C{"https"}.
    """
    server, context = serveTLS(lambda reactor: wsgiSite(reactor, environApp))
    try:
        _, raw = httpsRequest(server, context, "/app/secure", timeout=TIMEOUT)
        environ = json.loads(raw)
    finally:
        server.stop()
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["PATH_INFO"] == "/secure"
