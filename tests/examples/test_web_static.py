"""
Tests for C{examples/web_static.py}: the example serves a directory on
127.0.0.1 with the real server, and curl fetches from it: whole files,
ranges, multi-range, conditional requests, traversal attempts, and a 1 GiB
sparse file whose download must not grow the server's memory.
"""

from __future__ import annotations

import contextlib
import email.parser
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted
from tests.examples.test_echo import running
from tests.helpers import requireTool

EXAMPLE = EXAMPLES / "web_static.py"
BODY = bytes(range(256)) * 4
GIB = 2**30

# The most the server's peak resident memory may grow while it sends 1 GiB:
# a few chunks and the interpreter's own noise, far below the file's size.
RSS_GROWTH_LIMIT = 64 * 2**20


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """
    The served directory: a 1 KiB file, a subdirectory, a sparse 1 GiB
    file, and a secret next to the directory with a symlink to it.
    """
    served = tmp_path / "served"
    served.mkdir()
    (served / "data.bin").write_bytes(BODY)
    (served / "sub").mkdir()
    (served / "sub" / "page.html").write_bytes(b"<p>sub</p>")
    with open(served / "big.bin", "wb") as f:
        f.truncate(GIB)
    (tmp_path / "secret.txt").write_bytes(b"secret")
    (served / "leak").symlink_to(tmp_path / "secret.txt")
    return served


@pytest.fixture
def server(tree: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """
    The example, serving C{tree}; yields the process and its base URL.
    """
    with running(EXAMPLE, str(tree), "--port", "0") as (process, first):
        match = re.fullmatch(r"serving .* on (http://127\.0\.0\.1:\d+/)", first)
        assert match, first
        yield process, match.group(1)


def curl(*args: str) -> tuple[dict[str, str], bytes]:
    """
    Run curl with C{args}; return the status line's code with the response
    headers (lowercased names, under C{":status"}) and the body.
    """
    command = [requireTool("curl"), "-s", "-S", "-D", "-", "--max-time", "60", *args]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {":status": lines[0].split()[1]}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers, body


def test_fullGet(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    A plain GET returns the file with its length, type and validators.
    """
    _, url = server
    headers, body = curl(url + "data.bin")
    assert headers[":status"] == "200"
    assert body == BODY
    assert headers["content-length"] == str(len(BODY))
    assert headers["content-type"] == "application/octet-stream"
    assert headers["accept-ranges"] == "bytes"
    assert "etag" in headers and "last-modified" in headers


def test_range(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    C{curl -r 0-99} gets a 206 with the first 100 bytes.
    """
    _, url = server
    headers, body = curl("-r", "0-99", url + "data.bin")
    assert headers[":status"] == "206"
    assert body == BODY[:100]
    assert headers["content-range"] == f"bytes 0-99/{len(BODY)}"


def test_multiRange(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    C{curl -r 0-9,20-29} gets a I{multipart/byteranges} body with both
    parts.
    """
    _, url = server
    headers, body = curl("-r", "0-9,20-29", url + "data.bin")
    assert headers[":status"] == "206"
    assert headers["content-length"] == str(len(body))
    message = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + headers["content-type"].encode() + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.get_payload():
        assert not isinstance(part, str)
        parts.append((part["Content-Range"], part.get_payload(decode=True)))
    assert parts == [
        (f"bytes 0-9/{len(BODY)}", BODY[0:10]),
        (f"bytes 20-29/{len(BODY)}", BODY[20:30]),
    ]


def test_unsatisfiable(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    A range past the end is a 416 naming the size.
    """
    _, url = server
    headers, body = curl("-r", "5000-6000", url + "data.bin")
    assert headers[":status"] == "416"
    assert headers["content-range"] == f"bytes */{len(BODY)}"
    assert body == b""


def test_conditional(server: tuple[subprocess.Popen[str], str], tree: Path) -> None:
    """
    C{curl -z FILE} (If-Modified-Since the file's time) and If-None-Match
    with the ETag both get a 304 without a body; a stale ETag gets the file.
    """
    _, url = server
    headers, body = curl("-z", str(tree / "data.bin"), url + "data.bin")
    assert (headers[":status"], body) == ("304", b"")
    etag = curl(url + "data.bin")[0]["etag"]
    headers, body = curl("-H", f"If-None-Match: {etag}", url + "data.bin")
    assert (headers[":status"], body) == ("304", b"")
    headers, body = curl("-H", 'If-None-Match: "stale"', url + "data.bin")
    assert (headers[":status"], body) == ("200", BODY)


def test_directory(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    A directory without its slash redirects; with it, it is listed.
    """
    _, url = server
    headers, _ = curl(url + "sub")
    assert headers[":status"] == "302"
    assert headers["location"] == url + "sub/"
    headers, body = curl(url + "sub/")
    assert headers[":status"] == "200"
    assert b'href="page.html"' in body


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "sub/%2E%2E/%2e%2e/secret.txt",
        "data.bin%00",
        "%5c..%5csecret.txt",
        "sub%2f..%2f..%2fsecret.txt",
    ],
)
def test_traversal(server: tuple[subprocess.Popen[str], str], path: str) -> None:
    """
    Traversal attempts, raw and percent-encoded, answer 400 and never the
    secret.
    """
    _, url = server
    headers, body = curl("--path-as-is", url + path)
    assert headers[":status"] == "400"
    assert b"secret" not in body


def test_symlinkOutside(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    A symlink leading out of the directory is a 403.
    """
    _, url = server
    headers, body = curl(url + "leak")
    assert headers[":status"] == "403"
    assert b"secret" not in body


def peakRSS(pid: int) -> int:
    """
    The peak resident memory of process C{pid}, in bytes (Linux).
    """
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB$", status, flags=re.MULTILINE)
    assert match, status
    return int(match.group(1)) * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_largeFileMemory(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    Downloading a 1 GiB file gets every byte while the server's peak
    memory grows by far less than the file: it is streamed, not read whole.
    """
    process, url = server
    curl(url + "data.bin")  # warm up the server's code paths
    before = peakRSS(process.pid)
    command = [
        requireTool("curl"),
        "-s",
        "-S",
        "-o",
        os.devnull,
        "-w",
        "%{http_code} %{size_download}",
        url + "big.bin",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"200 {GIB}"
    growth = peakRSS(process.pid) - before
    assert growth < RSS_GROWTH_LIMIT, f"the server grew by {growth} bytes sending 1 GiB"


def openCount(pid: int, name: str) -> int:
    """
    How many of process C{pid}'s file descriptors point at a file called
    C{name} (Linux).
    """
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd).endswith(os.sep + name):
                count += 1
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux /proc")
def test_clientLeavesMidDownload(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    A client that hangs up in the middle of a 1 GiB download makes the
    server close the file (the producer is stopped), and it keeps serving.
    """
    process, url = server
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=60) as client:
        client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = 0
        while received < 2**20:
            chunk = client.recv(65536)
            assert chunk, "the server closed the connection early"
            received += len(chunk)
        assert openCount(process.pid, "big.bin") == 1
    deadline = time.monotonic() + 30
    while openCount(process.pid, "big.bin") and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for the server process to notice, not for time
    assert openCount(process.pid, "big.bin") == 0
    assert curl(url + "data.bin")[1] == BODY


def test_largeFileRange(server: tuple[subprocess.Popen[str], str]) -> None:
    """
    The last bytes of the 1 GiB file come back through a suffix range.
    """
    _, url = server
    headers, body = curl("-r", "-16", url + "big.bin")
    assert headers[":status"] == "206"
    assert headers["content-range"] == f"bytes {GIB - 16}-{GIB - 1}/{GIB}"
    assert body == b"\x00" * 16


def test_notADirectory(tmp_path: Path) -> None:
    """
    Given something other than a directory, the example says so and exits
    with an error.
    """
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "is not a directory; give one to serve" in done.stderr


def test_sameUnderTwisted(tree: Path, tmp_path: Path) -> None:
    """
    Renamed to use Twisted, the example serves the same bytes and ranges:
    the porting contract.
    """
    requireTwisted()
    twisted = tmp_path / "web_static_twisted.py"
    twisted.write_text(toTwisted(EXAMPLE.read_text()))
    with running(twisted, str(tree), "--port", "0") as (_, first):
        match = re.fullmatch(r"serving .* on (http://127\.0\.0\.1:\d+/)", first)
        assert match, first
        url = match.group(1)
        headers, body = curl(url + "data.bin")
        assert (headers[":status"], body) == ("200", BODY)
        headers, body = curl("-r", "0-99", url + "data.bin")
        assert (headers[":status"], body) == ("206", BODY[:100])
