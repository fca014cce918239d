"""
The TLS libraries alone, for bench_tls.py: what the server side of a full
handshake, and of one 16 KiB record echoed, costs each TLS library the
servers use, in one process, over memory buffers: no sockets, no event
loop, no framework.

The standard library's C{ssl} (torsion, asyncio and uvloop use it) and
pyOpenSSL (Twisted's) are linked against different OpenSSL builds, so part
of any difference between the servers is the library's, not the
framework's; this measures that part.  Both are set up as their servers
set them up, and both face the same pyOpenSSL client, restricted like the
load generator (TLS 1.3, TLS_AES_128_GCM_SHA256, X25519).  Only the
server's calls are timed, with the garbage collector off.
"""

from __future__ import annotations

import gc
import ssl
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._harness import BenchmarkError
from benchmarks.bench_echo import alignRows


@dataclass(frozen=True, slots=True)
class Floor:
    """
    What one TLS library costs the server side, in this process, with no
    sockets and no framework.

    @ivar library: Its name and OpenSSL version.
    @ivar handshake: Seconds per full handshake (median).
    @ivar record: Seconds to decrypt one 16 KiB record and encrypt it
        back (median).
    """

    library: str
    handshake: float
    record: float


class _ServerSide:
    """
    The server end of one TLS connection over memory buffers, for the
    in-process measurement; subclasses wrap one library.
    """

    def feed(self, data: bytes) -> None:
        """
        Give it ciphertext from the client.
        """
        raise NotImplementedError

    def handshake(self) -> bool:
        """
        @return: Whether the handshake has completed.
        """
        raise NotImplementedError

    def drain(self) -> bytes:
        """
        @return: The ciphertext it made for the client.
        """
        raise NotImplementedError

    def echo(self, data: bytes) -> bytes:
        """
        Decrypt C{data}, encrypt the plaintext back.

        @return: The ciphertext to send back.
        """
        raise NotImplementedError


class _StdlibServer(_ServerSide):
    def __init__(self, context: ssl.SSLContext) -> None:
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._in, self._out, server_side=True)

    def feed(self, data: bytes) -> None:
        self._in.write(data)

    def handshake(self) -> bool:
        try:
            self._tls.do_handshake()
        except ssl.SSLWantReadError:
            return False
        return True

    def drain(self) -> bytes:
        return self._out.read()

    def echo(self, data: bytes) -> bytes:
        self._in.write(data)
        while True:
            try:
                plaintext = self._tls.read(16384)
            except ssl.SSLWantReadError:
                break
            self._tls.write(plaintext)
        return self._out.read()


def measureFloors(certificate: Path, key: Path, handshakes: int, records: int) -> list[Floor]:
    """
    Measure the server side of the TLS libraries the servers use: the
    standard library's C{ssl} (torsion, asyncio, uvloop) and pyOpenSSL
    (Twisted), each set up as those servers set it up, against the same
    pyOpenSSL client restricted like the load generator (TLS 1.3,
    TLS_AES_128_GCM_SHA256, X25519).  Only the server's calls are timed.
    The two libraries alternate, in ten batches.

    @return: One L{Floor} per library; none if pyOpenSSL (the client) is
        not installed or cannot be restricted that way.
    """
    serverContext = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serverContext.minimum_version = ssl.TLSVersion.TLSv1_3
    serverContext.load_cert_chain(certificate, key)
    makers: dict[str, Callable[[], _ServerSide]] = {
        f"stdlib ssl ({ssl.OPENSSL_VERSION})": lambda: _StdlibServer(serverContext)
    }
    try:
        client, pyopenssl = _pyOpenSSLSides(certificate, key)
    except Exception:  # not installed, or its private bindings moved
        return []
    makers.update(pyopenssl)
    return _floors(makers, client, handshakes, records)


def _pyOpenSSLSides(
    certificate: Path, key: Path
) -> tuple[Callable[[], Any], dict[str, Callable[[], _ServerSide]]]:
    from OpenSSL import SSL
    from OpenSSL._util import lib
    from twisted.internet import ssl as twistedSSL

    clientContext = SSL.Context(SSL.TLS_CLIENT_METHOD)
    clientContext.set_min_proto_version(SSL.TLS1_3_VERSION)
    clientContext.set_tls13_ciphersuites(b"TLS_AES_128_GCM_SHA256")
    # pyOpenSSL has no public call for the groups.
    if lib.SSL_CTX_set1_curves_list(clientContext._context, b"X25519") != 1:
        raise RuntimeError("cannot restrict the client to X25519")
    clientContext.set_verify(SSL.VERIFY_NONE)

    def client() -> Any:
        connection = SSL.Connection(clientContext, None)
        connection.set_connect_state()
        return connection

    from OpenSSL import crypto

    options = twistedSSL.CertificateOptions(
        privateKey=crypto.load_privatekey(crypto.FILETYPE_PEM, key.read_bytes()),
        certificate=crypto.load_certificate(crypto.FILETYPE_PEM, certificate.read_bytes()),
        raiseMinimumTo=twistedSSL.TLSVersion.TLSv1_3,
    )
    serverContext = options.getContext()

    class PyOpenSSLServer(_ServerSide):
        def __init__(self) -> None:
            self._tls = SSL.Connection(serverContext, None)
            self._tls.set_accept_state()

        def feed(self, data: bytes) -> None:
            self._tls.bio_write(data)

        def handshake(self) -> bool:
            try:
                self._tls.do_handshake()
            except SSL.WantReadError:
                return False
            return True

        def drain(self) -> bytes:
            try:
                return self._tls.bio_read(1 << 20)
            except SSL.WantReadError:
                return b""

        def echo(self, data: bytes) -> bytes:
            self._tls.bio_write(data)
            while True:
                try:
                    plaintext = self._tls.recv(16384)
                except SSL.WantReadError:
                    break
                self._tls.send(plaintext)
            return self.drain()

    version = SSL.SSLeay_version(SSL.SSLEAY_VERSION).decode()
    return client, {f"pyOpenSSL, as Twisted sets it up ({version})": PyOpenSSLServer}


def _clientOut(client: Any) -> bytes:
    from OpenSSL import SSL

    try:
        data: bytes = client.bio_read(1 << 20)
    except SSL.WantReadError:
        return b""
    return data


def _floors(
    makers: dict[str, Callable[[], _ServerSide]],
    newClient: Callable[[], Any],
    handshakes: int,
    records: int,
) -> list[Floor]:
    from OpenSSL import SSL

    def oneHandshake(make: Callable[[], _ServerSide]) -> tuple[int, Any, _ServerSide]:
        client = newClient()
        start = time.perf_counter_ns()
        server = make()
        spent = time.perf_counter_ns() - start
        done = clientDone = False
        while not (done and clientDone):
            try:
                client.do_handshake()
                clientDone = True
            except SSL.WantReadError:
                pass
            data = _clientOut(client)
            if not data:
                raise BenchmarkError("the in-process handshake stalled: the client sent nothing")
            start = time.perf_counter_ns()
            server.feed(data)
            done = server.handshake()
            back = server.drain()
            spent += time.perf_counter_ns() - start
            if back:
                client.bio_write(back)
        return spent, client, server

    def oneRecord(client: Any, server: _ServerSide, message: bytes) -> int:
        client.send(message)
        data = _clientOut(client)
        start = time.perf_counter_ns()
        back = server.echo(data)
        spent = time.perf_counter_ns() - start
        client.bio_write(back)
        got = 0
        while got < len(message):
            got += len(client.recv(16384))
        return spent

    samples: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in makers}
    message = bytes(range(256)) * 64
    batches = 10
    for make in makers.values():  # warm up
        oneHandshake(make)
    wasEnabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(batches):
            for name, make in makers.items():
                shakes, echoes = samples[name]
                for _ in range(max(1, handshakes // batches)):
                    shakes.append(oneHandshake(make)[0])
                _spent, client, server = oneHandshake(make)
                for _ in range(max(1, records // batches)):
                    echoes.append(oneRecord(client, server, message))
                gc.collect()
    finally:
        if wasEnabled:
            gc.enable()
    return [
        Floor(name, statistics.median(shakes) / 1e9, statistics.median(echoes) / 1e9)
        for name, (shakes, echoes) in samples.items()
    ]


def formatFloors(floors: Sequence[Floor]) -> list[str]:
    """
    @return: A table of the libraries' own costs, and the ratio of the
        first to the second.
    """
    rows = [("library", "handshake", "16 KiB record in + out", "per MB")]
    for floor in floors:
        rows.append(
            (
                floor.library,
                f"{floor.handshake * 1e6:,.0f} us",
                f"{floor.record * 1e6:,.1f} us",
                f"{floor.record / 0.016384 * 1e3:.3f} ms",
            )
        )
    lines = alignRows(rows)
    if len(floors) == 2:
        first, second = floors
        lines.append(
            f"the standard library's ssl needs {first.handshake / second.handshake:.2f}x "
            f"pyOpenSSL's time per handshake and {first.record / second.record:.2f}x per "
            "record: that much of each ratio with Twisted is the TLS library, not the framework"
        )
    return lines


__all__ = ["Floor", "formatFloors", "measureFloors"]
