"""
Adapters and components: look up an object's provider of an interface.

L{registerAdapter} makes C{IFoo(obj)} work for objects that do not provide
C{IFoo} themselves; L{Componentized} objects hold one provider (component)
per interface and hand it out when adapted; L{proxyForInterface} makes a
class that forwards an interface to a wrapped object.
"""

# How it works
# ------------
# Adapters live in one zope.interface AdapterRegistry of our own
# (globalRegistry), not in zope's global site manager.  At import a hook is
# appended to zope.interface.interface.adapter_hooks, the list of functions
# zope asks when `IFoo(obj)` finds neither that obj provides IFoo nor an
# answer from obj.__conform__.  The hook looks up, in our registry, the
# adapter factory registered from what obj provides (its class's
# declarations count) to IFoo, and calls it with obj.
#
# A Componentized keeps a dict from interface to component.  zope calls its
# __conform__ first, which answers from that dict, or else adapts the
# Componentized through the registry (interface.__adapt__) and caches the
# adapter it gets (unless the adapter's class says temporaryAdapter), so that
# the same adapter, with whatever state it keeps, is found the next time.
#
# proxyForInterface builds a class whose methods and attributes, for each
# name the interface declares (its bases' names too), forward to the wrapped
# object: methods as functions that call the original's bound method,
# attributes as descriptors that get, set and delete on the original.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zope.interface import implementedBy, implementer, providedBy
from zope.interface.adapter import AdapterRegistry
from zope.interface.interface import InterfaceClass, Method, adapter_hooks

from torsion.python._publish import publish as _publish

globalRegistry = AdapterRegistry()

# Whether registerAdapter may replace an adapter already registered for the
# same pair of interfaces (tests of adapters sometimes set it).
ALLOW_DUPLICATES = False


def _lookup(specification: Any, target: InterfaceClass) -> Any:
    """
    The factory registered from C{specification} (or what it extends) to
    C{target}, or L{None}.
    """
    # zope.interface's type stubs do not declare the lookup methods, which
    # its C extension adds to the registry.
    return globalRegistry.lookup1(specification, target)  # type: ignore[attr-defined]


def _asSpecification(origin: InterfaceClass | type) -> Any:
    """
    The zope specification for C{origin}: an interface stays itself, a class
    stands for what its instances provide.
    """
    if isinstance(origin, InterfaceClass):
        return origin
    if isinstance(origin, type):
        return implementedBy(origin)  # type: ignore[no-untyped-call]
    raise TypeError(f"adapt from an interface or a class, not {origin!r} ({type(origin).__name__})")


def registerAdapter(
    adapterFactory: Callable[[Any], object],
    origInterface: InterfaceClass | type,
    *interfaceClasses: InterfaceClass,
) -> None:
    """
    Register an adapter factory, so that C{IFoo(obj)} calls it with C{obj}.

    @param adapterFactory: Called with an object providing C{origInterface};
        returns the provider of one of C{interfaceClasses} for it (usually an
        adapter class whose constructor takes the adapted object).
    @param origInterface: The interface adapted from, or a class (whose
        instances are then adapted).
    @param interfaceClasses: The interfaces adapted to; at least one.
    @raise ValueError: If no interface to adapt to is given, or an adapter
        from C{origInterface} to one of them is already registered (and
        L{ALLOW_DUPLICATES} is false).
    """
    if not interfaceClasses:
        raise ValueError(
            f"registerAdapter({adapterFactory!r}, {origInterface!r}) names no interface "
            "to adapt to; pass one or more after the original interface"
        )
    origin = _asSpecification(origInterface)
    for target in interfaceClasses:
        existing = globalRegistry.registered([origin], target)
        if existing is not None and not ALLOW_DUPLICATES:
            raise ValueError(
                f"an adapter from {origInterface!r} to {target!r} is already registered "
                f"({existing!r}); register each pair once, or set "
                "torsion.python.components.ALLOW_DUPLICATES = True to replace it"
            )
        globalRegistry.register([origin], target, "", adapterFactory)


def getAdapterFactory(
    fromInterface: InterfaceClass | type, toInterface: InterfaceClass, default: Any
) -> Any:
    """
    The adapter factory registered with L{registerAdapter} for a pair.

    Only this module's registry is searched, and declarations are followed
    as for adaptation: a factory registered for a base interface (or a base
    class's declarations) is found too.

    @param fromInterface: The interface adapted from, or a class.
    @param toInterface: The interface adapted to.
    @param default: What to return if no factory is registered.
    @return: The factory, or C{default}.
    """
    factory = _lookup(_asSpecification(fromInterface), toInterface)
    return default if factory is None else factory


def getRegistry() -> AdapterRegistry:
    """
    @return: The registry L{registerAdapter} writes to.
    """
    return globalRegistry


def _adaptThroughRegistry(interface: InterfaceClass, adaptee: object) -> object:
    factory = _lookup(providedBy(adaptee), interface)
    if factory is None:
        return None
    return factory(adaptee)


adapter_hooks.append(_adaptThroughRegistry)


class Adapter:
    """
    A base class for adapters: keeps the adapted object as C{original}.

    @cvar temporaryAdapter: If true, a L{Componentized} does not keep this
        adapter once made: each adaptation makes a new one.
    @cvar multiComponent: If true, a L{Componentized} that made this adapter
        keeps it for every interface it provides (see
        L{Componentized.addComponent}), not only the one asked for.
    @ivar original: The adapted object.
    """

    temporaryAdapter = False
    multiComponent = True

    def __init__(self, original: Any) -> None:
        """
        @param original: The object to adapt.
        """
        self.original = original

    def __conform__(self, interface: InterfaceClass) -> Any:
        """
        Let the adapted object answer adaptations of this adapter.

        @param interface: The interface asked for.
        @return: What C{original.__conform__} returns, or L{None}.
        """
        conform = getattr(self.original, "__conform__", None)
        if conform is None:
            return None
        return conform(interface)


class Componentized:
    """
    An object made of components: one provider per interface, handed out
    when the object is adapted (C{IFoo(componentized)}).

    Components are added explicitly (L{addComponent}, L{setComponent}), or
    made on demand by the adapters registered for this class with
    L{registerAdapter} and then kept, so they can hold state.
    """

    def __init__(self) -> None:
        self._adapterCache: dict[InterfaceClass, Any] = {}

    def locateAdapterClass(self, klass: type, interfaceClass: InterfaceClass, default: Any) -> Any:
        """
        The adapter factory registered from C{klass} to C{interfaceClass}.

        @param klass: The class adapted from.
        @param interfaceClass: The interface adapted to.
        @param default: What to return if there is none.
        @return: The factory, or C{default}.
        """
        return getAdapterFactory(klass, interfaceClass, default)

    def setAdapter(
        self, interfaceClass: InterfaceClass, adapterClass: Callable[[Any], Any]
    ) -> None:
        """
        Make the component for C{interfaceClass} by adapting this object.

        @param interfaceClass: The interface.
        @param adapterClass: Called with this object; returns the component.
        """
        self.setComponent(interfaceClass, adapterClass(self))

    def addAdapter(self, adapterClass: Callable[[Any], Any], ignoreClass: bool = False) -> Any:
        """
        Make a component by adapting this object, and add it with
        L{addComponent}.

        @param adapterClass: Called with this object; returns the component.
        @param ignoreClass: As for L{addComponent}.
        @return: The component made.
        """
        adapter = adapterClass(self)
        self.addComponent(adapter, ignoreClass)
        return adapter

    def setComponent(self, interfaceClass: InterfaceClass, component: Any) -> None:
        """
        Make C{component} this object's provider of C{interfaceClass}.

        @param interfaceClass: The interface.
        @param component: Its provider.
        """
        self._adapterCache[interfaceClass] = component

    def addComponent(self, component: Any, ignoreClass: bool = False) -> None:
        """
        Add C{component} for the interfaces it provides.

        @param component: The component.
        @param ignoreClass: If true, C{component} becomes the provider of
            every interface it provides.  If false, only of those for which
            its class is the adapter registered from this object's class.
        """
        for interface in providedBy(component):
            if ignoreClass or (
                self.locateAdapterClass(type(self), interface, None) is type(component)
            ):
                self._adapterCache[interface] = component

    def unsetComponent(self, interfaceClass: InterfaceClass) -> None:
        """
        Forget the component for C{interfaceClass}.

        @param interfaceClass: The interface.
        @raise KeyError: If there is none.
        """
        del self._adapterCache[interfaceClass]

    def removeComponent(self, component: Any) -> list[InterfaceClass]:
        """
        Forget C{component} for every interface it was kept for.

        @param component: The component.
        @return: The interfaces it was kept for.
        """
        removed = [i for i, c in self._adapterCache.items() if c is component]
        for interface in removed:
            del self._adapterCache[interface]
        return removed

    def getComponent(self, interface: InterfaceClass, default: Any = None) -> Any:
        """
        This object's provider of C{interface}: the component kept for it,
        or else an adapter made (and kept) through the registry.

        An adapter whose C{temporaryAdapter} attribute is true is not kept;
        one whose C{multiComponent} attribute is true is kept for all the
        interfaces it provides, with L{addComponent}.

        @param interface: The interface.
        @param default: What to return if there is no provider.
        @return: The provider, or C{default}.
        """
        cache = self._adapterCache
        if interface in cache:
            return cache[interface]
        adapter = interface.__adapt__(self)
        if adapter is None:
            return default
        if not getattr(adapter, "temporaryAdapter", False):
            cache[interface] = adapter
            if getattr(adapter, "multiComponent", False):
                self.addComponent(adapter)
        return adapter

    def __conform__(self, interface: InterfaceClass) -> Any:
        return self.getComponent(interface)


class _ForwardedAttribute:
    """
    A descriptor that reads, writes and deletes one attribute of the
    wrapped object.
    """

    def __init__(self, name: str, originalAttribute: str) -> None:
        self._name = name
        self._originalAttribute = originalAttribute

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(getattr(instance, self._originalAttribute), self._name)

    def __set__(self, instance: object, value: Any) -> None:
        setattr(getattr(instance, self._originalAttribute), self._name, value)

    def __delete__(self, instance: object) -> None:
        delattr(getattr(instance, self._originalAttribute), self._name)


def _forwardedMethod(name: str, originalAttribute: str) -> Callable[..., Any]:
    def forward(self: object, *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, originalAttribute), name)(*args, **kwargs)

    forward.__name__ = name
    return forward


def proxyForInterface(iface: InterfaceClass, originalAttribute: str = "original") -> type[Any]:
    """
    Make a class that provides C{iface} by forwarding it to a wrapped object.

    Its constructor takes the object to wrap, which it keeps as
    C{originalAttribute}.  Each method C{iface} declares calls the wrapped
    object's method; each attribute reads and writes the wrapped object's.
    Subclass it to change some of them::

        class Counting(proxyForInterface(IProtocol)):
            def dataReceived(self, data):
                self.count = getattr(self, "count", 0) + len(data)
                self.original.dataReceived(data)

    @param iface: The interface to forward, with its bases.
    @param originalAttribute: Where instances keep the wrapped object.
    @return: The class.
    """

    def __init__(self: object, original: Any) -> None:
        setattr(self, originalAttribute, original)

    namespace: dict[str, Any] = {"__init__": __init__}
    for name in iface.names(all=True):
        if isinstance(iface[name], Method):
            namespace[name] = _forwardedMethod(name, originalAttribute)
        else:
            namespace[name] = _ForwardedAttribute(name, originalAttribute)
    proxy = type(f"(Proxy for {iface.__module__}.{iface.__name__})", (object,), namespace)
    implementer(iface)(proxy)
    return proxy


__all__ = [
    "ALLOW_DUPLICATES",
    "Adapter",
    "Componentized",
    "getAdapterFactory",
    "getRegistry",
    "globalRegistry",
    "proxyForInterface",
    "registerAdapter",
]

_publish(globals())
