"""
A real browser against torsion's web server: Chromium's headless shell
(C{chromium-headless-shell}, which C{./dev test} installs) loads pages
from C{torsion web --path DIR} (the README's main job) and from a Site in
this process, runs their scripts, and the test reads the resulting DOM
(C{--dump-dom}).  What a browser does that curl does not: it runs
JavaScript that issues further requests on kept-alive connections, sends
Range and conditional headers from C{fetch}, keeps cookies (and hides
C{HttpOnly} ones from scripts), and decodes gzip itself.
"""

from __future__ import annotations

import html
import json
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.application.test_web_plugin import listeningPort
from tests.helpers import requireTool
from tests.scripts.serving import TIMEOUT, serving, torsionCommand, waitForEvent
from tests.web.test_server_support import ThreadedServer
from torsion.logger import eventsFromJSONLogFile
from torsion.web.resource import EncodingResourceWrapper, Resource
from torsion.web.server import GzipEncoderFactory, Site

BROWSER = "chromium-headless-shell"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>torsion</title></head>
<body><pre id="out">waiting</pre>
<script>
async function run() {
  const data = await (await fetch("data.json")).json();
  const big = await (await fetch("big.bin")).arrayBuffer();
  const part = await fetch("big.bin", {headers: {Range: "bytes=10-19"}, cache: "no-store"});
  const partBytes = new Uint8Array(await part.arrayBuffer());
  const again = await fetch("big.bin", {cache: "no-cache"});
  const againLength = (await again.arrayBuffer()).byteLength;
  const missing = await fetch("nothing-here");
  return {
    greeting: data.greeting,
    bigLength: big.byteLength,
    partStatus: part.status,
    partRange: part.headers.get("Content-Range"),
    partBytes: Array.from(partBytes),
    againStatus: again.status,
    againLength: againLength,
    missingStatus: missing.status,
  };
}
run().then(
  (r) => { document.getElementById("out").textContent = JSON.stringify(r); },
  (e) => { document.getElementById("out").textContent = "error: " + e; });
</script></body></html>
"""


def browse(url: str, profile: Path) -> str:
    """
    The DOM of C{url} once the browser has run its scripts (serialized
    by C{--dump-dom}).
    """
    done = subprocess.run(
        [
            requireTool(BROWSER),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def result(dom: str) -> Any:
    """What the page's script wrote into C{<pre id="out">}, as JSON."""
    match = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert match is not None, dom[-2000:]
    text = html.unescape(match.group(1))
    assert not text.startswith(("waiting", "error")), text
    return json.loads(text)


def test_mainJobServesABrowser(tmp_path: Path) -> None:
    """
    C{torsion web --path DIR}: the browser loads a page whose script
    fetches JSON, a 300 kB file whole, a byte range of it, the file again
    revalidated (the server answers 304 to the browser's conditional
    request and the browser serves its copy), and a missing file; every
    answer is right, and the access log shows the browser's requests with
    the statuses the server sent.
    """
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    (site / "data.json").write_text(json.dumps({"greeting": "hello from torsion"}))
    big = bytes(range(256)) * 1200
    (site / "big.bin").write_bytes(big)
    log = tmp_path / "log.json"
    argv = torsionCommand(
        "--log-format",
        "json",
        "--log-file",
        str(log),
        "web",
        "--listen",
        "tcp:0:interface=127.0.0.1",
        "--path",
        str(site),
    )
    with serving(argv, tmp_path) as server:
        port = listeningPort(log, server)
        dom = browse(f"http://127.0.0.1:{port}/index.html", tmp_path / "profile")
        waitForEvent(server, log, lambda e: "GET /nothing-here" in str(e.get("line", "")))
        assert server.stop(signal.SIGTERM) == 0
    assert result(dom) == {
        "greeting": "hello from torsion",
        "bigLength": len(big),
        "partStatus": 206,
        "partRange": f"bytes 10-19/{len(big)}",
        "partBytes": list(big[10:20]),
        "againStatus": 200,
        "againLength": len(big),
        "missingStatus": 404,
    }
    with log.open() as f:
        lines = [str(e["line"]) for e in eventsFromJSONLogFile(f) if "line" in e]
    browserLines = [line for line in lines if "HeadlessChrome" in line]
    for request, status in [
        ("GET /index.html", 200),
        ("GET /data.json", 200),
        ("GET /big.bin", 200),
        ("GET /big.bin", 206),
        ("GET /big.bin", 304),
        ("GET /nothing-here", 404),
    ]:
        assert any(f'"{request} HTTP/1.1" {status} ' in line for line in browserLines), (
            request,
            status,
            browserLines,
        )


class Counter(Resource):
    """Counts this session's requests in the session; answers the count."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        session = request.getSession()
        session.count = getattr(session, "count", 0) + 1
        request.setHeader(b"content-type", b"text/plain")
        return b"%d" % session.count


SESSION_PAGE = b"""<!doctype html>
<html><body><pre id="out">waiting</pre>
<script>
async function run() {
  const counts = [];
  for (let i = 0; i < 3; i++) {
    counts.push(await (await fetch("/count")).text());
  }
  const zipped = await (await fetch("/zipped")).text();
  return {counts: counts, visibleCookies: document.cookie, zipped: zipped};
}
run().then(
  (r) => { document.getElementById("out").textContent = JSON.stringify(r); },
  (e) => { document.getElementById("out").textContent = "error: " + e; });
</script></body></html>
"""


class Page(Resource):
    """The page above."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        return SESSION_PAGE


class Zipped(Resource):
    """A text long enough to be worth compressing."""

    isLeaf = True
    text = b"torsion " * 2000

    def render_GET(self, request: Any) -> bytes:
        request.setHeader(b"content-type", b"text/plain")
        return self.text


def test_sessionsAndGzipInABrowser(tmp_path: Path) -> None:
    """
    A page's script makes three requests: the browser keeps the session
    cookie, so the session counts 1, 2, 3; the cookie is C{HttpOnly}, so
    the script cannot see it; a gzip-encoded answer (EncodingResourceWrapper)
    is decoded by the browser to the original text.
    """
    requireTool(BROWSER)
    sent: list[bytes] = []

    class Recording(EncodingResourceWrapper):
        def render(self, request: Any) -> Any:
            body = super().render(request)
            sent.append(request.responseHeaders.getRawHeaders(b"content-encoding", [b""])[0])
            return body

    root = Resource()
    root.putChild(b"", Page())
    root.putChild(b"count", Counter())
    root.putChild(b"zipped", Recording(Zipped(), [GzipEncoderFactory()]))
    server = ThreadedServer(lambda reactor: Site(root, reactor=reactor))
    try:
        dom = browse(f"http://127.0.0.1:{server.portNumber}/", tmp_path / "profile")
    finally:
        server.stop()
    assert result(dom) == {
        "counts": ["1", "2", "3"],
        "visibleCookies": "",
        "zipped": Zipped.text.decode(),
    }
    assert sent == [b"gzip"]
