"""
A TCP port forwarder: relay every connection made to a listening port to
another host and port, with flow control both ways.

    reactor.listenTCP(8080, ProxyFactory("127.0.0.1", 80))

See C{docs/policies.md} ("Port forwarding") and
C{examples/port_forwarder.py}.
"""

from torsion.protocols._portforward import (
    Proxy,
    ProxyClient,
    ProxyClientFactory,
    ProxyFactory,
    ProxyServer,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "Proxy",
    "ProxyClient",
    "ProxyClientFactory",
    "ProxyFactory",
    "ProxyServer",
]

_publish(globals())
