"""
A reactor whose I/O readiness comes from poll(2): any POSIX system.

Install it before anything imports C{torsion.internet.reactor}::

    from torsion.internet import pollreactor
    pollreactor.install()
"""

from torsion.internet._pollers import PollPoller
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.main import installReactor
from torsion.python._publish import publish as _publish


class PollReactor(PollingReactor):
    """
    The reactor core over Poll readiness.
    """

    def __init__(self) -> None:
        super().__init__(PollPoller())


def install() -> PollReactor:
    """
    Make a L{PollReactor} the global reactor (C{torsion.internet.reactor}).

    @return: The reactor installed.
    @raise torsion.internet.error.ReactorAlreadyInstalledError: If one is.
    """
    reactor = PollReactor()
    installReactor(reactor)
    return reactor


__all__ = ["PollReactor", "install"]

_publish(globals())
