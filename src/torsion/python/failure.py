"""
Failures: an exception and its traceback, carried along Deferred chains.
"""

from torsion.python._failure import Failure, NoCurrentExceptionError

__all__ = ["Failure", "NoCurrentExceptionError"]
