# Connection limits: per peer host, and in total.
#
# How it works
# ------------
# Both count connections from buildProtocol (where a connection can still
# be refused, by returning None) to the wrapper's connectionLost (which
# calls the factory's unregisterProtocol).
#
# LimitConnectionsByPeer is a WrappingFactory that keys its counts by the
# peer's host (`addr.host` for IP addresses; the address itself for other
# kinds, so that all UNIX-socket peers share one count).  It remembers which
# host each wrapper was counted under rather than asking the transport again
# when the connection closes.
#
# LimitTotalConnectionsFactory is, as in Twisted, a ServerFactory whose own
# `protocol` is the application protocol; it wraps each one in a plain
# ProtocolWrapper only to hear when the connection ends.  Past
# `connectionLimit` open connections it builds `overflowProtocol` instead
# (say, one that writes "busy, try later" and closes), or refuses when that
# is None.  Overflow connections count too, as in Twisted: the limit bounds
# the work of the busy replies as well.
from __future__ import annotations

from typing import Any

from torsion.internet._factory import Factory, ServerFactory
from torsion.internet._itransport import IAddress
from torsion.internet._protocol import Protocol
from torsion.protocols._policieswrapper import ProtocolWrapper, WrappingFactory


def _peerKey(addr: IAddress | None) -> object:
    return getattr(addr, "host", addr)


class LimitConnectionsByPeer(WrappingFactory):
    """
    Refuses a connection when its peer host already has
    L{maxConnectionsPerPeer} open.

    @ivar maxConnectionsPerPeer: The most connections from one host.
    @ivar peerConnections: Open connections per peer host.
    """

    maxConnectionsPerPeer = 5

    def __init__(self, wrappedFactory: Factory[Any]) -> None:
        """
        @param wrappedFactory: The factory to wrap.
        """
        super().__init__(wrappedFactory)
        self.peerConnections: dict[object, int] = {}
        self._peerOf: dict[ProtocolWrapper, object] = {}

    def buildProtocol(self, addr: IAddress | None) -> ProtocolWrapper | None:
        """
        Wrap a connection, unless its host is at the limit.

        @param addr: The peer's address.
        @return: The wrapper, or L{None} to refuse.
        """
        key = _peerKey(addr)
        count = self.peerConnections.get(key, 0)
        if count >= self.maxConnectionsPerPeer:
            return None
        p = super().buildProtocol(addr)
        if p is None:
            return None
        self.peerConnections[key] = count + 1
        self._peerOf[p] = key
        return p

    def unregisterProtocol(self, p: ProtocolWrapper) -> None:
        """
        Count a closed connection off its host.

        @param p: The wrapper.
        """
        super().unregisterProtocol(p)
        if p not in self._peerOf:
            return
        key = self._peerOf.pop(p)
        remaining = self.peerConnections.get(key, 1) - 1
        if remaining > 0:
            self.peerConnections[key] = remaining
        else:
            self.peerConnections.pop(key, None)


class LimitTotalConnectionsFactory(ServerFactory[Protocol]):
    """
    A server factory that serves at most L{connectionLimit} connections at
    once.

    Set C{protocol}, as on any factory, and optionally L{overflowProtocol}.

    @ivar connectionLimit: The most open connections, or L{None} for no
        limit.
    @ivar overflowProtocol: What to build past the limit (a protocol that
        says the server is busy, say); L{None} refuses those connections.
    @ivar connectionCount: How many connections are open, overflow ones
        included.
    """

    connectionCount = 0
    connectionLimit: int | None = None
    overflowProtocol: type[Protocol] | None = None

    def buildProtocol(self, addr: IAddress | None) -> ProtocolWrapper | None:
        """
        Build C{protocol}, or L{overflowProtocol} past the limit, wrapped so
        that the connection is counted until it ends.

        @param addr: The peer's address.
        @return: The wrapped protocol, or L{None} to refuse.
        """
        if self.connectionLimit is None or self.connectionCount < self.connectionLimit:
            wrapped = super().buildProtocol(addr)
            if wrapped is None:
                return None
        elif self.overflowProtocol is None:
            return None
        else:
            wrapped = self.overflowProtocol()
        wrapped.factory = self
        self.connectionCount += 1
        return ProtocolWrapper(self, wrapped)

    def registerProtocol(self, p: ProtocolWrapper) -> None:
        """
        Nothing to do: connections are counted when built.

        @param p: The wrapper.
        """

    def unregisterProtocol(self, p: ProtocolWrapper) -> None:
        """
        Count a closed connection off.

        @param p: The wrapper.
        """
        self.connectionCount -= 1


__all__ = ["LimitConnectionsByPeer", "LimitTotalConnectionsFactory"]
