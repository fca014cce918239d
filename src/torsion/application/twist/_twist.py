# The torsion command: parse the command line (TwistOptions), install the
# reactor, let the chosen plugin make its service, and run it with a Runner.
#
# Everything that goes wrong before logging begins is written to stderr,
# prefixed with the program name, and ends the process with a sysexits
# status, as twist does:
#   a wrong command line           "Error: ..." and the usage   EX_USAGE (64)
#   the reactor cannot be installed                              EX_SOFTWARE (70)
#   the plugin cannot make its service                           EX_SOFTWARE (70)
#   the pid file is held by a live process                       EX_CONFIG (78)
#   the pid file holds no process id                             EX_DATAERR (65)
#   the pid file cannot be written                               EX_CANTCREAT (73)
# After that, the Runner's exit status: 0 after a clean stop (SIGTERM or
# SIGINT: the reactor's own handlers stop it), EX_SOFTWARE if the service
# failed to start or stop.
from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from torsion.application._iservice import IService
from torsion.application.runner._exit import ExitStatus
from torsion.application.runner._pidfile import (
    AlreadyRunningError,
    InvalidPIDFileError,
    PIDFile,
    PIDFileWriteError,
    nonePIDFile,
)
from torsion.application.runner._runner import Runner
from torsion.application.runner._setup import describeError, installReactor
from torsion.application.twist._options import TwistOptions
from torsion.python.usage import Options, UsageError


class _Exit(Exception):
    """Leave with C{status}, after writing C{message} to stderr."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Twist:
    """
    The C{torsion} command: run the service an C{IServiceMaker} plugin
    makes, like Twisted's C{twist}.
    """

    @staticmethod
    def options(argv: Sequence[str]) -> TwistOptions:
        """
        Parse a command line.

        @param argv: The command line, program name first.
        @return: The parsed options.
        @raise SystemExit: With L{ExitStatus.EX_USAGE} after writing the
            error and the usage to stderr, if the command line is wrong
            (or with 0 after C{--help}).
        """
        options = TwistOptions()
        try:
            options.parseOptions(list(argv[1:]))
        except UsageError as e:
            sys.stderr.write(f"Error: {e}\n\n{options}")
            sys.stderr.flush()
            raise SystemExit(ExitStatus.EX_USAGE) from None
        return options

    @staticmethod
    def service(plugin: Any, options: Options) -> IService:
        """
        Make the plugin's service.

        @param plugin: The C{IServiceMaker}.
        @param options: Its parsed options.
        @return: The service.
        """
        service: IService = plugin.makeService(options)
        return service

    @staticmethod
    def run(options: TwistOptions) -> int:
        """
        Install the reactor, make the service and run it until the reactor
        stops.

        @param options: The parsed command line.
        @return: The exit status.
        """
        try:
            return Twist._run(options)
        except _Exit as e:
            sys.stderr.write(f"torsion: {e.message}\n")
            sys.stderr.flush()
            return e.status

    @staticmethod
    def _run(options: TwistOptions) -> int:
        try:
            reactor = installReactor(options["reactor"])
        except Exception as e:
            raise _Exit(ExitStatus.EX_SOFTWARE, str(e)) from None
        name = options.subCommand
        assert name is not None
        try:
            service = Twist.service(options.plugins[name], options.subOptions)
        except Exception as e:
            raise _Exit(
                ExitStatus.EX_SOFTWARE,
                f"the {name!r} plugin could not make its service: {describeError(e)}",
            ) from None
        path = options["pidfile"]
        runner = Runner(
            reactor,
            service=service,
            pidFile=nonePIDFile if not path else PIDFile(path),
            defaultLogLevel=options["log-level"],
            logFile=options["logFile"],
            fileLogObserverFactory=options["fileLogObserverFactory"],
        )
        terminal = sys.stderr  # logging may redirect sys.stderr into the log
        try:
            status = runner.run()
        except AlreadyRunningError as e:
            raise _Exit(ExitStatus.EX_CONFIG, str(e)) from None
        except InvalidPIDFileError as e:
            raise _Exit(ExitStatus.EX_DATAERR, str(e)) from None
        except PIDFileWriteError as e:
            raise _Exit(ExitStatus.EX_CANTCREAT, str(e)) from None
        failure = runner.startFailure
        if failure is not None:
            terminal.write(
                f"torsion: the service failed to start: {describeError(failure.value)} "
                f"(the log has the traceback)\n"
            )
            terminal.flush()
        return status

    @staticmethod
    def main(argv: Sequence[str] | None = None) -> NoReturn:
        """
        Run the C{torsion} command.

        @param argv: The command line, program name first; L{None} means
            C{sys.argv}.
        @raise SystemExit: Always, with the exit status.
        """
        options = Twist.options(sys.argv if argv is None else argv)
        raise SystemExit(Twist.run(options))
