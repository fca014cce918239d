"""
Tests for L{torsion.web.resource}: the resource tree, traversal, method
dispatch and the error pages.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyClass, verifyObject

from torsion.web import resource
from torsion.web._resource import errorPageBody, methodNotAllowed, renderResource
from torsion.web.error import UnsupportedMethod
from torsion.web.iweb import IRequest
from torsion.web.resource import (
    ErrorPage,
    ForbiddenResource,
    IResource,
    NoResource,
    Resource,
    getChildForRequest,
)
from torsion.web.testing import DummyRequest


class Hello(Resource):
    """
    Answers GET and POST; a leaf.
    """

    isLeaf = True

    def render_GET(self, request: IRequest) -> bytes:
        return b"hello " + b"/".join(request.postpath)

    def render_POST(self, request: IRequest) -> bytes:
        return b"posted"


class NoGet(Resource):
    """
    Answers only DELETE.
    """

    def render_DELETE(self, request: IRequest) -> bytes:
        return b"deleted"


class OwnHead(Resource):
    """
    Answers HEAD itself, and has no GET.
    """

    def render_HEAD(self, request: IRequest) -> bytes:
        return b"head only"


class Declared(Hello):
    """
    Lists its allowed methods itself.
    """

    allowedMethods = (b"GET", b"PATCH")


def requestFor(method: bytes = b"GET", path: list[bytes] | None = None) -> DummyRequest:
    """
    A dummy request with C{method} for C{path}.
    """
    request = DummyRequest(path if path is not None else [])
    request.method = method
    return request


def body(request: DummyRequest) -> bytes:
    """
    Everything written to C{request}.
    """
    return b"".join(request.written)


class ResourceRenderTests:
    """
    L{Resource.render} dispatches on the request method.
    """

    def test_dispatchesOnMethod(self) -> None:
        """
        Each method goes to its C{render_<METHOD>} method.
        """
        hello = Hello()
        assert hello.render(requestFor(b"GET")) == b"hello "
        assert hello.render(requestFor(b"POST")) == b"posted"

    def test_headFallsBackToGet(self) -> None:
        """
        HEAD is answered by C{render_GET} when there is no C{render_HEAD}.
        """
        assert Hello().render(requestFor(b"HEAD", [b"x"])) == b"hello x"

    def test_ownHead(self) -> None:
        """
        A resource's own C{render_HEAD} answers HEAD, and HEAD is allowed
        even without GET.
        """
        page = OwnHead()
        assert page.render(requestFor(b"HEAD")) == b"head only"
        with pytest.raises(UnsupportedMethod) as info:
            page.render(requestFor(b"GET"))
        assert list(info.value.allowedMethods) == [b"HEAD"]

    def test_unsupportedMethod(self) -> None:
        """
        A method without a render method raises L{UnsupportedMethod} that
        lists the render methods, HEAD (from GET) first as in Twisted.
        """
        with pytest.raises(UnsupportedMethod) as info:
            Hello().render(requestFor(b"PUT"))
        assert list(info.value.allowedMethods) == [b"HEAD", b"GET", b"POST"]

    def test_headWithoutGet(self) -> None:
        """
        HEAD on a resource without C{render_GET} is an unsupported method,
        not an AttributeError, and HEAD is not listed as allowed.
        """
        with pytest.raises(UnsupportedMethod) as info:
            NoGet().render(requestFor(b"HEAD"))
        assert list(info.value.allowedMethods) == [b"DELETE"]

    def test_noRenderMethods(self) -> None:
        """
        A bare L{Resource} allows no method at all.
        """
        with pytest.raises(UnsupportedMethod) as info:
            Resource().render(requestFor(b"GET"))
        assert list(info.value.allowedMethods) == []

    def test_inheritedMethods(self) -> None:
        """
        Render methods of base classes count, listed before the subclass's
        own.
        """

        class More(Hello):
            def render_PUT(self, request: IRequest) -> bytes:
                return b"put"

        more = More()
        assert more.render(requestFor(b"PUT")) == b"put"
        with pytest.raises(UnsupportedMethod) as info:
            more.render(requestFor(b"OPTIONS"))
        assert list(info.value.allowedMethods) == [b"HEAD", b"GET", b"POST", b"PUT"]

    def test_disabledMethod(self) -> None:
        """
        A subclass that sets an inherited render method to None disables
        that method, and it is not listed.
        """

        class NoPost(Hello):
            render_POST = None  # type: ignore[assignment]

        with pytest.raises(UnsupportedMethod) as info:
            NoPost().render(requestFor(b"POST"))
        assert list(info.value.allowedMethods) == [b"HEAD", b"GET"]

    def test_declaredAllowedMethods(self) -> None:
        """
        A resource's C{allowedMethods} attribute is what
        L{UnsupportedMethod} lists.
        """
        with pytest.raises(UnsupportedMethod) as info:
            Declared().render(requestFor(b"PUT"))
        assert list(info.value.allowedMethods) == [b"GET", b"PATCH"]

    def test_methodIsCaseSensitive(self) -> None:
        """
        Methods are case-sensitive: C{b"get"} is not GET.
        """
        with pytest.raises(UnsupportedMethod):
            Hello().render(requestFor(b"get"))

    def test_nonAsciiMethod(self) -> None:
        """
        A method that is not ASCII is unsupported, not a decoding error.
        """
        with pytest.raises(UnsupportedMethod):
            Hello().render(requestFor(b"G\xc9T"))

    def test_textMethod(self) -> None:
        """
        A method given as text (as some tests set it) still dispatches.
        """
        request = requestFor()
        request.method = "POST"  # type: ignore[assignment]
        assert Hello().render(request) == b"posted"

    def test_providesIResource(self) -> None:
        """
        L{Resource} and its error pages provide L{IResource}.
        """
        assert verifyClass(IResource, Resource)
        for made in (Resource(), Hello(), NoResource(), ErrorPage(500, "a", "b")):
            assert verifyObject(IResource, made)

    def test_defaults(self) -> None:
        """
        A new resource is not a leaf, has no children and no server.
        """
        made = Resource()
        assert made.isLeaf is False
        assert made.children == {}
        assert made.server is None
        assert Resource.entityType is IResource


class PutChildTests:
    """
    L{Resource.putChild} registers children by path segment.
    """

    def test_registers(self) -> None:
        """
        A registered child is what C{getChildWithDefault} returns for its
        segment.
        """
        root, child = Resource(), Hello()
        root.putChild(b"hello", child)
        assert root.children == {b"hello": child}
        assert root.getChildWithDefault(b"hello", requestFor()) is child

    def test_textPath(self) -> None:
        """
        A text path is refused with a TypeError that shows the bytes to
        write instead, as Twisted refuses it.
        """
        with pytest.raises(
            TypeError,
            match=re.escape("putChild() takes the path segment as bytes, not str: 'x'; write b'x'"),
        ):
            Resource().putChild("x", Resource())  # type: ignore[arg-type]

    def test_otherPath(self) -> None:
        """
        A path of another type is refused, naming the type.
        """
        with pytest.raises(TypeError, match=r"^putChild\(\) .* not int: 3$"):
            Resource().putChild(3, Resource())  # type: ignore[arg-type]

    def test_copiesServer(self) -> None:
        """
        The child gets the parent's C{server}.
        """
        root, child = Resource(), Resource()
        root.server = "the server"
        root.putChild(b"c", child)
        assert child.server == "the server"

    def test_childWithoutServerAttribute(self) -> None:
        """
        A child that cannot take a C{server} attribute is still registered.
        """

        @implementer(IResource)
        class Slotted:
            __slots__ = ()
            isLeaf = True

            def getChildWithDefault(self, name: bytes, request: IRequest) -> IResource:
                return self

            def putChild(self, path: bytes, child: IResource) -> None:
                pass

            def render(self, request: IRequest) -> bytes:
                return b"slotted"

        root = Resource()
        child = Slotted()
        root.putChild(b"s", child)
        assert root.children[b"s"] is child

    def test_replaces(self) -> None:
        """
        Putting a child again for the same segment replaces it.
        """
        root, first, second = Resource(), Resource(), Resource()
        root.putChild(b"c", first)
        root.putChild(b"c", second)
        assert root.children[b"c"] is second


class ChildrenTests:
    """
    Looking children up: registered ones, computed ones, and the 404 page.
    """

    def test_missingChild(self) -> None:
        """
        An unregistered segment gives a L{NoResource} by default.
        """
        assert isinstance(Resource().getChildWithDefault(b"nope", requestFor()), NoResource)

    def test_getChildComputes(self) -> None:
        """
        Overriding C{getChild} computes children for unregistered segments;
        registered children still win.
        """

        class Users(Resource):
            def getChild(self, path: bytes, request: IRequest) -> IResource:
                page = Hello()
                page.name = path  # type: ignore[attr-defined]
                return page

        users, fixed = Users(), Resource()
        users.putChild(b"admin", fixed)
        computed = users.getChildWithDefault(b"alice", requestFor())
        assert computed.name == b"alice"  # type: ignore[attr-defined]
        assert users.getChildWithDefault(b"admin", requestFor()) is fixed

    def test_trailingSlash(self) -> None:
        """
        A trailing slash is an empty segment: C{/docs/} is the child
        C{b""} of C{/docs}, a 404 unless one is registered (as in Twisted).
        """
        root, docs = Resource(), Resource()
        root.putChild(b"docs", docs)
        request = requestFor(path=[b"docs", b""])
        assert isinstance(getChildForRequest(root, request), NoResource)
        index = Hello()
        docs.putChild(b"", index)
        request = requestFor(path=[b"docs", b""])
        assert getChildForRequest(root, request) is index
        assert request.prepath == [b"docs", b""]

    def test_frontPage(self) -> None:
        """
        The site's front page C{/} is the root's child C{b""}.
        """
        root, home = Resource(), Hello()
        root.putChild(b"", home)
        request = requestFor(path=[b""])
        assert getChildForRequest(root, request) is home

    def test_collectionNames(self) -> None:
        """
        The collection methods list, get and delete registered children.
        """

        class Dynamic(Resource):
            def listDynamicNames(self) -> list[bytes]:
                return [b"dyn"]

            def listDynamicEntities(
                self, request: IRequest | None = None
            ) -> list[tuple[bytes, IResource]]:
                return [(b"dyn", self)]

        root, child = Dynamic(), Resource()
        root.reallyPutEntity(b"a", child)
        assert root.listStaticNames() == [b"a"]
        assert root.listStaticEntities() == [(b"a", child)]
        assert root.listNames() == [b"a", b"dyn"]
        assert root.listEntities() == [(b"a", child), (b"dyn", root)]
        assert root.getStaticEntity(b"a") is child
        assert root.getStaticEntity(b"b") is None
        assert root.getDynamicEntity(b"a", requestFor()) is None
        assert isinstance(root.getDynamicEntity(b"b", requestFor()), NoResource)
        root.delEntity(b"a")
        assert root.children == {}
        with pytest.raises(KeyError):
            root.delEntity(b"a")

    def test_getChildForRequestMethod(self) -> None:
        """
        The method form C{resource.getChildForRequest(request)} still works
        and warns that it is deprecated.
        """
        root, child = Resource(), Resource()
        root.putChild(b"c", child)
        with pytest.warns(DeprecationWarning, match="getChildForRequest"):
            found = root.getChildForRequest(requestFor(path=[b"c"]))
        assert found is child


class GetChildForRequestTests:
    """
    L{getChildForRequest} walks the tree, moving segments from C{postpath}
    to C{prepath}.
    """

    def test_walks(self) -> None:
        """
        Each segment is consumed in turn.
        """
        root, a, b = Resource(), Resource(), Resource()
        root.putChild(b"a", a)
        a.putChild(b"b", b)
        request = requestFor(path=[b"a", b"b"])
        assert getChildForRequest(root, request) is b
        assert request.prepath == [b"a", b"b"]
        assert request.postpath == []

    def test_stopsAtLeaf(self) -> None:
        """
        A leaf ends traversal and keeps the rest of the path in
        C{postpath}.
        """
        root, leaf = Resource(), Hello()
        root.putChild(b"hello", leaf)
        request = requestFor(path=[b"hello", b"x", b"y"])
        assert getChildForRequest(root, request) is leaf
        assert request.prepath == [b"hello"]
        assert request.postpath == [b"x", b"y"]
        assert leaf.render(request) == b"hello x/y"

    def test_noPath(self) -> None:
        """
        With no segments left, the starting resource is the answer.
        """
        root = Resource()
        request = requestFor(path=[])
        assert getChildForRequest(root, request) is root
        assert request.prepath == []

    def test_childIsNone(self) -> None:
        """
        A C{getChild} that returns None is reported, naming the resource
        and the segment.
        """

        class Broken(Resource):
            def getChild(self, path: bytes, request: IRequest) -> IResource:
                return None  # type: ignore[return-value]

        with pytest.raises(
            TypeError,
            match=re.escape("Broken.getChildWithDefault(b'x') returned None; return a resource"),
        ):
            getChildForRequest(Broken(), requestFor(path=[b"x"]))

    def test_missingIs404(self) -> None:
        """
        A missing child renders the 404 page.
        """
        root = Resource()
        request = requestFor(path=[b"missing", b"deeper"])
        request.render(getChildForRequest(root, request))
        assert request.responseCode == 404
        assert b"No Such Resource" in body(request)


class ErrorPageTests:
    """
    L{ErrorPage}, L{NoResource} and L{ForbiddenResource}.
    """

    def test_render(self) -> None:
        """
        An error page sets its code and an HTML content type, and renders
        its brief and detail.
        """
        request = requestFor()
        page = ErrorPage(503, "Busy", "Come back later.")
        request.render(page)
        assert request.responseCode == 503
        assert request.responseHeaders.getRawHeaders(b"content-type") == [
            b"text/html; charset=utf-8"
        ]
        html = body(request)
        assert b"<title>503 - Busy</title>" in html
        assert b"<h1>Busy</h1>" in html
        assert b"<p>Come back later.</p>" in html
        assert (page.code, page.brief, page.detail) == (503, "Busy", "Come back later.")

    def test_escapes(self) -> None:
        """
        The brief and the detail are HTML-escaped: client input cannot
        inject markup.
        """
        page = ErrorPage(400, "<b>bad</b>", "'<script>alert(1)</script>' & \"x\"")
        html = page.render(requestFor())
        assert b"<script>" not in html
        assert b"<b>bad" not in html
        assert b"&lt;b&gt;bad&lt;/b&gt;" in html
        assert b"&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &amp; &quot;x&quot;" in html

    def test_bytesText(self) -> None:
        """
        Brief and detail may be bytes (UTF-8); they show as text, not as
        C{b'...'} reprs.
        """
        html = ErrorPage(500, b"Caf\xc3\xa9", b"<oops>").render(requestFor())
        assert "<h1>Café</h1>".encode() in html
        assert b"<p>&lt;oops&gt;</p>" in html
        assert b"b'" not in html

    def test_anyMethod(self) -> None:
        """
        An error page answers every method the same way.
        """
        for method in (b"GET", b"POST", b"DELETE", b"BREW"):
            request = requestFor(method)
            request.render(NoResource())
            assert request.responseCode == 404

    def test_everyPathBelow(self) -> None:
        """
        Every path below an error page is the same error page.
        """
        root, gone = Resource(), ForbiddenResource()
        root.putChild(b"private", gone)
        request = requestFor(path=[b"private", b"a", b"b"])
        assert getChildForRequest(root, request) is gone
        assert gone.getChild(b"x", request) is gone

    def test_noResource(self) -> None:
        """
        L{NoResource} is a 404 page with Twisted's default text, or the
        message given (escaped).
        """
        html = NoResource().render(requestFor())
        assert b"<h1>No Such Resource</h1>" in html
        assert b"Sorry. No luck finding that resource." in html
        request = requestFor()
        assert b"<p>no &lt;such&gt; page</p>" in NoResource("no <such> page").render(request)
        assert request.responseCode == 404

    def test_forbiddenResource(self) -> None:
        """
        L{ForbiddenResource} is a 403 page.
        """
        request = requestFor()
        html = ForbiddenResource().render(request)
        assert request.responseCode == 403
        assert b"<h1>Forbidden Resource</h1>" in html
        assert b"Sorry, resource is forbidden." in html
        assert b"<p>keep out</p>" in ForbiddenResource("keep out").render(requestFor())

    def test_errorPageBody(self) -> None:
        """
        The page is a complete HTML document.
        """
        html = errorPageBody(418, "Teapot", "Short & stout")
        assert html.startswith(b"<!DOCTYPE html>\n<html>")
        assert html.endswith(b"</html>\n")
        assert b"Short &amp; stout" in html


class MethodNotAllowedTests:
    """
    A method a resource does not implement is answered with 405.
    """

    def test_405(self) -> None:
        """
        C{renderResource} answers 405 with an I{Allow} header listing the
        resource's methods.
        """
        request = requestFor(b"PUT")
        page = renderResource(Hello(), request)
        assert request.responseCode == 405
        assert request.responseMessage == b"Method Not Allowed"
        assert request.responseHeaders.getRawHeaders(b"allow") == [b"HEAD, GET, POST"]
        assert isinstance(page, bytes)
        assert b"The method PUT is not allowed on /; allowed: HEAD, GET, POST." in page

    def test_escapesUri(self) -> None:
        """
        The request target in the 405 page is escaped.
        """
        request = requestFor(b"PUT")
        request.uri = b"/<script>"
        page = methodNotAllowed(request, [b"GET"])
        assert b"<script>" not in page
        assert b"/&lt;script&gt;" in page

    def test_nothingAllowed(self) -> None:
        """
        A resource that allows no method sends an empty I{Allow} header.
        """
        request = requestFor(b"GET")
        page = renderResource(Resource(), request)
        assert request.responseCode == 405
        assert request.responseHeaders.getRawHeaders(b"allow") == [b""]
        assert isinstance(page, bytes) and b"allowed: none." in page

    def test_renderPassesThrough(self) -> None:
        """
        A supported method renders normally.
        """
        request = requestFor(b"POST")
        assert renderResource(Hello(), request) == b"posted"
        assert request.responseCode is None


class PublicNamesTests:
    """
    The public module mirrors C{twisted.web.resource}.
    """

    def test_names(self) -> None:
        """
        The module exports Twisted's names, under their public module.
        """
        assert set(resource.__all__) == {
            "EncodingResourceWrapper",
            "ErrorPage",
            "ForbiddenResource",
            "IResource",
            "NoResource",
            "Resource",
            "getChildForRequest",
        }
        for name in (
            "EncodingResourceWrapper",
            "ErrorPage",
            "ForbiddenResource",
            "NoResource",
            "Resource",
        ):
            assert getattr(resource, name).__module__ == "torsion.web.resource"
        assert getChildForRequest.__module__ == "torsion.web.resource"

    def test_sameAllowedMethodsAsTwisted(self) -> None:
        """
        A resource ported from Twisted lists the same allowed methods in
        the same order.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.web.error import UnsupportedMethod as TwistedUnsupported
        from twisted.web.resource import Resource as TwistedResource
        from twisted.web.test.requesthelper import DummyRequest as TwistedRequest

        class Theirs(TwistedResource):
            def render_GET(self, request: object) -> bytes:
                return b""

            def render_POST(self, request: object) -> bytes:
                return b""

        class Ours(Resource):
            def render_GET(self, request: IRequest) -> bytes:
                return b""

            def render_POST(self, request: IRequest) -> bytes:
                return b""

        theirRequest = TwistedRequest([])
        theirRequest.method = b"PUT"
        with pytest.raises(TwistedUnsupported) as theirs:
            makeTheirs: Any = Theirs
            makeTheirs().render(theirRequest)
        with pytest.raises(UnsupportedMethod) as ours:
            Ours().render(requestFor(b"PUT"))
        assert list(ours.value.allowedMethods) == list(theirs.value.allowedMethods)
