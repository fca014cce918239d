"""
STARTTLS: a line protocol that starts in plaintext and upgrades the same
connection to TLS, as SMTP, IMAP and XMPP do.

Run the server:  python examples/starttls_demo.py serve --cert server.pem
                                                 [--port PORT] [--interface ADDRESS]
Run a client:    python examples/starttls_demo.py talk --connect HOST:PORT
                                                 [--ca ca.pem] [--host NAME] MESSAGE...

The conversation (one line each way, "\\n"-terminated):

    S: 220 starttls_demo ready
    C: STARTTLS
    S: 220 go ahead                  (the last plaintext line)
    -- TLS handshake; everything after this is encrypted --
    C: SAY hello                     (refused with 530 before STARTTLS)
    S: 250 you said: hello
    C: QUIT
    S: 221 bye                       (the server closes, with close_notify)

The server (key and certificate chain in server.pem, as for
tls_echo_server.py) prints `STARTTLS server listening on ADDRESS:PORT`,
then one line per connection that fails, and serves until Ctrl-C or
SIGTERM.  The client prints the transcript as above, with a
`-- TLS started, certificate verified for NAME` line once its handshake
completes; it exits 0 after `221 bye`, and 1 (saying why on standard
error) if the server's certificate is not valid for NAME (by default the
HOST of --connect) or does not chain to an authority in ca.pem.

Whatever a client sent after its STARTTLS line, in the same packet, is
handed to the TLS handshake by startTLS, never read as commands of the
encrypted conversation: a man in the middle cannot inject plaintext
commands that the server would then trust (the STARTTLS command injection
attack).

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import ssl
import sys
from typing import Any

from zope.interface import implementer

from torsion.internet import defer, task
from torsion.internet.error import ConnectionDone
from torsion.internet.interfaces import IHandshakeListener
from torsion.internet.protocol import ClientCreator, Factory, connectionDone
from torsion.internet.ssl import (
    Certificate,
    PrivateCertificate,
    optionsForClientTLS,
    platformTrust,
)
from torsion.protocols.basic import LineReceiver
from torsion.python.failure import Failure

# --- the server ----------------------------------------------------------------


class StartTLSServer(LineReceiver):
    """
    Greets, upgrades to TLS on C{STARTTLS}, then answers C{SAY} lines.
    """

    delimiter = b"\n"
    factory: StartTLSFactory

    def connectionMade(self) -> None:
        self.sendLine(b"220 starttls_demo ready")

    def lineReceived(self, line: bytes) -> None:
        command, _, argument = line.rstrip(b"\r").partition(b" ")
        command = command.upper()
        if command == b"STARTTLS":
            if self.transport.TLS:
                self.sendLine(b"503 TLS already started")
                return
            self.sendLine(b"220 go ahead")
            # Plaintext already written goes out first; whatever the client
            # sent after STARTTLS belongs to the handshake.
            self.transport.startTLS(self.factory.tlsOptions)
        elif command == b"SAY":
            if not self.transport.TLS:
                self.sendLine(b"530 send STARTTLS first")
            else:
                self.sendLine(b"250 you said: " + argument)
        elif command == b"QUIT":
            self.sendLine(b"221 bye")
            self.transport.loseConnection()
        else:
            self.sendLine(b"500 unknown command")

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if not reason.check(ConnectionDone):
            peer = self.transport.getPeer()
            print(
                f"connection from {peer.host}:{peer.port} failed: {reason.getErrorMessage()}",
                flush=True,
            )


class StartTLSFactory(Factory):
    """
    Builds a L{StartTLSServer} per connection.

    @ivar tlsOptions: The server's TLS settings, used at STARTTLS.
    """

    protocol = StartTLSServer
    noisy = False

    def __init__(self, tlsOptions: Any) -> None:
        self.tlsOptions = tlsOptions


def serve(options: argparse.Namespace) -> None:
    with open(options.cert, "rb") as f:
        certificate = PrivateCertificate.loadPEM(f.read())

    from torsion.internet import reactor

    port = reactor.listenTCP(
        options.port, StartTLSFactory(certificate.options()), interface=options.interface
    )
    address = port.getHost()
    print(f"STARTTLS server listening on {address.host}:{address.port}", flush=True)
    reactor.run()


# --- the client ----------------------------------------------------------------


@implementer(IHandshakeListener)
class StartTLSClient(LineReceiver):
    """
    Upgrades to TLS, says its messages, quits; prints the transcript.
    C{done} fires once the server said goodbye, or fails with the reason
    the conversation broke off.
    """

    delimiter = b"\n"

    def __init__(self, tlsOptions: Any, name: str, messages: list[str]) -> None:
        self.tlsOptions = tlsOptions
        self.name = name
        self.messages = messages
        self.answers = 0
        self.finished = False
        self.done: defer.Deferred[None] = defer.Deferred()

    def send(self, line: str) -> None:
        print(f"C: {line}", flush=True)
        self.sendLine(line.encode("utf-8"))

    def lineReceived(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace")
        print(f"S: {text}", flush=True)
        if text.startswith("220 starttls_demo"):
            self.send("STARTTLS")
        elif text == "220 go ahead":
            self.transport.startTLS(self.tlsOptions)
        elif text.startswith("250 "):
            self.answers += 1
            if self.answers == len(self.messages):
                self.send("QUIT")
        elif text == "221 bye":
            self.finished = True
        else:
            self.transport.loseConnection()

    def handshakeCompleted(self) -> None:
        print(f"-- TLS started, certificate verified for {self.name}", flush=True)
        for message in self.messages:
            self.send(f"SAY {message}")

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.finished:
            self.done.callback(None)
        elif reason.check(ConnectionDone):
            self.done.errback(RuntimeError("the server closed the connection unexpectedly"))
        else:
            self.done.errback(reason)


async def talk(reactor: Any, options: argparse.Namespace) -> None:
    host, _, port = options.connect.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--connect takes HOST:PORT, e.g. 127.0.0.1:8025, not {options.connect!r}")
    host = host.removeprefix("[").removesuffix("]")
    name = options.host or host
    if options.ca is None:
        trustRoot: Any = platformTrust()
    else:
        with open(options.ca, "rb") as f:
            trustRoot = Certificate.loadPEM(f.read())
    creator = ClientCreator(
        reactor,
        StartTLSClient,
        optionsForClientTLS(name, trustRoot=trustRoot),
        name,
        options.messages,
    )
    client = await creator.connectTCP(host, int(port), timeout=options.timeout)
    await client.done


def describe(failure: Failure) -> str:
    """
    A one-line reason: for a rejected certificate, what OpenSSL found wrong.
    """
    error = failure.value
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {error.verify_message}"
    return failure.getErrorMessage()


def runClient(reactor: Any, options: argparse.Namespace) -> defer.Deferred[None]:
    """
    Run the client until the conversation ends; exit 1 if it fails.
    """
    d = defer.ensureDeferred(talk(reactor, options))

    def report(failure: Failure) -> None:
        print(f"starttls_demo: {describe(failure)}", file=sys.stderr, flush=True)
        raise SystemExit(1)

    return d.addErrback(report)


def parseArguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A STARTTLS server and client.")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("serve", help="run the server")
    server.add_argument("--cert", required=True, help="PEM key and certificate chain")
    server.add_argument("--port", type=int, default=8025, help="0 picks a free port")
    server.add_argument("--interface", default="127.0.0.1")
    client = commands.add_parser("talk", help="run a client")
    client.add_argument("--connect", required=True, metavar="HOST:PORT")
    client.add_argument("--host", help="the name to verify the certificate against")
    client.add_argument("--ca", help="PEM certificate of the authority to trust")
    client.add_argument("--timeout", type=float, default=10.0)
    client.add_argument("messages", nargs="+", metavar="MESSAGE")
    return parser.parse_args(argv)


def main() -> None:
    options = parseArguments(sys.argv[1:])
    if options.command == "serve":
        serve(options)
    else:
        task.react(runClient, [options])


if __name__ == "__main__":
    main()
