# The reactor core shared by every backend: time, system events, threads,
# signals and the main loop.  A backend adds only "which descriptors are
# ready" (doIteration) and the IReactorFDSet bookkeeping.
#
# How the main loop works
# -----------------------
#     run() -> startRunning(): fire 'startup' (its 'during' phase sets
#              running = True; callWhenRunning calls are 'after startup')
#           -> mainLoop(): while started:
#                  runUntilCurrent()  calls from threads, then due timers,
#                                     then the 'shutdown' event if stop()
#                                     was called since the last iteration
#                  doIteration(timeout())  wait for I/O (or the waker) until
#                                     the next timer is due
# stop() only sets flags: the 'shutdown' event fires at the top of the next
# iteration, outside whatever callback called stop().  Its 'before' phase
# may hold shutdown with Deferreds; its 'during' phase stops the thread pool,
# disconnects every descriptor and crash()es, which ends mainLoop.
#
# Calls from other threads go on a deque (append and popleft are atomic) and
# wake the loop through the waker when the deque was empty; the loop never
# sleeps while the deque is non-empty, so a call appended to a non-empty deque
# needs no wake-up.  Signal handlers (which Python runs in the main thread
# between bytecodes) only ever use callFromThread, so they never touch
# reactor state in the middle of an operation.
from __future__ import annotations

import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from zope.interface import implementer

from torsion.internet._delayedcall import DelayedCall
from torsion.internet._errors import (
    ReactorAlreadyRunning,
    ReactorNotRestartable,
    ReactorNotRunning,
)
from torsion.internet._ireactor import IReactorCore, IReactorThreads, IReactorTime
from torsion.internet._resolver import PluggableResolverMixin
from torsion.internet._systemevents import SystemEvents
from torsion.internet._timerqueue import TimerQueue
from torsion.internet._waker import Waker
from torsion.logger import Logger
from torsion.python._threadable import registerAsIOThread

if TYPE_CHECKING:
    from torsion.python.threadpool import ThreadPool

_log = Logger(namespace="torsion.internet.reactor")


@implementer(IReactorCore, IReactorTime, IReactorThreads)
class ReactorBase(PluggableResolverMixin):
    """
    The backend-independent part of a reactor.

    Name resolution (C{resolve}, C{nameResolver}, C{installNameResolver},
    C{resolver}, C{installResolver}) comes from L{PluggableResolverMixin}.

    Subclasses implement C{doIteration(timeout)} (wait for readiness and
    dispatch), C{_addInternalReader(reader)} (watch the waker) and
    C{disconnectAll()}.
    """

    _threadpoolSize = 10

    def __init__(self) -> None:
        self.running = False
        self._started = False
        self._stopped = True
        self._startedBefore = False
        self._justStopped = False
        self._shutdownSignals = 0
        self._timers = timers = TimerQueue()
        # Bound once: callLater hands them to every DelayedCall.
        self._timerCancelled = timers.cancelled
        self._timerMoved = timers.movedSooner
        self._now: Callable[[], float] = (
            time.time if type(self).seconds is ReactorBase.seconds else self.seconds
        )
        self._events = SystemEvents()
        self._threadCalls: deque[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
        self._threadCalls = deque()
        self._reactorThread: threading.Thread | None = None
        self._oldSignalHandlers: dict[int, Any] = {}
        self._childReapers: list[Callable[[], None]] = []
        self.threadpool: ThreadPool | None = None
        self._threadpoolStartupID: tuple[str, int] | None = None
        self._threadpoolShutdownID: tuple[str, int] | None = None
        self.waker = Waker()
        self._addInternalReader(self.waker)
        self.addSystemEventTrigger("during", "startup", self._reallyStartRunning)
        self.addSystemEventTrigger("during", "shutdown", self.crash)
        self.addSystemEventTrigger("during", "shutdown", self.disconnectAll)

    # -- subclass hooks ------------------------------------------------------

    def doIteration(self, timeout: float | None) -> None:
        """
        Wait up to C{timeout} seconds (L{None}: until woken) for I/O and
        dispatch it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement doIteration")

    def _addInternalReader(self, reader: Waker) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _addInternalReader")

    def disconnectAll(self) -> None:
        """
        Disconnect every descriptor (at shutdown).
        """

    # -- IReactorTime --------------------------------------------------------

    def seconds(self) -> float:
        """
        @return: The current time, as C{time.time()} (as Twisted's reactor).
        """
        return time.time()

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: object, **kw: object
    ) -> DelayedCall:
        """
        Call C{callable(*args, **kw)} C{delay} seconds from now.

        @return: A L{DelayedCall} to cancel or move the call.
        @raise ValueError: If C{delay} is negative.
        @raise TypeError: If C{callable} is not callable.
        """
        if not callable_(callable):
            raise TypeError(f"callLater() needs a callable, not {callable!r}")
        if delay < 0:
            raise ValueError(f"callLater() delay must be >= 0, not {delay!r}")
        call = DelayedCall(
            self._now() + delay,
            callable,
            args,
            kw,
            self._timerCancelled,
            self._timerMoved,
            self._now,
        )
        self._timers.add(call)
        return call

    def getDelayedCalls(self) -> list[DelayedCall]:
        """
        @return: The calls scheduled and neither run nor cancelled.
        """
        return self._timers.liveCalls()

    def timeout(self) -> float | None:
        """
        @return: How long the loop may wait before something is due: 0 if
            work is waiting, L{None} if nothing is scheduled at all.
        """
        if self._threadCalls or self._justStopped:
            return 0.0
        nextTime = self._timers.nextTime()
        if nextTime is None:
            return None
        return max(0.0, nextTime - self._now())

    # -- IReactorThreads -------------------------------------------------------

    def callFromThread(self, callable: Callable[..., Any], *args: object, **kw: object) -> None:
        """
        Call C{callable(*args, **kw)} soon, in the reactor thread.  Thread-safe.
        """
        if not callable_(callable):
            raise TypeError(f"callFromThread() needs a callable, not {callable!r}")
        calls = self._threadCalls
        wasEmpty = not calls
        calls.append((callable, args, kw))
        if wasEmpty:
            self.waker.wakeUp()

    def wakeUp(self) -> None:
        """
        Wake the loop if it is waiting for I/O.  Thread-safe.
        """
        self.waker.wakeUp()

    def getThreadPool(self) -> ThreadPool:
        """
        @return: The reactor's thread pool, started when the reactor runs and
            stopped at shutdown.
        """
        if self.threadpool is None:
            from torsion.python.threadpool import ThreadPool

            pool = self.threadpool = ThreadPool(0, self._threadpoolSize, "torsion.reactor")
            self._threadpoolStartupID = self.callWhenRunning(pool.start)
            self._threadpoolShutdownID = self.addSystemEventTrigger(
                "during", "shutdown", self._stopThreadPool
            )
        return self.threadpool

    def _stopThreadPool(self) -> None:
        """
        Stop the thread pool (at shutdown, or when a test harness replaces
        it), forgetting its startup trigger if the reactor never started.
        """
        startupID, self._threadpoolStartupID = self._threadpoolStartupID, None
        if startupID is not None:
            try:
                self.removeSystemEventTrigger(startupID)
            except ValueError:
                pass  # It already ran.
        shutdownID, self._threadpoolShutdownID = self._threadpoolShutdownID, None
        if shutdownID is not None:
            try:
                self.removeSystemEventTrigger(shutdownID)
            except ValueError:
                pass  # This is it, running now.
        pool = self.threadpool
        if pool is not None:
            self.threadpool = None
            pool.stop()

    def callInThread(self, callable: Callable[..., Any], *args: object, **kw: object) -> None:
        """
        Call C{callable(*args, **kw)} in a thread of the reactor's pool.
        """
        self.getThreadPool().callInThread(callable, *args, **kw)

    def suggestThreadPoolSize(self, size: int) -> None:
        """
        Let the thread pool run at most C{size} threads.
        """
        self._threadpoolSize = size
        self.getThreadPool().adjustPoolsize(maxthreads=size)

    # -- IReactorCore ----------------------------------------------------------

    def addSystemEventTrigger(
        self, phase: str, eventType: str, callable: Callable[..., Any], *args: object, **kw: object
    ) -> tuple[str, int]:
        """
        See L{IReactorCore.addSystemEventTrigger}.
        """
        return self._events.add(phase, eventType, callable, args, kw)

    def removeSystemEventTrigger(self, triggerID: object) -> None:
        """
        See L{IReactorCore.removeSystemEventTrigger}.
        """
        self._events.remove(triggerID)

    def fireSystemEvent(self, eventType: str) -> None:
        """
        See L{IReactorCore.fireSystemEvent}.
        """
        self._events.fire(eventType)

    def callWhenRunning(
        self, callable: Callable[..., Any], *args: object, **kw: object
    ) -> tuple[str, int] | None:
        """
        Call C{callable} now if running, else after the reactor has started.

        @return: A trigger ID if the call waits for startup, else L{None}.
        """
        if self.running:
            callable(*args, **kw)
            return None
        return self.addSystemEventTrigger("after", "startup", callable, *args, **kw)

    def _reallyStartRunning(self) -> None:
        self.running = True

    def startRunning(self, installSignalHandlers: bool = True) -> None:
        """
        Fire the 'startup' event; the first half of L{run}.
        """
        if self._started:
            raise ReactorAlreadyRunning("the reactor is already running")
        if self._startedBefore:
            raise ReactorNotRestartable(
                "the reactor was stopped and cannot run again; start a new "
                "process (or, in tests, use a fresh reactor instance)"
            )
        self._started = True
        self._stopped = False
        self._reactorThread = threading.current_thread()
        registerAsIOThread()
        if installSignalHandlers:
            self._installSignalHandlers()
        self.fireSystemEvent("startup")

    def run(self, installSignalHandlers: bool = True) -> None:
        """
        Start, then run the main loop until stopped.

        @param installSignalHandlers: Make SIGINT and SIGTERM stop the reactor
            (and handle SIGCHLD); with False, signals are left alone.
        """
        self.startRunning(installSignalHandlers)
        try:
            self.mainLoop()
        finally:
            self._restoreSignalHandlers()
            if self._startedBefore and not self._started:
                # Stopped for good (not crashed): release the waker's
                # descriptors; later callFromThread calls are dropped.
                self._releaseWaker()

    def _releaseWaker(self) -> None:
        self.waker.close()

    def mainLoop(self) -> None:
        """
        Run iterations until the reactor is stopped or crashes.
        """
        timers = self._timers
        while self._started:
            try:
                while self._started:
                    if self._threadCalls or self._justStopped or timers:
                        self.runUntilCurrent()
                        if not self._started:
                            break
                        self.doIteration(self.timeout())
                    else:
                        # Speed over clarity: nothing scheduled and nothing
                        # queued, so there is nothing to run before waiting.
                        self.doIteration(None)
            except Exception:
                _log.failure("Unexpected error in the reactor's main loop:")

    def iterate(self, delay: float = 0) -> None:
        """
        Run one iteration: due work, then wait at most C{delay} for I/O.
        """
        self.runUntilCurrent()
        self.doIteration(delay)

    def runUntilCurrent(self) -> None:
        """
        Run the calls from threads and the timers that are due, then the
        'shutdown' event if stop() was called.
        """
        if self._threadCalls:
            self._runThreadCalls()
        self._timers.runDue(self._now(), self._timedCallFailed)
        if self._justStopped:
            self._justStopped = False
            self.fireSystemEvent("shutdown")

    def _runThreadCalls(self) -> None:
        calls = self._threadCalls
        # Only those queued now: calls queued meanwhile wait for the next
        # iteration (the loop does not sleep while any are queued).
        for _ in range(len(calls)):
            callable, args, kw = calls.popleft()
            try:
                callable(*args, **kw)
            except BaseException:
                _log.failure("Error in a call from a thread, {call!r}:", call=callable)

    def _timedCallFailed(self, call: DelayedCall) -> None:
        _log.failure("Error in a timed call, {call!r}:", call=call)

    def stop(self) -> None:
        """
        Stop the reactor: the 'shutdown' event fires, then run() returns.

        @raise ReactorNotRunning: If it is not running (or already stopping).
        """
        if self._stopped:
            raise ReactorNotRunning("Can't stop reactor that isn't running.")
        self._stopped = True
        self._justStopped = True
        self._startedBefore = True
        if threading.current_thread() is not self._reactorThread:
            self.waker.wakeUp()

    def crash(self) -> None:
        """
        Leave the main loop now, without the 'shutdown' event.
        """
        self._started = False
        self.running = False
        self.addSystemEventTrigger("during", "startup", self._reallyStartRunning)

    # -- signals -------------------------------------------------------------

    def _installSignalHandlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # Python only delivers signals to the main thread.
        handlers: list[tuple[int, Callable[[int, FrameType | None], None]]] = [
            (signal.SIGINT, self._onShutdownSignal),
            (signal.SIGTERM, self._onShutdownSignal),
        ]
        if hasattr(signal, "SIGBREAK"):
            handlers.append((signal.SIGBREAK, self._onShutdownSignal))
        if hasattr(signal, "SIGCHLD"):
            handlers.append((signal.SIGCHLD, self._onChildSignal))
        for signum, handler in handlers:
            self._oldSignalHandlers[signum] = signal.getsignal(signum)
            signal.signal(signum, handler)
        if hasattr(signal, "SIGCHLD"):
            # Let a child's exit interrupt nothing: SA_RESTART semantics.
            signal.siginterrupt(signal.SIGCHLD, False)

    def _restoreSignalHandlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        while self._oldSignalHandlers:
            signum, handler = self._oldSignalHandlers.popitem()
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def _onShutdownSignal(self, signum: int, frame: FrameType | None) -> None:
        self._shutdownSignals += 1
        name = signal.Signals(signum).name
        if self._shutdownSignals == 1:
            _log.info("Received {signal}, shutting down.", signal=name)
            self.callFromThread(self._stopIfRunning)
        else:
            _log.warn("Received {signal} again: stopping now, without waiting.", signal=name)
            self.callFromThread(self.crash)

    def _stopIfRunning(self) -> None:
        if not self._stopped:
            self.stop()

    def _onChildSignal(self, signum: int, frame: FrameType | None) -> None:
        self.callFromThread(self._reapChildren)

    def _addChildReaper(self, reaper: Callable[[], None]) -> None:
        """
        Call C{reaper} in the reactor thread whenever SIGCHLD arrives (for
        process support: it should waitpid() the children it knows).
        """
        self._childReapers.append(reaper)

    def _removeChildReaper(self, reaper: Callable[[], None]) -> None:
        self._childReapers.remove(reaper)

    def _reapChildren(self) -> None:
        for reaper in list(self._childReapers):
            try:
                reaper()
            except BaseException:
                _log.failure("Error reaping child processes:")


callable_ = callable

__all__ = ["ReactorBase"]
