# The parent's protocol for a child process.
#
# The process transport reports output and closed pipes by child descriptor
# number; ProcessProtocol turns the usual ones into named callbacks:
# descriptor 1 -> outReceived, 2 -> errReceived, and for closed pipes 0 ->
# inConnectionLost, 1 -> outConnectionLost, 2 -> errConnectionLost.  Other
# descriptors reach only childDataReceived and childConnectionLost, which a
# protocol overrides to handle them.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet._itransport import IProcessProtocol
from torsion.internet._protocol import BaseProtocol
from torsion.python.failure import Failure


@implementer(IProcessProtocol)
class ProcessProtocol(BaseProtocol):
    """
    The parent's side of a child process: override the callbacks you need.

    Calls: C{makeConnection} and C{connectionMade} when the child starts;
    C{outReceived}, C{errReceived} and the C{*ConnectionLost} callbacks as
    its pipes produce data and close; C{processExited} when it exits;
    C{processEnded} last, once it has exited and every pipe has closed.

    @ivar transport: The child's L{IProcessTransport}: C{write} sends to its
        standard input.
    """

    transport: Any = None

    def childDataReceived(self, childFD: int, data: bytes) -> None:
        """
        The child wrote to one of its output descriptors: passes descriptor
        1 to L{outReceived} and 2 to L{errReceived}, and ignores others.

        @param childFD: The descriptor number, as the child sees it.
        @param data: The bytes.
        """
        if childFD == 1:
            self.outReceived(data)
        elif childFD == 2:
            self.errReceived(data)

    def outReceived(self, data: bytes) -> None:
        """
        The child wrote to its standard output.

        @param data: The bytes.
        """

    def errReceived(self, data: bytes) -> None:
        """
        The child wrote to its standard error.

        @param data: The bytes.
        """

    def childConnectionLost(self, childFD: int) -> None:
        """
        A pipe to or from the child closed: passes descriptors 0, 1 and 2 to
        L{inConnectionLost}, L{outConnectionLost} and L{errConnectionLost},
        and ignores others.

        @param childFD: The descriptor number, as the child sees it.
        """
        if childFD == 0:
            self.inConnectionLost()
        elif childFD == 1:
            self.outConnectionLost()
        elif childFD == 2:
            self.errConnectionLost()

    def inConnectionLost(self) -> None:
        """
        The pipe to the child's standard input closed.
        """

    def outConnectionLost(self) -> None:
        """
        The child closed its standard output.
        """

    def errConnectionLost(self) -> None:
        """
        The child closed its standard error.
        """

    def processExited(self, reason: Failure) -> None:
        """
        The child exited; some pipes may still be open.

        @param reason: C{ProcessDone} for exit status 0, else
            C{ProcessTerminated} with the status or signal.
        """

    def processEnded(self, reason: Failure) -> None:
        """
        The child exited and every pipe closed: the last call.

        @param reason: As for L{processExited}.
        """


__all__ = ["ProcessProtocol"]
