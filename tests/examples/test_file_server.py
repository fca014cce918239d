"""
Tests for C{examples/file_server.py}: run as a subprocess on 127.0.0.1,
it sends its file to each client, with sendFile, whole and exactly, to
several clients one after another, and to a real third-party client (nc).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES
from tests.examples.test_echo import running
from tests.helpers import requireTool

SERVER = EXAMPLES / "file_server.py"


def download(port: int) -> bytes:
    """Everything the server sends on one connection, until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def serverPort(line: str, path: Path, size: int) -> int:
    """The port in the server's first line, which must name the file and its size."""
    match = re.fullmatch(
        rf"serving {re.escape(str(path))} \({size} bytes\) on 127\.0\.0\.1:(\d+)", line
    )
    assert match, line
    return int(match.group(1))


def test_clientsGetTheFile(tmp_path: Path) -> None:
    """Three clients in turn each get the size line and then exactly the file."""
    data = bytes(range(256)) * 40_000 + b"tail"
    path = tmp_path / "payload.bin"
    path.write_bytes(data)
    with running(SERVER, str(path), "--port", "0") as (_, line):
        port = serverPort(line, path, len(data))
        for _ in range(3):
            assert download(port) == b"%d\n" % len(data) + data


def test_netcat(tmp_path: Path) -> None:
    """nc, a real third-party client, receives the whole file."""
    nc = requireTool("nc")
    data = b"line of text\n" * 100_000
    path = tmp_path / "text.txt"
    path.write_bytes(data)
    with running(SERVER, str(path), "--port", "0") as (_, line):
        port = serverPort(line, path, len(data))
        done = subprocess.run(
            [nc, "-N", "127.0.0.1", str(port)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=True,
        )
    assert done.stdout == b"%d\n" % len(data) + data


def test_missingFile(tmp_path: Path) -> None:
    """A file that does not exist stops the program at once with the reason."""
    done = subprocess.run(
        [sys.executable, str(SERVER), str(tmp_path / "nope")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "No such file or directory" in done.stderr
