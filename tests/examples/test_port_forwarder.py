"""
Tests for C{examples/port_forwarder.py}: it runs as a subprocess on the
real reactor and forwards to a server run by the test (plain blocking
sockets, so that each side can be watched and closed on its own), and to
C{examples/echo_server.py}.  Renamed to use Twisted, it must forward the
same (skipped if Twisted is not installed): the porting contract.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted
from tests.examples.test_echo import CLIENT, RUN_TIMEOUT, SERVER, portOf, runClient, running

FORWARDER = EXAMPLES / "port_forwarder.py"


@contextmanager
def upstream() -> Iterator[socket.socket]:
    """
    A listening socket on 127.0.0.1 for the forwarder to connect to.
    """
    listener = socket.socket()
    listener.settimeout(RUN_TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    with listener:
        yield listener


def recvExactly(skt: socket.socket, size: int) -> bytes:
    """
    Receive exactly C{size} bytes from C{skt}.

    @raise AssertionError: If the connection closes first.
    """
    chunks = []
    while size:
        chunk = skt.recv(size)
        assert chunk, "the connection closed early"
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def forwardingChecks(program: Path) -> None:
    """
    Run the forwarder C{program} in front of a test server, and check data
    both ways and closing from either side.
    """
    with (
        upstream() as listener,
        running(program, "--listen", "0", "--to", f"127.0.0.1:{listener.getsockname()[1]}") as (
            _,
            first,
        ),
    ):
        assert re.fullmatch(
            rf"forwarding 127\.0\.0\.1:\d+ to 127\.0\.0\.1:{listener.getsockname()[1]}", first
        )
        port = int(first.split()[1].rsplit(":", 1)[1])

        # Data both ways, then the client closes: so does the upstream side.
        with socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT) as client:
            server, _ = listener.accept()
            with server:
                server.settimeout(RUN_TIMEOUT)
                payload = bytes(range(256)) * 4096
                # Sent from a thread: a MiB may not fit in the socket buffers.
                sender = threading.Thread(target=client.sendall, args=(payload,))
                sender.start()
                assert recvExactly(server, len(payload)) == payload
                sender.join(RUN_TIMEOUT)
                server.sendall(b"and back again")
                assert recvExactly(client, 14) == b"and back again"
                client.close()
                assert server.recv(1) == b""

        # The upstream side closes: so does the client's, after the data.
        with socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT) as client:
            server, _ = listener.accept()
            with server:
                server.sendall(b"last words")
            assert recvExactly(client, 10) == b"last words"
            assert client.recv(1) == b""


def test_forwarding() -> None:
    """
    The forwarder prints its port, relays data both ways, and closing
    either side closes the other.
    """
    forwardingChecks(FORWARDER)


def test_unreachableUpstream() -> None:
    """
    With nothing listening upstream, each client is disconnected and the
    forwarder carries on.
    """
    with upstream() as listener:
        dead = listener.getsockname()[1]
    with running(FORWARDER, "--listen", "0", "--to", f"127.0.0.1:{dead}") as (forwarder, first):
        port = int(first.split()[1].rsplit(":", 1)[1])
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", port), timeout=RUN_TIMEOUT) as client:
                assert client.recv(1) == b""
        assert forwarder.poll() is None


def test_echoServerThroughForwarder() -> None:
    """
    The echo client talks to the echo server example through the
    forwarder.
    """
    with (
        running(SERVER, "--port", "0") as (_, serverLine),
        running(FORWARDER, "--listen", "0", "--to", f"127.0.0.1:{portOf(serverLine)}") as (
            _,
            forwarderLine,
        ),
    ):
        port = int(forwarderLine.split()[1].rsplit(":", 1)[1])
        done = runClient(CLIENT, port, "through", "the forwarder")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "echo: through\necho: the forwarder\n"


def test_badTarget() -> None:
    """
    A --to that is not HOST:PORT is refused with a message saying what is
    expected.
    """
    done = subprocess.run(
        [sys.executable, str(FORWARDER), "--listen", "0", "--to", "localhost"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert "expected HOST:PORT with a port from 1 to 65535" in done.stderr


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    Renamed to use Twisted, the forwarder behaves the same.
    """
    requireTwisted()
    ported = tmp_path / "port_forwarder.py"
    ported.write_text(toTwisted(FORWARDER.read_text(encoding="utf-8")), encoding="utf-8")
    forwardingChecks(ported)
