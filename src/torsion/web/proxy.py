"""
HTTP proxies: L{ReverseProxyResource} forwards the requests under it to a
backend server; L{Proxy} is a forward proxy's connection.

    root.putChild(b"app", ReverseProxyResource("127.0.0.1", 8081, b"/app"))

See C{docs/web-proxy-vhost.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._proxy import (
    Proxy,
    ProxyClient,
    ProxyClientFactory,
    ProxyRequest,
    ReverseProxyResource,
)

__all__ = [
    "Proxy",
    "ProxyClient",
    "ProxyClientFactory",
    "ProxyRequest",
    "ReverseProxyResource",
]

_publish(globals())
