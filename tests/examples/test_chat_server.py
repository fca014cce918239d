"""
Tests for C{examples/chat_server.py}: the server runs as a real process
and three real TCP clients (plain sockets, on 127.0.0.1) chat through it.
The same conversation is held with a copy renamed to use Twisted.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted

PROGRAM = EXAMPLES / "chat_server.py"

# Bounds that only catch a broken test or server; nothing waits for them.
TIMEOUT = 30.0


class Client:
    """
    A chat client over a plain blocking socket, reading whole lines.
    """

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""

    def send(self, text: str) -> None:
        self.socket.sendall(text.encode() + b"\n")

    def sendRaw(self, data: bytes) -> None:
        self.socket.sendall(data)

    def line(self) -> str:
        """
        The next line from the server.

        @raise AssertionError: If the server closed the connection first.
        """
        while b"\n" not in self.buffer:
            data = self.socket.recv(4096)
            assert data, f"the server closed the connection; unread: {self.buffer!r}"
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def closedByServer(self) -> bool:
        """
        Read until the server closes the connection (an orderly close or a
        reset), and say whether it did with no further lines.
        """
        try:
            while data := self.socket.recv(4096):
                self.buffer += data
        except ConnectionResetError:
            pass
        return self.buffer == b""

    def close(self) -> None:
        self.socket.close()


def startServer(program: Path) -> tuple[subprocess.Popen[str], int]:
    """
    Start C{program} on a free port with a 100-byte line limit.

    @return: The process, and the port it says it listens on.
    """
    process = subprocess.Popen(
        [sys.executable, str(program), "--port", "0", "--max-line", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
    if not ready:
        process.kill()
        process.communicate()
        raise AssertionError(f"{program.name} did not say which port it listens on")
    first = process.stdout.readline()
    assert first.startswith("listening on port "), first + process.communicate()[1]
    return process, int(first.split()[-1])


@pytest.fixture(params=["torsion", "twisted"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """
    The example as written, then renamed to use Twisted.
    """
    if request.param == "torsion":
        yield PROGRAM
        return
    requireTwisted()
    ported = tmp_path / "chat_server.py"
    ported.write_text(toTwisted(PROGRAM.read_text(encoding="utf-8")), encoding="utf-8")
    yield ported


def test_chat(program: Path) -> None:
    """
    Lines go to every other client with the sender's name; /nick renames
    (refusing taken and invalid names) and /who lists; an over-long line
    disconnects only its sender, and the others keep chatting; SIGTERM
    stops the server cleanly.
    """
    process, port = startServer(program)
    clients: list[Client] = []
    try:
        a = Client(port)
        clients.append(a)
        assert a.line() == "* welcome, you are guest1; /nick NAME to change it"
        b = Client(port)
        clients.append(b)
        assert b.line() == "* welcome, you are guest2; /nick NAME to change it"
        assert a.line() == "* guest2 joined"
        c = Client(port)
        clients.append(c)
        assert c.line() == "* welcome, you are guest3; /nick NAME to change it"
        assert a.line() == b.line() == "* guest3 joined"

        a.send("hello, all")
        assert b.line() == c.line() == "<guest1> hello, all"

        b.send("/nick bob")
        assert a.line() == b.line() == c.line() == "* guest2 is now known as bob"
        b.sendRaw(b"hi from a telnet\r\n")
        assert a.line() == c.line() == "<bob> hi from a telnet"

        c.send("/nick bob")
        assert c.line() == "! the name bob is taken"
        c.send("/nick not valid")
        assert c.line() == (
            "! 'not valid' is not a valid name: use 1 to 20 letters, digits, '_' or '-'"
        )
        c.send("/dance")
        assert c.line() == "! unknown command /dance; try /nick NAME, /who or /quit"
        c.send("/who")
        assert c.line() == "* here: guest1, bob, guest3"

        a.send("x" * 500)
        assert a.line() == "! line too long (over 100 bytes); goodbye"
        assert a.closedByServer()
        assert b.line() == c.line() == "* guest1 left"

        b.send("still here")
        assert c.line() == "<bob> still here"
        c.send("me too")
        assert b.line() == "<guest3> me too"
        c.send("/quit")
        assert c.line() == "* bye"
        assert c.closedByServer()
        assert b.line() == "* guest3 left"
        b.send("/who")
        assert b.line() == "* here: bob"
    finally:
        for client in clients:
            client.close()
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0, err
    assert (out, err) == ("", "")


def readUntil(stream: Any, marker: bytes) -> str:
    """
    Read from a tool's stdout until C{marker} has arrived.
    """
    seen = b""
    while marker not in seen:
        ready, _, _ = select.select([stream], [], [], TIMEOUT)
        assert ready, f"no {marker!r} within {TIMEOUT}s; got {seen!r}"
        chunk = os.read(stream.fileno(), 4096)
        assert chunk, f"the tool's output ended before {marker!r}; got {seen!r}"
        seen += chunk
    return seen.decode()


def test_thirdPartyClients() -> None:
    """
    Real third-party clients chat through the server: a line typed into
    socat reaches a netcat client, and the other way round.
    """
    from tests.helpers import requireTool

    socat = requireTool("socat")
    nc = requireTool("nc")
    process, port = startServer(PROGRAM)
    peers: list[subprocess.Popen[bytes]] = []
    try:
        watcher = Client(port)
        assert watcher.line().startswith("* welcome, you are guest1")
        socatClient = subprocess.Popen(
            [socat, "-", f"TCP:127.0.0.1:{port}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        peers.append(socatClient)
        assert watcher.line() == "* guest2 joined"
        ncClient = subprocess.Popen(
            [nc, "-q", "1", "127.0.0.1", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        peers.append(ncClient)
        assert watcher.line() == "* guest3 joined"
        assert socatClient.stdin is not None and ncClient.stdin is not None
        socatClient.stdin.write(b"hello from socat\n")
        socatClient.stdin.flush()
        assert watcher.line() == "<guest2> hello from socat"
        ncClient.stdin.write(b"hello from netcat\n")
        ncClient.stdin.flush()
        assert watcher.line() == "<guest3> hello from netcat"
        watcher.send("bye, tools")
        assert socatClient.stdout is not None and ncClient.stdout is not None
        socatOut = readUntil(socatClient.stdout, b"<guest1> bye, tools\n")
        ncOut = readUntil(ncClient.stdout, b"<guest1> bye, tools\n")
        assert "<guest3> hello from netcat" in socatOut
        assert "<guest1> bye, tools" in socatOut
        assert "<guest2> hello from socat" in ncOut
        assert "<guest1> bye, tools" in ncOut
        watcher.close()
    finally:
        for peer in peers:
            if peer.poll() is None:
                peer.kill()
                peer.communicate()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=TIMEOUT)
