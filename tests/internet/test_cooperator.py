"""
Tests for L{torsion.internet.task.Cooperator}, L{CooperativeTask} and the
module-level C{cooperate}/C{coiterate}, driven by a Clock.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from typing import assert_type

import pytest

from tests.helpers import failureOf, resultOf
from torsion.internet import _cooperator
from torsion.internet.defer import Deferred
from torsion.internet.task import (
    Clock,
    CooperativeTask,
    Cooperator,
    NotPaused,
    SchedulerError,
    SchedulerStopped,
    TaskDone,
    TaskFailed,
    TaskFinished,
    TaskStopped,
    coiterate,
    cooperate,
)
from torsion.logger import LogEvent, globalLogPublisher


def stepsPerTick(n: int) -> Callable[[], Callable[[], bool]]:
    """
    A termination predicate factory that ends each tick after C{n} steps.
    """

    def factory() -> Callable[[], bool]:
        steps = 0

        def timeUp() -> bool:
            nonlocal steps
            steps += 1
            return steps >= n

        return timeUp

    return factory


def makeCooperator(
    clock: Clock, steps: int = 1, started: bool = True
) -> tuple[Cooperator, Callable[[], None]]:
    """
    A Cooperator ticking once per second of C{clock}, C{steps} steps a tick,
    and a function that advances to the next tick.
    """
    coop = Cooperator(
        terminationPredicateFactory=stepsPerTick(steps),
        scheduler=lambda f: clock.callLater(1, f),
        started=started,
    )
    return coop, lambda: clock.advance(1)


def recorder(name: str, count: int, log: list[str]) -> Iterator[None]:
    """
    An iterator of C{count} steps, each logging C{name} and the step.
    """
    for i in range(count):
        log.append(f"{name}{i}")
        yield None


class CooperateTests:
    def test_oneStepPerTick(self) -> None:
        """
        Each tick steps the task once (with a one-step predicate); whenDone
        fires with the iterator once it is exhausted.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        log: list[str] = []
        iterator = recorder("a", 2, log)
        task = coop.cooperate(iterator)
        done = task.whenDone()
        assert log == []
        tick()
        assert log == ["a0"]
        tick()
        assert log == ["a0", "a1"]
        assert not done.called
        tick()
        assert resultOf(done) is iterator
        assert clock.getDelayedCalls() == []

    def test_roundRobin(self) -> None:
        """
        Tasks take turns, and a tick's turns carry on into the next tick.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, steps=3)
        log: list[str] = []
        for name in "abc":
            coop.cooperate(recorder(name, 3, log))
        tick()
        assert log == ["a0", "b0", "c0"]
        tick()
        tick()
        assert log == ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]

    def test_tickEndsWhenPredicateTrue(self) -> None:
        """
        A tick runs steps until the predicate made for it is true, and a
        fresh predicate is made for each tick.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, steps=2)
        log: list[str] = []
        coop.cooperate(recorder("a", 5, log))
        tick()
        assert log == ["a0", "a1"]
        tick()
        assert log == ["a0", "a1", "a2", "a3"]

    def test_predicateNeverTrue(self) -> None:
        """
        If the predicate is never true, one tick runs every task to its end.
        """
        clock = Clock()
        coop = Cooperator(
            terminationPredicateFactory=lambda: lambda: False,
            scheduler=lambda f: clock.callLater(1, f),
        )
        log: list[str] = []
        d = coop.coiterate(recorder("a", 3, log))
        e = coop.coiterate(recorder("b", 2, log))
        clock.advance(1)
        assert log == ["a0", "b0", "a1", "b1", "a2"]
        assert resultOf(d) is not None
        assert resultOf(e) is not None
        assert clock.getDelayedCalls() == []

    def test_coiterate(self) -> None:
        """
        C{coiterate} returns a Deferred that fires with the iterator.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        iterator = iter([1, 2])
        d = coop.coiterate(iterator)
        clock.pump([1, 1, 1])
        assert resultOf(d) is iterator

    def test_coiterateDoneDeferred(self) -> None:
        """
        C{coiterate} fires the C{doneDeferred} given to it, and returns it.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, steps=10)
        mine: Deferred[Iterator[int]] = Deferred()
        assert coop.coiterate(iter([1]), mine) is mine
        tick()
        assert mine.called

    def test_defaultTimeSlice(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        By default a tick lasts C{_Timer.MAX_SLICE} seconds of wall time:
        with no slice it takes one step, with a huge one all of them.
        """
        clock = Clock()
        log: list[str] = []
        coop = Cooperator(scheduler=lambda f: clock.callLater(1, f))
        coop.cooperate(recorder("a", 5, log))
        monkeypatch.setattr(_cooperator._Timer, "MAX_SLICE", 0)
        clock.advance(1)
        assert log == ["a0"]
        monkeypatch.setattr(_cooperator._Timer, "MAX_SLICE", 3600)
        clock.advance(1)
        assert log == ["a0", "a1", "a2", "a3", "a4"]


class DeferredStepTests:
    def test_yieldedDeferredPausesTask(self) -> None:
        """
        A task that yields a Deferred is not stepped until it fires; other
        tasks run meanwhile.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        log: list[str] = []
        waitFor: Deferred[None] = Deferred()

        def waiter() -> Iterator[object]:
            log.append("w0")
            yield waitFor
            log.append("w1")
            yield None

        coop.cooperate(waiter())
        coop.cooperate(recorder("r", 3, log))
        clock.pump([1, 1, 1, 1])
        assert log == ["w0", "r0", "r1", "r2"]
        waitFor.callback(None)
        tick()
        assert log == ["w0", "r0", "r1", "r2", "w1"]

    def test_failedDeferredFailsTask(self) -> None:
        """
        If a yielded Deferred fails, the task ends and whenDone fails with
        that failure.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        waitFor: Deferred[None] = Deferred()
        task = coop.cooperate(iter([waitFor, None]))
        done = task.whenDone()
        tick()
        waitFor.errback(KeyError("lost"))
        failureOf(done, KeyError)
        with pytest.raises(TaskFailed):
            task.pause()
        assert clock.getDelayedCalls() == []

    def test_alreadyFiredDeferred(self) -> None:
        """
        Yielding a Deferred that has already fired does not stall the task.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        fired: Deferred[None] = Deferred()
        fired.callback(None)
        log: list[str] = []

        def steps() -> Iterator[object]:
            yield fired
            log.append("after")

        d = coop.coiterate(steps())
        clock.pump([1, 1])
        assert log == ["after"]
        assert resultOf(d) is not None

    def test_stoppedWhileWaitingThenFailure(self) -> None:
        """
        A yielded Deferred that fails after its task was stopped is logged as
        an unhandled error, and the task's whenDone keeps its TaskStopped.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        waitFor: Deferred[None] = Deferred()
        task = coop.cooperate(iter([waitFor]))
        done = task.whenDone()
        tick()
        task.stop()
        events: list[LogEvent] = []
        globalLogPublisher.addObserver(events.append)
        try:
            waitFor.errback(ValueError("late"))
            del waitFor, task
            gc.collect()
        finally:
            globalLogPublisher.removeObserver(events.append)
        failureOf(done, TaskStopped)
        [failure] = [e["log_failure"] for e in events if "log_failure" in e]
        assert failure.check(ValueError)


class TaskControlTests:
    def test_pauseAndResume(self) -> None:
        """
        A paused task is not stepped; it needs one C{resume} per C{pause}.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        log: list[str] = []
        task = coop.cooperate(recorder("a", 3, log))
        tick()
        task.pause()
        task.pause()
        tick()
        task.resume()
        tick()
        assert log == ["a0"]
        task.resume()
        tick()
        assert log == ["a0", "a1"]

    def test_allPausedSchedulesNothing(self) -> None:
        """
        When every task is paused no tick is pending; resuming schedules one.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        task = coop.cooperate(recorder("a", 3, []))
        assert len(clock.getDelayedCalls()) == 1
        task.pause()
        assert clock.getDelayedCalls() == []
        task.resume()
        assert len(clock.getDelayedCalls()) == 1

    def test_resumeNotPaused(self) -> None:
        """
        Resuming a task that is not paused raises L{NotPaused}.
        """
        coop, _tick = makeCooperator(Clock())
        task = coop.cooperate(recorder("a", 3, []))
        with pytest.raises(NotPaused, match=r"is not paused; call resume\(\) once per pause\(\)"):
            task.resume()

    def test_stop(self) -> None:
        """
        A stopped task is not stepped again; whenDone fails with
        L{TaskStopped}; stopping or pausing it again raises L{TaskStopped}.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        log: list[str] = []
        task = coop.cooperate(recorder("a", 3, log))
        done = task.whenDone()
        tick()
        task.stop()
        failureOf(done, TaskStopped)
        clock.pump([1, 1, 1])
        assert log == ["a0"]
        with pytest.raises(TaskStopped, match="has already finished"):
            task.stop()
        with pytest.raises(TaskStopped):
            task.pause()
        assert clock.getDelayedCalls() == []

    def test_stopPausedTask(self) -> None:
        """
        A paused task can be stopped; resuming it afterwards does not run it.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        log: list[str] = []
        task = coop.cooperate(recorder("a", 3, log))
        task.pause()
        task.stop()
        failureOf(task.whenDone(), TaskStopped)
        task.resume()
        clock.pump([1, 1])
        assert log == []

    def test_doneTaskRaisesTaskDone(self) -> None:
        """
        Pausing or stopping an exhausted task raises L{TaskDone}.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        task = coop.cooperate(iter(()))
        tick()
        with pytest.raises(TaskDone):
            task.pause()
        with pytest.raises(TaskDone):
            task.stop()

    def test_iteratorErrorFailsTask(self) -> None:
        """
        An exception from the iterator fails its whenDone Deferreds; other
        tasks carry on.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        log: list[str] = []

        def broken() -> Iterator[None]:
            yield None
            raise ZeroDivisionError("step two")

        bad = coop.cooperate(broken())
        good = coop.coiterate(recorder("g", 2, log))
        clock.pump([1, 1, 1, 1, 1])
        failure = failureOf(bad.whenDone(), ZeroDivisionError)
        assert failure.getErrorMessage() == "step two"
        assert log == ["g0", "g1"]
        assert resultOf(good) is not None
        with pytest.raises(TaskFailed):
            bad.stop()

    def test_whenDoneAfterFinishing(self) -> None:
        """
        whenDone called after the task finished fires at once, every time.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock)
        iterator = iter(())
        task = coop.cooperate(iterator)
        tick()
        assert resultOf(task.whenDone()) is iterator
        assert resultOf(task.whenDone()) is iterator

    def test_taskStopsItselfThenYieldsDeferred(self) -> None:
        """
        A task that stops itself in a step and then yields a Deferred simply
        ends; the tick is not disturbed.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, steps=5)
        log: list[str] = []

        def selfStopping() -> Iterator[object]:
            task.stop()
            yield Deferred()

        task = coop.cooperate(selfStopping())
        coop.cooperate(recorder("o", 2, log))
        tick()
        failureOf(task.whenDone(), TaskStopped)
        assert log == ["o0", "o1"]

    def test_exceptionHierarchy(self) -> None:
        """
        The task errors are L{TaskFinished}s, and all are L{SchedulerError}s.
        """
        for finished in (TaskDone, TaskStopped, TaskFailed):
            assert issubclass(finished, TaskFinished)
        for error in (TaskFinished, SchedulerStopped, NotPaused):
            assert issubclass(error, SchedulerError)

    def test_repr(self) -> None:
        """
        A task's repr shows its iterator.
        """
        coop, _tick = makeCooperator(Clock())
        iterator = iter([1])
        assert repr(iterator) in repr(coop.cooperate(iterator))


class CooperatorStateTests:
    def test_stopFailsEveryTask(self) -> None:
        """
        Stopping the Cooperator fails every unfinished task, paused or not,
        with L{SchedulerStopped}, and cancels the pending tick.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        tasks = [coop.cooperate(recorder(str(i), 5, [])) for i in range(4)]
        tasks[1].pause()
        done = [task.whenDone() for task in tasks]
        coop.stop()
        for d in done:
            failureOf(d, SchedulerStopped)
        assert clock.getDelayedCalls() == []
        assert not coop.running

    def test_cooperateAfterStop(self) -> None:
        """
        A task given to a stopped Cooperator fails at once with
        L{SchedulerStopped}; after C{start} tasks run again.
        """
        clock = Clock()
        coop, _tick = makeCooperator(clock)
        coop.stop()
        failureOf(coop.coiterate(iter([1])), SchedulerStopped)
        coop.start()
        assert coop.running
        d = coop.coiterate(iter([1]))
        clock.pump([1, 1])
        assert resultOf(d) is not None

    def test_notStarted(self) -> None:
        """
        A Cooperator made with C{started=False} schedules nothing until
        C{start}.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, started=False)
        log: list[str] = []
        coop.cooperate(recorder("a", 1, log))
        assert not coop.running
        assert clock.getDelayedCalls() == []
        coop.start()
        assert coop.running
        tick()
        assert log == ["a0"]

    def test_stopFromWhenDone(self) -> None:
        """
        A whenDone callback may stop the Cooperator: the other tasks fail
        with L{SchedulerStopped} and nothing breaks.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, steps=10)
        first = coop.coiterate(iter([1]))
        first.addCallback(lambda ignored: coop.stop())
        other = coop.coiterate(recorder("o", 5, []))
        tick()
        assert resultOf(first) is None
        failureOf(other, SchedulerStopped)
        assert clock.getDelayedCalls() == []


class GlobalCooperatorTests:
    def test_noReactor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without a global reactor, module-level C{cooperate} raises a clear
        L{RuntimeError} and keeps no task.
        """
        monkeypatch.setitem(sys.modules, "torsion.internet.reactor", None)
        with pytest.raises(RuntimeError, match=r"Cooperator\(scheduler=lambda f: clock\.callLater"):
            cooperate(iter([1]))
        assert _cooperator._theCooperator._tasks == []

    def test_usesGlobalReactor(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Module-level C{cooperate} and C{coiterate} share one Cooperator that
        schedules on the global reactor.
        """
        reactor = Clock()
        monkeypatch.setitem(sys.modules, "torsion.internet.reactor", reactor)
        log: list[str] = []
        d = coiterate(recorder("c", 2, log))
        task = cooperate(recorder("t", 2, log))
        assert len(reactor.getDelayedCalls()) == 1
        monkeypatch.setattr(_cooperator._Timer, "MAX_SLICE", 3600)
        reactor.advance(1)
        assert sorted(log) == ["c0", "c1", "t0", "t1"]
        assert resultOf(d) is not None
        assert resultOf(task.whenDone()) is not None
        assert reactor.getDelayedCalls() == []


class CooperatorTypingTests:
    """
    Static types, checked by mypy when it checks this file.
    """

    def test_iteratorTypeCarriedThrough(self) -> None:
        """
        C{cooperate} and C{coiterate} keep the iterator's type for
        C{whenDone} and the returned Deferred.
        """
        clock = Clock()
        coop, tick = makeCooperator(clock, steps=10)
        numbers: Iterator[int] = iter([1, 2])
        task = assert_type(coop.cooperate(numbers), CooperativeTask[Iterator[int]])
        assert_type(task.whenDone(), "Deferred[Iterator[int]]")
        d = assert_type(coop.coiterate(iter(["a"])), "Deferred[Iterator[str]]")
        tick()
        assert resultOf(task.whenDone()) is numbers
        assert resultOf(d) is not None
