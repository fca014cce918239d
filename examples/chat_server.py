"""
A line-based chat server: each line a client sends goes to every other
client, prefixed with the sender's name.

Run: python examples/chat_server.py [--port PORT] [--max-line BYTES]
It prints the port it listens on (pass --port 0 to pick a free one); then
connect a few terminals with `nc 127.0.0.1 PORT` or `telnet 127.0.0.1 PORT`.

Commands: /nick NAME changes your name, /who lists who is here, /quit
leaves.  A line longer than --max-line bytes disconnects that client only.
Ctrl-C (or SIGTERM) stops the server.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from torsion.internet.protocol import Factory, connectionDone
from torsion.protocols.basic import LineReceiver
from torsion.python.failure import Failure

VALID_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")


class ChatProtocol(LineReceiver):
    """
    One client: lines from it are commands or messages for the others.
    """

    # Terminals send LF (nc) or CR LF (telnet): split on LF, drop the CR.
    delimiter = b"\n"
    factory: ChatFactory
    name = ""

    def connectionMade(self) -> None:
        self.MAX_LENGTH = self.factory.maxLine
        self.name = self.factory.newName()
        self.factory.clients.append(self)
        self.sendLine(f"* welcome, you are {self.name}; /nick NAME to change it".encode())
        self.factory.broadcast(f"* {self.name} joined", exclude=self)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self in self.factory.clients:
            self.factory.clients.remove(self)
            self.factory.broadcast(f"* {self.name} left")

    def lineReceived(self, line: bytes) -> None:
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        if text.startswith("/"):
            command, _, argument = text.partition(" ")
            self.command(command, argument.strip())
        elif text:
            self.factory.broadcast(f"<{self.name}> {text}", exclude=self)

    def command(self, command: str, argument: str) -> None:
        """
        Carry out a /command.
        """
        if command == "/nick":
            if not VALID_NAME.fullmatch(argument):
                self.sendLine(
                    f"! {argument!r} is not a valid name: use 1 to 20 letters, digits, "
                    "'_' or '-'".encode()
                )
            elif any(client.name == argument for client in self.factory.clients):
                self.sendLine(f"! the name {argument} is taken".encode())
            else:
                old, self.name = self.name, argument
                self.factory.broadcast(f"* {old} is now known as {argument}")
        elif command == "/who":
            names = ", ".join(client.name for client in self.factory.clients)
            self.sendLine(f"* here: {names}".encode())
        elif command == "/quit":
            self.sendLine(b"* bye")
            self.transport.loseConnection()
        else:
            self.sendLine(f"! unknown command {command}; try /nick NAME, /who or /quit".encode())

    def lineLengthExceeded(self, line: bytes) -> None:
        # Tell the client why, then let LineReceiver log it and disconnect.
        self.sendLine(f"! line too long (over {self.MAX_LENGTH} bytes); goodbye".encode())
        super().lineLengthExceeded(line)


class ChatFactory(Factory):
    """
    The chat room: the connected clients, in the order they joined.
    """

    protocol = ChatProtocol

    def __init__(self, maxLine: int) -> None:
        self.maxLine = maxLine
        self.clients: list[ChatProtocol] = []
        self.joined = 0

    def newName(self) -> str:
        """
        A name for a new client.
        """
        self.joined += 1
        return f"guest{self.joined}"

    def broadcast(self, text: str, exclude: Any = None) -> None:
        """
        Send C{text} to every client but C{exclude}.
        """
        line = text.encode("utf-8")
        for client in self.clients:
            if client is not exclude:
                client.sendLine(line)


def main(reactor: Any) -> None:
    """
    Listen as the command line says, then run the reactor until stopped.
    """
    parser = argparse.ArgumentParser(description="Run a line-based chat server.")
    parser.add_argument("--port", type=int, default=8123, help="TCP port (0: any free one)")
    parser.add_argument("--interface", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--max-line", type=int, default=1024, help="longest line, in bytes")
    options = parser.parse_args()
    port = reactor.listenTCP(
        options.port, ChatFactory(options.max_line), interface=options.interface
    )
    print(f"listening on port {port.getHost().port}", flush=True)
    reactor.run()


if __name__ == "__main__":
    from torsion.internet import reactor

    main(reactor)
