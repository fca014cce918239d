"""
An echo server that listens wherever an endpoint description says.

Run: python examples/endpoint_echo.py DESCRIPTION

DESCRIPTION is what torsion.internet.endpoints.serverFromString takes, e.g.

    tcp:0:interface=127.0.0.1      TCP on 127.0.0.1, a free port
    tcp6:8007:interface=\\:\\:1      TCP on ::1 (colons escaped)
    unix:/tmp/echo.sock:mode=600   a UNIX socket only this user may use
    systemd:domain=INET:index=0    the first socket systemd passed
    stdio:                         standard input and output

It prints `echo server listening on ADDRESS` once it listens, then sends
back every byte each client sends, until Ctrl-C or SIGTERM (with stdio:,
until its input ends).  A bad description, or a place it cannot listen on,
stops it with a message saying what is wrong.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from torsion.internet import defer, task
from torsion.internet.address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet.endpoints import serverFromString
from torsion.internet.error import CannotListenError
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.python.failure import Failure


class Echo(Protocol):
    """
    Sends back every byte it receives.
    """

    factory: EchoFactory

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.factory.connectionEnded()


class EchoFactory(Factory):
    """
    Builds an L{Echo} per connection; C{lastEnded} fires when a connection
    ends and C{single} is set (standard I/O has just one).
    """

    protocol = Echo
    noisy = False

    def __init__(self, single: bool) -> None:
        self.single = single
        self.lastEnded: defer.Deferred[None] = defer.Deferred()

    def connectionEnded(self) -> None:
        if self.single and not self.lastEnded.called:
            self.lastEnded.callback(None)


def describe(address: Any) -> str:
    """
    A listening address as a person would write it.
    """
    if isinstance(address, IPv6Address):
        return f"[{address.host}]:{address.port}"
    if isinstance(address, IPv4Address):
        return f"{address.host}:{address.port}"
    if isinstance(address, UNIXAddress) and address.name is not None:
        return os.fsdecode(address.name)
    return "standard input and output"


async def main(reactor: Any, description: str) -> None:
    """
    Listen on C{description} and echo until stopped.
    """
    try:
        endpoint = serverFromString(reactor, description)
    except ValueError as e:
        raise SystemExit(f"endpoint_echo: {e}") from None
    single = description.split(":", 1)[0].lower() == "stdio"
    factory = EchoFactory(single)
    try:
        port = await endpoint.listen(factory)
    except CannotListenError as e:
        raise SystemExit(f"endpoint_echo: {e}") from None
    print(f"echo server listening on {describe(port.getHost())}", flush=True)
    if single:
        await factory.lastEnded
    else:
        await defer.Deferred()  # Until the reactor stops (Ctrl-C, SIGTERM).


def run(reactor: Any, description: str) -> defer.Deferred[None]:
    """
    Run L{main} as a Deferred (what C{task.react} expects).
    """
    return defer.ensureDeferred(main(reactor, description))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DESCRIPTION (e.g. tcp:0:interface=127.0.0.1)")
    task.react(run, sys.argv[1:])
