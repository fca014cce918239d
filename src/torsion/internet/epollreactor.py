"""
A reactor whose I/O readiness comes from Linux's epoll: the default on Linux.

Install it before anything imports C{torsion.internet.reactor}::

    from torsion.internet import epollreactor
    epollreactor.install()
"""

from torsion.internet._pollers import EPollPoller
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.main import installReactor
from torsion.python._publish import publish as _publish


class EPollReactor(PollingReactor):
    """
    The reactor core over EPoll readiness.
    """

    def __init__(self) -> None:
        super().__init__(EPollPoller())


def install() -> EPollReactor:
    """
    Make a L{EPollReactor} the global reactor (C{torsion.internet.reactor}).

    @return: The reactor installed.
    @raise torsion.internet.error.ReactorAlreadyInstalledError: If one is.
    """
    reactor = EPollReactor()
    installReactor(reactor)
    return reactor


__all__ = ["EPollReactor", "install"]

_publish(globals())
