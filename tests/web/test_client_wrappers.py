"""
Tests for the wrapping agents of C{torsion.web.client} (redirects, gzip
decoding, cookies, a proxy) and the convenience layer
C{torsion.web.simple}, against a torsion L{Site} on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import zlib
from http.cookiejar import CookieJar
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult
from tests.web.test_client import failureOf, turn
from tests.web.test_client_support import RawServer, SiteServer, closeAfter
from torsion.internet.endpoints import TCP4ClientEndpoint
from torsion.internet.error import TimeoutError
from torsion.internet.task import Clock
from torsion.web import simple
from torsion.web.client import (
    Agent,
    BrowserLikeRedirectAgent,
    ContentDecoderAgent,
    CookieAgent,
    GzipDecoder,
    HTTPConnectionPool,
    ProxyAgent,
    RedirectAgent,
    ResponseFailed,
    readBody,
)
from torsion.web.error import InfiniteRedirection, PageRedirect, RedirectWithNoLocation
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH, IAgent
from torsion.web.resource import Resource


class Pages(Resource):
    """
    /to/CODE/PATH redirects with CODE to /PATH; /loop redirects to itself;
    /nolocation is a 302 without Location; /gzip and /bad-gzip are
    gzip-encoded; /cookie sets a cookie; /show echoes method, cookie and
    authorization; /json echoes a JSON body.
    """

    isLeaf = True

    def render(self, request: Any) -> bytes:
        path: bytes = request.path
        if path.startswith(b"/to/"):
            _, _, code, target = path.split(b"/", 3)
            request.setResponseCode(int(code))
            request.setHeader(b"location", b"/" + target)
            return b"moved"
        if path == b"/loop":
            request.setResponseCode(302)
            request.setHeader(b"location", b"/loop")
            return b""
        if path == b"/nolocation":
            request.setResponseCode(302)
            return b""
        if path == b"/gzip":
            request.setHeader(b"content-encoding", b"gzip")
            return gzip.compress(b"decoded " + (request.getHeader(b"accept-encoding") or b"-"))
        if path == b"/bad-gzip":
            request.setHeader(b"content-encoding", b"gzip")
            return b"this is not gzip"
        if path == b"/cookie":
            request.addCookie(b"flavour", b"oat", path=b"/")
            return b"set"
        if path == b"/json":
            request.setHeader(b"content-type", b"application/json")
            received = json.loads(request.content.read() or b"null")
            answer = {"method": request.method.decode(), "got": received}
            return json.dumps(answer).encode()
        cookie = request.getHeader(b"cookie") or b"-"
        authorization = request.getHeader(b"authorization") or b"-"
        query = request.uri.partition(b"?")[2] or b"-"
        body: bytes = request.content.read() or b"-"
        return b" ".join([request.method, path, cookie, authorization, query, body])


class RedirectTests:
    """RedirectAgent and BrowserLikeRedirectAgent."""

    async def test_follows(self, reactor: Any) -> None:
        """A 301 is followed for GET; the final response links to the first."""
        server = SiteServer(reactor, Pages())
        agent = RedirectAgent(Agent(reactor))
        assert verifyObject(IAgent, agent)
        response = await agent.request(b"GET", server.url(b"/to/301/show"))
        assert await readBody(response) == b"GET /show - - - -"
        assert response.previousResponse is not None
        assert response.previousResponse.code == 301
        await server.stop()

    async def test_seeOther(self, reactor: Any) -> None:
        """A 303 after a POST becomes a GET without the body."""
        server = SiteServer(reactor, Pages())
        agent = RedirectAgent(Agent(reactor))
        response = await agent.request(b"POST", server.url(b"/to/303/show"))
        assert await readBody(response) == b"GET /show - - - -"
        await server.stop()

    async def test_postNotRedirected(self, reactor: Any) -> None:
        """RedirectAgent does not repeat a POST after a 302: PageRedirect."""
        server = SiteServer(reactor, Pages())
        agent = RedirectAgent(Agent(reactor))
        error = await failureOf(agent.request(b"POST", server.url(b"/to/302/show")), ResponseFailed)
        assert isinstance(error, ResponseFailed)
        assert error.reasons[0].check(PageRedirect)
        await server.stop()

    async def test_browserLike(self, reactor: Any) -> None:
        """BrowserLikeRedirectAgent turns a POST answered by 302 into a GET."""
        server = SiteServer(reactor, Pages())
        agent = BrowserLikeRedirectAgent(Agent(reactor))
        response = await agent.request(b"POST", server.url(b"/to/302/show"))
        assert await readBody(response) == b"GET /show - - - -"
        await server.stop()

    async def test_loop(self, reactor: Any) -> None:
        """Past the limit: InfiniteRedirection."""
        server = SiteServer(reactor, Pages())
        agent = RedirectAgent(Agent(reactor), redirectLimit=3)
        error = await failureOf(agent.request(b"GET", server.url(b"/loop")), ResponseFailed)
        assert isinstance(error, ResponseFailed)
        assert error.reasons[0].check(InfiniteRedirection)
        assert server.connections == 4
        await server.stop()

    async def test_noLocation(self, reactor: Any) -> None:
        """A redirect without Location: RedirectWithNoLocation."""
        server = SiteServer(reactor, Pages())
        agent = RedirectAgent(Agent(reactor))
        error = await failureOf(agent.request(b"GET", server.url(b"/nolocation")), ResponseFailed)
        assert isinstance(error, ResponseFailed)
        assert error.reasons[0].check(RedirectWithNoLocation)
        await server.stop()

    async def test_crossOriginDropsCredentials(self, reactor: Any) -> None:
        """Leaving the origin, Authorization and Cookie are not sent on."""
        target = SiteServer(reactor, Pages())
        origin = RawServer(
            reactor,
            [
                b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n"
                % target.url(b"/show")
            ],
        )
        headers = Headers({b"Authorization": [b"secret"], b"Cookie": [b"c=1"]})
        response = await RedirectAgent(Agent(reactor)).request(b"GET", origin.url(), headers)
        assert await readBody(response) == b"GET /show - - - -"
        assert b"Authorization: secret" in origin.requests[0]
        await origin.stop()
        await target.stop()


class DecoderTests:
    """ContentDecoderAgent with GzipDecoder."""

    async def test_gzip(self, reactor: Any) -> None:
        """A gzip body is decoded; Accept-Encoding said gzip."""
        server = SiteServer(reactor, Pages())
        agent = ContentDecoderAgent(Agent(reactor), [(b"gzip", GzipDecoder)])
        response = await agent.request(b"GET", server.url(b"/gzip"))
        assert response.length == UNKNOWN_LENGTH
        assert response.code == 200
        assert response.headers.getRawHeaders(b"content-encoding") is None
        assert await readBody(response) == b"decoded gzip"
        await server.stop()

    async def test_badGzip(self, reactor: Any) -> None:
        """A body that is not gzip: ResponseFailed."""
        server = SiteServer(reactor, Pages())
        agent = ContentDecoderAgent(Agent(reactor), [(b"gzip", GzipDecoder)])
        response = await agent.request(b"GET", server.url(b"/bad-gzip"))
        error = await failureOf(readBody(response), ResponseFailed)
        assert isinstance(error, ResponseFailed)
        assert error.reasons[0].check(zlib.error)
        await server.stop()


class CookieTests:
    """CookieAgent with http.cookiejar."""

    async def test_cookies(self, reactor: Any) -> None:
        """A cookie set by one response is sent with the next request."""
        server = SiteServer(reactor, Pages())
        jar = CookieJar()
        agent = CookieAgent(Agent(reactor), jar)
        await readBody(await agent.request(b"GET", server.url(b"/cookie")))
        assert [cookie.name for cookie in jar] == ["flavour"]
        response = await agent.request(b"GET", server.url(b"/show"))
        assert await readBody(response) == b"GET /show flavour=oat - - -"
        await server.stop()


class ProxyTests:
    """ProxyAgent."""

    async def test_absoluteTarget(self, reactor: Any) -> None:
        """The proxy receives the absolute URI and the origin's Host."""
        proxy = RawServer(reactor, [b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied"])
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", proxy.portNumber)
        agent = ProxyAgent(endpoint, reactor)
        response = await agent.request(b"GET", b"http://example.com/page?x=1")
        assert await readBody(response) == b"proxied"
        head = proxy.requests[0].split(b"\r\n")
        assert head[0] == b"GET http://example.com/page?x=1 HTTP/1.1"
        assert b"Host: example.com" in head
        await proxy.stop()


class SimpleTests:
    """torsion.web.simple."""

    async def test_getWithParams(self, reactor: Any) -> None:
        """get() adds query params and headers; text_content decodes."""
        server = SiteServer(reactor, Pages())
        response = await simple.get(
            server.url(b"/show").decode(),
            params={"q": "a b"},
            headers={"Authorization": "token"},
            timeout=10,
        )
        assert await simple.text_content(response) == "GET /show - token q=a+b -"
        await server.stop()

    async def test_postForm(self, reactor: Any) -> None:
        """post() form-encodes a mapping."""
        server = SiteServer(reactor, Pages())
        response = await simple.post(server.url(b"/show"), data={"a": "1", "b": "x y"})
        assert await simple.content(response) == b"POST /show - - - a=1&b=x+y"
        await server.stop()

    async def test_json(self, reactor: Any) -> None:
        """json= sends JSON; json_content parses the answer."""
        server = SiteServer(reactor, Pages())
        response = await simple.post(server.url(b"/json"), json={"n": [1, 2]})
        assert await simple.json_content(response) == {"method": "POST", "got": {"n": [1, 2]}}
        await server.stop()

    async def test_followsRedirects(self, reactor: Any) -> None:
        """Redirects are followed unless allow_redirects=False."""
        server = SiteServer(reactor, Pages())
        response = await simple.get(server.url(b"/to/302/show"))
        assert await simple.content(response) == b"GET /show - - - -"
        response = await simple.get(server.url(b"/to/302/show"), allow_redirects=False)
        assert response.code == 302
        assert await simple.content(response) == b"moved"
        await server.stop()

    async def test_untilClose(self, reactor: Any) -> None:
        """content() accepts a body ended by the close of the connection."""
        server = RawServer(reactor, [closeAfter(b"HTTP/1.0 200 OK\r\n\r\nall")])
        response = await simple.get(server.url())
        assert await simple.content(response) == b"all"
        await server.stop()

    async def test_timeout(self, reactor: Any) -> None:
        """No answer within the timeout: TimeoutError naming the URL; the connection is aborted."""
        server = RawServer(reactor, [None])
        clock = Clock()
        d = simple.get(server.url(b"/slow"), timeout=5, agent=Agent(reactor), reactor=clock)
        while not server.requests:
            await turn(reactor)
        clock.advance(4.9)
        assertNoResult(d)
        clock.advance(0.1)
        error = await failureOf(d, TimeoutError)
        assert "/slow" in str(error) and "5 seconds" in str(error)
        await server.stop()

    async def test_pool(self, reactor: Any) -> None:
        """A persistent pool passed in is used: one connection for two requests."""
        server = SiteServer(reactor, Pages())
        pool = HTTPConnectionPool(reactor)
        for _ in range(2):
            await simple.content(await simple.get(server.url(b"/show"), pool=pool))
        assert server.connections == 1
        await pool.closeCachedConnections()
        await server.stop()

    def test_dataAndJson(self, reactor: Any) -> None:
        """data= and json= together are refused."""
        with pytest.raises(ValueError, match="either data= or json="):
            simple.post("http://127.0.0.1/", data=b"x", json=1)
