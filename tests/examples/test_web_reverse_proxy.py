"""
Tests for the example C{examples/web_reverse_proxy.py}: run it on a free
port in front of a small backend (the standard library's C{http.server},
in a thread) and talk to it with C{http.client}; the same program with its
imports renamed to Twisted behaves the same.
"""

from __future__ import annotations

import http.client
import re
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import requireTwisted, toTwisted
from tests.helpers import RefusingPort

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web_reverse_proxy.py"
TIMEOUT = 30.0


class Backend(BaseHTTPRequestHandler):
    """Answers with the method, target, Host header and body it got."""

    protocol_version = "HTTP/1.1"

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        text = f"{self.command} {self.path} host={self.headers['Host']} body=".encode() + body
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    do_GET = answer
    do_POST = answer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def backend() -> Iterator[int]:
    """A backend HTTP server on 127.0.0.1; its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


@pytest.fixture(params=["torsion", "twisted"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The example as written, then renamed to use Twisted."""
    if request.param == "torsion":
        return EXAMPLE
    requireTwisted()
    ported = tmp_path / "web_reverse_proxy.py"
    ported.write_text(toTwisted(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    return ported


def start(program: Path, backendPort: int) -> tuple[subprocess.Popen[str], int]:
    """Run the example on a free port; the process and the port it printed."""
    process = subprocess.Popen(
        [sys.executable, str(program), "--port", "0", "--backend-port", str(backendPort)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
    if not ready:
        process.kill()
        process.communicate()
        raise AssertionError("web_reverse_proxy.py did not say which port it listens on")
    first = process.stdout.readline()
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/\n", first)
    assert match is not None, first + process.communicate()[1]
    return process, int(match.group(1))


def stop(process: subprocess.Popen[str]) -> None:
    """Stop the example with SIGTERM."""
    if process.poll() is None:
        process.terminate()
    process.communicate(timeout=TIMEOUT)


def fetch(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request to the proxy: the status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request(method, path, body=body)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def test_forwards(program: Path, backend: int) -> None:
    """
    A GET with a query and a POST with a body reach the backend through
    the proxy, with the backend's own address as I{Host}.
    """
    process, port = start(program, backend)
    try:
        got = fetch(port, "GET", "/a/b?x=1")
        posted = fetch(port, "POST", "/form", b"hello")
    finally:
        stop(process)
    assert got == (200, f"GET /a/b?x=1 host=127.0.0.1:{backend} body=".encode())
    assert posted == (200, f"POST /form host=127.0.0.1:{backend} body=hello".encode())


def test_backendDown(program: Path) -> None:
    """With nothing on the backend port, the proxy answers with a 5xx error."""
    with RefusingPort() as closed:
        process, port = start(program, closed)
        try:
            status, _ = fetch(port, "GET", "/")
        finally:
            stop(process)
    # torsion answers 502 Bad Gateway; Twisted answers 501.
    assert status in (502, 501)
    if program == EXAMPLE:
        assert status == 502
