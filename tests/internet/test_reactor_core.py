"""
Tests for the reactor core on every backend: running and stopping, system
events, timed calls, calls from threads.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from zope.interface.verify import verifyObject

from tests.internet.reactors import backendReactor, runReactor
from torsion.internet import interfaces
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import Deferred
from torsion.internet.error import (
    AlreadyCalled,
    AlreadyCancelled,
    ReactorAlreadyRunning,
    ReactorNotRestartable,
    ReactorNotRunning,
)
from torsion.logger import LogEvent

__all__ = ["backendReactor"]


class InterfaceTests:
    def test_providesInterfaces(self, backendReactor: PollingReactor) -> None:
        """
        Every backend provides the reactor interfaces it claims, fully.
        """
        for iface in (
            interfaces.IReactorCore,
            interfaces.IReactorTime,
            interfaces.IReactorThreads,
            interfaces.IReactorFDSet,
        ):
            assert verifyObject(iface, backendReactor)


class RunStopTests:
    def test_callWhenRunningThenStop(self, backendReactor: PollingReactor) -> None:
        """
        callWhenRunning calls run once the reactor is running; stop() ends
        run(); running is true only in between.
        """
        seen: list[object] = []
        assert backendReactor.running is False

        def started(tag: str) -> None:
            seen.append((tag, backendReactor.running))
            backendReactor.stop()

        backendReactor.callWhenRunning(started, "go")
        runReactor(backendReactor)
        assert seen == [("go", True)]
        assert backendReactor.running is False

    def test_callWhenRunningWhileRunningCallsNow(self, backendReactor: PollingReactor) -> None:
        """
        callWhenRunning while running calls at once and returns None.
        """
        seen: list[object] = []

        def started() -> None:
            seen.append(backendReactor.callWhenRunning(seen.append, "now"))
            backendReactor.stop()

        backendReactor.callWhenRunning(started)
        runReactor(backendReactor)
        assert seen == ["now", None]

    def test_stopNotRunning(self, backendReactor: PollingReactor) -> None:
        """
        stop() on a reactor that is not running raises ReactorNotRunning.
        """
        with pytest.raises(ReactorNotRunning):
            backendReactor.stop()

    def test_stopTwice(self, backendReactor: PollingReactor) -> None:
        """
        A second stop() while stopping raises ReactorNotRunning.
        """
        errors: list[type[BaseException]] = []

        def stopTwice() -> None:
            backendReactor.stop()
            try:
                backendReactor.stop()
            except ReactorNotRunning as e:
                errors.append(type(e))

        backendReactor.callWhenRunning(stopTwice)
        runReactor(backendReactor)
        assert errors == [ReactorNotRunning]

    def test_notRestartable(self, backendReactor: PollingReactor) -> None:
        """
        run() after the reactor was stopped raises ReactorNotRestartable.
        """
        backendReactor.callWhenRunning(backendReactor.stop)
        runReactor(backendReactor)
        with pytest.raises(ReactorNotRestartable, match="cannot run again"):
            backendReactor.run(installSignalHandlers=False)

    def test_runWhileRunning(self, backendReactor: PollingReactor) -> None:
        """
        run() inside run() raises ReactorAlreadyRunning.
        """
        errors: list[type[BaseException]] = []

        def nested() -> None:
            try:
                backendReactor.run(installSignalHandlers=False)
            except ReactorAlreadyRunning as e:
                errors.append(type(e))
            backendReactor.stop()

        backendReactor.callWhenRunning(nested)
        runReactor(backendReactor)
        assert errors == [ReactorAlreadyRunning]

    def test_crashAndRunAgain(self, backendReactor: PollingReactor) -> None:
        """
        crash() leaves run() without the shutdown event, and the reactor can
        run again (as test runners do).
        """
        events: list[str] = []
        backendReactor.addSystemEventTrigger("before", "shutdown", events.append, "shutdown")
        for round in ("first", "second"):
            backendReactor.callWhenRunning(events.append, round)
            backendReactor.callWhenRunning(backendReactor.crash)
            backendReactor.run(installSignalHandlers=False)
        assert events == ["first", "second"]
        backendReactor.callWhenRunning(backendReactor.stop)
        runReactor(backendReactor)
        assert events == ["first", "second", "shutdown"]

    def test_stoppedReactorReleasesDescriptors(self) -> None:
        """
        A reactor that has stopped for good closes its waker and poller: no
        descriptor leaks per reactor, and callFromThread afterwards is a
        harmless no-op.
        """
        from tests.internet.reactors import BACKENDS, makeReactor

        def openDescriptors() -> int:
            return len(os.listdir("/proc/self/fd"))

        if not os.path.isdir("/proc/self/fd"):
            pytest.skip("counting descriptors needs /proc/self/fd (Linux)")
        before = openDescriptors()
        for name in sorted(BACKENDS):
            r = makeReactor(name)
            r.callWhenRunning(r.stop)
            runReactor(r)
            r.callFromThread(print)
        assert openDescriptors() == before

    def test_iterate(self, backendReactor: PollingReactor) -> None:
        """
        iterate() runs due calls without run().
        """
        seen: list[int] = []
        backendReactor.callLater(0, seen.append, 1)
        backendReactor.iterate()
        assert seen == [1]


class SystemEventTests:
    def test_phasesInOrder(self, backendReactor: PollingReactor) -> None:
        """
        Shutdown triggers run before, during, after; startup likewise, and
        'during startup' is when running becomes true.
        """
        order: list[str] = []
        r = backendReactor
        for phase in ("after", "during", "before"):
            r.addSystemEventTrigger(phase, "startup", lambda p=phase: order.append(f"startup-{p}"))
            r.addSystemEventTrigger(
                phase, "shutdown", lambda p=phase: order.append(f"shutdown-{p}")
            )
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert order == [
            "startup-before",
            "startup-during",
            "startup-after",
            "shutdown-before",
            "shutdown-during",
            "shutdown-after",
        ]

    def test_beforeShutdownDeferredHoldsShutdown(self, backendReactor: PollingReactor) -> None:
        """
        A 'before shutdown' trigger returning a Deferred holds the shutdown
        until it fires; the reactor keeps running meanwhile.
        """
        r = backendReactor
        order: list[str] = []

        def hold() -> Deferred[None]:
            d: Deferred[None] = Deferred()

            def finish() -> None:
                order.append(f"finished while running={r.running}")
                d.callback(None)

            r.callLater(0.01, finish)
            return d

        r.addSystemEventTrigger("before", "shutdown", hold)
        r.addSystemEventTrigger("during", "shutdown", order.append, "during")
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert order == ["finished while running=True", "during"]

    def test_failingBeforeDeferredStillShutsDown(
        self, backendReactor: PollingReactor, loggedFailures: list[LogEvent]
    ) -> None:
        """
        A 'before shutdown' Deferred that fails does not stop the shutdown.
        """
        r = backendReactor
        order: list[str] = []

        def hold() -> Deferred[None]:
            d: Deferred[None] = Deferred()
            r.callLater(0, d.errback, RuntimeError("cleanup failed"))
            return d

        r.addSystemEventTrigger("before", "shutdown", hold)
        r.addSystemEventTrigger("after", "shutdown", order.append, "after")
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert order == ["after"]

    def test_triggerErrorLoggedOthersRun(
        self, backendReactor: PollingReactor, loggedFailures: list[LogEvent]
    ) -> None:
        """
        A trigger that raises is logged; the other triggers still run.
        """
        r = backendReactor
        order: list[str] = []

        def broken() -> None:
            raise ValueError("broken trigger")

        r.addSystemEventTrigger("before", "shutdown", broken)
        r.addSystemEventTrigger("before", "shutdown", order.append, "next")
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert order == ["next"]
        assert [e["log_failure"].check(ValueError) for e in loggedFailures] == [ValueError]

    def test_removeTrigger(self, backendReactor: PollingReactor) -> None:
        """
        A removed trigger does not run; removing it twice is a ValueError.
        """
        r = backendReactor
        order: list[str] = []
        triggerID = r.addSystemEventTrigger("before", "custom", order.append, "removed")
        r.addSystemEventTrigger("before", "custom", order.append, "kept")
        r.removeSystemEventTrigger(triggerID)
        with pytest.raises(ValueError, match="no system event trigger"):
            r.removeSystemEventTrigger(triggerID)
        r.fireSystemEvent("custom")
        assert order == ["kept"]

    def test_badPhase(self, backendReactor: PollingReactor) -> None:
        """
        An unknown phase is refused with the valid ones named.
        """
        with pytest.raises(ValueError, match=r"no such phase 'middle'.*'before'"):
            backendReactor.addSystemEventTrigger("middle", "shutdown", print)


class TimedCallTests:
    def test_orderAndArguments(self, backendReactor: PollingReactor) -> None:
        """
        Timed calls run in time order, same-time calls in scheduling order,
        with their arguments.
        """
        r = backendReactor
        seen: list[object] = []
        r.callLater(0.02, seen.append, "late")
        for i in range(5):
            r.callLater(0.01, seen.append, i)
        r.callLater(0, lambda *a, **k: seen.append((a, k)), 1, x=2)
        r.callLater(0.03, r.stop)
        runReactor(r)
        assert seen == [((1,), {"x": 2}), 0, 1, 2, 3, 4, "late"]

    def test_cancelResetDelay(self, backendReactor: PollingReactor) -> None:
        """
        Cancelled calls do not run; reset and delay move calls.
        """
        r = backendReactor
        seen: list[str] = []
        r.callLater(0.01, seen.append, "cancelled").cancel()
        later = r.callLater(0.001, seen.append, "delayed")
        later.delay(0.02)
        sooner = r.callLater(10, seen.append, "reset")
        sooner.reset(0.005)
        r.callLater(0.01, seen.append, "middle")
        r.callLater(0.04, r.stop)
        runReactor(r)
        assert seen == ["reset", "middle", "delayed"]
        with pytest.raises(AlreadyCalled):
            later.cancel()

    def test_cancelTwice(self, backendReactor: PollingReactor) -> None:
        """
        Cancelling twice raises AlreadyCancelled.
        """
        call = backendReactor.callLater(1, print)
        call.cancel()
        with pytest.raises(AlreadyCancelled):
            call.cancel()

    def test_getDelayedCalls(self, backendReactor: PollingReactor) -> None:
        """
        getDelayedCalls lists pending calls only.
        """
        r = backendReactor
        a = r.callLater(1, print)
        b = r.callLater(2, print)
        b.cancel()
        c = r.callLater(0.5, print)
        assert r.getDelayedCalls() == [c, a]
        a.cancel()
        c.cancel()
        assert r.getDelayedCalls() == []

    def test_zeroDelayInTimerRunsNextIteration(self, backendReactor: PollingReactor) -> None:
        """
        callLater(0) from a timed call runs in the next iteration, so a call
        that keeps rescheduling itself cannot starve the loop.
        """
        r = backendReactor
        count: list[int] = []

        def again() -> None:
            count.append(1)
            r.callLater(0, again)

        r.callLater(0, again)
        r.iterate()
        assert len(count) == 1
        r.iterate()
        assert len(count) == 2
        for call in r.getDelayedCalls():
            call.cancel()

    def test_badArguments(self, backendReactor: PollingReactor) -> None:
        """
        A negative delay or a non-callable is refused with a clear error.
        """
        with pytest.raises(ValueError, match=r"delay must be >= 0, not -1"):
            backendReactor.callLater(-1, print)
        with pytest.raises(TypeError, match=r"callLater\(\) needs a callable, not 3"):
            backendReactor.callLater(1, 3)  # type: ignore[arg-type]

    def test_errorInTimedCallLogged(
        self, backendReactor: PollingReactor, loggedFailures: list[LogEvent]
    ) -> None:
        """
        A timed call that raises is logged and the loop goes on.
        """
        r = backendReactor
        seen: list[str] = []

        def broken() -> None:
            raise ZeroDivisionError("in a timer")

        r.callLater(0, broken)
        r.callLater(0.001, seen.append, "after")
        r.callLater(0.002, r.stop)
        runReactor(r)
        assert seen == ["after"]
        assert len(loggedFailures) == 1
        assert loggedFailures[0]["log_failure"].check(ZeroDivisionError)


class ThreadCallTests:
    def test_manyThreadsInOrder(self, backendReactor: PollingReactor) -> None:
        """
        20 threads each calling callFromThread 10,000 times: every call runs
        exactly once, in order per thread.
        """
        r = backendReactor
        threads, calls = 20, 10_000
        seen: dict[int, list[int]] = {t: [] for t in range(threads)}
        done = [0]

        def record(thread: int, n: int) -> None:
            seen[thread].append(n)
            done[0] += 1
            if done[0] == threads * calls:
                r.stop()

        def hammer(thread: int) -> None:
            for n in range(calls):
                r.callFromThread(record, thread, n)

        def start() -> None:
            for t in range(threads):
                threading.Thread(target=hammer, args=(t,)).start()

        r.callWhenRunning(start)
        runReactor(r)
        assert all(seen[t] == list(range(calls)) for t in range(threads))

    def test_idleWakeLatency(self, backendReactor: PollingReactor) -> None:
        """
        An idle reactor (nothing scheduled) wakes within a millisecond of a
        callFromThread: median over 50 wake-ups, measured.
        """
        r = backendReactor
        latencies: list[float] = []
        ready = threading.Event()
        rounds = 50

        def arrived(sent: float) -> None:
            latencies.append(time.perf_counter() - sent)
            if len(latencies) == rounds:
                r.stop()
            else:
                ready.set()

        def caller() -> None:
            for _ in range(rounds):
                # Wait until the reactor has gone back to sleep: it has
                # nothing else to do, so it sleeps right after the callback.
                assert ready.wait(10)
                ready.clear()
                r.callFromThread(arrived, time.perf_counter())

        r.callWhenRunning(ready.set)
        thread = threading.Thread(target=caller)
        thread.start()
        runReactor(r)
        thread.join(10)
        latencies.sort()
        median = latencies[len(latencies) // 2]
        assert median < 0.001, f"median wake-up latency {median * 1e6:.0f} µs"

    def test_callFromThreadErrorsLogged(
        self, backendReactor: PollingReactor, loggedFailures: list[LogEvent]
    ) -> None:
        """
        An exception in a call from a thread is logged; later calls run.
        """
        r = backendReactor
        seen: list[str] = []

        def broken() -> None:
            raise KeyError("thread call")

        r.callFromThread(broken)
        r.callFromThread(seen.append, "next")
        r.callFromThread(r.stop)
        runReactor(r)
        assert seen == ["next"]
        assert loggedFailures[0]["log_failure"].check(KeyError)
