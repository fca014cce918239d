# TLS as a protocol wrapper: the standard library's ssl module driven through
# memory BIOs, between any stream transport and the application's protocol.
#
# How it works
# ------------
# Each connection owns two ssl.MemoryBIOs and one ssl.SSLObject bound to
# them (made by the context factory, see torsion.internet._itls):
#
#   transport --ciphertext--> dataReceived --> incomingBIO --> SSLObject.read
#       --> plaintext --> wrappedProtocol.dataReceived
#   wrappedProtocol --plaintext--> write --> SSLObject.write --> outgoingBIO
#       --> ciphertext --> transport.write
#
# After every step that may make TLS records (handshake, write, read — a
# TLS 1.3 server sends session tickets after the handshake — shutdown) the
# outgoing BIO is drained into one transport.write, so ciphertext leaves in
# as few writes as the records allow.
#
# Handshake.  The wrapped protocol is connected at once (connectionMade runs
# before the handshake, as in Twisted); what it writes before the handshake
# completes is kept in `_pending` and encrypted afterwards.  When the
# handshake completes, an IHandshakeListener protocol hears
# handshakeCompleted().  A handshake that has not completed after
# `handshakeTimeout` seconds aborts the connection with TimeoutError.
#
# Flow control.  Registered producers are registered with the underlying
# transport, whose write buffer holds the ciphertext: its high-water mark
# pauses them exactly as on plain TCP.  pauseProducing() on this transport
# stops reading from the underlying transport *and* stops delivering
# plaintext already decrypted-able from the incoming BIO; resumeProducing()
# delivers that first.
#
# Closing.  close_notify is TLS's end-of-stream:
#   - loseConnection(): send what is pending, then close_notify, then close
#     the underlying transport (not waiting for the peer's close_notify);
#   - loseWriteConnection(): send close_notify and half-close the underlying
#     transport, keep reading (TLS 1.3 and OpenSSL both allow it);
#   - the peer's close_notify: a half-closeable protocol hears
#     readConnectionLost() and may go on writing; any other protocol's
#     connection is closed with ConnectionDone;
#   - the underlying connection ending without a close_notify after the
#     handshake is a truncation: ConnectionLost saying so;
#   - a TLS error (bad record, failed verification, a peer that does not
#     speak TLS) sends the alert OpenSSL made, closes the connection, and
#     gives the wrapped protocol the ssl.SSLError (whose message names the
#     reason, e.g. "certificate verify failed: Hostname mismatch ...").  It
#     is logged once, with the peer's address.
from __future__ import annotations

import ssl
from collections.abc import Callable, Sequence
from typing import Any

from zope.interface import directlyProvides, implementer, providedBy

from torsion.internet._errors import ConnectionDone, ConnectionLost, TimeoutError
from torsion.internet._isendfile import ISendFileTransport
from torsion.internet._itls import (
    IOpenSSLClientConnectionCreator,
    IOpenSSLServerConnectionCreator,
    ITLSProtocolState,
)
from torsion.internet._itransport import (
    IHalfCloseableProtocol,
    IHandshakeListener,
    IProtocol,
    ISSLTransport,
    ITCPTransport,
    ITLSTransport,
    ITransport,
)
from torsion.internet._protocol import connectionDone
from torsion.logger import Logger
from torsion.protocols._policieswrapper import _FORWARDED, ProtocolWrapper, WrappingFactory
from torsion.python.failure import Failure

_log = Logger(namespace="torsion.protocols.tls")

#: Seconds a handshake may take before the connection is aborted.
DEFAULT_HANDSHAKE_TIMEOUT = 30.0

# The interface declarations of TLS protocols, by (class, what the
# transport provides, what the wrapped protocol provides).
_declarations: dict[tuple[Any, Any, Any], Any] = {}

# The most plaintext one TLS record carries; SSLObject.read returns at most
# one record's worth, so asking for more only costs a bigger allocation.
_READ_SIZE = 16384

# Plaintext kept for after the handshake beyond which a streaming producer
# is paused (the TCP transport's high-water mark).
_PENDING_LIMIT = 65536

_WantRead = ssl.SSLWantReadError
_ZeroReturn = ssl.SSLZeroReturnError


def _peerOf(transport: Any) -> str:
    try:
        return str(transport.getPeer())
    except Exception:
        return repr(transport)


@implementer(ITLSProtocolState, ISSLTransport)
class TLSMemoryBIOProtocol(ProtocolWrapper):
    """
    Encrypts and decrypts a connection with TLS, between its transport and
    the application protocol.

    To the application it is the transport (an L{ISSLTransport}): it writes
    plaintext, and reads the peer's certificate and the negotiated ALPN
    protocol from it.  To the underlying transport it is the protocol.

    @ivar incomingBIO: Ciphertext received, not yet decrypted.
    @ivar outgoingBIO: Ciphertext made, not yet written to the transport.
    @ivar serverHostname: For clients, the name connected to (used for SNI
        and verification by old-style context factories), or L{None}.
    @ivar factory: The L{TLSMemoryBIOFactory}.
    """

    #: This transport speaks TLS (as a connection reports after startTLS).
    TLS = True

    _tls: ssl.SSLObject | None = None
    _handshakeDone = False
    _lostTLSConnection = False
    _sentShutdown = False
    _receivedShutdown = False
    _reason: Failure | None = None
    _timeoutCall: Any = None
    _readPaused = False
    _appProducer: Any = None
    _appStreaming = False
    _heldProducer = False
    _loseAfterProducer = False
    _writeHalfClosed = False

    factory: TLSMemoryBIOFactory

    def __init__(
        self,
        factory: TLSMemoryBIOFactory,
        wrappedProtocol: IProtocol,
        _connectWrapped: bool = True,
    ) -> None:
        """
        @param factory: The factory that made this protocol.
        @param wrappedProtocol: The application protocol.
        @param _connectWrapped: Whether C{makeConnection} also connects the
            wrapped protocol (not when TLS starts on a live connection).
        """
        super().__init__(factory, wrappedProtocol)
        self._connectWrapped = _connectWrapped
        self._pending: list[bytes] = []
        self.incomingBIO = ssl.MemoryBIO()
        self.outgoingBIO = ssl.MemoryBIO()
        self.serverHostname: str | None = factory._serverHostname

    # -- connecting ------------------------------------------------------------

    def makeConnection(self, transport: ITransport) -> None:
        """
        Make the TLS state, start the handshake, then connect the wrapped
        protocol to this transport.

        @param transport: The underlying (ciphertext) transport.
        """
        self._declareInterfaces(transport)
        self.connected = True
        self.transport = transport
        try:
            self._tls = self.factory._makeTLS(self)
        except Exception as e:
            # Bad settings: the connection cannot start.
            self._reason = Failure(e)
            _log.failure(
                "Cannot start TLS on the connection to {peer}:",
                failure=self._reason,
                peer=_peerOf(transport),
            )
            if self._connectWrapped:
                self.factory.registerProtocol(self)
                self.wrappedProtocol.makeConnection(self)
            transport.loseConnection()
            return
        timeout = self.factory.handshakeTimeout
        if timeout is not None:
            self._timeoutCall = self.factory._clockFor(transport).callLater(
                timeout, self._handshakeTimedOut, timeout
            )
        self.factory.registerProtocol(self)
        if self._connectWrapped:
            self.wrappedProtocol.makeConnection(self)
        # A client speaks first; a server's first step only waits for input.
        self._continueHandshake()

    def _declareInterfaces(self, transport: ITransport) -> None:
        """
        Provide the transport's interfaces (except ITLSTransport: this one
        cannot start TLS again) and the protocol-side ones of the wrapped
        protocol.  Speed: working the declaration out costs more than the
        rest of a connection's setup, so it is made once per combination of
        classes and shared.
        """
        key = (type(self), providedBy(transport), providedBy(self.wrappedProtocol))
        declaration = _declarations.get(key)
        if declaration is not None:
            self.__provides__ = declaration
            return
        provided = key[2]
        extra = [i for i in _FORWARDED if provided.isOrExtends(i)]
        # (Neither can it send files unencrypted.)
        own = [
            i for i in key[1].interfaces() if i is not ITLSTransport and i is not ISendFileTransport
        ]
        if ITLSTransport.providedBy(transport):
            own.append(ITCPTransport)
        directlyProvides(self, *own, *extra)
        if len(_declarations) < 256:
            _declarations[key] = self.__provides__

    def _handshakeTimedOut(self, timeout: float) -> None:
        self._timeoutCall = None
        if self._handshakeDone or self._lostTLSConnection:
            return
        error = TimeoutError(
            f"the TLS handshake with {_peerOf(self.transport)} did not complete "
            f"within {timeout:g} seconds"
        )
        _log.info("{error}", error=error)
        self._reason = Failure(error)
        self.transport.abortConnection()

    def _continueHandshake(self) -> None:
        tls = self._tls
        assert tls is not None
        try:
            tls.do_handshake()
        except _WantRead:
            self._flush()
            return
        except ssl.SSLError as e:
            self._tlsFailed(e)
            return
        self._handshakeDone = True
        if self._timeoutCall is not None:
            self._timeoutCall.cancel()
            self._timeoutCall = None
        # The handshake's last records go out with whatever follows them in
        # this round (session tickets, the first data, close_notify): the
        # next write, or the flush at the end of dataReceived.
        if IHandshakeListener.providedBy(self.wrappedProtocol):
            try:
                self.wrappedProtocol.handshakeCompleted()
            except Exception:
                _log.failure(
                    "Error in handshakeCompleted of {protocol!r}:", protocol=self.wrappedProtocol
                )
        pending, self._pending = self._pending, []
        if pending and not self._lostTLSConnection:
            self._encrypt(b"".join(pending))
        if self._heldProducer:
            self._heldProducer = False
            if self._appProducer is not None:
                self._appProducer.resumeProducing()
        if self.disconnecting and self._appProducer is None:
            self._shutdownTLS()
        elif self._writeHalfClosed:
            self._halfCloseTLS()

    # -- receiving ---------------------------------------------------------------

    def dataReceived(self, data: bytes) -> None:
        """
        Decrypt C{data} and pass the plaintext on.

        @param data: Ciphertext from the transport.
        """
        if self._tls is None or self._lostTLSConnection:
            return
        self.incomingBIO.write(data)
        if not self._handshakeDone:
            self._continueHandshake()
            if not self._handshakeDone:
                return
        self._deliver()

    def _deliver(self) -> None:
        tls = self._tls
        assert tls is not None
        deliver = self.wrappedProtocol.dataReceived
        while not self._readPaused:
            try:
                plaintext = tls.read(_READ_SIZE)
            except _WantRead:
                break
            except _ZeroReturn:
                self._closeNotifyReceived()
                break
            except ssl.SSLError as e:
                self._tlsFailed(e)
                return
            if not plaintext:
                self._closeNotifyReceived()
                break
            deliver(plaintext)
            if self._lostTLSConnection or self._tls is None:
                return
        if self._pending:
            pending, self._pending = self._pending, []
            self._encrypt(b"".join(pending))
        # Reading may have produced records to send (session tickets, key
        # updates, alerts).
        elif self.outgoingBIO.pending:
            self._flush()

    def _closeNotifyReceived(self) -> None:
        if self._receivedShutdown:
            return
        self._receivedShutdown = True
        if IHalfCloseableProtocol.providedBy(self.wrappedProtocol):
            try:
                self.wrappedProtocol.readConnectionLost()
            except Exception:
                _log.failure(
                    "Error in readConnectionLost of {protocol!r}:", protocol=self.wrappedProtocol
                )
                self._reason = Failure()
                self.transport.abortConnection()
            if self._sentShutdown:
                # Both directions are closed now.
                self.transport.loseConnection()
            return
        self._reason = Failure(ConnectionDone("the peer closed the TLS connection"))
        self._shutdownTLS()

    def readConnectionLost(self) -> None:
        """
        The underlying transport's read side closed (a TCP FIN): after the
        peer's close_notify that is expected; before it, a truncation.
        """
        if self._receivedShutdown:
            return
        self._truncated()
        self.transport.loseConnection()

    def writeConnectionLost(self) -> None:
        """
        The underlying write side closed after our close_notify went out.
        """
        if IHalfCloseableProtocol.providedBy(self.wrappedProtocol):
            self.wrappedProtocol.writeConnectionLost()

    def _truncated(self) -> None:
        if self._reason is None and not self._sentShutdown:
            if self._handshakeDone:
                self._reason = Failure(
                    ConnectionLost(
                        "the peer closed the connection without a TLS close_notify "
                        "(the data may have been truncated)"
                    )
                )
            else:
                self._reason = Failure(
                    ConnectionLost("the connection closed during the TLS handshake")
                )

    def _tlsFailed(self, error: ssl.SSLError) -> None:
        """
        A TLS error: send the alert, remember the error, close.
        """
        self._lostTLSConnection = True
        self._reason = Failure(error)
        _log.info(
            "TLS error on the connection with {peer}: {error}",
            peer=_peerOf(self.transport),
            error=error,
        )
        self._flush()
        self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        The underlying connection is gone: tell the wrapped protocol why,
        naming a truncation or the TLS error that caused it.

        @param reason: The underlying transport's reason.
        """
        if self._timeoutCall is not None:
            self._timeoutCall.cancel()
            self._timeoutCall = None
        if not self._lostTLSConnection and self._tls is not None:
            self._lostTLSConnection = True
            if not self._receivedShutdown and reason.check(ConnectionDone):
                self._truncated()
        self.connected = False
        why = self._reason or reason
        self._reason = None
        self._pending = []
        super().connectionLost(why)

    # -- sending -----------------------------------------------------------------

    def _flush(self) -> None:
        out = self.outgoingBIO.read()
        if out:
            self.transport.write(out)

    def _encrypt(self, data: bytes) -> None:
        tls = self._tls
        assert tls is not None
        try:
            written = tls.write(data)
            if written < len(data):
                rest = memoryview(data)[written:]
                while rest:
                    rest = rest[tls.write(rest) :]
        except _WantRead:
            # Only a renegotiation makes a write wait for input: the data is
            # kept whole and retried after the next read (OpenSSL wants the
            # same buffer again).
            self._pending.append(data)
        except ssl.SSLError as e:
            self._tlsFailed(e)
            return
        out = self.outgoingBIO.read()
        if out:
            self.transport.write(out)

    def write(self, data: bytes) -> None:
        """
        Encrypt and send C{data}; kept until the handshake completes if it
        has not yet.  Ignored after L{loseConnection}.

        @param data: Plaintext.
        @raise TypeError: If C{data} is not bytes.
        """
        if type(data) is not bytes:
            if not isinstance(data, bytearray | memoryview):
                raise TypeError(
                    f"TLS transport write() takes bytes, not {type(data).__name__}; "
                    "encode text first, e.g. transport.write(text.encode('utf-8'))"
                )
            data = bytes(data)
        if not data or self._sentShutdown or self._lostTLSConnection or self._tls is None:
            return
        if self._handshakeDone and not self._pending:
            self._encrypt(data)
        else:
            self._pending.append(data)
            self._holdProducer()

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Encrypt and send the joined C{data}.

        @param data: Plaintext chunks.
        """
        self.write(b"".join(data))

    # -- closing -----------------------------------------------------------------

    def loseConnection(self) -> None:
        """
        Send what was written, then close_notify, then close the connection.
        With a producer registered, wait until it unregisters.
        """
        if self.disconnecting or self._lostTLSConnection or not self.connected:
            return
        self.disconnecting = 1
        if self._tls is None:
            self.transport.loseConnection()
            return
        if self._appProducer is not None:
            self._loseAfterProducer = True
            return
        if self._handshakeDone:
            self._shutdownTLS()
        # else: closed once the handshake completes (or times out).

    def _shutdownTLS(self) -> None:
        tls = self._tls
        if tls is not None and not self._sentShutdown and not self._lostTLSConnection:
            self._sentShutdown = True
            try:
                tls.unwrap()
            except (_WantRead, ssl.SSLError):
                pass
            self._flush()
        self.transport.loseConnection()

    def loseWriteConnection(self) -> None:
        """
        Half-close: send close_notify (after what was written) and shut the
        underlying write side; go on receiving.
        """
        if self._writeHalfClosed or self._lostTLSConnection:
            return
        self._writeHalfClosed = True
        if self._handshakeDone:
            self._halfCloseTLS()

    def _halfCloseTLS(self) -> None:
        tls = self._tls
        if tls is None or self._sentShutdown:
            return
        self._sentShutdown = True
        try:
            tls.unwrap()
        except (_WantRead, ssl.SSLError):
            pass
        self._flush()
        if self._receivedShutdown:
            self.transport.loseConnection()
        else:
            self.transport.loseWriteConnection()

    def abortConnection(self) -> None:
        """
        Close at once, sending nothing more (no close_notify).
        """
        self._lostTLSConnection = True
        self.transport.abortConnection()

    # -- producers ---------------------------------------------------------------

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register C{producer} with the underlying transport, whose buffer of
        ciphertext pauses and resumes it.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        """
        self._appProducer = producer
        self._appStreaming = streaming
        self.transport.registerProducer(producer, streaming)

    def _holdProducer(self) -> None:
        # Writes wait for the handshake: a streaming producer is paused
        # once they pass the high-water mark, and resumed after it.
        if (
            self._appStreaming
            and self._appProducer is not None
            and not self._heldProducer
            and sum(map(len, self._pending)) > _PENDING_LIMIT
        ):
            self._heldProducer = True
            self._appProducer.pauseProducing()

    def unregisterProducer(self) -> None:
        """
        Unregister the producer; a pending L{loseConnection} goes ahead.
        """
        self._appProducer = None
        self._heldProducer = False
        self.transport.unregisterProducer()
        if self._loseAfterProducer:
            self._loseAfterProducer = False
            if self._handshakeDone:
                self._shutdownTLS()

    def pauseProducing(self) -> None:
        """
        Stop reading and stop delivering plaintext.
        """
        self._readPaused = True
        self.transport.pauseProducing()

    def resumeProducing(self) -> None:
        """
        Deliver what was held back, then read again.
        """
        self._readPaused = False
        if self._handshakeDone and not self._lostTLSConnection:
            self._deliver()
        if not self._readPaused and self.connected:
            self.transport.resumeProducing()

    def stopProducing(self) -> None:
        """
        Close the connection.
        """
        self.loseConnection()

    # -- inspection --------------------------------------------------------------

    def getPeerCertificate(self) -> Any:
        """
        @return: The peer's certificate as a
            L{torsion.internet.ssl.Certificate}, or L{None} if it sent none
            (or the handshake has not completed).
        """
        if self._tls is None or not self._handshakeDone:
            return None
        der = self._tls.getpeercert(binary_form=True)
        if not der:
            return None
        from torsion.internet import ssl as _ssl  # type: ignore[attr-defined, unused-ignore]

        return _ssl.Certificate.load(der)

    @property
    def negotiatedProtocol(self) -> bytes | None:
        """
        The protocol chosen by ALPN (such as C{b"h2"}), or L{None} if none
        was (or the handshake has not completed).
        """
        if self._tls is None or not self._handshakeDone:
            return None
        chosen = self._tls.selected_alpn_protocol()
        return chosen.encode("ascii") if chosen else None

    def getHandle(self) -> ssl.SSLObject | None:
        """
        @return: The C{ssl.SSLObject} (where Twisted returns a pyOpenSSL
            C{Connection}): C{version()}, C{cipher()} and so on.
        """
        return self._tls


class TLSMemoryBIOFactory(WrappingFactory):
    """
    Wraps the protocols another factory builds in L{TLSMemoryBIOProtocol}.

    @ivar handshakeTimeout: Seconds a handshake may take (L{None}: no
        limit).
    """

    protocol: Callable[..., TLSMemoryBIOProtocol] = TLSMemoryBIOProtocol
    noisy = False

    def __init__(
        self,
        contextFactory: Any,
        isClient: bool,
        wrappedFactory: Any,
        clock: Any = None,
        *,
        serverHostname: str | None = None,
        handshakeTimeout: float | None = DEFAULT_HANDSHAKE_TIMEOUT,
    ) -> None:
        """
        @param contextFactory: The TLS settings: an
            C{IOpenSSLClientConnectionCreator} (clients), an
            C{IOpenSSLServerConnectionCreator} (servers), or an old-style
            object whose C{getContext()} returns an C{ssl.SSLContext}; see
            L{torsion.internet.ssl}.
        @param isClient: Whether this end is the TLS client.
        @param wrappedFactory: The factory of application protocols.
        @param clock: The L{IReactorTime} for the handshake timeout; by
            default the transport's reactor.
        @param serverHostname: For clients with an old-style context factory,
            the name to send (SNI) and to verify the certificate against.
        @param handshakeTimeout: Seconds a handshake may take; L{None} for
            no limit.
        """
        super().__init__(wrappedFactory)
        self._creator = contextFactory
        self._isClient = isClient
        self._clock = clock
        self._serverHostname = serverHostname
        self.handshakeTimeout = handshakeTimeout
        if (
            not isClient
            and not IOpenSSLServerConnectionCreator.providedBy(contextFactory)
            and not callable(getattr(contextFactory, "getContext", None))
        ):
            raise TypeError(
                f"{contextFactory!r} cannot make server TLS connections: pass "
                "torsion.internet.ssl.CertificateOptions(privateKey=..., certificate=...) "
                "or PrivateCertificate.options()"
            )
        if (
            isClient
            and not IOpenSSLClientConnectionCreator.providedBy(contextFactory)
            and not callable(getattr(contextFactory, "getContext", None))
        ):
            raise TypeError(
                f"{contextFactory!r} cannot make client TLS connections: pass "
                "torsion.internet.ssl.optionsForClientTLS(hostname)"
            )

    def logPrefix(self) -> str:
        """
        @return: The wrapped factory's prefix, then C{(TLS)}.
        """
        wrapped = self.wrappedFactory
        inner = wrapped.logPrefix() if hasattr(wrapped, "logPrefix") else type(wrapped).__name__
        return f"{inner} (TLS)"

    def _clockFor(self, transport: Any) -> Any:
        if self._clock is not None:
            return self._clock
        clock = getattr(transport, "reactor", None)
        if clock is None:
            from torsion.internet import reactor as clock
        return clock

    def _makeTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> ssl.SSLObject:
        creator = self._creator
        if self._isClient:
            if IOpenSSLClientConnectionCreator.providedBy(creator):
                made: ssl.SSLObject = creator.clientConnectionForTLS(tlsProtocol)
                return made
            context = creator.getContext()
            hostname = tlsProtocol.serverHostname
            if hostname is None and context.check_hostname:
                raise ValueError(
                    f"{creator!r} checks host names but no host name is known for this "
                    "connection: use optionsForClientTLS(hostname) or "
                    "reactor.connectSSL(hostname, ...)"
                )
            client: ssl.SSLObject = context.wrap_bio(
                tlsProtocol.incomingBIO,
                tlsProtocol.outgoingBIO,
                server_side=False,
                server_hostname=hostname,
            )
            return client
        if IOpenSSLServerConnectionCreator.providedBy(creator):
            made = creator.serverConnectionForTLS(tlsProtocol)
            return made
        context = creator.getContext()
        server: ssl.SSLObject = context.wrap_bio(
            tlsProtocol.incomingBIO, tlsProtocol.outgoingBIO, server_side=True
        )
        return server


__all__ = ["DEFAULT_HANDSHAKE_TIMEOUT", "TLSMemoryBIOFactory", "TLSMemoryBIOProtocol"]
