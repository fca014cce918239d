"""
Twisted's echo server for the TCP echo benchmark (see bench_echo.py).

A L{Protocol} that writes back what it receives, listening with
C{reactor.listenTCP} on Twisted's default reactor (epoll on Linux).  Prints
the port on its own line, then serves until SIGTERM.
"""

from __future__ import annotations

import resource
from typing import Any

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
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    from twisted.internet import reactor

    main(reactor)
