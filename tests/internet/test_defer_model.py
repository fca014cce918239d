"""
Property tests: random sequences of callbacks, errbacks and raises on a
Deferred give the result that a simple sequential model predicts, whenever
the Deferred is fired and however the inner Deferreds are timed.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from torsion.internet.defer import Deferred, fail, succeed
from torsion.python.failure import Failure


class Tagged(Exception):
    """
    An exception carrying a tag the model can predict.
    """

    def __init__(self, tag: int) -> None:
        super().__init__(tag)
        self.tag = tag


# Model state: ("ok", value) or ("err", tag).
State = tuple[str, int]

CALLBACK_KINDS = ["add", "raise", "failure", "fired", "failedFired", "pending", "pendingFail"]
ERRBACK_KINDS = ["recover", "reraise", "returnFailure", "pendingRecover"]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("cb"), st.sampled_from(CALLBACK_KINDS), st.integers(0, 9)),
        st.tuples(st.just("eb"), st.sampled_from(ERRBACK_KINDS), st.integers(0, 9)),
        st.tuples(st.just("both"), st.just("mix"), st.integers(0, 9)),
    ),
    max_size=25,
)


def model(start: State, ops: list[tuple[str, str, int]]) -> State:
    """
    What the chain should produce: each operation applied in order.
    """
    state = start
    for where, kind, k in ops:
        ok = state[0] == "ok"
        if where == "cb" and ok:
            value = state[1]
            state = ("ok", value + k) if kind in ("add", "fired", "pending") else ("err", k)
        elif where == "eb" and not ok:
            state = ("ok", k) if kind in ("recover", "pendingRecover") else ("err", k + 100)
        elif where == "both":
            state = ("ok", state[1] * 2 + k) if ok else ("ok", -k)
    return state


def build(
    d: Deferred[int], ops: list[tuple[str, str, int]], pending: list[tuple[Deferred[Any], State]]
) -> None:
    """
    Add callbacks implementing C{ops} to C{d}.
    """
    for where, kind, k in ops:
        if where == "cb":
            d.addCallback(_callback, kind, k, pending)
        elif where == "eb":
            d.addErrback(_errback, kind, k, pending)
        else:
            d.addBoth(_both, k)


def _callback(value: int, kind: str, k: int, pending: list[tuple[Deferred[Any], State]]) -> Any:
    if kind == "add":
        return value + k
    if kind == "raise":
        raise Tagged(k)
    if kind == "failure":
        return Failure(Tagged(k))
    if kind == "fired":
        return succeed(value + k)
    if kind == "failedFired":
        return fail(Tagged(k))
    waiting: Deferred[int] = Deferred()
    pending.append((waiting, ("ok", value + k) if kind == "pending" else ("err", k)))
    return waiting


def _errback(
    failure: Failure, kind: str, k: int, pending: list[tuple[Deferred[Any], State]]
) -> Any:
    failure.trap(Tagged)
    if kind == "recover":
        return k
    if kind == "reraise":
        raise Tagged(k + 100)
    if kind == "returnFailure":
        return Failure(Tagged(k + 100))
    waiting: Deferred[int] = Deferred()
    pending.append((waiting, ("ok", k)))
    return waiting


def _both(result: int | Failure, k: int) -> int:
    if isinstance(result, Failure):
        return -k
    return result * 2 + k


def observe(d: Deferred[Any]) -> State | None:
    box: list[Any] = []
    d.addBoth(box.append)
    if not box:
        return None
    result = box[0]
    if isinstance(result, Failure):
        assert isinstance(result.value, Tagged), result.getTraceback()
        return ("err", result.value.tag)
    return ("ok", result)


@given(
    ops=operations,
    start=st.one_of(
        st.tuples(st.just("ok"), st.integers(0, 9)), st.tuples(st.just("err"), st.integers(0, 9))
    ),
    firePoint=st.integers(0, 25),
    lifo=st.booleans(),
)
def test_chainMatchesModel(
    ops: list[tuple[str, str, int]], start: State, firePoint: int, lifo: bool
) -> None:
    """
    Whatever the operations, when the Deferred fires (before, between or
    after adding them) and in whatever order pending inner Deferreds fire,
    the final result is the model's.
    """
    d: Deferred[int] = Deferred()
    pending: list[tuple[Deferred[Any], State]] = []
    firePoint = min(firePoint, len(ops))
    build(d, ops[:firePoint], pending)
    if start[0] == "ok":
        d.callback(start[1])
    else:
        d.errback(Tagged(start[1]))
    build(d, ops[firePoint:], pending)
    # At most one inner Deferred is waited on at a time: fire it, repeat.
    rounds = 0
    while pending:
        rounds += 1
        assert rounds <= len(ops), "more inner Deferreds than operations"
        waiting, outcome = pending.pop() if lifo else pending.pop(0)
        if outcome[0] == "ok":
            waiting.callback(outcome[1])
        else:
            waiting.errback(Tagged(outcome[1]))
    assert observe(d) == model(start, ops)
