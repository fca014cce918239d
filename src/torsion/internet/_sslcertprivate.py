# The private side of torsion.internet.ssl's certificates: keys, and
# certificates with their keys.
#
# Twisted's KeyPair and PrivateCertificate wrap pyOpenSSL objects.  Here:
#
#   - a KeyPair holds one PEM private-key block, byte for byte as it was
#     given (KeyPair.original), after checking its structure with _der
#     (which also works out the kind, the size and, where the encoding
#     carries it, the public half for keyHash); OpenSSL itself judges the
#     key when it is loaded into an SSLContext;
#   - a PrivateCertificate is a Certificate (_sslcertpublic) with a
#     KeyPair, checked to belong together by loading both into a throwaway
#     SSLContext.
#
# SSLContext.load_cert_chain only reads files.  loadCertificateChain writes
# the PEM to an anonymous memory file (os.memfd_create, read back through
# /proc/self/fd/N) so the private key never reaches a disk; where that is
# unavailable it uses a 0600 temporary file and removes it as soon as OpenSSL
# has read it.  Every context it loads is then remembered with its
# certificate (rememberHostCertificate), for Certificate.hostFromTransport.
from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from torsion.internet import _der
from torsion.internet import _sslcertformat as _format
from torsion.internet._sslcertformat import FILETYPE_ASN1, FILETYPE_PEM
from torsion.internet._sslcertpublic import Certificate, PublicKey, rememberHostCertificate

if TYPE_CHECKING:
    from torsion.internet._ssloptions import CertificateOptions

TYPE_RSA = 6
TYPE_EC = 408


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
        data = _format._asBytes(original, "KeyPair()")
        blocks = _format._pemBlocks(data)
        keys = [(label, block) for label, block in blocks if label.endswith("PRIVATE KEY")]
        if not keys:
            raise ValueError(
                "no private key in the PEM data: expected a -----BEGIN PRIVATE KEY----- "
                f"(or RSA/EC PRIVATE KEY) block, found {_format._labels(data)}"
            )
        label, block = keys[0]
        if label == "ENCRYPTED PRIVATE KEY":
            raise ValueError(
                "the key is encrypted (ENCRYPTED PRIVATE KEY); torsion loads unencrypted "
                "keys only: decrypt it first, e.g. openssl pkey -in key.pem -out plain-key.pem"
            )
        if label not in _format._KEY_LABELS:
            raise ValueError(
                f"unsupported key type {label!r}; convert it to PKCS #8 "
                "(-----BEGIN PRIVATE KEY-----), e.g. with openssl pkey"
            )
        der = _format._pemBody(block, label)
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
        data = _format._asBytes(data, "KeyPair.load()")
        if format == FILETYPE_PEM:
            return cls.loadPEM(data)
        _format._checkFormat(format)
        return cls(_format._pemEncode(_der.guessKeyLabel(data), data))

    @classmethod
    def loadPEM(cls, data: bytes) -> KeyPair:
        """
        Read the first private-key block of PEM data (other blocks, such as
        certificates, are skipped).

        @raise ValueError: If there is none, or it is encrypted or malformed.
        """
        return cls(_format._asBytes(data, "KeyPair.loadPEM()"))

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: L{FILETYPE_ASN1} (DER) or L{FILETYPE_PEM}.
        @return: The key in that encoding; PEM is the block as it was given.
        """
        if format == FILETYPE_PEM:
            return self.original
        _format._checkFormat(format)
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
    rememberHostCertificate(context, certificate)
