"""
The Deferred tests pass in pure Python too (TORSION_NO_EXTENSIONS=1), so
torsion works where its optional C speedups could not be compiled.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def test_deferredTestsPassWithoutExtensions() -> None:
    """
    The core Deferred, coroutine and model tests pass with the pure-Python
    implementation, and that implementation is the one in use.
    """
    env = dict(os.environ, TORSION_NO_EXTENSIONS="1")
    check = subprocess.run(
        [sys.executable, "-c", "from torsion.internet import _deferredbase as b; print(b.HAVE_C)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "False"
    files = ["test_defer.py", "test_coroutines.py", "test_defer_model.py", "test_deferredlist.py"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *(str(HERE / f) for f in files),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=HERE.parent.parent,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
