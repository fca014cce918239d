"""
Tests for https through L{ProxyAgent}: a C{CONNECT} tunnel to the proxy,
TLS to the origin inside it (C{torsion.web._clienttunnel}).

Unit tests drive the tunnel over a L{StringTransport} on a L{Clock}; the
integration tests put a small CONNECT proxy, written here on the test's
reactor, in front of a torsion L{Site} served over TLS with a trustme
authority, all on 127.0.0.1.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from tests.web.test_client import failureOf as awaitFailureOf
from tests.web.test_client_support import Echo, RawServer, SiteServer
from torsion.internet.defer import CancelledError, Deferred, fail, gatherResults, succeed
from torsion.internet.endpoints import TCP4ClientEndpoint
from torsion.internet.error import ConnectionDone, ConnectionRefusedError, TimeoutError
from torsion.internet.interfaces import IStreamClientEndpoint
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.python.failure import Failure
from torsion.web._clienttunnel import _TunnelEndpoint, connectRequest, connectTarget
from torsion.web.client import (
    BrowserLikePolicyForHTTPS,
    HTTP11ClientProtocol,
    HTTPConnectionPool,
    ProxyAgent,
    ResponseNeverReceived,
    TunnelError,
    readBody,
)
from torsion.web.http_headers import Headers
from torsion.web.iweb import IAgent
from torsion.web.resource import Resource

# -- unit tests: the CONNECT step over a StringTransport ----------------------


@implementer(IStreamClientEndpoint)
class FakeEndpoint:
    """
    Connects each protocol to a new L{StringTransport} at once, or (with
    C{pending}) hands back a Deferred that never fires by itself.
    """

    def __init__(self, pending: bool = False) -> None:
        self.pending = pending
        self.transports: list[StringTransport] = []
        self.protocols: list[Any] = []
        self.cancelled = 0

    def connect(self, factory: Any) -> Deferred[Any]:
        if self.pending:

            def cancel(d: Deferred[Any]) -> None:
                self.cancelled += 1

            return Deferred(cancel)
        protocol = factory.buildProtocol(None)
        transport = StringTransport()
        protocol.makeConnection(transport)
        self.transports.append(transport)
        self.protocols.append(protocol)
        return succeed(protocol)


def tunnelEndpoint(
    proxy: FakeEndpoint, clock: Clock, host: bytes = b"example.com", port: int = 443
) -> _TunnelEndpoint:
    """A tunnel endpoint to C{host}:C{port} through C{proxy}, timed by C{clock}."""
    return _TunnelEndpoint(proxy, host, port, BrowserLikePolicyForHTTPS(), clock, 60.0)


def appFactory() -> Factory[Protocol]:
    """A factory of plain protocols, standing in for the pool's."""
    return Factory.forProtocol(Protocol)


class ConnectRequestTests:
    """The bytes of a CONNECT request."""

    def test_hostName(self) -> None:
        """A host name and port make the authority-form target and the Host value."""
        target = connectTarget(b"example.com", 8443)
        assert connectRequest(target) == (
            b"CONNECT example.com:8443 HTTP/1.1\r\nHost: example.com:8443\r\n\r\n"
        )

    def test_ipv6Literal(self) -> None:
        """An IPv6 literal is put in brackets (RFC 9110 section 9.3.6)."""
        assert connectTarget(b"::1", 443) == b"[::1]:443"

    def test_proxyAuthorization(self) -> None:
        """Proxy-Authorization values are sent after Host."""
        request = connectRequest(b"a.example:443", [b"Basic dXNlcjpwdw=="])
        assert request.endswith(
            b"Host: a.example:443\r\nProxy-Authorization: Basic dXNlcjpwdw==\r\n\r\n"
        )

    @pytest.mark.parametrize("host", [b"", b"a b", b"evil\r\nX-Injected: 1", b"a/b", b"user@host"])
    def test_badHost(self, host: bytes) -> None:
        """A host that cannot be a CONNECT target is refused, naming it."""
        with pytest.raises(
            ValueError, match=r"^invalid host .* for a CONNECT tunnel: use a host name"
        ):
            connectTarget(host, 443)


class TunnelErrorTests:
    """The messages of L{TunnelError}."""

    def test_refused(self) -> None:
        """A refusal names the target, the status and the reason."""
        error = TunnelError(b"example.com:443", 403, b"Forbidden")
        assert (error.target, error.status, error.reason, error.problem) == (
            b"example.com:443",
            403,
            b"Forbidden",
            None,
        )
        assert str(error) == (
            "the proxy refused to open a tunnel to example.com:443: "
            "it answered CONNECT with 403 Forbidden"
        )

    def test_authenticationRequired(self) -> None:
        """A 407 says how to pass credentials."""
        error = TunnelError(b"example.com:443", 407, b"")
        assert str(error) == (
            "the proxy refused to open a tunnel to example.com:443: it answered CONNECT "
            "with 407; pass the proxy's credentials in a Proxy-Authorization header"
        )

    def test_notHTTP(self) -> None:
        """An answer that is not HTTP is named as such, with the problem."""
        error = TunnelError(b"example.com:443", problem="malformed status line")
        assert error.status is None
        assert str(error) == (
            "the proxy's answer to CONNECT example.com:443 is not valid HTTP "
            "(malformed status line); check that the proxy endpoint points at an HTTP proxy"
        )


class TunnelEndpointTests:
    """L{_TunnelEndpoint} over a L{StringTransport}, on a L{Clock}."""

    def test_provides(self) -> None:
        """It is an L{IStreamClientEndpoint} and its repr names the target."""
        endpoint = tunnelEndpoint(FakeEndpoint(), Clock())
        assert verifyObject(IStreamClientEndpoint, endpoint)
        assert repr(endpoint).startswith("<CONNECT tunnel to example.com:443 via ")

    def test_sendsConnect(self) -> None:
        """Once connected to the proxy, the CONNECT request is written and nothing fires."""
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        assert proxy.transports[0].value() == (
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
        )
        assertNoResult(d)

    @given(cuts=st.lists(st.integers(0, 60), max_size=8))
    def test_openedStartsTLS(self, cuts: list[int]) -> None:
        """
        However the 2xx answer is split, the tunnel opens: the Deferred
        fires with the application's protocol, whose transport is TLS,
        and the TLS client hello follows the CONNECT on the wire.
        """
        answer = b"HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\n"
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        transport = proxy.transports[0]
        transport.clear()
        bounds = [0, *sorted(c % (len(answer) + 1) for c in cuts), len(answer)]
        for start, end in itertools.pairwise(bounds):
            proxy.protocols[0].dataReceived(answer[start:end])
        protocol = resultOf(d)
        assert type(protocol) is Protocol
        assert type(protocol.transport).__name__ == "TLSMemoryBIOProtocol"
        assert transport.value()[:1] == b"\x16"  # a TLS handshake record
        assert not transport.disconnecting

    def test_interimThenOpened(self) -> None:
        """An interim 1xx answer is skipped; the 2xx after it opens the tunnel."""
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].dataReceived(b"HTTP/1.1 100 Continue\r\n\r\n")
        assertNoResult(d)
        proxy.protocols[0].dataReceived(b"HTTP/1.1 200 OK\r\n\r\n")
        assert isinstance(resultOf(d), Protocol)

    def test_bytesAfterAnswerGoToTLS(self) -> None:
        """
        Bytes that arrive with the 2xx belong to the tunnel: TLS reads
        them (here they are not TLS, so it closes the connection).
        """
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].dataReceived(b"HTTP/1.1 200 OK\r\n\r\nnot a TLS record at all")
        assert isinstance(resultOf(d), Protocol)
        assert proxy.transports[0].disconnecting

    @pytest.mark.parametrize(
        ("status", "reason"),
        [(407, b"Proxy Authentication Required"), (403, b"Forbidden"), (502, b"Bad Gateway")],
    )
    def test_refused(self, status: int, reason: bytes) -> None:
        """A non-2xx answer fails with L{TunnelError} carrying it, and closes."""
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].dataReceived(
            b"HTTP/1.1 %d %s\r\nContent-Length: 5\r\n\r\nnope!" % (status, reason)
        )
        error = failureOf(d, TunnelError).value
        assert isinstance(error, TunnelError)
        assert (error.status, error.reason, error.target) == (status, reason, b"example.com:443")
        assert proxy.transports[0].disconnecting

    def test_garbage(self) -> None:
        """An answer that is not HTTP fails with L{TunnelError} naming the problem."""
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].dataReceived(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        error = failureOf(d, TunnelError).value
        assert isinstance(error, TunnelError)
        assert error.status is None
        assert error.problem is not None and "malformed status line" in error.problem
        assert proxy.transports[0].disconnected

    def test_oversizedHead(self) -> None:
        """
        A header section over the limit fails as soon as the limit is
        passed, without waiting for its end.
        """
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].dataReceived(b"HTTP/1.1 200 OK\r\nX-Pad: ")
        for _ in range(40):
            proxy.protocols[0].dataReceived(b"a" * 1000)
        error = failureOf(d, TunnelError).value
        assert isinstance(error, TunnelError)
        assert "over 16384 bytes" in str(error)
        assert proxy.transports[0].disconnected

    def test_closedBeforeAnswer(self) -> None:
        """The proxy closing before it answered fails with L{ResponseNeverReceived}."""
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].connectionLost(Failure(ConnectionDone()))
        error = failureOf(d, ResponseNeverReceived).value
        assert isinstance(error, ResponseNeverReceived)
        assert error.reasons[0].check(ConnectionDone)

    def test_closedMidAnswer(self) -> None:
        """The proxy closing in the middle of its answer fails with L{TunnelError}."""
        proxy = FakeEndpoint()
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        proxy.protocols[0].dataReceived(b"HTTP/1.1 200 OK\r\nVia: x")
        proxy.protocols[0].connectionLost(Failure(ConnectionDone()))
        error = failureOf(d, TunnelError).value
        assert isinstance(error, TunnelError)
        assert error.problem is not None and "connection closed mid-message" in error.problem

    def test_timeout(self) -> None:
        """No answer within the timeout: the connection is aborted, L{TimeoutError}."""
        proxy = FakeEndpoint()
        clock = Clock()
        d = tunnelEndpoint(proxy, clock).connect(appFactory())
        clock.advance(59)
        assertNoResult(d)
        clock.advance(1)
        error = failureOf(d, TimeoutError).value
        assert "did not answer CONNECT example.com:443 within 60.0 seconds" in str(error)
        assert proxy.transports[0].disconnected
        proxy.protocols[0].connectionLost(Failure(ConnectionDone()))

    def test_answerStopsTimer(self) -> None:
        """Once the tunnel is open, the CONNECT timeout is gone."""
        proxy = FakeEndpoint()
        clock = Clock()
        d = tunnelEndpoint(proxy, clock).connect(appFactory())
        proxy.protocols[0].dataReceived(b"HTTP/1.1 200 OK\r\n\r\n")
        resultOf(d)
        assert [call.func.__name__ for call in clock.getDelayedCalls()] == ["_handshakeTimedOut"]

    def test_cancelWhileWaiting(self) -> None:
        """Cancelling while the CONNECT is unanswered aborts the connection."""
        proxy = FakeEndpoint()
        clock = Clock()
        d = tunnelEndpoint(proxy, clock).connect(appFactory())
        d.cancel()
        error = failureOf(d, CancelledError).value
        assert "asked for a tunnel to example.com:443" in str(error)
        assert proxy.transports[0].disconnected
        assert clock.getDelayedCalls() == []

    def test_cancelWhileConnecting(self) -> None:
        """Cancelling before the proxy connection is made cancels that attempt."""
        proxy = FakeEndpoint(pending=True)
        d = tunnelEndpoint(proxy, Clock()).connect(appFactory())
        d.cancel()
        assert proxy.cancelled == 1
        failureOf(d, CancelledError)

    def test_proxyConnectionFails(self) -> None:
        """The proxy endpoint's error is the tunnel's."""

        @implementer(IStreamClientEndpoint)
        class Refusing:
            def connect(self, factory: Any) -> Deferred[Any]:
                return fail(ConnectionRefusedError())

        endpoint = _TunnelEndpoint(
            Refusing(), b"example.com", 443, BrowserLikePolicyForHTTPS(), Clock()
        )
        failureOf(endpoint.connect(appFactory()), ConnectionRefusedError)


class ProxyAgentUnitTests:
    """L{ProxyAgent} on fakes."""

    def test_provides(self) -> None:
        """It is an L{IAgent}."""
        assert verifyObject(IAgent, ProxyAgent(FakeEndpoint(), Clock()))

    def test_httpsOriginForm(self) -> None:
        """
        An https request goes through CONNECT; once the tunnel is open the
        request itself is written inside TLS, never in the clear.
        """
        proxy = FakeEndpoint()
        agent = ProxyAgent(proxy, Clock())
        d = agent.request(b"GET", b"https://example.com/secret?q=1")
        transport = proxy.transports[0]
        assert transport.value().startswith(b"CONNECT example.com:443 HTTP/1.1\r\n")
        transport.clear()
        proxy.protocols[0].dataReceived(b"HTTP/1.1 200 OK\r\n\r\n")
        assertNoResult(d)
        assert b"secret" not in transport.value()
        assert transport.value()[:1] == b"\x16"

    def test_proxyAuthorizationGoesToProxy(self) -> None:
        """For https, Proxy-Authorization rides on the CONNECT and is not sent on."""
        proxy = FakeEndpoint()
        agent = ProxyAgent(proxy, Clock())
        headers = Headers({b"Proxy-Authorization": [b"Basic Zm9vOmJhcg=="]})
        agent.request(b"GET", b"https://[::1]:8443/", headers)
        assert proxy.transports[0].value() == (
            b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"
            b"Proxy-Authorization: Basic Zm9vOmJhcg==\r\n\r\n"
        )
        assert headers.hasHeader(b"proxy-authorization")  # the caller's copy is untouched

    def test_badHost(self) -> None:
        """An https URI whose host cannot be a CONNECT target raises ValueError."""
        agent = ProxyAgent(FakeEndpoint(), Clock())
        with pytest.raises(ValueError, match="for a CONNECT tunnel"):
            agent.request(b"GET", b"https://a%20b c/")

    def test_httpUnchanged(self) -> None:
        """An http request still goes to the proxy with its absolute URI."""
        proxy = FakeEndpoint()
        ProxyAgent(proxy, Clock()).request(b"GET", b"http://example.com/x")
        assert proxy.transports[0].value().startswith(b"GET http://example.com/x HTTP/1.1\r\n")

    def test_poolKeys(self) -> None:
        """
        Tunnels are pooled per origin (and proxy), apart from the plain
        http connections to the proxy.
        """
        keys: list[Any] = []

        class Pool(HTTPConnectionPool):
            def getConnection(self, key: Any, endpoint: Any) -> Deferred[Any]:
                keys.append(key)
                return Deferred()

        proxy = FakeEndpoint()
        agent = ProxyAgent(proxy, Clock(), Pool(Clock()))
        for uri in (
            b"https://a.example/",
            b"https://a.example/other",
            b"https://b.example/",
            b"https://a.example:8443/",
            b"http://a.example/",
        ):
            agent.request(b"GET", uri)
        assert keys[0] == keys[1]
        assert len({repr(key) for key in keys}) == 4
        assert all(proxy in key for key in keys)


# -- integration: a CONNECT proxy in front of a TLS Site on 127.0.0.1 ---------


class _Upstream(Protocol):
    """The proxy's connection to the origin: relays to the client."""

    def __init__(self, client: _ProxyProtocol) -> None:
        self._client = client

    def connectionMade(self) -> None:
        self._client.upstreamConnected(self)

    def dataReceived(self, data: bytes) -> None:
        assert self._client.transport is not None
        self._client.transport.write(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._client.upstreamLost()


class _UpstreamFactory(ClientFactory):
    """Connects one L{_Upstream}; a failure answers 502."""

    def __init__(self, client: _ProxyProtocol) -> None:
        self._client = client

    def buildProtocol(self, addr: Any) -> _Upstream:
        return _Upstream(self._client)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self._client.refuse(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


class _ProxyProtocol(Protocol):
    """
    One client of L{ConnectProxy}: reads a request head (at most 64 KiB),
    then answers as the proxy is scripted to, or relays both ways.
    """

    def __init__(self, proxy: ConnectProxy) -> None:
        self._proxy = proxy
        self._head = b""
        self._upstream: _Upstream | None = None
        self._pending: list[bytes] = []
        self._relaying = False
        self.lost: Deferred[None] = Deferred()

    def connectionMade(self) -> None:
        if self._proxy.answer == "close":
            assert self.transport is not None
            self.transport.loseConnection()

    def dataReceived(self, data: bytes) -> None:
        assert self.transport is not None
        if self._relaying:
            self._proxy.relayed.append(data)
            if self._upstream is None:
                self._pending.append(data)
            else:
                assert self._upstream.transport is not None
                self._upstream.transport.write(data)
            return
        self._head += data
        if b"\r\n\r\n" not in self._head:
            if len(self._head) > 65536:
                self.transport.abortConnection()
            return
        head, _, rest = self._head.partition(b"\r\n\r\n")
        self._proxy.heads.append(head)
        answer = self._proxy.answer
        if isinstance(answer, bytes):
            self.transport.write(answer)
            return
        method, target, _ = head.split(b"\r\n")[0].split(b" ")
        host, _, port = target.rpartition(b":")
        if method != b"CONNECT" or host not in (b"127.0.0.1", b"localhost"):
            self.refuse(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self._relaying = True
        if rest:
            self.dataReceived(rest)
        self._proxy.reactor.connectTCP("127.0.0.1", int(port), _UpstreamFactory(self))

    def refuse(self, answer: bytes) -> None:
        assert self.transport is not None
        self.transport.write(answer)
        self.transport.loseConnection()

    def upstreamConnected(self, upstream: _Upstream) -> None:
        assert self.transport is not None and upstream.transport is not None
        if not self.connected:
            upstream.transport.loseConnection()
            return
        self._upstream = upstream
        self.transport.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for data in self._pending:
            upstream.transport.write(data)
        self._pending = []

    def upstreamLost(self) -> None:
        if self.transport is not None:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.connected = False
        if self._upstream is not None and self._upstream.transport is not None:
            self._upstream.transport.loseConnection()
        self.lost.callback(None)


class ConnectProxy:
    """
    A CONNECT proxy on 127.0.0.1 that tunnels to 127.0.0.1 only.

    @ivar answer: L{None} to relay; bytes to answer every request head
        with (the connection stays open); C{"close"} to close each
        connection at once.  With C{tlsOptions}, clients speak TLS to the
        proxy itself.
    @ivar heads: The request heads received, in order.
    @ivar relayed: Every byte relayed from the client to an origin.
    """

    def __init__(
        self, reactor: Any, answer: bytes | str | None = None, tlsOptions: Any = None
    ) -> None:
        self.reactor = reactor
        self.answer = answer
        self.heads: list[bytes] = []
        self.relayed: list[bytes] = []
        self._clients: list[_ProxyProtocol] = []

        def build() -> _ProxyProtocol:
            client = _ProxyProtocol(self)
            self._clients.append(client)
            return client

        factory: Any = Factory.forProtocol(build)
        if tlsOptions is not None:
            from torsion.protocols.tls import TLSMemoryBIOFactory

            factory = TLSMemoryBIOFactory(tlsOptions, False, factory)
        self.port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", self.port.getHost().port)

    @property
    def requestLines(self) -> list[bytes]:
        """The first line of each request head."""
        return [head.split(b"\r\n")[0] for head in self.heads]

    async def stop(self) -> None:
        """Stop listening and wait until every client connection is closed."""
        await self.port.stopListening()
        await gatherResults([client.lost for client in self._clients])


class ShowHeader(Resource):
    """Answers with the request's Proxy-Authorization header, or C{-}."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        value: bytes = request.getHeader(b"proxy-authorization") or b"-"
        return value


@pytest.fixture
def authority() -> Any:
    """A trustme certificate authority."""
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def tlsSite(
    reactor: Any, authority: Any, name: str, resource: Resource | None = None
) -> SiteServer:
    """A TLS L{Site} on 127.0.0.1 with a certificate for C{name}."""
    from torsion.internet.ssl import PrivateCertificate

    leaf = authority.issue_cert(name)
    certificate = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
    return SiteServer(reactor, resource or Echo(), certificate.options())


def trusting(authority: Any) -> BrowserLikePolicyForHTTPS:
    """A policy that trusts C{authority}."""
    from torsion.internet.ssl import Certificate

    return BrowserLikePolicyForHTTPS(trustRoot=Certificate.loadPEM(authority.cert_pem.bytes()))


class TunnelTests:
    """https through a real CONNECT proxy, on the test's reactor."""

    async def test_httpsGet(self, reactor: Any, authority: Any) -> None:
        """
        The GET reaches the origin through CONNECT and gets the body; the
        proxy saw the CONNECT line and never the plaintext request.
        """
        server = tlsSite(reactor, authority, "127.0.0.1")
        proxy = ConnectProxy(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, contextFactory=trusting(authority))
        response = await agent.request(b"GET", server.url(b"/secret-path"))
        assert response.code == 200
        assert await readBody(response) == b"hello /secret-path"
        assert proxy.requestLines == [b"CONNECT 127.0.0.1:%d HTTP/1.1" % server.portNumber]
        assert b"Host: 127.0.0.1:%d" % server.portNumber in proxy.heads[0].split(b"\r\n")
        relayed = b"".join(proxy.relayed)
        assert relayed[:1] == b"\x16" and b"secret-path" not in relayed and b"GET" not in relayed
        await proxy.stop()
        await server.stop()

    async def test_localhost(self, reactor: Any, authority: Any) -> None:
        """A host name is sent as the CONNECT target and verified against the certificate."""
        server = tlsSite(reactor, authority, "localhost")
        proxy = ConnectProxy(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, contextFactory=trusting(authority))
        response = await agent.request(b"GET", server.url(b"/named", host=b"localhost"))
        assert await readBody(response) == b"hello /named"
        assert proxy.requestLines == [b"CONNECT localhost:%d HTTP/1.1" % server.portNumber]
        await proxy.stop()
        await server.stop()

    async def test_httpsProxy(self, reactor: Any, authority: Any) -> None:
        """
        A proxy reached over TLS works too: the origin's TLS runs inside
        the proxy's, and each is verified for its own name.
        """
        from torsion.internet.endpoints import wrapClientTLS
        from torsion.internet.ssl import Certificate, PrivateCertificate, optionsForClientTLS

        server = tlsSite(reactor, authority, "localhost")
        leaf = authority.issue_cert("127.0.0.1")
        proxyCertificate = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
        proxy = ConnectProxy(reactor, tlsOptions=proxyCertificate.options())
        trustRoot = Certificate.loadPEM(authority.cert_pem.bytes())
        endpoint = wrapClientTLS(
            optionsForClientTLS("127.0.0.1", trustRoot=trustRoot), proxy.endpoint
        )
        agent = ProxyAgent(endpoint, reactor, contextFactory=trusting(authority))
        response = await agent.request(b"GET", server.url(b"/inner", host=b"localhost"))
        assert await readBody(response) == b"hello /inner"
        assert proxy.requestLines == [b"CONNECT localhost:%d HTTP/1.1" % server.portNumber]
        await proxy.stop()
        await server.stop()

    async def test_reuse(self, reactor: Any, authority: Any) -> None:
        """With a persistent pool, a second request to the origin reuses the tunnel."""
        server = tlsSite(reactor, authority, "127.0.0.1")
        proxy = ConnectProxy(reactor)
        pool = HTTPConnectionPool(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, pool, contextFactory=trusting(authority))
        for path in (b"/one", b"/two"):
            response = await agent.request(b"GET", server.url(path))
            assert await readBody(response) == b"hello " + path
        assert len(proxy.heads) == 1
        assert server.connections == 1
        await pool.closeCachedConnections()
        await proxy.stop()
        await server.stop()

    async def test_originsApart(self, reactor: Any, authority: Any) -> None:
        """A tunnel to one origin is never used for another."""
        first = tlsSite(reactor, authority, "127.0.0.1")
        second = tlsSite(reactor, authority, "127.0.0.1")
        proxy = ConnectProxy(reactor)
        pool = HTTPConnectionPool(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, pool, contextFactory=trusting(authority))
        for server in (first, second, first):
            response = await agent.request(b"GET", server.url(b"/x"))
            assert await readBody(response) == b"hello /x"
        assert proxy.requestLines == [
            b"CONNECT 127.0.0.1:%d HTTP/1.1" % first.portNumber,
            b"CONNECT 127.0.0.1:%d HTTP/1.1" % second.portNumber,
        ]
        await pool.closeCachedConnections()
        await proxy.stop()
        await first.stop()
        await second.stop()

    async def test_proxyAuthorization(self, reactor: Any, authority: Any) -> None:
        """Proxy-Authorization goes to the proxy on the CONNECT, not to the origin."""
        server = tlsSite(reactor, authority, "127.0.0.1", ShowHeader())
        proxy = ConnectProxy(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, contextFactory=trusting(authority))
        headers = Headers({b"Proxy-Authorization": [b"Basic cDpx"]})
        response = await agent.request(b"GET", server.url(), headers)
        assert await readBody(response) == b"-"
        assert b"Proxy-Authorization: Basic cDpx" in proxy.heads[0].split(b"\r\n")
        await proxy.stop()
        await server.stop()

    async def test_wrongHostname(self, reactor: Any, authority: Any) -> None:
        """
        The origin's certificate is checked through the tunnel: one for
        another name fails the request, naming the mismatch.
        """
        server = tlsSite(reactor, authority, "example.org")
        proxy = ConnectProxy(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, contextFactory=trusting(authority))
        error = await awaitFailureOf(agent.request(b"GET", server.url()), ResponseNeverReceived)
        assert "mismatch" in str(error) and "127.0.0.1" in str(error)
        assert len(proxy.heads) == 1
        await proxy.stop()
        await server.stop()

    async def test_untrustedByDefault(self, reactor: Any, authority: Any) -> None:
        """Without a contextFactory the platform's trust store is used: a private CA fails."""
        server = tlsSite(reactor, authority, "127.0.0.1")
        proxy = ConnectProxy(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor)
        error = await awaitFailureOf(agent.request(b"GET", server.url()), ResponseNeverReceived)
        assert "certificate verify failed" in str(error)
        await proxy.stop()
        await server.stop()

    @pytest.mark.parametrize(
        ("status", "reason"),
        [(407, b"Proxy Authentication Required"), (403, b"Forbidden"), (502, b"Bad Gateway")],
    )
    async def test_refused(self, reactor: Any, status: int, reason: bytes) -> None:
        """A proxy refusing the CONNECT fails the request with L{TunnelError}."""
        answer = b"HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n" % (status, reason)
        proxy = ConnectProxy(reactor, answer)
        agent = ProxyAgent(proxy.endpoint, reactor)
        error = await awaitFailureOf(agent.request(b"GET", b"https://127.0.0.1:1/"), TunnelError)
        assert isinstance(error, TunnelError)
        assert (error.status, error.reason) == (status, reason)
        assert f"answered CONNECT with {status} {reason.decode()}" in str(error)
        await proxy.stop()

    async def test_proxyCloses(self, reactor: Any) -> None:
        """A proxy that closes at once fails the request with L{ResponseNeverReceived}."""
        proxy = ConnectProxy(reactor, "close")
        agent = ProxyAgent(proxy.endpoint, reactor)
        error = await awaitFailureOf(
            agent.request(b"GET", b"https://127.0.0.1:1/"), ResponseNeverReceived
        )
        assert isinstance(error, ResponseNeverReceived)
        await proxy.stop()

    @pytest.mark.parametrize(
        "answer",
        [b"garbage\r\n\r\n", b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n"],
        ids=["garbage", "oversized"],
    )
    async def test_badAnswer(self, reactor: Any, authority: Any, answer: bytes) -> None:
        """
        An answer that is not HTTP, or too large, fails with L{TunnelError};
        the reactor goes on: a request through a good proxy still works.
        """
        bad = ConnectProxy(reactor, answer)
        error = await awaitFailureOf(
            ProxyAgent(bad.endpoint, reactor).request(b"GET", b"https://127.0.0.1:1/"),
            TunnelError,
        )
        assert isinstance(error, TunnelError) and error.status is None
        assert "is not valid HTTP" in str(error)
        await bad.stop()
        server = tlsSite(reactor, authority, "127.0.0.1")
        good = ConnectProxy(reactor)
        agent = ProxyAgent(good.endpoint, reactor, contextFactory=trusting(authority))
        assert await readBody(await agent.request(b"GET", server.url(b"/ok"))) == b"hello /ok"
        await good.stop()
        await server.stop()

    async def test_proxyRefusesConnection(self, reactor: Any) -> None:
        """No proxy listening: the request fails with the connection error."""
        proxy = ConnectProxy(reactor)
        endpoint = proxy.endpoint
        await proxy.stop()
        error = await awaitFailureOf(
            ProxyAgent(endpoint, reactor).request(b"GET", b"https://127.0.0.1:1/"),
            ConnectionRefusedError,
        )
        assert isinstance(error, ConnectionRefusedError)

    async def test_httpStillAbsolute(self, reactor: Any) -> None:
        """http URIs still go to the proxy in absolute form, on the same agent."""
        proxy = RawServer(reactor, [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", proxy.portNumber)
        response = await ProxyAgent(endpoint, reactor).request(b"GET", b"http://example.com/p")
        assert await readBody(response) == b"ok"
        assert proxy.requests[0].split(b"\r\n")[0] == b"GET http://example.com/p HTTP/1.1"
        await proxy.stop()

    async def test_protocolIsHTTP11(self, reactor: Any, authority: Any) -> None:
        """The protocol in the tunnel is the pool's L{HTTP11ClientProtocol}."""
        server = tlsSite(reactor, authority, "127.0.0.1")
        proxy = ConnectProxy(reactor)
        pool = HTTPConnectionPool(reactor)
        agent = ProxyAgent(proxy.endpoint, reactor, pool, contextFactory=trusting(authority))
        await readBody(await agent.request(b"GET", server.url()))
        cached = [c for connections in pool._connections.values() for c in connections]
        assert [type(c) for c in cached] == [HTTP11ClientProtocol]
        await pool.closeCachedConnections()
        await proxy.stop()
        await server.stop()
