# A pool of worker threads that run blocking calls.
#
# How it works
# ------------
# One lock guards all the pool's state, and one condition on that lock
# ("work may be available") is what idle workers wait on.  The state is:
#
#   _pending   a deque of _Job objects submitted and not yet taken
#   _threads   the live worker threads
#   _idle      how many workers are waiting on the condition right now
#   _busy      how many workers have taken a job and not yet come back
#   _quitting  how many workers have been asked to exit (to shrink the pool)
#
# A worker loops: under the lock, take the oldest pending job (or, if the
# pool is shutting down or shrinking, remove itself from _threads and exit;
# or, if nothing is pending, wait on the condition), then run the job with
# the lock released.
#
# _balance() decides how many threads there should be; it runs whenever
# that can change (start, a submission, adjustPoolsize, a worker dying
# abnormally).  Threads are created lazily: start() creates `min` of them,
# and a submission creates one more only when the pending jobs outnumber
# the workers that are not busy (idle, or created and not yet looking for
# work), never going past `max`: the pool wants busy + pending threads.
# A worker counts as busy until it is back under the lock, so a job
# submitted in the instant between a worker finishing and it looking for
# more work may create a thread that is not strictly needed.
#
# Idle workers are kept and reused; they exit only at stop(), or when
# adjustPoolsize() lowers `max` below the number alive (each worker checks
# _quitting before taking work, so busy workers leave once their current
# job is done).  Keeping idle threads, rather than letting those above
# `min` exit at once, means that a steady trickle of calls into a min=0
# pool reuses one thread instead of creating a thread per call.
#
# A job remembers the contextvars context of the code that submitted it
# (contextvars.copy_context(), one copy per job) and runs there: the job
# sees the submitter's context variables, and what it sets stays in its own
# copy.  The result callback runs in the same copy.
#
# stop() lets the running jobs finish, and refuses the queued ones: they are
# taken off the queue, each onResult is called with a PoolStoppedError
# failure (in the thread calling stop()) and jobs without an onResult are
# reported in one warning.  Then it joins the workers.
#
# A job that waits for the thread calling stop() would make that join wait
# forever: typically a job inside blockingCallFromThread while the reactor
# thread stops the reactor's pool at shutdown.  So stop() first records
# which thread is stopping the pool (_stopper) and sets every Event that a
# job registered with _addStopWaiter; such a job wakes up, sees who is
# stopping the pool, and can give up instead of waiting.  Each worker
# thread knows its pool through a thread-local (currentPool()).  Workers are daemon
# threads, so a process that never calls stop() still exits promptly: the
# interpreter does not wait for them.
from __future__ import annotations

import contextvars
import itertools
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from torsion.logger import Logger
from torsion.python.failure import Failure

_T = TypeVar("_T")
_P = ParamSpec("_P")

_log = Logger(namespace="torsion.python.threadpool")

_poolNumbers = itertools.count(1)

_workerState = threading.local()


def currentPool() -> ThreadPool | None:
    """
    The pool whose worker thread this is, if any.

    @return: The L{ThreadPool} running the current thread, or L{None}.
    """
    pool: ThreadPool | None = getattr(_workerState, "pool", None)
    return pool


class PoolStoppedError(RuntimeError):
    """
    Work was given to a stopped L{ThreadPool}, or a queued job was dropped
    because the pool stopped before the job started.

    @ivar pool: The pool's name, as used in its thread names.
    @ivar job: The callable that was refused.
    @ivar queued: C{True} if the job had been queued and was dropped by
        L{ThreadPool.stop}; C{False} if it was refused on submission.
    """

    def __init__(self, pool: str, job: object, queued: bool = False) -> None:
        """
        @param pool: The pool's name.
        @param job: The callable that was refused.
        @param queued: Whether it was dropped from the queue by C{stop()}.
        """
        super().__init__(pool, job, queued)
        self.pool = pool
        self.job = job
        self.queued = queued

    def __str__(self) -> str:
        if self.queued:
            return (
                f"thread pool {self.pool!r} was stopped before {self.job!r} started, "
                "so it never ran; stop() finishes running jobs but drops queued ones"
            )
        return (
            f"thread pool {self.pool!r} is stopped and cannot run {self.job!r}; "
            "a stopped ThreadPool cannot be restarted, create a new one"
        )


class _Job:
    """
    One submitted call: the callable, its arguments, where its result goes
    and the context it runs in.
    """

    __slots__ = ("args", "context", "func", "kwargs", "onResult")

    def __init__(
        self,
        onResult: Callable[[bool, Any], object] | None,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.context = contextvars.copy_context()
        self.onResult = onResult
        self.func = func
        self.args = args
        self.kwargs = kwargs

    def run(self, pool: str) -> None:
        """
        Run the call in its context, and hand over or log its outcome.

        @param pool: The pool's name, for log messages.
        """
        self.context.run(self._runHere, pool)

    def _runHere(self, pool: str) -> None:
        try:
            result: Any = self.func(*self.args, **self.kwargs)
            success = True
        except BaseException:
            result = Failure()
            success = False
        self.deliver(pool, success, result)

    def deliver(self, pool: str, success: bool, result: Any) -> None:
        """
        Give the outcome to C{onResult}, or log a failure nobody receives.

        @param pool: The pool's name, for log messages.
        @param success: Whether the call returned (rather than raised).
        @param result: The return value, or a L{Failure}.
        """
        onResult = self.onResult
        if onResult is None:
            if not success:
                _log.failure(
                    "Unhandled error in thread pool {pool} running {job!r}",
                    result,
                    pool=pool,
                    job=self.func,
                )
            return
        try:
            onResult(success, result)
        except BaseException:
            _log.failure(
                "Result callback {onResult!r} of thread pool {pool} raised "
                "while handling the outcome of {job!r}",
                pool=pool,
                onResult=onResult,
                job=self.func,
            )


class _QueueSize:
    """
    What L{ThreadPool.q} returns: an object whose C{qsize()} is the number
    of jobs waiting for a worker.
    """

    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool

    def qsize(self) -> int:
        """
        @return: How many submitted jobs no worker has taken yet.
        """
        return self._pool._queued()


class ThreadPool:
    """
    A pool of threads that run blocking calls, so that the reactor thread
    does not have to.

    Threads are created when needed: C{start()} creates C{min} of them, and
    each submission that finds no idle worker creates one more, up to
    C{max}.  Idle threads are kept and reused until L{stop} (or until
    L{adjustPoolsize} lowers C{max}).  Each job runs in a copy of the
    submitter's L{contextvars} context.  Work submitted before L{start}
    waits in the queue and runs once the pool starts.

    @ivar min: The number of threads started by L{start}, at least.
    @ivar max: The most threads alive at once.
    @ivar name: The name given at creation (or L{None}), used in thread
        names and log messages.
    @ivar started: Whether L{start} has been called and L{stop} has not.
    @ivar joined: Whether L{stop} has been called.
    @cvar threadFactory: What creates the worker threads: called like
        L{threading.Thread} with C{target}, C{name} and C{daemon}.
    """

    threadFactory: Callable[..., threading.Thread] = threading.Thread

    def __init__(self, minthreads: int = 5, maxthreads: int = 20, name: str | None = None) -> None:
        """
        @param minthreads: How many threads L{start} creates; at least 0.
        @param maxthreads: The most threads alive at once; at least
            C{minthreads}.
        @param name: A name for the pool, used in its threads' names
            (C{"<name>-worker-<n>"}) and log messages.
        @raise ValueError: If the sizes are negative or C{minthreads} is
            more than C{maxthreads}.
        """
        _checkSizes(minthreads, maxthreads)
        self.min = minthreads
        self.max = maxthreads
        self.name = name
        self.started = False
        self.joined = False
        self._label = name if name is not None else f"ThreadPool-{next(_poolNumbers)}"
        self._workerNumbers = itertools.count(1)
        self._lock = threading.Lock()
        self._wakeUp = threading.Condition(self._lock)
        self._pending: deque[_Job] = deque()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._busy = 0
        self._quitting = 0
        self._stopper: threading.Thread | None = None
        self._stopWaiters: set[threading.Event] = set()

    def __repr__(self) -> str:
        state = "stopped" if self.joined else "started" if self.started else "not started"
        return (
            f"<ThreadPool {self._label!r} {state} min={self.min} max={self.max} "
            f"threads={len(self._threads)} queued={len(self._pending)}>"
        )

    @property
    def threads(self) -> list[threading.Thread]:
        """
        The worker threads alive now, busy or idle (a copy).
        """
        with self._lock:
            return list(self._threads)

    @property
    def workers(self) -> int:
        """
        The number of worker threads alive now, busy or idle.
        """
        return len(self._threads)

    @property
    def q(self) -> _QueueSize:
        """
        An object whose C{qsize()} is the number of jobs waiting for a worker.
        """
        return _QueueSize(self)

    def _queued(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        """
        Start the pool: create C{min} threads, and more if work is already
        queued (up to C{max}).  Starting a started pool does nothing.

        @raise PoolStoppedError: If the pool has been stopped.
        """
        with self._lock:
            if self.joined:
                raise PoolStoppedError(self._label, self.start)
            if self.started:
                return
            self.started = True
            self._balance()

    def stop(self) -> None:
        """
        Stop the pool: let running jobs finish, drop queued ones, and wait
        for every worker thread to exit.

        Each dropped job's C{onResult} (see L{callInThreadWithCallback}) is
        called, in the thread calling C{stop()}, with C{(False, failure)}
        where the failure wraps a L{PoolStoppedError}; dropped jobs without
        one are reported in one warning.  A stopped pool refuses new work
        and cannot be restarted.  Stopping twice does nothing; stopping from
        inside a job waits for every worker but the one running that job.
        """
        with self._lock:
            if self.joined:
                return
            self.joined = True
            self.started = False
            self._stopper = threading.current_thread()
            dropped = list(self._pending)
            self._pending.clear()
            threads = list(self._threads)
            stopWaiters = list(self._stopWaiters)
            self._wakeUp.notify_all()
        for event in stopWaiters:
            event.set()
        self._reportDropped(dropped)
        current = threading.current_thread()
        for thread in threads:
            if thread is not current:
                thread.join()

    def _reportDropped(self, dropped: list[_Job]) -> None:
        silent = []
        for job in dropped:
            if job.onResult is None:
                silent.append(job.func)
                continue
            failure = Failure(PoolStoppedError(self._label, job.func, queued=True))
            job.context.run(job.deliver, self._label, False, failure)
        if silent:
            _log.warn(
                "Thread pool {pool} was stopped with {count} queued job(s) that "
                "never ran: {jobs!r}",
                pool=self._label,
                count=len(silent),
                jobs=silent,
            )

    def callInThread(self, func: Callable[_P, object], *args: _P.args, **kw: _P.kwargs) -> None:
        """
        Call C{func(*args, **kw)} in one of the pool's threads.

        If it raises, the exception is logged (as a critical event with a
        C{log_failure}) through L{torsion.logger}.

        @param func: The callable to run; it may block.
        @raise PoolStoppedError: If the pool has been stopped.
        """
        self._submit(_Job(None, func, args, kw))

    def callInThreadWithCallback(
        self,
        onResult: Callable[[bool, _T | Failure], object] | None,
        func: Callable[_P, _T],
        *args: _P.args,
        **kw: _P.kwargs,
    ) -> None:
        """
        Call C{func(*args, **kw)} in one of the pool's threads, then
        C{onResult} with the outcome.

        C{onResult(True, result)} is called if C{func} returns,
        C{onResult(False, failure)} if it raises (a L{Failure}).  It runs in
        the worker thread, so it should be quick and must not touch
        reactor-thread-only state: with a reactor, it typically hands the
        outcome over with C{reactor.callFromThread}.  If it raises, the
        exception is logged.

        @param onResult: Called with the outcome; L{None} to ignore the
            result (an exception is then logged, as with L{callInThread}).
        @param func: The callable to run; it may block.
        @raise PoolStoppedError: If the pool has been stopped.
        """
        self._submit(_Job(onResult, func, args, kw))

    def _addStopWaiter(self, event: threading.Event) -> threading.Thread | None:
        # Have stop() set `event`.  Returns the thread stopping the pool if
        # stop() has already been called (the event is then not registered).
        with self._lock:
            if self._stopper is None:
                self._stopWaiters.add(event)
            return self._stopper

    def _removeStopWaiter(self, event: threading.Event) -> None:
        with self._lock:
            self._stopWaiters.discard(event)

    def _submit(self, job: _Job) -> None:
        with self._lock:
            if self.joined:
                raise PoolStoppedError(self._label, job.func)
            self._pending.append(job)
            if self._idle:
                self._wakeUp.notify()
            self._balance()

    def adjustPoolsize(self, minthreads: int | None = None, maxthreads: int | None = None) -> None:
        """
        Change C{min} and C{max}, starting or stopping threads to match.

        Raising C{min} starts threads at once; raising C{max} starts threads
        for the work that is waiting.  Lowering C{max} below the number of
        threads alive makes the extra threads exit: idle ones at once, busy
        ones when their current job is done.

        @param minthreads: The new C{min}; L{None} keeps the current one.
        @param maxthreads: The new C{max}; L{None} keeps the current one.
        @raise ValueError: If the sizes are negative or C{min} would be more
            than C{max}.
        """
        with self._lock:
            newMin = self.min if minthreads is None else minthreads
            newMax = self.max if maxthreads is None else maxthreads
            _checkSizes(newMin, newMax)
            self.min = newMin
            self.max = newMax
            self._balance()

    def dumpStats(self) -> None:
        """
        Log the pool's state (queued jobs, idle and total threads) at level
        C{info}.
        """
        with self._lock:
            queued, idle, total = len(self._pending), self._idle, len(self._threads)
        _log.info(
            "Thread pool {pool}: {queued} queued job(s), {idle} idle of {total} thread(s)",
            pool=self._label,
            queued=queued,
            idle=idle,
            total=total,
        )

    # -- Everything below runs with self._lock held, or in a worker thread. --

    def _balance(self) -> None:
        # Called with the lock held.  Bring the number of threads in line
        # with min, max and the amount of pending work.
        if not self.started:
            return
        committed = len(self._threads) - self._quitting
        if committed > self.max:
            self._quitting += committed - self.max
            self._wakeUp.notify_all()
            return
        if self._quitting:
            # max went up again before the extra threads had left: keep them.
            kept = min(self._quitting, self.max - committed)
            self._quitting -= kept
            committed += kept
        wanted = max(self.min, self._busy + len(self._pending))
        for _ in range(min(wanted, self.max) - committed):
            self._startWorker()

    def _startWorker(self) -> None:
        # Called with the lock held.  The new thread blocks on the lock
        # until the caller releases it, so it is in _threads before it runs.
        thread = self.threadFactory(
            target=self._work,
            name=f"{self._label}-worker-{next(self._workerNumbers)}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)

    def _nextJob(self, me: threading.Thread, finished: bool) -> _Job | None:
        # The next job for worker `me` (which has just `finished` one),
        # waiting if there is none; None when `me` must exit, in which case
        # it has been removed from _threads.
        with self._lock:
            if finished:
                self._busy -= 1
            while True:
                if self.joined:
                    self._threads.remove(me)
                    return None
                if self._quitting:
                    self._quitting -= 1
                    self._threads.remove(me)
                    return None
                if self._pending:
                    self._busy += 1
                    return self._pending.popleft()
                self._idle += 1
                try:
                    self._wakeUp.wait()
                finally:
                    self._idle -= 1

    def _work(self) -> None:
        me = threading.current_thread()
        _workerState.pool = self
        busy = False  # whether _busy counts this worker
        try:
            while (job := self._nextJob(me, busy)) is not None:
                busy = True
                job.run(self._label)
                # Drop the job before waiting for the next one, so that an
                # idle worker keeps nothing alive: not the job's arguments,
                # not its result.
                job = None
        finally:
            # `me` is still listed only if something raised out of the
            # loop: uncount it, and replace it if work is waiting.
            with self._lock:
                if me in self._threads:
                    self._threads.remove(me)
                    if busy:
                        self._busy -= 1
                    self._balance()


def _checkSizes(minthreads: int, maxthreads: int) -> None:
    if minthreads < 0:
        raise ValueError(
            f"minthreads must be 0 or more, not {minthreads!r}; "
            "use 0 to start no threads until work arrives"
        )
    if maxthreads < minthreads:
        raise ValueError(
            f"maxthreads ({maxthreads!r}) must be at least minthreads ({minthreads!r}); "
            "raise maxthreads or lower minthreads"
        )
