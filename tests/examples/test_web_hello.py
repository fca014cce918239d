"""
Tests for the example C{examples/web_hello.py}: run it on a free port and
talk to it with C{http.client} and curl; the same program with its imports
renamed to Twisted behaves the same.
"""

from __future__ import annotations

import http.client
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import requireTwisted, toTwisted
from tests.helpers import requireTool

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web_hello.py"
TIMEOUT = 30.0


@pytest.fixture(params=["torsion", "twisted"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The example as written, then renamed to use Twisted."""
    if request.param == "torsion":
        return EXAMPLE
    requireTwisted()
    ported = tmp_path / "web_hello.py"
    ported.write_text(toTwisted(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    return ported


@pytest.fixture
def running(program: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """The example, serving on a free port; stopped with SIGTERM afterwards."""
    process = subprocess.Popen(
        [sys.executable, str(program), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
    if not ready:
        process.kill()
        process.communicate()
        raise AssertionError("web_hello.py did not say which port it listens on")
    first = process.stdout.readline()
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/\n", first)
    assert match is not None, first + process.communicate()[1]
    try:
        yield process, int(match.group(1))
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=TIMEOUT)


def test_httpClient(running: tuple[subprocess.Popen[str], int]) -> None:
    """
    Over one kept-alive connection: the front page, an escaped greeting, a
    session counter, the two-part answer, an echo and a 404; SIGTERM then
    stops the server cleanly.
    """
    process, port = running
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    answers = []
    cookie = ""
    for method, path, body in [
        ("GET", "/", None),
        ("GET", "/hello/%3Cb%3E", None),
        ("GET", "/count", None),
        ("GET", "/count", None),
        ("GET", "/later", None),
        ("POST", "/echo", b"ping"),
        ("GET", "/missing", None),
    ]:
        conn.request(method, path, body=body, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        answers.append((response.status, response.read()))
        setCookie = response.getheader("Set-Cookie")
        if setCookie:
            cookie = setCookie.split(";")[0]
    conn.close()
    assert answers[:6] == [
        (200, b"Hello from torsion! Try /hello/<name>, /count, /later, POST /echo.\n"),
        (200, b"<p>Hello, &lt;b&gt;!</p>\n"),
        (200, b"visit 1\n"),
        (200, b"visit 2\n"),
        (200, b"part one, part two\n"),
        (200, b"ping"),
    ]
    assert answers[6][0] == 404
    process.terminate()
    _, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0
    assert stderr == ""


def test_curl(running: tuple[subprocess.Popen[str], int]) -> None:
    """curl fetches two URLs over one connection."""
    curl = requireTool("curl")
    _, port = running
    done = subprocess.run(
        [
            curl,
            "-sS",
            "-v",
            "--http1.1",
            f"http://127.0.0.1:{port}/hello/curl",
            f"http://127.0.0.1:{port}/later",
        ],
        capture_output=True,
        timeout=TIMEOUT,
        check=True,
    )
    assert done.stdout == b"<p>Hello, curl!</p>\npart one, part two\n"
    assert re.search(rb"Re-?using existing connection", done.stderr)
