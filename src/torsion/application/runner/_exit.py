# The exit statuses of the torsion command: the BSD sysexits.h codes, as an
# IntEnum so that a status prints with its name.  Twisted's `twist` uses the
# same numbers (EX_USAGE for a bad command line, EX_CONFIG when the pid file
# is held by a running process), so scripts that check them keep working.
from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """
    Exit statuses from C{sysexits.h}, as the C{torsion} command uses them.

    C{EX_OK} is success; C{EX_USAGE}, a wrong command line; C{EX_DATAERR},
    a pid file whose content is not a process id; C{EX_SOFTWARE}, a service
    that could not be made, started or stopped; C{EX_IOERR}, a pid file that
    could not be written; C{EX_CONFIG}, a pid file held by a running process.
    """

    EX_OK = 0
    EX_USAGE = 64
    EX_DATAERR = 65
    EX_NOINPUT = 66
    EX_UNAVAILABLE = 69
    EX_SOFTWARE = 70
    EX_OSERR = 71
    EX_CANTCREAT = 73
    EX_IOERR = 74
    EX_TEMPFAIL = 75
    EX_NOPERM = 77
    EX_CONFIG = 78
