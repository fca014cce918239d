"""
Tests for L{torsion.web.util}: redirects and L{DeferredResource}.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet.defer import Deferred, fail, succeed
from torsion.python.failure import Failure
from torsion.web import util
from torsion.web._notdone import NOT_DONE_YET
from torsion.web.iweb import IRequest, IResource
from torsion.web.resource import Resource, getChildForRequest
from torsion.web.testing import DummyRequest
from torsion.web.util import DeferredResource, ParentRedirect, Redirect, _parentURL, redirectTo


class Echo(Resource):
    """
    Answers GET with the path it was reached by and the rest of the path.
    """

    isLeaf = True

    def render_GET(self, request: IRequest) -> bytes:
        return b"/".join(request.prepath) + b" | " + b"/".join(request.postpath)


def body(request: DummyRequest) -> bytes:
    """
    Everything written to C{request}.
    """
    return b"".join(request.written)


def render(resource: IResource, path: list[bytes], method: bytes = b"GET") -> DummyRequest:
    """
    Traverse from C{resource} along C{path} and render, as a server would.
    """
    request = DummyRequest(path)
    request.method = method
    request.render(getChildForRequest(resource, request))
    return request


class RedirectToTests:
    """
    L{redirectTo} answers with a 302 redirect.
    """

    def test_redirect(self) -> None:
        """
        The code is 302, the I{Location} is the URL, and the HTML body
        links to it.
        """
        request = DummyRequest([])
        page = redirectTo(b"http://example.com/next", request)
        assert request.responseCode == 302
        assert request.responseHeaders.getRawHeaders(b"location") == [b"http://example.com/next"]
        assert request.responseHeaders.getRawHeaders(b"content-type") == [
            b"text/html; charset=utf-8"
        ]
        assert b'<meta http-equiv="refresh" content="0;URL=http://example.com/next">' in page
        assert b'<a href="http://example.com/next">' in page

    def test_escapesBody(self) -> None:
        """
        The URL is escaped in the HTML, but sent as given in I{Location}.
        """
        url = b'/search?q="><script>&x=1'
        request = DummyRequest([])
        page = redirectTo(url, request)
        assert request.responseHeaders.getRawHeaders(b"location") == [url]
        assert b"<script>" not in page
        assert b"/search?q=&quot;&gt;&lt;script&gt;&amp;x=1" in page

    def test_textURL(self) -> None:
        """
        A text URL is refused, showing the bytes to pass.
        """
        request = DummyRequest([])
        with pytest.raises(
            TypeError,
            match=re.escape("redirectTo() takes the URL as bytes, not str: '/x'; write b'/x'"),
        ):
            redirectTo("/x", request)  # type: ignore[arg-type]
        assert request.responseCode is None

    @pytest.mark.parametrize("bad", [b"\r", b"\n", b"\x00"])
    def test_lineBreaks(self, bad: bytes) -> None:
        """
        A URL with CR, LF or NUL is refused before anything is set, so it
        cannot split the response.
        """
        request = DummyRequest([])
        url = b"/x" + bad + b"Set-Cookie: a=b"
        with pytest.raises(ValueError, match=r"^redirectTo\(\) refuses the URL .* percent-encode"):
            redirectTo(url, request)
        assert request.responseCode is None
        assert not request.responseHeaders.hasHeader(b"location")


class RedirectTests:
    """
    L{Redirect} redirects every request below it.
    """

    def test_render(self) -> None:
        """
        Any method, at any path below, is redirected to the URL.
        """
        root = Resource()
        root.putChild(b"old", Redirect(b"/new"))
        for path, method in (([b"old"], b"GET"), ([b"old", b"a", b"b"], b"POST")):
            request = render(root, path, method)
            assert request.responseCode == 302
            assert request.responseHeaders.getRawHeaders(b"location") == [b"/new"]
            assert request.finished

    def test_getChild(self) -> None:
        """
        Its children are itself.
        """
        redirect = Redirect(b"/new")
        assert redirect.getChild(b"x", DummyRequest([])) is redirect
        assert redirect.isLeaf

    def test_checksURL(self) -> None:
        """
        A bad URL is refused when the resource is made, not per request.
        """
        with pytest.raises(TypeError, match=r"^Redirect\(\) takes the URL as bytes"):
            Redirect("/new")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"^Redirect\(\) refuses"):
            Redirect(b"/new\r\nX: y")


class ParentRedirectTests:
    """
    L{ParentRedirect} redirects to the directory of its URL.
    """

    @pytest.mark.parametrize(
        ("prepath", "location"),
        [
            ([], b"http://dummy/"),
            ([b"a"], b"http://dummy/"),
            ([b"a", b""], b"http://dummy/a/"),
            ([b"a", b"b"], b"http://dummy/a/"),
            ([b"a b", b"c"], b"http://dummy/a%20b/"),
        ],
    )
    def test_parent(self, prepath: list[bytes], location: bytes) -> None:
        """
        The location is the request's URL cut after its last slash.
        """
        request = DummyRequest([])
        request.prepath = prepath
        ParentRedirect().render(request)
        assert request.responseCode == 302
        assert request.responseHeaders.getRawHeaders(b"location") == [location]

    def test_hostAndScheme(self) -> None:
        """
        The redirect keeps the request's scheme, host and port.
        """
        request = DummyRequest([])
        request.setHost(b"example.com", 8443, ssl=True)
        request.prepath = [b"docs", b"page"]
        ParentRedirect().render(request)
        assert request.responseHeaders.getRawHeaders(b"location") == [
            b"https://example.com:8443/docs/"
        ]

    @pytest.mark.parametrize(
        ("url", "parent"),
        [
            (b"http://h/a/b?x=1", b"http://h/a/"),
            (b"http://h/a?x=/y", b"http://h/"),
            (b"http://h/a#frag/x", b"http://h/"),
            (b"http://h", b"http://h/"),
            (b"/a/b", b"/a/"),
            (b"a", b""),
        ],
    )
    def test_parentURL(self, url: bytes, parent: bytes) -> None:
        """
        The query and fragment are dropped before the path is cut.
        """
        assert _parentURL(url) == parent

    def test_tree(self) -> None:
        """
        As a child, it redirects to the parent's directory.
        """
        root, docs = Resource(), Resource()
        root.putChild(b"docs", docs)
        docs.putChild(b"up", ParentRedirect())
        request = render(root, [b"docs", b"up", b"more"])
        assert request.responseHeaders.getRawHeaders(b"location") == [b"http://dummy/docs/"]


class PlainRequest(DummyRequest):
    """
    A request without C{render} and C{processingFailed}, like a minimal
    L{IRequest} provider: L{DeferredResource} must write and finish itself.
    """

    render = None  # type: ignore[assignment]
    processingFailed = None  # type: ignore[assignment]


class DeferredResourceTests:
    """
    L{DeferredResource} renders the resource a Deferred fires with.
    """

    def test_waits(self) -> None:
        """
        Requests wait for the Deferred, then traverse from its resource
        with the rest of the path and render.
        """
        d: Deferred[IResource] = Deferred()
        root, later = Resource(), DeferredResource(d)
        root.putChild(b"later", later)
        first = DummyRequest([b"later", b"echo", b"x"])
        done = first.render(getChildForRequest(root, first))
        second = DummyRequest([b"later", b"echo"])
        second.render(getChildForRequest(root, second))
        assertNoResult(done)
        assert not first.finished and first.written == []
        tree = Resource()
        tree.putChild(b"echo", Echo())
        d.callback(tree)
        assert resultOf(done) is None
        assert body(first) == b"later/echo | x"
        assert body(second) == b"later/echo | "
        assert first.finished and second.finished

    def test_afterFiring(self) -> None:
        """
        A request after the Deferred fired is answered at once, and the
        Deferred still holds the resource for other users.
        """
        d: Deferred[IResource] = succeed(Echo())
        later = DeferredResource(d)
        for _ in range(2):
            request = DummyRequest([b"a"])
            assert later.render(request) is NOT_DONE_YET
            assert body(request) == b" | a"
        assert resultOf(d) is None

    def test_leaf(self) -> None:
        """
        It is a leaf whose children are itself.
        """
        later = DeferredResource(Deferred())
        assert later.isLeaf
        assert later.getChild(b"x", DummyRequest([])) is later

    def test_failure(self) -> None:
        """
        If the Deferred fails, each waiting request's C{processingFailed}
        gets the failure, and the failure is not left in the Deferred.
        """
        d: Deferred[IResource] = Deferred()
        later = DeferredResource(d)
        request = DummyRequest([])
        finished = request.notifyFinish()
        request.render(later)
        d.errback(ValueError("no resource"))
        failureOf(finished, ValueError)
        assert [f.type for f in request.failures] == [ValueError]
        assert resultOf(d) is None
        again = DummyRequest([])
        again.render(later)
        assert [f.type for f in again.failures] == [ValueError]
        assert not again.finished

    def test_firedWithNone(self) -> None:
        """
        A Deferred that fires with None fails the requests with a
        TypeError that says what to fire it with.
        """
        d: Deferred[IResource] = Deferred()
        request = DummyRequest([])
        request.render(DeferredResource(d))
        d.callback(None)  # type: ignore[arg-type]
        [failure] = request.failures
        assert failure.check(TypeError)
        assert "fire it with the resource to render" in str(failure.value)

    def test_renderRaises(self) -> None:
        """
        An exception while rendering the resource fails that request only.
        """

        class Broken(Resource):
            def render_GET(self, request: IRequest) -> bytes:
                raise ZeroDivisionError()

        request = DummyRequest([])
        done = request.render(DeferredResource(succeed(Broken())))
        assert [f.type for f in request.failures] == [ZeroDivisionError]
        assert resultOf(done) is None

    def test_plainRequest(self) -> None:
        """
        For a request without its own C{render}, the body is written and the
        request finished; a 405 still gets its page.
        """
        request = PlainRequest([b"x"])
        DeferredResource(succeed(Echo())).render(request)
        assert body(request) == b" | x"
        assert request.finished
        request = PlainRequest([])
        request.method = b"PUT"
        DeferredResource(succeed(Echo())).render(request)
        assert request.responseCode == 405
        assert request.finished

    def test_plainRequestNotDoneYet(self) -> None:
        """
        For a request without its own C{render}, a resource rendering with
        C{NOT_DONE_YET} finishes the request itself.
        """
        waiting: list[IRequest] = []

        class Slow(Resource):
            def render_GET(self, request: IRequest) -> int:
                waiting.append(request)
                return NOT_DONE_YET

        request = PlainRequest([])
        DeferredResource(succeed(Slow())).render(request)
        assert waiting == [request]
        assert not request.finished

    def test_plainRequestFailure(self, flushLoggedErrors: Callable[..., list[Failure]]) -> None:
        """
        For a request without its own C{processingFailed}, a failure is
        logged and answered with a 500 page.
        """
        request = PlainRequest([])
        DeferredResource(fail(KeyError("lost"))).render(request)
        assert request.responseCode == 500
        assert b"Internal Server Error" in body(request)
        assert request.finished
        assert len(flushLoggedErrors(KeyError)) == 1


def test_publicNames() -> None:
    """
    The module exports Twisted's redirect and deferred resource names,
    under their public module.
    """
    assert set(util.__all__) == {"DeferredResource", "ParentRedirect", "Redirect", "redirectTo"}
    for name in util.__all__:
        assert getattr(util, name).__module__ == "torsion.web.util"
