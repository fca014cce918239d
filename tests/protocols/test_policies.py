"""
Tests for L{torsion.protocols.policies}: wrappers, throttling, connection
limits, idle timeouts and traffic logging; unit tests on fakes with a
L{Clock}, then the same policies over real TCP on every reactor backend.
"""

from __future__ import annotations

import importlib
import inspect
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.internet.reactors import backendReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address
from torsion.internet.defer import Deferred
from torsion.internet.error import ConnectionDone
from torsion.internet.interfaces import (
    IConsumer,
    IHalfCloseableProtocol,
    IProtocol,
    IProtocolFactory,
    IPushProducer,
    ITCPTransport,
    ITransport,
)
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.logger import LogEvent, formatEvent, globalLogPublisher
from torsion.protocols.loopback import LoopbackClientFactory
from torsion.protocols.policies import (
    LimitConnectionsByPeer,
    LimitTotalConnectionsFactory,
    ProtocolWrapper,
    SpewingFactory,
    ThrottlingFactory,
    ThrottlingProtocol,
    TimeoutFactory,
    TimeoutMixin,
    TimeoutProtocol,
    TrafficLoggingFactory,
    WrappingFactory,
)
from torsion.protocols.portforward import ProxyClientFactory, ProxyFactory
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

__all__ = ["backendReactor"]


class Recorder(Protocol):
    """
    Records every call it gets, in order.
    """

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.data = b""

    def connectionMade(self) -> None:
        self.events.append(("connectionMade", self.transport))

    def dataReceived(self, data: bytes) -> None:
        self.events.append(("dataReceived", data))
        self.data += data

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.events.append(("connectionLost", reason))


@implementer(IHalfCloseableProtocol)
class HalfCloser(Recorder):
    """
    A half-closeable L{Recorder}.
    """

    def readConnectionLost(self) -> None:
        self.events.append(("readConnectionLost", None))

    def writeConnectionLost(self) -> None:
        self.events.append(("writeConnectionLost", None))


@implementer(IPushProducer)
class PushProducer:
    """
    A push producer that records whether it is paused.
    """

    def __init__(self) -> None:
        self.paused = False
        self.stopped = False
        self.calls: list[str] = []

    def pauseProducing(self) -> None:
        self.paused = True
        self.calls.append("pause")

    def resumeProducing(self) -> None:
        self.paused = False
        self.calls.append("resume")

    def stopProducing(self) -> None:
        self.stopped = True


class PullProducer:
    """
    A pull producer that counts the chunks it was asked for.
    """

    def __init__(self) -> None:
        self.asked = 0

    def resumeProducing(self) -> None:
        self.asked += 1

    def stopProducing(self) -> None:
        pass


def recorderFactory() -> tuple[Factory[Recorder], list[Recorder]]:
    """
    A factory of L{Recorder}s, and the list of those it built.
    """
    built: list[Recorder] = []

    def build() -> Recorder:
        p = Recorder()
        built.append(p)
        return p

    return Factory.forProtocol(build), built


def connectWrapper(factory: WrappingFactory, transport: Any = None) -> tuple[Any, Any]:
    """
    Build a protocol from C{factory} and connect it to a transport.

    @return: The wrapper and the transport.
    """
    p = factory.buildProtocol(IPv4Address("TCP", "10.0.0.2", 5555))
    assert p is not None
    if transport is None:
        transport = StringTransport()
    p.makeConnection(transport)
    return p, transport


# -- ProtocolWrapper and WrappingFactory ---------------------------------------


class ProtocolWrapperTests:
    def test_eventsPassThrough(self) -> None:
        """
        The wrapped protocol is connected to the wrapper, gets the data and
        the loss, and what it writes reaches the real transport.
        """
        factory, built = recorderFactory()
        wrapper, transport = connectWrapper(WrappingFactory(factory))
        wrapped = built[0]
        assert wrapper.wrappedProtocol is wrapped
        assert wrapped.transport is wrapper
        wrapper.dataReceived(b"abc")
        wrapped.transport.write(b"out")
        wrapped.transport.writeSequence([b"1", b"2"])
        wrapper.connectionLost(Failure(ConnectionDone()))
        assert [name for name, _ in wrapped.events] == [
            "connectionMade",
            "dataReceived",
            "connectionLost",
        ]
        assert wrapped.data == b"abc"
        assert transport.value() == b"out12"

    def test_providesTransportInterfaces(self) -> None:
        """
        Once connected, the wrapper provides the transport's interfaces, and
        attributes it lacks are those of the transport.
        """
        factory, _ = recorderFactory()
        wrapper, transport = connectWrapper(WrappingFactory(factory))
        for iface in (ITransport, IConsumer, IPushProducer, IProtocol):
            assert verifyObject(iface, wrapper)
        wrapper.pauseProducing()
        assert transport.producerState == "paused"
        assert wrapper.hostAddr is transport.hostAddr
        assert wrapper.getPeer() == transport.getPeer()
        assert wrapper.getHost() == transport.getHost()
        with pytest.raises(AttributeError):
            wrapper.noSuchAttribute  # noqa: B018

    def test_halfCloseForwarded(self) -> None:
        """
        A wrapper of a half-closeable protocol is half-closeable too and
        passes both half-close events on; a wrapper of any other protocol
        is not.
        """
        halves = WrappingFactory(Factory.forProtocol(HalfCloser))
        wrapper, _ = connectWrapper(halves)
        wrapped = wrapper.wrappedProtocol
        assert IHalfCloseableProtocol.providedBy(wrapper)
        wrapper.readConnectionLost()
        wrapper.writeConnectionLost()
        assert [name for name, _ in wrapped.events][1:] == [
            "readConnectionLost",
            "writeConnectionLost",
        ]
        plain, _ = connectWrapper(WrappingFactory(Factory.forProtocol(Recorder)))
        assert not IHalfCloseableProtocol.providedBy(plain)

    def test_loseConnection(self) -> None:
        """
        loseConnection through the wrapper marks it disconnecting and closes
        the transport.
        """
        wrapper, transport = connectWrapper(WrappingFactory(Factory.forProtocol(Recorder)))
        assert not wrapper.disconnecting
        wrapper.wrappedProtocol.transport.loseConnection()
        assert wrapper.disconnecting
        assert transport.disconnecting

    def test_producers(self) -> None:
        """
        Producers are registered with the transport; stopConsuming
        unregisters and closes.
        """
        wrapper, transport = connectWrapper(WrappingFactory(Factory.forProtocol(Recorder)))
        producer = PushProducer()
        wrapper.registerProducer(producer, True)
        assert transport.producer is producer
        assert transport.streaming is True
        wrapper.unregisterProducer()
        assert transport.producer is None
        wrapper.registerProducer(producer, True)
        wrapper.stopConsuming()
        assert transport.producer is None
        assert transport.disconnecting

    def test_logPrefix(self) -> None:
        """
        The wrapper and the factory name what they wrap, then themselves.
        """
        factory = WrappingFactory(Factory.forProtocol(Recorder))
        wrapper, _ = connectWrapper(factory)
        assert wrapper.logPrefix() == "Recorder (ProtocolWrapper)"
        assert factory.logPrefix() == "Factory (WrappingFactory)"


class WrappingFactoryTests:
    def test_protocolsRegistered(self) -> None:
        """
        L{WrappingFactory.protocols} holds each wrapper from connection to
        loss.
        """
        factory = WrappingFactory(Factory.forProtocol(Recorder))
        first, _ = connectWrapper(factory)
        second, _ = connectWrapper(factory)
        assert set(factory.protocols) == {first, second}
        first.connectionLost(Failure(ConnectionDone()))
        assert set(factory.protocols) == {second}

    def test_refusalPassesThrough(self) -> None:
        """
        When the wrapped factory refuses a connection, so does the wrapper.
        """
        refusing = Factory.forProtocol(Recorder)
        refusing.buildProtocol = lambda addr: None  # type: ignore[method-assign]
        assert WrappingFactory(refusing).buildProtocol(None) is None

    def test_startStop(self) -> None:
        """
        Starting and stopping the wrapper starts and stops the wrapped
        factory.
        """
        wrapped = Factory.forProtocol(Recorder)
        wrapped.noisy = False
        factory = WrappingFactory(wrapped)
        factory.noisy = False
        factory.doStart()
        assert (wrapped.numPorts, factory.numPorts) == (1, 1)
        factory.doStop()
        assert (wrapped.numPorts, factory.numPorts) == (0, 0)

    def test_clientCallbacks(self) -> None:
        """
        The client callbacks reach the wrapped client factory.
        """
        calls: list[str] = []

        class Watcher(ClientFactory[Recorder]):
            def startedConnecting(self, connector: Any) -> None:
                calls.append("started")

            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                calls.append("failed")

            def clientConnectionLost(self, connector: Any, reason: Failure) -> None:
                calls.append("lost")

        factory = WrappingFactory(Watcher())
        reason = Failure(ConnectionDone())
        factory.startedConnecting(None)  # type: ignore[arg-type]
        factory.clientConnectionFailed(None, reason)  # type: ignore[arg-type]
        factory.clientConnectionLost(None, reason)  # type: ignore[arg-type]
        assert calls == ["started", "failed", "lost"]


# -- ThrottlingFactory -----------------------------------------------------------


def throttling(**kwargs: Any) -> tuple[ThrottlingFactory, Clock]:
    """
    A L{ThrottlingFactory} of L{Recorder}s on a fresh clock.
    """
    clock = Clock()
    factory = ThrottlingFactory(Factory.forProtocol(Recorder), clock=clock, **kwargs)
    return factory, clock


class ThrottlingFactoryTests:
    def test_maxConnectionCount(self) -> None:
        """
        Past C{maxConnectionCount} open connections new ones are refused;
        a closed connection makes room.
        """
        factory, _ = throttling(maxConnectionCount=2)
        first, _ = connectWrapper(factory)
        connectWrapper(factory)
        assert factory.buildProtocol(None) is None
        assert factory.connectionCount == 2
        first.connectionLost(Failure(ConnectionDone()))
        assert factory.connectionCount == 1
        assert factory.buildProtocol(None) is not None

    def test_readThrottle(self) -> None:
        """
        Reading three times the limit in a second pauses reading for the
        two seconds that bring the rate down to the limit.
        """
        factory, clock = throttling(readLimit=10)
        wrapper, transport = connectWrapper(factory)
        wrapper.dataReceived(b"x" * 30)
        assert wrapper.wrappedProtocol.data == b"x" * 30
        clock.advance(1)
        assert transport.producerState == "paused"
        clock.advance(1.9)
        assert transport.producerState == "paused"
        clock.advance(0.1)
        assert transport.producerState == "producing"

    def test_underLimitNotThrottled(self) -> None:
        """
        Reading no more than the limit in a second never pauses.
        """
        factory, clock = throttling(readLimit=10)
        wrapper, transport = connectWrapper(factory)
        for _ in range(5):
            wrapper.dataReceived(b"y" * 10)
            clock.advance(1)
            assert transport.producerState == "producing"

    def test_throttleKeepsApplicationPause(self) -> None:
        """
        A transport the application paused stays paused when a read
        throttle ends; an application resume during a throttle waits for
        its end.
        """
        factory, clock = throttling(readLimit=10)
        wrapper, transport = connectWrapper(factory)
        app = wrapper.wrappedProtocol
        app.transport.pauseProducing()
        wrapper.dataReceived(b"z" * 20)
        clock.advance(1)
        clock.advance(1)
        assert transport.producerState == "paused"
        app.transport.resumeProducing()
        assert transport.producerState == "producing"
        wrapper.dataReceived(b"z" * 20)
        clock.advance(1)
        assert transport.producerState == "paused"
        app.transport.resumeProducing()
        assert transport.producerState == "paused"
        clock.advance(1)
        assert transport.producerState == "producing"

    def test_writeThrottlePausesProducer(self) -> None:
        """
        Writing more than the limit in a second pauses the connection's
        push producer until the rate is back to the limit.
        """
        factory, clock = throttling(writeLimit=50)
        wrapper, transport = connectWrapper(factory)
        producer = PushProducer()
        wrapper.wrappedProtocol.transport.registerProducer(producer, True)
        wrapper.wrappedProtocol.transport.write(b"w" * 100)
        assert transport.value() == b"w" * 100
        clock.advance(1)
        assert producer.paused
        clock.advance(1)
        assert not producer.paused
        assert producer.calls == ["pause", "resume"]

    def test_writeThrottleKeepsTransportPause(self) -> None:
        """
        A producer the transport paused (its buffer is full) stays paused
        when a write throttle ends, and runs again when the transport
        resumes it.
        """
        factory, clock = throttling(writeLimit=50)
        wrapper, transport = connectWrapper(factory)
        producer = PushProducer()
        wrapper.registerProducer(producer, True)
        wrapper.write(b"w" * 100)
        transport.producer.pauseProducing()
        clock.advance(1)
        clock.advance(1)
        assert producer.paused
        transport.producer.resumeProducing()
        assert not producer.paused
        assert producer.calls == ["pause", "resume"]

    def test_pullProducerHeldBack(self) -> None:
        """
        A pull producer's requests for more data are held while writes are
        throttled and replayed when they are not.
        """
        factory, clock = throttling(writeLimit=50)
        wrapper, transport = connectWrapper(factory)
        producer = PullProducer()
        wrapper.registerProducer(producer, False)
        wrapper.write(b"p" * 100)
        clock.advance(1)
        asked = producer.asked
        transport.producer.resumeProducing()
        assert producer.asked == asked
        clock.advance(1)
        assert producer.asked == asked + 1
        transport.producer.resumeProducing()
        assert producer.asked == asked + 2

    def test_writesWithoutProducerGoThrough(self) -> None:
        """
        Without a producer, writes are never held back (as in Twisted).
        """
        factory, clock = throttling(writeLimit=1)
        wrapper, transport = connectWrapper(factory)
        wrapper.write(b"a" * 10)
        clock.advance(1)
        wrapper.write(b"b")
        assert transport.value() == b"a" * 10 + b"b"
        assert wrapper.producer is None

    def test_newConnectionStartsThrottled(self) -> None:
        """
        A connection made while reads are throttled starts paused.
        """
        factory, clock = throttling(readLimit=10)
        first, _ = connectWrapper(factory)
        first.dataReceived(b"q" * 50)
        clock.advance(1)
        _, transport = connectWrapper(factory)
        assert transport.producerState == "paused"
        clock.advance(4)
        assert transport.producerState == "producing"

    def test_lastConnectionStopsChecks(self) -> None:
        """
        The once-a-second checks run only while connections are open.
        """
        factory, clock = throttling(readLimit=10, writeLimit=10)
        assert clock.getDelayedCalls() == []
        wrapper, _ = connectWrapper(factory)
        assert len(clock.getDelayedCalls()) == 2
        wrapper.dataReceived(b"r" * 100)
        clock.advance(1)
        wrapper.connectionLost(Failure(ConnectionDone()))
        assert clock.getDelayedCalls() == []
        assert factory.connectionCount == 0

    def test_refusedByWrappedFactoryNotCounted(self) -> None:
        """
        A connection the wrapped factory refuses is not counted.
        """
        clock = Clock()
        refusing = Factory.forProtocol(Recorder)
        refusing.buildProtocol = lambda addr: None  # type: ignore[method-assign]
        factory = ThrottlingFactory(refusing, readLimit=5, clock=clock)
        assert factory.buildProtocol(None) is None
        assert factory.connectionCount == 0
        assert clock.getDelayedCalls() == []

    @pytest.mark.parametrize("limit", [0, -5])
    def test_badLimit(self, limit: int) -> None:
        """
        A limit that is not a positive number is refused, naming it.
        """
        with pytest.raises(
            ValueError,
            match=(
                r"^ThrottlingFactory readLimit must be a number of bytes per second "
                rf"greater than 0, or None for no limit, not {limit}$"
            ),
        ):
            ThrottlingFactory(Factory.forProtocol(Recorder), readLimit=limit)

    def test_badConnectionCount(self) -> None:
        """
        A negative connection count is refused.
        """
        with pytest.raises(ValueError, match=r"maxConnectionCount must be 0 or more, not -1$"):
            ThrottlingFactory(Factory.forProtocol(Recorder), maxConnectionCount=-1)

    def test_protocolClass(self) -> None:
        """
        The factory builds L{ThrottlingProtocol}s.
        """
        factory, _ = throttling()
        assert isinstance(factory.buildProtocol(None), ThrottlingProtocol)


# -- connection limits ----------------------------------------------------------------


def peer(host: str, port: int = 40000) -> IPv4Address:
    """
    A peer address on C{host}.
    """
    return IPv4Address("TCP", host, port)


class LimitConnectionsByPeerTests:
    def test_limitPerHost(self) -> None:
        """
        Each host may have C{maxConnectionsPerPeer} connections; other
        hosts are counted apart; a closed connection makes room.
        """
        factory = LimitConnectionsByPeer(Factory.forProtocol(Recorder))
        factory.maxConnectionsPerPeer = 2
        first = factory.buildProtocol(peer("10.0.0.1", 1))
        assert first is not None
        first.makeConnection(StringTransport())
        assert factory.buildProtocol(peer("10.0.0.1", 2)) is not None
        assert factory.buildProtocol(peer("10.0.0.1", 3)) is None
        assert factory.buildProtocol(peer("10.0.0.9", 4)) is not None
        assert factory.peerConnections == {"10.0.0.1": 2, "10.0.0.9": 1}
        first.connectionLost(Failure(ConnectionDone()))
        assert factory.peerConnections == {"10.0.0.1": 1, "10.0.0.9": 1}
        assert factory.buildProtocol(peer("10.0.0.1", 5)) is not None

    def test_lastConnectionForgetsHost(self) -> None:
        """
        A host whose connections have all closed is forgotten.
        """
        factory = LimitConnectionsByPeer(Factory.forProtocol(Recorder))
        p = factory.buildProtocol(peer("10.1.1.1"))
        assert p is not None
        p.makeConnection(StringTransport())
        p.connectionLost(Failure(ConnectionDone()))
        assert factory.peerConnections == {}
        assert factory.protocols == {}


class LimitTotalConnectionsFactoryTests:
    def test_refusedPastLimit(self) -> None:
        """
        Without an overflow protocol, connections past the limit are
        refused.
        """
        factory = LimitTotalConnectionsFactory()
        factory.protocol = Recorder
        factory.connectionLimit = 1
        first = factory.buildProtocol(None)
        assert isinstance(first, ProtocolWrapper)
        assert isinstance(first.wrappedProtocol, Recorder)
        assert first.wrappedProtocol.factory is factory
        assert factory.buildProtocol(None) is None
        first.makeConnection(StringTransport())
        first.connectionLost(Failure(ConnectionDone()))
        assert factory.connectionCount == 0
        assert factory.buildProtocol(None) is not None

    def test_overflowProtocol(self) -> None:
        """
        Past the limit the overflow protocol is built, and counted too.
        """

        class Busy(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"busy\r\n")
                self.transport.loseConnection()

        factory = LimitTotalConnectionsFactory()
        factory.protocol = Recorder
        factory.connectionLimit = 1
        factory.overflowProtocol = Busy
        factory.buildProtocol(None)
        overflow = factory.buildProtocol(None)
        assert overflow is not None
        assert isinstance(overflow.wrappedProtocol, Busy)
        assert factory.connectionCount == 2
        transport = StringTransport()
        overflow.makeConnection(transport)
        assert transport.value() == b"busy\r\n"
        assert transport.disconnecting

    def test_noLimit(self) -> None:
        """
        With no limit set, every connection is served.
        """
        factory = LimitTotalConnectionsFactory()
        factory.protocol = Recorder
        assert all(factory.buildProtocol(None) is not None for _ in range(100))
        assert factory.connectionCount == 100


# -- TimeoutMixin -----------------------------------------------------------------


class IdleProtocol(TimeoutMixin, Protocol):
    """
    Times out after 30 idle seconds; data counts as activity.
    """

    def __init__(self, clock: Clock) -> None:
        self.callLater = clock.callLater
        self.timedOut = 0

    def connectionMade(self) -> None:
        self.setTimeout(30)

    def dataReceived(self, data: bytes) -> None:
        self.resetTimeout()

    def timeoutConnection(self) -> None:
        self.timedOut += 1
        super().timeoutConnection()


def idleProtocol() -> tuple[IdleProtocol, StringTransport, Clock]:
    """
    A connected L{IdleProtocol}, its transport and its clock.
    """
    clock = Clock()
    proto = IdleProtocol(clock)
    transport = StringTransport()
    proto.makeConnection(transport)
    return proto, transport, clock


class TimeoutMixinTests:
    def test_idleDisconnect(self) -> None:
        """
        Activity resets the idle timer; C{timeOut} quiet seconds drop the
        connection.
        """
        proto, transport, clock = idleProtocol()
        clock.advance(29)
        proto.dataReceived(b"x")
        clock.advance(29)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting
        assert proto.timedOut == 1

    def test_setTimeoutNoneCancels(self) -> None:
        """
        C{setTimeout(None)} turns the timeout off and returns the old one.
        """
        proto, transport, clock = idleProtocol()
        assert proto.setTimeout(None) == 30
        assert clock.getDelayedCalls() == []
        clock.advance(100)
        assert not transport.disconnecting
        proto.resetTimeout()
        assert clock.getDelayedCalls() == []

    def test_setTimeoutChangesPeriod(self) -> None:
        """
        A new period applies from now, on the same scheduled call.
        """
        proto, transport, clock = idleProtocol()
        clock.advance(10)
        assert proto.setTimeout(5) == 30
        assert len(clock.getDelayedCalls()) == 1
        clock.advance(4.9)
        assert not transport.disconnecting
        clock.advance(0.1)
        assert transport.disconnecting

    def test_newTimeoutFromTimeoutConnection(self) -> None:
        """
        timeoutConnection may set a new timeout (a grace period, say).
        """
        clock = Clock()

        class Warner(IdleProtocol):
            def timeoutConnection(self) -> None:
                self.timedOut += 1
                if self.timedOut == 1:
                    self.transport.write(b"idle: closing in 10 seconds\r\n")
                    self.setTimeout(10)
                else:
                    self.transport.loseConnection()

        proto = Warner(clock)
        transport = StringTransport()
        proto.makeConnection(transport)
        clock.advance(30)
        assert transport.value() == b"idle: closing in 10 seconds\r\n"
        assert not transport.disconnecting
        clock.advance(10)
        assert transport.disconnecting

    def test_resetWithoutTimeout(self) -> None:
        """
        resetTimeout does nothing when no timeout was ever set.
        """
        clock = Clock()
        proto = IdleProtocol(clock)
        proto.resetTimeout()
        assert clock.getDelayedCalls() == []
        assert proto.timeOut is None

    def test_globalReactorByDefault(self, reactor: Any) -> None:
        """
        Without a clock of its own, the timeout is scheduled on the global
        reactor.
        """

        class Plain(TimeoutMixin, Protocol):
            pass

        before = set(reactor.getDelayedCalls())
        proto = Plain()
        proto.makeConnection(StringTransport())
        proto.setTimeout(100)
        assert len(set(reactor.getDelayedCalls()) - before) == 1
        proto.setTimeout(None)
        assert set(reactor.getDelayedCalls()) == before

    @pytest.mark.parametrize("period", [-1, "30", float("nan"), True])
    def test_badPeriod(self, period: Any) -> None:
        """
        A period that is not a number of seconds (0 or more) is refused.
        """
        proto, _, _ = idleProtocol()
        with pytest.raises(
            ValueError,
            match=(
                r"^setTimeout\(\) takes a number of seconds \(0 or more\), or None for no "
                rf"timeout, not {re.escape(repr(period))}$"
            ),
        ):
            proto.setTimeout(period)


# -- TimeoutProtocol and TimeoutFactory -------------------------------------------------


class TimeoutFactoryTests:
    def test_idleConnectionClosed(self) -> None:
        """
        A connection with no traffic for C{timeoutPeriod} seconds is closed;
        reads and writes both count as traffic.
        """
        clock = Clock()
        factory = TimeoutFactory(Factory.forProtocol(Recorder), timeoutPeriod=10, clock=clock)
        wrapper, transport = connectWrapper(factory)
        app = wrapper.wrappedProtocol
        assert isinstance(wrapper, TimeoutProtocol)
        clock.advance(9)
        wrapper.dataReceived(b"in")
        clock.advance(9)
        app.transport.write(b"out")
        clock.advance(9)
        app.transport.writeSequence([b"o", b"ut"])
        clock.advance(9)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting

    def test_connectionLostCancels(self) -> None:
        """
        A closed connection leaves no timeout behind.
        """
        clock = Clock()
        factory = TimeoutFactory(Factory.forProtocol(Recorder), timeoutPeriod=10, clock=clock)
        wrapper, _ = connectWrapper(factory)
        wrapper.connectionLost(Failure(ConnectionDone()))
        assert clock.getDelayedCalls() == []
        assert wrapper.wrappedProtocol.events[-1][0] == "connectionLost"

    def test_setTimeoutAndCancel(self) -> None:
        """
        The wrapper's timeout can be changed, and turned off.
        """
        clock = Clock()
        factory = TimeoutFactory(Factory.forProtocol(Recorder), timeoutPeriod=10, clock=clock)
        wrapper, transport = connectWrapper(factory)
        wrapper.setTimeout(2)
        clock.advance(2)
        assert transport.disconnecting
        other, otherTransport = connectWrapper(factory)
        other.cancelTimeout()
        assert other.timeoutPeriod is None
        clock.advance(100)
        assert not otherTransport.disconnecting

    def test_badPeriod(self) -> None:
        """
        A negative period is refused when the factory is made.
        """
        with pytest.raises(ValueError, match=r"^TimeoutFactory\(\) takes a number of seconds"):
            TimeoutFactory(Factory.forProtocol(Recorder), timeoutPeriod=-3)


# -- traffic logging --------------------------------------------------------------------


class TrafficLoggingTests:
    def test_fileFormat(self, tmp_path: Path) -> None:
        """
        Each event of a connection is written to its own numbered file, one
        line per event, and the file is closed with the connection.
        """
        prefix = str(tmp_path / "traffic")
        factory = TrafficLoggingFactory(Factory.forProtocol(Recorder), prefix)
        wrapper, _ = connectWrapper(factory)
        wrapper.dataReceived(b"abc")
        wrapper.write(b"xyz")
        wrapper.writeSequence([b"a", b"b"])
        wrapper.loseConnection()
        wrapper.connectionLost(Failure(ConnectionDone("closed")))
        lines = (tmp_path / "traffic-1").read_text().splitlines()
        assert lines[:5] == ["*", "C 1: b'abc'", "S 1: b'xyz'", "SV 1: [b'a', b'b']", "S 1: *"]
        assert lines[5].startswith("C 1: <") and "ConnectionDone" in lines[5]
        assert wrapper.logfile.closed

    def test_numbering(self, tmp_path: Path) -> None:
        """
        Connections are numbered from 1; resetCounter starts again.
        """
        prefix = str(tmp_path / "t")
        factory = TrafficLoggingFactory(Factory.forProtocol(Recorder), prefix)
        for data in (b"hi", b"hi", b"again"):
            if data == b"again":
                factory.resetCounter()
            wrapper = connectWrapper(factory)[0]
            wrapper.dataReceived(data)
            wrapper.connectionLost(Failure(ConnectionDone()))
        assert (tmp_path / "t-2").read_text().startswith("*\nC 2: b'hi'\nC 2: <")
        assert (tmp_path / "t-1").read_text().startswith("*\nC 1: b'again'\nC 1: <")

    def test_lengthLimit(self) -> None:
        """
        Longer data is cut to C{lengthLimit} characters, ending in an
        elision mark; files from an overridden C{open} are left open.
        """
        files: list[io.StringIO] = []

        class InMemory(TrafficLoggingFactory):
            def open(self, name: str) -> IO[str]:
                files.append(io.StringIO())
                return files[-1]

        factory = InMemory(Factory.forProtocol(Recorder), "unused", lengthLimit=20)
        wrapper, _ = connectWrapper(factory)
        wrapper.dataReceived(b"x" * 50)
        wrapper.dataReceived(b"short")
        wrapper.connectionLost(Failure(ConnectionDone()))
        lines = files[0].getvalue().splitlines()
        assert lines[1] == "C 1: b'xxxxxx<... elided>"
        assert len(lines[1]) == len("C 1: ") + 20
        assert lines[2] == "C 1: b'short'"
        assert not files[0].closed


class SpewingFactoryTests:
    def test_logsTraffic(self) -> None:
        """
        Every chunk read and written is logged.
        """
        events: list[LogEvent] = []
        globalLogPublisher.addObserver(events.append)
        try:
            wrapper, transport = connectWrapper(SpewingFactory(Factory.forProtocol(Recorder)))
            wrapper.dataReceived(b"ping")
            wrapper.write(b"pong")
        finally:
            globalLogPublisher.removeObserver(events.append)
        texts = [formatEvent(e) for e in events]
        assert "Received: b'ping'" in texts
        assert "Sending: b'pong'" in texts
        assert transport.value() == b"pong"


# -- over real TCP --------------------------------------------------------------------------


class Echo(Protocol):
    """
    Echoes what it receives; C{lost} fires when its connection ends.
    """

    def __init__(self) -> None:
        self.lost: Deferred[None] = Deferred()

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)


def echoFactory() -> tuple[Factory[Echo], list[Echo]]:
    """
    A factory of L{Echo}s, and the list of those it built.
    """
    built: list[Echo] = []

    def build() -> Echo:
        built.append(Echo())
        return built[-1]

    return Factory.forProtocol(build), built


class Client(Protocol):
    """
    A client whose events fire Deferreds: C{made}, C{got} (once
    C{expected} bytes have come) and C{lost} (C{reason} says why).
    """

    def __init__(self, expected: int = 0) -> None:
        self.expected = expected
        self.received = b""
        self.made: Deferred[Client] = Deferred()
        self.got: Deferred[bytes] = Deferred()
        self.lost: Deferred[None] = Deferred()
        self.reason: Failure | None = None

    def connectionMade(self) -> None:
        self.made.callback(self)

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if len(self.received) >= self.expected and not self.got.called:
            self.got.callback(self.received)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)

    def expect(self, total: int) -> Deferred[bytes]:
        """
        A Deferred that fires once C{total} bytes in all have arrived.
        """
        self.expected = total
        self.got = Deferred()
        if len(self.received) >= total:
            self.got.callback(self.received)
        return self.got


def connectClient(reactor: Any, port: int, client: Protocol) -> None:
    """
    Connect C{client} to C{port} on 127.0.0.1.
    """
    factory: ClientFactory[Protocol] = ClientFactory()
    factory.buildProtocol = lambda addr: client  # type: ignore[method-assign]
    reactor.connectTCP("127.0.0.1", port, factory)


def listen(reactor: Any, factory: Any) -> tuple[Any, int]:
    """
    Listen on 127.0.0.1 with C{factory}.

    @return: The port and its number.
    """
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    return port, port.getHost().port


class OverTCPTests:
    def test_wrapperOverTCP(self, backendReactor: PollingReactor) -> None:
        """
        Over TCP the wrapped protocol's transport provides ITCPTransport and
        its methods work through the wrapper.
        """
        r = backendReactor
        seen: list[Any] = []
        servers: list[Echo] = []

        class Noting(Echo):
            def connectionMade(self) -> None:
                servers.append(self)
                seen.append(ITCPTransport.providedBy(self.transport))
                self.transport.setTcpNoDelay(True)
                seen.append(self.transport.getTcpNoDelay())

        port, number = listen(r, WrappingFactory(Factory.forProtocol(Noting)))
        client = Client()
        connectClient(r, number, client)

        async def scenario() -> bytes:
            await client.made
            client.transport.write(b"through the wrapper")
            data = await client.expect(19)
            client.transport.loseConnection()
            await client.lost
            await servers[0].lost
            await port.stopListening()
            return data

        assert runUntil(r, scenario(), timeout=30) == b"through the wrapper"
        assert seen == [True, True]

    def test_idleClientDisconnected(self, backendReactor: PollingReactor) -> None:
        """
        A server using L{TimeoutMixin} drops the client that stays idle and
        keeps the one that talks (the idle timer runs on a Clock; the
        connections are real).
        """
        r = backendReactor
        clock = Clock()
        servers: list[Any] = []

        class IdleEcho(TimeoutMixin, Echo):
            def connectionMade(self) -> None:
                self.callLater = clock.callLater
                self.setTimeout(30)
                servers.append(self)

            def dataReceived(self, data: bytes) -> None:
                self.resetTimeout()
                super().dataReceived(data)

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                self.setTimeout(None)
                super().connectionLost(reason)

        port, number = listen(r, Factory.forProtocol(IdleEcho))
        idle, active = Client(), Client()

        async def scenario() -> None:
            connectClient(r, number, idle)
            await idle.made
            connectClient(r, number, active)
            await active.made
            active.transport.write(b"ping")
            await active.expect(4)
            clock.advance(20)
            active.transport.write(b"ping")
            await active.expect(8)
            clock.advance(20)
            await idle.lost
            assert idle.reason is not None and idle.reason.check(ConnectionDone)
            assert not active.lost.called
            active.transport.write(b"still here")
            await active.expect(18)
            active.transport.loseConnection()
            await active.lost
            for server in servers:
                await server.lost
            await port.stopListening()

        runUntil(r, scenario(), timeout=30)
        assert len(servers) == 2
        assert clock.getDelayedCalls() == []

    def test_readThrottleOverTCP(self, backendReactor: PollingReactor) -> None:
        """
        Over TCP a read throttle stops the server reading from its socket
        until the pause is over; what the client sent meanwhile arrives
        afterwards.
        """
        r = backendReactor
        clock = Clock()
        received: list[Deferred[bytes]] = [Deferred(), Deferred()]
        wrappers: list[Any] = []

        serverLost: Deferred[None] = Deferred()

        class Sink(Protocol):
            def dataReceived(self, data: bytes) -> None:
                for d in received:
                    if not d.called:
                        d.callback(data)
                        break

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                serverLost.callback(None)

        factory = ThrottlingFactory(Factory.forProtocol(Sink), readLimit=10, clock=clock)
        original = factory.buildProtocol

        def build(addr: Any) -> Any:
            p = original(addr)
            wrappers.append(p)
            return p

        factory.buildProtocol = build  # type: ignore[method-assign]
        port, number = listen(r, factory)
        client = Client()

        async def scenario() -> None:
            connectClient(r, number, client)
            await client.made
            client.transport.write(b"a" * 30)
            assert await received[0] == b"a" * 30
            clock.advance(1)
            server = wrappers[0].transport
            assert server not in r.getReaders()
            client.transport.write(b"later")
            clock.advance(2)
            assert server in r.getReaders()
            assert await received[1] == b"later"
            client.transport.loseConnection()
            await client.lost
            await serverLost
            await port.stopListening()

        runUntil(r, scenario(), timeout=30)
        assert factory.connectionCount == 0

    def test_limitPerPeerOverTCP(self, backendReactor: PollingReactor) -> None:
        """
        A connection over the per-host limit is closed at once, and the
        connection within the limit carries on.
        """
        r = backendReactor
        echoes, built = echoFactory()
        factory = LimitConnectionsByPeer(echoes)
        factory.maxConnectionsPerPeer = 1
        port, number = listen(r, factory)
        first, second = Client(), Client()

        async def scenario() -> None:
            connectClient(r, number, first)
            await first.made
            first.transport.write(b"1")
            await first.expect(1)
            connectClient(r, number, second)
            await second.lost
            first.transport.write(b"2")
            assert await first.expect(2) == b"12"
            first.transport.loseConnection()
            await first.lost
            await built[0].lost
            await port.stopListening()

        runUntil(r, scenario(), timeout=30)
        assert second.received == b""
        assert len(built) == 1
        assert factory.peerConnections == {}


# -- docs/policies.md -----------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies.md"

# What each Python block of the page prints, in order (None: the block is a
# pytest test, run with the block before it).
DOC_OUTPUTS: list[str | None] = [
    "6 6 Shout (Counting)\n",
    "paused\nproducing\n",
    "False\nTrue\n",
    "[b'FIRST', b'SECOND']\n",
    None,
    "[1.0, 2.0, 4.0, 5.0, 5.0] 5\n",
]


def runSnippet(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """
    Run C{command} with this Python in C{cwd}.
    """
    return subprocess.run(
        [sys.executable, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_docSnippets(tmp_path: Path) -> None:
    """
    Every Python block of C{docs/policies.md} runs and prints what the page
    says it prints; the pytest block passes, with the block before it.
    """
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == len(DOC_OUTPUTS)
    for index, (block, expected) in enumerate(zip(blocks, DOC_OUTPUTS, strict=True)):
        if expected is None:
            snippet = tmp_path / f"test_snippet{index}.py"
            snippet.write_text(blocks[index - 1] + "\n" + block, encoding="utf-8")
            done = runSnippet(
                "-m", "pytest", "-q", "-p", "no:cacheprovider", snippet.name, cwd=tmp_path
            )
            assert done.returncode == 0, f"block {index}:\n{done.stdout}{done.stderr}"
            assert "1 passed" in done.stdout
            continue
        snippet = tmp_path / f"snippet{index}.py"
        snippet.write_text(block, encoding="utf-8")
        done = runSnippet(snippet.name, cwd=tmp_path)
        assert (done.returncode, done.stderr) == (0, ""), f"block {index}"
        assert done.stdout == expected, f"block {index} of {DOCS.name}"
        for line in expected.splitlines():
            assert f"`{line}`" in text, f"the page does not quote the output {line!r}"


# -- public names ----------------------------------------------------------------------------

# Twisted names deliberately not carried over, per module.
NOT_CARRIED_OVER = {
    "policies": set(),
    # An old synchronous relay, superseded in Twisted itself by loopbackAsync.
    "loopback": {"LoopbackRelay"},
    "portforward": set(),
}


@pytest.mark.parametrize("name", sorted(NOT_CARRIED_OVER))
def test_publicNames(name: str) -> None:
    """
    Each of policies, loopback and portforward lists its names once, in
    order; each claims the public module; and Twisted's public names of
    the same module are all there.
    """
    module = importlib.import_module(f"torsion.protocols.{name}")
    assert module.__all__ == sorted(set(module.__all__))
    for exported in module.__all__:
        assert getattr(module, exported).__module__ == module.__name__, exported
    try:
        twisted = importlib.import_module(f"twisted.protocols.{name}")
    except ImportError:
        pytest.skip("Twisted is not installed, so its names cannot be compared")
    theirs = {
        key
        for key, value in vars(twisted).items()
        if not key.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == twisted.__name__
    }
    assert theirs - NOT_CARRIED_OVER[name] <= set(module.__all__)


def test_factoriesProvideIProtocolFactory() -> None:
    """
    The factories of these modules provide IProtocolFactory.
    """
    wrapped = Factory.forProtocol(Recorder)
    factories: list[object] = [
        WrappingFactory(wrapped),
        ThrottlingFactory(wrapped),
        LimitConnectionsByPeer(wrapped),
        LimitTotalConnectionsFactory(),
        TimeoutFactory(wrapped),
        TrafficLoggingFactory(wrapped, "unused"),
        SpewingFactory(wrapped),
        ProxyFactory("127.0.0.1", 80),
        ProxyClientFactory(),
        LoopbackClientFactory(Recorder()),
    ]
    for factory in factories:
        assert verifyObject(IProtocolFactory, factory)
