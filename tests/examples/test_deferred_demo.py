"""
Tests for C{examples/deferred_demo.py}, a quick tour of Deferreds in virtual time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, run, toTwisted

EXPECTED = """\
[t=  0.0s] start    index.html
[t=  0.0s] start    style.css
[t=  0.5s] finished style.css (9000 bytes)
[t=  0.5s] start    logo.png
[t=  1.5s] finished index.html (10000 bytes)
[t=  1.5s] start    huge.iso
[t=  2.5s] finished logo.png (8000 bytes)
[t=  2.5s] start    app.js
[t=  3.5s] finished app.js (6000 bytes)
[t=  6.5s] timeout  huge.iso after 5.0s
4 downloaded: index.html, style.css, logo.png, app.js
1 failed: TimeoutError
[t=  6.5s] all done
"""


def test_demoTimeline() -> None:
    """
    The demo runs two downloads at a time, times the slow one out and
    reports the rest, in virtual time.
    """
    assert run(EXAMPLES / "deferred_demo.py") == EXPECTED


def test_demoLimitOption() -> None:
    """
    --limit changes how many downloads run at once.
    """
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "deferred_demo.py"), "--limit", "5"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    starts = [line for line in done.stdout.splitlines() if line.startswith("[t=  0.0s] start")]
    assert len(starts) == 5


def test_demoRunsUnderTwisted(tmp_path: Path) -> None:
    """
    With its imports renamed, the demo prints the same under Twisted.
    """
    requireTwisted()
    program = tmp_path / "deferred_demo.py"
    program.write_text(toTwisted((EXAMPLES / "deferred_demo.py").read_text()), encoding="utf-8")
    assert run(program) == EXPECTED
