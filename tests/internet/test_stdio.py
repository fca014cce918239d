"""
Tests for L{torsion.internet.stdio.StandardIO}: in this process over real
pipes, files and sockets on every reactor backend, and in child processes
whose standard input and output are pipes, a file or a terminal.
"""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import termios
import textwrap
import tty
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.internet.reactors import backendReactor, runReactor
from torsion.internet._pipe import PipeReader, PipeWriter
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.error import ConnectionDone
from torsion.internet.interfaces import (
    IAddress,
    IConsumer,
    IHalfCloseableDescriptor,
    IHalfCloseableProtocol,
    IPushProducer,
    ITransport,
)
from torsion.internet.protocol import Protocol
from torsion.internet.stdio import PipeAddress, StandardIO
from torsion.python.failure import Failure

__all__ = ["backendReactor"]

CHILD_TIMEOUT = 60


def identity(fd: int) -> tuple[int, int] | None:
    """
    @return: What C{fd} refers to (device and inode), or L{None} if closed.
    """
    try:
        info = os.fstat(fd)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


class Descriptors:
    """
    Pipes made for a test.  Afterwards each end is closed if it is still
    open on the same pipe: not if the transport closed it and the number
    was reused meanwhile.
    """

    def __init__(self) -> None:
        self._made: list[tuple[int, tuple[int, int] | None]] = []

    def pipe(self) -> tuple[int, int]:
        """
        @return: A new pipe's read and write ends.
        """
        r, w = os.pipe()
        self._made += [(r, identity(r)), (w, identity(w))]
        return r, w

    def closeAll(self) -> None:
        for fd, what in self._made:
            if identity(fd) == what:
                os.close(fd)


@pytest.fixture
def fds() -> Iterator[Descriptors]:
    """
    A L{Descriptors} cleaned up after the test.
    """
    made = Descriptors()
    yield made
    made.closeAll()


def drain(fd: int) -> tuple[bytes, bool]:
    """
    Read what C{fd} holds now, without blocking.

    @return: The bytes, and whether the end of input was reached.
    """
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return b"".join(chunks), False
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


class Recorder(Protocol):
    """
    Records what happens to it; when the connection is lost, calls
    C{onLost} (by default, stops the reactor).
    """

    def __init__(self, reactor: Any, onLost: Callable[[], object] | None = None) -> None:
        self.reactor = reactor
        self.onLost = onLost if onLost is not None else reactor.stop
        self.events: list[str] = []
        self.received: list[bytes] = []
        self.reason: Failure | None = None

    def connectionMade(self) -> None:
        self.events.append("connectionMade")

    def dataReceived(self, data: bytes) -> None:
        self.received.append(data)

    def connectionLost(self, reason: Failure = ConnectionDone) -> None:  # type: ignore[assignment]
        self.events.append(f"connectionLost {type(reason.value).__name__}")
        self.reason = reason
        self.onLost()


class Upper(Recorder):
    """
    Sends back what it receives, in capitals.
    """

    def dataReceived(self, data: bytes) -> None:
        super().dataReceived(data)
        self.transport.write(data.upper())


@implementer(IHalfCloseableProtocol)
class HalfCloser(Recorder):
    """
    A half-closeable recorder.
    """

    def readConnectionLost(self) -> None:
        self.events.append("readConnectionLost")

    def writeConnectionLost(self) -> None:
        self.events.append("writeConnectionLost")


class Collector:
    """
    Reads the test's end of the output pipe in the reactor, and runs
    C{onEnd} at its end.
    """

    def __init__(
        self, reactor: Any, fd: int, onEnd: Callable[[], object] = lambda: None, size: int = 0
    ) -> None:
        self.chunks: list[bytes] = []
        self.ended: Failure | None = None
        self._onEnd = onEnd
        self.reader = PipeReader(reactor, fd, self.chunks.append, self._lost)
        if size:
            self.reader.bufferSize = size
        self.reader.startReading()

    def _lost(self, reason: Failure) -> None:
        self.ended = reason
        self._onEnd()

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def stopWhenAll(reactor: Any, count: int) -> Callable[[], None]:
    """
    A callable that stops C{reactor} on its C{count}th call.
    """
    calls = [0]

    def done() -> None:
        calls[0] += 1
        if calls[0] == count:
            reactor.stop()

    return done


class ReadingTests:
    def test_echoLines(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        What arrives on stdin reaches dataReceived, what the protocol writes
        comes out of stdout; at the end of input a protocol that is not
        half-closeable loses the connection cleanly and stdout is closed.
        """
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.write(inWrite, b"hello\nworld\n")
        os.close(inWrite)
        proto = Upper(backendReactor)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert drain(outRead) == (b"HELLO\nWORLD\n", True)
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]

    def test_endOfInputFlushesOutput(
        self, backendReactor: PollingReactor, fds: Descriptors
    ) -> None:
        """
        Output still buffered when stdin ends is all sent before stdout is
        closed and connectionLost is called (Twisted drops it).
        """
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.write(inWrite, b"x" * 1000)
        os.close(inWrite)

        class Amplifier(Recorder):
            def dataReceived(self, data: bytes) -> None:
                self.transport.write(data * 1000)

        done = stopWhenAll(backendReactor, 2)
        proto = Amplifier(backendReactor, onLost=done)
        collector = Collector(backendReactor, outRead, done)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert len(collector.data) == 1_000_000
        assert collector.ended is not None and collector.ended.check(ConnectionDone)

    def test_pauseAndResume(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        pauseProducing stops reading stdin: data written meanwhile waits in
        the pipe, through several reactor iterations, until resumeProducing.
        """
        r = backendReactor
        inRead, inWrite = fds.pipe()
        _outRead, outWrite = fds.pipe()
        os.write(inWrite, b"first")
        seenWhilePaused: list[list[bytes]] = []

        class Pauser(Recorder):
            def dataReceived(self, data: bytes) -> None:
                super().dataReceived(data)
                if data == b"first":
                    self.transport.pauseProducing()
                    os.write(inWrite, b"second")
                    os.close(inWrite)
                    spin(3, check)

        def spin(times: int, then: Callable[[], None]) -> None:
            if times:
                r.callLater(0, spin, times - 1, then)
            else:
                then()

        def check() -> None:
            seenWhilePaused.append(list(proto.received))
            proto.transport.resumeProducing()

        proto = Pauser(r)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=r)
        runReactor(r)
        assert seenWhilePaused == [[b"first"]]
        assert proto.received == [b"first", b"second"]
        assert proto.events[-1] == "connectionLost ConnectionDone"

    def test_errorInDataReceived(
        self,
        backendReactor: PollingReactor,
        fds: Descriptors,
        flushLoggedErrors: Callable[..., list[Failure]],
    ) -> None:
        """
        An exception raised by dataReceived is logged and ends the
        connection, with that exception as the reason.
        """
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.write(inWrite, b"boom")

        class Broken(Recorder):
            def dataReceived(self, data: bytes) -> None:
                raise ZeroDivisionError(data)

        proto = Broken(backendReactor)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert proto.reason is not None and proto.reason.check(ZeroDivisionError)
        assert len(flushLoggedErrors(ZeroDivisionError)) == 1
        assert drain(outRead) == (b"", True)

    def test_descriptorsClosedAndModeRestored(
        self, backendReactor: PollingReactor, fds: Descriptors
    ) -> None:
        """
        When the connection ends, both descriptors are closed (the writer
        into stdin then gets EPIPE) and the open file's blocking mode is put
        back as it was.
        """
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        sameFile = os.dup(inRead)
        assert os.get_blocking(sameFile)
        proto = Recorder(backendReactor)
        transport = StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        assert not os.get_blocking(sameFile)
        transport.write(b"bye")
        transport.loseConnection()
        assert transport.disconnecting and not transport.disconnected
        runReactor(backendReactor)
        assert transport.disconnected
        assert os.get_blocking(sameFile)
        assert drain(outRead) == (b"bye", True)
        os.close(sameFile)
        with pytest.raises(BrokenPipeError):
            os.write(inWrite, b"too late")
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]


class HalfCloseTests:
    def test_inputEndsFirst(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        A half-closeable protocol hears readConnectionLost at the end of
        input, can still answer, and loseWriteConnection closes stdout
        (the reader sees the end); with both sides over, connectionLost.
        """
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.write(inWrite, b"x" * 12345)
        os.close(inWrite)

        class Summer(HalfCloser):
            def readConnectionLost(self) -> None:
                super().readConnectionLost()
                total = sum(len(chunk) for chunk in self.received)
                self.transport.write(str(total).encode())
                self.transport.loseWriteConnection()

        proto = Summer(backendReactor)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert drain(outRead) == (b"12345", True)
        assert proto.events == [
            "connectionMade",
            "readConnectionLost",
            "writeConnectionLost",
            "connectionLost ConnectionDone",
        ]

    def test_outputEndsFirst(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        After loseWriteConnection the reader of stdout sees the end at once
        while input goes on; the end of input then ends the connection.
        """
        r = backendReactor
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()

        class Greeter(HalfCloser):
            def connectionMade(self) -> None:
                super().connectionMade()
                self.transport.write(b"hi")
                self.transport.loseWriteConnection()

        def outputEnded() -> None:
            # Only now does the test send input, and end it.
            os.write(inWrite, b"more")
            os.close(inWrite)

        collector = Collector(r, outRead, outputEnded)
        proto = Greeter(r)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=r)
        runReactor(r)
        assert collector.data == b"hi"
        assert proto.received == [b"more"]
        assert proto.events == [
            "connectionMade",
            "writeConnectionLost",
            "readConnectionLost",
            "connectionLost ConnectionDone",
        ]

    def test_outputReaderGone(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        When the reader of stdout goes away, an idle protocol that is not
        half-closeable loses the connection (ConnectionLost) without having
        to write first.
        """
        inRead, _inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.close(outRead)
        proto = Recorder(backendReactor)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert proto.events == ["connectionMade", "connectionLost ConnectionLost"]

    def test_outputReaderGoneHalfCloseable(
        self, backendReactor: PollingReactor, fds: Descriptors
    ) -> None:
        """
        A half-closeable protocol hears writeConnectionLost when the reader
        of stdout goes away, and goes on reading stdin.
        """
        r = backendReactor
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.close(outRead)

        class Reader(HalfCloser):
            def writeConnectionLost(self) -> None:
                super().writeConnectionLost()
                os.write(inWrite, b"still here")
                os.close(inWrite)

        proto = Reader(r)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=r)
        runReactor(r)
        assert proto.received == [b"still here"]
        assert proto.events == [
            "connectionMade",
            "writeConnectionLost",
            "readConnectionLost",
            "connectionLost ConnectionLost",
        ]

    def test_writeAfterOutputClosed(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        Writes after stdout has closed are dropped quietly.
        """
        inRead, inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        os.close(inWrite)

        class Late(HalfCloser):
            def connectionMade(self) -> None:
                super().connectionMade()
                self.transport.loseWriteConnection()

            def writeConnectionLost(self) -> None:
                super().writeConnectionLost()
                self.transport.write(b"dropped")
                self.transport.writeSequence([b"also", b"dropped"])

        proto = Late(backendReactor)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert drain(outRead) == (b"", True)
        assert proto.events[-1] == "connectionLost ConnectionDone"


@implementer(IPushProducer)
class Flood:
    """
    A streaming producer writing C{total} bytes in C{chunk}-sized pieces as
    fast as the transport lets it, recording the largest write buffer seen.
    """

    def __init__(self, transport: Any, total: int, chunk: int = 65536) -> None:
        self.transport = transport
        self.remaining = total
        self.chunk = chunk
        self.paused = False
        self.pauses = 0
        self.maxBuffered = 0
        self.counter = 0

    def pauseProducing(self) -> None:
        self.paused = True
        self.pauses += 1

    def resumeProducing(self) -> None:
        self.paused = False
        self.produce()

    def stopProducing(self) -> None:
        self.remaining = 0

    def produce(self) -> None:
        writer = self.transport._writer
        while not self.paused and self.remaining > 0:
            size = min(self.chunk, self.remaining)
            data = bytes([self.counter % 251]) * size
            self.counter += 1
            self.remaining -= size
            self.transport.write(data)
            self.maxBuffered = max(self.maxBuffered, writer._bufferedBytes)
        if self.remaining == 0:
            self.transport.unregisterProducer()
            self.transport.loseConnection()


def floodPattern(total: int, chunk: int = 65536) -> bytes:
    """
    What L{Flood} writes.
    """
    return b"".join(
        bytes([i % 251]) * min(chunk, total - i * chunk) for i in range(-(-total // chunk))
    )


class FlowControlTests:
    def test_pushProducer(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        A streaming producer writing 4 MiB to a reader that takes 4 KiB at a
        time is paused and resumed, and the write buffer never holds more
        than the high-water mark plus one chunk; every byte arrives, in
        order.
        """
        r = backendReactor
        inRead, _inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        total = 4 * 2**20
        done = stopWhenAll(r, 2)
        floods: list[Flood] = []

        class Producing(Recorder):
            def connectionMade(self) -> None:
                flood = Flood(self.transport, total)
                floods.append(flood)
                self.transport.registerProducer(flood, True)
                flood.produce()

        proto = Producing(r, onLost=done)
        collector = Collector(r, outRead, done, size=4096)
        transport = StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=r)
        runReactor(r)
        (flood,) = floods
        assert collector.data == floodPattern(total)
        assert flood.pauses > 0
        assert transport._writer is None
        assert flood.maxBuffered <= PipeWriter.bufferSize + flood.chunk

    def test_pullProducer(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        A pull producer is asked for a chunk each time the buffer empties.
        """
        r = backendReactor
        inRead, _inWrite = fds.pipe()
        outRead, outWrite = fds.pipe()
        done = stopWhenAll(r, 2)

        class Pull:
            def __init__(self, transport: Any) -> None:
                self.transport = transport
                self.left = 50

            def resumeProducing(self) -> None:
                self.left -= 1
                self.transport.write(b"%02d" % self.left + b"." * 9998)
                if self.left == 0:
                    self.transport.unregisterProducer()
                    self.transport.loseConnection()

            def stopProducing(self) -> None:
                pass

        class Pulling(Recorder):
            def connectionMade(self) -> None:
                self.transport.registerProducer(Pull(self.transport), False)

        proto = Pulling(r, onLost=done)
        collector = Collector(r, outRead, done)
        StandardIO(proto, stdin=inRead, stdout=outWrite, reactor=r)
        runReactor(r)
        data = collector.data
        assert len(data) == 500000
        assert [data[i : i + 2] for i in range(0, len(data), 10000)] == [
            b"%02d" % n for n in range(49, -1, -1)
        ]

    def test_secondProducerRefused(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        Registering a second producer is an error naming the first.
        """
        inRead, _inWrite = fds.pipe()
        _outRead, outWrite = fds.pipe()
        transport = StandardIO(
            Recorder(backendReactor), stdin=inRead, stdout=outWrite, reactor=backendReactor
        )
        first = Flood(transport, 0)
        transport.registerProducer(first, True)
        with pytest.raises(RuntimeError, match=r"^cannot register producer .* is still registered"):
            transport.registerProducer(Flood(transport, 0), True)
        transport.unregisterProducer()
        transport.loseConnection()
        runReactor(backendReactor)
        assert transport.disconnected


class DescriptorKindTests:
    def test_regularFiles(
        self, backendReactor: PollingReactor, fds: Descriptors, tmp_path: Path
    ) -> None:
        """
        Regular files, which cannot be polled (epoll refuses them), work as
        stdin and stdout.
        """
        source = tmp_path / "in.bin"
        payload = os.urandom(300_000)
        source.write_bytes(payload)
        target = tmp_path / "out.bin"
        proto = Upper(backendReactor)
        StandardIO(
            proto,
            stdin=os.open(source, os.O_RDONLY),
            stdout=os.open(target, os.O_WRONLY | os.O_CREAT),
            reactor=backendReactor,
        )
        runReactor(backendReactor)
        assert target.read_bytes() == payload.upper()
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]

    def test_devNull(self, backendReactor: PollingReactor) -> None:
        """
        /dev/null works as stdin (at once at its end) and as stdout (which
        is not mistaken for a pipe whose reader has gone).
        """

        class Writer(Recorder):
            def connectionMade(self) -> None:
                super().connectionMade()
                self.transport.write(b"x" * 2**20)

        proto = Writer(backendReactor)
        StandardIO(
            proto,
            stdin=os.open(os.devnull, os.O_RDONLY),
            stdout=os.open(os.devnull, os.O_WRONLY),
            reactor=backendReactor,
        )
        runReactor(backendReactor)
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]

    def test_oneSocketForBoth(self, backendReactor: PollingReactor) -> None:
        """
        One socket can be both stdin and stdout (as inetd hands them over):
        the transport reads and writes it, and closes it at the end.
        """
        ours, theirs = socket.socketpair()
        theirs.sendall(b"ping\n")
        theirs.shutdown(socket.SHUT_WR)
        fd = ours.detach()
        proto = Upper(backendReactor)
        StandardIO(proto, stdin=fd, stdout=fd, reactor=backendReactor)
        runReactor(backendReactor)
        theirs.settimeout(CHILD_TIMEOUT)
        received = b""
        while chunk := theirs.recv(100):
            received += chunk
        theirs.close()
        assert received == b"PING\n"
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]

    def test_noInput(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        With stdin=None there is no input: the connection ends when stdout
        closes.
        """
        outRead, outWrite = fds.pipe()

        class Once(Recorder):
            def connectionMade(self) -> None:
                super().connectionMade()
                self.transport.write(b"only output")
                self.transport.loseWriteConnection()

        proto = Once(backendReactor)
        StandardIO(proto, stdin=None, stdout=outWrite, reactor=backendReactor)
        runReactor(backendReactor)
        assert drain(outRead) == (b"only output", True)
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]

    def test_noOutput(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        With stdout=None, output is discarded and input is read as usual.
        """
        inRead, inWrite = fds.pipe()
        os.write(inWrite, b"abc")
        os.close(inWrite)
        proto = Upper(backendReactor)
        StandardIO(proto, stdin=inRead, stdout=None, reactor=backendReactor)
        runReactor(backendReactor)
        assert proto.received == [b"abc"]
        assert proto.events == ["connectionMade", "connectionLost ConnectionDone"]


class APITests:
    def test_interfaces(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        StandardIO provides ITransport, IPushProducer, IConsumer and
        IHalfCloseableDescriptor; its addresses are PipeAddress values, all
        equal.
        """
        inRead, _inWrite = fds.pipe()
        _outRead, outWrite = fds.pipe()
        transport = StandardIO(
            Recorder(backendReactor), stdin=inRead, stdout=outWrite, reactor=backendReactor
        )
        for interface in (ITransport, IPushProducer, IConsumer, IHalfCloseableDescriptor):
            assert verifyObject(interface, transport)
        assert transport.getPeer() == transport.getHost() == PipeAddress()
        assert verifyObject(IAddress, transport.getPeer())
        assert repr(PipeAddress()) == "PipeAddress()"
        transport.loseConnection()
        runReactor(backendReactor)

    def test_writeRefusesText(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        write() refuses str, saying how to encode it.
        """
        inRead, _inWrite = fds.pipe()
        _outRead, outWrite = fds.pipe()
        transport = StandardIO(
            Recorder(backendReactor), stdin=inRead, stdout=outWrite, reactor=backendReactor
        )
        with pytest.raises(
            TypeError,
            match=r"^StandardIO\.write\(\) takes bytes, not str; encode text first, "
            r"e\.g\. transport\.write\(text\.encode\('utf-8'\)\)$",
        ):
            transport.write("text")  # type: ignore[arg-type]
        transport.loseConnection()
        runReactor(backendReactor)

    def test_descriptorNotOpen(self, backendReactor: PollingReactor, fds: Descriptors) -> None:
        """
        A descriptor that is not open is refused up front, naming it.
        """
        inRead, inWrite = fds.pipe()
        os.close(inWrite)
        with pytest.raises(
            ValueError,
            match=rf"^StandardIO: stdout descriptor {inWrite} is not open \(Bad file "
            r"descriptor\); start the program with it open, or pass stdout=None$",
        ):
            StandardIO(
                Recorder(backendReactor), stdin=inRead, stdout=inWrite, reactor=backendReactor
            )
        assert os.get_blocking(inRead)


# -- in child processes -------------------------------------------------------

CHILD_PRELUDE = """
import os, sys
from zope.interface import implementer
from torsion.internet import reactor
from torsion.internet.interfaces import IHalfCloseableProtocol, IPushProducer
from torsion.internet.protocol import Protocol
from torsion.internet.stdio import StandardIO

def report(*words):
    sys.stderr.write(" ".join(str(w) for w in words) + "\\n")
    sys.stderr.flush()
"""

ECHO_CHILD = """
class Upper(Protocol):
    def dataReceived(self, data):
        self.transport.write(data.upper())

    def connectionLost(self, reason):
        report("lost", type(reason.value).__name__)
        reactor.stop()

StandardIO(Upper())
reactor.run()
if os.path.isdir("/proc/self/fd"):
    report("fds", os.readlink("/proc/self/fd/0"), os.readlink("/proc/self/fd/1"))
print("printing afterwards is harmless")
"""

FLOOD_CHILD = """
TOTAL = 8 * 2**20
CHUNK = 65536

@implementer(IPushProducer)
class Flood(Protocol):
    sent = 0
    paused = False
    reported = False
    maxBuffered = 0

    def connectionMade(self):
        self.transport.registerProducer(self, True)
        self.produce()

    def produce(self):
        while not self.paused and self.sent < TOTAL:
            self.transport.write(bytes([(self.sent // CHUNK) % 251]) * CHUNK)
            self.sent += CHUNK
            self.maxBuffered = max(self.maxBuffered, self.transport._writer._bufferedBytes)
        if self.sent >= TOTAL:
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def pauseProducing(self):
        self.paused = True
        if not self.reported:
            self.reported = True
            report("paused")

    def resumeProducing(self):
        self.paused = False
        self.produce()

    def stopProducing(self):
        self.sent = TOTAL

    def connectionLost(self, reason):
        report("lost", type(reason.value).__name__, "maxBuffered", self.maxBuffered)
        reactor.stop()

StandardIO(Flood())
reactor.run()
"""

HALF_CLOSE_CHILD = """
@implementer(IHalfCloseableProtocol)
class Summer(Protocol):
    total = 0

    def dataReceived(self, data):
        self.total += len(data)

    def readConnectionLost(self):
        report("readConnectionLost")
        self.transport.write(str(self.total).encode())
        self.transport.loseWriteConnection()

    def writeConnectionLost(self):
        report("writeConnectionLost")

    def connectionLost(self, reason):
        report("lost", type(reason.value).__name__)
        reactor.stop()

StandardIO(Summer())
reactor.run()
"""


def child(source: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    """
    Start a Python child running C{source} (after L{CHILD_PRELUDE}).
    """
    code = textwrap.dedent(CHILD_PRELUDE) + textwrap.dedent(source)
    options: dict[str, Any] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
    options.update(kwargs)
    return subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, **options)


def finish(process: subprocess.Popen[bytes]) -> list[str]:
    """
    Wait for C{process} to exit 0.

    @return: The lines it wrote to stderr.
    """
    assert process.stderr is not None
    err = process.stderr.read()
    code = process.wait(CHILD_TIMEOUT)
    assert code == 0, err.decode()
    return err.decode().splitlines()


class ChildProcessTests:
    def test_lineEcho(self) -> None:
        """
        A child answers each line as it arrives (not only at the end of
        input), and exits once its stdin ends; afterwards its descriptors 0
        and 1 are /dev/null, so printing is harmless.
        """
        process = child(ECHO_CHILD)
        assert process.stdin is not None and process.stdout is not None
        for line in [b"one\n", b"two\n", b"three\n"]:
            process.stdin.write(line)
            process.stdin.flush()
            assert process.stdout.readline() == line.upper()
        process.stdin.close()
        assert process.stdout.read() == b""
        lines = finish(process)
        assert lines[0] == "lost ConnectionDone"
        if os.path.isdir("/proc/self/fd"):
            assert lines[1] == "fds /dev/null /dev/null"

    def test_largeOutputSlowReader(self) -> None:
        """
        8 MiB written by a producer in the child to a reader that does not
        read at first: the producer is paused (the child reports it), its
        buffer stays bounded, and once read, every byte arrives in order.
        """
        process = child(FLOOD_CHILD, stdin=subprocess.DEVNULL)
        assert process.stdout is not None and process.stderr is not None
        # Read nothing until the child says it has been paused.
        assert process.stderr.readline() == b"paused\n"
        data = process.stdout.read()
        lines = finish(process)
        chunk = 65536
        assert data == b"".join(bytes([i % 251]) * chunk for i in range(128))
        words = lines[0].split()
        assert words[:3] == ["lost", "ConnectionDone", "maxBuffered"]
        assert int(words[3]) <= PipeWriter.bufferSize + chunk

    def test_halfClose(self) -> None:
        """
        The child's half-closeable protocol hears the end of its input,
        answers, closes its output (the test reads to the end) and then
        loses the connection.
        """
        process = child(HALF_CLOSE_CHILD)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"z" * 100_000)
        process.stdin.close()
        assert process.stdout.read() == b"100000"
        assert finish(process) == [
            "readConnectionLost",
            "writeConnectionLost",
            "lost ConnectionDone",
        ]

    def test_fileAsStdin(self, tmp_path: Path) -> None:
        """
        A regular file as the child's stdin (which the default reactor
        cannot poll) is read to its end.
        """
        source = tmp_path / "input.txt"
        source.write_bytes(b"from a file\n" * 10000)
        with source.open("rb") as stdin:
            process = child(ECHO_CHILD, stdin=stdin)
        assert process.stdout is not None
        assert process.stdout.read() == b"FROM A FILE\n" * 10000
        assert finish(process)[0] == "lost ConnectionDone"

    def test_terminal(self) -> None:
        """
        A terminal as the child's stdin and stdout: lines typed are
        answered, and end-of-file (^D) ends the connection.
        """
        primary, secondary = pty.openpty()
        try:
            tty.setraw(secondary)
            process = child(ECHO_CHILD, stdin=secondary, stdout=secondary)
            os.close(secondary)
            os.write(primary, b"typed\n")
            assert readUntil(primary, b"TYPED\n").endswith(b"TYPED\n")
            # Back to a cooked terminal, where ^D is the end of input.
            attributes = termios.tcgetattr(primary)
            attributes[3] |= termios.ICANON
            termios.tcsetattr(primary, termios.TCSANOW, attributes)
            os.write(primary, b"\x04")
            assert finish(process)[0] == "lost ConnectionDone"
        finally:
            os.close(primary)


def readUntil(fd: int, wanted: bytes) -> bytes:
    """
    Read C{fd} until C{wanted} has arrived (within the child timeout).
    """
    seen = b""
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], CHILD_TIMEOUT)
        assert ready, f"{wanted!r} did not arrive; got {seen!r}"
        seen += os.read(fd, 1024)
    return seen
