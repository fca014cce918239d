# The Deferred: a result that is not there yet, and the chain of callbacks
# that will process it.
#
# Theory of operation
# -------------------
# A Deferred holds a list of callback entries.  Each entry is a 6-tuple
#     (callback, callbackArgs, callbackKeywords, errback, errbackArgs, errbackKeywords)
# where a function of None means "pass the result through unchanged" and args
# of None mean "call with the result only" (both save a call on the hot path).
#
# Firing (callback/errback) stores the result and runs entries in order: the
# callback half when the result is not a Failure, the errback half when it is.
# Whatever a function returns (or raises, as a Failure) becomes the result.
#
# When a function returns another Deferred ("inner"), the outer Deferred must
# wait for it.  If inner already has a result, the outer simply takes it (and
# inner's result becomes None, as in Twisted).  Otherwise the outer pauses and
# appends a continuation entry (_CONTINUE) to inner.  When inner later reaches
# that entry it hands its result to the outer and, instead of recursing, pushes
# the outer onto the explicit `chain` stack in _runCallbacks.  That stack is
# why chains many thousands of Deferreds deep never hit the recursion limit.
#
# A Deferred left holding a Failure when its callbacks are exhausted gets a
# _DebugInfo object; if the Deferred is garbage collected while still holding
# that Failure, _DebugInfo.__del__ logs it as an unhandled error.  Deferreds
# that succeed never pay for this.
from __future__ import annotations

import traceback
from collections.abc import Callable, Coroutine, Generator
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    TypeVar,
    cast,
    overload,
)

from torsion.internet._deferredbase import HAVE_C, DeferredBase
from torsion.logger import Logger
from torsion.python.failure import Failure

if TYPE_CHECKING:
    import asyncio

    from torsion.internet.interfaces import IDelayedCall, IReactorTime

_T = TypeVar("_T")
_U = TypeVar("_U")
_P = ParamSpec("_P")

_log = Logger(namespace="torsion.internet.defer")


class AlreadyCalledError(Exception):
    """
    C{callback} or C{errback} was called on a Deferred that already has a result.
    """


class CancelledError(Exception):
    """
    The Deferred was cancelled (see L{Deferred.cancel}).
    """


class TimeoutError(Exception):
    """
    The Deferred did not fire within the time given to L{Deferred.addTimeout}.
    """


class _Continue:
    """
    Marker entry: "give the result to the Deferred in the args slot".
    """

    def __repr__(self) -> str:
        return "<continue waiting Deferred>"


_CONTINUE: Any = _Continue()
_NO_RESULT: Any = object()

_debugging = False


def setDebugging(on: bool) -> None:
    """
    Turn Deferred debugging on or off.

    With debugging on, every new Deferred records the stack where it was
    created and the stack where it was first fired.  They are shown by
    L{AlreadyCalledError} and in the log of an unhandled error.  It is slow:
    for development only.

    @param on: Whether to record.
    """
    global _debugging
    _debugging = bool(on)
    Deferred.debug = _debugging


def getDebugging() -> bool:
    """
    @return: Whether Deferred debugging (see L{setDebugging}) is on.
    """
    return _debugging


class _DebugInfo:
    """
    Side data of a Deferred: debug stacks and an unhandled Failure to report.
    """

    __slots__ = ("creator", "failResult", "invoker")

    def __init__(self) -> None:
        self.creator: list[str] | None = None
        self.invoker: list[str] | None = None
        self.failResult: Failure | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.creator is not None:
            parts.append(" C: Deferred was created:\n C:" + "".join(self.creator).rstrip())
        if self.invoker is not None:
            parts.append(" I: First Invoker was:\n I:" + "".join(self.invoker).rstrip())
        return "\n".join(parts)

    def __del__(self) -> None:
        failure = self.failResult
        if failure is not None:
            self.failResult = None
            debugText = self.describe()
            if debugText:
                _log.failure(
                    "Unhandled error in Deferred:\n(debug: {debugInfo})",
                    failure=failure,
                    debugInfo=debugText,
                )
            else:
                _log.failure("Unhandled error in Deferred:", failure=failure)


def _stack(ours: int) -> list[str]:
    # Drop _stack's own frame and the `ours` frames of Deferred bookkeeping.
    return traceback.format_stack()[: -(1 + ours)]


class Deferred(DeferredBase, Generic[_T]):
    """
    A result that is not available yet, plus the callbacks that will process it.

    Add callbacks with L{addCallback}, L{addErrback}, L{addBoth} or
    L{addCallbacks}; fire it once with L{callback} (success) or L{errback}
    (failure).  Each callback receives the previous one's return value; an
    exception raised, or a L{Failure} returned, switches to the errback path;
    an errback that returns normally switches back.  A callback that returns a
    Deferred makes the chain wait for that Deferred's result.

    A Deferred can be awaited in C{async def} code run by L{ensureDeferred} or
    L{Deferred.fromCoroutine}, and yielded from L{inlineCallbacks} generators.

    @ivar called: Whether C{callback} or C{errback} has been called.
    @ivar paused: How many reasons there are not to run callbacks right now.
    @ivar result: The current result, once called.
    """

    __slots__ = (
        "__dict__",
        "__weakref__",
        "_canceller",
        "_chainedTo",
        "_debugInfo",
        "_suppressAlreadyCalled",
        "callbacks",
    )

    debug: bool = False

    def __init__(self, canceller: Callable[[Deferred[Any]], None] | None = None) -> None:
        """
        @param canceller: Called with this Deferred by L{cancel} to stop the
            operation it stands for.  It may fire the Deferred (usually by
            errback with a L{CancelledError}); if it does not, L{cancel} does.
        """
        self.callbacks: list[tuple[Any, Any, Any, Any, Any, Any]] = []
        if not HAVE_C:
            # The C base class starts with these values already.
            self.called = False
            self.paused = 0
            self._runningCallbacks = False
        self._canceller = canceller
        self._chainedTo: Deferred[Any] | None = None
        self._suppressAlreadyCalled = False
        self._debugInfo: _DebugInfo | None = None
        if self.debug:
            info = self._debugInfo = _DebugInfo()
            info.creator = _stack(1)

    # -- adding callbacks ------------------------------------------------

    @overload
    def addCallbacks(
        self,
        callback: Callable[..., Deferred[_U]],
        errback: Callable[..., Deferred[_U]] | None = None,
        callbackArgs: tuple[Any, ...] = (),
        callbackKeywords: dict[str, Any] | None = None,
        errbackArgs: tuple[Any, ...] = (),
        errbackKeywords: dict[str, Any] | None = None,
    ) -> Deferred[_U]: ...

    @overload
    def addCallbacks(
        self,
        callback: Callable[..., Failure | _U],
        errback: Callable[..., Failure | _U] | None = None,
        callbackArgs: tuple[Any, ...] = (),
        callbackKeywords: dict[str, Any] | None = None,
        errbackArgs: tuple[Any, ...] = (),
        errbackKeywords: dict[str, Any] | None = None,
    ) -> Deferred[_U]: ...

    def addCallbacks(
        self,
        callback: Callable[..., Any],
        errback: Callable[..., Any] | None = None,
        callbackArgs: tuple[Any, ...] = (),
        callbackKeywords: dict[str, Any] | None = None,
        errbackArgs: tuple[Any, ...] = (),
        errbackKeywords: dict[str, Any] | None = None,
    ) -> Deferred[Any]:
        """
        Add a callback and an errback at the same point of the chain.

        Exactly one of them runs: C{callback} if the result at this point is a
        success, C{errback} if it is a L{Failure}.  An exception raised by
        C{callback} is therefore I{not} seen by C{errback}.

        @param callback: Called as C{callback(result, *callbackArgs,
            **callbackKeywords)}.
        @param errback: Called as C{errback(failure, *errbackArgs,
            **errbackKeywords)}; L{None} passes failures through.
        @return: This Deferred.
        """
        if not callable(callback):
            raise TypeError(f"addCallbacks() needs a callable callback, not {callback!r}")
        if errback is not None and not callable(errback):
            raise TypeError(f"addCallbacks() needs a callable errback, not {errback!r}")
        self.callbacks.append(
            (
                callback,
                callbackArgs if (callbackArgs or callbackKeywords) else None,
                callbackKeywords or {},
                errback,
                errbackArgs if (errbackArgs or errbackKeywords) else None,
                errbackKeywords or {},
            )
        )
        if self.called:
            self._runCallbacks()
        return self

    @overload
    def addCallback(self, callback: Callable[[_T], Deferred[_U]], /) -> Deferred[_U]: ...

    @overload
    def addCallback(self, callback: Callable[[_T], Failure | _U], /) -> Deferred[_U]: ...

    @overload
    def addCallback(
        self,
        callback: Callable[Concatenate[_T, _P], Deferred[_U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    @overload
    def addCallback(
        self,
        callback: Callable[Concatenate[_T, _P], Failure | _U],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    def addCallback(self, callback: Any, *args: Any, **kwargs: Any) -> Deferred[Any]:
        """
        Add a callback, run with the result when it is a success.

        @param callback: Called as C{callback(result, *args, **kwargs)}; its
            return value (or a Deferred's eventual result) is the new result.
        @return: This Deferred.
        """
        if not callable(callback):
            raise TypeError(
                f"addCallback() needs a callable, not {type(callback).__name__} {callback!r}"
            )
        # Inlined addCallbacks: this is the hottest way to add a callback.
        self.callbacks.append(
            (callback, args if (args or kwargs) else None, kwargs, None, None, None)
        )
        if self.called:
            self._runCallbacks()
        return self

    @overload
    def addErrback(self, errback: Callable[[Failure], Deferred[_U]], /) -> Deferred[_T | _U]: ...

    @overload
    def addErrback(self, errback: Callable[[Failure], Failure | _U], /) -> Deferred[_T | _U]: ...

    @overload
    def addErrback(
        self,
        errback: Callable[Concatenate[Failure, _P], Deferred[_U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_T | _U]: ...

    @overload
    def addErrback(
        self,
        errback: Callable[Concatenate[Failure, _P], Failure | _U],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_T | _U]: ...

    def addErrback(self, errback: Any, *args: Any, **kwargs: Any) -> Deferred[Any]:
        """
        Add an errback, run with the L{Failure} when the result is a failure.

        Returning normally from the errback recovers: the chain continues on
        the callback path with the returned value.

        @param errback: Called as C{errback(failure, *args, **kwargs)}.
        @return: This Deferred.
        """
        if not callable(errback):
            raise TypeError(
                f"addErrback() needs a callable, not {type(errback).__name__} {errback!r}"
            )
        self.callbacks.append(
            (None, None, None, errback, args if (args or kwargs) else None, kwargs)
        )
        if self.called:
            self._runCallbacks()
        return self

    @overload
    def addBoth(self, callback: Callable[[_T | Failure], Deferred[_U]], /) -> Deferred[_U]: ...

    @overload
    def addBoth(self, callback: Callable[[_T | Failure], Failure | _U], /) -> Deferred[_U]: ...

    @overload
    def addBoth(
        self,
        callback: Callable[Concatenate[_T | Failure, _P], Deferred[_U]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    @overload
    def addBoth(
        self,
        callback: Callable[Concatenate[_T | Failure, _P], Failure | _U],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> Deferred[_U]: ...

    def addBoth(self, callback: Any, *args: Any, **kwargs: Any) -> Deferred[Any]:
        """
        Add a function run with the result whether it is a success or a failure.

        @param callback: Called as C{callback(resultOrFailure, *args, **kwargs)}.
        @return: This Deferred.
        """
        if not callable(callback):
            raise TypeError(
                f"addBoth() needs a callable, not {type(callback).__name__} {callback!r}"
            )
        extra = args if (args or kwargs) else None
        self.callbacks.append((callback, extra, kwargs, callback, extra, kwargs))
        if self.called:
            self._runCallbacks()
        return self

    def addTimeout(
        self,
        timeout: float,
        clock: IReactorTime,
        onTimeoutCancel: Callable[[Any, float], Any] | None = None,
    ) -> Deferred[_T]:
        """
        Cancel this Deferred if it has not fired within C{timeout} seconds.

        If the time runs out, the Deferred is cancelled and the resulting
        L{CancelledError} failure becomes a L{TimeoutError} failure (or
        whatever C{onTimeoutCancel(result, timeout)} returns).  If it fires in
        time, the scheduled timeout is cancelled.

        @param timeout: Seconds to wait.
        @param clock: Where to schedule the timeout (a reactor or a
            L{torsion.internet.task.Clock}).
        @param onTimeoutCancel: Replaces the default conversion to
            L{TimeoutError}; called only when the timeout is what cancelled it.
        @return: This Deferred.
        """
        timedOut = False

        def timeItOut() -> None:
            nonlocal timedOut
            timedOut = True
            self.cancel()

        delayedCall: IDelayedCall = clock.callLater(timeout, timeItOut)

        def afterTimeout(result: Any) -> Any:
            if delayedCall.active():
                delayedCall.cancel()
            if timedOut:
                convert = onTimeoutCancel or _cancelledToTimedOutError
                return convert(result, timeout)
            return result

        self.addBoth(afterTimeout)
        return self

    def chainDeferred(self, d: Deferred[_T]) -> Deferred[None]:
        """
        Fire C{d} with this Deferred's result, at this point of the chain.

        The result here becomes L{None} afterwards (C{d} has taken it).

        @param d: The Deferred to fire.
        @return: This Deferred.
        """
        d._chainedTo = self

        def passOn(result: Any) -> None:
            if isinstance(result, Failure):
                d.errback(result)
            else:
                d.callback(result)

        self.addBoth(passOn)
        return cast("Deferred[None]", self)

    # -- firing ----------------------------------------------------------

    def callback(self, result: _T | Failure) -> None:
        """
        Fire this Deferred with a success (or, given a L{Failure}, a failure).

        @param result: The result passed to the first callback.
        @raise AlreadyCalledError: If this Deferred has already been fired.
        """
        if isinstance(result, Deferred):
            raise TypeError(
                "Deferred.callback() was given a Deferred; to wait for another "
                "Deferred, return it from a callback or use "
                "other.chainDeferred(this)"
            )
        self._startRunCallbacks(result)

    def errback(self, fail: Failure | BaseException | None = None) -> None:
        """
        Fire this Deferred with a failure.

        @param fail: A L{Failure}, an exception (wrapped in a Failure), or
            L{None} for the exception currently being handled.
        @raise AlreadyCalledError: If this Deferred has already been fired.
        @raise torsion.python.failure.NoCurrentExceptionError: If C{fail} is
            L{None} outside an C{except} block.
        """
        if not isinstance(fail, Failure):
            fail = Failure(fail)
        self._startRunCallbacks(fail)

    def _startRunCallbacks(self, result: Any) -> None:
        if self.called:
            if self._suppressAlreadyCalled:
                # cancel() already fired us; the operation's late result is
                # dropped, once.
                self._suppressAlreadyCalled = False
                return
            raise self._alreadyCalled()
        info = self._debugInfo
        if info is not None and self.debug:
            info.invoker = _stack(2)
        self.called = True
        self.result = result
        self._runCallbacks()

    def _alreadyCalled(self) -> AlreadyCalledError:
        message = f"{self!r} was already fired; a Deferred can be fired only once"
        info = self._debugInfo
        if info is not None and (info.creator or info.invoker):
            message += "\n" + info.describe()
        elif not self.debug:
            message += " (torsion.internet.defer.setDebugging(True) shows where)"
        return AlreadyCalledError(message)

    def pause(self) -> None:
        """
        Stop running callbacks until L{unpause} is called as often as this.
        """
        self.paused += 1

    def unpause(self) -> None:
        """
        Undo one L{pause}; if none remain and there is a result, run callbacks.
        """
        self.paused -= 1
        if not self.paused and self.called:
            self._runCallbacks()

    def cancel(self) -> None:
        """
        Stop waiting for the result.

        If not yet fired, the canceller (if any) runs; if the Deferred is still
        unfired after that, it fails with L{CancelledError}.  If it is waiting
        for another Deferred returned by a callback, that one is cancelled.
        A fired Deferred is left alone.
        """
        if not self.called:
            canceller = self._canceller
            if canceller is not None:
                canceller(self)
            else:
                # No way to stop the operation: ignore its eventual result.
                self._suppressAlreadyCalled = True
            if not self.called:
                self.errback(Failure(CancelledError()))
        else:
            waitingOn = self._chainedTo
            if waitingOn is not None and self.paused and isinstance(self.result, Deferred):
                waitingOn.cancel()

    # -- running the chain -------------------------------------------------

    def _runCallbacks(self) -> None:
        if self._runningCallbacks:
            # A callback of ours added another callback or re-fired us; the
            # loop below picks the new entries up when that callback returns.
            return
        chain: list[Deferred[Any]] = [self]
        while chain:
            current = chain[-1]
            if current.paused:
                chain.pop()
                continue
            if current._chainedTo is not None:
                current._chainedTo = None
            result = current.result
            stopped = False
            handedOver = False
            current._runningCallbacks = True
            try:
                # Speed over clarity: take the whole list and iterate it with
                # a for loop; entries added meanwhile land in a fresh list,
                # picked up by the next round; on an early stop the rest of
                # the batch goes back in front.
                while current.callbacks:
                    batch = current.callbacks
                    current.callbacks = []
                    done = 0
                    for entry in batch:
                        done += 1
                        if isinstance(result, Failure):
                            _, _, _, fn, args, kwargs = entry
                        else:
                            fn, args, kwargs, _, _, _ = entry
                        if fn is None:
                            continue
                        if fn is _CONTINUE:
                            # We are the inner Deferred of `args`: it waited for us.
                            waiting: Deferred[Any] = args
                            waiting.result = result
                            current.result = result = None
                            waiting.paused -= 1
                            chain.append(waiting)
                            handedOver = stopped = True
                            break
                        try:
                            result = fn(result) if args is None else fn(result, *args, **kwargs)
                        except BaseException:
                            result = Failure(captureVars=self.debug)
                        else:
                            if isinstance(result, Deferred):
                                inner = result
                                if (
                                    inner.called
                                    and not inner.paused
                                    and not inner._runningCallbacks
                                    and inner._debugInfo is None
                                    and inner is not current
                                ):
                                    # Inlined fast path of _waitFor: take
                                    # the fired inner Deferred's result.
                                    result = inner.result
                                    inner.result = None
                                else:
                                    result = current._waitFor(inner)
                        current.result = result
                        if current.paused:
                            # Waiting on the Deferred a callback returned, or
                            # a callback paused us.
                            stopped = True
                            break
                    if stopped:
                        if done < len(batch):
                            current.callbacks[:0] = batch[done:]
                        break
            finally:
                current._runningCallbacks = False
            if handedOver:
                continue
            # As far as it can go for now: record an unhandled failure.
            info = current._debugInfo
            if info is None:
                if isinstance(result, Failure) and not current.paused:
                    result.cleanFailure()
                    info = current._debugInfo = _DebugInfo()
                    info.failResult = result
            elif isinstance(result, Failure) and not current.paused:
                result.cleanFailure()
                info.failResult = result
            else:
                info.failResult = None
            chain.pop()

    def _waitFor(self, inner: Deferred[Any]) -> Any:
        """
        A callback of ours returned C{inner}: take its result now, or wait.

        @return: inner's result if it has one; otherwise inner itself, and we
            are paused with a continuation appended to inner.
        """
        if inner is self:
            return Failure(
                TypeError(
                    f"a callback of {self!r} returned that same Deferred, which "
                    "would wait for itself forever; return a value or another Deferred"
                )
            )
        if inner.called and not inner.paused and not inner._runningCallbacks:
            stolen = inner.result
            inner.result = None
            innerInfo = inner._debugInfo
            if innerInfo is not None:
                innerInfo.failResult = None
            return stolen
        self.paused += 1
        self._chainedTo = inner
        inner.callbacks.append((_CONTINUE, self, None, _CONTINUE, self, None))
        return inner

    # -- coroutine interoperability -------------------------------------

    def _awaitSlow(self) -> Generator[Any, Any, _T]:
        # `await d`: hand over a plain result at once; raise a failure; or
        # yield ourselves to the coroutine's driver, which sends the result
        # back when we fire.  torsion._cdefer does the first case in C and
        # calls this method for the others.
        if self.called and not self.paused and not self._runningCallbacks:
            result: _T = self.result
            if isinstance(result, Failure):
                info = self._debugInfo
                if info is not None:
                    info.failResult = None
                result.raiseException()
            return result
        sent: _T = yield self
        return sent

    if TYPE_CHECKING or not HAVE_C:
        __await__ = _awaitSlow
        __iter__ = _awaitSlow

    @classmethod
    def fromCoroutine(
        cls, coro: Coroutine[Deferred[Any], Any, _U] | Generator[Deferred[Any], Any, _U]
    ) -> Deferred[_U]:
        """
        Run a coroutine, returning a Deferred for its result.

        The coroutine may C{await} Deferreds (and anything that awaits
        Deferreds).  Cancelling the returned Deferred cancels the Deferred
        the coroutine is waiting on.

        @param coro: A coroutine object, e.g. C{main()} for C{async def main()}.
        @raise TypeError: If C{coro} is not a coroutine.
        """
        return _coroutineRunner()(coro)

    @classmethod
    def fromFuture(cls, future: asyncio.Future[_U]) -> Deferred[_U]:
        """
        Return a Deferred that fires when the asyncio C{future} completes.

        Cancelling the Deferred cancels the future.

        @param future: An asyncio Future or Task.
        """

        def cancelFuture(d: Deferred[_U]) -> None:
            future.cancel()

        d: Deferred[_U] = Deferred(cancelFuture)

        def done(f: asyncio.Future[_U]) -> None:
            if d.called:
                return
            if f.cancelled():
                d.errback(Failure(CancelledError()))
                return
            exc = f.exception()
            if exc is not None:
                d.errback(Failure(exc))
            else:
                d.callback(f.result())

        future.add_done_callback(done)
        return d

    def asFuture(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[_T]:
        """
        Return an asyncio Future that completes with this Deferred's result.

        Cancelling the future cancels this Deferred.  This Deferred's result
        becomes L{None} once passed on.

        @param loop: The asyncio loop the future belongs to.
        """
        future: asyncio.Future[_T] = loop.create_future()

        def passOn(result: Any) -> None:
            if future.cancelled():
                return
            if isinstance(result, Failure):
                future.set_exception(result.value.with_traceback(result.tb))
            else:
                future.set_result(result)

        def checkCancel(f: asyncio.Future[_T]) -> None:
            if f.cancelled():
                self.cancel()

        future.add_done_callback(checkCancel)
        self.addBoth(passOn)
        return future

    # -- display ---------------------------------------------------------

    def __repr__(self) -> str:
        name = type(self).__name__
        where = f"{name} at 0x{id(self):x}"
        waitingOn = self._chainedTo
        if waitingOn is not None:
            return f"<{where} waiting on {type(waitingOn).__name__} at 0x{id(waitingOn):x}>"
        if self.called:
            return f"<{where} current result: {self.result!r}>"
        return f"<{where}>"

    __str__ = __repr__


def _coroutineRunner() -> Callable[[Any], Deferred[Any]]:
    # _coroutines imports this module, so it is imported on first use.
    global _runCoroutine
    if _runCoroutine is None:
        from torsion.internet._coroutines import runCoroutine

        _runCoroutine = runCoroutine
    return _runCoroutine


_runCoroutine: Callable[[Any], Deferred[Any]] | None = None


def _cancelledToTimedOutError(value: Any, timeout: float) -> Any:
    if isinstance(value, Failure):
        value.trap(CancelledError)
        raise TimeoutError(timeout, "Deferred")
    return value


def succeed(result: _T) -> Deferred[_T]:
    """
    @return: A Deferred that has already succeeded with C{result}.
    """
    d: Deferred[_T] = Deferred()
    # Speed over clarity: skip callback()'s checks; nothing can be attached yet.
    d.called = True
    d.result = result
    return d


def fail(result: Failure | BaseException | None = None) -> Deferred[Any]:
    """
    @param result: A L{Failure} or exception; L{None} for the one being handled.
    @return: A Deferred that has already failed with C{result}.
    """
    d: Deferred[Any] = Deferred()
    d.errback(result)
    return d


@overload
def maybeDeferred(
    f: Callable[_P, Deferred[_T]], *args: _P.args, **kwargs: _P.kwargs
) -> Deferred[_T]: ...


@overload
def maybeDeferred(
    f: Callable[_P, Coroutine[Deferred[Any], Any, _T]], *args: _P.args, **kwargs: _P.kwargs
) -> Deferred[_T]: ...


@overload
def maybeDeferred(f: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]: ...


def maybeDeferred(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred[Any]:
    """
    Call C{f} and always get a Deferred back.

    A returned Deferred is passed through, a coroutine is run with
    L{Deferred.fromCoroutine}, a raised exception becomes a failed Deferred, a
    returned L{Failure} a failed one, and any other value a fired one.

    @return: A Deferred for C{f}'s result.
    """
    try:
        result = f(*args, **kwargs)
    except BaseException:
        return fail(Failure(captureVars=Deferred.debug))
    if isinstance(result, Deferred):
        return result
    if isinstance(result, Failure):
        return fail(result)
    if isinstance(result, Coroutine):
        return Deferred.fromCoroutine(result)
    return succeed(result)


def execute(callable: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Deferred[_T]:
    """
    Call C{callable} and return a fired Deferred with its result or exception.

    Unlike L{maybeDeferred}, a returned Deferred is not waited on.
    """
    try:
        result = callable(*args, **kwargs)
    except BaseException:
        return fail()
    return succeed(result)


def logError(err: Failure) -> None:
    """
    Log C{err} as an unhandled error: an errback for the end of a chain.

    @param err: The failure to log.
    """
    _log.failure("Unhandled error in Deferred:", failure=err)


def timeout(deferred: Deferred[Any]) -> None:
    """
    Fail C{deferred} with L{TimeoutError}.  Older API: prefer
    L{Deferred.addTimeout}.
    """
    deferred.errback(Failure(TimeoutError("Callback timed out")))


DebugInfo = _DebugInfo


def passthru(arg: _T) -> _T:
    """
    Return C{arg}: the do-nothing callback.
    """
    return arg


__all__ = [
    "AlreadyCalledError",
    "CancelledError",
    "DebugInfo",
    "Deferred",
    "TimeoutError",
    "execute",
    "fail",
    "getDebugging",
    "logError",
    "maybeDeferred",
    "passthru",
    "setDebugging",
    "succeed",
    "timeout",
]
