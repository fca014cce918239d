"""
The same service scenarios run on torsion and on Twisted (skipped if Twisted
is not installed), checking that they behave alike where torsion promises
Twisted's behaviour: start and stop order, waiting for every child, retry
counts and delays, whenConnected, prepareConnection.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest

PACKAGES = ["torsion", "twisted"]


def load(package: str) -> SimpleNamespace:
    """
    The modules a scenario needs, from C{package}.
    """
    if package == "twisted":
        pytest.importorskip("twisted", reason="Twisted is not installed")

    def module(name: str) -> Any:
        return importlib.import_module(f"{package}.{name}")

    return SimpleNamespace(
        service=module("application.service"),
        internet=module("application.internet"),
        defer=module("internet.defer"),
        task=module("internet.task"),
        protocol=module("internet.protocol"),
        testing=module("internet.testing"),
        error=module("internet.error"),
        failure=module("python.failure"),
    )


def outcome(d: Any) -> Any:
    """
    What C{d} has now: its result, the class name of its failure, or
    C{"pending"}; a failure is consumed, a result left in place.
    """
    box: list[Any] = []

    def succeeded(result: Any) -> Any:
        box.append(result)
        return result

    def failed(failure: Any) -> None:
        box.append(failure.type.__name__)

    d.addCallbacks(succeeded, failed)
    return box[0] if box else "pending"


@pytest.mark.parametrize("package", PACKAGES)
def test_multiServiceOrder(package: str) -> None:
    """
    Children start in order and stop in reverse, all at once; the stop
    Deferred waits for every child's.
    """
    m = load(package)
    journal: list[str] = []
    pending = m.defer.Deferred()

    class Child(m.service.Service):  # type: ignore[misc, name-defined]
        def __init__(self, name: str, result: Any = None) -> None:
            self.setName(name)
            self.result = result

        def startService(self) -> None:
            journal.append(f"start {self.name}")
            m.service.Service.startService(self)

        def stopService(self) -> Any:
            journal.append(f"stop {self.name}")
            m.service.Service.stopService(self)
            return self.result

    root = m.service.MultiService()
    Child("a", pending).setServiceParent(root)
    Child("b").setServiceParent(root)
    root.startService()
    stopped = root.stopService()
    before = outcome(stopped)
    pending.callback("done")
    assert journal == ["start a", "start b", "stop b", "stop a"]
    assert before == "pending"
    assert [tuple(pair) for pair in outcome(stopped)] == [(True, None), (True, "done")]


@pytest.mark.parametrize("package", PACKAGES)
def test_clientServiceRetries(package: str) -> None:
    """
    Failed attempts ask the policy 1, 2, ...; a success resets the count, a
    lost connection asks for 1; failAfterFailures counts from the call;
    stopping while connecting cancels the waiters.
    """
    m = load(package)
    clock = m.task.Clock()
    attempts: list[Any] = []
    asked: list[int] = []

    class Endpoint:
        def connect(self, factory: Any) -> Any:
            d = m.defer.Deferred()
            attempts.append((d, factory))
            return d

    def policy(failures: int) -> float:
        asked.append(failures)
        return 5.0

    def refuse() -> None:
        attempts[-1][0].errback(m.failure.Failure(m.error.ConnectionRefusedError()))

    service = m.internet.ClientService(
        Endpoint(), m.protocol.Factory.forProtocol(m.protocol.Protocol), policy, clock
    )
    twice = service.whenConnected(failAfterFailures=2)
    service.startService()
    refuse()
    firedEarly = twice.called
    clock.advance(5)
    refuse()
    assert (firedEarly, outcome(twice)) == (False, "ConnectionRefusedError")
    clock.advance(5)
    d, factory = attempts[-1]
    wrapper = factory.buildProtocol(None)
    wrapper.makeConnection(m.testing.StringTransport())
    d.callback(wrapper)
    protocol = outcome(service.whenConnected())
    assert type(protocol) is m.protocol.Protocol
    wrapper.connectionLost(m.failure.Failure(m.error.ConnectionDone()))
    assert asked == [1, 2, 1]
    assert [c.getTime() for c in clock.getDelayedCalls()] == [15.0]
    clock.advance(5)
    waiting = service.whenConnected()
    stopped = service.stopService()
    assert (outcome(stopped), outcome(waiting)) == (None, "CancelledError")
    assert outcome(service.whenConnected()) == "CancelledError"
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("package", PACKAGES)
def test_prepareConnection(package: str) -> None:
    """
    whenConnected waits for prepareConnection's Deferred, called with the
    new connection's protocol (torsion passes the application's protocol
    itself, Twisted a proxy of it: both reach the same transport).
    """
    m = load(package)
    preparing = m.defer.Deferred()
    prepared: list[Any] = []
    attempts: list[Any] = []

    class Endpoint:
        def connect(self, factory: Any) -> Any:
            d = m.defer.Deferred()
            attempts.append((d, factory))
            return d

    def prepare(protocol: Any) -> Any:
        prepared.append(protocol)
        return preparing

    service = m.internet.ClientService(
        Endpoint(),
        m.protocol.Factory.forProtocol(m.protocol.Protocol),
        clock=m.task.Clock(),
        prepareConnection=prepare,
    )
    service.startService()
    d, factory = attempts[0]
    wrapper = factory.buildProtocol(None)
    wrapper.makeConnection(m.testing.StringTransport())
    d.callback(wrapper)
    waiting = service.whenConnected()
    assert outcome(waiting) == "pending"
    preparing.callback(None)
    protocol = outcome(waiting)
    assert len(prepared) == 1
    assert prepared[0].transport is protocol.transport is not None
    assert type(protocol) is m.protocol.Protocol


@pytest.mark.parametrize("package", PACKAGES)
def test_backoffPolicy(package: str) -> None:
    """
    backoffPolicy gives the same delays.
    """
    m = load(package)
    policy = m.internet.backoffPolicy(jitter=lambda: 0.25)
    assert [policy(n) for n in [0, 1, 2, 5, 20, 10**6]] == [
        1.25,
        1.75,
        2.5,
        1.5**5 + 0.25,
        60.25,
        60.25,
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_timerServiceWaits(package: str) -> None:
    """
    TimerService calls at once, then every step; stopService waits for a
    call's pending Deferred and leaves the service running until then.
    """
    m = load(package)
    clock = m.task.Clock()
    calls: list[float] = []
    pending = m.defer.Deferred()

    def tick() -> Any:
        calls.append(clock.seconds())
        return pending if len(calls) == 2 else None

    timer = m.internet.TimerService(3, tick)
    timer.clock = clock
    timer.startService()
    clock.advance(3)
    stopped = timer.stopService()
    assert (outcome(stopped), bool(timer.running)) == ("pending", True)
    pending.callback(None)
    assert (outcome(stopped), bool(timer.running)) == (None, False)
    assert calls == [0.0, 3.0]
