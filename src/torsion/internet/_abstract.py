# FileDescriptor: the write buffer, flow control and closing logic shared by
# every stream transport (TCP, UNIX, pipes, stdio).  Subclasses supply
# fileno(), doRead() and writeSomeData(data).
#
# How writing works
# -----------------
# write() on an idle transport (nothing buffered) sends at once; whatever the
# kernel does not take, and anything written while data is still buffered,
# goes to `_buffer` (a deque of chunks) and the transport starts watching
# for writability.  doWrite() sends as much as the
# kernel takes, in slices of at most SEND_LIMIT bytes (small chunks are
# joined so that many tiny writes cost one system call), and stops watching
# once the buffer is empty.
#
# Flow control:
# - a registered *streaming* producer is paused when the buffer grows past
#   `bufferSize` (the high-water mark) and resumed once it drains to
#   `lowWaterMark`; so a fast producer writing into a slow peer never has
#   more than the high-water mark plus one write outstanding;
# - a *pull* producer is asked for more (resumeProducing) whenever the
#   buffer is empty;
# - pauseProducing()/resumeProducing() on the transport itself stop and
#   restart reading, so a protocol can push back on its peer.
#
# File ranges (ISendFileTransport, on socket connections): sendFile() puts a
# _FileRange in the buffer between the byte chunks, so it keeps its place in
# the stream; doWrite() hands it to _sendFileSome (sendfile(2) on sockets)
# until it is all sent, fires its Deferred, and goes on with what follows.
# Its bytes count as buffered for flow control.  A file that ends early
# fails the Deferred with EOFError (its unsent bytes are dropped); a lost
# connection fails every queued range with the reason.
#
# Closing:
# - loseConnection(): stop reading, send what is buffered, then close
#   (connectionLost with ConnectionDone); with nothing buffered, on a
#   reactor that offers _callSoon (the polling reactors), the close comes
#   as soon as the event being handled is done (or on the loop's next turn
#   if no event is), without a round of watching for writability;
# - loseWriteConnection(): send what is buffered, then shut down the write
#   side only (_closeWriteConnection), keep reading;
# - connectionLost(reason): stop everything, tell the producer to stop.
from __future__ import annotations

import fcntl
import ipaddress
import os
import stat
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from zope.interface import implementer

from torsion.internet._errors import ConnectionDone
from torsion.internet._ireactor import ILoggingContext, IReadWriteDescriptor
from torsion.internet._itransport import IConsumer, IPushProducer, ITransport
from torsion.python.failure import Failure

if TYPE_CHECKING:
    from torsion.internet._deferred import Deferred

_connectionDone = Failure(ConnectionDone())


class _FileRange:
    """
    A part of a file waiting in a transport's buffer for sendfile(2).

    @ivar fd: The file's descriptor (the caller keeps the file open).
    @ivar offset: Where the unsent part starts.
    @ivar left: How many bytes are still to send.
    @ivar count: How many bytes the range had at first.
    @ivar deferred: Fires with C{count} when all were sent.
    """

    __slots__ = ("count", "deferred", "fd", "left", "offset")

    def __init__(self, fd: int, offset: int, count: int) -> None:
        from torsion.internet._deferred import Deferred

        self.fd = fd
        self.offset = offset
        self.left = self.count = count
        self.deferred: Deferred[int] = Deferred()

    def __repr__(self) -> str:
        return f"<file range: fd {self.fd}, offset {self.offset}, {self.left} bytes left>"


#: The most bytes asked of one sendfile(2) call (Linux sends at most
#: 0x7ffff000 per call anyway), and the end of the largest file range.
_SENDFILE_MOST = 2**30
_LARGEST_OFFSET = 2**63 - 1

#: What a transport's write buffer holds.
_Chunk = bytes | memoryview | _FileRange


def isIPAddress(addr: str, family: int | None = None) -> bool:
    """
    @return: Whether C{addr} is a dotted-quad IPv4 address.
    """
    try:
        ipaddress.IPv4Address(addr)
    except ValueError:
        return False
    return True


def isIPv6Address(addr: str) -> bool:
    """
    @return: Whether C{addr} is an IPv6 address (with an optional C{%scope}).
    """
    base = addr.split("%", 1)[0]
    try:
        ipaddress.IPv6Address(base)
    except ValueError:
        return False
    return True


@implementer(IPushProducer, IReadWriteDescriptor, IConsumer, ITransport, ILoggingContext)
class FileDescriptor:
    """
    A transport over a non-blocking file descriptor, driven by the reactor.

    @ivar bufferSize: The write buffer's high-water mark, in bytes: a
        streaming producer is paused past it.
    @ivar lowWaterMark: A paused producer is resumed once the buffer has
        drained to this many bytes.
    """

    connected = 0
    disconnected = 0
    disconnecting = 0
    _writeDisconnecting = False
    _writeDisconnected = False
    producer: Any = None
    streamingProducer = False
    producerPaused = False
    bufferSize = 2**16
    lowWaterMark = 2**14
    SEND_LIMIT = 2**18
    writeThrough = True
    _writeError: BaseException | None = None

    def __init__(self, reactor: Any = None) -> None:
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        self.reactor = reactor
        # The write buffer is made on first use: most connections of a busy
        # server are idle, and an empty deque costs ~600 bytes each.
        self._buffer: deque[_Chunk] | tuple[()] = ()
        self._bufferedBytes = 0
        self._reading = False
        self._writing = False

    # -- to override --------------------------------------------------------

    def fileno(self) -> int:
        """
        @return: The descriptor; -1 once closed.
        """
        return -1

    def writeSomeData(self, data: bytes | memoryview) -> int | BaseException:
        """
        Write as much of C{data} as the kernel takes now.

        @return: The number of bytes written, or an exception to disconnect
            with.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement writeSomeData")

    def doRead(self) -> object:
        """
        Read what is available.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement doRead")

    def _closeWriteConnection(self) -> None:
        """
        Shut down the write side (for half-close); subclasses override.
        """

    def logPrefix(self) -> str:
        """
        @return: The prefix for log messages about this transport.
        """
        return "-"

    # -- reading ------------------------------------------------------------

    def startReading(self) -> None:
        """
        Watch for readability.
        """
        if not self._reading:
            self._reading = True
            self.reactor.addReader(self)

    def stopReading(self) -> None:
        """
        Stop watching for readability.
        """
        if self._reading:
            self._reading = False
            self.reactor.removeReader(self)

    def startWriting(self) -> None:
        """
        Watch for writability.
        """
        if not self._writing:
            self._writing = True
            self.reactor.addWriter(self)

    def stopWriting(self) -> None:
        """
        Stop watching for writability.
        """
        if self._writing:
            self._writing = False
            self.reactor.removeWriter(self)

    # -- writing ------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """
        Send C{data}, or queue what the kernel does not take at once; ignored
        once the transport has closed.

        @raise TypeError: If C{data} is not bytes.
        """
        if type(data) is not bytes:
            if not isinstance(cast(object, data), bytearray | memoryview):
                raise TypeError(
                    f"{type(self).__name__}.write() takes bytes, not {type(data).__name__}; "
                    "encode text first, e.g. transport.write(text.encode('utf-8'))"
                )
            # A bytearray may change after write() returns: keep a copy.
            data = bytes(data)
        if not self.connected or self._writeDisconnected or not data:
            return
        if not self._buffer and self.writeThrough:
            # Speed over clarity: an idle transport sends at once (one system
            # call, no wait for writability); only what the kernel does not
            # take is buffered.  An error is kept for doWrite to report, so
            # that write() never calls connectionLost itself.
            sent = self.writeSomeData(data)
            if isinstance(sent, BaseException):
                self._writeError = sent
                self.startWriting()
                return
            if sent == len(data):
                if self.producer is not None and not self.streamingProducer:
                    # A pull producer is asked for more from doWrite.
                    self.startWriting()
                return
            rest = memoryview(data)[sent:]
            buffer = self._buffer
            if isinstance(buffer, deque):
                buffer.append(rest)
            else:
                self._buffer = deque((rest,))
            self._bufferedBytes += len(data) - sent
        else:
            buffer = self._buffer
            if isinstance(buffer, deque):
                buffer.append(data)
            else:
                self._buffer = deque((data,))
            self._bufferedBytes += len(data)
        self._checkHighWater()
        self.startWriting()

    def writeSequence(self, iovec: Any) -> None:
        """
        Queue each chunk of C{iovec}, in order.
        """
        for data in iovec:
            self.write(data)

    def _checkHighWater(self) -> None:
        producer = self.producer
        if (
            producer is not None
            and self.streamingProducer
            and not self.producerPaused
            and self._bufferedBytes > self.bufferSize
        ):
            self.producerPaused = True
            producer.pauseProducing()

    def _nextSlice(self) -> bytes | memoryview:
        # The first chunk is bytes (doWrite handles file ranges itself).
        buffer = cast("deque[_Chunk]", self._buffer)
        first = cast("bytes | memoryview", buffer[0])
        if len(first) >= self.SEND_LIMIT or len(buffer) == 1:
            if len(first) > self.SEND_LIMIT:
                return memoryview(first)[: self.SEND_LIMIT]
            return first
        # Join small chunks into one send (up to a file range, if any).
        parts: list[bytes | memoryview] = []
        size = 0
        for chunk in buffer:
            if isinstance(chunk, _FileRange):
                break
            if size + len(chunk) > self.SEND_LIMIT and parts:
                break
            parts.append(chunk)
            size += len(chunk)
        joined = b"".join(parts)
        for _ in range(len(parts)):
            buffer.popleft()
        buffer.appendleft(joined)
        return joined

    def doWrite(self) -> object:
        """
        Send buffered data; close or half-close when it has all gone.
        """
        if self._writeError is not None:
            error, self._writeError = self._writeError, None
            return error
        buffer = cast("deque[_Chunk]", self._buffer)  # () when empty
        while buffer:
            first = buffer[0]
            if type(first) is _FileRange:
                done = self._sendFileRange(first)
                if done is None:
                    break  # the kernel's buffer is full
                if isinstance(done, BaseException):
                    return done
                continue
            chunk = self._nextSlice()
            sent = self.writeSomeData(chunk)
            if isinstance(sent, BaseException):
                return sent
            self._bufferedBytes -= sent
            head = cast("bytes | memoryview", buffer[0])  # what chunk was cut from
            if sent == len(head):
                buffer.popleft()
            else:
                if sent:
                    buffer[0] = memoryview(head)[sent:]
                break
        if self.producerPaused and self._bufferedBytes <= self.lowWaterMark:
            self.producerPaused = False
            if self.producer is not None:
                self.producer.resumeProducing()
        if self._buffer:
            # (Re-read: a producer resumed just above may have written.)
            return None
        self._buffer = ()
        self.stopWriting()
        if self.producer is not None and not self.streamingProducer and not self.disconnecting:
            self.producer.resumeProducing()
            if self._buffer:
                self.startWriting()
                return None
        if self.disconnecting:
            return self._postLoseConnection()
        if self._writeDisconnecting:
            self._writeDisconnected = True
            self._closeWriteConnection()
        return None

    def _sendFileRange(self, part: _FileRange) -> object:
        """
        Send what the kernel takes of C{part}, the first thing buffered.

        @return: L{None} if the kernel's buffer filled up first, an
            exception to disconnect with, or C{True} once C{part} is done
            (sent, or cut short by the file's end) and out of the buffer.
        """
        failed: OSError | None = None
        while part.left:
            sent = self._sendFileSome(part.fd, part.offset, min(part.left, _SENDFILE_MOST))
            if sent is None:
                return None
            if isinstance(sent, OSError):
                failed = sent  # the file could not be read
                break
            if isinstance(sent, BaseException):
                return sent
            if not sent:
                break  # the file ended
            part.offset += sent
            part.left -= sent
            self._bufferedBytes -= sent
        cast("deque[_Chunk]", self._buffer).popleft()
        if part.left:
            # What was not sent is dropped: the caller learns why.
            self._bufferedBytes -= part.left
            part.deferred.errback(
                failed
                or EOFError(
                    f"the file (descriptor {part.fd}) ended {part.left} bytes before the end "
                    f"of the {part.count}-byte range given to sendFile()"
                )
            )
        else:
            part.deferred.callback(part.count)
        # The callbacks may have closed the connection.
        return None if self.disconnected else True

    def _sendFileSome(self, fd: int, offset: int, count: int) -> int | BaseException | None:
        """
        Send up to C{count} bytes of file descriptor C{fd} from C{offset}.

        @return: How many bytes the kernel took (0: the file ended), L{None}
            if it takes none now, an L{OSError} if the file could not be
            read (the range fails with it; the connection goes on), or
            another exception to disconnect with.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot send files")

    def _queueFileRange(self, fileObject: Any, offset: int, count: int) -> Deferred[int]:
        """
        Put a range of a file in the outgoing stream; see
        L{ISendFileTransport.sendFile<torsion.internet.interfaces.ISendFileTransport.sendFile>}.
        """
        from torsion.internet._deferred import succeed

        if not self.connected or self.disconnected or self._writeDisconnected:
            raise RuntimeError(f"sendFile() on {self!r}, which is not connected")
        if offset < 0 or count < 0:
            raise ValueError(f"sendFile() needs offset >= 0 and count >= 0, not {offset}, {count}")
        if offset + count > _LARGEST_OFFSET:
            raise ValueError(f"sendFile() range too large: offset {offset}, count {count}")
        fd = fileObject if isinstance(fileObject, int) else fileObject.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(
                f"sendFile() sends regular files; descriptor {fd} is not one (write its data)"
            )
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
            raise ValueError(
                f"sendFile() reads the file, but descriptor {fd} is open for writing only"
            )
        if not count:
            return succeed(0)
        part = _FileRange(fd, offset, count)
        buffer = self._buffer
        if isinstance(buffer, deque):
            buffer.append(part)
        else:
            self._buffer = deque((part,))
        self._bufferedBytes += count
        if len(self._buffer) == 1 and self._writeError is None:
            # Nothing before it: send what the kernel takes now.
            done = self._sendFileRange(part)
            if isinstance(done, BaseException):
                self._writeError = done
            elif not self._buffer or self.disconnected:
                if self.producer is not None and not self.streamingProducer:
                    self.startWriting()  # a pull producer is asked for more from doWrite
                return part.deferred
        self._checkHighWater()
        self.startWriting()
        return part.deferred

    def _postLoseConnection(self) -> object:
        """
        Everything buffered was sent after loseConnection.

        @return: The reason to disconnect with.
        """
        return ConnectionDone()

    # -- producer/consumer --------------------------------------------------

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer of data for this transport.

        @param streaming: True for an IPushProducer (paused and resumed by the
            transport), False for an IPullProducer (asked for each chunk).
        @raise RuntimeError: If another producer is registered.
        """
        if self.producer is not None:
            raise RuntimeError(
                f"cannot register producer {producer!r}: {self.producer!r} is still "
                "registered; call unregisterProducer() first"
            )
        if self.disconnected:
            producer.stopProducing()
            return
        self.producer = producer
        self.streamingProducer = streaming
        self.producerPaused = False
        if not streaming:
            producer.resumeProducing()
        else:
            self._checkHighWater()

    def unregisterProducer(self) -> None:
        """
        Forget the registered producer.
        """
        self.producer = None
        self.producerPaused = False
        if self.connected and self.disconnecting:
            self.startWriting()

    def pauseProducing(self) -> None:
        """
        Stop reading (IPushProducer): the peer is pushed back.
        """
        self.stopReading()

    def resumeProducing(self) -> None:
        """
        Start reading again.
        """
        if self.connected and not self.disconnecting:
            self.startReading()

    def stopProducing(self) -> None:
        """
        Close the connection.
        """
        self.loseConnection()

    # -- closing ------------------------------------------------------------

    def loseConnection(self, _connDone: Failure = _connectionDone) -> None:
        """
        Close once everything written so far has been sent.
        """
        if self.connected and not self.disconnecting:
            if self._writeDisconnected:
                # Nothing more can be written: close now.
                self.stopReading()
                self.stopWriting()
                self.connectionLost(_connDone)
            else:
                self.stopReading()
                self.disconnecting = 1
                callSoon = getattr(self.reactor, "_callSoon", None)
                if (
                    self._buffer
                    or self.producer is not None
                    or self._writeError is not None
                    or callSoon is None
                ):
                    self.startWriting()
                else:
                    # Speed: nothing to send, so close as soon as the event
                    # being handled is done (never inside this call), without
                    # first watching the descriptor for writability; the FIN
                    # then follows the last bytes at once, and this side, not
                    # the peer, keeps the TIME_WAIT state.
                    callSoon(self._closeIfIdle)

    def _closeIfIdle(self) -> None:
        # loseConnection() found nothing to send: do what the reactor does
        # when the descriptor is writable (doWrite closes, or reports why).
        if self.disconnected or not self.connected:
            return
        try:
            why = self.doWrite()
        except Exception as e:
            from torsion.internet._reactorbase import _log

            why = e
            _log.failure("Error while handling I/O for {selectable!r}:", selectable=self)
        if why:
            self.reactor._disconnectSelectable(self, why, False)
        elif self._buffer:
            self.startWriting()

    def loseWriteConnection(self) -> None:
        """
        Half-close: shut down the write side once everything is sent.
        """
        self._writeDisconnecting = True
        self.startWriting()

    def readConnectionLost(self, reason: Failure) -> None:
        """
        The read side closed (for half-closeable transports); by default,
        the whole connection is lost.
        """
        self.connectionLost(reason)

    def writeConnectionLost(self, reason: Failure) -> None:
        """
        The write side closed.
        """
        self.connectionLost(reason)

    def connectionLost(self, reason: Failure) -> None:
        """
        The connection is gone: stop watching, stop the producer.
        """
        self.disconnected = 1
        self.connected = 0
        if self.producer is not None:
            try:
                self.producer.stopProducing()
            except BaseException:
                from torsion.internet._reactorbase import _log

                _log.failure("Error stopping producer {producer!r}:", producer=self.producer)
            self.producer = None
        self.stopReading()
        self.stopWriting()
        buffer, self._buffer = self._buffer, ()
        self._bufferedBytes = 0
        for chunk in buffer:
            if type(chunk) is _FileRange:
                chunk.deferred.errback(reason)

    def getHost(self) -> Any:
        """
        @return: The local address; subclasses say what it is.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement getHost")

    def getPeer(self) -> Any:
        """
        @return: The remote address; subclasses say what it is.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement getPeer")

    def getHandle(self) -> Any:
        """
        @return: The underlying object (a socket, for sockets).
        """
        return None


__all__ = ["FileDescriptor", "isIPAddress", "isIPv6Address"]
