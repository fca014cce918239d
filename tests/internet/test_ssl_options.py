"""
Tests for the TLS settings of L{torsion.internet.ssl}: real handshakes
between the C{ssl.SSLObject}s its connection creators make, run in memory
by L{TLSPair}, plus argument checking.
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography.x509.oid import ExtendedKeyUsageOID
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.internet.test_ssl_certs import makeCertificate
from torsion.internet._itls import ITLSProtocolState
from torsion.internet.interfaces import (
    IOpenSSLClientConnectionCreator,
    IOpenSSLContextFactory,
    IOpenSSLServerConnectionCreator,
    IOpenSSLTrustRoot,
)
from torsion.internet.ssl import (
    FILETYPE_PEM,
    AcceptableCiphers,
    Certificate,
    CertificateError,
    CertificateOptions,
    ClientContextFactory,
    ClientTLSOptions,
    ContextFactory,
    DefaultOpenSSLContextFactory,
    DiffieHellmanParameters,
    OpenSSLCertificateAuthorities,
    OpenSSLDefaultPaths,
    PrivateCertificate,
    SSLv23_METHOD,
    TLSv1_2_METHOD,
    TLSVersion,
    VerificationError,
    optionsForClientTLS,
    platformTrust,
    supported,
    trustRootFromCertificates,
)
from torsion.logger import LogEvent

# --- the in-memory handshake helper ----------------------------------------


@implementer(ITLSProtocolState)
class FakeTLSProtocol:
    """
    The part of a TLS protocol a connection creator reads: two memory BIOs
    and the host name the client connected to.
    """

    def __init__(self, serverHostname: str | None = None) -> None:
        self.incomingBIO = ssl.MemoryBIO()
        self.outgoingBIO = ssl.MemoryBIO()
        self.serverHostname = serverHostname


class FakeTransport:
    """A transport whose handle is an C{ssl.SSLObject}, as TLS transports' are."""

    def __init__(self, handle: object) -> None:
        self._handle = handle

    def getHandle(self) -> object:
        return self._handle


class ContextCreator:
    """
    Make connections from an old-style factory's context, as the TLS
    protocol does for C{getContext()} providers.
    """

    def __init__(self, factory: Any) -> None:
        self.factory = factory

    def clientConnectionForTLS(self, protocol: FakeTLSProtocol) -> ssl.SSLObject:
        return self.factory.getContext().wrap_bio(  # type: ignore[no-any-return]
            protocol.incomingBIO, protocol.outgoingBIO, server_hostname=protocol.serverHostname
        )

    def serverConnectionForTLS(self, protocol: FakeTLSProtocol) -> ssl.SSLObject:
        return self.factory.getContext().wrap_bio(  # type: ignore[no-any-return]
            protocol.incomingBIO, protocol.outgoingBIO, server_side=True
        )


class HandshakeFailed(Exception):
    """One side of a L{TLSPair} raised during its handshake."""

    def __init__(self, side: str, error: ssl.SSLError) -> None:
        super().__init__(f"{side}: {error}")
        self.side = side
        self.error = error


class TLSPair:
    """
    A client and a server C{ssl.SSLObject} made by connection creators, with
    bytes pumped between their memory BIOs.
    """

    def __init__(self, client: Any, server: Any, hostname: str | None = "example.com") -> None:
        self.clientProtocol = FakeTLSProtocol(hostname)
        self.serverProtocol = FakeTLSProtocol()
        self.client: ssl.SSLObject = client.clientConnectionForTLS(self.clientProtocol)
        self.server: ssl.SSLObject = server.serverConnectionForTLS(self.serverProtocol)

    def _flush(self) -> bool:
        toServer = self.clientProtocol.outgoingBIO.read()
        toClient = self.serverProtocol.outgoingBIO.read()
        self.serverProtocol.incomingBIO.write(toServer)
        self.clientProtocol.incomingBIO.write(toClient)
        return bool(toServer or toClient)

    def handshake(self) -> TLSPair:
        """
        Pump until both sides finish the handshake.

        @raise HandshakeFailed: Naming the first side that failed.
        """
        done = {"client": False, "server": False}
        for _ in range(50):
            for side, connection in (("client", self.client), ("server", self.server)):
                if done[side]:
                    continue
                try:
                    connection.do_handshake()
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError as e:
                    self._flush()
                    raise HandshakeFailed(side, e) from e
                else:
                    done[side] = True
            if not self._flush() and all(done.values()):
                return self
        raise AssertionError("the handshake made no progress")

    def send(self, sender: ssl.SSLObject, receiver: ssl.SSLObject, data: bytes) -> bytes:
        """Write C{data} on one side and return what the other reads."""
        sender.write(data)
        self._flush()
        received = b""
        while True:
            try:
                received += receiver.read(65536)
            except ssl.SSLWantReadError:
                return received


def handshake(client: Any, server: Any, hostname: str | None = "example.com") -> TLSPair:
    """Make a L{TLSPair} and complete its handshake."""
    return TLSPair(client, server, hostname).handshake()


def failure(client: Any, server: Any, hostname: str | None = "example.com") -> HandshakeFailed:
    """The handshake's failure, which must happen."""
    with pytest.raises(HandshakeFailed) as caught:
        handshake(client, server, hostname)
    return caught.value


# --- fixtures --------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """The authority servers' certificates chain to."""
    return trustme.CA()


@pytest.fixture(scope="module")
def caCertificate(ca: trustme.CA) -> Certificate:
    """The authority's certificate."""
    return Certificate.loadPEM(ca.cert_pem.bytes())


@pytest.fixture(scope="module")
def serverCertificate(ca: trustme.CA) -> PrivateCertificate:
    """A server certificate for example.com, www.example.com and 127.0.0.1."""
    leaf = ca.issue_cert("example.com", "www.example.com", "127.0.0.1")
    return PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())


@pytest.fixture(scope="module")
def clientCA() -> trustme.CA:
    """The authority client certificates chain to."""
    return trustme.CA()


@pytest.fixture(scope="module")
def clientCertificate(clientCA: trustme.CA) -> PrivateCertificate:
    """A client certificate from L{clientCA}."""
    leaf = clientCA.issue_cert("client@example.com")
    return PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())


def issue(ca: trustme.CA, *names: str) -> PrivateCertificate:
    """A certificate from C{ca} for C{names}."""
    leaf = ca.issue_cert(*names)
    return PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())


# --- interfaces ------------------------------------------------------------


class InterfaceTests:
    def test_certificateOptions(self, serverCertificate: PrivateCertificate) -> None:
        """
        CertificateOptions is a context factory and both connection creators.
        """
        options = serverCertificate.options()
        assert verifyObject(IOpenSSLContextFactory, options)
        assert verifyObject(IOpenSSLServerConnectionCreator, options)
        assert verifyObject(IOpenSSLClientConnectionCreator, options)

    def test_fakeProtocol(self) -> None:
        """
        The fake TLS protocol these tests hand to connection creators has
        what the contract promises them.
        """
        assert verifyObject(ITLSProtocolState, FakeTLSProtocol("example.com"))

    def test_clientOptions(self, caCertificate: Certificate) -> None:
        """
        optionsForClientTLS gives a client connection creator.
        """
        options = optionsForClientTLS("example.com", caCertificate)
        assert isinstance(options, ClientTLSOptions)
        assert verifyObject(IOpenSSLClientConnectionCreator, options)
        assert repr(options) == "<ClientTLSOptions for 'example.com'>"

    def test_trustRoots(self, caCertificate: Certificate) -> None:
        """
        platformTrust() and trustRootFromCertificates() give trust roots.
        """
        assert isinstance(platformTrust(), OpenSSLDefaultPaths)
        assert verifyObject(IOpenSSLTrustRoot, platformTrust())
        fromList = trustRootFromCertificates([caCertificate])
        assert isinstance(fromList, OpenSSLCertificateAuthorities)
        assert verifyObject(IOpenSSLTrustRoot, fromList)

    def test_legacyFactories(self, serverCertificate: PrivateCertificate, tmp_path: Path) -> None:
        """
        The old-style factories are context factories; isClient tells
        clients from servers.
        """
        keyFile, certFile = writeFiles(tmp_path, serverCertificate)
        server = DefaultOpenSSLContextFactory(keyFile, certFile)
        for factory in (ContextFactory(), ClientContextFactory(), server):
            assert verifyObject(IOpenSSLContextFactory, factory)
        assert ClientContextFactory.isClient == 1
        assert server.isClient == 0
        assert supported is True

    def test_publicNames(self) -> None:
        """
        Every name in C{__all__} exists once, and its classes and functions
        report C{torsion.internet.ssl} as their module (the standard
        library's VerificationError aside).
        """
        import torsion.internet.ssl as public

        assert len(set(public.__all__)) == len(public.__all__)
        for name in public.__all__:
            obj = getattr(public, name)
            if isinstance(obj, type) or callable(obj):
                expected = "ssl" if name == "VerificationError" else "torsion.internet.ssl"
                assert obj.__module__ == expected, name
        assert public.DN is public.DistinguishedName
        assert public.VerificationError is ssl.SSLCertVerificationError

    def test_baseContextFactory(self) -> None:
        """
        The base class's getContext tells subclasses to implement it.
        """
        with pytest.raises(NotImplementedError, match=r"ContextFactory must implement getContext"):
            ContextFactory().getContext()


# --- handshakes ------------------------------------------------------------


class HandshakeTests:
    def test_dataBothWays(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        A verifying client and a server complete a TLS 1.3 handshake and
        exchange data both ways.
        """
        pair = handshake(
            optionsForClientTLS("example.com", caCertificate), serverCertificate.options()
        )
        assert pair.client.version() == "TLSv1.3"
        assert pair.send(pair.client, pair.server, b"ping") == b"ping"
        assert pair.send(pair.server, pair.client, b"pong" * 5000) == b"pong" * 5000
        assert pair.client.server_hostname == "example.com"
        assert pair.client.compression() is None

    def test_peerAndHostCertificates(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        peerFromTransport gives the other end's certificate and
        hostFromTransport this end's, as torsion Certificates.
        """
        pair = handshake(
            optionsForClientTLS("example.com", caCertificate), serverCertificate.options()
        )
        peer = Certificate.peerFromTransport(FakeTransport(pair.client))
        assert peer == serverCertificate
        assert type(peer) is Certificate
        assert Certificate.hostFromTransport(FakeTransport(pair.server)) == serverCertificate
        with pytest.raises(CertificateError, match=r"the peer of .* sent no certificate"):
            Certificate.peerFromTransport(FakeTransport(pair.server))
        with pytest.raises(CertificateError, match=r"presents no certificate that torsion"):
            Certificate.hostFromTransport(FakeTransport(pair.client))

    def test_certificatesFromOtherTransports(self, serverCertificate: PrivateCertificate) -> None:
        """
        Transports that are not TLS, or have not finished the handshake,
        have no certificates to give.
        """
        with pytest.raises(
            CertificateError, match=r"is not a TLS transport: .*not an ssl.SSLObject"
        ):
            Certificate.peerFromTransport(FakeTransport(object()))
        pair = TLSPair(CertificateOptions(), serverCertificate.options())
        with pytest.raises(CertificateError, match=r"has not finished its TLS handshake"):
            Certificate.peerFromTransport(FakeTransport(pair.client))

    def test_wrongHostname(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        A certificate for another name is rejected by the client, naming
        the mismatch.
        """
        failed = failure(
            optionsForClientTLS("wrong.example", caCertificate),
            serverCertificate.options(),
            hostname=None,
        )
        assert failed.side == "client"
        assert isinstance(failed.error, VerificationError)
        assert "Hostname mismatch" in str(failed.error)
        assert "wrong.example" in str(failed.error)

    def test_hostnameFromOptionsNotProtocol(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        optionsForClientTLS checks its own host name, whatever the protocol
        was told.
        """
        pair = handshake(
            optionsForClientTLS("www.example.com", caCertificate),
            serverCertificate.options(),
            hostname="unrelated.example",
        )
        assert pair.client.server_hostname == "www.example.com"

    def test_ipAddress(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        An IP address works as the host name, matched against the
        certificate's IP address entries.
        """
        handshake(optionsForClientTLS("127.0.0.1", caCertificate), serverCertificate.options())
        failed = failure(
            optionsForClientTLS("127.0.0.2", caCertificate), serverCertificate.options()
        )
        assert "IP address mismatch" in str(failed.error)

    def test_platformTrustByDefault(self, serverCertificate: PrivateCertificate) -> None:
        """
        By default the client trusts the platform's authorities, which do
        not include a test CA.
        """
        failed = failure(optionsForClientTLS("example.com"), serverCertificate.options())
        assert failed.side == "client"
        assert "unable to get local issuer certificate" in str(failed.error)

    def test_selfSigned(self) -> None:
        """
        A self-signed certificate is rejected unless it is the trust root.
        """
        selfSigned = makeCertificate()
        server = selfSigned.privateCertificate().options()
        otherCA = makeCertificate("Other CA", isCA=True, dnsNames=()).torsionCertificate()
        failed = failure(optionsForClientTLS("example.com", otherCA), server)
        assert "self-signed certificate" in str(failed.error)
        handshake(optionsForClientTLS("example.com", selfSigned.torsionCertificate()), server)

    def test_expired(self) -> None:
        """
        An expired certificate is rejected even when it is itself trusted.
        """
        now = datetime.now(UTC)
        issuer = makeCertificate("CA", isCA=True, dnsNames=())
        expired = makeCertificate(
            issuer=issuer, notBefore=now - timedelta(days=10), notAfter=now - timedelta(days=1)
        )
        failed = failure(
            optionsForClientTLS("example.com", issuer.torsionCertificate()),
            expired.privateCertificate().options(),
        )
        assert "certificate has expired" in str(failed.error)
        selfSigned = makeCertificate(
            notBefore=now - timedelta(days=10), notAfter=now - timedelta(days=1)
        )
        failed = failure(
            optionsForClientTLS("example.com", selfSigned.torsionCertificate()),
            selfSigned.privateCertificate().options(),
        )
        assert "certificate has expired" in str(failed.error)

    def test_notYetValid(self) -> None:
        """
        A certificate whose validity starts tomorrow is rejected.
        """
        now = datetime.now(UTC)
        issuer = makeCertificate("CA", isCA=True, dnsNames=())
        early = makeCertificate(
            issuer=issuer, notBefore=now + timedelta(days=1), notAfter=now + timedelta(days=2)
        )
        failed = failure(
            optionsForClientTLS("example.com", issuer.torsionCertificate()),
            early.privateCertificate().options(),
        )
        assert "certificate is not yet valid" in str(failed.error)

    def test_wrongKeyUsage(self) -> None:
        """
        A certificate only for client authentication cannot serve.
        """
        issuer = makeCertificate("CA", isCA=True, dnsNames=())
        clientOnly = makeCertificate(
            issuer=issuer, extendedKeyUsage=[ExtendedKeyUsageOID.CLIENT_AUTH]
        )
        failed = failure(
            optionsForClientTLS("example.com", issuer.torsionCertificate()),
            clientOnly.privateCertificate().options(),
        )
        assert "unsuitable certificate purpose" in str(failed.error)

    def test_trustRootFromCertificates(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        A trust root of several authorities accepts a chain to any of them.
        """
        other = makeCertificate("Other CA", isCA=True, dnsNames=()).torsionCertificate()
        trust = trustRootFromCertificates([other, caCertificate])
        handshake(optionsForClientTLS("example.com", trust), serverCertificate.options())
        failed = failure(
            optionsForClientTLS("example.com", trustRootFromCertificates([other])),
            serverCertificate.options(),
        )
        assert "unable to get local issuer certificate" in str(failed.error)

    def test_extraCertChain(self) -> None:
        """
        Intermediate certificates in extraCertChain are sent after the
        server's, so a client trusting only the root verifies the chain.
        """
        root = makeCertificate("Root", isCA=True, dnsNames=())
        intermediate = makeCertificate("Intermediate", issuer=root, isCA=True, dnsNames=())
        leaf = makeCertificate(issuer=intermediate).privateCertificate()
        client = optionsForClientTLS("example.com", root.torsionCertificate())
        chained = CertificateOptions(
            privateKey=leaf.privateKey,
            certificate=leaf,
            extraCertChain=[intermediate.torsionCertificate()],
        )
        pair = handshake(client, chained)
        assert _served(pair) == leaf
        failed = failure(
            optionsForClientTLS("example.com", root.torsionCertificate()), leaf.options()
        )
        assert "unable to get local issuer certificate" in str(failed.error)


# --- CertificateOptions as a client ----------------------------------------


class CertificateOptionsClientTests:
    def test_noVerificationByDefault(self, serverCertificate: PrivateCertificate) -> None:
        """
        As in Twisted, CertificateOptions() verifies nothing; the protocol's
        host name is still sent as SNI.
        """
        pair = handshake(CertificateOptions(), serverCertificate.options(), "sni.example")
        assert pair.client.server_hostname == "sni.example"
        assert CertificateOptions().getContext().verify_mode == ssl.CERT_NONE

    def test_verifyChainNotHostname(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        With verify=True the chain is checked against caCerts, but, as in
        Twisted, not the host name.
        """
        client = CertificateOptions(verify=True, caCerts=[caCertificate])
        handshake(client, serverCertificate.options(), hostname="not-the-name.example")
        selfSigned = makeCertificate().privateCertificate().options()
        failed = failure(client, selfSigned)
        assert "self-signed certificate" in str(failed.error)
        context = client.getContext()
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert not context.check_hostname

    def test_trustRootImpliesVerify(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        trustRoot turns verification on.
        """
        options = CertificateOptions(trustRoot=caCertificate)
        assert options.verify
        handshake(options, serverCertificate.options())
        failed = failure(
            CertificateOptions(trustRoot=caCertificate),
            makeCertificate().privateCertificate().options(),
        )
        assert failed.side == "client"


# --- client certificates ---------------------------------------------------


class ClientCertificateTests:
    def test_required(
        self,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        clientCertificate: PrivateCertificate,
        clientCA: trustme.CA,
    ) -> None:
        """
        A server with authorities accepts a client certificate they issued,
        and the server can read it.
        """
        server = serverCertificate.options(Certificate.loadPEM(clientCA.cert_pem.bytes()))
        client = optionsForClientTLS("example.com", caCertificate, clientCertificate)
        pair = handshake(client, server)
        assert Certificate.peerFromTransport(FakeTransport(pair.server)) == clientCertificate
        assert Certificate.hostFromTransport(FakeTransport(pair.client)) == clientCertificate

    def test_requiredMissing(
        self,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        clientCA: trustme.CA,
    ) -> None:
        """
        A client without a certificate is refused by a server requiring one.
        """
        server = serverCertificate.options(Certificate.loadPEM(clientCA.cert_pem.bytes()))
        failed = failure(optionsForClientTLS("example.com", caCertificate), server)
        assert failed.side == "server"
        assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in str(failed.error)

    def test_untrustedClient(
        self,
        ca: trustme.CA,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        clientCA: trustme.CA,
    ) -> None:
        """
        A client certificate from another authority is refused.
        """
        server = serverCertificate.options(Certificate.loadPEM(clientCA.cert_pem.bytes()))
        stranger = issue(ca, "stranger@example.com")
        failed = failure(optionsForClientTLS("example.com", caCertificate, stranger), server)
        assert failed.side == "server"
        assert "certificate verify failed" in str(failed.error)

    def test_optional(
        self,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        clientCertificate: PrivateCertificate,
        clientCA: trustme.CA,
    ) -> None:
        """
        With requireCertificate=False a client may omit its certificate; one
        that is sent is still verified.
        """
        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            verify=True,
            caCerts=[Certificate.loadPEM(clientCA.cert_pem.bytes())],
            requireCertificate=False,
        )
        assert server.getContext().verify_mode == ssl.CERT_OPTIONAL
        anonymous = handshake(optionsForClientTLS("example.com", caCertificate), server)
        assert anonymous.server.getpeercert(binary_form=True) is None
        named = handshake(
            optionsForClientTLS("example.com", caCertificate, clientCertificate), server
        )
        assert Certificate.peerFromTransport(FakeTransport(named.server)) == clientCertificate
        failed = failure(
            optionsForClientTLS(
                "example.com", caCertificate, makeCertificate().privateCertificate()
            ),
            server,
        )
        assert failed.side == "server"


# --- SNI -------------------------------------------------------------------


def _served(pair: TLSPair) -> Certificate:
    return Certificate.peerFromTransport(FakeTransport(pair.client))


class ServerNameTests:
    def test_mapping(
        self, ca: trustme.CA, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        serverNames picks the certificate for the name the client sent,
        case-insensitively, including one-label wildcards and
        CertificateOptions values; other names get the default.
        """
        alpha = issue(ca, "alpha.example")
        beta = issue(ca, "beta.example")
        wild = issue(ca, "*.wild.example")
        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            serverNames={
                "ALPHA.example": alpha,
                "beta.example": beta.options(),
                "*.wild.example": wild,
            },
        )
        for name, expected in [
            ("alpha.example", alpha),
            ("beta.example", beta),
            ("x.wild.example", wild),
            ("example.com", serverCertificate),
        ]:
            pair = handshake(optionsForClientTLS(name, caCertificate), server)
            assert _served(pair) == expected
            assert Certificate.hostFromTransport(FakeTransport(pair.server)) == expected
        unknown = handshake(CertificateOptions(), server, hostname="unknown.example")
        assert _served(unknown) == serverCertificate

    def test_noServerName(
        self, ca: trustme.CA, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        A client that sends no name (it connected to an IP address) gets
        the default certificate.
        """
        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            serverNames={"alpha.example": issue(ca, "alpha.example")},
        )
        pair = handshake(optionsForClientTLS("127.0.0.1", caCertificate), server)
        assert _served(pair) == serverCertificate

    def test_callback(
        self, ca: trustme.CA, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        sniCallback is asked about names the mapping lacks; None means the
        default certificate.  Contexts for its answers are reused.
        """
        gamma = issue(ca, "gamma.example")
        asked: list[str] = []

        def choose(name: str) -> PrivateCertificate | None:
            asked.append(name)
            return gamma if name == "gamma.example" else None

        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            sniCallback=choose,
            acceptableProtocols=[b"h2"],
        )
        first = handshake(
            optionsForClientTLS("gamma.example", caCertificate, acceptableProtocols=[b"h2"]), server
        )
        assert _served(first) == gamma
        assert first.server.selected_alpn_protocol() == "h2"
        second = handshake(optionsForClientTLS("gamma.example", caCertificate), server)
        assert first.server.context is second.server.context
        assert (
            _served(handshake(optionsForClientTLS("www.example.com", caCertificate), server))
            == serverCertificate
        )
        assert asked == ["gamma.example", "gamma.example", "www.example.com"]

    def test_callbackFails(
        self,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        loggedFailures: list[LogEvent],
    ) -> None:
        """
        An exception in sniCallback, or an answer of the wrong type, is
        logged and ends that handshake with an internal error.
        """

        def broken(name: str) -> PrivateCertificate | None:
            raise RuntimeError("no certificates today")

        def wrongType(name: str) -> Any:
            return b"certificate"

        for callback, problem in [(broken, RuntimeError), (wrongType, TypeError)]:
            server = CertificateOptions(
                privateKey=serverCertificate.privateKey,
                certificate=serverCertificate,
                sniCallback=callback,
            )
            failed = failure(optionsForClientTLS("example.com", caCertificate), server)
            assert failed.side == "server"
            assert loggedFailures[-1]["log_failure"].check(problem)
            assert loggedFailures[-1]["name"] == "example.com"
        assert len(loggedFailures) == 2

    def test_contextForServerName(
        self, ca: trustme.CA, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        Twisted's contextForServerName hook gets the name as bytes and may
        return an ssl.SSLContext to switch to.
        """
        delta = issue(ca, "delta.example")
        deltaContext = delta.options().getContext()
        names: list[bytes | None] = []

        def contextFor(name: bytes | None) -> ssl.SSLContext | None:
            names.append(name)
            return deltaContext if name == b"delta.example" else None

        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            contextForServerName=contextFor,
        )
        assert (
            _served(handshake(optionsForClientTLS("delta.example", caCertificate), server)) == delta
        )
        assert (
            _served(handshake(optionsForClientTLS("127.0.0.1", caCertificate), server))
            == serverCertificate
        )
        assert names == [b"delta.example", None]

    def test_serverNamesOnly(self, ca: trustme.CA, caCertificate: Certificate) -> None:
        """
        A server may have only named certificates; a name it lacks then
        fails the handshake.
        """
        alpha = issue(ca, "alpha.example")
        server = CertificateOptions(serverNames={"alpha.example": alpha})
        assert (
            _served(handshake(optionsForClientTLS("alpha.example", caCertificate), server)) == alpha
        )
        failure(optionsForClientTLS("other.example", caCertificate), server)

    def test_badServerNames(self, serverCertificate: PrivateCertificate) -> None:
        """
        serverNames values must be PrivateCertificates or CertificateOptions,
        keys text; sniCallback must be callable.
        """
        with pytest.raises(
            TypeError,
            match=r"serverNames\['a.example'\] must be a PrivateCertificate or "
            r"CertificateOptions, not Certificate",
        ):
            CertificateOptions(serverNames={"a.example": Certificate(serverCertificate.original)})  # type: ignore[dict-item]
        with pytest.raises(TypeError, match=r"serverNames keys are host names"):
            CertificateOptions(serverNames={b"a.example": serverCertificate})  # type: ignore[dict-item]
        with pytest.raises(TypeError, match=r"sniCallback must be callable"):
            CertificateOptions(sniCallback="nope")  # type: ignore[arg-type]


# --- ALPN ------------------------------------------------------------------


class ALPNTests:
    @pytest.mark.parametrize(
        ("clientProtocols", "serverProtocols", "chosen"),
        [
            ([b"h2", b"http/1.1"], [b"h2", b"http/1.1"], "h2"),
            ([b"http/1.1"], [b"h2", b"http/1.1"], "http/1.1"),
            ([b"h2", b"http/1.1"], [b"http/1.1"], "http/1.1"),
            ([b"spdy/3"], [b"h2", b"http/1.1"], None),
            (None, [b"h2"], None),
            ([b"h2"], None, None),
        ],
    )
    def test_negotiation(
        self,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        clientProtocols: list[bytes] | None,
        serverProtocols: list[bytes] | None,
        chosen: str | None,
    ) -> None:
        """
        ALPN picks a protocol both sides accept; with no overlap, or when one
        side offers nothing, the connection proceeds with none.
        """
        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            acceptableProtocols=serverProtocols,
        )
        client = optionsForClientTLS(
            "example.com", caCertificate, acceptableProtocols=clientProtocols
        )
        pair = handshake(client, server)
        assert pair.client.selected_alpn_protocol() == chosen
        assert pair.server.selected_alpn_protocol() == chosen

    def test_badNames(self) -> None:
        """
        Protocol names are bytes of 1 to 255 ASCII characters, in a list.
        """
        with pytest.raises(
            TypeError, match=r"ALPN protocol names are bytes, not str: write 'h2' as b'h2'"
        ):
            CertificateOptions(acceptableProtocols=["h2"])  # type: ignore[list-item]
        with pytest.raises(TypeError, match=r"takes a list of names, e.g. \[b'h2'\]"):
            CertificateOptions(acceptableProtocols=b"h2")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"must be 1 to 255 ASCII bytes"):
            CertificateOptions(acceptableProtocols=[b""])


# --- protocol versions -----------------------------------------------------


def _legacyContext(server: bool, files: tuple[str, str] | None = None) -> ssl.SSLContext:
    """A plain ssl context that speaks only TLS 1.1."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.TLSv1_1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    if files is not None:
        keyFile, certFile = files
        context.load_cert_chain(certFile, keyFile)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class _Legacy:
    """A connection creator for a TLS 1.1-only peer."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context

    def clientConnectionForTLS(self, protocol: FakeTLSProtocol) -> ssl.SSLObject:
        return self.context.wrap_bio(protocol.incomingBIO, protocol.outgoingBIO)

    def serverConnectionForTLS(self, protocol: FakeTLSProtocol) -> ssl.SSLObject:
        return self.context.wrap_bio(protocol.incomingBIO, protocol.outgoingBIO, server_side=True)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
class VersionTests:
    def test_defaults(self, serverCertificate: PrivateCertificate) -> None:
        """
        Contexts require TLS 1.2 or newer, with compression and
        renegotiation off.
        """
        for context in (
            serverCertificate.options().getContext(),
            CertificateOptions().getContext(),
        ):
            assert context.minimum_version == ssl.TLSVersion.TLSv1_2
            assert context.maximum_version == ssl.TLSVersion.MAXIMUM_SUPPORTED
            assert context.options & ssl.OP_NO_COMPRESSION
            assert context.options & ssl.OP_NO_RENEGOTIATION

    def test_legacyClientRefused(
        self, serverCertificate: PrivateCertificate, tmp_path: Path
    ) -> None:
        """
        A TLS 1.1-only client is refused by a default server.
        """
        legacy = _Legacy(_legacyContext(server=False))
        failed = failure(legacy, serverCertificate.options())
        assert failed.side == "server"
        assert "UNSUPPORTED_PROTOCOL" in str(failed.error)

    def test_legacyServerRefused(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate, tmp_path: Path
    ) -> None:
        """
        A default client offers only TLS 1.2 and newer, so a TLS 1.1-only
        server finds nothing to accept.
        """
        legacy = _Legacy(_legacyContext(True, writeFiles(tmp_path, serverCertificate)))
        failed = failure(optionsForClientTLS("example.com", caCertificate), legacy)
        assert failed.side == "server"
        assert "UNSUPPORTED_PROTOCOL" in str(failed.error)

    def test_insecurelyLower(self, serverCertificate: PrivateCertificate) -> None:
        """
        insecurelyLowerMinimumTo (with OpenSSL's security level lowered in the
        cipher string) lets a TLS 1.1 peer in.
        """
        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            insecurelyLowerMinimumTo=TLSVersion.TLSv1_1,
            acceptableCiphers="DEFAULT:@SECLEVEL=0",
        )
        pair = handshake(_Legacy(_legacyContext(server=False)), server)
        assert pair.server.version() == "TLSv1.1"

    def test_raiseMinimum(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        raiseMinimumTo=TLSv1_3 refuses a TLS 1.2 peer; lowerMaximumSecurityTo
        caps the version.
        """
        server = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            raiseMinimumTo=TLSVersion.TLSv1_3,
        )
        capped = optionsForClientTLS(
            "example.com",
            caCertificate,
            extraCertificateOptions={"lowerMaximumSecurityTo": TLSVersion.TLSv1_2},
        )
        failure(capped, server)
        pair = handshake(capped, serverCertificate.options())
        assert pair.client.version() == "TLSv1.2"
        assert (
            CertificateOptions(raiseMinimumTo=TLSVersion.TLSv1_0).getContext().minimum_version
            == ssl.TLSVersion.TLSv1_2
        )

    def test_method(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        method=TLSv1_2_METHOD pins TLS 1.2; SSLv23_METHOD negotiates.
        """
        pinned = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            method=TLSv1_2_METHOD,
        )
        assert (
            handshake(optionsForClientTLS("example.com", caCertificate), pinned).client.version()
            == "TLSv1.2"
        )
        negotiated = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            method=SSLv23_METHOD,
        )
        assert (
            handshake(
                optionsForClientTLS("example.com", caCertificate), negotiated
            ).client.version()
            == "TLSv1.3"
        )

    @pytest.mark.parametrize(
        ("method", "name"),
        [(1, "SSLv2_METHOD"), (2, "SSLv3_METHOD"), (4, "TLSv1_METHOD"), (5, "TLSv1_1_METHOD")],
    )
    def test_insecureMethods(self, method: int, name: str) -> None:
        """
        Methods that pin an old protocol are refused, pointing at
        insecurelyLowerMinimumTo.
        """
        with pytest.raises(
            ValueError, match=f"method={name} pins an insecure .*insecurelyLowerMinimumTo"
        ):
            CertificateOptions(method=method)

    def test_unknownMethod(self) -> None:
        """
        Unknown method numbers (DTLS ones, say) are refused.
        """
        with pytest.raises(ValueError, match=r"unknown method 10; use SSLv23_METHOD"):
            CertificateOptions(method=10)

    def test_exclusiveArguments(self) -> None:
        """
        method excludes the version arguments, and raising excludes lowering.
        """
        with pytest.raises(TypeError, match=r"pass method or raiseMinimumTo, not both"):
            CertificateOptions(method=SSLv23_METHOD, raiseMinimumTo=TLSVersion.TLSv1_3)
        with pytest.raises(TypeError, match=r"pass raiseMinimumTo or insecurelyLowerMinimumTo"):
            CertificateOptions(
                raiseMinimumTo=TLSVersion.TLSv1_3, insecurelyLowerMinimumTo=TLSVersion.TLSv1_0
            )

    def test_maximumBelowMinimum(self) -> None:
        """
        A maximum below the minimum leaves nothing to negotiate: refused.
        """
        with pytest.raises(
            ValueError,
            match=r"lowerMaximumSecurityTo=TLSVersion.TLSv1_1 is below the minimum version TLSv1_2",
        ):
            CertificateOptions(lowerMaximumSecurityTo=TLSVersion.TLSv1_1)

    def test_notAVersion(self) -> None:
        """
        Version arguments take TLSVersion constants.
        """
        with pytest.raises(
            TypeError, match=r"raiseMinimumTo takes a TLSVersion constant, not 'TLSv1_3'"
        ):
            CertificateOptions(raiseMinimumTo="TLSv1_3")  # type: ignore[arg-type]

    def test_twistedConstantsAPI(self) -> None:
        """
        TLSVersion offers Twisted's iterconstants and lookupByName.
        """
        assert list(TLSVersion.iterconstants())[-1] is TLSVersion.TLSv1_3
        assert TLSVersion.lookupByName("TLSv1_2") is TLSVersion.TLSv1_2


# --- ciphers and other options ---------------------------------------------


class OptionTests:
    def test_ciphers(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        acceptableCiphers, as a string or AcceptableCiphers, limits TLS 1.2
        suites.
        """
        for ciphers in (
            "ECDHE+CHACHA20",
            AcceptableCiphers.fromOpenSSLCipherString("ECDHE+CHACHA20"),
        ):
            server = CertificateOptions(
                privateKey=serverCertificate.privateKey,
                certificate=serverCertificate,
                acceptableCiphers=ciphers,
                lowerMaximumSecurityTo=TLSVersion.TLSv1_2,
            )
            cipher = handshake(
                optionsForClientTLS("example.com", caCertificate), server
            ).client.cipher()
            assert cipher is not None
            assert "CHACHA20" in cipher[0]

    def test_badCiphers(self) -> None:
        """
        A cipher string selecting nothing is refused at once.
        """
        with pytest.raises(ValueError, match=r"the cipher string 'NOPE' selects no cipher"):
            CertificateOptions(acceptableCiphers="NOPE")
        with pytest.raises(TypeError, match=r"acceptableCiphers takes an OpenSSL cipher string"):
            CertificateOptions(acceptableCiphers=["ECDHE"])  # type: ignore[arg-type]
        assert repr(AcceptableCiphers("ECDHE")) == "AcceptableCiphers('ECDHE')"

    def test_sessionTickets(self, serverCertificate: PrivateCertificate) -> None:
        """
        Servers issue no TLS 1.3 session tickets unless sessions or tickets
        are enabled.
        """

        def server(
            enableSessions: bool = False, enableSessionTickets: bool = False
        ) -> ssl.SSLContext:
            return CertificateOptions(
                privateKey=serverCertificate.privateKey,
                certificate=serverCertificate,
                enableSessions=enableSessions,
                enableSessionTickets=enableSessionTickets,
            ).getContext()

        assert server().num_tickets == 0
        assert server().options & ssl.OP_NO_TICKET
        assert server(enableSessions=True).num_tickets > 0
        assert not server(enableSessionTickets=True).options & ssl.OP_NO_TICKET

    def test_compatibilityArguments(self, serverCertificate: PrivateCertificate) -> None:
        """
        Twisted's arguments with no stdlib counterpart are accepted and kept.
        """
        options = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            verifyDepth=3,
            verifyOnce=False,
            enableSingleUseKeys=False,
            fixBrokenPeers=True,
        )
        assert (
            options.verifyDepth,
            options.verifyOnce,
            options.enableSingleUseKeys,
            options.fixBrokenPeers,
        ) == (3, False, False, True)
        with pytest.raises(ValueError, match=r"verifyDepth must not be negative"):
            CertificateOptions(verifyDepth=-1)

    def test_dhParameters(self, serverCertificate: PrivateCertificate, tmp_path: Path) -> None:
        """
        dhParameters files are read when the server context is made; a
        missing one is reported by path.  FilePath-like objects work.
        """

        class FilePathLike:
            path = str(tmp_path / "missing.pem")

        parameters = DiffieHellmanParameters.fromFile(FilePathLike())
        assert parameters.path == FilePathLike.path
        options = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            dhParameters=parameters,
        )
        with pytest.raises(
            ValueError, match=r"cannot load Diffie-Hellman parameters from .*missing.pem"
        ):
            options.getContext()
        with pytest.raises(TypeError, match=r"dhParameters takes DiffieHellmanParameters"):
            CertificateOptions(dhParameters="dh.pem")  # type: ignore[arg-type]

    def test_getContextCached(self, serverCertificate: PrivateCertificate) -> None:
        """
        getContext() returns one cached context: a server one when there is
        a certificate, a client one otherwise.
        """
        server = serverCertificate.options()
        assert server.getContext() is server.getContext()
        assert server.getContext().protocol == ssl.PROTOCOL_TLS_SERVER
        assert CertificateOptions().getContext().protocol == ssl.PROTOCOL_TLS_CLIENT

    def test_serverWithoutCertificate(self) -> None:
        """
        A server connection needs a certificate.
        """
        with pytest.raises(ValueError, match=r"a TLS server needs a certificate"):
            CertificateOptions().serverConnectionForTLS(FakeTLSProtocol())


class ArgumentTests:
    def test_keyAndCertificateTogether(self, serverCertificate: PrivateCertificate) -> None:
        """
        privateKey and certificate come together, with the right types.
        """
        with pytest.raises(ValueError, match=r"pass both privateKey and certificate, or neither"):
            CertificateOptions(privateKey=serverCertificate.privateKey)
        with pytest.raises(
            TypeError,
            match=r"privateKey must be a torsion KeyPair, not PrivateCertificate; "
            r".*privateKey=pc.privateKey",
        ):
            CertificateOptions(privateKey=serverCertificate, certificate=serverCertificate)  # type: ignore[arg-type]
        with pytest.raises(
            TypeError, match=r"certificate must be a torsion Certificate, not bytes"
        ):
            CertificateOptions(privateKey=serverCertificate.privateKey, certificate=b"x")  # type: ignore[arg-type]

    def test_mismatchedKey(self, serverCertificate: PrivateCertificate) -> None:
        """
        A key that does not belong to the certificate is refused at once.
        """
        other = makeCertificate().privateCertificate().privateKey
        with pytest.raises(ValueError, match=r"does not belong to the certificate"):
            CertificateOptions(privateKey=other, certificate=serverCertificate)

    def test_extraCertChainNeedsCertificate(self, caCertificate: Certificate) -> None:
        """
        extraCertChain without a certificate makes no sense.
        """
        with pytest.raises(
            ValueError, match=r"extraCertChain needs a privateKey and a certificate"
        ):
            CertificateOptions(extraCertChain=[caCertificate])
        with pytest.raises(
            TypeError, match=r"extraCertChain takes torsion Certificates, not bytes"
        ):
            CertificateOptions(extraCertChain=[b"x"])  # type: ignore[list-item]

    def test_verifyNeedsAuthorities(self) -> None:
        """
        verify=True without caCerts is refused with the two ways out.
        """
        with pytest.raises(
            ValueError, match=r"verify=True needs .*caCerts=\[...\] or trustRoot=platformTrust\(\)"
        ):
            CertificateOptions(verify=True)

    def test_caCertsWithoutVerify(self, caCertificate: Certificate) -> None:
        """
        caCerts without verify are kept but, as in Twisted, not used.
        """
        options = CertificateOptions(caCerts=[caCertificate])
        assert options.caCerts == [caCertificate]
        assert options.getContext().verify_mode == ssl.CERT_NONE

    def test_trustRootExclusive(self, caCertificate: Certificate) -> None:
        """
        trustRoot excludes verify, caCerts and requireCertificate.
        """
        with pytest.raises(TypeError, match=r"pass trustRoot or verify, not both"):
            CertificateOptions(trustRoot=caCertificate, verify=True, caCerts=[caCertificate])
        with pytest.raises(TypeError, match=r"pass trustRoot or caCerts, not both"):
            CertificateOptions(trustRoot=caCertificate, caCerts=[caCertificate])
        with pytest.raises(TypeError, match=r"pass trustRoot or requireCertificate, not both"):
            CertificateOptions(trustRoot=caCertificate, requireCertificate=False)

    def test_trustRootTypes(self, caCertificate: Certificate) -> None:
        """
        A list of certificates is not a trust root; the error says how to
        make one.  Other objects are refused too.
        """
        with pytest.raises(
            TypeError, match=r"wrap a list of certificates with trustRootFromCertificates"
        ):
            optionsForClientTLS("example.com", [caCertificate])
        with pytest.raises(
            TypeError, match=r"trustRoot must be a Certificate, platformTrust.* not str"
        ):
            optionsForClientTLS("example.com", "ca.pem")
        with pytest.raises(ValueError, match=r"no certificate authorities given"):
            trustRootFromCertificates([])
        with pytest.raises(TypeError, match=r"caCerts takes torsion Certificates, not bytes"):
            trustRootFromCertificates([caCertificate.original])  # type: ignore[list-item]

    def test_hostnameType(self) -> None:
        """
        optionsForClientTLS wants the host name as text, and says how to
        convert bytes.
        """
        with pytest.raises(
            TypeError,
            match=r"takes the host name as str, not bytes; decode it first: "
            r"optionsForClientTLS\('example.com'\)",
        ):
            optionsForClientTLS(b"example.com")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"needs a host name to verify"):
            optionsForClientTLS("")

    def test_clientArguments(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate
    ) -> None:
        """
        sendServerName=False, a non-PrivateCertificate client certificate and
        duplicated arguments in extraCertificateOptions are refused.
        """
        with pytest.raises(ValueError, match=r"sendServerName=False is not supported"):
            optionsForClientTLS("example.com", caCertificate, sendServerName=False)
        optionsForClientTLS("example.com", caCertificate, sendServerName=True)
        with pytest.raises(
            TypeError, match=r"clientCertificate must be a PrivateCertificate, not Certificate"
        ):
            optionsForClientTLS("example.com", caCertificate, caCertificate)  # type: ignore[arg-type]
        with pytest.raises(
            TypeError, match=r"pass trustRoot as an argument of optionsForClientTLS"
        ):
            optionsForClientTLS("example.com", extraCertificateOptions={"trustRoot": caCertificate})


# --- legacy factories ------------------------------------------------------


def writeFiles(directory: Path, private: PrivateCertificate) -> tuple[str, str]:
    """Write C{private}'s key and certificate to PEM files; return their paths."""
    keyFile = directory / "server.key"
    certFile = directory / "server.crt"
    keyFile.write_bytes(private.privateKey.dumpPEM())
    certFile.write_bytes(private.dump(FILETYPE_PEM))
    return str(keyFile), str(certFile)


class DefaultOpenSSLContextFactoryTests:
    def test_serves(
        self, caCertificate: Certificate, serverCertificate: PrivateCertificate, tmp_path: Path
    ) -> None:
        """
        The factory's context serves the certificate from the files.
        """
        factory = DefaultOpenSSLContextFactory(*writeFiles(tmp_path, serverCertificate))
        context = factory.getContext()
        assert context is factory.getContext()
        assert context.minimum_version == ssl.TLSVersion.TLSv1_2
        pair = handshake(optionsForClientTLS("example.com", caCertificate), ContextCreator(factory))
        assert _served(pair) == serverCertificate
        assert Certificate.hostFromTransport(FakeTransport(pair.server)) == serverCertificate

    def test_missingFile(self, serverCertificate: PrivateCertificate, tmp_path: Path) -> None:
        """
        A missing file is reported with its role and path.
        """
        keyFile, _ = writeFiles(tmp_path, serverCertificate)
        with pytest.raises(FileNotFoundError, match=r"cannot read the certificate file") as caught:
            DefaultOpenSSLContextFactory(keyFile, str(tmp_path / "nope.crt"))
        assert caught.value.filename == str(tmp_path / "nope.crt")

    def test_swappedFiles(self, serverCertificate: PrivateCertificate, tmp_path: Path) -> None:
        """
        A key file holding a certificate is reported by path.
        """
        keyFile, certFile = writeFiles(tmp_path, serverCertificate)
        with pytest.raises(
            ValueError, match=r"server.crt' is not a usable private key file: no private key"
        ):
            DefaultOpenSSLContextFactory(certFile, keyFile)

    def test_mismatch(self, serverCertificate: PrivateCertificate, tmp_path: Path) -> None:
        """
        A key that does not belong to the certificate is reported naming
        both files.
        """
        _, certFile = writeFiles(tmp_path, serverCertificate)
        otherKey = tmp_path / "other.key"
        otherKey.write_bytes(makeCertificate().privateCertificate().privateKey.dumpPEM())
        with pytest.raises(
            ValueError,
            match=r"other.key' .* and the certificate in '.*server.crt' .* "
            r"cannot be used together: KEY_VALUES_MISMATCH",
        ):
            DefaultOpenSSLContextFactory(str(otherKey), certFile)

    def test_sslmethod(self, serverCertificate: PrivateCertificate, tmp_path: Path) -> None:
        """
        sslmethod accepts the negotiating methods and TLS 1.2, not older ones.
        """
        files = writeFiles(tmp_path, serverCertificate)
        pinned = DefaultOpenSSLContextFactory(*files, sslmethod=TLSv1_2_METHOD)
        assert pinned.getContext().maximum_version == ssl.TLSVersion.TLSv1_2
        assert DefaultOpenSSLContextFactory(*files).sslmethod == SSLv23_METHOD
        with pytest.raises(ValueError, match=r"method=TLSv1_METHOD pins an insecure"):
            DefaultOpenSSLContextFactory(*files, sslmethod=4)


class ClientContextFactoryTests:
    def test_verifiesByDefault(self) -> None:
        """
        Unlike Twisted's, the context verifies the chain and the host name.
        """
        context = ClientContextFactory().getContext()
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
        assert context.minimum_version == ssl.TLSVersion.TLSv1_2

    def test_untrustedServer(self, serverCertificate: PrivateCertificate) -> None:
        """
        A server whose authority the platform does not trust is rejected.
        """
        failed = failure(ContextCreator(ClientContextFactory()), serverCertificate.options())
        assert failed.side == "client"
        assert "unable to get local issuer certificate" in str(failed.error)

    def test_checksHostname(self, ca: trustme.CA, serverCertificate: PrivateCertificate) -> None:
        """
        With the authority trusted, the name given to connectSSL (the
        protocol's serverHostname) must match the certificate.
        """
        factory = ClientContextFactory()
        factory.getContext().load_verify_locations(cadata=ca.cert_pem.bytes().decode("ascii"))
        handshake(ContextCreator(factory), serverCertificate.options(), "www.example.com")
        failed = failure(ContextCreator(factory), serverCertificate.options(), "other.example")
        assert "Hostname mismatch" in str(failed.error)

    def test_insecureMethod(self) -> None:
        """
        A subclass pinning an old method is refused when the context is made.
        """

        class Old(ClientContextFactory):
            method = 5

        with pytest.raises(ValueError, match=r"ClientContextFactory: method=TLSv1_1_METHOD pins"):
            Old().getContext()
