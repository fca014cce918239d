"""
Tests for L{torsion.application.strports}: services and ports from endpoint
descriptions.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import resultOf
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.address import IPv4Address
from torsion.internet.defer import Deferred
from torsion.internet.endpoints import TCP4ServerEndpoint, UNIXServerEndpoint
from torsion.internet.error import CannotListenError
from torsion.internet.protocol import Factory, Protocol
from torsion.internet.testing import MemoryReactor, RaisingMemoryReactor
from torsion.trial.util import runUntil

try:
    from torsion.application import strports
    from torsion.application.internet import StreamServerEndpointService
except ImportError as e:  # pragma: no cover - only while torsion.application is written
    pytest.skip(
        f"torsion.application.internet cannot be imported yet ({e}), so strports cannot run",
        allow_module_level=True,
    )


def test_service() -> None:
    """
    C{service} makes a L{StreamServerEndpointService} for the endpoint the
    description gives, with the factory, not started.
    """
    reactor = MemoryReactor()
    factory = Factory.forProtocol(Protocol)
    made = strports.service("unix:/run/s.sock:mode=600", factory, reactor)
    assert isinstance(made, StreamServerEndpointService)
    assert isinstance(made.endpoint, UNIXServerEndpoint)
    assert made.factory is factory
    assert not made.running
    assert reactor.unixServers == []


def test_serviceListensWhenStarted() -> None:
    """
    Starting the service listens on the endpoint; stopping it stops
    listening.
    """
    reactor = MemoryReactor()
    factory = Factory.forProtocol(Protocol)
    made = strports.service("tcp:8080:interface=127.0.0.1", factory, reactor=reactor)
    made.startService()
    assert reactor.tcpServers == [(8080, factory, 50, "127.0.0.1")]
    resultOf(made.stopService())
    assert not made.running


def test_serviceBadDescription() -> None:
    """
    A bad description raises ValueError from C{service} itself.
    """
    with pytest.raises(ValueError, match=r"^bad server endpoint description 'tcp:x': port 'x'"):
        strports.service("tcp:x", Factory(), MemoryReactor())


def test_serviceRaisesListenFailure() -> None:
    """
    A failure to listen that happens at once is raised when the service
    starts, as Twisted's strports services do.
    """
    error = CannotListenError("127.0.0.1", 80, OSError("taken"))
    made = strports.service("tcp:80", Factory(), RaisingMemoryReactor(listenException=error))
    with pytest.raises(CannotListenError) as caught:
        made.privilegedStartService()
    assert caught.value is error


def test_serviceGlobalReactor() -> None:
    """
    Without a reactor, the global one is used.
    """
    from torsion.internet import reactor

    made = strports.service("tcp:0", Factory())
    assert isinstance(made.endpoint, TCP4ServerEndpoint)
    assert made.endpoint._reactor is reactor


def test_listen() -> None:
    """
    C{listen} listens at once and returns the port.
    """
    reactor = MemoryReactor()
    factory = Factory.forProtocol(Protocol)
    port = strports.listen("tcp:8080:interface=127.0.0.1", factory, reactor)
    assert port.getHost() == IPv4Address("TCP", "127.0.0.1", 8080)
    assert reactor.tcpServers == [(8080, factory, 50, "127.0.0.1")]


def test_listenFailure() -> None:
    """
    C{listen} raises what listening failed with, and ValueError for a bad
    description.
    """
    error = CannotListenError("", 80, OSError("taken"))
    with pytest.raises(CannotListenError):
        strports.listen("tcp:80", Factory(), RaisingMemoryReactor(listenException=error))
    with pytest.raises(ValueError, match=r"unknown endpoint type 'nope'"):
        strports.listen("nope:80", Factory(), MemoryReactor())


def test_listenNotAtOnce(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    C{listen} on an endpoint that does not listen at once raises
    RuntimeError saying what to use instead.
    """

    class Slow:
        def listen(self, factory: Any) -> Deferred[Any]:
            return Deferred()

        def __repr__(self) -> str:
            return "<Slow>"

    monkeypatch.setattr(strports, "serverFromString", lambda reactor, description: Slow())
    with pytest.raises(RuntimeError, match=r"^<Slow> \(from 'slow:'\) did not start listening"):
        strports.listen("slow:", Factory(), MemoryReactor())


def test_realService(anyReactor: PollingReactor) -> None:
    """
    On a real reactor, a started service listens on the port described,
    until stopped.
    """
    made = strports.service("tcp:0:interface=127.0.0.1", Factory.forProtocol(Protocol), anyReactor)
    made.startService()
    listening = made._waitingForPort
    assert listening is not None
    ports: list[Any] = []

    def seen(port: Any) -> Any:
        ports.append(port)
        return port

    listening.addCallback(seen)
    assert [port.getHost().host for port in ports] == ["127.0.0.1"]
    runUntil(anyReactor, made.stopService(), 30)
    assert not made.running
