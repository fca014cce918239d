"""
The reactor core and the objects it hands out, for code that subclasses or
inspects them (as Twisted's C{twisted.internet.base}).
"""

from torsion.internet._delayedcall import DelayedCall
from torsion.internet._reactorbase import ReactorBase
from torsion.python._publish import publish as _publish

__all__ = ["DelayedCall", "ReactorBase"]

_publish(globals())
