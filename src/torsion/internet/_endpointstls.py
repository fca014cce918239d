# TLS endpoints: listenSSL and connectSSL, and TLS over any other endpoint.
#
# Endpoints
# ---------
#   SSL4ServerEndpoint  reactor.listenSSL (TCP over IPv4, then TLS)
#   SSL4ClientEndpoint  reactor.connectSSL, through a _WrappingFactory
#                       (_endpointsclient.py) as the TCP client does
#   wrapClientTLS       TLS over any client endpoint: connect(factory) hands
#                       the inner endpoint a TLSMemoryBIOFactory around the
#                       application's factory; the inner endpoint fires with
#                       the TLSMemoryBIOProtocol, and the Deferred given back
#                       fires with the application's protocol inside it.
#   wrapServerTLS       the same for listening.
# Each of them fires connect() when the underlying connection is made,
# before the TLS handshake, because the TLS protocol connects the
# application's protocol then (as in Twisted); a handshake that fails
# reaches the protocol's connectionLost.  The TLS module is imported when a
# connection is made, so importing the endpoints does not load it.
#
# The descriptions that make these endpoints (ssl: servers and clients,
# tls: clients) are read in _endpointstlsparsers.py.
from __future__ import annotations

from typing import Any

from zope.interface import implementer

from torsion.internet._deferred import Deferred, execute, fail
from torsion.internet._endpointsbasic import _hostPort
from torsion.internet._endpointsclient import _bindAddress, _WrappingFactory
from torsion.internet._ireactornet import IStreamClientEndpoint, IStreamServerEndpoint
from torsion.internet._itransport import IListeningPort, IProtocol, IProtocolFactory


@implementer(IStreamServerEndpoint)
class SSL4ServerEndpoint:
    """
    A TLS server listening on an IPv4 interface, with C{listenSSL}.
    """

    def __init__(
        self,
        reactor: Any,
        port: int,
        sslContextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> None:
        """
        @param reactor: An L{IReactorSSL}.
        @param port: The port number; 0 picks a free one.
        @param sslContextFactory: The server's TLS settings, such as
            L{torsion.internet.ssl.CertificateOptions} or
            C{PrivateCertificate.options()}.
        @param backlog: The most pending connections the kernel queues.
        @param interface: The address to listen on; C{""} for every IPv4
            interface.
        """
        self._reactor = reactor
        self._port = port
        self._sslContextFactory = sslContextFactory
        self._backlog = backlog
        self._interface = interface

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Listen for TLS connections.

        @param protocolFactory: Builds the application's protocol per
            connection.
        @return: A Deferred firing with the listening port, or failing with
            L{torsion.internet.error.CannotListenError}.
        """
        return execute(
            self._reactor.listenSSL,
            self._port,
            protocolFactory,
            self._sslContextFactory,
            backlog=self._backlog,
            interface=self._interface,
        )

    def __repr__(self) -> str:
        return f"<SSL4ServerEndpoint {_hostPort(self._interface or '0.0.0.0', self._port)}>"


@implementer(IStreamClientEndpoint)
class SSL4ClientEndpoint:
    """
    A TLS client connecting to an IPv4 address or host name, with
    C{connectSSL}.
    """

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        sslContextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | str | None = None,
    ) -> None:
        """
        @param reactor: An L{IReactorSSL}.
        @param host: The IPv4 address or host name to connect to.
        @param port: The port number.
        @param sslContextFactory: The client's TLS settings, such as
            C{optionsForClientTLS("example.com")}, which names the host the
            certificate must be for.
        @param timeout: Seconds to wait for the connection.
        @param bindAddress: A local C{(host, port)} to connect from, or just
            a host; L{None} lets the system choose.
        """
        self._reactor = reactor
        self._host = host
        self._port = port
        self._sslContextFactory = sslContextFactory
        self._timeout = timeout
        self._bindAddress = _bindAddress(bindAddress)

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect, and start TLS.

        @param protocolFactory: Builds the application's protocol.
        @return: A Deferred firing with that protocol once the TCP
            connection is made (the handshake follows; its failure reaches
            the protocol's C{connectionLost}), or failing with a
            L{torsion.internet.error.ConnectError}; cancelling it stops the
            attempt.
        """
        wrapping = _WrappingFactory(protocolFactory)
        try:
            self._reactor.connectSSL(
                self._host,
                self._port,
                wrapping,
                self._sslContextFactory,
                timeout=self._timeout,
                bindAddress=self._bindAddress,
            )
        except BaseException:
            return fail()
        return wrapping.deferred

    def __repr__(self) -> str:
        return f"<SSL4ClientEndpoint {_hostPort(self._host, self._port)}>"


def _tlsFactory(creator: Any, isClient: bool, factory: IProtocolFactory, clock: Any) -> Any:
    from torsion.protocols._tls import TLSMemoryBIOFactory

    return TLSMemoryBIOFactory(creator, isClient, factory, clock)


def _applicationProtocol(tlsProtocol: Any) -> IProtocol:
    protocol: IProtocol = tlsProtocol.wrappedProtocol
    return protocol


@implementer(IStreamClientEndpoint)
class _TLSClientEndpoint:
    """
    TLS over another client endpoint (what L{wrapClientTLS} returns).
    """

    def __init__(self, creator: Any, wrapped: IStreamClientEndpoint, clock: Any) -> None:
        self._creator = creator
        self._wrapped = wrapped
        self._clock = clock

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Connect the wrapped endpoint, with TLS between it and the protocol.

        @param protocolFactory: Builds the application's protocol.
        @return: A Deferred firing with that protocol once the wrapped
            endpoint has connected, or failing as that endpoint's does.
        """
        try:
            tlsFactory = _tlsFactory(self._creator, True, protocolFactory, self._clock)
        except BaseException:
            return fail()
        return self._wrapped.connect(tlsFactory).addCallback(_applicationProtocol)

    def __repr__(self) -> str:
        return f"<TLS client endpoint over {self._wrapped!r}>"


@implementer(IStreamServerEndpoint)
class _TLSServerEndpoint:
    """
    TLS over another server endpoint (what L{wrapServerTLS} returns).
    """

    def __init__(self, creator: Any, wrapped: IStreamServerEndpoint, clock: Any) -> None:
        self._creator = creator
        self._wrapped = wrapped
        self._clock = clock

    def listen(self, protocolFactory: IProtocolFactory) -> Deferred[IListeningPort]:
        """
        Listen on the wrapped endpoint, with TLS on each connection.

        @param protocolFactory: Builds the application's protocol per
            connection.
        @return: The wrapped endpoint's Deferred.
        """
        try:
            tlsFactory = _tlsFactory(self._creator, False, protocolFactory, self._clock)
        except BaseException:
            return fail()
        return self._wrapped.listen(tlsFactory)

    def __repr__(self) -> str:
        return f"<TLS server endpoint over {self._wrapped!r}>"


def wrapClientTLS(
    connectionCreator: Any, wrappedEndpoint: IStreamClientEndpoint, clock: Any = None
) -> IStreamClientEndpoint:
    """
    An endpoint that connects with C{wrappedEndpoint} and then speaks TLS
    over the connection.

    Its C{connect(factory)} fires with the protocol C{factory} built, as
    soon as C{wrappedEndpoint} has connected, before the TLS handshake (as
    in Twisted): what the protocol writes meanwhile is sent once the
    handshake is done, and a failed handshake (a certificate that does not
    verify) reaches the protocol's C{connectionLost}.  A protocol providing
    L{torsion.internet.interfaces.IHandshakeListener} hears
    C{handshakeCompleted()}.

    @param connectionCreator: The client's TLS settings, usually
        C{optionsForClientTLS(hostname)}.
    @param wrappedEndpoint: The endpoint to connect with, such as a
        L{HostnameEndpoint}.
    @param clock: The L{IReactorTime} for the handshake timeout; by default
        the transport's reactor.
    @return: The endpoint.
    """
    return _TLSClientEndpoint(connectionCreator, wrappedEndpoint, clock)


def wrapServerTLS(
    connectionCreator: Any, wrappedEndpoint: IStreamServerEndpoint, clock: Any = None
) -> IStreamServerEndpoint:
    """
    An endpoint that listens with C{wrappedEndpoint} and speaks TLS on each
    connection.

    @param connectionCreator: The server's TLS settings, such as
        L{torsion.internet.ssl.CertificateOptions}.
    @param wrappedEndpoint: The endpoint to listen with, such as a
        L{TCP6ServerEndpoint}.
    @param clock: The L{IReactorTime} for the handshake timeout; by default
        the transport's reactor.
    @return: The endpoint.
    """
    return _TLSServerEndpoint(connectionCreator, wrappedEndpoint, clock)


__all__ = [
    "SSL4ClientEndpoint",
    "SSL4ServerEndpoint",
    "wrapClientTLS",
    "wrapServerTLS",
]
