"""
Tests for TCP over real loopback sockets, on every reactor backend.
"""

from __future__ import annotations

import os
import resource
import socket
from typing import Any

import pytest
from zope.interface import implementer

from tests.helpers import RefusingPort
from tests.internet.reactors import backendReactor, runReactor
from tests.internet.streams import Collector, Echo
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address, IPv6Address
from torsion.internet.error import (
    CannotListenError,
    ConnectionAborted,
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    TimeoutError,
)
from torsion.internet.interfaces import IHalfCloseableProtocol, IPushProducer
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.logger import capturedLogs
from torsion.python.failure import Failure

__all__ = ["backendReactor"]


def clientFactory(protocol: Protocol) -> ClientFactory:
    factory = ClientFactory()
    factory.buildProtocol = lambda addr: protocol  # type: ignore[method-assign]
    return factory


class ListenConnectTests:
    def test_tenMebibytesInOrder(self, backendReactor: PollingReactor) -> None:
        """
        10 MiB written by a client in many pieces comes back from an echo
        server whole and in order.
        """
        r = backendReactor
        port = r.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        payload = bytes(range(256)) * (10 * 4096)
        collector = Collector(r, expect=len(payload))

        def connected(p: Collector) -> None:
            for i in range(0, len(payload), 65536):
                p.transport.write(payload[i : i + 65536])

        collector.connectionMade = lambda: connected(collector)  # type: ignore[method-assign]
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(collector))
        runReactor(r)
        assert b"".join(collector.chunks) == payload
        assert collector.reason is not None and collector.reason.check(ConnectionDone)

    def test_addresses(self, backendReactor: PollingReactor) -> None:
        """
        getHost/getPeer on both ends, and the port's getHost, give the real
        loopback addresses; port 0 picks a free port.
        """
        r = backendReactor
        seen: dict[str, Any] = {}

        class Server(Protocol):
            def connectionMade(self) -> None:
                seen["server"] = (self.transport.getHost(), self.transport.getPeer())
                self.transport.loseConnection()

        port = r.listenTCP(0, Factory.forProtocol(Server), interface="127.0.0.1")
        host = port.getHost()
        assert isinstance(host, IPv4Address) and host.host == "127.0.0.1" and host.port > 0
        client = Collector(r)
        client.connectionMade = lambda: seen.__setitem__(  # type: ignore[method-assign]
            "client", (client.transport.getHost(), client.transport.getPeer())
        )
        r.connectTCP("127.0.0.1", host.port, clientFactory(client))
        runReactor(r)
        serverHost, serverPeer = seen["server"]
        clientHost, clientPeer = seen["client"]
        assert serverHost == clientPeer == host
        assert serverPeer == clientHost

    def test_ipv6(self, backendReactor: PollingReactor) -> None:
        """
        listenTCP and connectTCP work over ::1.
        """
        if not socket.has_ipv6:
            pytest.skip("this Python has no IPv6 support")
        r = backendReactor
        try:
            port = r.listenTCP(0, Factory.forProtocol(Echo), interface="::1")
        except CannotListenError as e:
            pytest.skip(f"::1 is not available here: {e}")
        assert isinstance(port.getHost(), IPv6Address)
        collector = Collector(r, expect=5)
        collector.connectionMade = lambda: collector.transport.write(b"hello")  # type: ignore[method-assign]
        r.connectTCP("::1", port.getHost().port, clientFactory(collector))
        runReactor(r)
        assert b"".join(collector.chunks) == b"hello"

    def test_cannotListen(self, backendReactor: PollingReactor) -> None:
        """
        Listening on a port in use fails with CannotListenError naming it.
        """
        r = backendReactor
        port = r.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        number = port.getHost().port
        with pytest.raises(CannotListenError, match=rf"127\.0\.0\.1:{number}"):
            r.listenTCP(number, Factory.forProtocol(Echo), interface="127.0.0.1")

    def test_factoryStartStop(self, backendReactor: PollingReactor) -> None:
        """
        The factory starts once when listening and stops when the port is
        closed; stopListening's Deferred fires then.
        """
        r = backendReactor
        events: list[str] = []

        class Recording(Factory[Protocol]):
            protocol = Protocol

            def startFactory(self) -> None:
                events.append("start")

            def stopFactory(self) -> None:
                events.append("stop")

        port = r.listenTCP(0, Recording(), interface="127.0.0.1")
        assert events == ["start"]
        port.stopListening().addCallback(lambda _: events.append("closed")).addCallback(
            lambda _: r.stop()
        )
        runReactor(r)
        assert events == ["start", "stop", "closed"]


class FailureTests:
    def test_refused(self, backendReactor: PollingReactor) -> None:
        """
        Connecting where nothing listens fails with ConnectionRefusedError.
        """
        r = backendReactor
        reasons: list[Failure] = []

        class Failing(ClientFactory):
            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                reasons.append(reason)
                r.stop()

        with RefusingPort() as number:
            r.connectTCP("127.0.0.1", number, Failing())
            runReactor(r)
        assert reasons[0].check(ConnectionRefusedError)

    def test_timeout(self, backendReactor: PollingReactor) -> None:
        """
        A connection attempt that gets no answer fails with TimeoutError
        after the connector's timeout.  (A listener whose backlog is full
        and that never accepts drops further SYNs: on loopback only.)
        """
        r = backendReactor
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        number = listener.getsockname()[1]
        fillers = []
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", number))
            fillers.append(filler)
        reasons: list[Failure] = []

        class Failing(ClientFactory):
            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                reasons.append(reason)
                r.stop()

        r.connectTCP("127.0.0.1", number, Failing(), timeout=0.2)
        runReactor(r)
        for s in [listener, *fillers]:
            s.close()
        assert reasons[0].check(TimeoutError), reasons[0]


class CloseTests:
    def test_abortConnection(self, backendReactor: PollingReactor) -> None:
        """
        abortConnection drops unsent data and ends with ConnectionAborted.
        """
        r = backendReactor
        port = r.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
        collector = Collector(r)

        def made() -> None:
            collector.transport.write(b"x" * 10_000_000)
            collector.transport.abortConnection()

        collector.connectionMade = made  # type: ignore[method-assign]
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(collector))
        runReactor(r)
        assert collector.reason is not None and collector.reason.check(ConnectionAborted)

    def test_loseIdleConnection(self, backendReactor: PollingReactor) -> None:
        """
        loseConnection with nothing buffered closes on a later turn of the
        loop, never inside the call, without watching for writability
        first; the peer sees a clean close after what was written.
        """
        r = backendReactor
        events: list[object] = []

        class Closer(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"bye")  # sent at once: nothing stays buffered
                self.transport.loseConnection()
                events.append(("writers", self.transport in r.getWriters()))
                events.append("returned")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                events.append(("lost", reason.type))

        port = r.listenTCP(0, Factory.forProtocol(Closer), interface="127.0.0.1")
        collector = Collector(r)
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(collector))
        runReactor(r)
        assert events == [("writers", False), "returned", ("lost", ConnectionDone)]
        assert b"".join(collector.chunks) == b"bye"
        assert collector.reason is not None and collector.reason.check(ConnectionDone)

    def test_closedRightAfterTheEvent(self, backendReactor: PollingReactor) -> None:
        """
        A connection closed with nothing buffered while its data is being
        handled is closed once that handler returns, in the same turn of
        the loop (its FIN follows its last bytes at once, so the server,
        not the client, keeps the TIME_WAIT state), and a client that keeps
        its socket open sees the response and then the end.
        """
        r = backendReactor
        events: list[str] = []

        class Answer(Protocol):
            def dataReceived(self, data: bytes) -> None:
                self.transport.write(b"answer")
                self.transport.loseConnection()
                events.append("handled")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                events.append("lost")

        port = r.listenTCP(0, Factory.forProtocol(Answer), interface="127.0.0.1")
        client = socket.create_connection(("127.0.0.1", port.getHost().port), timeout=10)
        try:
            client.sendall(b"question")
            for _ in range(200):  # bounded: each turn waits at most 0.05 s
                r.iterate(0.05)
                if events:
                    break
            assert events == ["handled", "lost"]
            received = b""
            while chunk := client.recv(100):
                received += chunk
            assert received == b"answer"
        finally:
            client.close()
            port.stopListening()
            r.iterate(0)

    def test_soonCallsOutsideDispatch(self, backendReactor: PollingReactor) -> None:
        """
        A close asked for outside event dispatch (from a timer) happens on
        the loop's next turn; a soon-call that raises is logged and the
        others still run.
        """
        r = backendReactor
        ran: list[str] = []

        def boom() -> None:
            raise ZeroDivisionError("soon")

        r._callSoon(lambda: ran.append("first"))
        r._callSoon(boom)
        r._callSoon(lambda: ran.append("last"))
        assert ran == []
        with capturedLogs() as logged:
            r.iterate(0)
        assert ran == ["first", "last"]
        assert [e["log_failure"].type for e in logged if "log_failure" in e] == [ZeroDivisionError]

    def test_writeAfterLoseIdleConnection(self, backendReactor: PollingReactor) -> None:
        """
        Bytes written after loseConnection (in the same turn, once nothing
        was buffered) still go out before the close.
        """
        r = backendReactor

        class Closer(Protocol):
            def connectionMade(self) -> None:
                self.transport.loseConnection()
                self.transport.write(b"late" * 100_000)

        port = r.listenTCP(0, Factory.forProtocol(Closer), interface="127.0.0.1")
        collector = Collector(r)
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(collector))
        runReactor(r)
        assert b"".join(collector.chunks) == b"late" * 100_000
        assert collector.reason is not None and collector.reason.check(ConnectionDone)

    def test_peerResetIsConnectionLost(self, backendReactor: PollingReactor) -> None:
        """
        A peer that resets the connection (RST) ends it with ConnectionLost.
        """
        r = backendReactor

        class Resetter(Protocol):
            def dataReceived(self, data: bytes) -> None:
                # Linger on, with a zero timeout: close() sends RST.
                linger = b"\x01\x00\x00\x00\x00\x00\x00\x00"
                skt = self.transport.getHandle()
                skt.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.transport.abortConnection()

        port = r.listenTCP(0, Factory.forProtocol(Resetter), interface="127.0.0.1")
        collector = Collector(r)
        collector.connectionMade = lambda: collector.transport.write(b"ping")  # type: ignore[method-assign]
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(collector))
        runReactor(r)
        assert collector.reason is not None
        assert collector.reason.check(ConnectionLost, ConnectionDone)

    def test_halfClose(self, backendReactor: PollingReactor) -> None:
        """
        loseWriteConnection sends EOF; a half-closeable peer gets
        readConnectionLost and can still answer before closing.
        """
        r = backendReactor
        log: list[str] = []

        @implementer(IHalfCloseableProtocol)
        class Summer(Protocol):
            total = 0

            def dataReceived(self, data: bytes) -> None:
                self.total += len(data)

            def readConnectionLost(self) -> None:
                log.append("server read side closed")
                self.transport.write(str(self.total).encode())
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                pass

        port = r.listenTCP(0, Factory.forProtocol(Summer), interface="127.0.0.1")

        @implementer(IHalfCloseableProtocol)
        class Asker(Collector):
            def connectionMade(self) -> None:
                self.transport.write(b"x" * 12345)
                self.transport.loseWriteConnection()

            def readConnectionLost(self) -> None:
                log.append("client read side closed")
                self.transport.loseConnection()

            def writeConnectionLost(self) -> None:
                log.append("client write side closed")

        asker = Asker(r)
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(asker))
        runReactor(r)
        assert b"".join(asker.chunks) == b"12345"
        assert log == [
            "client write side closed",
            "server read side closed",
            "client read side closed",
        ]


@implementer(IPushProducer)
class Flood:
    """
    A streaming producer writing chunks as fast as the transport lets it,
    recording the largest buffer the transport ever held.
    """

    chunk = b"z" * 65536

    def __init__(self, transport: Any, total: int) -> None:
        self.transport = transport
        self.remaining = total
        self.paused = False
        self.pauses = 0
        self.maxBuffered = 0

    def resumeProducing(self) -> None:
        self.paused = False
        while not self.paused and self.remaining > 0:
            self.transport.write(self.chunk)
            self.remaining -= len(self.chunk)
            self.maxBuffered = max(self.maxBuffered, self.transport._bufferedBytes)
        if self.remaining <= 0 and not self.paused:
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def pauseProducing(self) -> None:
        self.paused = True
        self.pauses += 1

    def stopProducing(self) -> None:
        self.remaining = 0


class FlowControlTests:
    @pytest.mark.parametrize("mebibytes", [1024])
    def test_slowReaderPausesProducer(self, backendReactor: PollingReactor, mebibytes: int) -> None:
        """
        A producer pushing to a peer that reads slowly is paused whenever the
        transport's buffer passes the high-water mark: memory stays bounded by
        the high-water mark plus one chunk, and every byte arrives.
        """
        r = backendReactor
        total = mebibytes * 2**20
        floods: list[Flood] = []

        class Source(Protocol):
            def connectionMade(self) -> None:
                flood = Flood(self.transport, total)
                floods.append(flood)
                self.transport.registerProducer(flood, True)
                flood.resumeProducing()

        port = r.listenTCP(0, Factory.forProtocol(Source), interface="127.0.0.1")

        class SlowSink(Collector):
            def dataReceived(self, data: bytes) -> None:
                self.received += len(data)
                # Read in bursts: pause reading, resume a moment later.
                self.transport.pauseProducing()
                self.reactor.callLater(0, self.transport.resumeProducing)

        sink = SlowSink(r)
        r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(sink))
        runReactor(r, timeout=120)
        flood = floods[0]
        assert sink.received == total
        assert flood.pauses > 0
        transport = Flood.chunk
        assert flood.maxBuffered <= 2**16 + len(transport)


def openDescriptorCount() -> int:
    """
    How many descriptors this process has open (Linux: /proc/self/fd).
    """
    return len(os.listdir("/proc/self/fd"))


class ScaleTests:
    def test_thousandConcurrentConnections(self, backendReactor: PollingReactor) -> None:
        """
        One reactor serves 1,000 connections open at the same time: each
        client sends its number once all are connected and gets it back.
        """
        r = backendReactor
        if type(r).__name__ == "SelectReactor":
            pytest.skip("select() cannot watch descriptors above FD_SETSIZE (1024)")
        count = 1000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 3 * count:
            pytest.skip(f"the descriptor limit ({hard}) is too low for {count} connections")
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 3 * count), hard))
        try:
            port = r.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1", backlog=1024)
            answers: dict[int, bytes] = {}

            class Numbered(Protocol):
                def __init__(self, number: int) -> None:
                    self.number = number

                def connectionMade(self) -> None:
                    clients.append(self)
                    if len(clients) == count:
                        for client in clients:
                            client.transport.write(b"%d\n" % client.number)

                def dataReceived(self, data: bytes) -> None:
                    answers[self.number] = answers.get(self.number, b"") + data
                    if answers[self.number].endswith(b"\n"):
                        self.transport.loseConnection()

                def connectionLost(self, reason: Failure = connectionDone) -> None:
                    clients.remove(self)
                    if not clients:
                        r.stop()

            clients: list[Numbered] = []
            for number in range(count):
                r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(Numbered(number)))
            runReactor(r, timeout=120)
            assert answers == {n: b"%d\n" % n for n in range(count)}
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    def test_noDescriptorLeak(self, backendReactor: PollingReactor) -> None:
        """
        10,000 connect/exchange/disconnect cycles (10 in flight at a time)
        leave no descriptor open: after the reactor has stopped, exactly the
        reactor's own descriptors and the port's are gone.
        """
        if not os.path.isdir("/proc/self/fd"):
            pytest.skip("counting descriptors needs /proc/self/fd (Linux)")
        r = backendReactor
        cycles = 10_000
        port = r.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
        started = [0]
        finished = [0]

        class Once(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"hi")

            def dataReceived(self, data: bytes) -> None:
                self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                finished[0] += 1
                if finished[0] == cycles:
                    r.stop()
                else:
                    connect()

        def connect() -> None:
            if started[0] < cycles:
                started[0] += 1
                r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(Once()))

        def start() -> None:
            for _ in range(10):
                connect()

        r.callWhenRunning(start)
        # The port, the waker and (for epoll) the poller close with the reactor.
        reactorOwn = 2 + (1 if r._poller.name == "epoll" else 0)
        before = openDescriptorCount()
        runReactor(r, timeout=300)
        assert finished[0] == cycles
        # (<=: another test's leftover thread may close a descriptor meanwhile.)
        assert openDescriptorCount() <= before - reactorOwn


def test_portHostAfterStopListening(backendReactor: PollingReactor) -> None:
    """
    A port that stopped listening still reports the address it listened
    on; one that never listened says so.
    """
    from torsion.internet._tcp import Port

    port = backendReactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    listened = port.getHost()
    port.stopListening()
    assert port.getHost() == listened
    with pytest.raises(RuntimeError, match="has not started listening"):
        Port(0, Factory(), 50, "127.0.0.1", backendReactor).getHost()


def test_oneLargeWriteArrivesWhole(backendReactor: PollingReactor) -> None:
    """
    One write far larger than the kernel's socket buffer, on an idle
    connection, is partly sent at once and the rest buffered: all of it
    arrives, in order.
    """
    r = backendReactor
    port = r.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    payload = os.urandom(8 * 1024 * 1024)
    collector = Collector(r, expect=len(payload))
    collector.connectionMade = lambda: collector.transport.write(payload)  # type: ignore[method-assign]
    r.connectTCP("127.0.0.1", port.getHost().port, clientFactory(collector))
    runReactor(r)
    assert b"".join(collector.chunks) == payload
