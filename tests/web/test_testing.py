"""
Tests for L{torsion.web.testing}: L{DummyRequest} and L{DummyChannel}.
"""

from __future__ import annotations

import gc
import importlib.util
import inspect
import re
import warnings
from base64 import b64encode

import pytest
from zope.interface import Interface, implementer
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet.address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet.defer import Deferred, succeed
from torsion.internet.error import ConnectionDone, ConnectionLost
from torsion.internet.interfaces import IPullProducer
from torsion.python.failure import Failure
from torsion.web import testing
from torsion.web._notdone import NOT_DONE_YET
from torsion.web.http_headers import Headers
from torsion.web.iweb import IRequest
from torsion.web.resource import Resource
from torsion.web.testing import DummyChannel, DummyRequest


class Page(Resource):
    """
    Answers GET with a fixed body.
    """

    def render_GET(self, request: IRequest) -> bytes:
        return b"page"


class Slow(Resource):
    """
    Answers GET later: the test writes and finishes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[IRequest] = []

    def render_GET(self, request: IRequest) -> int:
        self.requests.append(request)
        request.write(b"first ")
        return NOT_DONE_YET


class Returns(Resource):
    """
    Answers GET with whatever it was given, right or wrong.
    """

    def __init__(self, result: object) -> None:
        super().__init__()
        self.result = result

    def render_GET(self, request: IRequest) -> object:
        return self.result


class DummyRequestStateTests:
    """
    A new L{DummyRequest} and what it records.
    """

    def test_providesIRequest(self) -> None:
        """
        It provides L{IRequest}, every method and attribute.
        """
        assert verifyObject(IRequest, DummyRequest([b"a"]))

    def test_defaults(self) -> None:
        """
        A new request is a GET for its path, with nothing traversed or
        written.
        """
        postpath = [b"a", b"b"]
        request = DummyRequest(postpath)
        assert request.method == b"GET"
        assert request.uri == request.path == b"/a/b"
        assert request.postpath is postpath
        assert request.prepath == []
        assert request.args == {}
        assert request.requestHeaders == Headers()
        assert request.responseHeaders == Headers()
        assert request.content.read() == b""
        assert request.written == []
        assert request.finished is False
        assert request.responseCode is None
        assert request.clientproto == b"HTTP/1.0"

    def test_addArg(self) -> None:
        """
        C{addArg} sets a query argument to one value.
        """
        request = DummyRequest([])
        request.addArg(b"q", b"1")
        request.addArg(b"q", b"2")
        assert request.args == {b"q": [b"2"]}

    def test_repr(self) -> None:
        """
        The repr shows method, target, code and whether it finished.
        """
        request = DummyRequest([b"x"])
        assert repr(request) == "<DummyRequest b'GET' b'/x' code=None finished=False>"


class DummyRequestResponseTests:
    """
    What L{DummyRequest} records of the response.
    """

    def test_write(self) -> None:
        """
        Each write is recorded in order.
        """
        request = DummyRequest([])
        request.write(b"a")
        request.write(b"bc")
        assert request.written == [b"a", b"bc"]

    def test_writeText(self) -> None:
        """
        Writing text is refused, saying how to encode it.
        """
        with pytest.raises(
            TypeError,
            match=re.escape(
                "write() takes bytes, not str: 'x'; encode text first, e.g. text.encode('utf-8')"
            ),
        ):
            DummyRequest([]).write("x")  # type: ignore[arg-type]

    def test_writeAfterFinish(self) -> None:
        """
        Writing after C{finish} is a bug, and raises.
        """
        request = DummyRequest([])
        request.finish()
        with pytest.raises(RuntimeError, match=r"^write\(\) after finish\(\) on <DummyRequest "):
            request.write(b"late")
        assert request.written == []

    def test_finishTwice(self) -> None:
        """
        Finishing twice is a bug, and raises.
        """
        request = DummyRequest([])
        request.finish()
        with pytest.raises(RuntimeError, match=r"^finish\(\) called twice on <DummyRequest "):
            request.finish()
        assert request.finished

    def test_setResponseCode(self) -> None:
        """
        The code and its reason phrase are recorded.
        """
        request = DummyRequest([])
        request.setResponseCode(404)
        assert (request.responseCode, request.responseMessage) == (404, b"Not Found")
        request.setResponseCode(299, b"Custom")
        assert (request.responseCode, request.responseMessage) == (299, b"Custom")
        request.setResponseCode(599)
        assert request.responseMessage is None

    def test_setResponseCodeAfterWrite(self) -> None:
        """
        Setting the code after the body started is a bug, and raises.
        """
        request = DummyRequest([])
        request.write(b"body")
        with pytest.raises(
            RuntimeError, match=r"^setResponseCode\(500\) after the body started on <DummyRequest"
        ):
            request.setResponseCode(500)

    def test_setResponseCodeNotInt(self) -> None:
        """
        A code that is not an int is refused.
        """
        with pytest.raises(
            TypeError,
            match=re.escape(
                "setResponseCode() takes the code as an int, such as 404, not str: '404'"
            ),
        ):
            DummyRequest([]).setResponseCode("404")  # type: ignore[arg-type]

    def test_setHeader(self) -> None:
        """
        Headers replace earlier values; text names and values are encoded.
        """
        request = DummyRequest([])
        request.setHeader(b"X-One", b"1")
        request.setHeader("x-one", "2")
        request.setHeader(b"X-Text", "caf\xe9")
        headers = request.responseHeaders
        assert headers.getRawHeaders(b"x-one") == [b"2"]
        assert headers.getRawHeaders(b"x-text") == ["café".encode()]

    def test_redirect(self) -> None:
        """
        C{redirect} sets 302 and the I{Location}.
        """
        request = DummyRequest([])
        request.redirect(b"/there")
        assert request.responseCode == 302
        assert request.responseHeaders.getRawHeaders(b"location") == [b"/there"]

    def test_addCookie(self) -> None:
        """
        Cookies are recorded as I{Set-Cookie} values.
        """
        request = DummyRequest([])
        request.addCookie(b"a", b"1")
        request.addCookie(
            "b",
            "2",
            expires="Wed, 21 Oct 2015 07:28:00 GMT",
            domain=b"example.com",
            path=b"/",
            max_age=60,
            comment=b"hi",
            secure=True,
            httpOnly=True,
            sameSite="Lax",
        )
        assert request.cookies == [
            b"a=1",
            b"b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Domain=example.com; Path=/; "
            b"Max-Age=60; Comment=hi; Secure; HttpOnly; SameSite=lax",
        ]

    @pytest.mark.parametrize("bad", [b"a;b", b"a\r\nb", b"a\nb"])
    def test_addCookieInjection(self, bad: bytes) -> None:
        """
        A cookie part that could change the header's meaning is refused.
        """
        request = DummyRequest([])
        with pytest.raises(ValueError, match=r"^addCookie\(\): the cookie value .* encode it"):
            request.addCookie(b"k", bad)
        with pytest.raises(ValueError, match=r"^addCookie\(\): the cookie path "):
            request.addCookie(b"k", b"v", path=bad)
        assert request.cookies == []

    def test_addCookieSameSite(self) -> None:
        """
        Only C{lax} and C{strict} are SameSite values.
        """
        with pytest.raises(ValueError, match="sameSite must be 'lax' or 'strict', not 'none'"):
            DummyRequest([]).addCookie(b"k", b"v", sameSite="none")

    def test_setLastModified(self) -> None:
        """
        A later time replaces an earlier one, never the reverse; nothing is
        cached.
        """
        request = DummyRequest([])
        assert request.setLastModified(100) is None  # type: ignore[func-returns-value]
        request.setLastModified(50)
        assert request.lastModified == 100
        request.setLastModified(200.5)
        assert request.lastModified == 200.5

    def test_setETag(self) -> None:
        """
        The tag is recorded; nothing is cached.
        """
        request = DummyRequest([])
        assert request.setETag(b'"v1"') is None  # type: ignore[func-returns-value]
        assert request.etag == b'"v1"'


class DummyRequestHeadersTests:
    """
    Reading the request's headers, cookies and credentials.
    """

    def test_getHeader(self) -> None:
        """
        The last value is returned, of the key's type; None if absent.
        """
        request = DummyRequest([])
        request.requestHeaders.setRawHeaders(b"X-Thing", [b"1", b"2"])
        assert request.getHeader(b"x-thing") == b"2"
        assert request.getHeader("X-THING") == "2"
        assert request.getHeader(b"missing") is None
        assert request.getHeader("missing") is None

    def test_getAllHeaders(self) -> None:
        """
        Every header by lowercased name, with its last value.
        """
        request = DummyRequest([])
        request.requestHeaders.setRawHeaders(b"Host", [b"example.com"])
        request.requestHeaders.setRawHeaders(b"X-Thing", [b"1", b"2"])
        assert request.getAllHeaders() == {b"host": b"example.com", b"x-thing": b"2"}

    def test_getCookie(self) -> None:
        """
        Cookies are read from every I{Cookie} header.
        """
        request = DummyRequest([])
        request.requestHeaders.setRawHeaders(b"Cookie", [b"a=1; b=2=3", b"c=; junk"])
        assert request.getCookie(b"a") == b"1"
        assert request.getCookie(b"b") == b"2=3"
        assert request.getCookie(b"c") == b""
        assert request.getCookie(b"junk") is None
        assert request.getCookie(b"d") is None

    def test_credentials(self) -> None:
        """
        User and password come from a Basic I{Authorization} header.
        """
        request = DummyRequest([])
        assert (request.getUser(), request.getPassword()) == (b"", b"")
        request.requestHeaders.setRawHeaders(
            b"Authorization", [b"Basic " + b64encode(b"alice:se:cret")]
        )
        assert (request.getUser(), request.getPassword()) == (b"alice", b"se:cret")

    @pytest.mark.parametrize("header", [b"Bearer abc", b"Basic !!!", b"Basic"])
    def test_otherCredentials(self, header: bytes) -> None:
        """
        Another scheme or malformed Basic credentials give empty ones.
        """
        request = DummyRequest([])
        request.requestHeaders.setRawHeaders(b"Authorization", [header])
        assert (request.getUser(), request.getPassword()) == (b"", b"")


class DummyRequestAddressTests:
    """
    Host names, addresses, schemes and URLs.
    """

    def test_addresses(self) -> None:
        """
        The server and client addresses are the channel's by default.
        """
        request = DummyRequest([])
        assert request.getHost() == IPv4Address("TCP", "10.0.0.1", 80)
        assert request.getClientAddress() == IPv4Address("TCP", "192.168.1.1", 12344)
        assert request.getClientIP() == "192.168.1.1"
        assert request.isSecure() is False

    def test_client(self) -> None:
        """
        The client given is the client's address; a UNIX client has no IP.
        """
        ipv6 = IPv6Address("TCP", "::1", 5000)
        assert DummyRequest([], client=ipv6).getClientIP() == "::1"
        unix = DummyRequest([], client=UNIXAddress(b"/tmp/sock"))
        assert unix.getClientAddress() == UNIXAddress(b"/tmp/sock")
        assert unix.getClientIP() is None

    @pytest.mark.parametrize(
        ("host", "name"),
        [
            (None, b"dummy"),
            (b"example.com", b"example.com"),
            (b"example.com:8080", b"example.com"),
            (b"[::1]:8080", b"[::1]"),
            (b"[::1", b"[::1"),
        ],
    )
    def test_getRequestHostname(self, host: bytes | None, name: bytes) -> None:
        """
        The I{Host} header without its port, or C{b"dummy"}.
        """
        request = DummyRequest([])
        if host is not None:
            request.requestHeaders.setRawHeaders(b"Host", [host])
        assert request.getRequestHostname() == name

    def test_setHost(self) -> None:
        """
        C{setHost} changes the host, port and scheme, and the I{Host}
        header.
        """
        request = DummyRequest([])
        request.setHost(b"example.com", 443, ssl=True)
        assert request.isSecure()
        assert request.getHost() == IPv4Address("TCP", "example.com", 443)
        assert request.getHeader(b"host") == b"example.com"
        request.setHost(b"example.com", 8080)
        assert not request.isSecure()
        assert request.getHeader(b"host") == b"example.com:8080"

    def test_secureChannel(self) -> None:
        """
        A secure channel makes a secure request, on port 443.
        """
        request = DummyRequest([])
        request.channel = DummyChannel(secure=True)
        assert request.isSecure()
        assert request.channel.getHost() == IPv4Address("TCP", "10.0.0.1", 443)

    def test_prePathURL(self) -> None:
        """
        The URL of the traversed segments, quoted, with a non-default port.
        """
        request = DummyRequest([])
        assert request.prePathURL() == b"http://dummy/"
        request.prepath = [b"a b", b"c/d", b""]
        assert request.prePathURL() == b"http://dummy/a%20b/c%2Fd/"
        request.setHost(b"example.com", 8443, ssl=True)
        assert request.prePathURL() == b"https://example.com:8443/a%20b/c%2Fd/"

    def test_rootURL(self) -> None:
        """
        C{rememberRootURL} keeps the URL without the last segment.
        """
        request = DummyRequest([])
        assert request.getRootURL() is None
        request.prepath = [b"app", b"page"]
        request.rememberRootURL()
        assert request.getRootURL() == b"http://dummy/app"

    def test_URLPath(self) -> None:
        """
        C{URLPath} needs C{torsion.python.urlpath}; until it exists it says
        to use C{prePathURL}.
        """
        request = DummyRequest([])
        if importlib.util.find_spec("torsion.python.urlpath") is not None:
            assert str(request.URLPath()) == "http://dummy/"
            return
        with pytest.raises(NotImplementedError, match=r"use request\.prePathURL\(\)$"):
            request.URLPath()


class IThing(Interface):
    """
    A session component, for the tests.
    """


class DummyRequestSessionTests:
    """
    L{DummyRequest.getSession}.
    """

    def test_made(self) -> None:
        """
        Without a session given, one is made on first use and kept.
        """
        request = DummyRequest([])
        session = request.getSession()
        assert request.getSession() is session
        assert session.uid == b"dummy-session"
        session.touch()
        session.expire()
        assert session.expired

    def test_given(self) -> None:
        """
        The session given to the constructor is the session.
        """
        session = object()
        assert DummyRequest([], session=session).getSession() is session

    def test_component(self) -> None:
        """
        With an interface, the session's component for it is returned.
        """

        @implementer(IThing)
        class Thing:
            pass

        request = DummyRequest([])
        thing = Thing()
        request.getSession().setComponent(IThing, thing)
        assert request.getSession(IThing) is thing


class DummyRequestFinishTests:
    """
    L{DummyRequest.notifyFinish} and the ways a request ends.
    """

    def test_finish(self) -> None:
        """
        Waiting Deferreds fire with None on C{finish}; later ones at once.
        """
        request = DummyRequest([])
        d = request.notifyFinish()
        assertNoResult(d)
        request.finish()
        assert resultOf(d) is None
        assert resultOf(request.notifyFinish()) is None

    def test_connectionLost(self) -> None:
        """
        C{connectionLost} fails the waiting Deferreds, by default with
        L{ConnectionLost}; later ones fail at once.
        """
        request = DummyRequest([])
        d = request.notifyFinish()
        request.connectionLost()
        failureOf(d, ConnectionLost)
        failureOf(request.notifyFinish(), ConnectionLost)

    def test_connectionLostReason(self) -> None:
        """
        The reason given is the failure.
        """
        request = DummyRequest([])
        d = request.notifyFinish()
        request.connectionLost(Failure(ConnectionDone()))
        failureOf(d, ConnectionDone)

    def test_processingFailed(self) -> None:
        """
        C{processingFailed} records the failure and fails the waiting
        Deferreds.
        """
        request = DummyRequest([])
        d = request.notifyFinish()
        reason = Failure(ValueError("boom"))
        request.processingFailed(reason)
        assert request.failures == [reason]
        assert failureOf(d, ValueError) is reason


@implementer(IPullProducer)
class PullProducer:
    """
    Writes C{chunks} one per C{resumeProducing}, then unregisters.
    """

    def __init__(self, request: DummyRequest, chunks: list[bytes]) -> None:
        self.request = request
        self.chunks = chunks
        self.stopped = False

    def resumeProducing(self) -> None:
        if self.chunks:
            self.request.write(self.chunks.pop(0))
        if not self.chunks:
            self.request.unregisterProducer()

    def stopProducing(self) -> None:
        self.stopped = True


class DummyRequestProducerTests:
    """
    Producers registered with L{DummyRequest}.
    """

    def test_pullProducer(self) -> None:
        """
        A pull producer is asked for data until it unregisters.
        """
        request = DummyRequest([])
        request.registerProducer(PullProducer(request, [b"a", b"b", b"c"]), False)
        assert request.written == [b"a", b"b", b"c"]
        assert request.producer is None

    def test_pushProducer(self) -> None:
        """
        A push producer is recorded; it writes on its own.
        """
        request = DummyRequest([])
        producer = PullProducer(request, [b"a"])
        request.registerProducer(producer, True)
        assert (request.producer, request.streaming) == (producer, True)
        assert request.written == []
        request.unregisterProducer()
        assert (request.producer, request.streaming) == (None, None)

    def test_twoProducers(self) -> None:
        """
        A second producer is refused while one is registered.
        """
        request = DummyRequest([])
        request.registerProducer(PullProducer(request, []), True)
        with pytest.raises(RuntimeError, match=r"already has .*; unregister it first$"):
            request.registerProducer(PullProducer(request, []), True)

    def test_idlePullProducer(self) -> None:
        """
        A pull producer that neither writes nor unregisters is reported
        instead of looping forever.
        """

        @implementer(IPullProducer)
        class Idle:
            def resumeProducing(self) -> None:
                pass

            def stopProducing(self) -> None:
                pass

        request = DummyRequest([])
        with pytest.raises(RuntimeError, match="neither wrote nor unregistered"):
            request.registerProducer(Idle(), False)


class DummyRequestRenderTests:
    """
    L{DummyRequest.render} renders a resource as a server does.
    """

    def test_bytes(self) -> None:
        """
        A body returned is written and the request finished; the Deferred
        has fired.
        """
        request = DummyRequest([])
        done = request.render(Page())
        assert request.written == [b"page"]
        assert request.finished
        assert resultOf(done) is None

    def test_notDoneYet(self) -> None:
        """
        With C{NOT_DONE_YET} the resource finishes later; the Deferred
        fires then.
        """
        slow, request = Slow(), DummyRequest([])
        done = request.render(slow)
        assert slow.requests == [request]
        assert request.written == [b"first "]
        assertNoResult(done)
        request.write(b"second")
        request.finish()
        assert resultOf(done) is None
        assert b"".join(request.written) == b"first second"

    def test_notDoneYetLost(self) -> None:
        """
        With C{NOT_DONE_YET}, a lost connection ends the request: the
        Deferred fires (it never fails) and the request is not finished,
        while C{notifyFinish} fails.
        """
        request = DummyRequest([])
        done = request.render(Slow())
        finished = request.notifyFinish()
        request.connectionLost()
        assert resultOf(done) is None
        assert not request.finished
        failureOf(finished, ConnectionLost)

    def test_processingFailed(self) -> None:
        """
        With C{NOT_DONE_YET}, failed processing ends the request: the
        Deferred fires and the failure is in C{failures}.
        """
        request = DummyRequest([])
        done = request.render(Slow())
        request.processingFailed(Failure(ValueError("boom")))
        assert resultOf(done) is None
        assert [f.type for f in request.failures] == [ValueError]

    def test_unsupportedMethod(self) -> None:
        """
        A method the resource does not implement gets the 405 page.
        """
        request = DummyRequest([])
        request.method = b"DELETE"
        done = request.render(Page())
        assert request.responseCode == 405
        assert request.responseHeaders.getRawHeaders(b"allow") == [b"HEAD, GET"]
        assert b"Method Not Allowed" in b"".join(request.written)
        assert resultOf(done) is None

    def test_head(self) -> None:
        """
        HEAD renders through C{render_GET}; the double records the body
        (it does not strip it as a server does).
        """
        request = DummyRequest([])
        request.method = b"HEAD"
        request.render(Page())
        assert request.written == [b"page"]

    def test_returnsDeferred(self) -> None:
        """
        Returning a Deferred is refused, saying what to do instead.
        """
        request = DummyRequest([])
        with pytest.raises(
            TypeError,
            match=re.escape(
                "Returns.render() returned a Deferred; a resource returns bytes or "
                "NOT_DONE_YET: write the body from the Deferred's callback, call "
                "request.finish(), and return NOT_DONE_YET"
            ),
        ):
            request.render(Returns(succeed(b"x")))
        assert not request.finished

    def test_returnsCoroutine(self) -> None:
        """
        Returning a coroutine (an C{async def} render method) is refused,
        and the coroutine is closed so that it is not reported as never
        awaited.
        """

        class Async(Resource):
            async def render_GET(self, request: IRequest) -> bytes:
                return b"never"

        request = DummyRequest([])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(TypeError, match=r"^Async\.render\(\) returned a coroutine; "):
                request.render(Async())
            gc.collect()

    def test_returnsText(self) -> None:
        """
        Returning text is refused, saying how to encode it.
        """
        with pytest.raises(
            TypeError,
            match=re.escape(
                "Returns.render() returned text ('hello'); return bytes, e.g. text.encode('utf-8')"
            ),
        ):
            DummyRequest([]).render(Returns("hello"))

    def test_returnsOther(self) -> None:
        """
        Returning anything else is refused, naming it.
        """
        with pytest.raises(TypeError, match=re.escape("Returns.render() returned NoneType None;")):
            DummyRequest([]).render(Returns(None))

    def test_bodyAfterFinish(self) -> None:
        """
        Returning a body after finishing the request is refused.
        """

        class Finishes(Resource):
            def render_GET(self, request: IRequest) -> bytes:
                request.finish()
                return b"too late"

        with pytest.raises(
            RuntimeError,
            match=re.escape("Finishes.render() finished the request and then returned a body"),
        ):
            DummyRequest([]).render(Finishes())

    def test_raises(self) -> None:
        """
        An exception from the resource propagates to the test, and leaves
        no failed Deferred behind.
        """

        class Broken(Resource):
            def render_GET(self, request: IRequest) -> bytes:
                raise KeyError("broken")

        request = DummyRequest([])
        with pytest.raises(KeyError):
            request.render(Broken())
        request.processingFailed(Failure(KeyError("later")))
        assert len(request.failures) == 1


class DummyChannelTests:
    """
    L{DummyChannel}, the connection a request pretends to arrive on.
    """

    def test_addresses(self) -> None:
        """
        The default addresses are fixed; others can be given.
        """
        channel = DummyChannel()
        assert channel.getPeer() == IPv4Address("TCP", "192.168.1.1", 12344)
        assert channel.getHost() == IPv4Address("TCP", "10.0.0.1", 80)
        assert not channel.isSecure()
        assert channel.getPeerCertificate() is None
        peer, host = IPv6Address("TCP", "::1", 1), IPv6Address("TCP", "::1", 2)
        other = DummyChannel(peer=peer, host=host)
        assert (other.getPeer(), other.getHost()) == (peer, host)

    def test_writeHeaders(self) -> None:
        """
        A status line and headers go to the transport, from pairs or
        L{Headers}.
        """
        channel = DummyChannel()
        channel.writeHeaders(b"HTTP/1.1", b"200", b"OK", [(b"A", b"1"), (b"B", b"2")])
        assert channel.transport.value() == b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"
        channel.transport.clear()
        channel.writeHeaders(b"HTTP/1.1", b"404", b"Not Found", Headers({b"X": [b"1", b"2"]}))
        assert channel.transport.value() == b"HTTP/1.1 404 Not Found\r\nX: 1\r\nX: 2\r\n\r\n"

    def test_transport(self) -> None:
        """
        Writes, producers and closing go to the transport.
        """
        channel = DummyChannel()
        channel.write(b"a")
        channel.writeSequence([b"b", b"c"])
        assert channel.transport.value() == b"abc"
        producer = PullProducer(DummyRequest([]), [])
        channel.registerProducer(producer, True)
        assert channel.transport.producer is producer
        channel.unregisterProducer()
        assert channel.transport.producer is None
        channel.loseConnection()
        assert channel.transport.disconnecting
        channel.abortConnection()
        assert channel.transport.disconnected

    def test_requestDone(self) -> None:
        """
        Finished requests are recorded in order.
        """
        channel = DummyChannel()
        first, second = DummyRequest([]), DummyRequest([])
        channel.requestDone(first)
        channel.requestDone(second)
        assert channel.finishedRequests == [first, second]
        assert channel.site is None


class PublicNamesTests:
    """
    The module's public face.
    """

    def test_names(self) -> None:
        """
        It exports the two doubles under their public module.
        """
        assert testing.__all__ == ["DummyChannel", "DummyRequest"]
        assert DummyRequest.__module__ == DummyChannel.__module__ == "torsion.web.testing"

    def test_sameConstructorAsTwisted(self) -> None:
        """
        L{DummyRequest} is made as Twisted's is: C{(postpath, session=None,
        client=None)}.
        """
        ours = list(inspect.signature(DummyRequest).parameters)
        assert ours == ["postpath", "session", "client"]
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.web.test.requesthelper import DummyRequest as TwistedRequest

        assert ours == list(inspect.signature(TwistedRequest).parameters)

    def test_deferredType(self) -> None:
        """
        C{notifyFinish} returns torsion Deferreds.
        """
        assert isinstance(DummyRequest([]).notifyFinish(), Deferred)
