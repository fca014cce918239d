# Agent: turns request(method, uri, headers, body) into a connection from
# the pool (or a new one through an endpoint) and a Request on it.
#
# The endpoint for a URI comes from an IAgentEndpointFactory.  The
# standard one makes a HostnameEndpoint (connectTimeout and bindAddress
# apply to it) and, for https, wraps it in TLS with the settings the
# IPolicyForHTTPS gives for the host: by default BrowserLikePolicyForHTTPS,
# which verifies the certificate chain against the platform's trust store
# (or trustRoot) and the host name.  The pool key is (scheme, host, port),
# so http and https to the same host never share a connection.  When every
# connection attempt fails, the request fails with the last attempt's error
# (ConnectionRefusedError, say), as in Twisted, rather than with the
# HostnameEndpoint's ConnectionAttemptsFailed.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet.defer import Deferred, fail
from torsion.internet.endpoints import ConnectionAttemptsFailed, HostnameEndpoint, wrapClientTLS
from torsion.internet.interfaces import IStreamClientEndpoint
from torsion.internet.ssl import optionsForClientTLS
from torsion.python.failure import Failure
from torsion.web._clientpool import HTTPConnectionPool
from torsion.web._clientrequest import Request
from torsion.web._clienttunnel import DEFAULT_TUNNEL_TIMEOUT, _TunnelEndpoint
from torsion.web._clienturi import URI
from torsion.web.error import SchemeNotSupported
from torsion.web.http_headers import Headers
from torsion.web.iweb import (
    IAgent,
    IAgentEndpointFactory,
    IBodyProducer,
    IPolicyForHTTPS,
    IResponse,
)

_TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@implementer(IPolicyForHTTPS)
class BrowserLikePolicyForHTTPS:
    """
    Verify HTTPS servers as a browser does: the certificate chain against
    trusted authorities, and the certificate against the host name.
    """

    def __init__(self, trustRoot: Any = None) -> None:
        """
        @param trustRoot: The authorities to trust: a
            L{torsion.internet.ssl.Certificate},
            L{torsion.internet.ssl.trustRootFromCertificates}(...), or
            L{None} for the platform's trust store.
        """
        self._trustRoot = trustRoot

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        """
        TLS settings that verify C{hostname}.

        @param hostname: The server's host name or IP address.
        @param port: The server's port (not used).
        @return: What L{optionsForClientTLS} returns for C{hostname}.
        """
        return optionsForClientTLS(hostname.decode("idna"), trustRoot=self._trustRoot)


@implementer(IAgentEndpointFactory)
class _StandardEndpointFactory:
    """
    TCP endpoints for http, TLS over TCP for https.
    """

    def __init__(
        self,
        reactor: Any,
        contextFactory: IPolicyForHTTPS,
        connectTimeout: float | None,
        bindAddress: Any,
    ) -> None:
        self._reactor = reactor
        self._policy = contextFactory
        self._connectTimeout = connectTimeout
        self._bindAddress = bindAddress

    def endpointForURI(self, uri: URI) -> IStreamClientEndpoint:
        """
        The endpoint for C{uri}.

        @param uri: The parsed URI.
        @return: A client endpoint.
        @raise SchemeNotSupported: For a scheme other than http or https.
        """
        kwargs: dict[str, Any] = {}
        if self._connectTimeout is not None:
            kwargs["timeout"] = self._connectTimeout
        if self._bindAddress is not None:
            kwargs["bindAddress"] = self._bindAddress
        if uri.scheme not in (b"http", b"https"):
            raise SchemeNotSupported(
                f"unsupported scheme {uri.scheme!r} in {uri.toBytes()!r}: "
                "the agent speaks http and https"
            )
        endpoint = HostnameEndpoint(self._reactor, uri.host, uri.port, **kwargs)
        if uri.scheme == b"http":
            return endpoint
        creator = self._policy.creatorForNetloc(uri.host, uri.port)
        return wrapClientTLS(creator, endpoint)


def _lastAttempt(reason: Failure) -> Failure:
    """
    Fail with the last connection attempt's error, as Twisted's agent
    does (so that C{ConnectionRefusedError} reaches the caller), rather
    than with L{ConnectionAttemptsFailed}.
    """
    error = reason.value
    if isinstance(error, ConnectionAttemptsFailed) and error.attempts:
        return error.attempts[-1][1]
    return reason


def _hostValue(scheme: bytes, host: bytes, port: int) -> bytes:
    """
    The Host header for a request: C{host}, bracketed if IPv6, with the
    port unless it is the scheme's default.
    """
    if b":" in host:
        host = b"[" + host + b"]"
    if (scheme, port) in ((b"http", 80), (b"https", 443)):
        return host
    return b"%s:%d" % (host, port)


def _withHeader(
    headers: Headers | None, name: bytes, value: bytes, *, ifMissing: bool = False
) -> Headers:
    """
    A copy of C{headers} (new headers if L{None}) with C{name: value}
    added; the caller's headers are never changed.  With C{ifMissing},
    the header is added only if C{headers} has none of that name.
    """
    copy = Headers() if headers is None else headers.copy()
    if not (ifMissing and copy.hasHeader(name)):
        copy.addRawHeader(name, value)
    return copy


def _sendRequest(
    pool: HTTPConnectionPool,
    key: Any,
    endpoint: IStreamClientEndpoint,
    method: bytes,
    target: bytes,
    parsed: URI,
    headers: Headers | None,
    bodyProducer: IBodyProducer | None,
) -> Deferred[IResponse]:
    """
    Send C{method} C{target} over a connection from C{pool} (found by
    C{key}, made through C{endpoint}), with a I{Host} header for
    C{parsed} unless C{headers} has one; fails with the last connection
    attempt's error if none succeeds (L{_lastAttempt}).
    """
    request = Request(
        method,
        target,
        _withHeader(
            headers, b"Host", _hostValue(parsed.scheme, parsed.host, parsed.port), ifMissing=True
        ),
        bodyProducer,
        persistent=pool.persistent,
        absoluteURI=parsed.toBytes(),
    )
    d = pool.getConnection(key, endpoint)
    d.addCallbacks(lambda connection: connection.request(request), _lastAttempt)
    return d


@implementer(IAgent)
class Agent:
    """
    An HTTP/1.1 client over TCP and TLS.
    """

    def __init__(
        self,
        reactor: Any,
        contextFactory: IPolicyForHTTPS | None = None,
        connectTimeout: float | None = None,
        bindAddress: Any = None,
        pool: HTTPConnectionPool | None = None,
    ) -> None:
        """
        @param reactor: Provides TCP, time and name resolution.
        @param contextFactory: How https servers are verified; by default
            L{BrowserLikePolicyForHTTPS}().
        @param connectTimeout: Seconds a connection attempt may take; by
            default the endpoint's (30).
        @param bindAddress: A local address to connect from.
        @param pool: Where connections come from; by default a
            non-persistent L{HTTPConnectionPool} (one connection per
            request).
        """
        if contextFactory is None:
            contextFactory = BrowserLikePolicyForHTTPS()
        self._init(
            reactor,
            _StandardEndpointFactory(reactor, contextFactory, connectTimeout, bindAddress),
            pool,
        )

    def _init(self, reactor: Any, endpointFactory: Any, pool: HTTPConnectionPool | None) -> None:
        self._reactor = reactor
        self._endpointFactory = endpointFactory
        self._pool = pool if pool is not None else HTTPConnectionPool(reactor, persistent=False)

    @classmethod
    def usingEndpointFactory(
        cls,
        reactor: Any,
        endpointFactory: IAgentEndpointFactory,
        pool: HTTPConnectionPool | None = None,
    ) -> Agent:
        """
        An agent that connects through the endpoints C{endpointFactory}
        chooses.

        @param reactor: Provides time, for the pool.
        @param endpointFactory: Chooses the endpoint for each URI.
        @param pool: Where connections come from; by default a
            non-persistent one.
        @return: The agent.
        """
        agent = cls.__new__(cls)
        agent._init(reactor, endpointFactory, pool)
        return agent

    def request(
        self,
        method: bytes,
        uri: bytes,
        headers: Headers | None = None,
        bodyProducer: IBodyProducer | None = None,
    ) -> Deferred[IResponse]:
        """
        Send a request and get the response's head.

        @param method: E.g. C{b"GET"}.
        @param uri: The absolute http or https URI.
        @param headers: Headers to send; C{Host} is added if missing.
        @param bodyProducer: The body, or L{None}.
        @return: Fires with the L{IResponse} when its head has arrived,
            whatever its status; fails with L{SchemeNotSupported},
            connection errors, L{ResponseNeverReceived},
            L{ResponseFailed}, L{RequestGenerationFailed} or
            L{RequestTransmissionFailed}.  Cancelling it aborts the
            connection.
        @raise ValueError: If C{method} is not an HTTP token.
        """
        if not method or any(c not in _TCHAR for c in method):
            raise ValueError(f"invalid HTTP method {method!r}: use bytes such as b'GET'")
        parsed = URI.fromBytes(uri)
        try:
            endpoint = self._endpointFactory.endpointForURI(parsed)
        except SchemeNotSupported:
            return fail()
        key = (parsed.scheme, parsed.host, parsed.port)
        return _sendRequest(
            self._pool, key, endpoint, method, parsed.originForm, parsed, headers, bodyProducer
        )

    def __repr__(self) -> str:
        return f"<Agent pool={self._pool!r}>"


@implementer(IAgent)
class ProxyAgent:
    """
    Sends requests through an HTTP proxy: http URIs as absolute-form
    requests to the proxy, https URIs through a C{CONNECT} tunnel with TLS
    to the origin inside it (the origin's certificate and host name are
    verified; the proxy sees only ciphertext).
    """

    def __init__(
        self,
        endpoint: IStreamClientEndpoint,
        reactor: Any = None,
        pool: HTTPConnectionPool | None = None,
        *,
        contextFactory: IPolicyForHTTPS | None = None,
        tunnelTimeout: float | None = DEFAULT_TUNNEL_TIMEOUT,
    ) -> None:
        """
        @param endpoint: Connects to the proxy.
        @param reactor: Provides time, for the pool and the timeouts; by
            default the global reactor.
        @param pool: Where connections come from; by default a
            non-persistent one.
        @param contextFactory: How https origins are verified; by default
            L{BrowserLikePolicyForHTTPS}().
        @param tunnelTimeout: Seconds the proxy may take to answer a
            C{CONNECT}, or L{None} for no limit.
        """
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        self._reactor = reactor
        self._proxyEndpoint = endpoint
        self._pool = pool if pool is not None else HTTPConnectionPool(reactor, persistent=False)
        self._policy = contextFactory if contextFactory is not None else BrowserLikePolicyForHTTPS()
        self._tunnelTimeout = tunnelTimeout

    def request(
        self,
        method: bytes,
        uri: bytes,
        headers: Headers | None = None,
        bodyProducer: IBodyProducer | None = None,
    ) -> Deferred[IResponse]:
        """
        Send a request through the proxy.

        For an https URI, C{Proxy-Authorization} headers are sent to the
        proxy with the C{CONNECT}, never through the tunnel to the origin.

        @param method: The method.
        @param uri: The absolute URI; any scheme but https is sent to the
            proxy as is.
        @param headers: Headers to send; C{Host} is added if missing.
        @param bodyProducer: The body, or L{None}.
        @return: Fires with the response (relayed by the proxy for http,
            from the origin for https); fails as L{Agent.request} does,
            and for https also with L{TunnelError} if the proxy refuses
            the tunnel (or answers with something that is not HTTP),
            L{ResponseNeverReceived} if it closes before answering, or
            L{torsion.internet.error.TimeoutError} if it does not answer
            within C{tunnelTimeout}.
        @raise ValueError: If the request line or a header would be
            invalid, or an https URI's host cannot be a C{CONNECT} target.
        """
        parsed = URI.fromBytes(uri)
        key: Any
        endpoint: IStreamClientEndpoint
        if parsed.scheme == b"https":
            headers = Headers() if headers is None else headers.copy()
            credentials = tuple(headers.getRawHeaders(b"proxy-authorization") or ())
            headers.removeHeader(b"proxy-authorization")
            endpoint = _TunnelEndpoint(
                self._proxyEndpoint,
                parsed.host,
                parsed.port,
                self._policy,
                self._reactor,
                self._tunnelTimeout,
                credentials,
            )
            # Tunnels go to one origin: reuse them only for that origin
            # (and the same proxy credentials).
            origin = (parsed.scheme, parsed.host, parsed.port)
            key = ("https-tunnel", self._proxyEndpoint, origin, credentials)
            target = parsed.originForm
        else:
            endpoint = self._proxyEndpoint
            key = ("http-proxy", self._proxyEndpoint)
            target = parsed.toBytes()
        return _sendRequest(
            self._pool, key, endpoint, method, target, parsed, headers, bodyProducer
        )

    def __repr__(self) -> str:
        return f"<ProxyAgent via {self._proxyEndpoint!r} pool={self._pool!r}>"


__all__ = ["Agent", "BrowserLikePolicyForHTTPS", "ProxyAgent"]
