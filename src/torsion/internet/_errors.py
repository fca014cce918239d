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
        return "Tried to cancel an already-called event" + (f": {detail}." if detail else ".")


class AlreadyCancelled(ValueError):
    """
    A delayed call was cancelled, reset or delayed after it had been cancelled.
    """

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        return "Tried to cancel an already-cancelled event" + (f": {detail}." if detail else ".")


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


__all__ = ["AlreadyCalled", "AlreadyCancelled", "ConnectError", "TimeoutError", "UserError"]
