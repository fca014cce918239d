"""
Tests for C{torsion.web.server}: L{Site}, its L{Request} and L{Session},
over a StringTransport with a Clock, over real sockets, and with curl.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zope.interface.verify import verifyObject

from tests.helpers import requireTool
from tests.web.test_server_support import Hello, ThreadedServer, httpsRequest, serve, serveTLS
from torsion.internet.defer import Deferred
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.logger import capturedLogs
from torsion.python.failure import Failure
from torsion.python.urlpath import URLPath
from torsion.web import server
from torsion.web.iweb import IRequest
from torsion.web.resource import Resource
from torsion.web.server import NOT_DONE_YET, Session, Site
from torsion.web.util import DeferredResource

__all__ = ["serve"]


def get(site: Site, wire: bytes) -> bytes:
    """What the site answers to C{wire} on a new connection."""
    channel = site.buildProtocol(None)
    transport = StringTransport()
    channel.makeConnection(transport)
    channel.dataReceived(wire)
    return transport.value()


def simpleGet(site: Site, path: bytes, extra: bytes = b"") -> bytes:
    """What the site answers to a GET of C{path}."""
    return get(site, b"GET " + path + b" HTTP/1.1\r\nHost: example.com\r\n" + extra + b"\r\n")


class Boom(Resource):
    """Fails while rendering."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        raise ZeroDivisionError("secret detail")


class Tree(Resource):
    """Reports where traversal got to."""

    def getChild(self, path: bytes, request: Any) -> Any:
        return Where()


class Where(Resource):
    """Answers with prepath, postpath and the URL."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        return b"%r %r %s" % (request.prepath, request.postpath, str(request.URLPath()).encode())


def makeSite(resource: Any) -> tuple[Site, Clock]:
    """A site on a clock."""
    clock = Clock()
    return Site(resource, reactor=clock), clock


class SiteTests:
    """Traversal, errors and the defaults a Site adds."""

    def test_defaults(self) -> None:
        """A response carries Server, Date and the default Content-Type."""
        site, _ = makeSite(Hello())
        answer = simpleGet(site, b"/")
        assert b"Server: " + server.version + b"\r\n" in answer
        assert b"Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n" in answer
        assert b"Content-Type: text/html\r\n" in answer

    def test_defaultsReplaced(self) -> None:
        """Headers the resource sets replace the defaults instead of doubling them."""

        class Plain(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> bytes:
                request.setHeader(b"content-type", b"text/plain")
                request.setHeader(b"server", b"mine")
                return b"x"

        site, _ = makeSite(Plain())
        answer = simpleGet(site, b"/")
        assert answer.count(b"Content-Type:") == answer.count(b"Server:") == 1
        assert b"Content-Type: text/plain\r\n" in answer
        assert b"Server: mine\r\n" in answer

    def test_defaultHeadFollowsTheClock(self) -> None:
        """A response with only the default headers carries the current Date, second by second."""
        site, clock = makeSite(Hello())
        channel = site.buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        wire = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
        channel.dataReceived(wire)
        clock.advance(1.5)
        channel.dataReceived(wire)
        answers = transport.value().split(b"HTTP/1.1 200 OK\r\n")[1:]
        assert [re.findall(rb"Date: ([^\r]*)\r\n", a) for a in answers] == [
            [b"Thu, 01 Jan 1970 00:00:00 GMT"],
            [b"Thu, 01 Jan 1970 00:00:01 GMT"],
        ]

    def test_defaultHeadClosing(self) -> None:
        """
        A plain response to a request that asks to close carries one
        I{Connection: close} after its length, and the connection closes.
        """
        site, _ = makeSite(Hello())
        channel = site.buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = transport.value()
        head = answer.split(b"\r\n\r\n")[0]
        assert head.endswith(b"\r\nContent-Length: 7\r\nConnection: close")  # "hello /"
        assert answer.count(b"Connection:") == 1
        assert transport.disconnecting

    def test_defaultHeadWithoutContentType(self) -> None:
        """With defaultContentType None, a plain response has no Content-Type."""

        class Untyped(server.Request):
            defaultContentType = None

        site, _ = makeSite(Hello())
        site.requestFactory = Untyped
        answer = simpleGet(site, b"/")
        assert b"Content-Type" not in answer
        assert b"Server: " + server.version + b"\r\n" in answer

    def test_subclassDefaultsUsed(self) -> None:
        """A Request subclass that adds its own defaults gets them on a plain response too."""

        class Branded(server.Request):
            def _addDefaultHeaders(self, out: Any, present: Any) -> None:
                out.append((b"X-Brand", b"b"))
                super()._addDefaultHeaders(out, present)

        site, _ = makeSite(Hello())
        site.requestFactory = Branded
        answer = simpleGet(site, b"/")
        assert answer.startswith(b"HTTP/1.1 200 OK\r\nX-Brand: b\r\nServer: ")

    def test_traversal(self) -> None:
        """
        Path segments are decoded and traversed into prepath/postpath; URLPath
        is absolute, with the server's port (the StringTransport's 12345).
        """
        root = Resource()
        root.putChild(b"a", Tree())
        site, _ = makeSite(root)
        answer = simpleGet(site, b"/a/b%20c/d")
        assert answer.endswith(b"[b'a', b'b c'] [b'd'] http://example.com:12345/a/b%20c")

    def test_notFound(self) -> None:
        """A missing child is a 404 page."""
        site, _ = makeSite(Resource())
        assert simpleGet(site, b"/nope").startswith(b"HTTP/1.1 404 Not Found\r\n")

    def test_methodNotAllowed(self) -> None:
        """A method the resource lacks is a 405 with Allow."""
        site, _ = makeSite(Hello())
        answer = get(site, b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n")
        assert re.search(rb"Allow: [A-Z, ]*GET", answer)

    def test_errorHidesTraceback(self) -> None:
        """An exception is a 500 page without the traceback by default; it is logged."""
        site, _ = makeSite(Boom())
        with capturedLogs() as events:
            answer = simpleGet(site, b"/")
        failures = [e["log_failure"] for e in events if "log_failure" in e]
        assert [f.type for f in failures] == [ZeroDivisionError]
        assert answer.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
        assert b"secret detail" not in answer
        assert b"ZeroDivisionError" not in answer

    def test_errorShowsTracebackWhenEnabled(self) -> None:
        """With displayTracebacks, the 500 page shows the (escaped) traceback."""
        site, _ = makeSite(Boom())
        site.displayTracebacks = True
        answer = simpleGet(site, b"/")
        assert answer.startswith(b"HTTP/1.1 500 ")
        assert b"ZeroDivisionError" in answer
        assert b"secret detail" in answer

    def test_renderReturningText(self) -> None:
        """A resource returning text instead of bytes is a 500."""

        class Text(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> Any:
                return "text"

        site, _ = makeSite(Text())
        assert simpleGet(site, b"/").startswith(b"HTTP/1.1 500 ")

    def test_failureAfterHeadCloses(self) -> None:
        """A failure once the head went out cannot be a 500: the connection is closed."""
        requests: list[Any] = []

        class Slow(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> int:
                request.write(b"partial")
                requests.append(request)
                return NOT_DONE_YET

        site, _ = makeSite(Slow())
        channel = site.buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        requests[0].processingFailed(Failure(Exception("late")))
        assert transport.disconnecting
        assert b"500" not in transport.value()

    def test_deferredResource(self) -> None:
        """A DeferredResource renders once its Deferred fires."""
        d: Deferred[Any] = Deferred()
        root = Resource()
        root.putChild(b"later", DeferredResource(d))
        site, _ = makeSite(root)
        channel = site.buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET /later/x HTTP/1.1\r\nHost: x\r\n\r\n")
        assert transport.value() == b""
        d.callback(Hello())
        assert transport.value().endswith(b"Content-Length: 14\r\n\r\nhello /later/x")

    def test_redirect(self) -> None:
        """redirect() answers 302 with Location."""

        class Go(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> bytes:
                request.redirect(b"/there")
                return b""

        site, _ = makeSite(Go())
        answer = simpleGet(site, b"/")
        assert answer.startswith(b"HTTP/1.1 302 Found\r\n")
        assert b"Location: /there\r\n" in answer

    def test_requestProvidesIRequest(self) -> None:
        """server.Request provides IRequest, verified by zope.interface."""
        site, _ = makeSite(Hello())
        channel = site.buildProtocol(None)
        channel.makeConnection(StringTransport())
        assert verifyObject(IRequest, server.Request(channel))


class SessionTests:
    """Sessions: cookies and expiry on the site's clock."""

    def _sessionSite(self) -> tuple[Site, Clock, list[Session]]:
        sessions: list[Session] = []

        class Counter(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> bytes:
                session = request.getSession()
                sessions.append(session)
                return session.uid  # type: ignore[no-any-return]

        site, clock = makeSite(Counter())
        return site, clock, sessions

    def test_cookieFindsSession(self) -> None:
        """The first request sets a session cookie; sending it back finds the same session."""
        site, _, sessions = self._sessionSite()
        first = simpleGet(site, b"/")
        match = re.search(
            rb"Set-Cookie: TORSION_SESSION=([0-9a-f]+); Path=/; HttpOnly; "
            rb"SameSite=lax\r\n",
            first,
        )
        assert match is not None
        second = simpleGet(site, b"/", b"Cookie: TORSION_SESSION=" + match.group(1) + b"\r\n")
        assert b"Set-Cookie" not in second
        assert sessions[0] is sessions[1]
        assert len(match.group(1)) == 64

    def test_expiry(self) -> None:
        """A session unused for sessionTimeout seconds expires and calls its callbacks."""
        site, clock, sessions = self._sessionSite()
        simpleGet(site, b"/")
        session = sessions[0]
        expired: list[bool] = []
        session.notifyOnExpire(lambda: expired.append(True))
        clock.advance(600)
        session.touch()
        clock.advance(600)
        assert site.sessions == {session.uid: session}
        clock.advance(300)
        assert expired == [True]
        assert site.sessions == {}
        assert clock.getDelayedCalls() == []

    def test_expireNow(self) -> None:
        """expire() forgets the session at once and cancels its timer."""
        site, _clock, sessions = self._sessionSite()
        simpleGet(site, b"/")
        expireCall = sessions[0]._expireCall
        sessions[0].expire()
        assert site.sessions == {}
        assert expireCall is not None
        assert not expireCall.active()


class URLPathTests:
    """URLPath navigation (more in test_urlpath)."""

    def test_children(self) -> None:
        """child, sibling, parent, here and click work like a browser's links."""
        url = URLPath.fromString("http://example.com/foo/bar?yes=no#frag")
        assert str(url.child(b"c")) == "http://example.com/foo/bar/c"
        assert str(url.child(b"a b", keepQuery=True)) == "http://example.com/foo/bar/a%20b?yes=no"
        assert str(url.sibling(b"s")) == "http://example.com/foo/s"
        assert str(url.parent()) == "http://example.com/"
        assert str(url.here()) == "http://example.com/foo/"
        assert str(url.click(b"../x?q=1")) == "http://example.com/x?q=1"
        assert str(url) == "http://example.com/foo/bar?yes=no#frag"


class CurlTests:
    """curl, a real client, against a real server."""

    def _curl(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [requireTool("curl"), "--silent", "--show-error", "--max-time", "20", *args],
            capture_output=True,
            timeout=30,
            check=True,
        )

    def test_getAndHead(self, serve: Callable[..., ThreadedServer]) -> None:
        """curl GET gets the body; curl -I gets the headers with the length."""
        srv = serve(Hello())
        base = f"http://127.0.0.1:{srv.portNumber}"
        assert self._curl(f"{base}/x").stdout == b"hello /x"
        head = self._curl("-I", f"{base}/x").stdout
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Content-Length: 8\r\n" in head

    def test_postFileAndChunked(self, serve: Callable[..., ThreadedServer], tmp_path: Path) -> None:
        """curl --data-binary @file, plain and chunked, delivers the bytes."""
        srv = serve(Hello())
        data = tmp_path / "body.bin"
        data.write_bytes(b"0123456789" * 20000)
        url = f"http://127.0.0.1:{srv.portNumber}/"
        plain = self._curl("--data-binary", f"@{data}", url).stdout
        chunked = self._curl(
            "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{data}", url
        ).stdout
        assert plain == chunked == b"got 200000: " + b"0123456789" * 5

    def test_keepAlive(self, serve: Callable[..., ThreadedServer]) -> None:
        """curl --http1.1 with two URLs reuses one connection."""
        srv = serve(Hello())
        base = f"http://127.0.0.1:{srv.portNumber}"
        result = self._curl("-v", "--http1.1", f"{base}/a", f"{base}/b")
        assert result.stdout == b"hello /ahello /b"
        assert re.search(rb"Re-?using existing connection", result.stderr)


class TLSTests:
    """The server over TLS (TLSMemoryBIOFactory around the Site)."""

    def test_httpsSecureSession(self) -> None:
        """Over TLS, isSecure() is true and the session cookie is the Secure one."""

        class Secure(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> bytes:
                request.getSession()
                return b"secure=%r" % request.isSecure()

        server, context = serveTLS(lambda reactor: Site(Secure(), reactor=reactor))
        try:
            response, body = httpsRequest(server, context, "/")
            cookie = response.getheader("Set-Cookie") or ""
        finally:
            server.stop()
        assert body == b"secure=True"
        assert cookie.startswith("TORSION_SECURE_SESSION=")
        assert "; Secure; HttpOnly" in cookie
