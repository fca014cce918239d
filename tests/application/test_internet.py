"""
Tests for the reactor-based services of L{torsion.application.internet}
(ClientService has its own module): the classic TCPServer/TCPClient/...
services, TimerService, CooperatorService and StreamServerEndpointService,
on fakes and on real sockets on 127.0.0.1.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.application.loopback import (
    GreeterFactory,
    Listener,
    LoopbackClientEndpoint,
    LoopbackServerEndpoint,
    portOf,
)
from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.application import internet
from torsion.application.internet import (
    CooperatorService,
    MulticastServer,
    SSLClient,
    SSLServer,
    StreamServerEndpointService,
    TCPClient,
    TCPServer,
    TimerService,
    UDPServer,
    UNIXClient,
    UNIXDatagramClient,
    UNIXDatagramServer,
    UNIXServer,
)
from torsion.application.service import IService, MultiService
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import Deferred, fail, succeed
from torsion.internet.error import CannotListenError, ConnectionRefusedError
from torsion.internet.interfaces import (
    IListeningPort,
    IProtocolFactory,
    IReactorSSL,
    IStreamServerEndpoint,
)
from torsion.internet.protocol import ClientFactory, DatagramProtocol, Factory, Protocol
from torsion.internet.task import Clock, Cooperator, SchedulerStopped
from torsion.internet.testing import MemoryReactor
from torsion.logger import LogEvent
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

# -- the classic services ------------------------------------------------


class RecordingReactor:
    """
    Records every C{listen*} and C{connect*} call; returns a port or a
    connector that records C{stopListening} and C{disconnect}.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.stopped: list[str] = []
        self.disconnected: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if not name.startswith(("listen", "connect")):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return _Handle(self, name)

        return call


class _Handle:
    """
    What L{RecordingReactor} returns: both a port and a connector.
    """

    def __init__(self, reactor: RecordingReactor, name: str) -> None:
        self.reactor = reactor
        self.name = name

    def stopListening(self) -> Deferred[None]:
        self.reactor.stopped.append(self.name)
        return succeed(None)

    def disconnect(self) -> None:
        self.reactor.disconnected.append(self.name)


SERVERS = [
    (TCPServer, "listenTCP"),
    (UNIXServer, "listenUNIX"),
    (SSLServer, "listenSSL"),
    (UDPServer, "listenUDP"),
    (UNIXDatagramServer, "listenUNIXDatagram"),
    (MulticastServer, "listenMulticast"),
]

CLIENTS = [
    (TCPClient, "connectTCP"),
    (UNIXClient, "connectUNIX"),
    (SSLClient, "connectSSL"),
    (UNIXDatagramClient, "connectUNIXDatagram"),
]


def test_exports() -> None:
    """
    The module exports Twisted's names (strports aside), claimed by the
    public module.
    """
    assert sorted(internet.__all__) == [
        "ClientService",
        "CooperatorService",
        "MulticastServer",
        "SSLClient",
        "SSLServer",
        "StreamServerEndpointService",
        "TCPClient",
        "TCPServer",
        "TimerService",
        "UDPServer",
        "UNIXClient",
        "UNIXDatagramClient",
        "UNIXDatagramServer",
        "UNIXServer",
        "backoffPolicy",
    ]
    for name in internet.__all__:
        assert getattr(internet, name).__module__ == "torsion.application.internet", name


class ClassicServiceTests:
    """
    Tests for the classic services, each of which calls one reactor method.
    """

    @pytest.mark.parametrize(("serviceClass", "method"), SERVERS)
    def test_serverListensAndStops(self, serviceClass: type[Any], method: str) -> None:
        """
        A server service calls C{reactor.listen<X>} with its arguments (not
        the C{reactor} keyword) when started, and stopListening when
        stopped, returning its result.
        """
        reactor = RecordingReactor()
        service = serviceClass(1234, "factory", reactor=reactor, interface="127.0.0.1")
        assert verifyObject(IService, service)
        assert service.args == (1234, "factory")
        assert service.kwargs == {"interface": "127.0.0.1"}
        service.startService()
        assert reactor.calls == [(method, (1234, "factory"), {"interface": "127.0.0.1"})]
        assert service.running
        assert resultOf(service.stopService()) is None
        assert reactor.stopped == [method]
        assert not service.running

    @pytest.mark.parametrize(("serviceClass", "method"), SERVERS)
    def test_serverListensWhenPrivileged(self, serviceClass: type[Any], method: str) -> None:
        """
        privilegedStartService listens already; startService then does not
        listen a second time.
        """
        reactor = RecordingReactor()
        service = serviceClass(80, "factory", reactor=reactor)
        service.privilegedStartService()
        assert [call[0] for call in reactor.calls] == [method]
        service.startService()
        assert [call[0] for call in reactor.calls] == [method]

    @pytest.mark.parametrize(("serviceClass", "method"), SERVERS)
    def test_serverRestarts(self, serviceClass: type[Any], method: str) -> None:
        """
        A stopped server listens again when started again; stopping one
        that never started does nothing.
        """
        reactor = RecordingReactor()
        service = serviceClass(80, "factory", reactor=reactor)
        assert service.stopService() is None
        service.startService()
        service.stopService()
        service.startService()
        assert [call[0] for call in reactor.calls] == [method, method]

    @pytest.mark.parametrize(("serviceClass", "method"), CLIENTS)
    def test_clientConnectsAndDisconnects(self, serviceClass: type[Any], method: str) -> None:
        """
        A client service calls C{reactor.connect<X>} with its arguments when
        started (not before), and disconnects when stopped.
        """
        reactor = RecordingReactor()
        service = serviceClass("host", 99, "factory", reactor=reactor, timeout=5)
        service.privilegedStartService()
        assert reactor.calls == []
        service.startService()
        assert reactor.calls == [(method, ("host", 99, "factory"), {"timeout": 5})]
        assert service.stopService() is None
        assert reactor.disconnected == [method]
        assert service.stopService() is None
        assert reactor.disconnected == [method]

    def test_memoryReactorTCP(self) -> None:
        """
        Against MemoryReactor, TCPServer listens with the defaults filled in
        by the reactor, and TCPClient connects.
        """
        reactor = MemoryReactor()
        factory: Factory[Protocol] = Factory.forProtocol(Protocol)
        server = TCPServer(8080, factory, reactor=reactor)
        server.startService()
        assert reactor.tcpServers == [(8080, factory, 50, "")]
        client = TCPClient("127.0.0.1", 8080, ClientFactory(), reactor=reactor)
        client.startService()
        assert [(host, port) for host, port, *_ in reactor.tcpClients] == [("127.0.0.1", 8080)]
        client.stopService()
        assert reactor.connectors[0]._disconnected

    def test_reactorWithoutMethod(self) -> None:
        """
        A reactor that lacks the method raises TypeError saying which.
        """
        service = MulticastServer(0, DatagramProtocol(), reactor=MemoryReactor())
        with pytest.raises(
            TypeError, match=r"^MulticastServer calls reactor.listenMulticast\(\), which"
        ):
            service.startService()

    def test_globalReactorByDefault(self) -> None:
        """
        Without C{reactor=}, the global reactor is used (here, a UNIX path
        that cannot exist makes the call fail, showing it was made).
        """
        from torsion.internet import reactor

        service = UNIXServer("/nonexistent-directory/socket", Factory.forProtocol(Protocol))
        assert service.reactor is None
        with pytest.raises(CannotListenError):
            service.startService()
        assert reactor is not None


class RealSocketTests:
    """
    The classic services on real sockets, on each reactor backend.
    """

    def test_tcpServerAndClient(self, anyReactor: PollingReactor) -> None:
        """
        A TCPServer on 127.0.0.1 greets a TCPClient; stopping the server
        closes its port.
        """
        server = TCPServer(0, GreeterFactory(), interface="127.0.0.1", reactor=anyReactor)
        server.startService()
        port = portOf(server._port)
        listener = Listener()
        client = TCPClient(
            "127.0.0.1", port, _OneProtocolFactory(listener), timeout=10, reactor=anyReactor
        )
        client.startService()
        assert runUntil(anyReactor, listener.line, timeout=10) == b"hello 1"
        client.stopService()
        runUntil(anyReactor, listener.lost, timeout=10)
        runUntil(anyReactor, _asDeferred(server.stopService()), timeout=10)
        assert _refused(port)

    def test_unixServerAndClient(self, anyReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A UNIXServer greets a UNIXClient over a socket file.
        """
        path = str(tmp_path / "s")
        server = UNIXServer(path, GreeterFactory(), reactor=anyReactor)
        server.privilegedStartService()
        server.startService()
        listener = Listener()
        client = UNIXClient(path, _OneProtocolFactory(listener), reactor=anyReactor)
        client.startService()
        assert runUntil(anyReactor, listener.line, timeout=10) == b"hello 1"
        client.stopService()
        runUntil(anyReactor, listener.lost, timeout=10)
        runUntil(anyReactor, _asDeferred(server.stopService()), timeout=10)

    def test_udpServer(self, anyReactor: PollingReactor) -> None:
        """
        A UDPServer receives datagrams while running.
        """
        received: Deferred[bytes] = Deferred()

        class Receiver(DatagramProtocol):
            def datagramReceived(self, data: bytes, addr: Any) -> None:
                received.callback(data)

        server = UDPServer(0, Receiver(), interface="127.0.0.1", reactor=anyReactor)
        server.startService()
        address = server._port.getHost()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"ping", ("127.0.0.1", address.port))
        assert runUntil(anyReactor, received, timeout=10) == b"ping"
        runUntil(anyReactor, _asDeferred(server.stopService()), timeout=10)

    def test_sslServerAndClient(self, anyReactor: PollingReactor, tmp_path: Path) -> None:
        """
        Where the reactor provides IReactorSSL, an SSLServer greets an
        SSLClient over TLS.
        """
        if not IReactorSSL.providedBy(anyReactor):
            pytest.skip(
                f"{type(anyReactor).__name__} does not provide IReactorSSL (listenSSL/"
                "connectSSL) yet, so SSLServer and SSLClient are only tested on fakes"
            )
        trustme = pytest.importorskip("trustme")
        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1")
        serverContext = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(serverContext)
        clientContext = ssl.create_default_context()
        clientContext.check_hostname = False
        authority.configure_trust(clientContext)
        server = SSLServer(
            0,
            GreeterFactory(),
            _ContextFactory(serverContext),
            interface="127.0.0.1",
            reactor=anyReactor,
        )
        server.startService()
        listener = Listener()
        client = SSLClient(
            "127.0.0.1",
            portOf(server._port),
            _OneProtocolFactory(listener),
            _ContextFactory(clientContext),
            reactor=anyReactor,
        )
        client.startService()
        assert runUntil(anyReactor, listener.line, timeout=10) == b"hello 1"
        client.stopService()
        runUntil(anyReactor, listener.lost, timeout=10)
        runUntil(anyReactor, _asDeferred(server.stopService()), timeout=10)


class _ContextFactory:
    """
    An old-style TLS context factory: the same SSLContext every time.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context

    def getContext(self) -> ssl.SSLContext:
        return self.context


class _OneProtocolFactory(ClientFactory):
    """
    Hands out one given protocol.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.built = protocol
        self.noisy = False

    def buildProtocol(self, addr: Any) -> Protocol:
        return self.built


def _asDeferred(result: Deferred[Any] | None) -> Deferred[Any]:
    """
    C{result}, or a fired Deferred if it is None.
    """
    return succeed(None) if result is None else result


def _refused(port: int) -> bool:
    """
    Whether connecting to C{port} on 127.0.0.1 is refused now.
    """
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


# -- TimerService --------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    """
    A fresh Clock.
    """
    return Clock()


class TimerServiceTests:
    """
    Tests for L{TimerService}.
    """

    def test_callsEveryStep(self, clock: Clock) -> None:
        """
        The function is called with its arguments at once when started,
        then every C{step} seconds; stopping ends the calls.
        """
        calls: list[tuple[float, str, str]] = []
        service = TimerService(2, lambda a, b: calls.append((clock.seconds(), a, b)), "x", b="y")
        service.clock = clock
        assert service.call[1:] == (("x",), {"b": "y"})
        service.startService()
        assert service.running
        clock.advance(2)
        clock.advance(2)
        assert calls == [(0.0, "x", "y"), (2.0, "x", "y"), (4.0, "x", "y")]
        stopped = service.stopService()
        assert resultOf(stopped) is None
        assert not service.running
        clock.advance(10)
        assert len(calls) == 3
        assert clock.getDelayedCalls() == []

    def test_stopWaitsForCallInProgress(self, clock: Clock) -> None:
        """
        If the current call returned a Deferred, stopService's Deferred
        waits for it; the service stays running until then.
        """
        pending: Deferred[None] = Deferred()
        service = TimerService(1, lambda: pending)
        service.clock = clock
        service.startService()
        stopped = service.stopService()
        assertNoResult(stopped)
        assert service.running
        pending.callback(None)
        assert resultOf(stopped) is None
        assert not service.running

    def test_failureLoggedAndEndsCalls(self, clock: Clock, loggedFailures: list[LogEvent]) -> None:
        """
        A failing call is logged and ends the calls; stopService then still
        fires.
        """
        calls: list[float] = []

        def tick() -> None:
            calls.append(clock.seconds())
            if len(calls) == 2:
                raise ValueError("broken tick")

        service = TimerService(1, tick)
        service.clock = clock
        service.startService()
        clock.advance(1)
        clock.advance(1)
        assert calls == [0.0, 1.0]
        assert len(loggedFailures) == 1
        assert loggedFailures[0]["log_failure"].check(ValueError)
        assert loggedFailures[0]["service"] is service
        assert resultOf(service.stopService()) is None
        assert not service.running

    def test_restart(self, clock: Clock) -> None:
        """
        A stopped TimerService starts calling again when started again.
        """
        calls: list[float] = []
        service = TimerService(1, lambda: calls.append(clock.seconds()))
        service.clock = clock
        service.startService()
        service.stopService()
        clock.advance(5)
        service.startService()
        clock.advance(1)
        assert calls == [0.0, 5.0, 6.0]
        service.stopService()

    def test_stopUnstarted(self) -> None:
        """
        Stopping a TimerService that never started fires at once.
        """
        assert resultOf(TimerService(1, print).stopService()) is None

    def test_globalReactorByDefault(self) -> None:
        """
        Without a clock, the loop runs on the global reactor.
        """
        from torsion.internet import reactor

        service = TimerService(60, lambda: None)
        service.startService()
        try:
            assert service._loop is not None
            assert service._loop.clock is reactor
        finally:
            service.stopService()
        assert service._loop.call is None


class CooperatorServiceTests:
    """
    Tests for L{CooperatorService}.
    """

    def test_runsTasksWhileRunning(self) -> None:
        """
        Tasks run only once the service starts, and stopping it stops them.
        """
        clock = Clock()
        service = CooperatorService()
        service.coop = Cooperator(
            terminationPredicateFactory=lambda: lambda: True,
            scheduler=lambda tick: clock.callLater(1, tick),
            started=False,
        )
        steps: list[int] = []

        def work() -> Iterator[None]:
            for i in range(100):
                steps.append(i)
                yield None

        done = service.coiterate(work())
        clock.advance(1)
        assert steps == []
        service.startService()
        assert service.running
        clock.advance(1)
        clock.advance(1)
        assert steps == [0, 1]
        assert service.stopService() is None
        assert not service.running
        failureOf(done, SchedulerStopped)


# -- StreamServerEndpointService ---------------------------------------


class FakePort:
    """
    A listening port that records stopListening, whose Deferred the test
    fires.
    """

    def __init__(self) -> None:
        self.stopping: Deferred[None] | None = None

    def stopListening(self) -> Deferred[None]:
        self.stopping = Deferred()
        return self.stopping


@implementer(IStreamServerEndpoint)
class FakeServerEndpoint:
    """
    An endpoint whose listen() returns the Deferred the test gives it (or
    raises), and records the factory.
    """

    def __init__(self, result: Deferred[Any]) -> None:
        self.result = result
        self.factories: list[IProtocolFactory] = []

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        self.factories.append(protocolFactory)
        return self.result


class StreamServerEndpointServiceTests:
    """
    Tests for L{StreamServerEndpointService}, on fake endpoints.
    """

    def test_listensOnStart(self) -> None:
        """
        startService listens on the endpoint with the factory; stopService
        stops listening and fires when the port has stopped.
        """
        port = FakePort()
        endpoint = FakeServerEndpoint(succeed(port))
        factory = Factory.forProtocol(Protocol)
        service = StreamServerEndpointService(endpoint, factory)
        assert (service.endpoint, service.factory) == (endpoint, factory)
        service.startService()
        assert endpoint.factories == [factory]
        assert service.running
        stopped = service.stopService()
        assert port.stopping is not None
        assertNoResult(stopped)
        assert service.running
        port.stopping.callback(None)
        assert resultOf(stopped) is None
        assert not service.running

    def test_privilegedListensEarly(self) -> None:
        """
        privilegedStartService listens; startService then does not listen
        again.
        """
        endpoint = FakeServerEndpoint(succeed(FakePort()))
        service = StreamServerEndpointService(endpoint, Factory.forProtocol(Protocol))
        service.privilegedStartService()
        assert len(endpoint.factories) == 1
        service.startService()
        assert len(endpoint.factories) == 1

    def test_stopCancelsPendingListen(self) -> None:
        """
        Stopping while the endpoint has not finished starting to listen
        cancels the attempt, without logging the cancellation.
        """
        cancelled: list[bool] = []
        pending: Deferred[Any] = Deferred(lambda d: cancelled.append(True))
        service = StreamServerEndpointService(
            FakeServerEndpoint(pending), Factory.forProtocol(Protocol)
        )
        service.startService()
        assert resultOf(service.stopService()) is None
        assert cancelled == [True]
        assert not service.running

    def test_listenFailureLogged(self, loggedFailures: list[LogEvent]) -> None:
        """
        By default a listen failure is logged, not raised, and stopping
        afterwards fires at once.
        """
        service = StreamServerEndpointService(
            FakeServerEndpoint(fail(CannotListenError("127.0.0.1", 80, OSError("denied")))),
            Factory.forProtocol(Protocol),
        )
        service.startService()
        assert [e["log_failure"].type for e in loggedFailures] == [CannotListenError]
        assert resultOf(service.stopService()) is None

    def test_raiseSynchronously(self) -> None:
        """
        With C{_raiseSynchronously} set, a listen failure that happens at
        once is raised from the start method, and not logged; the flag is
        used up by that start.
        """
        service = StreamServerEndpointService(
            FakeServerEndpoint(fail(CannotListenError("127.0.0.1", 80, OSError("denied")))),
            Factory.forProtocol(Protocol),
        )
        service._raiseSynchronously = True
        with pytest.raises(CannotListenError):
            service.privilegedStartService()
        assert not service._raiseSynchronously

    def test_raiseSynchronouslyLaterFailureLogged(self, loggedFailures: list[LogEvent]) -> None:
        """
        With C{_raiseSynchronously} set, a failure that comes later is
        logged.
        """
        pending: Deferred[Any] = Deferred()
        service = StreamServerEndpointService(
            FakeServerEndpoint(pending), Factory.forProtocol(Protocol)
        )
        service._raiseSynchronously = True
        service.startService()
        pending.errback(Failure(CannotListenError("127.0.0.1", 80, OSError("denied"))))
        assert len(loggedFailures) == 1

    def test_stopUnstarted(self) -> None:
        """
        Stopping a service that never started fires at once.
        """
        service = StreamServerEndpointService(
            FakeServerEndpoint(Deferred()), Factory.forProtocol(Protocol)
        )
        assert resultOf(service.stopService()) is None

    def test_listensAgainAfterStop(self) -> None:
        """
        Started again after a stop, the service listens again.
        """
        endpoint = FakeServerEndpoint(succeed(None))
        service = StreamServerEndpointService(endpoint, Factory.forProtocol(Protocol))
        service.startService()
        resultOf(service.stopService())
        endpoint.result = succeed(None)
        service.startService()
        assert len(endpoint.factories) == 2

    def test_realSockets(self, anyReactor: PollingReactor) -> None:
        """
        On a real reactor, the service serves on 127.0.0.1 while running,
        and its port is closed once stopService's Deferred has fired.
        """
        endpoint = LoopbackServerEndpoint(anyReactor)
        service = StreamServerEndpointService(endpoint, GreeterFactory())
        parent = MultiService()
        service.setServiceParent(parent)
        parent.privilegedStartService()
        parent.startService()
        port = portOf(endpoint.ports[0])
        listener = Listener()
        runUntil(anyReactor, LoopbackClientEndpoint(anyReactor, port).connect(_Only(listener)))
        assert runUntil(anyReactor, listener.line, timeout=10) == b"hello 1"
        listener.transport.loseConnection()
        runUntil(anyReactor, listener.lost, timeout=10)
        runUntil(anyReactor, parent.stopService(), timeout=10)
        assert not service.running
        refused = LoopbackClientEndpoint(anyReactor, port).connect(_Only(Listener()))
        failureOf(_settle(anyReactor, refused), ConnectionRefusedError)


class _Only(Factory[Protocol]):
    """
    A factory that builds one given protocol.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.built = protocol
        self.noisy = False

    def buildProtocol(self, addr: Any) -> Protocol:
        return self.built


def _settle(reactor: PollingReactor, d: Deferred[Any]) -> Deferred[Any]:
    """
    Run the reactor until C{d} fires, success or failure, and return it.
    """
    box: list[Any] = []
    runUntil(reactor, d.addBoth(box.append), timeout=10)
    return succeed(box[0]) if not isinstance(box[0], Failure) else fail(box[0])
