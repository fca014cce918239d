# Filtering events by predicates.
#
# A FilteringLogObserver asks its predicates in order; the first definite
# answer (yes or no) wins, and if all say maybe the event is kept.  Events
# that are kept go to the wrapped observer, the others to the negative one.
#
# LogLevelFilterPredicate keeps per-namespace minimum levels.  A namespace
# without its own setting inherits from its closest dotted parent ("a.b.c"
# from "a.b", then "a"), and finally from the default level.  Walking up the
# dots on every event would cost a join per level, so resolved namespaces are
# cached; any change to the settings empties the cache, and the cache is
# emptied when it grows past a bound, so ever-new namespaces cannot grow it
# without limit.

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

from zope.interface import Interface, implementer

from torsion.logger._interfaces import ILogObserver, LogEvent, LogObserver
from torsion.logger._levels import InvalidLogLevelError, LogLevel

_CACHE_LIMIT = 1024


class PredicateResult(Enum):
    """
    A filter predicate's answer about an event.
    """

    yes = "yes"
    """Keep the event; do not ask the remaining predicates."""

    no = "no"
    """Drop the event; do not ask the remaining predicates."""

    maybe = "maybe"
    """No opinion: ask the next predicate (kept if none has an opinion)."""

    def __repr__(self) -> str:
        return f"<PredicateResult={self._name_}>"


class ILogFilterPredicate(Interface):
    """
    A test that says whether an event should be observed.
    """

    def __call__(event: LogEvent) -> PredicateResult:
        """
        Judge an event.

        @param event: The event.
        @return: L{PredicateResult.yes}, L{PredicateResult.no} or
            L{PredicateResult.maybe}.
        """


def _ignore(event: LogEvent) -> None:
    pass


@implementer(ILogObserver)
class FilteringLogObserver:
    """
    An observer that passes on only the events its predicates accept.
    """

    def __init__(
        self,
        observer: LogObserver,
        predicates: Iterable[Callable[[LogEvent], PredicateResult]],
        negativeObserver: LogObserver = _ignore,
    ) -> None:
        """
        @param observer: Receives the events that are kept.
        @param predicates: Asked in order; the first C{yes} or C{no} decides,
            and an event on which all say C{maybe} is kept.
        @param negativeObserver: Receives the events that are dropped.
        """
        self._observer = observer
        self._predicates = tuple(predicates)
        self._negativeObserver = negativeObserver

    def __call__(self, event: LogEvent) -> None:
        """
        Pass an event to the observer or to the negative observer.

        @param event: The event.
        @raise TypeError: If a predicate returns something other than a
            L{PredicateResult}.
        """
        if self._shouldObserve(event):
            self._observer(event)
        else:
            self._negativeObserver(event)

    def _shouldObserve(self, event: LogEvent) -> bool:
        for predicate in self._predicates:
            result = predicate(event)
            if result is PredicateResult.maybe:
                continue
            if result is PredicateResult.yes:
                return True
            if result is PredicateResult.no:
                return False
            raise TypeError(
                f"log filter predicate {predicate!r} returned {result!r}; "
                "it must return PredicateResult.yes, .no or .maybe"
            )
        return True


@implementer(ILogFilterPredicate)
class LogLevelFilterPredicate:
    """
    A predicate that drops events below their namespace's minimum level.

    Levels are set per dotted namespace and inherited by sub-namespaces:
    setting C{"myapp"} to C{warn} also applies to C{"myapp.db"}, unless
    C{"myapp.db"} has a level of its own.  Events without a C{log_level} or
    a C{log_namespace} are dropped.

    @ivar defaultLogLevel: The level for namespaces with no setting of their
        own or their parents', after L{clearLogLevels}.
    """

    def __init__(self, defaultLogLevel: LogLevel = LogLevel.info) -> None:
        """
        @param defaultLogLevel: The minimum level for namespaces without a
            setting.
        @raise InvalidLogLevelError: If C{defaultLogLevel} is not a L{LogLevel}.
        """
        if type(defaultLogLevel) is not LogLevel:
            raise InvalidLogLevelError(defaultLogLevel)
        self.defaultLogLevel = defaultLogLevel
        self._levels: dict[str, LogLevel] = {}
        self._rootLevel = defaultLogLevel
        self._resolved: dict[str, LogLevel] = {}

    def logLevelForNamespace(self, namespace: str | None) -> LogLevel:
        """
        Find the minimum level for a namespace.

        @param namespace: A dotted namespace; L{None} or C{""} is the root.
        @return: The namespace's own level, else its closest parent's, else
            the root level.
        """
        if not namespace:
            return self._rootLevel
        level = self._resolved.get(namespace)
        if level is None:
            level = self._lookUp(namespace)
            if len(self._resolved) >= _CACHE_LIMIT:
                self._resolved.clear()
            self._resolved[namespace] = level
        return level

    def _lookUp(self, namespace: str) -> LogLevel:
        levels = self._levels
        while True:
            level = levels.get(namespace)
            if level is not None:
                return level
            dot = namespace.rfind(".")
            if dot < 0:
                return self._rootLevel
            namespace = namespace[:dot]

    def setLogLevelForNamespace(self, namespace: str | None, level: LogLevel) -> None:
        """
        Set the minimum level for a namespace and, by default, its children.

        @param namespace: A dotted namespace; L{None} or C{""} sets the root
            level, which applies to namespaces with no setting of their own.
        @param level: The minimum level.
        @raise InvalidLogLevelError: If C{level} is not a L{LogLevel}.
        """
        if type(level) is not LogLevel:
            raise InvalidLogLevelError(level)
        if namespace:
            self._levels[namespace] = level
        else:
            self._rootLevel = level
        self._resolved.clear()

    def clearLogLevels(self) -> None:
        """
        Forget all settings: every namespace gets L{defaultLogLevel} again.
        """
        self._levels = {}
        self._rootLevel = self.defaultLogLevel
        self._resolved.clear()

    def __call__(self, event: LogEvent) -> PredicateResult:
        """
        Drop an event below its namespace's level; no opinion otherwise.

        @param event: The event.
        @return: L{PredicateResult.no} or L{PredicateResult.maybe}.
        """
        level = event.get("log_level")
        namespace = event.get("log_namespace")
        if type(level) is not LogLevel or namespace is None:
            return PredicateResult.no
        if level < self.logLevelForNamespace(namespace):
            return PredicateResult.no
        return PredicateResult.maybe
