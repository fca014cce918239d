"""
torsion's TLS echo server for the TLS benchmark (see bench_tls.py).

A L{Protocol} that writes back what it receives, listening with
C{reactor.listenSSL} on the default reactor (epoll on Linux).  The TLS
settings are an old-style context factory: an object whose C{getContext()}
returns a standard library C{ssl.SSLContext} (TLS 1.3 at least, the
certificate and key from the files given).  Prints the port on its own
line, then serves until SIGTERM.  With C{--profile FILE} it runs under
cProfile and writes the statistics to C{FILE} when it stops.
"""

from __future__ import annotations

import argparse
import cProfile
import ssl
from typing import Any

from torsion.internet.protocol import Factory, Protocol


class Echo(Protocol):
    """
    Writes back every byte it receives.
    """

    def dataReceived(self, data: bytes) -> None:
        """
        Send C{data} back.
        """
        self.transport.write(data)


class ContextFactory:
    """
    The old-style TLS settings object: C{getContext()} returns one context.
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        """
        @param context: The context every connection uses.
        """
        self._context = context

    def getContext(self) -> ssl.SSLContext:
        """
        @return: The server's context.
        """
        return self._context


def main(reactor: Any) -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("certificate", help="PEM file: the certificate (chain)")
    parser.add_argument("key", help="PEM file: its private key")
    parser.add_argument("--profile", metavar="FILE", help="run under cProfile, save stats here")
    options = parser.parse_args()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(options.certificate, options.key)
    port = reactor.listenSSL(
        0, Factory.forProtocol(Echo), ContextFactory(context), backlog=128, interface="127.0.0.1"
    )
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
