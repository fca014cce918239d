# A small DER reader, and the X.509 and private-key fields torsion reads
# with it.
#
# The standard library's ssl module loads certificates and keys into an
# SSLContext but offers no public parser: torsion.internet.ssl still has to
# answer Twisted's questions about a certificate (subject, issuer, serial
# number, validity, names) without pyOpenSSL or cryptography.  DER is simple
# enough to read directly:
#
#   - every value is a TLV: one identifier octet (the tag; bit 0x20 says the
#     value is a constructed sequence of TLVs), a length (short form below
#     0x80, else 0x8N followed by N length octets), and the content;
#   - Element records where one TLV sits in the buffer (no copies until a
#     decoder asks for the content);
#   - decoders (integer, oid, text, time, bitString) turn primitive contents
#     into Python values.
#
# Every problem is reported as a ValueError that says what was being read
# and where, never an IndexError: certificates arrive from peers and files,
# and garbage must produce an error a user can act on.  The reader accepts
# only definite lengths and low tag numbers, which is all X.509 uses.
#
# parseCertificate() and parsePrivateKey() walk the structures of RFC 5280
# (Certificate, TBSCertificate, Name, Validity, subjectAltName), RFC 5208 /
# RFC 5958 (PKCS #8), RFC 8017 (PKCS #1 RSAPrivateKey) and RFC 5915 (SEC 1
# ECPrivateKey), taking just the fields torsion exposes.  Public keys are
# kept as SubjectPublicKeyInfo DER, built from the private key's fields where
# the key format carries them, so that a key's hash can be computed the way
# Twisted's keyHash does (MD5 over that DER).
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime

BOOLEAN = 0x01
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
T61_STRING = 0x14
IA5_STRING = 0x16
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
UNIVERSAL_STRING = 0x1C
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31

_CONSTRUCTED = 0x20
_TAG_NAMES = {
    BOOLEAN: "BOOLEAN",
    INTEGER: "INTEGER",
    BIT_STRING: "BIT STRING",
    OCTET_STRING: "OCTET STRING",
    NULL: "NULL",
    OID: "OBJECT IDENTIFIER",
    SEQUENCE: "SEQUENCE",
    SET: "SET",
    UTC_TIME: "UTCTime",
    GENERALIZED_TIME: "GeneralizedTime",
}
_TEXT_CODECS = {
    UTF8_STRING: "utf-8",
    PRINTABLE_STRING: "latin-1",
    T61_STRING: "latin-1",
    IA5_STRING: "latin-1",
    UNIVERSAL_STRING: "utf-32-be",
    BMP_STRING: "utf-16-be",
}


def context(number: int, constructed: bool = True) -> int:
    """
    The identifier octet of a context-specific tag C{[number]}.
    """
    return 0x80 | (_CONSTRUCTED if constructed else 0) | number


def _tagName(tag: int) -> str:
    if tag in _TAG_NAMES:
        return _TAG_NAMES[tag]
    if tag & 0xC0 == 0x80:
        return f"[{tag & 0x1F}]"
    return f"tag 0x{tag:02x}"


@dataclass(frozen=True, slots=True)
class Element:
    """
    One TLV inside C{buffer}: its tag, where it starts, and where its
    content starts and ends.
    """

    tag: int
    buffer: bytes
    start: int
    contentStart: int
    end: int

    @property
    def content(self) -> bytes:
        return self.buffer[self.contentStart : self.end]

    @property
    def raw(self) -> bytes:
        """The whole TLV, header included."""
        return self.buffer[self.start : self.end]

    def children(self, what: str) -> list[Element]:
        """The TLVs inside this constructed element."""
        if not self.tag & _CONSTRUCTED:
            raise ValueError(f"{what}: expected a constructed value, found {_tagName(self.tag)}")
        found = []
        offset = self.contentStart
        while offset < self.end:
            child = readElement(self.buffer, offset, self.end, what)
            found.append(child)
            offset = child.end
        return found

    def expect(self, tag: int, what: str) -> Element:
        """Check this element's tag, naming C{what} was expected otherwise."""
        if self.tag != tag:
            raise ValueError(
                f"{what}: expected {_tagName(tag)}, found {_tagName(self.tag)} "
                f"at offset {self.start}"
            )
        return self


def readElement(buffer: bytes, offset: int, limit: int, what: str) -> Element:
    """
    Read the TLV starting at C{offset}, which must end by C{limit}.

    @raise ValueError: If the bytes there are not a well-formed TLV.
    """
    if offset + 2 > limit:
        raise ValueError(f"{what}: truncated at offset {offset}")
    tag = buffer[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError(f"{what}: unsupported multi-octet tag at offset {offset}")
    first = buffer[offset + 1]
    position = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0:
            raise ValueError(f"{what}: indefinite length at offset {offset} is not DER")
        if count > 4:
            raise ValueError(f"{what}: length of {count} octets at offset {offset} is too long")
        if position + count > limit:
            raise ValueError(f"{what}: truncated length at offset {offset}")
        length = int.from_bytes(buffer[position : position + count], "big")
        position += count
    end = position + length
    if end > limit:
        raise ValueError(
            f"{what}: {_tagName(tag)} at offset {offset} claims {length} bytes "
            f"but only {limit - position} remain"
        )
    return Element(tag, buffer, offset, position, end)


def parseOne(data: bytes, what: str) -> Element:
    """
    Read C{data} as exactly one TLV.

    @raise ValueError: If C{data} is not one TLV, or has bytes after it.
    """
    element = readElement(data, 0, len(data), what)
    if element.end != len(data):
        raise ValueError(f"{what}: {len(data) - element.end} unexpected bytes after the end")
    return element


def integer(element: Element, what: str) -> int:
    """Decode an INTEGER."""
    content = element.expect(INTEGER, what).content
    if not content:
        raise ValueError(f"{what}: empty INTEGER")
    return int.from_bytes(content, "big", signed=True)


def oid(element: Element, what: str) -> str:
    """Decode an OBJECT IDENTIFIER to its dotted form."""
    content = element.expect(OID, what).content
    if not content or content[-1] & 0x80:
        raise ValueError(f"{what}: malformed OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for octet in content:
        value = (value << 7) | (octet & 0x7F)
        if not octet & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def text(element: Element, what: str) -> str:
    """Decode one of the ASN.1 string types X.509 names use."""
    codec = _TEXT_CODECS.get(element.tag)
    if codec is None:
        raise ValueError(f"{what}: expected a string, found {_tagName(element.tag)}")
    try:
        return element.content.decode(codec)
    except UnicodeDecodeError as e:
        raise ValueError(f"{what}: undecodable {_tagName(element.tag)} ({e.reason})") from None


def time(element: Element, what: str) -> datetime:
    """Decode a UTCTime or GeneralizedTime (UTC, whole seconds) to an aware datetime."""
    if element.tag == UTC_TIME:
        digits, width = element.content, 13
    elif element.tag == GENERALIZED_TIME:
        digits, width = element.content, 15
    else:
        raise ValueError(f"{what}: expected a time, found {_tagName(element.tag)}")
    if len(digits) != width or not digits.endswith(b"Z") or not digits[:-1].isdigit():
        raise ValueError(f"{what}: malformed time {digits!r}, expected YYMMDDHHMMSSZ")
    fields = digits[:-1].decode("ascii")
    if width == 13:
        century = 1900 if int(fields[:2]) >= 50 else 2000
        fields = str(century + int(fields[:2])) + fields[2:]
    try:
        return datetime.strptime(fields, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{what}: impossible date {digits!r}") from None


def bitString(element: Element, what: str) -> bytes:
    """Decode a BIT STRING made of whole octets."""
    content = element.expect(BIT_STRING, what).content
    if not content or content[0] != 0:
        raise ValueError(f"{what}: expected a BIT STRING of whole octets")
    return content[1:]


def encode(tag: int, content: bytes) -> bytes:
    """Encode one TLV."""
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + content


# --- X.509 -----------------------------------------------------------------

_SAN_OID = "2.5.29.17"
_SAN_KINDS = {context(1, False): "email", context(2, False): "DNS", context(6, False): "URI"}
_IP_ADDRESS = context(7, False)


@dataclass(frozen=True, slots=True)
class CertificateFields:
    """
    What torsion reads from an X.509 certificate.

    Names are tuples of (attribute OID, text) pairs in certificate order;
    subjectAltNames are (kind, value) pairs with the kinds the ssl module's
    getpeercert() uses ("DNS", "IP Address", "email", "URI").
    """

    version: int
    serialNumber: int
    issuer: tuple[tuple[str, str], ...]
    subject: tuple[tuple[str, str], ...]
    notBefore: datetime
    notAfter: datetime
    publicKeyInfo: bytes
    publicKeyAlgorithm: str
    subjectAltNames: tuple[tuple[str, str], ...]


def _name(element: Element, what: str) -> tuple[tuple[str, str], ...]:
    attributes = []
    for rdn in element.expect(SEQUENCE, what).children(what):
        for pair in rdn.expect(SET, what).children(what):
            parts = pair.expect(SEQUENCE, what).children(what)
            if len(parts) != 2:
                raise ValueError(f"{what}: an attribute needs a type and a value")
            attributes.append((oid(parts[0], what), text(parts[1], what)))
    return tuple(attributes)


def _subjectAltNames(extnValue: bytes) -> tuple[tuple[str, str], ...]:
    what = "subjectAltName extension"
    names = []
    for general in parseOne(extnValue, what).expect(SEQUENCE, what).children(what):
        if general.tag in _SAN_KINDS:
            names.append((_SAN_KINDS[general.tag], general.content.decode("latin-1")))
        elif general.tag == _IP_ADDRESS:
            if len(general.content) not in (4, 16):
                raise ValueError(f"{what}: an IP address of {len(general.content)} bytes")
            names.append(("IP Address", str(ipaddress.ip_address(general.content))))
    return tuple(names)


def _extensions(element: Element) -> tuple[tuple[str, str], ...]:
    what = "certificate extensions"
    (inner,) = _exactly(element.children(what), 1, what)
    for extension in inner.expect(SEQUENCE, what).children(what):
        parts = extension.expect(SEQUENCE, what).children(what)
        if len(parts) not in (2, 3):
            raise ValueError(f"{what}: an extension has {len(parts)} parts, expected 2 or 3")
        if oid(parts[0], what) == _SAN_OID:
            return _subjectAltNames(parts[-1].expect(OCTET_STRING, what).content)
    return ()


def _exactly(elements: list[Element], count: int, what: str) -> list[Element]:
    if len(elements) != count:
        raise ValueError(f"{what}: expected {count} parts, found {len(elements)}")
    return elements


def parseCertificate(der: bytes) -> CertificateFields:
    """
    Read the fields torsion exposes from a DER X.509 certificate.

    @raise ValueError: If C{der} is not a well-formed certificate.
    """
    what = "X.509 certificate"
    top = parseOne(der, what).expect(SEQUENCE, what)
    tbs, _, signature = _exactly(top.children(what), 3, what)
    bitString(signature, "certificate signature")
    what = "TBSCertificate"
    fields = tbs.expect(SEQUENCE, what).children(what)
    version = 1
    if fields and fields[0].tag == context(0):
        (versionElement,) = _exactly(fields.pop(0).children("version"), 1, "version")
        version = integer(versionElement, "version") + 1
    if len(fields) < 6:
        raise ValueError(f"{what}: expected at least 6 fields, found {len(fields)}")
    serialElement, _, issuer, validity, subject, spki = fields[:6]
    notBefore, notAfter = _exactly(
        validity.expect(SEQUENCE, "validity").children("validity"), 2, "validity"
    )
    algorithm = spki.expect(SEQUENCE, "subjectPublicKeyInfo").children("subjectPublicKeyInfo")
    if len(algorithm) != 2:
        raise ValueError("subjectPublicKeyInfo: expected an algorithm and a key")
    algorithmParts = algorithm[0].expect(SEQUENCE, "key algorithm").children("key algorithm")
    if not algorithmParts:
        raise ValueError("key algorithm: empty")
    sans: tuple[tuple[str, str], ...] = ()
    for extra in fields[6:]:
        if extra.tag == context(3):
            sans = _extensions(extra)
    return CertificateFields(
        version=version,
        serialNumber=integer(serialElement, "serial number"),
        issuer=_name(issuer, "issuer name"),
        subject=_name(subject, "subject name"),
        notBefore=time(notBefore, "notBefore"),
        notAfter=time(notAfter, "notAfter"),
        publicKeyInfo=spki.raw,
        publicKeyAlgorithm=oid(algorithmParts[0], "key algorithm"),
        subjectAltNames=sans,
    )


# --- private keys ----------------------------------------------------------

RSA_OID = "1.2.840.113549.1.1.1"
EC_OID = "1.2.840.10045.2.1"
_KEY_KINDS = {
    RSA_OID: "RSA",
    "1.2.840.113549.1.1.10": "RSA-PSS",
    EC_OID: "EC",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10040.4.1": "DSA",
}
_RSA_ALGORITHM = encode(SEQUENCE, encode(OID, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
_EC_ALGORITHM_OID = encode(OID, bytes.fromhex("2a8648ce3d0201"))


@dataclass(frozen=True, slots=True)
class KeyFields:
    """
    What torsion reads from a private key: its kind ("RSA", "EC",
    "Ed25519", ...), its size in bits where known, and its public half as
    SubjectPublicKeyInfo DER when the key format carries enough to build it.
    """

    kind: str
    bits: int | None
    publicKeyInfo: bytes | None


def _spki(algorithm: bytes, publicKey: bytes) -> bytes:
    return encode(SEQUENCE, algorithm + encode(BIT_STRING, b"\x00" + publicKey))


def _rsa(der: bytes, what: str) -> KeyFields:
    parts = parseOne(der, what).expect(SEQUENCE, what).children(what)
    if len(parts) < 9:
        raise ValueError(f"{what}: an RSA key has at least 9 integers, found {len(parts)}")
    for part in parts:
        integer(part, what)
    modulus, exponent = parts[1], parts[2]
    publicKey = encode(SEQUENCE, modulus.raw + exponent.raw)
    return KeyFields("RSA", integer(modulus, what).bit_length(), _spki(_RSA_ALGORITHM, publicKey))


def _ec(der: bytes, what: str, curve: Element | None) -> KeyFields:
    parts = parseOne(der, what).expect(SEQUENCE, what).children(what)
    if len(parts) < 2 or integer(parts[0], what) != 1:
        raise ValueError(f"{what}: expected an ECPrivateKey (version 1, key octets)")
    parts[1].expect(OCTET_STRING, what)
    publicKey = None
    for part in parts[2:]:
        if part.tag == context(0):
            (curve,) = _exactly(part.children(what), 1, what)
        elif part.tag == context(1):
            (bits,) = _exactly(part.children(what), 1, what)
            publicKey = bitString(bits, what)
    spki = None
    if curve is not None and publicKey is not None:
        oid(curve, what)
        spki = _spki(encode(SEQUENCE, _EC_ALGORITHM_OID + curve.raw), publicKey)
    return KeyFields("EC", len(parts[1].content) * 8, spki)


def _pkcs8(der: bytes, what: str) -> KeyFields:
    parts = parseOne(der, what).expect(SEQUENCE, what).children(what)
    if len(parts) < 3:
        raise ValueError(f"{what}: expected version, algorithm and key, found {len(parts)} parts")
    integer(parts[0], what)
    algorithm = parts[1].expect(SEQUENCE, what).children(what)
    if not algorithm:
        raise ValueError(f"{what}: empty key algorithm")
    algorithmOID = oid(algorithm[0], what)
    inner = parts[2].expect(OCTET_STRING, what).content
    if algorithmOID == RSA_OID:
        return _rsa(inner, what)
    if algorithmOID == EC_OID:
        return _ec(inner, what, algorithm[1] if len(algorithm) > 1 else None)
    kind = _KEY_KINDS.get(algorithmOID, algorithmOID)
    spki = None
    for part in parts[3:]:
        if part.tag == context(1, False) and kind in ("Ed25519", "Ed448"):
            spki = _spki(parts[1].raw, part.content[1:])
    return KeyFields(kind, None, spki)


def parsePrivateKey(der: bytes, label: str) -> KeyFields:
    """
    Check the structure of an unencrypted private key and read its fields.

    @param der: The key's DER bytes.
    @param label: Its PEM label: C{"PRIVATE KEY"} (PKCS #8), C{"RSA PRIVATE
        KEY"} (PKCS #1) or C{"EC PRIVATE KEY"} (SEC 1).
    @raise ValueError: If C{der} is not a key of that shape.
    """
    what = f"{label} block"
    if label == "PRIVATE KEY":
        return _pkcs8(der, what)
    if label == "RSA PRIVATE KEY":
        return _rsa(der, what)
    if label == "EC PRIVATE KEY":
        return _ec(der, what, None)
    raise ValueError(f"unsupported private key type {label!r}")


def guessKeyLabel(der: bytes) -> str:
    """
    The PEM label for a DER private key of unknown format.

    @raise ValueError: If C{der} is none of the supported key formats.
    """
    errors = []
    for label in ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"):
        try:
            parsePrivateKey(der, label)
        except ValueError as e:
            errors.append(str(e))
        else:
            return label
    raise ValueError("not a DER private key (PKCS #8, PKCS #1 or SEC 1): " + "; ".join(errors))
