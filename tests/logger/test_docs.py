"""
Tests that the examples in C{docs/logging.md} run and print what they say.
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


def runBlock(source: str, directory: Path) -> str:
    """
    Run a code block as a program in C{directory}; return its output.
    """
    script = directory / "block.py"
    script.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr == ""
    return result.stdout


def test_otherBlocksRun(tmp_path: Path) -> None:
    """
    The page's other Python blocks run and print what the page implies:
    the capture block's assertion holds, the JSON block reads its event
    back, and the old-style block prints the old format with a traceback.
    """
    blocks = codeBlocks("python")
    assert len(blocks) == 4
    assert runBlock(blocks[1], tmp_path) == ""
    assert runBlock(blocks[2], tmp_path) == "info 50 Sold apple for 50 cents\n"
    legacy = [re.sub(r"^\S+ \S+ ", "", line) for line in runBlock(blocks[3], tmp_path).splitlines()]
    assert legacy[:4] == [
        "[-] Log opened.",
        "[web] Serving on port 8080",
        "[-] Could not compute the average basket",
        "\tTraceback (most recent call last):",
    ]
    assert legacy[-1] == "\tZeroDivisionError: division by zero"
