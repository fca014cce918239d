"""
Tests for L{torsion.trial.unittest.TestCase}: tests, fixtures and cleanups
that wait for Deferreds or are C{async def}, time limits, and the
dirty-reactor check.

Each test runs another test case through unittest's C{run(result)} and
checks what was reported.  The inner tests run the global reactor, which
is installed by the first of them.
"""

from __future__ import annotations

import socket
import threading
import unittest
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from torsion.internet.defer import CancelledError, Deferred, fail, inlineCallbacks, succeed
from torsion.internet.error import ConnectionLost
from torsion.internet.task import deferLater
from torsion.python.failure import Failure
from torsion.trial import _janitor
from torsion.trial.unittest import SkipTest, SynchronousTestCase, TestCase
from torsion.trial.util import DEFAULT_TIMEOUT_DURATION, DirtyReactorAggregateError


def _reactor() -> Any:
    from torsion.internet import reactor

    return reactor


def _run(case: unittest.TestCase) -> unittest.TestResult:
    result = unittest.TestResult()
    case.run(result)
    return result


def _outcome(result: unittest.TestResult) -> dict[str, int]:
    return {
        "run": result.testsRun,
        "failures": len(result.failures),
        "errors": len(result.errors),
        "skipped": len(result.skipped),
        "expectedFailures": len(result.expectedFailures),
        "unexpectedSuccesses": len(result.unexpectedSuccesses),
    }


_PASSED = {
    "run": 1,
    "failures": 0,
    "errors": 0,
    "skipped": 0,
    "expectedFailures": 0,
    "unexpectedSuccesses": 0,
}


def _only(**counts: int) -> dict[str, int]:
    return {**_PASSED, **counts}


def _later(value: object) -> Deferred[Any]:
    """
    A Deferred that fires with C{value} once the reactor runs.
    """
    return deferLater(_reactor(), 0, lambda: value)


def _failLater(error: BaseException) -> Deferred[Any]:
    """
    A Deferred that fails with C{error} once the reactor runs.
    """

    def raiseIt() -> None:
        raise error

    return deferLater(_reactor(), 0, raiseIt)


@pytest.fixture(autouse=True)
def _reactorLeftClean() -> Iterator[None]:
    """
    Each test here must leave the global reactor as it found it: not
    running, its own stop() in place, nothing scheduled.
    """
    yield
    reactor = _reactor()
    assert not reactor.running
    assert "stop" not in vars(reactor)
    assert reactor.getDelayedCalls() == []


class DeferredTests(SynchronousTestCase):
    def test_deferredSuccess(self) -> None:
        """
        A test returning a Deferred that fires later passes once it has
        fired: the reactor ran until then.
        """
        seen: list[object] = []

        class Case(TestCase):
            def test_it(self) -> Deferred[Any]:
                return _later("done").addCallback(seen.append)

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert seen == ["done"]

    def test_deferredFailure(self) -> None:
        """
        A test whose Deferred fails is an error reporting that exception.
        """

        class Case(TestCase):
            def test_it(self) -> Deferred[Any]:
                return _failLater(KeyError("late"))

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "KeyError: 'late'" in result.errors[0][1]

    def test_assertionInCallback(self) -> None:
        """
        An assertion failing in a callback is a failure, and its message is
        reported along with the line of the callback.
        """

        class Case(TestCase):
            def test_it(self) -> Deferred[Any]:
                def check(value: object) -> None:
                    self.assertEqual(value, 2)

                return _later(1).addCallback(check)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        report = result.failures[0][1]
        assert "FailTest: 1 != 2" in report
        assert "self.assertEqual(value, 2)" in report

    def test_alreadyFired(self) -> None:
        """
        A Deferred that has already fired is judged by its result.
        """

        class Case(TestCase):
            def test_passes(self) -> Deferred[int]:
                return succeed(1)

            def test_fails(self) -> Deferred[int]:
                return fail(ValueError("at once"))

        assert _outcome(_run(Case("test_passes"))) == _PASSED
        result = _run(Case("test_fails"))
        assert _outcome(result) == _only(errors=1)
        assert "ValueError: at once" in result.errors[0][1]

    def test_inlineCallbacks(self) -> None:
        """
        An inlineCallbacks test method is waited for.
        """
        seen: list[object] = []

        class Case(TestCase):
            @inlineCallbacks
            def test_it(self) -> Any:
                seen.append((yield _later(7)))

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert seen == [7]

    def test_assertFailure(self) -> None:
        """
        assertFailure on a Deferred that fails later passes with the
        expected type, and fails the test with another type or success.
        """

        class Case(TestCase):
            def test_expected(self) -> Deferred[Any]:
                return self.assertFailure(_failLater(ValueError("v")), ValueError)

            def test_otherType(self) -> Deferred[Any]:
                return self.assertFailure(_failLater(KeyError("k")), ValueError)

            def test_succeeds(self) -> Deferred[Any]:
                return self.assertFailure(_later(3), ValueError)

        assert _outcome(_run(Case("test_expected"))) == _PASSED
        result = _run(Case("test_otherType"))
        assert _outcome(result) == _only(failures=1)
        assert "failed with KeyError; expected ValueError" in result.failures[0][1]
        result = _run(Case("test_succeeds"))
        assert _outcome(result) == _only(failures=1)
        assert "succeeded with 3; expected it to fail with ValueError" in result.failures[0][1]

    def test_generatorRefused(self) -> None:
        """
        A generator test method would never run: it is an error that says
        how to fix it.
        """

        class Case(TestCase):
            def test_it(self) -> Iterator[None]:
                yield None

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "is a generator function" in result.errors[0][1]
        assert "inlineCallbacks" in result.errors[0][1]


class AsyncDefTests(SynchronousTestCase):
    def test_asyncPasses(self) -> None:
        """
        An C{async def} test awaiting Deferreds runs to the end and passes.
        """
        seen: list[object] = []

        class Case(TestCase):
            async def test_it(self) -> None:
                seen.append(await _later("a"))
                seen.append(await _later("b"))

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert seen == ["a", "b"]

    def test_asyncFails(self) -> None:
        """
        A failed assertion after an await is a failure whose report shows
        the assertion's line.
        """

        class Case(TestCase):
            async def test_it(self) -> None:
                value = await _later(5)
                self.assertEqual(value, 6)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        assert "FailTest: 5 != 6" in result.failures[0][1]
        assert "self.assertEqual(value, 6)" in result.failures[0][1]

    def test_asyncFailsAtOnce(self) -> None:
        """
        A failure before the first await is reported too, with the failing
        line in the report.
        """

        class Case(TestCase):
            async def test_it(self) -> None:
                assert 1 + 1 == 3, "arithmetic"

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        report = result.failures[0][1]
        assert "AssertionError: arithmetic" in report
        assert "assert 1 + 1 == 3" in report
        assert "(The traceback of how" not in report  # the real traceback was kept

    def test_asyncSkip(self) -> None:
        """
        SkipTest raised after an await skips the test.
        """

        class Case(TestCase):
            async def test_it(self) -> None:
                await _later(None)
                raise SkipTest("not today")

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(skipped=1)
        assert result.skipped[0][1] == "not today"

    def test_asyncTodo(self) -> None:
        """
        An async test expected to fail with KeyError that does so after an
        await is an expected failure: the real exception type counts.
        """

        class Case(TestCase):
            todo = (KeyError, "lookups are broken")

            async def test_it(self) -> None:
                await _later(None)
                raise KeyError("missing")

        assert _outcome(_run(Case("test_it"))) == _only(expectedFailures=1)

    def test_asyncGeneratorRefused(self) -> None:
        """
        An async generator test method cannot be waited for: an error says
        so.
        """

        class Case(TestCase):
            async def test_it(self) -> Any:
                yield None

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "is an async generator function" in result.errors[0][1]

    def test_synchronousTestCaseUnchanged(self) -> None:
        """
        SynchronousTestCase still refuses to wait, and does not check the
        reactor: a call it leaves pending is not its failure.
        """

        class Case(SynchronousTestCase):
            async def test_async(self) -> None:
                pass

            def test_pending(self) -> None:
                pending.append(_reactor().callLater(60, lambda: None))

        pending: list[Any] = []
        result = _run(Case("test_async"))
        assert _outcome(result) == _only(errors=1)
        assert "SynchronousTestCase never waits" in result.errors[0][1]
        assert _outcome(_run(Case("test_pending"))) == _PASSED
        assert pending[0].active()
        pending[0].cancel()


class FixtureTests(SynchronousTestCase):
    def test_setUpAndTearDownWait(self) -> None:
        """
        setUp and tearDown may be async too; each is waited for before the
        next part runs.
        """
        calls: list[str] = []

        class Case(TestCase):
            async def setUp(self) -> None:  # type: ignore[override]
                calls.append(await _later("setUp"))

            def tearDown(self) -> Deferred[Any]:  # type: ignore[override]
                return _later("tearDown").addCallback(calls.append)

            async def test_it(self) -> None:
                calls.append(await _later("test"))

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert calls == ["setUp", "test", "tearDown"]

    def test_cleanupsAwaited(self) -> None:
        """
        A cleanup returning a Deferred (or coroutine) is waited for before
        the next cleanup and tearDown run.
        """
        calls: list[str] = []

        async def asyncCleanup() -> None:
            calls.append(await _later("async cleanup"))

        class Case(TestCase):
            def tearDown(self) -> None:
                calls.append("tearDown")

            def test_it(self) -> None:
                self.addCleanup(asyncCleanup)
                self.addCleanup(lambda: _later("deferred cleanup").addCallback(calls.append))

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert calls == ["deferred cleanup", "async cleanup", "tearDown"]

    def test_cleanupFailure(self) -> None:
        """
        A cleanup whose Deferred fails later fails the test; the other
        cleanups still run.
        """
        calls: list[str] = []

        class Case(TestCase):
            def test_it(self) -> None:
                self.addCleanup(calls.append, "other cleanup")
                self.addCleanup(lambda: _failLater(RuntimeError("cleanup broke")))

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "RuntimeError: cleanup broke" in result.errors[0][1]
        assert calls == ["other cleanup"]


class TimeoutTests(SynchronousTestCase):
    def test_timeoutFails(self) -> None:
        """
        A test whose Deferred has not fired after C{timeout} seconds fails
        with a message saying so, and its Deferred is cancelled.
        """
        cancelled: list[object] = []

        class Case(TestCase):
            def test_it(self) -> Deferred[None]:
                return Deferred(cancelled.append)

            test_it.timeout = 0.01  # type: ignore[attr-defined]

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        report = result.errors[0][1]
        assert "TimeoutError: " in report
        assert "test_it timed out after 0.01 seconds" in report
        assert "so it was cancelled" in report
        assert len(cancelled) == 1

    def test_timeoutCancelsAwait(self) -> None:
        """
        An async test that is still awaiting when time is up has the
        awaited Deferred cancelled, so CancelledError reaches the coroutine.
        """
        seen: list[str] = []

        class Case(TestCase):
            timeout = 0.01

            async def test_it(self) -> None:
                try:
                    await Deferred()
                except CancelledError:
                    seen.append("cancelled")
                    raise

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "timed out after 0.01 seconds" in result.errors[0][1]
        assert seen == ["cancelled"]

    def test_timeoutOfCleanup(self) -> None:
        """
        A cleanup has the same time limit; tearDown still runs after it.
        """
        calls: list[str] = []

        class Case(TestCase):
            timeout = 0.01

            def tearDown(self) -> None:
                calls.append("tearDown")

            def test_it(self) -> None:
                self.addCleanup(Deferred)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "cleanup Deferred timed out after 0.01 seconds" in result.errors[0][1]
        assert calls == ["tearDown"]

    def test_getTimeout(self) -> None:
        """
        The time limit comes from the method, else the class, else the
        default of 120 seconds, as in trial.
        """

        class Default(TestCase):
            def test_it(self) -> None:
                pass

        class OnClass(TestCase):
            timeout = 7

            def test_it(self) -> None:
                pass

            def test_own(self) -> None:
                pass

            test_own.timeout = 3  # type: ignore[attr-defined]

        assert DEFAULT_TIMEOUT_DURATION == 120.0
        assert Default("test_it").getTimeout() == 120.0
        assert OnClass("test_it").getTimeout() == 7.0
        assert OnClass("test_own").getTimeout() == 3.0

    def test_badTimeout(self) -> None:
        """
        A timeout that is not a positive number fails the test that waits,
        naming the value.
        """

        class Case(TestCase):
            timeout = "soon"  # type: ignore[assignment]

            def test_it(self) -> Deferred[None]:
                return Deferred()

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "must be a positive number of seconds, not 'soon'" in result.errors[0][1]


class ReactorReuseTests(SynchronousTestCase):
    def test_manyTests(self) -> None:
        """
        The reactor is crashed, not stopped, after each test, so it runs
        again for test after test.
        """

        class Case(TestCase):
            async def test_it(self) -> None:
                await _later(None)

        for _ in range(50):
            assert _outcome(_run(Case("test_it"))) == _PASSED

    def test_stopCrashes(self) -> None:
        """
        A test that calls reactor.stop() only crashes the reactor: the wait
        ends early, with an error saying what happened, and later tests can
        still run the reactor.
        """

        class Case(TestCase):
            def test_stops(self) -> Deferred[None]:
                reactor = _reactor()
                reactor.callLater(0, reactor.stop)
                return Deferred()

            async def test_after(self) -> None:
                await _later(None)

        result = _run(Case("test_stops"))
        assert _outcome(result) == _only(errors=1)
        assert "the reactor stopped running before" in result.errors[0][1]
        assert _outcome(_run(Case("test_after"))) == _PASSED

    def test_stopOutsideTheWait(self) -> None:
        """
        reactor.stop() called while the test runs but the reactor does not
        (synchronous code) does not leave the reactor unable to run.
        """

        class Case(TestCase):
            def test_stops(self) -> None:
                _reactor().stop()

            async def test_after(self) -> None:
                await _later(None)

        # The reactor has run (and crashed) before, so a real stop() would
        # succeed and leave it unable to run again.
        assert _outcome(_run(Case("test_after"))) == _PASSED
        assert _outcome(_run(Case("test_stops"))) == _PASSED
        assert _outcome(_run(Case("test_after"))) == _PASSED


class _Selectable:
    """
    A descriptor to leave in the reactor: one end of a socket pair.
    """

    def __init__(self) -> None:
        self.sockets = socket.socketpair()
        self.lost: list[Failure] = []

    def fileno(self) -> int:
        return self.sockets[0].fileno()

    def doRead(self) -> None:
        pass

    def doWrite(self) -> None:
        pass

    def logPrefix(self) -> str:
        return "_Selectable"

    def connectionLost(self, reason: Failure) -> None:
        self.lost.append(reason)
        for s in self.sockets:
            s.close()

    def __repr__(self) -> str:
        return "<_Selectable left open>"


class DirtyReactorTests(SynchronousTestCase):
    def _dirtyReport(self, leave: Callable[[], object]) -> str:
        class Case(TestCase):
            def test_it(self) -> None:
                leave()

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        report = result.errors[0][1]
        assert "DirtyReactorAggregateError: Reactor was unclean: " in report
        assert "Case.test_it left work behind on the reactor" in report
        return report

    def test_delayedCall(self) -> None:
        """
        A delayed call left pending fails the test, named by its repr with
        advice; it is cancelled.
        """
        calls: list[Any] = []

        def leftBehind() -> None:
            pass

        report = self._dirtyReport(lambda: calls.append(_reactor().callLater(60, leftBehind)))
        assert "DelayedCalls still pending (now cancelled)" in report
        assert "leftBehind()>" in report
        assert "DelayedCall.debug = True" in report
        assert calls[0].cancelled

    def test_dueCallsRun(self) -> None:
        """
        Calls due at once (callLater(0)) are run, not reported, as in trial.
        """
        ran: list[bool] = []

        class Case(TestCase):
            def test_it(self) -> None:
                _reactor().callLater(0, ran.append, True)

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert ran == [True]

    def test_reader(self) -> None:
        """
        A descriptor left watched for reading fails the test, named by its
        repr; it is removed and told its connection was lost.
        """
        selectable = _Selectable()
        report = self._dirtyReport(lambda: _reactor().addReader(selectable))
        assert "Selectables still watched for reading or writing" in report
        assert "<_Selectable left open>" in report
        assert selectable not in _reactor().getReaders()
        [reason] = selectable.lost
        assert reason.check(ConnectionLost)

    def test_writer(self) -> None:
        """
        A descriptor left watched for writing is reported and removed too.
        """
        selectable = _Selectable()
        report = self._dirtyReport(lambda: _reactor().addWriter(selectable))
        assert "<_Selectable left open>" in report
        assert selectable not in _reactor().getWriters()
        assert len(selectable.lost) == 1

    def test_threadJob(self) -> None:
        """
        A thread-pool job still running after the test fails it; the
        reactor gets a fresh thread pool.
        """
        self.patch(_janitor, "THREAD_GRACE", 0.01)
        release = threading.Event()
        self.addCleanup(release.set)
        pools: list[Any] = []

        class Case(TestCase):
            def test_it(self) -> Deferred[None]:
                reactor = _reactor()
                pools.append(reactor.getThreadPool())
                started = threading.Event()

                def job() -> None:
                    started.set()
                    release.wait(30)

                reactor.callInThread(job)

                def waitForJob() -> None:
                    started.wait(30)

                return deferLater(reactor, 0, waitForJob)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        report = result.errors[0][1]
        assert "Thread-pool jobs still running or queued" in report
        assert "1 job(s) running, 0 queued" in report
        assert _reactor().threadpool is not pools[0]

    def test_threadJobNeverStarted(self) -> None:
        """
        A job queued while the reactor was not running (its pool has not
        started) and still busy after the test is reported too; the reactor
        can run cleanly afterwards.
        """
        self.patch(_janitor, "THREAD_GRACE", 0.01)
        self.patch(_reactor(), "threadpool", None)
        release = threading.Event()
        self.addCleanup(release.set)

        class Case(TestCase):
            def test_dirty(self) -> None:
                _reactor().callInThread(release.wait, 30)

            def test_clean(self) -> Deferred[Any]:
                return _later(None)

        result = _run(Case("test_dirty"))
        assert _outcome(result) == _only(errors=1)
        assert "1 job(s) running, 0 queued" in result.errors[0][1]
        assert _outcome(_run(Case("test_clean"))) == _PASSED

    def test_finishedThreadJob(self) -> None:
        """
        A thread job whose result the test waited for is not a leftover.
        """

        class Case(TestCase):
            def test_it(self) -> Deferred[None]:
                reactor = _reactor()
                d: Deferred[None] = Deferred()
                reactor.callInThread(reactor.callFromThread, d.callback, None)
                return d

        for _ in range(5):
            assert _outcome(_run(Case("test_it"))) == _PASSED

    def test_everythingNamed(self) -> None:
        """
        Leftovers of every kind are reported together, in one failure.
        """
        selectable = _Selectable()

        def leave() -> None:
            _reactor().callLater(60, lambda: None)
            _reactor().addReader(selectable)

        report = self._dirtyReport(leave)
        assert "DelayedCalls still pending" in report
        assert "Selectables still watched" in report

    def test_nextTestClean(self) -> None:
        """
        After a dirty test, the next test finds the reactor clean.
        """

        class Case(TestCase):
            def test_dirty(self) -> None:
                _reactor().callLater(60, lambda: None)

            def test_clean(self) -> Deferred[Any]:
                return _later(None)

        assert _outcome(_run(Case("test_dirty"))) == _only(errors=1)
        assert _outcome(_run(Case("test_clean"))) == _PASSED

    def test_message(self) -> None:
        """
        The error lists each leftover under a heading that says how to fix
        it.
        """
        error = DirtyReactorAggregateError(
            ["<DelayedCall f()>"], ["<Port 8080>"], ["<ThreadPool>: 1 job(s) running"], "t.test"
        )
        lines = str(error).splitlines()
        assert lines[0].startswith("Reactor was unclean: t.test left work behind")
        assert lines[1].startswith("DelayedCalls still pending (now cancelled): cancel each")
        assert lines[2] == "<DelayedCall f()>"
        assert lines[3].startswith("Selectables still watched for reading or writing")
        assert "port.stopListening()" in lines[3]
        assert lines[4] == "<Port 8080>"
        assert lines[5].startswith("Thread-pool jobs still running or queued")
        assert lines[6] == "<ThreadPool>: 1 job(s) running"
        assert error.delayedCalls == ["<DelayedCall f()>"]
        assert error.selectables == ["<Port 8080>"]


def test_publicNames() -> None:
    """
    TestCase is public in torsion.trial.unittest, the reactor utilities in
    torsion.trial.util, as in Twisted.
    """
    from torsion.trial import unittest as trialUnittest
    from torsion.trial import util

    assert TestCase.__module__ == "torsion.trial.unittest"
    assert "TestCase" in trialUnittest.__all__
    assert DirtyReactorAggregateError.__module__ == "torsion.trial.util"
    assert util.runUntil.__module__ == "torsion.trial.util"
    assert sorted(util.__all__) == [
        "DEFAULT_TIMEOUT_DURATION",
        "DirtyReactorAggregateError",
        "runUntil",
    ]
