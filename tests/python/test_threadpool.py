"""
Tests for torsion.python.threadpool: a pool of real threads.

Nothing here sleeps for time to pass: threads are synchronised with
events, barriers and joins, whose timeouts only bound how long a failing
test takes.
"""

from __future__ import annotations

import contextvars
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from torsion.logger import LogEvent, LogLevel, globalLogPublisher
from torsion.python.failure import Failure
from torsion.python.threadpool import PoolStoppedError, ThreadPool

TIMEOUT = 10.0

_request: contextvars.ContextVar[str] = contextvars.ContextVar("_request", default="none")


def waitFor(event: threading.Event) -> None:
    """
    Wait for C{event}, failing the test if it takes more than L{TIMEOUT}.
    """
    assert event.wait(TIMEOUT), "timed out waiting for another thread"


class ExitTrackingThread(threading.Thread):
    """
    A thread that counts, on a shared semaphore, when it has finished.
    """

    exits = threading.Semaphore(0)

    def run(self) -> None:
        try:
            super().run()
        finally:
            type(self).exits.release()


def trackingPool(minthreads: int, maxthreads: int) -> tuple[ThreadPool, threading.Semaphore]:
    """
    A pool whose worker threads release the returned semaphore when they exit.
    """
    exits = threading.Semaphore(0)
    factory = type("Tracking", (ExitTrackingThread,), {"exits": exits})
    pool = ThreadPool(minthreads, maxthreads, "tracked")
    pool.threadFactory = factory
    return pool, exits


def awaitExits(exits: threading.Semaphore, count: int) -> None:
    """
    Wait until C{count} tracked threads have exited.
    """
    for _ in range(count):
        assert exits.acquire(timeout=TIMEOUT), "timed out waiting for a worker to exit"


@pytest.fixture
def pools() -> Iterator[list[ThreadPool]]:
    """
    Pools to stop at the end of the test, whatever happens.
    """
    made: list[ThreadPool] = []
    yield made
    for pool in made:
        pool.stop()


@pytest.fixture
def logged() -> Iterator[list[LogEvent]]:
    """
    Every event from the thread pool's logger during the test.
    """
    events: list[LogEvent] = []

    def observer(event: LogEvent) -> None:
        if event.get("log_namespace") == "torsion.python.threadpool":
            events.append(event)

    globalLogPublisher.addObserver(observer)
    yield events
    globalLogPublisher.removeObserver(observer)


class Blocker:
    """
    Jobs that block until released, and a count of how many have started.
    """

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.started: list[int] = []
        self.running = 0
        self.mostRunning = 0
        self._startedCondition = threading.Condition(self._lock)

    def job(self, n: int) -> int:
        """
        Note that job C{n} started, block until released, return C{n}.
        """
        with self._lock:
            self.started.append(n)
            self.running += 1
            self.mostRunning = max(self.mostRunning, self.running)
            self._startedCondition.notify_all()
        waitFor(self.release)
        with self._lock:
            self.running -= 1
        return n

    def waitForStarted(self, count: int) -> None:
        """
        Wait until C{count} jobs have started.
        """
        with self._lock:
            ok = self._startedCondition.wait_for(lambda: len(self.started) >= count, TIMEOUT)
        assert ok, f"only {len(self.started)} of {count} jobs started"


class Results:
    """
    An C{onResult} that collects outcomes and signals when C{count} arrived.
    """

    def __init__(self, count: int = 1) -> None:
        self.outcomes: list[tuple[bool, Any, str]] = []
        self._count = count
        self.done = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, success: bool, result: Any) -> None:
        with self._lock:
            self.outcomes.append((success, result, threading.current_thread().name))
            if len(self.outcomes) >= self._count:
                self.done.set()

    def wait(self) -> list[tuple[bool, Any, str]]:
        """
        Wait for the expected outcomes and return them.
        """
        waitFor(self.done)
        return self.outcomes


class ConstructionTests:
    """
    Creating a pool, its sizes and names.
    """

    def test_defaults(self) -> None:
        """
        A pool is made with min 5, max 20, no name, not started, and no
        threads until it starts.
        """
        pool = ThreadPool()
        assert (pool.min, pool.max, pool.name) == (5, 20, None)
        assert (pool.started, pool.joined) == (False, False)
        assert pool.threads == []
        assert pool.workers == 0
        assert pool.q.qsize() == 0

    def test_badSizes(self) -> None:
        """
        A negative minimum, or a maximum below the minimum, is refused with
        a message naming the values.
        """
        with pytest.raises(ValueError, match=r"^minthreads must be 0 or more, not -1; "):
            ThreadPool(-1, 5)
        with pytest.raises(
            ValueError, match=r"^maxthreads \(2\) must be at least minthreads \(3\); "
        ):
            ThreadPool(3, 2)

    def test_publicNames(self) -> None:
        """
        The pool and its error belong to the public module.
        """
        assert ThreadPool.__module__ == "torsion.python.threadpool"
        assert PoolStoppedError.__module__ == "torsion.python.threadpool"

    def test_repr(self, pools: list[ThreadPool]) -> None:
        """
        The repr names the pool and shows its state and sizes.
        """
        pool = ThreadPool(1, 3, "reprs")
        pools.append(pool)
        assert repr(pool) == "<ThreadPool 'reprs' not started min=1 max=3 threads=0 queued=0>"
        pool.start()
        assert repr(pool) == "<ThreadPool 'reprs' started min=1 max=3 threads=1 queued=0>"
        pool.stop()
        assert repr(pool) == "<ThreadPool 'reprs' stopped min=1 max=3 threads=0 queued=0>"


class StartTests:
    """
    Starting a pool creates its minimum of threads; more come on demand.
    """

    def test_startCreatesMin(self, pools: list[ThreadPool]) -> None:
        """
        start() creates C{min} daemon threads named C{<name>-worker-<n>}.
        """
        pool = ThreadPool(3, 10, "starter")
        pools.append(pool)
        pool.start()
        assert pool.started
        assert sorted(t.name for t in pool.threads) == [
            "starter-worker-1",
            "starter-worker-2",
            "starter-worker-3",
        ]
        assert all(t.daemon and t.is_alive() for t in pool.threads)
        assert pool.workers == 3

    def test_unnamedPoolThreadNames(self, pools: list[ThreadPool]) -> None:
        """
        The threads of a pool without a name are named after a pool number.
        """
        pool = ThreadPool(1, 1)
        pools.append(pool)
        pool.start()
        [thread] = pool.threads
        assert re.fullmatch(r"ThreadPool-\d+-worker-1", thread.name)
        assert pool.name is None

    def test_startTwice(self, pools: list[ThreadPool]) -> None:
        """
        Starting a started pool does nothing more.
        """
        pool = ThreadPool(2, 4)
        pools.append(pool)
        pool.start()
        pool.start()
        assert pool.workers == 2

    def test_workQueuedBeforeStart(self, pools: list[ThreadPool]) -> None:
        """
        Work submitted before start() waits, with no thread created, and
        runs once the pool starts.
        """
        pool = ThreadPool(0, 2)
        pools.append(pool)
        ran = threading.Event()
        pool.callInThread(ran.set)
        assert pool.threads == []
        assert pool.q.qsize() == 1
        assert not ran.is_set()
        pool.start()
        waitFor(ran)
        assert pool.q.qsize() == 0

    def test_threadsOnDemand(self, pools: list[ThreadPool]) -> None:
        """
        A pool with min 0 creates one thread per concurrent job, up to max.
        """
        pool = ThreadPool(0, 5)
        pools.append(pool)
        pool.start()
        assert pool.threads == []
        blocker = Blocker()
        for n in range(3):
            pool.callInThread(blocker.job, n)
        blocker.waitForStarted(3)
        assert pool.workers == 3
        assert blocker.running == 3
        blocker.release.set()

    def test_maxUnderLoad(self, pools: list[ThreadPool]) -> None:
        """
        Under more concurrent jobs than C{max}, exactly C{max} threads run
        jobs and the rest wait in the queue; all of them eventually run.
        """
        pool = ThreadPool(1, 3)
        pools.append(pool)
        pool.start()
        blocker = Blocker()
        results = Results(10)
        for n in range(10):
            pool.callInThreadWithCallback(results, blocker.job, n)
        blocker.waitForStarted(3)
        assert pool.workers == 3
        assert pool.q.qsize() == 7
        assert sorted(blocker.started) == [0, 1, 2]
        blocker.release.set()
        outcomes = results.wait()
        assert sorted(result for _, result, _ in outcomes) == list(range(10))
        assert blocker.mostRunning == 3
        assert pool.workers == 3

    def test_idleThreadsReused(self, pools: list[ThreadPool]) -> None:
        """
        Jobs run one after another reuse idle threads rather than creating
        a thread per job.
        """
        pool = ThreadPool(0, 20)
        pools.append(pool)
        pool.start()
        names: set[str] = set()
        for n in range(20):
            results = Results()
            pool.callInThreadWithCallback(results, int, n)
            [(success, result, name)] = results.wait()
            assert (success, result) == (True, n)
            names.add(name)
        assert len(names) < 20
        assert pool.workers < 20

    def test_startStoppedPool(self) -> None:
        """
        A stopped pool cannot be started again.
        """
        pool = ThreadPool(0, 1, "done")
        pool.start()
        pool.stop()
        with pytest.raises(
            PoolStoppedError, match=r"^thread pool 'done' is stopped and cannot run <bound method"
        ):
            pool.start()
        assert not pool.started


class JobTests:
    """
    Running jobs, and where their results and exceptions go.
    """

    def test_callInThread(self, pools: list[ThreadPool]) -> None:
        """
        callInThread runs the function with its arguments in a worker thread.
        """
        pool = ThreadPool(0, 2, "calls")
        pools.append(pool)
        pool.start()
        seen: list[object] = []
        done = threading.Event()

        def job(a: int, b: int, *, c: str) -> None:
            seen.append((a, b, c, threading.current_thread().name))
            done.set()

        pool.callInThread(job, 1, 2, c="three")
        waitFor(done)
        assert seen == [(1, 2, "three", "calls-worker-1")]

    def test_callbackSuccess(self, pools: list[ThreadPool]) -> None:
        """
        onResult gets C{(True, result)} in the worker thread.
        """
        pool = ThreadPool(0, 1, "cb")
        pools.append(pool)
        pool.start()
        results = Results()
        pool.callInThreadWithCallback(results, pow, 2, 10)
        assert results.wait() == [(True, 1024, "cb-worker-1")]

    def test_callbackFailure(self, pools: list[ThreadPool]) -> None:
        """
        onResult gets C{(False, failure)} in the worker thread when the job
        raises, and nothing is logged.
        """
        pool = ThreadPool(0, 1, "cb")
        pools.append(pool)
        pool.start()
        results = Results()

        def job() -> None:
            raise ValueError("bad input")

        pool.callInThreadWithCallback(results, job)
        [(success, failure, name)] = results.wait()
        assert (success, name) == (False, "cb-worker-1")
        assert isinstance(failure, Failure)
        assert failure.check(ValueError)
        assert failure.getErrorMessage() == "bad input"

    def test_noneCallback(self, pools: list[ThreadPool]) -> None:
        """
        callInThreadWithCallback with onResult L{None} runs the job and
        drops its result.
        """
        pool = ThreadPool(0, 1)
        pools.append(pool)
        pool.start()
        done = threading.Event()
        pool.callInThreadWithCallback(None, done.set)
        waitFor(done)
        assert done.is_set()

    def test_exceptionLogged(self, pools: list[ThreadPool], loggedFailures: list[LogEvent]) -> None:
        """
        An exception raised by a job without onResult is logged as a
        critical failure naming the pool and the job, and the worker goes
        on to the next job.
        """
        pool = ThreadPool(0, 1, "loud")
        pools.append(pool)
        pool.start()

        def explode() -> None:
            raise ZeroDivisionError("boom")

        after = threading.Event()
        pool.callInThread(explode)
        pool.callInThread(after.set)
        waitFor(after)
        [event] = loggedFailures
        assert event["log_failure"].check(ZeroDivisionError)
        assert event["log_level"] is LogLevel.critical
        assert event["log_namespace"] == "torsion.python.threadpool"
        assert event["pool"] == "loud"
        assert event["job"] is explode

    def test_baseExceptionReported(
        self, pools: list[ThreadPool], loggedFailures: list[LogEvent]
    ) -> None:
        """
        Even C{SystemExit} from a job is reported, not silently ending the
        worker thread, which keeps working.
        """
        pool = ThreadPool(0, 1)
        pools.append(pool)
        pool.start()
        after = threading.Event()
        pool.callInThread(sys.exit, 3)
        pool.callInThread(after.set)
        waitFor(after)
        [event] = loggedFailures
        assert event["log_failure"].check(SystemExit)
        assert pool.workers == 1

    def test_onResultExceptionLogged(
        self, pools: list[ThreadPool], loggedFailures: list[LogEvent]
    ) -> None:
        """
        An exception raised by onResult is logged, and the pool keeps working.
        """
        pool = ThreadPool(0, 1, "cb")
        pools.append(pool)
        pool.start()

        def onResult(success: bool, result: object) -> None:
            raise KeyError("missing")

        after = threading.Event()
        pool.callInThreadWithCallback(onResult, int, "7")
        pool.callInThread(after.set)
        waitFor(after)
        [event] = loggedFailures
        assert event["log_failure"].check(KeyError)
        assert event["onResult"] is onResult
        assert event["job"] is int

    def test_contextVariables(self, pools: list[ThreadPool]) -> None:
        """
        A job runs in a copy of its submitter's context: it sees the values
        set when it was submitted, and what it sets stays in its own copy,
        which onResult shares.
        """
        pool = ThreadPool(0, 1)
        pools.append(pool)
        pool.start()

        def job() -> str:
            seen = _request.get()
            _request.set("changed by job")
            return seen

        token = _request.set("first")
        try:
            first = Results()

            def onResult(success: bool, result: object) -> None:
                first(success, (result, _request.get()))

            pool.callInThreadWithCallback(onResult, job)
            _request.set("second")
            second = Results()
            pool.callInThreadWithCallback(second, job)
            assert [r for _, r, _ in first.wait()] == [("first", "changed by job")]
            assert [r for _, r, _ in second.wait()] == ["second"]
            assert _request.get() == "second"
        finally:
            _request.reset(token)

    def test_dumpStats(self, pools: list[ThreadPool], logged: list[LogEvent]) -> None:
        """
        dumpStats logs the queue length and the idle and total threads.
        """
        pool = ThreadPool(0, 1, "stats")
        pools.append(pool)
        pool.callInThreadWithCallback(lambda success, result: None, print)
        pool.dumpStats()
        [event] = logged
        assert event["log_level"] is LogLevel.info
        assert (event["pool"], event["queued"], event["idle"], event["total"]) == (
            "stats",
            1,
            0,
            0,
        )


class StopTests:
    """
    Stopping a pool: running jobs finish, queued ones are dropped, workers
    are joined, and new work is refused.
    """

    def test_stopJoins(self) -> None:
        """
        stop() returns once every worker thread has exited.
        """
        pool = ThreadPool(3, 3)
        pool.start()
        threads = pool.threads
        pool.stop()
        assert (pool.started, pool.joined) == (False, True)
        assert pool.threads == []
        assert [t.is_alive() for t in threads] == [False, False, False]

    def test_stopRefusesWork(self) -> None:
        """
        A stopped pool refuses work with an error naming the pool and the job.
        """
        pool = ThreadPool(0, 1, "closed")
        pool.start()
        pool.stop()
        with pytest.raises(
            PoolStoppedError,
            match=r"^thread pool 'closed' is stopped and cannot run <built-in function print>; "
            r"a stopped ThreadPool cannot be restarted, create a new one$",
        ) as info:
            pool.callInThread(print)
        assert info.value.job is print
        assert not info.value.queued
        with pytest.raises(PoolStoppedError):
            pool.callInThreadWithCallback(None, print)
        assert pool.q.qsize() == 0

    def test_stopTwice(self) -> None:
        """
        Stopping a stopped pool does nothing.
        """
        pool = ThreadPool(1, 1)
        pool.start()
        pool.stop()
        pool.stop()
        assert pool.joined

    def test_stopFinishesRunningDropsQueued(self, logged: list[LogEvent]) -> None:
        """
        stop() lets the running job finish, fails the queued jobs that have
        an onResult with L{PoolStoppedError}, reports the others in one
        warning, and returns once the worker has exited.
        """
        pool = ThreadPool(0, 1, "busy")
        pool.start()
        blocker = Blocker()
        running = Results()
        pool.callInThreadWithCallback(running, blocker.job, 1)
        blocker.waitForStarted(1)

        queued = Results()
        neverRan: list[int] = []
        pool.callInThreadWithCallback(queued, blocker.job, 2)
        pool.callInThread(neverRan.append, 3)

        stopper = threading.Thread(target=pool.stop)
        stopper.start()
        [(success, failure, name)] = queued.wait()
        assert (success, name) == (False, stopper.name)
        assert failure.check(PoolStoppedError)
        assert failure.value.queued
        assert str(failure.value) == (
            f"thread pool 'busy' was stopped before {blocker.job!r} started, so it never "
            "ran; stop() finishes running jobs but drops queued ones"
        )
        assert stopper.is_alive()  # still joining the busy worker

        blocker.release.set()
        stopper.join(TIMEOUT)
        assert not stopper.is_alive()
        assert running.wait()[0][:2] == (True, 1)
        assert neverRan == []
        assert blocker.started == [1]
        [warning] = logged
        assert warning["log_level"] is LogLevel.warn
        assert (warning["pool"], warning["count"]) == ("busy", 1)

    def test_stopNotStarted(self) -> None:
        """
        Stopping a pool that never started drops its queued work, failing
        it for whoever waits on the outcome.
        """
        pool = ThreadPool(0, 1)
        results = Results()
        pool.callInThreadWithCallback(results, print)
        pool.stop()
        [(success, failure, _)] = results.wait()
        assert not success
        assert failure.check(PoolStoppedError)
        assert pool.joined

    def test_stopFromJob(self) -> None:
        """
        A job may stop its own pool: the other workers are joined, and the
        one running the job exits after it.
        """
        pool = ThreadPool(3, 3)
        pool.start()
        threads = pool.threads
        stopped = threading.Event()

        def job() -> None:
            pool.stop()
            stopped.set()

        pool.callInThread(job)
        waitFor(stopped)
        for thread in threads:
            thread.join(TIMEOUT)
        assert [t.is_alive() for t in threads] == [False, False, False]
        assert pool.joined
        assert pool.threads == []

    def test_processExitsWithoutStop(self) -> None:
        """
        A process whose pool has busy workers and queued work, and which
        never calls stop(), still exits promptly: workers are daemon threads.
        """
        script = (
            "import threading\n"
            "from torsion.python.threadpool import ThreadPool\n"
            "pool = ThreadPool(1, 2)\n"
            "pool.start()\n"
            "started = threading.Barrier(3)\n"
            "forever = threading.Event()\n"
            "def job():\n"
            "    started.wait()\n"
            "    forever.wait()\n"
            "for _ in range(5):\n"
            "    pool.callInThread(job)\n"
            "started.wait()\n"
            "print(pool.workers, pool.q.qsize())\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, "2 3\n", "")


class AdjustPoolsizeTests:
    """
    Changing a pool's sizes while it runs.
    """

    def test_raiseMinStartsThreads(self, pools: list[ThreadPool]) -> None:
        """
        Raising C{min} creates threads at once.
        """
        pool = ThreadPool(0, 5)
        pools.append(pool)
        pool.start()
        pool.adjustPoolsize(minthreads=4)
        assert (pool.min, pool.max, pool.workers) == (4, 5, 4)

    def test_raiseMaxServesQueue(self, pools: list[ThreadPool]) -> None:
        """
        Raising C{max} creates threads for the jobs waiting in the queue.
        """
        pool = ThreadPool(0, 1)
        pools.append(pool)
        pool.start()
        blocker = Blocker()
        for n in range(4):
            pool.callInThread(blocker.job, n)
        blocker.waitForStarted(1)
        assert pool.q.qsize() == 3
        pool.adjustPoolsize(maxthreads=3)
        blocker.waitForStarted(3)
        assert pool.workers == 3
        assert pool.q.qsize() == 1
        blocker.release.set()

    def test_lowerMaxStopsIdleThreads(self) -> None:
        """
        Lowering C{max} below the threads alive makes the idle extra
        threads exit.
        """
        pool, exits = trackingPool(4, 4)
        pool.start()
        pool.adjustPoolsize(minthreads=1, maxthreads=1)
        awaitExits(exits, 3)
        assert pool.workers == 1
        assert (pool.min, pool.max) == (1, 1)
        pool.stop()
        awaitExits(exits, 1)

    def test_lowerMaxStopsBusyThreadsAfterTheirJob(self) -> None:
        """
        Busy threads beyond a lowered C{max} finish their job, then exit;
        queued jobs then run on the threads that remain.
        """
        pool, exits = trackingPool(0, 3)
        pool.start()
        blocker = Blocker()
        results = Results(5)
        for n in range(5):
            pool.callInThreadWithCallback(results, blocker.job, n)
        blocker.waitForStarted(3)
        pool.adjustPoolsize(maxthreads=1)
        assert pool.workers == 3  # all busy: none has left yet
        blocker.release.set()
        awaitExits(exits, 2)
        assert sorted(r for _, r, _ in results.wait()) == [0, 1, 2, 3, 4]
        assert pool.workers == 1
        pool.stop()

    def test_lowerThenRaiseMax(self, pools: list[ThreadPool]) -> None:
        """
        Raising C{max} again before busy extra threads have left keeps them
        rather than creating new ones.
        """
        pool = ThreadPool(0, 3)
        pools.append(pool)
        pool.start()
        blocker = Blocker()
        for n in range(3):
            pool.callInThread(blocker.job, n)
        blocker.waitForStarted(3)
        pool.adjustPoolsize(maxthreads=1)
        pool.adjustPoolsize(maxthreads=3)
        pool.callInThread(blocker.job, 3)
        assert pool.workers == 3
        assert pool.q.qsize() == 1
        blocker.release.set()
        blocker.waitForStarted(4)

    def test_keepSizes(self, pools: list[ThreadPool]) -> None:
        """
        adjustPoolsize() with no arguments keeps both sizes.
        """
        pool = ThreadPool(2, 7)
        pools.append(pool)
        pool.adjustPoolsize()
        assert (pool.min, pool.max) == (2, 7)

    def test_badSizes(self, pools: list[ThreadPool]) -> None:
        """
        Sizes that do not fit are refused, and the old ones are kept.
        """
        pool = ThreadPool(2, 7)
        pools.append(pool)
        with pytest.raises(ValueError, match=r"^maxthreads \(1\) must be at least minthreads"):
            pool.adjustPoolsize(maxthreads=1)
        with pytest.raises(ValueError, match=r"^minthreads must be 0 or more, not -3;"):
            pool.adjustPoolsize(minthreads=-3)
        assert (pool.min, pool.max) == (2, 7)

    def test_adjustStoppedPool(self) -> None:
        """
        Adjusting a stopped pool records the sizes but starts no thread.
        """
        pool = ThreadPool(0, 1)
        pool.start()
        pool.stop()
        pool.adjustPoolsize(minthreads=3, maxthreads=3)
        assert (pool.min, pool.max, pool.workers) == (3, 3, 0)


def test_threadFactory(pools: list[ThreadPool]) -> None:
    """
    Worker threads are made by C{threadFactory}, with a name and as daemons.
    """
    made: list[dict[str, Any]] = []

    def factory(**kwargs: Any) -> threading.Thread:
        made.append(kwargs)
        return threading.Thread(**kwargs)

    pool = ThreadPool(1, 1, "factory")
    pools.append(pool)
    pool.threadFactory = factory
    pool.start()
    [kwargs] = made
    assert (kwargs["name"], kwargs["daemon"]) == ("factory-worker-1", True)
    target: Callable[[], None] = kwargs["target"]
    assert callable(target)


if TYPE_CHECKING:
    # Checked by mypy, never run: calls are checked against the function's
    # parameters, and onResult against its return type.
    def _typeChecks(pool: ThreadPool) -> None:
        def onCount(success: bool, result: int | Failure) -> None:
            pass

        def scale(value: int, factor: float = 1.0) -> float:
            return value * factor

        pool.callInThread(scale, 7, factor=2.0)
        pool.callInThreadWithCallback(onCount, len, "abc")
        pool.callInThreadWithCallback(None, scale, 3)
        pool.callInThread(scale, "7")  # type: ignore[arg-type]
        pool.callInThread(scale)  # type: ignore[call-arg]
        pool.callInThread(scale, 7, size=2)  # type: ignore[call-arg]
        pool.callInThreadWithCallback(onCount, str, 1)  # type: ignore[misc]
