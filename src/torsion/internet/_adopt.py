# Adopting stream sockets made elsewhere: a listening socket inherited from
# a parent (pre-forked servers, systemd-style socket activation) or a
# connected one received over a UNIX socket.
#
# How it works
# ------------
# Each adopt* call first checks what the descriptor really is, so that a
# mistake fails at once with an error naming the descriptor, instead of
# later as an odd I/O error in the reactor:
#   - the family argument must be one we serve (AF_INET, AF_INET6, AF_UNIX):
#     UnsupportedAddressFamily;
#   - the descriptor must be open (ValueError) and a socket (ENOTSOCK:
#     UnsupportedSocketType), of type SOCK_STREAM (UnsupportedSocketType) and
#     of the family the caller said (UnsupportedAddressFamily);
#   - its listening state must fit the call (SO_ACCEPTCONN, where the
#     platform has it): a port needs a listening socket, a connection one
#     that is not (AlreadyListened either way), and a connection must be
#     connected (ValueError).
# The reactor works on a duplicate (os.dup), so the caller keeps, and
# should close, its own descriptor.  The duplicate shares the open file
# description: making it non-blocking makes the caller's copy non-blocking
# too.
#
# The transports are the TCP and UNIX ones (_tcp.py, _unix.py), entered
# after the point where they would have bound or connected: an adopted port
# starts listening with the socket as it is (and, for UNIX, never removes a
# socket file it did not create); an adopted connection is connected
# already, with no Port or Connector behind it, and its factory's
# doStart/doStop are not called, as there is no moment that would mean.
from __future__ import annotations

import errno
import os
import socket
from typing import Any, Generic, TypeVar

from torsion.internet import _tcp, _unix
from torsion.internet._address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet._errors import (
    AlreadyListened,
    UnsupportedAddressFamily,
    UnsupportedSocketType,
)
from torsion.internet._reactorbase import _log
from torsion.python.failure import Failure

_FAMILIES = {
    socket.AF_INET: "AF_INET",
    socket.AF_INET6: "AF_INET6",
    socket.AF_UNIX: "AF_UNIX",
}
_SO_ACCEPTCONN: int | None = getattr(socket, "SO_ACCEPTCONN", None)
# The address type of an adopted connection (IP or UNIX).
_A = TypeVar("_A")


def _familyName(family: int) -> str:
    try:
        return socket.AddressFamily(family).name
    except ValueError:
        return str(family)


def _typeName(kind: int) -> str:
    try:
        return socket.SocketKind(kind).name
    except ValueError:
        return str(kind)


def _adoptSocket(call: str, fd: int, family: int) -> socket.socket:
    """
    A socket object over a duplicate of C{fd}, once it is known to be a
    stream socket of C{family}.

    @param call: The reactor method's name, for messages.
    @raise UnsupportedAddressFamily: If C{family} is not served, or is not
        the socket's.
    @raise UnsupportedSocketType: If C{fd} is not a stream socket.
    @raise ValueError: If C{fd} is not an open descriptor.
    """
    if family not in _FAMILIES:
        raise UnsupportedAddressFamily(
            f"{call}() takes AF_INET, AF_INET6 or AF_UNIX sockets, not {_familyName(family)}"
        )
    try:
        duplicate = os.dup(fd)
    except OSError as e:
        raise ValueError(
            f"{call}() was given descriptor {fd}, which is not open ({e.strerror}); "
            "pass the fileno() of an open socket"
        ) from e
    try:
        skt = socket.socket(fileno=duplicate)
    except OSError as e:
        os.close(duplicate)
        if e.errno == errno.ENOTSOCK:
            raise UnsupportedSocketType(
                f"{call}() was given descriptor {fd}, which is not a socket"
            ) from e
        raise
    try:
        if skt.type != socket.SOCK_STREAM:
            hint = "; use adoptDatagramPort() for it" if skt.type == socket.SOCK_DGRAM else ""
            raise UnsupportedSocketType(
                f"{call}() takes SOCK_STREAM sockets, but descriptor {fd} is "
                f"{_typeName(skt.type)}{hint}"
            )
        if skt.family != family:
            raise UnsupportedAddressFamily(
                f"{call}() was told descriptor {fd} is {_familyName(family)}, but it is "
                f"{_familyName(skt.family)}; pass the socket's own family"
            )
    except BaseException:
        skt.close()
        raise
    return skt


def _isListening(skt: socket.socket) -> bool | None:
    """
    @return: Whether C{skt} listens; L{None} where the platform cannot say.
    """
    if _SO_ACCEPTCONN is None:
        return None
    try:
        return bool(skt.getsockopt(socket.SOL_SOCKET, _SO_ACCEPTCONN))
    except OSError:
        return None


def _startListening(port: _tcp.Port, skt: socket.socket) -> None:
    """
    Make C{port} accept on the already-listening C{skt}.
    """
    if port.connected:
        raise RuntimeError(f"{port!r} is already listening")
    if skt.fileno() < 0:
        raise RuntimeError(
            f"{port!r} cannot listen again: its adopted socket was closed when it stopped "
            "listening; adopt the descriptor again with adoptStreamPort()"
        )
    port._startAccepting(skt)


class AdoptedTCPPort(_tcp.Port):
    """
    A TCP port accepting on a listening socket made elsewhere.
    """

    def __init__(self, skt: socket.socket, factory: Any, reactor: Any) -> None:
        """
        @param skt: The listening socket (a duplicate the port owns).
        @param factory: Builds a protocol per connection.
        @param reactor: The reactor.
        """
        host, number = skt.getsockname()[:2]
        super().__init__(number, factory, interface=host, reactor=reactor)
        self.addressFamily = socket.AddressFamily(skt.family)
        self._adopted = skt

    def startListening(self) -> None:
        """
        Start accepting (the socket is bound and listening already).

        @raise RuntimeError: If the port is already listening, or stopped
            listening (which closed its socket).
        """
        self._realPortNumber = self.port
        _startListening(self, self._adopted)


class AdoptedUNIXPort(_unix.Port):
    """
    A UNIX port accepting on a listening socket made elsewhere; its socket
    file belongs to whoever made it and is left in place.
    """

    def __init__(self, skt: socket.socket, factory: Any, reactor: Any) -> None:
        """
        @param skt: The listening socket (a duplicate the port owns).
        @param factory: Builds a protocol per connection.
        @param reactor: The reactor.
        """
        super().__init__(skt.getsockname(), factory, reactor=reactor)
        self._adopted = skt

    def startListening(self) -> None:
        """
        Start accepting (the socket is bound and listening already).

        @raise RuntimeError: If the port is already listening, or stopped
            listening (which closed its socket).
        """
        _startListening(self, self._adopted)


class _AdoptedConnection(_tcp.Connection, Generic[_A]):
    """
    The transport of a connected socket made elsewhere: connected, and
    reading, from the start.
    """

    def __init__(
        self,
        skt: socket.socket,
        protocol: Any,
        host: _A,
        peer: _A,
        reactor: Any,
    ) -> None:
        """
        @param skt: The connected socket (a duplicate the transport owns).
        @param protocol: The protocol it carries.
        @param host: This end's address.
        @param peer: The other end's address.
        @param reactor: The reactor.
        """
        super().__init__(skt, protocol, reactor)
        self._setAddresses(host, peer)
        self.connected = 1
        self.startReading()

    def _setAddresses(self, host: _A, peer: _A) -> None:
        """
        Keep the addresses where C{getHost} and C{getPeer} find them.
        """
        raise NotImplementedError


class AdoptedTCPConnection(_AdoptedConnection[IPv4Address | IPv6Address]):
    """
    The transport of a connected TCP socket made elsewhere.
    """

    def _setAddresses(
        self, host: IPv4Address | IPv6Address, peer: IPv4Address | IPv6Address
    ) -> None:
        self._host = host
        self._peer = peer

    def __repr__(self) -> str:
        return f"<{self.logPrefix()} adopted, to {self._peer.host}:{self._peer.port}>"


class AdoptedUNIXConnection(_AdoptedConnection[UNIXAddress], _unix.Connection):
    """
    The transport of a connected UNIX socket made elsewhere (one end of a
    socketpair, say).
    """

    def _setAddresses(self, host: UNIXAddress, peer: UNIXAddress) -> None:
        self._unixHost = host
        self._unixPeer = peer

    def __repr__(self) -> str:
        return f"<{self.logPrefix()} adopted, to {self._unixPeer!r}>"


def _unixAddress(name: Any) -> UNIXAddress:
    return UNIXAddress(name or None)


class SocketAdoptionMixin:
    """
    adoptStreamPort and adoptStreamConnection (the stream half of
    IReactorSocket), for reactors with descriptor-based I/O.
    """

    def adoptStreamPort(
        self,
        fileDescriptor: int,
        addressFamily: socket.AddressFamily,
        factory: Any,
    ) -> AdoptedTCPPort | AdoptedUNIXPort:
        """
        Accept connections on a listening stream socket made elsewhere.

        The port works on a duplicate of the descriptor: the caller keeps
        its own and should close it.  The socket is made non-blocking (and
        the caller's copy with it: they share one open file).

        @param fileDescriptor: The socket, bound and listening.
        @param addressFamily: Its family: C{AF_INET}, C{AF_INET6} or
            C{AF_UNIX}.
        @param factory: Builds a protocol per accepted connection.
        @return: The listening port (L{IListeningPort}).
        @raise UnsupportedAddressFamily: If the family is not one of those,
            or not the socket's.
        @raise UnsupportedSocketType: If the descriptor is not a stream
            socket.
        @raise AlreadyListened: If the socket is not listening.
        @raise ValueError: If the descriptor is not open.
        """
        skt = _adoptSocket("adoptStreamPort", fileDescriptor, addressFamily)
        try:
            if _isListening(skt) is False:
                raise AlreadyListened(
                    f"adoptStreamPort() needs a listening socket, but descriptor "
                    f"{fileDescriptor} is not listening; call listen() on it first, or "
                    "adopt a connected socket with adoptStreamConnection()"
                )
            port: AdoptedTCPPort | AdoptedUNIXPort
            if addressFamily == socket.AF_UNIX:
                port = AdoptedUNIXPort(skt, factory, self)
            else:
                port = AdoptedTCPPort(skt, factory, self)
            port.startListening()
        except BaseException:
            skt.close()
            raise
        return port

    def adoptStreamConnection(
        self,
        fileDescriptor: int,
        addressFamily: socket.AddressFamily,
        factory: Any,
    ) -> None:
        """
        Run a protocol over a connected stream socket made elsewhere.

        The factory's C{buildProtocol} is called with the peer's address;
        its C{doStart}/C{doStop} are not called.  The transport works on a
        duplicate of the descriptor: the caller keeps its own and should
        close it.

        @param fileDescriptor: The connected socket.
        @param addressFamily: Its family: C{AF_INET}, C{AF_INET6} or
            C{AF_UNIX}.
        @param factory: Builds the connection's protocol.
        @raise UnsupportedAddressFamily: If the family is not one of those,
            or not the socket's.
        @raise UnsupportedSocketType: If the descriptor is not a stream
            socket.
        @raise AlreadyListened: If the socket is a listening one.
        @raise ValueError: If the descriptor is not open, or the socket is
            not connected.
        """
        skt = _adoptSocket("adoptStreamConnection", fileDescriptor, addressFamily)
        try:
            if _isListening(skt):
                raise AlreadyListened(
                    f"adoptStreamConnection() needs a connected socket, but descriptor "
                    f"{fileDescriptor} is listening; adopt it with adoptStreamPort()"
                )
            try:
                peerName = skt.getpeername()
            except OSError as e:
                raise ValueError(
                    f"adoptStreamConnection() needs a connected socket, but descriptor "
                    f"{fileDescriptor} is not connected ({e.strerror}); connect it first"
                ) from e
            hostName = skt.getsockname()
            host: Any
            peer: Any
            if addressFamily == socket.AF_UNIX:
                host, peer = _unixAddress(hostName), _unixAddress(peerName)
            else:
                host, peer = (
                    _tcp._address(addressFamily, hostName),
                    _tcp._address(addressFamily, peerName),
                )
            protocol = factory.buildProtocol(peer)
        except BaseException:
            skt.close()
            raise
        if protocol is None:
            skt.close()
            return
        transport: AdoptedTCPConnection | AdoptedUNIXConnection
        if addressFamily == socket.AF_UNIX:
            transport = AdoptedUNIXConnection(skt, protocol, host, peer, self)
        else:
            transport = AdoptedTCPConnection(skt, protocol, host, peer, self)
        try:
            protocol.makeConnection(transport)
        except BaseException:
            _log.failure("Error in connectionMade of {protocol!r}:", protocol=protocol)
            transport.connectionLost(Failure())


__all__ = [
    "AdoptedTCPConnection",
    "AdoptedTCPPort",
    "AdoptedUNIXConnection",
    "AdoptedUNIXPort",
    "SocketAdoptionMixin",
]
