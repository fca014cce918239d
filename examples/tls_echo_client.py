"""
A TLS echo client: sends lines to a TLS echo server over a verified
connection and prints what comes back.

Run: python examples/tls_echo_client.py --connect HOST:PORT [--ca ca.pem]
                                        [--host NAME] [--timeout SECONDS]
                                        [LINE...]

It sends each LINE (or, with none given, each line of standard input, read
to its end first), prints each echoed line, closes the connection with a
TLS close_notify and exits 0.

The server's certificate must chain to an authority in ca.pem (one or more
PEM certificates; without --ca, the platform's authorities) and be valid
for NAME (by default the HOST of --connect; a DNS name or an IP address).
If it is not, the client prints why on standard error, e.g.

    tls_echo_client: certificate verify failed: Hostname mismatch,
    certificate is not valid for 'example.org'

and exits 1, as it does when the server cannot be reached or stays silent
for --timeout seconds.  Try it against examples/tls_echo_server.py.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import re
import ssl
import sys
from typing import Any

from torsion.internet import defer, task
from torsion.internet.error import ConnectionDone
from torsion.internet.protocol import ClientCreator, connectionDone
from torsion.internet.ssl import (
    Certificate,
    optionsForClientTLS,
    platformTrust,
    trustRootFromCertificates,
)
from torsion.protocols.basic import LineReceiver
from torsion.protocols.policies import TimeoutMixin
from torsion.python.failure import Failure

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)


class EchoClient(TimeoutMixin, LineReceiver):
    """
    Sends its lines and collects the echoes; C{done} fires with them once
    every line came back and the connection closed, or fails with the
    reason it did not.
    """

    delimiter = b"\n"

    def __init__(self, lines: list[str], timeout: float) -> None:
        self.lines = lines
        self.echoes: list[str] = []
        self.idle = timeout
        self.silent = False
        self.done: defer.Deferred[list[str]] = defer.Deferred()

    def connectionMade(self) -> None:
        # Written before the TLS handshake completes: the TLS transport
        # keeps them and sends them encrypted once it has.
        self.setTimeout(self.idle)
        for line in self.lines:
            self.sendLine(line.encode("utf-8"))
        if not self.lines:
            self.transport.loseConnection()

    def lineReceived(self, line: bytes) -> None:
        self.resetTimeout()
        self.echoes.append(line.decode("utf-8", "replace"))
        if len(self.echoes) == len(self.lines):
            self.transport.loseConnection()

    def timeoutConnection(self) -> None:
        self.silent = True
        super().timeoutConnection()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.setTimeout(None)
        if self.silent:
            self.done.errback(
                RuntimeError(f"the server sent nothing for {self.idle:g} seconds; giving up")
            )
        elif len(self.echoes) == len(self.lines):
            self.done.callback(self.echoes)
        elif reason.check(ConnectionDone):
            self.done.errback(
                RuntimeError(
                    f"the server closed the connection after {len(self.echoes)} "
                    f"of {len(self.lines)} echoes"
                )
            )
        else:
            # A TLS error (such as a rejected certificate) or a lost
            # connection.
            self.done.errback(reason)


def loadTrustRoot(path: str | None) -> Any:
    """
    The authorities to trust: every certificate in the PEM file at C{path},
    or the platform's authorities if C{path} is None.

    @raise ValueError: If the file holds no certificate.
    """
    if path is None:
        return platformTrust()
    with open(path, "rb") as f:
        blocks = _PEM_CERTIFICATE.findall(f.read())
    if not blocks:
        raise ValueError(f"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    return trustRootFromCertificates([Certificate.loadPEM(block) for block in blocks])


def splitAddress(address: str) -> tuple[str, int]:
    """
    C{"127.0.0.1:8443"} or C{"[::1]:8443"} as a host and a port.

    @raise ValueError: If C{address} is not HOST:PORT.
    """
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--connect takes HOST:PORT, e.g. 127.0.0.1:8443, not {address!r}")
    return host.removeprefix("[").removesuffix("]"), int(port)


async def run(
    reactor: Any, address: str, name: str | None, ca: str | None, timeout: float, lines: list[str]
) -> None:
    """
    Connect, send the lines, print the echoes.
    """
    host, port = splitAddress(address)
    options = optionsForClientTLS(name or host, trustRoot=loadTrustRoot(ca))
    creator = ClientCreator(reactor, EchoClient, lines, timeout)
    client = await creator.connectSSL(host, port, options, timeout=timeout)
    for echo in await client.done:
        print(echo, flush=True)


def describe(failure: Failure) -> str:
    """
    A one-line reason: for a rejected certificate, what OpenSSL found wrong.
    """
    error = failure.value
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {error.verify_message}"
    return failure.getErrorMessage()


def main(reactor: Any, *argv: str) -> defer.Deferred[None]:
    parser = argparse.ArgumentParser(description="Send lines to a TLS echo server.")
    parser.add_argument("--connect", required=True, metavar="HOST:PORT")
    parser.add_argument("--host", help="the name to verify the certificate against")
    parser.add_argument("--ca", help="PEM file of the authorities to trust")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("lines", nargs="*", metavar="LINE")
    options = parser.parse_args(argv)
    lines = options.lines or sys.stdin.read().splitlines()
    d = defer.ensureDeferred(
        run(reactor, options.connect, options.host, options.ca, options.timeout, lines)
    )

    def report(failure: Failure) -> None:
        print(f"tls_echo_client: {describe(failure)}", file=sys.stderr, flush=True)
        raise SystemExit(1)

    return d.addErrback(report)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
