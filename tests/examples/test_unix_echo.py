"""
Tests for the example program C{examples/unix_echo.py}.

It runs as a subprocess, with the real global reactor, on a socket in the
test's temporary directory, and its output is checked.  With C{torsion}
renamed to C{twisted} in its imports it must print the same under Twisted
(skipped if Twisted is not installed): the porting contract.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "unix_echo.py"


def expected(path: Path) -> str:
    """
    What the example prints when its socket is at C{path}.
    """
    return (
        f"server listening on {path} (mode 0o600, lock {path}.lock)\n"
        f"client connected to {path}\n"
        "echoed: hello\n"
        "echoed: over a UNIX socket\n"
        "echoed: goodbye\n"
        "server saw 1 connection(s) and 33 bytes\n"
        "files left behind: none\n"
    )


def runProgram(program: Path, argument: Path) -> subprocess.CompletedProcess[str]:
    """
    Run the Python program C{program} with one argument.
    """
    return subprocess.run(
        [sys.executable, str(program), str(argument)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_directory(tmp_path: Path) -> None:
    """
    Given a directory, the example serves on C{echo.sock} in it, gets every
    line echoed, and leaves no file behind.
    """
    done = runProgram(EXAMPLE, tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected(tmp_path / "echo.sock")
    assert list(tmp_path.iterdir()) == []


def test_socketPath(tmp_path: Path) -> None:
    """
    Given a path that is not a directory, the example uses it as the
    socket's path.
    """
    path = tmp_path / "my.sock"
    done = runProgram(EXAMPLE, path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected(path)


def test_pathTaken(tmp_path: Path) -> None:
    """
    If another live process holds the path's lock, the example fails with
    a message naming the lock and that process.
    """
    path = tmp_path / "taken.sock"
    (tmp_path / "taken.sock.lock").symlink_to("1")  # pid 1 is always alive
    done = runProgram(EXAMPLE, path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"the lock '{path}.lock' is held by live process 1" in done.stderr


def test_usage() -> None:
    """
    Without an argument the example says how to call it.
    """
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert done.stderr.startswith("usage: ")


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    With its imports renamed to C{twisted}, the example prints the same
    under Twisted.
    """
    if importlib.util.find_spec("twisted") is None:
        pytest.skip("Twisted is not installed")
    source = EXAMPLE.read_text()
    renamed, count = re.subn(
        r"^(\s*)from torsion\.", r"\1from twisted.", source, flags=re.MULTILINE
    )
    assert count == 3
    ported = tmp_path / "unix_echo_twisted.py"
    ported.write_text(renamed)
    socketDir = tmp_path / "run"
    socketDir.mkdir()
    done = runProgram(ported, socketDir)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected(socketDir / "echo.sock")


DOCS = ROOT / "docs" / "unix.md"


def test_docSnippet(tmp_path: Path) -> None:
    """
    The Python block of C{docs/unix.md} runs and prints what the page says
    it prints.
    """
    text = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1
    snippet = tmp_path / "snippet.py"
    snippet.write_text(blocks[0])
    done = subprocess.run(
        [sys.executable, str(snippet)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "received: hello from the pipe\nthen the byte: !\n"
    for line in done.stdout.splitlines():
        assert f"`{line}`" in text, f"the page does not quote the output {line!r}"
