"""
Tests for C{torsion.web.client.Agent} against real servers on 127.0.0.1:
a torsion L{Site} (plain and over TLS), a scripted raw server for broken
responses, and Python's C{http.server} as a third-party peer.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.web.test_client_support import Echo, RawServer, SiteServer, closeAfter
from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.error import ConnectionDone, ConnectionRefusedError
from torsion.internet.protocol import Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.python.failure import Failure
from torsion.web._httpparse import HTTPParseError
from torsion.web.client import (
    Agent,
    BrowserLikePolicyForHTTPS,
    FileBodyProducer,
    HTTPConnectionPool,
    PartialDownloadError,
    PotentialDataLoss,
    ResponseDone,
    ResponseFailed,
    ResponseNeverReceived,
    readBody,
)
from torsion.web.error import SchemeNotSupported
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH, IAgent, IResponse


class Collector(Protocol):
    """Keeps a body's pieces and the reason it ended."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.reason: Failure | None = None
        self.done: Deferred[None] = Deferred()

    def dataReceived(self, data: bytes) -> None:
        self.pieces.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.done.callback(None)


def unknownLength(data: bytes) -> FileBodyProducer:
    """A producer of C{data} that does not say how long it is."""
    producer = FileBodyProducer(io.BytesIO(data))
    producer.length = UNKNOWN_LENGTH
    return producer


async def failureOf(d: Deferred[Any], *types: type[BaseException]) -> BaseException:
    """The exception C{d} fails with, checked to be one of C{types}."""
    with pytest.raises(types) as info:
        await d
    return info.value


class AgentTests:
    """Requests over plain TCP to a torsion Site."""

    async def test_get(self, reactor: Any) -> None:
        """A GET fires with the status, headers and length, then the body."""
        server = SiteServer(reactor, Echo())
        agent = Agent(reactor)
        response = await agent.request(b"GET", server.url(b"/a?b=c"))
        assert verifyObject(IResponse, response)
        assert (response.version, response.code, response.phrase) == ((b"HTTP", 1, 1), 200, b"OK")
        assert response.headers.getRawHeaders(b"content-type") == [b"text/html"]
        assert response.length == len(b"hello /a?b=c")
        assert response.request.method == b"GET"
        assert response.request.absoluteURI == server.url(b"/a?b=c")
        assert await readBody(response) == b"hello /a?b=c"
        await server.stop()

    async def test_head(self, reactor: Any) -> None:
        """A HEAD response has length 0 and an empty body."""
        server = SiteServer(reactor, Echo())
        response = await Agent(reactor).request(b"HEAD", server.url(b"/x"))
        assert response.code == 200
        assert response.length == 0
        assert await readBody(response) == b""
        await server.stop()

    async def test_postWithLength(self, reactor: Any) -> None:
        """A producer of known length is sent with Content-Length."""
        server = SiteServer(reactor, Echo())
        body = FileBodyProducer(io.BytesIO(b"abc" * 30000), readSize=1000)
        response = await Agent(reactor).request(b"POST", server.url(), bodyProducer=body)
        assert await readBody(response) == b"90000 - close " + b"abc" * 30000
        await server.stop()

    async def test_postChunked(self, reactor: Any) -> None:
        """A producer of unknown length is sent chunked."""
        server = SiteServer(reactor, Echo())
        response = await Agent(reactor).request(
            b"POST", server.url(), bodyProducer=unknownLength(b"xyz" * 1000)
        )
        assert await readBody(response) == b"- chunked close " + b"xyz" * 1000
        await server.stop()

    async def test_postWithoutBody(self, reactor: Any) -> None:
        """A POST without a producer says Content-Length: 0."""
        server = SiteServer(reactor, Echo())
        response = await Agent(reactor).request(b"POST", server.url())
        assert await readBody(response) == b"0 - close "
        await server.stop()

    async def test_headersSent(self, reactor: Any) -> None:
        """The caller's headers are sent; Host names the host and port."""
        server = RawServer(reactor, [b"HTTP/1.1 204 No Content\r\n\r\n"])
        headers = Headers({b"X-Thing": [b"one", b"two"]})
        response = await Agent(reactor).request(b"GET", server.url(b"/p"), headers)
        assert response.code == 204
        head = server.requests[0].split(b"\r\n")
        assert head[0] == b"GET /p HTTP/1.1"
        assert b"Host: 127.0.0.1:%d" % server.portNumber in head
        assert b"X-Thing: one" in head and b"X-Thing: two" in head
        assert b"Connection: close" in head
        assert headers.getRawHeaders(b"host") is None
        await server.stop()

    async def test_informationalSkipped(self, reactor: Any) -> None:
        """A 1xx interim response is skipped; the final one is returned."""
        server = RawServer(
            reactor,
            [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
        )
        response = await Agent(reactor).request(b"GET", server.url())
        assert response.code == 200
        assert await readBody(response) == b"ok"
        await server.stop()

    async def test_verifyAgent(self, reactor: Any) -> None:
        """Agent provides IAgent."""
        assert verifyObject(IAgent, Agent(reactor))

    async def test_unsupportedScheme(self, reactor: Any) -> None:
        """An ftp URI fails with SchemeNotSupported naming the scheme."""
        error = await failureOf(
            Agent(reactor).request(b"GET", b"ftp://example.com/"), SchemeNotSupported
        )
        assert "b'ftp'" in str(error)

    def test_invalidMethod(self, reactor: Any) -> None:
        """A method that is not a token is refused at once."""
        with pytest.raises(ValueError, match="invalid HTTP method"):
            Agent(reactor).request(b"GE T", b"http://127.0.0.1/")


class PoolTests:
    """Persistent and non-persistent connection pools."""

    async def test_persistentReuse(self, reactor: Any) -> None:
        """Two requests in a row through a persistent pool use one connection."""
        server = SiteServer(reactor, Echo())
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, pool=pool)
        for path in (b"/one", b"/two"):
            response = await agent.request(b"GET", server.url(path))
            assert await readBody(response) == b"hello " + path
        assert server.connections == 1
        await pool.closeCachedConnections()
        await server.stop()

    async def test_nonPersistent(self, reactor: Any) -> None:
        """Without a persistent pool each request has its own connection."""
        server = SiteServer(reactor, Echo())
        agent = Agent(reactor)
        for path in (b"/one", b"/two"):
            response = await agent.request(b"GET", server.url(path))
            assert await readBody(response) == b"hello " + path
        assert server.connections == 2
        await server.stop()

    async def test_cachedConnectionTimeout(self, reactor: Any) -> None:
        """An idle cached connection is closed after cachedConnectionTimeout."""
        server = SiteServer(reactor, Echo())
        clock = Clock()
        pool = HTTPConnectionPool(clock)
        response = await Agent(reactor, pool=pool).request(b"GET", server.url())
        await readBody(response)
        assert server.open == 1
        clock.advance(239)
        assert server.open == 1
        clock.advance(1)
        await server.stop()
        assert server.open == 0
        assert await pool.closeCachedConnections() is None

    async def test_maxPersistentPerHost(self, reactor: Any) -> None:
        """Beyond maxPersistentPerHost idle connections, the oldest is closed."""
        server = SiteServer(reactor, Echo())
        pool = HTTPConnectionPool(reactor)
        pool.maxPersistentPerHost = 1
        agent = Agent(reactor, pool=pool)
        first = await agent.request(b"GET", server.url())
        second = await agent.request(b"GET", server.url())
        await readBody(first)
        await readBody(second)
        assert server.connections == 2
        third = await agent.request(b"GET", server.url())
        await readBody(third)
        assert server.connections == 2
        await pool.closeCachedConnections()
        await server.stop()

    async def test_retryOnDeadCachedConnection(self, reactor: Any) -> None:
        """
        A GET on a cached connection that the server closes without
        answering is sent again on a new connection, transparently.
        """
        ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
        server = RawServer(
            reactor, [ok + b"no", lambda transport: transport.loseConnection(), ok + b"ok"]
        )
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, pool=pool)
        assert await readBody(await agent.request(b"GET", server.url())) == b"no"
        assert await readBody(await agent.request(b"GET", server.url())) == b"ok"
        assert server.connections == 2
        assert len(server.requests) == 3
        await pool.closeCachedConnections()
        await server.stop()

    async def test_noRetryForPost(self, reactor: Any) -> None:
        """A POST is not retried: it fails with ResponseNeverReceived."""
        ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        server = RawServer(reactor, [ok, lambda transport: transport.loseConnection(), ok])
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, pool=pool)
        await readBody(await agent.request(b"GET", server.url()))
        error = await failureOf(agent.request(b"POST", server.url()), ResponseNeverReceived)
        assert isinstance(error, ResponseNeverReceived)
        assert error.reasons[0].check(ConnectionDone)
        assert len(server.requests) == 2
        await pool.closeCachedConnections()
        await server.stop()

    async def test_noRetryWhenDisabled(self, reactor: Any) -> None:
        """With retryAutomatically off, even a GET fails."""
        ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        server = RawServer(reactor, [ok, lambda transport: transport.loseConnection(), ok])
        pool = HTTPConnectionPool(reactor)
        pool.retryAutomatically = False
        agent = Agent(reactor, pool=pool)
        await readBody(await agent.request(b"GET", server.url()))
        await failureOf(agent.request(b"GET", server.url()), ResponseNeverReceived)
        await pool.closeCachedConnections()
        await server.stop()

    async def test_idleConnectionClosedByServer(self, reactor: Any) -> None:
        """
        A cached connection that the server closes while idle leaves the
        pool at once (no timer left behind); the next request connects anew.
        """
        ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        server = RawServer(reactor, [closeAfter(ok), ok])
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, pool=pool)
        assert await readBody(await agent.request(b"GET", server.url())) == b"ok"
        while pool._connections:
            await turn(reactor)
        assert await readBody(await agent.request(b"GET", server.url())) == b"ok"
        assert server.connections == 2
        await pool.closeCachedConnections()
        await server.stop()

    async def test_serverClosesConnection(self, reactor: Any) -> None:
        """A response with Connection: close is not cached."""
        server = RawServer(
            reactor,
            [b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na"],
        )
        pool = HTTPConnectionPool(reactor)
        response = await Agent(reactor, pool=pool).request(b"GET", server.url())
        assert await readBody(response) == b"a"
        await server.stop()
        assert pool._connections == {}


class FailureTests:
    """What goes wrong, and how it is reported."""

    async def test_connectionRefused(self, reactor: Any) -> None:
        """Nobody listening: ConnectionRefusedError."""
        server = SiteServer(reactor, Echo())
        url = server.url()
        await server.stop()
        await failureOf(Agent(reactor).request(b"GET", url), ConnectionRefusedError)

    async def test_diesMidBody(self, reactor: Any) -> None:
        """
        A server that closes before the Content-Length is reached: the body
        protocol gets the partial data, then ResponseFailed naming the
        missing bytes; readBody fails with ResponseFailed.
        """
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
        server = RawServer(reactor, [closeAfter(head + b"part"), closeAfter(head + b"part")])
        agent = Agent(reactor)
        response = await agent.request(b"GET", server.url())
        collector = Collector()
        response.deliverBody(collector)
        await collector.done
        assert b"".join(collector.pieces) == b"part"
        assert collector.reason is not None
        error = collector.reason.value
        assert isinstance(error, ResponseFailed)
        assert error.response is response
        assert error.reasons[0].check(ConnectionDone)
        assert "6 more body bytes were expected" in str(error)
        second = await agent.request(b"GET", server.url())
        await failureOf(readBody(second), ResponseFailed)
        await server.stop()

    async def test_bodyUntilClose(self, reactor: Any) -> None:
        """
        A body without a stated length ends at the close: the protocol gets
        PotentialDataLoss, and readBody fails with PartialDownloadError
        holding the body.
        """
        head = b"HTTP/1.0 200 OK\r\n\r\n"
        server = RawServer(reactor, [closeAfter(head + b"all"), closeAfter(head + b"all")])
        agent = Agent(reactor)
        response = await agent.request(b"GET", server.url())
        assert response.length == UNKNOWN_LENGTH
        collector = Collector()
        response.deliverBody(collector)
        await collector.done
        assert collector.reason is not None and collector.reason.check(PotentialDataLoss)
        assert b"".join(collector.pieces) == b"all"
        second = await agent.request(b"GET", server.url())
        error = await failureOf(readBody(second), PartialDownloadError)
        assert isinstance(error, PartialDownloadError)
        assert (error.status, error.response) == (b"200", b"all")
        await server.stop()

    async def test_malformedResponse(self, reactor: Any) -> None:
        """A status line that is not HTTP: ResponseFailed naming the problem."""
        server = RawServer(reactor, [b"HTTP/1.1 abc\r\n\r\n"])
        error = await failureOf(Agent(reactor).request(b"GET", server.url()), ResponseFailed)
        assert isinstance(error, ResponseFailed)
        assert error.reasons[0].check(HTTPParseError)
        assert "malformed status line" in str(error)
        await server.stop()

    async def test_closedBeforeResponse(self, reactor: Any) -> None:
        """A close before any response byte: ResponseNeverReceived."""
        server = RawServer(reactor, [lambda transport: transport.loseConnection()])
        error = await failureOf(Agent(reactor).request(b"GET", server.url()), ResponseNeverReceived)
        assert isinstance(error, ResponseNeverReceived)
        assert error.reasons[0].check(ConnectionDone)
        await server.stop()

    async def test_closedMidHead(self, reactor: Any) -> None:
        """A close in the middle of the head: ResponseFailed."""
        server = RawServer(reactor, [closeAfter(b"HTTP/1.1 200 OK\r\nContent-")])
        error = await failureOf(Agent(reactor).request(b"GET", server.url()), ResponseFailed)
        assert "incomplete head" in str(error)
        await server.stop()

    async def test_cancelWaiting(self, reactor: Any) -> None:
        """
        Cancelling while waiting for the response aborts the connection and
        fails with ResponseNeverReceived wrapping CancelledError.
        """
        server = RawServer(reactor, [None])
        d = Agent(reactor).request(b"GET", server.url())
        while not server.requests:
            await turn(reactor)
        d.cancel()
        error = await failureOf(d, ResponseNeverReceived)
        assert isinstance(error, ResponseNeverReceived)
        assert error.reasons[0].check(CancelledError)
        await server.stop()
        assert server.connections == 1

    async def test_cancelReadBody(self, reactor: Any) -> None:
        """Cancelling readBody aborts the connection."""
        server = RawServer(reactor, [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"])
        response = await Agent(reactor).request(b"GET", server.url())
        d = readBody(response)
        d.cancel()
        await failureOf(d, CancelledError)
        await server.stop()

    async def test_wrongBodyLength(self, reactor: Any) -> None:
        """A producer that writes less than its length fails the request."""
        from torsion.web.client import RequestGenerationFailed, WrongBodyLength

        server = SiteServer(reactor, Echo())
        body = FileBodyProducer(io.BytesIO(b"abc"))
        body.length = 10
        error = await failureOf(
            Agent(reactor).request(b"POST", server.url(), bodyProducer=body),
            RequestGenerationFailed,
        )
        assert isinstance(error, RequestGenerationFailed)
        assert error.reasons[0].check(WrongBodyLength)
        assert "promised 10" in str(error)
        await server.stop()


async def turn(reactor: Any) -> None:
    """Let the reactor run one round."""
    d: Deferred[None] = Deferred()
    reactor.callLater(0, d.callback, None)
    await d


class HTTPSTests:
    """Requests over TLS, verifying the server."""

    @pytest.fixture
    def authority(self) -> Any:
        trustme = pytest.importorskip("trustme")
        return trustme.CA()

    def _server(self, reactor: Any, authority: Any, name: str) -> SiteServer:
        from torsion.internet.ssl import PrivateCertificate

        leaf = authority.issue_cert(name)
        certificate = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
        return SiteServer(reactor, Echo(), certificate.options())

    def _policy(self, authority: Any) -> BrowserLikePolicyForHTTPS:
        from torsion.internet.ssl import Certificate

        return BrowserLikePolicyForHTTPS(trustRoot=Certificate.loadPEM(authority.cert_pem.bytes()))

    async def test_httpsGet(self, reactor: Any, authority: Any) -> None:
        """A certificate for the host, from a trusted authority: the GET works."""
        server = self._server(reactor, authority, "127.0.0.1")
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, self._policy(authority), pool=pool)
        for path in (b"/s1", b"/s2"):
            response = await agent.request(b"GET", server.url(path))
            assert await readBody(response) == b"hello " + path
        assert server.connections == 1
        await pool.closeCachedConnections()
        await server.stop()

    async def test_wrongHostname(self, reactor: Any, authority: Any) -> None:
        """A certificate for another name: the request fails naming the mismatch."""
        server = self._server(reactor, authority, "example.org")
        agent = Agent(reactor, self._policy(authority))
        error = await failureOf(agent.request(b"GET", server.url()), ResponseNeverReceived)
        assert "mismatch" in str(error) and "127.0.0.1" in str(error)
        await server.stop()

    async def test_untrustedAuthority(self, reactor: Any, authority: Any) -> None:
        """By default the platform's trust store is used: a private CA fails."""
        server = self._server(reactor, authority, "127.0.0.1")
        error = await failureOf(Agent(reactor).request(b"GET", server.url()), ResponseNeverReceived)
        assert "certificate verify failed" in str(error)
        await server.stop()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Python's own server: HTTP/1.0 unless protocol_version says 1.1."""

    def do_GET(self) -> None:
        body = b"stdlib " + self.path.encode()
        self.send_response(200)
        if self.path != "/nolength":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextlib.contextmanager
def stdlibServing(version: str) -> Iterator[int]:
    """An C{http.server} in a thread, speaking C{version}; its port."""

    class Handler(_Handler):
        protocol_version = version

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(params=["HTTP/1.0", "HTTP/1.1"])
def stdlibServer(request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    """An C{http.server} in a thread, speaking each version in turn."""
    with stdlibServing(request.param) as port:
        yield port, request.param


@pytest.fixture
def stdlibServer10() -> Iterator[int]:
    """An HTTP/1.0 C{http.server} in a thread."""
    with stdlibServing("HTTP/1.0") as port:
        yield port


class StdlibServerTests:
    """Python's http.server as the peer."""

    async def test_get(self, reactor: Any, stdlibServer: tuple[int, str]) -> None:
        """Two GETs through a persistent pool; the 1.0 server closes each time."""
        port, version = stdlibServer
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, pool=pool)
        for path in (b"/a", b"/b"):
            response = await agent.request(b"GET", b"http://127.0.0.1:%d%s" % (port, path))
            assert response.version == (b"HTTP", 1, int(version[-1]))
            assert await readBody(response) == b"stdlib " + path
        cached = sum(len(c) for c in pool._connections.values())
        assert cached == (1 if version == "HTTP/1.1" else 0)
        await pool.closeCachedConnections()

    async def test_noLength(self, reactor: Any, stdlibServer10: int) -> None:
        """The HTTP/1.0 server ends an unsized body by closing: PotentialDataLoss."""
        port = stdlibServer10
        response = await Agent(reactor).request(b"GET", b"http://127.0.0.1:%d/nolength" % port)
        collector = Collector()
        response.deliverBody(collector)
        await collector.done
        assert b"".join(collector.pieces) == b"stdlib /nolength"
        assert collector.reason is not None and collector.reason.check(PotentialDataLoss)


def test_responseDoneIsNotAnError() -> None:
    """ResponseDone and PotentialDataLoss are plain exceptions, reasons."""
    assert issubclass(ResponseDone, Exception) and issubclass(PotentialDataLoss, Exception)
