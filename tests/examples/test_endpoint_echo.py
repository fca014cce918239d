"""
Tests for C{examples/endpoint_echo.py}: the echo server runs as a
subprocess on the real reactor, listening where each description says
(TCP on 127.0.0.1 and ::1, a UNIX socket, standard I/O, a socket passed
as systemd passes them), and real sockets talk to it.  Renamed to use
Twisted, it must behave the same (skipped if Twisted is not installed).
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted
from tests.examples.test_echo import RUN_TIMEOUT, portOf, readLine, running
from tests.internet.test_endpoints_hostname import canUseIPv6

EXAMPLE = EXAMPLES / "endpoint_echo.py"


def echoOver(sock: socket.socket, payload: bytes = b"hello, endpoints\n") -> bytes:
    """
    Send C{payload} on the connected C{sock} and read back as many bytes.
    """
    with sock:
        sock.settimeout(RUN_TIMEOUT)
        sock.sendall(payload)
        received = b""
        while len(received) < len(payload):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def runOnce(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """
    Run the example to its end.
    """
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_tcp() -> None:
    """
    With C{tcp:0:interface=127.0.0.1} it listens on a free port of
    127.0.0.1, says which, and echoes what a client sends.
    """
    with running(EXAMPLE, "tcp:0:interface=127.0.0.1") as (_, first):
        assert re.fullmatch(r"echo server listening on 127\.0\.0\.1:\d+", first)
        client = socket.create_connection(("127.0.0.1", portOf(first)), timeout=RUN_TIMEOUT)
        assert echoOver(client) == b"hello, endpoints\n"


def test_tcp6() -> None:
    """
    With a C{tcp6:} description on ::1 (colons escaped) it listens there.
    """
    if not canUseIPv6():
        pytest.skip("this machine cannot listen on ::1")
    with running(EXAMPLE, "tcp6:0:interface=\\:\\:1") as (_, first):
        assert re.fullmatch(r"echo server listening on \[::1\]:\d+", first)
        client = socket.create_connection(("::1", portOf(first)), timeout=RUN_TIMEOUT)
        assert echoOver(client, bytes(range(256)) * 100) == bytes(range(256)) * 100


def test_unix(tmp_path: Path) -> None:
    """
    With a C{unix:} description it listens on that path, with the mode
    given, and removes the socket when stopped.
    """
    path = tmp_path / "echo.sock"
    with running(EXAMPLE, f"unix:{path}:mode=600:lockfile=0") as (_, first):
        assert first == f"echo server listening on {path}"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        client = socket.socket(socket.AF_UNIX)
        client.connect(str(path))
        assert echoOver(client) == b"hello, endpoints\n"
    assert not path.exists()


def test_stdio() -> None:
    """
    With C{stdio:} it echoes its standard input, and ends with it.
    """
    done = runOnce("stdio:", stdin="one\ntwo\n")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "echo server listening on standard input and output\none\ntwo\n"


SYSTEMD_START = """\
import os, sys
# As systemd does: the socket at descriptor 3, and this process's id (kept
# by exec) in LISTEN_PID.
passed = int(sys.argv[1])
os.dup2(passed, 3)
os.close(passed)
os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS="1", LISTEN_FDNAMES="echo")
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def test_systemd(tmp_path: Path) -> None:
    """
    Started the way systemd starts a socket-activated service (a listening
    socket at descriptor 3, LISTEN_PID and LISTEN_FDS set), it serves on
    that socket with C{systemd:domain=INET:index=0}, or by its name.
    """
    starter = tmp_path / "start.py"
    starter.write_text(SYSTEMD_START)
    for description in ("systemd:domain=INET:index=0", "systemd:domain=INET:name=echo"):
        with socket.socket() as listening:
            listening.bind(("127.0.0.1", 0))
            listening.listen()
            port = listening.getsockname()[1]
            process = subprocess.Popen(
                [sys.executable, str(starter), str(listening.fileno()), str(EXAMPLE), description],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                pass_fds=(listening.fileno(),),
            )
        try:
            assert readLine(process) == f"echo server listening on 127.0.0.1:{port}"
            client = socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT)
            assert echoOver(client) == b"hello, endpoints\n"
        finally:
            process.terminate()
            code = process.wait(timeout=RUN_TIMEOUT)
            assert process.stderr is not None and process.stdout is not None
            errors = process.stderr.read()
            process.stderr.close()
            process.stdout.close()
        assert (code, errors) == (0, "")


def test_badDescription() -> None:
    """
    A bad description stops it with the parser's message, naming the bad
    part and the expected form.
    """
    done = runOnce("tcp:80:bakclog=5")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "endpoint_echo: bad server endpoint description 'tcp:80:bakclog=5': unknown keyword "
        "'bakclog' (did you mean 'backlog'?): tcp takes port, interface, backlog; expected "
        "tcp:PORT[:interface=ADDRESS][:backlog=N], e.g. tcp:8080:interface=127.0.0.1\n"
    )


def test_portTaken() -> None:
    """
    A port it cannot listen on stops it with the reason.
    """
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = runOnce(f"tcp:{port}:interface=127.0.0.1")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"endpoint_echo: Couldn't listen on 127.0.0.1:{port}: ")


def test_usage() -> None:
    """
    Without a description it says how to call it.
    """
    done = runOnce()
    assert done.returncode == 1
    assert done.stderr.startswith("usage: ")


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    Renamed to use Twisted, it listens on the same descriptions and echoes
    the same.
    """
    requireTwisted()
    ported = tmp_path / "endpoint_echo.py"
    ported.write_text(toTwisted(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    with running(ported, "tcp:0:interface=127.0.0.1") as (_, first):
        assert re.fullmatch(r"echo server listening on 127\.0\.0\.1:\d+", first)
        client = socket.create_connection(("127.0.0.1", portOf(first)), timeout=RUN_TIMEOUT)
        assert echoOver(client) == b"hello, endpoints\n"
    path = tmp_path / "t.sock"
    with running(ported, f"unix:{path}:mode=600:lockfile=0") as (_, first):
        assert first == f"echo server listening on {path}"
        client = socket.socket(socket.AF_UNIX)
        client.connect(str(path))
        assert echoOver(client) == b"hello, endpoints\n"


DOCS = EXAMPLES.parent / "docs" / "endpoints.md"


def test_docSnippet(tmp_path: Path) -> None:
    """
    The Python block of C{docs/endpoints.md} runs, and prints what the page
    says it prints; it also runs under Twisted, renamed.
    """
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1
    expected = "connected to 127.0.0.1\nechoed: hello\n"
    assert "prints `connected to 127.0.0.1`, then `echoed: hello`." in text
    snippets = {"torsion": blocks[0]}
    try:
        requireTwisted()
    except pytest.skip.Exception:
        pass
    else:
        snippets["twisted"] = toTwisted(blocks[0])
    for name, source in snippets.items():
        snippet = tmp_path / f"snippet_{name}.py"
        snippet.write_text(source, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(snippet)],
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        assert (done.returncode, done.stderr, done.stdout) == (0, "", expected), name
