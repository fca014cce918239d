"""
Tests for the example C{examples/web_get.py}: run it against a torsion
L{Site} on 127.0.0.1 (plain, and over TLS with a trustme authority), and
renamed to use Twisted, which must behave the same.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.examples.test_defer_examples import requireTwisted, toTwisted
from tests.web.test_server_support import ThreadedServer
from torsion.web.resource import Resource

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "web_get.py"
TIMEOUT = 30.0


class Page(Resource):
    """A small page, and a 404 for everything else."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        if request.path != b"/page":
            request.setResponseCode(404)
            return b"no such page\n"
        return b"line one\nline two\n"


@pytest.fixture(params=["torsion", "twisted"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The example as written, then renamed to use Twisted."""
    if request.param == "torsion":
        return EXAMPLE
    requireTwisted()
    ported = tmp_path / "web_get.py"
    ported.write_text(toTwisted(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    return ported


@pytest.fixture
def site() -> Iterator[ThreadedServer]:
    """A plain-HTTP site in a thread."""
    from torsion.web.server import Site

    server = ThreadedServer(lambda reactor: Site(Page(), reactor=reactor))
    try:
        yield server
    finally:
        server.stop()


def run(program: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """
    Run the example with C{args}.  Deprecation warnings are off: Twisted's
    own readBody warns about its own transports.
    """
    return subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", str(program), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_get(program: Path, site: ThreadedServer) -> None:
    """It prints the status line, then the body, and exits 0."""
    done = run(program, f"http://127.0.0.1:{site.portNumber}/page")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "200 OK\nline one\nline two\n"


def test_notFound(program: Path, site: ThreadedServer) -> None:
    """A 404 is still a response: printed, exit 0."""
    done = run(program, f"http://127.0.0.1:{site.portNumber}/missing")
    assert done.returncode == 0
    assert done.stdout == "404 Not Found\nno such page\n"


def test_refused(program: Path, site: ThreadedServer) -> None:
    """Nobody listening: the reason on standard error, exit 1."""
    port = site.portNumber
    site.stop()
    site.stop = lambda: None  # type: ignore[method-assign]
    done = run(program, f"http://127.0.0.1:{port}/page")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "refused" in done.stderr


def test_https(program: Path, tmp_path: Path) -> None:
    """Over TLS, with --ca naming the authority: the page; without it: failure."""
    trustme = pytest.importorskip("trustme")
    from torsion.internet.ssl import PrivateCertificate
    from torsion.protocols.tls import TLSMemoryBIOFactory
    from torsion.web.server import Site

    authority = trustme.CA()
    leaf = authority.issue_cert("127.0.0.1")
    certificate = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    server = ThreadedServer(
        lambda reactor: TLSMemoryBIOFactory(
            certificate.options(), False, Site(Page(), reactor=reactor)
        )
    )
    try:
        url = f"https://127.0.0.1:{server.portNumber}/page"
        done = run(program, url, "--ca", str(ca))
        assert (done.returncode, done.stdout) == (0, "200 OK\nline one\nline two\n")
        refused = run(program, url)
        assert refused.returncode == 1
        assert "certificate verify failed" in refused.stderr
    finally:
        server.stop()
