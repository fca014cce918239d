# Feeding new-style events to old-style (torsion.python.log) observers.
#
# An old-style observer reads an event through the keys of the older API:
# "message" (a tuple of objects to join), "format" (a %-format over the
# event), "isError", "failure", "why", "system" and "time".  The wrapper
# copies each event (observers must not change the shared dict) and fills in
# the missing keys from the new-style ones: time from log_time, system from
# log_system (else "-"), a failure and its "why" from log_failure, and, for
# events with a log_format, format "%(log_legacy)s" where log_legacy renders
# the new-style message when (and only if) it is turned into a string.
# Keys already present are left alone, so events from torsion.python.log's
# msg() and err(), which have them all, reach old observers unchanged.

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from torsion.logger._format import formatEvent
from torsion.logger._interfaces import ILogObserver, LogEvent


class _RenderedMessage:
    """
    Renders an event's message when turned into a string.
    """

    __slots__ = ("_event",)

    def __init__(self, event: LogEvent) -> None:
        self._event = event

    def __str__(self) -> str:
        return formatEvent(self._event)

    def __repr__(self) -> str:
        return repr(str(self))


@implementer(ILogObserver)
class LegacyLogObserverWrapper:
    """
    An observer that passes events on to an old-style observer.

    Old-style observers are those of C{torsion.python.log}
    (C{log.addObserver}); they expect the keys C{message}, C{time},
    C{system}, C{isError} and, for errors, C{failure} and C{why}, which this
    wrapper adds to a copy of each event.

    @ivar legacyObserver: The old-style observer.
    """

    def __init__(self, legacyObserver: Callable[[dict[str, Any]], None]) -> None:
        """
        @param legacyObserver: A callable taking an old-style event dict.
        """
        self.legacyObserver = legacyObserver

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.legacyObserver!r})"

    def __call__(self, event: LogEvent) -> None:
        """
        Pass a copy of an event, with the old-style keys, to the old observer.

        @param event: The event.
        """
        legacy = dict(event)
        if "message" not in legacy:
            legacy["message"] = ()
        if "time" not in legacy:
            legacy["time"] = event.get("log_time")
        if "system" not in legacy:
            system = event.get("log_system")
            legacy["system"] = "-" if system is None else system
        if "log_failure" in event and "failure" not in legacy:
            legacy["failure"] = event["log_failure"]
            legacy["isError"] = 1
            legacy["why"] = formatEvent(event)
        if "isError" not in legacy:
            legacy["isError"] = 0
        if "format" not in legacy and event.get("log_format") is not None:
            legacy["format"] = "%(log_legacy)s"
            legacy["log_legacy"] = _RenderedMessage(event)
        self.legacyObserver(legacy)
