"""
Tests for L{torsion.plugin}: finding plugins by interface in drop-in
modules, in C{torsion.plugins} and in packages that callers name.

Plugin modules are written to temporary directories put on C{sys.path};
the modules they create are removed from C{sys.modules} after each test.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from zope.interface import Attribute, Interface

import torsion.plugins
from torsion.logger import LogEvent, LogLevel
from torsion.plugin import IPlugin, getPlugins, pluginPackagePaths


class IGadget(Interface):
    """
    What the test plugins provide.
    """

    name = Attribute("The gadget's name.")


class IWidget(Interface):
    """
    Another interface, which only some test plugins provide.
    """

    name = Attribute("The widget's name.")


GADGETS = """\
from zope.interface import implementer

from torsion.plugin import IPlugin
from plugintest_interfaces import IGadget, IWidget


@implementer(IPlugin, IGadget)
class Gadget:
    def __init__(self, name):
        self.name = name


@implementer(IPlugin, IWidget)
class Widget:
    name = "widget"


{names}
notAPlugin = object()
GadgetClass = Gadget
widget = Widget()
"""


def gadgets(*names: str) -> str:
    """
    The source of a plugin module defining a gadget for each of C{names},
    plus objects that are not gadget plugins.
    """
    return GADGETS.format(names="\n".join(f"{n} = Gadget({n!r})" for n in names))


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """
    A temporary directory, on C{sys.path}, for plugin packages; the
    interfaces above importable as C{plugintest_interfaces}; and, after the
    test, every module imported from there removed again.
    """
    interfaces = ModuleType("plugintest_interfaces")
    interfaces.IGadget = IGadget  # type: ignore[attr-defined]
    interfaces.IWidget = IWidget  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "plugintest_interfaces", interfaces)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        module = sys.modules.pop(name)
        parent, _, leaf = name.rpartition(".")
        if getattr(sys.modules.get(parent), leaf, None) is module:
            delattr(sys.modules[parent], leaf)
    for path in [p for p in sys.path_importer_cache if p.startswith(str(tmp_path))]:
        del sys.path_importer_cache[path]


def write(path: Path, source: str) -> None:
    """
    Write a module, making its directory.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    importlib.invalidate_caches()


def names(found: Iterator[Any]) -> list[str]:
    """
    The names of the plugins found, in the order found.
    """
    return [plugin.name for plugin in found]


def makeSpanningPackage(root: Path) -> None:
    """
    Make a plugin package C{plugintest_pkg} in C{root/a} (with an
    C{__init__.py} that extends its path) and a drop-in directory for it in
    C{root/b}, and put both on C{sys.path}.  Not imported yet.
    """
    write(
        root / "a" / "plugintest_pkg" / "__init__.py",
        """\
        from torsion.plugin import pluginPackagePaths

        __path__.extend(pluginPackagePaths(__name__))
        """,
    )
    write(root / "a" / "plugintest_pkg" / "first.py", gadgets("hammer", "saw"))
    write(root / "b" / "plugintest_pkg" / "second.py", gadgets("drill"))
    sys.path[:0] = [str(root / "a"), str(root / "b")]


class GetPluginsTests:
    """
    L{getPlugins} yields the module-level objects providing an interface.
    """

    def test_defaultPackage(self, plugins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without a package, C{torsion.plugins} is searched, including a
        drop-in C{torsion/plugins} directory on C{sys.path}.
        """
        write(plugins / "torsion" / "plugins" / "plugintest_tools.py", gadgets("hammer", "saw"))
        path = [*torsion.plugins.__path__, *pluginPackagePaths("torsion.plugins")]
        assert str(plugins / "torsion" / "plugins") in path
        monkeypatch.setattr(torsion.plugins, "__path__", path)
        assert sorted(names(getPlugins(IGadget))) == ["hammer", "saw"]
        assert "torsion.plugins.plugintest_tools" in sys.modules

    def test_callerPackageSpanningTwoDirectories(self, plugins: Path) -> None:
        """
        A caller's package whose C{__path__} spans two directories yields
        the plugins of both, module by module in name order.
        """
        makeSpanningPackage(plugins)
        package = importlib.import_module("plugintest_pkg")
        assert package.__path__ == [
            str(plugins / "a" / "plugintest_pkg"),
            str(plugins / "b" / "plugintest_pkg"),
        ]
        assert names(getPlugins(IGadget, package)) == ["hammer", "saw", "drill"]

    def test_packageByName(self, plugins: Path) -> None:
        """
        The package may be given by its dotted name.
        """
        makeSpanningPackage(plugins)
        assert names(getPlugins(IGadget, "plugintest_pkg")) == ["hammer", "saw", "drill"]

    def test_onlyProvidersOfTheInterface(self, plugins: Path) -> None:
        """
        Objects that do not provide the interface are ignored: other
        plugins, a class that implements it, plain objects, modules.
        """
        write(plugins / "plugintest_only" / "__init__.py", "")
        write(plugins / "plugintest_only" / "mixed.py", gadgets("hammer"))
        found = list(getPlugins(IGadget, "plugintest_only"))
        assert names(iter(found)) == ["hammer"]
        assert [w.name for w in getPlugins(IWidget, "plugintest_only")] == ["widget"]
        anyPlugin: list[Any] = list(getPlugins(IPlugin, "plugintest_only"))
        assert sorted(p.name for p in anyPlugin) == ["hammer", "widget"]

    def test_sharedObjectOnce(self, plugins: Path) -> None:
        """
        A plugin object that two modules hold is yielded once.
        """
        write(plugins / "plugintest_shared" / "__init__.py", "")
        write(plugins / "plugintest_shared" / "a.py", gadgets("hammer"))
        write(
            plugins / "plugintest_shared" / "b.py",
            "from plugintest_shared.a import hammer\n",
        )
        assert names(getPlugins(IGadget, "plugintest_shared")) == ["hammer"]

    def test_subpackagesSkipped(self, plugins: Path) -> None:
        """
        Only modules are searched, not subpackages.
        """
        write(plugins / "plugintest_sub" / "__init__.py", "")
        write(plugins / "plugintest_sub" / "inner" / "__init__.py", gadgets("hidden"))
        assert names(getPlugins(IGadget, "plugintest_sub")) == []
        assert "plugintest_sub.inner" not in sys.modules

    def test_brokenModuleLoggedAndSkipped(
        self, plugins: Path, loggedFailures: list[LogEvent]
    ) -> None:
        """
        A module that fails to import is logged, with its name and the
        error, and skipped; the plugins of the other modules still load.
        """
        write(plugins / "plugintest_broken" / "__init__.py", "")
        write(plugins / "plugintest_broken" / "a_good.py", gadgets("hammer"))
        write(plugins / "plugintest_broken" / "b_bad.py", "raise RuntimeError('half-written')\n")
        write(plugins / "plugintest_broken" / "c_good.py", gadgets("saw"))
        assert names(getPlugins(IGadget, "plugintest_broken")) == ["hammer", "saw"]
        [event] = loggedFailures
        assert event["module"] == "plugintest_broken.b_bad"
        assert event["directory"] == str(plugins / "plugintest_broken")
        assert event["log_level"] is LogLevel.error
        assert event["log_failure"].check(RuntimeError)
        assert "plugintest_broken.b_bad" in event["log_format"].format(**event)
        assert "plugintest_broken.b_bad" not in sys.modules

    def test_lazy(self, plugins: Path) -> None:
        """
        Modules are imported as the iterator is consumed, not before.
        """
        write(plugins / "plugintest_lazy" / "__init__.py", "")
        write(plugins / "plugintest_lazy" / "only.py", gadgets("hammer"))
        found = getPlugins(IGadget, "plugintest_lazy")
        assert "plugintest_lazy.only" not in sys.modules
        assert names(found) == ["hammer"]
        assert "plugintest_lazy.only" in sys.modules

    def test_notAnInterface(self) -> None:
        """
        Something that is not a zope interface is a TypeError.
        """
        with pytest.raises(TypeError, match=r"^getPlugins\(\) takes a zope.interface interface"):
            getPlugins(str)

    def test_notAPackage(self) -> None:
        """
        A module that is not a package is a TypeError naming it.
        """
        with pytest.raises(TypeError, match=r"but 'torsion\.plugin' is a plain module"):
            getPlugins(IGadget, "torsion.plugin")

    def test_shippedPluginsImport(self, loggedFailures: list[LogEvent]) -> None:
        """
        Every module torsion ships in C{torsion.plugins} imports cleanly.
        """
        list(getPlugins(IPlugin))
        assert loggedFailures == []


class PluginPackagePathsTests:
    """
    L{pluginPackagePaths} finds the drop-in directories of a package.
    """

    def test_dropInDirectories(self, plugins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Directories with the package's path under each C{sys.path} entry
        count, in order, unless they hold an C{__init__.py} (the package
        itself) or do not exist.
        """
        for root in ["one", "two", "three"]:
            (plugins / root / "pkg" / "plugins").mkdir(parents=True)
        (plugins / "two" / "pkg" / "plugins" / "__init__.py").write_text("")
        entries = [str(plugins / root) for root in ["one", "two", "three", "missing"]]
        monkeypatch.setattr(sys, "path", entries)
        assert pluginPackagePaths("pkg.plugins") == [
            str(plugins / "one" / "pkg" / "plugins"),
            str(plugins / "three" / "pkg" / "plugins"),
        ]

    def test_currentDirectory(self, plugins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        The empty C{sys.path} entry is the current directory, made absolute.
        """
        (plugins / "pkg").mkdir()
        monkeypatch.chdir(plugins)
        monkeypatch.setattr(sys, "path", [""])
        assert pluginPackagePaths("pkg") == [str(plugins / "pkg")]

    def test_torsionPluginsExtended(self, tmp_path: Path) -> None:
        """
        C{torsion.plugins} takes the modules of a C{torsion/plugins}
        directory on C{PYTHONPATH}, in a fresh interpreter.
        """
        write(tmp_path / "plugintest_interfaces.py", "from zope.interface import Interface\n")
        with (tmp_path / "plugintest_interfaces.py").open("a") as f:
            f.write("class IGadget(Interface): pass\nclass IWidget(Interface): pass\n")
        write(tmp_path / "torsion" / "plugins" / "plugintest_mine.py", gadgets("mine"))
        script = (
            "import torsion.plugins\n"
            "from torsion.plugin import getPlugins\n"
            "from plugintest_interfaces import IGadget\n"
            "print(torsion.plugins.__path__[-1])\n"
            "print([p.name for p in getPlugins(IGadget)])\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [str(tmp_path / "torsion" / "plugins"), "['mine']"]


def test_iplugin() -> None:
    """
    L{IPlugin} is a zope interface.
    """
    assert issubclass(IPlugin, Interface)
