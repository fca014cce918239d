"""
UNIX sockets: the transports, ports and connectors made by
C{reactor.listenUNIX}, C{reactor.connectUNIX},
C{reactor.listenUNIXDatagram} and C{reactor.connectUNIXDatagram}.

Stream connections can pass file descriptors to the peer
(C{transport.sendFileDescriptor(fd)}, received by protocols that provide
L{torsion.internet.interfaces.IFileDescriptorReceiver}).  See C{docs/unix.md}.
"""

from torsion.internet._unix import Client, Connection, Connector, Port, Server
from torsion.internet._unixdatagram import ConnectedDatagramPort, DatagramPort
from torsion.python._publish import publish as _publish

__all__ = [
    "Client",
    "ConnectedDatagramPort",
    "Connection",
    "Connector",
    "DatagramPort",
    "Port",
    "Server",
]

_publish(globals())
