# HTTP11ClientProtocol: one HTTP/1.1 client connection, glue between a
# transport and the sans-IO ResponseParser.  One request at a time (no
# pipelining).  States:
#
#   QUIESCENT         idle: ready for request(); a pool may cache it
#   TRANSMITTING      writing the request (head, then the body producer)
#   WAITING           request written; waiting for / reading the response
#   CONNECTION_LOST   the connection is gone (or being closed); dead
#
# request() fires its Deferred with a Response as soon as the head
# arrives; the body then flows through the Response.  When the response
# is complete and both sides allow it (keep-alive, and persistent was
# asked for) the protocol goes back to QUIESCENT and calls its
# quiescentCallback, which is how a pool learns it can reuse it;
# otherwise it closes the connection.
#
# How a failure is reported depends on how far the response got (as in
# Twisted): nothing received -> ResponseNeverReceived; a partial head or a
# parse error -> ResponseFailed on the request's Deferred; a body cut
# short -> ResponseFailed to the body protocol, PotentialDataLoss for a
# body that runs until close; the connection lost while the request was
# being written -> RequestTransmissionFailed.  Cancelling the Deferred
# before the head arrives aborts the connection and fails it with
# ResponseNeverReceived wrapping CancelledError.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torsion.internet.defer import CancelledError, Deferred, fail
from torsion.internet.protocol import Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web._clienterrors import (
    PotentialDataLoss,
    RequestGenerationFailed,
    RequestNotSent,
    RequestTransmissionFailed,
    ResponseFailed,
    ResponseNeverReceived,
)
from torsion.web._clientrequest import Request
from torsion.web._clientresponse import Response
from torsion.web._httpparse import (
    Data,
    EndOfMessage,
    Framing,
    HTTPParseError,
    ResponseHead,
    ResponseParser,
)
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH

_VERSIONS = {b"HTTP/1.1": (b"HTTP", 1, 1), b"HTTP/1.0": (b"HTTP", 1, 0)}


def _ignore(protocol: object) -> None:
    """
    The default quiescent callback: nothing to do.
    """


class HTTP11ClientProtocol(Protocol):
    """
    One HTTP/1.1 client connection: sends requests one at a time and
    parses their responses.

    @ivar state: C{"QUIESCENT"}, C{"TRANSMITTING"}, C{"WAITING"} or
        C{"CONNECTION_LOST"}.
    """

    def __init__(
        self, quiescentCallback: Callable[[HTTP11ClientProtocol], object] = _ignore
    ) -> None:
        """
        @param quiescentCallback: Called with the protocol each time a
            response completes and the connection can carry another
            request.
        """
        self._quiescentCallback = quiescentCallback
        self.state = "QUIESCENT"
        self._parser = ResponseParser()
        self._request: Request | None = None
        self._deferred: Deferred[Response] | None = None
        self._response: Response | None = None
        self._keepAlive = False
        self._writing = False
        self._receivedAny = False
        self._interim = False
        self._lostWaiters: list[Deferred[None]] = []
        self._gone = False
        #: Called if the connection is lost while idle (a pool sets it
        #: while the connection is cached, to forget it at once).
        self._idleLost: Callable[[], object] | None = None

    def _whenLost(self) -> Deferred[None]:
        """
        A Deferred that fires once L{connectionLost} has run.
        """
        d: Deferred[None] = Deferred()
        if self._gone:
            d.callback(None)
        else:
            self._lostWaiters.append(d)
        return d

    def abort(self) -> Deferred[None]:
        """
        Abort the connection: a request in flight fails (as if the
        connection were lost) and the connection cannot be used again.

        @return: Fires once the connection is closed.
        """
        lost = self._whenLost()
        if not self._gone and self.transport is not None:
            self.transport.abortConnection()
        return lost

    def request(self, request: Request) -> Deferred[Response]:
        """
        Send C{request}.

        @param request: The request.
        @return: Fires with the L{Response} once its head arrived; fails
            with L{RequestNotSent} if the connection is busy or closed, and
            otherwise as described in this module's notes.
        """
        if self.state != "QUIESCENT" or self.transport is None:
            return fail(RequestNotSent())
        self.state = "TRANSMITTING"
        self._request = request
        self._response = None
        self._receivedAny = False
        self._writing = True
        d: Deferred[Response] = Deferred(self._cancel)
        self._deferred = d
        self._parser.requestSent(request.method)
        try:
            written = request._writeTo(self.transport)
        except Exception:
            reason = Failure()
            self._writing = False
            self.state = "CONNECTION_LOST"
            self.transport.abortConnection()
            d.errback(RequestGenerationFailed([reason]))
            return d
        written.addCallbacks(self._written, self._writeFailed)
        return d

    # -- writing -------------------------------------------------------------

    def _written(self, ignored: object) -> None:
        self._writing = False
        if self.state == "TRANSMITTING":
            self.state = "WAITING"

    def _writeFailed(self, reason: Failure) -> None:
        self._writing = False
        if self.state == "CONNECTION_LOST":
            return
        self.state = "CONNECTION_LOST"
        assert self.transport is not None
        self.transport.abortConnection()
        d = self._deferred
        if d is not None and not d.called:
            d.errback(reason)

    def _cancel(self, d: Deferred[Response]) -> None:
        if self._request is not None:
            self._request.stopWriting()
        self.state = "CONNECTION_LOST"
        if self.transport is not None:
            self.transport.abortConnection()
        if not d.called:
            d.errback(
                ResponseNeverReceived(
                    [
                        Failure(
                            CancelledError("the request was cancelled; the connection was aborted")
                        )
                    ]
                )
            )

    # -- reading -------------------------------------------------------------

    def dataReceived(self, data: bytes) -> None:
        """
        Parse response bytes.

        @param data: What the server sent.
        """
        if self.state not in ("TRANSMITTING", "WAITING"):
            if self.state == "QUIESCENT" and self.transport is not None:
                # The server must not speak unasked: the connection is
                # out of step and cannot be reused.
                self.state = "CONNECTION_LOST"
                self.transport.abortConnection()
            return
        self._receivedAny = True
        self._handle(self._parser.feed(data), None)

    def _handle(self, events: list[Any], lost: Failure | None) -> None:
        for event in events:
            if type(event) is Data:
                if not self._interim and self._response is not None:
                    self._response._bodyDataReceived(event.data)
            elif type(event) is ResponseHead:
                self._headReceived(event)
            elif type(event) is EndOfMessage:
                if self._interim:
                    self._interim = False
                else:
                    self._finished(lost)
            elif isinstance(event, HTTPParseError):
                self._parseFailed(event, lost)

    def _headReceived(self, head: ResponseHead) -> None:
        if head.informational:
            self._interim = True
            return
        response = Response(
            _VERSIONS.get(head.version, (b"HTTP", 1, 1)),
            head.status,
            head.reason,
            Headers._fromParsed(head.headers),
            self.transport,
            self._request,
        )
        if head.framing is Framing.LENGTH:
            response.length = head.contentLength if head.contentLength is not None else 0
        elif head.framing is Framing.NONE:
            response.length = 0
        else:
            response.length = UNKNOWN_LENGTH
        self._response = response
        self._keepAlive = head.keepAlive
        d = self._deferred
        if d is not None and not d.called:
            d.callback(response)

    def _finished(self, lost: Failure | None) -> None:
        response = self._response
        assert response is not None
        request = self._request
        if lost is not None:
            # The body ran until the close: it may or may not be complete.
            response._bodyDataFinished(Failure(PotentialDataLoss()))
            return
        reusable = (
            self._keepAlive
            and request is not None
            and request.persistent
            and not self._writing
            and self.state == "WAITING"
        )
        if self._writing and request is not None:
            # The server answered before the body was written: stop.
            request.stopWriting()
            self._writing = False
        self._request = None
        self._response = None
        self._deferred = None
        if reusable:
            self.state = "QUIESCENT"
        else:
            self.state = "CONNECTION_LOST"
            if self.transport is not None:
                self.transport.loseConnection()
        if reusable:
            # Back to the pool before the body's protocol hears of the end,
            # so that a request it makes at once can reuse this connection.
            self._quiescentCallback(self)
        response._bodyDataFinished(None)

    def _parseFailed(self, error: HTTPParseError, lost: Failure | None) -> None:
        reasons = [Failure(error)] if lost is None else [lost, Failure(error)]
        if self._request is not None:
            self._request.stopWriting()
        self.state = "CONNECTION_LOST"
        if lost is None and self.transport is not None:
            self.transport.abortConnection()
        response = self._response
        if response is not None:
            response._bodyDataFinished(Failure(ResponseFailed(reasons, response)))
            return
        d = self._deferred
        if d is not None and not d.called:
            d.errback(ResponseFailed(reasons))

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        The connection is gone: finish or fail whatever was in flight.

        @param reason: Why it was lost.
        """
        state, self.state = self.state, "CONNECTION_LOST"
        self._gone = True
        try:
            self._lost(state, reason)
        finally:
            waiters, self._lostWaiters = self._lostWaiters, []
            for waiter in waiters:
                waiter.callback(None)

    def _lost(self, state: str, reason: Failure) -> None:
        if self._request is not None:
            self._request.stopWriting()
        if state == "QUIESCENT":
            idleLost, self._idleLost = self._idleLost, None
            if idleLost is not None:
                idleLost()
            return
        if self._deferred is None:
            return
        events = self._parser.feedEOF()
        if events:
            self._handle(events, reason)
            return
        d = self._deferred
        if self._response is not None:
            self._response._bodyDataFinished(Failure(ResponseFailed([reason], self._response)))
        elif not d.called:
            if self._receivedAny:
                d.errback(ResponseFailed([reason]))
            elif self._writing:
                d.errback(RequestTransmissionFailed([reason]))
            else:
                d.errback(ResponseNeverReceived([reason]))


__all__ = ["HTTP11ClientProtocol"]
