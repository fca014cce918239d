"""
A static web server: serves one directory over HTTP on 127.0.0.1.

Run: python examples/web_static.py DIRECTORY [--port PORT] [--interface ADDRESS]
                                             [--follow-symlinks]

It prints `serving DIRECTORY on http://ADDRESS:PORT/` once it listens (with
--port 0 the system picks a free port, and that line says which), then
serves until Ctrl-C or SIGTERM.  Try:

    curl -i http://127.0.0.1:PORT/                 # the listing
    curl -r 0-99 http://127.0.0.1:PORT/some.file   # a range
    curl -z some.file http://127.0.0.1:PORT/some.file  # conditional

Files with an unknown extension are sent as application/octet-stream (not
Twisted's default text/html), so that nothing in the directory renders as
a page by accident.  Symlinks that lead out of the directory are refused
unless --follow-symlinks is given.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same (Twisted's File has no followSymlinks; leave
that flag off).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from torsion.web.server import Site
from torsion.web.static import File


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a directory over HTTP.")
    parser.add_argument("directory", help="the directory to serve")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument(
        "--follow-symlinks", action="store_true", help="serve symlinks leading outside too"
    )
    options = parser.parse_args()
    if not os.path.isdir(options.directory):
        parser.error(f"{options.directory!r} is not a directory; give one to serve")

    from torsion.internet import reactor

    extra: dict[str, Any] = {"followSymlinks": True} if options.follow_symlinks else {}
    root = File(os.path.abspath(options.directory), "application/octet-stream", **extra)
    site = Site(root)
    port = reactor.listenTCP(options.port, site, interface=options.interface)
    address = port.getHost()
    print(
        f"serving {options.directory} on http://{address.host}:{address.port}/",
        flush=True,
    )
    reactor.run()


if __name__ == "__main__":
    main()
