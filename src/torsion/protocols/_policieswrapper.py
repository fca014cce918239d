# Protocol wrappers: a protocol that sits between a transport and the
# application's protocol, seeing every event on the way through.
#
# How it works
# ------------
# A WrappingFactory holds the application's factory.  For each connection it
# asks that factory for the application protocol and wraps it in a
# ProtocolWrapper (or the subclass named by its `protocol` attribute).  The
# transport only ever talks to the wrapper; the wrapper is the application
# protocol's transport.  So:
#
#   transport --dataReceived/connectionLost--> wrapper --> application protocol
#   application protocol --write/loseConnection/...--> wrapper --> transport
#
# Subclasses override the methods on that path to count, throttle, time or
# log what goes through (see the other _policies*.py modules).
#
# To the application the wrapper must look like its real transport: on
# makeConnection the wrapper declares the interfaces the transport provides
# (ITCPTransport, IPushProducer, ...), and any attribute it does not define
# itself (abortConnection, pauseProducing, getTcpNoDelay, ...) is looked up
# on the transport by __getattr__.  To the transport it must look like the
# application protocol: when that protocol is half-closeable, receives file
# descriptors or wants to hear about TLS handshakes, the wrapper declares the
# same interface and forwards those calls too (Twisted's wrapper does not,
# so wrapped half-closeable protocols lose their half-close there).
#
# The wrapper registers itself with its factory when connected and
# unregisters when the connection is lost; `WrappingFactory.protocols` is
# therefore the set of live connections, which the limiting and throttling
# factories act on.  Unlike Twisted's, the wrapper keeps its
# `wrappedProtocol` after the connection is lost (the reference cycle it
# makes is an ordinary one for the garbage collector), and a wrapped factory
# that refuses a connection (returns None) refuses it through the wrapper too.
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from typing import Protocol as _TypingProtocol

from zope.interface import directlyProvides, implementer, providedBy
from zope.interface.interface import InterfaceClass

from torsion.internet._factory import ClientFactory, Factory
from torsion.internet._ireactor import ILoggingContext
from torsion.internet._isendfile import ISendFileTransport
from torsion.internet._itransport import (
    IAddress,
    IConnector,
    IConsumer,
    IFileDescriptorReceiver,
    IHalfCloseableProtocol,
    IHandshakeListener,
    IProducer,
    IProtocol,
    ITransport,
)
from torsion.internet._protocol import Protocol, connectionDone
from torsion.python.failure import Failure

if TYPE_CHECKING:
    from collections.abc import Callable

# The protocol-side interfaces a wrapper takes on from the protocol it wraps.
_FORWARDED: tuple[InterfaceClass, ...] = (
    IHalfCloseableProtocol,
    IFileDescriptorReceiver,
    IHandshakeListener,
)


class _ProtocolRegistry(_TypingProtocol):
    """
    What a L{ProtocolWrapper} needs of its factory.
    """

    def registerProtocol(self, p: Any) -> None: ...

    def unregisterProtocol(self, p: Any) -> None: ...


@implementer(IProtocol, ITransport, IConsumer, ILoggingContext)
class ProtocolWrapper(Protocol):
    """
    Stands between a transport and a protocol, passing every call through.

    Subclass it and override C{dataReceived}, C{write} and so on to watch or
    change the traffic; L{WrappingFactory} builds one per connection.  The
    wrapped protocol's transport is the wrapper, which provides the same
    interfaces as the real transport and passes on any other attribute
    lookup to it.

    @ivar wrappedProtocol: The application protocol.
    @ivar factory: The factory that made the wrapper; it is told when the
        connection starts (C{registerProtocol}) and ends
        (C{unregisterProtocol}).
    @ivar disconnecting: Whether L{loseConnection} has been called.
    """

    disconnecting = 0

    def __init__(self, factory: _ProtocolRegistry, wrappedProtocol: IProtocol) -> None:
        """
        @param factory: The factory that made this wrapper.
        @param wrappedProtocol: The protocol to wrap.
        """
        self.factory = factory
        self.wrappedProtocol = wrappedProtocol

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes the wrapper lacks: the transport has them
        # (but not sendFile, whose bytes would bypass the wrapper's write).
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "sendFile":
            raise AttributeError(
                f"{type(self).__name__} has no sendFile(): the file's bytes would bypass "
                "it (for TLS, go out unencrypted); write() the file's contents instead"
            )
        return getattr(self.transport, name)

    def logPrefix(self) -> str:
        """
        Name the connection in log messages: the wrapped protocol's prefix,
        then this wrapper's class in parentheses.

        @return: For example C{"Echo (ProtocolWrapper)"}.
        """
        wrapped = self.wrappedProtocol
        if ILoggingContext.providedBy(wrapped):
            inner = wrapped.logPrefix()
        else:
            inner = type(wrapped).__name__
        return f"{inner} ({type(self).__name__})"

    def makeConnection(self, transport: ITransport) -> None:
        """
        Take on the transport's interfaces, register with the factory, then
        connect the wrapped protocol to this wrapper.

        @param transport: The real transport.
        """
        provided = providedBy(self.wrappedProtocol)
        extra = [i for i in _FORWARDED if provided.isOrExtends(i)]
        own = [i for i in providedBy(transport).interfaces() if i is not ISendFileTransport]
        directlyProvides(self, *own, *extra)
        super().makeConnection(transport)
        self.factory.registerProtocol(self)
        self.wrappedProtocol.makeConnection(self)

    # -- the transport side, called by the wrapped protocol ------------------

    def write(self, data: bytes) -> None:
        """
        Write C{data} to the transport.

        @param data: The bytes.
        """
        self.transport.write(data)

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Write each of C{data} to the transport.

        @param data: The byte strings.
        """
        self.transport.writeSequence(data)

    def loseConnection(self) -> None:
        """
        Close the transport once what was written has been sent.
        """
        self.disconnecting = 1
        self.transport.loseConnection()

    def getPeer(self) -> IAddress:
        """
        @return: The transport's peer address.
        """
        peer: IAddress = self.transport.getPeer()
        return peer

    def getHost(self) -> IAddress:
        """
        @return: The transport's own address.
        """
        host: IAddress = self.transport.getHost()
        return host

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Register C{producer} with the transport.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        """
        self.transport.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """
        Unregister the transport's producer.
        """
        self.transport.unregisterProducer()

    def stopConsuming(self) -> None:
        """
        Unregister the transport's producer and close the connection.
        """
        self.transport.unregisterProducer()
        self.transport.loseConnection()

    # -- the protocol side, called by the transport --------------------------

    def dataReceived(self, data: bytes) -> None:
        """
        Pass received bytes to the wrapped protocol.

        @param data: The bytes.
        """
        self.wrappedProtocol.dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Unregister from the factory, then tell the wrapped protocol.

        @param reason: Why the connection ended.
        """
        self.factory.unregisterProtocol(self)
        self.wrappedProtocol.connectionLost(reason)

    def readConnectionLost(self) -> None:
        """
        The peer half-closed: tell the wrapped (half-closeable) protocol.
        """
        self.wrappedProtocol.readConnectionLost()  # type: ignore[attr-defined]

    def writeConnectionLost(self) -> None:
        """
        The write side closed: tell the wrapped (half-closeable) protocol.
        """
        self.wrappedProtocol.writeConnectionLost()  # type: ignore[attr-defined]

    def fileDescriptorReceived(self, descriptor: int) -> None:
        """
        Pass a received file descriptor to the wrapped protocol.

        @param descriptor: The descriptor, which the wrapped protocol owns.
        """
        self.wrappedProtocol.fileDescriptorReceived(descriptor)  # type: ignore[attr-defined]

    def handshakeCompleted(self) -> None:
        """
        The TLS handshake finished: tell the wrapped protocol.
        """
        self.wrappedProtocol.handshakeCompleted()  # type: ignore[attr-defined]


class WrappingFactory(ClientFactory[ProtocolWrapper]):
    """
    Wraps each protocol another factory builds in a L{ProtocolWrapper}.

    Set C{protocol} on a subclass to use a L{ProtocolWrapper} subclass.
    Starting and stopping, and the client callbacks, are passed on to the
    wrapped factory.

    @ivar wrappedFactory: The factory that builds the application protocols.
    @ivar protocols: The live wrappers (as keys), registered when connected
        and removed when their connection is lost.
    """

    protocol: Callable[..., ProtocolWrapper] = ProtocolWrapper

    def __init__(self, wrappedFactory: Factory[Any]) -> None:
        """
        @param wrappedFactory: The factory to wrap.
        """
        self.wrappedFactory = wrappedFactory
        self.protocols: dict[ProtocolWrapper, int] = {}

    def logPrefix(self) -> str:
        """
        @return: The wrapped factory's prefix, then this class in parentheses.
        """
        wrapped = self.wrappedFactory
        if ILoggingContext.providedBy(wrapped):
            inner = wrapped.logPrefix()
        else:
            inner = type(wrapped).__name__
        return f"{inner} ({type(self).__name__})"

    def doStart(self) -> None:
        """
        Start the wrapped factory, then this one.
        """
        self.wrappedFactory.doStart()
        super().doStart()

    def doStop(self) -> None:
        """
        Stop the wrapped factory, then this one.
        """
        self.wrappedFactory.doStop()
        super().doStop()

    def startedConnecting(self, connector: IConnector) -> None:
        """
        Tell the wrapped (client) factory that a connection attempt started.

        @param connector: The connector.
        """
        self.wrappedFactory.startedConnecting(connector)  # type: ignore[attr-defined]

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        Tell the wrapped (client) factory that a connection attempt failed.

        @param connector: The connector.
        @param reason: Why.
        """
        self.wrappedFactory.clientConnectionFailed(connector, reason)  # type: ignore[attr-defined]

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        Tell the wrapped (client) factory that a connection ended.

        @param connector: The connector.
        @param reason: Why.
        """
        self.wrappedFactory.clientConnectionLost(connector, reason)  # type: ignore[attr-defined]

    def buildProtocol(self, addr: IAddress | None) -> ProtocolWrapper | None:
        """
        Ask the wrapped factory for a protocol and wrap it.

        @param addr: The peer's address.
        @return: The wrapper, or L{None} if the wrapped factory refused the
            connection.
        """
        wrapped = self.wrappedFactory.buildProtocol(addr)
        if wrapped is None:
            return None
        return self.protocol(self, wrapped)

    def registerProtocol(self, p: ProtocolWrapper) -> None:
        """
        Record a newly connected wrapper in L{protocols}.

        @param p: The wrapper.
        """
        self.protocols[p] = 1

    def unregisterProtocol(self, p: ProtocolWrapper) -> None:
        """
        Forget a wrapper whose connection was lost.

        @param p: The wrapper.
        """
        self.protocols.pop(p, None)


__all__ = ["ProtocolWrapper", "WrappingFactory"]
