# The encodings of torsion.internet.ssl's certificates and keys: the
# pyOpenSSL file-type constants (FILETYPE_PEM, FILETYPE_ASN1) and the PEM
# armour around DER, read and written here without pyOpenSSL.
#
# _pemBlocks finds every "-----BEGIN <label>----- ... -----END <label>-----"
# block in some bytes with one regular expression and returns each block's
# label with its whole text, so that callers can pick the block they want
# (the first CERTIFICATE, the first PRIVATE KEY) and keep it byte for byte.
# _pemBody decodes one block's base64, refusing blocks with PEM headers
# (the old OpenSSL encrypted-key format uses them) rather than misreading
# them; _pemEncode writes DER back as a block of 64-character lines, as
# OpenSSL does.  _labels lists the labels found, for error messages.
#
# The certificate and key classes (_sslcertpublic, _sslcertprivate) import
# this module as _format; they check their format arguments with
# _format._checkFormat and their data with _format._asBytes.
from __future__ import annotations

import base64
import binascii
import re

FILETYPE_PEM = 1
FILETYPE_ASN1 = 2

_FILETYPES = {FILETYPE_PEM: "FILETYPE_PEM", FILETYPE_ASN1: "FILETYPE_ASN1"}

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


def _checkFormat(format: int) -> None:
    if format not in _FILETYPES:
        raise ValueError(f"unknown format {format!r}; use FILETYPE_ASN1 or FILETYPE_PEM")
