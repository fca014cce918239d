# The writing side of HTTP/1.1, sans-IO: functions that turn a status line
# (or request line) and headers into bytes, and a chunked-body encoder.
#
# Nothing here can put a line break where the peer would read the end of a
# header: every head is joined first and then checked as a whole.  The
# joined block must hold exactly one CR and one LF per line we wrote, no
# NUL, and header names must be tokens; otherwise ValueError names the
# offending header.  (Headers already replaces CR, LF and NUL in values;
# this check is the last line of defence for code that builds header lists
# by hand.)  Checking the joined block costs a few C-speed scans instead of
# a Python-level check per header.
#
# The chunked encoder never emits an empty chunk for empty data (that would
# end the body early) and refuses data after the last chunk.
from __future__ import annotations

from collections.abc import Iterable

from torsion.web._httpparse import HTTPParseError

#: RFC 9110 tchar: what a method or a header name is made of.
_TCHAR = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_LAST_CHUNK = b"0\r\n\r\n"


def _checkBlock(block: bytes, lineCount: int, parts: list[bytes]) -> None:
    """
    Check a joined head: only our CRLFs, no NUL, names that are tokens.

    @param block: The joined head, ending with CRLF CRLF.
    @param lineCount: How many CRLFs we wrote into it.
    @param parts: What was joined: the start line with its CRLF, then
        C{name, b": ", value, b"\\r\\n"} per header, then a final CRLF.
    @raise ValueError: Naming the first bad header (or the start line).
    """
    names = parts[1:-1:4]
    if (
        block.count(b"\r") == lineCount
        and block.count(b"\n") == lineCount
        and 0 not in block
        and not b"".join(names).translate(None, _TCHAR)
        and b"" not in names
    ):
        return
    if parts[0].count(b"\r") != 1 or parts[0].count(b"\n") != 1 or 0 in parts[0]:
        raise ValueError(
            f"the start line {parts[0][:-2]!r} contains CR, LF or NUL; "
            "a status reason, method or target must be one line"
        )
    for index in range(1, len(parts) - 1, 4):
        name, value = parts[index], parts[index + 2]
        if not name or name.translate(None, _TCHAR):
            raise ValueError(
                f"invalid header name {name!r}: use a token such as b'Content-Type' "
                "(letters, digits and !#$%&'*+-.^_`|~)"
            )
        if b"\r" in value or b"\n" in value or 0 in value:
            raise ValueError(
                f"the value of header {name!r} contains CR, LF or NUL: {value!r}; "
                "remove them (they would end the header early: header injection)"
            )
    raise AssertionError("unreachable: the check found a problem")  # pragma: no cover


def _encodeHead(startLine: bytes, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """
    Join a start line and headers into a checked head.

    @param startLine: The start line with its CRLF.
    @param headers: (name, value) pairs of bytes.
    @return: The head, ending with CRLF CRLF.
    @raise ValueError: If a name is not a token or a value holds CR, LF or
        NUL, or the start line holds them.
    """
    parts = [startLine]
    for name, value in headers:
        parts += (name, b": ", value, b"\r\n")
    parts.append(b"\r\n")
    block = b"".join(parts)
    _checkBlock(block, (len(parts) - 2) // 4 + 2, parts)
    return block


def encodeResponseHead(
    status: int,
    reason: bytes,
    headers: Iterable[tuple[bytes, bytes]],
    version: bytes = b"HTTP/1.1",
) -> bytes:
    """
    Build a response's status line and header section.

    @param status: The status code, 100 to 999.
    @param reason: The reason phrase, e.g. C{b"OK"} (may be empty).
    @param headers: (name, value) pairs of bytes, in the order to send.
    @param version: C{b"HTTP/1.1"} or C{b"HTTP/1.0"}.
    @return: The head, ending with the empty line that ends it.
    @raise ValueError: If C{status} is out of range, or anything would
        break the head's lines (CR, LF or NUL in the reason or a value, a
        name that is not a token).
    """
    if type(status) is not int or not 100 <= status <= 999:
        raise ValueError(f"an HTTP status code is an int from 100 to 999, not {status!r}")
    return _encodeHead(b"%s %d %s\r\n" % (version, status, reason), headers)


def encodeRequestHead(
    method: bytes,
    target: bytes,
    headers: Iterable[tuple[bytes, bytes]],
    version: bytes = b"HTTP/1.1",
) -> bytes:
    """
    Build a request's request line and header section.

    @param method: E.g. C{b"GET"}; must be a token.
    @param target: E.g. C{b"/index.html?q=1"}; no spaces or control bytes.
    @param headers: (name, value) pairs of bytes, in the order to send;
        an HTTP/1.1 request needs a C{Host} header.
    @param version: C{b"HTTP/1.1"} or C{b"HTTP/1.0"}.
    @return: The head, ending with the empty line that ends it.
    @raise ValueError: If the method is not a token, the target holds a
        space or a control byte, or a header is invalid (see
        L{encodeResponseHead}).
    """
    if not method or method.translate(None, _TCHAR):
        raise ValueError(f"invalid method {method!r}: use a token such as b'GET'")
    if not target or not target.isascii() or any(c <= 0x20 or c == 0x7F for c in target):
        raise ValueError(
            f"invalid request target {target!r}: percent-encode spaces, control "
            "characters and non-ASCII bytes"
        )
    return _encodeHead(b"%s %s %s\r\n" % (method, target, version), headers)


def encodeErrorResponse(error: HTTPParseError) -> bytes:
    """
    Build the whole response a server sends for a parse error, before it
    closes the connection.

    @param error: The error the parser returned.
    @return: A response with the error's status, C{Connection: close}, and
        a plain-text body stating the reason.
    """
    body = f"{error}\n".encode("utf-8", "backslashreplace")
    headers = [
        (b"Content-Type", b"text/plain; charset=utf-8"),
        (b"X-Content-Type-Options", b"nosniff"),
        (b"Content-Length", b"%d" % len(body)),
        (b"Connection", b"close"),
    ]
    return encodeResponseHead(error.status, error.phrase.encode("ascii"), headers) + body


class ChunkedEncoder:
    """
    Frame a body with the chunked transfer coding (RFC 9112 section 7.1).

    Call L{chunk} for each piece of the body and write what it returns;
    call L{lastChunk} once at the end.
    """

    __slots__ = ("finished",)

    def __init__(self) -> None:
        #: Whether L{lastChunk} has been called.
        self.finished = False

    def chunk(self, data: bytes) -> bytes:
        """
        Frame one piece of the body.

        @param data: The piece; may be empty.
        @return: Its chunk (size line, data, CRLF), or C{b""} for empty
            C{data}, since an empty chunk would end the body.
        @raise RuntimeError: If called after L{lastChunk}.
        """
        if self.finished:
            raise RuntimeError(
                "ChunkedEncoder.chunk() called after lastChunk(): the body has ended"
            )
        if not data:
            return b""
        return b"%x\r\n%s\r\n" % (len(data), data)

    def lastChunk(self) -> bytes:
        """
        End the body.

        @return: The last chunk and the empty trailer section,
            C{b"0\\r\\n\\r\\n"}.
        @raise RuntimeError: If called twice.
        """
        if self.finished:
            raise RuntimeError("ChunkedEncoder.lastChunk() called twice")
        self.finished = True
        return _LAST_CHUNK


__all__ = [
    "ChunkedEncoder",
    "encodeErrorResponse",
    "encodeRequestHead",
    "encodeResponseHead",
]
