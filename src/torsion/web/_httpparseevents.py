# The vocabulary of torsion's sans-IO HTTP/1.1 parser: its events, limits
# and errors, and the byte checks that the head parsers (_httpparse) and
# the body engine (_httpparsebody) share.  Callers import all of it from
# torsion.web._httpparse, which re-exports the public names.
#
# Events
# ------
# feed(data) returns a list of events, in wire order:
#
#   RequestHead / ResponseHead   the start line and header section, with the
#                                parser's decisions (keep-alive, 100-continue,
#                                how the body is framed and how long it is)
#   Data                         a piece of the body (never empty)
#   EndOfMessage                 the body is complete (trailers were read,
#                                checked against the limits and dropped)
#   HTTPParseError               the peer sent something invalid; it carries
#                                the status a server answers (400, 413, 414,
#                                431, 501, 505) and a reason naming the
#                                problem.  It is always the last event: the
#                                parser is dead afterwards, and the
#                                connection must be closed once the error is
#                                answered.
#
# Each message is   Head Data* EndOfMessage.   Several messages may come out
# of one feed (pipelining); bytes after a message belong to the next one.
# An error is returned as an event, after the events of the messages before
# it, rather than raised: the server still answers the good requests that
# preceded the bad one, in order.  Only caller mistakes raise.
#
# ParserLimits holds the size limits (every unbounded thing has one) and
# Framing says how a body is delimited; both are fixed per parser.
#
# Checking bytes
# --------------
# Byte classes are translate() tables: b.translate(None, table) deletes the
# bytes of the class, so what is left is what does not belong, at C speed.
# _fieldsAreClean is the fast check of a whole header or trailer section
# (no control byte but the CRLFs, every line starting "token:"); when it
# fails, _diagnoseFields walks the lines to name the exact problem.  Good
# input never pays for the diagnosis.  _show quotes peer bytes, cut short,
# for the messages.
#
# Line endings: only CRLF ends a line.  A bare LF (or bare CR) in a head, a
# chunk-size line or a trailer is a 400: accepting LF where a peer behind us
# does not is how requests are smuggled.
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Final, TypeAlias

# -- limits, framing, events, errors ----------------------------------------


@dataclass(frozen=True, slots=True)
class ParserLimits:
    """
    The size limits a parser enforces; every unbounded thing has one.

    @ivar maxRequestLineSize: Longest request line (or status line) in
        bytes, without its CRLF.  Longer: 414 (URI Too Long).
    @ivar maxHeaderBytes: Largest header section in bytes: the field lines
        with their CRLFs, without the request line.  Larger: 431 (Request
        Header Fields Too Large).  Trailer sections have the same limit.
    @ivar maxHeaderCount: Most field lines in a header section (or trailer
        section).  More: 431.
    @ivar maxBodySize: Longest body in bytes, or L{None} for no limit.
        Longer (a Content-Length over it, or chunks adding up to more):
        413 (Content Too Large).
    @ivar maxChunkLineSize: Longest chunk-size line (size and extensions),
        without its CRLF.  Longer: 400.
    """

    maxRequestLineSize: int = 8192
    maxHeaderBytes: int = 65536
    maxHeaderCount: int = 100
    maxBodySize: int | None = None
    maxChunkLineSize: int = 4096

    def __post_init__(self) -> None:
        for name in ("maxRequestLineSize", "maxHeaderBytes", "maxHeaderCount", "maxChunkLineSize"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"ParserLimits.{name} must be a positive int, not {value!r}")
        body = self.maxBodySize
        if body is not None and (type(body) is not int or body < 0):
            raise ValueError(
                f"ParserLimits.maxBodySize must be None (no limit) or an int >= 0, not {body!r}"
            )


class Framing(Enum):
    """
    How a message's body is delimited (RFC 9112 section 6).
    """

    #: No body at all: a request without Content-Length or
    #: Transfer-Encoding; a response to HEAD; a 1xx, 204 or 304 response.
    NONE = "none"
    #: Exactly C{contentLength} bytes follow (Content-Length).
    LENGTH = "content-length"
    #: Chunked transfer coding; the length is known only at the end.
    CHUNKED = "chunked"
    #: Responses only: the body runs until the server closes the connection.
    UNTIL_CLOSE = "until-close"


@dataclass(slots=True)
class RequestHead:
    """
    Event: a request line and its header section.

    @ivar method: E.g. C{b"GET"}, as sent (methods are case-sensitive).
    @ivar target: The request-target as sent, e.g. C{b"/a?b=c"}; not decoded
        and not normalised (dot-segments and percent-escapes are left for
        the resource layer).
    @ivar version: C{b"HTTP/1.1"} or C{b"HTTP/1.0"}.
    @ivar headers: (name, value) pairs in wire order; names lowercased,
        values with surrounding spaces and tabs removed.
    @ivar keepAlive: Whether the client allows the connection to stay open
        after the response (HTTP/1.1 unless C{Connection: close}; HTTP/1.0
        only with C{Connection: keep-alive}).
    @ivar expectContinue: Whether an HTTP/1.1 client sent C{Expect:
        100-continue} and waits for C{100 Continue} before sending the body.
    @ivar framing: How the body is delimited.
    @ivar contentLength: The body's length in bytes when known in advance
        (0 for L{Framing.NONE}), else L{None}.
    """

    method: bytes
    target: bytes
    version: bytes
    headers: list[tuple[bytes, bytes]]
    keepAlive: bool
    expectContinue: bool
    framing: Framing
    contentLength: int | None


@dataclass(slots=True)
class ResponseHead:
    """
    Event: a status line and its header section.

    @ivar version: C{b"HTTP/1.1"} or C{b"HTTP/1.0"}.
    @ivar status: The status code, 100 to 999.
    @ivar reason: The reason phrase as sent (may be empty).
    @ivar headers: (name, value) pairs in wire order; names lowercased.
    @ivar keepAlive: Whether the connection can carry another request
        after this response.
    @ivar framing: How the body is delimited.
    @ivar contentLength: The body's length in bytes when known in advance,
        else L{None}.
    @ivar informational: Whether this is an interim 1xx response (other than
        101): the final response to the same request follows.
    @ivar switched: Whether the connection stops speaking HTTP after this
        response (101 Switching Protocols, or 2xx to CONNECT); the bytes
        after it are in L{ResponseParser.unparsed}.
    """

    version: bytes
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    keepAlive: bool
    framing: Framing
    contentLength: int | None
    informational: bool = False
    switched: bool = False


@dataclass(slots=True)
class Data:
    """
    Event: a piece of the message body, in order.  Never empty.

    @ivar data: The bytes (chunked framing already removed).
    """

    data: bytes


class EndOfMessage:
    """
    Event: the message (head and whole body) is complete.  Trailers, if
    any, have been checked against the limits and dropped.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is EndOfMessage

    def __hash__(self) -> int:
        return hash(EndOfMessage)

    def __repr__(self) -> str:
        return "EndOfMessage()"


#: Reason phrases for the statuses a parser error can carry.
_PHRASES: Final = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    417: "Expectation Failed",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    505: "HTTP Version Not Supported",
}


class HTTPParseError(Exception):
    """
    The peer sent bytes that are not valid HTTP/1.1, or over a limit.

    It is returned as the last event of L{RequestParser.feed} (or
    L{ResponseParser.feed}); the parser accepts nothing more.  A server
    answers with C{status} and closes the connection.

    @ivar status: The status code to answer: 400, 413, 414, 431, 501 or
        505; 502 for a response a client could not parse.
    @ivar reason: What was wrong, naming the bad value.
    """

    def __init__(self, status: int, reason: str) -> None:
        """
        @param status: The status code to answer.
        @param reason: What was wrong, naming the bad value.
        """
        super().__init__(status, reason)
        self.status = status
        self.reason = reason

    @property
    def phrase(self) -> str:
        """
        The reason phrase of L{status}, e.g. C{"Bad Request"}.
        """
        return _PHRASES.get(self.status, "Error")

    def __str__(self) -> str:
        return f"{self.status} {self.phrase}: {self.reason}"

    def __eq__(self, other: object) -> bool:
        if type(other) is HTTPParseError:
            return (self.status, self.reason) == (other.status, other.reason)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.status, self.reason))


RequestEvent: TypeAlias = RequestHead | Data | EndOfMessage | HTTPParseError
ResponseEvent: TypeAlias = ResponseHead | Data | EndOfMessage | HTTPParseError


# -- byte classes and shared constants ----------------------------------------

#: RFC 9110 tchar: what a method or a header name is made of.
_TCHAR: Final = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Control bytes (everything below 0x20 except HTAB, and DEL).  HTAB is
#: allowed in field values and reason phrases; where it is not (request
#: line, names) the stricter checks catch it.
_CTLS: Final = bytes([*range(0x09), *range(0x0A, 0x20), 0x7F])
_NOT_CTLS: Final = bytes(c for c in range(256) if c not in _CTLS)

#: A field line (after a CRLF) that does not start with "token:".
_BAD_FIELD_START: Final = re.compile(rb"\r\n(?![!#$%&'*+\-.^_`|~0-9A-Za-z]+:)")

_CRLF: Final = b"\r\n"
_CRLFCRLF: Final = b"\r\n\r\n"
_OWS: Final = b" \t"

_END: Final = EndOfMessage()
_NONE: Final = Framing.NONE
_LENGTH: Final = Framing.LENGTH
_CHUNKED: Final = Framing.CHUNKED
_UNTIL_CLOSE: Final = Framing.UNTIL_CLOSE

# -- field checks --------------------------------------------------------------


def _show(value: bytes | bytearray, limit: int = 40) -> str:
    """
    Quote peer bytes for an error message, cut to C{limit} bytes.
    """
    if len(value) > limit:
        return f"{bytes(value[:limit])!r}... ({len(value)} bytes)"
    return repr(bytes(value))


def _describeControl(line: bytes, where: str) -> str | None:
    """
    Name the first forbidden control byte in C{line}, if any.

    @param where: What C{line} is, for the message (e.g. "the request line").
    @return: A reason, or L{None} if C{line} has none.
    """
    bad = line.translate(None, _NOT_CTLS)
    if not bad:
        return None
    byte = bad[0]
    if byte == 0:
        return f"NUL byte in {where} {_show(line)}"
    if byte in b"\r\n":
        kind = "CR" if byte == 0x0D else "LF"
        return f"bare {kind} in {where} {_show(line)}; lines must end with CRLF"
    return f"control character 0x{byte:02x} in {where} {_show(line)}"


def _diagnoseFields(lines: list[bytes], what: str) -> str:
    """
    Name the first invalid field line (slow path, only for bad input).

    @param lines: Field lines, without their CRLFs.
    @param what: "header" or "trailer", for the message.
    @return: The reason.
    """
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            return (
                f"obsolete line folding (a {what} line starting with whitespace) is not "
                f"allowed: {_show(line)}; send each field on one line"
            )
        name, colon, value = line.partition(b":")
        if not colon:
            problem = _describeControl(line, f"{what} line")
            return problem or f"{what} line without a colon: {_show(line)}"
        if not name:
            return f"{what} line with an empty name: {_show(line)}"
        if name[-1:] in (b" ", b"\t"):
            return f"whitespace between the {what} name {_show(name.rstrip())} and the colon"
        problem = _describeControl(name, f"{what} name")
        if problem is not None:
            return problem
        bad = name.translate(None, _TCHAR)
        if bad:
            return f"invalid character {bytes(bad[:1])!r} in {what} name {_show(name)}"
        problem = _describeControl(value, f"the value of {what} {_show(name)}:")
        if problem is not None:
            return problem
    return f"invalid {what} section"  # pragma: no cover - callers found a problem


def _fieldsAreClean(block: bytes, lineCount: int) -> bool:
    """
    The fast check of a section: no control bytes but the CRLFs between
    lines, and every line after a CRLF starts with "token:".

    @param block: The section; its field lines each follow a CRLF.
    @param lineCount: How many CRLFs C{block} should hold.
    """
    return len(block.translate(None, _CTLS)) == len(block) - 2 * lineCount and not (
        _BAD_FIELD_START.search(block)
    )
