"""
A download server: every client that connects is sent one file, then the
connection closes.  On a plain TCP connection the file goes out with
transport.sendFile() (the kernel's sendfile(2): no copy through Python);
on a transport without it (TLS, a policy wrapper) with FileSender, which
reads and writes it in chunks.

Run: python examples/file_server.py FILE [--port PORT] [--interface ADDRESS]

It prints `serving FILE (N bytes) on ADDRESS:PORT` once it listens (with
--port 0 the system picks the port), then serves until Ctrl-C or SIGTERM.
Try it with `nc 127.0.0.1 PORT > copy` (or `curl telnet://...`): the
first line is the size in bytes, then the file's bytes.

sendFile is a torsion addition: Twisted has no such method, so this
program runs on torsion only.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from torsion.internet.defer import Deferred
from torsion.internet.interfaces import ISendFileTransport
from torsion.internet.protocol import Factory, Protocol
from torsion.protocols.basic import FileSender
from torsion.python.failure import Failure


class Download(Protocol):
    """
    Sends the factory's file: its size on a line, then its bytes.
    """

    factory: DownloadFactory

    def connectionMade(self) -> None:
        self.file = open(self.factory.path, "rb")  # noqa: SIM115 (closed in done())
        size = os.fstat(self.file.fileno()).st_size
        self.transport.write(b"%d\n" % size)
        transport: Any = self.transport
        sending: Deferred[Any]
        if ISendFileTransport.providedBy(transport) and not getattr(transport, "TLS", False):
            sending = transport.sendFile(self.file, 0, size)
        else:
            sending = FileSender().beginFileTransfer(self.file, transport)
        sending.addBoth(self.done)

    def done(self, result: object) -> None:
        self.file.close()
        if isinstance(result, Failure):
            print(f"sending to {self.transport.getPeer()} failed: {result.value}", flush=True)
        self.transport.loseConnection()


class DownloadFactory(Factory):
    """
    Builds a L{Download} per connection.

    @ivar path: The file to send.
    """

    protocol = Download

    def __init__(self, path: str) -> None:
        self.path = path


def main(reactor: Any, argv: list[str] | None = None) -> None:
    """
    Listen, say where, serve until stopped.
    """
    parser = argparse.ArgumentParser(description="Send one file to every client.")
    parser.add_argument("file", help="the file to send")
    parser.add_argument("--port", type=int, default=8124, help="TCP port (0: any free one)")
    parser.add_argument("--interface", default="127.0.0.1", help="address to listen on")
    options = parser.parse_args(argv)
    size = os.stat(options.file).st_size  # fails early, with the reason, if unreadable
    port = reactor.listenTCP(
        options.port, DownloadFactory(options.file), interface=options.interface
    )
    address = port.getHost()
    print(f"serving {options.file} ({size} bytes) on {address.host}:{address.port}", flush=True)
    reactor.run()


if __name__ == "__main__":
    from torsion.internet import reactor

    main(reactor)
