# In-memory connections between two protocols, for tests.
#
# How it works
# ------------
# loopbackAsync(server, client) makes a _Session: two _LoopbackTransports,
# each writing into a _LoopbackQueue that the other side reads from.  A
# queue holds byte strings and, once its writer closes, a final None.
#
# Nothing is delivered from inside write(): a real transport never calls
# the peer's dataReceived while the writer is still in write(), and code
# under test may depend on that.  Instead the session "pumps": it hands
# each queue's contents to the protocol on the other side, through the pump
# policy (identity: one dataReceived per write; collapsing: one
# dataReceived for all that is queued), and repeats while either side wrote
# something in response.  The first pump runs inside loopbackAsync, just
# after both protocols are connected, so a conversation in which each side
# answers from dataReceived completes before loopbackAsync returns.  A write
# made later, outside a pump (from a timer, say), schedules the next pump
# with callLater(0) on the session's clock: the global reactor unless a
# clock was given (with a Clock, `clock.advance(0)` runs it).
#
# When a side calls loseConnection, a None follows its data.  When a pump
# reaches it, the data already queued the other way is delivered, then both
# protocols get connectionLost(ConnectionDone), server first, and the
# Deferred loopbackAsync returned fires with None.  An exception raised by
# either protocol while being pumped ends the session the same way, except
# that the protocol that raised gets connectionLost with that failure, and
# the Deferred fails with it (so the test sees it).  A protocol whose
# makeConnection was never called (the server's raised) hears nothing.  A
# pump policy must take what it is given; one that leaves a non-empty
# queue untouched ends the session with a RuntimeError instead of spinning.
#
# Flow control: a side whose transport is paused (pauseProducing, as a
# protocol does to push back) receives nothing until resumed; its queue
# then looks empty to the pump policy.  A push producer registered on a
# transport is paused while more than `bufferSize` bytes it wrote wait in
# its queue, and resumed once they drop to `lowWaterMark`; a pull producer
# is asked for more (resumeProducing) whenever its queue has been emptied.
#
# loopbackTCP / loopbackUNIX run the same pair over real sockets on the
# reactor: one listening port that accepts a single connection for the
# server protocol, one client connection, and a Deferred that fires once
# both connections are closed and the port has stopped listening.
from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, cast

from zope.interface import implementer
from zope.interface.interface import InterfaceClass

from torsion.internet._deferred import Deferred
from torsion.internet._errors import ConnectionAborted, ConnectionDone, ConnectionLost
from torsion.internet._factory import ClientFactory, Factory
from torsion.internet._ireactor import IDelayedCall, IReactorTime
from torsion.internet._ireactornet import IReactorTCP, IReactorUNIX
from torsion.internet._itransport import (
    IAddress,
    IConnector,
    IConsumer,
    IProtocol,
    IPushProducer,
    ITransport,
)
from torsion.internet._protocol import Protocol, connectionDone
from torsion.protocols._policieswrapper import ProtocolWrapper, WrappingFactory
from torsion.python.failure import Failure


def _globalReactor() -> Any:
    from torsion.internet import reactor

    return reactor


def _reactorProviding(
    caller: str, interface: InterfaceClass, reactor: Any, advice: str = ""
) -> Any:
    """
    The reactor C{caller} was given, or the global one, checked.

    @param advice: Said after the error message's "does not".
    @raise TypeError: If the reactor does not provide C{interface}.
    """
    if reactor is None:
        reactor = _globalReactor()
    if not interface.providedBy(reactor):
        raise TypeError(
            f"{caller}() needs a reactor that provides {interface.__name__}; "
            f"{reactor!r} does not{advice}"
        )
    return reactor


@implementer(IAddress)
class _LoopbackAddress:
    """
    The address of either end of an in-memory connection.
    """

    def __repr__(self) -> str:
        return "<LoopbackAddress>"


class _LoopbackQueue:
    """
    Bytes written by one side, waiting for the other; then a None if the
    writer closed.

    @ivar disconnect: Whether the None has been put.
    """

    def __init__(self) -> None:
        self._items: deque[bytes | None] = deque()
        self.taken = 0
        self.size = 0
        self.disconnect = False
        self.blocked = False

    def put(self, item: bytes | None) -> None:
        """
        Add bytes, or the closing None.
        """
        if item is None:
            self.disconnect = True
        else:
            self.size += len(item)
        self._items.append(item)

    def get(self) -> bytes | None:
        """
        Take the oldest item.
        """
        item = self._items.popleft()
        self.taken += 1
        if item is not None:
            self.size -= len(item)
        return item

    def clear(self) -> None:
        """
        Drop everything queued.
        """
        self._items.clear()
        self.size = 0

    def pending(self) -> bool:
        """
        @return: Whether there is anything at all left, even while blocked.
        """
        return bool(self._items)

    def __len__(self) -> int:
        # A paused receiver sees an empty queue: the pump policy stops.
        return 0 if self.blocked else len(self._items)


def identityPumpPolicy(queue: _LoopbackQueue, target: IProtocol) -> None:
    """
    Deliver each queued write as its own C{dataReceived} call.

    @param queue: The queue to empty (up to the closing marker).
    @param target: The protocol to deliver to.
    """
    while queue:
        data = queue.get()
        if data is None:
            break
        target.dataReceived(data)


def collapsingPumpPolicy(queue: _LoopbackQueue, target: IProtocol) -> None:
    """
    Deliver all queued writes as one C{dataReceived} call.

    @param queue: The queue to empty (up to the closing marker).
    @param target: The protocol to deliver to.
    """
    chunks: list[bytes] = []
    while queue:
        data = queue.get()
        if data is None:
            break
        chunks.append(data)
    if chunks:
        target.dataReceived(b"".join(chunks))


@implementer(ITransport, IConsumer, IPushProducer)
class _LoopbackTransport:
    """
    One end of an in-memory connection: writes go into C{outbound}, which
    the session delivers to the other end.
    """

    bufferSize = 2**16
    lowWaterMark = 2**14

    def __init__(
        self, session: _Session, outbound: _LoopbackQueue, inbound: _LoopbackQueue
    ) -> None:
        self._session = session
        self.outbound = outbound
        self.inbound = inbound
        self.connected = True
        self.disconnecting = False
        self.producer: Any = None
        self.streamingProducer = False
        self.producerPaused = False
        self.made = False

    def logPrefix(self) -> str:
        """
        @return: The name used for this transport in logs.
        """
        return "loopback"

    def write(self, data: bytes) -> None:
        """
        Queue C{data} for the other side.

        @raise TypeError: If C{data} is not bytes.
        """
        if not isinstance(cast(object, data), bytes | bytearray | memoryview):
            raise TypeError(
                f"{type(self).__name__}.write() takes bytes, not {type(data).__name__}; "
                "encode text first, e.g. transport.write(text.encode('utf-8'))"
            )
        if self.disconnecting or not self.connected or not data:
            return
        self.outbound.put(bytes(data))
        if (
            self.streamingProducer
            and self.producer is not None
            and not self.producerPaused
            and self.outbound.size > self.bufferSize
        ):
            self.producerPaused = True
            self.producer.pauseProducing()
        self._session.wake()

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Queue each of C{data} for the other side.
        """
        for chunk in data:
            self.write(chunk)

    def loseConnection(self) -> None:
        """
        Close after the other side has received what was written.
        """
        if self.disconnecting or not self.connected:
            return
        self.disconnecting = True
        self.outbound.put(None)
        self._session.wake()

    def abortConnection(self) -> None:
        """
        Close now, dropping what the other side has not received yet.
        """
        if not self.connected:
            return
        self.disconnecting = True
        self.outbound.clear()
        self.outbound.put(None)
        self._session.aborter = self
        self._session.wake()

    def getPeer(self) -> IAddress:
        """
        @return: A placeholder address.
        """
        return _LoopbackAddress()

    def getHost(self) -> IAddress:
        """
        @return: A placeholder address.
        """
        return _LoopbackAddress()

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """
        Register a producer of the data written to this transport.

        @raise RuntimeError: If one is registered already.
        """
        if self.producer is not None:
            raise RuntimeError(
                f"cannot register producer {producer!r}: {self.producer!r} is still "
                "registered; call unregisterProducer() first"
            )
        if not self.connected:
            producer.stopProducing()
            return
        self.producer = producer
        self.streamingProducer = streaming
        self.producerPaused = False
        if not streaming:
            producer.resumeProducing()

    def unregisterProducer(self) -> None:
        """
        Forget the registered producer.
        """
        self.producer = None
        self.producerPaused = False

    def pauseProducing(self) -> None:
        """
        Stop delivering data to this side's protocol.
        """
        self.inbound.blocked = True

    def resumeProducing(self) -> None:
        """
        Deliver data to this side's protocol again.
        """
        if self.inbound.blocked:
            self.inbound.blocked = False
            self._session.wake()

    def stopProducing(self) -> None:
        """
        Close the connection.
        """
        self.loseConnection()

    def _outboundDrained(self) -> None:
        # Called by the session after it delivered some of this side's data.
        producer = self.producer
        if producer is None:
            return
        if self.streamingProducer:
            if self.producerPaused and self.outbound.size <= self.lowWaterMark:
                self.producerPaused = False
                producer.resumeProducing()
        elif not self.outbound.pending() and not self.disconnecting:
            producer.resumeProducing()

    def _lost(self) -> None:
        self.connected = False
        self.disconnecting = True
        producer, self.producer = self.producer, None
        if producer is not None:
            producer.stopProducing()


class _Session:
    """
    The two ends of an in-memory connection and the pump between them.
    """

    def __init__(
        self,
        server: IProtocol,
        client: IProtocol,
        pumpPolicy: Callable[[_LoopbackQueue, IProtocol], None],
        clock: IReactorTime | None,
    ) -> None:
        self.server = server
        self.client = client
        self.pumpPolicy = pumpPolicy
        self._clock = clock
        self.serverToClient = _LoopbackQueue()
        self.clientToServer = _LoopbackQueue()
        self.serverTransport = _LoopbackTransport(self, self.serverToClient, self.clientToServer)
        self.clientTransport = _LoopbackTransport(self, self.clientToServer, self.serverToClient)
        self.done: Deferred[None] = Deferred()
        self.aborter: _LoopbackTransport | None = None
        self._active: IProtocol = server
        self._pumping = False
        self._finished = False
        self._scheduled: IDelayedCall | None = None

    def start(self) -> None:
        self._pumping = True
        try:
            self._active = self.server
            self.serverTransport.made = True
            self.server.makeConnection(self.serverTransport)
            self._active = self.client
            self.clientTransport.made = True
            self.client.makeConnection(self.clientTransport)
        except BaseException:
            self._pumping = False
            self._finish(Failure())
            return
        self._pumping = False
        self.pump()

    def wake(self) -> None:
        """
        Something was written, closed or resumed: pump soon (not now, not
        from inside the caller).
        """
        if self._pumping or self._finished or self._scheduled is not None:
            return
        clock = self._clock if self._clock is not None else cast(IReactorTime, _globalReactor())
        self._scheduled = clock.callLater(0, self._scheduledPump)

    def _scheduledPump(self) -> None:
        self._scheduled = None
        self.pump()

    def _deliver(
        self,
        queue: _LoopbackQueue,
        target: IProtocol,
        source: _LoopbackTransport,
        sourceProtocol: IProtocol,
    ) -> bool:
        if not queue:
            return False
        taken = queue.taken
        self._active = target
        self.pumpPolicy(queue, target)
        self._active = sourceProtocol
        if queue.taken == taken:
            # A pump policy that takes nothing would make the pump spin.
            raise RuntimeError(
                f"pump policy {self.pumpPolicy!r} delivered nothing from a non-empty "
                "queue; a policy must take items with queue.get() while the queue is true"
            )
        source._outboundDrained()
        return True

    def pump(self) -> None:
        """
        Deliver queued data both ways until neither side has more, then
        close the connection if either side asked to.
        """
        if self._finished:
            return
        self._pumping = True
        try:
            while not self._finished:
                moved = self._deliver(
                    self.serverToClient, self.client, self.serverTransport, self.server
                )
                moved = (
                    self._deliver(
                        self.clientToServer, self.server, self.clientTransport, self.client
                    )
                    or moved
                )
                if self._closing():
                    self._finish(None)
                    return
                if not moved:
                    return
        except BaseException:
            self._finish(Failure())
        finally:
            self._pumping = False

    def _closing(self) -> bool:
        # A close takes effect once the receiving side has taken everything
        # up to the closing marker (at once, for an abort).
        if self.aborter is not None:
            return True
        return any(
            queue.disconnect and not queue.pending()
            for queue in (self.serverToClient, self.clientToServer)
        )

    def _finish(self, failure: Failure | None) -> None:
        if self._finished:
            return
        self._finished = True
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        # The side that raised (if any) hears the failure; the other, a
        # clean close, as from a real peer that closed its socket.  After an
        # abort the aborting side hears ConnectionAborted, the other a lost
        # connection, as with TCP's reset.
        reasons: dict[int, Failure] = {}
        if failure is not None:
            reasons[id(self._active)] = failure
        elif self.aborter is not None:
            aborting = self.server if self.aborter is self.serverTransport else self.client
            other = self.client if aborting is self.server else self.server
            reasons[id(aborting)] = Failure(ConnectionAborted())
            reasons[id(other)] = Failure(ConnectionLost("the other side aborted the connection"))
        error: Failure | None = failure
        for transport, protocol in (
            (self.serverTransport, self.server),
            (self.clientTransport, self.client),
        ):
            if not transport.made:
                continue
            transport._lost()
            try:
                protocol.connectionLost(reasons.get(id(protocol), Failure(ConnectionDone())))
            except BaseException:
                if error is None:
                    error = Failure()
        if error is None:
            self.done.callback(None)
        else:
            self.done.errback(error)


def loopbackAsync(
    server: IProtocol,
    client: IProtocol,
    pumpPolicy: Callable[[_LoopbackQueue, IProtocol], None] = identityPumpPolicy,
    *,
    clock: IReactorTime | None = None,
) -> Deferred[None]:
    """
    Connect two protocols to each other in memory and let them talk.

    Both are connected at once (server first); then what each writes is
    delivered to the other, never from inside the C{write} call.  Writes
    made in answer to received data are delivered at once, so a
    conversation that needs no timers finishes before this returns; later
    writes are delivered on the next turn of C{clock}.  When either side
    closes, both get C{connectionLost}.  Pausing a transport stops delivery
    to its protocol; registered producers are paused and resumed as with a
    real transport.

    @param server: The protocol for the server end.
    @param client: The protocol for the client end.
    @param pumpPolicy: How queued writes are delivered:
        L{identityPumpPolicy} (one C{dataReceived} per write, the default)
        or L{collapsingPumpPolicy} (one for everything queued).
    @param clock: What schedules later deliveries (C{callLater(0, ...)});
        the global reactor by default, or a
        L{torsion.internet.task.Clock}, advanced by the test.
    @return: A Deferred that fires with L{None} once both protocols have
        been told the connection is lost, or fails with the exception one of
        them raised.
    """
    session = _Session(server, client, pumpPolicy, clock)
    session.start()
    return session.done


class LoopbackClientFactory(ClientFactory[Protocol]):
    """
    A client factory that connects one given protocol, and fires
    L{deferred} when that connection ends.

    @ivar deferred: Fires with L{None} when the connection is lost, or
        fails with the reason the attempt failed.
    @ivar disconnected: Whether the connection has ended.
    """

    def __init__(self, protocol: IProtocol) -> None:
        """
        @param protocol: The protocol to connect.
        """
        self._instance = protocol
        self.disconnected = False
        self.deferred: Deferred[None] = Deferred()

    def buildProtocol(self, addr: IAddress | None) -> Any:
        """
        @return: The protocol given to the constructor.
        """
        return self._instance

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        The connection ended: fire L{deferred}.
        """
        self.disconnected = True
        self.deferred.callback(None)

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        The connection could not be made: fail L{deferred}.
        """
        self.disconnected = True
        self.deferred.errback(reason)


class _FireOnClose(ProtocolWrapper):
    """
    Wraps the server protocol, firing C{deferred} when its connection ends.
    """

    def __init__(self, factory: WrappingFactory, wrappedProtocol: IProtocol) -> None:
        super().__init__(factory, wrappedProtocol)
        self.deferred: Deferred[None] = Deferred()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        super().connectionLost(reason)
        self.deferred.callback(None)


class _SingleServer(WrappingFactory):
    """
    Accepts one connection, for the given server protocol; refuses others.
    """

    def __init__(self, server: IProtocol, noisy: bool) -> None:
        super().__init__(Factory())
        self.noisy = noisy
        self.serverWrapper = _FireOnClose(self, server)
        self._used = False

    def buildProtocol(self, addr: IAddress | None) -> ProtocolWrapper | None:
        if self._used:
            return None
        self._used = True
        return self.serverWrapper


def _runPair(
    listen: Callable[[_SingleServer], Any],
    connect: Callable[[Any, LoopbackClientFactory], object],
    server: IProtocol,
    client: IProtocol,
    noisy: bool,
    cleanup: Callable[[], None] | None = None,
) -> Deferred[None]:
    serverFactory = _SingleServer(server, noisy)
    port = listen(serverFactory)
    clientFactory = LoopbackClientFactory(client)
    clientFactory.noisy = noisy
    connect(port, clientFactory)
    d = clientFactory.deferred

    def serverClosed(ignored: None) -> Deferred[None]:
        return serverFactory.serverWrapper.deferred

    def stopPort(result: object) -> Deferred[object]:
        stopped: Deferred[None] = Deferred()
        outcome = port.stopListening()
        if isinstance(outcome, Deferred):
            outcome.chainDeferred(stopped)
        else:
            stopped.callback(None)
        return stopped.addCallback(lambda ignored: result)

    def clean(result: object) -> object:
        if cleanup is not None:
            cleanup()
        return result

    d.addCallback(serverClosed)
    d.addBoth(stopPort)
    d.addBoth(clean)
    return d


def loopbackTCP(
    server: IProtocol,
    client: IProtocol,
    port: int = 0,
    noisy: bool = True,
    *,
    reactor: Any = None,
) -> Deferred[None]:
    """
    Connect two protocols over a real TCP connection on 127.0.0.1.

    @param server: The protocol for the accepted connection.
    @param client: The protocol for the outgoing connection.
    @param port: The port to listen on (0: any free port).
    @param noisy: Whether the factories log starting and stopping.
    @param reactor: The reactor (L{IReactorTCP}) to use; the global one by
        default.
    @return: A Deferred that fires with L{None} once both connections are
        closed and the port has stopped listening, or fails with why the
        client could not connect.
    @raise TypeError: If C{reactor} does not provide L{IReactorTCP}.
    """
    reactor = _reactorProviding("loopbackTCP", IReactorTCP, reactor)

    def listen(factory: _SingleServer) -> Any:
        return reactor.listenTCP(port, factory, interface="127.0.0.1")

    def connect(listening: Any, factory: LoopbackClientFactory) -> object:
        return reactor.connectTCP("127.0.0.1", listening.getHost().port, factory)

    return _runPair(listen, connect, server, client, noisy)


def loopbackUNIX(
    server: IProtocol,
    client: IProtocol,
    noisy: bool = True,
    *,
    reactor: Any = None,
) -> Deferred[None]:
    """
    Connect two protocols over a real UNIX socket, in a new temporary
    directory that is removed afterwards.

    @param server: The protocol for the accepted connection.
    @param client: The protocol for the outgoing connection.
    @param noisy: Whether the factories log starting and stopping.
    @param reactor: The reactor (L{IReactorUNIX}) to use; the global one by
        default.
    @return: A Deferred that fires with L{None} once both connections are
        closed and the socket has stopped listening, or fails with why the
        client could not connect.
    @raise TypeError: If C{reactor} does not provide L{IReactorUNIX}.
    """
    reactor = _reactorProviding(
        "loopbackUNIX", IReactorUNIX, reactor, " (use loopbackTCP or loopbackAsync instead)"
    )
    directory = tempfile.mkdtemp(prefix="torsion-loopback-")
    path = os.path.join(directory, "s")

    def listen(factory: _SingleServer) -> Any:
        try:
            return reactor.listenUNIX(path, factory)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise

    def connect(listening: Any, factory: LoopbackClientFactory) -> object:
        return reactor.connectUNIX(path, factory)

    def cleanup() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    return _runPair(listen, connect, server, client, noisy, cleanup)


__all__ = [
    "LoopbackClientFactory",
    "collapsingPumpPolicy",
    "identityPumpPolicy",
    "loopbackAsync",
    "loopbackTCP",
    "loopbackUNIX",
]
