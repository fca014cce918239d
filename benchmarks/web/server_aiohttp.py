"""
aiohttp's web server for the web benchmark (see bench_web.py).

A C{web.Application} on asyncio's default event loop with the same two
routes as the torsion and Twisted servers: C{GET /hello} answers
C{b"Hello, world!"}, and C{/static/} serves the directory given with
C{--directory} (aiohttp's static route, which answers with a
C{web.FileResponse}).  Prints the port on its own line, then serves until
SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    """
    @return: A response whose body is C{b"Hello, world!"}.
    """
    return web.Response(body=b"Hello, world!")


async def serve(directory: str) -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_static("/static", directory)
    runner = web.AppRunner(app)
    await runner.setup()
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, listening, backlog=1024)
    await site.start()
    print(listening.getsockname()[1], flush=True)
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    await stopped.wait()
    await runner.cleanup()


def main() -> None:
    """
    Parse the command line and serve.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--directory", required=True, help="directory served under /static/")
    options = parser.parse_args()
    asyncio.run(serve(options.directory))


if __name__ == "__main__":
    main()
