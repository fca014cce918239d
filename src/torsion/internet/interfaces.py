"""
The interfaces of torsion.internet: the documented contract between the
reactor, transports, protocols and the code that uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from zope.interface import Interface


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


__all__ = ["IDelayedCall", "ILoggingContext", "IReactorTime"]
