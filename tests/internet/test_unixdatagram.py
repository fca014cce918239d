"""
Tests for UNIX datagram sockets (listenUNIXDatagram, connectUNIXDatagram)
over real sockets in the test's temporary directory, on every reactor
backend.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.internet.reactors import backendReactor, runReactor
from tests.internet.test_unix import logged, messages, where
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet._unixdatagram import (
    IUNIXDatagramConnectedTransport,
    IUNIXDatagramTransport,
)
from torsion.internet.address import UNIXAddress
from torsion.internet.error import (
    BadFileError,
    CannotListenError,
    MessageLengthError,
    NotConnectingError,
)
from torsion.internet.interfaces import IConnector, IListeningPort, IReactorUNIXDatagram
from torsion.internet.protocol import ConnectedDatagramProtocol, DatagramProtocol
from torsion.internet.unix import ConnectedDatagramPort, DatagramPort
from torsion.logger import LogEvent
from torsion.python.failure import Failure

__all__ = ["backendReactor", "logged", "where"]


class Inbox(DatagramProtocol):
    """
    Records datagrams and their senders; stops the reactor once C{expect}
    have arrived.
    """

    noisy = False

    def __init__(self, reactor: Any, expect: int = 1) -> None:
        self.reactor = reactor
        self.expect = expect
        self.received: list[tuple[bytes, Any]] = []
        self.stopped = False

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.received.append((datagram, addr))
        if len(self.received) == self.expect:
            self.reactor.stop()

    def stopProtocol(self) -> None:
        self.stopped = True


class Answering(Inbox):
    """
    Answers each datagram with C{b"re: "} and the datagram, when the sender
    can be answered.
    """

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        if addr is not None:
            self.transport.write(b"re: " + datagram, addr)
        super().datagramReceived(datagram, addr)


class Peer(ConnectedDatagramProtocol):
    """
    A connected protocol recording what arrives and how connecting went.
    """

    noisy = False

    def __init__(self, reactor: Any, expect: int = 1) -> None:
        self.reactor = reactor
        self.expect = expect
        self.received: list[bytes] = []
        self.failures: list[Failure] = []

    def datagramReceived(self, datagram: bytes, addr: Any = None) -> None:
        self.received.append(datagram)
        if len(self.received) == self.expect:
            self.reactor.stop()

    def connectionFailed(self, failure: Failure) -> None:
        self.failures.append(failure)


class SendReceiveTests:
    def test_roundTrip(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A datagram written to a path arrives whole with the sender's path as
        its address, and the answer written to that address comes back.
        """
        r = backendReactor
        serverPath, clientPath = str(where / "srv"), str(where / "cli")
        server = Answering(r, expect=99)
        r.listenUNIXDatagram(serverPath, server)
        client = Inbox(r)
        port = r.listenUNIXDatagram(clientPath, client)
        port.write(b"ping", serverPath)
        runReactor(r)
        assert server.received == [(b"ping", clientPath)]
        assert client.received == [(b"re: ping", serverPath)]

    def test_connected(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        connectUNIXDatagram with a bindAddress talks to one peer: write()
        needs no address, the server sees the bound path, the answer comes
        back to datagramReceived; getHost/getPeer name both ends.
        """
        r = backendReactor
        serverPath, clientPath = str(where / "srv"), str(where / "cli")
        server = Answering(r, expect=99)
        r.listenUNIXDatagram(serverPath, server)
        peer = Peer(r, expect=2)
        port = r.connectUNIXDatagram(serverPath, peer, bindAddress=clientPath)
        port.write(b"one")
        port.write(b"two")
        runReactor(r)
        assert [d for d, _ in server.received] == [b"one", b"two"]
        assert peer.received == [b"re: one", b"re: two"]
        assert port.getHost() == UNIXAddress(clientPath)
        assert port.getPeer() == UNIXAddress(serverPath)

    def test_unboundSenderHasNoAddress(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A datagram from an unnamed socket arrives with the address None
        (there is no way to answer it).
        """
        r = backendReactor
        serverPath = str(where / "srv")
        server = Inbox(r)
        r.listenUNIXDatagram(serverPath, server)
        port = r.connectUNIXDatagram(serverPath, Peer(r))
        port.write(b"anonymous")
        runReactor(r)
        assert server.received == [(b"anonymous", None)]

    @pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract names are Linux's")
    def test_abstract(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Datagram sockets work with abstract names: the sender's address is
        the NUL-prefixed name, and no file appears.
        """
        r = backendReactor
        base = f"\0torsion-dgram-{os.getpid()}-{id(r)}"
        server = Answering(r, expect=99)
        r.listenUNIXDatagram(base + "-srv", server)
        client = Inbox(r)
        port = r.listenUNIXDatagram(base + "-cli", client)
        port.write(b"hi", base + "-srv")
        runReactor(r)
        assert server.received == [(b"hi", (base + "-cli").encode())]
        assert client.received == [(b"re: hi", (base + "-srv").encode())]
        assert list(where.iterdir()) == []

    @pytest.mark.parametrize("mode", [0o666, 0o620])
    def test_modeBits(self, backendReactor: PollingReactor, where: Path, mode: int) -> None:
        """
        Both kinds of datagram socket file get the mode asked for.
        """
        r = backendReactor
        listening, bound = where / "l", where / "b"
        r.listenUNIXDatagram(str(listening), Inbox(r), mode=mode)
        r.connectUNIXDatagram(str(listening), Peer(r), mode=mode, bindAddress=str(bound))
        for path in (listening, bound):
            info = path.stat()
            assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == mode

    def test_interfaces(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        The reactor provides IReactorUNIXDatagram; the ports provide their
        transport interfaces, IListeningPort, and (connected) IConnector.
        """
        r = backendReactor
        path = str(where / "i")
        port = r.listenUNIXDatagram(path, Inbox(r))
        connected = r.connectUNIXDatagram(path, Peer(r))
        assert verifyObject(IReactorUNIXDatagram, r)
        assert (type(port), type(connected)) == (DatagramPort, ConnectedDatagramPort)
        assert verifyObject(IUNIXDatagramTransport, port)
        assert verifyObject(IListeningPort, port)
        assert verifyObject(IUNIXDatagramConnectedTransport, connected)
        assert verifyObject(IConnector, connected)
        assert connected.getDestination() == UNIXAddress(path)


class StopTests:
    def test_stopListening(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        stopListening removes the socket file and stops the protocol before
        its Deferred fires.
        """
        r = backendReactor
        path = where / "stop"
        inbox = Inbox(r)
        port = r.listenUNIXDatagram(str(path), inbox)
        seen: list[tuple[bool, bool]] = []

        def closed(_: object) -> None:
            seen.append((path.exists(), inbox.stopped))
            r.stop()

        r.callWhenRunning(lambda: port.stopListening().addCallback(closed))
        runReactor(r)
        assert seen == [(False, True)]
        assert inbox.transport is None

    def test_disconnectAndConnectAgain(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A connected port is its own IConnector: disconnect() closes it,
        connect() opens it again, and stopConnecting() says it never is
        connecting.
        """
        r = backendReactor
        path = str(where / "again")
        server = Inbox(r, expect=2)
        r.listenUNIXDatagram(path, server)
        port = r.connectUNIXDatagram(path, Peer(r))
        port.write(b"before")
        with pytest.raises(NotConnectingError, match=r"is not connecting"):
            port.stopConnecting()

        def closed(_: object) -> None:
            port.connect()
            port.write(b"after")

        r.callWhenRunning(lambda: port.stopListening().addCallback(closed))
        runReactor(r)
        assert [d for d, _ in server.received] == [b"before", b"after"]

    def test_existingFile(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Listening where a file exists fails with CannotListenError saying
        what to do.
        """
        r = backendReactor
        path = where / "exists"
        path.write_text("")
        with pytest.raises(CannotListenError, match=r"exists; remove it if nothing uses it"):
            r.listenUNIXDatagram(str(path), Inbox(r))


class BadInputTests:
    def test_tooLongReceivedIsDropped(
        self, backendReactor: PollingReactor, where: Path, logged: list[LogEvent]
    ) -> None:
        """
        A datagram longer than maxPacketSize is dropped, not delivered cut
        short, with a warning naming the limit; the next one arrives.
        """
        r = backendReactor
        serverPath = str(where / "small")
        inbox = Inbox(r)
        r.listenUNIXDatagram(serverPath, inbox, maxPacketSize=16)
        sender = r.listenUNIXDatagram(str(where / "snd"), Inbox(r))
        sender.write(b"x" * 100, serverPath)
        sender.write(b"exactly sixteen!", serverPath)
        runReactor(r)
        assert inbox.received == [(b"exactly sixteen!", str(where / "snd"))]
        warnings = [m for m in messages(logged) if m.startswith("Dropped a datagram")]
        assert len(warnings) == 1
        assert (
            "longer than maxPacketSize (16 bytes); raise maxPacketSize to receive it"
            in (warnings[0])
        )

    def test_tooLongToSend(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Writing a datagram larger than the system sends raises
        MessageLengthError naming its size; the port goes on working.
        """
        r = backendReactor
        serverPath = str(where / "srv")
        inbox = Inbox(r)
        r.listenUNIXDatagram(serverPath, inbox)
        port = r.listenUNIXDatagram(str(where / "snd"), Inbox(r))
        huge = b"x" * (16 * 2**20)
        with pytest.raises(MessageLengthError, match=rf"^a {len(huge)}-byte datagram is too long"):
            port.write(huge, serverPath)
        port.write(b"small", serverPath)
        runReactor(r)
        assert inbox.received == [(b"small", str(where / "snd"))]

    def test_sendToNobody(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Writing to a path where nothing is bound raises the system's error
        class (FileNotFoundError, ConnectionRefusedError) with the path in
        the message.
        """
        r = backendReactor
        port = r.listenUNIXDatagram(str(where / "snd"), Inbox(r))
        missing = str(where / "missing")
        with pytest.raises(FileNotFoundError, match=rf"nothing is bound at '{missing}'$") as e:
            port.write(b"hello?", missing)
        assert e.value.errno == errno.ENOENT
        dead = str(where / "dead")
        skt = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        skt.bind(dead)
        skt.close()
        with pytest.raises(ConnectionRefusedError, match=rf"nothing is bound at '{dead}'$"):
            port.write(b"hello?", dead)

    def test_writeTakesBytes(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        write() with text raises TypeError saying to encode it.
        """
        r = backendReactor
        path = str(where / "t")
        port = r.listenUNIXDatagram(path, Inbox(r))
        connected = r.connectUNIXDatagram(path, Peer(r))
        with pytest.raises(TypeError, match=r"takes bytes, not str; encode text first"):
            port.write("text", path)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"takes bytes, not str; encode text first"):
            connected.write("text")  # type: ignore[arg-type]

    def test_connectToMissing(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        connectUNIXDatagram to a path where nothing is bound tells the
        protocol through connectionFailed, with BadFileError naming the
        path; the bound socket file is not left behind.
        """
        r = backendReactor
        missing = str(where / "missing")
        peer = Peer(r)
        r.connectUNIXDatagram(missing, peer, bindAddress=str(where / "mine"))
        assert len(peer.failures) == 1 and peer.failures[0].check(BadFileError)
        assert f"no UNIX socket at '{missing}'" in str(peer.failures[0].value)
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert list(where.iterdir()) == []

    def test_peerGone(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Once the peer's socket is gone, writing on a connected port calls the
        protocol's connectionRefused (if it has one) instead of raising.
        """
        r = backendReactor
        path = str(where / "gone")
        server = r.listenUNIXDatagram(path, Inbox(r))
        refused: list[str] = []

        class Refusable(Peer):
            def connectionRefused(self) -> None:
                refused.append("refused")
                self.reactor.stop()

        port = r.connectUNIXDatagram(path, Refusable(r))

        def closed(_: object) -> None:
            port.write(b"hello?")

        r.callWhenRunning(lambda: server.stopListening().addCallback(closed))
        runReactor(r)
        assert refused == ["refused"]

    def test_datagramReceivedRaises(
        self, backendReactor: PollingReactor, where: Path, loggedFailures: list[LogEvent]
    ) -> None:
        """
        An exception from datagramReceived is logged and the next datagram
        is still delivered.
        """
        r = backendReactor
        path = str(where / "raise")

        class Fussy(Inbox):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                if datagram == b"bad":
                    raise ValueError("bad datagram")
                super().datagramReceived(datagram, addr)

        inbox = Fussy(r)
        r.listenUNIXDatagram(path, inbox)
        port = r.connectUNIXDatagram(path, Peer(r))
        port.write(b"bad")
        port.write(b"good")
        runReactor(r)
        assert inbox.received == [(b"good", None)]
        assert len(loggedFailures) == 1 and loggedFailures[0]["log_failure"].check(ValueError)
