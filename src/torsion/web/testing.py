"""
Test doubles for web resources: a request that records the response a
resource makes, and the connection it pretends to arrive on.

L{DummyRequest} stands in for the server's request (C{torsion.web.server.
Request}, which reads a real connection) so that a resource can be tested
with no server, socket or reactor::

    request = DummyRequest([b"hello"])
    request.render(getChildForRequest(root, request))
    assert b"".join(request.written) == b"Hello!"

It records what the resource writes (C{written}), the response code and
headers, whether it finished, and lets the test fire the end of the request
(L{DummyRequest.finish}, L{DummyRequest.connectionLost}) when a resource
renders with C{NOT_DONE_YET}.  It is Twisted's
C{twisted.web.test.requesthelper.DummyRequest}, made stricter: writing after
C{finish()}, finishing twice or setting the code after writing raise, as
they are bugs a real server would only show as a broken response.  It does
not implement HTTP: no I{HEAD} body stripping, no I{Content-Length}, no
conditional requests.  See C{docs/web-resources.md}.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from zope.interface import implementer

from torsion.internet.address import IPv4Address, IPv6Address
from torsion.internet.defer import Deferred
from torsion.internet.error import ConnectionLost
from torsion.internet.interfaces import IAddress, IProducer
from torsion.internet.testing import StringTransport
from torsion.python._publish import publish as _publish
from torsion.python.components import Componentized
from torsion.python.failure import Failure
from torsion.web._httpresponseinfo import (
    ResponseBuilding,
    SiteURLs,
    checkResponseCode,
    writeError,
)
from torsion.web._notdone import NOT_DONE_YET
from torsion.web._resource import renderResource
from torsion.web._status import RESPONSES
from torsion.web.http_headers import Headers
from torsion.web.iweb import IRequest, IResource


class DummyChannel:
    """
    A stand-in for the HTTP connection a request arrives on.

    Its C{transport} is a L{StringTransport}: what is written to the
    channel can be read back with C{channel.transport.value()}.

    @ivar transport: The connection.
    @ivar site: The site the connection belongs to, or L{None}.
    @ivar secure: Whether the connection pretends to be TLS.
    @ivar finishedRequests: The requests passed to L{requestDone}, in order.
    """

    def __init__(
        self, peer: IAddress | None = None, host: IAddress | None = None, secure: bool = False
    ) -> None:
        """
        @param peer: The client's address; by default
            C{IPv4Address("TCP", "192.168.1.1", 12344)}.
        @param host: The server's address; by default
            C{IPv4Address("TCP", "10.0.0.1", 80)} (port 443 if C{secure}).
        @param secure: Whether the connection pretends to be HTTPS.
        """
        if host is None:
            host = IPv4Address("TCP", "10.0.0.1", 443 if secure else 80)
        if peer is None:
            peer = IPv4Address("TCP", "192.168.1.1", 12344)
        self.transport = StringTransport(hostAddress=host, peerAddress=peer)
        self.secure = secure
        self.site: Any = None
        self.finishedRequests: list[Any] = []

    def requestDone(self, request: Any) -> None:
        """
        Record that C{request} is complete.

        @param request: The request.
        """
        self.finishedRequests.append(request)

    def writeHeaders(self, version: bytes, code: bytes, reason: bytes, headers: Any) -> None:
        """
        Write a status line and headers to the transport.

        @param version: Such as C{b"HTTP/1.1"}.
        @param code: Such as C{b"200"}.
        @param reason: Such as C{b"OK"}.
        @param headers: A L{Headers}, or a sequence of C{(name, value)}
            byte pairs.
        """
        if isinstance(headers, Headers):
            pairs = [
                (name, value) for name, values in headers.getAllRawHeaders() for value in values
            ]
        else:
            pairs = list(headers)
        lines = [b"%s %s %s\r\n" % (version, code, reason)]
        lines.extend(b"%s: %s\r\n" % (name, value) for name, value in pairs)
        lines.append(b"\r\n")
        self.transport.writeSequence(lines)

    def getPeer(self) -> IAddress:
        """
        @return: The client's address.
        """
        return self.transport.getPeer()

    def getHost(self) -> IAddress:
        """
        @return: The server's address.
        """
        return self.transport.getHost()

    def isSecure(self) -> bool:
        """
        @return: Whether the connection pretends to be HTTPS.
        """
        return self.secure

    def getPeerCertificate(self) -> object:
        """
        @return: L{None}: the client presents no certificate.
        """
        return None

    def write(self, data: bytes) -> None:
        """
        Write to the transport.

        @param data: The bytes.
        """
        self.transport.write(data)

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Write each byte string to the transport.

        @param data: The byte strings.
        """
        self.transport.writeSequence(data)

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Register a producer with the transport.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        """
        self.transport.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """
        Unregister the transport's producer.
        """
        self.transport.unregisterProducer()

    def loseConnection(self) -> None:
        """
        Ask the transport to close.
        """
        self.transport.loseConnection()

    def abortConnection(self) -> None:
        """
        Ask the transport to close at once.
        """
        self.transport.abortConnection()


class _DummySession(Componentized):
    """
    The session L{DummyRequest.getSession} makes when the test gave none.

    @ivar uid: The session id.
    @ivar expired: Whether L{expire} was called.
    """

    def __init__(self) -> None:
        super().__init__()
        self.uid = b"dummy-session"
        self.expired = False

    def touch(self) -> None:
        """
        Record use; a dummy session never times out.
        """

    def expire(self) -> None:
        """
        End the session.
        """
        self.expired = True


@implementer(IRequest)
class DummyRequest(ResponseBuilding, SiteURLs):
    """
    A fake L{IRequest} for unit tests of resources: it records the response
    instead of sending it.

    This is a test double; the real request comes from
    C{torsion.web.server}.  Use it to traverse a resource tree with
    C{getChildForRequest} and to render with L{render}, then check
    C{written}, C{responseCode}, C{responseHeaders} and C{finished}.

    @ivar method: The request method; C{b"GET"} unless set.
    @ivar uri: The request target; C{b"/"} plus the path segments.
    @ivar path: The same without a query.
    @ivar args: The query arguments; add with L{addArg}.
    @ivar prepath: The segments traversed so far.
    @ivar postpath: The segments not yet traversed: the list given.
    @ivar requestHeaders: The request's headers, for the test to fill.
    @ivar responseHeaders: The headers the resource set.
    @ivar content: The request body, empty unless the test replaces it.
    @ivar written: Each chunk of body written, in order.
    @ivar finished: Whether L{finish} has been called.
    @ivar responseCode: The code the resource set, or L{None}.
    @ivar responseMessage: The reason phrase for C{responseCode}.
    @ivar cookies: The I{Set-Cookie} values L{addCookie} made.
    @ivar lastModified: The time L{setLastModified} was given, or L{None}.
    @ivar etag: The tag L{setETag} was given, or L{None}.
    @ivar failures: The failures passed to L{processingFailed}.
    @ivar channel: The L{DummyChannel} the request pretends to arrive on.
    @ivar client: The client's address.
    @ivar session: The session, once there is one.
    @ivar producer: The producer registered with L{registerProducer}.
    """

    method: bytes = b"GET"
    clientproto: bytes = b"HTTP/1.0"

    def __init__(
        self, postpath: list[bytes], session: Any = None, client: IAddress | None = None
    ) -> None:
        """
        @param postpath: The path segments to traverse, such as
            C{[b"a", b"b"]} for C{/a/b}; this list is the one traversal
            consumes.
        @param session: What L{getSession} returns; by default a new
            session made on first use.
        @param client: The client's address; by default the channel's
            peer, C{IPv4Address("TCP", "192.168.1.1", 12344)}.
        """
        self.channel = DummyChannel(peer=client)
        self.client: IAddress = self.channel.getPeer()
        self.postpath = postpath
        self.prepath: list[bytes] = []
        self.sitepath: list[bytes] = []
        self.path = b"/" + b"/".join(postpath)
        self.uri = self.path
        self.args: dict[bytes, list[bytes]] = {}
        self.requestHeaders = Headers()
        self.responseHeaders = Headers()
        self.content: Any = BytesIO()
        self.written: list[bytes] = []
        self.finished = False
        self.responseCode: int | None = None
        self.responseMessage: bytes | None = None
        self.cookies: list[bytes] = []
        self.lastModified: float | None = None
        self.etag: bytes | None = None
        self.failures: list[Failure] = []
        self.session: Any = session
        self.producer: IProducer | None = None
        self.streaming: bool | None = None
        self.appRootURL: bytes | None = None
        self._serverName = b"dummy"
        self._hostAddress: IAddress = self.channel.getHost()
        self._forceSSL = False
        self._lostReason: Failure | None = None
        self._finishDeferreds: list[Deferred[None]] = []

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.method!r} {self.uri!r} "
            f"code={self.responseCode} finished={self.finished}>"
        )

    # Setting up the request.

    def addArg(self, name: bytes, value: bytes) -> None:
        """
        Set a query argument to a single value.

        @param name: Its name.
        @param value: Its value.
        """
        self.args[name] = [value]

    # Reading the request.

    def getRequestHostname(self) -> bytes:
        """
        The host of the I{Host} header without its port, or C{b"dummy"}
        (or the host given to L{setHost}) without one.

        @return: The host name.
        """
        host = self.getHeader(b"host")
        if not host:
            return self._serverName
        if host.startswith(b"["):
            return host[: host.find(b"]") + 1] if b"]" in host else host
        return host.split(b":", 1)[0]

    def getHost(self) -> IAddress:
        """
        The server's address: the channel's, or what L{setHost} set.

        @return: The address.
        """
        return self._hostAddress

    def setHost(self, host: bytes, port: int, ssl: bool = False) -> None:
        """
        Pretend the request arrived on C{host}, C{port}, over HTTPS if
        C{ssl}; sets the I{Host} header too.

        @param host: The host name.
        @param port: The port.
        @param ssl: Whether it is HTTPS.
        """
        self._forceSSL = bool(ssl)
        self._serverName = host
        self._hostAddress = IPv4Address("TCP", host.decode("ascii", "replace"), port)
        default = 443 if ssl else 80
        header = host if port == default else b"%s:%d" % (host, port)
        self.requestHeaders.setRawHeaders(b"host", [header])

    def getClientAddress(self) -> IAddress:
        """
        @return: The client's address.
        """
        return self.client

    def getClientIP(self) -> str | None:
        """
        @return: The client's IP address, or L{None} if it has none.
        """
        if isinstance(self.client, IPv4Address | IPv6Address):
            return self.client.host
        return None

    def isSecure(self) -> bool:
        """
        @return: Whether the channel is secure or L{setHost} said HTTPS.
        """
        return self._forceSSL or self.channel.isSecure()

    def getSession(self, sessionInterface: Any = None) -> Any:
        """
        The session given to the constructor, or one made on first use.

        @param sessionInterface: If given, return this component of the
            session.
        @return: The session (or component).
        """
        if self.session is None:
            self.session = _DummySession()
        if sessionInterface is not None:
            return sessionInterface(self.session)
        return self.session

    # Making the response.

    def setResponseCode(self, code: int, message: bytes | None = None) -> None:
        """
        Set the response code.

        @param code: The code.
        @param message: The reason phrase; by default the standard one.
        @raise TypeError: If C{code} is not an L{int}.
        @raise RuntimeError: If the body has started: a server would
            already have sent the old code.
        """
        checkResponseCode(code)
        if self.written:
            raise RuntimeError(
                f"setResponseCode({code}) after the body started on {self!r}; "
                "set the code before the first write()"
            )
        self.responseCode = code
        self.responseMessage = message if message is not None else RESPONSES.get(code)

    def setLastModified(self, when: float) -> None:
        """
        Record the I{Last-Modified} time; an earlier time than the one
        recorded is ignored.  No conditional request is evaluated.

        @param when: Seconds since the epoch.
        @return: L{None}: the body is always wanted.
        """
        if self.lastModified is None or when > self.lastModified:
            self.lastModified = when

    def setETag(self, etag: bytes) -> None:
        """
        Record the entity tag.  No conditional request is evaluated.

        @param etag: The tag.
        @return: L{None}: the body is always wanted.
        """
        self.etag = etag

    def write(self, data: bytes) -> None:
        """
        Record part of the body in C{written}.

        @param data: The bytes.
        @raise TypeError: If C{data} is not bytes.
        @raise RuntimeError: If the request is finished.
        """
        if self.finished or not isinstance(data, bytes):
            raise writeError(self, data)
        self.written.append(data)

    def finish(self) -> None:
        """
        End the response: fire the L{notifyFinish} Deferreds with L{None}.

        @raise RuntimeError: If the request is already finished.
        """
        if self.finished:
            raise RuntimeError(f"finish() called twice on {self!r}; call it once")
        self.finished = True
        waiting, self._finishDeferreds = self._finishDeferreds, []
        for d in waiting:
            d.callback(None)

    def connectionLost(self, reason: Failure | None = None) -> None:
        """
        Pretend the client went away before the response finished: the
        L{notifyFinish} Deferreds fail with C{reason}.

        @param reason: Why; by default L{ConnectionLost}.
        """
        if reason is None:
            reason = Failure(ConnectionLost("the client went away (DummyRequest)"))
        self._lostReason = reason
        waiting, self._finishDeferreds = self._finishDeferreds, []
        for d in waiting:
            d.errback(reason)

    def processingFailed(self, reason: Failure) -> None:
        """
        Record that rendering failed: C{reason} goes to C{failures} and the
        L{notifyFinish} Deferreds fail with it.

        @param reason: The failure.
        """
        self.failures.append(reason)
        waiting, self._finishDeferreds = self._finishDeferreds, []
        for d in waiting:
            d.errback(reason)

    # Producers.

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Register a producer of the body.  A pull producer is asked for data
        (C{resumeProducing}) until it unregisters.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        @raise RuntimeError: If a producer is registered already, or a pull
            producer neither writes nor unregisters when asked.
        """
        self._claimProducer(producer)
        self.streaming = streaming
        if streaming:
            return
        while self.producer is producer:
            before = len(self.written)
            producer.resumeProducing()  # type: ignore[attr-defined]
            if self.producer is producer and len(self.written) == before:
                raise RuntimeError(
                    f"the pull producer {producer!r} neither wrote nor unregistered when asked "
                    "for data; write in resumeProducing() and unregister when done"
                )

    def unregisterProducer(self) -> None:
        """
        Forget the producer.
        """
        self.producer = None
        self.streaming = None

    # Rendering.

    def render(self, resource: IResource) -> Deferred[None]:
        """
        Render this request with C{resource}, as a server does.

        The resource's body is written and the request finished; if the
        resource returns C{NOT_DONE_YET}, it finishes the request itself
        later.  A method the resource does not implement gets the I{405}
        page and an I{Allow} header.  Exceptions from the resource reach
        the caller.

        @param resource: The resource, usually found with
            C{getChildForRequest(root, request)}.
        @return: A Deferred that fires with L{None} once the request is
            over: finished, or ended by L{connectionLost} or
            L{processingFailed} (check C{finished} and C{failures} to tell
            which).  It never fails, so it is safe to ignore, as Twisted's
            C{render} returns nothing; use L{notifyFinish} for a Deferred
            that fails when the request does not finish.
        @raise TypeError: If the resource returned something other than
            bytes or C{NOT_DONE_YET} (such as a Deferred or text).
        @raise RuntimeError: If it returned a body after finishing the
            request itself.
        """
        over = self.notifyFinish()
        over.addErrback(lambda reason: None)
        body: Any = renderResource(resource, self)
        if body is NOT_DONE_YET:
            return over
        name = f"{type(resource).__name__}.render"
        if not isinstance(body, bytes):
            if inspect.iscoroutine(body):
                body.close()
            raise TypeError(f"{name}() returned {_renderHint(body)}")
        if self.finished:
            raise RuntimeError(
                f"{name}() finished the request and then returned a body; "
                "return NOT_DONE_YET after calling request.finish()"
            )
        self.write(body)
        self.finish()
        return over


def _renderHint(body: object) -> str:
    """
    What is wrong with the render result C{body}, and what to do instead.
    """
    kind = type(body).__name__
    if isinstance(body, Deferred) or inspect.iscoroutine(body):
        return (
            f"a {kind}; a resource returns bytes or NOT_DONE_YET: write the body from the "
            "Deferred's callback, call request.finish(), and return NOT_DONE_YET"
        )
    if isinstance(body, str):
        return f"text ({body[:40]!r}); return bytes, e.g. text.encode('utf-8')"
    return f"{kind} {body!r}; return the body as bytes, or NOT_DONE_YET"


__all__ = ["DummyChannel", "DummyRequest"]

_publish(globals())
