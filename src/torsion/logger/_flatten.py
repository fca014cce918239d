# Reading format fields out of events, and pre-rendering them.
#
# A log_format is a PEP 3101 string; string.Formatter.parse splits it into
# literal text and replacement fields (name, conversion, spec).  Field
# lookup goes through _CallMapping, which adds Twisted's "{name()}" call
# syntax to plain event-key lookup.
#
# Flattening exists for serialisation.  Once an event is written as JSON,
# objects that JSON cannot hold are reduced to their repr, so a format such
# as "{request.uri}" could no longer be rendered from the revived event.
# flattenFields therefore renders each replacement field of the format while
# the real objects are still there, and stores the resulting text under the
# field's own text ("request.uri", "price:.2f", "x!r").  formatEvent uses
# such stored text (the event's log_rendered mapping) for the fields it
# covers and renders the other fields as usual.  A field that fails to
# render is simply not stored: rendering the revived event then reports the
# problem the usual way.

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, cast

from torsion.logger._interfaces import LogEvent

_formatter = string.Formatter()


class _CallMapping:
    """
    Field lookup for C{str.format_map}: event keys, with C{"name()"} calling.
    """

    __slots__ = ("_event",)

    def __init__(self, event: LogEvent) -> None:
        self._event = event

    def __getitem__(self, key: str) -> Any:
        if key.endswith("()"):
            return self._event[key[:-2]]()
        return self._event[key]


def _fieldText(name: str, conversion: str | None, spec: str | None) -> str:
    """
    The text of a replacement field as written between its braces.
    """
    text = name
    if conversion:
        text += "!" + conversion
    if spec:
        text += ":" + spec
    return text


def _renderField(fieldText: str, event: LogEvent) -> str:
    """
    Render one replacement field against an event (nested specs included).
    """
    return ("{" + fieldText + "}").format_map(_CallMapping(event))


def flattenFields(event: LogEvent) -> dict[str, str]:
    """
    Render each replacement field of an event's C{log_format} on its own.

    @param event: The event.
    @return: Each field's text (as written between the braces) mapped to its
        rendered value; fields that cannot be rendered are left out.  Empty
        if the event has no usable format.
    """
    fmt = event.get("log_format")
    if not isinstance(fmt, str):
        return {}
    try:
        parsed = list(_formatter.parse(fmt))
    except ValueError:
        return {}
    rendered: dict[str, str] = {}
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        text = _fieldText(name, conversion, spec)
        if text in rendered:
            continue
        try:
            rendered[text] = _renderField(text, event)
        except Exception:
            continue
    return rendered


def formatWithRendered(fmt: str, event: LogEvent, rendered: Mapping[str, object]) -> str:
    """
    Render a format, taking pre-rendered field text where there is some.

    @param fmt: The format.
    @param event: The event supplying the fields that were not pre-rendered.
    @param rendered: Field text (as between the braces) to rendered text.
    @return: The rendered message.
    @raise Exception: Whatever rendering a field that was not pre-rendered
        raises.
    """
    parts: list[str] = []
    for literal, name, spec, conversion in _formatter.parse(fmt):
        parts.append(literal)
        if name is None:
            continue
        text = _fieldText(name, conversion, spec)
        value = rendered.get(text)
        parts.append(value if isinstance(value, str) else _renderField(text, event))
    return "".join(parts)


def extractField(field: str, event: LogEvent) -> Any:
    """
    Read the value a format field names from an event.

    For example C{extractField("request.headers[host]", event)} gives what
    C{"{request.headers[host]}"} would render, before rendering.  A
    conversion (C{"!r"}, C{"!s"}, C{"!a"}) or a format spec (C{":>8"}) makes
    the result the converted or formatted text.  For an event read back
    from JSON, the text that was rendered before writing is used when the
    original object is gone.

    @param field: The text between a format field's braces.
    @param event: The event.
    @return: The value (or text) the field names.
    @raise KeyError: If the event has no such field, or the field cannot be
        read (a missing attribute or index, a bad conversion).
    """
    rendered = event.get("log_rendered")
    if isinstance(rendered, Mapping):
        text = rendered.get(field)
        if isinstance(text, str):
            return text
    try:
        [(_, name, spec, conversion)] = list(_formatter.parse("{" + field + "}"))
        if name is None:
            raise ValueError(f"{field!r} is not a format field")
        if conversion or spec:
            return _renderField(field, event)
        value, _ = _formatter.get_field(name, (), cast("Mapping[str, Any]", _CallMapping(event)))
    except Exception as e:
        raise KeyError(field) from e
    return value
