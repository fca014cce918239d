"""
Helpers for the HTTP client tests: servers on the test's own reactor (a
torsion L{Site}, optionally over TLS, and a scripted raw server that sends
canned bytes), counting their connections and waiting for them to close
so that each test leaves the reactor clean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torsion.internet.defer import Deferred, gatherResults
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web.resource import Resource
from torsion.web.server import Site


class Echo(Resource):
    """
    Answers GET with the path, POST and PUT with what was received.
    """

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        hello: bytes = b"hello " + request.uri
        return hello

    def render_HEAD(self, request: Any) -> bytes:
        hello: bytes = b"hello " + request.uri
        return hello

    def render_POST(self, request: Any) -> bytes:
        length = request.getHeader(b"content-length") or b"-"
        coding = request.getHeader(b"transfer-encoding") or b"-"
        connection = request.getHeader(b"connection") or b"-"
        body: bytes = request.content.read()
        return b"%s %s %s %s" % (length, coding, connection, body)

    render_PUT = render_POST


class _Tracker:
    """
    Counts the connections a factory's protocols make and fires a Deferred
    as each one is lost.
    """

    def __init__(self) -> None:
        self.connections = 0
        self.open = 0
        self._lost: list[Deferred[None]] = []

    def track(self, protocol: Any) -> Any:
        self.connections += 1
        self.open += 1
        lost: Deferred[None] = Deferred()
        self._lost.append(lost)
        original = protocol.connectionLost

        def connectionLost(reason: Failure = connectionDone) -> None:
            self.open -= 1
            original(reason)
            lost.callback(None)

        protocol.connectionLost = connectionLost
        return protocol

    def allLost(self) -> Deferred[Any]:
        return gatherResults(list(self._lost))


class SiteServer:
    """
    A L{Site} on 127.0.0.1 on the given reactor, plain or over TLS.

    @ivar connections: How many connections the server accepted.
    """

    def __init__(self, reactor: Any, resource: Resource, tlsOptions: Any = None) -> None:
        self._tracker = _Tracker()
        site = Site(resource, reactor=reactor)
        build = site.buildProtocol
        site.buildProtocol = lambda addr: self._tracker.track(build(addr))  # type: ignore[method-assign]
        factory: Any = site
        self.scheme = b"http"
        if tlsOptions is not None:
            from torsion.protocols.tls import TLSMemoryBIOFactory

            factory = TLSMemoryBIOFactory(tlsOptions, False, site)
            self.scheme = b"https"
        self.port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.portNumber: int = self.port.getHost().port

    @property
    def connections(self) -> int:
        return self._tracker.connections

    @property
    def open(self) -> int:
        return self._tracker.open

    def url(self, path: bytes = b"/", host: bytes = b"127.0.0.1") -> bytes:
        """The URL of C{path} on this server."""
        return b"%s://%s:%d%s" % (self.scheme, host, self.portNumber, path)

    async def stop(self) -> None:
        """Stop listening and wait until every connection is closed."""
        await self.port.stopListening()
        await self._tracker.allLost()


class _Scripted(Protocol):
    """
    Sends the next canned answer each time a request head arrives.
    """

    def __init__(self, server: RawServer) -> None:
        self._server = server
        self._buffer = b""

    def dataReceived(self, data: bytes) -> None:
        self._buffer += data
        while b"\r\n\r\n" in self._buffer:
            head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
            self._server.requests.append(head)
            if not self._server.answers:
                return
            answer = self._server.answers.pop(0)
            if answer is None:
                return  # never answer
            if callable(answer):
                answer(self.transport)
                return
            self.transport.write(answer)


class RawServer:
    """
    A server that answers each request head with the next item of
    C{answers}: bytes to write, a callable taking the transport, or
    L{None} for no answer at all.

    @ivar requests: The request heads received, in order.
    """

    def __init__(self, reactor: Any, answers: list[bytes | Callable[[Any], None] | None]) -> None:
        self.answers = answers
        self.requests: list[bytes] = []
        self._tracker = _Tracker()
        factory = Factory.forProtocol(lambda: self._tracker.track(_Scripted(self)))
        self.port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.portNumber: int = self.port.getHost().port

    @property
    def connections(self) -> int:
        return self._tracker.connections

    def url(self, path: bytes = b"/") -> bytes:
        """The URL of C{path} on this server."""
        return b"http://127.0.0.1:%d%s" % (self.portNumber, path)

    async def stop(self) -> None:
        """Stop listening and wait until every connection is closed."""
        await self.port.stopListening()
        await self._tracker.allLost()


def closeAfter(data: bytes) -> Callable[[Any], None]:
    """An answer: write C{data}, then close the connection."""

    def answer(transport: Any) -> None:
        transport.write(data)
        transport.loseConnection()

    return answer


def test_closeAfterWritesThenCloses() -> None:
    """The C{closeAfter} answer writes its bytes, then closes."""
    from torsion.internet.testing import StringTransport

    transport = StringTransport()
    closeAfter(b"bye")(transport)
    assert transport.value() == b"bye"
    assert transport.disconnecting
