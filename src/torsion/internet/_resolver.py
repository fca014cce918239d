# Host name resolution: the getaddrinfo resolver, the adapters between the
# two resolver interfaces, and the reactor mixin that makes resolvers
# pluggable.
#
# How GAIResolver works
# ---------------------
# resolveHostName() tells the receiver resolutionBegan() at once, then runs
# socket.getaddrinfo in a thread of the reactor's pool (deferToThreadPool,
# so the result comes back in the reactor thread).  There each
# (family, sockaddr) pair becomes an IPv4Address or IPv6Address, duplicates
# dropped, in getaddrinfo's order (which already follows the system's
# address preference, RFC 6724), and is passed to addressResolved(); then
# resolutionComplete().  A name that does not resolve (gaierror, or any
# other error, which is also logged) gives no address, only the
# completion.  cancel() drops the result: a thread cannot be interrupted,
# so getaddrinfo still runs to its end, but the receiver hears nothing more.
#
# The adapters
# ------------
# SimpleResolverComplexifier makes an IHostnameResolver of an
# IResolverSimple (IPv4 only: its one address, if IPv4 is wanted);
# ComplexResolverSimplifier the reverse (the first IPv4 address, or
# DNSLookupError).  PluggableResolverMixin gives a reactor `nameResolver`,
# `resolver`, their install* methods and resolve(); installing either
# resolver sets the other to an adapter of it, so the two always agree.
# Nothing is made until first used, so building a reactor stays cheap.
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from zope.interface import implementer

from torsion.internet._address import IPv4Address, IPv6Address
from torsion.internet._deferred import Deferred, succeed
from torsion.internet._errors import DNSLookupError
from torsion.internet._iendpoints import (
    IHostnameResolver,
    IHostResolution,
    IReactorPluggableNameResolver,
    IReactorPluggableResolver,
    IResolutionReceiver,
    IResolverSimple,
)
from torsion.internet._itransport import IAddress
from torsion.internet._threads import deferToThreadPool
from torsion.logger import Logger
from torsion.python.failure import Failure

if TYPE_CHECKING:
    from torsion.python.threadpool import ThreadPool

_log = Logger(namespace="torsion.internet.resolver")

_Sockaddr = tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]


class _GetAddrInfo(Protocol):
    """
    A callable with the signature of L{socket.getaddrinfo}.
    """

    def __call__(
        self,
        host: bytes | str | None,
        port: bytes | str | int | None,
        family: int = ...,
        type: int = ...,
        proto: int = ...,
        flags: int = ...,
    ) -> Sequence[tuple[int, int, int, str, Any]]: ...


_SOCKET_TYPES = {"TCP": socket.SOCK_STREAM, "UDP": socket.SOCK_DGRAM}


def _familyFor(addressTypes: Sequence[type[IAddress]] | None) -> int:
    """
    The getaddrinfo family asking for C{addressTypes}.

    @raise ValueError: If they are not IPv4Address and/or IPv6Address.
    """
    if addressTypes is None:
        return socket.AF_UNSPEC
    wanted = set(addressTypes)
    if not wanted or not wanted <= {IPv4Address, IPv6Address}:
        raise ValueError(
            f"addressTypes must name IPv4Address and/or IPv6Address (or be None for both), "
            f"not {list(addressTypes)!r}"
        )
    if wanted == {IPv4Address}:
        return socket.AF_INET
    if wanted == {IPv6Address}:
        return socket.AF_INET6
    return socket.AF_UNSPEC


def _socketTypeFor(transportSemantics: str) -> int:
    """
    The socket type for C{"TCP"} or C{"UDP"}.

    @raise ValueError: For anything else.
    """
    try:
        return _SOCKET_TYPES[transportSemantics]
    except KeyError:
        raise ValueError(
            f"transportSemantics must be 'TCP' or 'UDP', not {transportSemantics!r}"
        ) from None


def _toAddress(family: int, sockaddr: Any, kind: str) -> IPv4Address | IPv6Address | None:
    """
    The address object for one getaddrinfo result, or L{None} for a family
    other than IPv4 and IPv6.
    """
    transport: Literal["TCP", "UDP"] = "UDP" if kind == "UDP" else "TCP"
    if family == socket.AF_INET:
        return IPv4Address(transport, sockaddr[0], sockaddr[1])
    if family == socket.AF_INET6:
        return IPv6Address(transport, sockaddr[0], sockaddr[1], sockaddr[2], sockaddr[3])
    return None


@implementer(IHostResolution)
class HostResolution:
    """
    One lookup in progress; L{cancel} stops its receiver hearing more.

    @ivar name: The host name being looked up.
    @ivar cancelled: Whether L{cancel} stopped it.
    @ivar over: Whether it completed or was cancelled.
    """

    def __init__(self, name: str, onCancel: Callable[[], object] | None = None) -> None:
        """
        @param name: The host name being looked up.
        @param onCancel: Called by L{cancel} if the lookup is still going.
        """
        self.name = name
        self.cancelled = False
        self.over = False
        self._onCancel = onCancel

    def cancel(self) -> None:
        """
        Stop the lookup; its receiver gets no further calls.  Does nothing
        once the lookup is over.
        """
        if self.over:
            return
        self.cancelled = self.over = True
        onCancel, self._onCancel = self._onCancel, None
        if onCancel is not None:
            onCancel()

    def _cancelWith(self, onCancel: Callable[[], object]) -> None:
        """
        Call C{onCancel} if the lookup is cancelled from now on.  Does
        nothing once the lookup is over.
        """
        if not self.over:
            self._onCancel = onCancel

    def _finish(self) -> bool:
        """
        Mark the lookup over.

        @return: Whether it was still going (so the receiver should hear
            C{resolutionComplete}).
        """
        if self.over:
            return False
        self.over = True
        self._onCancel = None
        return True

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else " over" if self.over else ""
        return f"<HostResolution {self.name!r}{state}>"


def _began(resolutionReceiver: IResolutionReceiver, hostName: str) -> HostResolution:
    """
    Start a lookup of C{hostName}, telling C{resolutionReceiver} it began.

    @return: The lookup; already over if the receiver cancelled it.
    """
    resolution = HostResolution(hostName)
    resolutionReceiver.resolutionBegan(resolution)
    return resolution


@implementer(IHostnameResolver)
class GAIResolver:
    """
    Resolves host names with C{socket.getaddrinfo}, in a thread of the
    reactor's thread pool, so the reactor never waits for DNS.
    """

    def __init__(
        self,
        reactor: Any,
        getThreadPool: Callable[[], ThreadPool] | None = None,
        getaddrinfo: _GetAddrInfo = socket.getaddrinfo,
    ) -> None:
        """
        @param reactor: The reactor (an L{IReactorThreads}) whose thread the
            results are delivered in.
        @param getThreadPool: Returns the pool to run lookups in; L{None}
            for C{reactor.getThreadPool}.  Called at each lookup, so the
            pool is only made when a name is first looked up.
        @param getaddrinfo: The function to call instead of
            C{socket.getaddrinfo} (for tests).
        """
        self._reactor = reactor
        self._getThreadPool: Callable[[], Any] = (
            reactor.getThreadPool if getThreadPool is None else getThreadPool
        )
        self._getaddrinfo = getaddrinfo

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        """
        Look C{hostName} up; see L{IHostnameResolver.resolveHostName}.

        @param resolutionReceiver: Gets the results, in the reactor thread.
        @param hostName: The name or address literal.
        @param portNumber: The port to put in the addresses.
        @param addressTypes: C{IPv4Address} and/or C{IPv6Address}, or
            L{None} for both.
        @param transportSemantics: C{"TCP"} or C{"UDP"}.
        @return: The lookup, which can be cancelled.
        @raise ValueError: If C{addressTypes} or C{transportSemantics} is
            not one of those.
        """
        family = _familyFor(addressTypes)
        socketType = _socketTypeFor(transportSemantics)
        resolution = _began(resolutionReceiver, hostName)
        if resolution.over:
            return resolution
        lookup = deferToThreadPool(
            self._reactor,
            self._getThreadPool(),
            self._getaddrinfo,
            hostName,
            portNumber,
            family,
            socketType,
        )
        resolution._cancelWith(lookup.cancel)

        def deliver(results: Sequence[tuple[int, int, int, str, Any]]) -> None:
            seen: set[IAddress] = set()
            for resultFamily, _, _, _, sockaddr in results:
                if resolution.over:
                    return  # cancelled by the receiver meanwhile
                address = _toAddress(resultFamily, sockaddr, transportSemantics)
                if address is not None and address not in seen:
                    seen.add(address)
                    resolutionReceiver.addressResolved(address)
            if resolution._finish():
                resolutionReceiver.resolutionComplete()

        def failed(reason: Failure) -> None:
            if resolution.over:
                return
            if not reason.check(OSError, UnicodeError):
                _log.failure("getaddrinfo({name!r}) failed unexpectedly:", reason, name=hostName)
            deliver([])

        lookup.addCallbacks(deliver, failed)
        return resolution

    def __repr__(self) -> str:
        return f"<GAIResolver for {self._reactor!r}>"


@implementer(IHostnameResolver)
class SimpleResolverComplexifier:
    """
    An L{IHostnameResolver} over an L{IResolverSimple}: lookups give its
    one IPv4 address (and an IPv6 literal gives itself).
    """

    def __init__(self, simpleResolver: IResolverSimple) -> None:
        """
        @param simpleResolver: The resolver that does the work.
        """
        self._simpleResolver = simpleResolver

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        """
        Look C{hostName} up with the simple resolver; see
        L{IHostnameResolver.resolveHostName}.

        @param resolutionReceiver: Gets the result.
        @param hostName: The name or address literal.
        @param portNumber: The port to put in the address.
        @param addressTypes: C{IPv4Address} and/or C{IPv6Address}, or
            L{None} for both.
        @param transportSemantics: C{"TCP"} or C{"UDP"}.
        @return: The lookup, which can be cancelled.
        @raise ValueError: If C{addressTypes} or C{transportSemantics} is
            not one of those.
        """
        family = _familyFor(addressTypes)
        _socketTypeFor(transportSemantics)
        kind: Literal["TCP", "UDP"] = "UDP" if transportSemantics == "UDP" else "TCP"
        resolution = _began(resolutionReceiver, hostName)

        def finish(address: IAddress | None) -> None:
            if resolution.over:
                return
            if address is not None:
                resolutionReceiver.addressResolved(address)
            if resolution._finish():
                resolutionReceiver.resolutionComplete()

        if resolution.over:
            return resolution
        if _isIPv6Literal(hostName):
            finish(None if family == socket.AF_INET else IPv6Address(kind, hostName, portNumber))
            return resolution
        if family == socket.AF_INET6:
            finish(None)
            return resolution

        def failed(reason: Failure) -> None:
            if not reason.check(DNSLookupError) and not resolution.over:
                _log.failure(
                    "{resolver!r} failed to look up {name!r}:",
                    reason,
                    resolver=self._simpleResolver,
                    name=hostName,
                )
            finish(None)

        def found(address: str) -> None:
            finish(IPv4Address(kind, address, portNumber))

        lookup = self._simpleResolver.getHostByName(hostName)
        resolution._cancelWith(lookup.cancel)
        lookup.addCallbacks(found, failed)
        return resolution


def _isIPv6Literal(name: str) -> bool:
    try:
        ipaddress.IPv6Address(name)
    except ValueError:
        return False
    return True


class _FirstAddress:
    """
    The base of the receivers that turn a lookup into a Deferred firing
    with one address (as text); cancelling the Deferred cancels the lookup.
    Subclasses say which address, in C{addressResolved} and
    C{resolutionComplete}.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self.resolution: IHostResolution | None = None
        self.deferred: Deferred[str] = Deferred(canceller=self._cancel)

    def _cancel(self, d: Deferred[str]) -> None:
        if self.resolution is not None:
            self.resolution.cancel()

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:
        self.resolution = resolutionInProgress


@implementer(IResolutionReceiver)
class _FirstIPv4(_FirstAddress):
    """
    Receives a lookup, firing a Deferred with its first IPv4 address or
    failing it with L{DNSLookupError}.
    """

    def addressResolved(self, address: IAddress) -> None:
        if isinstance(address, IPv4Address) and not self.deferred.called:
            self.deferred.callback(address.host)

    def resolutionComplete(self) -> None:
        if not self.deferred.called:
            self.deferred.errback(
                DNSLookupError(
                    f"no IPv4 address found for {self._name!r}: the name may not exist, "
                    "or this machine cannot resolve it"
                )
            )


@implementer(IResolverSimple)
class ComplexResolverSimplifier:
    """
    An L{IResolverSimple} over an L{IHostnameResolver}: the first IPv4
    address it finds.
    """

    def __init__(self, nameResolver: IHostnameResolver) -> None:
        """
        @param nameResolver: The resolver that does the work.
        """
        self._nameResolver = nameResolver

    def getHostByName(self, name: str, timeout: Sequence[int] = (1, 3, 11, 45)) -> Deferred[str]:
        """
        Look up an IPv4 address of C{name}.

        @param name: The host name.
        @param timeout: Ignored: the name resolver has its own limits.
        @return: A Deferred firing with the first IPv4 address found, or
            failing with L{DNSLookupError}; cancelling it cancels the lookup.
        """
        receiver = _FirstIPv4(name)
        self._nameResolver.resolveHostName(receiver, name, 0, [IPv4Address])
        return receiver.deferred


@implementer(IHostnameResolver)
class SynchronousResolver:
    """
    A resolver for tests: every name resolves at once, before
    C{resolveHostName} returns, to C{127.0.0.1} with the port asked for.
    The name resolver of C{torsion.internet.testing.MemoryReactor}.
    """

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        """
        Resolve C{hostName} to C{127.0.0.1}, telling C{resolutionReceiver}
        everything before returning.

        @param resolutionReceiver: Gets the result.
        @param hostName: Any name.
        @param portNumber: The port to put in the address.
        @param addressTypes: Ignored.
        @param transportSemantics: C{"TCP"} or C{"UDP"}.
        @return: The lookup, already over.
        """
        kind: Literal["TCP", "UDP"] = "UDP" if transportSemantics == "UDP" else "TCP"
        resolution = _began(resolutionReceiver, hostName)
        if not resolution.over:
            resolutionReceiver.addressResolved(IPv4Address(kind, "127.0.0.1", portNumber))
        if resolution._finish():
            resolutionReceiver.resolutionComplete()
        return resolution


def _isIPv4Literal(name: str) -> bool:
    try:
        socket.inet_aton(name)
    except OSError:
        return False
    return name.count(".") == 3


# For each kind of resolver: the method it must have, its interface, and
# the reactor method that installs it.
_RESOLVER_KINDS = {
    "name": ("resolveHostName", "IHostnameResolver", "installNameResolver"),
    "simple": ("getHostByName", "IResolverSimple", "installResolver"),
}


def _checkResolver(resolver: object, kind: Literal["name", "simple"]) -> None:
    """
    Check that C{resolver} can be installed as the C{kind} resolver.

    @raise TypeError: If it lacks the method that kind of resolver has.
    """
    method, interface, install = _RESOLVER_KINDS[kind]
    if not callable(getattr(resolver, method, None)):
        _, otherInterface, otherInstall = _RESOLVER_KINDS["simple" if kind == "name" else "name"]
        raise TypeError(
            f"{install}() needs an {interface} (with {method}), "
            f"not {resolver!r}; for an {otherInterface} use {otherInstall}()"
        )


@implementer(IReactorPluggableNameResolver, IReactorPluggableResolver)
class PluggableResolverMixin:
    """
    The resolver half of a reactor: C{nameResolver}, C{resolver}, their
    C{install*} methods and C{resolve}.  The default name resolver is a
    L{GAIResolver} on the reactor's own thread pool, made when first used.
    """

    _nameResolver: IHostnameResolver | None = None
    _simpleResolver: IResolverSimple | None = None

    @property
    def nameResolver(self) -> IHostnameResolver:
        """
        The installed L{IHostnameResolver}.
        """
        if self._nameResolver is None:
            self._nameResolver = GAIResolver(self)
        return self._nameResolver

    @property
    def resolver(self) -> IResolverSimple:
        """
        The installed L{IResolverSimple} (by default, an adapter of
        L{nameResolver}).
        """
        if self._simpleResolver is None:
            self._simpleResolver = ComplexResolverSimplifier(self.nameResolver)
        return self._simpleResolver

    @resolver.setter
    def resolver(self, resolver: IResolverSimple) -> None:
        self.installResolver(resolver)

    def installNameResolver(self, resolver: IHostnameResolver) -> IHostnameResolver:
        """
        Use C{resolver} for every later lookup (and C{resolver} becomes an
        adapter of it).

        @param resolver: The new name resolver.
        @return: The name resolver it replaces.
        @raise TypeError: If C{resolver} has no C{resolveHostName}.
        """
        _checkResolver(resolver, "name")
        previous = self.nameResolver
        self._nameResolver = resolver
        self._simpleResolver = ComplexResolverSimplifier(resolver)
        return previous

    def installResolver(self, resolver: IResolverSimple) -> IResolverSimple:
        """
        Use C{resolver} for every later lookup, IPv4 only (and
        C{nameResolver} becomes an adapter of it).

        @param resolver: The new resolver.
        @return: The resolver it replaces.
        @raise TypeError: If C{resolver} has no C{getHostByName}.
        """
        _checkResolver(resolver, "simple")
        previous = self.resolver
        self._simpleResolver = resolver
        self._nameResolver = SimpleResolverComplexifier(resolver)
        return previous

    def resolve(self, name: str, timeout: Sequence[int] = (1, 3, 11, 45)) -> Deferred[str]:
        """
        Resolve C{name} to an IPv4 address with the installed resolver.

        @param name: A host name, or an IPv4 address (given back as it is);
            the empty name gives C{"0.0.0.0"}.
        @param timeout: Passed to the resolver's C{getHostByName}.
        @return: A Deferred that fires with the address, or fails with
            L{DNSLookupError}.
        """
        if not name:
            return succeed("0.0.0.0")
        if _isIPv4Literal(name):
            return succeed(name)
        return self.resolver.getHostByName(name, timeout)


__all__ = [
    "ComplexResolverSimplifier",
    "GAIResolver",
    "HostResolution",
    "PluggableResolverMixin",
    "SimpleResolverComplexifier",
    "SynchronousResolver",
]
