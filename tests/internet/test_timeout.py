"""
Tests for L{Deferred.addTimeout} driven by L{torsion.internet.task.Clock}.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import failureOf, resultOf
from torsion.internet.defer import CancelledError, Deferred, TimeoutError, succeed
from torsion.internet.task import Clock
from torsion.python.failure import Failure


class AddTimeoutTests:
    def test_timesOut(self) -> None:
        """
        A Deferred still unfired when the time is up is cancelled, and fails
        with L{TimeoutError} giving the timeout.
        """
        clock = Clock()
        cancelled: list[Deferred[str]] = []
        d: Deferred[str] = Deferred(cancelled.append)
        d.addTimeout(10, clock)
        clock.advance(9.9)
        assert not d.called
        clock.advance(0.1)
        assert cancelled == [d]
        failure = failureOf(d, TimeoutError)
        assert failure.value.args == (10, "Deferred")
        assert clock.getDelayedCalls() == []

    def test_firesInTime(self) -> None:
        """
        A Deferred that fires in time keeps its result and its timeout call
        is cancelled, leaving nothing scheduled.
        """
        clock = Clock()
        d: Deferred[str] = Deferred()
        d.addTimeout(10, clock)
        [timer] = clock.getDelayedCalls()
        clock.advance(5)
        d.callback("in time")
        assert timer.cancelled
        assert clock.getDelayedCalls() == []
        assert resultOf(d) == "in time"
        clock.advance(10)

    def test_failsInTime(self) -> None:
        """
        A failure before the timeout passes through unchanged, and the
        timeout call is cancelled.
        """
        clock = Clock()
        d: Deferred[str] = Deferred()
        d.addTimeout(10, clock)
        d.errback(KeyError("k"))
        failureOf(d, KeyError)
        assert clock.getDelayedCalls() == []

    def test_alreadyFired(self) -> None:
        """
        Adding a timeout to a fired Deferred schedules nothing that lasts.
        """
        clock = Clock()
        d = succeed(7).addTimeout(10, clock)
        assert resultOf(d) == 7
        assert clock.getDelayedCalls() == []

    def test_onTimeoutCancel(self) -> None:
        """
        On timeout, C{onTimeoutCancel} gets the result and the timeout, and
        what it returns becomes the result.
        """
        clock = Clock()
        seen: list[tuple[object, float]] = []

        def onTimeout(result: object, timeout: float) -> str:
            seen.append((result, timeout))
            return "gave up"

        d: Deferred[str] = Deferred()
        d.addTimeout(3, clock, onTimeoutCancel=onTimeout)
        clock.advance(3)
        assert resultOf(d) == "gave up"
        [(result, timeout)] = seen
        assert isinstance(result, Failure)
        assert result.check(CancelledError)
        assert timeout == 3

    def test_onTimeoutCancelNotCalledInTime(self) -> None:
        """
        C{onTimeoutCancel} is not called when the Deferred fires in time.
        """
        clock = Clock()
        seen: list[object] = []
        d: Deferred[str] = Deferred()
        d.addTimeout(3, clock, onTimeoutCancel=lambda r, t: seen.append(r))
        d.callback("fine")
        clock.advance(5)
        assert seen == []
        assert resultOf(d) == "fine"

    def test_cancelledBeforeTimeout(self) -> None:
        """
        A Deferred cancelled by its user before the timeout keeps its
        L{CancelledError}: it is not turned into a L{TimeoutError}.
        """
        clock = Clock()
        d: Deferred[str] = Deferred()
        d.addTimeout(10, clock)
        d.cancel()
        failureOf(d, CancelledError)
        assert clock.getDelayedCalls() == []
        clock.advance(20)

    def test_cancellerSucceeds(self) -> None:
        """
        If the canceller fires the Deferred with a value on timeout, that
        value is the result.
        """
        clock = Clock()
        d: Deferred[str] = Deferred(lambda d: d.callback("partial"))
        d.addTimeout(1, clock)
        clock.advance(1)
        assert resultOf(d) == "partial"

    def test_cancellerFailsDifferently(self) -> None:
        """
        If the canceller fails the Deferred with another error on timeout,
        that error is kept.
        """
        clock = Clock()
        d: Deferred[str] = Deferred(lambda d: d.errback(KeyError("own")))
        d.addTimeout(1, clock)
        clock.advance(1)
        failureOf(d, KeyError)


REPRO_UNHANDLED_DURING_PARSE = """
import ast, gc
from torsion.internet.defer import maybeDeferred

class Cycle:
    pass

def boom():
    return len(3)

def leak():
    cycle = Cycle()
    cycle.d = maybeDeferred(boom)
    cycle.self = cycle

gc.disable()
leak()
source = "x = " + "(" * 60 + "1" + ")" * 60 + "\\n" + "y = [1, 2, 3]\\n" * 200
gc.set_threshold(1)
gc.enable()
for _ in range(50):
    ast.parse(source)
print("parsed")
"""


class UnhandledFailureCollectionTests:
    def test_collectedDuringParseDoesNotBreakParse(self, tmp_path: Path) -> None:
        """
        A failed Deferred collected (and logged as unhandled) while the
        program is parsing Python source does not break that parse.

        Found while testing timeouts: a failed Deferred collected during
        pytest's terminal summary crashed the pytest process.
        """
        script = tmp_path / "repro.py"
        script.write_text(REPRO_UNHANDLED_DURING_PARSE)
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "SystemError" not in done.stderr
        assert done.stdout == "parsed\n"
