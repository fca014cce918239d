"""
Tests for C{examples/options_demo.py}, a command line built with
C{usage.Options}; with C{torsion} renamed to C{twisted} in its imports it
must parse the same way under Twisted.  Also runs the Python block of
C{docs/usage-and-plugins.md}.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted

PROGRAM = EXAMPLES / "options_demo.py"
DOCS = EXAMPLES.parent / "docs" / "usage-and-plugins.md"


def load(path: Path, name: str) -> ModuleType:
    """
    Import the program at C{path} as a module named C{name} (not kept in
    C{sys.modules}).
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    """
    The example program, imported.
    """
    return load(PROGRAM, "options_demo")


def run(
    module: ModuleType, args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    """
    Run the program's C{main(args)}: its exit status, stdout and stderr.
    """
    try:
        status: object = module.main(args)
    except SystemExit as e:
        status = e.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("args", "out", "err"),
    [
        ([], "Hello, world!\n", "done\n"),
        (
            ["greet", "--shout", "-t", "2", "alice", "bob"],
            "HELLO, ALICE!\nHELLO, ALICE!\nHELLO, BOB!\nHELLO, BOB!\n",
            "done\n",
        ),
        (["-q", "g", "--greeting=Hi", "x"], "Hi, x!\n", ""),
        (
            ["-vv", "sum", "--", "1", "2.5", "-3"],
            "0.50\n",
            "running sum with {'places': 2, 'numbers': [1.0, 2.5, -3.0]}\ndone\n",
        ),
        (["-q", "sum", "-p0", "1", "-3"], "-2\n", ""),
    ],
)
def test_runs(
    demo: ModuleType, capsys: pytest.CaptureFixture[str], args: list[str], out: str, err: str
) -> None:
    """
    The commands greet and add up, with their options, and exit with 0.
    """
    assert run(demo, args, capsys) == (0, out, err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "option --bogus not recognized; try --help"),
        (["-q", "-v"], "--quiet and --verbose contradict each other; choose one"),
        (["bogus"], "Unknown command: 'bogus'; the commands are greet, sum; try --help"),
        (["greet", "-t", "0"], "invalid value '0' for --times: must be at least 1, not 0"),
        (["g", "-p", "2"], "option -p not recognized; try 'greet --help'"),
        (
            ["sum"],
            "Wrong number of arguments: expected at least 1 argument (NUMBER [NUMBERS...]), "
            "got 0; try 'sum --help'",
        ),
        (["sum", "1", "x"], "sum adds numbers: could not convert string to float: 'x'"),
    ],
)
def test_errors(
    demo: ModuleType, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """
    A wrong command line prints what is wrong to stderr and exits with 1.
    """
    assert run(demo, args, capsys) == (1, "", f"options_demo.py: {message}\n")


def test_help(
    demo: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    C{--help} prints the options, the commands and the description, and
    exits with 0.
    """
    monkeypatch.setenv("COLUMNS", "80")
    status, out, err = run(demo, ["--help"], capsys)
    assert (status, err) == (0, "")
    assert out == (
        "Usage: options_demo.py [options] [command]\n"
        "Options:\n"
        "      --help     Show this help text and exit.\n"
        "  -q, --quiet    Print the results only.\n"
        "  -v, --verbose  Say what is going on (repeat for more).\n"
        "      --version  Show the torsion version and exit.\n"
        "Commands:\n"
        "  greet (g)  Greet people (or the world). (the default)\n"
        "  sum        Add numbers up.\n"
        "\n"
        "Greets people or adds numbers up: a tour of usage.Options.\n"
    )


def test_subCommandHelp(
    demo: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    C{sum --help} prints the command's own options under the full synopsis.
    """
    monkeypatch.setenv("COLUMNS", "80")
    assert run(demo, ["sum", "--help"], capsys) == (
        0,
        "Usage: options_demo.py [options] [command] sum [sum options] NUMBER [NUMBER...]\n"
        "Options:\n"
        "      --help     Show this help text and exit.\n"
        "  -p, --places=  Digits after the decimal point. [default: 2]\n"
        "      --version  Show the torsion version and exit.\n"
        "\n"
        "Prints the sum of the NUMBERs. If the first is negative, put -- before it.\n",
        "",
    )


def test_asAProgram() -> None:
    """
    Run as a program, it reads C{sys.argv} and exits with main's status.
    """
    ok = subprocess.run(
        [sys.executable, str(PROGRAM), "greet", "alice"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "Hello, alice!\n", "done\n")
    bad = subprocess.run(
        [sys.executable, str(PROGRAM), "--bogus"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (1, "")
    assert bad.stderr == "options_demo.py: option --bogus not recognized; try --help\n"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["greet", "--shout", "-t", "2", "alice", "bob"],
        ["-q", "g", "--greeting=Hi", "x"],
        ["-vv", "sum", "--", "1", "2.5", "-3"],
        ["-q", "sum", "-p0", "1", "-3"],
        ["--bogus"],
        ["-q", "-v"],
        ["greet", "-t", "0"],
        ["sum"],
    ],
    ids=" ".join,
)
def test_sameUnderTwisted(
    demo: ModuleType, capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]
) -> None:
    """
    Renamed to use Twisted, the program gives the same output and status;
    for errors only the status and the program name prefix are compared
    (Twisted words its messages differently).
    """
    requireTwisted()
    ported = tmp_path / "options_demo_twisted.py"
    ported.write_text(toTwisted(PROGRAM.read_text(encoding="utf-8")), encoding="utf-8")
    theirs = run(load(ported, "options_demo_twisted"), args, capsys)
    ours = run(demo, args, capsys)
    if ours[0] == 0:
        assert ours == theirs
    else:
        assert (ours[0], ours[1]) == (theirs[0], theirs[1]) == (1, "")
        assert theirs[2].startswith("options_demo.py: ")


def test_docBlock(tmp_path: Path) -> None:
    """
    The Python block of C{docs/usage-and-plugins.md} prints what the text
    block after it shows.
    """
    text = DOCS.read_text(encoding="utf-8")
    pairs = re.findall(r"```python\n(.*?)```\n\n[^`]*```text\n(.*?)```", text, flags=re.DOTALL)
    assert len(pairs) == 1
    [(block, expected)] = pairs
    snippet = tmp_path / "block.py"
    snippet.write_text(block, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(snippet)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected
