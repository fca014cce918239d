# Repeating work on top of IReactorTime: LoopingCall and deferLater.
#
# How it works
# ------------
# LoopingCall keeps at most one pending DelayedCall (`call`).  Each run calls
# the function through maybeDeferred; when that result succeeds, the next run
# is scheduled at the first multiple of `interval` (counted from `starttime`)
# strictly after the current time, so a late or slow run skips the
# intervals it missed instead of running them back to back.  While the
# function's Deferred is pending there is no `call`, which is how stop()
# knows that the loop's own Deferred must fire later, when that result
# arrives.  Each run remembers the loop Deferred it belongs to, so a run still
# pending from before a stop()/start() pair finishes the old loop and never
# schedules into the new one.  withCount() wraps the function in a closure
# that counts how many interval boundaries have passed since the last call.
#
# A LoopingCall does not touch the global reactor until it is needed: its
# `clock` looks up torsion.internet.reactor the first time it is used, and
# says clearly what to do if it is not there.
from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, Self, TypeVar, cast, overload

from torsion.internet._deferred import Deferred, maybeDeferred
from torsion.internet.interfaces import IDelayedCall, IReactorTime
from torsion.python.failure import Failure

_T = TypeVar("_T")
_P = ParamSpec("_P")
_I = TypeVar("_I", bound=Iterator[object])


def _globalReactor(needs: str, instead: str) -> IReactorTime:
    """
    Import the global reactor, or explain what to do without one.

    @param needs: What needs a reactor, for the message.
    @param instead: How to give it a clock instead, for the message.
    @raise RuntimeError: If C{torsion.internet.reactor} cannot be imported.
    """
    try:
        reactor = importlib.import_module("torsion.internet.reactor")
    except ModuleNotFoundError as e:
        if e.name != "torsion.internet.reactor":
            raise
        raise RuntimeError(
            f"{needs} needs a clock, and the global reactor "
            f"(torsion.internet.reactor) is not available; {instead}"
        ) from None
    return cast(IReactorTime, reactor)


class LoopingCall:
    """
    Call a function every C{interval} seconds.

    Runs are aligned to multiples of the interval from the start: if a run
    is late (a slow function, a busy reactor), the intervals it missed are
    skipped, not made up.  If the function returns a Deferred, the next run
    waits for it.  If the function raises or its Deferred fails, the loop
    stops and the Deferred returned by L{start} fails.

    @ivar f: The function to call.
    @ivar a: Its positional arguments.
    @ivar kw: Its keyword arguments.
    @ivar running: Whether the loop has been started and not stopped.
    @ivar interval: Seconds between runs, once started.
    @ivar starttime: When the loop started (or was last reset).
    @ivar call: The pending call for the next run, if any.
    """

    call: IDelayedCall | None = None
    running: bool = False
    interval: float | None = None
    starttime: float | None = None

    def __init__(self, f: Callable[_P, object], *a: _P.args, **kw: _P.kwargs) -> None:
        """
        @param f: The function to call; it may return a Deferred.
        @param a: Positional arguments for C{f}.
        @param kw: Keyword arguments for C{f}.
        """
        self.f: Callable[..., object] = f
        self.a: tuple[Any, ...] = a
        self.kw: dict[str, Any] = kw
        self._clock: IReactorTime | None = None
        self._deferred: Deferred[LoopingCall] | None = None
        self._runAtStart = False
        self._lastCountTime: float | None = None

    @property
    def clock(self) -> IReactorTime:
        """
        Where runs are scheduled: the global reactor unless set (tests set a
        L{torsion.internet.task.Clock}).

        @raise RuntimeError: If read while unset and there is no global
            reactor.
        """
        clock = self._clock
        if clock is None:
            clock = self._clock = _globalReactor(
                "LoopingCall",
                "set loop.clock = torsion.internet.task.Clock() (or a reactor) "
                "before calling start()",
            )
        return clock

    @clock.setter
    def clock(self, clock: IReactorTime) -> None:
        self._clock = clock

    @classmethod
    def withCount(cls, countCallable: Callable[[int], object]) -> Self:
        """
        Make a LoopingCall that passes C{countCallable} the number of
        intervals since it was last called.

        The count is usually 1; it is more when runs were missed (the clock
        jumped, the function or a Deferred it returned took longer than an
        interval), so that e.g. an animation can skip that many frames.  With
        an interval of 0 it is always 1.  A run that would get a count of 0
        does not call C{countCallable} at all.

        @param countCallable: Called with the count, an C{int} of 1 or more.
        @return: A new, stopped LoopingCall.
        """

        def counted() -> object:
            return loop._callWithCount(countCallable)

        # Called through a plain Callable: mypy cannot match a ParamSpec
        # __init__ when calling cls() on type[Self].
        make: Callable[..., Self] = cls
        loop = make(counted)
        return loop

    def _callWithCount(self, countCallable: Callable[[int], object]) -> object:
        now = self.clock.seconds()
        interval = self.interval
        start = self.starttime
        assert interval is not None and start is not None, "only called while running"
        if interval == 0:
            self._lastCountTime = now
            return countCallable(1)
        last = self._lastCountTime
        if last is None:
            # First run since start() or reset(): count from the start, which
            # was one whole interval ago if the loop runs at once.
            last = start - interval if self._runAtStart else start
        count = math.floor((now - start) / interval) - math.floor((last - start) / interval)
        if count <= 0:
            return None
        self._lastCountTime = now
        return countCallable(count)

    def start(self, interval: float, now: bool = True) -> Deferred[LoopingCall]:
        """
        Start calling the function every C{interval} seconds.

        @param interval: Seconds between runs; 0 runs it as often as the
            clock allows.
        @param now: Run the function at once (else after one interval).
        @return: A Deferred that fires with this LoopingCall when L{stop} is
            called, or fails with the function's failure if it fails.
        @raise ValueError: If C{interval} is negative.
        @raise AssertionError: If the loop is already running.
        @raise RuntimeError: If no C{clock} was set and there is no global
            reactor.
        """
        if self.running:
            raise AssertionError(
                f"Tried to start an already running LoopingCall: {self!r}; stop() it first"
            )
        if not interval >= 0:
            raise ValueError(
                f"LoopingCall.start() needs an interval of 0 seconds or more, not {interval!r}"
            )
        clock = self.clock
        deferred: Deferred[LoopingCall] = Deferred()
        self._deferred = deferred
        self.running = True
        self.interval = interval
        self.starttime = clock.seconds()
        self._runAtStart = now
        self._lastCountTime = None
        if now:
            self()
        else:
            self._scheduleFrom(self.starttime)
        return deferred

    def stop(self) -> None:
        """
        Stop looping; the Deferred from L{start} fires with this LoopingCall.

        If the function's Deferred is still pending, the loop's Deferred
        fires once that one has.

        @raise AssertionError: If the loop is not running.
        """
        if not self.running:
            raise AssertionError(
                f"Tried to stop a LoopingCall that was not running: {self!r}; "
                "check loop.running first"
            )
        self.running = False
        call = self.call
        if call is not None:
            self.call = None
            call.cancel()
            deferred, self._deferred = self._deferred, None
            if deferred is not None:
                deferred.callback(self)

    def reset(self) -> None:
        """
        Restart the current interval: the next run is one interval from now.

        Does nothing while the function's Deferred is pending.

        @raise AssertionError: If the loop is not running.
        """
        if not self.running:
            raise AssertionError(
                f"Tried to reset a LoopingCall that was not running: {self!r}; start() it first"
            )
        call = self.call
        if call is not None:
            self.call = None
            call.cancel()
            self.starttime = self.clock.seconds()
            self._runAtStart = False
            self._lastCountTime = None
            self._scheduleFrom(self.starttime)

    def __call__(self) -> None:
        """
        Run the function once now and, if still running, schedule the next run.
        """
        self.call = None
        loopDeferred = self._deferred

        def ranOnce(result: object) -> None:
            if self.running and self._deferred is loopDeferred:
                self._scheduleFrom(self.clock.seconds())
                return
            if self._deferred is loopDeferred:
                self._deferred = None
            if loopDeferred is not None and not loopDeferred.called:
                loopDeferred.callback(self)

        def failed(failure: Failure) -> Failure | None:
            if self._deferred is loopDeferred:
                self.running = False
                self._deferred = None
            if loopDeferred is None:
                # Called directly, not by a started loop: nobody else will
                # see this failure, so leave it to be logged as unhandled.
                return failure
            if not loopDeferred.called:
                loopDeferred.errback(failure)
            return None

        d = maybeDeferred(self.f, *self.a, **self.kw)
        d.addCallback(ranOnce)
        d.addErrback(failed)

    def _scheduleFrom(self, when: float) -> None:
        interval = self.interval
        start = self.starttime
        assert interval is not None and start is not None, "only called while running"
        if interval == 0:
            delay = 0.0
        else:
            delay = interval - (when - start) % interval
            if when + delay == when:
                # Too small to move a float this large: wait a whole interval.
                delay = interval
        self.call = self.clock.callLater(delay, self)

    def __repr__(self) -> str:
        f = self.f
        name = getattr(f, "__qualname__", None) or repr(f)
        return f"LoopingCall<{self.interval!r}>({name}, *{self.a!r}, **{self.kw!r})"


@overload
def deferLater(clock: IReactorTime, delay: float) -> Deferred[None]: ...


@overload
def deferLater(
    clock: IReactorTime,
    delay: float,
    callable: Callable[_P, Deferred[_T]],
    *args: _P.args,
    **kw: _P.kwargs,
) -> Deferred[_T]: ...


@overload
def deferLater(
    clock: IReactorTime,
    delay: float,
    callable: Callable[_P, _T],
    *args: _P.args,
    **kw: _P.kwargs,
) -> Deferred[_T]: ...


def deferLater(
    clock: IReactorTime,
    delay: float,
    callable: Callable[..., Any] | None = None,
    *args: Any,
    **kw: Any,
) -> Deferred[Any]:
    """
    Call C{callable(*args, **kw)} after C{delay} seconds, with a Deferred for
    its result.

    Cancelling the Deferred before the time is up cancels the timer; the
    Deferred then fails with L{torsion.internet.defer.CancelledError}.

    @param clock: Where to schedule the call (a reactor or a Clock).
    @param delay: Seconds to wait.
    @param callable: The function to call, or L{None} to fire with L{None}.
    @return: A Deferred for the function's result (waited on if it is a
        Deferred); it fails if the function raises.
    """

    def cancelTimer(deferred: Deferred[Any]) -> None:
        delayedCall.cancel()

    def run(ignored: None) -> object:
        if callable is None:
            return None
        return callable(*args, **kw)

    d: Deferred[None] = Deferred(cancelTimer)
    delayedCall = clock.callLater(delay, d.callback, None)
    return d.addCallback(run)


__all__ = ["LoopingCall", "deferLater"]
