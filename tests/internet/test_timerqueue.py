"""
Tests for the reactor's timer heap: order, lazy deletion and compaction.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from torsion.internet._delayedcall import DelayedCall
from torsion.internet._timerqueue import TimerQueue


class FakeTime:
    """
    A settable clock for DelayedCall.reset.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def schedule(
    queue: TimerQueue, clock: FakeTime, when: float, func: Any, *args: object
) -> DelayedCall:
    call = DelayedCall(when, func, args, {}, queue.cancelled, queue.movedSooner, clock)
    queue.add(call)
    return call


class OrderTests:
    def test_runsDueInOrder(self) -> None:
        """
        runDue runs the calls due by then, earliest first, ties in
        scheduling order; later ones wait.
        """
        queue, clock = TimerQueue(), FakeTime()
        seen: list[str] = []
        schedule(queue, clock, 2.0, seen.append, "b")
        schedule(queue, clock, 1.0, seen.append, "a1")
        schedule(queue, clock, 1.0, seen.append, "a2")
        schedule(queue, clock, 3.0, seen.append, "c")
        queue.runDue(2.0, lambda call: None)
        assert seen == ["a1", "a2", "b"]
        assert queue.nextTime() == 3.0

    def test_callsAddedWhileRunningWait(self) -> None:
        """
        A call scheduled (due now) by a running call waits for the next run.
        """
        queue, clock = TimerQueue(), FakeTime()
        seen: list[str] = []

        def first() -> None:
            seen.append("first")
            schedule(queue, clock, 0.0, seen.append, "added")

        schedule(queue, clock, 0.0, first)
        queue.runDue(0.0, lambda call: None)
        assert seen == ["first"]
        queue.runDue(0.0, lambda call: None)
        assert seen == ["first", "added"]

    def test_errorsReported(self) -> None:
        """
        A call that raises is reported with onError; the others run.
        """
        queue, clock = TimerQueue(), FakeTime()
        failed: list[DelayedCall] = []
        seen: list[int] = []
        bad = schedule(queue, clock, 0.0, lambda: 1 / 0)
        schedule(queue, clock, 0.0, seen.append, 1)
        queue.runDue(0.0, failed.append)
        assert failed == [bad] and seen == [1]

    @given(
        st.lists(
            st.tuples(
                st.floats(0, 100, allow_nan=False),
                st.sampled_from(["keep", "cancel", "sooner", "later"]),
                st.floats(0, 100, allow_nan=False),
            ),
            max_size=60,
        )
    )
    def test_matchesSortedModel(self, plan: list[tuple[float, str, float]]) -> None:
        """
        Whatever mix of cancels and moves, the calls run in the order of
        their final due times (ties by scheduling order), each once.
        """
        queue, clock = TimerQueue(), FakeTime()
        ran: list[int] = []
        expected: list[tuple[float, int]] = []
        for index, (when, action, move) in enumerate(plan):
            call = schedule(queue, clock, when, ran.append, index)
            if action == "cancel":
                call.cancel()
            elif action == "sooner":
                call.reset(min(move, when))
            elif action == "later":
                call.delay(move)
            if action != "cancel":
                expected.append((call.getTime(), index))
        queue.runDue(1000.0, lambda call: None)
        # Equal times: reset() calls keep their creation serial, so they
        # sort by index too.
        assert ran == [index for _, index in sorted(expected)]
        assert queue.nextTime() is None


class LazyDeletionTests:
    def test_memoryFollowsLiveTimers(self) -> None:
        """
        Cancelling most of 200,000 timers compacts the heap: it never holds
        more than about twice the live timers (plus a small constant).
        """
        queue, clock = TimerQueue(), FakeTime()
        rng = random.Random(1)
        calls = [schedule(queue, clock, rng.random() * 100, print) for _ in range(200_000)]
        rng.shuffle(calls)
        live = len(calls)
        for call in calls[:150_000]:
            call.cancel()
            live -= 1
            assert len(queue) <= 2 * live + 300
        assert len(queue) <= 2 * 50_000 + 300

    def test_cancelledCallsReleaseFunctions(self) -> None:
        """
        A cancelled call drops its function and arguments at once.
        """
        queue, clock = TimerQueue(), FakeTime()
        big = bytearray(10)
        call = schedule(queue, clock, 1.0, print, big)
        call.cancel()
        assert call.args == ()

    def test_movesCountAsDead(self) -> None:
        """
        Moving calls sooner repeatedly leaves dead entries that compaction
        removes, and only the final time counts.
        """
        queue, clock = TimerQueue(), FakeTime()
        seen: list[int] = []
        call = schedule(queue, clock, 10_000.0, seen.append, 1)
        for i in range(5000):
            call.reset(9_999.0 - i)
        assert len(queue) < 1000
        queue.runDue(5000.0, lambda c: None)
        assert seen == [1]
