"""
Stream protocols shared by the transport tests (TCP, UNIX).
"""

from __future__ import annotations

from typing import Any

from torsion.internet.protocol import Protocol, connectionDone
from torsion.python.failure import Failure


class Echo(Protocol):
    """
    Sends back what it receives.
    """

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)


class Collector(Protocol):
    """
    Records what arrives and why the connection ended; stops the reactor
    when it ends.  With C{expect}, closes once that many bytes arrived.
    """

    def __init__(self, reactor: Any, expect: int = -1) -> None:
        self.reactor = reactor
        self.expect = expect
        self.chunks: list[bytes] = []
        self.received = 0
        self.reason: Failure | None = None

    def dataReceived(self, data: bytes) -> None:
        self.chunks.append(data)
        self.received += len(data)
        if self.received == self.expect:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason
        self.reactor.stop()
