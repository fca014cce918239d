"""
Protocols and factories: the classes applications subclass to speak a wire
protocol over a connection, a datagram socket or a child process's pipes.
"""

from torsion.internet._datagramprotocol import (
    AbstractDatagramProtocol,
    ConnectedDatagramProtocol,
    DatagramProtocol,
)
from torsion.internet._factory import ClientFactory, Factory, ServerFactory
from torsion.internet._processprotocol import ProcessProtocol
from torsion.internet._protocol import BaseProtocol, Protocol, connectionDone
from torsion.internet._protocoladapters import (
    ConsumerToProtocolAdapter,
    ProtocolToConsumerAdapter,
)
from torsion.internet._reconnecting import ClientCreator, ReconnectingClientFactory
from torsion.python._publish import publish as _publish

__all__ = [
    "AbstractDatagramProtocol",
    "BaseProtocol",
    "ClientCreator",
    "ClientFactory",
    "ConnectedDatagramProtocol",
    "ConsumerToProtocolAdapter",
    "DatagramProtocol",
    "Factory",
    "ProcessProtocol",
    "Protocol",
    "ProtocolToConsumerAdapter",
    "ReconnectingClientFactory",
    "ServerFactory",
    "connectionDone",
]

_publish(globals())
