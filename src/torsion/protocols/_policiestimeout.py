# Idle timeouts: drop a connection that has been quiet for too long.
#
# How it works
# ------------
# TimeoutMixin is mixed into a protocol.  setTimeout(period) schedules one
# delayed call `period` seconds ahead; setTimeout(None) cancels it.
# resetTimeout() only notes the time of the activity, when callLater is a
# clock's method (the reactor's or a Clock's): when the call runs and there
# was activity since it was armed, it re-arms itself for the time left.  So
# activity — often several times per message — costs no change to the
# reactor's schedule.  With any other callLater, resetTimeout pushes the call
# back at once (DelayedCall.reset).  The protocol decides what
# counts as activity by calling resetTimeout, typically in dataReceived.  If
# the call runs, the protocol's timeoutConnection() is called, which by
# default closes the transport.  The call is forgotten before
# timeoutConnection runs, so timeoutConnection may set a new timeout.
#
# The delayed call is made by the protocol's callLater attribute, which is
# the global reactor's callLater; a test (or a protocol given a reactor)
# replaces it, as with Twisted: `protocol.callLater = clock.callLater`.  It
# is a class attribute holding a function, not a method, so that this
# assignment type-checks.
#
# TimeoutProtocol / TimeoutFactory do the same from the outside, for
# protocols that do not use the mixin: the wrapper counts any read or write
# as activity.  The factory's callLater uses the clock it was given.
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from torsion.internet._errors import AlreadyCalled, AlreadyCancelled
from torsion.internet._factory import Factory
from torsion.internet._ireactor import IDelayedCall, IReactorTime
from torsion.internet._itransport import IAddress, IProtocol
from torsion.internet._protocol import connectionDone
from torsion.protocols._policieswrapper import ProtocolWrapper, WrappingFactory
from torsion.python.failure import Failure


def _globalClock() -> IReactorTime:
    from torsion.internet import reactor

    return cast(IReactorTime, reactor)


def _globalCallLater(
    delay: float, callable: Callable[..., object], *args: object, **kw: object
) -> IDelayedCall:
    return _globalClock().callLater(delay, callable, *args, **kw)


def _checkPeriod(where: str, period: object) -> None:
    if period is None:
        return
    if isinstance(period, bool) or not isinstance(period, int | float) or not period >= 0:
        raise ValueError(
            f"{where} takes a number of seconds (0 or more), or None for no timeout, not {period!r}"
        )


class TimeoutMixin:
    """
    Mix into a protocol to close connections that stay idle for too long.

    Call L{setTimeout} (in C{connectionMade}, say) to start the timer and
    L{resetTimeout} whenever something happens that counts as activity
    (usually in C{dataReceived}).  After L{timeOut} quiet seconds,
    L{timeoutConnection} is called; by default it closes the transport.

    @ivar timeOut: The idle period in seconds, or L{None} when no timeout is
        set.
    @ivar callLater: Schedules the timeout, as C{IReactorTime.callLater}
        does: the global reactor's by default.  Tests set it to a clock's,
        C{protocol.callLater = clock.callLater}, as with Twisted.
    """

    timeOut: float | None = None
    callLater: Callable[..., IDelayedCall] = staticmethod(_globalCallLater)
    _timeoutMixinCall: IDelayedCall | None = None
    _timeoutActivity: float | None = None
    _timeoutCallLater: Any = None
    _timeoutSeconds: Any = None

    def resetTimeout(self) -> None:
        """
        Restart the timer: the connection may now be idle for L{timeOut}
        seconds from now.  Does nothing when no timeout is set.
        """
        call = self._timeoutMixinCall
        if self.timeOut is None or call is None:
            return
        callLater = self.callLater
        if callLater is not self._timeoutCallLater:
            # The clock callLater schedules on tells the time; a callLater
            # that is no clock's method gets eager resets.
            self._timeoutCallLater = callLater
            self._timeoutSeconds = getattr(getattr(callLater, "__self__", None), "seconds", None)
        seconds = self._timeoutSeconds
        if seconds is not None:
            self._timeoutActivity = seconds()
            return
        try:
            call.reset(self.timeOut)
        except (AlreadyCalled, AlreadyCancelled):
            self._timeoutMixinCall = None

    def setTimeout(self, period: float | None) -> float | None:
        """
        Set the idle timeout, starting the timer from now.

        @param period: Seconds of idleness to allow, or L{None} to turn the
            timeout off.
        @return: The previous timeout.
        @raise ValueError: If C{period} is negative or not a number.
        """
        _checkPeriod("setTimeout()", period)
        previous = self.timeOut
        self.timeOut = period
        self._timeoutActivity = None
        call = self._timeoutMixinCall
        if call is not None and not call.active():
            call = self._timeoutMixinCall = None
        if call is not None:
            if period is None:
                call.cancel()
                self._timeoutMixinCall = None
            else:
                call.reset(period)
        elif period is not None:
            self._timeoutMixinCall = self.callLater(period, self._timedOut)
        return previous

    def _timedOut(self) -> None:
        last, self._timeoutActivity = self._timeoutActivity, None
        timeOut = self.timeOut
        seconds = self._timeoutSeconds
        if last is not None and timeOut is not None and seconds is not None:
            left = last + timeOut - seconds()
            if left > 0:
                # Activity since the call was armed: not idle for timeOut
                # yet, so wait for the rest.
                self._timeoutMixinCall = self.callLater(left, self._timedOut)
                return
        self._timeoutMixinCall = None
        self.timeoutConnection()

    def timeoutConnection(self) -> None:
        """
        The connection has been idle for L{timeOut} seconds: close it.

        Override to do something else first (send a goodbye, log it).
        """
        transport: Any = getattr(self, "transport", None)
        if transport is not None:
            transport.loseConnection()


class TimeoutProtocol(ProtocolWrapper):
    """
    A L{ProtocolWrapper} that closes the connection after a period with no
    bytes read or written.

    @ivar timeoutPeriod: The idle period in seconds, or L{None}.
    @ivar timeoutCall: The pending timeout, if any.
    """

    factory: TimeoutFactory

    def __init__(
        self,
        factory: TimeoutFactory,
        wrappedProtocol: IProtocol,
        timeoutPeriod: float | None,
    ) -> None:
        """
        @param factory: The factory; its C{callLater} schedules the timeout.
        @param wrappedProtocol: The protocol to wrap.
        @param timeoutPeriod: Seconds of idleness to allow, or L{None}.
        """
        super().__init__(factory, wrappedProtocol)
        self.timeoutCall: IDelayedCall | None = None
        self.timeoutPeriod: float | None = None
        self.setTimeout(timeoutPeriod)

    def setTimeout(self, timeoutPeriod: float | None = None) -> None:
        """
        Set the idle period, starting the timer from now.

        @param timeoutPeriod: Seconds, or L{None} for no timeout.
        @raise ValueError: If C{timeoutPeriod} is negative or not a number.
        """
        _checkPeriod("TimeoutProtocol.setTimeout()", timeoutPeriod)
        self.cancelTimeout()
        self.timeoutPeriod = timeoutPeriod
        if timeoutPeriod is not None:
            self.timeoutCall = self.factory.callLater(timeoutPeriod, self.timeoutFunc)

    def cancelTimeout(self) -> None:
        """
        Turn the timeout off.
        """
        self.timeoutPeriod = None
        call, self.timeoutCall = self.timeoutCall, None
        if call is not None:
            try:
                call.cancel()
            except (AlreadyCalled, AlreadyCancelled):
                pass

    def resetTimeout(self) -> None:
        """
        Restart the timer from now, if a timeout is set.
        """
        if self.timeoutCall is not None and self.timeoutPeriod is not None:
            self.timeoutCall.reset(self.timeoutPeriod)

    def write(self, data: bytes) -> None:
        """
        Write C{data}; counts as activity.

        @param data: The bytes.
        """
        self.resetTimeout()
        super().write(data)

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Write C{data}; counts as activity.

        @param data: The byte strings.
        """
        self.resetTimeout()
        super().writeSequence(data)

    def dataReceived(self, data: bytes) -> None:
        """
        Pass C{data} on; counts as activity.

        @param data: The bytes.
        """
        self.resetTimeout()
        super().dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Turn the timeout off, then pass the loss on.

        @param reason: Why the connection ended.
        """
        self.cancelTimeout()
        super().connectionLost(reason)

    def timeoutFunc(self) -> None:
        """
        The connection was idle for too long: close it.
        """
        self.timeoutCall = None
        self.loseConnection()


class TimeoutFactory(WrappingFactory):
    """
    Wraps each connection in a L{TimeoutProtocol}.

    @ivar timeoutPeriod: The idle period given to each connection.
    @ivar clock: What schedules the timeouts; L{None} means the global
        reactor.
    """

    protocol: Callable[..., TimeoutProtocol] = TimeoutProtocol

    def __init__(
        self,
        wrappedFactory: Factory[Any],
        timeoutPeriod: float | None = 30 * 60,
        *,
        clock: IReactorTime | None = None,
    ) -> None:
        """
        @param wrappedFactory: The factory to wrap.
        @param timeoutPeriod: Seconds of idleness to allow each connection.
        @param clock: What schedules the timeouts (a
            L{torsion.internet.task.Clock} in tests); the global reactor by
            default.
        @raise ValueError: If C{timeoutPeriod} is negative or not a number.
        """
        _checkPeriod("TimeoutFactory()", timeoutPeriod)
        super().__init__(wrappedFactory)
        self.timeoutPeriod = timeoutPeriod
        self.clock = clock

    def buildProtocol(self, addr: IAddress | None) -> TimeoutProtocol | None:
        """
        Wrap a new connection in a L{TimeoutProtocol}.

        @param addr: The peer's address.
        @return: The wrapper, or L{None} if the wrapped factory refused.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        return self.protocol(self, wrapped, timeoutPeriod=self.timeoutPeriod)

    def callLater(
        self, period: float, func: Callable[..., object], /, *args: object, **kw: object
    ) -> IDelayedCall:
        """
        Schedule C{func} on L{clock} (the global reactor if L{None}).

        @param period: Seconds from now.
        @param func: What to call.
        @param args: Positional arguments for C{func}.
        @param kw: Keyword arguments for C{func}.
        @return: The delayed call.
        """
        clock = self.clock if self.clock is not None else _globalClock()
        return clock.callLater(period, func, *args, **kw)


__all__ = ["TimeoutFactory", "TimeoutMixin", "TimeoutProtocol"]
