"""
Helpers for the HTTP server tests: a server whose reactor runs in a
thread, so that blocking clients (C{http.client}, raw sockets, curl) can
talk to it from the test, and small resources.
"""

from __future__ import annotations

import http.client as httpclient
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from torsion.internet.selectreactor import SelectReactor
from torsion.internet.threads import blockingCallFromThread
from torsion.web.resource import Resource
from torsion.web.server import Site


class ThreadedServer:
    """
    A site listening on 127.0.0.1, its own reactor running in a thread.
    Call L{call} to run code in the reactor thread.
    """

    def __init__(self, makeSite: Callable[[Any], Any], backlog: int = 50) -> None:
        self.reactor = SelectReactor()
        self.site = makeSite(self.reactor)
        self._thread = threading.Thread(
            target=self.reactor.run, kwargs={"installSignalHandlers": False}, daemon=True
        )
        self._thread.start()
        self.port = self.call(
            self.reactor.listenTCP, 0, self.site, backlog=backlog, interface="127.0.0.1"
        )
        self.portNumber: int = self.port.getHost().port

    def call(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run C{f} in the reactor thread and return its result."""
        return blockingCallFromThread(self.reactor, f, *args, **kwargs)

    def connect(self, timeout: float = 10.0) -> socket.socket:
        """A raw socket connected to the server."""
        return socket.create_connection(("127.0.0.1", self.portNumber), timeout=timeout)

    def stop(self) -> None:
        """Stop listening and stop the reactor thread."""
        self.call(self.port.stopListening)
        self.reactor.callFromThread(self.reactor.stop)
        self._thread.join(10)
        self.reactor.waker.close()


def recvAll(sock: socket.socket) -> bytes:
    """Everything C{sock} receives until the server closes it."""
    chunks: list[bytes] = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def recvUntil(sock: socket.socket, marker: bytes, count: int = 1) -> bytes:
    """What C{sock} receives until C{marker} was seen C{count} times."""
    data = b""
    while data.count(marker) < count:
        more = sock.recv(65536)
        if not more:
            break
        data += more
    return data


class Hello(Resource):
    """Answers GET with a fixed body and POST with what was posted."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        path: bytes = request.path
        return b"hello " + path

    def render_POST(self, request: Any) -> bytes:
        body: bytes = request.content.read()
        return b"got %d: %s" % (len(body), body[:50])


@pytest.fixture
def serve() -> Iterator[Callable[..., ThreadedServer]]:
    """Start threaded servers for a resource; stopped after the test."""
    servers: list[ThreadedServer] = []

    def start(resource: Any, **siteArgs: Any) -> ThreadedServer:
        server = ThreadedServer(lambda reactor: Site(resource, reactor=reactor, **siteArgs))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_threadedServerAnswers(serve: Callable[..., ThreadedServer]) -> None:
    """The helper server answers a GET over a raw socket."""
    server = serve(Hello())
    with server.connect() as sock:
        sock.sendall(b"GET /x HTTP/1.0\r\n\r\n")
        data = recvAll(sock)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert data.endswith(b"\r\n\r\nhello /x")


def serveTLS(makeSite: Callable[[Any], Any]) -> tuple[ThreadedServer, ssl.SSLContext]:
    """
    A L{ThreadedServer} whose site (C{makeSite(reactor)}) is served over
    TLS, with a certificate for 127.0.0.1 from a new trustme authority; and
    a client context that trusts that authority.  (Skips the test, saying
    why, if trustme is not installed.)
    """
    trustme = pytest.importorskip("trustme")
    from torsion.internet.ssl import PrivateCertificate
    from torsion.protocols.tls import TLSMemoryBIOFactory

    authority = trustme.CA()
    leaf = authority.issue_cert("127.0.0.1")
    certificate = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
    server = ThreadedServer(
        lambda reactor: TLSMemoryBIOFactory(certificate.options(), False, makeSite(reactor))
    )
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return server, context


def httpsRequest(
    server: ThreadedServer,
    context: ssl.SSLContext,
    path: str,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[httpclient.HTTPResponse, bytes]:
    """One GET over a new HTTPS connection: the response and its body."""
    conn = httpclient.HTTPSConnection(
        "127.0.0.1", server.portNumber, timeout=timeout, context=context
    )
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()
