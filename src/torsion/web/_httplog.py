# HTTP dates and access-log lines.
#
# datetimeToString/stringToDatetime convert between seconds since the epoch
# and the IMF-fixdate format HTTP uses (RFC 9110 section 5.6.7), accepting
# the two obsolete formats (RFC 850 and asctime) on input, as a recipient
# must.  The access-log formatters turn a finished request into one line of
# the "combined" format Apache and nginx write; every field taken from the
# client is escaped (quotes, backslashes, control and non-ASCII bytes become
# backslash escapes), so no client can forge a log line or a field.
#
# channelLogFormatter makes the same line for a response the channel sent
# itself (a parse error, 408, 417): no application saw a request, so the
# status and length are given, and the request fields come from the head
# when one was parsed, else the request field is "-", as nginx logs a
# request line it could not read.
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


_BYTES_OR_NONE = (bytes, type(None))
# str.translate table deleting the characters a quoted field shows as they
# are: an IP address is fine when nothing is left.
_IP_PLAIN = dict.fromkeys(_PLAIN)


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
    global _lastLine
    length = request.sentLength
    code = request.code
    method, uri, proto = request.method, request.uri, request.clientproto
    referer = request.getHeader(b"referer")
    agent = request.getHeader(b"user-agent")
    key = (ip, timestamp, method, uri, proto, code, length, referer, agent)
    last = _lastLine
    if last[0] == key and type(code) is int and type(length) is int:
        # Speed: a keep-alive client repeating its request within the
        # second gets the same line as last time.
        return last[1]
    if (
        type(method) is bytes
        and type(uri) is bytes
        and type(proto) is bytes
        and type(referer) in _BYTES_OR_NONE
        and type(agent) in _BYTES_OR_NONE
        and not (method + uri + proto + (referer or b"-") + (agent or b"-")).translate(None, _PLAIN)
        and not ip.translate(_IP_PLAIN)
    ):
        # Speed: one check for the usual line, where nothing needs escaping.
        line = (
            f'"{ip}" - - {timestamp} '
            f'"{method.decode()} {uri.decode()} {proto.decode()}" '
            f"{code} {length if length else '-'} "
            f'"{referer.decode() if referer is not None else "-"}" '
            f'"{agent.decode() if agent is not None else "-"}"'
        )
    else:
        line = (
            f'"{_escape(ip)}" - - {timestamp} '
            f'"{_escape(method)} {_escape(uri)} {_escape(proto)}" '
            f"{code} {length if length else '-'} "
            f'"{_escape(referer)}" '
            f'"{_escape(agent)}"'
        )
    _lastLine = (key, line)
    return line


# The last line _line made, and the fields it was made from.
_lastLine: tuple[Any, str] = (None, "")


def combinedLogFormatter(timestamp: str, request: Any) -> str:
    """
    The I{combined} access-log line for a finished request.

    @param timestamp: When, as L{logDateTime} formats it.
    @param request: The request.
    @return: Such as C{'"127.0.0.1" - - [06/Nov/1994:08:49:37 +0000]
        "GET / HTTP/1.1" 200 13 "-" "curl/8.0"'}, without a newline.
    """
    return _line(_clientIP(request), timestamp, request)


def channelLogFormatter(
    timestamp: str, client: Any, status: int, sentLength: int, request: Any = None
) -> str:
    """
    The I{combined} access-log line for a response the channel sent itself
    (a refused or timed-out request), which no application answered.

    @param timestamp: When, as L{logDateTime} formats it.
    @param client: The client's address (its C{host} is logged), or
        L{None}.
    @param status: The status sent, e.g. C{400}.
    @param sentLength: How many body bytes were sent.
    @param request: The request made from the head, if the head was parsed
        (its method, target, version, I{Referer} and I{User-Agent} are
        logged); L{None} logs C{"-"} for the request line and those
        headers.
    @return: Such as C{'"127.0.0.1" - - [06/Nov/1994:08:49:37 +0000] "-"
        400 98 "-" "-"'}, without a newline.
    """
    ip = _escape(str(getattr(client, "host", "-")))
    length = sentLength if sentLength else "-"
    if request is None:
        return f'"{ip}" - - {timestamp} "-" {status} {length} "-" "-"'
    return (
        f'"{ip}" - - {timestamp} '
        f'"{_escape(request.method)} {_escape(request.uri)} {_escape(request.clientproto)}" '
        f"{status} {length} "
        f'"{_escape(request.getHeader(b"referer"))}" '
        f'"{_escape(request.getHeader(b"user-agent"))}"'
    )


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
    "channelLogFormatter",
    "combinedLogFormatter",
    "datetimeToString",
    "logDateTime",
    "proxiedLogFormatter",
    "stringToDatetime",
]
