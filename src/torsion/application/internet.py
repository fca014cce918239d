"""
Services that run servers, clients and timers on the reactor.

L{StreamServerEndpointService} listens on an endpoint; L{ClientService}
keeps a connection to one, reconnecting with L{backoffPolicy}; and
L{TimerService} calls a function every few seconds.  L{TCPServer},
L{TCPClient} and the other classic services call the reactor method they
are named after (C{TCPServer(8080, factory)} calls
C{reactor.listenTCP(8080, factory)}) when started.  See C{docs/services.md}.
"""

from torsion.application._clientservice import ClientService, backoffPolicy
from torsion.application._reactorservices import (
    CooperatorService,
    MulticastServer,
    SSLClient,
    SSLServer,
    StreamServerEndpointService,
    TCPClient,
    TCPServer,
    TimerService,
    UDPServer,
    UNIXClient,
    UNIXDatagramClient,
    UNIXDatagramServer,
    UNIXServer,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "ClientService",
    "CooperatorService",
    "MulticastServer",
    "SSLClient",
    "SSLServer",
    "StreamServerEndpointService",
    "TCPClient",
    "TCPServer",
    "TimerService",
    "UDPServer",
    "UNIXClient",
    "UNIXDatagramClient",
    "UNIXDatagramServer",
    "UNIXServer",
    "backoffPolicy",
]

_publish(globals())
