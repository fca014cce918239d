"""
Helpers for the end-to-end tests of the C{torsion} command and C{twistd}:
run a server as a subprocess, wait (with a bound) for lines in its log,
talk to it with a real client, and make sure it never outlives the test.
"""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from torsion.logger import LogEvent, eventFromJSON

# Bounds that only a broken program reaches.
TIMEOUT = 30.0

ROOT = Path(__file__).resolve().parents[2]
TORSION_SCRIPT = Path(sys.executable).parent / "torsion"


def environment(*path: Path) -> dict[str, str]:
    """
    The environment for the subprocesses: this one, with C{src} and C{path}
    importable (the package is installed in editable mode, but be explicit)
    and no reactor forced from outside.
    """
    env = dict(os.environ)
    env.pop("TORSION_REACTOR", None)
    entries = [str(ROOT / "src"), *map(str, path), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(entries)
    return env


class Server:
    """
    A server process started by L{serving}.

    @ivar process: The process.
    @ivar stdout: The file its standard output goes to.
    @ivar stderr: The file its standard error goes to.
    """

    def __init__(self, process: subprocess.Popen[bytes], stdout: Path, stderr: Path) -> None:
        self.process = process
        self.stdout = stdout
        self.stderr = stderr

    def pause(self) -> None:
        """
        Wait a moment for the server to make progress, failing at once if
        it exits.
        """
        try:
            code = self.process.wait(timeout=0.02)
        except subprocess.TimeoutExpired:
            return
        raise AssertionError(
            f"{self.process.args!r} exited with {code}:\n{self.stderr.read_text()}"
            f"\n{self.stdout.read_text()}"
        )

    def stop(self, signum: int) -> int:
        """
        Send C{signum} and wait for the exit.

        @return: The exit status.
        """
        self.process.send_signal(signum)
        return self.process.wait(timeout=TIMEOUT)


@contextmanager
def serving(argv: list[str], where: Path, *path: Path) -> Iterator[Server]:
    """
    Run C{argv} in directory C{where} (with C{path} on its C{sys.path}),
    with its output in files there; kill it at the end if it is still
    running.
    """
    stdout, stderr = where / "stdout.txt", where / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            argv,
            cwd=where,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=environment(*path),
        )
    try:
        yield Server(process, stdout, stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def torsionCommand(*args: str) -> list[str]:
    """
    The command line that runs C{torsion ARGS} with this Python.
    """
    return [sys.executable, "-m", "torsion", *args]


def twistdCommand(*args: str) -> list[str]:
    """
    The command line that runs C{twistd ARGS} with this Python.
    """
    return [sys.executable, "-m", "torsion.scripts.twistd", *args]


def jsonEvents(path: Path) -> list[LogEvent]:
    """
    The complete events in a JSON log file that may still be written to.
    """
    if not path.exists():
        return []
    events = []
    for record in path.read_bytes().split(b"\x1e"):
        if record.endswith(b"\n"):
            events.append(eventFromJSON(record))
    return events


def waitForEvent(
    server: Server, path: Path, matches: Callable[[LogEvent], bool], timeout: float = TIMEOUT
) -> LogEvent:
    """
    Wait until the JSON log at C{path} holds an event that C{matches}.

    @return: The event.
    @raise AssertionError: If the server exits, or none comes in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in jsonEvents(path):
            if matches(event):
                return event
        server.pause()
    raise AssertionError(f"no such event within {timeout}s in {path}: {jsonEvents(path)!r}")


def waitForLine(
    server: Server, path: Path, pattern: str, timeout: float = TIMEOUT
) -> re.Match[str]:
    """
    Wait until the text log at C{path} has a line matching C{pattern}.

    @return: The match.
    @raise AssertionError: If the server exits, or none comes in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            for line in path.read_text().splitlines():
                match = re.fullmatch(pattern, line)
                if match:
                    return match
        server.pause()
    text = path.read_text() if path.exists() else "(no file)"
    raise AssertionError(f"no line matching {pattern!r} within {timeout}s in {path}:\n{text}")


def waitForPath(server: Server, path: Path, timeout: float = TIMEOUT) -> None:
    """
    Wait until C{path} exists (a UNIX socket the server listens on).

    @raise AssertionError: If the server exits, or it does not appear in
        time.
    """
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear within {timeout}s"
        server.pause()


def unixExchange(path: Path, payload: bytes, size: int | None = None) -> bytes:
    """
    Connect to the UNIX socket C{path}, send C{payload}, and return what
    comes back: C{size} bytes, or (with L{None}) all until the server
    closes.
    """
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(TIMEOUT)
        client.connect(str(path))
        client.sendall(payload)
        received = b""
        while size is None or len(received) < size:
            chunk = client.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def docBlock(page: str, firstLine: str) -> str:
    """
    The Python block of C{docs/PAGE} whose first line is C{firstLine}.
    """
    text = (ROOT / "docs" / page).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    found = [block for block in blocks if block.splitlines()[0] == firstLine]
    assert len(found) == 1, f"{len(found)} blocks start with {firstLine!r} in {page}"
    return str(found[0])


def isListening(event: LogEvent) -> bool:
    """
    Whether C{event} is a built-in plugin's "listening on" line.
    """
    return "listening on" in str(event.get("log_format")) and "port" in event


def echoed(port: int, payload: bytes) -> bytes:
    """
    Send C{payload} to 127.0.0.1:C{port}, half-close, and return what comes
    back before the server closes.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
        client.sendall(payload)
        received = b""
        while len(received) < len(payload):
            chunk = client.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def runClientTool(argv: list[str], data: bytes) -> bytes:
    """
    Run a third-party client (socat, nc) with C{data} on its standard input.

    @return: What it printed.
    """
    done = subprocess.run(argv, input=data, capture_output=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, (done.returncode, done.stderr)
    return done.stdout


@contextmanager
def echoUpstream() -> Iterator[int]:
    """
    A tiny blocking echo server on 127.0.0.1, in a thread: yields its port.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(TIMEOUT)

    def serve() -> None:
        try:
            while True:
                connection, _ = listener.accept()
                connection.settimeout(TIMEOUT)
                with connection:
                    while chunk := connection.recv(65536):
                        connection.sendall(chunk)
        except OSError:
            return  # the listener was closed: the test is over

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        with suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() up
        listener.close()
        thread.join(TIMEOUT)


def waitForExit(pid: int, timeout: float = TIMEOUT) -> bool:
    """
    Wait for process C{pid}, which need not be our child, to exit.

    @return: Whether it did within C{timeout}.
    """
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable)
    finally:
        os.close(fd)


def killIfAlive(pid: int) -> None:
    """
    Kill process C{pid} if it still exists (cleanup after a daemon test).
    """
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    waitForExit(pid)


def closeAll(*files: Any) -> None:
    """
    Close the files a test opened through options.
    """
    for f in files:
        if f not in (sys.stdout, sys.stderr, None):
            f.close()
