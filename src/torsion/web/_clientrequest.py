# The request side of the HTTP client: Request (what to send) and the
# consumer that writes a request body.
#
# Framing: a body whose producer knows its length goes out with
# Content-Length and is checked against it (a producer that writes more,
# or finishes short, fails the request with RequestGenerationFailed
# wrapping WrongBodyLength); a producer of unknown length gets
# Transfer-Encoding: chunked.  No producer: no body, except that POST and
# PUT say Content-Length: 0, as browsers do.
#
# Flow control: the body producer is registered with the transport as a
# streaming producer for as long as it writes, so a full send buffer pauses
# it and a drained one resumes it.  stopWriting() (connection lost, or the
# server answered before the body was done) stops the producer; the
# Deferred of _writeTo then never fires.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet.defer import Deferred, succeed
from torsion.internet.interfaces import IConsumer
from torsion.python.failure import Failure
from torsion.web._clienterrors import RequestGenerationFailed, WrongBodyLength
from torsion.web._httpencode import ChunkedEncoder, encodeRequestHead
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH, IBodyProducer, IClientRequest

_BODY_EXPECTED = frozenset([b"POST", b"PUT"])


@implementer(IConsumer)
class _BodyWriter:
    """
    The consumer a body producer writes to: frames and counts the bytes.
    """

    def __init__(self, transport: Any, producer: IBodyProducer, length: int | None) -> None:
        self._transport = transport
        self._producer = producer
        self._length = length
        self._encoder = ChunkedEncoder() if length is None else None
        self._written = 0
        self._stopped = False
        self._done: Deferred[None] = Deferred()

    def start(self) -> Deferred[None]:
        """
        Register the producer and start it.

        @return: Fires when the body is written; fails with
            L{RequestGenerationFailed}.
        """
        self._transport.registerProducer(self._producer, True)
        try:
            producing = self._producer.startProducing(self)
        except BaseException:
            self._failed(Failure())
        else:
            producing.addCallbacks(self._produced, self._failed)
        return self._done

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Unused: the request registered the body producer already.
        """

    def unregisterProducer(self) -> None:
        """
        Unused: the request unregisters the body producer when it is done.
        """

    def write(self, data: bytes) -> None:
        """
        Frame and send a piece of the body.

        @param data: The piece.
        """
        if self._stopped:
            return
        if self._encoder is not None:
            self._transport.write(self._encoder.chunk(data))
            return
        self._written += len(data)
        if self._length is not None and self._written > self._length:
            self.stop()
            self._done.errback(
                RequestGenerationFailed(
                    [
                        Failure(
                            WrongBodyLength(
                                f"the body producer wrote {self._written} bytes or more, "
                                f"but its length attribute promised {self._length}"
                            )
                        )
                    ]
                )
            )
            return
        self._transport.write(data)

    def stop(self) -> None:
        """
        Stop writing: stop the producer and forget it.
        """
        if self._stopped:
            return
        self._stopped = True
        self._transport.unregisterProducer()
        try:
            self._producer.stopProducing()
        except Exception:
            pass  # it may have finished already; nothing more to stop

    def _produced(self, ignored: object) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._transport.unregisterProducer()
        if self._encoder is not None:
            self._transport.write(self._encoder.lastChunk())
        elif self._written != self._length:
            self._done.errback(
                RequestGenerationFailed(
                    [
                        Failure(
                            WrongBodyLength(
                                f"the body producer finished after {self._written} bytes, "
                                f"but its length attribute promised {self._length}"
                            )
                        )
                    ]
                )
            )
            return
        self._done.callback(None)

    def _failed(self, reason: Failure) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._transport.unregisterProducer()
        self._done.errback(RequestGenerationFailed([reason]))


@implementer(IClientRequest)
class Request:
    """
    An HTTP request to send on a connection.

    @ivar method: E.g. C{b"GET"}.
    @ivar uri: The request target (origin form), e.g. C{b"/a?b=c"}.
    @ivar headers: The headers to send (the agent added C{Host}).
    @ivar bodyProducer: Produces the body, or L{None}.
    @ivar persistent: Whether the connection may carry another request
        afterwards; if not, C{Connection: close} is sent.
    @ivar absoluteURI: The absolute URI requested, or L{None}.
    """

    def __init__(
        self,
        method: bytes,
        uri: bytes,
        headers: Headers,
        bodyProducer: IBodyProducer | None,
        persistent: bool = False,
        absoluteURI: bytes | None = None,
    ) -> None:
        """
        @param method: The method.
        @param uri: The request target.
        @param headers: The headers to send.
        @param bodyProducer: The body, or L{None}.
        @param persistent: Whether to keep the connection afterwards.
        @param absoluteURI: The absolute URI, for L{IClientRequest}.
        """
        self.method = method
        self.uri = uri
        self.headers = headers
        self.bodyProducer = bodyProducer
        self.persistent = persistent
        self.absoluteURI = absoluteURI
        self._writer: _BodyWriter | None = None

    def _writeTo(self, transport: Any) -> Deferred[None]:
        """
        Write the request to C{transport}.

        @return: Fires when it is all written; fails with
            L{RequestGenerationFailed} if the body producer fails or
            writes the wrong length.
        @raise ValueError: If the method, target or a header is invalid.
        """
        pairs = [
            (name, value)
            for name, values in self.headers.getAllRawHeaders()
            for value in values
            if name.lower() not in (b"content-length", b"transfer-encoding")
        ]
        if not self.persistent:
            pairs.append((b"Connection", b"close"))
        producer = self.bodyProducer
        if producer is None:
            if self.method in _BODY_EXPECTED:
                pairs.append((b"Content-Length", b"0"))
            transport.write(encodeRequestHead(self.method, self.uri, pairs))
            return succeed(None)
        length = producer.length
        if length is UNKNOWN_LENGTH:
            pairs.append((b"Transfer-Encoding", b"chunked"))
            known: int | None = None
        else:
            known = int(length)
            pairs.append((b"Content-Length", b"%d" % known))
        transport.write(encodeRequestHead(self.method, self.uri, pairs))
        self._writer = _BodyWriter(transport, producer, known)
        return self._writer.start()

    def stopWriting(self) -> None:
        """
        Stop writing the body, if it is still being written.
        """
        if self._writer is not None:
            self._writer.stop()


__all__ = ["Request"]
