"""
Redirects and resources that are not ready yet.

L{redirectTo} answers a request with a redirect; L{Redirect} is a resource
that always does; L{ParentRedirect} redirects to the enclosing directory;
L{DeferredResource} renders a resource that a Deferred will provide.
"""

from __future__ import annotations

from html import escape
from typing import Any

from torsion.internet.defer import Deferred
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.web._notdone import NOT_DONE_YET
from torsion.web._resource import Resource, errorPageBody, getChildForRequest, renderResource
from torsion.web._status import INTERNAL_SERVER_ERROR, RESPONSES
from torsion.web.iweb import IRequest, IResource

_log = Logger()

_REDIRECT_TEMPLATE = """<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="refresh" content="0;URL={url}">
    <title>Redirecting</title>
  </head>
  <body>
    <a href="{url}">click here</a>
  </body>
</html>
"""

_FORBIDDEN_IN_URL = (b"\r", b"\n", b"\x00")


def _checkURL(URL: object, caller: str) -> bytes:
    """
    Check that C{URL} can go in a I{Location} header.

    @param URL: The URL.
    @param caller: What to name in the error message.
    @return: C{URL}.
    @raise TypeError: If C{URL} is not bytes.
    @raise ValueError: If C{URL} holds a CR, LF or NUL byte, which would
        end the header early (response splitting).
    """
    if not isinstance(URL, bytes):
        hint = f"; write {URL.encode()!r}" if isinstance(URL, str) else ""
        raise TypeError(f"{caller} takes the URL as bytes, not {type(URL).__name__}: {URL!r}{hint}")
    for forbidden in _FORBIDDEN_IN_URL:
        if forbidden in URL:
            raise ValueError(
                f"{caller} refuses the URL {URL!r}: it contains {forbidden!r}, which would "
                "end the Location header early; percent-encode it (%0D, %0A, %00)"
            )
    return URL


def redirectTo(URL: bytes, request: IRequest) -> bytes:
    """
    Answer C{request} with a redirect to C{URL}: code I{302 Found}, a
    I{Location} header, and a small HTML page that links to C{URL} for
    clients that do not follow redirects.

    @param URL: Where to, absolute or relative.
    @param request: The request to answer.
    @return: The HTML page, to return from C{render}.
    @raise TypeError: If C{URL} is not bytes.
    @raise ValueError: If C{URL} contains CR, LF or NUL.
    """
    _checkURL(URL, "redirectTo()")
    request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
    request.redirect(URL)
    text = escape(URL.decode("utf-8", "replace"))
    return _REDIRECT_TEMPLATE.format(url=text).encode("utf-8")


class Redirect(Resource):
    """
    A resource that redirects every request, and every path below it, to
    one URL.

    @ivar url: Where to.
    """

    isLeaf = True

    def __init__(self, url: bytes) -> None:
        """
        @param url: Where to, absolute or relative.
        @raise TypeError: If C{url} is not bytes.
        @raise ValueError: If C{url} contains CR, LF or NUL.
        """
        super().__init__()
        self.url = _checkURL(url, "Redirect()")

    def render(self, request: IRequest) -> bytes:
        """
        Redirect, whatever the method.

        @param request: The request.
        @return: The redirect page.
        """
        return redirectTo(self.url, request)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        This resource, for every path below it.

        @param path: The path segment.
        @param request: The request.
        @return: This resource.
        """
        return self


def _parentURL(url: bytes) -> bytes:
    """
    C{url} cut after the last slash of its path (the "directory" it is
    in), without query or fragment.
    """
    for separator in (b"#", b"?"):
        url = url.split(separator, 1)[0]
    schemeEnd = url.find(b"://")
    pathStart = url.find(b"/", schemeEnd + 3) if schemeEnd >= 0 else 0
    if pathStart < 0:
        return url + b"/"
    return url[: url.rfind(b"/") + 1]


class ParentRedirect(Resource):
    """
    A resource that redirects to the directory of the URL that reached it:
    C{/a/b} to C{/a/}, C{/a} to C{/}, C{/a/} to C{/a/}, dropping the query.

    Put it at C{b""} or as a leaf where a directory URL without its slash
    should land on its parent.
    """

    isLeaf = True

    def render(self, request: IRequest) -> bytes:
        """
        Redirect to the directory of C{request.prePathURL()}.

        @param request: The request.
        @return: The redirect page.
        """
        return redirectTo(_parentURL(request.prePathURL()), request)


class DeferredResource(Resource):
    """
    A resource that is not ready yet: a Deferred will provide it.

    Every request reaching this resource waits for the Deferred, then
    continues traversal from the resource it fires with (using the rest of
    the path) and renders the result.  If the Deferred fails, each waiting
    request fails (a 500 page) and the failure is logged by the server.
    Requests that arrive after the Deferred fired are answered at once.

    @ivar d: The Deferred.
    """

    isLeaf = True

    def __init__(self, d: Deferred[IResource]) -> None:
        """
        @param d: Fires with the resource to render.
        """
        super().__init__()
        self.d = d
        self._waiting: list[IRequest] | None = None
        self._result: IResource | Failure | None = None

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        This resource, for every path below it.

        @param path: The path segment.
        @param request: The request.
        @return: This resource.
        """
        return self

    def render(self, request: IRequest) -> int:
        """
        Render C{request} once the Deferred has fired.

        @param request: The request.
        @return: C{NOT_DONE_YET}.
        """
        if self._result is not None:
            self._answer(request, self._result)
        elif self._waiting is not None:
            self._waiting.append(request)
        else:
            self._waiting = [request]
            self.d.addBoth(self._arrived)
        return NOT_DONE_YET

    def _arrived(self, result: IResource | Failure | None) -> None:
        """
        The Deferred fired: answer every waiting request.  The result is
        kept here for later requests (so a failure, reported to each
        request, is not left in the Deferred to be logged again).
        """
        if result is None:
            result = Failure(
                TypeError(
                    "the Deferred given to DeferredResource fired with None; "
                    "fire it with the resource to render"
                )
            )
        self._result = result
        waiting, self._waiting = self._waiting or [], None
        for request in waiting:
            self._answer(request, result)

    def _answer(self, request: IRequest, result: IResource | Failure) -> None:
        """
        Render C{request} with the resource C{result}, or fail it with the
        failure C{result}; an exception while rendering fails the request.
        """
        if isinstance(result, Failure):
            _failRequest(request, result)
            return
        try:
            _renderChild(getChildForRequest(result, request), request)
        except Exception:
            _failRequest(request, Failure())


def _renderChild(resource: IResource, request: IRequest) -> None:
    """
    Render C{request} with C{resource}: through the request's own
    C{render} method when it has one (as a server's request does), or else
    by writing the body and finishing.
    """
    serverRender = getattr(request, "render", None)
    if callable(serverRender):
        serverRender(resource)
        return
    _renderAndFinish(resource, request)


def _failRequest(request: IRequest, reason: Failure) -> None:
    """
    Fail C{request} with C{reason}: through the request's own
    C{processingFailed} when it has one (as a server's request does), or
    else by logging C{reason} and answering with a 500 page.
    """
    processingFailed = getattr(request, "processingFailed", None)
    if callable(processingFailed):
        processingFailed(reason)
        return
    _log.failure("DeferredResource could not get its resource", reason)
    request.setResponseCode(INTERNAL_SERVER_ERROR)
    request.setHeader(b"content-type", b"text/html; charset=utf-8")
    request.write(
        errorPageBody(
            INTERNAL_SERVER_ERROR,
            RESPONSES[INTERNAL_SERVER_ERROR],
            "The resource could not be loaded.",
        )
    )
    request.finish()


def _renderAndFinish(resource: IResource, request: IRequest) -> None:
    """
    Render C{request} with C{resource}, for a request without a C{render}
    method of its own: write the body and finish, unless the resource
    returned C{NOT_DONE_YET}.
    """
    body: Any = renderResource(resource, request)
    if body is NOT_DONE_YET:
        return
    request.write(body)
    request.finish()


__all__ = ["DeferredResource", "ParentRedirect", "Redirect", "redirectTo"]
