"""
The reactor, Deferreds, transports and everything internet.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torsion.internet._pollingreactor import PollingReactor

    # `from torsion.internet import reactor` gives the installed reactor
    # object (see torsion.internet.reactor); tell type checkers so, rather
    # than letting them see a module.
    reactor: PollingReactor
