# UNIX stream sockets: connections, listening ports and client connectors
# over AF_UNIX, plus passing file descriptors between processes.
#
# How it works
# ------------
# The classes subclass their TCP counterparts in _tcp.py and change only what
# differs: addresses are UNIXAddress values (a path, an abstract name, or None
# for an unnamed socket), a listening port owns a file in the file system,
# and a connection can carry descriptors.
#
# Addresses: a str, bytes or path-like object names a file; one that starts
# with a NUL ("\0name" or b"\0name") is a name in Linux's abstract namespace,
# which has no file (nothing to chmod, unlink or lock).
#
# Port.startListening, with wantPID, first takes a FilesystemLock at
# "<address>.lock" (a symlink naming our pid).  A lock held by a live process
# means another server owns the address: CannotListenError.  A lock whose
# holder died is broken and taken over, and the socket file the dead server
# left behind is removed, so that bind() succeeds.  Then it binds, chmods
# the file to `mode`, and listens.  connectionLost removes the file (only if
# it is still the socket we bound: same device and inode) and the lock.
#
# Client connects without blocking.  A UNIX connect() finishes at once:
# it succeeds, or fails with ENOENT (no file), ECONNREFUSED (a file that
# nothing listens on), ... -- except when the listener's backlog is full,
# where Linux answers EAGAIN and the socket does not become "connected
# later".  Polling would report it writable at once (a busy loop), so the
# attempt is retried on a timer, backing off from 5 ms to 250 ms, until it
# succeeds or the connector's timeout fires.  OS errors become ConnectError
# subclasses once, here, naming the path: ECONNREFUSED ->
# ConnectionRefusedError, a missing or unusable path -> BadFileError.
# Connector is TCP's with a UNIX Client as its transport, so a socket()
# that fails (out of descriptors) fails the attempt on the next turn, as
# for TCP, instead of raising from connectUNIX().
#
# Descriptor passing (SCM_RIGHTS)
# -------------------------------
# sendFileDescriptor(fd) dups fd at once (so the caller may close its copy)
# and queues the dup.  The kernel can only carry a descriptor with at least
# one byte of data, so writeSomeData sends each queued descriptor with one
# byte from the front of the write buffer (one sendmsg per descriptor), then
# the rest of the data with send(); the dup is closed once sent.  Because
# writes go out at once when the transport is idle, the usual
#     transport.sendFileDescriptor(fd); transport.write(b"x")
# sends the descriptor with that b"x".  A descriptor needs a byte: if, when
# the transport next writes, fewer bytes are buffered than descriptors
# queued, the connection is closed with FileDescriptorOverrun.  More than
# `_fileDescriptorBufferSize` queued descriptors count as a full buffer for
# flow control (a streaming producer is paused).
#
# doRead uses recvmsg() with room for `_fileDescriptorBufferSize`
# descriptors (Linux returns at most one descriptor-carrying message per
# call); it costs a fraction of a microsecond more than recv(), and it is
# the only way to see descriptors.  Received descriptors are close-on-exec.
# They go to the protocol's fileDescriptorReceived, one by one, before
# dataReceived gets the bytes that carried them; a protocol that does not
# provide IFileDescriptorReceiver gets nothing: they are closed and a
# warning is logged.  If the kernel had to discard descriptors because more arrived in
# one message than fit (MSG_CTRUNC), the bytes are still delivered and the
# connection is then closed with FileDescriptorOverrun: the peer broke the
# one-descriptor-per-byte framing and the protocol cannot know what it lost.
from __future__ import annotations

import errno
import os
import socket
import stat
import struct
from collections import deque
from typing import Any, Union, cast

from zope.interface import implementer

from torsion.internet import _tcp
from torsion.internet._abstract import FileDescriptor
from torsion.internet._address import UNIXAddress
from torsion.internet._errors import (
    BadFileError,
    CannotListenError,
    ConnectError,
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    FileDescriptorOverrun,
    getConnectError,
)
from torsion.internet._itransport import IFileDescriptorReceiver, IListeningPort, IUNIXTransport
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.python.lockfile import FilesystemLock, isLocked

_log = Logger(namespace="torsion.internet.unix")

UNIXPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_RECV_FLAGS = getattr(socket, "MSG_CMSG_CLOEXEC", 0)
_MSG_CTRUNC = getattr(socket, "MSG_CTRUNC", 0)
_INT = struct.Struct("i")
_MISSING_PATH = (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ENOTSOCK, errno.ELOOP)


def _isAbstract(address: str | bytes) -> bool:
    """
    @return: Whether C{address} names a socket in Linux's abstract namespace.
    """
    return address[:1] in ("\0", b"\0")


def _show(address: str | bytes) -> str:
    """
    @return: C{address} as text for error messages (quoted, NUL shown).
    """
    return repr(os.fsdecode(address))


def _describe(error: OSError, address: str | bytes) -> str:
    """
    @return: The OS error's text, with the path's length when the path is
        too long for a socket address.
    """
    text = error.strerror or str(error)
    if "too long" in text:
        size = len(os.fsencode(address))
        text = f"{text} ({size} bytes; AF_UNIX allows about 100): use a shorter path"
    return text


def _removeIfSame(path: str | bytes, inode: tuple[int, int] | None) -> None:
    """
    Remove the file at C{path} if it is still the one whose C{(st_dev,
    st_ino)} is C{inode} (and not one another process put there since);
    errors are ignored.
    """
    try:
        info = os.lstat(path)
        if (info.st_dev, info.st_ino) == inode:
            os.remove(path)
    except OSError:
        pass


def _connectError(error: OSError, address: str | bytes) -> ConnectError:
    """
    Translate an error from connecting to a UNIX socket into a
    L{ConnectError} that names the path.

    @param error: What connect() raised or returned.
    @param address: The path connected to.
    @return: The error to fail the connection attempt with.
    """
    number = error.errno
    where = _show(address)
    text = _describe(error, address)
    if number == errno.ECONNREFUSED:
        return ConnectionRefusedError(
            number,
            string=f"{text}: nothing listens on UNIX socket {where} (a server that died "
            "may have left the file behind)",
        )
    if number == errno.ENOENT:
        return BadFileError(
            number,
            string=f"{text}: no UNIX socket at {where}; start the server first, or check the path",
        )
    if number in _MISSING_PATH or number is None:
        return BadFileError(number, string=f"{text}: cannot connect to UNIX socket {where}")
    result = getConnectError(error)
    result.args = (f"{text}, connecting to UNIX socket {where}",)
    return result


@implementer(IUNIXTransport)
class Connection(_tcp.Connection):
    """
    A UNIX stream connection, which can also pass file descriptors.

    @ivar _fileDescriptorBufferSize: The most descriptors received per read,
        and the number of queued outgoing ones past which the write buffer
        counts as full.
    """

    _fileDescriptorBufferSize = 64
    _unixHost: UNIXAddress
    _unixPeer: UNIXAddress

    # Descriptors go out with bytes through writeSomeData (sendmsg), so the
    # TCP connection's write, which sends directly, does not apply.
    write = FileDescriptor.write

    def __init__(self, skt: socket.socket, protocol: Any, reactor: Any = None) -> None:
        # Not super(): Client's next base is _tcp.Client, whose constructor
        # connects; the socket set-up is _tcp.Connection's.
        _tcp.Connection.__init__(self, skt, protocol, reactor)
        self._fdQueue: deque[int] = deque()
        self._ancillarySpace = socket.CMSG_SPACE(self._fileDescriptorBufferSize * _INT.size)

    # -- sending descriptors --------------------------------------------------

    def sendFileDescriptor(self, descriptor: int) -> None:
        """
        Send a copy of C{descriptor} to the peer with the next byte sent.

        The descriptor is duplicated at once: the caller may close its own
        copy when this returns.  Write at least one byte per descriptor, in
        the same reactor turn; otherwise the connection is closed with
        L{torsion.internet.error.FileDescriptorOverrun}.

        @param descriptor: A file descriptor open in this process.
        @raise TypeError: If C{descriptor} is not an int.
        @raise OSError: If C{descriptor} is not open (C{EBADF}).
        """
        if type(cast(object, descriptor)) is not int:
            raise TypeError(
                f"sendFileDescriptor() takes a file descriptor number (int), not "
                f"{type(descriptor).__name__} {descriptor!r}; pass f.fileno() for a file "
                "or socket object"
            )
        if not self.connected or self._writeDisconnected:
            return
        try:
            copy = os.dup(descriptor)
        except OSError as e:
            raise OSError(
                e.errno,
                f"cannot send file descriptor {descriptor}: {e.strerror}; "
                "pass a descriptor that is open in this process",
            ) from e
        self._fdQueue.append(copy)
        self._checkHighWater()
        self.startWriting()

    def _checkHighWater(self) -> None:
        super()._checkHighWater()
        producer = self.producer
        if (
            producer is not None
            and self.streamingProducer
            and not self.producerPaused
            and len(self._fdQueue) > self._fileDescriptorBufferSize
        ):
            self.producerPaused = True
            producer.pauseProducing()

    def writeSomeData(self, data: bytes | memoryview) -> int | BaseException:
        """
        Send queued descriptors, one with each byte at the front of C{data},
        then as much of the rest as the kernel takes.

        @return: The number of bytes sent, or an exception to disconnect with.
        """
        queue = self._fdQueue
        if not queue:
            return super().writeSomeData(data)
        sent = 0
        end = len(data)
        sendmsg = self.socket.sendmsg
        while queue and sent < end:
            descriptor = queue[0]
            rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, _INT.pack(descriptor))]
            try:
                sendmsg([data[sent : sent + 1]], rights)
            except OSError as e:
                if e.errno in _tcp._AGAIN:
                    return sent
                return ConnectionLost(os.strerror(e.errno) if e.errno else str(e))
            queue.popleft()
            os.close(descriptor)
            sent += 1
        if sent == end:
            return sent
        rest = super().writeSomeData(data[sent:])
        if isinstance(rest, BaseException):
            return rest
        return sent + rest

    def _sendFileSome(self, fd: int, offset: int, count: int) -> int | BaseException | None:
        queue = self._fdQueue
        if not queue:
            return super()._sendFileSome(fd, offset, count)
        # Queued descriptors each ride on a byte sent with sendmsg: read
        # just the bytes of the file that carry them.
        try:
            data = os.pread(fd, min(count, len(queue)), offset)
        except OSError as e:
            return e  # the file's fault: that range fails, the connection goes on
        if not data:
            return 0
        sent = self.writeSomeData(data)
        return None if sent == 0 else sent

    def doWrite(self) -> object:
        """
        Send buffered data and descriptors; close with
        L{FileDescriptorOverrun} if descriptors outnumber the bytes to carry
        them.
        """
        queue = self._fdQueue
        if queue and len(queue) > self._bufferedBytes:
            return FileDescriptorOverrun(
                f"{len(queue)} file descriptor(s) waiting to be sent but only "
                f"{self._bufferedBytes} byte(s) buffered to carry them; write at least "
                "one byte after each sendFileDescriptor() call, in the same reactor turn"
            )
        return super().doWrite()

    # -- receiving ------------------------------------------------------------

    def doRead(self) -> object:
        """
        Receive bytes and descriptors and give them to the protocol,
        descriptors first.
        """
        try:
            data, ancillary, flags, _ = self.socket.recvmsg(
                self.bufferSize, self._ancillarySpace, _RECV_FLAGS
            )
        except OSError as e:
            if e.errno in _tcp._AGAIN:
                return None
            return ConnectionLost(os.strerror(e.errno) if e.errno else str(e))
        if ancillary:
            self._ancillaryReceived(ancillary)
        if not data:
            return ConnectionDone()
        self.protocol.dataReceived(data)
        if flags & _MSG_CTRUNC:
            return FileDescriptorOverrun(
                f"the peer sent more file descriptors in one message than the "
                f"{self._fileDescriptorBufferSize} a read accepts; the kernel discarded the "
                "rest (send each descriptor with its own byte)"
            )
        return None

    def _ancillaryReceived(self, ancillary: list[tuple[int, int, bytes]]) -> None:
        """
        Give received descriptors to the protocol, or close them.
        """
        descriptors: list[int] = []
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                usable = len(payload) - len(payload) % _INT.size
                descriptors.extend(n for (n,) in _INT.iter_unpack(payload[:usable]))
            else:
                _log.warn(
                    "Ignored ancillary data (level {level}, type {kind}) received on {transport!r}",
                    level=level,
                    kind=kind,
                    transport=self,
                )
        if not descriptors:
            return
        protocol = self.protocol
        if not IFileDescriptorReceiver.providedBy(protocol):
            for descriptor in descriptors:
                os.close(descriptor)
            _log.warn(
                "{protocol} does not provide IFileDescriptorReceiver; closed {count} file "
                "descriptor(s) received from {peer!r}",
                protocol=type(protocol).__name__,
                count=len(descriptors),
                peer=self.getPeer(),
            )
            return
        for index, descriptor in enumerate(descriptors):
            try:
                protocol.fileDescriptorReceived(descriptor)
            except BaseException:
                # The protocol never saw the rest: do not leak them.
                for unseen in descriptors[index + 1 :]:
                    os.close(unseen)
                raise

    # -- the rest -------------------------------------------------------------

    def connectionLost(self, reason: Failure) -> None:
        """
        Close descriptors that were never sent, then lose the connection.
        """
        queue = self._fdQueue
        while queue:
            os.close(queue.popleft())
        super().connectionLost(reason)

    def getHost(self) -> UNIXAddress:  # type: ignore[override]  # UNIX, not IP
        """
        @return: This end's address (C{UNIXAddress(None)} if unnamed).
        """
        return self._unixHost

    def getPeer(self) -> UNIXAddress:  # type: ignore[override]  # UNIX, not IP
        """
        @return: The peer's address (C{UNIXAddress(None)} if unnamed).
        """
        return self._unixPeer

    def getTcpNoDelay(self) -> bool:
        """
        @return: False: there is no Nagle's algorithm on UNIX sockets.
        """
        return False

    def setTcpNoDelay(self, enabled: bool) -> None:
        """
        Do nothing: there is no Nagle's algorithm on UNIX sockets.
        """

    def getTcpKeepAlive(self) -> bool:
        """
        @return: False: there are no keepalives on UNIX sockets.
        """
        return False

    def setTcpKeepAlive(self, enabled: bool) -> None:
        """
        Do nothing: there are no keepalives on UNIX sockets.
        """


class Server(Connection, _tcp.Server):
    """
    The transport of a connection accepted by a UNIX L{Port}.
    """

    server: Port

    def __init__(
        self,
        skt: socket.socket,
        protocol: Any,
        client: UNIXAddress,
        server: Port,
        sessionno: int,
        reactor: Any,
    ) -> None:
        Connection.__init__(self, skt, protocol, reactor)
        self.server = server
        self.sessionno = sessionno
        self._unixPeer = client
        self._unixHost = server.getHost()
        self.connected = 1
        self.startReading()

    def __repr__(self) -> str:
        return f"<{self.logPrefix()} #{self.sessionno} on {_show(self.server.address)}>"


@implementer(IListeningPort)
class Port(_tcp.Port):
    """
    A listening UNIX stream socket.

    @ivar port: The address, as given.
    @ivar mode: The permissions given to the socket file.
    @ivar lockFile: The lock held next to the socket with C{wantPID}, else
        L{None}.
    """

    addressFamily = socket.AF_UNIX
    transportFactory = Server
    port: UNIXPath  # type: ignore[assignment]  # a path, where TCP's is a number

    def __init__(
        self,
        fileName: UNIXPath,
        factory: Any,
        backlog: int = 50,
        mode: int = 0o666,
        reactor: Any = None,
        wantPID: bool | int = 0,
    ) -> None:
        super().__init__(0, factory, backlog, "", reactor)
        self.port = fileName
        self.address: str | bytes = os.fspath(fileName)
        self.mode = mode
        self.wantPID = bool(wantPID)
        self.lockFile: FilesystemLock | None = None
        self._inode: tuple[int, int] | None = None
        if self.wantPID and _isAbstract(self.address):
            raise ValueError(
                f"wantPID=True needs a file-system path, but {_show(self.address)} is in "
                "the abstract namespace, which has no file to lock; drop wantPID (an "
                "abstract name disappears with its socket, so nothing stale is left)"
            )

    def __repr__(self) -> str:
        state = "" if self.connected else " (not listening)"
        return f"<{type(self.factory).__name__} on {_show(self.address)}{state}>"

    def _cannotListen(self, error: OSError) -> CannotListenError:
        return CannotListenError("", os.fsdecode(self.address), error)

    def _lock(self) -> None:
        """
        Take the C{.lock} file, removing a dead server's socket file.

        @raise CannotListenError: If a live process holds the lock.
        """
        lockName = os.fsdecode(self.address) + ".lock"
        lock = FilesystemLock(lockName)
        try:
            taken = lock.lock()
        except OSError as e:
            raise self._cannotListen(
                OSError(e.errno, f"cannot create the lock {lockName!r}: {e.strerror}")
            ) from e
        if not taken:
            try:
                holder = os.readlink(lockName)
            except OSError:
                holder = "another process"
            raise self._cannotListen(
                OSError(
                    errno.EADDRINUSE,
                    f"the lock {lockName!r} is held by live process {holder}; stop that "
                    "server or listen on another path",
                )
            )
        self.lockFile = lock
        if not lock.clean:
            # The lock's holder died; the socket it left behind is stale.
            try:
                if stat.S_ISSOCK(os.lstat(self.address).st_mode):
                    os.remove(self.address)
            except OSError:
                pass  # bind() reports whatever is still wrong

    def _unlock(self) -> None:
        lock, self.lockFile = self.lockFile, None
        if lock is not None and lock.locked:
            try:
                lock.unlock()
            except (OSError, ValueError):
                _log.failure("Could not remove the lock {name!r}:", name=lock.name)

    def startListening(self) -> None:
        """
        Take the lock (with C{wantPID}), bind, set the file's mode, listen
        and start accepting.

        @raise CannotListenError: If the address cannot be bound, or another
            live server holds its lock.
        """
        if self.wantPID:
            self._lock()
        address = self.address
        abstract = _isAbstract(address)
        skt = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        bound = False
        try:
            skt.bind(address)
            bound = True
            if not abstract:
                info = os.stat(address)
                self._inode = (info.st_dev, info.st_ino)
                os.chmod(address, self.mode)
            skt.listen(self.backlog)
        except OSError as e:
            skt.close()
            if bound and not abstract:
                self._removeSocketFile()
            self._unlock()
            text = _describe(e, address)
            if e.errno == errno.EADDRINUSE:
                text += (
                    f": {_show(address)} exists; remove it if no server uses it any more, "
                    "or listen with wantPID=True to have a dead server's file cleaned up"
                )
            raise self._cannotListen(OSError(e.errno, text)) from e
        self._startAccepting(skt)

    def _removeSocketFile(self) -> None:
        """
        Remove the socket file, if it is still the one this port bound.
        """
        _removeIfSame(self.address, self._inode)
        self._inode = None

    def getHost(self) -> UNIXAddress:  # type: ignore[override]  # UNIX, not IP
        """
        @return: The address the port listens on.
        """
        return UNIXAddress(self.address)

    def _clientAddress(self, addr: Any) -> UNIXAddress:
        return UNIXAddress(addr or None)

    def connectionLost(self, reason: Failure) -> None:
        """
        The port is closed: remove the socket file and the lock, close the
        socket, stop the factory.
        """
        if self._inode is not None:
            self._removeSocketFile()
        self._unlock()
        super().connectionLost(reason)


class Client(Connection, _tcp.Client):
    """
    The transport of an outgoing UNIX connection, while connecting and after.
    """

    _firstRetryDelay = 0.005
    _maxRetryDelay = 0.25

    def __init__(
        self,
        filename: UNIXPath,
        connector: Connector,
        reactor: Any = None,
        checkPID: bool | int = 0,
    ) -> None:
        self.connector = connector
        self.address: str | bytes = os.fspath(filename)
        Connection.__init__(self, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM), None, reactor)
        self._connecting = True
        self._retryCall: Any = None
        self._retryDelay = 0.0
        self._unixPeer = UNIXAddress(self.address)
        self._unixHost = UNIXAddress(None)
        if checkPID and not isLocked(os.fsdecode(self.address) + ".lock"):
            self._failLater(
                BadFileError(
                    string=f"no live process holds {os.fsdecode(self.address) + '.lock'!r}, "
                    "so no server is listening on it (checkPID=True needs a server "
                    "started with wantPID=True)"
                )
            )
        else:
            self.reactor.callLater(0, self._tryConnecting)

    def _tryConnecting(self) -> None:
        self._retryCall = None
        if not self._connecting:
            return
        try:
            result = self.socket.connect_ex(self.address)
        except OSError as e:
            self.failIfNotConnected(_connectError(e, self.address))
            return
        if result in (0, errno.EISCONN):
            self._connectDone()
        elif result in (errno.EAGAIN, errno.EWOULDBLOCK):
            # The listener's backlog is full: try again a little later.
            self._retryDelay = min(
                self._maxRetryDelay, self._retryDelay * 2 or self._firstRetryDelay
            )
            self._retryCall = self.reactor.callLater(self._retryDelay, self._tryConnecting)
        elif result in (errno.EINPROGRESS, errno.EALREADY, errno.EINTR):
            self.startWriting()
        else:
            self.failIfNotConnected(
                _connectError(OSError(result, os.strerror(result)), self.address)
            )

    def doWrite(self) -> object:
        """
        Finish a pending connect, or send buffered data.
        """
        if self._connecting:
            error = self.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                self.failIfNotConnected(
                    _connectError(OSError(error, os.strerror(error)), self.address)
                )
                return None
            self.stopWriting()
            self._connectDone()
            return None
        return super().doWrite()

    def _connectedAddresses(self) -> UNIXAddress:
        try:
            self._unixHost = UNIXAddress(self.socket.getsockname() or None)
        except OSError:
            pass
        return self._unixPeer

    def failIfNotConnected(self, err: BaseException) -> None:
        """
        Fail the attempt with C{err}, unless it already succeeded.
        """
        if self._retryCall is not None and self._retryCall.active():
            self._retryCall.cancel()
        self._retryCall = None
        super().failIfNotConnected(err)

    def __repr__(self) -> str:
        return f"<UNIX Client to {_show(self.address)}>"


class Connector(_tcp.Connector):
    """
    Connects a ClientFactory to a UNIX socket (IConnector).

    @ivar address: The socket's path, as given.
    """

    def __init__(
        self,
        address: UNIXPath,
        factory: Any,
        timeout: float | None,
        reactor: Any,
        checkPID: bool | int = 0,
    ) -> None:
        super().__init__("", 0, factory, timeout, None, reactor)
        self.address = address
        self.checkPID = checkPID
        if checkPID and _isAbstract(os.fspath(address)):
            raise ValueError(
                f"checkPID=True needs a file-system path, but {_show(os.fspath(address))} "
                "is in the abstract namespace, which has no lock file; drop checkPID"
            )

    def _makeTransport(self) -> Client:
        """
        @return: The transport of a new attempt, which starts it.
        @raise OSError: If it cannot have a socket (out of descriptors, say).
        """
        return Client(self.address, self, self.reactor, self.checkPID)

    def getDestination(self) -> UNIXAddress:  # type: ignore[override]  # UNIX, not IP
        """
        @return: The address being connected to.
        """
        return UNIXAddress(os.fspath(self.address))

    def __repr__(self) -> str:
        return f"<Connector to {_show(os.fspath(self.address))} {self.state}>"


class UNIXReactorMixin:
    """
    listenUNIX and connectUNIX (IReactorUNIX), for reactors with
    descriptor-based I/O.
    """

    def listenUNIX(
        self,
        address: UNIXPath,
        factory: Any,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: bool | int = 0,
    ) -> Port:
        """
        Listen for connections on a UNIX socket.

        @param address: The socket's path; one starting with a NUL
            (C{"\\0name"}) is a name in Linux's abstract namespace.
        @param factory: Builds a protocol for each connection.
        @param backlog: The most connections the kernel queues for accepting.
        @param mode: The permissions of the socket file (not a umask).
        @param wantPID: Hold C{<address>.lock} while listening: fail if a live
            process holds it, take it over (removing the stale socket file)
            if its holder died.
        @return: The listening port.
        @raise torsion.internet.error.CannotListenError: If it cannot listen.
        @raise ValueError: For C{wantPID} with an abstract address.
        """
        port = Port(address, factory, backlog, mode, self, wantPID)
        port.startListening()
        return port

    def connectUNIX(
        self,
        address: UNIXPath,
        factory: Any,
        timeout: float = 30,
        checkPID: bool | int = 0,
    ) -> Connector:
        """
        Connect C{factory} to a UNIX socket.

        @param address: The socket's path (or abstract name, see
            L{listenUNIX}).
        @param factory: A ClientFactory; it hears how the attempt went.
        @param timeout: Seconds to wait before failing with
            L{torsion.internet.error.TimeoutError}.
        @param checkPID: Fail at once (with
            L{torsion.internet.error.BadFileError}) unless a live process
            holds C{<address>.lock}.
        @return: The connector.
        @raise ValueError: For C{checkPID} with an abstract address.
        """
        connector = Connector(address, factory, timeout, self, checkPID)
        connector.connect()
        return connector


__all__ = ["Client", "Connection", "Connector", "Port", "Server", "UNIXReactorMixin"]
