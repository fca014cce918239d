"""
TLS through the public API of L{torsion.internet.ssl} (L{PrivateCertificate},
L{CertificateOptions}, L{optionsForClientTLS}, the old context factories)
over real loopback sockets: C{listenSSL}/C{connectSSL},
L{TLSMemoryBIOFactory} over C{connectTCP}, and C{startTLS}.

Certificates are made in the tests with trustme (and, for a self-signed
one, cryptography); nothing here uses a hand-built C{ssl.SSLContext}.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from zope.interface import implementer

from tests.internet.reactors import backendReactor, makeReactor, runReactor
from tests.internet.test_ssl_certs import makeCertificate
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.error import ConnectionDone
from torsion.internet.interfaces import IHandshakeListener
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.ssl import (
    Certificate,
    CertificateError,
    CertificateOptions,
    ClientContextFactory,
    DefaultOpenSSLContextFactory,
    PrivateCertificate,
    VerificationError,
    optionsForClientTLS,
)
from torsion.logger import LogEvent, globalLogPublisher
from torsion.protocols.basic import LineOnlyReceiver, LineReceiver
from torsion.protocols.tls import TLSMemoryBIOFactory
from torsion.python.failure import Failure

__all__ = ["backendReactor"]

SERVER_NAME = "example.test"

# --- certificates ------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """The authority the servers' certificates chain to."""
    return trustme.CA()


@pytest.fixture(scope="module")
def caCertificate(ca: trustme.CA) -> Certificate:
    """The authority's certificate, loaded as a client would load it."""
    return Certificate.loadPEM(ca.cert_pem.bytes())


def leafPEM(ca: trustme.CA, *names: str, **kwargs: Any) -> bytes:
    """Key and certificate chain PEM of a certificate from C{ca} for C{names}."""
    leaf = ca.issue_cert(*names, **kwargs)
    return leaf.private_key_and_cert_chain_pem.bytes()


@pytest.fixture(scope="module")
def serverCertificate(ca: trustme.CA) -> PrivateCertificate:
    """A server certificate for L{SERVER_NAME} and 127.0.0.1."""
    return PrivateCertificate.loadPEM(
        leafPEM(ca, SERVER_NAME, "127.0.0.1", common_name=SERVER_NAME)
    )


@pytest.fixture(scope="module")
def clientCA() -> trustme.CA:
    """The authority client certificates chain to."""
    return trustme.CA()


@pytest.fixture(scope="module")
def clientCertificate(clientCA: trustme.CA) -> PrivateCertificate:
    """A client certificate for C{alice@example.test}, common name C{alice}."""
    return PrivateCertificate.loadPEM(leafPEM(clientCA, "alice@example.test", common_name="alice"))


@pytest.fixture
def epoll() -> Iterator[PollingReactor]:
    """A fresh epoll reactor."""
    made = makeReactor("epoll")
    yield made
    made.waker.close()


# --- a conversation over real sockets -------------------------------------------


class Conversation:
    """
    The ends of some TLS connections on one reactor, which stops once
    every end has lost its connection.

    @ivar servers: The server ends, in the order they connected.
    """

    def __init__(self, reactor: PollingReactor, connections: int = 1) -> None:
        self.reactor = reactor
        self.remaining = 2 * connections
        self.servers: list[Peer] = []

    def ended(self) -> None:
        """One end lost its connection; stop the reactor after the last."""
        self.remaining -= 1
        if self.remaining == 0:
            self.reactor.stop()


@implementer(IHandshakeListener)
class Peer(Protocol):
    """
    One end of a TLS connection: writes C{toSend} as soon as it is
    connected (before the handshake), echoes what arrives if C{echo},
    closes once C{expect} bytes arrived, and records what it saw.
    """

    def __init__(
        self,
        conversation: Conversation,
        toSend: bytes = b"",
        echo: bool = False,
        expect: int | None = None,
    ) -> None:
        self.conversation = conversation
        self.toSend = toSend
        self.echo = echo
        self.expect = expect
        self.received = b""
        self.handshakes = 0
        self.peerCertificate: Certificate | None = None
        self.hostCertificate: Certificate | None = None
        self.negotiated: bytes | None = None
        self.version: str | None = None
        self.reason: Failure | None = None
        self.beforeHandshake: tuple[Any, Any] | None = None

    def connectionMade(self) -> None:
        self.beforeHandshake = (
            self.transport.getPeerCertificate(),
            self.transport.negotiatedProtocol,
        )
        if self.toSend:
            self.transport.write(self.toSend)

    def handshakeCompleted(self) -> None:
        self.handshakes += 1
        self.peerCertificate = self.transport.getPeerCertificate()
        self.negotiated = self.transport.negotiatedProtocol
        self.version = self.transport.getHandle().version()
        try:
            self.hostCertificate = Certificate.hostFromTransport(self.transport)
        except CertificateError:
            self.hostCertificate = None

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        if self.echo:
            self.transport.write(data)
        if self.expect is not None and len(self.received) >= self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.conversation.ended()

    def failedWith(self) -> BaseException:
        """
        @return: The exception that ended this end's connection.
        """
        assert self.reason is not None, "the connection has not ended"
        return self.reason.value


class EchoServerFactory(Factory):
    """Builds an echoing L{Peer} per connection, recorded in the conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def buildProtocol(self, addr: Any) -> Peer:
        peer = Peer(self.conversation, echo=True)
        peer.factory = self
        self.conversation.servers.append(peer)
        return peer


def oneProtocol(protocol: Protocol) -> ClientFactory:
    """A client factory whose only protocol is C{protocol}."""
    factory = ClientFactory()
    factory.buildProtocol = lambda addr: protocol  # type: ignore[method-assign]
    return factory


def serve(conversation: Conversation, options: Any) -> int:
    """
    Listen with C{listenSSL} on 127.0.0.1 with the TLS settings C{options}.

    @return: The port number.
    """
    port = conversation.reactor.listenSSL(
        0, EchoServerFactory(conversation), options, interface="127.0.0.1"
    )
    number: int = port.getHost().port
    return number


def connect(
    conversation: Conversation,
    portNumber: int,
    options: Any,
    payload: bytes = b"hello",
    viaTCP: bool = False,
) -> Peer:
    """
    Connect a client L{Peer} sending C{payload} to 127.0.0.1:C{portNumber}:
    with C{connectSSL}, or with a client L{TLSMemoryBIOFactory} over
    C{connectTCP} if C{viaTCP}.
    """
    client = Peer(conversation, toSend=payload, expect=len(payload))
    reactor = conversation.reactor
    if viaTCP:
        reactor.connectTCP(
            "127.0.0.1", portNumber, TLSMemoryBIOFactory(options, True, oneProtocol(client))
        )
    else:
        reactor.connectSSL("127.0.0.1", portNumber, oneProtocol(client), options)
    return client


def talk(
    reactor: PollingReactor,
    serverOptions: Any,
    clientOptions: Any,
    payload: bytes = b"hello",
    viaTCP: bool = False,
) -> tuple[Peer, Peer]:
    """
    Run one connection from a client sending C{payload} to an echo server
    until both ends have lost it.

    @return: The client and the server ends.
    """
    conversation = Conversation(reactor)
    portNumber = serve(conversation, serverOptions)
    client = connect(conversation, portNumber, clientOptions, payload, viaTCP)
    runReactor(reactor)
    [server] = conversation.servers
    return client, server


class capturedEvents:
    """Collects the log events published while it is active."""

    def __enter__(self) -> list[LogEvent]:
        self.events: list[LogEvent] = []
        globalLogPublisher.addObserver(self.events.append)
        return self.events

    def __exit__(self, *exc: object) -> None:
        globalLogPublisher.removeObserver(self.events.append)


def tlsErrorEvents(events: list[LogEvent]) -> list[LogEvent]:
    """The events logging a TLS error on a connection."""
    return [e for e in events if str(e.get("log_format", "")).startswith("TLS error")]


def assertClosedCleanly(*peers: Peer) -> None:
    """Each of C{peers} ended with ConnectionDone (a close_notify)."""
    for peer in peers:
        assert peer.reason is not None and peer.reason.check(ConnectionDone), peer.reason


# --- the tests ---------------------------------------------------------------------


class HandshakeTests:
    @pytest.mark.parametrize("viaTCP", [False, True], ids=["connectSSL", "TLSMemoryBIOFactory"])
    def test_dataBothWays(
        self,
        backendReactor: PollingReactor,
        ca: trustme.CA,
        viaTCP: bool,
    ) -> None:
        """
        A server using C{PrivateCertificate.loadPEM(pem).options()} and a
        client using C{optionsForClientTLS(name, trustRoot=...)} complete a
        TLS 1.3 handshake: 200 kB written by the client before the
        handshake reach the server and come back whole, each end sees the
        other's certificate with the right subject (none from the client),
        and both ends close with close_notify (ConnectionDone).  The client
        connects with C{connectSSL("127.0.0.1", ...)} (the certificate
        names the address) or with a client L{TLSMemoryBIOFactory} over
        C{connectTCP} (verifying the DNS name).
        """
        serverOptions = PrivateCertificate.loadPEM(
            leafPEM(ca, SERVER_NAME, "127.0.0.1", common_name=SERVER_NAME)
        ).options()
        trustRoot = Certificate.loadPEM(ca.cert_pem.bytes())
        name = SERVER_NAME if viaTCP else "127.0.0.1"
        payload = os.urandom(200_000)
        client, server = talk(
            backendReactor,
            serverOptions,
            optionsForClientTLS(name, trustRoot=trustRoot),
            payload,
            viaTCP=viaTCP,
        )
        assert client.received == payload
        assert server.received == payload
        assert (client.handshakes, server.handshakes) == (1, 1)
        assert client.version == server.version == "TLSv1.3"
        assert client.peerCertificate is not None
        assert client.peerCertificate.getSubject().commonName == SERVER_NAME.encode()
        assert ("IP Address", "127.0.0.1") in client.peerCertificate.subjectAltNames()
        assert client.peerCertificate.getIssuer() == trustRoot.getSubject()
        assert server.hostCertificate == client.peerCertificate
        assert server.peerCertificate is None
        assert client.beforeHandshake == server.beforeHandshake == (None, None)
        assertClosedCleanly(client, server)

    def test_mutualTLS(
        self,
        epoll: PollingReactor,
        caCertificate: Certificate,
        serverCertificate: PrivateCertificate,
        clientCA: trustme.CA,
        clientCertificate: PrivateCertificate,
    ) -> None:
        """
        With C{serverCertificate.options(clientAuthority)} on the server and
        C{optionsForClientTLS(..., clientCertificate=...)} on the client,
        the server's C{getPeerCertificate()} is the client's certificate
        (subject C{alice}) and the client's is the server's; data flows.
        """
        clientAuthority = Certificate.loadPEM(clientCA.cert_pem.bytes())
        client, server = talk(
            epoll,
            serverCertificate.options(clientAuthority),
            optionsForClientTLS(
                "127.0.0.1", trustRoot=caCertificate, clientCertificate=clientCertificate
            ),
        )
        assert server.received == client.received == b"hello"
        assert server.peerCertificate is not None
        assert server.peerCertificate.getSubject().commonName == b"alice"
        assert server.peerCertificate == Certificate(clientCertificate.original)
        assert server.peerCertificate.subjectAltNames() == [("email", "alice@example.test")]
        assert client.peerCertificate is not None
        assert client.peerCertificate.getSubject().commonName == SERVER_NAME.encode()
        assert client.hostCertificate == Certificate(clientCertificate.original)
        assertClosedCleanly(client, server)

    def test_defaultOpenSSLContextFactory(
        self,
        epoll: PollingReactor,
        ca: trustme.CA,
        caCertificate: Certificate,
        tmp_path: Path,
    ) -> None:
        """
        A server listening with C{DefaultOpenSSLContextFactory(keyFile,
        certFile)} serves a verifying client.
        """
        leaf = ca.issue_cert("127.0.0.1", common_name="from files")
        keyFile, certFile = tmp_path / "server.key", tmp_path / "server.crt"
        leaf.private_key_pem.write_to_path(str(keyFile))
        leaf.cert_chain_pems[0].write_to_path(str(certFile))
        client, server = talk(
            epoll,
            DefaultOpenSSLContextFactory(str(keyFile), str(certFile)),
            optionsForClientTLS("127.0.0.1", trustRoot=caCertificate),
        )
        assert client.received == server.received == b"hello"
        assert client.peerCertificate is not None
        assert client.peerCertificate.getSubject().commonName == b"from files"
        assertClosedCleanly(client, server)


class ClientCertificateTests:
    @pytest.fixture
    def requiring(
        self, serverCertificate: PrivateCertificate, clientCA: trustme.CA
    ) -> CertificateOptions:
        """Server settings requiring a client certificate from L{clientCA}."""
        return serverCertificate.options(Certificate.loadPEM(clientCA.cert_pem.bytes()))

    def test_missing(
        self,
        epoll: PollingReactor,
        requiring: CertificateOptions,
        caCertificate: Certificate,
    ) -> None:
        """
        A client without a certificate is refused: the server's connection
        fails with an ssl error saying the peer returned no certificate;
        the client (whose TLS 1.3 handshake completed before the server's
        check) fails with the server's "certificate required" alert; no
        data reaches either application.
        """
        with capturedEvents() as events:
            client, server = talk(
                epoll, requiring, optionsForClientTLS("127.0.0.1", trustRoot=caCertificate)
            )
        serverError = server.failedWith()
        assert isinstance(serverError, ssl.SSLError)
        assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in str(serverError)
        clientError = client.failedWith()
        assert isinstance(clientError, ssl.SSLError)
        assert "CERTIFICATE_REQUIRED" in str(clientError)
        assert server.received == client.received == b""
        assert server.handshakes == 0
        assert len(tlsErrorEvents(events)) == 2

    def test_fromAnotherAuthority(
        self,
        epoll: PollingReactor,
        requiring: CertificateOptions,
        caCertificate: Certificate,
    ) -> None:
        """
        A client certificate issued by an authority the server does not
        trust is refused: the server's error is a verification error, the
        client hears an "unknown ca" alert.
        """
        stranger = PrivateCertificate.loadPEM(leafPEM(trustme.CA(), "mallory@example.test"))
        client, server = talk(
            epoll,
            requiring,
            optionsForClientTLS("127.0.0.1", trustRoot=caCertificate, clientCertificate=stranger),
        )
        serverError = server.failedWith()
        assert isinstance(serverError, VerificationError)
        assert "unable to get local issuer certificate" in str(serverError)
        clientError = client.failedWith()
        assert isinstance(clientError, ssl.SSLError)
        assert "UNKNOWN_CA" in str(clientError)
        assert server.received == b""

    @pytest.mark.parametrize("presents", [True, False])
    def test_optional(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
        clientCA: trustme.CA,
        clientCertificate: PrivateCertificate,
        presents: bool,
    ) -> None:
        """
        With C{verify=True, caCerts=[...], requireCertificate=False} a
        client may connect without a certificate (the server's
        C{getPeerCertificate()} is None) or with one (it is the client's).
        """
        options = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            verify=True,
            caCerts=[Certificate.loadPEM(clientCA.cert_pem.bytes())],
            requireCertificate=False,
        )
        client, server = talk(
            epoll,
            options,
            optionsForClientTLS(
                "127.0.0.1",
                trustRoot=caCertificate,
                clientCertificate=clientCertificate if presents else None,
            ),
        )
        assert server.received == b"hello"
        expected = Certificate(clientCertificate.original) if presents else None
        assert server.peerCertificate == expected
        assertClosedCleanly(client, server)


class OtherTransportTests:
    def test_unixSockets(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
        tmp_path: Path,
    ) -> None:
        """
        L{TLSMemoryBIOFactory} wraps factories on any stream transport: a
        server and a client on a UNIX socket, with the public options,
        handshake, exchange data, and close with close_notify.
        """
        conversation = Conversation(epoll)
        path = str(tmp_path / "tls.sock")
        epoll.listenUNIX(
            path,
            TLSMemoryBIOFactory(
                serverCertificate.options(), False, EchoServerFactory(conversation)
            ),
        )
        client = Peer(conversation, toSend=b"over unix", expect=9)
        epoll.connectUNIX(
            path,
            TLSMemoryBIOFactory(
                optionsForClientTLS(SERVER_NAME, trustRoot=caCertificate),
                True,
                oneProtocol(client),
            ),
        )
        runReactor(epoll)
        [server] = conversation.servers
        assert client.received == server.received == b"over unix"
        assert client.peerCertificate == Certificate(serverCertificate.original)
        assertClosedCleanly(client, server)


class VerificationTests:
    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("wrong.test", "Hostname mismatch, certificate is not valid for 'wrong.test'"),
            ("127.0.0.2", "IP address mismatch, certificate is not valid for '127.0.0.2'"),
        ],
    )
    def test_wrongName(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
        name: str,
        message: str,
    ) -> None:
        """
        A certificate that is not for the name (or address) the client
        verifies fails the client's connection with a VerificationError
        naming the mismatch; the server hears the client's alert.  Each end
        logs its error once, naming its peer's address.
        """
        with capturedEvents() as events:
            client, server = talk(
                epoll,
                serverCertificate.options(),
                optionsForClientTLS(name, trustRoot=caCertificate),
            )
        error = client.failedWith()
        assert isinstance(error, VerificationError)
        assert message in str(error)
        assert isinstance(server.failedWith(), ssl.SSLError)
        assert "BAD_CERTIFICATE" in str(server.failedWith())
        assert client.handshakes == server.handshakes == 0
        assert server.received == b""
        logged = tlsErrorEvents(events)
        assert len(logged) == 2
        assert all("127.0.0.1" in str(event["peer"]) for event in logged)
        assert any(event["error"] is error for event in logged)

    def test_expired(
        self, epoll: PollingReactor, ca: trustme.CA, caCertificate: Certificate
    ) -> None:
        """
        A certificate whose validity ended yesterday is rejected with
        "certificate has expired".
        """
        now = datetime.now(UTC)
        expired = PrivateCertificate.loadPEM(
            leafPEM(
                ca,
                "127.0.0.1",
                not_before=now - timedelta(days=10),
                not_after=now - timedelta(days=1),
            )
        )
        client, server = talk(
            epoll, expired.options(), optionsForClientTLS("127.0.0.1", trustRoot=caCertificate)
        )
        error = client.failedWith()
        assert isinstance(error, VerificationError)
        assert "certificate has expired" in str(error)
        assert server.received == b""

    def test_selfSigned(self, epoll: PollingReactor, caCertificate: Certificate) -> None:
        """
        A self-signed server certificate is rejected ("self-signed
        certificate") by a client trusting another authority, and accepted
        by a client trusting that very certificate.
        """
        selfSigned = makeCertificate("self.test", dnsNames=("self.test",))
        conversation = Conversation(epoll, connections=2)
        portNumber = serve(conversation, selfSigned.privateCertificate().options())
        refused = connect(
            conversation,
            portNumber,
            optionsForClientTLS("self.test", trustRoot=caCertificate),
            viaTCP=True,
        )
        trusting = connect(
            conversation,
            portNumber,
            optionsForClientTLS("self.test", trustRoot=selfSigned.torsionCertificate()),
            viaTCP=True,
        )
        runReactor(epoll)
        error = refused.failedWith()
        assert isinstance(error, VerificationError)
        assert "self-signed certificate" in str(error)
        assert refused.received == b""
        assert trusting.received == b"hello"
        assert trusting.peerCertificate == selfSigned.torsionCertificate()
        assertClosedCleanly(trusting)

    def test_clientContextFactoryVerifies(
        self, epoll: PollingReactor, serverCertificate: PrivateCertificate
    ) -> None:
        """
        The old-style C{ClientContextFactory}, unlike Twisted's, verifies
        the server: with C{connectSSL} to a server whose certificate
        chains to an authority the platform does not trust, the connection
        fails with a VerificationError saying so.
        """
        client, server = talk(epoll, serverCertificate.options(), ClientContextFactory())
        error = client.failedWith()
        assert isinstance(error, VerificationError)
        assert "unable to get local issuer certificate" in str(error)
        assert server.received == b""

    def test_clientContextFactoryTrustingAuthority(
        self, epoll: PollingReactor, ca: trustme.CA, serverCertificate: PrivateCertificate
    ) -> None:
        """
        A C{ClientContextFactory} whose context also trusts the test
        authority (as C{docs/tls.md} shows) connects with C{connectSSL} to
        a server whose certificate is for the host given to C{connectSSL}.
        """
        caPEM = ca.cert_pem.bytes().decode("ascii")

        class TrustingFactory(ClientContextFactory):
            def getContext(self) -> ssl.SSLContext:
                context = super().getContext()
                context.load_verify_locations(cadata=caPEM)
                return context

        client, server = talk(epoll, serverCertificate.options(), TrustingFactory())
        assert client.received == server.received == b"hello"
        assert client.peerCertificate == Certificate(serverCertificate.original)
        assertClosedCleanly(client, server)


class ServerNameTests:
    def test_certificateChosenByName(
        self, epoll: PollingReactor, ca: trustme.CA, caCertificate: Certificate
    ) -> None:
        """
        A server with C{serverNames} presents, over real sockets, the
        certificate for the name each client sends, and its default one to
        a client that sends none (connecting to an IP address); each client
        verifies the one it gets.
        """
        default = PrivateCertificate.loadPEM(leafPEM(ca, "127.0.0.1", common_name="default"))
        options = CertificateOptions(
            privateKey=default.privateKey,
            certificate=default,
            serverNames={
                "one.test": PrivateCertificate.loadPEM(
                    leafPEM(ca, "one.test", common_name="one.test")
                ),
                "*.two.test": PrivateCertificate.loadPEM(
                    leafPEM(ca, "*.two.test", common_name="two.test")
                ),
            },
        )
        conversation = Conversation(epoll, connections=3)
        portNumber = serve(conversation, options)
        clients = {
            name: connect(
                conversation,
                portNumber,
                optionsForClientTLS(name, trustRoot=caCertificate),
                name.encode(),
                viaTCP=True,
            )
            for name in ("one.test", "www.two.test", "127.0.0.1")
        }
        runReactor(epoll)
        seen = {}
        for name, client in clients.items():
            assert client.received == name.encode()
            assert client.peerCertificate is not None
            seen[name] = client.peerCertificate.getSubject().commonName
        assert seen == {
            "one.test": b"one.test",
            "www.two.test": b"two.test",
            "127.0.0.1": b"default",
        }
        assert clients["www.two.test"].peerCertificate is not None
        assert clients["www.two.test"].peerCertificate.dnsNames() == ["*.two.test"]
        served = {}
        for server in conversation.servers:
            assert server.hostCertificate is not None
            served[server.received.decode()] = server.hostCertificate.getSubject().commonName
        assert served == seen
        assertClosedCleanly(*clients.values(), *conversation.servers)


class ALPNTests:
    @pytest.mark.parametrize(
        ("offered", "chosen"),
        [
            ([b"h2", b"http/1.1"], b"h2"),
            ([b"http/1.1", b"h2"], b"h2"),
            ([b"http/1.1"], b"http/1.1"),
            ([b"spdy/3"], None),
            (None, None),
        ],
    )
    def test_negotiation(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
        offered: list[bytes] | None,
        chosen: bytes | None,
    ) -> None:
        """
        A server offering h2 then http/1.1 picks its most preferred
        protocol among those the client offers; both ends'
        C{negotiatedProtocol} name it (bytes), or are None when the lists
        do not overlap or the client offers none (the connection goes on).
        """
        serverOptions = CertificateOptions(
            privateKey=serverCertificate.privateKey,
            certificate=serverCertificate,
            acceptableProtocols=[b"h2", b"http/1.1"],
        )
        client, server = talk(
            epoll,
            serverOptions,
            optionsForClientTLS("127.0.0.1", trustRoot=caCertificate, acceptableProtocols=offered),
        )
        assert (client.negotiated, server.negotiated) == (chosen, chosen)
        assert client.received == b"hello"
        assertClosedCleanly(client, server)


class StartTLSTests:
    def test_upgradeWithPublicOptions(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
    ) -> None:
        """
        A line conversation upgrades with C{startTLS(serverCertificate
        .options())} and C{startTLS(optionsForClientTLS(...))}: the line the
        server writes before startTLS arrives in plaintext first, the one it
        writes right after startTLS (before the handshake) arrives
        encrypted after it; then both transports report the peer's
        certificate and the ALPN protocol, and close with close_notify.
        """
        log: list[tuple[str, bytes, bool]] = []
        details: dict[str, Any] = {}
        reasons: dict[str, Failure] = {}
        conversation = Conversation(epoll)

        class Server(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                log.append(("server", line, self.transport.TLS))
                if line == b"STARTTLS":
                    self.sendLine(b"GO AHEAD")
                    self.transport.startTLS(
                        CertificateOptions(
                            privateKey=serverCertificate.privateKey,
                            certificate=serverCertificate,
                            acceptableProtocols=[b"smtp"],
                        )
                    )
                    self.sendLine(b"WELCOME")
                elif line == b"SECRET":
                    details["serverPeer"] = self.transport.getPeerCertificate()
                    details["serverALPN"] = self.transport.negotiatedProtocol
                    self.sendLine(b"GOT IT")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons["server"] = reason
                conversation.ended()

        class Client(LineReceiver):
            def connectionMade(self) -> None:
                self.sendLine(b"STARTTLS")

            def lineReceived(self, line: bytes) -> None:
                log.append(("client", line, self.transport.TLS))
                if line == b"GO AHEAD":
                    self.transport.startTLS(
                        optionsForClientTLS(
                            SERVER_NAME, trustRoot=caCertificate, acceptableProtocols=[b"smtp"]
                        )
                    )
                    self.sendLine(b"SECRET")
                elif line == b"WELCOME":
                    details["clientPeer"] = self.transport.getPeerCertificate()
                    details["clientALPN"] = self.transport.negotiatedProtocol
                elif line == b"GOT IT":
                    self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons["client"] = reason
                conversation.ended()

        port = epoll.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        epoll.connectTCP("127.0.0.1", port.getHost().port, oneProtocol(Client()))
        runReactor(epoll)
        assert [entry[1:] for entry in log if entry[0] == "server"] == [
            (b"STARTTLS", False),
            (b"SECRET", True),
        ]
        assert [entry[1:] for entry in log if entry[0] == "client"] == [
            (b"GO AHEAD", False),
            (b"WELCOME", True),
            (b"GOT IT", True),
        ]
        assert details["clientPeer"] == Certificate(serverCertificate.original)
        assert details["serverPeer"] is None
        assert details["clientALPN"] == details["serverALPN"] == b"smtp"
        assert reasons["client"].check(ConnectionDone)
        assert reasons["server"].check(ConnectionDone)

    def test_upgradeVerifiesName(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
    ) -> None:
        """
        C{startTLS(optionsForClientTLS(name))} verifies the server's
        certificate against C{name}: a wrong name fails the upgraded
        connection with a VerificationError naming the mismatch, and the
        line written after startTLS never reaches the server.
        """
        reasons: dict[str, Failure] = {}
        serverLines: list[bytes] = []
        conversation = Conversation(epoll)

        class Server(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                serverLines.append(line)
                if line == b"STARTTLS":
                    self.transport.startTLS(serverCertificate.options())

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons["server"] = reason
                conversation.ended()

        class Client(LineReceiver):
            def connectionMade(self) -> None:
                self.sendLine(b"STARTTLS")
                self.transport.startTLS(
                    optionsForClientTLS("mail.wrong.test", trustRoot=caCertificate)
                )
                self.sendLine(b"PASSWORD hunter2")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons["client"] = reason
                conversation.ended()

        port = epoll.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        epoll.connectTCP("127.0.0.1", port.getHost().port, oneProtocol(Client()))
        runReactor(epoll)
        error = reasons["client"].value
        assert isinstance(error, VerificationError)
        assert "Hostname mismatch, certificate is not valid for 'mail.wrong.test'" in str(error)
        assert isinstance(reasons["server"].value, ssl.SSLError)
        assert serverLines == [b"STARTTLS"]

    def test_peerFromTransportAfterStartTLS(
        self,
        epoll: PollingReactor,
        serverCertificate: PrivateCertificate,
        caCertificate: Certificate,
    ) -> None:
        """
        After startTLS, the connection's C{getHandle()} is the
        C{ssl.SSLObject}, so C{Certificate.peerFromTransport(transport)}
        gives the peer's certificate, as on a C{connectSSL} connection.
        """
        seen: dict[str, Any] = {}
        conversation = Conversation(epoll)

        class Server(Protocol):
            def connectionMade(self) -> None:
                self.transport.startTLS(serverCertificate.options())

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                conversation.ended()

        @implementer(IHandshakeListener)
        class Client(Protocol):
            def connectionMade(self) -> None:
                self.transport.startTLS(optionsForClientTLS(SERVER_NAME, trustRoot=caCertificate))

            def handshakeCompleted(self) -> None:
                seen["handle"] = self.transport.getHandle()
                try:
                    seen["peer"] = Certificate.peerFromTransport(self.transport)
                except Exception as e:
                    seen["peer"] = e
                self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                conversation.ended()

        port = epoll.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        epoll.connectTCP("127.0.0.1", port.getHost().port, oneProtocol(Client()))
        runReactor(epoll)
        assert isinstance(seen["handle"], ssl.SSLObject)
        assert seen["peer"] == Certificate(serverCertificate.original)

    def test_injectionIntoLineOnlyReceiver(
        self, epoll: PollingReactor, serverCertificate: PrivateCertificate
    ) -> None:
        """
        Plaintext sent right after STARTTLS, in the same packet, to a
        L{LineOnlyReceiver} that upgrades in C{lineReceived}, goes to the
        TLS handshake and is never delivered as a line.
        """
        lines: list[tuple[bytes, bool]] = []

        class Server(LineOnlyReceiver):
            def lineReceived(self, line: bytes) -> None:
                lines.append((line, self.transport.TLS))
                if line == b"STARTTLS":
                    self.transport.startTLS(serverCertificate.options())

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                epoll.stop()

        port = epoll.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        with socket.create_connection(("127.0.0.1", port.getHost().port)) as attacker:
            attacker.sendall(b"STARTTLS\r\nINJECTED COMMAND\r\n")
            attacker.shutdown(socket.SHUT_WR)
            runReactor(epoll)
        assert lines == [(b"STARTTLS", False)]
