# Certificates and keys for torsion.internet.ssl, without pyOpenSSL.
#
# Twisted's Certificate, KeyPair and PrivateCertificate wrap pyOpenSSL
# objects.  Here they wrap bytes:
#
#   - a Certificate holds its DER encoding (Certificate.original) and the
#     fields _der.parseCertificate read from it when it was made, so a
#     malformed certificate fails at load time with a ValueError;
#   - a KeyPair holds one PEM private-key block, byte for byte as it was
#     given (KeyPair.original), after checking its structure with _der;
#     OpenSSL itself judges the key when it is loaded into an SSLContext;
#   - a PrivateCertificate is a Certificate with a KeyPair, checked to belong
#     together by loading both into a throwaway SSLContext.
#
# SSLContext.load_cert_chain only reads files.  loadCertificateChain writes
# the PEM to an anonymous memory file (os.memfd_create, read back through
# /proc/self/fd/N) so the private key never reaches a disk; where that is
# unavailable it uses a 0600 temporary file and removes it as soon as OpenSSL
# has read it.
#
# The ssl module cannot say which certificate an SSLObject presents to its
# peer, so every context this module loads a certificate into is remembered
# (weakly) with that certificate: Certificate.hostFromTransport looks up the
# connection's context there.
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import ssl
import tempfile
import weakref
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from torsion.internet import _der

if TYPE_CHECKING:
    from torsion.internet._ssloptions import CertificateOptions

FILETYPE_PEM = 1
FILETYPE_ASN1 = 2
TYPE_RSA = 6
TYPE_EC = 408

_FILETYPES = {FILETYPE_PEM: "FILETYPE_PEM", FILETYPE_ASN1: "FILETYPE_ASN1"}


class CertificateError(Exception):
    """
    A transport has no certificate of the kind asked for.
    """


# --- PEM -------------------------------------------------------------------

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----[ \t]*(?:\r?\n)?", re.DOTALL
)
_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")


def _asBytes(data: object, what: str) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("ascii", "replace")
    raise TypeError(f"{what} takes bytes, not {type(data).__name__}")


def _pemBlocks(data: bytes) -> list[tuple[str, bytes]]:
    """The (label, whole block text) of each PEM block in C{data}."""
    return [(m.group(1).decode("ascii"), m.group(0)) for m in _PEM_BLOCK.finditer(data)]


def _pemBody(block: bytes, label: str) -> bytes:
    """Decode the base64 body of one PEM block."""
    lines = block.splitlines()[1:-1]
    if any(b":" in line for line in lines):
        if any(b"ENCRYPTED" in line for line in lines):
            raise ValueError(
                f"the {label} block is encrypted; torsion loads unencrypted keys only: "
                "decrypt it first, e.g. openssl pkey -in key.pem -out plain-key.pem"
            )
        raise ValueError(f"the {label} block has PEM headers, which torsion does not read")
    try:
        return base64.b64decode(b"".join(line.strip() for line in lines), validate=True)
    except binascii.Error as e:
        raise ValueError(f"the {label} block is not valid base64: {e}") from None


def _pemEncode(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    tag = label.encode("ascii")
    return b"\n".join([b"-----BEGIN " + tag + b"-----", *lines, b"-----END " + tag + b"-----\n"])


def _labels(data: bytes) -> str:
    found = [label for label, _ in _pemBlocks(data)]
    return ", ".join(found) if found else "no PEM blocks at all"


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
        data = _asBytes(requestData, f"{cls.__name__}.load()")
        if format == FILETYPE_PEM:
            return cls.loadPEM(data)
        _checkFormat(format)
        return cls(data)

    @classmethod
    def loadPEM(cls, data: bytes) -> Certificate:
        """
        Read the first C{CERTIFICATE} block of PEM data.

        @raise ValueError: If there is no such block, or it is malformed.
        """
        data = _asBytes(data, f"{cls.__name__}.loadPEM()")
        for label, block in _pemBlocks(data):
            if label == "CERTIFICATE":
                return cls(_pemBody(block, label))
        raise ValueError(
            f"no -----BEGIN CERTIFICATE----- block in the PEM data (found: {_labels(data)})"
        )

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: L{FILETYPE_ASN1} (DER) or L{FILETYPE_PEM}.
        @return: The certificate in that encoding.
        """
        if format == FILETYPE_PEM:
            return _pemEncode("CERTIFICATE", self.original)
        _checkFormat(format)
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


def _checkFormat(format: int) -> None:
    if format not in _FILETYPES:
        raise ValueError(f"unknown format {format!r}; use FILETYPE_ASN1 or FILETYPE_PEM")


def _tlsHandle(transport: Any) -> Any:
    handle = transport.getHandle()
    if not isinstance(handle, ssl.SSLObject):
        raise CertificateError(
            f"{transport!r} is not a TLS transport: its getHandle() is {handle!r}, "
            "not an ssl.SSLObject"
        )
    return handle


# --- private keys ----------------------------------------------------------


class KeyPair:
    """
    A private key (and so its public half), held as one unencrypted PEM
    block (L{original}).
    """

    original: bytes

    def __init__(self, original: bytes) -> None:
        """
        @param original: One PEM private-key block (C{PRIVATE KEY}, C{RSA
            PRIVATE KEY} or C{EC PRIVATE KEY}), kept byte for byte.
        @raise ValueError: If it is not one, or its contents are malformed.
        """
        data = _asBytes(original, "KeyPair()")
        blocks = _pemBlocks(data)
        keys = [(label, block) for label, block in blocks if label.endswith("PRIVATE KEY")]
        if not keys:
            raise ValueError(
                "no private key in the PEM data: expected a -----BEGIN PRIVATE KEY----- "
                f"(or RSA/EC PRIVATE KEY) block, found {_labels(data)}"
            )
        label, block = keys[0]
        if label == "ENCRYPTED PRIVATE KEY":
            raise ValueError(
                "the key is encrypted (ENCRYPTED PRIVATE KEY); torsion loads unencrypted "
                "keys only: decrypt it first, e.g. openssl pkey -in key.pem -out plain-key.pem"
            )
        if label not in _KEY_LABELS:
            raise ValueError(
                f"unsupported key type {label!r}; convert it to PKCS #8 "
                "(-----BEGIN PRIVATE KEY-----), e.g. with openssl pkey"
            )
        der = _pemBody(block, label)
        try:
            self._fields = _der.parsePrivateKey(der, label)
        except ValueError as e:
            raise ValueError(f"malformed private key: {e}") from None
        self._der = der
        self.original = block

    @classmethod
    def load(cls, data: bytes, format: int = FILETYPE_ASN1) -> KeyPair:
        """
        Read a private key.

        @param data: Its encoding.
        @param format: L{FILETYPE_ASN1} (DER: PKCS #8, PKCS #1 or SEC 1; the
            default) or L{FILETYPE_PEM}.
        @raise ValueError: If the data is not an unencrypted private key.
        """
        data = _asBytes(data, "KeyPair.load()")
        if format == FILETYPE_PEM:
            return cls.loadPEM(data)
        _checkFormat(format)
        return cls(_pemEncode(_der.guessKeyLabel(data), data))

    @classmethod
    def loadPEM(cls, data: bytes) -> KeyPair:
        """
        Read the first private-key block of PEM data (other blocks, such as
        certificates, are skipped).

        @raise ValueError: If there is none, or it is encrypted or malformed.
        """
        return cls(_asBytes(data, "KeyPair.loadPEM()"))

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: L{FILETYPE_ASN1} (DER) or L{FILETYPE_PEM}.
        @return: The key in that encoding; PEM is the block as it was given.
        """
        if format == FILETYPE_PEM:
            return self.original
        _checkFormat(format)
        return self._der

    def dumpPEM(self) -> bytes:
        """
        @return: The key's PEM block, as it was given.
        """
        return self.original

    def kind(self) -> str:
        """
        The key's algorithm (a torsion addition).

        @return: C{"RSA"}, C{"EC"}, C{"Ed25519"}, ...
        """
        return self._fields.kind

    def keyHash(self) -> str:
        """
        @return: The MD5 hex digest of the public key's SubjectPublicKeyInfo
            DER, as Twisted's C{keyHash}; it equals the C{keyHash()} of the
            public key of a certificate made for this key.
        @raise ValueError: If the key's encoding does not carry the public
            key (some PKCS #8 Ed25519 files).
        """
        if self._fields.publicKeyInfo is None:
            raise ValueError(
                f"this {self._fields.kind} key file does not include its public key, "
                "so its hash cannot be computed without a certificate"
            )
        return PublicKey(self._fields.publicKeyInfo).keyHash()

    def inspect(self) -> str:
        """
        @return: A line describing the key.
        """
        return f"Private Key: {self!r}"

    @classmethod
    def generate(
        cls, kind: int = TYPE_RSA, size: int | None = None, *, type: int | None = None
    ) -> KeyPair:
        """
        Make a new private key, with the C{cryptography} package.

        @param kind: L{TYPE_RSA} (the default) or L{TYPE_EC} (pyOpenSSL's
            C{crypto.TYPE_RSA}/C{TYPE_EC} values).
        @param size: RSA modulus bits (at least 2048; default 2048) or EC
            curve size (256, 384 or 521; default 256).
        @param type: Another name for C{kind}.
        @raise ImportError: If C{cryptography} is not installed.
        @raise ValueError: For unsupported kinds or sizes.
        """
        if type is not None:
            kind = type
        try:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ec, rsa
        except ImportError as e:
            raise ImportError(
                "KeyPair.generate() needs the 'cryptography' package to make keys: "
                "pip install cryptography (or load a key with KeyPair.loadPEM())"
            ) from e
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        if kind == TYPE_RSA:
            size = 2048 if size is None else size
            if size < 2048:
                raise ValueError(f"RSA keys of {size} bits are too weak; use 2048 or more")
            key = rsa.generate_private_key(public_exponent=65537, key_size=size)
        elif kind == TYPE_EC:
            curves: dict[int, ec.EllipticCurve] = {
                256: ec.SECP256R1(),
                384: ec.SECP384R1(),
                521: ec.SECP521R1(),
            }
            size = 256 if size is None else size
            if size not in curves:
                raise ValueError(f"no EC curve of {size} bits; use 256, 384 or 521")
            key = ec.generate_private_key(curves[size])
        else:
            raise ValueError(f"unsupported key kind {kind!r}; use TYPE_RSA or TYPE_EC")
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(pem)

    def __repr__(self) -> str:
        bits = f" {self._fields.bits}-bit" if self._fields.bits else ""
        try:
            keyHash = self.keyHash()
        except ValueError:
            keyHash = "(no public key)"
        return f"<KeyPair{bits} {self._fields.kind} {keyHash}>"


class PrivateCertificate(Certificate):
    """
    A certificate with its private key (L{privateKey}): what a server, or a
    client that authenticates itself, presents.
    """

    privateKey: KeyPair

    @classmethod
    def load(  # type: ignore[override]
        cls, data: bytes, privateKey: KeyPair, format: int = FILETYPE_ASN1
    ) -> PrivateCertificate:
        """
        Read a certificate and pair it with its key.

        @param data: The certificate's encoding.
        @param privateKey: Its key.
        @param format: L{FILETYPE_ASN1} (the default) or L{FILETYPE_PEM}.
        @raise ValueError: If the key does not belong to the certificate.
        """
        return cls.fromCertificateAndKeyPair(Certificate.load(data, format), privateKey)

    @classmethod
    def loadPEM(cls, data: bytes) -> PrivateCertificate:
        """
        Read PEM data holding a certificate and its private key, in any
        order (the first of each is used).

        @raise ValueError: If either is missing, or they do not belong
            together.
        """
        return cls.fromCertificateAndKeyPair(Certificate.loadPEM(data), KeyPair.loadPEM(data))

    @classmethod
    def fromCertificateAndKeyPair(
        cls, certificateInstance: Certificate, privateKey: KeyPair
    ) -> PrivateCertificate:
        """
        Pair a certificate with its key.

        @raise TypeError: If the arguments are not a L{Certificate} and a
            L{KeyPair}.
        @raise ValueError: If the key does not belong to the certificate.
        """
        if not isinstance(certificateInstance, Certificate):
            raise TypeError(
                f"expected a torsion Certificate, not {type(certificateInstance).__name__}"
            )
        privateCertificate = cls(certificateInstance.original)
        privateCertificate._setPrivateKey(privateKey)
        return privateCertificate

    def _setPrivateKey(self, privateKey: KeyPair) -> None:
        if not isinstance(privateKey, KeyPair):
            raise TypeError(
                f"expected a torsion KeyPair, not {type(privateKey).__name__}; "
                "read keys with KeyPair.loadPEM()"
            )
        loadCertificateChain(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), self, privateKey)
        self.privateKey = privateKey

    def dumpPEM(self) -> bytes:
        """
        @return: The certificate's PEM block followed by the key's.
        """
        return self.dump(FILETYPE_PEM) + self.privateKey.dumpPEM()

    def options(self, *authorities: Certificate) -> CertificateOptions:
        """
        Server settings that present this certificate.

        @param authorities: If any are given, clients must present a
            certificate issued by one of them (mutual TLS).
        @return: A L{CertificateOptions}.
        """
        from torsion.internet._ssloptions import CertificateOptions

        if not authorities:
            return CertificateOptions(privateKey=self.privateKey, certificate=self)
        return CertificateOptions(
            privateKey=self.privateKey,
            certificate=self,
            verify=True,
            requireCertificate=True,
            caCerts=list(authorities),
        )

    def __repr__(self) -> str:
        key = getattr(self, "privateKey", None)
        if key is None:
            return super().__repr__()
        return f"{super().__repr__()[:-1]} with {key!r}>"


# --- loading into an SSLContext --------------------------------------------

_hostCertificates: weakref.WeakKeyDictionary[ssl.SSLContext, Certificate] = (
    weakref.WeakKeyDictionary()
)


class _Loader:
    # Tests switch useMemoryFile off to exercise the temporary-file path.
    useMemoryFile: ClassVar[bool] = hasattr(os, "memfd_create")


def _loadFromMemory(context: ssl.SSLContext, pem: bytes) -> bool:
    try:
        fd = os.memfd_create("torsion-tls", os.MFD_CLOEXEC)
    except OSError:
        return False
    try:
        with open(fd, "wb", closefd=False) as memory:
            memory.write(pem)
        path = f"/proc/self/fd/{fd}"
        if not os.path.exists(path):
            return False
        context.load_cert_chain(path)
        return True
    finally:
        os.close(fd)


def _loadFromTemporaryFile(context: ssl.SSLContext, pem: bytes) -> None:
    fd, path = tempfile.mkstemp(prefix="torsion-tls-", suffix=".pem")
    try:
        with open(fd, "wb") as temporary:
            temporary.write(pem)
        context.load_cert_chain(path)
    finally:
        os.unlink(path)


def loadCertificateChain(
    context: ssl.SSLContext,
    certificate: Certificate,
    privateKey: KeyPair,
    chain: Iterable[Certificate] = (),
) -> None:
    """
    Make C{context} present C{certificate} (followed by C{chain}) and use
    C{privateKey}, without writing the key to disk where the platform
    allows.

    @raise ValueError: If OpenSSL refuses them, e.g. because the key does
        not belong to the certificate.
    """
    pem = b"".join(
        [
            certificate.dump(FILETYPE_PEM),
            *(c.dump(FILETYPE_PEM) for c in chain),
            privateKey.dumpPEM(),
        ]
    )
    try:
        if not (_Loader.useMemoryFile and _loadFromMemory(context, pem)):
            _loadFromTemporaryFile(context, pem)
    except ssl.SSLError as e:
        if e.reason == "KEY_VALUES_MISMATCH":
            raise ValueError(
                f"the private key {privateKey!r} does not belong to the certificate "
                f"{certificate!r}; pass the key the certificate was issued for"
            ) from None
        raise ValueError(
            f"OpenSSL refused the certificate {certificate!r} with the key {privateKey!r}: "
            f"{e.reason or e}"
        ) from None
    _hostCertificates[context] = certificate


def rememberHostCertificate(context: ssl.SSLContext, certificate: Certificate) -> None:
    """
    Record that C{context} presents C{certificate}, for
    L{Certificate.hostFromTransport}.
    """
    _hostCertificates[context] = certificate
