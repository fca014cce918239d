"""
Tests for the endpoint classes of L{torsion.internet.endpoints}: what each
asks the reactor (on a memory reactor), how a client endpoint's Deferred
settles, and real listening and connecting on 127.0.0.1, ::1 and UNIX
sockets on every reactor.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import RefusingPort, assertNoResult, failureOf, resultOf
from tests.internet.test_endpoints_hostname import FakeResolver, canUseIPv6
from torsion.internet import _endpointsparsers, _stdio
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet._resolver import HostResolution
from torsion.internet.address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet.defer import CancelledError, Deferred, gatherResults, maybeDeferred
from torsion.internet.endpoints import (
    AdoptedStreamServerEndpoint,
    StandardIOEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    TCP6ClientEndpoint,
    TCP6ServerEndpoint,
    UNIXClientEndpoint,
    UNIXServerEndpoint,
    clientFromString,
    connectProtocol,
    serverFromString,
)
from torsion.internet.error import (
    AlreadyListened,
    CannotListenError,
    ConnectingCancelledError,
    ConnectionRefusedError,
    DNSLookupError,
    NoProtocol,
)
from torsion.internet.interfaces import (
    IFileDescriptorReceiver,
    IHalfCloseableProtocol,
    IHandshakeListener,
    IListeningPort,
    IProtocol,
    IStreamClientEndpoint,
    IStreamServerEndpoint,
)
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.internet.testing import MemoryReactor, RaisingMemoryReactor, StringTransport
from torsion.python.failure import Failure
from torsion.trial.util import runUntil


class Recorder(Protocol):
    """
    Records what happens to it.
    """

    def __init__(self) -> None:
        self.events: list[Any] = []

    def connectionMade(self) -> None:
        self.events.append("made")

    def dataReceived(self, data: bytes) -> None:
        self.events.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.events.append(reason.type)


def connectedTo(reactor: MemoryReactor, index: int = 0) -> Any:
    """
    Complete client connection C{index} of a memory reactor as a real
    reactor would, giving the protocol the reactor got.
    """
    factory = reactor.tcpClients[index][2] if reactor.tcpClients else reactor.unixClients[0][1]
    protocol = factory.buildProtocol(IPv4Address("TCP", "192.0.2.1", 80))
    if protocol is not None:
        protocol.makeConnection(StringTransport())
    return protocol


class ServerEndpointTests:
    """
    Server endpoints on a memory reactor.
    """

    def test_tcp4(self) -> None:
        """
        L{TCP4ServerEndpoint} listens with C{listenTCP} and fires with the
        port.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Protocol)
        endpoint = TCP4ServerEndpoint(reactor, 8080, backlog=7, interface="127.0.0.1")
        assert verifyObject(IStreamServerEndpoint, endpoint)
        port = resultOf(endpoint.listen(factory))
        assert reactor.tcpServers == [(8080, factory, 7, "127.0.0.1")]
        assert port.getHost() == IPv4Address("TCP", "127.0.0.1", 8080)
        assert repr(endpoint) == "<TCP4ServerEndpoint 127.0.0.1:8080>"

    def test_tcp6(self) -> None:
        """
        L{TCP6ServerEndpoint} listens on C{::} by default.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Protocol)
        endpoint = TCP6ServerEndpoint(reactor, 0)
        resultOf(endpoint.listen(factory))
        assert reactor.tcpServers == [(0, factory, 50, "::")]
        assert repr(endpoint) == "<TCP6ServerEndpoint [::]:0>"

    def test_listenFails(self) -> None:
        """
        A listen call that raises gives a failed Deferred.
        """
        error = CannotListenError("", 80, OSError("taken"))
        reactor = RaisingMemoryReactor(listenException=error)
        for endpoint in (
            TCP4ServerEndpoint(reactor, 80),
            TCP6ServerEndpoint(reactor, 80),
            UNIXServerEndpoint(reactor, "/x"),
        ):
            assert failureOf(endpoint.listen(Factory()), CannotListenError).value is error

    def test_unix(self) -> None:
        """
        L{UNIXServerEndpoint} listens with C{listenUNIX}, with its backlog,
        mode and lock file choice.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Protocol)
        endpoint = UNIXServerEndpoint(reactor, "/run/a.sock", 3, 0o600, wantPID=1)
        assert verifyObject(IStreamServerEndpoint, endpoint)
        resultOf(endpoint.listen(factory))
        assert reactor.unixServers == [("/run/a.sock", factory, 3, 0o600, True)]
        assert repr(endpoint) == "<UNIXServerEndpoint '/run/a.sock' mode=0o600>"

    def test_adopted(self) -> None:
        """
        L{AdoptedStreamServerEndpoint} adopts the descriptor with
        C{adoptStreamPort}, then closes it (the reactor has a duplicate).
        """
        reactor = MemoryReactor()
        closed: list[int] = []
        endpoint = AdoptedStreamServerEndpoint(reactor, 42, socket.AF_INET6)
        endpoint._close = closed.append
        factory = Factory.forProtocol(Protocol)
        assert verifyObject(IStreamServerEndpoint, endpoint)
        assert verifyObject(IListeningPort, resultOf(endpoint.listen(factory)))
        assert reactor.adoptedPorts == [(42, socket.AF_INET6, factory)]
        assert closed == [42]
        assert repr(endpoint) == "<AdoptedStreamServerEndpoint fd=42 AF_INET6>"

    def test_adoptedOnce(self) -> None:
        """
        An adopted endpoint listens only once; the second time fails with
        L{AlreadyListened}, saying why.
        """
        endpoint = AdoptedStreamServerEndpoint(MemoryReactor(), 42, socket.AF_INET)
        endpoint._close = lambda fd: None
        resultOf(endpoint.listen(Factory()))
        failure = failureOf(endpoint.listen(Factory()), AlreadyListened)
        assert "listens only once" in str(failure.value)

    def test_adoptFails(self) -> None:
        """
        If adopting fails, the Deferred fails and the descriptor is left
        open.
        """
        closed: list[int] = []
        reactor = RaisingMemoryReactor(listenException=OSError("not a socket"))
        endpoint = AdoptedStreamServerEndpoint(reactor, 42, socket.AF_INET)
        endpoint._close = closed.append
        failureOf(endpoint.listen(Factory()), OSError)
        assert closed == []

    def test_standardIO(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        L{StandardIOEndpoint} builds one protocol for a pipe address and
        connects it to standard I/O with the reactor, firing with the
        transport.
        """
        made: list[tuple[Any, Any]] = []

        def fakeStandardIO(protocol: Any, reactor: Any = None) -> str:
            made.append((protocol, reactor))
            return "transport"

        monkeypatch.setattr(_stdio, "StandardIO", fakeStandardIO)
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Recorder)
        endpoint = StandardIOEndpoint(reactor)
        assert verifyObject(IStreamServerEndpoint, endpoint)
        assert resultOf(endpoint.listen(factory)) == "transport"
        assert len(made) == 1
        assert isinstance(made[0][0], Recorder)
        assert made[0][1] is reactor


class ClientEndpointTests:
    """
    Client endpoints on a memory reactor: how the Deferred settles.
    """

    def test_tcp4(self) -> None:
        """
        L{TCP4ClientEndpoint} connects with C{connectTCP}; once connected,
        the Deferred fires with the protocol the factory built, which is
        connected to the transport.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Recorder)
        endpoint = TCP4ClientEndpoint(reactor, "example.org", 80, 7, ("10.0.0.1", 5))
        assert verifyObject(IStreamClientEndpoint, endpoint)
        d = endpoint.connect(factory)
        assert [call[:2] + call[3:] for call in reactor.tcpClients] == [
            ("example.org", 80, 7, ("10.0.0.1", 5))
        ]
        assertNoResult(d)
        wrapper = connectedTo(reactor)
        protocol = resultOf(d)
        assert isinstance(protocol, Recorder)
        assert protocol.events == ["made"]
        assert protocol.transport is wrapper.transport
        assert protocol.factory is factory
        assert repr(endpoint) == "<TCP4ClientEndpoint example.org:80>"

    def test_forwards(self) -> None:
        """
        After connecting, data and the connection's end reach the protocol.
        """
        reactor = MemoryReactor()
        d = TCP4ClientEndpoint(reactor, "h", 1).connect(Factory.forProtocol(Recorder))
        wrapper = connectedTo(reactor)
        protocol = resultOf(d)
        wrapper.dataReceived(b"hello")
        wrapper.connectionLost(Failure(ConnectionRefusedError()))
        assert protocol.events == ["made", b"hello", ConnectionRefusedError]
        assert wrapper.logPrefix() == "Recorder"

    def test_bindAddressHostOnly(self) -> None:
        """
        A C{bindAddress} that is only a host means any port.
        """
        reactor = MemoryReactor()
        TCP4ClientEndpoint(reactor, "h", 1, bindAddress="10.0.0.1").connect(Factory())
        TCP4ClientEndpoint(reactor, "h", 1, bindAddress=b"10.0.0.2").connect(  # type: ignore[arg-type]
            Factory()
        )
        assert [call[4] for call in reactor.tcpClients] == [("10.0.0.1", 0), ("10.0.0.2", 0)]

    def test_connectionFailed(self) -> None:
        """
        When the reactor reports failure, the Deferred fails with the
        reason.
        """
        reactor = MemoryReactor()
        d = TCP4ClientEndpoint(reactor, "h", 1).connect(Factory.forProtocol(Recorder))
        reactor.tcpClients[0][2].clientConnectionFailed(
            reactor.connectors[0], Failure(ConnectionRefusedError())
        )
        failureOf(d, ConnectionRefusedError)

    def test_connectRaises(self) -> None:
        """
        A connect call that raises gives a failed Deferred.
        """
        reactor = RaisingMemoryReactor(connectException=ValueError("bad"))
        failureOf(TCP4ClientEndpoint(reactor, "h", 1).connect(Factory()), ValueError)
        failureOf(TCP6ClientEndpoint(reactor, "::1", 1).connect(Factory()), ValueError)
        failureOf(UNIXClientEndpoint(reactor, "/x").connect(Factory()), ValueError)

    def test_cancel(self) -> None:
        """
        Cancelling fails the Deferred with L{ConnectingCancelledError}
        naming the address, and stops the connector; a report of failure
        that follows is ignored, and a connection that completes anyway
        gets no protocol.
        """
        reactor = MemoryReactor()
        built: list[Any] = []
        factory = Factory.forProtocol(Recorder)

        def buildProtocol(addr: Any) -> None:
            built.append(addr)

        factory.buildProtocol = buildProtocol  # type: ignore[method-assign]
        d = TCP4ClientEndpoint(reactor, "192.0.2.1", 80).connect(factory)
        d.cancel()
        failure = failureOf(d, ConnectingCancelledError)
        assert failure.value.address == IPv4Address("TCP", "192.0.2.1", 80)  # type: ignore[attr-defined]
        assert reactor.connectors[0].stoppedConnecting
        reactor.tcpClients[0][2].clientConnectionFailed(
            reactor.connectors[0], Failure(ConnectionRefusedError())
        )
        assert connectedTo(reactor) is None
        assert built == []

    def test_buildProtocolRaises(self) -> None:
        """
        If the factory's C{buildProtocol} raises, the Deferred fails with
        that error and the reactor gets no protocol.
        """
        reactor = MemoryReactor()

        class Broken(Factory[Any]):
            def buildProtocol(self, addr: Any) -> Any:
                raise ZeroDivisionError()

        d = TCP4ClientEndpoint(reactor, "h", 1).connect(Broken())
        assert connectedTo(reactor) is None
        failureOf(d, ZeroDivisionError)

    def test_buildProtocolNone(self) -> None:
        """
        If the factory's C{buildProtocol} returns None, the Deferred fails
        with L{NoProtocol}, saying so.
        """
        reactor = MemoryReactor()

        class Refusing(Factory[Any]):
            def buildProtocol(self, addr: Any) -> Any:
                return None

        d = TCP4ClientEndpoint(reactor, "h", 1).connect(Refusing())
        assert connectedTo(reactor) is None
        assert "buildProtocol() returned None" in str(failureOf(d, NoProtocol).value)

    def test_connectionMadeRaises(self) -> None:
        """
        If the protocol's C{connectionMade} raises, the Deferred fails with
        that error, which also reaches the transport (which then closes).
        """
        reactor = MemoryReactor()

        class Grumpy(Protocol):
            def connectionMade(self) -> None:
                raise ZeroDivisionError()

        d = TCP4ClientEndpoint(reactor, "h", 1).connect(Factory.forProtocol(Grumpy))
        with pytest.raises(ZeroDivisionError):
            connectedTo(reactor)
        failureOf(d, ZeroDivisionError)

    def test_factoryStartStop(self) -> None:
        """
        The reactor's C{doStart}/C{doStop} calls on the wrapping factory
        reach the user's factory.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Recorder)
        TCP4ClientEndpoint(reactor, "h", 1).connect(factory)
        wrapping = reactor.tcpClients[0][2]
        wrapping.doStart()
        assert factory.numPorts == 1
        wrapping.doStop()
        assert factory.numPorts == 0

    def test_optionalInterfaces(self) -> None:
        """
        The reactor's protocol provides half-close, descriptor passing and
        handshake notification exactly when the user's does, and forwards
        those calls.
        """

        @implementer(IHalfCloseableProtocol, IFileDescriptorReceiver, IHandshakeListener)
        class Rich(Recorder):
            def readConnectionLost(self) -> None:
                self.events.append("read lost")

            def writeConnectionLost(self) -> None:
                self.events.append("write lost")

            def fileDescriptorReceived(self, descriptor: int) -> None:
                self.events.append(descriptor)

            def handshakeCompleted(self) -> None:
                self.events.append("handshake")

        reactor = MemoryReactor()
        d = TCP4ClientEndpoint(reactor, "h", 1).connect(Factory.forProtocol(Rich))
        TCP4ClientEndpoint(reactor, "h", 1).connect(Factory.forProtocol(Recorder))
        rich = connectedTo(reactor, 0)
        plain = connectedTo(reactor, 1)
        for interface in (IHalfCloseableProtocol, IFileDescriptorReceiver, IHandshakeListener):
            assert interface.providedBy(rich)
            assert not interface.providedBy(plain)
        rich.readConnectionLost()
        rich.writeConnectionLost()
        rich.fileDescriptorReceived(7)
        rich.handshakeCompleted()
        assert resultOf(d).events == ["made", "read lost", "write lost", 7, "handshake"]

    def test_connectProtocol(self) -> None:
        """
        L{connectProtocol} connects a protocol made beforehand and fires
        with it.
        """
        reactor = MemoryReactor()
        protocol = Recorder()
        d = connectProtocol(TCP4ClientEndpoint(reactor, "h", 1), protocol)
        connectedTo(reactor)
        assert resultOf(d) is protocol
        assert protocol.events == ["made"]

    def test_unix(self) -> None:
        """
        L{UNIXClientEndpoint} connects with C{connectUNIX}.
        """
        reactor = MemoryReactor()
        endpoint = UNIXClientEndpoint(reactor, "/run/a.sock", 4, checkPID=1)
        assert verifyObject(IStreamClientEndpoint, endpoint)
        d = endpoint.connect(Factory.forProtocol(Recorder))
        assert [(c[0], c[2], c[3]) for c in reactor.unixClients] == [("/run/a.sock", 4, True)]
        connectedTo(reactor)
        assert isinstance(resultOf(d), Recorder)
        assert repr(endpoint) == "<UNIXClientEndpoint '/run/a.sock'>"


class TCP6ClientTests:
    """
    L{TCP6ClientEndpoint}: IPv6 literals and host names.
    """

    def test_literal(self) -> None:
        """
        An IPv6 address is connected to at once.
        """
        reactor = MemoryReactor()
        endpoint = TCP6ClientEndpoint(reactor, "::1", 80)
        assert verifyObject(IStreamClientEndpoint, endpoint)
        endpoint.connect(Factory())
        assert [call[:2] for call in reactor.tcpClients] == [("::1", 80)]
        assert repr(endpoint) == "<TCP6ClientEndpoint [::1]:80>"

    def setUp(self) -> tuple[MemoryReactor, FakeResolver, Deferred[IProtocol]]:
        """
        A TCP6 client endpoint to a name, on a memory reactor with a fake
        resolver, connecting.
        """
        reactor = MemoryReactor()
        resolver = FakeResolver()
        reactor.installNameResolver(resolver)
        d = TCP6ClientEndpoint(reactor, "example.org", 80).connect(Factory.forProtocol(Recorder))
        return reactor, resolver, d

    def test_name(self) -> None:
        """
        A name is looked up for IPv6 only; the first IPv6 address found is
        connected to.
        """
        reactor, resolver, d = self.setUp()
        assert [lookup[1:4] for lookup in resolver.lookups] == [("example.org", 80, [IPv6Address])]
        assert reactor.tcpClients == []
        resolver.answer("192.0.2.1", "2001:db8::5", "2001:db8::6")
        assert [call[:2] for call in reactor.tcpClients] == [("2001:db8::5", 80)]
        connectedTo(reactor)
        assert isinstance(resultOf(d), Recorder)

    def test_noIPv6Address(self) -> None:
        """
        A name without IPv6 address fails with L{DNSLookupError} saying
        what to use instead.
        """
        _, resolver, d = self.setUp()
        resolver.answer("192.0.2.1")
        assert str(failureOf(d, DNSLookupError).value) == (
            "no IPv6 address found for 'example.org'; for IPv4 use TCP4ClientEndpoint, "
            "for either use HostnameEndpoint"
        )

    def test_cancelWhileResolving(self) -> None:
        """
        Cancelling during the lookup cancels the lookup.
        """
        reactor, resolver, d = self.setUp()
        d.cancel()
        failureOf(d, CancelledError)
        resolution: HostResolution = resolver.lookups[0][4]
        assert resolution.cancelled
        resolver.answer("2001:db8::5")
        assert reactor.tcpClients == []

    def test_cancelWhileConnecting(self) -> None:
        """
        Cancelling once the name is resolved stops the connection attempt.
        """
        reactor, resolver, d = self.setUp()
        resolver.answer("2001:db8::5")
        d.cancel()
        failureOf(d, ConnectingCancelledError)
        assert reactor.connectors[0].stoppedConnecting


# -- real sockets ----------------------------------------------------------------


class Echo(Protocol):
    """
    Sends back what it receives; fires its factory's C{lost} when done.
    """

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.factory.lost.callback(None)


class Talker(Protocol):
    """
    Sends C{hello}, and hangs up once it has come back.
    """

    def __init__(self) -> None:
        self.received = b""
        self.lost: Deferred[bytes] = Deferred()

    def connectionMade(self) -> None:
        self.transport.write(b"hello")

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self.received == b"hello":
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(self.received)


def roundTrip(
    reactor: PollingReactor,
    server: IStreamServerEndpoint,
    makeClient: Callable[[Any], IStreamClientEndpoint],
    listening: Callable[[], object] = lambda: None,
) -> tuple[Any, Any]:
    """
    Listen on C{server}, call C{listening}, connect the client endpoint
    C{makeClient} makes for the port's address, echo C{hello}, and stop
    listening.

    @return: The server's host address and the client's peer address.
    """
    factory = Factory.forProtocol(Echo)
    factory.lost = Deferred()  # type: ignore[attr-defined]
    port = runUntil(reactor, server.listen(factory), 30)
    listening()
    host = port.getHost()
    try:
        talker = Talker()
        runUntil(reactor, connectProtocol(makeClient(host), talker), 30)
        peer = talker.transport.getPeer()
        both = gatherResults([talker.lost, factory.lost])  # type: ignore[attr-defined]
        assert runUntil(reactor, both, 30)[0] == b"hello"
    finally:
        runUntil(reactor, maybeDeferred(port.stopListening), 30)
    return host, peer


class RealSocketTests:
    """
    Endpoints listening and connecting for real, on every reactor.
    """

    def test_tcp4(self, anyReactor: PollingReactor) -> None:
        """
        A TCP4 client endpoint reaches a TCP4 server endpoint on 127.0.0.1.
        """
        host, peer = roundTrip(
            anyReactor,
            serverFromString(anyReactor, "tcp:0:interface=127.0.0.1"),
            lambda host: clientFromString(anyReactor, f"tcp:127.0.0.1:{host.port}:timeout=10"),
        )
        assert isinstance(host, IPv4Address)
        assert host.host == "127.0.0.1"
        assert peer == host

    def test_tcp6(self, anyReactor: PollingReactor) -> None:
        """
        A TCP6 client endpoint reaches a TCP6 server endpoint on ::1.
        """
        if not canUseIPv6():
            pytest.skip("this machine cannot listen on ::1")
        host, peer = roundTrip(
            anyReactor,
            serverFromString(anyReactor, "tcp6:0:interface=\\:\\:1"),
            lambda host: clientFromString(anyReactor, f"tcp6:\\:\\:1:{host.port}"),
        )
        assert isinstance(host, IPv6Address)
        assert host.host == "::1"
        assert (peer.host, peer.port) == ("::1", host.port)

    def test_unix(self, anyReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A UNIX client endpoint reaches a UNIX server endpoint whose socket
        has the mode described; the socket and lock files go when it stops.
        """
        path = tmp_path / "e.sock"
        seen: list[int] = []
        server = serverFromString(anyReactor, f"unix:{path}:mode=600")

        def listening() -> None:
            seen.append(stat.S_IMODE(os.stat(path).st_mode))
            assert os.path.lexists(f"{path}.lock")

        host, peer = roundTrip(
            anyReactor,
            server,
            lambda host: clientFromString(anyReactor, f"unix:{path}"),
            listening,
        )
        assert seen == [0o600]
        assert host == UNIXAddress(str(path))
        assert peer == UNIXAddress(str(path))
        assert list(tmp_path.iterdir()) == []

    def test_portTaken(self, anyReactor: PollingReactor) -> None:
        """
        Listening where another socket listens fails with
        L{CannotListenError}.
        """
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            number = taken.getsockname()[1]
            d = TCP4ServerEndpoint(anyReactor, number, interface="127.0.0.1").listen(Factory())
            failureOf(d, CannotListenError)

    def test_refused(self, anyReactor: PollingReactor) -> None:
        """
        Connecting where nothing listens fails with
        L{ConnectionRefusedError}.
        """
        with RefusingPort() as port:
            d = TCP4ClientEndpoint(anyReactor, "127.0.0.1", port).connect(Factory())
            with pytest.raises(ConnectionRefusedError):
                runUntil(anyReactor, d, 30)

    def test_adopted(self, anyReactor: PollingReactor) -> None:
        """
        An adopted listening socket accepts connections, and the endpoint
        closed the descriptor it was given.
        """
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        number = sock.getsockname()[1]
        fd = sock.detach()
        endpoint = AdoptedStreamServerEndpoint(anyReactor, fd, socket.AF_INET)
        closedAfterListen: list[bool] = []

        def listening() -> None:
            try:
                os.fstat(fd)
            except OSError:
                closedAfterListen.append(True)

        host, _ = roundTrip(
            anyReactor,
            endpoint,
            lambda host: TCP4ClientEndpoint(anyReactor, host.host, host.port),
            listening,
        )
        assert host == IPv4Address("TCP", "127.0.0.1", number)
        assert closedAfterListen == [True]

    def test_systemd(self, anyReactor: PollingReactor, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        A C{systemd:} description adopts the socket passed in the
        environment, which then accepts connections (the passed sockets
        are made to start at this socket's descriptor instead of 3).
        """
        listening = socket.socket(socket.AF_INET)
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        number = listening.getsockname()[1]
        fd = listening.detach()
        parser = next(p for p in _endpointsparsers.SERVER_PARSERS if p.prefix == "systemd")
        monkeypatch.setattr(parser, "start", fd)
        monkeypatch.setattr(parser, "environ", {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "1"})
        server = serverFromString(anyReactor, "systemd:domain=INET:index=0")
        host, _ = roundTrip(
            anyReactor, server, lambda host: TCP4ClientEndpoint(anyReactor, host.host, host.port)
        )
        assert host == IPv4Address("TCP", "127.0.0.1", number)
