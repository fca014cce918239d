"""
Tests for L{torsion.logger.extractField} and the pre-rendered field texts
(C{log_rendered}) that L{torsion.logger.formatEvent} uses.
"""

from __future__ import annotations

import pytest

from torsion.logger import LogEvent, eventAsJSON, eventFromJSON, extractField, formatEvent


class Point:
    """
    An object with attributes.
    """

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y

    def __repr__(self) -> str:
        return f"Point({self.x}, {self.y})"


def sample() -> LogEvent:
    """
    An event with nested fields.
    """
    return {"p": Point(1, 2), "items": ["a", "b"], "d": {"k": "v"}, "f": lambda: 7}


class ExtractFieldTests:
    """
    L{extractField}.
    """

    def test_plainKey(self) -> None:
        """
        A key gives its value, not text.
        """
        event = sample()
        assert extractField("p", event) is event["p"]

    def test_attributeAndIndex(self) -> None:
        """
        Attribute and index access read into the value.
        """
        event = sample()
        assert extractField("p.y", event) == 2
        assert extractField("items[1]", event) == "b"
        assert extractField("d[k]", event) == "v"

    def test_call(self) -> None:
        """
        C{name()} calls the value.
        """
        assert extractField("f()", sample()) == 7

    def test_conversionAndSpec(self) -> None:
        """
        A conversion or a format spec gives the rendered text.
        """
        event = sample()
        assert extractField("p!r", event) == "Point(1, 2)"
        assert extractField("p.x:>3", event) == "  1"

    @pytest.mark.parametrize("field", ["missing", "p.z", "items[5]", "p!q", "a{b"])
    def test_missing(self, field: str) -> None:
        """
        A field that cannot be read raises L{KeyError} naming it.
        """
        with pytest.raises(KeyError) as info:
            extractField(field, sample())
        assert info.value.args == (field,)

    def test_afterJSON(self) -> None:
        """
        For an event read back from JSON, a field of the format whose
        object became a repr gives the text rendered before writing.
        """
        event = {"log_format": "{p.x}", "p": Point(1, 2)}
        revived = eventFromJSON(eventAsJSON(event))
        assert revived["p"] == "Point(1, 2)"
        assert extractField("p.x", revived) == "1"


class RenderedFieldsTests:
    """
    L{formatEvent} with C{log_rendered}.
    """

    def test_renderedTextUsed(self) -> None:
        """
        Fields with pre-rendered text take it; the others render from the
        event.
        """
        event = {"log_format": "{a} {b} {{c}}", "b": 2, "log_rendered": {"a": "A"}}
        assert formatEvent(event) == "A 2 {c}"

    def test_nonTextIgnored(self) -> None:
        """
        A pre-rendered value that is not text is ignored.
        """
        event = {"log_format": "{a:>3}", "a": 1, "log_rendered": {"a:>3": 9}}
        assert formatEvent(event) == "  1"

    def test_stillNeverRaises(self) -> None:
        """
        A field neither pre-rendered nor in the event gives the usual
        description, not an exception.
        """
        event = {"log_format": "{a} {b}", "log_rendered": {"a": "A"}}
        assert formatEvent(event).startswith("Unable to format event ")
