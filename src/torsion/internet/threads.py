"""
Running blocking calls in threads, and reactor calls from threads.

L{deferToThread} runs a function in the reactor's thread pool and gives a
Deferred for its result; L{blockingCallFromThread} does the opposite, from
a thread.  See C{docs/threads.md}.
"""

from torsion.internet._threads import (
    BlockingCallInReactorThreadError,
    ReactorStoppingError,
    blockingCallFromThread,
    callMultipleInThread,
    deferToThread,
    deferToThreadPool,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "BlockingCallInReactorThreadError",
    "ReactorStoppingError",
    "blockingCallFromThread",
    "callMultipleInThread",
    "deferToThread",
    "deferToThreadPool",
]

_publish(globals())
