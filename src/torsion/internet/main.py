"""
Installing the global reactor.
"""

from torsion.internet._install import installReactor
from torsion.python._publish import publish as _publish

__all__ = ["installReactor"]

_publish(globals())
