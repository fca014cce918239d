"""
Tests for L{torsion.application.internet.ClientService} and
L{backoffPolicy}: the retry logic on a Clock with a fake endpoint, then the
service against real sockets on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from zope.interface import implementer, providedBy
from zope.interface.verify import verifyObject

from tests.application.loopback import (
    GreeterFactory,
    Listener,
    LoopbackClientEndpoint,
    LoopbackServerEndpoint,
    portOf,
)
from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.application.internet import ClientService, backoffPolicy
from torsion.application.service import IService
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address
from torsion.internet.defer import CancelledError, Deferred, succeed
from torsion.internet.error import ConnectionDone, ConnectionLost, ConnectionRefusedError
from torsion.internet.interfaces import (
    IHalfCloseableProtocol,
    IProtocol,
    IProtocolFactory,
    IStreamClientEndpoint,
)
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.logger import LogEvent, globalLogPublisher
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

ADDRESS = IPv4Address("TCP", "127.0.0.1", 4321)


class Recorder(Protocol):
    """
    Records the connection's events.
    """

    def __init__(self) -> None:
        self.events: list[str] = []
        self.reason: Failure | None = None

    def connectionMade(self) -> None:
        self.events.append("made")

    def dataReceived(self, data: bytes) -> None:
        self.events.append(f"data {data!r}")

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.events.append("lost")
        self.reason = reason


class Attempt:
    """
    One call to L{FakeEndpoint.connect}, which the test completes.

    @ivar cancelled: Whether its Deferred was cancelled.
    """

    def __init__(self, factory: IProtocolFactory) -> None:
        self.factory = factory
        self.cancelled = False
        self.deferred: Deferred[IProtocol] = Deferred(self._cancel)
        self.protocol: Any = None
        self.transport: StringTransport | None = None

    def _cancel(self, d: Deferred[IProtocol]) -> None:
        self.cancelled = True

    def connect(self, fire: bool = True) -> Any:
        """
        Build the protocol, connect it to a StringTransport and (if C{fire})
        fire the Deferred with it, as an endpoint does.

        @return: The protocol the endpoint was given (the service's wrapper).
        """
        protocol = self.factory.buildProtocol(ADDRESS)
        assert protocol is not None
        self.protocol = protocol
        self.transport = StringTransport()
        protocol.makeConnection(self.transport)
        if fire:
            self.deferred.callback(protocol)
        return protocol

    def refuse(self) -> None:
        """
        Fail the attempt with ConnectionRefusedError.
        """
        self.deferred.errback(Failure(ConnectionRefusedError()))

    def lose(self, reason: BaseException | None = None) -> None:
        """
        Tell the protocol its connection was lost.
        """
        self.protocol.connectionLost(Failure(reason or ConnectionDone()))


@implementer(IStreamClientEndpoint)
class FakeEndpoint:
    """
    A client endpoint that records each connect() as an L{Attempt}, or
    calls C{instead} if set.
    """

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []
        self.instead: Callable[[IProtocolFactory], Deferred[IProtocol]] | None = None

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        if self.instead is not None:
            return self.instead(protocolFactory)
        attempt = Attempt(protocolFactory)
        self.attempts.append(attempt)
        return attempt.deferred


class Harness:
    """
    A ClientService on a fake endpoint and a Clock, whose retry policy
    records the failure counts it is asked about and answers C{10 * n}.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.clock = Clock()
        self.endpoint = FakeEndpoint()
        self.asked: list[int] = []
        self.built: list[Recorder] = []

        def policy(failures: int) -> float:
            self.asked.append(failures)
            return 10.0 * failures

        def build() -> Recorder:
            made = Recorder()
            self.built.append(made)
            return made

        self.factory = Factory.forProtocol(build)
        self.service = ClientService(
            self.endpoint, self.factory, retryPolicy=policy, clock=self.clock, **kwargs
        )

    @property
    def attempt(self) -> Attempt:
        """
        The latest attempt.
        """
        return self.endpoint.attempts[-1]

    def delays(self) -> list[float]:
        """
        When the pending timed calls are due.
        """
        return [call.getTime() for call in self.clock.getDelayedCalls()]


@pytest.fixture
def harness() -> Harness:
    """
    A fresh L{Harness} without prepareConnection.
    """
    return Harness()


class ConnectingTests:
    """
    Connecting, and getting the protocol with whenConnected.
    """

    def test_provides(self, harness: Harness) -> None:
        """
        ClientService provides IService.
        """
        assert verifyObject(IService, harness.service)

    def test_connectsOnStart(self, harness: Harness) -> None:
        """
        Nothing happens until startService; then one attempt is made, and
        whenConnected fires with the protocol the factory built, connected
        to the endpoint's transport.
        """
        waiting = harness.service.whenConnected()
        assert harness.endpoint.attempts == []
        harness.service.startService()
        assert len(harness.endpoint.attempts) == 1
        assertNoResult(waiting)
        harness.attempt.connect()
        protocol = resultOf(waiting)
        assert protocol is harness.built[0]
        assert protocol.transport is harness.attempt.transport
        assert protocol.events == ["made"]

    def test_whenConnectedWhileConnected(self, harness: Harness) -> None:
        """
        While connected, whenConnected fires at once with the protocol.
        """
        harness.service.startService()
        harness.attempt.connect()
        assert resultOf(harness.service.whenConnected()) is harness.built[0]
        assert resultOf(harness.service.whenConnected(failAfterFailures=1)) is harness.built[0]

    def test_wrapperPassesThrough(self, harness: Harness) -> None:
        """
        The protocol the endpoint gets passes data through to the
        application's protocol, and provides what it provides.
        """

        @implementer(IHalfCloseableProtocol)
        class HalfCloser(Recorder):
            def readConnectionLost(self) -> None:
                self.events.append("read lost")

            def writeConnectionLost(self) -> None:
                self.events.append("write lost")

        harness.factory.protocol = HalfCloser
        harness.service.startService()
        wrapper = harness.attempt.connect()
        wrapper.dataReceived(b"hi")
        assert IHalfCloseableProtocol.providedBy(wrapper)
        assert set(providedBy(wrapper)) >= {IHalfCloseableProtocol}
        wrapper.readConnectionLost()
        protocol = resultOf(harness.service.whenConnected())
        assert protocol.events == ["made", "data b'hi'", "read lost"]
        assert "HalfCloser" in repr(wrapper)

    def test_startTwiceWarns(self, harness: Harness) -> None:
        """
        A second startService is ignored, with a warning.
        """
        events: list[LogEvent] = []
        harness.service.startService()
        globalLogPublisher.addObserver(events.append)
        try:
            harness.service.startService()
        finally:
            globalLogPublisher.removeObserver(events.append)
        assert len(harness.endpoint.attempts) == 1
        assert any("already running" in (e.get("log_format") or "") for e in events)

    def test_connectRaises(self, harness: Harness) -> None:
        """
        An endpoint whose connect() raises counts as a failed attempt.
        """

        def broken(factory: IProtocolFactory) -> Deferred[IProtocol]:
            raise OSError("no network")

        harness.endpoint.instead = broken
        waiting = harness.service.whenConnected(failAfterFailures=1)
        harness.service.startService()
        failureOf(waiting, OSError)
        assert harness.delays() == [10.0]

    def test_endpointFiresWithStranger(self, harness: Harness) -> None:
        """
        An endpoint that fires without building a protocol from the factory
        fails the attempt with a RuntimeError that says so.
        """
        waiting = harness.service.whenConnected(failAfterFailures=1)
        harness.service.startService()
        harness.attempt.deferred.callback(Recorder())
        failure = failureOf(waiting, RuntimeError)
        assert "which is not a protocol the factory it was given built" in str(failure.value)


class RetryTests:
    """
    Failed attempts and lost connections, retried after the policy's
    delays.
    """

    def test_retriesWithPolicyDelays(self, harness: Harness) -> None:
        """
        Each failed attempt asks the policy with the number of failures in
        a row, and the next attempt is made that many seconds later.
        """
        harness.service.startService()
        harness.attempt.refuse()
        assert harness.asked == [1]
        assert harness.delays() == [10.0]
        harness.clock.advance(9.9)
        assert len(harness.endpoint.attempts) == 1
        harness.clock.advance(0.1)
        assert len(harness.endpoint.attempts) == 2
        harness.attempt.refuse()
        assert harness.asked == [1, 2]
        assert harness.delays() == [30.0]
        harness.clock.advance(20)
        harness.attempt.connect()
        assert harness.delays() == []

    def test_lostConnectionReconnects(self, harness: Harness) -> None:
        """
        A lost connection is retried after the policy's delay for one
        failure (a success resets the count); whenConnected then waits for
        the new connection and its new protocol.
        """
        harness.service.startService()
        harness.attempt.refuse()
        harness.clock.advance(10)
        harness.attempt.connect()
        first = resultOf(harness.service.whenConnected())
        harness.attempt.lose()
        assert first.events == ["made", "lost"]
        assert harness.asked == [1, 1]
        waiting = harness.service.whenConnected()
        assertNoResult(waiting)
        harness.clock.advance(10)
        assert len(harness.endpoint.attempts) == 3
        harness.attempt.connect()
        second = resultOf(waiting)
        assert second is harness.built[1]
        assert second is not first

    def test_failAfterFailures(self, harness: Harness) -> None:
        """
        whenConnected(failAfterFailures=n) fails with the n-th failure
        counted from the call; without it, whenConnected keeps waiting.
        """
        forever = harness.service.whenConnected()
        once = harness.service.whenConnected(failAfterFailures=1)
        twice = harness.service.whenConnected(failAfterFailures=2)
        harness.service.startService()
        harness.attempt.refuse()
        failureOf(once, ConnectionRefusedError)
        assertNoResult(twice)
        late = harness.service.whenConnected(failAfterFailures=2)
        harness.clock.advance(10)
        harness.attempt.deferred.errback(Failure(ConnectionLost("second")))
        assert str(failureOf(twice, ConnectionLost).value).endswith("second.")
        assertNoResult(late)
        assertNoResult(forever)
        harness.clock.advance(20)
        harness.attempt.connect()
        assert resultOf(late) is resultOf(forever)

    def test_failAfterZeroFailures(self, harness: Harness) -> None:
        """
        failAfterFailures=0 fails on the next failure, like 1 (as in
        Twisted).
        """
        waiting = harness.service.whenConnected(failAfterFailures=0)
        harness.service.startService()
        harness.attempt.refuse()
        failureOf(waiting, ConnectionRefusedError)

    def test_cancelWhenConnected(self, harness: Harness) -> None:
        """
        Cancelling a whenConnected Deferred stops only that wait; the
        service keeps connecting and the others still fire.
        """
        harness.service.startService()
        cancelled = harness.service.whenConnected()
        other = harness.service.whenConnected()
        cancelled.cancel()
        failureOf(cancelled, CancelledError)
        harness.attempt.connect()
        assert resultOf(other) is harness.built[0]

    def test_retryLogged(self, harness: Harness) -> None:
        """
        Each scheduled retry is logged with the endpoint, the reason and
        the delay.
        """
        events: list[LogEvent] = []
        globalLogPublisher.addObserver(events.append)
        try:
            harness.service.startService()
            harness.attempt.refuse()
        finally:
            globalLogPublisher.removeObserver(events.append)
        [event] = [e for e in events if "trying again" in (e.get("log_format") or "")]
        assert event["endpoint"] is harness.endpoint
        assert event["delay"] == 10.0
        assert "refused" in event["reason"]


def test_globalReactorByDefault(reactor: Any) -> None:
    """
    Without a clock, retries are scheduled on the global reactor; stopping
    cancels them, leaving the reactor clean.
    """
    endpoint = FakeEndpoint()
    service = ClientService(endpoint, Factory.forProtocol(Recorder), retryPolicy=lambda n: 30.0)
    before = len(reactor.getDelayedCalls())
    service.startService()
    endpoint.attempts[-1].refuse()
    assert len(reactor.getDelayedCalls()) == before + 1
    assert resultOf(service.stopService()) is None
    assert len(reactor.getDelayedCalls()) == before


class StoppingTests:
    """
    stopService in each state.
    """

    def test_stopWhileConnecting(self, harness: Harness) -> None:
        """
        Stopping during an attempt cancels it; the whenConnected Deferreds
        waiting fail with CancelledError, and so do later ones.
        """
        waiting = harness.service.whenConnected()
        harness.service.startService()
        stopped = harness.service.stopService()
        assert harness.attempt.cancelled
        assert resultOf(stopped) is None
        failureOf(waiting, CancelledError)
        failureOf(harness.service.whenConnected(), CancelledError)
        assert not harness.service.running
        assert harness.delays() == []

    def test_stopWhileWaiting(self, harness: Harness) -> None:
        """
        Stopping while waiting to retry cancels the retry and fires at once.
        """
        waiting = harness.service.whenConnected()
        harness.service.startService()
        harness.attempt.refuse()
        assert harness.delays() == [10.0]
        assert resultOf(harness.service.stopService()) is None
        assert harness.delays() == []
        failureOf(waiting, CancelledError)
        harness.clock.advance(100)
        assert len(harness.endpoint.attempts) == 1

    def test_stopWhileConnected(self, harness: Harness) -> None:
        """
        Stopping while connected closes the connection and fires once it is
        lost; no reconnection follows.
        """
        harness.service.startService()
        harness.attempt.connect()
        stopped = harness.service.stopService()
        transport = harness.attempt.transport
        assert transport is not None and transport.disconnecting
        assertNoResult(stopped)
        harness.attempt.lose()
        assert resultOf(stopped) is None
        assert harness.delays() == []
        failureOf(harness.service.whenConnected(), CancelledError)

    def test_stopTwiceWhileDisconnecting(self, harness: Harness) -> None:
        """
        A second stopService while the first is pending fires with it.
        """
        harness.service.startService()
        harness.attempt.connect()
        first = harness.service.stopService()
        second = harness.service.stopService()
        assertNoResult(second)
        harness.attempt.lose()
        assert resultOf(first) is None
        assert resultOf(second) is None

    def test_restartWhileDisconnecting(self, harness: Harness) -> None:
        """
        Started again while the connection is still closing, the service
        connects again once it has closed, and the stop Deferred fires.
        """
        harness.service.startService()
        harness.attempt.connect()
        stopped = harness.service.stopService()
        harness.service.startService()
        waiting = harness.service.whenConnected()
        assert len(harness.endpoint.attempts) == 1
        harness.attempt.lose()
        assert resultOf(stopped) is None
        assert len(harness.endpoint.attempts) == 2
        harness.attempt.connect()
        assert resultOf(waiting) is harness.built[1]

    def test_restartThenStop(self, harness: Harness) -> None:
        """
        Stopped, started and stopped again while the connection is closing:
        the service ends stopped, without connecting again.
        """
        harness.service.startService()
        harness.attempt.connect()
        harness.service.stopService()
        harness.service.startService()
        stopped = harness.service.stopService()
        harness.attempt.lose()
        assert resultOf(stopped) is None
        assert len(harness.endpoint.attempts) == 1

    def test_startAfterStop(self, harness: Harness) -> None:
        """
        A stopped service connects again when started again, with the
        failure count reset.
        """
        harness.service.startService()
        harness.attempt.refuse()
        harness.service.stopService()
        harness.service.startService()
        assert len(harness.endpoint.attempts) == 2
        harness.attempt.refuse()
        assert harness.asked == [1, 1]

    def test_stopBeforeStart(self, harness: Harness) -> None:
        """
        Stopping a service that never started fires at once and cancels
        the whenConnected Deferreds waiting.
        """
        waiting = harness.service.whenConnected()
        assert resultOf(harness.service.stopService()) is None
        failureOf(waiting, CancelledError)

    def test_attemptSucceedsDespiteCancel(self, harness: Harness) -> None:
        """
        If an endpoint completes the attempt while it is being cancelled,
        the connection is closed, and the stop waits for that.
        """

        def connect(factory: IProtocolFactory) -> Deferred[IProtocol]:
            attempt = Attempt(factory)
            attempt.deferred = Deferred(lambda d: attempt.connect())
            harness.endpoint.attempts.append(attempt)
            return attempt.deferred

        harness.endpoint.instead = connect
        harness.service.startService()
        stopped = harness.service.stopService()
        transport = harness.attempt.transport
        assert transport is not None and transport.disconnecting
        assertNoResult(stopped)
        harness.attempt.lose()
        assert resultOf(stopped) is None
        assert len(harness.endpoint.attempts) == 1


class PrepareConnectionTests:
    """
    prepareConnection: called with each new protocol before it counts as
    connected.
    """

    def test_delaysWhenConnected(self) -> None:
        """
        whenConnected waits for prepareConnection's Deferred, which is
        called with the application's protocol; its result is ignored.
        """
        preparing: Deferred[str] = Deferred()
        prepared: list[Any] = []

        def prepare(protocol: Any) -> Deferred[str]:
            prepared.append(protocol)
            return preparing

        harness = Harness(prepareConnection=prepare)
        waiting = harness.service.whenConnected()
        harness.service.startService()
        harness.attempt.connect()
        assert prepared == [harness.built[0]]
        assertNoResult(waiting)
        assertNoResult(harness.service.whenConnected())
        preparing.callback("ignored")
        assert resultOf(waiting) is harness.built[0]

    def test_synchronousPrepare(self) -> None:
        """
        A prepareConnection that returns a plain value lets the connection
        count at once.
        """
        harness = Harness(prepareConnection=lambda protocol: None)
        harness.service.startService()
        harness.attempt.connect()
        assert resultOf(harness.service.whenConnected()) is harness.built[0]

    @pytest.mark.parametrize("how", ["raises", "fails"])
    def test_rejected(self, how: str) -> None:
        """
        A prepareConnection that raises or fails rejects the connection:
        it is closed, the attempt counts as failed, and the next one is
        scheduled.
        """

        def prepare(protocol: Any) -> Deferred[None]:
            if how == "raises":
                raise ValueError("bad hello")
            return Deferred.fromCoroutine(_raise(ValueError("bad hello")))

        harness = Harness(prepareConnection=prepare)
        waiting = harness.service.whenConnected(failAfterFailures=1)
        harness.service.startService()
        harness.attempt.connect()
        failureOf(waiting, ValueError)
        transport = harness.attempt.transport
        assert transport is not None and transport.disconnecting
        assert harness.asked == [1]
        harness.attempt.lose()
        assert harness.delays() == [10.0]
        harness.clock.advance(10)
        assert len(harness.endpoint.attempts) == 2

    def test_lostWhilePreparing(self) -> None:
        """
        A connection lost while prepareConnection works cancels the
        preparation and counts as a failed attempt, with the loss as its
        reason.
        """
        cancelled: list[bool] = []
        harness = Harness(prepareConnection=lambda p: Deferred(lambda d: cancelled.append(True)))
        waiting = harness.service.whenConnected(failAfterFailures=1)
        harness.service.startService()
        harness.attempt.connect()
        harness.attempt.lose(ConnectionLost("gone"))
        assert cancelled == [True]
        failureOf(waiting, ConnectionLost)
        assert harness.delays() == [10.0]

    def test_lostBeforeEndpointFires(self, harness: Harness) -> None:
        """
        A connection lost before the endpoint's Deferred fires fails the
        attempt with the loss, cancelling the endpoint's Deferred.
        """
        waiting = harness.service.whenConnected(failAfterFailures=1)
        harness.service.startService()
        harness.attempt.connect(fire=False)
        harness.attempt.lose(ConnectionLost("early"))
        assert harness.attempt.cancelled
        failureOf(waiting, ConnectionLost)

    def test_stopWhilePreparing(self) -> None:
        """
        Stopping while prepareConnection works cancels it, closes the
        connection, and fires once the connection is closed.
        """
        cancelled: list[bool] = []
        harness = Harness(prepareConnection=lambda p: Deferred(lambda d: cancelled.append(True)))
        waiting = harness.service.whenConnected()
        harness.service.startService()
        harness.attempt.connect()
        stopped = harness.service.stopService()
        assert cancelled == [True]
        transport = harness.attempt.transport
        assert transport is not None and transport.disconnecting
        assertNoResult(stopped)
        assertNoResult(waiting)
        harness.attempt.lose()
        assert resultOf(stopped) is None
        failureOf(waiting, CancelledError)


async def _raise(error: Exception) -> None:
    raise error


class BackoffPolicyTests:
    """
    Tests for L{backoffPolicy}.
    """

    def test_defaults(self) -> None:
        """
        By default the delay after n failures is 1.5**n seconds plus a
        random jitter between 0 and 1, capped at 60 (before the jitter).
        """
        policy = backoffPolicy(jitter=lambda: 0.0)
        assert [policy(n) for n in range(4)] == [1.0, 1.5, 2.25, 3.375]
        assert policy(100) == 60.0
        jittered = backoffPolicy()
        assert 1.5 <= jittered(1) < 2.5

    def test_parameters(self) -> None:
        """
        initialDelay, factor, maxDelay and jitter shape the delays.
        """
        policy = backoffPolicy(initialDelay=2.0, maxDelay=10.0, factor=3.0, jitter=lambda: 0.5)
        assert [policy(n) for n in range(4)] == [2.5, 6.5, 10.5, 10.5]

    def test_hugeExponent(self) -> None:
        """
        A count or factor too big for a float gives maxDelay, not an error.
        """
        policy = backoffPolicy(factor=1e300, jitter=lambda: 0.0)
        assert policy(5) == 60.0
        assert backoffPolicy(jitter=lambda: 0.0)(10**9) == 60.0


class RealSocketTests:
    """
    ClientService against real sockets on 127.0.0.1, on each backend.
    """

    def test_connectAndReconnect(self, anyReactor: PollingReactor) -> None:
        """
        The service connects to a real server, reconnects when the server
        drops the connection, and closes it when stopped.
        """
        endpoint = LoopbackServerEndpoint(anyReactor)
        serverFactory = GreeterFactory()
        runUntil(anyReactor, endpoint.listen(serverFactory), timeout=10)
        port = portOf(endpoint.ports[0])
        service = ClientService(
            LoopbackClientEndpoint(anyReactor, port),
            Factory.forProtocol(Listener),
            retryPolicy=lambda failures: 0.0,
            clock=anyReactor,
        )
        service.startService()
        first = runUntil(anyReactor, service.whenConnected(), timeout=10)
        assert runUntil(anyReactor, first.line, timeout=10) == b"hello 1"
        first.transport.abortConnection()
        runUntil(anyReactor, first.lost, timeout=10)
        second = runUntil(anyReactor, service.whenConnected(), timeout=10)
        assert second is not first
        assert runUntil(anyReactor, second.line, timeout=10) == b"hello 2"
        runUntil(anyReactor, service.stopService(), timeout=10)
        assert second.lost.called
        runUntil(anyReactor, _stopped(endpoint.ports[0].stopListening()), timeout=10)

    def test_refused(self, anyReactor: PollingReactor) -> None:
        """
        With nothing listening, whenConnected(failAfterFailures=2) fails
        with ConnectionRefusedError after two refused attempts.
        """
        endpoint = LoopbackServerEndpoint(anyReactor)
        runUntil(anyReactor, endpoint.listen(GreeterFactory()), timeout=10)
        port = portOf(endpoint.ports[0])
        runUntil(anyReactor, _stopped(endpoint.ports[0].stopListening()), timeout=10)
        asked: list[int] = []

        def policy(failures: int) -> float:
            asked.append(failures)
            return 0.0

        service = ClientService(
            LoopbackClientEndpoint(anyReactor, port),
            Factory.forProtocol(Listener),
            retryPolicy=policy,
            clock=anyReactor,
        )
        service.startService()
        with pytest.raises(ConnectionRefusedError):
            runUntil(anyReactor, service.whenConnected(failAfterFailures=2), timeout=10)
        assert asked[:2] == [1, 2]
        runUntil(anyReactor, service.stopService(), timeout=10)


def _stopped(result: Deferred[None] | None) -> Deferred[None]:
    """
    C{result}, or a fired Deferred if it is None.
    """
    return succeed(None) if result is None else result
