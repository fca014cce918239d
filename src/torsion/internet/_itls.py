# The TLS side of the contract: how TLS settings (torsion.internet.ssl) meet
# the TLS protocol (torsion.protocols.tls).
#
# Twisted builds TLS on pyOpenSSL, so its interfaces hand pyOpenSSL objects
# around.  torsion builds TLS on the standard library's ssl module with memory
# BIOs; the same interface names carry the standard library's objects:
#
#   - a connection creator is asked, once per connection, for an
#     ssl.SSLObject bound to the TLS protocol's two memory BIOs
#     (tlsProtocol.incomingBIO: bytes from the peer; tlsProtocol.outgoingBIO:
#     bytes for the peer).  optionsForClientTLS and CertificateOptions provide
#     these;
#   - an old-style context factory (getContext) returns an ssl.SSLContext,
#     and the TLS protocol wraps the BIOs itself;
#   - a trust root adds its certificate authorities to an ssl.SSLContext.
from __future__ import annotations

from typing import Any

from zope.interface import Attribute, Interface


class IOpenSSLClientConnectionCreator(Interface):
    """
    Makes the client end of a TLS connection.
    """

    def clientConnectionForTLS(tlsProtocol: Any) -> Any:
        """
        Make the TLS state for one client connection.

        @param tlsProtocol: The TLS protocol; the result must read from its
            C{incomingBIO} and write to its C{outgoingBIO} (both
            C{ssl.MemoryBIO}), as C{context.wrap_bio(tlsProtocol.incomingBIO,
            tlsProtocol.outgoingBIO, server_side=False, server_hostname=...)}
            makes.
        @return: An C{ssl.SSLObject}, not yet handshaken.
        """


class IOpenSSLServerConnectionCreator(Interface):
    """
    Makes the server end of a TLS connection.
    """

    def serverConnectionForTLS(tlsProtocol: Any) -> Any:
        """
        Make the TLS state for one server connection.

        @param tlsProtocol: The TLS protocol, as for
            L{IOpenSSLClientConnectionCreator.clientConnectionForTLS}.
        @return: An C{ssl.SSLObject} made with C{server_side=True}.
        """


class IOpenSSLContextFactory(Interface):
    """
    An old-style source of TLS settings: one C{ssl.SSLContext} for every
    connection.
    """

    def getContext() -> Any:
        """
        @return: The C{ssl.SSLContext} (where Twisted returns a pyOpenSSL
            C{Context}).
        """


class IOpenSSLTrustRoot(Interface):
    """
    The certificate authorities a TLS peer's certificate must chain to.
    """

    def _addCACertsToContext(context: Any) -> None:
        """
        Make C{context} trust these authorities.

        @param context: An C{ssl.SSLContext}.
        """


class ITLSProtocolState(Interface):
    """
    What a connection creator may read from the TLS protocol it serves.
    """

    incomingBIO = Attribute("The ssl.MemoryBIO holding bytes received from the peer.")
    outgoingBIO = Attribute("The ssl.MemoryBIO holding bytes to send to the peer.")
    serverHostname = Attribute(
        "For clients, the name the caller connected to (str), if known, else None."
    )


__all__ = [
    "IOpenSSLClientConnectionCreator",
    "IOpenSSLContextFactory",
    "IOpenSSLServerConnectionCreator",
    "IOpenSSLTrustRoot",
    "ITLSProtocolState",
]
