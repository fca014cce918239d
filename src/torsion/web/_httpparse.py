# A sans-IO HTTP/1.1 parser: bytes in, events out.  No sockets, no reactor,
# no clock, no logging: the server (and the client) feed it what the
# transport received and act on the events it returns.
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
# Pausing: with pauseAfterHead / pauseAfterMessage set, the parser stops
# right after emitting a head (or an EndOfMessage) and keeps every later
# byte, unparsed, until resume() is called; feed() while paused only stores.
# A server sets pauseAfterMessage so that pipelined requests wait until the
# current response is written, and pauses its transport while paused.
#
# How the bytes are scanned (the hot path)
# ----------------------------------------
# A head is found with one bytes.find(b"\r\n\r\n") and cut into lines with
# one split(b"\r\n").  One C-speed check covers the whole head at once:
# translate(None, _CTLS) deletes every control byte, and the head is clean
# when exactly the CRLF separators were deleted (so no NUL, no bare CR or
# LF, no other control character anywhere).  The limits are a few len()s.
#
# Then each field line costs one partition, one lower, one strip and one
# dict lookup: _KNOWN_NAMES says whether the name is a common one (known to
# be a token, so not checked again) and whether the parser interprets it
# (Host, Content-Length, Transfer-Encoding, Connection, Expect).  Other
# names are checked byte by byte in C (translate).  The interpreted headers
# are collected on the side and looked at once the loop is done; a request
# whose only such header is a Host value seen before skips even that.  A
# RequestParser also remembers the last such plain head: a keep-alive
# client that sends the same head bytes again gets a copy of its event
# without any parsing (the bytes are compared, so nothing is trusted).  Two
# small bounded caches (valid Host values, chunk-size lines) spare repeated
# checks of values that come back on every request.
#
# When a check fails, a slow diagnosis walks the lines to name the exact
# problem (with the _BAD_FIELD_START regular expression, which the
# response and trailer paths, not hot, use directly); good input never
# pays for it.  No Python code loops over bytes.
#
# Bytes that do not complete a unit (head, chunk-size line, trailer section)
# wait in a bytearray.  Later feeds are appended to it and searched only
# from where the last search stopped, and limits are checked on the partial
# unit, so a client sending one byte at a time costs O(n) and cannot make
# the parser hold more than the limits allow.  Once a unit is complete the
# buffer is turned into bytes once and parsed on the fast path.  Body bytes
# never wait: each feed's body bytes come out at once as Data slices.
#
# Line endings: only CRLF ends a line.  A bare LF (or bare CR) in a head, a
# chunk-size line or a trailer is a 400: accepting LF where a peer behind us
# does not is how requests are smuggled.
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Final, Generic, TypeAlias, TypeVar

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

_Head = TypeVar("_Head", RequestHead, ResponseHead)

# -- byte classes ------------------------------------------------------------


# -- byte classes ------------------------------------------------------------

#: RFC 9110 tchar: what a method or a header name is made of.
_TCHAR: Final = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Control bytes (everything below 0x20 except HTAB, and DEL).  HTAB is
#: allowed in field values and reason phrases; where it is not (request
#: line, names) the stricter checks catch it.
_CTLS: Final = bytes([*range(0x09), *range(0x0A, 0x20), 0x7F])
_NOT_CTLS: Final = bytes(c for c in range(256) if c not in _CTLS)
#: What a Host value may hold (reg-name, IP literal, port).
_HOST_CHARS: Final = (
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._~!$&'()*+,;=:[]%"
)
_HEXDIGITS: Final = b"0123456789abcdefABCDEF"
_DIGITS: Final = b"0123456789"
#: Methods known to be tokens, to skip the character check.
_COMMON_METHODS: Final = frozenset(
    [b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT", b"TRACE"]
)

#: A field line (after a CRLF) that does not start with "token:".
_BAD_FIELD_START: Final = re.compile(rb"\r\n(?![!#$%&'*+\-.^_`|~0-9A-Za-z]+:)")
#: An LF not preceded by CR.
_BARE_LF: Final = re.compile(rb"(?<!\r)\n")
_VERSION_SHAPE: Final = re.compile(rb"HTTP/[0-9]\.[0-9]")

_HTTP11: Final = b"HTTP/1.1"
_HTTP10: Final = b"HTTP/1.0"
_CRLF: Final = b"\r\n"
_CRLFCRLF: Final = b"\r\n\r\n"
_OWS: Final = b" \t"

#: Biggest Content-Length or chunk size accepted at all (2**63 - 1).
_MAX_LENGTH: Final = 2**63 - 1
#: Empty lines tolerated before a request line (RFC 9112 section 2.2).
_MAX_EMPTY_LINES: Final = 8

_END: Final = EndOfMessage()
_NONE: Final = Framing.NONE
_LENGTH: Final = Framing.LENGTH
_CHUNKED: Final = Framing.CHUNKED
_UNTIL_CLOSE: Final = Framing.UNTIL_CLOSE

#: Lowercased names of the headers the parser itself interprets (1), and of
#: other common headers (0): a name found here is known to be a token, so
#: the per-line check is one dict lookup.  Other names are checked byte by
#: byte (in C).
_KNOWN_NAMES: Final[dict[bytes, int]] = dict.fromkeys(
    b"host content-length transfer-encoding connection expect".split(), 1
) | dict.fromkeys(
    b"""accept accept-charset accept-encoding accept-language authorization cache-control
    content-encoding content-language content-type cookie date dnt forwarded if-match
    if-modified-since if-none-match if-range if-unmodified-since keep-alive origin pragma
    priority proxy-authorization range referer sec-ch-ua sec-ch-ua-mobile sec-ch-ua-platform
    sec-fetch-dest sec-fetch-mode sec-fetch-site sec-fetch-user sec-websocket-extensions
    sec-websocket-key sec-websocket-protocol sec-websocket-version te trailer upgrade
    upgrade-insecure-requests user-agent via x-forwarded-for x-forwarded-host
    x-forwarded-proto x-real-ip x-request-id x-requested-with""".split(),
    0,
)
#: Host values already found valid (a server sees few); bounded, since the
#: values come from clients.
_goodHosts: dict[bytes, None] = {}
_GOOD_HOSTS_LIMIT: Final = 256
#: Chunk-size lines (without extensions) already parsed, and their sizes
#: (never 0); bounded like _goodHosts.
_chunkSizes: dict[bytes, int] = {}
_CHUNK_SIZES_LIMIT: Final = 1024

# Parser states.  The order matters: every state from _S_DEAD on parses
# nothing.
_S_HEAD: Final = 0  # waiting for a head
_S_LENGTH: Final = 1  # in a Content-Length body; _remaining bytes to go
_S_CHUNK_SIZE: Final = 2  # waiting for a chunk-size line
_S_CHUNK_DATA: Final = 3  # in a chunk; _remaining bytes to go
_S_CHUNK_END: Final = 4  # waiting for the CRLF after a chunk's data
_S_TRAILERS: Final = 5  # waiting for the trailer section
_S_UNTIL_CLOSE: Final = 6  # body runs until EOF (responses)
_S_DEAD: Final = 7  # an error was returned
_S_SWITCHED: Final = 8  # no longer HTTP (101, CONNECT); bytes kept raw
_S_CLOSED: Final = 9  # EOF seen and handled

_UNIT_NAMES: Final = {
    _S_HEAD: "head",
    _S_CHUNK_SIZE: "chunk-size line",
    _S_CHUNK_END: "CRLF after chunk data",
    _S_TRAILERS: "trailer section",
}

_Event: TypeAlias = RequestHead | ResponseHead | Data | EndOfMessage | HTTPParseError


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


def _parseLength(values: list[bytes]) -> int | str:
    """
    Interpret the Content-Length field lines of a message.

    Identical repeated values ("5, 5") count as one (RFC 9110 section 8.6);
    anything but digits is an error.

    @return: The length, or the reason it is invalid.
    """
    found: set[bytes] = set()
    for value in values:
        for part in value.split(b","):
            item = part.strip(_OWS)
            if not item or item.translate(None, _DIGITS):
                return f"invalid Content-Length {_show(value)}: it must be decimal digits"
            found.add(item.lstrip(b"0") or b"0")
    if len(found) > 1:
        return "conflicting Content-Length values: " + ", ".join(sorted(map(repr, found)))
    (digits,) = found
    if len(digits) > 19 or int(digits) > _MAX_LENGTH:
        return f"Content-Length {_show(digits)} is too large"
    return int(digits)


def _transferCodings(values: list[bytes]) -> list[bytes]:
    """
    The transfer codings of the Transfer-Encoding field lines, lowercased.
    """
    found = (part.strip(_OWS).lower() for value in values for part in value.split(b","))
    return [coding for coding in found if coding]


def _keepAlive(http11: bool, connection: list[bytes] | None) -> bool:
    """
    Whether a message lets the connection stay open (RFC 9112 section 9.3).
    """
    if connection is None:
        return http11
    if len(connection) == 1:
        only = connection[0].lower()
        if only == b"keep-alive":
            return True
        if only == b"close":
            return False
    tokens = {part.strip(_OWS).lower() for value in connection for part in value.split(b",")}
    return b"close" not in tokens and (http11 or b"keep-alive" in tokens)


# -- the shared machinery ------------------------------------------------------


class _Parser(Generic[_Head]):
    """
    Buffering, pausing, bodies and trailers; subclasses parse the heads.
    """

    #: Whether this parser reads responses: then every error is a 502.
    _responses = False
    #: What the first line is called, for messages.
    _startLine = "request line"

    def __init__(
        self,
        limits: ParserLimits | None = None,
        *,
        pauseAfterHead: bool = False,
        pauseAfterMessage: bool = False,
    ) -> None:
        self.limits = limits = limits if limits is not None else ParserLimits()
        self.pauseAfterHead = pauseAfterHead
        self.pauseAfterMessage = pauseAfterMessage
        self.error: HTTPParseError | None = None
        self._maxLine = limits.maxRequestLineSize
        self._maxCount = limits.maxHeaderCount
        self._maxBytes = limits.maxHeaderBytes
        self._maxBody = limits.maxBodySize
        # Whether known chunk-size lines (at most 16 bytes) may skip checks.
        self._chunkCache = limits.maxBodySize is None and limits.maxChunkLineSize >= 16
        self._state = _S_HEAD
        self._paused = False
        self._eof = False
        # Bytes of an incomplete unit, or bytes that came while paused.
        self._buffer = bytearray()
        # Where the next search in _buffer starts, and the end of the
        # start line in it once found.
        self._scanned = 0
        self._lineEnd = -1
        # While paused (or switched): the data being parsed and where
        # parsing stopped in it.
        self._held = b""
        self._heldPos = 0
        self._remaining = 0
        self._bodySize = 0
        self._emptyLines = 0

    @property
    def paused(self) -> bool:
        """
        Whether the parser stopped at a pause point and waits for
        C{resume()}.
        """
        return self._paused

    @property
    def bufferedByteCount(self) -> int:
        """
        How many received bytes the parser holds unparsed.  A server pauses
        its transport while the parser is paused, so this stays small.
        """
        return len(self._held) - self._heldPos + len(self._buffer)

    def feed(self, data: bytes) -> list[_Head | Data | EndOfMessage | HTTPParseError]:
        """
        Parse received bytes.

        @param data: The bytes, any amount, split anywhere.
        @return: The events they complete, in order; an L{HTTPParseError},
            if any, is last.  While paused, or once dead, nothing.
        @raise RuntimeError: If called after L{feedEOF}.
        """
        if type(data) is not bytes:
            data = bytes(data)
        buffer = self._buffer
        if not buffer and self._state < _S_DEAD and not self._paused and not self._eof:
            # The usual case, inlined: nothing waiting.
            events: list[_Event] = []
            pos = self._parse(data, 0, events)
            if pos == len(data) and self._state < _S_DEAD and not self.paused:
                return events  # type: ignore[return-value]
            return self._afterParse(data, pos, events)  # type: ignore[return-value]
        if self._state >= _S_DEAD or self._paused or self._eof:
            return self._store(data)
        buffer += data
        ready = self._readyOrError()
        if ready is not True:
            return [] if ready is False else [self._die(ready)]
        data = bytes(buffer)
        buffer.clear()
        return self._run(data, 0)  # type: ignore[return-value]

    def resume(self) -> list[_Head | Data | EndOfMessage | HTTPParseError]:
        """
        Leave the paused state and parse the bytes held meanwhile.

        @return: The events those bytes complete (the parser may pause
            again); nothing if it was not paused.
        """
        if not self._paused:
            return []
        self._paused = False
        data, pos = self._held, self._heldPos
        self._held = b""
        self._heldPos = 0
        if pos == len(data) and not self._buffer and not self._eof:
            return []  # Speed: nothing held (the usual keep-alive case)
        if self._buffer:
            data = data[pos:] + self._buffer
            pos = 0
            self._buffer.clear()
        return self._run(data, pos)  # type: ignore[return-value]

    def feedEOF(self) -> list[_Head | Data | EndOfMessage | HTTPParseError]:
        """
        Tell the parser the peer closed (or half-closed) the connection.

        @return: L{EndOfMessage} if the body ran until close; an
            L{HTTPParseError} if a message was cut short; else nothing.
            While paused, the answer comes from L{resume} instead.
        """
        if self._eof:
            return []
        self._eof = True
        events: list[_Event] = []
        if not self._paused:
            self._atEOF(events)
        return events  # type: ignore[return-value]

    # -- the engine ------------------------------------------------------------

    def _store(self, data: bytes) -> list[_Head | Data | EndOfMessage | HTTPParseError]:
        # Feed while not parsing: keep the bytes if they will be parsed (or
        # handed over) later.
        if self._eof:
            raise RuntimeError(
                f"{type(self).__name__}.feed() called after feedEOF(); "
                "make a new parser for a new connection"
            )
        if self._state != _S_DEAD:
            self._buffer += data
        return []

    def _error(self, status: int, reason: str) -> HTTPParseError:
        return HTTPParseError(502 if self._responses else status, reason)

    def _die(self, error: HTTPParseError) -> HTTPParseError:
        self._state = _S_DEAD
        self.error = error
        self._buffer.clear()
        self._held = b""
        return error

    def _atEOF(self, events: list[_Event]) -> None:
        state = self._state
        if state == _S_UNTIL_CLOSE:
            events.append(_END)
            self._state = _S_CLOSED
        elif state == _S_HEAD and not self._buffer:
            self._state = _S_CLOSED
        elif state < _S_DEAD:
            if state in (_S_LENGTH, _S_CHUNK_DATA):
                detail = f"{self._remaining} more body bytes were expected"
            else:
                held = len(self._buffer)
                detail = f"{held} bytes of an incomplete {_UNIT_NAMES[state]} were held"
            events.append(self._die(self._error(400, f"connection closed mid-message: {detail}")))

    def _run(self, data: bytes, pos: int) -> list[_Event]:
        events: list[_Event] = []
        return self._afterParse(data, self._parse(data, pos, events), events)

    def _afterParse(self, data: bytes, pos: int, events: list[_Event]) -> list[_Event]:
        # Keep what _parse left of data: held while paused or switched,
        # buffered (and checked against the limits) if incomplete.
        state = self._state
        if state == _S_DEAD:
            return events
        if self._paused or state == _S_SWITCHED:
            self._held, self._heldPos = data, pos
            return events
        if pos < len(data):
            self._buffer += memoryview(data)[pos:]
            self._scanned = 0
            self._lineEnd = -1
            ready = self._readyOrError()
            if ready is not False:
                assert ready is not True, "_parse stopped on a complete unit"
                events.append(self._die(ready))
                return events
        if self._eof:
            self._atEOF(events)
        return events

    def _readyOrError(self) -> bool | HTTPParseError:
        # Whether the buffered bytes complete a unit (True), are still
        # incomplete but within the limits (False), or break a rule.
        # Searches start where the previous call stopped, so that a peer
        # sending a byte at a time costs linear time.
        buffer = self._buffer
        state = self._state
        start = self._scanned
        size = self._scanned = len(buffer)
        if state in (_S_HEAD, _S_TRAILERS):
            if buffer.startswith(_CRLF) or buffer.find(_CRLFCRLF, max(0, start - 3)) >= 0:
                return True
        elif state == _S_CHUNK_SIZE:
            if buffer.find(_CRLF, max(0, start - 1)) >= 0:
                return True
        elif state == _S_CHUNK_END:
            return size >= 2 or buffer[:1] != b"\r"
        else:
            return True
        if _BARE_LF.search(buffer, start):
            return self._error(
                400,
                f"bare LF in the {_UNIT_NAMES[state]} {_show(buffer)}; lines must end with CRLF",
            )
        if state == _S_CHUNK_SIZE:
            if size - 1 > self.limits.maxChunkLineSize:
                return self._chunkLineTooLong(buffer)
        elif state == _S_TRAILERS:
            if size - 3 > self._maxBytes:
                return self._error(431, f"trailer section over {self._maxBytes} bytes (the limit)")
        else:
            lineEnd = self._lineEnd
            if lineEnd < 0:
                lineEnd = self._lineEnd = buffer.find(_CRLF, max(0, start - 1))
            if lineEnd < 0:
                if size - 1 > self._maxLine:
                    return self._lineTooLong(buffer[: self._maxLine + 1])
            elif size - 3 - lineEnd > self._maxBytes:
                return self._headerTooLarge()
        return False

    def _lineTooLong(self, start: bytes | bytearray) -> HTTPParseError:
        return self._error(
            414,
            f"{self._startLine} over {self._maxLine} bytes (the limit), starting {_show(start)}",
        )

    def _headerTooLarge(self) -> HTTPParseError:
        return self._error(
            431, f"header section over {self._maxBytes} bytes (the limit); send fewer headers"
        )

    def _chunkLineTooLong(self, line: bytes | bytearray) -> HTTPParseError:
        limit = self.limits.maxChunkLineSize
        return self._error(400, f"chunk-size line over {limit} bytes: {_show(line)}")

    def _parseHead(self, head: bytes) -> _Head | HTTPParseError:
        # Parse a head (without its final CRLF CRLF).  If the message has a
        # body, set the body state; leave _S_HEAD if it has none.
        raise NotImplementedError()

    def _parse(self, data: bytes, pos: int, events: list[_Event]) -> int:
        # Parse data[pos:], appending to events; return the position of the
        # first byte not consumed.  Stops when a unit is incomplete, when
        # paused, when switched or when dead.
        end = len(data)
        while pos < end:
            state = self._state
            if state == _S_HEAD:
                if data[pos] == 0x0D and data.startswith(_CRLF, pos):
                    # An empty line before a message (RFC 9112 section 2.2).
                    self._emptyLines += 1
                    if self._emptyLines > _MAX_EMPTY_LINES:
                        reason = f"more than {_MAX_EMPTY_LINES} empty lines between messages"
                        events.append(self._die(self._error(400, reason)))
                        return end
                    pos += 2
                    continue
                headEnd = data.find(_CRLFCRLF, pos)
                if headEnd < 0:
                    return pos
                head = self._parseHead(data[pos:headEnd])
                pos = headEnd + 4
                if type(head) is HTTPParseError:
                    events.append(self._die(head))
                    return end
                events.append(head)
                self._emptyLines = 0
                state = self._state
                if state == _S_HEAD:  # no body
                    events.append(_END)
                    if self.pauseAfterMessage or self.pauseAfterHead:
                        self._paused = True
                        return pos
                elif state == _S_SWITCHED:
                    events.append(_END)
                    return pos
                elif self.pauseAfterHead:
                    self._paused = True
                    return pos
            elif state in (_S_LENGTH, _S_CHUNK_DATA):
                remaining = self._remaining
                if end - pos < remaining:
                    events.append(Data(data[pos:] if pos else data))
                    self._remaining = remaining - (end - pos)
                    return end
                events.append(Data(data[pos : pos + remaining]))
                pos += remaining
                if state == _S_LENGTH:
                    events.append(_END)
                    self._state = _S_HEAD
                    if self.pauseAfterMessage:
                        self._paused = True
                        return pos
                else:
                    self._state = _S_CHUNK_END
            elif state == _S_CHUNK_END:
                if data.startswith(_CRLF, pos):
                    pos += 2
                    self._state = _S_CHUNK_SIZE
                elif end - pos >= 2 or data[pos] != 0x0D:
                    got = _show(data[pos : pos + 2])
                    reason = f"chunk data not followed by CRLF: got {got}"
                    events.append(self._die(self._error(400, reason)))
                    return end
                else:
                    return pos
            elif state == _S_CHUNK_SIZE:
                lineEnd = data.find(_CRLF, pos)
                if lineEnd < 0:
                    return pos
                line = data[pos:lineEnd]
                pos = lineEnd + 2
                length = _chunkSizes.get(line)
                if length is not None and self._chunkCache:
                    # A size line seen before: no need to check it again.
                    if data.startswith(_CRLF, pos + length):
                        # The whole chunk is here: take it in one step.
                        events.append(Data(data[pos : pos + length]))
                        pos += length + 2
                    else:
                        self._remaining = length
                        self._state = _S_CHUNK_DATA
                    continue
                if line == b"0":
                    self._state = _S_TRAILERS
                    continue
                problem = self._chunkSize(line)
                if problem is not None:
                    events.append(self._die(problem))
                    return end
            elif state == _S_TRAILERS:
                if data.startswith(_CRLF, pos):
                    pos += 2
                else:
                    trailersEnd = data.find(_CRLFCRLF, pos)
                    if trailersEnd < 0:
                        return pos
                    problem = self._checkTrailers(_CRLF + data[pos:trailersEnd])
                    pos = trailersEnd + 4
                    if problem is not None:
                        events.append(self._die(problem))
                        return end
                events.append(_END)
                self._state = _S_HEAD
                if self.pauseAfterMessage:
                    self._paused = True
                    return pos
            elif state == _S_UNTIL_CLOSE:
                events.append(Data(data[pos:] if pos else data))
                return end
            else:  # switched: leave the bytes alone
                return pos
        return pos

    def _chunkSize(self, line: bytes) -> HTTPParseError | None:
        # Parse one chunk-size line and set the state for what follows.
        if len(line) > self.limits.maxChunkLineSize:
            return self._chunkLineTooLong(line)
        size, semicolon, extension = line.partition(b";")
        if semicolon:
            size = size.rstrip(_OWS)
            problem = _describeControl(extension, "the chunk extension")
            if problem is not None:
                return self._error(400, problem)
        if not size or size.translate(None, _HEXDIGITS):
            problem = _describeControl(line, "the chunk-size line")
            reason = f"invalid chunk size {_show(line)}: it must be hexadecimal digits"
            return self._error(400, problem or reason)
        if len(size.lstrip(b"0")) > 15:
            return self._error(400, f"chunk size {_show(size)} is too large")
        length = int(size, 16)
        if length == 0:
            self._state = _S_TRAILERS
            return None
        if not semicolon and len(line) <= 16 and len(_chunkSizes) < _CHUNK_SIZES_LIMIT:
            _chunkSizes[line] = length
        self._bodySize += length
        if self._maxBody is not None and self._bodySize > self._maxBody:
            return self._error(413, f"chunked body over {self._maxBody} bytes (the limit)")
        self._remaining = length
        self._state = _S_CHUNK_DATA
        return None

    def _checkTrailers(self, block: bytes) -> HTTPParseError | None:
        # block: CRLF, then the trailer field lines joined by CRLFs.
        count = block.count(_CRLF)
        if len(block) > self._maxBytes:
            return self._error(431, f"trailer section over {self._maxBytes} bytes (the limit)")
        if count > self._maxCount:
            return self._error(431, f"{count} trailer fields, over the limit of {self._maxCount}")
        if _fieldsAreClean(block, count):
            return None
        return self._error(400, _diagnoseFields(block[2:].split(_CRLF), "trailer"))

    def _checkHead(self, head: bytes, lines: list[bytes]) -> HTTPParseError | None:
        # The whole-head checks, in the order their statuses take
        # precedence; the fast path has already seen that one fails, or
        # (for responses) calls this every time.
        startLine = lines[0]
        if len(startLine) > self._maxLine:
            return self._lineTooLong(startLine)
        if len(lines) - 1 > self._maxCount:
            count = len(lines) - 1
            return self._error(431, f"{count} header fields, over the limit of {self._maxCount}")
        if len(head) - len(startLine) > self._maxBytes:
            return self._headerTooLarge()
        problem = _describeControl(startLine, f"the {self._startLine}")
        if problem is not None:
            return self._error(400, problem)
        if not _fieldsAreClean(head, len(lines) - 1):
            return self._error(400, _diagnoseFields(lines[1:], "header"))
        return None

    def _startBody(self, framing: Framing, length: int | None) -> None:
        # Set the state for a body (or none) after a head.
        if framing is _CHUNKED:
            self._state = _S_CHUNK_SIZE
            self._bodySize = 0
        elif framing is _LENGTH:
            if length:
                self._remaining = length
                self._state = _S_LENGTH
        elif framing is _UNTIL_CLOSE:
            self._state = _S_UNTIL_CLOSE


# -- requests ----------------------------------------------------------------


#: Heads longer than this are not remembered for RequestParser's repeat check.
_REPEAT_HEAD_LIMIT = 2048


class RequestParser(_Parser[RequestHead]):
    """
    Parse the requests a client sends on one connection (sans-IO).

    Call L{feed} with each piece of received bytes and act on the events it
    returns: L{RequestHead}, then L{Data} pieces of the body, then
    L{EndOfMessage}; then the next request.  An L{HTTPParseError}, always
    last, means: answer with its C{status} and close the connection.
    Call L{feedEOF} when the client closes.

    To answer pipelined requests one at a time, set C{pauseAfterMessage}:
    the parser stops after each L{EndOfMessage} and keeps what follows
    until L{resume} is called (once the response is written).
    C{pauseAfterHead} stops after each L{RequestHead} instead (after its
    L{EndOfMessage} if it has no body), for a server that decides on a
    request before reading its body.  While L{paused}, L{feed} only stores
    bytes; a server pauses its transport meanwhile.

    @ivar limits: The L{ParserLimits} in force.
    @ivar pauseAfterHead: Whether to pause after each head; may be changed
        at any time, and applies from the next head on.
    @ivar pauseAfterMessage: Whether to pause after each message.
    @ivar error: The L{HTTPParseError} returned, once the parser is dead.
    """

    # The last plain head (no body, nothing interpreted but a known Host):
    # its bytes and its event.
    _repeatHead: bytes | None = None
    _repeatEvent: RequestHead | None = None

    def _parseHead(self, head: bytes) -> RequestHead | HTTPParseError:
        # The hot path: see "How the bytes are scanned" at the top.
        last = self._repeatEvent
        if last is not None and head == self._repeatHead:
            # Speed: a keep-alive client often repeats its head byte for
            # byte; a plain head's event, copied, spares the parse (a
            # plain head changes no parser state).
            return RequestHead(
                last.method, last.target, last.version, list(last.headers), True, False, _NONE, 0
            )
        lines = head.split(_CRLF)
        requestLine = lines[0]
        if (
            len(requestLine) > self._maxLine
            or len(lines) > self._maxCount + 1
            or len(head) - len(requestLine) > self._maxBytes
            or len(head.translate(None, _CTLS)) != len(head) - 2 * len(lines) + 2
        ):
            problem = self._checkHead(head, lines)
            if problem is not None:
                return problem
        del lines[0]
        try:
            method, target, version = requestLine.split(b" ")
        except ValueError:
            return self._badRequestLine(requestLine)
        if version == _HTTP11:
            http11 = True
        elif version == _HTTP10:
            http11 = False
        else:
            return self._badVersion(version)
        if method not in _COMMON_METHODS and (not method or method.translate(None, _TCHAR)):
            return HTTPParseError(400, f"invalid method {_show(method)}: it must be a token")
        # (Membership of an int is much faster than of a bytes here.)
        if not target or not target.isascii() or 0x5C in target or 0x09 in target:
            return HTTPParseError(
                400,
                f"invalid request-target {_show(target)}: it must be printable ASCII "
                "without spaces or backslashes (percent-encode other bytes)",
            )
        headers: list[tuple[bytes, bytes]] = []
        append = headers.append
        kindOf = _KNOWN_NAMES.get
        special = None
        for line in lines:
            name, colon, value = line.partition(b":")
            name = name.lower()
            kind = kindOf(name)
            # A name not known to be a token is checked.
            if (kind is None or not colon) and (
                not colon or not name or name.translate(None, _TCHAR)
            ):
                return HTTPParseError(400, _diagnoseFields(lines, "header"))
            value = value.strip(_OWS)
            if kind:
                if special is None:
                    special = [(name, value)]
                else:
                    special.append((name, value))
            append((name, value))
        if special is None:
            if http11:
                return HTTPParseError(400, "HTTP/1.1 request without a Host header")
            return RequestHead(method, target, version, headers, False, False, _NONE, 0)
        if (
            len(special) == 1
            and http11
            and special[0][0] == b"host"
            and special[0][1] in _goodHosts
        ):
            # Only a known good Host header matters: the usual GET.
            event = RequestHead(method, target, version, headers, True, False, _NONE, 0)
            if len(head) <= _REPEAT_HEAD_LIMIT:
                self._repeatHead = head
                self._repeatEvent = RequestHead(
                    method, target, version, list(headers), True, False, _NONE, 0
                )
            return event
        return self._interpret(method, target, version, http11, headers, special)

    def _badRequestLine(self, line: bytes) -> HTTPParseError:
        parts = line.split(b" ")
        if len(parts) == 2 and parts[1][:1] == b"/":
            reason = f"request line {_show(line)} has no HTTP version (HTTP/0.9 is not supported)"
        else:
            reason = (
                f"malformed request line {_show(line)}: expected METHOD SP TARGET SP HTTP/1.1, "
                "separated by single spaces"
            )
        return HTTPParseError(400, reason)

    def _badVersion(self, version: bytes) -> HTTPParseError:
        if _VERSION_SHAPE.fullmatch(version):
            return HTTPParseError(
                505, f"HTTP version {_show(version)} is not supported; use HTTP/1.1 or HTTP/1.0"
            )
        return HTTPParseError(
            400, f"invalid HTTP version {_show(version)}: expected HTTP/1.1 or HTTP/1.0"
        )

    def _interpret(
        self,
        method: bytes,
        target: bytes,
        version: bytes,
        http11: bool,
        headers: list[tuple[bytes, bytes]],
        special: list[tuple[bytes, bytes]],
    ) -> RequestHead | HTTPParseError:
        # Decide framing, keep-alive and 100-continue from the few headers
        # that matter (RFC 9112 sections 3.2, 6 and 9.3).
        hostCount = 0
        host = b""
        lengths: list[bytes] | None = None
        codings: list[bytes] | None = None
        connection: list[bytes] | None = None
        expect = b""
        for name, value in special:
            if name == b"host":
                hostCount += 1
                host = value
            elif name == b"connection":
                connection = [value] if connection is None else [*connection, value]
            elif name == b"content-length":
                lengths = [value] if lengths is None else [*lengths, value]
            elif name == b"transfer-encoding":
                codings = [value] if codings is None else [*codings, value]
            else:
                expect = value
        if hostCount != 1:
            if hostCount:
                return HTTPParseError(400, f"{hostCount} Host headers; send exactly one")
            if http11:
                return HTTPParseError(400, "HTTP/1.1 request without a Host header")
        elif host not in _goodHosts:
            if host.translate(None, _HOST_CHARS):
                return HTTPParseError(400, f"invalid Host header {_show(host)}")
            if len(_goodHosts) < _GOOD_HOSTS_LIMIT:
                _goodHosts[host] = None
        keepAlive = http11 if connection is None else _keepAlive(http11, connection)
        expectContinue = http11 and expect != b"" and expect.lower() == b"100-continue"
        if codings is not None:
            if lengths is not None:
                return HTTPParseError(
                    400,
                    "both Content-Length and Transfer-Encoding headers: the body length is "
                    "ambiguous (request smuggling); send only one",
                )
            if not http11:
                return HTTPParseError(400, "Transfer-Encoding in an HTTP/1.0 request")
            problem = self._checkCodings(codings)
            if problem is not None:
                return problem
            self._startBody(_CHUNKED, None)
            return RequestHead(
                method, target, version, headers, keepAlive, expectContinue, _CHUNKED, None
            )
        if lengths is not None:
            if len(lengths) == 1 and lengths[0].isdigit() and len(lengths[0]) < 19:
                length: int | str = int(lengths[0])
            else:
                length = _parseLength(lengths)
            if isinstance(length, str):
                return HTTPParseError(400, length)
            if self._maxBody is not None and length > self._maxBody:
                return HTTPParseError(
                    413, f"Content-Length {length} is over the limit of {self._maxBody} bytes"
                )
            self._startBody(_LENGTH, length)
            return RequestHead(
                method, target, version, headers, keepAlive, expectContinue, _LENGTH, length
            )
        return RequestHead(method, target, version, headers, keepAlive, expectContinue, _NONE, 0)

    def _checkCodings(self, values: list[bytes]) -> HTTPParseError | None:
        # RFC 9112 section 6.3: chunked must be the final coding, once; we
        # implement no other coding.
        if len(values) == 1 and values[0].lower() == b"chunked":
            return None
        codings = _transferCodings(values)
        shown = _show(b", ".join(values))
        if not codings or codings[-1] != b"chunked":
            return HTTPParseError(
                400,
                f"Transfer-Encoding {shown} does not end with chunked, so the body length "
                "cannot be determined",
            )
        if codings.count(b"chunked") > 1:
            return HTTPParseError(400, f"Transfer-Encoding {shown} applies chunked more than once")
        if len(codings) > 1:
            return HTTPParseError(
                501,
                f"Transfer-Encoding {shown}: transfer coding {_show(codings[0])} is not "
                "supported (only chunked is)",
            )
        return None


# -- responses ---------------------------------------------------------------


class ResponseParser(_Parser[ResponseHead]):
    """
    Parse the responses a server sends on one connection (sans-IO), for an
    HTTP client.

    Whether a response has a body depends on the request it answers, so
    call L{requestSent} with each request's method, in the order the
    requests were sent, before feeding the bytes of its response.  Events
    are as for L{RequestParser}, with L{ResponseHead} for heads.  Each
    interim 1xx response comes as a L{ResponseHead} (C{informational} set)
    and an L{EndOfMessage}, before the final response to the same request.
    After a response with C{switched} set (101, or 2xx to CONNECT) nothing
    more is parsed; the bytes that followed it are in L{unparsed}.  A body
    without Content-Length or chunked framing runs until L{feedEOF}.

    Errors are L{HTTPParseError} events with status 502 (what a gateway
    answers for a broken upstream response).

    @ivar limits: The L{ParserLimits} in force; C{maxBodySize} applies to
        response bodies, C{maxRequestLineSize} to the status line.
    """

    _responses = True
    _startLine = "status line"

    def __init__(
        self,
        limits: ParserLimits | None = None,
        *,
        pauseAfterHead: bool = False,
        pauseAfterMessage: bool = False,
    ) -> None:
        super().__init__(limits, pauseAfterHead=pauseAfterHead, pauseAfterMessage=pauseAfterMessage)
        self._methods: deque[bytes] = deque()

    def requestSent(self, method: bytes) -> None:
        """
        Record that a request was sent, so that its response can be framed.

        @param method: The request's method, e.g. C{b"HEAD"}.
        """
        self._methods.append(method)

    @property
    def unparsed(self) -> bytes:
        """
        After a switching response: every byte received after it (it
        belongs to the new protocol).  Empty before then.
        """
        if self._state != _S_SWITCHED:
            return b""
        return self._held[self._heldPos :] + bytes(self._buffer)

    def _parseHead(self, head: bytes) -> ResponseHead | HTTPParseError:
        lines = head.split(_CRLF)
        problem = self._checkHead(head, lines)
        if problem is not None:
            return problem
        statusLine = lines.pop(0)
        version, _, rest = statusLine.partition(b" ")
        code = rest[:3]
        if version not in (_HTTP11, _HTTP10):
            return HTTPParseError(
                502,
                f"malformed status line {_show(statusLine)}: expected HTTP/1.1 or HTTP/1.0 "
                "and a status code",
            )
        if len(code) != 3 or code.translate(None, _DIGITS) or rest[3:4] not in (b" ", b""):
            return HTTPParseError(
                502, f"malformed status line {_show(statusLine)}: expected a 3-digit status code"
            )
        if code[0] == 0x30:  # no status class starts with 0
            return HTTPParseError(502, f"invalid status code {_show(code)}")
        if not self._methods:
            return HTTPParseError(502, f"response {_show(statusLine)} to no request")
        headers = [(name.lower(), value.strip(_OWS)) for name, _, value in _partitions(lines)]
        return self._interpret(version, int(code), rest[4:], headers)

    def _interpret(
        self, version: bytes, status: int, reason: bytes, headers: list[tuple[bytes, bytes]]
    ) -> ResponseHead | HTTPParseError:
        # RFC 9112 section 6.3, for responses.
        lengths = [value for name, value in headers if name == b"content-length"]
        codings = [value for name, value in headers if name == b"transfer-encoding"]
        connection = [value for name, value in headers if name == b"connection"]
        keepAlive = _keepAlive(version == _HTTP11, connection or None)
        method = self._methods[0]
        if status < 200 and status != 101:
            return ResponseHead(version, status, reason, headers, keepAlive, _NONE, 0, True)
        self._methods.popleft()
        if status == 101 or (method == b"CONNECT" and status < 300):
            self._state = _S_SWITCHED
            return ResponseHead(version, status, reason, headers, False, _NONE, 0, False, True)
        if method == b"HEAD" or status in (204, 304):
            return ResponseHead(version, status, reason, headers, keepAlive, _NONE, 0)
        if codings:
            if lengths:
                return HTTPParseError(
                    502, "both Content-Length and Transfer-Encoding headers in a response"
                )
            if _transferCodings(codings) != [b"chunked"]:
                return HTTPParseError(
                    502,
                    f"unsupported Transfer-Encoding {_show(b', '.join(codings))} in a response "
                    "(only chunked is supported)",
                )
            self._startBody(_CHUNKED, None)
            return ResponseHead(version, status, reason, headers, keepAlive, _CHUNKED, None)
        if lengths:
            length = _parseLength(lengths)
            if isinstance(length, str):
                return HTTPParseError(502, length)
            if self._maxBody is not None and length > self._maxBody:
                return HTTPParseError(
                    502, f"response Content-Length {length} is over the limit of {self._maxBody}"
                )
            self._startBody(_LENGTH, length)
            return ResponseHead(version, status, reason, headers, keepAlive, _LENGTH, length)
        self._startBody(_UNTIL_CLOSE, None)
        return ResponseHead(version, status, reason, headers, False, _UNTIL_CLOSE, None)


def _partitions(lines: list[bytes]) -> list[tuple[bytes, bytes, bytes]]:
    """
    Each field line split at its first colon.
    """
    return [line.partition(b":") for line in lines]


__all__ = [
    "Data",
    "EndOfMessage",
    "Framing",
    "HTTPParseError",
    "ParserLimits",
    "RequestEvent",
    "RequestHead",
    "RequestParser",
    "ResponseEvent",
    "ResponseHead",
    "ResponseParser",
]
