"""
Services and listening ports from endpoint descriptions such as
C{"tcp:8080:interface=127.0.0.1"}.

L{service} makes a L{StreamServerEndpointService} that listens on the
described endpoint while it runs; L{listen} listens at once.  The syntax
is that of L{torsion.internet.endpoints.serverFromString}; see
C{docs/endpoints.md}.
"""

from __future__ import annotations

from typing import Any

from torsion.application.internet import StreamServerEndpointService
from torsion.internet.endpoints import serverFromString
from torsion.internet.interfaces import IListeningPort, IProtocolFactory
from torsion.python.failure import Failure


def _reactorOr(reactor: Any) -> Any:
    if reactor is None:
        from torsion.internet import reactor as installed

        return installed
    return reactor


def service(
    description: str, factory: IProtocolFactory, reactor: Any = None
) -> StreamServerEndpointService:
    """
    Make a service that listens on the endpoint C{description} describes.

    The description is parsed now, so a bad one raises here.  When the
    service starts, a failure to listen that happens at once (the port is
    taken, say) is raised from its start method instead of being logged.

    @param description: The endpoint, in L{serverFromString}'s syntax.
    @param factory: Builds a protocol per connection.
    @param reactor: The reactor to listen with; L{None} for the global one.
    @return: The service, not started.
    @raise ValueError: If the description is bad.
    """
    endpoint = serverFromString(_reactorOr(reactor), description)
    made = StreamServerEndpointService(endpoint, factory)
    made._raiseSynchronously = True
    return made


def listen(description: str, factory: IProtocolFactory, reactor: Any = None) -> IListeningPort:
    """
    Listen now on the endpoint C{description} describes.

    @param description: The endpoint, in L{serverFromString}'s syntax.
    @param factory: Builds a protocol per connection.
    @param reactor: The reactor to listen with; L{None} for the global one
        (Twisted's C{listen} has no such argument).
    @return: The listening port.
    @raise ValueError: If the description is bad.
    @raise RuntimeError: If the endpoint does not start listening at once
        (use L{service}, or the endpoint's C{listen}, for such endpoints).
    @raise BaseException: What listening failed with, such as
        L{torsion.internet.error.CannotListenError}.
    """
    endpoint = serverFromString(_reactorOr(reactor), description)
    outcome: list[Any] = []
    endpoint.listen(factory).addBoth(outcome.append)
    if not outcome:
        raise RuntimeError(
            f"{endpoint!r} (from {description!r}) did not start listening at once; "
            "use strports.service(), or the endpoint's listen() and its Deferred"
        )
    if isinstance(outcome[0], Failure):
        outcome[0].raiseException()
    port: IListeningPort = outcome[0]
    return port


__all__ = ["listen", "service"]
