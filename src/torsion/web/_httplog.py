# HTTP dates and access-log lines.
#
# datetimeToString/stringToDatetime convert between seconds since the epoch
# and the IMF-fixdate format HTTP uses (RFC 9110 section 5.6.7), accepting
# the two obsolete formats (RFC 850 and asctime) on input, as a recipient
# must.  The access-log formatters turn a finished request into one line of
# the "combined" format Apache and nginx write; every field taken from the
# client is escaped (quotes, backslashes, control and non-ASCII bytes become
# backslash escapes), so no client can forge a log line or a field.
from __future__ import annotations

import calendar
import time
from email.utils import formatdate
from typing import Any

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MONTH_NUMBERS = {name.lower().encode("ascii"): i + 1 for i, name in enumerate(_MONTHS)}


def datetimeToString(msSinceEpoch: float | None = None) -> bytes:
    """
    Format a time as an HTTP date, such as C{b"Sun, 06 Nov 1994 08:49:37 GMT"}.

    @param msSinceEpoch: Seconds since the epoch (the name is Twisted's);
        L{None} means now.
    @return: The date, as bytes.
    """
    if msSinceEpoch is None:
        msSinceEpoch = time.time()
    return formatdate(msSinceEpoch, usegmt=True).encode("ascii")


def stringToDatetime(dateString: bytes) -> int:
    """
    Parse an HTTP date in any of the three formats HTTP allows.

    @param dateString: Such as C{b"Sun, 06 Nov 1994 08:49:37 GMT"},
        C{b"Sunday, 06-Nov-94 08:49:37 GMT"} or
        C{b"Sun Nov  6 08:49:37 1994"}.
    @return: Seconds since the epoch.
    @raise ValueError: If C{dateString} is not such a date.
    """
    parts = dateString.split()
    try:
        if len(parts) == 6:  # IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            day, month, year, clock = parts[1], parts[2], parts[3], parts[4]
        elif len(parts) == 4:  # RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            day, month, year = parts[1].split(b"-")
            clock = parts[2]
            if len(year) == 2:
                year = b"%d" % (int(year) + (1900 if int(year) >= 70 else 2000))
        elif len(parts) == 5:  # asctime: Sun Nov  6 08:49:37 1994
            month, day, clock, year = parts[1], parts[2], parts[3], parts[4]
        else:
            raise ValueError("wrong number of fields")
        hour, minute, second = (int(x) for x in clock.split(b":"))
        fields = (int(year), _MONTH_NUMBERS[month.lower()], int(day), hour, minute, second)
    except (ValueError, KeyError):
        raise ValueError(
            f"not an HTTP date: {dateString!r}; expected one such as "
            "b'Sun, 06 Nov 1994 08:49:37 GMT'"
        ) from None
    return calendar.timegm((*fields, 0, 0, 0))


def logDateTime(seconds: float) -> str:
    """
    Format a time for an access log, such as C{[06/Nov/1994:08:49:37 +0000]}.

    @param seconds: Seconds since the epoch.
    @return: The bracketed timestamp, in UTC.
    """
    whole = int(seconds)
    if whole == _lastLogTime[0]:
        # Speed: many requests are logged in the same second.
        cached: str = _lastLogTime[1]
        return cached
    t = time.gmtime(whole)
    formatted = (
        f"[{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year:04d}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000]"
    )
    _lastLogTime[:] = [whole, formatted]
    return formatted


# The last second logDateTime formatted, and how.
_lastLogTime: list[Any] = [None, ""]

# The bytes a quoted log field shows as they are.
_PLAIN = bytes(range(0x20, 0x7F)).replace(b'"', b"").replace(b"\\", b"")


def _escape(value: bytes | str | None) -> str:
    """
    A client-supplied value made safe for one quoted log field.
    """
    if value is None:
        return "-"
    if isinstance(value, str):
        value = value.encode("utf-8", "backslashreplace")
    if not value.translate(None, _PLAIN):
        # Speed: the usual value needs no escaping.
        return value.decode("ascii")
    out = []
    for byte in value:
        if byte in (0x22, 0x5C):
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


def _clientIP(request: Any) -> str:
    address = request.getClientAddress()
    return str(getattr(address, "host", "-"))


def _line(ip: str, timestamp: str, request: Any) -> str:
    length = request.sentLength
    return (
        f'"{_escape(ip)}" - - {timestamp} '
        f'"{_escape(request.method)} {_escape(request.uri)} {_escape(request.clientproto)}" '
        f"{request.code} {length if length else '-'} "
        f'"{_escape(request.getHeader(b"referer"))}" '
        f'"{_escape(request.getHeader(b"user-agent"))}"'
    )


def combinedLogFormatter(timestamp: str, request: Any) -> str:
    """
    The I{combined} access-log line for a finished request.

    @param timestamp: When, as L{logDateTime} formats it.
    @param request: The request.
    @return: Such as C{'"127.0.0.1" - - [06/Nov/1994:08:49:37 +0000]
        "GET / HTTP/1.1" 200 13 "-" "curl/8.0"'}, without a newline.
    """
    return _line(_clientIP(request), timestamp, request)


def proxiedLogFormatter(timestamp: str, request: Any) -> str:
    """
    The I{combined} access-log line, with the client address taken from
    the last I{X-Forwarded-For} entry (for a server behind a reverse proxy
    that sets it; behind none, clients can forge it).

    @param timestamp: When, as L{logDateTime} formats it.
    @param request: The request.
    @return: The line, without a newline.
    """
    forwarded = request.getHeader(b"x-forwarded-for")
    if forwarded:
        ip = forwarded.split(b",")[-1].strip().decode("ascii", "backslashreplace")
    else:
        ip = _clientIP(request)
    return _line(ip, timestamp, request)


__all__ = [
    "combinedLogFormatter",
    "datetimeToString",
    "logDateTime",
    "proxiedLogFormatter",
    "stringToDatetime",
]
