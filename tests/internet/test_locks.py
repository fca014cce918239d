"""
Tests for L{DeferredLock}, L{DeferredSemaphore} and L{DeferredQueue}.

Expected values follow Twisted's documented behaviour (checked against
Twisted 26 in a scratch shell); where torsion deliberately differs, the test
says so.
"""

from __future__ import annotations

import pytest

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet.defer import (
    CancelledError,
    Deferred,
    DeferredLock,
    DeferredQueue,
    DeferredSemaphore,
    QueueOverflow,
    QueueUnderflow,
    ensureDeferred,
    fail,
)


class DeferredLockTests:
    def test_acquireFree(self) -> None:
        """
        Acquiring a free lock succeeds at once with the lock, which becomes
        locked.
        """
        lock = DeferredLock()
        assert not lock.locked
        assert resultOf(lock.acquire()) is lock
        assert lock.locked

    def test_waitersServedInOrder(self) -> None:
        """
        Acquirers of a held lock wait, and each release hands the lock to the
        oldest waiter.
        """
        lock = DeferredLock()
        lock.acquire()
        order: list[str] = []

        def record(_: object, name: str) -> None:
            order.append(name)

        for name in "abc":
            lock.acquire().addCallback(record, name)
        assert order == []
        assert len(lock.waiting) == 3
        lock.release()
        assert order == ["a"]
        lock.release()
        lock.release()
        assert order == ["a", "b", "c"]
        assert lock.locked

    def test_releaseLastUnlocks(self) -> None:
        """
        Releasing with no one waiting unlocks the lock.
        """
        lock = DeferredLock()
        lock.acquire()
        lock.release()
        assert not lock.locked
        assert len(lock.waiting) == 0

    def test_releaseUnlocked(self) -> None:
        """
        Releasing an unlocked lock raises L{RuntimeError} naming the mistake.
        (Twisted raises L{AssertionError}.)
        """
        lock = DeferredLock()
        with pytest.raises(
            RuntimeError, match=r"^DeferredLock\.release\(\) called on an unlocked lock$"
        ):
            lock.release()
        assert not lock.locked

    def test_cancelWaiter(self) -> None:
        """
        Cancelling a waiter's Deferred removes it from the queue and fails it
        with L{CancelledError}; the next release skips it.
        """
        lock = DeferredLock()
        lock.acquire()
        first, second = lock.acquire(), lock.acquire()
        first.cancel()
        failureOf(first, CancelledError)
        assert list(lock.waiting) == [second]
        lock.release()
        assert resultOf(second) is lock

    def test_cancelAfterAcquired(self) -> None:
        """
        Cancelling a Deferred that has already been given the lock changes
        nothing: the holder keeps the lock.
        """
        lock = DeferredLock()
        lock.acquire()
        waiter = lock.acquire()
        lock.release()
        waiter.cancel()
        assert resultOf(waiter) is lock
        assert lock.locked

    def test_runReleasesOnSuccess(self) -> None:
        """
        C{run} calls the function with its arguments while holding the lock
        and releases it when the result is ready.
        """
        lock = DeferredLock()
        seen: list[bool] = []

        def add(a: int, b: int = 0) -> int:
            seen.append(lock.locked)
            return a + b

        assert resultOf(lock.run(add, 1, b=2)) == 3
        assert seen == [True]
        assert not lock.locked

    def test_runReleasesOnFailure(self) -> None:
        """
        If the function raises, C{run} releases the lock and its Deferred
        fails with the exception.
        """
        lock = DeferredLock()

        def boom() -> None:
            raise ValueError("boom")

        assert failureOf(lock.run(boom), ValueError).getErrorMessage() == "boom"
        assert not lock.locked

    def test_runWaitsForDeferred(self) -> None:
        """
        A function returning a Deferred holds the lock until that Deferred
        fires; a second C{run} waits its turn.
        """
        lock = DeferredLock()
        gate: Deferred[str] = Deferred()
        first = lock.run(lambda: gate)
        second = lock.run(lambda: "second")
        assertNoResult(first)
        assertNoResult(second)
        gate.callback("first")
        assert resultOf(first) == "first"
        assert resultOf(second) == "second"
        assert not lock.locked

    def test_runWaitsForFailedDeferred(self) -> None:
        """
        A function returning a Deferred that fails releases the lock too.
        """
        lock = DeferredLock()
        failureOf(lock.run(lambda: fail(KeyError("k"))), KeyError)
        assert not lock.locked

    def test_runCoroutineFunction(self) -> None:
        """
        C{run} accepts an C{async def} function and holds the lock until its
        coroutine finishes.
        """
        lock = DeferredLock()
        gate: Deferred[int] = Deferred()

        async def work() -> int:
            return await gate + 1

        done = lock.run(work)
        assert lock.locked
        gate.callback(1)
        assert resultOf(done) == 2
        assert not lock.locked

    def test_cancelRunWhileWaiting(self) -> None:
        """
        Cancelling a C{run} still waiting for the lock gives up the wait: the
        function is never called.
        """
        lock = DeferredLock()
        lock.acquire()
        called: list[bool] = []
        waiting = lock.run(lambda: called.append(True))
        waiting.cancel()
        failureOf(waiting, CancelledError)
        lock.release()
        assert called == []
        assert not lock.locked

    def test_cancelRunWhileRunning(self) -> None:
        """
        Cancelling a C{run} whose function is in progress cancels the
        function's Deferred and releases the lock.
        """
        lock = DeferredLock()
        cancelled: list[bool] = []
        running: Deferred[None] = lock.run(lambda: Deferred(lambda d: cancelled.append(True)))
        running.cancel()
        assert cancelled == [True]
        failureOf(running, CancelledError)
        assert not lock.locked

    def test_asyncWith(self) -> None:
        """
        C{async with lock:} holds the lock for the block; a second coroutine
        waits until the first leaves it.
        """
        lock = DeferredLock()
        log: list[str] = []
        gates: dict[str, Deferred[None]] = {"x": Deferred(), "y": Deferred()}

        async def use(name: str) -> str:
            async with lock:
                log.append(f"{name} in")
                await gates[name]
                log.append(f"{name} out")
            return name

        x = ensureDeferred(use("x"))
        y = ensureDeferred(use("y"))
        assert log == ["x in"]
        gates["y"].callback(None)
        assert log == ["x in"]
        gates["x"].callback(None)
        assert log == ["x in", "x out", "y in", "y out"]
        assert (resultOf(x), resultOf(y)) == ("x", "y")
        assert not lock.locked

    def test_asyncWithReleasesOnError(self) -> None:
        """
        An exception leaving the C{async with} block releases the lock and
        propagates.
        """
        lock = DeferredLock()

        async def broken() -> None:
            async with lock:
                raise KeyError("k")

        failureOf(ensureDeferred(broken()), KeyError)
        assert not lock.locked

    def test_asyncWithCancelledWhileWaiting(self) -> None:
        """
        Cancelling a coroutine waiting to enter C{async with} removes it from
        the waiters without releasing the holder's lock.
        """
        lock = DeferredLock()
        lock.acquire()
        entered: list[bool] = []

        async def use() -> None:
            async with lock:
                entered.append(True)

        waiting = ensureDeferred(use())
        assert len(lock.waiting) == 1
        waiting.cancel()
        failureOf(waiting, CancelledError)
        assert len(lock.waiting) == 0
        assert lock.locked
        assert entered == []


class DeferredSemaphoreTests:
    def test_attributes(self) -> None:
        """
        A new semaphore has C{limit} and C{tokens} equal to its size.
        """
        sem = DeferredSemaphore(3)
        assert (sem.limit, sem.tokens) == (3, 3)

    @pytest.mark.parametrize("tokens", [0, -1])
    def test_tooFewTokens(self, tokens: int) -> None:
        """
        A semaphore needs at least one token; the error names the bad value.
        """
        with pytest.raises(
            ValueError, match=rf"^DeferredSemaphore needs at least 1 token, not {tokens}$"
        ):
            DeferredSemaphore(tokens)

    def test_acquireTakesTokens(self) -> None:
        """
        Up to C{limit} acquirers succeed at once; the next ones wait in
        order, each release admitting the oldest.
        """
        sem = DeferredSemaphore(2)
        a, b = sem.acquire(), sem.acquire()
        assert (resultOf(a), resultOf(b)) == (sem, sem)
        assert sem.tokens == 0
        order: list[str] = []

        def record(_: object, name: str) -> None:
            order.append(name)

        for name in "cd":
            sem.acquire().addCallback(record, name)
        assert order == []
        sem.release()
        assert order == ["c"]
        assert sem.tokens == 0
        sem.release()
        assert order == ["c", "d"]
        sem.release()
        sem.release()
        assert sem.tokens == 2

    def test_releaseTooOften(self) -> None:
        """
        Releasing more often than acquiring raises L{RuntimeError}.  (Twisted
        raises L{AssertionError}.)
        """
        sem = DeferredSemaphore(2)
        with pytest.raises(
            RuntimeError,
            match=r"^DeferredSemaphore\.release\(\) called more often than acquire\(\) "
            r"\(all 2 tokens are free\)$",
        ):
            sem.release()
        assert sem.tokens == 2

    def test_cancelWaiter(self) -> None:
        """
        Cancelling a waiting acquirer removes it; the token goes to the next.
        """
        sem = DeferredSemaphore(1)
        sem.acquire()
        first, second = sem.acquire(), sem.acquire()
        first.cancel()
        failureOf(first, CancelledError)
        sem.release()
        assert resultOf(second) is sem
        assert sem.tokens == 0

    def test_runLimitsConcurrency(self) -> None:
        """
        C{run} lets at most C{limit} functions be in progress at once, and
        releases on success and on failure alike.
        """
        sem = DeferredSemaphore(2)
        gates: list[Deferred[int]] = [Deferred() for _ in range(3)]
        started: list[int] = []

        def job(n: int) -> Deferred[int]:
            started.append(n)
            return gates[n]

        results = [sem.run(job, n) for n in range(3)]
        assert started == [0, 1]
        gates[0].errback(ValueError("job 0"))
        assert started == [0, 1, 2]
        gates[1].callback(1)
        gates[2].callback(2)
        failureOf(results[0], ValueError)
        assert [resultOf(d) for d in results[1:]] == [1, 2]
        assert sem.tokens == 2

    def test_asyncWith(self) -> None:
        """
        C{async with semaphore:} takes a token for the block and gives it
        back afterwards.
        """
        sem = DeferredSemaphore(1)
        seen: list[int] = []

        async def use() -> None:
            async with sem:
                seen.append(sem.tokens)

        resultOf(ensureDeferred(use()))
        assert seen == [0]
        assert sem.tokens == 1


class DeferredQueueTests:
    def test_putThenGet(self) -> None:
        """
        Objects put are taken by C{get} in the order they were put.
        """
        queue: DeferredQueue[int] = DeferredQueue()
        for n in range(3):
            queue.put(n)
        assert queue.pending == [0, 1, 2]
        assert [resultOf(queue.get()) for _ in range(3)] == [0, 1, 2]
        assert queue.pending == []

    def test_getThenPut(self) -> None:
        """
        Getters that wait are served in order as objects arrive; nothing is
        left pending.
        """
        queue: DeferredQueue[str] = DeferredQueue()
        first, second = queue.get(), queue.get()
        assert queue.waiting == [first, second]
        queue.put("a")
        assert resultOf(first) == "a"
        assertNoResult(second)
        queue.put("b")
        assert resultOf(second) == "b"
        assert (queue.pending, queue.waiting) == ([], [])

    def test_defaults(self) -> None:
        """
        Without arguments a queue has no size or backlog limit.
        """
        queue: DeferredQueue[int] = DeferredQueue()
        assert (queue.size, queue.backlog) == (None, None)

    def test_sizeOverflow(self) -> None:
        """
        Putting into a queue already holding C{size} objects raises
        L{QueueOverflow} and leaves the queue unchanged.
        """
        queue: DeferredQueue[int] = DeferredQueue(size=2)
        queue.put(1)
        queue.put(2)
        with pytest.raises(
            QueueOverflow, match=r"^DeferredQueue is full: 2 objects pending \(size=2\)$"
        ):
            queue.put(3)
        assert queue.pending == [1, 2]

    def test_sizeZeroStillFeedsWaiters(self) -> None:
        """
        A full queue still hands an object to a waiting getter.
        """
        queue: DeferredQueue[int] = DeferredQueue(size=0)
        waiter = queue.get()
        queue.put(1)
        assert resultOf(waiter) == 1
        with pytest.raises(QueueOverflow):
            queue.put(2)

    def test_backlogUnderflow(self) -> None:
        """
        Getting from a queue that already has C{backlog} waiting getters
        raises L{QueueUnderflow}.
        """
        queue: DeferredQueue[int] = DeferredQueue(backlog=1)
        queue.get()
        with pytest.raises(
            QueueUnderflow,
            match=r"^DeferredQueue has 1 getters waiting already \(backlog=1\)$",
        ):
            queue.get()
        assert len(queue.waiting) == 1

    def test_backlogIgnoredWhenPending(self) -> None:
        """
        The backlog limits only waiting getters: with objects pending,
        C{get} succeeds even with a backlog of zero.
        """
        queue: DeferredQueue[int] = DeferredQueue(backlog=0)
        queue.put(1)
        assert resultOf(queue.get()) == 1
        with pytest.raises(QueueUnderflow):
            queue.get()

    def test_cancelGet(self) -> None:
        """
        Cancelling a waiting C{get} removes it: the next object goes to the
        following getter, or is kept pending.
        """
        queue: DeferredQueue[str] = DeferredQueue()
        first, second = queue.get(), queue.get()
        first.cancel()
        failureOf(first, CancelledError)
        assert queue.waiting == [second]
        queue.put("x")
        assert resultOf(second) == "x"
        second.cancel()
        queue.put("y")
        assert queue.pending == ["y"]

    def test_cancelGetFreesBacklog(self) -> None:
        """
        A cancelled getter no longer counts against the backlog.
        """
        queue: DeferredQueue[int] = DeferredQueue(backlog=1)
        waiter = queue.get()
        waiter.cancel()
        failureOf(waiter, CancelledError)
        assertNoResult(queue.get())

    def test_getFromCoroutine(self) -> None:
        """
        A coroutine can await C{get} and receives objects as they are put.
        """
        queue: DeferredQueue[int] = DeferredQueue()
        received: list[int] = []

        async def consume(count: int) -> None:
            for _ in range(count):
                received.append(await queue.get())

        done = ensureDeferred(consume(3))
        queue.put(1)
        queue.put(2)
        assertNoResult(done)
        queue.put(3)
        assert resultOf(done) is None
        assert received == [1, 2, 3]

    def test_putIntoGetterThatRaises(self) -> None:
        """
        A getter's callback raising does not break the queue: the failure
        stays with the getter's Deferred and later objects are queued.
        """
        queue: DeferredQueue[int] = DeferredQueue()

        def broken(n: int) -> None:
            raise ZeroDivisionError(n)

        waiter = queue.get().addCallback(broken)
        queue.put(1)
        failureOf(waiter, ZeroDivisionError)
        queue.put(2)
        assert queue.pending == [2]

    def test_getAlreadyAvailable(self) -> None:
        """
        C{get} with an object pending returns an already-fired Deferred.
        """
        queue: DeferredQueue[int] = DeferredQueue()
        queue.put(5)
        d = queue.get()
        assert d.called
        assert resultOf(d) == 5
