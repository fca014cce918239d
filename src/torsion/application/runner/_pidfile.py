# Pid files: a text file holding the decimal process id of the running
# server and a newline, as twistd writes them (so `kill $(cat twistd.pid)`
# works, and tools that read twistd's pid files read ours).
#
# Taking the file
# ---------------
# PIDFile.__enter__ writes "PID\n" to a temporary file next to the pid file
# and then os.link()s it to the pid file's name.  link() fails with EEXIST
# when the name exists, so of two processes starting at once only one can
# create the file, and the file never exists half-written.  (Where the file
# system has no hard links, O_CREAT|O_EXCL is used instead, and a reader may
# see the file empty for a moment; an empty file counts as invalid below.)
#
# When the name exists, its pid decides:
#   * a live process other than this one (kill(pid, 0) succeeds, or fails
#     with EPERM: alive, but someone else's): AlreadyRunningError;
#   * no such process, or this very process (a container restarted under the
#     same pid as the run that left the file): stale, removed, try again;
#   * not a pid at all (or empty): InvalidPIDFileError.  A file we do not
#     understand is never removed: it may not be a pid file.
# Removing a stale file is a check then a remove, not one atomic step: two
# processes that find the same stale file at the same instant may both go
# on to start.  (Twisted's pid files have the same window.)  With no stale
# file, creation is atomic, as above.
#
# __exit__ removes the file only while it still names this process, so a
# server never deletes the pid file of another one that replaced it.
from __future__ import annotations

import contextlib
import errno
import os
from types import TracebackType

from zope.interface import Interface, implementer


class PIDFileError(Exception):
    """
    A pid file could not be taken.

    @ivar path: The pid file's path.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class AlreadyRunningError(PIDFileError):
    """
    The pid file names a process that is running.

    @ivar pid: That process's id.
    """

    def __init__(self, path: str, pid: int) -> None:
        super().__init__(path)
        self.pid = pid

    def __str__(self) -> str:
        return (
            f"the pid file {self.path!r} names process {self.pid}, which is running: "
            f"another instance seems to be running already; stop it first, or use another "
            f"pid file (if process {self.pid} is not an instance of this server, remove "
            f"{self.path!r})"
        )


class InvalidPIDFileError(PIDFileError):
    """
    The pid file does not hold a process id.

    @ivar content: What it holds (at most 80 characters of it).
    """

    def __init__(self, path: str, content: str) -> None:
        super().__init__(path)
        self.content = content

    def __str__(self) -> str:
        return (
            f"the pid file {self.path!r} holds {self.content!r}, not a process id; remove "
            f"it if it is a leftover pid file, or choose another pid file path"
        )


class PIDFileWriteError(PIDFileError):
    """
    The pid file could not be written.

    @ivar reason: The error writing it.
    """

    def __init__(self, path: str, reason: OSError) -> None:
        super().__init__(path)
        self.reason = reason

    def __str__(self) -> str:
        why = self.reason.strerror or str(self.reason)
        return (
            f"cannot write the pid file {self.path!r}: {why}; choose a path in a directory "
            f"that exists and that you can write to"
        )


class IPIDFile(Interface):
    """
    A pid file: taken while a server runs, so that a second one refuses to
    start.

    Providers are also context managers: C{with pidFile:} takes the file
    (L{writeRunningPID}) and gives it up (L{remove}) around the run.
    """

    def read() -> int | None:
        """
        @return: The process id the file holds, or L{None} if there is no
            file.
        @raise InvalidPIDFileError: If it holds something else.
        """

    def runningPID() -> int | None:
        """
        @return: The id of the live process, other than this one, that the
            file names; L{None} if there is none (no file, or a stale one).
        @raise InvalidPIDFileError: If the file holds no process id.
        """

    def isRunning() -> bool:
        """
        @return: Whether the file names a live process other than this one.
        @raise InvalidPIDFileError: If the file holds no process id.
        """

    def writeRunningPID() -> None:
        """
        Take the file for this process, removing a stale one first.

        @raise AlreadyRunningError: If a live process holds it.
        @raise InvalidPIDFileError: If it holds no process id.
        @raise PIDFileWriteError: If it cannot be written.
        """

    def remove() -> None:
        """
        Remove the file if it names this process.
        """


def _processAlive(pid: int) -> bool:
    """Whether a process with id C{pid} exists (kill(pid, 0), as ps would tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but another user's
    return True


# How many times a stale file is removed before giving up: another process
# racing us can recreate it, and then it is that process's file.
_ATTEMPTS = 5


@implementer(IPIDFile)
class PIDFile:
    """
    A pid file at a path: a text file holding a process id and a newline.

    @ivar path: The file's path.
    """

    def __init__(self, path: str) -> None:
        """
        @param path: Where the file goes; relative paths are made absolute
            now, so that changing directory later does not move it.
        """
        self.path = os.path.abspath(path)

    def __repr__(self) -> str:
        return f"PIDFile({self.path!r})"

    def read(self) -> int | None:
        """
        Read the process id the file holds.

        @return: The process id, or L{None} if there is no file.
        @raise InvalidPIDFileError: If it holds anything else (nothing, say).
        """
        try:
            with open(self.path, "rb") as f:
                raw = f.read(100)
        except FileNotFoundError:
            return None
        text = raw.decode("ascii", "replace").strip()
        if not text.isdigit() or int(text) <= 0:
            raise InvalidPIDFileError(self.path, text[:80])
        return int(text)

    def runningPID(self) -> int | None:
        """
        The live process, other than this one, that holds the file.

        @return: Its id, or L{None} if there is no file or it is stale.
        @raise InvalidPIDFileError: If the file holds no process id.
        """
        pid = self.read()
        if pid is None or pid == os.getpid() or not _processAlive(pid):
            return None
        return pid

    def isRunning(self) -> bool:
        """
        Whether the file names a live process other than this one.

        @return: C{True} if it does.
        @raise InvalidPIDFileError: If the file holds no process id.
        """
        return self.runningPID() is not None

    def writeRunningPID(self) -> None:
        """
        Take the file for this process, removing a stale one first.

        @raise AlreadyRunningError: If a live process holds it.
        @raise InvalidPIDFileError: If it holds no process id.
        @raise PIDFileWriteError: If it cannot be written (a missing
            directory, say).
        """
        for _ in range(_ATTEMPTS):
            try:
                created = self._create()
            except OSError as e:
                raise PIDFileWriteError(self.path, e) from e
            if created:
                return
            pid = self.read()
            if pid is None:
                continue  # removed meanwhile: try again
            if pid != os.getpid() and _processAlive(pid):
                raise AlreadyRunningError(self.path, pid)
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)
        raise PIDFileWriteError(
            self.path,
            OSError(errno.EAGAIN, "other processes kept recreating it while it was removed"),
        )

    def _create(self) -> bool:
        """
        Create the file holding this process's id, if it does not exist.

        @return: Whether it was created.
        """
        content = f"{os.getpid()}\n".encode("ascii")
        directory, name = os.path.split(self.path)
        temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as f:
            f.write(content)
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            return False
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV):
                raise
            return self._createExclusively(content)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
        return True

    def _createExclusively(self, content: bytes) -> bool:
        """
        Create the file with C{O_EXCL}, for file systems without hard links.
        """
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        return True

    def remove(self) -> None:
        """
        Remove the file if it names this process (a file another process
        took over is left alone).
        """
        try:
            pid = self.read()
        except InvalidPIDFileError:
            return
        if pid == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)

    def __enter__(self) -> PIDFile:
        """
        Take the file (L{writeRunningPID}).

        @return: This pid file.
        """
        self.writeRunningPID()
        return self

    def __exit__(
        self,
        excType: type[BaseException] | None,
        excValue: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """
        Remove the file (L{remove}).
        """
        self.remove()


@implementer(IPIDFile)
class NonePIDFile:
    """
    No pid file: nothing is read, written or checked.
    """

    def __repr__(self) -> str:
        return "nonePIDFile"

    def read(self) -> int | None:
        """
        @return: L{None}: there is no file.
        """
        return None

    def runningPID(self) -> int | None:
        """
        @return: L{None}: no file names a process.
        """
        return None

    def isRunning(self) -> bool:
        """
        @return: C{False}.
        """
        return False

    def writeRunningPID(self) -> None:
        """
        Do nothing.
        """

    def remove(self) -> None:
        """
        Do nothing.
        """

    def __enter__(self) -> NonePIDFile:
        """
        @return: This object.
        """
        return self

    def __exit__(
        self,
        excType: type[BaseException] | None,
        excValue: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """
        Do nothing.
        """


nonePIDFile = NonePIDFile()
"""The absence of a pid file, for L{Runner}'s default."""
