# The engine under torsion's HTTP/1.1 parsers: _Parser, which
# RequestParser and ResponseParser (in _httpparse) subclass.  It buffers,
# finds where each unit ends, frames bodies (Content-Length, chunked,
# until close), reads and checks trailers, pauses, and handles EOF; the
# subclasses only parse heads (_parseHead), then call _startBody to say
# how the body that follows is framed.
#
# States
# ------
# _state says what the next bytes are: a head, Content-Length body bytes,
# a chunk-size line, chunk data, the CRLF after a chunk, a trailer section,
# or a body that runs until the connection closes.  From _S_DEAD on
# nothing is parsed: the parser returned an error, the connection stopped
# speaking HTTP (101, CONNECT: the bytes are kept raw for the new
# protocol), or EOF was handled.  _parse is one loop over these states.
#
# Pausing: with pauseAfterHead / pauseAfterMessage set, the parser stops
# right after emitting a head (or an EndOfMessage) and keeps every later
# byte, unparsed, until resume() is called; feed() while paused only stores.
# A server sets pauseAfterMessage so that pipelined requests wait until the
# current response is written, and pauses its transport while paused.
#
# Buffering
# ---------
# Bytes that do not complete a unit (head, chunk-size line, trailer section)
# wait in a bytearray.  Later feeds are appended to it and searched only
# from where the last search stopped, and limits are checked on the partial
# unit, so a client sending one byte at a time costs O(n) and cannot make
# the parser hold more than the limits allow.  Once a unit is complete the
# buffer is turned into bytes once and parsed on the fast path.  Body bytes
# never wait: each feed's body bytes come out at once as Data slices.
#
# Chunked bodies: a chunk-size line is one find(CRLF); a small bounded
# cache of size lines already parsed (without extensions) lets a size seen
# before skip its checks, and a chunk that is all in the buffer comes out
# in one step.  The last chunk's trailer section gets the header limits and
# checks, then is dropped.
from __future__ import annotations

import re
from typing import Final, Generic, TypeAlias, TypeVar

from torsion.web._httpparseevents import (
    _CHUNKED,
    _CRLF,
    _CRLFCRLF,
    _END,
    _LENGTH,
    _OWS,
    _UNTIL_CLOSE,
    Data,
    EndOfMessage,
    Framing,
    HTTPParseError,
    ParserLimits,
    RequestHead,
    ResponseHead,
    _describeControl,
    _diagnoseFields,
    _fieldsAreClean,
    _show,
)

_Head = TypeVar("_Head", RequestHead, ResponseHead)
_Event: TypeAlias = RequestHead | ResponseHead | Data | EndOfMessage | HTTPParseError

_HEXDIGITS: Final = b"0123456789abcdefABCDEF"
#: An LF not preceded by CR.
_BARE_LF: Final = re.compile(rb"(?<!\r)\n")
#: Empty lines tolerated before a request line (RFC 9112 section 2.2).
_MAX_EMPTY_LINES: Final = 8

#: Chunk-size lines (without extensions) already parsed, and their sizes
#: (never 0); bounded, since the lines come from peers.
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
