"""
The HTTP server under many connections at once, over real sockets: a few
hundred clients with pipelined keep-alive requests all get their answers,
in order, while other clients hold half-sent heads open (slowloris) and
others send garbage; the reactor serves everyone else meanwhile.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from tests.web.test_server_support import Hello, ThreadedServer
from torsion.web.server import Site

CLIENTS = 300
REQUESTS = 4  # pipelined per client
DEADLINE = 60.0  # bounds a broken server; a working one needs about a second


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    """A Site answering C{hello PATH}, its reactor in a thread."""
    # (A backlog for every client at once: with Twisted's default of 50 the
    # kernel drops the SYNs past it and the clients retry a second later.)
    running = ThreadedServer(lambda reactor: Site(Hello(), reactor=reactor), backlog=1024)
    yield running
    running.stop()


def request(path: str) -> bytes:
    """A keep-alive GET."""
    return b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode()


def expectedAnswers(index: int) -> list[bytes]:
    """The bodies client C{index} must get, in order."""
    return [b"hello /c%d/r%d" % (index, n) for n in range(REQUESTS)]


def bodies(data: bytes) -> list[bytes]:
    """The bodies of the HTTP/1.1 responses in C{data} (Content-Length framed)."""
    found = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        found.append(rest[:length])
        data = rest[length:]
    return found


def test_manyClientsWithSlowAndBadOnes(server: ThreadedServer) -> None:
    """
    300 clients each pipeline 4 requests on one connection and get the 4
    answers in order, while 50 connections hold a half-sent head and 20
    send garbage (each garbage one gets a 400 and is closed).
    """
    selector = selectors.DefaultSelector()
    received: dict[int, bytes] = {}
    sockets: list[socket.socket] = []
    slow: list[socket.socket] = []
    try:
        for _ in range(50):
            stalled = server.connect()
            stalled.sendall(b"GET /slow HTTP/1.1\r\nHo")
            slow.append(stalled)
        for index in range(CLIENTS):
            sock = server.connect()
            sock.setblocking(False)
            sockets.append(sock)
            received[index] = b""
            wire = b"".join(request(f"/c{index}/r{n}") for n in range(REQUESTS))
            selector.register(sock, selectors.EVENT_READ, index)
            sent = 0
            while sent < len(wire):
                try:
                    sent += sock.send(wire[sent:])
                except BlockingIOError:
                    selector.select(0.01)
        bad = []
        for _ in range(20):
            garbage = server.connect()
            garbage.sendall(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
            bad.append(garbage)
        done: set[int] = set()
        deadline = time.monotonic() + DEADLINE
        while len(done) < CLIENTS and time.monotonic() < deadline:
            for key, _ in selector.select(1.0):
                index = key.data
                chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
                assert chunk, f"client {index} was closed"
                received[index] += chunk
                if (
                    received[index].count(b"HTTP/1.1 200 OK") == REQUESTS
                    and len(bodies(received[index])) == REQUESTS
                ):
                    done.add(index)
                    selector.unregister(key.fileobj)
        assert len(done) == CLIENTS
        for index in range(CLIENTS):
            assert bodies(received[index]) == expectedAnswers(index)
        for garbage in bad:
            garbage.settimeout(10)
            answer = b""
            while chunk := garbage.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer[:80]
        # The stalled heads are still waiting (their timeout is 30 s), not
        # answered and not closed.
        for stalled in slow:
            stalled.setblocking(False)
            with pytest.raises(BlockingIOError):
                stalled.recv(1)
    finally:
        selector.close()
        for sock in sockets + slow:
            sock.close()
