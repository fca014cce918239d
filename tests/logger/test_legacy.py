"""
Tests for L{torsion.logger.LegacyLogObserverWrapper}.
"""

from __future__ import annotations

from typing import Any

from zope.interface.verify import verifyObject

from torsion.logger import ILogObserver, LegacyLogObserverWrapper, Logger, LogLevel
from torsion.python.failure import Failure
from torsion.python.log import textFromEventDict


def wrapped() -> tuple[LegacyLogObserverWrapper, list[dict[str, Any]]]:
    """
    A wrapper around an old-style observer that keeps what it gets.
    """
    received: list[dict[str, Any]] = []
    return LegacyLogObserverWrapper(received.append), received


def test_interface() -> None:
    """
    The wrapper provides L{ILogObserver} and shows what it wraps.
    """
    wrapper, received = wrapped()
    assert verifyObject(ILogObserver, wrapper)
    assert wrapper.legacyObserver == received.append
    assert repr(wrapper) == f"LegacyLogObserverWrapper({received.append!r})"


def test_newStyleEvent() -> None:
    """
    A new-style event gets the old-style keys; its text renders the
    new-style message.
    """
    wrapper, received = wrapped()
    Logger("ns", observer=wrapper).info("hello {who}", who="you")
    [event] = received
    assert event["message"] == ()
    assert event["time"] == event["log_time"]
    assert event["system"] == "-"
    assert event["isError"] == 0
    assert event["format"] == "%(log_legacy)s"
    assert textFromEventDict(event) == "hello you"


def test_logSystem() -> None:
    """
    C{log_system} becomes C{system}.
    """
    wrapper, received = wrapped()
    wrapper({"log_system": "conn-1", "log_format": "x"})
    assert received[0]["system"] == "conn-1"


def test_failure() -> None:
    """
    An event with a failure is an old-style error: C{failure}, C{why} (the
    message) and C{isError}; its text is the why and the traceback.
    """
    wrapper, received = wrapped()
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        Logger("ns", observer=wrapper).failure("Average failed", level=LogLevel.error)
    [event] = received
    assert isinstance(event["failure"], Failure)
    assert event["isError"] == 1
    assert event["why"] == "Average failed"
    text = textFromEventDict(event)
    assert text is not None
    assert text.startswith("Average failed\nTraceback (most recent call last):\n")
    assert text.endswith("ZeroDivisionError: division by zero\n")


def test_originalUntouched() -> None:
    """
    The observer gets a copy: the event other observers see is unchanged.
    """
    wrapper, received = wrapped()
    event = {"log_format": "x", "log_time": 1.0}
    wrapper(event)
    assert event == {"log_format": "x", "log_time": 1.0}
    assert received[0] is not event


def test_oldStyleKeysKept() -> None:
    """
    Keys the event already has are left alone.
    """
    wrapper, received = wrapped()
    event = {"message": ("a",), "time": 5.0, "system": "s", "isError": 0, "format": "%(x)s"}
    wrapper({**event, "log_format": "{x}", "x": 1})
    assert {key: received[0][key] for key in event} == event
