"""
Tests for C{torsion.web.http}: L{HTTPChannel}, L{HTTPFactory} and
L{Request}, over real sockets on 127.0.0.1 (the server's reactor runs in a
thread) and, for timeouts, over a C{StringTransport} with a C{Clock}.
"""

from __future__ import annotations

import http.client as httpclient
import io
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import requireTool
from tests.protocols import chunked
from tests.web.test_server_support import (
    Hello,
    ThreadedServer,
    recvAll,
    recvUntil,
    serve,
)
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.logger import capturedLogs
from torsion.python.failure import Failure
from torsion.web import http
from torsion.web._httpparse import ParserLimits
from torsion.web.resource import Resource
from torsion.web.server import NOT_DONE_YET, Site

__all__ = ["serve"]


def makeChannel(
    resource: Any, clock: Clock | None = None, **channelAttrs: Any
) -> tuple[Any, StringTransport, Clock]:
    """A channel of a Site on a clock, connected to a StringTransport."""
    clock = clock if clock is not None else Clock()
    site = Site(resource, reactor=clock)
    channel = site.buildProtocol(None)
    for name, value in channelAttrs.items():
        setattr(channel, name, value)
    transport = StringTransport()
    channel.makeConnection(transport)
    return channel, transport, clock


class Later(Resource):
    """Writes a part now and the rest from a timer, then finishes."""

    isLeaf = True

    def __init__(self, reactor: Any) -> None:
        super().__init__()
        self.reactor = reactor

    def render_GET(self, request: Any) -> int:
        request.write(b"first,")

        def rest() -> None:
            request.write(b"second")
            request.finish()

        self.reactor.callLater(0, rest)
        return NOT_DONE_YET


class Waiting(Resource):
    """Never finishes; records how notifyFinish ended."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.outcome: list[Any] = []
        self.done = threading.Event()

    def render_GET(self, request: Any) -> int:
        def record(result: Any) -> None:
            self.outcome.append(result)
            self.done.set()

        request.notifyFinish().addBoth(record)
        return NOT_DONE_YET


class Where(Resource):
    """Says where a POST body was stored and how long it was."""

    isLeaf = True

    def render_POST(self, request: Any) -> bytes:
        where = b"memory" if isinstance(request.content, io.BytesIO) else b"disk"
        return where + b" %d" % len(request.content.read())


class Form(Resource):
    """Echoes the arguments."""

    isLeaf = True

    def render_POST(self, request: Any) -> bytes:
        return repr(sorted(request.args.items())).encode()

    render_GET = render_POST


class KeepAliveTests:
    """Connections are reused, and pipelined requests answered in order."""

    def test_httpClientReusesConnection(self, serve: Callable[..., ThreadedServer]) -> None:
        """http.client sends three requests on one connection and gets three answers."""
        server = serve(Hello())
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        bodies = []
        sockets = set()
        for path in ("/a", "/b", "/c"):
            conn.request("GET", path)
            response = conn.getresponse()
            bodies.append(response.read())
            sockets.add(id(conn.sock))
            assert response.getheader("Content-Length") == str(len(bodies[-1]))
        conn.close()
        assert bodies == [b"hello /a", b"hello /b", b"hello /c"]
        assert len(sockets) == 1

    def test_pipelinedInOrder(self, serve: Callable[..., ThreadedServer]) -> None:
        """Three requests sent at once get three responses, in order."""
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(
                b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            data = recvAll(sock)
        assert data.count(b"HTTP/1.1 200 OK") == 3
        assert data.index(b"hello /1") < data.index(b"hello /2") < data.index(b"hello /3")
        assert data.endswith(b"hello /3")

    def test_connectionCloseHonoured(self, serve: Callable[..., ThreadedServer]) -> None:
        """A request with Connection: close gets the answer and then the server closes."""
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = recvAll(sock)
        assert b"Connection: close\r\n" in data
        assert data.endswith(b"hello /")

    def test_moreAfterConnectionClose(self, serve: Callable[..., ThreadedServer]) -> None:
        """
        Requests sent after one with Connection: close are not answered, and
        the client still reads the answer it got (no reset).
        """
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(
                b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n" * 50000
            )
            data = recvAll(sock)
        assert data.count(b"HTTP/1.1 200 OK") == 1
        assert data.endswith(b"hello /a")

    def test_http10KeepAlive(self, serve: Callable[..., ThreadedServer]) -> None:
        """An HTTP/1.0 request asking for keep-alive keeps the connection."""
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            first = recvUntil(sock, b"hello /a")
            sock.sendall(b"GET /b HTTP/1.0\r\n\r\n")
            rest = recvAll(sock)
        assert b"Connection: keep-alive\r\n" in first
        assert rest.endswith(b"hello /b")


class RequestBodyTests:
    """Request bodies: lengths, chunks, forms, files."""

    def test_postForm(self, serve: Callable[..., ThreadedServer]) -> None:
        """A urlencoded POST body is merged into args with the query."""
        server = serve(Form())
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        conn.request(
            "POST",
            "/?q=1",
            body=b"a=2&a=3",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        body = conn.getresponse().read()
        conn.close()
        assert body == repr([(b"a", [b"2", b"3"]), (b"q", [b"1"])]).encode()

    def test_nonASCIIArguments(self, serve: Callable[..., ThreadedServer]) -> None:
        """
        Percent-encoded UTF-8 (and any other bytes) in the query and in a
        urlencoded body arrive in args as the bytes they encode, with C{+}
        as a space; the connection answers and stays usable.
        """
        server = serve(Form())
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        conn.request(
            "POST",
            "/?name=J%C3%BCrgen+M&raw=%FF%00",
            body=b"city=K%C3%B6ln&empty=&bare",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        first = conn.getresponse().read()
        conn.request("GET", "/?again=%E2%9C%93")
        second = conn.getresponse().read()
        conn.close()
        assert (
            first
            == repr(
                [
                    (b"bare", [b""]),
                    (b"city", [b"K\xc3\xb6ln"]),
                    (b"empty", [b""]),
                    (b"name", [b"J\xc3\xbcrgen M"]),
                    (b"raw", [b"\xff\x00"]),
                ]
            ).encode()
        )
        assert second == repr([(b"again", ["\u2713".encode()])]).encode()

    def test_postMultipart(self, serve: Callable[..., ThreadedServer]) -> None:
        """The fields of a multipart/form-data POST (curl -F) are merged into args."""
        curl = requireTool("curl")
        server = serve(Form())
        done = subprocess.run(
            [
                curl,
                "-sS",
                "-F",
                "a=1",
                "-F",
                "f=@-;filename=x.bin",
                f"http://127.0.0.1:{server.portNumber}/?q=2",
            ],
            input=b"\x00file\r\nbytes",
            capture_output=True,
            timeout=30,
            check=True,
        )
        assert (
            done.stdout
            == repr([(b"a", [b"1"]), (b"f", [b"\x00file\r\nbytes"]), (b"q", [b"2"])]).encode()
        )

    def test_chunkedUpload(self, serve: Callable[..., ThreadedServer]) -> None:
        """A chunked request body arrives whole."""
        server = serve(Hello())
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        conn.request("POST", "/", body=iter([b"abc", b"defg"]), encode_chunked=True)
        body = conn.getresponse().read()
        conn.close()
        assert body == b"got 7: abcdefg"

    def test_largeBodyOnDisk(self, serve: Callable[..., ThreadedServer]) -> None:
        """A body past maxMemoryBodySize goes to a temporary file; a small one stays in memory."""
        server = serve(Where())
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        conn.request("POST", "/", body=b"x" * 300_000)
        big = conn.getresponse().read()
        conn.request("POST", "/", body=iter([b"y" * 60_000] * 3), encode_chunked=True)
        bigChunked = conn.getresponse().read()
        conn.request("POST", "/", body=b"small")
        small = conn.getresponse().read()
        conn.close()
        assert (big, bigChunked, small) == (b"disk 300000", b"disk 180000", b"memory 5")

    def test_expectContinue(self, serve: Callable[..., ThreadedServer]) -> None:
        """Expect: 100-continue gets 100 Continue before the body is sent."""
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
            )
            interim = recvUntil(sock, b"\r\n\r\n")
            sock.sendall(b"hello")
            final = recvAll(sock)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        assert final.startswith(b"HTTP/1.1 200 OK")
        assert final.endswith(b"got 5: hello")


class ResponseTests:
    """How responses are framed."""

    def test_head(self, serve: Callable[..., ThreadedServer]) -> None:
        """HEAD gets GET's headers, with its Content-Length, and no body."""
        server = serve(Hello())
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        conn.request("HEAD", "/abc")
        response = conn.getresponse()
        body = response.read()
        conn.request("GET", "/abc")
        after = conn.getresponse().read()
        conn.close()
        assert response.status == 200
        assert body == b""
        assert response.getheader("Content-Length") == "10"
        assert after == b"hello /abc"

    def test_laterWritesChunked(self, serve: Callable[..., ThreadedServer]) -> None:
        """NOT_DONE_YET with a write now and more from a timer: chunked, then reusable."""
        server = serve(Later(None))
        server.site.resource.reactor = server.reactor
        conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        conn.request("GET", "/")
        response = conn.getresponse()
        body = response.read()
        conn.request("GET", "/")
        again = conn.getresponse().read()
        conn.close()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert body == again == b"first,second"

    def test_laterWritesHTTP10(self, serve: Callable[..., ThreadedServer]) -> None:
        """Over HTTP/1.0 a response of unknown length ends when the server closes."""
        server = serve(Later(None))
        server.site.resource.reactor = server.reactor
        with server.connect() as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            data = recvAll(sock)
        assert b"Transfer-Encoding" not in data
        assert b"Connection: close\r\n" in data
        assert data.endswith(b"\r\n\r\nfirst,second")

    def test_oneWriteForSmallResponse(self) -> None:
        """A body rendered at once leaves with its head in one transport.write."""
        channel, transport, _ = makeChannel(Hello())
        writes: list[bytes] = []
        transport.write = writes.append  # type: ignore[method-assign,assignment]
        channel.dataReceived(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        assert len(writes) == 1
        assert writes[0].startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Content-Length: 8\r\n" in writes[0]
        assert writes[0].endswith(b"\r\n\r\nhello /x")

    def test_declaredLengthNotChunked(self) -> None:
        """A body written later with a Content-Length set by the resource is not chunked."""
        requests: list[Any] = []

        class Declared(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> int:
                request.setHeader(b"Content-Length", b"6")
                requests.append(request)
                return NOT_DONE_YET

        channel, transport, _ = makeChannel(Declared())
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        requests[0].write(b"abc")
        requests[0].write(b"def")
        requests[0].finish()
        assert b"Transfer-Encoding" not in transport.value()
        assert transport.value().endswith(b"Content-Length: 6\r\n\r\nabcdef")
        assert not transport.disconnecting

    def test_noContent(self) -> None:
        """A 204 response has neither a body nor a Content-Length."""

        class Empty(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> bytes:
                request.setResponseCode(204)
                return b""

        channel, transport, _ = makeChannel(Empty())
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert transport.value().startswith(b"HTTP/1.1 204 No Content\r\n")
        assert b"Content-Length" not in transport.value()
        assert transport.value().endswith(b"\r\n\r\n")

    def test_notifyFinishFailsOnDisconnect(self, serve: Callable[..., ThreadedServer]) -> None:
        """A client going away fails the pending request's notifyFinish Deferred."""
        resource = Waiting()
        server = serve(resource)
        with server.connect() as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert resource.done.wait(10)
        assert len(resource.outcome) == 1
        assert isinstance(resource.outcome[0], Failure)


class ErrorTests:
    """Bad requests get the right status, and the connection is closed."""

    @pytest.mark.parametrize(
        ("wire", "status"),
        [
            (
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", 431),
            (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ],
    )
    def test_parseErrors(
        self, serve: Callable[..., ThreadedServer], wire: bytes, status: int
    ) -> None:
        """Each bad request gets its status and a close, while another client is served."""
        server = serve(Hello())
        with server.connect() as good, server.connect() as bad:
            good.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n")
            bad.sendall(wire)
            answer = recvAll(bad)
            good.sendall(b"\r\n")
            served = recvUntil(good, b"hello /ok")
        assert answer.startswith(b"HTTP/1.1 %d " % status)
        assert b"Connection: close\r\n" in answer
        assert served.endswith(b"hello /ok")

    def test_bodyTooLarge(self, serve: Callable[..., ThreadedServer]) -> None:
        """A body over the channel's maxBodySize gets 413."""
        server = serve(Hello())

        class Limited(http.HTTPChannel):
            limits = ParserLimits(maxBodySize=10)

        server.site.protocol = Limited
        with server.connect() as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
            answer = recvAll(sock)
        assert answer.startswith(b"HTTP/1.1 413 ")

    def test_refusedUploadStillAnswered(self, serve: Callable[..., ThreadedServer]) -> None:
        """
        A client still sending a refused body reads the 413: the server
        half-closes and drains instead of resetting the connection.
        """
        server = serve(Hello())

        class Limited(http.HTTPChannel):
            limits = ParserLimits(maxBodySize=10)

        server.site.protocol = Limited
        with server.connect() as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n")
            sock.sendall(b"x" * 4_000_000)
            answer = recvAll(sock)
        assert answer.startswith(b"HTTP/1.1 413 ")

    def test_lingerEnds(self) -> None:
        """A client that never closes after an error is closed after lingerTimeout."""

        class Transport(StringTransport):
            halfClosed = False

            def loseWriteConnection(self) -> None:
                self.halfClosed = True

        clock = Clock()
        channel = Site(Hello(), reactor=clock).buildProtocol(None)
        transport = Transport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET / HTTP/9.9\r\n\r\n")
        channel.dataReceived(b"more bytes, ignored")
        assert transport.halfClosed
        assert not transport.disconnecting
        clock.advance(2)
        assert transport.disconnecting
        assert transport.value().startswith(b"HTTP/1.1 505 ")

    def test_errorAfterGoodPipelinedRequest(self, serve: Callable[..., ThreadedServer]) -> None:
        """A bad request after a good one: the good one is answered first."""
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/9.9\r\n\r\n")
            data = recvAll(sock)
        assert data.startswith(b"HTTP/1.1 200 OK")
        assert data.index(b"hello /a") < data.index(b"HTTP/1.1 505 ")


class TimeoutTests:
    """Idle and slow clients are disconnected, on the factory's clock."""

    def test_idleTimeout(self) -> None:
        """A connection idle for timeOut seconds is closed; activity restarts the timer."""
        channel, transport, clock = makeChannel(Hello())
        clock.advance(59)
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        clock.advance(59)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting
        assert transport.value().count(b"HTTP/1.1 200") == 1

    def test_noIdleTimeoutWhileResponding(self) -> None:
        """While the application answers, the idle timer does not run."""
        resource = Waiting()
        channel, transport, clock = makeChannel(resource)
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        clock.advance(600)
        assert not transport.disconnecting
        assert resource.outcome == []

    def test_slowloris(self) -> None:
        """A head trickled in byte by byte gets 408 after requestHeadTimeout seconds."""
        channel, transport, clock = makeChannel(Hello())
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaa":
            channel.dataReceived(bytes([byte]))
            clock.advance(1)
            if transport.disconnecting:
                break
        assert transport.disconnecting
        assert clock.seconds() == 30
        assert transport.value().startswith(b"HTTP/1.1 408 ")

    def test_activityDoesNotMoveTheCall(self) -> None:
        """Activity only notes the time: the armed idle call keeps its time."""
        channel, _transport, clock = makeChannel(Hello())
        [call] = clock.getDelayedCalls()
        clock.advance(10)
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        assert clock.getDelayedCalls() == [call]
        assert call.getTime() == 60

    def test_idleCallRearmsForTheRest(self) -> None:
        """When the idle call runs after activity, it re-arms for the time left."""
        channel, transport, clock = makeChannel(Hello())
        clock.advance(45)
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        clock.advance(15)
        assert not transport.disconnecting
        [call] = clock.getDelayedCalls()
        assert call.getTime() == 105
        clock.advance(44)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting

    def test_setTimeoutRestartsFromNow(self) -> None:
        """setTimeout() after activity times the connection out from the call, not the activity."""
        channel, transport, clock = makeChannel(Hello())
        clock.advance(30)
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        channel.setTimeout(5)
        clock.advance(4)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting

    def test_plainCallLaterResetsEagerly(self) -> None:
        """A callLater that is no clock's method makes activity move the call itself."""
        clock = Clock()

        def callLater(delay: float, f: Any, *args: Any, **kw: Any) -> Any:
            return clock.callLater(delay, f, *args, **kw)

        channel, transport, _ = makeChannel(Hello(), clock=clock)
        channel.callLater = callLater
        channel.setTimeout(60)
        clock.advance(30)
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        [call] = [c for c in clock.getDelayedCalls() if c.active()]
        assert call.getTime() == 90
        clock.advance(59)
        assert not transport.disconnecting
        clock.advance(1)
        assert transport.disconnecting

    def test_timersCancelledOnClose(self) -> None:
        """Once the connection is lost, no timer is left."""
        channel, _transport, clock = makeChannel(Hello())
        channel.dataReceived(b"GET / HT")
        channel.connectionLost(Failure(Exception("gone")))
        assert clock.getDelayedCalls() == []


class FlowControlTests:
    """A pipelining client cannot make the server buffer without bound."""

    def test_transportPausedWhileResponding(self) -> None:
        """Bytes past the limit while a response is pending pause the transport."""
        channel, transport, _ = makeChannel(Waiting())
        request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        channel.dataReceived(request)
        assert transport.producerState == "producing"
        channel.dataReceived(request * 5000)
        assert transport.producerState == "paused"
        assert channel._parser.bufferedByteCount <= len(request) * 5000


class LoggingTests:
    """The access log."""

    def test_logFile(self, tmp_path: Path) -> None:
        """Each response adds a combined-format line to the log file."""
        clock = Clock()
        clock.advance(784111777)
        path = tmp_path / "access.log"
        site = Site(Hello(), logPath=str(path), reactor=clock)
        site.startFactory()
        channel = site.buildProtocol(None)
        channel.makeConnection(StringTransport())
        channel.dataReceived(
            b'GET /a"b HTTP/1.1\r\nHost: x\r\nUser-Agent: t"est\r\nReferer: r\r\n\r\n'
        )
        site.stopFactory()
        assert path.read_text() == (
            '"192.168.1.1" - - [06/Nov/1994:08:49:37 +0000] "GET /a\\"b HTTP/1.1" 200 10 '
            '"r" "t\\"est"\n'
        )

    def test_logEvents(self) -> None:
        """Without a log path, each response is a torsion.logger event with the line."""
        clock = Clock()
        site = Site(Hello(), reactor=clock)
        channel = site.buildProtocol(None)
        channel.makeConnection(StringTransport())
        with capturedLogs() as events:
            channel.dataReceived(b"GET /z HTTP/1.1\r\nHost: x\r\n\r\n")
        lines = [e["line"] for e in events if e.get("log_namespace") == "torsion.web.http.access"]
        assert lines == [
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /z HTTP/1.1" 200 8 "-" "-"'
        ]

    def test_repeatedRequestLines(self) -> None:
        """Repeated requests each get a line, which follows every changed field and the clock."""
        clock = Clock()
        site = Site(Hello(), reactor=clock)
        channel = site.buildProtocol(None)
        channel.makeConnection(StringTransport())
        with capturedLogs() as events:
            channel.dataReceived(b"GET /z HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n\r\n")
            channel.dataReceived(b"GET /z HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n\r\n")
            channel.dataReceived(b"GET /z HTTP/1.1\r\nHost: x\r\nUser-Agent: b\r\n\r\n")
            clock.advance(1)
            channel.dataReceived(b"GET /z HTTP/1.1\r\nHost: x\r\nUser-Agent: b\r\n\r\n")
        lines = [e["line"] for e in events if e.get("log_namespace") == "torsion.web.http.access"]
        assert lines == [
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /z HTTP/1.1" 200 8 "-" "a"',
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /z HTTP/1.1" 200 8 "-" "a"',
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /z HTTP/1.1" 200 8 "-" "b"',
            '"192.168.1.1" - - [01/Jan/1970:00:00:01 +0000] "GET /z HTTP/1.1" 200 8 "-" "b"',
        ]

    def test_proxiedFormatter(self) -> None:
        """proxiedLogFormatter takes the last X-Forwarded-For address."""
        channel, _, _ = makeChannel(Hello())
        request = http.Request(channel)
        request.requestHeaders.setRawHeaders(b"x-forwarded-for", [b"10.0.0.1, 10.0.0.2"])
        line = http.proxiedLogFormatter("[ts]", request)
        assert line.startswith('"10.0.0.2" - - [ts] "GET  HTTP/1.1" 200 - ')


class DateTests:
    """HTTP dates."""

    def test_roundTrip(self) -> None:
        """datetimeToString and stringToDatetime invert each other, in all three formats."""
        assert http.datetimeToString(784111777) == b"Sun, 06 Nov 1994 08:49:37 GMT"
        assert http.stringToDatetime(b"Sun, 06 Nov 1994 08:49:37 GMT") == 784111777
        assert http.stringToDatetime(b"Sunday, 06-Nov-94 08:49:37 GMT") == 784111777
        assert http.stringToDatetime(b"Sun Nov  6 08:49:37 1994") == 784111777

    def test_badDate(self) -> None:
        """A malformed date is a ValueError naming it."""
        with pytest.raises(ValueError, match="not an HTTP date: b'yesterday'"):
            http.stringToDatetime(b"yesterday")


class RequestAPITests:
    """The request's helpers, on a channel over a StringTransport."""

    def _request(self, head: bytes) -> Any:
        seen: list[Any] = []

        class Capture(Resource):
            isLeaf = True

            def render_GET(self, request: Any) -> int:
                seen.append(request)
                return NOT_DONE_YET

        channel, transport, _ = makeChannel(Capture())
        channel.dataReceived(head + b"\r\n")
        return seen[0], transport

    def test_conditionalETag(self) -> None:
        """setETag with a matching If-None-Match makes the response a body-less 304."""
        request, transport = self._request(b'GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: "v1"\r\n')
        assert request.setETag(b"v1") is http.CACHED
        request.write(b"ignored")
        request.finish()
        assert transport.value().startswith(b"HTTP/1.1 304 Not Modified\r\n")
        assert b"ignored" not in transport.value()
        assert b"Content-Length" not in transport.value()

    def test_conditionalLastModified(self) -> None:
        """setLastModified answers 304 when If-Modified-Since is not older."""
        request, _ = self._request(
            b"GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
        )
        assert request.setLastModified(784111700) is http.CACHED
        assert request.code == http.NOT_MODIFIED

    def test_cookies(self) -> None:
        """getCookie reads the Cookie header; addCookie refuses injection."""
        request, transport = self._request(b"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1; b=2\r\n")
        assert (request.getCookie(b"b"), request.getCookie(b"c")) == (b"2", None)
        with pytest.raises(ValueError, match="contains ';'"):
            request.addCookie(b"k", b"v; Domain=evil")
        request.addCookie(b"k", b"v", path=b"/", secure=True, httpOnly=True, sameSite="strict")
        request.finish()
        assert b"Set-Cookie: k=v; Path=/; Secure; HttpOnly; SameSite=strict\r\n" in (
            transport.value()
        )

    def test_basicAuthAndHost(self) -> None:
        """getUser/getPassword decode Basic auth; getRequestHostname drops the port."""
        request, _ = self._request(
            b"GET / HTTP/1.1\r\nHost: example.com:8080\r\nAuthorization: Basic dTpwOnc=\r\n"
        )
        assert (request.getUser(), request.getPassword()) == (b"u", b"p:w")
        assert request.getRequestHostname() == b"example.com"
        assert request.isSecure() is False
        assert request.getClientAddress() == request.client

    def test_finishTwice(self) -> None:
        """finish() twice is a RuntimeError."""
        request, _ = self._request(b"GET / HTTP/1.1\r\nHost: x\r\n")
        request.finish()
        with pytest.raises(RuntimeError, match="finish\\(\\) called twice"):
            request.finish()

    def test_setResponseCodeAfterHead(self) -> None:
        """setResponseCode once the head is out is a RuntimeError; bad types are TypeError."""
        request, _ = self._request(b"GET / HTTP/1.1\r\nHost: x\r\n")
        with pytest.raises(TypeError, match="not str"):
            request.setResponseCode("404")
        request.write(b"x")
        with pytest.raises(RuntimeError, match="head was sent"):
            request.setResponseCode(404)


_PIPELINE = (
    b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
    b"POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    b"POST /three HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
    b"GET /four HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
)


def _answer(pieces: list[bytes]) -> tuple[bytes, bool]:
    """What a channel writes for C{pieces} fed one by one, and whether it closed."""
    channel, transport, _ = makeChannel(Hello())
    for piece in pieces:
        channel.dataReceived(piece)
    return transport.value(), transport.disconnecting


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(_PIPELINE)), max_size=12))
def test_arbitrarySplitsSameAnswers(cuts: list[int]) -> None:
    """However the pipelined bytes are split, the channel writes the same responses."""
    assert _answer(chunked(_PIPELINE, cuts)) == _answer([_PIPELINE])


def test_pipelineAnswers() -> None:
    """The pipeline's four answers come in order, and the connection closes after the last."""
    data, closed = _answer([_PIPELINE])
    assert closed
    assert data.count(b"HTTP/1.1 200 OK") == 4
    bodies = [b"hello /one", b"got 5: hello", b"got 5: abcde", b"hello /four"]
    positions = [data.index(body) for body in bodies]
    assert positions == sorted(positions)


class PlainHTTPFactoryTests:
    """http.Request subclasses work with a bare HTTPFactory, as in Twisted."""

    def test_customRequest(self) -> None:
        """A Request subclass overriding process() answers through HTTPChannel."""

        class Echo(http.Request):
            def process(self) -> None:
                self.setHeader(b"Content-Type", b"text/plain")
                self.write(self.method + b" " + self.path + b" " + self.content.read())
                self.finish()

        class Channel(http.HTTPChannel):
            requestFactory = Echo

        factory = http.HTTPFactory(reactor=Clock())
        factory.protocol = Channel
        channel = factory.buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        channel.dataReceived(b"PUT /x?y=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi")
        assert transport.value() == (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nPUT /x hi"
        )


class ParseQsTests:
    """torsion.web.http.parse_qs: query strings to bytes, whatever their encoding."""

    def test_pairs(self) -> None:
        """Names and values are percent- and plus-decoded; repeated names collect values."""
        assert http.parse_qs(b"a=1&b=x+y&a=%32&c=%C3%A9") == {
            b"a": [b"1", b"2"],
            b"b": [b"x y"],
            b"c": [b"\xc3\xa9"],
        }

    def test_blankValues(self) -> None:
        """Names without a value are dropped unless keep_blank_values is true."""
        assert http.parse_qs(b"a=&b&c=1&&") == {b"c": [b"1"]}
        assert http.parse_qs(b"a=&b&c=1&&", keep_blank_values=True) == {
            b"a": [b""],
            b"b": [b""],
            b"c": [b"1"],
        }

    def test_semicolonIsNotASeparator(self) -> None:
        """Only C{&} separates pairs (a C{;} stays in the value)."""
        assert http.parse_qs(b"a=1;b=2") == {b"a": [b"1;b=2"]}

    def test_strict(self) -> None:
        """With strict_parsing, a piece without C{=} is a ValueError naming it."""
        with pytest.raises(ValueError, match="'bare'"):
            http.parse_qs(b"a=1&bare", strict_parsing=True)

    def test_badEscapesKept(self) -> None:
        """A C{%} not followed by two hex digits is kept as it is."""
        assert http.parse_qs(b"%zz=%4") == {b"%zz": [b"%4"]}
