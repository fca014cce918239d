# RaisingMemoryReactor: a MemoryReactor whose listen and connect calls
# raise, for testing how code copes when it cannot listen or connect.
# Each overriding method takes any arguments, since it only raises.
from __future__ import annotations

from typing import Any, NoReturn

from torsion.internet._itransport import IConnector, IListeningPort
from torsion.internet._testingreactor import MemoryReactor


class RaisingMemoryReactor(MemoryReactor):
    """
    A L{MemoryReactor} whose listen calls raise one exception and whose
    connect calls raise another, to test how code handles those failures.
    """

    def __init__(
        self,
        listenException: BaseException | None = None,
        connectException: BaseException | None = None,
    ) -> None:
        """
        @param listenException: What every C{listen*} and C{adopt*} call
            raises.
        @param connectException: What every C{connect*} call raises.
        """
        MemoryReactor.__init__(self)
        self._listenException = listenException
        self._connectException = connectException

    def _raise(self, which: BaseException | None, call: str) -> NoReturn:
        if which is None:
            raise RuntimeError(
                f"RaisingMemoryReactor.{call}() has no exception to raise; "
                "pass listenException= or connectException= to the constructor"
            )
        raise which

    def listenTCP(self, *args: Any, **kwargs: Any) -> IListeningPort:
        """
        @raise BaseException: The C{listenException}.
        """
        return self._raise(self._listenException, "listenTCP")

    def listenSSL(self, *args: Any, **kwargs: Any) -> IListeningPort:
        """
        @raise BaseException: The C{listenException}.
        """
        return self._raise(self._listenException, "listenSSL")

    def listenUNIX(self, *args: Any, **kwargs: Any) -> IListeningPort:
        """
        @raise BaseException: The C{listenException}.
        """
        return self._raise(self._listenException, "listenUNIX")

    def listenUDP(self, *args: Any, **kwargs: Any) -> IListeningPort:
        """
        @raise BaseException: The C{listenException}.
        """
        return self._raise(self._listenException, "listenUDP")

    def adoptStreamPort(self, *args: Any, **kwargs: Any) -> IListeningPort:
        """
        @raise BaseException: The C{listenException}.
        """
        return self._raise(self._listenException, "adoptStreamPort")

    def adoptStreamConnection(self, *args: Any, **kwargs: Any) -> None:
        """
        @raise BaseException: The C{listenException}.
        """
        self._raise(self._listenException, "adoptStreamConnection")

    def adoptDatagramPort(self, *args: Any, **kwargs: Any) -> IListeningPort:
        """
        @raise BaseException: The C{listenException}.
        """
        return self._raise(self._listenException, "adoptDatagramPort")

    def connectTCP(self, *args: Any, **kwargs: Any) -> IConnector:
        """
        @raise BaseException: The C{connectException}.
        """
        return self._raise(self._connectException, "connectTCP")

    def connectSSL(self, *args: Any, **kwargs: Any) -> IConnector:
        """
        @raise BaseException: The C{connectException}.
        """
        return self._raise(self._connectException, "connectSSL")

    def connectUNIX(self, *args: Any, **kwargs: Any) -> IConnector:
        """
        @raise BaseException: The C{connectException}.
        """
        return self._raise(self._connectException, "connectUNIX")


__all__ = ["RaisingMemoryReactor"]
