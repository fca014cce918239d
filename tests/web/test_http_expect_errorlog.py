"""
Tests for two parts of C{torsion.web._httpchannel}: C{Expect} values other
than C{100-continue} get I{417 Expectation Failed}, and the responses the
channel sends itself (parse errors, 408, 417) get an access-log line.

Most tests drive a channel over a C{StringTransport} with a C{Clock}; a few
use a real server on 127.0.0.1 (C{tests.web.test_server_support}).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_server_support import (
    Hello,
    ThreadedServer,
    recvAll,
    recvUntil,
    serve,
)
from torsion.internet.address import IPv4Address, UNIXAddress
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.logger import capturedLogs
from torsion.web import http
from torsion.web._httplog import channelLogFormatter
from torsion.web._httpparse import ParserLimits
from torsion.web.resource import Resource
from torsion.web.server import Site

__all__ = ["serve"]

ACCESS = "torsion.web.http.access"


class Recording(Resource):
    """Answers like L{Hello}, and records every request it renders."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.rendered: list[bytes] = []

    def render_GET(self, request: Any) -> bytes:
        self.rendered.append(request.uri)
        path: bytes = request.path
        return b"hello " + path

    def render_POST(self, request: Any) -> bytes:
        self.rendered.append(request.uri)
        body: bytes = request.content.read()
        return b"got %d: %s" % (len(body), body)


class HalfClosingTransport(StringTransport):
    """A C{StringTransport} that records C{loseWriteConnection}."""

    halfClosed = False

    def loseWriteConnection(self) -> None:
        self.halfClosed = True


def connect(
    site: Any, transport: StringTransport | None = None, **channelAttrs: Any
) -> tuple[Any, StringTransport]:
    """A channel of C{site}, connected to a (new) C{StringTransport}."""
    channel = site.buildProtocol(None)
    for name, value in channelAttrs.items():
        setattr(channel, name, value)
    transport = transport if transport is not None else StringTransport()
    channel.makeConnection(transport)
    return channel, transport


def accessLines(events: list[Any]) -> list[str]:
    """The access-log lines among captured log events."""
    return [e["line"] for e in events if e.get("log_namespace") == ACCESS]


def bodyLength(response: bytes) -> int:
    """The Content-Length a response declares."""
    match = re.search(rb"\r\nContent-Length: (\d+)\r\n", response)
    assert match is not None, response
    return int(match.group(1))


class ExpectationTests:
    """Expectations other than 100-continue are refused with 417."""

    @pytest.mark.parametrize(
        "expect",
        [
            [b"Expect: foo"],
            [b"Expect: 100-continue, foo"],
            [b"Expect: foo", b"Expect: 100-continue"],
            [b"Expect: 100-continue", b"Expect: foo"],
            [b"Expect: 100-continue;x=1"],
        ],
    )
    def test_unsupportedExpectation(self, expect: list[bytes]) -> None:
        """
        A request with any expectation other than 100-continue, alone or
        beside it, gets 417 naming it, and is never rendered; the
        connection closes.
        """
        resource = Recording()
        channel, transport = connect(Site(resource, reactor=Clock()))
        head = b"\r\n".join([b"POST /up HTTP/1.1", b"Host: x", b"Content-Length: 5", *expect])
        channel.dataReceived(head + b"\r\n\r\nhello")
        response = transport.value()
        assert response.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")
        assert b"\r\nConnection: close\r\n" in response
        assert b"100 Continue" not in response
        assert resource.rendered == []
        assert transport.disconnecting
        body = response.partition(b"\r\n\r\n")[2]
        assert body.startswith(b"417 Expectation Failed: the expectation ")
        assert b"is not supported; the only one this server meets is 100-continue" in body
        assert len(body) == bodyLength(response)

    def test_reasonNamesTheExpectation(self) -> None:
        """The 417 body names the expectation, escaped and shortened."""
        channel, transport = connect(Site(Hello(), reactor=Clock()))
        channel.dataReceived(
            b'GET / HTTP/1.1\r\nHost: x\r\nExpect: x-"odd"\xff' + b"y" * 60 + b"\r\n\r\n"
        )
        body = transport.value().partition(b"\r\n\r\n")[2]
        expected = repr(b'x-"odd"\xff' + b"y" * 32)[1:] + "..."
        assert (
            body
            == (
                f"417 Expectation Failed: the expectation {expected} is not supported; the only "
                "one this server meets is 100-continue: send the request without that Expect "
                "header\n"
            ).encode()
        )

    @pytest.mark.parametrize("value", [b"100-continue", b"100-Continue", b"100-CONTINUE"])
    def test_continueAnyCase(self, value: bytes) -> None:
        """100-continue, in any case, still gets 100 Continue and then the response."""
        resource = Recording()
        channel, transport = connect(Site(resource, reactor=Clock()))
        channel.dataReceived(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: " + value + b"\r\n\r\n"
        )
        assert transport.value() == b"HTTP/1.1 100 Continue\r\n\r\n"
        channel.dataReceived(b"hello")
        assert transport.value().count(b"HTTP/1.1 200 OK\r\n") == 1
        assert transport.value().endswith(b"got 5: hello")
        assert not transport.disconnecting

    def test_http10ContinueIgnored(self) -> None:
        """
        Expect: 100-continue on an HTTP/1.0 request is ignored: no 100
        Continue, no 417, the request is answered once its body comes.
        """
        resource = Recording()
        channel, transport = connect(Site(resource, reactor=Clock()))
        channel.dataReceived(
            b"POST /old HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        assert transport.value() == b""
        channel.dataReceived(b"hello")
        response = transport.value()
        assert response.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"100 Continue" not in response
        assert response.endswith(b"got 5: hello")
        assert resource.rendered == [b"/old"]

    def test_http10OtherExpectation(self) -> None:
        """An HTTP/1.0 request with another expectation gets 417 too."""
        resource = Recording()
        channel, transport = connect(Site(resource, reactor=Clock()))
        channel.dataReceived(b"GET / HTTP/1.0\r\nExpect: foo\r\n\r\n")
        assert transport.value().startswith(b"HTTP/1.1 417 ")
        assert resource.rendered == []

    def test_emptyExpectIgnored(self) -> None:
        """An empty Expect value (or only commas) holds no expectation: the request is served."""
        resource = Recording()
        channel, transport = connect(Site(resource, reactor=Clock()))
        channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\nExpect:\r\n\r\n")
        channel.dataReceived(b"GET /b HTTP/1.1\r\nHost: x\r\nExpect: , ,\r\n\r\n")
        assert transport.value().count(b"HTTP/1.1 200 OK\r\n") == 2
        assert resource.rendered == [b"/a", b"/b"]

    def test_pipelinedAfterRefusalIgnored(self) -> None:
        """Requests pipelined after a refused one are not answered."""
        resource = Recording()
        channel, transport = connect(Site(resource, reactor=Clock()))
        channel.dataReceived(
            b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /b HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n"
            b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        response = transport.value()
        assert resource.rendered == [b"/a"]
        assert response.count(b"HTTP/1.1 ") == 2
        assert response.index(b"HTTP/1.1 200 ") < response.index(b"HTTP/1.1 417 ")

    def test_refusalFailsTheRequest(self) -> None:
        """The refused request learns it will not be answered: its notifyFinish fails."""
        made: list[Any] = []

        class Keeping(http.Request):
            def gotHead(self, head: Any) -> None:
                super().gotHead(head)
                made.append(self.notifyFinish())

        site = Site(Hello(), requestFactory=Keeping, reactor=Clock())
        channel, _ = connect(site)
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n")
        [finished] = made
        failures: list[Any] = []
        finished.addErrback(failures.append)
        [failure] = failures
        assert "expectation failed" in str(failure.value)

    def test_lingeringClose(self) -> None:
        """
        After a 417 the channel half-closes, discards the body the client
        still sends, and closes after lingerTimeout.
        """
        clock = Clock()
        resource = Recording()
        transport = HalfClosingTransport()
        channel, _ = connect(Site(resource, reactor=clock), transport)
        channel.dataReceived(
            b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: x-y\r\n\r\n"
        )
        channel.dataReceived(b"z" * 50_000)
        assert transport.halfClosed
        assert not transport.disconnecting
        clock.advance(2)
        assert transport.disconnecting
        assert transport.value().count(b"HTTP/1.1 ") == 1
        assert resource.rendered == []

    def test_otherClientServed(self, serve: Callable[..., ThreadedServer]) -> None:
        """Over TCP: the refused client reads its 417 and is closed; another is served."""
        resource = Recording()
        server = serve(resource)
        with server.connect() as good, server.connect() as bad:
            good.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n")
            bad.sendall(
                b"POST /no HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                b"Expect: x-unknown\r\n\r\nhello"
            )
            answer = recvAll(bad)
            good.sendall(b"\r\n")
            served = recvUntil(good, b"hello /ok")
        assert answer.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")
        assert b"'x-unknown'" in answer
        assert served.startswith(b"HTTP/1.1 200 OK\r\n")
        assert served.endswith(b"hello /ok")
        assert resource.rendered == [b"/ok"]

    def test_uploadAfterRefusalStillReadsAnswer(self, serve: Callable[..., ThreadedServer]) -> None:
        """
        Over TCP: a client that sends a large body anyway still reads the
        417 (the server drains instead of resetting the connection).
        """
        server = serve(Hello())
        with server.connect() as sock:
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\nExpect: x\r\n\r\n"
            )
            sock.sendall(b"x" * 4_000_000)
            answer = recvAll(sock)
        assert answer.startswith(b"HTTP/1.1 417 ")


class ErrorLogTests:
    """Responses the channel sends itself are in the access log, one line each."""

    @pytest.mark.parametrize(
        ("wire", "status", "requestField", "agent"),
        [
            pytest.param(b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "-", "-", id="requestLine"),
            pytest.param(
                b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n" + b"X-A: b\r\n" * 101 + b"\r\n",
                431,
                "-",
                "-",
                id="headers",
            ),
            pytest.param(
                b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "-", "-", id="uri"
            ),
            pytest.param(
                b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"User-Agent: u/1\r\n\r\nzz\r\n",
                400,
                "POST /c HTTP/1.1",
                "u/1",
                id="chunkSize",
            ),
            pytest.param(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n",
                400,
                "-",
                "-",
                id="lengthAndChunked",
            ),
            pytest.param(
                b"GET /e HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nUser-Agent: u\r\n\r\n",
                417,
                "GET /e HTTP/1.1",
                "u",
                id="expectation",
            ),
            pytest.param(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "-", "-", id="version"),
        ],
    )
    def test_errorLogged(self, wire: bytes, status: int, requestField: str, agent: str) -> None:
        """
        Each error response gives exactly one combined-format line with its
        status and body length; the request line and User-Agent when the
        head was parsed, else C{"-"}.
        """
        clock = Clock()
        clock.advance(784111777)
        channel, transport = connect(Site(Hello(), reactor=clock))
        with capturedLogs() as events:
            channel.dataReceived(wire)
        response = transport.value()
        assert response.startswith(b"HTTP/1.1 %d " % status)
        assert accessLines(events) == [
            f'"192.168.1.1" - - [06/Nov/1994:08:49:37 +0000] "{requestField}" {status} '
            f'{bodyLength(response)} "-" "{agent}"'
        ]

    def test_bodyTooLargeLogged(self) -> None:
        """A 413 for chunks over maxBodySize is logged with its request line."""

        class Limited(http.HTTPChannel):
            limits = ParserLimits(maxBodySize=4)

        site = Site(Hello(), reactor=Clock())
        site.protocol = Limited
        channel, transport = connect(site)
        with capturedLogs() as events:
            channel.dataReceived(
                b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
            )
        response = transport.value()
        assert accessLines(events) == [
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "POST /big HTTP/1.1" 413 '
            f'{bodyLength(response)} "-" "-"'
        ]

    def test_slowHeadLogged(self) -> None:
        """The 408 of a head not complete within requestHeadTimeout gives one line."""
        clock = Clock()
        channel, transport = connect(Site(Hello(), reactor=clock))
        with capturedLogs() as events:
            for byte in b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\nX-Slow: aaaaaaaaaaa":
                channel.dataReceived(bytes([byte]))
                clock.advance(1)
                if transport.disconnecting:
                    break
            clock.advance(120)
        response = transport.value()
        assert response.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert accessLines(events) == [
            f'"192.168.1.1" - - [01/Jan/1970:00:00:30 +0000] "-" 408 {bodyLength(response)} "-" "-"'
        ]

    def test_idleNotLogged(self) -> None:
        """A connection closed idle, with no request started, leaves no line."""
        clock = Clock()
        _channel, transport = connect(Site(Hello(), reactor=clock))
        with capturedLogs() as events:
            clock.advance(60)
        assert transport.disconnecting
        assert transport.value() == b""
        assert accessLines(events) == []

    def test_idleAfterRequestLogsOnlyTheRequest(self) -> None:
        """An idle close after a request adds nothing to the request's one line."""
        clock = Clock()
        channel, transport = connect(Site(Hello(), reactor=clock))
        with capturedLogs() as events:
            channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            clock.advance(60)
        assert transport.disconnecting
        assert accessLines(events) == [
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /a HTTP/1.1" 200 8 "-" "-"'
        ]

    def test_normalRequestOneLine(self) -> None:
        """A request the application answers still gives exactly one line."""
        channel, _ = connect(Site(Hello(), reactor=Clock()))
        with capturedLogs() as events:
            channel.dataReceived(
                b"GET /n HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nReferer: r\r\n\r\n"
            )
        assert accessLines(events) == [
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /n HTTP/1.1" 200 8 "r" "a"'
        ]

    def test_goodThenBadPipelined(self) -> None:
        """A good request and a bad one after it: one line each, in order."""
        channel, transport = connect(Site(Hello(), reactor=Clock()))
        with capturedLogs() as events:
            channel.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/9.9\r\n\r\n")
        response = transport.value()
        errorResponse = response[response.index(b"HTTP/1.1 505 ") :]
        assert accessLines(events) == [
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /a HTTP/1.1" 200 8 "-" "-"',
            f'"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "-" 505 {bodyLength(errorResponse)} '
            '"-" "-"',
        ]

    def test_clientFieldsEscaped(self) -> None:
        """Fields of a refused request are escaped like those of any request."""
        channel, _ = connect(Site(Hello(), reactor=Clock()))
        with capturedLogs() as events:
            channel.dataReceived(
                b'GET /a"b HTTP/1.1\r\nHost: x\r\nExpect: e\r\nReferer: \\r\r\n'
                b'User-Agent: \xff"\r\n\r\n'
            )
        [line] = accessLines(events)
        assert line.startswith(
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /a\\"b HTTP/1.1" 417 '
        )
        assert line.endswith(' "\\\\r" "\\xff\\""')

    def test_logFile(self, tmp_path: Path) -> None:
        """With a log path, error lines go to the file, after the request lines."""
        path = tmp_path / "access.log"
        site = Site(Hello(), logPath=str(path), reactor=Clock())
        site.startFactory()
        first, _ = connect(site)
        first.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        second, transport = connect(site)
        second.dataReceived(b"BAD\r\n\r\n")
        site.stopFactory()
        assert path.read_text() == (
            '"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /a HTTP/1.1" 200 8 "-" "-"\n'
            f'"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "-" 400 '
            f'{bodyLength(transport.value())} "-" "-"\n'
        )

    def test_customLogAndFormatterOnlyGetRequests(self) -> None:
        """
        An overridden C{log} and a custom C{logFormatter} are only given
        requests the application answered; error lines are written in the
        combined format to the default destination.
        """
        given: list[Any] = []

        def formatter(timestamp: str, request: Any) -> str:
            given.append(request)
            return f"custom {request.uri.decode()}"

        class Custom(Site):
            def log(self, request: Any) -> None:
                given.append(("log", request.uri))
                super().log(request)

        site = Custom(Hello(), logFormatter=formatter, reactor=Clock())
        good, _ = connect(site)
        bad, _ = connect(site)
        with capturedLogs() as events:
            good.dataReceived(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            bad.dataReceived(b"GET /b HTTP/1.1\r\nHost: x\r\nExpect: nope\r\n\r\n")
        assert [g if type(g) is tuple else g.uri for g in given] == [("log", b"/a"), b"/a"]
        lines = accessLines(events)
        assert lines[0] == "custom /a"
        assert lines[1].startswith('"192.168.1.1" - - [01/Jan/1970:00:00:00 +0000] "GET /b ')
        assert len(lines) == 2

    def test_channelWithoutFactory(self) -> None:
        """A channel made without a factory still answers errors (and logs nothing)."""
        channel = http.HTTPChannel()
        transport = StringTransport()
        channel.makeConnection(transport)
        with capturedLogs() as events:
            channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n")
        assert transport.value().startswith(b"HTTP/1.1 417 ")
        assert accessLines(events) == []

    def test_errorOverTCPLogged(self, serve: Callable[..., ThreadedServer], tmp_path: Path) -> None:
        """
        Over TCP, with a log file: a malformed request and a good one from
        another client give one line each, the peer's address in both.
        """
        path = tmp_path / "access.log"
        server = serve(Hello(), logPath=str(path))
        with server.connect() as good, server.connect() as bad:
            bad.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            answer = recvAll(bad)
            good.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
            recvUntil(good, b"hello /ok")
        server.call(lambda: None)  # the reactor thread is done with both
        lines = path.read_text().splitlines()
        assert answer.startswith(b"HTTP/1.1 400 ")
        assert len(lines) == 2
        assert re.fullmatch(
            rf'"127\.0\.0\.1" - - \[[^]]+\] "-" 400 {bodyLength(answer)} "-" "-"', lines[0]
        )
        assert re.fullmatch(
            r'"127\.0\.0\.1" - - \[[^]]+\] "GET /ok HTTP/1\.1" 200 9 "-" "-"', lines[1]
        )


class ChannelLogFormatterTests:
    """channelLogFormatter, the line for a response the channel sent itself."""

    def test_unknownRequest(self) -> None:
        """Without a request, the request line, referer and user agent are C{"-"}."""
        line = channelLogFormatter("[ts]", IPv4Address("TCP", "10.0.0.1", 80), 408, 73)
        assert line == '"10.0.0.1" - - [ts] "-" 408 73 "-" "-"'

    def test_noHost(self) -> None:
        """An address without a host (UNIX), or none, is logged as C{-}; no body as C{-}."""
        assert channelLogFormatter("[ts]", UNIXAddress("/s"), 400, 0) == (
            '"-" - - [ts] "-" 400 - "-" "-"'
        )
        assert channelLogFormatter("[ts]", None, 400, 5) == '"-" - - [ts] "-" 400 5 "-" "-"'

    def test_withRequest(self) -> None:
        """With a request, its method, target, version and two headers are logged, escaped."""
        request = http.Request(None)
        request.method, request.uri, request.clientproto = b"PUT", b"/\x00", b"HTTP/1.0"
        request.requestHeaders.setRawHeaders(b"user-agent", [b'a"b'])
        line = channelLogFormatter("[ts]", IPv4Address("TCP", "::1", 80), 417, 9, request)
        assert line == '"::1" - - [ts] "PUT /\\x00 HTTP/1.0" 417 9 "-" "a\\"b"'
