"""
The example of C{docs/web-static.md} runs and prints what the page shows.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "web-static.md"

#: A Python block and the text block right after it (what it prints).
EXAMPLE = re.compile(r"```python\n(.*?)```\n\n```text\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    """
    @return: (code, expected output) for each example of the page.
    """
    return EXAMPLE.findall(DOCS.read_text(encoding="utf-8"))


def test_everyPythonBlockHasItsOutput() -> None:
    """
    Every Python block of the page is followed by the output it prints.
    """
    page = DOCS.read_text(encoding="utf-8")
    assert page.count("```python\n") == len(examples()) == 1


@pytest.mark.parametrize(("code", "expected"), examples())
def test_examplePrintsWhatThePageSays(code: str, expected: str) -> None:
    """
    The example, run, prints exactly the text shown under it.
    """
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOCS), "exec"), {"__name__": "__docs__"})
    assert out.getvalue() == expected
