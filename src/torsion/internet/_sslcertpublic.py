# The public side of torsion.internet.ssl's certificates: what anyone can
# read in a certificate, without its private key.
#
# Twisted's Certificate and PublicKey wrap pyOpenSSL objects.  Here they
# wrap bytes:
#
#   - a Certificate holds its DER encoding (Certificate.original) and the
#     fields _der.parseCertificate read from it when it was made, so a
#     malformed certificate fails at load time with a ValueError; the
#     getters turn those fields into DistinguishedNames, PublicKeys,
#     datetimes and lists;
#   - a PublicKey holds the DER of a SubjectPublicKeyInfo; its keyHash
#     (MD5 of that DER) is what ties a certificate to a KeyPair;
#   - a DistinguishedName is a dict from attribute names (commonName, ...)
#     to UTF-8 bytes, built from the (OID, text) pairs _der read, keeping
#     the first value of each attribute it knows and ignoring the others.
#
# PEM reading and writing is _sslcertformat's; keys, PrivateCertificate
# and loading certificates into an SSLContext are _sslcertprivate's.
#
# The ssl module cannot say which certificate an SSLObject presents to its
# peer, so every context torsion loads a certificate into is remembered
# (weakly) with that certificate, by rememberHostCertificate:
# Certificate.hostFromTransport looks up the connection's context there.
from __future__ import annotations

import hashlib
import ssl
import weakref
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from torsion.internet import _der
from torsion.internet import _sslcertformat as _format
from torsion.internet._sslcertformat import FILETYPE_ASN1, FILETYPE_PEM

if TYPE_CHECKING:
    from torsion.internet._sslcertprivate import KeyPair


class CertificateError(Exception):
    """
    A transport has no certificate of the kind asked for.
    """


# --- distinguished names ---------------------------------------------------

_NAME_OIDS = {
    "2.5.4.3": "commonName",
    "2.5.4.10": "organizationName",
    "2.5.4.11": "organizationalUnitName",
    "2.5.4.7": "localityName",
    "2.5.4.8": "stateOrProvinceName",
    "2.5.4.6": "countryName",
    "1.2.840.113549.1.9.1": "emailAddress",
}
_SHORT_NAMES = {
    "CN": "commonName",
    "O": "organizationName",
    "OU": "organizationalUnitName",
    "L": "localityName",
    "ST": "stateOrProvinceName",
    "C": "countryName",
}
_TITLES = {
    "commonName": "Common Name",
    "organizationName": "Organization Name",
    "organizationalUnitName": "Organizational Unit Name",
    "localityName": "Locality Name",
    "stateOrProvinceName": "State Or Province Name",
    "countryName": "Country Name",
    "emailAddress": "Email Address",
}


def _attributeName(name: str) -> str:
    full = _SHORT_NAMES.get(name, name)
    if full not in _TITLES:
        raise AttributeError(
            f"{name!r} is not a distinguished name attribute; use one of "
            f"{', '.join(_TITLES)} (or {', '.join(_SHORT_NAMES)})"
        )
    return full


class DistinguishedName(dict[str, bytes]):
    """
    The subject or issuer of a certificate: a dict from attribute names
    (C{commonName}, C{organizationName}, ...) to UTF-8 bytes, also readable
    as attributes, with Twisted's short aliases (C{CN}, C{O}, C{OU}, C{L},
    C{ST}, C{C}).

    Reading an attribute the name does not have raises L{AttributeError}, as
    in Twisted; use C{getattr(dn, "commonName", None)} for optional ones.
    """

    def __init__(self, **kw: str | bytes) -> None:
        super().__init__()
        for name, value in kw.items():
            setattr(self, name, value)

    def __getattr__(self, name: str) -> bytes:
        if name.startswith("__"):
            raise AttributeError(name)
        full = _attributeName(name)
        try:
            return self[full]
        except KeyError:
            raise AttributeError(f"this distinguished name has no {full}") from None

    def __setattr__(self, name: str, value: str | bytes) -> None:
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif not isinstance(value, bytes):
            raise TypeError(f"{name} must be bytes or str, not {type(value).__name__}")
        self[_attributeName(name)] = value

    def inspect(self) -> str:
        """
        @return: One line per attribute, for people to read.
        """
        width = max((len(_TITLES[name]) for name in self), default=0)
        return "\n".join(
            f"{_TITLES[name]:>{width}}: {value.decode('utf-8', 'replace')}"
            for name, value in self.items()
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self.items())
        return f"<DN {inner}>"


DN = DistinguishedName


def _distinguishedName(attributes: Iterable[tuple[str, str]]) -> DistinguishedName:
    dn = DistinguishedName()
    for attributeOID, value in attributes:
        name = _NAME_OIDS.get(attributeOID)
        if name is not None and name not in dn:
            dn[name] = value.encode("utf-8")
    return dn


def _shortName(attributes: Iterable[tuple[str, str]]) -> str:
    pairs = list(attributes)
    for attributeOID, value in pairs:
        if attributeOID == "2.5.4.3":
            return value
    return ", ".join(value for _, value in pairs) or "(empty)"


# --- public keys and certificates ------------------------------------------


class PublicKey:
    """
    A public key, as the DER of its X.509 SubjectPublicKeyInfo.
    """

    def __init__(self, original: bytes) -> None:
        """
        @param original: SubjectPublicKeyInfo DER.
        """
        self.original = original

    def keyHash(self) -> str:
        """
        @return: The MD5 hex digest of the SubjectPublicKeyInfo DER, the same
            identifier Twisted's C{keyHash} gives a key.
        """
        return hashlib.md5(self.original, usedforsecurity=False).hexdigest()

    def matches(self, otherKey: PublicKey | KeyPair) -> bool:
        """
        @return: Whether C{otherKey} has the same public key.
        """
        return self.keyHash() == otherKey.keyHash()

    def inspect(self) -> str:
        """
        @return: A line describing the key.
        """
        return f"Public Key with Hash: {self.keyHash()}"

    def __repr__(self) -> str:
        return f"<PublicKey {self.keyHash()}>"


class Certificate:
    """
    An X.509 certificate, held as DER (L{original}) and parsed on creation.
    """

    original: bytes

    def __init__(self, original: bytes) -> None:
        """
        @param original: The certificate's DER encoding.  (Twisted takes a
            pyOpenSSL C{X509}; use L{Certificate.load} or L{loadPEM} to read
            other encodings.)
        @raise TypeError: If C{original} is not bytes.
        @raise ValueError: If it is not a well-formed certificate.
        """
        if not isinstance(original, bytes):
            raise TypeError(
                f"Certificate() takes the DER bytes of a certificate, not "
                f"{type(original).__name__}; use Certificate.loadPEM(pem) for PEM"
            )
        try:
            self._fields = _der.parseCertificate(original)
        except ValueError as e:
            raise ValueError(f"not a DER X.509 certificate: {e}") from None
        self.original = original

    @classmethod
    def load(cls, requestData: bytes, format: int = FILETYPE_ASN1) -> Certificate:
        """
        Read a certificate.

        @param requestData: Its encoding.
        @param format: L{FILETYPE_ASN1} (DER, the default) or L{FILETYPE_PEM}.
        @return: The certificate.
        @raise ValueError: If the data is not a certificate in that format.
        """
        data = _format._asBytes(requestData, f"{cls.__name__}.load()")
        if format == FILETYPE_PEM:
            return cls.loadPEM(data)
        _format._checkFormat(format)
        return cls(data)

    @classmethod
    def loadPEM(cls, data: bytes) -> Certificate:
        """
        Read the first C{CERTIFICATE} block of PEM data.

        @raise ValueError: If there is no such block, or it is malformed.
        """
        data = _format._asBytes(data, f"{cls.__name__}.loadPEM()")
        for label, block in _format._pemBlocks(data):
            if label == "CERTIFICATE":
                return cls(_format._pemBody(block, label))
        raise ValueError(
            f"no -----BEGIN CERTIFICATE----- block in the PEM data (found: {_format._labels(data)})"
        )

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: L{FILETYPE_ASN1} (DER) or L{FILETYPE_PEM}.
        @return: The certificate in that encoding.
        """
        if format == FILETYPE_PEM:
            return _format._pemEncode("CERTIFICATE", self.original)
        _format._checkFormat(format)
        return self.original

    def dumpPEM(self) -> bytes:
        """
        @return: The certificate as one PEM block.
        """
        return self.dump(FILETYPE_PEM)

    def getSubject(self) -> DistinguishedName:
        """
        @return: Who the certificate is for.
        """
        return _distinguishedName(self._fields.subject)

    def getIssuer(self) -> DistinguishedName:
        """
        @return: Who signed the certificate.
        """
        return _distinguishedName(self._fields.issuer)

    def serialNumber(self) -> int:
        """
        @return: The serial number its issuer gave it.
        """
        return self._fields.serialNumber

    def digest(self, method: str = "sha256") -> bytes:
        """
        The fingerprint of the certificate's DER.

        @param method: A C{hashlib} algorithm name.  (Twisted's default is
            C{"md5"}; torsion's is C{"sha256"}.)
        @return: The digest as colon-separated upper-case hex, e.g.
            C{b"AB:01:..."}, as pyOpenSSL formats it.
        @raise ValueError: If C{method} is not a hash hashlib knows.
        """
        try:
            digest = hashlib.new(method, self.original).hexdigest()
        except (ValueError, TypeError):
            raise ValueError(
                f"unknown digest {method!r}; use a hashlib name such as 'sha256'"
            ) from None
        pairs = [digest[i : i + 2] for i in range(0, len(digest), 2)]
        return ":".join(pairs).upper().encode("ascii")

    def notBefore(self) -> datetime:
        """
        The start of the certificate's validity (a torsion addition).

        @return: An aware datetime in UTC.
        """
        return self._fields.notBefore

    def notAfter(self) -> datetime:
        """
        The end of the certificate's validity (a torsion addition).

        @return: An aware datetime in UTC.
        """
        return self._fields.notAfter

    def subjectAltNames(self) -> list[tuple[str, str]]:
        """
        The names in the subjectAltName extension (a torsion addition).

        @return: (kind, value) pairs, with the kinds C{ssl.getpeercert()}
            uses: C{"DNS"}, C{"IP Address"}, C{"email"}, C{"URI"}.
        """
        return list(self._fields.subjectAltNames)

    def dnsNames(self) -> list[str]:
        """
        The DNS names the certificate is valid for (a torsion addition).

        @return: The subjectAltName DNS entries, wildcards included.
        """
        return [value for kind, value in self._fields.subjectAltNames if kind == "DNS"]

    def getPublicKey(self) -> PublicKey:
        """
        @return: The certificate's public key.
        """
        return PublicKey(self._fields.publicKeyInfo)

    def inspect(self) -> str:
        """
        @return: A description of the certificate for people to read.
        """
        return "\n".join(
            [
                "Certificate For Subject:",
                self.getSubject().inspect(),
                "",
                "Issuer:",
                self.getIssuer().inspect(),
                "",
                f"Serial Number: {self.serialNumber()}",
                f"Not Before: {self.notBefore().isoformat()}",
                f"Not After: {self.notAfter().isoformat()}",
                f"Digest: {self.digest().decode('ascii')}",
                self.getPublicKey().inspect(),
            ]
        )

    @classmethod
    def peerFromTransport(cls, transport: Any) -> Certificate:
        """
        The certificate the other end of a TLS connection presented.

        @param transport: A TLS transport; its C{getHandle()} is the
            connection's C{ssl.SSLObject}.
        @raise CertificateError: If the peer sent no certificate, or the
            handshake has not finished.
        """
        handle = _tlsHandle(transport)
        try:
            der = handle.getpeercert(binary_form=True)
        except ValueError:
            raise CertificateError(
                f"{transport!r} has not finished its TLS handshake; ask for the "
                "peer's certificate once the connection is made"
            ) from None
        if der is None:
            raise CertificateError(f"the peer of {transport!r} sent no certificate")
        return Certificate(der)

    @classmethod
    def hostFromTransport(cls, transport: Any) -> Certificate:
        """
        The certificate this end of a TLS connection presented.

        @param transport: A TLS transport whose settings came from
            L{torsion.internet.ssl}.
        @raise CertificateError: If this end presented no certificate that
            torsion loaded.
        """
        certificate = _hostCertificates.get(_tlsHandle(transport).context)
        if certificate is None:
            raise CertificateError(
                f"{transport!r} presents no certificate that torsion.internet.ssl loaded"
            )
        return Certificate(certificate.original)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Certificate):
            return NotImplemented
        return self.original == other.original

    def __hash__(self) -> int:
        return hash(self.original)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} Subject={_shortName(self._fields.subject)} "
            f"Issuer={_shortName(self._fields.issuer)} "
            f"sha256={self.digest().decode('ascii')[:23]}...>"
        )


def _tlsHandle(transport: Any) -> Any:
    handle = transport.getHandle()
    if not isinstance(handle, ssl.SSLObject):
        raise CertificateError(
            f"{transport!r} is not a TLS transport: its getHandle() is {handle!r}, "
            "not an ssl.SSLObject"
        )
    return handle


# --- which certificate a context presents -----------------------------------

_hostCertificates: weakref.WeakKeyDictionary[ssl.SSLContext, Certificate] = (
    weakref.WeakKeyDictionary()
)


def rememberHostCertificate(context: ssl.SSLContext, certificate: Certificate) -> None:
    """
    Record that C{context} presents C{certificate}, for
    L{Certificate.hostFromTransport}.
    """
    _hostCertificates[context] = certificate
