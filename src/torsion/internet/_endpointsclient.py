# How a client endpoint turns the reactor's connect* calls (a ClientFactory
# that hears "connected"/"failed" callbacks) into one Deferred that fires
# with the connected protocol.
#
# How it works
# ------------
# connect(factory) hands the reactor a _WrappingFactory around the user's
# factory.  Its `deferred` (the one connect() returns) settles exactly once:
#   - buildProtocol: the user's factory builds the protocol; the reactor gets
#     a _WrappingProtocol around it.  If the user's buildProtocol raises or
#     returns None, the Deferred fails with that error (or NoProtocol) and
#     the reactor, getting None, drops the connection;
#   - _WrappingProtocol.connectionMade: the user's protocol is connected to
#     the real transport (makeConnection), then the Deferred fires with it.
#     If its connectionMade raises, the Deferred fails with that error and
#     the exception goes on to the transport, which logs it and closes;
#   - clientConnectionFailed: the Deferred fails with the reason (ignored if
#     the Deferred has already settled, e.g. cancelled);
#   - cancelling the Deferred fails it with ConnectingCancelledError (naming
#     the address) first, then stops the connector, whose "failed" callback
#     then finds the Deferred settled; a connection that completes anyway
#     gets no protocol (buildProtocol returns None), so a cancelled attempt
#     never builds one.
# After connectionMade, the wrapper only forwards: dataReceived and
# connectionLost, and the optional interfaces (half-close, descriptor
# passing, TLS handshake) are provided by the wrapper only when the user's
# protocol provides them, so the transport treats it the same way.
from __future__ import annotations

from typing import Any

from zope.interface import alsoProvides

from torsion.internet._deferred import Deferred
from torsion.internet._errors import ConnectingCancelledError, NoProtocol
from torsion.internet._factory import ClientFactory, Factory
from torsion.internet._iendpoints import IHostnameResolver
from torsion.internet._ireactornet import IStreamClientEndpoint
from torsion.internet._itransport import (
    IAddress,
    IConnector,
    IFileDescriptorReceiver,
    IHalfCloseableProtocol,
    IHandshakeListener,
    IProtocol,
    IProtocolFactory,
)
from torsion.internet._protocol import Protocol, connectionDone
from torsion.python.failure import Failure

_OPTIONAL = (IHalfCloseableProtocol, IFileDescriptorReceiver, IHandshakeListener)


class _WrappingProtocol(Protocol):
    """
    Stands between the transport and the user's protocol, to fire the
    endpoint's Deferred once connected; afterwards it only forwards.
    """

    def __init__(self, connected: Deferred[IProtocol], wrappedProtocol: Any) -> None:
        self._connected = connected
        self._wrappedProtocol = wrappedProtocol
        provided = [iface for iface in _OPTIONAL if iface.providedBy(wrappedProtocol)]
        if provided:
            alsoProvides(self, *provided)

    def logPrefix(self) -> str:
        logPrefix = getattr(self._wrappedProtocol, "logPrefix", None)
        if callable(logPrefix):
            return str(logPrefix())
        return type(self._wrappedProtocol).__name__

    def connectionMade(self) -> None:
        try:
            self._wrappedProtocol.makeConnection(self.transport)
        except BaseException:
            if not self._connected.called:
                self._connected.errback(Failure())
            raise
        if not self._connected.called:
            self._connected.callback(self._wrappedProtocol)

    def dataReceived(self, data: bytes) -> None:
        self._wrappedProtocol.dataReceived(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._wrappedProtocol.connectionLost(reason)

    def readConnectionLost(self) -> None:
        self._wrappedProtocol.readConnectionLost()

    def writeConnectionLost(self) -> None:
        self._wrappedProtocol.writeConnectionLost()

    def fileDescriptorReceived(self, descriptor: int) -> None:
        self._wrappedProtocol.fileDescriptorReceived(descriptor)

    def handshakeCompleted(self) -> None:
        self._wrappedProtocol.handshakeCompleted()


class _WrappingFactory(ClientFactory):
    """
    The factory a client endpoint gives the reactor; L{deferred} fires with
    the user's connected protocol or fails with why it could not connect.
    """

    def __init__(self, wrappedFactory: IProtocolFactory) -> None:
        # Any: reactors always pass an address, tests may pass None.
        self._wrappedFactory: Any = wrappedFactory
        self._connector: IConnector | None = None
        self.deferred: Deferred[IProtocol] = Deferred(canceller=self._cancel)

    def _cancel(self, d: Deferred[IProtocol]) -> None:
        connector = self._connector
        address = connector.getDestination() if connector is not None else None
        d.errback(ConnectingCancelledError(address))
        if connector is not None:
            try:
                connector.stopConnecting()
            except Exception:
                pass  # Not connecting any more (it failed meanwhile).

    def doStart(self) -> None:
        self._wrappedFactory.doStart()

    def doStop(self) -> None:
        self._wrappedFactory.doStop()

    def startedConnecting(self, connector: IConnector) -> None:
        self._connector = connector

    def buildProtocol(self, addr: IAddress | None) -> Any:
        if self.deferred.called:
            return None  # Cancelled: refuse a connection that made it anyway.
        try:
            built = self._wrappedFactory.buildProtocol(addr)
            if built is None:
                raise NoProtocol(
                    f"{self._wrappedFactory!r}.buildProtocol() returned None, so the "
                    f"connection to {addr} was dropped; return a protocol to connect"
                )
        except BaseException:
            if not self.deferred.called:
                self.deferred.errback(Failure())
            return None
        return _WrappingProtocol(self.deferred, built)

    def clientConnectionFailed(self, connector: IConnector, reason: Failure) -> None:
        if not self.deferred.called:
            self.deferred.errback(reason)


class _OneProtocolFactory(Factory[Any]):
    """
    Gives out one protocol made beforehand (for L{connectProtocol}).
    """

    def __init__(self, protocol: IProtocol) -> None:
        self._protocol = protocol

    def buildProtocol(self, addr: IAddress | None) -> Any:
        return self._protocol


def connectProtocol(endpoint: IStreamClientEndpoint, protocol: IProtocol) -> Deferred[IProtocol]:
    """
    Connect C{protocol}, an instance made beforehand, through C{endpoint}.

    @param endpoint: Where to connect.
    @param protocol: The protocol to connect.
    @return: The Deferred from the endpoint's C{connect}: it fires with
        C{protocol} once connected.
    """
    return endpoint.connect(_OneProtocolFactory(protocol))


def _nameResolverOf(reactor: Any) -> IHostnameResolver:
    """
    The reactor's name resolver; a L{GAIResolver} on its thread pool if it
    has none.

    @raise TypeError: If the reactor can neither resolve nor run threads.
    """
    resolver = getattr(reactor, "nameResolver", None)
    if resolver is not None:
        return resolver  # type: ignore[no-any-return]
    if callable(getattr(reactor, "getThreadPool", None)):
        from torsion.internet._resolver import GAIResolver

        return GAIResolver(reactor)
    raise TypeError(
        f"{reactor!r} cannot resolve host names: it has no nameResolver "
        "(IReactorPluggableNameResolver) and no thread pool (IReactorThreads); use a "
        "reactor that has one, or give an IP address to TCP4ClientEndpoint/TCP6ClientEndpoint"
    )


def _bindAddress(bindAddress: Any) -> tuple[str, int] | None:
    """
    A C{bindAddress} as C{connectTCP} takes it: a host alone means any port.
    """
    if bindAddress is None:
        return None
    if isinstance(bindAddress, bytes):
        bindAddress = bindAddress.decode("ascii")
    if isinstance(bindAddress, str):
        return (bindAddress, 0)
    host, port = bindAddress
    if isinstance(host, bytes):
        host = host.decode("ascii")
    return (host, port)


__all__ = ["connectProtocol"]
