"""
Tests for L{torsion.logger.STDLibLogObserver} (torsion events to stdlib
C{logging}) and L{torsion.logger.STDLibLogHandler} (stdlib records to
torsion events).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from zope.interface.verify import verifyObject

from torsion.logger import (
    ILogObserver,
    LogEvent,
    Logger,
    LogLevel,
    LogPublisher,
    STDLibLogHandler,
    STDLibLogObserver,
    capturedLogs,
    formatEvent,
)
from torsion.python.failure import Failure


class Records(logging.Handler):
    """
    A stdlib handler that keeps the records it gets, and their text as a
    standard formatter renders it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        try:
            self.texts.append(self.format(record))
        except Exception:
            self.handleError(record)


@pytest.fixture
def stdlibLogger() -> Iterator[tuple[logging.Logger, Records]]:
    """
    A stdlib logger of its own, passing all levels, with a
    recording handler; all its handlers are removed afterwards.
    """
    logger = logging.getLogger("torsion-tests.stdlib")
    records = Records()
    logger.addHandler(records)
    logger.setLevel(1)
    yield logger, records
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)


class ObserverTests:
    """
    L{STDLibLogObserver}.
    """

    def test_interface(self) -> None:
        """
        L{STDLibLogObserver} provides L{ILogObserver}.
        """
        assert verifyObject(ILogObserver, STDLibLogObserver())

    def test_defaultName(self) -> None:
        """
        By default the records go to the stdlib logger C{"torsion"}.
        """
        assert STDLibLogObserver().logger is logging.getLogger("torsion")

    def test_levelsMapped(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        Each torsion level becomes the matching stdlib level; an event
        without a level becomes C{INFO}.
        """
        logger, records = stdlibLogger
        observer = STDLibLogObserver(logger.name)
        log = Logger("ns", observer=observer)
        for level in LogLevel.iterconstants():
            log.emit(level, "at {what.name}", what=level)
        observer({"log_format": "no level"})
        assert [(r.levelno, r.getMessage()) for r in records.records] == [
            (logging.DEBUG, "at debug"),
            (logging.INFO, "at info"),
            (logging.WARNING, "at warn"),
            (logging.ERROR, "at error"),
            (logging.CRITICAL, "at critical"),
            (logging.INFO, "no level"),
        ]
        assert {r.name for r in records.records} == {logger.name}

    def test_disabledLevelSkipped(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        Events below the stdlib logger's level make no record.
        """
        logger, records = stdlibLogger
        logger.setLevel(logging.WARNING)
        log = Logger("ns", observer=STDLibLogObserver(logger.name))
        log.info("quiet")
        log.warn("loud")
        assert [r.getMessage() for r in records.records] == ["loud"]

    def test_percentSignsKept(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        A rendered message containing C{%} is not %-formatted again.
        """
        logger, records = stdlibLogger
        Logger("ns", observer=STDLibLogObserver(logger.name)).info("{p}% done", p=50)
        assert records.texts == [f"INFO {logger.name}: 50% done"]

    def test_failureTraceback(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        A failure's traceback is the record's exception text, printed after
        the message by a standard formatter, and its exception is the
        record's C{exc_info}.
        """
        logger, records = stdlibLogger
        log = Logger("ns", observer=STDLibLogObserver(logger.name))
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError:
            failure = Failure()
            log.failure("Broke", failure, level=LogLevel.error)
        [record] = records.records
        assert record.levelno == logging.ERROR
        assert record.exc_info is not None
        assert record.exc_info[1] is failure.value
        assert record.exc_text == failure.getTraceback().rstrip("\n")
        [text] = records.texts
        assert text.startswith(f"ERROR {logger.name}: Broke\nTraceback (most recent call last):\n")
        assert text.endswith("\nZeroDivisionError: division by zero")

    def test_cleanedFailure(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        A failure without a live traceback still has its traceback text in
        the record.
        """
        logger, records = stdlibLogger
        try:
            raise ValueError("v")
        except ValueError:
            failure = Failure()
        failure.cleanFailure()
        STDLibLogObserver(logger.name)({"log_format": "x", "log_failure": failure})
        assert records.texts[0].endswith("\nValueError: v")
        assert "in test_cleanedFailure" in records.texts[0]

    def test_eventOnRecord(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        The record carries the event it was made from as C{torsionEvent}.
        """
        logger, records = stdlibLogger
        event: LogEvent = {"log_format": "x", "log_level": LogLevel.info}
        STDLibLogObserver(logger.name)(event)
        assert records.records[0].__dict__["torsionEvent"] is event

    def test_callerLocation(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        With the observer on the publisher a L{Logger} emits to, the record
        names the file, line and function that called the logger.
        """
        logger, records = stdlibLogger
        log = Logger("ns", observer=LogPublisher(STDLibLogObserver(logger.name)))
        log.info("here")
        [record] = records.records
        assert record.pathname == __file__
        assert record.funcName == "test_callerLocation"
        assert record.lineno == _lineOf('log.info("here")')

    def test_shallowStack(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        A stack depth beyond the stack names an unknown location.
        """
        logger, records = stdlibLogger
        STDLibLogObserver(logger.name, stackDepth=10_000)({"log_format": "x"})
        [record] = records.records
        assert (record.pathname, record.lineno, record.funcName) == (
            "(unknown file)",
            0,
            "(unknown function)",
        )


def _lineOf(text: str) -> int:
    """
    The line number of the first line of this file containing C{text}
    (other than this call's own).
    """
    with open(__file__, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if text in line and "_lineOf(" not in line:
                return number
    raise AssertionError(f"no line contains {text!r}")


class HandlerTests:
    """
    L{STDLibLogHandler}.
    """

    def test_recordBecomesEvent(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        A stdlib warning becomes a C{warn} event in the logger's namespace,
        with its %-formatted message and creation time.
        """
        logger, _ = stdlibLogger
        events: list[LogEvent] = []
        logger.addHandler(STDLibLogHandler(events.append))
        logger.warning("disk %s is %d%% full", "sda", 91)
        [event] = events
        assert event["log_level"] is LogLevel.warn
        assert event["log_namespace"] == logger.name
        assert formatEvent(event) == "disk sda is 91% full"
        assert event["log_text"] == "disk sda is 91% full"
        assert event["log_stdlib_levelno"] == logging.WARNING
        assert isinstance(event["log_time"], float)
        assert "log_failure" not in event

    @pytest.mark.parametrize(
        ("levelno", "level"),
        [
            (1, LogLevel.debug),
            (logging.DEBUG, LogLevel.debug),
            (logging.INFO, LogLevel.info),
            (25, LogLevel.info),
            (logging.WARNING, LogLevel.warn),
            (logging.ERROR, LogLevel.error),
            (45, LogLevel.error),
            (logging.CRITICAL, LogLevel.critical),
            (99, LogLevel.critical),
        ],
    )
    def test_levelsMapped(
        self, stdlibLogger: tuple[logging.Logger, Records], levelno: int, level: LogLevel
    ) -> None:
        """
        Stdlib levels, custom ones included, map down to the nearest
        torsion level.
        """
        logger, _ = stdlibLogger
        events: list[LogEvent] = []
        logger.addHandler(STDLibLogHandler(events.append))
        logger.log(levelno, "m")
        assert [e["log_level"] for e in events] == [level]

    def test_exceptionBecomesFailure(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        C{logger.exception()} gives an event whose C{log_failure} is the
        exception, with its traceback.
        """
        logger, _ = stdlibLogger
        events: list[LogEvent] = []
        logger.addHandler(STDLibLogHandler(events.append))
        table: dict[str, int] = {}
        try:
            table["k"]
        except KeyError:
            logger.exception("lookup failed")
        [event] = events
        assert event["log_level"] is LogLevel.error
        failure = event["log_failure"]
        assert isinstance(failure, Failure)
        assert failure.check(KeyError) is KeyError
        assert "in test_exceptionBecomesFailure" in failure.getTraceback()

    def test_stackInfo(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        A record's stack information follows its message.
        """
        logger, _ = stdlibLogger
        events: list[LogEvent] = []
        logger.addHandler(STDLibLogHandler(events.append))
        logger.info("where", stack_info=True)
        text = formatEvent(events[0])
        assert text.startswith("where\nStack (most recent call last):\n")

    def test_defaultObserver(self) -> None:
        """
        Without an observer, events go to the global publisher.
        """
        logger = logging.getLogger("torsion-tests.default")
        handler = STDLibLogHandler()
        logger.addHandler(handler)
        try:
            with capturedLogs() as events:
                logger.error("to the global publisher")
        finally:
            logger.removeHandler(handler)
        assert [formatEvent(e) for e in events] == ["to the global publisher"]

    def test_badArguments(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        A record whose message cannot be %-formatted is reported the stdlib
        way (C{handleError}), not raised.
        """
        events: list[LogEvent] = []
        record = logging.LogRecord("x", logging.WARNING, "f.py", 1, "%d", ("not a number",), None)
        STDLibLogHandler(events.append).handle(record)
        assert events == []
        assert "--- Logging error ---" in capsys.readouterr().err

    def test_noLoopWithObserver(self, stdlibLogger: tuple[logging.Logger, Records]) -> None:
        """
        With both bridges installed (events to stdlib, stdlib to events),
        each event and each record crosses once, and nothing comes back.
        """
        logger, records = stdlibLogger
        publisher = LogPublisher()
        events: list[LogEvent] = []
        publisher.addObserver(events.append)
        publisher.addObserver(STDLibLogObserver(logger.name))
        logger.addHandler(STDLibLogHandler(publisher))
        Logger("torsion-side", observer=publisher).info("from torsion")
        logger.info("from stdlib")
        assert [formatEvent(e) for e in events] == ["from torsion", "from stdlib"]
        assert [r.getMessage() for r in records.records] == ["from torsion", "from stdlib"]

    def test_observerLoggingThroughStdlib(
        self, stdlibLogger: tuple[logging.Logger, Records]
    ) -> None:
        """
        Records logged by an observer while it handles a captured record
        are not captured again.
        """
        logger, records = stdlibLogger
        events: list[LogEvent] = []

        def chatty(event: LogEvent) -> None:
            events.append(event)
            logger.info("observer saw %s", event["log_text"])

        logger.addHandler(STDLibLogHandler(chatty))
        logger.info("first")
        assert [e["log_text"] for e in events] == ["first"]
        assert [r.getMessage() for r in records.records] == ["first", "observer saw first"]
