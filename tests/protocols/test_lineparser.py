"""
Tests for the sans-IO line parser, C{torsion.protocols._lineparser}.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.protocols import chunked, cutLists, framingBytes, importedModules, isSansIO
from torsion.protocols import _lineparser
from torsion.protocols._lineparser import LineParser, LineTooLong, encode_line

delimiters = st.sampled_from([b"\r\n", b"\n", b"\x00", b"aa", b"aba", b"xyz"])
limits = st.integers(min_value=0, max_value=40)


def parseEach(chunks: list[bytes], delimiter: bytes, maxLength: int) -> tuple[list[bytes], bool]:
    """
    Feed C{chunks} one by one, taking lines with C{next_line}.

    @return: The lines, and whether the parser raised L{LineTooLong} (it
        stops there).
    """
    parser = LineParser(delimiter, maxLength)
    lines: list[bytes] = []
    for chunk in chunks:
        parser.feed(chunk)
        try:
            while (line := parser.next_line()) is not None:
                lines.append(line)
        except LineTooLong:
            return lines, True
    return lines, False


def parseBatches(chunks: list[bytes], delimiter: bytes, maxLength: int) -> tuple[list[bytes], bool]:
    """
    Like L{parseEach}, with C{read_lines}.
    """
    parser = LineParser(delimiter, maxLength)
    lines: list[bytes] = []
    for chunk in chunks:
        parser.feed(chunk)
        try:
            while batch := parser.read_lines():
                lines.extend(batch)
        except LineTooLong:
            return lines, True
    return lines, False


def expected(data: bytes, delimiter: bytes, maxLength: int) -> tuple[list[bytes], bool]:
    """
    What parsing C{data} must give, worked out with C{bytes.split}.
    """
    *complete, tail = data.split(delimiter)
    lines: list[bytes] = []
    for line in complete:
        if len(line) > maxLength:
            return lines, True
        lines.append(line)
    return lines, len(tail) >= maxLength + len(delimiter)


class ParseTests:
    def test_lines(self) -> None:
        """
        Complete lines come out without their delimiters, in order; a
        partial line waits for the rest.
        """
        parser = LineParser()
        parser.feed(b"one\r\ntwo\r\nthr")
        assert parser.next_line() == b"one"
        assert parser.next_line() == b"two"
        assert parser.next_line() is None
        parser.feed(b"ee\r\n")
        assert parser.next_line() == b"three"
        assert parser.next_line() is None
        assert len(parser) == 0

    def test_emptyLines(self) -> None:
        """
        Two delimiters in a row make an empty line.
        """
        parser = LineParser(b"\n")
        parser.feed(b"\n\nx\n")
        assert parser.read_lines() == [b"", b"", b"x"]

    def test_delimiterSplitAcrossChunks(self) -> None:
        """
        A delimiter that arrives in two pieces is still found.
        """
        parser = LineParser(b"\r\n")
        parser.feed(b"abc\r")
        assert parser.next_line() is None
        parser.feed(b"\ndef\r")
        assert parser.next_line() == b"abc"
        assert parser.next_line() is None
        parser.feed(b"\n")
        assert parser.next_line() == b"def"

    def test_linesAreBytes(self) -> None:
        """
        Lines are C{bytes} even when the input is a bytearray or a
        memoryview, or was accumulated byte by byte.
        """
        parser = LineParser(b"\n", 100_000)
        parser.feed(bytearray(b"a\n"))  # type: ignore[arg-type]
        parser.feed(memoryview(b"b\n"))  # type: ignore[arg-type]
        for byte in b"x" * 300 + b"\n":
            parser.feed(bytes([byte]))
        lines = parser.read_lines()
        assert lines == [b"a", b"b", b"x" * 300]
        assert all(type(line) is bytes for line in lines)

    def test_trickledLineGrowsInPlace(self) -> None:
        """
        A long partial line fed a byte at a time is kept in a bytearray
        that grows in place (linear cost), and is still one line at the end.
        """
        parser = LineParser(b"\r\n", 100_000)
        parser.feed(b"start")
        for _ in range(50_000):
            parser.feed(b"x")
            assert parser.next_line() is None
        assert type(parser._buffer) is bytearray
        parser.feed(b"\r\nnext")
        assert parser.next_line() == b"start" + b"x" * 50_000
        assert parser.take() == b"next"

    def test_readLinesLeavesTail(self) -> None:
        """
        C{read_lines} takes every complete line and leaves the partial one.
        """
        parser = LineParser()
        parser.feed(b"a\r\nb\r\nc")
        assert parser.read_lines() == [b"a", b"b"]
        assert parser.read_lines() == []
        assert parser.take() == b"c"

    def test_take(self) -> None:
        """
        C{take} returns the unparsed bytes and empties the buffer.
        """
        parser = LineParser()
        parser.feed(b"a\r\nrest\r\nmore")
        assert parser.next_line() == b"a"
        assert parser.take() == b"rest\r\nmore"
        assert parser.take() == b""
        assert parser.next_line() is None

    def test_unread(self) -> None:
        """
        Lines put back with C{unread} come out again first, reframed with
        the delimiter they arrived with.
        """
        parser = LineParser()
        parser.feed(b"a\r\nb\r\nc\r\nd")
        lines = parser.read_lines()
        parser.unread(lines[1:])
        parser.unread([])
        assert parser.take() == b"b\r\nc\r\nd"

    def test_configureNewDelimiter(self) -> None:
        """
        A new delimiter applies to what is already buffered.
        """
        parser = LineParser(b"\r\n")
        parser.feed(b"a\r\nb;c;d")
        assert parser.next_line() == b"a"
        assert parser.next_line() is None
        parser.configure(b";", 100)
        assert parser.read_lines() == [b"b", b"c"]
        assert parser.take() == b"d"

    def test_configureWhileAccumulating(self) -> None:
        """
        Changing the delimiter while a long partial line is accumulating
        finds the new delimiter in it.
        """
        parser = LineParser(b"\r\n", 1000)
        parser.feed(b"x" * 100)
        for _ in range(100):
            parser.feed(b"y;")
        assert parser.next_line() is None
        parser.configure(b";", 1000)
        assert parser.next_line() == b"x" * 100 + b"y"

    @pytest.mark.parametrize(
        ("delimiter", "maxLength", "error", "message"),
        [
            (
                "\n",
                10,
                TypeError,
                "the line delimiter must be bytes, not str '\\n'; e.g. delimiter = b'\\r\\n'",
            ),
            (
                b"",
                10,
                ValueError,
                "the line delimiter must not be empty; e.g. delimiter = b'\\r\\n'",
            ),
            (
                b"\n",
                -1,
                ValueError,
                "the maximum line length must be an int >= 0, not -1; e.g. MAX_LENGTH = 16384",
            ),
            (
                b"\n",
                1.5,
                ValueError,
                "the maximum line length must be an int >= 0, not 1.5; e.g. MAX_LENGTH = 16384",
            ),
        ],
    )
    def test_badConfiguration(
        self, delimiter: object, maxLength: object, error: type[Exception], message: str
    ) -> None:
        """
        A delimiter that is not non-empty bytes, or a limit that is not an
        int >= 0, is refused with a message naming it.
        """
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            LineParser(delimiter, maxLength)  # type: ignore[arg-type]
        parser = LineParser()
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            parser.configure(delimiter, maxLength)  # type: ignore[arg-type]


class LimitTests:
    def test_exactlyMaxLength(self) -> None:
        """
        A line of exactly C{max_length} bytes is accepted.
        """
        parser = LineParser(b"\r\n", 5)
        parser.feed(b"12345\r\n")
        assert parser.next_line() == b"12345"

    def test_completeLineTooLong(self) -> None:
        """
        A complete line over the limit raises L{LineTooLong}, after the
        lines before it, handing over everything buffered from it on.
        """
        parser = LineParser(b"\r\n", 5)
        parser.feed(b"ok\r\n123456\r\nafter\r\n")
        assert parser.next_line() == b"ok"
        with pytest.raises(LineTooLong) as info:
            parser.next_line()
        assert info.value.length == 6
        assert info.value.max_length == 5
        assert info.value.complete
        assert info.value.data == b"123456\r\nafter\r\n"
        assert str(info.value) == (
            "a line of 6 bytes is longer than the maximum of 5 bytes (MAX_LENGTH); "
            "raise MAX_LENGTH if such lines are expected"
        )

    def test_partialLineTooLong(self) -> None:
        """
        A partial line is reported once C{max_length + len(delimiter)} bytes
        have no delimiter (one byte fewer might still end well).
        """
        parser = LineParser(b"\r\n", 5)
        parser.feed(b"12345\r")
        assert parser.next_line() is None
        parser.feed(b"x")
        with pytest.raises(LineTooLong) as info:
            parser.next_line()
        assert not info.value.complete
        assert info.value.data == b"12345\rx"
        assert str(info.value) == (
            "7 bytes arrived without a line delimiter, more than the maximum line length "
            "of 5 bytes (MAX_LENGTH) allows; raise MAX_LENGTH if such lines are expected"
        )

    def test_errorEmptiesParser(self) -> None:
        """
        After L{LineTooLong} the parser is empty and parses new input.
        """
        parser = LineParser(b"\n", 3)
        parser.feed(b"toolong\n")
        with pytest.raises(LineTooLong):
            parser.next_line()
        assert len(parser) == 0
        parser.feed(b"ok\n")
        assert parser.next_line() == b"ok"

    def test_readLinesThenError(self) -> None:
        """
        C{read_lines} returns the good lines before a long one; the next
        call raises.
        """
        parser = LineParser(b"\n", 3)
        parser.feed(b"a\nb\ntoolong\nc\n")
        assert parser.read_lines() == [b"a", b"b"]
        with pytest.raises(LineTooLong) as info:
            parser.read_lines()
        assert info.value.data == b"toolong\nc\n"

    def test_readLinesLongTail(self) -> None:
        """
        A long partial line after good lines is reported by the next
        C{read_lines} call.
        """
        parser = LineParser(b"\n", 3)
        parser.feed(b"a\nbcdefgh")
        assert parser.read_lines() == [b"a"]
        with pytest.raises(LineTooLong):
            parser.read_lines()


class PropertyTests:
    @given(data=framingBytes, cuts=cutLists, delimiter=delimiters, maxLength=limits)
    def test_chunkingInvariant(
        self, data: bytes, cuts: list[int], delimiter: bytes, maxLength: int
    ) -> None:
        """
        However the bytes are split, both ways of taking lines give the
        lines (and the error, if any) that splitting the whole input gives.
        """
        want = expected(data, delimiter, maxLength)
        assert parseEach(chunked(data, cuts), delimiter, maxLength) == want
        assert parseBatches(chunked(data, cuts), delimiter, maxLength) == want
        assert parseEach([bytes([b]) for b in data], delimiter, maxLength) == want

    @given(data=st.binary(max_size=2000), cuts=cutLists, delimiter=delimiters, maxLength=limits)
    def test_garbage(self, data: bytes, cuts: list[int], delimiter: bytes, maxLength: int) -> None:
        """
        Arbitrary bytes give lines or L{LineTooLong}, nothing else, and
        never leave more than C{max_length + len(delimiter) - 1} bytes of a
        partial line buffered.
        """
        parser = LineParser(delimiter, maxLength)
        for chunk in chunked(data, cuts):
            parser.feed(chunk)
            try:
                parser.read_lines()
                while parser.next_line() is not None:
                    pass
            except LineTooLong as e:
                assert e.length > maxLength
                assert len(parser) == 0
            assert len(parser) < maxLength + len(delimiter)

    @given(
        lines=st.lists(st.binary(max_size=30).filter(lambda b: b"\n" not in b), max_size=30),
        cuts=cutLists,
    )
    def test_roundTrip(self, lines: list[bytes], cuts: list[int]) -> None:
        """
        Lines framed with C{encode_line} parse back to the same lines.
        """
        wire = b"".join(encode_line(line, b"\n") for line in lines)
        assert parseEach(chunked(wire, cuts), b"\n", 30) == (lines, False)

    @given(data=framingBytes, cuts=cutLists, putBack=st.integers(0, 50))
    def test_unreadRestoresStream(self, data: bytes, cuts: list[int], putBack: int) -> None:
        """
        Putting back the last lines of a batch then taking everything gives
        the same bytes as not taking them at all.
        """
        parser = LineParser(b"\r\n", 10_000)
        for chunk in chunked(data, cuts):
            parser.feed(chunk)
        lines = parser.read_lines()
        kept = len(lines) - min(putBack, len(lines))
        parser.unread(lines[kept:])
        assert b"".join(line + b"\r\n" for line in lines[:kept]) + parser.take() == data


class EncodeTests:
    def test_encode(self) -> None:
        """
        C{encode_line} appends the delimiter.
        """
        assert encode_line(b"hi") == b"hi\r\n"
        assert encode_line(b"hi", b"\n") == b"hi\n"

    def test_encodeText(self) -> None:
        """
        Text is refused with a message saying to encode it.
        """
        message = (
            "a line must be bytes, not str 'hi'; encode text first, "
            "e.g. sendLine(text.encode('utf-8'))"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            encode_line("hi")  # type: ignore[arg-type]


def test_noInternetImports() -> None:
    """
    The parser module is sans-IO: it imports nothing from
    C{torsion.internet}.
    """
    assert isSansIO(_lineparser)
    assert "__future__" in importedModules(_lineparser)
