# Log levels.
#
# LogLevel is an Enum whose five members are the only valid levels; Logger.emit
# checks validity with a single `type(level) is LogLevel` test, which is as
# cheap as a check can be.  Members are ordered by severity (debug lowest,
# critical highest) through explicit comparison methods; the rank of each
# member is looked up by name in a small dict, because the member values are
# the level names themselves (so that `LogLevel("info")` also works and
# `.value` reads naturally).

from __future__ import annotations

from enum import Enum


class InvalidLogLevelError(Exception):
    """
    An object that is not a L{LogLevel} was used where a log level is required.

    @ivar level: The offending object (or level name).
    """

    def __init__(self, level: object) -> None:
        """
        @param level: The object that is not a valid log level.
        """
        super().__init__(level)
        self.level = level

    def __str__(self) -> str:
        return (
            f"invalid log level {self.level!r}: use one of "
            "LogLevel.debug, LogLevel.info, LogLevel.warn, LogLevel.error, LogLevel.critical"
        )


class LogLevel(Enum):
    """
    The severity of a log event, from C{debug} (least severe) to C{critical}.

    Levels compare by severity: C{LogLevel.debug < LogLevel.info < LogLevel.warn
    < LogLevel.error < LogLevel.critical}.
    """

    debug = "debug"
    """Information only useful to someone debugging the program."""

    info = "info"
    """Routine information about the program's operation."""

    warn = "warn"
    """Something unexpected happened that may need attention."""

    error = "error"
    """Something failed; the program carries on."""

    critical = "critical"
    """Something failed badly, perhaps taking part of the program down with it."""

    def __repr__(self) -> str:
        return f"<LogLevel={self._name_}>"

    @classmethod
    def levelWithName(cls, name: str) -> LogLevel:
        """
        Look up a level by its name.

        @param name: A level's name, such as C{"info"}.
        @return: The level with that name.
        @raise InvalidLogLevelError: If there is no level with that name.
        """
        level = cls.__members__.get(name)
        if level is None:
            raise InvalidLogLevelError(name)
        return level

    @classmethod
    def lookupByName(cls, name: str) -> LogLevel:
        """
        Look up a level by its name.

        @param name: A level's name, such as C{"info"}.
        @return: The level with that name.
        @raise ValueError: If there is no level with that name.
        """
        level = cls.__members__.get(name)
        if level is None:
            raise ValueError(f"no log level named {name!r}; try one of {', '.join(_RANKS)}")
        return level

    @classmethod
    def iterconstants(cls) -> list[LogLevel]:
        """
        List all levels, least severe first.

        @return: The five levels, from C{debug} to C{critical}.
        """
        return list(cls)

    def __lt__(self, other: LogLevel) -> bool:
        if type(other) is not LogLevel:
            return NotImplemented
        return _RANKS[self._name_] < _RANKS[other._name_]

    def __le__(self, other: LogLevel) -> bool:
        if type(other) is not LogLevel:
            return NotImplemented
        return _RANKS[self._name_] <= _RANKS[other._name_]

    def __gt__(self, other: LogLevel) -> bool:
        if type(other) is not LogLevel:
            return NotImplemented
        return _RANKS[self._name_] > _RANKS[other._name_]

    def __ge__(self, other: LogLevel) -> bool:
        if type(other) is not LogLevel:
            return NotImplemented
        return _RANKS[self._name_] >= _RANKS[other._name_]


_RANKS: dict[str, int] = {level.name: rank for rank, level in enumerate(LogLevel)}
