"""
Tests for the example program C{examples/looping_clock.py} and the code
blocks of C{docs/task.md}.

Each is run as a subprocess and its output checked.  The example, with
C{torsion} renamed to C{twisted} in its imports, must print the same under
Twisted (skipped if Twisted is not installed): the porting contract.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "looping_clock.py"
DOCS = ROOT / "docs" / "task.md"

# What each Python block of docs/task.md prints, in order.
DOC_OUTPUTS = [
    "[0.0, 2.0]\nstopped after 3 runs\n[0.0, 2.0, 4.0]\n[]\n",
    "",
    "[1, 1, 4]\n",
    "a 0\nb 0\na 1\nb 1\nb is done\n",
]

EXPECTED = """\
[0.0s] heartbeat 1
[0.5s] report.pdf: checked chunk 1 of 3
[1.0s] heartbeat 2
[1.0s] photo.jpg: checked chunk 1 of 2
[1.0s] the clock jumps 1.5s at once
[2.5s] animation was late: skipped 5 frames, now at frame 11
[2.5s] report.pdf: checked chunk 2 of 3
[2.5s] heartbeat 3
[3.0s] photo.jpg: checked chunk 2 of 2
[3.0s] heartbeat 4
[3.5s] heartbeat stopped after 4 beats
[3.5s] stopped the animation at frame 14
[3.5s] report.pdf: checked chunk 3 of 3
[4.0s] photo.jpg: all chunks checked
[4.5s] report.pdf: all chunks checked
[4.5s] 0 calls left on the clock
"""


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
    The example prints its timeline: heartbeats, the skipped frames after
    the clock jumps, the cooperative checks taking turns, and no calls left
    on the clock at the end.
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
    renamed, count = re.subn(r"^from torsion\.", "from twisted.", source, flags=re.MULTILINE)
    assert count == 1
    ported = tmp_path / "looping_clock_twisted.py"
    ported.write_text(renamed)
    assert runProgram(ported) == EXPECTED


def test_docSnippets(tmp_path: Path) -> None:
    """
    Every Python block in C{docs/task.md} runs and prints what the page says.
    """
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    assert len(blocks) == len(DOC_OUTPUTS)
    for index, (block, expected) in enumerate(zip(blocks, DOC_OUTPUTS, strict=True)):
        snippet = tmp_path / f"snippet{index}.py"
        snippet.write_text(block)
        assert runProgram(snippet) == expected, f"block {index} of {DOCS.name}"
