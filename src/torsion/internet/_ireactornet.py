# The reactor facets that make network objects -- TCP, UNIX (stream and
# datagram), UDP, multicast, SSL, adopted sockets, processes -- and stream
# endpoints.  The objects they make (transports, ports, connectors) and the
# protocols they drive are in _itransport.py; torsion.internet.interfaces
# re-exports both.  Methods leave out `self` and carry full annotations,
# which mypy-zope checks every @implementer class against.
from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zope.interface import Interface

from torsion.internet._itransport import (
    IConnector,
    IListeningPort,
    IProcessProtocol,
    IProcessTransport,
    IProtocol,
    IProtocolFactory,
)

if TYPE_CHECKING:
    from torsion.internet._datagramprotocol import (
        ConnectedDatagramProtocol,
        DatagramProtocol,
    )
    from torsion.internet._deferred import Deferred
    from torsion.internet._factory import ClientFactory


class IReactorTCP(Interface):
    """
    TCP servers and clients.
    """

    def listenTCP(
        port: int, factory: IProtocolFactory, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        """
        Listen for TCP connections; each one gets a protocol from C{factory}.

        @param port: The port number; 0 picks a free one.
        @param factory: Builds a protocol per connection.
        @param backlog: The most pending connections the kernel queues.
        @param interface: The local address to bind; C{""} for every IPv4
            interface, C{"::"} for every IPv6 one.
        @return: The listening port.
        @raise torsion.internet.error.CannotListenError: If it cannot bind.
        """

    def connectTCP(
        host: str,
        port: int,
        factory: ClientFactory,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> IConnector:
        """
        Connect to a TCP server; the factory hears how it goes.

        @param host: A host name or an IPv4 or IPv6 address.
        @param port: The port number.
        @param factory: Gets C{startedConnecting}, C{buildProtocol} and then
            C{clientConnectionFailed} or C{clientConnectionLost}.
        @param timeout: Seconds to wait for the connection.
        @param bindAddress: A C{(host, port)} to bind to first, or L{None}.
        @return: The connector.
        """


class IReactorUNIX(Interface):
    """
    UNIX stream socket servers and clients.
    """

    def connectUNIX(
        address: str, factory: ClientFactory, timeout: float = 30, checkPID: bool = False
    ) -> IConnector:
        """
        Connect to a UNIX socket.

        @param address: The socket's path.
        @param factory: Hears how it goes, as for C{connectTCP}.
        @param timeout: Seconds to wait for the connection.
        @param checkPID: Fail at once unless a C{<address>.lock} file names a
            live process.
        @return: The connector.
        """

    def listenUNIX(
        address: str,
        factory: IProtocolFactory,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: bool = False,
    ) -> IListeningPort:
        """
        Listen on a UNIX socket.

        @param address: The socket's path.
        @param factory: Builds a protocol per connection.
        @param backlog: The most pending connections the kernel queues.
        @param mode: The socket file's permissions.
        @param wantPID: Write a C{<address>.lock} file holding this process id.
        @return: The listening port.
        @raise torsion.internet.error.CannotListenError: If it cannot bind.
        """


class IReactorUNIXDatagram(Interface):
    """
    UNIX datagram sockets.
    """

    def connectUNIXDatagram(
        address: str,
        protocol: ConnectedDatagramProtocol,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
        bindAddress: str | None = None,
    ) -> IConnector:
        """
        Open a UNIX datagram socket that sends to and receives from one peer.

        @param address: The peer socket's path.
        @param protocol: Receives the datagrams.
        @param maxPacketSize: The largest datagram to read.
        @param mode: The permissions of the socket file, if one is bound.
        @param bindAddress: A path to bind to first, or L{None}.
        @return: The connector.
        """

    def listenUNIXDatagram(
        address: str, protocol: DatagramProtocol, maxPacketSize: int = 8192, mode: int = 0o666
    ) -> IListeningPort:
        """
        Receive datagrams on a UNIX socket.

        @param address: The socket's path.
        @param protocol: Receives the datagrams.
        @param maxPacketSize: The largest datagram to read.
        @param mode: The socket file's permissions.
        @return: The listening port.
        """


class IReactorUDP(Interface):
    """
    UDP sockets.
    """

    def listenUDP(
        port: int, protocol: DatagramProtocol, interface: str = "", maxPacketSize: int = 8192
    ) -> IListeningPort:
        """
        Bind a UDP socket and connect C{protocol} to it.

        The protocol's transport (an L{IUDPTransport}) is the returned port.

        @param port: The port number; 0 picks a free one.
        @param protocol: Receives the datagrams.
        @param interface: The local address to bind; C{""} for every one.
        @param maxPacketSize: The largest datagram to read.
        @return: The listening port.
        @raise torsion.internet.error.CannotListenError: If it cannot bind.
        """


class IReactorMulticast(Interface):
    """
    UDP multicast sockets.
    """

    def listenMulticast(
        port: int,
        protocol: DatagramProtocol,
        interface: str = "",
        maxPacketSize: int = 8192,
        listenMultiple: bool = False,
    ) -> IListeningPort:
        """
        Bind a UDP socket that can join multicast groups.

        @param port: The port number; 0 picks a free one.
        @param protocol: Receives the datagrams; its transport is an
            L{IMulticastTransport}.
        @param interface: The local address to bind; C{""} for every one.
        @param maxPacketSize: The largest datagram to read.
        @param listenMultiple: Let other sockets bind the same port.
        @return: The listening port.
        """


class IReactorSSL(Interface):
    """
    TLS over TCP, servers and clients.
    """

    def connectSSL(
        host: str,
        port: int,
        factory: ClientFactory,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> IConnector:
        """
        Connect to a TLS server.

        @param host: A host name or an IPv4 or IPv6 address.
        @param port: The port number.
        @param factory: Hears how it goes, as for C{connectTCP}.
        @param contextFactory: Makes the TLS settings for the connection.
        @param timeout: Seconds to wait for the connection.
        @param bindAddress: A C{(host, port)} to bind to first, or L{None}.
        @return: The connector.
        """

    def listenSSL(
        port: int,
        factory: IProtocolFactory,
        contextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> IListeningPort:
        """
        Listen for TLS connections.

        @param port: The port number; 0 picks a free one.
        @param factory: Builds a protocol per connection.
        @param contextFactory: Makes the TLS settings (certificate and key).
        @param backlog: The most pending connections the kernel queues.
        @param interface: The local address to bind; C{""} for every one.
        @return: The listening port.
        """


class IReactorSocket(Interface):
    """
    Adopting sockets that were opened elsewhere (inherited, or passed over a
    UNIX socket).

    The reactor duplicates the descriptor; the caller keeps the original and
    should close it.
    """

    def adoptStreamPort(
        fileDescriptor: int, addressFamily: socket.AddressFamily, factory: IProtocolFactory
    ) -> IListeningPort:
        """
        Accept connections on a listening stream socket.

        @param fileDescriptor: The socket, already bound and listening.
        @param addressFamily: C{AF_INET}, C{AF_INET6} or C{AF_UNIX}.
        @param factory: Builds a protocol per connection.
        @return: The listening port.
        @raise torsion.internet.error.UnsupportedAddressFamily: If the
            family is not supported.
        """

    def adoptStreamConnection(
        fileDescriptor: int, addressFamily: socket.AddressFamily, factory: IProtocolFactory
    ) -> None:
        """
        Run a protocol over a connected stream socket.

        @param fileDescriptor: The connected socket.
        @param addressFamily: C{AF_INET}, C{AF_INET6} or C{AF_UNIX}.
        @param factory: Builds the one protocol for the connection.
        @raise torsion.internet.error.UnsupportedAddressFamily: If the
            family is not supported.
        """

    def adoptDatagramPort(
        fileDescriptor: int,
        addressFamily: socket.AddressFamily,
        protocol: DatagramProtocol,
        maxPacketSize: int = 8192,
    ) -> IListeningPort:
        """
        Receive datagrams on a bound datagram socket.

        @param fileDescriptor: The bound socket.
        @param addressFamily: C{AF_INET} or C{AF_INET6}.
        @param protocol: Receives the datagrams.
        @param maxPacketSize: The largest datagram to read.
        @return: The listening port.
        """


class IReactorProcess(Interface):
    """
    Starting child processes.
    """

    def spawnProcess(
        processProtocol: IProcessProtocol,
        executable: bytes | str,
        args: Sequence[bytes | str],
        env: Mapping[bytes | str, bytes | str] | None = None,
        path: bytes | str | None = None,
        uid: int | None = None,
        gid: int | None = None,
        usePTY: bool = False,
        childFDs: Mapping[int, int | str] | None = None,
    ) -> IProcessTransport:
        """
        Start a child process connected to C{processProtocol}.

        @param processProtocol: Hears the child's output and exit.
        @param executable: The program's path.
        @param args: The argument list, starting with the program's name.
        @param env: The child's environment; L{None} for an empty one.
        @param path: The directory to run it in; L{None} for the current one.
        @param uid: The user to run it as, or L{None}.
        @param gid: The group to run it as, or L{None}.
        @param usePTY: Run it in a pseudo-terminal.
        @param childFDs: For each child descriptor, C{"r"} (the parent
            reads), C{"w"} (the parent writes) or a parent descriptor to
            pass; default C{{0: "w", 1: "r", 2: "r"}}.
        @return: The child's transport.
        """


class IStreamServerEndpoint(Interface):
    """
    Where a stream server listens, described apart from how (TCP, TLS,
    UNIX, ...).
    """

    def listen(protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Start listening.

        @param protocolFactory: Builds a protocol per connection.
        @return: A Deferred that fires with the listening port, or fails
            with C{CannotListenError}.
        """


class IStreamClientEndpoint(Interface):
    """
    Where a stream client connects, described apart from how.
    """

    def connect(protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect, and build the protocol for the connection.

        @param protocolFactory: Builds the protocol (its C{buildProtocol} is
            called once).
        @return: A Deferred that fires with the connected protocol, or fails
            with C{ConnectError}; cancelling it stops the attempt.
        """


__all__ = [
    "IReactorMulticast",
    "IReactorProcess",
    "IReactorSSL",
    "IReactorSocket",
    "IReactorTCP",
    "IReactorUDP",
    "IReactorUNIX",
    "IReactorUNIXDatagram",
    "IStreamClientEndpoint",
    "IStreamServerEndpoint",
]
