"""
Tests for L{torsion.internet.protocol.ReconnectingClientFactory} and
L{torsion.internet.protocol.ClientCreator}: backoff on a Clock with fake
connectors, then real reconnection to a server that starts late, and
ClientCreator against fake and real reactors.
"""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from tests.internet.reactors import backendReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address
from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.error import (
    ConnectionDone,
    ConnectionRefusedError,
    NotConnectingError,
)
from torsion.internet.interfaces import IConnector, IProtocolFactory
from torsion.internet.protocol import (
    ClientCreator,
    Factory,
    Protocol,
    ReconnectingClientFactory,
    connectionDone,
)
from torsion.internet.task import Clock
from torsion.internet.testing import MemoryReactorClock
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

__all__ = ["backendReactor"]


@implementer(IConnector)
class FakeConnector:
    """
    A connector that counts connect() calls; stopConnecting raises
    NotConnectingError unless C{connecting} is set.
    """

    def __init__(self) -> None:
        self.connects = 0
        self.stops = 0
        self.connecting = False

    def connect(self) -> None:
        self.connects += 1

    def stopConnecting(self) -> None:
        if not self.connecting:
            raise NotConnectingError("not connecting")
        self.stops += 1

    def disconnect(self) -> None:
        pass

    def getDestination(self) -> IPv4Address:
        return IPv4Address("TCP", "127.0.0.1", 1)


def refused() -> Failure:
    """
    The failure of a refused connection.
    """
    return Failure(ConnectionRefusedError())


def quietFactory(**attributes: Any) -> tuple[ReconnectingClientFactory, Clock]:
    """
    A ReconnectingClientFactory on a Clock, without jitter or logging,
    with the given attributes set.
    """
    factory: ReconnectingClientFactory = ReconnectingClientFactory()
    clock = Clock()
    factory.clock = clock
    factory.noisy = False
    factory.jitter = 0
    for name, value in attributes.items():
        setattr(factory, name, value)
    return factory, clock


def scheduledDelays(factory: ReconnectingClientFactory, failures: int) -> list[float]:
    """
    Fail C{failures} attempts in a row and return each delay scheduled.
    """
    connector = FakeConnector()
    assert factory.clock is not None
    delays = []
    for _ in range(failures):
        before = factory.clock.seconds()
        factory.clientConnectionFailed(connector, refused())
        [call] = factory.clock.getDelayedCalls()
        delays.append(call.getTime() - before)
        assert isinstance(factory.clock, Clock)
        factory.clock.advance(call.getTime() - before)
    return delays


class BackoffTests:
    def test_exponentialUpToMaxDelay(self) -> None:
        """
        Each failure multiplies the delay by C{factor} (starting from
        C{initialDelay}), up to C{maxDelay}.
        """
        factory, _ = quietFactory(initialDelay=1.0, factor=2.0, maxDelay=10.0)
        assert scheduledDelays(factory, 6) == [2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
        assert factory.retries == 6

    def test_reconnectsAfterDelay(self) -> None:
        """
        The connector is told to connect again once the delay has passed,
        not before.
        """
        factory, clock = quietFactory(initialDelay=1.0, factor=3.0)
        connector = FakeConnector()
        factory.clientConnectionFailed(connector, refused())
        clock.advance(2.9)
        assert connector.connects == 0
        clock.advance(0.1)
        assert connector.connects == 1
        assert clock.getDelayedCalls() == []

    def test_lostConnectionReconnects(self) -> None:
        """
        A lost connection is retried like a failed attempt.
        """
        factory, clock = quietFactory()
        connector = FakeConnector()
        factory.clientConnectionLost(connector, Failure(ConnectionDone()))
        assert factory.connector is connector
        clock.advance(factory.delay)
        assert connector.connects == 1

    def test_jitterStaysWithinBounds(self) -> None:
        """
        Jitter varies the delays, but never below zero or above
        C{maxDelay}.
        """
        factory, _ = quietFactory(initialDelay=1.0, factor=1.5, maxDelay=20.0, jitter=0.5)
        random.seed(4)
        delays = scheduledDelays(factory, 60)
        assert all(0 <= d <= 20.0 + 1e-9 for d in delays)
        assert len({round(d, 6) for d in delays}) > 30

    def test_jitterNeverSticksAtZero(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        A delay that jitter pushed to zero (or below: it is kept at zero)
        grows again from C{initialDelay} on the next retry.
        """
        factory, _ = quietFactory(initialDelay=1.0, factor=2.0, jitter=0.1)
        draws = iter([-5.0, 2.0])
        monkeypatch.setattr(random, "normalvariate", lambda mu, sigma: next(draws))
        assert scheduledDelays(factory, 2) == [0.0, 2.0]

    def test_subclassInitialDelay(self) -> None:
        """
        A subclass that sets only C{initialDelay} starts its backoff from
        it (Twisted's starts from 1.0 whatever initialDelay says).
        """

        class Quick(ReconnectingClientFactory[Protocol]):
            initialDelay = 0.25
            factor = 2.0
            jitter = 0
            noisy = False

        factory = Quick()
        factory.clock = Clock()
        assert factory.delay == 0.25
        assert scheduledDelays(factory, 2) == [0.5, 1.0]

    def test_defaultJitterIsSmall(self) -> None:
        """
        With the default jitter the first delay stays near
        C{initialDelay * factor}.
        """
        factory = ReconnectingClientFactory[Protocol]()
        factory.clock = Clock()
        factory.noisy = False
        random.seed(7)
        delays = []
        for _ in range(200):
            factory.resetDelay()
            factory.retry(FakeConnector())
            delays.append(factory.delay)
        expected = factory.initialDelay * factory.factor
        assert all(abs(d - expected) < expected * 0.6 for d in delays)
        assert min(delays) < expected < max(delays)

    def test_maxRetries(self) -> None:
        """
        After C{maxRetries} retries in a row the factory gives up.
        """
        factory, clock = quietFactory(maxRetries=2)
        connector = FakeConnector()
        for _ in range(2):
            factory.clientConnectionFailed(connector, refused())
            clock.advance(factory.delay)
        factory.clientConnectionFailed(connector, refused())
        assert clock.getDelayedCalls() == []
        assert connector.connects == 2

    def test_stopTrying(self) -> None:
        """
        stopTrying cancels the scheduled retry, stops the attempt in
        progress, and later failures are final.
        """
        factory, clock = quietFactory()
        connector = FakeConnector()
        connector.connecting = True
        factory.clientConnectionFailed(connector, refused())
        factory.stopTrying()
        assert clock.getDelayedCalls() == []
        assert connector.stops == 1
        assert not factory.continueTrying
        factory.clientConnectionFailed(connector, refused())
        assert clock.getDelayedCalls() == []
        factory.retry()
        assert clock.getDelayedCalls() == []

    def test_stopTryingWhileNotConnecting(self) -> None:
        """
        stopTrying while the connector is not connecting is fine.
        """
        factory, _ = quietFactory()
        connector = FakeConnector()
        factory.clientConnectionLost(connector, Failure(ConnectionDone()))
        factory.stopTrying()
        assert connector.stops == 0

    def test_resetDelay(self) -> None:
        """
        resetDelay starts the backoff again and undoes stopTrying.
        """
        factory, _ = quietFactory(initialDelay=1.0, factor=2.0)
        scheduledDelays(factory, 3)
        factory.stopTrying()
        factory.resetDelay()
        assert (factory.delay, factory.retries, factory.continueTrying) == (1.0, 0, 1)
        assert scheduledDelays(factory, 2) == [2.0, 4.0]

    def test_retryNeedsConnector(self) -> None:
        """
        retry() before any connection attempt says what is missing.
        """
        factory, _ = quietFactory()
        with pytest.raises(
            ValueError,
            match=r"^ReconnectingClientFactory.retry\(\) has no connector to retry: pass one",
        ):
            factory.retry()

    def test_pickleLeavesReactorState(self) -> None:
        """
        A pickled factory drops its connector, scheduled retry and clock.
        """
        factory, _ = quietFactory(initialDelay=3.0)
        factory.clientConnectionFailed(FakeConnector(), refused())
        copy = pickle.loads(pickle.dumps(factory))
        assert copy.connector is None
        assert copy.clock is None
        assert copy._callID is None
        assert copy.initialDelay == 3.0
        assert copy.delay == factory.delay
        factory.stopTrying()

    def test_defaultClockIsGlobalReactor(self, reactor: Any) -> None:
        """
        Without a clock, retries are scheduled on the global reactor.
        """
        factory: ReconnectingClientFactory = ReconnectingClientFactory()
        factory.noisy = False
        factory.clientConnectionFailed(FakeConnector(), refused())
        assert factory._callID in reactor.getDelayedCalls()
        assert factory.clock is reactor
        factory.stopTrying()
        assert factory._callID is None


class Greeted(Protocol):
    """
    A client protocol that fires its factory's C{greeted} Deferred with
    the first data it receives.
    """

    def dataReceived(self, data: bytes) -> None:
        self.factory.greetings.append(data)
        self.factory.resetDelay()
        if len(self.factory.greetings) == self.factory.wanted:
            self.factory.stopTrying()
            self.factory.done.callback(None)
        self.transport.loseConnection()


class Client(ReconnectingClientFactory[Greeted]):
    """
    Retries quickly, records failures, and runs C{onFailure} after each;
    C{done} fires when it has the greetings it wants, C{lost} when that
    last connection has closed.
    """

    protocol = Greeted
    initialDelay = 0.01
    factor = 1.5
    jitter = 0
    noisy = False

    def __init__(self, wanted: int) -> None:
        self.wanted = wanted
        self.greetings: list[bytes] = []
        self.failures: list[Failure] = []
        self.done: Deferred[None] = Deferred()
        self.lost: Deferred[None] = Deferred()
        self.onFailure: Any = None

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        super().clientConnectionLost(connector, reason)
        if self.done.called and not self.lost.called:
            self.lost.callback(None)

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        self.failures.append(reason)
        if self.onFailure is not None:
            self.onFailure()
        super().clientConnectionFailed(connector, reason)


class Hello(Protocol):
    """
    Greets each client with C{hello N}, then closes.
    """

    factory: HelloFactory

    def connectionMade(self) -> None:
        self.factory.count += 1
        self.transport.write(b"hello %d" % self.factory.count)
        self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.factory.connectionClosed()


class HelloFactory(Factory[Hello]):
    """
    Builds L{Hello}s, counting the connections made and closed.
    """

    protocol = Hello
    noisy = False

    def __init__(self) -> None:
        self.count = 0
        self.closed = 0
        self._waiting: list[tuple[int, Deferred[None]]] = []

    def connectionClosed(self) -> None:
        """
        One more connection has closed.
        """
        self.closed += 1
        self._check()

    def whenClosed(self) -> Deferred[None]:
        """
        A Deferred firing once every connection made so far has closed.
        """
        d: Deferred[None] = Deferred()
        self._waiting.append((self.count, d))
        self._check()
        return d

    def _check(self) -> None:
        for entry in list(self._waiting):
            if entry[0] <= self.closed:
                self._waiting.remove(entry)
                entry[1].callback(None)


class RealServerTests:
    def test_serverStartsLate(self, backendReactor: PollingReactor) -> None:
        """
        A client started before its server is refused, retries with
        backoff, and connects once the server listens.
        """
        r = backendReactor
        reserved = r.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
        number = reserved.getHost().port
        helloFactory = HelloFactory()
        ports: list[Any] = []
        client = Client(wanted=1)
        client.clock = r

        def startServerAfterTwoFailures() -> None:
            if len(client.failures) == 2:
                ports.append(r.listenTCP(number, helloFactory, interface="127.0.0.1"))

        client.onFailure = startServerAfterTwoFailures

        async def scenario() -> None:
            await reserved.stopListening()
            r.connectTCP("127.0.0.1", number, client)
            await client.done
            await client.lost
            await helloFactory.whenClosed()
            await ports[0].stopListening()

        runUntil(r, scenario(), timeout=30)
        assert client.greetings == [b"hello 1"]
        assert [f.type for f in client.failures] == [ConnectionRefusedError] * 2
        assert client.retries == 0
        assert r.getDelayedCalls() == []

    def test_reconnectsAfterLoss(self, backendReactor: PollingReactor) -> None:
        """
        Each time the server closes the connection, the client connects
        again, until it stops trying.
        """
        r = backendReactor
        helloFactory = HelloFactory()
        port = r.listenTCP(0, helloFactory, interface="127.0.0.1")
        client = Client(wanted=3)
        client.clock = r

        async def scenario() -> None:
            r.connectTCP("127.0.0.1", port.getHost().port, client)
            await client.done
            await client.lost
            await helloFactory.whenClosed()
            await port.stopListening()

        runUntil(r, scenario(), timeout=30)
        assert client.greetings == [b"hello 1", b"hello 2", b"hello 3"]
        assert client.failures == []


# -- ClientCreator ---------------------------------------------------------------------


class Named(Protocol):
    """
    A protocol built with arguments, recording when it is connected.
    """

    def __init__(self, name: str, *, greeting: bytes = b"") -> None:
        self.name = name
        self.greeting = greeting
        self.made = False
        self.received = b""
        self.lost: Deferred[None] = Deferred()

    def connectionMade(self) -> None:
        self.made = True
        if self.greeting:
            self.transport.write(self.greeting)

    def dataReceived(self, data: bytes) -> None:
        self.received += data

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)


class ClientCreatorFakeTests:
    def test_firesAfterConnecting(self) -> None:
        """
        connectTCP passes its arguments on, builds the protocol with the
        creator's arguments, and fires with it on the turn after the
        connection is made.
        """
        reactor = MemoryReactorClock()
        creator = ClientCreator(reactor, Named, "alice", greeting=b"hi")
        d = creator.connectTCP("192.0.2.1", 1234, timeout=5, bindAddress=("0.0.0.0", 0))
        [(host, port, factory, timeout, bindAddress)] = reactor.tcpClients
        assert (host, port, timeout, bindAddress) == ("192.0.2.1", 1234, 5, ("0.0.0.0", 0))
        protocol = factory.buildProtocol(None)
        assert isinstance(protocol, Named)
        assert (protocol.name, protocol.greeting) == ("alice", b"hi")
        assertNoResult(d)
        reactor.advance(0)
        assert resultOf(d) is protocol

    def test_failure(self) -> None:
        """
        A failed attempt fails the Deferred on the next turn.
        """
        reactor = MemoryReactorClock()
        d = ClientCreator(reactor, Named, "bob").connectTCP("192.0.2.1", 1234)
        factory = reactor.tcpClients[0][2]
        factory.clientConnectionFailed(reactor.connectors[0], refused())
        assertNoResult(d)
        reactor.advance(0)
        failureOf(d, ConnectionRefusedError)

    def test_cancelWhileConnecting(self) -> None:
        """
        Cancelling before the connection is made disconnects the connector
        and fails with CancelledError.
        """
        reactor = MemoryReactorClock()
        d = ClientCreator(reactor, Named, "carol").connectTCP("192.0.2.1", 1234)
        d.cancel()
        failureOf(d, CancelledError)
        assert reactor.connectors[0]._disconnected

    def test_cancelAfterConnected(self) -> None:
        """
        Cancelling once connected but before the Deferred fired closes the
        connection and drops the pending result.
        """
        reactor = MemoryReactorClock()
        d = ClientCreator(reactor, Named, "dave").connectTCP("192.0.2.1", 1234)
        reactor.tcpClients[0][2].buildProtocol(None)
        d.cancel()
        failureOf(d, CancelledError)
        assert reactor.getDelayedCalls() == []
        assert reactor.connectors[0]._disconnected

    def test_connectUNIXAndSSL(self) -> None:
        """
        connectUNIX and connectSSL pass their arguments to the reactor.
        """
        reactor = MemoryReactorClock()
        creator = ClientCreator(reactor, Named, "erin")
        creator.connectUNIX("/tmp/socket", timeout=7, checkPID=True)
        context = object()
        creator.connectSSL("192.0.2.2", 443, context, timeout=9)
        [(address, _, timeout, checkPID)] = reactor.unixClients
        assert (address, timeout, checkPID) == ("/tmp/socket", 7, True)
        [(host, port, _, contextFactory, timeout, bindAddress)] = reactor.sslClients
        assert (host, port, contextFactory, timeout, bindAddress) == (
            "192.0.2.2",
            443,
            context,
            9,
            None,
        )


class ClientCreatorRealTests:
    def test_connectTCP(self, backendReactor: PollingReactor) -> None:
        """
        Over TCP the Deferred fires with the connected protocol, after its
        connectionMade.
        """
        r = backendReactor
        helloFactory = HelloFactory()
        port = r.listenTCP(0, helloFactory, interface="127.0.0.1")

        async def scenario() -> Named:
            creator = ClientCreator(r, Named, "frank")
            protocol = await creator.connectTCP("127.0.0.1", port.getHost().port)
            assert protocol.made
            await protocol.lost
            await helloFactory.whenClosed()
            await port.stopListening()
            return protocol

        protocol = runUntil(r, scenario(), timeout=30)
        assert protocol.received == b"hello 1"

    def test_refused(self, backendReactor: PollingReactor) -> None:
        """
        A refused connection fails the Deferred with ConnectionRefusedError.
        """
        r = backendReactor
        port = r.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
        number = port.getHost().port

        async def scenario() -> None:
            await port.stopListening()
            await ClientCreator(r, Named, "grace").connectTCP("127.0.0.1", number)

        with pytest.raises(ConnectionRefusedError):
            runUntil(r, scenario(), timeout=30)

    def test_cancel(self, backendReactor: PollingReactor) -> None:
        """
        Cancelling at once stops the attempt: the Deferred fails with
        CancelledError and nothing is left on the reactor.
        """
        r = backendReactor
        port = r.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
        d = ClientCreator(r, Named, "heidi").connectTCP("127.0.0.1", port.getHost().port)
        d.cancel()
        failure = failureOf(d, CancelledError)
        assert failure.check(CancelledError)
        runUntil(r, port.stopListening(), timeout=30)
        assert r.getWriters() == []


def test_interfaces() -> None:
    """
    ReconnectingClientFactory provides IProtocolFactory, and both names are
    exported by torsion.internet.protocol.
    """
    from torsion.internet import protocol

    assert verifyObject(IProtocolFactory, ReconnectingClientFactory())
    assert ReconnectingClientFactory.__module__ == "torsion.internet.protocol"
    assert ClientCreator.__module__ == "torsion.internet.protocol"
    assert {"ClientCreator", "ReconnectingClientFactory"} <= set(protocol.__all__)
