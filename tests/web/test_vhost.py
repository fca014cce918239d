"""
Tests for C{torsion.web.vhost}: name-based virtual hosts, with
L{DummyRequest} and over real sockets, and L{VHostMonsterResource}.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from typing import Any

import pytest

from tests.web.test_server_support import ThreadedServer, recvAll, serve  # noqa: F401
from torsion.internet.testing import StringTransport
from torsion.web.resource import Resource, getChildForRequest
from torsion.web.server import Site
from torsion.web.testing import DummyRequest
from torsion.web.vhost import NameVirtualHost, VHostMonsterResource, VirtualHostCollection


class Text(Resource):
    """Answers with a fixed text and the path it was reached with."""

    isLeaf = True

    def __init__(self, text: bytes) -> None:
        super().__init__()
        self.text = text

    def render_GET(self, request: Any) -> bytes:
        return self.text + b" " + b"/".join(request.postpath)


def tree(name: bytes) -> Resource:
    """A tree with a front page and a leaf child C{page}."""
    root = Resource()
    root.putChild(b"", Text(name + b" home"))
    root.putChild(b"page", Text(name + b" page"))
    return root


def vhosts() -> NameVirtualHost:
    """Two named hosts, no default."""
    vhost = NameVirtualHost()
    vhost.addHost(b"one.example", tree(b"one"))
    vhost.addHost(b"two.example", tree(b"two"))
    return vhost


def renderFor(root: Any, host: bytes | None, path: list[bytes]) -> tuple[int | None, bytes]:
    """Traverse and render a L{DummyRequest} for C{path} on C{host}."""
    request = DummyRequest(path)
    if host is not None:
        request.requestHeaders.setRawHeaders(b"host", [host])
    resource = getChildForRequest(root, request)
    request.render(resource)
    return request.responseCode, b"".join(request.written)


class NameVirtualHostTests:
    """L{NameVirtualHost} with L{DummyRequest}."""

    def test_routesByName(self) -> None:
        """Each host name gets its own tree."""
        vhost = vhosts()
        assert renderFor(vhost, b"one.example", [b"page"]) == (None, b"one page ")
        assert renderFor(vhost, b"two.example", [b"page"]) == (None, b"two page ")
        assert renderFor(vhost, b"two.example", [b""]) == (None, b"two home ")

    def test_portAndCaseIgnored(self) -> None:
        """The port in I{Host} and the letter case do not matter."""
        vhost = vhosts()
        assert renderFor(vhost, b"ONE.Example:8080", [b"page"]) == (None, b"one page ")

    def test_unknownHostNotFound(self) -> None:
        """Without a default, an unknown host gets a 404 page."""
        code, body = renderFor(vhosts(), b"three.example", [b"page"])
        assert code == 404
        assert b"No such virtual host." in body

    def test_unknownHostDefault(self) -> None:
        """With a default, an unknown host (or no Host at all) goes there."""
        vhost = vhosts()
        vhost.default = tree(b"default")
        assert renderFor(vhost, b"three.example", [b"page"]) == (None, b"default page ")
        assert renderFor(vhost, None, [b"page"]) == (None, b"default page ")

    def test_leafHostGetsWholePath(self) -> None:
        """A leaf host resource renders with the whole path still in C{postpath}."""
        vhost = NameVirtualHost()
        vhost.addHost(b"leaf.example", Text(b"leaf"))
        assert renderFor(vhost, b"leaf.example", [b"a", b"b"]) == (None, b"leaf a/b")

    def test_rootRendered(self) -> None:
        """Rendering the virtual host itself renders the host's root."""
        vhost = NameVirtualHost()
        vhost.addHost(b"leaf.example", Text(b"leaf"))
        request = DummyRequest([])
        request.requestHeaders.setRawHeaders(b"host", [b"leaf.example"])
        request.render(vhost)
        assert request.written == [b"leaf "]

    def test_ipv6Host(self) -> None:
        """An IPv6 literal with a port is matched without the port."""
        vhost = NameVirtualHost()
        vhost.addHost(b"[::1]", tree(b"six"))
        assert renderFor(vhost, b"[::1]:8080", [b"page"]) == (None, b"six page ")

    def test_removeHost(self) -> None:
        """A removed host is unknown again; removing an unknown one is a KeyError."""
        vhost = vhosts()
        vhost.removeHost(b"one.example")
        assert renderFor(vhost, b"one.example", [b"page"])[0] == 404
        with pytest.raises(KeyError):
            vhost.removeHost(b"one.example")

    def test_addHostText(self) -> None:
        """A host name given as text is refused with a hint."""
        with pytest.raises(TypeError, match=r"^NameVirtualHost.addHost\(\) takes the host name"):
            NameVirtualHost().addHost("one.example", Resource())  # type: ignore[arg-type]

    def test_staticEntities(self) -> None:
        """
        The children and then the hosts' collection are listed; the
        collection lists, adds and removes hosts.
        """
        vhost = vhosts()
        child = Resource()
        vhost.putChild(b"c", child)
        assert vhost.getStaticEntity(b"c") is child
        entities = vhost.listStaticEntities()
        assert entities[0] == (b"c", child)
        name, collection = entities[1]
        assert name == "Virtual Hosts"
        assert isinstance(collection, VirtualHostCollection)
        assert isinstance(vhost.getStaticEntity("Virtual Hosts"), VirtualHostCollection)
        assert sorted(n for n, _ in collection.listStaticEntities()) == [
            b"one.example",
            b"two.example",
        ]
        assert collection.getStaticEntity(b"ONE.example") is vhost.hosts[b"one.example"]
        three = Resource()
        collection.reallyPutEntity(b"three.example", three)
        assert vhost.hosts[b"three.example"] is three
        collection.delEntity(b"one.example")
        assert collection.getStaticEntity(b"one.example") is None


class NameVirtualHostSocketTests:
    """L{NameVirtualHost} in a real L{Site} over 127.0.0.1."""

    def test_twoNames(self, serve: Callable[..., ThreadedServer]) -> None:  # noqa: F811
        """Requests naming different hosts on one connection reach different trees."""
        server = serve(vhosts())
        conn = http.client.HTTPConnection("127.0.0.1", server.portNumber, timeout=10)
        bodies = []
        for host in ("one.example", f"two.example:{server.portNumber}", "nope.example"):
            conn.request("GET", "/page", headers={"Host": host})
            response = conn.getresponse()
            bodies.append((response.status, response.read()))
        conn.close()
        assert bodies[0] == (200, b"one page ")
        assert bodies[1] == (200, b"two page ")
        assert bodies[2][0] == 404

    def test_http10WithoutHost(self, serve: Callable[..., ThreadedServer]) -> None:  # noqa: F811
        """An HTTP/1.0 request without I{Host} goes to the default tree."""
        vhost = vhosts()
        vhost.default = tree(b"default")
        server = serve(vhost)
        with server.connect() as sock:
            sock.sendall(b"GET /page HTTP/1.0\r\n\r\n")
            data = recvAll(sock)
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert data.endswith(b"\r\n\r\ndefault page ")


class Where(Resource):
    """Answers with the URL the request believes it was made to."""

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        url: bytes = request.prePathURL()
        host: bytes = request.getRequestHostname()
        return url + b" " + host + b" %d" % request.isSecure()


class VHostMonsterTests:
    """L{VHostMonsterResource} in a L{Site}."""

    def request(self, target: bytes) -> bytes:
        root = Resource()
        root.putChild(b"vhost", VHostMonsterResource())
        root.putChild(b"where", Where())
        channel = Site(root).buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET " + target + b" HTTP/1.1\r\nHost: inner:8080\r\n\r\n")
        return transport.value().partition(b"\r\n\r\n")[2]

    def test_publicHostAndScheme(self) -> None:
        """
        C{/vhost/https/public.example:8443/where} is served by C{/where},
        which sees the public host, port and scheme.
        """
        body = self.request(b"/vhost/https/public.example:8443/where")
        assert body == b"https://public.example:8443/where public.example 1"

    def test_defaultPort(self) -> None:
        """Without a port, the scheme's default port is assumed."""
        body = self.request(b"/vhost/http/public.example/where")
        assert body == b"http://public.example/where public.example 0"

    def test_badPort(self) -> None:
        """A port that is not a number is a 404."""
        channel = Site(VHostMonsterResource()).buildProtocol(None)
        transport = StringTransport()
        channel.makeConnection(transport)
        channel.dataReceived(b"GET /http/h:x/a HTTP/1.1\r\nHost: i\r\n\r\n")
        assert transport.value().startswith(b"HTTP/1.1 404 ")


def test_publicModule() -> None:
    """The classes report the public module."""
    assert NameVirtualHost.__module__ == "torsion.web.vhost"
    assert VHostMonsterResource.__module__ == "torsion.web.vhost"


def test_docsExamples() -> None:
    """
    The virtual host and forward proxy examples of
    C{docs/web-proxy-vhost.md} build what they say.
    """
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "web-proxy-vhost.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    vhostCode = next(b for b in blocks if "NameVirtualHost()" in b)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(vhostCode, "web-proxy-vhost.md", "exec"), namespace)
    assert set(namespace["root"].hosts) == {b"blog.example.com", b"shop.example.com"}
    assert namespace["site"].resource is namespace["root"]
    proxyCode = next(b for b in blocks if "factory.protocol = Proxy" in b)
    exec(compile(proxyCode, "web-proxy-vhost.md", "exec"), namespace)
    assert namespace["factory"].protocol.__name__ == "Proxy"
