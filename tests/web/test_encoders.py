"""
Tests for C{torsion.web._encoders}: gzip content encoding with
L{EncodingResourceWrapper} and L{GzipEncoderFactory}, with L{DummyRequest}
and over real sockets (C{http.client} and curl).
"""

from __future__ import annotations

import gzip
import http.client
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import requireTool
from tests.web.test_server_support import ThreadedServer, serve  # noqa: F401
from torsion.web._encoders import EncodingResourceWrapper, GzipEncoderFactory
from torsion.web.resource import Resource
from torsion.web.server import NOT_DONE_YET
from torsion.web.static import File
from torsion.web.testing import DummyRequest

TEXT = b"".join(b"line %d of a text that compresses well\n" % i for i in range(5000))


class Whole(Resource):
    """Returns L{TEXT} whole, with a Content-Length it set itself."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        request.setHeader(b"Content-Length", b"%d" % len(TEXT))
        request.setHeader(b"Content-Type", b"text/plain")
        return TEXT


class Streamed(Resource):
    """Writes L{TEXT} in pieces after render returned, from the reactor."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Any] = []

    def render_GET(self, request: Any) -> Any:
        request.write(TEXT[:10])
        reactor: Any = request.site.reactor if hasattr(request, "site") else None
        pieces = [TEXT[i : i + 7000] for i in range(10, len(TEXT), 7000)]

        def more() -> None:
            if pieces:
                request.write(pieces.pop(0))
                reactor.callLater(0, more)
            else:
                request.finish()

        if reactor is None:
            self.requests.append((request, pieces))
        else:
            reactor.callLater(0, more)
        return NOT_DONE_YET


class Status(Resource):
    """Answers with a given status and no body."""

    isLeaf = True

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def render_GET(self, request: Any) -> bytes:
        request.setResponseCode(self.code)
        return b""


class Encoded(Resource):
    """Returns a body that already has a Content-Encoding."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        request.setHeader(b"Content-Encoding", b"br")
        return b"not really brotli"


def wrap(resource: Any, level: int = 9) -> EncodingResourceWrapper:
    """C{resource} wrapped with gzip."""
    return EncodingResourceWrapper(resource, [GzipEncoderFactory(level)])


def dummy(accept: bytes | None, method: bytes = b"GET") -> DummyRequest:
    """A request with the given I{Accept-Encoding}."""
    request = DummyRequest([])
    request.method = method
    if accept is not None:
        request.requestHeaders.setRawHeaders(b"accept-encoding", [accept])
    return request


class NegotiationTests:
    """When gzip is used, with L{DummyRequest}."""

    @pytest.mark.parametrize(
        "accept",
        [b"gzip", b"deflate, gzip;q=0.5", b"GZIP", b"*", b"br;q=1, *;q=0.1", b"x-gzip"],
    )
    def test_accepted(self, accept: bytes) -> None:
        """A client accepting gzip (by name, case-insensitively, or C{*}) gets it."""
        request = dummy(accept)
        request.render(wrap(Whole()))
        assert request.responseHeaders.getRawHeaders(b"content-encoding") == [b"gzip"]
        assert not request.responseHeaders.hasHeader(b"content-length")
        assert gzip.decompress(b"".join(request.written)) == TEXT

    @pytest.mark.parametrize(
        "accept", [None, b"", b"deflate", b"gzip;q=0", b"gzip;q=0.0, deflate", b"*;q=0", b"gzipx"]
    )
    def test_refused(self, accept: bytes | None) -> None:
        """Without gzip accepted (absent, or with q=0), the body is left alone."""
        request = dummy(accept)
        request.render(wrap(Whole()))
        assert not request.responseHeaders.hasHeader(b"content-encoding")
        assert request.responseHeaders.getRawHeaders(b"content-length") == [b"%d" % len(TEXT)]
        assert b"".join(request.written) == TEXT

    def test_vary(self) -> None:
        """I{Vary: Accept-Encoding} is set whether or not the body is encoded, once."""
        for accept in (b"gzip", None):
            request = dummy(accept)
            request.responseHeaders.setRawHeaders(b"vary", [b"Accept-Encoding"])
            request.render(wrap(Whole()))
            assert request.responseHeaders.getRawHeaders(b"vary") == [b"Accept-Encoding"]
            request = dummy(accept)
            request.render(wrap(Whole()))
            assert request.responseHeaders.getRawHeaders(b"vary") == [b"Accept-Encoding"]

    def test_head(self) -> None:
        """A HEAD request is not encoded."""
        request = dummy(b"gzip", b"HEAD")
        request.render(wrap(Whole()))
        assert not request.responseHeaders.hasHeader(b"content-encoding")

    @pytest.mark.parametrize("code", [204, 304])
    def test_noBodyStatus(self, code: int) -> None:
        """204 and 304 responses are not encoded."""
        request = dummy(b"gzip")
        request.render(wrap(Status(code)))
        assert not request.responseHeaders.hasHeader(b"content-encoding")
        assert b"".join(request.written) == b""

    def test_alreadyEncoded(self) -> None:
        """A response with its own Content-Encoding is passed through."""
        request = dummy(b"gzip")
        request.render(wrap(Encoded()))
        assert request.responseHeaders.getRawHeaders(b"content-encoding") == [b"br"]
        assert request.written == [b"not really brotli"]

    def test_streamedFlushes(self) -> None:
        """
        After render returned NOT_DONE_YET, each write is flushed: what was
        written so far can be decompressed before the response ends.
        """
        resource = Streamed()
        request = dummy(b"gzip")
        request.render(wrap(resource))
        [(stand, pieces)] = resource.requests
        stand.write(pieces[0])
        partial = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(b"".join(request.written))
        assert partial == TEXT[:10] + pieces[0]
        for piece in pieces[1:]:
            stand.write(piece)
        stand.finish()
        assert request.finished
        assert gzip.decompress(b"".join(request.written)) == TEXT

    def test_childrenNotWrapped(self) -> None:
        """Traversal goes to the wrapped resource's children, unwrapped."""
        root = Resource()
        child = Whole()
        wrapper = wrap(root)
        wrapper.putChild(b"child", child)
        assert wrapper.getChildWithDefault(b"child", DummyRequest([])) is child
        assert not wrapper.isLeaf
        assert wrap(Whole()).isLeaf

    def test_badLevel(self) -> None:
        """A compression level out of range is refused, naming it."""
        with pytest.raises(ValueError, match=r"^GzipEncoderFactory\(compressLevel=10\)"):
            GzipEncoderFactory(10)


def get(port: int, path: str, headers: dict[str, str], method: str = "GET") -> Any:
    """One request: the response and its raw body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def site(tmp_path: Path) -> Resource:
    """A tree of wrapped resources, including a static file."""
    (tmp_path / "big.txt").write_bytes(TEXT * 20)
    root = Resource()
    root.putChild(b"whole", wrap(Whole()))
    root.putChild(b"streamed", wrap(Streamed()))
    root.putChild(b"file", wrap(File(str(tmp_path / "big.txt")), level=1))
    return root


class SocketTests:
    """Gzip over real sockets."""

    @pytest.mark.parametrize("path", ["/whole", "/streamed", "/file"])
    def test_httpClient(
        self,
        serve: Callable[..., ThreadedServer],  # noqa: F811
        tmp_path: Path,
        path: str,
    ) -> None:
        """
        With C{Accept-Encoding: gzip}, a whole body, a NOT_DONE_YET stream
        and a static file (a pull producer) arrive compressed and decode to
        the original; without it they arrive as they are.
        """
        server = serve(site(tmp_path))
        expected = TEXT * 20 if path == "/file" else TEXT
        response, body = get(server.portNumber, path, {"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.getheader("Content-Encoding") == "gzip"
        assert response.getheader("Vary") == "Accept-Encoding"
        assert len(body) < len(expected) // 4
        assert gzip.decompress(body) == expected
        plain, plainBody = get(server.portNumber, path, {"Accept-Encoding": "gzip;q=0"})
        assert plain.getheader("Content-Encoding") is None
        assert plainBody == expected

    def test_head(self, serve: Callable[..., ThreadedServer]) -> None:  # noqa: F811
        """A HEAD request gets the unencoded headers and no body."""
        server = serve(wrap(Whole()))
        response, body = get(server.portNumber, "/", {"Accept-Encoding": "gzip"}, "HEAD")
        assert body == b""
        assert response.getheader("Content-Encoding") is None

    def test_curlCompressed(
        self,
        serve: Callable[..., ThreadedServer],  # noqa: F811
        tmp_path: Path,
    ) -> None:
        """C{curl --compressed} decodes each response to the original."""
        curl = requireTool("curl")
        server = serve(site(tmp_path))
        for path, expected in [("whole", TEXT), ("streamed", TEXT), ("file", TEXT * 20)]:
            result = subprocess.run(
                [
                    curl,
                    "-sS",
                    "--compressed",
                    "-D",
                    "-",
                    f"http://127.0.0.1:{server.portNumber}/{path}",
                ],
                capture_output=True,
                timeout=30,
                check=True,
            )
            head, _, body = result.stdout.partition(b"\r\n\r\n")
            assert b"content-encoding: gzip" in head.lower()
            assert body == expected


def test_docsExamplePrintsWhatThePageSays() -> None:
    """The C{DummyRequest} example of C{docs/web-proxy-vhost.md} prints the text under it."""
    import contextlib
    import io
    import re

    page = (Path(__file__).resolve().parents[2] / "docs" / "web-proxy-vhost.md").read_text()
    found = re.findall(r"```python\n((?:(?!```).)*?)```\n\n```text\n(.*?)```", page, re.DOTALL)
    assert len(found) == 1
    code, expected = found[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "web-proxy-vhost.md", "exec"), {"__name__": "__docs__"})
    assert out.getvalue() == expected


def test_errorPageNotMarkedEncoded() -> None:
    """
    A resource that writes and then raises gets the server's plain 500
    page, without a I{Content-Encoding} claiming it is gzip.
    """
    from torsion.internet.testing import StringTransport
    from torsion.web.server import Site

    class Broken(Resource):
        isLeaf = True

        def render_GET(self, request: Any) -> bytes:
            request.write(b"partial")
            raise RuntimeError("broken")

    channel = Site(wrap(Broken())).buildProtocol(None)
    transport = StringTransport()
    channel.makeConnection(transport)
    channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
    head, _, body = transport.value().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 ")
    assert b"Content-Encoding" not in head
    assert b"Internal Server Error" in body
