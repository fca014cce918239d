# HTTP proxying: the client side that talks to the backend (ProxyClient,
# ProxyClientFactory), the reverse proxy resource, and the forward proxy
# (Proxy, ProxyRequest).
#
# One backend connection per request, as in Twisted: the request is sent
# with Connection: close and the connection is closed once the response has
# arrived.  The request head is built with _httpencode.encodeRequestHead;
# the response is parsed by the sans-IO _httpparse.ResponseParser, and its
# events drive the request being answered (the "father"):
#
#   ResponseHead (final)  father.setResponseCode + the end-to-end headers
#   ResponseHead (1xx)    ignored (with its EndOfMessage)
#   Data                  father.write
#   EndOfMessage          father.finish, close the backend connection
#   HTTPParseError        502 if nothing was sent to the client yet, else
#                         the client connection is closed
#
# Hop-by-hop headers (RFC 9110 section 7.6.1: Connection and the names it
# lists, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) are
# dropped in both directions.  The backend's framing is undone by the
# parser, and the father's Request frames the body again for its client:
# with the backend's Content-Length when it sent one, else chunked.
#
# Flow control: the backend transport is registered as a push producer on
# the father, so the backend is not read while the client is slow, and a
# proxied body never piles up in memory.  When the client goes away, the
# father's connectionLost stops that producer, which closes the backend
# connection; a notifyFinish errback does the same for request objects
# that do not stop producers.
#
# A backend that refuses the connection, or closes it before a whole
# response head arrived, gets the client a 502 Bad Gateway with a short
# plain-text reason.
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote as _quote
from urllib.parse import urlsplit

from torsion.internet.protocol import ClientFactory, Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web._httpchannel import HTTPChannel
from torsion.web._httpencode import encodeRequestHead
from torsion.web._httpparse import Data, EndOfMessage, HTTPParseError, ResponseHead, ResponseParser
from torsion.web._httprequest import Request
from torsion.web._notdone import NOT_DONE_YET
from torsion.web._resource import Resource
from torsion.web.iweb import IRequest, IResource

#: Headers that describe one connection, not the message: never forwarded.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)

_BAD_GATEWAY = 502


def endToEndHeaders(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """
    The headers of a message that a proxy forwards: all but the hop-by-hop
    ones and those named by its I{Connection} headers.

    @param headers: (name, value) pairs.
    @return: The pairs to forward, in order.
    """
    pairs = list(headers)
    drop = set(_HOP_BY_HOP)
    for name, value in pairs:
        if name.lower() == b"connection":
            drop.update(token.strip().lower() for token in value.split(b","))
    return [
        (name, value)
        for name, value in pairs
        if name.lower() not in drop and not name.lower().startswith(b"proxy-")
    ]


def _badGateway(father: Any, reason: str) -> None:
    """
    Answer C{father} with 502 and C{reason}, if it can still be answered.
    """
    if father.finished or getattr(father, "_disconnected", False):
        return
    if getattr(father, "startedWriting", False) or getattr(father, "_headSent", False):
        father.loseConnection()
        return
    body = f"Bad Gateway: {reason}\n".encode("utf-8", "backslashreplace")
    father.setResponseCode(_BAD_GATEWAY, b"Bad Gateway")
    headers = father.responseHeaders
    for name, _ in list(headers.getAllRawHeaders()):
        headers.removeHeader(name)
    father.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
    father.setHeader(b"Content-Length", b"%d" % len(body))
    father.write(body)
    father.finish()


class ProxyClient(Protocol):
    """
    Sends one request to a backend server and relays its response to the
    request being proxied (the I{father}).

    @ivar father: The request that the response answers.
    """

    def __init__(
        self,
        command: bytes,
        rest: bytes,
        version: bytes,
        headers: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]],
        data: bytes,
        father: Any,
    ) -> None:
        """
        @param command: The method, such as C{b"GET"}.
        @param rest: The request target, such as C{b"/a?b=c"}.
        @param version: C{b"HTTP/1.1"} or C{b"HTTP/1.0"}.
        @param headers: The headers to send: a dict or (name, value)
            pairs; hop-by-hop headers are dropped, and C{Connection: close}
            is added.
        @param data: The request body.
        @param father: The request to answer with the response.
        """
        self.command = command
        self.rest = rest
        self.version = version if version in (b"HTTP/1.0", b"HTTP/1.1") else b"HTTP/1.1"
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        self.headers = endToEndHeaders(pairs)
        self.data = data
        self.father = father
        self._parser = ResponseParser()
        self._interim = False
        self._finished = False

    def connectionMade(self) -> None:
        """
        Send the request, and let the client's pace drive our reading.
        """
        out = [(n, v) for n, v in self.headers if n.lower() != b"content-length"]
        if self.data or self.command in (b"POST", b"PUT", b"PATCH"):
            out.append((b"Content-Length", b"%d" % len(self.data)))
        out.append((b"Connection", b"close"))
        self._parser.requestSent(self.command)
        self.transport.write(encodeRequestHead(self.command, self.rest, out, self.version))
        if self.data:
            self.transport.write(self.data)
        father = self.father
        notify = getattr(father, "notifyFinish", None)
        if notify is not None:
            notify().addErrback(self._fatherLost)
        register = getattr(father, "registerProducer", None)
        if register is not None and getattr(father, "producer", None) is None:
            register(self.transport, True)

    def _fatherLost(self, reason: Failure) -> None:
        # The client went away: the backend's answer is not wanted.
        self._finished = True
        if self.transport is not None:
            self.transport.loseConnection()

    def dataReceived(self, data: bytes) -> None:
        """
        Parse the response and relay it.

        @param data: Bytes from the backend.
        """
        if self._finished:
            return
        self._handle(self._parser.feed(data))

    def _handle(self, events: list[Any]) -> None:
        for event in events:
            if self._finished:
                return
            if type(event) is Data:
                self.handleResponsePart(event.data)
            elif type(event) is ResponseHead:
                if event.informational:
                    self._interim = True
                    continue
                self.handleStatus(event.version, b"%d" % event.status, event.reason)
                for name, value in endToEndHeaders(event.headers):
                    self.handleHeader(name, value)
                self.handleEndHeaders()
            elif type(event) is EndOfMessage:
                if self._interim:
                    self._interim = False
                    continue
                self.handleResponseEnd()
            elif isinstance(event, HTTPParseError):
                self._fail(f"the backend's response is invalid: {event.reason}")

    def handleStatus(self, version: bytes, code: bytes, message: bytes) -> None:
        """
        Take the backend's status for the father.

        @param version: The backend's HTTP version.
        @param code: The status code, as digits.
        @param message: The reason phrase.
        """
        self.father.setResponseCode(int(code), message or None)

    def handleHeader(self, key: bytes, value: bytes) -> None:
        """
        Add one of the backend's (end-to-end) headers to the father's
        response.

        @param key: The lowercased name.
        @param value: The value.
        """
        if key == b"content-length":
            # One length: the parser accepted the backend's (equal) copies.
            self.father.responseHeaders.setRawHeaders(key, [value])
        else:
            self.father.responseHeaders.addRawHeader(key, value)

    def handleEndHeaders(self) -> None:
        """
        The head is complete; nothing to do by default.
        """

    def handleResponsePart(self, buffer: bytes) -> None:
        """
        Relay a piece of the body.

        @param buffer: The bytes.
        """
        self.father.write(buffer)

    def handleResponseEnd(self) -> None:
        """
        The response is complete: finish the father and close the backend
        connection.
        """
        if self._finished:
            return
        self._finished = True
        father = self.father
        self._releaseFather()
        if not father.finished and not getattr(father, "_disconnected", False):
            father.finish()
        if self.transport is not None:
            self.transport.loseConnection()

    def _releaseFather(self) -> None:
        father = self.father
        if getattr(father, "producer", None) is self.transport:
            father.unregisterProducer()

    def _fail(self, reason: str) -> None:
        self._finished = True
        self._releaseFather()
        _badGateway(self.father, reason)
        if self.transport is not None:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        The backend closed: a body delimited by the close ends here; any
        other unfinished response is a 502 (or a dropped client
        connection, if the response had started).

        @param reason: Why.
        """
        if self._finished:
            return
        self._handle(self._parser.feedEOF())
        if not self._finished:
            self._fail("the backend closed the connection before the response was complete")


class ProxyClientFactory(ClientFactory):
    """
    Makes the L{ProxyClient} for one proxied request, and answers 502 if
    the backend cannot be reached.
    """

    protocol: Any = ProxyClient

    def __init__(
        self,
        command: bytes,
        rest: bytes,
        version: bytes,
        headers: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]],
        data: bytes,
        father: Any,
    ) -> None:
        """
        @param command: The method.
        @param rest: The request target.
        @param version: The HTTP version to send.
        @param headers: The headers to send.
        @param data: The body.
        @param father: The request to answer.
        """
        self.command = command
        self.rest = rest
        self.version = version
        self.headers = headers
        self.data = data
        self.father = father

    def buildProtocol(self, addr: Any) -> Any:
        """
        Make the client for this request.

        @param addr: The backend's address.
        @return: A C{protocol} instance.
        """
        return self.protocol(
            self.command, self.rest, self.version, self.headers, self.data, self.father
        )

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        """
        The backend could not be reached: answer 502.

        @param connector: The connector.
        @param reason: Why.
        """
        _badGateway(self.father, f"could not connect to the backend ({reason.getErrorMessage()})")


def _requestHeaders(request: Any) -> list[tuple[bytes, bytes]]:
    return [
        (name, value)
        for name, values in request.requestHeaders.getAllRawHeaders()
        for value in values
    ]


class ReverseProxyResource(Resource):
    """
    Forwards every request under it to a backend HTTP server: the request
    to C{/a/b} under a resource made with C{path=b"/x"} goes to
    C{http://host:port/x/a/b}, with its query, headers and body, and the
    backend's response is streamed back.

    @ivar host: The backend's host name or address.
    @ivar port: The backend's port.
    @ivar path: The backend path this resource stands for.
    @ivar reactor: The reactor that connects to the backend.
    """

    proxyClientFactoryClass: Any = ProxyClientFactory

    def __init__(self, host: str, port: int, path: bytes, reactor: Any = None) -> None:
        """
        @param host: The backend's host.
        @param port: The backend's port.
        @param path: The backend path for this resource, such as C{b""}
            (the backend's root) or C{b"/app"}.
        @param reactor: The reactor to connect with; the global one by
            default.
        """
        super().__init__()
        if reactor is None:
            from torsion.internet import reactor as _reactor

            reactor = _reactor
        self.host = host
        self.port = port
        self.path = path
        self.reactor = reactor

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        A proxy for the backend path one segment deeper.

        @param path: The segment (decoded; quoted again for the backend).
        @param request: The request.
        @return: A new L{ReverseProxyResource}.
        """
        segment = _quote(path, safe=b"").encode("ascii")
        return type(self)(self.host, self.port, self.path + b"/" + segment, self.reactor)

    def render(self, request: IRequest) -> int:
        """
        Send the request to the backend; the response arrives later.

        @param request: The request.
        @return: C{NOT_DONE_YET}.
        """
        host = self.host.encode("idna") if not self.host.isascii() else self.host.encode("ascii")
        if b":" in host:
            host = b"[" + host + b"]"
        if self.port != 80:
            host = b"%s:%d" % (host, self.port)
        request.requestHeaders.setRawHeaders(b"host", [host])
        request.content.seek(0, 0)
        query = urlsplit(request.uri).query
        rest = self.path + b"?" + query if query else self.path
        if not rest.startswith(b"/"):
            rest = b"/" + rest
        factory = self.proxyClientFactoryClass(
            request.method,
            rest,
            getattr(request, "clientproto", b"HTTP/1.1"),
            _requestHeaders(request),
            request.content.read(),
            request,
        )
        self.reactor.connectTCP(self.host, self.port, factory)
        return NOT_DONE_YET


class ProxyRequest(Request):
    """
    A request to a forward proxy: its target is an absolute C{http://} URL,
    which is fetched and relayed.

    @cvar ports: The default port of each supported scheme.
    """

    protocols: dict[bytes, Any] = {b"http": ProxyClientFactory}
    ports: dict[bytes, int] = {b"http": 80}

    def __init__(self, channel: Any, queued: object = None, reactor: Any = None) -> None:
        """
        @param channel: The channel.
        @param queued: Ignored.
        @param reactor: The reactor to connect with; the global one by
            default.
        """
        super().__init__(channel, queued)
        if reactor is None:
            from torsion.internet import reactor as _reactor

            reactor = _reactor
        self.reactor = reactor

    def process(self) -> None:
        """
        Connect to the host named by the target and relay the request.
        """
        parsed = urlsplit(self.uri)
        scheme = parsed.scheme.lower()
        if scheme not in self.protocols or not parsed.hostname:
            self.setResponseCode(400)
            self.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            self.write(
                b"This proxy only forwards absolute http:// URLs, such as "
                b"GET http://example.com/ HTTP/1.1\n"
            )
            self.finish()
            return
        host = parsed.hostname.decode("ascii")
        port = parsed.port or self.ports[scheme]
        rest = parsed.path or b"/"
        if parsed.query:
            rest += b"?" + parsed.query
        headers = [(n, v) for n, v in _requestHeaders(self) if n.lower() != b"host"]
        headers.insert(0, (b"Host", parsed.netloc.rsplit(b"@", 1)[-1]))
        self.content.seek(0, 0)
        factory = self.protocols[scheme](
            self.method, rest, self.clientproto, headers, self.content.read(), self
        )
        self.reactor.connectTCP(host, port, factory)


class Proxy(HTTPChannel):
    """
    A forward HTTP proxy's connection: each request is a L{ProxyRequest}.
    Serve it with C{HTTPFactory.forProtocol(Proxy)} or a factory whose
    C{protocol} is L{Proxy}.
    """

    requestFactory: Any = ProxyRequest


__all__ = [
    "Proxy",
    "ProxyClient",
    "ProxyClientFactory",
    "ProxyRequest",
    "ReverseProxyResource",
    "endToEndHeaders",
]
