# String protocols: NetstringReceiver and the length-prefixed
# IntNStringReceiver family, the glue between a transport and the sans-IO
# parsers in _netstring.py and _intprefix.py.
#
# How it works
# ------------
# dataReceived feeds the parser and calls stringReceived for each string,
# so that whatever stringReceived does (pause, close, replace `recvd`)
# applies to the very next string.  NetstringReceiver takes strings one at
# a time.  IntNStringReceiver, like LineReceiver, starts with the fast path:
# every complete string at once (`_pending`), checking after each call
# whether anything changed, and on a change puts the rest back (unread)
# and goes on one at a time; reading or setting `recvd` sees the pending
# strings too.  As in
# the line protocols, the parser is made on first use from the class's
# settings (MAX_LENGTH, structFormat), which may change at any time; a
# dataReceived call made from inside stringReceived only appends to the
# buffer; and nothing more is delivered once the transport is
# disconnecting.
#
# Peer mistakes close only their own connection, after logging what was
# wrong: a malformed netstring (NetstringParseError, from then on the
# protocol ignores the peer: `brokenPeer`), or a length prefix over
# MAX_LENGTH (lengthLimitExceeded, which subclasses may override).
from __future__ import annotations

from typing import Any

from torsion.internet._protocol import Protocol
from torsion.logger import Logger
from torsion.protocols._intprefix import (
    DEFAULT_MAX_LENGTH as _INT_MAX_LENGTH,
)
from torsion.protocols._intprefix import (
    IntPrefixParser,
    LengthLimitExceeded,
    StringTooLongError,
    encode_prefixed,
)
from torsion.protocols._linereceiver import _PauseableMixin, _peerOf, _unreadPending
from torsion.protocols._netstring import (
    DEFAULT_MAX_LENGTH as _NETSTRING_MAX_LENGTH,
)
from torsion.protocols._netstring import (
    NetstringParseError,
    NetstringParser,
    encode_netstring,
)


class NetstringReceiver(Protocol):
    """
    A protocol that receives and sends netstrings (C{b"3:abc,"}).

    A malformed netstring from the peer is logged, with what was wrong, and
    closes the connection.

    @cvar MAX_LENGTH: The longest string accepted, in bytes.
    @ivar brokenPeer: True once the peer sent a malformed netstring; from
        then on its bytes are ignored.
    """

    MAX_LENGTH: int = _NETSTRING_MAX_LENGTH
    brokenPeer: int = 0
    _parser: NetstringParser | None = None
    _busyReceiving: bool = False
    _log = Logger()

    def dataReceived(self, data: bytes) -> None:
        """
        Parse C{data} and call L{stringReceived} for each complete
        netstring.

        @param data: Bytes from the peer.
        """
        if self.brokenPeer:
            return
        parser = self._parser
        if parser is None:
            parser = self._parser = NetstringParser(self.MAX_LENGTH)
        parser.feed(data)
        if self._busyReceiving:
            return
        self._busyReceiving = True
        try:
            while True:
                if parser.max_length != self.MAX_LENGTH:
                    parser.configure(self.MAX_LENGTH)
                try:
                    string = parser.next_string()
                except NetstringParseError as e:
                    self._handleParseError(e)
                    return
                if string is None:
                    return
                self.stringReceived(string)
                transport: Any = self.transport
                if transport is not None and transport.disconnecting:
                    return
        finally:
            self._busyReceiving = False

    def _takeUnreadBytes(self) -> bytes:
        """
        Take every received byte not delivered yet (startTLS gives them to
        TLS).
        """
        parser = self._parser
        return b"" if parser is None else parser.take()

    def _handleParseError(self, error: NetstringParseError) -> None:
        """
        Log C{error}, close the connection and ignore the peer from now on.
        """
        self.brokenPeer = 1
        transport: Any = self.transport
        self._log.warn(
            "Closing the connection to {peer}: malformed netstring: {error}",
            peer=_peerOf(transport),
            error=error,
        )
        transport.loseConnection()

    def stringReceived(self, string: bytes) -> None:
        """
        Called with each netstring's payload; override it.

        @param string: The payload.
        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override stringReceived(string) to handle strings"
        )

    def sendString(self, string: bytes) -> None:
        """
        Send C{string} as a netstring.

        @param string: The payload.
        @raise TypeError: If C{string} is not bytes.
        """
        transport: Any = self.transport
        transport.write(encode_netstring(string))


class IntNStringReceiver(_PauseableMixin):
    """
    A protocol that receives and sends strings prefixed with their length
    as an integer; subclasses say which integer.

    An announced length over L{MAX_LENGTH} goes to L{lengthLimitExceeded},
    which by default logs it and closes the connection.

    @cvar structFormat: The C{struct} format of the prefix.
    @cvar prefixLength: The prefix's size, in bytes.
    @cvar MAX_LENGTH: The longest string accepted, in bytes.
    """

    structFormat: str
    prefixLength: int
    MAX_LENGTH: int = _INT_MAX_LENGTH
    _parser: IntPrefixParser | None = None
    _pending: list[bytes] | None = None
    _busyReceiving: bool = False
    _log = Logger()

    def _makeParser(self) -> IntPrefixParser:
        try:
            structFormat = self.structFormat
        except AttributeError:
            raise TypeError(
                f"{type(self).__name__} must set structFormat and prefixLength, or subclass "
                "Int8StringReceiver, Int16StringReceiver or Int32StringReceiver instead"
            ) from None
        parser = self._parser = IntPrefixParser(structFormat, self.MAX_LENGTH)
        if parser.prefix_length != self.prefixLength:
            raise ValueError(
                f"{type(self).__name__}.prefixLength is {self.prefixLength}, but its "
                f"structFormat {structFormat!r} describes {parser.prefix_length} bytes; "
                "make them agree"
            )
        return parser

    def dataReceived(self, data: bytes) -> None:
        """
        Parse C{data} and call L{stringReceived} for each complete string.

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
            if not self.paused and not self._deliverBatch(parser):
                return
            self._deliverEach(parser)
        finally:
            self._busyReceiving = False

    def _configure(self, parser: IntPrefixParser) -> None:
        if parser.max_length != self.MAX_LENGTH or parser.struct_format != self.structFormat:
            parser.configure(self.structFormat, self.MAX_LENGTH)

    def _deliverBatch(self, parser: IntPrefixParser) -> bool:
        """
        Deliver every complete string taken at once, while stringReceived
        changes nothing that affects the next string.

        @return: Whether to go on delivering (one string at a time).
        """
        self._configure(parser)
        try:
            strings = parser.read_strings()
        except LengthLimitExceeded as e:
            self.lengthLimitExceeded(e.length)
            return False
        if not strings:
            return True
        # Popped from the end, so that reading or setting recvd can see
        # (and take) the strings not delivered yet.
        strings.reverse()
        self._pending = strings
        maxLength = self.MAX_LENGTH
        structFormat = self.structFormat
        transport: Any = self.transport
        stringReceived = self.stringReceived
        pop = strings.pop
        try:
            while strings:
                stringReceived(pop())
                if (
                    self.paused
                    or maxLength != self.MAX_LENGTH
                    or structFormat != self.structFormat
                    or (transport is not None and transport.disconnecting)
                ):
                    break
        finally:
            self._pending = None
            if strings:
                _unreadPending(parser, strings)
        return not (transport is not None and transport.disconnecting)

    def _deliverEach(self, parser: IntPrefixParser) -> None:
        """
        Deliver strings one at a time until the buffer is empty or delivery
        must stop.
        """
        while not self.paused:
            self._configure(parser)
            try:
                string = parser.next_string()
            except LengthLimitExceeded as e:
                self.lengthLimitExceeded(e.length)
                return
            if string is None:
                return
            self.stringReceived(string)
            transport: Any = self.transport
            if transport is not None and transport.disconnecting:
                return

    def _takeUnreadBytes(self) -> bytes:
        """
        Take every received byte not delivered yet (startTLS gives them to
        TLS).
        """
        data = self.recvd
        self.recvd = b""
        return data

    @property
    def recvd(self) -> bytes:
        """
        The received bytes not parsed yet.  Setting it (from
        L{stringReceived}, say) replaces them: kept for code written
        against older Twisted versions.
        """
        parser = self._parser
        if parser is None:
            return b""
        _unreadPending(parser, self._pending)
        return parser.unparsed()

    @recvd.setter
    def recvd(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:
            parser = self._makeParser()
        if self._pending:
            self._pending.clear()
        parser.replace(data)

    def stringReceived(self, string: bytes) -> None:
        """
        Called with each string; override it.

        @param string: The string.
        @raise NotImplementedError: Unless overridden.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override stringReceived(string) to handle strings"
        )

    def lengthLimitExceeded(self, length: int) -> None:
        """
        Called when the peer announces a string longer than L{MAX_LENGTH};
        by default, log it and close the connection.

        @param length: The announced length.
        """
        transport: Any = self.transport
        self._log.warn(
            "Closing the connection to {peer}: {error}",
            peer=_peerOf(transport),
            error=LengthLimitExceeded(length, self.MAX_LENGTH),
        )
        transport.loseConnection()

    def sendString(self, string: bytes) -> None:
        """
        Send C{string}, prefixed with its length.

        @param string: The string.
        @raise TypeError: If C{string} is not bytes.
        @raise StringTooLongError: If C{string} is too long for the prefix.
        """
        transport: Any = self.transport
        transport.write(encode_prefixed(string, self.structFormat, self.prefixLength))


class Int32StringReceiver(IntNStringReceiver):
    """
    Strings prefixed with their length as a 32-bit unsigned integer in
    network byte order.
    """

    structFormat = "!I"
    prefixLength = 4


class Int16StringReceiver(IntNStringReceiver):
    """
    Strings prefixed with their length as a 16-bit unsigned integer in
    network byte order.
    """

    structFormat = "!H"
    prefixLength = 2


class Int8StringReceiver(IntNStringReceiver):
    """
    Strings prefixed with their length as an 8-bit unsigned integer.
    """

    structFormat = "!B"
    prefixLength = 1


class StatefulStringProtocol:
    """
    A mixin for string protocols that are state machines: each string goes
    to the method C{proto_<state>}, which returns the next state.

    Mix it in before the receiver, e.g.
    C{class Chat(StatefulStringProtocol, NetstringReceiver)}.  The state
    C{"done"} closes the connection.

    @ivar state: The current state; C{"init"} at first.
    """

    state: str = "init"
    transport: Any
    _log = Logger()

    def stringReceived(self, string: bytes) -> None:
        """
        Hand C{string} to the method for the current state and move to the
        state it returns.

        @param string: The string.
        """
        handler = getattr(self, "proto_" + self.state, None)
        if handler is None:
            self._log.error(
                "{protocol} has no proto_{state} method for its state {state!r}; "
                "the string is dropped",
                protocol=type(self).__name__,
                state=self.state,
            )
            return
        self.state = handler(string)
        if self.state == "done":
            self.transport.loseConnection()


__all__ = [
    "Int8StringReceiver",
    "Int16StringReceiver",
    "Int32StringReceiver",
    "IntNStringReceiver",
    "NetstringReceiver",
    "StatefulStringProtocol",
    "StringTooLongError",
]
