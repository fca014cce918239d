# A TCP port forwarder: every connection accepted is relayed, byte for
# byte, to a fixed host and port.
#
# How it works
# ------------
# ProxyFactory listens.  For each accepted connection its ProxyServer
# first pauses reading (there is nowhere to send data yet), then connects
# out with a ProxyClientFactory.  When that connection is made, the
# ProxyClient and ProxyServer become each other's `peer`:
#
#   client --> [ProxyServer] --peer.transport.write--> [ProxyClient] --> upstream
#   client <-- [ProxyServer] <--peer.transport.write-- [ProxyClient] <-- upstream
#
# Flow control both ways: each transport is registered as the (streaming)
# producer of the other.  When the write buffer towards one side grows past
# its high-water mark, that transport pauses its producer, which is the
# other connection's transport: it stops reading, so the fast side is
# pushed back by TCP instead of filling the proxy's memory.  When the buffer
# drains, reading resumes.  Then the server side starts reading.
#
# Closing: when either connection ends, its Proxy closes the other one
# (after what is buffered for it has been sent).  If the outgoing
# connection cannot be made, the accepted connection is closed, and the
# reason is logged; other connections are not affected.  If the accepted
# connection ends while the outgoing one is still being made, the outgoing
# one is closed as soon as it is made.
#
# ProxyServer connects with its own `reactor` attribute if set, else its
# factory's (ProxyFactory takes one), else the global reactor.
from __future__ import annotations

from typing import Any

from torsion.internet._factory import ClientFactory, Factory
from torsion.internet._itransport import IAddress, IConnector
from torsion.internet._protocol import Protocol, connectionDone
from torsion.logger import Logger
from torsion.python.failure import Failure

_log = Logger()


class Proxy(Protocol):
    """
    One side of a forwarded connection: what it receives is written to its
    L{peer}, and when it closes, so does the peer.

    @ivar peer: The other side, once connected.
    @ivar noisy: Whether a failure to reach the other side is logged.
    """

    noisy = True
    peer: Proxy | None = None
    _lost = False

    def setPeer(self, peer: Proxy | None) -> None:
        """
        Set the other side.

        @param peer: The other side's protocol.
        """
        self.peer = peer

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        This side closed: close the other side too.

        @param reason: Why this side closed.
        """
        self._lost = True
        peer = self.peer
        if peer is not None:
            self.peer = None
            peer.transport.loseConnection()

    def dataReceived(self, data: bytes) -> None:
        """
        Relay C{data} to the other side.

        @param data: The bytes.
        """
        peer = self.peer
        if peer is not None:
            peer.transport.write(data)


class ProxyClient(Proxy):
    """
    The outgoing side of a forwarded connection.
    """

    def connectionMade(self) -> None:
        """
        Pair up with the server side, wire up flow control both ways, and
        let the server side start reading.
        """
        peer = self.peer
        if peer is None or peer._lost:
            # The accepted connection ended while this one was being made.
            self.peer = None
            self.transport.loseConnection()
            return
        peer.setPeer(self)
        # Each transport produces what the other consumes: a full write
        # buffer on one pauses reading on the other.
        self.transport.registerProducer(peer.transport, True)
        peer.transport.registerProducer(self.transport, True)
        peer.transport.resumeProducing()


class ProxyClientFactory(ClientFactory[ProxyClient]):
    """
    Makes the outgoing connection for one L{ProxyServer}.

    @ivar server: The server side the connection is for.
    """

    protocol = ProxyClient
    server: ProxyServer

    def setServer(self, server: ProxyServer) -> None:
        """
        Say which server side the outgoing connection is for.

        @param server: The server side.
        """
        self.server = server

    def buildProtocol(self, addr: IAddress | None) -> ProxyClient | None:
        """
        Build the outgoing side, already pointing at the server side.

        @param addr: The upstream address.
        @return: The protocol.
        """
        p = super().buildProtocol(addr)
        if p is not None:
            p.setPeer(self.server)
        return p

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        The upstream could not be reached: close the accepted connection.

        @param connector: The connector.
        @param reason: Why.
        """
        if self.server.noisy:
            _log.info(
                "Unable to connect to peer {destination} for {server!r}: {reason}",
                destination=connector.getDestination(),
                server=self.server,
                reason=reason.getErrorMessage(),
            )
        self.server.transport.loseConnection()


class ProxyServer(Proxy):
    """
    The accepted side of a forwarded connection: connects out when made.

    @ivar clientProtocolFactory: The factory class for the outgoing side.
    @ivar reactor: The reactor to connect with; L{None} means the factory's
        C{reactor}, or the global one.
    """

    clientProtocolFactory: type[ProxyClientFactory] = ProxyClientFactory
    reactor: Any = None

    def connectionMade(self) -> None:
        """
        Stop reading until the other side is there, and connect to the
        factory's C{host} and C{port}.
        """
        self.transport.pauseProducing()
        client = self.clientProtocolFactory()
        client.setServer(self)
        reactor = self.reactor
        if reactor is None:
            reactor = getattr(self.factory, "reactor", None)
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        self.reactor = reactor
        reactor.connectTCP(self.factory.host, self.factory.port, client)


class ProxyFactory(Factory[ProxyServer]):
    """
    Forwards each accepted connection to C{host}:C{port}.

    @ivar host: Where to connect to.
    @ivar port: The port to connect to.
    @ivar reactor: The reactor to connect with; L{None} means the global
        one.
    """

    protocol = ProxyServer

    def __init__(self, host: str, port: int, reactor: Any = None) -> None:
        """
        @param host: The host to forward to.
        @param port: The port to forward to.
        @param reactor: The reactor to connect with (L{IReactorTCP}); the
            global one by default.
        @raise ValueError: If C{port} is not a TCP port number.
        """
        given: object = port
        if isinstance(given, bool) or not isinstance(given, int) or not 0 < given < 65536:
            raise ValueError(
                f"ProxyFactory port must be a TCP port number from 1 to 65535, not {port!r}"
            )
        self.host = host
        self.port = port
        self.reactor = reactor


__all__ = [
    "Proxy",
    "ProxyClient",
    "ProxyClientFactory",
    "ProxyFactory",
    "ProxyServer",
]
