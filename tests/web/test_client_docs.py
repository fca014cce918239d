"""
The examples of C{docs/web-client.md} run, against a torsion L{Site} on
127.0.0.1 instead of the example.com URLs they name.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from zope.interface.verify import verifyObject

from tests.web.test_client_support import Echo, SiteServer
from torsion.internet.ssl import PrivateCertificate
from torsion.web.client import Agent, readBody
from torsion.web.iweb import IAgent
from torsion.web.resource import Resource

DOCS = Path(__file__).resolve().parents[2] / "docs" / "web-client.md"


class Search(Resource):
    """Answers /search?q=... with JSON naming the query."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        if request.path == b"/search":
            return json.dumps({"q": request.args[b"q"][0].decode()}).encode()
        request.setResponseCode(404)
        return b"no"


def examples(base: bytes) -> dict[str, Any]:
    """Run every Python block of the page, with example.com swapped for C{base}."""
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    page = DOCS.read_text(encoding="utf-8").replace("https://example.com", base.decode())
    blocks = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    assert len(blocks) == 5
    for block in blocks:
        exec(compile(block, str(DOCS), "exec"), namespace)
    return namespace


async def test_examples(reactor: Any) -> None:
    """The first example prints status and size; the others do what they say."""
    server = SiteServer(reactor, Search())
    namespace = examples(server.url(b"").rstrip(b"/"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await namespace["main"](reactor)
    assert out.getvalue() == "404 b'Not Found' [b'text/html']\n2 bytes\n"
    assert await namespace["search"]("torsion") == {"q": "torsion"}
    assert verifyObject(IAgent, namespace["browserish"](reactor))
    await server.stop()


async def test_upload(reactor: Any) -> None:
    """The upload example PUTs its bytes."""
    server = SiteServer(reactor, Echo())
    namespace = examples(b"http://unused")
    code = await namespace["upload"](Agent(reactor), server.url(b"/u"), b"data")
    assert code == 200
    await server.stop()


async def test_privateAgent(reactor: Any) -> None:
    """The agent trusting a private authority fetches from a server it certified."""
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    leaf = authority.issue_cert("127.0.0.1")
    certificate = PrivateCertificate.loadPEM(leaf.private_key_and_cert_chain_pem.bytes())
    server = SiteServer(reactor, Echo(), certificate.options())
    namespace = examples(b"http://unused")
    agent = namespace["privateAgent"](reactor, authority.cert_pem.bytes())
    response = await agent.request(b"GET", server.url(b"/tls"))
    assert await readBody(response) == b"hello /tls"
    await server.stop()
