# The waker: a descriptor that other threads (and signal handlers) make
# readable to wake a reactor blocked in its readiness poll.
#
# On Linux it is an eventfd: one descriptor, writes of 8 bytes that add to a
# counter, one read drains it.  Elsewhere it is a non-blocking pipe.  Writes
# never block: a full pipe or an overflowing counter already means "wake up".
# The reactor registers it as a reader; doRead() drains it.
from __future__ import annotations

import os
from typing import Any

from zope.interface import implementer

from torsion.internet._ireactor import IReadDescriptor

_EIGHT_BYTES_ONE = (1).to_bytes(8, "little")


@implementer(IReadDescriptor)
class Waker:
    """
    Wake the reactor from another thread: call L{wakeUp}.
    """

    def __init__(self) -> None:
        self._eventfd = hasattr(os, "eventfd")
        if self._eventfd:
            fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            self._readFd = self._writeFd = fd
        else:
            self._readFd, self._writeFd = os.pipe()
            for fd in (self._readFd, self._writeFd):
                os.set_blocking(fd, False)
                os.set_inheritable(fd, False)

    def fileno(self) -> int:
        """
        @return: The descriptor to watch for reading.
        """
        return self._readFd

    @property
    def writeFileno(self) -> int:
        """
        The descriptor written to wake the reactor (also given to
        C{signal.set_wakeup_fd}).
        """
        return self._writeFd

    def wakeUp(self) -> None:
        """
        Make the descriptor readable.  Thread-safe and non-blocking.
        """
        fd = self._writeFd
        if fd < 0:
            return
        try:
            if self._eventfd:
                os.eventfd_write(fd, 1)
            else:
                os.write(fd, b"x")
        except (BlockingIOError, OSError):
            pass  # Full, or closed at shutdown: either way nothing to do.

    def doRead(self) -> None:
        """
        Drain the descriptor.
        """
        try:
            if self._eventfd:
                os.eventfd_read(self._readFd)
            else:
                while os.read(self._readFd, 4096):
                    pass
        except (BlockingIOError, OSError):
            pass

    def connectionLost(self, reason: Any) -> None:
        """
        Close the descriptors.
        """
        self.close()

    def close(self) -> None:
        """
        Close the descriptors (idempotent).
        """
        # Forget the numbers first, so that a thread calling wakeUp() meanwhile
        # cannot write to a descriptor number reused by someone else.
        fds = {self._readFd, self._writeFd}
        self._readFd = self._writeFd = -1
        for fd in fds:
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass

    def logPrefix(self) -> str:
        """
        @return: C{"-"}: the waker logs as the reactor itself.
        """
        return "-"


__all__ = ["Waker"]
