"""
Tests for L{torsion.internet.task.LoopingCall}, driven by a
L{torsion.internet.task.Clock}.
"""

from __future__ import annotations

import gc
import re
import sys
from typing import Any, assert_type

import pytest

from tests.helpers import failureOf, resultOf
from torsion.internet.defer import Deferred, fail
from torsion.internet.task import Clock, LoopingCall
from torsion.logger import LogEvent, globalLogPublisher


def hasResult(d: Deferred[Any]) -> bool:
    """
    Whether C{d} has fired (without taking its result).
    """
    box: list[object] = []

    def look(result: object) -> object:
        box.append(result)
        return result

    d.addBoth(look)
    return bool(box)


def combine(a: int, b: int) -> int:
    """
    A function of two arguments to loop over.
    """
    return a + b


def recordingLoop(clock: Clock) -> tuple[LoopingCall, list[float]]:
    """
    A LoopingCall on C{clock} that records the time of each run.
    """
    times: list[float] = []
    loop = LoopingCall(lambda: times.append(clock.seconds()))
    loop.clock = clock
    return loop, times


class LoopingCallScheduleTests:
    def test_runsAtOnceThenEveryInterval(self) -> None:
        """
        With C{now=True} the function runs at start and then every interval.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        loop.start(2)
        assert times == [0]
        clock.pump([1, 1, 1, 1, 1])
        assert times == [0, 2, 4]
        assert loop.running
        assert loop.interval == 2

    def test_notNowWaitsOneInterval(self) -> None:
        """
        With C{now=False} the first run is one interval after start.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        loop.start(1.5, now=False)
        assert times == []
        clock.pump([1, 0.5, 1.5])
        assert times == [1.5, 3.0]

    def test_passesArguments(self) -> None:
        """
        The function is called with the positional and keyword arguments
        given to the constructor.
        """
        calls: list[tuple[object, ...]] = []

        def record(*a: object, **kw: object) -> None:
            calls.append((a, kw))

        loop = LoopingCall(record, 1, "two", three=3)
        loop.clock = Clock()
        loop.start(1)
        assert calls == [((1, "two"), {"three": 3})]
        assert (loop.f, loop.a, loop.kw) == (record, (1, "two"), {"three": 3})

    def test_lateRunSkipsMissedIntervals(self) -> None:
        """
        A run that happens late does not cause a burst of make-up runs: the
        next run is at the next interval boundary after it.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        loop.start(1)
        clock.advance(3.5)
        assert times == [0, 3.5]
        clock.advance(0.5)
        assert times == [0, 3.5, 4.0]

    def test_zeroIntervalRunsAsOftenAsPossible(self) -> None:
        """
        With an interval of 0 each run schedules the next for "now", so a
        Clock keeps running it within one C{advance} until it stops the loop.
        """
        clock = Clock()
        count = 0

        def tick() -> None:
            nonlocal count
            count += 1
            if count == 3:
                loop.stop()

        loop = LoopingCall(tick)
        loop.clock = clock
        d = loop.start(0)
        assert count == 1
        clock.advance(0)
        assert count == 3
        assert resultOf(d) is loop
        assert clock.getDelayedCalls() == []

    def test_resetRestartsInterval(self) -> None:
        """
        C{reset} makes the next run one whole interval from now.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        loop.start(2)
        clock.advance(1.5)
        loop.reset()
        assert [call.getTime() for call in clock.getDelayedCalls()] == [3.5]
        clock.pump([1, 1, 1, 1])
        assert times == [0, 3.5, 5.5]
        assert loop.starttime == 1.5

    def test_repr(self) -> None:
        """
        The repr shows the interval, the function and its arguments.
        """
        loop = LoopingCall(combine, 7, b=2)
        assert repr(loop) == "LoopingCall<None>(combine, *(7,), **{'b': 2})"
        loop.clock = Clock()
        loop.start(3, now=False)
        assert repr(loop) == "LoopingCall<3>(combine, *(7,), **{'b': 2})"


class LoopingCallStopTests:
    def test_stopFiresDeferredWithLoop(self) -> None:
        """
        C{stop} fires the Deferred from C{start} with the LoopingCall and
        cancels the pending run.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        d = loop.start(1)
        assert not hasResult(d)
        clock.advance(1)
        loop.stop()
        assert resultOf(d) is loop
        assert not loop.running
        assert clock.getDelayedCalls() == []
        clock.advance(10)
        assert times == [0, 1]

    def test_stopFromInsideFunction(self) -> None:
        """
        The function may stop its own loop; the Deferred fires when it returns.
        """
        clock = Clock()

        def stopMyself() -> None:
            loop.stop()

        loop = LoopingCall(stopMyself)
        loop.clock = clock
        d = loop.start(1)
        assert resultOf(d) is loop
        assert clock.getDelayedCalls() == []

    def test_restartAfterStop(self) -> None:
        """
        A stopped loop can be started again, with a new Deferred.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        first = loop.start(1)
        loop.stop()
        clock.advance(5)
        second = loop.start(2, now=False)
        assert second is not first
        clock.advance(2)
        assert times == [0, 7]
        loop.stop()
        assert resultOf(second) is loop

    @pytest.mark.parametrize("method", ["stop", "reset"])
    def test_notRunning(self, method: str) -> None:
        """
        C{stop} and C{reset} on a loop that is not running raise
        L{AssertionError}, as in Twisted, naming the loop.
        """
        loop = LoopingCall(print)
        with pytest.raises(AssertionError, match=rf"^Tried to {method} a LoopingCall that was not"):
            getattr(loop, method)()

    def test_startTwice(self) -> None:
        """
        Starting a running loop raises L{AssertionError} and changes nothing.
        """
        clock = Clock()
        loop, times = recordingLoop(clock)
        loop.start(1)
        with pytest.raises(AssertionError, match=r"already running LoopingCall.*stop\(\) it first"):
            loop.start(5)
        assert loop.interval == 1
        assert times == [0]

    @pytest.mark.parametrize("interval", [-1, -0.5, float("nan")])
    def test_negativeInterval(self, interval: float) -> None:
        """
        A negative or NaN interval is rejected and the loop is not started.
        """
        loop = LoopingCall(print)
        loop.clock = Clock()
        with pytest.raises(ValueError, match=r"needs an interval of 0 seconds or more, not"):
            loop.start(interval)
        assert not loop.running


class LoopingCallFailureTests:
    def test_raisingStopsLoop(self) -> None:
        """
        If the function raises, the loop stops and its Deferred fails with
        the exception.
        """
        clock = Clock()
        runs = 0

        def flaky() -> None:
            nonlocal runs
            runs += 1
            if runs == 2:
                raise ZeroDivisionError("second run")

        loop = LoopingCall(flaky)
        loop.clock = clock
        d = loop.start(1)
        clock.advance(1)
        failure = failureOf(d, ZeroDivisionError)
        assert failure.getErrorMessage() == "second run"
        assert not loop.running
        assert clock.getDelayedCalls() == []

    def test_failedDeferredStopsLoop(self) -> None:
        """
        If the function returns a failed Deferred, the loop fails with it.
        """
        loop = LoopingCall(lambda: fail(KeyError("gone")))
        loop.clock = Clock()
        d = loop.start(1)
        failureOf(d, KeyError)
        assert not loop.running

    def test_directCallFailureIsLogged(self) -> None:
        """
        Calling a loop that was never started runs the function once; if it
        fails, the failure is logged as unhandled rather than lost.
        """
        events: list[LogEvent] = []
        runs: list[int] = []

        def boom() -> None:
            runs.append(1)
            raise ValueError("direct")

        loop = LoopingCall(boom)
        loop.clock = Clock()
        globalLogPublisher.addObserver(events.append)
        try:
            loop()
            gc.collect()
        finally:
            globalLogPublisher.removeObserver(events.append)
        assert runs == [1]
        assert not loop.running
        [failure] = [e["log_failure"] for e in events if "log_failure" in e]
        assert failure.check(ValueError)


class LoopingCallDeferredTests:
    def test_waitsForDeferred(self) -> None:
        """
        While the function's Deferred is pending no run is scheduled; when it
        fires, the next run is at the next interval boundary.
        """
        clock = Clock()
        pending: list[Deferred[None]] = []
        times: list[float] = []

        def slow() -> Deferred[None]:
            times.append(clock.seconds())
            pending.append(Deferred())
            return pending[-1]

        loop = LoopingCall(slow)
        loop.clock = clock
        loop.start(1)
        clock.advance(2.5)
        assert times == [0]
        assert clock.getDelayedCalls() == []
        pending[-1].callback(None)
        assert [call.getTime() for call in clock.getDelayedCalls()] == [3.0]
        clock.advance(0.5)
        assert times == [0, 3.0]

    def test_stopWhileWaiting(self) -> None:
        """
        Stopping while the function's Deferred is pending: the loop's
        Deferred fires when that one does, and nothing more runs.
        """
        clock = Clock()
        inner: Deferred[None] = Deferred()
        loop = LoopingCall(lambda: inner)
        loop.clock = clock
        d = loop.start(1)
        loop.stop()
        assert not loop.running
        assert not hasResult(d)
        inner.callback(None)
        assert resultOf(d) is loop
        assert clock.getDelayedCalls() == []

    def test_stopWhileWaitingThenFailure(self) -> None:
        """
        If the pending Deferred fails after C{stop}, the loop's Deferred fails.
        """
        inner: Deferred[None] = Deferred()
        loop = LoopingCall(lambda: inner)
        loop.clock = Clock()
        d = loop.start(1)
        loop.stop()
        inner.errback(RuntimeError("late"))
        failureOf(d, RuntimeError)

    def test_restartWhileOldRunPending(self) -> None:
        """
        A run still pending from before C{stop} and C{start} finishes the old
        loop's Deferred when it fires and does not schedule into the new loop.
        """
        clock = Clock()
        pending: list[Deferred[None]] = []

        def run() -> Deferred[None]:
            pending.append(Deferred())
            return pending[-1]

        loop = LoopingCall(run)
        loop.clock = clock
        old = loop.start(1)
        loop.stop()
        new = loop.start(1)
        oldRun, newRun = pending
        oldRun.callback(None)
        assert resultOf(old) is loop
        assert clock.getDelayedCalls() == []
        assert loop.running
        newRun.callback(None)
        assert [call.getTime() for call in clock.getDelayedCalls()] == [1]
        loop.stop()
        assert resultOf(new) is loop

    def test_resetWhileWaitingDoesNothing(self) -> None:
        """
        C{reset} while the function's Deferred is pending changes nothing.
        """
        clock = Clock()
        inner: Deferred[None] = Deferred()
        loop = LoopingCall(lambda: inner)
        loop.clock = clock
        loop.start(1)
        clock.advance(0.5)
        loop.reset()
        assert loop.starttime == 0
        assert clock.getDelayedCalls() == []


class WithCountTests:
    def countingLoop(self, clock: Clock) -> tuple[LoopingCall, list[tuple[float, int]]]:
        """
        A C{withCount} loop on C{clock} recording (time, count) per run.
        """
        counts: list[tuple[float, int]] = []
        loop = LoopingCall.withCount(lambda n: counts.append((clock.seconds(), n)))
        loop.clock = clock
        return loop, counts

    def test_countsSkippedIntervals(self) -> None:
        """
        The count is the number of intervals since the last call: 1 normally,
        more after a jump.
        """
        clock = Clock()
        loop, counts = self.countingLoop(clock)
        loop.start(1)
        clock.pump([0.5, 0.5, 3.2, 0.1, 0.7, 1.0])
        assert counts == [(0, 1), (1, 1), (4.2, 3), (5, 1), (6, 1)]

    def test_notNow(self) -> None:
        """
        With C{now=False} the first count is 1 at the first interval.
        """
        clock = Clock()
        loop, counts = self.countingLoop(clock)
        loop.start(1, now=False)
        clock.pump([1, 2.5, 0.5])
        assert counts == [(1, 1), (3.5, 2), (4, 1)]

    def test_zeroIntervalAlwaysOne(self) -> None:
        """
        With an interval of 0 the count is always 1.
        """
        clock = Clock()
        counts: list[int] = []

        def counted(n: int) -> None:
            counts.append(n)
            if len(counts) == 3:
                loop.stop()

        loop = LoopingCall.withCount(counted)
        loop.clock = clock
        loop.start(0)
        clock.advance(5)
        assert counts == [1, 1, 1]

    def test_countIncludesTimeWaitingOnDeferred(self) -> None:
        """
        Intervals spent waiting for a Deferred the function returned count.
        """
        clock = Clock()
        counts: list[tuple[float, int]] = []
        pending: list[Deferred[None]] = []

        def counted(n: int) -> Deferred[None]:
            counts.append((clock.seconds(), n))
            pending.append(Deferred())
            return pending[-1]

        loop = LoopingCall.withCount(counted)
        loop.clock = clock
        loop.start(1)
        clock.advance(3.5)
        pending[-1].callback(None)
        clock.advance(0.5)
        assert counts == [(0, 1), (4, 4)]

    def test_restartCountsFromRestart(self) -> None:
        """
        After C{stop} and C{start}, the time the loop was stopped does not
        count: the first count is 1 again.
        """
        clock = Clock()
        loop, counts = self.countingLoop(clock)
        loop.start(1)
        clock.advance(0.5)
        loop.stop()
        clock.advance(9.5)
        loop.start(1)
        clock.advance(1)
        assert counts == [(0, 1), (10, 1), (11, 1)]

    def test_resetCountsFromReset(self) -> None:
        """
        After C{reset}, the next count is 1.
        """
        clock = Clock()
        loop, counts = self.countingLoop(clock)
        loop.start(2)
        clock.advance(3.9)
        loop.reset()
        clock.pump([2, 2])
        assert counts == [(0, 1), (3.9, 1), (5.9, 1), (7.9, 1)]

    def test_returnsSubclass(self) -> None:
        """
        C{withCount} on a subclass makes an instance of that subclass.
        """

        class MyLoop(LoopingCall):
            pass

        assert type(MyLoop.withCount(lambda n: None)) is MyLoop


class LoopingCallClockTests:
    def test_clockSettable(self) -> None:
        """
        The C{clock} attribute is used for scheduling once set.
        """
        clock = Clock()
        loop = LoopingCall(print)
        loop.clock = clock
        assert loop.clock is clock
        loop.start(1, now=False)
        assert len(clock.getDelayedCalls()) == 1

    def test_noReactor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without a clock and without a global reactor, C{start} raises a
        L{RuntimeError} that says how to set a clock, and the loop is not
        started.
        """
        monkeypatch.setitem(sys.modules, "torsion.internet.reactor", None)
        loop = LoopingCall(print)
        with pytest.raises(
            RuntimeError,
            match=re.escape(
                "LoopingCall needs a clock, and the global reactor "
                "(torsion.internet.reactor) is not available; set loop.clock = "
                "torsion.internet.task.Clock() (or a reactor) before calling start()"
            ),
        ):
            loop.start(1)
        assert not loop.running

    def test_defaultsToGlobalReactor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without a clock, the loop uses the installed global reactor, looked
        up when first needed.
        """
        reactor = Clock()
        loop = LoopingCall(print, "tick")
        monkeypatch.setitem(sys.modules, "torsion.internet.reactor", reactor)
        loop.start(1, now=False)
        assert loop.clock is reactor
        assert len(reactor.getDelayedCalls()) == 1


class LoopingCallTypingTests:
    """
    Static types, checked by mypy when it checks this file.
    """

    def test_startType(self) -> None:
        """
        C{start} returns a C{Deferred[LoopingCall]}; C{withCount} on a class
        returns an instance of that class.
        """
        loop = LoopingCall(combine, 1, b=2)
        loop.clock = Clock()
        d = assert_type(loop.start(1), "Deferred[LoopingCall]")
        assert_type(LoopingCall.withCount(lambda n: None), LoopingCall)
        loop.stop()
        assert resultOf(d) is loop

    def test_argumentsChecked(self) -> None:
        """
        The function's arguments are checked against its signature.
        """
        loop = LoopingCall(combine, 1, "two")  # type: ignore[arg-type]
        assert loop.a == (1, "two")
