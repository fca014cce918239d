# TCP: connections over sockets, listening ports, and client connectors.
#
# How it works
# ------------
# Connection is a FileDescriptor over a connected non-blocking socket: doRead
# receives up to `bufferSize` bytes and hands them to the protocol;
# writeSomeData sends.  OS errors are translated here, once: EAGAIN means
# "try later", ECONNRESET/EPIPE/ETIMEDOUT end the connection with
# ConnectionLost, a zero-byte read is the peer's orderly close
# (ConnectionDone; a half-closeable protocol only loses its read side).
#
# Port listens: each readable event accepts up to `numberAccepts`
# connections (so one busy port cannot starve the others), builds a protocol
# per connection and connects it to a Server transport.  When the process
# runs out of descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM) the port stops
# accepting for a while, backing off up to a second, instead of spinning on
# a listening socket that stays readable: pending connections wait in the
# kernel's backlog until descriptors are free again.
#
# Client connects without blocking: connect_ex() returns EINPROGRESS, the
# socket becomes writable when the attempt has finished, and SO_ERROR says
# how it went.  Connector is the IConnector that ClientFactory sees; it owns
# the timeout and the factory's startedConnecting / clientConnectionFailed /
# clientConnectionLost calls, and can connect() again (reconnecting
# factories rely on it).
from __future__ import annotations

import errno
import ipaddress
import os
import socket
from collections import deque
from typing import Any, Protocol

from zope.interface import implementer

from torsion.internet._abstract import FileDescriptor, isIPAddress, isIPv6Address
from torsion.internet._address import IPv4Address, IPv6Address
from torsion.internet._deferred import Deferred, succeed
from torsion.internet._errors import (
    CannotListenError,
    ConnectBindError,
    ConnectionAborted,
    ConnectionDone,
    ConnectionLost,
    NotConnectingError,
    UserError,
    getConnectError,
)
from torsion.internet._errors import TimeoutError as ConnectTimeoutError
from torsion.internet._ireactor import IHalfCloseableDescriptor
from torsion.internet._isendfile import ISendFileTransport
from torsion.internet._itransport import (
    IConnector,
    IHalfCloseableProtocol,
    IListeningPort,
    ITCPTransport,
    ITLSTransport,
)
from torsion.internet._reactorbase import _log
from torsion.internet._tlsconnection import TLSConnectionMixin
from torsion.python.failure import Failure

_AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR)
#: What sendfile(2) reports about the file it reads (not the socket).
_FILE_ERRORS = frozenset(
    (errno.EBADF, errno.EINVAL, errno.EIO, errno.EOVERFLOW, errno.ESPIPE, errno.ENOMEM)
)
_LOST = (
    errno.ECONNRESET,
    errno.EPIPE,
    errno.ETIMEDOUT,
    errno.ECONNABORTED,
    errno.ENOTCONN,
    errno.ESHUTDOWN,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ENETRESET,
)
_OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


def _address(family: int, sockaddr: Any) -> IPv4Address | IPv6Address:
    if family == socket.AF_INET6:
        host, port, flowInfo, scopeID = sockaddr
        return IPv6Address("TCP", host, port, flowInfo, scopeID)
    host, port = sockaddr[:2]
    return IPv4Address("TCP", host, port)


@implementer(ITCPTransport, ITLSTransport, IHalfCloseableDescriptor, ISendFileTransport)
class Connection(TLSConnectionMixin, FileDescriptor):
    """
    A TCP connection: the transport a protocol writes to, which can switch
    to TLS part-way (C{startTLS}).
    """

    _host: IPv4Address | IPv6Address
    _peer: IPv4Address | IPv6Address

    def __init__(self, skt: socket.socket, protocol: Any, reactor: Any = None) -> None:
        super().__init__(reactor)
        skt.setblocking(False)
        self.socket = skt
        self.fileno = skt.fileno  # type: ignore[method-assign]  # speed: no wrapper call
        self.protocol = protocol

    def getHandle(self) -> socket.socket:
        """
        @return: The socket.
        """
        return self.socket

    def doRead(self) -> object:
        """
        Receive what is available and give it to the protocol.
        """
        try:
            data = self.socket.recv(self.bufferSize)
        except OSError as e:
            if e.errno in _AGAIN:
                return None
            return ConnectionLost(os.strerror(e.errno) if e.errno else str(e))
        if not data:
            return ConnectionDone()
        self.protocol.dataReceived(data)
        return None

    def write(self, data: bytes) -> None:
        """
        Send C{data}, or queue what the kernel does not take at once; see
        L{FileDescriptor.write}.

        @raise TypeError: If C{data} is not bytes.
        """
        # Speed over clarity: the common case — bytes written to an open,
        # idle connection with no producer — sends at once with no other
        # call; everything else takes the general path.
        if (
            type(data) is bytes
            and not self._buffer
            and self.producer is None
            and self.connected
            and not self._writeDisconnected
            and data
        ):
            try:
                sent = self.socket.send(data)
            except OSError:
                pass  # the general path sends again and reports the error
            else:
                if sent == len(data):
                    return
                # The kernel took part: the rest waits for writability.
                self._buffer = deque((memoryview(data)[sent:],))
                self._bufferedBytes += len(data) - sent
                self.startWriting()
                return
        FileDescriptor.write(self, data)

    def writeSomeData(self, data: bytes | memoryview) -> int | BaseException:
        """
        Send what the kernel takes now.
        """
        try:
            return self.socket.send(data)
        except OSError as e:
            if e.errno in _AGAIN:
                return 0
            return ConnectionLost(os.strerror(e.errno) if e.errno else str(e))

    def sendFile(self, fileObject: Any, offset: int, count: int) -> Deferred[int]:
        """
        Send C{count} bytes of a regular file from C{offset}, from the page
        cache to the socket (C{sendfile(2)}), after what was written before;
        see L{ISendFileTransport.sendFile}.

        @param fileObject: An open regular file, or its descriptor; keep it
            open until the result fires.
        @param offset: Where in the file to start.
        @param count: How many bytes to send.
        @return: Fires with C{count} once all were handed to the kernel.
        @raise RuntimeError: If the connection uses TLS (the file would go
            out unencrypted) or is closed.
        @raise ValueError: If C{offset} or C{count} is negative, or the file
            is not a regular file.
        """
        if self.TLS:
            raise RuntimeError(
                f"sendFile() on {self!r}, which uses TLS: the file would be sent "
                "unencrypted; write() its contents instead"
            )
        return self._queueFileRange(fileObject, offset, count)

    def _sendFileSome(self, fd: int, offset: int, count: int) -> int | BaseException | None:
        try:
            return os.sendfile(self.socket.fileno(), fd, offset, count)
        except OSError as e:
            if e.errno in _AGAIN:
                return None
            if e.errno in _FILE_ERRORS:
                return e  # the file's fault: that range fails, the connection goes on
            return ConnectionLost(os.strerror(e.errno) if e.errno else str(e))

    def _closeWriteConnection(self) -> None:
        try:
            self.socket.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        protocol = self.protocol
        if IHalfCloseableProtocol.providedBy(protocol):
            try:
                protocol.writeConnectionLost()
            except BaseException:
                _log.failure("Error in writeConnectionLost of {protocol!r}:", protocol=protocol)
                self.connectionLost(Failure())

    def readConnectionLost(self, reason: Failure) -> None:
        """
        The peer closed its side: a half-closeable protocol learns of it and
        may go on writing; any other protocol loses the connection.
        """
        protocol = self.protocol
        if IHalfCloseableProtocol.providedBy(protocol):
            try:
                protocol.readConnectionLost()
            except BaseException:
                _log.failure("Error in readConnectionLost of {protocol!r}:", protocol=protocol)
                self.connectionLost(Failure())
        else:
            self.connectionLost(reason)

    def connectionLost(self, reason: Failure) -> None:
        """
        Close the socket and tell the protocol, exactly once.
        """
        if self.disconnected:
            return
        super().connectionLost(reason)
        try:
            self.socket.close()
        except OSError:
            pass
        protocol = self.protocol
        del self.protocol
        self.fileno = _closedFileno  # type: ignore[method-assign]
        protocol.connectionLost(reason)

    def abortConnection(self) -> None:
        """
        Close now, dropping unsent data: connectionLost with ConnectionAborted.
        """
        if self.disconnected or getattr(self, "_aborting", False):
            return
        self._aborting = True
        self.stopReading()
        self.stopWriting()
        self.reactor.callLater(0, self.connectionLost, Failure(ConnectionAborted()))

    def getTcpNoDelay(self) -> bool:
        """
        @return: Whether Nagle's algorithm is off.
        """
        return bool(self.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    def setTcpNoDelay(self, enabled: bool) -> None:
        """
        Turn Nagle's algorithm off (True) or on.
        """
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(bool(enabled)))

    def getTcpKeepAlive(self) -> bool:
        """
        @return: Whether TCP keepalives are on.
        """
        return bool(self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))

    def setTcpKeepAlive(self, enabled: bool) -> None:
        """
        Turn TCP keepalives on or off.
        """
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, int(bool(enabled)))

    def getHost(self) -> IPv4Address | IPv6Address:
        """
        @return: The local address.
        """
        return self._host

    def getPeer(self) -> IPv4Address | IPv6Address:
        """
        @return: The peer's address.
        """
        return self._peer

    def logPrefix(self) -> str:
        """
        @return: The protocol's class name.
        """
        protocol = getattr(self, "protocol", None)
        return type(protocol).__name__ if protocol is not None else "Connection"


def _closedFileno() -> int:
    return -1


class _ListeningPort(Protocol):
    """
    What L{_stopListening} and L{_firePortClosed} need of a port (a TCP or
    UNIX stream port, or a UNIX datagram port).
    """

    connected: int
    reactor: Any
    _closed: Deferred[None] | None

    def stopReading(self) -> None: ...

    def connectionLost(self, reason: Failure) -> None: ...


def _stopListening(port: _ListeningPort) -> Deferred[None]:
    """
    Stop C{port} reading and close it in the next reactor iteration
    (C{connectionLost}).

    @return: A Deferred firing once it is closed (at once if it is not
        open); the same one to every caller while it closes.
    """
    if port._closed is not None:
        return port._closed
    if not port.connected:
        return succeed(None)
    closed: Deferred[None] = Deferred()
    port._closed = closed
    port.connected = 0
    port.stopReading()
    port.reactor.callLater(0, port.connectionLost, Failure(ConnectionDone()))
    return closed


def _firePortClosed(port: _ListeningPort) -> None:
    """
    Fire the Deferred that L{_stopListening} gave out, if there is one.
    """
    closed, port._closed = port._closed, None
    if closed is not None:
        closed.callback(None)


class Server(Connection):
    """
    The transport of a connection accepted by a L{Port}.
    """

    def __init__(
        self,
        skt: socket.socket,
        protocol: Any,
        client: IPv4Address | IPv6Address,
        server: Port,
        sessionno: int,
        reactor: Any,
    ) -> None:
        super().__init__(skt, protocol, reactor)
        self.server = server
        self.sessionno = sessionno
        self._peer = client
        self._host = server._hostFor(skt)
        self.connected = 1
        self.startReading()

    def __repr__(self) -> str:
        name = self.logPrefix()
        return f"<{name} #{self.sessionno} on {self.server._realPortNumber}>"


@implementer(IListeningPort)
class Port(FileDescriptor):
    """
    A listening TCP socket.
    """

    addressFamily = socket.AF_INET
    numberAccepts = 100
    # The transport made for each accepted connection (UNIX ports use theirs).
    transportFactory: Any = Server
    _backoff = 0.0

    def __init__(
        self,
        port: int,
        factory: Any,
        backlog: int = 50,
        interface: str = "",
        reactor: Any = None,
    ) -> None:
        super().__init__(reactor)
        self.port = port
        self.factory = factory
        self.backlog = backlog
        if isIPv6Address(interface):
            self.addressFamily = socket.AF_INET6
        self.interface = interface
        self.sessionno = 0
        self._realPortNumber: int | None = None
        self.socket: socket.socket | None = None
        self._closed: Deferred[None] | None = None
        self._resumeCall: Any = None
        self._boundHost: IPv4Address | IPv6Address | None = None
        self._listenedOn: IPv4Address | IPv6Address | None = None

    def __repr__(self) -> str:
        where = self._realPortNumber if self._realPortNumber is not None else "not listening"
        return f"<{type(self.factory).__name__} on {where}>"

    def startListening(self) -> None:
        """
        Bind, listen and start accepting.

        @raise CannotListenError: If the address cannot be bound.
        """
        try:
            skt = socket.socket(self.addressFamily, socket.SOCK_STREAM)
        except OSError as e:
            raise CannotListenError(self.interface, self.port, e) from e
        try:
            if os.name == "posix":
                skt.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self.addressFamily == socket.AF_INET6:
                address: Any = socket.getaddrinfo(
                    self.interface, self.port, socket.AF_INET6, socket.SOCK_STREAM
                )[0][4]
            else:
                address = (self.interface, self.port)
            skt.bind(address)
            skt.listen(self.backlog)
        except OSError as e:
            skt.close()
            raise CannotListenError(self.interface, self.port, e) from e
        self._realPortNumber = skt.getsockname()[1]
        host = _address(self.addressFamily, skt.getsockname())
        unspecified = ipaddress.ip_address(host.host.split("%")[0]).is_unspecified
        self._boundHost = None if unspecified else host
        self._listenedOn = host
        self._startAccepting(skt)

    def _startAccepting(self, skt: socket.socket) -> None:
        """
        Accept on C{skt}, a bound and listening socket: start the factory
        and watch the socket for connections.
        """
        skt.setblocking(False)
        self.socket = skt
        self.fileno = skt.fileno  # type: ignore[method-assign]
        self.factory.doStart()
        self.connected = 1
        self.startReading()

    def _hostFor(self, skt: socket.socket) -> IPv4Address | IPv6Address:
        # An accepted connection's local address is the port's, unless the
        # port listens on every address: then the connection has to say.
        # (Speed: one system call fewer per connection.)
        bound = self._boundHost
        if bound is not None and skt is not self.socket:
            return bound
        return _address(self.addressFamily, skt.getsockname())

    def doRead(self) -> object:
        """
        Accept pending connections (at most numberAccepts per call).
        """
        assert self.socket is not None
        for _ in range(self.numberAccepts):
            if not self.connected:
                break
            try:
                skt, addr = self.socket.accept()
            except OSError as e:
                if e.errno in _AGAIN or e.errno == errno.ECONNABORTED:
                    break
                if e.errno in _OUT_OF_RESOURCES:
                    self._pauseAccepting(e)
                    break
                _log.failure("Could not accept a new connection on {port!r}:", port=self)
                break
            self._backoff = 0.0
            self._connectionAccepted(skt, addr)
        return None

    def _clientAddress(self, addr: Any) -> Any:
        """
        @return: The IAddress of an accepted client, from accept()'s address.
        """
        return _address(self.addressFamily, addr)

    def _connectionAccepted(self, skt: socket.socket, addr: Any) -> None:
        client = self._clientAddress(addr)
        try:
            protocol = self.factory.buildProtocol(client)
        except BaseException:
            _log.failure("{factory!r}.buildProtocol failed:", factory=self.factory)
            skt.close()
            return
        if protocol is None:
            skt.close()
            return
        self.sessionno += 1
        transport = self.transportFactory(skt, protocol, client, self, self.sessionno, self.reactor)
        try:
            protocol.makeConnection(transport)
        except BaseException:
            _log.failure("Error in connectionMade of {protocol!r}:", protocol=protocol)
            transport.connectionLost(Failure())

    def _pauseAccepting(self, error: OSError) -> None:
        self._backoff = min(1.0, self._backoff * 2 or 0.01)
        _log.error(
            "Out of resources accepting on {port!r} ({error}); pausing accepts for {delay:.2f}s",
            port=self,
            error=os.strerror(error.errno) if error.errno else error,
            delay=self._backoff,
        )
        self.stopReading()
        self._resumeCall = self.reactor.callLater(self._backoff, self._resumeAccepting)

    def _resumeAccepting(self) -> None:
        self._resumeCall = None
        if self.connected:
            self.startReading()

    def getHost(self) -> IPv4Address | IPv6Address:
        """
        @return: The address the port listens on (with the real port
            number); once it stopped listening, the address it listened on.
        @raise RuntimeError: If it never listened.
        """
        if self.socket is None:
            if self._listenedOn is None:
                raise RuntimeError(f"{self!r} has not started listening: it has no address yet")
            return self._listenedOn
        return self._hostFor(self.socket)

    def stopListening(self) -> Deferred[None]:
        """
        Stop accepting and close the socket.

        @return: A Deferred firing once the port is closed.
        """
        return _stopListening(self)

    loseConnection = stopListening  # type: ignore[assignment]

    def connectionLost(self, reason: Failure) -> None:
        """
        The port is closed: close the socket, stop the factory.
        """
        if self._resumeCall is not None and self._resumeCall.active():
            self._resumeCall.cancel()
        self.disconnected = 1
        self.connected = 0
        self.stopReading()
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        self.fileno = _closedFileno  # type: ignore[method-assign]
        try:
            self.factory.doStop()
        finally:
            _firePortClosed(self)

    def logPrefix(self) -> str:
        """
        @return: The factory's class name.
        """
        return type(self.factory).__name__


class Client(Connection):
    """
    The transport of an outgoing connection, while connecting and after.
    """

    def __init__(
        self,
        host: str,
        port: int,
        bindAddress: tuple[str, int] | None,
        connector: Connector,
        reactor: Any,
    ) -> None:
        self.connector = connector
        self._addr = (host, port)
        family = socket.AF_INET6 if isIPv6Address(host) else socket.AF_INET
        skt = socket.socket(family, socket.SOCK_STREAM)
        super().__init__(skt, None, reactor)
        self.family = family
        self._connecting = True
        if bindAddress is not None:
            try:
                skt.bind(bindAddress)
            except OSError as e:
                self._failLater(ConnectBindError(e.strerror or str(e)))
                return
        if family == socket.AF_INET and not isIPAddress(host):
            self.reactor.resolve(host).addCallbacks(self._resolved, self._resolveFailed)
        else:
            self.reactor.callLater(0, self._startConnecting, host)

    def _failLater(self, error: BaseException) -> None:
        self.reactor.callLater(0, self.failIfNotConnected, error)

    def _resolveFailed(self, failure: Failure) -> None:
        self.failIfNotConnected(failure.value)

    def _resolved(self, address: str) -> None:
        self._startConnecting(address)

    def _startConnecting(self, host: str) -> None:
        if not self._connecting:
            return
        self._realAddress = (host, self._addr[1])
        try:
            result = self.socket.connect_ex(
                self._realAddress if self.family == socket.AF_INET else (host, self._addr[1], 0, 0)
            )
        except OSError as e:
            self.failIfNotConnected(getConnectError(e))
            return
        if result in (0, errno.EISCONN):
            self._connectDone()
        elif result in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EINTR):
            self.startWriting()
        else:
            self.failIfNotConnected(getConnectError(OSError(result, os.strerror(result))))

    def doWrite(self) -> object:
        if self._connecting:
            error = self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                self.failIfNotConnected(getConnectError(OSError(error, os.strerror(error))))
                return None
            self.stopWriting()
            self._connectDone()
            return None
        return super().doWrite()

    def _connectedAddresses(self) -> Any:
        """
        Record the addresses of the connected socket.

        @return: The peer's address, for buildProtocol.
        """
        skt = self.socket
        self._peer = _address(self.family, skt.getpeername())
        self._host = _address(self.family, skt.getsockname())
        return self._peer

    def _connectDone(self) -> None:
        self._connecting = False
        protocol = self.connector.buildProtocol(self._connectedAddresses())
        if protocol is None:
            self.failIfNotConnected(UserError(string="buildProtocol returned None"))
            return
        self.protocol = protocol
        self.connected = 1
        self.startReading()
        try:
            protocol.makeConnection(self)
        except BaseException:
            _log.failure("Error in connectionMade of {protocol!r}:", protocol=protocol)
            self.connectionLost(Failure())

    def failIfNotConnected(self, err: BaseException) -> None:
        """
        Fail the attempt with C{err}, unless it already succeeded.
        """
        if not self._connecting or self.connected or self.disconnected:
            return
        self._connecting = False
        self.disconnected = 1
        self.stopReading()
        self.stopWriting()
        try:
            self.socket.close()
        except OSError:
            pass
        self.fileno = _closedFileno  # type: ignore[method-assign]
        self.connector.connectionFailed(Failure(err))

    def stopConnecting(self) -> None:
        """
        Give up the attempt (UserError).
        """
        self.failIfNotConnected(UserError(string="connection attempt stopped"))

    def connectionLost(self, reason: Failure) -> None:
        if not self.connected:
            # Still connecting: the socket's pending error says why.
            try:
                error = self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            except OSError:
                error = 0
            if error:
                self.failIfNotConnected(getConnectError(OSError(error, os.strerror(error))))
            else:
                self.failIfNotConnected(reason.value)
            return
        super().connectionLost(reason)
        self.connector.connectionLost(reason)

    def __repr__(self) -> str:
        return f"<TCP Client to {self._addr[0]}:{self._addr[1]}>"


@implementer(IConnector)
class Connector:
    """
    Connects a ClientFactory to a TCP address (IConnector).

    @ivar state: "disconnected", "connecting" or "connected".
    """

    def __init__(
        self,
        host: str,
        port: int,
        factory: Any,
        timeout: float | None,
        bindAddress: tuple[str, int] | None,
        reactor: Any,
    ) -> None:
        if isinstance(port, str):
            try:
                port = socket.getservbyname(port, "tcp")
            except OSError as e:
                from torsion.internet._errors import ServiceNameUnknownError

                raise ServiceNameUnknownError(string=f"{e} ({port!r})") from None
        self.host = host
        self.port = port
        self.factory = factory
        self.timeout = timeout
        self.bindAddress = bindAddress
        self.reactor = reactor
        self.state = "disconnected"
        self.transport: Client | None = None
        self._timeoutCall: Any = None
        self._factoryStarted = False

    def connect(self) -> None:
        """
        Start connecting (again).

        @raise RuntimeError: Unless disconnected.
        """
        if self.state != "disconnected":
            raise RuntimeError(f"cannot connect() while {self.state}")
        self.state = "connecting"
        if not self._factoryStarted:
            self.factory.doStart()
            self._factoryStarted = True
        try:
            self.transport = transport = self._makeTransport()
        except OSError as e:
            # No socket (out of descriptors, say): fail like any attempt.
            self.transport = None
            self.reactor.callLater(0, self.connectionFailed, Failure(getConnectError(e)))
            self.factory.startedConnecting(self)
            return
        if self.timeout is not None and self.transport is transport:
            self._timeoutCall = self.reactor.callLater(
                self.timeout, transport.failIfNotConnected, ConnectTimeoutError()
            )
        self.factory.startedConnecting(self)

    def _makeTransport(self) -> Client:
        """
        @return: The transport of a new attempt, which starts it.
        @raise OSError: If it cannot have a socket (out of descriptors, say).
        """
        return Client(self.host, self.port, self.bindAddress, self, self.reactor)

    def stopConnecting(self) -> None:
        """
        Stop a connection attempt.

        @raise NotConnectingError: If not connecting.
        """
        if self.state != "connecting" or self.transport is None:
            raise NotConnectingError("stopConnecting() called while not connecting")
        self.transport.stopConnecting()

    def disconnect(self) -> None:
        """
        Stop connecting, or close the connection.
        """
        if self.state == "connecting":
            self.stopConnecting()
        elif self.state == "connected" and self.transport is not None:
            self.transport.loseConnection()

    def _cancelTimeout(self) -> None:
        if self._timeoutCall is not None and self._timeoutCall.active():
            self._timeoutCall.cancel()
        self._timeoutCall = None

    def buildProtocol(self, addr: Any) -> Any:
        self.state = "connected"
        self._cancelTimeout()
        return self.factory.buildProtocol(addr)

    def connectionFailed(self, reason: Failure) -> None:
        self._cancelTimeout()
        self.transport = None
        self.state = "disconnected"
        self.factory.clientConnectionFailed(self, reason)
        if self.state == "disconnected":
            # The factory did not connect() again.
            self.factory.doStop()
            self._factoryStarted = False

    def connectionLost(self, reason: Failure) -> None:
        self.state = "disconnected"
        self.transport = None
        self.factory.clientConnectionLost(self, reason)
        if self.state == "disconnected":
            self.factory.doStop()
            self._factoryStarted = False

    def getDestination(self) -> IPv4Address | IPv6Address:
        """
        @return: The address being connected to.
        """
        if isIPv6Address(self.host):
            return IPv6Address("TCP", self.host, self.port)
        return IPv4Address("TCP", self.host, self.port)

    def __repr__(self) -> str:
        return f"<Connector to {self.host}:{self.port} {self.state}>"


__all__ = ["Client", "Connection", "Connector", "Port", "Server"]
