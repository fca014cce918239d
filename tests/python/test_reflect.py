"""
Tests for L{torsion.python.reflect}: finding objects by dotted name and
naming them back.
"""

from __future__ import annotations

import os.path
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import torsion.python
from torsion.python import reflect
from torsion.python.reflect import (
    InvalidName,
    ModuleNotFound,
    ObjectNotFound,
    fullyQualifiedName,
    namedAny,
    namedModule,
    qual,
)
from torsion.python.usage import Options


class Outer:
    class Inner:
        def method(self) -> None:
            pass

    def method(self) -> None:
        pass

    @classmethod
    def make(cls) -> Outer:
        return cls()


@pytest.fixture
def scratchPackage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """
    A directory on C{sys.path} for throwaway modules named C{scratch_*};
    they are removed from C{sys.modules} afterwards.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [n for n in sys.modules if n.startswith("scratch_")]:
        del sys.modules[name]


class NamedAnyTests:
    """
    L{namedAny} imports what it must and walks attributes.
    """

    def test_module(self) -> None:
        """
        A module's name gives the module, importing packages on the way.
        """
        assert namedAny("torsion.python.reflect") is reflect

    def test_attributes(self) -> None:
        """
        Attributes after the module are looked up in turn.
        """
        assert namedAny("os.path.join") is os.path.join
        assert namedAny("torsion.python.usage.Options.parseOptions") is Options.parseOptions
        assert namedAny(f"{__name__}.Outer.Inner.method") is Outer.Inner.method

    def test_submoduleNotYetImported(self, scratchPackage: Path) -> None:
        """
        A submodule not yet imported is imported, not looked up as an
        attribute only.
        """
        (scratchPackage / "scratch_pkg").mkdir()
        (scratchPackage / "scratch_pkg" / "__init__.py").write_text("")
        (scratchPackage / "scratch_pkg" / "leaf.py").write_text("VALUE = 42\n")
        assert namedAny("scratch_pkg.leaf.VALUE") == 42

    @pytest.mark.parametrize("name", ["a..b", ".a", "a.", "a.1b", "a b", "a.b-c"])
    def test_notADottedName(self, name: str) -> None:
        """
        A name whose parts are not identifiers is an InvalidName saying so.
        """
        with pytest.raises(InvalidName) as info:
            namedAny(name)
        assert str(info.value) == (
            f"{name!r} is not a dotted name: each part between dots must be a Python "
            f"identifier, as in 'package.module.attribute'"
        )

    def test_empty(self) -> None:
        """
        The empty name is an InvalidName (a ValueError).
        """
        with pytest.raises(ValueError, match=r"^namedAny\(\) needs a dotted name"):
            namedAny("")

    def test_notAString(self) -> None:
        """
        A name that is not a string is a TypeError.
        """
        with pytest.raises(
            TypeError, match=r"^namedAny\(\) takes a dotted name as a str, not int$"
        ):
            namedAny(3)  # type: ignore[arg-type]

    @pytest.mark.parametrize("name", ["nosuch_top_module", "nosuch_top_module.attribute"])
    def test_missingModule(self, name: str) -> None:
        """
        A missing first module is ModuleNotFound, also an ImportError, with
        the missing module as C{name}.
        """
        with pytest.raises(ModuleNotFound) as info:
            namedAny(name)
        assert str(info.value) == (
            f"no module named 'nosuch_top_module', so {name!r} cannot be found; check the "
            f"spelling, and that the package is installed or its directory is on sys.path"
        )
        assert isinstance(info.value, ImportError)
        assert isinstance(info.value, InvalidName)
        assert info.value.name == "nosuch_top_module"

    def test_missingAttribute(self) -> None:
        """
        A missing attribute of a module is ObjectNotFound, also an
        AttributeError, naming the module and the attribute.
        """
        with pytest.raises(ObjectNotFound) as info:
            namedAny("torsion.python.reflect.nosuch")
        assert str(info.value) == (
            "'torsion.python.reflect' (a module) has no attribute 'nosuch', so "
            "'torsion.python.reflect.nosuch' cannot be found; check the spelling of 'nosuch'"
        )
        assert isinstance(info.value, AttributeError)
        assert (info.value.name, info.value.obj) == ("nosuch", reflect)

    def test_missingSubmodule(self) -> None:
        """
        Under a package, the message says attribute or submodule.
        """
        with pytest.raises(ObjectNotFound) as info:
            namedAny("torsion.python.nosuch.thing")
        assert str(info.value).startswith(
            "'torsion.python' (a package) has no attribute or submodule 'nosuch', "
        )
        assert info.value.obj is torsion.python

    def test_missingAttributeOfObject(self) -> None:
        """
        A missing attribute further along names the object's kind.
        """
        with pytest.raises(ObjectNotFound, match=r"^'os\.path\.join' \(a function object\) has no"):
            namedAny("os.path.join.nope")
        with pytest.raises(ObjectNotFound, match=r"\(a class\) has no attribute 'nope'"):
            namedAny("torsion.python.usage.Options.nope")

    def test_brokenImportPropagates(self, scratchPackage: Path) -> None:
        """
        A module that exists but imports something missing raises that
        error, not ModuleNotFound or ObjectNotFound for the module itself.
        """
        (scratchPackage / "scratch_broken.py").write_text("import scratch_not_there\n")
        with pytest.raises(ModuleNotFoundError) as info:
            namedAny("scratch_broken.thing")
        assert not isinstance(info.value, InvalidName)
        assert info.value.name == "scratch_not_there"

    def test_brokenSubmodulePropagates(self, scratchPackage: Path) -> None:
        """
        The same holds for a submodule found along the name.
        """
        (scratchPackage / "scratch_pkg2").mkdir()
        (scratchPackage / "scratch_pkg2" / "__init__.py").write_text("")
        (scratchPackage / "scratch_pkg2" / "leaf.py").write_text("raise RuntimeError('boom')\n")
        with pytest.raises(RuntimeError, match=r"^boom$"):
            namedAny("scratch_pkg2.leaf")


def test_namedModule() -> None:
    """
    L{namedModule} imports a module by name; a missing one is ImportError.
    """
    assert namedModule("torsion.python.reflect") is reflect
    assert namedModule("os.path") is os.path
    with pytest.raises(ImportError):
        namedModule("nosuch_top_module")


def test_qual() -> None:
    """
    L{qual} gives a class's module and qualified name.
    """
    assert qual(Options) == "torsion.python.usage.Options"
    assert qual(dict) == "builtins.dict"
    assert qual(Outer.Inner) == f"{__name__}.Outer.Inner"


class FullyQualifiedNameTests:
    """
    L{fullyQualifiedName} names modules, classes, functions and methods.
    """

    @pytest.mark.parametrize(
        ("obj", "name"),
        [
            (reflect, "torsion.python.reflect"),
            (namedAny, "torsion.python.reflect.namedAny"),
            (Options, "torsion.python.usage.Options"),
            (Outer.Inner, f"{__name__}.Outer.Inner"),
            (Outer.Inner.method, f"{__name__}.Outer.Inner.method"),
            (Outer().method, f"{__name__}.Outer.method"),
            (Outer.make, f"{__name__}.Outer.make"),
            (len, "builtins.len"),
        ],
    )
    def test_names(self, obj: object, name: str) -> None:
        """
        Each kind of object gets its dotted name, which L{namedAny} takes
        back to the same object (for a method bound to an instance: its
        function).
        """
        assert fullyQualifiedName(obj) == name
        found = namedAny(name)
        assert found == obj or found is getattr(obj, "__func__", None)

    def test_instance(self) -> None:
        """
        An instance has no name of its own: a TypeError says what to do.
        """
        with pytest.raises(TypeError) as info:
            fullyQualifiedName(3)
        assert str(info.value) == (
            "fullyQualifiedName() takes a module, class, function or method, not an int "
            "object (3); for an instance, name its class: fullyQualifiedName(type(obj))"
        )
