"""
Tests for the example C{examples/web_resource_tree.py} and the code blocks
of C{docs/web-resources.md}.

The example and each Python block of the page are run as subprocesses and
their output checked against what the page and the example promise; the
example's functions are also imported and driven directly.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web_resource_tree.py"
DOCS = ROOT / "docs" / "web-resources.md"

EXPECTED = """\
GET / -> 200 Welcome! Try /hello/alice or /guestbook.
GET /hello/alice -> 200 <p>Hello, alice!</p>
GET /hello/<script> -> 200 <p>Hello, &lt;script&gt;!</p>
GET /hello/ -> 302 Location: /hello/world
GET /guestbook -> 200 Signed by: nobody yet
POST /guestbook -> 201 Thanks, bob.
POST /guestbook -> 400 POST a name argument to sign.
GET /guestbook -> 200 Signed by: bob
DELETE /guestbook -> 405 Allow: HEAD, GET, POST
GET /old -> 302 Location: /hello/world
GET /private/files -> 403 Forbidden Resource
GET /nowhere -> 404 No Such Resource
GET /slow -> still waiting
a second later: GET /slow -> 200 Sorry for the wait.
client gone, timers left: 0
"""

# What each Python block of docs/web-resources.md prints, in order.
DOC_OUTPUTS = [
    "[b'It is noon in CET.\\n'] True\n[b'text/plain']\n",
    "[b''] [] None b'front page'\n"
    "[b'files'] [b'a', b'b.txt'] None b'file a/b.txt'\n"
    "[b'users', b'alice'] [] None b'profile of alice'\n"
    "[b'nope'] [] 404 b'<!DOCTYPE html>\\n<htm'\n",
    "b'POST' 201 None b'counted'\n"
    "b'GET' None None b'1'\n"
    "b'HEAD' None None b'1'\n"
    "b'DELETE' 405 [b'HEAD, GET, POST'] True\n",
    "400 [b'text/html; charset=utf-8']\n"
    "    <p>The name &lt;script&gt;alert(1)&lt;/script&gt; is not allowed.</p>\n",
    "302 [b'/login?next=/account']\n302 [b'/']\n",
    "False 1\n[b'done'] True True\n",
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
    spec = importlib.util.spec_from_file_location("web_resource_tree", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runsAsScript() -> None:
    """
    Run as a script, the example prints each request and its response,
    and nothing on stderr (no unhandled errors).
    """
    done = run(str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert done.stdout == EXPECTED
    assert done.stderr == ""


def test_importable() -> None:
    """
    The example imports without side effects, and its tree can be driven
    directly: the greeting escapes the name from the URL and the guestbook
    keeps what was posted.
    """
    from torsion.internet.task import Clock

    module = importExample()
    root = module.build(Clock())
    greeting = module.fetch(root, b"/hello/<i>&")
    assert b"".join(greeting.written) == b"<p>Hello, &lt;i&gt;&amp;!</p>"
    module.fetch(root, b"/guestbook", b"POST", {b"name": [b"carol"]})
    listing = module.fetch(root, b"/guestbook")
    assert b"".join(listing.written) == b"Signed by: carol"


def test_slowPageCancels() -> None:
    """
    The slow page answers when the clock reaches its delay, and a client
    that leaves first cancels its timer.
    """
    from torsion.internet.task import Clock

    module = importExample()
    clock = Clock()
    root = module.build(clock)
    waiting = module.fetch(root, b"/slow")
    leaving = module.fetch(root, b"/slow")
    leaving.connectionLost()
    assert len(clock.getDelayedCalls()) == 1
    clock.advance(0.5)
    assert not waiting.finished
    clock.advance(0.5)
    assert waiting.finished
    assert not leaving.finished
    assert clock.getDelayedCalls() == []


def test_docSnippets(tmp_path: Path) -> None:
    """
    Every Python block in C{docs/web-resources.md} runs and prints what the
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
        assert done.stderr == "", f"block {index} of {DOCS.name}"
        assert f"```\n{expected}```" in text, f"the page shows block {index}'s output"
