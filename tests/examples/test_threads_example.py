"""
Tests for the example program C{examples/threads_blocking.py} and the code
blocks of C{docs/threads.md}.

Each runs as a subprocess, with the real global reactor, and its output is
checked.  The example, with C{torsion} renamed to C{twisted} in its
imports, must print the same under Twisted (skipped if Twisted is not
installed): the porting contract.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "threads_blocking.py"
DOCS = ROOT / "docs" / "threads.md"

EXPECTED = """\
hashing 3 files in the reactor's thread pool
small.bin: 102400 bytes in 1 chunk(s), sha256 27783e87963a4efb..., \
hashed in the reactor thread: False
medium.bin: 1048576 bytes in 4 chunk(s), sha256 fbbab289f7f94b25..., \
hashed in the reactor thread: False
large.bin: 4194304 bytes in 16 chunk(s), sha256 2b07811057df8870..., \
hashed in the reactor thread: False
progress reports run in the reactor thread: 21 of 21
every thread saw the heartbeat beat while it worked
"""

# What each Python block of docs/threads.md prints, in order.
DOC_OUTPUTS = [
    "bce178b829efc470\n",
    "6\nstopped: True\n",
    "4 x apple = 12 (in the reactor thread: False)\n",
    "True 45 sums-worker-1\n",
]


def runProgram(path: Path) -> str:
    """
    Run the Python program at C{path} and return what it printed.

    @raise AssertionError: If it fails or writes to stderr.
    """
    done = subprocess.run(
        [sys.executable, str(path)],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{path.name} exited with {done.returncode}:\n{done.stderr}"
    assert done.stderr == "", f"{path.name} wrote to stderr:\n{done.stderr}"
    return done.stdout


def test_output() -> None:
    """
    The example hashes its files in pool threads, every progress report
    runs in the reactor thread, and the heartbeat beats while the threads
    work.
    """
    assert runProgram(EXAMPLE) == EXPECTED


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
    assert count == 5
    ported = tmp_path / "threads_blocking_twisted.py"
    ported.write_text(renamed)
    assert runProgram(ported) == EXPECTED


def test_docSnippets(tmp_path: Path) -> None:
    """
    Every Python block in C{docs/threads.md} runs and prints what the page
    says it prints.
    """
    text = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == len(DOC_OUTPUTS)
    for index, (block, expected) in enumerate(zip(blocks, DOC_OUTPUTS, strict=True)):
        snippet = tmp_path / f"snippet{index}.py"
        snippet.write_text(block)
        assert runProgram(snippet) == expected, f"block {index} of {DOCS.name}"
        for line in expected.splitlines():
            assert f"`{line}`" in text, f"the page does not quote the output {line!r}"
