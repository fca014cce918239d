# FileBodyProducer: a request body read from a file object, a block at a
# time, by a cooperator (so a large file never blocks the reactor for
# long).  Its length comes from seeking to the end and back; a file that
# cannot seek has an unknown length (and so goes out chunked).  Pausing
# and resuming pause the cooperative task; stopProducing stops it and
# closes the file, and the startProducing Deferred then never fires (the
# consumer asked to stop, so nobody waits for it).
from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from zope.interface import implementer

from torsion.internet import task
from torsion.internet.defer import Deferred
from torsion.internet.interfaces import IConsumer
from torsion.python.failure import Failure
from torsion.web.iweb import UNKNOWN_LENGTH, IBodyProducer


@implementer(IBodyProducer)
class FileBodyProducer:
    """
    Produces a request body from a file, C{readSize} bytes at a time.

    @ivar length: The bytes from the file's position to its end, or
        L{UNKNOWN_LENGTH} if the file cannot seek.
    """

    def __init__(self, inputFile: IO[bytes], cooperator: Any = task, readSize: int = 2**16) -> None:
        """
        @param inputFile: The file, read from its current position.
        @param cooperator: What runs the reading: a L{task.Cooperator}, or
            anything with a C{cooperate} function (the default is the
            global one in L{torsion.internet.task}).
        @param readSize: Bytes per read.
        @raise ValueError: If C{readSize} is not a positive int.
        """
        if type(readSize) is not int or readSize < 1:
            raise ValueError(f"FileBodyProducer readSize must be a positive int, not {readSize!r}")
        self._inputFile = inputFile
        self._cooperate = cooperator.cooperate
        self._readSize = readSize
        self._task: Any = None
        self.length: int | str = self._determineLength(inputFile)

    @staticmethod
    def _determineLength(inputFile: IO[bytes]) -> int | str:
        try:
            start = inputFile.tell()
            end = inputFile.seek(0, 2)
            inputFile.seek(start, 0)
        except (AttributeError, OSError, ValueError):
            return UNKNOWN_LENGTH
        return int(end) - int(start)

    def startProducing(self, consumer: IConsumer) -> Deferred[None]:
        """
        Start writing the file to C{consumer}.

        @param consumer: Where to write.
        @return: Fires when the whole file is written (the file is then
            closed); fails if reading fails.
        """
        self._task = self._cooperate(self._writeloop(consumer))
        done: Deferred[None] = Deferred()

        def finished(ignored: object) -> None:
            done.callback(None)

        def failed(reason: Failure) -> None:
            if not reason.check(task.TaskStopped):
                done.errback(reason)

        self._task.whenDone().addCallbacks(finished, failed)
        return done

    def _writeloop(self, consumer: IConsumer) -> Iterator[None]:
        while True:
            data = self._inputFile.read(self._readSize)
            if not data:
                self._inputFile.close()
                return
            consumer.write(data)
            yield None

    def pauseProducing(self) -> None:
        """
        Stop reading until L{resumeProducing}.
        """
        if self._task is not None:
            try:
                self._task.pause()
            except task.TaskDone:
                pass

    def resumeProducing(self) -> None:
        """
        Read again after L{pauseProducing}.
        """
        if self._task is not None:
            try:
                self._task.resume()
            except (task.TaskDone, task.NotPaused):
                pass

    def stopProducing(self) -> None:
        """
        Stop for good and close the file; the startProducing Deferred
        never fires.
        """
        self._inputFile.close()
        if self._task is not None:
            try:
                self._task.stop()
            except task.TaskDone:
                pass


__all__ = ["FileBodyProducer"]
