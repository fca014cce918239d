"""
Twisted's web server (twisted.web) for the web benchmark (see bench_web.py).

A L{Site} on the epoll reactor whose root has two children: C{hello}, a
leaf L{Resource} whose C{render_GET} returns C{b"Hello, world!"}, and
C{static}, a L{File} serving the directory given with C{--directory}.
The same program as C{server_torsion.py} with C{twisted} in the imports.
Prints the port on its own line, then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
from typing import Any

from twisted.internet import epollreactor

epollreactor.install()  # type: ignore[no-untyped-call]

from twisted.web.resource import Resource  # noqa: E402
from twisted.web.server import Request, Site  # noqa: E402
from twisted.web.static import File  # noqa: E402


class Hello(Resource):
    """
    Answers every GET with the same thirteen bytes.
    """

    isLeaf = True

    def render_GET(self, request: Request) -> bytes:
        """
        @return: C{b"Hello, world!"}.
        """
        return b"Hello, world!"


def main(reactor: Any) -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--directory", required=True, help="directory served under /static/")
    options = parser.parse_args()
    # twisted.web is not annotated.
    root = Resource()  # type: ignore[no-untyped-call]
    root.putChild(b"hello", Hello())  # type: ignore[no-untyped-call]
    root.putChild(b"static", File(options.directory))
    site = Site(root)  # type: ignore[no-untyped-call]
    port = reactor.listenTCP(0, site, interface="127.0.0.1", backlog=1024)
    print(port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    from twisted.internet import reactor

    main(reactor)
