"""
Tests for the sans-IO length-prefix parser, C{torsion.protocols._intprefix},
and L{torsion.protocols.basic.IntNStringReceiver} with its Int8, Int16 and
Int32 flavours.
"""

from __future__ import annotations

import importlib.util
import re
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols import chunked, cutLists, isSansIO
from torsion.internet.testing import StringTransport
from torsion.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher
from torsion.protocols import _intprefix
from torsion.protocols._intprefix import IntPrefixParser, LengthLimitExceeded, encode_prefixed
from torsion.protocols.basic import (
    Int8StringReceiver,
    Int16StringReceiver,
    Int32StringReceiver,
    IntNStringReceiver,
    StringTooLongError,
)

FORMATS = [("!B", 1), ("!H", 2), ("!I", 4), ("<I", 4)]


def expected(data: bytes, structFormat: str, maxLength: int) -> tuple[list[bytes], bool]:
    """
    What parsing C{data} must give, worked out with C{struct.unpack}.
    """
    size = struct.calcsize(structFormat)
    strings: list[bytes] = []
    position = 0
    while len(data) - position >= size:
        (length,) = struct.unpack(structFormat, data[position : position + size])
        if length > maxLength:
            return strings, True
        if len(data) - position - size < length:
            break
        strings.append(data[position + size : position + size + length])
        position += size + length
    return strings, False


def parse(chunks: list[bytes], structFormat: str, maxLength: int) -> tuple[list[bytes], bool]:
    """
    Feed C{chunks} one by one to a parser.

    @return: The payloads, and whether it raised (it stops there).
    """
    parser = IntPrefixParser(structFormat, maxLength)
    strings: list[bytes] = []
    for chunk in chunks:
        parser.feed(chunk)
        try:
            strings.extend(parser.read_strings())
            while (string := parser.next_string()) is not None:
                strings.append(string)
        except LengthLimitExceeded:
            return strings, True
    return strings, False


class ParserTests:
    def test_strings(self) -> None:
        """
        Payloads come out in order, however the bytes are split.
        """
        data = b"\x00\x03abc\x00\x00\x00\x01z"
        assert parse([data], "!H", 100) == ([b"abc", b"", b"z"], False)
        assert parse([bytes([b]) for b in data], "!H", 100) == ([b"abc", b"", b"z"], False)

    def test_bigStringInSmallChunks(self) -> None:
        """
        A large string arriving in many chunks is parked, not re-joined per
        chunk, and comes out whole.
        """
        payload = bytes(range(256)) * 300
        parser = IntPrefixParser("!I", len(payload))
        wire = encode_prefixed(payload)
        for i in range(0, len(wire), 100):
            parser.feed(wire[i : i + 100])
            if i + 100 < len(wire):
                assert parser.next_string() is None
                assert len(parser._buffer) < 200
        assert parser.next_string() == payload

    def test_tooLong(self) -> None:
        """
        A prefix over the limit raises L{LengthLimitExceeded} before the
        payload arrives, saying what was wrong, and keeps the bytes.
        """
        parser = IntPrefixParser("!H", 10)
        parser.feed(b"\x00\x01a\x00\x0b")
        assert parser.next_string() == b"a"
        with pytest.raises(LengthLimitExceeded) as info:
            parser.next_string()
        assert info.value.length == 11
        assert info.value.max_length == 10
        assert str(info.value) == (
            "a length prefix announced a string of 11 bytes, over the maximum of 10 bytes "
            "(MAX_LENGTH); raise MAX_LENGTH if such strings are expected"
        )
        assert parser.unparsed() == b"\x00\x0b"
        with pytest.raises(LengthLimitExceeded):
            parser.next_string()

    def test_negativeLength(self) -> None:
        """
        A signed format's negative length is refused too.
        """
        parser = IntPrefixParser("!b", 10)
        parser.feed(b"\xff")
        with pytest.raises(
            LengthLimitExceeded,
            match=r"^a length prefix announced a negative length \(-1\); use an unsigned "
            r"struct format such as '!I'$",
        ):
            parser.next_string()

    def test_readStringsThenError(self) -> None:
        """
        C{read_strings} returns the good strings before a long one; the
        next call raises.
        """
        parser = IntPrefixParser("!B", 2)
        parser.feed(b"\x01a\x01b\x05")
        assert parser.read_strings() == [b"a", b"b"]
        with pytest.raises(LengthLimitExceeded):
            parser.read_strings()

    def test_replace(self) -> None:
        """
        C{replace} throws the buffer away and parses new bytes instead.
        """
        parser = IntPrefixParser("!B", 10)
        parser.feed(b"\x05ab")
        parser.feed(b"c")
        assert parser.unparsed() == b"\x05abc"
        parser.replace(b"\x01z")
        assert parser.next_string() == b"z"

    @pytest.mark.parametrize(
        ("structFormat", "problem"),
        [
            ("!Q?", "it describes (0, False)"),
            ("!f", "it describes (0.0,)"),
            ("nonsense", "bad char in struct format"),
        ],
    )
    def test_badFormat(self, structFormat: str, problem: str) -> None:
        """
        A struct format that is not one integer is refused, naming it.
        """
        message = (
            f"the length prefix format {structFormat!r} is not a struct format for one "
            f"integer ({problem}); use e.g. '!I' for 4 bytes in network order"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            IntPrefixParser(structFormat)

    def test_badLimit(self) -> None:
        """
        A limit that is not an int >= 0 is refused, naming it.
        """
        with pytest.raises(ValueError, match=r"^the maximum string length must be an int >= 0"):
            IntPrefixParser("!I", -1)

    def test_encode(self) -> None:
        """
        C{encode_prefixed} frames bytes; a string too long for the prefix
        is refused with L{StringTooLongError}, text with L{TypeError}.
        """
        assert encode_prefixed(b"ab", "!H", 2) == b"\x00\x02ab"
        message = (
            "a string of 256 bytes is too long for a 1-byte length prefix (at most 255 "
            "bytes); split it, or use a receiver with a longer prefix such as "
            "Int32StringReceiver"
        )
        with pytest.raises(StringTooLongError, match=f"^{re.escape(message)}$"):
            encode_prefixed(b"x" * 256, "!B", 1)
        with pytest.raises(StringTooLongError, match=r"does not fit the length prefix format"):
            encode_prefixed(b"x" * 200, "!b", 1)
        with pytest.raises(TypeError, match=r"^a string to send must be bytes, not str"):
            encode_prefixed("x")  # type: ignore[arg-type]

    def test_sansIO(self) -> None:
        """
        The parser module imports nothing from torsion.internet.
        """
        assert isSansIO(_intprefix)


class ParserPropertyTests:
    @given(
        data=st.binary(max_size=600),
        cuts=cutLists,
        form=st.sampled_from(FORMATS),
        maxLength=st.sampled_from([0, 3, 50, 99999]),
    )
    def test_chunkingInvariant(
        self, data: bytes, cuts: list[int], form: tuple[str, int], maxLength: int
    ) -> None:
        """
        However the bytes are split, the parser gives the payloads (and the
        error, if any) that reading the whole input with struct gives; any
        bytes give payloads or L{LengthLimitExceeded}, nothing else.
        """
        want = expected(data, form[0], maxLength)
        assert parse(chunked(data, cuts), form[0], maxLength) == want
        assert parse([bytes([b]) for b in data], form[0], maxLength) == want

    @given(
        strings=st.lists(st.binary(max_size=300), max_size=20),
        cuts=cutLists,
        form=st.sampled_from(FORMATS[1:]),
    )
    def test_roundTrip(self, strings: list[bytes], cuts: list[int], form: tuple[str, int]) -> None:
        """
        Strings framed with C{encode_prefixed} parse back to themselves.
        """
        wire = b"".join(encode_prefixed(s, *form) for s in strings)
        assert parse(chunked(wire, cuts), form[0], 300) == (strings, False)


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


def recorder(base: type[IntNStringReceiver]) -> Any:
    """
    A C{base} that records strings and can be told to act on one.
    """

    class Recorder(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.got: list[bytes] = []
            self.actions: dict[bytes, Any] = {}

        def stringReceived(self, string: bytes) -> None:
            self.got.append(string)
            action = self.actions.get(string)
            if action is not None:
                action(self)

    return Recorder()


def connect(protocol: Any) -> StringTransport:
    transport = StringTransport()
    protocol.makeConnection(transport)
    return transport


class ReceiverTests:
    @pytest.mark.parametrize(
        ("cls", "structFormat", "prefixLength"),
        [
            (Int8StringReceiver, "!B", 1),
            (Int16StringReceiver, "!H", 2),
            (Int32StringReceiver, "!I", 4),
        ],
    )
    def test_flavours(
        self, cls: type[IntNStringReceiver], structFormat: str, prefixLength: int
    ) -> None:
        """
        Each flavour has Twisted's prefix format and length, and what one
        sends the other receives.
        """
        assert (cls.structFormat, cls.prefixLength) == (structFormat, prefixLength)
        assert cls.MAX_LENGTH == 99999
        sender, receiver = recorder(cls), recorder(cls)
        wire = connect(sender)
        connect(receiver)
        for string in (b"hello", b"", b"x" * 200):
            sender.sendString(string)
        assert wire.value().startswith(struct.pack(structFormat, 5) + b"hello")
        for byte in wire.value():
            receiver.dataReceived(bytes([byte]))
        assert receiver.got == [b"hello", b"", b"x" * 200]

    def test_sendTooLong(self) -> None:
        """
        sendString refuses a string its prefix cannot describe.
        """
        protocol = recorder(Int8StringReceiver)
        transport = connect(protocol)
        with pytest.raises(StringTooLongError):
            protocol.sendString(b"x" * 256)
        assert transport.value() == b""

    def test_lengthLimitExceeded(self, loggedWarnings: list[str]) -> None:
        """
        By default a prefix over MAX_LENGTH closes the connection, logging
        the length and the limit.
        """
        protocol = recorder(Int16StringReceiver)
        protocol.MAX_LENGTH = 10
        transport = connect(protocol)
        protocol.dataReceived(b"\x00\x01a\x00\x0bb\x00\x01c")
        assert protocol.got == [b"a"]
        assert transport.disconnecting
        assert loggedWarnings == [
            "Closing the connection to IPv4Address(type='TCP', host='192.168.1.1', port=54321): "
            "a length prefix announced a string of 11 bytes, over the maximum of 10 bytes "
            "(MAX_LENGTH); raise MAX_LENGTH if such strings are expected"
        ]

    def test_lengthLimitExceededOverride(self) -> None:
        """
        lengthLimitExceeded gets the announced length; the bytes stay in
        C{recvd}.
        """
        lengths: list[int] = []

        class Tolerant(Int8StringReceiver):
            MAX_LENGTH = 3

            def lengthLimitExceeded(self, length: int) -> None:
                lengths.append(length)

        protocol = Tolerant()
        transport = connect(protocol)
        protocol.dataReceived(b"\x09abc")
        assert lengths == [9]
        assert protocol.recvd == b"\x09abc"
        assert not transport.disconnecting

    def test_recvdReplacedInStringReceived(self) -> None:
        """
        Setting C{recvd} in stringReceived replaces the unparsed bytes, as
        older Twisted code does.
        """

        def replace(p: IntNStringReceiver) -> None:
            assert p.recvd == b"\x01b"
            p.recvd = b"\x01z"

        protocol = recorder(Int8StringReceiver)
        protocol.actions[b"a"] = replace
        connect(protocol)
        protocol.dataReceived(b"\x01a\x01b")
        assert protocol.got == [b"a", b"z"]
        assert protocol.recvd == b""

    def test_recvdBeforeData(self) -> None:
        """
        C{recvd} is empty before anything arrives, and can be set then.
        """
        protocol = recorder(Int8StringReceiver)
        connect(protocol)
        assert protocol.recvd == b""
        protocol.recvd = b"\x01q"
        protocol.dataReceived(b"")
        assert protocol.got == [b"q"]

    def test_pause(self) -> None:
        """
        pauseProducing in stringReceived holds the buffered strings until
        resumeProducing.
        """
        protocol = recorder(Int8StringReceiver)
        protocol.actions[b"P"] = Int8StringReceiver.pauseProducing
        transport = connect(protocol)
        protocol.dataReceived(b"\x01P\x01a\x01b")
        assert protocol.got == [b"P"]
        assert transport.producerState == "paused"
        protocol.resumeProducing()
        assert protocol.got == [b"P", b"a", b"b"]
        assert transport.producerState == "producing"

    def test_loseConnectionStopsDelivery(self) -> None:
        """
        Once stringReceived has closed the connection, later strings are
        not delivered.
        """
        protocol = recorder(Int8StringReceiver)
        protocol.actions[b"Q"] = lambda p: p.transport.loseConnection()
        connect(protocol)
        protocol.dataReceived(b"\x01Q\x01a")
        assert protocol.got == [b"Q"]

    def test_reentrant(self) -> None:
        """
        dataReceived from stringReceived queues its bytes after the
        buffered ones.
        """
        protocol = recorder(Int8StringReceiver)
        protocol.actions[b"a"] = lambda p: p.dataReceived(b"\x01c")
        connect(protocol)
        protocol.dataReceived(b"\x01a\x01b")
        assert protocol.got == [b"a", b"b", b"c"]

    def test_customFormat(self) -> None:
        """
        A subclass may use its own struct format, little-endian say.
        """

        class Little(IntNStringReceiver):
            structFormat = "<I"
            prefixLength = 4

            def stringReceived(self, string: bytes) -> None:
                self.got = string

        protocol = Little()
        transport = connect(protocol)
        protocol.sendString(b"hi")
        assert transport.value() == b"\x02\x00\x00\x00hi"
        protocol.dataReceived(transport.value())
        assert protocol.got == b"hi"

    def test_formatMismatch(self) -> None:
        """
        A prefixLength that disagrees with structFormat is refused, naming
        both.
        """

        class Wrong(IntNStringReceiver):
            structFormat = "!H"
            prefixLength = 4

        message = (
            "Wrong.prefixLength is 4, but its structFormat '!H' describes 2 bytes; make them agree"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            Wrong().dataReceived(b"")

    def test_noFormat(self) -> None:
        """
        IntNStringReceiver itself has no prefix: the error says what to do.
        """
        with pytest.raises(TypeError, match=r"^IntNStringReceiver must set structFormat"):
            IntNStringReceiver().dataReceived(b"\x00")

    def test_notOverridden(self) -> None:
        """
        stringReceived must be overridden; the error says so.
        """
        with pytest.raises(NotImplementedError, match=r"^Int8StringReceiver must override"):
            Int8StringReceiver().dataReceived(b"\x01a")

    @given(data=st.binary(max_size=400), cuts=cutLists)
    def test_sameAsTwisted(self, data: bytes, cuts: list[int]) -> None:
        """
        Twisted's Int16StringReceiver, fed the same chunks, delivers the
        same strings and calls lengthLimitExceeded for the same length.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.internet import testing as twistedTesting
        from twisted.protocols.basic import Int16StringReceiver as TwistedInt16

        twistedTransport: Any = twistedTesting.StringTransport

        def run(base: Any, transport: Any) -> list[object]:
            events: list[object] = []

            class Recorder(base):  # type: ignore[misc]
                MAX_LENGTH = 40

                def stringReceived(self, string: bytes) -> None:
                    events.append(string)

                def lengthLimitExceeded(self, length: int) -> None:
                    events.append(length)
                    transport.loseConnection()

            protocol = Recorder()
            protocol.makeConnection(transport)
            for chunk in chunked(data, cuts):
                if transport.disconnecting:
                    break
                protocol.dataReceived(chunk)
            return events

        assert run(TwistedInt16, twistedTransport()) == run(Int16StringReceiver, StringTransport())


class ScriptedInt16(Int16StringReceiver):
    """
    Follows commands in its input: C{PAUSE} pauses (the test resumes it),
    C{RECVD} sets C{recvd} to what it reads from it, C{LIMIT} lowers
    MAX_LENGTH to 5.
    """

    MAX_LENGTH = 40

    def __init__(self) -> None:
        self.events: list[object] = []

    def stringReceived(self, string: bytes) -> None:
        self.events.append(string)
        if string == b"PAUSE":
            self.pauseProducing()
        elif string == b"RECVD":
            self.recvd = self.recvd
        elif string == b"LIMIT":
            self.MAX_LENGTH = 5

    def lengthLimitExceeded(self, length: int) -> None:
        self.events.append(length)
        self.transport.loseConnection()


def runInt16Script(chunks: list[bytes], cls: Any = ScriptedInt16, transport: Any = None) -> Any:
    """
    Feed C{chunks} to a C{cls}, resuming it whenever it has paused, until
    it closes the connection.
    """
    protocol = cls()
    protocol.makeConnection(transport if transport is not None else StringTransport())
    for chunk in chunks:
        if protocol.transport.disconnecting:
            break
        protocol.dataReceived(chunk)
        while protocol.paused and not protocol.transport.disconnecting:
            protocol.events.append("resume")
            protocol.resumeProducing()
    return protocol.events


int16Scripts = st.lists(
    st.sampled_from([b"PAUSE", b"RECVD", b"LIMIT", b"abc", b"", b"x" * 20]), max_size=40
).map(lambda strings: b"".join(struct.pack("!H", len(s)) + s for s in strings))


class ScriptedPropertyTests:
    @given(data=int16Scripts, cuts=cutLists)
    def test_chunkingInvariant(self, data: bytes, cuts: list[int]) -> None:
        """
        With pauses, C{recvd} reassignments and a lowered MAX_LENGTH inside
        stringReceived, any split of the input gives the same events.
        """
        want = runInt16Script([data])
        assert runInt16Script(chunked(data, cuts)) == want
        assert runInt16Script([bytes([b]) for b in data]) == want

    @given(data=int16Scripts, cuts=cutLists)
    def test_sameAsTwisted(self, data: bytes, cuts: list[int]) -> None:
        """
        Twisted's Int16StringReceiver running the same script on the same
        chunks gives the same events.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.internet import testing as twistedTesting
        from twisted.protocols.basic import Int16StringReceiver as TwistedInt16

        namespace = dict(vars(ScriptedInt16))
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
        theirs = type("TwistedScripted", (TwistedInt16,), namespace)
        twistedTransport: Any = twistedTesting.StringTransport
        chunks = chunked(data, cuts)
        assert runInt16Script(chunks, theirs, twistedTransport()) == runInt16Script(chunks)
