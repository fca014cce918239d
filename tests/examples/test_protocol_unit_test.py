"""
Tests for the example C{examples/protocol_unit_test.py} and the code blocks
of C{docs/testing-kit.md}.

The example's own tests must pass under pytest, when imported, and when the
file is run as a script; with C{torsion} renamed to C{twisted} in its
imports they must pass under Twisted too (skipped if Twisted is not
installed): the porting contract.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "protocol_unit_test.py"
DOCS = ROOT / "docs" / "testing-kit.md"
TESTS = 8

# What each Python block of docs/testing-kit.md prints, in order.
DOC_OUTPUTS = [
    "b'HELLO'\nb'' True\n",
    "8023 127.0.0.1\nb'hi\\r\\n' False\nTrue\n",
    "False\n6\n",
]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """
    Run Python with C{args}, capturing its output.
    """
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def importExample() -> ModuleType:
    """
    Import the example file as a module.
    """
    spec = importlib.util.spec_from_file_location("protocol_unit_test", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_passesUnderPytest() -> None:
    """
    C{python -m pytest examples/protocol_unit_test.py} runs and passes
    every test of the example.
    """
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{TESTS} passed" in done.stdout


def test_importable() -> None:
    """
    The example imports without side effects, and each of its test
    functions passes when called.
    """
    module = importExample()
    tests = [getattr(module, name) for name in dir(module) if name.startswith("test_")]
    assert len(tests) == TESTS
    for test in tests:
        test()
    assert module.LineEcho.__name__ == "LineEcho"


def test_runsAsScript() -> None:
    """
    Run as a script, the example runs its tests and prints a summary.
    """
    done = run(str(EXAMPLE))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == f"{TESTS} passed, 0 failed\n"
    assert done.stderr == ""


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    With its imports renamed to C{twisted}, the example's tests pass under
    Twisted's own fakes.
    """
    if importlib.util.find_spec("twisted") is None:
        pytest.skip("Twisted is not installed")
    source = EXAMPLE.read_text()
    renamed, count = re.subn(r"^from torsion\.", "from twisted.", source, flags=re.MULTILINE)
    assert count == 5
    ported = tmp_path / "ported_protocol_unit_test.py"
    ported.write_text(renamed)
    done = run(str(ported), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == f"{TESTS} passed, 0 failed\n"


def test_docSnippets(tmp_path: Path) -> None:
    """
    Every Python block in C{docs/testing-kit.md} runs and prints what the
    page says it prints.
    """
    text = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == len(DOC_OUTPUTS)
    for index, (block, expected) in enumerate(zip(blocks, DOC_OUTPUTS, strict=True)):
        snippet = tmp_path / f"snippet{index}.py"
        snippet.write_text(block)
        done = run(str(snippet), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected, f"block {index} of {DOCS.name}"
        assert f"```\n{expected}```" in text, f"the page shows block {index}'s output"
