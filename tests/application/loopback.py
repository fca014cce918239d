"""
Small stream endpoints on 127.0.0.1 over a real reactor's C{listenTCP} and
C{connectTCP}, and protocols, for the service tests.  (They stand in for
C{torsion.internet.endpoints}, and keep these tests about the services.)
"""

from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet.defer import Deferred, fail, succeed
from torsion.internet.error import NotConnectingError
from torsion.internet.interfaces import (
    IAddress,
    IConnector,
    IListeningPort,
    IProtocol,
    IProtocolFactory,
    IStreamClientEndpoint,
    IStreamServerEndpoint,
    ITransport,
)
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.python.failure import Failure


@implementer(IStreamServerEndpoint)
class LoopbackServerEndpoint:
    """
    Listens with C{reactor.listenTCP} on 127.0.0.1.

    @ivar ports: The ports it listened on.
    """

    def __init__(self, reactor: Any, port: int = 0) -> None:
        self.reactor = reactor
        self.portNumber = port
        self.ports: list[IListeningPort] = []

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        try:
            port = self.reactor.listenTCP(self.portNumber, protocolFactory, interface="127.0.0.1")
        except Exception:
            return fail()
        self.ports.append(port)
        return succeed(port)


class _FireOnConnect(Protocol):
    """
    Connects the application's protocol, then fires the endpoint's
    Deferred with it.
    """

    def __init__(self, wrapped: IProtocol, onConnect: Deferred[IProtocol]) -> None:
        self.wrapped = wrapped
        self.onConnect = onConnect

    def makeConnection(self, transport: ITransport) -> None:
        self.wrapped.makeConnection(transport)
        if not self.onConnect.called:
            self.onConnect.callback(self.wrapped)

    def dataReceived(self, data: bytes) -> None:
        self.wrapped.dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.wrapped.connectionLost(reason)


class _ConnectingFactory(ClientFactory):
    """
    Builds the application's protocol for one connection attempt and
    reports the attempt's outcome on a Deferred.
    """

    def __init__(self, wrapped: IProtocolFactory, connected: Deferred[IProtocol]) -> None:
        self.wrapped = wrapped
        self.connected = connected
        self.noisy = False

    def buildProtocol(self, addr: IAddress | None) -> Protocol | None:
        assert addr is not None
        built = self.wrapped.buildProtocol(addr)
        if built is None:
            self.connected.errback(Failure(RuntimeError("the factory refused")))
            return None
        return _FireOnConnect(built, self.connected)

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        if not self.connected.called:
            self.connected.errback(reason)


@implementer(IStreamClientEndpoint)
class LoopbackClientEndpoint:
    """
    Connects with C{reactor.connectTCP} to a port on 127.0.0.1; cancelling
    the Deferred stops the attempt.
    """

    def __init__(self, reactor: Any, port: int) -> None:
        self.reactor = reactor
        self.portNumber = port

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        connector: list[IConnector] = []

        def cancel(d: Deferred[IProtocol]) -> None:
            try:
                connector[0].stopConnecting()
            except NotConnectingError:
                pass

        connected: Deferred[IProtocol] = Deferred(cancel)
        connector.append(
            self.reactor.connectTCP(
                "127.0.0.1",
                self.portNumber,
                _ConnectingFactory(protocolFactory, connected),
                timeout=10,
            )
        )
        return connected


class Greeter(Protocol):
    """
    Sends a greeting with a connection number as soon as connected.
    """

    factory: GreeterFactory

    def connectionMade(self) -> None:
        self.factory.count += 1
        self.transport.write(b"hello %d\n" % (self.factory.count,))


class GreeterFactory(Factory[Greeter]):
    """
    Builds L{Greeter}s and counts the connections.
    """

    protocol = Greeter

    def __init__(self) -> None:
        self.count = 0
        self.noisy = False


class Listener(Protocol):
    """
    Collects what arrives; C{line} fires with the first line, C{lost} when
    the connection is lost (why is kept as C{reason}).
    """

    def __init__(self) -> None:
        self.received = b""
        self.line: Deferred[bytes] = Deferred()
        self.lost: Deferred[None] = Deferred()
        self.reason: Failure | None = None

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if b"\n" in self.received and not self.line.called:
            self.line.callback(self.received.split(b"\n")[0])

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)


def portOf(listening: IListeningPort) -> int:
    """
    The port number a TCP port listens on.
    """
    port: int = listening.getHost().port  # type: ignore[attr-defined]
    return port
