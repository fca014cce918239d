"""
A Flask application served by torsion's web server: a
torsion.web.wsgi.WSGIResource runs it in the reactor's thread pool.

    /                   a greeting (text/plain)
    /hello/<name>       a greeting for the name in the URL, as JSON
    /add                POST a JSON object {"a": 1, "b": 2}: answers its sum
    /count/<n>          streams the numbers 1..n, one line each, as they are made

Run: python examples/wsgi_app.py [--port 8080]
With --port 0 the system picks a free port; the program prints
"listening on http://127.0.0.1:<port>/" once it accepts connections, then
serves until interrupted.  Try: curl http://127.0.0.1:<port>/hello/you
(Flask must be installed: pip install flask.)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, jsonify, request

from torsion.web.server import Site
from torsion.web.wsgi import WSGIResource

app = Flask(__name__)


@app.get("/")
def home() -> Response:
    """The front page."""
    return Response("Hello from Flask on torsion!\n", mimetype="text/plain")


@app.get("/hello/<name>")
def hello(name: str) -> Response:
    """A greeting for one name from the URL."""
    return jsonify(greeting=f"Hello, {name}!")


@app.post("/add")
def add() -> Response:
    """The sum of the posted JSON object's a and b."""
    numbers = request.get_json(force=True)
    return jsonify(sum=numbers["a"] + numbers["b"])


@app.get("/count/<int:n>")
def count(n: int) -> Response:
    """The numbers 1..n, streamed: each line is sent as it is made."""

    def lines() -> Iterator[str]:
        for i in range(1, n + 1):
            yield f"{i}\n"

    return Response(lines(), mimetype="text/plain")


def build(reactor: Any) -> Site:
    """
    The site.

    @param reactor: The reactor whose thread pool runs the application.
    @return: A L{Site} serving the Flask app at its root.
    """
    return Site(WSGIResource(reactor, reactor.getThreadPool(), app), reactor=reactor)


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
