# The dirty-reactor check: what a test left behind on a reactor, reported
# and cleaned up so that the next test starts clean.
#
# How it works
# ------------
# cleanReactor() looks at three kinds of leftovers, in this order:
#   1. thread-pool jobs: the reactor's pool (reactor.threadpool) still has
#      jobs running or queued.  A job that has just delivered its result may
#      not be back in the pool yet when the test ends (the test's Deferred
#      fired from inside the job), so the check waits a moment (THREAD_GRACE)
#      for the pool to fall idle before it calls anything dirty.  A pool
#      created while the reactor was not running has not started (the
#      reactor starts it when it runs): it is started here, so its queued
#      jobs get that moment too.  A pool still busy after that moment is
#      abandoned: the reactor gets a new one on its next getThreadPool(),
#      and the old one is stopped in a background thread (its running jobs
#      finish, its queued ones are dropped; Python threads cannot be
#      killed).  A pool started here is left running instead: the reactor
#      still holds a "start the pool" trigger for its next run, which would
#      fail on a stopped pool.
#   2. delayed calls: first the reactor runs two iterations without waiting
#      (as trial does), so that calls due now (callLater(0, ...)) and calls
#      from threads run (not on a reactor stopped for good, which has
#      released its poller); the calls still pending are then reported, by
#      their repr, and cancelled.
#   3. selectables: the descriptors in getReaders()/getWriters() are
#      reported, removed, and told connectionLost (which closes a real
#      transport's socket); a process transport is killed first.
# A baseline (what existed when the test started) can be given: its calls
# and selectables are not the test's, and are left alone.  The pytest plugin
# uses it so that a module- or session-scoped fixture's listening port is
# not taken for a leftover.
from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from torsion.internet._delayedcall import DelayedCall
from torsion.internet.error import ConnectionLost
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.trial._waiting import StopPatch

_log = Logger(namespace="torsion.trial")

# How long the check waits for thread-pool jobs to finish, in seconds.
THREAD_GRACE = 1.0


class DirtyReactorAggregateError(Exception):
    """
    A test left work behind on the reactor: timed calls still pending,
    descriptors still watched, or thread-pool jobs still running.

    @ivar delayedCalls: The repr of each pending call, cancelled since.
    @ivar selectables: The repr of each descriptor still watched, removed
        and disconnected since.
    @ivar threadJobs: A description of each thread pool still busy.
    @ivar where: Names the test, if known.
    """

    def __init__(
        self,
        delayedCalls: Sequence[str],
        selectables: Sequence[str] | None = None,
        threadJobs: Sequence[str] | None = None,
        where: str | None = None,
    ) -> None:
        """
        @param delayedCalls: The repr of each pending call.
        @param selectables: The repr of each descriptor still watched.
        @param threadJobs: A description of each busy thread pool.
        @param where: Names the test, for the message.
        """
        super().__init__(delayedCalls, selectables, threadJobs, where)
        self.delayedCalls = list(delayedCalls)
        self.selectables = list(selectables or [])
        self.threadJobs = list(threadJobs or [])
        self.where = where

    def __str__(self) -> str:
        test = f"{self.where} " if self.where else "The test "
        lines = [
            f"Reactor was unclean: {test}left work behind on the reactor.  It has been "
            "cleaned up (see below) so that the next test starts clean; make the test "
            "finish or cancel its own work before it ends."
        ]
        if self.delayedCalls:
            lines.append(
                "DelayedCalls still pending (now cancelled): cancel each call the test "
                "schedules (call.cancel()), or wait for it to run.  To see where each "
                f"was scheduled, set {DelayedCall.__module__}.DelayedCall.debug = True:"
            )
            lines.extend(self.delayedCalls)
        if self.selectables:
            lines.append(
                "Selectables still watched for reading or writing (now removed, and "
                "their connectionLost called): close each one (transport.loseConnection(), "
                "port.stopListening()) and wait until it has closed:"
            )
            lines.extend(self.selectables)
        if self.threadJobs:
            lines.append(
                "Thread-pool jobs still running or queued (the reactor gets a new thread "
                "pool): wait for each job's result (the Deferred from deferToThread) "
                "before the test ends, and make sure the job can finish:"
            )
            lines.extend(self.threadJobs)
        return "\n".join(lines)


@dataclass
class Baseline:
    """
    What was on a reactor before a test: not the test's leftovers.
    """

    calls: set[Any] = field(default_factory=set)
    selectables: set[Any] = field(default_factory=set)


def snapshot(reactor: Any) -> Baseline:
    """
    @return: The calls and selectables C{reactor} has now.
    """
    return Baseline(set(reactor.getDelayedCalls()), set(_selectablesOf(reactor)))


def _selectablesOf(reactor: Any) -> list[Any]:
    getReaders = getattr(reactor, "getReaders", None)
    getWriters = getattr(reactor, "getWriters", None)
    if getReaders is None or getWriters is None:
        return []
    found: list[Any] = []
    seen: set[int] = set()
    for selectable in [*getReaders(), *getWriters()]:
        if id(selectable) not in seen:
            seen.add(id(selectable))
            found.append(selectable)
    return found


def cleanReactor(
    reactor: Any,
    baseline: Baseline | None = None,
    where: str | None = None,
    stopCrashes: bool = False,
) -> DirtyReactorAggregateError | None:
    """
    Find what a test left on C{reactor}, clean it up, and describe it.

    @param baseline: What was there before the test; left alone.
    @param where: Names the test, for the message.
    @param stopCrashes: Make C{reactor.stop()} crash it meanwhile (for the
        global reactor, which must stay restartable).
    @return: The error describing the leftovers, or L{None} if there were
        none.
    """
    patch = StopPatch(reactor)
    if stopCrashes:
        patch.apply()
    try:
        threadJobs = _settleThreadPool(reactor)
        calls = _cleanDelayedCalls(reactor, baseline)
        selectables = _cleanSelectables(reactor, baseline)
    finally:
        patch.restore()
    if calls or selectables or threadJobs:
        return DirtyReactorAggregateError(calls, selectables, threadJobs, where)
    return None


def _cleanDelayedCalls(reactor: Any, baseline: Baseline | None) -> list[str]:
    # Run what is due now, twice: a due call may schedule another at once.
    for _ in range(2):
        try:
            reactor.iterate(0)
        except (OSError, ValueError):
            # A reactor stopped for good has released its poller (and
            # calls and I/O dispatch report their own errors): nothing
            # will run on it any more, so only the reporting is left.
            break
    leftOver: list[str] = []
    for call in reactor.getDelayedCalls():
        if baseline is not None and call in baseline.calls:
            continue
        leftOver.append(repr(call))
        if call.active():
            call.cancel()
    return leftOver


def _cleanSelectables(reactor: Any, baseline: Baseline | None) -> list[str]:
    from torsion.internet.interfaces import IProcessTransport

    leftOver: list[str] = []
    for selectable in _selectablesOf(reactor):
        if baseline is not None and selectable in baseline.selectables:
            continue
        leftOver.append(repr(selectable))
        reactor.removeReader(selectable)
        reactor.removeWriter(selectable)
        try:
            if IProcessTransport.providedBy(selectable):
                selectable.signalProcess("KILL")
            selectable.connectionLost(
                Failure(ConnectionLost("the test ended with this connection still open"))
            )
        except Exception:
            _log.failure(
                "Error while disconnecting {selectable!r}, left behind by a test:",
                selectable=selectable,
            )
    return leftOver


def _jobsOf(pool: Any) -> tuple[int, int]:
    """
    @return: How many jobs C{pool} is running, and how many are queued.
    """
    queued = int(pool.q.qsize())
    # ThreadPool has no public count of busy workers (Twisted's has the
    # `working` list): use it if it appears, else the pool's own counters.
    working = getattr(pool, "working", None)
    if working is not None:
        return len(working), queued
    busy = getattr(pool, "_busy", None)
    if isinstance(busy, int):
        return busy, queued
    return max(0, len(pool.threads) - int(getattr(pool, "_idle", 0))), queued


def _settleThreadPool(reactor: Any) -> list[str]:
    pool = getattr(reactor, "threadpool", None)
    if pool is None or pool.joined:
        return []
    running, queued = _jobsOf(pool)
    if not running and not queued:
        return []
    startedHere = False
    if not pool.started:
        pool.start()
        startedHere = True
    deadline = time.monotonic() + THREAD_GRACE
    while (running or queued) and time.monotonic() < deadline:
        time.sleep(0.001)
        running, queued = _jobsOf(pool)
    if not running and not queued:
        return []
    description = f"{pool!r}: {running} job(s) running, {queued} queued"
    reactor.threadpool = None
    if not startedHere:
        threading.Thread(
            target=pool.stop, name="torsion.trial: stopping an abandoned thread pool", daemon=True
        ).start()
    return [description]


__all__ = ["THREAD_GRACE", "Baseline", "DirtyReactorAggregateError", "cleanReactor", "snapshot"]
