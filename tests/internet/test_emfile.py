"""
Running out of file descriptors while accepting (EMFILE) must not spin the
reactor: a TCP port backs off, logs once per back-off, and accepts the
connections that waited once descriptors are free again.

The server runs in a child process with a low RLIMIT_NOFILE, on each
reactor backend.  It reports over its stdout (a StandardIO transport,
which needs no new descriptor) and the test drives it over its stdin.
The last tests check what listenTCP and connectTCP do when no descriptor
is left for their own socket.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from tests.internet.reactors import BACKENDS

TIMEOUT = 60
LIMIT = 64
# More connections than the child has descriptors for, but no more than it
# can take once the first ones close.
CLIENTS = LIMIT + 16
BACKOFFS = 6

SERVER = """
import json, resource, sys, time
from torsion.internet.{backend}reactor import install
reactor = install()
from torsion.internet.protocol import Factory, Protocol
from torsion.internet.stdio import StandardIO
from torsion.logger import globalLogPublisher

state = {{"open": 0, "doReads": 0, "pauses": 0, "logged": 0, "delays": []}}
mark = {{}}

class Echo(Protocol):
    def connectionMade(self):
        state["open"] += 1
        self.transport.write(b"welcome\\n")

    def dataReceived(self, data):
        self.transport.write(data)

    def connectionLost(self, reason):
        state["open"] -= 1

class Control(Protocol):
    buffer = b""

    def send(self, **message):
        self.transport.write(json.dumps(message).encode() + b"\\n")

    def dataReceived(self, data):
        self.buffer += data
        while b"\\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\\n", 1)
            if line == b"stats":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                since = {{}}
                if mark:
                    since = {{
                        "cpu": usage.ru_utime + usage.ru_stime - mark["cpu"],
                        "wall": time.monotonic() - mark["wall"],
                        "doReads": state["doReads"] - mark["doReads"],
                    }}
                self.send(event="stats", since=since, **state)
            elif line == b"quit":
                self.transport.loseConnection()

    def connectionLost(self, reason):
        reactor.stop()

control = Control()

def observe(event):
    if "Out of resources" in (event.get("log_format") or ""):
        state["logged"] += 1
        state["delays"].append(round(event["delay"], 3))
        if not mark:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            mark.update(
                cpu=usage.ru_utime + usage.ru_stime,
                wall=time.monotonic(),
                doReads=state["doReads"],
            )
        control.send(event="backoff", delay=event["delay"], error=str(event["error"]))

globalLogPublisher.addObserver(observe)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, ({limit}, hard))
port = reactor.listenTCP(0, Factory.forProtocol(Echo), backlog=128, interface="127.0.0.1")

doRead = port.doRead
def countedDoRead():
    state["doReads"] += 1
    return doRead()
port.doRead = countedDoRead

pause = port._pauseAccepting
def countedPause(error):
    state["pauses"] += 1
    return pause(error)
port._pauseAccepting = countedPause

StandardIO(control)
control.send(event="listening", port=port.getHost().port)
reactor.run()
"""


class Child:
    """
    The server process, and the JSON messages it sends.
    """

    def __init__(self, backend: str) -> None:
        source = textwrap.dedent(SERVER).format(backend=backend, limit=LIMIT)
        self.process = subprocess.Popen(
            [sys.executable, "-c", source],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def next(self) -> dict[str, Any]:
        """
        The next message (failing if the child exits first).
        """
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the server exited: {self.errors()}"
        message: dict[str, Any] = json.loads(line)
        return message

    def waitFor(self, event: str) -> dict[str, Any]:
        """
        Skip messages until one of kind C{event}.
        """
        while True:
            message = self.next()
            if message["event"] == event:
                return message

    def ask(self, command: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + b"\n")
        self.process.stdin.flush()

    def stats(self) -> dict[str, Any]:
        self.ask(b"stats")
        return self.waitFor("stats")

    def errors(self) -> str:
        assert self.process.stderr is not None
        self.process.kill()
        return self.process.stderr.read().decode()


def receiveFrom(clients: list[socket.socket], wanted: int) -> dict[socket.socket, bytes]:
    """
    Read from C{clients} until C{wanted} of them have received the greeting
    and the echo of what they sent (within L{TIMEOUT}).

    @return: What each client that answered received.
    """
    received: dict[socket.socket, bytes] = dict.fromkeys(clients, b"")

    def complete() -> list[socket.socket]:
        return [c for c, data in received.items() if data.count(b"\n") >= 2]

    while len(complete()) < wanted:
        ready, _, _ = select.select(clients, [], [], TIMEOUT)
        assert ready, f"only {len(complete())} of {wanted} clients were answered"
        for client in ready:
            received[client] += client.recv(1024)
    return {c: received[c] for c in complete()}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_outOfDescriptors(backend: str) -> None:
    """
    With more clients than descriptors: the port accepts what it can,
    then backs off (0.01 s, doubling), logging once per back-off, reading
    the listening socket only once per back-off and using little CPU; when
    clients leave, the ones that waited in the backlog are accepted and
    served.
    """
    if not BACKENDS[backend][1]:
        pytest.skip(f"the {backend} backend is not available on this platform")
    child = Child(backend)
    clients: list[socket.socket] = []
    try:
        port = child.waitFor("listening")["port"]
        for n in range(CLIENTS):
            client = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            client.sendall(b"ping %d\n" % n)
            clients.append(client)

        # Out of descriptors: wait for a few back-offs.
        backoffs = [child.waitFor("backoff") for _ in range(BACKOFFS)]
        assert [b["delay"] for b in backoffs] == [0.01 * 2**i for i in range(BACKOFFS)]
        assert {b["error"] for b in backoffs} == {"Too many open files"}
        stats = child.stats()
        accepted = stats["open"]
        assert 0 < accepted < CLIENTS
        # One log line per back-off, and the listening socket read once per
        # back-off, not in a loop.
        assert stats["logged"] == stats["pauses"] == len(stats["delays"]) >= BACKOFFS
        assert stats["since"]["doReads"] <= stats["pauses"]
        # The time since the first back-off (at least the delays that have
        # passed: 0.31 s for six back-offs) was spent idle, not spinning.
        assert stats["since"]["wall"] >= sum(stats["delays"][:-1]) * 0.9
        assert stats["since"]["cpu"] < 0.5 * stats["since"]["wall"], stats["since"]

        served = receiveFrom(clients, accepted)
        assert len(served) == accepted
        for client, data in served.items():
            n = clients.index(client)
            assert data == b"welcome\nping %d\n" % n
        waiting = [c for c in clients if c not in served]
        assert len(waiting) == CLIENTS - accepted

        # The served clients leave: the waiting ones get their turn.
        for client in served:
            client.close()
        late = receiveFrom(waiting, len(waiting))
        for client, data in late.items():
            assert data == b"welcome\nping %d\n" % clients.index(client)
        assert child.stats()["open"] == len(waiting)

        child.ask(b"quit")
        assert child.process.wait(TIMEOUT) == 0, child.errors()
    finally:
        for client in clients:
            client.close()
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait()
        for stream in (child.process.stdin, child.process.stdout, child.process.stderr):
            assert stream is not None
            stream.close()


EXHAUSTED = """
import json, resource, socket
from torsion.internet.selectreactor import install
reactor = install()
from torsion.internet.error import CannotListenError, ConnectError
from torsion.internet.protocol import ClientFactory, Factory

results = {{}}

class Failing(ClientFactory):
    def clientConnectionFailed(self, connector, reason):
        results["connectTCP"] = "failed with ConnectError: %s" % isinstance(
            reason.value, ConnectError
        )
        reactor.stop()

resource.setrlimit(
    resource.RLIMIT_NOFILE, ({limit}, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
)
held = []
try:
    while True:
        held.append(socket.socket())
except OSError:
    pass
try:
    {call}
    if "{name}" == "listenTCP":
        results["{name}"] = "no error"  # connectTCP reports through its factory
except Exception as e:
    results["{name}"] = "raised " + type(e).__name__
for skt in held:
    skt.close()
if "{name}" not in results:
    reactor.callLater({timeout}, reactor.stop)  # only a broken test waits this long
    reactor.run()
print(json.dumps(results))
"""


def outOfDescriptors(name: str, call: str) -> str:
    """
    Run C{call} in a child that has used up its descriptors.

    @return: What became of it, as the child reports.
    """
    source = textwrap.dedent(EXHAUSTED).format(limit=LIMIT, call=call, name=name, timeout=TIMEOUT)
    done = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    result: str = json.loads(done.stdout)[name]
    return result


def test_listenTCPOutOfDescriptors() -> None:
    """
    listenTCP with no descriptor left raises CannotListenError (as for any
    other reason it cannot listen), not a bare OSError.
    """
    result = outOfDescriptors("listenTCP", 'reactor.listenTCP(0, Factory(), interface="127.0.0.1")')
    assert result == "raised CannotListenError"


def test_connectTCPOutOfDescriptors() -> None:
    """
    connectTCP with no descriptor left reports a ConnectError to the
    factory's clientConnectionFailed, as Twisted does, rather than raising.
    """
    result = outOfDescriptors("connectTCP", 'reactor.connectTCP("127.0.0.1", 9, Failing())')
    assert result == "failed with ConnectError: True"
