"""
Tests for the public face of L{torsion.internet.interfaces}.
"""

from __future__ import annotations

import inspect

from zope.interface.interface import InterfaceClass, Method

from torsion.internet import _iendpoints, _ireactornet, _itransport, interfaces

# The transport and protocol interfaces issue 3 promises, with Twisted's names.
TRANSPORT_NAMES = {
    "IAddress",
    "IConnector",
    "IConsumer",
    "IFileDescriptorReceiver",
    "IHalfCloseableProtocol",
    "IHandshakeListener",
    "IListeningPort",
    "IMulticastTransport",
    "IProcessProtocol",
    "IProcessTransport",
    "IProducer",
    "IProtocol",
    "IProtocolFactory",
    "IProtocolNegotiationFactory",
    "IPullProducer",
    "IPushProducer",
    "IReactorMulticast",
    "IReactorProcess",
    "IReactorSSL",
    "IReactorSocket",
    "IReactorTCP",
    "IReactorUDP",
    "IReactorUNIX",
    "IReactorUNIXDatagram",
    "ISSLTransport",
    "IStreamClientEndpoint",
    "IStreamServerEndpoint",
    "ITCPTransport",
    "ITLSTransport",
    "ITransport",
    "IUDPTransport",
    "IUNIXTransport",
}


def test_allSortedAndUnique() -> None:
    """
    C{__all__} lists each name once, in sorted order.
    """
    names = interfaces.__all__
    assert names == sorted(set(names))


def test_eachNameIsAnInterface() -> None:
    """
    Every name in C{__all__} exists and is a zope interface.
    """
    for name in interfaces.__all__:
        assert isinstance(getattr(interfaces, name), InterfaceClass), name


def test_allMatchesPublicNames() -> None:
    """
    Every public interface defined in the module is in C{__all__}.
    """
    public = {
        name
        for name, value in vars(interfaces).items()
        if not name.startswith("_") and isinstance(value, InterfaceClass)
    }
    assert public == set(interfaces.__all__)


def test_transportInterfacesExported() -> None:
    """
    The transport, protocol and network-reactor interfaces are exported,
    and are the objects defined in the private module.
    """
    assert set(interfaces.__all__) >= TRANSPORT_NAMES
    assert set(_itransport.__all__) | set(_ireactornet.__all__) == TRANSPORT_NAMES
    for name in TRANSPORT_NAMES:
        defined = getattr(_itransport, name, None) or getattr(_ireactornet, name)
        assert getattr(interfaces, name) is defined, name


def test_documented() -> None:
    """
    Every transport interface, and each of its methods and attributes, has a
    docstring.
    """
    for name in TRANSPORT_NAMES:
        interface = getattr(interfaces, name)
        assert inspect.getdoc(interface), name
        for member, description in interface.namesAndDescriptions():
            assert description.getDoc().strip(), f"{name}.{member}"


def test_methodSignatures() -> None:
    """
    A few methods whose signatures users depend on take Twisted's arguments.
    """
    expected = {
        ("IProtocol", "dataReceived"): ["data"],
        ("IProtocolFactory", "buildProtocol"): ["addr"],
        ("IConsumer", "registerProducer"): ["producer", "streaming"],
        ("IReactorTCP", "listenTCP"): ["port", "factory", "backlog", "interface"],
        ("IReactorTCP", "connectTCP"): ["host", "port", "factory", "timeout", "bindAddress"],
        ("IReactorUDP", "listenUDP"): ["port", "protocol", "interface", "maxPacketSize"],
        ("IProcessProtocol", "childDataReceived"): ["childFD", "data"],
        ("IUDPTransport", "write"): ["packet", "addr"],
    }
    for (interfaceName, methodName), arguments in expected.items():
        method = getattr(interfaces, interfaceName)[methodName]
        assert isinstance(method, Method)
        assert list(method.positional) == arguments, (interfaceName, methodName)


def test_inheritance() -> None:
    """
    The interfaces extend the ones Twisted's do.
    """
    assert interfaces.ITCPTransport.extends(interfaces.ITransport)
    assert interfaces.ITLSTransport.extends(interfaces.ITCPTransport)
    assert interfaces.ISSLTransport.extends(interfaces.ITCPTransport)
    assert interfaces.IPushProducer.extends(interfaces.IProducer)
    assert interfaces.IPullProducer.extends(interfaces.IProducer)
    assert interfaces.IMulticastTransport.extends(interfaces.IUDPTransport)
    assert interfaces.IProcessTransport.extends(interfaces.ITransport)
    assert interfaces.IUNIXTransport.extends(interfaces.ITransport)


# The name resolution and endpoint description interfaces (issue 6).
ENDPOINT_NAMES = {
    "IHostResolution",
    "IHostnameResolver",
    "IReactorPluggableNameResolver",
    "IReactorPluggableResolver",
    "IResolutionReceiver",
    "IResolverSimple",
    "IStreamClientEndpointStringParserWithReactor",
    "IStreamServerEndpointStringParser",
}


def test_endpointInterfacesExported() -> None:
    """
    The resolver and description parser interfaces are exported, are the
    objects defined in the private module, and are documented, each
    member included.
    """
    assert set(_iendpoints.__all__) == ENDPOINT_NAMES
    assert set(interfaces.__all__) >= ENDPOINT_NAMES
    for name in ENDPOINT_NAMES:
        interface = getattr(interfaces, name)
        assert interface is getattr(_iendpoints, name), name
        assert inspect.getdoc(interface), name
        for member, description in interface.namesAndDescriptions():
            assert description.getDoc().strip(), f"{name}.{member}"


def test_resolverSignatures() -> None:
    """
    The resolver methods take Twisted's arguments.
    """
    expected = {
        ("IHostnameResolver", "resolveHostName"): [
            "resolutionReceiver",
            "hostName",
            "portNumber",
            "addressTypes",
            "transportSemantics",
        ],
        ("IResolverSimple", "getHostByName"): ["name", "timeout"],
        ("IReactorPluggableNameResolver", "installNameResolver"): ["resolver"],
        ("IResolutionReceiver", "addressResolved"): ["address"],
        ("IStreamServerEndpointStringParser", "parseStreamServer"): ["reactor"],
    }
    for (interfaceName, methodName), arguments in expected.items():
        method = getattr(interfaces, interfaceName)[methodName]
        assert isinstance(method, Method)
        assert list(method.positional) == arguments, (interfaceName, methodName)
