"""
Tests for L{torsion.protocols.loopback}: in-memory connections between two
protocols (ordering, closing, flow control, errors), and the same pairs
over real TCP and UNIX sockets.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from tests.internet.reactors import backendReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import Deferred
from torsion.internet.error import (
    ConnectionAborted,
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
)
from torsion.internet.interfaces import (
    IAddress,
    IConsumer,
    IPullProducer,
    IPushProducer,
    IReactorUNIX,
    ITransport,
)
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.protocols.basic import LineReceiver
from torsion.protocols.loopback import (
    LoopbackClientFactory,
    collapsingPumpPolicy,
    identityPumpPolicy,
    loopbackAsync,
    loopbackTCP,
    loopbackUNIX,
)
from torsion.protocols.policies import TimeoutFactory
from torsion.python.failure import Failure
from torsion.trial.util import runUntil

__all__ = ["backendReactor"]


class Recorder(Protocol):
    """
    Records what it receives, and when its connection is lost.

    @ivar log: A list shared with other recorders, to check the order of
        events across both sides.
    """

    def __init__(self, name: str, log: list[str] | None = None) -> None:
        self.name = name
        self.log = log if log is not None else []
        self.chunks: list[bytes] = []
        self.reason: Failure | None = None

    def connectionMade(self) -> None:
        self.log.append(f"{self.name} made")

    def dataReceived(self, data: bytes) -> None:
        self.log.append(f"{self.name} got {data!r}")
        self.chunks.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.log.append(f"{self.name} lost")
        self.reason = reason


class Greeter(Recorder):
    """
    Says hello when connected, and closes on the first reply.
    """

    def connectionMade(self) -> None:
        super().connectionMade()
        self.transport.write(b"hello")

    def dataReceived(self, data: bytes) -> None:
        super().dataReceived(data)
        self.transport.loseConnection()


class Replier(Recorder):
    """
    Answers each chunk with C{re: <chunk>}.
    """

    def dataReceived(self, data: bytes) -> None:
        super().dataReceived(data)
        self.transport.write(b"re: " + data)


class InMemoryTests:
    def test_conversationWithoutTimers(self) -> None:
        """
        A conversation in which each side answers from C{dataReceived}
        finishes before loopbackAsync returns: server first, then client,
        then both lose the connection, server first.
        """
        log: list[str] = []
        server, client = Greeter("server", log), Replier("client", log)
        d = loopbackAsync(server, client)
        assert resultOf(d) is None
        assert log == [
            "server made",
            "client made",
            "client got b'hello'",
            "server got b're: hello'",
            "server lost",
            "client lost",
        ]
        assert server.reason is not None and server.reason.check(ConnectionDone)
        assert client.reason is not None and client.reason.check(ConnectionDone)

    def test_writeIsNotReentrant(self) -> None:
        """
        The peer's C{dataReceived} never runs inside C{write}.
        """
        log: list[str] = []

        class Writer(Recorder):
            def connectionMade(self) -> None:
                self.transport.write(b"one")
                self.log.append("after write")
                self.transport.loseConnection()

        d = loopbackAsync(Writer("server", log), Recorder("client", log))
        assert log == [
            "after write",
            "client made",
            "client got b'one'",
            "server lost",
            "client lost",
        ]
        resultOf(d)

    def test_laterWritesOnTheClock(self) -> None:
        """
        A write made outside delivery (by the test here, or from a timer) is
        delivered on the next turn of the clock, not at once.
        """
        clock = Clock()
        server, client = Recorder("server"), Recorder("client")
        d = loopbackAsync(server, client, clock=clock)
        server.transport.write(b"now")
        assert client.chunks == []
        clock.advance(0)
        assert client.chunks == [b"now"]
        clock.callLater(5, server.transport.write, b"tick")
        clock.advance(5)
        assert client.chunks == [b"now", b"tick"]
        client.transport.loseConnection()
        assertNoResult(d)
        clock.advance(0)
        assert resultOf(d) is None
        assert clock.getDelayedCalls() == []

    def test_identityPumpPolicy(self) -> None:
        """
        By default each write is its own C{dataReceived}.
        """
        server, client = Recorder("server"), Recorder("client")

        class ThreeWrites(Recorder):
            def connectionMade(self) -> None:
                for word in (b"a", b"b", b"c"):
                    self.transport.write(word)
                self.transport.loseConnection()

        resultOf(loopbackAsync(ThreeWrites("server"), client, identityPumpPolicy))
        assert client.chunks == [b"a", b"b", b"c"]
        assert server.chunks == []

    def test_collapsingPumpPolicy(self) -> None:
        """
        The collapsing policy delivers everything queued in one call.
        """
        client = Recorder("client")

        class ThreeWrites(Recorder):
            def connectionMade(self) -> None:
                self.transport.writeSequence([b"a", b"b", b"c"])
                self.transport.loseConnection()

        resultOf(loopbackAsync(ThreeWrites("server"), client, collapsingPumpPolicy))
        assert client.chunks == [b"abc"]

    def test_closeAfterData(self) -> None:
        """
        Data written before loseConnection reaches the peer before it hears
        of the close.
        """
        log: list[str] = []

        class Quitter(Recorder):
            def connectionMade(self) -> None:
                self.transport.write(b"bye")
                self.transport.loseConnection()
                self.transport.write(b"ignored")

        resultOf(loopbackAsync(Recorder("server", log), Quitter("client", log)))
        assert log == ["server made", "server got b'bye'", "server lost", "client lost"]

    def test_lineProtocols(self) -> None:
        """
        Real protocols talk through it: a line client and a line server.
        """
        answers: list[bytes] = []

        class Upper(LineReceiver):
            def lineReceived(self, line: bytes) -> None:
                self.sendLine(line.upper())

        class Asker(LineReceiver):
            def connectionMade(self) -> None:
                self.sendLine(b"one")
                self.sendLine(b"two")

            def lineReceived(self, line: bytes) -> None:
                answers.append(line)
                if len(answers) == 2:
                    self.transport.loseConnection()

        resultOf(loopbackAsync(Upper(), Asker()))
        assert answers == [b"ONE", b"TWO"]

    def test_pauseStopsDelivery(self) -> None:
        """
        A paused transport's protocol receives nothing, not even the close,
        until the transport is resumed.
        """
        clock = Clock()
        server, client = Recorder("server"), Recorder("client")
        d = loopbackAsync(server, client, clock=clock)
        client.transport.pauseProducing()
        server.transport.write(b"held")
        server.transport.loseConnection()
        clock.advance(0)
        assert client.chunks == []
        assertNoResult(d)
        client.transport.resumeProducing()
        clock.advance(0)
        assert client.chunks == [b"held"]
        assert resultOf(d) is None

    def test_pauseInsideDataReceived(self) -> None:
        """
        A protocol that pauses its transport from C{dataReceived} gets no
        more data in the same delivery.
        """
        clock = Clock()

        class OneAtATime(Recorder):
            def dataReceived(self, data: bytes) -> None:
                super().dataReceived(data)
                self.transport.pauseProducing()

        client = OneAtATime("client")

        class Burst(Recorder):
            def connectionMade(self) -> None:
                self.transport.writeSequence([b"1", b"2", b"3"])

        server = Burst("server")
        d = loopbackAsync(server, client, clock=clock)
        assert client.chunks == [b"1"]
        client.transport.resumeProducing()
        clock.advance(0)
        assert client.chunks == [b"1", b"2"]
        client.transport.resumeProducing()
        server.transport.loseConnection()
        clock.advance(0)
        assert client.chunks == [b"1", b"2", b"3"]
        assertNoResult(d)
        client.transport.resumeProducing()
        clock.advance(0)
        assert resultOf(d) is None

    def test_pushProducerPausedByFullQueue(self) -> None:
        """
        A push producer writing to a peer that does not read is paused once
        more than C{bufferSize} bytes wait, and resumed when they are taken.
        """
        clock = Clock()

        @implementer(IPushProducer)
        class Flood:
            def __init__(self, transport: Any) -> None:
                self.transport = transport
                self.sent = 0
                self.paused = False
                self.pauses = 0
                self.mostQueued = 0

            def pauseProducing(self) -> None:
                self.paused = True
                self.pauses += 1

            def resumeProducing(self) -> None:
                self.paused = False
                while not self.paused and self.sent < 2**20:
                    self.transport.write(b"f" * 4096)
                    self.sent += 4096
                    self.mostQueued = max(self.mostQueued, self.transport.outbound.size)
                if self.sent >= 2**20:
                    self.transport.unregisterProducer()
                    self.transport.loseConnection()

            def stopProducing(self) -> None:
                pass

        server, client = Recorder("server"), Recorder("client")
        d = loopbackAsync(server, client, clock=clock)
        client.transport.pauseProducing()
        flood = Flood(server.transport)
        server.transport.registerProducer(flood, True)
        flood.resumeProducing()
        assert flood.paused
        assert flood.sent <= 2**16 + 4096
        client.transport.resumeProducing()
        for _ in range(1000):
            if d.called:
                break
            clock.advance(0)
        assert resultOf(d) is None
        assert sum(map(len, client.chunks)) == 2**20
        assert flood.pauses >= 1
        assert flood.mostQueued <= 2**16 + 4096

    def test_pullProducer(self) -> None:
        """
        A pull producer is asked for a chunk when registered and each time
        its chunks have been delivered.
        """

        @implementer(IPullProducer)
        class Counter:
            def __init__(self, transport: Any) -> None:
                self.transport = transport
                self.n = 0

            def resumeProducing(self) -> None:
                self.n += 1
                self.transport.write(b"%d," % self.n)
                if self.n == 5:
                    self.transport.unregisterProducer()
                    self.transport.loseConnection()

            def stopProducing(self) -> None:
                pass

        class Source(Recorder):
            def connectionMade(self) -> None:
                self.transport.registerProducer(Counter(self.transport), False)

        client = Recorder("client")
        resultOf(loopbackAsync(Source("server"), client))
        assert client.chunks == [b"1,", b"2,", b"3,", b"4,", b"5,"]

    def test_producerStoppedOnClose(self) -> None:
        """
        A producer still registered when the connection ends is stopped.
        """
        stopped: list[bool] = []

        @implementer(IPushProducer)
        class Idle:
            def pauseProducing(self) -> None:
                pass

            def resumeProducing(self) -> None:
                pass

            def stopProducing(self) -> None:
                stopped.append(True)

        class Holder(Recorder):
            def connectionMade(self) -> None:
                self.transport.registerProducer(Idle(), True)
                with pytest.raises(RuntimeError, match=r"call unregisterProducer\(\) first$"):
                    self.transport.registerProducer(Idle(), True)
                self.transport.loseConnection()

        resultOf(loopbackAsync(Holder("server"), Recorder("client")))
        assert stopped == [True]

    def test_exceptionFailsTheDeferred(self) -> None:
        """
        An exception from a protocol ends the session: that protocol hears
        the failure, the other a clean close, and the Deferred fails with
        it.
        """

        class Broken(Recorder):
            def dataReceived(self, data: bytes) -> None:
                raise ZeroDivisionError("bad input")

        server, client = Greeter("server"), Broken("client")
        failure = failureOf(loopbackAsync(server, client), ZeroDivisionError)
        assert str(failure.value) == "bad input"
        assert client.reason is failure
        assert server.reason is not None and server.reason.check(ConnectionDone)

    def test_connectionMadeRaises(self) -> None:
        """
        If the server's connectionMade raises, the client is never
        connected (so it hears nothing), and the Deferred fails.
        """
        log: list[str] = []

        class Refuser(Recorder):
            def connectionMade(self) -> None:
                raise ValueError("no thanks")

        server, client = Refuser("server", log), Recorder("client", log)
        failureOf(loopbackAsync(server, client), ValueError)
        assert log == ["server lost"]
        assert client.reason is None

    def test_policyThatTakesNothing(self) -> None:
        """
        A pump policy that leaves a non-empty queue untouched ends the
        session with an error saying so, instead of spinning forever.
        """

        def lazy(queue: Any, target: Any) -> None:
            pass

        failure = failureOf(
            loopbackAsync(Greeter("server"), Recorder("client"), lazy), RuntimeError
        )
        assert "delivered nothing from a non-empty queue" in str(failure.value)

    def test_abortConnection(self) -> None:
        """
        Aborting drops the undelivered data: the aborting side hears
        ConnectionAborted and the other ConnectionLost.
        """
        clock = Clock()
        server, client = Recorder("server"), Recorder("client")
        d = loopbackAsync(server, client, clock=clock)
        server.transport.write(b"never delivered")
        server.transport.abortConnection()
        clock.advance(0)
        assert resultOf(d) is None
        assert client.chunks == []
        assert server.reason is not None and server.reason.check(ConnectionAborted)
        assert client.reason is not None and client.reason.check(ConnectionLost)

    def test_writeTakesBytes(self) -> None:
        """
        Writing text is refused, saying how to fix it; writes after close
        are ignored.
        """
        clock = Clock()
        server, client = Recorder("server"), Recorder("client")
        d = loopbackAsync(server, client, clock=clock)
        with pytest.raises(TypeError, match=r"^_LoopbackTransport.write\(\) takes bytes, not str"):
            server.transport.write("text")
        server.transport.loseConnection()
        server.transport.write(b"late")
        clock.advance(0)
        resultOf(d)
        assert client.chunks == []

    def test_transportInterfaces(self) -> None:
        """
        The transports provide ITransport, IConsumer and IPushProducer, and
        their addresses are IAddresses.
        """
        server, client = Recorder("server"), Recorder("client")
        loopbackAsync(server, client, clock=Clock())
        for transport in (server.transport, client.transport):
            for iface in (ITransport, IConsumer, IPushProducer):
                assert verifyObject(iface, transport)
            assert IAddress.providedBy(transport.getPeer())
            assert IAddress.providedBy(transport.getHost())

    def test_wrappedProtocols(self) -> None:
        """
        Policy wrappers work over a loopback: an idle timeout closes both
        sides once the clock passes it.
        """
        clock = Clock()
        factory = TimeoutFactory(Factory.forProtocol(Protocol), timeoutPeriod=10, clock=clock)
        server = factory.buildProtocol(None)
        assert server is not None
        client = Recorder("client")
        d = loopbackAsync(server, client, clock=clock)
        clock.advance(9.9)
        assertNoResult(d)
        clock.advance(0.1)
        clock.advance(0)
        assert resultOf(d) is None
        assert client.reason is not None and client.reason.check(ConnectionDone)

    def test_globalReactorByDefault(self, reactor: Any) -> Deferred[None]:
        """
        Without a clock, later deliveries are scheduled on the global
        reactor.
        """
        server, client = Recorder("server"), Recorder("client")
        d = loopbackAsync(server, client)
        reactor.callLater(0, server.transport.write, b"later")
        reactor.callLater(0, server.transport.loseConnection)

        def check(ignored: None) -> None:
            assert client.chunks == [b"later"]

        return d.addCallback(check)


class LoopbackClientFactoryTests:
    def test_lostFires(self) -> None:
        """
        The factory builds its one protocol and fires its Deferred when the
        connection is lost.
        """
        protocol = Recorder("client")
        factory = LoopbackClientFactory(protocol)
        assert factory.buildProtocol(None) is protocol
        factory.clientConnectionLost(None, Failure(ConnectionDone()))  # type: ignore[arg-type]
        assert resultOf(factory.deferred) is None
        assert factory.disconnected

    def test_failedFails(self) -> None:
        """
        A failed attempt fails the Deferred with the reason.
        """
        factory = LoopbackClientFactory(Recorder("client"))
        reason = Failure(ConnectionRefusedError())
        factory.clientConnectionFailed(None, reason)  # type: ignore[arg-type]
        failureOf(factory.deferred, ConnectionRefusedError)


class OverSocketsTests:
    def test_loopbackTCPGlobalReactor(self, reactor: Any) -> Deferred[None]:
        """
        loopbackTCP runs the conversation over TCP on the global reactor;
        its Deferred fires once both sides are closed and the port stopped.
        """
        log: list[str] = []
        server, client = Greeter("server", log), Replier("client", log)
        readers = set(reactor.getReaders())
        d = loopbackTCP(server, client, noisy=False)

        def check(ignored: None) -> None:
            assert client.chunks == [b"hello"]
            assert server.chunks == [b"re: hello"]
            assert server.reason is not None and client.reason is not None
            assert set(reactor.getReaders()) <= readers

        return d.addCallback(check)

    def test_loopbackTCPEveryBackend(self, backendReactor: PollingReactor) -> None:
        """
        loopbackTCP takes the reactor to use, and works on each backend.
        """
        r = backendReactor
        server, client = Greeter("server"), Replier("client")
        runUntil(r, loopbackTCP(server, client, noisy=False, reactor=r), timeout=30)
        assert client.chunks == [b"hello"]
        assert b"".join(server.chunks) == b"re: hello"
        assert r.getReaders() == [r.waker] or r.getReaders() == []

    def test_loopbackTCPNeedsIReactorTCP(self) -> None:
        """
        A reactor without TCP support is refused, naming it.
        """
        with pytest.raises(TypeError, match=r"^loopbackTCP\(\) needs a reactor that provides"):
            loopbackTCP(Recorder("s"), Recorder("c"), reactor=Clock())

    def test_loopbackUNIX(
        self, backendReactor: PollingReactor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        loopbackUNIX runs the conversation over a UNIX socket in a temporary
        directory, removed afterwards.
        """
        r = backendReactor
        if not IReactorUNIX.providedBy(r):
            pytest.skip("this reactor does not provide IReactorUNIX yet")
        made: list[str] = []
        mkdtemp = tempfile.mkdtemp

        def recordingMkdtemp(**kwargs: Any) -> str:
            made.append(mkdtemp(**kwargs))
            return made[-1]

        monkeypatch.setattr(tempfile, "mkdtemp", recordingMkdtemp)
        server, client = Greeter("server"), Replier("client")
        runUntil(r, loopbackUNIX(server, client, noisy=False, reactor=r), timeout=30)
        assert client.chunks == [b"hello"]
        assert b"".join(server.chunks) == b"re: hello"
        assert len(made) == 1
        assert not os.path.exists(made[0])

    def test_loopbackUNIXNeedsIReactorUNIX(self) -> None:
        """
        A reactor without UNIX-socket support is refused, saying what to
        use instead.
        """
        with pytest.raises(TypeError, match=r"use loopbackTCP or loopbackAsync instead\)$"):
            loopbackUNIX(Recorder("s"), Recorder("c"), reactor=Clock())
