"""
Tests for L{torsion.web._httpencode}: writing heads and chunked bodies.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols import isSansIO
from torsion.web import _httpencode
from torsion.web._httpencode import (
    ChunkedEncoder,
    encodeErrorResponse,
    encodeRequestHead,
    encodeResponseHead,
)
from torsion.web._httpparse import Data, EndOfMessage, HTTPParseError, RequestParser


class EncodeHeadTests:
    """
    L{encodeResponseHead} and L{encodeRequestHead} write heads and refuse
    anything that would break a line.
    """

    def test_responseHead(self) -> None:
        """
        A status line, one line per header in order, and an empty line.
        """
        head = encodeResponseHead(
            200, b"OK", [(b"Content-Type", b"text/html"), (b"Set-Cookie", b"a=1; b")]
        )
        assert head == (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: a=1; b\r\n\r\n")

    def test_responseHeadNoHeaders(self) -> None:
        """
        Without headers and with an empty reason, the head is the status
        line and the empty line; the version can be chosen.
        """
        assert encodeResponseHead(204, b"", [], b"HTTP/1.0") == b"HTTP/1.0 204 \r\n\r\n"

    def test_requestHead(self) -> None:
        """
        A request line and the headers.
        """
        head = encodeRequestHead(b"GET", b"/a?b=c", [(b"Host", b"example.com")])
        assert head == b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n"

    @pytest.mark.parametrize(
        "value", [b"a\r\nSet-Cookie: evil=1", b"a\rb", b"a\nb", b"a\x00b", b"\r\n"]
    )
    def test_injectionRefused(self, value: bytes) -> None:
        """
        A value holding CR, LF or NUL is refused, naming the header.
        """
        with pytest.raises(
            ValueError, match=r"^the value of header b'X-Evil' contains CR, LF or NUL: "
        ):
            encodeResponseHead(200, b"OK", [(b"X-Ok", b"fine"), (b"X-Evil", value)])
        with pytest.raises(ValueError, match=r"header injection\)$"):
            encodeRequestHead(b"GET", b"/", [(b"X-Evil", value)])

    @pytest.mark.parametrize("name", [b"", b"X Y", b"X:Y", b"X\r\nY", b"X\x00"])
    def test_badNameRefused(self, name: bytes) -> None:
        """
        A header name that is not a token is refused.
        """
        with pytest.raises(ValueError, match=r"^invalid header name "):
            encodeResponseHead(200, b"OK", [(name, b"v")])

    def test_badReasonRefused(self) -> None:
        """
        A reason phrase with a line break or NUL is refused.
        """
        for reason in (b"OK\r\nX: y", b"O\x00K"):
            with pytest.raises(ValueError, match=r"^the start line .* contains CR, LF or NUL"):
                encodeResponseHead(200, reason, [])

    @pytest.mark.parametrize("status", [99, 1000, "200", 200.0])
    def test_badStatusRefused(self, status: object) -> None:
        """
        Status codes are ints from 100 to 999.
        """
        with pytest.raises(ValueError, match=r"^an HTTP status code is an int from 100 to 999"):
            encodeResponseHead(status, b"OK", [])  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("method", "target", "message"),
        [
            (b"G ET", b"/", r"^invalid method b'G ET'"),
            (b"", b"/", r"^invalid method b''"),
            (b"GET", b"/a b", r"^invalid request target b'/a b'"),
            (b"GET", b"/a\r\n", r"^invalid request target"),
            (b"GET", b"/caf\xc3\xa9", r"^invalid request target"),
            (b"GET", b"", r"^invalid request target"),
        ],
    )
    def test_badRequestLineRefused(self, method: bytes, target: bytes, message: str) -> None:
        """
        The method must be a token and the target printable ASCII.
        """
        with pytest.raises(ValueError, match=message):
            encodeRequestHead(method, target, [])

    @given(
        st.lists(
            st.tuples(
                st.sampled_from([b"X-A", b"Host", b"Content-Type"]),
                st.binary(max_size=20),
            ),
            max_size=5,
        )
    )
    def test_neverInjects(self, headers: list[tuple[bytes, bytes]]) -> None:
        """
        Whatever the values, the encoder either refuses them or writes a
        head whose lines are exactly the start line and one per header.
        """
        try:
            head = encodeResponseHead(200, b"OK", headers)
        except ValueError:
            assert any(set(value) & {0x0D, 0x0A, 0x00} for _, value in headers)
        else:
            assert head.count(b"\r\n") == len(headers) + 2
            assert head.count(b"\n") == len(headers) + 2

    def test_sansIO(self) -> None:
        """
        The encoder imports nothing that does I/O.
        """
        assert isSansIO(_httpencode)


class ErrorResponseTests:
    """
    L{encodeErrorResponse} builds what a server sends for a parse error.
    """

    def test_errorResponse(self) -> None:
        """
        The response carries the status and phrase, closes the connection,
        and states the reason in a plain-text body of the declared length.
        """
        error = HTTPParseError(431, "7 header fields, over the limit of 5")
        response = encodeErrorResponse(error)
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.split(b"\r\n") == [
            b"HTTP/1.1 431 Request Header Fields Too Large",
            b"Content-Type: text/plain; charset=utf-8",
            b"X-Content-Type-Options: nosniff",
            b"Content-Length: %d" % len(body),
            b"Connection: close",
        ]
        assert body == (
            b"431 Request Header Fields Too Large: 7 header fields, over the limit of 5\n"
        )


class ChunkedEncoderTests:
    """
    L{ChunkedEncoder} frames body pieces as chunks.
    """

    def test_chunks(self) -> None:
        """
        Each piece becomes a hex size line, the data and CRLF; the last
        chunk ends the body.
        """
        encoder = ChunkedEncoder()
        assert encoder.chunk(b"hello") == b"5\r\nhello\r\n"
        assert encoder.chunk(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"
        assert not encoder.finished
        assert encoder.lastChunk() == b"0\r\n\r\n"
        assert encoder.finished

    def test_emptyPieceWritesNothing(self) -> None:
        """
        An empty piece gives no bytes, since an empty chunk would end the
        body.
        """
        assert ChunkedEncoder().chunk(b"") == b""

    def test_afterLastChunk(self) -> None:
        """
        Chunks after the last one, or a second last chunk, are refused.
        """
        encoder = ChunkedEncoder()
        encoder.lastChunk()
        with pytest.raises(RuntimeError, match=r"^ChunkedEncoder\.chunk\(\) called after lastCh"):
            encoder.chunk(b"x")
        with pytest.raises(RuntimeError, match=r"^ChunkedEncoder\.lastChunk\(\) called twice$"):
            encoder.lastChunk()

    @given(st.lists(st.binary(max_size=100), max_size=10))
    def test_roundTrip(self, pieces: list[bytes]) -> None:
        """
        Encoded pieces parse back to the same body.
        """
        encoder = ChunkedEncoder()
        wire = encodeRequestHead(
            b"POST", b"/", [(b"Host", b"x"), (b"Transfer-Encoding", b"chunked")]
        )
        wire += b"".join(encoder.chunk(piece) for piece in pieces) + encoder.lastChunk()
        events = RequestParser().feed(wire)
        assert b"".join(e.data for e in events if isinstance(e, Data)) == b"".join(pieces)
        assert events[-1] == EndOfMessage()
