"""
Tests for C{examples/stdio_filter.py}, a grep-like filter over StandardIO,
driven through real pipes; with C{torsion} renamed to C{twisted} in its
imports it must behave the same under Twisted.  Also runs the code blocks
of C{docs/stdio-and-sockets.md}.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted

PROGRAM = EXAMPLES / "stdio_filter.py"
TIMEOUT = 60

FRUIT = b"apple\nBanana\ncherry\nbanana split\nno newline banana"


def runFilter(
    data: bytes, *args: str, program: Path = PROGRAM
) -> subprocess.CompletedProcess[bytes]:
    """
    Run the filter with C{args}, feeding it C{data}.
    """
    return subprocess.run(
        [sys.executable, str(program), *args],
        input=data,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_matchingLines() -> None:
    """
    Matching lines come out in order (the last one had no newline), the
    count goes to stderr and the status is 0.
    """
    result = runFilter(FRUIT, "anana")
    assert result.stdout == b"Banana\nbanana split\nno newline banana\n"
    assert result.stderr == b"3 of 5 lines matched\n"
    assert result.returncode == 0


def test_options() -> None:
    """
    -i ignores case and -v prints the lines that do not match.
    """
    assert runFilter(FRUIT, "-i", "^b").stdout == b"Banana\nbanana split\n"
    assert runFilter(FRUIT, "-v", "an").stdout == b"apple\ncherry\n"


def test_noMatch() -> None:
    """
    No matching line: nothing printed, status 1 (as grep).
    """
    result = runFilter(FRUIT, "durian")
    assert (result.stdout, result.stderr, result.returncode) == (
        b"",
        b"0 of 5 lines matched\n",
        1,
    )


def test_emptyInput() -> None:
    """
    Empty input (stdin at its end at once) is handled like no match.
    """
    result = runFilter(b"", ".")
    assert (result.stdout, result.returncode) == (b"", 1)


def test_largeInput() -> None:
    """
    200,000 lines (about 6 MB, far more than a pipe holds) pass through
    whole and in order.
    """
    lines = [b"line %06d %s" % (n, b"even" if n % 2 == 0 else b"odd") for n in range(200_000)]
    result = runFilter(b"\n".join(lines) + b"\n", "even$")
    assert result.stdout == b"".join(line + b"\n" for line in lines[::2])
    assert result.stderr == b"100000 of 200000 lines matched\n"


def test_linesFlowAsTheyCome() -> None:
    """
    Each matching line comes out as soon as it is read: the filter does not
    wait for the end of its input.
    """
    process = subprocess.Popen(
        [sys.executable, str(PROGRAM), "keep"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    for n in range(3):
        process.stdin.write(b"drop this\nkeep %d\n" % n)
        process.stdin.flush()
        assert process.stdout.readline() == b"keep %d\n" % n
    process.stdin.close()
    assert process.stdout.read() == b""
    assert process.wait(TIMEOUT) == 0


def test_readerGoesAway() -> None:
    """
    When the reader of its output goes away (like C{head -1}), the filter
    exits without waiting for the end of its input.
    """
    process = subprocess.Popen(
        [sys.executable, str(PROGRAM), "x"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"x1\n")
    process.stdin.flush()
    assert process.stdout.readline() == b"x1\n"
    process.stdout.close()
    assert process.wait(TIMEOUT) == 0
    process.stdin.close()


def test_overlongLine() -> None:
    """
    A line over 1 MiB is refused with a message naming the line, and
    status 2.
    """
    result = runFilter(b"fine\n" + b"x" * (2**20 + 10) + b"\n", ".")
    assert result.stdout == b"fine\n"
    assert result.stderr == (
        b"stdio_filter: line 2 is longer than 1048576 bytes; is the input text?\n"
    )
    assert result.returncode == 2


@pytest.mark.parametrize(
    "args", [("anana",), ("-i", "^b"), ("durian",)], ids=["match", "ignore-case", "no-match"]
)
def test_sameUnderTwisted(tmp_path: Path, args: tuple[str, ...]) -> None:
    """
    Renamed to use Twisted, the program prints the same and exits the same.
    """
    requireTwisted()
    ported = tmp_path / "stdio_filter.py"
    ported.write_text(toTwisted(PROGRAM.read_text()), encoding="utf-8")
    ours, theirs = runFilter(FRUIT, *args), runFilter(FRUIT, *args, program=ported)
    assert (ours.stdout, ours.stderr, ours.returncode) == (
        theirs.stdout,
        theirs.stderr,
        theirs.returncode,
    )


DOCS = EXAMPLES.parent / "docs" / "stdio-and-sockets.md"

# Each runnable block of the page (```python; ```py marks fragments): the
# input it is given and what it prints.
DOC_BLOCKS = [
    (b"hello\nworld\n", b"HELLO\nWORLD\n"),
    (b"", b"peer: UNIXAddress(None)\nb'hello from the reactor\\n'\n"),
]


def test_docBlocks(tmp_path: Path) -> None:
    """
    Every Python block of C{docs/stdio-and-sockets.md} runs and prints what
    the page says it prints.
    """
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == len(DOC_BLOCKS)
    for index, (block, (given, expected)) in enumerate(zip(blocks, DOC_BLOCKS, strict=True)):
        snippet = tmp_path / f"block{index}.py"
        snippet.write_text(block, encoding="utf-8")
        result = runFilter(given, program=snippet)
        assert (result.stdout, result.stderr, result.returncode) == (expected, b"", 0)
        for line in expected.decode().splitlines():
            assert f"`{line}`" in text, f"the page does not quote the output {line!r}"
