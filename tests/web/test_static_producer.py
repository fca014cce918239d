"""
Tests for the producers of L{torsion.web.static}: they read a file one
chunk at a time, only when the consumer asks, and close it at the end or
when stopped.

L{DummyRequest} drives a pull producer to the end as soon as it is
registered; these tests use L{SlowRequest}, which records the registration
and lets the test play the transport, asking for one chunk at a time.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

import pytest
from zope.interface.verify import verifyObject

from torsion.internet.interfaces import IProducer, IPullProducer
from torsion.web.resource import getChildForRequest
from torsion.web.static import (
    File,
    MultipleRangeStaticProducer,
    NoRangeStaticProducer,
    SingleRangeStaticProducer,
    StaticProducer,
)
from torsion.web.testing import DummyRequest

CHUNK = StaticProducer.bufferSize


class SlowRequest(DummyRequest):
    """
    A request whose transport asks its pull producer for data only when
    the test calls L{pull}; it counts the bytes written instead of keeping
    them when C{keep} is false.
    """

    def __init__(self, postpath: list[bytes], keep: bool = True) -> None:
        super().__init__(postpath)
        self.keep = keep
        self.total = 0
        self.writes = 0
        self.largestWrite = 0
        self.lost = False

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        assert self.producer is None
        self.producer = producer
        self.streaming = streaming

    def write(self, data: bytes) -> None:
        self.total += len(data)
        self.writes += 1
        self.largestWrite = max(self.largestWrite, len(data))
        if self.keep:
            super().write(data)

    def loseConnection(self) -> None:
        self.lost = True

    def pull(self) -> bool:
        """
        Ask the producer for one chunk; return whether one is registered.
        """
        producer = self.producer
        if producer is None:
            return False
        producer.resumeProducing()  # type: ignore[attr-defined]
        return True


class TrackedFile(io.FileIO):
    """
    A file that records the largest single read asked of it.
    """

    largestRead = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size > self.largestRead:
            self.largestRead = size
        return super().read(size)


class TrackingFile(File):
    """
    A File that opens L{TrackedFile}s and keeps the last one.
    """

    opened: TrackedFile | None = None

    def openForReading(self) -> IO[bytes]:
        TrackingFile.opened = TrackedFile(self.path, "r")
        return TrackingFile.opened


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """
    A 1 GiB sparse file: it takes no disk and would take 1 GiB of memory
    if read whole.
    """
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(2**30)
        f.seek(2**30 - 4)
        f.write(b"tail")
    return path


class ProducerInterfaceTests:
    """
    The producers provide L{IPullProducer}.
    """

    def test_verify(self) -> None:
        """
        Each producer class is a verified L{IPullProducer}.
        """
        request = DummyRequest([])
        for producer in (
            NoRangeStaticProducer(request, io.BytesIO(b"x")),
            SingleRangeStaticProducer(request, io.BytesIO(b"x"), 0, 1),
            MultipleRangeStaticProducer(request, io.BytesIO(b"x"), []),
        ):
            assert verifyObject(IPullProducer, producer)
            producer.stopProducing()
            assert producer.fileObject.closed

    def test_baseIsAbstract(self) -> None:
        """
        L{StaticProducer} itself says what a subclass must implement.
        """
        producer = StaticProducer(DummyRequest([]), io.BytesIO())
        with pytest.raises(NotImplementedError, match=r"^StaticProducer must implement start"):
            producer.start()
        with pytest.raises(NotImplementedError, match=r"resumeProducing"):
            producer.resumeProducing()
        producer.pauseProducing()
        assert producer.request is not None


class LargeFileTests:
    """
    A large file is never read whole.
    """

    def test_registeredAsPull(self, big: Path) -> None:
        """
        Rendering registers a pull producer and writes nothing until the
        transport asks.
        """
        request = SlowRequest([b"big.bin"], keep=False)
        request.render(getChildForRequest(File(big.parent), request))
        assert isinstance(request.producer, NoRangeStaticProducer)
        assert request.streaming is False
        assert request.total == 0
        assert request.responseHeaders.getRawHeaders(b"content-length") == [b"%d" % (2**30,)]

    def test_oneChunkPerPull(self, big: Path) -> None:
        """
        Each pull reads and writes at most one chunk; the file position
        never runs ahead of what was written.
        """
        request = SlowRequest([b"big.bin"], keep=False)
        request.render(getChildForRequest(TrackingFile(big.parent), request))
        opened = TrackingFile.opened
        assert opened is not None
        for pulls in range(1, 6):
            request.pull()
            assert request.total == pulls * CHUNK
            assert opened.tell() == request.total
        assert opened.largestRead == CHUNK
        assert request.largestWrite == CHUNK
        assert not request.finished

    def test_stopClosesFile(self, big: Path) -> None:
        """
        C{stopProducing} (the client went away) closes the file, and a
        later pull does nothing.
        """
        request = SlowRequest([b"big.bin"], keep=False)
        request.render(getChildForRequest(TrackingFile(big.parent), request))
        producer = request.producer
        assert isinstance(producer, NoRangeStaticProducer)
        request.pull()
        producer.stopProducing()
        assert producer.fileObject.closed
        assert producer.request is None
        producer.resumeProducing()
        assert request.total == CHUNK
        assert not request.finished

    def test_wholeFileStreamed(self, tmp_path: Path) -> None:
        """
        Pulling to the end sends every byte in chunks, then unregisters,
        finishes and closes the file.
        """
        path = tmp_path / "mid.bin"
        with open(path, "wb") as f:
            f.truncate(8 * CHUNK + 123)
        request = SlowRequest([b"mid.bin"], keep=False)
        request.render(getChildForRequest(TrackingFile(tmp_path), request))
        while request.pull():
            pass
        assert request.total == 8 * CHUNK + 123
        assert request.writes == 9
        assert request.finished
        assert TrackingFile.opened is not None and TrackingFile.opened.closed

    def test_rangeOfLargeFile(self, big: Path) -> None:
        """
        A range near the end of a large file seeks there and reads only
        the range.
        """
        request = SlowRequest([b"big.bin"])
        request.requestHeaders.setRawHeaders(b"range", [b"bytes=-10"])
        request.render(getChildForRequest(TrackingFile(big.parent), request))
        while request.pull():
            pass
        assert b"".join(request.written) == b"\x00" * 6 + b"tail"
        assert request.responseCode == 206
        assert request.finished


class SingleRangeProducerTests:
    """
    L{SingleRangeStaticProducer} sends one slice.
    """

    def test_chunks(self) -> None:
        """
        The slice is read in C{bufferSize} pieces, then the request is
        finished.
        """
        request = SlowRequest([])
        producer = SingleRangeStaticProducer(request, io.BytesIO(bytes(range(100))), 10, 25)
        producer.bufferSize = 10
        producer.start()
        while request.pull():
            pass
        assert request.written == [bytes(range(10, 20)), bytes(range(20, 30)), bytes(range(30, 35))]
        assert request.finished

    def test_truncatedFile(self) -> None:
        """
        A file shorter than promised closes the connection instead of
        finishing the response.
        """
        request = SlowRequest([])
        fileObject = io.BytesIO(b"short")
        producer = SingleRangeStaticProducer(request, fileObject, 0, 100)
        producer.start()
        while request.pull():
            pass
        assert request.lost
        assert not request.finished
        assert fileObject.closed

    def test_truncatedWithoutLoseConnection(self) -> None:
        """
        On a request that cannot close its connection, a truncated file
        finishes the response.
        """
        request = DummyRequest([])
        SingleRangeStaticProducer(request, io.BytesIO(b"ab"), 0, 10).start()
        assert request.written == [b"ab"]
        assert request.finished


class MultipleRangeProducerTests:
    """
    L{MultipleRangeStaticProducer} sends parts with their separators.
    """

    def test_parts(self) -> None:
        """
        Separators and slices come in order, the closing boundary last, and
        no pull writes more than C{bufferSize} bytes of file data.
        """
        data = bytes(range(256)) * 4
        reads: list[int] = []

        class Recorded(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:
                chunk = super().read(size)
                reads.append(len(chunk))
                return chunk

        request = SlowRequest([])
        info = [(b"<1>", 0, 30), (b"<2>", 500, 5), (b"<end>", 0, 0)]
        producer = MultipleRangeStaticProducer(request, Recorded(data), info)
        producer.bufferSize = 8
        producer.start()
        while request.pull():
            pass
        assert b"".join(request.written) == b"<1>" + data[0:30] + b"<2>" + data[500:505] + b"<end>"
        assert max(reads) <= 8
        assert len(request.written) == 5  # 35 bytes of data, 8 per pull
        assert request.finished

    def test_truncated(self) -> None:
        """
        A part past the end of a shrunken file closes the connection.
        """
        request = SlowRequest([])
        producer = MultipleRangeStaticProducer(
            request, io.BytesIO(b"abc"), [(b"|", 0, 2), (b"|", 10, 5), (b"end", 0, 0)]
        )
        producer.start()
        while request.pull():
            pass
        assert request.lost and not request.finished


def test_fileSizeFromOpenDescriptor(tmp_path: Path) -> None:
    """
    Content-Length is the size of the file that was opened, even when the
    path is replaced after the lookup.
    """
    path = tmp_path / "f.txt"
    path.write_bytes(b"first version")
    request = DummyRequest([b"f.txt"])
    child = getChildForRequest(File(tmp_path), request)
    os.replace(tmp_path / "f.txt", tmp_path / "old")
    path.write_bytes(b"v2")
    request.render(child)
    assert b"".join(request.written) == b"v2"
    assert request.responseHeaders.getRawHeaders(b"content-length") == [b"2"]
