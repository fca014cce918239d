# DelayedCall: one call scheduled to run at a point in time, as handed out by
# IReactorTime.callLater (the test Clock now, the reactor later).
#
# How it works
# ------------
# A DelayedCall does not run itself.  Whoever scheduled it (the scheduler)
# keeps it in a queue ordered by time and, when the time comes, sets
# `called = True` and calls `func(*args, **kw)`.  The DelayedCall only keeps
# its state and tells the scheduler about changes through two functions given
# to the constructor:
#
#   canceller(call)   the call was cancelled: forget it (or mark it dead, for a
#                     heap with lazy deletion);
#   resetter(call)    the call was moved *sooner*: `time` has decreased, so it
#                     must move towards the front of the queue.
#
# Moving a call *later* tells the scheduler nothing.  The extra wait is kept in
# `delayed_time` and `time` (the queue key) stays put, so a heap needs no
# reordering.  When a heap scheduler pops a call whose `delayed_time` is not
# zero, it calls `activate_delay()` (which folds the wait into `time`) and
# pushes it back.  `getTime()` always gives the real due time, time +
# delayed_time; a scheduler that re-sorts a list by getTime() (the Clock) can
# ignore delayed_time altogether.  This is the protocol Twisted's reactor uses.
#
# `__lt__`/`__le__` compare `time` and then a creation serial number, so in a
# heap two calls due at the same moment come out in the order they were
# created.  The serial never changes, so reordering never breaks the heap.
#
# A cancelled call drops its function and arguments at once: a long-dead timer
# should not keep large objects alive until the scheduler gets round to it.
from __future__ import annotations

import itertools
import time as _time
import traceback
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import ClassVar

from zope.interface import implementer

from torsion.internet._errors import AlreadyCalled, AlreadyCancelled
from torsion.internet.interfaces import IDelayedCall

_serials = itertools.count()
_NO_KEYWORDS: Mapping[str, object] = MappingProxyType({})


def _released(*args: object, **kw: object) -> None:
    """
    Stands in for the function of a cancelled call, which has been released.
    """


@implementer(IDelayedCall)
class DelayedCall:
    """
    A function call scheduled for a point in time; see L{IDelayedCall}.

    Returned by C{callLater}.  Its scheduler runs it: the scheduler sets
    C{called} and calls C{func(*args, **kw)} once C{getTime()} has come.

    @ivar time: The time the scheduler orders this call by: the due time,
        less C{delayed_time}.
    @ivar delayed_time: How much later than C{time} the call is really due
        (see L{activate_delay}).
    @ivar func: The function to call.
    @ivar args: Its positional arguments.
    @ivar kw: Its keyword arguments.
    @ivar called: Whether the call has run (set by the scheduler).
    @ivar cancelled: Whether the call was cancelled.
    @ivar creator: Where the call was scheduled (formatted stack lines), if
        L{DelayedCall.debug} was true then; else L{None}.
    @cvar debug: Record C{creator} for every new call (slow: for debugging).
    """

    __slots__ = (
        "_serial",
        "args",
        "called",
        "cancelled",
        "canceller",
        "creator",
        "delayed_time",
        "func",
        "kw",
        "resetter",
        "seconds",
        "time",
    )

    debug: ClassVar[bool] = False

    def __init__(
        self,
        time: float,
        func: Callable[..., object],
        args: Sequence[object],
        kw: Mapping[str, object],
        cancel: Callable[[DelayedCall], object],
        reset: Callable[[DelayedCall], object],
        seconds: Callable[[], float] = _time.time,
    ) -> None:
        """
        @param time: When to run, in the units of C{seconds()}.
        @param func: The function to call.
        @param args: Positional arguments for C{func}.
        @param kw: Keyword arguments for C{func}.
        @param cancel: Called with this call when it is cancelled.
        @param reset: Called with this call when C{reset} or C{delay} moves
            it sooner (after C{time} has been updated).
        @param seconds: The scheduler's clock, used by C{reset} and C{repr}.
        """
        self.time = time
        self.delayed_time = 0.0
        self.func = func
        self.args = args
        self.kw = kw
        self.canceller = cancel
        self.resetter = reset
        self.seconds = seconds
        self.called = False
        self.cancelled = False
        self._serial = next(_serials)
        self.creator: list[str] | None = traceback.format_stack()[:-2] if self.debug else None

    def getTime(self) -> float:
        """
        Tell when the call is due.

        @return: When the call is due, in the scheduler's C{seconds()} units.
        """
        return self.time + self.delayed_time

    def _checkPending(self, action: str) -> None:
        if self.cancelled:
            raise AlreadyCancelled(
                f"cannot {action} {self!r}: it was cancelled; check active() first"
            )
        if self.called:
            raise AlreadyCalled(
                f"cannot {action} {self!r}: it has already run; check active() first"
            )

    def cancel(self) -> None:
        """
        Stop the call from running.

        @raise AlreadyCancelled: If it was already cancelled.
        @raise AlreadyCalled: If it has already run.
        """
        self._checkPending("cancel")
        # Marked first: the scheduler may compact its queue inside the
        # canceller, and must see this call as dead.
        self.cancelled = True
        self.canceller(self)
        self.func = _released
        self.args = ()
        self.kw = _NO_KEYWORDS

    def reset(self, secondsFromNow: float) -> None:
        """
        Reschedule the call for C{secondsFromNow} seconds after C{seconds()}.

        @param secondsFromNow: The new delay, from now.
        @raise AlreadyCancelled: If it was cancelled.
        @raise AlreadyCalled: If it has already run.
        """
        self._checkPending("reset")
        newTime = self.seconds() + secondsFromNow
        if newTime < self.time:
            self.delayed_time = 0.0
            self.time = newTime
            self.resetter(self)
        else:
            self.delayed_time = newTime - self.time

    def delay(self, secondsLater: float) -> None:
        """
        Move the call C{secondsLater} seconds later (sooner, if negative).

        @param secondsLater: How much to move it by.
        @raise AlreadyCancelled: If it was cancelled.
        @raise AlreadyCalled: If it has already run.
        """
        self._checkPending("delay")
        self.delayed_time += secondsLater
        if self.delayed_time < 0:
            self.activate_delay()
            self.resetter(self)

    def activate_delay(self) -> None:
        """
        Fold C{delayed_time} into C{time}, making C{time} the real due time.

        A heap scheduler calls this when it pops a call that was moved later,
        then pushes the call back.
        """
        self.time += self.delayed_time
        self.delayed_time = 0.0

    def active(self) -> bool:
        """
        Tell whether the call can still run (and be cancelled or moved).

        @return: Whether the call is still pending: neither run nor cancelled.
        """
        return not (self.cancelled or self.called)

    def __lt__(self, other: DelayedCall) -> bool:
        mine = self.time
        theirs = other.time
        return mine < theirs or (mine == theirs and self._serial < other._serial)

    def __le__(self, other: DelayedCall) -> bool:
        mine = self.time
        theirs = other.time
        return mine < theirs or (mine == theirs and self._serial <= other._serial)

    def __repr__(self) -> str:
        try:
            inSeconds = f"{self.getTime() - self.seconds():.1f}s"
        except Exception:
            inSeconds = "?s"
        text = (
            f"<DelayedCall 0x{id(self):x} [{inSeconds}] "
            f"called={int(self.called)} cancelled={int(self.cancelled)}"
        )
        if not self.cancelled:
            func = self.func
            name = getattr(func, "__qualname__", None) or repr(func)
            arguments = [repr(arg) for arg in self.args]
            arguments.extend(f"{key}={value!r}" for key, value in self.kw.items())
            text += f" {name}({', '.join(arguments)})"
        if self.creator is not None:
            text += "\n\ntraceback at creation:\n\n" + "".join(self.creator)
        return text + ">"

    __str__ = __repr__


__all__ = ["DelayedCall"]
