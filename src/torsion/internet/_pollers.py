# Readiness pollers: the only thing that differs between reactor backends.
#
# Each poller keeps a set of (fd, mask) registrations and answers "which of
# them are ready" as a list of (fd, events).  Masks and events use the
# select.POLL* bit values (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL); on
# Linux the EPOLL* values are the same bits, so epoll needs no translation.
# The select() poller reports a descriptor that has gone bad (closed behind
# the reactor's back) as POLLNVAL, as poll() does, so that the reactor can
# disconnect it instead of failing every iteration.
from __future__ import annotations

import math
import select

READ = select.POLLIN
WRITE = select.POLLOUT
ERROR = select.POLLERR | select.POLLHUP | select.POLLNVAL


class EPollPoller:
    """
    Readiness through Linux's epoll.
    """

    name = "epoll"

    def __init__(self) -> None:
        self._epoll = select.epoll()

    def register(self, fd: int, mask: int) -> None:
        self._epoll.register(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        self._epoll.modify(fd, mask)

    def unregister(self, fd: int) -> None:
        try:
            self._epoll.unregister(fd)
        except (OSError, ValueError):
            pass  # Already closed: the kernel dropped it from the set.

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        return self._epoll.poll(-1 if timeout is None else timeout)

    def close(self) -> None:
        self._epoll.close()


class PollPoller:
    """
    Readiness through poll(2).
    """

    name = "poll"

    def __init__(self) -> None:
        self._poll = select.poll()

    def register(self, fd: int, mask: int) -> None:
        self._poll.register(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        self._poll.modify(fd, mask)

    def unregister(self, fd: int) -> None:
        try:
            self._poll.unregister(fd)
        except KeyError:
            pass

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        return self._poll.poll(None if timeout is None else math.ceil(timeout * 1000))

    def close(self) -> None:
        pass


class SelectPoller:
    """
    Readiness through select(2): portable, limited to FD_SETSIZE descriptors.
    """

    name = "select"

    def __init__(self) -> None:
        self._masks: dict[int, int] = {}

    def register(self, fd: int, mask: int) -> None:
        self._masks[fd] = mask

    modify = register

    def unregister(self, fd: int) -> None:
        self._masks.pop(fd, None)

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        reads = [fd for fd, mask in self._masks.items() if mask & READ]
        writes = [fd for fd, mask in self._masks.items() if mask & WRITE]
        try:
            readable, writable, _ = select.select(reads, writes, [], timeout)
        except (OSError, ValueError):
            return self._badDescriptors()
        events: dict[int, int] = {}
        for fd in readable:
            events[fd] = READ
        for fd in writable:
            events[fd] = events.get(fd, 0) | WRITE
        return list(events.items())

    def _badDescriptors(self) -> list[tuple[int, int]]:
        # select() failed as a whole: find the descriptors it chokes on.
        bad = []
        for fd in list(self._masks):
            try:
                select.select([fd], [], [], 0)
            except (OSError, ValueError):
                bad.append((fd, select.POLLNVAL))
        return bad

    def close(self) -> None:
        pass


Poller = EPollPoller | PollPoller | SelectPoller

__all__ = ["ERROR", "READ", "WRITE", "EPollPoller", "PollPoller", "Poller", "SelectPoller"]
