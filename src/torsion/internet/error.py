"""
Exceptions raised by the reactor and by transports.
"""

from torsion.internet._errors import AlreadyCalled, AlreadyCancelled, TimeoutError

__all__ = ["AlreadyCalled", "AlreadyCancelled", "TimeoutError"]
