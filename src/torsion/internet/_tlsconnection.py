# TLS on the reactor's stream connections: reactor.listenSSL/connectSSL, and
# transport.startTLS for protocols that upgrade a live connection
# (STARTTLS).
#
# listenSSL/connectSSL are listenTCP/connectTCP with the factory wrapped in
# a TLSMemoryBIOFactory: the application's protocol sees the
# TLSMemoryBIOProtocol as its transport.
#
# startTLS cannot change the application protocol's transport (the protocol
# holds it), so it changes the connection instead:
#   - a TLSMemoryBIOProtocol is put between the connection and the
#     application protocol (connection.protocol = the TLS protocol);
#   - its transport is a _RawTransport, which writes ciphertext to the
#     connection's own buffer (after any plaintext written before startTLS,
#     so ordering holds) and forwards everything else;
#   - the connection's write, writeSequence, loseConnection,
#     loseWriteConnection, pause/resumeProducing, producer registration and
#     getHandle (the ssl.SSLObject from then on, as on listenSSL
#     connections) become instance attributes calling the TLS protocol, so the
#     application's calls are encrypted while connections without TLS keep
#     their plain (fast) methods.  _RawTransport calls the class's methods,
#     which the instance attributes do not shadow.
# Bytes the application protocol received but has not handled yet belong
# after the STARTTLS command, so to the handshake, never to the plaintext
# conversation (treating them as plaintext is the STARTTLS command
# injection hole).  The framing protocols of torsion.protocols.basic
# (LineReceiver, LineOnlyReceiver, NetstringReceiver, IntNStringReceiver)
# have a _takeUnreadBytes() method; startTLS takes those bytes with it and
# gives them to TLS, and the protocol's delivery loop stops there.
from __future__ import annotations

from typing import Any

from zope.interface import alsoProvides, implementer

from torsion.internet._factory import Factory
from torsion.internet._ireactornet import IReactorSSL
from torsion.internet._itransport import ISSLTransport


class _RawTransport:
    """
    The TLS protocol's view of a connection that started TLS: ciphertext
    goes straight into the connection's buffer.
    """

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._cls = type(connection)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._connection, name)

    def write(self, data: bytes) -> None:
        self._cls.write(self._connection, data)

    def writeSequence(self, data: Any) -> None:
        self._cls.writeSequence(self._connection, data)

    def loseConnection(self) -> None:
        self._cls.loseConnection(self._connection)

    def loseWriteConnection(self) -> None:
        self._cls.loseWriteConnection(self._connection)

    def pauseProducing(self) -> None:
        self._cls.pauseProducing(self._connection)

    def resumeProducing(self) -> None:
        self._cls.resumeProducing(self._connection)

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        self._cls.registerProducer(self._connection, producer, streaming)

    def unregisterProducer(self) -> None:
        self._cls.unregisterProducer(self._connection)

    def getHandle(self) -> Any:
        return self._cls.getHandle(self._connection)


_SHADOWED = (
    "write",
    "writeSequence",
    "loseConnection",
    "loseWriteConnection",
    "pauseProducing",
    "resumeProducing",
    "registerProducer",
    "unregisterProducer",
    "getHandle",
)


def startTLS(connection: Any, contextFactory: Any, normal: bool = True) -> None:
    """
    Switch C{connection} to TLS; see L{TLSConnectionMixin.startTLS}.
    """
    from torsion.internet._tcp import Client
    from torsion.protocols._tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol

    if connection.TLS:
        raise RuntimeError(f"{connection!r} already started TLS; startTLS() may be called once")
    if not connection.connected or connection.disconnecting:
        raise RuntimeError(f"cannot start TLS on {connection!r}: it is closing or closed")
    isClient = isinstance(connection, Client) == bool(normal)
    address = getattr(connection, "_addr", None) if isinstance(connection, Client) else None
    hostname = address[0] if isinstance(address, tuple) and isinstance(address[0], str) else None
    factory = TLSMemoryBIOFactory(
        contextFactory, isClient, Factory(), serverHostname=hostname if isClient else None
    )
    appProtocol = connection.protocol
    tlsProtocol = TLSMemoryBIOProtocol(factory, appProtocol, _connectWrapped=False)
    connection.protocol = tlsProtocol
    connection.TLS = True
    connection._tlsProtocol = tlsProtocol
    for name in _SHADOWED:
        setattr(connection, name, getattr(tlsProtocol, name))
    alsoProvides(connection, ISSLTransport)
    tlsProtocol.makeConnection(_RawTransport(connection))  # type: ignore[arg-type]
    take = getattr(appProtocol, "_takeUnreadBytes", None)
    if callable(take):
        leftover = take()
        if leftover:
            tlsProtocol.dataReceived(leftover)


class TLSConnectionMixin:
    """
    C{startTLS} and the TLS accessors for stream connections
    (ITLSTransport).

    @ivar TLS: Whether TLS has started.
    """

    TLS = False
    _tlsProtocol: Any = None

    def startTLS(self, contextFactory: Any, normal: bool = True) -> None:
        """
        Encrypt the connection from now on: bytes written before this call
        go out in plaintext first, bytes written after it are encrypted.

        @param contextFactory: The TLS settings (see L{torsion.internet.ssl}).
        @param normal: True (the default) makes this end the TLS client if
            it made the connection and the TLS server if it accepted it;
            False swaps the roles.
        @raise RuntimeError: If TLS has already started, or the connection
            is closing.
        """
        startTLS(self, contextFactory, normal)

    def getPeerCertificate(self) -> Any:
        """
        @return: The peer's certificate once TLS is up, else L{None}.
        """
        if self._tlsProtocol is None:
            return None
        return self._tlsProtocol.getPeerCertificate()

    @property
    def negotiatedProtocol(self) -> bytes | None:
        """
        The ALPN protocol chosen, once TLS is up; else L{None}.
        """
        if self._tlsProtocol is None:
            return None
        chosen: bytes | None = self._tlsProtocol.negotiatedProtocol
        return chosen


@implementer(IReactorSSL)
class SSLReactorMixin:
    """
    C{listenSSL} and C{connectSSL}: TCP with TLS on top.
    """

    def listenSSL(
        self,
        port: int,
        factory: Any,
        contextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> Any:
        """
        Listen for TLS connections on C{interface}:C{port}.

        @param contextFactory: The server's TLS settings, such as
            C{CertificateOptions(privateKey=..., certificate=...)}.
        @return: The listening port.
        """
        from torsion.protocols._tls import TLSMemoryBIOFactory

        wrapped = TLSMemoryBIOFactory(contextFactory, False, factory)
        return self.listenTCP(port, wrapped, backlog, interface)  # type: ignore[attr-defined]

    def connectSSL(
        self,
        host: str,
        port: int,
        factory: Any,
        contextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> Any:
        """
        Connect to a TLS server at C{host}:C{port}.

        @param contextFactory: The client's TLS settings, such as
            C{optionsForClientTLS("example.com")}; an old-style context
            factory is given C{host} to send and verify.
        @return: The connector.
        """
        from torsion.protocols._tls import TLSMemoryBIOFactory

        wrapped = TLSMemoryBIOFactory(contextFactory, True, factory, serverHostname=host)
        return self.connectTCP(host, port, wrapped, timeout, bindAddress)  # type: ignore[attr-defined]


__all__ = ["SSLReactorMixin", "TLSConnectionMixin", "startTLS"]
