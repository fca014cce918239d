# What the torsion command and twistd both choose from the command line:
# a reactor by name, a log file by name, a log level by name, and the
# IServiceMaker plugins that become their subcommands.
#
# Choosing and installing a reactor are separate steps.  Options only check
# the name (so parsing a command line in a test installs nothing); the
# command installs it once parsing succeeded, before the service is made and
# before a .tac file runs, since either may import torsion.internet.reactor.
# If something imported it even earlier (a plugin module doing so at import
# time), the reactor it installed is kept when it is the one asked for, and
# otherwise the command fails with a message saying why.
#
# Subcommands are built lazily: each entry's parser is a function that asks
# the plugin for its options class only when that subcommand is used, so a
# ServiceMaker's module is not imported just to list it.
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Any

from torsion.application._iservice import IServiceMaker
from torsion.internet._errors import ReactorAlreadyInstalledError
from torsion.internet._install import REACTORS, installByName, installDefault
from torsion.logger import InvalidLogLevelError, LogLevel
from torsion.plugin import getPlugins
from torsion.python.usage import Options, UsageError

_LEVELS = ("debug", "info", "warn", "error", "critical")


def reactorNames() -> list[str]:
    """
    @return: The names C{--reactor} accepts: C{"default"}, then the
        reactors of this platform, sorted.
    """
    return ["default", *sorted(REACTORS)]


def checkReactorName(name: str) -> str:
    """
    @param name: A reactor name from the command line.
    @return: C{name}.
    @raise UsageError: If there is no reactor of that name.
    """
    if name not in reactorNames():
        raise UsageError(f"unknown reactor {name!r}; choose one of: {', '.join(reactorNames())}")
    return name


def installReactor(name: str) -> Any:
    """
    Install the reactor called C{name} as the global reactor.

    @param name: C{"default"} (L{torsion.internet.default}, which honours
        C{TORSION_REACTOR}) or a name from L{reactorNames}.
    @return: The reactor.
    @raise ReactorAlreadyInstalledError: If another reactor was installed
        already.
    @raise ValueError: If there is no reactor of that name (or
        C{TORSION_REACTOR} names none).
    """
    installed = sys.modules.get("torsion.internet.reactor")
    if installed is not None and hasattr(installed, "callWhenRunning"):
        if name == "default" or type(installed).__module__ == REACTORS.get(name):
            return installed
        raise ReactorAlreadyInstalledError(
            f"cannot use the {name!r} reactor: {installed!r} was installed already, because "
            f"something imported torsion.internet.reactor before the command could install "
            f"its choice (a plugin module or a .tac file that imports it at the top, "
            f"say); import the reactor inside functions instead, or leave out --reactor"
        )
    if name == "default":
        return installDefault()
    return installByName(name)


def logLevelNamed(name: str) -> LogLevel:
    """
    @param name: A log level's name from the command line.
    @return: The level.
    @raise UsageError: If there is no level of that name.
    """
    try:
        return LogLevel.levelWithName(name)
    except InvalidLogLevelError:
        raise UsageError(
            f"invalid log level {name!r}; choose one of: {', '.join(_LEVELS)}"
        ) from None


def openLogFile(name: str) -> IO[Any]:
    """
    Open the log file named on the command line, for appending.

    @param name: A path, C{"-"} for standard output or C{"+"} for
        standard error.
    @return: The open file (C{sys.stdout} or C{sys.stderr} for those).
    @raise UsageError: If it cannot be opened.
    """
    if name == "-":
        return sys.stdout
    if name == "+":
        return sys.stderr
    try:
        return open(name, "a", encoding="utf-8")
    except OSError as e:
        raise UsageError(
            f"cannot open the log file {name!r}: {e.strerror}; give a path you can write "
            f"to, or - for standard output"
        ) from None


def serviceMakers() -> dict[str, Any]:
    """
    The C{IServiceMaker} plugins in C{torsion.plugins}, by C{tapname}.

    @return: A dict sorted by name; when two plugins share a name, the
        first found (by module name) wins.
    """
    makers: dict[str, Any] = {}
    for maker in getPlugins(IServiceMaker):
        makers.setdefault(maker.tapname, maker)
    return dict(sorted(makers.items()))


def describeError(error: BaseException) -> str:
    """
    An exception as one line for a command's error message.

    @param error: The exception.
    @return: Its message alone for a C{ValueError} (whose message says what
        was wrong), else its type's name and its message.
    """
    text = str(error)
    if isinstance(error, ValueError) and text:
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _parserFor(maker: Any) -> Callable[[], Options]:
    """The subcommand parser for C{maker}: its options class, asked for late."""

    def parser() -> Options:
        options: Options = maker.options()
        return options

    return parser


def pluginCommands(makers: dict[str, Any]) -> list[list[Any]]:
    """
    @param makers: What L{serviceMakers} returned.
    @return: C{subCommands} entries for them, in the same order.
    """
    return [[name, None, _parserFor(maker), maker.description] for name, maker in makers.items()]
