"""
Tests for C{torsion.web.proxy}: a reverse proxy (a real L{Site}) in front of
a torsion backend site, both on 127.0.0.1, talked to with C{http.client}
and raw sockets; and the forward proxy.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import RefusingPort
from tests.web.test_server_support import ThreadedServer, recvAll
from torsion.internet.testing import StringTransport
from torsion.web import proxy
from torsion.web._httpchannel import HTTPFactory
from torsion.web._proxy import endToEndHeaders
from torsion.web.proxy import (
    Proxy,
    ProxyClient,
    ProxyClientFactory,
    ProxyRequest,
    ReverseProxyResource,
)
from torsion.web.resource import Resource
from torsion.web.server import NOT_DONE_YET, Site
from torsion.web.testing import DummyRequest

TIMEOUT = 20.0
BIG = 5 * 1024 * 1024


class Echo(Resource):
    """Answers with what it received, as JSON."""

    isLeaf = True

    def render(self, request: Any) -> bytes:
        request.setHeader(b"Content-Type", b"application/json")
        request.setHeader(b"Keep-Alive", b"timeout=5")
        request.setHeader(b"Connection", b"X-Private")
        request.setHeader(b"X-Private", b"hop")
        request.setHeader(b"X-Backend", b"yes")
        request.addCookie(b"a", b"1")
        request.addCookie(b"b", b"2")
        headers = {
            name.decode().lower(): [v.decode() for v in values]
            for name, values in request.requestHeaders.getAllRawHeaders()
        }
        answer = {
            "method": request.method.decode(),
            "uri": request.uri.decode(),
            "body": request.content.read().decode(),
            "headers": headers,
        }
        return json.dumps(answer).encode()


class Big(Resource):
    """A 5 MiB body: whole (with a Content-Length), or written later in pieces (chunked)."""

    isLeaf = True

    def __init__(self, reactor: Any) -> None:
        super().__init__()
        self.reactor = reactor

    def render_GET(self, request: Any) -> Any:
        data = bytes(range(256)) * (BIG // 256)
        if request.args.get(b"mode") == [b"whole"]:
            # (Over 64 KiB, the server sends a body chunked unless told its length.)
            request.setHeader(b"Content-Length", b"%d" % len(data))
            return data
        pieces = [data[i : i + 65536] for i in range(0, len(data), 65536)]

        def more() -> None:
            if pieces:
                request.write(pieces.pop(0))
                self.reactor.callLater(0, more)
            else:
                request.finish()

        self.reactor.callLater(0, more)
        return NOT_DONE_YET


class Hang(Resource):
    """Never answers; records when its client goes away."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.gone = threading.Event()

    def render_GET(self, request: Any) -> Any:
        request.notifyFinish().addErrback(lambda reason: self.gone.set())
        self.arrived.set()
        return NOT_DONE_YET


class Fixture:
    """A backend site and a reverse proxy site in front of it, on one reactor thread."""

    def __init__(self) -> None:
        self.hang = Hang()
        backendRoot = Resource()
        backendRoot.putChild(b"echo", Echo())
        backendRoot.putChild(b"hang", self.hang)
        self.backendRoot = backendRoot
        self.server = ThreadedServer(self._backend)
        self.reactor = self.server.reactor
        proxyRoot = Resource()
        proxyRoot.putChild(
            b"app", ReverseProxyResource("127.0.0.1", self.server.portNumber, b"", self.reactor)
        )
        self.refusing = RefusingPort()
        proxyRoot.putChild(
            b"down", ReverseProxyResource("127.0.0.1", self.refusing.port, b"", self.reactor)
        )
        self.proxyPort = self.server.call(
            self.reactor.listenTCP, 0, Site(proxyRoot, reactor=self.reactor), interface="127.0.0.1"
        )
        self.port: int = self.proxyPort.getHost().port

    def _backend(self, reactor: Any) -> Site:
        self.backendRoot.putChild(b"big", Big(reactor))
        return Site(self.backendRoot, reactor=reactor)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request through the proxy: the response and its body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response, data

    def stop(self) -> None:
        self.server.call(self.proxyPort.stopListening)
        self.server.stop()
        self.refusing.close()


def lengths(response: http.client.HTTPResponse) -> set[str]:
    """
    The distinct Content-Length values of C{response}.  (The server sends a
    length the resource set twice: see L{test_contentLengthOnce}.)
    """
    return {value.strip() for value in (response.getheader("Content-Length") or "").split(",")}


def test_contentLengthOnce() -> None:
    """A Content-Length set by a resource is sent once."""

    class Sized(Resource):
        isLeaf = True

        def render_GET(self, request: Any) -> bytes:
            request.setHeader(b"Content-Length", b"2")
            return b"hi"

    channel = Site(Sized()).buildProtocol(None)
    transport = StringTransport()
    channel.makeConnection(transport)
    channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert transport.value().count(b"Content-Length") == 1


@pytest.fixture
def proxied() -> Iterator[Fixture]:
    """The backend and the proxy, stopped after the test."""
    fixture = Fixture()
    yield fixture
    fixture.stop()


class ReverseProxyTests:
    """The reverse proxy over real sockets."""

    def test_getWithQuery(self, proxied: Fixture) -> None:
        """
        A GET is forwarded with its path (under the proxy's mount point) and
        query, and the backend's status, headers and body come back.
        """
        response, body = proxied.request("GET", "/app/echo/x%20y?a=1&b=two")
        answer = json.loads(body)
        assert response.status == 200
        assert answer["method"] == "GET"
        assert answer["uri"] == "/echo/x%20y?a=1&b=two"
        assert response.getheader("X-Backend") == "yes"
        assert response.getheader("Content-Type") == "application/json"
        assert response.msg.get_all("Set-Cookie") == ["a=1", "b=2"]

    def test_hostRewritten(self, proxied: Fixture) -> None:
        """The backend sees its own host and port in I{Host}, not the proxy's."""
        _, body = proxied.request("GET", "/app/echo", headers={"Host": "public.example"})
        headers = json.loads(body)["headers"]
        assert headers["host"] == [f"127.0.0.1:{proxied.server.portNumber}"]

    def test_hopByHopNotForwarded(self, proxied: Fixture) -> None:
        """
        Hop-by-hop request headers (and those the I{Connection} header
        names) do not reach the backend; end-to-end ones do.  The backend's
        hop-by-hop response headers do not reach the client.
        """
        response, body = proxied.request(
            "GET",
            "/app/echo",
            headers={
                "Connection": "keep-alive, X-Secret",
                "X-Secret": "s",
                "Keep-Alive": "timeout=5",
                "Proxy-Authorization": "Basic eA==",
                "TE": "trailers",
                "Upgrade": "websocket",
                "X-Kept": "k",
            },
        )
        headers = json.loads(body)["headers"]
        for name in ("x-secret", "keep-alive", "proxy-authorization", "te", "upgrade"):
            assert name not in headers
        assert headers["x-kept"] == ["k"]
        assert headers["connection"] == ["close"]
        assert response.getheader("Keep-Alive") is None
        assert response.getheader("X-Private") is None

    def test_postBody(self, proxied: Fixture) -> None:
        """A POST body reaches the backend whole."""
        payload = b"x=" + b"p" * 300_000
        response, body = proxied.request(
            "POST", "/app/echo", body=payload, headers={"Content-Type": "text/plain"}
        )
        answer = json.loads(body)
        assert response.status == 200
        assert answer["method"] == "POST"
        assert answer["body"].encode() == payload

    @pytest.mark.parametrize("mode", ["whole", "chunked"])
    def test_largeResponse(self, proxied: Fixture, mode: str) -> None:
        """
        A 5 MiB response arrives whole, whether the backend sent it with a
        Content-Length or chunked (the proxy frames it again for its client).
        """
        response, body = proxied.request("GET", f"/app/big?mode={mode}")
        assert response.status == 200
        assert body == bytes(range(256)) * (BIG // 256)
        if mode == "whole":
            assert lengths(response) == {str(BIG)}
        else:
            assert response.getheader("Transfer-Encoding") == "chunked"

    def test_notFoundRelayed(self, proxied: Fixture) -> None:
        """The backend's error statuses are relayed as they are."""
        response, _ = proxied.request("GET", "/app/missing")
        assert response.status == 404

    def test_headRequest(self, proxied: Fixture) -> None:
        """A HEAD is relayed with the headers and no body."""
        response, body = proxied.request("HEAD", "/app/big?mode=whole")
        assert (response.status, body) == (200, b"")
        assert lengths(response) == {str(BIG)}

    def test_backendDown(self, proxied: Fixture) -> None:
        """A backend that refuses the connection gets the client a short 502."""
        response, body = proxied.request("GET", "/down/x")
        assert response.status == 502
        assert body.startswith(b"Bad Gateway: could not connect to the backend")
        assert response.getheader("Content-Type") == "text/plain; charset=utf-8"

    def test_clientDisconnectClosesBackend(self, proxied: Fixture) -> None:
        """When the client goes away, the proxy closes its backend connection."""
        with socket.create_connection(("127.0.0.1", proxied.port), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /app/hang HTTP/1.1\r\nHost: x\r\n\r\n")
            assert proxied.hang.arrived.wait(TIMEOUT)
        assert proxied.hang.gone.wait(TIMEOUT)


class BackendDropsTests:
    """Backends that misbehave (a raw socket server), over real sockets."""

    def proxyTo(self, answer: bytes) -> bytes:
        """
        What a raw HTTP/1.0 client gets from the proxy when the backend
        answers C{answer} and closes.
        """
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def serveOnce() -> None:
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(answer)
            conn.close()

        thread = threading.Thread(target=serveOnce, daemon=True)
        thread.start()
        server = ThreadedServer(
            lambda reactor: Site(
                ReverseProxyResource("127.0.0.1", port, b"", reactor), reactor=reactor
            )
        )
        try:
            with server.connect() as sock:
                sock.sendall(b"GET /x HTTP/1.0\r\n\r\n")
                data = recvAll(sock)
        finally:
            server.stop()
            thread.join(TIMEOUT)
            listener.close()
        return data

    def test_droppedBeforeHead(self) -> None:
        """A backend that closes without answering gets the client a 502."""
        data = self.proxyTo(b"")
        assert data.startswith(b"HTTP/1.1 502 Bad Gateway\r\n")
        assert data.endswith(b"before the response was complete\n")

    def test_droppedInBody(self) -> None:
        """
        A backend that closes in the middle of a body makes the proxy close
        the client's connection: the client sees fewer bytes than promised.
        """
        data = self.proxyTo(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Content-Length: 100" in head
        assert body == b"0123456789"


class ProxyClientUnitTests:
    """L{ProxyClient} and friends, with a L{StringTransport} and a L{DummyRequest}."""

    def test_requestSent(self) -> None:
        """
        The client sends the method, target, headers without hop-by-hop
        ones, C{Connection: close}, a Content-Length and the body.
        """
        father = DummyRequest([b""])
        client = ProxyClient(
            b"POST",
            b"/a?b=c",
            b"HTTP/1.1",
            {b"host": b"backend", b"keep-alive": b"1", b"x-a": b"b"},
            b"body",
            father,
        )
        transport = StringTransport()
        client.makeConnection(transport)
        assert transport.value() == (
            b"POST /a?b=c HTTP/1.1\r\nhost: backend\r\nx-a: b\r\n"
            b"Content-Length: 4\r\nConnection: close\r\n\r\nbody"
        )

    def test_responseRelayed(self) -> None:
        """
        The status, end-to-end headers and body reach the father, fed one
        byte at a time; an interim 100 is skipped; the end finishes it.
        """
        father = DummyRequest([b""])
        client = ProxyClient(b"GET", b"/", b"HTTP/1.1", [(b"host", b"h")], b"", father)
        transport = StringTransport()
        client.makeConnection(transport)
        response = (
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 201 Made\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n"
            b"Connection: x-b\r\nX-B: 2\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        )
        for i in range(len(response)):
            client.dataReceived(response[i : i + 1])
        assert (father.responseCode, father.responseMessage) == (201, b"Made")
        assert father.responseHeaders.getRawHeaders(b"x-a") == [b"1"]
        assert not father.responseHeaders.hasHeader(b"x-b")
        assert not father.responseHeaders.hasHeader(b"transfer-encoding")
        assert b"".join(father.written) == b"abc"
        assert father.finished
        assert transport.disconnecting

    def test_badResponse(self) -> None:
        """A response that does not parse becomes a 502 naming the problem."""
        father = DummyRequest([b""])
        client = ProxyClient(b"GET", b"/", b"HTTP/1.1", {}, b"", father)
        client.makeConnection(StringTransport())
        client.dataReceived(b"SPDY/3 200 OK\r\n\r\n")
        assert father.responseCode == 502
        assert b"".join(father.written).startswith(
            b"Bad Gateway: the backend's response is invalid"
        )
        assert father.finished

    def test_untilCloseBody(self) -> None:
        """A body delimited by the backend's close ends the father's response."""
        father = DummyRequest([b""])
        client = ProxyClient(b"GET", b"/", b"HTTP/1.0", {}, b"", father)
        client.makeConnection(StringTransport())
        client.dataReceived(b"HTTP/1.0 200 OK\r\n\r\nall of it")
        client.connectionLost()
        assert b"".join(father.written) == b"all of it"
        assert father.finished

    def test_factoryBuildsClient(self) -> None:
        """L{ProxyClientFactory} makes a L{ProxyClient} with its arguments."""
        father = DummyRequest([b""])
        factory = ProxyClientFactory(b"GET", b"/z", b"HTTP/1.0", {}, b"", father)
        client = factory.buildProtocol(None)
        assert isinstance(client, ProxyClient)
        assert (client.command, client.rest, client.father) == (b"GET", b"/z", father)

    def test_endToEndHeaders(self) -> None:
        """Hop-by-hop names, C{Proxy-*} and the names listed in I{Connection} are dropped."""
        pairs = [
            (b"Connection", b"close, X-Gone"),
            (b"X-Gone", b"1"),
            (b"Proxy-Whatever", b"2"),
            (b"Trailer", b"x"),
            (b"X-Stay", b"3"),
        ]
        assert endToEndHeaders(pairs) == [(b"X-Stay", b"3")]


class ReverseProxyResourceTests:
    """L{ReverseProxyResource} without sockets."""

    def test_childPath(self) -> None:
        """Each child adds its segment, quoted again, to the backend path."""
        root = ReverseProxyResource("127.0.0.1", 8080, b"/base", reactor=object())
        child = root.getChild(b"a b", DummyRequest([]))
        assert isinstance(child, ReverseProxyResource)
        assert child.path == b"/base/a%20b"
        assert (child.host, child.port) == ("127.0.0.1", 8080)

    def test_renderConnects(self) -> None:
        """Rendering connects to the backend with a factory holding the request."""
        calls: list[tuple[str, int, Any]] = []

        class Reactor:
            def connectTCP(self, host: str, port: int, factory: Any) -> None:
                calls.append((host, port, factory))

        resource = ReverseProxyResource("backend", 8080, b"/p", reactor=Reactor())
        request = DummyRequest([])
        request.uri = b"/p?q=1"
        assert resource.render(request) == NOT_DONE_YET
        [(host, port, factory)] = calls
        assert (host, port, factory.rest) == ("backend", 8080, b"/p?q=1")
        assert request.requestHeaders.getRawHeaders(b"host") == [b"backend:8080"]

    def test_publicNames(self) -> None:
        """The public names report the public module."""
        assert ReverseProxyResource.__module__ == "torsion.web.proxy"
        assert set(proxy.__all__) >= {"Proxy", "ProxyRequest", "ReverseProxyResource"}


class ForwardProxyTests:
    """The forward proxy, L{Proxy} and L{ProxyRequest}, over real sockets."""

    def test_absoluteURL(self) -> None:
        """A request for an absolute http:// URL is fetched from that server and relayed."""

        def build(reactor: Any) -> Site:
            root = Resource()
            root.putChild(b"echo", Echo())
            return Site(root, reactor=reactor)

        backend = ThreadedServer(build)
        reactor = backend.reactor

        class Request(ProxyRequest):
            def __init__(self, channel: Any, queued: object = None) -> None:
                super().__init__(channel, queued, reactor=reactor)

        class Channel(Proxy):
            requestFactory = Request

        factory = HTTPFactory(reactor=reactor)
        factory.protocol = Channel
        port = backend.call(reactor.listenTCP, 0, factory, interface="127.0.0.1")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port.getHost().port, timeout=TIMEOUT)
            conn.request("GET", f"http://127.0.0.1:{backend.portNumber}/echo?z=1")
            response = conn.getresponse()
            answer = json.loads(response.read())
            conn.request("GET", "/not-absolute")
            refused = conn.getresponse()
            refused.read()
            conn.close()
        finally:
            backend.call(port.stopListening)
            backend.stop()
        assert answer["uri"] == "/echo?z=1"
        assert answer["headers"]["host"] == [f"127.0.0.1:{backend.portNumber}"]
        assert refused.status == 400


def test_docsReverseProxyExample(reactor: Any) -> None:
    """The reverse proxy example of C{docs/web-proxy-vhost.md} listens (on port 0 here)."""
    import re
    from pathlib import Path

    from torsion.trial.util import runUntil

    page = (Path(__file__).resolve().parents[2] / "docs" / "web-proxy-vhost.md").read_text()
    code = next(b for b in re.findall(r"```python\n(.*?)```", page, re.DOTALL) if 'b"app"' in b)
    code = code.replace("reactor.listenTCP(8080,", "reactor.listenTCP(0,")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(code, "web-proxy-vhost.md", "exec"), namespace)
    child = namespace["root"].children[b"app"]
    assert (child.host, child.port, child.path) == ("127.0.0.1", 8081, b"")
    runUntil(reactor, namespace["port"].stopListening(), 10)
