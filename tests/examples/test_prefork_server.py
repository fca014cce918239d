"""
Tests for C{examples/prefork_server.py}: worker processes sharing one
adopted listening socket serve many clients, and SIGTERM to the parent
stops them all cleanly.  With C{torsion} renamed to C{twisted} in its
imports it must behave the same under Twisted.
"""

from __future__ import annotations

import hashlib
import os
import re
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted

PROGRAM = EXAMPLES / "prefork_server.py"
TIMEOUT = 60
WORKERS = 4
CLIENTS = 40
SALT = b"prefork example salt"


def digest(password: bytes) -> str:
    """
    What the server answers for C{password}.
    """
    return hashlib.pbkdf2_hmac("sha256", password, SALT, 100_000).hex()


class Lines:
    """
    The lines a process writes to a pipe, each waited for at most
    L{TIMEOUT} seconds.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def next(self) -> str:
        """
        @return: The next line, without its newline.
        """
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.fd], [], [], TIMEOUT)
            assert ready, f"no complete line; so far {self.buffer!r}"
            chunk = os.read(self.fd, 4096)
            assert chunk, f"the process closed its output; so far {self.buffer!r}"
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def rest(self) -> list[str]:
        """
        @return: All the remaining lines, up to the end of output.
        """
        while chunk := os.read(self.fd, 4096):
            self.buffer += chunk
        return self.buffer.decode().splitlines()


def receiveAll(client: socket.socket) -> bytes:
    """
    Read until the server closes the connection.
    """
    data = b""
    while chunk := client.recv(4096):
        data += chunk
    return data


def receiveLine(client: socket.socket) -> bytes:
    """
    Read one line (the server keeps the connection open after it).
    """
    data = b""
    while not data.endswith(b"\n"):
        chunk = client.recv(4096)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    return data


@pytest.fixture(params=["torsion", "twisted"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """
    The example, and its copy renamed to use Twisted.
    """
    if request.param == "torsion":
        return PROGRAM
    requireTwisted()
    ported = tmp_path / "prefork_server.py"
    ported.write_text(toTwisted(PROGRAM.read_text()), encoding="utf-8")
    return ported


def test_workersShareThePort(program: Path) -> None:
    """
    The parent prints the port, the workers report in; a burst of 40
    clients is answered correctly, by several distinct workers; an
    over-long line
    closes only its own connection; SIGTERM to the parent stops every
    worker cleanly and it exits 0.
    """
    server = subprocess.Popen(
        [sys.executable, str(program), "--workers", str(WORKERS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdout is not None and server.stderr is not None
    output = Lines(server.stdout.fileno())
    clients: list[socket.socket] = []
    workers: set[int] = set()
    try:
        first = output.next()
        match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)", first)
        assert match, first
        address = ("127.0.0.1", int(match.group(1)))
        for _ in range(WORKERS):
            line = output.next()
            serving = re.fullmatch(r"worker (\d+) serving", line)
            assert serving, line
            workers.add(int(serving.group(1)))
        assert len(workers) == WORKERS

        # A client breaking the protocol loses only its own connection.
        rude = socket.create_connection(address, timeout=TIMEOUT)
        rude.sendall(b"x" * 5000)
        clients.append(rude)
        for n in range(CLIENTS):
            client = socket.create_connection(address, timeout=TIMEOUT)
            client.sendall(b"password %d\n" % n)
            clients.append(client)
        answeredBy = []
        for n, client in enumerate(clients[1:]):
            servedBy, answer = receiveLine(client).decode().split()
            assert answer == digest(b"password %d" % n)
            answeredBy.append(int(servedBy))
        assert receiveAll(rude) == b""
        assert set(answeredBy) <= workers
        if program == PROGRAM:
            # One connection per wake-up spreads the burst (in practice
            # evenly, 10 each).  Twisted grows numberAccepts after each
            # full batch, so one of its workers may take most of a burst:
            # there only the answers are checked.
            assert len(set(answeredBy)) >= 3, f"the burst was not spread: {answeredBy}"

        server.send_signal(signal.SIGTERM)
        lines = output.rest()
        assert server.wait(TIMEOUT) == 0, server.stderr.read().decode()
        assert sorted(line for line in lines if "stopping" in line) == sorted(
            f"worker {pid} stopping" for pid in workers
        )
        assert sorted(line for line in lines if "exited" in line) == sorted(
            f"worker {pid} exited with status 0" for pid in workers
        )
        for pid in workers:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        for client in clients:
            client.close()
        if server.poll() is None:
            # Something failed: leave no process behind.
            for pid in [*workers, server.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            server.wait()
        server.stdout.close()
        server.stderr.close()
