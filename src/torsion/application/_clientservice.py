# ClientService: keep one connection to a client endpoint, reconnecting
# after a delay (backoffPolicy by default) whenever an attempt fails or the
# connection is lost.
#
# States
# ------
#   INIT        never started
#   CONNECTING  an attempt is in progress: endpoint.connect(), then
#               prepareConnection(protocol) if one was given
#   WAITING     an attempt failed or the connection was lost; a timed call
#               will start the next attempt
#   CONNECTED   the connection is up and prepared
#   STOPPING    stopService() was called; waiting for the attempt in
#               progress to end and the connections to close
#   RESTARTING  like STOPPING, but startService() was called meanwhile:
#               connect again once stopped
#   STOPPED     stopped
#
#   INIT/STOPPED --start--> CONNECTING --made--> CONNECTED --lost--> WAITING
#   CONNECTING --failed--> WAITING --timer--> CONNECTING
#   CONNECTING/WAITING/CONNECTED --stop--> STOPPING --done--> STOPPED
#   STOPPING --start--> RESTARTING --done--> CONNECTING
#
# An attempt is a Deferred chain: endpoint.connect(factory), then
# prepareConnection.  The factory the endpoint gets wraps the application's:
# each protocol it builds is wrapped in a _LossReporter, which tells the
# service when the connection is made (makeConnection) and lost
# (connectionLost), and otherwise passes everything through, declaring the
# interfaces the application's protocol provides (so that half-close, TLS
# handshake and file-descriptor callbacks still reach it).  The service
# keeps the reporters whose connection is up in `_live`; stopping is done
# once no attempt is in progress and `_live` is empty.
#
# Cases Twisted's state machine does not cover, and what happens here:
#   - the connection is lost while prepareConnection is still working: the
#     attempt is cancelled (which cancels prepareConnection's Deferred) and
#     counts as a failure, with the loss as its reason;
#   - prepareConnection fails, or stopService cancels the attempt while it
#     is preparing: the connection it was preparing is closed (Twisted
#     leaves it open), and stopping waits until it is;
#   - stopService before the first start cancels the whenConnected
#     Deferreds waiting (Twisted leaves them waiting).
from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from typing import Any

from zope.interface import directlyProvides, implementer, providedBy

from torsion.application._service import Service
from torsion.internet.defer import CancelledError, Deferred, fail, maybeDeferred, succeed
from torsion.internet.interfaces import (
    IAddress,
    IDelayedCall,
    IProtocol,
    IProtocolFactory,
    IReactorTime,
    IStreamClientEndpoint,
    ITransport,
)
from torsion.logger import Logger
from torsion.python.failure import Failure

_INIT = "INIT"
_CONNECTING = "CONNECTING"
_WAITING = "WAITING"
_CONNECTED = "CONNECTED"
_STOPPING = "STOPPING"
_RESTARTING = "RESTARTING"
_STOPPED = "STOPPED"


def backoffPolicy(
    initialDelay: float = 1.0,
    maxDelay: float = 60.0,
    factor: float = 1.5,
    jitter: Callable[[], float] = random.random,
) -> Callable[[int], float]:
    """
    Make a retry policy for L{ClientService}: delays that grow exponentially
    up to a ceiling, plus some noise.

    The delay after C{n} failures in a row is C{min(initialDelay * factor **
    n, maxDelay) + jitter()} seconds (so, with the defaults, about 1.5s
    after the first failure, 2.25s after the second, and never much more
    than a minute).

    @param initialDelay: The delay's base, in seconds.
    @param maxDelay: The ceiling, in seconds, before the jitter is added.
    @param factor: How much the delay grows with each failure.
    @param jitter: Called for the noise to add to each delay, so that many
        clients do not all retry at once; by default a random number
        between 0 and 1.
    @return: The policy: a function from the number of failures in a row
        to the delay, in seconds.
    """

    def policy(attempt: int) -> float:
        # The exponent is capped so that a long outage does not compute an
        # ever larger number; the float may still overflow for big factors.
        try:
            delay = min(initialDelay * factor ** min(attempt, 100), maxDelay)
        except OverflowError:
            delay = maxDelay
        return delay + jitter()

    return policy


_defaultPolicy = backoffPolicy()


class _Attempt:
    """
    One connection attempt.

    @ivar deferred: The attempt's chain (connect, then prepare), once made.
    @ivar reporter: The wrapped protocol the endpoint built, once built.
    @ivar lost: Why the connection was lost before the attempt ended.
    """

    __slots__ = ("deferred", "lost", "reporter")

    def __init__(self) -> None:
        self.deferred: Deferred[Any] | None = None
        self.reporter: _LossReporter | None = None
        self.lost: Failure | None = None


class _LossReporter:
    """
    Wraps the application's protocol to tell the L{ClientService} when the
    connection is made and lost; provides what the wrapped protocol
    provides, and passes everything else through.
    """

    def __init__(self, protocol: IProtocol, service: ClientService) -> None:
        self._protocol = protocol
        self._service = service
        self._transport: ITransport | None = None
        directlyProvides(self, providedBy(protocol))

    def makeConnection(self, transport: ITransport) -> None:
        self._transport = transport
        self._service._connectionMade(self)
        self._protocol.makeConnection(transport)

    def connectionLost(self, reason: Failure) -> None:
        try:
            self._protocol.connectionLost(reason)
        finally:
            self._service._connectionLost(self, reason)

    def close(self) -> None:
        """
        Close the connection.
        """
        if self._transport is not None:
            self._transport.loseConnection()

    def __getattr__(self, name: str) -> Any:
        if name == "_protocol":
            raise AttributeError(name)
        return getattr(self._protocol, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} wrapping {self._protocol!r}>"


@implementer(IProtocolFactory)
class _ReportingFactory:
    """
    Wraps the application's factory so that each protocol it builds for an
    attempt is wrapped in a L{_LossReporter}.
    """

    def __init__(self, factory: IProtocolFactory, service: ClientService, attempt: _Attempt):
        self._factory = factory
        self._service = service
        self._attempt = attempt
        directlyProvides(self, providedBy(factory))

    def buildProtocol(self, addr: IAddress) -> IProtocol | None:
        built = self._factory.buildProtocol(addr)
        if built is None:
            return None
        reporter = _LossReporter(built, self._service)
        self._attempt.reporter = reporter
        return reporter  # type: ignore[return-value]

    def doStart(self) -> None:
        self._factory.doStart()

    def doStop(self) -> None:
        self._factory.doStop()

    def __getattr__(self, name: str) -> Any:
        if name == "_factory":
            raise AttributeError(name)
        return getattr(self._factory, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} wrapping {self._factory!r}>"


class ClientService(Service):
    """
    Keep a connection to an endpoint while the service runs: connect when
    started, and after a failed attempt or a lost connection, connect again
    after the delay the retry policy gives.

    Get the connected protocol with L{whenConnected}.
    """

    _log = Logger()

    def __init__(
        self,
        endpoint: IStreamClientEndpoint,
        factory: IProtocolFactory,
        retryPolicy: Callable[[int], float] | None = None,
        clock: IReactorTime | None = None,
        prepareConnection: Callable[[Any], object] | None = None,
    ) -> None:
        """
        @param endpoint: Where to connect.
        @param factory: Builds the protocol for each connection.
        @param retryPolicy: Given the number of failures in a row (1 after
            the first failed attempt or lost connection), returns the
            seconds to wait before the next attempt; L{backoffPolicy}C{()}
            by default.
        @param clock: Schedules the retries; the global reactor by default.
        @param prepareConnection: Called with each new protocol before the
            connection counts as made: it may prepare it (log in, say) and
            return a Deferred, which L{whenConnected} then waits for.  If it
            raises or its Deferred fails, the connection is closed and the
            attempt counts as failed.  Its result is otherwise ignored.
        """
        self._endpoint = endpoint
        self._factory = factory
        self._retryPolicy = _defaultPolicy if retryPolicy is None else retryPolicy
        self._clock = clock
        self._prepareConnection = prepareConnection
        self._state = _INIT
        self._failedAttempts = 0
        self._attempt: _Attempt | None = None
        self._retryCall: IDelayedCall | None = None
        self._connected: _LossReporter | None = None
        self._live: list[_LossReporter] = []
        self._awaitingConnection: list[tuple[Deferred[Any], int | None]] = []
        self._awaitingStop: list[Deferred[None]] = []

    def whenConnected(self, failAfterFailures: int | None = None) -> Deferred[Any]:
        """
        Get the connected protocol, now or once connected.

        @param failAfterFailures: How many failed attempts in a row, from
            now, make the Deferred fail (with the last attempt's failure);
            L{None} to wait however many it takes.  C{1} fails on the next
            failed attempt.
        @return: A Deferred that fires with the protocol the factory built
            (not a wrapper), or fails with the attempt's failure (such as
            C{ConnectionRefusedError}) after C{failAfterFailures} failed
            attempts, or with L{CancelledError} if the service stops first
            or has stopped.  Cancelling it stops the waiting, not the
            service.
        """
        connected = self._connected
        if self._state == _CONNECTED and connected is not None:
            return succeed(connected._protocol)
        if self._state == _STOPPED:
            return fail(CancelledError())

        def stopWaiting(d: Deferred[Any]) -> None:
            self._awaitingConnection = [w for w in self._awaitingConnection if w[0] is not d]

        waiter: Deferred[Any] = Deferred(stopWaiting)
        self._awaitingConnection.append((waiter, failAfterFailures))
        return waiter

    def startService(self) -> None:
        """
        Start connecting; does nothing (but log a warning) if running.
        """
        if self.running:
            self._log.warn("{service!r} is already running; ignoring startService()", service=self)
            return
        Service.startService(self)
        state = self._state
        if state in (_INIT, _STOPPED):
            self._failedAttempts = 0
            self._connect()
        elif state == _STOPPING:
            self._state = _RESTARTING

    def stopService(self) -> Deferred[None]:
        """
        Stop connecting: cancel the attempt in progress or the next one, and
        close the connection.

        @return: A Deferred that fires with L{None} once the attempt has
            ended and the connection is closed.  The L{whenConnected}
            Deferreds still waiting then fail with L{CancelledError}.
        """
        Service.stopService(self)
        state = self._state
        if state in (_INIT, _STOPPED):
            self._state = _STOPPED
            self._cancelAwaitingConnection()
            return succeed(None)
        stopped: Deferred[None] = Deferred()
        self._awaitingStop.append(stopped)
        self._state = _STOPPING
        if state in (_STOPPING, _RESTARTING):
            return stopped
        retry, self._retryCall = self._retryCall, None
        if retry is not None:
            retry.cancel()
        attempt = self._attempt
        if attempt is not None and attempt.deferred is not None:
            attempt.deferred.cancel()
        for reporter in list(self._live):
            reporter.close()
        self._finishStopping()
        return stopped

    # -- attempts ---------------------------------------------------------

    def _connect(self) -> None:
        self._state = _CONNECTING
        attempt = self._attempt = _Attempt()
        factory = _ReportingFactory(self._factory, self, attempt)
        try:
            connecting: Deferred[Any] = self._endpoint.connect(factory)
        except Exception:
            connecting = fail()
        attempt.deferred = connecting
        connecting.addCallback(self._prepare, attempt)
        connecting.addCallbacks(
            self._attemptSucceeded,
            self._attemptFailed,
            callbackArgs=(attempt,),
            errbackArgs=(attempt,),
        )
        if self._attempt is attempt and (attempt.lost is not None or self._state != _CONNECTING):
            # Lost, or stopService() was called, while endpoint.connect() was
            # still running, before there was an attempt to cancel.
            connecting.cancel()

    def _prepare(self, result: object, attempt: _Attempt) -> object:
        reporter = attempt.reporter
        if reporter is None:
            raise RuntimeError(
                f"{self._endpoint!r}.connect() fired with {result!r}, which is not a protocol "
                "the factory it was given built; an endpoint must connect a protocol from "
                "factory.buildProtocol()"
            )
        if attempt.lost is not None:
            return attempt.lost
        prepare = self._prepareConnection
        if prepare is None:
            return reporter
        preparing: Deferred[object] = maybeDeferred(prepare, reporter._protocol)
        return preparing.addCallback(lambda ignored: reporter)

    def _attemptSucceeded(self, reporter: _LossReporter, attempt: _Attempt) -> None:
        self._attempt = None
        if self._state != _CONNECTING:
            # Stopping, and the attempt finished anyway.
            reporter.close()
            self._finishStopping()
            return
        self._state = _CONNECTED
        self._connected = reporter
        self._failedAttempts = 0
        waiting, self._awaitingConnection = self._awaitingConnection, []
        for d, _ in waiting:
            d.callback(reporter._protocol)

    def _attemptFailed(self, failure: Failure, attempt: _Attempt) -> None:
        self._attempt = None
        if attempt.lost is not None:
            failure = attempt.lost
        reporter = attempt.reporter
        if reporter is not None and reporter in self._live:
            reporter.close()
        if self._state != _CONNECTING:
            self._finishStopping()
            return
        ready: list[Deferred[Any]] = []
        stillWaiting: list[tuple[Deferred[Any], int | None]] = []
        for d, remaining in self._awaitingConnection:
            if remaining is None:
                stillWaiting.append((d, None))
            elif remaining <= 1:
                ready.append(d)
            else:
                stillWaiting.append((d, remaining - 1))
        self._awaitingConnection = stillWaiting
        self._failedAttempts += 1
        self._waitToRetry("connecting to {endpoint!r} failed ({reason})", failure)
        for d in ready:
            d.errback(failure)

    def _waitToRetry(self, why: str, reason: Failure) -> None:
        self._state = _WAITING
        delay = self._retryPolicy(self._failedAttempts)
        self._log.info(
            why + "; trying again in {delay:.2f} seconds (retry {attempt})",
            endpoint=self._endpoint,
            reason=reason.getErrorMessage() or reason.type.__name__,
            delay=delay,
            attempt=self._failedAttempts,
        )
        self._retryCall = self._getClock().callLater(delay, self._retry)

    def _retry(self) -> None:
        self._retryCall = None
        self._connect()

    def _getClock(self) -> IReactorTime:
        clock = self._clock
        if clock is None:
            try:
                clock = importlib.import_module("torsion.internet.reactor")  # type: ignore[assignment]
            except ModuleNotFoundError as e:
                if e.name != "torsion.internet.reactor":
                    raise
                raise RuntimeError(
                    "ClientService needs a clock to schedule retries, and the global reactor "
                    "(torsion.internet.reactor) is not available; pass clock=yourReactor"
                ) from None
            self._clock = clock
        assert clock is not None
        return clock

    # -- connections ------------------------------------------------------

    def _connectionMade(self, reporter: _LossReporter) -> None:
        self._live.append(reporter)

    def _connectionLost(self, reporter: _LossReporter, reason: Failure) -> None:
        self._live = [r for r in self._live if r is not reporter]
        attempt = self._attempt
        if reporter is self._connected:
            self._connected = None
            if self._state == _CONNECTED:
                self._failedAttempts += 1
                self._waitToRetry("lost the connection to {endpoint!r} ({reason})", reason)
        elif attempt is not None and attempt.reporter is reporter:
            attempt.lost = reason
            if attempt.deferred is not None:
                attempt.deferred.cancel()
        self._finishStopping()

    # -- stopping ---------------------------------------------------------

    def _finishStopping(self) -> None:
        state = self._state
        if state not in (_STOPPING, _RESTARTING) or self._attempt is not None or self._live:
            return
        stopWaiters, self._awaitingStop = self._awaitingStop, []
        if state == _RESTARTING:
            self._failedAttempts = 0
            self._connect()
        else:
            self._state = _STOPPED
            self._cancelAwaitingConnection()
        for d in stopWaiters:
            d.callback(None)

    def _cancelAwaitingConnection(self) -> None:
        waiting, self._awaitingConnection = self._awaitingConnection, []
        for d, _ in waiting:
            d.errback(Failure(CancelledError()))


__all__ = ["ClientService", "backoffPolicy"]
