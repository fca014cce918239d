# Running a reactor until a Deferred fires: how TestCase, the pytest plugin
# and runUntil() wait.
#
# How it works (trial's way)
# --------------------------
# A callback on the Deferred records its result and crash()es the reactor;
# a timed call crash()es it too when the time limit is up, after cancelling
# the Deferred.  Between the two, reactor.run(installSignalHandlers=False)
# runs the loop.  crash() leaves the main loop without the 'shutdown' event,
# so the same reactor can run() again for the next test; stop() would make
# it unusable for the rest of the process.  That is why, while a test runs
# on the global reactor, its `stop` is replaced by `crash` (stopCrashes):
# code under test that stops "the" reactor only ends the wait.
#
# The recording callback stays on the Deferred's chain after the wait (a
# Deferred's callbacks cannot be removed), so it only crashes the reactor
# while its own wait is in progress: a Deferred abandoned by a timed-out
# test must not end the wait of a later test when it finally fires.
#
# A Deferred that has already fired is never waited for: the reactor does
# not run at all, as in trial.
#
# Tracebacks: a Deferred drops the live traceback of a failure once its
# callbacks have run (Failure.cleanFailure), keeping only text.  The failed
# test should still be reported from the line that raised, so the recording
# callback keeps the traceback it sees, and a coroutine is started through
# startCoroutine(), whose wrapper keeps the traceback of what the coroutine
# raises, before the Deferred exists to be waited on (a coroutine failing
# before its first await fails its Deferred at once).  raiseFailure()
# re-raises the exception with that traceback; without one, the traceback's
# text is added to the exception as a note.
from __future__ import annotations

import sys
import unittest
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, NamedTuple, NoReturn, TypeVar

from torsion.internet.defer import Deferred, TimeoutError
from torsion.python.failure import Failure

_T = TypeVar("_T")

DEFAULT_TIMEOUT_DURATION = 120.0

NOT_FIRED: Any = object()

_REACTOR_MODULE = "torsion.internet.reactor"


def installedReactor() -> Any | None:
    """
    @return: The global reactor if one is installed, else L{None}; never
        installs one.
    """
    reactor = sys.modules.get(_REACTOR_MODULE)
    if reactor is not None:
        return reactor
    package = sys.modules.get("torsion.internet")
    return getattr(package, "reactor", None)


def globalReactor() -> Any:
    """
    @return: The global reactor, installing the default one (see
        C{TORSION_REACTOR}) if none is installed yet.
    """
    from torsion.internet import reactor

    return reactor


class StopPatch:
    """
    Makes C{reactor.stop()} crash the reactor instead, until restored.
    """

    def __init__(self, reactor: Any) -> None:
        self._reactor = reactor
        self._applied = False

    def apply(self) -> None:
        """
        Replace the reactor's C{stop} by its C{crash}; twice does nothing.
        """
        if self._applied or "stop" in getattr(self._reactor, "__dict__", {}):
            return
        self._reactor.stop = self._reactor.crash
        self._applied = True

    def restore(self) -> None:
        """
        Give the reactor its own C{stop} back.
        """
        if self._applied:
            self._applied = False
            del self._reactor.stop


class Waited(NamedTuple):
    """
    How a wait ended.

    @ivar result: The Deferred's result afterwards (L{NOT_FIRED} if none).
    @ivar traceback: For a failure, its live traceback as it was when the
        Deferred fired (a Deferred drops it once its callbacks have run), or
        L{None} if the failure was already there before the wait.
    @ivar timedOut: Whether the time limit was reached.
    """

    result: Any
    traceback: TracebackType | None
    timedOut: bool


def spin(
    reactor: Any,
    deferred: Deferred[Any],
    timeout: float,
    what: Callable[[], str],
    stopCrashes: bool = False,
) -> Waited:
    """
    Run C{reactor} until C{deferred} has a result or C{timeout} seconds pass.

    On timeout C{deferred} is cancelled.  A failure result is left on
    C{deferred}; the caller deals with it.

    @param what: Describes what is waited for, for the errors raised.
    @param stopCrashes: Make C{reactor.stop()} crash it during the wait.
    @return: How the wait ended.
    @raise RuntimeError: If the reactor is already running, or stopped
        running before C{deferred} fired and before the time limit.
    """
    box: list[Waited] = []
    waiting = False
    timedOut: list[bool] = []

    def fired(result: object) -> object:
        tb = result.tb if isinstance(result, Failure) else None
        box.append(Waited(result, tb, bool(timedOut)))
        if waiting and reactor.running:
            reactor.crash()
        return result

    deferred.addBoth(fired)
    if box:
        return box[0]
    if reactor.running:
        raise RuntimeError(
            f"cannot wait for {what()}: the reactor {reactor!r} is already running, "
            "so the wait would have to run it from inside itself.  Run tests (and "
            "runUntil) from outside the reactor; inside it, return or await the "
            "Deferred instead"
        )

    def onTimeout() -> None:
        timedOut.append(True)
        deferred.cancel()
        if reactor.running:
            reactor.crash()

    patch = StopPatch(reactor)
    if stopCrashes:
        patch.apply()
    call = reactor.callLater(timeout, onTimeout)
    waiting = True
    try:
        reactor.run(installSignalHandlers=False)
    finally:
        waiting = False
        if reactor.running:
            # Something (a KeyboardInterrupt) escaped the loop.
            reactor.crash()
        if call.active():
            call.cancel()
        patch.restore()
    if box:
        return box[0]
    if timedOut:
        return Waited(NOT_FIRED, None, True)
    raise RuntimeError(
        f"the reactor stopped running before {what()} fired: something called "
        "reactor.crash() or reactor.stop() while waiting for it.  Let the Deferred "
        "fire instead of stopping the reactor"
    )


def raiseFailure(failure: Failure, tb: TracebackType | None, where: str) -> NoReturn:
    """
    Raise the exception C{failure} wraps, with the best traceback there is.

    @param tb: Its live traceback, if it was caught in time; otherwise the
        traceback's text is added to the exception as a note.
    @param where: Says what failed, for that note.
    """
    error = failure.value
    if tb is not None:
        raise error.with_traceback(tb)
    if not isinstance(error, unittest.SkipTest):
        error.add_note(f"(The traceback of how {where} failed:)\n{failure.getTraceback()}")
    raise error


def startCoroutine(
    coro: Coroutine[Any, Any, _T],
) -> tuple[Deferred[_T], list[TracebackType]]:
    """
    Run C{coro} with L{Deferred.fromCoroutine}, keeping the live traceback
    of the exception it may raise (a failed Deferred drops its traceback
    once its callbacks have run, which for a coroutine that fails before
    its first C{await} is before anyone can wait for it).

    @return: The Deferred, and a list that receives that traceback.
    """
    tracebacks: list[TracebackType] = []

    async def keepingTraceback() -> _T:
        try:
            return await coro
        except BaseException as e:
            if e.__traceback__ is not None:
                tracebacks.append(e.__traceback__)
            raise

    return Deferred.fromCoroutine(keepingTraceback()), tracebacks


def consume(deferred: Deferred[Any]) -> None:
    """
    Make a failure result of C{deferred}, now or later, not count as
    unhandled (it has been reported, or no longer matters).
    """
    deferred.addErrback(lambda failure: None)


def runUntil(
    reactor: Any,
    deferred: Deferred[_T] | Coroutine[Any, Any, _T],
    timeout: float = DEFAULT_TIMEOUT_DURATION,
) -> _T:
    """
    Run C{reactor} until C{deferred} fires, and return its result.

    The reactor runs (C{run(installSignalHandlers=False)}) and is
    C{crash()}ed as soon as the Deferred fires, so it can be run again
    afterwards.  A Deferred that has already fired is not waited for.  If it
    has not fired after C{timeout} seconds, it is cancelled and
    L{TimeoutError} is raised.  Use it with a reactor of your own (such as
    the C{anyReactor} fixture gives), from outside that reactor::

        def test_echo(anyReactor):
            d = connectAndSend(anyReactor, b"hello")
            assert runUntil(anyReactor, d, timeout=10) == b"hello"

    @param reactor: A reactor that is not running.
    @param deferred: The Deferred to wait for; a coroutine is run with
        L{Deferred.fromCoroutine} first.
    @param timeout: The most seconds to wait.
    @return: The Deferred's result.
    @raise BaseException: The exception the Deferred failed with (the
        failure is consumed).
    @raise TimeoutError: If it did not fire within C{timeout} seconds.
    @raise RuntimeError: If the reactor is already running, or stopped
        running before the Deferred fired.
    """
    tracebacks: list[TracebackType] = []
    if isinstance(deferred, Deferred):
        d = deferred
    else:
        d, tracebacks = startCoroutine(deferred)
    result, tb, timedOut = spin(reactor, d, timeout, lambda: repr(d))
    if timedOut:
        consume(d)
        raise TimeoutError(
            f"{d!r} did not fire within {timeout:g} seconds, so it was cancelled; "
            "pass runUntil() a larger timeout if the work needs longer"
        )
    if isinstance(result, Failure):
        consume(d)
        raiseFailure(result, tb or (tracebacks[-1] if tracebacks else None), repr(d))
    return result  # type: ignore[no-any-return]


__all__ = [
    "DEFAULT_TIMEOUT_DURATION",
    "NOT_FIRED",
    "StopPatch",
    "Waited",
    "consume",
    "globalReactor",
    "installedReactor",
    "raiseFailure",
    "runUntil",
    "spin",
    "startCoroutine",
]
