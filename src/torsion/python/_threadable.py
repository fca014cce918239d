# Which thread is the reactor's ("I/O") thread.  The reactor registers its
# thread when it starts running; code that must not block it, or that must
# only run in it, asks isInIOThread().
from __future__ import annotations

import threading

ioThread: threading.Thread | None = None


def registerAsIOThread() -> None:
    """
    Mark the calling thread as the reactor's thread.
    """
    global ioThread
    ioThread = threading.current_thread()


def isInIOThread() -> bool:
    """
    @return: Whether the calling thread is the reactor's thread.
    """
    return ioThread is threading.current_thread()


def getThreadID() -> int:
    """
    @return: The calling thread's identifier.
    """
    return threading.get_ident()


__all__ = ["getThreadID", "ioThread", "isInIOThread", "registerAsIOThread"]
