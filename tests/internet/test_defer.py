"""
Tests for the Deferred core: firing, callback chains, chaining, pausing,
cancellation, succeed/fail/maybeDeferred/execute, repr and debugging.
"""

from __future__ import annotations

import gc
import re
from typing import Any

import pytest

from tests.helpers import resultOf
from torsion.internet import defer
from torsion.internet.defer import (
    AlreadyCalledError,
    CancelledError,
    Deferred,
    execute,
    fail,
    maybeDeferred,
    succeed,
)
from torsion.logger import LogPublisher, globalLogPublisher
from torsion.python.failure import Failure


class FiringTests:
    def test_callbackRunsCallbacksInOrder(self) -> None:
        """
        Callbacks run in the order added, each receiving the previous result.
        """
        d: Deferred[int] = Deferred()
        seen: list[object] = []

        def a(r: int) -> int:
            seen.append(("a", r))
            return r + 1

        def b(r: int) -> int:
            seen.append(("b", r))
            return r * 10

        d.addCallback(a)
        d.addCallback(b)
        d.callback(1)
        assert seen == [("a", 1), ("b", 2)]
        assert resultOf(d) == 20

    def test_callbacksAddedAfterFiringRunAtOnce(self) -> None:
        """
        A callback added to a fired Deferred runs immediately with the result.
        """
        d = succeed("x")
        seen: list[str] = []
        d.addCallback(seen.append)
        assert seen == ["x"]

    def test_extraArguments(self) -> None:
        """
        Extra positional and keyword arguments are passed after the result.
        """
        d: Deferred[int] = Deferred()
        calls: list[tuple[Any, ...]] = []

        def cb(result: int, a: int, b: int = 0) -> int:
            calls.append(("cb", result, a, b))
            raise ValueError("boom")

        def eb(failure: Failure, c: str, d: str = "") -> str:
            calls.append(("eb", failure.type, c, d))
            return "recovered"

        d.addCallback(cb, 2, b=3)
        d.addErrback(eb, "c", d="d")
        d.callback(1)
        assert calls == [("cb", 1, 2, 3), ("eb", ValueError, "c", "d")]
        assert resultOf(d) == "recovered"

    def test_addCallbacksArgs(self) -> None:
        """
        addCallbacks passes callbackArgs/Keywords or errbackArgs/Keywords.
        """
        out: list[Any] = []
        succeed(1).addCallbacks(
            lambda r, x, y: out.append((r, x, y)),
            lambda f: out.append("eb"),
            callbackArgs=(2,),
            callbackKeywords={"y": 3},
        )
        fail(KeyError("k")).addCallbacks(
            lambda r: out.append("cb"),
            lambda f, x, y: out.append((f.type, x, y)),
            errbackArgs=(4,),
            errbackKeywords={"y": 5},
        )
        assert out == [(1, 2, 3), (KeyError, 4, 5)]

    def test_addCallbacksErrbackDoesNotSeeSiblingCallbackError(self) -> None:
        """
        An exception from the callback of an addCallbacks pair goes to the
        next errback, not to its sibling.
        """
        out: list[str] = []

        def boom(_: object) -> None:
            raise ValueError()

        d = succeed(1).addCallbacks(boom, lambda f: out.append("sibling"))
        d.addErrback(lambda f: out.append("next"))
        assert out == ["next"]

    def test_errbackRecoveryReturnsToCallbacks(self) -> None:
        """
        An errback that returns normally sends the chain back to callbacks;
        callbacks are skipped while the result is a failure.
        """
        out: list[str] = []
        d = fail(ValueError("bad"))
        d.addCallback(lambda r: out.append("skipped"))
        d.addErrback(lambda f: f.getErrorMessage())
        d.addCallback(out.append)
        assert out == ["bad"]

    def test_returningFailureSwitchesToErrbacks(self) -> None:
        """
        A callback returning a Failure puts the chain on the errback path.
        """

        def toFailure(r: int) -> Failure:
            return Failure(KeyError(r))

        d: Deferred[object] = succeed(1).addCallback(toFailure)
        f = resultOf(d)
        assert isinstance(f, Failure) and f.check(KeyError)

    def test_errbackWithException(self) -> None:
        """
        errback() wraps a bare exception in a Failure.
        """
        d: Deferred[None] = Deferred()
        err = ValueError("x")
        d.errback(err)
        f = resultOf(d)
        assert isinstance(f, Failure) and f.value is err

    def test_errbackWithNoArgumentUsesCurrentException(self) -> None:
        """
        errback() with no argument inside an except block captures that exception.
        """
        d: Deferred[None] = Deferred()
        try:
            raise OSError("disk")
        except OSError:
            d.errback()
        assert resultOf(d).check(OSError)

    def test_alreadyCalled(self) -> None:
        """
        Firing twice raises AlreadyCalledError naming the Deferred.
        """
        d: Deferred[int] = Deferred()
        d.callback(1)
        with pytest.raises(AlreadyCalledError, match=r"was already fired"):
            d.callback(2)
        with pytest.raises(AlreadyCalledError):
            d.errback(ValueError())

    def test_callbackWithDeferredRejected(self) -> None:
        """
        callback() refuses a Deferred, saying how to chain instead.
        """
        d: Deferred[Any] = Deferred()
        with pytest.raises(TypeError, match="chainDeferred"):
            d.callback(Deferred())
        assert not d.called

    def test_nonCallableRejected(self) -> None:
        """
        Adding something that is not callable fails at once, naming it.
        """
        d: Deferred[int] = Deferred()
        with pytest.raises(TypeError, match=r"addCallback\(\) needs a callable, not int 3"):
            d.addCallback(3)  # type: ignore[call-overload]
        with pytest.raises(TypeError, match=r"addErrback"):
            d.addErrback("x")  # type: ignore[call-overload]
        with pytest.raises(TypeError, match=r"addBoth"):
            d.addBoth(None)  # type: ignore[call-overload]

    def test_reentrantCallbackAddition(self) -> None:
        """
        A callback that adds callbacks to its own Deferred: they run after it,
        in order, with its result.
        """
        d: Deferred[int] = Deferred()
        out: list[Any] = []

        def first(r: int) -> int:
            d.addCallback(lambda x: out.append(("added", x)))
            out.append(("first", r))
            return r + 1

        d.addCallback(first)

        def second(x: int) -> int:
            out.append(("second", x))
            return x

        d.addCallback(second)
        d.callback(1)
        assert out == [("first", 1), ("second", 2), ("added", 2)]

    def test_reentrantFireOfAnotherDeferred(self) -> None:
        """
        A callback may fire another Deferred whose callbacks run right away.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        out: list[str] = []
        b.addCallback(lambda r: out.append(f"b{r}"))
        a.addCallback(lambda r: b.callback(r + 1))
        a.addCallback(lambda _: out.append("a"))
        a.callback(1)
        assert out == ["b2", "a"]


class ChainingTests:
    def test_callbackReturningUnfiredDeferredWaits(self) -> None:
        """
        A callback returning an unfired Deferred pauses the outer chain until
        the inner fires; the inner's result continues the outer chain.
        """
        outer: Deferred[int] = Deferred()
        inner: Deferred[str] = Deferred()
        out: list[Any] = []
        outer.addCallback(lambda _: inner)
        outer.addCallback(out.append)
        outer.callback(1)
        assert out == []
        assert re.match(
            r"^<Deferred at 0x[0-9a-f]+ waiting on Deferred at 0x[0-9a-f]+>$", repr(outer)
        )
        inner.callback("inner")
        assert out == ["inner"]
        assert resultOf(inner) is None

    def test_callbackReturningFiredDeferredTakesResult(self) -> None:
        """
        A callback returning a fired Deferred continues with its result at
        once; the inner Deferred is left with None.
        """
        inner = succeed(5)
        d = succeed(1).addCallback(lambda _: inner)
        assert resultOf(d) == 5
        assert resultOf(inner) is None

    def test_innerFailurePropagates(self) -> None:
        """
        An inner Deferred's failure arrives at the outer chain's errbacks, and
        is not reported as unhandled for the inner one.
        """
        inner: Deferred[int] = Deferred()
        d = succeed(1).addCallback(lambda _: inner)
        inner.errback(ZeroDivisionError())
        assert resultOf(d).check(ZeroDivisionError)

    def test_deepChainNoRecursionError(self) -> None:
        """
        Fifty thousand Deferreds each waiting on the next resolve when the
        innermost fires, without RecursionError.
        """
        n = 50_000
        ds: list[Deferred[Any]] = [Deferred() for _ in range(n)]
        for i in range(n - 1):
            ds[i].addCallback(lambda _, nxt=ds[i + 1]: nxt)  # type: ignore[misc]
        for i in range(n - 1):
            ds[i].callback(None)
        ds[-1].callback("end")
        assert resultOf(ds[0]) == "end"

    def test_deepChainInnerFiredFirst(self) -> None:
        """
        A chain of fifty thousand callbacks each returning a fired Deferred
        resolves without RecursionError.
        """
        d = succeed(0)
        for _ in range(50_000):
            d.addCallback(lambda r: succeed(r + 1))
        assert resultOf(d) == 50_000

    def test_deepNestedWaitingFromInside(self) -> None:
        """
        Deferreds nested as innermost-first-created, fired from the innermost,
        propagate through tens of thousands of levels.
        """
        root: Deferred[int] = Deferred()
        current = root
        for _ in range(20_000):
            outer: Deferred[int] = Deferred()
            outer.addCallback(lambda _, c=current: c)  # type: ignore[misc]
            outer.callback(0)
            current = outer
        root.callback(42)
        assert resultOf(current) == 42

    def test_callbackReturningItsOwnDeferredFails(self) -> None:
        """
        A callback returning the Deferred it is attached to fails the chain
        with a TypeError instead of waiting forever.
        """
        d: Deferred[Any] = Deferred()
        d.addCallback(lambda _: d)
        d.callback(1)
        f = resultOf(d)
        assert f.check(TypeError)
        assert "wait for itself forever" in f.getErrorMessage()

    def test_chainDeferred(self) -> None:
        """
        chainDeferred passes the result (success or failure) on to another
        Deferred; the first is left with None.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        a.chainDeferred(b)
        a.callback(3)
        assert resultOf(b) == 3
        assert resultOf(a) is None
        c: Deferred[int] = Deferred()
        e: Deferred[int] = Deferred()
        c.chainDeferred(e)
        c.errback(KeyError())
        assert resultOf(e).check(KeyError)


class PauseTests:
    def test_pauseHoldsCallbacks(self) -> None:
        """
        While paused, firing stores the result; unpause runs the callbacks.
        """
        d: Deferred[int] = Deferred()
        out: list[int] = []
        d.addCallback(out.append)
        d.pause()
        d.pause()
        d.callback(1)
        assert out == []
        d.unpause()
        assert out == []
        d.unpause()
        assert out == [1]

    def test_pauseInsideCallbackStopsChain(self) -> None:
        """
        A callback that pauses its own Deferred stops the chain there until
        unpause.
        """
        d: Deferred[int] = Deferred()
        out: list[Any] = []

        def pauseSelf(r: int) -> int:
            d.pause()
            return r + 1

        d.addCallback(pauseSelf)
        d.addCallback(out.append)
        d.callback(1)
        assert out == []
        d.unpause()
        assert out == [2]


class CancelTests:
    def test_cancelWithoutCancellerFailsWithCancelledError(self) -> None:
        """
        Cancelling an unfired Deferred without canceller fails it with
        CancelledError, and the operation's later result is ignored once.
        """
        d: Deferred[int] = Deferred()
        d.cancel()
        assert resultOf(d).check(CancelledError)
        d.callback(1)  # swallowed
        with pytest.raises(AlreadyCalledError):
            d.callback(2)

    def test_cancellerCalledWithDeferred(self) -> None:
        """
        The canceller receives the Deferred; if it fires it, that result stands.
        """
        seen: list[Deferred[Any]] = []

        def canceller(d: Deferred[Any]) -> None:
            seen.append(d)
            d.callback("stopped")

        d: Deferred[str] = Deferred(canceller)
        d.cancel()
        assert seen == [d]
        assert resultOf(d) == "stopped"

    def test_cancellerThatDoesNotFire(self) -> None:
        """
        If the canceller does not fire the Deferred, cancel() fails it with
        CancelledError; a later callback raises AlreadyCalledError.
        """
        d: Deferred[int] = Deferred(lambda d: None)
        d.cancel()
        assert resultOf(d).check(CancelledError)
        with pytest.raises(AlreadyCalledError):
            d.callback(1)

    def test_cancelFiredIsNoop(self) -> None:
        """
        Cancelling a fired Deferred changes nothing.
        """
        d = succeed(3)
        d.cancel()
        assert resultOf(d) == 3

    def test_cancelWaitingCancelsInner(self) -> None:
        """
        Cancelling a Deferred that waits on an inner Deferred cancels the
        inner, and the CancelledError flows back to the outer.
        """
        cancelled: list[bool] = []
        inner: Deferred[int] = Deferred(lambda d: cancelled.append(True))
        outer = succeed(1).addCallback(lambda _: inner)
        outer.cancel()
        assert cancelled == [True]
        assert resultOf(outer).check(CancelledError)


class HelperTests:
    def test_succeedFail(self) -> None:
        """
        succeed() and fail() return fired Deferreds.
        """
        assert resultOf(succeed(1)) == 1
        assert resultOf(fail(ValueError("v"))).getErrorMessage() == "v"
        f = Failure(KeyError())
        assert resultOf(fail(f)) is f

    def test_maybeDeferred(self) -> None:
        """
        maybeDeferred wraps values, exceptions, Failures and Deferreds alike.
        """
        assert resultOf(maybeDeferred(lambda: 1)) == 1
        d = succeed(2)
        assert maybeDeferred(lambda: d) is d
        assert resultOf(maybeDeferred(lambda: 1 / 0)).check(ZeroDivisionError)
        assert resultOf(maybeDeferred(lambda: Failure(KeyError()))).check(KeyError)

        def add(x: int, y: int = 0) -> int:
            return x + y

        assert resultOf(maybeDeferred(add, 1, y=2)) == 3

    def test_maybeDeferredCoroutine(self) -> None:
        """
        maybeDeferred runs a coroutine function's coroutine to completion.
        """

        async def f() -> int:
            return await succeed(7)

        assert resultOf(maybeDeferred(f)) == 7

    def test_execute(self) -> None:
        """
        execute() returns a fired Deferred with the value or exception.
        """
        assert resultOf(execute(lambda: 5)) == 5
        empty: dict[str, int] = {}
        assert resultOf(execute(lambda: empty["x"])).check(KeyError)

    def test_reprStates(self) -> None:
        """
        repr shows the current result, or nothing while waiting for one.
        """
        assert re.match(r"^<Deferred at 0x[0-9a-f]+>$", repr(Deferred()))
        assert re.match(r"^<Deferred at 0x[0-9a-f]+ current result: 'x'>$", repr(succeed("x")))


class UnhandledErrorTests:
    def test_garbageCollectedFailureIsLogged(self, loggedFailures: list[dict[str, Any]]) -> None:
        """
        A Deferred collected while holding a Failure logs it at critical level
        with the traceback.
        """

        def broken(_: object) -> None:
            raise RuntimeError("nobody handled me")

        d = succeed(1).addCallback(broken)
        del d
        gc.collect()
        assert len(loggedFailures) == 1
        event = loggedFailures[0]
        assert event["log_failure"].check(RuntimeError)
        assert event["log_level"].name == "critical"
        assert "Unhandled error in Deferred" in event["log_format"]
        assert "nobody handled me" in event["log_failure"].getTraceback()
        assert "broken" in event["log_failure"].getTraceback()

    def test_handledFailureIsNotLogged(self, loggedFailures: list[dict[str, Any]]) -> None:
        """
        A failure consumed by an errback is not logged when collected.
        """
        d = fail(RuntimeError())
        d.addErrback(lambda f: None)
        del d
        gc.collect()
        assert loggedFailures == []

    def test_failureTakenByOuterIsNotLogged(self, loggedFailures: list[dict[str, Any]]) -> None:
        """
        An inner Deferred whose failure passed to an outer chain that handled
        it logs nothing.
        """
        inner = fail(ValueError())
        outer = succeed(1).addCallback(lambda _, i=inner: i)  # type: ignore[misc]
        outer.addErrback(lambda f: None)
        del inner, outer
        gc.collect()
        assert loggedFailures == []


class DebugTests:
    def test_debuggingRecordsStacks(self) -> None:
        """
        With debugging on, AlreadyCalledError shows where the Deferred was
        created and first fired.
        """
        assert defer.getDebugging() is False
        defer.setDebugging(True)
        try:
            assert defer.getDebugging() is True
            d: Deferred[int] = Deferred()
            d.callback(1)
            with pytest.raises(AlreadyCalledError) as info:
                d.callback(2)
            message = str(info.value)
            assert "C: Deferred was created" in message
            assert "I: First Invoker was" in message
            assert "test_debuggingRecordsStacks" in message
        finally:
            defer.setDebugging(False)
        assert defer.getDebugging() is False

    def test_withoutDebuggingMessageSaysHow(self) -> None:
        """
        Without debugging, AlreadyCalledError says how to get the stacks.
        """
        d = succeed(1)
        with pytest.raises(AlreadyCalledError, match=r"setDebugging\(True\)"):
            d.callback(2)

    def test_debugUnhandledErrorIncludesStacks(self, loggedFailures: list[dict[str, Any]]) -> None:
        """
        With debugging on, an unhandled error's log event names the creator.
        """
        defer.setDebugging(True)
        try:
            d: Deferred[int] = Deferred()
            d.errback(ValueError())
            del d
            gc.collect()
        finally:
            defer.setDebugging(False)
        assert len(loggedFailures) == 1
        assert "Deferred was created" in loggedFailures[0]["debugInfo"]


def test_publisherIsolation() -> None:
    """
    A LogPublisher is a distinct object from the global one (sanity check for
    the fixture above).
    """
    assert LogPublisher() is not globalLogPublisher
