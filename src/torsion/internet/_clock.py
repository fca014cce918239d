# Clock: a fake IReactorTime whose time moves only when a test says so.
#
# How it works
# ------------
# `calls` is a plain list of pending DelayedCalls in creation order.  Before
# anything looks at the order it is sorted by getTime() with Python's stable
# sort, so calls due at the same time keep their creation order.  Sorting
# each time (rather than keeping a heap) lets DelayedCall.reset/delay move a
# call later without telling us: getTime() already includes the extra wait.
# The list is nearly sorted every time, which Timsort handles in linear time;
# a test clock holds few calls, so this is plenty fast.
#
# advance() moves `rightNow` forward, then repeatedly takes the first call if
# it is due.  The list is re-sorted after every call because a call may
# schedule, cancel or move others; a call scheduled for a time <= now by a call
# that runs during advance() runs in that same advance(), after the calls that
# were already due at that time.  An exception raised by a call propagates out
# of advance(); the calls not yet run stay scheduled.
from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence

from zope.interface import implementer

from torsion.internet._delayedcall import DelayedCall
from torsion.internet.interfaces import IReactorTime


def _getTime(call: DelayedCall) -> float:
    return call.getTime()


@implementer(IReactorTime)
class Clock:
    """
    A deterministic L{IReactorTime} for tests: time moves only on L{advance}.

    Pass a Clock wherever code takes a reactor for timing (C{callLater},
    C{seconds}); then C{advance} time and check what happened, without
    sleeping.

    @ivar rightNow: The current time, in seconds; starts at 0.0.
    @ivar calls: The pending calls (prefer L{getDelayedCalls}).
    """

    rightNow: float = 0.0

    def __init__(self) -> None:
        self.rightNow = 0.0
        self.calls: list[DelayedCall] = []

    def seconds(self) -> float:
        """
        Tell the current time.

        @return: The current time: the total of all the amounts advanced.
        """
        return self.rightNow

    def _sortCalls(self) -> None:
        self.calls.sort(key=_getTime)

    def _forget(self, call: DelayedCall) -> None:
        self.calls.remove(call)

    def _moved(self, call: DelayedCall) -> None:
        # Calls are re-sorted by getTime() before use: nothing to do now.
        pass

    def callLater(
        self, delay: float, callable: Callable[..., object], *args: object, **kw: object
    ) -> DelayedCall:
        """
        Call C{callable(*args, **kw)} once C{delay} seconds have been advanced.

        Calls due at the same time run in the order they were scheduled.

        @param delay: Seconds from now; 0 means "at the next C{advance}".
        @param callable: The function to call.
        @return: The scheduled call, to cancel, reset or delay.
        @raise ValueError: If C{delay} is negative or not a number.
        @raise TypeError: If C{callable} cannot be called.
        """
        if not delay >= 0:
            raise ValueError(
                f"Clock.callLater() needs a delay of 0 seconds or more, not {delay!r}; "
                "to run something as soon as possible use a delay of 0"
            )
        if not builtins.callable(callable):
            raise TypeError(
                f"Clock.callLater() needs a callable to call, not "
                f"{type(callable).__name__} {callable!r}"
            )
        call = DelayedCall(
            self.rightNow + delay, callable, args, kw, self._forget, self._moved, self.seconds
        )
        self.calls.append(call)
        self._sortCalls()
        return call

    def getDelayedCalls(self) -> Sequence[DelayedCall]:
        """
        List the calls that are scheduled and have not run or been cancelled.

        @return: A new list of the pending calls, soonest first.
        """
        self._sortCalls()
        return list(self.calls)

    def advance(self, amount: float) -> None:
        """
        Move time forward by C{amount} seconds and run every call now due.

        Calls run in order of due time, then of scheduling.  A call scheduled
        while this runs, for a time not after the new current time, also runs
        before this returns.

        @param amount: Seconds to move forward; 0 runs the calls due now.
        @raise ValueError: If C{amount} is negative or not a number.
        """
        if not amount >= 0:
            raise ValueError(
                f"Clock.advance() needs a number of seconds, 0 or more, not "
                f"{amount!r}; time on a Clock only moves forward"
            )
        self.rightNow += amount
        calls = self.calls
        self._sortCalls()
        while calls and calls[0].getTime() <= self.rightNow:
            call = calls.pop(0)
            call.called = True
            call.func(*call.args, **call.kw)
            self._sortCalls()

    def pump(self, timings: Iterable[float]) -> None:
        """
        Call L{advance} with each amount of C{timings} in turn.

        @param timings: Amounts of seconds, e.g. C{[1, 1, 0.5]}.
        """
        for amount in timings:
            self.advance(amount)


__all__ = ["Clock"]
