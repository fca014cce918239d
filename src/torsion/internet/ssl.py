"""
TLS settings: certificates, keys, trust roots and the options that turn
them into the standard library's C{ssl.SSLContext} and C{ssl.SSLObject}.

Twisted's C{twisted.internet.ssl} names, built on the C{ssl} module instead
of pyOpenSSL.  Clients should use L{optionsForClientTLS}, which verifies
the server's certificate and host name; servers L{CertificateOptions} or
L{PrivateCertificate.options}.  See C{docs/tls.md}.
"""

from ssl import SSLCertVerificationError as VerificationError

from torsion.internet._sslcert import (
    DN,
    FILETYPE_ASN1,
    FILETYPE_PEM,
    TYPE_EC,
    TYPE_RSA,
    Certificate,
    CertificateError,
    DistinguishedName,
    KeyPair,
    PrivateCertificate,
    PublicKey,
)
from torsion.internet._sslcontextfactory import (
    ClientContextFactory,
    ContextFactory,
    DefaultOpenSSLContextFactory,
)
from torsion.internet._ssloptions import (
    CertificateOptions,
    ClientTLSOptions,
    optionsForClientTLS,
)
from torsion.internet._sslsettings import (
    TLS_CLIENT_METHOD,
    TLS_METHOD,
    TLS_SERVER_METHOD,
    AcceptableCiphers,
    DiffieHellmanParameters,
    OpenSSLCertificateAuthorities,
    OpenSSLDefaultPaths,
    SSLv23_METHOD,
    TLSv1_2_METHOD,
    TLSVersion,
    platformTrust,
    trustRootFromCertificates,
)
from torsion.python._publish import publish as _publish

supported = True

__all__ = [
    "DN",
    "FILETYPE_ASN1",
    "FILETYPE_PEM",
    "TLS_CLIENT_METHOD",
    "TLS_METHOD",
    "TLS_SERVER_METHOD",
    "TYPE_EC",
    "TYPE_RSA",
    "AcceptableCiphers",
    "Certificate",
    "CertificateError",
    "CertificateOptions",
    "ClientContextFactory",
    "ClientTLSOptions",
    "ContextFactory",
    "DefaultOpenSSLContextFactory",
    "DiffieHellmanParameters",
    "DistinguishedName",
    "KeyPair",
    "OpenSSLCertificateAuthorities",
    "OpenSSLDefaultPaths",
    "PrivateCertificate",
    "PublicKey",
    "SSLv23_METHOD",
    "TLSVersion",
    "TLSv1_2_METHOD",
    "VerificationError",
    "optionsForClientTLS",
    "platformTrust",
    "supported",
    "trustRootFromCertificates",
]

_publish(globals())
