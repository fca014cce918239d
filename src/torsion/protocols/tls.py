"""
TLS as a protocol wrapper, on the standard library's C{ssl} module.

L{TLSMemoryBIOFactory} wraps any factory so that its protocols speak TLS
over whatever stream transport they get (TCP, UNIX sockets, pipes, an
in-memory loopback)::

    from torsion.internet.ssl import optionsForClientTLS
    from torsion.protocols.tls import TLSMemoryBIOFactory

    tlsFactory = TLSMemoryBIOFactory(optionsForClientTLS("example.com"), True, factory)

C{reactor.listenSSL}/C{connectSSL} and C{transport.startTLS} are built on
it.  See C{docs/tls.md}.
"""

from torsion.protocols._tls import (
    DEFAULT_HANDSHAKE_TIMEOUT,
    TLSMemoryBIOFactory,
    TLSMemoryBIOProtocol,
)
from torsion.python._publish import publish as _publish

__all__ = ["DEFAULT_HANDSHAKE_TIMEOUT", "TLSMemoryBIOFactory", "TLSMemoryBIOProtocol"]

_publish(globals())
