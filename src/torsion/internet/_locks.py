# Coordination between Deferred-using code: a lock, a semaphore and a queue.
#
# Each keeps a FIFO of waiters (Deferreds not yet fired).  Giving a waiter its
# turn fires its Deferred, which may run arbitrary callbacks immediately; so
# state is updated *before* firing.  A waiter's Deferred can be cancelled:
# the canceller removes it from the FIFO and it fails with CancelledError.
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar, overload

from torsion.internet._deferred import Deferred, maybeDeferred, succeed

_T = TypeVar("_T")
_P = ParamSpec("_P")
_SelfT = TypeVar("_SelfT", bound="_ConcurrencyPrimitive")


class _ConcurrencyPrimitive:
    """
    What DeferredLock and DeferredSemaphore share: waiters, run(), async with.
    """

    def __init__(self) -> None:
        self.waiting: deque[Deferred[Any]] = deque()

    def _cancelAcquire(self, d: Deferred[Any]) -> None:
        self.waiting.remove(d)

    def acquire(self: _SelfT) -> Deferred[_SelfT]:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    @overload
    def run(
        self,
        f: Callable[_P, Deferred[_T]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_T]: ...

    @overload
    def run(
        self,
        f: Callable[_P, Coroutine[Deferred[Any], Any, _T]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_T]: ...

    @overload
    def run(self, f: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]: ...

    def run(self, f: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred[Any]:
        """
        Acquire, call C{f(*args, **kwargs)}, release when its result is ready.

        @return: A Deferred for C{f}'s result.
        """

        def call(_: object) -> Deferred[Any]:
            return maybeDeferred(f, *args, **kwargs).addBoth(releaseAndPass)

        def releaseAndPass(result: Any) -> Any:
            self.release()
            return result

        return self.acquire().addCallback(call)

    async def __aenter__(self: _SelfT) -> _SelfT:
        return await self.acquire()

    async def __aexit__(
        self,
        excType: type[BaseException] | None,
        excValue: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


class DeferredLock(_ConcurrencyPrimitive):
    """
    A lock for Deferred-using code: one holder at a time, others wait in order.

    Usable as C{async with lock:} in coroutines.

    @ivar locked: Whether someone holds the lock.
    """

    def __init__(self) -> None:
        super().__init__()
        self.locked = False

    def acquire(self) -> Deferred[DeferredLock]:
        """
        @return: A Deferred firing with this lock once it is held by the caller.
            Cancelling it gives up waiting.
        """
        if not self.locked:
            self.locked = True
            return succeed(self)
        d: Deferred[DeferredLock] = Deferred(self._cancelAcquire)
        self.waiting.append(d)
        return d

    def release(self) -> None:
        """
        Release the lock, handing it to the next waiter if there is one.

        @raise RuntimeError: If the lock is not held.
        """
        if not self.locked:
            raise RuntimeError("DeferredLock.release() called on an unlocked lock")
        if self.waiting:
            # Ownership passes directly: the lock stays locked.
            self.waiting.popleft().callback(self)
        else:
            self.locked = False


class DeferredSemaphore(_ConcurrencyPrimitive):
    """
    Let at most C{tokens} holders in at once; the others wait in order.

    @ivar limit: The number of tokens it was made with.
    @ivar tokens: How many are free now.
    """

    def __init__(self, tokens: int) -> None:
        """
        @param tokens: The maximum number of simultaneous holders (>= 1).
        @raise ValueError: If C{tokens} is less than 1.
        """
        if tokens < 1:
            raise ValueError(f"DeferredSemaphore needs at least 1 token, not {tokens!r}")
        super().__init__()
        self.limit = tokens
        self.tokens = tokens

    def acquire(self) -> Deferred[DeferredSemaphore]:
        """
        @return: A Deferred firing with this semaphore once a token is taken.
            Cancelling it gives up waiting.
        """
        if self.tokens > 0:
            self.tokens -= 1
            return succeed(self)
        d: Deferred[DeferredSemaphore] = Deferred(self._cancelAcquire)
        self.waiting.append(d)
        return d

    def release(self) -> None:
        """
        Give a token back, or hand it to the next waiter.

        @raise RuntimeError: If more tokens are released than were taken.
        """
        if self.tokens >= self.limit:
            raise RuntimeError(
                f"DeferredSemaphore.release() called more often than acquire() "
                f"(all {self.limit} tokens are free)"
            )
        if self.waiting:
            self.waiting.popleft().callback(self)
        else:
            self.tokens += 1


class QueueOverflow(Exception):
    """
    L{DeferredQueue.put} on a queue already holding C{size} objects.
    """


class QueueUnderflow(Exception):
    """
    L{DeferredQueue.get} on a queue already holding C{backlog} waiting getters.
    """


class DeferredQueue(Generic[_T]):
    """
    A FIFO queue whose C{get} returns a Deferred that fires when an object is
    available.

    @ivar pending: Objects put but not yet taken.
    @ivar waiting: Deferreds of getters waiting for an object.
    @ivar size: The most objects it holds, or L{None} for no limit.
    @ivar backlog: The most getters that may wait, or L{None} for no limit.
    """

    def __init__(self, size: int | None = None, backlog: int | None = None) -> None:
        """
        @param size: Limit on pending objects (L{QueueOverflow} past it).
        @param backlog: Limit on waiting getters (L{QueueUnderflow} past it).
        """
        self.waiting: list[Deferred[_T]] = []
        self.pending: list[_T] = []
        self.size = size
        self.backlog = backlog

    def _cancelGet(self, d: Deferred[_T]) -> None:
        self.waiting.remove(d)

    def put(self, obj: _T) -> None:
        """
        Add C{obj}: give it to the oldest waiting getter, or keep it.

        @raise QueueOverflow: If C{size} objects are already pending.
        """
        if self.waiting:
            self.waiting.pop(0).callback(obj)
        elif self.size is None or len(self.pending) < self.size:
            self.pending.append(obj)
        else:
            raise QueueOverflow(
                f"DeferredQueue is full: {len(self.pending)} objects pending (size={self.size})"
            )

    def get(self) -> Deferred[_T]:
        """
        @return: A Deferred firing with the oldest pending object, at once if
            there is one.  Cancelling it gives up waiting.
        @raise QueueUnderflow: If C{backlog} getters are already waiting.
        """
        if self.pending:
            return succeed(self.pending.pop(0))
        if self.backlog is not None and len(self.waiting) >= self.backlog:
            raise QueueUnderflow(
                f"DeferredQueue has {len(self.waiting)} getters waiting already "
                f"(backlog={self.backlog})"
            )
        d: Deferred[_T] = Deferred(self._cancelGet)
        self.waiting.append(d)
        return d


__all__ = [
    "DeferredLock",
    "DeferredQueue",
    "DeferredSemaphore",
    "QueueOverflow",
    "QueueUnderflow",
]
