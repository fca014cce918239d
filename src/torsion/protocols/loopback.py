"""
Connect two protocols to each other, for tests: in memory with
L{loopbackAsync}, or over real sockets with L{loopbackTCP} and
L{loopbackUNIX}.

For example, to check that a client and a server agree::

    d = loopbackAsync(MyServer(), MyClient())
    d.addCallback(lambda ignored: checkBothSides())

See C{docs/policies.md} ("Loopback testing").
"""

from torsion.protocols._loopback import (
    LoopbackClientFactory,
    collapsingPumpPolicy,
    identityPumpPolicy,
    loopbackAsync,
    loopbackTCP,
    loopbackUNIX,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "LoopbackClientFactory",
    "collapsingPumpPolicy",
    "identityPumpPolicy",
    "loopbackAsync",
    "loopbackTCP",
    "loopbackUNIX",
]

_publish(globals())
