"""
Tests for L{torsion.internet.task.deferLater}.
"""

from __future__ import annotations

from typing import assert_type

from tests.helpers import failureOf, resultOf
from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.task import Clock, deferLater


class DeferLaterTests:
    def test_firesWithResultAfterDelay(self) -> None:
        """
        The callable runs after the delay, with its arguments, and the
        Deferred fires with what it returned.
        """
        clock = Clock()
        calls: list[tuple[object, ...]] = []

        def work(a: int, b: int = 0) -> int:
            calls.append((a, b, clock.seconds()))
            return a + b

        d = deferLater(clock, 3, work, 1, b=2)
        clock.advance(2.9)
        assert calls == []
        assert not d.called
        clock.advance(0.1)
        assert calls == [(1, 2, 3)]
        assert resultOf(d) == 3

    def test_noCallable(self) -> None:
        """
        Without a callable the Deferred fires with L{None} after the delay.
        """
        clock = Clock()
        d = deferLater(clock, 1)
        clock.advance(0.5)
        assert not d.called
        clock.advance(0.5)
        assert resultOf(d) is None

    def test_zeroDelay(self) -> None:
        """
        A delay of 0 fires at the next C{advance}, not synchronously.
        """
        clock = Clock()
        d = deferLater(clock, 0, lambda: "soon")
        assert not d.called
        clock.advance(0)
        assert resultOf(d) == "soon"

    def test_callableRaises(self) -> None:
        """
        If the callable raises, the Deferred fails with the exception.
        """
        clock = Clock()

        def broken() -> None:
            raise ZeroDivisionError("no")

        d = deferLater(clock, 1, broken)
        clock.advance(1)
        assert failureOf(d, ZeroDivisionError).getErrorMessage() == "no"

    def test_callableReturnsDeferred(self) -> None:
        """
        A Deferred returned by the callable is waited for.
        """
        clock = Clock()
        inner: Deferred[str] = Deferred()
        d = deferLater(clock, 1, lambda: inner)
        seen: list[str] = []
        d.addCallback(seen.append)
        clock.advance(1)
        assert seen == []
        inner.callback("inner result")
        assert seen == ["inner result"]

    def test_cancelBeforeDelay(self) -> None:
        """
        Cancelling before the time is up cancels the timer, never calls the
        callable, and fails the Deferred with L{CancelledError}.
        """
        clock = Clock()
        calls: list[int] = []
        d = deferLater(clock, 5, calls.append, 1)
        [delayed] = clock.getDelayedCalls()
        d.cancel()
        failureOf(d, CancelledError)
        assert delayed.cancelled
        assert clock.getDelayedCalls() == []
        clock.advance(10)
        assert calls == []

    def test_cancelWhileCallableWaits(self) -> None:
        """
        Cancelling after the callable ran, while its Deferred is pending,
        cancels that Deferred.
        """
        clock = Clock()
        cancelled: list[Deferred[None]] = []
        inner: Deferred[None] = Deferred(cancelled.append)
        d = deferLater(clock, 1, lambda: inner)
        clock.advance(1)
        d.cancel()
        assert cancelled == [inner]
        failureOf(d, CancelledError)

    def test_types(self) -> None:
        """
        The Deferred's type is the callable's result type (a Deferred's
        result type when it returns one), or None without a callable.
        """
        clock = Clock()
        inner: Deferred[bytes] = Deferred()
        assert_type(deferLater(clock, 1), "Deferred[None]")
        assert_type(deferLater(clock, 1, len, "abc"), "Deferred[int]")
        waiting = assert_type(deferLater(clock, 1, lambda: inner), "Deferred[bytes]")
        wrong = deferLater(clock, 1, len, 3)  # type: ignore[call-overload]
        wrong.cancel()
        failureOf(wrong, CancelledError)
        clock.advance(1)
        inner.callback(b"x")
        assert resultOf(waiting) == b"x"
