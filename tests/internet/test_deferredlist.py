"""
Tests for combining Deferreds: L{DeferredList}, L{gatherResults} and L{race}.

Expected values follow Twisted's documented behaviour (checked against
Twisted 26 in a scratch shell); where torsion deliberately differs, the test
says so.
"""

from __future__ import annotations

import gc
from typing import Any

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet.defer import (
    FAILURE,
    SUCCESS,
    CancelledError,
    Deferred,
    DeferredList,
    FailureGroup,
    FirstError,
    ensureDeferred,
    fail,
    gatherResults,
    race,
    succeed,
)
from torsion.logger import LogEvent
from torsion.python.failure import Failure


def cancellable(log: list[str], name: str) -> Deferred[Any]:
    """
    Return a Deferred whose canceller appends C{name} to C{log}.
    """
    return Deferred(lambda d: log.append(name))


class DeferredListTests:
    def test_constants(self) -> None:
        """
        C{SUCCESS} and C{FAILURE}, the first element of each result pair, are
        C{True} and C{False}.
        """
        assert SUCCESS is True
        assert FAILURE is False

    def test_isDeferred(self) -> None:
        """
        A DeferredList is itself a Deferred: callbacks can be added to it and
        coroutines can await it.
        """
        a: Deferred[int] = Deferred()
        dl = DeferredList([a])
        assert isinstance(dl, Deferred)

        async def wait() -> list[tuple[bool, Any]]:
            return await dl

        outcome = ensureDeferred(wait())
        assertNoResult(outcome)
        a.callback(7)
        assert resultOf(outcome) == [(SUCCESS, 7)]

    def test_resultsInGivenOrder(self) -> None:
        """
        The result pairs are in the order the Deferreds were given, whatever
        order they fire in; the list fires only once all have fired.
        """
        a: Deferred[str] = Deferred()
        b: Deferred[str] = Deferred()
        c: Deferred[str] = Deferred()
        dl = DeferredList([a, b, c])
        c.callback("c")
        a.callback("a")
        assertNoResult(dl)
        b.callback("b")
        assert resultOf(dl) == [(SUCCESS, "a"), (SUCCESS, "b"), (SUCCESS, "c")]

    def test_finishedCountAndResultList(self) -> None:
        """
        C{finishedCount} counts the members that have fired and
        C{resultList} holds their pairs, with L{None} for the others; the list
        fires with C{resultList} itself.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        dl = DeferredList([a, b])
        assert (dl.finishedCount, dl.resultList) == (0, [None, None])
        b.callback(2)
        assert (dl.finishedCount, dl.resultList) == (1, [None, (SUCCESS, 2)])
        a.callback(1)
        assert dl.finishedCount == 2
        assert resultOf(dl) is dl.resultList
        assert dl.resultList == [(SUCCESS, 1), (SUCCESS, 2)]

    def test_acceptsAnyIterable(self) -> None:
        """
        The Deferreds may come from any iterable, such as a generator.
        """
        dl = DeferredList(succeed(n) for n in range(3))
        assert resultOf(dl) == [(SUCCESS, 0), (SUCCESS, 1), (SUCCESS, 2)]

    def test_alreadyFiredMembers(self) -> None:
        """
        Members that fired before the list was made are recorded at once.
        """
        dl = DeferredList([succeed(1), fail(KeyError("k"))], consumeErrors=True)
        [first, (ok, failure)] = resultOf(dl)
        assert first == (SUCCESS, 1)
        assert ok is FAILURE
        assert failure.check(KeyError)

    def test_failureIsRecordedNotRaised(self) -> None:
        """
        A member's failure becomes a C{(FAILURE, failure)} pair; the list
        itself still succeeds.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        dl = DeferredList([a, b], consumeErrors=True)
        b.errback(ValueError("bad"))
        a.callback(1)
        [first, (ok, failure)] = resultOf(dl)
        assert first == (SUCCESS, 1)
        assert ok is FAILURE
        assert isinstance(failure, Failure)
        assert failure.check(ValueError)
        assert failure.getErrorMessage() == "bad"

    def test_withoutConsumeErrorsMemberKeepsFailure(self, loggedFailures: list[LogEvent]) -> None:
        """
        Without C{consumeErrors} a failed member keeps its failure, so it is
        logged as unhandled when the member is garbage collected.
        """
        a: Deferred[int] = Deferred()
        dl = DeferredList([a])
        a.errback(ValueError("left alone"))
        assert isinstance(a.result, Failure)
        assert resultOf(dl)[0][0] is FAILURE
        del a, dl
        gc.collect()
        assert len(loggedFailures) == 1
        assert loggedFailures[0]["log_failure"].check(ValueError)

    def test_consumeErrorsReplacesMemberFailureWithNone(
        self, loggedFailures: list[LogEvent]
    ) -> None:
        """
        With C{consumeErrors} a failed member's result becomes L{None} once
        recorded, so nothing is logged as unhandled.
        """
        a: Deferred[int] = Deferred()
        dl = DeferredList([a], consumeErrors=True)
        a.errback(ValueError("consumed"))
        assert a.result is None
        assert resultOf(dl)[0][1].check(ValueError)
        del a, dl
        gc.collect()
        assert loggedFailures == []

    def test_successfulMemberKeepsResult(self) -> None:
        """
        Recording a success leaves the member's own result unchanged.
        """
        a: Deferred[int] = Deferred()
        DeferredList([a], consumeErrors=True)
        a.callback(5)
        assert resultOf(a) == 5

    def test_emptyList(self) -> None:
        """
        An empty list fires at once with an empty list of results.
        """
        assert resultOf(DeferredList([])) == []

    def test_emptyListFireOnOneErrback(self) -> None:
        """
        With C{fireOnOneErrback}, an empty list still fires at once with [].
        """
        assert resultOf(DeferredList([], fireOnOneErrback=True)) == []

    def test_emptyListFireOnOneCallback(self) -> None:
        """
        With C{fireOnOneCallback}, an empty list never fires: no member can
        ever succeed (as in Twisted).
        """
        assertNoResult(DeferredList([], fireOnOneCallback=True))

    def test_fireOnOneCallback(self) -> None:
        """
        With C{fireOnOneCallback}, the first success fires the list with
        C{(result, index)}.
        """
        a: Deferred[str] = Deferred()
        b: Deferred[str] = Deferred()
        dl = DeferredList([a, b], fireOnOneCallback=True)
        b.callback("bee")
        assert resultOf(dl) == ("bee", 1)

    def test_fireOnOneCallbackKeepsRecording(self) -> None:
        """
        Members firing after the list has fired are still recorded in
        C{resultList} and counted, without firing the list again.
        """
        a: Deferred[str] = Deferred()
        b: Deferred[str] = Deferred()
        dl = DeferredList([a, b], fireOnOneCallback=True)
        b.callback("bee")
        assert (dl.finishedCount, dl.resultList) == (1, [None, (SUCCESS, "bee")])
        a.callback("ay")
        assert (dl.finishedCount, dl.resultList) == (2, [(SUCCESS, "ay"), (SUCCESS, "bee")])
        assert resultOf(dl) == ("bee", 1)

    def test_fireOnOneCallbackAlreadyFired(self) -> None:
        """
        A member that had already succeeded fires a C{fireOnOneCallback} list
        immediately.
        """
        dl = DeferredList([Deferred(), succeed("s")], fireOnOneCallback=True)
        assert resultOf(dl) == ("s", 1)

    def test_fireOnOneCallbackAllFail(self) -> None:
        """
        With C{fireOnOneCallback}, failures do not fire the list; if every
        member fails it fires with the full list of pairs.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        dl = DeferredList([a, b], fireOnOneCallback=True, consumeErrors=True)
        a.errback(ValueError("1"))
        assertNoResult(dl)
        b.errback(KeyError("2"))
        pairs = resultOf(dl)
        assert [ok for ok, _ in pairs] == [FAILURE, FAILURE]
        assert pairs[0][1].check(ValueError)
        assert pairs[1][1].check(KeyError)

    def test_fireOnOneErrback(self) -> None:
        """
        With C{fireOnOneErrback}, the first failure fails the list with a
        L{FirstError} holding the member's L{Failure} and index.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        dl = DeferredList([a, b], fireOnOneErrback=True, consumeErrors=True)
        original = Failure(KeyError("k"))
        b.errback(original)
        error = failureOf(dl, FirstError).value
        assert isinstance(error, FirstError)
        assert error.subFailure is original
        assert error.index == 1
        assert dl.finishedCount == 1

    def test_fireOnOneErrbackLaterMembers(self) -> None:
        """
        After a C{fireOnOneErrback} list has failed, members that fire later
        are recorded and cause no error.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        dl = DeferredList([a, b], fireOnOneErrback=True, consumeErrors=True)
        a.errback(ValueError("first"))
        failureOf(dl, FirstError)
        b.errback(KeyError("second"))
        assert dl.finishedCount == 2
        assert [ok for ok, _ in dl.resultList] == [FAILURE, FAILURE]

    def test_fireOnOneErrbackWithoutConsumeErrors(self) -> None:
        """
        With C{fireOnOneErrback} but not C{consumeErrors}, the failing member
        keeps its failure too: it has to be handled there as well.
        """
        a: Deferred[int] = Deferred()
        dl = DeferredList([a], fireOnOneErrback=True)
        a.errback(KeyError("k"))
        failureOf(dl, FirstError)
        assert failureOf(a, KeyError).getErrorMessage() == "'k'"

    def test_fireOnOneErrbackIgnoresSuccesses(self) -> None:
        """
        With C{fireOnOneErrback} and only successes, the list fires normally
        with all pairs.
        """
        dl = DeferredList([succeed(1), succeed(2)], fireOnOneErrback=True)
        assert resultOf(dl) == [(SUCCESS, 1), (SUCCESS, 2)]

    def test_cancelCancelsUnfiredMembers(self) -> None:
        """
        Cancelling the list cancels each member that has not fired, and
        leaves fired ones alone; the list then fires with their results.
        """
        cancelled: list[str] = []
        a = cancellable(cancelled, "a")
        b = cancellable(cancelled, "b")
        c = cancellable(cancelled, "c")
        a.callback("done")
        dl = DeferredList([a, b, c], consumeErrors=True)
        dl.cancel()
        assert cancelled == ["b", "c"]
        [first, (okB, failB), (okC, failC)] = resultOf(dl)
        assert first == (SUCCESS, "done")
        assert (okB, okC) == (FAILURE, FAILURE)
        assert failB.check(CancelledError)
        assert failC.check(CancelledError)

    def test_cancelFiredListDoesNothing(self) -> None:
        """
        Cancelling a list that has already fired cancels no member.
        """
        cancelled: list[str] = []
        a = cancellable(cancelled, "a")
        b = cancellable(cancelled, "b")
        dl = DeferredList([a, b], fireOnOneCallback=True)
        a.callback(1)
        dl.cancel()
        assert cancelled == []
        assertNoResult(b)
        assert resultOf(dl) == (1, 0)

    def test_cancelWithBrokenCanceller(self, loggedFailures: list[LogEvent]) -> None:
        """
        A canceller that raises is logged, and the other members are still
        cancelled.
        """

        def broken(d: Deferred[Any]) -> None:
            raise RuntimeError("canceller bug")

        cancelled: list[str] = []
        a: Deferred[Any] = Deferred(broken)
        b = cancellable(cancelled, "b")
        dl = DeferredList([a, b], consumeErrors=True)
        dl.cancel()
        assert cancelled == ["b"]
        assert not a.called
        assert [e["log_failure"].value.args for e in loggedFailures] == [("canceller bug",)]
        a.callback("late")
        assert resultOf(dl)[0] == (SUCCESS, "late")

    def test_nestedLists(self) -> None:
        """
        A DeferredList can be a member of another.
        """
        dl = DeferredList([DeferredList([succeed(1)])])
        assert resultOf(dl) == [(SUCCESS, [(SUCCESS, 1)])]


class FirstErrorTests:
    def test_attributes(self) -> None:
        """
        A L{FirstError} keeps the member's failure as C{subFailure} and its
        position as C{index}.
        """
        failure = Failure(ValueError("z"))
        error = FirstError(failure, 3)
        assert error.subFailure is failure
        assert error.index == 3

    def test_repr(self) -> None:
        """
        The repr names the index and the wrapped exception.
        """
        error = FirstError(Failure(ValueError("z")), 3)
        assert repr(error) == "FirstError[#3, ValueError('z')]"

    def test_str(self) -> None:
        """
        The str names the index and the wrapped failure.
        """
        error = FirstError(Failure(ValueError("z")), 3)
        assert str(error).startswith("FirstError[#3, ")
        assert "ValueError" in str(error)

    def test_equality(self) -> None:
        """
        FirstErrors wrapping the same exception at the same index are equal;
        a different index makes them unequal.
        """
        value = ValueError("z")
        assert FirstError(Failure(value), 1) == FirstError(Failure(value), 1)
        assert FirstError(Failure(value), 1) != FirstError(Failure(value), 2)
        assert FirstError(Failure(value), 1) != "FirstError"

    def test_equalMeansSameHash(self) -> None:
        """
        FirstErrors that compare equal have equal hashes, as Python requires
        of hashable objects.
        """
        value = ValueError("z")
        one, two = FirstError(Failure(value), 1), FirstError(Failure(value), 1)
        assert one == two
        assert hash(one) == hash(two)


class GatherResultsTests:
    def test_resultsInGivenOrder(self) -> None:
        """
        gatherResults fires with the bare results in the order given, not
        the order of firing.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        gathered = gatherResults([a, b])
        b.callback(2)
        assertNoResult(gathered)
        a.callback(1)
        assert resultOf(gathered) == [1, 2]

    def test_empty(self) -> None:
        """
        Gathering nothing fires at once with an empty list.
        """
        assert resultOf(gatherResults([])) == []

    def test_firstFailure(self) -> None:
        """
        The first failure fails the result with a L{FirstError} naming the
        failing member's index; later failures change nothing.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        gathered = gatherResults([a, b], consumeErrors=True)
        b.errback(ValueError("first"))
        a.errback(KeyError("second"))
        error = failureOf(gathered, FirstError).value
        assert isinstance(error, FirstError)
        assert error.index == 1
        assert error.subFailure.check(ValueError)

    def test_consumeErrors(self, loggedFailures: list[LogEvent]) -> None:
        """
        With C{consumeErrors}, members' failures become L{None}, so only the
        gathered Deferred has to handle the error.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        gathered = gatherResults([a, b], consumeErrors=True)
        a.errback(ValueError("v"))
        b.errback(KeyError("k"))
        assert (a.result, b.result) == (None, None)
        failureOf(gathered, FirstError)
        del a, b, gathered
        gc.collect()
        assert loggedFailures == []

    def test_withoutConsumeErrors(self, loggedFailures: list[LogEvent]) -> None:
        """
        Without C{consumeErrors}, the failed member keeps its failure and it
        is logged as unhandled if nothing handles it there.
        """
        a: Deferred[int] = Deferred()
        gathered = gatherResults([a])
        a.errback(ValueError("v"))
        assert isinstance(a.result, Failure)
        failureOf(gathered, FirstError)
        del a, gathered
        gc.collect()
        assert [e["log_failure"].type for e in loggedFailures] == [ValueError]

    def test_cancel(self) -> None:
        """
        Cancelling the gathered Deferred cancels the members; it fails with a
        L{FirstError} wrapping the first member's L{CancelledError}.
        """
        cancelled: list[str] = []
        gathered = gatherResults(
            [cancellable(cancelled, "a"), cancellable(cancelled, "b")], consumeErrors=True
        )
        gathered.cancel()
        assert cancelled == ["a", "b"]
        error = failureOf(gathered, FirstError).value
        assert isinstance(error, FirstError)
        assert error.index == 0
        assert error.subFailure.check(CancelledError)


class RaceTests:
    def test_firstSuccessWins(self) -> None:
        """
        The first Deferred to succeed gives C{(index, result)}; the others
        are cancelled.
        """
        cancelled: list[str] = []
        a = cancellable(cancelled, "a")
        b = cancellable(cancelled, "b")
        c = cancellable(cancelled, "c")
        raced = race([a, b, c])
        assertNoResult(raced)
        b.callback("B")
        assert resultOf(raced) == (1, "B")
        assert cancelled == ["a", "c"]

    def test_losersFailuresAreConsumed(self, loggedFailures: list[LogEvent]) -> None:
        """
        The losers' L{CancelledError} failures are consumed (their results
        become L{None}), so nothing is logged.
        """
        a: Deferred[str] = Deferred()
        b: Deferred[str] = Deferred()
        raced = race([a, b])
        a.callback("A")
        assert resultOf(raced) == (0, "A")
        assert b.result is None
        del a, b, raced
        gc.collect()
        assert loggedFailures == []

    def test_failureThenSuccess(self) -> None:
        """
        A failure does not end the race while another may still succeed.
        """
        a: Deferred[str] = Deferred()
        b: Deferred[str] = Deferred()
        raced = race([a, b])
        a.errback(ValueError("first"))
        assertNoResult(raced)
        b.callback("ok")
        assert resultOf(raced) == (1, "ok")

    def test_alreadyFiredWinner(self) -> None:
        """
        A member that has already succeeded wins at once, and the rest are
        cancelled.
        """
        cancelled: list[str] = []
        later = cancellable(cancelled, "later")
        raced = race([succeed("now"), later])
        assert resultOf(raced) == (0, "now")
        assert cancelled == ["later"]

    def test_allFail(self) -> None:
        """
        If every member fails, the race fails with a L{FailureGroup} holding
        the failures in the order the Deferreds were given.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        raced = race([a, b])
        b.errback(ValueError("2"))
        assertNoResult(raced)
        a.errback(KeyError("1"))
        group = failureOf(raced, FailureGroup).value
        assert isinstance(group, FailureGroup)
        assert [f.type for f in group.failures] == [KeyError, ValueError]

    def test_failureGroupStr(self) -> None:
        """
        A L{FailureGroup}'s str counts the failures and gives their messages.
        """
        group = FailureGroup([Failure(KeyError("k")), Failure(ValueError("v"))])
        assert str(group) == "all 2 Deferreds failed: 'k'; v"

    def test_cancelRaceCancelsAll(self) -> None:
        """
        Cancelling the race cancels every member; it then fails with a
        L{FailureGroup} of their L{CancelledError}s.
        """
        cancelled: list[str] = []
        raced = race([cancellable(cancelled, "a"), cancellable(cancelled, "b")])
        raced.cancel()
        assert cancelled == ["a", "b"]
        group = failureOf(raced, FailureGroup).value
        assert isinstance(group, FailureGroup)
        assert [f.type for f in group.failures] == [CancelledError, CancelledError]

    def test_cancellerFiringSuccessIsIgnored(self) -> None:
        """
        A loser whose canceller fires it with a success does not replace the
        winner.
        """
        loser: Deferred[str] = Deferred(lambda d: d.callback("loser"))
        winner: Deferred[str] = Deferred()
        raced = race([loser, winner])
        winner.callback("winner")
        assert resultOf(raced) == (1, "winner")

    def test_empty(self) -> None:
        """
        Racing nothing fails at once with an empty L{FailureGroup}.  (Twisted's
        race never fires in this case; torsion does not hang.)
        """
        group = failureOf(race([]), FailureGroup).value
        assert isinstance(group, FailureGroup)
        assert group.failures == []

    def test_losersCancelledBeforeResultFires(self) -> None:
        """
        By the time the race's own callbacks run, the losers have already
        been cancelled.
        """
        a: Deferred[int] = Deferred()
        b: Deferred[int] = Deferred()
        raced = race([a, b])
        seen: list[bool] = []
        raced.addCallback(lambda _: seen.append(b.called))
        a.callback(1)
        assert seen == [True]
