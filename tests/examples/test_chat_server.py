"""
Tests for C{examples/chat_server.py}: the server runs as a real process
and three real TCP clients (plain sockets, on 127.0.0.1) chat through it.
The same conversation is held with a copy renamed to use Twisted.
"""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
