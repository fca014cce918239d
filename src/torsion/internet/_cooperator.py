# Cooperative multitasking of iterators: the Cooperator.
#
# How it works
# ------------
# The Cooperator runs many iterators a step at a time.  Runnable tasks sit in
# `_tasks` in round-robin order; `_next` is the index of the task to step
# next and survives between ticks, so every task gets its turn.  A tick is one
# scheduler callback: it steps tasks until the termination predicate (by
# default: 10ms of wall time) says to stop, then asks the scheduler for
# another tick if any task is still runnable.  Paused tasks (paused by the
# user, or waiting on a Deferred they yielded) move to `_paused`, so they cost
# nothing per tick, and come back to the end of `_tasks` when resumed.  A
# finished task is in neither.
#
# The default Cooperator's scheduler looks up torsion.internet.reactor the
# first time it is used, and says clearly what to do if it is not there.
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, cast

from torsion.internet._deferred import Deferred
from torsion.internet._looping import _globalReactor
from torsion.internet.interfaces import IDelayedCall
from torsion.python.failure import Failure

_T = TypeVar("_T")
_P = ParamSpec("_P")
_I = TypeVar("_I", bound=Iterator[object])

# The default Cooperator's scheduler waits this long rather than 0, so that
# calls already due (I/O, other timers) get to run between its ticks.
_EPSILON = 0.00000001


class SchedulerError(Exception):
    """
    The base of the errors about the state of a L{Cooperator} or its tasks.
    """


class SchedulerStopped(SchedulerError):
    """
    The L{Cooperator} was stopped, so the task will not run (any more).
    """


class TaskFinished(SchedulerError):
    """
    The task has finished (done, stopped or failed) and cannot be changed.
    """


class TaskDone(TaskFinished):
    """
    The task's iterator is exhausted.
    """


class TaskStopped(TaskFinished):
    """
    The task was stopped with L{CooperativeTask.stop}.
    """


class TaskFailed(TaskFinished):
    """
    The task's iterator raised, or a Deferred it yielded failed.
    """


class NotPaused(SchedulerError):
    """
    L{CooperativeTask.resume} was called on a task that is not paused.
    """


class _Timer:
    """
    The default termination predicate: true once C{MAX_SLICE} seconds of
    wall-clock time have passed since it was made.
    """

    MAX_SLICE = 0.01

    def __init__(self) -> None:
        self.end = time.monotonic() + self.MAX_SLICE

    def __call__(self) -> bool:
        return time.monotonic() >= self.end


class _Cancellable(Protocol):
    def cancel(self) -> None: ...


def _defaultScheduler(callable: Callable[[], None]) -> IDelayedCall:
    reactor = _globalReactor(
        "The default Cooperator (task.cooperate, task.coiterate)",
        "make a Cooperator(scheduler=lambda f: clock.callLater(0, f)) and use its "
        "cooperate()/coiterate() instead",
    )
    return reactor.callLater(_EPSILON, callable)


class CooperativeTask(Generic[_I]):
    """
    An iterator being run a step at a time by a L{Cooperator}.

    Made by L{Cooperator.cooperate}.  Each step calls C{next()} on the
    iterator.  A step that yields a Deferred pauses the task until the
    Deferred fires; if it fails, the task fails.  The task finishes when the
    iterator is exhausted (L{whenDone} Deferreds fire with the iterator),
    raises, is stopped, or its Cooperator is stopped (they fail).
    """

    def __init__(self, iterator: _I, cooperator: Cooperator) -> None:
        """
        @param iterator: The work to do.
        @param cooperator: The Cooperator to run it; it starts at once.
        """
        self._iterator = iterator
        self._cooperator = cooperator
        self._deferreds: list[Deferred[_I]] = []
        self._pauseCount = 0
        self._completionState: SchedulerError | None = None
        self._completionResult: _I | Failure | None = None
        cooperator._addTask(self)

    def whenDone(self) -> Deferred[_I]:
        """
        Get a new Deferred for the end of this task.

        @return: A Deferred that fires with the iterator when it is exhausted,
            or fails with L{TaskStopped}, L{SchedulerStopped} or the
            iterator's error.  Each call gives a new Deferred.
        """
        d: Deferred[_I] = Deferred()
        if self._completionState is None:
            self._deferreds.append(d)
        else:
            d.callback(cast("_I | Failure", self._completionResult))
        return d

    def pause(self) -> None:
        """
        Stop stepping this task until L{resume} has been called as often.

        @raise TaskFinished: If the task has finished (the subclass says how).
        """
        self._checkFinish()
        self._pauseCount += 1
        if self._pauseCount == 1:
            self._cooperator._pauseTask(self)

    def resume(self) -> None:
        """
        Undo one L{pause}.

        @raise NotPaused: If the task is not paused.
        """
        if self._pauseCount == 0:
            raise NotPaused(f"{self!r} is not paused; call resume() once per pause()")
        self._pauseCount -= 1
        if self._pauseCount == 0 and self._completionState is None:
            self._cooperator._resumeTask(self)

    def stop(self) -> None:
        """
        Stop the task for good; L{whenDone} Deferreds fail with L{TaskStopped}.

        @raise TaskFinished: If the task has already finished.
        """
        self._checkFinish()
        self._completeWith(TaskStopped(), Failure(TaskStopped()))

    def _checkFinish(self) -> None:
        state = self._completionState
        if state is not None:
            raise type(state)(f"{self!r} has already finished ({type(state).__name__})")

    def _completeWith(self, state: SchedulerError, result: _I | Failure) -> None:
        self._completionState = state
        self._completionResult = result
        self._cooperator._forgetTask(self)
        # Forgotten before the Deferreds fire: their callbacks may stop the
        # Cooperator or start other tasks.
        deferreds, self._deferreds = self._deferreds, []
        for d in deferreds:
            d.callback(result)

    def _oneWorkUnit(self) -> None:
        try:
            result = next(self._iterator)
        except StopIteration:
            self._completeWith(TaskDone(), self._iterator)
            return
        except BaseException:
            self._completeWith(TaskFailed(), Failure())
            return
        if isinstance(result, Deferred) and self._completionState is None:
            self.pause()
            result.addCallbacks(self._resumeAfter, self._failAfter)

    def _resumeAfter(self, result: object) -> None:
        self.resume()

    def _failAfter(self, failure: Failure) -> Failure | None:
        if self._completionState is not None:
            # Stopped while waiting: nobody is listening for this failure, so
            # leave it in its Deferred to be reported as unhandled.
            return failure
        self._completeWith(TaskFailed(), failure)
        return None

    def __repr__(self) -> str:
        return f"<CooperativeTask at 0x{id(self):x} over {self._iterator!r}>"


class Cooperator:
    """
    Run many iterators a step at a time, taking turns, without hogging the
    reactor.

    Each tick of the scheduler steps the runnable tasks in turn until the
    termination predicate is true; then the Cooperator asks the scheduler
    for the next tick.
    """

    def __init__(
        self,
        terminationPredicateFactory: Callable[[], Callable[[], bool]] = _Timer,
        scheduler: Callable[[Callable[[], None]], _Cancellable] = _defaultScheduler,
        started: bool = True,
    ) -> None:
        """
        @param terminationPredicateFactory: Called at the start of each tick;
            the predicate it returns is asked after each step whether the tick
            should end.  The default ends a tick after 10ms.
        @param scheduler: Called with the function to run the next tick;
            returns something with a C{cancel()} method, such as the result of
            C{clock.callLater(0, f)}.  The default uses the global reactor.
        @param started: Whether to run tasks before L{start} is called.
        """
        self._tasks: list[CooperativeTask[Any]] = []
        self._next = 0
        self._paused: dict[CooperativeTask[Any], None] = {}
        self._terminationPredicateFactory = terminationPredicateFactory
        self._scheduler = scheduler
        self._delayedCall: _Cancellable | None = None
        self._started = started
        self._stopped = False
        self._mustScheduleOnStart = False

    def coiterate(self, iterator: _I, doneDeferred: Deferred[_I] | None = None) -> Deferred[_I]:
        """
        Run C{iterator} as a task; get a Deferred for its end.

        @param iterator: The work to do; it may yield Deferreds to wait on.
        @param doneDeferred: The Deferred to fire, if not a new one.
        @return: A Deferred that fires with C{iterator} when it is exhausted,
            or fails like L{CooperativeTask.whenDone}.
        """
        if doneDeferred is None:
            doneDeferred = Deferred()
        CooperativeTask(iterator, self).whenDone().chainDeferred(doneDeferred)
        return doneDeferred

    def cooperate(self, iterator: _I) -> CooperativeTask[_I]:
        """
        Run C{iterator} as a task.

        @param iterator: The work to do; it may yield Deferreds to wait on.
        @return: The task, to pause, resume, stop or wait for.
        """
        return CooperativeTask(iterator, self)

    def _addTask(self, task: CooperativeTask[Any]) -> None:
        if self._stopped:
            task._completeWith(SchedulerStopped(), Failure(SchedulerStopped()))
            return
        self._tasks.append(task)
        try:
            self._reschedule()
        except BaseException:
            # No scheduler (e.g. no reactor): do not keep a task that can
            # never run.
            self._removeRunnable(task)
            raise

    def _removeRunnable(self, task: CooperativeTask[Any]) -> bool:
        try:
            index = self._tasks.index(task)
        except ValueError:
            return False
        del self._tasks[index]
        if index < self._next:
            self._next -= 1
        if not self._tasks and self._delayedCall is not None:
            self._delayedCall.cancel()
            self._delayedCall = None
        return True

    def _pauseTask(self, task: CooperativeTask[Any]) -> None:
        self._removeRunnable(task)
        self._paused[task] = None

    def _resumeTask(self, task: CooperativeTask[Any]) -> None:
        self._paused.pop(task, None)
        self._addTask(task)

    def _forgetTask(self, task: CooperativeTask[Any]) -> None:
        if not self._removeRunnable(task):
            self._paused.pop(task, None)

    def _tick(self) -> None:
        self._delayedCall = None
        tasks = self._tasks
        timeUp = self._terminationPredicateFactory()
        while tasks:
            if self._next >= len(tasks):
                self._next = 0
            task = tasks[self._next]
            self._next += 1
            task._oneWorkUnit()
            if timeUp():
                break
        self._reschedule()

    def _reschedule(self) -> None:
        if not self._started:
            self._mustScheduleOnStart = True
            return
        if self._delayedCall is None and self._tasks:
            self._delayedCall = self._scheduler(self._tick)

    def start(self) -> None:
        """
        Start (or restart, after L{stop}) running tasks.
        """
        self._stopped = False
        self._started = True
        if self._mustScheduleOnStart:
            self._mustScheduleOnStart = False
            self._reschedule()

    def stop(self) -> None:
        """
        Stop running tasks and forget them: the L{CooperativeTask.whenDone}
        Deferreds of every unfinished task, paused or not, fail with
        L{SchedulerStopped}.  Tasks added until L{start} fail the same way.
        """
        self._stopped = True
        doomed = [*self._tasks, *self._paused]
        self._tasks.clear()
        self._paused.clear()
        self._next = 0
        delayedCall, self._delayedCall = self._delayedCall, None
        if delayedCall is not None:
            delayedCall.cancel()
        for task in doomed:
            task._completeWith(SchedulerStopped(), Failure(SchedulerStopped()))

    @property
    def running(self) -> bool:
        """
        Whether this Cooperator is started and not stopped.
        """
        return self._started and not self._stopped


_theCooperator = Cooperator()


def coiterate(iterator: _I) -> Deferred[_I]:
    """
    Run C{iterator} on the global Cooperator; see L{Cooperator.coiterate}.

    @param iterator: The work to do; it may yield Deferreds to wait on.
    @return: A Deferred that fires with C{iterator} when it is exhausted.
    @raise RuntimeError: If there is no global reactor to schedule on.
    """
    return _theCooperator.coiterate(iterator)


def cooperate(iterator: _I) -> CooperativeTask[_I]:
    """
    Run C{iterator} on the global Cooperator; see L{Cooperator.cooperate}.

    @param iterator: The work to do; it may yield Deferreds to wait on.
    @return: The task.
    @raise RuntimeError: If there is no global reactor to schedule on.
    """
    return _theCooperator.cooperate(iterator)


__all__ = [
    "CooperativeTask",
    "Cooperator",
    "NotPaused",
    "SchedulerError",
    "SchedulerStopped",
    "TaskDone",
    "TaskFailed",
    "TaskFinished",
    "TaskStopped",
    "coiterate",
    "cooperate",
]
