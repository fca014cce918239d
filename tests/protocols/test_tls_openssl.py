"""
torsion's TLS against a real third-party peer: the C{openssl} command line
tool (C{s_client} against a torsion server, a torsion client against
C{s_server}).
"""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
import trustme
from zope.interface import implementer

from tests.helpers import requireTool
from tests.internet.reactors import runReactor
from tests.protocols.tlsfixtures import (
    HOSTNAME,
    ClientContextFactory,
    ServerContextFactory,
    authority,
    serverCertificate,
)
from torsion.internet import threads
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.epollreactor import EPollReactor
from torsion.internet.interfaces import IHandshakeListener
from torsion.internet.protocol import ClientFactory, Factory, Protocol, connectionDone
from torsion.protocols.basic import LineReceiver
from torsion.python.failure import Failure

#: Bounds a peer process only to catch a broken test.
PEER_TIMEOUT = 30


@pytest.fixture
def reactor() -> Any:
    """
    A fresh epoll reactor (these tests are about the peer, not the backend).
    """
    made = EPollReactor()
    yield made
    made.waker.close()


@pytest.fixture
def pems(tmp_path: Path) -> dict[str, Path]:
    """
    The test CA's certificate and the server's key and chain, as files.
    """
    ca = tmp_path / "ca.pem"
    server = tmp_path / "server.pem"
    authority().cert_pem.write_to_path(str(ca))
    serverCertificate().private_key_and_cert_chain_pem.write_to_path(str(server))
    return {"ca": ca, "server": server}


class UpperEcho(LineReceiver):
    """
    Answers each line in upper case; closes (with close_notify) after
    C{bye}.
    """

    delimiter = b"\n"
    versions: list[str] = []

    def lineReceived(self, line: bytes) -> None:
        self.versions.append(self.transport.getHandle().version())
        self.sendLine(line.upper())
        if line == b"bye":
            self.transport.loseConnection()


def runClients(reactor: PollingReactor, *runs: tuple[list[str], bytes]) -> Any:
    """
    Run each C{(argv, stdin)} in turn, in a thread of C{reactor}'s pool
    while the reactor runs; stop the reactor when the last exits.

    @return: Their C{subprocess.CompletedProcess}es.
    """
    results: list[Any] = []

    def run() -> list[subprocess.CompletedProcess[bytes]]:
        return [
            subprocess.run(
                argv, check=False, input=stdin, capture_output=True, timeout=PEER_TIMEOUT
            )
            for argv, stdin in runs
        ]

    def done(result: Any) -> None:
        results.append(result)
        reactor.stop()

    threads.deferToThreadPool(reactor, reactor.getThreadPool(), run).addBoth(done)
    runReactor(reactor, timeout=PEER_TIMEOUT + 5)
    result = results[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result


class SClientTests:
    def test_sClientTalksToTorsionServer(
        self, reactor: PollingReactor, pems: dict[str, Path]
    ) -> None:
        """
        C{openssl s_client}, verifying the server against the test CA and
        its name, exchanges lines with a torsion TLS server over TLS 1.3,
        and over TLS 1.2 when it insists.
        """
        openssl = requireTool("openssl")
        UpperEcho.versions = []
        port = reactor.listenSSL(
            0, Factory.forProtocol(UpperEcho), ServerContextFactory(), interface="127.0.0.1"
        )
        base = [
            openssl,
            "s_client",
            "-connect",
            f"127.0.0.1:{port.getHost().port}",
            "-servername",
            HOSTNAME,
            "-verify_hostname",
            HOSTNAME,
            "-CAfile",
            str(pems["ca"]),
            "-verify_return_error",
            "-quiet",
        ]
        results = runClients(
            reactor, ([*base, "-tls1_3"], b"hello\nbye\n"), ([*base, "-tls1_2"], b"two\nbye\n")
        )
        assert [r.returncode for r in results] == [0, 0], results[0].stderr + results[1].stderr
        assert [r.stdout for r in results] == [b"HELLO\nBYE\n", b"TWO\nBYE\n"]
        assert UpperEcho.versions == ["TLSv1.3", "TLSv1.3", "TLSv1.2", "TLSv1.2"]

    def test_sClientRejectsUntrustedServer(
        self, reactor: PollingReactor, pems: dict[str, Path]
    ) -> None:
        """
        C{s_client} that does not trust the server's CA aborts the
        handshake; the torsion server logs nothing fatal and serves the
        next (trusting) client.
        """
        openssl = requireTool("openssl")
        otherCA = pems["ca"].parent / "other-ca.pem"
        trustme.CA().cert_pem.write_to_path(str(otherCA))
        lost: list[Failure] = []

        class Server(UpperEcho):
            def connectionLost(self, reason: Failure = connectionDone) -> None:
                lost.append(reason)

        port = reactor.listenSSL(
            0, Factory.forProtocol(Server), ServerContextFactory(), interface="127.0.0.1"
        )
        base = [openssl, "s_client", "-connect", f"127.0.0.1:{port.getHost().port}"]
        base += ["-servername", HOSTNAME, "-verify_return_error", "-quiet"]
        refused, served = runClients(
            reactor,
            ([*base, "-CAfile", str(otherCA)], b"hello\nbye\n"),
            ([*base, "-CAfile", str(pems["ca"])], b"again\nbye\n"),
        )
        assert refused.returncode != 0
        assert b"verify error" in refused.stderr
        assert isinstance(lost[0].value, ssl.SSLError)
        assert "UNKNOWN_CA" in str(lost[0].value).upper()
        assert served.stdout == b"AGAIN\nBYE\n"

    def test_clientCertificateRequired(
        self, reactor: PollingReactor, pems: dict[str, Path], tmp_path: Path
    ) -> None:
        """
        A torsion server that requires client certificates accepts
        C{s_client} presenting one signed by the CA it trusts (and sees who
        it is), and refuses C{s_client} presenting none.
        """
        openssl = requireTool("openssl")
        clientPem = tmp_path / "client.pem"
        authority().issue_cert("client@example.test").private_key_and_cert_chain_pem.write_to_path(
            str(clientPem)
        )
        peers: list[Any] = []

        class Mutual(ServerContextFactory):
            def getContext(self) -> ssl.SSLContext:
                context = super().getContext()
                context.verify_mode = ssl.CERT_REQUIRED
                authority().configure_trust(context)
                return context

        lost: list[Failure] = []

        @implementer(IHandshakeListener)
        class Server(UpperEcho):
            def handshakeCompleted(self) -> None:
                peers.append(self.transport.getHandle().getpeercert()["subjectAltName"])

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                lost.append(reason)

        port = reactor.listenSSL(0, Factory.forProtocol(Server), Mutual(), interface="127.0.0.1")
        base = [openssl, "s_client", "-connect", f"127.0.0.1:{port.getHost().port}"]
        base += ["-servername", HOSTNAME, "-CAfile", str(pems["ca"]), "-quiet"]
        accepted, refused = runClients(
            reactor, ([*base, "-cert", str(clientPem)], b"me\nbye\n"), (base, b"anonymous\nbye\n")
        )
        assert accepted.stdout == b"ME\nBYE\n"
        assert peers == [(("email", "client@example.test"),)]
        assert b"ANONYMOUS" not in refused.stdout
        assert peers == [(("email", "client@example.test"),)]
        assert isinstance(lost[1].value, ssl.SSLError)
        assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in str(lost[1].value).upper()


class SServerTests:
    def startServer(
        self, pems: dict[str, Path], *extra: str
    ) -> tuple[subprocess.Popen[bytes], int]:
        """
        Start C{openssl s_server -rev} (which answers each line reversed)
        for one connection, and read the port it took.
        """
        openssl = requireTool("openssl")
        argv = [openssl, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1"]
        argv += ["-cert", str(pems["server"]), "-rev", *extra]
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        assert process.stdout is not None
        for _ in range(20):
            line = process.stdout.readline()
            if line.startswith(b"ACCEPT"):
                return process, int(line.rsplit(b":", 1)[1])
            if not line:
                break
        process.kill()
        raise AssertionError(f"s_server did not start: {line!r}")

    def test_torsionClientTalksToSServer(
        self, reactor: PollingReactor, pems: dict[str, Path]
    ) -> None:
        """
        A torsion TLS client verifies C{openssl s_server}'s certificate,
        sends a line, and gets it back reversed.
        """
        process, portNumber = self.startServer(pems)
        got: list[bytes] = []

        class Client(LineReceiver):
            delimiter = b"\n"

            def connectionMade(self) -> None:
                self.sendLine(b"hello torsion")

            def lineReceived(self, line: bytes) -> None:
                got.append(line)
                self.transport.loseConnection()

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                got.append(self.transport.getHandle().version().encode())
                reactor.stop()

        factory = ClientFactory.forProtocol(Client)
        try:
            reactor.connectSSL("127.0.0.1", portNumber, factory, ClientContextFactory())
            runReactor(reactor, timeout=PEER_TIMEOUT)
            assert process.wait(PEER_TIMEOUT) == 0
        finally:
            process.kill()
            process.wait()
        assert got == [b"noisrot olleh", b"TLSv1.3"]

    def test_torsionClientRejectsUntrustedSServer(
        self, reactor: PollingReactor, pems: dict[str, Path]
    ) -> None:
        """
        A torsion client that does not trust C{s_server}'s certificate fails
        the connection with a verification error and sends nothing.
        """
        process, portNumber = self.startServer(pems)
        reasons: list[Failure] = []

        class Client(Protocol):
            def connectionMade(self) -> None:
                self.transport.write(b"secret\n")

            def connectionLost(self, reason: Failure = connectionDone) -> None:
                reasons.append(reason)
                reactor.stop()

        factory = ClientFactory.forProtocol(Client)
        try:
            reactor.connectSSL("127.0.0.1", portNumber, factory, ClientContextFactory(False))
            runReactor(reactor, timeout=PEER_TIMEOUT)
            assert process.stdout is not None
            output = process.communicate(timeout=PEER_TIMEOUT)[0]
        finally:
            process.kill()
            process.wait()
        assert isinstance(reasons[0].value, ssl.SSLCertVerificationError)
        assert b"secret" not in output
