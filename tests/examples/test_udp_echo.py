"""
Tests for C{examples/udp_echo.py}: a UDP echo server and client in one
program, on 127.0.0.1.  The same program, renamed to use Twisted, must
print the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted

PROGRAM = EXAMPLES / "udp_echo.py"


def expected(count: int) -> list[str]:
    """
    The lines the program prints for C{count} messages.
    """
    return [
        "server: listening on 127.0.0.1 (UDP)",
        f"client: sending {count} messages",
        *(f"client: got back 'message {i}'" for i in range(count)),
        f"client: all {count} messages came back",
        "both ports closed",
    ]


def runProgram(path: Path, *args: str) -> list[str]:
    """
    Run the program at C{path} and return its output lines.

    @raise AssertionError: If it fails or writes to stderr.
    """
    done = subprocess.run(
        [sys.executable, str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return done.stdout.splitlines()


def inAnyOrder(lines: list[str], count: int) -> None:
    """
    Check C{lines} against L{expected}: the echoes may come back in any
    order (UDP does not promise one), everything else is fixed.
    """
    wanted = expected(count)
    assert lines[:2] == wanted[:2]
    assert sorted(lines[2:-2]) == sorted(wanted[2:-2])
    assert lines[-2:] == wanted[-2:]


def test_echo() -> None:
    """
    Every message comes back from the echo server, then both ports close
    and the program exits 0.
    """
    inAnyOrder(runProgram(PROGRAM), 5)


def test_manyMessages() -> None:
    """
    200 messages in flight at once all come back.
    """
    inAnyOrder(runProgram(PROGRAM, "--count", "200"), 200)


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    Renamed to use Twisted, the program prints the same.
    """
    requireTwisted()
    ported = tmp_path / "udp_echo.py"
    ported.write_text(toTwisted(PROGRAM.read_text()), encoding="utf-8")
    inAnyOrder(runProgram(ported), 5)
