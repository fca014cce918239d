"""
An application made of services: a greeter that listens on 127.0.0.1, and
a timer that sends it a visitor every tick.

The program builds what the `torsion` command (or Twisted's `twistd`) runs:
an Application whose MultiService holds

  - a StreamServerEndpointService: the greeter, listening on an endpoint;
  - a TimerService: every 0.05 seconds it connects a visitor, and waits
    (its function returns a Deferred) until the visitor has heard the
    greeting before the next tick.

Then it runs the application the way those commands do: start the services
once the reactor runs, and stop them before the reactor shuts down, which
waits for the Deferred stopService returns.  After three visitors, the
program stops the reactor; the services stop (the timer first: the reverse
of the order they were added), the port closes, and the reactor finishes.

Run: python examples/timer_service.py

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import socket
from typing import Any

from zope.interface import implementer

from torsion.application.internet import StreamServerEndpointService, TimerService
from torsion.application.service import Application, IService, MultiService
from torsion.internet import reactor
from torsion.internet.defer import Deferred
from torsion.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint, connectProtocol
from torsion.internet.interfaces import IListeningPort, IProtocolFactory, IStreamServerEndpoint
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.python.failure import Failure

VISITORS = 3


class Greeter(Protocol):
    """
    Greets each visitor by number, then hangs up.
    """

    factory: GreeterFactory

    def connectionMade(self) -> None:
        self.factory.visitors += 1
        self.transport.write(b"hello, visitor %d\n" % (self.factory.visitors,))
        self.transport.loseConnection()


class GreeterFactory(Factory[Greeter]):
    protocol = Greeter
    noisy = False
    visitors = 0


class Visitor(Protocol):
    """
    Listens to what the greeter says; C{heard} fires with it once the
    greeter hangs up.
    """

    def __init__(self) -> None:
        self.received = b""
        self.heard: Deferred[bytes] = Deferred()

    def dataReceived(self, data: bytes) -> None:
        self.received += data

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.heard.callback(self.received)


@implementer(IStreamServerEndpoint)
class RememberPort:
    """
    Listens on another endpoint and keeps the port, so that the visitors
    know where to go (port 0 lets the system pick a free one).
    """

    def __init__(self, endpoint: IStreamServerEndpoint) -> None:
        self.endpoint = endpoint
        self.port: Any = None
        self.number = 0

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        def remember(port: IListeningPort) -> IListeningPort:
            self.port = port
            self.number = port.getHost().port  # type: ignore[attr-defined]
            return port

        return self.endpoint.listen(protocolFactory).addCallback(remember)


def main() -> None:
    application = Application("greetings")
    services = MultiService()
    services.setServiceParent(application)

    endpoint = RememberPort(TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1"))
    greeter = StreamServerEndpointService(endpoint, GreeterFactory())
    greeter.setName("greeter")
    greeter.setServiceParent(services)

    ticks = 0

    def tick() -> Deferred[None] | None:
        nonlocal ticks
        if ticks == VISITORS:
            return None
        ticks += 1
        print(f"tick {ticks}: a visitor goes to the greeter", flush=True)
        visitor = Visitor()
        connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", endpoint.number), visitor)
        return visitor.heard.addCallback(heard)

    def heard(greeting: bytes) -> None:
        print(f"the visitor heard: {greeting.decode().strip()}", flush=True)
        if ticks == VISITORS:
            reactor.stop()

    timer = TimerService(0.05, tick)
    timer.setName("timer")
    timer.setServiceParent(services)

    top = IService(application)

    def start() -> None:
        top.privilegedStartService()
        print(f"the greeter listens on {endpoint.port.getHost().host}", flush=True)
        top.startService()

    def stop() -> Deferred[Any] | None:
        print("stopping the application", flush=True)
        return top.stopService()

    reactor.callWhenRunning(start)
    reactor.addSystemEventTrigger("before", "shutdown", stop)
    reactor.run()

    with socket.socket() as probe:
        closed = probe.connect_ex(("127.0.0.1", endpoint.number)) != 0
    print(f"both services stopped: {not timer.running and not greeter.running}")
    print(f"the port is closed: {closed}")


if __name__ == "__main__":
    main()
