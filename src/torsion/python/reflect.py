"""
Finding Python objects by dotted name, and naming them back.

L{namedAny} turns C{"package.module.attribute"} into the object, importing
what it must; its errors tell a missing module (L{ModuleNotFound}) from a
missing attribute (L{ObjectNotFound}).  L{qual} and L{fullyQualifiedName}
go the other way.  The command line uses them to load plugins, reactors and
applications named on it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class InvalidName(ValueError):
    """
    A name given to L{namedAny} is not a dotted name, or names nothing.
    """


class ModuleNotFound(InvalidName, ImportError):
    """
    The module a dotted name starts with cannot be found.

    Also an C{ImportError}.  C{name} is the module that is missing.
    """


class ObjectNotFound(InvalidName, AttributeError):
    """
    A dotted name's module exists, but an attribute along the name does not.

    Also an C{AttributeError} (what Twisted raises in this case).  C{name}
    is the missing attribute and C{obj} the object that lacks it.
    """


def namedModule(name: str) -> ModuleType:
    """
    Import a module by its dotted name and return it.

    @param name: The module's dotted name, such as C{"os.path"}.
    @return: The module.
    @raise ImportError: If it cannot be imported.
    """
    return importlib.import_module(name)


def namedAny(name: str) -> Any:
    """
    Find any object by its dotted name, importing modules as needed.

    C{"os.path.join"} imports C{os}, then finds C{path} and C{join} as
    attributes; C{"torsion.python.reflect"} imports each package and module
    along the way.  An error raised while a module that exists is being
    imported propagates unchanged.

    @param name: A dotted name, such as C{"package.module.Class.method"}.
    @return: The object.
    @raise InvalidName: If C{name} is empty or not a dotted name.
    @raise ModuleNotFound: If there is no module by the first part.
    @raise ObjectNotFound: If an attribute (or submodule) along the name is
        missing.
    """
    if not isinstance(name, str):
        raise TypeError(f"namedAny() takes a dotted name as a str, not {type(name).__name__}")
    if not name:
        raise InvalidName("namedAny() needs a dotted name such as 'os.path.join', not ''")
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        raise InvalidName(
            f"{name!r} is not a dotted name: each part between dots must be a Python "
            f"identifier, as in 'package.module.attribute'"
        )
    try:
        obj: Any = importlib.import_module(parts[0])
    except ModuleNotFoundError as e:
        if e.name != parts[0]:
            raise  # the module exists, but something it imports does not
        missing = ModuleNotFound(
            f"no module named {parts[0]!r}, so {name!r} cannot be found; check the spelling, "
            f"and that the package is installed or its directory is on sys.path"
        )
        missing.name = parts[0]
        raise missing from None
    for index, part in enumerate(parts[1:], 1):
        found = _attribute(obj, part)
        if found is _MISSING:
            where = ".".join(parts[:index])
            kind = "attribute or submodule" if hasattr(obj, "__path__") else "attribute"
            lacking = ObjectNotFound(
                f"{where!r} ({_kind(obj)}) has no {kind} {part!r}, so {name!r} cannot be "
                f"found; check the spelling of {part!r}"
            )
            lacking.name = part
            lacking.obj = obj
            raise lacking
        obj = found
    return obj


_MISSING = object()


def _attribute(obj: object, part: str) -> Any:
    """
    C{obj.part}, importing it if C{obj} is a package; L{_MISSING} if absent.
    """
    try:
        return getattr(obj, part)
    except AttributeError:
        pass
    if not isinstance(obj, ModuleType) or not hasattr(obj, "__path__"):
        return _MISSING
    submodule = f"{obj.__name__}.{part}"
    try:
        return importlib.import_module(submodule)
    except ModuleNotFoundError as e:
        if e.name != submodule:
            raise  # the submodule exists, but something it imports does not
        return _MISSING


def _kind(obj: object) -> str:
    """
    Describe C{obj} in a word or two, for an error message.
    """
    if isinstance(obj, ModuleType):
        return "a package" if hasattr(obj, "__path__") else "a module"
    if isinstance(obj, type):
        return "a class"
    kind = type(obj).__name__
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind} object"


def qual(clazz: type) -> str:
    """
    The dotted name of a class, as C{namedAny} takes it.

    @param clazz: A class.
    @return: C{"module.QualifiedName"}, such as C{"collections.OrderedDict"}.
    """
    return f"{clazz.__module__}.{clazz.__qualname__}"


def fullyQualifiedName(obj: object) -> str:
    """
    The dotted name of a module, class, function or method.

    @param obj: The object.
    @return: C{"module"} for a module, else C{"module.QualifiedName"}, as
        in C{"torsion.python.reflect.namedAny"}; a method is named after
        the class that defines it (C{"module.Class.method"}), even when
        bound to an instance of a subclass.
    @raise TypeError: If C{obj} has no name of its own (an instance, a
        number).
    """
    if isinstance(obj, ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(qualname, str):
        raise TypeError(
            f"fullyQualifiedName() takes a module, class, function or method, not "
            f"{_kind(obj)} ({obj!r}); for an instance, name its class: "
            f"fullyQualifiedName(type(obj))"
        )
    return f"{module}.{qualname}" if module else qualname


__all__ = [
    "InvalidName",
    "ModuleNotFound",
    "ObjectNotFound",
    "fullyQualifiedName",
    "namedAny",
    "namedModule",
    "qual",
]
