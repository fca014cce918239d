# A reactor over a readiness poller: IReactorFDSet on top of ReactorBase.
#
# How it works
# ------------
# `_fds` maps each registered descriptor number to its selectable;
# `_readers`/`_writers` map selectables to the number they were registered
# under (a selectable's fileno() may already be -1 when it is removed, so the
# number is remembered).  The poller gets one registration per number with the
# union of the READ/WRITE interest.
#
# Dispatch of one (fd, events) pair:
# - the selectable's fileno() no longer matches (closed or replaced behind
#   the reactor's back): disconnect it with ConnectionFdescWentAway, so a dead
#   descriptor is dropped instead of being reported ready forever;
# - hang-up (or an invalid descriptor) without readable data: disconnect
#   with ConnectionDone (if it was reading; a half-closeable descriptor only
#   loses its read side) or ConnectionLost;
# - an error flag alone: doRead/doWrite, whose recv/send reports the error;
# - otherwise doRead() and/or doWrite(); a true return value (an exception or
#   Failure) or an exception raised disconnects it with that reason.
from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from torsion.internet._errors import ConnectionDone, ConnectionFdescWentAway, ConnectionLost
from torsion.internet._ireactor import (
    IHalfCloseableDescriptor,
    IReactorFDSet,
    IReadDescriptor,
    IWriteDescriptor,
)
from torsion.internet._pollers import READ, WRITE, Poller
from torsion.internet._posixnet import PosixNetworkMixin
from torsion.internet._reactorbase import ReactorBase, _log
from torsion.python.failure import Failure

Selectable = Any  # IReadDescriptor and/or IWriteDescriptor provider

POLLERR = select.POLLERR
_GONE = select.POLLHUP | select.POLLNVAL


@implementer(IReactorFDSet)
class PollingReactor(PosixNetworkMixin, ReactorBase):
    """
    A reactor whose I/O readiness comes from a L{Poller}.
    """

    def __init__(self, poller: Poller) -> None:
        self._poller = poller
        self._fds: dict[int, Selectable] = {}
        self._masks: dict[int, int] = {}
        self._readers: dict[Selectable, int] = {}
        self._writers: dict[Selectable, int] = {}
        self._internal: set[Selectable] = set()
        # _callSoon's calls, and whether doIteration is dispatching events.
        self._soon: list[Callable[[], object]] = []
        self._dispatching = False
        super().__init__()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ({self._poller.name}) at 0x{id(self):x}>"

    # -- registration ---------------------------------------------------------

    def _addInternalReader(self, reader: Selectable) -> None:
        self._internal.add(reader)
        self.addReader(reader)

    def _releaseWaker(self) -> None:
        self.removeReader(self.waker)
        self._internal.discard(self.waker)
        super()._releaseWaker()
        if not self._fds:
            self._poller.close()

    def _watch(self, selectable: Selectable, table: dict[Selectable, int], flag: int) -> None:
        if selectable in table:
            return
        fd = selectable.fileno()
        if fd < 0:
            raise ValueError(f"cannot watch {selectable!r}: its fileno() is {fd}, so it is closed")
        previous = self._fds.get(fd)
        if previous is not None and previous is not selectable:
            # That number was reused: the old owner closed it without
            # telling us.  Forget the old owner.
            self._readers.pop(previous, None)
            self._writers.pop(previous, None)
            self._poller.unregister(fd)
            self._masks.pop(fd, None)
        mask = self._masks.get(fd, 0)
        if mask:
            self._poller.modify(fd, mask | flag)
        else:
            self._poller.register(fd, flag)
        self._masks[fd] = mask | flag
        self._fds[fd] = selectable
        table[selectable] = fd

    def _unwatch(self, selectable: Selectable, table: dict[Selectable, int], flag: int) -> None:
        fd = table.pop(selectable, None)
        if fd is None:
            return
        mask = self._masks.get(fd, 0) & ~flag
        if mask:
            self._masks[fd] = mask
            try:
                self._poller.modify(fd, mask)
            except (OSError, ValueError):
                pass
        else:
            self._masks.pop(fd, None)
            self._fds.pop(fd, None)
            self._poller.unregister(fd)

    def addReader(self, reader: IReadDescriptor) -> None:
        """
        Call C{reader.doRead()} whenever its descriptor is readable.
        """
        self._watch(reader, self._readers, READ)

    def addWriter(self, writer: IWriteDescriptor) -> None:
        """
        Call C{writer.doWrite()} whenever its descriptor is writable.
        """
        self._watch(writer, self._writers, WRITE)

    def removeReader(self, reader: IReadDescriptor) -> None:
        """
        Stop watching C{reader} for reading.
        """
        self._unwatch(reader, self._readers, READ)

    def removeWriter(self, writer: IWriteDescriptor) -> None:
        """
        Stop watching C{writer} for writing.
        """
        self._unwatch(writer, self._writers, WRITE)

    def removeAll(self) -> list[IReadDescriptor | IWriteDescriptor]:
        """
        Stop watching every descriptor except the reactor's own.

        @return: What was removed.
        """
        removed: list[Any] = []
        for selectable in list(self._readers) + list(self._writers):
            if selectable in self._internal or selectable in removed:
                continue
            removed.append(selectable)
            self.removeReader(selectable)
            self.removeWriter(selectable)
        return removed

    def getReaders(self) -> list[IReadDescriptor]:
        """
        @return: The descriptors watched for reading (not the reactor's own).
        """
        return [r for r in self._readers if r not in self._internal]

    def getWriters(self) -> list[IWriteDescriptor]:
        """
        @return: The descriptors watched for writing.
        """
        return [w for w in self._writers if w not in self._internal]

    def disconnectAll(self) -> None:
        """
        Remove every descriptor and tell each its connection was lost.
        """
        for selectable in self.removeAll():
            try:
                selectable.connectionLost(Failure(ConnectionLost("the reactor is shutting down")))
            except BaseException:
                _log.failure("Error disconnecting {selectable!r}:", selectable=selectable)

    # -- dispatch --------------------------------------------------------------

    def doIteration(self, timeout: float | None) -> None:
        """
        Wait for readiness (at most C{timeout} seconds) and dispatch it.
        """
        events = self._poller.poll(timeout)
        fds = self._fds
        readers = self._readers
        soon = self._soon
        self._dispatching = True
        try:
            for fd, flags in events:
                selectable = fds.get(fd)
                if selectable is None:
                    continue
                if flags == READ and selectable in readers and selectable.fileno() == fd:
                    # Speed over clarity: the common case of _dispatch, inlined.
                    try:
                        why = selectable.doRead()
                    except Exception as e:
                        why = e
                        _log.failure(
                            "Error while handling I/O for {selectable!r}:", selectable=selectable
                        )
                    if why:
                        self._disconnectSelectable(selectable, why, True)
                else:
                    self._dispatch(selectable, fd, flags)
                if soon:
                    self._runSoon()
        finally:
            self._dispatching = False

    def _dispatch(self, selectable: Selectable, fd: int, flags: int) -> None:
        why: Any = None
        isRead = False
        try:
            if selectable.fileno() != fd:
                why = ConnectionFdescWentAway(f"{selectable!r} no longer has descriptor {fd}")
                isRead = selectable in self._readers
            elif flags & _GONE and not flags & READ:
                if selectable in self._readers:
                    isRead = True
                    why = ConnectionDone()
                else:
                    why = ConnectionLost()
            else:
                # POLLERR alone is a pending socket error (an ICMP error on
                # a datagram socket, a failed connect): the next recv/send
                # or SO_ERROR reports it, so let doRead/doWrite see it.
                if flags & (READ | POLLERR) and selectable in self._readers:
                    isRead = True
                    why = selectable.doRead()
                if not why and flags & (WRITE | POLLERR) and selectable in self._writers:
                    isRead = False
                    why = selectable.doWrite()
        except Exception as e:
            why = e
            _log.failure("Error while handling I/O for {selectable!r}:", selectable=selectable)
        if why:
            self._disconnectSelectable(selectable, why, isRead)

    def _callSoon(self, callable: Callable[[], object]) -> None:
        # For transports, in the reactor thread: call once the event being
        # dispatched is handled (not inside the caller's own call), or, when
        # called outside a dispatch (a timer, a call from a thread), on the
        # loop's next turn, before it waits for I/O.  A connection closed
        # this way sends its FIN right after its last bytes, so the server
        # and not its client keeps the TIME_WAIT state.
        soon = self._soon
        if not soon and not self._dispatching:
            self._threadCalls.append((self._runSoon, (), {}))
        soon.append(callable)

    def _runSoon(self) -> None:
        soon = self._soon
        while soon:
            calls = soon[:]
            soon.clear()
            for call in calls:
                try:
                    call()
                except Exception:
                    _log.failure("Error in a call made soon, {call!r}:", call=call)

    def _disconnectSelectable(self, selectable: Selectable, why: Any, isRead: bool) -> None:
        if isinstance(why, type):
            why = why()
        reason = why if isinstance(why, Failure) else Failure(why)
        self.removeReader(selectable)
        if (
            isRead
            and reason.check(ConnectionDone)
            and IHalfCloseableDescriptor.providedBy(selectable)
        ):
            selectable.readConnectionLost(reason)
            return
        self.removeWriter(selectable)
        try:
            selectable.connectionLost(reason)
        except BaseException:
            _log.failure("Error in connectionLost of {selectable!r}:", selectable=selectable)


__all__ = ["PollingReactor"]
