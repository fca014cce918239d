"""
A pool of threads for running blocking calls away from the reactor thread.

See C{docs/threads.md}.  With a reactor, use
L{torsion.internet.threads.deferToThread} rather than the pool directly.
"""

from torsion.python._publish import publish as _publish
from torsion.python._threadpool import PoolStoppedError, ThreadPool

__all__ = ["PoolStoppedError", "ThreadPool"]

_publish(globals())
