# Services that run things on the reactor: a server on an endpoint
# (StreamServerEndpointService), a function every few seconds
# (TimerService), a Cooperator (CooperatorService), and the classic services
# that call one reactor method with the arguments they were given
# (TCPServer -> reactor.listenTCP(*args, **kwargs), TCPClient ->
# reactor.connectTCP(...), and so on for UNIX, SSL, UDP, UNIX datagram and
# multicast).  ClientService, which keeps a client connected, is in
# _clientservice.py.
#
# None of them touches the global reactor until it starts: each takes a
# reactor (a `reactor=` keyword for the classic ones, a `clock` attribute
# for TimerService), and only if none is given does it import
# torsion.internet.reactor, when it first needs it.
#
# Where these differ from Twisted's (all cases where Twisted's would raise
# AttributeError or silently do nothing):
#   - stopService on a service that was never started returns a fired
#     Deferred (or None) instead of raising;
#   - a StreamServerEndpointService that was stopped listens again when
#     started again;
#   - CooperatorService keeps `running` up to date.
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, ClassVar

from torsion.application._service import Service
from torsion.internet.defer import CancelledError, Deferred, succeed
from torsion.internet.interfaces import (
    IListeningPort,
    IProtocolFactory,
    IReactorTime,
    IStreamServerEndpoint,
)
from torsion.internet.task import Cooperator, LoopingCall
from torsion.logger import Logger
from torsion.python.failure import Failure


def _globalReactor(needs: str) -> Any:
    """
    The global reactor, for a service that was given none.

    @param needs: What needs it and how to give one instead, for the message.
    @raise RuntimeError: If C{torsion.internet.reactor} cannot be imported.
    """
    try:
        return importlib.import_module("torsion.internet.reactor")
    except ModuleNotFoundError as e:
        if e.name != "torsion.internet.reactor":
            raise
        raise RuntimeError(
            f"{needs}, and the global reactor (torsion.internet.reactor) is not available"
        ) from None


class _ReactorCallService(Service):
    """
    The classic services' shared part: the arguments for one reactor call.

    @cvar method: What follows C{listen}/C{connect} in the reactor method's
        name (C{"TCP"}, C{"UNIX"}, ...).
    @ivar reactor: The reactor to call; L{None} for the global one.
    @ivar args: The positional arguments for the call.
    @ivar kwargs: The keyword arguments for the call.
    """

    method: ClassVar[str] = ""
    reactor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """
        @param args: Passed on to the reactor method.
        @param kwargs: Passed on to the reactor method, except C{reactor}:
            the reactor to use instead of the global one.
        """
        self.args = args
        if "reactor" in kwargs:
            self.reactor = kwargs.pop("reactor")
        self.kwargs = kwargs

    def _call(self, verb: str) -> Any:
        name = f"{verb}{self.method}"
        reactor = self.reactor
        if reactor is None:
            reactor = _globalReactor(
                f"{type(self).__name__} calls reactor.{name}(), so it needs a reactor; "
                f"pass one with {type(self).__name__}(..., reactor=yourReactor)"
            )
        try:
            call = getattr(reactor, name)
        except AttributeError:
            raise TypeError(
                f"{type(self).__name__} calls reactor.{name}(), which {reactor!r} does not "
                f"have; give it a reactor that provides it"
            ) from None
        return call(*self.args, **self.kwargs)


class _ReactorServer(_ReactorCallService):
    """
    A classic server service: calls C{reactor.listen<method>} as early as
    it can (in L{privilegedStartService} when the application runs it),
    and stops listening when stopped.
    """

    _port: Any = None

    def privilegedStartService(self) -> None:
        """
        Start listening now, before the process gives up privileges.
        """
        Service.privilegedStartService(self)
        self._port = self._getPort()

    def startService(self) -> None:
        """
        Start listening, unless L{privilegedStartService} already did.
        """
        Service.startService(self)
        if self._port is None:
            self._port = self._getPort()

    def stopService(self) -> Deferred[Any] | None:
        """
        Stop listening.

        @return: What the port's C{stopListening} returned: a Deferred that
            fires once the port is closed, or L{None}.
        """
        Service.stopService(self)
        port, self._port = self._port, None
        if port is None:
            return None
        result: Deferred[Any] | None = port.stopListening()
        return result

    def _getPort(self) -> Any:
        """
        Call the reactor's listen method with the arguments given.

        @return: The listening port.
        """
        return self._call("listen")


class _ReactorClient(_ReactorCallService):
    """
    A classic client service: calls C{reactor.connect<method>} when started
    and disconnects when stopped (it does not reconnect; see
    C{ClientService} for that).
    """

    _connection: Any = None

    def startService(self) -> None:
        """
        Start connecting.
        """
        Service.startService(self)
        self._connection = self._getConnection()

    def stopService(self) -> Deferred[Any] | None:
        """
        Disconnect (or stop connecting).

        @return: L{None}: the disconnection is not waited for.
        """
        Service.stopService(self)
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.disconnect()
        return None

    def _getConnection(self) -> Any:
        """
        Call the reactor's connect method with the arguments given.

        @return: The connector.
        """
        return self._call("connect")


class TCPServer(_ReactorServer):
    """
    Serve TCP: C{reactor.listenTCP(*args, **kwargs)} when started.

    C{TCPServer(8080, factory, interface="127.0.0.1")} listens on port 8080
    of 127.0.0.1; the arguments are those of
    L{torsion.internet.interfaces.IReactorTCP.listenTCP}.
    """

    method = "TCP"


class TCPClient(_ReactorClient):
    """
    Connect over TCP: C{reactor.connectTCP(*args, **kwargs)} when started.
    """

    method = "TCP"


class UNIXServer(_ReactorServer):
    """
    Serve on a UNIX socket: C{reactor.listenUNIX(*args, **kwargs)} when
    started.
    """

    method = "UNIX"


class UNIXClient(_ReactorClient):
    """
    Connect to a UNIX socket: C{reactor.connectUNIX(*args, **kwargs)} when
    started.
    """

    method = "UNIX"


class SSLServer(_ReactorServer):
    """
    Serve TLS over TCP: C{reactor.listenSSL(*args, **kwargs)} when started.
    """

    method = "SSL"


class SSLClient(_ReactorClient):
    """
    Connect with TLS over TCP: C{reactor.connectSSL(*args, **kwargs)} when
    started.
    """

    method = "SSL"


class UDPServer(_ReactorServer):
    """
    Serve UDP: C{reactor.listenUDP(*args, **kwargs)} when started.
    """

    method = "UDP"


class UNIXDatagramServer(_ReactorServer):
    """
    Serve on a UNIX datagram socket: C{reactor.listenUNIXDatagram(*args,
    **kwargs)} when started.
    """

    method = "UNIXDatagram"


class UNIXDatagramClient(_ReactorClient):
    """
    Connect a UNIX datagram socket: C{reactor.connectUNIXDatagram(*args,
    **kwargs)} when started.
    """

    method = "UNIXDatagram"


class MulticastServer(_ReactorServer):
    """
    Serve UDP multicast: C{reactor.listenMulticast(*args, **kwargs)} when
    started.
    """

    method = "Multicast"


class TimerService(Service):
    """
    Call a function every C{step} seconds while the service runs, the first
    time as soon as it starts.

    It runs a L{torsion.internet.task.LoopingCall}: a run that returns a
    Deferred delays the next one until it fires, and a run that fails is
    logged and ends the calls (the service stays running until stopped).

    @ivar step: Seconds between calls.
    @ivar call: The function and its arguments: C{(callable, args, kwargs)}.
    @ivar clock: What schedules the calls: L{None} (the default) for the
        global reactor; set it (to a L{torsion.internet.task.Clock} in
        tests) before starting the service.
    """

    _log = Logger()
    clock: IReactorTime | None

    def __init__(
        self, step: float, callable: Callable[..., object], *args: Any, **kwargs: Any
    ) -> None:
        """
        @param step: Seconds between calls.
        @param callable: The function to call; it may return a Deferred.
        @param args: Its positional arguments.
        @param kwargs: Its keyword arguments.
        """
        self.step = step
        self.call: tuple[Callable[..., object], tuple[Any, ...], dict[str, Any]] = (
            callable,
            args,
            kwargs,
        )
        self.clock = None
        self._loop: LoopingCall | None = None
        self._loopFinished: Deferred[Any] | None = None

    def startService(self) -> None:
        """
        Mark the service running and make the first call now.
        """
        Service.startService(self)
        function, args, kwargs = self.call
        # A new LoopingCall per start: a stopped one may still be finishing
        # a call that returned a Deferred.
        loop = self._loop = LoopingCall(function, *args, **kwargs)
        clock = self.clock
        loop.clock = (
            clock
            if clock is not None
            else _globalReactor(
                "TimerService needs a clock; set timerService.clock (a reactor, or "
                "torsion.internet.task.Clock in tests) before starting it"
            )
        )
        self._loopFinished = loop.start(self.step, now=True)
        self._loopFinished.addErrback(self._failed)

    def _failed(self, failure: Failure) -> None:
        self._log.failure(
            "{service!r} stopped calling {function!r}: it failed",
            failure,
            service=self,
            function=self.call[0],
        )

    def stopService(self) -> Deferred[None]:
        """
        Stop the calls.

        @return: A Deferred that fires with L{None} once the call in
            progress, if any, has finished; the service is marked stopped
            then.
        """
        loop, finished = self._loop, self._loopFinished
        if loop is None or finished is None:
            Service.stopService(self)
            return succeed(None)
        if loop.running:
            loop.stop()

        def stopped(ignored: object) -> None:
            Service.stopService(self)

        return finished.addCallback(stopped)


class CooperatorService(Service):
    """
    Run a L{torsion.internet.task.Cooperator} while the service runs.

    @ivar coop: The Cooperator; its tasks run only while the service runs.
    """

    def __init__(self) -> None:
        self.coop = Cooperator(started=False)

    def coiterate(self, iterator: Any) -> Deferred[Any]:
        """
        Run C{iterator} as a task of the Cooperator.

        @param iterator: The work to do; it may yield Deferreds to wait on.
        @return: A Deferred that fires with the iterator once it is
            exhausted.
        """
        return self.coop.coiterate(iterator)

    def startService(self) -> None:
        """
        Start the Cooperator.
        """
        Service.startService(self)
        self.coop.start()

    def stopService(self) -> Deferred[Any] | None:
        """
        Stop the Cooperator: its tasks' Deferreds fail with
        L{torsion.internet.task.SchedulerStopped}.

        @return: L{None}.
        """
        Service.stopService(self)
        self.coop.stop()
        return None


class StreamServerEndpointService(Service):
    """
    Listen on a stream server endpoint while the service runs.

    Listening starts in L{privilegedStartService} (before the process gives
    up privileges) or, if that was not called, in L{startService}.  If
    listening fails, the failure is logged; set C{_raiseSynchronously} to
    a true value before starting to have a failure that happens at once
    raised from the start method instead (the C{torsion} command does, so
    that a port that cannot be bound stops it with an error).

    @ivar endpoint: Where to listen.
    @ivar factory: Builds a protocol per connection.
    """

    _log = Logger()
    _raiseSynchronously = False

    def __init__(self, endpoint: IStreamServerEndpoint, factory: IProtocolFactory) -> None:
        """
        @param endpoint: Where to listen.
        @param factory: Builds a protocol per connection.
        """
        self.endpoint = endpoint
        self.factory = factory
        self._waitingForPort: Deferred[Any] | None = None

    def privilegedStartService(self) -> None:
        """
        Start listening on the endpoint.

        @raise BaseException: What listening failed with, if it failed at
            once and C{_raiseSynchronously} is set.
        """
        Service.privilegedStartService(self)
        failedNow: list[Failure] = []

        def listenFailed(failure: Failure) -> None:
            if self._raiseSynchronously:
                failedNow.append(failure)
            elif not failure.check(CancelledError):
                self._log.failure(
                    "{service!r} could not listen on {endpoint!r}",
                    failure,
                    service=self,
                    endpoint=self.endpoint,
                )

        listening: Deferred[Any] = self.endpoint.listen(self.factory)
        self._waitingForPort = listening
        listening.addErrback(listenFailed)
        self._raiseSynchronously = False
        if failedNow:
            failedNow[0].raiseException()

    def startService(self) -> None:
        """
        Start listening, unless L{privilegedStartService} already did.
        """
        Service.startService(self)
        if self._waitingForPort is None:
            self.privilegedStartService()

    def stopService(self) -> Deferred[None]:
        """
        Stop listening, or stop trying to if the endpoint has not finished
        starting to listen (its Deferred is cancelled).

        @return: A Deferred that fires with L{None} once the port has
            stopped listening; the service is marked stopped then.
        """
        listening, self._waitingForPort = self._waitingForPort, None
        if listening is None:
            Service.stopService(self)
            return succeed(None)
        listening.cancel()

        def stopListening(port: IListeningPort | None) -> Deferred[None] | None:
            if port is None:
                return None
            return port.stopListening()

        def stopped(result: Any) -> Any:
            self.running = False
            return result

        return listening.addCallback(stopListening).addBoth(stopped)


__all__ = [
    "CooperatorService",
    "MulticastServer",
    "SSLClient",
    "SSLServer",
    "StreamServerEndpointService",
    "TCPClient",
    "TCPServer",
    "TimerService",
    "UDPServer",
    "UNIXClient",
    "UNIXDatagramClient",
    "UNIXDatagramServer",
    "UNIXServer",
]
