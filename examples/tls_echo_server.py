"""
A TLS echo server: every byte a client sends comes straight back, encrypted.

Run: python examples/tls_echo_server.py --cert server.pem [--port PORT]
                                        [--interface ADDRESS]

server.pem holds the server's private key and its certificate chain (the
certificate first, then any intermediates), in PEM, in any order.  The
server prints `TLS echo server listening on ADDRESS:PORT` once it listens
(with --port 0 the system picks a free port, and that line says which),
then serves until Ctrl-C or SIGTERM.  A connection that fails (a client
that rejects the certificate, does not speak TLS, or goes away without a
TLS close_notify) is reported on one line:
`connection from HOST:PORT failed: REASON`.

To try it with a throwaway certificate authority (pip install trustme):

    python -m trustme -i localhost 127.0.0.1   # server.key, server.pem, client.pem
    cat server.key server.pem > tls-server.pem
    python examples/tls_echo_server.py --cert tls-server.pem --port 8443
    python examples/tls_echo_client.py --ca client.pem --connect 127.0.0.1:8443 hi
    openssl s_client -connect 127.0.0.1:8443 -CAfile client.pem

(trustme writes the key and the certificate to separate files, and the
authority's certificate, which clients trust, to client.pem.)

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse

from torsion.internet.error import ConnectionDone
from torsion.internet.protocol import Factory, Protocol, connectionDone
from torsion.internet.ssl import PrivateCertificate
from torsion.python.failure import Failure


class Echo(Protocol):
    """
    Sends back what it receives; reports connections that end badly.
    """

    def dataReceived(self, data: bytes) -> None:
        self.transport.write(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if not reason.check(ConnectionDone):
            peer = self.transport.getPeer()
            print(
                f"connection from {peer.host}:{peer.port} failed: {reason.getErrorMessage()}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description="Echo every byte back to TLS clients.")
    parser.add_argument(
        "--cert", required=True, help="PEM file with the private key and certificate chain"
    )
    parser.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    parser.add_argument("--interface", default="127.0.0.1")
    options = parser.parse_args()

    with open(options.cert, "rb") as f:
        certificate = PrivateCertificate.loadPEM(f.read())

    from torsion.internet import reactor

    factory = Factory.forProtocol(Echo)
    factory.noisy = False
    port = reactor.listenSSL(
        options.port, factory, certificate.options(), interface=options.interface
    )
    address = port.getHost()
    print(f"TLS echo server listening on {address.host}:{address.port}", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
