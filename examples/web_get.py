"""
Fetch a URL with the HTTP client and print the status line and the body.

Run: python examples/web_get.py URL [--ca ca.pem] [--timeout SECONDS]

It sends a GET for URL (http or https), prints the status code and phrase
on the first line, e.g. ``200 OK``, then the body as received, and exits 0
whatever the status.  For https the server's certificate must chain to an
authority in ca.pem (without --ca, the platform's authorities) and be
valid for the URL's host.  If the request fails (the server cannot be
reached, the certificate does not verify, no answer within --timeout
seconds), it prints why on standard error and exits 1.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from torsion.internet import task
from torsion.internet.defer import Deferred
from torsion.internet.ssl import Certificate
from torsion.web.client import Agent, BrowserLikePolicyForHTTPS, PartialDownloadError, readBody


async def fetch(reactor: Any, url: bytes, ca: str | None, timeout: float) -> int:
    """
    GET C{url}; print the status line and the body.

    @return: The exit status: 0 once a response arrived, 1 on failure.
    """
    trustRoot = None
    if ca is not None:
        with open(ca, "rb") as pem:
            trustRoot = Certificate.loadPEM(pem.read())
    agent = Agent(reactor, BrowserLikePolicyForHTTPS(trustRoot=trustRoot), connectTimeout=timeout)

    async def get() -> tuple[Any, bytes]:
        response = await agent.request(b"GET", url)
        try:
            body = await readBody(response)
        except PartialDownloadError as partial:
            # The server ended a body of unstated length by closing the
            # connection, as HTTP/1.0 servers do: print what arrived.
            body = partial.response or b""
        return response, body

    d = Deferred.fromCoroutine(get())
    # Cancelling the request aborts its connection.
    d.addTimeout(timeout, reactor)
    try:
        response, body = await d
    except Exception as error:
        print(f"web_get: {error}", file=sys.stderr)
        return 1
    print(response.code, response.phrase.decode("latin-1"))
    sys.stdout.flush()
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return 0


def main(reactor: Any, *argv: str) -> Any:
    """
    Parse the command line and fetch.
    """
    parser = argparse.ArgumentParser(description="Print the status and body of a URL.")
    parser.add_argument("url")
    parser.add_argument("--ca", help="PEM file of the authorities to trust for https")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait")
    args = parser.parse_args(argv)
    d = Deferred.fromCoroutine(fetch(reactor, args.url.encode("ascii"), args.ca, args.timeout))
    return d.addCallback(_exit)


def _exit(status: int) -> None:
    """
    Turn a failing exit status into the exit of C{react}.
    """
    if status:
        raise SystemExit(status)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
