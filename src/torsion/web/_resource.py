# The resource tree: Resource, the error pages, and the two steps a server
# takes for each request.
#
# Traversal (getChildForRequest) starts at the root and, while the request
# has path segments left and the current resource is not a leaf, moves one
# segment from request.postpath to request.prepath and asks the current
# resource for that child with getChildWithDefault.  Resource answers from
# its `children` dict (filled by putChild) and falls back to getChild, which
# subclasses override for computed children; the default is a 404 page.  A
# trailing slash leaves an empty segment: b"/foo/" traverses b"foo" then b"".
#
# Rendering (Resource.render) dispatches on the request method to a
# render_<METHOD> method.  HEAD falls back to render_GET (the server drops
# the body).  A method without a render_<METHOD> raises UnsupportedMethod
# carrying the methods the resource does implement: the resource's own
# `allowedMethods` attribute if it sets one, or else the render_* methods
# found on its class.  renderResource turns that exception into the 405
# page with its Allow header, as a server must; torsion.web.server and the
# test double torsion.web.testing.DummyRequest both use it.
#
# The error pages escape their text: a path or a message that reaches an
# error page may come from the client.
from __future__ import annotations

import warnings
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from zope.interface import implementer

from torsion.web._status import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, RESPONSES
from torsion.web.error import UnsupportedMethod
from torsion.web.iweb import IResource

if TYPE_CHECKING:
    from torsion.web.iweb import IRequest

_RENDER_PREFIX = "render_"


def getChildForRequest(resource: IResource, request: IRequest) -> IResource:
    """
    Find the resource that renders C{request}, walking down from
    C{resource}.

    While C{request.postpath} is not empty and the current resource is not
    a leaf, move the first segment of C{request.postpath} to the end of
    C{request.prepath} and continue with the current resource's
    C{getChildWithDefault(segment, request)}.

    @param resource: Where to start, usually the root of a site.
    @param request: The request; its C{prepath} and C{postpath} change.
    @return: The resource reached.
    @raise TypeError: If a resource returns L{None} for a child.
    """
    while request.postpath and not resource.isLeaf:
        segment = request.postpath.pop(0)
        request.prepath.append(segment)
        child = resource.getChildWithDefault(segment, request)
        if child is None:
            raise TypeError(
                f"{type(resource).__name__}.getChildWithDefault({segment!r}) returned None; "
                "return a resource, such as NoResource() for a missing child"
            )
        resource = child
    return resource


# Speed: the render method names of the usual methods, made once.
_renderNames: dict[bytes | str, str] = {
    m: "render_" + m.decode()
    for m in (b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH")
}


def _methodName(method: bytes | str) -> str | None:
    """
    The text of the request method C{method}, or L{None} if it cannot name a
    render method (not ASCII).
    """
    if isinstance(method, str):
        return method
    try:
        return method.decode("ascii")
    except UnicodeDecodeError:
        return None


def _hasGet(cls: type) -> bool:
    """
    Whether C{cls} has a C{render_GET} method.
    """
    return callable(getattr(cls, "render_GET", None))


def _computeAllowedMethods(resource: object) -> list[bytes]:
    """
    The methods C{resource}'s class has C{render_*} methods for, base
    classes first, each once.

    I{HEAD} is listed only if the resource can answer it: with its own
    C{render_HEAD} or through C{render_GET}.
    """
    cls = type(resource)
    seen: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name in vars(klass):
            if name.startswith(_RENDER_PREFIX) and callable(getattr(cls, name, None)):
                seen[name[len(_RENDER_PREFIX) :]] = None
    seen.pop("", None)
    defaultHead = getattr(cls, "render_HEAD", None) is Resource.render_HEAD
    if "HEAD" in seen and defaultHead and not _hasGet(cls):
        del seen["HEAD"]
    methods = []
    for name in seen:
        try:
            methods.append(name.encode("ascii"))
        except UnicodeEncodeError:
            continue
    return methods


def _allowedMethods(resource: object) -> list[bytes]:
    """
    The methods C{resource} implements: its C{allowedMethods} attribute if
    it has one, or else those of its C{render_*} methods.
    """
    declared = getattr(resource, "allowedMethods", None)
    if declared is not None:
        return list(declared)
    return _computeAllowedMethods(resource)


@implementer(IResource)
class Resource:
    """
    A web resource: a node of a site's tree that can have children and
    answers requests with its C{render_<METHOD>} methods.

    Subclass it and define C{render_GET} (and C{render_POST}, ...); each
    takes the request and returns the response body as bytes, or
    C{NOT_DONE_YET} after arranging to write the body and call
    C{request.finish()} later.  Register fixed children with L{putChild};
    override L{getChild} to compute children from the path segment.

    @ivar children: The registered children, by path segment.
    @ivar isLeaf: Whether traversal stops here (see L{IResource}).
    @ivar server: The server this resource belongs to, or L{None}; copied
        to children by L{putChild}.
    """

    entityType: ClassVar[Any] = IResource
    isLeaf: bool = False
    server: Any = None

    def __init__(self) -> None:
        self.children: dict[bytes, IResource] = {}

    # The older names of the children collection, kept for ported code.

    def listStaticNames(self) -> list[bytes]:
        """
        The path segments of the registered children.

        @return: A new list.
        """
        return list(self.children)

    def listStaticEntities(self) -> list[tuple[bytes, IResource]]:
        """
        The registered children with their path segments.

        @return: A new list of C{(segment, child)} pairs.
        """
        return list(self.children.items())

    def listNames(self) -> list[bytes]:
        """
        The path segments of all children: registered then dynamic.

        @return: A new list.
        """
        return self.listStaticNames() + self.listDynamicNames()

    def listEntities(self) -> list[tuple[bytes, IResource]]:
        """
        All children with their path segments: registered then dynamic.

        @return: A new list of C{(segment, child)} pairs.
        """
        return self.listStaticEntities() + self.listDynamicEntities()

    def listDynamicNames(self) -> list[bytes]:
        """
        The path segments of the children L{getChild} computes, if the
        subclass can list them; none by default.

        @return: A new list.
        """
        return []

    def listDynamicEntities(self, request: IRequest | None = None) -> list[tuple[bytes, IResource]]:
        """
        The computed children with their path segments; none by default.

        @param request: The request, if any.
        @return: A new list of C{(segment, child)} pairs.
        """
        return []

    def getStaticEntity(self, name: bytes) -> IResource | None:
        """
        The registered child for C{name}.

        @param name: A path segment.
        @return: The child, or L{None}.
        """
        return self.children.get(name)

    def getDynamicEntity(self, name: bytes, request: IRequest) -> IResource | None:
        """
        The computed child for C{name}, unless a child is registered for it.

        @param name: A path segment.
        @param request: The request.
        @return: The child, or L{None} if one is registered.
        """
        if name not in self.children:
            return self.getChild(name, request)
        return None

    def delEntity(self, name: bytes) -> None:
        """
        Unregister the child for C{name}.

        @param name: A path segment.
        @raise KeyError: If no child is registered for it.
        """
        del self.children[name]

    def reallyPutEntity(self, name: bytes, entity: IResource) -> None:
        """
        Register C{entity} for C{name} without L{putChild}'s checks.

        @param name: A path segment.
        @param entity: The child.
        """
        self.children[name] = entity

    # IResource

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        Compute the child for a path segment that has no registered child.

        Override this for children that depend on the segment (a user name,
        an id).  The default answers with a 404 page.

        @param path: The path segment; C{b""} after a trailing slash.
        @param request: The request being traversed.
        @return: The child.
        """
        return NoResource()

    def getChildWithDefault(self, path: bytes, request: IRequest) -> IResource:
        """
        The child for a path segment: the one registered with L{putChild},
        or else what L{getChild} computes.

        @param path: The path segment; C{b""} after a trailing slash.
        @param request: The request being traversed.
        @return: The child.
        """
        children = self.children
        if path in children:
            return children[path]
        return self.getChild(path, request)

    def getChildForRequest(self, request: IRequest) -> IResource:
        """
        Deprecated: use the module-level L{getChildForRequest}.

        @param request: The request.
        @return: The resource that renders it.
        """
        warnings.warn(
            "Resource.getChildForRequest(request) is deprecated; "
            "call torsion.web.resource.getChildForRequest(resource, request)",
            DeprecationWarning,
            stacklevel=2,
        )
        return getChildForRequest(self, request)

    def putChild(self, path: bytes, child: IResource) -> None:
        """
        Register C{child} for the path segment C{path}.

        Use C{b""} for the path with a trailing slash, as in
        C{root.putChild(b"", home)} for the site's front page.

        @param path: The path segment, as bytes, without slashes.
        @param child: The resource; its C{server} becomes this one's.
        @raise TypeError: If C{path} is not bytes.
        """
        if not isinstance(path, bytes):
            hint = f"; write {path.encode()!r}" if isinstance(path, str) else ""
            raise TypeError(
                f"putChild() takes the path segment as bytes, not "
                f"{type(path).__name__}: {path!r}{hint}"
            )
        self.children[path] = child
        try:
            child.server = self.server  # type: ignore[attr-defined]
        except AttributeError:
            pass

    def render(self, request: IRequest) -> bytes | int:
        """
        Answer C{request} with the C{render_<METHOD>} method for its method.

        @param request: The request.
        @return: What that method returns: the body as bytes, or
            C{NOT_DONE_YET}.
        @raise UnsupportedMethod: If there is no such method; it lists the
            methods there are.
        """
        attribute = _renderNames.get(request.method)
        if attribute is None:
            name = _methodName(request.method)
            attribute = _RENDER_PREFIX + name if name is not None else None
        method: Callable[[IRequest], bytes | int] | None = None
        if attribute is not None:
            method = getattr(self, attribute, None)
        if method is None:
            raise UnsupportedMethod(_allowedMethods(self))
        return method(request)

    def render_HEAD(self, request: IRequest) -> bytes | int:
        """
        Answer a I{HEAD} request as a I{GET} one; the server sends the
        headers only.

        @param request: The request.
        @return: What C{render_GET} returns.
        @raise UnsupportedMethod: If there is no C{render_GET}.
        """
        renderGet: Callable[[IRequest], bytes | int] | None = getattr(self, "render_GET", None)
        if renderGet is None:
            raise UnsupportedMethod(_allowedMethods(self))
        return renderGet(request)


# The HTML of the error pages.  Both fields are escaped before they go in.
_ERROR_TEMPLATE = """<!DOCTYPE html>
<html>
  <head><title>{code} - {brief}</title></head>
  <body>
    <h1>{brief}</h1>
    <p>{detail}</p>
  </body>
</html>
"""


def _asText(value: str | bytes) -> str:
    """
    C{value} as text; bytes are decoded from UTF-8, bad bytes replaced.
    """
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def errorPageBody(code: int, brief: str | bytes, detail: str | bytes) -> bytes:
    """
    The HTML of an error page: C{brief} as its title and heading, C{detail}
    as its text, both escaped.

    @param code: The status code shown in the title.
    @param brief: A short description.
    @param detail: A longer one.
    @return: The page, encoded to UTF-8.
    """
    return _ERROR_TEMPLATE.format(
        code=code, brief=escape(_asText(brief)), detail=escape(_asText(detail))
    ).encode("utf-8")


class ErrorPage(Resource):
    """
    A resource that answers every request, and every path below it, with an
    HTML error page and a status code.

    The text given is escaped: it is safe to put client input in it.

    @ivar code: The status code.
    @ivar brief: The short description (title and heading).
    @ivar detail: The longer description (text).
    """

    def __init__(self, status: int, brief: str | bytes, detail: str | bytes) -> None:
        """
        @param status: The status code, such as C{404}.
        @param brief: A short description, such as C{"No Such Resource"}.
        @param detail: A longer description.
        """
        super().__init__()
        self.code = status
        self.brief = brief
        self.detail = detail

    def render(self, request: IRequest) -> bytes:
        """
        Set the status code and answer with the page, whatever the method.

        @param request: The request.
        @return: The page.
        """
        request.setResponseCode(self.code)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        return errorPageBody(self.code, self.brief, self.detail)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        The same page, for every path below this one.

        @param path: The path segment.
        @param request: The request.
        @return: This resource.
        """
        return self


class NoResource(ErrorPage):
    """
    A I{404 Not Found} page.
    """

    def __init__(self, message: str | bytes = "Sorry. No luck finding that resource.") -> None:
        """
        @param message: The text of the page.
        """
        super().__init__(NOT_FOUND, "No Such Resource", message)


class ForbiddenResource(ErrorPage):
    """
    A I{403 Forbidden} page.
    """

    def __init__(self, message: str | bytes = "Sorry, resource is forbidden.") -> None:
        """
        @param message: The text of the page.
        """
        super().__init__(FORBIDDEN, "Forbidden Resource", message)


def methodNotAllowed(request: IRequest, allowedMethods: list[bytes]) -> bytes:
    """
    Answer C{request} with I{405 Method Not Allowed}: set the code and the
    I{Allow} header, and return the error page.

    @param request: The request whose method is not allowed.
    @param allowedMethods: The methods that are.
    @return: The page.
    """
    request.setResponseCode(NOT_ALLOWED)
    request.setHeader(b"Allow", b", ".join(allowedMethods))
    method = _asText(request.method)
    allowed = ", ".join(_asText(m) for m in allowedMethods) or "none"
    detail = f"The method {method} is not allowed on {_asText(request.uri)}; allowed: {allowed}."
    page = ErrorPage(NOT_ALLOWED, RESPONSES[NOT_ALLOWED], detail)
    return page.render(request)


def renderResource(resource: IResource, request: IRequest) -> bytes | int:
    """
    Render C{request} with C{resource} as a server does: a method the
    resource does not implement gets the I{405} page.

    @param resource: The resource found by L{getChildForRequest}.
    @param request: The request.
    @return: The response body, or C{NOT_DONE_YET}.
    """
    try:
        return resource.render(request)
    except UnsupportedMethod as e:
        return methodNotAllowed(request, list(e.allowedMethods))


__all__ = [
    "ErrorPage",
    "ForbiddenResource",
    "NoResource",
    "Resource",
    "errorPageBody",
    "getChildForRequest",
    "methodNotAllowed",
    "renderResource",
]
