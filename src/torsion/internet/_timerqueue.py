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
# New calls wait in `_incoming` until the queue is next consulted
# (nextTime/runDue), which merges them into the heap in one go (heapify
# when the batch is large) and drops those already cancelled, so that a
# burst of timers costs less than one push each.  Calls scheduled while due
# calls are being run therefore wait for the next run: callLater(0, f)
# inside a timer runs at the next iteration, never in the same one (which
# could loop forever).  Serials only grow, so a call is still in `_incoming`
# exactly when its serial is above the largest one merged so far.
from __future__ import annotations

import heapq
from collections.abc import Callable

from torsion.internet._delayedcall import DelayedCall

_COMPACT_MINIMUM = 256


class TimerQueue:
    """
    The scheduled calls of a reactor, ordered by time.
    """

    __slots__ = ("_dead", "_heap", "_incoming", "_merged", "add")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, DelayedCall]] = []
        self._incoming: list[DelayedCall] = []
        self._dead = 0
        self._merged = -1
        # add(call): schedule `call` at call.time.  Speed over clarity: the
        # list's own append, with no wrapper call.
        self.add = self._incoming.append

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
        if call._serial > self._merged:
            return  # not in the heap yet: merged with its new time later
        self._dead += 1
        heapq.heappush(self._heap, (call.time, call._serial, call))
        self._maybeCompact()

    def _maybeCompact(self) -> None:
        if self._dead <= _COMPACT_MINIMUM or self._dead * 2 <= len(self):
            return
        # Cancelled calls still waiting to be merged are simply dropped.
        self._flushIncoming()
        dead = self._dead
        if dead > _COMPACT_MINIMUM and dead * 2 > len(self._heap):
            self._heap = [
                entry
                for entry in self._heap
                if not (entry[2].cancelled or entry[2].called) and entry[0] == entry[2].time
            ]
            heapq.heapify(self._heap)
            self._dead = 0

    def __bool__(self) -> bool:
        """
        @return: Whether any entry (live or dead) is queued.
        """
        return bool(self._heap or self._incoming)

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
        if not incoming:
            return
        heap = self._heap
        entries = [(call.time, call._serial, call) for call in incoming if not call.cancelled]
        # Their cancel() counted dead entries they never had in the heap.
        self._dead -= len(incoming) - len(entries)
        self._merged = max(self._merged, incoming[-1]._serial)
        incoming.clear()
        if len(entries) >= len(heap):
            heap.extend(entries)
            heapq.heapify(heap)
        else:
            for entry in entries:
                heapq.heappush(heap, entry)

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
                kw = call.kw
                if kw:
                    call.func(*call.args, **kw)
                else:
                    call.func(*call.args)
            except BaseException:
                onError(call)

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
