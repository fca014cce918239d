# Address values: what getHost() and getPeer() return.
#
# Each kind is a frozen, slotted dataclass, so it is immutable, hashable,
# equal by value and cheap to create (a TCP server makes two per
# connection).  Dataclass reprs already read as Twisted's do:
# IPv4Address(type='TCP', host='127.0.0.1', port=80).  IPv4 and IPv6
# addresses are different kinds and never equal each other, even for an
# IPv4-mapped IPv6 address.
#
# UNIXAddress is the odd one: its name is a filesystem path kept as bytes
# (a str is encoded with the filesystem encoding), and two addresses whose
# paths are the same file (through a symlink, say) are equal.  Its hash
# follows: a path that exists hashes by (device, inode), one that does not
# by its name.  An address of an unbound or abstract socket has the name
# None.
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from zope.interface import implementer

from torsion.internet._itransport import IAddress

_IP_TYPES = ("TCP", "UDP")


def _checkType(kind: str, value: object) -> None:
    """
    Refuse a transport type other than C{"TCP"} or C{"UDP"}.
    """
    if value not in _IP_TYPES:
        raise ValueError(f"{kind} type must be 'TCP' or 'UDP', not {value!r}")


@implementer(IAddress)
@dataclass(frozen=True, slots=True, order=True)
class IPv4Address:
    """
    An IPv4 address and port of a TCP or UDP socket.

    @ivar type: C{"TCP"} or C{"UDP"}.
    @ivar host: The dotted-quad address, such as C{"127.0.0.1"}.
    @ivar port: The port number.
    """

    type: Literal["TCP", "UDP"]
    host: str
    port: int

    def __post_init__(self) -> None:
        """
        Check the type.

        @raise ValueError: If C{type} is not C{"TCP"} or C{"UDP"}.
        """
        _checkType("IPv4Address", self.type)


@implementer(IAddress)
@dataclass(frozen=True, slots=True, order=True)
class IPv6Address:
    """
    An IPv6 address and port of a TCP or UDP socket.

    @ivar type: C{"TCP"} or C{"UDP"}.
    @ivar host: The address in text form, such as C{"::1"}.
    @ivar port: The port number.
    @ivar flowInfo: The IPv6 flow label.
    @ivar scopeID: The scope (interface) of a link-local address.
    """

    type: Literal["TCP", "UDP"]
    host: str
    port: int
    flowInfo: int = 0
    scopeID: str | int = 0

    def __post_init__(self) -> None:
        """
        Check the type.

        @raise ValueError: If C{type} is not C{"TCP"} or C{"UDP"}.
        """
        _checkType("IPv6Address", self.type)


@implementer(IAddress)
@dataclass(frozen=True, slots=True, order=True)
class HostnameAddress:
    """
    A host name and port, not yet resolved to an IP address.

    @ivar hostname: The name, such as C{b"example.com"}.
    @ivar port: The port number.
    """

    hostname: bytes
    port: int


def _stat(name: bytes | None) -> os.stat_result | None:
    """
    Stat a UNIX socket's path, or give L{None} if it cannot be.
    """
    if name is None:
        return None
    try:
        return os.stat(name)
    except (OSError, ValueError):
        return None


@implementer(IAddress)
@dataclass(frozen=True, slots=True, init=False, eq=False, repr=False)
class UNIXAddress:
    """
    The path of a UNIX socket.

    Two addresses are equal when their names are, or when both paths exist
    and are the same file.

    @ivar name: The path, as bytes; L{None} for an unnamed socket.
    """

    name: bytes | None

    def __init__(self, name: bytes | str | None) -> None:
        """
        @param name: The path, as bytes or str (encoded with the filesystem
            encoding), or L{None} for an unnamed socket.
        @raise TypeError: If C{name} is of another type.
        """
        if isinstance(name, str):
            name = os.fsencode(name)
        elif name is not None and not isinstance(name, bytes):
            raise TypeError(
                f"UNIXAddress name must be a path as bytes or str, or None, "
                f"not {type(name).__name__} {name!r}"
            )
        object.__setattr__(self, "name", name)

    def __eq__(self, other: object) -> bool:
        """
        Compare by name, or by the file the names point to.

        @param other: Another object.
        @return: Whether C{other} is a L{UNIXAddress} for the same socket.
        """
        if not isinstance(other, UNIXAddress):
            return NotImplemented
        if self.name == other.name:
            return True
        mine, theirs = _stat(self.name), _stat(other.name)
        if mine is None or theirs is None:
            return False
        return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)

    def __hash__(self) -> int:
        """
        Hash consistently with L{__eq__}.

        @return: The hash of the file's identity if the path exists, else of
            the name.
        """
        info = _stat(self.name)
        if info is None:
            return hash((UNIXAddress, self.name))
        return hash((UNIXAddress, info.st_dev, info.st_ino))

    def __repr__(self) -> str:
        """
        @return: C{UNIXAddress('/path')}, the path shown as text.
        """
        shown = None if self.name is None else os.fsdecode(self.name)
        return f"UNIXAddress({shown!r})"


__all__ = ["HostnameAddress", "IPv4Address", "IPv6Address", "UNIXAddress"]
