"""
Tests for the public face of L{torsion.logger}.
"""

import inspect
from pathlib import Path

import pytest

import torsion.logger


def test_allSortedAndUnique() -> None:
    """
    C{__all__} lists each name once, in sorted order.
    """
    names = torsion.logger.__all__
    assert names == sorted(set(names))


def test_allMatchesPublicNames() -> None:
    """
    Every public attribute of the package is in C{__all__}, and every name
    in C{__all__} exists.
    """
    # pytest's assertion rewriting may add non-identifier names such as "@py_builtins".
    public = {n for n in dir(torsion.logger) if n.isidentifier() and not n.startswith("_")}
    assert public == set(torsion.logger.__all__)


def test_definedInPrivateModules() -> None:
    """
    Every exported class and function is defined in a private module of the
    package (the public module only re-exports), and names the public module
    as its own, so reprs and pickles use the name users import.
    """
    for name in torsion.logger.__all__:
        obj = getattr(torsion.logger, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__ == "torsion.logger", name
            if inspect.isfunction(obj):
                assert Path(obj.__code__.co_filename).name.startswith("_"), name


def test_expectedNames() -> None:
    """
    The names of Twisted's C{twisted.logger} are all exported, and so are
    torsion's additions.
    """
    assert set(torsion.logger.__all__) >= {
        "FileLogObserver",
        "FilteringLogObserver",
        "ILogFilterPredicate",
        "ILogObserver",
        "InvalidLogLevelError",
        "LimitedHistoryLogObserver",
        "LogBeginner",
        "LogLevel",
        "LogLevelFilterPredicate",
        "LogPublisher",
        "Logger",
        "PredicateResult",
        "eventAsText",
        "formatEvent",
        "formatEventAsClassicLogText",
        "formatTime",
        "globalLogBeginner",
        "globalLogPublisher",
        "textFileLogObserver",
        "LegacyLogObserverWrapper",
        "LoggingFile",
        "Operation",
        "STDLibLogObserver",
        "capturedLogs",
        "eventAsJSON",
        "eventFromJSON",
        "eventsFromJSONLogFile",
        "extractField",
        "jsonFileLogObserver",
        "timeFormatRFC3339",
        "STDLibLogHandler",
    }


def test_everyTwistedName() -> None:
    """
    Every public name of the installed Twisted's C{twisted.logger} is in
    C{torsion.logger} too.
    """
    twistedLogger = pytest.importorskip("twisted.logger")
    public = {name for name in twistedLogger.__all__ if not name.startswith("_")}
    assert public <= set(torsion.logger.__all__)
