"""
Tests for the Deferred example programs, C{examples/defer_*.py}.

Each example is run as a subprocess with torsion, and its output is checked.
Then a copy with C{torsion} renamed to C{twisted} in its imports is run with
Twisted, and the two outputs must be identical: that is the porting
contract.  The Twisted half is skipped if Twisted is not installed.

The last class checks snippets of behaviour that Twisted documents and that
ported programs rely on, the same way.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

_IMPORT = re.compile(r"^(\s*(?:from|import)\s+)torsion(?=[.\s])", re.MULTILINE)


def toTwisted(source: str) -> str:
    """
    Rename C{torsion} to C{twisted} in the import statements of C{source}.

    @raise AssertionError: If there is no torsion import to rename.
    """
    renamed, count = _IMPORT.subn(r"\1twisted", source)
    assert count, "no 'from torsion...' or 'import torsion...' line to rename"
    return renamed


def run(path: Path) -> str:
    """
    Run the program at C{path} with this interpreter and return its stdout.

    @raise AssertionError: If it exits with an error or writes to stderr.
    """
    done = subprocess.run(
        [sys.executable, str(path)],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{path.name} exited with {done.returncode}:\n{done.stderr}"
    assert done.stderr == "", f"{path.name} wrote to stderr:\n{done.stderr}"
    return done.stdout


def requireTwisted() -> None:
    """
    Skip the calling test, saying why, if Twisted cannot be imported.
    """
    if importlib.util.find_spec("twisted") is None:
        pytest.skip("Twisted is not installed, so the torsion/Twisted comparison cannot run")


EXPECTED: dict[str, str] = {
    "defer_callbacks.py": """\
[0.0s] looking up 'alice'
[0.0s] looking up 'bob'
[0.0s] looking up 'carol'
[0.0s] looking up ''
[1.0s] alice is at 10.0.0.1; pinging it
[1.0s] bob is at 10.0.0.2; pinging it
[1.0s] carol is unknown; using the default route
[1.0s] lookup of '' failed: ValueError: a name is needed
[1.5s] alice (10.0.0.1) answers in 0.5s
[3.0s] bob (10.0.0.2) answers in 2.0s
[3.0s] all 4 lookups finished
""",
    "defer_combinators.py": """\
[3.0s] DeferredList: harbour ok=True 14.5C
[3.0s] DeferredList: airport failed: airport is not answering
[3.0s] DeferredList: hill ok=True 9.0C
[5.0s] first reading: 14.5C from harbour
[7.0s] gatherResults failed: station airport: airport is not answering
[12.0s] 2 of 3 stations answered, average 11.75C
""",
    "defer_coroutines.py": """\
[1.0s] data.txt from fast
[4.0s] slow mirror timed out after 3s
[5.0s] race won by mirror #2: race.txt from fast
[9.0s] gathered ['part0 from fast', 'part1 from slow', 'part2 from medium']
[10.5s] gave up on big.iso
finished
""",
    "defer_inlinecallbacks.py": """\
[2.00s] as expected: /missing does not exist
[2.00s] depth 0: fetching /
[2.25s] depth 1: fetching /about, /news
[3.75s] depth 2: fetching /news/1, /news/2, /gone
[5.50s]   broken link: /gone does not exist
[5.50s] found 5 pages: / /about /news /news/1 /news/2
""",
    "defer_locks.py": """\
[0.0s] downloads, two at a time:
[0.0s]   start a.txt (free slots now: 1)
[0.0s]   start b.txt (free slots now: 0)
[1.0s]   finished b.txt
[1.0s]   start c.txt (free slots now: 0)
[2.0s]   finished a.txt
[2.0s]   start broken.txt (free slots now: 0)
[2.0s]   finished c.txt
[2.0s]   start d.txt (free slots now: 0)
[2.5s]   failed: broken.txt: connection reset
[3.0s]   finished d.txt
[3.0s] downloaded ['a.txt', 'b.txt', 'c.txt', '(failed)', 'd.txt']
[3.0s] two writers sharing one log:
[3.0s]   first waits for the lock
[3.0s]   first has the lock
[3.0s]   second waits for the lock
[5.0s]   second has the lock
[7.0s] log: ['first line 1', 'first line 2', 'second line 1', 'second line 2']
[7.0s] producer and consumer:
[7.0s]   working on job0 (2 more in the queue)
[8.0s]   working on job1 (1 more in the queue)
[9.0s]   working on job2 (0 more in the queue)
[12.0s]   working on job3 (0 more in the queue)
[13.0s] consumer done after 4 items
""",
}

NAMES = sorted(EXPECTED)


def test_everyExampleHasExpectedOutput() -> None:
    """
    Every C{examples/defer_*.py} program has its expected output here, and
    there are at least four of them.
    """
    found = sorted(path.name for path in EXAMPLES.glob("defer_*.py"))
    assert found == NAMES
    assert len(found) >= 4


def test_toTwistedRenamesImportsOnly() -> None:
    """
    The renaming touches C{from torsion...}/C{import torsion...} lines and
    nothing else (not other words, nor names that merely start with it).
    """
    source = (
        "from torsion.internet import defer\n"
        "import torsion.internet.task\n"
        "    from torsion import x\n"
        "import torsionx\n"
        'print("torsion")\n'
    )
    assert toTwisted(source) == (
        "from twisted.internet import defer\n"
        "import twisted.internet.task\n"
        "    from twisted import x\n"
        "import torsionx\n"
        'print("torsion")\n'
    )


@pytest.mark.parametrize("name", NAMES)
class ExampleTests:
    def test_outputWithTorsion(self, name: str) -> None:
        """
        The example runs with torsion, writes nothing to stderr, and prints
        its expected output.
        """
        assert run(EXAMPLES / name) == EXPECTED[name]

    def test_sameOutputWithTwisted(self, name: str, tmp_path: Path) -> None:
        """
        With torsion renamed to twisted in its imports, the example runs under
        Twisted and prints exactly what it prints with torsion.
        """
        requireTwisted()
        source = (EXAMPLES / name).read_text(encoding="utf-8")
        ported = tmp_path / name
        ported.write_text(toTwisted(source), encoding="utf-8")
        assert "torsion" not in _importLines(ported.read_text(encoding="utf-8"))
        assert run(ported) == run(EXAMPLES / name)


def _importLines(source: str) -> str:
    return "\n".join(
        line for line in source.splitlines() if line.lstrip().startswith(("from ", "import "))
    )


SNIPPETS: dict[str, tuple[str, str]] = {
    # name: (program, expected output under both torsion and Twisted)
    "awaitInlineCallbacks": (
        """\
from torsion.internet.defer import Deferred, ensureDeferred, inlineCallbacks

gate = Deferred()

@inlineCallbacks
def legacy(n):
    value = yield gate
    return value * n

async def modern():
    return await legacy(3) + 1

ensureDeferred(modern()).addCallback(print)
gate.callback(2)
""",
        "7\n",
    ),
    "trapPassesOtherErrorsOn": (
        """\
from torsion.internet.defer import fail

def onlyKeyErrors(failure):
    failure.trap(KeyError)
    return "handled"

d = fail(ValueError("not mine"))
d.addErrback(onlyKeyErrors)
d.addErrback(lambda f: print("reached the next errback with", f.type.__name__))
""",
        "reached the next errback with ValueError\n",
    ),
    "cancelWithoutCancellerIgnoresLateResult": (
        """\
from torsion.internet.defer import CancelledError, Deferred

d = Deferred()
d.cancel()
d.callback("late")
d.addErrback(lambda f: print("cancelled:", f.check(CancelledError) is not None))
""",
        "cancelled: True\n",
    ),
    "inlineCallbacksYieldsCoroutine": (
        """\
from torsion.internet.defer import inlineCallbacks, succeed

async def double(n):
    return await succeed(n) * 2

@inlineCallbacks
def main():
    doubled = yield double(21)
    print(doubled)

main()
""",
        "42\n",
    ),
}

_KNOWN_BUGS: dict[str, str] = {}


def _snippetParams() -> list[object]:
    params: list[object] = []
    for name in sorted(SNIPPETS):
        for flavour in ("torsion", "twisted"):
            marks = []
            if flavour == "torsion" and name in _KNOWN_BUGS:
                marks.append(pytest.mark.xfail(reason=_KNOWN_BUGS[name], strict=True))
            params.append(pytest.param(name, flavour, marks=marks, id=f"{name}-{flavour}"))
    return params


class PortingContractTests:
    @pytest.mark.parametrize(("name", "flavour"), _snippetParams())
    def test_snippet(self, name: str, flavour: str, tmp_path: Path) -> None:
        """
        A small program relying on behaviour that Twisted documents prints
        the expected output with torsion, and with Twisted after renaming.
        """
        source, expected = SNIPPETS[name]
        if flavour == "twisted":
            requireTwisted()
            source = toTwisted(source)
        program = tmp_path / f"{name}.py"
        program.write_text(source, encoding="utf-8")
        assert run(program) == expected

    def test_debuggingShowsCreationLine(self, tmp_path: Path) -> None:
        """
        With C{setDebugging(True)}, L{AlreadyCalledError} shows the line that
        created the Deferred and the line that first fired it (as
        C{docs/deferreds.md} promises).
        """
        program = tmp_path / "debugging.py"
        program.write_text(
            "from torsion.internet import defer\n"
            "defer.setDebugging(True)\n"
            "def make():\n"
            "    return defer.Deferred()  # created here\n"
            "d = make()\n"
            "d.callback(1)  # fired here\n"
            "try:\n"
            "    d.callback(2)\n"
            "except defer.AlreadyCalledError as e:\n"
            "    print(e)\n",
            encoding="utf-8",
        )
        output = run(program)
        assert "d.callback(1)  # fired here" in output
        assert "return defer.Deferred()  # created here" in output
