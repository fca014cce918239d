"""
Tests for UDP ports (L{torsion.internet.udp.Port}) over real loopback
sockets, on every reactor backend.
"""

from __future__ import annotations

import errno
import os
import select
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.internet.reactors import SAFETY_TIMEOUT, backendReactor, runReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address, IPv6Address
from torsion.internet.error import (
    CannotListenError,
    ConnectionRefusedError,
    InvalidAddressError,
    MessageLengthError,
    NotListeningError,
    UnsupportedAddressFamily,
    UnsupportedSocketType,
)
from torsion.internet.interfaces import (
    IListeningPort,
    IReactorUDP,
    IReadDescriptor,
    IUDPTransport,
)
from torsion.internet.protocol import ConnectedDatagramProtocol, DatagramProtocol
from torsion.internet.udp import Port
from torsion.logger import LogEvent
from torsion.python.failure import Failure

__all__ = ["backendReactor"]


class Echo(DatagramProtocol):
    """
    Sends every datagram back where it came from.
    """

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.transport.write(datagram, addr)


class Recorder(DatagramProtocol):
    """
    Records what happens to it; stops the reactor once it has C{expect}
    datagrams, or is refused.
    """

    def __init__(self, reactor: Any = None, expect: int = -1) -> None:
        self.reactor = reactor
        self.expect = expect
        self.received: list[tuple[bytes, Any]] = []
        self.events: list[str] = []

    def startProtocol(self) -> None:
        self.events.append("start")

    def stopProtocol(self) -> None:
        self.events.append("stop")

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.received.append((datagram, addr))
        if len(self.received) == self.expect:
            self.reactor.stop()

    def connectionRefused(self) -> None:
        self.events.append("refused")
        if self.reactor is not None:
            self.reactor.stop()


@pytest.fixture
def ports() -> Iterator[list[Port]]:
    """
    Ports to close at the end of the test, whatever happened.
    """
    made: list[Port] = []
    yield made
    for port in made:
        port.connectionLost(None)


def deadPort(family: int = socket.AF_INET, host: str = "127.0.0.1") -> int:
    """
    A loopback UDP port number where nothing listens (just freed).
    """
    probe = socket.socket(family, socket.SOCK_DGRAM)
    probe.bind((host, 0))
    number: int = probe.getsockname()[1]
    probe.close()
    return number


def ipv6Loopback() -> None:
    """
    Skip the calling test, saying why, unless UDP works over ::1.
    """
    if not socket.has_ipv6:
        pytest.skip("this Python has no IPv6 support")
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError as e:
        pytest.skip(f"::1 is not available here: {e}")


def waitReadable(skt: Any) -> None:
    """
    Wait until C{skt} is readable (or has an error pending); the bound only
    catches a broken test.
    """
    readable, _, _ = select.select([skt], [], [], SAFETY_TIMEOUT)
    assert readable, f"{skt!r} never became readable"


class EchoTests:
    def test_manyDatagramsEchoed(self, backendReactor: PollingReactor) -> None:
        """
        2,000 distinct datagrams sent to an echo port (at most 32 in flight,
        so loopback never drops any) all come back, each whole, from the
        echo port's address.
        """
        r = backendReactor
        server = r.listenUDP(0, Echo(), interface="127.0.0.1")
        target = ("127.0.0.1", server.getHost().port)
        total, window = 2000, 32
        payloads = [b"%05d:" % i + bytes([i % 256]) * (i % 500) for i in range(total)]
        client = Recorder(r, expect=total)
        sent = [0]

        def sendNext() -> None:
            client.transport.write(payloads[sent[0]], target)
            sent[0] += 1

        def received(datagram: bytes, addr: Any) -> None:
            Recorder.datagramReceived(client, datagram, addr)
            if sent[0] < total:
                sendNext()

        client.datagramReceived = received  # type: ignore[method-assign]
        r.listenUDP(0, client, interface="127.0.0.1")
        for _ in range(window):
            sendNext()
        runReactor(r)
        assert sorted(d for d, _ in client.received) == sorted(payloads)
        assert {addr for _, addr in client.received} == {target}

    def test_ipv6Loopback(self, backendReactor: PollingReactor) -> None:
        """
        UDP works over ::1: the port's address is an IPv6Address and
        datagramReceived gets a C{(host, port)} pair.
        """
        ipv6Loopback()
        r = backendReactor
        server = r.listenUDP(0, Echo(), interface="::1")
        host = server.getHost()
        assert isinstance(host, IPv6Address)
        assert (host.type, host.host) == ("UDP", "::1")
        client = Recorder(r, expect=3)
        clientPort = r.listenUDP(0, client, interface="::1")
        for data in (b"one", b"two", b"three"):
            clientPort.write(data, ("::1", host.port))
        runReactor(r)
        assert sorted(d for d, _ in client.received) == [b"one", b"three", b"two"]
        assert {addr for _, addr in client.received} == {("::1", host.port)}

    def test_severalDatagramsPerReadEvent(
        self, backendReactor: PollingReactor, ports: list[Port]
    ) -> None:
        """
        One doRead hands over every datagram waiting (up to the limit), not
        just one: 50 queued datagrams take fewer than 50 calls.
        """
        recorder = Recorder()
        port = backendReactor.listenUDP(0, recorder, interface="127.0.0.1")
        ports.append(port)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(50):
            sender.sendto(b"%d" % i, ("127.0.0.1", port.getHost().port))
        sender.close()
        calls = 0
        while len(recorder.received) < 50:
            waitReadable(port.socket)
            assert port.doRead() is None
            calls += 1
        assert calls < 50
        assert [d for d, _ in recorder.received] == [b"%d" % i for i in range(50)]

    def test_readLimitPerEvent(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        One doRead reads at most maxDatagramsPerRead datagrams, so one busy
        port cannot starve the others; the rest wait for the next call.
        """
        recorder = Recorder()
        port = backendReactor.listenUDP(0, recorder, interface="127.0.0.1")
        ports.append(port)
        port.maxDatagramsPerRead = 4
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(10):
            sender.sendto(b"%d" % i, ("127.0.0.1", port.getHost().port))
        sender.close()
        perCall = []
        while len(recorder.received) < 10:
            waitReadable(port.socket)
            before = len(recorder.received)
            port.doRead()
            perCall.append(len(recorder.received) - before)
        assert max(perCall) <= 4
        assert len(perCall) >= 3

    def test_longDatagramCut(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        A datagram longer than maxPacketSize arrives cut to maxPacketSize
        bytes (as in Twisted); the next one is read normally.
        """
        recorder = Recorder()
        port = backendReactor.listenUDP(0, recorder, interface="127.0.0.1", maxPacketSize=10)
        ports.append(port)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sender.sendto(b"0123456789abcdef", ("127.0.0.1", port.getHost().port))
        sender.sendto(b"short", ("127.0.0.1", port.getHost().port))
        sender.close()
        while len(recorder.received) < 2:
            waitReadable(port.socket)
            port.doRead()
        assert [d for d, _ in recorder.received] == [b"0123456789", b"short"]


class ConnectedTests:
    def test_connectedEcho(self, backendReactor: PollingReactor) -> None:
        """
        After connect(), write() takes no address (or the peer's own), and
        datagrams come back from the peer.
        """
        r = backendReactor
        server = r.listenUDP(0, Echo(), interface="127.0.0.1")
        peer = ("127.0.0.1", server.getHost().port)
        client = Recorder(r, expect=2)
        port = r.listenUDP(0, client, interface="127.0.0.1")
        port.connect(*peer)
        port.write(b"first")
        port.write(b"second", peer)
        runReactor(r)
        assert client.received == [(b"first", peer), (b"second", peer)]

    def test_connectedWriteElsewhere(
        self, backendReactor: PollingReactor, ports: list[Port]
    ) -> None:
        """
        A connected port refuses to send to another address, naming the
        peer it is connected to.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        port.connect("127.0.0.1", 9)
        with pytest.raises(InvalidAddressError, match=r"connected to 127\.0\.0\.1:9"):
            port.write(b"x", ("127.0.0.1", 10))

    def test_connectionRefusedFromICMP(self, backendReactor: PollingReactor) -> None:
        """
        A datagram sent to a loopback port where nothing listens brings back
        an ICMP refusal: the connected protocol's connectionRefused is
        called, and the port goes on working: it receives what its peer
        sends once something listens there.
        """
        r = backendReactor
        dead = deadPort()
        client = Recorder(r, expect=1)
        port = r.listenUDP(0, client, interface="127.0.0.1")
        stillReading: list[bool] = []

        def refused() -> None:
            client.events.append("refused")
            stillReading.append(bool(port.connected) and port in r.getReaders())
            peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            peer.bind(("127.0.0.1", dead))
            peer.sendto(b"now I am", ("127.0.0.1", port.getHost().port))
            peer.close()

        client.connectionRefused = refused  # type: ignore[method-assign]
        port.connect("127.0.0.1", dead)
        port.write(b"anyone there?")
        runReactor(r)
        assert client.events == ["start", "refused", "stop"]
        assert stillReading == [True]
        assert client.received == [(b"now I am", ("127.0.0.1", dead))]

    def test_connectedDatagramProtocolFails(self, backendReactor: PollingReactor) -> None:
        """
        A ConnectedDatagramProtocol, which has no connectionRefused, gets
        connectionFailed with a ConnectionRefusedError naming the peer.
        """
        r = backendReactor
        dead = deadPort()
        reasons: list[Failure] = []

        class Connected(ConnectedDatagramProtocol):
            def connectionFailed(self, failure: Failure) -> None:
                reasons.append(failure)
                r.stop()

        port = r.listenUDP(0, Connected(), interface="127.0.0.1")
        port.connect("127.0.0.1", dead)
        port.write(b"x")
        runReactor(r)
        assert len(reasons) == 1
        assert reasons[0].check(ConnectionRefusedError)
        assert f"127.0.0.1:{dead}" in str(reasons[0].value)

    def test_refusalReportedByWrite(
        self, backendReactor: PollingReactor, ports: list[Port]
    ) -> None:
        """
        A refusal still pending when the protocol writes again is reported
        by that write(), to connectionRefused, without raising.
        """
        client = Recorder()
        port = backendReactor.listenUDP(0, client, interface="127.0.0.1")
        ports.append(port)
        port.connect("127.0.0.1", deadPort())
        port.write(b"one")
        waitReadable(port.socket)
        port.write(b"two")
        assert client.events == ["start", "refused"]

    def test_unconnectedIgnoresRefusal(self, backendReactor: PollingReactor) -> None:
        """
        An unconnected port is not told of refusals (the kernel does not
        report them), and goes on receiving.
        """
        r = backendReactor
        client = Recorder(r, expect=1)
        port = r.listenUDP(0, client, interface="127.0.0.1")
        myself = ("127.0.0.1", port.getHost().port)
        port.write(b"nobody", ("127.0.0.1", deadPort()))
        port.write(b"myself", myself)
        runReactor(r)
        assert client.events == ["start", "stop"]
        assert client.received == [(b"myself", myself)]

    def test_connectErrors(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        connect() refuses a host name and an address of the other family,
        and a second connect(), each saying what to do instead.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        with pytest.raises(InvalidAddressError, match=r"not a host name"):
            port.connect("localhost", 9)
        with pytest.raises(InvalidAddressError, match=r"IPv4 port cannot send to an IPv6"):
            port.connect("::1", 9)
        port.connect("127.0.0.1", 9)
        with pytest.raises(RuntimeError, match=r"already connected to 127\.0\.0\.1:9"):
            port.connect("127.0.0.1", 10)


class WriteErrorTests:
    def test_oversizedDatagram(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        A datagram too long for UDP raises MessageLengthError naming its
        size and what to do, connected or not.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        big = b"x" * 70000
        with pytest.raises(MessageLengthError, match=r"^a datagram of 70000 bytes .* split"):
            port.write(big, ("127.0.0.1", port.getHost().port))
        port.connect("127.0.0.1", port.getHost().port)
        with pytest.raises(MessageLengthError, match=r"70000 bytes is too long"):
            port.write(big)

    def test_addressErrors(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        write() refuses a host name (which would block the reactor on DNS),
        a missing address and an address of the other family.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        with pytest.raises(InvalidAddressError, match=r"'localhost'.*resolve the name first"):
            port.write(b"x", ("localhost", 9))
        with pytest.raises(InvalidAddressError, match=r"needs an address"):
            port.write(b"x")
        with pytest.raises(InvalidAddressError, match=r"IPv4 port cannot send to an IPv6"):
            port.write(b"x", ("::1", 9))

    def test_ipv6PortRefusesIPv4(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        An IPv6 port refuses to send to an IPv4 address.
        """
        ipv6Loopback()
        port = backendReactor.listenUDP(0, Recorder(), interface="::1")
        ports.append(port)
        with pytest.raises(InvalidAddressError, match=r"IPv6 port cannot send to an IPv4"):
            port.write(b"x", ("127.0.0.1", 9))

    def test_writeText(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        Writing text instead of bytes is a TypeError that says to encode it;
        a malformed address is a TypeError that names it.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        with pytest.raises(TypeError, match=r"takes bytes, not str; encode text first"):
            port.write("text", ("127.0.0.1", 9))  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"\(host, port\) tuple, not 'nowhere'"):
            port.write(b"x", "nowhere")  # type: ignore[arg-type]

    def test_fullSendQueueDrops(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        When the kernel's send queue is full (EAGAIN, ENOBUFS) the datagram
        is dropped, as UDP may drop any datagram: nothing is raised or
        queued.  Other send errors are raised, naming the destination.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        real = port.socket

        class FullSocket:
            def __init__(self, code: int) -> None:
                self.code = code
                self.attempts = 0

            def sendto(self, data: bytes, addr: Any) -> int:
                self.attempts += 1
                raise OSError(self.code, "no room")

            def getsockopt(self, *args: Any) -> int:
                return 0

        try:
            for code in (errno.EAGAIN, errno.ENOBUFS):
                full = FullSocket(code)
                port.socket = full  # type: ignore[assignment]
                port.write(b"dropped", ("127.0.0.1", 9))
                assert full.attempts == 1
            port.socket = FullSocket(errno.EACCES)  # type: ignore[assignment]
            with pytest.raises(PermissionError, match=r"to 127\.0\.0\.1:9; to send to a broad"):
                port.write(b"x", ("127.0.0.1", 9))
        finally:
            port.socket = real

    def test_writeAfterStopDropped(self, backendReactor: PollingReactor) -> None:
        """
        Once the port is closed, write() drops the datagram quietly.
        """
        r = backendReactor
        port = r.listenUDP(0, Recorder(), interface="127.0.0.1")
        port.stopListening().addCallback(lambda _: r.stop())
        runReactor(r)
        assert port.write(b"late", ("127.0.0.1", 9)) is None  # type: ignore[func-returns-value]

    def test_hostCheckRemembered(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        A destination host is checked once, then remembered; the memory is
        bounded.
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        port.write(b"x", ("127.0.0.1", 9))
        assert port._knownHosts == {"127.0.0.1"}
        for i in range(1030):
            port.write(b"x", (f"127.0.{i // 250}.{i % 250 + 1}", 9))
        assert len(port._knownHosts) <= 1024


class BadInputTests:
    def test_datagramReceivedRaises(
        self, backendReactor: PollingReactor, loggedFailures: list[LogEvent]
    ) -> None:
        """
        An exception from datagramReceived is logged, naming the sender;
        the port goes on receiving the following datagrams.
        """
        r = backendReactor

        class Fussy(Recorder):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                if datagram == b"bad":
                    raise ValueError("cannot parse b'bad'")
                super().datagramReceived(datagram, addr)

        fussy = Fussy(r, expect=2)
        port = r.listenUDP(0, fussy, interface="127.0.0.1")
        assert port.connected
        target = ("127.0.0.1", port.getHost().port)
        sender = r.listenUDP(0, Recorder(), interface="127.0.0.1")
        senderAddress = f"127.0.0.1:{sender.getHost().port}"
        for data in (b"bad", b"good", b"bad", b"better"):
            sender.write(data, target)
        runReactor(r)
        assert [d for d, _ in fussy.received] == [b"good", b"better"]
        assert len(loggedFailures) == 2
        for event in loggedFailures:
            assert event["log_failure"].check(ValueError)
            assert event["sender"] == senderAddress


class AdoptTests:
    def test_adoptDatagramPort(self, backendReactor: PollingReactor) -> None:
        """
        adoptDatagramPort receives on a socket the test made and bound; the
        port works on its own duplicate, so the test closes its socket at
        once.
        """
        r = backendReactor
        made = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        made.bind(("127.0.0.1", 0))
        number = made.getsockname()[1]
        recorder = Recorder(r, expect=1)
        port = r.adoptDatagramPort(made.fileno(), socket.AF_INET, recorder)
        made.close()
        assert port.getHost() == IPv4Address("UDP", "127.0.0.1", number)
        assert recorder.events == ["start"]
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sender.sendto(b"adopted", ("127.0.0.1", number))
        sender.close()

        def received(datagram: bytes, addr: Any) -> None:
            recorder.received.append((datagram, addr))
            port.stopListening().addCallback(lambda _: r.stop())

        recorder.datagramReceived = received  # type: ignore[method-assign]
        runReactor(r)
        assert [d for d, _ in recorder.received] == [b"adopted"]
        assert recorder.events == ["start", "stop"]
        assert port.fileno() == -1

    def test_adoptIPv6(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        An adopted IPv6 socket gives IPv6 addresses.
        """
        ipv6Loopback()
        made = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        made.bind(("::1", 0))
        port = backendReactor.adoptDatagramPort(made.fileno(), socket.AF_INET6, Recorder())
        ports.append(port)
        made.close()
        host = port.getHost()
        assert isinstance(host, IPv6Address) and host.host == "::1"

    def test_adoptBadSockets(self, backendReactor: PollingReactor) -> None:
        """
        adoptDatagramPort refuses a family other than IPv4/IPv6, a family
        that is not the socket's, and a stream socket, leaving the caller's
        socket open.
        """
        r = backendReactor
        made = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            with pytest.raises(UnsupportedAddressFamily, match=r"AF_INET or AF_INET6"):
                r.adoptDatagramPort(made.fileno(), socket.AF_UNIX, Recorder())
            with pytest.raises(UnsupportedAddressFamily, match=r"pass the socket's own family"):
                r.adoptDatagramPort(made.fileno(), socket.AF_INET6, Recorder())
            with pytest.raises(UnsupportedSocketType, match=r"use adoptStreamPort"):
                r.adoptDatagramPort(stream.fileno(), socket.AF_INET, Recorder())
            assert made.fileno() >= 0
        finally:
            made.close()
            stream.close()

    def test_adoptNotASocket(self, backendReactor: PollingReactor) -> None:
        """
        A descriptor that is not a socket (a pipe) raises the OS error, and
        the duplicate made of it is closed again.
        """
        if not os.path.isdir("/proc/self/fd"):
            pytest.skip("counting descriptors needs /proc/self/fd (Linux)")
        readEnd, writeEnd = os.pipe()
        try:
            before = len(os.listdir("/proc/self/fd"))
            with pytest.raises(OSError) as raised:
                backendReactor.adoptDatagramPort(readEnd, socket.AF_INET, Recorder())
            assert raised.value.errno == errno.ENOTSOCK
            assert len(os.listdir("/proc/self/fd")) == before
        finally:
            os.close(readEnd)
            os.close(writeEnd)


class LifecycleTests:
    def test_startAndStop(self, backendReactor: PollingReactor) -> None:
        """
        listenUDP attaches the protocol (makeConnection: transport set,
        doStart, startProtocol once); stopListening's Deferred fires after
        the socket is closed and the protocol stopped (doStop).
        """
        r = backendReactor
        recorder = Recorder()
        port = r.listenUDP(0, recorder, interface="127.0.0.1")
        assert recorder.transport is port
        assert recorder.numPorts == 1
        assert recorder.events == ["start"]
        order: list[str] = []
        first = port.stopListening()
        second = port.stopListening()
        first.addCallback(lambda _: order.append(f"closed, {recorder.events[-1]}"))
        second.addCallback(lambda _: r.stop())
        assert port.connected and not order
        runReactor(r)
        assert order == ["closed, stop"]
        assert recorder.transport is None and recorder.numPorts == 0
        assert port.fileno() == -1
        assert port.getHandle() is None
        with pytest.raises(NotListeningError, match=r"not listening"):
            port.getHost()
        done: list[object] = []
        port.stopListening().addCallback(done.append)
        assert done == [None]

    def test_stopFromDatagramReceived(self, backendReactor: PollingReactor) -> None:
        """
        A protocol that stops listening from datagramReceived gets no more
        datagrams, even ones already read in the same batch's socket.
        """
        r = backendReactor

        class OneShot(Recorder):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                self.received.append((datagram, addr))
                self.transport.stopListening().addCallback(lambda _: r.stop())

        oneShot = OneShot()
        port = r.listenUDP(0, oneShot, interface="127.0.0.1")
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for data in (b"1", b"2", b"3"):
            sender.sendto(data, ("127.0.0.1", port.getHost().port))
        sender.close()
        runReactor(r)
        assert [d for d, _ in oneShot.received] == [b"1"]

    def test_reactorShutdownClosesPorts(self, backendReactor: PollingReactor) -> None:
        """
        Stopping the reactor closes its UDP ports and stops their protocols.
        """
        r = backendReactor
        recorder = Recorder()
        port = r.listenUDP(0, recorder, interface="127.0.0.1")
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert recorder.events == ["start", "stop"]
        assert not port.connected

    def test_startProtocolRaises(self, backendReactor: PollingReactor) -> None:
        """
        If startProtocol raises, listenUDP raises it, closes the socket, and
        leaves the protocol detached.
        """
        r = backendReactor

        class Broken(DatagramProtocol):
            def startProtocol(self) -> None:
                raise ValueError("no configuration")

        broken = Broken()
        with pytest.raises(ValueError, match=r"no configuration"):
            r.listenUDP(0, broken, interface="127.0.0.1")
        assert broken.transport is None and broken.numPorts == 0
        assert r.getReaders() == []

    def test_startProtocolMayStop(self, backendReactor: PollingReactor) -> None:
        """
        A protocol may stop listening from startProtocol: the port never
        starts reading, and closes.
        """
        r = backendReactor

        class Reluctant(Recorder):
            def startProtocol(self) -> None:
                super().startProtocol()
                self.transport.stopListening().addCallback(lambda _: r.stop())

        reluctant = Reluctant()
        r.listenUDP(0, reluctant, interface="127.0.0.1")
        assert r.getReaders() == []
        runReactor(r)
        assert reluctant.events == ["start", "stop"]

    def test_startProtocolStopsThenRaises(self, backendReactor: PollingReactor) -> None:
        """
        If startProtocol asks to stop and then raises, listenUDP raises and
        the stopListening Deferred fires (the port is closed).
        """
        r = backendReactor
        closed: list[object] = []

        class Confused(DatagramProtocol):
            def startProtocol(self) -> None:
                self.transport.stopListening().addCallback(closed.append)
                raise ValueError("changed my mind")

        with pytest.raises(ValueError, match=r"changed my mind"):
            r.listenUDP(0, Confused(), interface="127.0.0.1")
        assert closed == [None]

    def test_cannotListen(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        Binding a port in use fails with CannotListenError naming it; a
        host name as interface is refused before binding.
        """
        r = backendReactor
        port = r.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        number = port.getHost().port
        with pytest.raises(CannotListenError, match=rf"127\.0\.0\.1:{number}"):
            r.listenUDP(number, Recorder(), interface="127.0.0.1")
        with pytest.raises(InvalidAddressError, match=r"not a host name"):
            r.listenUDP(0, Recorder(), interface="localhost")
        with pytest.raises(ValueError, match=r"maxPacketSize must be a positive"):
            r.listenUDP(0, Recorder(), interface="127.0.0.1", maxPacketSize=0)

    def test_broadcastAllowed(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        Broadcasting is off by default and setBroadcastAllowed turns it on
        and off (no broadcast is sent).
        """
        port = backendReactor.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        assert port.getBroadcastAllowed() is False
        port.setBroadcastAllowed(True)
        assert port.getBroadcastAllowed() is True
        port.setBroadcastAllowed(False)
        assert port.getBroadcastAllowed() is False

    def test_interfacesAndNames(self, backendReactor: PollingReactor, ports: list[Port]) -> None:
        """
        The port provides IUDPTransport, IListeningPort and IReadDescriptor,
        the reactor IReactorUDP; repr and logPrefix name the protocol.
        """
        r = backendReactor
        port = r.listenUDP(0, Recorder(), interface="127.0.0.1")
        ports.append(port)
        assert verifyObject(IUDPTransport, port)
        assert verifyObject(IListeningPort, port)
        assert verifyObject(IReadDescriptor, port)
        assert verifyObject(IReactorUDP, r)
        assert repr(port) == f"<Recorder on {port.getHost().port}>"
        assert port.logPrefix() == "Recorder (UDP)"
        assert port.getHost().type == "UDP"

    def test_loseConnectionDeprecated(self, backendReactor: PollingReactor) -> None:
        """
        loseConnection still stops the port, with a DeprecationWarning that
        points to stopListening.
        """
        r = backendReactor
        recorder = Recorder()
        port = r.listenUDP(0, recorder, interface="127.0.0.1")
        with pytest.warns(DeprecationWarning, match=r"use stopListening\(\)"):
            port.loseConnection()
        r.callLater(0, r.stop)
        runReactor(r)
        assert recorder.events == ["start", "stop"]


@pytest.mark.parametrize("name", ["poll", "epoll"])
def test_pollerrReachesDoRead(name: str) -> None:
    """
    A plain reader whose socket has only an error pending (a connected UDP
    socket after an ICMP refusal) gets doRead, where recv() reports the
    error, rather than being disconnected.
    """
    from tests.internet.reactors import makeReactor

    r = makeReactor(name)
    skt = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    skt.bind(("127.0.0.1", 0))
    skt.setblocking(False)
    skt.connect(("127.0.0.1", deadPort()))
    skt.send(b"x")
    waitReadable(skt)
    seen: list[str] = []

    @implementer(IReadDescriptor)
    class Reader:
        def fileno(self) -> int:
            return skt.fileno()

        def logPrefix(self) -> str:
            return "Reader"

        def doRead(self) -> None:
            try:
                skt.recv(10)
            except OSError as e:
                seen.append(errno.errorcode[e.errno or 0])
            r.crash()

        def connectionLost(self, reason: Any) -> None:
            seen.append("connectionLost")
            r.stop()

    reader = Reader()
    r.addReader(reader)
    try:
        runReactor(r)
    finally:
        r.removeReader(reader)
        skt.close()
        r.waker.close()
    assert seen == ["ECONNREFUSED"]
