# Pipe descriptors: one end of a pipe (or a terminal, a regular file, a
# socket used as a pipe) driven by the reactor, for StandardIO and, later,
# child-process pipes.
#
# How it works
# ------------
# PipeReader reads its descriptor and hands the bytes to a callback;
# PipeWriter is a FileDescriptor whose writeSomeData is os.write.  Each takes
# ownership of its descriptor: it is made non-blocking on the way in, and on
# the way out its original blocking mode is restored (the open file
# description may be shared with other processes, a shell's terminal for
# instance) before it is closed.  Descriptors 0, 1 and 2 are not left closed:
# /dev/null is put in their place, so that a later open() cannot be given
# that number and a stray print() cannot write into some unrelated file.
#
# Regular files cannot be polled: select() and poll() call them always
# ready, epoll refuses them with EPERM.  Such a descriptor is "pumped"
# instead: while it is reading or writing, a callLater(0) runs doRead or
# doWrite once per reactor iteration.  That cannot spin: a regular file
# always makes progress, so reading ends at EOF and writing ends once the
# buffer is empty.  Any other descriptor epoll refuses with EPERM
# (/dev/null, for one) is pumped the same way.
#
# A pipe's write end learns that its reader went away only when it writes
# (EPIPE).  So that an idle writer notices too, the write-only end of a
# FIFO also watches for readability: the kernel reports it ready (with an
# error) exactly when the last reader has closed the pipe.  Nothing else is
# watched that way: reading a terminal or socket would steal input, and
# /dev/null is always "ready".
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from typing import Any, cast

from torsion.internet._abstract import FileDescriptor
from torsion.internet._errors import ConnectionDone, ConnectionLost
from torsion.internet._reactorbase import _log
from torsion.python.failure import Failure

_AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR)


def _lostBecause(error: OSError) -> ConnectionLost:
    return ConnectionLost(os.strerror(error.errno) if error.errno else str(error))


class _PipeDescriptor(FileDescriptor):
    """
    The descriptor ownership and pumping shared by L{PipeReader} and
    L{PipeWriter}.
    """

    def __init__(self, reactor: Any, fd: int, wasBlocking: bool | None = None) -> None:
        super().__init__(reactor)
        mode = os.fstat(fd).st_mode
        self._fd = fd
        self._wasBlocking = os.get_blocking(fd) if wasBlocking is None else wasBlocking
        os.set_blocking(fd, False)
        self._pollable = not stat.S_ISREG(mode)
        self._pumpCall: Any = None
        self.connected = 1

    def fileno(self) -> int:
        """
        @return: The descriptor, or -1 once closed.
        """
        return self._fd

    # -- readiness: the reactor, or a pump for what cannot be polled --------

    def startReading(self) -> None:
        """
        Watch for readability (or pump reads, for a regular file).
        """
        if self._reading or self._fd < 0:
            return
        self._reading = True
        self._watch(self.reactor.addReader)

    def startWriting(self) -> None:
        """
        Watch for writability (or pump writes, for a regular file).
        """
        if self._writing or self._fd < 0:
            return
        self._writing = True
        self._watch(self.reactor.addWriter)

    def stopReading(self) -> None:
        """
        Stop watching for readability.
        """
        if self._reading:
            self._reading = False
            if self._pollable:
                self.reactor.removeReader(self)

    def stopWriting(self) -> None:
        """
        Stop watching for writability.
        """
        if self._writing:
            self._writing = False
            if self._pollable:
                self.reactor.removeWriter(self)

    def _watch(self, add: Callable[[Any], None]) -> None:
        if self._pollable:
            try:
                add(self)
                return
            except OSError as e:
                if e.errno != errno.EPERM:
                    self._reading = self._writing = False
                    raise
                # epoll will not watch this kind of file (/dev/null, say):
                # pump it instead.
                self._pollable = False
        if self._pumpCall is None:
            self._pumpCall = self.reactor.callLater(0, self._pump)

    def _pump(self) -> None:
        self._pumpCall = None
        why: object = None
        try:
            if self._reading:
                why = self.doRead()
            if not why and self._writing:
                why = self.doWrite()
        except Exception as e:
            _log.failure("Error while handling I/O for {selectable!r}:", selectable=self)
            why = e
        if why:
            self.stopReading()
            self.stopWriting()
            if isinstance(why, type):
                why = why()
            self.connectionLost(why if isinstance(why, Failure) else Failure(cast(Any, why)))
        elif (self._reading or self._writing) and self._pumpCall is None:
            self._pumpCall = self.reactor.callLater(0, self._pump)

    # -- closing ------------------------------------------------------------

    def _closeDescriptor(self) -> None:
        fd, self._fd = self._fd, -1
        if self._pumpCall is not None:
            if self._pumpCall.active():
                self._pumpCall.cancel()
            self._pumpCall = None
        if fd < 0:
            return
        try:
            os.set_blocking(fd, self._wasBlocking)
        except OSError:
            pass
        if fd <= 2:
            try:
                null = os.open(os.devnull, os.O_RDWR)
            except OSError:
                pass  # Out of descriptors: plain close below.
            else:
                os.dup2(null, fd)
                os.close(null)
                return
        try:
            os.close(fd)
        except OSError:
            pass

    def logPrefix(self) -> str:
        """
        @return: The class name and descriptor, for log messages.
        """
        return f"{type(self).__name__}({self._fd})"

    def __repr__(self) -> str:
        return f"<{self.logPrefix()}>"


class PipeReader(_PipeDescriptor):
    """
    The read end of a pipe: hands what arrives to C{dataReceived}, and the
    end of input (or an error) to C{lost}.

    @ivar bufferSize: The most bytes read at once.
    """

    def __init__(
        self,
        reactor: Any,
        fd: int,
        dataReceived: Callable[[bytes], object],
        lost: Callable[[Failure], object],
        wasBlocking: bool | None = None,
    ) -> None:
        """
        @param reactor: The reactor to watch the descriptor with.
        @param fd: The descriptor; the reader owns it from now on.
        @param dataReceived: Called with each chunk read.
        @param lost: Called once when reading ends, with L{ConnectionDone}
            at end of input or L{ConnectionLost} on an error.
        @param wasBlocking: The blocking mode to restore when closing; by
            default, the descriptor's mode now.
        """
        super().__init__(reactor, fd, wasBlocking)
        self._dataReceived = dataReceived
        self._lost = lost

    def doRead(self) -> object:
        """
        Read what is available.

        @return: L{ConnectionDone} at end of input, L{ConnectionLost} on an
            error, else L{None}.
        """
        try:
            data = os.read(self._fd, self.bufferSize)
        except OSError as e:
            if e.errno in _AGAIN:
                return None
            # EIO: a terminal hung up.
            return _lostBecause(e)
        if not data:
            return ConnectionDone()
        self._dataReceived(data)
        return None

    def writeSomeData(self, data: bytes | memoryview) -> int | BaseException:
        """
        Refuse: nothing is written to a read end.
        """
        raise RuntimeError(f"{self!r} is a read end: nothing can be written to it")

    def connectionLost(self, reason: Failure) -> None:
        """
        Reading is over: close the descriptor and call C{lost}, once.
        """
        if self.disconnected:
            return
        super().connectionLost(reason)
        self._closeDescriptor()
        self._lost(reason)


class PipeWriter(_PipeDescriptor):
    """
    The write end of a pipe: a FileDescriptor with its write buffer, flow
    control and C{loseConnection}; C{lost} is called once when it closes.
    """

    def __init__(
        self,
        reactor: Any,
        fd: int,
        lost: Callable[[Failure], object],
        wasBlocking: bool | None = None,
    ) -> None:
        """
        @param reactor: The reactor to watch the descriptor with.
        @param fd: The descriptor; the writer owns it from now on.
        @param lost: Called once when the writer closes: with
            L{ConnectionDone} after C{loseConnection}, with
            L{ConnectionLost} when the reader went away.
        @param wasBlocking: The blocking mode to restore when closing; by
            default, the descriptor's mode now.
        """
        super().__init__(reactor, fd, wasBlocking)
        self._lost = lost
        if _isPipeWriteEnd(fd):
            self.startReading()

    def doRead(self) -> object:
        """
        The write end became readable: its reader has gone.

        @return: L{ConnectionLost}.
        """
        return ConnectionLost("the reading end of the pipe was closed")

    def writeSomeData(self, data: bytes | memoryview) -> int | BaseException:
        """
        Write what the pipe takes now.
        """
        try:
            return os.write(self._fd, data)
        except OSError as e:
            if e.errno in _AGAIN:
                return 0
            return _lostBecause(e)

    def loseConnection(self, _connDone: Failure | None = None) -> None:
        """
        Close once everything buffered has been written.
        """
        if self.connected and not self.disconnecting:
            self.disconnecting = 1
            self.startWriting()

    def connectionLost(self, reason: Failure) -> None:
        """
        The writer is closed: drop what is unsent, close the descriptor and
        call C{lost}, once.
        """
        if self.disconnected:
            return
        if reason.check(ConnectionDone) and (not self.disconnecting or self._buffer):
            # The reactor saw an error/hang-up on the write end before all
            # was written: the reader went away, which is a lost
            # connection, not a clean close.
            reason = Failure(ConnectionLost("the reading end of the pipe was closed"))
        super().connectionLost(reason)
        self._closeDescriptor()
        self._lost(reason)


def _isPipeWriteEnd(fd: int) -> bool:
    if not stat.S_ISFIFO(os.fstat(fd).st_mode):
        return False
    try:
        os.read(fd, 0)
    except OSError:
        return True
    return False


__all__ = ["PipeReader", "PipeWriter"]
