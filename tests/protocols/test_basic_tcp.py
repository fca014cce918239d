"""
The basic protocols over real TCP on loopback, on every reactor backend:
many lines, lines split across reads, a raw-mode binary payload, pausing
inside lineReceived, a FileSender transfer, and misbehaving peers that
are disconnected while the others carry on.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.examples.test_defer_examples import requireTwisted, toTwisted
from tests.internet.reactors import backendReactor, runReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher
from torsion.protocols.basic import (
    FileSender,
    Int16StringReceiver,
    LineReceiver,
    NetstringReceiver,
)
from torsion.python.failure import Failure

__all__ = ["backendReactor"]


def listen(reactor: Any, build: Callable[[], Protocol]) -> int:
    """
    Listen on 127.0.0.1 with protocols from C{build}.

    @return: The port number.
    """
    factory = Factory()
    factory.buildProtocol = lambda addr: build()  # type: ignore[method-assign]
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    number: int = port.getHost().port
    return number


def connect(reactor: Any, port: int, protocol: Protocol) -> None:
    """
    Connect C{protocol} to C{port} on 127.0.0.1.
    """
    factory = ClientFactory()
    factory.buildProtocol = lambda addr: protocol  # type: ignore[method-assign]
    reactor.connectTCP("127.0.0.1", port, factory)


class Recorder(LineReceiver):
    """
    A server that records lines and the chunks they came in, and answers
    C{END} with the number of lines before it.
    """

    def __init__(self, reactor: Any, record: dict[str, Any]) -> None:
        self.reactor = reactor
        self.record = record
        record["lines"] = []
        record["chunks"] = []

    def dataReceived(self, data: bytes) -> None:
        self.record["chunks"].append(data)
        super().dataReceived(data)

    def lineReceived(self, line: bytes) -> None:
        if line == b"END":
            self.sendLine(b"COUNT %d" % len(self.record["lines"]))
        else:
            self.record["lines"].append(line)


class Asker(LineReceiver):
    """
    A client that sends lines, then C{END}, and stops the reactor with the
    answer.
    """

    def __init__(self, reactor: Any, lines: list[bytes]) -> None:
        self.reactor = reactor
        self.lines = lines
        self.answer: bytes | None = None

    def connectionMade(self) -> None:
        for line in self.lines:
            self.sendLine(line)
        self.sendLine(b"END")

    def lineReceived(self, line: bytes) -> None:
        self.answer = line
        self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reactor.stop()


class LinesOverTCPTests:
    def test_manyLines(self, backendReactor: PollingReactor) -> None:
        """
        Twenty thousand lines sent at once arrive whole and in order, in
        however many reads the kernel makes of them.
        """
        r = backendReactor
        record: dict[str, Any] = {}
        port = listen(r, lambda: Recorder(r, record))
        sent = [b"line %d %s" % (i, b"x" * (i % 50)) for i in range(20_000)]
        client = Asker(r, sent)
        connect(r, port, client)
        runReactor(r)
        assert record["lines"] == sent
        assert client.answer == b"COUNT 20000"

    def test_linesSplitAcrossReads(self, backendReactor: PollingReactor) -> None:
        """
        Lines (and a delimiter) split across separate reads are put back
        together: each piece is sent only after the server has read the one
        before.
        """
        r = backendReactor
        pieces = [b"hel", b"lo\r", b"\nwor", b"ld\r\n\r", b"\n", b"la", b"st\r\nEND\r\n"]
        record: dict[str, Any] = {}

        class Acking(Recorder):
            def dataReceived(self, data: bytes) -> None:
                super().dataReceived(data)
                self.transport.write(b"+")

        class Trickler(Protocol):
            def connectionMade(self) -> None:
                self.left = list(pieces)
                self.received = b""
                self.transport.write(self.left.pop(0))

            def dataReceived(self, data: bytes) -> None:
                self.received += data
                if self.left and data.endswith(b"+"):
                    self.transport.write(self.left.pop(0))
                if self.received.endswith(b"COUNT 4\r\n+"):
                    self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                r.stop()

        port = listen(r, lambda: Acking(r, record))
        connect(r, port, Trickler())
        runReactor(r)
        assert record["lines"] == [b"hello", b"world", b"", b"last"]
        assert b"".join(record["chunks"]) == b"".join(pieces)
        assert len(record["chunks"]) >= len(pieces)

    def test_rawModeBinaryPayload(self, backendReactor: PollingReactor) -> None:
        """
        After C{FILE n} the server switches to raw mode for exactly n bytes
        (delimiters in them included), then back to lines for what follows,
        even within the same read.
        """
        r = backendReactor
        payload = os.urandom(300_000) + b"\r\n" * 100
        got: dict[str, Any] = {"lines": [], "payload": b""}

        class Receiver(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                got["lines"].append(line)
                if line.startswith(b"FILE "):
                    self.left = int(line[5:])
                    self.setRawMode()
                elif line == b"AFTER":
                    self.sendLine(b"OK %d" % len(got["payload"]))

            def rawDataReceived(self, data: bytes) -> None:
                got["payload"] += data[: self.left]
                rest = data[self.left :]
                self.left -= len(data) - len(rest)
                if not self.left:
                    self.setLineMode(rest)

        client = Asker(r, [])
        client.connectionMade = lambda: client.transport.write(  # type: ignore[method-assign]
            b"FILE %d\r\n" % len(payload) + payload + b"AFTER\r\nEND\r\n"
        )
        port = listen(r, Receiver)
        connect(r, port, client)
        runReactor(r)
        assert got["payload"] == payload
        assert got["lines"] == [b"FILE %d" % len(payload), b"AFTER", b"END"]
        assert client.answer == b"OK %d" % len(payload)

    def test_pauseInsideLineReceived(self, backendReactor: PollingReactor) -> None:
        """
        pauseProducing inside lineReceived holds the lines already read and
        stops reading from the socket, over several reactor iterations;
        resumeProducing delivers the rest in order.
        """
        r = backendReactor
        sent = [b"a", b"PAUSE"] + [b"after %d" % i for i in range(5000)]
        seen: dict[str, Any] = {"lines": [], "whilePaused": [], "readingWhilePaused": []}

        class Pausing(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                if self.paused:
                    seen["whilePaused"].append(line)
                if line == b"END":
                    self.sendLine(b"COUNT %d" % len(seen["lines"]))
                    return
                seen["lines"].append(line)
                if line == b"a":
                    seen["readingBefore"] = self.transport in r.getReaders()
                if line == b"PAUSE":
                    self.pauseProducing()
                    r.callLater(0, self.watch, 5)

            def watch(self, iterations: int) -> None:
                seen["readingWhilePaused"].append(self.transport in r.getReaders())
                if iterations:
                    r.callLater(0, self.watch, iterations - 1)
                else:
                    seen["linesWhilePaused"] = len(seen["lines"])
                    self.resumeProducing()

        port = listen(r, Pausing)
        client = Asker(r, sent)
        connect(r, port, client)
        runReactor(r)
        assert seen["readingBefore"] is True
        assert seen["linesWhilePaused"] == 2
        assert seen["whilePaused"] == []
        assert seen["readingWhilePaused"] == [False] * 6
        assert seen["lines"] == sent
        assert client.answer == b"COUNT 5002"

    def test_fileSender(self, backendReactor: PollingReactor) -> None:
        """
        FileSender streams a file through a TCP transport as a pull
        producer; its Deferred fires with the last byte once all is
        written.
        """
        outcome = sendFileOverTCP(backendReactor, os.urandom(1_000_000) + b"!")
        assert outcome == "sent, last byte b'!'"


def sendFileOverTCP(reactor: Any, content: bytes) -> str:
    """
    Send C{content} with a L{FileSender} from a server to a client over
    loopback TCP on C{reactor}.

    The transfer counts as stalled, and ends at once, if the server's
    transport ever stops watching for writability while the FileSender is
    still registered with it: then nothing will ask the pull producer for
    its next chunk.

    @return: C{"sent, last byte ..."}, C{"stalled after N bytes"}, or what
        else went wrong.
    """
    r = reactor
    state: dict[str, Any] = {"results": [], "received": []}

    class Sender(Protocol):
        def connectionMade(self) -> None:
            state["transport"] = self.transport
            d = FileSender().beginFileTransfer(io.BytesIO(content), self.transport)
            d.addCallback(state["results"].append)
            d.addCallback(lambda _: self.transport.loseConnection())
            # A transfer cut short fails the Deferred: keep the failure
            # rather than have it logged as unhandled.
            d.addErrback(state.setdefault("failures", []).append)

    class Sink(Protocol):
        def dataReceived(self, data: bytes) -> None:
            state["received"].append(data)

        def connectionLost(self, reason: Failure = connectionDone) -> None:
            if r.running:
                r.stop()

    def watch() -> None:
        transport = state.get("transport")
        if (
            transport is not None
            and transport.connected
            and transport.producer is not None
            and transport not in r.getWriters()
        ):
            state["stalled"] = True
            r.stop()
            return
        r.callLater(0, watch)

    port = listen(r, Sender)
    connect(r, port, Sink())
    r.callLater(0, watch)
    runReactor(r)
    received = b"".join(state["received"])
    if state.get("stalled"):
        return f"stalled after {len(received)} bytes"
    if state.get("failures"):
        return f"failed: {state['failures'][0].getErrorMessage()}"
    if received != content:
        return f"received {len(received)} bytes that differ from the {len(content)} sent"
    [last] = state["results"]
    return f"sent, last byte {last!r}"


@pytest.fixture
def loggedWarnings() -> Iterator[list[str]]:
    """
    The text of each warning logged during the test.
    """
    texts: list[str] = []

    def observer(event: LogEvent) -> None:
        if event.get("log_level") is LogLevel.warn:
            texts.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    yield texts
    globalLogPublisher.removeObserver(observer)


# For each framing: the receiver class, its receive and send methods,
# garbage that breaks it, and the end of the warning logged about it.
FRAMINGS: dict[str, tuple[type[Protocol], str, str, bytes, str]] = {
    "line": (
        LineReceiver,
        "lineReceived",
        "sendLine",
        b"x" * 300 + b"\r\n",
        "a line of 300 bytes is over MAX_LENGTH (100)",
    ),
    "netstring": (
        NetstringReceiver,
        "stringReceived",
        "sendString",
        b"3:abcd,",
        "malformed netstring: a netstring of length 3 must end with b',', got b'd'",
    ),
    "int16": (
        Int16StringReceiver,
        "stringReceived",
        "sendString",
        struct.pack("!H", 1000) + b"x" * 10,
        "a length prefix announced a string of 1000 bytes, over the maximum of 100 bytes "
        "(MAX_LENGTH); raise MAX_LENGTH if such strings are expected",
    ),
}


def framed(name: str, onMessage: Callable[[Any, bytes], None], **extra: Any) -> Any:
    """
    A protocol class of framing C{name} (MAX_LENGTH 100) that calls
    C{onMessage(protocol, message)} for each message.
    """
    base, receive, _, _, _ = FRAMINGS[name]
    namespace: dict[str, Any] = {"MAX_LENGTH": 100, receive: onMessage, **extra}
    return type(f"{name.title()}Peer", (base,), namespace)


class MisbehavingPeerTests:
    @pytest.mark.parametrize("name", sorted(FRAMINGS))
    def test_onlyTheBadConnectionCloses(
        self, name: str, backendReactor: PollingReactor, loggedWarnings: list[str]
    ) -> None:
        """
        Of two clients of an echo server, the one that sends bad input
        (a line over MAX_LENGTH, a malformed netstring, an over-long
        length prefix) is disconnected, with a warning saying what was
        wrong; the other goes on being served before and after.
        """
        r = backendReactor
        _, _, send, garbage, problem = FRAMINGS[name]
        events: list[str] = []

        def echo(protocol: Any, message: bytes) -> None:
            getattr(protocol, send)(message)

        def goodGot(protocol: Any, message: bytes) -> None:
            events.append(f"good got {message.decode()}")
            if message == b"before":
                connect(r, port, Bad())
            else:
                protocol.transport.loseConnection()

        def goodLost(protocol: Any, reason: Failure) -> None:
            events.append("good lost")
            r.stop()

        def badMade(protocol: Any) -> None:
            protocol.transport.write(garbage)

        def badLost(protocol: Any, reason: Failure) -> None:
            events.append(f"bad lost: {reason.type.__name__}")
            getattr(good, send)(b"after")

        Good = framed(
            name,
            goodGot,
            connectionMade=lambda p: getattr(p, send)(b"before"),
            connectionLost=goodLost,
        )
        Bad = framed(name, echo, connectionMade=badMade, connectionLost=badLost)
        port = listen(r, framed(name, echo))
        good = Good()
        connect(r, port, good)
        runReactor(r)
        assert events[0] == "good got before"
        assert events[1] in ("bad lost: ConnectionDone", "bad lost: ConnectionLost")
        assert events[2:] == ["good got after", "good lost"]
        assert len(loggedWarnings) == 1
        assert loggedWarnings[0].startswith("Closing the connection to IPv4Address(type='TCP', ")
        assert loggedWarnings[0].endswith(problem)


DOC = Path(__file__).resolve().parents[2] / "docs" / "protocols-basic.md"


def docExamples() -> list[tuple[str, str]]:
    """
    Each python block of the guide, with the text block that follows it
    (its output).
    """
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    return [
        (code, blocks[i + 1][1])
        for i, (language, code) in enumerate(blocks)
        if language == "python" and i + 1 < len(blocks) and blocks[i + 1][0] == "text"
    ]


class DocsTests:
    def test_examplesFound(self) -> None:
        """
        The guide has its six examples, each followed by its output.
        """
        assert len(docExamples()) == 6

    @pytest.mark.parametrize("flavour", ["torsion", "twisted"])
    @pytest.mark.parametrize("index", range(6))
    def test_example(self, index: int, flavour: str, tmp_path: Path) -> None:
        """
        Each example in the guide runs and prints what the guide shows,
        and so does its copy renamed to use Twisted.
        """
        code, output = docExamples()[index]
        if flavour == "twisted":
            requireTwisted()
            code = toTwisted(code)
        script = tmp_path / "example.py"
        script.write_text(code, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (result.stdout, result.stderr, result.returncode) == (output, "", 0)
