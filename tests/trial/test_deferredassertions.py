"""
Tests for the Deferred assertions of
L{torsion.trial.unittest.SynchronousTestCase}: C{successResultOf},
C{failureResultOf}, C{assertNoResult} and C{assertFailure}.
"""

import gc
from typing import Any

import pytest

from torsion.internet.defer import Deferred, fail, succeed
from torsion.python.failure import Failure
from torsion.trial.unittest import FailTest, SynchronousTestCase


def _case() -> SynchronousTestCase:
    return SynchronousTestCase()


def _failed(message: str = "boom") -> Deferred[Any]:
    def explode() -> None:
        raise ValueError(message)

    try:
        explode()
    except ValueError:
        return fail()
    raise AssertionError("not reached")


class SuccessResultOfTests(SynchronousTestCase):
    def test_returnsResultAndLeavesIt(self) -> None:
        """
        C{successResultOf} returns the result and leaves it on the Deferred.
        """
        d = succeed("value")
        assert _case().successResultOf(d) == "value"
        assert _case().successResultOf(d) == "value"
        seen: list[object] = []
        d.addCallback(seen.append)
        assert seen == ["value"]

    def test_coroutine(self) -> None:
        """
        A coroutine is run, and its result returned.
        """

        async def compute() -> int:
            return await succeed(20) + 1

        assert _case().successResultOf(compute()) == 21

    def test_noResult(self) -> None:
        """
        A Deferred without a result fails the assertion, naming it; the
        Deferred's later result still reaches the callbacks added after.
        """
        d: Deferred[str] = Deferred()
        with pytest.raises(FailTest) as info:
            _case().successResultOf(d)
        assert str(info.value) == f"Success result expected on {d!r}, found no result instead"
        seen: list[object] = []
        d.addCallback(seen.append)
        d.callback("later")
        assert seen == ["later"]

    def test_failureResult(self) -> None:
        """
        A failed Deferred fails the assertion with the failure's traceback;
        the failure is consumed, so it is not logged later as unhandled.
        """
        d = _failed("kaput")
        with pytest.raises(FailTest) as info:
            _case().successResultOf(d)
        message = str(info.value)
        assert message.startswith(f"Success result expected on {d!r}")
        assert "found failure result instead:\nTraceback (most recent call last):" in message
        assert "in explode" in message
        assert "ValueError: kaput" in message
        assert d.result is None
        del d
        gc.collect()
        assert self.flushLoggedErrors() == []


class FailureResultOfTests(SynchronousTestCase):
    def test_returnsFailureAndConsumesIt(self) -> None:
        """
        C{failureResultOf} returns the Failure and leaves None as the
        Deferred's result, so nothing is logged when it is collected.
        """
        d = _failed()
        failure = _case().failureResultOf(d)
        assert isinstance(failure, Failure)
        assert failure.check(ValueError)
        assert d.result is None
        del d
        gc.collect()
        assert self.flushLoggedErrors() == []

    def test_expectedTypes(self) -> None:
        """
        With exception types, a failure of one of them is returned.
        """
        failure = _case().failureResultOf(_failed(), KeyError, ValueError)
        assert failure.type is ValueError

    def test_wrongType(self) -> None:
        """
        A failure of another type fails the assertion, naming the types
        expected and found, with the traceback.
        """
        d = _failed("odd")
        with pytest.raises(FailTest) as info:
            _case().failureResultOf(d, KeyError, TypeError)
        message = str(info.value)
        assert message.startswith(
            f"Failure of type (KeyError or TypeError) expected on {d!r}, "
            "found type ValueError instead:\nTraceback"
        )
        assert "ValueError: odd" in message

    def test_noResult(self) -> None:
        """
        A Deferred without a result fails the assertion.
        """
        d: Deferred[None] = Deferred()
        with pytest.raises(FailTest) as info:
            _case().failureResultOf(d)
        assert str(info.value) == f"Failure result expected on {d!r}, found no result instead"

    def test_successResult(self) -> None:
        """
        A Deferred that succeeded fails the assertion, naming the result,
        which stays on the Deferred.
        """
        d = succeed(5)
        with pytest.raises(FailTest) as info:
            _case().failureResultOf(d)
        assert str(info.value) == (
            f"Failure result expected on {d!r}, found success result (5) instead"
        )
        assert d.result == 5


class AssertNoResultTests(SynchronousTestCase):
    def test_passesAndLeavesChain(self) -> None:
        """
        C{assertNoResult} passes on an unfired Deferred, and its result
        later passes through unchanged.
        """
        d: Deferred[str] = Deferred()
        _case().assertNoResult(d)
        seen: list[object] = []
        d.addCallback(seen.append)
        d.callback("x")
        assert seen == ["x"]

    def test_waitingOnAnother(self) -> None:
        """
        A Deferred waiting for one a callback returned has no result.
        """
        inner: Deferred[int] = Deferred()
        outer = succeed(1).addCallback(lambda _: inner)
        _case().assertNoResult(outer)
        inner.callback(2)
        assert _case().successResultOf(outer) == 2

    def test_successResult(self) -> None:
        """
        A fired Deferred fails the assertion, naming its result.
        """
        d = succeed("here")
        with pytest.raises(FailTest) as info:
            _case().assertNoResult(d)
        assert str(info.value) == f"No result expected on {d!r}, found 'here' instead"
        assert d.result == "here"

    def test_failureResultConsumed(self) -> None:
        """
        A failed Deferred fails the assertion, and its failure is consumed
        so that it is not also logged as unhandled.
        """
        d = _failed()
        with pytest.raises(FailTest, match=r"^No result expected on .*, found <.*Failure"):
            _case().assertNoResult(d)
        assert d.result is None
        del d
        gc.collect()
        assert self.flushLoggedErrors() == []


class AssertFailureTests(SynchronousTestCase):
    def test_expectedFailure(self) -> None:
        """
        C{assertFailure} returns the Deferred, now firing with the exception
        when it failed with one of the types given.
        """
        d = _failed("match")
        returned = _case().assertFailure(d, KeyError, ValueError)
        assert returned is d
        error = self.successResultOf(d)
        assert isinstance(error, ValueError)
        assert str(error) == "match"

    def test_succeeded(self) -> None:
        """
        A Deferred that succeeds now fails with C{FailTest}, naming the
        result and the types expected.
        """
        d = _case().assertFailure(succeed(4), ValueError)
        failure = self.failureResultOf(d, FailTest)
        assert "succeeded with 4; expected it to fail with ValueError" in str(failure.value)

    def test_wrongFailure(self) -> None:
        """
        A Deferred that fails otherwise now fails with C{FailTest}, naming
        both types and giving the original traceback.
        """
        d = _case().assertFailure(_failed("other"), KeyError)
        failure = self.failureResultOf(d, FailTest)
        message = str(failure.value)
        assert "failed with ValueError; expected KeyError:\nTraceback" in message
        assert "ValueError: other" in message

    def test_later(self) -> None:
        """
        The check applies when the Deferred fires later.
        """
        d: Deferred[None] = Deferred()
        _case().assertFailure(d, ZeroDivisionError)
        self.assertNoResult(d)
        d.errback(ZeroDivisionError())
        assert isinstance(self.successResultOf(d), ZeroDivisionError)
