# A sans-IO parser for delimited lines: bytes in, lines out.
#
# This module imports nothing from torsion.internet: it never sees a
# transport, a clock or a log.  LineReceiver and LineOnlyReceiver (in
# _linereceiver.py) are the glue that feeds it and dispatches what it finds.
#
# How it works
# ------------
# The unparsed bytes are `_buffer[_start:]`.  `_searched` (>= `_start`) is
# where the next delimiter search begins: everything between `_start` and
# `_searched` is known not to hold the start of a delimiter, so bytes that
# trickle in are never scanned twice.
#
# feed() keeps the common cases free of copies:
# - when everything before has been consumed, the new chunk simply becomes
#   the buffer (no copy at all);
# - when a short partial line is left over, it is joined with the new chunk
#   once (cost proportional to the chunk);
# - when a long partial line is growing in small chunks (a peer trickling a
#   line byte by byte), the bytes go into a bytearray, which grows in place,
#   so the cost stays linear instead of copying the whole partial line for
#   every chunk.  The bytearray is turned back into bytes as soon as it
#   holds a delimiter, so that lines are always sliced from `bytes` (one
#   copy per line, and the slice is already the `bytes` callers want).
#   Invariant: a bytearray buffer starts at 0 and has no delimiter at or
#   after `_searched`.
#
# next_line() finds one line with bytes.find from `_searched` and moves
# `_start` past it: no slicing of the rest of the buffer per line, so a big
# chunk holding many lines is parsed in O(size).  read_lines() is the batch
# form for callers that take every line at once: it uses bytes.split, which
# does the whole chunk in C; unread() puts back the lines such a caller ends
# up not using (at the cost of one join), so that it can switch to
# next_line() when what comes next depends on each line.
#
# Limits: a line (without its delimiter) may be at most `max_length` bytes.
# A complete longer line, or `max_length + len(delimiter)` buffered bytes
# with no delimiter (the line is then certainly too long, wherever its
# delimiter turns up), raises LineTooLong.  Lines before the long one are
# always returned first, so how the input was split never changes which
# lines come out before the error.  Raising discards everything buffered
# (handed over on the exception) and leaves the parser empty and usable.
#
# If the caller feeds again without taking the complete lines out (a paused
# consumer), the pending bytes are copied on that feed; drain with
# next_line()/read_lines() after each feed to stay linear.
from __future__ import annotations

DEFAULT_DELIMITER = b"\r\n"
DEFAULT_MAX_LENGTH = 16384


class LineTooLong(ValueError):
    """
    The peer sent a line longer than the limit.

    @ivar length: The line's length, or for a line with no delimiter yet,
        the number of bytes it has so far.
    @ivar max_length: The limit it broke.
    @ivar complete: Whether the line's delimiter had arrived.
    @ivar data: Every byte that was buffered, starting with the long line;
        the parser has discarded them.
    """

    def __init__(self, length: int, max_length: int, complete: bool, data: bytes) -> None:
        super().__init__(length, max_length, complete)
        self.length = length
        self.max_length = max_length
        self.complete = complete
        self.data = data

    def __str__(self) -> str:
        if self.complete:
            return (
                f"a line of {self.length} bytes is longer than the maximum of "
                f"{self.max_length} bytes (MAX_LENGTH); raise MAX_LENGTH if such lines are expected"
            )
        return (
            f"{self.length} bytes arrived without a line delimiter, more than the maximum "
            f"line length of {self.max_length} bytes (MAX_LENGTH) allows; raise MAX_LENGTH "
            "if such lines are expected"
        )


def _check_config(delimiter: object, max_length: object) -> None:
    """
    Reject a delimiter or limit that cannot work (caller misuse, not peer
    garbage).
    """
    if type(delimiter) is not bytes:
        raise TypeError(
            f"the line delimiter must be bytes, not {type(delimiter).__name__} {delimiter!r}; "
            "e.g. delimiter = b'\\r\\n'"
        )
    if not delimiter:
        raise ValueError("the line delimiter must not be empty; e.g. delimiter = b'\\r\\n'")
    if type(max_length) is not int or max_length < 0:
        raise ValueError(
            f"the maximum line length must be an int >= 0, not {max_length!r}; "
            "e.g. MAX_LENGTH = 16384"
        )


class LineParser:
    """
    Split a byte stream into lines.

    @ivar delimiter: The bytes that end a line (read-only: see
        L{configure}).
    @ivar max_length: The longest line accepted, in bytes, not counting the
        delimiter (read-only: see L{configure}).
    """

    __slots__ = ("_buffer", "_searched", "_start", "delimiter", "max_length")

    def __init__(
        self, delimiter: bytes = DEFAULT_DELIMITER, max_length: int = DEFAULT_MAX_LENGTH
    ) -> None:
        _check_config(delimiter, max_length)
        self.delimiter = delimiter
        self.max_length = max_length
        self._buffer: bytes | bytearray = b""
        self._start = 0
        self._searched = 0

    def configure(self, delimiter: bytes, max_length: int) -> None:
        """
        Use another delimiter or limit from now on, for the bytes already
        buffered too.
        """
        _check_config(delimiter, max_length)
        if delimiter != self.delimiter:
            self.delimiter = delimiter
            self._searched = self._start
            if type(self._buffer) is bytearray:
                self._buffer = bytes(self._buffer)
        self.max_length = max_length

    def __len__(self) -> int:
        return len(self._buffer) - self._start

    def feed(self, data: bytes) -> None:
        """
        Add bytes from the peer.
        """
        buffer = self._buffer
        start = self._start
        left = len(buffer) - start
        if not left:
            # Everything before was consumed: adopt the chunk, no copy.
            self._buffer = data if type(data) is bytes else bytes(data)
            self._start = self._searched = 0
            return
        if not data:
            return
        delimiter = self.delimiter
        if type(buffer) is bytearray:
            # A long partial line growing: append in place (start is 0).
            buffer += data
            if buffer.find(delimiter, self._searched) >= 0:
                self._buffer = bytes(buffer)
            else:
                self._searched = max(0, len(buffer) - len(delimiter) + 1)
            return
        searched = self._searched - start
        if left <= len(data) or buffer.find(delimiter, self._searched) >= 0:
            # A short leftover (or undrained lines): one join, as bytes.
            self._buffer = b"".join((memoryview(buffer)[start:], data))
            self._start = 0
            self._searched = searched
            return
        grown = bytearray(memoryview(buffer)[start:])
        grown += data
        self._start = 0
        if grown.find(delimiter, searched) >= 0:
            self._buffer = bytes(grown)
            self._searched = searched
        else:
            self._buffer = grown
            self._searched = max(0, len(grown) - len(delimiter) + 1)

    def _too_long(self, length: int, complete: bool) -> LineTooLong:
        """
        Discard the buffer, returning the error that hands it over.
        """
        data = bytes(memoryview(self._buffer)[self._start :])
        self._buffer = b""
        self._start = self._searched = 0
        return LineTooLong(length, self.max_length, complete, data)

    def next_line(self) -> bytes | None:
        """
        Take the next complete line out of the buffer.

        @return: The line without its delimiter, or L{None} if no complete
            line is buffered.
        @raise LineTooLong: If the next line is longer than C{max_length}.
        """
        buffer = self._buffer
        start = self._start
        end = buffer.find(self.delimiter, self._searched)
        if end < 0:
            size = len(buffer) - start
            width = len(self.delimiter)
            if size >= self.max_length + width:
                raise self._too_long(size, False)
            # Resume the search where a delimiter could still begin.
            searched = len(buffer) - width + 1
            self._searched = searched if searched > start else start
            return None
        if end - start > self.max_length:
            raise self._too_long(end - start, True)
        self._start = self._searched = end + len(self.delimiter)
        # The buffer is bytes here (see the invariant above): this slice is
        # the line, copied once.
        return buffer[start:end]  # type: ignore[return-value]

    def read_lines(self) -> list[bytes]:
        """
        Take every complete line out of the buffer, up to (not including) a
        line that is too long.

        @return: The lines without their delimiters; empty if no complete
            line is buffered.
        @raise LineTooLong: If the very next line is too long.  (A long line
            after good ones is reported by the next call.)
        """
        buffer = self._buffer
        delimiter = self.delimiter
        if buffer.find(delimiter, self._searched) < 0:
            self.next_line()  # raises if the partial line is already too long
            return []
        start = self._start
        if start:
            buffer = buffer[start:]
        # Bytes here, as above; split does the whole chunk in C.
        lines: list[bytes] = buffer.split(delimiter)  # type: ignore[assignment]
        tail = lines.pop()
        limit = self.max_length
        if len(buffer) > limit and max(map(len, lines)) > limit:
            bad = next(i for i, line in enumerate(lines) if len(line) > limit)
            # Keep the long line and what follows for the next call to report.
            self._buffer = delimiter.join(lines[bad:]) + delimiter + tail
            self._start = self._searched = 0
            del lines[bad:]
            if not lines:
                self.next_line()  # raises
            return lines
        self._buffer = tail
        self._start = 0
        self._searched = max(0, len(tail) - len(delimiter) + 1)
        return lines

    def unread(self, lines: list[bytes]) -> None:
        """
        Put back lines that L{read_lines} returned but the caller did not
        use, before everything still buffered.  Call it before changing the
        delimiter, so that they are framed as they arrived.

        @param lines: The lines, in the order they arrived.
        """
        if not lines:
            return
        delimiter = self.delimiter
        rest = memoryview(self._buffer)[self._start :]
        self._buffer = b"".join((delimiter.join(lines), delimiter, rest))
        rest.release()
        self._start = self._searched = 0

    def take(self) -> bytes:
        """
        Take every unparsed byte out of the buffer (for raw mode, say).

        @return: The bytes; C{b""} if there are none.
        """
        buffer = self._buffer
        start = self._start
        self._buffer = b""
        self._start = self._searched = 0
        if type(buffer) is bytes:
            return buffer[start:]  # no copy when start is 0
        return bytes(memoryview(buffer)[start:])


def encode_line(line: bytes, delimiter: bytes = DEFAULT_DELIMITER) -> bytes:
    """
    Frame C{line} for sending.

    @return: C{line} followed by C{delimiter}.  (A line that holds the
        delimiter arrives as several lines, as in Twisted.)
    @raise TypeError: If C{line} is not bytes.
    """
    if not isinstance(line, bytes):
        raise TypeError(
            f"a line must be bytes, not {type(line).__name__} {line!r:.60}; "
            "encode text first, e.g. sendLine(text.encode('utf-8'))"
        )
    return line + delimiter


__all__ = ["DEFAULT_DELIMITER", "DEFAULT_MAX_LENGTH", "LineParser", "LineTooLong", "encode_line"]
