"""
Type tests for Deferred: mypy checks this file (it is never run).

Each C{assert_type} pins what mypy infers; each C{# type: ignore[code]} pins
an error mypy must report (warn_unused_ignores makes a missing error fail).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, assert_type

from torsion.internet.defer import (
    Deferred,
    DeferredList,
    DeferredLock,
    DeferredQueue,
    ensureDeferred,
    fail,
    gatherResults,
    inlineCallbacks,
    maybeDeferred,
    race,
    succeed,
)
from torsion.python.failure import Failure


def later(n: int) -> Deferred[str]:
    return succeed(str(n))


def scale(n: int, factor: float) -> float:
    return n * factor


def callbackChains() -> None:
    assert_type(succeed(3), Deferred[int])
    assert_type(succeed(3).addCallback(str), Deferred[str])
    assert_type(succeed(3).addCallback(str).addCallback(len), Deferred[int])
    # A callback returning a Deferred: the chain carries the inner type.
    assert_type(succeed(3).addCallback(later), Deferred[str])
    # Extra arguments are checked against the callback's signature.
    assert_type(succeed(3).addCallback(scale, 2), Deferred[float])
    assert_type(succeed(3).addCallback(scale, factor=2), Deferred[float])
    succeed(3).addCallback(scale, "2")  # type: ignore[call-overload]
    # The callback must accept the current result type.
    succeed(3).addCallback(len)  # type: ignore[arg-type]
    assert_type(succeed("x").addErrback(lambda f: 0), Deferred[str | int])
    assert_type(succeed("x").addBoth(lambda r: 1.5), Deferred[float])
    d: Deferred[int] = Deferred()
    d.callback(1)
    d.callback("one")  # type: ignore[arg-type]
    d.errback(ValueError())
    d.errback(Failure(ValueError()))


async def awaiting() -> None:
    assert_type(await succeed(3), int)
    assert_type(await succeed(3).addCallback(str), str)
    x: str = await succeed(3)  # type: ignore[arg-type]
    del x


async def coroutine() -> int:
    return await succeed(1)


def coroutines() -> None:
    assert_type(ensureDeferred(coroutine()), Deferred[int])
    assert_type(Deferred.fromCoroutine(coroutine()), Deferred[int])
    assert_type(maybeDeferred(coroutine), Deferred[int])
    assert_type(maybeDeferred(len, "abc"), Deferred[int])
    assert_type(maybeDeferred(lambda: succeed("s")), Deferred[str])


@inlineCallbacks
def generatorStyle(n: int) -> Generator[Deferred[Any], Any, str]:
    value = yield succeed(n)
    return str(value)


def inlineCallbacksTypes() -> None:
    assert_type(generatorStyle(1), Deferred[str])
    generatorStyle("1")  # type: ignore[arg-type]


def combinators() -> None:
    assert_type(gatherResults([succeed(1), succeed(2)]), Deferred[list[int]])
    assert_type(race([succeed("a"), succeed("b")]), Deferred[tuple[int, str]])
    assert_type(DeferredList([succeed(1)]), DeferredList[list[tuple[bool, Any]]])
    assert_type(DeferredList([succeed(1)], fireOnOneCallback=True), DeferredList[tuple[Any, int]])
    assert_type(fail(ValueError()), Deferred[Any])
    assert_type(DeferredLock().acquire(), Deferred[DeferredLock])
    q: DeferredQueue[bytes] = DeferredQueue()
    assert_type(q.get(), Deferred[bytes])
    q.put("text")  # type: ignore[arg-type]
    assert_type(DeferredLock().run(len, "abc"), Deferred[int])
