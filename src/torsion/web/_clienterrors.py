# The errors an HTTP client reports, with Twisted's names.
#
# Most wrap one or more Failures (a "reasons" list) because a request can go
# wrong in several places at once: the connection dropped *and* the body
# was cut short.  Their str() names every reason, so a traceback says what
# happened without digging into the list.  ResponseDone and
# PotentialDataLoss are not errors: they are the reasons a response body's
# protocol receives in connectionLost when the body ended (completely, or
# at a close the server never announced).
from __future__ import annotations

from collections.abc import Sequence

from torsion.python.failure import Failure
from torsion.web._httpparse import HTTPParseError
from torsion.web.error import Error


def _describe(reasons: Sequence[Failure]) -> str:
    """
    Name each reason as C{Type: message}, joined by C{"; "}.
    """
    parts = []
    for reason in reasons:
        value = reason.value
        # A parse error's str() leads with the status a gateway would
        # answer (502); for a client, the reason alone says it.
        text = value.reason if isinstance(value, HTTPParseError) else str(value)
        name = type(value).__name__
        parts.append(f"{name}: {text}" if text else name)
    return "; ".join(parts) if parts else "no reason given"


class _WrapperException(Exception):
    """
    An error that carries the Failures that caused it.

    @ivar reasons: The L{Failure}s, most important first.
    """

    def __init__(self, reasons: Sequence[Failure]) -> None:
        """
        @param reasons: The L{Failure}s that caused this error.
        """
        super().__init__(list(reasons))
        self.reasons = list(reasons)

    def __str__(self) -> str:
        return f"{type(self).__name__}: {_describe(self.reasons)}"


class RequestGenerationFailed(_WrapperException):
    """
    The request could not be written: its body producer failed, or wrote
    a different number of bytes than its C{length} promised.
    """


class RequestTransmissionFailed(_WrapperException):
    """
    The connection failed while the request was being written.
    """


class RequestNotSent(Exception):
    """
    The request was never written: the connection was already closed, or
    busy with another request.
    """

    def __str__(self) -> str:
        return "the request was not sent: the connection was closed or busy"


class ResponseNeverReceived(_WrapperException):
    """
    No byte of a response arrived: the connection was lost, refused at the
    TLS level, or the request was cancelled first.
    """


class ResponseFailed(_WrapperException):
    """
    Part of a response arrived, but not all of it: the connection was lost
    mid-response, or the server sent something that is not valid HTTP.

    @ivar response: The L{Response} whose body was cut short, or L{None}
        if the status line and headers never completed.
    """

    def __init__(self, reasons: Sequence[Failure], response: object = None) -> None:
        """
        @param reasons: The L{Failure}s that caused this error.
        @param response: The L{Response} received so far, if any.
        """
        super().__init__(reasons)
        self.response = response


class ResponseDone(Exception):
    """
    Not an error: the reason a body's protocol receives in
    C{connectionLost} when the whole body has arrived.
    """


class PotentialDataLoss(Exception):
    """
    The reason a body's protocol receives in C{connectionLost} when the
    server closed the connection to end a body whose length it never
    stated: all of it may have arrived, or the connection may have broken.
    """


class PartialDownloadError(Error):
    """
    L{readBody} got a body that ended with L{PotentialDataLoss}.

    @ivar response: The body received, as bytes.
    """


class WrongBodyLength(Exception):
    """
    A body producer wrote more, or fewer, bytes than its C{length}.
    """


__all__ = [
    "PartialDownloadError",
    "PotentialDataLoss",
    "RequestGenerationFailed",
    "RequestNotSent",
    "RequestTransmissionFailed",
    "ResponseDone",
    "ResponseFailed",
    "ResponseNeverReceived",
    "WrongBodyLength",
]
