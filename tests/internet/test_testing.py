"""
Tests for L{torsion.internet.testing}: the fake transports, protocols and
reactors that tests of networking code use.
"""

from __future__ import annotations

import socket
import unittest
from collections.abc import Callable
from typing import Any

import pytest
from zope.interface import providedBy
from zope.interface.verify import verifyClass, verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet import testing
from torsion.internet.address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.error import ConnectionDone, ReactorAlreadyRunning
from torsion.internet.interfaces import (
    IConnector,
    IConsumer,
    IListeningPort,
    IProtocol,
    IPullProducer,
    IPushProducer,
    IReactorCore,
    IReactorFDSet,
    IReactorPluggableNameResolver,
    IReactorSocket,
    IReactorSSL,
    IReactorTCP,
    IReactorThreads,
    IReactorTime,
    IReactorUDP,
    IReactorUNIX,
    IReadDescriptor,
    ITransport,
    IWriteDescriptor,
)
from torsion.internet.protocol import (
    ClientFactory,
    DatagramProtocol,
    Factory,
    Protocol,
    connectionDone,
)
from torsion.internet.task import Clock
from torsion.internet.testing import (
    AccumulatingProtocol,
    EventLoggingObserver,
    FakeDatagramTransport,
    MemoryReactor,
    MemoryReactorClock,
    NonStreamingProducer,
    RaisingMemoryReactor,
    StringIOWithoutClosing,
    StringTransport,
    StringTransportWithDisconnection,
    waitUntilAllDisconnected,
)
from torsion.internet.threads import deferToThreadPool
from torsion.logger import ILogObserver, LogEvent, Logger, LogPublisher
from torsion.python.failure import Failure

REACTOR_INTERFACES = [
    IReactorCore,
    IReactorTCP,
    IReactorSSL,
    IReactorUNIX,
    IReactorUDP,
    IReactorSocket,
    IReactorFDSet,
    IReactorThreads,
    IReactorPluggableNameResolver,
]


def verifyAll(obj: object) -> list[str]:
    """
    Run C{verifyObject} for every interface C{obj} provides.

    @return: The names of those interfaces.
    """
    names = []
    for interface in providedBy(obj):
        assert verifyObject(interface, obj)
        names.append(interface.__name__)
    return names


class StringTransportTests:
    def test_interfaces(self) -> None:
        """
        L{StringTransport} is a transport, a consumer and a push producer,
        and passes C{verifyObject} for each.
        """
        transport = StringTransport()
        assert verifyAll(transport) == ["ITransport", "IConsumer", "IPushProducer"]
        for interface in (ITransport, IConsumer, IPushProducer):
            assert verifyClass(interface, StringTransport)

    def test_recordsWrites(self) -> None:
        """
        C{write} and C{writeSequence} record bytes in order, readable from
        C{value()} and C{io}.
        """
        transport = StringTransport()
        transport.write(b"hello ")
        transport.writeSequence([b"wor", b"ld"])
        transport.writeSequence([])
        assert transport.value() == b"hello world"
        assert transport.io.getvalue() == b"hello world"

    def test_clear(self) -> None:
        """
        C{clear} forgets what was written; later writes are recorded afresh.
        """
        transport = StringTransport()
        transport.write(b"old")
        transport.clear()
        assert transport.value() == b""
        transport.write(b"new")
        assert transport.value() == b"new"

    def test_writeText(self) -> None:
        """
        Writing a str raises a TypeError that names the type and says to
        encode.
        """
        with pytest.raises(
            TypeError,
            match=(
                r"^StringTransport\.write\(\) takes bytes, not str 'hi'; encode text first, "
                r"e\.g\. transport\.write\(text\.encode\('utf-8'\)\)$"
            ),
        ):
            StringTransport().write("hi")  # type: ignore[arg-type]

    def test_writeOtherTypes(self) -> None:
        """
        Only bytes are accepted: bytearray, memoryview and None are refused,
        and nothing is recorded.
        """
        transport = StringTransport()
        for bad in (bytearray(b"x"), memoryview(b"x"), None, 1):
            with pytest.raises(TypeError, match=r"takes bytes, not "):
                transport.write(bad)  # type: ignore[arg-type]
        assert transport.value() == b""

    def test_writeSequenceChecksEachItem(self) -> None:
        """
        C{writeSequence} names the first bad item by index, and records
        nothing of the sequence.
        """
        transport = StringTransport()
        with pytest.raises(
            TypeError, match=r"^StringTransport\.writeSequence\(\) item 1 takes bytes, not str"
        ):
            transport.writeSequence([b"ok", "bad"])  # type: ignore[list-item]
        assert transport.value() == b""

    def test_subclassNamedInError(self) -> None:
        """
        The error message names the subclass actually used.
        """
        with pytest.raises(TypeError, match=r"^StringTransportWithDisconnection\.write\(\)"):
            StringTransportWithDisconnection().write("x")  # type: ignore[arg-type]

    def test_loseConnection(self) -> None:
        """
        C{loseConnection} sets C{disconnecting} only; the transport stays
        C{connected} and still records writes.
        """
        transport = StringTransport()
        assert (transport.disconnecting, transport.disconnected) == (False, False)
        transport.loseConnection()
        assert (transport.disconnecting, transport.disconnected) == (True, False)
        assert transport.connected is True
        transport.write(b"late")
        assert transport.value() == b"late"

    def test_abortConnection(self) -> None:
        """
        C{abortConnection} sets both C{disconnecting} and C{disconnected}.
        """
        transport = StringTransport()
        transport.abortConnection()
        assert (transport.disconnecting, transport.disconnected) == (True, True)

    def test_defaultAddresses(self) -> None:
        """
        By default the host is 10.0.0.1:12345 and the peer 192.168.1.1:54321
        (made-up addresses, as in Twisted).
        """
        transport = StringTransport()
        assert transport.getHost() == IPv4Address("TCP", "10.0.0.1", 12345)
        assert transport.getPeer() == IPv4Address("TCP", "192.168.1.1", 54321)

    def test_givenAddresses(self) -> None:
        """
        Addresses given to the constructor are returned by C{getHost} and
        C{getPeer}.
        """
        host = UNIXAddress("/tmp/server.sock")
        peer = IPv6Address("TCP", "::1", 1)
        transport = StringTransport(hostAddress=host, peerAddress=peer)
        assert transport.getHost() is host
        assert transport.getPeer() is peer

    def test_registerProducer(self) -> None:
        """
        A registered producer is kept with its kind until unregistered.
        """
        transport = StringTransport()
        producer = StringTransport()
        assert (transport.producer, transport.streaming) == (None, None)
        transport.registerProducer(producer, True)
        assert (transport.producer, transport.streaming) == (producer, True)
        transport.unregisterProducer()
        assert (transport.producer, transport.streaming) == (None, None)
        transport.registerProducer(producer, False)
        assert transport.streaming is False

    def test_registerTwoProducers(self) -> None:
        """
        Registering a second producer raises, naming the first.
        """
        transport = StringTransport()
        first = StringTransport()
        transport.registerProducer(first, True)
        with pytest.raises(
            RuntimeError, match=r"^Cannot register two producers: <.*StringTransport"
        ):
            transport.registerProducer(StringTransport(), True)
        assert transport.producer is first

    def test_unregisterWithoutProducer(self) -> None:
        """
        Unregistering when no producer is registered raises.
        """
        with pytest.raises(RuntimeError, match=r"^Cannot unregister a producer unless one"):
            StringTransport().unregisterProducer()

    def test_producerState(self) -> None:
        """
        As a push producer, the transport records pause, resume and stop in
        C{producerState}.
        """
        transport = StringTransport()
        assert transport.producerState == "producing"
        transport.pauseProducing()
        assert transport.producerState == "paused"
        transport.resumeProducing()
        assert transport.producerState == "producing"
        transport.stopProducing()
        assert transport.producerState == "stopped"

    def test_resumeStopped(self) -> None:
        """
        A stopped transport cannot be paused or resumed.
        """
        transport = StringTransport()
        transport.stopProducing()
        with pytest.raises(RuntimeError, match=r"^Cannot resume a stopped producer"):
            transport.resumeProducing()
        with pytest.raises(RuntimeError, match=r"^Cannot pause a stopped producer"):
            transport.pauseProducing()

    def test_resumeAfterLoseConnection(self) -> None:
        """
        A closing transport cannot be paused or resumed.
        """
        transport = StringTransport()
        transport.loseConnection()
        with pytest.raises(RuntimeError, match=r"^Cannot resume producing after loseConnection"):
            transport.resumeProducing()
        with pytest.raises(RuntimeError, match=r"^Cannot pause producing after loseConnection"):
            transport.pauseProducing()

    def test_drivesProtocol(self) -> None:
        """
        A protocol connected to a StringTransport writes into it.
        """

        class Greeter(Protocol):
            def connectionMade(self) -> None:
                assert self.transport is not None
                self.transport.write(b"hello\r\n")

            def dataReceived(self, data: bytes) -> None:
                assert self.transport is not None
                self.transport.write(data.upper())
                self.transport.loseConnection()

        transport = StringTransport()
        proto = Greeter()
        proto.makeConnection(transport)
        proto.dataReceived(b"bye")
        assert transport.value() == b"hello\r\nBYE"
        assert transport.disconnecting


class StringTransportWithDisconnectionTests:
    def test_loseConnectionTellsProtocol(self) -> None:
        """
        C{loseConnection} calls the protocol's C{connectionLost} with a
        L{ConnectionDone}, and marks the transport disconnected.
        """
        transport = StringTransportWithDisconnection()
        proto = AccumulatingProtocol()
        transport.protocol = proto
        proto.makeConnection(transport)
        transport.loseConnection()
        assert proto.closed
        assert proto.closedReason is not None
        assert proto.closedReason.check(ConnectionDone)
        assert transport.connected is False
        assert transport.disconnecting is True

    def test_onlyOnce(self) -> None:
        """
        A second C{loseConnection} does not call C{connectionLost} again.
        """
        reasons: list[Failure] = []

        class Counting(Protocol):
            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)

        transport = StringTransportWithDisconnection()
        transport.protocol = Counting()
        transport.loseConnection()
        transport.loseConnection()
        assert len(reasons) == 1

    def test_noProtocol(self) -> None:
        """
        Without a protocol, C{loseConnection} says to set one.
        """
        with pytest.raises(RuntimeError, match=r"has no protocol to tell; set transport\.protocol"):
            StringTransportWithDisconnection().loseConnection()


class AccumulatingProtocolTests:
    def test_interfaces(self) -> None:
        """
        L{AccumulatingProtocol} passes C{verifyObject} for its interfaces.
        """
        assert verifyAll(AccumulatingProtocol()) == ["IProtocol", "ILoggingContext"]

    def test_records(self) -> None:
        """
        It records that it was connected, every byte received, and why it
        was disconnected.
        """
        proto = AccumulatingProtocol()
        assert (proto.made, proto.closed, proto.data) == (False, False, b"")
        proto.makeConnection(StringTransport())
        for byte in b"split anywhere":
            proto.dataReceived(bytes([byte]))
        assert proto.made
        assert proto.data == b"split anywhere"
        proto.dataReceived(b"!")
        assert proto.data == b"split anywhere!"
        reason = Failure(ConnectionDone())
        proto.connectionLost(reason)
        assert proto.closed
        assert proto.closedReason is reason

    def test_dataAssignable(self) -> None:
        """
        Tests may reset C{data}; later bytes are added to the new value.
        """
        proto = AccumulatingProtocol()
        proto.dataReceived(b"old")
        proto.data = b""
        proto.dataReceived(b"new")
        assert proto.data == b"new"

    def test_closedDeferred(self) -> None:
        """
        A C{closedDeferred} fires with None on C{connectionLost}, and is
        then forgotten.
        """
        proto = AccumulatingProtocol()
        closed: Deferred[None] = Deferred()
        proto.closedDeferred = closed
        proto.connectionLost(Failure(ConnectionDone()))
        assert resultOf(closed) is None
        assert proto.closedDeferred is None

    def test_subclassWithoutInit(self) -> None:
        """
        A subclass with its own C{__init__} that does not call the base one
        still accumulates data.
        """

        class Custom(AccumulatingProtocol):
            def __init__(self, name: str) -> None:
                self.name = name

        proto = Custom("x")
        proto.dataReceived(b"ab")
        proto.dataReceived(b"cd")
        assert proto.data == b"abcd"


class FakePortAndConnectorTests:
    def test_port(self) -> None:
        """
        A fake port provides L{IListeningPort}, gives its address, and
        records C{stopListening}.
        """
        port = MemoryReactor().listenTCP(8080, Factory())
        assert verifyObject(IListeningPort, port)
        assert isinstance(port, testing._FakePort)
        assert port.getHost() == IPv4Address("TCP", "0.0.0.0", 8080)
        assert port.listening
        assert port.stopListening() is None
        assert not port.listening
        port.startListening()
        assert port.listening

    def test_connector(self) -> None:
        """
        A fake connector provides L{IConnector}, gives its destination, and
        records C{stopConnecting}, C{disconnect} and C{connect}.
        """
        connector = MemoryReactor().connectTCP("127.0.0.1", 25, ClientFactory())
        assert verifyObject(IConnector, connector)
        assert isinstance(connector, testing._FakeConnector)
        assert connector.getDestination() == IPv4Address("TCP", "127.0.0.1", 25)
        connector.stopConnecting()
        connector.disconnect()
        connector.connect()
        connector.connect()
        assert connector.stoppedConnecting
        assert connector._disconnected
        assert connector.connectCount == 2


class RecordingClientFactory(ClientFactory):
    """
    A client factory that records its C{startedConnecting} calls.
    """

    def __init__(self) -> None:
        self.started: list[IConnector] = []

    def startedConnecting(self, connector: IConnector) -> None:
        self.started.append(connector)


class MemoryReactorNetworkTests:
    def test_interfaces(self) -> None:
        """
        L{MemoryReactor} passes C{verifyObject} for every interface it
        claims, which are the reactor's network, core, FD and thread facets.
        """
        reactor = MemoryReactor()
        assert set(verifyAll(reactor)) == {i.__name__ for i in REACTOR_INTERFACES}
        for interface in REACTOR_INTERFACES:
            assert verifyClass(interface, MemoryReactor)

    def test_listenTCP(self) -> None:
        """
        C{listenTCP} records its arguments in C{tcpServers}; the port's
        address uses the interface given (0.0.0.0 for none, IPv6 for an
        IPv6 literal).
        """
        reactor = MemoryReactor()
        factory = Factory()
        plain = reactor.listenTCP(80, factory)
        local = reactor.listenTCP(81, factory, 5, "127.0.0.1")
        six = reactor.listenTCP(82, factory, interface="::")
        assert reactor.tcpServers == [
            (80, factory, 50, ""),
            (81, factory, 5, "127.0.0.1"),
            (82, factory, 50, "::"),
        ]
        assert plain.getHost() == IPv4Address("TCP", "0.0.0.0", 80)
        assert local.getHost() == IPv4Address("TCP", "127.0.0.1", 81)
        assert six.getHost() == IPv6Address("TCP", "::", 82)

    def test_listenDoesNotStartFactory(self) -> None:
        """
        Listening does not start the factory: the test drives it.
        """
        reactor = MemoryReactor()
        factory = Factory()
        reactor.listenTCP(80, factory)
        assert factory.numPorts == 0

    def test_connectTCP(self) -> None:
        """
        C{connectTCP} records its arguments in C{tcpClients}, tells the
        factory C{startedConnecting} with the connector, and adds the
        connector to C{connectors}.
        """
        reactor = MemoryReactor()
        factory = RecordingClientFactory()
        connector = reactor.connectTCP("example.com", 443, factory, 5, ("127.0.0.1", 0))
        six = reactor.connectTCP("::1", 80, factory)
        assert reactor.tcpClients == [
            ("example.com", 443, factory, 5, ("127.0.0.1", 0)),
            ("::1", 80, factory, 30, None),
        ]
        assert factory.started == [connector, six]
        assert reactor.connectors == [connector, six]
        assert connector.getDestination() == IPv4Address("TCP", "example.com", 443)
        assert six.getDestination() == IPv6Address("TCP", "::1", 80)

    def test_connectWithPlainFactory(self) -> None:
        """
        A factory without C{startedConnecting} is accepted.
        """
        reactor = MemoryReactor()
        factory = Factory()
        reactor.connectTCP("127.0.0.1", 1, factory)
        assert reactor.tcpClients[0][2] is factory

    def test_ssl(self) -> None:
        """
        C{listenSSL} and C{connectSSL} record their arguments, context
        factory included.
        """
        reactor = MemoryReactor()
        factory = RecordingClientFactory()
        context = object()
        port = reactor.listenSSL(443, factory, context)
        connector = reactor.connectSSL("127.0.0.1", 443, factory, context, 7)
        assert reactor.sslServers == [(443, factory, context, 50, "")]
        assert reactor.sslClients == [("127.0.0.1", 443, factory, context, 7, None)]
        assert port.getHost() == IPv4Address("TCP", "0.0.0.0", 443)
        assert factory.started == [connector]

    def test_unix(self) -> None:
        """
        C{listenUNIX} and C{connectUNIX} record their arguments; addresses
        are L{UNIXAddress}es.
        """
        reactor = MemoryReactor()
        factory = RecordingClientFactory()
        port = reactor.listenUNIX("/tmp/s.sock", factory, mode=0o600, wantPID=True)
        connector = reactor.connectUNIX("/tmp/s.sock", factory, checkPID=True)
        assert reactor.unixServers == [("/tmp/s.sock", factory, 50, 0o600, True)]
        assert reactor.unixClients == [("/tmp/s.sock", factory, 30, True)]
        assert port.getHost() == UNIXAddress("/tmp/s.sock")
        assert connector.getDestination() == UNIXAddress("/tmp/s.sock")
        assert factory.started == [connector]

    def test_udp(self) -> None:
        """
        C{listenUDP} records its arguments in C{udpServers}, without
        connecting the protocol.
        """
        reactor = MemoryReactor()
        proto = DatagramProtocol()
        port = reactor.listenUDP(53, proto, "127.0.0.1", 512)
        assert reactor.udpServers == [(53, proto, "127.0.0.1", 512)]
        assert port.getHost() == IPv4Address("UDP", "127.0.0.1", 53)
        assert proto.transport is None

    def test_adopt(self) -> None:
        """
        The C{adopt*} calls record their arguments.
        """
        reactor = MemoryReactor()
        factory = Factory()
        proto = DatagramProtocol()
        port = reactor.adoptStreamPort(3, socket.AF_INET, factory)
        reactor.adoptStreamConnection(4, socket.AF_INET6, factory)
        datagram = reactor.adoptDatagramPort(5, socket.AF_INET, proto)
        assert reactor.adoptedPorts == [(3, socket.AF_INET, factory)]
        assert reactor.adoptedStreamConnections == [(4, socket.AF_INET6, factory)]
        assert reactor.adoptedDatagramPorts == [(5, socket.AF_INET, proto, 8192)]
        assert verifyObject(IListeningPort, port)
        assert datagram.getHost() == IPv4Address("UDP", "0.0.0.0", 1234)

    def test_drivingAServerFactory(self) -> None:
        """
        A test can take the factory given to C{listenTCP}, build a protocol
        and connect it to a L{StringTransport}.
        """

        class Hello(Protocol):
            def connectionMade(self) -> None:
                assert self.transport is not None
                self.transport.write(b"hello")

        def startServer(reactor: IReactorTCP) -> None:
            reactor.listenTCP(7000, Factory.forProtocol(Hello))

        reactor = MemoryReactor()
        startServer(reactor)
        port, factory, _, _ = reactor.tcpServers[0]
        assert port == 7000
        proto = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5555))
        assert proto is not None
        transport = StringTransport()
        proto.makeConnection(transport)
        assert transport.value() == b"hello"


class MemoryReactorCoreTests:
    def test_initialState(self) -> None:
        """
        A new reactor has not run, stopped, crashed or been installed.
        """
        reactor = MemoryReactor()
        assert not (reactor.running or reactor.hasRun or reactor.hasStopped)
        assert not (reactor.hasCrashed or reactor.hasInstalled)
        reactor.install()
        assert reactor.hasInstalled

    def test_run(self) -> None:
        """
        C{run} fires the startup triggers, then the C{callWhenRunning}
        hooks (which see the reactor running), then stops.
        """
        reactor = MemoryReactor()
        seen: list[tuple[str, bool]] = []
        reactor.callWhenRunning(lambda: seen.append(("hook", reactor.running)))
        reactor.addSystemEventTrigger(
            "after", "startup", lambda: seen.append(("startup", reactor.running))
        )
        reactor.addSystemEventTrigger(
            "before", "shutdown", lambda: seen.append(("shutdown", reactor.running))
        )
        reactor.run()
        assert seen == [("startup", True), ("hook", True), ("shutdown", True)]
        assert reactor.hasRun and reactor.hasStopped
        assert not reactor.running
        assert len(reactor.whenRunningHooks) == 1

    def test_runWhileRunning(self) -> None:
        """
        Calling C{run} from inside C{run} raises L{ReactorAlreadyRunning}.
        """
        reactor = MemoryReactor()
        errors: list[Exception] = []

        def again() -> None:
            try:
                reactor.run()
            except ReactorAlreadyRunning as e:
                errors.append(e)

        reactor.callWhenRunning(again)
        reactor.run()
        assert len(errors) == 1
        assert "already running" in str(errors[0])

    def test_callWhenRunningWhileRunning(self) -> None:
        """
        C{callWhenRunning} on a running reactor calls at once and returns
        None.
        """
        reactor = MemoryReactor()
        calls: list[object] = []

        def nested() -> None:
            calls.append(reactor.callWhenRunning(calls.append, "now"))

        reactor.callWhenRunning(nested)
        reactor.run()
        assert calls == ["now", None]

    def test_removeWhenRunningHook(self) -> None:
        """
        The ID C{callWhenRunning} returns removes the hook.
        """
        reactor = MemoryReactor()
        calls: list[int] = []
        hook = reactor.callWhenRunning(calls.append, 1)
        reactor.callWhenRunning(calls.append, 2)
        reactor.removeSystemEventTrigger(hook)
        reactor.run()
        assert calls == [2]

    def test_stopWhenNotRunning(self) -> None:
        """
        C{stop} on a reactor that is not running records C{hasStopped} and
        fires no shutdown triggers.
        """
        reactor = MemoryReactor()
        calls: list[str] = []
        reactor.addSystemEventTrigger("before", "shutdown", calls.append, "shutdown")
        reactor.stop()
        assert reactor.hasStopped
        assert calls == []

    def test_crash(self) -> None:
        """
        C{crash} records C{hasCrashed} and stops without shutdown triggers.
        """
        reactor = MemoryReactor()
        calls: list[str] = []
        reactor.addSystemEventTrigger("before", "shutdown", calls.append, "shutdown")
        reactor.callWhenRunning(reactor.crash)
        reactor.callWhenRunning(lambda: calls.append(f"running={reactor.running}"))
        reactor.run()
        assert reactor.hasCrashed
        assert calls == ["running=False"]

    def test_triggersRecorded(self) -> None:
        """
        Triggers are kept in C{triggers[phase][eventType]} as
        C{(callable, args, kwargs)}, even after they fire.
        """
        reactor = MemoryReactor()

        def f(*args: object, **kwargs: object) -> None:
            pass

        reactor.addSystemEventTrigger("during", "shutdown", f, 1, key=2)
        reactor.fireSystemEvent("shutdown")
        assert reactor.triggers == {"during": {"shutdown": [(f, (1,), {"key": 2})]}}

    def test_badPhase(self) -> None:
        """
        An unknown phase is refused, naming it.
        """
        with pytest.raises(ValueError, match=r"not 'whenever'$"):
            MemoryReactor().addSystemEventTrigger("whenever", "startup", print)

    def test_removeTrigger(self) -> None:
        """
        A removed trigger does not fire; removing it again raises.
        """
        reactor = MemoryReactor()
        calls: list[str] = []
        trigger = reactor.addSystemEventTrigger("during", "custom", calls.append, "a")
        reactor.addSystemEventTrigger("during", "custom", calls.append, "a")
        reactor.removeSystemEventTrigger(trigger)
        reactor.fireSystemEvent("custom")
        assert calls == ["a"]
        with pytest.raises(ValueError, match=r"is not a trigger of this reactor"):
            reactor.removeSystemEventTrigger(trigger)
        with pytest.raises(ValueError, match=r"^'junk' is not a trigger"):
            reactor.removeSystemEventTrigger("junk")

    def test_phaseOrder(self) -> None:
        """
        C{fireSystemEvent} runs the before, during and after triggers in
        that order, each phase in registration order.
        """
        reactor = MemoryReactor()
        calls: list[str] = []
        for phase in ("after", "during", "before"):
            for n in (1, 2):
                reactor.addSystemEventTrigger(phase, "custom", calls.append, f"{phase}{n}")
        reactor.fireSystemEvent("custom")
        assert calls == ["before1", "before2", "during1", "during2", "after1", "after2"]

    def test_beforeDeferredHolds(self) -> None:
        """
        A Deferred returned by a before trigger holds the rest of the event
        until it fires.
        """
        reactor = MemoryReactor()
        calls: list[str] = []
        waiting: Deferred[None] = Deferred()
        reactor.addSystemEventTrigger("before", "custom", lambda: waiting)
        reactor.addSystemEventTrigger("during", "custom", calls.append, "during")
        reactor.fireSystemEvent("custom")
        assert calls == []
        waiting.callback(None)
        assert calls == ["during"]

    def test_failingTriggerLogged(self, loggedFailures: list[LogEvent]) -> None:
        """
        A trigger that raises is logged, and the other triggers still run.
        """
        reactor = MemoryReactor()
        calls: list[str] = []

        def broken() -> None:
            raise ZeroDivisionError("boom")

        reactor.addSystemEventTrigger("before", "custom", broken)
        reactor.addSystemEventTrigger("before", "custom", calls.append, "next")
        reactor.fireSystemEvent("custom")
        assert calls == ["next"]
        assert len(loggedFailures) == 1
        assert loggedFailures[0]["log_failure"].check(ZeroDivisionError)

    def test_reentrantFireIgnored(self) -> None:
        """
        Firing an event from its own trigger does nothing more.
        """
        reactor = MemoryReactor()
        calls: list[str] = []
        reactor.addSystemEventTrigger("before", "custom", calls.append, "once")
        reactor.addSystemEventTrigger("before", "custom", reactor.fireSystemEvent, "custom")
        reactor.fireSystemEvent("custom")
        assert calls == ["once"]

    def test_resolve(self) -> None:
        """
        An IPv4 literal resolves to itself; a host name raises
        C{NotImplementedError} naming it.
        """
        reactor = MemoryReactor()
        assert resultOf(reactor.resolve("127.0.0.1")) == "127.0.0.1"
        with pytest.raises(NotImplementedError, match=r"cannot resolve host name 'example\.com'"):
            reactor.resolve("example.com")

    def test_iterate(self) -> None:
        """
        C{iterate} does nothing and returns.
        """
        reactor = MemoryReactor()
        reactor.iterate()
        reactor.iterate(0.5)
        assert not reactor.hasRun


class Descriptor:
    """
    A stand-in for a file descriptor.
    """

    def fileno(self) -> int:
        return -1

    def logPrefix(self) -> str:
        return "Descriptor"

    def doRead(self) -> None:
        pass

    def doWrite(self) -> None:
        pass

    def connectionLost(self, reason: Failure) -> None:
        pass


class MemoryReactorFDSetTests:
    def test_readersAndWriters(self) -> None:
        """
        Added readers and writers are in C{readers} and C{writers} until
        removed; removing an absent one is fine.
        """
        reactor = MemoryReactor()
        reader: IReadDescriptor = Descriptor()  # type: ignore[assignment]
        writer: IWriteDescriptor = Descriptor()  # type: ignore[assignment]
        reactor.addReader(reader)
        reactor.addWriter(writer)
        assert reactor.readers == {reader}
        assert reactor.writers == {writer}
        assert reactor.getReaders() == [reader]
        assert reactor.getWriters() == [writer]
        reactor.removeReader(reader)
        reactor.removeReader(reader)
        reactor.removeWriter(writer)
        assert reactor.getReaders() == []
        assert reactor.getWriters() == []

    def test_removeAll(self) -> None:
        """
        C{removeAll} empties both sets and returns each descriptor once.
        """
        reactor = MemoryReactor()
        both, readOnly = Descriptor(), Descriptor()
        reactor.addReader(both)  # type: ignore[arg-type]
        reactor.addWriter(both)  # type: ignore[arg-type]
        reactor.addReader(readOnly)  # type: ignore[arg-type]
        removed = reactor.removeAll()
        assert sorted(map(id, removed)) == sorted([id(both), id(readOnly)])
        assert (reactor.readers, reactor.writers) == (set(), set())


class MemoryReactorThreadTests:
    def test_callFromThreadQueues(self) -> None:
        """
        C{callFromThread} only queues; C{runThreadCalls} runs the queued
        calls in order and says how many ran.
        """
        reactor = MemoryReactor()
        calls: list[object] = []
        reactor.callFromThread(calls.append, 1)
        reactor.callFromThread(lambda **kw: calls.append(kw), key="v")
        assert calls == []
        assert len(reactor.fromThreadCalls) == 2
        assert reactor.runThreadCalls() == 2
        assert calls == [1, {"key": "v"}]
        assert reactor.fromThreadCalls == []

    def test_poolWorkFirst(self) -> None:
        """
        Pool work runs before the reactor-thread calls, and calls queued
        while running run in the same C{runThreadCalls}.
        """
        reactor = MemoryReactor()
        calls: list[str] = []

        def work() -> None:
            calls.append("work")
            reactor.callFromThread(calls.append, "result")

        reactor.callFromThread(calls.append, "earlier")
        reactor.callInThread(work)
        assert reactor.runThreadCalls() == 3
        assert calls == ["work", "earlier", "result"]

    def test_exceptionPropagates(self) -> None:
        """
        An exception from a queued call propagates; later calls stay queued.
        """
        reactor = MemoryReactor()
        calls: list[int] = []
        reactor.callFromThread(lambda: 1 / 0)
        reactor.callFromThread(calls.append, 2)
        with pytest.raises(ZeroDivisionError):
            reactor.runThreadCalls()
        assert calls == []
        assert reactor.runThreadCalls() == 1
        assert calls == [2]

    def test_deferToThreadPool(self) -> None:
        """
        C{deferToThreadPool} works with the fake pool: the result arrives
        once the thread calls run.
        """
        reactor = MemoryReactor()
        d = deferToThreadPool(reactor, reactor.getThreadPool(), pow, 2, 10)
        assertNoResult(d)
        reactor.runThreadCalls()
        assert resultOf(d) == 1024

    def test_deferToThreadPoolFailure(self) -> None:
        """
        An exception in pool work reaches the Deferred as a failure.
        """
        reactor = MemoryReactor()
        d = deferToThreadPool(reactor, reactor.getThreadPool(), int, "not a number")
        reactor.runThreadCalls()
        failureOf(d, ValueError)

    def test_callInThreadWithCallback(self) -> None:
        """
        The fake pool's C{callInThreadWithCallback} reports success with
        C{(True, result)} and failure with C{(False, Failure)}.
        """
        reactor = MemoryReactor()
        pool = reactor.getThreadPool()
        outcomes: list[tuple[bool, Any]] = []
        pool.callInThreadWithCallback(lambda *o: outcomes.append(o), len, "abc")
        pool.callInThreadWithCallback(lambda *o: outcomes.append(o), len, 3)
        pool.callInThreadWithCallback(None, len, "ignored")
        reactor.runThreadCalls()
        assert outcomes[0] == (True, 3)
        assert outcomes[1][0] is False
        assert outcomes[1][1].check(TypeError)

    def test_callInThreadWithoutCallbackRaises(self) -> None:
        """
        Without an C{onResult}, an exception in pool work propagates from
        C{runThreadCalls}.
        """
        reactor = MemoryReactor()
        reactor.getThreadPool().callInThreadWithCallback(None, lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            reactor.runThreadCalls()

    def test_poolSize(self) -> None:
        """
        C{suggestThreadPoolSize} sets the pool's maximum; the pool records
        starts, stops and size changes.
        """
        reactor = MemoryReactor()
        pool = reactor.getThreadPool()
        assert pool is reactor.getThreadPool()
        reactor.suggestThreadPoolSize(3)
        assert (pool.min, pool.max) == (5, 3)
        pool.adjustPoolsize(minthreads=1)
        assert (pool.min, pool.max) == (1, 3)
        pool.start()
        assert pool.started
        pool.stop()
        assert not pool.started


class MemoryReactorClockTests:
    def test_interfaces(self) -> None:
        """
        L{MemoryReactorClock} adds L{IReactorTime} to the memory reactor's
        interfaces and passes C{verifyObject} for all of them.
        """
        reactor = MemoryReactorClock()
        names = set(verifyAll(reactor))
        assert names == {i.__name__ for i in [*REACTOR_INTERFACES, IReactorTime]}
        assert isinstance(reactor, MemoryReactor)
        assert isinstance(reactor, Clock)

    def test_timeAndNetwork(self) -> None:
        """
        Code can both schedule timers and connect through one reactor; the
        timers run when the test advances time.
        """
        reactor = MemoryReactorClock()
        factory = RecordingClientFactory()
        connector = reactor.connectTCP("127.0.0.1", 80, factory)
        reactor.callLater(5, connector.stopConnecting)
        reactor.advance(4)
        assert not connector.stoppedConnecting  # type: ignore[attr-defined]
        reactor.advance(1)
        assert connector.stoppedConnecting  # type: ignore[attr-defined]
        assert reactor.seconds() == 5


class RaisingMemoryReactorTests:
    def test_interfaces(self) -> None:
        """
        L{RaisingMemoryReactor} passes C{verifyObject} for every interface.
        """
        assert set(verifyAll(RaisingMemoryReactor())) == {i.__name__ for i in REACTOR_INTERFACES}

    @pytest.mark.parametrize(
        "call",
        [
            lambda r: r.listenTCP(80, Factory()),
            lambda r: r.listenSSL(80, Factory(), None),
            lambda r: r.listenUNIX("/x", Factory()),
            lambda r: r.listenUDP(53, DatagramProtocol()),
            lambda r: r.adoptStreamPort(3, socket.AF_INET, Factory()),
            lambda r: r.adoptStreamConnection(3, socket.AF_INET, Factory()),
            lambda r: r.adoptDatagramPort(3, socket.AF_INET, DatagramProtocol()),
        ],
    )
    def test_listenRaises(self, call: Callable[[RaisingMemoryReactor], object]) -> None:
        """
        Every listen and adopt call raises the listen exception.
        """
        error = OSError("address in use")
        with pytest.raises(OSError) as raised:
            call(RaisingMemoryReactor(listenException=error))
        assert raised.value is error

    @pytest.mark.parametrize(
        "call",
        [
            lambda r: r.connectTCP("127.0.0.1", 80, ClientFactory()),
            lambda r: r.connectSSL("127.0.0.1", 80, ClientFactory(), None),
            lambda r: r.connectUNIX("/x", ClientFactory()),
        ],
    )
    def test_connectRaises(self, call: Callable[[RaisingMemoryReactor], object]) -> None:
        """
        Every connect call raises the connect exception.
        """
        error = ConnectionRefusedError()
        with pytest.raises(ConnectionRefusedError) as raised:
            call(RaisingMemoryReactor(connectException=error))
        assert raised.value is error

    def test_nothingToRaise(self) -> None:
        """
        Without the exception for a call, the call says what to pass.
        """
        with pytest.raises(RuntimeError, match=r"listenTCP\(\) has no exception to raise"):
            RaisingMemoryReactor(connectException=KeyError()).listenTCP(80, Factory())


class EventLoggingObserverTests:
    def test_interface(self) -> None:
        """
        L{EventLoggingObserver} provides L{ILogObserver}.
        """
        assert verifyObject(ILogObserver, EventLoggingObserver())

    def test_collects(self) -> None:
        """
        Events are kept in order and read like a sequence.
        """
        observer = EventLoggingObserver()
        Logger(observer=observer).info("one {x}", x=1)
        Logger(observer=observer).warn("two")
        assert len(observer) == 2
        assert observer[0]["x"] == 1
        assert observer[-1]["log_format"] == "two"
        assert [e["log_format"] for e in observer] == ["one {x}", "two"]

    def test_createWithCleanup(self) -> None:
        """
        C{createWithCleanup} adds the observer to the publisher, and the
        test's cleanup removes it.
        """
        publisher = LogPublisher()

        class Example(unittest.TestCase):
            def runTest(self) -> None:
                pass

        case = Example()
        observer = EventLoggingObserver.createWithCleanup(case, publisher)
        Logger(observer=publisher).info("seen")
        case.doCleanups()
        Logger(observer=publisher).info("unseen")
        assert [e["log_format"] for e in observer] == ["seen"]


class WaitUntilAllDisconnectedTests:
    def connected(self) -> tuple[AccumulatingProtocol, StringTransportWithDisconnection]:
        """
        A protocol connected to a transport that can disconnect it.
        """
        proto = AccumulatingProtocol()
        transport = StringTransportWithDisconnection()
        transport.protocol = proto
        proto.makeConnection(transport)
        return proto, transport

    def test_waitsForAll(self) -> None:
        """
        The Deferred fires only once every protocol's transport has
        disconnected, at the next check.
        """
        clock = Clock()
        (p1, t1), (p2, t2) = self.connected(), self.connected()
        d = waitUntilAllDisconnected(clock, [p1, p2])
        assertNoResult(d)
        t1.loseConnection()
        clock.advance(1)
        assertNoResult(d)
        t2.loseConnection()
        clock.advance(0.01)
        assert resultOf(d) is None
        assert clock.getDelayedCalls() == []

    def test_alreadyDisconnected(self) -> None:
        """
        With nothing connected (or no transport at all), it fires at once.
        """
        clock = Clock()
        proto, transport = self.connected()
        transport.loseConnection()
        assert resultOf(waitUntilAllDisconnected(clock, [proto, Protocol()])) is None
        assert resultOf(waitUntilAllDisconnected(clock, [])) is None
        assert clock.getDelayedCalls() == []

    def test_pollsWithInterval(self) -> None:
        """
        It checks every C{interval} seconds on the reactor it was given.
        """
        clock = Clock()
        proto, _ = self.connected()
        waitUntilAllDisconnected(clock, [proto], interval=2)
        [call] = clock.getDelayedCalls()
        assert call.getTime() == 2
        clock.advance(2)
        [call] = clock.getDelayedCalls()
        assert call.getTime() == 4

    def test_cancel(self) -> None:
        """
        Cancelling stops the checks and fails the Deferred.
        """
        clock = Clock()
        proto, _ = self.connected()
        d = waitUntilAllDisconnected(clock, [proto])
        d.cancel()
        failureOf(d, CancelledError)
        assert clock.getDelayedCalls() == []


class SmallFakesTests:
    def test_nonStreamingProducer(self) -> None:
        """
        L{NonStreamingProducer} writes one digit per C{resumeProducing},
        then unregisters itself and fires C{result}.
        """
        transport = StringTransport()
        producer = NonStreamingProducer(transport)
        assert verifyObject(IPullProducer, producer)
        transport.registerProducer(producer, False)
        while transport.producer is not None:
            producer.resumeProducing()
        assert transport.value() == b"0123456789"
        assert resultOf(producer.result) is None
        assert not producer.stopped
        with pytest.raises(RuntimeError, match=r"called after it finished"):
            producer.resumeProducing()

    def test_nonStreamingProducerStop(self) -> None:
        """
        Stopping the producer finishes it early; it cannot be paused.
        """
        transport = StringTransport()
        producer = NonStreamingProducer(transport)
        transport.registerProducer(producer, False)
        producer.resumeProducing()
        with pytest.raises(RuntimeError, match=r"cannot be paused"):
            producer.pauseProducing()
        producer.stopProducing()
        assert producer.stopped
        assert transport.producer is None
        assert transport.value() == b"0"
        assert resultOf(producer.result) is None

    def test_fakeDatagramTransport(self) -> None:
        """
        L{FakeDatagramTransport} records each datagram with its address.
        """
        transport = FakeDatagramTransport()
        transport.write(b"a", ("127.0.0.1", 53))
        transport.write(b"b")
        assert transport.written == [
            (b"a", ("127.0.0.1", 53)),
            (b"b", FakeDatagramTransport.noAddr),
        ]

    def test_stringIOWithoutClosing(self) -> None:
        """
        Closing a L{StringIOWithoutClosing} keeps its value readable.
        """
        buffer = StringIOWithoutClosing()
        buffer.write(b"kept")
        buffer.close()
        assert buffer.getvalue() == b"kept"


class PublicNamesTests:
    def test_allSorted(self) -> None:
        """
        C{__all__} lists each name once, sorted.
        """
        assert testing.__all__ == sorted(set(testing.__all__))

    def test_publicModule(self) -> None:
        """
        Every exported class and function names C{torsion.internet.testing}
        as its module.
        """
        for name in testing.__all__:
            obj = getattr(testing, name)
            assert obj.__module__ == "torsion.internet.testing", name

    def test_twistedNames(self) -> None:
        """
        Every name Twisted's C{testing} module exports exists here, except
        C{LineSendingProtocol}, which needs C{torsion.protocols.basic}.
        """
        assert set(testing.__all__) >= {
            "AccumulatingProtocol",
            "EventLoggingObserver",
            "FakeDatagramTransport",
            "MemoryReactor",
            "MemoryReactorClock",
            "NonStreamingProducer",
            "RaisingMemoryReactor",
            "StringIOWithoutClosing",
            "StringTransport",
            "StringTransportWithDisconnection",
            "_FakeConnector",
            "_FakePort",
            "waitUntilAllDisconnected",
        }

    def test_protocolProvides(self) -> None:
        """
        The protocol and consumer adapters apply to the fakes: a
        StringTransport can be adapted to a protocol.
        """
        transport = StringTransport()
        IProtocol(transport).dataReceived(b"through the adapter")
        assert transport.value() == b"through the adapter"
