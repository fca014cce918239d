"""
Tests for L{torsion.protocols.basic.LineReceiver} and
L{torsion.protocols.basic.LineOnlyReceiver}, over L{StringTransport}.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols import chunked, cutLists
from torsion.internet.testing import StringTransport
from torsion.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher
from torsion.protocols import basic
from torsion.protocols.basic import LineOnlyReceiver, LineReceiver


@pytest.fixture
def loggedWarnings() -> Iterator[list[str]]:
    """
    The text of each warning (or worse) logged during the test.
    """
    texts: list[str] = []

    def observer(event: LogEvent) -> None:
        if event.get("log_level") in (LogLevel.warn, LogLevel.error, LogLevel.critical):
            texts.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    yield texts
    globalLogPublisher.removeObserver(observer)


class Lines(LineReceiver):
    """
    Records lines and raw data; can be told to act on a given line.
    """

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes]] = []
        self.actions: dict[bytes, Any] = {}

    def lineReceived(self, line: bytes) -> None:
        self.events.append(("line", line))
        action = self.actions.get(line)
        if action is not None:
            action(self)

    def rawDataReceived(self, data: bytes) -> None:
        self.events.append(("raw", data))


def connect(protocol: Any) -> StringTransport:
    """
    Connect C{protocol} to a new L{StringTransport}.
    """
    transport = StringTransport()
    protocol.makeConnection(transport)
    return transport


def lines(protocol: Lines) -> list[bytes]:
    return [data for kind, data in protocol.events if kind == "line"]


class LineReceiverTests:
    def test_lines(self) -> None:
        """
        Each complete line goes to lineReceived, without its delimiter,
        whether the bytes come at once or one at a time.
        """
        data = b"one\r\ntwo\r\n\r\nthree\r\nfour"
        whole, single = Lines(), Lines()
        connect(whole), connect(single)
        whole.dataReceived(data)
        for byte in data:
            single.dataReceived(bytes([byte]))
        assert lines(whole) == lines(single) == [b"one", b"two", b"", b"three"]

    def test_defaults(self) -> None:
        """
        The delimiter is CR LF and lines may be 16384 bytes, as in Twisted.
        """
        assert LineReceiver.delimiter == b"\r\n"
        assert LineReceiver.MAX_LENGTH == 16384
        assert LineOnlyReceiver.delimiter == b"\r\n"
        assert LineOnlyReceiver.MAX_LENGTH == 16384
        assert LineReceiver.line_mode == 1
        assert LineReceiver.paused is False

    def test_otherDelimiter(self) -> None:
        """
        A subclass's C{delimiter} frames lines, and C{sendLine} uses it.
        """

        class Newlines(Lines):
            delimiter = b"\n"

        protocol = Newlines()
        transport = connect(protocol)
        protocol.dataReceived(b"a\nb\r\nc")
        assert lines(protocol) == [b"a", b"b\r"]
        protocol.sendLine(b"out")
        assert transport.value() == b"out\n"

    def test_sendLine(self) -> None:
        """
        C{sendLine} writes the line and the delimiter; text is refused
        with a message saying to encode it.
        """
        protocol = Lines()
        transport = connect(protocol)
        protocol.sendLine(b"hello")
        assert transport.value() == b"hello\r\n"
        message = (
            "a line must be bytes, not str 'hello'; encode text first, "
            "e.g. sendLine(text.encode('utf-8'))"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            protocol.sendLine("hello")  # type: ignore[arg-type]

    def test_rawModeSwitch(self) -> None:
        """
        setRawMode inside lineReceived hands the rest of the buffer, and
        what follows, to rawDataReceived; setLineMode(extra) goes back,
        parsing C{extra} as lines.
        """

        class Switching(Lines):
            def rawDataReceived(self, data: bytes) -> None:
                super().rawDataReceived(data)
                if b"|" in data:
                    rest = data.split(b"|", 1)[1]
                    self.setLineMode(rest)

        protocol = Switching()
        protocol.actions[b"RAW"] = LineReceiver.setRawMode
        connect(protocol)
        protocol.dataReceived(b"a\r\nRAW\r\n\x00\r\n")
        protocol.dataReceived(b"\xff|b\r\nc\r\n")
        assert protocol.events == [
            ("line", b"a"),
            ("line", b"RAW"),
            ("raw", b"\x00\r\n"),
            ("raw", b"\xff|b\r\nc\r\n"),
            ("line", b"b"),
            ("line", b"c"),
        ]
        assert protocol.line_mode

    def test_setLineModeOutsideCallbacks(self) -> None:
        """
        setLineMode(extra) called from outside a callback parses C{extra}
        at once.
        """
        protocol = Lines()
        connect(protocol)
        protocol.setRawMode()
        protocol.setLineMode(b"x\r\ny\r\n")
        assert lines(protocol) == [b"x", b"y"]

    def test_clearLineBuffer(self) -> None:
        """
        clearLineBuffer inside lineReceived returns everything after the
        current line, which is then not delivered; outside, it returns the
        partial line.
        """
        cleared: list[bytes] = []
        protocol = Lines()
        protocol.actions[b"CLEAR"] = lambda p: cleared.append(p.clearLineBuffer())
        connect(protocol)
        assert protocol.clearLineBuffer() == b""
        protocol.dataReceived(b"a\r\nCLEAR\r\nb\r\nc\r\npartial")
        assert lines(protocol) == [b"a", b"CLEAR"]
        assert cleared == [b"b\r\nc\r\npartial"]
        protocol.dataReceived(b"d\r\ne")
        assert lines(protocol) == [b"a", b"CLEAR", b"d"]
        assert protocol.clearLineBuffer() == b"e"

    def test_lineLengthExceeded(self, loggedWarnings: list[str]) -> None:
        """
        By default a line over MAX_LENGTH closes the connection, logging
        what was wrong; the lines after it are not delivered.
        """

        class Short(Lines):
            MAX_LENGTH = 5

        protocol = Short()
        transport = connect(protocol)
        protocol.dataReceived(b"ok\r\n123456\r\nlater\r\n")
        assert lines(protocol) == [b"ok"]
        assert transport.disconnecting
        assert loggedWarnings == [
            "Closing the connection to IPv4Address(type='TCP', host='192.168.1.1', port=54321): "
            "a line of 6 bytes is over MAX_LENGTH (5)"
        ]

    def test_partialLineTooLong(self, loggedWarnings: list[str]) -> None:
        """
        A partial line already longer than MAX_LENGTH closes the connection
        without waiting for its end.
        """

        class Short(Lines):
            MAX_LENGTH = 5

        protocol = Short()
        transport = connect(protocol)
        protocol.dataReceived(b"123456")
        assert not transport.disconnecting
        protocol.dataReceived(b"7")
        assert transport.disconnecting
        assert loggedWarnings[0].endswith(
            "7 bytes arrived without a b'\\r\\n' delimiter, over MAX_LENGTH (5)"
        )

    def test_lineLengthExceededOverride(self) -> None:
        """
        lineLengthExceeded gets the discarded bytes, starting with the long
        line; if it keeps the connection, parsing goes on.
        """
        exceeded: list[bytes] = []

        class Tolerant(Lines):
            MAX_LENGTH = 3

            def lineLengthExceeded(self, line: bytes) -> None:
                exceeded.append(line)

        protocol = Tolerant()
        transport = connect(protocol)
        protocol.dataReceived(b"abc\r\nabcd\r\nx\r\n")
        protocol.dataReceived(b"y\r\n")
        assert exceeded == [b"abcd\r\nx\r\n"]
        assert lines(protocol) == [b"abc", b"y"]
        assert not transport.disconnecting

    def test_pauseInLineReceived(self) -> None:
        """
        pauseProducing inside lineReceived stops delivery, of buffered lines
        too, and pauses the transport; resumeProducing delivers them and
        resumes it.
        """
        protocol = Lines()
        protocol.actions[b"PAUSE"] = LineReceiver.pauseProducing
        transport = connect(protocol)
        protocol.dataReceived(b"a\r\nPAUSE\r\nb\r\nc\r\n")
        assert lines(protocol) == [b"a", b"PAUSE"]
        assert protocol.paused
        assert transport.producerState == "paused"
        protocol.dataReceived(b"d\r\n")
        assert lines(protocol) == [b"a", b"PAUSE"]
        protocol.resumeProducing()
        assert lines(protocol) == [b"a", b"PAUSE", b"b", b"c", b"d"]
        assert transport.producerState == "producing"

    def test_pauseInRawMode(self) -> None:
        """
        While paused in raw mode, data waits in the buffer.
        """
        protocol = Lines()
        connect(protocol)
        protocol.setRawMode()
        protocol.pauseProducing()
        protocol.dataReceived(b"held")
        assert protocol.events == []
        protocol.resumeProducing()
        assert protocol.events == [("raw", b"held")]

    def test_resumeInsideLineReceived(self) -> None:
        """
        Pausing and resuming within one lineReceived call delivers the rest
        in order, once.
        """

        def flick(p: LineReceiver) -> None:
            p.pauseProducing()
            p.resumeProducing()

        protocol = Lines()
        protocol.actions[b"b"] = flick
        connect(protocol)
        protocol.dataReceived(b"a\r\nb\r\nc\r\nd\r\n")
        assert lines(protocol) == [b"a", b"b", b"c", b"d"]

    def test_stopProducing(self) -> None:
        """
        stopProducing stops delivery and stops the transport.
        """
        protocol = Lines()
        protocol.actions[b"STOP"] = LineReceiver.stopProducing
        transport = connect(protocol)
        protocol.dataReceived(b"STOP\r\nx\r\n")
        assert lines(protocol) == [b"STOP"]
        assert transport.producerState == "stopped"

    def test_reentrantDataReceived(self) -> None:
        """
        dataReceived called from lineReceived queues its bytes after the
        buffered ones: lines still come out in order.
        """
        protocol = Lines()
        protocol.actions[b"a"] = lambda p: p.dataReceived(b"injected\r\n")
        connect(protocol)
        protocol.dataReceived(b"a\r\nb\r\n")
        assert lines(protocol) == [b"a", b"b", b"injected"]

    def test_loseConnectionStopsDelivery(self) -> None:
        """
        Once lineReceived has closed the connection, the lines after it in
        the same chunk are not delivered.
        """
        protocol = Lines()
        protocol.actions[b"QUIT"] = lambda p: p.transport.loseConnection()
        connect(protocol)
        protocol.dataReceived(b"a\r\nQUIT\r\nb\r\nc\r\n")
        assert lines(protocol) == [b"a", b"QUIT"]

    def test_delimiterChangedInLineReceived(self) -> None:
        """
        A new delimiter set in lineReceived frames the rest of the buffer.
        """

        def switch(p: LineReceiver) -> None:
            p.delimiter = b"\n"

        protocol = Lines()
        protocol.actions[b"SWITCH"] = switch
        connect(protocol)
        protocol.dataReceived(b"a\r\nSWITCH\r\nb\nc\r\n")
        assert lines(protocol) == [b"a", b"SWITCH", b"b", b"c\r"]

    def test_maxLengthChangedInLineReceived(self) -> None:
        """
        A new MAX_LENGTH set in lineReceived applies to the next line.
        """
        exceeded: list[bytes] = []

        class Limited(Lines):
            def lineLengthExceeded(self, line: bytes) -> None:
                exceeded.append(line)

        def lower(p: LineReceiver) -> None:
            p.MAX_LENGTH = 2

        protocol = Limited()
        protocol.actions[b"LOWER"] = lower
        connect(protocol)
        protocol.dataReceived(b"LOWER\r\nabc\r\n")
        assert lines(protocol) == [b"LOWER"]
        assert exceeded == [b"abc\r\n"]

    def test_exceptionKeepsLaterLines(self) -> None:
        """
        If lineReceived raises, the exception propagates and the lines
        after it stay buffered for the next call.
        """

        def explode(p: LineReceiver) -> None:
            raise ZeroDivisionError("boom")

        protocol = Lines()
        protocol.actions[b"BOOM"] = explode
        connect(protocol)
        with pytest.raises(ZeroDivisionError):
            protocol.dataReceived(b"BOOM\r\nafter\r\n")
        protocol.dataReceived(b"")
        assert lines(protocol) == [b"BOOM", b"after"]

    def test_subclassWithoutInit(self) -> None:
        """
        A subclass whose __init__ does not call ours still works.
        """

        class Bare(LineReceiver):
            def __init__(self, sink: list[bytes]) -> None:
                self.sink = sink

            def lineReceived(self, line: bytes) -> None:
                self.sink.append(line)

        sink: list[bytes] = []
        protocol = Bare(sink)
        connect(protocol)
        protocol.dataReceived(b"x\r\n")
        assert sink == [b"x"]

    def test_notOverridden(self) -> None:
        """
        lineReceived and rawDataReceived must be overridden; the errors say
        so.
        """
        protocol = LineReceiver()
        connect(protocol)
        with pytest.raises(
            NotImplementedError,
            match=r"^LineReceiver must override lineReceived\(line\) to handle lines$",
        ):
            protocol.dataReceived(b"x\r\n")
        protocol = LineReceiver()
        protocol.setRawMode()
        with pytest.raises(
            NotImplementedError,
            match=r"^LineReceiver called setRawMode\(\) but does not override "
            r"rawDataReceived\(data\) to handle raw data$",
        ):
            protocol.dataReceived(b"x")


class Scripted(LineReceiver):
    """
    Follows commands in its input: C{RAW n} reads n raw bytes, C{PAUSE}
    pauses (the test resumes it), C{SWITCH} toggles the delimiter between
    CR LF and LF.
    """

    MAX_LENGTH = 64

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes]] = []
        self.rawLeft = 0
        self.raw = b""

    def lineReceived(self, line: bytes) -> None:
        self.events.append(("line", line))
        if line.startswith(b"RAW ") and line[4:].isdigit():
            self.rawLeft = int(line[4:])
            self.raw = b""
            if self.rawLeft:
                self.setRawMode()
            else:
                self.events.append(("raw", b""))
        elif line == b"PAUSE":
            self.pauseProducing()
        elif line == b"SWITCH":
            self.delimiter = b"\n" if self.delimiter == b"\r\n" else b"\r\n"

    def rawDataReceived(self, data: bytes) -> None:
        self.raw += data[: self.rawLeft]
        rest = data[self.rawLeft :]
        self.rawLeft -= len(data) - len(rest)
        if not self.rawLeft:
            self.events.append(("raw", self.raw))
            self.setLineMode(rest)

    def lineLengthExceeded(self, line: bytes) -> None:
        self.events.append(("too long", b""))
        self.transport.loseConnection()


def runScript(chunks: list[bytes], cls: type[Any] = Scripted, transport: Any = None) -> list[Any]:
    """
    Feed C{chunks} to a C{cls}, resuming it whenever it has paused, until
    it closes the connection (a real transport stops reading then).
    """
    protocol = cls()
    protocol.makeConnection(transport if transport is not None else StringTransport())
    for chunk in chunks:
        if protocol.transport.disconnecting:
            break
        protocol.dataReceived(chunk)
        while protocol.paused and not protocol.transport.disconnecting:
            protocol.events.append(("resume", b""))
            protocol.resumeProducing()
    return list(protocol.events)


commandPieces = st.sampled_from(
    [
        *(b"x", b"\r", b"\n", b"\r\n", b"y" * 70),
        *(b"RAW 3\r\n", b"RAW 0\r\n", b"PAUSE\r\n", b"SWITCH\r\n"),
        *(b"SWITCH\n", b"PAUSE\n", b"RAW 5\n"),
    ]
)
scripts = st.lists(commandPieces, max_size=60).map(b"".join)


class ScriptedPropertyTests:
    @given(data=scripts, cuts=cutLists)
    def test_chunkingInvariant(self, data: bytes, cuts: list[int]) -> None:
        """
        With mode switches, pauses and delimiter changes inside the
        callbacks, any split of the input gives the same events as one
        chunk, and as one byte at a time.
        """
        want = runScript([data])
        assert runScript(chunked(data, cuts)) == want
        assert runScript([bytes([b]) for b in data]) == want

    @given(data=scripts, cuts=cutLists)
    def test_sameAsTwisted(self, data: bytes, cuts: list[int]) -> None:
        """
        Twisted's LineReceiver, running the same script on the same
        chunks, gives the same events.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.internet import testing as twistedTesting
        from twisted.protocols.basic import LineReceiver as TwistedLineReceiver

        twistedTransport: Any = twistedTesting.StringTransport

        namespace = dict(vars(Scripted))
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
        twistedScripted = type("TwistedScripted", (TwistedLineReceiver,), namespace)
        chunks = chunked(data, cuts)
        assert runScript(chunks, twistedScripted, twistedTransport()) == runScript(chunks)


class Only(LineOnlyReceiver):
    """
    Records lines; can be told to act on a given line.
    """

    def __init__(self) -> None:
        self.got: list[bytes] = []
        self.actions: dict[bytes, Any] = {}

    def lineReceived(self, line: bytes) -> None:
        self.got.append(line)
        action = self.actions.get(line)
        if action is not None:
            action(self)


class LineOnlyReceiverTests:
    def test_lines(self) -> None:
        """
        Complete lines go to lineReceived, however the bytes are split.
        """
        data = b"one\r\ntwo\r\n\r\nthree\r\nfour"
        whole, single = Only(), Only()
        connect(whole), connect(single)
        whole.dataReceived(data)
        for byte in data:
            single.dataReceived(bytes([byte]))
        assert whole.got == single.got == [b"one", b"two", b"", b"three"]

    def test_sendLine(self) -> None:
        """
        sendLine writes the line and the delimiter.
        """

        class Newlines(Only):
            delimiter = b"\n"

        protocol = Newlines()
        transport = connect(protocol)
        protocol.sendLine(b"hi")
        assert transport.value() == b"hi\n"

    def test_lineLengthExceeded(self, loggedWarnings: list[str]) -> None:
        """
        By default a line over MAX_LENGTH closes the connection, logging
        what was wrong, after delivering the lines before it.
        """

        class Short(Only):
            MAX_LENGTH = 3

        protocol = Short()
        transport = connect(protocol)
        protocol.dataReceived(b"abc\r\nabcd\r\nx\r\n")
        assert protocol.got == [b"abc"]
        assert transport.disconnecting
        assert loggedWarnings[0].endswith("a line of 4 bytes is over MAX_LENGTH (3)")

    def test_lineLengthExceededOverride(self) -> None:
        """
        lineLengthExceeded gets the discarded bytes, starting with the long
        line.
        """
        exceeded: list[bytes] = []

        class Tolerant(Only):
            MAX_LENGTH = 3

            def lineLengthExceeded(self, line: bytes) -> None:
                exceeded.append(line)

        protocol = Tolerant()
        connect(protocol)
        protocol.dataReceived(b"abcd\r\nx\r\n")
        protocol.dataReceived(b"12345")
        assert exceeded == [b"abcd\r\nx\r\n", b"12345"]

    def test_loseConnectionStopsDelivery(self) -> None:
        """
        Once lineReceived has closed the connection, later lines are not
        delivered.
        """
        protocol = Only()
        protocol.actions[b"QUIT"] = lambda p: p.transport.loseConnection()
        connect(protocol)
        protocol.dataReceived(b"QUIT\r\nmore\r\n")
        assert protocol.got == [b"QUIT"]

    def test_reentrantDataReceived(self) -> None:
        """
        dataReceived from lineReceived delivers its lines after the
        buffered ones.
        """
        protocol = Only()
        protocol.actions[b"a"] = lambda p: p.dataReceived(b"c\r\n")
        connect(protocol)
        protocol.dataReceived(b"a\r\nb\r\n")
        assert protocol.got == [b"a", b"b", b"c"]

    def test_noTransport(self) -> None:
        """
        Lines are parsed even before a transport is connected.
        """
        protocol = Only()
        protocol.dataReceived(b"a\r\n")
        assert protocol.got == [b"a"]

    def test_notOverridden(self) -> None:
        """
        lineReceived must be overridden; the error says so.
        """
        with pytest.raises(NotImplementedError, match=r"^LineOnlyReceiver must override"):
            LineOnlyReceiver().dataReceived(b"x\r\n")

    @given(data=scripts, cuts=cutLists)
    def test_chunkingInvariant(self, data: bytes, cuts: list[int]) -> None:
        """
        Any split of the input gives the same lines.
        """

        def run(chunks: list[bytes]) -> tuple[list[bytes], bool]:
            protocol = Only()
            protocol.MAX_LENGTH = 64
            transport = connect(protocol)
            for chunk in chunks:
                if transport.disconnecting:
                    break
                protocol.dataReceived(chunk)
            return protocol.got, transport.disconnecting

        assert run(chunked(data, cuts)) == run([data])


class PublicNamesTests:
    def test_module(self) -> None:
        """
        Every public name claims C{torsion.protocols.basic} as its module.
        """
        for name in basic.__all__:
            assert getattr(basic, name).__module__ == "torsion.protocols.basic", name

    def test_twistedNames(self) -> None:
        """
        Every public class of Twisted's C{basic} module exists here (the
        Python 2 era constants are left out).
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.protocols import basic as twistedBasic

        theirs = {
            name
            for name, value in vars(twistedBasic).items()
            if isinstance(value, type)
            and not name.startswith("_")
            and value.__module__ == twistedBasic.__name__
        }
        assert theirs <= set(basic.__all__)
