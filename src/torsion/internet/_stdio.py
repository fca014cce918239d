# StandardIO: a protocol's transport over the process's standard input and
# output (or any two descriptors given in their place).
#
# How it works
# ------------
# Input is a PipeReader on `stdin`, output a PipeWriter on `stdout` (see
# _pipe.py: non-blocking, regular files pumped, original blocking mode
# restored and 0/1/2 kept open on /dev/null when closed).  StandardIO sits
# between them and the protocol and decides what each side's end means:
#
#   stdin ends (EOF)
#     - IHalfCloseableProtocol: readConnectionLost(); output stays open.
#     - any other protocol: as loseConnection(): what was written is still
#       sent, stdout is closed, then connectionLost(ConnectionDone).
#   stdin fails (EIO from a hung-up terminal, an exception in dataReceived)
#     - connectionLost(reason) at once.
#   stdout closes after loseWriteConnection(), or its reader goes away
#     - IHalfCloseableProtocol: writeConnectionLost(); input stays open.
#     - any other protocol: after loseWriteConnection() input stays open;
#       if the reader went away, connectionLost(reason) at once.
#   both sides are over
#     - connectionLost: nothing more can happen.  The reason is
#       ConnectionDone, or why output broke if it did.
#   loseConnection()
#     - stop reading, send what is buffered, close stdout, then
#       connectionLost(ConnectionDone).
#
# This departs from Twisted's StandardIO on two points, on purpose: there,
# EOF on stdin drops output not yet sent (here it is flushed first), and
# loseWriteConnection() neither closes stdout nor ever leads to
# connectionLost (here the reader sees EOF, and the protocol hears the end).
#
# connectionLost closes both descriptors (dropping unsent output) and is
# delivered once.  When stdin and stdout are the same descriptor (a socket
# handed over by inetd, say), the output side works on a duplicate so that
# the two ends can be watched and closed separately.
from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from zope.interface import implementer

from torsion.internet._errors import ConnectionDone
from torsion.internet._ireactor import IHalfCloseableDescriptor
from torsion.internet._itransport import (
    IAddress,
    IConsumer,
    IHalfCloseableProtocol,
    IPushProducer,
    ITransport,
)
from torsion.internet._pipe import PipeReader, PipeWriter
from torsion.internet._reactorbase import _log
from torsion.python.failure import Failure


@implementer(IAddress)
@dataclass(frozen=True, slots=True)
class PipeAddress:
    """
    The address of either end of a pipe, which has none: all are equal.
    """


def _checkOpen(name: str, fd: int) -> bool:
    """
    @return: The descriptor's current blocking mode.
    @raise ValueError: If C{fd} is not an open descriptor.
    """
    try:
        os.fstat(fd)
        return os.get_blocking(fd)
    except OSError as e:
        raise ValueError(
            f"StandardIO: {name} descriptor {fd} is not open ({e.strerror}); "
            f"start the program with it open, or pass {name}=None"
        ) from e


@implementer(ITransport, IPushProducer, IConsumer, IHalfCloseableDescriptor)
class StandardIO:
    """
    A transport over standard input and output, for a protocol that talks
    to whatever is at the other end of them (a pipe, a file, a terminal).

    The descriptors belong to the transport: it makes them non-blocking and
    closes them when it is done, putting back their blocking mode first.
    Standard input, output and error are left open on C{/dev/null} rather
    than closed, so their numbers are not reused.

    @ivar protocol: The protocol.
    @ivar disconnecting: Whether C{loseConnection} has been called (or
        input ended for a protocol that is not half-closeable).
    @ivar disconnected: Whether C{connectionLost} has been delivered.
    """

    disconnecting = False
    disconnected = False

    def __init__(
        self,
        proto: Any,
        stdin: int | None = 0,
        stdout: int | None = 1,
        reactor: Any = None,
    ) -> None:
        """
        Connect C{proto} to the descriptors and start reading.

        @param proto: The protocol (an L{IProtocol}); its C{makeConnection}
            is called before this returns.
        @param stdin: The descriptor to read, or L{None} for no input.
        @param stdout: The descriptor to write, or L{None} to discard
            output.
        @param reactor: The reactor; the global one by default.
        @raise ValueError: If a descriptor is not open.
        """
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        self.protocol = proto
        self._reactor = reactor
        self._writeClosing = False
        # Why output ended, if it broke: the final reason once input ends too.
        self._outputBroke: Failure | None = None
        # Read both modes before changing either: 0 and 1 are often the same
        # open file (a terminal), so the second read would see our change.
        inBlocking = _checkOpen("stdin", stdin) if stdin is not None else False
        outBlocking = _checkOpen("stdout", stdout) if stdout is not None else False
        self._writer: PipeWriter | None = None
        self._reader: PipeReader | None = None
        if stdout is not None:
            _flushPythonStdout(stdout)
            if stdout == stdin:
                stdout = os.dup(stdout)
            self._writer = PipeWriter(reactor, stdout, self._writerLost, outBlocking)
        if stdin is not None:
            self._reader = PipeReader(
                reactor, stdin, self._dataReceived, self._readerLost, inBlocking
            )
            self._reader.startReading()
        proto.makeConnection(self)

    def __repr__(self) -> str:
        return f"<StandardIO for {type(self.protocol).__name__}>"

    # -- writing ------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """
        Queue C{data} for standard output; dropped once output is closed.

        @param data: The bytes.
        @raise TypeError: If C{data} is not bytes.
        """
        if type(data) is not bytes and not isinstance(cast(object, data), bytearray | memoryview):
            raise TypeError(
                f"StandardIO.write() takes bytes, not {type(data).__name__}; "
                "encode text first, e.g. transport.write(text.encode('utf-8'))"
            )
        if self._writer is not None:
            self._writer.write(data)

    def writeSequence(self, iovec: Iterable[bytes]) -> None:
        """
        Queue each chunk of C{iovec}, in order.

        @param iovec: The byte strings.
        @raise TypeError: If a chunk is not bytes.
        """
        for data in iovec:
            self.write(data)

    def loseConnection(self) -> None:
        """
        Stop reading, send everything written so far, close standard output,
        then call the protocol's C{connectionLost} with L{ConnectionDone}.
        """
        if self.disconnecting or self.disconnected:
            return
        self.disconnecting = True
        if self._reader is not None:
            self._reader.stopReading()
        if self._writer is not None:
            self._writer.loseConnection()
        else:
            self._reactor.callLater(0, self.connectionLost, Failure(ConnectionDone()))

    def loseWriteConnection(self) -> None:
        """
        Send everything written so far, then close standard output only: its
        reader sees the end, and a half-closeable protocol gets
        C{writeConnectionLost}; input goes on.
        """
        if self._writer is None or self._writeClosing or self.disconnecting:
            return
        self._writeClosing = True
        self._writer.loseConnection()

    # -- producer and consumer --------------------------------------------

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Have C{producer} write to standard output, with flow control.

        @param producer: An L{IPushProducer} (paused while the output buffer
            is over its high-water mark) or an L{IPullProducer} (asked for
            more whenever the buffer is empty).
        @param streaming: True for a push producer.
        @raise RuntimeError: If another producer is registered.
        """
        if self._writer is None:
            producer.stopProducing()
            return
        self._writer.registerProducer(producer, streaming)

    def unregisterProducer(self) -> None:
        """
        Forget the registered producer.
        """
        if self._writer is not None:
            self._writer.unregisterProducer()

    def pauseProducing(self) -> None:
        """
        Stop reading standard input, pushing back on whatever writes to it.
        """
        self.stopReading()

    def resumeProducing(self) -> None:
        """
        Read standard input again.
        """
        self.startReading()

    def stopProducing(self) -> None:
        """
        Close, as C{loseConnection}.
        """
        self.loseConnection()

    def stopReading(self) -> None:
        """
        Stop reading standard input.
        """
        if self._reader is not None:
            self._reader.stopReading()

    def startReading(self) -> None:
        """
        Read standard input (again), unless closing.
        """
        if self._reader is not None and not self.disconnecting:
            self._reader.startReading()

    # -- addresses ----------------------------------------------------------

    def getPeer(self) -> PipeAddress:
        """
        @return: A L{PipeAddress}: pipes have no addresses.
        """
        return PipeAddress()

    def getHost(self) -> PipeAddress:
        """
        @return: A L{PipeAddress}: pipes have no addresses.
        """
        return PipeAddress()

    # -- the two sides ending -----------------------------------------------

    def _dataReceived(self, data: bytes) -> None:
        self.protocol.dataReceived(data)

    def _readerLost(self, reason: Failure) -> None:
        self._reader = None
        self.readConnectionLost(reason)

    def _writerLost(self, reason: Failure) -> None:
        self._writer = None
        self.writeConnectionLost(reason)

    def readConnectionLost(self, reason: Failure) -> None:
        """
        Standard input ended (L{ConnectionDone}) or failed.

        @param reason: Why.
        """
        if self.disconnected:
            return
        if not reason.check(ConnectionDone):
            self.connectionLost(reason)
            return
        protocol = self.protocol
        if IHalfCloseableProtocol.providedBy(protocol):
            try:
                protocol.readConnectionLost()
            except BaseException:
                _log.failure("Error in readConnectionLost of {protocol!r}:", protocol=protocol)
                self.connectionLost(Failure())
                return
            if self._writer is None:
                self.connectionLost(self._outputBroke or reason)
        elif self._writer is None:
            self.connectionLost(self._outputBroke or reason)
        else:
            self.loseConnection()

    def writeConnectionLost(self, reason: Failure) -> None:
        """
        Standard output closed, as asked or because its reader went away.

        @param reason: Why.
        """
        if self.disconnected:
            return
        if self.disconnecting:
            self.connectionLost(reason)
            return
        if not reason.check(ConnectionDone):
            self._outputBroke = reason
        protocol = self.protocol
        if IHalfCloseableProtocol.providedBy(protocol):
            try:
                protocol.writeConnectionLost()
            except BaseException:
                _log.failure("Error in writeConnectionLost of {protocol!r}:", protocol=protocol)
                self.connectionLost(Failure())
                return
        elif not self._writeClosing:
            # The output broke and this protocol cannot go on half-way.
            self.connectionLost(reason)
            return
        if self._reader is None:
            self.connectionLost(reason)

    def connectionLost(self, reason: Failure) -> None:
        """
        Close both sides (dropping output not yet sent) and tell the
        protocol, once.

        @param reason: Why the connection ended.
        """
        if self.disconnected:
            return
        self.disconnected = True
        reader, self._reader = self._reader, None
        writer, self._writer = self._writer, None
        if reader is not None:
            reader.connectionLost(reason)
        if writer is not None:
            writer.connectionLost(reason)
        protocol = self.protocol
        try:
            protocol.connectionLost(reason)
        except BaseException:
            _log.failure("Error in connectionLost of {protocol!r}:", protocol=protocol)


def _flushPythonStdout(fd: int) -> None:
    """
    Send what C{print()} has buffered for C{fd} before the transport's own
    output, so that it is not lost or reordered.
    """
    stream = sys.stdout
    try:
        if stream is not None and stream.fileno() == fd:
            stream.flush()
    except (AttributeError, OSError, ValueError):
        pass


__all__ = ["PipeAddress", "StandardIO"]
