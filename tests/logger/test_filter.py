"""
Tests for L{torsion.logger.FilteringLogObserver} and
L{torsion.logger.LogLevelFilterPredicate}.
"""

from collections.abc import Callable

import pytest
from zope.interface.verify import verifyObject

from torsion.logger import (
    FilteringLogObserver,
    ILogFilterPredicate,
    ILogObserver,
    InvalidLogLevelError,
    LogEvent,
    LogLevel,
    LogLevelFilterPredicate,
    PredicateResult,
)

Predicate = Callable[[LogEvent], PredicateResult]


def always(result: PredicateResult) -> Predicate:
    """
    Make a predicate that always gives C{result}.
    """
    return lambda event: result


def levelEvent(level: LogLevel, namespace: str | None = "app") -> LogEvent:
    """
    Make an event with a level and a namespace.
    """
    return {"log_level": level, "log_namespace": namespace}


def test_filteringObserverInterface() -> None:
    """
    L{FilteringLogObserver} provides L{ILogObserver}.
    """
    assert verifyObject(ILogObserver, FilteringLogObserver(lambda e: None, []))


def filterWith(*predicates: Predicate) -> tuple[bool, bool]:
    """
    Filter one event; say whether the observer and the negative
    observer got it.
    """
    kept: list[LogEvent] = []
    dropped: list[LogEvent] = []
    FilteringLogObserver(kept.append, predicates, dropped.append)({})
    return bool(kept), bool(dropped)


def test_noPredicates() -> None:
    """
    Without predicates every event is kept.
    """
    assert filterWith() == (True, False)


def test_allMaybe() -> None:
    """
    An event on which every predicate says maybe is kept.
    """
    maybe = always(PredicateResult.maybe)
    assert filterWith(maybe, maybe) == (True, False)


def test_firstDefiniteAnswerWins() -> None:
    """
    The first yes or no decides, and later predicates are not asked.
    """
    asked: list[str] = []

    def spy(event: LogEvent) -> PredicateResult:
        asked.append("spy")
        return PredicateResult.maybe

    yes, no, maybe = (
        always(r) for r in (PredicateResult.yes, PredicateResult.no, PredicateResult.maybe)
    )
    assert filterWith(maybe, yes, no, spy) == (True, False)
    assert filterWith(maybe, no, yes, spy) == (False, True)
    assert asked == []


def test_defaultNegativeObserver() -> None:
    """
    Without a negative observer, dropped events just vanish.
    """
    kept: list[LogEvent] = []
    FilteringLogObserver(kept.append, [always(PredicateResult.no)])({})
    assert kept == []


def test_predicatesFromIterator() -> None:
    """
    Predicates given as a one-shot iterator apply to every event.
    """
    kept: list[LogEvent] = []
    observer = FilteringLogObserver(kept.append, iter([always(PredicateResult.no)]))
    observer({})
    observer({})
    assert kept == []


def test_invalidResult() -> None:
    """
    A predicate returning something else raises L{TypeError} naming it.
    """

    def sloppy(event: LogEvent) -> PredicateResult:
        return True  # type: ignore[return-value]

    observer = FilteringLogObserver(lambda e: None, [sloppy])
    with pytest.raises(TypeError, match=r"^log filter predicate .*sloppy.* returned True; it must"):
        observer({})


def test_predicateResultRepr() -> None:
    """
    Predicate results have short reprs.
    """
    assert repr(PredicateResult.maybe) == "<PredicateResult=maybe>"


def test_levelPredicateInterface() -> None:
    """
    L{LogLevelFilterPredicate} provides L{ILogFilterPredicate}.
    """
    assert verifyObject(ILogFilterPredicate, LogLevelFilterPredicate())


def test_defaultLevel() -> None:
    """
    By default events below C{info} are dropped, others get maybe.
    """
    predicate = LogLevelFilterPredicate()
    assert predicate.defaultLogLevel is LogLevel.info
    assert predicate(levelEvent(LogLevel.debug)) is PredicateResult.no
    for level in (LogLevel.info, LogLevel.warn, LogLevel.error, LogLevel.critical):
        assert predicate(levelEvent(level)) is PredicateResult.maybe


def test_customDefault() -> None:
    """
    The default level can be chosen.
    """
    predicate = LogLevelFilterPredicate(LogLevel.error)
    assert predicate(levelEvent(LogLevel.warn)) is PredicateResult.no
    assert predicate(levelEvent(LogLevel.error)) is PredicateResult.maybe


def test_invalidDefault() -> None:
    """
    An invalid default level is refused.
    """
    with pytest.raises(InvalidLogLevelError):
        LogLevelFilterPredicate("info")  # type: ignore[arg-type]


def test_missingLevelOrNamespace() -> None:
    """
    Events without a level or a namespace are dropped.
    """
    predicate = LogLevelFilterPredicate(LogLevel.debug)
    assert predicate({"log_namespace": "app"}) is PredicateResult.no
    assert predicate(levelEvent(LogLevel.critical, None)) is PredicateResult.no


def test_inheritance() -> None:
    """
    A namespace's level applies to its dotted children that have none of
    their own, but not to siblings sharing a prefix.
    """
    predicate = LogLevelFilterPredicate()
    predicate.setLogLevelForNamespace("app.db", LogLevel.error)
    predicate.setLogLevelForNamespace("app.db.cache", LogLevel.debug)
    assert predicate.logLevelForNamespace("app.db") is LogLevel.error
    assert predicate.logLevelForNamespace("app.db.pool.conn") is LogLevel.error
    assert predicate.logLevelForNamespace("app.db.cache.lru") is LogLevel.debug
    assert predicate.logLevelForNamespace("app.dbx") is LogLevel.info
    assert predicate.logLevelForNamespace("app") is LogLevel.info
    assert predicate(levelEvent(LogLevel.warn, "app.db.pool")) is PredicateResult.no
    assert predicate(levelEvent(LogLevel.debug, "app.db.cache")) is PredicateResult.maybe


def test_root() -> None:
    """
    Setting the level of namespace L{None} or C{""} changes the level of
    every namespace without a setting.
    """
    predicate = LogLevelFilterPredicate()
    predicate.setLogLevelForNamespace(None, LogLevel.warn)
    assert predicate.logLevelForNamespace("any.thing") is LogLevel.warn
    predicate.setLogLevelForNamespace("", LogLevel.error)
    assert predicate.logLevelForNamespace(None) is LogLevel.error
    assert predicate.logLevelForNamespace("") is LogLevel.error
    assert predicate.logLevelForNamespace("any") is LogLevel.error


def test_changesSeenAfterLookups() -> None:
    """
    Settings made after a namespace was looked up apply to it.
    """
    predicate = LogLevelFilterPredicate()
    assert predicate.logLevelForNamespace("a.b.c") is LogLevel.info
    predicate.setLogLevelForNamespace("a", LogLevel.critical)
    assert predicate.logLevelForNamespace("a.b.c") is LogLevel.critical
    predicate.setLogLevelForNamespace(None, LogLevel.debug)
    assert predicate.logLevelForNamespace("x.y") is LogLevel.debug


def test_clearLogLevels() -> None:
    """
    C{clearLogLevels} forgets every setting, including the root's.
    """
    predicate = LogLevelFilterPredicate(LogLevel.warn)
    predicate.setLogLevelForNamespace("a", LogLevel.debug)
    predicate.setLogLevelForNamespace(None, LogLevel.critical)
    assert predicate.logLevelForNamespace("a.b") is LogLevel.debug
    predicate.clearLogLevels()
    assert predicate.logLevelForNamespace("a.b") is LogLevel.warn
    assert predicate.logLevelForNamespace(None) is LogLevel.warn


def test_invalidLevel() -> None:
    """
    Setting an invalid level raises L{InvalidLogLevelError} and changes
    nothing.
    """
    predicate = LogLevelFilterPredicate()
    with pytest.raises(InvalidLogLevelError):
        predicate.setLogLevelForNamespace("a", "debug")  # type: ignore[arg-type]
    assert predicate.logLevelForNamespace("a") is LogLevel.info


def test_manyNamespaces() -> None:
    """
    Lookups stay correct across more namespaces than are remembered.
    """
    predicate = LogLevelFilterPredicate()
    predicate.setLogLevelForNamespace("even", LogLevel.error)
    for i in range(3000):
        parent = "even" if i % 2 == 0 else "odd"
        expected = LogLevel.error if i % 2 == 0 else LogLevel.info
        assert predicate.logLevelForNamespace(f"{parent}.n{i}") is expected
    assert predicate.logLevelForNamespace("even.n0") is LogLevel.error
