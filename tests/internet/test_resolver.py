"""
Tests for host name resolution: L{GAIResolver}, the adapters between the
two resolver interfaces, L{SynchronousResolver}, and the reactor's
C{nameResolver}, C{installNameResolver}, C{resolver}, C{installResolver}
and C{resolve}.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import failureOf, resultOf
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet._resolver import (
    ComplexResolverSimplifier,
    GAIResolver,
    HostResolution,
    PluggableResolverMixin,
    SimpleResolverComplexifier,
    SynchronousResolver,
)
from torsion.internet.address import IPv4Address, IPv6Address, UNIXAddress
from torsion.internet.defer import CancelledError, Deferred, fail, succeed
from torsion.internet.error import DNSLookupError
from torsion.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IReactorPluggableNameResolver,
    IReactorPluggableResolver,
    IResolutionReceiver,
    IResolverSimple,
)
from torsion.internet.selectreactor import SelectReactor
from torsion.internet.testing import MemoryReactor
from torsion.python.failure import Failure
from torsion.trial.util import runUntil


@implementer(IResolutionReceiver)
class Receiver:
    """
    Records what a lookup tells it, in order.

    @ivar cancelOnBegin: Cancel the lookup as soon as it begins.
    """

    def __init__(self, cancelOnBegin: bool = False) -> None:
        self.events: list[Any] = []
        self.resolution: IHostResolution | None = None
        self.cancelOnBegin = cancelOnBegin

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:
        self.resolution = resolutionInProgress
        self.events.append(("began", resolutionInProgress.name))
        if self.cancelOnBegin:
            resolutionInProgress.cancel()

    def addressResolved(self, address: IAddress) -> None:
        self.events.append(address)

    def resolutionComplete(self) -> None:
        self.events.append("complete")

    @property
    def addresses(self) -> list[Any]:
        """
        The addresses received.
        """
        return [e for e in self.events if not isinstance(e, str | tuple)]


GAIResult = list[tuple[int, int, int, str, Any]]


class FakeGetAddrInfo:
    """
    Stands in for C{socket.getaddrinfo}: records its calls, returns
    C{result} or raises C{error}.
    """

    def __init__(self, result: GAIResult | None = None, error: BaseException | None = None):
        self.result = result or []
        self.error = error
        self.calls: list[tuple[Any, ...]] = []

    def __call__(
        self,
        host: bytes | str | None,
        port: bytes | str | int | None,
        family: int = 0,
        type: int = 0,
        proto: int = 0,
        flags: int = 0,
    ) -> GAIResult:
        self.calls.append((host, port, family, type))
        if self.error is not None:
            raise self.error
        return self.result


TCP = socket.SOCK_STREAM
V4 = socket.AF_INET
V6 = socket.AF_INET6


def lookUp(
    getaddrinfo: FakeGetAddrInfo, name: str = "example.org", **kwargs: Any
) -> tuple[MemoryReactor, Receiver, IHostResolution]:
    """
    Start a L{GAIResolver} lookup on a memory reactor.
    """
    reactor = MemoryReactor()
    receiver = Receiver()
    resolution = GAIResolver(reactor, getaddrinfo=getaddrinfo).resolveHostName(
        receiver, name, **kwargs
    )
    return reactor, receiver, resolution


class GAIResolverTests:
    """
    L{GAIResolver} with a fake getaddrinfo, run on a L{MemoryReactor}'s
    simulated thread pool.
    """

    def test_provides(self) -> None:
        """
        L{GAIResolver} provides L{IHostnameResolver}; its lookups provide
        L{IHostResolution}.
        """
        _, _, resolution = lookUp(FakeGetAddrInfo())
        assert verifyObject(IHostnameResolver, GAIResolver(MemoryReactor()))
        assert verifyObject(IHostResolution, resolution)
        assert resolution.name == "example.org"

    def test_inThreadThenReactor(self) -> None:
        """
        The receiver hears C{resolutionBegan} at once; getaddrinfo runs in
        the pool and the addresses come back through the reactor thread, in
        getaddrinfo's order, then C{resolutionComplete}.
        """
        getaddrinfo = FakeGetAddrInfo(
            [
                (V6, TCP, 6, "", ("2001:db8::1", 443, 0, 0)),
                (V4, TCP, 6, "", ("192.0.2.1", 443)),
            ]
        )
        reactor, receiver, _ = lookUp(getaddrinfo, portNumber=443)
        assert receiver.events == [("began", "example.org")]
        assert getaddrinfo.calls == []
        assert len(reactor.inThreadCalls) == 1
        reactor.runThreadCalls()
        assert getaddrinfo.calls == [("example.org", 443, socket.AF_UNSPEC, TCP)]
        assert receiver.events == [
            ("began", "example.org"),
            IPv6Address("TCP", "2001:db8::1", 443),
            IPv4Address("TCP", "192.0.2.1", 443),
            "complete",
        ]

    def test_flowAndScope(self) -> None:
        """
        An IPv6 result keeps its flow label and scope.
        """
        getaddrinfo = FakeGetAddrInfo([(V6, TCP, 6, "", ("fe80::1%lo", 80, 7, 1))])
        reactor, receiver, _ = lookUp(getaddrinfo)
        reactor.runThreadCalls()
        assert receiver.addresses == [IPv6Address("TCP", "fe80::1%lo", 80, 7, 1)]

    def test_duplicatesAndOtherFamilies(self) -> None:
        """
        Duplicate results are given once; families other than IPv4 and
        IPv6 are left out.
        """
        getaddrinfo = FakeGetAddrInfo(
            [
                (V4, TCP, 6, "", ("192.0.2.1", 0)),
                (socket.AF_UNIX, TCP, 0, "", "/x"),
                (V4, TCP, 6, "", ("192.0.2.1", 0)),
                (V4, TCP, 6, "", ("192.0.2.2", 0)),
            ]
        )
        reactor, receiver, _ = lookUp(getaddrinfo)
        reactor.runThreadCalls()
        assert receiver.addresses == [
            IPv4Address("TCP", "192.0.2.1", 0),
            IPv4Address("TCP", "192.0.2.2", 0),
        ]

    @pytest.mark.parametrize(
        ("addressTypes", "family"),
        [
            (None, socket.AF_UNSPEC),
            ([IPv4Address], socket.AF_INET),
            ([IPv6Address], socket.AF_INET6),
            ([IPv6Address, IPv4Address], socket.AF_UNSPEC),
        ],
    )
    def test_addressTypes(self, addressTypes: Any, family: int) -> None:
        """
        C{addressTypes} picks the family getaddrinfo is asked for.
        """
        getaddrinfo = FakeGetAddrInfo()
        reactor, _, _ = lookUp(getaddrinfo, addressTypes=addressTypes)
        reactor.runThreadCalls()
        assert getaddrinfo.calls[0][2] == family

    @pytest.mark.parametrize("addressTypes", [[], [UNIXAddress], [IPv4Address, UNIXAddress]])
    def test_badAddressTypes(self, addressTypes: Any) -> None:
        """
        Address types other than IPv4Address and IPv6Address are refused.
        """
        with pytest.raises(ValueError, match=r"^addressTypes must name IPv4Address and/or"):
            lookUp(FakeGetAddrInfo(), addressTypes=addressTypes)

    def test_udp(self) -> None:
        """
        With C{transportSemantics="UDP"} getaddrinfo is asked for datagram
        sockets and the addresses are UDP ones.
        """
        getaddrinfo = FakeGetAddrInfo([(V4, socket.SOCK_DGRAM, 17, "", ("192.0.2.1", 53))])
        reactor, receiver, _ = lookUp(getaddrinfo, portNumber=53, transportSemantics="UDP")
        reactor.runThreadCalls()
        assert getaddrinfo.calls[0][3] == socket.SOCK_DGRAM
        assert receiver.addresses == [IPv4Address("UDP", "192.0.2.1", 53)]

    def test_badTransport(self) -> None:
        """
        A transport other than TCP or UDP is refused, naming it.
        """
        with pytest.raises(ValueError, match=r"^transportSemantics must be 'TCP' or 'UDP', not"):
            lookUp(FakeGetAddrInfo(), transportSemantics="SCTP")

    def test_notFound(self) -> None:
        """
        A name getaddrinfo cannot resolve gives no address, then the
        completion.
        """
        getaddrinfo = FakeGetAddrInfo(error=socket.gaierror(socket.EAI_NONAME, "not known"))
        reactor, receiver, _ = lookUp(getaddrinfo)
        reactor.runThreadCalls()
        assert receiver.events == [("began", "example.org"), "complete"]

    def test_unexpectedError(self, flushLoggedErrors: Callable[..., list[Failure]]) -> None:
        """
        An unexpected exception from getaddrinfo is logged, and the lookup
        completes without addresses.
        """
        reactor, receiver, _ = lookUp(FakeGetAddrInfo(error=ZeroDivisionError()))
        reactor.runThreadCalls()
        assert receiver.events == [("began", "example.org"), "complete"]
        assert len(flushLoggedErrors(ZeroDivisionError)) == 1

    def test_cancel(self) -> None:
        """
        Once cancelled, a lookup tells its receiver nothing more, even when
        getaddrinfo's answer arrives.
        """
        getaddrinfo = FakeGetAddrInfo([(V4, TCP, 6, "", ("192.0.2.1", 0))])
        reactor, receiver, resolution = lookUp(getaddrinfo)
        resolution.cancel()
        resolution.cancel()
        reactor.runThreadCalls()
        assert receiver.events == [("began", "example.org")]
        assert repr(resolution) == "<HostResolution 'example.org' cancelled>"

    def test_cancelOnBegin(self) -> None:
        """
        A receiver that cancels in C{resolutionBegan} stops the lookup
        before getaddrinfo is called.
        """
        reactor = MemoryReactor()
        getaddrinfo = FakeGetAddrInfo()
        receiver = Receiver(cancelOnBegin=True)
        GAIResolver(reactor, getaddrinfo=getaddrinfo).resolveHostName(receiver, "example.org")
        assert reactor.inThreadCalls == []
        assert receiver.events == [("began", "example.org")]

    def test_cancelWhileDelivering(self) -> None:
        """
        A receiver that cancels from C{addressResolved} gets no further
        address and no completion.
        """
        getaddrinfo = FakeGetAddrInfo(
            [(V4, TCP, 6, "", ("192.0.2.1", 0)), (V4, TCP, 6, "", ("192.0.2.2", 0))]
        )
        reactor, receiver, resolution = lookUp(getaddrinfo)

        def addressResolved(address: IAddress) -> None:
            receiver.events.append(address)
            resolution.cancel()

        receiver.addressResolved = addressResolved  # type: ignore[method-assign]
        reactor.runThreadCalls()
        assert receiver.events == [("began", "example.org"), IPv4Address("TCP", "192.0.2.1", 0)]

    def test_cancelAfterComplete(self) -> None:
        """
        Cancelling a finished lookup does nothing.
        """
        reactor, receiver, resolution = lookUp(FakeGetAddrInfo())
        reactor.runThreadCalls()
        resolution.cancel()
        assert receiver.events == [("began", "example.org"), "complete"]
        assert repr(resolution) == "<HostResolution 'example.org' over>"

    def test_ownThreadPool(self) -> None:
        """
        C{getThreadPool} chooses the pool lookups run in, asked at each
        lookup.
        """
        reactor = MemoryReactor()
        asked: list[bool] = []

        def getThreadPool() -> Any:
            asked.append(True)
            return reactor.getThreadPool()

        resolver = GAIResolver(reactor, getThreadPool, FakeGetAddrInfo())
        assert asked == []
        resolver.resolveHostName(Receiver(), "a")
        resolver.resolveHostName(Receiver(), "b")
        assert asked == [True, True]
        assert "GAIResolver for" in repr(resolver)


class RealGetAddrInfoTests:
    """
    L{GAIResolver} with the real getaddrinfo, in a real reactor's thread
    pool.
    """

    def resolve(self, reactor: PollingReactor, name: str, **kwargs: Any) -> list[Any]:
        """
        Look C{name} up and return the addresses, once complete.
        """
        receiver = Receiver()
        done: Deferred[None] = Deferred()
        receiver.resolutionComplete = lambda: done.callback(None)  # type: ignore[method-assign]
        GAIResolver(reactor).resolveHostName(receiver, name, **kwargs)
        runUntil(reactor, done, timeout=30)
        return receiver.addresses

    def test_ipv4Literal(self, anyReactor: PollingReactor) -> None:
        """
        An IPv4 literal resolves to itself, with the port.
        """
        found = self.resolve(anyReactor, "127.0.0.1", portNumber=80)
        assert found == [IPv4Address("TCP", "127.0.0.1", 80)]

    def test_localhost(self, anyReactor: PollingReactor) -> None:
        """
        C{localhost} resolves to loopback addresses only.
        """
        found = self.resolve(anyReactor, "localhost", portNumber=8080)
        assert found
        for address in found:
            assert address.host in ("127.0.0.1", "::1")
            assert address.port == 8080

    def test_invalidName(self, anyReactor: PollingReactor) -> None:
        """
        A name under C{.invalid} (which never exists, RFC 6761) gives no
        address.
        """
        assert self.resolve(anyReactor, "no-such-host.invalid") == []


@implementer(IResolverSimple)
class SimpleResolver:
    """
    An L{IResolverSimple} answering from a dictionary (other names fail
    with C{error}).
    """

    def __init__(self, answers: dict[str, str], error: BaseException | None = None) -> None:
        self.answers = answers
        self.error = error or DNSLookupError("not here")
        self.asked: list[str] = []

    def getHostByName(self, name: str, timeout: Sequence[int] = (1, 3, 11, 45)) -> Deferred[str]:
        self.asked.append(name)
        if name in self.answers:
            return succeed(self.answers[name])
        return fail(self.error)


class AdapterTests:
    """
    L{SimpleResolverComplexifier} and L{ComplexResolverSimplifier}.
    """

    def test_complexifier(self) -> None:
        """
        The complexifier gives the simple resolver's address as an
        L{IPv4Address} with the port asked for.
        """
        complex = SimpleResolverComplexifier(SimpleResolver({"a": "192.0.2.1"}))
        assert verifyObject(IHostnameResolver, complex)
        receiver = Receiver()
        complex.resolveHostName(receiver, "a", 25)
        assert receiver.events == [("began", "a"), IPv4Address("TCP", "192.0.2.1", 25), "complete"]

    def test_complexifierNotFound(self) -> None:
        """
        A name the simple resolver cannot find gives no address.
        """
        receiver = Receiver()
        SimpleResolverComplexifier(SimpleResolver({})).resolveHostName(receiver, "b")
        assert receiver.events == [("began", "b"), "complete"]

    def test_complexifierError(self, flushLoggedErrors: Callable[..., list[Failure]]) -> None:
        """
        An unexpected error from the simple resolver is logged and gives no
        address.
        """
        receiver = Receiver()
        simple = SimpleResolver({}, error=ZeroDivisionError())
        SimpleResolverComplexifier(simple).resolveHostName(receiver, "b")
        assert receiver.events == [("began", "b"), "complete"]
        assert len(flushLoggedErrors(ZeroDivisionError)) == 1

    def test_complexifierIPv6(self) -> None:
        """
        An IPv6 literal gives itself without asking the simple resolver; a
        lookup asking for IPv6 only gives nothing else.
        """
        simple = SimpleResolver({"a": "192.0.2.1"})
        complex = SimpleResolverComplexifier(simple)
        literal, v6only, v4only = Receiver(), Receiver(), Receiver()
        complex.resolveHostName(literal, "::1", 80, None, "UDP")
        complex.resolveHostName(v6only, "a", 80, [IPv6Address])
        complex.resolveHostName(v4only, "::1", 80, [IPv4Address])
        assert literal.addresses == [IPv6Address("UDP", "::1", 80)]
        assert v6only.addresses == v4only.addresses == []
        assert simple.asked == []

    def test_complexifierCancel(self) -> None:
        """
        Cancelling a complexifier lookup cancels the simple resolver's
        Deferred and silences the receiver.
        """
        pending: Deferred[str] = Deferred()

        @implementer(IResolverSimple)
        class Slow:
            def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
                return pending

        receiver = Receiver()
        SimpleResolverComplexifier(Slow()).resolveHostName(receiver, "a").cancel()
        assert pending.called  # with CancelledError, which the complexifier consumed
        assert receiver.events == [("began", "a")]

    def test_simplifier(self) -> None:
        """
        The simplifier fires with the first IPv4 address, asking for IPv4
        only.
        """
        asked: list[Any] = []

        @implementer(IHostnameResolver)
        class Two:
            def resolveHostName(
                self,
                resolutionReceiver: IResolutionReceiver,
                hostName: str,
                portNumber: int = 0,
                addressTypes: Sequence[type[IAddress]] | None = None,
                transportSemantics: str = "TCP",
            ) -> IHostResolution:
                asked.append((hostName, portNumber, addressTypes))
                resolution = HostResolution(hostName)
                resolutionReceiver.resolutionBegan(resolution)
                resolutionReceiver.addressResolved(IPv6Address("TCP", "::1", 0))
                resolutionReceiver.addressResolved(IPv4Address("TCP", "192.0.2.7", 0))
                resolutionReceiver.addressResolved(IPv4Address("TCP", "192.0.2.8", 0))
                resolutionReceiver.resolutionComplete()
                return resolution

        simple = ComplexResolverSimplifier(Two())
        assert verifyObject(IResolverSimple, simple)
        assert resultOf(simple.getHostByName("x")) == "192.0.2.7"
        assert asked == [("x", 0, [IPv4Address])]

    def test_simplifierNotFound(self) -> None:
        """
        A name with no IPv4 address fails with L{DNSLookupError} naming it.
        """
        simple = ComplexResolverSimplifier(SimpleResolverComplexifier(SimpleResolver({})))
        failure = failureOf(simple.getHostByName("gone.example"), DNSLookupError)
        assert str(failure.value) == (
            "no IPv4 address found for 'gone.example': the name may not exist, or this "
            "machine cannot resolve it"
        )

    def test_simplifierCancel(self) -> None:
        """
        Cancelling the simplifier's Deferred cancels the lookup.
        """
        reactor = MemoryReactor()
        getaddrinfo = FakeGetAddrInfo([(V4, TCP, 6, "", ("192.0.2.1", 0))])
        d = ComplexResolverSimplifier(GAIResolver(reactor, getaddrinfo=getaddrinfo)).getHostByName(
            "x"
        )
        d.cancel()
        reactor.runThreadCalls()
        failureOf(d, CancelledError)

    def test_synchronousResolver(self) -> None:
        """
        L{SynchronousResolver} resolves every name to 127.0.0.1 before
        returning, keeping the port.
        """
        resolver = SynchronousResolver()
        assert verifyObject(IHostnameResolver, resolver)
        receiver = Receiver()
        resolution = resolver.resolveHostName(receiver, "anything.example", 99)
        assert receiver.events == [
            ("began", "anything.example"),
            IPv4Address("TCP", "127.0.0.1", 99),
            "complete",
        ]
        resolution.cancel()
        cancelled = Receiver(cancelOnBegin=True)
        resolver.resolveHostName(cancelled, "x")
        assert cancelled.events == [("began", "x")]


class ReactorResolverTests:
    """
    The reactor's pluggable resolvers and C{resolve}.
    """

    @pytest.fixture
    def reactor(self) -> Any:
        """
        A fresh select reactor, never run.
        """
        made = SelectReactor()
        yield made
        made.waker.close()

    def test_provides(self, reactor: Any) -> None:
        """
        Reactors provide both pluggable resolver interfaces.
        """
        assert verifyObject(IReactorPluggableNameResolver, reactor)
        assert verifyObject(IReactorPluggableResolver, reactor)

    def test_lazyDefaults(self, reactor: Any) -> None:
        """
        Nothing is made when the reactor is built; the first use makes a
        L{GAIResolver} on the reactor's pool, and a simplifier of it.
        """
        assert reactor._nameResolver is None
        assert reactor.threadpool is None
        assert isinstance(reactor.nameResolver, GAIResolver)
        assert reactor.nameResolver is reactor.nameResolver
        assert isinstance(reactor.resolver, ComplexResolverSimplifier)
        assert reactor.threadpool is None

    def test_installNameResolver(self, reactor: Any) -> None:
        """
        C{installNameResolver} returns the resolver it replaces, and
        C{resolve} then goes through the new one.
        """
        old = reactor.nameResolver
        assert reactor.installNameResolver(SynchronousResolver()) is old
        assert isinstance(reactor.nameResolver, SynchronousResolver)
        assert resultOf(reactor.resolve("example.org")) == "127.0.0.1"

    def test_installResolver(self, reactor: Any) -> None:
        """
        C{installResolver} returns the resolver it replaces; C{resolve} and
        C{nameResolver} then go through the new one.
        """
        simple = SimpleResolver({"example.org": "192.0.2.5"})
        old = reactor.resolver
        assert reactor.installResolver(simple) is old
        assert reactor.resolver is simple
        assert resultOf(reactor.resolve("example.org")) == "192.0.2.5"
        receiver = Receiver()
        reactor.nameResolver.resolveHostName(receiver, "example.org", 1)
        assert receiver.addresses == [IPv4Address("TCP", "192.0.2.5", 1)]
        reactor.resolver = SimpleResolver({"example.org": "192.0.2.6"})
        assert resultOf(reactor.resolve("example.org")) == "192.0.2.6"

    def test_installWrongKind(self, reactor: Any) -> None:
        """
        Installing a resolver of the other kind raises TypeError saying
        which method to use.
        """
        with pytest.raises(TypeError, match=r"for an IResolverSimple use installResolver\(\)$"):
            reactor.installNameResolver(SimpleResolver({}))
        with pytest.raises(TypeError, match=r"for an IHostnameResolver use installNameResolver"):
            reactor.installResolver(SynchronousResolver())

    def test_resolveLiterals(self, reactor: Any) -> None:
        """
        C{resolve} gives an IPv4 literal back at once, and C{0.0.0.0} for
        the empty name, without asking the resolver.
        """
        reactor.installResolver(SimpleResolver({}))
        assert resultOf(reactor.resolve("192.0.2.1")) == "192.0.2.1"
        assert resultOf(reactor.resolve("")) == "0.0.0.0"
        assert reactor.resolver.asked == []

    def test_resolveFails(self, reactor: Any) -> None:
        """
        C{resolve} of a name without IPv4 address fails with
        L{DNSLookupError}.
        """
        reactor.installNameResolver(SimpleResolverComplexifier(SimpleResolver({})))
        failureOf(reactor.resolve("nowhere.example"), DNSLookupError)

    def test_resolveRealName(self, anyReactor: PollingReactor) -> None:
        """
        On a running reactor, C{resolve("localhost")} gives 127.0.0.1 (via
        getaddrinfo in the pool) and an invalid name fails with
        L{DNSLookupError}.
        """
        assert runUntil(anyReactor, anyReactor.resolve("localhost"), timeout=30) == "127.0.0.1"
        with pytest.raises(DNSLookupError, match=r"^no IPv4 address found for 'x\.invalid'"):
            runUntil(anyReactor, anyReactor.resolve("x.invalid"), timeout=30)

    def test_memoryReactor(self) -> None:
        """
        L{MemoryReactor} resolves every name to 127.0.0.1 at once, and its
        resolver can be replaced.
        """
        reactor = MemoryReactor()
        receiver = Receiver()
        reactor.nameResolver.resolveHostName(receiver, "example.org", 80)
        assert receiver.addresses == [IPv4Address("TCP", "127.0.0.1", 80)]
        other = SynchronousResolver()
        old = reactor.installNameResolver(other)
        assert isinstance(old, SynchronousResolver)
        assert reactor.nameResolver is other


class InstallMessageTests:
    """
    The whole messages of the TypeError the install methods raise.
    """

    def test_installNameResolverMessage(self) -> None:
        """
        installNameResolver() names the interface and method it needs, the
        object it got, and the method for the other kind.
        """
        reactor = PluggableResolverMixin()
        with pytest.raises(TypeError) as caught:
            reactor.installNameResolver(3)  # type: ignore[arg-type]
        assert str(caught.value) == (
            "installNameResolver() needs an IHostnameResolver (with resolveHostName), "
            "not 3; for an IResolverSimple use installResolver()"
        )

    def test_installResolverMessage(self) -> None:
        """
        installResolver() names the interface and method it needs, the
        object it got, and the method for the other kind.
        """
        reactor = PluggableResolverMixin()
        with pytest.raises(TypeError) as caught:
            reactor.installResolver("x")  # type: ignore[arg-type]
        assert str(caught.value) == (
            "installResolver() needs an IResolverSimple (with getHostByName), "
            "not 'x'; for an IHostnameResolver use installNameResolver()"
        )
