"""
The C{echo} plugin of the C{torsion} command: a server that sends back
whatever it receives, on each address given with C{--listen}.

    torsion echo --listen tcp:8000 --listen unix:/tmp/echo.sock

Each address is logged once it listens, with its real port (so
C{--listen tcp:0} tells you which port it got).
"""

from __future__ import annotations

from zope.interface import alsoProvides

from torsion.application.service import IService, ServiceMaker
from torsion.internet.protocol import Factory, Protocol
from torsion.plugin import IPlugin
from torsion.python import usage

DEFAULT_LISTEN = "tcp:8000"


class Echo(Protocol):
    """
    Writes back every byte it receives.
    """

    def dataReceived(self, data: bytes) -> None:
        """
        Send C{data} back.

        @param data: What arrived.
        """
        assert self.transport is not None
        self.transport.write(data)


class Options(usage.Options):
    """
    The options of C{torsion echo}.
    """

    synopsis = "[--listen DESCRIPTION]..."
    longdesc = "An echo server: sends back whatever it receives."
    optParameters = [
        [
            "listen",
            None,
            None,
            "Listen on this endpoint description, e.g. tcp:8000:interface=127.0.0.1 "
            f"(may be repeated; default: {DEFAULT_LISTEN}).",
        ]
    ]

    def opt_listen(self, description: str) -> None:
        """
        Listen on this endpoint description (may be repeated).
        """
        self["listen"] = [*(self["listen"] or []), description]

    def postOptions(self) -> None:
        """
        Listen on the default address if none was given.
        """
        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]


def makeService(options: Options) -> IService:
    """
    Make the echo server's service.

    @param options: The parsed options.
    @return: A service listening on each C{--listen} description.
    @raise ValueError: If a description is wrong.
    """
    from torsion.application.twist._listening import listeningService

    return listeningService(options["listen"], Factory.forProtocol(Echo), "Echo server")


echoMaker = ServiceMaker(
    "torsion echo", __name__, "An echo server: sends back whatever it receives.", "echo"
)
alsoProvides(echoMaker, IPlugin)
