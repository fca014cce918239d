# TestCase: SynchronousTestCase plus waiting, on the global reactor, for
# what setUp, the test method, the cleanups and tearDown return.
#
# How it works
# ------------
# SynchronousTestCase runs each part (setUp, the test, each cleanup,
# tearDown) and hands what it returned to _checkReturned().  Here a
# coroutine becomes a Deferred (Deferred.fromCoroutine) and a Deferred that
# has not fired is waited for: the global reactor runs until it fires or
# the part's time limit (getTimeout(), trial's `timeout` attribute, 120 s by
# default) passes; see _waiting.py.  Each part that needs to wait runs the
# reactor once, so the parts themselves are called with the reactor not
# running.  A Deferred that failed re-raises its exception, so that a
# failed assertion is a failure, SkipTest skips and `todo` sees the real
# exception type.  A part that runs out of time fails with
# torsion.internet.defer.TimeoutError, and its Deferred is cancelled.
#
# After tearDown, before the check for logged errors, the reactor is checked
# for leftovers (_janitor.py): pending delayed calls, watched descriptors
# and busy thread-pool jobs fail the test with DirtyReactorAggregateError,
# and are cleaned up.  Only an installed reactor is checked: a test that
# never touched the reactor does not install one.
#
# While the test runs, the global reactor's stop() crashes it instead
# (trial does the same): a stopped reactor could never run again, and every
# later test would fail.
from __future__ import annotations

import inspect
import numbers
import unittest
from collections.abc import Callable
from types import TracebackType
from typing import Any, ParamSpec

from torsion.internet.defer import Deferred, TimeoutError
from torsion.python.failure import Failure
from torsion.trial._janitor import cleanReactor
from torsion.trial._synctest import _MISSING, SynchronousTestCase, _excInfo
from torsion.trial._waiting import (
    DEFAULT_TIMEOUT_DURATION,
    NOT_FIRED,
    StopPatch,
    consume,
    globalReactor,
    installedReactor,
    raiseFailure,
    spin,
    startCoroutine,
)

__unittest = True

_P = ParamSpec("_P")


class TestCase(SynchronousTestCase):
    """
    A test case whose tests may wait: for Deferreds, and as C{async def}.

    setUp, the test method, tearDown and each cleanup may return a
    L{Deferred} (or be C{async def}, or return a coroutine, which is run
    with L{Deferred.fromCoroutine}).  The global reactor
    (C{torsion.internet.reactor}) then runs until the Deferred fires;
    success passes, and a failure fails the test with its exception.  Each
    of them has C{timeout} seconds (see L{getTimeout}); after that the
    Deferred is cancelled and the test fails with L{TimeoutError}.

    After each test the reactor must be clean: a delayed call still
    pending, a descriptor still watched for reading or writing, or a
    thread-pool job still running fails the test with
    L{torsion.trial.util.DirtyReactorAggregateError}, and is cleaned up
    (cancelled, disconnected) so that the next test starts clean.

    @ivar timeout: Set on a test method, a class or a module: how many
        seconds each part of a test may wait, 120 by default.
    """

    timeout: float

    def __init__(self, methodName: str = "runTest") -> None:
        """
        @param methodName: The name of the test method this instance runs.
        """
        super().__init__(methodName)
        self._stopPatch: StopPatch | None = None

    def getTimeout(self) -> float:
        """
        Find how long each part of this test may wait for its Deferred.

        Trial's C{timeout} attribute is looked for on the test method, then
        the test case, then its module.

        @return: The time limit in seconds; L{DEFAULT_TIMEOUT_DURATION
            <torsion.trial.util.DEFAULT_TIMEOUT_DURATION>} (120) if none
            is set.
        @raise TypeError: If the C{timeout} found is not a positive number.
        """
        value = self._acquire("timeout")
        if value is _MISSING or value is None:
            return DEFAULT_TIMEOUT_DURATION
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value <= 0:
            raise TypeError(
                f"timeout of {self.id()} must be a positive number of seconds, not "
                f"{value!r}; e.g. timeout = 5"
            )
        return float(value)

    def addCleanup(
        self, function: Callable[_P, object], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> None:
        """
        Call C{function(*args, **kwargs)} after the test method, before tearDown.

        Cleanups run last added first, even when setUp or the test failed.
        A cleanup may return a Deferred or a coroutine: the next cleanup
        runs once it has fired (within the test's C{timeout}); a failure
        fails the test.

        @param function: The cleanup.
        """
        super().addCleanup(function, *args, **kwargs)

    # -- running -------------------------------------------------------------

    def run(self, result: unittest.TestResult | None = None) -> unittest.TestResult:
        """
        Run this test, waiting for what it returns, then check the reactor.

        @param result: A unittest result (pytest passes its own).
        @return: C{result}.
        """
        reactor = installedReactor()
        if reactor is not None:
            self._crashInsteadOfStop(reactor)
        try:
            return super().run(result)
        finally:
            if self._stopPatch is not None:
                self._stopPatch.restore()
                self._stopPatch = None

    def _crashInsteadOfStop(self, reactor: Any) -> None:
        if self._stopPatch is None:
            self._stopPatch = StopPatch(reactor)
            self._stopPatch.apply()

    def _refuseWaiting(self, method: Callable[[], object]) -> None:
        if inspect.isgeneratorfunction(method):
            raise TypeError(
                f"{self.id()} is a generator function, so calling it would run none of "
                "its code; make it async def, or decorate it with "
                "torsion.internet.defer.inlineCallbacks"
            )
        if inspect.isasyncgenfunction(method):
            raise TypeError(
                f"{self.id()} is an async generator function, which cannot be waited "
                "for; make it async def without yield (use await)"
            )

    def _checkReturned(self, name: str, returned: object) -> None:
        tracebacks: list[TracebackType] = []
        if inspect.iscoroutine(returned):
            returned, tracebacks = startCoroutine(returned)
        if not isinstance(returned, Deferred):
            super()._checkReturned(name, returned)
            return
        timeout = self.getTimeout()
        reactor = globalReactor()
        self._crashInsteadOfStop(reactor)
        outcome, tb, timedOut = spin(
            reactor, returned, timeout, lambda: f"the Deferred {name} returned"
        )
        if timedOut:
            consume(returned)
            raise TimeoutError(
                f"{name} timed out after {timeout:g} seconds: the Deferred it returned "
                "had not fired, so it was cancelled.  If it needs longer, set timeout "
                "= <seconds> on the test method, its class or its module"
            )
        if isinstance(outcome, Failure):
            consume(returned)
            tb = tb or (tracebacks[-1] if tracebacks else None)
            raiseFailure(outcome, tb, f"the Deferred {name} returned")
        assert outcome is not NOT_FIRED

    def _checkReactor(self, result: unittest.TestResult) -> bool:
        reactor = installedReactor()
        if reactor is None:
            return False
        error = cleanReactor(reactor, where=self.id(), stopCrashes=True)
        if error is None:
            return False
        try:
            raise error
        except type(error) as e:
            self._addProblem(result, _excInfo(e))
        return True
