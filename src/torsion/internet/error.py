"""
Exceptions raised by the reactor and by transports.
"""

from torsion.internet._errors import (
    AlreadyCalled,
    AlreadyCancelled,
    ConnectError,
    ConnectionAborted,
    ConnectionClosed,
    ConnectionDone,
    ConnectionFdescWentAway,
    ConnectionLost,
    ReactorAlreadyInstalledError,
    ReactorAlreadyRunning,
    ReactorNotRestartable,
    ReactorNotRunning,
    TimeoutError,
    UserError,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "AlreadyCalled",
    "AlreadyCancelled",
    "ConnectError",
    "ConnectionAborted",
    "ConnectionClosed",
    "ConnectionDone",
    "ConnectionFdescWentAway",
    "ConnectionLost",
    "ReactorAlreadyInstalledError",
    "ReactorAlreadyRunning",
    "ReactorNotRestartable",
    "ReactorNotRunning",
    "TimeoutError",
    "UserError",
]

_publish(globals())
