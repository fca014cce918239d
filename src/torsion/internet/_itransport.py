# The network side of the contract: addresses, protocols and their
# factories, producers and consumers, transports, listening ports and
# connectors, the reactor facets that create them (TCP, UNIX, UDP, multicast,
# SSL, adopted sockets, processes) are in _ireactornet.py.
#
# These are zope interfaces: methods leave out `self` and carry full
# annotations, which mypy-zope checks every @implementer class against.
# Each docstring says in which order the methods are called and who owns
# what; the reactor's own interfaces (time, core, fd sets, threads) are in
# _ireactor.py, and torsion.internet.interfaces re-exports both.  Types from
# modules that themselves import this one are imported for type checking
# only, so importing the interfaces never imports the implementations.
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from zope.interface import Attribute, Interface

if TYPE_CHECKING:
    from torsion.internet._deferred import Deferred
    from torsion.python.failure import Failure


class IAddress(Interface):
    """
    The address of one end of a connection or of a listening port.

    Addresses are values: immutable, hashable and equal when their fields are
    equal.  See L{torsion.internet.address} for the concrete kinds.
    """


class IProtocol(Interface):
    """
    The application side of a stream connection: it receives the bytes that
    its transport reads.

    Calls, in order::

        makeConnection -> connectionMade -> dataReceived* -> connectionLost

    The transport (or the factory code that built the protocol) calls
    C{makeConnection} exactly once; C{connectionLost} is called exactly once,
    last, and nothing is called after it.  The transport owns the connection;
    the protocol only asks it to write or close.
    """

    def dataReceived(data: bytes) -> None:
        """
        Some bytes arrived from the peer.

        The stream may be split anywhere: one message may arrive in several
        calls, and one call may hold several messages.  A protocol must parse
        across calls and never rely on the chunking.

        @param data: The bytes, at least one.
        """

    def connectionLost(reason: Failure) -> None:
        """
        The connection is closed: the last call the protocol receives.

        @param reason: Why, as a Failure: C{ConnectionDone} for a clean
            close, C{ConnectionLost} (or a subclass) otherwise.
        """

    def makeConnection(transport: ITransport) -> None:
        """
        Attach the protocol to its transport, then call C{connectionMade}.

        @param transport: The transport the protocol writes to.
        """

    def connectionMade() -> None:
        """
        The connection is up and C{self.transport} is set: the place to send
        a greeting or start timers.
        """


class IProtocolFactory(Interface):
    """
    Builds one protocol per connection, for a listening port or a connector.

    Calls: C{doStart} when a port or connector starts using the factory,
    C{buildProtocol} once per connection, C{doStop} when that port or
    connector is done with it.  The same factory may serve several ports: the
    starts and stops then nest.
    """

    def buildProtocol(addr: IAddress) -> IProtocol | None:
        """
        Make the protocol for a new connection.

        The caller then calls the protocol's C{makeConnection}.

        @param addr: The address of the peer.
        @return: The protocol, or L{None} to refuse the connection (it is
            then closed at once).
        """

    def doStart() -> None:
        """
        A port or connector starts using this factory.
        """

    def doStop() -> None:
        """
        A port or connector stops using this factory.
        """


class IProducer(Interface):
    """
    A source of data that writes into an L{IConsumer} it was registered with.
    """

    def stopProducing() -> None:
        """
        Stop for good: the consumer will take no more data (for example its
        connection is gone).  No further C{write} calls should be made.
        """


class IPushProducer(IProducer):
    """
    A producer that writes whenever it has data until the consumer pauses it.

    Calls::

        (pauseProducing -> resumeProducing)* -> stopProducing?
    """

    def pauseProducing() -> None:
        """
        Stop writing until C{resumeProducing} is called: the consumer's
        buffer is full.
        """

    def resumeProducing() -> None:
        """
        Start writing again after C{pauseProducing}.
        """


class IPullProducer(IProducer):
    """
    A producer that writes only when asked, one chunk per C{resumeProducing}.
    """

    def resumeProducing() -> None:
        """
        Write one chunk to the consumer now (the consumer asks again when it
        wants more).
        """


class IConsumer(Interface):
    """
    A sink of bytes that can apply backpressure to one registered producer.

    Calls::

        registerProducer -> write* -> unregisterProducer

    While a push producer is registered the consumer may call its
    C{pauseProducing} and C{resumeProducing}; a pull producer gets a
    C{resumeProducing} each time the consumer wants more data.
    """

    def registerProducer(producer: IProducer, streaming: bool) -> None:
        """
        Register the producer that feeds this consumer.

        @param producer: The producer.
        @param streaming: C{True} for an L{IPushProducer}, C{False} for an
            L{IPullProducer}.
        @raise RuntimeError: If a producer is already registered.
        """

    def unregisterProducer() -> None:
        """
        Forget the registered producer: it has finished.
        """

    def write(data: bytes) -> None:
        """
        Accept some bytes; the consumer buffers what it cannot pass on yet.

        @param data: The bytes.
        """


class ITransport(Interface):
    """
    One end of a stream connection, as its protocol sees it.

    The transport owns the connection: it reads, writes and closes it, and
    calls its protocol's methods (see L{IProtocol} for their order).  The
    protocol calls C{write} and C{writeSequence} any number of times, then
    C{loseConnection}; writes are buffered and sent in order, and
    C{loseConnection} closes once the buffer has drained.
    """

    def write(data: bytes) -> None:
        """
        Send some bytes, in order, without blocking; they are buffered if the
        connection cannot take them now.

        @param data: The bytes.
        @raise TypeError: If C{data} is not C{bytes}.
        """

    def writeSequence(data: Sequence[bytes]) -> None:
        """
        Send several byte strings, as C{write(b"".join(data))} would.

        @param data: The byte strings.
        """

    def loseConnection() -> None:
        """
        Close the connection once everything written has been sent.

        The protocol's C{connectionLost} is called afterwards.  Calling it
        again, or writing afterwards, has no effect.
        """

    def getPeer() -> IAddress:
        """
        @return: The address of the other end.
        """

    def getHost() -> IAddress:
        """
        @return: The address of this end.
        """


class ITCPTransport(ITransport):
    """
    A TCP connection: half-close, abort, and socket options.
    """

    def loseWriteConnection() -> None:
        """
        Close the write side once everything written has been sent, keeping
        the read side open (a half-close); only a protocol that provides
        L{IHalfCloseableProtocol} hears C{writeConnectionLost} for it.
        """

    def abortConnection() -> None:
        """
        Close now, dropping anything not yet sent; the protocol's
        C{connectionLost} gets C{ConnectionAborted}.
        """

    def getTcpNoDelay() -> bool:
        """
        @return: Whether Nagle's algorithm is off (TCP_NODELAY).
        """

    def setTcpNoDelay(enabled: bool) -> None:
        """
        Turn Nagle's algorithm off (C{True}) or on (C{False}).

        @param enabled: The new TCP_NODELAY setting.
        """

    def getTcpKeepAlive() -> bool:
        """
        @return: Whether TCP keepalive probes are on (SO_KEEPALIVE).
        """

    def setTcpKeepAlive(enabled: bool) -> None:
        """
        Turn TCP keepalive probes on or off.

        @param enabled: The new SO_KEEPALIVE setting.
        """

    def getHost() -> IAddress:
        """
        @return: This end's L{IPv4Address} or L{IPv6Address}.
        """

    def getPeer() -> IAddress:
        """
        @return: The peer's L{IPv4Address} or L{IPv6Address}.
        """


class IUNIXTransport(ITransport):
    """
    A UNIX-socket connection, which can also pass file descriptors.
    """

    def sendFileDescriptor(descriptor: int) -> None:
        """
        Send a copy of a file descriptor, along with the next bytes written.

        The caller keeps ownership of C{descriptor} and may close it once the
        call returns; the peer's protocol, if it provides
        L{IFileDescriptorReceiver}, receives its own copy.

        @param descriptor: An open file descriptor.
        """


class IFileDescriptorReceiver(Interface):
    """
    A protocol that accepts file descriptors sent over a UNIX socket.
    """

    def fileDescriptorReceived(descriptor: int) -> None:
        """
        A file descriptor arrived, before the bytes sent with it.

        The protocol owns it and must close it when done.

        @param descriptor: The new descriptor, open in this process.
        """


class IHalfCloseableProtocol(Interface):
    """
    A protocol that can go on after one direction of its connection closes.

    Without this interface, a peer's half-close ends the whole connection.
    With it, C{readConnectionLost} and C{writeConnectionLost} come first,
    each at most once, and C{connectionLost} still comes last.
    """

    def readConnectionLost() -> None:
        """
        The peer will send nothing more; the protocol may still write.
        """

    def writeConnectionLost() -> None:
        """
        The write side closed (after C{loseWriteConnection}, or because the
        peer stopped reading); the protocol may still receive data.
        """


class IListeningPort(Interface):
    """
    A bound port that accepts connections or datagrams for a factory or a
    datagram protocol.

    Calls: C{startListening} (done by the C{listen*} call that returns the
    port), then C{stopListening} once.  While it listens the port owns its
    socket; the factory's C{doStart} and C{doStop} bracket that time.
    """

    def startListening() -> None:
        """
        Bind and start accepting.

        @raise torsion.internet.error.CannotListenError: If the address
            cannot be bound.
        """

    def stopListening() -> Deferred[None] | None:
        """
        Stop accepting and close the socket; existing connections go on.

        @return: A Deferred that fires once the port is closed, or L{None}
            if it closed at once.
        """

    def getHost() -> IAddress:
        """
        @return: The address the port is bound to (with the real port number
            when port 0 was asked for).
        """


class IConnector(Interface):
    """
    An outgoing connection attempt and its connection, as given to
    L{torsion.internet.protocol.ClientFactory} callbacks.

    Calls: the factory's C{startedConnecting}, then either
    C{clientConnectionFailed} or (after the protocol is built and connected)
    C{clientConnectionLost}.  C{connect} may then be called to try again.
    """

    def stopConnecting() -> None:
        """
        Give up the attempt in progress; the factory's
        C{clientConnectionFailed} gets C{UserError}.
        """

    def disconnect() -> None:
        """
        Close the connection if connected, or stop the attempt if not.
        """

    def connect() -> None:
        """
        Try to connect again (after a failure or a loss).
        """

    def getDestination() -> IAddress:
        """
        @return: The address this connector connects to.
        """


class IUDPTransport(Interface):
    """
    A UDP socket, as its L{DatagramProtocol} sees it.
    """

    def write(packet: bytes, addr: tuple[str, int] | None = None) -> None:
        """
        Send one datagram.

        @param packet: The datagram.
        @param addr: The C{(host, port)} to send to; L{None} when the
            transport is connected to one peer.
        """

    def connect(host: str, port: int) -> None:
        """
        Exchange datagrams with one peer only.

        @param host: The peer's IP address (not a host name).
        @param port: The peer's port.
        """

    def getHost() -> IAddress:
        """
        @return: The address the socket is bound to.
        """

    def stopListening() -> Deferred[None] | None:
        """
        Close the socket.

        @return: A Deferred that fires once it is closed, or L{None}.
        """

    def setBroadcastAllowed(enabled: bool) -> None:
        """
        Allow or forbid sending to broadcast addresses (SO_BROADCAST).

        @param enabled: The new setting.
        """

    def getBroadcastAllowed() -> bool:
        """
        @return: Whether sending to broadcast addresses is allowed.
        """


class IMulticastTransport(IUDPTransport):
    """
    A UDP socket that can send to and join multicast groups.
    """

    def getOutgoingInterface() -> str:
        """
        @return: The address of the interface multicast datagrams leave by.
        """

    def setOutgoingInterface(addr: str) -> Deferred[int]:
        """
        Choose the interface multicast datagrams leave by.

        @param addr: The interface's address.
        @return: A Deferred that fires once it is set.
        """

    def getLoopbackMode() -> bool:
        """
        @return: Whether this host receives the multicast datagrams it sends.
        """

    def setLoopbackMode(mode: bool) -> None:
        """
        Choose whether this host receives the multicast datagrams it sends.

        @param mode: The new setting.
        """

    def getTTL() -> int:
        """
        @return: How many hops multicast datagrams may travel.
        """

    def setTTL(ttl: int) -> None:
        """
        Set how many hops multicast datagrams may travel.

        @param ttl: The hop count.
        """

    def joinGroup(addr: str, interface: str = "") -> Deferred[None]:
        """
        Join a multicast group.

        @param addr: The group's address.
        @param interface: The local interface to join on; C{""} for any.
        @return: A Deferred that fires once joined, or fails with
            C{MulticastJoinError}.
        """

    def leaveGroup(addr: str, interface: str = "") -> Deferred[None]:
        """
        Leave a multicast group.

        @param addr: The group's address.
        @param interface: The local interface it was joined on.
        @return: A Deferred that fires once left.
        """


class ITLSTransport(ITCPTransport):
    """
    A TCP connection that can switch to TLS part-way through (STARTTLS).
    """

    def startTLS(contextFactory: Any) -> None:
        """
        Start TLS after the bytes already written; bytes written afterwards
        are encrypted.

        @param contextFactory: Makes the TLS settings for the connection.
        """


class ISSLTransport(ITCPTransport):
    """
    A TLS connection.
    """

    def getPeerCertificate() -> Any:
        """
        @return: The peer's certificate, or L{None} if it sent none.
        """


class IProtocolNegotiationFactory(Interface):
    """
    A factory that offers application protocols for TLS ALPN negotiation.
    """

    def acceptableProtocols() -> list[bytes]:
        """
        @return: The protocol names it speaks, most preferred first (such as
            C{[b"h2", b"http/1.1"]}).
        """


class IHandshakeListener(Interface):
    """
    A protocol told when its transport's TLS handshake has finished.
    """

    def handshakeCompleted() -> None:
        """
        The TLS handshake is done: the peer's certificate and the negotiated
        protocol can now be read from the transport.  Called at most once,
        after C{connectionMade}.
        """


class IProcessTransport(ITransport):
    """
    A child process, as its L{IProcessProtocol} sees it.

    The transport owns the pipes to the child; C{write} goes to its standard
    input (descriptor 0).
    """

    pid = Attribute("The child's process id, or None once it has been reaped.")

    def closeStdin() -> None:
        """
        Close the child's standard input once what was written is sent.
        """

    def closeStdout() -> None:
        """
        Close the pipe from the child's standard output.
        """

    def closeStderr() -> None:
        """
        Close the pipe from the child's standard error.
        """

    def closeChildFD(descriptor: int) -> None:
        """
        Close the pipe to or from one of the child's descriptors.

        @param descriptor: The descriptor number, as the child sees it.
        """

    def writeToChild(childFD: int, data: bytes) -> None:
        """
        Write to one of the child's input descriptors.

        @param childFD: The descriptor number, as the child sees it.
        @param data: The bytes.
        @raise KeyError: If the child has no pipe at C{childFD}.
        """

    def loseConnection() -> None:
        """
        Close every pipe to and from the child (it is not killed).
        """

    def signalProcess(signalID: str | int) -> None:
        """
        Send the child a signal.

        @param signalID: C{"KILL"}, C{"TERM"} or C{"INT"}, or a number.
        @raise torsion.internet.error.ProcessExitedAlready: If it has exited.
        """


class IProcessProtocol(Interface):
    """
    The parent's side of a child process.

    Calls, in order::

        makeConnection -> (childDataReceived | childConnectionLost)*
            -> processExited -> processEnded

    C{processExited} comes when the child exits, C{processEnded} once every
    pipe has closed as well: after it nothing more is called.
    """

    def makeConnection(process: IProcessTransport) -> None:
        """
        The child was started.

        @param process: Its transport.
        """

    def childDataReceived(childFD: int, data: bytes) -> None:
        """
        The child wrote some bytes on one of its output descriptors.

        @param childFD: The descriptor number, as the child sees it (1 for
            standard output, 2 for standard error).
        @param data: The bytes.
        """

    def childConnectionLost(childFD: int) -> None:
        """
        A pipe to or from the child closed.

        @param childFD: The descriptor number, as the child sees it.
        """

    def processExited(reason: Failure) -> None:
        """
        The child exited; some of its pipes may still be open.

        @param reason: C{ProcessDone} for exit status 0, else
            C{ProcessTerminated}.
        """

    def processEnded(reason: Failure) -> None:
        """
        The child exited and every pipe closed: the last call.

        @param reason: As for C{processExited}.
        """


__all__ = [
    "IAddress",
    "IConnector",
    "IConsumer",
    "IFileDescriptorReceiver",
    "IHalfCloseableProtocol",
    "IHandshakeListener",
    "IListeningPort",
    "IMulticastTransport",
    "IProcessProtocol",
    "IProcessTransport",
    "IProducer",
    "IProtocol",
    "IProtocolFactory",
    "IProtocolNegotiationFactory",
    "IPullProducer",
    "IPushProducer",
    "ISSLTransport",
    "ITCPTransport",
    "ITLSTransport",
    "ITransport",
    "IUDPTransport",
    "IUNIXTransport",
]
