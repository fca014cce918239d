"""
The C{portforward} plugin of the C{torsion} command: relay each connection
made to the C{--listen} addresses to a TCP destination.

    torsion portforward --listen tcp:8080 --dest-host example.com --dest-port 80

Twisted's spelling of the options works too (C{twistd portforward -p
tcp:8080 -h example.com -d 80}).  Each address is logged once it listens,
with its real port.
"""

from __future__ import annotations

from zope.interface import alsoProvides

from torsion.application.service import IService, ServiceMaker
from torsion.plugin import IPlugin
from torsion.python import usage

DEFAULT_LISTEN = "tcp:6666"


class Options(usage.Options):
    """
    The options of C{torsion portforward}.
    """

    synopsis = "[--listen DESCRIPTION]... [--dest-host HOST] [--dest-port PORT]"
    longdesc = "A port forwarder: relays each connection to another host and port."
    optParameters = [
        [
            "listen",
            "p",
            None,
            "Listen on this endpoint description, e.g. tcp:8080:interface=127.0.0.1 "
            f"(may be repeated; default: {DEFAULT_LISTEN}).",
        ],
        ["dest-host", "h", "localhost", "The host to forward connections to."],
        ["dest-port", "d", 6665, "The TCP port to forward connections to.", usage.portCoerce],
    ]

    def opt_listen(self, description: str) -> None:
        """
        Listen on this endpoint description (may be repeated).
        """
        self["listen"] = [*(self["listen"] or []), description]

    opt_port = opt_listen

    def opt_dest_host(self, host: str) -> None:
        """
        The host to forward connections to.
        """
        self["dest-host"] = host

    opt_host = opt_dest_host

    def postOptions(self) -> None:
        """
        Check the destination, and listen on the default address if none
        was given.

        @raise usage.UsageError: If the destination port is 0.
        """
        if self["dest-port"] == 0:
            raise usage.UsageError(
                "--dest-port must be a port from 1 to 65535, not 0; give the port the "
                "destination listens on"
            )
        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]


def makeService(options: Options) -> IService:
    """
    Make the port forwarder's service.

    @param options: The parsed options.
    @return: A service listening on each C{--listen} description and
        forwarding each connection to C{--dest-host}:C{--dest-port}.
    @raise ValueError: If a description is wrong.
    """
    from torsion.application.twist._listening import listeningService
    from torsion.protocols.portforward import ProxyFactory

    host, port = options["dest-host"], options["dest-port"]
    factory = ProxyFactory(host, port)
    return listeningService(options["listen"], factory, f"Port forwarder to {host}:{port}")


portforwardMaker = ServiceMaker(
    "torsion portforward",
    __name__,
    "A port forwarder: relays each connection to another host and port.",
    "portforward",
)
alsoProvides(portforwardMaker, IPlugin)
