"""
torsion's web server for the web benchmark (see bench_web.py).

A L{Site} on the epoll reactor whose root has two children: C{hello}, a
leaf L{Resource} whose C{render_GET} returns C{b"Hello, world!"}, and
C{static}, a L{File} serving the directory given with C{--directory}.
Prints the port on its own line, then serves until SIGTERM.  With
C{--profile FILE} it runs under cProfile and writes the statistics to
C{FILE} when it stops.
"""

from __future__ import annotations

import argparse
import cProfile
from typing import Any

from torsion.internet import epollreactor

epollreactor.install()

from torsion.web.resource import Resource  # noqa: E402
from torsion.web.server import Request, Site  # noqa: E402
from torsion.web.static import File  # noqa: E402


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
    parser.add_argument("--profile", metavar="FILE", help="run under cProfile, save stats here")
    options = parser.parse_args()
    root = Resource()
    root.putChild(b"hello", Hello())
    root.putChild(b"static", File(options.directory))
    port = reactor.listenTCP(0, Site(root), interface="127.0.0.1", backlog=1024)
    print(port.getHost().port, flush=True)
    if options.profile:
        profiler = cProfile.Profile()
        profiler.runcall(reactor.run)
        profiler.dump_stats(options.profile)
    else:
        reactor.run()


if __name__ == "__main__":
    from torsion.internet import reactor

    main(reactor)
