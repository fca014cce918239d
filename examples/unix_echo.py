"""
A UNIX-socket echo server and a client for it, in one program.

Run: python examples/unix_echo.py PATH
PATH is where the socket file goes, or a directory to put `echo.sock` in.
The server listens there (only this user may connect: mode 0o600, with a
`.lock` file naming this process so a second copy cannot take the path);
the client connects, sends a few lines and prints what comes back; then
the server stops, which removes the socket and lock files.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Any

from torsion.internet import defer, task
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.python.failure import Failure

LINES = [b"hello", b"over a UNIX socket", b"goodbye"]


class Echo(Protocol):
    """
    The server side: sends back every byte, counting them.
    """

    factory: EchoFactory

    def connectionMade(self) -> None:
        self.factory.connections += 1

    def dataReceived(self, data: bytes) -> None:
        self.factory.received += len(data)
        self.transport.write(data)


class EchoFactory(Factory):
    """
    Builds an L{Echo} per connection and keeps the totals.
    """

    protocol = Echo

    def __init__(self) -> None:
        self.connections = 0
        self.received = 0


class EchoClient(Protocol):
    """
    The client side: sends L{LINES}, closes once all came back.
    """

    factory: EchoClientFactory

    def connectionMade(self) -> None:
        self.answer = b""
        print(f"client connected to {self.transport.getPeer().name.decode()}")
        for line in LINES:
            self.transport.write(line + b"\n")

    def dataReceived(self, data: bytes) -> None:
        self.answer += data
        if self.answer.count(b"\n") == len(LINES):
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.factory.done.callback(self.answer.splitlines())


class EchoClientFactory(ClientFactory):
    """
    Connects one L{EchoClient}; C{done} fires with the lines it got back.
    """

    protocol = EchoClient

    def __init__(self) -> None:
        self.done: defer.Deferred[list[bytes]] = defer.Deferred()

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.done.errback(reason)


async def run(reactor: Any, where: str) -> None:
    """
    Serve, talk to the server, stop serving.
    """
    path = os.path.join(where, "echo.sock") if os.path.isdir(where) else where
    server = EchoFactory()
    port = reactor.listenUNIX(path, server, mode=0o600, wantPID=True)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    print(f"server listening on {path} (mode {mode:#o}, lock {path}.lock)")

    client = EchoClientFactory()
    reactor.connectUNIX(path, client, timeout=10)
    lines = await client.done
    for line in lines:
        print(f"echoed: {line.decode()}")

    await port.stopListening()
    print(f"server saw {server.connections} connection(s) and {server.received} bytes")
    left = [p for p in (path, path + ".lock") if os.path.lexists(p)]
    print(f"files left behind: {left or 'none'}")


def main(reactor: Any, where: str) -> defer.Deferred[None]:
    """
    Run L{run} as a Deferred (what C{task.react} expects).
    """
    return defer.ensureDeferred(run(reactor, where))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} PATH (a socket path, or a directory for echo.sock)")
    task.react(main, sys.argv[1:])
