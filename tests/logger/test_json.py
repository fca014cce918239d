"""
Tests for L{torsion.logger.eventAsJSON}, L{torsion.logger.eventFromJSON},
L{torsion.logger.jsonFileLogObserver} and
L{torsion.logger.eventsFromJSONLogFile}.
"""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from torsion.logger import (
    LogEvent,
    Logger,
    LogLevel,
    LogPublisher,
    capturedLogs,
    eventAsJSON,
    eventAsText,
    eventFromJSON,
    eventsFromJSONLogFile,
    formatEvent,
    jsonFileLogObserver,
)
from torsion.python.failure import Failure


class Widget:
    """
    An object JSON cannot hold, with an attribute and a repr.
    """

    colour = "blue"

    def __repr__(self) -> str:
        return "<Widget>"


class BrokenRepr:
    """
    An object whose repr raises.
    """

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class AppError(KeyError):
    """
    An application's exception class, not a builtin.
    """


def failureOf(exception: BaseException) -> Failure:
    """
    Raise an exception and capture it as a L{Failure} with a traceback.
    """
    try:
        raise exception
    except BaseException:
        return Failure()


def roundTrip(event: LogEvent) -> LogEvent:
    """
    Encode an event as JSON and decode it again.
    """
    return eventFromJSON(eventAsJSON(event))


def writtenEvents(tmp_path: Path, emit: Any, **observerArgs: Any) -> list[LogEvent]:
    """
    Let C{emit(log)} log through a L{jsonFileLogObserver} on a real file,
    then read the file back.
    """
    path = tmp_path / "log.json"
    with open(path, "w", encoding="utf-8") as f:
        emit(Logger("app.db", observer=jsonFileLogObserver(f, **observerArgs)))
    with open(path, "rb") as f:
        return list(eventsFromJSONLogFile(f))


class FileRoundTripTests:
    """
    Events written by L{jsonFileLogObserver} and read back by
    L{eventsFromJSONLogFile}.
    """

    def test_fieldsNamespaceLevel(self, tmp_path: Path) -> None:
        """
        The format, its fields, the namespace, the level (as a L{LogLevel})
        and the time come back, and the message renders as before.
        """

        def emit(log: Logger) -> None:
            log.warn(
                "{count} rows in {table!r} took {seconds:.2f}s", count=3, table="t", seconds=0.5
            )
            log.debug("second")

        first, second = writtenEvents(tmp_path, emit)
        assert first["log_format"] == "{count} rows in {table!r} took {seconds:.2f}s"
        assert (first["count"], first["table"], first["seconds"]) == (3, "t", 0.5)
        assert first["log_namespace"] == "app.db"
        assert first["log_level"] is LogLevel.warn
        assert isinstance(first["log_time"], float)
        assert formatEvent(first) == "3 rows in 't' took 0.50s"
        assert second["log_level"] is LogLevel.debug
        assert formatEvent(second) == "second"

    def test_failureWithTraceback(self, tmp_path: Path) -> None:
        """
        A logged L{Failure} comes back as a L{Failure} with the same type
        name, message and traceback text, which L{eventAsText} prints.
        """
        original = failureOf(ZeroDivisionError("division by zero"))

        def emit(log: Logger) -> None:
            log.failure("Average of {n} baskets failed", original, n=0)

        [event] = writtenEvents(tmp_path, emit)
        failure = event["log_failure"]
        assert isinstance(failure, Failure)
        assert failure.getTraceback() == original.getTraceback()
        assert "in failureOf" in failure.getTraceback()
        assert failure.getErrorMessage() == "division by zero"
        assert failure.check(ZeroDivisionError) is ZeroDivisionError
        assert event["log_level"] is LogLevel.critical
        text = eventAsText(event, includeTimestamp=False)
        assert text.startswith("[app.db#critical] Average of 0 baskets failed\n\tTraceback")
        assert text.endswith("\tZeroDivisionError: division by zero")

    def test_binaryFileAndCustomSeparator(self, tmp_path: Path) -> None:
        """
        Events written to a binary file with another record separator are
        read back when that separator is given to the reader.
        """
        path = tmp_path / "log.json"
        with open(path, "wb") as f:
            log = Logger("n", observer=jsonFileLogObserver(f, recordSeparator="\x00"))
            log.info("caf\u00e9 {n}", n=1)
            log.info("two")
        with open(path, "rb") as f:
            events = list(eventsFromJSONLogFile(f, recordSeparator="\x00"))
        assert [formatEvent(e) for e in events] == ["caf\u00e9 1", "two"]

    def test_oneObjectPerLine(self, tmp_path: Path) -> None:
        """
        With an empty separator the file has one JSON object per line, and
        the reader detects that by itself.
        """

        def emit(log: Logger) -> None:
            log.info("a")
            log.info("b")

        path = tmp_path / "log.json"
        with open(path, "w", encoding="utf-8") as f:
            emit(Logger("n", observer=jsonFileLogObserver(f, recordSeparator="")))
        assert path.read_text(encoding="utf-8").count("\n") == 2
        assert not path.read_text(encoding="utf-8").startswith("\x1e")
        with open(path, encoding="utf-8") as f:
            assert [formatEvent(e) for e in eventsFromJSONLogFile(f)] == ["a", "b"]

    def test_recordFormat(self) -> None:
        """
        Each record is the separator, one line of ASCII JSON, and a newline.
        """
        out = io.StringIO()
        jsonFileLogObserver(out)({"log_format": "\u2713", "n": 1})
        record = out.getvalue()
        assert record.startswith("\x1e{")
        assert record.endswith("}\n")
        assert record.isascii()
        assert json.loads(record[1:]) == {"log_format": "\u2713", "n": 1}


class EncodingTests:
    """
    How L{eventAsJSON} copes with values JSON cannot hold.
    """

    def test_nonJSONValuesBecomeRepr(self) -> None:
        """
        Objects, sets and bytes come back as their repr; tuples come back
        as lists; dict keys that are not strings become their repr.
        """
        event = {"w": Widget(), "s": {1}, "b": b"\xff", "t": (1, "x"), "d": {1: "one"}}
        assert roundTrip(event) == {
            "w": "<Widget>",
            "s": "{1}",
            "b": "b'\\xff'",
            "t": [1, "x"],
            "d": {"1": "one"},
        }

    def test_brokenReprDoesNotRaise(self) -> None:
        """
        A value whose repr raises is written as a description instead.
        """
        [value] = roundTrip({"x": BrokenRepr()}).values()
        assert value == "<BrokenRepr object with broken repr: RuntimeError>"

    def test_cycleDoesNotRaise(self) -> None:
        """
        A self-referencing container is written with a marker in place of
        the repeated reference.
        """
        loop: list[Any] = [1]
        loop.append(loop)
        [one, marker] = roundTrip({"loop": loop})["loop"]
        assert one == 1
        assert marker.startswith("<recursion on list with id=")

    def test_sharedNotCyclic(self) -> None:
        """
        A value that appears twice without a cycle is written twice in full.
        """
        shared = [1, 2]
        assert roundTrip({"a": shared, "b": [shared, shared]}) == {
            "a": [1, 2],
            "b": [[1, 2], [1, 2]],
        }

    def test_messageSurvivesRepr(self) -> None:
        """
        Format fields that read attributes of objects JSON cannot hold
        still render after the round trip, from the text rendered before
        writing.
        """
        event = {"log_format": "{w.colour} {w!r:>9} {n:03d}", "w": Widget(), "n": 7}
        revived = roundTrip(event)
        assert revived["w"] == "<Widget>"
        assert formatEvent(revived) == formatEvent(event) == "blue  <Widget> 007"

    def test_callSyntaxRendered(self) -> None:
        """
        A C{{name()}} field is rendered before writing; the callable itself
        becomes its repr.
        """
        revived = roundTrip({"log_format": "{total()}", "total": lambda: 42})
        assert formatEvent(revived) == "42"

    def test_eventNotChanged(self) -> None:
        """
        Encoding does not modify the event.
        """
        event = {"log_format": "{x}", "x": 1}
        eventAsJSON(event)
        assert event == {"log_format": "{x}", "x": 1}

    def test_unrenderableFieldLeftOut(self) -> None:
        """
        A field that cannot be rendered is not pre-rendered, so the revived
        event reports it the usual way.
        """
        revived = roundTrip({"log_format": "{missing} {x}", "x": 1})
        assert formatEvent(revived).startswith("Unable to format event")

    def test_levelsAnywhere(self) -> None:
        """
        A L{LogLevel} nested inside other values comes back as a L{LogLevel}.
        """
        assert roundTrip({"levels": [LogLevel.error, {"l": LogLevel.info}]}) == {
            "levels": [LogLevel.error, {"l": LogLevel.info}]
        }

    def test_reEncodeRevived(self) -> None:
        """
        An event read back can be written and read again, with the same
        message.
        """
        event = {"log_format": "{w.colour}", "w": Widget()}
        again = roundTrip(roundTrip(event))
        assert formatEvent(again) == "blue"


class FailureRevivalTests:
    """
    How a L{Failure} comes back from JSON.
    """

    def test_builtinClass(self) -> None:
        """
        A failure of a builtin exception class comes back with that very
        class and its message.
        """
        revived = roundTrip({"f": failureOf(ValueError("bad"))})["f"]
        assert revived.type is ValueError
        assert isinstance(revived.value, ValueError)
        assert str(revived.value) == "bad"
        assert revived.tb is None

    def test_quotingBuiltin(self) -> None:
        """
        For a builtin whose str() is not just its message (L{KeyError}),
        the message is kept as written, and the class still matches.
        """
        original = failureOf(KeyError("k"))
        revived = roundTrip({"f": original})["f"]
        assert revived.getErrorMessage() == original.getErrorMessage() == "'k'"
        assert revived.check(KeyError) is KeyError
        assert revived.type.__qualname__ == "KeyError"

    def test_applicationClass(self) -> None:
        """
        A failure of an application's class comes back with a stand-in
        class of the same name and module, whose builtin bases are real: it
        is checked by qualified name or by builtin class.
        """
        original = failureOf(AppError("gone"))
        revived = roundTrip({"f": original})["f"]
        name = f"{__name__}.AppError"
        assert revived.type is not AppError
        assert revived.parents[:3] == [name, "builtins.KeyError", "builtins.LookupError"]
        assert revived.check(name) == name
        assert revived.check(LookupError) is LookupError
        assert revived.check(ValueError) is None
        assert repr(revived) == f"<torsion.python.failure.Failure {name}: 'gone'>"

    def test_briefTraceback(self) -> None:
        """
        The frames come back, so the brief traceback names them.
        """
        revived = roundTrip({"f": failureOf(ValueError("bad"))})["f"]
        assert revived.getBriefTraceback().splitlines()[1].endswith(":failureOf")

    def test_withoutTracebackText(self) -> None:
        """
        A failure record without the traceback text (as Twisted writes
        them) gets a traceback made from its frames.
        """
        record = json.loads(eventAsJSON({"f": failureOf(ValueError("bad"))}))
        del record["f"]["traceback"]
        revived = eventFromJSON(json.dumps(record))["f"]
        lines = revived.getTraceback().splitlines()
        assert lines[0] == "Traceback (most recent call last):"
        assert lines[1].startswith('  File "') and lines[1].endswith(", in failureOf")
        assert lines[-1] == "ValueError: bad"

    def test_garbledFailureRecord(self) -> None:
        """
        A failure record with missing or wrong-typed parts still gives a
        L{Failure}.
        """
        record = {"__class_uuid__": "e76887e2-20ed-49bf-a8f8-ba25cc586f2d", "frames": [3, ["a"]]}
        revived = eventFromJSON(json.dumps({"f": record}))["f"]
        assert isinstance(revived, Failure)
        assert revived.getTraceback() == "Traceback (most recent call last):\nException\n"

    def test_unknownLevelName(self) -> None:
        """
        A level record with an unknown name is left as the dict it is.
        """
        record = {"name": "loud", "__class_uuid__": "02e59486-f24d-46ad-8224-3acdf2a5732a"}
        assert eventFromJSON(json.dumps({"l": record})) == {"l": record}


class DecodingErrorTests:
    """
    L{eventFromJSON} on text that is not an event.
    """

    def test_notJSON(self) -> None:
        """
        Text that is not JSON raises L{ValueError}.
        """
        with pytest.raises(ValueError):
            eventFromJSON("{nope")

    def test_notObject(self) -> None:
        """
        JSON that is not an object raises L{ValueError} naming what it is.
        """
        with pytest.raises(
            ValueError,
            match=r"^a log event must be a JSON object, not list \[1\]; "
            r"was this written by eventAsJSON\?$",
        ):
            eventFromJSON("[1]")


def record(text: str) -> bytes:
    """
    One record of a JSON text sequence.
    """
    return b"\x1e" + text.encode("utf-8") + b"\n"


class ReadingTests:
    """
    L{eventsFromJSONLogFile} on damaged files.
    """

    def test_badRecordsSkippedAndReported(self) -> None:
        """
        A truncated record, a record that is not JSON, one that is not UTF-8
        and one that is not an object are each skipped and reported as an
        error event; the good records around them are read.
        """
        data = (
            record('{"n": 1}')
            + b'\x1e{"n": 2'  # cut short: no newline before the next record
            + record('{"n": 3')
            + b"\x1e\xff\n"
            + record("[4]")
            + record('{"n": 5}')
        )
        with capturedLogs() as errors:
            events = list(eventsFromJSONLogFile(io.BytesIO(data)))
        assert events == [{"n": 1}, {"n": 5}]
        assert [e["log_level"] for e in errors] == [LogLevel.error] * 4
        assert {e["log_namespace"] for e in errors} == {"torsion.logger"}
        assert [e["record"] for e in errors] == [b'{"n": 2', b'{"n": 3\n', b"\xff\n", b"[4]\n"]
        messages = [formatEvent(e) for e in errors]
        assert messages[0] == (
            "Skipped a truncated JSON log record (no newline before the next "
            "record separator or the end of the file): b'{\"n\": 2'"
        )
        assert messages[1].startswith("Skipped a JSON log record that is not a JSON event (")
        assert messages[2].startswith("Skipped a JSON log record that is not UTF-8 (")
        assert "must be a JSON object" in messages[3]

    def test_truncatedLastRecord(self) -> None:
        """
        A last record cut short (the writer died mid-record) is reported
        and skipped.
        """
        with capturedLogs() as errors:
            events = list(eventsFromJSONLogFile(io.BytesIO(record('{"n": 1}') + b'\x1e{"n"')))
        assert events == [{"n": 1}]
        assert [e["record"] for e in errors] == [b'{"n"']

    def test_linesWithGarbage(self) -> None:
        """
        In a one-object-per-line file, a bad line is skipped and reported,
        blank lines are ignored, and a last line without newline is read.
        """
        data = b'{"n": 1}\n\n{bad\n{"n": 3}'
        with capturedLogs() as errors:
            events = list(eventsFromJSONLogFile(io.BytesIO(data)))
        assert events == [{"n": 1}, {"n": 3}]
        assert [e["record"] for e in errors] == [b"{bad"]

    def test_textFile(self) -> None:
        """
        A file opened in text mode is read too.
        """
        text = (record('{"n": "\u00e9"}') + record('{"n": 2}')).decode("utf-8")
        assert list(eventsFromJSONLogFile(io.StringIO(text))) == [{"n": "\u00e9"}, {"n": 2}]

    def test_emptyFile(self) -> None:
        """
        An empty file has no events.
        """
        assert list(eventsFromJSONLogFile(io.BytesIO(b""))) == []

    def test_badBufferSize(self) -> None:
        """
        A buffer size below 1 is refused at once, naming the value.
        """
        with pytest.raises(
            ValueError, match=r"^bufferSize must be a positive number of bytes, not 0$"
        ):
            eventsFromJSONLogFile(io.BytesIO(b""), bufferSize=0)


class ChunkedFile(io.BytesIO):
    """
    A binary file whose reads return the given pieces, whatever size is asked.
    """

    def __init__(self, pieces: list[bytes]) -> None:
        super().__init__()
        self._pieces = list(pieces)

    def read(self, size: int | None = -1) -> bytes:
        """
        Return the next piece, or C{b""} at the end.
        """
        return self._pieces.pop(0) if self._pieces else b""


def cutAt(data: bytes, cuts: list[int]) -> list[bytes]:
    """
    Cut C{data} at the given offsets (taken modulo its length plus one).
    """
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def sampleLog() -> bytes:
    """
    A JSON log of a few events, one with a failure, and one damaged record.
    """
    out = io.BytesIO()
    log = Logger("s", observer=jsonFileLogObserver(out))
    log.info("caf\u00e9 {n}", n=1)
    log.failure("f", failureOf(ValueError("v")))
    out.write(b'\x1e{"cut": ')
    log.warn("{x}", x=[1, {"y": "\u2713"}])
    return out.getvalue()


SAMPLE = sampleLog()


def readAll(pieces: list[bytes], bufferSize: int = 4096) -> tuple[list[str], int]:
    """
    Read the events of a chunked file: their JSON, and the number of errors.
    """
    with capturedLogs() as errors:
        events = list(eventsFromJSONLogFile(ChunkedFile(pieces), bufferSize=bufferSize))
    return [eventAsJSON(e) for e in events], len(errors)


EXPECTED = readAll([SAMPLE])


@given(cuts=st.lists(st.integers(0, len(SAMPLE)), max_size=30))
def test_anySplitSameEvents(cuts: list[int]) -> None:
    """
    However the file's bytes are split across reads, the same events
    (and the same one error) come out.
    """
    assert EXPECTED[1] == 1
    assert len(EXPECTED[0]) == 3
    assert readAll(cutAt(SAMPLE, cuts)) == EXPECTED


@given(bufferSize=st.integers(1, 64))
def test_anyBufferSize(bufferSize: int) -> None:
    """
    Any buffer size reads the same events from a real file object.
    """
    with capturedLogs() as errors:
        events = list(eventsFromJSONLogFile(io.BytesIO(SAMPLE), bufferSize=bufferSize))
    assert ([eventAsJSON(e) for e in events], len(errors)) == EXPECTED


@given(data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=10))
def test_garbageNeverRaises(data: bytes, cuts: list[int]) -> None:
    """
    Arbitrary bytes give events (dicts) or error reports, never an
    exception.
    """
    with capturedLogs():
        events = list(eventsFromJSONLogFile(ChunkedFile(cutAt(data, cuts))))
    assert all(isinstance(event, dict) for event in events)


def test_encodeNeverRaises() -> None:
    """
    Encoding an event full of awkward values gives JSON text.
    """
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    event: LogEvent = {
        "deep": deep,
        "nan": float("nan"),
        "big": 10**40,
        "surrogate": "\udcff",
        "publisher": LogPublisher(),
        "log_format": "{publisher.nope}",
    }
    text = eventAsJSON(event)
    revived = eventFromJSON(text)
    assert revived["big"] == 10**40
    assert revived["surrogate"] == "\udcff"
    assert isinstance(revived["deep"], str)


class TwistedInteroperationTests:
    """
    JSON log files are interchangeable with Twisted's.
    """

    def test_twistedReadsOurs(self) -> None:
        """
        Twisted reads a file written here: levels, messages, failures.
        """
        twistedLogger = pytest.importorskip("twisted.logger")
        out = io.StringIO()
        log = Logger("n", observer=jsonFileLogObserver(out))
        log.failure("lost {n}", failureOf(ValueError("bad")), level=LogLevel.error, n=1)
        [event] = twistedLogger.eventsFromJSONLogFile(io.StringIO(out.getvalue()))
        assert event["log_level"] is twistedLogger.LogLevel.error
        assert twistedLogger.formatEvent(event) == "lost 1"
        assert event["log_failure"].getErrorMessage() == "bad"

    def test_weReadTwisteds(self) -> None:
        """
        A file written by Twisted is read here: levels, messages, and a
        failure whose traceback names its frames.
        """
        twistedLogger = pytest.importorskip("twisted.logger")
        twistedFailure = pytest.importorskip("twisted.python.failure")
        try:
            raise ValueError("bad")
        except ValueError:
            failure = twistedFailure.Failure()
        out = io.StringIO()
        log = twistedLogger.Logger("n", observer=twistedLogger.jsonFileLogObserver(out))
        log.failure("lost {n}", failure, level=twistedLogger.LogLevel.error, n=1)
        [event] = eventsFromJSONLogFile(io.StringIO(out.getvalue()))
        assert event["log_level"] is LogLevel.error
        assert formatEvent(event) == "lost 1"
        assert isinstance(event["log_failure"], Failure)
        assert event["log_failure"].check(ValueError) is ValueError
        assert "in test_weReadTwisteds" in event["log_failure"].getTraceback()
