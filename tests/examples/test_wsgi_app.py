"""
Tests for the example C{examples/wsgi_app.py}: run it on a free port and
talk to the Flask application it serves with curl.
"""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import requireTool

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "wsgi_app.py"
TIMEOUT = 30.0


@pytest.fixture
def port() -> Iterator[int]:
    """The example, serving on a free port; stopped with SIGTERM afterwards."""
    pytest.importorskip("flask")
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
    if not ready:
        process.kill()
        process.communicate()
        raise AssertionError("wsgi_app.py did not say which port it listens on")
    first = process.stdout.readline()
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/\n", first)
    assert match is not None, first + process.communicate()[1]
    try:
        yield int(match.group(1))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0


def curl(*args: str) -> bytes:
    """What curl prints for C{args} (failing on an HTTP error)."""
    done = subprocess.run(
        [requireTool("curl"), "-sS", "--fail", *args],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_curl(port: int) -> None:
    """
    curl gets the front page, a JSON greeting with a unicode name, a sum
    of posted JSON and a streamed count; the server stops cleanly on
    SIGTERM.  A path Flask does not route is Flask's 404.
    """
    base = f"http://127.0.0.1:{port}"
    assert curl(f"{base}/") == b"Hello from Flask on torsion!\n"
    assert json.loads(curl(f"{base}/hello/J%C3%BCrgen")) == {"greeting": "Hello, Jürgen!"}
    posted = curl("-H", "Content-Type: application/json", "-d", '{"a": 2, "b": 40}', f"{base}/add")
    assert json.loads(posted) == {"sum": 42}
    streamed = curl("-i", f"{base}/count/1000")
    head, _, body = streamed.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head
    assert body == b"".join(b"%d\n" % i for i in range(1, 1001))
    missing = subprocess.run(
        [requireTool("curl"), "-sS", "-o", "/dev/null", "-w", "%{http_code}", f"{base}/nope"],
        capture_output=True,
        timeout=TIMEOUT,
        check=True,
    )
    assert missing.stdout == b"404"
