# The sockets systemd passes to a socket-activated service, as the
# sd_listen_fds(3) protocol describes them.
#
# How it works
# ------------
# systemd opens the listening sockets, starts the service with them as
# descriptors 3, 4, ... (SD_LISTEN_FDS_START) and sets three variables:
#   LISTEN_PID      the process the sockets are meant for: a child that
#                   inherited the environment must not take them;
#   LISTEN_FDS      how many descriptors there are;
#   LISTEN_FDNAMES  their names (FileDescriptorName= in the .socket unit),
#                   colon-separated; "unknown" where none was given.
# ListenFDs reads them once, from an environment and a first descriptor
# that tests can give instead of os.environ and 3, and keeps why there are
# no descriptors (`reason`) so that a parse error can say it.
from __future__ import annotations

import os
from collections.abc import Callable, Mapping

SD_LISTEN_FDS_START = 3


class ListenFDs:
    """
    The descriptors systemd passed to this process.

    @ivar reason: Why there are none (empty if there are some).
    """

    def __init__(self, descriptors: list[int], names: list[str], reason: str = "") -> None:
        """
        @param descriptors: The descriptor numbers, in order.
        @param names: Their names, one per descriptor.
        @param reason: Why there are none, if there are none.
        """
        self._descriptors = descriptors
        self._names = names
        self.reason = reason

    @classmethod
    def fromEnvironment(
        cls,
        environ: Mapping[str, str] | None = None,
        start: int | None = None,
        getpid: Callable[[], int] = os.getpid,
    ) -> ListenFDs:
        """
        Read what systemd passed from the environment.

        @param environ: The environment; L{None} for C{os.environ}.
        @param start: The first descriptor; L{None} for 3.
        @param getpid: Returns this process's id (for tests).
        @return: The descriptors, none if they were not meant for this
            process or the variables are missing or malformed.
        """
        if environ is None:
            environ = os.environ
        if start is None:
            start = SD_LISTEN_FDS_START
        pid, count = environ.get("LISTEN_PID"), environ.get("LISTEN_FDS")
        if pid is None or count is None:
            return cls(
                [],
                [],
                "LISTEN_PID and LISTEN_FDS are not set: systemd did not start this "
                "process with sockets (see systemd.socket(5))",
            )
        try:
            meant = int(pid)
            number = int(count)
        except ValueError:
            return cls(
                [], [], f"LISTEN_PID ({pid!r}) and LISTEN_FDS ({count!r}) must be whole numbers"
            )
        if meant != getpid():
            return cls(
                [],
                [],
                f"LISTEN_PID is {meant}, not this process ({getpid()}): the "
                "sockets were passed to another process",
            )
        if number <= 0:
            return cls([], [], f"LISTEN_FDS is {number}: systemd passed no socket")
        names = environ.get("LISTEN_FDNAMES", "").split(":") if "LISTEN_FDNAMES" in environ else []
        if len(names) != number:
            names = ["unknown"] * number
        return cls(list(range(start, start + number)), names)

    def inheritedDescriptors(self) -> list[int]:
        """
        @return: The descriptor numbers, in order.
        """
        return list(self._descriptors)

    def inheritedNamedDescriptors(self) -> dict[str, int]:
        """
        @return: Each name and its descriptor (for a name given twice, the
            first).
        """
        named: dict[str, int] = {}
        for name, descriptor in zip(self._names, self._descriptors, strict=True):
            named.setdefault(name, descriptor)
        return named

    def names(self) -> list[str]:
        """
        @return: The names, one per descriptor, in order.
        """
        return list(self._names)


__all__ = ["SD_LISTEN_FDS_START", "ListenFDs"]
