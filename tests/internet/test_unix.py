"""
Tests for UNIX stream sockets (listenUNIX, connectUNIX) over real sockets in
the test's temporary directory, on every reactor backend.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.internet.reactors import backendReactor, runReactor
from tests.internet.streams import Collector, Echo
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import UNIXAddress
from torsion.internet.error import (
    BadFileError,
    CannotListenError,
    ConnectError,
    ConnectionAborted,
    ConnectionDone,
    ConnectionRefusedError,
    TimeoutError,
)
from torsion.internet.interfaces import (
    IConnector,
    IHalfCloseableProtocol,
    IListeningPort,
    IReactorUNIX,
    ITCPTransport,
    IUNIXTransport,
)
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.internet.task import Clock
from torsion.internet.unix import Client, Connector, Port, Server
from torsion.logger import LogEvent, formatEvent, globalLogPublisher
from torsion.python.failure import Failure

__all__ = ["backendReactor"]

linuxOnly = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the abstract namespace and EAGAIN are Linux's"
)


@pytest.fixture
def where(tmp_path: Path) -> Path:
    """
    The test's temporary directory, short enough for socket paths.
    """
    assert len(os.fsencode(tmp_path)) < 90, f"{tmp_path} is too long for UNIX socket paths"
    return tmp_path


@pytest.fixture
def logged() -> Iterator[list[LogEvent]]:
    """
    Every event published on the global log publisher during the test.
    """
    events: list[LogEvent] = []
    globalLogPublisher.addObserver(events.append)
    yield events
    globalLogPublisher.removeObserver(events.append)


def messages(events: list[LogEvent]) -> list[str]:
    """
    The rendered text of C{events}.
    """
    return [formatEvent(event) for event in events if event.get("log_format")]


class Recording(ClientFactory):
    """
    A client factory that builds one given protocol and records (and stops
    the reactor on) a failed attempt.
    """

    def __init__(self, reactor: Any, protocol: Protocol | None = None) -> None:
        self.reactor = reactor
        self.protocol_ = protocol
        self.failures: list[Failure] = []

    def buildProtocol(self, addr: Any) -> Protocol | None:
        return self.protocol_

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.failures.append(reason)
        self.reactor.stop()


def sendOnConnect(collector: Collector, data: bytes) -> None:
    """
    Make C{collector} write C{data} as soon as it is connected.
    """
    collector.connectionMade = lambda: collector.transport.write(data)  # type: ignore[method-assign]


def echoRoundTrip(r: PollingReactor, address: str | bytes, payload: bytes) -> Collector:
    """
    Connect to an echo server at C{address}, send C{payload}, and run until
    all of it came back.
    """
    collector = Collector(r, expect=len(payload))
    sendOnConnect(collector, payload)
    r.connectUNIX(address, Recording(r, collector))
    runReactor(r)
    return collector


class ListenConnectTests:
    def test_echoOverPath(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        1 MiB sent to an echo server on a socket file comes back whole and in
        order, and the connection then closes cleanly.
        """
        r = backendReactor
        path = str(where / "echo")
        r.listenUNIX(path, Factory.forProtocol(Echo))
        payload = bytes(range(256)) * 4096
        collector = echoRoundTrip(r, path, payload)
        assert b"".join(collector.chunks) == payload
        assert collector.reason is not None and collector.reason.check(ConnectionDone)

    @linuxOnly
    def test_echoOverAbstract(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        An address starting with NUL is a name in the abstract namespace: no
        file appears, and echo works over it; str and bytes names are the
        same socket.
        """
        r = backendReactor
        name = f"\0torsion-test-{os.getpid()}-{id(r)}"
        port = r.listenUNIX(name, Factory.forProtocol(Echo))
        assert port.getHost() == UNIXAddress(name.encode())
        collector = echoRoundTrip(r, name.encode(), b"abstract hello")
        assert b"".join(collector.chunks) == b"abstract hello"
        assert list(where.iterdir()) == []

    def test_addresses(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        The server end's host and the client end's peer are the socket's
        path; the client end is unnamed (UNIXAddress(None)) on both sides.
        """
        r = backendReactor
        path = str(where / "addr")
        seen: dict[str, Any] = {}

        class Server(Protocol):
            def connectionMade(self) -> None:
                seen["server"] = (self.transport.getHost(), self.transport.getPeer())
                self.transport.loseConnection()

        port = r.listenUNIX(path, Factory.forProtocol(Server))
        client = Collector(r)
        client.connectionMade = lambda: seen.__setitem__(  # type: ignore[method-assign]
            "client", (client.transport.getHost(), client.transport.getPeer())
        )
        connector = r.connectUNIX(path, Recording(r, client))
        runReactor(r)
        assert port.getHost() == UNIXAddress(path)
        assert seen["server"] == (UNIXAddress(path), UNIXAddress(None))
        assert seen["client"] == (UNIXAddress(None), UNIXAddress(path))
        assert connector.getDestination() == UNIXAddress(path)

    def test_pathLikeAndBytesAddresses(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Addresses may be str, bytes or path-like objects.
        """
        r = backendReactor
        r.listenUNIX(where / "pl", Factory.forProtocol(Echo))
        collector = echoRoundTrip(r, os.fsencode(where / "pl"), b"bytes path")
        assert b"".join(collector.chunks) == b"bytes path"

    def test_interfaces(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        The reactor provides IReactorUNIX; ports, connectors and both ends'
        transports provide their interfaces, and the transports are the
        public torsion.internet.unix classes.
        """
        r = backendReactor
        path = str(where / "ifaces")
        transports: list[Any] = []

        class Grab(Protocol):
            def connectionMade(self) -> None:
                transports.append(self.transport)
                if len(transports) == 2:
                    r.stop()

        port = r.listenUNIX(path, Factory.forProtocol(Grab))
        connector = r.connectUNIX(path, Recording(r, Grab()))
        runReactor(r)
        assert verifyObject(IReactorUNIX, r)
        assert verifyObject(IListeningPort, port) and isinstance(port, Port)
        assert verifyObject(IConnector, connector) and isinstance(connector, Connector)
        for transport in transports:
            assert verifyObject(IUNIXTransport, transport)
            assert verifyObject(ITCPTransport, transport)
        assert {type(t) for t in transports} == {Server, Client}

    def test_factoryStartStopAndFileRemoved(
        self, backendReactor: PollingReactor, where: Path
    ) -> None:
        """
        listenUNIX starts the factory; stopListening stops it and removes the
        socket file before its Deferred fires, so the path can be reused.
        """
        r = backendReactor
        path = where / "cycle"
        events: list[str] = []

        class Tracking(Factory):
            protocol = Echo

            def startFactory(self) -> None:
                events.append("start")

            def stopFactory(self) -> None:
                events.append("stop")

        port = r.listenUNIX(str(path), Tracking())
        assert path.exists()

        def closed(_: object) -> None:
            events.append(f"closed, file exists: {path.exists()}")
            r.listenUNIX(str(path), Factory.forProtocol(Echo)).stopListening()
            r.callLater(0, r.stop)

        r.callWhenRunning(lambda: port.stopListening().addCallback(closed))
        runReactor(r)
        assert events == ["start", "stop", "closed, file exists: False"]

    def test_otherFileIsLeftAlone(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        If the socket file was replaced behind the port's back, stopping the
        port leaves the new file alone.
        """
        r = backendReactor
        path = where / "replaced"
        port = r.listenUNIX(str(path), Factory.forProtocol(Echo))
        path.unlink()
        path.write_text("not ours")
        r.callWhenRunning(lambda: port.stopListening().addCallback(lambda _: r.stop()))
        runReactor(r)
        assert path.read_text() == "not ours"

    def test_reconnect(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A connector whose attempt failed can connect() again, and succeeds
        once a server listens.
        """
        r = backendReactor
        path = str(where / "later")
        collector = Collector(r, expect=5)
        sendOnConnect(collector, b"again")
        attempts: list[Failure] = []

        class Retrying(ClientFactory):
            def buildProtocol(self, addr: Any) -> Protocol:
                return collector

            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                attempts.append(reason)
                r.listenUNIX(path, Factory.forProtocol(Echo))
                connector.connect()

        r.connectUNIX(path, Retrying())
        runReactor(r)
        assert len(attempts) == 1 and attempts[0].check(BadFileError)
        assert b"".join(collector.chunks) == b"again"


class ModeTests:
    @pytest.mark.parametrize("mode", [0o666, 0o600, 0o640])
    def test_modeBits(self, backendReactor: PollingReactor, where: Path, mode: int) -> None:
        """
        The socket file gets exactly the mode asked for (the umask does not
        apply); 0o666 is the default.
        """
        r = backendReactor
        path = where / "m"
        if mode == 0o666:
            r.listenUNIX(str(path), Factory.forProtocol(Echo))
        else:
            r.listenUNIX(str(path), Factory.forProtocol(Echo), mode=mode)
        info = path.stat()
        assert stat.S_ISSOCK(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == mode


CHILD = """
import sys
from torsion.internet.error import CannotListenError
from torsion.internet.protocol import Factory, Protocol
from torsion.internet.selectreactor import SelectReactor

reactor = SelectReactor()
try:
    reactor.listenUNIX(sys.argv[1], Factory.forProtocol(Protocol), wantPID=True)
except CannotListenError as e:
    print("refused:", e, flush=True)
    sys.exit(0)
print("listening", flush=True)
sys.stdin.read()
"""


def startChild(path: Path) -> subprocess.Popen[str]:
    """
    Start a process that listens on C{path} with wantPID (or says why not).
    """
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


class WantPIDTests:
    def test_lockHeldWhileListening(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        wantPID holds C{<address>.lock}, naming this process, until the port
        stops; then both the lock and the socket file are gone.
        """
        r = backendReactor
        path = where / "locked"
        port = r.listenUNIX(str(path), Factory.forProtocol(Echo), wantPID=True)
        assert os.readlink(f"{path}.lock") == str(os.getpid())
        r.callWhenRunning(lambda: port.stopListening().addCallback(lambda _: r.stop()))
        runReactor(r)
        assert sorted(where.iterdir()) == []

    def test_secondListenerInChildRefused(
        self, backendReactor: PollingReactor, where: Path
    ) -> None:
        """
        While this process listens with wantPID, another process asking for
        the same address is refused with CannotListenError naming the lock
        and this process.
        """
        r = backendReactor
        path = where / "taken"
        r.listenUNIX(str(path), Factory.forProtocol(Echo), wantPID=True)
        child = startChild(path)
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        assert out.startswith("refused: Couldn't listen on ")
        assert f"the lock '{path}.lock' is held by live process {os.getpid()}" in out

    def test_staleLockTakenOver(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A server that was killed leaves its lock and socket file behind; a
        new listener with wantPID takes the lock over, replaces the stale
        socket file, and serves.
        """
        r = backendReactor
        path = where / "stale"
        child = startChild(path)
        assert child.stdout is not None
        assert child.stdout.readline() == "listening\n"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
        assert child.stdin is not None
        child.stdin.close()
        assert os.readlink(f"{path}.lock") == str(child.pid)
        assert stat.S_ISSOCK(path.lstat().st_mode)

        r.listenUNIX(str(path), Factory.forProtocol(Echo), wantPID=True)
        assert os.readlink(f"{path}.lock") == str(os.getpid())
        collector = echoRoundTrip(r, str(path), b"after takeover")
        assert b"".join(collector.chunks) == b"after takeover"

    def test_secondListenerInProcessRefused(
        self, backendReactor: PollingReactor, where: Path
    ) -> None:
        """
        Without wantPID, an existing socket file makes listenUNIX fail with
        a message saying what to do; the first port is not disturbed.
        """
        r = backendReactor
        path = str(where / "twice")
        r.listenUNIX(path, Factory.forProtocol(Echo))
        with pytest.raises(CannotListenError, match=r"exists; remove it if no server uses it") as e:
            r.listenUNIX(path, Factory.forProtocol(Echo))
        assert e.value.port == path
        assert isinstance(e.value.socketError, OSError)
        assert e.value.socketError.errno == errno.EADDRINUSE
        collector = echoRoundTrip(r, path, b"still here")
        assert b"".join(collector.chunks) == b"still here"

    @linuxOnly
    def test_abstractRejectsWantPID(self, backendReactor: PollingReactor) -> None:
        """
        wantPID and checkPID need a file next to which to keep the lock: with
        an abstract name they raise ValueError saying so.
        """
        r = backendReactor
        with pytest.raises(ValueError, match=r"^wantPID=True needs a file-system path"):
            r.listenUNIX("\0nolock", Factory.forProtocol(Echo), wantPID=True)
        with pytest.raises(ValueError, match=r"^checkPID=True needs a file-system path"):
            r.connectUNIX("\0nolock", ClientFactory(), checkPID=True)

    def test_checkPID(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        checkPID fails at once with BadFileError unless a live process holds
        the lock; with a wantPID server it connects.
        """
        r = backendReactor
        plain, locked = str(where / "plain"), str(where / "locked")
        r.listenUNIX(plain, Factory.forProtocol(Echo))
        r.listenUNIX(locked, Factory.forProtocol(Echo), wantPID=True)
        outcomes: list[Any] = []

        class Checking(ClientFactory):
            def buildProtocol(self, addr: Any) -> Protocol:
                outcomes.append(addr)
                if len(outcomes) == 2:
                    r.stop()
                return Protocol()

            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                outcomes.append(reason)
                if len(outcomes) == 2:
                    r.stop()

        r.connectUNIX(plain, Checking(), checkPID=True)
        r.connectUNIX(locked, Checking(), checkPID=True)
        runReactor(r)
        failures = [o for o in outcomes if isinstance(o, Failure)]
        assert len(failures) == 1 and failures[0].check(BadFileError)
        assert f"no live process holds '{plain}.lock'" in str(failures[0].value)
        assert UNIXAddress(locked) in outcomes


class FailureTests:
    def test_missingPath(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        Connecting to a path where there is no file fails with BadFileError
        naming the path and saying what to do.
        """
        r = backendReactor
        path = str(where / "missing")
        factory = Recording(r)
        r.connectUNIX(path, factory)
        runReactor(r)
        error = factory.failures[0].value
        assert isinstance(error, BadFileError)
        assert str(error) == (
            f"File used for UNIX socket is no good: {errno.ENOENT}: {os.strerror(errno.ENOENT)}: "
            f"no UNIX socket at '{path}'; start the server first, or check the path."
        )

    def test_refused(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A socket file that nothing listens on (left by a dead server) fails
        the attempt with ConnectionRefusedError naming the path.
        """
        r = backendReactor
        path = str(where / "dead")
        dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        dead.bind(path)
        dead.close()
        factory = Recording(r)
        r.connectUNIX(path, factory)
        runReactor(r)
        error = factory.failures[0].value
        assert isinstance(error, ConnectionRefusedError)
        assert f"nothing listens on UNIX socket '{path}'" in str(error)

    def test_notASocket(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A path below a regular file fails with BadFileError naming it.
        """
        r = backendReactor
        (where / "file").write_text("")
        path = str(where / "file" / "below")
        factory = Recording(r)
        r.connectUNIX(path, factory)
        runReactor(r)
        error = factory.failures[0].value
        assert isinstance(error, BadFileError)
        assert f"cannot connect to UNIX socket '{path}'" in str(error)

    def test_pathTooLong(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A path longer than a socket address holds is refused by listenUNIX
        (CannotListenError) and connectUNIX (BadFileError), both giving the
        length and the fix.
        """
        r = backendReactor
        path = str(where / ("x" * 200))
        with pytest.raises(CannotListenError, match=r"too long \(\d+ bytes;.*use a shorter path"):
            r.listenUNIX(path, Factory.forProtocol(Echo))
        factory = Recording(r)
        r.connectUNIX(path, factory)
        runReactor(r)
        assert factory.failures[0].check(BadFileError)
        assert "use a shorter path" in str(factory.failures[0].value)

    def test_timeout(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        A listener whose backlog stays full makes the attempt fail with
        TimeoutError after the connector's timeout.
        """
        if not sys.platform.startswith("linux"):
            pytest.skip("a full UNIX backlog answers EAGAIN on Linux only")
        r = backendReactor
        path = str(where / "full")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(0)
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        filler.connect(path)
        factory = Recording(r)
        r.connectUNIX(path, factory, timeout=0.2)
        runReactor(r)
        listener.close()
        filler.close()
        assert factory.failures[0].check(TimeoutError)

    @linuxOnly
    def test_fullBacklogRetried(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        When the listener's backlog is full (Linux answers EAGAIN) the
        attempt is retried, and connects once the server accepts the
        connection that was waiting.
        """
        r = backendReactor
        path = str(where / "busy")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(0)
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        filler.connect(path)
        seen: list[str] = []

        class Connected(Protocol):
            def connectionMade(self) -> None:
                seen.append("connected")
                r.stop()

        connector = r.connectUNIX(path, Recording(r, Connected()))

        def waitForRetry() -> None:
            transport = connector.transport
            if transport is not None and getattr(transport, "_retryCall", None) is not None:
                seen.append("retry scheduled")
                listener.accept()[0].close()
            else:
                r.callLater(0, waitForRetry)

        r.callWhenRunning(waitForRetry)
        runReactor(r)
        listener.close()
        filler.close()
        assert seen == ["retry scheduled", "connected"]


class CloseTests:
    def test_halfClose(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        loseWriteConnection sends EOF over a UNIX socket; a half-closeable
        peer gets readConnectionLost and can still answer before closing.
        """
        r = backendReactor
        path = str(where / "half")
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

        r.listenUNIX(path, Factory.forProtocol(Summer))

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
        r.connectUNIX(path, Recording(r, asker))
        runReactor(r)
        assert b"".join(asker.chunks) == b"12345"
        assert log == [
            "client write side closed",
            "server read side closed",
            "client read side closed",
        ]

    def test_abortConnection(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        abortConnection drops unsent data: the aborting side ends with
        ConnectionAborted, the peer sees the connection end too.
        """
        r = backendReactor
        path = str(where / "abort")
        reasons: list[Failure] = []

        class Peer(Protocol):
            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)
                if len(reasons) == 2:
                    r.stop()

        r.listenUNIX(path, Factory.forProtocol(Peer))

        class Aborter(Peer):
            def connectionMade(self) -> None:
                self.transport.write(b"x" * 10_000_000)
                self.transport.abortConnection()

        r.connectUNIX(path, Recording(r, Aborter()))
        runReactor(r)
        kinds = sorted(type(reason.value).__name__ for reason in reasons)
        assert "ConnectionAborted" in kinds
        aborted = [reason for reason in reasons if reason.check(ConnectionAborted)]
        assert len(aborted) == 1

    def test_tcpOptionsAreHarmless(self, backendReactor: PollingReactor, where: Path) -> None:
        """
        The TCP-only options of ITCPTransport do nothing on a UNIX socket
        instead of raising, so code written for TCP runs unchanged.
        """
        r = backendReactor
        path = str(where / "opts")
        seen: list[bool] = []

        class Options(Collector):
            def connectionMade(self) -> None:
                self.transport.setTcpNoDelay(True)
                self.transport.setTcpKeepAlive(True)
                seen.extend([self.transport.getTcpNoDelay(), self.transport.getTcpKeepAlive()])
                self.transport.loseConnection()

        r.listenUNIX(path, Factory.forProtocol(Echo))
        r.connectUNIX(path, Recording(r, Options(r)))
        runReactor(r)
        assert seen == [False, False]


class ConnectorNoSocketTests:
    """
    A UNIX connector that cannot make a socket fails like any attempt.
    """

    def test_noSocketFailsLikeAnAttempt(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        When socket() fails (out of descriptors, say), connect() does not
        raise: the factory hears startedConnecting, then, on the next
        reactor turn, clientConnectionFailed with the error, as for TCP.
        """
        clock = Clock()
        calls: list[str] = []
        failures: list[Failure] = []

        class Factory_(ClientFactory):
            def startedConnecting(self, connector: Any) -> None:
                calls.append("started")

            def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
                failures.append(reason)

        def noSocket(*args: object, **kwargs: object) -> socket.socket:
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

        connector = Connector("/nonexistent/sock", Factory_(), 30, clock)
        with monkeypatch.context() as patch:
            patch.setattr(socket, "socket", noSocket)
            connector.connect()
        assert calls == ["started"]
        assert failures == []
        clock.advance(0)
        assert len(failures) == 1
        assert failures[0].check(ConnectError)
        assert connector.state == "disconnected"
        assert clock.getDelayedCalls() == []
