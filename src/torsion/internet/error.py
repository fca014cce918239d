"""
Exceptions raised by the reactor and by transports.
"""

from torsion.internet._errors import AlreadyCalled, AlreadyCancelled, TimeoutError
from torsion.python._publish import publish as _publish

__all__ = ["AlreadyCalled", "AlreadyCancelled", "TimeoutError"]

_publish(globals())
