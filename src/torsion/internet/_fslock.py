# DeferredFilesystemLock: a FilesystemLock whose acquisition can be waited
# for.  It tries at once; while the lock is held elsewhere it tries again
# every `_interval` seconds on the scheduler (an IReactorTime), until it gets
# the lock, the optional timeout passes, or the returned Deferred is
# cancelled.
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from torsion.internet._deferred import CancelledError, Deferred, TimeoutError
from torsion.python.failure import Failure
from torsion.python.lockfile import FilesystemLock

if TYPE_CHECKING:
    from torsion.internet.interfaces import IDelayedCall, IReactorTime


class AlreadyTryingToLockError(Exception):
    """
    L{DeferredFilesystemLock.deferUntilLocked} was called while an earlier
    call was still waiting.
    """


def _defaultScheduler() -> IReactorTime:
    from torsion.internet import reactor

    return cast("IReactorTime", reactor)


class DeferredFilesystemLock(FilesystemLock):
    """
    A L{FilesystemLock} with a Deferred-returning way to wait for it.
    """

    _interval = 1.0

    def __init__(self, name: str, scheduler: IReactorTime | None = None) -> None:
        """
        @param name: The path of the lock.
        @param scheduler: Where to schedule retries (default: the reactor).
        """
        super().__init__(name)
        self._scheduler = scheduler
        self._tryLockCall: IDelayedCall | None = None
        self._timeoutCall: IDelayedCall | None = None

    def deferUntilLocked(self, timeout: float | None = None) -> Deferred[None]:
        """
        Wait until the lock is taken.

        @param timeout: Give up after this many seconds, failing with
            L{torsion.internet.defer.TimeoutError}; L{None} waits forever.
        @return: A Deferred firing with L{None} once the lock is held.
            Cancelling it stops trying.
        @raise AlreadyTryingToLockError: If an earlier call is still waiting.
        """
        if self._tryLockCall is not None or self._timeoutCall is not None:
            raise AlreadyTryingToLockError(
                f"already waiting for lock {self.name!r}; wait for (or cancel) "
                "the Deferred from the earlier deferUntilLocked() call"
            )
        scheduler = self._scheduler if self._scheduler is not None else _defaultScheduler()

        def stop() -> None:
            for call in (self._tryLockCall, self._timeoutCall):
                if call is not None and call.active():
                    call.cancel()
            self._tryLockCall = self._timeoutCall = None

        def cancel(d: Deferred[None]) -> None:
            stop()
            d.errback(Failure(CancelledError()))

        d: Deferred[None] = Deferred(cancel)

        def attempt() -> None:
            self._tryLockCall = None
            if self.lock():
                stop()
                d.callback(None)
            else:
                self._tryLockCall = scheduler.callLater(self._interval, attempt)

        def timedOut() -> None:
            self._timeoutCall = None
            stop()
            d.errback(Failure(TimeoutError(f"timed out waiting for lock {self.name!r}")))

        if timeout is not None:
            self._timeoutCall = scheduler.callLater(timeout, timedOut)
        attempt()
        return d


__all__ = ["AlreadyTryingToLockError", "DeferredFilesystemLock"]
