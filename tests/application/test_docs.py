"""
Tests that the Python blocks of C{docs/services.md} run and print what the
page says, with torsion and, renamed, with Twisted (skipped if Twisted is
not installed).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import requireTwisted, run, toTwisted

DOC = Path(__file__).resolve().parents[2] / "docs" / "services.md"

# What each Python block of the page prints, in order.
OUTPUTS = [
    "start database\nstart web\ntick at 0.0\ntick at 10.0\nstop web\nstop database\n"
    "all stopped: [True, True, True]\n",
    "the server says b'hello'\n",
]


def blocks() -> list[str]:
    """
    The page's Python blocks.
    """
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_blockCount() -> None:
    """
    Every Python block on the page has its expected output here.
    """
    assert len(blocks()) == len(OUTPUTS)


@pytest.mark.parametrize("index", range(len(OUTPUTS)))
def test_blockRuns(index: int, tmp_path: Path) -> None:
    """
    The block runs and prints what the page says.
    """
    snippet = tmp_path / f"block{index}.py"
    snippet.write_text(blocks()[index])
    assert run(snippet) == OUTPUTS[index]


@pytest.mark.parametrize("index", range(len(OUTPUTS)))
def test_blockSameUnderTwisted(index: int, tmp_path: Path) -> None:
    """
    Renamed to use Twisted, the block prints the same.
    """
    requireTwisted()
    snippet = tmp_path / f"block{index}_twisted.py"
    snippet.write_text(toTwisted(blocks()[index]))
    assert run(snippet) == OUTPUTS[index]
