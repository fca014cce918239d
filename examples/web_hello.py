"""
A small web server: a torsion.web.server.Site serving a resource tree.

    /               a greeting (text/plain)
    /hello/<name>   a greeting for the name in the URL, escaped into HTML
    /count          a per-visitor counter kept in the session
    /later          an answer written half now, half a tenth of a second
                    later (NOT_DONE_YET; sent chunked)
    /echo           POST: answers with what was posted

Run: python examples/web_hello.py [--port 8080]
With --port 0 the system picks a free port; the program prints
"listening on http://127.0.0.1:<port>/" once it accepts connections, then
serves until interrupted.  Try: curl http://127.0.0.1:<port>/hello/you
"""

from __future__ import annotations

import argparse
import sys
from html import escape
from typing import Any

from torsion.web.iweb import IRequest
from torsion.web.resource import Resource
from torsion.web.server import NOT_DONE_YET, Site


class Home(Resource):
    """The front page."""

    def render_GET(self, request: IRequest) -> bytes:
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return b"Hello from torsion! Try /hello/<name>, /count, /later, POST /echo.\n"


class Greeting(Resource):
    """A greeting for one name from the URL."""

    isLeaf = True

    def render_GET(self, request: IRequest) -> bytes:
        name = b"/".join(request.postpath).decode("utf-8", "replace") or "world"
        return f"<p>Hello, {escape(name)}!</p>\n".encode()


class Count(Resource):
    """Counts the visitor's requests in their session."""

    isLeaf = True

    def render_GET(self, request: IRequest) -> bytes:
        session = request.getSession()
        session.visits = getattr(session, "visits", 0) + 1
        request.setHeader(b"content-type", b"text/plain")
        return b"visit %d\n" % session.visits


class Later(Resource):
    """Answers in two parts, the second from a timer."""

    isLeaf = True

    def __init__(self, reactor: Any) -> None:
        super().__init__()
        self.reactor = reactor

    def render_GET(self, request: IRequest) -> int:
        request.setHeader(b"content-type", b"text/plain")
        request.write(b"part one, ")
        call = self.reactor.callLater(0.1, self._finish, request)
        request.notifyFinish().addErrback(lambda reason: call.cancel())
        return NOT_DONE_YET

    def _finish(self, request: IRequest) -> None:
        request.write(b"part two\n")
        request.finish()


class Echo(Resource):
    """Answers a POST with its body."""

    isLeaf = True

    def render_POST(self, request: IRequest) -> bytes:
        request.setHeader(b"content-type", b"application/octet-stream")
        body: bytes = request.content.read()
        return body


def build(reactor: Any) -> Site:
    """
    The site.

    @param reactor: Its clock and the timers' reactor.
    @return: A L{Site} serving the tree above.
    """
    root = Resource()
    root.putChild(b"", Home())
    root.putChild(b"hello", Greeting())
    root.putChild(b"count", Count())
    root.putChild(b"later", Later(reactor))
    root.putChild(b"echo", Echo())
    return Site(root, reactor=reactor)


def main(argv: list[str]) -> None:
    """
    Serve on 127.0.0.1 until interrupted.

    @param argv: The command line's arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="0 for any free port")
    options = parser.parse_args(argv)
    from torsion.internet import reactor

    port = reactor.listenTCP(options.port, build(reactor), interface="127.0.0.1")
    print(f"listening on http://127.0.0.1:{port.getHost().port}/", flush=True)
    reactor.run()


if __name__ == "__main__":
    main(sys.argv[1:])
