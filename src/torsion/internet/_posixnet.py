# The reactor's networking facets for POSIX sockets: the methods that make
# listening ports and connections over TCP, UDP (and multicast), UNIX stream
# and datagram sockets, and adopted sockets.  Each kind lives in its own
# module as a mixin; this class gathers them, and every descriptor-based
# reactor inherits it.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet._adopt import SocketAdoptionMixin
from torsion.internet._ireactornet import (
    IReactorMulticast,
    IReactorSocket,
    IReactorSSL,
    IReactorTCP,
    IReactorUDP,
    IReactorUNIX,
    IReactorUNIXDatagram,
)
from torsion.internet._multicast import MulticastReactorMixin
from torsion.internet._tcp import Connector, Port
from torsion.internet._tlsconnection import SSLReactorMixin
from torsion.internet._udp import UDPReactorMixin
from torsion.internet._unix import UNIXReactorMixin
from torsion.internet._unixdatagram import UNIXDatagramReactorMixin


@implementer(
    IReactorTCP,
    IReactorSSL,
    IReactorUDP,
    IReactorMulticast,
    IReactorUNIX,
    IReactorUNIXDatagram,
    IReactorSocket,
)
class PosixNetworkMixin(
    UDPReactorMixin,
    MulticastReactorMixin,
    UNIXReactorMixin,
    UNIXDatagramReactorMixin,
    SocketAdoptionMixin,
    SSLReactorMixin,
):
    """
    The reactor methods that make sockets: TCP here, the rest from the
    mixins.
    """

    def listenTCP(self, port: int, factory: Any, backlog: int = 50, interface: str = "") -> Port:
        """
        Listen for TCP connections on C{interface}:C{port} (0: any free port).

        @return: The listening port; C{getHost().port} is the real number.
        @raise torsion.internet.error.CannotListenError: If it cannot bind.
        """
        listening = Port(port, factory, backlog, interface, self)
        listening.startListening()
        return listening

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> Connector:
        """
        Connect C{factory} to C{host}:C{port} (a name is resolved first).

        @return: The connector (IConnector).
        """
        connector = Connector(host, port, factory, timeout, bindAddress, self)
        connector.connect()
        return connector


__all__ = ["PosixNetworkMixin"]
