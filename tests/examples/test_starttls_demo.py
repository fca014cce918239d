"""
Tests for C{examples/starttls_demo.py}: its server and client run as
subprocesses on 127.0.0.1 with trustme certificates; a raw socket plays
the attacker who injects plaintext after STARTTLS.  Renamed to use Twisted,
the conversation must go the same (skipped if Twisted is not installed).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import trustme

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted
from tests.examples.test_echo import RUN_TIMEOUT, portOf, readLine, running

DEMO = EXAMPLES / "starttls_demo.py"

TRANSCRIPT = """\
S: 220 starttls_demo ready
C: STARTTLS
S: 220 go ahead
-- TLS started, certificate verified for {name}
C: SAY hello
C: SAY two words
S: 250 you said: hello
S: 250 you said: two words
C: QUIT
S: 221 bye
"""


@pytest.fixture
def pems(tmp_path: Path) -> tuple[Path, Path]:
    """
    The test authority's certificate, and a server key and certificate
    chain for C{localhost} and 127.0.0.1.
    """
    ca = trustme.CA()
    caFile, serverFile = tmp_path / "ca.pem", tmp_path / "server.pem"
    ca.cert_pem.write_to_path(str(caFile))
    ca.issue_cert("localhost", "127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
        str(serverFile)
    )
    return caFile, serverFile


def talk(
    port: int, *args: str, program: Path = DEMO, messages: tuple[str, ...] = ("hello", "two words")
) -> subprocess.CompletedProcess[str]:
    """
    Run the demo's client against 127.0.0.1:C{port}.
    """
    return subprocess.run(
        [sys.executable, str(program), "talk", "--connect", f"127.0.0.1:{port}", *args, *messages],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_conversation(pems: tuple[Path, Path]) -> None:
    """
    The client reads the greeting, sends STARTTLS, upgrades after
    C{220 go ahead}, verifies the certificate for the address (or, with
    --host, the name), says its messages over TLS, quits and exits 0.
    """
    ca, server = pems
    with running(DEMO, "serve", "--cert", str(server), "--port", "0") as (_, first):
        assert re.fullmatch(r"STARTTLS server listening on 127\.0\.0\.1:\d+", first)
        byAddress = talk(portOf(first), "--ca", str(ca))
        byName = talk(portOf(first), "--ca", str(ca), "--host", "localhost")
    assert (byAddress.returncode, byAddress.stderr) == (0, "")
    assert byAddress.stdout == TRANSCRIPT.format(name="127.0.0.1")
    assert (byName.returncode, byName.stderr) == (0, "")
    assert byName.stdout == TRANSCRIPT.format(name="localhost")


def test_wrongName(pems: tuple[Path, Path]) -> None:
    """
    A certificate that is not for the name the client verifies ends the
    conversation at the handshake: nothing is said over TLS, the client
    prints the mismatch and exits 1, the server reports the client's alert.
    """
    ca, server = pems
    with running(DEMO, "serve", "--cert", str(server), "--port", "0") as (process, first):
        done = talk(portOf(first), "--ca", str(ca), "--host", "mail.example.test")
        notice = readLine(process)
    assert done.returncode == 1
    assert done.stdout.endswith("S: 220 go ahead\n")
    assert "SAY" not in done.stdout
    assert done.stderr.startswith(
        "starttls_demo: certificate verify failed: Hostname mismatch, certificate is not "
        "valid for 'mail.example.test'"
    )
    assert re.fullmatch(
        r"connection from 127\.0\.0\.1:\d+ failed: .*alert bad certificate.*", notice
    )


def test_injectedCommandsNotTrusted(pems: tuple[Path, Path]) -> None:
    """
    SAY is refused before STARTTLS; a command sent in plaintext right
    after STARTTLS, in the same packet, goes to the TLS handshake (which
    it breaks), never to the encrypted conversation: the server answers it
    nothing and reports a TLS error for that connection.
    """
    _, server = pems
    with running(DEMO, "serve", "--cert", str(server), "--port", "0") as (process, first):
        with socket.create_connection(("127.0.0.1", portOf(first)), timeout=RUN_TIMEOUT) as peer:
            greeting = b""
            while not greeting.endswith(b"\n"):
                chunk = peer.recv(1024)
                assert chunk, f"the server closed after {greeting!r}"
                greeting += chunk
            peer.sendall(b"SAY early\nSTARTTLS\nSAY injected\n")
            received = b""
            while chunk := peer.recv(65536):
                received += chunk
        notice = readLine(process)
    assert greeting == b"220 starttls_demo ready\n"
    assert received.startswith(b"530 send STARTTLS first\n220 go ahead\n")
    assert b"250" not in received
    assert re.fullmatch(r"connection from 127\.0\.0\.1:\d+ failed: \[SSL: .*", notice)


def test_sameUnderTwisted(pems: tuple[Path, Path], tmp_path: Path) -> None:
    """
    Renamed to use Twisted, the demo's server and client hold the same
    conversation, and each works with the torsion version of the other.
    """
    requireTwisted()
    ca, server = pems
    ported = tmp_path / "starttls_demo.py"
    ported.write_text(toTwisted(DEMO.read_text(encoding="utf-8")), encoding="utf-8")
    programs = {"torsion": DEMO, "twisted": ported}
    for serverName, serverProgram in programs.items():
        with running(serverProgram, "serve", "--cert", str(server), "--port", "0") as (_, first):
            for clientName, clientProgram in programs.items():
                done = talk(portOf(first), "--ca", str(ca), program=clientProgram)
                assert (done.returncode, done.stderr, done.stdout) == (
                    0,
                    "",
                    TRANSCRIPT.format(name="127.0.0.1"),
                ), (serverName, clientName)
