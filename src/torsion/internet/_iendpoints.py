# The interfaces of name resolution and of endpoint description plugins.
#
# Name resolution has two shapes, as in Twisted:
#   - IResolverSimple: one name in, one IPv4 address out, as a Deferred
#     (what reactor.resolve() has always given);
#   - IHostnameResolver: a name in, any number of IPv4/IPv6 addresses out,
#     pushed to an IResolutionReceiver as they are found, with an
#     IHostResolution handle to cancel the lookup.  HostnameEndpoint uses
#     this one, because Happy Eyeballs needs every address of both families.
# A reactor providing IReactorPluggableNameResolver (and
# IReactorPluggableResolver) lets a program replace the resolver; the
# implementations and the reactor mixin are in _resolver.py.
#
# The two string parser interfaces are what endpoint description plugins
# provide: serverFromString/clientFromString look the description's type
# up among the parsers' `prefix`es (_endpointsparse.py).
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from zope.interface import Attribute, Interface

from torsion.internet._itransport import IAddress

if TYPE_CHECKING:
    from torsion.internet._deferred import Deferred
    from torsion.internet._ireactornet import IStreamClientEndpoint, IStreamServerEndpoint


class IHostResolution(Interface):
    """
    A host name lookup in progress, as L{IHostnameResolver.resolveHostName}
    returns it and L{IResolutionReceiver.resolutionBegan} receives it.
    """

    name = Attribute("The host name being looked up, as a C{str}.")

    def cancel() -> None:
        """
        Stop the lookup: the receiver gets no further calls (not even
        C{resolutionComplete}).  Cancelling a finished lookup does nothing.
        """


class IResolutionReceiver(Interface):
    """
    Receives the results of one host name lookup.

    Calls, in order: C{resolutionBegan} once, C{addressResolved} once per
    address found (possibly never), then C{resolutionComplete} once; a
    cancelled lookup stops wherever it was.
    """

    def resolutionBegan(resolutionInProgress: IHostResolution) -> None:
        """
        The lookup started.

        @param resolutionInProgress: The lookup, which can be cancelled.
        """

    def addressResolved(address: IAddress) -> None:
        """
        One address of the name was found.

        @param address: An L{torsion.internet.address.IPv4Address} or
            L{torsion.internet.address.IPv6Address}, with the port asked for.
        """

    def resolutionComplete() -> None:
        """
        The lookup is over: no more addresses will come.  A name that could
        not be resolved gives no C{addressResolved} call before this.
        """


class IHostnameResolver(Interface):
    """
    Looks up the IPv4 and IPv6 addresses of a host name.
    """

    def resolveHostName(
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        """
        Start looking up C{hostName}; the results go to
        C{resolutionReceiver}.

        @param resolutionReceiver: Told when the lookup starts, of each
            address and when it is over.
        @param hostName: The name (or an address literal) to look up.
        @param portNumber: The port to put in the addresses.
        @param addressTypes: The address classes wanted, such as
            C{[IPv4Address]}; L{None} for both IPv4 and IPv6.
        @param transportSemantics: C{"TCP"} or C{"UDP"}: the type of the
            addresses, and which socket type to ask the system about.
        @return: The lookup, which can be cancelled.
        """


class IResolverSimple(Interface):
    """
    Looks up one IPv4 address of a host name.
    """

    def getHostByName(name: str, timeout: Sequence[int] = (1, 3, 11, 45)) -> Deferred[str]:
        """
        Look up an IPv4 address of C{name}.

        @param name: The host name.
        @param timeout: Seconds to wait at each retry; resolvers that do not
            retry use their sum as the whole lookup's limit, or ignore it.
        @return: A Deferred firing with a dotted-quad address, or failing
            with L{torsion.internet.error.DNSLookupError}.
        """


class IReactorPluggableNameResolver(Interface):
    """
    A reactor whose host name resolver (used by C{HostnameEndpoint} and
    C{reactor.resolve}) can be replaced.
    """

    nameResolver = Attribute("The installed L{IHostnameResolver}.")

    def installNameResolver(resolver: IHostnameResolver) -> IHostnameResolver:
        """
        Use C{resolver} for every later lookup.

        @param resolver: The new resolver.
        @return: The resolver it replaces.
        """


class IReactorPluggableResolver(Interface):
    """
    A reactor whose IPv4-only resolver can be replaced (the older form of
    L{IReactorPluggableNameResolver}; prefer that one).
    """

    def installResolver(resolver: IResolverSimple) -> IResolverSimple:
        """
        Use C{resolver} for every later lookup, IPv4 only.

        @param resolver: The new resolver.
        @return: The resolver it replaces.
        """


class IStreamServerEndpointStringParser(Interface):
    """
    Makes stream server endpoints from descriptions of one type, such as
    C{"tcp:8080:interface=127.0.0.1"}; a plugin providing it adds a type to
    C{torsion.internet.endpoints.serverFromString}.
    """

    prefix = Attribute(
        "The description type it parses, such as C{'tcp'} (the text before the first"
        " colon, compared without regard to case)."
    )

    def parseStreamServer(reactor: Any, *args: str, **kwargs: str) -> IStreamServerEndpoint:
        """
        Make an endpoint from the rest of a description: the colon-separated
        parts after the type, unescaped, C{key=value} parts as keywords.

        @param reactor: The reactor the endpoint will listen with.
        @param args: The positional parts.
        @param kwargs: The keyword parts.
        @return: The endpoint.
        @raise ValueError: If the parts do not describe an endpoint.
        """


class IStreamClientEndpointStringParserWithReactor(Interface):
    """
    Makes stream client endpoints from descriptions of one type, such as
    C{"tcp:example.org:80"}; a plugin providing it adds a type to
    C{torsion.internet.endpoints.clientFromString}.
    """

    prefix = Attribute(
        "The description type it parses, such as C{'tcp'} (compared without regard to case)."
    )

    def parseStreamClient(reactor: Any, *args: str, **kwargs: str) -> IStreamClientEndpoint:
        """
        Make an endpoint from the rest of a description, split as for
        L{IStreamServerEndpointStringParser.parseStreamServer}.

        @param reactor: The reactor the endpoint will connect with.
        @param args: The positional parts.
        @param kwargs: The keyword parts.
        @return: The endpoint.
        @raise ValueError: If the parts do not describe an endpoint.
        """


__all__ = [
    "IHostResolution",
    "IHostnameResolver",
    "IReactorPluggableNameResolver",
    "IReactorPluggableResolver",
    "IResolutionReceiver",
    "IResolverSimple",
    "IStreamClientEndpointStringParserWithReactor",
    "IStreamServerEndpointStringParser",
]
