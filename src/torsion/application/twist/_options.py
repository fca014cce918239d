# The command line of the torsion command, like Twisted's `twist`:
#
#   torsion [--reactor NAME] [--log-file F] [--log-format text|json]
#           [--log-level L] [--pidfile F] PLUGIN [plugin options]
#
# Parsing only checks and records: the reactor name is validated but not
# installed (Twist.run installs it), the log file is opened (so a path that
# cannot be written is a usage error, as in twist), the log level becomes a
# LogLevel.  The subcommands are the IServiceMaker plugins found in
# torsion.plugins when the options object is made.
#
# The keys after parsing:
#   reactor                 the reactor's name ("default" unless given)
#   logFile                 the open log file (sys.stdout unless given)
#   log-format              "text" or "json"
#   fileLogObserverFactory  textFileLogObserver or jsonFileLogObserver
#   log-level               a LogLevel (info unless given)
#   pidfile                 the pid file's path, or None
from __future__ import annotations

import sys
from typing import Any

from torsion.application.runner._setup import (
    checkReactorName,
    logLevelNamed,
    openLogFile,
    pluginCommands,
    reactorNames,
    serviceMakers,
)
from torsion.logger import LogLevel, jsonFileLogObserver, textFileLogObserver
from torsion.python.usage import Options, UsageError


class TwistOptions(Options):
    """
    The options of the C{torsion} command; its subcommands are the
    C{IServiceMaker} plugins.

    @ivar plugins: The plugins found, by C{tapname}.
    """

    synopsis = "Usage: torsion [options] plugin [plugin_options]"
    longdesc = (
        "Runs the service a plugin makes until SIGTERM or SIGINT stops it. "
        "'torsion PLUGIN --help' shows a plugin's options."
    )

    optParameters = [
        ["reactor", None, "default", "The reactor to use: " + ", ".join(reactorNames()) + "."],
        ["log-file", None, "-", "Where to log: a path, - for stdout, + for stderr."],
        [
            "log-format",
            None,
            None,
            "The log format: text or json (default: text if the log file is a terminal, "
            "else json).",
        ],
        [
            "log-level",
            None,
            "info",
            "Leave out events below this level: debug, info, warn, error or critical.",
        ],
        ["pidfile", None, None, "Write the process id to this file while running."],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plugins = serviceMakers()
        self.subCommands = pluginCommands(self.plugins)
        self["log-level"] = LogLevel.info
        self["logFile"] = None

    def getSynopsis(self) -> str:
        """
        The usage line; once a plugin is chosen, the part before its name
        (for the plugin's own usage line).

        @return: The usage line.
        """
        if self.subCommand is not None:
            return "Usage: torsion [options]"
        return super().getSynopsis()

    def opt_reactor(self, name: str) -> None:
        """
        Choose the reactor by name.
        """
        self["reactor"] = checkReactorName(name)

    def opt_log_file(self, name: str) -> None:
        """
        Log to this file.
        """
        self["log-file"] = name
        self["logFile"] = openLogFile(name)

    def opt_log_format(self, name: str) -> None:
        """
        Choose the log format.
        """
        if name not in ("text", "json"):
            raise UsageError(f"invalid log format {name!r}; choose text or json")
        self["log-format"] = name

    def opt_log_level(self, name: str) -> None:
        """
        Choose the lowest level that is logged.
        """
        self["log-level"] = logLevelNamed(name)

    def postOptions(self) -> None:
        """
        Require a plugin, and fill in the defaults that depend on others.

        @raise UsageError: If no plugin was named.
        """
        if self.subCommand is None:
            names = ", ".join(self.plugins) or "(none installed)"
            raise UsageError(f"no plugin given; name one of: {names}")
        if self["logFile"] is None:
            self["logFile"] = sys.stdout
        if self["log-format"] is None:
            self["log-format"] = "text" if _isTerminal(self["logFile"]) else "json"
        if self["log-format"] == "json":
            self["fileLogObserverFactory"] = jsonFileLogObserver
        else:
            self["fileLogObserverFactory"] = textFileLogObserver


def _isTerminal(file: Any) -> bool:
    """Whether C{file} is a terminal (C{False} when it cannot tell)."""
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError, OSError):
        return False
