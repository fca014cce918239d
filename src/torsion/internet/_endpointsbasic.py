# The endpoints that map one-to-one onto a reactor call: TCP over IPv4 and
# IPv6, UNIX sockets, adopted listening sockets and standard I/O.
#
# How it works
# ------------
# Each endpoint only remembers its arguments.  listen() makes the reactor
# call through `execute`, so an exception (CannotListenError, say) becomes
# a failed Deferred instead of being raised.  connect() gives the reactor a
# _WrappingFactory (_endpointsclient.py) and returns its Deferred.
#
# TCP6ClientEndpoint is the one with a step before the reactor call:
# connectTCP takes an IPv6 address but would look a host name up as IPv4,
# so a name is first looked up with the reactor's name resolver, asking for
# IPv6 addresses only, and the first one found is connected to.
from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from torsion.internet._abstract import isIPv6Address
from torsion.internet._address import IPv6Address
from torsion.internet._deferred import Deferred, execute, fail
from torsion.internet._endpointsclient import _bindAddress, _nameResolverOf, _WrappingFactory
from torsion.internet._errors import AlreadyListened, DNSLookupError
from torsion.internet._iendpoints import IResolutionReceiver
from torsion.internet._ireactornet import IStreamClientEndpoint, IStreamServerEndpoint
from torsion.internet._itransport import (
    IAddress,
    IListeningPort,
    IProtocol,
    IProtocolFactory,
)
from torsion.internet._resolver import _FirstAddress


def _hostPort(host: str, port: object) -> str:
    """
    C{host:port}, with an IPv6 address in brackets.
    """
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _TCPServerEndpoint:
    """
    Listens with C{reactor.listenTCP}.
    """

    def __init__(self, reactor: Any, port: int, backlog: int, interface: str) -> None:
        self._reactor = reactor
        self._port = port
        self._backlog = backlog
        self._interface = interface

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Listen for TCP connections.

        @param protocolFactory: Builds a protocol per connection.
        @return: A Deferred firing with the listening port, or failing with
            L{torsion.internet.error.CannotListenError}.
        """
        return execute(
            self._reactor.listenTCP,
            self._port,
            protocolFactory,
            backlog=self._backlog,
            interface=self._interface,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {_hostPort(self._interface or '0.0.0.0', self._port)}>"


@implementer(IStreamServerEndpoint)
class TCP4ServerEndpoint(_TCPServerEndpoint):
    """
    A TCP server listening on an IPv4 interface.
    """

    def __init__(self, reactor: Any, port: int, backlog: int = 50, interface: str = "") -> None:
        """
        @param reactor: An L{IReactorTCP}.
        @param port: The port number; 0 picks a free one.
        @param backlog: The most pending connections the kernel queues.
        @param interface: The address to listen on; C{""} for every IPv4
            interface.
        """
        super().__init__(reactor, port, backlog, interface)


@implementer(IStreamServerEndpoint)
class TCP6ServerEndpoint(_TCPServerEndpoint):
    """
    A TCP server listening on an IPv6 interface.
    """

    def __init__(self, reactor: Any, port: int, backlog: int = 50, interface: str = "::") -> None:
        """
        @param reactor: An L{IReactorTCP}.
        @param port: The port number; 0 picks a free one.
        @param backlog: The most pending connections the kernel queues.
        @param interface: The IPv6 address to listen on; C{"::"} for every
            interface.
        """
        super().__init__(reactor, port, backlog, interface)


@implementer(IStreamClientEndpoint)
class TCP4ClientEndpoint:
    """
    A TCP client connecting to an IPv4 address (a host name is looked up
    as IPv4 by C{connectTCP}).
    """

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        timeout: float = 30,
        bindAddress: tuple[str, int] | str | None = None,
    ) -> None:
        """
        @param reactor: An L{IReactorTCP}.
        @param host: The IPv4 address or host name to connect to.
        @param port: The port number.
        @param timeout: Seconds to wait for the connection.
        @param bindAddress: A local C{(host, port)} to connect from, or just
            a host (any port); L{None} lets the system choose.
        """
        self._reactor = reactor
        self._host = host
        self._port = port
        self._timeout = timeout
        self._bindAddress = _bindAddress(bindAddress)

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect, and build the protocol for the connection.

        @param protocolFactory: Builds the protocol once connected.
        @return: A Deferred firing with the connected protocol, or failing
            with a L{torsion.internet.error.ConnectError}; cancelling it
            stops the attempt (L{torsion.internet.error.ConnectingCancelledError}).
        """
        return _connectTCP(self, self._host, protocolFactory)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {_hostPort(self._host, self._port)}>"


def _connectTCP(
    endpoint: TCP4ClientEndpoint, host: str, protocolFactory: IProtocolFactory
) -> Deferred[IProtocol]:
    """
    Connect C{protocolFactory} to C{host} and the endpoint's port.
    """
    return _connectWith(
        protocolFactory,
        lambda wrapping: endpoint._reactor.connectTCP(
            host,
            endpoint._port,
            wrapping,
            timeout=endpoint._timeout,
            bindAddress=endpoint._bindAddress,
        ),
    )


def _connectWith(
    protocolFactory: IProtocolFactory, connect: Callable[[_WrappingFactory], object]
) -> Deferred[IProtocol]:
    """
    Start a connection by calling C{connect} with a L{_WrappingFactory}
    around C{protocolFactory}.

    @return: The wrapping factory's Deferred, or a failed Deferred if
        C{connect} raised.
    """
    wrapping = _WrappingFactory(protocolFactory)
    try:
        connect(wrapping)
    except BaseException:
        return fail()
    return wrapping.deferred


@implementer(IResolutionReceiver)
class _FirstIPv6(_FirstAddress):
    """
    Keeps the first IPv6 address of a lookup; L{deferred} fires with it.
    """

    _found: IPv6Address | None = None

    def addressResolved(self, address: IAddress) -> None:
        if self._found is None and isinstance(address, IPv6Address):
            self._found = address

    def resolutionComplete(self) -> None:
        if self.deferred.called:
            return
        if self._found is None:
            self.deferred.errback(
                DNSLookupError(
                    f"no IPv6 address found for {self._name!r}; for IPv4 use "
                    "TCP4ClientEndpoint, for either use HostnameEndpoint"
                )
            )
        else:
            self.deferred.callback(self._found.host)


@implementer(IStreamClientEndpoint)
class TCP6ClientEndpoint(TCP4ClientEndpoint):
    """
    A TCP client connecting to an IPv6 address; a host name is looked up
    (IPv6 only) with the reactor's name resolver first.
    """

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        timeout: float = 30,
        bindAddress: tuple[str, int] | str | None = None,
    ) -> None:
        """
        @param reactor: An L{IReactorTCP}, and an
            L{IReactorPluggableNameResolver} to connect to a host name.
        @param host: The IPv6 address or host name to connect to.
        @param port: The port number.
        @param timeout: Seconds to wait for the connection (the name lookup
            is not counted).
        @param bindAddress: A local C{(host, port)} to connect from, or just
            a host; L{None} lets the system choose.
        """
        super().__init__(reactor, host, port, timeout, bindAddress)

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Look the host up if it is a name, then connect.

        @param protocolFactory: Builds the protocol once connected.
        @return: A Deferred firing with the connected protocol, or failing
            with L{torsion.internet.error.DNSLookupError} or a
            L{torsion.internet.error.ConnectError}; cancelling it stops the
            lookup or the attempt.
        """
        if isIPv6Address(self._host):
            return _connectTCP(self, self._host, protocolFactory)
        receiver = _FirstIPv6(self._host)
        try:
            _nameResolverOf(self._reactor).resolveHostName(
                receiver, self._host, self._port, [IPv6Address]
            )
        except BaseException:
            return fail()
        attempt: list[Deferred[IProtocol]] = []

        def cancel(d: Deferred[IProtocol]) -> None:
            if attempt:
                attempt[0].cancel()
            else:
                receiver.deferred.cancel()

        result: Deferred[IProtocol] = Deferred(canceller=cancel)

        def resolved(address: str) -> Deferred[IProtocol]:
            attempt.append(_connectTCP(self, address, protocolFactory))
            return attempt[0]

        receiver.deferred.addCallback(resolved).chainDeferred(result)
        return result


@implementer(IStreamServerEndpoint)
class UNIXServerEndpoint:
    """
    A server listening on a UNIX socket.
    """

    def __init__(
        self,
        reactor: Any,
        address: str,
        backlog: int = 50,
        mode: int = 0o666,
        wantPID: bool | int = 0,
    ) -> None:
        """
        @param reactor: An L{IReactorUNIX}.
        @param address: The socket's path.
        @param backlog: The most pending connections the kernel queues.
        @param mode: The socket file's permissions.
        @param wantPID: Hold a C{<address>.lock} file naming this process,
            so a second server cannot take the path while this one lives.
        """
        self._reactor = reactor
        self._address = address
        self._backlog = backlog
        self._mode = mode
        self._wantPID = wantPID

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Listen on the socket.

        @param protocolFactory: Builds a protocol per connection.
        @return: A Deferred firing with the listening port, or failing with
            L{torsion.internet.error.CannotListenError}.
        """
        return execute(
            self._reactor.listenUNIX,
            self._address,
            protocolFactory,
            backlog=self._backlog,
            mode=self._mode,
            wantPID=bool(self._wantPID),
        )

    def __repr__(self) -> str:
        return f"<UNIXServerEndpoint {self._address!r} mode={self._mode:#o}>"


@implementer(IStreamClientEndpoint)
class UNIXClientEndpoint:
    """
    A client connecting to a UNIX socket.
    """

    def __init__(
        self, reactor: Any, path: str, timeout: float = 30, checkPID: bool | int = 0
    ) -> None:
        """
        @param reactor: An L{IReactorUNIX}.
        @param path: The socket's path.
        @param timeout: Seconds to wait for the connection.
        @param checkPID: Fail at once unless a C{<path>.lock} file names a
            live process.
        """
        self._reactor = reactor
        self._path = path
        self._timeout = timeout
        self._checkPID = checkPID

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect, and build the protocol for the connection.

        @param protocolFactory: Builds the protocol once connected.
        @return: A Deferred firing with the connected protocol, or failing
            with a L{torsion.internet.error.ConnectError}; cancelling it
            stops the attempt.
        """
        return _connectWith(
            protocolFactory,
            lambda wrapping: self._reactor.connectUNIX(
                self._path, wrapping, timeout=self._timeout, checkPID=bool(self._checkPID)
            ),
        )

    def __repr__(self) -> str:
        return f"<UNIXClientEndpoint {self._path!r}>"


@implementer(IStreamServerEndpoint)
class AdoptedStreamServerEndpoint:
    """
    A server on a listening socket made elsewhere (inherited from a parent
    process or from systemd), given by its descriptor number.

    The reactor adopts a duplicate of the descriptor, and this endpoint
    then closes the original; it can listen only once.

    @ivar reactor: The reactor.
    @ivar fileno: The descriptor of the listening socket.
    @ivar addressFamily: Its family: C{AF_INET}, C{AF_INET6} or C{AF_UNIX}.
    """

    _close: Callable[[int], None] = staticmethod(os.close)

    def __init__(self, reactor: Any, fileno: int, addressFamily: socket.AddressFamily) -> None:
        """
        @param reactor: An L{IReactorSocket}.
        @param fileno: The descriptor of a bound, listening stream socket.
        @param addressFamily: Its family.
        """
        self.reactor = reactor
        self.fileno = fileno
        self.addressFamily = addressFamily
        self._used = False

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Adopt the socket and accept connections on it.

        @param protocolFactory: Builds a protocol per connection.
        @return: A Deferred firing with the listening port, or failing with
            L{torsion.internet.error.AlreadyListened} the second time, or
            with why the socket could not be adopted.
        """
        if self._used:
            return fail(
                AlreadyListened(
                    f"descriptor {self.fileno} was already adopted by this endpoint, which "
                    "closed it; an AdoptedStreamServerEndpoint listens only once"
                )
            )
        self._used = True

        def adopt() -> IListeningPort:
            port: IListeningPort = self.reactor.adoptStreamPort(
                self.fileno, self.addressFamily, protocolFactory
            )
            self._close(self.fileno)
            return port

        return execute(adopt)

    def __repr__(self) -> str:
        family = getattr(self.addressFamily, "name", self.addressFamily)
        return f"<AdoptedStreamServerEndpoint fd={self.fileno} {family}>"


@implementer(IStreamServerEndpoint)
class StandardIOEndpoint:
    """
    Runs one protocol over this process's standard input and output.
    """

    def __init__(self, reactor: Any) -> None:
        """
        @param reactor: The reactor to read and write with.
        """
        self._reactor = reactor

    def listen(self, stdioProtocolFactory: IProtocolFactory) -> Deferred[Any]:
        """
        Build one protocol and connect it to standard input and output.

        @param stdioProtocolFactory: Builds the protocol, given a
            L{torsion.internet.stdio.PipeAddress}.
        @return: A Deferred firing with the
            L{torsion.internet.stdio.StandardIO} transport.
        """
        from torsion.internet._stdio import PipeAddress, StandardIO

        def start() -> StandardIO:
            protocol = stdioProtocolFactory.buildProtocol(PipeAddress())
            return StandardIO(protocol, reactor=self._reactor)

        return execute(start)


__all__ = [
    "AdoptedStreamServerEndpoint",
    "StandardIOEndpoint",
    "TCP4ClientEndpoint",
    "TCP4ServerEndpoint",
    "TCP6ClientEndpoint",
    "TCP6ServerEndpoint",
    "UNIXClientEndpoint",
    "UNIXServerEndpoint",
]
