# A sans-IO parser for netstrings (https://cr.yp.to/proto/netstrings.txt):
# bytes in, strings out.
#
# This module imports nothing from torsion.internet; NetstringReceiver (in
# _stringreceivers.py) is the glue.
#
# Wire format: the payload's length in ASCII decimal digits, ':', the
# payload, ','.  So b"3:abc," carries b"abc" and b"0:," carries b"".  The
# length has no sign, no spaces and no leading zero (b"03:abc," is an
# error; b"0:," is not), as the format requires.
#
# How it works
# ------------
# Buffering is _ChunkBuffer's (_chunkbuffer.py): the unparsed bytes are
# `_buffer[_start:]` followed by the chunks parked in `_more`.  `_need` is
# how many bytes (counting from `_start`) must be available before another
# attempt can get further: 1 at a string boundary, more while a length is
# being read, the whole header + payload + comma once the length is known.
# The parked chunks are joined into the buffer only once they can satisfy
# `_need`, so a large payload arriving in many small chunks is copied a
# bounded number of times, not once per chunk.  Complete strings are sliced
# out of the buffer by moving `_start`; the rest of the buffer is never
# re-sliced per string.
#
# Errors: everything the peer can get wrong is detected as early as the
# bytes allow and raised as NetstringParseError, whose message names the
# mistake and the offending bytes: a length that does not start with a
# digit, a non-digit before ':', a leading zero, more digits than
# `max_length` could need (so a stream of digits is not buffered forever),
# a length over `max_length`, a missing ','.  Checks run on every prefix of
# the header, so any split of the input finds the same error after the
# same strings.  A netstring stream cannot be resynchronised after a
# mistake, so the error is sticky: every later call raises it again.
from __future__ import annotations

from torsion.protocols._chunkbuffer import _ChunkBuffer

DEFAULT_MAX_LENGTH = 99999
_COLON = 0x3A
_COMMA = 0x2C
_ZERO = 0x30


class NetstringParseError(ValueError):
    """
    The peer sent something that is not a netstring.

    @ivar data: The offending bytes (the start of them, for long ones).
    """

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data


class IncompleteNetstring(Exception):
    """
    Not enough bytes for a whole netstring yet.

    Kept so that code written for Twisted can still import it; torsion's
    parser returns L{None} in that case instead of raising.
    """


def _excerpt(data: bytes) -> str:
    """
    Show at most 20 bytes of C{data}, marking a cut.
    """
    return repr(data[:20]) + ("..." if len(data) > 20 else "")


class NetstringParser(_ChunkBuffer):
    """
    Split a byte stream into netstring payloads.

    @ivar max_length: The longest payload accepted, in bytes (read-only:
        see L{configure}).
    """

    __slots__ = ("_error", "_max_digits", "max_length")

    def __init__(self, max_length: int = DEFAULT_MAX_LENGTH) -> None:
        super().__init__(1)
        self._error: NetstringParseError | None = None
        self.max_length = 0
        self._max_digits = 1
        self.configure(max_length)

    def configure(self, max_length: int) -> None:
        """
        Use another limit from now on.

        @raise ValueError: If C{max_length} is not an int >= 0.
        """
        if type(max_length) is not int or max_length < 0:
            raise ValueError(
                f"the maximum netstring length must be an int >= 0, not {max_length!r}; "
                "e.g. MAX_LENGTH = 99999"
            )
        self.max_length = max_length
        self._max_digits = len(str(max_length))

    def _fail(self, message: str, data: bytes) -> NetstringParseError:
        self._error = NetstringParseError(message, data[:64])
        return self._error

    def _check_header(self, header: bytes) -> NetstringParseError | None:
        """
        Check the start of a header: digits, possibly followed by more.

        @return: The error, if no continuation can make C{header} valid.
        """
        if not header[0:1].isdigit():
            return self._fail(
                f"a netstring must start with its length in ASCII digits, got {_excerpt(header)}",
                header,
            )
        digits = len(header) - len(header.lstrip(b"0123456789"))
        if digits < len(header):
            return self._bad_separator(header[:digits], header[digits : digits + 1])
        if header[0] == _ZERO and len(header) > 1:
            return self._leading_zero(header)
        if len(header) > self._max_digits:
            return self._fail(
                f"the netstring length {_excerpt(header)} has more digits than "
                f"MAX_LENGTH ({self.max_length}) allows",
                header,
            )
        return None

    def _bad_separator(self, digits: bytes, found: bytes) -> NetstringParseError:
        return self._fail(
            f"the netstring length {digits!r} must be followed by b':', got {found!r}",
            digits + found,
        )

    def _leading_zero(self, digits: bytes) -> NetstringParseError:
        return self._fail(
            f"the netstring length {_excerpt(digits)} has a leading zero, which netstrings forbid",
            digits,
        )

    def next_string(self) -> bytes | None:
        """
        Take the next complete netstring's payload out of the buffer.

        @return: The payload, or L{None} if no complete netstring is
            buffered.
        @raise NetstringParseError: If the peer sent something that is not
            a netstring (from then on, every call raises it).
        """
        if self._error is not None:
            raise self._error
        buffer = self._buffer
        start = self._start
        if len(buffer) - start < self._need:
            if len(buffer) - start + self._more_len < self._need:
                return None
            buffer = self._consolidate()
            start = 0
        while True:
            colon = buffer.find(b":", start, start + self._max_digits + 1)
            if colon < 0:
                header = buffer[start : start + self._max_digits + 1]
                if header:
                    error = self._check_header(header)
                    if error is not None:
                        raise error
                need = len(buffer) - start + 1
            else:
                digits = buffer[start:colon]
                if not digits.isdigit():
                    error = self._check_header(digits + b":")
                    assert error is not None  # a non-digit is always an error
                    raise error
                if digits[0] == _ZERO and colon - start > 1:
                    raise self._leading_zero(digits)
                length = int(digits)
                if length > self.max_length:
                    raise self._fail(
                        f"the netstring length {length} is over MAX_LENGTH ({self.max_length})",
                        digits,
                    )
                end = colon + 1 + length
                if end < len(buffer):
                    if buffer[end] != _COMMA:
                        raise self._fail(
                            f"a netstring of length {length} must end with b',', "
                            f"got {buffer[end : end + 1]!r}",
                            buffer[end : end + 1],
                        )
                    self._start = end + 1
                    self._need = 1
                    return buffer[colon + 1 : end]
                need = end + 1 - start
            self._need = need
            if len(buffer) - start + self._more_len < need:
                return None
            buffer = self._consolidate()
            start = 0

    def take(self) -> bytes:
        """
        Take every unparsed byte out of the buffer (when the stream stops
        being netstrings, such as after STARTTLS).

        @return: The bytes; C{b""} if there are none.
        """
        data = self._consolidate()
        self._buffer = b""
        self._need = 1
        return data

    def read_strings(self) -> list[bytes]:
        """
        Take every complete netstring's payload out of the buffer, up to a
        mistake.

        @return: The payloads; empty if no complete netstring is buffered.
        @raise NetstringParseError: If the very next bytes are not a
            netstring.  (A mistake after good strings is raised by the next
            call.)
        """
        strings: list[bytes] = []
        try:
            while (string := self.next_string()) is not None:
                strings.append(string)
        except NetstringParseError:
            if not strings:
                raise
        return strings


def encode_netstring(data: bytes) -> bytes:
    """
    Frame C{data} as a netstring.

    @raise TypeError: If C{data} is not bytes.
    """
    if not isinstance(data, bytes):
        raise TypeError(
            f"a netstring payload must be bytes, not {type(data).__name__} {data!r:.60}; "
            "encode text first, e.g. sendString(text.encode('utf-8'))"
        )
    return b"%d:%s," % (len(data), data)


__all__ = [
    "DEFAULT_MAX_LENGTH",
    "IncompleteNetstring",
    "NetstringParseError",
    "NetstringParser",
    "encode_netstring",
]
