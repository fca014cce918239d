# Client helpers: a factory that reconnects with exponential backoff, and
# ClientCreator, which connects one protocol instance and hands it back in a
# Deferred.
#
# ReconnectingClientFactory
# -------------------------
# Whenever a connection attempt fails or an established connection is
# lost, the factory schedules connector.connect() after `delay` seconds and
# grows the delay for next time: delay = min(delay * factor, maxDelay), then
# a normally distributed jitter (standard deviation delay * jitter) so that
# many clients cut off at once do not all come back at the same instant.
# Unlike Twisted, the delay after jitter is kept within [0, maxDelay], so
# maxDelay really is the longest wait, and a delay that jitter pushed below
# initialDelay grows from initialDelay next time (it could otherwise shrink
# towards 0 and stay there).  Also unlike Twisted, `delay` follows
# `initialDelay` until the first retry, so a subclass that only sets
# initialDelay = 0.1 really starts at 0.1 (Twisted's copies 1.0 into delay
# when the class is defined).  A successful connection does not
# reset the delay by itself: the application calls resetDelay() once it
# considers the connection good (in buildProtocol or after a handshake), as
# with Twisted.  stopTrying() cancels a scheduled retry, stops an attempt in
# progress and makes later failures final.  Retries are scheduled on
# `clock` (the global reactor when it is None).
#
# ClientCreator
# -------------
# Builds the protocol instance up front, then connects with a one-shot
# factory (_InstanceFactory) that returns that instance.  The Deferred
# fires on the reactor turn after the connection is made (so that the
# protocol's connectionMade has run and it is safe to use), or fails with
# the reason the attempt failed.  Cancelling the Deferred stops the attempt,
# or closes the connection if it was made but not yet handed over.
from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, cast

from torsion.internet._deferred import Deferred
from torsion.internet._errors import NotConnectingError
from torsion.internet._factory import ClientFactory
from torsion.internet._ireactor import IDelayedCall, IReactorTime
from torsion.internet._itransport import IAddress, IConnector
from torsion.internet._protocol import Protocol
from torsion.logger import Logger
from torsion.python.failure import Failure

# As in _factory.py: a default for the type variable (PEP 696), for the
# type checker only, so that a bare ReconnectingClientFactory subclass or
# ClientCreator annotation still checks under mypy --strict.
if TYPE_CHECKING:
    from typing_extensions import TypeVar

    _P = TypeVar("_P", bound=Protocol, default=Protocol)
else:
    from typing import TypeVar

    _P = TypeVar("_P", bound=Protocol)

_log = Logger()


class ReconnectingClientFactory(ClientFactory[_P]):
    """
    A client factory that reconnects after a failed attempt or a lost
    connection, waiting longer each time (exponential backoff with jitter).

    Call L{resetDelay} once a connection is known to be good (in
    C{buildProtocol}, say), so that the next loss retries quickly again;
    call L{stopTrying} to give up.

    @ivar initialDelay: The first delay, in seconds.
    @ivar maxDelay: The longest delay, in seconds.
    @ivar factor: How much the delay grows per retry.
    @ivar jitter: The standard deviation of the random change to each
        delay, as a fraction of it (0 for none).
    @ivar maxRetries: How many retries in a row before giving up, or
        L{None} for no limit.
    @ivar retries: How many retries in a row so far.
    @ivar delay: The delay before the retry most recently scheduled.
    @ivar continueTrying: Whether failures still lead to retries.
    @ivar connector: The connector last seen, retried by L{retry}.
    @ivar clock: What schedules retries; L{None} means the global reactor.
    """

    maxDelay: float = 3600
    initialDelay: float = 1.0
    factor: float = 2.7182818284590451
    jitter: float = 0.11962656472
    retries: int = 0
    maxRetries: int | None = None
    continueTrying: bool | int = 1
    connector: IConnector | None = None
    clock: IReactorTime | None = None
    _callID: IDelayedCall | None = None
    _delay: float | None = None

    @property
    def delay(self) -> float:
        """
        The delay before the retry most recently scheduled; L{initialDelay}
        before the first.
        """
        current = self._delay
        return self.initialDelay if current is None else current

    @delay.setter
    def delay(self, value: float) -> None:
        self._delay = value

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        An attempt failed: retry later, unless told to stop.

        @param connector: The connector.
        @param reason: Why.
        """
        self._retryUnlessStopped(connector)

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        A connection ended: reconnect later, unless told to stop.

        @param connector: The connector.
        @param reason: Why.
        """
        self._retryUnlessStopped(connector)

    def _retryUnlessStopped(self, connector: IConnector) -> None:
        """
        Keep C{connector} and L{retry} it, unless L{stopTrying} was called.
        """
        if self.continueTrying:
            self.connector = connector
            self.retry()

    def retry(self, connector: IConnector | None = None) -> None:
        """
        Schedule another connection attempt after a longer delay.

        @param connector: What to reconnect; L{connector} by default.
        @raise ValueError: If there is no connector to reconnect.
        """
        if not self.continueTrying:
            if self.noisy:
                _log.info("Abandoning {connector!r} on explicit request", connector=connector)
            return
        if connector is None:
            if self.connector is None:
                raise ValueError(
                    f"{type(self).__name__}.retry() has no connector to retry: pass one, "
                    "or call it only after the factory has been used to connect"
                )
            connector = self.connector
        self.retries += 1
        if self.maxRetries is not None and self.retries > self.maxRetries:
            if self.noisy:
                _log.info(
                    "Abandoning {connector!r} after {retries} retries.",
                    connector=connector,
                    retries=self.maxRetries,
                )
            return
        delay = min(max(self.delay, self.initialDelay) * self.factor, self.maxDelay)
        if self.jitter:
            delay = random.normalvariate(delay, delay * self.jitter)
        self.delay = min(max(delay, 0.0), self.maxDelay)
        if self.noisy:
            _log.info(
                "{connector!r} will retry in {delay:.3g} seconds",
                connector=connector,
                delay=self.delay,
            )
        reconnect = connector

        def reconnector() -> None:
            self._callID = None
            reconnect.connect()

        clock = self.clock
        if clock is None:
            from torsion.internet import reactor

            clock = self.clock = cast(IReactorTime, reactor)
        self._callID = clock.callLater(self.delay, reconnector)

    def stopTrying(self) -> None:
        """
        Give up: cancel the scheduled retry, stop the attempt in progress,
        and retry no more.
        """
        call, self._callID = self._callID, None
        if call is not None and call.active():
            call.cancel()
        self.continueTrying = 0
        if self.connector is not None:
            try:
                self.connector.stopConnecting()
            except NotConnectingError:
                pass

    def resetDelay(self) -> None:
        """
        Start again from L{initialDelay} and zero retries (call it when a
        connection has succeeded), and retry again if L{stopTrying} was
        called.
        """
        self._delay = None
        self.retries = 0
        self._callID = None
        self.continueTrying = 1

    def __getstate__(self) -> dict[str, Any]:
        """
        Pickle without the connector, the scheduled retry and the clock,
        which belong to this process's reactor.

        @return: The state to pickle.
        """
        state = self.__dict__.copy()
        for key in ("connector", "_callID", "clock"):
            state.pop(key, None)
        return state


class _InstanceFactory(ClientFactory[Protocol]):
    """
    Connects one protocol instance and reports the outcome to a Deferred,
    on the next reactor turn.
    """

    noisy = False
    pending: IDelayedCall | None = None

    def __init__(self, reactor: Any, instance: Protocol, deferred: Deferred[Any]) -> None:
        self.reactor = reactor
        self.instance = instance
        self.deferred: Deferred[Any] | None = deferred

    def __repr__(self) -> str:
        return f"<ClientCreator factory: {self.instance!r}>"

    def buildProtocol(self, addr: IAddress | None) -> Protocol:
        d, self.deferred = self.deferred, None
        if d is not None:
            self.pending = self.reactor.callLater(0, self._fire, d.callback, self.instance)
        return self.instance

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        d, self.deferred = self.deferred, None
        if d is not None:
            self.pending = self.reactor.callLater(0, self._fire, d.errback, reason)

    def _fire(self, func: Callable[[Any], object], value: object) -> None:
        self.pending = None
        func(value)


class ClientCreator(Generic[_P]):
    """
    Connects a new protocol instance to a server, giving it back in a
    Deferred once connected.

        creator = ClientCreator(reactor, Greeter, "alice")
        d = creator.connectTCP("127.0.0.1", 8000)
        d.addCallback(lambda greeter: greeter.sayHello())

    Endpoints (C{TCP4ClientEndpoint} with C{connectProtocol}) are the more
    general way; this is the classic one.
    """

    def __init__(
        self, reactor: Any, protocolClass: Callable[..., _P], *args: Any, **kwargs: Any
    ) -> None:
        """
        @param reactor: The reactor to connect with.
        @param protocolClass: Called with C{args} and C{kwargs} to make the
            protocol, once per connect call.
        @param args: Positional arguments for C{protocolClass}.
        @param kwargs: Keyword arguments for C{protocolClass}.
        """
        self.reactor = reactor
        self.protocolClass = protocolClass
        self.args = args
        self.kwargs = kwargs

    def _connect(
        self, method: Callable[..., IConnector], *args: Any, **kwargs: Any
    ) -> Deferred[_P]:
        connectors: list[IConnector] = []

        def cancel(d: Deferred[_P]) -> None:
            if connectors:
                connectors[0].disconnect()
            if factory.pending is not None and factory.pending.active():
                factory.pending.cancel()
                factory.pending = None

        d: Deferred[_P] = Deferred(cancel)
        factory = _InstanceFactory(self.reactor, self.protocolClass(*self.args, **self.kwargs), d)
        connectors.append(method(*args, factory=factory, **kwargs))
        return d

    def connectTCP(
        self,
        host: str,
        port: int,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> Deferred[_P]:
        """
        Connect to C{host}:C{port} over TCP.

        @param host: The host name or address.
        @param port: The port.
        @param timeout: Seconds to wait for the connection.
        @param bindAddress: The local (host, port) to connect from, if any.
        @return: A Deferred that fires with the connected protocol, or
            fails with the reason it could not connect (cancel it to give
            up).
        """
        return self._connect(
            self.reactor.connectTCP, host, port, timeout=timeout, bindAddress=bindAddress
        )

    def connectUNIX(
        self, address: str, timeout: float = 30, checkPID: bool = False
    ) -> Deferred[_P]:
        """
        Connect to the UNIX socket at C{address}.

        @param address: The socket's path.
        @param timeout: Seconds to wait for the connection.
        @param checkPID: Check the lock file of the listening process first.
        @return: A Deferred that fires with the connected protocol, or
            fails with the reason it could not connect (cancel it to give
            up).
        """
        return self._connect(self.reactor.connectUNIX, address, timeout=timeout, checkPID=checkPID)

    def connectSSL(
        self,
        host: str,
        port: int,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> Deferred[_P]:
        """
        Connect to C{host}:C{port} over TLS.

        @param host: The host name or address.
        @param port: The port.
        @param contextFactory: The TLS client settings.
        @param timeout: Seconds to wait for the connection.
        @param bindAddress: The local (host, port) to connect from, if any.
        @return: A Deferred that fires with the connected protocol, or
            fails with the reason it could not connect (cancel it to give
            up).
        """
        return self._connect(
            self.reactor.connectSSL,
            host,
            port,
            contextFactory=contextFactory,
            timeout=timeout,
            bindAddress=bindAddress,
        )


__all__ = ["ClientCreator", "ReconnectingClientFactory"]
