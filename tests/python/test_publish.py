"""
Public names claim their public module: reprs, pickles and
C{Failure.check("module.Name")} use the names users import.
"""

from __future__ import annotations

import inspect
import pickle
from pathlib import Path
from types import ModuleType

import pytest

import torsion.internet.defer
import torsion.internet.error
import torsion.internet.task
import torsion.python.failure
import torsion.trial.unittest
from torsion.python.failure import Failure

PUBLIC = [
    torsion.internet.defer,
    torsion.internet.error,
    torsion.internet.task,
    torsion.python.failure,
    torsion.trial.unittest,
]


@pytest.mark.parametrize("module", PUBLIC, ids=lambda m: m.__name__)
def test_namesClaimPublicModule(module: ModuleType) -> None:
    """
    Each exported class and function is written in a private module and
    reports the public one as its __module__.
    """
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if not obj.__module__.startswith("torsion."):
                continue  # re-exported from the standard library (SkipTest)
            assert obj.__module__ == module.__name__, name
            if inspect.isfunction(obj):
                assert Path(obj.__code__.co_filename).name.startswith("_"), name


def test_reprAndCheckUsePublicNames() -> None:
    """
    A Failure of CancelledError names torsion.internet.defer, and check()
    accepts that qualified name, as Twisted code writes it.
    """
    f = Failure(torsion.internet.defer.CancelledError())
    assert repr(f).startswith(
        "<torsion.python.failure.Failure torsion.internet.defer.CancelledError"
    )
    assert f.check("torsion.internet.defer.CancelledError")


def test_pickleByPublicName() -> None:
    """
    Exceptions pickle and unpickle through their public module.
    """
    error = torsion.internet.defer.AlreadyCalledError("twice")
    data = pickle.dumps(error)
    assert b"torsion.internet.defer" in data
    assert pickle.loads(data).args == ("twice",)
