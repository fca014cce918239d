"""
Tests for L{torsion.internet.protocol}: protocols, factories, datagram and
process protocols, and the protocol/consumer adapters.
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable, Iterator
from typing import Any, assert_type

import pytest
from zope.interface import providedBy
from zope.interface.verify import verifyClass, verifyObject

from torsion.internet import protocol
from torsion.internet.address import IPv4Address
from torsion.internet.error import ConnectionDone, ConnectionLost
from torsion.internet.interfaces import (
    IConsumer,
    ILoggingContext,
    IProcessProtocol,
    IProtocol,
    IProtocolFactory,
    ITransport,
)
from torsion.internet.protocol import (
    AbstractDatagramProtocol,
    BaseProtocol,
    ClientFactory,
    ConnectedDatagramProtocol,
    ConsumerToProtocolAdapter,
    DatagramProtocol,
    Factory,
    ProcessProtocol,
    Protocol,
    ProtocolToConsumerAdapter,
    ServerFactory,
    connectionDone,
)
from torsion.internet.testing import (
    AccumulatingProtocol,
    EventLoggingObserver,
    StringTransport,
    _FakeConnector,
)
from torsion.logger import globalLogPublisher
from torsion.python.failure import Failure

ADDRESS = IPv4Address("TCP", "127.0.0.1", 4321)


class _Cleanups:
    """
    Gives pytest tests the C{addCleanup} that L{EventLoggingObserver}
    wants, running the cleanups when the fixture ends.
    """

    def __init__(self) -> None:
        self.functions: list[Callable[[], object]] = []

    def addCleanup(self, function: Callable[[], object], /) -> None:
        self.functions.append(function)


@pytest.fixture
def logged() -> Iterator[EventLoggingObserver]:
    """
    Every event published on the global log publisher during the test.
    """
    cleanups = _Cleanups()
    observer = EventLoggingObserver.createWithCleanup(cleanups, globalLogPublisher)
    yield observer
    for function in cleanups.functions:
        function()


class Recorder(Protocol):
    """
    A protocol that records the calls it gets, by name.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def connectionMade(self) -> None:
        self.calls.append(("connectionMade", self.transport))

    def dataReceived(self, data: bytes) -> None:
        self.calls.append(("dataReceived", data))

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.calls.append(("connectionLost", reason))


class ConnectionDoneTests:
    def test_isCleanFailure(self) -> None:
        """
        C{connectionDone} is a Failure wrapping L{ConnectionDone}, with no
        traceback kept.
        """
        assert isinstance(connectionDone, Failure)
        assert connectionDone.check(ConnectionDone)
        assert not connectionDone.check(ConnectionLost)
        assert connectionDone.tb is None
        assert connectionDone.getErrorMessage() == "Connection was closed cleanly."

    def test_defaultReason(self) -> None:
        """
        C{Protocol.connectionLost} defaults its reason to C{connectionDone}.
        """
        default = inspect.signature(Protocol.connectionLost).parameters["reason"].default
        assert default is connectionDone


class BaseProtocolTests:
    def test_notConnectedAtFirst(self) -> None:
        """
        A new protocol is not connected and has no transport.
        """
        proto = BaseProtocol()
        assert proto.connected is False
        assert proto.transport is None

    def test_makeConnection(self) -> None:
        """
        C{makeConnection} sets C{transport} and C{connected}, then calls
        C{connectionMade}, which already sees the transport.
        """
        transport = StringTransport()
        proto = Recorder()
        proto.makeConnection(transport)
        assert proto.connected is True
        assert proto.transport is transport
        assert proto.calls == [("connectionMade", transport)]


class ProtocolTests:
    def test_interfaces(self) -> None:
        """
        L{Protocol} provides L{IProtocol} and L{ILoggingContext}.
        """
        proto = Protocol()
        assert verifyObject(IProtocol, proto)
        assert verifyObject(ILoggingContext, proto)
        assert verifyClass(IProtocol, Protocol)

    def test_callbacksDoNothing(self) -> None:
        """
        The default callbacks accept their arguments and do nothing.
        """
        proto = Protocol()
        proto.makeConnection(StringTransport())
        proto.dataReceived(b"ignored")
        proto.connectionLost(connectionDone)
        proto.connectionLost()
        assert proto.connected is True

    def test_logPrefix(self) -> None:
        """
        C{logPrefix} is the class name, of subclasses too.
        """
        assert Protocol().logPrefix() == "Protocol"
        assert Recorder().logPrefix() == "Recorder"

    def test_factoryDefault(self) -> None:
        """
        A protocol built directly has no factory.
        """
        assert Protocol().factory is None

    def test_callOrder(self) -> None:
        """
        Driven as a transport would, a protocol sees connectionMade, its
        data in order, and connectionLost last.
        """
        transport = StringTransport()
        proto = Recorder()
        proto.makeConnection(transport)
        proto.dataReceived(b"a")
        proto.dataReceived(b"b")
        proto.connectionLost(connectionDone)
        assert [name for name, _ in proto.calls] == [
            "connectionMade",
            "dataReceived",
            "dataReceived",
            "connectionLost",
        ]
        assert proto.calls[1:3] == [("dataReceived", b"a"), ("dataReceived", b"b")]


class FactoryTests:
    def test_interfaces(self) -> None:
        """
        L{Factory} and its subclasses provide L{IProtocolFactory} and
        L{ILoggingContext}.
        """
        for cls in (Factory, ServerFactory, ClientFactory):
            assert verifyClass(IProtocolFactory, cls)
            factory = cls()
            assert verifyObject(IProtocolFactory, factory)
            assert verifyObject(ILoggingContext, factory)

    def test_buildProtocol(self) -> None:
        """
        C{buildProtocol} calls C{protocol} and sets the new protocol's
        C{factory}; each call gives a new protocol.
        """
        factory = Factory.forProtocol(Recorder)
        first = factory.buildProtocol(ADDRESS)
        second = factory.buildProtocol(ADDRESS)
        assert isinstance(first, Recorder)
        assert isinstance(second, Recorder)
        assert first is not second
        assert first.factory is factory
        assert isinstance(factory.buildProtocol(None), Recorder)

    def test_forProtocol(self) -> None:
        """
        C{forProtocol} makes a factory of the class it is called on, passing
        extra arguments to its constructor.
        """

        class Named(ServerFactory[Recorder]):
            def __init__(self, name: str, *, loud: bool = False) -> None:
                self.name = name
                self.loud = loud

        factory = Named.forProtocol(Recorder, "echo", loud=True)
        assert isinstance(factory, Named)
        assert (factory.name, factory.loud) == ("echo", True)
        assert factory.protocol is Recorder

    def test_protocolAttributeOnSubclass(self) -> None:
        """
        A subclass that sets C{protocol} builds that protocol.
        """

        class RecorderFactory(Factory[Recorder]):
            protocol = Recorder

        assert isinstance(RecorderFactory().buildProtocol(ADDRESS), Recorder)

    def test_typedBuild(self) -> None:
        """
        The type checker knows what a factory builds (checked by mypy; at
        run time this only builds a protocol).
        """
        built = Factory.forProtocol(Recorder).buildProtocol(ADDRESS)
        assert_type(built, Recorder | None)
        bare: Factory = Factory()
        bare.protocol = Recorder
        assert_type(bare.buildProtocol(ADDRESS), Protocol | None)
        assert isinstance(built, Recorder)

    def test_noProtocol(self) -> None:
        """
        C{buildProtocol} without a C{protocol} raises a TypeError that says
        how to set one.
        """
        with pytest.raises(TypeError, match=r"^ClientFactory\.protocol is None.*forProtocol"):
            ClientFactory().buildProtocol(ADDRESS)

    def test_refuse(self) -> None:
        """
        An overridden C{buildProtocol} may refuse a connection with None.
        """

        class Picky(Factory):
            def buildProtocol(self, addr: Any) -> Protocol | None:
                return None

        assert Picky().buildProtocol(ADDRESS) is None

    def test_startStopOnce(self) -> None:
        """
        With several ports, C{startFactory} runs on the first C{doStart}
        and C{stopFactory} on the last C{doStop}, each exactly once;
        C{numPorts} counts the ports.
        """
        calls: list[str] = []

        class Counting(Factory):
            noisy = False

            def startFactory(self) -> None:
                calls.append("start")

            def stopFactory(self) -> None:
                calls.append("stop")

        factory = Counting()
        assert factory.numPorts == 0
        factory.doStart()
        factory.doStart()
        factory.doStart()
        assert (calls, factory.numPorts) == (["start"], 3)
        factory.doStop()
        factory.doStop()
        assert (calls, factory.numPorts) == (["start"], 1)
        factory.doStop()
        assert (calls, factory.numPorts) == (["start", "stop"], 0)
        factory.doStart()
        assert calls == ["start", "stop", "start"]

    def test_extraStopIgnored(self) -> None:
        """
        A C{doStop} without a matching C{doStart} does nothing.
        """
        stops: list[None] = []

        class Counting(Factory):
            def stopFactory(self) -> None:
                stops.append(None)

        factory = Counting()
        factory.doStop()
        assert (stops, factory.numPorts) == ([], 0)

    def test_noisyLogs(self, logged: EventLoggingObserver) -> None:
        """
        A noisy factory logs when it starts and stops, naming itself.
        """
        factory = Factory()
        factory.doStart()
        factory.doStop()
        texts = [e["log_format"] for e in logged if e.get("factory") is factory]
        assert texts == ["Starting factory {factory!r}", "Stopping factory {factory!r}"]

    def test_quietDoesNotLog(self, logged: EventLoggingObserver) -> None:
        """
        With C{noisy} false, starting and stopping log nothing.
        """
        factory = Factory()
        factory.noisy = False
        factory.doStart()
        factory.doStop()
        assert [e for e in logged if e.get("factory") is factory] == []

    def test_logPrefix(self) -> None:
        """
        C{logPrefix} is the factory's class name.
        """
        assert Factory().logPrefix() == "Factory"
        assert ClientFactory().logPrefix() == "ClientFactory"

    def test_clientCallbacks(self) -> None:
        """
        L{ClientFactory}'s connection callbacks exist and do nothing by
        default.
        """
        factory = ClientFactory()
        connector = _FakeConnector(ADDRESS)
        factory.startedConnecting(connector)
        factory.clientConnectionFailed(connector, Failure(ConnectionLost()))
        factory.clientConnectionLost(connector, connectionDone)
        assert factory.numPorts == 0

    def test_protocolConnectionMade(self) -> None:
        """
        A built L{AccumulatingProtocol} fires its factory's
        C{protocolConnectionMade} Deferred, once.
        """
        from torsion.internet.defer import Deferred

        factory = Factory.forProtocol(AccumulatingProtocol)
        made: Deferred[AccumulatingProtocol] = Deferred()
        factory.protocolConnectionMade = made  # type: ignore[attr-defined]
        proto = factory.buildProtocol(ADDRESS)
        assert proto is not None
        proto.makeConnection(StringTransport())
        assert made.result is proto
        assert factory.protocolConnectionMade is None  # type: ignore[attr-defined]


class AdapterTests:
    def test_protocolAsConsumer(self) -> None:
        """
        C{IConsumer(protocol)} writes into the protocol's C{dataReceived}.
        """
        proto = AccumulatingProtocol()
        consumer = IConsumer(proto)
        assert isinstance(consumer, ProtocolToConsumerAdapter)
        assert verifyObject(IConsumer, consumer)
        consumer.registerProducer(StringTransport(), True)
        consumer.write(b"abc")
        consumer.write(b"def")
        consumer.unregisterProducer()
        assert proto.data == b"abcdef"

    def test_consumerAsProtocol(self) -> None:
        """
        C{IProtocol(consumer)} writes received bytes to the consumer and
        ignores the rest of the connection's life.
        """
        transport = StringTransport()
        adapted = IProtocol(transport)
        assert isinstance(adapted, ConsumerToProtocolAdapter)
        assert verifyObject(IProtocol, adapted)
        adapted.makeConnection(StringTransport())
        adapted.connectionMade()
        adapted.dataReceived(b"hello")
        adapted.connectionLost(connectionDone)
        assert transport.value() == b"hello"

    def test_otherAdaptationsUnaffected(self) -> None:
        """
        Objects that are neither protocols nor consumers still fail to
        adapt, or use the default given.
        """
        with pytest.raises(TypeError):
            IConsumer(object())
        assert IProtocol(object(), None) is None
        fallback: object = ITransport(Protocol(), "default")
        assert fallback == "default"


class Datagram(DatagramProtocol):
    """
    A datagram protocol recording its start, stop and datagrams.
    """

    noisy = False

    def __init__(self) -> None:
        self.events: list[object] = []

    def startProtocol(self) -> None:
        self.events.append("start")

    def stopProtocol(self) -> None:
        self.events.append("stop")

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.events.append((datagram, addr))


class DatagramProtocolTests:
    def test_makeConnectionStarts(self) -> None:
        """
        C{makeConnection} attaches the transport and starts the protocol.
        """
        proto = Datagram()
        port = object()
        proto.makeConnection(port)
        assert proto.transport is port
        assert (proto.events, proto.numPorts) == (["start"], 1)

    def test_attachedTwice(self) -> None:
        """
        Attaching an attached protocol to another port is refused.
        """
        proto = Datagram()
        proto.makeConnection("port one")
        with pytest.raises(RuntimeError, match=r"^Datagram is already attached to 'port one'"):
            proto.makeConnection("port two")

    def test_doStopDetaches(self) -> None:
        """
        C{doStop} forgets the transport; the last one stops the protocol.
        """
        proto = Datagram()
        proto.doStart()
        proto.makeConnection("port")
        proto.doStop()
        assert proto.transport is None
        assert proto.events == ["start"]
        proto.doStop()
        assert proto.events == ["start", "stop"]
        assert proto.numPorts == 0

    def test_unbalancedStop(self) -> None:
        """
        C{doStop} with no start raises, saying who should call it.
        """
        with pytest.raises(RuntimeError, match=r"^Datagram\.doStop\(\) called more often"):
            Datagram().doStop()

    def test_datagramReceived(self) -> None:
        """
        The default C{datagramReceived} does nothing; overrides get each
        datagram with its sender.
        """
        DatagramProtocol().datagramReceived(b"x", ("127.0.0.1", 1))
        proto = Datagram()
        proto.datagramReceived(b"ping", ("127.0.0.1", 9))
        assert proto.events == [(b"ping", ("127.0.0.1", 9))]

    def test_pickleDropsTransport(self) -> None:
        """
        A pickled protocol leaves its transport behind.
        """
        proto = DatagramProtocol()
        proto.transport = "a port"
        proto.numPorts = 1
        clone = pickle.loads(pickle.dumps(proto))
        assert clone.transport is None
        assert clone.numPorts == 1
        assert proto.transport == "a port"

    def test_logging(self, logged: EventLoggingObserver) -> None:
        """
        A noisy datagram protocol logs its start and stop.
        """
        proto = DatagramProtocol()
        proto.makeConnection("port")
        proto.doStop()
        formats = [e["log_format"] for e in logged if e.get("protocol") is proto]
        assert formats == ["Starting protocol {protocol!r}", "Stopping protocol {protocol!r}"]

    def test_extras(self) -> None:
        """
        L{DatagramProtocol} names itself in logs and accepts
        C{connectionRefused}; L{ConnectedDatagramProtocol} accepts datagrams
        without an address and C{connectionFailed}.
        """
        proto = DatagramProtocol()
        assert verifyObject(ILoggingContext, proto)
        assert proto.logPrefix() == "DatagramProtocol"
        proto.connectionRefused()
        connected = ConnectedDatagramProtocol()
        assert isinstance(connected, AbstractDatagramProtocol)
        connected.datagramReceived(b"x")
        connected.connectionFailed(Failure(ConnectionLost()))
        assert connected.transport is None


class ProcessRecorder(ProcessProtocol):
    """
    A process protocol recording its named callbacks.
    """

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def outReceived(self, data: bytes) -> None:
        self.events.append(("out", data))

    def errReceived(self, data: bytes) -> None:
        self.events.append(("err", data))

    def inConnectionLost(self) -> None:
        self.events.append(("inLost", None))

    def outConnectionLost(self) -> None:
        self.events.append(("outLost", None))

    def errConnectionLost(self) -> None:
        self.events.append(("errLost", None))


class ProcessProtocolTests:
    def test_interface(self) -> None:
        """
        L{ProcessProtocol} provides L{IProcessProtocol}.
        """
        assert verifyObject(IProcessProtocol, ProcessProtocol())
        assert verifyClass(IProcessProtocol, ProcessProtocol)

    def test_childDataDispatch(self) -> None:
        """
        Output on descriptor 1 goes to C{outReceived}, on 2 to
        C{errReceived}; other descriptors are ignored.
        """
        proto = ProcessRecorder()
        proto.childDataReceived(1, b"stdout")
        proto.childDataReceived(2, b"stderr")
        proto.childDataReceived(3, b"other")
        assert proto.events == [("out", b"stdout"), ("err", b"stderr")]

    def test_childConnectionLostDispatch(self) -> None:
        """
        Closed descriptors 0, 1 and 2 go to C{inConnectionLost},
        C{outConnectionLost} and C{errConnectionLost}; others are ignored.
        """
        proto = ProcessRecorder()
        for fd in (0, 1, 2, 5):
            proto.childConnectionLost(fd)
        assert [name for name, _ in proto.events] == ["inLost", "outLost", "errLost"]

    def test_defaultsDoNothing(self) -> None:
        """
        The default callbacks accept their arguments and do nothing.
        """
        proto = ProcessProtocol()
        proto.childDataReceived(1, b"x")
        proto.childDataReceived(2, b"x")
        for fd in (0, 1, 2):
            proto.childConnectionLost(fd)
        proto.processExited(connectionDone)
        proto.processEnded(connectionDone)
        assert proto.transport is None
        assert proto.connected is False


class PublicNamesTests:
    def test_allSorted(self) -> None:
        """
        C{__all__} lists each name once, sorted.
        """
        assert protocol.__all__ == sorted(set(protocol.__all__))

    def test_publicModule(self) -> None:
        """
        Every exported class names C{torsion.internet.protocol} as its module.
        """
        for name in protocol.__all__:
            obj = getattr(protocol, name)
            if isinstance(obj, type):
                assert obj.__module__ == "torsion.internet.protocol", name

    def test_implementedInterfaces(self) -> None:
        """
        Each exported class's instances pass C{verifyObject} for every
        interface they claim.
        """
        instances: list[object] = [
            BaseProtocol(),
            Protocol(),
            Factory(),
            ServerFactory(),
            ClientFactory(),
            DatagramProtocol(),
            ConnectedDatagramProtocol(),
            ProcessProtocol(),
            ProtocolToConsumerAdapter(Protocol()),
            ConsumerToProtocolAdapter(StringTransport()),
        ]
        for instance in instances:
            for interface in providedBy(instance):
                assert verifyObject(interface, instance)
