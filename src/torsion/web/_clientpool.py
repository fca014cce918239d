# HTTPConnectionPool: where an Agent gets its connections, and where it
# puts them back.
#
# Connections are cached per key (an agent uses (scheme, host, port)): a
# list of idle HTTP11ClientProtocols, each with a timer that closes it
# after cachedConnectionTimeout seconds unused.  getConnection takes the
# most recently used idle one whose state is still QUIESCENT (one that the
# server closed meanwhile is dropped), or connects a new one through the
# endpoint.  When a response completes and the connection is reusable, the
# protocol's quiescentCallback puts it back; beyond maxPersistentPerHost
# idle connections for a key, the oldest is closed.  A cached connection
# that the server closes is forgotten at once (with its timer).  A
# non-persistent pool caches nothing: requests say Connection: close.
#
# A cached connection may have been closed by the server an instant before
# we wrote to it.  With retryAutomatically, a request on a cached
# connection that fails before any response byte arrived is sent once more
# on a new connection, if it is safe to repeat: an idempotent method, no
# body, and not cancelled by the caller.
from __future__ import annotations

from typing import Any

from torsion.internet.defer import CancelledError, Deferred, DeferredList, succeed
from torsion.internet.interfaces import IStreamClientEndpoint
from torsion.internet.protocol import Factory
from torsion.python.failure import Failure
from torsion.web._clienterrors import (
    RequestNotSent,
    RequestTransmissionFailed,
    ResponseNeverReceived,
)
from torsion.web._clientprotocol import HTTP11ClientProtocol
from torsion.web._clientrequest import Request
from torsion.web._clientresponse import Response

_IDEMPOTENT = frozenset([b"GET", b"HEAD", b"OPTIONS", b"DELETE", b"TRACE"])


class _HTTP11ClientFactory(Factory[HTTP11ClientProtocol]):
    """
    Builds one L{HTTP11ClientProtocol} that reports quiescence to a pool.
    """

    def __init__(self, quiescentCallback: Any) -> None:
        self._quiescentCallback = quiescentCallback

    def buildProtocol(self, addr: Any) -> HTTP11ClientProtocol:
        return HTTP11ClientProtocol(self._quiescentCallback)


class _RetryingConnection:
    """
    A cached connection whose failed requests are retried once on a new
    connection, when that is safe.
    """

    def __init__(
        self,
        connection: HTTP11ClientProtocol,
        newConnection: Any,
    ) -> None:
        self._connection = connection
        self._newConnection = newConnection

    @property
    def state(self) -> str:
        return self._connection.state

    @staticmethod
    def _shouldRetry(method: bytes, reason: Failure, request: Request) -> bool:
        if method not in _IDEMPOTENT or request.bodyProducer is not None:
            return False
        error = reason.value
        if isinstance(error, RequestNotSent):
            return True
        if isinstance(error, (ResponseNeverReceived, RequestTransmissionFailed)):
            return not any(r.check(CancelledError) for r in error.reasons)
        return False

    def request(self, request: Request) -> Deferred[Response]:
        d = self._connection.request(request)

        def retry(reason: Failure) -> Any:
            if self._shouldRetry(request.method, reason, request):
                again: Deferred[HTTP11ClientProtocol] = self._newConnection()
                return again.addCallback(lambda connection: connection.request(request))
            return reason

        d.addErrback(retry)
        return d


class HTTPConnectionPool:
    """
    Keeps HTTP connections open for reuse, per host and port.

    @ivar persistent: Whether connections are kept for reuse.
    @ivar maxPersistentPerHost: Most idle connections kept per key.
    @ivar cachedConnectionTimeout: Seconds an idle connection is kept.
    @ivar retryAutomatically: Whether an idempotent request without a body
        that fails on a cached connection before any response byte arrived
        is retried once on a new connection.
    """

    _factory = _HTTP11ClientFactory
    maxPersistentPerHost = 2
    cachedConnectionTimeout: float = 240
    retryAutomatically = True

    def __init__(self, reactor: Any, persistent: bool = True) -> None:
        """
        @param reactor: Provides L{IReactorTime}, for the idle timeouts.
        @param persistent: Whether to keep connections for reuse.
        """
        self._reactor = reactor
        self.persistent = persistent
        self._connections: dict[Any, list[HTTP11ClientProtocol]] = {}
        self._timeouts: dict[HTTP11ClientProtocol, Any] = {}

    def getConnection(self, key: Any, endpoint: IStreamClientEndpoint) -> Deferred[Any]:
        """
        A connection for C{key}: an idle cached one, or a new one.

        @param key: Which connections are interchangeable.
        @param endpoint: Connects a new one.
        @return: Fires with an object with a C{request(request)} method
            (an L{HTTP11ClientProtocol}, perhaps wrapped to retry).
        """
        connections = self._connections.get(key)
        while connections:
            connection = connections.pop()
            if not connections:
                del self._connections[key]
            self._timeouts.pop(connection).cancel()
            connection._idleLost = None
            if connection.state == "QUIESCENT":
                if self.retryAutomatically:
                    return succeed(
                        _RetryingConnection(connection, lambda: self._newConnection(key, endpoint))
                    )
                return succeed(connection)
        return self._newConnection(key, endpoint)

    def _newConnection(
        self, key: Any, endpoint: IStreamClientEndpoint
    ) -> Deferred[HTTP11ClientProtocol]:
        """
        Connect a new connection for C{key}.
        """

        def quiescent(connection: HTTP11ClientProtocol) -> None:
            self._putConnection(key, connection)

        d: Deferred[HTTP11ClientProtocol] = endpoint.connect(self._factory(quiescent))  # type: ignore[assignment]
        return d

    def _removeConnection(self, key: Any, connection: HTTP11ClientProtocol) -> None:
        """
        Forget C{connection} and close it.
        """
        connection._idleLost = None
        self._forget(key, connection)
        connection.transport.loseConnection()

    def _putConnection(self, key: Any, connection: HTTP11ClientProtocol) -> None:
        """
        Cache an idle C{connection} (or close it if the pool keeps none).
        """
        if connection.state != "QUIESCENT":
            return
        if not self.persistent:
            connection.transport.loseConnection()
            return
        connections = self._connections.setdefault(key, [])
        if len(connections) >= self.maxPersistentPerHost:
            self._removeConnection(key, connections[0])
            connections = self._connections.setdefault(key, [])
        connections.append(connection)
        self._timeouts[connection] = self._reactor.callLater(
            self.cachedConnectionTimeout, self._removeConnection, key, connection
        )
        connection._idleLost = lambda: self._forget(key, connection)

    def _forget(self, key: Any, connection: HTTP11ClientProtocol) -> None:
        """
        A cached connection was closed (by the server): drop it.
        """
        timeout = self._timeouts.pop(connection, None)
        if timeout is not None and timeout.active():
            timeout.cancel()
        connections = self._connections.get(key, [])
        if connection in connections:
            connections.remove(connection)
        if not connections:
            self._connections.pop(key, None)

    def closeCachedConnections(self) -> Deferred[Any]:
        """
        Close every idle connection.

        @return: Fires once they are all closed.
        """
        waiting: list[Deferred[Any]] = []
        for connections in self._connections.values():
            for connection in connections:
                self._timeouts.pop(connection).cancel()
                connection._idleLost = None
                waiting.append(connection._whenLost())
                connection.transport.loseConnection()
        self._connections.clear()
        return DeferredList(waiting).addCallback(lambda ignored: None)


__all__ = ["HTTPConnectionPool"]
