# The observer contract.
#
# An event is a plain dict; an observer is anything callable with one.  The
# zope interface ILogObserver documents the contract and lets classes declare
# it with @implementer; the LogObserver alias is what signatures use, so that
# plain functions and bound methods (events.append) type-check as observers.

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zope.interface import Interface

LogEvent = dict[str, Any]
"""
A log event: a dict of names to values.  Keys starting with C{log_} are
reserved for the logging system (C{log_level}, C{log_namespace}, C{log_format},
C{log_time}, C{log_failure}, ...); the rest are the emitter's own fields.
"""

LogObserver = Callable[[LogEvent], None]


class ILogObserver(Interface):
    """
    Something that receives log events.

    Observers are called synchronously, in the emitter's thread, once per
    event.  An observer may keep the event (a buffer does), but must not
    mutate it: every observer of a publisher receives the same dict.
    """

    def __call__(event: LogEvent) -> None:
        """
        Receive one log event.

        @param event: The event.
        """
