"""
Fresh reactor instances of every backend, for tests that must run against
each of them.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.epollreactor import EPollReactor
from torsion.internet.pollreactor import PollReactor
from torsion.internet.selectreactor import SelectReactor

BACKENDS: dict[str, tuple[Callable[[], PollingReactor], bool]] = {
    "select": (SelectReactor, True),
    "poll": (PollReactor, hasattr(select, "poll")),
    "epoll": (EPollReactor, hasattr(select, "epoll")),
}

SAFETY_TIMEOUT = 30.0


def makeReactor(name: str) -> PollingReactor:
    """
    A new reactor of backend C{name}, skipping the test (with the reason
    printed) where the platform lacks that backend.
    """
    factory, available = BACKENDS[name]
    if not available:
        pytest.skip(f"the {name} backend is not available on this platform")
    return factory()


@pytest.fixture(params=sorted(BACKENDS))
def backendReactor(request: pytest.FixtureRequest) -> Iterator[PollingReactor]:
    """
    A fresh reactor of each backend in turn.
    """
    made = makeReactor(request.param)
    yield made
    made.waker.close()


def runReactor(reactor: Any, timeout: float = SAFETY_TIMEOUT) -> None:
    """
    Run C{reactor} until something stops it; fail if that takes more than
    C{timeout} seconds (the bound only catches a broken test).
    """
    timedOut: list[bool] = []

    def giveUp() -> None:
        timedOut.append(True)
        reactor.stop()

    guard = reactor.callLater(timeout, giveUp)
    reactor.run(installSignalHandlers=False)
    if guard.active():
        guard.cancel()
    assert not timedOut, f"the reactor was still running after {timeout}s"
