# EventLoggingObserver: a log observer that keeps every event it sees, as a
# list, for tests that check what was logged.  createWithCleanup adds it to a
# publisher and registers its removal with the test's addCleanup, so that a
# test cannot leave it attached.
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from zope.interface import implementer

from torsion.logger import ILogObserver, LogEvent


class _Publisher(Protocol):
    """
    Where observers are added and removed, such as a L{LogPublisher}.
    """

    def addObserver(self, observer: Callable[[LogEvent], None]) -> None: ...

    def removeObserver(self, observer: Callable[[LogEvent], None]) -> None: ...


class _TestWithCleanups(Protocol):
    """
    A test that runs cleanups, such as a C{unittest.TestCase}.
    """

    def addCleanup(self, function: Callable[[], object], /) -> None: ...


@implementer(ILogObserver)
class EventLoggingObserver:
    """
    A log observer that keeps the events it receives, in order.

    It behaves as a read-only sequence: C{len(observer)},
    C{observer[0]}, C{for event in observer}.
    """

    def __init__(self) -> None:
        self._events: list[LogEvent] = []

    def __len__(self) -> int:
        """
        @return: How many events have been received.
        """
        return len(self._events)

    def __getitem__(self, index: int) -> LogEvent:
        """
        @param index: The event's position (negative counts from the end).
        @return: The event.
        @raise IndexError: If there is no event at C{index}.
        """
        return self._events[index]

    def __iter__(self) -> Iterator[LogEvent]:
        """
        @return: An iterator over the events, in order.
        """
        return iter(self._events)

    def __call__(self, event: LogEvent) -> None:
        """
        Keep C{event}.

        @param event: The event.
        """
        self._events.append(event)

    @classmethod
    def createWithCleanup(
        cls, testInstance: _TestWithCleanups, publisher: _Publisher
    ) -> EventLoggingObserver:
        """
        Make an observer, add it to C{publisher}, and have C{testInstance}
        remove it when the test ends.

        @param testInstance: The test (anything with C{addCleanup}).
        @param publisher: Where to observe, such as C{globalLogPublisher}.
        @return: The observer.
        """
        observer = cls()
        publisher.addObserver(observer)
        testInstance.addCleanup(lambda: publisher.removeObserver(observer))
        return observer


__all__ = ["EventLoggingObserver"]
