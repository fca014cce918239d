# Combining several Deferreds into one: DeferredList, gatherResults, race.
#
# DeferredList attaches one callback pair to each member, recording
# (success, result) at the member's index; the list fires when all have
# reported, or at the first success/failure when asked to.  gatherResults and
# race are built on the same pattern.
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeVar, cast, overload

from torsion.internet._deferred import Deferred, _log
from torsion.python.failure import Failure

_T = TypeVar("_T")

SUCCESS = True
FAILURE = False


class FirstError(Exception):
    """
    The first failure among the Deferreds of a L{DeferredList} or
    L{gatherResults}.

    @ivar subFailure: The L{Failure} of the member that failed.
    @ivar index: The member's position in the list.
    """

    def __init__(self, failure: Failure, index: int) -> None:
        super().__init__(failure, index)
        self.subFailure = failure
        self.index = index

    def __repr__(self) -> str:
        return f"FirstError[#{self.index}, {self.subFailure.value!r}]"

    def __str__(self) -> str:
        return f"FirstError[#{self.index}, {self.subFailure}]"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FirstError):
            return (self.subFailure.value, self.index) == (other.subFailure.value, other.index)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((id(self.subFailure.value), self.index))


class FailureGroup(Exception):
    """
    Every Deferred given to L{race} failed.

    @ivar failures: Their L{Failure}s, in the order the Deferreds were given.
    """

    def __init__(self, failures: Sequence[Failure]) -> None:
        super().__init__(failures)
        self.failures = list(failures)

    def __str__(self) -> str:
        parts = "; ".join(f.getErrorMessage() or f.type.__name__ for f in self.failures)
        return f"all {len(self.failures)} Deferreds failed: {parts}"


_R = TypeVar("_R")


class DeferredList(Deferred[_R]):
    """
    A Deferred that fires when every Deferred in a list has fired.

    Its result is a list of C{(success, result)} pairs, in the order of the
    given Deferreds, where C{success} is L{SUCCESS} or L{FAILURE}.

    @ivar resultList: The pairs collected so far (L{None} for pending ones).
    @ivar finishedCount: How many members have fired.
    """

    @overload
    def __init__(
        self: DeferredList[tuple[Any, int]],
        deferredList: Iterable[Deferred[Any]],
        fireOnOneCallback: Literal[True],
        fireOnOneErrback: bool = False,
        consumeErrors: bool = False,
    ) -> None: ...

    @overload
    def __init__(
        self: DeferredList[list[tuple[bool, Any]]],
        deferredList: Iterable[Deferred[Any]],
        fireOnOneCallback: Literal[False] = False,
        fireOnOneErrback: bool = False,
        consumeErrors: bool = False,
    ) -> None: ...

    def __init__(
        self,
        deferredList: Iterable[Deferred[Any]],
        fireOnOneCallback: bool = False,
        fireOnOneErrback: bool = False,
        consumeErrors: bool = False,
    ) -> None:
        """
        @param deferredList: The Deferreds to wait for.
        @param fireOnOneCallback: Fire with C{(result, index)} as soon as one
            member succeeds.
        @param fireOnOneErrback: Fail with L{FirstError} as soon as one member
            fails.
        @param consumeErrors: Replace members' failures with L{None} once
            recorded, so that they are not logged as unhandled.
        """
        self._deferredList = list(deferredList)
        self.resultList: list[Any] = [None] * len(self._deferredList)
        super().__init__()
        self.finishedCount = 0
        self.fireOnOneCallback = fireOnOneCallback
        self.fireOnOneErrback = fireOnOneErrback
        self.consumeErrors = consumeErrors
        if not self._deferredList and not fireOnOneCallback:
            self.callback(cast(_R, []))
            return
        for index, member in enumerate(self._deferredList):
            member.addCallbacks(
                self._memberFired,
                self._memberFired,
                callbackArgs=(index, SUCCESS),
                errbackArgs=(index, FAILURE),
            )

    def _memberFired(self, result: Any, index: int, succeeded: bool) -> Any:
        self.resultList[index] = (succeeded, result)
        self.finishedCount += 1
        if not self.called:
            if succeeded == SUCCESS and self.fireOnOneCallback:
                self.callback(cast(_R, (result, index)))
            elif succeeded == FAILURE and self.fireOnOneErrback:
                self.errback(Failure(FirstError(result, index)))
            elif self.finishedCount == len(self.resultList):
                self.callback(cast(_R, self.resultList))
        if succeeded == FAILURE and self.consumeErrors:
            return None
        return result

    def cancel(self) -> None:
        """
        Cancel every member that has not fired (if the list has not fired).
        """
        if self.called:
            return
        for member in self._deferredList:
            try:
                member.cancel()
            except BaseException:
                # A canceller's bug must not stop the others being cancelled.
                _log.failure("Exception raised by a canceller in DeferredList.cancel():")


def _values(results: list[tuple[bool, _T]]) -> list[_T]:
    return [value for _, value in results]


def gatherResults(
    deferredList: Iterable[Deferred[_T]], consumeErrors: bool = False
) -> Deferred[list[_T]]:
    """
    Wait for every Deferred; fire with a list of their results, in order.

    @param deferredList: The Deferreds.
    @param consumeErrors: Stop members' failures from being logged as
        unhandled (the first still fails the result).
    @return: A Deferred firing with the results, or failing with
        L{FirstError} at the first failure.
    """
    d = DeferredList(deferredList, fireOnOneErrback=True, consumeErrors=consumeErrors)
    return d.addCallback(_values)


def race(ds: Sequence[Deferred[_T]]) -> Deferred[tuple[int, _T]]:
    """
    Fire with the first success among C{ds}, and cancel the others.

    @param ds: The Deferreds competing.
    @return: A Deferred firing with C{(index, result)} of the first to
        succeed, or failing with L{FailureGroup} if all fail.  Cancelling it
        cancels all of them.
    """
    members = list(ds)
    failures: list[Failure | None] = [None] * len(members)
    failedCount = 0
    winner: Deferred[tuple[int, _T]]

    def cancelAll(_: Deferred[tuple[int, _T]]) -> None:
        for member in members:
            member.cancel()

    winner = Deferred(cancelAll)

    decided = False

    def succeeded(result: _T, index: int) -> None:
        nonlocal decided
        if decided:
            return
        decided = True
        # Losers are cancelled before the winner is announced, so that the
        # race's callbacks see them finished.
        for other, member in enumerate(members):
            if other != index:
                member.cancel()
        winner.callback((index, result))

    def failed(failure: Failure, index: int) -> None:
        nonlocal failedCount
        failures[index] = failure
        failedCount += 1
        if failedCount == len(members) and not decided:
            winner.errback(Failure(FailureGroup([f for f in failures if f is not None])))

    if not members:
        winner.errback(Failure(FailureGroup([])))
        return winner
    for index, member in enumerate(members):
        member.addCallbacks(succeeded, failed, callbackArgs=(index,), errbackArgs=(index,))
    return winner


__all__ = [
    "FAILURE",
    "SUCCESS",
    "DeferredList",
    "FailureGroup",
    "FirstError",
    "gatherResults",
    "race",
]
