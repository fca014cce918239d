"""
Tests for L{torsion.internet.task.Clock} and the L{DelayedCall}s it hands out.
"""

from __future__ import annotations

import gc
import heapq
import math
import re
import weakref

import pytest
from zope.interface.verify import verifyObject

from torsion.internet._delayedcall import DelayedCall
from torsion.internet.error import AlreadyCalled, AlreadyCancelled
from torsion.internet.interfaces import IDelayedCall, IReactorTime
from torsion.internet.task import Clock


class ClockTimeTests:
    def test_providesIReactorTime(self) -> None:
        """
        A Clock provides L{IReactorTime}, and its calls provide L{IDelayedCall}.
        """
        clock = Clock()
        assert verifyObject(IReactorTime, clock)
        assert verifyObject(IDelayedCall, clock.callLater(1, lambda: None))

    def test_startsAtZero(self) -> None:
        """
        A new Clock's time, from C{seconds()} and C{rightNow}, is 0.0.
        """
        clock = Clock()
        assert clock.seconds() == 0.0
        assert clock.rightNow == 0.0

    def test_advanceAddsUp(self) -> None:
        """
        C{advance} moves time forward by the amount given, cumulatively.
        """
        clock = Clock()
        clock.advance(1.5)
        clock.advance(2)
        assert clock.seconds() == 3.5
        assert clock.rightNow == 3.5

    def test_pumpAdvancesEachAmount(self) -> None:
        """
        C{pump} advances by each amount in turn, running calls at each step.
        """
        clock = Clock()
        seen: list[float] = []
        for delay in (1, 2, 3):
            clock.callLater(delay, lambda: seen.append(clock.seconds()))
        clock.pump([1.5, 1, 0.25])
        assert seen == [1.5, 2.5]
        assert clock.seconds() == 2.75

    @pytest.mark.parametrize("amount", [-1, -0.001, math.nan])
    def test_advanceRejectsNegative(self, amount: float) -> None:
        """
        Time never moves backwards: a negative or NaN C{advance} is an error.
        """
        clock = Clock()
        with pytest.raises(ValueError, match=r"^Clock\.advance\(\) needs a number of seconds"):
            clock.advance(amount)
        assert clock.seconds() == 0.0

    def test_callLaterRejectsNegativeDelay(self) -> None:
        """
        A negative delay is an error that names the delay.
        """
        clock = Clock()
        with pytest.raises(ValueError, match=r"not -2; to run something as soon"):
            clock.callLater(-2, lambda: None)
        assert clock.getDelayedCalls() == []

    def test_callLaterRejectsNonCallable(self) -> None:
        """
        Scheduling something that cannot be called fails at once, not later.
        """
        clock = Clock()
        with pytest.raises(TypeError, match=r"needs a callable to call, not str 'oops'"):
            clock.callLater(1, "oops")  # type: ignore[arg-type]


class ClockCallTests:
    def test_callLaterRunsWhenDue(self) -> None:
        """
        A call runs, with its arguments, once time reaches its due time.
        """
        clock = Clock()
        seen: list[tuple[object, ...]] = []
        call = clock.callLater(2, lambda *a, **kw: seen.append((a, kw)), 1, 2, x=3)
        assert call.getTime() == 2
        clock.advance(1.999)
        assert seen == []
        clock.advance(0.001)
        assert seen == [((1, 2), {"x": 3})]
        assert call.called
        assert not call.active()

    def test_zeroDelayRunsOnNextAdvance(self) -> None:
        """
        A delay of 0 runs the call at the next C{advance}, even C{advance(0)}.
        """
        clock = Clock()
        seen: list[str] = []
        clock.callLater(0, seen.append, "now")
        assert seen == []
        clock.advance(0)
        assert seen == ["now"]

    def test_sameTimeInSchedulingOrder(self) -> None:
        """
        Calls due at the same time run in the order they were scheduled, even
        when a later-scheduled call at an earlier time runs first.
        """
        clock = Clock()
        seen: list[str] = []
        for name in "abc":
            clock.callLater(5, seen.append, name)
        clock.callLater(1, seen.append, "first")
        for name in "de":
            clock.callLater(5, seen.append, name)
        clock.advance(10)
        assert seen == ["first", "a", "b", "c", "d", "e"]

    def test_dueOrderNotSchedulingOrder(self) -> None:
        """
        One C{advance} over several due times runs the calls by due time.
        """
        clock = Clock()
        seen: list[int] = []
        for delay in (3, 1, 2):
            clock.callLater(delay, seen.append, delay)
        clock.advance(3)
        assert seen == [1, 2, 3]

    def test_callScheduledDuringAdvanceRunsIfDue(self) -> None:
        """
        A call scheduled by a running call, for a time not after the current
        time, runs in the same C{advance}, after the calls already due.
        """
        clock = Clock()
        seen: list[str] = []

        def first() -> None:
            seen.append("first")
            clock.callLater(0, seen.append, "scheduled by first")
            clock.callLater(0.5, seen.append, "too late")

        clock.callLater(1, first)
        clock.callLater(1, seen.append, "second")
        clock.advance(1)
        assert seen == ["first", "second", "scheduled by first"]
        assert [call.getTime() for call in clock.getDelayedCalls()] == [1.5]

    def test_callsSeeTheirDueTimeLater(self) -> None:
        """
        Calls run during one C{advance} all see the new current time.
        """
        clock = Clock()
        seen: list[float] = []
        clock.callLater(1, lambda: seen.append(clock.seconds()))
        clock.advance(5)
        assert seen == [5]

    def test_exceptionPropagatesAndKeepsOthers(self) -> None:
        """
        An exception from a call comes out of C{advance}; calls not yet run
        stay scheduled and run on the next C{advance}.
        """
        clock = Clock()
        seen: list[str] = []

        def broken() -> None:
            raise ZeroDivisionError("boom")

        clock.callLater(1, broken)
        clock.callLater(1, seen.append, "after")
        with pytest.raises(ZeroDivisionError, match="boom"):
            clock.advance(1)
        assert seen == []
        assert len(clock.getDelayedCalls()) == 1
        clock.advance(0)
        assert seen == ["after"]

    def test_getDelayedCallsIsSortedCopy(self) -> None:
        """
        C{getDelayedCalls} gives pending calls soonest first, as a new list:
        cancelling while iterating over it cancels every call.
        """
        clock = Clock()
        late = clock.callLater(3, lambda: None)
        early = clock.callLater(1, lambda: None)
        middle = clock.callLater(2, lambda: None)
        calls = clock.getDelayedCalls()
        assert list(calls) == [early, middle, late]
        for call in calls:
            call.cancel()
        assert clock.getDelayedCalls() == []
        assert list(calls) == [early, middle, late]


class DelayedCallStateTests:
    def test_cancelPreventsCall(self) -> None:
        """
        A cancelled call never runs and leaves C{getDelayedCalls}.
        """
        clock = Clock()
        seen: list[str] = []
        call = clock.callLater(1, seen.append, "x")
        assert call.active()
        call.cancel()
        assert call.cancelled
        assert not call.called
        assert not call.active()
        assert clock.getDelayedCalls() == []
        clock.advance(2)
        assert seen == []

    def test_cancelTwice(self) -> None:
        """
        Cancelling a cancelled call raises L{AlreadyCancelled}, naming it.
        """
        clock = Clock()
        call = clock.callLater(1, len, "x")
        call.cancel()
        with pytest.raises(
            AlreadyCancelled, match=r"cannot cancel <DelayedCall .*it was cancelled"
        ):
            call.cancel()

    @pytest.mark.parametrize("action", ["cancel", "reset", "delay"])
    def test_afterCallRaisesAlreadyCalled(self, action: str) -> None:
        """
        Cancelling, resetting or delaying a call that ran raises
        L{AlreadyCalled} naming the call and the action.
        """
        clock = Clock()
        call = clock.callLater(1, len, "x")
        clock.advance(1)
        method = getattr(call, action)
        arguments = () if action == "cancel" else (1,)
        with pytest.raises(AlreadyCalled, match=rf"cannot {action} <DelayedCall .*len\('x'\)"):
            method(*arguments)

    @pytest.mark.parametrize("action", ["reset", "delay"])
    def test_afterCancelRaisesAlreadyCancelled(self, action: str) -> None:
        """
        Resetting or delaying a cancelled call raises L{AlreadyCancelled}.
        """
        clock = Clock()
        call = clock.callLater(1, len, "x")
        call.cancel()
        with pytest.raises(AlreadyCancelled, match=rf"^cannot {action} <DelayedCall .*cancelled"):
            getattr(call, action)(1)

    def test_calledAttributeSetBeforeRunning(self) -> None:
        """
        The Clock marks a call called before running it, so the function sees
        its own call as no longer active.
        """
        clock = Clock()
        seen: list[bool] = []

        def check() -> None:
            seen.append(call.active())

        call = clock.callLater(1, check)
        clock.advance(1)
        assert seen == [False]


class DelayedCallMoveTests:
    def test_resetLater(self) -> None:
        """
        C{reset} to a later time postpones the call to C{now + seconds}.
        """
        clock = Clock()
        seen: list[float] = []
        call = clock.callLater(2, lambda: seen.append(clock.seconds()))
        clock.advance(1)
        call.reset(5)
        assert call.getTime() == 6
        clock.advance(4)
        assert seen == []
        clock.advance(1)
        assert seen == [6]

    def test_resetSooner(self) -> None:
        """
        C{reset} to a sooner time brings the call forward, ahead of others.
        """
        clock = Clock()
        seen: list[str] = []
        clock.callLater(3, seen.append, "other")
        call = clock.callLater(10, seen.append, "reset")
        call.reset(1)
        assert call.getTime() == 1
        assert clock.getDelayedCalls()[0] is call
        clock.advance(3)
        assert seen == ["reset", "other"]

    def test_delayBothWays(self) -> None:
        """
        C{delay} moves a call later by a positive amount and sooner by a
        negative one, relative to its current due time.
        """
        clock = Clock()
        call = clock.callLater(5, lambda: None)
        call.delay(3)
        assert call.getTime() == 8
        call.delay(-6)
        assert call.getTime() == 2
        seen: list[float] = []
        clock.callLater(3, lambda: seen.append(clock.seconds()))
        clock.advance(2)
        assert call.called
        assert seen == []

    def test_resetLaterThenSooner(self) -> None:
        """
        Moving a call later and then sooner than its first time lands on the
        last requested time.
        """
        clock = Clock()
        call = clock.callLater(5, lambda: None)
        call.reset(20)
        call.reset(1)
        assert call.getTime() == 1
        clock.advance(1)
        assert call.called


class DelayedCallProtocolTests:
    """
    The constructor contract a heap-based reactor relies on.
    """

    def makeCall(
        self, when: float, now: list[float], events: list[tuple[str, DelayedCall]]
    ) -> DelayedCall:
        """
        A DelayedCall whose canceller and resetter record what happened.
        """
        return DelayedCall(
            when,
            lambda: None,
            (),
            {},
            lambda c: events.append(("cancel", c)),
            lambda c: events.append(("reset", c)),
            lambda: now[0],
        )

    def test_cancellerCalledOnce(self) -> None:
        """
        C{cancel} calls the canceller with the call.
        """
        events: list[tuple[str, DelayedCall]] = []
        call = self.makeCall(5, [0.0], events)
        call.cancel()
        assert events == [("cancel", call)]

    def test_resetterOnlyWhenSooner(self) -> None:
        """
        The resetter is called only when the call moves sooner, after C{time}
        was updated; moving later only grows C{delayed_time}.
        """
        events: list[tuple[str, DelayedCall]] = []
        now = [1.0]
        call = self.makeCall(5, now, events)
        call.reset(10)
        assert (call.time, call.delayed_time, events) == (5, 6, [])
        call.delay(1)
        assert (call.time, call.delayed_time, events) == (5, 7, [])
        call.reset(2)
        assert (call.time, call.delayed_time) == (3, 0)
        assert events == [("reset", call)]
        call.delay(-1)
        assert (call.time, call.getTime()) == (2, 2)
        assert events == [("reset", call), ("reset", call)]

    def test_activateDelay(self) -> None:
        """
        C{activate_delay} folds C{delayed_time} into C{time}.
        """
        call = self.makeCall(5, [0.0], [])
        call.delay(4)
        call.activate_delay()
        assert (call.time, call.delayed_time, call.getTime()) == (9, 0, 9)

    def test_heapOrderByTimeThenCreation(self) -> None:
        """
        In a heap, calls come out by C{time}, ties in creation order.
        """
        now = [0.0]
        calls = [self.makeCall(t, now, []) for t in (3, 1, 3, 2, 1, 3)]
        heap: list[DelayedCall] = []
        for call in reversed(calls):
            heapq.heappush(heap, call)
        popped = [heapq.heappop(heap) for _ in calls]
        assert popped == [calls[1], calls[4], calls[3], calls[0], calls[2], calls[5]]
        assert calls[0] <= calls[2]
        assert not calls[2] <= calls[0]

    def test_cancelReleasesArguments(self) -> None:
        """
        A cancelled call no longer keeps its function's arguments alive.
        """

        class Big:
            pass

        big = Big()
        ref = weakref.ref(big)
        clock = Clock()
        call = clock.callLater(1, print, big)
        del big
        call.cancel()
        gc.collect()
        assert ref() is None


class DelayedCallReprTests:
    def test_reprNamesFunctionAndTime(self) -> None:
        """
        The repr shows the time left, the state, the function and arguments.
        """
        clock = Clock()
        call = clock.callLater(5, divmod, 7, b=2)
        clock.advance(1.5)
        assert re.fullmatch(
            r"<DelayedCall 0x[0-9a-f]+ \[3\.5s\] called=0 cancelled=0 divmod\(7, b=2\)>",
            repr(call),
        )
        assert str(call) == repr(call)

    def test_reprAfterRunAndCancel(self) -> None:
        """
        The repr shows when a call has run; a cancelled one shows no function.
        """
        clock = Clock()
        ran = clock.callLater(1, len, "ab")
        cancelled = clock.callLater(1, len, "cd")
        cancelled.cancel()
        clock.advance(1)
        assert "called=1 cancelled=0 len('ab')>" in repr(ran)
        assert repr(cancelled).endswith("called=0 cancelled=1>")

    def test_reprNamesMethods(self) -> None:
        """
        A bound method appears by its qualified name.
        """

        class Thing:
            def go(self) -> None:
                pass

        call = Clock().callLater(1, Thing().go)
        assert "Thing.go()" in repr(call)

    def test_debugRecordsCreator(self) -> None:
        """
        With C{DelayedCall.debug} on, calls record and show where they were
        scheduled.
        """
        DelayedCall.debug = True
        try:
            call = Clock().callLater(1, len, "x")
        finally:
            DelayedCall.debug = False
        assert call.creator is not None
        assert "test_debugRecordsCreator" in "".join(call.creator)
        assert "traceback at creation" in repr(call)
        assert Clock().callLater(1, len, "x").creator is None
