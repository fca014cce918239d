# Fake transports and protocols for unit tests.
#
# StringTransport stands in for a connection: it keeps everything written in
# a BytesIO (`io`, read with value()), records loseConnection and
# abortConnection as flags instead of closing anything, and acts as a
# consumer (one producer at a time) and a push producer whose state is a
# string in `producerState`.  Nothing here calls the protocol back, except
# StringTransportWithDisconnection.loseConnection, which delivers
# connectionLost at once (a real transport would do it on a later reactor
# iteration).
#
# AccumulatingProtocol is the opposite end: it records what it is told.  Its
# bytes are kept as a list of chunks and joined when `data` is read, so a
# test feeding it many small chunks stays linear.
#
# waitUntilAllDisconnected polls: it looks at each protocol's
# transport.connected now and then every `interval` seconds on the reactor
# it is given, and fires its Deferred when none is connected.
from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from zope.interface import implementer

from torsion.internet._address import IPv4Address
from torsion.internet._deferred import Deferred
from torsion.internet._errors import ConnectionDone
from torsion.internet._ireactor import IDelayedCall, IReactorTime
from torsion.internet._itransport import (
    IAddress,
    IConsumer,
    IProducer,
    IPullProducer,
    IPushProducer,
    ITransport,
)
from torsion.internet._protocol import Protocol, connectionDone
from torsion.python.failure import Failure


def _notBytes(where: str, data: object) -> TypeError:
    """
    The error for writing something other than bytes.
    """
    return TypeError(
        f"{where} takes bytes, not {type(data).__name__} {data!r:.60}; "
        "encode text first, e.g. transport.write(text.encode('utf-8'))"
    )


@implementer(ITransport, IConsumer, IPushProducer)
class StringTransport:
    """
    A transport that records what is written to it, for unit tests.

    Connect a protocol with C{protocol.makeConnection(transport)}, feed it
    with C{protocol.dataReceived(...)}, then check L{value} and
    L{disconnecting}.

    @ivar io: Everything written, in order.
    @ivar connected: Always C{True}: the transport is never really closed.
    @ivar disconnecting: Whether C{loseConnection} (or C{abortConnection})
        has been called.
    @ivar disconnected: Whether C{abortConnection} has been called.
    @ivar hostAddr: What L{getHost} returns.
    @ivar peerAddr: What L{getPeer} returns.
    @ivar producer: The registered producer, or L{None}.
    @ivar streaming: Whether it is a push producer; L{None} when none is
        registered.
    @ivar producerState: This transport's own state as a push producer:
        C{"producing"}, C{"paused"} or C{"stopped"}.
    """

    connected: bool = True
    disconnecting: bool = False
    disconnected: bool = False
    producer: IProducer | None = None
    streaming: bool | None = None

    def __init__(
        self, hostAddress: IAddress | None = None, peerAddress: IAddress | None = None
    ) -> None:
        """
        @param hostAddress: What L{getHost} returns; by default
            C{IPv4Address("TCP", "10.0.0.1", 12345)}.
        @param peerAddress: What L{getPeer} returns; by default
            C{IPv4Address("TCP", "192.168.1.1", 54321)}.
        """
        self.io = BytesIO()
        self.hostAddr: IAddress = (
            hostAddress if hostAddress is not None else IPv4Address("TCP", "10.0.0.1", 12345)
        )
        self.peerAddr: IAddress = (
            peerAddress if peerAddress is not None else IPv4Address("TCP", "192.168.1.1", 54321)
        )
        self.producerState = "producing"

    def value(self) -> bytes:
        """
        Tell what has been written since the start or the last L{clear}.

        @return: The bytes.
        """
        return self.io.getvalue()

    def clear(self) -> None:
        """
        Forget what has been written, so that L{value} gives only what is
        written next.
        """
        self.io = BytesIO()

    # ITransport

    def write(self, data: bytes) -> None:
        """
        Record C{data}.

        @param data: The bytes.
        @raise TypeError: If C{data} is not C{bytes}.
        """
        if not isinstance(data, bytes):
            raise _notBytes(f"{type(self).__name__}.write()", data)
        self.io.write(data)

    def writeSequence(self, data: Sequence[bytes]) -> None:
        """
        Record each byte string of C{data}, in order.

        @param data: The byte strings.
        @raise TypeError: If one is not C{bytes} (nothing is recorded then).
        """
        for index, chunk in enumerate(data):
            if not isinstance(chunk, bytes):
                raise _notBytes(f"{type(self).__name__}.writeSequence() item {index}", chunk)
        self.io.write(b"".join(data))

    def loseConnection(self) -> None:
        """
        Note that the protocol asked to close: set L{disconnecting}.  The
        protocol's C{connectionLost} is not called.
        """
        self.disconnecting = True

    def abortConnection(self) -> None:
        """
        Note that the protocol asked to abort: set L{disconnecting} and
        L{disconnected}.  The protocol's C{connectionLost} is not called.
        """
        self.loseConnection()
        self.disconnected = True

    def getPeer(self) -> IAddress:
        """
        @return: L{peerAddr}.
        """
        return self.peerAddr

    def getHost(self) -> IAddress:
        """
        @return: L{hostAddr}.
        """
        return self.hostAddr

    # IConsumer

    def registerProducer(self, producer: IProducer, streaming: bool) -> None:
        """
        Record the producer that feeds this transport.

        @param producer: The producer.
        @param streaming: Whether it is a push producer.
        @raise RuntimeError: If a producer is already registered.
        """
        if self.producer is not None:
            raise RuntimeError(
                f"Cannot register two producers: {self.producer!r} is already "
                f"registered with {type(self).__name__}; call unregisterProducer() first"
            )
        self.producer = producer
        self.streaming = streaming

    def unregisterProducer(self) -> None:
        """
        Forget the registered producer.

        @raise RuntimeError: If none is registered.
        """
        if self.producer is None:
            raise RuntimeError(
                f"Cannot unregister a producer unless one is registered: "
                f"{type(self).__name__} has none"
            )
        self.producer = None
        self.streaming = None

    # IPushProducer: the transport's own flow control, as the protocol sees it.

    def _checkState(self, verb: str) -> None:
        if self.disconnecting:
            raise RuntimeError(
                f"Cannot {verb} producing after loseConnection(): the transport is closing"
            )
        if self.producerState == "stopped":
            raise RuntimeError(f"Cannot {verb} a stopped producer: stopProducing() was called")

    def pauseProducing(self) -> None:
        """
        Set L{producerState} to C{"paused"}.

        @raise RuntimeError: If the transport is disconnecting or stopped.
        """
        self._checkState("pause")
        self.producerState = "paused"

    def resumeProducing(self) -> None:
        """
        Set L{producerState} to C{"producing"}.

        @raise RuntimeError: If the transport is disconnecting or stopped.
        """
        self._checkState("resume")
        self.producerState = "producing"

    def stopProducing(self) -> None:
        """
        Set L{producerState} to C{"stopped"}, for good.
        """
        self.producerState = "stopped"


class StringTransportWithDisconnection(StringTransport):
    """
    A L{StringTransport} whose C{loseConnection} disconnects its protocol.

    Set L{protocol} before calling C{loseConnection}.

    @ivar protocol: The protocol told of the disconnection.
    """

    protocol: Any = None

    def loseConnection(self) -> None:
        """
        Set L{disconnecting}, and the first time, clear C{connected} and call
        the protocol's C{connectionLost} with C{ConnectionDone}.

        @raise RuntimeError: If no protocol was set.
        """
        self.disconnecting = True
        if not self.connected:
            return
        if self.protocol is None:
            raise RuntimeError(
                f"{type(self).__name__}.loseConnection() has no protocol to tell; "
                "set transport.protocol = yourProtocol first"
            )
        self.connected = False
        self.protocol.connectionLost(Failure(ConnectionDone("Bye.")))


class AccumulatingProtocol(Protocol):
    """
    A protocol that records everything that happens to it.

    If its factory has a C{protocolConnectionMade} Deferred, it fires with
    the protocol on C{connectionMade} (and the factory's attribute is reset
    to L{None}).

    @ivar made: Whether C{connectionMade} was called.
    @ivar closed: Whether C{connectionLost} was called.
    @ivar closedReason: The reason given to C{connectionLost}.
    @ivar closedDeferred: A Deferred to fire with L{None} on
        C{connectionLost}, if the test sets one.
    """

    made: bool = False
    closed: bool = False
    closedReason: Failure | None = None
    closedDeferred: Deferred[None] | None = None

    # Received chunks, joined lazily; created on first use so that
    # subclasses need not call __init__.
    _chunks: list[bytes] | None = None

    @property
    def data(self) -> bytes:
        """
        Everything received so far.
        """
        chunks = self._chunks
        if not chunks:
            return b""
        if len(chunks) > 1:
            chunks[:] = [b"".join(chunks)]
        return chunks[0]

    @data.setter
    def data(self, value: bytes) -> None:
        self._chunks = [value]

    def connectionMade(self) -> None:
        """
        Set L{made}; fire the factory's C{protocolConnectionMade}, if any.
        """
        self.made = True
        factory = self.factory
        waiting = getattr(factory, "protocolConnectionMade", None)
        if waiting is not None:
            factory.protocolConnectionMade = None
            waiting.callback(self)

    def dataReceived(self, data: bytes) -> None:
        """
        Add C{data} to L{data}.

        @param data: The bytes.
        """
        if self._chunks is None:
            self._chunks = [data]
        else:
            self._chunks.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        Set L{closed} and L{closedReason}; fire L{closedDeferred}, if set.

        @param reason: Why the connection closed.
        """
        self.closed = True
        self.closedReason = reason
        if self.closedDeferred is not None:
            d, self.closedDeferred = self.closedDeferred, None
            d.callback(None)


class StringIOWithoutClosing(BytesIO):
    """
    A BytesIO whose C{close} does nothing, so its value can be read after
    the code under test has closed it.
    """

    def close(self) -> None:
        """
        Do nothing.
        """


@implementer(IPullProducer)
class NonStreamingProducer:
    """
    A pull producer that writes C{b"0"} to C{b"9"}, one per
    C{resumeProducing}, then unregisters itself.

    @ivar consumer: The consumer written to, until done.
    @ivar counter: How many chunks have been written.
    @ivar stopped: Whether C{stopProducing} was called.
    @ivar result: Fires with L{None} once the producer is done.
    """

    def __init__(self, consumer: IConsumer) -> None:
        """
        @param consumer: The consumer to write to (register the producer
            with it as non-streaming).
        """
        self.consumer: IConsumer | None = consumer
        self.counter = 0
        self.stopped = False
        self.result: Deferred[None] = Deferred()

    def resumeProducing(self) -> None:
        """
        Write the next digit; after the tenth, finish.

        @raise RuntimeError: If the producer is done.
        """
        if self.consumer is None:
            raise RuntimeError("NonStreamingProducer.resumeProducing() called after it finished")
        self.consumer.write(str(self.counter).encode("ascii"))
        self.counter += 1
        if self.counter == 10:
            self._done()

    def pauseProducing(self) -> None:
        """
        A pull producer cannot be paused.

        @raise RuntimeError: Always.
        """
        raise RuntimeError(
            "NonStreamingProducer is a pull producer: it cannot be paused; "
            "simply stop calling resumeProducing()"
        )

    def stopProducing(self) -> None:
        """
        Stop for good: set L{stopped} and finish.
        """
        self.stopped = True
        self._done()

    def _done(self) -> None:
        if self.consumer is None:
            return
        consumer, self.consumer = self.consumer, None
        consumer.unregisterProducer()
        self.result.callback(None)


class FakeDatagramTransport:
    """
    A datagram transport that records the datagrams written to it.

    @ivar written: C{(packet, addr)} for each C{write}, in order.
    """

    noAddr = object()

    def __init__(self) -> None:
        self.written: list[tuple[bytes, Any]] = []

    def write(self, packet: bytes, addr: Any = noAddr) -> None:
        """
        Record a datagram.

        @param packet: The datagram.
        @param addr: Where to: C{(host, port)}, or L{noAddr} if not given.
        """
        self.written.append((packet, addr))


def _stillConnected(protocol: Any) -> bool:
    transport = getattr(protocol, "transport", None)
    return transport is not None and bool(getattr(transport, "connected", False))


def waitUntilAllDisconnected(
    reactor: IReactorTime, protocols: Sequence[Any], interval: float = 0.01
) -> Deferred[None]:
    """
    Wait until the transport of every protocol in C{protocols} is
    disconnected.

    The protocols are checked now, then every C{interval} seconds with
    C{reactor.callLater}.  A protocol counts as disconnected when it has no
    transport or its transport's C{connected} is false.

    @param reactor: Schedules the checks (a reactor, or a L{Clock}).
    @param protocols: The protocols to watch.
    @param interval: Seconds between checks.
    @return: A Deferred that fires with L{None} once all are disconnected;
        cancelling it stops the checks.
    """
    pending: list[IDelayedCall] = []

    def cancel(d: Deferred[None]) -> None:
        if pending:
            pending.pop().cancel()

    d: Deferred[None] = Deferred(cancel)

    def check() -> None:
        pending.clear()
        if any(_stillConnected(protocol) for protocol in protocols):
            pending.append(reactor.callLater(interval, check))
        else:
            d.callback(None)

    check()
    return d


__all__ = [
    "AccumulatingProtocol",
    "FakeDatagramTransport",
    "NonStreamingProducer",
    "StringIOWithoutClosing",
    "StringTransport",
    "StringTransportWithDisconnection",
    "waitUntilAllDisconnected",
]
