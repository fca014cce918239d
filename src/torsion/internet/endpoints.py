"""
Endpoints: where a server listens and where a client connects, described
apart from the transport, and made from strings such as
C{"tcp:8080:interface=127.0.0.1"}.

A server endpoint's C{listen(factory)} and a client endpoint's
C{connect(factory)} return Deferreds.  L{HostnameEndpoint} connects to a
host name over IPv4 or IPv6, racing the addresses (Happy Eyeballs).
L{SSL4ServerEndpoint}, L{SSL4ClientEndpoint}, L{wrapClientTLS} and
L{wrapServerTLS} add TLS; the C{ssl:} and C{tls:} client descriptions
verify the server's certificate and host name.  See
C{docs/endpoints.md}.
"""

from torsion.internet._endpointsbasic import (
    AdoptedStreamServerEndpoint,
    StandardIOEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    TCP6ClientEndpoint,
    TCP6ServerEndpoint,
    UNIXClientEndpoint,
    UNIXServerEndpoint,
)
from torsion.internet._endpointsclient import connectProtocol
from torsion.internet._endpointsdescription import quoteStringArgument
from torsion.internet._endpointshostname import ConnectionAttemptsFailed, HostnameEndpoint
from torsion.internet._endpointsstrings import clientFromString, serverFromString
from torsion.internet._endpointstls import (
    SSL4ClientEndpoint,
    SSL4ServerEndpoint,
    wrapClientTLS,
    wrapServerTLS,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "AdoptedStreamServerEndpoint",
    "ConnectionAttemptsFailed",
    "HostnameEndpoint",
    "SSL4ClientEndpoint",
    "SSL4ServerEndpoint",
    "StandardIOEndpoint",
    "TCP4ClientEndpoint",
    "TCP4ServerEndpoint",
    "TCP6ClientEndpoint",
    "TCP6ServerEndpoint",
    "UNIXClientEndpoint",
    "UNIXServerEndpoint",
    "clientFromString",
    "connectProtocol",
    "quoteStringArgument",
    "serverFromString",
    "wrapClientTLS",
    "wrapServerTLS",
]

_publish(globals())
