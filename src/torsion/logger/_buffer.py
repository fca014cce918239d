# LimitedHistoryLogObserver: a ring buffer of the most recent events.
#
# A deque with maxlen drops the oldest event in O(1) when full.  Events are
# kept as they are (not copied), so they keep alive whatever they refer to,
# including failures and their frames; that is why buffers should be bounded.

from __future__ import annotations

from collections import deque

from zope.interface import implementer

from torsion.logger._interfaces import ILogObserver, LogEvent, LogObserver


@implementer(ILogObserver)
class LimitedHistoryLogObserver:
    """
    An observer that keeps the most recent events, to replay them later.
    """

    def __init__(self, size: int | None = 2**16) -> None:
        """
        @param size: How many events to keep (older ones are dropped), or
            L{None} to keep every event.
        @raise ValueError: If C{size} is negative.
        """
        if size is not None and size < 0:
            raise ValueError(f"LimitedHistoryLogObserver size must be >= 0 or None, not {size}")
        self._buffer: deque[LogEvent] = deque(maxlen=size)

    def __call__(self, event: LogEvent) -> None:
        """
        Keep an event, dropping the oldest one if the buffer is full.

        @param event: The event.
        """
        self._buffer.append(event)

    def replayTo(self, otherObserver: LogObserver) -> None:
        """
        Give every kept event, oldest first, to another observer.

        The events stay in the buffer.

        @param otherObserver: The observer to give them to.
        """
        for event in list(self._buffer):
            otherObserver(event)
