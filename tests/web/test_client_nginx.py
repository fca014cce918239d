"""
Tests for C{torsion.web.client} against nginx, a third-party HTTP server.

Each test starts its own nginx (Debian's C{/usr/sbin/nginx}) in the
foreground on a free 127.0.0.1 port, with every file it writes (pid, logs,
temporary directories) inside the test's C{tmp_path}, serving a directory of
small files and one 5 MiB file.  The access log records nginx's connection
serial number and the request count on that connection, so the tests can see
whether the client reused a connection.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import requireTool
from torsion.web.client import (
    Agent,
    ContentDecoderAgent,
    FileBodyProducer,
    GzipDecoder,
    HTTPConnectionPool,
    RedirectAgent,
    readBody,
)
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH

HELLO = b"hello from the test, served by nginx\n"
TEXT = b"".join(b"line %d of a text file that nginx compresses\n" % i for i in range(200))
BIG_SIZE = 5 * 1024 * 1024

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{}}
http {{
    types {{
        text/plain txt;
        application/octet-stream bin;
    }}
    default_type application/octet-stream;
    log_format conn '$connection $connection_requests "$request" $status';
    access_log {tmp}/access.log conn;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip on;
        gzip_types text/plain;
        gzip_min_length 1;
        location /redir {{
            return 301 /hello.txt;
        }}
    }}
}}
"""


def findNginx() -> str:
    """
    The path of nginx, found on C{PATH} or at C{/usr/sbin/nginx}.

    A non-root shell's C{PATH} often lacks C{/usr/sbin}, where Debian puts
    nginx.  If neither has it, L{requireTool} skips the test (or fails it in
    CI), saying how to install it.
    """
    path = shutil.which("nginx")
    if path is not None:
        return path
    if os.access("/usr/sbin/nginx", os.X_OK):
        return "/usr/sbin/nginx"
    return requireTool("nginx")


def freePort() -> int:
    """A 127.0.0.1 TCP port nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Nginx:
    """An nginx process serving C{root} on 127.0.0.1:C{port}."""

    process: subprocess.Popen[bytes]
    port: int
    root: Path
    directory: Path
    stopped: bool = field(default=False)

    def url(self, path: bytes) -> bytes:
        """The absolute URL of C{path} on this server."""
        return b"http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self) -> None:
        """Shut nginx down gracefully (it finishes and logs open requests), or kill it."""
        if self.stopped:
            return
        self.stopped = True
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGQUIT)
                self.process.wait(timeout=5)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def accessLog(self) -> list[tuple[int, int, str, int]]:
        """
        The access log, after L{stop}: (connection serial, request number
        on that connection, request line, status) for each request.
        """
        assert self.stopped, "read the access log after stop(): nginx may not have written it yet"
        entries = []
        for line in (self.directory / "access.log").read_text().splitlines():
            connection, number, rest = line.split(" ", 2)
            request, status = rest.rsplit(" ", 1)
            entries.append((int(connection), int(number), request.strip('"'), int(status)))
        return entries


def startNginx(executable: str, directory: Path, root: Path) -> Nginx:
    """
    Start nginx on a free port and wait until it accepts connections.

    Another program may take the port between L{freePort} and nginx's bind:
    then nginx exits saying "Address already in use" and a new port is tried.
    """
    errors = directory / "error.log"
    for _ in range(5):
        port = freePort()
        config = directory / "nginx.conf"
        config.write_text(CONFIG.format(tmp=directory, port=port, root=root))
        process = subprocess.Popen(
            [executable, "-p", f"{directory}/", "-c", str(config), "-e", str(errors)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        server = Nginx(process, port, root, directory)
        try:
            if waitForPort(process, port, directory / "nginx.pid"):
                return server
        except BaseException:
            server.stop()
            raise
        server.stop()
        assert process.stderr is not None
        message = process.stderr.read().decode(errors="replace")
        if "Address already in use" not in message:
            raise AssertionError(f"nginx exited with {process.returncode}: {message}")
    raise AssertionError("nginx found no free port on 127.0.0.1 in five tries")


def waitForPort(process: subprocess.Popen[bytes], port: int, pidFile: Path) -> bool:
    """
    Wait until nginx is serving C{port} (True) or C{process} exits (False);
    fail after five seconds.

    Another program may listen on the port nginx is about to fail to bind, so
    a connection alone proves nothing: nginx writes its pid file only after it
    opened its listening sockets, and the port is then checked to accept.
    """
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            written = pidFile.read_text().strip()
        except FileNotFoundError:
            written = ""
        if written == str(process.pid):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except ConnectionRefusedError:
                pass
        try:
            process.wait(timeout=0.01)
            return False
        except subprocess.TimeoutExpired:
            pass
    raise AssertionError(f"nginx did not accept connections on 127.0.0.1:{port} within 5 s")


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of files for nginx to serve (the 5 MiB file is written once)."""
    root = tmp_path_factory.mktemp("root")
    (root / "hello.txt").write_bytes(HELLO)
    (root / "text.txt").write_bytes(TEXT)
    (root / "big.bin").write_bytes(os.urandom(BIG_SIZE))
    return root


@pytest.fixture
def nginx(tmp_path: Path, content: Path) -> Iterator[Nginx]:
    """A running nginx serving C{content}; stopped when the test ends."""
    server = startNginx(findNginx(), tmp_path, content)
    try:
        yield server
    finally:
        server.stop()


def test_nginxFixtureStops(tmp_path: Path, content: Path) -> None:
    """The fixture's nginx serves on its port and is gone after stop()."""
    server = startNginx(findNginx(), tmp_path, content)
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    finally:
        server.stop()
    assert server.process.returncode is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_nginxRetriesBusyPort(
    tmp_path: Path, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    When another program holds the port picked first, nginx fails to bind it
    and startNginx tries a new port instead of talking to that program.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken: int = busy.getsockname()[1]
        ports = [freePort(), taken]
        monkeypatch.setattr(sys.modules[__name__], "freePort", ports.pop)
        server = startNginx(findNginx(), tmp_path, content)
        try:
            assert server.port != taken
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        finally:
            server.stop()
    assert "Address already in use" in (tmp_path / "error.log").read_text()


class AgentNginxTests:
    """Agent requests answered by nginx serving static files."""

    async def test_getSmallFile(self, reactor: Any, nginx: Nginx) -> None:
        """A GET of a small file gives 200, nginx's headers and the file's bytes."""
        response = await Agent(reactor).request(b"GET", nginx.url(b"/hello.txt"))
        assert (response.version, response.code, response.phrase) == ((b"HTTP", 1, 1), 200, b"OK")
        assert response.headers.getRawHeaders(b"content-type") == [b"text/plain"]
        assert response.headers.getRawHeaders(b"content-length") == [b"%d" % len(HELLO)]
        assert response.length == len(HELLO)
        [etag] = response.headers.getRawHeaders(b"etag", [])
        assert etag.startswith(b'"') and etag.endswith(b'"')
        [server] = response.headers.getRawHeaders(b"server", [])
        assert server.startswith(b"nginx")
        assert await readBody(response) == HELLO

    async def test_getBigFile(self, reactor: Any, nginx: Nginx, content: Path) -> None:
        """A 5 MiB file arrives whole, byte for byte."""
        response = await Agent(reactor).request(b"GET", nginx.url(b"/big.bin"))
        assert response.code == 200
        assert response.length == BIG_SIZE
        assert await readBody(response) == (content / "big.bin").read_bytes()

    async def test_head(self, reactor: Any, nginx: Nginx) -> None:
        """A HEAD gets the file's Content-Length but no body."""
        response = await Agent(reactor).request(b"HEAD", nginx.url(b"/hello.txt"))
        assert response.code == 200
        assert response.headers.getRawHeaders(b"content-length") == [b"%d" % len(HELLO)]
        assert await readBody(response) == b""

    async def test_persistentConnection(self, reactor: Any, nginx: Nginx) -> None:
        """
        Two requests through a persistent pool reach nginx on one connection:
        its log shows one connection serial with requests 1 and 2.
        """
        pool = HTTPConnectionPool(reactor)
        agent = Agent(reactor, pool=pool)
        for path in (b"/hello.txt", b"/text.txt"):
            response = await agent.request(b"GET", nginx.url(path))
            assert response.code == 200
            await readBody(response)
        await pool.closeCachedConnections()
        nginx.stop()
        log = nginx.accessLog()
        assert [(number, request) for _, number, request, _ in log] == [
            (1, "GET /hello.txt HTTP/1.1"),
            (2, "GET /text.txt HTTP/1.1"),
        ]
        assert log[0][0] == log[1][0]

    async def test_nonPersistentConnections(self, reactor: Any, nginx: Nginx) -> None:
        """Without a persistent pool nginx sees each request on its own connection."""
        agent = Agent(reactor)
        for path in (b"/hello.txt", b"/text.txt"):
            response = await agent.request(b"GET", nginx.url(path))
            await readBody(response)
        nginx.stop()
        log = nginx.accessLog()
        assert [number for _, number, _, _ in log] == [1, 1]
        assert log[0][0] != log[1][0]

    async def test_range(self, reactor: Any, nginx: Nginx) -> None:
        """C{Range: bytes=10-19} gets 206 Partial Content with those ten bytes."""
        headers = Headers({b"range": [b"bytes=10-19"]})
        response = await Agent(reactor).request(b"GET", nginx.url(b"/hello.txt"), headers)
        assert (response.code, response.phrase) == (206, b"Partial Content")
        assert response.headers.getRawHeaders(b"content-range") == [b"bytes 10-19/%d" % len(HELLO)]
        assert response.length == 10
        assert await readBody(response) == HELLO[10:20]

    async def test_notFound(self, reactor: Any, nginx: Nginx) -> None:
        """A missing file: 404 with nginx's HTML page as the body."""
        response = await Agent(reactor).request(b"GET", nginx.url(b"/missing.txt"))
        assert (response.code, response.phrase) == (404, b"Not Found")
        body = await readBody(response)
        assert b"404 Not Found" in body
        assert len(body) == response.length

    async def test_postNotAllowed(self, reactor: Any, nginx: Nginx) -> None:
        """nginx answers a POST to a static file with 405; the client reads it cleanly."""
        body = FileBodyProducer(io.BytesIO(b"name=value"))
        headers = Headers({b"content-type": [b"application/x-www-form-urlencoded"]})
        response = await Agent(reactor).request(b"POST", nginx.url(b"/hello.txt"), headers, body)
        assert (response.code, response.phrase) == (405, b"Not Allowed")
        assert b"405 Not Allowed" in await readBody(response)

    async def test_gzipSentByNginx(self, reactor: Any, nginx: Nginx) -> None:
        """Asked for gzip, nginx compresses text/plain (chunked, no length)."""
        headers = Headers({b"accept-encoding": [b"gzip"]})
        response = await Agent(reactor).request(b"GET", nginx.url(b"/text.txt"), headers)
        assert response.headers.getRawHeaders(b"content-encoding") == [b"gzip"]
        assert response.length == UNKNOWN_LENGTH
        compressed = await readBody(response)
        assert len(compressed) < len(TEXT)
        assert gzip.decompress(compressed) == TEXT

    async def test_gzipDecoded(self, reactor: Any, nginx: Nginx) -> None:
        """ContentDecoderAgent asks nginx for gzip and gives back the file's bytes."""
        agent = ContentDecoderAgent(Agent(reactor), [(b"gzip", GzipDecoder)])
        response = await agent.request(b"GET", nginx.url(b"/text.txt"))
        assert response.code == 200
        assert response.headers.getRawHeaders(b"content-encoding") is None
        assert await readBody(response) == TEXT
        nginx.stop()
        [(_, _, request, status)] = nginx.accessLog()
        assert (request, status) == ("GET /text.txt HTTP/1.1", 200)

    async def test_redirect(self, reactor: Any, nginx: Nginx) -> None:
        """RedirectAgent follows nginx's 301 to the file."""
        agent = RedirectAgent(Agent(reactor))
        response = await agent.request(b"GET", nginx.url(b"/redir"))
        assert response.code == 200
        assert await readBody(response) == HELLO
        assert response.previousResponse is not None
        assert response.previousResponse.code == 301
        [location] = response.previousResponse.headers.getRawHeaders(b"location", [])
        assert location.endswith(b"/hello.txt")
