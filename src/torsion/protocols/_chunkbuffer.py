# The receive buffer shared by the sans-IO string parsers (_netstring.py,
# _intprefix.py): bytes in, nothing else; it imports nothing from
# torsion.internet.
#
# How it works
# ------------
# The unparsed bytes are `_buffer[_start:]` followed by the chunks parked
# in `_more` (`_more_len` bytes in all).  A chunk that arrives when nothing
# is left over simply becomes the buffer (no copy); otherwise it is parked.
# `_need` is how many bytes, counted from `_start`, the parser must have
# before another attempt can get further; the parser sets it, and joins
# the parked chunks (_consolidate) only once they can satisfy it, so a
# large payload arriving in many small chunks is copied a bounded number
# of times, not once per chunk.
#
# The parsers subclass _ChunkBuffer and read these attributes directly in
# their parsing loops (no call per string); only feed, __len__ and the
# join live here.
from __future__ import annotations


class _ChunkBuffer:
    """
    Unparsed bytes as one buffer plus parked chunks, for a parser to
    subclass.
    """

    __slots__ = ("_buffer", "_more", "_more_len", "_need", "_start")

    def __init__(self, need: int) -> None:
        self._buffer = b""
        self._start = 0
        self._more: list[bytes] = []
        self._more_len = 0
        self._need = need

    def __len__(self) -> int:
        return len(self._buffer) - self._start + self._more_len

    def feed(self, data: bytes) -> None:
        """
        Add bytes from the peer.
        """
        if type(data) is not bytes:
            data = bytes(data)
        if self._start == len(self._buffer) and not self._more:
            self._buffer = data
            self._start = 0
        elif data:
            self._more.append(data)
            self._more_len += len(data)

    def _consolidate(self) -> bytes:
        """
        Join the parked chunks onto the unparsed bytes.

        @return: The new buffer, which starts at 0.
        """
        self._more.insert(0, self._buffer[self._start :])
        self._buffer = buffer = b"".join(self._more)
        self._start = 0
        self._more = []
        self._more_len = 0
        return buffer

    def _reset(self, data: bytes, need: int) -> None:
        """
        Make C{data} the whole of the unparsed bytes.
        """
        self._buffer = data
        self._start = 0
        self._more = []
        self._more_len = 0
        self._need = need
