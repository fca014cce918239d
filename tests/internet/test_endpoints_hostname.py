"""
Tests for L{HostnameEndpoint}: Happy Eyeballs (RFC 8305) on a fake clock
with a fake resolver and a memory reactor, then on real sockets.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import RefusingPort, assertNoResult, failureOf, resultOf
from torsion.internet._endpointshostname import _interleave
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet._resolver import HostResolution
from torsion.internet.address import IPv4Address, IPv6Address
from torsion.internet.defer import CancelledError
from torsion.internet.endpoints import ConnectionAttemptsFailed, HostnameEndpoint
from torsion.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    NoRouteError,
    TCPTimedOutError,
)
from torsion.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
    IStreamClientEndpoint,
)
from torsion.internet.protocol import Factory, Protocol
from torsion.internet.testing import MemoryReactorClock, StringTransport
from torsion.python.failure import Failure
from torsion.trial.util import runUntil


@implementer(IHostnameResolver)
class FakeResolver:
    """
    Records lookups; the test answers them with L{answer}.
    """

    def __init__(self) -> None:
        self.lookups: list[tuple[IResolutionReceiver, str, int, Any, HostResolution]] = []

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        self.lookups.append((resolutionReceiver, hostName, portNumber, addressTypes, resolution))
        return resolution

    def answer(self, *hosts: str) -> None:
        """
        Give the last lookup's receiver C{hosts}, then complete it.
        """
        receiver, _, port, _, _ = self.lookups[-1]
        for host in hosts:
            kind = IPv6Address if ":" in host else IPv4Address
            receiver.addressResolved(kind("TCP", host, port))
        receiver.resolutionComplete()


class Greeter(Protocol):
    """
    The protocol connected in these tests.
    """


def setUp(
    host: str = "example.org", **kwargs: Any
) -> tuple[MemoryReactorClock, FakeResolver, Factory[Any], Any]:
    """
    A clock reactor with a fake resolver, a factory, and the Deferred of
    C{HostnameEndpoint(reactor, host, 80, **kwargs).connect(factory)}.
    """
    reactor = MemoryReactorClock()
    resolver = FakeResolver()
    reactor.installNameResolver(resolver)
    factory = Factory.forProtocol(Greeter)
    d = HostnameEndpoint(reactor, host, 80, **kwargs).connect(factory)
    return reactor, resolver, factory, d


def attempted(reactor: MemoryReactorClock) -> list[str]:
    """
    The hosts C{connectTCP} was called with, in order.
    """
    return [call[0] for call in reactor.tcpClients]


def succeed(reactor: MemoryReactorClock, index: int) -> Any:
    """
    Complete attempt C{index} as the reactor would: build its protocol and
    connect it.
    """
    host, port, factory, _, _ = reactor.tcpClients[index]
    kind = IPv6Address if ":" in host else IPv4Address
    protocol = factory.buildProtocol(kind("TCP", host, port))
    if protocol is not None:
        protocol.makeConnection(StringTransport())
    return protocol


def failAttempt(reactor: MemoryReactorClock, index: int, error: BaseException) -> None:
    """
    Fail attempt C{index} as the reactor would.
    """
    factory = reactor.tcpClients[index][2]
    factory.clientConnectionFailed(reactor.connectors[index], Failure(error))


class HappyEyeballsTests:
    """
    The race between the addresses of a name, on a fake clock.
    """

    def test_provides(self) -> None:
        """
        L{HostnameEndpoint} provides L{IStreamClientEndpoint}; its repr
        names host and port.
        """
        endpoint = HostnameEndpoint(MemoryReactorClock(), "example.org", 80)
        assert verifyObject(IStreamClientEndpoint, endpoint)
        assert repr(endpoint) == "<HostnameEndpoint example.org:80>"
        assert repr(HostnameEndpoint(None, "::1", 8)) == "<HostnameEndpoint [::1]:8>"

    def test_lookup(self) -> None:
        """
        The name is looked up, with the port, by the reactor's name
        resolver, for both families; nothing connects before it completes.
        """
        reactor, resolver, _, d = setUp()
        assert [lookup[1:4] for lookup in resolver.lookups] == [("example.org", 80, None)]
        assert reactor.tcpClients == []
        assertNoResult(d)

    @pytest.mark.parametrize("host", ["192.0.2.9", "2001:db8::9", "fe80::1%lo"])
    def test_addressLiteral(self, host: str) -> None:
        """
        An IP address is connected to at once, without a lookup.
        """
        reactor, resolver, _, d = setUp(host)
        assert resolver.lookups == []
        assert [call[:2] for call in reactor.tcpClients] == [(host, 80)]
        succeed(reactor, 0)
        assert isinstance(resultOf(d), Greeter)

    def test_ipv6SlowIPv4WinsAfterDelay(self) -> None:
        """
        IPv6 is tried first; while it hangs, IPv4 starts after exactly
        250 ms and, connecting first, wins: the Deferred fires with the
        factory's protocol and the IPv6 attempt is stopped.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("2001:db8::1", "192.0.2.1")
        assert attempted(reactor) == ["2001:db8::1"]
        reactor.advance(0.249)
        assert attempted(reactor) == ["2001:db8::1"]
        reactor.advance(0.001)
        assert attempted(reactor) == ["2001:db8::1", "192.0.2.1"]
        assertNoResult(d)
        protocol = succeed(reactor, 1)
        connected = resultOf(d)
        assert isinstance(connected, Greeter)
        assert connected is protocol._wrappedProtocol
        assert reactor.connectors[0].stoppedConnecting
        assert not reactor.connectors[1].stoppedConnecting
        assert reactor.getDelayedCalls() == []

    def test_firstAttemptWinsAtOnce(self) -> None:
        """
        An attempt that connects before the delay wins, and the next
        attempt is never started.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("2001:db8::1", "192.0.2.1")
        succeed(reactor, 0)
        assert isinstance(resultOf(d), Greeter)
        reactor.advance(10)
        assert attempted(reactor) == ["2001:db8::1"]

    def test_interleaved(self) -> None:
        """
        The addresses are tried alternately IPv6 and IPv4, IPv6 first, each
        family in the resolver's order, without duplicates, one every
        250 ms while earlier attempts go on.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer(
            "192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.3"
        )
        starts = []
        for _ in range(6):
            starts.append(list(attempted(reactor)))
            reactor.advance(0.25)
        assert starts == [
            ["2001:db8::1"],
            ["2001:db8::1", "192.0.2.1"],
            ["2001:db8::1", "192.0.2.1", "2001:db8::2"],
            ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"],
            ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "192.0.2.3"],
            ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "192.0.2.3"],
        ]
        assertNoResult(d)
        succeed(reactor, 3)
        assert isinstance(resultOf(d), Greeter)
        assert [c.stoppedConnecting for c in reactor.connectors] == [True, True, True, False, True]

    def test_failureStartsNextAtOnce(self) -> None:
        """
        When an attempt fails, the next starts at once, and the delay
        counts from that start.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("2001:db8::1", "192.0.2.1", "2001:db8::2")
        reactor.advance(0.1)
        failAttempt(reactor, 0, NoRouteError())
        assert attempted(reactor) == ["2001:db8::1", "192.0.2.1"]
        reactor.advance(0.249)
        assert len(attempted(reactor)) == 2
        reactor.advance(0.001)
        assert attempted(reactor) == ["2001:db8::1", "192.0.2.1", "2001:db8::2"]
        assertNoResult(d)

    def test_allFail(self) -> None:
        """
        When every attempt fails, the Deferred fails with one
        L{ConnectionAttemptsFailed} listing each address, in the order they
        were tried, with its error.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("2001:db8::1", "192.0.2.1")
        reactor.advance(0.25)
        failAttempt(reactor, 1, ConnectionRefusedError(string="no one home"))
        assertNoResult(d)
        failAttempt(reactor, 0, TCPTimedOutError())
        failure = failureOf(d, ConnectionAttemptsFailed)
        error = failure.value
        assert isinstance(error, ConnectionAttemptsFailed)
        assert (error.host, error.port) == ("example.org", 80)
        assert [address for address, _ in error.attempts] == [
            IPv4Address("TCP", "192.0.2.1", 80),
            IPv6Address("TCP", "2001:db8::1", 80),
        ]
        assert [reason.type for _, reason in error.attempts] == [
            ConnectionRefusedError,
            TCPTimedOutError,
        ]
        assert str(error) == (
            "Could not connect to 'example.org' port 80: each of its 2 addresses failed:\n"
            "  192.0.2.1:80: Connection was refused by other side: no one home.\n"
            "  [2001:db8::1]:80: TCP connection timed out."
        )
        assert reactor.getDelayedCalls() == []

    def test_allFailInOrder(self) -> None:
        """
        Attempts failing one after the other each start the next; the last
        failure ends the race.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("192.0.2.1", "192.0.2.2", "192.0.2.3")
        for index in range(3):
            failAttempt(reactor, index, ConnectionRefusedError())
        error = failureOf(d, ConnectionAttemptsFailed).value
        assert isinstance(error, ConnectionAttemptsFailed)
        assert len(error.attempts) == 3
        assert str(error).startswith(
            "Could not connect to 'example.org' port 80: each of its 3 addresses failed:\n"
        )

    def test_oneAddressFails(self) -> None:
        """
        With one address, its failure is still reported as the one attempt.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("192.0.2.1")
        failAttempt(reactor, 0, ConnectionRefusedError())
        error = failureOf(d, ConnectionAttemptsFailed).value
        assert str(error) == (
            "Could not connect to 'example.org' port 80: its one address failed:\n"
            "  192.0.2.1:80: Connection was refused by other side."
        )

    def test_noAddress(self) -> None:
        """
        A name with no address fails with L{DNSLookupError} naming it.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer()
        failure = failureOf(d, DNSLookupError)
        assert str(failure.value) == (
            "no address found for host name 'example.org': the name may not exist, or this "
            "machine cannot resolve it"
        )
        assert reactor.tcpClients == []

    def test_cancelWhileResolving(self) -> None:
        """
        Cancelling during the lookup cancels it; a late answer is ignored.
        """
        reactor, resolver, _, d = setUp()
        d.cancel()
        failureOf(d, CancelledError)
        assert resolver.lookups[0][4].cancelled
        resolver.answer("192.0.2.1")
        assert reactor.tcpClients == []

    def test_cancelWhileRacing(self) -> None:
        """
        Cancelling during the race stops every attempt in flight and the
        timer; no attempt starts afterwards and no protocol is built.
        """
        reactor, resolver, _, d = setUp()
        resolver.answer("2001:db8::1", "192.0.2.1", "2001:db8::2")
        reactor.advance(0.25)
        d.cancel()
        failureOf(d, CancelledError)
        assert [c.stoppedConnecting for c in reactor.connectors] == [True, True]
        assert reactor.getDelayedCalls() == []
        reactor.advance(10)
        assert len(reactor.tcpClients) == 2
        assert succeed(reactor, 0) is None

    def test_loserNeverBuildsProtocol(self) -> None:
        """
        Once one attempt has won, a loser that connects anyway gets no
        protocol: the factory builds exactly one.
        """
        built: list[Any] = []
        reactor, resolver, factory, d = setUp()
        original = factory.buildProtocol

        def counting(addr: Any) -> Any:
            protocol = original(addr)
            built.append(protocol)
            return protocol

        factory.buildProtocol = counting  # type: ignore[method-assign]
        resolver.answer("2001:db8::1", "192.0.2.1")
        reactor.advance(0.25)
        succeed(reactor, 1)
        assert succeed(reactor, 0) is None
        assert len(built) == 1
        assert resultOf(d) is built[0]

    def test_attemptDelayAndOptions(self) -> None:
        """
        C{attemptDelay} sets the delay; C{timeout} and C{bindAddress} are
        given to every attempt.
        """
        reactor, resolver, _, d = setUp(timeout=7, bindAddress="10.0.0.1", attemptDelay=1.5)
        resolver.answer("2001:db8::1", "192.0.2.1")
        reactor.advance(1.4)
        assert len(reactor.tcpClients) == 1
        reactor.advance(0.1)
        assert [call[3:] for call in reactor.tcpClients] == [
            (7, ("10.0.0.1", 0)),
            (7, ("10.0.0.1", 0)),
        ]
        assertNoResult(d)

    def test_defaultDelay(self) -> None:
        """
        The default delay is RFC 8305's 250 ms.
        """
        assert HostnameEndpoint._DEFAULT_ATTEMPT_DELAY == 0.25

    def test_idna(self) -> None:
        """
        A non-ASCII name is looked up IDNA-encoded; bytes are taken as
        ASCII.
        """
        _, resolver, _, _ = setUp("bücher.example")
        assert resolver.lookups[0][1] == "xn--bcher-kva.example"
        _, resolver, _, _ = setUp(b"example.org")  # type: ignore[arg-type]
        assert resolver.lookups[0][1] == "example.org"

    def test_badHost(self) -> None:
        """
        A host that is neither ASCII bytes nor a valid name fails the
        Deferred with ValueError naming it.
        """
        _, _, _, d = setUp(b"b\xfccher")  # type: ignore[arg-type]
        assert str(failureOf(d, ValueError).value) == (
            "host b'b\\xfccher' is not ASCII; give a non-ASCII name as str, which is "
            "IDNA-encoded for you"
        )
        _, _, _, d = setUp("a" * 70 + "é.example")
        assert "is not a valid internationalized name" in str(failureOf(d, ValueError).value)

    def test_resolverRaises(self) -> None:
        """
        A resolver that raises fails the Deferred.
        """

        class Broken:
            def resolveHostName(self, *args: Any, **kwargs: Any) -> Any:
                raise ZeroDivisionError()

        reactor = MemoryReactorClock()
        reactor.installNameResolver(Broken())  # type: ignore[arg-type]
        d = HostnameEndpoint(reactor, "example.org", 80).connect(Factory.forProtocol(Greeter))
        failureOf(d, ZeroDivisionError)

    def test_reactorWithoutResolver(self) -> None:
        """
        A reactor without a name resolver or thread pool fails the Deferred
        with TypeError saying what it lacks.
        """
        d = HostnameEndpoint(object(), "example.org", 80).connect(Factory.forProtocol(Greeter))
        message = str(failureOf(d, TypeError).value)
        assert "cannot resolve host names: it has no nameResolver" in message

    def test_memoryReactorDefault(self) -> None:
        """
        On a plain L{MemoryReactorClock}, every name resolves to
        127.0.0.1, at once.
        """
        reactor = MemoryReactorClock()
        HostnameEndpoint(reactor, "example.org", 8080).connect(Factory.forProtocol(Greeter))
        assert [call[:2] for call in reactor.tcpClients] == [("127.0.0.1", 8080)]


class InterleaveTests:
    """
    The order in which addresses are tried.
    """

    @given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), max_size=12))
    def test_order(self, picks: list[tuple[bool, int]]) -> None:
        """
        Whatever the resolver gives, each address is tried once, each family
        keeps its order, and the families alternate, IPv6 first, until one
        runs out.
        """
        resolved = [
            IPv6Address("TCP", f"2001:db8::{n}", 1) if v6 else IPv4Address("TCP", f"192.0.2.{n}", 1)
            for v6, n in picks
        ]
        ordered = _interleave(resolved)
        unique = list(dict.fromkeys(resolved))
        assert set(ordered) == set(unique)
        assert len(ordered) == len(unique)
        v6 = [a for a in unique if isinstance(a, IPv6Address)]
        v4 = [a for a in unique if isinstance(a, IPv4Address)]
        assert [a for a in ordered if isinstance(a, IPv6Address)] == v6
        assert [a for a in ordered if isinstance(a, IPv4Address)] == v4
        pairs = min(len(v6), len(v4))
        families = [isinstance(a, IPv6Address) for a in ordered[: 2 * pairs]]
        assert families == [True, False] * pairs


def canUseIPv6() -> bool:
    """
    Whether this machine can listen on ::1.
    """
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class RealHostnameTests:
    """
    L{HostnameEndpoint} on real reactors and loopback sockets.
    """

    def test_connectLocalhost(self, anyReactor: PollingReactor) -> None:
        """
        Connecting to C{localhost} reaches a server listening on 127.0.0.1
        (an IPv6 attempt to ::1, where nothing listens, loses).
        """
        server = Factory.forProtocol(Protocol)
        port = anyReactor.listenTCP(0, server, interface="127.0.0.1")
        try:
            endpoint = HostnameEndpoint(anyReactor, "localhost", port.getHost().port)
            protocol: Any = runUntil(anyReactor, endpoint.connect(Factory.forProtocol(Greeter)), 30)
            assert isinstance(protocol, Greeter)
            assert protocol.transport.getPeer().host == "127.0.0.1"
            protocol.transport.loseConnection()
        finally:
            runUntil(anyReactor, port.stopListening(), 30)

    def test_connectIPv6Literal(self, anyReactor: PollingReactor) -> None:
        """
        An IPv6 literal connects over IPv6.
        """
        if not canUseIPv6():
            pytest.skip("this machine cannot listen on ::1")
        port = anyReactor.listenTCP(0, Factory.forProtocol(Protocol), interface="::1")
        try:
            endpoint = HostnameEndpoint(anyReactor, "::1", port.getHost().port)
            protocol: Any = runUntil(anyReactor, endpoint.connect(Factory.forProtocol(Greeter)), 30)
            assert protocol.transport.getPeer().host == "::1"
            protocol.transport.loseConnection()
        finally:
            runUntil(anyReactor, port.stopListening(), 30)

    def test_refused(self, anyReactor: PollingReactor) -> None:
        """
        With nothing listening, the one error lists the refused attempt.
        """
        with RefusingPort() as number:
            endpoint = HostnameEndpoint(anyReactor, "127.0.0.1", number)
            with pytest.raises(ConnectionAttemptsFailed) as caught:
                runUntil(anyReactor, endpoint.connect(Factory.forProtocol(Greeter)), 30)
        assert [reason.type for _, reason in caught.value.attempts] == [ConnectionRefusedError]
        assert f"  127.0.0.1:{number}: Connection was refused by other side" in str(caught.value)
