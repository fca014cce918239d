"""
Deferreds: results that are not available yet, and tools to combine them.
"""

from torsion.internet._coroutines import (
    NotACoroutineError,
    ensureDeferred,
    inlineCallbacks,
    returnValue,
)
from torsion.internet._deferred import (
    AlreadyCalledError,
    CancelledError,
    DebugInfo,
    Deferred,
    TimeoutError,
    execute,
    fail,
    getDebugging,
    logError,
    maybeDeferred,
    passthru,
    setDebugging,
    succeed,
    timeout,
)
from torsion.internet._deferredlist import (
    FAILURE,
    SUCCESS,
    DeferredList,
    FailureGroup,
    FirstError,
    gatherResults,
    race,
)
from torsion.internet._fslock import AlreadyTryingToLockError, DeferredFilesystemLock
from torsion.internet._locks import (
    DeferredLock,
    DeferredQueue,
    DeferredSemaphore,
    QueueOverflow,
    QueueUnderflow,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "FAILURE",
    "SUCCESS",
    "AlreadyCalledError",
    "AlreadyTryingToLockError",
    "CancelledError",
    "DebugInfo",
    "Deferred",
    "DeferredFilesystemLock",
    "DeferredList",
    "DeferredLock",
    "DeferredQueue",
    "DeferredSemaphore",
    "FailureGroup",
    "FirstError",
    "NotACoroutineError",
    "QueueOverflow",
    "QueueUnderflow",
    "TimeoutError",
    "ensureDeferred",
    "execute",
    "fail",
    "gatherResults",
    "getDebugging",
    "inlineCallbacks",
    "logError",
    "maybeDeferred",
    "passthru",
    "race",
    "returnValue",
    "setDebugging",
    "succeed",
    "timeout",
]

_publish(globals())
