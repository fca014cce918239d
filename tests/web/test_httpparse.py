"""
Tests for L{torsion.web._httpparse}: the sans-IO HTTP/1.1 request and
response parsers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.protocols import chunked, cutLists, framingBytes, isSansIO
from torsion.web import _httpparse
from torsion.web._httpencode import ChunkedEncoder, encodeRequestHead, encodeResponseHead
from torsion.web._httpparse import (
    Data,
    EndOfMessage,
    Framing,
    HTTPParseError,
    ParserLimits,
    RequestHead,
    RequestParser,
    ResponseHead,
    ResponseParser,
)

Event = RequestHead | ResponseHead | Data | EndOfMessage | HTTPParseError
END = EndOfMessage()


def merged(events: Sequence[Event]) -> list[Event]:
    """
    C{events} with runs of L{Data} joined into one, since how a body is cut
    into Data events depends on how the bytes arrived.
    """
    result: list[Event] = []
    for event in events:
        if isinstance(event, Data) and result and isinstance(result[-1], Data):
            result[-1] = Data(result[-1].data + event.data)
        else:
            result.append(event)
    return result


def parseRequests(
    *chunks: bytes, limits: ParserLimits | None = None, eof: bool = False
) -> list[Event]:
    """
    Feed C{chunks} to a new L{RequestParser}, then EOF if asked.

    @return: All events, with Data runs merged.
    """
    parser = RequestParser(limits)
    events: list[Event] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    if eof:
        events.extend(parser.feedEOF())
    return merged(events)


def only(events: Sequence[Event]) -> HTTPParseError:
    """
    The single event of C{events}, which must be an error.
    """
    assert len(events) == 1, events
    (error,) = events
    assert isinstance(error, HTTPParseError), events
    return error


def head(events: Sequence[Event], index: int = 0) -> RequestHead:
    """
    The request head at C{events[index]}.
    """
    event = events[index]
    assert isinstance(event, RequestHead), events
    return event


def GET(target: bytes = b"/", *headers: bytes, version: bytes = b"HTTP/1.1") -> bytes:
    """
    A GET request with a Host header and C{headers} (whole lines).
    """
    lines = [b"GET " + target + b" " + version, b"Host: example.com", *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


class RequestTests:
    """
    Valid requests give a head, the body and an end, with the right
    decisions.
    """

    def test_minimalGet(self) -> None:
        """
        A minimal GET gives its method, target, version and headers (names
        lowercased, values stripped), keep-alive, no body, and an end.
        """
        events = parseRequests(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent:  wrk \t\r\n\r\n")
        assert events == [
            RequestHead(
                b"GET",
                b"/",
                b"HTTP/1.1",
                [(b"host", b"x"), (b"user-agent", b"wrk")],
                keepAlive=True,
                expectContinue=False,
                framing=Framing.NONE,
                contentLength=0,
            ),
            END,
        ]

    def test_valuesKeepInnerSpaceAndObsText(self) -> None:
        """
        Values keep inner spaces and tabs and bytes over 0x7F; empty
        values are allowed; repeated names stay in order.
        """
        events = parseRequests(
            GET(b"/", b"X-A: a  b\tc", b"X-Empty:", b"X-Latin: caf\xe9", b"x-a: second")
        )
        assert head(events).headers[1:] == [
            (b"x-a", b"a  b\tc"),
            (b"x-empty", b""),
            (b"x-latin", b"caf\xe9"),
            (b"x-a", b"second"),
        ]

    def test_unusualNamesAndMethods(self) -> None:
        """
        Any token is a valid method or header name; targets in absolute,
        authority and asterisk form are accepted as sent.
        """
        data = (
            b"PROPFIND http://example.com/a?b=%20 HTTP/1.1\r\nHost: example.com\r\n"
            b"X-Odd!#$%&'*+.^_`|~: 1\r\n\r\n"
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
            b"OPTIONS * HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"
        )
        events = parseRequests(data)
        assert [(h.method, h.target) for h in events if isinstance(h, RequestHead)] == [
            (b"PROPFIND", b"http://example.com/a?b=%20"),
            (b"CONNECT", b"example.com:443"),
            (b"OPTIONS", b"*"),
        ]
        assert head(events).headers[1] == (b"x-odd!#$%&'*+.^_`|~", b"1")

    @pytest.mark.parametrize(
        ("version", "connection", "keepAlive"),
        [
            (b"HTTP/1.1", None, True),
            (b"HTTP/1.1", b"close", False),
            (b"HTTP/1.1", b"Upgrade, CLOSE", False),
            (b"HTTP/1.1", b"keep-alive", True),
            (b"HTTP/1.0", None, False),
            (b"HTTP/1.0", b"Keep-Alive", True),
            (b"HTTP/1.0", b"keep-alive, close", False),
        ],
    )
    def test_keepAlive(self, version: bytes, connection: bytes | None, keepAlive: bool) -> None:
        """
        HTTP/1.1 keeps the connection unless C{Connection: close}; HTTP/1.0
        only with C{Connection: keep-alive}.
        """
        extra = [b"Connection: " + connection] if connection is not None else []
        events = parseRequests(GET(b"/", *extra, version=version))
        assert head(events).keepAlive is keepAlive

    def test_http10WithoutHost(self) -> None:
        """
        HTTP/1.0 requests need no Host header.
        """
        events = parseRequests(b"GET / HTTP/1.0\r\n\r\n")
        assert head(events).headers == []
        assert head(events).keepAlive is False

    @pytest.mark.parametrize(
        ("version", "expect", "expected"),
        [
            (b"HTTP/1.1", b"100-continue", True),
            (b"HTTP/1.1", b"100-Continue", True),
            (b"HTTP/1.1", b"something-else", False),
            (b"HTTP/1.0", b"100-continue", False),
        ],
    )
    def test_expectContinue(self, version: bytes, expect: bytes, expected: bool) -> None:
        """
        C{expectContinue} is set for C{Expect: 100-continue} in HTTP/1.1
        requests only; the header stays in the list either way.
        """
        events = parseRequests(GET(b"/", b"Expect: " + expect, version=version))
        assert head(events).expectContinue is expected
        assert (b"expect", expect) in head(events).headers

    def test_contentLengthBody(self) -> None:
        """
        A Content-Length body comes as Data, then the end; bytes after it
        start the next request.
        """
        data = b"POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + GET()
        events = parseRequests(data)
        assert head(events).framing is Framing.LENGTH
        assert head(events).contentLength == 5
        assert events[1:3] == [Data(b"hello"), END]
        assert head(events, 3).method == b"GET"
        assert events[4:] == [END]

    @pytest.mark.parametrize(
        "value", [b"0", b"000", b"5, 5", b" 5 ", b"5,5,5"], ids=["0", "000", "5,5", "ows", "5x3"]
    )
    def test_contentLengthForms(self, value: bytes) -> None:
        """
        Leading zeros and identical repeated values are accepted
        (RFC 9110 section 8.6).
        """
        body = b"" if value.strip(b" 0") == b"" else b"hello"
        events = parseRequests(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + b"\r\n\r\n" + body
        )
        assert head(events).contentLength == len(body)
        assert events[-1] == END

    def test_repeatedContentLengthHeaders(self) -> None:
        """
        Two Content-Length headers with the same value count as one.
        """
        events = parseRequests(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok"
        )
        assert events[1:] == [Data(b"ok"), END]

    def test_chunkedBody(self) -> None:
        """
        A chunked body comes as its data, without sizes, extensions or
        trailers; the framing says chunked and the length is unknown.
        """
        data = (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;name=value\r\nhello\r\n"
            b'1 ; a ; b="c"\r\n \r\n'
            b"00000006\r\nworld!\r\n"
            b"0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
        )
        events = parseRequests(data)
        assert head(events).framing is Framing.CHUNKED
        assert head(events).contentLength is None
        assert events[1:] == [Data(b"hello world!"), END]

    def test_chunkedCodingCaseAndSpaces(self) -> None:
        """
        Transfer codings are case-insensitive and may have spaces around
        them and empty list members.
        """
        events = parseRequests(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , CHUNKED \r\n\r\n0\r\n\r\n"
        )
        assert head(events).framing is Framing.CHUNKED
        assert events[1:] == [END]

    def test_pipelinedInOneFeed(self) -> None:
        """
        Several requests in one feed come out in order.
        """
        data = b"".join(GET(b"/%d" % i) for i in range(16))
        events = parseRequests(data)
        assert [h.target for h in events if isinstance(h, RequestHead)] == [
            b"/%d" % i for i in range(16)
        ]
        assert events.count(END) == 16

    def test_leadingEmptyLines(self) -> None:
        """
        Empty lines before a request line are skipped (RFC 9112 section
        2.2), also when they come alone.
        """
        assert parseRequests(b"\r\n", b"\r\n" + GET(b"/a"), b"\r\n" + GET(b"/b"))[2:] == [
            RequestHead(
                b"GET",
                b"/b",
                b"HTTP/1.1",
                [(b"host", b"example.com")],
                True,
                False,
                Framing.NONE,
                0,
            ),
            END,
        ]

    def test_dataEventsAreNotCopiedWhole(self) -> None:
        """
        A feed holding only body bytes comes out as a Data event of the
        very same bytes object.
        """
        parser = RequestParser()
        parser.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        piece = b"0123456789"
        (event,) = parser.feed(piece)[:1]
        assert isinstance(event, Data)
        assert event.data is piece

    def test_bytearrayAndMemoryviewInput(self) -> None:
        """
        Bytes-like input is accepted and events hold bytes.
        """
        parser = RequestParser()
        events = parser.feed(bytearray(GET()))  # type: ignore[arg-type]
        events += parser.feed(memoryview(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1"))  # type: ignore[arg-type]
        events += parser.feed(memoryview(b"\r\n\r\nz"))  # type: ignore[arg-type]
        assert type(head(events).method) is bytes
        assert events[-2:] == [Data(b"z"), END]

    def test_sansIO(self) -> None:
        """
        The parser imports nothing that does I/O.
        """
        assert isSansIO(_httpparse)


def req(*lines: bytes, body: bytes = b"") -> bytes:
    """
    A request from its lines (request line first), CRLF-joined.
    """
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


POST_CHUNKED = (b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: chunked")

#: (id, bytes, status, regular expression the reason must match).
BAD_REQUESTS: list[tuple[str, bytes, int, str]] = [
    # request line
    ("double-space", b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^malformed request line"),
    ("extra-part", b"GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", 400, r"^malformed request line"),
    ("http09", b"GET /\r\n\r\n", 400, r"has no HTTP version \(HTTP/0\.9"),
    ("tab-separator", b"GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^malformed request line"),
    ("lowercase-version", b"GET / http/1.1\r\nHost: x\r\n\r\n", 400, r"^invalid HTTP version"),
    ("version-junk", b"GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400, r"^invalid HTTP version"),
    ("http2", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, r"HTTP/2\.0.*not supported"),
    ("http12", b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, r"HTTP/1\.2.*not supported"),
    ("bad-method", b"G(ET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^invalid method b'G\(ET'"),
    ("backslash", b"GET /a\\..\\b HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^invalid request-target"),
    ("non-ascii", b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^invalid request-t"),
    ("nul-target", b"GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^NUL byte in the reque"),
    ("del-target", b"GET /a\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^control character 0x7f"),
    ("cr-in-line", b"GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", 400, r"^bare CR in the request"),
    # header syntax
    ("obs-fold", req(b"GET / HTTP/1.1", b"Host: x", b"X-A: a", b" b"), 400, r"^obsolete line"),
    ("obs-fold-tab", req(b"GET / HTTP/1.1", b"Host: x", b"\tX-A: a"), 400, r"^obsolete line"),
    ("first-fold", req(b"GET / HTTP/1.1", b" Host: x"), 400, r"^obsolete line folding"),
    ("space-before-colon", req(b"GET / HTTP/1.1", b"Host : x"), 400, r"^whitespace between"),
    ("tab-before-colon", req(b"GET / HTTP/1.1", b"Host\t: x"), 400, r"^whitespace between"),
    ("no-colon", req(b"GET / HTTP/1.1", b"Host: x", b"NoColon"), 400, r"without a colon"),
    ("known-no-colon", req(b"GET / HTTP/1.1", b"Host: x", b"accept"), 400, r"without a colon"),
    ("empty-name", req(b"GET / HTTP/1.1", b"Host: x", b": v"), 400, r"with an empty name"),
    ("bad-name", req(b"GET / HTTP/1.1", b"Host: x", b"X@Y: v"), 400, r"'@' in header name"),
    ("latin-name", req(b"GET / HTTP/1.1", b"Host: x", b"X\xe9: v"), 400, r"in header name"),
    ("nul-value", req(b"GET / HTTP/1.1", b"Host: x", b"X: a\x00b"), 400, r"^NUL byte in the v"),
    ("ctl-value", req(b"GET / HTTP/1.1", b"Host: x", b"X: a\x01"), 400, r"^control character 0x01"),
    ("del-value", req(b"GET / HTTP/1.1", b"Host: x", b"X: a\x7f"), 400, r"^control character 0x7f"),
    ("bare-cr", req(b"GET / HTTP/1.1", b"Host: x", b"X: a\rb"), 400, r"^bare CR in the value"),
    ("bare-lf", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\nY: b\r\n\r\n", 400, r"^bare LF in the value"),
    ("lf-only", b"GET / HTTP/1.1\nHost: x\n\n", 400, r"^bare LF in the head"),
    # Host
    ("no-host", req(b"GET / HTTP/1.1", b"X: y"), 400, r"^HTTP/1\.1 request without a Host"),
    ("no-headers", req(b"GET / HTTP/1.1"), 400, r"^HTTP/1\.1 request without a Host"),
    ("two-hosts", req(b"GET / HTTP/1.1", b"Host: a", b"Host: b"), 400, r"^2 Host headers"),
    ("two-hosts-10", req(b"GET / HTTP/1.0", b"Host: a", b"Host: a"), 400, r"^2 Host headers"),
    ("bad-host", req(b"GET / HTTP/1.1", b"Host: a b"), 400, r"^invalid Host header b'a b'"),
    ("host-slash", req(b"GET / HTTP/1.1", b"Host: a/b"), 400, r"^invalid Host header"),
    # Content-Length
    ("cl-plus", req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: +5"), 400, r"^invalid Co"),
    ("cl-minus", req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: -5"), 400, r"^invalid C"),
    ("cl-hex", req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 0x5"), 400, r"^invalid C"),
    ("cl-empty", req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length:"), 400, r"^invalid Con"),
    ("cl-space", req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 1 2"), 400, r"^invalid"),
    ("cl-list", req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 5, 6"), 400, r"^conflict"),
    (
        "cl-two",
        req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 5", b"Content-Length: 6"),
        400,
        r"^conflicting Content-Length values: b'5', b'6'$",
    ),
    (
        "cl-huge",
        req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 99999999999999999999"),
        400,
        r"^Content-Length b'99999999999999999999' is too large$",
    ),
    # Transfer-Encoding
    (
        "cl-and-te",
        req(*POST_CHUNKED, b"Content-Length: 5"),
        400,
        r"^both Content-Length and Transfer-Encoding.*smuggling",
    ),
    (
        "te-and-cl",
        req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 0", b"Transfer-Encoding: chunked"),
        400,
        r"^both Content-Length and Transfer-Encoding",
    ),
    (
        "xchunked",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: xchunked"),
        400,
        r"does not end with chunked",
    ),
    (
        "te-chunked-gzip",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: chunked, gzip"),
        400,
        r"does not end with chunked",
    ),
    (
        "gzip-only",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: gzip"),
        400,
        r"does not end with chunked",
    ),
    (
        "te-empty",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding:"),
        400,
        r"does not end with chunked",
    ),
    (
        "te-param",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: chunked;q=1"),
        400,
        r"does not end with chunked",
    ),
    (
        "te-chunked-twice",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: chunked, chunked"),
        400,
        r"chunked more than once",
    ),
    ("te-twice", req(*POST_CHUNKED, b"Transfer-Encoding: chunked"), 400, r"chunked more than once"),
    (
        "gzip-chunked",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: gzip, chunked"),
        501,
        r"coding b'gzip' is not supported",
    ),
    (
        "te-http10",
        req(b"POST / HTTP/1.0", b"Transfer-Encoding: chunked"),
        400,
        r"^Transfer-Encoding in an HTTP/1\.0 request$",
    ),
    (
        "te-space-colon",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding : chunked"),
        400,
        r"^whitespace between",
    ),
    (
        "te-vtab",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: \x0bchunked"),
        400,
        r"^control character 0x0b",
    ),
    (
        "te-folded",
        req(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding:", b" chunked"),
        400,
        r"^obsolete line folding",
    ),
    # chunks
    ("chunk-not-hex", req(*POST_CHUNKED, body=b"zz\r\n"), 400, r"^invalid chunk size b'zz'"),
    ("chunk-negative", req(*POST_CHUNKED, body=b"-1\r\n"), 400, r"^invalid chunk size"),
    ("chunk-0x", req(*POST_CHUNKED, body=b"0x5\r\n"), 400, r"^invalid chunk size"),
    ("chunk-space", req(*POST_CHUNKED, body=b" 5\r\n"), 400, r"^invalid chunk size"),
    ("chunk-trailing-space", req(*POST_CHUNKED, body=b"5 \r\n"), 400, r"^invalid chunk size"),
    ("chunk-empty", req(*POST_CHUNKED, body=b"\r\n"), 400, r"^invalid chunk size b''"),
    ("chunk-overflow", req(*POST_CHUNKED, body=b"ffffffffffffffffff\r\n"), 400, r"is too large$"),
    (
        "chunk-ext-lf",
        req(*POST_CHUNKED, body=b"5;a\nb\r\nhello\r\n"),
        400,
        r"^bare LF in the chunk extension",
    ),
    (
        "chunk-ext-nul",
        req(*POST_CHUNKED, body=b"5;a\x00\r\nhello\r\n"),
        400,
        r"^NUL byte in the chunk",
    ),
    (
        "chunk-size-lf",
        req(*POST_CHUNKED, body=b"5\nhello\r\n0\r\n\r\n"),
        400,
        r"^bare LF in the chunk-size line",
    ),
    (
        "chunk-no-crlf",
        req(*POST_CHUNKED, body=b"3\r\nabcX\r\n"),
        400,
        r"^chunk data not followed by CRLF: got b'X\\r'",
    ),
    (
        "chunk-lf-only",
        req(*POST_CHUNKED, body=b"3\r\nabc\n0\r\n\r\n"),
        400,
        r"^chunk data not followed by CRLF",
    ),
    (
        "trailer-fold",
        req(*POST_CHUNKED, body=b"0\r\nX: a\r\n b\r\n\r\n"),
        400,
        r"^obsolete line folding \(a trailer line",
    ),
    (
        "trailer-no-colon",
        req(*POST_CHUNKED, body=b"0\r\nbad\r\n\r\n"),
        400,
        r"^trailer line without a colon",
    ),
    (
        "trailer-nul",
        req(*POST_CHUNKED, body=b"0\r\nX: \x00\r\n\r\n"),
        400,
        r"^NUL byte in the value of trailer",
    ),
]


class BadRequestTests:
    """
    Invalid requests give one L{HTTPParseError} with the right status and
    a reason naming the problem; the parser is dead afterwards.
    """

    @pytest.mark.parametrize(
        ("name", "data", "status", "reason"),
        [pytest.param(*case, id=case[0]) for case in BAD_REQUESTS],
    )
    def test_rejected(self, name: str, data: bytes, status: int, reason: str) -> None:
        """
        The bad input, whole, gives the error as its last event.  An error
        in the head comes alone: no head of a bad request reaches the
        server.  An error in a chunked body comes after the head and the
        data before the bad spot.  The parser is dead afterwards.
        """
        parser = RequestParser()
        events = parser.feed(data)
        error = events[-1]
        assert isinstance(error, HTTPParseError), events
        assert error.status == status
        assert re.search(reason, error.reason), error.reason
        if name.startswith(("chunk-", "trailer-")):
            assert isinstance(events[0], RequestHead)
            assert all(isinstance(e, Data) for e in events[1:-1]), events
        else:
            assert events == [error]
        assert parser.error is error
        assert parser.feed(GET()) == []
        assert parser.feedEOF() == []

    @pytest.mark.parametrize(
        ("data", "status", "reason"),
        [
            pytest.param(data, status, reason, id=name)
            for name, data, status, reason in BAD_REQUESTS
        ],
    )
    def test_rejectedByteByByte(self, data: bytes, status: int, reason: str) -> None:
        """
        The same input fed one byte at a time gives an error with the same
        status.  The reason is the same, unless the problem shows earlier
        in a partial line: a bare LF is then seen before the line is
        complete, and a bad byte after chunk data before a second one
        arrives.
        """
        events = parseRequests(*(data[i : i + 1] for i in range(len(data))), eof=True)
        error = events[-1]
        assert isinstance(error, HTTPParseError), events
        assert error.status == status
        early = ("bare LF in the", "chunk data not followed by CRLF: got b'X'")
        assert re.search(reason, error.reason) or error.reason.startswith(early), error.reason

    def test_errorAfterGoodRequests(self) -> None:
        """
        A bad request after good ones in the same feed comes after their
        events, so they can be answered first.
        """
        events = parseRequests(GET(b"/1") + GET(b"/2") + b"BAD\r\n\r\n" + GET(b"/3"))
        assert [type(e).__name__ for e in events] == [
            "RequestHead",
            "EndOfMessage",
            "RequestHead",
            "EndOfMessage",
            "HTTPParseError",
        ]

    def test_errorMessage(self) -> None:
        """
        The error's str gives the status, its phrase and the reason.
        """
        error = only(parseRequests(b"GET / HTTP/2.0\r\n\r\n"))
        assert str(error) == (
            "505 HTTP Version Not Supported: HTTP version b'HTTP/2.0' is not supported; "
            "use HTTP/1.1 or HTTP/1.0"
        )
        assert repr(error) == f"HTTPParseError(505, {error.reason!r})"

    def test_longValuesCutInMessages(self) -> None:
        """
        Bad values are quoted in messages cut to 40 bytes, with the length.
        """
        error = only(parseRequests(req(b"GET / HTTP/1.1", b"Host: " + b"a " * 100)))
        assert error.reason == (
            "invalid Host header b'a a a a a a a a a a a a a a a a a a a a '... (199 bytes)"
        )

    def test_tooManyEmptyLines(self) -> None:
        """
        More than 8 empty lines before a request is an error, whole or
        byte by byte.
        """
        assert only(parseRequests(b"\r\n" * 9 + GET())).reason == (
            "more than 8 empty lines between messages"
        )
        assert only(parseRequests(*[b"\r", b"\n"] * 9)).status == 400


#: Request smuggling attempts (CL/TE desync and friends): none may frame a
#: body differently from a strict peer, so all are refused.
SMUGGLING = [
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"0\r\n\r\nG",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
    b"8\r\nSMUGGLED\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: cow\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;\n\r\nxx\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n 5\r\n\r\nhello",
    b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\nContent-Length: 5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\nhello",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\x00\r\n\r\n",
]


@pytest.mark.parametrize("data", SMUGGLING, ids=[f"s{i}" for i in range(len(SMUGGLING))])
def test_smugglingRejected(data: bytes) -> None:
    """
    Every smuggling attempt is refused with a 4xx/5xx before any head of a
    request with an ambiguous body is given to the server.
    """
    parser = RequestParser()
    events = parser.feed(data) + parser.feedEOF()
    assert events, data
    assert isinstance(events[-1], HTTPParseError), events
    assert events[-1].status in (400, 501), events[-1]
    assert not any(isinstance(e, Data) for e in events), events


class LimitTests:
    """
    Every unbounded thing has a limit, enforced on complete and on partial
    input.
    """

    def test_requestLineTooLong(self) -> None:
        """
        A request line over the limit is a 414, whole or still incomplete
        (no CRLF yet), and no more is buffered.
        """
        limits = ParserLimits(maxRequestLineSize=20)
        whole = parseRequests(GET(b"/" + b"a" * 30), limits=limits)
        assert only(whole).status == 414
        assert only(whole).reason.startswith("request line over 20 bytes (the limit), starting b")
        parser = RequestParser(limits)
        assert parser.feed(b"GET /" + b"a" * 15) == []
        assert only(parser.feed(b"aaa")).status == 414
        assert parser.bufferedByteCount == 0

    def test_requestLineAtLimit(self) -> None:
        """
        A request line exactly at the limit is accepted.
        """
        line = b"GET /" + b"a" * 6 + b" HTTP/1.1"
        assert len(line) == 20
        events = parseRequests(line + b"\r\nHost: x\r\n\r\n", limits=ParserLimits(20))
        assert head(events).target == b"/aaaaaa"

    def test_defaultLimits(self) -> None:
        """
        The defaults: 8 KiB request line, 64 KiB and 100 header fields,
        no body limit, 4 KiB chunk-size lines.
        """
        assert ParserLimits() == ParserLimits(8192, 65536, 100, None, 4096)
        assert only(parseRequests(GET(b"/" + b"a" * 8192))).status == 414
        assert head(parseRequests(GET(b"/" + b"a" * 8100))).target == b"/" + b"a" * 8100

    def test_tooManyHeaders(self) -> None:
        """
        More header fields than the limit is a 431; the limit itself is
        fine.
        """
        limits = ParserLimits(maxHeaderCount=3)
        assert head(parseRequests(GET(b"/", b"A: 1", b"B: 2"), limits=limits)).target == b"/"
        error = only(parseRequests(GET(b"/", b"A: 1", b"B: 2", b"C: 3"), limits=limits))
        assert (error.status, error.reason) == (431, "4 header fields, over the limit of 3")
        assert only(parseRequests(GET(b"/", *[b"A: 1"] * 100))).status == 431

    def test_headerSectionTooLarge(self) -> None:
        """
        A header section over the byte limit is a 431, whole or still
        incomplete.
        """
        limits = ParserLimits(maxHeaderBytes=50)
        assert only(parseRequests(GET(b"/", b"X: " + b"a" * 40), limits=limits)).status == 431
        parser = RequestParser(limits)
        assert parser.feed(b"GET / HTTP/1.1\r\nX: " + b"a" * 40) == []
        error = only(parser.feed(b"a" * 20))
        assert error.status == 431
        assert error.reason.startswith("header section over 50 bytes (the limit)")

    def test_bodyTooLarge(self) -> None:
        """
        With maxBodySize, a Content-Length over it is a 413 before any
        body is read, and chunks adding up to more are a 413.
        """
        limits = ParserLimits(maxBodySize=5)
        error = only(
            parseRequests(req(b"POST / HTTP/1.1", b"Host: x", b"Content-Length: 6"), limits=limits)
        )
        assert (error.status, error.reason) == (
            413,
            "Content-Length 6 is over the limit of 5 bytes",
        )
        events = parseRequests(req(*POST_CHUNKED, body=b"3\r\nabc\r\n3\r\n"), limits=limits)
        assert events[1] == Data(b"abc")
        assert events[2] == HTTPParseError(413, "chunked body over 5 bytes (the limit)")
        ok = parseRequests(
            req(*POST_CHUNKED, body=b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), limits=limits
        )
        assert ok[1:] == [Data(b"abcde"), END]

    def test_chunkLineTooLong(self) -> None:
        """
        A chunk-size line over the limit (extensions included) is a 400,
        whole or still incomplete.
        """
        limits = ParserLimits(maxChunkLineSize=10)
        whole = parseRequests(req(*POST_CHUNKED, body=b"1;" + b"x" * 20 + b"\r\n"), limits=limits)
        error = whole[-1]
        assert isinstance(error, HTTPParseError)
        assert error.status == 400
        assert error.reason.startswith("chunk-size line over 10 bytes")
        parser = RequestParser(limits)
        parser.feed(req(*POST_CHUNKED) + b"1;xxxxxxxx")
        assert only(parser.feed(b"xx")).status == 400

    def test_trailersLimited(self) -> None:
        """
        Trailer sections have the header limits: too many fields or too
        many bytes is a 431.
        """
        limits = ParserLimits(maxHeaderCount=2, maxHeaderBytes=40)
        many = parseRequests(
            req(
                *POST_CHUNKED[:2],
                b"Transfer-Encoding: chunked",
                body=b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
            ),
            limits=limits,
        )
        assert many[-1] == HTTPParseError(431, "3 trailer fields, over the limit of 2")
        big = parseRequests(
            req(*POST_CHUNKED, body=b"0\r\nA: " + b"a" * 50 + b"\r\n\r\n"), limits=limits
        )
        assert big[-1] == HTTPParseError(431, "trailer section over 40 bytes (the limit)")
        parser = RequestParser(limits)
        parser.feed(req(*POST_CHUNKED, body=b"0\r\nA: "))
        assert only(parser.feed(b"a" * 50)).status == 431

    def test_byteByByteNearTheLimits(self) -> None:
        """
        A head close to the default limits (60 KiB of headers after an 8 KiB
        request line), fed one byte at a time, parses: the partial input is
        searched only where new bytes arrived, so this stays linear (a
        parser that rescanned its buffer would copy gigabytes here).
        """
        target = b"/" + b"a" * 8000
        data = GET(target, *[b"X-%d: %s" % (i, b"v" * 600) for i in range(99)])
        assert 60_000 < len(data) - len(target) < 65_536
        parser = RequestParser()
        events: list[Event] = []
        for i in range(len(data)):
            events.extend(parser.feed(data[i : i + 1]))
        assert head(events).target == target
        assert len(head(events).headers) == 100

    def test_emptyFeeds(self) -> None:
        """
        Feeding no bytes gives no events, in any state.
        """
        parser = RequestParser()
        assert parser.feed(b"") == []
        parser.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
        assert parser.feed(b"") == []
        assert parser.feed(b"ok") == [Data(b"ok"), END]
        parser.feed(b"GET")
        assert parser.feed(b"") == []

    def test_bareLFSeenEarly(self) -> None:
        """
        A bare LF in an incomplete head is refused at once, without waiting
        for a limit.
        """
        parser = RequestParser()
        assert parser.feed(b"GET / HTTP/1.1") == []
        assert only(parser.feed(b"\nHost: x\n")).reason.startswith("bare LF in the head")

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("maxRequestLineSize", 0),
            ("maxHeaderBytes", -1),
            ("maxHeaderCount", 1.5),
            ("maxChunkLineSize", None),
        ],
    )
    def test_invalidLimits(self, name: str, value: object) -> None:
        """
        Limits must be positive ints; the error names the field and value.
        """
        with pytest.raises(ValueError, match=rf"^ParserLimits\.{name} must be a positive int, "):
            ParserLimits(**{name: value})  # type: ignore[arg-type]

    def test_invalidBodyLimit(self) -> None:
        """
        maxBodySize is None or an int >= 0.
        """
        assert ParserLimits(maxBodySize=0).maxBodySize == 0
        with pytest.raises(ValueError, match=r"^ParserLimits\.maxBodySize must be None"):
            ParserLimits(maxBodySize=-1)


class RepeatedHeadTests:
    """
    A head repeated byte for byte (keep-alive clients do) gives the same
    event as parsing it again, as an independent copy.
    """

    def test_repeatedHeadEqual(self) -> None:
        """
        The second of two identical plain GETs gives an event equal to the
        first's.
        """
        events = parseRequests(GET(b"/a", b"User-Agent: x") * 2)
        assert [type(e) for e in events] == [RequestHead, EndOfMessage] * 2
        assert head(events, 2) == head(events, 0)
        assert head(events, 2).headers == [(b"host", b"example.com"), (b"user-agent", b"x")]

    def test_repeatedHeadIndependent(self) -> None:
        """
        Changing the headers of one event does not change the next event
        for the same bytes.
        """
        parser = RequestParser()
        first = head(parser.feed(GET(b"/a")))
        first.headers.append((b"x-added", b"1"))
        second = head(parser.feed(GET(b"/a")))
        third = head(parser.feed(GET(b"/a")))
        second.headers.clear()
        assert head(parser.feed(GET(b"/a"))).headers == [(b"host", b"example.com")]
        assert third.headers == [(b"host", b"example.com")]

    def test_differentHeadParsed(self) -> None:
        """
        A head that differs from the last one, even only in case, is parsed
        in full: a body-framing header after a plain head is honoured.
        """
        parser = RequestParser()
        parser.feed(GET(b"/a"))
        events = parser.feed(
            b"POST /a HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nhi"
        )
        assert head(events).framing is Framing.LENGTH
        assert merged(events)[1] == Data(b"hi")
        assert head(parser.feed(GET(b"/a"))).framing is Framing.NONE

    def test_repeatedErrorStillError(self) -> None:
        """
        A bad head after a good one is rejected, whatever was remembered.
        """
        parser = RequestParser()
        parser.feed(GET(b"/a"))
        error = only(parser.feed(b"GET /a HTTP/1.1\r\nHost: example.com\r\nBad Name: x\r\n\r\n"))
        assert error.status == 400


class PauseTests:
    """
    Pausing holds later bytes until L{RequestParser.resume}.
    """

    def test_pauseAfterMessage(self) -> None:
        """
        With pauseAfterMessage, pipelined requests come out one per
        resume; bytes fed while paused are kept.
        """
        parser = RequestParser(pauseAfterMessage=True)
        events = parser.feed(GET(b"/1") + GET(b"/2") + GET(b"/3")[:10])
        assert [type(e) for e in events] == [RequestHead, EndOfMessage]
        assert parser.paused
        assert parser.feed(GET(b"/3")[10:]) == []
        assert parser.bufferedByteCount == len(GET(b"/2") + GET(b"/3"))
        assert head(parser.resume()).target == b"/2"
        assert head(parser.resume()).target == b"/3"
        assert parser.paused
        assert parser.resume() == []
        assert not parser.paused
        assert parser.resume() == []

    def test_pauseAfterMessageWithBody(self) -> None:
        """
        The pause comes after the body's end, not after the head.
        """
        parser = RequestParser(pauseAfterMessage=True)
        body = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
        events = parser.feed(body + GET(b"/next"))
        assert events[1:] == [Data(b"hi"), END]
        assert head(parser.resume()).target == b"/next"

    def test_pauseAfterHead(self) -> None:
        """
        With pauseAfterHead, the body waits until resume; a request without
        a body pauses after its end.
        """
        parser = RequestParser(pauseAfterHead=True)
        data = (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi" + GET(b"/2") + GET(b"/3")
        )
        assert [type(e) for e in parser.feed(data)] == [RequestHead]
        assert parser.resume() == [Data(b"hi"), END, *parseRequests(GET(b"/2"))]
        assert parser.paused
        assert parser.resume() == parseRequests(GET(b"/3"))

    def test_pauseFlagsChangeable(self) -> None:
        """
        The pause flags may be changed between feeds.
        """
        parser = RequestParser()
        assert len(parser.feed(GET() + GET())) == 4
        parser.pauseAfterMessage = True
        assert len(parser.feed(GET() + GET())) == 2
        parser.pauseAfterMessage = False
        assert len(parser.resume()) == 2

    def test_eofWhilePaused(self) -> None:
        """
        EOF while paused is reported by resume, after the held requests.
        """
        parser = RequestParser(pauseAfterMessage=True)
        parser.feed(GET(b"/1") + GET(b"/2") + b"GET /3")
        assert parser.feedEOF() == []
        assert head(parser.resume()).target == b"/2"
        error = only(parser.resume())
        assert (
            error.reason == "connection closed mid-message: 6 bytes of an incomplete head were held"
        )

    def test_cleanEOFWhilePaused(self) -> None:
        """
        EOF after complete requests, while paused, ends quietly.
        """
        parser = RequestParser(pauseAfterMessage=True)
        parser.feed(GET(b"/1"))
        assert parser.feedEOF() == []
        assert parser.resume() == []


class EOFTests:
    """
    L{RequestParser.feedEOF} tells a clean close from a cut-off request.
    """

    def test_cleanClose(self) -> None:
        """
        EOF between requests gives nothing.
        """
        assert parseRequests(GET(), eof=True) == parseRequests(GET())
        assert parseRequests(eof=True) == []

    def test_midHead(self) -> None:
        """
        EOF inside a head is an error saying how much was held.
        """
        error = only(parseRequests(b"GET / HT", eof=True))
        assert error == HTTPParseError(
            400, "connection closed mid-message: 8 bytes of an incomplete head were held"
        )

    def test_midBody(self) -> None:
        """
        EOF inside a body is an error saying how many bytes were missing.
        """
        events = parseRequests(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", eof=True
        )
        assert events[-1] == HTTPParseError(
            400, "connection closed mid-message: 7 more body bytes were expected"
        )

    def test_midChunks(self) -> None:
        """
        EOF between chunks is an error too.
        """
        events = parseRequests(req(*POST_CHUNKED, body=b"3\r\nabc\r\n"), eof=True)
        assert events[-1] == HTTPParseError(
            400, "connection closed mid-message: 0 bytes of an incomplete chunk-size line were held"
        )

    def test_feedAfterEOF(self) -> None:
        """
        Feeding after EOF is a mistake of the caller, and says so.
        """
        parser = RequestParser()
        parser.feedEOF()
        assert parser.feedEOF() == []
        with pytest.raises(RuntimeError, match=r"^RequestParser\.feed\(\) called after feedEOF"):
            parser.feed(GET())


class EventTests:
    """
    The event and error classes.
    """

    def test_endOfMessage(self) -> None:
        """
        All EndOfMessage instances are equal, hash alike and show as
        C{EndOfMessage()}.
        """
        assert EndOfMessage() == END
        assert EndOfMessage() != Data(b"")
        assert hash(EndOfMessage()) == hash(END)
        assert repr(END) == "EndOfMessage()"

    def test_errorEquality(self) -> None:
        """
        Errors are equal when status and reason are, and keep both.
        """
        error = HTTPParseError(431, "too big")
        assert error == HTTPParseError(431, "too big")
        assert error != HTTPParseError(400, "too big")
        assert error != "too big"
        assert hash(error) == hash(HTTPParseError(431, "too big"))
        assert (error.status, error.reason, error.phrase) == (
            431,
            "too big",
            "Request Header Fields Too Large",
        )
        assert HTTPParseError(599, "x").phrase == "Error"


class ResponseTests:
    """
    L{ResponseParser} frames responses by status, method and headers.
    """

    def parse(self, methods: Sequence[bytes], *chunks: bytes, eof: bool = False) -> list[Event]:
        """
        Feed C{chunks} to a new parser after recording C{methods}.
        """
        parser = ResponseParser()
        for method in methods:
            parser.requestSent(method)
        events: list[Event] = []
        for chunk in chunks:
            events.extend(parser.feed(chunk))
        if eof:
            events.extend(parser.feedEOF())
        return merged(events)

    def test_contentLength(self) -> None:
        """
        A response with Content-Length gives its head, body and end.
        """
        events = self.parse([b"GET"], b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
        assert events == [
            ResponseHead(
                b"HTTP/1.1", 200, b"OK", [(b"content-length", b"3")], True, Framing.LENGTH, 3
            ),
            Data(b"abc"),
            END,
        ]

    def test_chunked(self) -> None:
        """
        A chunked response gives its data without the framing.
        """
        events = self.parse(
            [b"GET"],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
        )
        assert events[1:] == [Data(b"ab"), END]

    def test_untilClose(self) -> None:
        """
        Without framing headers the body runs until EOF, and the
        connection will not be kept.
        """
        events = self.parse([b"GET"], b"HTTP/1.1 200 OK\r\n\r\nab", b"cd", eof=True)
        assert isinstance(events[0], ResponseHead)
        assert (events[0].framing, events[0].keepAlive) == (Framing.UNTIL_CLOSE, False)
        assert events[1:] == [Data(b"abcd"), END]

    @pytest.mark.parametrize(
        ("method", "status"), [(b"HEAD", 200), (b"GET", 204), (b"GET", 304), (b"HEAD", 404)]
    )
    def test_noBody(self, method: bytes, status: int) -> None:
        """
        Responses to HEAD, and 204 and 304 responses, have no body whatever
        their headers say; the next response follows at once.
        """
        first = b"HTTP/1.1 %d X\r\nContent-Length: 50\r\n\r\n" % status
        events = self.parse(
            [method, b"GET"], first + b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"
        )
        assert [type(e) for e in events] == [
            ResponseHead,
            EndOfMessage,
            ResponseHead,
            Data,
            EndOfMessage,
        ]

    def test_informational(self) -> None:
        """
        Interim 1xx responses come before the final one to the same
        request, each with an end.
        """
        events = self.parse(
            [b"POST"],
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
            b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
        )
        heads = [e for e in events if isinstance(e, ResponseHead)]
        assert [(h.status, h.informational) for h in heads] == [
            (100, True),
            (103, True),
            (201, False),
        ]
        assert events.count(END) == 3

    def test_switchingProtocols(self) -> None:
        """
        After 101 the parser stops; the bytes after it are unparsed and
        later feeds add to them.
        """
        parser = ResponseParser()
        parser.requestSent(b"GET")
        assert parser.unparsed == b""
        events = parser.feed(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00"
        )
        assert isinstance(events[0], ResponseHead)
        assert events[0].switched
        assert events[1:] == [END]
        assert parser.feed(b"more") == []
        assert parser.unparsed == b"\x81\x00more"

    def test_connectTunnel(self) -> None:
        """
        A 2xx answer to CONNECT switches to the tunnel.
        """
        parser = ResponseParser()
        parser.requestSent(b"CONNECT")
        events = parser.feed(b"HTTP/1.1 200 OK\r\n\r\nraw")
        assert isinstance(events[0], ResponseHead)
        assert events[0].switched
        assert parser.unparsed == b"raw"

    def test_pipelinedResponses(self) -> None:
        """
        Responses to pipelined requests are framed in request order.
        """
        data = (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"
        )
        events = self.parse([b"GET", b"HEAD", b"GET"], data)
        heads = [e for e in events if isinstance(e, ResponseHead)]
        assert [(h.framing, h.keepAlive) for h in heads] == [
            (Framing.LENGTH, True),
            (Framing.NONE, True),
            (Framing.LENGTH, True),
        ]

    @pytest.mark.parametrize(
        ("line", "reason"),
        [
            (b"HTTP/1.1 200", b""),
            (b"HTTP/1.1 200 ", b""),
            (b"HTTP/1.1 404 Not  Found\xe9", b"Not  Found\xe9"),
        ],
    )
    def test_statusLineForms(self, line: bytes, reason: bytes) -> None:
        """
        The reason phrase may be empty or missing, and may hold spaces and
        bytes over 0x7F.
        """
        events = self.parse([b"GET"], line + b"\r\nContent-Length: 0\r\n\r\n")
        assert isinstance(events[0], ResponseHead)
        assert events[0].reason == reason

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (
                b"HTTP/1.1 2000 OK\r\n\r\n",
                r"^malformed status line b'HTTP/1.1 2000 OK': expected a 3",
            ),
            (b"HTTP/1.1 20 OK\r\n\r\n", r"^malformed status line"),
            (b"HTTP/1.1 abc OK\r\n\r\n", r"^malformed status line"),
            (b"HTTP/1.1 099 OK\r\n\r\n", r"^invalid status code b'099'$"),
            (b"HTTP/2 200 OK\r\n\r\n", r"^malformed status line b'HTTP/2 200 OK': expected HTTP/1"),
            (b"ICY 200 OK\r\n\r\n", r"^malformed status line"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                r"^both",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                r"^unsupported Transfer-Encoding",
            ),
            (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", r"^invalid Content-Length"),
            (b"HTTP/1.1 200 OK\r\nX : y\r\n\r\n", r"^whitespace between"),
            (b"HTTP/1.1 200 O\x00K\r\n\r\n", r"^NUL byte in the status line"),
        ],
    )
    def test_badResponses(self, data: bytes, reason: str) -> None:
        """
        Invalid responses are 502 errors naming the problem.
        """
        error = only(self.parse([b"GET"], data))
        assert error.status == 502
        assert re.search(reason, error.reason), error.reason

    def test_responseWithoutRequest(self) -> None:
        """
        A response when no request is outstanding is an error.
        """
        error = only(self.parse([], b"HTTP/1.1 200 OK\r\n\r\n"))
        assert error == HTTPParseError(502, "response b'HTTP/1.1 200 OK' to no request")

    def test_responseLimits(self) -> None:
        """
        The limits apply to responses, always as 502.
        """
        parser = ResponseParser(ParserLimits(maxRequestLineSize=10, maxBodySize=3))
        parser.requestSent(b"GET")
        error = only(parser.feed(b"HTTP/1.1 200 OK OK OK\r\n\r\n"))
        assert error.status == 502
        assert error.reason.startswith("status line over 10 bytes")
        parser = ResponseParser(ParserLimits(maxBodySize=3))
        parser.requestSent(b"GET")
        assert only(parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")).status == 502

    def test_cutShort(self) -> None:
        """
        EOF inside a framed body is an error.
        """
        events = self.parse([b"GET"], b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", eof=True)
        assert events[-1] == HTTPParseError(
            502, "connection closed mid-message: 2 more body bytes were expected"
        )


# -- property-based tests --------------------------------------------------------

tokens = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-!#$%&'*+.^_`|~",
    min_size=1,
    max_size=12,
).map(str.encode)
fieldValues = st.binary(max_size=30).map(
    lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F).strip(b" \t")
)
targets = st.text("abcxyz0123/?=&%-._~", min_size=0, max_size=20).map(lambda t: b"/" + t.encode())
bodies = st.binary(max_size=300)


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, list[Event]]:
    """
    One valid request (Content-Length, chunked, or no body) as bytes, with
    the events it must give.
    """
    method = draw(st.sampled_from([b"GET", b"POST", b"PUT", b"PATCH", b"X-CUSTOM"]))
    target = draw(targets)
    extra = draw(
        st.lists(
            st.tuples(tokens, fieldValues).filter(
                lambda field: (
                    field[0].lower()
                    not in (
                        b"host",
                        b"content-length",
                        b"transfer-encoding",
                        b"connection",
                        b"expect",
                    )
                )
            ),
            max_size=6,
        )
    )
    body = draw(bodies)
    framing = draw(st.sampled_from([Framing.NONE, Framing.LENGTH, Framing.CHUNKED]))
    headers = [(b"Host", b"example.com"), *extra]
    if framing is Framing.NONE:
        body = b""
    elif framing is Framing.LENGTH:
        headers.append((b"Content-Length", b"%d" % len(body)))
    else:
        headers.append((b"Transfer-Encoding", b"chunked"))
    data = encodeRequestHead(method, target, headers)
    if framing is Framing.CHUNKED:
        encoder = ChunkedEncoder()
        sizes = draw(st.lists(st.integers(1, 64), max_size=8))
        rest = body
        for size in sizes:
            data += encoder.chunk(rest[:size])
            rest = rest[size:]
        data += encoder.chunk(rest)
        if draw(st.booleans()):
            data += b"0;ext=1\r\nX-Trailer: t\r\n\r\n"
        else:
            data += encoder.lastChunk()
    else:
        data += body
    expected: list[Event] = [
        RequestHead(
            method,
            target,
            b"HTTP/1.1",
            [(name.lower(), value) for name, value in headers],
            True,
            False,
            framing,
            None if framing is Framing.CHUNKED else len(body),
        )
    ]
    if body:
        expected.append(Data(body))
    expected.append(END)
    return data, expected


#: Input built from pieces of real requests and stray delimiters, so that
#: random input reaches the body, chunk and trailer states.
requestPieces = st.lists(
    st.sampled_from(
        [
            b"GET / HTTP/1.1\r\n",
            b"POST /x HTTP/1.0\r\n",
            b"Host: x\r\n",
            b"Transfer-Encoding: chunked\r\n",
            b"Content-Length: 5\r\n",
            b"Connection: close\r\n",
            b"X: y\r\n",
            b"\r\n",
            b"5\r\n",
            b"3;a=b\r\n",
            b"0\r\n",
            b"ff\r\n",
            b"hello",
            b"\n",
            b"\r",
            b" ",
            b":",
            b"\x00",
        ]
    ),
    max_size=30,
).map(b"".join)


class PropertyTests:
    """
    Properties that hold for every input.
    """

    @settings(max_examples=300)
    @given(requestPieces, cutLists, st.booleans(), st.booleans())
    def test_piecesAnySplitAnyPause(
        self, data: bytes, cuts: list[int], pauseAfterHead: bool, pauseAfterMessage: bool
    ) -> None:
        """
        Input made of request pieces gives the same events whole as split
        anywhere and resumed after every pause (an error, if any, with the
        same status: split input can show a problem earlier, with another
        reason).
        """
        whole = parseRequests(data, eof=True)
        parser = RequestParser(pauseAfterHead=pauseAfterHead, pauseAfterMessage=pauseAfterMessage)
        events: list[Event] = []
        for chunk in chunked(data, cuts):
            events.extend(parser.feed(chunk))
            while parser.paused:
                events.extend(parser.resume())
        events.extend(parser.feedEOF())
        while parser.paused:
            events.extend(parser.resume())
        events = merged(events)
        assert [type(e) for e in whole] == [type(e) for e in events]
        if whole and isinstance(whole[-1], HTTPParseError):
            assert isinstance(events[-1], HTTPParseError)
            assert whole[-1].status == events[-1].status
            whole, events = whole[:-1], events[:-1]
        assert whole == events

    @given(st.lists(requests(), min_size=1, max_size=4), cutLists)
    def test_anySplitSameEvents(
        self, messages: list[tuple[bytes, list[Event]]], cuts: list[int]
    ) -> None:
        """
        Pipelined requests with all framings give the expected events
        however the byte stream is split.
        """
        data = b"".join(message for message, _ in messages)
        expected = [event for _, events in messages for event in events]
        assert parseRequests(*chunked(data, cuts), eof=True) == expected

    @given(st.lists(requests(), min_size=1, max_size=3), cutLists)
    def test_pausedAnySplit(
        self, messages: list[tuple[bytes, list[Event]]], cuts: list[int]
    ) -> None:
        """
        With both pauses on and a resume after every feed, the events are
        the same.
        """
        data = b"".join(message for message, _ in messages)
        expected = [event for _, events in messages for event in events]
        parser = RequestParser(pauseAfterHead=True, pauseAfterMessage=True)
        events: list[Event] = []
        for chunk in chunked(data, cuts):
            events.extend(parser.feed(chunk))
            while parser.paused:
                events.extend(parser.resume())
        assert merged(events) == expected

    @settings(max_examples=300)
    @given(framingBytes, cutLists)
    def test_garbageNeverRaises(self, data: bytes, cuts: list[int]) -> None:
        """
        Arbitrary bytes give events or one final HTTPParseError, never an
        exception, and the parser holds no more than the limits allow.
        """
        limits = ParserLimits(maxRequestLineSize=64, maxHeaderBytes=128, maxChunkLineSize=16)
        parser = RequestParser(limits)
        events: list[Event] = []
        for chunk in chunked(data, cuts):
            events.extend(parser.feed(chunk))
            assert parser.bufferedByteCount <= 64 + 128 + 8
        events.extend(parser.feedEOF())
        assert all(
            isinstance(e, RequestHead | Data | EndOfMessage | HTTPParseError) for e in events
        )
        errors = [e for e in events if isinstance(e, HTTPParseError)]
        assert errors in ([], events[-1:])
        assert all(400 <= e.status <= 505 for e in errors)

    @settings(max_examples=200)
    @given(requests(), st.integers(0, 10_000), framingBytes)
    def test_corruptedRequests(
        self, message: tuple[bytes, list[Event]], at: int, junk: bytes
    ) -> None:
        """
        A valid request with junk inserted anywhere gives the same events
        whole or byte by byte; if it is an error, with the same status (its
        reason may differ: byte by byte, some problems show before their
        line is complete).
        """
        data, _ = message
        at %= len(data) + 1
        corrupted = data[:at] + junk + data[at:]
        whole = parseRequests(corrupted, eof=True)
        byteByByte = parseRequests(*(corrupted[i : i + 1] for i in range(len(corrupted))), eof=True)
        assert [type(e) for e in whole] == [type(e) for e in byteByByte]
        if whole and isinstance(whole[-1], HTTPParseError):
            assert isinstance(byteByByte[-1], HTTPParseError)
            assert whole[-1].status == byteByByte[-1].status
            whole, byteByByte = whole[:-1], byteByByte[:-1]
        assert whole == byteByByte

    @given(
        st.integers(200, 599),
        st.binary(max_size=20).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F)),
        bodies,
        st.booleans(),
        cutLists,
    )
    def test_responseRoundTrip(
        self, status: int, reason: bytes, body: bytes, useChunks: bool, cuts: list[int]
    ) -> None:
        """
        A response written with the encoding helpers parses back to the
        same status, reason, headers and body.
        """
        if useChunks:
            headers = [(b"Transfer-Encoding", b"chunked")]
            encoder = ChunkedEncoder()
            framed = encoder.chunk(body) + encoder.lastChunk()
        else:
            headers = [(b"Content-Length", b"%d" % len(body))]
            framed = body
        if status in (204, 304):
            # No body, whatever the headers say.
            body = framed = b""
        wire = encodeResponseHead(status, reason, headers) + framed
        parser = ResponseParser()
        parser.requestSent(b"GET")
        events: list[Event] = []
        for chunk in chunked(wire, cuts):
            events.extend(parser.feed(chunk))
        first = events[0]
        assert isinstance(first, ResponseHead)
        assert (first.status, first.reason, first.headers) == (
            status,
            reason,
            [(name.lower(), value) for name, value in headers],
        )
        assert b"".join(e.data for e in events if isinstance(e, Data)) == body
        assert events[-1] == END
