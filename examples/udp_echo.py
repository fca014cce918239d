"""
A UDP echo server and its client, in one program, over 127.0.0.1.

The server sends every datagram back to whoever sent it.  The client
connects its UDP port to the server (so it writes without an address and
hears of ICMP refusals through connectionRefused), sends numbered
messages, and checks that each comes back.  UDP may lose datagrams, so the
client sends again what has not come back after a while, and gives up
after a few tries; on loopback nothing is lost, and the output is the same
on every run.  Both ports are closed before the program exits.

Run: python examples/udp_echo.py [--count N] [--port PORT]
(--port chooses the server's port; 0, the default, picks a free one.)

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
from typing import Any

from torsion.internet import defer, task
from torsion.internet.protocol import DatagramProtocol

RESEND_AFTER = 0.5
TRIES = 4


class EchoServer(DatagramProtocol):
    """
    Sends every datagram back where it came from.
    """

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.transport.write(datagram, addr)


class EchoClient(DatagramProtocol):
    """
    Sends C{messages} to the server until each has come back; C{done} fires
    with the number of messages, or fails if the server never answers.
    """

    def __init__(self, reactor: Any, server: tuple[str, int], messages: list[bytes]) -> None:
        self.reactor = reactor
        self.server = server
        self.pending = list(messages)
        self.count = len(messages)
        self.tries = 0
        self.timer: Any = None
        self.done: defer.Deferred[int] = defer.Deferred()

    def startProtocol(self) -> None:
        # Connected UDP: only the server's datagrams reach us.
        self.transport.connect(*self.server)
        self.send()

    def send(self) -> None:
        self.tries += 1
        if self.tries > TRIES:
            self.finish(RuntimeError(f"no echo for {len(self.pending)} messages"))
            return
        for message in self.pending:
            self.transport.write(message)
        self.timer = self.reactor.callLater(RESEND_AFTER, self.send)

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        if datagram in self.pending:
            self.pending.remove(datagram)
            print(f"client: got back {datagram.decode()!r}", flush=True)
            if not self.pending:
                self.finish(None)

    def connectionRefused(self) -> None:
        self.finish(RuntimeError("the server's port is closed (ICMP port unreachable)"))

    def finish(self, error: Exception | None) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        if self.done.called:
            return
        if error is None:
            self.done.callback(self.count)
        else:
            self.done.errback(error)


@defer.inlineCallbacks
def main(reactor: Any, count: int, port: int) -> Any:
    server = reactor.listenUDP(port, EchoServer(), interface="127.0.0.1")
    print("server: listening on 127.0.0.1 (UDP)", flush=True)
    messages = [f"message {i}".encode() for i in range(count)]
    client = EchoClient(reactor, ("127.0.0.1", server.getHost().port), messages)
    print(f"client: sending {count} messages", flush=True)
    clientPort = reactor.listenUDP(0, client, interface="127.0.0.1")
    try:
        echoed = yield client.done
        print(f"client: all {echoed} messages came back", flush=True)
    finally:
        yield defer.gatherResults([clientPort.stopListening(), server.stopListening()])
        print("both ports closed", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A UDP echo server and client.")
    parser.add_argument("--count", type=int, default=5, help="how many messages to send")
    parser.add_argument("--port", type=int, default=0, help="the server's port (0: any free one)")
    options = parser.parse_args()
    task.react(main, [options.count, options.port])
