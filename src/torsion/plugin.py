"""
Plugins the Twisted way: objects found by interface in drop-in modules.

A plugin is a module-level object in a module of a plugin package
(C{torsion.plugins} by default) that provides some interface; it should
also declare L{IPlugin}, as Twisted requires, so the same module works
there.  L{getPlugins} imports each module of the package and yields the
objects that provide the interface asked for::

    from torsion.application.service import IServiceMaker
    from torsion.plugin import getPlugins

    for maker in getPlugins(IServiceMaker):
        print(maker.tapname, maker.description)

A plugin package spans every directory in its C{__path__}: the package's
C{__init__.py} extends it with L{pluginPackagePaths}, so a directory
C{torsion/plugins/} (with no C{__init__.py}) anywhere on C{sys.path} adds
its modules to C{torsion.plugins}.  Modules that fail to import are logged
and skipped.  Unlike Twisted, nothing is cached on disk (no
C{dropin.cache}): each call imports modules not yet imported.  See
C{docs/usage-and-plugins.md}.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any, TypeVar, cast

from zope.interface import Interface
from zope.interface.interface import InterfaceClass

from torsion.logger import Logger, LogLevel

_T = TypeVar("_T")

_log = Logger()


class IPlugin(Interface):
    """
    A plugin: declare it, with the interface the plugin is for, on every
    module-level object meant to be found by L{getPlugins}.
    """


def pluginPackagePaths(name: str) -> list[str]:
    """
    The directories that extend plugin package C{name}, for its C{__path__}.

    A plugin package's C{__init__.py} does
    C{__path__.extend(pluginPackagePaths(__name__))}, so that a directory
    of the same dotted path under any C{sys.path} entry adds its modules.
    Directories that hold an C{__init__.py} are left out: they are the
    package itself (or another copy of it), not drop-in directories.

    @param name: The package's dotted name, such as C{"torsion.plugins"}.
    @return: Absolute paths of existing directories, in C{sys.path} order.
    """
    parts = name.split(".")
    found: list[str] = []
    for entry in sys.path:
        directory = os.path.abspath(os.path.join(entry or os.curdir, *parts))
        if (
            directory not in found
            and os.path.isdir(directory)
            and not os.path.exists(os.path.join(directory, "__init__.py"))
        ):
            found.append(directory)
    return found


def getPlugins(interface: type[_T], package: ModuleType | str | None = None) -> Iterator[_T]:
    """
    Yield the plugins for C{interface} found in the modules of C{package}.

    Every module of the package (in all directories of its C{__path__}) is
    imported, in name order; each module-level object that provides
    C{interface} is yielded once, even if several modules hold it.  A
    module that fails to import is logged, with its name, and skipped.

    @param interface: The interface the plugins provide, such as
        C{IServiceMaker}.
    @param package: The plugin package, or its dotted name; L{None} means
        C{torsion.plugins}.
    @return: An iterator of the plugins; modules are imported as it is
        consumed.
    @raise TypeError: If C{interface} is not a zope interface.
    """
    if not isinstance(interface, InterfaceClass):
        raise TypeError(
            f"getPlugins() takes a zope.interface interface, such as IServiceMaker, not "
            f"{interface!r}"
        )
    return _plugins(interface, _package(package))


def _package(package: ModuleType | str | None) -> ModuleType:
    """
    The plugin package C{getPlugins} was given, imported.
    """
    if package is None:
        package = "torsion.plugins"
    if isinstance(package, str):
        package = importlib.import_module(package)
    if not hasattr(package, "__path__"):
        raise TypeError(
            f"getPlugins() needs a package (a module with a __path__) to search, but "
            f"{package.__name__!r} is a plain module; pass the package that holds the plugin "
            f"modules, such as torsion.plugins"
        )
    return package


def _plugins(interface: InterfaceClass, package: ModuleType) -> Iterator[Any]:
    """
    The generator behind L{getPlugins}.
    """
    seen: set[int] = set()
    for module in _modules(package):
        for obj in list(vars(module).values()):
            if id(obj) not in seen and interface.providedBy(obj):
                seen.add(id(obj))
                yield obj


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    """
    Import and yield the modules of C{package}, logging those that fail.
    """
    path = cast(list[str], package.__path__)
    names: dict[str, str] = {}
    for info in pkgutil.iter_modules(path):
        if not info.ispkg and info.name not in names:
            names[info.name] = getattr(info.module_finder, "path", "?")
    for name, directory in sorted(names.items()):
        fullName = f"{package.__name__}.{name}"
        try:
            module = importlib.import_module(fullName)
        except Exception:
            _log.failure(
                "Skipping plugin module {module} (in {directory}): importing it failed; "
                "fix the error below or remove the module",
                level=LogLevel.error,
                module=fullName,
                directory=directory,
            )
            continue
        yield module


__all__ = ["IPlugin", "getPlugins", "pluginPackagePaths"]
