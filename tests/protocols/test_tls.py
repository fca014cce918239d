"""
Tests for TLS over real loopback sockets (torsion.protocols.tls,
reactor.listenSSL/connectSSL), on every reactor backend.
"""

from __future__ import annotations

import os
import socket
import ssl
from typing import Any

import pytest
from zope.interface import implementer

from tests.internet.reactors import backendReactor, runReactor
from tests.internet.streams import Echo
from tests.protocols.tlsfixtures import HOSTNAME, ClientContextFactory, ServerContextFactory
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.error import ConnectionDone, ConnectionLost, TimeoutError
from torsion.internet.interfaces import (
    IHalfCloseableProtocol,
    IHandshakeListener,
    IPushProducer,
    ISSLTransport,
)
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.logger import globalLogPublisher
from torsion.protocols.tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from torsion.python.failure import Failure

__all__ = ["backendReactor"]


def clientFactory(protocol: Protocol) -> ClientFactory:
    factory = ClientFactory()
    factory.buildProtocol = lambda addr: protocol  # type: ignore[method-assign]
    return factory


class Recorder(Protocol):
    """
    Records what arrives, the handshake, and why the connection ended;
    stops the reactor when it ends (if C{stops}).
    """

    def __init__(self, reactor: Any, expect: int = -1, stops: bool = True) -> None:
        self.reactor = reactor
        self.expect = expect
        self.stops = stops
        self.chunks: list[bytes] = []
        self.received = 0
        self.reason: Failure | None = None
        self.handshakes = 0
        self.toSend: bytes = b""

    def connectionMade(self) -> None:
        if self.toSend:
            self.transport.write(self.toSend)

    def handshakeCompleted(self) -> None:
        self.handshakes += 1

    def dataReceived(self, data: bytes) -> None:
        self.chunks.append(data)
        self.received += len(data)
        if self.received == self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        if self.stops:
            self.reactor.stop()


implementer(IHandshakeListener)(Recorder)


def listen(reactor: PollingReactor, factory: Any, **kwargs: Any) -> int:
    port = reactor.listenSSL(0, factory, ServerContextFactory(**kwargs), interface="127.0.0.1")
    number: int = port.getHost().port
    return number


class HandshakeAndDataTests:
    def test_echoBothWays(self, backendReactor: PollingReactor) -> None:
        """
        Data written by a TLS client (before the handshake completes, from
        connectionMade) reaches a TLS echo server and comes back whole; both
        ends hear handshakeCompleted once; the client closes with
        close_notify, so it ends with ConnectionDone.
        """
        r = backendReactor
        portNumber = listen(r, Factory.forProtocol(Echo))
        payload = os.urandom(300_000)
        client = Recorder(r, expect=len(payload))
        client.toSend = payload
        r.connectSSL("127.0.0.1", portNumber, clientFactory(client), ClientContextFactory())
        runReactor(r)
        assert b"".join(client.chunks) == payload
        assert client.handshakes == 1
        assert client.reason is not None and client.reason.check(ConnectionDone)

    def test_transportDetails(self, backendReactor: PollingReactor) -> None:
        """
        The application's transport is an ISSLTransport: getHandle() is the
        ssl.SSLObject, negotiatedProtocol is None without ALPN, and the
        addresses are the TCP connection's.
        """
        r = backendReactor
        seen: dict[str, Any] = {}

        class Server(Protocol):
            def handshakeCompleted(self) -> None:
                handle = self.transport.getHandle()
                seen["version"] = handle.version()
                seen["ssl"] = ISSLTransport.providedBy(self.transport)
                seen["alpn"] = self.transport.negotiatedProtocol
                seen["peer"] = self.transport.getPeer().host
                self.transport.loseConnection()

        implementer(IHandshakeListener)(Server)
        portNumber = listen(r, Factory.forProtocol(Server))
        client = Recorder(r)
        r.connectSSL("127.0.0.1", portNumber, clientFactory(client), ClientContextFactory())
        runReactor(r)
        assert seen == {"version": "TLSv1.3", "ssl": True, "alpn": None, "peer": "127.0.0.1"}

    def test_alpn(self, backendReactor: PollingReactor) -> None:
        """
        The protocol chosen by ALPN is the transport's negotiatedProtocol,
        as bytes, on both ends.
        """
        r = backendReactor
        seen: list[Any] = []

        class Server(Protocol):
            def handshakeCompleted(self) -> None:
                seen.append(self.transport.negotiatedProtocol)

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                # The client closes once its side of the handshake is done;
                # the server's side may finish after that, so wait for it.
                r.stop()

        implementer(IHandshakeListener)(Server)
        portNumber = listen(r, Factory.forProtocol(Server), alpn=["h2", "http/1.1"])

        class ClientContext(ClientContextFactory):
            def getContext(self) -> ssl.SSLContext:
                context = super().getContext()
                context.set_alpn_protocols(["http/1.1"])
                return context

        class Client(Recorder):
            def handshakeCompleted(self) -> None:
                seen.append(self.transport.negotiatedProtocol)
                self.transport.loseConnection()

        implementer(IHandshakeListener)(Client)
        client = Client(r, stops=False)
        r.connectSSL("127.0.0.1", portNumber, clientFactory(client), ClientContext())
        runReactor(r)
        assert sorted(seen) == [b"http/1.1", b"http/1.1"]


class VerificationTests:
    def test_wrongHostnameRejected(self, backendReactor: PollingReactor) -> None:
        """
        A certificate for another name fails the client's connection with
        an ssl error naming the mismatch; the server goes on serving a
        good client afterwards.
        """
        r = backendReactor
        portNumber = listen(r, Factory.forProtocol(Echo))
        bad = Recorder(r, stops=False)
        good = Recorder(r, expect=5)
        good.toSend = b"hello"
        factory = TLSMemoryBIOFactory(
            ClientContextFactory(), True, clientFactory(bad), serverHostname="wrong.test"
        )

        def badLost(reason: Failure = connectionDone) -> None:
            bad.reason = reason
            r.connectSSL("127.0.0.1", portNumber, clientFactory(good), ClientContextFactory())

        bad.connectionLost = badLost  # type: ignore[method-assign]
        r.connectTCP("127.0.0.1", portNumber, factory)
        runReactor(r)
        assert bad.reason is not None
        error = bad.reason.value
        assert isinstance(error, ssl.SSLCertVerificationError)
        assert "Hostname mismatch" in str(error) and "wrong.test" in str(error)
        assert bad.chunks == []
        assert b"".join(good.chunks) == b"hello"

    def test_untrustedRejected(self, backendReactor: PollingReactor) -> None:
        """
        A client that does not trust the server's CA fails with a
        verification error saying so.
        """
        r = backendReactor
        portNumber = listen(r, Factory.forProtocol(Echo))
        client = Recorder(r)
        r.connectSSL("127.0.0.1", portNumber, clientFactory(client), ClientContextFactory(False))
        runReactor(r)
        assert client.reason is not None
        assert isinstance(client.reason.value, ssl.SSLCertVerificationError)
        assert "unable to get local issuer certificate" in str(client.reason.value)

    def test_noHostnameForCheckingFactory(self, backendReactor: PollingReactor) -> None:
        """
        An old-style client context that checks host names, used where no
        host name is known, fails that connection with an error that says
        what to do.
        """
        r = backendReactor
        portNumber = listen(r, Factory.forProtocol(Echo))
        client = Recorder(r)
        factory = TLSMemoryBIOFactory(ClientContextFactory(), True, clientFactory(client))
        r.connectTCP("127.0.0.1", portNumber, factory)
        with capturedEvents() as events:
            runReactor(r)
        assert client.reason is not None
        assert "optionsForClientTLS" in str(client.reason.value)
        assert any("Cannot start TLS" in e.get("log_format", "") for e in events)


class capturedEvents:
    """
    Collects the log events published while it is active.
    """

    def __enter__(self) -> list[dict[str, Any]]:
        self.events: list[dict[str, Any]] = []
        globalLogPublisher.addObserver(self.events.append)
        return self.events

    def __exit__(self, *exc: object) -> None:
        globalLogPublisher.removeObserver(self.events.append)


class BadInputTests:
    def test_garbageInsteadOfClientHello(self, backendReactor: PollingReactor) -> None:
        """
        Random bytes sent to a TLS server close that one connection, with a
        logged TLS error naming the peer; a TLS client connecting next is
        served normally.
        """
        r = backendReactor
        lost: list[Failure] = []

        class Server(Echo):
            def connectionLost(self, reason: Failure = connectionDone) -> None:
                lost.append(reason)

        portNumber = listen(r, Factory.forProtocol(Server))
        good = Recorder(r, expect=4)
        good.toSend = b"ping"

        class Garbage(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"\x16\x03\x01\x00\x05" + b"\xff" * 5 + os.urandom(200))

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                r.connectSSL("127.0.0.1", portNumber, clientFactory(good), ClientContextFactory())

        with capturedEvents() as events:
            r.connectTCP("127.0.0.1", portNumber, clientFactory(Garbage()))
            runReactor(r)
        assert b"".join(good.chunks) == b"ping"
        assert isinstance(lost[0].value, ssl.SSLError)
        errors = [e for e in events if e.get("log_format", "").startswith("TLS error")]
        assert len(errors) == 1 and "127.0.0.1" in errors[0]["peer"]

    def test_plaintextHTTPRequest(self, backendReactor: PollingReactor) -> None:
        """
        A plaintext HTTP request to a TLS port gets the connection closed
        with an ssl error (wrong version number / http request).
        """
        r = backendReactor
        lost: list[Failure] = []

        class Server(Echo):
            def connectionLost(self, reason: Failure = connectionDone) -> None:
                lost.append(reason)
                r.stop()

        portNumber = listen(r, Factory.forProtocol(Server))

        class Plain(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")

        r.connectTCP("127.0.0.1", portNumber, clientFactory(Plain()))
        runReactor(r)
        assert isinstance(lost[0].value, ssl.SSLError)
        assert "HTTP" in str(lost[0].value).upper()


class TimeoutTests:
    def test_handshakeTimesOut(self, backendReactor: PollingReactor) -> None:
        """
        A peer that connects and never completes the handshake is
        disconnected with TimeoutError once the handshake timeout passes
        (on the factory's clock).
        """
        r = backendReactor
        clock = Clock()
        lost: list[Failure] = []

        class Server(Protocol):
            def connectionMade(self) -> None:
                clock.advance(9.9)
                assert not lost
                clock.advance(0.2)

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                lost.append(reason)

        factory = TLSMemoryBIOFactory(
            ServerContextFactory(), False, Factory.forProtocol(Server), clock, handshakeTimeout=10
        )
        port = r.listenTCP(0, factory, interface="127.0.0.1")
        silent = Recorder(r)
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(silent))
        runReactor(r)
        assert isinstance(lost[0].value, TimeoutError)
        assert "did not complete within 10 seconds" in str(lost[0].value)
        assert clock.getDelayedCalls() == []

    def test_timerCancelledAfterHandshake(self) -> None:
        """
        Once the handshake completes, the timeout call is cancelled.
        """
        clock = Clock()
        server, client = loopbackPair(clock)
        assert recorder(server).handshakes == 1
        assert clock.getDelayedCalls() == []
        assert recorder(client).handshakes == 1


def recorder(protocol: TLSMemoryBIOProtocol) -> Recorder:
    wrapped = protocol.wrappedProtocol
    assert isinstance(wrapped, Recorder)
    return wrapped


class MemoryTransport:
    """
    A minimal transport connecting two protocols in memory, delivering
    synchronously once both are connected.
    """

    disconnecting = False

    def __init__(self) -> None:
        self.peer: Any = None
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def flushTo(self, protocol: Any) -> bool:
        data = b"".join(self.written)
        self.written.clear()
        if data:
            protocol.dataReceived(data)
        return bool(data)

    def loseConnection(self) -> None:
        self.closed = True

    def abortConnection(self) -> None:
        self.closed = True

    def getPeer(self) -> str:
        return "memory-peer"

    def getHost(self) -> str:
        return "memory-host"

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        self.producer = producer

    def unregisterProducer(self) -> None:
        self.producer = None

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False


def pump(
    server: TLSMemoryBIOProtocol,
    client: TLSMemoryBIOProtocol,
) -> None:
    moved = True
    while moved:
        moved = client.transport.flushTo(server) | server.transport.flushTo(client)


def loopbackPair(clock: Clock) -> tuple[TLSMemoryBIOProtocol, TLSMemoryBIOProtocol]:
    """
    Connect a TLS server and client protocol in memory and pump until the
    handshake is done.
    """
    serverFactory = TLSMemoryBIOFactory(
        ServerContextFactory(), False, Factory.forProtocol(Protocol), clock
    )
    clientFactory_ = TLSMemoryBIOFactory(
        ClientContextFactory(), True, Factory.forProtocol(Protocol), clock, serverHostname=HOSTNAME
    )
    sp = Recorder(None, stops=False)
    cp = Recorder(None, stops=False)
    server = TLSMemoryBIOProtocol(serverFactory, sp)
    client = TLSMemoryBIOProtocol(clientFactory_, cp)
    server.makeConnection(MemoryTransport())  # type: ignore[arg-type]
    client.makeConnection(MemoryTransport())  # type: ignore[arg-type]
    pump(server, client)
    return server, client


class MemoryTests:
    def test_writesBeforeHandshakeKeptInOrder(self) -> None:
        """
        Writes made before the handshake completes are sent, in order,
        after it.
        """
        clock = Clock()
        serverFactory = TLSMemoryBIOFactory(
            ServerContextFactory(), False, Factory.forProtocol(Protocol), clock
        )
        clientFactory_ = TLSMemoryBIOFactory(
            ClientContextFactory(),
            True,
            Factory.forProtocol(Protocol),
            clock,
            serverHostname=HOSTNAME,
        )
        sp = Recorder(None, stops=False)
        cp = Recorder(None, stops=False)
        server = TLSMemoryBIOProtocol(serverFactory, sp)
        client = TLSMemoryBIOProtocol(clientFactory_, cp)
        server.makeConnection(MemoryTransport())  # type: ignore[arg-type]
        client.makeConnection(MemoryTransport())  # type: ignore[arg-type]
        client.write(b"one ")
        client.writeSequence([b"two ", b"three"])
        assert sp.chunks == []
        pump(server, client)
        assert b"".join(sp.chunks) == b"one two three"

    def test_writeTypeChecked(self) -> None:
        """
        Writing text raises TypeError saying to encode it.
        """
        _, client = loopbackPair(Clock())
        with pytest.raises(TypeError, match="encode"):
            client.write("text")  # type: ignore[arg-type]

    def test_writesAfterLoseConnectionIgnored(self) -> None:
        """
        After loseConnection, close_notify is sent and later writes are
        dropped; the peer's half-close-less protocol answers with its own
        close_notify and closes.
        """
        server, client = loopbackPair(Clock())
        client.write(b"before")
        client.loseConnection()
        client.write(b"after")
        assert client.transport.closed
        pump(server, client)
        assert b"".join(recorder(server).chunks) == b"before"
        assert server.transport.closed

    def test_pauseHoldsDecryptedData(self) -> None:
        """
        While the TLS transport is paused, nothing is delivered, even data
        already received; resuming delivers it in order.
        """
        server, client = loopbackPair(Clock())
        server.pauseProducing()
        assert server.transport.paused
        for i in range(5):
            client.write(b"%d" % i * 20000)
        pump(server, client)
        assert recorder(server).chunks == []
        server.resumeProducing()
        assert not server.transport.paused
        assert b"".join(recorder(server).chunks) == b"".join(b"%d" % i * 20000 for i in range(5))

    def test_loseConnectionWaitsForProducer(self) -> None:
        """
        loseConnection with a producer registered waits until it
        unregisters, then sends close_notify.
        """
        _, client = loopbackPair(Clock())
        producer = object()
        client.registerProducer(producer, True)
        client.loseConnection()
        assert not client.transport.closed
        client.unregisterProducer()
        assert client.transport.closed

    def test_handleIsSSLObject(self) -> None:
        """
        getHandle() is the ssl.SSLObject, which knows the peer's
        certificate after the handshake.
        """
        _, client = loopbackPair(Clock())
        handle = client.getHandle()
        assert isinstance(handle, ssl.SSLObject)
        peer = handle.getpeercert()
        assert peer is not None and peer["subjectAltName"][0] == ("DNS", HOSTNAME)

    def test_badContextFactoryType(self) -> None:
        """
        A factory given something that is no TLS settings fails at once,
        saying what to pass.
        """
        with pytest.raises(TypeError, match="optionsForClientTLS"):
            TLSMemoryBIOFactory(object(), True, Factory())
        with pytest.raises(TypeError, match="CertificateOptions"):
            TLSMemoryBIOFactory(object(), False, Factory())


class ClosingTests:
    def test_closeNotifyIsConnectionDone(self, backendReactor: PollingReactor) -> None:
        """
        A peer that closes with close_notify ends the connection with
        ConnectionDone on the other side.
        """
        r = backendReactor
        server = Recorder(r)
        port = r.listenSSL(0, clientFactory(server), ServerContextFactory(), interface="127.0.0.1")

        class Closer(Protocol):
            def handshakeCompleted(self) -> None:
                self.transport.loseConnection()

        implementer(IHandshakeListener)(Closer)
        r.connectSSL(
            "127.0.0.1", port.getHost().port, clientFactory(Closer()), ClientContextFactory()
        )
        runReactor(r)
        assert server.reason is not None and server.reason.check(ConnectionDone)

    def test_abruptCloseIsTruncation(self, backendReactor: PollingReactor) -> None:
        """
        A peer that closes the TCP connection without close_notify after
        the handshake ends the connection with ConnectionLost naming the
        possible truncation.
        """
        r = backendReactor
        server = Recorder(r)
        port = r.listenSSL(0, clientFactory(server), ServerContextFactory(), interface="127.0.0.1")

        class Dropper(Protocol):
            def handshakeCompleted(self) -> None:
                self.transport.write(b"partial")
                r.callLater(0.01, self.transport.abortConnection)

        implementer(IHandshakeListener)(Dropper)
        r.connectSSL(
            "127.0.0.1", port.getHost().port, clientFactory(Dropper()), ClientContextFactory()
        )
        runReactor(r)
        assert server.reason is not None
        assert server.reason.check(ConnectionLost)
        assert not server.reason.check(ConnectionDone)
        assert "without a TLS close_notify" in str(server.reason.value)

    def test_halfClose(self, backendReactor: PollingReactor) -> None:
        """
        A half-closeable client's loseWriteConnection sends close_notify:
        the half-closeable server hears readConnectionLost, may still write
        its answer, which the client receives before the connection ends
        with ConnectionDone.
        """
        r = backendReactor
        events: list[str] = []

        @implementer(IHalfCloseableProtocol)
        class Server(Protocol):
            got = b""

            def dataReceived(self, data: bytes) -> None:
                self.got += data

            def readConnectionLost(self) -> None:
                events.append("server readConnectionLost")
                self.transport.write(self.got.upper())
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                events.append("server writeConnectionLost")

        @implementer(IHalfCloseableProtocol, IHandshakeListener)
        class Client(Recorder):
            def handshakeCompleted(self) -> None:
                self.transport.write(b"question")
                self.transport.loseWriteConnection()

            def readConnectionLost(self) -> None:
                events.append("client readConnectionLost")

            def writeConnectionLost(self) -> None:
                events.append("client writeConnectionLost")

        port = r.listenSSL(
            0, Factory.forProtocol(Server), ServerContextFactory(), interface="127.0.0.1"
        )
        client = Client(r)
        r.connectSSL(
            "127.0.0.1", port.getHost().port, clientFactory(client), ClientContextFactory()
        )
        runReactor(r)
        assert b"".join(client.chunks) == b"QUESTION"
        assert "server readConnectionLost" in events
        assert "client writeConnectionLost" in events
        assert "client readConnectionLost" in events
        assert client.reason is not None and client.reason.check(ConnectionDone)


class FlowControlTests:
    def test_slowReaderPausesProducer(self, backendReactor: PollingReactor) -> None:
        """
        100 MiB pushed through TLS by a streaming producer to a reader that
        keeps pausing: the producer is paused by the TCP buffer's
        high-water mark, so the ciphertext buffered in the sender never
        exceeds the high-water mark plus one chunk (and its TLS framing);
        every byte arrives in order.
        """
        r = backendReactor
        total = 100 * 1024 * 1024
        chunk = bytes(range(256)) * 256  # 64 KiB
        stats = {"maxBuffered": 0, "pauses": 0}

        @implementer(IPushProducer)
        class Pusher(Protocol):
            sent = 0
            paused = False

            def connectionMade(self) -> None:
                self.transport.registerProducer(self, True)
                self.resumeProducing()

            def pauseProducing(self) -> None:
                self.paused = True
                stats["pauses"] += 1

            def resumeProducing(self) -> None:
                self.paused = False
                tcp = self.transport.transport
                while not self.paused and self.sent < total:
                    self.transport.write(chunk)
                    self.sent += len(chunk)
                    stats["maxBuffered"] = max(stats["maxBuffered"], tcp._bufferedBytes)
                if self.sent >= total:
                    self.transport.unregisterProducer()
                    self.transport.loseConnection()

            def stopProducing(self) -> None:
                self.paused = True

        class SlowReader(Protocol):
            received = 0
            ok = True
            reason: Failure | None = None

            def dataReceived(self, data: bytes) -> None:
                expected = chunk * 2
                offset = self.received % len(chunk)
                if data != expected[offset : offset + len(data)]:
                    self.ok = False
                self.received += len(data)
                if self.received % (8 * 1024 * 1024) < len(data):
                    self.transport.pauseProducing()
                    r.callLater(0.001, self.transport.resumeProducing)

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                self.reason = reason
                r.stop()

        port = r.listenSSL(
            0, Factory.forProtocol(Pusher), ServerContextFactory(), interface="127.0.0.1"
        )
        reader = SlowReader()
        r.connectSSL(
            "127.0.0.1", port.getHost().port, clientFactory(reader), ClientContextFactory()
        )
        runReactor(r, timeout=120)
        assert reader.received == total and reader.ok
        assert stats["pauses"] > 0
        highWater = 65536
        overhead = len(chunk) // 16384 * 64 + 64
        assert stats["maxBuffered"] <= highWater + len(chunk) + overhead
        assert reader.reason is not None and reader.reason.check(ConnectionDone)


class StartTLSTests:
    def test_upgradeMidConversation(self, backendReactor: PollingReactor) -> None:
        """
        A LineReceiver conversation switches to TLS after STARTTLS: lines
        before it travel in plaintext, lines after it encrypted, and the
        transports report TLS afterwards.
        """
        from torsion.protocols.basic import LineReceiver

        r = backendReactor
        serverLines: list[tuple[bytes, bool]] = []

        class Server(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                serverLines.append((line, self.transport.TLS))
                if line == b"STARTTLS":
                    self.sendLine(b"GO AHEAD")
                    self.transport.startTLS(ServerContextFactory())
                elif line == b"QUIT":
                    self.transport.loseConnection()
                else:
                    self.sendLine(b"echo " + line)

        clientLines: list[bytes] = []

        class Client(LineReceiver):
            def connectionMade(self) -> None:
                self.sendLine(b"HELLO")
                self.sendLine(b"STARTTLS")

            def lineReceived(self, line: bytes) -> None:
                clientLines.append(line)
                if line == b"GO AHEAD":
                    self.transport.startTLS(ClientContextFactory())
                    self.sendLine(b"SECRET")
                elif line == b"echo SECRET":
                    self.peer = self.transport.getPeerCertificate
                    self.sendLine(b"QUIT")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                self.reason = reason
                r.stop()

        port = r.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        client = Client()
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(client))
        runReactor(r)
        assert serverLines == [
            (b"HELLO", False),
            (b"STARTTLS", False),
            (b"SECRET", True),
            (b"QUIT", True),
        ]
        assert clientLines == [b"echo HELLO", b"GO AHEAD", b"echo SECRET"]
        assert client.reason.check(ConnectionDone)

    def test_injectedPlaintextNotTrusted(self, backendReactor: PollingReactor) -> None:
        """
        Plaintext a client sends right after STARTTLS (in the same packet)
        is handed to TLS, never delivered as a line of the encrypted
        conversation (the STARTTLS command injection attack): here it is
        not a TLS record, so that connection fails with a TLS error.
        """
        from torsion.protocols.basic import LineReceiver

        r = backendReactor
        serverLines: list[bytes] = []
        lost: list[Failure] = []

        class Server(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                serverLines.append(line)
                if line == b"STARTTLS":
                    self.transport.startTLS(ServerContextFactory())

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                lost.append(reason)
                r.stop()

        port = r.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        attacker = socket.create_connection(("127.0.0.1", port.getHost().port))
        attacker.sendall(b"STARTTLS\r\nINJECTED COMMAND\r\n")
        try:
            runReactor(r)
        finally:
            attacker.close()
        assert serverLines == [b"STARTTLS"]
        assert isinstance(lost[0].value, ssl.SSLError)

    def test_startTLSTwice(self, backendReactor: PollingReactor) -> None:
        """
        startTLS on a connection already using TLS raises RuntimeError.
        """
        r = backendReactor
        errors: list[str] = []

        class Server(Protocol):
            def connectionMade(self) -> None:
                self.transport.startTLS(ServerContextFactory())
                try:
                    self.transport.startTLS(ServerContextFactory())
                except RuntimeError as e:
                    errors.append(str(e))
                self.transport.abortConnection()
                r.stop()

        port = r.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(Protocol()))
        runReactor(r)
        assert errors and "once" in errors[0]


class StartTLSFramingTests:
    """
    Every framing protocol of torsion.protocols.basic hands the bytes that
    arrived after its STARTTLS message to TLS instead of delivering them.
    """

    def _attack(self, r: PollingReactor, server: Any, packet: bytes) -> list[Failure]:
        lost: list[Failure] = []
        original = server.connectionLost

        def connectionLost(reason: Failure = connectionDone) -> None:
            lost.append(reason)
            original(reason)
            r.stop()

        server.connectionLost = connectionLost
        factory = Factory()
        factory.buildProtocol = lambda addr: server  # type: ignore[method-assign]
        port = r.listenTCP(0, factory, interface="127.0.0.1")
        attacker = socket.create_connection(("127.0.0.1", port.getHost().port))
        attacker.sendall(packet)
        try:
            runReactor(r)
        finally:
            attacker.close()
        return lost

    def test_netstring(self, backendReactor: PollingReactor) -> None:
        """
        A NetstringReceiver that starts TLS on the string C{STARTTLS} is
        not given the netstring injected after it.
        """
        from torsion.protocols.basic import NetstringReceiver

        received: list[bytes] = []

        class Server(NetstringReceiver):
            def stringReceived(self, string: bytes) -> None:
                received.append(string)
                if string == b"STARTTLS":
                    self.transport.startTLS(ServerContextFactory())

        lost = self._attack(backendReactor, Server(), b"8:STARTTLS,8:INJECTED,")
        assert received == [b"STARTTLS"]
        assert isinstance(lost[0].value, ssl.SSLError)

    def test_int32(self, backendReactor: PollingReactor) -> None:
        """
        An Int32StringReceiver that starts TLS on the string C{STARTTLS} is
        not given the strings injected after it.
        """
        from torsion.protocols.basic import Int32StringReceiver

        received: list[bytes] = []

        class Server(Int32StringReceiver):
            def stringReceived(self, string: bytes) -> None:
                received.append(string)
                if string == b"STARTTLS":
                    self.transport.startTLS(ServerContextFactory())

        packet = b"".join(len(s).to_bytes(4, "big") + s for s in (b"STARTTLS", b"ONE", b"TWO"))
        lost = self._attack(backendReactor, Server(), packet)
        assert received == [b"STARTTLS"]
        assert isinstance(lost[0].value, ssl.SSLError)
