# Headers: the case-insensitive, multi-valued header collection of
# twisted.web.http_headers, written here.
#
# How it works
# ------------
# One dict maps each header name, lowercased bytes, to the list of its raw
# byte values in the order they were added.  Every way in goes through two
# gates:
#
#  - names: str names are encoded as ISO-8859-1, then must be an RFC 9110
#    token (letters, digits and !#$%&'*+-.^_`|~) or InvalidHeaderName is
#    raised, so a name can never smuggle a colon, a space or a line break
#    onto the wire;
#  - values: str values are encoded as UTF-8; then every line break (CR, LF
#    or CRLF) and every NUL is replaced by a single space, as Twisted does
#    for CR and LF, so a value can never end a header line early (no header
#    injection, no response splitting).
#
# On the way out, names are given in canonical capitalisation
# (Content-Type, WWW-Authenticate, ETag): each dash-separated word
# capitalised, with a short table of names that HTTP spells otherwise.  The
# canonical form is computed once per distinct name and cached (the cache is
# bounded, since names come from the network).
#
# getRawHeaders with a str name answers str values (UTF-8 decoded); with a
# bytes name, bytes.  It returns a new list each time, so a caller that
# mutates the result cannot bypass the value gate.
#
# The HTTP parser hands its header list (names already lowercased and
# checked, values already checked) to Headers._fromParsed, which fills the
# dict without re-checking: that is the server's hot path.
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import AnyStr, TypeVar, overload

_T = TypeVar("_T")

#: Bytes allowed in a header name (RFC 9110 section 5.6.2, "tchar").
_TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

#: Lowercased names whose usual spelling is not one capital per word.
_SPECIAL_CASE = {
    b"content-md5": b"Content-MD5",
    b"dnt": b"DNT",
    b"etag": b"ETag",
    b"p3p": b"P3P",
    b"te": b"TE",
    b"www-authenticate": b"WWW-Authenticate",
    b"x-xss-protection": b"X-XSS-Protection",
}

#: Canonical spellings computed so far, by lowercased name.
_canonicalCache: dict[bytes, bytes] = dict(_SPECIAL_CASE)
#: Beyond this many entries the cache stops growing (names come from peers).
_CANONICAL_CACHE_LIMIT = 2048


class InvalidHeaderName(ValueError):
    """
    A header name is not an HTTP token (it is empty, or holds a space, a
    colon, a control character or another separator).

    @ivar name: The rejected name, as bytes.
    """

    def __init__(self, name: bytes) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return (
            f"invalid HTTP header name {self.name!r}: a name must be one or more of the "
            "letters, digits and !#$%&'*+-.^_`|~ (no spaces, colons or control characters)"
        )


def _canonicalName(lowered: bytes) -> bytes:
    """
    The conventional spelling of a header name.

    @param lowered: A lowercased header name.
    @return: E.g. C{b"Content-Type"} for C{b"content-type"}.
    """
    try:
        return _canonicalCache[lowered]
    except KeyError:
        pass
    canonical = b"-".join([word.capitalize() for word in lowered.split(b"-")])
    if len(_canonicalCache) < _CANONICAL_CACHE_LIMIT:
        _canonicalCache[lowered] = canonical
    return canonical


#: Lowercased names looked up on every request: _encodeName's fast path.
_COMMON_NAMES = frozenset(
    {
        b"accept",
        b"authorization",
        b"connection",
        b"content-length",
        b"content-type",
        b"cookie",
        b"date",
        b"host",
        b"if-modified-since",
        b"if-none-match",
        b"location",
        b"referer",
        b"server",
        b"transfer-encoding",
        b"user-agent",
        b"x-forwarded-for",
    }
)


def _encodeName(name: str | bytes) -> bytes:
    """
    Check a header name and give it as lowercased bytes.

    @param name: The name as given by the caller.
    @return: The lowercased name.
    @raise InvalidHeaderName: If C{name} is not a token.
    @raise TypeError: If C{name} is neither L{str} nor L{bytes}.
    """
    if type(name) is bytes:
        if name in _COMMON_NAMES:
            # Speed: a usual name, already lowercased and known good.
            return name
        raw = name
    elif isinstance(name, str):
        try:
            raw = name.encode("iso-8859-1")
        except UnicodeEncodeError:
            raise InvalidHeaderName(name.encode("utf-8")) from None
    elif isinstance(name, bytes):
        raw = bytes(name)
    else:
        raise TypeError(
            f"a header name must be bytes or str, such as b'Content-Type', "
            f"not {type(name).__name__}: {name!r}"
        )
    if not raw or raw.translate(None, _TOKEN_CHARS):
        raise InvalidHeaderName(raw)
    return raw.lower()


def _encodeValue(value: str | bytes) -> bytes:
    """
    Give a header value as bytes that cannot break the header line.

    @param value: The value as given by the caller.
    @return: The value as bytes (UTF-8 for L{str}), each CR, LF, CRLF and
        NUL replaced by one space.
    @raise TypeError: If C{value} is neither L{str} nor L{bytes}.
    """
    if type(value) is not bytes:
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif isinstance(value, bytes):
            value = bytes(value)
        else:
            raise TypeError(
                f"a header value must be bytes or str, such as b'text/html', "
                f"not {type(value).__name__}: {value!r}"
            )
    if b"\r" in value or b"\n" in value:
        value = b" ".join(value.splitlines())
    if b"\x00" in value:
        value = value.replace(b"\x00", b" ")
    return value


class Headers:
    """
    The headers of an HTTP request or response: names are case-insensitive,
    and each name has a list of values in the order they were added.

    Names and values may be given as L{bytes} or L{str} (str names must be
    ISO-8859-1, str values are encoded as UTF-8).  Values are sanitised on
    the way in: each line break (CR, LF or CRLF) and each NUL becomes a
    space, so no value can inject a header or split a response.

    Two instances are equal when they hold the same names with the same
    values in the same order per name.  Instances are mutable and so not
    hashable.
    """

    __slots__ = ("_rawHeaders",)

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, rawHeaders: Mapping[AnyStr, Sequence[AnyStr]] | None = None) -> None:
        """
        @param rawHeaders: Initial headers: a mapping from each name to the
            list of its values, or L{None} for none.
        @raise InvalidHeaderName: If a name is not an HTTP token.
        @raise TypeError: If a name or value is neither L{bytes} nor L{str},
            or a value list is a single string.
        """
        self._rawHeaders: dict[bytes, list[bytes]] = {}
        if rawHeaders is not None:
            for name, values in rawHeaders.items():
                self.setRawHeaders(name, values)

    @classmethod
    def _fromParsed(cls, pairs: Iterable[tuple[bytes, bytes]]) -> Headers:
        """
        Build headers from a parser's output, without checking them again.

        @param pairs: (name, value) pairs whose names are lowercased tokens
            and whose values hold no CR, LF or NUL, as
            C{torsion.web._httpparse} produces them.
        @return: The headers, values in the order given.
        """
        self = cls.__new__(cls)
        raw: dict[bytes, list[bytes]] = {}
        for name, value in pairs:
            values = raw.get(name)
            if values is None:
                raw[name] = [value]
            else:
                values.append(value)
        self._rawHeaders = raw
        return self

    def __repr__(self) -> str:
        shown = {_canonicalName(name): values for name, values in self._rawHeaders.items()}
        return f"{type(self).__name__}({shown!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._rawHeaders == other._rawHeaders
        return NotImplemented

    def copy(self) -> Headers:
        """
        Make an independent copy.

        @return: New L{Headers} with the same names and values; changing one
            never changes the other.
        """
        new = type(self).__new__(type(self))
        new._rawHeaders = {name: list(values) for name, values in self._rawHeaders.items()}
        return new

    def hasHeader(self, name: AnyStr) -> bool:
        """
        Tell whether a header is present.

        @param name: The header name, any capitalisation.
        @return: L{True} if C{name} has been set (even to an empty list).
        @raise InvalidHeaderName: If C{name} is not an HTTP token.
        """
        return _encodeName(name) in self._rawHeaders

    def removeHeader(self, name: AnyStr) -> None:
        """
        Remove every value of a header; do nothing if it is absent.

        @param name: The header name, any capitalisation.
        @raise InvalidHeaderName: If C{name} is not an HTTP token.
        """
        self._rawHeaders.pop(_encodeName(name), None)

    def setRawHeaders(self, name: AnyStr, values: Sequence[AnyStr]) -> None:
        """
        Replace all values of a header.

        @param name: The header name, any capitalisation.
        @param values: The new values, in order, each L{bytes} or L{str}.
        @raise InvalidHeaderName: If C{name} is not an HTTP token.
        @raise TypeError: If C{values} is a single string rather than a
            list of them, or holds something other than strings.
        """
        if isinstance(values, str | bytes | bytearray):
            raise TypeError(
                f"setRawHeaders() takes a list of values, not a single {type(values).__name__}: "
                f"write setRawHeaders(name, [{values!r}])"
            )
        encoded = [_encodeValue(value) for value in values]
        self._rawHeaders[_encodeName(name)] = encoded

    def addRawHeader(self, name: AnyStr, value: AnyStr) -> None:
        """
        Add one value to a header, after any it already has.

        @param name: The header name, any capitalisation.
        @param value: The value, L{bytes} or L{str}.
        @raise InvalidHeaderName: If C{name} is not an HTTP token.
        @raise TypeError: If C{value} is neither L{bytes} nor L{str}.
        """
        encoded = _encodeValue(value)
        key = _encodeName(name)
        values = self._rawHeaders.get(key)
        if values is None:
            self._rawHeaders[key] = [encoded]
        else:
            values.append(encoded)

    @overload
    def getRawHeaders(self, name: AnyStr) -> Sequence[AnyStr] | None: ...

    @overload
    def getRawHeaders(self, name: AnyStr, default: _T) -> Sequence[AnyStr] | _T: ...

    def getRawHeaders(
        self, name: AnyStr, default: _T | None = None
    ) -> Sequence[AnyStr] | _T | None:
        """
        Get all values of a header.

        @param name: The header name, any capitalisation.  A L{bytes} name
            gives L{bytes} values; a L{str} name gives L{str} values
            (decoded as UTF-8).
        @param default: What to return if the header has no value.
        @return: A new list of the values in the order they were added, or
            C{default}.
        @raise InvalidHeaderName: If C{name} is not an HTTP token.
        @raise UnicodeDecodeError: If C{name} is a L{str} and a value is not
            UTF-8.
        """
        values = self._rawHeaders.get(_encodeName(name))
        if not values:
            return default
        if isinstance(name, str):
            return [value.decode("utf-8") for value in values]
        return list(values)

    def getAllRawHeaders(self) -> Iterator[tuple[bytes, Sequence[bytes]]]:
        """
        Iterate over every header.

        @return: An iterator of (name, values) pairs, names as canonically
            capitalised L{bytes} (C{b"Content-Type"}), in the order the names
            were first set; each values list is a copy.
        """
        for name, values in list(self._rawHeaders.items()):
            yield _canonicalName(name), list(values)


__all__ = ["Headers", "InvalidHeaderName"]
