# HostnameEndpoint: connect to a host name over IPv4 or IPv6, whichever
# answers first, racing the attempts as RFC 8305 ("Happy Eyeballs v2")
# describes.
#
# How it works
# ------------
# connect() makes one _Race, which is the IResolutionReceiver of the name
# lookup (the reactor's nameResolver, so a test can give it a fake one):
#
#   resolving --resolutionComplete--> racing --first success--> won
#       |                                 |--all failed----------> lost
#       +----------- cancel() ------------+----------------------> cancelled
#
# - resolving: an IP address is taken as it is, without a lookup.  A name's
#   addresses are collected until resolutionComplete (the
#   system's getaddrinfo gives them all at once, so RFC 8305's separate
#   AAAA/A queries and its 50 ms resolution delay have nothing to wait
#   for).  No address: the Deferred fails with DNSLookupError.
# - ordering (RFC 8305 section 4): duplicates dropped, then the families
#   interleaved, IPv6 first: v6, v4, v6, v4, ... each family in the order
#   the resolver gave (getaddrinfo's is already the system's preference).
# - racing: one attempt (TCP6ClientEndpoint or TCP4ClientEndpoint to the
#   address) starts at once; the next starts when `attemptDelay` seconds
#   pass (a reactor.callLater) or as soon as an attempt fails, whichever is
#   first, and each start restarts that timer.  Attempts already started
#   keep going: several may be in flight.
# - won: the first attempt to connect settles the Deferred; the timer is
#   cancelled and so is every other attempt in flight (their failures,
#   ConnectingCancelledError, are swallowed).  Only one protocol is ever
#   built: an attempt builds its protocol when it connects, and the winner
#   cancels the others synchronously, before the reactor can connect them.
# - lost: when no address is left to try and nothing is in flight, the
#   Deferred fails with one ConnectionAttemptsFailed listing each address
#   and why it failed.
# - cancelled: cancelling the Deferred cancels the lookup or the timer and
#   every attempt in flight; the Deferred fails with CancelledError.
# `timeout` is each attempt's own (connectTCP's), as in Twisted.
from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

from zope.interface import implementer

from torsion.internet._abstract import isIPAddress, isIPv6Address
from torsion.internet._address import IPv4Address, IPv6Address
from torsion.internet._deferred import Deferred, fail
from torsion.internet._endpointsbasic import TCP4ClientEndpoint, TCP6ClientEndpoint, _hostPort
from torsion.internet._endpointsclient import _bindAddress, _nameResolverOf
from torsion.internet._errors import ConnectError, DNSLookupError
from torsion.internet._iendpoints import IHostResolution, IResolutionReceiver
from torsion.internet._ireactor import IDelayedCall
from torsion.internet._ireactornet import IStreamClientEndpoint
from torsion.internet._itransport import IAddress, IProtocol, IProtocolFactory
from torsion.python.failure import Failure

_IPAddress = IPv4Address | IPv6Address


class ConnectionAttemptsFailed(ConnectError):
    """
    L{HostnameEndpoint} tried every address of the host, and each attempt
    failed.

    Twisted fails with the last attempt's error instead; that one is
    C{attempts[-1][1]}.

    @ivar host: The host name connected to.
    @ivar port: The port connected to.
    @ivar attempts: C{(address, failure)} for each attempt, in the order
        they were started.
    """

    description = "Every connection attempt failed"

    def __init__(self, host: str, port: int, attempts: list[tuple[IAddress, Failure]]) -> None:
        """
        @param host: The host name connected to.
        @param port: The port connected to.
        @param attempts: C{(address, failure)} for each attempt.
        """
        super().__init__(string=f"{host}:{port}")
        self.host = host
        self.port = port
        self.attempts = attempts

    def __str__(self) -> str:
        count = len(self.attempts)
        lines = [
            f"Could not connect to {self.host!r} port {self.port}: "
            f"{'its one address' if count == 1 else f'each of its {count} addresses'} failed:"
        ]
        for address, failure in self.attempts:
            host = getattr(address, "host", address)
            port = getattr(address, "port", "?")
            lines.append(f"  {_hostPort(str(host), port)}: {failure.getErrorMessage()}")
        return "\n".join(lines)


def _interleave(addresses: list[_IPAddress]) -> list[_IPAddress]:
    """
    C{addresses} without duplicates, alternating IPv6 and IPv4, IPv6 first.
    """
    seen: set[tuple[str, str]] = set()
    families: tuple[list[_IPAddress], list[_IPAddress]] = ([], [])
    for address in addresses:
        key = (type(address).__name__, address.host)
        if key not in seen:
            seen.add(key)
            families[0 if isinstance(address, IPv6Address) else 1].append(address)
    v6, v4 = families
    ordered: list[_IPAddress] = []
    for index in range(max(len(v6), len(v4))):
        ordered.extend(family[index] for family in (v6, v4) if index < len(family))
    return ordered


@implementer(IResolutionReceiver)
class _Race:
    """
    One L{HostnameEndpoint.connect}: the lookup, then the staggered
    attempts.  See the comment at the top of the module.
    """

    def __init__(self, endpoint: HostnameEndpoint, protocolFactory: IProtocolFactory) -> None:
        self._endpoint = endpoint
        self._protocolFactory = protocolFactory
        self._found: list[_IPAddress] = []
        self._resolution: IHostResolution | None = None
        self._queue: deque[_IPAddress] = deque()
        self._inFlight: dict[Deferred[IProtocol], _IPAddress] = {}
        self._failures: list[tuple[IAddress, Failure]] = []
        self._timer: IDelayedCall | None = None
        self._over = False
        self.deferred: Deferred[IProtocol] = Deferred(canceller=self._cancel)

    # -- the lookup ----------------------------------------------------------

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:
        self._resolution = resolutionInProgress

    def addressResolved(self, address: IAddress) -> None:
        if isinstance(address, IPv4Address | IPv6Address):
            # With the port connected to, whatever the resolver put there.
            self._found.append(replace(address, port=self._endpoint._port))

    def resolutionComplete(self) -> None:
        self._resolution = None
        if self._over:
            return
        self._queue.extend(_interleave(self._found))
        if not self._queue:
            self._settle(
                Failure(
                    DNSLookupError(
                        f"no address found for host name {self._endpoint._hostText!r}: the "
                        "name may not exist, or this machine cannot resolve it"
                    )
                )
            )
            return
        self._startNext()

    # -- the attempts --------------------------------------------------------

    def _startNext(self) -> None:
        self._stopTimer()
        if self._over or not self._queue:
            return
        address = self._queue.popleft()
        endpoint = self._endpoint
        kind = TCP6ClientEndpoint if isinstance(address, IPv6Address) else TCP4ClientEndpoint
        attempt = kind(
            endpoint._reactor,
            address.host,
            endpoint._port,
            endpoint._timeout,
            endpoint._bindAddress,
        ).connect(self._protocolFactory)
        self._inFlight[attempt] = address
        attempt.addCallbacks(
            self._connected,
            self._failed,
            callbackArgs=(attempt,),
            errbackArgs=(attempt, address),
        )
        # An attempt that failed at once has started the next one already.
        if attempt in self._inFlight and self._queue and self._timer is None and not self._over:
            self._timer = endpoint._reactor.callLater(endpoint._attemptDelay, self._startNext)

    def _connected(self, protocol: IProtocol, attempt: Deferred[IProtocol]) -> None:
        del self._inFlight[attempt]
        self._settle(protocol)

    def _failed(self, reason: Failure, attempt: Deferred[IProtocol], address: IAddress) -> None:
        del self._inFlight[attempt]
        if self._over:
            return  # Cancelled, by the winner or by the caller.
        self._failures.append((address, reason))
        if self._queue:
            self._startNext()
        elif not self._inFlight:
            endpoint = self._endpoint
            self._settle(
                Failure(
                    ConnectionAttemptsFailed(endpoint._hostText, endpoint._port, self._failures)
                )
            )

    # -- the end -------------------------------------------------------------

    def _stopTimer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()

    def _stopEverything(self) -> None:
        self._over = True
        self._stopTimer()
        self._queue.clear()
        resolution, self._resolution = self._resolution, None
        if resolution is not None:
            resolution.cancel()
        for attempt in list(self._inFlight):
            attempt.cancel()

    def _settle(self, result: IProtocol | Failure) -> None:
        self._stopEverything()
        if isinstance(result, Failure):
            self.deferred.errback(result)
        else:
            self.deferred.callback(result)

    def _cancel(self, d: Deferred[IProtocol]) -> None:
        self._stopEverything()


def _hostForms(host: str | bytes) -> str:
    """
    The host as text for the resolver: IDNA-encoded if it is a non-ASCII
    name.

    @raise ValueError: If it is neither ASCII nor a valid IDNA name.
    """
    if isinstance(host, bytes):
        try:
            return host.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(
                f"host {host!r} is not ASCII; give a non-ASCII name as str, which is "
                "IDNA-encoded for you"
            ) from None
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as e:
        raise ValueError(f"host {host!r} is not a valid internationalized name: {e}") from None


@implementer(IStreamClientEndpoint)
class HostnameEndpoint:
    """
    A client that connects to a host name over IPv4 or IPv6, whichever
    connects first (Happy Eyeballs, RFC 8305).

    The name is looked up with the reactor's C{nameResolver} (by default
    getaddrinfo in the reactor's thread pool, so the reactor never waits).
    The addresses are tried alternately IPv6 and IPv4, IPv6 first, starting
    a new attempt every C{attemptDelay} seconds (or as soon as one fails)
    while earlier ones go on; the first to connect wins and the others are
    cancelled.  If every attempt fails, the Deferred fails with one
    L{ConnectionAttemptsFailed} listing each address and its error.
    """

    _DEFAULT_ATTEMPT_DELAY = 0.25

    def __init__(
        self,
        reactor: Any,
        host: str | bytes,
        port: int,
        timeout: float = 30,
        bindAddress: tuple[str, int] | str | None = None,
        attemptDelay: float | None = None,
    ) -> None:
        """
        @param reactor: An L{IReactorTCP} and L{IReactorTime} that also
            provides L{IReactorPluggableNameResolver} (or at least a thread
            pool to look names up in).
        @param host: The host name, or an IPv4 or IPv6 address; a non-ASCII
            name is IDNA-encoded.
        @param port: The port number.
        @param timeout: Seconds each attempt may take (as C{connectTCP}'s).
        @param bindAddress: A local C{(host, port)} to connect from, or just
            a host; L{None} lets the system choose.
        @param attemptDelay: Seconds between the starts of attempts;
            L{None} for 0.25, RFC 8305's recommendation (Twisted uses 0.3).
        """
        self._reactor = reactor
        self._host = host
        self._hostError: ValueError | None = None
        try:
            self._hostText = _hostForms(host)
        except ValueError as e:
            self._hostText = repr(host)
            self._hostError = e
        self._port = port
        self._timeout = timeout
        self._bindAddress = _bindAddress(bindAddress)
        self._attemptDelay = self._DEFAULT_ATTEMPT_DELAY if attemptDelay is None else attemptDelay

    def __repr__(self) -> str:
        host = self._hostText
        shown = f"[{host}]" if isIPv6Address(host) else host
        return f"<HostnameEndpoint {shown}:{self._port}>"

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[IProtocol]:
        """
        Look the host up, then race connection attempts to its addresses.

        @param protocolFactory: Builds the protocol, once, for the winning
            connection.
        @return: A Deferred firing with the connected protocol, or failing
            with L{torsion.internet.error.DNSLookupError} (no address),
            L{ConnectionAttemptsFailed} (every attempt failed) or
            C{ValueError} (a host name that cannot be encoded); cancelling
            it stops the lookup and every attempt.
        """
        if self._hostError is not None:
            return fail(self._hostError)
        race = _Race(self, protocolFactory)
        host = self._hostText
        if isIPAddress(host) or isIPv6Address(host):
            # An address needs no lookup (nor a trip to the thread pool).
            kind = IPv6Address if ":" in host else IPv4Address
            race.addressResolved(kind("TCP", host, self._port))
            race.resolutionComplete()
            return race.deferred
        try:
            _nameResolverOf(self._reactor).resolveHostName(race, host, self._port)
        except BaseException:
            return fail()
        return race.deferred


__all__ = ["ConnectionAttemptsFailed", "HostnameEndpoint"]
