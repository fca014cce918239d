# UNIX datagram sockets: DatagramPort (listenUNIXDatagram: receive from
# anyone, send to any path) and ConnectedDatagramPort (connectUNIXDatagram:
# talk to one peer).
#
# How it works
# ------------
# A port is a reader registered with the reactor, not a FileDescriptor: it
# has no stream write buffer.  write() calls sendto()/send() at once and
# reports the outcome to its caller:
# - EMSGSIZE: MessageLengthError, naming the size and the limit;
# - EAGAIN (the receiver's queue is full -- unlike UDP, a UNIX datagram
#   socket notices): the datagram is dropped, as Twisted does; datagram
#   delivery is never guaranteed;
# - no socket at the path, or nothing bound to it any more: an OSError of
#   the same class (FileNotFoundError, ConnectionRefusedError), whose message
#   names the path; a connected port tells its protocol instead
#   (connectionRefused, if the protocol has one, else a logged warning).
#
# doRead receives with recvmsg() until the socket is empty or 256 KiB were
# read (so one busy socket cannot starve the others).  A datagram longer
# than maxPacketSize arrives cut short (MSG_TRUNC): it is dropped with a
# logged warning instead of being delivered incomplete.  An exception from
# datagramReceived is logged and the next datagram is delivered: one bad
# datagram never stops the port.
#
# The sender's address is what the kernel reports: a path (str), an abstract
# name (bytes starting with NUL), or None for an unbound socket, which
# cannot be answered.  A port bound to a file sets the file's mode after
# binding, and removes the file when it stops (if it is still the socket it
# bound).
from __future__ import annotations

import errno
import os
import socket
from typing import Any

from zope.interface import Interface, implementer

from torsion.internet._address import UNIXAddress
from torsion.internet._deferred import Deferred
from torsion.internet._errors import (
    CannotListenError,
    MessageLengthError,
    NotConnectingError,
)
from torsion.internet._ireactor import ILoggingContext, IReadDescriptor
from torsion.internet._ireactornet import IReactorUNIXDatagram
from torsion.internet._itransport import IConnector, IListeningPort
from torsion.internet._tcp import _firePortClosed, _stopListening
from torsion.internet._unix import (
    UNIXPath,
    _connectError,
    _describe,
    _isAbstract,
    _removeIfSame,
    _show,
)
from torsion.logger import Logger
from torsion.python.failure import Failure

_log = Logger(namespace="torsion.internet.unix")

_AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK)
_GONE = (errno.ENOENT, errno.ECONNREFUSED, errno.ENOTDIR, errno.ECONNRESET)
_MSG_TRUNC = getattr(socket, "MSG_TRUNC", 0)


class IUNIXDatagramTransport(Interface):
    """
    The transport of L{listenUNIXDatagram}: sends datagrams to any path.
    """

    def write(packet: bytes, addr: str | bytes) -> None:
        """
        Send C{packet} to the socket at C{addr}.
        """

    def getHost() -> UNIXAddress:
        """
        @return: This socket's address.
        """


class IUNIXDatagramConnectedTransport(Interface):
    """
    The transport of L{connectUNIXDatagram}: sends datagrams to its peer.
    """

    def write(packet: bytes) -> None:
        """
        Send C{packet} to the peer.
        """

    def getHost() -> UNIXAddress:
        """
        @return: This socket's address.
        """

    def getPeer() -> UNIXAddress:
        """
        @return: The peer's address.
        """


@implementer(IListeningPort, IReadDescriptor, ILoggingContext, IUNIXDatagramTransport)
class DatagramPort:
    """
    A UNIX datagram socket that receives from anyone and sends to any path.

    @ivar port: The address, as given (L{None}: unbound).
    @ivar maxPacketSize: The largest datagram delivered; longer ones are
        dropped.
    @ivar mode: The permissions given to the socket file.
    """

    maxThroughput = 256 * 1024

    def __init__(
        self,
        addr: UNIXPath | None,
        proto: Any,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
        reactor: Any = None,
    ) -> None:
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        self.reactor = reactor
        self.port = addr
        self.address: str | bytes | None = None if addr is None else os.fspath(addr)
        self.protocol = proto
        self.maxPacketSize = maxPacketSize
        self.mode = mode
        self.connected = 0
        self.disconnected = 0
        self.socket: socket.socket | None = None
        self._inode: tuple[int, int] | None = None
        self._closed: Deferred[None] | None = None
        self._reading = False

    def __repr__(self) -> str:
        where = "unbound" if self.address is None else _show(self.address)
        return f"<{type(self.protocol).__name__} on {where}>"

    def fileno(self) -> int:
        """
        @return: The socket's descriptor; -1 when closed.
        """
        return -1 if self.socket is None else self.socket.fileno()

    def logPrefix(self) -> str:
        """
        @return: The protocol's class name.
        """
        return type(self.protocol).__name__

    def getHandle(self) -> socket.socket | None:
        """
        @return: The socket; L{None} when closed.
        """
        return self.socket

    # -- starting -------------------------------------------------------------

    def _bind(self, skt: socket.socket, address: str | bytes) -> None:
        """
        Bind C{skt} to C{address} and set the file's mode.

        @raise OSError: If that fails (the socket file is removed again).
        """
        skt.bind(address)
        if _isAbstract(address):
            return
        try:
            info = os.stat(address)
            self._inode = (info.st_dev, info.st_ino)
            os.chmod(address, self.mode)
        except OSError:
            self._removeSocketFile()
            raise

    def _openSocket(self) -> socket.socket:
        """
        @return: A new socket, bound to C{self.address} if there is one.
        @raise CannotListenError: If it cannot be bound.
        """
        skt = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if self.address is not None:
            try:
                self._bind(skt, self.address)
            except OSError as e:
                skt.close()
                text = _describe(e, self.address)
                if e.errno == errno.EADDRINUSE:
                    text += f": {_show(self.address)} exists; remove it if nothing uses it"
                raise CannotListenError(
                    "", os.fsdecode(self.address), OSError(e.errno, text)
                ) from e
        skt.setblocking(False)
        return skt

    def startListening(self) -> None:
        """
        Bind, attach the protocol and start receiving.

        @raise CannotListenError: If the address cannot be bound.
        """
        self.socket = self._openSocket()
        self._connectToProtocol()

    def _connectToProtocol(self) -> None:
        self.connected = 1
        self.protocol.makeConnection(self)
        self.startReading()

    def startReading(self) -> None:
        """
        Watch for datagrams.
        """
        if not self._reading and self.connected:
            self._reading = True
            self.reactor.addReader(self)

    def stopReading(self) -> None:
        """
        Stop watching for datagrams.
        """
        if self._reading:
            self._reading = False
            self.reactor.removeReader(self)

    # -- receiving ------------------------------------------------------------

    def doRead(self) -> object:
        """
        Deliver the datagrams waiting (up to C{maxThroughput} bytes).
        """
        read = 0
        while read < self.maxThroughput and self.socket is not None:
            try:
                data, _, flags, sender = self.socket.recvmsg(self.maxPacketSize)
            except OSError as e:
                if e.errno in _AGAIN or e.errno == errno.EINTR:
                    return None
                self._receiveError(e)
                return None
            read += len(data)
            if flags & _MSG_TRUNC:
                _log.warn(
                    "Dropped a datagram from {sender!r} on {port!r}: longer than "
                    "maxPacketSize ({size} bytes); raise maxPacketSize to receive it",
                    sender=sender,
                    port=self,
                    size=self.maxPacketSize,
                )
                continue
            try:
                self._deliver(data, sender or None)
            except BaseException:
                _log.failure("Error in datagramReceived of {protocol!r}:", protocol=self.protocol)
        return None

    def _deliver(self, data: bytes, sender: str | bytes | None) -> None:
        self.protocol.datagramReceived(data, sender)

    def _receiveError(self, error: OSError) -> None:
        _log.warn("Error receiving on {port!r}: {error}", port=self, error=error)

    # -- sending --------------------------------------------------------------

    def _sendError(self, error: OSError, size: int, address: str | bytes) -> None:
        """
        Report a failed send to the caller (or drop the datagram).

        @raise MessageLengthError: For a datagram too large.
        @raise OSError: If nothing is bound at C{address}.
        """
        if error.errno in _AGAIN:
            return  # The receiver's queue is full: dropped, as datagrams may be.
        if error.errno == errno.EMSGSIZE:
            raise MessageLengthError(
                f"a {size}-byte datagram is too long for {_show(address)}; send smaller "
                "datagrams (the system's limit is net.core.wmem_max-sized)"
            ) from error
        raise type(error)(
            error.errno, f"{_describe(error, address)}: nothing is bound at {_show(address)}"
        ) from error

    def _sendingSocket(self, datagram: object) -> socket.socket | None:
        """
        The socket to send C{datagram} on.

        @return: The socket; L{None} when closed (the datagram is dropped).
        @raise TypeError: If C{datagram} is not bytes.
        """
        if self.socket is None:
            return None
        if not isinstance(datagram, bytes | bytearray | memoryview):
            raise TypeError(
                f"{type(self).__name__}.write() takes bytes, not {type(datagram).__name__}; "
                "encode text first"
            )
        return self.socket

    def write(self, datagram: bytes, address: UNIXPath) -> None:
        """
        Send C{datagram} to the socket bound at C{address}.

        @param datagram: The whole datagram.
        @param address: The receiver's path (or abstract name).
        @raise MessageLengthError: If the datagram is too long to send.
        @raise OSError: If nothing is bound at C{address} (the same class as
            the system's error, with the path in the message).
        @raise TypeError: If C{datagram} is not bytes.
        """
        skt = self._sendingSocket(datagram)
        if skt is None:
            return
        target = os.fspath(address)
        try:
            skt.sendto(datagram, target)
        except OSError as e:
            self._sendError(e, len(datagram), target)

    def getHost(self) -> UNIXAddress:
        """
        @return: This socket's address (C{UNIXAddress(None)} if unbound).
        """
        return UNIXAddress(self.address)

    def setLogStr(self) -> None:
        """
        Kept for Twisted compatibility; log prefixes are computed when used.
        """

    # -- stopping -------------------------------------------------------------

    def stopListening(self) -> Deferred[None]:
        """
        Stop receiving, close the socket and remove its file.

        @return: A Deferred firing once the port is closed.
        """
        return _stopListening(self)

    loseConnection = stopListening

    def _removeSocketFile(self) -> None:
        if self.address is None or self._inode is None:
            return
        _removeIfSame(self.address, self._inode)
        self._inode = None

    def connectionLost(self, reason: Failure | None = None) -> None:
        """
        The port is closed: close the socket, remove its file, detach the
        protocol.
        """
        self.stopReading()
        wasOpen = self.socket is not None
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        self._removeSocketFile()
        self.connected = 0
        self.disconnected = 1
        try:
            if wasOpen and self.protocol.transport is self:
                self.protocol.doStop()
        finally:
            _firePortClosed(self)


@implementer(IUNIXDatagramConnectedTransport, IConnector)
class ConnectedDatagramPort(DatagramPort):
    """
    A UNIX datagram socket connected to one peer.

    It is also the IConnector that C{connectUNIXDatagram} promises:
    C{disconnect} closes it, C{connect} opens it again afterwards.

    @ivar remoteaddr: The peer's address, as given.
    """

    def __init__(
        self,
        addr: UNIXPath,
        proto: Any,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
        bindAddress: UNIXPath | None = None,
        reactor: Any = None,
    ) -> None:
        super().__init__(bindAddress, proto, maxPacketSize, mode, reactor)
        self.remoteaddr = addr
        self._peerAddress: str | bytes = os.fspath(addr)

    def __repr__(self) -> str:
        return f"<{type(self.protocol).__name__} connected to {_show(self._peerAddress)}>"

    def startListening(self) -> None:
        """
        Bind (if asked to), connect to the peer and start receiving; if that
        fails, the protocol's C{connectionFailed} hears why.

        @raise CannotListenError: If C{bindAddress} cannot be bound.
        """
        skt = self._openSocket()
        try:
            skt.connect(self._peerAddress)
        except OSError as e:
            skt.close()
            self._removeSocketFile()
            self.connectionFailed(Failure(_connectError(e, self._peerAddress)))
            return
        self.socket = skt
        self._connectToProtocol()

    def connectionFailed(self, reason: Failure) -> None:
        """
        Connecting failed: close, and tell the protocol.
        """
        self.loseConnection()
        self.protocol.connectionFailed(reason)

    def _deliver(self, data: bytes, sender: str | bytes | None) -> None:
        self.protocol.datagramReceived(data)

    def _refused(self, error: OSError) -> None:
        refused = getattr(self.protocol, "connectionRefused", None)
        if refused is not None:
            refused()
        else:
            _log.warn(
                "Datagrams to {peer} are refused: {error}",
                peer=_show(self._peerAddress),
                error=_describe(error, self._peerAddress),
            )

    def _receiveError(self, error: OSError) -> None:
        if error.errno in _GONE:
            self._refused(error)
        else:
            super()._receiveError(error)

    def write(self, datagram: bytes) -> None:  # type: ignore[override]
        """
        Send C{datagram} to the peer.

        @param datagram: The whole datagram.
        @raise MessageLengthError: If the datagram is too long to send.
        @raise TypeError: If C{datagram} is not bytes.
        """
        skt = self._sendingSocket(datagram)
        if skt is None:
            return
        try:
            skt.send(datagram)
        except OSError as e:
            if e.errno in _GONE:
                self._refused(e)
                return
            self._sendError(e, len(datagram), self._peerAddress)

    def getPeer(self) -> UNIXAddress:
        """
        @return: The peer's address.
        """
        return UNIXAddress(self._peerAddress)

    # -- IConnector -----------------------------------------------------------

    def getDestination(self) -> UNIXAddress:
        """
        @return: The peer's address.
        """
        return self.getPeer()

    def disconnect(self) -> None:
        """
        Close the socket (as L{stopListening}).
        """
        self.stopListening()

    def stopConnecting(self) -> None:
        """
        Refuse: a UNIX datagram socket connects at once, so there is never an
        attempt to stop.

        @raise NotConnectingError: Always.
        """
        raise NotConnectingError(
            f"{self!r} is not connecting (UNIX datagram sockets connect at once); "
            "use disconnect() to close it"
        )

    def connect(self) -> None:
        """
        Open the socket again after L{disconnect}.

        @raise RuntimeError: If it is open, or still closing.
        """
        if self.socket is not None or self._closed is not None:
            raise RuntimeError(f"cannot connect() {self!r}: it is still open; disconnect() first")
        self.disconnected = 0
        self.startListening()


@implementer(IReactorUNIXDatagram)
class UNIXDatagramReactorMixin:
    """
    listenUNIXDatagram and connectUNIXDatagram (IReactorUNIXDatagram).
    """

    def listenUNIXDatagram(
        self,
        address: UNIXPath,
        protocol: Any,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
    ) -> DatagramPort:
        """
        Receive datagrams on a UNIX socket.

        @param address: The socket's path (or abstract name, starting with
            NUL).
        @param protocol: A DatagramProtocol: C{datagramReceived(data, addr)}
            for each datagram; C{transport.write(data, addr)} answers.
        @param maxPacketSize: The largest datagram delivered; longer ones
            are dropped with a logged warning.
        @param mode: The permissions of the socket file.
        @return: The port.
        @raise torsion.internet.error.CannotListenError: If it cannot bind.
        """
        port = DatagramPort(address, protocol, maxPacketSize, mode, self)
        port.startListening()
        return port

    def connectUNIXDatagram(
        self,
        address: UNIXPath,
        protocol: Any,
        maxPacketSize: int = 8192,
        mode: int = 0o666,
        bindAddress: UNIXPath | None = None,
    ) -> ConnectedDatagramPort:
        """
        Open a UNIX datagram socket that talks to the one at C{address}.

        @param address: The peer's path (or abstract name).
        @param protocol: A ConnectedDatagramProtocol: C{datagramReceived(data)}
            for each datagram, C{connectionFailed(reason)} if the peer is not
            there.
        @param maxPacketSize: The largest datagram delivered.
        @param mode: The permissions of the C{bindAddress} socket file.
        @param bindAddress: A path to bind to first, so that the peer can
            answer; L{None} leaves the socket unnamed.
        @return: The port.
        @raise torsion.internet.error.CannotListenError: If C{bindAddress}
            cannot be bound.
        """
        port = ConnectedDatagramPort(address, protocol, maxPacketSize, mode, bindAddress, self)
        port.startListening()
        return port


__all__ = [
    "ConnectedDatagramPort",
    "DatagramPort",
    "IUNIXDatagramConnectedTransport",
    "IUNIXDatagramTransport",
    "UNIXDatagramReactorMixin",
]
