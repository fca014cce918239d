"""
Tests for L{torsion.logger.LimitedHistoryLogObserver}.
"""

import pytest
from zope.interface.verify import verifyObject

from torsion.logger import ILogObserver, LimitedHistoryLogObserver, LogEvent


def replayed(buffer: LimitedHistoryLogObserver) -> list[object]:
    """
    Replay a buffer and return the C{n} of each event.
    """
    events: list[LogEvent] = []
    buffer.replayTo(events.append)
    return [event["n"] for event in events]


def test_interface() -> None:
    """
    L{LimitedHistoryLogObserver} provides L{ILogObserver}.
    """
    assert verifyObject(ILogObserver, LimitedHistoryLogObserver())


def test_replayInOrder() -> None:
    """
    Events are replayed oldest first, and stay in the buffer.
    """
    buffer = LimitedHistoryLogObserver(10)
    for n in range(3):
        buffer({"n": n})
    assert replayed(buffer) == [0, 1, 2]
    assert replayed(buffer) == [0, 1, 2]


def test_sameEventObjects() -> None:
    """
    The replayed events are the very dicts that were observed.
    """
    buffer = LimitedHistoryLogObserver()
    event: LogEvent = {"n": 1}
    buffer(event)
    events: list[LogEvent] = []
    buffer.replayTo(events.append)
    assert events[0] is event


def test_bounded() -> None:
    """
    Only the most recent C{size} events are kept.
    """
    buffer = LimitedHistoryLogObserver(3)
    for n in range(10):
        buffer({"n": n})
    assert replayed(buffer) == [7, 8, 9]


def test_defaultSize() -> None:
    """
    By default the last 65536 events are kept.
    """
    buffer = LimitedHistoryLogObserver()
    for n in range(2**16 + 5):
        buffer({"n": n})
    kept = replayed(buffer)
    assert (len(kept), kept[0]) == (2**16, 5)


def test_unbounded() -> None:
    """
    A size of L{None} keeps everything; a size of 0 keeps nothing.
    """
    everything = LimitedHistoryLogObserver(None)
    nothing = LimitedHistoryLogObserver(0)
    for n in range(100):
        everything({"n": n})
        nothing({"n": n})
    assert replayed(everything) == list(range(100))
    assert replayed(nothing) == []


def test_negativeSize() -> None:
    """
    A negative size is refused.
    """
    with pytest.raises(ValueError, match=r"^LimitedHistoryLogObserver size must be >= 0"):
        LimitedHistoryLogObserver(-1)


def test_replayToItself() -> None:
    """
    Replaying a buffer into itself terminates: events added during a
    replay are not part of it.
    """
    buffer = LimitedHistoryLogObserver(None)
    buffer({"n": 1})
    buffer.replayTo(buffer)
    assert replayed(buffer) == [1, 1]
