"""
A TCP echo client: sends each of its arguments as a line and prints what
the server sends back.

Run: python examples/echo_client.py --port PORT [--host HOST]
                                    [--timeout SECONDS] WORD...

It connects with ClientCreator, sends every WORD as a line, prints each
echoed line as `echo: WORD`, then closes and exits 0.  If the server cannot
be reached, or stays silent for --timeout seconds, it says so on stderr and
exits 1.  Try it against examples/echo_server.py.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from torsion.internet import defer, task
from torsion.internet.protocol import ClientCreator, connectionDone
from torsion.protocols.basic import LineReceiver
from torsion.protocols.policies import TimeoutMixin
from torsion.python.failure import Failure


class EchoClient(TimeoutMixin, LineReceiver):
    """
    Sends its words and collects the echoes; C{done} fires with them when
    the connection closes, or fails if the server went silent.
    """

    delimiter = b"\n"

    def __init__(self, words: list[str], timeout: float) -> None:
        self.words = words
        self.echoes: list[str] = []
        self.idle = timeout
        self.silent = False
        self.done: defer.Deferred[list[str]] = defer.Deferred()

    def connectionMade(self) -> None:
        self.setTimeout(self.idle)
        for word in self.words:
            self.sendLine(word.encode("utf-8"))

    def lineReceived(self, line: bytes) -> None:
        self.resetTimeout()
        self.echoes.append(line.decode("utf-8", "replace"))
        if len(self.echoes) == len(self.words):
            self.transport.loseConnection()

    def timeoutConnection(self) -> None:
        self.silent = True
        super().timeoutConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.setTimeout(None)
        if self.silent:
            self.done.errback(
                RuntimeError(f"the server sent nothing for {self.idle:g} seconds; giving up")
            )
        else:
            self.done.callback(self.echoes)


async def run(reactor: Any, host: str, port: int, timeout: float, words: list[str]) -> None:
    """
    Connect, send the words, print the echoes.
    """
    creator = ClientCreator(reactor, EchoClient, words, timeout)
    client = await creator.connectTCP(host, port, timeout=timeout)
    echoes = await client.done
    for echo in echoes:
        print(f"echo: {echo}", flush=True)
    if len(echoes) != len(words):
        raise RuntimeError(f"the server closed after {len(echoes)} of {len(words)} echoes")


def main(reactor: Any, *argv: str) -> defer.Deferred[None]:
    parser = argparse.ArgumentParser(description="Send words to an echo server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("words", nargs="+")
    options = parser.parse_args(argv)
    d = defer.ensureDeferred(
        run(reactor, options.host, options.port, options.timeout, options.words)
    )

    def report(failure: Failure) -> None:
        print(f"echo_client: {failure.getErrorMessage()}", file=sys.stderr, flush=True)
        raise SystemExit(1)

    return d.addErrback(report)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
