"""
Tests for L{torsion.protocols.portforward}: a forwarder between real TCP
connections on every reactor backend (data both ways, closing, an
unreachable upstream, flow control), and its pieces on fakes.
"""

from __future__ import annotations

from typing import Any

import pytest
from zope.interface import implementer

from tests.internet.reactors import backendReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address
from torsion.internet.defer import Deferred
from torsion.internet.error import ConnectionDone, ConnectionRefusedError
from torsion.internet.interfaces import IPushProducer
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.testing import MemoryReactor, StringTransport
from torsion.logger import LogEvent, formatEvent, globalLogPublisher
from torsion.protocols.portforward import (
    ProxyClient,
    ProxyClientFactory,
    ProxyFactory,
    ProxyServer,
)
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

__all__ = ["backendReactor"]


class Peer(Protocol):
    """
    Either end of a forwarded connection in these tests: records what it
    receives and fires Deferreds when connected, when enough bytes have
    arrived and when the connection is lost.
    """

    def __init__(self, echo: bool = False) -> None:
        self.echo = echo
        self._received = bytearray()
        self.made: Deferred[None] = Deferred()
        self.lost: Deferred[None] = Deferred()
        self.reason: Failure | None = None
        self._waiting: tuple[int, Deferred[bytes]] | None = None

    def connectionMade(self) -> None:
        self.made.callback(None)

    @property
    def received(self) -> bytes:
        """
        Everything received so far.
        """
        return bytes(self._received)

    def dataReceived(self, data: bytes) -> None:
        self._received += data
        if self.echo:
            self.transport.write(data)
        self._check()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)

    def expect(self, total: int) -> Deferred[bytes]:
        """
        A Deferred firing once C{total} bytes in all have arrived.
        """
        self._waiting = (total, Deferred())
        d = self._waiting[1]
        self._check()
        return d

    def _check(self) -> None:
        if self._waiting is not None and len(self._received) >= self._waiting[0]:
            d = self._waiting[1]
            self._waiting = None
            d.callback(self.received)


class Upstream:
    """
    A server to forward to: records each L{Peer} it builds.
    """

    def __init__(self, reactor: Any, echo: bool = True) -> None:
        self.peers: list[Peer] = []
        self.connected: Deferred[Peer] = Deferred()
        self.echo = echo

        def build() -> Peer:
            peer = Peer(echo=self.echo)
            self.peers.append(peer)
            if not self.connected.called:
                peer.made.addCallback(lambda ignored: self.connected.callback(peer))
            return peer

        self.port = reactor.listenTCP(0, Factory.forProtocol(build), interface="127.0.0.1")
        self.number: int = self.port.getHost().port


def forwarder(reactor: Any, toPort: int, factory: ProxyFactory | None = None) -> tuple[Any, int]:
    """
    Listen on 127.0.0.1 with a L{ProxyFactory} forwarding to C{toPort}.

    @return: The listening port and its number.
    """
    if factory is None:
        factory = ProxyFactory("127.0.0.1", toPort, reactor=reactor)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    return port, port.getHost().port


def connect(reactor: Any, port: int, protocol: Protocol) -> None:
    """
    Connect C{protocol} to C{port} on 127.0.0.1.
    """
    factory: ClientFactory[Protocol] = ClientFactory()
    factory.buildProtocol = lambda addr: protocol  # type: ignore[method-assign]
    reactor.connectTCP("127.0.0.1", port, factory)


async def stopAll(*ports: Any) -> None:
    """
    Stop listening on each of C{ports}.
    """
    for port in ports:
        await port.stopListening()


class ForwardingTests:
    def test_dataBothWays(self, backendReactor: PollingReactor) -> None:
        """
        What the client sends reaches the upstream server, and what the
        server sends back reaches the client.
        """
        r = backendReactor
        upstream = Upstream(r)
        proxyPort, proxyNumber = forwarder(r, upstream.number)
        client = Peer()

        async def scenario() -> None:
            connect(r, proxyNumber, client)
            await client.made
            client.transport.write(b"hello, ")
            client.transport.write(b"upstream")
            assert await client.expect(15) == b"hello, upstream"
            server = upstream.peers[0]
            assert server.received == b"hello, upstream"
            server.echo = False
            server.transport.write(b"and back")
            assert await client.expect(23) == b"hello, upstreamand back"
            client.transport.loseConnection()
            await server.lost
            await stopAll(proxyPort, upstream.port)

        runUntil(r, scenario(), timeout=30)
        assert len(upstream.peers) == 1

    def test_clientCloseClosesUpstream(self, backendReactor: PollingReactor) -> None:
        """
        When the client closes, the forwarder closes the upstream
        connection.
        """
        r = backendReactor
        upstream = Upstream(r)
        proxyPort, proxyNumber = forwarder(r, upstream.number)
        client = Peer()

        async def scenario() -> None:
            connect(r, proxyNumber, client)
            server = await upstream.connected
            client.transport.loseConnection()
            await server.lost
            await client.lost
            await stopAll(proxyPort, upstream.port)

        runUntil(r, scenario(), timeout=30)
        server = upstream.peers[0]
        assert server.reason is not None and server.reason.check(ConnectionDone)

    def test_upstreamCloseClosesClient(self, backendReactor: PollingReactor) -> None:
        """
        When the upstream server closes, the client gets what it sent
        last, then the forwarder closes the client's connection.
        """
        r = backendReactor
        upstream = Upstream(r, echo=False)
        proxyPort, proxyNumber = forwarder(r, upstream.number)
        client = Peer()

        async def scenario() -> None:
            connect(r, proxyNumber, client)
            server = await upstream.connected
            server.transport.write(b"last words")
            server.transport.loseConnection()
            await client.lost
            await stopAll(proxyPort, upstream.port)

        runUntil(r, scenario(), timeout=30)
        assert client.received == b"last words"
        assert client.reason is not None and client.reason.check(ConnectionDone)

    def test_unreachableUpstream(self, backendReactor: PollingReactor) -> None:
        """
        A client whose upstream cannot be reached is disconnected, the
        reason is logged, and a connection through another forwarder on the
        same reactor carries on.
        """
        r = backendReactor
        upstream = Upstream(r)
        goodPort, goodNumber = forwarder(r, upstream.number)
        closed = r.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
        deadNumber = closed.getHost().port
        badPort, badNumber = forwarder(r, deadNumber)
        events: list[LogEvent] = []
        good, bad = Peer(), Peer()

        async def scenario() -> None:
            await closed.stopListening()
            connect(r, goodNumber, good)
            await good.made
            connect(r, badNumber, bad)
            await bad.lost
            good.transport.write(b"still fine")
            assert await good.expect(10) == b"still fine"
            good.transport.loseConnection()
            await upstream.peers[0].lost
            await stopAll(goodPort, badPort, upstream.port)

        globalLogPublisher.addObserver(events.append)
        try:
            runUntil(r, scenario(), timeout=30)
        finally:
            globalLogPublisher.removeObserver(events.append)
        assert bad.received == b""
        messages = [formatEvent(e) for e in events]
        assert any(
            m.startswith(
                f"Unable to connect to peer IPv4Address(type='TCP', host='127.0.0.1', "
                f"port={deadNumber})"
            )
            for m in messages
        ), messages

    def test_slowClientPausesUpstream(self, backendReactor: PollingReactor) -> None:
        """
        A client that stops reading makes the forwarder stop reading from
        the upstream server, so the forwarder's buffer stays bounded; once
        the client reads again, every byte arrives.
        """
        r = backendReactor
        total = 32 * 2**20
        floods: list[Flood] = []

        class Source(Protocol):
            def connectionMade(self) -> None:
                flood = Flood(self.transport, total)
                floods.append(flood)
                self.transport.registerProducer(flood, True)
                flood.resumeProducing()

        upstreamPort = r.listenTCP(0, Factory.forProtocol(Source), interface="127.0.0.1")
        paused: Deferred[None] = Deferred()
        buffered: list[int] = []

        class WatchedClient(ProxyClient):
            def connectionMade(self) -> None:
                super().connectionMade()
                assert self.peer is not None
                toClient = self.peer.transport
                original = self.transport.pauseProducing

                def pauseProducing() -> None:
                    # The buffer towards the client is full: stop reading
                    # from upstream.
                    buffered.append(toClient._bufferedBytes)
                    original()
                    if not paused.called:
                        paused.callback(None)

                self.transport.pauseProducing = pauseProducing

            def dataReceived(self, data: bytes) -> None:
                super().dataReceived(data)
                assert self.peer is not None
                buffered.append(self.peer.transport._bufferedBytes)

        class WatchedClientFactory(ProxyClientFactory):
            protocol = WatchedClient

        class WatchedServer(ProxyServer):
            clientProtocolFactory = WatchedClientFactory

        factory = ProxyFactory("127.0.0.1", upstreamPort.getHost().port, reactor=r)
        factory.protocol = WatchedServer
        proxyPort, proxyNumber = forwarder(r, 0, factory)
        client = Peer()

        async def scenario() -> None:
            connect(r, proxyNumber, client)
            await client.made
            client.transport.pauseProducing()
            await paused
            client.transport.resumeProducing()
            await client.lost
            await stopAll(proxyPort, upstreamPort)

        runUntil(r, scenario(), timeout=120)
        assert len(client.received) == total
        assert max(buffered) <= 2 * 2**16
        assert floods[0].pauses > 0


@implementer(IPushProducer)
class Flood:
    """
    A streaming producer writing chunks as fast as its transport lets it,
    then closing.
    """

    chunk = b"z" * 65536

    def __init__(self, transport: Any, total: int) -> None:
        self.transport = transport
        self.remaining = total
        self.paused = False
        self.pauses = 0

    def resumeProducing(self) -> None:
        self.paused = False
        while not self.paused and self.remaining > 0:
            self.transport.write(self.chunk)
            self.remaining -= len(self.chunk)
        if self.remaining <= 0 and not self.paused:
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def pauseProducing(self) -> None:
        self.paused = True
        self.pauses += 1

    def stopProducing(self) -> None:
        self.remaining = 0


class PiecesTests:
    def test_serverWaitsForUpstream(self) -> None:
        """
        A new server side stops reading and connects to the factory's host
        and port with a L{ProxyClientFactory}, on the factory's reactor.
        """
        reactor = MemoryReactor()
        factory = ProxyFactory("192.0.2.7", 2525, reactor=reactor)
        server = factory.buildProtocol(IPv4Address("TCP", "198.51.100.1", 5000))
        assert isinstance(server, ProxyServer)
        transport = StringTransport()
        server.makeConnection(transport)
        assert transport.producerState == "paused"
        [(host, port, clientFactory, _, _)] = reactor.tcpClients
        assert (host, port) == ("192.0.2.7", 2525)
        assert isinstance(clientFactory, ProxyClientFactory)
        assert clientFactory.server is server

    def test_pairing(self) -> None:
        """
        When the upstream connection is made, the two sides point at each
        other, each transport is the other's producer, and the server side
        reads again.
        """
        reactor = MemoryReactor()
        server = ProxyFactory("192.0.2.7", 2525, reactor=reactor).buildProtocol(None)
        assert server is not None
        serverTransport = StringTransport()
        server.makeConnection(serverTransport)
        clientFactory = reactor.tcpClients[0][2]
        client = clientFactory.buildProtocol(None)
        clientTransport = StringTransport()
        client.makeConnection(clientTransport)
        assert client.peer is server and server.peer is client
        assert clientTransport.producer is serverTransport
        assert serverTransport.producer is clientTransport
        assert serverTransport.producerState == "producing"
        server.dataReceived(b"up")
        client.dataReceived(b"down")
        assert clientTransport.value() == b"up"
        assert serverTransport.value() == b"down"

    def test_upstreamRefusedClosesServer(self) -> None:
        """
        A failed upstream attempt closes the accepted connection.
        """
        reactor = MemoryReactor()
        server = ProxyFactory("192.0.2.7", 2525, reactor=reactor).buildProtocol(None)
        assert server is not None
        server.noisy = False
        transport = StringTransport()
        server.makeConnection(transport)
        clientFactory = reactor.tcpClients[0][2]
        connector = reactor.connectors[0]
        clientFactory.clientConnectionFailed(connector, Failure(ConnectionRefusedError()))
        assert transport.disconnecting

    def test_serverGoneBeforeUpstream(self) -> None:
        """
        If the client leaves while the upstream connection is being made,
        that connection is closed as soon as it is made.
        """
        reactor = MemoryReactor()
        server = ProxyFactory("192.0.2.7", 2525, reactor=reactor).buildProtocol(None)
        assert server is not None
        server.makeConnection(StringTransport())
        server.connectionLost(Failure(ConnectionDone()))
        client = reactor.tcpClients[0][2].buildProtocol(None)
        clientTransport = StringTransport()
        client.makeConnection(clientTransport)
        assert clientTransport.disconnecting
        assert client.peer is None

    @pytest.mark.parametrize("port", [0, 70000, "80", True])
    def test_badPort(self, port: Any) -> None:
        """
        A port that is not a TCP port number is refused, naming it.
        """
        with pytest.raises(
            ValueError,
            match=r"^ProxyFactory port must be a TCP port number from 1 to 65535, not ",
        ):
            ProxyFactory("127.0.0.1", port)
