# Public modules only re-export names defined in private modules.  So that
# reprs, tracebacks, pickles and Failure.check("pkg.module.Name") use the
# name users import (torsion.internet.defer.Deferred rather than
# torsion.internet._deferred.Deferred, as Twisted users know them), each
# public module calls publish(globals()) after its imports, which points the
# __module__ of its classes and functions at itself.
from __future__ import annotations

from typing import Any


def publish(namespace: dict[str, Any]) -> None:
    """
    Make the classes and functions listed in C{namespace["__all__"]} belong
    to the module C{namespace} is the globals of.

    @param namespace: A public module's C{globals()}.
    """
    module = namespace["__name__"]
    for name in namespace["__all__"]:
        obj = namespace[name]
        current = getattr(obj, "__module__", None)
        if not isinstance(current, str) or not current.startswith("torsion."):
            continue
        if "._" not in current or not isinstance(obj, type | _FUNCTION):
            continue
        obj.__module__ = module


def _function() -> None:
    pass


_FUNCTION = type(_function)

__all__ = ["publish"]
