# Protocol factories: one protocol per connection.
#
# A Factory is shared by every port or connector that uses it, so
# doStart/doStop count them in numPorts and run startFactory and stopFactory
# only on the first start and the last stop.  buildProtocol calls
# self.protocol() and sets the new protocol's `factory`, which is how a
# protocol reaches state shared between connections.
#
# Factory is generic in the protocol it builds, so that
# Factory.forProtocol(Echo).buildProtocol(addr) is typed as Echo | None.  The
# type variable has a default (PEP 696) so that a bare `Factory` still type
# checks under mypy --strict; that needs typing_extensions, which mypy always
# has, so the default exists for the type checker only and the runtime type
# variable is a plain one.
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic

from zope.interface import implementer

from torsion.internet._ireactor import ILoggingContext
from torsion.internet._itransport import IAddress, IConnector, IProtocolFactory
from torsion.logger import Logger
from torsion.python.failure import Failure

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    from torsion.internet._protocol import Protocol

    _P = TypeVar("_P", bound=Protocol, default=Protocol)
else:
    from typing import TypeVar

    _P = TypeVar("_P", bound="Protocol")


@implementer(IProtocolFactory, ILoggingContext)
class Factory(Generic[_P]):
    """
    Builds a protocol of class L{protocol} for each connection.

    Set C{protocol} on a subclass, or use L{forProtocol}.  Override
    L{startFactory} and L{stopFactory} for work done once however many
    ports use the factory.

    @ivar protocol: What L{buildProtocol} calls to make a protocol.
    @ivar numPorts: How many ports or connectors are using the factory.
    @ivar noisy: Whether starting and stopping are logged.
    """

    protocol: Callable[[], _P] | None = None
    numPorts: int = 0
    noisy: bool = True

    _log = Logger()

    @classmethod
    def forProtocol(cls, protocol: Callable[[], _P], *args: Any, **kwargs: Any) -> Factory[_P]:
        """
        Make a factory of this class that builds C{protocol()}.

        @param protocol: A protocol class (or any callable returning one).
        @param args: Positional arguments for the factory's constructor.
        @param kwargs: Keyword arguments for the factory's constructor.
        @return: The factory.
        """
        factory = cls(*args, **kwargs)
        factory.protocol = protocol
        return factory

    def logPrefix(self) -> str:
        """
        Name this factory in log messages.

        @return: The factory's class name.
        """
        return self.__class__.__name__

    def doStart(self) -> None:
        """
        A port or connector starts using this factory: the first one calls
        L{startFactory}.

        Called by ports and connectors, not by applications.
        """
        if not self.numPorts:
            if self.noisy:
                self._log.info("Starting factory {factory!r}", factory=self)
            self.startFactory()
        self.numPorts += 1

    def doStop(self) -> None:
        """
        A port or connector is done with this factory: the last one calls
        L{stopFactory}.

        Extra calls (more stops than starts) are ignored.  Called by ports
        and connectors, not by applications.
        """
        if self.numPorts == 0:
            return
        self.numPorts -= 1
        if not self.numPorts:
            if self.noisy:
                self._log.info("Stopping factory {factory!r}", factory=self)
            self.stopFactory()

    def startFactory(self) -> None:
        """
        Called before the first connection is handled: open files, databases
        and so on.  Does nothing unless overridden.
        """

    def stopFactory(self) -> None:
        """
        Called when the last port or connector stops using the factory:
        release what L{startFactory} acquired.  Does nothing unless
        overridden.
        """

    def buildProtocol(self, addr: IAddress | None) -> _P | None:
        """
        Make the protocol for a new connection by calling L{protocol}, and
        set its C{factory} to this factory.

        Override to refuse connections (return L{None}) or to build
        protocols some other way.

        @param addr: The peer's address (tests may pass L{None}).
        @return: The new protocol.
        @raise TypeError: If L{protocol} has not been set.
        """
        if self.protocol is None:
            raise TypeError(
                f"{self.__class__.__name__}.protocol is None, so buildProtocol "
                "cannot make a protocol; set it, e.g. Factory.forProtocol(MyProtocol) "
                "or `protocol = MyProtocol` in the subclass"
            )
        p = self.protocol()
        p.factory = self
        return p


class ServerFactory(Factory[_P]):
    """
    A factory for servers only (given to C{listen*} calls).
    """


class ClientFactory(Factory[_P]):
    """
    A factory for clients: told how each connection attempt goes.

    Calls: C{startedConnecting}, then C{clientConnectionFailed}, or
    C{buildProtocol} and, when the connection ends,
    C{clientConnectionLost}.  Either may call C{connector.connect()} to try
    again.
    """

    def startedConnecting(self, connector: IConnector) -> None:
        """
        A connection attempt has started.

        @param connector: Its connector; C{connector.stopConnecting()} gives
            up.
        """

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        """
        A connection attempt failed.

        @param connector: Its connector.
        @param reason: Why, such as C{ConnectionRefusedError}.
        """

    def clientConnectionLost(self, connector: IConnector, reason: Failure) -> None:
        """
        An established connection ended.

        @param connector: Its connector.
        @param reason: Why, as given to the protocol's C{connectionLost}.
        """


__all__ = ["ClientFactory", "Factory", "ServerFactory"]
