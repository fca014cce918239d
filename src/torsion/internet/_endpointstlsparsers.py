# The TLS endpoint descriptions: what they take, and making their endpoints
# (_endpointstls.py) with the key, certificate and trust files they name.
#
# Descriptions
# ------------
#   server  ssl:PORT[:privateKey=][:certKey=][:sslmethod=][:interface=]
#               [:backlog=][:extraCertChain=][:dhParameters=]
#   client  ssl:HOST:PORT[:timeout=][:bindAddress=][:certKey=][:privateKey=]
#               [:caCertsDir=][:hostname=]
#           tls:HOST:PORT[:timeout=][:bindAddress=][:certificate=]
#               [:privateKey=][:trustRoots=][:endpoint=]
# Each is a _Signature (the arguments, checked by _endpointsdescription.py)
# and a function making the endpoint from the converted values; the parser
# objects wrapping them are in _endpointsparsers.py.  The functions read
# every file at once, so that a description naming a missing file, or one
# holding the wrong PEM blocks, fails when it is parsed, with a
# _DescriptionError naming the keyword and the file.  The server's TLS
# context is built then too (CertificateOptions.getContext), which checks
# that key and certificate belong together.
#
# Clients verify, unlike Twisted's ssl: client: both client types check the
# server's certificate against the platform's authorities (or the ones
# given) and check that it is for the host name (ssl: the host, or
# hostname= when given; tls: the host, even with endpoint=).
from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING, Any

from torsion.internet import _endpointsdescription as d
from torsion.internet._endpointsdescription import _DescriptionError, _Param, _Signature
from torsion.internet._endpointshostname import HostnameEndpoint
from torsion.internet._endpointstls import SSL4ClientEndpoint, SSL4ServerEndpoint, wrapClientTLS
from torsion.internet._ireactornet import IStreamClientEndpoint

if TYPE_CHECKING:
    from torsion.internet._sslcert import Certificate, KeyPair, PrivateCertificate
    from torsion.internet._ssloptions import ClientTLSOptions


# -- reading files for descriptions ---------------------------------------------


def _read(signature: _Signature, keyword: str, path: str, hint: str = "") -> bytes:
    """
    The contents of the file C{keyword} names.

    @raise _DescriptionError: If it cannot be read.
    """
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise signature.fail(
            f"{keyword} {path!r} cannot be read: {e.strerror or e}{hint}"
        ) from None


def _certificatesIn(data: bytes) -> list[Certificate]:
    """
    Every certificate in PEM data, in order.

    @raise ValueError: If a C{CERTIFICATE} block is malformed.
    """
    from torsion.internet._sslcert import Certificate, _pemBlocks

    return [
        Certificate.loadPEM(block) for label, block in _pemBlocks(data) if label == "CERTIFICATE"
    ]


def _found(data: bytes) -> str:
    from torsion.internet._sslcert import _labels

    return _labels(data)


def _keyAndCertificates(
    signature: _Signature,
    key: tuple[str, str],
    certificate: tuple[str, str],
    keyHint: str = "",
    certHint: str = "",
    readHint: str = "",
) -> tuple[KeyPair, list[Certificate]]:
    """
    Read a private key and a certificate (followed by any intermediates),
    from one file or two, and check that they belong together.

    @param key: The keyword blamed for the key, and the file.
    @param certificate: The keyword blamed for the certificate, and the
        file (may be the key's).
    @param keyHint: Said after finding no key in the key file.
    @param certHint: Said after finding no certificate.
    @param readHint: Said when the key file cannot be read.
    @return: The key, and the certificates: the first is the key's.
    @raise _DescriptionError: If a file cannot be read or holds the wrong
        thing.
    """
    from torsion.internet._sslcert import KeyPair, PrivateCertificate

    (keyKeyword, keyPath), (certKeyword, certPath) = key, certificate
    keyData = _read(signature, keyKeyword, keyPath, readHint)
    try:
        keyPair = KeyPair.loadPEM(keyData)
    except ValueError as e:
        raise signature.fail(
            f"{keyKeyword} {keyPath!r} holds no usable private key: {e}{keyHint}"
        ) from None
    certData = keyData if certPath == keyPath else _read(signature, certKeyword, certPath)
    try:
        chain = _certificatesIn(certData)
    except ValueError as e:
        raise signature.fail(
            f"{certKeyword} {certPath!r} holds a malformed certificate: {e}"
        ) from None
    if not chain:
        raise signature.fail(
            f"{certKeyword} {certPath!r} holds no certificate: expected a -----BEGIN "
            f"CERTIFICATE----- block, found {_found(certData)}{certHint}"
        )
    try:
        PrivateCertificate.fromCertificateAndKeyPair(chain[0], keyPair)
    except ValueError:
        raise signature.fail(
            f"the certificate in {certKeyword} {certPath!r} is not for the private key in "
            f"{keyKeyword} {keyPath!r}; give the certificate issued for that key"
        ) from None
    return keyPair, chain


def _privateCertificate(
    signature: _Signature, certKeyword: str, certPath: str | None, keyPath: str | None
) -> PrivateCertificate | None:
    """
    A client certificate: C{certKeyword}'s file, with the key in
    C{privateKey}'s file or, without it, in the same file.

    @raise _DescriptionError: For a key without a certificate, or a file
        problem.
    """
    from torsion.internet._sslcert import PrivateCertificate

    if certPath is None:
        if keyPath is not None:
            raise signature.fail(
                f"privateKey {keyPath!r} is given without {certKeyword}=FILE, the client "
                "certificate it belongs to"
            )
        return None
    if keyPath is None:
        found = _keyAndCertificates(
            signature,
            (certKeyword, certPath),
            (certKeyword, certPath),
            f" (without privateKey=FILE, the {certKeyword} file must hold the key too)",
        )
    else:
        found = _keyAndCertificates(signature, ("privateKey", keyPath), (certKeyword, certPath))
    keyPair, chain = found
    return PrivateCertificate.fromCertificateAndKeyPair(chain[0], keyPair)


def _trustRoot(signature: _Signature, keyword: str, path: str | None) -> Any:
    """
    The authorities in a directory of C{*.pem} files (or, a torsion
    addition, one PEM file); L{platformTrust} for L{None}.

    As in Twisted, files in the directory that cannot be read or hold no
    certificate are skipped.

    @raise _DescriptionError: If nothing can be read, or no certificate
        is found.
    """
    from torsion.internet._sslsettings import platformTrust, trustRootFromCertificates

    if path is None:
        return platformTrust()
    if not os.path.isdir(path):
        data = _read(signature, keyword, path)
        try:
            certificates = _certificatesIn(data)
        except ValueError as e:
            raise signature.fail(f"{keyword} {path!r} holds a malformed certificate: {e}") from None
        if not certificates:
            raise signature.fail(
                f"{keyword} {path!r} is neither a directory of *.pem files nor a file of "
                f"PEM certificates (found {_found(data)})"
            )
        return trustRootFromCertificates(certificates)
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        raise signature.fail(f"{keyword} {path!r} cannot be read: {e.strerror or e}") from None
    byDigest: dict[bytes, Certificate] = {}
    for name in names:
        if not name.lower().endswith(".pem"):
            continue
        try:
            with open(os.path.join(path, name), "rb") as f:
                certificates = _certificatesIn(f.read())
        except (OSError, ValueError):
            continue
        for certificate in certificates:
            byDigest.setdefault(certificate.digest(), certificate)
    if not byDigest:
        raise signature.fail(
            f"{keyword} {path!r} holds no certificate: put each trusted authority's "
            "certificate there, PEM-encoded, in a file whose name ends in .pem"
        )
    return trustRootFromCertificates(byDigest.values())


def _clientOptions(
    hostname: str, trustRoot: Any, clientCertificate: PrivateCertificate | None
) -> ClientTLSOptions:
    from torsion.internet._ssloptions import optionsForClientTLS

    return optionsForClientTLS(hostname, trustRoot=trustRoot, clientCertificate=clientCertificate)


# -- ssl: server -----------------------------------------------------------------

_SERVER_METHODS = ("SSLv23_METHOD", "TLS_METHOD", "TLS_SERVER_METHOD", "TLSv1_2_METHOD")
_OLD_METHODS = ("SSLv2_METHOD", "SSLv3_METHOD", "TLSv1_METHOD", "TLSv1_1_METHOD")


def _sslmethod(text: str) -> int:
    """
    A server method name, as pyOpenSSL spells it, to its number.
    """
    from torsion.internet import _sslsettings

    if text in _SERVER_METHODS:
        number: int = getattr(_sslsettings, text)
        return number
    if text in _OLD_METHODS:
        raise ValueError(
            "pins a protocol version older than TLS 1.2, which torsion refuses; "
            "leave sslmethod out (TLS 1.2 and newer are negotiated)"
        )
    raise ValueError(f"is not one of {', '.join(_SERVER_METHODS)}")


SSL_SERVER = _Signature(
    "ssl",
    [
        _Param("port", "PORT", d.port),
        _Param("privateKey", "FILE", d.nonEmpty, None),
        _Param("certKey", "FILE", d.nonEmpty, None),
        _Param("sslmethod", "METHOD", _sslmethod, None),
        _Param("interface", "ADDRESS", d.text, ""),
        _Param("backlog", "N", d.count, 50),
        _Param("extraCertChain", "FILE", d.nonEmpty, None),
        _Param("dhParameters", "FILE", d.nonEmpty, None),
    ],
    "ssl:443:privateKey=key.pem:certKey=cert.pem",
)
"""
What C{ssl:} server descriptions take.
"""

_DEFAULT_KEY = "server.pem"


def _dhParameters(path: str) -> Any:
    from torsion.internet._sslsettings import DiffieHellmanParameters

    _read(SSL_SERVER, "dhParameters", path)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_dh_params(path)
    except (OSError, ssl.SSLError) as e:
        reason = getattr(e, "reason", None) or e
        raise SSL_SERVER.fail(
            f"dhParameters {path!r} holds no usable Diffie-Hellman parameters (a "
            f"-----BEGIN DH PARAMETERS----- block of 2048 bits or more): {reason}"
        ) from None
    return DiffieHellmanParameters.fromFile(path)


def sslServer(
    reactor: Any,
    port: int,
    privateKey: str | None,
    certKey: str | None,
    sslmethod: int | None,
    interface: str,
    backlog: int,
    extraCertChain: str | None,
    dhParameters: str | None,
) -> SSL4ServerEndpoint:
    """
    The endpoint an C{ssl:} server description describes, its files read.

    @raise _DescriptionError: If a file cannot be read or holds the wrong
        thing.
    """
    from torsion.internet._ssloptions import CertificateOptions

    keyPath = _DEFAULT_KEY if privateKey is None else privateKey
    keyHint = (
        f" (privateKey defaults to {_DEFAULT_KEY} in the current directory; give privateKey=FILE)"
        if privateKey is None
        else ""
    )
    if certKey is None:
        certificate = ("privateKey", keyPath)
        certHint = " (give the certificate with certKey=FILE, or add it to the privateKey file)"
    else:
        certificate, certHint = ("certKey", certKey), ""
    keyPair, chain = _keyAndCertificates(
        SSL_SERVER,
        ("privateKey", keyPath),
        certificate,
        keyHint=keyHint,
        certHint=certHint,
        readHint=keyHint,
    )
    extra = chain[1:]
    if extraCertChain is not None:
        data = _read(SSL_SERVER, "extraCertChain", extraCertChain)
        try:
            more = _certificatesIn(data)
        except ValueError as e:
            raise SSL_SERVER.fail(
                f"extraCertChain {extraCertChain!r} holds a malformed certificate: {e}"
            ) from None
        if not more:
            raise SSL_SERVER.fail(
                f"extraCertChain {extraCertChain!r} holds no certificate: expected -----BEGIN "
                f"CERTIFICATE----- blocks, found {_found(data)}"
            )
        extra += more
    dh = None if dhParameters is None else _dhParameters(dhParameters)
    try:
        options = CertificateOptions(
            privateKey=keyPair,
            certificate=chain[0],
            method=sslmethod,
            extraCertChain=extra or None,
            dhParameters=dh,
        )
        options.getContext()
    except (ValueError, ssl.SSLError) as e:
        raise SSL_SERVER.fail(
            f"privateKey {keyPath!r} and its certificate cannot be used for TLS: {e}"
        ) from None
    return SSL4ServerEndpoint(reactor, port, options, backlog=backlog, interface=interface)


# -- ssl: and tls: clients ---------------------------------------------------------

SSL_CLIENT = _Signature(
    "ssl",
    [
        _Param("host", "HOST", d.nonEmpty),
        _Param("port", "PORT", d.port),
        _Param("timeout", "SECONDS", d.seconds, 30, positional=False),
        _Param("bindAddress", "ADDRESS", d.nonEmpty, None, positional=False),
        _Param("certKey", "FILE", d.nonEmpty, None, positional=False),
        _Param("privateKey", "FILE", d.nonEmpty, None, positional=False),
        _Param("caCertsDir", "DIR", d.nonEmpty, None, positional=False),
        _Param("hostname", "NAME", d.nonEmpty, None, positional=False),
    ],
    "ssl:example.org:443:caCertsDir=/etc/ssl/certs",
)
"""
What C{ssl:} client descriptions take.
"""


def sslClient(
    reactor: Any,
    host: str,
    port: int,
    timeout: float,
    bindAddress: str | None,
    certKey: str | None,
    privateKey: str | None,
    caCertsDir: str | None,
    hostname: str | None,
) -> SSL4ClientEndpoint:
    """
    The endpoint an C{ssl:} client description describes: it verifies the
    server's certificate, and that it is for C{hostname} (by default
    C{host}).

    @raise _DescriptionError: If a file cannot be read or holds the wrong
        thing.
    """
    clientCertificate = _privateCertificate(SSL_CLIENT, "certKey", certKey, privateKey)
    trustRoot = _trustRoot(SSL_CLIENT, "caCertsDir", caCertsDir)
    options = _clientOptions(hostname or host, trustRoot, clientCertificate)
    return SSL4ClientEndpoint(reactor, host, port, options, timeout, bindAddress)


TLS_CLIENT = _Signature(
    "tls",
    [
        _Param("host", "HOST", d.nonEmpty),
        _Param("port", "PORT", d.port),
        _Param("timeout", "SECONDS", d.seconds, None, positional=False),
        _Param("bindAddress", "ADDRESS", d.nonEmpty, None, positional=False),
        _Param("certificate", "FILE", d.nonEmpty, None, positional=False),
        _Param("privateKey", "FILE", d.nonEmpty, None, positional=False),
        _Param("trustRoots", "DIR", d.nonEmpty, None, positional=False),
        _Param("endpoint", "DESCRIPTION", d.nonEmpty, None, positional=False),
    ],
    "tls:example.org:443",
)
"""
What C{tls:} client descriptions take.
"""


def _innerEndpoint(reactor: Any, description: str) -> IStreamClientEndpoint:
    """
    The client endpoint C{endpoint=} describes.

    @raise _DescriptionError: If it is bad, naming it and showing its
        type's form.
    """
    from torsion.internet._endpointsstrings import clientFromString

    try:
        return clientFromString(reactor, description)
    except _DescriptionError as e:
        problem = e.problem.removeprefix(f"bad client endpoint description {description!r}: ")
        raise _DescriptionError(
            f"endpoint {description!r} is not a usable client description: {problem}",
            e.usage,
        ) from None


def tlsClient(
    reactor: Any,
    host: str,
    port: int,
    timeout: float | None,
    bindAddress: str | None,
    certificate: str | None,
    privateKey: str | None,
    trustRoots: str | None,
    endpoint: str | None,
) -> IStreamClientEndpoint:
    """
    The endpoint a C{tls:} client description describes: TLS, verifying
    the server's certificate and that it is for C{host}, over a
    L{HostnameEndpoint} to C{host} and C{port} or over the C{endpoint}
    description.

    @raise _DescriptionError: If a file cannot be read or holds the wrong
        thing, or C{endpoint} is bad.
    """
    clientCertificate = _privateCertificate(TLS_CLIENT, "certificate", certificate, privateKey)
    trustRoot = _trustRoot(TLS_CLIENT, "trustRoots", trustRoots)
    options = _clientOptions(host, trustRoot, clientCertificate)
    wrapped: IStreamClientEndpoint
    if endpoint is None:
        wrapped = HostnameEndpoint(
            reactor, host, port, 30 if timeout is None else timeout, bindAddress
        )
    elif timeout is not None or bindAddress is not None:
        given = "timeout" if bindAddress is None else "bindAddress"
        raise TLS_CLIENT.fail(
            f"{given}= applies to the connection tls makes itself, not to endpoint=; "
            "put it in the endpoint= description instead"
        )
    else:
        wrapped = _innerEndpoint(reactor, endpoint)
    return wrapClientTLS(options, wrapped)


__all__ = ["SSL_CLIENT", "SSL_SERVER", "TLS_CLIENT", "sslClient", "sslServer", "tlsClient"]
