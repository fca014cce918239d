"""
Tests for L{torsion.logger.Logger}.
"""

import time
from typing import Any

import pytest

from torsion.logger import (
    InvalidLogLevelError,
    LogEvent,
    Logger,
    LogLevel,
    Operation,
    formatEvent,
    globalLogPublisher,
)
from torsion.python.failure import Failure, NoCurrentExceptionError


class Thing:
    """
    A class with a logger attribute.
    """

    log = Logger(observer=lambda event: None)


def test_defaultNamespace() -> None:
    """
    A logger's namespace defaults to the C{__name__} of the module that
    creates it.
    """
    assert Logger().namespace == __name__


def test_defaultObserver() -> None:
    """
    A logger without an observer emits to the global publisher.
    """
    assert Logger().observer is globalLogPublisher


def test_repr() -> None:
    """
    A logger's repr shows its namespace.
    """
    assert repr(Logger("a.b")) == "<Logger 'a.b'>"


def test_emitEventKeys() -> None:
    """
    C{emit} sends one event holding the keyword arguments and the log_*
    keys describing the logger, level, format and time.
    """
    events: list[LogEvent] = []
    source = object()
    log = Logger("my.space", source, events.append)
    before = time.time()
    log.emit(LogLevel.warn, "Hello {who}", who="you")
    after = time.time()
    [event] = events
    assert event.pop("log_time") == pytest.approx((before + after) / 2, abs=after - before)
    assert event == {
        "who": "you",
        "log_logger": log,
        "log_level": LogLevel.warn,
        "log_namespace": "my.space",
        "log_source": source,
        "log_format": "Hello {who}",
    }


def test_emitWithoutFormat() -> None:
    """
    An event emitted without a format has C{log_format} L{None}.
    """
    events: list[LogEvent] = []
    Logger(observer=events.append).info(count=3)
    assert events[0]["log_format"] is None
    assert events[0]["count"] == 3


@pytest.mark.parametrize("level", list(LogLevel))
def test_levelMethods(level: LogLevel) -> None:
    """
    Each level method emits an event at its own level with the given
    format and fields.
    """
    events: list[LogEvent] = []
    log = Logger(observer=events.append)
    getattr(log, level.name)("x={x}", x=1)
    assert [(e["log_level"], e["log_format"], e["x"]) for e in events] == [(level, "x={x}", 1)]


def test_systemKeysWin() -> None:
    """
    Keyword arguments cannot forge the keys the logger sets itself.
    """
    events: list[LogEvent] = []
    Logger("real", observer=events.append).info(log_namespace="fake", log_level="bogus")
    assert events[0]["log_namespace"] == "real"
    assert events[0]["log_level"] is LogLevel.info


def test_emitDoesNotFormat() -> None:
    """
    Emitting does not render the message: a field whose formatting would
    raise does not make C{emit} raise.
    """

    class Unformattable:
        def __format__(self, spec: str) -> str:
            raise RuntimeError("do not format me")

    events: list[LogEvent] = []
    Logger(observer=events.append).info("{x}", x=Unformattable())
    assert len(events) == 1


def test_invalidLevel() -> None:
    """
    Emitting at an invalid level does not raise: it emits a critical event
    carrying an L{InvalidLogLevelError} failure instead of the event.
    """
    events: list[LogEvent] = []
    log = Logger("ns", observer=events.append)
    log.emit("loud", "Hello {x}", x=1)  # type: ignore[arg-type]
    [event] = events
    assert event["log_level"] is LogLevel.critical
    assert event["invalidLevel"] == "loud"
    assert event["invalidFormat"] == "Hello {x}"
    assert event["logger"] is log
    assert "x" not in event
    failure = event["log_failure"]
    assert isinstance(failure, Failure)
    assert isinstance(failure.value, InvalidLogLevelError)
    assert failure.value.level == "loud"


def test_failureFromCurrentException() -> None:
    """
    C{failure} inside an C{except} block logs the exception being handled
    as C{log_failure}, at level critical by default.
    """
    events: list[LogEvent] = []
    log = Logger(observer=events.append)
    error = ValueError("bad")
    try:
        raise error
    except ValueError:
        log.failure("It broke: {why}", why="reasons")
    [event] = events
    assert event["log_failure"].value is error
    assert event["log_level"] is LogLevel.critical
    assert event["log_format"] == "It broke: {why}"
    assert event["why"] == "reasons"


def test_failureExplicit() -> None:
    """
    C{failure} logs a given failure at a given level.
    """
    events: list[LogEvent] = []
    failure = Failure(KeyError("k"))
    Logger(observer=events.append).failure("Oops", failure, LogLevel.warn)
    assert events[0]["log_failure"] is failure
    assert events[0]["log_level"] is LogLevel.warn


def test_failureWithKeywordFailure() -> None:
    """
    C{failure=} can be passed by keyword, as Deferred code does.
    """
    events: list[LogEvent] = []
    failure = Failure(KeyError("k"))
    Logger(observer=events.append).failure("Unhandled error in Deferred:", failure=failure)
    assert events[0]["log_failure"] is failure


def test_failureWithoutException() -> None:
    """
    C{failure} without a failure, outside an C{except} block, raises.
    """
    events: list[LogEvent] = []
    with pytest.raises(NoCurrentExceptionError):
        Logger(observer=events.append).failure("Nothing happened")
    assert events == []


def test_throughClass() -> None:
    """
    A logger read through its class is named C{module.Class} and has the
    class as source.
    """
    log = Thing.log
    assert log.namespace == f"{__name__}.Thing"
    assert log.source is Thing


def test_throughInstance() -> None:
    """
    A logger read through an instance is named C{module.Class}, has the
    instance as source, and events carry both.
    """
    events: list[LogEvent] = []

    class Widget:
        log = Logger(observer=events.append)

    widget = Widget()
    widget.log.info("hi")
    assert widget.log.source is widget
    assert events[0]["log_namespace"] == f"{__name__}.Widget"
    assert events[0]["log_source"] is widget


def test_sharesObserver() -> None:
    """
    A logger read through a class or instance uses the original's observer.
    """
    original: Any = Thing.__dict__["log"]
    assert Thing().log.observer is original.observer
    assert Thing.log.observer is original.observer


def test_subclass() -> None:
    """
    Through a subclass, the logger is named after the subclass.
    """

    class Sub(Thing):
        pass

    assert Sub.log.namespace == f"{__name__}.Sub"
    assert Sub().log.namespace == f"{__name__}.Sub"


def test_failuresHandledSuccess() -> None:
    """
    A block that completes leaves its operation succeeded, and logs nothing.
    """
    events: list[LogEvent] = []
    log = Logger("ns", observer=events.append)
    with log.failuresHandled("While {x}:", x=1) as op:
        assert isinstance(op, Operation)
        assert (op.succeeded, op.failed, op.failure) == (False, False, None)
        assert repr(op) == "<Operation running>"
    assert (op.succeeded, op.failed, op.failure) == (True, False, None)
    assert repr(op) == "<Operation succeeded>"
    assert events == []


def test_failuresHandledFailure() -> None:
    """
    An exception in the block is logged as a failure event with the
    format, fields and level given, and does not propagate.
    """
    events: list[LogEvent] = []
    log = Logger("ns", observer=events.append)
    with log.failuresHandled("While frobbing {knob}:", LogLevel.error, knob="k") as op:
        raise ValueError("bad knob")
    assert (op.succeeded, op.failed) == (False, True)
    assert repr(op) == "<Operation failed>"
    assert op.failure is not None
    assert op.failure.check(ValueError) is ValueError
    [event] = events
    assert event["log_failure"] is op.failure
    assert event["log_level"] is LogLevel.error
    assert formatEvent(event) == "While frobbing k:"
    assert "raise ValueError" in op.failure.getTraceback()


def test_failuresHandledDefaultLevel() -> None:
    """
    By default the failure event is critical.
    """
    events: list[LogEvent] = []
    with Logger("ns", observer=events.append).failuresHandled("x"):
        raise ValueError()
    assert events[0]["log_level"] is LogLevel.critical


@pytest.mark.parametrize("exception", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_failuresHandledLetsExitsThrough(exception: type[BaseException]) -> None:
    """
    Exceptions that are not L{Exception}s (Ctrl-C, exit) propagate and
    are not logged.
    """
    events: list[LogEvent] = []
    log = Logger("ns", observer=events.append)
    handler = log.failureHandler("x")
    with pytest.raises(exception), log.failuresHandled("x") as op:
        raise exception()
    with pytest.raises(exception), handler:
        raise exception()
    assert events == []
    assert (op.succeeded, op.failed) == (False, False)


def test_failureHandlerReusable() -> None:
    """
    One failure handler logs and swallows the exception of each block it
    guards, with its static message and level, and lets successful blocks
    run.
    """
    events: list[LogEvent] = []
    ignoringErrors = Logger("ns", observer=events.append).failureHandler("while frobbing:")
    ran = []
    for n in range(3):
        with ignoringErrors as nothing:
            assert nothing is None
            ran.append(n)
            if n != 1:
                raise KeyError(n)
    assert ran == [0, 1, 2]
    assert [formatEvent(e) for e in events] == ["while frobbing:"] * 2
    assert [e["log_failure"].value.args for e in events] == [(0,), (2,)]
    assert {e["log_level"] for e in events} == {LogLevel.critical}
    with Logger("ns", observer=events.append).failureHandler("m", LogLevel.warn):
        raise KeyError(3)
    assert events[-1]["log_level"] is LogLevel.warn
