# Bandwidth and connection-count throttling for any factory.
#
# How it works
# ------------
# ThrottlingFactory wraps each connection in a ThrottlingProtocol, which
# counts the bytes it reads and writes into the factory's per-second
# totals.  While at least one connection is open and a limit is set, the
# factory checks the totals once a second (on the clock it was given, or the
# global reactor).  If more than `readLimit` bytes were read in that second,
# every connection stops reading for (read / readLimit - 1) seconds, so that
# over the second and the pause together the rate comes down to the limit;
# writes work the same way with `writeLimit`.  A connection made while
# reads or writes are throttled starts throttled.
#
# Throttling reads pauses the transport (it stops reading from the socket,
# so the peer is pushed back by TCP).  Throttling writes can only slow down
# a producer: as in Twisted, a connection without a registered producer is
# never held back on writes; with one, the producer is paused.
#
# Pauses from several sources must not undo each other: the application may
# pause its own transport (a proxy does, while its other side is slow), and
# the transport pauses the registered producer when its buffer is full.  So
# the wrapper keeps one flag per source and the transport reads only while
# no source wants it paused (Twisted's wrapper resumes a transport the
# application had paused when a throttle ends).  The producer is registered
# with the transport behind a _ThrottledProducer that does the same for it:
# a push producer runs while neither the transport nor the throttle holds
# it; a pull producer's requests for more data are held back while writes
# are throttled and replayed when they are not.
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, cast

from zope.interface import implementer

from torsion.internet._errors import AlreadyCalled, AlreadyCancelled
from torsion.internet._factory import Factory
from torsion.internet._ireactor import IDelayedCall, IReactorTime
from torsion.internet._itransport import IAddress, IProducer, IPushProducer
from torsion.logger import Logger
from torsion.protocols._policieswrapper import ProtocolWrapper, WrappingFactory

_log = Logger()


def _defaultClock() -> IReactorTime:
    from torsion.internet import reactor

    return cast(IReactorTime, reactor)


def _cancel(call: IDelayedCall | None) -> None:
    if call is not None:
        try:
            call.cancel()
        except (AlreadyCalled, AlreadyCancelled):
            pass


@implementer(IPushProducer)
class _ThrottledProducer:
    """
    Registered with the transport in place of the application's producer,
    so that the transport's flow control and write throttling combine.
    """

    def __init__(self, producer: Any, streaming: bool) -> None:
        self.producer = producer
        self.streaming = streaming
        self.transportPaused = False
        self.throttled = False
        self.wanted = False

    def _running(self) -> bool:
        return not (self.transportPaused or self.throttled)

    def _update(self, wasRunning: bool) -> None:
        running = self._running()
        if running == wasRunning:
            return
        if self.streaming:
            if running:
                self.producer.resumeProducing()
            else:
                self.producer.pauseProducing()
        elif running and self.wanted:
            self.wanted = False
            self.producer.resumeProducing()

    def setThrottled(self, throttled: bool) -> None:
        wasRunning = self._running()
        self.throttled = throttled
        self._update(wasRunning)

    def pauseProducing(self) -> None:
        # The transport's buffer is full (push producers only).
        wasRunning = self._running()
        self.transportPaused = True
        self._update(wasRunning)

    def resumeProducing(self) -> None:
        if not self.streaming:
            # A pull producer is asked for one more chunk: hold the request
            # while writes are throttled.
            if self.throttled:
                self.wanted = True
            else:
                self.producer.resumeProducing()
            return
        wasRunning = self._running()
        self.transportPaused = False
        self._update(wasRunning)

    def stopProducing(self) -> None:
        self.producer.stopProducing()


class ThrottlingProtocol(ProtocolWrapper):
    """
    A L{ProtocolWrapper} that counts traffic for a L{ThrottlingFactory} and
    pauses when it says so.

    @ivar producer: The producer the wrapped protocol registered, if any.
    """

    factory: ThrottlingFactory
    producer: Any = None
    _throttledProducer: _ThrottledProducer | None = None
    _appPaused = False
    _readsThrottled = False
    _readingPaused = False

    def write(self, data: bytes) -> None:
        """
        Count C{data} as written, then write it.

        @param data: The bytes.
        """
        self.factory.registerWritten(len(data))
        super().write(data)

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Count C{data} as written, then write it.

        @param data: The byte strings.
        """
        self.factory.registerWritten(sum(len(chunk) for chunk in data))
        super().writeSequence(data)

    def dataReceived(self, data: bytes) -> None:
        """
        Count C{data} as read, then pass it on.

        @param data: The bytes.
        """
        self.factory.registerRead(len(data))
        super().dataReceived(data)

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Register C{producer} with the transport, so that throttling writes
        can pause it.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        """
        gate = _ThrottledProducer(producer, streaming)
        gate.throttled = self.factory._writesThrottled
        if streaming and gate.throttled:
            cast(IPushProducer, producer).pauseProducing()
        self.transport.registerProducer(gate, streaming)
        self.producer = producer
        self._throttledProducer = gate

    def unregisterProducer(self) -> None:
        """
        Unregister the producer from the transport.
        """
        self.transport.unregisterProducer()
        self.producer = None
        self._throttledProducer = None

    # The wrapped protocol pausing its own transport.

    def pauseProducing(self) -> None:
        """
        Stop reading (as asked by the wrapped protocol, or by a consumer this
        transport is registered with), whatever the throttle says.
        """
        self._appPaused = True
        self._updateReading()

    def resumeProducing(self) -> None:
        """
        Read again, unless reads are throttled: then once they no longer are.
        """
        self._appPaused = False
        self._updateReading()

    def _updateReading(self) -> None:
        paused = self._appPaused or self._readsThrottled
        if paused == self._readingPaused or self.transport is None:
            return
        self._readingPaused = paused
        if paused:
            self.transport.pauseProducing()
        else:
            self.transport.resumeProducing()

    # The factory's throttle.

    def throttleReads(self) -> None:
        """
        Stop reading until L{unthrottleReads}.
        """
        self._readsThrottled = True
        self._updateReading()

    def unthrottleReads(self) -> None:
        """
        Read again (unless the wrapped protocol paused the transport).
        """
        self._readsThrottled = False
        self._updateReading()

    def throttleWrites(self) -> None:
        """
        Pause the registered producer, if any, until L{unthrottleWrites}.
        """
        if self._throttledProducer is not None:
            self._throttledProducer.setThrottled(True)

    def unthrottleWrites(self) -> None:
        """
        Let the registered producer, if any, produce again.
        """
        if self._throttledProducer is not None:
            self._throttledProducer.setThrottled(False)


class ThrottlingFactory(WrappingFactory):
    """
    Limits how many connections a factory serves at once, and how many
    bytes per second they read and write together.

    Write bandwidth is only limited for connections that register a
    producer (see L{ThrottlingProtocol.throttleWrites}).

    @ivar maxConnectionCount: The most connections at once; more are
        refused.
    @ivar readLimit: Bytes per second all connections may read together, or
        L{None} for no limit.
    @ivar writeLimit: Bytes per second all connections may write together,
        or L{None} for no limit.
    @ivar connectionCount: How many connections are open.
    @ivar readThisSecond: Bytes read since the last check.
    @ivar writtenThisSecond: Bytes written since the last check.
    @ivar clock: What schedules the checks; L{None} means the global
        reactor.
    """

    protocol: Callable[..., ThrottlingProtocol] = ThrottlingProtocol

    def __init__(
        self,
        wrappedFactory: Factory[Any],
        maxConnectionCount: int = sys.maxsize,
        readLimit: float | None = None,
        writeLimit: float | None = None,
        *,
        clock: IReactorTime | None = None,
    ) -> None:
        """
        @param wrappedFactory: The factory to throttle.
        @param maxConnectionCount: The most connections at once.
        @param readLimit: Bytes per second to read at most, or L{None}.
        @param writeLimit: Bytes per second to write at most, or L{None}.
        @param clock: What schedules the once-a-second checks (a
            L{torsion.internet.task.Clock} in tests); the global reactor by
            default.
        @raise ValueError: If a limit is not a positive number.
        """
        super().__init__(wrappedFactory)
        for name, limit in (("readLimit", readLimit), ("writeLimit", writeLimit)):
            if limit is not None and not limit > 0:
                raise ValueError(
                    f"ThrottlingFactory {name} must be a number of bytes per second "
                    f"greater than 0, or None for no limit, not {limit!r}"
                )
        if maxConnectionCount < 0:
            raise ValueError(
                "ThrottlingFactory maxConnectionCount must be 0 or more, "
                f"not {maxConnectionCount!r}"
            )
        self.connectionCount = 0
        self.maxConnectionCount = maxConnectionCount
        self.readLimit = readLimit
        self.writeLimit = writeLimit
        self.readThisSecond = 0
        self.writtenThisSecond = 0
        self.clock = clock
        self.unthrottleReadsID: IDelayedCall | None = None
        self.checkReadBandwidthID: IDelayedCall | None = None
        self.unthrottleWritesID: IDelayedCall | None = None
        self.checkWriteBandwidthID: IDelayedCall | None = None
        self._readsThrottled = False
        self._writesThrottled = False

    def callLater(
        self, period: float, func: Callable[..., object], /, *args: object, **kw: object
    ) -> IDelayedCall:
        """
        Schedule C{func} on L{clock} (the global reactor if it is L{None}).

        @param period: Seconds from now.
        @param func: What to call.
        @param args: Positional arguments for C{func}.
        @param kw: Keyword arguments for C{func}.
        @return: The delayed call.
        """
        clock = self.clock if self.clock is not None else _defaultClock()
        return clock.callLater(period, func, *args, **kw)

    def registerWritten(self, length: int) -> None:
        """
        Count C{length} bytes as written this second.

        @param length: How many bytes.
        """
        self.writtenThisSecond += length

    def registerRead(self, length: int) -> None:
        """
        Count C{length} bytes as read this second.

        @param length: How many bytes.
        """
        self.readThisSecond += length

    def checkReadBandwidth(self) -> None:
        """
        Throttle reads if more than L{readLimit} bytes were read in the
        second just ended, then check again in a second.
        """
        assert self.readLimit is not None
        if self.readThisSecond > self.readLimit:
            self.throttleReads()
            pause = self.readThisSecond / self.readLimit - 1.0
            _cancel(self.unthrottleReadsID)
            self.unthrottleReadsID = self.callLater(pause, self.unthrottleReads)
        self.readThisSecond = 0
        self.checkReadBandwidthID = self.callLater(1, self.checkReadBandwidth)

    def checkWriteBandwidth(self) -> None:
        """
        Throttle writes if more than L{writeLimit} bytes were written in the
        second just ended, then check again in a second.
        """
        assert self.writeLimit is not None
        if self.writtenThisSecond > self.writeLimit:
            self.throttleWrites()
            pause = self.writtenThisSecond / self.writeLimit - 1.0
            _cancel(self.unthrottleWritesID)
            self.unthrottleWritesID = self.callLater(pause, self.unthrottleWrites)
        self.writtenThisSecond = 0
        self.checkWriteBandwidthID = self.callLater(1, self.checkWriteBandwidth)

    def throttleReads(self) -> None:
        """
        Stop every connection reading.
        """
        _log.debug("Throttling reads on {factory!r}", factory=self)
        self._readsThrottled = True
        for p in list(self.protocols):
            cast(ThrottlingProtocol, p).throttleReads()

    def unthrottleReads(self) -> None:
        """
        Let every connection read again.
        """
        self.unthrottleReadsID = None
        _log.debug("Stopped throttling reads on {factory!r}", factory=self)
        self._readsThrottled = False
        for p in list(self.protocols):
            cast(ThrottlingProtocol, p).unthrottleReads()

    def throttleWrites(self) -> None:
        """
        Pause every connection's producer.
        """
        _log.debug("Throttling writes on {factory!r}", factory=self)
        self._writesThrottled = True
        for p in list(self.protocols):
            cast(ThrottlingProtocol, p).throttleWrites()

    def unthrottleWrites(self) -> None:
        """
        Let every connection's producer produce again.
        """
        self.unthrottleWritesID = None
        _log.debug("Stopped throttling writes on {factory!r}", factory=self)
        self._writesThrottled = False
        for p in list(self.protocols):
            cast(ThrottlingProtocol, p).unthrottleWrites()

    def buildProtocol(self, addr: IAddress | None) -> ThrottlingProtocol | None:
        """
        Wrap a new connection, unless L{maxConnectionCount} are open.

        The first connection starts the bandwidth checks.

        @param addr: The peer's address.
        @return: The wrapper, or L{None} to refuse the connection.
        """
        if self.connectionCount >= self.maxConnectionCount:
            _log.info(
                "Max connection count reached! ({count} of {max}): refusing {addr}",
                count=self.connectionCount,
                max=self.maxConnectionCount,
                addr=addr,
            )
            return None
        p = super().buildProtocol(addr)
        if p is None:
            return None
        if self.connectionCount == 0:
            self._startChecks()
        self.connectionCount += 1
        return cast(ThrottlingProtocol, p)

    def registerProtocol(self, p: ProtocolWrapper) -> None:
        """
        Record a connected wrapper; it starts throttled if the others are.

        @param p: The wrapper.
        """
        super().registerProtocol(p)
        if self._readsThrottled:
            cast(ThrottlingProtocol, p).throttleReads()

    def unregisterProtocol(self, p: ProtocolWrapper) -> None:
        """
        Forget a closed connection; the last one stops the checks.

        @param p: The wrapper.
        """
        super().unregisterProtocol(p)
        self.connectionCount -= 1
        if self.connectionCount <= 0:
            self.connectionCount = 0
            self._stopChecks()

    def _startChecks(self) -> None:
        if self.readLimit is not None:
            self.checkReadBandwidth()
        if self.writeLimit is not None:
            self.checkWriteBandwidth()

    def _stopChecks(self) -> None:
        for name in (
            "checkReadBandwidthID",
            "unthrottleReadsID",
            "checkWriteBandwidthID",
            "unthrottleWritesID",
        ):
            _cancel(getattr(self, name))
            setattr(self, name, None)
        self._readsThrottled = False
        self._writesThrottled = False
        self.readThisSecond = 0
        self.writtenThisSecond = 0


__all__ = ["ThrottlingFactory", "ThrottlingProtocol"]
