"""
Tests for L{torsion.logger.LogLevel} and L{torsion.logger.InvalidLogLevelError}.
"""

import pytest

from torsion.logger import InvalidLogLevelError, LogLevel

ORDER = [LogLevel.debug, LogLevel.info, LogLevel.warn, LogLevel.error, LogLevel.critical]


def test_iterconstantsInSeverityOrder() -> None:
    """
    C{iterconstants} lists the five levels from least to most severe.
    """
    assert LogLevel.iterconstants() == ORDER


def test_ordering() -> None:
    """
    Levels compare by severity with all four ordering operators.
    """
    for i, lower in enumerate(ORDER):
        for higher in ORDER[i + 1 :]:
            assert lower < higher
            assert lower <= higher
            assert higher > lower
            assert higher >= lower
            assert not higher < lower
        same = LogLevel(lower.value)
        assert lower <= same
        assert lower >= same
        assert not lower < same
    shuffled = [LogLevel.error, LogLevel.debug, LogLevel.critical, LogLevel.info, LogLevel.warn]
    assert sorted(shuffled) == ORDER


def test_orderingWithOtherTypesFails() -> None:
    """
    Ordering a level against a non-level raises L{TypeError}; equality is
    simply false.
    """
    with pytest.raises(TypeError):
        assert LogLevel.info < 3  # type: ignore[operator]
    with pytest.raises(TypeError):
        assert LogLevel.info >= "info"  # type: ignore[operator]
    name: object = "info"
    assert LogLevel.info != name


def test_names() -> None:
    """
    Each level's C{name} is its attribute name.
    """
    assert [level.name for level in ORDER] == ["debug", "info", "warn", "error", "critical"]


def test_repr() -> None:
    """
    A level's repr names the class and the level.
    """
    assert repr(LogLevel.warn) == "<LogLevel=warn>"


def test_levelWithName() -> None:
    """
    C{levelWithName} returns the level with the given name.
    """
    for level in ORDER:
        assert LogLevel.levelWithName(level.name) is level


def test_levelWithNameInvalid() -> None:
    """
    C{levelWithName} raises L{InvalidLogLevelError} for an unknown name,
    keeping the name as C{level}.
    """
    with pytest.raises(InvalidLogLevelError, match=r"^invalid log level 'loud': use one of ") as e:
        LogLevel.levelWithName("loud")
    assert e.value.level == "loud"


def test_lookupByName() -> None:
    """
    C{lookupByName} finds levels by name and raises L{ValueError} otherwise.
    """
    assert LogLevel.lookupByName("error") is LogLevel.error
    with pytest.raises(ValueError, match=r"^no log level named 'Error'; try one of debug, "):
        LogLevel.lookupByName("Error")


def test_message() -> None:
    """
    The message names the bad value and lists the valid levels.
    """
    error = InvalidLogLevelError(42)
    assert error.level == 42
    assert str(error) == (
        "invalid log level 42: use one of LogLevel.debug, LogLevel.info, "
        "LogLevel.warn, LogLevel.error, LogLevel.critical"
    )
