# The listening part of the built-in plugins: one StreamServerEndpointService
# per --listen description (made by strports.service, so a port that cannot
# be bound fails the start instead of only being logged), all children of a
# MultiService.
#
# Each service's endpoint is wrapped so that, once listening, the real
# address is logged: with "tcp:0" the port is chosen by the kernel, and the
# log line is how a user (or a test) learns it.  The event carries the
# fields `description`, `address` (text), `host` and `port` (None for UNIX
# sockets), so a JSON log can be searched for them.
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zope.interface import implementer

from torsion.application import strports
from torsion.application.service import MultiService
from torsion.internet.defer import Deferred
from torsion.internet.interfaces import (
    IListeningPort,
    IProtocolFactory,
    IStreamServerEndpoint,
)
from torsion.logger import Logger

_log = Logger(namespace="torsion.application.twist")


def _addressText(address: Any) -> tuple[str, str | None, int | None]:
    """The address as text, and its host and port (L{None} when it has none)."""
    host = getattr(address, "host", None)
    port = getattr(address, "port", None)
    if isinstance(host, str) and isinstance(port, int):
        text = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return text, host, port
    name = getattr(address, "name", None)
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    return (str(name) if name is not None else repr(address)), None, None


@implementer(IStreamServerEndpoint)
class _AnnouncingEndpoint:
    """
    An endpoint that logs the address it listens on, once it does.
    """

    def __init__(self, endpoint: IStreamServerEndpoint, description: str, what: str) -> None:
        self._endpoint = endpoint
        self._description = description
        self._what = what

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        listening: Deferred[IListeningPort] = self._endpoint.listen(protocolFactory)
        return listening.addCallback(self._announce)

    def _announce(self, port: IListeningPort) -> IListeningPort:
        text, host, number = _addressText(port.getHost())
        _log.info(
            "{what} listening on {address} ({description})",
            what=self._what,
            address=text,
            host=host,
            port=number,
            description=self._description,
        )
        return port

    def __repr__(self) -> str:
        return repr(self._endpoint)


def listeningService(
    descriptions: Sequence[str], factory: IProtocolFactory, what: str, reactor: Any = None
) -> MultiService:
    """
    Make a service that listens on each endpoint description with
    C{factory}, logging each address once it listens.

    @param descriptions: Endpoint descriptions, such as C{"tcp:8000"}.
    @param factory: Builds the protocol for each connection.
    @param what: Names the server in the log line (C{"Echo server"}).
    @param reactor: The reactor; L{None} for the global one.
    @return: The service (a L{MultiService}), not started.
    @raise ValueError: If a description is wrong.
    """
    services = MultiService()
    for description in descriptions:
        service = strports.service(description, factory, reactor)
        service.endpoint = _AnnouncingEndpoint(service.endpoint, description, what)
        service.setServiceParent(services)
    return services
