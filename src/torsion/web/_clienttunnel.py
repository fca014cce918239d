# HTTPS through an HTTP proxy: a CONNECT tunnel, then TLS to the origin
# inside it (RFC 9110 section 9.3.6).
#
# ProxyAgent gives the pool a _TunnelEndpoint for each https request.  Its
# connect(factory) does, in order:
#
#   1. connect a _TunnelProtocol to the proxy with the proxy's endpoint;
#   2. write "CONNECT host:port HTTP/1.1" with "Host: host:port" (an IPv6
#      literal in brackets), plus any Proxy-Authorization the caller gave;
#   3. read the proxy's answer with torsion's ResponseParser, told that the
#      request was a CONNECT: interim 1xx answers are skipped; a 2xx head
#      "switches" the parser (nothing after it is HTTP any more, and the
#      bytes that followed it, if any, are kept in parser.unparsed); any
#      other status fails connect() with TunnelError(status, reason); bytes
#      that are not HTTP, or a head over the limits below, fail it with
#      TunnelError naming the problem (interim answers are not counted:
#      the timeout below bounds them).  A proxy that closes before it has
#      said anything fails it with ResponseNeverReceived, as a server that
#      closes before answering does for Agent.  No answer within `timeout`
#      seconds: the connection is aborted and connect() fails with
#      TimeoutError;
#   4. on 2xx: build the application's protocol (the pool's
#      HTTP11ClientProtocol) inside a TLSMemoryBIOProtocol made with the
#      origin's TLS settings (IPolicyForHTTPS.creatorForNetloc(host, port),
#      so the origin's certificate and host name are verified, not the
#      proxy's), connect that TLS protocol to the proxy connection's
#      transport, and fire connect() with the application's protocol, as
#      wrapClientTLS does: before the handshake, whose failure reaches the
#      application protocol's connectionLost (and so the request fails
#      with ResponseNeverReceived wrapping the ssl error).
#
# From step 4 on, the _TunnelProtocol is a pipe: what the transport
# delivers goes to the TLS protocol, and the end of the connection too;
# the TLS protocol writes ciphertext straight to the transport.  Layering
# TLS in the protocol, rather than calling transport.startTLS(), works on
# any transport the proxy's endpoint gives: plain TCP, or TLS itself when
# the proxy is reached over https.
#
# Cancelling connect()'s Deferred stops the connection attempt, or aborts
# the connection while the CONNECT is unanswered.
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zope.interface import implementer

from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.error import TimeoutError
from torsion.internet.interfaces import IProtocol, IProtocolFactory, IStreamClientEndpoint
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web._clienterrors import ResponseNeverReceived
from torsion.web._httpencode import encodeRequestHead
from torsion.web._httpparse import (
    EndOfMessage,
    HTTPParseError,
    ParserLimits,
    ResponseHead,
    ResponseParser,
)

#: How large the proxy's answer to CONNECT may be: its status line, and its
#: header section (a proxy has little to say when it opens a tunnel).
_LIMITS = ParserLimits(maxRequestLineSize=4096, maxHeaderBytes=16384, maxHeaderCount=64)

#: Seconds the proxy may take to answer CONNECT (it connects to the origin
#: meanwhile).
DEFAULT_TUNNEL_TIMEOUT = 60.0

#: What a host may hold in a CONNECT target: a reg-name (with
#: percent-encoding), an IPv4 address or an IPv6 literal (with its zone).
_HOST_BYTES = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%:"


class TunnelError(Exception):
    """
    An HTTP proxy did not open the CONNECT tunnel an https request through
    L{ProxyAgent} needs: it answered with a status other than 2xx, or with
    something that is not a valid HTTP response.

    @ivar target: The tunnel asked for, C{b"host:port"}.
    @ivar status: The proxy's status code (e.g. C{407}), or L{None} if its
        answer could not be parsed.
    @ivar reason: The proxy's reason phrase, as sent (may be empty).
    @ivar problem: What was wrong with an answer that could not be
        parsed, or L{None}.
    """

    def __init__(
        self,
        target: bytes,
        status: int | None = None,
        reason: bytes = b"",
        problem: str | None = None,
    ) -> None:
        """
        @param target: The tunnel asked for, C{b"host:port"}.
        @param status: The proxy's status code, or L{None}.
        @param reason: The proxy's reason phrase.
        @param problem: Why the answer could not be parsed, or L{None}.
        """
        super().__init__(target, status, reason, problem)
        self.target = target
        self.status = status
        self.reason = reason
        self.problem = problem

    def __str__(self) -> str:
        target = self.target.decode("ascii", "backslashreplace")
        if self.status is None:
            return (
                f"the proxy's answer to CONNECT {target} is not valid HTTP ({self.problem}); "
                "check that the proxy endpoint points at an HTTP proxy"
            )
        reason = self.reason.decode("latin-1")
        text = f"the proxy refused to open a tunnel to {target}: "
        text += f"it answered CONNECT with {self.status}"
        if reason:
            text += f" {reason}"
        if self.status == 407:
            text += "; pass the proxy's credentials in a Proxy-Authorization header"
        return text


def connectTarget(host: bytes, port: int) -> bytes:
    """
    The authority-form target of a CONNECT request, also its Host value.

    @param host: The origin's host name or address (an IPv6 literal
        without brackets).
    @param port: The origin's port.
    @return: C{b"host:port"}, with an IPv6 literal in brackets.
    @raise ValueError: If C{host} is empty or holds bytes a host cannot.
    """
    if not host or host.translate(None, _HOST_BYTES):
        raise ValueError(
            f"invalid host {host!r} for a CONNECT tunnel: use a host name, an IPv4 "
            "address or an IPv6 address"
        )
    if b":" in host:
        host = b"[" + host + b"]"
    return b"%s:%d" % (host, port)


def connectRequest(target: bytes, proxyAuthorization: Sequence[bytes] = ()) -> bytes:
    """
    The bytes of a CONNECT request for C{target}.

    @param target: What L{connectTarget} returned.
    @param proxyAuthorization: C{Proxy-Authorization} values to send.
    @return: The request line and header section.
    @raise ValueError: If a header value would break the request.
    """
    headers = [(b"Host", target)]
    headers.extend((b"Proxy-Authorization", value) for value in proxyAuthorization)
    return encodeRequestHead(b"CONNECT", target, headers)


class _TunnelProtocol(Protocol):
    """
    Asks the proxy for a tunnel, then pipes the connection to TLS.
    """

    def __init__(self, endpoint: _TunnelEndpoint, appFactory: IProtocolFactory) -> None:
        self._endpoint = endpoint
        self._appFactory = appFactory
        self._parser = ResponseParser(_LIMITS)
        self._parser.requestSent(b"CONNECT")
        self._tls: Any = None
        self._timer: Any = None
        self._connecting: Deferred[Any] | None = None
        self.result: Deferred[IProtocol] = Deferred(self._cancel)

    def connectionMade(self) -> None:
        assert self.transport is not None
        if self.result.called:
            # Cancelled while connecting, and the attempt went on anyway.
            self.transport.abortConnection()
            return
        self.transport.write(self._endpoint._request)
        timeout = self._endpoint._timeout
        if timeout is not None:
            self._timer = self._endpoint._reactor.callLater(timeout, self._timedOut, timeout)

    def _stopTimer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()

    def _fail(self, error: BaseException | Failure, abort: bool) -> None:
        self._stopTimer()
        if abort and self.transport is not None:
            self.transport.abortConnection()
        if not self.result.called:
            self.result.errback(error)

    def _cancel(self, d: Deferred[IProtocol]) -> None:
        connecting = self._connecting
        if self.transport is None and connecting is not None and not connecting.called:
            # Still connecting to the proxy: stop that.
            connecting.cancel()
            return
        self._fail(
            CancelledError(
                f"the request was cancelled while the proxy was asked for a tunnel to "
                f"{self._endpoint._target.decode('ascii')}; the connection was aborted"
            ),
            abort=True,
        )

    def _timedOut(self, timeout: float) -> None:
        self._timer = None
        target = self._endpoint._target.decode("ascii")
        self._fail(
            TimeoutError(
                string=f"the proxy did not answer CONNECT {target} within {timeout} seconds"
            ),
            abort=True,
        )

    def dataReceived(self, data: bytes) -> None:
        if self._tls is not None:
            self._tls.dataReceived(data)
            return
        if self.result.called:
            return
        self._handle(self._parser.feed(data))

    def _handle(self, events: list[Any]) -> None:
        target = self._endpoint._target
        for event in events:
            if type(event) is ResponseHead:
                if event.informational:
                    continue
                if 200 <= event.status < 300:
                    self._open()
                else:
                    self._fail(TunnelError(target, event.status, event.reason), abort=False)
                    assert self.transport is not None
                    self.transport.loseConnection()
                return
            if isinstance(event, HTTPParseError):
                self._fail(TunnelError(target, problem=event.reason), abort=True)
                return
            assert type(event) is EndOfMessage  # the end of an interim answer

    def _open(self) -> None:
        """
        The proxy opened the tunnel: start TLS to the origin in it.
        """
        from torsion.protocols.tls import TLSMemoryBIOFactory

        self._stopTimer()
        transport = self.transport
        assert transport is not None
        endpoint = self._endpoint
        try:
            creator = endpoint._policy.creatorForNetloc(endpoint._host, endpoint._port)
            tlsFactory = TLSMemoryBIOFactory(creator, True, self._appFactory, endpoint._reactor)
            tls = tlsFactory.buildProtocol(transport.getPeer())
            if tls is None:
                raise RuntimeError(f"{self._appFactory!r} built no protocol for the tunnel")
        except Exception:
            self._fail(Failure(), abort=True)
            return
        self._tls = tls
        tls.makeConnection(transport)
        self.result.callback(tls.wrappedProtocol)
        leftover = self._parser.unparsed
        if leftover and self._tls is tls:
            tls.dataReceived(leftover)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._stopTimer()
        if self._tls is not None:
            self._tls.connectionLost(reason)
            return
        if self.result.called:
            return
        for event in self._parser.feedEOF():
            if isinstance(event, HTTPParseError):
                self._fail(TunnelError(self._endpoint._target, problem=event.reason), abort=False)
                return
        self._fail(ResponseNeverReceived([reason]), abort=False)


class _TunnelFactory(Factory[_TunnelProtocol]):
    """
    Gives the proxy's endpoint the one L{_TunnelProtocol} of an attempt.
    """

    def __init__(self, protocol: _TunnelProtocol) -> None:
        self._protocol = protocol

    def buildProtocol(self, addr: Any) -> _TunnelProtocol:
        return self._protocol


@implementer(IStreamClientEndpoint)
class _TunnelEndpoint:
    """
    Connects to an https origin through a CONNECT tunnel of an HTTP proxy.
    """

    def __init__(
        self,
        proxyEndpoint: IStreamClientEndpoint,
        host: bytes,
        port: int,
        policy: Any,
        reactor: Any,
        timeout: float | None = DEFAULT_TUNNEL_TIMEOUT,
        proxyAuthorization: Sequence[bytes] = (),
    ) -> None:
        """
        @param proxyEndpoint: Connects to the proxy.
        @param host: The origin's host (an IPv6 literal without brackets).
        @param port: The origin's port.
        @param policy: The L{IPolicyForHTTPS} that gives the origin's TLS
            settings.
        @param reactor: Provides time, for the timeouts.
        @param timeout: Seconds the proxy may take to answer CONNECT, or
            L{None} for no limit.
        @param proxyAuthorization: C{Proxy-Authorization} values to send
            with the CONNECT.
        @raise ValueError: If C{host} cannot be a CONNECT target.
        """
        self._proxyEndpoint = proxyEndpoint
        self._host = host
        self._port = port
        self._policy = policy
        self._reactor = reactor
        self._timeout = timeout
        self._target = connectTarget(host, port)
        self._request = connectRequest(self._target, proxyAuthorization)

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Open a tunnel to the origin and start TLS in it.

        @param protocolFactory: Builds the protocol that speaks to the
            origin (over TLS).
        @return: Fires with that protocol once the proxy has opened the
            tunnel (before the TLS handshake); fails with L{TunnelError},
            L{ResponseNeverReceived}, L{TimeoutError} or the proxy
            endpoint's connection error.
        """
        tunnel = _TunnelProtocol(self, protocolFactory)
        connecting = self._proxyEndpoint.connect(_TunnelFactory(tunnel))

        def failed(reason: Failure) -> None:
            if not tunnel.result.called:
                tunnel.result.errback(reason)

        tunnel._connecting = connecting
        connecting.addErrback(failed)
        return tunnel.result

    def __repr__(self) -> str:
        return f"<CONNECT tunnel to {self._target.decode('ascii')} via {self._proxyEndpoint!r}>"


__all__ = ["DEFAULT_TUNNEL_TIMEOUT", "TunnelError", "connectRequest", "connectTarget"]
