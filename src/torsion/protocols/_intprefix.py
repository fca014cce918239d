# A sans-IO parser for length-prefixed strings: bytes in, strings out.
#
# This module imports nothing from torsion.internet; IntNStringReceiver and
# its Int8/Int16/Int32 subclasses (in _stringreceivers.py) are the glue.
#
# Wire format: an unsigned integer in the given struct format (network
# byte order for the standard receivers: "!B", "!H", "!I"), then that many
# bytes of payload.
#
# How it works
# ------------
# Buffering is _ChunkBuffer's (_chunkbuffer.py), as in _netstring.py: the
# unparsed bytes are `_buffer[_start:]` followed by the parked chunks in
# `_more`; a chunk that arrives when nothing is left over becomes the
# buffer without a copy;
# `_need` is how many bytes past `_start` the next string needs (the prefix
# at a boundary, prefix + payload once the prefix is read), and parked
# chunks are joined only when they can satisfy it.  So many small strings
# in one chunk cost one unpack_from and one slice each, and a large string
# in many chunks is copied a bounded number of times.
#
# Limits: a prefix that announces more than `max_length` bytes (or a
# negative length, with a signed format) raises LengthLimitExceeded before
# any of the payload is buffered.  Nothing is discarded: the offending
# prefix stays at the front of the buffer, so every later call raises again
# and the bytes can still be inspected (IntNStringReceiver.recvd).
from __future__ import annotations

import struct

from torsion.protocols._chunkbuffer import _ChunkBuffer

DEFAULT_MAX_LENGTH = 99999


class LengthLimitExceeded(ValueError):
    """
    The peer announced a string longer than the limit.

    @ivar length: The announced length.
    @ivar max_length: The limit.
    """

    def __init__(self, length: int, max_length: int) -> None:
        super().__init__(length, max_length)
        self.length = length
        self.max_length = max_length

    def __str__(self) -> str:
        if self.length < 0:
            return (
                f"a length prefix announced a negative length ({self.length}); "
                "use an unsigned struct format such as '!I'"
            )
        return (
            f"a length prefix announced a string of {self.length} bytes, over the maximum "
            f"of {self.max_length} bytes (MAX_LENGTH); raise MAX_LENGTH if such strings "
            "are expected"
        )


class StringTooLongError(AssertionError):
    """
    A string is too long for its length prefix to describe, so it cannot
    be sent.
    """


def _compile(struct_format: str) -> struct.Struct:
    problem = ""
    try:
        compiled = struct.Struct(struct_format)
        values = compiled.unpack(bytes(compiled.size))
    except (struct.error, TypeError) as e:
        problem = str(e)
    else:
        if len(values) == 1 and type(values[0]) is int:
            return compiled
        problem = f"it describes {values!r}"
    raise ValueError(
        f"the length prefix format {struct_format!r} is not a struct format for one "
        f"integer ({problem}); use e.g. '!I' for 4 bytes in network order"
    )


class IntPrefixParser(_ChunkBuffer):
    """
    Split a byte stream into length-prefixed payloads.

    @ivar struct_format: The struct format of the length prefix (read-only:
        see L{configure}).
    @ivar prefix_length: The size of the length prefix, in bytes
        (read-only).
    @ivar max_length: The longest payload accepted, in bytes (read-only:
        see L{configure}).
    """

    __slots__ = ("_struct", "max_length", "prefix_length", "struct_format")

    def __init__(self, struct_format: str = "!I", max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self._struct = _compile(struct_format)
        super().__init__(self._struct.size)
        self.struct_format = struct_format
        self.prefix_length = self._struct.size
        self.max_length = 0
        self.configure(struct_format, max_length)

    def configure(self, struct_format: str, max_length: int) -> None:
        """
        Use another prefix format or limit from now on.

        @raise ValueError: If C{struct_format} is not a struct format for
            one integer, or C{max_length} is not an int >= 0.
        """
        if struct_format != self.struct_format:
            self._struct = _compile(struct_format)
            self.struct_format = struct_format
            self.prefix_length = self._need = self._struct.size
        if type(max_length) is not int or max_length < 0:
            raise ValueError(
                f"the maximum string length must be an int >= 0, not {max_length!r}; "
                "e.g. MAX_LENGTH = 99999"
            )
        self.max_length = max_length

    def next_string(self) -> bytes | None:
        """
        Take the next complete string out of the buffer.

        @return: The payload, or L{None} if no complete string is buffered.
        @raise LengthLimitExceeded: If the next prefix announces more than
            C{max_length} bytes (the bytes stay buffered).
        """
        buffer = self._buffer
        start = self._start
        if len(buffer) - start < self._need:
            if len(buffer) - start + self._more_len < self._need:
                return None
            buffer = self._consolidate()
            start = 0
        compiled = self._struct
        while True:
            size = compiled.size
            if len(buffer) - start < size:
                need = size
            else:
                (length,) = compiled.unpack_from(buffer, start)
                if length > self.max_length or length < 0:
                    self._need = size
                    raise LengthLimitExceeded(length, self.max_length)
                begin = start + size
                end = begin + length
                if end <= len(buffer):
                    self._start = end
                    self._need = size
                    return buffer[begin:end]
                need = size + length
            self._need = need
            if len(buffer) - start + self._more_len < need:
                return None
            buffer = self._consolidate()
            start = 0

    def read_strings(self) -> list[bytes]:
        """
        Take every complete string out of the buffer, up to one that is too
        long.

        @return: The payloads; empty if no complete string is buffered.
        @raise LengthLimitExceeded: If the very next prefix is over the
            limit.  (One after good strings is raised by the next call.)
        """
        first = self.next_string()  # joins parked chunks if that helps
        if first is None:
            return []
        strings = [first]
        # Speed over clarity: the rest of the buffer in one tight loop, no
        # call per string.  Anything unusual (a long prefix, a partial
        # string) is left for next_string to find on the next call.
        buffer = self._buffer
        start = self._start
        size = self.prefix_length
        limit = self.max_length
        unpack_from = self._struct.unpack_from
        end_of_buffer = len(buffer)
        append = strings.append
        while end_of_buffer - start >= size:
            (length,) = unpack_from(buffer, start)
            end = start + size + length
            if length > limit or length < 0 or end > end_of_buffer:
                break
            append(buffer[start + size : end])
            start = end
        self._start = start
        self._need = size
        return strings

    def unread(self, strings: list[bytes]) -> None:
        """
        Put back strings that L{read_strings} returned but the caller did
        not use, before everything still buffered.

        @param strings: The strings, in the order they arrived.
        """
        if not strings:
            return
        pack = self._struct.pack
        framed = [piece for string in strings for piece in (pack(len(string)), string)]
        framed.append(self._buffer[self._start :])
        framed.extend(self._more)
        self._reset(b"".join(framed), self._struct.size)

    def unparsed(self) -> bytes:
        """
        The buffered bytes not parsed yet, left in place.
        """
        if not self._more:
            return self._buffer[self._start :]
        return self._consolidate()

    def replace(self, data: bytes) -> None:
        """
        Throw the buffered bytes away and parse C{data} instead.
        """
        self._reset(data if type(data) is bytes else bytes(data), self._struct.size)


def encode_prefixed(data: bytes, struct_format: str = "!I", prefix_length: int = 4) -> bytes:
    """
    Frame C{data} with its length.

    @param prefix_length: The prefix's size in bytes; strings of
        C{2 ** (8 * prefix_length)} bytes or more cannot be framed.
    @raise TypeError: If C{data} is not bytes.
    @raise StringTooLongError: If C{data} is too long for the prefix.
    """
    if not isinstance(data, bytes):
        raise TypeError(
            f"a string to send must be bytes, not {type(data).__name__} {data!r:.60}; "
            "encode text first, e.g. sendString(text.encode('utf-8'))"
        )
    if len(data) >= 2 ** (8 * prefix_length):
        raise StringTooLongError(
            f"a string of {len(data)} bytes is too long for a {prefix_length}-byte length "
            f"prefix (at most {2 ** (8 * prefix_length) - 1} bytes); split it, or use a "
            "receiver with a longer prefix such as Int32StringReceiver"
        )
    try:
        return struct.pack(struct_format, len(data)) + data
    except struct.error as e:
        raise StringTooLongError(
            f"a string of {len(data)} bytes does not fit the length prefix format "
            f"{struct_format!r} ({e}); split it, or use a wider format"
        ) from e


__all__ = [
    "DEFAULT_MAX_LENGTH",
    "IntPrefixParser",
    "LengthLimitExceeded",
    "StringTooLongError",
    "encode_prefixed",
]
