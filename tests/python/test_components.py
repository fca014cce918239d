"""
Tests for L{torsion.python.components}: registering adapters, Componentized
objects and proxyForInterface.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from zope.interface import Attribute, Interface, implementer
from zope.interface.verify import verifyObject

from torsion.python import components
from torsion.python.components import (
    Adapter,
    Componentized,
    getAdapterFactory,
    getRegistry,
    proxyForInterface,
    registerAdapter,
)


class IColour(Interface):
    """
    Something with a colour.
    """

    def colour() -> str:
        """
        @return: The colour's name.
        """


class IShape(Interface):
    """
    Something with a shape.
    """

    sides = Attribute("How many sides.")

    def describe(prefix: str, suffix: str = "") -> str:
        """
        @return: A description.
        """


class ISquare(IShape):
    """
    A shape with four equal sides.
    """

    def area() -> float:
        """
        @return: The area.
        """


class Thing:
    """
    A plain object to adapt.
    """


class Widget(Componentized):
    """
    A Componentized to adapt.
    """


class ThingColour:
    """
    Adapts a Thing to IColour.
    """

    def __init__(self, original: Thing) -> None:
        self.original = original

    def colour(self) -> str:
        return "red"


@implementer(ISquare)
class Square:
    """
    A square of side 2.
    """

    sides = 4

    def describe(self, prefix: str, suffix: str = "") -> str:
        return f"{prefix}square{suffix}"

    def area(self) -> float:
        return 4.0


@pytest.fixture
def cleanRegistry() -> Iterator[None]:
    """
    Undo the adapter registrations a test makes.
    """
    registry = getRegistry()
    before = _registrations()
    yield
    for required, provided in _registrations().keys() - before.keys():
        registry.unregister(list(required), provided, "")
    for (required, provided), factory in before.items():
        registry.register(list(required), provided, "", factory)


def _registrations() -> dict[tuple[tuple[Any, ...], Any], Any]:
    """
    The registry's adapters: (required, provided) to factory.
    """
    return {
        (tuple(required), provided): factory
        for required, provided, _, factory in getRegistry().allRegistrations()  # type: ignore[attr-defined]
    }


class RegisterAdapterTests:
    """
    Tests for L{registerAdapter} and L{getAdapterFactory}.
    """

    def test_adaptsClassInstances(self, cleanRegistry: None) -> None:
        """
        An adapter registered for a class makes C{IFoo(instance)} call it.
        """
        registerAdapter(ThingColour, Thing, IColour)
        thing = Thing()
        adapted = IColour(thing)
        assert isinstance(adapted, ThingColour)
        assert adapted.original is thing
        assert adapted.colour() == "red"

    def test_adaptsInterfaceProviders(self, cleanRegistry: None) -> None:
        """
        An adapter registered from an interface applies to what provides it,
        and to what provides an interface extending it.
        """

        def colourOf(shape: IShape) -> ThingColour:
            return ThingColour(Thing())

        registerAdapter(colourOf, IShape, IColour)
        assert isinstance(IColour(Square()), ThingColour)

    def test_severalInterfaces(self, cleanRegistry: None) -> None:
        """
        One factory may be registered for several interfaces at once.
        """
        registerAdapter(lambda thing: Square(), Thing, IShape, ISquare)
        assert isinstance(IShape(Thing()), Square)
        assert isinstance(ISquare(Thing()), Square)

    def test_noAdapter(self, cleanRegistry: None) -> None:
        """
        Without a registered adapter, adaptation fails as zope's does: the
        default if given, else TypeError.
        """
        assert IColour(Thing(), None) is None
        with pytest.raises(TypeError):
            IColour(Thing())

    def test_duplicate(self, cleanRegistry: None) -> None:
        """
        Registering a second adapter for the same pair raises ValueError
        naming both interfaces and how to allow it.
        """
        registerAdapter(ThingColour, Thing, IColour)
        with pytest.raises(ValueError, match=r"already registered.*ALLOW_DUPLICATES"):
            registerAdapter(ThingColour, Thing, IColour)

    def test_allowDuplicates(self, cleanRegistry: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        With C{ALLOW_DUPLICATES} set, a second registration replaces the
        first.
        """
        registerAdapter(ThingColour, Thing, IColour)
        monkeypatch.setattr(components, "ALLOW_DUPLICATES", True)

        class Other(ThingColour):
            pass

        registerAdapter(Other, Thing, IColour)
        adapted: object = IColour(Thing())
        assert type(adapted) is Other

    def test_noInterfaceToAdaptTo(self) -> None:
        """
        Registering with no interface to adapt to raises ValueError.
        """
        with pytest.raises(ValueError, match=r"names no interface to adapt to"):
            registerAdapter(ThingColour, Thing)

    def test_badOrigin(self) -> None:
        """
        Adapting from something that is neither a class nor an interface
        raises TypeError naming it.
        """
        with pytest.raises(TypeError, match=r"^adapt from an interface or a class, not 3 \(int\)$"):
            registerAdapter(ThingColour, 3, IColour)  # type: ignore[arg-type]

    def test_getAdapterFactory(self, cleanRegistry: None) -> None:
        """
        getAdapterFactory returns the registered factory, or the default.
        """
        sentinel = object()
        assert getAdapterFactory(Thing, IColour, sentinel) is sentinel
        registerAdapter(ThingColour, Thing, IColour)
        assert getAdapterFactory(Thing, IColour, None) is ThingColour

    def test_subclassInheritsAdapter(self, cleanRegistry: None) -> None:
        """
        An adapter registered for a class applies to its subclasses.
        """

        class SubThing(Thing):
            pass

        registerAdapter(ThingColour, Thing, IColour)
        assert getAdapterFactory(SubThing, IColour, None) is ThingColour
        assert isinstance(IColour(SubThing()), ThingColour)


class ComponentizedTests:
    """
    Tests for L{Componentized}.
    """

    def test_addComponentIgnoreClass(self) -> None:
        """
        addComponent(ignoreClass=True) keeps the component for every
        interface it provides, including those its interfaces extend only
        when declared.
        """
        widget = Widget()
        square = Square()
        widget.addComponent(square, ignoreClass=True)
        assert ISquare(widget) is square
        assert widget.getComponent(ISquare) is square

    def test_addComponentNeedsRegisteredClass(self, cleanRegistry: None) -> None:
        """
        Without ignoreClass, a component is kept only for the interfaces
        whose adapter from the Componentized's class is the component's
        class.
        """
        widget = Widget()
        widget.addComponent(Square())
        assert widget.getComponent(ISquare) is None

        class SquareOf(Square):
            def __init__(self, original: Widget) -> None:
                self.original = original

        registerAdapter(lambda w: Square(), Widget, IShape)
        registerAdapter(SquareOf, Widget, ISquare)
        kept = SquareOf(widget)
        widget.addComponent(kept)
        assert widget.getComponent(ISquare) is kept

    def test_setAndUnsetComponent(self) -> None:
        """
        setComponent keeps a provider for one interface; unsetComponent
        forgets it, and raises KeyError when there is none.
        """
        widget = Widget()
        square = Square()
        widget.setComponent(IShape, square)
        assert IShape(widget) is square
        assert widget.getComponent(ISquare) is None
        widget.unsetComponent(IShape)
        assert IShape(widget, None) is None
        with pytest.raises(KeyError):
            widget.unsetComponent(IShape)

    def test_removeComponent(self) -> None:
        """
        removeComponent forgets a component for every interface it was kept
        for, and returns those interfaces.
        """
        widget = Widget()
        square = Square()
        widget.addComponent(square, ignoreClass=True)
        widget.setComponent(IColour, "blue")
        removed = widget.removeComponent(square)
        assert set(removed) == {ISquare}
        assert widget.getComponent(ISquare) is None
        assert widget.getComponent(IColour) == "blue"

    def test_adapterMadeOnceAndKept(self, cleanRegistry: None) -> None:
        """
        An adapter registered for the class is made on first adaptation and
        then kept: the same object comes back, with its state.
        """
        made: list[object] = []

        class WidgetColour(Adapter):
            def colour(self) -> str:
                return "green"

        def factory(widget: Widget) -> WidgetColour:
            adapter = WidgetColour(widget)
            made.append(adapter)
            return adapter

        registerAdapter(factory, Widget, IColour)
        widget = Widget()
        first = IColour(widget)
        assert IColour(widget) is first
        assert made == [first]
        assert first.original is widget  # type: ignore[attr-defined]

    def test_temporaryAdapter(self, cleanRegistry: None) -> None:
        """
        An adapter whose class sets temporaryAdapter is made anew each time.
        """

        class Temporary(Adapter):
            temporaryAdapter = True

        registerAdapter(Temporary, Widget, IColour)
        widget = Widget()
        assert IColour(widget) is not IColour(widget)

    def test_multiComponent(self, cleanRegistry: None) -> None:
        """
        A multiComponent adapter is kept for every interface its class is
        registered for from the Componentized's class.
        """

        @implementer(IShape, IColour)
        class Both(Adapter):
            multiComponent = True
            sides = 0

            def describe(self, prefix: str, suffix: str = "") -> str:
                return prefix

            def colour(self) -> str:
                return "grey"

        registerAdapter(Both, Widget, IShape, IColour)
        widget = Widget()
        shape: object = IShape(widget)
        colour: object = IColour(widget)
        assert colour is shape

    def test_setAdapterAndAddAdapter(self) -> None:
        """
        setAdapter and addAdapter make the component by calling the adapter
        class with the Componentized.
        """
        widget = Widget()
        widget.setAdapter(IColour, ThingColour)
        adapted: Any = IColour(widget)
        assert adapted.original is widget

        @implementer(IShape)
        class ShapeOf(Adapter):
            sides = 0

            def describe(self, prefix: str, suffix: str = "") -> str:
                return prefix

        added = widget.addAdapter(ShapeOf, ignoreClass=True)
        assert added.original is widget
        assert IShape(widget) is added

    def test_adapterForwardsConform(self) -> None:
        """
        Adapting an Adapter asks the object it adapts.
        """
        widget = Widget()
        square = Square()
        widget.setComponent(IShape, square)
        adapter = Adapter(widget)
        assert IShape(adapter) is square
        assert Adapter(Thing()).__conform__(IShape) is None


class ProxyForInterfaceTests:
    """
    Tests for L{proxyForInterface}.
    """

    def test_forwardsMethodsAndAttributes(self) -> None:
        """
        The proxy provides the interface (bases included) and forwards its
        methods, with their arguments, and its attributes.
        """
        square = Square()
        proxy = proxyForInterface(ISquare)(square)
        assert proxy.original is square
        assert proxy.describe("a ", suffix="!") == "a square!"
        assert proxy.area() == 4.0
        assert proxy.sides == 4
        assert verifyObject(ISquare, proxy)
        assert ISquare.providedBy(proxy)

    def test_attributeWritesAndDeletes(self) -> None:
        """
        Setting and deleting an interface attribute on the proxy sets and
        deletes it on the original.
        """
        square = Square()
        proxy = proxyForInterface(IShape)(square)
        proxy.sides = 5
        assert square.sides == 5
        del proxy.sides
        assert square.sides == 4  # the class attribute again

    def test_otherNamesNotForwarded(self) -> None:
        """
        Names the interface does not declare are not forwarded.
        """
        proxy = proxyForInterface(IShape)(Square())
        with pytest.raises(AttributeError):
            proxy.area  # noqa: B018

    def test_originalAttribute(self) -> None:
        """
        originalAttribute names where the wrapped object is kept.
        """
        square = Square()
        proxy = proxyForInterface(IShape, originalAttribute="wrapped")(square)
        assert proxy.wrapped is square
        assert proxy.describe("") == "square"

    def test_subclassOverrides(self) -> None:
        """
        A subclass overrides some methods and inherits the forwarding of the
        others; the class is named after the interface.
        """
        base = proxyForInterface(ISquare)

        class Bigger(base):  # type: ignore[misc, valid-type]
            def area(self) -> float:
                return float(self.original.area() * 4)

        proxy = Bigger(Square())
        assert proxy.area() == 16.0
        assert proxy.describe("big ") == "big square"
        assert base.__name__ == "(Proxy for tests.python.test_components.ISquare)"

    def test_classAttributeIsDescriptor(self) -> None:
        """
        On the class itself, a forwarded attribute is its descriptor, so
        that introspection does not fail.
        """
        proxyClass = proxyForInterface(IShape)
        assert proxyClass.sides is proxyClass.__dict__["sides"]
