# The base classes of stream protocols.
#
# BaseProtocol holds the one piece of state every protocol shares, the
# transport, and the makeConnection -> connectionMade step; Protocol adds the
# IProtocol callbacks as no-ops for subclasses to override, and the factory
# that built it.  connectionDone is the single Failure that transports hand to
# connectionLost on a clean close: sharing one (with its traceback dropped)
# saves building a Failure per connection, and lets code compare against it.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet._errors import ConnectionDone
from torsion.internet._ireactor import ILoggingContext
from torsion.internet._itransport import IProtocol, ITransport
from torsion.python.failure import Failure

connectionDone: Failure = Failure(ConnectionDone())
connectionDone.cleanFailure()


class BaseProtocol:
    """
    The common base of stream and process protocols: remembers the transport
    once connected.

    @ivar connected: Whether C{makeConnection} has been called.
    @ivar transport: The transport, once connected; L{None} before.  Typed
        C{Any} so that Twisted code calling any transport method (write,
        pauseProducing, getHandle, ...) type-checks unchanged; a subclass may
        narrow it, e.g. C{transport: ITCPTransport}.
    """

    connected: bool = False
    transport: Any = None

    def makeConnection(self, transport: ITransport) -> None:
        """
        Attach to C{transport}, then call L{connectionMade}.

        Transports call this; protocols override L{connectionMade} instead.

        @param transport: The transport to write to.
        """
        self.connected = True
        self.transport = transport
        self.connectionMade()

    def connectionMade(self) -> None:
        """
        Called once the connection is up and C{self.transport} is set.

        Override it to send a greeting, start a timer, and so on.
        """


@implementer(IProtocol, ILoggingContext)
class Protocol(BaseProtocol):
    """
    The base class of stream protocols: override L{dataReceived} and, as
    needed, L{connectionMade} and L{connectionLost}.

    Calls come in this order: C{makeConnection}, C{connectionMade},
    C{dataReceived} any number of times, C{connectionLost} once.

    @ivar factory: The factory that built this protocol, set by
        L{Factory.buildProtocol}; L{None} if built otherwise.  Typed C{Any},
        as in Twisted, so that a protocol can reach its own factory's
        attributes without a cast.
    """

    factory: Any = None

    def logPrefix(self) -> str:
        """
        Name this protocol in log messages.

        @return: The protocol's class name.
        """
        return self.__class__.__name__

    def dataReceived(self, data: bytes) -> None:
        """
        Called with bytes from the peer, split anywhere.

        A message may span several calls, and a call may hold several
        messages: buffer and parse across calls.

        @param data: The bytes.
        """

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Called once, last, when the connection has closed.

        @param reason: Why: C{ConnectionDone} for a clean close, else
            C{ConnectionLost} or a subclass.
        """


__all__ = ["BaseProtocol", "Protocol", "connectionDone"]
