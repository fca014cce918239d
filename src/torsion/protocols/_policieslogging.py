# Recording traffic: to one file per connection, or to the log.
#
# How it works
# ------------
# TrafficLoggingFactory numbers its connections 1, 2, ... and opens
# "<prefix>-<n>" for each (through its `open` method, which tests and
# subclasses may replace).  The TrafficLoggingProtocol wrapper writes one
# line per event, Twisted's format:
#
#   *                       connected
#   C <n>: b'...'           bytes from the peer (the client, for a server)
#   S <n>: b'...'           bytes written with write()
#   SV <n>: [b'...', ...]   bytes written with writeSequence()
#   S <n>: *                loseConnection() called
#   C <n>: <Failure ...>    connection lost, and why
#
# Each line is flushed at once, so the file can be followed while the
# connection runs.  With a lengthLimit, longer data is cut to that many
# characters of its repr, ending in "<... elided>".  A file the factory
# opened itself is closed when the connection ends; one returned by an
# overridden `open` belongs to whoever overrode it (it may be shared).
#
# SpewingProtocol logs every chunk read and written to torsion.logger at
# debug level, for a quick look at a conversation.
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any

from torsion.internet._factory import Factory
from torsion.internet._itransport import IAddress, IProtocol
from torsion.internet._protocol import connectionDone
from torsion.logger import Logger
from torsion.protocols._policieswrapper import ProtocolWrapper, WrappingFactory
from torsion.python.failure import Failure

_ELIDED = "<... elided>"


class TrafficLoggingProtocol(ProtocolWrapper):
    """
    A L{ProtocolWrapper} that writes each event of its connection to a file.

    @ivar logfile: Where the lines go.
    @ivar lengthLimit: The longest a data item is written, or L{None}.
    """

    def __init__(
        self,
        factory: WrappingFactory,
        wrappedProtocol: IProtocol,
        logfile: IO[str],
        lengthLimit: int | None = None,
        number: int = 0,
    ) -> None:
        """
        @param factory: The factory that made this wrapper.
        @param wrappedProtocol: The protocol to wrap.
        @param logfile: A text file to write the lines to.
        @param lengthLimit: Cut longer data items to this many characters.
        @param number: The connection's number, written on each line.
        """
        super().__init__(factory, wrappedProtocol)
        self.logfile = logfile
        self.lengthLimit = lengthLimit
        self._number = number
        self._closeLogfile = False

    def _log(self, line: str) -> None:
        self.logfile.write(line + "\n")
        self.logfile.flush()

    def _mungeData(self, data: object) -> str:
        text = repr(data)
        limit = self.lengthLimit
        if limit is not None and len(text) > limit:
            text = text[: max(limit - len(_ELIDED), 0)] + _ELIDED
        return text

    def connectionMade(self) -> None:
        """
        Log C{*}: the connection is up (the wrapped protocol is connected
        next).
        """
        self._log("*")
        super().connectionMade()

    def dataReceived(self, data: bytes) -> None:
        """
        Log the bytes received (C{C}), then pass them on.

        @param data: The bytes.
        """
        self._log(f"C {self._number}: {self._mungeData(data)}")
        super().dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Log why the connection ended, then pass it on.

        @param reason: Why.
        """
        self._log(f"C {self._number}: {reason!r}")
        try:
            super().connectionLost(reason)
        finally:
            if self._closeLogfile:
                self.logfile.close()

    def write(self, data: bytes) -> None:
        """
        Log the bytes written (C{S}), then write them.

        @param data: The bytes.
        """
        self._log(f"S {self._number}: {self._mungeData(data)}")
        super().write(data)

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Log the byte strings written (C{SV}), then write them.

        @param data: The byte strings.
        """
        self._log(f"SV {self._number}: {self._mungeData(list(data))}")
        super().writeSequence(data)

    def loseConnection(self) -> None:
        """
        Log C{S <n>: *}, then close.
        """
        self._log(f"S {self._number}: *")
        super().loseConnection()


class TrafficLoggingFactory(WrappingFactory):
    """
    Writes the traffic of each connection to its own file,
    C{<logfilePrefix>-<n>}.

    @ivar logfilePrefix: The start of each file's path.
    @ivar lengthLimit: The longest a data item is written, or L{None}.
    """

    protocol: Callable[..., TrafficLoggingProtocol] = TrafficLoggingProtocol
    _counter = 0

    def __init__(
        self,
        wrappedFactory: Factory[Any],
        logfilePrefix: str,
        lengthLimit: int | None = None,
    ) -> None:
        """
        @param wrappedFactory: The factory to wrap.
        @param logfilePrefix: The start of each log file's path.
        @param lengthLimit: Cut longer data items to this many characters.
        """
        super().__init__(wrappedFactory)
        self.logfilePrefix = logfilePrefix
        self.lengthLimit = lengthLimit

    def open(self, name: str) -> IO[str]:
        """
        Open the log file for a connection.

        Override to write elsewhere.

        @param name: The file's path.
        @return: A text file open for writing.
        """
        return open(name, "w", encoding="utf-8")  # closed by the protocol

    def buildProtocol(self, addr: IAddress | None) -> TrafficLoggingProtocol | None:
        """
        Wrap a connection, opening its numbered log file.

        @param addr: The peer's address.
        @return: The wrapper, or L{None} if the wrapped factory refused.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        self._counter += 1
        logfile = self.open(f"{self.logfilePrefix}-{self._counter}")
        p = self.protocol(self, wrapped, logfile, self.lengthLimit, self._counter)
        p._closeLogfile = "open" not in vars(self) and type(self).open is TrafficLoggingFactory.open
        return p

    def resetCounter(self) -> None:
        """
        Number the next connection 1 again.
        """
        self._counter = 0


class SpewingProtocol(ProtocolWrapper):
    """
    A L{ProtocolWrapper} that logs every chunk read and written, at debug
    level.
    """

    _spewLog = Logger(namespace="torsion.protocols.policies.spew")

    def dataReceived(self, data: bytes) -> None:
        """
        Log and pass on received bytes.

        @param data: The bytes.
        """
        self._spewLog.debug("Received: {data!r}", data=data)
        super().dataReceived(data)

    def write(self, data: bytes) -> None:
        """
        Log and write bytes.

        @param data: The bytes.
        """
        self._spewLog.debug("Sending: {data!r}", data=data)
        super().write(data)


class SpewingFactory(WrappingFactory):
    """
    Wraps each connection in a L{SpewingProtocol}.
    """

    protocol: Callable[..., SpewingProtocol] = SpewingProtocol


__all__ = [
    "SpewingFactory",
    "SpewingProtocol",
    "TrafficLoggingFactory",
    "TrafficLoggingProtocol",
]
