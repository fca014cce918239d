"""
static.File over real connections hands whole files and single ranges to
the transport's sendFile (sendfile(2)) when the response allows it, and
reads them through Python otherwise (TLS, a compressing wrapper, chunked
or body-less responses).
"""

from __future__ import annotations

import errno
import gzip
import http.client as httpclient
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_server_support import ThreadedServer, httpsRequest, recvAll, serveTLS
from torsion.internet import _tcp
from torsion.web.resource import EncodingResourceWrapper, Resource
from torsion.web.server import GzipEncoderFactory, Site
from torsion.web.static import File
from torsion.web.testing import DummyRequest

SIZE = 3 * 2**20 + 17


@pytest.fixture
def content(tmp_path: Path) -> bytes:
    """A file of random bytes, C{big.bin}, in C{tmp_path / "root"}."""
    root = tmp_path / "root"
    root.mkdir()
    data = os.urandom(SIZE)
    (root / "big.bin").write_bytes(data)
    return data


@pytest.fixture
def sendFileCalls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (offset, count) of every TCP sendFile call made during the test."""
    calls: list[tuple[int, int]] = []
    original = _tcp.Connection.sendFile

    def spy(self: Any, fileObject: Any, offset: int, count: int) -> Any:
        calls.append((offset, count))
        return original(self, fileObject, offset, count)

    monkeypatch.setattr(_tcp.Connection, "sendFile", spy)
    return calls


@pytest.fixture
def served(tmp_path: Path, content: bytes) -> Iterator[ThreadedServer]:
    """A Site serving C{tmp_path / "root"} with File."""
    server = ThreadedServer(lambda reactor: Site(File(tmp_path / "root"), reactor=reactor))
    yield server
    server.stop()


def get(
    server: ThreadedServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[httpclient.HTTPResponse, bytes]:
    """One request on a new connection: the response and its body."""
    conn = httpclient.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


class KernelPathTests:
    """Responses that go through sendFile."""

    def test_wholeFile(
        self, served: ThreadedServer, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """A whole file is one sendFile of all its bytes, and arrives intact."""
        response, body = get(served, "/big.bin")
        assert response.status == 200
        assert response.getheader("Content-Length") == str(SIZE)
        assert body == content
        assert sendFileCalls == [(0, SIZE)]

    def test_singleRange(
        self, served: ThreadedServer, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """A single range is one sendFile of that range: a 206 with its bytes."""
        response, body = get(served, "/big.bin", headers={"Range": "bytes=1000-200999"})
        assert response.status == 206
        assert response.getheader("Content-Range") == f"bytes 1000-200999/{SIZE}"
        assert body == content[1000:201000]
        assert sendFileCalls == [(1000, 200000)]

    def test_keepAliveAfterSendFile(
        self, served: ThreadedServer, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """
        The connection stays usable: a second and third request on it get
        their own bodies, in order.
        """
        conn = httpclient.HTTPConnection("127.0.0.1", served.portNumber, timeout=10)
        bodies = []
        for spec in ("bytes=0-9", "bytes=-10", "bytes=5-5"):
            conn.request("GET", "/big.bin", headers={"Range": spec})
            bodies.append(conn.getresponse().read())
        conn.close()
        assert bodies == [content[:10], content[-10:], content[5:6]]
        assert len(sendFileCalls) == 3

    def test_pipelined(self, served: ThreadedServer, content: bytes) -> None:
        """
        Two pipelined requests get both responses in order: the second head
        is sent after the first file's last byte.
        """
        sock = served.connect()
        request = b"GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=%s\r\n\r\n"
        sock.sendall(request % b"0-99" + (request % b"100-199")[:-2] + b"Connection: close\r\n\r\n")
        received = recvAll(sock)
        sock.close()
        first, _, rest = received.partition(b"\r\n\r\n")
        assert first.startswith(b"HTTP/1.1 206")
        assert rest[:100] == content[:100]
        second, _, last = rest[100:].partition(b"\r\n\r\n")
        assert second.startswith(b"HTTP/1.1 206")
        assert last == content[100:200]

    def test_clientLeavesMidFile(
        self, tmp_path: Path, served: ThreadedServer, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """
        A client that goes away while a large file is being sent costs the
        server nothing: the next client is served.
        """
        sock = served.connect()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset, with most of the file unsent
        response, body = get(served, "/big.bin", headers={"Range": "bytes=0-3"})
        assert (response.status, len(body)) == (206, 4)
        assert len(sendFileCalls) == 2

    def test_fileShrinks(self, tmp_path: Path, served: ThreadedServer) -> None:
        """
        A file that shrinks after its length was promised: the connection
        closes after what there was, instead of leaving the client waiting
        for bytes that never come.
        """
        path = tmp_path / "root" / "big.bin"
        real = os.sendfile
        state = {"cut": False}

        def shrinking(out: int, fd: int, offset: int, count: int) -> int:
            if not state["cut"]:
                state["cut"] = True
                os.truncate(path, 1000)
            return real(out, fd, offset, count)

        os_module: Any = os
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.setattr(os_module, "sendfile", shrinking)
        try:
            sock = served.connect()
            sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            received = recvAll(sock)
            sock.close()
        finally:
            monkeypatch.undo()
        head, _, body = received.partition(b"\r\n\r\n")
        assert b"Content-Length: %d" % SIZE in head
        assert len(body) == 1000

    def test_fileReadError(self, served: ThreadedServer, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        A file the kernel fails to read part-way (an I/O error) closes that
        connection after what was sent, as a shrunk file does; the next
        client is served.
        """
        real = os.sendfile
        calls = {"n": 0}

        def failing(out: int, fd: int, offset: int, count: int) -> int:
            calls["n"] += 1
            if calls["n"] == 1:
                return real(out, fd, offset, min(count, 5000))
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        os_module: Any = os
        monkeypatch.setattr(os_module, "sendfile", failing)
        sock = served.connect()
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        received = recvAll(sock)
        sock.close()
        monkeypatch.undo()
        head, _, body = received.partition(b"\r\n\r\n")
        assert b"Content-Length: %d" % SIZE in head
        assert len(body) == 5000
        response, _ = get(served, "/big.bin", headers={"Range": "bytes=0-3"})
        assert response.status == 206


class ReadPathTests:
    """Responses that must not use sendFile still arrive whole."""

    def test_head(
        self, served: ThreadedServer, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """HEAD sends the length and no body, and no file."""
        response, body = get(served, "/big.bin", method="HEAD")
        assert (response.status, body) == (200, b"")
        assert response.getheader("Content-Length") == str(SIZE)
        assert sendFileCalls == []

    def test_multipleRanges(
        self, served: ThreadedServer, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """A multi-range answer is written part by part with its boundaries."""
        response, body = get(served, "/big.bin", headers={"Range": "bytes=0-9,20-29"})
        assert response.status == 206
        assert content[:10] in body and content[20:30] in body
        assert sendFileCalls == []

    def test_gzipWrapper(
        self, tmp_path: Path, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """
        Behind EncodingResourceWrapper the body is compressed, so it is
        read and written, never sent raw with sendFile.
        """
        root = Resource()
        root.putChild(
            b"big.bin",
            EncodingResourceWrapper(File(tmp_path / "root" / "big.bin"), [GzipEncoderFactory()]),
        )
        server = ThreadedServer(lambda reactor: Site(root, reactor=reactor))
        try:
            response, body = get(server, "/big.bin", headers={"Accept-Encoding": "gzip"})
        finally:
            server.stop()
        assert response.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(body) == content
        assert sendFileCalls == []

    def test_tls(
        self, tmp_path: Path, content: bytes, sendFileCalls: list[tuple[int, int]]
    ) -> None:
        """Over TLS the file is read and encrypted: it arrives intact, with no sendFile."""
        server, context = serveTLS(lambda reactor: Site(File(tmp_path / "root"), reactor=reactor))
        try:
            response, body = httpsRequest(server, context, "/big.bin", {"Range": "bytes=10-"})
        finally:
            server.stop()
        assert response.status == 206
        assert body == content[10:]
        assert sendFileCalls == []

    def test_dummyRequest(self, tmp_path: Path, content: bytes) -> None:
        """A test double without a transport gets the bytes through write()."""
        request = DummyRequest([b"big.bin"])
        resource = File(tmp_path / "root").getChild(b"big.bin", request)
        request.render(resource)
        assert b"".join(request.written) == content
