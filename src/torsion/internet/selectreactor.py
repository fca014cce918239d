"""
A reactor whose I/O readiness comes from select(2): everywhere, limited to FD_SETSIZE descriptors.

Install it before anything imports C{torsion.internet.reactor}::

    from torsion.internet import selectreactor
    selectreactor.install()
"""

from torsion.internet._pollers import SelectPoller
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.main import installReactor
from torsion.python._publish import publish as _publish


class SelectReactor(PollingReactor):
    """
    The reactor core over Select readiness.
    """

    def __init__(self) -> None:
        super().__init__(SelectPoller())


def install() -> SelectReactor:
    """
    Make a L{SelectReactor} the global reactor (C{torsion.internet.reactor}).

    @return: The reactor installed.
    @raise torsion.internet.error.ReactorAlreadyInstalledError: If one is.
    """
    reactor = SelectReactor()
    installReactor(reactor)
    return reactor


__all__ = ["SelectReactor", "install"]

_publish(globals())
