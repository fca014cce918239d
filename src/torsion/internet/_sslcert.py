# Certificates and keys for torsion.internet.ssl, without pyOpenSSL: the
# module the rest of torsion imports them from.
#
# The code lives in three modules, each readable on its own:
#
#   - _sslcertformat: the FILETYPE_* constants and PEM reading and writing;
#   - _sslcertpublic: what anyone can read in a certificate: Certificate
#     (DER, parsed by _der when it is made), PublicKey, DistinguishedName,
#     and the record of which certificate each SSLContext presents;
#   - _sslcertprivate: KeyPair, PrivateCertificate, and
#     loadCertificateChain, which loads a certificate and its key into an
#     SSLContext without writing the key to disk.
#
# This module re-exports every name those modules define that it defined
# before they were split off, and publish() keeps this module as the home
# of their classes and functions (in reprs, pickles and Failure.check)
# until a public module, torsion.internet.ssl, publishes the public ones
# under its own name.
from __future__ import annotations

from torsion.internet._sslcertformat import (
    _FILETYPES,
    _KEY_LABELS,
    _PEM_BLOCK,
    FILETYPE_ASN1,
    FILETYPE_PEM,
    _asBytes,
    _checkFormat,
    _labels,
    _pemBlocks,
    _pemBody,
    _pemEncode,
)
from torsion.internet._sslcertprivate import (
    TYPE_EC,
    TYPE_RSA,
    KeyPair,
    PrivateCertificate,
    _Loader,
    _loadFromMemory,
    _loadFromTemporaryFile,
    loadCertificateChain,
)
from torsion.internet._sslcertpublic import (
    _NAME_OIDS,
    _SHORT_NAMES,
    _TITLES,
    DN,
    Certificate,
    CertificateError,
    DistinguishedName,
    PublicKey,
    _attributeName,
    _distinguishedName,
    _hostCertificates,
    _shortName,
    _tlsHandle,
    rememberHostCertificate,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "DN",
    "FILETYPE_ASN1",
    "FILETYPE_PEM",
    "TYPE_EC",
    "TYPE_RSA",
    "_FILETYPES",
    "_KEY_LABELS",
    "_NAME_OIDS",
    "_PEM_BLOCK",
    "_SHORT_NAMES",
    "_TITLES",
    "Certificate",
    "CertificateError",
    "DistinguishedName",
    "KeyPair",
    "PrivateCertificate",
    "PublicKey",
    "_Loader",
    "_asBytes",
    "_attributeName",
    "_checkFormat",
    "_distinguishedName",
    "_hostCertificates",
    "_labels",
    "_loadFromMemory",
    "_loadFromTemporaryFile",
    "_pemBlocks",
    "_pemBody",
    "_pemEncode",
    "_shortName",
    "_tlsHandle",
    "loadCertificateChain",
    "rememberHostCertificate",
]

_publish(globals())
