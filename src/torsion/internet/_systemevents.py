# System events ('startup', 'shutdown', or any name) and their triggers.
#
# How it works
# ------------
# Each event type has three lists of triggers: 'before', 'during', 'after'.
# Firing an event runs the 'before' triggers; those that return Deferreds
# hold the event until every one of them has fired (successfully or not).
# Then 'during' and 'after' run, in that order, with no waiting.
#
# Triggers may add or remove triggers while the event fires.  A trigger
# removed before its turn does not run; a trigger added to a phase that has
# not run yet will run.  A trigger's exception is logged and the event goes
# on.  An event fired again while it is still firing is ignored (stop() twice
# from a 'before shutdown' trigger must not shut down twice).
from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from torsion.internet._deferred import Deferred, _log
from torsion.internet._deferredlist import DeferredList
from torsion.python.failure import Failure

PHASES = ("before", "during", "after")

_Trigger = tuple[int, Callable[..., Any], tuple[Any, ...], dict[str, Any]]

_ids = itertools.count(1)


class _Event:
    """
    The triggers of one event type.
    """

    def __init__(self, eventType: str) -> None:
        self.eventType = eventType
        self.triggers: dict[str, list[_Trigger]] = {phase: [] for phase in PHASES}
        self.state = "BASE"  # BASE -> BEFORE -> (waiting) -> BASE

    def fire(self) -> None:
        if self.state != "BASE":
            return
        self.state = "BEFORE"
        waiting: list[Deferred[Any]] = []
        for result in self._runPhase("before"):
            if isinstance(result, Deferred):
                waiting.append(result)
        if waiting:
            DeferredList(waiting, consumeErrors=True).addCallback(self._continue)
        else:
            self._continue(None)

    def _continue(self, _: object) -> None:
        self._runPhase("during")
        self._runPhase("after")
        self.state = "BASE"

    def _runPhase(self, phase: str) -> list[object]:
        results: list[object] = []
        triggers = self.triggers[phase]
        while triggers:
            _, callable, args, kwargs = triggers.pop(0)
            try:
                results.append(callable(*args, **kwargs))
            except BaseException:
                _log.failure(
                    "Error in {phase!r} {eventType!r} trigger {trigger!r}:",
                    failure=Failure(),
                    phase=phase,
                    eventType=self.eventType,
                    trigger=callable,
                )
        return results


class SystemEvents:
    """
    The system event triggers of a reactor.
    """

    def __init__(self) -> None:
        self._events: dict[str, _Event] = {}

    def add(
        self,
        phase: str,
        eventType: str,
        callable: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> tuple[str, int]:
        if phase not in PHASES:
            raise ValueError(
                f"no such phase {phase!r}: addSystemEventTrigger takes 'before', "
                "'during' or 'after'"
            )
        if not callable_(callable):
            raise TypeError(f"addSystemEventTrigger needs a callable, not {callable!r}")
        event = self._events.get(eventType)
        if event is None:
            event = self._events[eventType] = _Event(eventType)
        triggerID = next(_ids)
        event.triggers[phase].append((triggerID, callable, args, kwargs))
        return (eventType, triggerID)

    def remove(self, triggerID: object) -> None:
        if isinstance(triggerID, tuple) and len(triggerID) == 2:
            eventType, number = triggerID
            event = self._events.get(eventType)
            if event is not None:
                for triggers in event.triggers.values():
                    for index, trigger in enumerate(triggers):
                        if trigger[0] == number:
                            del triggers[index]
                            return
        raise ValueError(
            f"no system event trigger with ID {triggerID!r}: it was removed, has "
            "already run, or did not come from addSystemEventTrigger"
        )

    def fire(self, eventType: str) -> None:
        event = self._events.get(eventType)
        if event is not None:
            event.fire()


callable_ = callable

__all__ = ["PHASES", "SystemEvents"]
