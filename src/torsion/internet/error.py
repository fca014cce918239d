"""
Exceptions raised by the reactor and by transports.
"""

# The public names are listed once, in torsion.internet._errors.__all__; the
# star import brings in exactly those (type checkers re-export star-imported
# names), and __all__ is copied from the same list.
from torsion.internet._errors import *  # noqa: F403
from torsion.internet._errors import __all__ as _names
from torsion.python._publish import publish as _publish

__all__ = list(_names)

_publish(globals())
