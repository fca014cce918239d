# The reactor's timers: a binary heap with lazy deletion.
#
# How it works
# ------------
# The heap holds (time, serial, call) tuples.  Tuples compare in C, and the
# serial (unique, increasing) breaks ties in scheduling order without ever
# comparing DelayedCall objects.  A tuple's time is a snapshot of call.time
# when it was pushed.
#
# Nothing is removed from the middle of the heap:
# - cancel() marks the call cancelled (DelayedCall drops its function and
#   arguments at once); its tuple stays until it reaches the top, where it is
#   thrown away;
# - reset()/delay() to a *sooner* time changes call.time and pushes a new
#   tuple; the old one is recognised at the top because its time no longer
#   equals call.time;
# - moving a call *later* only grows call.delayed_time; when its tuple
#   reaches the top the delay is folded into call.time and it is pushed again.
# Each dead tuple is counted.  When the dead outnumber the live (and there are
# enough of them to matter), the heap is rebuilt from the live tuples only, so
# memory stays proportional to the live timers and the amortised cost per
# operation stays O(log n).
#
# Calls scheduled while due calls are being run wait in `_incoming` until
# the next run: callLater(0, f) inside a timer runs at the next iteration,
# never in the same one (which could loop forever).
from __future__ import annotations

import heapq
from collections.abc import Callable

from torsion.internet._delayedcall import DelayedCall

_COMPACT_MINIMUM = 256


class TimerQueue:
    """
    The scheduled calls of a reactor, ordered by time.
    """

    __slots__ = ("_dead", "_heap", "_incoming", "_running")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, DelayedCall]] = []
        self._incoming: list[DelayedCall] = []
        self._dead = 0
        self._running = False

    def add(self, call: DelayedCall) -> None:
        """
        Schedule C{call} (at C{call.time}).
        """
        if self._running:
            self._incoming.append(call)
        else:
            heapq.heappush(self._heap, (call.time, call._serial, call))

    def cancelled(self, call: DelayedCall) -> None:
        """
        C{call} was cancelled: its entry is now dead.
        """
        self._dead += 1
        self._maybeCompact()

    def movedSooner(self, call: DelayedCall) -> None:
        """
        C{call.time} decreased: push it again; the old entry is now dead.
        """
        if call in self._incoming:
            return  # not in the heap yet; pushed with its new time later
        self._dead += 1
        heapq.heappush(self._heap, (call.time, call._serial, call))
        self._maybeCompact()

    def _maybeCompact(self) -> None:
        dead = self._dead
        if dead > _COMPACT_MINIMUM and dead * 2 > len(self._heap):
            self._heap = [
                entry
                for entry in self._heap
                if not (entry[2].cancelled or entry[2].called) and entry[0] == entry[2].time
            ]
            heapq.heapify(self._heap)
            self._dead = 0

    def __len__(self) -> int:
        """
        @return: The number of heap entries, dead ones included.
        """
        return len(self._heap) + len(self._incoming)

    def nextTime(self) -> float | None:
        """
        @return: When the earliest live call is due, or L{None} if none.
        """
        self._flushIncoming()
        heap = self._heap
        while heap:
            time, _, call = heap[0]
            if call.cancelled or call.called or time != call.time:
                heapq.heappop(heap)
                self._dead -= 1
                continue
            return time + call.delayed_time
        return None

    def _flushIncoming(self) -> None:
        incoming = self._incoming
        if incoming:
            heap = self._heap
            for call in incoming:
                if not call.cancelled:
                    heapq.heappush(heap, (call.time, call._serial, call))
                else:
                    # Its cancel() counted a dead entry it never had.
                    self._dead -= 1
            incoming.clear()

    def runDue(self, now: float, onError: Callable[[DelayedCall], None]) -> None:
        """
        Run every live call due at or before C{now}, in time order.

        Calls scheduled meanwhile wait until the next run.

        @param onError: Called (inside the C{except} block) with a call that
            raised.
        """
        self._flushIncoming()
        heap = self._heap
        heappop = heapq.heappop
        self._running = True
        try:
            while heap:
                time, _, call = heap[0]
                if time > now:
                    break
                heappop(heap)
                if call.cancelled or call.called or time != call.time:
                    self._dead -= 1
                    continue
                if call.delayed_time:
                    call.activate_delay()
                    heapq.heappush(heap, (call.time, call._serial, call))
                    continue
                call.called = True
                try:
                    call.func(*call.args, **call.kw)
                except BaseException:
                    onError(call)
        finally:
            self._running = False
        self._flushIncoming()

    def liveCalls(self) -> list[DelayedCall]:
        """
        @return: The pending calls, earliest first.
        """
        self._flushIncoming()
        live = [
            entry
            for entry in self._heap
            if not (entry[2].cancelled or entry[2].called) and entry[0] == entry[2].time
        ]
        live.sort()
        return [entry[2] for entry in live]


__all__ = ["TimerQueue"]
