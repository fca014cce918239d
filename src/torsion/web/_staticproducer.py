# The producers that send a file's bytes to a request without holding the
# file in memory.
#
# Each one is a pull producer (IPullProducer): start() registers it on the
# request with streaming=False, and the transport calls resumeProducing()
# each time its buffer has drained.  Every call reads at most bufferSize
# (64 KiB) bytes of the file and writes them, so memory stays at one chunk
# per connection however large the file is and however slow the client.
# When the last byte is written the producer unregisters, finishes the
# request and closes the file; stopProducing() (the connection went away)
# closes the file and forgets the request, and later resumeProducing()
# calls do nothing.
#
# On a real connection that allows it (plain TCP, a Content-Length body:
# see Request._sendFile) a whole file or a single range is not read at all:
# it is handed to the transport's sendFile (sendfile(2)), which sends it
# from the page cache, and the request finishes when that is done.  Other
# requests (TLS, an encoding wrapper, test doubles) take the read loop.
#
# If the file shrinks while it is being sent, the promised Content-Length
# can no longer be met: the producer closes the connection (the request's
# loseConnection(), when it has one) instead of finishing, so that the
# client sees a truncated response rather than a desynchronised stream.
from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import IO, Any, cast

from zope.interface import implementer

from torsion.internet.interfaces import IConsumer, IPullProducer
from torsion.web.iweb import IRequest


def _consumer(request: IRequest) -> IConsumer:
    """
    C{request} as the consumer it is: a server's request takes producers,
    as Twisted's does, though L{IRequest} does not list those methods.
    """
    return cast(IConsumer, request)


@implementer(IPullProducer)
class StaticProducer:
    """
    The base of the producers that send (part of) an open file to a request.

    @ivar request: The request, or L{None} once the producer stopped.
    @ivar fileObject: The open binary file; closed when the producer stops.
    @ivar bufferSize: The most bytes of the file read per
        C{resumeProducing}.
    """

    bufferSize = 2**16

    def __init__(self, request: IRequest, fileObject: IO[bytes]) -> None:
        """
        @param request: The request to write to.
        @param fileObject: The file, open for reading in binary mode; the
            producer owns it from now on.
        """
        self.request: IRequest | None = request
        self.fileObject = fileObject

    def start(self) -> None:
        """
        Register on the request and begin sending.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement start()")

    def resumeProducing(self) -> None:
        """
        Write the next chunk to the request.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement resumeProducing()")

    def stopProducing(self) -> None:
        """
        Stop for good: close the file and forget the request.
        """
        self.fileObject.close()
        self.request = None

    def pauseProducing(self) -> None:
        """
        Nothing to do: a pull producer only writes when asked.
        """

    def _sendByKernel(self, offset: int | None, count: int | None) -> bool:
        """
        Hand the rest of the work to the request's C{_sendFile}, if it has
        one and this response and file allow it.

        @param offset: Where to start; L{None}: the file's position.
        @param count: How many bytes; L{None}: up to the file's end.
        @return: Whether the bytes are on their way (then the producer
            finishes the request, or closes the connection, when they are
            sent); if not, nothing was done.
        """
        request = self.request
        sendFile = getattr(type(request), "_sendFile", None)
        if sendFile is None:
            return False
        try:
            fd = self.fileObject.fileno()
            if offset is None:
                offset = self.fileObject.tell()
            if count is None:
                count = max(0, os.fstat(fd).st_size - offset)
        except (OSError, AttributeError, io.UnsupportedOperation):
            return False  # not a real file
        sending = sendFile(request, self.fileObject, offset, count)
        if sending is None:
            return False
        sending.addCallbacks(self._sentByKernel, self._notSentByKernel)
        return True

    def _sentByKernel(self, count: int) -> None:
        if self.request is not None:
            self._done()

    def _notSentByKernel(self, reason: Any) -> None:
        if reason.check(EOFError, OSError) and self.request is not None:
            # The file ended early or could not be read: the promised
            # length cannot be sent.
            self._truncated()
        else:
            self.stopProducing()  # the connection is gone

    def _done(self) -> None:
        """
        Everything was written: unregister, finish the request, close.
        """
        request = self.request
        self.stopProducing()
        if request is not None:
            _consumer(request).unregisterProducer()
            request.finish()

    def _truncated(self) -> None:
        """
        The file ended early: close the connection, since the promised
        length cannot be sent.
        """
        request = self.request
        self.stopProducing()
        if request is None:
            return
        _consumer(request).unregisterProducer()
        lose: Any = getattr(request, "loseConnection", None)
        if lose is not None:
            lose()
        else:
            request.finish()


class NoRangeStaticProducer(StaticProducer):
    """
    Sends a whole file, from its current position to its end.
    """

    def start(self) -> None:
        """
        Hand the file to the transport's C{sendfile}, or register on the
        request as a pull producer.
        """
        assert self.request is not None
        if not self._sendByKernel(None, None):
            _consumer(self.request).registerProducer(self, False)

    def resumeProducing(self) -> None:
        """
        Write the next chunk, or finish at the end of the file.
        """
        if self.request is None:
            return
        data = self.fileObject.read(self.bufferSize)
        if data:
            self.request.write(data)
        else:
            self._done()


class SingleRangeStaticProducer(StaticProducer):
    """
    Sends C{size} bytes of a file starting at C{offset}.
    """

    def __init__(self, request: IRequest, fileObject: IO[bytes], offset: int, size: int) -> None:
        """
        @param request: The request to write to.
        @param fileObject: The open file.
        @param offset: Where the range starts.
        @param size: How many bytes to send.
        """
        super().__init__(request, fileObject)
        self.offset = offset
        self.size = size
        self._left = size

    def start(self) -> None:
        """
        Hand the range to the transport's C{sendfile}, or seek to it and
        register on the request as a pull producer.
        """
        assert self.request is not None
        if self.size and self._sendByKernel(self.offset, self.size):
            return
        self.fileObject.seek(self.offset)
        _consumer(self.request).registerProducer(self, False)

    def resumeProducing(self) -> None:
        """
        Write the next chunk of the range, or finish after its end.
        """
        if self.request is None:
            return
        if self._left == 0:
            self._done()
            return
        data = self.fileObject.read(min(self.bufferSize, self._left))
        if not data:
            self._truncated()
            return
        self._left -= len(data)
        self.request.write(data)


class MultipleRangeStaticProducer(StaticProducer):
    """
    Sends several ranges of a file, each preceded by its separator (the
    I{multipart/byteranges} boundary and part headers).

    @ivar rangeInfo: The parts still to send: C{(separator, offset, size)};
        the closing boundary is the last part, with size 0.
    """

    def __init__(
        self, request: IRequest, fileObject: IO[bytes], rangeInfo: Sequence[tuple[bytes, int, int]]
    ) -> None:
        """
        @param request: The request to write to.
        @param fileObject: The open file.
        @param rangeInfo: C{(separator, offset, size)} for each part, in
            order; put the closing boundary last with size 0.
        """
        super().__init__(request, fileObject)
        self.rangeInfo = list(rangeInfo)
        self._left = 0

    def start(self) -> None:
        """
        Register on the request as a pull producer.
        """
        assert self.request is not None
        _consumer(self.request).registerProducer(self, False)

    def _nextRange(self) -> bytes:
        """
        Move to the next part; return its separator.
        """
        separator, offset, size = self.rangeInfo.pop(0)
        self.fileObject.seek(offset)
        self._left = size
        return separator

    def resumeProducing(self) -> None:
        """
        Write up to C{bufferSize} bytes of file data with the separators
        around them, or finish after the last part.
        """
        if self.request is None:
            return
        if self._left == 0 and not self.rangeInfo:
            self._done()
            return
        pieces: list[bytes] = []
        budget = self.bufferSize
        while budget > 0:
            if self._left == 0:
                if not self.rangeInfo:
                    break
                pieces.append(self._nextRange())
                continue
            data = self.fileObject.read(min(budget, self._left))
            if not data:
                self._truncated()
                return
            pieces.append(data)
            self._left -= len(data)
            budget -= len(data)
        self.request.write(b"".join(pieces))
