"""
Tests for IReactorFDSet on every backend, with real pipes and sockets.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from zope.interface import implementer

from tests.internet.reactors import backendReactor, runReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.error import ConnectionDone, ConnectionFdescWentAway, ConnectionLost
from torsion.internet.interfaces import (
    IHalfCloseableDescriptor,
    IReadDescriptor,
    IWriteDescriptor,
)
from torsion.logger import LogEvent
from torsion.python.failure import Failure

__all__ = ["backendReactor"]


@implementer(IReadDescriptor, IWriteDescriptor)
class Endpoint:
    """
    A descriptor over one end of a socket pair that records what happens.
    """

    def __init__(self, reactor: PollingReactor, sock: socket.socket) -> None:
        self.reactor = reactor
        self.sock = sock
        sock.setblocking(False)
        self.received = b""
        self.writable = 0
        self.lost: list[Failure] = []
        self.onRead: Any = None
        self.readResult: Any = None

    def fileno(self) -> int:
        return self.sock.fileno()

    def doRead(self) -> object:
        data = self.sock.recv(65536)
        if not data:
            return ConnectionDone()
        self.received += data
        if self.onRead is not None:
            self.onRead(self)
        return self.readResult

    def doWrite(self) -> object:
        self.writable += 1
        self.reactor.removeWriter(self)
        return None

    def connectionLost(self, reason: Failure) -> None:
        self.lost.append(reason)
        self.sock.close()

    def logPrefix(self) -> str:
        return "Endpoint"


@implementer(IHalfCloseableDescriptor)
class HalfCloseable(Endpoint):
    """
    An Endpoint whose read side can close alone.
    """

    readLost: list[Failure]

    def readConnectionLost(self, reason: Failure) -> None:
        self.readLost = [reason]
        self.reactor.stop()

    def writeConnectionLost(self, reason: Failure) -> None:
        pass


def pair(reactor: PollingReactor, cls: type[Endpoint] = Endpoint) -> tuple[Endpoint, socket.socket]:
    ours, theirs = socket.socketpair()
    return cls(reactor, ours), theirs


class ReadWriteTests:
    def test_readAndWrite(self, backendReactor: PollingReactor) -> None:
        """
        A reader gets doRead when data arrives; a writer gets doWrite when
        the socket is writable.
        """
        r = backendReactor
        end, other = pair(r)

        def gotData(e: Endpoint) -> None:
            if e.received == b"hello":
                r.stop()

        end.onRead = gotData
        r.addReader(end)
        r.addWriter(end)
        other.sendall(b"hello")
        runReactor(r)
        assert end.received == b"hello"
        assert end.writable == 1
        r.removeReader(end)
        other.close()
        end.sock.close()

    def test_readersAndWritersLists(self, backendReactor: PollingReactor) -> None:
        """
        getReaders/getWriters list what the user added (not the waker);
        removing one interest keeps the other; removeAll clears both.
        """
        r = backendReactor
        end, other = pair(r)
        assert r.getReaders() == [] and r.getWriters() == []
        r.addReader(end)
        r.addReader(end)
        r.addWriter(end)
        assert r.getReaders() == [end] and r.getWriters() == [end]
        r.removeWriter(end)
        assert r.getReaders() == [end] and r.getWriters() == []
        r.removeWriter(end)  # not watched: no error
        r.addWriter(end)
        assert r.removeAll() == [end]
        assert r.getReaders() == [] and r.getWriters() == []
        other.close()
        end.sock.close()

    def test_closedDescriptorRefused(self, backendReactor: PollingReactor) -> None:
        """
        Adding a descriptor whose fileno() is -1 is refused, saying why.
        """
        end, other = pair(backendReactor)
        end.sock.close()
        other.close()
        with pytest.raises(ValueError, match=r"fileno\(\) is -1, so it is closed"):
            backendReactor.addReader(end)


class DisconnectTests:
    def test_peerClosesIsConnectionDone(self, backendReactor: PollingReactor) -> None:
        """
        When the peer closes, a doRead returning ConnectionDone disconnects
        the descriptor with that reason.
        """
        r = backendReactor
        end, other = pair(r)
        r.addReader(end)
        other.close()
        r.callLater(0, lambda: None)
        original = end.connectionLost

        def lost(reason: Failure) -> None:
            original(reason)
            r.stop()

        end.connectionLost = lost  # type: ignore[method-assign]
        runReactor(r)
        assert [f.type for f in end.lost] == [ConnectionDone]
        assert r.getReaders() == []

    def test_halfCloseOnlyLosesReadSide(self, backendReactor: PollingReactor) -> None:
        """
        For a half-closeable descriptor, the peer closing its side only
        loses our read side: readConnectionLost, and it may still write.
        """
        r = backendReactor
        end, other = pair(r, HalfCloseable)
        assert isinstance(end, HalfCloseable)
        r.addReader(end)
        other.shutdown(socket.SHUT_WR)
        runReactor(r)
        assert [f.type for f in end.readLost] == [ConnectionDone]
        assert end.lost == []
        end.sock.sendall(b"still writing")
        assert other.recv(100) == b"still writing"
        other.close()
        end.sock.close()

    def test_doReadReturnsReason(self, backendReactor: PollingReactor) -> None:
        """
        doRead returning an exception disconnects with it.
        """
        r = backendReactor
        end, other = pair(r)
        end.readResult = ConnectionLost("protocol gave up")
        end.onRead = lambda e: r.callLater(0, r.stop)
        r.addReader(end)
        other.sendall(b"x")
        runReactor(r)
        assert [f.getErrorMessage() for f in end.lost] == [
            "Connection to the other side was lost in a non-clean fashion: protocol gave up."
        ]
        other.close()

    def test_doReadRaises(
        self, backendReactor: PollingReactor, loggedFailures: list[LogEvent]
    ) -> None:
        """
        doRead raising is logged and disconnects with that exception; the
        reactor and other descriptors go on.
        """
        r = backendReactor
        bad, badPeer = pair(r)
        good, goodPeer = pair(r)

        def explode(e: Endpoint) -> None:
            raise RuntimeError("parser exploded")

        bad.onRead = explode
        good.onRead = lambda e: r.crash() if e.received == b"fine" else None
        r.addReader(bad)
        r.addReader(good)
        badPeer.sendall(b"garbage")
        goodPeer.sendall(b"fine")
        runReactor(r)
        assert [f.type for f in bad.lost] == [RuntimeError]
        assert good.received == b"fine" and good.lost == []
        assert loggedFailures[0]["log_failure"].check(RuntimeError)
        r.removeReader(good)
        for s in (badPeer, goodPeer, good.sock):
            s.close()

    def test_filenoGoneBadIsDisconnected(self, backendReactor: PollingReactor) -> None:
        """
        A descriptor whose fileno() changes behind the reactor's back (it was
        closed and the number reused) is disconnected with
        ConnectionFdescWentAway instead of being polled forever.
        """
        r = backendReactor
        end, other = pair(r)
        r.addReader(end)
        realFd = end.sock.fileno()
        spare = end.sock.dup()
        end.sock.close()  # fileno() now -1 ...
        os.dup2(spare.fileno(), realFd)  # ... while the old number is live again
        end.sock = spare  # connectionLost closes this one
        original = end.connectionLost

        def lost(reason: Failure) -> None:
            original(reason)
            r.stop()

        end.connectionLost = lost  # type: ignore[method-assign]
        end.fileno = lambda: -1  # type: ignore[method-assign]
        other.sendall(b"wake up")
        runReactor(r)
        assert [f.type for f in end.lost] == [ConnectionFdescWentAway]
        assert r.getReaders() == []
        os.close(realFd)
        other.close()

    def test_disconnectAllAtShutdown(self, backendReactor: PollingReactor) -> None:
        """
        Stopping the reactor disconnects every descriptor (ConnectionLost).
        """
        r = backendReactor
        end, other = pair(r)
        r.addReader(end)
        r.callWhenRunning(r.stop)
        runReactor(r)
        assert [f.type for f in end.lost] == [ConnectionLost]
        other.close()
