"""
Tests for L{torsion.protocols.basic.FileSender}, with a
L{StringTransport} as the consumer.  (Over real TCP: test_basic_tcp.py.)
"""

from __future__ import annotations

import io
import re

import pytest
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet.interfaces import IPullProducer
from torsion.internet.testing import StringTransport
from torsion.protocols.basic import FileSender


def pump(sender: FileSender, consumer: StringTransport) -> list[int]:
    """
    Ask C{sender} for chunks, as a consumer whose buffer keeps draining
    would, until it unregisters.

    @return: The size of each chunk written.
    """
    sizes: list[int] = []
    while consumer.producer is sender:
        before = len(consumer.value())
        sender.resumeProducing()
        sizes.append(len(consumer.value()) - before)
    return sizes


class FileSenderTests:
    def test_interface(self) -> None:
        """
        FileSender is a pull producer.
        """
        assert verifyObject(IPullProducer, FileSender())

    def test_wholeFile(self) -> None:
        """
        The file is written in CHUNK_SIZE pieces, one per request; the
        Deferred fires with the last byte once it has all been written,
        and the sender unregisters.
        """
        content = bytes(range(256)) * 200
        sender = FileSender()
        sender.CHUNK_SIZE = 10_000
        consumer = StringTransport()
        d = sender.beginFileTransfer(io.BytesIO(content), consumer)
        assert consumer.producer is sender
        assert consumer.streaming is False
        assertNoResult(d)
        sizes = pump(sender, consumer)
        assert sizes == [10_000, 10_000, 10_000, 10_000, 10_000, 1_200, 0]
        assert consumer.value() == content
        assert resultOf(d) == b"\xff"
        assert consumer.producer is None

    def test_defaultChunkSize(self) -> None:
        """
        CHUNK_SIZE is 16 KiB, as in Twisted.
        """
        assert FileSender.CHUNK_SIZE == 2**14

    def test_emptyFile(self) -> None:
        """
        An empty file fires the Deferred with C{b""} at the first request.
        """
        sender = FileSender()
        consumer = StringTransport()
        d = sender.beginFileTransfer(io.BytesIO(), consumer)
        pump(sender, consumer)
        assert resultOf(d) == b""
        assert consumer.value() == b""

    def test_fromCurrentPosition(self) -> None:
        """
        Reading starts at the file's current position.
        """
        f = io.BytesIO(b"skip:send")
        f.seek(5)
        sender = FileSender()
        consumer = StringTransport()
        d = sender.beginFileTransfer(f, consumer)
        pump(sender, consumer)
        assert consumer.value() == b"send"
        assert resultOf(d) == b"d"

    def test_transform(self) -> None:
        """
        Each chunk goes through C{transform}; the last byte is the
        transformed one.
        """
        sender = FileSender()
        sender.CHUNK_SIZE = 3
        consumer = StringTransport()
        d = sender.beginFileTransfer(io.BytesIO(b"abcdefg"), consumer, bytes.upper)
        pump(sender, consumer)
        assert consumer.value() == b"ABCDEFG"
        assert resultOf(d) == b"G"

    def test_stopProducing(self) -> None:
        """
        If the consumer stops the transfer, the Deferred fails saying how
        far it got, and nothing more is written.
        """
        sender = FileSender()
        sender.CHUNK_SIZE = 4
        consumer = StringTransport()
        d = sender.beginFileTransfer(io.BytesIO(b"0123456789"), consumer)
        sender.resumeProducing()
        sender.stopProducing()
        sender.resumeProducing()
        failure = failureOf(d, Exception)
        assert str(failure.value) == (
            "Consumer asked us to stop producing: the file transfer stopped after 4 bytes, "
            "before the end of the file"
        )
        assert consumer.value() == b"0123"
        sender.stopProducing()  # a second stop does nothing

    def test_readError(self) -> None:
        """
        If reading fails, the sender unregisters and the Deferred fails
        with the error.
        """

        class Broken(io.BytesIO):
            def read(self, size: int | None = -1, /) -> bytes:
                raise OSError("disk on fire")

        sender = FileSender()
        consumer = StringTransport()
        d = sender.beginFileTransfer(Broken(), consumer)
        sender.resumeProducing()
        assert str(failureOf(d, OSError).value) == "disk on fire"
        assert consumer.producer is None

    def test_pauseProducingDoesNothing(self) -> None:
        """
        pauseProducing is accepted and changes nothing: a pull producer
        writes only when asked.
        """
        sender = FileSender()
        consumer = StringTransport()
        d = sender.beginFileTransfer(io.BytesIO(b"x"), consumer)
        sender.pauseProducing()
        pump(sender, consumer)
        assert resultOf(d) == b"x"

    def test_oneTransferAtATime(self) -> None:
        """
        Starting a second transfer while one is running is refused.
        """
        sender = FileSender()
        sender.beginFileTransfer(io.BytesIO(b"x"), StringTransport())
        with pytest.raises(RuntimeError, match=re.escape("is already sending a file")):
            sender.beginFileTransfer(io.BytesIO(b"y"), StringTransport())

    def test_consumerRefuses(self) -> None:
        """
        If the consumer refuses the producer, beginFileTransfer raises its
        error and the sender can be used again.
        """
        consumer = StringTransport()
        consumer.registerProducer(FileSender(), False)
        sender = FileSender()
        with pytest.raises(RuntimeError, match=r"^Cannot register two producers"):
            sender.beginFileTransfer(io.BytesIO(b"x"), consumer)
        other = StringTransport()
        d = sender.beginFileTransfer(io.BytesIO(b"x"), other)
        pump(sender, other)
        assert resultOf(d) == b"x"
