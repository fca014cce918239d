"""
Tests for the TLS endpoints of L{torsion.internet.endpoints}:
L{SSL4ServerEndpoint}, L{SSL4ClientEndpoint}, L{wrapClientTLS} and
L{wrapServerTLS}, the C{ssl:} and C{tls:} descriptions (on a memory reactor,
and for real on 127.0.0.1 on every reactor), their errors, and the small
re-exports made with them.

Certificates are made with trustme, into files under a temporary directory.
"""

from __future__ import annotations

import base64
import math
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import RefusingPort, assertNoResult, failureOf, resultOf
from torsion.internet import _endpointssystemd, _endpointstls, _resolver, endpoints, testing
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address
from torsion.internet.defer import Deferred, maybeDeferred
from torsion.internet.endpoints import (
    ConnectionAttemptsFailed,
    HostnameEndpoint,
    SSL4ClientEndpoint,
    SSL4ServerEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    clientFromString,
    connectProtocol,
    quoteStringArgument,
    serverFromString,
    wrapClientTLS,
    wrapServerTLS,
)
from torsion.internet.error import ConnectingCancelledError, ConnectionDone, ConnectionRefusedError
from torsion.internet.interfaces import (
    IHandshakeListener,
    IListeningPort,
    IStreamClientEndpoint,
    IStreamServerEndpoint,
)
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.internet.ssl import (
    Certificate,
    CertificateOptions,
    ClientTLSOptions,
    KeyPair,
    optionsForClientTLS,
)
from torsion.internet.task import Clock
from torsion.internet.testing import (
    MemoryReactor,
    RaisingMemoryReactor,
    StringTransport,
    SynchronousResolver,
)
from torsion.protocols.tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from torsion.python import systemd
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

SERVER_NAME = "service.test"

SSL_SERVER_USAGE = (
    "ssl:PORT[:privateKey=FILE][:certKey=FILE][:sslmethod=METHOD][:interface=ADDRESS]"
    "[:backlog=N][:extraCertChain=FILE][:dhParameters=FILE], "
    "e.g. ssl:443:privateKey=key.pem:certKey=cert.pem"
)
SSL_CLIENT_USAGE = (
    "ssl:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS][:certKey=FILE][:privateKey=FILE]"
    "[:caCertsDir=DIR][:hostname=NAME], e.g. ssl:example.org:443:caCertsDir=/etc/ssl/certs"
)
TLS_CLIENT_USAGE = (
    "tls:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS][:certificate=FILE]"
    "[:privateKey=FILE][:trustRoots=DIR][:endpoint=DESCRIPTION], e.g. tls:example.org:443"
)


def ffdhe2048() -> bytes:
    """
    The ffdhe2048 group of RFC 7919 as PEM Diffie-Hellman parameters,
    computed from the RFC's formula (generating parameters takes seconds).
    """
    extra = 64
    scale = 1 << (1918 + extra)
    eScaled = sum(scale // math.factorial(k) for k in range(400)) >> extra
    prime = 2**2048 - 2**1984 + (eScaled + 560316) * 2**64 - 1

    def length(n: int) -> bytes:
        if n < 0x80:
            return bytes([n])
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return bytes([0x80 | len(raw)]) + raw

    def integer(value: int) -> bytes:
        raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
        return b"\x02" + length(len(raw)) + raw

    body = integer(prime) + integer(2)
    der = b"\x30" + length(len(body)) + body
    lines = base64.encodebytes(der).split()
    return b"\n".join([b"-----BEGIN DH PARAMETERS-----", *lines, b"-----END DH PARAMETERS-----\n"])


@dataclass
class PKI:
    """
    The files the tests name in descriptions.

    @ivar serverKey: The server's key alone.
    @ivar serverCert: The server's certificate (for L{SERVER_NAME} and
        127.0.0.1) alone.
    @ivar serverPem: Both in one file.
    @ivar trustDir: The server CA's certificate as C{ca.pem}, with files
        to skip beside it.
    @ivar caCert: The server CA's certificate file.
    @ivar clientCACert: The authority of client certificates.
    @ivar clientKey: The client's key alone.
    @ivar clientCert: The client's certificate alone.
    @ivar clientPem: Both in one file.
    @ivar otherKey: A key that belongs to no certificate here.
    @ivar dh: Diffie-Hellman parameters.
    @ivar junk: A file of text that is not PEM.
    @ivar emptyDir: A directory without certificates.
    """

    serverKey: Path
    serverCert: Path
    serverPem: Path
    trustDir: Path
    caCert: Path
    clientCACert: Path
    clientKey: Path
    clientCert: Path
    clientPem: Path
    otherKey: Path
    dh: Path
    junk: Path
    emptyDir: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    """
    Certificates made once for this module's tests.
    """
    root = tmp_path_factory.mktemp("pki")
    serverCA, clientCA = trustme.CA(), trustme.CA()
    server = serverCA.issue_cert(SERVER_NAME, "127.0.0.1")
    client = clientCA.issue_cert("client.test")
    other = serverCA.issue_cert("other.test")
    trustDir = root / "trusted"
    trustDir.mkdir()
    serverCA.cert_pem.write_to_path(str(trustDir / "ca.pem"))
    (trustDir / "README.txt").write_text("not a certificate, and not named *.pem\n")
    (trustDir / "broken.pem").write_text("no PEM blocks here\n")
    (root / "empty").mkdir()
    files = PKI(
        serverKey=root / "server.key",
        serverCert=root / "server.crt",
        serverPem=root / "server-both.pem",
        trustDir=trustDir,
        caCert=trustDir / "ca.pem",
        clientCACert=root / "client-ca.pem",
        clientKey=root / "client.key",
        clientCert=root / "client.crt",
        clientPem=root / "client-both.pem",
        otherKey=root / "other.key",
        dh=root / "dh.pem",
        junk=root / "junk.pem",
        emptyDir=root / "empty",
    )
    server.private_key_pem.write_to_path(str(files.serverKey))
    server.cert_chain_pems[0].write_to_path(str(files.serverCert))
    server.private_key_and_cert_chain_pem.write_to_path(str(files.serverPem))
    clientCA.cert_pem.write_to_path(str(files.clientCACert))
    client.private_key_pem.write_to_path(str(files.clientKey))
    client.cert_chain_pems[0].write_to_path(str(files.clientCert))
    client.private_key_and_cert_chain_pem.write_to_path(str(files.clientPem))
    other.private_key_pem.write_to_path(str(files.otherKey))
    files.dh.write_bytes(ffdhe2048())
    files.junk.write_text("hello\n")
    return files


def q(path: Path) -> str:
    """
    C{path} escaped for a description.
    """
    return quoteStringArgument(str(path))


def serverError(description: str) -> str:
    """
    The message of the C{ValueError} that C{serverFromString} raises.
    """
    with pytest.raises(ValueError) as raised:
        serverFromString(MemoryReactor(), description)
    return str(raised.value)


def clientError(description: str) -> str:
    """
    The message of the C{ValueError} that C{clientFromString} raises.
    """
    with pytest.raises(ValueError) as raised:
        clientFromString(MemoryReactor(), description)
    return str(raised.value)


def loadCertificate(path: Path) -> Certificate:
    """
    The first certificate in the PEM file at C{path}.
    """
    return Certificate.loadPEM(path.read_bytes())


def serverOptions(pki: PKI, **kwargs: Any) -> CertificateOptions:
    """
    The server's TLS settings, with more C{CertificateOptions} arguments.
    """
    return CertificateOptions(
        privateKey=KeyPair.loadPEM(pki.serverKey.read_bytes()),
        certificate=loadCertificate(pki.serverCert),
        **kwargs,
    )


def clientContext(options: ClientTLSOptions) -> ssl.SSLContext:
    """
    The standard library context behind C{optionsForClientTLS}'s result.
    """
    context: ssl.SSLContext = options._ctx
    return context


# -- the endpoint classes, on a memory reactor ---------------------------------------


class SSL4EndpointTests:
    """
    L{SSL4ServerEndpoint} and L{SSL4ClientEndpoint} call C{listenSSL} and
    C{connectSSL}.
    """

    def test_serverListens(self) -> None:
        """
        L{SSL4ServerEndpoint} listens with C{listenSSL}, giving it the
        factory, the TLS settings, the backlog and the interface.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Protocol)
        options = object()
        endpoint = SSL4ServerEndpoint(reactor, 8443, options, backlog=7, interface="127.0.0.1")
        assert verifyObject(IStreamServerEndpoint, endpoint)
        port = resultOf(endpoint.listen(factory))
        assert IListeningPort.providedBy(port)
        assert reactor.sslServers == [(8443, factory, options, 7, "127.0.0.1")]
        assert repr(endpoint) == "<SSL4ServerEndpoint 127.0.0.1:8443>"

    def test_serverDefaults(self) -> None:
        """
        By default L{SSL4ServerEndpoint} listens on every IPv4 interface with
        a backlog of 50.
        """
        reactor = MemoryReactor()
        endpoint = SSL4ServerEndpoint(reactor, 0, None)
        resultOf(endpoint.listen(Factory()))
        assert [entry[3:] for entry in reactor.sslServers] == [(50, "")]
        assert repr(endpoint) == "<SSL4ServerEndpoint 0.0.0.0:0>"

    def test_serverFailure(self) -> None:
        """
        An exception from C{listenSSL} fails the Deferred instead of being
        raised.
        """
        endpoint = SSL4ServerEndpoint(RaisingMemoryReactor(), 0, None)
        failureOf(endpoint.listen(Factory()), Exception)

    def test_clientConnects(self) -> None:
        """
        L{SSL4ClientEndpoint} connects with C{connectSSL}, and fires with the
        protocol once connected; a bind host alone means any port.
        """
        reactor = MemoryReactor()
        options = object()
        endpoint = SSL4ClientEndpoint(
            reactor, "example.test", 443, options, timeout=9, bindAddress="127.0.0.1"
        )
        assert verifyObject(IStreamClientEndpoint, endpoint)
        d = endpoint.connect(Factory.forProtocol(Protocol))
        assertNoResult(d)
        [(host, port, wrapping, given, timeout, bindAddress)] = reactor.sslClients
        assert (host, port, given, timeout, bindAddress) == (
            "example.test",
            443,
            options,
            9,
            ("127.0.0.1", 0),
        )
        made = wrapping.buildProtocol(IPv4Address("TCP", "192.0.2.1", 443))
        made.makeConnection(StringTransport())
        assert type(resultOf(d)) is Protocol
        assert repr(endpoint) == "<SSL4ClientEndpoint example.test:443>"

    def test_clientCancel(self) -> None:
        """
        Cancelling L{SSL4ClientEndpoint}'s Deferred stops the attempt.
        """
        reactor = MemoryReactor()
        d = SSL4ClientEndpoint(reactor, "127.0.0.1", 443, None).connect(Factory())
        d.cancel()
        failureOf(d, ConnectingCancelledError)
        assert reactor.connectors[0].stoppedConnecting

    def test_clientFailure(self) -> None:
        """
        An exception from C{connectSSL} fails the Deferred.
        """
        endpoint = SSL4ClientEndpoint(RaisingMemoryReactor(), "127.0.0.1", 443, None)
        failureOf(endpoint.connect(Factory()), Exception)


class WrapTLSTests:
    """
    L{wrapClientTLS} and L{wrapServerTLS} put TLS between another endpoint
    and the application's protocol.
    """

    def test_clientFiresBeforeHandshake(self, pki: PKI) -> None:
        """
        L{wrapClientTLS}'s C{connect} fires with the application's
        protocol, whose transport is the TLS protocol, as soon as the
        wrapped endpoint connects: the client has sent only its hello.
        The given clock runs the handshake timeout.
        """
        reactor, clock = MemoryReactor(), Clock()
        options = optionsForClientTLS(SERVER_NAME, trustRoot=loadCertificate(pki.caCert))
        endpoint = wrapClientTLS(options, TCP4ClientEndpoint(reactor, "127.0.0.1", 443), clock)
        assert verifyObject(IStreamClientEndpoint, endpoint)
        d = endpoint.connect(Factory.forProtocol(Protocol))
        assertNoResult(d)
        wrapping = reactor.tcpClients[0][2]
        transport = StringTransport()
        wrapping.buildProtocol(IPv4Address("TCP", "127.0.0.1", 443)).makeConnection(transport)
        protocol = resultOf(d)
        assert type(protocol) is Protocol
        assert isinstance(protocol.transport, TLSMemoryBIOProtocol)
        assert transport.value()[:1] == b"\x16"  # a TLS handshake record
        assert len(clock.getDelayedCalls()) == 1
        assert repr(endpoint) == "<TLS client endpoint over <TCP4ClientEndpoint 127.0.0.1:443>>"

    def test_clientFailurePassesThrough(self) -> None:
        """
        When the wrapped endpoint fails, so does L{wrapClientTLS}'s.
        """
        reactor = MemoryReactor()
        inner = TCP4ClientEndpoint(reactor, "127.0.0.1", 443)
        d = wrapClientTLS(optionsForClientTLS("example.test"), inner).connect(Factory())
        d.cancel()
        failureOf(d, ConnectingCancelledError)

    def test_clientRefusesServerSettings(self) -> None:
        """
        Settings that cannot make client connections fail the Deferred with
        a C{TypeError}; nothing is connected.
        """
        reactor = MemoryReactor()
        inner = TCP4ClientEndpoint(reactor, "127.0.0.1", 443)
        failure = failureOf(wrapClientTLS(object(), inner).connect(Factory()), TypeError)
        assert "cannot make client TLS connections" in str(failure.value)
        assert reactor.tcpClients == []

    def test_server(self, pki: PKI) -> None:
        """
        L{wrapServerTLS} listens on the wrapped endpoint with a server-side
        L{TLSMemoryBIOFactory} around the application's factory.
        """
        reactor = MemoryReactor()
        factory = Factory.forProtocol(Protocol)
        endpoint = wrapServerTLS(serverOptions(pki), TCP4ServerEndpoint(reactor, 8443))
        assert verifyObject(IStreamServerEndpoint, endpoint)
        resultOf(endpoint.listen(factory))
        [(port, tlsFactory, _, _)] = reactor.tcpServers
        assert isinstance(tlsFactory, TLSMemoryBIOFactory)
        assert (port, tlsFactory.wrappedFactory) == (8443, factory)
        built = tlsFactory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5))
        assert built is not None
        assert type(built.wrappedProtocol) is Protocol
        assert repr(endpoint) == "<TLS server endpoint over <TCP4ServerEndpoint 0.0.0.0:8443>>"

    def test_serverRefusesClientSettings(self) -> None:
        """
        Client settings cannot make a TLS server: C{listen} fails with a
        C{TypeError} and nothing listens.
        """
        reactor = MemoryReactor()
        endpoint = wrapServerTLS(optionsForClientTLS("a.test"), TCP4ServerEndpoint(reactor, 1))
        failure = failureOf(endpoint.listen(Factory()), TypeError)
        assert "cannot make server TLS connections" in str(failure.value)
        assert reactor.tcpServers == []


# -- descriptions that work, on a memory reactor -----------------------------------


class SSLServerDescriptionTests:
    """
    C{ssl:} server descriptions make L{SSL4ServerEndpoint}s with the
    files they name read at once.
    """

    def listened(self, description: str) -> tuple[Any, ...]:
        """
        Listen on the endpoint C{description} makes, on a memory reactor.

        @return: What C{listenSSL} got, less the factory.
        """
        reactor = MemoryReactor()
        endpoint = serverFromString(reactor, description)
        assert isinstance(endpoint, SSL4ServerEndpoint)
        resultOf(endpoint.listen(Factory()))
        [(port, _, options, backlog, interface)] = reactor.sslServers
        return port, options, backlog, interface

    def test_keyAndCertificate(self, pki: PKI) -> None:
        """
        C{privateKey} and C{certKey} name the key and the certificate;
        C{interface} and C{backlog} are passed on.
        """
        port, options, backlog, interface = self.listened(
            f"ssl:443:privateKey={q(pki.serverKey)}:certKey={q(pki.serverCert)}"
            ":interface=127.0.0.1:backlog=7"
        )
        assert (port, backlog, interface) == (443, 7, "127.0.0.1")
        assert isinstance(options, CertificateOptions)
        assert options.certificate == loadCertificate(pki.serverCert)
        assert options.privateKey is not None
        assert options.privateKey.dumpPEM() == KeyPair.loadPEM(pki.serverKey.read_bytes()).dumpPEM()
        assert options.extraCertChain == []

    def test_positional(self, pki: PKI) -> None:
        """
        The arguments may be given by position in Twisted's order: port,
        privateKey, certKey, sslmethod, interface, backlog.
        """
        port, options, backlog, interface = self.listened(
            f"ssl:8443:{q(pki.serverKey)}:{q(pki.serverCert)}:TLS_METHOD:127.0.0.1:9"
        )
        assert (port, backlog, interface) == (8443, 9, "127.0.0.1")
        assert options.certificate == loadCertificate(pki.serverCert)

    def test_certKeyDefaultsToPrivateKey(self, pki: PKI) -> None:
        """
        Without C{certKey}, the certificate is read from the C{privateKey}
        file; the default interface is every IPv4 one.
        """
        _, options, backlog, interface = self.listened(f"ssl:443:privateKey={q(pki.serverPem)}")
        assert options.certificate == loadCertificate(pki.serverCert)
        assert (backlog, interface) == (50, "")

    def test_privateKeyDefaultsToServerPem(
        self, pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        Without C{privateKey}, C{server.pem} in the current directory holds
        the key and the certificate, as in Twisted.
        """
        (tmp_path / "server.pem").write_bytes(pki.serverPem.read_bytes())
        monkeypatch.chdir(tmp_path)
        _, options, _, _ = self.listened("ssl:443")
        assert options.certificate == loadCertificate(pki.serverCert)

    def test_extraCertChain(self, pki: PKI) -> None:
        """
        C{extraCertChain} names intermediates sent after the certificate.
        """
        _, options, _, _ = self.listened(
            f"ssl:443:privateKey={q(pki.serverPem)}:extraCertChain={q(pki.caCert)}"
        )
        assert options.extraCertChain == [loadCertificate(pki.caCert)]

    def test_chainInCertificateFile(self, pki: PKI, tmp_path: Path) -> None:
        """
        Certificates after the first in the C{certKey} file are sent as
        intermediates too (a full-chain file), before C{extraCertChain}'s.
        """
        fullChain = tmp_path / "fullchain.pem"
        fullChain.write_bytes(pki.serverCert.read_bytes() + pki.clientCACert.read_bytes())
        _, options, _, _ = self.listened(
            f"ssl:443:privateKey={q(pki.serverKey)}:certKey={q(fullChain)}"
            f":extraCertChain={q(pki.caCert)}"
        )
        assert options.certificate == loadCertificate(pki.serverCert)
        assert options.extraCertChain == [
            loadCertificate(pki.clientCACert),
            loadCertificate(pki.caCert),
        ]

    def test_sslmethodAndDHParameters(self, pki: PKI) -> None:
        """
        C{sslmethod=TLSv1_2_METHOD} pins TLS 1.2; C{dhParameters} names a
        parameters file, which the settings load.
        """
        _, options, _, _ = self.listened(
            f"ssl:443:privateKey={q(pki.serverPem)}:sslmethod=TLSv1_2_METHOD"
            f":dhParameters={q(pki.dh)}"
        )
        context = options.getContext()
        assert context.maximum_version == ssl.TLSVersion.TLSv1_2
        assert options.dhParameters.path == str(pki.dh)


class ClientDescriptionTests:
    """
    C{ssl:} and C{tls:} client descriptions make endpoints that verify the
    server's certificate and host name.
    """

    def test_sslClient(self, pki: PKI) -> None:
        """
        C{ssl:} makes an L{SSL4ClientEndpoint} whose settings check the
        certificate against the C{caCertsDir} authorities and for the host;
        C{timeout} and C{bindAddress} go to C{connectSSL}.
        """
        reactor = MemoryReactor()
        endpoint = clientFromString(
            reactor,
            f"ssl:host=127.0.0.1:port=8443:caCertsDir={q(pki.trustDir)}"
            ":timeout=5:bindAddress=127.0.0.2",
        )
        assert isinstance(endpoint, SSL4ClientEndpoint)
        endpoint.connect(Factory()).cancel()
        [(host, port, _, options, timeout, bindAddress)] = reactor.sslClients
        assert (host, port, timeout, bindAddress) == ("127.0.0.1", 8443, 5, ("127.0.0.2", 0))
        assert isinstance(options, ClientTLSOptions)
        assert repr(options) == "<ClientTLSOptions for '127.0.0.1'>"
        context = clientContext(options)
        assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
        assert context.get_ca_certs(binary_form=True) == [loadCertificate(pki.caCert).original]

    def test_sslClientHostname(self) -> None:
        """
        C{hostname} names the host the certificate must be for, when it is
        not the one connected to; without C{caCertsDir} the platform's
        authorities are trusted.
        """
        reactor = MemoryReactor()
        endpoint = clientFromString(reactor, "ssl:192.0.2.1:443:hostname=example.test")
        endpoint.connect(Factory()).cancel()
        [(host, _, _, options, _, _)] = reactor.sslClients
        assert host == "192.0.2.1"
        assert repr(options) == "<ClientTLSOptions for 'example.test'>"
        context = clientContext(options)
        assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)

    def test_sslClientCertificate(self, pki: PKI) -> None:
        """
        C{certKey} names a client certificate; its key is in the same file
        or in C{privateKey}.
        """
        for description in (
            f"ssl:a.test:443:certKey={q(pki.clientPem)}",
            f"ssl:a.test:443:certKey={q(pki.clientCert)}:privateKey={q(pki.clientKey)}",
        ):
            assert isinstance(clientFromString(MemoryReactor(), description), SSL4ClientEndpoint)

    def test_tlsClient(self) -> None:
        """
        C{tls:} makes TLS over a L{HostnameEndpoint} to the host and port,
        with the C{timeout} and C{bindAddress} given.
        """
        endpoint = clientFromString(
            MemoryReactor(), "tls:example.test:443:timeout=4:bindAddress=127.0.0.1"
        )
        assert isinstance(endpoint, _endpointstls._TLSClientEndpoint)
        inner = endpoint._wrapped
        assert isinstance(inner, HostnameEndpoint)
        assert repr(endpoint) == "<TLS client endpoint over <HostnameEndpoint example.test:443>>"
        assert (inner._timeout, inner._bindAddress) == (4, ("127.0.0.1", 0))
        assert repr(endpoint._creator) == "<ClientTLSOptions for 'example.test'>"

    def test_tlsClientEndpoint(self, pki: PKI) -> None:
        """
        C{endpoint} gives, escaped, the description of the endpoint to
        connect with; the certificate must still be for the host.
        """
        inner = quoteStringArgument("tcp:127.0.0.1:8443")
        endpoint: Any = clientFromString(
            MemoryReactor(), f"tls:example.test:443:trustRoots={q(pki.trustDir)}:endpoint={inner}"
        )
        assert repr(endpoint) == "<TLS client endpoint over <TCP4ClientEndpoint 127.0.0.1:8443>>"
        assert repr(endpoint._creator) == "<ClientTLSOptions for 'example.test'>"

    def test_tlsTrustRootsFile(self, pki: PKI) -> None:
        """
        C{trustRoots} may also name one PEM file of authorities.
        """
        endpoint: Any = clientFromString(
            MemoryReactor(), f"tls:example.test:443:trustRoots={q(pki.caCert)}"
        )
        context = clientContext(endpoint._creator)
        assert context.get_ca_certs(binary_form=True) == [loadCertificate(pki.caCert).original]


# -- bad descriptions ----------------------------------------------------------------


class BadDescriptionTests:
    """
    A bad TLS description raises C{ValueError} naming the description, the
    bad part and the expected form, when it is parsed.
    """

    def test_serverMissingPrivateKey(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without C{privateKey} and without C{server.pem} in the current
        directory, the error names the default and says to give the key.
        """
        monkeypatch.chdir(tmp_path)
        assert serverError("ssl:443") == (
            "bad server endpoint description 'ssl:443': privateKey 'server.pem' cannot be read: "
            "No such file or directory (privateKey defaults to server.pem in the current "
            f"directory; give privateKey=FILE); expected {SSL_SERVER_USAGE}"
        )

    def test_serverFileProblems(self, pki: PKI, tmp_path: Path) -> None:
        """
        A missing file, a file without the PEM block expected and a
        certificate for another key are each named with their keyword.
        """
        missing = tmp_path / "missing.pem"
        key, cert, both = q(pki.serverKey), q(pki.serverCert), q(pki.serverPem)
        cases = [
            (
                f"ssl:443:privateKey={q(missing)}",
                f"privateKey {str(missing)!r} cannot be read: No such file or directory",
            ),
            (
                f"ssl:443:privateKey={key}:certKey={q(missing)}",
                f"certKey {str(missing)!r} cannot be read: No such file or directory",
            ),
            (
                f"ssl:443:privateKey={q(pki.junk)}",
                f"privateKey {str(pki.junk)!r} holds no usable private key: no private key in "
                "the PEM data: expected a -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY) "
                "block, found no PEM blocks at all",
            ),
            (
                f"ssl:443:privateKey={key}",
                f"privateKey {str(pki.serverKey)!r} holds no certificate: expected a -----BEGIN "
                "CERTIFICATE----- block, found EC PRIVATE KEY (give the certificate with "
                "certKey=FILE, or add it to the privateKey file)",
            ),
            (
                f"ssl:443:privateKey={key}:certKey={key}",
                f"certKey {str(pki.serverKey)!r} holds no certificate: expected a -----BEGIN "
                "CERTIFICATE----- block, found EC PRIVATE KEY",
            ),
            (
                f"ssl:443:privateKey={q(pki.otherKey)}:certKey={cert}",
                f"the certificate in certKey {str(pki.serverCert)!r} is not for the private key "
                f"in privateKey {str(pki.otherKey)!r}; give the certificate issued for that key",
            ),
            (
                f"ssl:443:privateKey={both}:extraCertChain={q(pki.serverKey)}",
                f"extraCertChain {str(pki.serverKey)!r} holds no certificate: expected -----BEGIN "
                "CERTIFICATE----- blocks, found EC PRIVATE KEY",
            ),
            (
                f"ssl:443:privateKey={both}:dhParameters={q(missing)}",
                f"dhParameters {str(missing)!r} cannot be read: No such file or directory",
            ),
        ]
        for description, problem in cases:
            assert serverError(description) == (
                f"bad server endpoint description {description!r}: {problem}; "
                f"expected {SSL_SERVER_USAGE}"
            )

    def test_serverBadDHParameters(self, pki: PKI) -> None:
        """
        A C{dhParameters} file without parameters is named, with what it
        should hold.
        """
        message = serverError(
            f"ssl:443:privateKey={q(pki.serverPem)}:dhParameters={q(pki.serverCert)}"
        )
        assert f"dhParameters {str(pki.serverCert)!r} holds no usable Diffie-Hellman " in message
        assert "(a -----BEGIN DH PARAMETERS----- block of 2048 bits or more)" in message
        assert message.endswith(f"; expected {SSL_SERVER_USAGE}")

    def test_serverArguments(self, pki: PKI) -> None:
        """
        Unknown keywords, bad ports and unknown or outdated methods are
        refused before any file is read.
        """
        cases = [
            (
                "ssl:443:privateKey=k.pem:certkey=c.pem",
                "unknown keyword 'certkey' (did you mean 'certKey'?): ssl takes port, "
                "privateKey, certKey, sslmethod, interface, backlog, extraCertChain, "
                "dhParameters",
            ),
            (
                "ssl:https:privateKey=k.pem",
                "port 'https' is not a port number (a whole number from 0 to 65535)",
            ),
            ("ssl:privateKey=k.pem", "PORT (port) is missing"),
            (
                "ssl:443:privateKey=k.pem:sslmethod=TLSv1_METHOD",
                "sslmethod 'TLSv1_METHOD' pins a protocol version older than TLS 1.2, which "
                "torsion refuses; leave sslmethod out (TLS 1.2 and newer are negotiated)",
            ),
            (
                "ssl:443:privateKey=k.pem:sslmethod=DTLS_METHOD",
                "sslmethod 'DTLS_METHOD' is not one of SSLv23_METHOD, TLS_METHOD, "
                "TLS_SERVER_METHOD, TLSv1_2_METHOD",
            ),
        ]
        for description, problem in cases:
            assert serverError(description) == (
                f"bad server endpoint description {description!r}: {problem}; "
                f"expected {SSL_SERVER_USAGE}"
            )

    def test_tlsClient(self, pki: PKI, tmp_path: Path) -> None:
        """
        Bad C{tls:} descriptions name the bad part: a missing port, a
        misspelt keyword, trust roots that are missing or hold no
        certificate, a key without its certificate, a certificate without
        its key, and C{timeout} given with C{endpoint}.
        """
        missing = tmp_path / "nowhere"
        cases = [
            ("tls:example.test", "PORT (port) is missing"),
            (
                "tls:example.test:http",
                "port 'http' is not a port number (a whole number from 0 to 65535)",
            ),
            (
                "tls:example.test:443:trustRoot=/etc/ssl/certs",
                "unknown keyword 'trustRoot' (did you mean 'trustRoots'?): tls takes host, "
                "port, timeout, bindAddress, certificate, privateKey, trustRoots, endpoint",
            ),
            (
                f"tls:example.test:443:trustRoots={q(missing)}",
                f"trustRoots {str(missing)!r} cannot be read: No such file or directory",
            ),
            (
                f"tls:example.test:443:trustRoots={q(pki.emptyDir)}",
                f"trustRoots {str(pki.emptyDir)!r} holds no certificate: put each trusted "
                "authority's certificate there, PEM-encoded, in a file whose name ends in .pem",
            ),
            (
                f"tls:example.test:443:trustRoots={q(pki.junk)}",
                f"trustRoots {str(pki.junk)!r} is neither a directory of *.pem files nor a "
                "file of PEM certificates (found no PEM blocks at all)",
            ),
            (
                f"tls:example.test:443:privateKey={q(pki.clientKey)}",
                f"privateKey {str(pki.clientKey)!r} is given without certificate=FILE, the "
                "client certificate it belongs to",
            ),
            (
                f"tls:example.test:443:certificate={q(pki.clientCert)}",
                f"certificate {str(pki.clientCert)!r} holds no usable private key: no private "
                "key in the PEM data: expected a -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE "
                "KEY) block, found CERTIFICATE (without privateKey=FILE, the certificate file "
                "must hold the key too)",
            ),
            (
                f"tls:example.test:443:certificate={q(pki.clientCert)}:privateKey={q(missing)}",
                f"privateKey {str(missing)!r} cannot be read: No such file or directory",
            ),
            (
                "tls:example.test:443:timeout=5:endpoint=tcp\\:127.0.0.1\\:443",
                "timeout= applies to the connection tls makes itself, not to endpoint=; put it "
                "in the endpoint= description instead",
            ),
        ]
        for description, problem in cases:
            assert clientError(description) == (
                f"bad client endpoint description {description!r}: {problem}; "
                f"expected {TLS_CLIENT_USAGE}"
            )

    def test_tlsBadInnerEndpoint(self) -> None:
        """
        A bad C{endpoint} description is named, with the problem and the
        form its own type expects.
        """
        description = "tls:example.test:443:endpoint=tcp\\:127.0.0.1\\:https"
        assert clientError(description) == (
            f"bad client endpoint description {description!r}: endpoint "
            "'tcp:127.0.0.1:https' is not a usable client description: port 'https' is not a "
            "port number (a whole number from 0 to 65535); expected "
            "tcp:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS], "
            "e.g. tcp:example.org:80:timeout=10"
        )

    def test_sslClient(self, tmp_path: Path) -> None:
        """
        Bad C{ssl:} client descriptions name the bad part.
        """
        missing = tmp_path / "nowhere"
        cases = [
            (
                f"ssl:example.test:443:caCertsDir={q(missing)}",
                f"caCertsDir {str(missing)!r} cannot be read: No such file or directory",
            ),
            (
                f"ssl:example.test:443:certKey={q(missing)}",
                f"certKey {str(missing)!r} cannot be read: No such file or directory",
            ),
            (
                "ssl:example.test:443:caCerts=/etc/ssl/certs",
                "unknown keyword 'caCerts' (did you mean 'caCertsDir'?): ssl takes host, port, "
                "timeout, bindAddress, certKey, privateKey, caCertsDir, hostname",
            ),
        ]
        for description, problem in cases:
            assert clientError(description) == (
                f"bad client endpoint description {description!r}: {problem}; "
                f"expected {SSL_CLIENT_USAGE}"
            )


# -- real connections ------------------------------------------------------------------


@implementer(IHandshakeListener)
class EchoServer(Protocol):
    """
    Sends back what it receives, and records the client's certificate.
    """

    def __init__(self) -> None:
        self.peerCertificate: Certificate | None = None
        self.reason: Failure | None = None
        self.lost: Deferred[None] = Deferred()

    def handshakeCompleted(self) -> None:
        self.peerCertificate = self.transport.getPeerCertificate()

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)


class EchoFactory(Factory):
    """
    Builds L{EchoServer}s and keeps them.
    """

    protocol = EchoServer

    def __init__(self) -> None:
        self.built: list[EchoServer] = []

    def buildProtocol(self, addr: Any) -> EchoServer:
        built = EchoServer()
        built.factory = self
        self.built.append(built)
        return built


class Talker(Protocol):
    """
    Sends C{hello}, and hangs up once it has come back.
    """

    def __init__(self) -> None:
        self.received = b""
        self.reason: Failure | None = None
        self.lost: Deferred[None] = Deferred()

    def connectionMade(self) -> None:
        self.transport.write(b"hello")

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self.received == b"hello":
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)


@dataclass
class Exchange:
    """
    How one connection went.

    @ivar talker: The client's protocol.
    @ivar server: The server's protocol.
    @ivar clientReason: Why the client's connection ended.
    @ivar serverReason: Why the server's ended.
    """

    talker: Talker
    server: EchoServer
    clientReason: Failure
    serverReason: Failure


def exchange(
    reactor: PollingReactor,
    server: IStreamServerEndpoint,
    makeClient: Callable[[int], IStreamClientEndpoint],
) -> Exchange:
    """
    Listen on C{server}, connect a L{Talker} through the client endpoint
    C{makeClient} makes for the port number, wait until both ends have
    closed, and stop listening.
    """
    factory = EchoFactory()
    port = runUntil(reactor, server.listen(factory), 30)
    try:
        talker = Talker()
        address: Any = port.getHost()
        connected = runUntil(reactor, connectProtocol(makeClient(address.port), talker), 30)
        assert connected is talker
        runUntil(reactor, talker.lost, 30)
        [built] = factory.built
        runUntil(reactor, built.lost, 30)
    finally:
        runUntil(reactor, maybeDeferred(port.stopListening), 30)
    assert talker.reason is not None and built.reason is not None
    return Exchange(talker, built, talker.reason, built.reason)


class RealConnectionTests:
    """
    TLS endpoints listening and connecting for real on 127.0.0.1, on every
    reactor.
    """

    def test_ssl4Endpoints(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        An L{SSL4ClientEndpoint} reaches an L{SSL4ServerEndpoint}, and the
        bytes go both ways encrypted.
        """
        options = optionsForClientTLS(SERVER_NAME, trustRoot=loadCertificate(pki.caCert))
        done = exchange(
            anyReactor,
            SSL4ServerEndpoint(anyReactor, 0, serverOptions(pki), interface="127.0.0.1"),
            lambda port: SSL4ClientEndpoint(anyReactor, "127.0.0.1", port, options),
        )
        assert done.talker.received == b"hello"
        assert isinstance(done.talker.transport, TLSMemoryBIOProtocol)
        assert done.talker.transport.getPeerCertificate() == loadCertificate(pki.serverCert)
        assert done.server.peerCertificate is None

    def test_descriptionsTLS(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        A C{tls:} client, its host name resolved by the reactor's resolver,
        reaches an C{ssl:} server and verifies its certificate against the
        C{trustRoots} directory.
        """
        anyReactor.installNameResolver(SynchronousResolver())
        server = serverFromString(
            anyReactor,
            f"ssl:0:privateKey={q(pki.serverKey)}:certKey={q(pki.serverCert)}:interface=127.0.0.1",
        )
        done = exchange(
            anyReactor,
            server,
            lambda port: clientFromString(
                anyReactor, f"tls:{SERVER_NAME}:{port}:trustRoots={q(pki.trustDir)}"
            ),
        )
        assert done.talker.received == b"hello"
        assert done.clientReason.check(ConnectionDone)

    def test_descriptionsSSL(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        An C{ssl:} client reaches an C{ssl:} server at its IP address,
        which the certificate is for, verifying it against C{caCertsDir}.
        """
        server = serverFromString(
            anyReactor, f"ssl:0:privateKey={q(pki.serverPem)}:interface=127.0.0.1"
        )
        done = exchange(
            anyReactor,
            server,
            lambda port: clientFromString(
                anyReactor, f"ssl:host=127.0.0.1:port={port}:caCertsDir={q(pki.trustDir)}"
            ),
        )
        assert done.talker.received == b"hello"

    def test_wrongHostname(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        A C{tls:} client refuses a certificate that is not for the host it
        names: C{connect} fires (before the handshake), then the protocol
        loses its connection with the verification error, having received
        nothing.
        """
        anyReactor.installNameResolver(SynchronousResolver())
        server = serverFromString(
            anyReactor, f"ssl:0:privateKey={q(pki.serverPem)}:interface=127.0.0.1"
        )
        done = exchange(
            anyReactor,
            server,
            lambda port: clientFromString(
                anyReactor, f"tls:wrong.test:{port}:trustRoots={q(pki.trustDir)}"
            ),
        )
        assert done.talker.received == b""
        assert done.clientReason.check(ssl.SSLCertVerificationError)
        assert "wrong.test" in str(done.clientReason.value)
        assert done.serverReason.check(ssl.SSLError)

    def test_sslClientVerifiesByDefault(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        An C{ssl:} client without C{caCertsDir} trusts only the platform's
        authorities, so it refuses the test authority's certificate.
        """
        server = serverFromString(
            anyReactor, f"ssl:0:privateKey={q(pki.serverPem)}:interface=127.0.0.1"
        )
        done = exchange(
            anyReactor,
            server,
            lambda port: clientFromString(anyReactor, f"ssl:127.0.0.1:{port}"),
        )
        assert done.talker.received == b""
        assert done.clientReason.check(ssl.SSLCertVerificationError)

    def test_clientCertificate(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        A C{tls:} client presents the C{certificate} (with its
        C{privateKey}) to a server that requires one.
        """
        anyReactor.installNameResolver(SynchronousResolver())
        options = serverOptions(pki, trustRoot=loadCertificate(pki.clientCACert))
        done = exchange(
            anyReactor,
            SSL4ServerEndpoint(anyReactor, 0, options, interface="127.0.0.1"),
            lambda port: clientFromString(
                anyReactor,
                f"tls:{SERVER_NAME}:{port}:trustRoots={q(pki.trustDir)}"
                f":certificate={q(pki.clientCert)}:privateKey={q(pki.clientKey)}",
            ),
        )
        assert done.talker.received == b"hello"
        assert done.server.peerCertificate == loadCertificate(pki.clientCert)

    def test_clientCertificateRequired(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        A C{tls:} client without a certificate is refused by a server that
        requires one: nothing is echoed, and the server's connection ends
        with the TLS error.
        """
        anyReactor.installNameResolver(SynchronousResolver())
        options = serverOptions(pki, trustRoot=loadCertificate(pki.clientCACert))
        done = exchange(
            anyReactor,
            SSL4ServerEndpoint(anyReactor, 0, options, interface="127.0.0.1"),
            lambda port: clientFromString(
                anyReactor, f"tls:{SERVER_NAME}:{port}:trustRoots={q(pki.trustDir)}"
            ),
        )
        assert done.talker.received == b""
        assert done.serverReason.check(ssl.SSLError)
        assert done.clientReason.check(ssl.SSLError)

    def test_wrapEndpoints(self, anyReactor: PollingReactor, pki: PKI) -> None:
        """
        L{wrapClientTLS} over a TCP client endpoint reaches L{wrapServerTLS}
        over a TCP server endpoint.
        """
        options = optionsForClientTLS("127.0.0.1", trustRoot=loadCertificate(pki.caCert))
        done = exchange(
            anyReactor,
            wrapServerTLS(
                serverOptions(pki), TCP4ServerEndpoint(anyReactor, 0, interface="127.0.0.1")
            ),
            lambda port: wrapClientTLS(options, TCP4ClientEndpoint(anyReactor, "127.0.0.1", port)),
        )
        assert done.talker.received == b"hello"
        assert done.talker.transport.getPeerCertificate() == loadCertificate(pki.serverCert)

    def test_refused(self, anyReactor: PollingReactor) -> None:
        """
        Where nothing listens, a C{tls:} client's C{connect} fails with the
        connection error (TLS never starts).
        """
        with RefusingPort() as free:
            d = clientFromString(anyReactor, f"tls:127.0.0.1:{free}").connect(Factory())
            with pytest.raises(ConnectionAttemptsFailed) as raised:
                runUntil(anyReactor, d, 30)
        [(_, reason)] = raised.value.attempts
        assert reason.check(ConnectionRefusedError)


# -- re-exports ------------------------------------------------------------------------


def test_reexports() -> None:
    """
    The names re-exported at Twisted's paths are the objects defined in the
    private modules, reporting the public module.
    """
    assert testing.SynchronousResolver is _resolver.SynchronousResolver
    assert systemd.ListenFDs is _endpointssystemd.ListenFDs
    assert systemd.ListenFDs.__module__ == "torsion.python.systemd"
    assert systemd.__all__ == ["ListenFDs"]
    for name in ("SSL4ClientEndpoint", "SSL4ServerEndpoint", "wrapClientTLS", "wrapServerTLS"):
        assert getattr(endpoints, name) is getattr(_endpointstls, name)
        assert getattr(endpoints, name).__module__ == "torsion.internet.endpoints"
        assert name in endpoints.__all__


def test_importingEndpointsLeavesTLSAlone() -> None:
    """
    The TLS protocol and settings modules are loaded when a TLS endpoint is
    used, not when the endpoints are imported.
    """
    import subprocess
    import sys

    code = (
        "import sys, torsion.internet.endpoints\n"
        "print(sorted({'torsion.protocols._tls', 'torsion.internet._ssloptions',"
        " 'torsion.internet._sslsettings'} & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ).stdout
    assert out.strip() == "[]"
