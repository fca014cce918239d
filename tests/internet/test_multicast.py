"""
Tests for multicast UDP ports (L{torsion.internet.udp.MulticastPort}), on
every reactor backend.

Only the loopback interface is used: groups are joined on 127.0.0.1 (or
the IPv6 loopback interface), datagrams leave by it with a TTL of 0 or 1
and are sent and received on this host.  Where loopback cannot carry
multicast, the tests that need delivery skip, printing why.
"""

from __future__ import annotations

import functools
import select
import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.internet.reactors import SAFETY_TIMEOUT, backendReactor, runReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import Deferred
from torsion.internet.error import CannotListenError, MulticastJoinError, NotListeningError
from torsion.internet.interfaces import IMulticastTransport, IReactorMulticast
from torsion.internet.protocol import DatagramProtocol
from torsion.internet.udp import MulticastPort
from torsion.python.failure import Failure

__all__ = ["backendReactor"]

GROUP = "239.255.42.99"
GROUP6 = "ff11::4242"
LOOPBACK = "127.0.0.1"


def _probe(family: int, group: str, interface: Any) -> str | None:
    """
    Send one multicast datagram to C{group} over loopback with plain
    sockets, and say why it did not arrive (L{None} if it did).
    """
    ipv6 = family == socket.AF_INET6
    receiver = socket.socket(family, socket.SOCK_DGRAM)
    sender = socket.socket(family, socket.SOCK_DGRAM)
    try:
        if ipv6:
            receiver.bind((group, 0, 0, interface))
        else:
            receiver.bind((group, 0))
        port = receiver.getsockname()[1]
        if ipv6:
            request = socket.inet_pton(family, group) + struct.pack("@I", interface)
            receiver.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, request)
            sender.bind(("::1", 0))
            sender.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, interface)
            sender.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
        else:
            request = socket.inet_aton(group) + socket.inet_aton(interface)
            receiver.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)
            sender.bind((LOOPBACK, 0))
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(LOOPBACK))
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sender.sendto(b"probe", (group, port))
        if not select.select([receiver], [], [], 5)[0]:
            return f"a multicast datagram sent to {group} over loopback never arrived"
        return None
    except OSError as e:
        return f"loopback cannot carry multicast to {group}: {e}"
    finally:
        receiver.close()
        sender.close()


@functools.cache
def _ipv4Reason() -> str | None:
    return _probe(socket.AF_INET, GROUP, LOOPBACK)


@functools.cache
def _ipv6Index() -> int | None:
    if not socket.has_ipv6:
        return None
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        return None
    for index, name in socket.if_nameindex():
        if name.startswith("lo"):
            return index
    return None


def requireIPv4Multicast() -> None:
    """
    Skip the calling test, printing why, unless 127.0.0.1 carries
    multicast.
    """
    reason = _ipv4Reason()
    if reason is not None:
        pytest.skip(reason)


def requireIPv6Loopback() -> int:
    """
    Skip the calling test unless the IPv6 loopback interface exists.

    @return: Its index.
    """
    index = _ipv6Index()
    if index is None:
        pytest.skip("there is no IPv6 loopback interface here")
    return index


def requireIPv6Multicast() -> int:
    """
    Skip the calling test, printing why, unless the IPv6 loopback interface
    carries multicast.

    @return: Its index.
    """
    index = requireIPv6Loopback()
    reason = _probe(socket.AF_INET6, GROUP6, index)
    if reason is not None:
        pytest.skip(reason)
    return index


class Recorder(DatagramProtocol):
    """
    Records the datagrams it gets; stops the reactor once it has
    C{expect} of them.
    """

    def __init__(self, reactor: Any = None, expect: int = -1) -> None:
        self.reactor = reactor
        self.expect = expect
        self.received: list[tuple[bytes, Any]] = []

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:
        self.received.append((datagram, addr))
        if len(self.received) == self.expect:
            self.reactor.stop()


@pytest.fixture
def ports() -> Iterator[list[MulticastPort]]:
    """
    Ports to close at the end of the test, whatever happened.
    """
    made: list[MulticastPort] = []
    yield made
    for port in made:
        port.connectionLost(None)


def result(d: Deferred[Any]) -> Any:
    """
    The result of a Deferred that has already fired (literal addresses
    need no lookup); a failure is raised.
    """
    outcome: list[Any] = []
    d.addBoth(outcome.append)
    assert outcome, f"{d!r} has not fired"
    if isinstance(outcome[0], Failure):
        outcome[0].raiseException()
    return outcome[0]


def loopbackSender(r: PollingReactor, ttl: int = 1) -> MulticastPort:
    """
    A multicast port on 127.0.0.1 that sends by loopback only.
    """
    sender = r.listenMulticast(0, Recorder(), interface=LOOPBACK)
    assert result(sender.setOutgoingInterface(LOOPBACK)) == 1
    sender.setTTL(ttl)
    sender.setLoopbackMode(True)
    return sender


class IPv4DeliveryTests:
    @pytest.mark.parametrize("ttl", [0, 1])
    def test_joinAndReceive(self, backendReactor: PollingReactor, ttl: int) -> None:
        """
        A port that joined a group on 127.0.0.1 receives what a port on this
        host sends to the group by loopback, with a TTL of 0 or 1.
        """
        requireIPv4Multicast()
        r = backendReactor
        recorder = Recorder(r, expect=3)
        receiver = r.listenMulticast(0, recorder, interface=GROUP)
        assert result(receiver.joinGroup(GROUP, LOOPBACK)) is None
        sender = loopbackSender(r, ttl)
        target = (GROUP, receiver.getHost().port)
        for data in (b"one", b"two", b"three"):
            sender.write(data, target)
        source = ("127.0.0.1", sender.getHost().port)
        runReactor(r)
        assert recorder.received == [(b"one", source), (b"two", source), (b"three", source)]

    def test_listenMultiple(self, backendReactor: PollingReactor) -> None:
        """
        With listenMultiple, two ports share one port number, and each gets
        its own copy of the group's datagrams.
        """
        requireIPv4Multicast()
        r = backendReactor
        got: list[str] = []

        class Named(DatagramProtocol):
            def __init__(self, name: str) -> None:
                self.name = name

            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                got.append(f"{self.name}:{datagram.decode()}")
                if len(got) == 2:
                    r.stop()

        first = r.listenMulticast(0, Named("first"), interface=GROUP, listenMultiple=True)
        number = first.getHost().port
        second = r.listenMulticast(number, Named("second"), interface=GROUP, listenMultiple=True)
        for port in (first, second):
            result(port.joinGroup(GROUP, LOOPBACK))
        loopbackSender(r).write(b"hello", (GROUP, number))
        runReactor(r)
        assert sorted(got) == ["first:hello", "second:hello"]

    def test_echoToSender(self, backendReactor: PollingReactor) -> None:
        """
        A group member can answer the sender directly (unicast over
        loopback) from the port it received on.
        """
        requireIPv4Multicast()
        r = backendReactor

        class Answer(DatagramProtocol):
            def datagramReceived(self, datagram: bytes, addr: Any) -> None:
                self.transport.write(b"re: " + datagram, addr)

        receiver = r.listenMulticast(0, Answer(), interface=GROUP)
        result(receiver.joinGroup(GROUP, LOOPBACK))
        replies = Recorder(r, expect=1)
        sender = r.listenMulticast(0, replies, interface=LOOPBACK)
        result(sender.setOutgoingInterface(LOOPBACK))
        sender.setTTL(1)
        sender.write(b"ping", (GROUP, receiver.getHost().port))
        runReactor(r)
        assert [d for d, _ in replies.received] == [b"re: ping"]


class MembershipTests:
    def test_withoutListenMultiple(
        self, backendReactor: PollingReactor, ports: list[MulticastPort]
    ) -> None:
        """
        Without listenMultiple a second port cannot bind the same number.
        """
        r = backendReactor
        first = r.listenMulticast(0, Recorder(), interface=LOOPBACK)
        ports.append(first)
        with pytest.raises(CannotListenError, match=rf":{first.getHost().port}: "):
            r.listenMulticast(first.getHost().port, Recorder(), interface=LOOPBACK)

    def test_joinLeaveRejoin(
        self, backendReactor: PollingReactor, ports: list[MulticastPort]
    ) -> None:
        """
        Joining twice fails, leaving works once and then fails (not a
        member), and the group can be joined again after leaving; each
        failure is a MulticastJoinError naming the group and interface.
        """
        requireIPv4Multicast()
        port = backendReactor.listenMulticast(0, Recorder(), interface=GROUP)
        ports.append(port)
        result(port.joinGroup(GROUP, LOOPBACK))
        with pytest.raises(MulticastJoinError, match=rf"^already a member of {GROUP} on 127"):
            result(port.joinGroup(GROUP, LOOPBACK))
        assert result(port.leaveGroup(GROUP, LOOPBACK)) is None
        with pytest.raises(MulticastJoinError, match=rf"^not a member of {GROUP} on 127"):
            result(port.leaveGroup(GROUP, LOOPBACK))
        assert result(port.joinGroup(GROUP, LOOPBACK)) is None

    def test_badGroups(self, backendReactor: PollingReactor, ports: list[MulticastPort]) -> None:
        """
        A unicast address, an IPv6 group on an IPv4 port, and a bad
        interface are refused with messages that say what to pass.
        """
        port = backendReactor.listenMulticast(0, Recorder(), interface=LOOPBACK)
        ports.append(port)
        with pytest.raises(MulticastJoinError, match=r"'127\.0\.0\.2' is not an IPv4 multicast"):
            result(port.joinGroup("127.0.0.2", LOOPBACK))
        with pytest.raises(MulticastJoinError, match=r"listen on an IPv6 interface"):
            result(port.joinGroup(GROUP6, LOOPBACK))
        with pytest.raises(MulticastJoinError, match=r"'::1' is not the IPv4 address"):
            result(port.joinGroup(GROUP, "::1"))
        with pytest.raises(ValueError, match=r"'::1' is an IPv6 address, but this port is IPv4"):
            result(port.setOutgoingInterface("::1"))

    def test_closedPort(self, backendReactor: PollingReactor) -> None:
        """
        Group and option calls on a closed port fail with
        NotListeningError.
        """
        r = backendReactor
        port = r.listenMulticast(0, Recorder(), interface=LOOPBACK)
        port.stopListening().addCallback(lambda _: r.stop())
        runReactor(r)
        with pytest.raises(NotListeningError):
            result(port.joinGroup(GROUP, LOOPBACK))
        with pytest.raises(NotListeningError):
            port.getTTL()


class OptionTests:
    def test_ipv4Options(self, backendReactor: PollingReactor, ports: list[MulticastPort]) -> None:
        """
        TTL, loopback mode and the outgoing interface read back as set.
        """
        port = backendReactor.listenMulticast(0, Recorder(), interface=LOOPBACK)
        ports.append(port)
        assert port.getTTL() == 1
        assert port.getOutgoingInterface() == "0.0.0.0"
        for ttl in (0, 7, 255):
            port.setTTL(ttl)
            assert port.getTTL() == ttl
        port.setLoopbackMode(False)
        assert port.getLoopbackMode() is False
        port.setLoopbackMode(True)
        assert port.getLoopbackMode() is True
        assert result(port.setOutgoingInterface(LOOPBACK)) == 1
        assert port.getOutgoingInterface() == LOOPBACK

    def test_badOptions(self, backendReactor: PollingReactor, ports: list[MulticastPort]) -> None:
        """
        An out-of-range TTL is a ValueError; an outgoing interface that is
        not this host's fails the Deferred with an OSError saying so.
        """
        port = backendReactor.listenMulticast(0, Recorder(), interface=LOOPBACK)
        ports.append(port)
        with pytest.raises(
            ValueError, match=r"^setTTL\(\) takes a hop count from 0 to 255, not 256"
        ):
            port.setTTL(256)
        with pytest.raises(OSError, match=r"it must be this host's"):
            result(port.setOutgoingInterface("0.0.0.1"))

    def test_interfaces(self, backendReactor: PollingReactor, ports: list[MulticastPort]) -> None:
        """
        The port provides IMulticastTransport, the reactor
        IReactorMulticast.
        """
        port = backendReactor.listenMulticast(0, Recorder(), interface=LOOPBACK)
        ports.append(port)
        assert verifyObject(IMulticastTransport, port)
        assert verifyObject(IReactorMulticast, backendReactor)
        assert port.logPrefix() == "Recorder (UDP)"


class IPv6Tests:
    def test_ipv6Options(self, backendReactor: PollingReactor, ports: list[MulticastPort]) -> None:
        """
        An IPv6 multicast port (bound to ::1) sets hops, loopback mode and
        the outgoing interface, named by name, index or address.
        """
        index = requireIPv6Loopback()
        name = socket.if_indextoname(index)
        port = backendReactor.listenMulticast(0, Recorder(), interface="::1")
        ports.append(port)
        assert port.getOutgoingInterface() == ""
        port.setTTL(0)
        assert port.getTTL() == 0
        port.setLoopbackMode(False)
        assert port.getLoopbackMode() is False
        for spelling in (name, str(index), "::1"):
            port.setOutgoingInterface("")
            assert result(port.setOutgoingInterface(spelling)) == 1
            assert port.getOutgoingInterface() == name
        with pytest.raises(ValueError, match=r"no network interface 'nosuch0'"):
            result(port.setOutgoingInterface("nosuch0"))

    def test_ipv6JoinLeave(
        self, backendReactor: PollingReactor, ports: list[MulticastPort]
    ) -> None:
        """
        An IPv6 port joins and leaves an IPv6 group on the loopback
        interface; an IPv4 group is refused.
        """
        index = requireIPv6Loopback()
        port = backendReactor.listenMulticast(0, Recorder(), interface="::1")
        ports.append(port)
        try:
            result(port.joinGroup(GROUP6, str(index)))
        except MulticastJoinError as e:
            pytest.skip(f"the IPv6 loopback interface cannot join {GROUP6}: {e}")
        with pytest.raises(MulticastJoinError, match=rf"^already a member of {GROUP6}"):
            result(port.joinGroup(GROUP6, str(index)))
        assert result(port.leaveGroup(GROUP6, str(index))) is None
        with pytest.raises(MulticastJoinError, match=r"not an IPv6 multicast group"):
            result(port.joinGroup(GROUP, ""))

    def test_ipv6Delivery(self, backendReactor: PollingReactor) -> None:
        """
        Over the IPv6 loopback interface, a group member receives what a
        port on this host sends to the group.
        """
        index = requireIPv6Multicast()
        r = backendReactor
        recorder = Recorder(r, expect=1)
        receiver = r.listenMulticast(0, recorder, interface=f"{GROUP6}%{index}")
        result(receiver.joinGroup(GROUP6, str(index)))
        sender = r.listenMulticast(0, Recorder(), interface="::1")
        result(sender.setOutgoingInterface(str(index)))
        sender.setTTL(1)
        sender.write(b"six", (GROUP6, receiver.getHost().port))
        runReactor(r, SAFETY_TIMEOUT)
        assert [d for d, _ in recorder.received] == [b"six"]
