"""
Tests for L{torsion.web._staticrange}: the validators, conditional requests
and Range parsing that L{torsion.web.static.File} relies on.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from torsion.web._staticrange import (
    MAX_RANGES,
    contentRange,
    evaluateConditions,
    httpDate,
    makeETag,
    parseHTTPDate,
    parseRange,
    rangeApplies,
)

ETAG = b'"abc-22"'
WHEN = 1_700_000_000  # Tue, 14 Nov 2023 22:13:20 GMT


class ValidatorTests:
    """
    Entity tags and HTTP dates.
    """

    def test_etagIsQuotedHex(self) -> None:
        """
        The tag is strong, quoted, and made of the mtime and size in hex.
        """
        assert makeETag(34, 255) == b'"ff-22"'

    def test_etagChangesWithSizeOrTime(self) -> None:
        """
        A change of size or of modification time gives a different tag.
        """
        assert makeETag(1, 2) != makeETag(2, 2)
        assert makeETag(1, 2) != makeETag(1, 3)

    def test_httpDate(self) -> None:
        """
        Dates are IMF-fixdates in GMT.
        """
        assert httpDate(WHEN) == b"Tue, 14 Nov 2023 22:13:20 GMT"

    def test_parseRoundTrip(self) -> None:
        """
        A formatted date parses back to the same second.
        """
        assert parseHTTPDate(httpDate(WHEN)) == WHEN

    @pytest.mark.parametrize(
        "value", [b"", b"yesterday", b"Tue, 14 Nov 2023 22:13:20", b"\xff\xfe", b"Tue, 99 Foo"]
    )
    def test_parseGarbage(self, value: bytes) -> None:
        """
        Garbage, and dates without a zone, parse to L{None}.
        """
        assert parseHTTPDate(value) is None


class ConditionTests:
    """
    L{evaluateConditions} follows the precedence of RFC 9110 section 13.2.2.
    """

    def check(self, **headers: bytes) -> int | None:
        return evaluateConditions(
            headers.get("ifMatch"),
            headers.get("ifUnmodifiedSince"),
            headers.get("ifNoneMatch"),
            headers.get("ifModifiedSince"),
            ETAG,
            WHEN,
        )

    def test_noConditions(self) -> None:
        """
        Without conditional headers the representation is sent.
        """
        assert self.check() is None

    def test_ifNoneMatchHit(self) -> None:
        """
        A matching If-None-Match, alone or in a list, answers 304.
        """
        assert self.check(ifNoneMatch=ETAG) == 304
        assert self.check(ifNoneMatch=b'"other", ' + ETAG) == 304

    def test_ifNoneMatchWeak(self) -> None:
        """
        If-None-Match uses the weak comparison: C{W/} prefixes are ignored.
        """
        assert self.check(ifNoneMatch=b"W/" + ETAG) == 304

    def test_ifNoneMatchStar(self) -> None:
        """
        C{If-None-Match: *} matches any existing file.
        """
        assert self.check(ifNoneMatch=b"*") == 304

    def test_ifNoneMatchMiss(self) -> None:
        """
        A different tag sends the representation.
        """
        assert self.check(ifNoneMatch=b'"other"') is None

    def test_ifNoneMatchBeatsIfModifiedSince(self) -> None:
        """
        When If-None-Match is present, If-Modified-Since is not consulted.
        """
        later = httpDate(WHEN + 10)
        assert self.check(ifNoneMatch=b'"other"', ifModifiedSince=later) is None

    def test_ifModifiedSince(self) -> None:
        """
        Not modified since the date (same second or later) answers 304;
        modified since answers the body.
        """
        assert self.check(ifModifiedSince=httpDate(WHEN)) == 304
        assert self.check(ifModifiedSince=httpDate(WHEN + 1)) == 304
        assert self.check(ifModifiedSince=httpDate(WHEN - 1)) is None

    def test_ifModifiedSinceGarbage(self) -> None:
        """
        A date that does not parse is ignored.
        """
        assert self.check(ifModifiedSince=b"last tuesday") is None

    def test_ifMatch(self) -> None:
        """
        If-Match with another tag fails the precondition (412); with this
        tag or C{*} it passes.
        """
        assert self.check(ifMatch=b'"other"') == 412
        assert self.check(ifMatch=ETAG) is None
        assert self.check(ifMatch=b"*") is None

    def test_ifMatchIsStrong(self) -> None:
        """
        If-Match uses the strong comparison: a weak tag never matches.
        """
        assert self.check(ifMatch=b"W/" + ETAG) == 412

    def test_ifUnmodifiedSince(self) -> None:
        """
        If-Unmodified-Since before the modification answers 412.
        """
        assert self.check(ifUnmodifiedSince=httpDate(WHEN - 1)) == 412
        assert self.check(ifUnmodifiedSince=httpDate(WHEN)) is None

    def test_ifMatchBeatsIfUnmodifiedSince(self) -> None:
        """
        If-Unmodified-Since is not consulted when If-Match is present.
        """
        assert self.check(ifMatch=ETAG, ifUnmodifiedSince=httpDate(WHEN - 1)) is None


class IfRangeTests:
    """
    L{rangeApplies} honours If-Range.
    """

    def test_absent(self) -> None:
        """
        Without If-Range, Range applies.
        """
        assert rangeApplies(None, ETAG, WHEN)

    def test_etag(self) -> None:
        """
        The current tag lets Range apply; another tag, or a weak one, does
        not.
        """
        assert rangeApplies(ETAG, ETAG, WHEN)
        assert not rangeApplies(b'"old"', ETAG, WHEN)
        assert not rangeApplies(b"W/" + ETAG, ETAG, WHEN)

    def test_date(self) -> None:
        """
        Only the exact Last-Modified date lets Range apply.
        """
        assert rangeApplies(httpDate(WHEN), ETAG, WHEN)
        assert not rangeApplies(httpDate(WHEN + 1), ETAG, WHEN)
        assert not rangeApplies(b"garbage", ETAG, WHEN)


class ParseRangeTests:
    """
    L{parseRange} turns a Range header into satisfiable ranges.
    """

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            (b"bytes=0-99", [(0, 100)]),
            (b"bytes=0-0", [(0, 1)]),
            (b"bytes=10-", [(10, 990)]),
            (b"bytes=-100", [(900, 100)]),
            (b"bytes=-5000", [(0, 1000)]),
            (b"bytes=990-5000", [(990, 10)]),
            (b"BYTES = 1-2", [(1, 2)]),
            (b"bytes=0-9,20-29", [(0, 10), (20, 10)]),
            (b"bytes=20-29, 0-9", [(20, 10), (0, 10)]),
            (b"bytes=0-9,,5000-", [(0, 10)]),
        ],
    )
    def test_satisfiable(self, header: bytes, expected: list[tuple[int, int]]) -> None:
        """
        First-last, open-ended and suffix ranges are clamped to the file
        and kept in the order asked; unsatisfiable members are dropped.
        """
        assert parseRange(header, 1000) == expected

    @pytest.mark.parametrize(
        "header", [b"bytes=1000-", b"bytes=5000-6000", b"bytes=-0", b"bytes=1000-1001,2000-"]
    )
    def test_unsatisfiable(self, header: bytes) -> None:
        """
        Valid ranges that all miss the file give an empty list (416).
        """
        assert parseRange(header, 1000) == []

    def test_emptyFile(self) -> None:
        """
        No range is satisfiable on an empty file.
        """
        assert parseRange(b"bytes=0-", 0) == []
        assert parseRange(b"bytes=-10", 0) == []

    @pytest.mark.parametrize(
        "header",
        [
            b"",
            b"bytes",
            b"bytes=",
            b"bytes=,",
            b"items=0-1",
            b"bytes=a-b",
            b"bytes=5-1",
            b"bytes=1",
            b"bytes=--1",
            b"bytes=1-2-3",
            b"bytes=+1-2",
            b"bytes=0x10-20",
            b"bytes=0-1,junk",
        ],
    )
    def test_malformedIgnored(self, header: bytes) -> None:
        """
        A malformed header, or another unit, is ignored (L{None}): the
        whole file is sent, as RFC 9110 says.
        """
        assert parseRange(header, 1000) is None

    def test_tooManyRanges(self) -> None:
        """
        More than L{MAX_RANGES} ranges are ignored.
        """
        many = b",".join(b"%d-%d" % (i * 2, i * 2) for i in range(MAX_RANGES + 1))
        assert parseRange(b"bytes=" + many, 10_000) is None
        allowed = b",".join(b"%d-%d" % (i * 2, i * 2) for i in range(MAX_RANGES))
        assert len(parseRange(b"bytes=" + allowed, 10_000) or []) == MAX_RANGES

    @pytest.mark.parametrize("header", [b"bytes=0-,0-", b"bytes=0-10,5-20", b"bytes=-500,0-600"])
    def test_overlapIgnored(self, header: bytes) -> None:
        """
        Overlapping ranges (an amplification trick) are ignored.
        """
        assert parseRange(header, 1000) is None

    def test_adjacentAllowed(self) -> None:
        """
        Ranges that touch without overlapping are kept.
        """
        assert parseRange(b"bytes=0-9,10-19", 1000) == [(0, 10), (10, 10)]

    @given(header=st.binary(max_size=200), size=st.integers(0, 10**12))
    def test_garbageNeverRaises(self, header: bytes, size: int) -> None:
        """
        Any bytes give L{None} or ranges inside the file that do not
        overlap; never an exception.
        """
        result = parseRange(header, size)
        if result is None:
            return
        assert len(result) <= MAX_RANGES
        for offset, length in result:
            assert offset >= 0 and length > 0 and offset + length <= size
        ordered = sorted(result)
        for (offset, length), (nextOffset, _) in itertools.pairwise(ordered):
            assert offset + length <= nextOffset

    @given(
        ranges=st.lists(
            st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=5
        )
    )
    def test_wellFormedFirstLast(self, ranges: list[tuple[int, int]]) -> None:
        """
        Well-formed first-last ranges are either all ignored (overlap) or
        each clamped to C{[first, min(last, size - 1)]}.
        """
        size = 500_000
        pairs = [(min(a, b), max(a, b)) for a, b in ranges]
        header = b"bytes=" + b",".join(b"%d-%d" % pair for pair in pairs)
        result = parseRange(header, size)
        expected = [(a, min(b, size - 1) - a + 1) for a, b in pairs if a < size]
        assert result is None or result == expected

    def test_contentRange(self) -> None:
        """
        Content-Range names the first and last byte and the size.
        """
        assert contentRange(10, 5, 100) == b"bytes 10-14/100"
