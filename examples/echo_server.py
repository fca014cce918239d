"""
A TCP echo server: every byte a client sends comes straight back.

Run: python examples/echo_server.py [--port PORT] [--interface ADDRESS]
                                    [--timeout SECONDS] [--max-per-host N]

It prints `echo server listening on ADDRESS:PORT` once it listens (with
--port 0 the system picks a free port, and that line says which), then
serves until Ctrl-C or SIGTERM.  Two policies guard it: a client that stays
idle for --timeout seconds is disconnected (TimeoutMixin), and one host may
hold at most --max-per-host connections at once (LimitConnectionsByPeer;
--max-per-host 0 turns that off, which Twisted needs: its
LimitConnectionsByPeer fails on every connection, indexing the peer's
address as if it were a tuple).
Try it with examples/echo_client.py.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
from typing import Any

from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.protocols.policies import LimitConnectionsByPeer, TimeoutMixin
from torsion.python.failure import Failure


class Echo(TimeoutMixin, Protocol):
    """
    Sends back what it receives; hangs up on clients that stay quiet.
    """

    factory: EchoFactory

    def connectionMade(self) -> None:
        self.setTimeout(self.factory.timeout)

    def dataReceived(self, data: bytes) -> None:
        self.resetTimeout()
        self.transport.write(data)

    def timeoutConnection(self) -> None:
        peer = self.transport.getPeer()
        print(f"disconnecting {peer.host}:{peer.port}: idle for {self.timeOut:g}s", flush=True)
        super().timeoutConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.setTimeout(None)


class EchoFactory(Factory):
    """
    Builds an L{Echo} per connection.

    @ivar timeout: Seconds a client may stay idle.
    """

    protocol = Echo

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout


def main() -> None:
    parser = argparse.ArgumentParser(description="Echo every byte back to TCP clients.")
    parser.add_argument("--port", type=int, default=8007, help="0 picks a free port")
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--timeout", type=float, default=60.0, help="idle seconds allowed")
    parser.add_argument("--max-per-host", type=int, default=10, help="0: no limit")
    options = parser.parse_args()

    from torsion.internet import reactor

    factory: Factory[Any] = EchoFactory(options.timeout)
    factory.noisy = False
    if options.max_per_host:
        limited = LimitConnectionsByPeer(factory)
        limited.maxConnectionsPerPeer = options.max_per_host
        limited.noisy = False
        factory = limited
    port = reactor.listenTCP(options.port, factory, interface=options.interface)
    address = port.getHost()
    print(f"echo server listening on {address.host}:{address.port}", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
