# The small fakes that MemoryReactor hands out and uses: a listening port
# and a connector that only remember their address and what was done to
# them, a thread pool that queues work on the reactor instead of running
# threads, and the ID returned for a system event trigger.
#
# A trigger ID holds the list the call was appended to and the call tuple
# itself; removing it searches that list by identity, because two triggers
# with equal callables and arguments are still different triggers.
from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zope.interface import implementer

from torsion.internet._address import IPv4Address, IPv6Address
from torsion.internet._itransport import IAddress, IConnector, IListeningPort
from torsion.python.failure import Failure

if TYPE_CHECKING:
    from torsion.internet._deferred import Deferred
    from torsion.internet._testingreactor import MemoryReactor

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
"""
A recorded call: C{(callable, args, kwargs)}.
"""


@implementer(IListeningPort)
class _FakePort:
    """
    The listening port returned by L{MemoryReactor}'s C{listen*} calls.

    @ivar listening: C{False} once L{stopListening} has been called.
    """

    def __init__(self, hostAddress: IAddress) -> None:
        """
        @param hostAddress: What L{getHost} returns.
        """
        self._hostAddress = hostAddress
        self.listening = True

    def startListening(self) -> None:
        """
        Mark the port listening (it already is when returned).
        """
        self.listening = True

    def stopListening(self) -> Deferred[None] | None:
        """
        Mark the port no longer listening.

        @return: L{None}: the port stops at once.
        """
        self.listening = False
        return None

    def getHost(self) -> IAddress:
        """
        @return: The address given when the port was made.
        """
        return self._hostAddress


@implementer(IConnector)
class _FakeConnector:
    """
    The connector returned by L{MemoryReactor}'s C{connect*} calls.

    @ivar stoppedConnecting: Whether L{stopConnecting} was called.
    @ivar connectCount: How many times L{connect} was called (retries).
    """

    def __init__(self, address: IAddress) -> None:
        """
        @param address: What L{getDestination} returns.
        """
        self._address = address
        self._disconnected = False
        self.stoppedConnecting = False
        self.connectCount = 0

    def stopConnecting(self) -> None:
        """
        Record that the attempt was given up.
        """
        self.stoppedConnecting = True

    def disconnect(self) -> None:
        """
        Record that the connection was closed.
        """
        self._disconnected = True

    def connect(self) -> None:
        """
        Record another connection attempt.
        """
        self.connectCount += 1

    def getDestination(self) -> IAddress:
        """
        @return: The address given when the connector was made.
        """
        return self._address


def _ipAddress(kind: str, host: str, port: int, anyHost: str = "0.0.0.0") -> IAddress:
    """
    The address of C{host}: IPv6 for an IPv6 literal, else IPv4 (host names
    included), with C{anyHost} for an empty host.
    """
    if not host:
        host = anyHost
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            pass
        else:
            return IPv6Address("TCP" if kind == "TCP" else "UDP", host, port)
    return IPv4Address("TCP" if kind == "TCP" else "UDP", host, port)


class _TriggerID:
    """
    Identifies one registered call, for removeSystemEventTrigger.
    """

    def __init__(self, calls: list[Call], call: Call) -> None:
        self.calls = calls
        self.call = call

    def remove(self) -> bool:
        for index, registered in enumerate(self.calls):
            if registered is self.call:
                del self.calls[index]
                return True
        return False


class _MemoryThreadPool:
    """
    The thread pool of a L{MemoryReactor}: work is queued on the reactor's
    C{inThreadCalls} and run by its C{runThreadCalls}.

    @ivar min: The smallest number of threads (recorded only).
    @ivar max: The largest number of threads (recorded only).
    @ivar started: Whether L{start} was called and not L{stop}.
    """

    def __init__(self, reactor: MemoryReactor) -> None:
        self._reactor = reactor
        self.min = 5
        self.max = 20
        self.started = False

    def start(self) -> None:
        """
        Mark the pool started.
        """
        self.started = True

    def stop(self) -> None:
        """
        Mark the pool stopped.
        """
        self.started = False

    def adjustPoolsize(self, minthreads: int | None = None, maxthreads: int | None = None) -> None:
        """
        Record new pool sizes.

        @param minthreads: The new minimum, or L{None} to keep it.
        @param maxthreads: The new maximum, or L{None} to keep it.
        """
        if minthreads is not None:
            self.min = minthreads
        if maxthreads is not None:
            self.max = maxthreads

    def callInThread(self, func: Callable[..., object], *args: object, **kw: object) -> None:
        """
        Queue C{func(*args, **kw)} to run at the next C{runThreadCalls}.

        @param func: The callable.
        """
        self._reactor.inThreadCalls.append((func, args, kw))

    def callInThreadWithCallback(
        self,
        onResult: Callable[[bool, Any], object] | None,
        func: Callable[..., object],
        *args: object,
        **kw: object,
    ) -> None:
        """
        Queue C{func(*args, **kw)}; when it runs, C{onResult(True, result)}
        or C{onResult(False, failure)} is called with its outcome.

        @param onResult: Called with the outcome, or L{None}.
        @param func: The callable.
        """

        def job() -> None:
            try:
                result = func(*args, **kw)
            except BaseException:
                if onResult is None:
                    raise
                onResult(False, Failure())
            else:
                if onResult is not None:
                    onResult(True, result)

        self.callInThread(job)


__all__ = ["Call", "_FakeConnector", "_FakePort", "_MemoryThreadPool", "_TriggerID", "_ipAddress"]
