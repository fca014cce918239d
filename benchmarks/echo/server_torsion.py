"""
torsion's echo server for the TCP echo benchmark (see bench_echo.py).

A L{Protocol} that writes back what it receives, listening with
C{reactor.listenTCP} on the default reactor (epoll on Linux).  Prints the
port on its own line, then serves until SIGTERM.  With C{--profile FILE} it
runs under cProfile and writes the statistics to C{FILE} when it stops.
"""

from __future__ import annotations

import argparse
import cProfile
import resource
from typing import Any

from torsion.internet.protocol import Factory, Protocol


class Echo(Protocol):
    """
    Writes back every byte it receives.
    """

    def dataReceived(self, data: bytes) -> None:
        """
        Send C{data} back.
        """
        self.transport.write(data)


def main(reactor: Any) -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", metavar="FILE", help="run under cProfile, save stats here")
    options = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    if options.profile:
        profiler = cProfile.Profile()
        profiler.runcall(reactor.run)
        profiler.dump_stats(options.profile)
    else:
        reactor.run()


if __name__ == "__main__":
    from torsion.internet import reactor

    main(reactor)
