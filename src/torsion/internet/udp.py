"""
UDP ports: the transports of L{DatagramProtocol}s, as made by
C{reactor.listenUDP}, C{reactor.listenMulticast} and
C{reactor.adoptDatagramPort}.
"""

from torsion.internet._multicast import MulticastMixin, MulticastPort
from torsion.internet._udp import Port
from torsion.python._publish import publish as _publish

__all__ = ["MulticastMixin", "MulticastPort", "Port"]

_publish(globals())
