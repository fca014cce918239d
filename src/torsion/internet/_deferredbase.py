# The part of Deferred that C can speed up, in pure Python.
#
# `DeferredBase` owns the four attributes that both the Deferred code and
# the coroutine driver read (called, paused, result, _runningCallbacks), and
# `advance` is the inner loop of the coroutine/inlineCallbacks driver: it
# sends values into a coroutine, and as long as the coroutine yields
# Deferreds that already hold a plain (non-Failure) result -- or, when
# lenient, plain values other than coroutines -- it feeds them straight back.  It returns
# (True, returnValue) when the coroutine returns, or (False, yielded) for
# anything the caller must handle; exceptions from the coroutine propagate.
#
# torsion._cdefer implements the same contract in C (and makes `await` on a
# fired Deferred as cheap as on a done asyncio Future).  It is used when it
# was compiled and TORSION_NO_EXTENSIONS is not set.
from __future__ import annotations

import os
from contextvars import Context
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from torsion.python.failure import Failure


class _PyDeferredBase:
    """
    Pure-Python base of Deferred: the attributes the driver reads.
    """

    __slots__ = ("_runningCallbacks", "called", "paused", "result")

    called: bool
    paused: int
    result: Any
    _runningCallbacks: bool


def advance(coro: Any, context: Context, value: object, lenient: bool) -> tuple[bool, Any]:
    """
    Run C{coro} until it returns or yields something needing attention.
    """
    return _pyAdvance(coro, context, value, lenient)


def _pyAdvance(coro: Any, context: Context, value: object, lenient: bool) -> tuple[bool, Any]:
    # Enter the coroutine's context once for the whole loop.
    return context.run(_pyAdvanceInContext, coro.send, value, lenient)


def _pyAdvanceInContext(send: Any, value: object, lenient: bool) -> tuple[bool, Any]:
    notPlain = (Failure, _PyDeferredBase)
    while True:
        try:
            yielded = send(value)
        except StopIteration as e:
            return (True, e.value)
        if isinstance(yielded, _PyDeferredBase):
            if yielded.called and not yielded.paused and not yielded._runningCallbacks:
                result = yielded.result
                if not isinstance(result, notPlain):
                    yielded.result = None
                    value = result
                    continue
        elif lenient and not isinstance(yielded, CoroutineType):
            value = yielded
            continue
        return (False, yielded)


HAVE_C = False
if TYPE_CHECKING:
    DeferredBase = _PyDeferredBase
else:
    DeferredBase = _PyDeferredBase
    advance = _pyAdvance
    if not os.environ.get("TORSION_NO_EXTENSIONS"):
        try:
            from torsion import _cdefer
        except ImportError:
            pass
        else:
            _cdefer._setFailureType(Failure)
            DeferredBase = _cdefer.DeferredBase
            advance = _cdefer.advance
            HAVE_C = True

__all__ = ["HAVE_C", "DeferredBase", "advance"]
