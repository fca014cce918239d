# Datagram (UDP and UNIX datagram) protocols.
#
# A datagram protocol is attached to its port by makeConnection, which also
# counts it in numPorts through doStart; the port detaches it with doStop.
# As with factories, startProtocol and stopProtocol run only on the first
# start and the last stop, so one protocol may serve several ports.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet._ireactor import ILoggingContext
from torsion.logger import Logger
from torsion.python.failure import Failure


class AbstractDatagramProtocol:
    """
    The base of datagram protocols: attached to a port, receives whole
    datagrams.

    Calls: C{makeConnection} (which calls C{doStart} and, the first time,
    C{startProtocol}), C{datagramReceived} any number of times, then
    C{doStop} (the last one calls C{stopProtocol}).

    @ivar transport: The port, while attached; L{None} otherwise.
    @ivar numPorts: How many ports the protocol is attached to.
    @ivar noisy: Whether starting and stopping are logged.
    """

    transport: Any = None
    numPorts: int = 0
    noisy: bool = True

    _log = Logger()

    def __getstate__(self) -> dict[str, Any]:
        """
        Pickle without the transport, which belongs to this process only.

        @return: The instance's attributes, less C{transport}.
        """
        state = self.__dict__.copy()
        state["transport"] = None
        return state

    def doStart(self) -> None:
        """
        A port starts using this protocol: the first one calls
        L{startProtocol}.  Called by ports, not by applications.
        """
        if not self.numPorts:
            if self.noisy:
                self._log.info("Starting protocol {protocol!r}", protocol=self)
            self.startProtocol()
        self.numPorts += 1

    def doStop(self) -> None:
        """
        A port stops using this protocol: the transport is forgotten, and the
        last stop calls L{stopProtocol}.  Called by ports, not by
        applications.

        @raise RuntimeError: If the protocol was not started.
        """
        if self.numPorts <= 0:
            raise RuntimeError(
                f"{self.__class__.__name__}.doStop() called more often than doStart(); "
                "only the port the protocol is attached to should call them"
            )
        self.numPorts -= 1
        self.transport = None
        if not self.numPorts:
            if self.noisy:
                self._log.info("Stopping protocol {protocol!r}", protocol=self)
            self.stopProtocol()

    def startProtocol(self) -> None:
        """
        Called when the protocol is first attached to a port.  Does nothing
        unless overridden.
        """

    def stopProtocol(self) -> None:
        """
        Called when the protocol is detached from its last port.  Does
        nothing unless overridden.
        """

    def makeConnection(self, transport: Any) -> None:
        """
        Attach to a port, then start (see L{doStart}).

        @param transport: The port.
        @raise RuntimeError: If the protocol is already attached to one.
        """
        if self.transport is not None:
            raise RuntimeError(
                f"{self.__class__.__name__} is already attached to {self.transport!r}; "
                "use a separate protocol instance per port"
            )
        self.transport = transport
        self.doStart()

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        """
        Called with each datagram received.

        @param datagram: The whole datagram.
        @param addr: The sender's address, such as C{(host, port)}.
        """


@implementer(ILoggingContext)
class DatagramProtocol(AbstractDatagramProtocol):
    """
    A UDP protocol: override L{datagramReceived}.

    The transport is an L{IUDPTransport}: C{self.transport.write(data,
    (host, port))} sends.
    """

    def logPrefix(self) -> str:
        """
        Name this protocol in log messages.

        @return: The protocol's class name.
        """
        return self.__class__.__name__

    def connectionRefused(self) -> None:
        """
        A datagram sent on a connected transport was refused (an ICMP
        "port unreachable" came back).  Delivery is not guaranteed.
        """


class ConnectedDatagramProtocol(AbstractDatagramProtocol):
    """
    A datagram protocol that talks to one peer (a connected UNIX datagram
    socket).
    """

    def datagramReceived(self, datagram: bytes, addr: Any = None) -> None:
        """
        Called with each datagram from the peer.

        @param datagram: The whole datagram.
        @param addr: Unused: the peer is always the same.
        """

    def connectionFailed(self, failure: Failure) -> None:
        """
        Connecting to the peer failed.

        @param failure: Why.
        """


__all__ = ["AbstractDatagramProtocol", "ConnectedDatagramProtocol", "DatagramProtocol"]
