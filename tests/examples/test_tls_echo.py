"""
Tests for C{examples/tls_echo_server.py} and C{examples/tls_echo_client.py}:
both run as subprocesses on the real reactor, on 127.0.0.1, with
certificates made by trustme in the test's directory; the server is also
driven by C{openssl s_client}.  Renamed to use Twisted, the pair must work
the same (skipped if Twisted is not installed).
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, toTwisted
from tests.examples.test_echo import RUN_TIMEOUT, portOf, readLine, running
from tests.helpers import requireTool

SERVER = EXAMPLES / "tls_echo_server.py"
CLIENT = EXAMPLES / "tls_echo_client.py"


@dataclass
class Files:
    """The PEM files of one test: the authority and two servers' keys and chains."""

    ca: Path
    server: Path
    other: Path


@pytest.fixture
def pems(tmp_path: Path) -> Files:
    """
    A test authority's certificate, a server certificate for C{localhost}
    and 127.0.0.1, and one for C{other.test} only (key and chain in one
    file each, as the server takes them).
    """
    ca = trustme.CA()
    files = Files(tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "other.pem")
    ca.cert_pem.write_to_path(str(files.ca))
    ca.issue_cert("localhost", "127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
        str(files.server)
    )
    ca.issue_cert("other.test").private_key_and_cert_chain_pem.write_to_path(str(files.other))
    return files


def runClient(
    port: int, *args: str, stdin: str | None = None, program: Path = CLIENT
) -> subprocess.CompletedProcess[str]:
    """
    Run the client against 127.0.0.1:C{port} with C{args}.
    """
    return subprocess.run(
        [sys.executable, str(program), "--connect", f"127.0.0.1:{port}", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_clientAgainstServer(pems: Files) -> None:
    """
    The server prints its address; the client, trusting the test
    authority, sends its arguments as lines and prints each echo, then
    exits 0; verifying the DNS name with --host works too.
    """
    with running(SERVER, "--cert", str(pems.server), "--port", "0") as (_, first):
        assert re.fullmatch(r"TLS echo server listening on 127\.0\.0\.1:\d+", first)
        port = portOf(first)
        done = runClient(port, "--ca", str(pems.ca), "hello", "two words", "ünïcode")
        byName = runClient(port, "--ca", str(pems.ca), "--host", "localhost", "again")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "hello\ntwo words\nünïcode\n"
    assert (byName.returncode, byName.stderr, byName.stdout) == (0, "", "again\n")


def test_linesFromStandardInput(pems: Files) -> None:
    """
    Without LINE arguments the client sends the lines of its standard
    input.
    """
    with running(SERVER, "--cert", str(pems.server), "--port", "0") as (_, first):
        done = runClient(portOf(first), "--ca", str(pems.ca), stdin="first\nsecond\n")
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "first\nsecond\n")


def test_opensslClient(pems: Files) -> None:
    """
    C{openssl s_client}, verifying the certificate against the test
    authority and the name C{localhost}, gets its bytes back; closing its
    input makes it send close_notify, so the server reports no failure
    for it (the next line it prints is about a later, failing client).
    """
    openssl = requireTool("openssl")
    payload = b"from openssl\n" + bytes(range(32, 127)) * 40 + b"\n"
    with running(SERVER, "--cert", str(pems.server), "--port", "0") as (server, first):
        command = [openssl, "s_client", "-connect", f"127.0.0.1:{portOf(first)}"]
        command += ["-servername", "localhost", "-verify_hostname", "localhost"]
        command += ["-CAfile", str(pems.ca), "-verify_return_error", "-quiet", "-no_ign_eof"]
        with subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as tool:
            assert tool.stdin is not None and tool.stdout is not None
            tool.stdin.write(payload)
            tool.stdin.flush()
            echoed = b""
            with selectors.DefaultSelector() as selector:
                selector.register(tool.stdout, selectors.EVENT_READ)
                while len(echoed) < len(payload):
                    assert selector.select(RUN_TIMEOUT), f"s_client got {echoed!r} only"
                    chunk = os.read(tool.stdout.fileno(), 65536)
                    assert chunk, f"s_client stopped after {echoed!r}"
                    echoed += chunk
            tool.stdin.close()
            code = tool.wait(timeout=RUN_TIMEOUT)
        failing = runClient(portOf(first), "--ca", str(pems.ca), "--host", "wrong.test", "x")
        notice = readLine(server)
    assert echoed == payload
    assert code == 0
    assert failing.returncode == 1
    assert "alert bad certificate" in notice, notice


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "IP address mismatch, certificate is not valid for '127.0.0.1'"),
        (("--host", "localhost"), "Hostname mismatch, certificate is not valid for 'localhost'"),
    ],
)
def test_certificateForAnotherName(pems: Files, args: tuple[str, ...], message: str) -> None:
    """
    Against a server whose certificate is for another name, the client
    prints the verification error naming the mismatch and exits 1, having
    sent nothing; the server reports the client's alert.
    """
    with running(SERVER, "--cert", str(pems.other), "--port", "0") as (server, first):
        done = runClient(portOf(first), "--ca", str(pems.ca), *args, "secret")
        notice = readLine(server)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"tls_echo_client: certificate verify failed: {message}")
    assert re.fullmatch(
        r"connection from 127\.0\.0\.1:\d+ failed: .*alert bad certificate.*", notice
    )


def test_untrustedAuthority(pems: Files) -> None:
    """
    Without --ca the client trusts only the platform's authorities, so a
    certificate from the test authority is refused, saying why.
    """
    with running(SERVER, "--cert", str(pems.server), "--port", "0") as (_, first):
        done = runClient(portOf(first), "hello")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "tls_echo_client: certificate verify failed: unable to get local issuer certificate\n"
    )


def test_badArguments(pems: Files) -> None:
    """
    A --connect value that is not HOST:PORT, a missing --ca file and one
    without a certificate are refused (exit 1) with a message saying what
    was wrong.
    """
    notAddress = subprocess.run(
        [sys.executable, str(CLIENT), "--connect", "localhost", "hi"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert notAddress.returncode == 1
    assert "--connect takes HOST:PORT, e.g. 127.0.0.1:8443, not 'localhost'" in (notAddress.stderr)
    missing = runClient(1, "--ca", str(pems.server.parent / "missing.pem"), "hi")
    assert missing.returncode == 1
    assert "No such file or directory" in missing.stderr
    keyOnly = pems.server.parent / "key.pem"
    keyOnly.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n")
    notCA = runClient(1, "--ca", str(keyOnly), "hi")
    assert notCA.returncode == 1
    assert f"{keyOnly} holds no PEM certificate" in notCA.stderr


def test_sameUnderTwisted(pems: Files, tmp_path: Path) -> None:
    """
    Renamed to use Twisted, server and client work together, and each
    works with the torsion version of the other.
    """
    requireTwisted()
    servers = {"torsion": SERVER, "twisted": tmp_path / "tls_echo_server.py"}
    clients = {"torsion": CLIENT, "twisted": tmp_path / "tls_echo_client.py"}
    for original, ported in ((SERVER, servers["twisted"]), (CLIENT, clients["twisted"])):
        ported.write_text(toTwisted(original.read_text(encoding="utf-8")), encoding="utf-8")
    for serverName, serverProgram in servers.items():
        with running(serverProgram, "--cert", str(pems.server), "--port", "0") as (_, first):
            for clientName, clientProgram in clients.items():
                done = runClient(
                    portOf(first), "--ca", str(pems.ca), "a", "b", program=clientProgram
                )
                assert (done.returncode, done.stderr, done.stdout) == (0, "", "a\nb\n"), (
                    serverName,
                    clientName,
                )
