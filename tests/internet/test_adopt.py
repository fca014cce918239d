"""
Tests for adoptStreamPort and adoptStreamConnection (IReactorSocket): TCP
and UNIX sockets made outside the reactor, on every backend, and a
listening socket inherited by a child process (socket activation).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.internet.reactors import backendReactor, runReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet.error import (
    AlreadyListened,
    ConnectionDone,
    UnsupportedAddressFamily,
    UnsupportedSocketType,
)
from torsion.internet.interfaces import (
    IListeningPort,
    IReactorSocket,
    ITCPTransport,
    IUNIXTransport,
)
from torsion.internet.protocol import ClientFactory, Factory, Protocol
from torsion.python.failure import Failure

__all__ = ["backendReactor"]

TIMEOUT = 60


class Upper(Protocol):
    """
    Answers each chunk in capitals, then closes; stops the reactor when the
    connection ends, if C{stop}.
    """

    reason: Failure | None = None

    def __init__(self, reactor: Any, stop: bool) -> None:
        self.reactor = reactor
        self.stop = stop

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data.upper())
        self.transport.loseConnection()

    def connectionLost(self, reason: Failure = ConnectionDone) -> None:  # type: ignore[assignment]
        self.reason = reason
        if self.stop:
            self.reactor.stop()


class Asker(Protocol):
    """
    A client that sends C{question} and keeps the answer; calls C{onLost}
    when the connection ends.
    """

    def __init__(self, question: bytes, onLost: Callable[[], object]) -> None:
        self.question = question
        self.onLost = onLost
        self.answer = b""

    def connectionMade(self) -> None:
        self.transport.write(self.question)

    def dataReceived(self, data: bytes) -> None:
        self.answer += data

    def connectionLost(self, reason: Failure = ConnectionDone) -> None:  # type: ignore[assignment]
        self.onLost()


class RecordingFactory(Factory):
    """
    Builds L{Upper} protocols (which stop the reactor when done, if
    C{stop}) and records the addresses it was given.
    """

    def __init__(self, reactor: Any, stop: bool = False) -> None:
        self.reactor = reactor
        self.stop = stop
        self.addresses: list[Any] = []
        self.built: list[Upper] = []
        self.starts = 0

    def doStart(self) -> None:
        self.starts += 1
        super().doStart()

    def buildProtocol(self, addr: Any) -> Upper:
        self.addresses.append(addr)
        protocol = Upper(self.reactor, self.stop)
        protocol.factory = self
        self.built.append(protocol)
        return protocol


def openDescriptors() -> set[int] | None:
    """
    @return: The descriptors open in this process, where it can be listed.
    """
    if not os.path.isdir("/proc/self/fd"):
        return None
    return {int(name) for name in os.listdir("/proc/self/fd")}


@pytest.fixture
def noLeak() -> Iterator[None]:
    """
    Fail the test if it leaves more descriptors open than it found.
    """
    before = openDescriptors()
    yield
    after = openDescriptors()
    if before is not None and after is not None:
        assert after - before == set(), "descriptors leaked"


def ask(
    connect: Callable[[ClientFactory], object],
    question: bytes,
    then: Callable[[], object],
) -> Asker:
    """
    Connect a client with C{connect(factory)} and send C{question}; call
    C{then} when the connection ends.

    @return: The client protocol, which collects the answer.
    """
    asker = Asker(question, then)
    factory = ClientFactory()
    factory.buildProtocol = lambda addr: asker  # type: ignore[method-assign]
    connect(factory)
    return asker


def stopAfter(reactor: PollingReactor, port: Any) -> Callable[[], None]:
    """
    A callable that stops listening on C{port}, then stops C{reactor}.
    """
    return lambda: port.stopListening().addCallback(lambda _: reactor.stop())


class AdoptStreamPortTests:
    def test_tcp(self, backendReactor: PollingReactor) -> None:
        """
        A listening TCP socket made elsewhere accepts connections for the
        factory; the port reports the socket's address and starts the
        factory.
        """
        r = backendReactor
        listening = socket.create_server(("127.0.0.1", 0))
        factory = RecordingFactory(r)
        port = r.adoptStreamPort(listening.fileno(), socket.AF_INET, factory)
        listening.close()
        host = port.getHost()
        assert isinstance(host, IPv4Address)
        number = host.port
        assert host == IPv4Address("TCP", "127.0.0.1", number)
        assert verifyObject(IListeningPort, port)
        assert factory.starts == 1
        asker = ask(lambda f: r.connectTCP("127.0.0.1", number, f), b"hello", stopAfter(r, port))
        runReactor(r)
        assert asker.answer == b"HELLO"
        (client,) = factory.addresses
        assert isinstance(client, IPv4Address) and client.host == "127.0.0.1"
        assert verifyObject(ITCPTransport, factory.built[0].transport)
        assert not port.connected

    def test_ipv6(self, backendReactor: PollingReactor) -> None:
        """
        A listening IPv6 socket is adopted with AF_INET6.
        """
        r = backendReactor
        try:
            listening = socket.create_server(("::1", 0), family=socket.AF_INET6)
        except OSError as e:
            pytest.skip(f"no IPv6 loopback here: {e}")
        port = r.adoptStreamPort(listening.fileno(), socket.AF_INET6, RecordingFactory(r))
        listening.close()
        host = port.getHost()
        assert isinstance(host, IPv6Address) and host.host == "::1"
        asker = ask(lambda f: r.connectTCP("::1", host.port, f), b"six", stopAfter(r, port))
        runReactor(r)
        assert asker.answer == b"SIX"

    def test_callerKeepsItsDescriptor(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        The port works on a duplicate: after it stops listening, the
        caller's socket is still open and listening, and closing it is the
        caller's job.
        """
        r = backendReactor
        listening = socket.create_server(("127.0.0.1", 0))
        port = r.adoptStreamPort(listening.fileno(), socket.AF_INET, RecordingFactory(r))
        assert port.socket is not None and port.socket.fileno() != listening.fileno()
        stopped = port.stopListening()
        stopped.addCallback(lambda _: r.stop())
        runReactor(r)
        client = socket.create_connection(listening.getsockname(), timeout=TIMEOUT)
        listening.setblocking(True)
        accepted, _ = listening.accept()
        accepted.close()
        client.close()
        listening.close()

    def test_listenAgain(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        startListening on a listening adopted port, or on one that stopped
        (which closed its duplicate), is an error saying what to do.
        """
        r = backendReactor
        with socket.create_server(("127.0.0.1", 0)) as listening:
            port = r.adoptStreamPort(listening.fileno(), socket.AF_INET, RecordingFactory(r))
        with pytest.raises(RuntimeError, match=r"^<RecordingFactory on \d+> is already listening$"):
            port.startListening()
        port.stopListening().addCallback(lambda _: r.stop())
        runReactor(r)
        with pytest.raises(
            RuntimeError,
            match=r"^<RecordingFactory on \d+> cannot listen again: its adopted socket was "
            r"closed when it stopped listening; adopt the descriptor again with "
            r"adoptStreamPort\(\)$",
        ):
            port.startListening()

    def test_unix(self, backendReactor: PollingReactor, tmp_path: Path) -> None:
        """
        A listening UNIX socket is adopted with AF_UNIX; stopping the port
        leaves the socket file, which belongs to whoever made it.
        """
        r = backendReactor
        path = str(tmp_path / "adopted.sock")
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listening.bind(path)
        listening.listen()
        port = r.adoptStreamPort(listening.fileno(), socket.AF_UNIX, RecordingFactory(r))
        listening.close()
        assert port.getHost() == UNIXAddress(path)
        asker = ask(lambda f: r.connectUNIX(path, f), b"local", stopAfter(r, port))
        runReactor(r)
        assert asker.answer == b"LOCAL"
        assert not port.connected
        assert os.path.exists(path)

    def test_sharedBetweenPorts(self, backendReactor: PollingReactor) -> None:
        """
        One listening socket adopted twice gives two ports that both accept
        from it (as pre-forked workers do, one per process).
        """
        r = backendReactor
        listening = socket.create_server(("127.0.0.1", 0))
        factories = [RecordingFactory(r), RecordingFactory(r)]
        ports = [r.adoptStreamPort(listening.fileno(), socket.AF_INET, f) for f in factories]
        listening.close()
        host = ports[0].getHost()
        assert isinstance(host, IPv4Address) and ports[1].getHost() == host
        number = host.port
        askers: list[Asker] = []

        def next() -> None:
            if len(askers) == 10:
                ports[0].stopListening()
                stopAfter(r, ports[1])()
                return
            question = b"n%d" % len(askers)
            askers.append(ask(lambda f: r.connectTCP("127.0.0.1", number, f), question, next))

        next()
        runReactor(r)
        assert [a.answer for a in askers] == [b"N%d" % n for n in range(10)]
        assert sum(len(f.addresses) for f in factories) == 10


class AdoptStreamConnectionTests:
    def test_unixSocketPair(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        One end of a UNIX socket pair carries a protocol; its addresses are
        unnamed UNIX addresses; the factory is not started.
        """
        r = backendReactor
        ours, theirs = socket.socketpair()
        factory = RecordingFactory(r, stop=True)
        r.adoptStreamConnection(ours.fileno(), socket.AF_UNIX, factory)
        ours.close()
        (protocol,) = factory.built
        assert verifyObject(IUNIXTransport, protocol.transport)
        assert protocol.transport.getPeer() == UNIXAddress(None)
        assert protocol.transport.getHost() == UNIXAddress(None)
        assert factory.addresses == [UNIXAddress(None)]
        assert factory.starts == 0
        theirs.sendall(b"paired")
        runReactor(r)
        theirs.settimeout(TIMEOUT)
        assert theirs.recv(100) == b"PAIRED"
        assert theirs.recv(100) == b""
        theirs.close()
        assert protocol.reason is not None and protocol.reason.check(ConnectionDone)

    def test_tcp(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        An accepted TCP connection is adopted with its real addresses.
        """
        r = backendReactor
        listening = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(listening.getsockname(), timeout=TIMEOUT)
        accepted, _ = listening.accept()
        listening.close()
        factory = RecordingFactory(r, stop=True)
        r.adoptStreamConnection(accepted.fileno(), socket.AF_INET, factory)
        accepted.close()
        (protocol,) = factory.built
        peer = IPv4Address("TCP", *client.getsockname())
        assert factory.addresses == [peer]
        assert protocol.transport.getPeer() == peer
        assert protocol.transport.getHost() == IPv4Address("TCP", *client.getpeername())
        client.sendall(b"tcp")
        runReactor(r)
        assert client.recv(100) == b"TCP"
        assert client.recv(100) == b""
        client.close()

    def test_buildProtocolNone(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        If the factory builds no protocol, the adopted duplicate is closed
        at once (the caller's own descriptor is untouched).
        """
        ours, theirs = socket.socketpair()
        factory = Factory()
        factory.buildProtocol = lambda addr: None  # type: ignore[method-assign]
        backendReactor.adoptStreamConnection(ours.fileno(), socket.AF_UNIX, factory)
        ours.sendall(b"still mine")
        assert theirs.recv(100) == b"still mine"
        ours.close()
        theirs.close()


class RefusalTests:
    """
    Descriptors that do not fit the call are refused at once, with a
    message naming the descriptor and what to do, and nothing leaks.
    """

    def test_unsupportedFamily(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        A family other than AF_INET, AF_INET6 and AF_UNIX is refused.
        """
        with pytest.raises(
            UnsupportedAddressFamily,
            match=r"^adoptStreamPort\(\) takes AF_INET, AF_INET6 or AF_UNIX sockets, "
            r"not AF_APPLETALK$",
        ):
            backendReactor.adoptStreamPort(0, socket.AF_APPLETALK, Factory())

    def test_wrongFamily(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        A family that is not the socket's own is refused.
        """
        with socket.create_server(("127.0.0.1", 0)) as listening:
            fd = listening.fileno()
            with pytest.raises(
                UnsupportedAddressFamily,
                match=rf"^adoptStreamPort\(\) was told descriptor {fd} is AF_INET6, but it "
                r"is AF_INET; pass the socket's own family$",
            ):
                backendReactor.adoptStreamPort(fd, socket.AF_INET6, Factory())

    def test_datagramSocket(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        A datagram socket is refused, pointing at adoptDatagramPort.
        """
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            fd = udp.fileno()
            with pytest.raises(
                UnsupportedSocketType,
                match=rf"^adoptStreamConnection\(\) takes SOCK_STREAM sockets, but "
                rf"descriptor {fd} is SOCK_DGRAM; use adoptDatagramPort\(\) for it$",
            ):
                backendReactor.adoptStreamConnection(fd, socket.AF_INET, Factory())

    def test_notASocket(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        A descriptor that is not a socket is refused.
        """
        r, w = os.pipe()
        try:
            with pytest.raises(
                UnsupportedSocketType,
                match=rf"^adoptStreamPort\(\) was given descriptor {r}, which is not a socket$",
            ):
                backendReactor.adoptStreamPort(r, socket.AF_INET, Factory())
        finally:
            os.close(r)
            os.close(w)

    def test_notOpen(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        A descriptor that is not open is refused.
        """
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        with pytest.raises(
            ValueError,
            match=rf"^adoptStreamConnection\(\) was given descriptor {r}, which is not open "
            r"\(Bad file descriptor\); pass the fileno\(\) of an open socket$",
        ):
            backendReactor.adoptStreamConnection(r, socket.AF_INET, Factory())

    def test_portNotListening(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        adoptStreamPort refuses a socket that is not listening.
        """
        with socket.socket() as idle:
            idle.bind(("127.0.0.1", 0))
            fd = idle.fileno()
            with pytest.raises(
                AlreadyListened,
                match=rf"^adoptStreamPort\(\) needs a listening socket, but descriptor {fd} "
                r"is not listening; call listen\(\) on it first, or adopt a connected "
                r"socket with adoptStreamConnection\(\)$",
            ):
                backendReactor.adoptStreamPort(fd, socket.AF_INET, Factory())

    def test_connectionListening(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        adoptStreamConnection refuses a listening socket.
        """
        with socket.create_server(("127.0.0.1", 0)) as listening:
            fd = listening.fileno()
            with pytest.raises(
                AlreadyListened,
                match=rf"^adoptStreamConnection\(\) needs a connected socket, but descriptor "
                rf"{fd} is listening; adopt it with adoptStreamPort\(\)$",
            ):
                backendReactor.adoptStreamConnection(fd, socket.AF_INET, Factory())

    def test_connectionNotConnected(self, backendReactor: PollingReactor, noLeak: None) -> None:
        """
        adoptStreamConnection refuses a socket that is not connected.
        """
        with socket.socket() as idle:
            fd = idle.fileno()
            with pytest.raises(
                ValueError,
                match=rf"^adoptStreamConnection\(\) needs a connected socket, but descriptor "
                rf"{fd} is not connected \(Transport endpoint is not connected\); connect "
                r"it first$",
            ):
                backendReactor.adoptStreamConnection(fd, socket.AF_INET, Factory())

    def test_reactorProvidesIReactorSocket(self, backendReactor: PollingReactor) -> None:
        """
        Every backend provides IReactorSocket.
        """
        assert verifyObject(IReactorSocket, backendReactor)


ACTIVATED = """
import os, socket, sys
from torsion.internet import reactor
from torsion.internet.protocol import Factory, Protocol

class Hello(Protocol):
    def connectionMade(self):
        self.transport.write(b"served by %d" % os.getpid())
        self.transport.loseConnection()

    def connectionLost(self, reason):
        reactor.stop()

fd = int(os.environ["TORSION_LISTEN_FD"])
reactor.adoptStreamPort(fd, socket.AF_INET, Factory.forProtocol(Hello))
os.close(fd)
reactor.run()
"""


def test_socketActivation() -> None:
    """
    A child process given an inherited listening descriptor (its number in
    an environment variable, as a service manager would) adopts it and
    serves; a client that connected before the child was ready waited in
    the backlog rather than being refused.
    """
    listening = socket.create_server(("127.0.0.1", 0))
    fd = listening.fileno()
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(ACTIVATED)],
        pass_fds=(fd,),
        env={**os.environ, "TORSION_LISTEN_FD": str(fd)},
        stderr=subprocess.PIPE,
    )
    address = listening.getsockname()
    listening.close()
    try:
        with socket.create_connection(address, timeout=TIMEOUT) as client:
            answer = b""
            while chunk := client.recv(100):
                answer += chunk
        assert answer == b"served by %d" % child.pid
        _, err = child.communicate(timeout=TIMEOUT)
        assert child.returncode == 0, err.decode()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
