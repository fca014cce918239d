# FileSender: copy a file to a consumer (a transport, usually) as a pull
# producer.
#
# How it works
# ------------
# beginFileTransfer registers the sender with the consumer as a pull
# producer (streaming=False).  The consumer calls resumeProducing whenever
# it wants more (a transport: each time its write buffer has drained); each
# call reads CHUNK_SIZE bytes, passes them through `transform` if there is
# one, and writes them.  An empty read is the end of the file: the sender
# unregisters and fires its Deferred with the last byte written (b"" for an
# empty file).  So at most one chunk is buffered in the consumer at a time,
# whatever the file's size.
#
# If the consumer gives up (stopProducing: the connection closed, say) or
# reading or transforming fails, the Deferred fails instead; either way it
# fires exactly once.
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol as _TypingProtocol

from zope.interface import implementer

from torsion.internet._deferred import Deferred
from torsion.internet._itransport import IConsumer, IPullProducer


class _Readable(_TypingProtocol):
    def read(self, size: int, /) -> bytes: ...


@implementer(IPullProducer)
class FileSender:
    """
    A pull producer that sends the contents of a file to a consumer,
    optionally transforming each chunk on the way.

    @cvar CHUNK_SIZE: How many bytes to read for each chunk.
    @ivar lastSent: The last byte written so far.
    @ivar deferred: The transfer's Deferred, until it fires.
    """

    CHUNK_SIZE: int = 2**14
    lastSent: bytes = b""
    deferred: Deferred[bytes] | None = None
    file: _Readable | None = None
    consumer: IConsumer | None = None
    transform: Callable[[bytes], bytes] | None = None

    def __init__(self) -> None:
        self._sent = 0

    def beginFileTransfer(
        self,
        file: _Readable,
        consumer: IConsumer,
        transform: Callable[[bytes], bytes] | None = None,
    ) -> Deferred[bytes]:
        """
        Start sending C{file} to C{consumer}.

        @param file: A binary file-like object, read from its current
            position to its end.
        @param consumer: Where the bytes go, for example a transport.
        @param transform: Called with each chunk read; what it returns is
            written instead.
        @return: A Deferred that fires with the last byte written (C{b""} if
            none) once the whole file has been written to C{consumer}, or
            fails if the consumer stops the transfer or the file cannot be
            read.
        @raise RuntimeError: If a transfer is already in progress.  (And
            whatever C{consumer.registerProducer} raises, if it refuses.)
        """
        if self.deferred is not None:
            raise RuntimeError(
                f"{self!r} is already sending a file; use one FileSender per transfer"
            )
        self.file = file
        self.consumer = consumer
        self.transform = transform
        self._sent = 0
        deferred: Deferred[bytes] = Deferred()
        self.deferred = deferred
        try:
            consumer.registerProducer(self, False)
        except BaseException:
            # The consumer refused (it has another producer, say): no
            # transfer started.
            self.deferred = self.file = self.consumer = None
            raise
        return deferred

    def resumeProducing(self) -> None:
        """
        Write the next chunk to the consumer, or finish at the end of the
        file.
        """
        file = self.file
        if file is None:
            return
        try:
            chunk = file.read(self.CHUNK_SIZE)
            if chunk and self.transform is not None:
                chunk = self.transform(chunk)
        except Exception as e:
            self._finish(e)
            return
        if not chunk:
            self._finish(None)
            return
        assert self.consumer is not None
        self.consumer.write(chunk)
        self._sent += len(chunk)
        self.lastSent = chunk[-1:]

    def pauseProducing(self) -> None:
        """
        Do nothing: a pull producer only writes when asked.
        """

    def stopProducing(self) -> None:
        """
        The consumer gave up: fail the Deferred, and write nothing more.
        """
        if self.deferred is None:
            return
        self.file = None
        deferred, self.deferred = self.deferred, None
        deferred.errback(
            Exception(
                f"Consumer asked us to stop producing: the file transfer stopped after "
                f"{self._sent} bytes, before the end of the file"
            )
        )

    def _finish(self, error: Exception | None) -> None:
        """
        End the transfer: unregister, then fire the Deferred.
        """
        self.file = None
        consumer = self.consumer
        deferred, self.deferred = self.deferred, None
        if consumer is not None:
            consumer.unregisterProducer()
        if deferred is None:
            return
        if error is None:
            deferred.callback(self.lastSent)
        else:
            deferred.errback(error)


__all__ = ["FileSender"]
