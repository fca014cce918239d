"""
Running a service as a program: the pid file, logging, the reactor.

L{Runner} is what the C{torsion} command and C{twistd} do once the command
line is parsed: take the pid file (L{PIDFile}, which refuses to start while
a live process holds it), begin logging, run the reactor, start the service
when it runs and stop it, waiting, when it shuts down.  See
C{docs/command-line.md}.
"""

from torsion.application.runner._exit import ExitStatus
from torsion.application.runner._pidfile import (
    AlreadyRunningError,
    InvalidPIDFileError,
    IPIDFile,
    NonePIDFile,
    PIDFile,
    PIDFileError,
    PIDFileWriteError,
    nonePIDFile,
)
from torsion.application.runner._runner import Runner
from torsion.python._publish import publish as _publish

__all__ = [
    "AlreadyRunningError",
    "ExitStatus",
    "IPIDFile",
    "InvalidPIDFileError",
    "NonePIDFile",
    "PIDFile",
    "PIDFileError",
    "PIDFileWriteError",
    "Runner",
    "nonePIDFile",
]

_publish(globals())
