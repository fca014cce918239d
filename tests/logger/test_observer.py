"""
Tests for L{torsion.logger.LogPublisher}.
"""

import pytest
from zope.interface.verify import verifyObject

from torsion.logger import ILogObserver, LogEvent, LogLevel, LogPublisher, formatEvent


class Broken(Exception):
    """
    Raised by observers in these tests.
    """


def alwaysFails(event: LogEvent) -> None:
    """
    An observer that raises on every event.
    """
    raise Broken("always")


def test_interface() -> None:
    """
    L{LogPublisher} provides L{ILogObserver}.
    """
    assert verifyObject(ILogObserver, LogPublisher())


def test_deliversInOrder() -> None:
    """
    Events reach the initial and added observers, in that order.
    """
    seen: list[tuple[str, LogEvent]] = []
    publisher = LogPublisher(lambda e: seen.append(("a", e)), lambda e: seen.append(("b", e)))
    publisher.addObserver(lambda e: seen.append(("c", e)))
    event: LogEvent = {"n": 1}
    publisher(event)
    assert seen == [("a", event), ("b", event), ("c", event)]


def test_addTwice() -> None:
    """
    Adding the same observer twice delivers each event to it once.
    """
    events: list[LogEvent] = []
    publisher = LogPublisher()
    publisher.addObserver(events.append)
    publisher.addObserver(events.append)
    publisher({})
    assert len(events) == 1


def test_addNotCallable() -> None:
    """
    Adding something that is not callable raises L{TypeError} naming it.
    """
    publisher = LogPublisher()
    with pytest.raises(TypeError, match=r"^a log observer must be callable .*, not str 'x'$"):
        publisher.addObserver("x")  # type: ignore[arg-type]


def test_remove() -> None:
    """
    A removed observer gets no more events; removing an unknown observer
    does nothing.
    """
    events: list[LogEvent] = []
    publisher = LogPublisher(events.append)
    publisher.removeObserver(events.append)
    publisher.removeObserver(events.append)
    publisher({})
    assert events == []


def test_removeSelfDuringDelivery() -> None:
    """
    An observer that removes itself while handling an event does not make
    the publisher skip the next observer.
    """
    events: list[LogEvent] = []
    publisher = LogPublisher()

    def once(event: LogEvent) -> None:
        publisher.removeObserver(once)

    publisher.addObserver(once)
    publisher.addObserver(events.append)
    publisher({"n": 1})
    publisher({"n": 2})
    assert [e["n"] for e in events] == [1, 2]


def test_brokenObserverReported() -> None:
    """
    An observer that raises does not stop delivery to the others, which
    then get a critical event carrying the exception and the observer.
    """
    before: list[LogEvent] = []
    after: list[LogEvent] = []
    publisher = LogPublisher(before.append, alwaysFails, after.append)
    event: LogEvent = {"log_format": "original"}
    publisher(event)
    assert before[0] is event
    assert after[0] is event
    assert [len(before), len(after)] == [2, 2]
    report = after[1]
    assert report is before[1]
    assert report["log_level"] is LogLevel.critical
    assert report["log_namespace"] == "torsion.logger"
    assert report["log_source"] is publisher
    assert report["observer"] is alwaysFails
    assert isinstance(report["log_failure"].value, Broken)
    assert formatEvent(report) == (
        f"Log observer {alwaysFails!r} raised an exception; "
        "the other observers still received the event."
    )


def test_brokenObserverNotToldAboutItself() -> None:
    """
    The observer that raised does not receive the report of its own
    exception, so reporting cannot loop.
    """
    calls: list[LogEvent] = []

    def failsAndRecords(event: LogEvent) -> None:
        calls.append(event)
        raise Broken("again")

    publisher = LogPublisher(failsAndRecords)
    publisher({"n": 1})
    assert calls == [{"n": 1}]


def test_severalBrokenObservers() -> None:
    """
    Each observer that raises is reported once to the observers that did
    not.
    """

    def alsoFails(event: LogEvent) -> None:
        raise Broken("also")

    events: list[LogEvent] = []
    publisher = LogPublisher(alwaysFails, alsoFails, events.append)
    publisher({})
    assert [e.get("observer") for e in events] == [None, alwaysFails, alsoFails]


def test_observerFailingOnReports() -> None:
    """
    An observer that raises only on error reports is itself reported to
    the remaining observers, and the reporting stops there.
    """

    def failsOnReports(event: LogEvent) -> None:
        if "log_failure" in event:
            raise Broken("report")

    events: list[LogEvent] = []
    publisher = LogPublisher(alwaysFails, failsOnReports, events.append)
    publisher({})
    assert [e.get("observer") for e in events] == [None, alwaysFails, failsOnReports]
    assert str(events[2]["log_failure"].value) == "report"


def test_baseExceptionPropagates() -> None:
    """
    Exceptions that are not L{Exception}s, such as L{SystemExit}, are not
    swallowed.
    """

    def exits(event: LogEvent) -> None:
        raise SystemExit(3)

    publisher = LogPublisher(exits)
    with pytest.raises(SystemExit):
        publisher({})
