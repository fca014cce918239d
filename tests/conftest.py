"""
Fixtures shared by the whole test suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from torsion.logger import LogEvent, globalLogPublisher


@pytest.fixture
def loggedFailures() -> Iterator[list[LogEvent]]:
    """
    Events carrying a failure published on the global log publisher during
    the test.
    """
    events: list[LogEvent] = []

    def observer(event: LogEvent) -> None:
        if "log_failure" in event:
            events.append(event)

    globalLogPublisher.addObserver(observer)
    yield events
    globalLogPublisher.removeObserver(observer)
