# An inter-process lock in the file system, that survives its holder dying.
#
# The lock is a symbolic link named after the lock whose *target* is the
# holder's pid: creating a symlink is atomic, and a link needs no content
# written after creation, so there is no window where the lock exists but
# says nothing about its owner.  A process that finds the link checks whether
# that pid is still alive (kill(pid, 0)); if not, the lock is stale and is
# broken.  Two processes breaking the same stale lock at once is resolved by
# the rename-free retry: whoever recreates the link first wins.
from __future__ import annotations

import contextlib
import errno
import os


def _readLink(name: str) -> str | None:
    try:
        return os.readlink(name)
    except FileNotFoundError:
        return None


def _pidAlive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


class FilesystemLock:
    """
    A lock shared between processes, held as a symlink at a path.

    @ivar name: The path of the lock.
    @ivar locked: Whether this object holds the lock.
    @ivar clean: After a successful L{lock}, whether the lock was free (as
        opposed to broken because its holder had died).
    """

    def __init__(self, name: str) -> None:
        """
        @param name: The path of the lock; it must not be used for anything else.
        """
        self.name = name
        self.locked = False
        self.clean: bool | None = None

    def lock(self) -> bool:
        """
        Try to take the lock, without waiting.

        @return: Whether the lock is now held by this object.
        @raise OSError: For file-system errors other than the lock being held.
        """
        clean = True
        while True:
            try:
                os.symlink(str(os.getpid()), self.name)
            except FileExistsError:
                holder = _readLink(self.name)
                if holder is None:
                    continue  # released between our two calls: try again
                try:
                    pid = int(holder)
                except ValueError:
                    raise OSError(
                        errno.EINVAL,
                        f"lock file {self.name!r} points to {holder!r}, not a process id; "
                        "remove it if nothing uses it",
                    ) from None
                if _pidAlive(pid):
                    return False
                # Stale: its process is gone.  Break it and try again.
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.name)
                clean = False
                continue
            self.locked = True
            self.clean = clean
            return True

    def unlock(self) -> None:
        """
        Release the lock.

        @raise ValueError: If this process does not hold the lock.
        """
        holder = _readLink(self.name)
        if holder != str(os.getpid()) or not self.locked:
            raise ValueError(f"lock {self.name!r} is not held by this FilesystemLock")
        os.remove(self.name)
        self.locked = False


def isLocked(name: str) -> bool:
    """
    @return: Whether the lock at C{name} is held by a live process.
    """
    probe = FilesystemLock(name)
    if probe.lock():
        probe.unlock()
        return False
    return True


__all__ = ["FilesystemLock", "isLocked"]
