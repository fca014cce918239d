"""
Tests for the sans-IO netstring parser, C{torsion.protocols._netstring},
and L{torsion.protocols.basic.NetstringReceiver}.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols import chunked, cutLists, framingBytes, isSansIO
from torsion.internet.testing import StringTransport
from torsion.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher
from torsion.protocols import _netstring
from torsion.protocols._netstring import NetstringParser, encode_netstring
from torsion.protocols.basic import (
    IncompleteNetstring,
    NetstringParseError,
    NetstringReceiver,
    StatefulStringProtocol,
)

_HEADER = re.compile(rb"(0|[1-9][0-9]*):")
_HEADER_PREFIX = re.compile(rb"(0|[1-9][0-9]*)?")


def expected(data: bytes, maxLength: int) -> tuple[list[bytes], bool]:
    """
    What parsing C{data} must give, worked out with regular expressions.

    @return: The payloads, and whether an error comes after them.
    """
    maxDigits = len(str(maxLength))
    strings: list[bytes] = []
    position = 0
    while position < len(data):
        match = _HEADER.match(data, position)
        if match is None:
            rest = data[position : position + maxDigits + 1]
            stillPossible = _HEADER_PREFIX.fullmatch(rest) and len(rest) <= maxDigits
            return strings, not stillPossible
        digits = match.group(1)
        if len(digits) > maxDigits or int(digits) > maxLength:
            return strings, True
        end = match.end() + int(digits)
        if end >= len(data):
            return strings, False
        if data[end] != ord(","):
            return strings, True
        strings.append(data[match.end() : end])
        position = end + 1
    return strings, False


def parse(chunks: list[bytes], maxLength: int) -> tuple[list[bytes], bool]:
    """
    Feed C{chunks} one by one to a parser.

    @return: The payloads, and whether it raised (it stops there).
    """
    parser = NetstringParser(maxLength)
    strings: list[bytes] = []
    for chunk in chunks:
        parser.feed(chunk)
        try:
            strings.extend(parser.read_strings())
            while (string := parser.next_string()) is not None:
                strings.append(string)
        except NetstringParseError:
            return strings, True
    return strings, False


class ParserTests:
    def test_strings(self) -> None:
        """
        Payloads come out in order, empty ones included, however the bytes
        are split.
        """
        data = b"3:abc,0:,5:a:,b,,"
        assert parse([data], 100) == ([b"abc", b"", b"a:,b,"], False)
        assert parse([bytes([b]) for b in data], 100) == ([b"abc", b"", b"a:,b,"], False)

    def test_incomplete(self) -> None:
        """
        A partial netstring gives L{None} until it is complete.
        """
        parser = NetstringParser()
        parser.feed(b"5:ab")
        assert parser.next_string() is None
        parser.feed(b"cde")
        assert parser.next_string() is None
        parser.feed(b",")
        assert parser.next_string() == b"abcde"
        assert len(parser) == 0

    def test_bigPayloadInSmallChunks(self) -> None:
        """
        A large payload arriving in many chunks is parked, not re-joined
        per chunk, and comes out whole.
        """
        payload = bytes(range(256)) * 300
        parser = NetstringParser(len(payload))
        wire = encode_netstring(payload)
        for i in range(0, len(wire), 100):
            parser.feed(wire[i : i + 100])
            if i + 100 < len(wire):
                assert parser.next_string() is None
                assert len(parser._buffer) < 200
        assert parser.next_string() == payload

    @pytest.mark.parametrize(
        ("data", "maxLength", "message"),
        [
            (b"x", 99999, "a netstring must start with its length in ASCII digits, got b'x'"),
            (b":abc,", 99999, "a netstring must start with its length in ASCII digits, got b':'"),
            (b"-1:", 99999, "a netstring must start with its length in ASCII digits, got b'-1:'"),
            (b" 3:a,", 99999, "a netstring must start with its length in ASCII digits, got b' 3:'"),
            (b"3x", 99999, "the netstring length b'3' must be followed by b':', got b'x'"),
            (b"3 :abc,", 99999, "the netstring length b'3' must be followed by b':', got b' '"),
            (
                b"03:abc,",
                99999,
                "the netstring length b'03' has a leading zero, which netstrings forbid",
            ),
            (
                b"00",
                99999,
                "the netstring length b'00' has a leading zero, which netstrings forbid",
            ),
            (
                b"123456",
                99999,
                "the netstring length b'123456' has more digits than MAX_LENGTH (99999) allows",
            ),
            (
                b"100000:",
                99999,
                "the netstring length b'100000' has more digits than MAX_LENGTH (99999) allows",
            ),
            (b"11:", 10, "the netstring length 11 is over MAX_LENGTH (10)"),
            (b"3:abcd", 99999, "a netstring of length 3 must end with b',', got b'd'"),
            (
                b"9" * 30,
                10,
                "the netstring length b'999' has more digits than MAX_LENGTH (10) allows",
            ),
        ],
    )
    def test_errors(self, data: bytes, maxLength: int, message: str) -> None:
        """
        Each kind of mistake raises L{NetstringParseError} saying what was
        wrong and showing the bytes, as soon as the bytes show it.
        """
        parser = NetstringParser(maxLength)
        parser.feed(data)
        with pytest.raises(NetstringParseError, match=f"^{re.escape(message)}$"):
            parser.next_string()

    def test_errorIsSticky(self) -> None:
        """
        After a mistake every call raises the same error: a netstring
        stream cannot be resynchronised.
        """
        parser = NetstringParser()
        parser.feed(b"x")
        with pytest.raises(NetstringParseError) as first:
            parser.next_string()
        parser.feed(b"3:abc,")
        with pytest.raises(NetstringParseError) as second:
            parser.next_string()
        assert second.value is first.value
        assert first.value.data == b"x"
        assert isinstance(first.value, ValueError)

    def test_readStringsThenError(self) -> None:
        """
        C{read_strings} returns the good strings before a mistake; the next
        call raises.
        """
        parser = NetstringParser()
        parser.feed(b"1:a,1:b,x")
        assert parser.read_strings() == [b"a", b"b"]
        with pytest.raises(NetstringParseError):
            parser.read_strings()

    def test_badConfiguration(self) -> None:
        """
        A limit that is not an int >= 0 is refused, naming it.
        """
        message = (
            "the maximum netstring length must be an int >= 0, not -5; e.g. MAX_LENGTH = 99999"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            NetstringParser(-5)

    def test_encode(self) -> None:
        """
        C{encode_netstring} frames bytes and refuses text, saying to encode
        it.
        """
        assert encode_netstring(b"abc") == b"3:abc,"
        assert encode_netstring(b"") == b"0:,"
        with pytest.raises(TypeError, match=r"^a netstring payload must be bytes, not str"):
            encode_netstring("abc")  # type: ignore[arg-type]

    def test_incompleteNetstringExported(self) -> None:
        """
        IncompleteNetstring exists for code that imports it.
        """
        assert issubclass(IncompleteNetstring, Exception)

    def test_sansIO(self) -> None:
        """
        The parser module imports nothing from torsion.internet.
        """
        assert isSansIO(_netstring)


class ParserPropertyTests:
    @given(data=framingBytes, cuts=cutLists, maxLength=st.sampled_from([0, 5, 10, 99, 99999]))
    def test_chunkingInvariant(self, data: bytes, cuts: list[int], maxLength: int) -> None:
        """
        However the bytes are split, the parser gives the payloads (and the
        error, if any) that the reference reading of the whole input gives.
        """
        want = expected(data, maxLength)
        assert parse(chunked(data, cuts), maxLength) == want
        assert parse([bytes([b]) for b in data], maxLength) == want

    @given(data=st.binary(max_size=2000), cuts=cutLists)
    def test_garbage(self, data: bytes, cuts: list[int]) -> None:
        """
        Arbitrary bytes give payloads or L{NetstringParseError}, nothing
        else, and a bounded buffer: never more than one netstring's worth.
        """
        parser = NetstringParser(50)
        for chunk in chunked(data, cuts):
            parser.feed(chunk)
            try:
                parser.read_strings()
            except NetstringParseError as e:
                assert str(e)
                return
            assert len(parser) <= len(b"50:") + 50 + len(b",")

    @given(
        strings=st.lists(st.binary(max_size=300), max_size=20),
        cuts=cutLists,
    )
    def test_roundTrip(self, strings: list[bytes], cuts: list[int]) -> None:
        """
        Payloads framed with C{encode_netstring} parse back to themselves.
        """
        wire = b"".join(encode_netstring(s) for s in strings)
        assert parse(chunked(wire, cuts), 300) == (strings, False)


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


class Strings(NetstringReceiver):
    """
    Records strings; can be told to act on a given one.
    """

    def __init__(self) -> None:
        self.got: list[bytes] = []
        self.actions: dict[bytes, Any] = {}

    def stringReceived(self, string: bytes) -> None:
        self.got.append(string)
        action = self.actions.get(string)
        if action is not None:
            action(self)


def connect(protocol: Any) -> StringTransport:
    transport = StringTransport()
    protocol.makeConnection(transport)
    return transport


class NetstringReceiverTests:
    def test_strings(self) -> None:
        """
        Each netstring's payload goes to stringReceived.
        """
        protocol = Strings()
        connect(protocol)
        protocol.dataReceived(b"5:hello,0:,")
        protocol.dataReceived(b"3:ab")
        protocol.dataReceived(b"c,")
        assert protocol.got == [b"hello", b"", b"abc"]

    def test_sendString(self) -> None:
        """
        sendString writes a netstring.
        """
        protocol = Strings()
        transport = connect(protocol)
        protocol.sendString(b"hello")
        protocol.sendString(b"")
        assert transport.value() == b"5:hello,0:,"

    def test_defaults(self) -> None:
        """
        MAX_LENGTH is 99999 and the peer starts out unbroken, as in Twisted.
        """
        assert NetstringReceiver.MAX_LENGTH == 99999
        assert NetstringReceiver.brokenPeer == 0

    def test_malformed(self, loggedWarnings: list[str]) -> None:
        """
        A malformed netstring closes the connection, logging what was
        wrong; the peer is ignored from then on.
        """
        protocol = Strings()
        transport = connect(protocol)
        protocol.dataReceived(b"1:a,3:abcd,1:b,")
        assert protocol.got == [b"a"]
        assert protocol.brokenPeer
        assert transport.disconnecting
        assert loggedWarnings == [
            "Closing the connection to IPv4Address(type='TCP', host='192.168.1.1', port=54321): "
            "malformed netstring: a netstring of length 3 must end with b',', got b'd'"
        ]
        protocol.dataReceived(b"1:c,")
        assert protocol.got == [b"a"]

    def test_tooLong(self, loggedWarnings: list[str]) -> None:
        """
        A netstring over MAX_LENGTH closes the connection before its
        payload is buffered.
        """

        class Short(Strings):
            MAX_LENGTH = 10

        protocol = Short()
        transport = connect(protocol)
        protocol.dataReceived(b"11:")
        assert transport.disconnecting
        assert loggedWarnings[0].endswith("the netstring length 11 is over MAX_LENGTH (10)")

    def test_maxLengthChanged(self) -> None:
        """
        A MAX_LENGTH set in stringReceived applies to the next string.
        """

        def lower(p: NetstringReceiver) -> None:
            p.MAX_LENGTH = 2

        protocol = Strings()
        protocol.actions[b"LOWER"] = lower
        transport = connect(protocol)
        protocol.dataReceived(b"5:LOWER,3:abc,")
        assert protocol.got == [b"LOWER"]
        assert transport.disconnecting

    def test_loseConnectionStopsDelivery(self) -> None:
        """
        Once stringReceived has closed the connection, the strings after it
        are not delivered.
        """
        protocol = Strings()
        protocol.actions[b"QUIT"] = lambda p: p.transport.loseConnection()
        connect(protocol)
        protocol.dataReceived(b"4:QUIT,1:a,")
        assert protocol.got == [b"QUIT"]

    def test_reentrant(self) -> None:
        """
        dataReceived from stringReceived queues its bytes after the
        buffered ones.
        """
        protocol = Strings()
        protocol.actions[b"a"] = lambda p: p.dataReceived(b"1:c,")
        connect(protocol)
        protocol.dataReceived(b"1:a,1:b,")
        assert protocol.got == [b"a", b"b", b"c"]

    def test_notOverridden(self) -> None:
        """
        stringReceived must be overridden; the error says so.
        """
        with pytest.raises(
            NotImplementedError,
            match=r"^NetstringReceiver must override stringReceived\(string\) to handle strings$",
        ):
            NetstringReceiver().dataReceived(b"1:a,")

    @given(data=framingBytes, cuts=cutLists)
    def test_sameAsTwisted(self, data: bytes, cuts: list[int]) -> None:
        """
        Twisted's NetstringReceiver, fed the same chunks, delivers the same
        strings, and finds the peer broken too.

        A final C{b"!"} settles a length still pending at the end: Twisted
        checks a partial length with a regular expression whose C{$} also
        matches before a trailing newline, so it waits after C{b"0\\n"}
        where torsion reports the mistake at once.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        from twisted.internet import testing as twistedTesting
        from twisted.protocols import basic as twistedBasic

        def recorder(base: Any) -> Any:
            class Recorder(base):  # type: ignore[misc]
                MAX_LENGTH = 50

                def stringReceived(self, string: bytes) -> None:
                    self.got.append(string)

            return Recorder()

        twistedTransport: Any = twistedTesting.StringTransport
        results = []
        for protocol, transport in (
            (recorder(twistedBasic.NetstringReceiver), twistedTransport()),
            (recorder(NetstringReceiver), StringTransport()),
        ):
            protocol.got = []
            protocol.makeConnection(transport)
            for chunk in [*chunked(data, cuts), b"!"]:
                if transport.disconnecting:
                    break
                protocol.dataReceived(chunk)
            results.append((protocol.got, bool(protocol.brokenPeer)))
        assert results[0] == results[1]


class Login(StatefulStringProtocol, NetstringReceiver):
    """
    A two-step exchange: a user name, then a password; then done.
    """

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    def proto_init(self, string: bytes) -> str:
        self.seen.append(("user", string))
        return "password"

    def proto_password(self, string: bytes) -> str:
        self.seen.append(("password", string))
        return "done" if string == b"secret" else "broken"


class StatefulStringProtocolTests:
    def test_states(self) -> None:
        """
        Each string goes to C{proto_<state>}, which returns the next state;
        the state C{"done"} closes the connection.
        """
        protocol = Login()
        transport = connect(protocol)
        assert protocol.state == "init"
        protocol.dataReceived(b"5:alice,")
        assert protocol.state == "password"
        assert not transport.disconnecting
        protocol.dataReceived(b"6:secret,")
        assert protocol.seen == [("user", b"alice"), ("password", b"secret")]
        assert protocol.state == "done"
        assert transport.disconnecting

    def test_missingState(self) -> None:
        """
        A state with no C{proto_} method drops the string and logs an error
        naming the state.
        """
        logged: list[str] = []

        def observer(event: LogEvent) -> None:
            if event.get("log_level") is LogLevel.error:
                logged.append(formatEvent(event))

        protocol = Login()
        transport = connect(protocol)
        globalLogPublisher.addObserver(observer)
        try:
            protocol.dataReceived(b"5:alice,5:wrong,4:more,")
        finally:
            globalLogPublisher.removeObserver(observer)
        assert protocol.seen == [("user", b"alice"), ("password", b"wrong")]
        assert logged == [
            "Login has no proto_broken method for its state 'broken'; the string is dropped"
        ]
        assert not transport.disconnecting
