# The reactor's own interfaces: time, the core run loop, file descriptors
# and threads.  Transports, protocols and the network facets of the reactor
# are in _itransport.py.  torsion.internet.interfaces re-exports both.
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from zope.interface import Attribute, Interface


class IDelayedCall(Interface):
    """
    A call scheduled to run later, as returned by L{IReactorTime.callLater}.

    Life cycle: pending -> (called | cancelled).  C{reset} and C{delay} move a
    pending call; C{cancel} removes it; after it has run or been cancelled,
    C{cancel}, C{reset} and C{delay} raise.
    """

    def getTime() -> float:
        """
        @return: When the call will run, in the clock's C{seconds()} units.
        """

    def cancel() -> None:
        """
        Stop the call from running.

        @raise torsion.internet.error.AlreadyCancelled: If it was cancelled.
        @raise torsion.internet.error.AlreadyCalled: If it has run.
        """

    def delay(secondsLater: float) -> None:
        """
        Postpone the call by C{secondsLater} seconds (negative: bring forward).

        @raise torsion.internet.error.AlreadyCancelled: If it was cancelled.
        @raise torsion.internet.error.AlreadyCalled: If it has run.
        """

    def reset(secondsFromNow: float) -> None:
        """
        Reschedule the call to run C{secondsFromNow} seconds from now.

        @raise torsion.internet.error.AlreadyCancelled: If it was cancelled.
        @raise torsion.internet.error.AlreadyCalled: If it has run.
        """

    def active() -> bool:
        """
        @return: Whether the call is still pending (neither run nor cancelled).
        """


class IReactorTime(Interface):
    """
    Time and timed calls: implemented by reactors and by
    L{torsion.internet.task.Clock} for tests.
    """

    def seconds() -> float:
        """
        @return: The current time in seconds, as used by C{callLater}.
        """

    def callLater(
        delay: float, callable: Callable[..., Any], *args: object, **kwargs: object
    ) -> IDelayedCall:
        """
        Call C{callable(*args, **kwargs)} C{delay} seconds from now.

        Calls due at the same time run in the order they were scheduled.

        @return: An L{IDelayedCall} to cancel or move the call.
        """

    def getDelayedCalls() -> Sequence[IDelayedCall]:
        """
        @return: The calls scheduled and not yet run or cancelled.
        """


class ILoggingContext(Interface):
    """
    Something that gives a prefix for log messages about it.
    """

    def logPrefix() -> str:
        """
        @return: A short name, e.g. the protocol's class name.
        """


class IReactorCore(Interface):
    """
    The reactor's life cycle: run, stop, and system event triggers.

    Life cycle: not running -> run() -> 'startup' event (before, during,
    after phases) -> running -> stop() -> 'shutdown' event (the 'before'
    phase may hold it with Deferreds) -> stopped.  A stopped reactor cannot be
    run again; crash() stops without the shutdown event and may be re-run.
    """

    running = Attribute("Whether run() has been called and the reactor has not stopped yet.")

    def resolve(name: str, timeout: Sequence[int] = ...) -> Any:
        """
        Resolve a host name to one IPv4 address.

        @return: A Deferred firing with the address as a string.
        """

    def run() -> None:
        """
        Fire 'startup' events, then run the main loop until stop() or crash().

        @raise torsion.internet.error.ReactorNotRestartable: If the reactor
            has already been stopped.
        @raise torsion.internet.error.ReactorAlreadyRunning: If it runs.
        """

    def stop() -> None:
        """
        Fire 'shutdown' events, then leave the main loop.

        @raise torsion.internet.error.ReactorNotRunning: If not running.
        """

    def crash() -> None:
        """
        Leave the main loop at once, without 'shutdown' events (for tests).
        """

    def iterate(delay: float = 0) -> None:
        """
        Run one iteration of the main loop, waiting at most C{delay} seconds.
        """

    def fireSystemEvent(eventType: str) -> None:
        """
        Run the 'before', 'during' and 'after' triggers of C{eventType}.

        'before' triggers may return Deferreds; the 'during' phase waits until
        they have all fired.
        """

    def addSystemEventTrigger(
        phase: str, eventType: str, callable: Callable[..., Any], *args: object, **kwargs: object
    ) -> Any:
        """
        Call C{callable(*args, **kwargs)} in C{phase} ('before', 'during' or
        'after') of system event C{eventType} ('startup', 'shutdown', or any
        name given to fireSystemEvent).

        @return: An ID for removeSystemEventTrigger.
        @raise ValueError: If C{phase} is not one of the three.
        """

    def removeSystemEventTrigger(triggerID: Any) -> None:
        """
        Remove a trigger added by addSystemEventTrigger.

        @raise ValueError: If there is no such trigger.
        """

    def callWhenRunning(callable: Callable[..., Any], *args: object, **kwargs: object) -> Any:
        """
        Call C{callable} now if the reactor is running, else once it starts.

        @return: A trigger ID if the call was deferred, else L{None}.
        """


class IReactorFromThreads(Interface):
    """
    Scheduling work on the reactor's thread from any thread.
    """

    def callFromThread(callable: Callable[..., Any], *args: object, **kwargs: object) -> None:
        """
        Call C{callable(*args, **kwargs)} in the reactor thread, soon.

        Thread-safe; wakes the reactor if it is waiting.  Calls made from one
        thread run in the order they were made.
        """


class IReactorInThreads(Interface):
    """
    Running work in the reactor's thread pool.
    """

    def callInThread(callable: Callable[..., Any], *args: object, **kwargs: object) -> None:
        """
        Call C{callable(*args, **kwargs)} in a thread of the thread pool.
        """


class IReactorThreads(IReactorFromThreads, IReactorInThreads):
    """
    Threads and the reactor: the pool, and calls across threads.
    """

    def getThreadPool() -> Any:
        """
        @return: The reactor's L{torsion.python.threadpool.ThreadPool},
            started with the reactor and stopped at shutdown.
        """

    def suggestThreadPoolSize(size: int) -> None:
        """
        Set the most threads the pool may run at once.
        """


class IReadDescriptor(ILoggingContext):
    """
    A file descriptor the reactor watches for readability.
    """

    def fileno() -> int:
        """
        @return: The descriptor's number; -1 if it has been closed.
        """

    def doRead() -> object:
        """
        Data can be read.

        @return: L{None} normally; an exception or Failure to have the
            reactor disconnect the descriptor with that reason.
        """

    def connectionLost(reason: Any) -> None:
        """
        The descriptor was disconnected (and removed from the reactor).
        """


class IWriteDescriptor(ILoggingContext):
    """
    A file descriptor the reactor watches for writability.
    """

    def fileno() -> int:
        """
        @return: The descriptor's number; -1 if it has been closed.
        """

    def doWrite() -> object:
        """
        Data can be written.

        @return: L{None} normally; an exception or Failure to have the
            reactor disconnect the descriptor with that reason.
        """

    def connectionLost(reason: Any) -> None:
        """
        The descriptor was disconnected (and removed from the reactor).
        """


class IReadWriteDescriptor(IReadDescriptor, IWriteDescriptor):
    """
    A file descriptor watched for both reading and writing.
    """


class IHalfCloseableDescriptor(Interface):
    """
    A descriptor whose read and write sides can close separately.
    """

    def writeConnectionLost(reason: Any) -> None:
        """
        The write side was closed.
        """

    def readConnectionLost(reason: Any) -> None:
        """
        The read side was closed.
        """


class IReactorFDSet(Interface):
    """
    Watching arbitrary file descriptors for readiness.

    A descriptor added with both addReader and addWriter is watched for both;
    removing it from one keeps the other.
    """

    def addReader(reader: IReadDescriptor) -> None:
        """
        Call C{reader.doRead()} whenever its descriptor is readable.
        """

    def addWriter(writer: IWriteDescriptor) -> None:
        """
        Call C{writer.doWrite()} whenever its descriptor is writable.
        """

    def removeReader(reader: IReadDescriptor) -> None:
        """
        Stop watching C{reader} for readability (no error if not watched).
        """

    def removeWriter(writer: IWriteDescriptor) -> None:
        """
        Stop watching C{writer} for writability (no error if not watched).
        """

    def removeAll() -> list[IReadDescriptor | IWriteDescriptor]:
        """
        Stop watching every descriptor the user added.

        @return: The descriptors removed (the reactor's own are kept).
        """

    def getReaders() -> list[IReadDescriptor]:
        """
        @return: The descriptors watched for reading (the reactor's own
            internal ones excluded).
        """

    def getWriters() -> list[IWriteDescriptor]:
        """
        @return: The descriptors watched for writing.
        """


__all__ = [
    "IDelayedCall",
    "IHalfCloseableDescriptor",
    "ILoggingContext",
    "IReactorCore",
    "IReactorFDSet",
    "IReactorFromThreads",
    "IReactorInThreads",
    "IReactorThreads",
    "IReactorTime",
    "IReadDescriptor",
    "IReadWriteDescriptor",
    "IWriteDescriptor",
]
