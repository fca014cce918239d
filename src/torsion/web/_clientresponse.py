# The response side of the HTTP client: Response (status, headers and a
# body delivered to a protocol) and readBody (collect that body).
#
# A Response exists as soon as the status line and headers have arrived;
# the body follows.  Until the application calls deliverBody, body bytes
# (and the final reason) are kept in a list; deliverBody hands the
# protocol what was kept, then the rest as it comes.  States:
#
#   waiting   no protocol yet; bytes and the end are buffered
#   streaming a protocol is attached; bytes go straight to it
#   done      the protocol got connectionLost (or the body ended before
#             deliverBody and was then replayed)
#
# The protocol's transport is a _BodyTransport: pausing it pauses the
# connection, stopping it aborts the connection.  It forgets the connection
# once the body is over, so a protocol that pauses late cannot stall a
# connection that went back to the pool.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.interfaces import IProtocol, IPushProducer
from torsion.internet.protocol import Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web._clienterrors import PartialDownloadError, PotentialDataLoss, ResponseDone
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH, IResponse


@implementer(IPushProducer)
class _BodyTransport:
    """
    What a body protocol sees as its transport: flow control over the
    connection while the body is arriving, nothing afterwards.
    """

    def __init__(self, connection: Any) -> None:
        self._connection: Any = connection
        #: Whether the protocol paused the connection (and not resumed it).
        self.paused = False

    def _detach(self) -> None:
        """
        Forget the connection: the body is over.  A pause still in force
        is lifted.
        """
        connection, self._connection = self._connection, None
        if connection is not None and self.paused:
            self.paused = False
            connection.resumeProducing()

    def pauseProducing(self) -> None:
        """
        Stop reading from the connection until L{resumeProducing}.
        """
        if self._connection is not None and not self.paused:
            self.paused = True
            self._connection.pauseProducing()

    def resumeProducing(self) -> None:
        """
        Read from the connection again.
        """
        if self._connection is not None and self.paused:
            self.paused = False
            self._connection.resumeProducing()

    def stopProducing(self) -> None:
        """
        Give up on the body: the connection is aborted, and the body
        protocol then gets C{connectionLost} with L{ResponseFailed}.
        """
        if self._connection is not None:
            self._connection.abortConnection()

    def loseConnection(self) -> None:
        """
        The same as L{stopProducing}: a body cannot be half-read.
        """
        self.stopProducing()

    abortConnection = loseConnection


@implementer(IResponse)
class Response:
    """
    An HTTP response: status line and headers now, the body on request
    through L{deliverBody}.

    @ivar version: E.g. C{(b"HTTP", 1, 1)}.
    @ivar code: The status code.
    @ivar phrase: The reason phrase.
    @ivar headers: The response headers.
    @ivar length: The body length from Content-Length, 0 when there is no
        body, or L{UNKNOWN_LENGTH}.
    @ivar request: The request this answers, or L{None}.
    @ivar previousResponse: The response that redirected to this one.
    """

    def __init__(
        self,
        version: tuple[bytes, int, int],
        code: int,
        phrase: bytes,
        headers: Headers,
        _transport: Any,
        request: Any = None,
    ) -> None:
        """
        @param version: The protocol version, e.g. C{(b"HTTP", 1, 1)}.
        @param code: The status code.
        @param phrase: The reason phrase.
        @param headers: The response headers.
        @param _transport: The connection the body arrives on (an
            L{IPushProducer} with C{abortConnection}), or L{None}.
        @param request: The request this answers.
        """
        self.version = version
        self.code = code
        self.phrase = phrase
        self.headers = headers
        self.request = request
        self.previousResponse: IResponse | None = None
        self.length: int | str = UNKNOWN_LENGTH
        self._transport = _BodyTransport(_transport)
        self._protocol: IProtocol | None = None
        self._buffered: list[bytes] = []
        self._end: Failure | None = None

    def setPreviousResponse(self, response: IResponse) -> None:
        """
        Record the response that redirected to this one.

        @param response: That response.
        """
        self.previousResponse = response

    def deliverBody(self, protocol: IProtocol) -> None:
        """
        Send the body to C{protocol}: C{makeConnection}, C{dataReceived}
        for each piece, then C{connectionLost} with L{ResponseDone},
        L{PotentialDataLoss} or L{ResponseFailed}.

        @param protocol: Receives the body.
        @raise RuntimeError: If a body protocol was already given.
        """
        if self._protocol is not None:
            raise RuntimeError(
                f"the body of {self!r} was already delivered to {self._protocol!r}; "
                "deliverBody can be called once per response"
            )
        self._protocol = protocol
        protocol.makeConnection(self._transport)  # type: ignore[arg-type]
        buffered, self._buffered = self._buffered, []
        for data in buffered:
            protocol.dataReceived(data)
        if self._end is not None:
            self._transport._detach()
            protocol.connectionLost(self._end)

    def _bodyDataReceived(self, data: bytes) -> None:
        """
        A piece of the body arrived.
        """
        if self._protocol is None:
            self._buffered.append(data)
        else:
            self._protocol.dataReceived(data)

    def _bodyDataFinished(self, reason: Failure | None = None) -> None:
        """
        The body ended, for C{reason} (L{ResponseDone} if L{None}).
        """
        if self._end is not None:
            return
        self._end = reason if reason is not None else Failure(ResponseDone())
        if self._protocol is not None:
            self._transport._detach()
            self._protocol.connectionLost(self._end)

    def __repr__(self) -> str:
        return f"<Response {self.code} {self.phrase!r}>"


class _ReadBodyProtocol(Protocol):
    """
    Collect a body and fire a Deferred with it.
    """

    def __init__(self, status: int, message: bytes, deferred: Deferred[bytes]) -> None:
        self._status = status
        self._message = message
        self._deferred = deferred
        self._pieces: list[bytes] = []

    def dataReceived(self, data: bytes) -> None:
        self._pieces.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self._deferred.called:
            return
        body = b"".join(self._pieces)
        if reason.check(ResponseDone):
            self._deferred.callback(body)
        elif reason.check(PotentialDataLoss):
            self._deferred.errback(PartialDownloadError(self._status, self._message, body))
        else:
            self._deferred.errback(reason)


def readBody(response: IResponse) -> Deferred[bytes]:
    """
    Read a whole response body.

    @param response: The response whose body to read.
    @return: A Deferred firing with the body; failing with
        L{PartialDownloadError} (the body so far in its C{response}) if the
        server ended a body of unstated length by closing the connection,
        or with L{ResponseFailed} if the body was cut short.  Cancelling it
        aborts the connection.
    """

    def cancel(d: Deferred[bytes]) -> None:
        transport = protocol.transport
        if transport is not None:
            transport.stopProducing()
        if not d.called:
            d.errback(Failure(CancelledError("readBody was cancelled; the connection was aborted")))

    d: Deferred[bytes] = Deferred(cancel)
    protocol = _ReadBodyProtocol(response.code, response.phrase, d)
    response.deliverBody(protocol)
    return d


__all__ = ["Response", "readBody"]
