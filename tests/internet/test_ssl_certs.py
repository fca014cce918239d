"""
Tests for the certificates and keys of L{torsion.internet.ssl}: parsing,
round trips, errors on garbage, and loading into an C{ssl.SSLContext}.

Certificates are made here with trustme and, for unusual ones, with
cryptography; L{makeCertificate} and L{Authority} are shared with
C{test_ssl_options.py}.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import ipaddress
import os
import ssl
import stat
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given
from hypothesis import strategies as st

from torsion.internet import _sslcert
from torsion.internet.ssl import (
    DN,
    FILETYPE_ASN1,
    FILETYPE_PEM,
    TYPE_EC,
    TYPE_RSA,
    Certificate,
    CertificateOptions,
    DistinguishedName,
    KeyPair,
    PrivateCertificate,
    PublicKey,
)

_PEM = serialization.Encoding.PEM
_DER = serialization.Encoding.DER


# --- certificate factory shared with test_ssl_options ----------------------


@dataclass
class Authority:
    """
    A certificate (a CA when made with C{isCA=True}) and its cryptography key.
    """

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    def torsionCertificate(self) -> Certificate:
        """The certificate as a torsion L{Certificate}."""
        return Certificate(self.certificate.public_bytes(_DER))

    def privateCertificate(self) -> PrivateCertificate:
        """The certificate and key as a torsion L{PrivateCertificate}."""
        keyPEM = self.key.private_bytes(
            _PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return PrivateCertificate.loadPEM(self.certificate.public_bytes(_PEM) + keyPEM)


def makeCertificate(
    commonName: str = "example.com",
    issuer: Authority | None = None,
    dnsNames: Sequence[str] = ("example.com",),
    ipAddresses: Sequence[str] = (),
    notBefore: datetime | None = None,
    notAfter: datetime | None = None,
    isCA: bool = False,
    extendedKeyUsage: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.SERVER_AUTH,),
    serial: int | None = None,
    extraSubject: Sequence[x509.NameAttribute[Any]] = (),
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
) -> Authority:
    """
    Make a certificate with cryptography: self-signed unless C{issuer} is
    given, valid from an hour ago for a day unless told otherwise.
    """
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, commonName), *extraSubject])
    sans: list[x509.GeneralName] = [x509.DNSName(name) for name in dnsNames]
    sans += [x509.IPAddress(ipaddress.ip_address(address)) for address in ipAddresses]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(notBefore or now - timedelta(hours=1))
        .not_valid_after(notAfter or now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=isCA, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if extendedKeyUsage is not None and not isCA:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extendedKeyUsage), critical=False)
    if isCA:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    signer = issuer.key if issuer else key
    return Authority(builder.sign(signer, hashes.SHA256()), key)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A trustme certificate authority."""
    return trustme.CA()


@pytest.fixture(scope="module")
def leaf(ca: trustme.CA) -> trustme.LeafCert:
    """A trustme leaf certificate for example.com and 127.0.0.1."""
    return ca.issue_cert("example.com", "127.0.0.1", common_name="example.com")


def leafDER(leaf: trustme.LeafCert) -> bytes:
    """The DER of C{leaf}'s certificate."""
    return ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode("ascii"))


def spki(certificate: x509.Certificate) -> bytes:
    """The SubjectPublicKeyInfo DER of C{certificate}, according to cryptography."""
    return certificate.public_key().public_bytes(
        _DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# --- Certificate -----------------------------------------------------------


class CertificateTests:
    def test_loadPEMRoundTrip(self, leaf: trustme.LeafCert) -> None:
        """
        loadPEM reads a PEM certificate; dump() gives its DER and dumpPEM()
        PEM that reads back to an equal certificate.
        """
        pem = leaf.cert_chain_pems[0].bytes()
        certificate = Certificate.loadPEM(pem)
        assert certificate.dump() == leafDER(leaf)
        assert certificate.original == leafDER(leaf)
        assert certificate.dump(FILETYPE_ASN1) == leafDER(leaf)
        assert Certificate.loadPEM(certificate.dumpPEM()) == certificate
        assert certificate.dump(FILETYPE_PEM) == certificate.dumpPEM()
        assert ssl.PEM_cert_to_DER_cert(certificate.dumpPEM().decode("ascii")) == leafDER(leaf)

    def test_loadDefaultsToDER(self, leaf: trustme.LeafCert) -> None:
        """
        Certificate.load reads DER unless told FILETYPE_PEM, like Twisted.
        """
        assert Certificate.load(leafDER(leaf)).original == leafDER(leaf)
        pem = leaf.cert_chain_pems[0].bytes()
        assert Certificate.load(pem, FILETYPE_PEM).original == leafDER(leaf)
        with pytest.raises(ValueError, match=r"^not a DER X.509 certificate: "):
            Certificate.load(pem)

    def test_unknownFormat(self, leaf: trustme.LeafCert) -> None:
        """
        A format other than FILETYPE_PEM/FILETYPE_ASN1 is refused, naming them.
        """
        with pytest.raises(ValueError, match=r"^unknown format 7; use FILETYPE_ASN1 or"):
            Certificate.load(leafDER(leaf), 7)
        with pytest.raises(ValueError, match=r"unknown format 7"):
            Certificate.loadPEM(leaf.cert_chain_pems[0].bytes()).dump(7)

    def test_fieldsMatchCryptography(self) -> None:
        """
        Subject, issuer, serial number and validity dates are what
        cryptography put in, with Twisted's attribute names and aliases.
        """
        issuer = makeCertificate("Test CA", isCA=True, dnsNames=())
        notBefore = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
        notAfter = datetime(2061, 2, 3, 4, 5, 6, tzinfo=UTC)
        made = makeCertificate(
            "server.example",
            issuer=issuer,
            serial=0x1234_5678_9ABC,
            notBefore=notBefore,
            notAfter=notAfter,
            extraSubject=[
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Törsion Ltd"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Networking"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "Springfield"),
                x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Oregon"),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ops@example.com"),
            ],
        )
        certificate = made.torsionCertificate()
        subject = certificate.getSubject()
        assert subject.commonName == subject.CN == b"server.example"
        assert subject.organizationName == subject.O == "Törsion Ltd".encode()
        assert subject.organizationalUnitName == subject.OU == b"Networking"
        assert subject.localityName == subject.L == b"Springfield"
        assert subject.stateOrProvinceName == subject.ST == b"Oregon"
        assert subject.countryName == subject.C == b"US"
        assert subject.emailAddress == b"ops@example.com"
        assert certificate.getIssuer() == {"commonName": b"Test CA"}
        assert certificate.serialNumber() == made.certificate.serial_number == 0x1234_5678_9ABC
        assert certificate.notBefore() == notBefore == made.certificate.not_valid_before_utc
        assert certificate.notAfter() == notAfter == made.certificate.not_valid_after_utc
        assert certificate.notAfter().tzinfo is not None

    def test_trustmeFields(self, ca: trustme.CA, leaf: trustme.LeafCert) -> None:
        """
        A trustme certificate's organisation names, serial number and dates
        (UTCTime before 2050, GeneralizedTime after) match cryptography's view.
        """
        made = x509.load_der_x509_certificate(leafDER(leaf))
        certificate = Certificate(leafDER(leaf))
        assert (
            b"trustme v" + importlib.metadata.version("trustme").encode()
            == certificate.getSubject().O
        )
        caSubject = x509.load_pem_x509_certificate(ca.cert_pem.bytes()).subject
        (caUnit,) = caSubject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        assert str(caUnit.value).encode() == certificate.getIssuer().OU
        assert certificate.serialNumber() == made.serial_number
        assert certificate.notBefore() == made.not_valid_before_utc
        assert certificate.notAfter() == made.not_valid_after_utc

    def test_twentiethCenturyUTCTime(self) -> None:
        """
        A UTCTime year of 50 to 99 is in the 1900s.
        """
        made = makeCertificate(notBefore=datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC))
        assert made.torsionCertificate().notBefore() == datetime(
            1999, 12, 31, 23, 59, 59, tzinfo=UTC
        )

    def test_subjectAltNames(self) -> None:
        """
        subjectAltNames lists DNS names and IP addresses in certificate order,
        with the ssl module's kinds; dnsNames only the DNS names.
        """
        made = makeCertificate(
            dnsNames=["example.com", "*.example.org"], ipAddresses=["127.0.0.1", "::1"]
        )
        certificate = made.torsionCertificate()
        assert certificate.subjectAltNames() == [
            ("DNS", "example.com"),
            ("DNS", "*.example.org"),
            ("IP Address", "127.0.0.1"),
            ("IP Address", "::1"),
        ]
        assert certificate.dnsNames() == ["example.com", "*.example.org"]

    def test_noSubjectAltNames(self) -> None:
        """
        A certificate without the extension has no alternative names.
        """
        certificate = makeCertificate(dnsNames=()).torsionCertificate()
        assert certificate.subjectAltNames() == []
        assert certificate.dnsNames() == []

    def test_digest(self, leaf: trustme.LeafCert) -> None:
        """
        digest() is the SHA-256 of the DER as colon-separated upper-case hex
        bytes; other hashlib names work too; unknown ones are refused.
        """
        certificate = Certificate(leafDER(leaf))
        expected = hashlib.sha256(leafDER(leaf)).hexdigest().upper()
        assert certificate.digest() == ":".join(
            expected[i : i + 2] for i in range(0, 64, 2)
        ).encode("ascii")
        assert certificate.digest("md5").replace(b":", b"").lower() == (
            hashlib.md5(leafDER(leaf)).hexdigest().encode("ascii")
        )
        with pytest.raises(ValueError, match=r"^unknown digest 'nope'; use a hashlib name"):
            certificate.digest("nope")

    def test_equalityAndHash(self, leaf: trustme.LeafCert) -> None:
        """
        Certificates are equal, and hash equally, when their DER is equal.
        """
        one = Certificate(leafDER(leaf))
        two = Certificate.loadPEM(leaf.cert_chain_pems[0].bytes())
        other = makeCertificate().torsionCertificate()
        assert one == two
        assert hash(one) == hash(two)
        assert one != other
        assert len({one, two, other}) == 2
        assert one != leafDER(leaf)

    def test_repr(self) -> None:
        """
        The repr names the subject and issuer common names and the start of
        the SHA-256 fingerprint.
        """
        issuer = makeCertificate("Test CA", isCA=True, dnsNames=())
        certificate = makeCertificate("server.example", issuer=issuer).torsionCertificate()
        text = repr(certificate)
        assert text.startswith("<Certificate Subject=server.example Issuer=Test CA sha256=")
        assert certificate.digest().decode("ascii")[:23] in text

    def test_publicKey(self, leaf: trustme.LeafCert) -> None:
        """
        getPublicKey() is the SubjectPublicKeyInfo, and its keyHash() the MD5
        of it, as Twisted computes it; matches() compares keys.
        """
        made = x509.load_der_x509_certificate(leafDER(leaf))
        key = Certificate(leafDER(leaf)).getPublicKey()
        assert isinstance(key, PublicKey)
        assert key.original == spki(made)
        assert key.keyHash() == hashlib.md5(spki(made)).hexdigest()
        assert key.matches(KeyPair.loadPEM(leaf.private_key_pem.bytes()))
        assert not key.matches(makeCertificate().torsionCertificate().getPublicKey())
        assert repr(key) == f"<PublicKey {key.keyHash()}>"

    def test_inspect(self) -> None:
        """
        inspect() describes subject, issuer, serial, dates and digest.
        """
        text = makeCertificate("server.example", serial=77).torsionCertificate().inspect()
        assert "Common Name: server.example" in text
        assert "Serial Number: 77" in text
        assert "Not After: " in text
        assert "Digest: " in text

    def test_notBytes(self) -> None:
        """
        The constructor takes DER bytes; anything else is a TypeError that
        points at loadPEM.
        """
        with pytest.raises(TypeError, match=r"Certificate\(\) takes the DER bytes .* not str"):
            Certificate("-----BEGIN CERTIFICATE-----")  # type: ignore[arg-type]

    def test_noCertificateInPEM(self, leaf: trustme.LeafCert) -> None:
        """
        PEM without a CERTIFICATE block is refused, listing what it holds.
        """
        with pytest.raises(ValueError, match=r"no -----BEGIN CERTIFICATE----- block .*EC PRIVATE"):
            Certificate.loadPEM(leaf.private_key_pem.bytes())
        with pytest.raises(ValueError, match=r"found: no PEM blocks at all"):
            Certificate.loadPEM(b"hello")

    def test_badBase64(self, leaf: trustme.LeafCert) -> None:
        """
        A CERTIFICATE block whose body is not base64 is refused, saying so.
        """
        pem = b"-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n"
        with pytest.raises(ValueError, match=r"the CERTIFICATE block is not valid base64"):
            Certificate.loadPEM(pem)

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            (b"", "truncated at offset 0"),
            (b"\x30", "truncated at offset 0"),
            (b"\x30\x80\x00\x00", "indefinite length"),
            (b"\x30\x05\x02\x01", "claims 5 bytes but only 2 remain"),
            (b"\x02\x01\x01", "expected SEQUENCE, found INTEGER"),
            (b"\x30\x00", "expected 3 parts, found 0"),
            (b"\x1f\x01\x00", "multi-octet tag"),
            (b"\x30\x85\x01\x02\x03\x04\x05", "length of 5 octets"),
        ],
    )
    def test_garbage(self, data: bytes, problem: str) -> None:
        """
        Malformed DER gives a ValueError that says what was wrong.
        """
        with pytest.raises(ValueError, match=r"^not a DER X\.509 certificate: ") as caught:
            Certificate(data)
        assert problem in str(caught.value)

    def test_trailingBytes(self, leaf: trustme.LeafCert) -> None:
        """
        Bytes after the certificate are an error, not silently dropped.
        """
        with pytest.raises(ValueError, match=r"1 unexpected bytes after the end"):
            Certificate(leafDER(leaf) + b"\x00")

    def test_truncations(self, leaf: trustme.LeafCert) -> None:
        """
        Every proper prefix of a certificate is refused with a ValueError.
        """
        der = leafDER(leaf)
        for length in range(len(der)):
            with pytest.raises(ValueError, match=r"^not a DER X.509 certificate"):
                Certificate(der[:length])

    def test_privateKeyIsNotACertificate(self, leaf: trustme.LeafCert) -> None:
        """
        A DER private key is not mistaken for a certificate.
        """
        keyDER = KeyPair.loadPEM(leaf.private_key_pem.bytes()).dump()
        with pytest.raises(ValueError, match=r"^not a DER X.509 certificate"):
            Certificate(keyDER)

    @given(st.binary(max_size=300))
    def test_arbitraryBytes(self, data: bytes) -> None:
        """
        Arbitrary bytes give a Certificate or a ValueError, never another
        exception.
        """
        try:
            Certificate(data)
        except ValueError as e:
            assert str(e).startswith("not a DER X.509 certificate")

    @given(st.data())
    def test_corruptedCertificate(self, data: st.DataObject) -> None:
        """
        A real certificate with bytes overwritten parses or gives a
        ValueError, never another exception.
        """
        der = bytearray(_SAMPLE_DER)
        for _ in range(data.draw(st.integers(1, 4))):
            der[data.draw(st.integers(0, len(der) - 1))] = data.draw(st.integers(0, 255))
        try:
            Certificate(bytes(der))
        except ValueError as e:
            assert str(e).startswith("not a DER X.509 certificate")


_SAMPLE_DER = makeCertificate(
    dnsNames=["a.example", "b.example"], ipAddresses=["10.0.0.1"]
).certificate.public_bytes(_DER)


# --- DistinguishedName -----------------------------------------------------


class DistinguishedNameTests:
    def test_attributesAndAliases(self) -> None:
        """
        DN keeps values as bytes (encoding text as UTF-8) under the long
        names, readable by long name, short alias or key.
        """
        dn = DN(commonName="zoë.example", O=b"Org")
        assert DN is DistinguishedName
        assert dn.commonName == dn.CN == "zoë.example".encode()
        assert dn["organizationName"] == dn.organizationName == b"Org"
        dn.OU = "Unit"
        assert dict(dn) == {
            "commonName": "zoë.example".encode(),
            "organizationName": b"Org",
            "organizationalUnitName": b"Unit",
        }

    def test_missingAttribute(self) -> None:
        """
        An attribute the name lacks raises AttributeError, as in Twisted, so
        getattr with a default works.
        """
        dn = DN(commonName=b"x")
        with pytest.raises(AttributeError, match=r"has no organizationName"):
            dn.organizationName  # noqa: B018
        assert getattr(dn, "O", None) is None

    def test_unknownAttribute(self) -> None:
        """
        Names that are not DN attributes are refused, listing the valid ones.
        """
        with pytest.raises(AttributeError, match=r"'nickname' is not .* commonName, "):
            DN(nickname=b"x")
        with pytest.raises(AttributeError, match=r"'colour' is not"):
            DN().colour  # noqa: B018

    def test_badValueType(self) -> None:
        """
        Values must be bytes or text.
        """
        with pytest.raises(TypeError, match=r"commonName must be bytes or str, not int"):
            DN(commonName=3)  # type: ignore[arg-type]

    def test_reprAndInspect(self) -> None:
        """
        repr shows the pairs; inspect() one titled line each.
        """
        dn = DN(commonName=b"x", countryName=b"NZ")
        assert repr(dn) == "<DN commonName=b'x', countryName=b'NZ'>"
        assert dn.inspect() == " Common Name: x\nCountry Name: NZ"


# --- KeyPair ---------------------------------------------------------------


def _keyPEM(key: Any, form: serialization.PrivateFormat) -> bytes:
    pem: bytes = key.private_bytes(_PEM, form, serialization.NoEncryption())
    return pem


def _keyDER(key: Any, form: serialization.PrivateFormat) -> bytes:
    der: bytes = key.private_bytes(_DER, form, serialization.NoEncryption())
    return der


_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_EC_KEY = ec.generate_private_key(ec.SECP384R1())
_PKCS8 = serialization.PrivateFormat.PKCS8
_TRADITIONAL = serialization.PrivateFormat.TraditionalOpenSSL


class KeyPairTests:
    @pytest.mark.parametrize(
        ("key", "form", "label", "kind", "bits"),
        [
            (_RSA_KEY, _PKCS8, b"PRIVATE KEY", "RSA", 2048),
            (_RSA_KEY, _TRADITIONAL, b"RSA PRIVATE KEY", "RSA", 2048),
            (_EC_KEY, _PKCS8, b"PRIVATE KEY", "EC", 384),
            (_EC_KEY, _TRADITIONAL, b"EC PRIVATE KEY", "EC", 384),
        ],
    )
    def test_formats(
        self, key: Any, form: serialization.PrivateFormat, label: bytes, kind: str, bits: int
    ) -> None:
        """
        PKCS #8, PKCS #1 and SEC 1 keys load from PEM and DER; PEM is kept
        as given, DER matches, and keyHash() is the MD5 of the public key's
        SubjectPublicKeyInfo.
        """
        pem = _keyPEM(key, form)
        der = _keyDER(key, form)
        keyPair = KeyPair.loadPEM(b"junk before\n" + pem + b"junk after\n")
        assert keyPair.dumpPEM() == pem == keyPair.dump(FILETYPE_PEM) == keyPair.original
        assert keyPair.dump() == der == keyPair.dump(FILETYPE_ASN1)
        assert keyPair.kind() == kind
        publicInfo = key.public_key().public_bytes(
            _DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        assert keyPair.keyHash() == hashlib.md5(publicInfo).hexdigest()
        fromDER = KeyPair.load(der)
        assert fromDER.dump() == der
        assert fromDER.dumpPEM().startswith(b"-----BEGIN " + label + b"-----\n")
        assert KeyPair.load(pem, FILETYPE_PEM).dumpPEM() == pem
        assert repr(keyPair) == f"<KeyPair {bits}-bit {kind} {keyPair.keyHash()}>"

    def test_ed25519(self) -> None:
        """
        An Ed25519 PKCS #8 key loads; cryptography's encoding leaves out the
        public key, so keyHash() explains it cannot be computed.
        """
        key = ed25519.Ed25519PrivateKey.generate()
        keyPair = KeyPair.loadPEM(_keyPEM(key, _PKCS8))
        assert keyPair.kind() == "Ed25519"
        with pytest.raises(ValueError, match=r"does not include its public key"):
            keyPair.keyHash()
        assert "(no public key)" in repr(keyPair)

    def test_encrypted(self) -> None:
        """
        Encrypted keys are refused with advice on decrypting them.
        """
        for form in (_PKCS8, _TRADITIONAL):
            pem = _RSA_KEY.private_bytes(
                _PEM, form, serialization.BestAvailableEncryption(b"secret")
            )
            with pytest.raises(ValueError, match=r"encrypted.*openssl pkey"):
                KeyPair.loadPEM(pem)

    def test_noKey(self, leaf: trustme.LeafCert) -> None:
        """
        PEM without a private key block is refused, listing what it holds.
        """
        with pytest.raises(ValueError, match=r"no private key .* found CERTIFICATE$"):
            KeyPair.loadPEM(leaf.cert_chain_pems[0].bytes())

    def test_unsupportedKeyLabel(self) -> None:
        """
        Key formats other than PKCS #8, PKCS #1 and SEC 1 are refused with
        advice to convert them.
        """
        pem = b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
        with pytest.raises(ValueError, match=r"unsupported key type 'OPENSSH PRIVATE KEY'"):
            KeyPair.loadPEM(pem)

    def test_malformedKey(self) -> None:
        """
        A key block whose DER is not a key is refused.
        """
        pem = _sslcert._pemEncode("RSA PRIVATE KEY", b"\x30\x03\x02\x01\x00")
        with pytest.raises(ValueError, match=r"^malformed private key: .*at least 9 integers"):
            KeyPair.loadPEM(pem)

    @given(st.binary(max_size=200))
    def test_arbitraryDER(self, data: bytes) -> None:
        """
        Arbitrary bytes loaded as a DER key give a KeyPair or a ValueError.
        """
        try:
            KeyPair.load(data)
        except ValueError as e:
            assert "private key" in str(e) or "DER" in str(e)

    def test_generateRSA(self) -> None:
        """
        generate() makes a 2048-bit RSA key by default.
        """
        keyPair = KeyPair.generate()
        assert keyPair.kind() == "RSA"
        assert "2048-bit" in repr(keyPair)
        assert keyPair.dumpPEM().startswith(b"-----BEGIN PRIVATE KEY-----")

    def test_generateEC(self) -> None:
        """
        generate(TYPE_EC) makes a P-256 key; type= is another name for kind.
        """
        assert KeyPair.generate(TYPE_EC).kind() == "EC"
        assert "384-bit" in repr(KeyPair.generate(type=TYPE_EC, size=384))

    def test_generateRefuses(self) -> None:
        """
        Weak RSA sizes, unknown curves and unknown kinds are refused.
        """
        with pytest.raises(ValueError, match=r"RSA keys of 1024 bits are too weak"):
            KeyPair.generate(TYPE_RSA, 1024)
        with pytest.raises(ValueError, match=r"no EC curve of 200 bits"):
            KeyPair.generate(TYPE_EC, 200)
        with pytest.raises(ValueError, match=r"unsupported key kind 116"):
            KeyPair.generate(116)

    def test_generateWithoutCryptography(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without cryptography, generate() names the package to install.
        """
        for name in list(sys.modules):
            if name == "cryptography" or name.startswith("cryptography."):
                monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "cryptography", None)
        with pytest.raises(ImportError, match=r"needs the 'cryptography' package.*pip install"):
            KeyPair.generate()


# --- PrivateCertificate ----------------------------------------------------


class PrivateCertificateTests:
    def test_loadPEMBoth(self, leaf: trustme.LeafCert) -> None:
        """
        loadPEM reads a certificate and key from one PEM text; dumpPEM()
        gives the certificate then the key, which reads back.
        """
        private = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
        assert private.original == leafDER(leaf)
        assert private.privateKey.dumpPEM() == leaf.private_key_pem.bytes()
        assert private.dumpPEM() == private.dump(FILETYPE_PEM) + leaf.private_key_pem.bytes()
        again = PrivateCertificate.loadPEM(private.dumpPEM())
        assert again == private
        assert again.privateKey.dumpPEM() == private.privateKey.dumpPEM()
        assert repr(private).endswith(f"with {private.privateKey!r}>")

    def test_load(self, leaf: trustme.LeafCert) -> None:
        """
        load() pairs certificate data (DER by default) with a KeyPair;
        fromCertificateAndKeyPair pairs a Certificate with one.
        """
        key = KeyPair.loadPEM(leaf.private_key_pem.bytes())
        private = PrivateCertificate.load(leafDER(leaf), key)
        assert private.privateKey is key
        pem = leaf.cert_chain_pems[0].bytes()
        assert PrivateCertificate.load(pem, key, FILETYPE_PEM) == private
        paired = PrivateCertificate.fromCertificateAndKeyPair(Certificate(leafDER(leaf)), key)
        assert isinstance(paired, PrivateCertificate)
        assert paired.privateKey is key

    def test_mismatchedKey(self, leaf: trustme.LeafCert) -> None:
        """
        A key that does not belong to the certificate is refused.
        """
        other = KeyPair.loadPEM(_keyPEM(_EC_KEY, _PKCS8))
        with pytest.raises(
            ValueError,
            match=r"does not belong to the certificate <PrivateCertificate Subject=example.com ",
        ):
            PrivateCertificate.load(leafDER(leaf), other)

    def test_wrongTypes(self, leaf: trustme.LeafCert) -> None:
        """
        fromCertificateAndKeyPair wants torsion objects, and says so.
        """
        key = KeyPair.loadPEM(leaf.private_key_pem.bytes())
        with pytest.raises(TypeError, match=r"expected a torsion Certificate, not bytes"):
            PrivateCertificate.fromCertificateAndKeyPair(leafDER(leaf), key)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"expected a torsion KeyPair, not bytes"):
            PrivateCertificate.load(leafDER(leaf), b"key")  # type: ignore[arg-type]

    def test_options(self, ca: trustme.CA, leaf: trustme.LeafCert) -> None:
        """
        options() makes server CertificateOptions presenting the certificate;
        with authorities, client certificates are required and verified.
        """
        private = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
        plain = private.options()
        assert isinstance(plain, CertificateOptions)
        assert plain.certificate is private
        assert plain.privateKey is private.privateKey
        assert not plain.verify
        authority = Certificate.loadPEM(ca.cert_pem.bytes())
        mutual = private.options(authority)
        assert mutual.verify
        assert mutual.requireCertificate
        assert mutual.caCerts == [authority]
        assert mutual.getContext().verify_mode == ssl.CERT_REQUIRED


# --- loading into a context ------------------------------------------------


class _RecordingContext(ssl.SSLContext):
    """A server context that records the files load_cert_chain reads."""

    seen: list[tuple[str, int]]

    def load_cert_chain(self, certfile: Any, keyfile: Any = None, password: Any = None) -> None:
        self.seen.append((str(certfile), stat.S_IMODE(os.stat(certfile).st_mode)))
        super().load_cert_chain(certfile, keyfile, password)


def _recordingContext() -> _RecordingContext:
    context = _RecordingContext(ssl.PROTOCOL_TLS_SERVER)
    context.seen = []
    return context


class LoadCertificateChainTests:
    @pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="needs memfd_create")
    def test_memoryFile(
        self, leaf: trustme.LeafCert, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        On Linux the key and certificate reach OpenSSL through a memory file
        (/proc/self/fd/N), and nothing is written to the temporary directory.
        """
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        private = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
        context = _recordingContext()
        _sslcert.loadCertificateChain(context, private, private.privateKey)
        ((path, _),) = context.seen
        assert path.startswith("/proc/self/fd/")
        assert list(tmp_path.iterdir()) == []
        assert context.cert_store_stats()["x509"] == 0

    def test_temporaryFile(
        self, leaf: trustme.LeafCert, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        Without memory files, a 0600 temporary file is used and removed at
        once.
        """
        monkeypatch.setattr(_sslcert._Loader, "useMemoryFile", False)
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        private = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
        context = _recordingContext()
        _sslcert.loadCertificateChain(context, private, private.privateKey)
        ((path, mode),) = context.seen
        assert Path(path).parent == tmp_path
        assert mode == 0o600
        assert list(tmp_path.iterdir()) == []

    def test_temporaryFileRemovedOnError(
        self, leaf: trustme.LeafCert, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        The temporary file is removed when OpenSSL refuses the pair too.
        """
        monkeypatch.setattr(_sslcert._Loader, "useMemoryFile", False)
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        certificate = Certificate(leafDER(leaf))
        other = KeyPair.loadPEM(_keyPEM(_EC_KEY, _PKCS8))
        with pytest.raises(ValueError, match=r"does not belong"):
            _sslcert.loadCertificateChain(
                ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), certificate, other
            )
        assert list(tmp_path.iterdir()) == []

    def test_weakKeyRefused(self) -> None:
        """
        OpenSSL's refusals other than a mismatch are reported with its reason.
        """
        weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        made = makeCertificate(key=weak)
        with pytest.raises(ValueError, match=r"OpenSSL refused the certificate .*KEY_TOO_SMALL"):
            made.privateCertificate()
