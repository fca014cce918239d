"""
Tests for the event formatting functions of L{torsion.logger}.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from torsion.logger import (
    LogEvent,
    LogLevel,
    eventAsText,
    formatEvent,
    formatEventAsClassicLogText,
    formatTime,
    timeFormatRFC3339,
)
from torsion.python.failure import Failure


@pytest.fixture
def timezoneNamed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """
    Give a function that switches the local time zone to a POSIX TZ value,
    restoring the real one afterwards.
    """
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")

    def switch(tz: str) -> None:
        monkeypatch.setenv("TZ", tz)
        time.tzset()

    yield switch
    monkeypatch.undo()
    time.tzset()


def raisingFailure() -> Failure:
    """
    Make a failure with a real traceback.
    """
    try:
        raise ValueError("kaboom")
    except ValueError:
        return Failure()


def test_fields() -> None:
    """
    Fields of the format are replaced by the event's values, with
    conversions and format specs.
    """
    event = {"log_format": "{a} {b!r} {c:>4} {c:.1f}", "a": "x", "b": "y", "c": 2.5}
    assert formatEvent(event) == "x 'y'  2.5 2.5"


def test_attributeAndIndex() -> None:
    """
    Fields may use attribute access and indexing.
    """

    class Point:
        x = 7

    event = {"log_format": "{p.x} {seq[1]} {d[key]}", "p": Point(), "seq": [1, 2], "d": {"key": 3}}
    assert formatEvent(event) == "7 2 3"


def test_call() -> None:
    """
    A field C{name()} calls the event's C{name} value and formats the
    result, and only calls it when the event is rendered.
    """
    calls: list[int] = []

    def expensive() -> str:
        calls.append(1)
        return "computed"

    event = {"log_format": "value: {expensive()}", "expensive": expensive}
    assert calls == []
    assert formatEvent(event) == "value: computed"
    assert calls == [1]


def test_noFormat() -> None:
    """
    An event without a format renders as the empty string.
    """
    assert formatEvent({}) == ""
    assert formatEvent({"log_format": None, "x": 1}) == ""


def test_logKeysAvailable() -> None:
    """
    The log_* keys can be used as fields too.
    """
    assert formatEvent({"log_format": "in {log_namespace}", "log_namespace": "ns"}) == "in ns"


def test_bytesFormat() -> None:
    """
    A bytes format is decoded as UTF-8.
    """
    assert formatEvent({"log_format": "caf\u00e9 {x}".encode(), "x": 1}) == "caf\u00e9 1"


def test_missingField() -> None:
    """
    A field missing from the event gives a message naming the event and
    the error instead of raising.
    """
    event = {"log_format": "{missing}"}
    assert formatEvent(event) == (
        "Unable to format event {'log_format': '{missing}'}: KeyError: 'missing'"
    )


def test_notAString() -> None:
    """
    A format that is not text gives a message about its type.
    """
    assert formatEvent({"log_format": 7}) == (
        "Unable to format event {'log_format': 7}: TypeError: log_format must be a str, not int"
    )


def test_positionalField() -> None:
    """
    Positional fields cannot be filled from an event and give a message.
    """
    assert formatEvent({"log_format": "{0}"}).startswith("Unable to format event ")


def test_brokenValue() -> None:
    """
    A value whose formatting raises gives a message with the error.
    """

    class Bad:
        def __format__(self, spec: str) -> str:
            raise RuntimeError("no format")

    text = formatEvent({"log_format": "{x}", "x": Bad()})
    assert text.startswith("Unable to format event {")
    assert text.endswith(": RuntimeError: no format")


def test_brokenReprAndStr() -> None:
    """
    Even an event whose values cannot be repr'd, failing with an
    exception that cannot be str'd, gives text without raising.
    """

    class BadError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str")

    class Bad:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

        def __format__(self, spec: str) -> str:
            raise BadError()

    text = formatEvent({"log_format": "{x}", "x": Bad()})
    assert text.startswith("Unable to format event {'log_format': '{x}', 'x': <Bad object at ")
    assert "with broken repr: RuntimeError: no repr>}" in text
    assert text.endswith(": BadError: <exception with broken str>")


def test_callRaising() -> None:
    """
    A called field that raises gives a message with the error.
    """

    def explode() -> str:
        raise ZeroDivisionError("nope")

    text = formatEvent({"log_format": "{explode()}", "explode": explode})
    assert text.endswith(": ZeroDivisionError: nope")


def test_formatTimeUTC(timezoneNamed: Any) -> None:
    """
    Times are RFC 3339 in the local zone by default.
    """
    timezoneNamed("UTC")
    assert formatTime(86400 * 365) == "1971-01-01T00:00:00+0000"


def test_formatTimeLocalOffset(timezoneNamed: Any) -> None:
    """
    The local zone's offset is applied and shown.
    """
    timezoneNamed("EST5")
    assert formatTime(0) == "1969-12-31T19:00:00-0500"


def test_formatTimeCustomFormat(timezoneNamed: Any) -> None:
    """
    A custom C{strftime} format is honoured.
    """
    timezoneNamed("UTC")
    assert formatTime(3600.5, "%H:%M") == "01:00"


def test_formatTimeDefaults() -> None:
    """
    No time, or no format, gives the default text.
    """
    assert formatTime(None) == "-"
    assert formatTime(0, None) == "-"
    assert formatTime(None, default="?") == "?"


def test_rfc3339Constant() -> None:
    """
    C{timeFormatRFC3339} is the strftime format for RFC 3339 timestamps.
    """
    assert timeFormatRFC3339 == "%Y-%m-%dT%H:%M:%S%z"


def test_eventAsText(timezoneNamed: Any) -> None:
    """
    By default the text is timestamp, bracketed namespace#level, message.
    """
    timezoneNamed("UTC")
    event = {
        "log_format": "hi {x}",
        "x": 1,
        "log_time": 0.0,
        "log_namespace": "a.b",
        "log_level": LogLevel.info,
    }
    assert eventAsText(event) == "1970-01-01T00:00:00+0000 [a.b#info] hi 1"


def test_eventAsTextParts() -> None:
    """
    The timestamp and system can be left out; missing ones show as C{-}.
    """
    event = {"log_format": "m"}
    assert eventAsText(event) == "- [-#-] m"
    assert eventAsText(event, includeTimestamp=False) == "[-#-] m"
    assert eventAsText(event, includeSystem=False) == "- m"
    assert eventAsText(event, includeTimestamp=False, includeSystem=False) == "m"


def test_logSystem() -> None:
    """
    C{log_system} replaces C{namespace#level}.
    """
    event = {"log_format": "m", "log_system": "HTTP,1", "log_namespace": "n"}
    assert eventAsText(event, includeTimestamp=False) == "[HTTP,1] m"


def test_oddLevel() -> None:
    """
    A C{log_level} that is not a level is shown by its repr.
    """
    event = {"log_format": "m", "log_namespace": "n", "log_level": 5}
    assert eventAsText(event, includeTimestamp=False) == "[n#5] m"


def test_customFormatTime() -> None:
    """
    The C{formatTime} argument renders C{log_time}; if it raises, C{-} is
    shown.
    """

    def broken(when: float | None) -> str:
        raise OverflowError("too far")

    event = {"log_format": "m", "log_time": 12.0}
    assert eventAsText(event, formatTime=lambda t: f"T{t}") == "T12.0 [-#-] m"
    assert eventAsText(event, formatTime=broken) == "- [-#-] m"


def test_multilineIndented() -> None:
    """
    Lines after the first are indented with a tab.
    """
    event = {"log_format": "one\ntwo\nthree"}
    assert eventAsText(event, includeTimestamp=False) == "[-#-] one\n\ttwo\n\tthree"


def test_eventAsTextEmpty() -> None:
    """
    An event with neither message nor failure renders as C{""}.
    """
    assert eventAsText({"log_namespace": "n", "log_time": 0.0}) == ""


def test_traceback() -> None:
    """
    A failure's traceback follows the message, indented, without a
    trailing newline; it can be left out.
    """
    failure = raisingFailure()
    event = {"log_format": "oops", "log_failure": failure}
    text = eventAsText(event, includeTimestamp=False, includeSystem=False)
    expected = ("oops\n" + failure.getTraceback().rstrip("\n")).replace("\n", "\n\t")
    assert text == expected
    assert text.startswith("oops\n\tTraceback (most recent call last):\n\t")
    assert text.endswith("\n\tValueError: kaboom")
    assert eventAsText(event, includeTraceback=False, includeTimestamp=False) == "[-#-] oops"


def test_tracebackWithoutMessage() -> None:
    """
    A failure without a message still renders its traceback.
    """
    event = {"log_failure": raisingFailure()}
    text = eventAsText(event, includeTimestamp=False)
    assert text.startswith("[-#-] Traceback (most recent call last):\n\t")


def test_brokenFailure() -> None:
    """
    A C{log_failure} whose traceback cannot be had gives a note instead.
    """

    class NotAFailure:
        def __repr__(self) -> str:
            return "<NotAFailure>"

    event: LogEvent = {"log_format": "m", "log_failure": NotAFailure()}
    text = eventAsText(event, includeTimestamp=False, includeSystem=False)
    assert text == (
        "m\n\t(unable to get a traceback from <NotAFailure>: AttributeError: "
        "'NotAFailure' object has no attribute 'getTraceback')"
    )


def test_classicText(timezoneNamed: Any) -> None:
    """
    The classic format is C{eventAsText} plus a newline.
    """
    timezoneNamed("UTC")
    event = {
        "log_format": "hi\nthere",
        "log_time": 0.0,
        "log_namespace": "a.b",
        "log_level": LogLevel.error,
    }
    assert formatEventAsClassicLogText(event) == (
        "1970-01-01T00:00:00+0000 [a.b#error] hi\n\tthere\n"
    )


def test_classicTextEmpty() -> None:
    """
    An event with nothing to show gives L{None}.
    """
    assert formatEventAsClassicLogText({}) is None


def test_classicTextFailure() -> None:
    """
    A failure's traceback is included, and the text ends with exactly
    one newline.
    """
    event = {"log_format": "bad", "log_failure": raisingFailure()}
    text = formatEventAsClassicLogText(event, formatTime=lambda t: "T")
    assert text is not None
    assert text.startswith("T [-#-] bad\n\tTraceback (most recent call last):\n\t")
    assert text.endswith("\tValueError: kaboom\n")


def test_classicTextFormatTime() -> None:
    """
    The C{formatTime} argument renders the timestamp.
    """
    text = formatEventAsClassicLogText({"log_format": "m"}, formatTime=lambda t: "NOW")
    assert text == "NOW [-#-] m\n"
