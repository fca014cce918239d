# Agents that wrap another agent and add one feature each, as in Twisted:
#
#   RedirectAgent / BrowserLikeRedirectAgent   follow 3xx Location headers
#   ContentDecoderAgent (+ GzipDecoder)        undo Content-Encoding
#   CookieAgent                                keep cookies in a CookieJar
#
# Redirects: RedirectAgent follows 301/302/307/308 for GET and HEAD only
# (another method fails with ResponseFailed wrapping PageRedirect, since
# repeating a POST elsewhere is the caller's decision) and turns a 303
# into a GET.  BrowserLikeRedirectAgent does what browsers do: 301, 302
# and 303 become a GET, 307 and 308 keep the method.  A redirect request
# never carries the original body.  When a redirect leaves the origin
# (scheme, host, port), the credentials headers (Authorization, Cookie,
# Proxy-Authorization, ...) are not sent on.  Each response links to the
# one that redirected to it (previousResponse).
#
# Cookies use the standard library's http.cookiejar, through two small
# adapters that give the jar the urllib-style request and response
# objects it inspects.
from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urljoin
from urllib.request import Request as _UrllibRequest

from zope.interface import implementer

from torsion.internet.defer import Deferred
from torsion.internet.interfaces import IProtocol
from torsion.internet.protocol import Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web._clientagent import _withHeader
from torsion.web._clienterrors import ResponseFailed
from torsion.web._clienturi import URI
from torsion.web.error import InfiniteRedirection, PageRedirect, RedirectWithNoLocation
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH, IAgent, IBodyProducer, IResponse

_SENSITIVE_HEADERS = (
    b"authorization",
    b"cookie",
    b"cookie2",
    b"proxy-authorization",
    b"www-authenticate",
)


def _origin(uri: bytes) -> tuple[bytes, bytes, int]:
    parsed = URI.fromBytes(uri)
    return parsed.scheme, parsed.host, parsed.port


@implementer(IAgent)
class RedirectAgent:
    """
    Follows redirects: 301, 302, 307 and 308 for GET and HEAD, and 303
    (as a GET) for any method.
    """

    _redirectResponses: Sequence[int] = (301, 302, 307, 308)
    _seeOtherResponses: Sequence[int] = (303,)

    def __init__(self, agent: IAgent, redirectLimit: int = 20) -> None:
        """
        @param agent: Sends each request.
        @param redirectLimit: Most redirects followed for one request;
            one more fails with L{InfiniteRedirection}.
        """
        self._agent = agent
        self._redirectLimit = redirectLimit

    def request(
        self,
        method: bytes,
        uri: bytes,
        headers: Headers | None = None,
        bodyProducer: IBodyProducer | None = None,
    ) -> Deferred[IResponse]:
        """
        Send a request and follow the redirects it meets.

        @param method: The method.
        @param uri: The absolute URI.
        @param headers: Headers to send.
        @param bodyProducer: The body of the first request.
        @return: Fires with the final response; fails with
            L{ResponseFailed} wrapping L{InfiniteRedirection},
            L{RedirectWithNoLocation} or L{PageRedirect}.
        """
        d = self._agent.request(method, uri, headers, bodyProducer)
        return d.addCallback(self._handleResponse, method, uri, headers, 0)

    def _handleResponse(
        self,
        response: IResponse,
        method: bytes,
        uri: bytes,
        headers: Headers | None,
        redirectCount: int,
    ) -> Any:
        if response.code in self._redirectResponses:
            if method not in (b"GET", b"HEAD"):
                error = PageRedirect(response.code, location=uri)
                raise ResponseFailed([Failure(error)], response)
            return self._handleRedirect(response, method, uri, headers, redirectCount)
        if response.code in self._seeOtherResponses:
            return self._handleRedirect(response, b"GET", uri, headers, redirectCount)
        return response

    def _handleRedirect(
        self,
        response: IResponse,
        method: bytes,
        uri: bytes,
        headers: Headers | None,
        redirectCount: int,
    ) -> Deferred[IResponse]:
        if redirectCount >= self._redirectLimit:
            error = InfiniteRedirection(
                response.code,
                b"Infinite redirection detected (more than %d redirects)" % self._redirectLimit,
                location=uri,
            )
            raise ResponseFailed([Failure(error)], response)
        locations = response.headers.getRawHeaders(b"location", [])
        if not locations:
            error2 = RedirectWithNoLocation(response.code, b"No location header field", uri)
            raise ResponseFailed([Failure(error2)], response)
        location = urljoin(uri, locations[0])
        if headers is not None and _origin(location) != _origin(uri):
            headers = headers.copy()
            for name in _SENSITIVE_HEADERS:
                headers.removeHeader(name)
        d = self._agent.request(method, location, headers)

        def chain(newResponse: IResponse) -> IResponse:
            newResponse.setPreviousResponse(response)
            return newResponse

        d.addCallback(chain)
        return d.addCallback(self._handleResponse, method, location, headers, redirectCount + 1)


class BrowserLikeRedirectAgent(RedirectAgent):
    """
    Follows redirects as browsers do: 301, 302 and 303 become a GET; 307
    and 308 repeat the method.
    """

    _redirectResponses = (307, 308)
    _seeOtherResponses = (301, 302, 303)


class _DecodingProtocol(Protocol):
    """
    Passes a body through a decompressor to another protocol.
    """

    def __init__(self, protocol: IProtocol, response: IResponse) -> None:
        self._protocol = protocol
        self._response = response
        self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._failed = False

    def makeConnection(self, transport: Any) -> None:
        self.transport = transport
        self._protocol.makeConnection(transport)

    def dataReceived(self, data: bytes) -> None:
        if self._failed:
            return
        try:
            decoded = self._decompressor.decompress(data)
        except zlib.error:
            self._failed = True
            reason = Failure()
            assert self.transport is not None
            self.transport.stopProducing()
            self._protocol.connectionLost(Failure(ResponseFailed([reason], self._response)))
            return
        if decoded:
            self._protocol.dataReceived(decoded)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self._failed:
            return
        try:
            rest = self._decompressor.flush()
        except zlib.error:
            self._protocol.connectionLost(
                Failure(ResponseFailed([reason, Failure()], self._response))
            )
            return
        if rest:
            self._protocol.dataReceived(rest)
        self._protocol.connectionLost(reason)


@implementer(IResponse)
class GzipDecoder:
    """
    A response whose gzip-encoded body is delivered decoded.

    Its attributes are those of the wrapped response, except C{length},
    which is L{UNKNOWN_LENGTH}.
    """

    def __init__(self, response: IResponse) -> None:
        """
        @param response: The response with a gzip body.
        """
        self.original = response
        self.length = UNKNOWN_LENGTH

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)

    def deliverBody(self, protocol: IProtocol) -> None:
        """
        Deliver the decoded body; a body that is not valid gzip ends with
        L{ResponseFailed} wrapping the C{zlib.error}.

        @param protocol: Receives the decoded body.
        """
        self.original.deliverBody(_DecodingProtocol(protocol, self.original))

    def setPreviousResponse(self, response: IResponse) -> None:
        """
        Set the wrapped response's C{previousResponse}.

        @param response: The response that redirected here.
        """
        self.original.setPreviousResponse(response)


@implementer(IAgent)
class ContentDecoderAgent:
    """
    Asks for encoded bodies (C{Accept-Encoding}) and decodes them.
    """

    def __init__(
        self, agent: IAgent, decoders: Sequence[tuple[bytes, Callable[[IResponse], IResponse]]]
    ) -> None:
        """
        @param agent: Sends the requests.
        @param decoders: C{(name, factory)} pairs, such as
            C{[(b"gzip", GzipDecoder)]}: each factory wraps a response
            whose body has that content coding.
        """
        self._agent = agent
        self._decoders = dict(decoders)
        self._supported = b",".join(name for name, _ in decoders)

    def request(
        self,
        method: bytes,
        uri: bytes,
        headers: Headers | None = None,
        bodyProducer: IBodyProducer | None = None,
    ) -> Deferred[IResponse]:
        """
        Send a request saying which codings are accepted; decode the
        response body.

        @param method: The method.
        @param uri: The absolute URI.
        @param headers: Headers to send.
        @param bodyProducer: The body.
        @return: Fires with the (decoding) response.
        """
        d = self._agent.request(
            method, uri, _withHeader(headers, b"Accept-Encoding", self._supported), bodyProducer
        )
        return d.addCallback(self._handleResponse)

    def _handleResponse(self, response: IResponse) -> IResponse:
        values = response.headers.getRawHeaders(b"content-encoding", [])
        codings = [c.strip() for c in b",".join(values).split(b",") if c.strip()]
        while codings:
            decoder = self._decoders.get(codings[-1].lower())
            if decoder is None:
                break
            codings.pop()
            response = decoder(response)
        if codings:
            response.headers.setRawHeaders(b"content-encoding", [b",".join(codings)])
        else:
            response.headers.removeHeader(b"content-encoding")
        return response


class _CookieResponse:
    """
    What C{CookieJar.extract_cookies} reads from a response.
    """

    def __init__(self, response: IResponse) -> None:
        self._headers = response.headers

    def info(self) -> _CookieResponse:
        return self

    def get_all(self, name: str, default: list[str]) -> list[str]:
        values = self._headers.getRawHeaders(name.encode("ascii"), [])
        return [value.decode("latin-1") for value in values] or default


@implementer(IAgent)
class CookieAgent:
    """
    Sends the cookies a jar holds for each URI, and stores those that
    responses set.

    @ivar cookieJar: The L{http.cookiejar.CookieJar}.
    """

    def __init__(self, agent: IAgent, cookieJar: CookieJar) -> None:
        """
        @param agent: Sends the requests.
        @param cookieJar: Holds the cookies.
        """
        self._agent = agent
        self.cookieJar = cookieJar

    def request(
        self,
        method: bytes,
        uri: bytes,
        headers: Headers | None = None,
        bodyProducer: IBodyProducer | None = None,
    ) -> Deferred[IResponse]:
        """
        Send a request with the jar's cookies (unless C{headers} has a
        C{Cookie} already), and keep the cookies its response sets.

        @param method: The method.
        @param uri: The absolute URI.
        @param headers: Headers to send.
        @param bodyProducer: The body.
        @return: Fires with the response.
        """
        headers = Headers() if headers is None else headers
        urllibRequest = _UrllibRequest(uri.decode("ascii"), method=method.decode("ascii"))
        if not headers.hasHeader(b"cookie"):
            self.cookieJar.add_cookie_header(urllibRequest)
            cookie = urllibRequest.get_header("Cookie")
            if cookie is not None:
                headers = _withHeader(headers, b"Cookie", cookie.encode("latin-1"))
        d = self._agent.request(method, uri, headers, bodyProducer)

        def extract(response: IResponse) -> IResponse:
            self.cookieJar.extract_cookies(_CookieResponse(response), urllibRequest)  # type: ignore[arg-type]
            return response

        return d.addCallback(extract)


__all__ = [
    "BrowserLikeRedirectAgent",
    "ContentDecoderAgent",
    "CookieAgent",
    "GzipDecoder",
    "RedirectAgent",
]
