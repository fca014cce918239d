# Exceptions of the reactor and transports, collected in one module so that
# torsion.internet.error can re-export them.  Each formats its facts in
# __str__, with an optional extra message, as Twisted's do.
from __future__ import annotations


class _DescribedError(Exception):
    """
    An error with a fixed description plus optional detail arguments.
    """

    description = "An error occurred"

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        if detail:
            return f"{self.description}: {detail}."
        return f"{self.description}."


class AlreadyCalled(ValueError):
    """
    A delayed call was cancelled, reset or delayed after it had already run.
    """

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        return detail or "Tried to cancel an already-called event."


class AlreadyCancelled(ValueError):
    """
    A delayed call was cancelled, reset or delayed after it had been cancelled.
    """

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        return detail or "Tried to cancel an already-cancelled event."


class ConnectError(_DescribedError):
    """
    A connection could not be made.
    """

    description = "An error occurred while connecting"


class UserError(ConnectError):
    """
    The connection attempt was stopped by the user.
    """

    description = "User aborted connection"


class TimeoutError(UserError):
    """
    An operation (such as a connection attempt) took too long.
    """

    description = "User timeout caused connection failure"


class ConnectionClosed(Exception):
    """
    A connection ended, cleanly or not.
    """


class ConnectionLost(ConnectionClosed, _DescribedError):
    """
    A connection ended in an unclean way (reset, broken pipe, aborted).
    """

    description = "Connection to the other side was lost in a non-clean fashion"


class ConnectionAborted(ConnectionLost):
    """
    The connection was ended by abortConnection().
    """

    description = "Connection was aborted locally using ITCPTransport.abortConnection"


class ConnectionDone(ConnectionClosed, _DescribedError):
    """
    A connection was closed cleanly.
    """

    description = "Connection was closed cleanly"


class ConnectionFdescWentAway(ConnectionLost):
    """
    The descriptor's fileno() went bad (closed behind the reactor's back).
    """

    description = "The file descriptor of the connection went away"


class ReactorNotRunning(RuntimeError):
    """
    stop() or crash() was called on a reactor that is not running.
    """


class ReactorNotRestartable(RuntimeError):
    """
    run() was called on a reactor that has already been stopped.
    """


class ReactorAlreadyRunning(RuntimeError):
    """
    run() was called on a reactor that is running.
    """


class ReactorAlreadyInstalledError(AssertionError):
    """
    A reactor was installed when one already was.
    """


__all__ = [
    "AlreadyCalled",
    "AlreadyCancelled",
    "ConnectError",
    "ConnectionAborted",
    "ConnectionClosed",
    "ConnectionDone",
    "ConnectionFdescWentAway",
    "ConnectionLost",
    "ReactorAlreadyInstalledError",
    "ReactorAlreadyRunning",
    "ReactorNotRestartable",
    "ReactorNotRunning",
    "TimeoutError",
    "UserError",
]
