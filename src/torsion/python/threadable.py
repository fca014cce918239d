"""
Which thread is the reactor's thread.
"""

from torsion.python._publish import publish as _publish
from torsion.python._threadable import getThreadID, isInIOThread, registerAsIOThread

__all__ = ["getThreadID", "isInIOThread", "registerAsIOThread"]

_publish(globals())
