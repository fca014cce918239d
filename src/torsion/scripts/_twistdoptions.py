# The command line of torsion's twistd, the options of Twisted's twistd that
# existing deployments use:
#
#   twistd [-n] [-o] [-y FILE.tac] [--pidfile F] [-l F] [-r NAME]
#          [-d DIR] [--umask MASK] [PLUGIN [plugin options]]
#
# Keys after parsing (Twisted's names):
#   nodaemon, no_save, originalname   1 or 0 (no_save and originalname are
#                                     accepted and do nothing: torsion never
#                                     saves state nor renames the process)
#   python      the .tac file, or None
#   pidfile     the pid file's path ("" for none; default twistd.pid)
#   logfile     the log file's name, or None (then: stdout with -n, else
#               twistd.log)
#   reactor     the reactor's name (checked, not installed)
#   rundir      the directory to change to (default ".")
#   umask       the umask as an int, or None (then 0o077 when daemonizing)
#
# Exactly one of -y and a plugin must be given.
from __future__ import annotations

import sys

from torsion.application.runner._setup import (
    checkReactorName,
    pluginCommands,
    reactorNames,
    serviceMakers,
)
from torsion.python.usage import Options, UsageError


class ServerOptions(Options):
    """
    The options of C{twistd}: which application to run (C{-y FILE.tac} or
    a plugin with its options) and how (daemon or not, pid file, log file,
    reactor, directory, umask).

    @ivar plugins: The C{IServiceMaker} plugins found, by C{tapname}.
    """

    synopsis = "Usage: twistd [options] [plugin [plugin_options]]"
    longdesc = (
        "twistd runs an application: the 'application' object of a .tac file (-y), or the "
        "service a plugin makes.  Without -n it runs as a daemon."
    )

    optFlags = [
        ["nodaemon", "n", "Do not daemonize; log to stdout unless --logfile is given."],
        ["no_save", "o", "Accepted for compatibility; torsion never saves state."],
        ["originalname", None, "Accepted for compatibility; the process name is kept."],
    ]
    optParameters = [
        ["python", "y", None, "Read the application from this Python file (a .tac file)."],
        ["pidfile", None, "twistd.pid", "Name of the pid file; '' for none."],
        [
            "logfile",
            "l",
            None,
            "Log to this file, - for stdout (default: twistd.log, or stdout with -n).",
        ],
        ["reactor", "r", "default", "The reactor to use: " + ", ".join(reactorNames()) + "."],
        ["rundir", "d", ".", "Change to this directory before running."],
        ["umask", None, None, "The file creation mask, in octal (default: 0077 as a daemon)."],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plugins = serviceMakers()
        self.subCommands = pluginCommands(self.plugins)

    def getSynopsis(self) -> str:
        """
        The usage line; once a plugin is chosen, the part before its name.

        @return: The usage line.
        """
        if self.subCommand is not None:
            return "Usage: twistd [options]"
        return super().getSynopsis()

    def opt_reactor(self, name: str) -> None:
        """
        Choose the reactor by name.
        """
        self["reactor"] = checkReactorName(name)

    def opt_help_reactors(self) -> None:
        """
        List the reactor names and exit.

        @raise SystemExit: Always, with status 0.
        """
        sys.stdout.write("".join(f"    {name}\n" for name in reactorNames()))
        sys.stdout.flush()
        raise SystemExit(0)

    def opt_umask(self, value: str) -> None:
        """
        The file creation mask, in octal.
        """
        try:
            mask = int(value, 8)
        except ValueError:
            mask = -1
        if not 0 <= mask <= 0o777:
            raise UsageError(
                f"invalid umask {value!r}; give an octal number from 0 to 777, such as 022"
            )
        self["umask"] = mask

    def postOptions(self) -> None:
        """
        Check that there is exactly one application to run.

        @raise UsageError: If neither or both of C{-y} and a plugin were
            given.
        """
        if self["python"] is not None and self.subCommand is not None:
            raise UsageError(
                f"both -y {self['python']} and the plugin {self.subCommand!r} were given; "
                "give one of them"
            )
        if self["python"] is None and self.subCommand is None:
            names = ", ".join(self.plugins) or "(none installed)"
            raise UsageError(
                f"nothing to run: give -y FILE.tac, or a plugin name (one of: {names})"
            )
