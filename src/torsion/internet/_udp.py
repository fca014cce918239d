# UDP: datagram ports (IUDPTransport), and the reactor methods that make
# and adopt them.
#
# How it works
# ------------
# A Port owns one non-blocking SOCK_DGRAM socket and is a reader of the
# reactor.  startListening binds (or takes an adopted socket), attaches the
# DatagramProtocol with makeConnection (so doStart/startProtocol run, and may
# already write or connect()), then starts reading.  doRead reads up to
# `maxDatagramsPerRead` datagrams, and at most `maxThroughput` bytes, per
# readiness event, calling datagramReceived for each: one busy port cannot
# starve the others, and a burst costs one poll, not one per datagram.  An
# exception from datagramReceived is logged and the next datagram is read:
# one bad datagram never closes the port.  A datagram longer than
# maxPacketSize arrives cut to maxPacketSize bytes, as in Twisted.
#
# write() sends at once; nothing is buffered.  Errors are translated here,
# once:
# - EAGAIN/EWOULDBLOCK/ENOBUFS (the kernel's send queue is full): the
#   datagram is dropped, which is what UDP promises anyway.  Twisted raises
#   the OSError to the caller instead; a queue would only hide the loss and
#   grow without bound behind a peer that is not reading.
# - EMSGSIZE: MessageLengthError, raised to the caller.
# - ECONNREFUSED: an ICMP "port unreachable" came back for an earlier
#   datagram.  A connected port tells its protocol (connectionRefused(), or
#   connectionFailed(Failure(ConnectionRefusedError)) for a protocol that
#   only has that); an unconnected one ignores it.
# Host names are refused before sendto(), which would otherwise resolve
# them, blocking the reactor; the hosts already checked are remembered, so
# the usual write costs one set lookup on top of the system call.
#
# ICMP errors: recv() reports the pending error of a connected socket, and
# so does the next send().  poll() and epoll() report such a socket as
# POLLERR without POLLIN, which PollingReactor takes for "the read side is
# closed".  So the port is an IHalfCloseableDescriptor: readConnectionLost
# reads the pending error with SO_ERROR (clearing it), tells the protocol
# when it was a refusal, and starts reading again.  Without a pending error
# it really is the end, and the port closes.
#
# Closing: stopListening stops reading at once and closes the socket on the
# next reactor turn (a protocol may call it from datagramReceived); each
# caller gets a Deferred that fires once it is closed, and the protocol gets
# doStop.  The reactor's shutdown closes ports the same way.
#
# Multicast ports (a Port subclass) are in _multicast.py.
from __future__ import annotations

import errno
import os
import socket
import warnings
from collections.abc import Iterable
from typing import Any

from zope.interface import implementer

from torsion.internet._abstract import isIPv6Address
from torsion.internet._address import IPv4Address, IPv6Address
from torsion.internet._deferred import Deferred, succeed
from torsion.internet._errors import (
    CannotListenError,
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    InvalidAddressError,
    MessageLengthError,
    NotListeningError,
    UnsupportedAddressFamily,
    UnsupportedSocketType,
)
from torsion.internet._ireactor import IHalfCloseableDescriptor, IReadDescriptor
from torsion.internet._ireactornet import IReactorUDP
from torsion.internet._itransport import IListeningPort, IUDPTransport
from torsion.internet._reactorbase import _log
from torsion.python.failure import Failure

_READ_AGAIN = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR})
# Errors a datagram socket reports for one earlier datagram (mostly ICMP),
# or for a moment of memory pressure: the socket itself is fine.
_READ_TRANSIENT = frozenset(
    {
        errno.ECONNRESET,
        errno.EHOSTUNREACH,
        errno.EHOSTDOWN,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ENOBUFS,
        errno.ENOMEM,
        errno.EMSGSIZE,
        errno.ETIMEDOUT,
        errno.EPROTO,
    }
)
_SEND_DROPPED = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOBUFS})
_MAX_KNOWN_HOSTS = 1024


def _closedFileno() -> int:
    return -1


def _literalFamily(host: object) -> int | None:
    """
    @return: C{AF_INET} or C{AF_INET6} if C{host} is an address of that
        family (IPv6 with an optional C{%scope}), else L{None}.
    """
    if not isinstance(host, str):
        return None
    try:
        socket.inet_pton(socket.AF_INET, host)
    except OSError:
        pass
    else:
        return socket.AF_INET
    return socket.AF_INET6 if isIPv6Address(host) else None


def _familyForInterface(interface: str, call: str) -> socket.AddressFamily:
    family = _literalFamily(interface)
    if family == socket.AF_INET6:
        return socket.AF_INET6
    if family == socket.AF_INET or interface == "":
        return socket.AF_INET
    raise InvalidAddressError(
        interface,
        f"{call}() binds to an IPv4 or IPv6 address, not a host name; pass '' for "
        "every IPv4 address, '::' for every IPv6 one, or an address such as '127.0.0.1'",
    )


def _describe(addr: Any) -> str:
    if isinstance(addr, tuple) and len(addr) >= 2:
        host, port = addr[:2]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return repr(addr)


@implementer(IUDPTransport, IListeningPort, IReadDescriptor, IHalfCloseableDescriptor)
class Port:
    """
    A UDP socket: the transport of a L{DatagramProtocol} and its listening
    port.

    @ivar maxPacketSize: The largest datagram read; longer ones arrive cut.
    @ivar maxDatagramsPerRead: The most datagrams read per readiness event.
    @ivar maxThroughput: The most bytes read per readiness event.
    @ivar connected: 1 while the socket is open (listening), as in Twisted.
    """

    addressFamily: socket.AddressFamily = socket.AF_INET
    socketType: socket.SocketKind = socket.SOCK_DGRAM
    maxDatagramsPerRead = 256
    maxThroughput = 256 * 1024
    connected = 0
    disconnected = 0
    _preexistingSocket: socket.socket | None = None

    def __init__(
        self,
        port: int,
        proto: Any,
        interface: str = "",
        maxPacketSize: int = 8192,
        reactor: Any = None,
    ) -> None:
        """
        @param port: The port number to bind; 0 picks a free one.
        @param proto: The L{DatagramProtocol} to attach.
        @param interface: The IPv4 or IPv6 address to bind; C{""} for every
            IPv4 address.
        @param maxPacketSize: The largest datagram to read.
        @param reactor: The reactor; the global one if L{None}.
        @raise InvalidAddressError: If C{interface} is not an IP address.
        @raise ValueError: If C{maxPacketSize} is not positive.
        """
        if reactor is None:
            from torsion.internet import reactor as globalReactor

            reactor = globalReactor
        if maxPacketSize < 1:
            raise ValueError(
                f"maxPacketSize must be a positive number of bytes, not {maxPacketSize!r}"
            )
        self.reactor = reactor
        self.port = port
        self.protocol = proto
        self.interface = interface
        self.maxPacketSize = maxPacketSize
        self.addressFamily = _familyForInterface(interface, self._listenCall)
        self.socket: socket.socket | None = None
        self._realPortNumber: int | None = None
        self._connectedAddr: tuple[str, int] | None = None
        self._reading = False
        self._stopping = False
        self._waiting: list[Deferred[None]] = []
        self._knownHosts: set[str] = set()

    _listenCall = "listenUDP"

    @classmethod
    def _fromListeningDescriptor(
        cls,
        reactor: Any,
        fd: int,
        addressFamily: socket.AddressFamily,
        protocol: Any,
        maxPacketSize: int,
    ) -> Port:
        """
        A port over a duplicate of the bound datagram socket C{fd}.

        @raise UnsupportedAddressFamily: If the family is not IPv4 or IPv6,
            or is not the socket's.
        @raise UnsupportedSocketType: If the socket is not a datagram one.
        """
        if addressFamily not in (socket.AF_INET, socket.AF_INET6):
            raise UnsupportedAddressFamily(
                f"adoptDatagramPort() takes AF_INET or AF_INET6 sockets, not {addressFamily!r}"
            )
        duplicate = os.dup(fd)
        try:
            skt = socket.socket(fileno=duplicate)
        except OSError:
            os.close(duplicate)
            raise
        try:
            if skt.type != socket.SOCK_DGRAM:
                raise UnsupportedSocketType(
                    f"adoptDatagramPort() takes a SOCK_DGRAM socket, but descriptor {fd} "
                    f"is {skt.type!r}; use adoptStreamPort() for stream sockets"
                )
            if skt.family != addressFamily:
                raise UnsupportedAddressFamily(
                    f"adoptDatagramPort() was told descriptor {fd} is {addressFamily!r}, "
                    f"but it is {skt.family!r}; pass the socket's own family"
                )
        except BaseException:
            skt.close()
            raise
        interface = "::" if addressFamily == socket.AF_INET6 else ""
        self = cls(skt.getsockname()[1], protocol, interface, maxPacketSize, reactor)
        self._preexistingSocket = skt
        return self

    def __repr__(self) -> str:
        name = type(self.protocol).__name__
        if self._realPortNumber is None:
            return f"<{name} not connected>"
        return f"<{name} on {self._realPortNumber}>"

    # -- listening ------------------------------------------------------------

    def createInternetSocket(self) -> socket.socket:
        """
        @return: A new socket of the port's family, not yet bound.
        """
        return socket.socket(self.addressFamily, self.socketType)

    def startListening(self) -> None:
        """
        Bind the socket, attach the protocol and start reading.

        @raise CannotListenError: If the address cannot be bound.
        @raise RuntimeError: If the port is already listening.
        """
        if self.connected:
            raise RuntimeError(f"{self!r} is already listening")
        self._bindSocket()
        self._connectToProtocol()

    def _bindSocket(self) -> None:
        skt = self._preexistingSocket
        if skt is None:
            try:
                skt = self.createInternetSocket()
            except OSError as e:
                raise CannotListenError(self.interface, self.port, e) from e
            try:
                if self.addressFamily == socket.AF_INET6:
                    address: Any = socket.getaddrinfo(
                        self.interface,
                        self.port,
                        socket.AF_INET6,
                        socket.SOCK_DGRAM,
                        0,
                        socket.AI_NUMERICHOST,
                    )[0][4]
                else:
                    address = (self.interface, self.port)
                skt.bind(address)
            except OSError as e:
                skt.close()
                raise CannotListenError(self.interface, self.port, e) from e
        self._preexistingSocket = None
        skt.setblocking(False)
        self.socket = skt
        self._realPortNumber = skt.getsockname()[1]
        self.fileno = skt.fileno  # type: ignore[method-assign]  # speed: no wrapper call
        self.connected = 1
        self.disconnected = 0

    def _connectToProtocol(self) -> None:
        protocol = self.protocol
        try:
            protocol.makeConnection(self)
        except BaseException:
            # Nothing was started: give the socket back and let it raise.
            if getattr(protocol, "transport", None) is self:
                protocol.transport = None
            self._closeSocket()
            self._stopping = False
            self._fireWaiting()
            raise
        if not self._stopping:
            self.startReading()

    def fileno(self) -> int:
        """
        @return: The socket's descriptor; -1 when closed.
        """
        return -1

    def getHandle(self) -> socket.socket | None:
        """
        @return: The socket, or L{None} once closed.
        """
        return self.socket

    def startReading(self) -> None:
        """
        Receive datagrams (the reactor calls L{doRead} when there are some).
        """
        if not self._reading and self.socket is not None:
            self._reading = True
            self.reactor.addReader(self)

    def stopReading(self) -> None:
        """
        Stop receiving for now; datagrams wait in the kernel (or are dropped
        when its queue is full).
        """
        if self._reading:
            self._reading = False
            self.reactor.removeReader(self)

    # -- reading --------------------------------------------------------------

    def doRead(self) -> object:
        """
        Read the datagrams available (up to the per-event limits) and give
        each to the protocol.

        @return: L{None}, or the error that ends the port.
        """
        skt = self.socket
        if skt is None:
            return None
        recvfrom = skt.recvfrom
        size = self.maxPacketSize
        protocol = self.protocol
        ipv6 = self.addressFamily == socket.AF_INET6
        budget = self.maxThroughput
        for _ in range(self.maxDatagramsPerRead):
            try:
                data, addr = recvfrom(size)
            except OSError as e:
                return self._readFailed(e)
            if ipv6:
                addr = addr[:2]
            try:
                protocol.datagramReceived(data, addr)
            except Exception:
                _log.failure(
                    "{protocol!r}.datagramReceived raised on a datagram from {sender}; "
                    "the port goes on receiving:",
                    protocol=protocol,
                    sender=_describe(addr),
                )
            budget -= len(data)
            if budget <= 0 or not self._reading:
                break
        return None

    def _readFailed(self, e: OSError) -> object:
        if e.errno in _READ_AGAIN or e.errno in _READ_TRANSIENT:
            return None
        if e.errno == errno.ECONNREFUSED:
            if self._connectedAddr is not None:
                self._refused()
            return None
        return ConnectionLost(f"reading from {self!r}: {e.strerror or e}")

    def _refused(self) -> None:
        protocol = self.protocol
        try:
            refused = getattr(protocol, "connectionRefused", None)
            if refused is not None:
                refused()
                return
            failed = getattr(protocol, "connectionFailed", None)
            if failed is not None:
                host, port = self._connectedAddr or ("?", 0)
                failed(
                    Failure(
                        ConnectionRefusedError(
                            string=f"nothing listens on UDP {_describe((host, port))}"
                        )
                    )
                )
        except Exception:
            _log.failure("Error telling {protocol!r} its peer refused:", protocol=protocol)

    def readConnectionLost(self, reason: Failure) -> None:
        """
        The reactor saw an error condition and stopped reading: a pending
        socket error (such as an ICMP refusal) is handled and reading goes
        on; without one, the port closes.

        @param reason: What the reactor saw.
        """
        self._reading = False
        skt = self.socket
        if skt is None:
            return
        try:
            pending = skt.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        except OSError:
            pending = 0
        if not pending:
            self.connectionLost(reason)
            return
        if not self._stopping:
            self.startReading()
        if pending == errno.ECONNREFUSED and self._connectedAddr is not None:
            self._refused()

    def writeConnectionLost(self, reason: Failure) -> None:
        """
        Datagram sockets have no write side to lose: close the port.

        @param reason: Why.
        """
        self.connectionLost(reason)

    # -- writing --------------------------------------------------------------

    def write(self, datagram: bytes, addr: tuple[str, int] | None = None) -> None:
        """
        Send one datagram, now.  If the kernel's queue is full it is dropped,
        as UDP may drop any datagram; once the port is closed, writes are
        dropped too.

        @param datagram: The datagram.
        @param addr: The C{(host, port)} to send to, C{host} being an IP
            address of the port's family; L{None} (or the peer's address)
            once connected.
        @raise InvalidAddressError: If C{addr} is missing, a host name, of
            the other family, or not the connected peer.
        @raise MessageLengthError: If the datagram is too long to send.
        @raise TypeError: If C{datagram} is not bytes.
        """
        skt = self.socket
        if skt is None:
            return
        connected = self._connectedAddr
        try:
            if connected is None:
                if addr is None:
                    raise InvalidAddressError(
                        None,
                        f"{self!r} is not connected, so write() needs an address: "
                        "write(datagram, (host, port))",
                    )
                if addr[0] not in self._knownHosts:
                    self._checkDestination(addr)
                skt.sendto(datagram, addr)
            else:
                if addr is not None and addr != connected:
                    raise InvalidAddressError(
                        addr,
                        f"{self!r} is connected to {_describe(connected)} and can only "
                        "send there; call write(datagram) without an address",
                    )
                skt.send(datagram)
        except OSError as e:
            self._sendFailed(e, datagram, addr or connected)
        except TypeError as e:
            if not isinstance(datagram, bytes | bytearray | memoryview):
                raise TypeError(
                    f"{type(self).__name__}.write() takes bytes, not "
                    f"{type(datagram).__name__}; encode text first, e.g. "
                    "transport.write(text.encode('utf-8'), addr)"
                ) from None
            raise TypeError(
                f"{type(self).__name__}.write() takes the address as a (host, port) "
                f"tuple, not {addr!r}"
            ) from e

    def _checkDestination(self, addr: Any) -> None:
        if not isinstance(addr, tuple) or len(addr) not in (2, 4):
            raise TypeError(
                f"{type(self).__name__}.write() takes the address as a (host, port) "
                f"tuple, not {addr!r}"
            )
        host = addr[0]
        family = socket.AF_INET if host == "<broadcast>" else _literalFamily(host)
        if family is None:
            raise InvalidAddressError(
                host,
                "write() sends to IP addresses, not host names; resolve the name "
                "first (reactor.resolve(name)) and send to the address",
            )
        if family != self.addressFamily:
            mine = "IPv6" if self.addressFamily == socket.AF_INET6 else "IPv4"
            theirs = "IPv6" if family == socket.AF_INET6 else "IPv4"
            raise InvalidAddressError(
                host,
                f"an {mine} port cannot send to an {theirs} address; listen on "
                f"{'::' if theirs == 'IPv6' else '0.0.0.0'} (or a specific {theirs} "
                "address) to send there",
            )
        if len(self._knownHosts) >= _MAX_KNOWN_HOSTS:
            self._knownHosts.clear()
        self._knownHosts.add(host)

    def _sendFailed(self, e: OSError, datagram: bytes, addr: Any) -> None:
        code = e.errno
        if code in _SEND_DROPPED:
            return
        if code == errno.ECONNREFUSED:
            if self._connectedAddr is not None:
                self._refused()
            return
        where = _describe(addr)
        if code == errno.EMSGSIZE:
            raise MessageLengthError(
                f"a datagram of {len(datagram)} bytes is too long to send to {where} "
                f"({e.strerror}); UDP carries at most 65,507 bytes over IPv4 (65,527 "
                "over IPv6) and often less on the path: split the data into smaller "
                "datagrams"
            ) from e
        hint = ""
        if code == errno.EACCES and not self.getBroadcastAllowed():
            hint = "; to send to a broadcast address, call setBroadcastAllowed(True) first"
        raise OSError(code, f"{e.strerror}: sending {len(datagram)} bytes to {where}{hint}") from e

    def writeSequence(self, seq: Iterable[bytes], addr: tuple[str, int] | None = None) -> None:
        """
        Send the chunks of C{seq}, joined, as one datagram.

        @param seq: The chunks.
        @param addr: As for L{write}.
        """
        self.write(b"".join(seq), addr)

    def connect(self, host: str, port: int) -> None:
        """
        Exchange datagrams with C{host}:C{port} only: write() then takes no
        address, and ICMP refusals reach the protocol's C{connectionRefused}.

        @param host: The peer's IP address (not a host name).
        @param port: The peer's port.
        @raise RuntimeError: If already connected, or not listening.
        @raise InvalidAddressError: If C{host} is not an IP address of the
            port's family.
        """
        if self._connectedAddr is not None:
            raise RuntimeError(
                f"{self!r} is already connected to {_describe(self._connectedAddr)}; "
                "a UDP port connects once: listen on another port for another peer"
            )
        family = _literalFamily(host)
        if family is None:
            raise InvalidAddressError(
                host,
                "connect() takes an IPv4 or IPv6 address, not a host name; resolve "
                "it first with reactor.resolve(name)",
            )
        if family != self.addressFamily:
            self._checkDestination((host, port))
        skt = self.socket
        if skt is None:
            raise NotListeningError(f"{self!r} is not listening, so it cannot connect()")
        try:
            skt.connect((host, port))
        except OSError as e:
            raise OSError(e.errno, f"{e.strerror}: connecting to {_describe((host, port))}") from e
        self._connectedAddr = (host, port)

    # -- addresses and options ------------------------------------------------

    def _openSocket(self) -> socket.socket:
        skt = self.socket
        if skt is None:
            raise NotListeningError(f"{self!r} is not listening (it was stopped, or never started)")
        return skt

    def getHost(self) -> IPv4Address | IPv6Address:
        """
        @return: The address the socket is bound to.
        @raise NotListeningError: If the port is closed.
        """
        name = self._openSocket().getsockname()
        if self.addressFamily == socket.AF_INET6:
            return IPv6Address("UDP", name[0], name[1], name[2], name[3])
        return IPv4Address("UDP", name[0], name[1])

    def setBroadcastAllowed(self, enabled: bool) -> None:
        """
        Allow or forbid sending to broadcast addresses (SO_BROADCAST).

        @param enabled: The new setting.
        """
        self._openSocket().setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, int(bool(enabled)))

    def getBroadcastAllowed(self) -> bool:
        """
        @return: Whether sending to broadcast addresses is allowed.
        """
        return bool(self._openSocket().getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST))

    def logPrefix(self) -> str:
        """
        @return: The protocol's class name and "(UDP)".
        """
        return f"{type(self.protocol).__name__} (UDP)"

    # -- closing --------------------------------------------------------------

    def stopListening(self) -> Deferred[None]:
        """
        Stop receiving and close the socket on the next reactor turn.

        @return: A Deferred that fires once the port is closed (at once if
            it is not listening).
        """
        if not self.connected:
            return succeed(None)
        closed: Deferred[None] = Deferred()
        self._waiting.append(closed)
        if not self._stopping:
            self._stopping = True
            self.stopReading()
            self.reactor.callLater(0, self.connectionLost, Failure(ConnectionDone()))
        return closed

    def loseConnection(self) -> None:
        """
        Deprecated: use L{stopListening}.
        """
        warnings.warn(
            "Port.loseConnection() is deprecated; use stopListening()",
            DeprecationWarning,
            stacklevel=2,
        )
        self.stopListening()

    def _closeSocket(self) -> None:
        self.stopReading()
        skt, self.socket = self.socket, None
        if skt is not None:
            skt.close()
        self.fileno = _closedFileno  # type: ignore[method-assign]
        self._realPortNumber = None
        self.connected = 0
        self.disconnected = 1

    def connectionLost(self, reason: Failure | None = None) -> None:
        """
        Close the socket, detach the protocol (C{doStop}) and fire the
        Deferreds of L{stopListening}; called once, by the reactor.

        @param reason: Why the port closed.
        """
        if self.socket is None:
            return
        self._closeSocket()
        self._stopping = False
        try:
            self.protocol.doStop()
        except Exception:
            _log.failure("Error stopping {protocol!r}:", protocol=self.protocol)
        finally:
            self._fireWaiting()

    def _fireWaiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for closed in waiting:
            closed.callback(None)


@implementer(IReactorUDP)
class UDPReactorMixin:
    """
    The reactor methods that make UDP ports and adopt bound datagram
    sockets.  Mixed into L{PosixNetworkMixin}.
    """

    def listenUDP(
        self, port: int, protocol: Any, interface: str = "", maxPacketSize: int = 8192
    ) -> Port:
        """
        Bind a UDP socket to C{interface}:C{port} and attach C{protocol}.

        @param port: The port number; 0 picks a free one.
        @param protocol: The L{DatagramProtocol}; its transport is the port.
        @param interface: The IPv4 or IPv6 address to bind; C{""} for every
            IPv4 address, C{"::"} for every IPv6 one.
        @param maxPacketSize: The largest datagram to read.
        @return: The listening port (an L{IUDPTransport}).
        @raise CannotListenError: If it cannot bind.
        """
        listening = Port(port, protocol, interface, maxPacketSize, self)
        listening.startListening()
        return listening

    def adoptDatagramPort(
        self,
        fileDescriptor: int,
        addressFamily: socket.AddressFamily,
        protocol: Any,
        maxPacketSize: int = 8192,
    ) -> Port:
        """
        Receive datagrams on a bound datagram socket made elsewhere.  The
        port uses a duplicate of the descriptor: the caller closes its own.

        @param fileDescriptor: The bound socket's descriptor.
        @param addressFamily: C{AF_INET} or C{AF_INET6}.
        @param protocol: The L{DatagramProtocol} to attach.
        @param maxPacketSize: The largest datagram to read.
        @return: The listening port.
        @raise UnsupportedAddressFamily: If the family is not IPv4 or IPv6.
        @raise UnsupportedSocketType: If the socket is not a datagram one.
        """
        listening = Port._fromListeningDescriptor(
            self, fileDescriptor, addressFamily, protocol, maxPacketSize
        )
        listening.startListening()
        return listening


__all__ = ["Port", "UDPReactorMixin"]
