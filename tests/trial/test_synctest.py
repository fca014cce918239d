"""
Tests for how L{torsion.trial.unittest.SynchronousTestCase} runs a test:
skip, todo, cleanups, returned Deferreds, logged errors, C{patch},
C{mktemp} and C{flushWarnings}.

Each test runs another test case through unittest's C{run(result)} and
checks what was reported to the result.
"""

import gc
import os
import unittest
import warnings
from typing import Any

import pytest

from torsion.internet.defer import Deferred, fail, succeed
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.trial.unittest import SkipTest, SynchronousTestCase, Todo, makeTodo

_log = Logger(namespace="tests.trial")


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


def _warnHere() -> None:
    warnings.warn("from _warnHere", UserWarning, stacklevel=1)


def _warnElsewhere() -> None:
    warnings.warn("from _warnElsewhere", DeprecationWarning, stacklevel=1)


class RunTests(SynchronousTestCase):
    def test_passingTest(self) -> None:
        """
        A test that passes is reported as a success, once.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.assertEqual(1, 1)

        result = _run(Case("test_it"))
        assert _outcome(result) == _PASSED
        assert result.wasSuccessful()

    def test_failureAndError(self) -> None:
        """
        A failed assertion is a failure; any other exception is an error.
        """

        class Case(SynchronousTestCase):
            def test_fails(self) -> None:
                self.fail("nope")

            def test_errs(self) -> None:
                raise KeyError("k")

        result = _run(Case("test_fails"))
        assert _outcome(result) == _only(failures=1)
        assert "FailTest: nope" in result.failures[0][1]
        result = _run(Case("test_errs"))
        assert _outcome(result) == _only(errors=1)
        assert "KeyError: 'k'" in result.errors[0][1]

    def test_assertStatementIsFailure(self) -> None:
        """
        A failed C{assert} statement is a failure too, not an error.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                total: int = 1 + 1
                assert total == 3, "arithmetic"

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        assert "AssertionError: arithmetic" in result.failures[0][1]

    def test_order(self) -> None:
        """
        setUp, the test, the cleanups (last added first), then tearDown.
        """
        calls: list[str] = []

        class Case(SynchronousTestCase):
            def setUp(self) -> None:
                calls.append("setUp")
                self.addCleanup(calls.append, "cleanup 1")

            def tearDown(self) -> None:
                calls.append("tearDown")

            def test_it(self) -> None:
                calls.append("test")
                self.addCleanup(calls.append, "cleanup 2")

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert calls == ["setUp", "test", "cleanup 2", "cleanup 1", "tearDown"]

    def test_setUpFails(self) -> None:
        """
        If setUp fails, the test and tearDown do not run; cleanups do.
        """
        calls: list[str] = []

        class Case(SynchronousTestCase):
            def setUp(self) -> None:
                self.addCleanup(calls.append, "cleanup")
                raise RuntimeError("setUp broke")

            def tearDown(self) -> None:
                calls.append("tearDown")

            def test_it(self) -> None:
                calls.append("test")

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "RuntimeError: setUp broke" in result.errors[0][1]
        assert calls == ["cleanup"]

    def test_tearDownFails(self) -> None:
        """
        A failing tearDown is reported even though the test passed.
        """

        class Case(SynchronousTestCase):
            def tearDown(self) -> None:
                raise RuntimeError("tearDown broke")

            def test_it(self) -> None:
                pass

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)

    def test_noResultObject(self) -> None:
        """
        Run without a result, a test makes and returns the default one.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                pass

        result = Case("test_it").run()
        assert isinstance(result, unittest.TestResult)
        assert result.wasSuccessful()
        assert result.testsRun == 1

    def test_durationReported(self) -> None:
        """
        A result with C{addDuration} is told how long the test took.
        """
        durations: list[float] = []

        class Result(unittest.TestResult):
            def addDuration(self, test: unittest.TestCase, elapsed: float) -> None:
                durations.append(elapsed)

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                pass

        Case("test_it").run(Result())
        assert len(durations) == 1
        assert durations[0] >= 0


class SkipTests(SynchronousTestCase):
    def test_methodAttribute(self) -> None:
        """
        C{skip} set on the test method skips it with that reason; nothing
        of the test runs.
        """
        calls: list[str] = []

        class Case(SynchronousTestCase):
            def setUp(self) -> None:
                calls.append("setUp")

            def test_it(self) -> None:
                calls.append("test")

            test_it.skip = "not on Tuesdays"  # type: ignore[attr-defined]

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(skipped=1)
        assert result.skipped[0][1] == "not on Tuesdays"
        assert calls == []

    def test_classAttribute(self) -> None:
        """
        C{skip} set on the class skips all its tests; a method's own value
        wins over the class's.
        """

        class Case(SynchronousTestCase):
            skip = "whole class"

            def test_one(self) -> None:
                pass

            def test_two(self) -> None:
                pass

            test_two.skip = "this one"  # type: ignore[attr-defined]

        assert _run(Case("test_one")).skipped[0][1] == "whole class"
        assert _run(Case("test_two")).skipped[0][1] == "this one"
        assert Case("test_one").getSkip() == (True, "whole class")

    def test_methodNoneOverridesClass(self) -> None:
        """
        A method's C{skip = None} runs it even though its class is skipped.
        """

        class Case(SynchronousTestCase):
            skip = "whole class"

            def test_it(self) -> None:
                pass

            test_it.skip = None  # type: ignore[attr-defined]

        assert _outcome(_run(Case("test_it"))) == _PASSED

    def test_unittestDecorator(self) -> None:
        """
        unittest's C{@skip} decorator skips too.
        """

        class Case(SynchronousTestCase):
            @unittest.skip("decorated")
            def test_it(self) -> None:
                pass

        result = _run(Case("test_it"))
        assert result.skipped[0][1] == "decorated"

    def test_skipTestRaised(self) -> None:
        """
        C{SkipTest} raised by setUp or the test skips with its reason.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                raise SkipTest("no network")

            def test_viaMethod(self) -> None:
                self.skipTest("by skipTest")

        assert _run(Case("test_it")).skipped[0][1] == "no network"
        assert _run(Case("test_viaMethod")).skipped[0][1] == "by skipTest"

    def test_notSkipped(self) -> None:
        """
        C{getSkip} says no when nothing asks to skip.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                pass

        assert Case("test_it").getSkip() == (False, None)


class TodoTests(SynchronousTestCase):
    def test_failingTodo(self) -> None:
        """
        A C{todo} test that fails is an expected failure.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                raise ValueError("not yet")

            test_it.todo = "parser unfinished"  # type: ignore[attr-defined]

        assert _outcome(_run(Case("test_it"))) == _only(expectedFailures=1)

    def test_passingTodo(self) -> None:
        """
        A C{todo} test that passes is an unexpected success.
        """

        class Case(SynchronousTestCase):
            todo = "parser unfinished"

            def test_it(self) -> None:
                pass

        assert _outcome(_run(Case("test_it"))) == _only(unexpectedSuccesses=1)

    def test_todoWithTypes(self) -> None:
        """
        C{todo = (errors, reason)} expects only those errors; another error
        is reported as an error.
        """

        class Case(SynchronousTestCase):
            todo = ((KeyError, ValueError), "lookups")

            def test_expected(self) -> None:
                raise KeyError("k")

            def test_unexpected(self) -> None:
                raise TypeError("t")

        assert _outcome(_run(Case("test_expected"))) == _only(expectedFailures=1)
        assert _outcome(_run(Case("test_unexpected"))) == _only(errors=1)

    def test_onlyExceptionsExpected(self) -> None:
        """
        A C{BaseException} that is not an C{Exception} (C{SystemExit}, or
        what C{pytest.skip} raises) is not the failure a C{todo} expects.
        """

        class Case(SynchronousTestCase):
            todo = "anything"

            def test_it(self) -> None:
                raise SystemExit(3)

        assert _outcome(_run(Case("test_it"))) == _only(errors=1)

    def test_expectedFailureDecorator(self) -> None:
        """
        unittest's C{@expectedFailure} counts as a C{todo}.
        """

        class Case(SynchronousTestCase):
            @unittest.expectedFailure
            def test_it(self) -> None:
                self.fail("known")

        assert _outcome(_run(Case("test_it"))) == _only(expectedFailures=1)

    def test_reasonGivenToResultsThatTakeIt(self) -> None:
        """
        A result whose C{addExpectedFailure} and C{addUnexpectedSuccess} take
        trial's extra argument (pytest's does) gets the reason and the Todo.
        """
        calls: list[tuple[str, object]] = []

        class Result(unittest.TestResult):
            def addExpectedFailure(
                self, test: unittest.TestCase, err: Any, reason: str = ""
            ) -> None:
                calls.append(("expected", reason))

            def addUnexpectedSuccess(
                self, test: unittest.TestCase, todo: Todo | None = None
            ) -> None:
                calls.append(("unexpected", todo))

        class Case(SynchronousTestCase):
            todo = "the reason"

            def test_fails(self) -> None:
                raise ValueError()

            def test_passes(self) -> None:
                pass

        Case("test_fails").run(Result())
        Case("test_passes").run(Result())
        assert calls == [("expected", "the reason"), ("unexpected", Todo("the reason"))]

    def test_makeTodo(self) -> None:
        """
        C{makeTodo} accepts a reason, or C{(errors, reason)} with one type
        or several.
        """
        assert makeTodo("r") == Todo("r")
        assert makeTodo((KeyError, "r")) == Todo("r", (KeyError,))
        assert makeTodo(([KeyError, ValueError], "r")) == Todo("r", (KeyError, ValueError))
        todo = Todo("r", (KeyError,))
        assert makeTodo(todo) is todo

    def test_makeTodoRejects(self) -> None:
        """
        Anything else is a TypeError that shows the forms accepted.
        """
        with pytest.raises(TypeError, match=r"^todo must be a reason string or an \(errors, "):
            makeTodo(3)  # type: ignore[arg-type]


class CleanupTests(SynchronousTestCase):
    def test_failingCleanup(self) -> None:
        """
        A cleanup that raises is reported; the other cleanups still run.
        """
        calls: list[str] = []

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.addCleanup(calls.append, "first added")
                self.addCleanup(lambda: 1 / 0)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "ZeroDivisionError" in result.errors[0][1]
        assert calls == ["first added"]

    def test_firedDeferred(self) -> None:
        """
        A cleanup may return a Deferred that has already succeeded.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.addCleanup(succeed, None)

        assert _outcome(_run(Case("test_it"))) == _PASSED

    def test_failedDeferred(self) -> None:
        """
        A cleanup returning a failed Deferred fails the test with its
        traceback, and the failure is not also logged as unhandled.
        """

        def cleanup() -> Deferred[None]:
            return fail(OSError("disk gone"))

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.addCleanup(cleanup)

        result = _run(Case("test_it"))
        gc.collect()
        assert _outcome(result) == _only(failures=1)
        message = result.failures[0][1]
        assert "cleanup CleanupTests.test_failedDeferred.<locals>.cleanup returned " in message
        assert "a Deferred that failed:\n" in message
        assert "OSError: disk gone" in message
        assert self.flushLoggedErrors() == []

    def test_unfiredDeferred(self) -> None:
        """
        A cleanup returning a Deferred that has not fired fails the test,
        saying to use the reactor-based TestCase.
        """
        pending: Deferred[None] = Deferred()

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.addCleanup(lambda: pending)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        message = result.failures[0][1]
        assert f"returned {pending!r}, which has not fired, and SynchronousTestCase" in message
        assert "torsion.trial.unittest.TestCase" in message

    def test_coroutine(self) -> None:
        """
        A cleanup returning a coroutine is an error; the coroutine is closed,
        not left unawaited.
        """

        async def cleanup() -> None:
            pass

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.addCleanup(cleanup)

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = _run(Case("test_it"))
            gc.collect()
        assert _outcome(result) == _only(errors=1)
        message = result.errors[0][1]
        assert "returned a coroutine, which SynchronousTestCase cannot wait" in message

    def test_doCleanups(self) -> None:
        """
        C{doCleanups} runs the cleanups now, raising the first error after
        running them all.
        """
        case = SynchronousTestCase()
        calls: list[int] = []
        case.addCleanup(calls.append, 1)
        case.addCleanup(lambda: 1 / 0)
        case.addCleanup(calls.append, 2)
        with pytest.raises(ZeroDivisionError):
            case.doCleanups()
        assert calls == [2, 1]
        case.doCleanups()
        assert calls == [2, 1]

    def test_enterContext(self) -> None:
        """
        unittest's C{enterContext} exits its context as a cleanup.
        """
        exited: list[bool] = []

        class Context:
            def __enter__(self) -> str:
                return "entered"

            def __exit__(self, *args: object) -> None:
                exited.append(True)

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                assert self.enterContext(Context()) == "entered"

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert exited == [True]


class ReturnedValueTests(SynchronousTestCase):
    def test_firedDeferred(self) -> None:
        """
        A test returning a Deferred that succeeded passes.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> Deferred[int]:
                return succeed(1)

        assert _outcome(_run(Case("test_it"))) == _PASSED

    def test_failedDeferred(self) -> None:
        """
        A test returning a failed Deferred fails with its traceback.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> Deferred[None]:
                return fail(ValueError("late"))

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        assert "returned a Deferred that failed:" in result.failures[0][1]
        assert "ValueError: late" in result.failures[0][1]

    def test_unfiredDeferred(self) -> None:
        """
        A test returning a Deferred that has not fired fails: this class
        never waits.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> Deferred[None]:
                return Deferred()

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        message = result.failures[0][1]
        assert "ReturnedValueTests" in message
        assert "which has not fired, and SynchronousTestCase never waits" in message

    def test_asyncMethod(self) -> None:
        """
        An C{async def} test is an error saying why, and is not run.
        """
        ran: list[bool] = []

        class Case(SynchronousTestCase):
            async def test_it(self) -> None:
                ran.append(True)

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        message = result.errors[0][1]
        assert "is an async function, and SynchronousTestCase never waits" in message
        assert ran == []

    def test_generatorMethod(self) -> None:
        """
        A generator test method is an error: calling it would run nothing.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> Any:
                yield None

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "is a generator function" in result.errors[0][1]


class LoggedErrorTests(SynchronousTestCase):
    def test_loggedErrorFails(self) -> None:
        """
        A failure logged during a test fails it; the message names the test
        and gives the event's text and traceback.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                table: dict[str, int] = {}
                try:
                    table["missing"]
                except KeyError:
                    _log.failure("lookup went wrong")

        case = Case("test_it")
        result = _run(case)
        assert _outcome(result) == _only(failures=1)
        message = result.failures[0][1]
        assert (
            f"An error was logged during {case.id()} and not flushed.  If the test "
            "expects it, claim it with flushLoggedErrors(KeyError)."
        ) in message
        assert "[tests.trial#critical] lookup went wrong" in message
        assert "Traceback (most recent call last):" in message
        assert "KeyError: 'missing'" in message

    def test_severalErrors(self) -> None:
        """
        Several errors are reported together, in one failure.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                _log.failure("one", Failure(KeyError()))
                _log.failure("two", Failure(ValueError()))

        result = _run(Case("test_it"))
        gc.collect()
        self.flushLoggedErrors()
        assert _outcome(result) == _only(failures=1)
        message = result.failures[0][1]
        assert "2 errors were logged during" in message
        assert "flushLoggedErrors(KeyError, ValueError)" in message

    def test_flushed(self) -> None:
        """
        C{flushLoggedErrors(types)} returns the matching failures in order
        and removes them; the test passes if none is left.
        """
        flushed: list[list[type[BaseException]]] = []

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                for error in (KeyError(), ValueError(), KeyError()):
                    _log.failure("oops", Failure(error))
                flushed.append([f.type for f in self.flushLoggedErrors(KeyError)])
                flushed.append([f.type for f in self.flushLoggedErrors()])
                flushed.append([f.type for f in self.flushLoggedErrors()])

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert flushed == [[KeyError, KeyError], [ValueError], []]

    def test_unflushedTypeStillFails(self) -> None:
        """
        Flushing one type leaves the others to fail the test.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                _log.failure("oops", Failure(ValueError()))
                self.flushLoggedErrors(KeyError)

        result = _run(Case("test_it"))
        gc.collect()
        self.flushLoggedErrors()
        assert _outcome(result) == _only(failures=1)

    def test_garbageCollectedDeferred(self) -> None:
        """
        A Deferred with an unhandled failure, caught in a reference cycle
        and so collected only by the garbage collector, fails the test it
        was dropped in: the runner collects garbage before checking.
        """

        def dropFailedDeferred() -> None:
            d = fail(RuntimeError("nobody handled me"))
            d.cycle = d  # type: ignore[attr-defined]

        class Case(SynchronousTestCase):
            def test_dropped(self) -> None:
                dropFailedDeferred()

            def test_droppedAndFlushed(self) -> None:
                dropFailedDeferred()
                gc.collect()
                self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)

        gc.collect()
        gcWasEnabled = gc.isenabled()
        gc.disable()  # the collection must be the runner's, not a chance one
        try:
            result = _run(Case("test_dropped"))
            flushedResult = _run(Case("test_droppedAndFlushed"))
        finally:
            if gcWasEnabled:
                gc.enable()
        assert _outcome(result) == _only(failures=1)
        message = result.failures[0][1]
        assert "Unhandled error in Deferred:" in message
        assert "RuntimeError: nobody handled me" in message
        assert _outcome(flushedResult) == _PASSED

    def test_promotedGarbageFound(self) -> None:
        """
        The dropped Deferred is found even when collections during the test
        moved it to an older generation while it was still referenced.
        """

        def dropAfterCollecting(generation: int) -> None:
            d = fail(RuntimeError(f"survived generation {generation}"))
            d.cycle = d  # type: ignore[attr-defined]
            gc.collect(generation)
            del d

        class Case(SynchronousTestCase):
            def test_gen0(self) -> None:
                dropAfterCollecting(0)

            def test_gen1(self) -> None:
                dropAfterCollecting(1)

            def test_gen2(self) -> None:
                dropAfterCollecting(2)

        gc.collect()
        gcWasEnabled = gc.isenabled()
        gc.disable()
        try:
            results = [_run(Case(f"test_gen{generation}")) for generation in range(3)]
        finally:
            if gcWasEnabled:
                gc.enable()
        for generation, result in enumerate(results):
            assert _outcome(result) == _only(failures=1), generation
            assert f"RuntimeError: survived generation {generation}" in result.failures[0][1]

    def test_errorInCleanupCounts(self) -> None:
        """
        An error logged by a cleanup fails the test too.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.addCleanup(lambda: _log.failure("in cleanup", Failure(OSError())))

        result = _run(Case("test_it"))
        gc.collect()
        self.flushLoggedErrors()
        assert _outcome(result) == _only(failures=1)
        assert "in cleanup" in result.failures[0][1]

    def test_nestedTestsKeepTheirOwnErrors(self) -> None:
        """
        Errors logged by a test run inside this one belong to that test,
        not to this one.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                _log.failure("inner", Failure(KeyError()))

        result = _run(Case("test_it"))
        assert _outcome(result) == _only(failures=1)
        gc.collect()
        remaining = [f for f in self.flushLoggedErrors() if f.check(KeyError)]
        assert remaining == []

    def test_noticesBeforeAndAfter(self) -> None:
        """
        Errors logged by this test before and after running another test
        are still this test's.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                pass

        _log.failure("before", Failure(KeyError()))
        _run(Case("test_it"))
        _log.failure("after", Failure(ValueError()))
        gc.collect()
        assert sorted(f.type.__name__ for f in self.flushLoggedErrors()) == [
            "KeyError",
            "ValueError",
        ]


class _Target:
    classValue = "class"

    def __init__(self) -> None:
        self.value = "original"


class PatchTests(SynchronousTestCase):
    def test_restoredAfterTest(self) -> None:
        """
        C{patch} replaces the attribute during the test only.
        """
        target = _Target()
        seen: list[str] = []

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                self.patch(target, "value", "patched")
                seen.append(target.value)

        assert _outcome(_run(Case("test_it"))) == _PASSED
        assert seen == ["patched"]
        assert target.value == "original"

    def test_restoreAndRepatch(self) -> None:
        """
        The returned object's C{restore} undoes the patch early (twice is
        harmless) and C{patch} applies it again.
        """
        target = _Target()
        case = SynchronousTestCase()
        patch = case.patch(target, "value", "patched")
        patch.restore()
        patch.restore()
        assert target.value == "original"
        patch.patch()
        assert target.value == "patched"
        case.doCleanups()
        assert target.value == "original"

    def test_missingAttribute(self) -> None:
        """
        Patching an attribute that did not exist removes it afterwards.
        """
        target = _Target()
        case = SynchronousTestCase()
        case.patch(target, "extra", 1)
        assert target.extra == 1  # type: ignore[attr-defined]
        case.doCleanups()
        assert not hasattr(target, "extra")

    def test_inheritedAttribute(self) -> None:
        """
        Patching on an instance an attribute its class provides leaves the
        instance without its own attribute afterwards.
        """
        target = _Target()
        case = SynchronousTestCase()
        case.patch(target, "classValue", "instance")
        assert target.classValue == "instance"
        case.doCleanups()
        assert "classValue" not in vars(target)
        assert target.classValue == "class"

    def test_module(self) -> None:
        """
        Module attributes can be patched, and are restored.
        """
        original = os.sep
        case = SynchronousTestCase()
        case.patch(os, "sep", "!")
        assert os.sep == "!"
        case.doCleanups()
        assert os.sep == original


class MktempTests(SynchronousTestCase):
    def test_newPathInExistingDirectory(self) -> None:
        """
        C{mktemp} returns an absolute path that does not exist, in a
        directory that does, named after the test.
        """
        path = self.mktemp()
        assert os.path.isabs(path)
        assert not os.path.exists(path)
        assert os.path.isdir(os.path.dirname(path))
        parts = path.split(os.sep)
        assert parts[-5:-2] == [__name__, "MktempTests", "test_newPathInExistingDirectory"]

    def test_unique(self) -> None:
        """
        Each call gives another path, even once the earlier ones exist.
        """
        first = self.mktemp()
        os.mkdir(first)
        second = self.mktemp()
        assert first != second
        assert not os.path.exists(second)


class FlushWarningsTests(SynchronousTestCase):
    def test_allWarnings(self) -> None:
        """
        C{flushWarnings()} returns every warning of the test as trial's
        dicts, and removes them.
        """
        _warnHere()
        _warnElsewhere()
        flushed = self.flushWarnings()
        assert [w["message"] for w in flushed] == ["from _warnHere", "from _warnElsewhere"]
        first = flushed[0]
        assert first["category"] is UserWarning
        assert first["filename"] == __file__
        assert first["lineno"] == _warnHere.__code__.co_firstlineno + 1
        assert set(first) == {"message", "category", "filename", "lineno"}
        assert self.flushWarnings() == []

    def test_offendingFunctions(self) -> None:
        """
        With functions, only the warnings pointing into their code are
        flushed; the others stay.
        """
        _warnHere()
        _warnElsewhere()
        flushed = self.flushWarnings([_warnElsewhere])
        assert [w["message"] for w in flushed] == ["from _warnElsewhere"]
        assert [w["message"] for w in self.flushWarnings([self.test_offendingFunctions])] == []
        assert [w["message"] for w in self.flushWarnings()] == ["from _warnHere"]

    def test_notAFunction(self) -> None:
        """
        Something other than a function or method is a ValueError naming it.
        """
        with pytest.raises(ValueError, match=r"^flushWarnings\(\) takes functions or methods, "):
            self.flushWarnings([len])

    def test_seenEvenIfSeenBefore(self) -> None:
        """
        A warning already emitted (and so normally shown once) is seen each
        time it is emitted during a test.
        """
        for _ in range(2):
            _warnHere()
        assert len(self.flushWarnings()) == 2

    def test_unflushedEmittedAgain(self) -> None:
        """
        Warnings a test does not flush are emitted again after it, where
        the filters outside the test apply.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                _warnHere()

        with warnings.catch_warnings(record=True) as outside:
            warnings.simplefilter("always")
            result = _run(Case("test_it"))
        assert _outcome(result) == _PASSED
        assert [str(w.message) for w in outside] == ["from _warnHere"]
        assert outside[0].filename == __file__

    def test_unflushedWarningAsError(self) -> None:
        """
        If the filters outside the test turn that warning into an error,
        the test is reported with that error.
        """

        class Case(SynchronousTestCase):
            def test_it(self) -> None:
                _warnHere()

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = _run(Case("test_it"))
        assert _outcome(result) == _only(errors=1)
        assert "UserWarning: from _warnHere" in result.errors[0][1]
