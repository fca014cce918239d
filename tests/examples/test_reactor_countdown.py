"""
Tests for C{examples/reactor_countdown.py}: the real reactor, a
LoopingCall, a worker thread, and a clean exit by itself or on SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted

PROGRAM = EXAMPLES / "reactor_countdown.py"


def checkOutput(out: str) -> None:
    lines = out.splitlines()
    assert "worker thread computed 499999500000" in lines
    lines.remove("worker thread computed 499999500000")
    assert lines == ["3...", "2...", "1...", "liftoff!", "shutting down"]


def test_countdown() -> None:
    """
    The countdown ticks, the thread reports, and the program exits 0.
    """
    result = subprocess.run(
        [sys.executable, str(PROGRAM), "3", "--interval", "0.01"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    checkOutput(result.stdout)


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    Renamed to use Twisted, the program behaves the same.
    """
    requireTwisted()
    ported = tmp_path / "countdown.py"
    ported.write_text(toTwisted(PROGRAM.read_text()), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ported), "3", "--interval", "0.01"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    checkOutput(result.stdout)


def test_sigtermStopsCleanly() -> None:
    """
    SIGTERM during a long countdown runs the shutdown triggers and exits 0.
    """
    child = subprocess.Popen(
        [sys.executable, str(PROGRAM), "100000", "--interval", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "100000...\n"
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.splitlines()[-1] == "shutting down"
