# The HTTP decisions torsion.web.static.File makes before it sends a byte:
# validators (ETag, Last-Modified), conditional requests (RFC 9110 §13) and
# byte ranges (RFC 9110 §14).  Pure functions on bytes and ints: no request,
# no file, no reactor, so each rule is tested on its own.
#
# Validators.  The entity tag is strong, b'"<mtime_ns hex>-<size hex>"': it
# changes whenever the size or the modification time does.  A rewrite that
# keeps both (same size, within the file system's timestamp resolution) is
# not seen; that is the usual trade of static servers (nginx does the same)
# and is written down in docs/web-static.md.  Last-Modified is the mtime in
# whole seconds, so date comparisons are made on whole seconds.
#
# Conditionals are evaluated in the order of RFC 9110 §13.2.2: If-Match
# (strong comparison) or else If-Unmodified-Since can answer 412;
# If-None-Match (weak comparison) or else If-Modified-Since answer 304 for
# GET and HEAD.  A date that does not parse makes its header be ignored, as
# the RFC says.
#
# Ranges.  parseRange returns None when the Range header is to be ignored
# (not "bytes=", malformed syntax, more than MAX_RANGES ranges, or ranges
# that overlap once clamped: the RFC lets a server ignore such requests and
# they are a known amplification trick) and otherwise the satisfiable
# ranges as (offset, size) pairs in the order asked.  An empty list means
# "416": every range was valid syntax but none overlaps the file.
# If-Range (a strong ETag or an exact Last-Modified date) decides whether
# Range applies at all.
from __future__ import annotations

import itertools
from email.utils import formatdate, parsedate_to_datetime

MAX_RANGES = 100
"""
The most ranges one request may ask for; a Range header with more is
ignored and the whole file is sent.
"""


def makeETag(size: int, mtimeNs: int) -> bytes:
    """
    The strong entity tag of a file of C{size} bytes modified at
    C{mtimeNs}, quotes included.
    """
    return b'"%x-%x"' % (mtimeNs, size)


def httpDate(when: float) -> bytes:
    """
    C{when} (seconds since the epoch) as an IMF-fixdate.
    """
    return formatdate(int(when), usegmt=True).encode("ascii")


def parseHTTPDate(value: bytes) -> int | None:
    """
    Seconds since the epoch of an HTTP date, or L{None} if it does not
    parse.
    """
    try:
        parsed = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def _tags(header: bytes) -> list[bytes] | None:
    """
    The entity tags listed in an If-Match or If-None-Match value, or
    L{None} for C{*}.
    """
    if header.strip() == b"*":
        return None
    return [tag.strip() for tag in header.split(b",") if tag.strip()]


def _weakMatch(tag: bytes, etag: bytes) -> bool:
    return tag.removeprefix(b"W/") == etag.removeprefix(b"W/")


def evaluateConditions(
    ifMatch: bytes | None,
    ifUnmodifiedSince: bytes | None,
    ifNoneMatch: bytes | None,
    ifModifiedSince: bytes | None,
    etag: bytes,
    lastModified: int,
) -> int | None:
    """
    Evaluate the preconditions of a GET or HEAD.

    @return: C{412} (precondition failed), C{304} (not modified), or
        L{None} to go on and send the representation.
    """
    if ifMatch is not None:
        tags = _tags(ifMatch)
        if tags is not None and etag not in tags:
            return 412
    elif ifUnmodifiedSince is not None:
        since = parseHTTPDate(ifUnmodifiedSince)
        if since is not None and lastModified > since:
            return 412
    if ifNoneMatch is not None:
        tags = _tags(ifNoneMatch)
        if tags is None or any(_weakMatch(tag, etag) for tag in tags):
            return 304
    elif ifModifiedSince is not None:
        since = parseHTTPDate(ifModifiedSince)
        if since is not None and lastModified <= since:
            return 304
    return None


def rangeApplies(ifRange: bytes | None, etag: bytes, lastModified: int) -> bool:
    """
    Whether a Range header is honoured under the request's If-Range.
    """
    if ifRange is None:
        return True
    value = ifRange.strip()
    if value.startswith((b'"', b"W/")):
        return value == etag
    return parseHTTPDate(value) == lastModified


def _digits(text: bytes) -> int | None:
    text = text.strip(b" \t")
    if not text or not text.isdigit():
        return None
    return int(text)


def parseRange(header: bytes, size: int) -> list[tuple[int, int]] | None:
    """
    The satisfiable byte ranges of a Range header for a file of C{size}
    bytes.

    @return: L{None} if the header is to be ignored (the whole file is
        sent), an empty list if no range is satisfiable (I{416}), or the
        ranges as C{(offset, length)} pairs, in the order asked.
    """
    unit, sep, spec = header.partition(b"=")
    if not sep or unit.strip(b" \t").lower() != b"bytes":
        return None
    parts = spec.split(b",")
    if len(parts) > MAX_RANGES:
        return None
    ranges: list[tuple[int, int]] = []
    seen = 0
    for rawPart in parts:
        part = rawPart.strip(b" \t")
        if not part:
            continue  # RFC 9110 list syntax tolerates empty elements
        first, dash, last = part.partition(b"-")
        if not dash:
            return None
        seen += 1
        if not first.strip(b" \t"):
            length = _digits(last)
            if length is None:
                return None
            if length == 0 or size == 0:
                continue
            length = min(length, size)
            ranges.append((size - length, length))
            continue
        start = _digits(first)
        if start is None:
            return None
        if last.strip(b" \t"):
            end = _digits(last)
            if end is None or end < start:
                return None
        else:
            end = size - 1
        if start >= size:
            continue
        end = min(end, size - 1)
        ranges.append((start, end - start + 1))
    if not seen:
        return None
    ordered = sorted(ranges)
    for (offset, length), (nextOffset, _) in itertools.pairwise(ordered):
        if offset + length > nextOffset:
            return None
    return ranges


def contentRange(offset: int, length: int, size: int) -> bytes:
    """
    The Content-Range value of C{length} bytes at C{offset} of C{size}.
    """
    return b"bytes %d-%d/%d" % (offset, offset + length - 1, size)
