"""
Tests for L{ISendFileTransport.sendFile} (a torsion extension: ranges of
regular files sent with C{sendfile(2)}) on TCP and UNIX stream connections,
over real sockets, on every reactor backend.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.internet.reactors import SAFETY_TIMEOUT, backendReactor, runReactor
from tests.internet.test_fdpassing import pipeHolding, readAll
from tests.internet.test_unix import where
from tests.protocols.tlsfixtures import ServerContextFactory
from torsion.internet import _isendfile, interfaces
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import Deferred, gatherResults
from torsion.internet.error import ConnectionAborted, ConnectionDone, ConnectionLost
from torsion.internet.interfaces import (
    IFileDescriptorReceiver,
    IHalfCloseableProtocol,
    IPullProducer,
    IPushProducer,
    ISendFileTransport,
)
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.selectreactor import SelectReactor
from torsion.python.failure import Failure

__all__ = ["backendReactor", "where"]

#: The size of the big file: far more than the kernel takes in one call
#: (loopback socket buffers hold a few MiB at most while the peer is not
#: reading), so that the range really waits in the transport's buffer.
BIG = 8 * 2**20


@pytest.fixture(scope="module")
def bigFile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """
    A file of L{BIG} random bytes, shared by the tests that only read it.
    """
    data = os.urandom(BIG)
    path = tmp_path_factory.mktemp("sendfile") / "big"
    path.write_bytes(data)
    return path, data


@pytest.fixture
def opened(bigFile: tuple[Path, bytes]) -> Iterator[BinaryIO]:
    """
    L{bigFile}, open for reading.
    """
    with bigFile[0].open("rb") as f:
        yield f


class Sender(Protocol):
    """
    The server side: calls C{send(transport)} when connected, keeps what it
    raised (the test re-raises it); once the connection ended, keeps the
    reason and fires C{lost}.
    """

    def __init__(self, send: Callable[[Any], object]) -> None:
        self.send = send
        self.error: BaseException | None = None
        self.reason: Failure | None = None
        self.lost: Deferred[None] = Deferred()

    def connectionMade(self) -> None:
        try:
            self.send(self.transport)
        except BaseException as e:
            self.error = e
            self.transport.abortConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)


class Sink(Protocol):
    """
    The client side: keeps what arrives; once the connection ended, keeps
    the reason and fires C{lost}.
    """

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.reason: Failure | None = None
        self.lost: Deferred[None] = Deferred()

    @property
    def received(self) -> bytes:
        """
        Everything received so far.
        """
        return b"".join(self.chunks)

    def dataReceived(self, data: bytes) -> None:
        self.chunks.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.lost.callback(None)


class OneServer(Factory):
    """
    Serves one connection with a given protocol.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol_ = protocol

    def buildProtocol(self, addr: Any) -> Protocol:
        return self.protocol_


class OneClient(ClientFactory):
    """
    Connects a given protocol; a failed attempt ends its C{lost}.
    """

    def __init__(self, protocol: Sink) -> None:
        self.protocol_ = protocol

    def buildProtocol(self, addr: Any) -> Protocol:
        return self.protocol_

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.protocol_.lost.errback(reason)


def transfer(
    r: PollingReactor,
    send: Callable[[Any], object],
    sink: Sink,
    unixDirectory: Path | None = None,
    alsoWait: list[Deferred[Any]] | None = None,
    timeout: float = SAFETY_TIMEOUT,
    sender: Sender | None = None,
) -> Sender:
    """
    Connect C{sink} to a server whose protocol calls C{send(transport)}
    when connected (over TCP on 127.0.0.1, or over a UNIX socket in
    C{unixDirectory}), and run C{r} until both ends have lost the
    connection and C{alsoWait} have fired (failing after C{timeout}
    seconds).  C{sender}, if given, is the server's protocol to use.

    @return: The server's protocol.
    """
    if sender is None:
        sender = Sender(send)
    if unixDirectory is None:
        port = r.listenTCP(0, OneServer(sender), interface="127.0.0.1")
        r.connectTCP("127.0.0.1", port.getHost().port, OneClient(sink))
    else:
        path = str(unixDirectory / "sendfile.sock")
        port = r.listenUNIX(path, OneServer(sender))
        r.connectUNIX(path, OneClient(sink))
    done = gatherResults([sender.lost, sink.lost, *(alsoWait or [])], consumeErrors=True)
    done.addBoth(lambda _: port.stopListening())
    done.addBoth(lambda _: r.stop() if r.running else None)
    runReactor(r, timeout)
    if sender.error is not None:
        raise sender.error
    return sender


def recordInto(results: list[object]) -> Callable[[object], None]:
    """
    A callback and errback that appends what it gets to C{results}.
    """
    return results.append


class InterfaceTests:
    def test_exported(self) -> None:
        """
        ISendFileTransport is public in torsion.internet.interfaces, under its
        own name, and declares sendFile.
        """
        assert interfaces.ISendFileTransport is _isendfile.ISendFileTransport
        assert "ISendFileTransport" in interfaces.__all__
        assert list(ISendFileTransport.names()) == ["sendFile"]

    def test_tcpProvides(self, backendReactor: PollingReactor) -> None:
        """
        Both ends of a TCP connection provide ISendFileTransport, and
        verifyObject accepts them.
        """
        r = backendReactor
        sink = Sink()
        checked: list[tuple[str, bool]] = []

        def send(transport: Any) -> None:
            checked.append(("server", verifyObject(ISendFileTransport, transport)))
            transport.loseConnection()

        sink.connectionMade = lambda: checked.append(  # type: ignore[method-assign]
            ("client", verifyObject(ISendFileTransport, sink.transport))
        )
        transfer(r, send, sink)
        assert sorted(checked) == [("client", True), ("server", True)]

    def test_unixProvides(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A UNIX stream connection provides ISendFileTransport too.
        """
        r = backendReactor
        checked: list[bool] = []

        def send(transport: Any) -> None:
            checked.append(verifyObject(ISendFileTransport, transport))
            transport.loseConnection()

        transfer(r, send, Sink(), unixDirectory=where)
        assert checked == [True]


class OrderingTests:
    @pytest.mark.parametrize("asDescriptor", [False, True], ids=["fileObject", "descriptor"])
    def test_headFileTail(
        self,
        backendReactor: PollingReactor,
        bigFile: tuple[Path, bytes],
        opened: BinaryIO,
        asDescriptor: bool,
    ) -> None:
        """
        write(head), sendFile(the whole file), write(tail) deliver exactly
        head, file, tail in that order; the Deferred fires with the count,
        after the call returned (the kernel could not take 8 MiB at once);
        the file's own position is neither used nor moved.  A file object
        and a bare descriptor work alike.
        """
        r = backendReactor
        data = bigFile[1]
        opened.seek(12345)
        results: list[object] = []
        firedAtOnce: list[bool] = []

        def send(transport: Any) -> None:
            transport.write(b"head")
            source = opened.fileno() if asDescriptor else opened
            d = transport.sendFile(source, 0, len(data))
            d.addBoth(recordInto(results))
            firedAtOnce.append(bool(results))
            transport.write(b"tail")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        assert sink.received == b"head" + data + b"tail"
        assert results == [len(data)]
        assert firedAtOnce == [False]
        assert opened.tell() == 12345
        assert sink.reason is not None and sink.reason.check(ConnectionDone)

    def test_interleaved(
        self, backendReactor: PollingReactor, bigFile: tuple[Path, bytes], opened: BinaryIO
    ) -> None:
        """
        Several ranges and small writes queued in one go arrive in the order
        given: small chunks after a range are not joined with ones after the
        next range.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.sendFile(opened, 0, BIG // 2).addBoth(recordInto(results))
            transport.write(b"a")
            transport.write(b"b")
            transport.sendFile(opened, 100, 5).addBoth(recordInto(results))
            transport.write(b"c")
            transport.write(b"d")
            transport.sendFile(opened, BIG - 7, 7).addBoth(recordInto(results))
            transport.sendFile(opened, 0, 3).addBoth(recordInto(results))
            transport.write(b"e")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        expected = data[: BIG // 2] + b"ab" + data[100:105] + b"cd" + data[-7:] + data[:3] + b"e"
        assert sink.received == expected
        assert results == [BIG // 2, 5, 7, 3]

    def test_loseConnectionRightAfter(
        self, backendReactor: PollingReactor, bigFile: tuple[Path, bytes], opened: BinaryIO
    ) -> None:
        """
        loseConnection() right after sendFile() waits for the whole range:
        every byte arrives, then the peer sees a clean close
        (ConnectionDone), as does the sender.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.sendFile(opened, 0, len(data)).addBoth(recordInto(results))
            transport.loseConnection()

        sink = Sink()
        sender = transfer(r, send, sink)
        assert sink.received == data
        assert results == [len(data)]
        assert sink.reason is not None and sink.reason.check(ConnectionDone)
        assert sender.reason is not None and sender.reason.check(ConnectionDone)

    def test_loseWriteConnectionRightAfter(
        self, backendReactor: PollingReactor, bigFile: tuple[Path, bytes], opened: BinaryIO
    ) -> None:
        """
        loseWriteConnection() right after sendFile() shuts the write side
        down only once the whole range was sent: the peer reads every byte,
        then the end of the stream, and can still answer.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []
        answers: list[bytes] = []

        @implementer(IHalfCloseableProtocol)
        class Answering(Sink):
            def readConnectionLost(self) -> None:
                answers.append(b"had %d" % len(self.received))
                self.transport.write(b"thanks")
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                pass

        class Listening(Sender):
            def dataReceived(self, data: bytes) -> None:
                answers.append(data)

        def send(transport: Any) -> None:
            transport.sendFile(opened, 0, len(data)).addBoth(recordInto(results))
            transport.loseWriteConnection()

        sink = Answering()
        sender = Listening(send)
        transfer(r, send, sink, sender=sender)
        assert sink.received == data
        assert answers == [b"had %d" % len(data), b"thanks"]
        assert results == [len(data)]


class RangeTests:
    @pytest.mark.parametrize(
        ("offset", "count"),
        [(1_000_003, 3_000_001), (BIG - 10, 10), (0, 1), (2**20, 2**20)],
    )
    def test_middle(
        self,
        backendReactor: PollingReactor,
        bigFile: tuple[Path, bytes],
        opened: BinaryIO,
        offset: int,
        count: int,
    ) -> None:
        """
        sendFile(f, offset, count) sends exactly the bytes from C{offset} to
        C{offset + count} and fires with C{count}.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.sendFile(opened, offset, count).addBoth(recordInto(results))
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        assert sink.received == data[offset : offset + count]
        assert results == [count]

    def test_countZero(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        A count of 0 fires at once with 0 and sends nothing, even from an
        offset past the end of the file.
        """
        r = backendReactor
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.write(b"a")
            transport.sendFile(opened, 5, 0).addBoth(recordInto(results))
            transport.sendFile(opened, BIG * 2, 0).addBoth(recordInto(results))
            results.append("returned")
            transport.write(b"b")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        assert results == [0, 0, "returned"]
        assert sink.received == b"ab"


def shortfallOf(failure: object) -> int:
    """
    The number of missing bytes named by the EOFError in C{failure}.
    """
    assert isinstance(failure, Failure) and failure.check(EOFError), failure
    found = re.search(r"ended (\d+) bytes before the end", str(failure.value))
    assert found is not None, str(failure.value)
    return int(found.group(1))


class ShortFileTests:
    def test_countPastTheEnd(self, backendReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A range that runs 1000 bytes past the end of the file sends what
        the file has, then fails with EOFError naming the 1000 missing bytes
        and the range's size; bytes written afterwards follow what was sent.
        """
        r = backendReactor
        data = os.urandom(300_000)
        path = tmp_path / "short"
        path.write_bytes(data)
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.write(b"head")
            with path.open("rb") as f:
                transport.sendFile(f, 0, len(data) + 1000).addBoth(recordInto(results))
            transport.write(b"tail")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        assert sink.received == b"head" + data + b"tail"
        [failure] = results
        assert shortfallOf(failure) == 1000
        assert isinstance(failure, Failure)
        assert f"the {len(data) + 1000}-byte range given to sendFile()" in str(failure.value)

    def test_offsetPastTheEnd(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        A range that starts past the end of the file sends nothing and fails
        with EOFError naming all of its bytes as missing.
        """
        r = backendReactor
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.write(b"head")
            transport.sendFile(opened, BIG + 5, 10).addBoth(recordInto(results))
            transport.write(b"tail")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        assert sink.received == b"headtail"
        [failure] = results
        assert shortfallOf(failure) == 10

    def test_truncatedAfterQueueing(self, backendReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A file truncated after its range was queued (behind 16 MiB of
        written bytes, so none of it was sent yet) sends what is left of
        it; the Deferred fails with EOFError naming the missing bytes; the
        bytes written after the range arrive right after what was sent.
        """
        r = backendReactor
        data = os.urandom(BIG)
        path = tmp_path / "shrinking"
        path.write_bytes(data)
        blob = os.urandom(16 * 2**20)
        kept = 2**20  # a whole number of pages
        results: list[object] = []

        sink = Sink()
        with path.open("rb") as f:

            def send(transport: Any) -> None:
                transport.write(blob)
                transport.sendFile(f, 0, len(data)).addBoth(recordInto(results))
                transport.write(b"tail")
                os.truncate(path, kept)
                transport.loseConnection()

            transfer(r, send, sink)
        [failure] = results
        assert shortfallOf(failure) == len(data) - kept
        received = sink.received
        assert len(received) == len(blob) + kept + 4
        assert received == blob + data[:kept] + b"tail"


class FlowControlTests:
    def test_slowReader(
        self, backendReactor: PollingReactor, bigFile: tuple[Path, bytes], opened: BinaryIO
    ) -> None:
        """
        A peer that is not reading when the range is queued (its transport
        paused), then reads one chunk per reactor turn once resumed from a
        callLater, still gets every byte in order.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []
        ready: set[str] = set()
        pendingAtResume: list[bool] = []

        class SlowSink(Sink):
            def connectionMade(self) -> None:
                self.transport.pauseProducing()
                isReady("reader")

            def dataReceived(self, data: bytes) -> None:
                super().dataReceived(data)
                self.transport.pauseProducing()
                r.callLater(0, self.transport.resumeProducing)

        sink = SlowSink()

        def resume() -> None:
            pendingAtResume.append(not results)
            sink.transport.resumeProducing()

        def isReady(who: str) -> None:
            ready.add(who)
            if ready == {"reader", "sender"}:
                r.callLater(0.05, resume)

        def send(transport: Any) -> None:
            transport.write(b"head")
            transport.sendFile(opened, 0, len(data)).addBoth(recordInto(results))
            transport.write(b"tail")
            transport.loseConnection()
            isReady("sender")

        transfer(r, send, sink)
        assert pendingAtResume == [True]
        assert sink.received == b"head" + data + b"tail"
        assert results == [len(data)]

    def test_producerPausedAndResumed(
        self, backendReactor: PollingReactor, bigFile: tuple[Path, bytes], opened: BinaryIO
    ) -> None:
        """
        A streaming producer registered on the transport is paused as soon
        as a range bigger than the high-water mark is queued (its bytes
        count as buffered), and resumed once the range has drained.
        """
        r = backendReactor
        data = bigFile[1]
        calls: list[str] = []
        pausedAtReturn: list[list[str]] = []
        drained: Deferred[None] = Deferred()
        holder: dict[str, Any] = {}

        def finishWhenDone() -> None:
            if "fired" in calls and "resume" in calls and not drained.called:
                transport = holder["transport"]
                transport.unregisterProducer()
                transport.loseConnection()
                drained.callback(None)

        @implementer(IPushProducer)
        class Producer:
            def pauseProducing(self) -> None:
                calls.append("pause")

            def resumeProducing(self) -> None:
                calls.append("resume")
                finishWhenDone()

            def stopProducing(self) -> None:
                calls.append("stop")

        def fired(result: object) -> object:
            calls.append("fired")
            finishWhenDone()
            return result

        results: list[object] = []

        def send(transport: Any) -> None:
            holder["transport"] = transport
            transport.registerProducer(Producer(), True)
            d = transport.sendFile(opened, 0, len(data))
            pausedAtReturn.append(list(calls))
            d.addBoth(recordInto(results))
            d.addCallback(fired)

        sink = Sink()
        transfer(r, send, sink, alsoWait=[drained])
        assert pausedAtReturn == [["pause"]]
        assert calls.count("pause") == 1 and calls.count("resume") == 1
        assert calls.index("pause") < calls.index("resume")
        assert "stop" not in calls
        assert results == [len(data)]
        assert sink.received == data

    def test_pullProducerSendingFiles(self, tmp_path: Path) -> None:
        """
        A pull producer that sends one small range per resumeProducing is
        asked for the next one each time the previous was sent, as it would
        be after a write(); all ranges arrive in order.  (One backend: the
        logic is the transport's; a short bound, as the failure is a stall.)
        """
        r = SelectReactor()
        data = os.urandom(10_000)
        path = tmp_path / "pieces"
        path.write_bytes(data)
        asked: list[int] = []

        with path.open("rb") as f:

            @implementer(IPullProducer)
            class Pieces:
                def __init__(self, transport: Any) -> None:
                    self.transport = transport

                def resumeProducing(self) -> None:
                    n = len(asked)
                    asked.append(n)
                    if n == 10:
                        self.transport.unregisterProducer()
                        self.transport.loseConnection()
                    else:
                        self.transport.sendFile(f, n * 1000, 1000)

                def stopProducing(self) -> None:
                    asked.append(-1)

            sink = Sink()
            try:
                transfer(
                    r,
                    lambda transport: transport.registerProducer(Pieces(transport), False),
                    sink,
                    timeout=3,
                )
            finally:
                r.waker.close()
        assert asked == list(range(11))
        assert sink.received == data


class ConnectionLostTests:
    def test_abortWhileQueued(
        self, backendReactor: PollingReactor, bigFile: tuple[Path, bytes], opened: BinaryIO
    ) -> None:
        """
        abortConnection() while a range is still queued (the peer is not
        reading) fails the range's Deferred with the connection's own
        reason, ConnectionAborted, and the reactor goes on running.
        """
        r = backendReactor
        results: list[object] = []
        later: Deferred[str] = Deferred()

        class Stalled(Sink):
            def connectionMade(self) -> None:
                self.transport.pauseProducing()

        def failed(failure: Failure) -> None:
            results.append(failure)
            r.callLater(0, later.callback, "the reactor went on")

        def send(transport: Any) -> None:
            d = transport.sendFile(opened, 0, BIG)
            d.addErrback(failed)
            results.append("queued" if not d.called else "sent")
            transport.abortConnection()

        sink = Stalled()

        def closeReader(_: object) -> None:
            # The reader never reads, so it would not notice the close.
            sink.transport.loseConnection()

        later.addCallback(closeReader)
        sender = transfer(r, send, sink, alsoWait=[later])
        assert results[0] == "queued"
        failure = results[1]
        assert isinstance(failure, Failure) and failure.check(ConnectionAborted)
        assert sender.reason is not None and failure.value is sender.reason.value
        assert later.called

    def test_refusedOnceClosed(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        sendFile() on a connection that has closed raises RuntimeError
        saying it is not connected, in connectionLost and afterwards.
        """
        r = backendReactor
        errors: list[str] = []

        class ClosedSender(Sender):
            def connectionLost(self, reason: Failure = connectionDone) -> None:
                try:
                    self.transport.sendFile(opened, 0, 10)
                except RuntimeError as e:
                    errors.append(str(e))
                finally:
                    super().connectionLost(reason)

        def send(transport: Any) -> None:
            transport.loseConnection()

        sender = transfer(r, send, Sink(), sender=ClosedSender(send))
        assert len(errors) == 1
        assert re.fullmatch(r"sendFile\(\) on .*, which is not connected", errors[0])
        with pytest.raises(RuntimeError, match=r"which is not connected$"):
            sender.transport.sendFile(opened, 0, 10)


class RefusalTests:
    def refusals(
        self, r: PollingReactor, attempt: Callable[[Any], object]
    ) -> tuple[list[BaseException], Sink]:
        """
        Run C{attempt(transport)} on a fresh connection's server side, then
        write C{b"ok"} and close; collect what C{attempt} raised.
        """
        raised: list[BaseException] = []

        def send(transport: Any) -> None:
            try:
                attempt(transport)
            except Exception as e:
                raised.append(e)
            transport.write(b"ok")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink)
        return raised, sink

    def test_negative(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        A negative offset or count raises ValueError naming both values, and
        sends nothing.
        """
        raisedAll: list[BaseException] = []

        def attempt(transport: Any) -> None:
            for offset, count in [(-1, 10), (0, -1)]:
                with pytest.raises(ValueError) as e:
                    transport.sendFile(opened, offset, count)
                raisedAll.append(e.value)

        raised, sink = self.refusals(backendReactor, attempt)
        assert raised == []
        assert [str(e) for e in raisedAll] == [
            "sendFile() needs offset >= 0 and count >= 0, not -1, 10",
            "sendFile() needs offset >= 0 and count >= 0, not 0, -1",
        ]
        assert sink.received == b"ok"

    def test_countTooLarge(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        A count no system call can take (2**64) is refused at once with
        ValueError or OverflowError and queues nothing: bytes written
        afterwards still arrive.
        """
        raised, sink = self.refusals(
            backendReactor, lambda transport: transport.sendFile(opened, 0, 2**64)
        )
        assert len(raised) == 1 and isinstance(raised[0], ValueError | OverflowError)
        assert sink.received == b"ok"

    def test_notARegularFile(self, backendReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A pipe's read end, or a directory, raises ValueError saying that
        sendFile sends regular files, naming the descriptor; nothing is sent.
        """
        readEnd = pipeHolding(b"not from a pipe")
        directory = os.open(tmp_path, os.O_RDONLY)

        def attempt(transport: Any) -> None:
            for descriptor in (readEnd, directory):
                with pytest.raises(ValueError) as e:
                    transport.sendFile(descriptor, 0, 5)
                refused.append(str(e.value))

        refused: list[str] = []
        try:
            raised, sink = self.refusals(backendReactor, attempt)
            assert readAll(readEnd) == b"not from a pipe"
        finally:
            os.close(readEnd)
            os.close(directory)
        assert raised == []
        assert len(refused) == 2
        for descriptor, message in zip((readEnd, directory), refused, strict=True):
            assert re.fullmatch(
                rf"sendFile\(\) sends regular files; descriptor {descriptor} is not one \(.*\)",
                message,
            )
        assert sink.received == b"ok"

    def test_fileNotOpenForReading(self, backendReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A file open only for writing is the caller's mistake, not the
        peer's: sendFile() refuses it (at once, or by failing its Deferred)
        with an error naming the descriptor, and the connection carries on,
        so bytes written afterwards arrive.
        """
        path = tmp_path / "writeOnly"
        path.write_bytes(b"x" * 100)
        outcome: list[object] = []
        with path.open("ab") as f:

            def attempt(transport: Any) -> None:
                try:
                    transport.sendFile(f, 0, 100).addBoth(recordInto(outcome))
                except Exception as e:
                    outcome.append(e)

            raised, sink = self.refusals(backendReactor, attempt)
            descriptor = f.fileno()
        assert raised == []
        [error] = outcome
        value = error.value if isinstance(error, Failure) else error
        assert not isinstance(value, ConnectionLost), value
        assert str(descriptor) in str(value)
        assert sink.received == b"ok"

    def test_afterStartTLS(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        After startTLS, sendFile() raises RuntimeError saying that the file
        would go out unencrypted over TLS; nothing is sent in plaintext.
        """
        r = backendReactor
        raised: list[BaseException] = []

        def send(transport: Any) -> None:
            transport.startTLS(ServerContextFactory())
            assert transport.TLS
            try:
                transport.sendFile(opened, 0, 100)
            except RuntimeError as e:
                raised.append(e)
            transport.abortConnection()

        sink = Sink()
        transfer(r, send, sink)
        assert len(raised) == 1
        assert re.search(r"uses TLS: the file would be sent unencrypted", str(raised[0]))
        assert sink.received == b""

    def test_listenSSLRefuses(self, backendReactor: PollingReactor, opened: BinaryIO) -> None:
        """
        A connection accepted by listenSSL does not offer sendFile(): its
        transport does not provide ISendFileTransport, the attribute error
        says why, and no file byte reaches the wire in plaintext.
        """
        r = backendReactor
        raised: list[BaseException] = []

        def send(transport: Any) -> None:
            assert not ISendFileTransport.providedBy(transport)
            try:
                transport.sendFile(opened, 0, 100)
            except AttributeError as e:
                raised.append(e)
            transport.abortConnection()

        sender = Sender(send)
        port = r.listenSSL(0, OneServer(sender), ServerContextFactory(), interface="127.0.0.1")
        sink = Sink()
        r.connectTCP("127.0.0.1", port.getHost().port, OneClient(sink))
        done = gatherResults([sender.lost, sink.lost])
        done.addBoth(lambda _: port.stopListening()).addBoth(lambda _: r.stop())
        runReactor(r)
        opened.seek(0)
        assert opened.read(100) not in sink.received
        assert len(raised) == 1 and "unencrypted" in str(raised[0])


@implementer(IFileDescriptorReceiver)
class DescriptorSink(Sink):
    """
    Records descriptors (pipes, read to their end) and bytes in the order
    they arrive.
    """

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, bytes]] = []

    def fileDescriptorReceived(self, descriptor: int) -> None:
        try:
            self.events.append(("fd", readAll(descriptor)))
        finally:
            os.close(descriptor)

    def dataReceived(self, data: bytes) -> None:
        self.events.append(("data", data))
        super().dataReceived(data)


class UNIXTests:
    def test_headFileTail(
        self,
        backendReactor: PollingReactor,
        where: Path,
        bigFile: tuple[Path, bytes],
        opened: BinaryIO,
    ) -> None:
        """
        Over a UNIX stream connection, head, a whole 8 MiB file and tail
        arrive exactly and in order, and the Deferred fires with the count.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.write(b"head")
            transport.sendFile(opened, 0, len(data)).addBoth(recordInto(results))
            transport.write(b"tail")
            transport.loseConnection()

        sink = Sink()
        transfer(r, send, sink, unixDirectory=where)
        assert sink.received == b"head" + data + b"tail"
        assert results == [len(data)]

    def test_descriptorRidesOnFirstFileByte(
        self,
        backendReactor: PollingReactor,
        where: Path,
        bigFile: tuple[Path, bytes],
        opened: BinaryIO,
    ) -> None:
        """
        sendFileDescriptor(fd) then sendFile(...) delivers the descriptor
        with the first byte of the file (before any data) and then exactly
        the file's bytes.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []

        def send(transport: Any) -> None:
            readEnd = pipeHolding(b"through the pipe")
            transport.sendFileDescriptor(readEnd)
            os.close(readEnd)
            transport.sendFile(opened, 0, len(data)).addBoth(recordInto(results))
            transport.loseConnection()

        sink = DescriptorSink()
        transfer(r, send, sink, unixDirectory=where)
        assert sink.events[0] == ("fd", b"through the pipe")
        assert [kind for kind, _ in sink.events].count("fd") == 1
        assert sink.received == data
        assert results == [len(data)]

    def test_descriptorsBehindWrittenBytes(
        self,
        backendReactor: PollingReactor,
        where: Path,
        bigFile: tuple[Path, bytes],
        opened: BinaryIO,
    ) -> None:
        """
        After write(head), two descriptors sent before sendFile() ride on the
        first two file bytes: what arrived before each descriptor is at most
        head plus the file bytes before its own, and every byte arrives once.
        """
        r = backendReactor
        data = bigFile[1]
        results: list[object] = []

        def send(transport: Any) -> None:
            transport.write(b"head")
            for n in range(2):
                readEnd = pipeHolding(b"pipe %d" % n)
                transport.sendFileDescriptor(readEnd)
                os.close(readEnd)
            transport.sendFile(opened, 0, len(data)).addBoth(recordInto(results))
            transport.loseConnection()

        sink = DescriptorSink()
        transfer(r, send, sink, unixDirectory=where)
        assert sink.received == b"head" + data
        assert results == [len(data)]
        for n in range(2):
            fdAt = sink.events.index(("fd", b"pipe %d" % n))
            before = b"".join(p for kind, p in sink.events[:fdAt] if kind == "data")
            assert len(before) <= 4 + n
            through = b"".join(p for kind, p in sink.events[: fdAt + 2] if kind == "data")
            assert len(through) >= 4 + n + 1


def test_policyWrapperDoesNotForward(opened: BinaryIO) -> None:
    """
    A policies wrapper (here WrappingFactory's ProtocolWrapper) neither
    provides ISendFileTransport nor forwards sendFile to the connection
    under it, whose file bytes would bypass the wrapper's write.
    """
    from torsion.protocols.policies import ProtocolWrapper, WrappingFactory

    r = SelectReactor()
    seen: list[object] = []

    class Probe(Protocol):
        def connectionMade(self) -> None:
            seen.append(ISendFileTransport.providedBy(self.transport))
            seen.append(isinstance(self.transport, ProtocolWrapper))
            with pytest.raises(AttributeError, match="write\\(\\) the file's contents"):
                self.transport.sendFile(opened, 0, 10)
            seen.append(ISendFileTransport.providedBy(self.transport.transport))
            self.transport.loseConnection()

    port = r.listenTCP(0, WrappingFactory(Factory.forProtocol(Probe)), interface="127.0.0.1")
    sink = Sink()
    r.connectTCP("127.0.0.1", port.getHost().port, OneClient(sink))
    sink.lost.addBoth(lambda _: port.stopListening()).addBoth(lambda _: r.stop())
    runReactor(r)
    r.waker.close()
    assert seen == [False, True, True]
