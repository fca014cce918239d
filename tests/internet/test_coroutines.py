"""
Tests for coroutines and generators on Deferreds: await, fromCoroutine,
ensureDeferred, inlineCallbacks, returnValue, and asyncio Futures.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
from collections.abc import Generator
from typing import Any

import pytest

from tests.helpers import resultOf
from torsion.internet.defer import (
    CancelledError,
    Deferred,
    NotACoroutineError,
    ensureDeferred,
    fail,
    inlineCallbacks,
    returnValue,
    succeed,
)
from torsion.python.failure import Failure


class AwaitTests:
    def test_awaitFiredDeferreds(self) -> None:
        """
        Awaiting fired Deferreds gives their results without waiting.
        """

        async def main() -> int:
            total = 0
            for i in range(1000):
                total += await succeed(i)
            return total

        assert resultOf(Deferred.fromCoroutine(main())) == sum(range(1000))

    def test_awaitPendingDeferred(self) -> None:
        """
        Awaiting an unfired Deferred suspends the coroutine until it fires.
        """
        gate: Deferred[str] = Deferred()
        steps: list[str] = []

        async def main() -> str:
            steps.append("before")
            value = await gate
            steps.append("after " + value)
            return value.upper()

        d = ensureDeferred(main())
        assert steps == ["before"]
        assert not d.called
        gate.callback("go")
        assert steps == ["before", "after go"]
        assert resultOf(d) == "GO"

    def test_awaitFailureRaises(self) -> None:
        """
        Awaiting a failed Deferred raises its exception in the coroutine,
        whether it failed before or during the await.
        """
        later: Deferred[int] = Deferred()

        async def main() -> list[str]:
            caught = []
            try:
                await fail(KeyError("early"))
            except KeyError as e:
                caught.append(str(e))
            try:
                await later
            except ZeroDivisionError:
                caught.append("late")
            return caught

        d = ensureDeferred(main())
        later.errback(ZeroDivisionError())
        assert resultOf(d) == ["'early'", "late"]

    def test_uncaughtExceptionFailsDeferred(self) -> None:
        """
        An exception escaping the coroutine fails its Deferred.
        """

        async def main() -> None:
            raise ValueError("escaped")

        f = resultOf(ensureDeferred(main()))
        assert isinstance(f, Failure) and f.getErrorMessage() == "escaped"

    def test_awaitingDeferredWaitingOnAnother(self) -> None:
        """
        Awaiting a Deferred whose callback chain is waiting on another
        Deferred waits for the whole chain.
        """
        inner: Deferred[int] = Deferred()
        outer = succeed(1).addCallback(lambda _: inner)

        async def main() -> int:
            value: int = await outer
            return value + 1

        d = ensureDeferred(main())
        assert not d.called
        inner.callback(41)
        assert resultOf(d) == 42

    def test_nestedCoroutines(self) -> None:
        """
        Coroutines awaiting coroutines awaiting Deferreds work.
        """
        gate: Deferred[int] = Deferred()

        async def leaf() -> int:
            return await gate * 2

        async def middle() -> int:
            return await leaf() + 1

        async def main() -> int:
            return await ensureDeferred(middle())

        d = ensureDeferred(main())
        gate.callback(10)
        assert resultOf(d) == 21

    def test_awaitingForeignAwaitable(self) -> None:
        """
        Awaiting an asyncio Future inside a torsion coroutine raises a
        TypeError that names it.
        """
        loop = asyncio.new_event_loop()
        try:
            future = loop.create_future()

            async def main() -> None:
                await future

            f = resultOf(ensureDeferred(main()))
            assert f.check(TypeError)
            assert "only Deferreds" in f.getErrorMessage()
        finally:
            loop.close()

    def test_notACoroutine(self) -> None:
        """
        ensureDeferred and fromCoroutine refuse non-coroutines, saying what
        they got.
        """

        async def main() -> None:
            pass

        with pytest.raises(NotACoroutineError, match=r"not function"):
            ensureDeferred(main)  # type: ignore[call-overload]
        with pytest.raises(NotACoroutineError, match=r"not int 3"):
            Deferred.fromCoroutine(3)  # type: ignore[arg-type]

    def test_ensureDeferredPassesDeferredThrough(self) -> None:
        """
        ensureDeferred returns a Deferred unchanged.
        """
        d = succeed(1)
        assert ensureDeferred(d) is d

    def test_contextVariablesPersistAcrossAwaits(self) -> None:
        """
        A context variable set in a coroutine keeps its value after an await,
        and does not leak to the caller.
        """
        var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="outside")
        gate: Deferred[None] = Deferred()

        async def main() -> str:
            var.set("inside")
            await gate
            return var.get()

        d = ensureDeferred(main())
        assert var.get() == "outside"
        gate.callback(None)
        assert resultOf(d) == "inside"

    def test_cancelCancelsAwaitedDeferred(self) -> None:
        """
        Cancelling a coroutine's Deferred cancels what it awaits; the
        CancelledError is raised inside the coroutine.
        """
        cancelled: list[bool] = []
        waitedOn: Deferred[int] = Deferred(lambda d: cancelled.append(True))
        seen: list[str] = []

        async def main() -> None:
            try:
                await waitedOn
            except CancelledError:
                seen.append("cancelled inside")
                raise

        d = ensureDeferred(main())
        d.cancel()
        assert cancelled == [True]
        assert seen == ["cancelled inside"]
        assert resultOf(d).check(CancelledError)

    def test_cancelSwallowedByCoroutine(self) -> None:
        """
        If the coroutine handles the CancelledError and goes on, its Deferred
        waits for it and fires with what it finally returns (as in Twisted).
        """
        first: Deferred[int] = Deferred()
        second: Deferred[int] = Deferred()

        async def main() -> str:
            try:
                await first
            except CancelledError:
                pass
            value = await second
            return f"finished {value}"

        d = ensureDeferred(main())
        d.cancel()
        assert not first.called or resultOf(first) is None
        assert "waiting on" in repr(d)
        second.callback(1)
        assert resultOf(d) == "finished 1"

    def test_cancelTwiceCancelsNextAwait(self) -> None:
        """
        Cancelling again after the coroutine swallowed the first cancellation
        cancels what it awaits now.
        """
        cancelled: list[str] = []
        first: Deferred[int] = Deferred(lambda _: cancelled.append("first"))
        second: Deferred[int] = Deferred(lambda _: cancelled.append("second"))

        async def main() -> None:
            try:
                await first
            except CancelledError:
                pass
            await second

        d = ensureDeferred(main())
        d.cancel()
        d.cancel()
        assert cancelled == ["first", "second"]
        assert resultOf(d).check(CancelledError)


class GarbageTests:
    def test_finishedCoroutinesLeaveNoCycles(self) -> None:
        """
        Once coroutines and inlineCallbacks generators have finished (at once
        or after waiting), reference counting frees everything they
        allocated: nothing is left for the cyclic garbage collector.
        """

        async def awaitOne(d: Deferred[int]) -> int:
            return await d

        @inlineCallbacks
        def yieldOne(d: Deferred[int]) -> Generator[Any, Any, int]:
            value = yield d
            return int(value)

        gc.collect()
        wasEnabled = gc.isenabled()
        gc.disable()
        try:
            for _ in range(10):
                Deferred.fromCoroutine(awaitOne(succeed(1)))
                yieldOne(succeed(1))
                gate: Deferred[int] = Deferred()
                Deferred.fromCoroutine(awaitOne(gate))
                gate.callback(2)
                gate2: Deferred[int] = Deferred()
                yieldOne(gate2)
                gate2.callback(3)
            del gate, gate2
            unreachable = gc.collect()
        finally:
            if wasEnabled:
                gc.enable()
        assert unreachable == 0


class InlineCallbacksTests:
    def test_yieldDeferreds(self) -> None:
        """
        Yielded Deferreds evaluate to their results; return fires the result.
        """
        gate: Deferred[int] = Deferred()

        @inlineCallbacks
        def f(x: int) -> Generator[Any, Any, int]:
            a = yield succeed(x)
            b = yield gate
            return int(a + b)

        d = f(1)
        assert not d.called
        gate.callback(2)
        assert resultOf(d) == 3

    def test_returnValue(self) -> None:
        """
        returnValue() ends the generator with a result, as Twisted code does.
        """

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            yield succeed(None)
            returnValue("legacy")

        assert resultOf(f()) == "legacy"

    def test_yieldPlainValue(self) -> None:
        """
        Yielding a non-Deferred value sends it straight back.
        """

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            x = yield 5
            return int(x)

        assert resultOf(f()) == 5

    def test_exceptionsThrownIn(self) -> None:
        """
        A yielded failed Deferred raises inside the generator where it can be
        caught, and an uncaught exception fails the result.
        """

        @inlineCallbacks
        def f() -> Generator[Any, Any, str]:
            try:
                yield fail(ValueError("inner"))
            except ValueError as e:
                caught = str(e)
            yield succeed(None)
            raise KeyError(caught)

        f_ = resultOf(f())
        assert f_.check(KeyError) and f_.value.args == ("inner",)

    def test_manyFiredDeferredsNoRecursion(self) -> None:
        """
        Yielding 100,000 fired Deferreds does not overflow the stack.
        """

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            total = 0
            for i in range(100_000):
                total += yield succeed(i)
            return total

        assert resultOf(f()) == sum(range(100_000))

    def test_yieldedDeferredResultIsConsumed(self) -> None:
        """
        After a yield, the yielded Deferred's result is None (as in Twisted).
        """
        d = succeed("x")

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            yield d

        f()
        assert resultOf(d) is None

    def test_yieldCoroutine(self) -> None:
        """
        Yielding a coroutine runs it and evaluates to its result, even when
        it has to wait.
        """
        gate: Deferred[int] = Deferred()

        async def double(d: Deferred[int]) -> int:
            return 2 * await d

        @inlineCallbacks
        def f() -> Generator[Any, Any, int]:
            now = yield double(succeed(1))
            later = yield double(gate)
            return int(now + later)

        d = f()
        assert not d.called
        gate.callback(20)
        assert resultOf(d) == 42

    def test_notAGenerator(self) -> None:
        """
        Decorating a function that is not a generator fails when it is called.
        """

        @inlineCallbacks
        def f() -> Any:
            return 1

        with pytest.raises(TypeError, match=r"needs a 'yield'"):
            f()

    def test_cancelInlineCallbacks(self) -> None:
        """
        Cancelling an inlineCallbacks Deferred cancels the Deferred it waits on.
        """
        cancelled: list[bool] = []
        gate: Deferred[int] = Deferred(lambda d: cancelled.append(True))

        @inlineCallbacks
        def f() -> Generator[Any, Any, None]:
            yield gate

        d = f()
        d.cancel()
        assert cancelled == [True]
        assert resultOf(d).check(CancelledError)


class AsyncioFutureTests:
    def test_fromFuture(self) -> None:
        """
        fromFuture fires with the future's result or exception.
        """
        loop = asyncio.new_event_loop()
        try:
            ok = loop.create_future()
            bad = loop.create_future()
            d1 = Deferred.fromFuture(ok)
            d2 = Deferred.fromFuture(bad)
            ok.set_result(3)
            bad.set_exception(KeyError("k"))
            loop.run_until_complete(asyncio.sleep(0))
            assert resultOf(d1) == 3
            assert resultOf(d2).check(KeyError)
        finally:
            loop.close()

    def test_fromFutureCancel(self) -> None:
        """
        Cancelling the Deferred cancels the future; cancelling the future
        fails the Deferred with CancelledError.
        """
        loop = asyncio.new_event_loop()
        try:
            f1 = loop.create_future()
            d1 = Deferred.fromFuture(f1)
            d1.cancel()
            assert f1.cancelled()
            assert resultOf(d1).check(CancelledError)
            f2 = loop.create_future()
            d2 = Deferred.fromFuture(f2)
            f2.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            assert resultOf(d2).check(CancelledError)
        finally:
            loop.close()

    def test_asFuture(self) -> None:
        """
        asFuture gives a future an asyncio coroutine can await.
        """
        loop = asyncio.new_event_loop()
        try:
            d: Deferred[int] = Deferred()

            async def main() -> int:
                loop.call_soon(d.callback, 9)
                return await d.asFuture(loop)

            assert loop.run_until_complete(main()) == 9
            failing: Deferred[int] = Deferred()
            future = failing.asFuture(loop)
            failing.errback(OSError("disk"))
            with pytest.raises(OSError, match="disk"):
                loop.run_until_complete(future)
        finally:
            loop.close()

    def test_asFutureCancel(self) -> None:
        """
        Cancelling the future cancels the Deferred.
        """
        loop = asyncio.new_event_loop()
        try:
            cancelled: list[bool] = []
            d: Deferred[int] = Deferred(lambda _: cancelled.append(True))
            future = d.asFuture(loop)
            future.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            assert cancelled == [True]
        finally:
            loop.close()
