# Content encoding (compression) of responses: EncodingResourceWrapper
# wraps a resource, and each of its encoder factories may offer an encoder
# for a request (GzipEncoderFactory: when the client accepts gzip).
#
# How it works.  torsion's Request has no hook for an encoder (Twisted's
# has request._encoder), so the wrapper hands the resource a stand-in
# request, _EncodingRequest, that forwards everything to the real one
# except write() and finish() (and producer registration, to know the
# producer's kind).  The choice to encode is made lazily, at the first
# byte written (or at finish): only then are the status and headers final.
# It does not encode a HEAD request, a 1xx/204/206/304 response, or a
# response that already has a Content-Encoding; otherwise it sets
# Content-Encoding: gzip, drops the Content-Length (the length changes) and
# compresses with a zlib compressobj in gzip framing (wbits 16 + 15).
#
# A body returned whole from render() is compressed whole, so the server
# still sends it with a Content-Length (of the compressed bytes).  Writes
# made while render() runs are compressed without flushing; when render()
# returns NOT_DONE_YET, and on every later write, the compressor is
# flushed (Z_SYNC_FLUSH) so that each piece reaches the client when it is
# written, as an unencoded stream would, and so that a pull producer is
# never left waiting for a write that produced no bytes (the transport
# only asks a pull producer again once something was written).  A sync
# flush costs a few bytes per write; the compression state is kept across
# flushes, so the ratio barely changes.
#
# Vary: Accept-Encoding is added to every response the wrapper renders,
# encoded or not, since the choice depends on that request header.
from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from zope.interface import implementer

from torsion.web._notdone import NOT_DONE_YET
from torsion.web.iweb import IRequest, IResource

_NOT_ENCODED_CODES = frozenset({204, 206, 304})
_CODING = re.compile(rb"^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?")


def acceptedCodings(request: IRequest) -> dict[bytes, float]:
    """
    The content codings a request's I{Accept-Encoding} headers list, with
    their q-values (RFC 9110 section 12.5.3).

    @param request: The request.
    @return: Lowercased coding name to weight (1.0 when not given); a
        malformed weight counts as 0.
    """
    accepted: dict[bytes, float] = {}
    for header in request.requestHeaders.getRawHeaders(b"accept-encoding", []):
        for item in header.split(b","):
            match = _CODING.match(item)
            if match is None:
                continue
            name, weight = match.group(1).lower(), match.group(2)
            try:
                q = 1.0 if weight is None else float(weight)
            except ValueError:
                q = 0.0
            accepted[name] = max(0.0, min(q, 1.0))
    return accepted


class _GzipEncoder:
    """
    Compresses one response body in gzip framing.
    """

    __slots__ = ("_compress",)

    def __init__(self, compressLevel: int) -> None:
        self._compress: Any = zlib.compressobj(compressLevel, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def encode(self, data: bytes) -> bytes:
        """
        Compress a piece of the body; may return nothing yet.

        @param data: The piece.
        @return: Compressed bytes ready to send.
        """
        out: bytes = self._compress.compress(data)
        return out

    def flush(self) -> bytes:
        """
        Everything compressed so far that is still held back, so that the
        client can decompress all pieces given until now.

        @return: Compressed bytes.
        """
        out: bytes = self._compress.flush(zlib.Z_SYNC_FLUSH)
        return out

    def finish(self) -> bytes:
        """
        End the body.

        @return: The last compressed bytes and the gzip trailer.
        """
        out: bytes = self._compress.flush(zlib.Z_FINISH)
        return out


class GzipEncoderFactory:
    """
    Offers gzip compression to requests whose I{Accept-Encoding} accepts
    it (C{gzip} or C{*} with a weight above 0), for L{EncodingResourceWrapper}.

    @ivar compressLevel: The zlib level, 1 (fast) to 9 (small).
    """

    #: The coding this factory produces.
    coding = b"gzip"

    def __init__(self, compressLevel: int = 9) -> None:
        """
        @param compressLevel: The zlib compression level, 0 to 9.
        @raise ValueError: If it is out of range.
        """
        if type(compressLevel) is not int or not 0 <= compressLevel <= 9:
            raise ValueError(
                f"GzipEncoderFactory(compressLevel={compressLevel!r}): the level is an "
                "int from 0 (no compression) to 9 (smallest output)"
            )
        self.compressLevel = compressLevel

    def encoderForRequest(self, request: IRequest) -> _GzipEncoder | None:
        """
        An encoder for C{request}'s response, if the client accepts gzip.

        @param request: The request.
        @return: A new encoder, or L{None}.
        """
        accepted = acceptedCodings(request)
        weight = accepted.get(b"gzip", accepted.get(b"x-gzip", accepted.get(b"*", 0.0)))
        if weight <= 0.0:
            return None
        return _GzipEncoder(self.compressLevel)


@implementer(IRequest)
class _EncodingRequest:
    """
    Stands in for a request while a wrapped resource renders: compresses
    what is written, and forwards everything else to the real request.
    """

    def __init__(self, request: Any, encoder: Any, coding: bytes) -> None:
        object.__setattr__(self, "_request", request)
        object.__setattr__(self, "_encoder", encoder)
        object.__setattr__(self, "_coding", coding)
        #: None: not decided yet; then whether the body is encoded.
        object.__setattr__(self, "_encoding", None)
        object.__setattr__(self, "_flushWrites", False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._request, name, value)

    def __repr__(self) -> str:
        return f"<encoding {self._coding.decode('ascii')}: {self._request!r}>"

    def _decide(self) -> bool:
        # Called at the first write (or finish): the head is final now.
        request = self._request
        headers = request.responseHeaders
        code = getattr(request, "code", None)
        if code is None:
            code = getattr(request, "responseCode", None) or 200
        encoding = (
            request.method != b"HEAD"
            and code >= 200
            and code not in _NOT_ENCODED_CODES
            and not headers.hasHeader(b"content-encoding")
        )
        if encoding:
            headers.setRawHeaders(b"content-encoding", [self._coding])
            headers.removeHeader(b"content-length")
        object.__setattr__(self, "_encoding", encoding)
        return encoding

    def write(self, data: bytes) -> None:
        """
        Compress C{data} and write what comes out.

        @param data: A piece of the body.
        """
        if not isinstance(data, bytes):
            self._request.write(data)  # let the request explain the mistake
            return
        encoding = self._encoding
        if encoding is None:
            encoding = self._decide()
        if not encoding:
            self._request.write(data)
            return
        out = self._encoder.encode(data)
        if self._flushWrites:
            out += self._encoder.flush()
        if out:
            self._request.write(out)

    def _rendered(self) -> None:
        # render() returned NOT_DONE_YET: from now on every write is sent
        # at once, and what was written so far goes out now.
        object.__setattr__(self, "_flushWrites", True)
        if self._encoding and not self._request.finished:
            out = self._encoder.flush()
            if out:
                self._request.write(out)

    def finish(self) -> None:
        """
        Write the end of the compressed body, then finish the request.
        """
        if self._encoding is None and not self._request.finished:
            self._decide()
        if self._encoding and not self._request.finished:
            out = self._encoder.finish()
            object.__setattr__(self, "_encoding", False)
            if out:
                self._request.write(out)
        self._request.finish()

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer of the body with the real request.

        @param producer: The producer; it writes to this stand-in.
        @param streaming: Whether it is a push producer.
        """
        object.__setattr__(self, "_flushWrites", True)
        self._request.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """
        Forget the producer.
        """
        self._request.unregisterProducer()


@implementer(IResource)
class EncodingResourceWrapper:
    """
    Wrap a resource so that its responses are content-encoded (compressed)
    when the client accepts it.

    The first factory in C{encoders} that offers an encoder for a request
    encodes its response.  Children are not wrapped: traversal goes to the
    wrapped resource's children as they are (wrap each resource that
    should be compressed, or a leaf).

        root.putChild(b"data", EncodingResourceWrapper(data, [GzipEncoderFactory()]))

    @ivar _original: The wrapped resource.
    @ivar _encoders: The encoder factories, in order of preference.
    """

    def __init__(self, original: IResource, encoders: Sequence[Any] | Iterable[Any]) -> None:
        """
        @param original: The resource to wrap.
        @param encoders: Encoder factories, such as L{GzipEncoderFactory};
            each has C{encoderForRequest(request)} returning an encoder or
            L{None}.
        """
        self._original = original
        self._encoders = list(encoders)

    @property
    def isLeaf(self) -> bool:
        """
        Whether the wrapped resource is a leaf.
        """
        return bool(self._original.isLeaf)

    def getChildWithDefault(self, name: bytes, request: IRequest) -> IResource:
        """
        The wrapped resource's child.

        @param name: The path segment.
        @param request: The request.
        @return: The child (not wrapped).
        """
        return self._original.getChildWithDefault(name, request)

    def putChild(self, path: bytes, child: IResource) -> None:
        """
        Add a child to the wrapped resource.

        @param path: The path segment.
        @param child: The child.
        """
        self._original.putChild(path, child)

    def _getEncoder(self, request: IRequest) -> tuple[Any, bytes] | None:
        """
        The first encoder a factory offers for C{request}, and its coding.
        """
        for factory in self._encoders:
            encoder = factory.encoderForRequest(request)
            if encoder is not None:
                return encoder, getattr(factory, "coding", b"gzip")
        return None

    def render(self, request: IRequest) -> Any:
        """
        Render the wrapped resource, encoding its body if the client
        accepts an encoding.

        @param request: The request.
        @return: The (encoded) body, or C{NOT_DONE_YET}.
        """
        vary = request.responseHeaders.getRawHeaders(b"vary", [])
        if not any(b"accept-encoding" in value.lower() for value in vary):
            request.responseHeaders.addRawHeader(b"vary", b"Accept-Encoding")
        if request.method == b"HEAD":
            return self._original.render(request)
        found = self._getEncoder(request)
        if found is None:
            return self._original.render(request)
        encoder, coding = found
        stand = _EncodingRequest(request, encoder, coding)
        try:
            body = self._original.render(stand)
        except BaseException:
            # The server answers 500 with its own, unencoded page.
            if stand._encoding:
                request.responseHeaders.removeHeader(b"content-encoding")
            raise
        if body is NOT_DONE_YET:
            stand._rendered()
            return body
        if not isinstance(body, bytes) or getattr(request, "finished", False):
            return body  # the server reports the mistake
        encoding = stand._encoding
        if encoding is None:
            encoding = stand._decide()
        if not encoding:
            return body
        # The whole body is known: compress it at once, and let the server
        # send it with a Content-Length.
        whole: bytes = encoder.encode(body) + encoder.finish()
        return whole


__all__ = ["EncodingResourceWrapper", "GzipEncoderFactory"]
