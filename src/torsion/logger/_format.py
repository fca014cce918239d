# Turning events into text.
#
# formatEvent renders log_format with str.format_map over a small mapping that
# reads fields from the event.  The mapping also implements Twisted's call
# syntax: a field named "name()" calls event["name"] with no arguments, which
# lets an emitter defer costly work until (and unless) the event is rendered.
# Attribute and index access ({x.y}, {x[0]}) come from format_map itself.
# An event read back from JSON carries log_rendered, the text of its fields
# as rendered before it was written (see _flatten.py); those texts stand in
# for fields whose objects did not survive the trip.
#
# Rendering never raises: any exception while formatting becomes the text of a
# message naming the problem and the event.  Only Exception is caught, so
# KeyboardInterrupt and SystemExit still get through.
#
# eventAsText adds the failure's traceback and the "timestamp [system]"
# prefix, and indents continuation lines with a tab, so each event stays one
# visually distinct record in a text log.

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from torsion.logger._flatten import _CallMapping, formatWithRendered
from torsion.logger._interfaces import LogEvent
from torsion.logger._levels import LogLevel

timeFormatRFC3339 = "%Y-%m-%dT%H:%M:%S%z"
"""A C{strftime} format giving RFC 3339 timestamps such as C{2026-01-01T12:00:00+0000}."""


def _safeRepr(obj: object) -> str:
    try:
        return repr(obj)
    except Exception as e:
        return f"<{type(obj).__name__} object at {id(obj):#x} with broken repr: {_safeError(e)}>"


def _safeError(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        text = "<exception with broken str>"
    return f"{type(error).__name__}: {text}"


def _unformattable(event: LogEvent, error: BaseException) -> str:
    """
    Describe an event whose format could not be rendered, without raising.
    """
    try:
        eventText = repr(event)
    except Exception:
        fields = ", ".join(f"{_safeRepr(k)}: {_safeRepr(v)}" for k, v in event.items())
        eventText = "{" + fields + "}"
    return f"Unable to format event {eventText}: {_safeError(error)}"


def formatEvent(event: LogEvent) -> str:
    """
    Render an event's C{log_format} with the event's own fields.

    The format uses PEP 3101 syntax with fields named after event keys:
    C{"{user} logged in from {address[0]}"}.  Attribute and index access work
    (C{{x.y}}, C{{x[0]}}), and C{{name()}} calls C{event["name"]} with no
    arguments and formats the result.  An event without C{log_format} renders
    as the empty string.  An event read back from JSON renders with the
    field texts stored when it was written (its C{log_rendered} mapping).

    @param event: The event to render.
    @return: The rendered text; if rendering failed, a message that begins
        C{"Unable to format event"} and names the event and the error.  This
        function does not raise for a bad event.
    """
    try:
        fmt = event.get("log_format")
        if fmt is None:
            return ""
        if isinstance(fmt, bytes):
            fmt = fmt.decode("utf-8")
        elif not isinstance(fmt, str):
            raise TypeError(f"log_format must be a str, not {type(fmt).__name__}")
        rendered = event.get("log_rendered")
        if isinstance(rendered, Mapping):
            return formatWithRendered(fmt, event, rendered)
        return fmt.format_map(_CallMapping(event))
    except Exception as e:
        return _unformattable(event, e)


def formatTime(
    when: float | None, timeFormat: str | None = timeFormatRFC3339, default: str = "-"
) -> str:
    """
    Format a POSIX timestamp in the local time zone.

    @param when: Seconds since the epoch, as from C{time.time()}, or L{None}.
    @param timeFormat: A C{strftime} format, or L{None} to not show time at all.
    @param default: What to return when C{when} or C{timeFormat} is L{None}.
    @return: The formatted time, or C{default}.
    @raise OverflowError: If C{when} is out of the platform's range (also
        C{OSError} or C{ValueError}, depending on the platform).
    """
    if when is None or timeFormat is None:
        return default
    return datetime.fromtimestamp(when, UTC).astimezone().strftime(timeFormat)


def _formatSystem(event: LogEvent) -> str:
    """
    Name where an event came from: C{log_system} if set, else C{namespace#level}.
    """
    system = event.get("log_system")
    if system is not None:
        return str(system)
    namespace = event.get("log_namespace")
    level = event.get("log_level")
    if type(level) is LogLevel:
        levelName = level.name
    elif level is None:
        levelName = "-"
    else:
        levelName = _safeRepr(level)
    return f"{'-' if namespace is None else namespace}#{levelName}"


def _formatTraceback(failure: Any) -> str:
    try:
        text = failure.getTraceback()
        if not isinstance(text, str):
            raise TypeError(f"getTraceback() returned {type(text).__name__}, not str")
    except Exception as e:
        return f"(unable to get a traceback from {_safeRepr(failure)}: {_safeError(e)})"
    return text.rstrip("\n")


def eventAsText(
    event: LogEvent,
    includeTraceback: bool = True,
    includeTimestamp: bool = True,
    includeSystem: bool = True,
    formatTime: Callable[[float | None], str] = formatTime,
) -> str:
    """
    Render an event as one text record, without a trailing newline.

    The record is C{"timestamp [namespace#level] message"}; if the event
    carries a C{log_failure}, its traceback follows the message.  Lines after
    the first are indented with a tab.  C{log_system}, when present, replaces
    C{namespace#level}.

    @param event: The event to render.
    @param includeTraceback: Whether to add C{log_failure}'s traceback.
    @param includeTimestamp: Whether to start with C{log_time}'s timestamp.
    @param includeSystem: Whether to add the bracketed C{[namespace#level]}.
    @param formatTime: Turns C{log_time} (or L{None}) into text.
    @return: The text, or C{""} if the event has neither message nor traceback.
    """
    text = formatEvent(event)
    if includeTraceback and "log_failure" in event:
        traceback = _formatTraceback(event["log_failure"])
        text = f"{text}\n{traceback}" if text else traceback
    if not text:
        return ""
    text = text.replace("\n", "\n\t")
    prefix = ""
    if includeTimestamp:
        try:
            prefix = formatTime(event.get("log_time")) + " "
        except Exception:
            prefix = "- "
    if includeSystem:
        prefix += f"[{_formatSystem(event)}] "
    return prefix + text


def formatEventAsClassicLogText(
    event: LogEvent, formatTime: Callable[[float | None], str] = formatTime
) -> str | None:
    """
    Render an event as a line of a classic text log file.

    The result looks like C{"2026-01-01T00:00:00+0000 [myapp.db#info] message\\n"},
    with the failure's traceback (if any) on the following, tab-indented lines.

    @param event: The event to render.
    @param formatTime: Turns C{log_time} (or L{None}) into text.
    @return: The text ending in a newline, or L{None} if the event has
        nothing to show.
    """
    text = eventAsText(event, formatTime=formatTime)
    if not text:
        return None
    return text + "\n"
