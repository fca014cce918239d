"""
Tests for L{torsion.internet.address}.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
from pathlib import Path

import pytest
from zope.interface.verify import verifyClass, verifyObject

from torsion.internet.address import (
    HostnameAddress,
    IAddress,
    IPv4Address,
    IPv6Address,
    UNIXAddress,
)
from torsion.internet.interfaces import IAddress as IAddressFromInterfaces

ALL_KINDS: list[IAddress] = [
    IPv4Address("TCP", "127.0.0.1", 8080),
    IPv6Address("UDP", "::1", 53, 1, 2),
    HostnameAddress(b"example.com", 443),
    UNIXAddress("/run/example.sock"),
]


class IAddressTests:
    def test_sameInterface(self) -> None:
        """
        C{torsion.internet.address.IAddress} is the interface of
        C{torsion.internet.interfaces}.
        """
        assert IAddress is IAddressFromInterfaces

    @pytest.mark.parametrize("address", ALL_KINDS, ids=lambda a: type(a).__name__)
    def test_provides(self, address: IAddress) -> None:
        """
        Every kind of address provides L{IAddress}.
        """
        assert verifyObject(IAddress, address)
        assert verifyClass(IAddress, type(address))

    @pytest.mark.parametrize("address", ALL_KINDS, ids=lambda a: type(a).__name__)
    def test_immutable(self, address: IAddress) -> None:
        """
        No field of an address can be assigned, and no attribute added.
        """
        for name in [f.name for f in dataclasses.fields(address)] + ["extra"]:  # type: ignore[arg-type]
            with pytest.raises((dataclasses.FrozenInstanceError, AttributeError, TypeError)):
                setattr(address, name, None)

    @pytest.mark.parametrize("address", ALL_KINDS, ids=lambda a: type(a).__name__)
    def test_pickleAndCopy(self, address: IAddress) -> None:
        """
        Pickling and copying give an equal address of the same kind.
        """
        for clone in [pickle.loads(pickle.dumps(address)), copy.copy(address)]:
            assert type(clone) is type(address)
            assert clone == address
            assert hash(clone) == hash(address)

    @pytest.mark.parametrize("address", ALL_KINDS, ids=lambda a: type(a).__name__)
    def test_publicModule(self, address: IAddress) -> None:
        """
        Address classes name C{torsion.internet.address} as their module.
        """
        assert type(address).__module__ == "torsion.internet.address"


class IPv4AddressTests:
    def test_fields(self) -> None:
        """
        The type, host and port given are kept as attributes.
        """
        address = IPv4Address("UDP", "10.1.2.3", 5353)
        assert (address.type, address.host, address.port) == ("UDP", "10.1.2.3", 5353)

    def test_repr(self) -> None:
        """
        The repr names the class and each field, as Twisted's does; str is
        the same.
        """
        address = IPv4Address("TCP", "127.0.0.1", 80)
        assert repr(address) == "IPv4Address(type='TCP', host='127.0.0.1', port=80)"
        assert str(address) == repr(address)

    def test_equalByValue(self) -> None:
        """
        Addresses with the same fields are equal and hash the same; any
        difference makes them unequal.
        """
        address = IPv4Address("TCP", "127.0.0.1", 80)
        assert address == IPv4Address("TCP", "127.0.0.1", 80)
        assert hash(address) == hash(IPv4Address("TCP", "127.0.0.1", 80))
        assert address != IPv4Address("UDP", "127.0.0.1", 80)
        assert address != IPv4Address("TCP", "127.0.0.2", 80)
        assert address != IPv4Address("TCP", "127.0.0.1", 81)
        assert len({address, IPv4Address("TCP", "127.0.0.1", 80)}) == 1

    def test_notEqualToOtherKinds(self) -> None:
        """
        An IPv4 address never equals an IPv6 address or a tuple with the same
        values.
        """
        address: object = IPv4Address("TCP", "127.0.0.1", 80)
        assert address != IPv6Address("TCP", "127.0.0.1", 80)
        assert address != ("TCP", "127.0.0.1", 80)

    def test_ordered(self) -> None:
        """
        Addresses sort by type, then host, then port.
        """
        addresses = [
            IPv4Address("UDP", "1.1.1.1", 1),
            IPv4Address("TCP", "2.2.2.2", 1),
            IPv4Address("TCP", "1.1.1.1", 2),
            IPv4Address("TCP", "1.1.1.1", 1),
        ]
        assert sorted(addresses) == [
            IPv4Address("TCP", "1.1.1.1", 1),
            IPv4Address("TCP", "1.1.1.1", 2),
            IPv4Address("TCP", "2.2.2.2", 1),
            IPv4Address("UDP", "1.1.1.1", 1),
        ]

    def test_badType(self) -> None:
        """
        A type other than TCP or UDP is refused, naming the bad value.
        """
        with pytest.raises(
            ValueError, match=r"^IPv4Address type must be 'TCP' or 'UDP', not 'SCTP'$"
        ):
            IPv4Address("SCTP", "127.0.0.1", 80)  # type: ignore[arg-type]


class IPv6AddressTests:
    def test_defaults(self) -> None:
        """
        The flow info and scope ID default to 0.
        """
        address = IPv6Address("TCP", "::1", 80)
        assert (address.flowInfo, address.scopeID) == (0, 0)
        assert address == IPv6Address("TCP", "::1", 80, 0, 0)

    def test_repr(self) -> None:
        """
        The repr names every field, flow info and scope ID included.
        """
        address = IPv6Address("TCP", "fe80::1", 80, scopeID="eth0")
        assert repr(address) == (
            "IPv6Address(type='TCP', host='fe80::1', port=80, flowInfo=0, scopeID='eth0')"
        )

    def test_equalByValue(self) -> None:
        """
        Every field takes part in equality and hashing.
        """
        address = IPv6Address("TCP", "::1", 80, 1, 2)
        assert address == IPv6Address("TCP", "::1", 80, 1, 2)
        assert hash(address) == hash(IPv6Address("TCP", "::1", 80, 1, 2))
        assert address != IPv6Address("TCP", "::1", 80, 0, 2)
        assert address != IPv6Address("TCP", "::1", 80, 1, 0)

    def test_badType(self) -> None:
        """
        A type other than TCP or UDP is refused.
        """
        with pytest.raises(ValueError, match=r"^IPv6Address type must be 'TCP' or 'UDP', not 'x'$"):
            IPv6Address("x", "::1", 80)  # type: ignore[arg-type]


class HostnameAddressTests:
    def test_reprAndFields(self) -> None:
        """
        The host name (bytes) and port are kept; the repr shows both.
        """
        address = HostnameAddress(b"example.com", 443)
        assert (address.hostname, address.port) == (b"example.com", 443)
        assert repr(address) == "HostnameAddress(hostname=b'example.com', port=443)"

    def test_equalByValue(self) -> None:
        """
        Host names with the same name and port are equal and hash the same.
        """
        assert HostnameAddress(b"a", 1) == HostnameAddress(b"a", 1)
        assert hash(HostnameAddress(b"a", 1)) == hash(HostnameAddress(b"a", 1))
        assert HostnameAddress(b"a", 1) != HostnameAddress(b"a", 2)
        assert HostnameAddress(b"a", 1) < HostnameAddress(b"b", 1)


class UNIXAddressTests:
    def test_nameAsBytes(self) -> None:
        """
        A str name is stored as filesystem-encoded bytes; a bytes name as is.
        """
        assert UNIXAddress("/tmp/sock").name == b"/tmp/sock"
        assert UNIXAddress(b"/tmp/sock").name == b"/tmp/sock"
        assert UNIXAddress("/tmp/sock") == UNIXAddress(b"/tmp/sock")
        assert hash(UNIXAddress("/tmp/sock")) == hash(UNIXAddress(b"/tmp/sock"))

    def test_repr(self) -> None:
        """
        The repr shows the path as text, or None for an unnamed socket.
        """
        assert repr(UNIXAddress(b"/tmp/sock")) == "UNIXAddress('/tmp/sock')"
        assert repr(UNIXAddress(None)) == "UNIXAddress(None)"
        assert str(UNIXAddress("/x")) == "UNIXAddress('/x')"

    def test_unnamed(self) -> None:
        """
        Unnamed addresses equal each other but no named one.
        """
        assert UNIXAddress(None) == UNIXAddress(None)
        assert hash(UNIXAddress(None)) == hash(UNIXAddress(None))
        assert UNIXAddress(None) != UNIXAddress("/tmp/sock")

    def test_badName(self) -> None:
        """
        A name that is not bytes, str or None is refused, naming its type.
        """
        with pytest.raises(
            TypeError,
            match=r"^UNIXAddress name must be a path as bytes or str, or None, not int 3$",
        ):
            UNIXAddress(3)  # type: ignore[arg-type]

    def test_differentNames(self) -> None:
        """
        Addresses of different paths, that do not exist, are unequal.
        """
        assert UNIXAddress("/nonexistent/a") != UNIXAddress("/nonexistent/b")

    def test_sameFileThroughLink(self, tmp_path: Path) -> None:
        """
        Two paths to the same file (through a symlink) give equal addresses
        with equal hashes.
        """
        real = tmp_path / "real.sock"
        real.touch()
        link = tmp_path / "link.sock"
        os.symlink(real, link)
        assert UNIXAddress(str(real)) == UNIXAddress(str(link))
        assert hash(UNIXAddress(str(real))) == hash(UNIXAddress(str(link)))
        other = tmp_path / "other.sock"
        other.touch()
        assert UNIXAddress(str(real)) != UNIXAddress(str(other))

    def test_notEqualToString(self) -> None:
        """
        An address does not equal its path as a plain string.
        """
        assert UNIXAddress("/tmp/sock") != "/tmp/sock"
