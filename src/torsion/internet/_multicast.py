# Multicast UDP ports (IMulticastTransport): a Port (see _udp.py) with the
# IP_MULTICAST_* options and group membership, and listenMulticast.
#
# How it works
# ------------
# Each method is one setsockopt/getsockopt on the port's socket, at the
# level of the port's family.  IPv4 groups and interfaces may be host names,
# resolved with reactor.resolve as in Twisted (so joinGroup,
# leaveGroup and setOutgoingInterface answer with Deferreds; for literal
# addresses they have fired on return).  IPv4 options that are a byte in
# BSD's API (TTL, loopback) are set as one byte, which Linux accepts too.
#
# IPv6 multicast, which Twisted lacks, works on a port bound to an IPv6
# address (listenMulticast(port, proto, "::")): the group is an IPv6
# literal, and an interface is named by its name ("lo"), its index, or one
# of its IPv6 addresses (looked up in /proc/net/if_inet6 on Linux, as the
# standard library has no getifaddrs); "" lets the routing table choose.
#
# Errors: joining a group twice, leaving one not joined, or a group that is
# not a multicast address fail the Deferred with MulticastJoinError, whose
# message names the group and interface.
from __future__ import annotations

import errno
import ipaddress
import socket
import struct
from collections.abc import Callable
from typing import Any, cast

from zope.interface import implementer

from torsion.internet._abstract import isIPv6Address
from torsion.internet._deferred import Deferred, fail, succeed
from torsion.internet._errors import MulticastJoinError, NotListeningError
from torsion.internet._ireactornet import IReactorMulticast
from torsion.internet._itransport import IMulticastTransport
from torsion.internet._udp import Port, _literalFamily


class MulticastMixin:
    """
    The multicast options of a UDP port (IPv4, and IPv6 for a port bound to
    an IPv6 interface).
    """

    addressFamily: socket.AddressFamily
    reactor: Any
    _openSocket: Callable[[], socket.socket]

    def _ipv6(self) -> bool:
        return self.addressFamily == socket.AF_INET6

    def getOutgoingInterface(self) -> str:
        """
        @return: The IPv4 address of the interface multicast datagrams leave
            by (C{"0.0.0.0"}: the routing table decides); for IPv6, its name
            (C{""}: the routing table decides).
        """
        skt = self._openSocket()
        if self._ipv6():
            index = skt.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF)
            return socket.if_indextoname(index) if index else ""
        return socket.inet_ntoa(skt.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4))

    def setOutgoingInterface(self, addr: str) -> Deferred[int]:
        """
        Choose the interface multicast datagrams leave by.

        @param addr: For IPv4, the interface's address (or a name that
            resolves to it); for IPv6, its name, index or address.
        @return: A Deferred that fires with 1 once it is set.
        """
        skt = self._openSocket()
        if self._ipv6():
            try:
                index = _interfaceIndex(addr)
                skt.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
            except (OSError, ValueError) as e:
                return fail(_optionError(e, f"sending multicast from interface {addr!r}"))
            return succeed(1)

        if isIPv6Address(addr):
            return fail(
                ValueError(
                    f"{addr!r} is an IPv6 address, but this port is IPv4: pass an IPv4 "
                    "interface address, or listen on an IPv6 address for IPv6 multicast"
                )
            )

        def setIt(address: str) -> int:
            try:
                skt.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, _packIPv4(address))
            except OSError as e:
                raise _optionError(
                    e, f"sending multicast from {address} (it must be this host's)"
                ) from e
            return 1

        return self.reactor.resolve(addr).addCallback(setIt)  # type: ignore[no-any-return]

    def getLoopbackMode(self) -> bool:
        """
        @return: Whether this host receives the multicast datagrams it sends.
        """
        skt = self._openSocket()
        if self._ipv6():
            return bool(skt.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP))
        return bool(skt.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)[0])

    def setLoopbackMode(self, mode: bool) -> None:
        """
        Choose whether this host receives the multicast datagrams it sends.

        @param mode: The new setting.
        """
        skt = self._openSocket()
        if self._ipv6():
            skt.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, int(bool(mode)))
        else:
            skt.setsockopt(
                socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, struct.pack("B", bool(mode))
            )

    def getTTL(self) -> int:
        """
        @return: How many hops multicast datagrams may travel.
        """
        skt = self._openSocket()
        if self._ipv6():
            return skt.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS)
        return skt.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)[0]

    def setTTL(self, ttl: int) -> None:
        """
        Set how many hops multicast datagrams may travel (0: this host only).

        @param ttl: The hop count, from 0 to 255.
        @raise ValueError: If C{ttl} is out of range.
        """
        if not isinstance(cast(object, ttl), int) or not 0 <= ttl <= 255:
            raise ValueError(f"setTTL() takes a hop count from 0 to 255, not {ttl!r}")
        skt = self._openSocket()
        if self._ipv6():
            skt.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
        else:
            skt.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, struct.pack("B", ttl))

    def joinGroup(self, addr: str, interface: str = "") -> Deferred[None]:
        """
        Join the multicast group C{addr} on C{interface}.

        @param addr: The group: an IPv4 address (or a name resolving to one),
            or an IPv6 address for an IPv6 port.
        @param interface: The interface: for IPv4 its address (C{""}: the
            routing table decides); for IPv6 its name, index or address.
        @return: A Deferred that fires once joined, or fails with
            L{MulticastJoinError}.
        """
        return self._membership(addr, interface, True)

    def leaveGroup(self, addr: str, interface: str = "") -> Deferred[None]:
        """
        Leave the multicast group C{addr}, joined on C{interface}.

        @param addr: The group, as given to L{joinGroup}.
        @param interface: The interface, as given to L{joinGroup}.
        @return: A Deferred that fires once left, or fails with
            L{MulticastJoinError}.
        """
        return self._membership(addr, interface, False)

    def _membership(self, addr: str, interface: str, join: bool) -> Deferred[None]:
        try:
            skt = self._openSocket()
        except NotListeningError as e:
            return fail(e)
        if self._ipv6():
            try:
                self._changeIPv6(skt, addr, interface, join)
            except MulticastJoinError as e:
                return fail(e)
            return succeed(None)
        if isIPv6Address(addr) or isIPv6Address(interface):
            # Refused now: reactor.resolve would look IPv6 text up as a name.
            try:
                _changeIPv4(skt, addr, interface, join)
            except MulticastJoinError as e:
                return fail(e)
        reactor = self.reactor

        def groupResolved(group: str) -> Deferred[None]:
            return reactor.resolve(interface).addCallback(  # type: ignore[no-any-return]
                lambda local: _changeIPv4(skt, group, local, join)
            )

        return reactor.resolve(addr).addCallback(groupResolved)  # type: ignore[no-any-return]

    def _changeIPv6(self, skt: socket.socket, group: str, interface: str, join: bool) -> None:
        if _literalFamily(group) != socket.AF_INET6 or not _isMulticast(group):
            raise MulticastJoinError(
                f"{group!r} is not an IPv6 multicast group address (ff00::/8, such as "
                "'ff15::1'); an IPv6 port joins IPv6 groups"
            )
        try:
            index = _interfaceIndex(interface)
        except (OSError, ValueError) as e:
            raise MulticastJoinError(str(e)) from e
        request = socket.inet_pton(socket.AF_INET6, group.split("%", maxsplit=1)[0])
        request += struct.pack("@I", index)
        option = socket.IPV6_JOIN_GROUP if join else socket.IPV6_LEAVE_GROUP
        try:
            skt.setsockopt(socket.IPPROTO_IPV6, option, request)
        except OSError as e:
            raise _membershipError(e, group, interface or "the default interface", join) from e


def _packIPv4(address: str) -> bytes:
    try:
        return socket.inet_aton(address)
    except OSError:
        raise ValueError(f"{address!r} is not an IPv4 address") from None


def _isMulticast(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", maxsplit=1)[0]).is_multicast
    except ValueError:
        return False


def _changeIPv4(skt: socket.socket, group: str, local: str, join: bool) -> None:
    if _literalFamily(group) != socket.AF_INET or not _isMulticast(group):
        raise MulticastJoinError(
            f"{group!r} is not an IPv4 multicast group address (224.0.0.0/4, such as "
            "'239.255.0.1'); to join IPv6 groups, listen on an IPv6 interface such as '::'"
        )
    if _literalFamily(local) != socket.AF_INET:
        raise MulticastJoinError(
            f"{local!r} is not the IPv4 address of an interface; pass one such as "
            "'127.0.0.1', or '' to let the routing table decide"
        )
    request = socket.inet_aton(group) + socket.inet_aton(local)
    option = socket.IP_ADD_MEMBERSHIP if join else socket.IP_DROP_MEMBERSHIP
    try:
        skt.setsockopt(socket.IPPROTO_IP, option, request)
    except OSError as e:
        where = "the default interface" if local == "0.0.0.0" else local
        raise _membershipError(e, group, where, join) from e


def _membershipError(e: OSError, group: str, where: str, join: bool) -> MulticastJoinError:
    if join and e.errno == errno.EADDRINUSE:
        return MulticastJoinError(f"already a member of {group} on {where}")
    if not join and e.errno == errno.EADDRNOTAVAIL:
        return MulticastJoinError(
            f"not a member of {group} on {where}; leaveGroup() takes the group and "
            "interface that joinGroup() was given"
        )
    verb = "join" if join else "leave"
    return MulticastJoinError(f"could not {verb} {group} on {where}: {e.strerror or e}")


def _optionError(e: Exception, what: str) -> Exception:
    if isinstance(e, OSError) and e.errno is not None:
        return OSError(e.errno, f"{e.strerror}: {what}")
    return ValueError(f"{e}: {what}")


def _interfaceIndex(interface: str) -> int:
    """
    The index of the interface named by C{interface}: C{""} (0, the
    default), an index, a name such as C{"lo"}, or one of its IPv6 addresses
    (found in /proc/net/if_inet6 on Linux).

    @raise ValueError: If no interface matches.
    """
    if not interface:
        return 0
    if interface.isdigit():
        return int(interface)
    try:
        return socket.if_nametoindex(interface)
    except OSError:
        pass
    if isIPv6Address(interface):
        base, _, scope = interface.partition("%")
        if scope:
            return _interfaceIndex(scope)
        wanted = socket.inet_pton(socket.AF_INET6, base)
        try:
            with open("/proc/net/if_inet6", encoding="ascii") as table:
                for line in table:
                    fields = line.split()
                    if len(fields) >= 2 and bytes.fromhex(fields[0]) == wanted:
                        return int(fields[1], 16)
        except OSError:
            pass
    raise ValueError(
        f"no network interface {interface!r}: give an interface name such as 'lo', its "
        "index, or one of its IPv6 addresses"
    )


@implementer(IMulticastTransport)
class MulticastPort(MulticastMixin, Port):
    """
    A UDP port that can join multicast groups and send to them.
    """

    _listenCall = "listenMulticast"

    def __init__(
        self,
        port: int,
        proto: Any,
        interface: str = "",
        maxPacketSize: int = 8192,
        reactor: Any = None,
        listenMultiple: bool = False,
    ) -> None:
        """
        @param listenMultiple: Let other sockets bind the same port
            (SO_REUSEADDR, and SO_REUSEPORT where there is one); each gets a
            copy of the group's datagrams.
        @see: L{Port.__init__} for the other parameters.
        """
        super().__init__(port, proto, interface, maxPacketSize, reactor)
        self.listenMultiple = listenMultiple

    def createInternetSocket(self) -> socket.socket:
        """
        @return: A new socket; shareable if C{listenMultiple} was asked.
        """
        skt = super().createInternetSocket()
        if self.listenMultiple:
            skt.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if hasattr(socket, "SO_REUSEPORT"):
                try:
                    skt.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                except OSError:
                    pass
        return skt


@implementer(IReactorMulticast)
class MulticastReactorMixin:
    """
    The reactor method that makes multicast ports.  Mixed into
    L{PosixNetworkMixin}.
    """

    def listenMulticast(
        self,
        port: int,
        protocol: Any,
        interface: str = "",
        maxPacketSize: int = 8192,
        listenMultiple: bool = False,
    ) -> MulticastPort:
        """
        Bind a UDP socket that can join multicast groups.

        @param port: The port number; 0 picks a free one.
        @param protocol: The L{DatagramProtocol}; its transport is the port.
        @param interface: The address to bind: C{""} for every IPv4 one, a
            group's address to receive only that group, or an IPv6 address
            (such as C{"::"}) for an IPv6 multicast port.
        @param maxPacketSize: The largest datagram to read.
        @param listenMultiple: Let other sockets bind the same port.
        @return: The listening port (an L{IMulticastTransport}).
        @raise CannotListenError: If it cannot bind.
        """
        listening = MulticastPort(port, protocol, interface, maxPacketSize, self, listenMultiple)
        listening.startListening()
        return listening


__all__ = ["MulticastMixin", "MulticastPort", "MulticastReactorMixin"]
