# MemoryReactor: a reactor that records what it is asked to do.
#
# listen*/connect*/adopt* calls are appended, with their arguments, to
# per-kind lists (tcpServers, tcpClients, sslServers, ...), and return fake
# ports and connectors that only remember their address.  No socket is
# opened and no factory is started: a test takes the factory out of the list
# and drives it itself (buildProtocol, then makeConnection with a
# StringTransport).  connect* calls do tell the factory startedConnecting,
# as the real reactor does.
#
# The core is bookkeeping with just enough behaviour to drive startup code:
# run() marks the reactor running, fires the 'startup' triggers and the
# callWhenRunning hooks, then stops, because nothing could ever happen in a
# real loop; stop() fires the 'shutdown' triggers.  Triggers stay in
# `triggers` after they fire so tests can inspect them.  A trigger that
# raises is logged, as a real reactor does, and the event goes on.
#
# Threads are simulated: callFromThread and callInThread only queue their
# calls, and runThreadCalls() runs them in the test's thread, pool work
# first, until both queues are empty.  getThreadPool() returns a fake pool
# that queues in the same place, so deferToThreadPool works without threads.
#
# MemoryReactorClock adds task.Clock, for code that also schedules timers.
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from torsion.internet._address import IPv4Address, UNIXAddress
from torsion.internet._clock import Clock
from torsion.internet._deferred import Deferred, succeed
from torsion.internet._deferredlist import DeferredList
from torsion.internet._errors import ReactorAlreadyRunning
from torsion.internet._iendpoints import IHostnameResolver, IReactorPluggableNameResolver
from torsion.internet._ireactor import (
    IReactorCore,
    IReactorFDSet,
    IReactorThreads,
    IReadDescriptor,
    IWriteDescriptor,
)
from torsion.internet._ireactornet import (
    IReactorSocket,
    IReactorSSL,
    IReactorTCP,
    IReactorUDP,
    IReactorUNIX,
)
from torsion.internet._itransport import IAddress, IConnector, IListeningPort, IProtocolFactory
from torsion.internet._resolver import SynchronousResolver
from torsion.internet._testingfakes import (
    Call,
    _FakeConnector,
    _FakePort,
    _ipAddress,
    _MemoryThreadPool,
    _TriggerID,
)
from torsion.logger import Logger

_PHASES = ("before", "during", "after")

_log = Logger()


@implementer(
    IReactorCore,
    IReactorTCP,
    IReactorSSL,
    IReactorUNIX,
    IReactorUDP,
    IReactorSocket,
    IReactorFDSet,
    IReactorThreads,
    IReactorPluggableNameResolver,
)
class MemoryReactor:
    """
    A fake reactor that records listen, connect and adopt calls, file
    descriptors added, system event triggers and thread calls.

    @ivar hasInstalled: Whether L{install} was called.
    @ivar running: Whether the reactor is running (only during L{run}).
    @ivar hasRun: Whether L{run} was called.
    @ivar hasStopped: Whether L{stop} was called.
    @ivar hasCrashed: Whether L{crash} was called.
    @ivar whenRunningHooks: C{(callable, args, kwargs)} given to
        L{callWhenRunning} before the reactor ran.
    @ivar triggers: C{triggers[phase][eventType]} lists the
        C{(callable, args, kwargs)} given to L{addSystemEventTrigger}.
    @ivar tcpServers: C{(port, factory, backlog, interface)} per listenTCP.
    @ivar tcpClients: C{(host, port, factory, timeout, bindAddress)} per
        connectTCP.
    @ivar sslServers: C{(port, factory, contextFactory, backlog, interface)}
        per listenSSL.
    @ivar sslClients: C{(host, port, factory, contextFactory, timeout,
        bindAddress)} per connectSSL.
    @ivar unixServers: C{(address, factory, backlog, mode, wantPID)} per
        listenUNIX.
    @ivar unixClients: C{(address, factory, timeout, checkPID)} per
        connectUNIX.
    @ivar udpServers: C{(port, protocol, interface, maxPacketSize)} per
        listenUDP.
    @ivar adoptedPorts: C{(fileDescriptor, addressFamily, factory)} per
        adoptStreamPort.
    @ivar adoptedStreamConnections: C{(fileDescriptor, addressFamily,
        factory)} per adoptStreamConnection.
    @ivar adoptedDatagramPorts: C{(fileDescriptor, addressFamily, protocol,
        maxPacketSize)} per adoptDatagramPort.
    @ivar connectors: The connectors returned by the C{connect*} calls.
    @ivar readers: The descriptors added with L{addReader}.
    @ivar writers: The descriptors added with L{addWriter}.
    @ivar fromThreadCalls: C{(callable, args, kwargs)} queued by
        L{callFromThread}, waiting for L{runThreadCalls}.
    @ivar inThreadCalls: C{(callable, args, kwargs)} queued by
        L{callInThread} (and the thread pool), waiting for
        L{runThreadCalls}.
    @ivar nameResolver: The name resolver: a L{SynchronousResolver} (every
        name is C{127.0.0.1}) unless L{installNameResolver} replaced it (the
        attribute of L{IReactorPluggableNameResolver}).
    """

    def __init__(self) -> None:
        self.hasInstalled = False
        self.running = False
        self.hasRun = False
        self.hasStopped = False
        self.hasCrashed = False
        self.whenRunningHooks: list[Call] = []
        self.triggers: dict[str, dict[str, list[Call]]] = {}
        self.tcpServers: list[tuple[int, IProtocolFactory, int, str]] = []
        self.tcpClients: list[tuple[str, int, Any, float, tuple[str, int] | None]] = []
        self.sslServers: list[tuple[int, IProtocolFactory, Any, int, str]] = []
        self.sslClients: list[tuple[str, int, Any, Any, float, tuple[str, int] | None]] = []
        self.unixServers: list[tuple[str, IProtocolFactory, int, int, bool]] = []
        self.unixClients: list[tuple[str, Any, float, bool]] = []
        self.udpServers: list[tuple[int, Any, str, int]] = []
        self.adoptedPorts: list[tuple[int, socket.AddressFamily, IProtocolFactory]] = []
        self.adoptedStreamConnections: list[tuple[int, socket.AddressFamily, IProtocolFactory]] = []
        self.adoptedDatagramPorts: list[tuple[int, socket.AddressFamily, Any, int]] = []
        self.connectors: list[_FakeConnector] = []
        self.readers: set[IReadDescriptor] = set()
        self.writers: set[IWriteDescriptor] = set()
        self.fromThreadCalls: list[Call] = []
        self.inThreadCalls: list[Call] = []
        self._threadPool = _MemoryThreadPool(self)
        self._firing: set[str] = set()
        self.nameResolver: IHostnameResolver = SynchronousResolver()

    def install(self) -> None:
        """
        Record that the reactor was installed (set L{hasInstalled}).
        """
        self.hasInstalled = True

    # IReactorCore

    def resolve(self, name: str, timeout: Any = (1, 3, 11, 45)) -> Deferred[str]:
        """
        Resolve an IPv4 address literal to itself.

        @param name: An IPv4 address such as C{"127.0.0.1"}.
        @param timeout: Ignored.
        @return: A Deferred that has fired with C{name}.
        @raise NotImplementedError: If C{name} is a host name: this reactor
            does no name resolution.
        """
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            raise NotImplementedError(
                f"MemoryReactor cannot resolve host name {name!r}; pass an IPv4 "
                "address literal, or replace resolve() on the reactor in your test"
            ) from None
        return succeed(name)

    def installNameResolver(self, resolver: IHostnameResolver) -> IHostnameResolver:
        """
        Replace L{nameResolver}.

        @param resolver: The new name resolver.
        @return: The one it replaces.
        """
        previous, self.nameResolver = self.nameResolver, resolver
        return previous

    def run(self) -> None:
        """
        Fire the 'startup' event and the L{callWhenRunning} hooks, then
        L{stop}: a memory reactor has no loop to wait in.

        @raise torsion.internet.error.ReactorAlreadyRunning: If it is running.
        """
        if self.running:
            raise ReactorAlreadyRunning("MemoryReactor.run() called while it is already running")
        self.running = True
        self.hasRun = True
        self.fireSystemEvent("startup")
        for f, args, kwargs in list(self.whenRunningHooks):
            f(*args, **kwargs)
        self.stop()

    def stop(self) -> None:
        """
        Set L{hasStopped}; if running, fire the 'shutdown' event and stop.
        """
        self.hasStopped = True
        if self.running:
            self.fireSystemEvent("shutdown")
        self.running = False

    def crash(self) -> None:
        """
        Set L{hasCrashed} and stop running, without the 'shutdown' event.
        """
        self.hasCrashed = True
        self.running = False

    def iterate(self, delay: float = 0) -> None:
        """
        Do nothing: there is no I/O to wait for.

        @param delay: Ignored.
        """

    def fireSystemEvent(self, eventType: str) -> None:
        """
        Run the 'before', 'during' and 'after' triggers of C{eventType}.

        The 'during' phase waits for the Deferreds returned by 'before'
        triggers.  A trigger that raises is logged.  Firing an event while
        it is already being fired does nothing.

        @param eventType: The event, such as C{"startup"} or C{"shutdown"}.
        """
        if eventType in self._firing:
            return
        self._firing.add(eventType)
        waiting = [
            result for result in self._runPhase("before", eventType) if isinstance(result, Deferred)
        ]

        def rest(ignored: object) -> None:
            self._runPhase("during", eventType)
            self._runPhase("after", eventType)
            self._firing.discard(eventType)

        if waiting:
            DeferredList(waiting, consumeErrors=True).addCallback(rest)
        else:
            rest(None)

    def _runPhase(self, phase: str, eventType: str) -> list[object]:
        results: list[object] = []
        for f, args, kwargs in list(self.triggers.get(phase, {}).get(eventType, [])):
            try:
                results.append(f(*args, **kwargs))
            except Exception:
                _log.failure(
                    "Error in {phase!r} {event!r} trigger {trigger!r}",
                    phase=phase,
                    event=eventType,
                    trigger=f,
                )
        return results

    def addSystemEventTrigger(
        self,
        phase: str,
        eventType: str,
        callable: Callable[..., Any],
        *args: object,
        **kwargs: object,
    ) -> Any:
        """
        Record C{callable(*args, **kwargs)} in L{triggers}.

        @param phase: C{"before"}, C{"during"} or C{"after"}.
        @param eventType: The event, such as C{"shutdown"}.
        @param callable: What to call.
        @return: An ID for L{removeSystemEventTrigger}.
        @raise ValueError: If C{phase} is not one of the three.
        """
        if phase not in _PHASES:
            raise ValueError(
                f"addSystemEventTrigger() phase must be 'before', 'during' or "
                f"'after', not {phase!r}"
            )
        call: Call = (callable, args, kwargs)
        calls = self.triggers.setdefault(phase, {}).setdefault(eventType, [])
        calls.append(call)
        return _TriggerID(calls, call)

    def removeSystemEventTrigger(self, triggerID: Any) -> None:
        """
        Remove a trigger (or a pending L{callWhenRunning} hook).

        @param triggerID: What L{addSystemEventTrigger} or
            L{callWhenRunning} returned.
        @raise ValueError: If there is no such trigger.
        """
        if not isinstance(triggerID, _TriggerID) or not triggerID.remove():
            raise ValueError(
                f"{triggerID!r} is not a trigger of this reactor, or was already "
                "removed; pass what addSystemEventTrigger() returned"
            )

    def callWhenRunning(self, callable: Callable[..., Any], *args: object, **kwargs: object) -> Any:
        """
        Call C{callable} now if running, else record it in
        L{whenRunningHooks} for L{run}.

        @param callable: What to call.
        @return: An ID for L{removeSystemEventTrigger} if the call was
            recorded, else L{None}.
        """
        if self.running:
            callable(*args, **kwargs)
            return None
        call: Call = (callable, args, kwargs)
        self.whenRunningHooks.append(call)
        return _TriggerID(self.whenRunningHooks, call)

    # IReactorTCP

    def listenTCP(
        self, port: int, factory: IProtocolFactory, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        """
        Record the call in L{tcpServers}.

        @return: A fake port whose address is C{interface} (C{"0.0.0.0"} if
            empty) and C{port}.
        """
        self.tcpServers.append((port, factory, backlog, interface))
        return _FakePort(_ipAddress("TCP", interface, port))

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> IConnector:
        """
        Record the call in L{tcpClients}, and tell the factory
        C{startedConnecting}.

        @return: A fake connector to C{host} and C{port}, also added to
            L{connectors}.
        """
        self.tcpClients.append((host, port, factory, timeout, bindAddress))
        return self._connect(_ipAddress("TCP", host, port), factory)

    def _connect(self, address: IAddress, factory: Any) -> _FakeConnector:
        connector = _FakeConnector(address)
        startedConnecting = getattr(factory, "startedConnecting", None)
        if startedConnecting is not None:
            startedConnecting(connector)
        self.connectors.append(connector)
        return connector

    # IReactorSSL

    def listenSSL(
        self,
        port: int,
        factory: IProtocolFactory,
        contextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> IListeningPort:
        """
        Record the call in L{sslServers}.

        @return: A fake port, as for L{listenTCP}.
        """
        self.sslServers.append((port, factory, contextFactory, backlog, interface))
        return _FakePort(_ipAddress("TCP", interface, port))

    def connectSSL(
        self,
        host: str,
        port: int,
        factory: Any,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> IConnector:
        """
        Record the call in L{sslClients}, and tell the factory
        C{startedConnecting}.

        @return: A fake connector, as for L{connectTCP}.
        """
        self.sslClients.append((host, port, factory, contextFactory, timeout, bindAddress))
        return self._connect(_ipAddress("TCP", host, port), factory)

    # IReactorUNIX

    def listenUNIX(
        self,
        address: str,
        factory: IProtocolFactory,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: bool = False,
    ) -> IListeningPort:
        """
        Record the call in L{unixServers}.

        @return: A fake port whose address is C{UNIXAddress(address)}.
        """
        self.unixServers.append((address, factory, backlog, mode, wantPID))
        return _FakePort(UNIXAddress(address))

    def connectUNIX(
        self, address: str, factory: Any, timeout: float = 30, checkPID: bool = False
    ) -> IConnector:
        """
        Record the call in L{unixClients}, and tell the factory
        C{startedConnecting}.

        @return: A fake connector to C{UNIXAddress(address)}.
        """
        self.unixClients.append((address, factory, timeout, checkPID))
        return self._connect(UNIXAddress(address), factory)

    # IReactorUDP

    def listenUDP(
        self, port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> IListeningPort:
        """
        Record the call in L{udpServers}.  The protocol is not connected.

        @return: A fake port whose address is a UDP one.
        """
        self.udpServers.append((port, protocol, interface, maxPacketSize))
        return _FakePort(_ipAddress("UDP", interface, port))

    # IReactorSocket

    def adoptStreamPort(
        self, fileDescriptor: int, addressFamily: socket.AddressFamily, factory: IProtocolFactory
    ) -> IListeningPort:
        """
        Record the call in L{adoptedPorts}.

        @return: A fake port (its address is made up: 0.0.0.0:1234).
        """
        self.adoptedPorts.append((fileDescriptor, addressFamily, factory))
        return _FakePort(IPv4Address("TCP", "0.0.0.0", 1234))

    def adoptStreamConnection(
        self, fileDescriptor: int, addressFamily: socket.AddressFamily, factory: IProtocolFactory
    ) -> None:
        """
        Record the call in L{adoptedStreamConnections}.
        """
        self.adoptedStreamConnections.append((fileDescriptor, addressFamily, factory))

    def adoptDatagramPort(
        self,
        fileDescriptor: int,
        addressFamily: socket.AddressFamily,
        protocol: Any,
        maxPacketSize: int = 8192,
    ) -> IListeningPort:
        """
        Record the call in L{adoptedDatagramPorts}.

        @return: A fake port (its address is made up: 0.0.0.0:1234).
        """
        self.adoptedDatagramPorts.append((fileDescriptor, addressFamily, protocol, maxPacketSize))
        return _FakePort(IPv4Address("UDP", "0.0.0.0", 1234))

    # IReactorFDSet

    def addReader(self, reader: IReadDescriptor) -> None:
        """
        Add C{reader} to L{readers}.
        """
        self.readers.add(reader)

    def removeReader(self, reader: IReadDescriptor) -> None:
        """
        Remove C{reader} from L{readers}, if there.
        """
        self.readers.discard(reader)

    def addWriter(self, writer: IWriteDescriptor) -> None:
        """
        Add C{writer} to L{writers}.
        """
        self.writers.add(writer)

    def removeWriter(self, writer: IWriteDescriptor) -> None:
        """
        Remove C{writer} from L{writers}, if there.
        """
        self.writers.discard(writer)

    def removeAll(self) -> list[IReadDescriptor | IWriteDescriptor]:
        """
        Empty L{readers} and L{writers}.

        @return: Every descriptor removed, each once.
        """
        removed: list[IReadDescriptor | IWriteDescriptor] = list(self.readers)
        seen: set[object] = set(self.readers)
        removed.extend(w for w in self.writers if w not in seen)
        self.readers.clear()
        self.writers.clear()
        return removed

    def getReaders(self) -> list[IReadDescriptor]:
        """
        @return: The descriptors in L{readers}.
        """
        return list(self.readers)

    def getWriters(self) -> list[IWriteDescriptor]:
        """
        @return: The descriptors in L{writers}.
        """
        return list(self.writers)

    # IReactorThreads

    def callFromThread(self, callable: Callable[..., Any], *args: object, **kwargs: object) -> None:
        """
        Queue C{callable(*args, **kwargs)} in L{fromThreadCalls}, to run at
        the next L{runThreadCalls}.
        """
        self.fromThreadCalls.append((callable, args, kwargs))

    def callInThread(self, callable: Callable[..., Any], *args: object, **kwargs: object) -> None:
        """
        Queue C{callable(*args, **kwargs)} in L{inThreadCalls}, to run at
        the next L{runThreadCalls}.
        """
        self.inThreadCalls.append((callable, args, kwargs))

    def getThreadPool(self) -> Any:
        """
        @return: A fake thread pool whose C{callInThread} and
            C{callInThreadWithCallback} queue in L{inThreadCalls}.
        """
        return self._threadPool

    def suggestThreadPoolSize(self, size: int) -> None:
        """
        Record C{size} as the thread pool's maximum.
        """
        self._threadPool.adjustPoolsize(maxthreads=size)

    def runThreadCalls(self) -> int:
        """
        Run the queued thread calls in this thread, in order: the pool's
        (L{inThreadCalls}) first, then the reactor thread's
        (L{fromThreadCalls}), until both queues are empty.

        An exception propagates at once; calls not yet run stay queued.

        @return: How many calls ran.
        """
        ran = 0
        while self.inThreadCalls or self.fromThreadCalls:
            queue = self.inThreadCalls or self.fromThreadCalls
            f, args, kwargs = queue.pop(0)
            ran += 1
            f(*args, **kwargs)
        return ran


class MemoryReactorClock(MemoryReactor, Clock):
    """
    A L{MemoryReactor} that is also a L{Clock}: timed calls run when the
    test calls C{advance}.
    """

    def __init__(self) -> None:
        MemoryReactor.__init__(self)
        Clock.__init__(self)


__all__ = ["MemoryReactor", "MemoryReactorClock"]
