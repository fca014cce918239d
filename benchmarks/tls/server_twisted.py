"""
Twisted's TLS echo server for the TLS benchmark (see bench_tls.py).

A L{Protocol} that writes back what it receives, listening with
C{reactor.listenSSL} on Twisted's default reactor (epoll on Linux), with
C{twisted.internet.ssl.CertificateOptions} (pyOpenSSL) holding the
certificate and key from the files given, TLS 1.3 at least.  Prints the
port on its own line, then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from OpenSSL import crypto
from twisted.internet import ssl
from twisted.internet.protocol import Factory, Protocol


class Echo(Protocol):
    """
    Writes back every byte it receives.
    """

    def dataReceived(self, data: bytes) -> None:
        """
        Send C{data} back.
        """
        assert self.transport is not None
        self.transport.write(data)


def main(reactor: Any) -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("certificate", help="PEM file: the certificate")
    parser.add_argument("key", help="PEM file: its private key")
    options = parser.parse_args()
    key = crypto.load_privatekey(crypto.FILETYPE_PEM, Path(options.key).read_bytes())
    certificate = crypto.load_certificate(
        crypto.FILETYPE_PEM, Path(options.certificate).read_bytes()
    )
    settings = ssl.CertificateOptions(
        privateKey=key, certificate=certificate, raiseMinimumTo=ssl.TLSVersion.TLSv1_3
    )
    port = reactor.listenSSL(
        0, Factory.forProtocol(Echo), settings, backlog=128, interface="127.0.0.1"
    )
    print(port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    from twisted.internet import reactor

    main(reactor)
