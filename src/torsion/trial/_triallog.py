# Catching errors logged while a test runs.
#
# A test fails if an error is logged during it and the test does not claim
# it (flushLoggedErrors).  "An error" is any event on
# torsion.logger.globalLogPublisher that carries a log_failure: what
# Logger.failure() emits, and what a Deferred garbage-collected with an
# unhandled failure emits ("Unhandled error in Deferred:").
#
# How it works:
# - Each running test owns an _ErrorLog.  Active logs form a stack; a single
#   module-level observer, on globalLogPublisher only while the stack is not
#   empty, hands each failure event to the log on top of the stack.  When a
#   test runs another test inside it (as this package's own tests do), the
#   inner test's errors therefore belong to the inner test alone.
# - At the end of a test the runner collects garbage (a Deferred caught in
#   a reference cycle logs its unhandled failure only when the collector
#   frees it), then asks the log for what is left and reports it as one
#   failure whose message holds every event's text and traceback.
#
# Collecting garbage cheaply: a full gc.collect() walks every object in the
# process (tens of milliseconds once pytest, hypothesis and the code under
# test are loaded: a trivial test became 25 times slower).  But objects move
# to an older generation only during a collection.  So if no collection ran
# while the test ran, everything the test made is still in generation 0,
# and collecting generation 0 finds all of its garbage; if only generation-0
# collections ran, collecting generations 0 and 1 does.  Otherwise (or on
# Python 3.14+, whose incremental collector works differently) the whole
# heap is collected.  What this can miss is garbage among objects made
# before the test started and promoted by then, which the interpreter's own
# collections report later.
from __future__ import annotations

import gc
import sys

from torsion.logger import LogEvent, eventAsText, globalLogPublisher
from torsion.python.failure import Failure

_active: list[_ErrorLog] = []


def _observe(event: LogEvent) -> None:
    # Installed on globalLogPublisher only while _active is not empty; a
    # test's log may still be stopped by the time a stale delivery lands.
    if "log_failure" in event and _active:
        _active[-1]._events.append(event)


class _ErrorLog:
    """
    The failure events logged while one test runs.
    """

    def __init__(self) -> None:
        self._events: list[LogEvent] = []
        self._collections = _collectionCounts()

    def start(self) -> None:
        """
        Begin receiving failure events (this log goes on top of the stack).
        """
        self._collections = _collectionCounts()
        if not _active:
            globalLogPublisher.addObserver(_observe)
        _active.append(self)

    def stop(self) -> None:
        """
        Stop receiving failure events; stopping twice does nothing.
        """
        if self in _active:
            _active.remove(self)
            if not _active:
                globalLogPublisher.removeObserver(_observe)

    def collectGarbage(self) -> None:
        """
        Collect the garbage made since L{start}, so that Deferreds in it
        with unhandled failures log them now.
        """
        counts = zip(_collectionCounts(), self._collections, strict=True)
        ran = [now - then for now, then in counts]
        if not any(ran):
            gc.collect(0)
        elif ran[1] == ran[2] == 0 and sys.version_info < (3, 14):
            gc.collect(1)
        else:
            gc.collect()

    def flush(self, *errorTypes: type[BaseException]) -> list[Failure]:
        """
        Remove and return the logged failures of the given types.

        @param errorTypes: Exception types to match; none means all.
        @return: The matching failures, in the order they were logged.
        """
        flushed: list[Failure] = []
        kept: list[LogEvent] = []
        for event in self._events:
            failure = event["log_failure"]
            if not errorTypes or (isinstance(failure, Failure) and failure.check(*errorTypes)):
                flushed.append(failure)
            else:
                kept.append(event)
        self._events = kept
        return flushed

    def describe(self, where: str) -> str | None:
        """
        Describe the events not flushed, or return L{None} if there are none.

        The events are forgotten: a second call returns L{None}.

        @param where: Names the test, for the message.
        @return: A message with each event's text and traceback.
        """
        events, self._events = self._events, []
        if not events:
            return None
        count = f"{len(events)} errors were" if len(events) > 1 else "An error was"
        names = sorted({_typeName(event["log_failure"]) for event in events})
        parts = [
            f"{count} logged during {where} and not flushed.  If the test expects "
            f"{'them' if len(events) > 1 else 'it'}, claim "
            f"{'them' if len(events) > 1 else 'it'} with "
            f"flushLoggedErrors({', '.join(names)}).",
        ]
        parts.extend(
            eventAsText(event, includeTimestamp=False).replace("\n\t", "\n") for event in events
        )
        return "\n\n".join(parts)


def _collectionCounts() -> list[int]:
    return [generation["collections"] for generation in gc.get_stats()]


def _typeName(failure: object) -> str:
    if isinstance(failure, Failure):
        return failure.type.__name__
    return type(failure).__name__
