"""
Policies for connections: wrappers that see all of a protocol's traffic,
and factories built on them that limit, throttle, time out and log
connections.

Wrap any factory to apply a policy::

    from torsion.protocols.policies import TimeoutFactory
    reactor.listenTCP(8000, TimeoutFactory(EchoFactory(), timeoutPeriod=60))

or mix L{TimeoutMixin} into a protocol to close idle connections.  See
C{docs/policies.md}.
"""

from torsion.protocols._policieslimits import (
    LimitConnectionsByPeer,
    LimitTotalConnectionsFactory,
)
from torsion.protocols._policieslogging import (
    SpewingFactory,
    SpewingProtocol,
    TrafficLoggingFactory,
    TrafficLoggingProtocol,
)
from torsion.protocols._policiesthrottle import ThrottlingFactory, ThrottlingProtocol
from torsion.protocols._policiestimeout import TimeoutFactory, TimeoutMixin, TimeoutProtocol
from torsion.protocols._policieswrapper import ProtocolWrapper, WrappingFactory
from torsion.python._publish import publish as _publish

__all__ = [
    "LimitConnectionsByPeer",
    "LimitTotalConnectionsFactory",
    "ProtocolWrapper",
    "SpewingFactory",
    "SpewingProtocol",
    "ThrottlingFactory",
    "ThrottlingProtocol",
    "TimeoutFactory",
    "TimeoutMixin",
    "TimeoutProtocol",
    "TrafficLoggingFactory",
    "TrafficLoggingProtocol",
    "WrappingFactory",
]

_publish(globals())
