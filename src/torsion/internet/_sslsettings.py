# TLS settings shared by CertificateOptions and the legacy context
# factories: protocol versions (TLSVersion and pyOpenSSL's method numbers,
# mapped to the standard library's), cipher and Diffie-Hellman settings,
# and trust roots (the certificate authorities a peer must chain to, added
# to an ssl.SSLContext by _addCACertsToContext).  _newContext makes the
# contexts all of them start from: one side, a range of versions, no
# compression and no renegotiation.
from __future__ import annotations

import enum
import os
import ssl
from collections.abc import Iterable, Iterator
from typing import Any

from zope.interface import implementer

from torsion.internet._itls import (
    IOpenSSLTrustRoot,
)
from torsion.internet._sslcert import (
    Certificate,
)


class TLSVersion(enum.Enum):
    """
    TLS protocol versions, for C{raiseMinimumTo}, C{insecurelyLowerMinimumTo}
    and C{lowerMaximumSecurityTo}.
    """

    SSLv3 = 0x0300
    TLSv1_0 = 0x0301
    TLSv1_1 = 0x0302
    TLSv1_2 = 0x0303
    TLSv1_3 = 0x0304

    @classmethod
    def iterconstants(cls) -> Iterator[TLSVersion]:
        """
        @return: The versions, oldest first (as Twisted's C{Names} class).
        """
        return iter(cls)

    @classmethod
    def lookupByName(cls, name: str) -> TLSVersion:
        """
        @return: The version called C{name}, e.g. C{"TLSv1_2"}.
        """
        return cls[name]


_DEFAULT_MINIMUM = TLSVersion.TLSv1_2

# pyOpenSSL's method numbers, which Twisted code passes as method=...
SSLv2_METHOD = 1
SSLv3_METHOD = 2
SSLv23_METHOD = 3
TLSv1_METHOD = 4
TLSv1_1_METHOD = 5
TLSv1_2_METHOD = 6
TLS_METHOD = 7
TLS_SERVER_METHOD = 8
TLS_CLIENT_METHOD = 9
_NEGOTIATING_METHODS = {SSLv23_METHOD, TLS_METHOD, TLS_SERVER_METHOD, TLS_CLIENT_METHOD}
_INSECURE_METHODS = {
    SSLv2_METHOD: "SSLv2_METHOD",
    SSLv3_METHOD: "SSLv3_METHOD",
    TLSv1_METHOD: "TLSv1_METHOD",
    TLSv1_1_METHOD: "TLSv1_1_METHOD",
}


def _methodVersions(method: int, what: str) -> tuple[ssl.TLSVersion, ssl.TLSVersion | None]:
    if method in _NEGOTIATING_METHODS:
        return ssl.TLSVersion(_DEFAULT_MINIMUM.value), None
    if method == TLSv1_2_METHOD:
        return ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2
    if method in _INSECURE_METHODS:
        raise ValueError(
            f"{what}: method={_INSECURE_METHODS[method]} pins an insecure protocol version; "
            "leave method out (TLS 1.2 and newer are negotiated), or, only to talk to a "
            "legacy peer, pass insecurelyLowerMinimumTo=TLSVersion.TLSv1_0 instead"
        )
    raise ValueError(
        f"{what}: unknown method {method!r}; use SSLv23_METHOD or TLS_METHOD, or leave it out"
    )


def _stdlibVersion(version: TLSVersion, what: str) -> ssl.TLSVersion:
    if not isinstance(version, TLSVersion):
        raise TypeError(f"{what} takes a TLSVersion constant, not {version!r}")
    return ssl.TLSVersion(version.value)


def _newContext(
    protocol: int, minimum: ssl.TLSVersion, maximum: ssl.TLSVersion | None
) -> ssl.SSLContext:
    context = ssl.SSLContext(protocol)
    context.minimum_version = minimum
    if maximum is not None:
        context.maximum_version = maximum
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    return context


class AcceptableCiphers:
    """
    The cipher suites allowed for TLS 1.2 and older, as an OpenSSL cipher
    string.  (TLS 1.3 suites are all strong and are not restricted.)
    """

    def __init__(self, cipherString: str) -> None:
        """
        @raise ValueError: If OpenSSL finds no usable cipher in it.
        """
        if not isinstance(cipherString, str):
            raise TypeError(f"a cipher string is text, not {type(cipherString).__name__}")
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers(cipherString)
        except ssl.SSLError:
            raise ValueError(
                f"the cipher string {cipherString!r} selects no cipher this OpenSSL "
                "supports; see `openssl ciphers -v 'STRING'`"
            ) from None
        self.cipherString = cipherString

    @classmethod
    def fromOpenSSLCipherString(cls, cipherString: str) -> AcceptableCiphers:
        """
        @return: The ciphers an OpenSSL cipher string selects.
        """
        return cls(cipherString)

    def __repr__(self) -> str:
        return f"AcceptableCiphers({self.cipherString!r})"


class DiffieHellmanParameters:
    """
    A file of Diffie-Hellman parameters for DHE cipher suites.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def fromFile(cls, filePath: Any) -> DiffieHellmanParameters:
        """
        @param filePath: The file's path: a C{str}, an C{os.PathLike}, or an
            object with a C{path} attribute (like Twisted's C{FilePath}).
        """
        path = getattr(filePath, "path", filePath)
        return cls(os.fsdecode(path))


# --- trust -----------------------------------------------------------------


@implementer(IOpenSSLTrustRoot)
class OpenSSLCertificateAuthorities:
    """
    Trust exactly the given certificate authorities.
    """

    def __init__(self, caCerts: Iterable[Certificate]) -> None:
        """
        @param caCerts: torsion L{Certificate}s.
        @raise TypeError: If one is not a L{Certificate}.
        @raise ValueError: If there are none.
        """
        self._caCerts = _certificates(caCerts, "caCerts")
        if not self._caCerts:
            raise ValueError("no certificate authorities given: nothing could be verified")

    def _addCACertsToContext(self, context: ssl.SSLContext) -> None:
        context.load_verify_locations(cadata=b"".join(c.original for c in self._caCerts))


@implementer(IOpenSSLTrustRoot)
class OpenSSLDefaultPaths:
    """
    Trust the platform's certificate authorities, where OpenSSL finds them
    (C{ssl.get_default_verify_paths()}; C{SSL_CERT_FILE} and C{SSL_CERT_DIR}
    override them).
    """

    def _addCACertsToContext(self, context: ssl.SSLContext) -> None:
        context.load_default_certs()


def platformTrust() -> OpenSSLDefaultPaths:
    """
    @return: A trust root of the platform's certificate authorities.
    """
    return OpenSSLDefaultPaths()


def trustRootFromCertificates(certificates: Iterable[Certificate]) -> OpenSSLCertificateAuthorities:
    """
    @param certificates: torsion L{Certificate}s to trust.
    @return: A trust root of exactly those authorities.
    """
    return OpenSSLCertificateAuthorities(certificates)


def _certificates(values: Iterable[Certificate], what: str) -> list[Certificate]:
    found = list(values)
    for value in found:
        if not isinstance(value, Certificate):
            raise TypeError(
                f"{what} takes torsion Certificates, not {type(value).__name__}; "
                "read certificates with Certificate.loadPEM()"
            )
    return found


def _trustRoot(value: object) -> Any:
    if isinstance(value, Certificate):
        return OpenSSLCertificateAuthorities([value])
    if IOpenSSLTrustRoot.providedBy(value):
        return value
    if isinstance(value, list | tuple):
        raise TypeError(
            "trustRoot takes one trust root; wrap a list of certificates with "
            "trustRootFromCertificates([...])"
        )
    raise TypeError(
        f"trustRoot must be a Certificate, platformTrust() or trustRootFromCertificates(...), "
        f"not {type(value).__name__}"
    )
