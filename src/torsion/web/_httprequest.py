# torsion.web.http.Request: one HTTP request on an HTTPChannel, and the
# response being built for it.
#
# The channel feeds the request: gotHead() with the parsed head,
# handleContentChunk() with each piece of body, allContentReceived() at the
# end, which parses the arguments and calls process().  The body goes to a
# BytesIO and moves to an anonymous temporary file once it grows past
# maxMemoryBodySize, so a large upload never sits in memory.
#
# The response: while the channel runs process() (the synchronous part of
# rendering), write() only buffers (up to _BUFFER_LIMIT bytes).  If finish()
# comes before process() returns, the whole body is known: the head gets a
# Content-Length and head and body leave in one transport.write().
# Otherwise the head goes out when process() returns (or the buffer fills):
# with the Content-Length the application set, or chunked on HTTP/1.1, or
# close-delimited (Connection: close) on HTTP/1.0.  HEAD, 1xx, 204 and 304
# responses never carry body bytes; a HEAD response buffered whole still
# reports the length its body would have had.  The usual small answer (a
# 200 on HTTP/1.1 whose only headers are the defaults) takes a shortcut:
# its head is a prefix made once per second (_defaultHead) plus its
# Content-Length.
#
# The methods that only read the request (headers, cookies, addresses,
# credentials) live in _httprequestinfo.RequestReading, its base class; the
# response-side ones shared with the test double DummyRequest (setHeader,
# redirect, addCookie, notifyFinish) in _httpresponseinfo.ResponseBuilding.
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from io import BytesIO
from typing import IO, Any

from torsion.internet.defer import Deferred
from torsion.internet.interfaces import IAddress, IProducer
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.web._headers import Headers, _canonicalName
from torsion.web._httpencode import ChunkedEncoder, encodeResponseHead
from torsion.web._httplog import datetimeToString, stringToDatetime
from torsion.web._httpparse import Framing, RequestHead
from torsion.web._httprequestinfo import RequestReading, multipartFields, parse_qs
from torsion.web._httpresponseinfo import ResponseBuilding, checkResponseCode, writeError
from torsion.web._status import NOT_MODIFIED, OK, PRECONDITION_FAILED, RESPONSES

#: Returned by L{Request.setLastModified} and L{Request.setETag} when the
#: request's condition says the client's copy is current (the response is
#: then a body-less I{304}).
CACHED = object()

_log = Logger(namespace="torsion.web.http")

_BUFFER_LIMIT = 65536
_NO_BODY_CODES = frozenset({204, 304})


class Request(ResponseBuilding, RequestReading):
    """
    An HTTP request received by an L{HTTPChannel}, and its response.

    Subclass it and override L{process} to answer requests; the web server's
    C{torsion.web.server.Request} does so with a resource tree.

    @ivar method: The method, such as C{b"GET"}.
    @ivar uri: The request target as sent, such as C{b"/a/b?x=1"}.
    @ivar path: The target's path, without the query.
    @ivar args: The query arguments, and the fields of an
        C{application/x-www-form-urlencoded} or C{multipart/form-data} POST
        body: name to list of values, all bytes.
    @ivar content: The body: a file positioned at its start.
    @ivar clientproto: The version the client sent, C{b"HTTP/1.1"} or
        C{b"HTTP/1.0"}.
    @ivar requestHeaders: The request's L{Headers}.
    @ivar responseHeaders: The response's L{Headers}.
    @ivar code: The response status, 200 unless set.
    @ivar code_message: Its reason phrase.
    @ivar sentLength: How many body bytes were written.
    @ivar finished: Whether L{finish} was called.
    @ivar startedWriting: Whether the response's body has begun.
    @ivar cookies: The I{Set-Cookie} values to send.
    @ivar client: The client's address.
    @ivar channel: The L{HTTPChannel}, or L{None} once the request is over.
    @cvar maxMemoryBodySize: Bodies larger than this go to a temporary file.
    @cvar maxFormBodySize: Form bodies larger than this are not parsed into
        C{args} (parsing reads them whole into memory); read C{content}.
    """

    maxMemoryBodySize = 100 * 1024
    maxFormBodySize = 16 * 1024 * 1024

    method: bytes = b"GET"
    uri: bytes = b""
    path: bytes = b""
    clientproto: bytes = b"HTTP/1.1"
    etag: bytes | None = None
    lastModified: float | None = None
    # Speed: the fields every request starts with the same immutable value
    # are class defaults, so that __init__ sets only what differs.
    code: int = OK
    code_message: bytes = RESPONSES[OK]
    sentLength = 0
    finished = False
    startedWriting = False
    keepAlive = True
    producer: IProducer | None = None
    _bodySize = 0
    _onDisk = False
    _disconnected = False
    _lostReason: Failure | None = None
    _headSent = False
    _buffering = False
    _buffered = 0
    _encoder: ChunkedEncoder | None = None
    _declaredLength: int | None = None
    _bodyAllowed = True

    def __init__(self, channel: Any, queued: object = None) -> None:
        """
        @param channel: The channel the request arrived on.
        @param queued: Ignored (Twisted's deprecated argument).
        """
        self.channel = channel
        transport = self.transport = getattr(channel, "transport", None)
        self.requestHeaders = Headers()
        self.responseHeaders = Headers()
        self.args: dict[bytes, list[bytes]] = {}
        self.content: IO[bytes] = BytesIO()
        self.cookies: list[bytes] = []
        if transport is not None:
            self.client: IAddress | None = transport.getPeer()
            self.host: IAddress | None = transport.getHost()
        else:
            self.client = self.host = None
        self._finishDeferreds: list[Deferred[None]] = []
        self._buffer: list[bytes] = []

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} at 0x{id(self):x} method={self.method!r} "
            f"uri={self.uri!r} clientproto={self.clientproto!r}>"
        )

    # -- fed by the channel ----------------------------------------------------

    def gotHead(self, head: RequestHead) -> None:
        """
        Take the request line and headers from the parser.

        @param head: The parsed head.
        """
        self.method = head.method
        self.uri = head.target
        self.clientproto = head.version
        self.keepAlive = head.keepAlive
        self.requestHeaders = Headers._fromParsed(head.headers)
        if head.framing is Framing.LENGTH and head.contentLength:
            self.gotLength(head.contentLength)
        else:
            self.gotLength(None)

    def gotLength(self, length: int | None) -> None:
        """
        Prepare for a body of C{length} bytes (L{None}: unknown).

        @param length: The announced length.
        """
        if length is not None and length > self.maxMemoryBodySize:
            self.content = tempfile.TemporaryFile()  # noqa: SIM115
            self._onDisk = True
        else:
            self.content = BytesIO()

    def handleContentChunk(self, data: bytes) -> None:
        """
        Store a piece of the body.

        @param data: The piece.
        """
        self._bodySize += len(data)
        if not self._onDisk and self._bodySize > self.maxMemoryBodySize:
            spilled = tempfile.TemporaryFile()  # noqa: SIM115
            spilled.write(self.content.getvalue())  # type: ignore[attr-defined]
            self.content = spilled
            self._onDisk = True
        self.content.write(data)

    def allContentReceived(self) -> None:
        """
        The body is complete: parse the arguments and call
        L{requestReceived}.
        """
        self.content.seek(0)
        self.requestReceived(self.method, self.uri, self.clientproto)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        """
        Set up C{path} and C{args}, then call L{process}.

        @param command: The method.
        @param path: The request target.
        @param version: The HTTP version.
        """
        self.method, self.uri, self.clientproto = command, path, version
        target = path
        if target.startswith((b"http://", b"https://")):
            slash = target.find(b"/", target.find(b"//") + 2)
            target = target[slash:] if slash >= 0 else b"/"
        self.path, sep, query = target.partition(b"?")
        self.args = parse_qs(query, keep_blank_values=True) if sep else {}
        # (The method is tested first: a GET needs no header lookup.)
        contentType = self.getHeader(b"content-type") if command == b"POST" else None
        if contentType and 0 < self._bodySize <= self.maxFormBodySize:
            mime = contentType.split(b";", 1)[0].strip().lower()
            if mime == b"application/x-www-form-urlencoded":
                for name, values in parse_qs(self.content.read(), keep_blank_values=True).items():
                    self.args.setdefault(name, []).extend(values)
                self.content.seek(0)
            elif mime == b"multipart/form-data":
                for name, value in multipartFields(contentType, self.content.read()):
                    self.args.setdefault(name, []).append(value)
                self.content.seek(0)
        self.process()

    def process(self) -> None:
        """
        Answer the request; override this.  The default answers I{200} with
        an empty body.
        """
        self.finish()

    # -- building the response -------------------------------------------------

    def setResponseCode(self, code: int, message: bytes | None = None) -> None:
        """
        Set the response status.

        @param code: The code, such as 404.
        @param message: The reason phrase; by default the standard one.
        @raise TypeError: If C{code} is not an L{int}.
        @raise ValueError: If C{message} holds CR, LF or NUL.
        @raise RuntimeError: If the head was sent already.
        """
        checkResponseCode(code)
        if message is not None and (b"\r" in message or b"\n" in message or b"\0" in message):
            raise ValueError(f"setResponseCode(): the reason {message!r} holds CR, LF or NUL")
        if self._headSent:
            raise RuntimeError(
                f"setResponseCode({code}) after the response head was sent on {self!r}; "
                "set the code before the first write()"
            )
        self.code = code
        self.code_message = message if message is not None else RESPONSES.get(code, b"Unknown")

    def setLastModified(self, when: float) -> object:
        """
        Set I{Last-Modified}; if the request's I{If-Modified-Since} is not
        older, answer I{304 Not Modified}.

        @param when: Seconds since the epoch.
        @return: L{CACHED} if the response is now a 304, else L{None}.
        """
        when = int(when)
        if self.lastModified is None or when > self.lastModified:
            self.lastModified = when
        self.setHeader(b"Last-Modified", datetimeToString(self.lastModified))
        since = self.getHeader(b"if-modified-since")
        if since and self.getHeader(b"if-none-match") is None:
            try:
                stamp = stringToDatetime(since.split(b";", 1)[0])
            except ValueError:
                return None
            if when <= stamp:
                self.setResponseCode(NOT_MODIFIED)
                return CACHED
        return None

    def setETag(self, etag: bytes) -> object:
        """
        Set the I{ETag}; if the request's I{If-None-Match} lists it, answer
        I{304 Not Modified} (I{412} for a method other than GET or HEAD).

        @param etag: The entity tag, without quotes.
        @return: L{CACHED} if the condition matched, else L{None}.
        """
        self.etag = etag
        self.setHeader(b"ETag", b'"%s"' % etag)
        match = self.getHeader(b"if-none-match")
        if match:
            tags = [t.strip() for t in match.split(b",")]
            if b"*" in tags or b'"%s"' % etag in tags or b'W/"%s"' % etag in tags:
                if self.method in (b"GET", b"HEAD"):
                    self.setResponseCode(NOT_MODIFIED)
                else:
                    self.setResponseCode(PRECONDITION_FAILED)
                return CACHED
        return None

    def _bufferStart(self) -> None:
        # Called by the channel around process(): writes are held back.
        self._buffering = True

    def _bufferStop(self) -> None:
        # process() returned: whatever was held goes out now.
        self._buffering = False
        if self._buffer and not self.finished and not self._headSent:
            self._sendHead(None)

    def write(self, data: bytes) -> None:
        """
        Write part of the response's body; the first write makes the head.

        @param data: The bytes.
        @raise TypeError: If C{data} is not bytes.
        @raise RuntimeError: If the request is finished.
        """
        if self.finished or not isinstance(data, bytes):
            raise writeError(self, data)
        if self._disconnected:
            return
        self.startedWriting = True
        if not self._headSent:
            if data:
                self._buffer.append(data)
                self._buffered += len(data)
            if not self._buffering or self._buffered > _BUFFER_LIMIT:
                self._sendHead(None)
            return
        self._writeBody(data)

    def _writeBody(self, data: bytes) -> None:
        if not data:
            return
        self.sentLength += len(data)
        if not self._bodyAllowed:
            return
        if self._encoder is not None:
            data = self._encoder.chunk(data)
        self.channel.transport.write(data)

    def _sendFile(self, fileObject: IO[bytes], offset: int, count: int) -> Deferred[int] | None:
        """
        Send C{count} bytes of C{fileObject} from C{offset} as (the next
        part of) the body with the transport's C{sendFile} (C{sendfile(2)}:
        no copy through Python), if this response allows it: a plain TCP
        connection (not TLS), a body framed by the I{Content-Length} the
        application set (not chunked) and allowed (not HEAD, 204, 304).

        @return: What the transport's C{sendFile} returns, or L{None} if
            this response cannot be sent that way (then nothing was done:
            C{write} the bytes instead).
        """
        transport: Any = getattr(self.channel, "transport", None)
        if (
            self.finished
            or self._disconnected
            or getattr(type(transport), "sendFile", None) is None
            or getattr(transport, "TLS", False)
        ):
            return None
        if not self._headSent:
            if (
                self.method == b"HEAD"
                or self.code in _NO_BODY_CODES
                or self.code < 200
                or not self.responseHeaders.hasHeader(b"content-length")
            ):
                return None
            self._sendHead(None)
        if self._encoder is not None or not self._bodyAllowed:
            return None
        self.startedWriting = True
        self.sentLength += count
        result: Deferred[int] = transport.sendFile(fileObject, offset, count)
        return result

    def _addDefaultHeaders(
        self, out: list[tuple[bytes, bytes]], present: Mapping[bytes, object]
    ) -> None:
        """
        Add the headers every response gets unless the application set
        them; C{torsion.web.server.Request} adds I{Server}, I{Date} and
        I{Content-Type}.

        @param out: The (canonical name, value) pairs to send, to extend.
        @param present: Maps each lowercased name in C{out} to a true
            value (names not in C{out} are absent or map to a false one).
        """

    def _defaultHead(self) -> bytes | None:
        """
        The start of a I{200 OK} HTTP/1.1 head with only the default
        headers (L{_addDefaultHeaders}), before I{Content-Length}.

        @return: The status line and default header lines, or L{None} if a
            subclass adds other defaults (then the head is built in full).
        """
        if type(self)._addDefaultHeaders is not Request._addDefaultHeaders:
            return None
        return b"HTTP/1.1 200 OK\r\n"

    def _sendHead(self, wholeLength: int | None) -> None:
        """
        Send the head, and whatever body is buffered.

        @param wholeLength: The length of the whole body if known (at
            finish()), else L{None}.
        """
        self._headSent = True
        code = self.code
        headers = self.responseHeaders
        self._bodyAllowed = self.method != b"HEAD" and code not in _NO_BODY_CODES and code >= 200
        if (
            wholeLength is not None
            and code == 200
            and self._bodyAllowed
            and type(headers) is Headers
            and not headers._rawHeaders
            and not self.cookies
            and self.clientproto == b"HTTP/1.1"
            and self.code_message == b"OK"
        ):
            # Speed: a 200 whose only headers are the defaults (a plain
            # "hello world") reuses a head prefix made once (per second).
            prefix = self._defaultHead()
            if prefix is not None:
                body = b"".join(self._buffer)
                self._buffer = []
                self.sentLength += len(body)
                if self.keepAlive and not getattr(self.channel, "_closeAfter", False):
                    end = b"\r\n\r\n"
                else:
                    self.keepAlive = False
                    end = b"\r\nConnection: close\r\n\r\n"
                self.channel.transport.write(
                    b"%sContent-Length: %d%s%s" % (prefix, wholeLength, end, body)
                )
                return
        out: list[tuple[bytes, bytes]] = []
        append = out.append
        declared: bytes | None = None
        present: Mapping[bytes, object]
        if type(headers) is Headers:
            # Speed: read the dict (lowercased name -> values) directly,
            # without getAllRawHeaders' copies; it doubles as `present`.
            raw = headers._rawHeaders
            for lowered, values in raw.items():
                if lowered == b"content-length":
                    # Sent once, below, where the framing is decided.
                    declared = values[-1] if values else None
                    continue
                if lowered == b"transfer-encoding":
                    continue  # the framing is ours to choose
                name = _canonicalName(lowered)
                for value in values:
                    append((name, value))
            present = raw
        else:
            seen: dict[bytes, object] = {}
            for name, allValues in headers.getAllRawHeaders():
                if name == b"Content-Length":
                    declared = allValues[-1] if allValues else None
                    continue
                if name == b"Transfer-Encoding":
                    continue
                for value in allValues:
                    append((name, value))
                    seen[name.lower()] = True
            present = seen
        self._addDefaultHeaders(out, present)
        http11 = self.clientproto == b"HTTP/1.1"
        if code in _NO_BODY_CODES or code < 200:
            pass
        elif declared is not None:
            out.append((b"Content-Length", declared))
            try:
                self._declaredLength = int(declared)
            except ValueError:
                self._declaredLength = None
        elif wholeLength is not None:
            if wholeLength or self.method != b"HEAD":
                out.append((b"Content-Length", b"%d" % wholeLength))
        elif self.method == b"HEAD":
            pass
        elif http11:
            self._encoder = ChunkedEncoder()
            out.append((b"Transfer-Encoding", b"chunked"))
        else:
            self.keepAlive = False
        if not self.keepAlive or getattr(self.channel, "_closeAfter", False):
            self.keepAlive = False
            out.append((b"Connection", b"close"))
        elif not http11:
            out.append((b"Connection", b"keep-alive"))
        for cookie in self.cookies:
            out.append((b"Set-Cookie", cookie))
        head = encodeResponseHead(code, self.code_message, out)
        body = b"".join(self._buffer)
        self._buffer = []
        self.sentLength += len(body)
        if body and self._bodyAllowed:
            if self._encoder is not None:
                body = self._encoder.chunk(body)
            head += body
        self.channel.transport.write(head)

    def finish(self) -> None:
        """
        End the response.

        @raise RuntimeError: If called twice, or after the connection was
            lost (use L{notifyFinish} to learn about that).
        """
        if self.finished:
            raise RuntimeError(f"finish() called twice on {self!r}; call it once")
        if self._disconnected:
            raise RuntimeError(
                f"finish() on {self!r} after its connection was lost; use "
                "request.notifyFinish() to learn when the client goes away"
            )
        if not self._headSent:
            self._sendHead(self._buffered)
        elif self._encoder is not None:
            if self._bodyAllowed:
                self.channel.transport.write(self._encoder.lastChunk())
        elif (
            self._declaredLength is not None
            and self._declaredLength != self.sentLength
            and self._bodyAllowed
        ):
            # The body does not match its Content-Length: the client cannot
            # find the next response.
            self.keepAlive = False
        self.finished = True
        waiting, self._finishDeferreds = self._finishDeferreds, []
        for d in waiting:
            d.callback(None)
        channel = self.channel
        if channel is not None:
            channel.requestDone(self)

    def connectionLost(self, reason: Failure) -> None:
        """
        The connection closed before the response finished: fail the
        L{notifyFinish} Deferreds and stop the producer.

        @param reason: Why.
        """
        self._disconnected = True
        self._lostReason = reason
        producer, self.producer = self.producer, None
        if producer is not None:
            try:
                producer.stopProducing()
            except Exception:  # the connection is gone either way: say why, go on
                _log.failure(
                    "Error stopping {producer!r} of {request!r}:", producer=producer, request=self
                )
        waiting, self._finishDeferreds = self._finishDeferreds, []
        for d in waiting:
            d.errback(reason)

    def loseConnection(self) -> None:
        """
        Close the connection without finishing the response.
        """
        if self.channel is not None and self.channel.transport is not None:
            self.channel.transport.loseConnection()

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Register a producer of the body with the connection, which pauses
        it while the client is not reading.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        @raise RuntimeError: If a producer is registered already.
        """
        self._claimProducer(producer)
        if self._disconnected:
            producer.stopProducing()
            return
        self.channel.transport.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """
        Forget the producer.
        """
        if self.producer is not None and not self._disconnected:
            self.channel.transport.unregisterProducer()
        self.producer = None


__all__ = ["CACHED", "Request"]
