"""
A reverse proxy: a torsion.web.server.Site on 127.0.0.1 that forwards
every request to a backend HTTP server on 127.0.0.1 and streams the
answers back (torsion.web.proxy.ReverseProxyResource).

    /<anything>     forwarded to http://127.0.0.1:<backend-port>/<anything>,
                    with its query, headers and body; a backend that is
                    down gets the client a 502 Bad Gateway

Run: python examples/web_reverse_proxy.py --backend-port 8081 [--port 8080]
With --port 0 the system picks a free port; the program prints
"listening on http://127.0.0.1:<port>/" once it accepts connections, then
serves until interrupted.  Try, with any server on port 8081:
    curl -i http://127.0.0.1:<port>/some/path?x=1
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from torsion.web.proxy import ReverseProxyResource
from torsion.web.server import Site


def build(backendPort: int, reactor: Any) -> Site:
    """
    The proxy's site.

    @param backendPort: The backend's port on 127.0.0.1.
    @param reactor: The reactor that connects to the backend.
    @return: A L{Site} whose root forwards everything to the backend.
    """
    return Site(ReverseProxyResource("127.0.0.1", backendPort, b"", reactor=reactor))


def main(argv: list[str]) -> None:
    """
    Proxy on 127.0.0.1 until interrupted.

    @param argv: The command line's arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="0 for any free port")
    parser.add_argument(
        "--backend-port", type=int, required=True, help="the backend's port on 127.0.0.1"
    )
    options = parser.parse_args(argv)
    from torsion.internet import reactor

    site = build(options.backend_port, reactor)
    port = reactor.listenTCP(options.port, site, interface="127.0.0.1")
    print(f"listening on http://127.0.0.1:{port.getHost().port}/", flush=True)
    reactor.run()


if __name__ == "__main__":
    main(sys.argv[1:])
