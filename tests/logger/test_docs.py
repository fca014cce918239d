"""
Tests that the example in C{docs/logging.md} runs and prints what it says.
"""

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "logging.md"


def codeBlocks(language: str) -> list[str]:
    """
    Extract the fenced code blocks of the logging page with a language tag.
    """
    blocks: list[str] = []
    current: list[str] | None = None
    tag = ""
    for line in DOC.read_text(encoding="utf-8").splitlines(keepends=True):
        if current is None:
            if line.startswith("```"):
                tag, current = line[3:].strip(), []
        elif line.rstrip() == "```":
            if tag == language:
                blocks.append("".join(current))
            current = None
        else:
            current.append(line)
    return blocks


def test_exampleRuns(tmp_path: Path) -> None:
    """
    The page's program runs, and its output matches the page's sample
    output, except for times and traceback details.
    """
    program = codeBlocks("python")[0]
    script = tmp_path / "example.py"
    script.write_text(program, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    stamp = r"^\S+ "
    got = re.sub(stamp, "", result.stdout, flags=re.M).splitlines()
    [shown] = codeBlocks("text")
    expected = re.sub(stamp, "", shown, flags=re.M).splitlines()
    assert got[:3] == expected[:3]
    assert got[3] == expected[3] == "\tTraceback (most recent call last):"
    assert got[-1] == expected[-1] == "\tZeroDivisionError: division by zero"
    assert result.stderr == ""
