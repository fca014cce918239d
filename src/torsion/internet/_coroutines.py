# Running coroutines and inlineCallbacks generators on Deferreds.
#
# One driver serves both.  It sends values into the coroutine (or generator)
# until it yields something:
# - a Deferred that already has a result: the result is taken at once and
#   the loop goes on (no recursion however many are yielded in a row);
# - a Deferred without a result: the driver adds a callback to it and returns;
#   that callback re-enters the driver with the result later;
# - anything else: inlineCallbacks sends it straight back (Twisted allows
#   `x = yield 3`); a coroutine gets a TypeError thrown in, since awaiting a
#   foreign awaitable (an asyncio Future, say) cannot work here.
# When the coroutine returns, its value fires the Deferred returned to the
# caller; an exception fails it.
#
# Each coroutine runs in a copy of the context current when it started, so
# context variables set inside it persist across awaits, as under asyncio.
from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Coroutine, Generator
from types import CoroutineType, GeneratorType
from typing import Any, NoReturn, ParamSpec, TypeVar, overload

from torsion.internet._deferred import Deferred, _log
from torsion.internet._deferredbase import advance
from torsion.python.failure import Failure

_T = TypeVar("_T")
_COROUTINE_TYPES = (CoroutineType, GeneratorType)
_P = ParamSpec("_P")


class NotACoroutineError(TypeError):
    """
    Something other than a coroutine was given where one was expected.
    """


class _DefGen_Return(BaseException):
    """
    Raised by L{returnValue} to end an L{inlineCallbacks} generator.
    """

    def __init__(self, value: object) -> None:
        super().__init__(value)
        self.value = value


def returnValue(val: object) -> NoReturn:
    """
    End an L{inlineCallbacks} generator, firing its Deferred with C{val}.

    A plain C{return val} does the same and is preferred in new code.
    """
    raise _DefGen_Return(val)


class _Driver:
    """
    Drives one coroutine or generator to completion.
    """

    __slots__ = ("context", "coro", "deferred", "lenient", "waitingOn")

    def __init__(self, coro: Any, lenient: bool) -> None:
        self.coro = coro
        self.lenient = lenient
        self.context = contextvars.copy_context()
        self.waitingOn: Deferred[Any] | None = None
        self.deferred: Deferred[Any] = Deferred(self.cancel)

    def cancel(self, deferred: Deferred[Any]) -> None:
        # The caller's Deferred must end with whatever the coroutine does
        # about the CancelledError thrown in at its await: fail with it, or
        # handle it and return later.  So the caller's Deferred now waits on
        # a fresh Deferred (cancellable the same way) that finish() fires.
        follow: Deferred[Any] = Deferred(self.cancel)
        self.deferred = follow
        deferred._canceller = None
        deferred.called = True
        deferred.result = deferred._waitFor(follow)
        waitingOn = self.waitingOn
        if waitingOn is not None:
            waitingOn.cancel()

    def resume(self, result: object) -> None:
        self.waitingOn = None
        if isinstance(result, Failure):
            self.step(None, result)
        else:
            self.step(result, None)

    def step(self, value: object, failure: Failure | None) -> None:
        coro = self.coro
        while True:
            try:
                if failure is None:
                    done, yielded = advance(coro, self.context, value, self.lenient)
                    if done:
                        self.finish(yielded, None)
                        return
                else:
                    yielded = self.context.run(failure.throwExceptionIntoGenerator, coro)
                    failure = None
            except StopIteration as e:
                self.finish(e.value, None)
                return
            except _DefGen_Return as e:
                self.finish(e.value, None)
                return
            except BaseException:
                self.finish(None, Failure(captureVars=Deferred.debug))
                return
            # `advance` stops for anything other than a plain fired result.
            if self.lenient and isinstance(yielded, CoroutineType):
                # inlineCallbacks may yield a coroutine: run it and wait for it.
                yielded = runCoroutine(yielded)
            if isinstance(yielded, Deferred):
                if yielded.called and not yielded.paused and not yielded._runningCallbacks:
                    # Fired already: take its result, leaving None behind.
                    value = yielded.result
                    yielded.result = None
                    info = yielded._debugInfo
                    if info is not None:
                        info.failResult = None
                    if isinstance(value, Failure):
                        failure, value = value, None
                    continue
                self.waitingOn = yielded
                yielded.addBoth(self.resume)
                return
            if self.lenient:
                value = yielded
                continue
            value = None
            failure = Failure(
                TypeError(
                    f"a coroutine run by torsion awaited {yielded!r}; only Deferreds "
                    "(and awaitables that await Deferreds) can be awaited here"
                )
            )

    def finish(self, value: object, failure: Failure | None) -> None:
        self.coro = None
        d = self.deferred
        # The Deferred's canceller is our bound method: break the cycle.
        d._canceller = None
        if d.called:
            # Cancelled while the coroutine went on; it has finished since.
            if failure is not None:
                _log.failure("Coroutine failed after it was cancelled:", failure=failure)
            return
        if failure is not None:
            d.errback(failure)
        elif not d.callbacks and not d.paused and not Deferred.debug:
            # Speed over clarity: nothing is attached yet, so firing is
            # just storing the result.
            d.called = True
            d.result = value
        else:
            d.callback(value)


def runCoroutine(
    coro: Coroutine[Any, Any, _T] | Generator[Any, Any, _T],
) -> Deferred[_T]:
    """
    Run C{coro}, returning a Deferred for its result.  See
    L{Deferred.fromCoroutine}.
    """
    if not isinstance(coro, _COROUTINE_TYPES):
        raise NotACoroutineError(
            f"expected a coroutine object, e.g. main() for 'async def main()', "
            f"not {type(coro).__name__} {coro!r}"
        )
    driver = _Driver(coro, lenient=False)
    deferred = driver.deferred
    driver.step(None, None)
    return deferred


@overload
def ensureDeferred(coro: Deferred[_T]) -> Deferred[_T]: ...


@overload
def ensureDeferred(coro: Coroutine[Any, Any, _T]) -> Deferred[_T]: ...


@overload
def ensureDeferred(coro: Generator[Any, Any, _T]) -> Deferred[_T]: ...


def ensureDeferred(coro: Any) -> Deferred[Any]:
    """
    Return C{coro} if it is a Deferred; otherwise run it as a coroutine.

    @param coro: A Deferred, or a coroutine object.
    @return: A Deferred for the result.
    @raise NotACoroutineError: If C{coro} is neither.
    """
    if isinstance(coro, Deferred):
        return coro
    return runCoroutine(coro)


def inlineCallbacks(
    f: Callable[_P, Generator[Any, Any, _T]],
) -> Callable[_P, Deferred[_T]]:
    """
    Decorate a generator function so that it can wait for Deferreds by yielding
    them, and returns a Deferred.

    Inside the generator, C{result = yield someDeferred} suspends until the
    Deferred fires and evaluates to its result (or raises its failure's
    exception).  C{return value} (or L{returnValue}) fires the returned
    Deferred.  Cancelling that Deferred cancels the one being waited on.

    @raise TypeError: At call time, if C{f} does not return a generator.
    """

    @functools.wraps(f)
    def unwindGenerator(*args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]:
        try:
            gen = f(*args, **kwargs)
        except _DefGen_Return:
            raise TypeError(
                f"inlineCallbacks needs a generator function, but {f.__qualname__} "
                "called returnValue() without yielding; add a 'yield' or drop the decorator"
            ) from None
        if not isinstance(gen, GeneratorType):
            raise TypeError(
                f"inlineCallbacks needs a generator function, but {f.__qualname__} "
                f"returned {type(gen).__name__}; it needs a 'yield' (for async def, "
                "use ensureDeferred instead)"
            )
        driver = _Driver(gen, lenient=True)
        deferred = driver.deferred
        driver.step(None, None)
        return deferred

    return unwindGenerator


__all__ = [
    "NotACoroutineError",
    "ensureDeferred",
    "inlineCallbacks",
    "returnValue",
    "runCoroutine",
]
