# torsion.web.server: Site (an HTTPFactory with a resource tree) and the
# Request it makes, which answers by finding the resource for its path
# (getChildForRequest) and rendering it.
#
# The defaults (Server, Date, Content-Type) are added to the head as it is
# sent, where the resource did not set them (a response with no other
# headers reuses a head prefix with them, made once per second:
# _defaultHead).  process() splits the path
# into postpath segments (percent-decoded), finds the resource and calls
# render().  render() writes the bytes a resource returns and finishes, or
# leaves the request to the resource when it returns NOT_DONE_YET.  An
# exception anywhere becomes processingFailed(): the failure is logged and
# the client gets a 500 page, with the traceback only if the site's
# displayTracebacks is set (off by default: tracebacks tell attackers about
# the code).  If the head went out already, the connection is closed
# instead, since a status can no longer be sent.
from __future__ import annotations

import html
import inspect
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from zope.interface import implementer

from torsion import __version__
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.web._httpchannel import HTTPChannel, HTTPFactory
from torsion.web._httpencode import encodeResponseHead
from torsion.web._httplog import datetimeToString
from torsion.web._httprequest import Request as _HTTPRequest
from torsion.web._httpresponseinfo import SiteURLs
from torsion.web._notdone import NOT_DONE_YET
from torsion.web._resource import errorPageBody, getChildForRequest, renderResource
from torsion.web._serversession import Session
from torsion.web._status import INTERNAL_SERVER_ERROR, RESPONSES
from torsion.web.iweb import IRequest, IResource

#: The I{Server} header torsion sends.
version = b"Torsion/" + __version__.encode("ascii")

_log = Logger(namespace="torsion.web.server")

_lastDate: list[Any] = [None, b""]
# The last head _defaultHead made: the Date value it holds, the
# Content-Type, the head.
_lastHead: list[Any] = [None, None, b""]


def _httpDate(seconds: float | None) -> bytes:
    """
    The I{Date} header for C{seconds} (L{None}: now), formatted once per
    second.
    """
    whole = int(seconds if seconds is not None else time.time())
    if _lastDate[0] != whole:
        _lastDate[:] = [whole, datetimeToString(whole)]
    value: bytes = _lastDate[1]
    return value


@implementer(IRequest)
class Request(SiteURLs, _HTTPRequest):
    """
    A request to a L{Site}: rendered by the resource its path leads to.

    @ivar site: The site.
    @ivar prepath: The path segments traversed so far.
    @ivar postpath: The segments still to traverse.
    @ivar sitepath: The segments before the site's root.
    @ivar session: The session, once L{getSession} made or found one.
    @cvar defaultContentType: The I{Content-Type} unless the resource sets
        one (L{None}: none).
    """

    defaultContentType: bytes | None = b"text/html"
    site: Any = None
    appRootURL: bytes | None = None
    session: Session | None = None

    def __init__(self, channel: Any, queued: object = None) -> None:
        """
        @param channel: The channel the request arrived on.
        @param queued: Ignored (Twisted's deprecated argument).
        """
        super().__init__(channel, queued)
        self.prepath: list[bytes] = []
        self.postpath: list[bytes] = []
        self.sitepath: list[bytes] = []

    def process(self) -> None:
        """
        Find the resource for this request and render it.
        """
        self.site = getattr(self.channel, "site", None)
        self.prepath = []
        segments = self.path[1:].split(b"/")
        # Speed: a path without escapes is its own decoding.
        self.postpath = [unquote_to_bytes(s) for s in segments] if b"%" in self.path else segments
        try:
            resource = self.site.getResourceFor(self)
            self.render(resource)
        except Exception:
            self.processingFailed(Failure())

    def _addDefaultHeaders(
        self, out: list[tuple[bytes, bytes]], present: Mapping[bytes, object]
    ) -> None:
        """
        Add I{Server}, I{Date} and the default I{Content-Type} where the
        resource did not set them.

        @param out: The (canonical name, value) pairs to send, to extend.
        @param present: Maps each lowercased name in C{out} to a true
            value.
        """
        if not present.get(b"server"):
            out.append((b"Server", version))
        if not present.get(b"date"):
            reactor = getattr(self.site, "reactor", None)
            out.append((b"Date", _httpDate(reactor.seconds() if reactor is not None else None)))
        if (
            not present.get(b"content-type")
            and self.defaultContentType is not None
            and self.code not in (204, 304)
        ):
            out.append((b"Content-Type", self.defaultContentType))

    def _defaultHead(self) -> bytes | None:
        """
        The start of a I{200 OK} HTTP/1.1 head with only the default
        headers, before I{Content-Length}; made once per second.

        @return: The status line and the I{Server}, I{Date} and
            I{Content-Type} lines, or L{None} if a subclass changes the
            defaults.
        """
        if type(self)._addDefaultHeaders is not Request._addDefaultHeaders:
            return None
        reactor = getattr(self.site, "reactor", None)
        date = _httpDate(reactor.seconds() if reactor is not None else None)
        contentType = self.defaultContentType
        cached = _lastHead
        if cached[0] is date and cached[1] == contentType:
            head: bytes = cached[2]
            return head
        out = [(b"Server", version), (b"Date", date)]
        if contentType is not None:
            out.append((b"Content-Type", contentType))
        head = encodeResponseHead(200, b"OK", out)[:-2]
        _lastHead[:] = [date, contentType, head]
        return head

    def render(self, resrc: IResource) -> None:
        """
        Render this request with C{resrc}: write what it returns and
        finish, unless it returns C{NOT_DONE_YET}.

        @param resrc: The resource.
        """
        if self._buffering or self._headSent:
            self._render(resrc)
            return
        # Rendered later (by a DeferredResource, say): hold the writes back
        # here too, so that a body written at once gets a Content-Length.
        self._bufferStart()
        try:
            self._render(resrc)
        finally:
            if not self.finished:
                self._bufferStop()

    def _render(self, resrc: IResource) -> None:
        body: Any = renderResource(resrc, self)
        if body is NOT_DONE_YET:
            return
        if not isinstance(body, bytes):
            if inspect.iscoroutine(body):
                body.close()
            self.processingFailed(
                Failure(
                    TypeError(
                        f"{type(resrc).__name__}.render() returned {type(body).__name__} "
                        f"{body!r:.60}; return bytes, or NOT_DONE_YET and finish the "
                        "request later"
                    )
                )
            )
            return
        if self.finished:
            _log.error(
                "{resource} finished the request and returned a body; "
                "return NOT_DONE_YET after calling request.finish()",
                resource=type(resrc).__name__,
            )
            return
        if body:
            self.write(body)
        self.finish()

    def processingFailed(self, reason: Failure) -> Failure:
        """
        Rendering failed: log C{reason} and answer I{500}.

        @param reason: The failure.
        @return: C{reason}.
        """
        _log.failure("Exception rendering {uri!r}", reason, uri=self.uri)
        if self.finished or self._disconnected:
            return reason
        if self._headSent:
            self.loseConnection()
            return reason
        if self.site is not None and self.site.displayTracebacks:
            detail = (
                "<pre>" + html.escape(reason.getTraceback()) + "</pre>"
                if hasattr(reason, "getTraceback")
                else html.escape(str(reason))
            )
            body = (
                b"<html><head><title>500 Internal Server Error</title></head><body>"
                b"<h1>Internal Server Error</h1>" + detail.encode("utf-8") + b"</body></html>"
            )
        else:
            body = errorPageBody(
                INTERNAL_SERVER_ERROR,
                RESPONSES[INTERNAL_SERVER_ERROR],
                "An error occurred rendering the requested page; it was logged on the server.",
            )
        self._buffer = []
        self._buffered = 0
        self.responseHeaders.removeHeader(b"content-length")
        self.setResponseCode(INTERNAL_SERVER_ERROR)
        self.setHeader(b"Content-Type", b"text/html; charset=utf-8")
        self.write(body)
        self.finish()
        return reason

    def getSession(self, sessionInterface: Any = None, forceNotSecure: bool = False) -> Any:
        """
        The client's session: found through its cookie, or made (and the
        cookie set: I{HttpOnly}, I{SameSite=Lax}, and I{Secure} over TLS).

        @param sessionInterface: If given, return this component of the
            session instead.
        @param forceNotSecure: Use the plain-HTTP cookie even over TLS.
        @return: The L{Session} (or component).
        """
        secure = self.isSecure() and not forceNotSecure
        cookieName = b"TORSION_SECURE_SESSION" if secure else b"TORSION_SESSION"
        session = self.session
        if session is None or session.uid not in self.site.sessions:
            session = None
            uid = self.getCookie(cookieName)
            if uid is not None:
                session = self.site.sessions.get(uid)
            if session is None:
                session = self.site.makeSession()
                self.addCookie(
                    cookieName,
                    session.uid,
                    path=b"/",
                    secure=secure,
                    httpOnly=True,
                    sameSite="lax",
                )
            self.session = session
        session.touch()
        if sessionInterface is not None:
            return sessionInterface(session)
        return session


class Site(HTTPFactory):
    """
    An HTTP server answering from a resource tree.

    @ivar resource: The root resource.
    @ivar requestFactory: Makes the requests: L{Request} by default.
    @ivar displayTracebacks: Whether 500 pages show the traceback (off by
        default; turn on only for development).
    @ivar sessions: The live sessions, by uid.
    @ivar sessionFactory: Makes sessions: L{Session} by default.
    """

    displayTracebacks = False
    sessionFactory: Any = Session
    sessionCheckTime = 1800

    def __init__(
        self, resource: IResource, requestFactory: Any = None, *args: Any, **kwargs: Any
    ) -> None:
        """
        @param resource: The root resource.
        @param requestFactory: Makes the requests; L{Request} by default.
        @param args: For L{HTTPFactory}: C{logPath}, C{timeout},
            C{logFormatter}, C{reactor}.
        @param kwargs: The same, by name.
        """
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.requestFactory = requestFactory if requestFactory is not None else Request
        self.sessions: dict[bytes, Session] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource={self.resource!r}>"

    def buildProtocol(self, addr: Any) -> Any:
        """
        Make a channel whose requests come from C{requestFactory}.

        @param addr: The client's address.
        @return: The channel.
        """
        channel: HTTPChannel = super().buildProtocol(addr)
        channel.requestFactory = self.requestFactory
        channel.site = self  # type: ignore[attr-defined]
        return channel

    def getResourceFor(self, request: Any) -> IResource:
        """
        Find the resource for C{request}, from the root.

        @param request: The request.
        @return: The resource.
        """
        request.site = self
        request.sitepath = request.prepath[:]
        return getChildForRequest(self.resource, request)

    def makeSession(self) -> Session:
        """
        Make and keep a new session.

        @return: The session.
        """
        uid = secrets.token_hex(32).encode("ascii")
        session: Session = self.sessionFactory(self, uid)
        self.sessions[uid] = session
        return session

    def getSession(self, uid: bytes) -> Session:
        """
        A live session.

        @param uid: Its id.
        @return: The session.
        @raise KeyError: If there is none with that id.
        """
        return self.sessions[uid]


__all__ = ["Request", "Session", "Site", "version"]
