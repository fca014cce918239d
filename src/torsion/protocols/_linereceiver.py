# Line protocols: LineOnlyReceiver and LineReceiver, the glue between a
# transport and the sans-IO LineParser (_lineparser.py).
#
# How it works
# ------------
# dataReceived feeds the parser, then takes lines out and calls
# lineReceived for each.  The parser is made on first use (subclasses often
# define __init__ without calling ours) from the class's `delimiter` and
# `MAX_LENGTH`; those can be changed at any time, and the parser is told
# before the next line is parsed.
#
# LineOnlyReceiver takes every complete line at once (read_lines, a C-level
# split), which is the fast path.  LineReceiver must honour whatever
# lineReceived does to the lines after it: setRawMode() hands the rest of
# the buffer to rawDataReceived, pauseProducing() holds the buffered lines
# until resumeProducing(), clearLineBuffer() takes the rest away,
# loseConnection() drops it, a new delimiter or MAX_LENGTH reframes it.  It
# still starts each dataReceived with the fast path (_deliverBatch): all
# complete lines at once, kept in `_pending`, checking after each
# lineReceived whether anything changed.  If something did, the lines not
# delivered go back into the parser (unread: one join) and the rest of that
# dataReceived call goes one line at a time (_deliverEach, next_line), so a
# protocol that switches modes on every line costs one extra join per
# dataReceived, not one per line.
#
# Re-entrancy: a dataReceived call made from inside lineReceived (or
# rawDataReceived, or by setLineMode(extra)) only appends to the buffer;
# the outer call's loop delivers those bytes in order, after what was
# already buffered.
#
# A line longer than MAX_LENGTH makes the parser discard the buffer and
# hand it over; lineLengthExceeded gets it, and by default logs what was
# wrong and closes this connection (only this one).
#
# What the two receivers share off the per-line path (settings, making the
# parser, sendLine, lineLengthExceeded, taking the unread bytes) lives in
# _LineProtocol; their delivery loops stay separate and inline, each
# checking only what can change its next line.  _unreadPending, which puts
# batch-taken messages back into a parser, also serves the string
# receivers (_stringreceivers.py).
from __future__ import annotations

from typing import Any
from typing import Protocol as _TypingProtocol

from torsion.internet._protocol import Protocol
from torsion.logger import Logger
from torsion.protocols._lineparser import (
    DEFAULT_DELIMITER,
    DEFAULT_MAX_LENGTH,
    LineParser,
    LineTooLong,
    encode_line,
)


def _peerOf(transport: Any) -> str:
    """
    Describe the peer of C{transport} for a log message.
    """
    try:
        return str(transport.getPeer())
    except Exception:
        return "the peer"


def _describeLongLine(data: bytes, delimiter: bytes, maxLength: int) -> str:
    """
    Say what was too long about the line at the start of C{data}.
    """
    end = data.find(delimiter)
    if end >= 0:
        return f"a line of {end} bytes is over MAX_LENGTH ({maxLength})"
    return (
        f"{len(data)} bytes arrived without a {delimiter!r} delimiter, "
        f"over MAX_LENGTH ({maxLength})"
    )


class _Unreading(_TypingProtocol):
    """
    A parser that can take back messages it handed out in a batch.
    """

    def unread(self, items: list[bytes], /) -> None: ...


def _unreadPending(parser: _Unreading, pending: list[bytes] | None) -> None:
    """
    Give the messages taken out of C{parser} but not delivered yet back to
    it, first in line.

    @param pending: The messages in reverse order (the next one last, as
        the delivery loops pop them); emptied.
    """
    if pending:
        pending.reverse()
        parser.unread(pending)
        pending.clear()


class _PauseableMixin(Protocol):
    """
    A protocol that can stop the delivery of parsed messages, and its
    transport's reading, until it is resumed.

    @ivar paused: Whether delivery is stopped.
    """

    paused: bool = False

    def pauseProducing(self) -> None:
        """
        Stop delivering messages, buffered ones included, and stop reading.
        """
        self.paused = True
        transport: Any = self.transport
        transport.pauseProducing()

    def resumeProducing(self) -> None:
        """
        Deliver the buffered messages, then read again.
        """
        self.paused = False
        transport: Any = self.transport
        transport.resumeProducing()
        self.dataReceived(b"")

    def stopProducing(self) -> None:
        """
        Stop delivering messages for good, and stop the transport.
        """
        self.paused = True
        transport: Any = self.transport
        transport.stopProducing()


class _LineProtocol(Protocol):
    """
    What L{LineOnlyReceiver} and L{LineReceiver} share: their settings, the
    parser made from them, and sending.

    @cvar delimiter: The bytes that end a line.
    @cvar MAX_LENGTH: The longest line accepted, in bytes, not counting the
        delimiter; longer ones go to L{lineLengthExceeded}.
    """

    delimiter: bytes = DEFAULT_DELIMITER
    MAX_LENGTH: int = DEFAULT_MAX_LENGTH
    _parser: LineParser | None = None
    _pending: list[bytes] | None = None
    _busyReceiving: bool = False
    _log = Logger()

    def _makeParser(self) -> LineParser:
        parser = self._parser = LineParser(self.delimiter, self.MAX_LENGTH)
        return parser

    def _takeUnreadBytes(self) -> bytes:
        """
        Take every received byte not delivered yet, undelivered lines
        included (startTLS gives them to TLS).
        """
        parser = self._parser
        if parser is None:
            return b""
        _unreadPending(parser, self._pending)
        return parser.take()

    def sendLine(self, line: bytes) -> None:
        """
        Send C{line} followed by the delimiter.

        @param line: The line, without a delimiter.
        @raise TypeError: If C{line} is not bytes.
        """
        transport: Any = self.transport
        transport.write(encode_line(line, self.delimiter))

    def lineLengthExceeded(self, line: bytes) -> None:
        """
        Called when a line is longer than L{MAX_LENGTH}; by default, log what
        was wrong and close the connection.

        @param line: The buffered bytes, starting with the long line (which
            may be incomplete), possibly followed by more lines; they have
            been discarded.
        """
        self._log.warn(
            "Closing the connection to {peer}: {problem}",
            peer=_peerOf(self.transport),
            problem=_describeLongLine(line, self.delimiter, self.MAX_LENGTH),
        )
        transport: Any = self.transport
        transport.loseConnection()


class LineOnlyReceiver(_LineProtocol):
    """
    A protocol that receives lines only: simpler and faster than
    L{LineReceiver}, with no raw mode and no pausing.

    @cvar delimiter: The bytes that end a line.
    @cvar MAX_LENGTH: The longest line accepted, in bytes, not counting the
        delimiter; longer ones go to L{lineLengthExceeded}.
    """

    def dataReceived(self, data: bytes) -> None:
        """
        Parse C{data} and call L{lineReceived} for each complete line.

        Lines left in the buffer after the transport starts disconnecting
        are dropped.

        @param data: Bytes from the peer.
        """
        parser = self._parser
        if parser is None:
            parser = self._makeParser()
        elif self.delimiter is not parser.delimiter or parser.max_length != self.MAX_LENGTH:
            parser.configure(self.delimiter, self.MAX_LENGTH)
        parser.feed(data)
        if self._busyReceiving:
            return
        self._busyReceiving = True
        try:
            while True:
                try:
                    lines = parser.read_lines()
                except LineTooLong as e:
                    self.lineLengthExceeded(e.data)
                    return
                if not lines:
                    return
                # Popped from the end, so that _takeUnreadBytes can take
                # the lines not delivered yet.
                lines.reverse()
                self._pending = lines
                transport: Any = self.transport
                lineReceived = self.lineReceived
                pop = lines.pop
                while lines:
                    if transport is not None and transport.disconnecting:
                        return
                    lineReceived(pop())
        finally:
            self._pending = None
            self._busyReceiving = False

    def lineReceived(self, line: bytes) -> None:
        """
        Called with each line; override it.

        @param line: The line, without its delimiter.
        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override lineReceived(line) to handle lines"
        )


class LineReceiver(_PauseableMixin, _LineProtocol):
    """
    A protocol that receives lines, and can switch to raw data and back.

    In line mode, each line goes to L{lineReceived}; after L{setRawMode},
    bytes go to L{rawDataReceived} as they come, until L{setLineMode}.  A
    switch made inside a callback applies to the rest of the buffer.

    @cvar delimiter: The bytes that end a line.
    @cvar MAX_LENGTH: The longest line accepted, in bytes, not counting the
        delimiter; longer ones go to L{lineLengthExceeded}.
    @ivar line_mode: True in line mode, false in raw mode.
    """

    line_mode: int = 1

    def dataReceived(self, data: bytes) -> None:
        """
        Parse C{data}, calling L{lineReceived} for each line in line mode
        and L{rawDataReceived} in raw mode.

        Nothing more is delivered while L{paused}, or once the transport is
        disconnecting.

        @param data: Bytes from the peer.
        """
        parser = self._parser
        if parser is None:
            parser = self._makeParser()
        parser.feed(data)
        if self._busyReceiving:
            return
        self._busyReceiving = True
        try:
            if self.line_mode and not self.paused and not self._deliverBatch(parser):
                return
            self._deliverEach(parser)
        finally:
            self._busyReceiving = False

    def _deliverBatch(self, parser: LineParser) -> bool:
        """
        Deliver every complete line taken at once, while lineReceived
        changes nothing that affects the next line.

        @return: Whether to go on delivering (one line at a time).
        """
        delimiter = self.delimiter
        maxLength = self.MAX_LENGTH
        if delimiter is not parser.delimiter or maxLength != parser.max_length:
            parser.configure(delimiter, maxLength)
        try:
            lines = parser.read_lines()
        except LineTooLong as e:
            self.lineLengthExceeded(e.data)
            return False
        if not lines:
            return True
        # Popped from the end, so that clearLineBuffer() can see (and take)
        # the lines not delivered yet.
        lines.reverse()
        self._pending = lines
        transport: Any = self.transport
        lineReceived = self.lineReceived
        pop = lines.pop
        try:
            while lines:
                lineReceived(pop())
                if (
                    self.paused
                    or not self.line_mode
                    or self.delimiter is not delimiter
                    or maxLength != self.MAX_LENGTH
                    or (transport is not None and transport.disconnecting)
                ):
                    break
        finally:
            # Whatever stopped the loop (even an exception), the lines not
            # delivered stay first in line.
            self._pending = None
            if lines:
                _unreadPending(parser, lines)
        return not (transport is not None and transport.disconnecting)

    def _deliverEach(self, parser: LineParser) -> None:
        """
        Deliver lines one at a time, or raw data, until the buffer is empty
        or delivery must stop.
        """
        while not self.paused:
            if self.line_mode:
                delimiter = self.delimiter
                if delimiter is not parser.delimiter or parser.max_length != self.MAX_LENGTH:
                    parser.configure(delimiter, self.MAX_LENGTH)
                try:
                    line = parser.next_line()
                except LineTooLong as e:
                    self.lineLengthExceeded(e.data)
                    return
                if line is None:
                    return
                self.lineReceived(line)
                transport: Any = self.transport
                if transport is not None and transport.disconnecting:
                    return
            else:
                raw = parser.take()
                if not raw:
                    return
                self.rawDataReceived(raw)

    def setLineMode(self, extra: bytes = b"") -> None:
        """
        Go (back) to line mode, parsing C{extra} first.

        Called from L{rawDataReceived}, C{extra} is typically the part of
        the raw data that belongs to the lines after it.

        @param extra: Bytes to parse in line mode (appended to whatever is
            still buffered).
        """
        self.line_mode = 1
        if extra:
            self.dataReceived(extra)

    def setRawMode(self) -> None:
        """
        Go to raw mode: L{rawDataReceived} gets the bytes from now on,
        starting with the rest of the buffer.
        """
        self.line_mode = 0

    def clearLineBuffer(self) -> bytes:
        """
        Take the buffered bytes not parsed yet away.

        Called from L{lineReceived}, that is everything after the current
        line.

        @return: The bytes.
        """
        # Lines taken out of the parser but not delivered yet come first.
        return _LineProtocol._takeUnreadBytes(self)

    def lineReceived(self, line: bytes) -> None:
        """
        Called with each line in line mode; override it.

        @param line: The line, without its delimiter.
        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override lineReceived(line) to handle lines"
        )

    def rawDataReceived(self, data: bytes) -> None:
        """
        Called with bytes in raw mode; override it if you use L{setRawMode}.

        @param data: The bytes, split anywhere.
        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(
            f"{type(self).__name__} called setRawMode() but does not override "
            "rawDataReceived(data) to handle raw data"
        )


__all__ = ["LineOnlyReceiver", "LineReceiver"]
