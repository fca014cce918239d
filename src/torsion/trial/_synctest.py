# SynchronousTestCase: trial's test case, run by pytest (or any unittest
# runner) through the standard unittest.TestCase.run(result) protocol.
#
# How a test runs (run() below), following trial rather than unittest:
#   1. A skip reason found on the method, the instance/class or the module
#      (trial's `skip` attribute), or unittest's @skip, reports a skip and
#      nothing runs.
#   2. The test starts collecting warnings (all of them, filters set to
#      "always") and failure events logged to the global log publisher
#      (_triallog.py).
#   3. setUp; if it passed, the test method, judged against `todo`; then
#      the cleanups, last added first, even if setUp failed; then tearDown
#      if setUp passed.  Cleanups run before tearDown, as in trial.
#   4. The reactor-based TestCase checks the reactor for leftovers
#      (_checkReactor, which does nothing here).
#   5. Garbage is collected (see _triallog.py for how it is kept cheap), so
#      that a Deferred garbage-collected with an unhandled failure logs it
#      now; every failure logged and not flushed fails the test, in one
#      report.
#   6. Warnings the test did not flush are emitted again, to whatever
#      filters and capture were in place outside the test.
# Each problem is reported to the result as it happens (addError,
# addFailure, addSkip, addExpectedFailure, addUnexpectedSuccess);
# addSuccess only if none was.  pytest's unittest result also accepts
# trial's todo reason; plain unittest results get unittest's arguments.
#
# SynchronousTestCase never waits: a test method or cleanup returning a
# Deferred that has already fired is judged by its result, and one that has
# not fired (or a coroutine) fails the test, pointing to the reactor-based
# TestCase.
from __future__ import annotations

import inspect
import os
import sys
import tempfile
import time
import types
import unittest
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, cast

from torsion.internet.defer import Deferred
from torsion.python.failure import Failure
from torsion.trial._trialassertions import _NO_RESULT, _Assertions, _consumeFailure, _currentResult
from torsion.trial._triallog import _ErrorLog
from torsion.trial._trialsupport import (
    Todo,
    _FlushedWarning,
    _getTemporaryRoot,
    _linesOf,
    _Patch,
    makeTodo,
)

__unittest = True

_P = ParamSpec("_P")
_MISSING: Any = object()
_ExcInfo = tuple[type[BaseException], BaseException, types.TracebackType]


def _excInfo(error: BaseException) -> _ExcInfo:
    # Only exceptions just caught are reported, so they have a traceback.
    return type(error), error, cast(types.TracebackType, error.__traceback__)


def _acceptsArguments(method: Callable[..., object], count: int) -> bool:
    try:
        inspect.signature(method).bind(*range(count))
    except (TypeError, ValueError):
        return False
    return True


class SynchronousTestCase(_Assertions):
    """
    A test case with trial's helpers, for tests that never wait.

    Subclass it and write C{test_*} methods; pytest runs them (so does any
    unittest runner).  Besides unittest's assertions it has trial's:
    L{successResultOf}, L{failureResultOf}, L{assertNoResult},
    L{assertFailure}, L{flushLoggedErrors}, L{flushWarnings}, L{patch},
    L{mktemp}, and trial's aliases.

    A test fails if an error (an event with a C{log_failure}) is logged to
    the global log publisher while it runs, including a Deferred garbage
    collected with an unhandled failure, unless the test removes it with
    L{flushLoggedErrors}.

    @ivar skip: Set on a test method, a class or a module to a reason: the
        tests there are skipped with that reason.
    @ivar todo: Set on a test method, a class or a module: the tests there
        are expected to fail.  A reason string, or C{(errors, reason)} to
        expect only some exception types (see L{makeTodo}).
    @ivar suppress: Trial's warning suppressions; accepted and ignored
        (use C{flushWarnings}, or C{warnings.filterwarnings} in C{setUp}).
    """

    skip: str | None
    todo: str | tuple[Any, str] | None
    suppress: Sequence[object]

    def __init__(self, methodName: str = "runTest") -> None:
        """
        @param methodName: The name of the test method this instance runs.
        """
        super().__init__(methodName)
        self._trialCleanups: list[tuple[Callable[..., object], tuple[Any, ...], dict[str, Any]]]
        self._trialCleanups = []
        self._warnings: list[warnings.WarningMessage] = []
        self._errorLog = _ErrorLog()

    # -- what to run ----------------------------------------------------

    def _acquire(self, name: str) -> Any:
        """
        Look C{name} up on the test method, then this test, then its module.
        """
        method = getattr(self, self._testMethodName, None)
        module = sys.modules.get(type(self).__module__)
        for holder in (method, self, module):
            if holder is not None:
                value = getattr(holder, name, _MISSING)
                if value is not _MISSING:
                    return value
        return _MISSING

    def getSkip(self) -> tuple[bool, str | None]:
        """
        Find out whether this test is to be skipped, and why.

        Trial's C{skip} attribute is looked for on the test method, then the
        test case (instance and class), then the module; the first found
        wins.  Without one, unittest's C{@skip} decorators count.

        @return: C{(True, reason)} to skip, else C{(False, None)}.
        """
        reason = self._acquire("skip")
        if reason is not _MISSING and reason is not None:
            return True, str(reason)
        for holder in (getattr(self, self._testMethodName, None), type(self)):
            if getattr(holder, "__unittest_skip__", False):
                return True, getattr(holder, "__unittest_skip_why__", "")
        return False, None

    def getTodo(self) -> Todo | None:
        """
        Find out whether this test is expected to fail.

        Looks for trial's C{todo} attribute as L{getSkip} looks for C{skip};
        unittest's C{@expectedFailure} counts too.

        @return: The L{Todo}, or L{None}.
        """
        value = self._acquire("todo")
        if value is not _MISSING and value is not None:
            return makeTodo(value)
        method = getattr(self, self._testMethodName, None)
        if getattr(method, "__unittest_expecting_failure__", False) or getattr(
            self, "__unittest_expecting_failure__", False
        ):
            return Todo("marked with @unittest.expectedFailure")
        return None

    # -- running ----------------------------------------------------------

    def run(self, result: unittest.TestResult | None = None) -> unittest.TestResult:
        """
        Run this test, reporting what happens to C{result}.

        @param result: A unittest result (pytest passes its own).
        @return: C{result}.
        """
        stopTestRun: Callable[[], object] | None = None
        if result is None:
            result = self.defaultTestResult()
            startTestRun = getattr(result, "startTestRun", None)
            stopTestRun = getattr(result, "stopTestRun", None)
            if startTestRun is not None:
                startTestRun()
        result.startTest(self)
        try:
            doSkip, reason = self.getSkip()
            if doSkip:
                result.addSkip(self, reason or "")
                return result
            started = time.perf_counter()
            errorLog = self._errorLog = _ErrorLog()
            errorLog.start()
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    self._warnings = caught
                    self._runFixturesAndTest(result)
            finally:
                errorLog.stop()
            for leftOver in self._warnings:
                try:
                    warnings.warn_explicit(
                        leftOver.message, leftOver.category, leftOver.filename, leftOver.lineno
                    )
                except KeyboardInterrupt:
                    raise
                except BaseException as e:
                    self._addProblem(result, _excInfo(e))
            del self._warnings[:]
            addDuration = getattr(result, "addDuration", None)
            if addDuration is not None:
                addDuration(self, time.perf_counter() - started)
        finally:
            result.stopTest(self)
            if stopTestRun is not None:
                stopTestRun()
        return result

    def _runFixturesAndTest(self, result: unittest.TestResult) -> None:
        reported = False
        setUpPassed = False
        try:
            if self._runPart(result, self.setUp, None):
                reported = True
            else:
                setUpPassed = True
                todo = self.getTodo()
                method = getattr(self, self._testMethodName)
                if self._runPart(result, method, todo, isTest=True):
                    reported = True
                elif todo is not None:
                    self._addUnexpectedSuccess(result, todo)
                    reported = True
        finally:
            if self._runCleanups(lambda info: self._addProblem(result, info)):
                reported = True
        if setUpPassed and self._runPart(result, self.tearDown, None):
            reported = True
        if self._checkReactor(result):
            reported = True
        self._errorLog.collectGarbage()
        message = self._errorLog.describe(self.id())
        if message is not None:
            try:
                raise self.failureException(message)
            except self.failureException as e:
                self._addProblem(result, _excInfo(e))
            reported = True
        if not reported:
            result.addSuccess(self)

    def _runPart(
        self,
        result: unittest.TestResult,
        function: Callable[[], object],
        todo: Todo | None,
        isTest: bool = False,
    ) -> bool:
        """
        Run setUp, the test method or tearDown; report any problem.

        @return: Whether something (a skip, an error...) was reported.
        """
        try:
            if isTest:
                self._refuseWaiting(function)
            self._checkReturned(self.id() if isTest else function.__name__, function())
        except KeyboardInterrupt:
            raise
        except unittest.SkipTest as e:
            result.addSkip(self, str(e.args[0]) if e.args else "")
        except BaseException as e:
            # Only exceptions count against a todo: not SystemExit, nor the
            # BaseExceptions pytest.skip() and pytest.fail() raise.
            if todo is not None and isinstance(e, Exception) and todo.expected(Failure(e)):
                self._addExpectedFailure(result, _excInfo(e), todo)
            else:
                self._addProblem(result, _excInfo(e))
        else:
            return False
        return True

    def _checkReactor(self, result: unittest.TestResult) -> bool:
        """
        Check what the test left on the reactor (the reactor-based TestCase
        does; this class never runs the reactor).

        @return: Whether a problem was reported.
        """
        return False

    def _refuseWaiting(self, method: Callable[[], object]) -> None:
        if inspect.isgeneratorfunction(method):
            raise TypeError(
                f"{self.id()} is a generator function, so calling it would run none of "
                "its code; a test method must be a plain function (an inlineCallbacks "
                "test needs the reactor-based torsion.trial.unittest.TestCase)"
            )
        if inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method):
            raise TypeError(
                f"{self.id()} is an async function, and SynchronousTestCase never "
                "waits: make it a plain function, driving Deferreds with a Clock, "
                "or use the reactor-based torsion.trial.unittest.TestCase"
            )

    def _checkReturned(self, name: str, returned: object) -> None:
        """
        Fail if a test method or cleanup returned something to wait for.

        @param name: Names the test method or cleanup, for messages.
        """
        if returned is None:
            return
        if inspect.iscoroutine(returned):
            returned.close()
            raise TypeError(
                f"{name} returned a coroutine, which SynchronousTestCase cannot wait "
                "for; use the reactor-based torsion.trial.unittest.TestCase"
            )
        if isinstance(returned, Deferred):
            current = _currentResult(returned)
            if current is _NO_RESULT:
                raise self.failureException(
                    f"{name} returned {returned!r}, which has not fired, and "
                    "SynchronousTestCase never waits: fire it first (a Clock can "
                    "advance time), or use the reactor-based "
                    "torsion.trial.unittest.TestCase"
                )
            if isinstance(current, Failure):
                _consumeFailure(returned)
                raise self.failureException(
                    f"{name} returned a Deferred that failed:\n{current.getTraceback()}"
                )

    def _runCleanups(self, report: Callable[[_ExcInfo], None]) -> bool:
        """
        Run and forget the cleanups, last added first.

        @param report: Called with the C{sys.exc_info()} of each that fails.
        @return: Whether any failed.
        """
        failed = False
        while self._trialCleanups:
            function, args, kwargs = self._trialCleanups.pop()
            try:
                name = getattr(function, "__qualname__", None) or repr(function)
                self._checkReturned(f"cleanup {name}", function(*args, **kwargs))
            except KeyboardInterrupt:
                raise
            except BaseException as e:
                report(_excInfo(e))
                failed = True
        return failed

    def _addProblem(self, result: unittest.TestResult, info: _ExcInfo) -> None:
        # A plain assert statement is a failure too, for pytest-style tests.
        if isinstance(info[1], (self.failureException, AssertionError)):
            result.addFailure(self, info)
        else:
            result.addError(self, info)

    def _addExpectedFailure(self, result: unittest.TestResult, info: _ExcInfo, todo: Todo) -> None:
        add: Callable[..., None] = result.addExpectedFailure
        if _acceptsArguments(add, 3):
            add(self, info, todo.reason)
        else:
            add(self, info)

    def _addUnexpectedSuccess(self, result: unittest.TestResult, todo: Todo) -> None:
        add: Callable[..., None] = result.addUnexpectedSuccess
        if _acceptsArguments(add, 2):
            add(self, todo)
        else:
            add(self)

    # -- helpers for tests --------------------------------------------------

    def addCleanup(
        self, function: Callable[_P, object], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> None:
        """
        Call C{function(*args, **kwargs)} after the test method, before tearDown.

        Cleanups run last added first, even when setUp or the test failed.
        A cleanup may return a Deferred that has already fired: a failure
        fails the test.  One that has not fired fails the test: this class
        cannot wait (the reactor-based TestCase can).

        @param function: The cleanup.
        """
        self._trialCleanups.append((function, args, kwargs))

    def doCleanups(self) -> None:
        """
        Run the cleanups added so far now (L{run} does this after the test).

        @raise BaseException: The first exception a cleanup raised, once all
            have run.
        """
        problems: list[_ExcInfo] = []
        self._runCleanups(problems.append)
        if problems:
            raise problems[0][1]

    def patch(self, obj: object, attribute: str, value: object) -> _Patch:
        """
        Set C{obj.attribute} to C{value} until the test ends.

        @param obj: The object to change (a module, class, instance...).
        @param attribute: The attribute's name; it need not exist yet.
        @param value: The new value.
        @return: An object whose C{restore()} undoes the change early and
            whose C{patch()} applies it again.
        """
        patch = _Patch(obj, attribute, value)
        patch.patch()
        self.addCleanup(patch.restore)
        return patch

    def mktemp(self) -> str:
        """
        Return a new path, unique to this call, for a file or directory.

        The path does not exist; its parent directory does.  It lies under a
        directory named after this test, in pytest's temporary directory
        when run by pytest (see C{--basetemp}).

        @return: The absolute path.
        """
        directory = os.path.join(
            _getTemporaryRoot(),
            type(self).__module__[:32],
            type(self).__name__[:32],
            self._testMethodName[:32],
        )
        os.makedirs(directory, exist_ok=True)
        return os.path.join(tempfile.mkdtemp(dir=directory), "temp")

    def flushLoggedErrors(self, *errorTypes: type[BaseException]) -> list[Failure]:
        """
        Claim the errors logged so far in this test, so they do not fail it.

        @param errorTypes: Exception types to claim; none means all.
        @return: The claimed L{Failure}s, in the order they were logged.
        """
        return self._errorLog.flush(*errorTypes)

    def flushWarnings(
        self, offendingFunctions: Sequence[Callable[..., object]] | None = None
    ) -> list[_FlushedWarning]:
        """
        Remove and return the warnings emitted so far in this test.

        Warnings not flushed are emitted again after the test, where the
        warning filters in force outside the test apply.

        @param offendingFunctions: If given, only the warnings that point
            into the code of one of these functions or methods (their file
            and line, as set by C{stacklevel}).
        @return: One dict per warning, with keys C{message} (the text),
            C{category}, C{filename} and C{lineno}.
        @raise ValueError: If C{offendingFunctions} holds something that is
            not a function or method.
        """
        if offendingFunctions is None:
            flushed = list(self._warnings)
        else:
            spans = [_linesOf(function) for function in offendingFunctions]
            flushed = [
                w
                for w in self._warnings
                if any(
                    os.path.normcase(os.path.abspath(w.filename)) == filename
                    and first <= w.lineno <= last
                    for filename, first, last in spans
                )
            ]
        flushedIds = {id(w) for w in flushed}
        self._warnings[:] = [w for w in self._warnings if id(w) not in flushedIds]
        return [
            {
                "message": str(w.message),
                "category": w.category,
                "filename": w.filename,
                "lineno": w.lineno,
            }
            for w in flushed
        ]
