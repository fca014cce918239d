"""
Failures: an exception and its traceback, carried along Deferred chains.
"""

from torsion.python._failure import Failure, NoCurrentExceptionError
from torsion.python._publish import publish as _publish

__all__ = ["Failure", "NoCurrentExceptionError"]

_publish(globals())
