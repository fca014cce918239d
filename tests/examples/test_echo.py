"""
Tests for C{examples/echo_server.py} and C{examples/echo_client.py}: both
run as subprocesses on the real reactor, against each other, on
127.0.0.1.  Renamed to use Twisted, each must work the same against the
other (skipped if Twisted is not installed): the porting contract.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted
from tests.helpers import RefusingPort

SERVER = EXAMPLES / "echo_server.py"
CLIENT = EXAMPLES / "echo_client.py"

# Bounds that only a broken program reaches.
STARTUP_TIMEOUT = 30.0
RUN_TIMEOUT = 60.0


def readLine(process: subprocess.Popen[str], timeout: float = STARTUP_TIMEOUT) -> str:
    """
    The next line C{process} prints, waiting at most C{timeout} seconds.

    @raise AssertionError: If none comes in time, or the process exits.
    """
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"{process.args!r} printed nothing within {timeout}s")
    line = process.stdout.readline()
    assert line, f"{process.args!r} exited early: {process.wait()}, {stderrOf(process)}"
    return line.rstrip("\n")


def stderrOf(process: subprocess.Popen[str]) -> str:
    """
    What a finished C{process} wrote to stderr.
    """
    return process.stderr.read() if process.stderr is not None else ""


@contextmanager
def running(program: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """
    Run a server C{program}, yield it and the first line it printed, then
    stop it with SIGTERM and check that it exits cleanly.
    """
    process = subprocess.Popen(
        [sys.executable, str(program), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = readLine(process)
        yield process, first
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=RUN_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        errors = stderrOf(process)
        assert process.stdout is not None
        process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()
    assert (code, errors) == (0, ""), f"{program.name} exited with {code}:\n{errors}"


def portOf(line: str) -> int:
    """
    The port at the end of a server's C{... listening on HOST:PORT} line.
    """
    match = re.search(r":(\d+)$", line)
    assert match, f"no port in {line!r}"
    return int(match.group(1))


def runClient(program: Path, port: int, *words: str) -> subprocess.CompletedProcess[str]:
    """
    Run the client C{program} against C{port} with C{words}.
    """
    return subprocess.run(
        [sys.executable, str(program), "--port", str(port), *words],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_clientAgainstServer() -> None:
    """
    The server prints its port; the client sends its arguments and prints
    each echo; both exit 0.
    """
    with running(SERVER, "--port", "0") as (_, first):
        assert re.fullmatch(r"echo server listening on 127\.0\.0\.1:\d+", first)
        done = runClient(CLIENT, portOf(first), "hello", "two words", "ünïcode")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "echo: hello\necho: two words\necho: ünïcode\n"


def test_clientWithoutServer() -> None:
    """
    With nothing listening, the client says the connection was refused
    and exits 1.
    """
    with RefusingPort() as port:
        done = runClient(CLIENT, port, "anyone?")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("echo_client: Connection was refused")


def test_idleClientDisconnected() -> None:
    """
    A client that stays idle longer than --timeout is disconnected (and
    the server says so); a talking client is not.
    """
    with running(SERVER, "--port", "0", "--timeout", "0.2") as (server, first):
        port = portOf(first)
        with socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT) as idle:
            assert idle.recv(1) == b""
        notice = readLine(server)
        assert re.fullmatch(r"disconnecting 127\.0\.0\.1:\d+: idle for 0\.2s", notice)


def test_connectionsPerHostLimited() -> None:
    """
    Past --max-per-host connections from one host, new ones are closed at
    once while the first ones keep working.
    """
    with running(SERVER, "--port", "0", "--max-per-host", "1") as (_, first):
        port = portOf(first)
        with socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT) as one:
            one.sendall(b"ping")
            assert one.recv(4) == b"ping"
            with socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT) as two:
                assert two.recv(1) == b""
            one.sendall(b"pong")
            assert one.recv(4) == b"pong"


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    Renamed to use Twisted, server and client work together, and each
    works with the torsion version of the other.

    The servers run with C{--max-per-host 0}: Twisted's own
    LimitConnectionsByPeer raises TypeError on every connection
    (C{addr[0]} on an IPv4Address), so the Twisted server cannot use it.
    """
    requireTwisted()
    servers = {"torsion": SERVER, "twisted": tmp_path / "echo_server.py"}
    clients = {"torsion": CLIENT, "twisted": tmp_path / "echo_client.py"}
    for original, ported in ((SERVER, servers["twisted"]), (CLIENT, clients["twisted"])):
        ported.write_text(toTwisted(original.read_text(encoding="utf-8")), encoding="utf-8")
    for serverName, serverProgram in servers.items():
        with running(serverProgram, "--port", "0", "--max-per-host", "0") as (_, first):
            for clientName, clientProgram in clients.items():
                done = runClient(clientProgram, portOf(first), "a", "b")
                assert (done.returncode, done.stderr, done.stdout) == (
                    0,
                    "",
                    "echo: a\necho: b\n",
                ), (serverName, clientName)


def test_thirdPartyClients() -> None:
    """
    Real third-party clients get their bytes back from the echo server:
    socat and netcat, each sending a few lines and a binary payload.
    """
    from tests.helpers import requireTool

    payload = b"first line\nsecond line\n" + bytes(range(256)) * 64 + b"\n"
    tools = {
        "socat": [requireTool("socat"), "-t", "0.2", "-"],
        "nc": [requireTool("nc"), "-q", "0"],
    }
    with running(SERVER, "--port", "0") as (_, first):
        port = portOf(first)
        for name, command in tools.items():
            target = [f"TCP:127.0.0.1:{port}"] if name == "socat" else ["127.0.0.1", str(port)]
            with subprocess.Popen(
                command + target, stdin=subprocess.PIPE, stdout=subprocess.PIPE
            ) as tool:
                assert tool.stdin is not None and tool.stdout is not None
                tool.stdin.write(payload)
                tool.stdin.flush()
                echoed = b""
                while len(echoed) < len(payload):
                    chunk = os.read(tool.stdout.fileno(), 65536)
                    assert chunk, f"{name} stopped after {len(echoed)} bytes"
                    echoed += chunk
                tool.stdin.close()
                tool.wait(timeout=RUN_TIMEOUT)
            assert echoed == payload, name
