# HTTPChannel: the glue between a TCP (or TLS) transport and the sans-IO
# RequestParser, and HTTPFactory, which makes channels and writes the
# access log.
#
# One request is handled at a time.  The parser runs with
# pauseAfterMessage: after each complete request it stops and keeps later
# bytes (pipelined requests) unparsed until the response is finished, when
# requestDone() resumes it.  While a response is outstanding the transport
# keeps reading (so that a client going away is noticed and the request's
# notifyFinish() fails), but once the parser holds more than
# _MAX_HELD_BYTES the transport is paused: a pipelining client cannot make
# the server buffer without bound.
#
# Events drive the request: RequestHead makes one (requestFactory) and
# hands it the head, Data feeds the body, EndOfMessage calls
# allContentReceived(), which processes it.  A finish() inside that call
# (the usual case) calls requestDone() re-entrantly; _handle() notices and
# resumes the parser in its own loop instead of recursing, so a thousand
# pipelined requests do not make a thousand stack frames.
#
# Expect (RFC 9110 section 10.1.1): the parser's head says only whether an
# HTTP/1.1 client asked for 100-continue (then 100 Continue is sent once
# the head is read, if a body follows; an HTTP/1.0 client's 100-continue is
# ignored).  Any other expectation gets 417 and the connection is closed
# like after a parse error: the request is never processed.  Finding an
# Expect header costs one dict lookup in the headers the request has just
# built, so the usual request pays nothing more.
#
# Responses the channel sends itself (parse errors, 408, 417) go through
# _sendErrorAndClose, which writes them, logs them (HTTPFactory's
# _logChannelResponse, channelLogFormatter's line) and closes with a
# lingering close.  Only requests the application answered reach
# requestDone and HTTPFactory.log; a connection closed idle is not logged.
#
# Timers (both on factory.reactor's clock):
# - idle: TimeoutMixin's timeOut (60 s), restarted by each received byte
#   and each finished response; while the application answers a request
#   it does not close the connection (it re-arms instead: one timer per
#   connection, never one per request).  Restarting is lazy, as in every
#   TimeoutMixin: activity only notes the clock's time, and the armed
#   call, when it runs early, re-arms itself for the time left;
# - head: requestHeadTimeout (30 s) from the first byte of a request to its
#   complete head (started only when a head arrives in pieces), which
#   catches slowloris clients that trickle a header byte every few seconds
#   to defeat the idle timer.  It answers 408.
from __future__ import annotations

from typing import IO, Any

from torsion.internet.error import ConnectionDone, ConnectionLost
from torsion.internet.interfaces import IDelayedCall
from torsion.internet.protocol import Protocol, ServerFactory
from torsion.logger import Logger
from torsion.protocols.policies import TimeoutMixin
from torsion.python.failure import Failure
from torsion.web._httpencode import encodeErrorResponse
from torsion.web._httplog import channelLogFormatter, combinedLogFormatter, logDateTime
from torsion.web._httpparse import (
    Data,
    EndOfMessage,
    Framing,
    HTTPParseError,
    ParserLimits,
    RequestHead,
    RequestParser,
)
from torsion.web._httprequest import Request

_MAX_HELD_BYTES = 65536
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

_log = Logger(namespace="torsion.web.http")

_CONTINUE_EXPECTATION = b"100-continue"


def _unsupportedExpectation(values: list[bytes]) -> bytes | None:
    """
    The first expectation other than C{100-continue} in Expect values.

    @param values: The values of the Expect header lines, each a
        comma-separated list of expectations.
    @return: The expectation, or L{None} if there is none but
        C{100-continue} (empty list members are skipped, as RFC 9110
        section 5.6.1 asks).
    """
    for value in values:
        for item in value.split(b","):
            member = item.strip(b" \t")
            if member and member.lower() != _CONTINUE_EXPECTATION:
                return member
    return None


class HTTPChannel(Protocol, TimeoutMixin):
    """
    A server-side HTTP/1.1 connection: parses requests, makes a request
    object for each with C{requestFactory}, and sends their responses in
    order (keep-alive, pipelining, chunked bodies, C{Expect: 100-continue};
    any other expectation gets I{417}).  Bad requests, I{417} and I{408}
    are answered by the channel itself, which logs them through its
    factory and closes the connection.

    @ivar requestFactory: Makes the request objects; called with the
        channel.
    @ivar timeOut: Seconds a connection may stay idle (set by the factory).
    @ivar requestHeadTimeout: Seconds a client may take to send a whole
        request head once it started one; then it gets I{408}.
    @ivar lingerTimeout: After an error response, seconds to go on reading
        (and discarding) what the client still sends before closing, so
        that the close does not reset the connection before the client
        read the response; L{None} closes at once.
    @ivar limits: The parser's L{ParserLimits}.
    @ivar factory: The L{HTTPFactory}, if made by one.
    """

    requestFactory: Any = Request
    timeOut: float | None = 60
    requestHeadTimeout: float | None = 30
    lingerTimeout: float | None = 2
    limits: ParserLimits | None = None
    factory: Any = None

    def __init__(self) -> None:
        self._parser = RequestParser(self.limits, pauseAfterMessage=True)
        self._request: Request | None = None
        self._responding = False
        self._inHandler = False
        self._resumeWanted = False
        self._closeAfter = False
        self._transportPaused = False
        self._headCall: IDelayedCall | None = None
        self._lost = False
        self._idleTimeout: float | None = None
        self._lingering = False
        self._lingerCall: IDelayedCall | None = None

    # -- connection events -----------------------------------------------------

    def connectionMade(self) -> None:
        """
        Start the idle timer.
        """
        self._idleTimeout = self.timeOut
        self.setTimeout(self.timeOut)

    def dataReceived(self, data: bytes) -> None:
        """
        Parse received bytes and act on the requests they complete.

        @param data: The bytes.
        """
        if self._lingering:
            return
        self.resetTimeout()
        parser = self._parser
        events = parser.feed(data)
        if events:
            self._handle(events)
        # (Checked after handling: a response finished meanwhile resumed
        # the parser, and the check costs nothing.)
        if (
            parser.paused
            and parser.bufferedByteCount > _MAX_HELD_BYTES
            and not self._transportPaused
            and self.transport is not None
            and not self._lost
            and not self._lingering
        ):
            self._transportPaused = True
            self.transport.pauseProducing()
        if (
            self._headCall is None
            and self._request is None
            and not self._responding
            and parser.bufferedByteCount
            and not self._lost
            and not self._closeAfter
        ):
            # Part of a head is waiting: the rest must come in time.  (Not
            # started per request: a head that arrives whole costs no timer.)
            self._startHeadTimer()

    def connectionLost(self, reason: Failure = Failure(ConnectionDone())) -> None:  # noqa: B008
        """
        Stop the timers; a request not yet finished learns the client went
        away.

        @param reason: Why.
        """
        self._lost = True
        self.setTimeout(None)
        self._cancelHeadTimer()
        lingerCall, self._lingerCall = self._lingerCall, None
        if lingerCall is not None and lingerCall.active():
            lingerCall.cancel()
        request, self._request = self._request, None
        if request is not None and not request.finished:
            request.connectionLost(reason)

    def timeoutConnection(self) -> None:
        """
        The connection was idle for C{timeOut} seconds: close it, unless a
        response is being made (the application may take its time): then
        wait another period.
        """
        if self._responding and not self._lost:
            self.setTimeout(self._idleTimeout)
            return
        if self.transport is not None:
            self.transport.loseConnection()

    # -- the request-head timer ------------------------------------------------

    def _startHeadTimer(self) -> None:
        if self.requestHeadTimeout is not None:
            self._headCall = self.callLater(self.requestHeadTimeout, self._headTimedOut)

    def _cancelHeadTimer(self) -> None:
        call, self._headCall = self._headCall, None
        if call is not None and call.active():
            call.cancel()

    def _headTimedOut(self) -> None:
        self._headCall = None
        if (
            self._request is not None
            or self._responding
            or self._closeAfter
            or self.transport is None
        ):
            return
        self._sendErrorAndClose(
            HTTPParseError(
                408,
                f"the request head was not complete within {self.requestHeadTimeout} seconds",
            )
        )

    # -- events ----------------------------------------------------------------

    def _handle(self, events: list[Any]) -> None:
        if self._inHandler:
            raise AssertionError("re-entrant _handle")  # pragma: no cover
        self._inHandler = True
        try:
            while True:
                count = len(events)
                for index, event in enumerate(events):
                    if type(event) is RequestHead:
                        if self._gotHead(event, events, index, count):
                            return
                    elif type(event) is Data:
                        if self._request is not None:
                            self._request.handleContentChunk(event.data)
                    elif type(event) is EndOfMessage:
                        self._gotEnd()
                    elif isinstance(event, HTTPParseError):
                        self._gotError(event)
                        return
                if self._resumeWanted and not self._lost:
                    self._resumeWanted = False
                    events = self._parser.resume()
                    if events:
                        continue
                    if self._parser.bufferedByteCount and self._headCall is None:
                        self._startHeadTimer()
                break
        finally:
            self._inHandler = False

    def _gotHead(self, head: RequestHead, events: list[Any], index: int, count: int) -> bool:
        # Returns whether the request was refused (and the connection is
        # closing): the rest of the events are then ignored.
        self._cancelHeadTimer()
        request = self.requestFactory(self)
        self._request = request
        request.gotHead(head)
        # Speed: one dict lookup in the headers the request just built.
        raw = request.requestHeaders._rawHeaders
        if b"expect" in raw:
            unsupported = _unsupportedExpectation(raw[b"expect"])
            if unsupported is not None:
                self._refuseExpectation(request, unsupported)
                return True
        if head.expectContinue and head.framing is not Framing.NONE:
            rest = events[index + 1 : count]
            if not any(isinstance(e, HTTPParseError | EndOfMessage) for e in rest):
                self.transport.write(_CONTINUE)
        return False

    def _refuseExpectation(self, request: Any, expectation: bytes) -> None:
        shown = repr(expectation[:40])[1:] + ("..." if len(expectation) > 40 else "")
        reason = (
            f"the expectation {shown} is not supported; the only one this server "
            "meets is 100-continue: send the request without that Expect header"
        )
        self._refuse(request, HTTPParseError(417, reason), f"expectation failed: {reason}")

    def _refuse(self, request: Any, error: HTTPParseError, why: str) -> None:
        # The channel answers C{request} itself, with C{error}: the request
        # learns why it will not be answered (its notifyFinish fails), and
        # the connection closes after the error response.
        self._request = None
        request.connectionLost(Failure(ConnectionLost(why)))
        self._sendErrorAndClose(error, request)

    def _gotEnd(self) -> None:
        request = self._request
        if request is None:  # pragma: no cover - the parser guarantees a head
            return
        self._responding = True
        request._bufferStart()
        try:
            request.allContentReceived()
        except Exception:
            # (Site's requests catch what rendering raises; this is for
            # what escapes a request class itself.)
            self._requestFailed(request, Failure())
            return
        if not request.finished:
            request._bufferStop()

    def _requestFailed(self, request: Any, failure: Failure) -> None:
        # The request object raised: answer 500 if nothing was sent yet,
        # else cut the response short; either way close this connection.
        _log.failure(
            "Error while handling {request!r}; its connection is closed:", failure, request=request
        )
        self._responding = False
        if getattr(request, "_headSent", True) or request.finished:
            self._request = None
            if self.transport is not None and not self._lost:
                self.transport.loseConnection()
            return
        self._refuse(
            request,
            HTTPParseError(500, "the server failed while handling this request"),
            "the server failed handling the request",
        )

    def _gotError(self, error: HTTPParseError) -> None:
        request = self._request
        if self._responding and request is not None:
            # A good request is being answered; the error waits for it.
            self._closeAfter = True
            return
        if request is None:
            self._sendErrorAndClose(error)
        else:
            self._refuse(request, error, f"bad request: {error.reason}")

    def _sendErrorAndClose(self, error: HTTPParseError, request: Any = None) -> None:
        # request: the one made from the head, if the head was parsed (for
        # the access log).
        self._cancelHeadTimer()
        self.setTimeout(None)
        self._closeAfter = True
        transport = self.transport
        if transport is not None:
            response = encodeErrorResponse(error)
            transport.write(response)
            logResponse = getattr(self.factory, "_logChannelResponse", None)
            if logResponse is not None:
                bodyLength = len(response) - response.index(b"\r\n\r\n") - 4
                logResponse(transport.getPeer(), error.status, bodyLength, request)
            self._lingeringClose()

    def _lingeringClose(self) -> None:
        # Closing a socket with unread received bytes makes the kernel send
        # a reset, which can destroy the error response before the client
        # reads it (a client still uploading a body refused with 413, say).
        # So shut down the write side only, keep reading (and discarding)
        # until the client closes, and close anyway after lingerTimeout.
        self._lingering = True
        if self._transportPaused:
            self._transportPaused = False
            self.transport.resumeProducing()
        loseWriteConnection = getattr(self.transport, "loseWriteConnection", None)
        if loseWriteConnection is None or self.lingerTimeout is None:
            self.transport.loseConnection()
            return
        loseWriteConnection()
        self._lingerCall = self.callLater(self.lingerTimeout, self.transport.loseConnection)

    # -- called by the request -------------------------------------------------

    def requestDone(self, request: Request) -> None:
        """
        The response to C{request} is finished: close, or go on to the
        next request.

        @param request: The request.
        """
        if request is not self._request:
            return
        self._request = None
        self._responding = False
        if self.factory is not None:
            self.factory.log(request)
        if not request.keepAlive or self._closeAfter or self._parser.error is not None:
            if self._parser.error is not None and not self._lost:
                # A pipelined request after this one was bad.
                self._sendErrorAndClose(self._parser.error)
            elif self.transport is not None and not self._lost:
                if self._parser.bufferedByteCount:
                    # The client sent more after a request that closes the
                    # connection: do not let the close reset it.
                    self._lingeringClose()
                else:
                    self.transport.loseConnection()
            return
        if self._lost:
            return
        self.resetTimeout()
        if self._transportPaused:
            self._transportPaused = False
            self.transport.resumeProducing()
        if self._inHandler:
            self._resumeWanted = True
        else:
            self._resumeWanted = True
            self._handle([])

    # -- what requests ask of their channel ------------------------------------

    def getPeer(self) -> Any:
        """
        @return: The client's address.
        """
        return self.transport.getPeer()

    def getHost(self) -> Any:
        """
        @return: The server's address.
        """
        return self.transport.getHost()

    def isSecure(self) -> bool:
        """
        @return: Whether the connection uses TLS.
        """
        from torsion.internet.interfaces import ISSLTransport

        return bool(ISSLTransport.providedBy(self.transport))

    def loseConnection(self) -> None:
        """
        Close the connection.
        """
        self.transport.loseConnection()


class HTTPFactory(ServerFactory):
    """
    Makes L{HTTPChannel}s, and writes an access-log line per response
    (including the error responses the channels send themselves).

    @ivar timeOut: The channels' idle timeout in seconds.
    @ivar logPath: The access log's path, or L{None} to log through
        C{torsion.logger}.
    """

    protocol = HTTPChannel

    def __init__(
        self,
        logPath: str | None = None,
        timeout: float | None = 60,
        logFormatter: Any = None,
        reactor: Any = None,
    ) -> None:
        """
        @param logPath: Append access-log lines to this file; L{None}: emit
            them as C{torsion.logger} events (namespace
            C{torsion.web.http.access}).
        @param timeout: Idle timeout for connections, in seconds, or
            L{None} for none.
        @param logFormatter: Turns C{(timestamp, request)} into a log line;
            L{combinedLogFormatter} by default.
        @param reactor: Whose clock the timeouts and log timestamps use;
            the global reactor by default (tests pass a C{Clock}).
        """
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        self.reactor = reactor
        self.logPath = logPath
        self.timeOut = timeout
        self._logFormatter = logFormatter if logFormatter is not None else combinedLogFormatter
        self.logFile: IO[bytes] | None = None
        self._accessLog = Logger(namespace="torsion.web.http.access")

    def buildProtocol(self, addr: Any) -> Any:
        """
        Make a channel for a new connection.

        @param addr: The client's address.
        @return: The channel.
        """
        channel = self.protocol()
        channel.factory = self
        channel.timeOut = self.timeOut
        channel.callLater = self.reactor.callLater
        return channel

    def startFactory(self) -> None:
        """
        Open the access log, if there is a path.
        """
        if self.logPath is not None and self.logFile is None:
            self.logFile = open(self.logPath, "ab")  # noqa: SIM115

    def stopFactory(self) -> None:
        """
        Close the access log.
        """
        logFile, self.logFile = self.logFile, None
        if logFile is not None:
            logFile.close()

    def log(self, request: Any) -> None:
        """
        Write the access-log line for a finished request.

        @param request: The request.
        """
        line = self._logFormatter(logDateTime(self.reactor.seconds()), request)
        if self.logFile is not None:
            self.logFile.write(line.encode("utf-8") + b"\n")
            self.logFile.flush()
        elif self.logPath is None:
            self._accessLog.info("{line}", line=line)

    def _logChannelResponse(
        self, client: Any, status: int, sentLength: int, request: Any = None
    ) -> None:
        """
        Write the access-log line for a response a channel sent itself (a
        parse error, 408, 417), to where L{log} writes by default; always
        in the combined format (C{logFormatter} and L{log} take requests
        the application answered).

        @param client: The client's address.
        @param status: The status sent.
        @param sentLength: How many body bytes were sent.
        @param request: The request made from the head, if it was parsed.
        """
        line = channelLogFormatter(
            logDateTime(self.reactor.seconds()), client, status, sentLength, request
        )
        # (The same writing as log(), which keeps it inline: it runs per
        # request.)
        if self.logFile is not None:
            self.logFile.write(line.encode("utf-8") + b"\n")
            self.logFile.flush()
        elif self.logPath is None:
            self._accessLog.info("{line}", line=line)


__all__ = ["HTTPChannel", "HTTPFactory"]
