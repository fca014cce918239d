# Becoming a daemon, the classic way, with the parent waiting for the news:
#
#   parent ──pipe()──fork()──────────────── read the pipe until EOF ── exit
#                      └ child: setsid() ── fork() ── exit(0)     ▲
#                                             └ daemon: umask, stdio to
#                                               /dev/null, ... reactor runs,
#                                               service started: "0" ──┘
#                                               (or "1" + why it failed)
#
# The first fork lets the parent return to the shell; setsid() makes the
# child a session leader with no controlling terminal; the second fork makes
# sure the daemon is not a session leader, so opening a terminal can never
# make it one's controlling process.  The daemon's standard streams are
# /dev/null (its log goes to the log file).
#
# The parent exits 0 only once the daemon reports, through the pipe, that it
# started; if the daemon reports a failure, the parent prints it and exits 1;
# if the pipe closes with no report (the daemon died), the parent says so and
# exits 1.  The parent and the first child leave with os._exit(): they share
# the interpreter state of the daemon (open files, the pid file about to be
# written, `finally` blocks of the caller) and must not run its cleanups.
from __future__ import annotations

import contextlib
import os
import sys

_STARTED = b"0"
_FAILED = b"1"


class DaemonStatus:
    """
    The daemon's end of the pipe to the waiting parent: report once whether
    it started.
    """

    def __init__(self, fd: int) -> None:
        """
        @param fd: The pipe's write end.
        """
        self._fd: int | None = fd

    def started(self) -> None:
        """
        Tell the parent the daemon started; it exits 0.
        """
        self._send(_STARTED)

    def failed(self, message: str) -> None:
        """
        Tell the parent the daemon could not start; it prints C{message}
        and exits 1.

        @param message: Why, for the parent's standard error.
        """
        self._send(_FAILED + message.encode("utf-8", "replace"))

    @property
    def reported(self) -> bool:
        """
        Whether L{started} or L{failed} was called.
        """
        return self._fd is None

    def _send(self, data: bytes) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except OSError:
            pass  # the parent is gone: nobody to tell
        finally:
            os.close(fd)


def _waitForDaemon(readFD: int, child: int, program: str) -> int:
    """
    In the parent: read the daemon's report and reap the first child.

    @return: The exit status for the parent.
    """
    chunks = []
    while True:
        chunk = os.read(readFD, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(readFD)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)
    report = b"".join(chunks)
    if report == _STARTED:
        return 0
    if report.startswith(_FAILED):
        message = report[1:].decode("utf-8", "replace")
    else:
        message = (
            "the daemon exited before it finished starting; look in its log file for why, "
            "or run with -n to see it on the terminal"
        )
    sys.stderr.write(f"{program}: {message}\n")
    return 1


def daemonize(umask: int, program: str = "twistd") -> DaemonStatus:
    """
    Become a daemon; return only in the daemon.

    The calling process waits until the daemon reports through the
    returned L{DaemonStatus}, then exits (0 if it started, else 1 after
    printing why), without returning.

    @param umask: The daemon's file creation mask.
    @param program: The name the parent's messages start with.
    @return: In the daemon: where to report whether it started.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    readFD, writeFD = os.pipe()
    child = os.fork()
    if child:
        os.close(writeFD)
        status = _waitForDaemon(readFD, child, program)
        sys.stderr.flush()
        os._exit(status)
    os.close(readFD)
    os.setsid()
    if os.fork():
        os._exit(0)
    os.umask(umask)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)
    return DaemonStatus(writeFD)
