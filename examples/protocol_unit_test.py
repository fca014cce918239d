"""
Unit-testing a protocol without sockets, reactor loops or sleeps.

LineEcho is a tiny line protocol: it greets each client, echoes every line
back, says goodbye on "quit", refuses over-long lines, and drops clients
that stay quiet for too long.  The tests below drive it with the fakes from
torsion.internet.testing:

  - StringTransport stands in for the connection: it records what the
    protocol writes and whether it asked to close;
  - MemoryReactorClock stands in for the reactor: it records listenTCP
    calls, and runs timed calls only when the test advances its clock.

Run the tests:  python -m pytest examples/protocol_unit_test.py
Or as a script: python examples/protocol_unit_test.py
"""

from __future__ import annotations

from torsion.internet.address import IPv4Address
from torsion.internet.interfaces import IDelayedCall, IListeningPort, IReactorTCP, IReactorTime
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.internet.testing import MemoryReactorClock, StringTransport
from torsion.python.failure import Failure

# The protocol and its factory.


class LineEcho(Protocol):
    """
    Echo each line ("\\n" or "\\r\\n" terminated) back to the client.
    """

    factory: EchoFactory | None

    def connectionMade(self) -> None:
        assert self.factory is not None and self.transport is not None
        self._buffer = bytearray()
        self.factory.clients += 1
        self.transport.write(b"hello\r\n")
        self._idle: IDelayedCall = self.factory.clock.callLater(
            self.factory.idleTimeout, self._dropIdle
        )

    def dataReceived(self, data: bytes) -> None:
        assert self.factory is not None
        self._idle.reset(self.factory.idleTimeout)
        self._buffer.extend(data)
        while (end := self._buffer.find(b"\n")) != -1:
            line = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[: end + 1]
            self.lineReceived(line)
        if len(self._buffer) > self.factory.maxLineLength:
            self._close(b"error: line too long")

    def lineReceived(self, line: bytes) -> None:
        if line == b"quit":
            self._close(b"bye")
        else:
            assert self.transport is not None
            self.transport.write(b"echo: " + line + b"\r\n")

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self._idle.active():
            self._idle.cancel()
        assert self.factory is not None
        self.factory.clients -= 1

    def _dropIdle(self) -> None:
        self._close(b"idle timeout")

    def _close(self, message: bytes) -> None:
        assert self.transport is not None
        self._buffer.clear()
        self.transport.write(message + b"\r\n")
        self.transport.loseConnection()


class EchoFactory(Factory):
    """
    Builds a LineEcho per connection; counts the clients connected.
    """

    protocol = LineEcho

    def __init__(
        self, clock: IReactorTime, idleTimeout: float = 60, maxLineLength: int = 1024
    ) -> None:
        self.clock = clock
        self.idleTimeout = idleTimeout
        self.maxLineLength = maxLineLength
        self.clients = 0


def listen(reactor: IReactorTCP, clock: IReactorTime, port: int = 7007) -> IListeningPort:
    """
    Start the echo server: what a program's main() would call.
    """
    return reactor.listenTCP(port, EchoFactory(clock), interface="127.0.0.1")


# The tests.

PEER = IPv4Address("TCP", "127.0.0.1", 51000)


def connect(factory: EchoFactory) -> tuple[LineEcho, StringTransport]:
    """
    Build a protocol as the reactor would for a new connection, and
    connect it to a StringTransport.
    """
    proto = factory.buildProtocol(PEER)
    assert isinstance(proto, LineEcho)
    transport = StringTransport(peerAddress=PEER)
    proto.makeConnection(transport)
    return proto, transport


def test_greeting() -> None:
    """A new client is greeted and counted."""
    factory = EchoFactory(MemoryReactorClock())
    _, transport = connect(factory)
    assert transport.value() == b"hello\r\n"
    assert factory.clients == 1


def test_echo() -> None:
    """Each complete line is echoed, whatever the line ending."""
    proto, transport = connect(EchoFactory(MemoryReactorClock()))
    transport.clear()
    proto.dataReceived(b"one\r\ntwo\nthr")
    assert transport.value() == b"echo: one\r\necho: two\r\n"
    proto.dataReceived(b"ee\n")
    assert transport.value().endswith(b"echo: three\r\n")


def test_splitAnywhere() -> None:
    """Bytes fed one at a time give the same replies as one big chunk."""
    stream = b"alpha\r\nbeta\ngamma\r\n"
    whole, wholeTransport = connect(EchoFactory(MemoryReactorClock()))
    whole.dataReceived(stream)
    bytewise, bytewiseTransport = connect(EchoFactory(MemoryReactorClock()))
    for i in range(len(stream)):
        bytewise.dataReceived(stream[i : i + 1])
    assert bytewiseTransport.value() == wholeTransport.value()


def test_quit() -> None:
    """The line "quit" says bye and closes; the client count drops when it is lost."""
    factory = EchoFactory(MemoryReactorClock())
    proto, transport = connect(factory)
    proto.dataReceived(b"quit\r\n")
    assert transport.value().endswith(b"bye\r\n")
    assert transport.disconnecting
    proto.connectionLost(connectionDone)
    assert factory.clients == 0


def test_lineTooLong() -> None:
    """A line longer than the limit is refused and the client dropped."""
    proto, transport = connect(EchoFactory(MemoryReactorClock(), maxLineLength=8))
    proto.dataReceived(b"much too long")
    assert transport.value().endswith(b"error: line too long\r\n")
    assert transport.disconnecting


def test_idleTimeout() -> None:
    """Quiet clients are dropped; any data restarts the timer."""
    clock = MemoryReactorClock()
    proto, transport = connect(EchoFactory(clock, idleTimeout=30))
    clock.advance(29)
    proto.dataReceived(b"x")
    clock.advance(29)
    assert not transport.disconnecting
    clock.advance(1)
    assert transport.value().endswith(b"idle timeout\r\n")
    assert transport.disconnecting


def test_timerCancelledOnDisconnect() -> None:
    """A closed connection leaves no timer behind."""
    clock = MemoryReactorClock()
    proto, _ = connect(EchoFactory(clock))
    proto.connectionLost(connectionDone)
    assert clock.getDelayedCalls() == []


def test_listen() -> None:
    """listen() asks the reactor for a TCP port on the loopback interface."""
    reactor = MemoryReactorClock()
    port = listen(reactor, reactor)
    [(portNumber, factory, _, interface)] = reactor.tcpServers
    assert (portNumber, interface) == (7007, "127.0.0.1")
    assert isinstance(factory, EchoFactory)
    host = port.getHost()
    assert isinstance(host, IPv4Address) and host.port == 7007


def main() -> int:
    """
    Run every test in this file without pytest, and print a summary.
    """
    tests = [(name, f) for name, f in sorted(globals().items()) if name.startswith("test_")]
    failed = 0
    for name, test in tests:
        try:
            test()
        except AssertionError as e:
            failed += 1
            print(f"FAILED {name}: {e!r}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
