# A sans-IO HTTP/1.1 parser: bytes in, events out.  No sockets, no reactor,
# no clock, no logging: the server (and the client) feed it what the
# transport received and act on the events it returns.
#
# This module parses heads: RequestParser (for servers) and ResponseParser
# (for clients).  It is also the one callers import from: it re-exports the
# events, limits and errors (defined, with the events' order and the byte
# checks, in _httpparseevents).  The buffering, pausing and body framing
# both parsers share is their base class, _Parser, in _httpparsebody.
#
# How a head is scanned (the hot path)
# ------------------------------------
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
# small bounded caches (valid Host values here, chunk-size lines in
# _httpparsebody) spare repeated checks of values that come back on every
# request.
#
# When a check fails, a slow diagnosis walks the lines to name the exact
# problem (with the _BAD_FIELD_START regular expression, which the
# response and trailer paths, not hot, use directly); good input never
# pays for it.  No Python code loops over bytes.
#
# The names the hot path uses are imported into this module's globals
# (from-imports), so looking them up costs what it did when everything was
# defined here.
from __future__ import annotations

import re
from collections import deque
from typing import Final

from torsion.python._publish import publish
from torsion.web._httpparsebody import _S_SWITCHED, _Parser
from torsion.web._httpparseevents import (
    _CHUNKED,
    _CRLF,
    _CTLS,
    _LENGTH,
    _NONE,
    _OWS,
    _TCHAR,
    _UNTIL_CLOSE,
    Data,
    EndOfMessage,
    Framing,
    HTTPParseError,
    ParserLimits,
    RequestEvent,
    RequestHead,
    ResponseEvent,
    ResponseHead,
    _diagnoseFields,
    _show,
)

#: What a Host value may hold (reg-name, IP literal, port).
_HOST_CHARS: Final = (
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._~!$&'()*+,;=:[]%"
)
_DIGITS: Final = b"0123456789"
#: Methods known to be tokens, to skip the character check.
_COMMON_METHODS: Final = frozenset(
    [b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT", b"TRACE"]
)
_VERSION_SHAPE: Final = re.compile(rb"HTTP/[0-9]\.[0-9]")

_HTTP11: Final = b"HTTP/1.1"
_HTTP10: Final = b"HTTP/1.0"

#: Biggest Content-Length accepted at all (2**63 - 1).
_MAX_LENGTH: Final = 2**63 - 1

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

# -- header values -------------------------------------------------------------


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

# The events, limits and errors keep naming this module as their home (in
# reprs, pickles and Failure.check), as before they moved out of it.
publish(globals())
