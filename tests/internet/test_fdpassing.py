"""
Tests for passing file descriptors over UNIX stream connections
(sendFileDescriptor, IFileDescriptorReceiver, FileDescriptorOverrun), on
every reactor backend.
"""

from __future__ import annotations

import array
import errno
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer

from tests.internet.reactors import backendReactor, runReactor
from tests.internet.streams import Collector
from tests.internet.test_unix import Recording, logged, messages, where
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.error import ConnectionDone, FileDescriptorOverrun
from torsion.internet.interfaces import IFileDescriptorReceiver
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.logger import LogEvent
from torsion.python.failure import Failure

__all__ = ["backendReactor", "logged", "where"]


def readAll(descriptor: int) -> bytes:
    """
    Read C{descriptor} (blocking) until end of file.
    """
    chunks = []
    while chunk := os.read(descriptor, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def pipeHolding(data: bytes) -> int:
    """
    A pipe's read end, with C{data} in the pipe and the write end closed.
    """
    readEnd, writeEnd = os.pipe()
    os.write(writeEnd, data)
    os.close(writeEnd)
    return readEnd


@implementer(IFileDescriptorReceiver)
class Receiver(Collector):
    """
    Records descriptors and bytes in the order they arrive, reading each
    descriptor (a pipe) to its end and closing it.
    """

    def __init__(self, reactor: Any, expect: int = -1) -> None:
        super().__init__(reactor, expect)
        self.events: list[tuple[str, bytes]] = []

    def fileDescriptorReceived(self, descriptor: int) -> None:
        try:
            self.events.append(("fd", readAll(descriptor)))
        finally:
            os.close(descriptor)

    def dataReceived(self, data: bytes) -> None:
        self.events.append(("data", data))
        super().dataReceived(data)


def serve(r: PollingReactor, path: str, made: Any) -> None:
    """
    Listen on C{path} with a protocol whose connectionMade calls
    C{made(transport)}.
    """

    class Sender(Protocol):
        def connectionMade(self) -> None:
            made(self.transport)

    r.listenUNIX(path, Factory.forProtocol(Sender))


class PassingTests:
    def test_pipeReadOnTheOtherSide(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A pipe's read end sent with one byte arrives in the peer's
        fileDescriptorReceived, before the dataReceived of that byte, and
        reads what was written into the pipe; the sender closed its own copy
        right after sendFileDescriptor.
        """
        r = backendReactor
        path = str(where / "fd")

        def made(transport: Any) -> None:
            readEnd, writeEnd = os.pipe()
            transport.sendFileDescriptor(readEnd)
            transport.write(b"F")
            os.close(readEnd)
            os.write(writeEnd, b"through the pipe")
            os.close(writeEnd)
            transport.loseConnection()

        serve(r, path, made)
        receiver = Receiver(r)
        r.connectUNIX(path, Recording(r, receiver))
        runReactor(r)
        assert receiver.events == [("fd", b"through the pipe"), ("data", b"F")]
        assert receiver.reason is not None and receiver.reason.check(ConnectionDone)

    def test_severalInOrder(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Several descriptors, each written with its own byte, arrive in the
        order they were sent, each before its byte.
        """
        r = backendReactor
        path = str(where / "many")

        def made(transport: Any) -> None:
            for n in range(5):
                readEnd = pipeHolding(b"pipe %d" % n)
                transport.sendFileDescriptor(readEnd)
                os.close(readEnd)
                transport.write(b"%d" % n)
            transport.loseConnection()

        serve(r, path, made)
        receiver = Receiver(r)
        r.connectUNIX(path, Recording(r, receiver))
        runReactor(r)
        descriptors = [payload for kind, payload in receiver.events if kind == "fd"]
        assert descriptors == [b"pipe %d" % n for n in range(5)]
        assert b"".join(p for kind, p in receiver.events if kind == "data") == b"01234"
        # Each descriptor came before the byte it was sent with.
        for n in range(5):
            fdAt = receiver.events.index(("fd", b"pipe %d" % n))
            before = b"".join(p for kind, p in receiver.events[:fdAt] if kind == "data")
            assert len(before) <= n

    def test_behindBufferedData(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A descriptor sent while megabytes are still buffered arrives, and
        every byte arrives once and in order around it.
        """
        r = backendReactor
        path = str(where / "bulk")
        payload = bytes(range(256)) * 16384

        def made(transport: Any) -> None:
            transport.write(payload)
            readEnd = pipeHolding(b"late pipe")
            transport.sendFileDescriptor(readEnd)
            os.close(readEnd)
            transport.write(b"!")
            transport.loseConnection()

        serve(r, path, made)
        receiver = Receiver(r)
        r.connectUNIX(path, Recording(r, receiver))
        runReactor(r)
        assert [p for kind, p in receiver.events if kind == "fd"] == [b"late pipe"]
        assert b"".join(p for kind, p in receiver.events if kind == "data") == payload + b"!"

    def test_clientSendsToServer(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Descriptors travel from the client's end to the server's too.
        """
        r = backendReactor
        path = str(where / "up")
        got: list[bytes] = []

        @implementer(IFileDescriptorReceiver)
        class Server(Protocol):
            def fileDescriptorReceived(self, descriptor: int) -> None:
                got.append(readAll(descriptor))
                os.close(descriptor)

            def dataReceived(self, data: bytes) -> None:
                self.transport.loseConnection()

        r.listenUNIX(path, Factory.forProtocol(Server))
        client = Collector(r)

        def made() -> None:
            readEnd = pipeHolding(b"from the client")
            client.transport.sendFileDescriptor(readEnd)
            os.close(readEnd)
            client.transport.write(b"x")

        client.connectionMade = made  # type: ignore[method-assign]
        r.connectUNIX(path, Recording(r, client))
        runReactor(r)
        assert got == [b"from the client"]


class RefusalTests:
    def test_receiverWithoutInterface(
        self, backendReactor: PollingReactor, where: Path, logged: list[LogEvent]
    ) -> None:
        """
        A protocol that does not provide IFileDescriptorReceiver gets the
        bytes but not the descriptor: it is closed (the pipe has no reader
        left) and a warning names the protocol.
        """
        r = backendReactor
        path = str(where / "nofd")
        pipe: list[int] = []

        def made(transport: Any) -> None:
            readEnd, writeEnd = os.pipe()
            pipe.append(writeEnd)
            transport.sendFileDescriptor(readEnd)
            os.close(readEnd)
            transport.write(b"data")
            transport.loseConnection()

        serve(r, path, made)
        collector = Collector(r)
        r.connectUNIX(path, Recording(r, collector))
        runReactor(r)
        assert b"".join(collector.chunks) == b"data"
        with pytest.raises(BrokenPipeError):
            os.write(pipe[0], b"anyone?")
        os.close(pipe[0])
        warnings = [m for m in messages(logged) if "IFileDescriptorReceiver" in m]
        assert len(warnings) == 1
        assert warnings[0].startswith(
            "Collector does not provide IFileDescriptorReceiver; closed 1 file descriptor(s)"
        )

    def test_badDescriptor(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        sendFileDescriptor rejects a non-int with TypeError and a closed
        descriptor with OSError (EBADF), each naming the value; the
        connection goes on.
        """
        r = backendReactor
        path = str(where / "bad")
        errors: list[BaseException] = []

        def made(transport: Any) -> None:
            for bad in ("3", 1.5):
                try:
                    transport.sendFileDescriptor(bad)
                except TypeError as e:
                    errors.append(e)
            readEnd, writeEnd = os.pipe()
            os.close(readEnd)
            os.close(writeEnd)
            try:
                transport.sendFileDescriptor(readEnd)
            except OSError as e:
                errors.append(e)
            transport.write(b"fine")
            transport.loseConnection()

        serve(r, path, made)
        collector = Collector(r)
        r.connectUNIX(path, Recording(r, collector))
        runReactor(r)
        assert b"".join(collector.chunks) == b"fine"
        assert [type(e) for e in errors] == [TypeError, TypeError, OSError]
        assert str(errors[0]).startswith(
            "sendFileDescriptor() takes a file descriptor number (int), not str '3'"
        )
        assert isinstance(errors[2], OSError) and errors[2].errno == errno.EBADF
        assert "cannot send file descriptor" in str(errors[2])

    def test_queuedDescriptorsClosedOnAbort(
        self, backendReactor: PollingReactor, where: Path
    ) -> None:
        """
        Descriptors still queued when the connection is lost are closed, so
        nothing leaks: the pipe has no reader left.
        """
        r = backendReactor
        path = str(where / "lost")
        pipe: list[int] = []

        def made(transport: Any) -> None:
            readEnd, writeEnd = os.pipe()
            pipe.append(writeEnd)
            transport.sendFileDescriptor(readEnd)
            os.close(readEnd)
            transport.abortConnection()

        serve(r, path, made)
        r.connectUNIX(path, Recording(r, Collector(r)))
        runReactor(r)
        with pytest.raises(BrokenPipeError):
            os.write(pipe[0], b"anyone?")
        os.close(pipe[0])


class OverrunTests:
    def test_moreDescriptorsThanBytes(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Two descriptors sent with only one byte close the sender's connection
        with FileDescriptorOverrun, saying what to do; the peer gets the one
        descriptor that had a byte, then sees the connection end.
        """
        r = backendReactor
        path = str(where / "over")
        reasons: list[Failure] = []

        class Sender(Protocol):
            def connectionMade(self) -> None:
                for text in (b"one", b"two"):
                    readEnd = pipeHolding(text)
                    self.transport.sendFileDescriptor(readEnd)
                    os.close(readEnd)
                self.transport.write(b"x")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)

        r.listenUNIX(path, Factory.forProtocol(Sender))
        receiver = Receiver(r)
        r.connectUNIX(path, Recording(r, receiver))
        runReactor(r)
        assert receiver.events == [("fd", b"one"), ("data", b"x")]
        assert reasons[0].check(FileDescriptorOverrun)
        assert str(reasons[0].value) == (
            "A mis-use of IUNIXTransport.sendFileDescriptor caused the connection to be "
            "closed: 1 file descriptor(s) waiting to be sent but only 0 byte(s) buffered to "
            "carry them; write at least one byte after each sendFileDescriptor() call, in the "
            "same reactor turn."
        )

    def test_noBytesAtAll(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A descriptor sent with no byte at all, then loseConnection, ends the
        connection with FileDescriptorOverrun instead of dropping it quietly.
        """
        r = backendReactor
        path = str(where / "none")
        reasons: list[Failure] = []

        class Sender(Protocol):
            def connectionMade(self) -> None:
                readEnd = pipeHolding(b"")
                self.transport.sendFileDescriptor(readEnd)
                os.close(readEnd)
                self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)

        r.listenUNIX(path, Factory.forProtocol(Sender))
        r.connectUNIX(path, Recording(r, Collector(r)))
        runReactor(r)
        assert reasons[0].check(FileDescriptorOverrun)

    def test_tooManyInOneMessage(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A peer that sends more descriptors in one message than a read
        accepts: the receiver gets those that fit and the bytes, then the
        connection closes with FileDescriptorOverrun.  The port and other
        connections go on.
        """
        r = backendReactor
        path = str(where / "flood")
        received: list[int] = []
        reasons: list[Failure] = []

        @implementer(IFileDescriptorReceiver)
        class Server(Protocol):
            def fileDescriptorReceived(self, descriptor: int) -> None:
                received.append(descriptor)
                os.close(descriptor)

            def dataReceived(self, data: bytes) -> None:
                self.transport.write(data)

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)
                later = Collector(r, expect=5)
                later.connectionMade = lambda: later.transport.write(b"after")  # type: ignore[method-assign]
                clients.append(later)
                r.connectUNIX(path, Recording(r, later))

        clients: list[Collector] = []
        r.listenUNIX(path, Factory.forProtocol(Server))
        rogue = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        rogue.connect(path)
        readEnd = pipeHolding(b"")
        copies = array.array("i", [readEnd] * 100)
        rogue.sendmsg([b"z"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, copies.tobytes())])
        os.close(readEnd)
        runReactor(r)
        rogue.close()
        assert len(received) == 64
        assert reasons[0].check(FileDescriptorOverrun)
        assert "more file descriptors in one message than the 64 a read accepts" in str(
            reasons[0].value
        )
        assert b"".join(clients[0].chunks) == b"after"

    def test_receiverRaises(
        self, backendReactor: PollingReactor, where: Path, loggedFailures: list[LogEvent]
    ) -> None:
        """
        An exception from fileDescriptorReceived is logged and loses that
        connection, with the exception as the reason.
        """
        r = backendReactor
        path = str(where / "raise")
        reasons: list[Failure] = []

        @implementer(IFileDescriptorReceiver)
        class Server(Protocol):
            def fileDescriptorReceived(self, descriptor: int) -> None:
                os.close(descriptor)
                raise RuntimeError("no thanks")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)

        r.listenUNIX(path, Factory.forProtocol(Server))
        sender = Collector(r)

        def made() -> None:
            readEnd = pipeHolding(b"")
            sender.transport.sendFileDescriptor(readEnd)
            os.close(readEnd)
            sender.transport.write(b"x")

        sender.connectionMade = made  # type: ignore[method-assign]
        r.connectUNIX(path, Recording(r, sender))
        runReactor(r)
        assert reasons[0].check(RuntimeError)
        assert any(
            e["log_failure"].check(RuntimeError) for e in loggedFailures if "log_failure" in e
        )
