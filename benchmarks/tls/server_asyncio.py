"""
asyncio's TLS echo server for the TLS benchmark (see bench_tls.py).

An C{asyncio.Protocol} that writes back what it receives, served by
C{loop.create_server(..., ssl=context)} on the default event loop, or on
uvloop's with C{--uvloop}.  The context is a standard library
C{ssl.SSLContext} (TLS 1.3 at least, the certificate and key from the files
given).  Prints the port on its own line, then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
from typing import cast


class Echo(asyncio.Protocol):
    """
    Writes back every byte it receives.
    """

    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """
        Keep the transport.
        """
        # uvloop's transports are not asyncio.Transport subclasses.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        """
        Send C{data} back.
        """
        self.transport.write(data)


async def serve(context: ssl.SSLContext) -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    loop = asyncio.get_running_loop()
    stopped = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stopped.set_result, None)
    server = await loop.create_server(Echo, "127.0.0.1", 0, ssl=context, backlog=128)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await stopped


def main() -> None:
    """
    Run L{serve} on asyncio's loop or uvloop's.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("certificate", help="PEM file: the certificate (chain)")
    parser.add_argument("key", help="PEM file: its private key")
    parser.add_argument("--uvloop", action="store_true", help="use uvloop's event loop")
    options = parser.parse_args()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(options.certificate, options.key)
    if options.uvloop:
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    with asyncio.Runner(loop_factory=lambda: loop) as runner:
        runner.run(serve(context))


if __name__ == "__main__":
    main()
