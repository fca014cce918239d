# torsion's twistd, for deployments that start servers with twistd.
#
# The steps, in order, and why in that order:
#   1. parse the command line (ServerOptions);
#   2. put the current directory first on sys.path (twistd does: a .tac file
#      imports modules that sit next to it);
#   3. refuse to start if the pid file names a live process, before anything
#      else is done, in the foreground so the message reaches the terminal;
#   4. install the reactor (a .tac file, or a plugin's makeService, may
#      import torsion.internet.reactor);
#   5. make the service: run the .tac file and adapt its `application` to
#      IService, or call the plugin's makeService;
#   6. open the log file, relative to the starting directory;
#   7. change to --rundir; daemonize unless -n (see _daemon.py), with umask
#      --umask or 0077; with -n, set the umask only if --umask was given;
#   8. take the pid file (now the process that will serve holds it);
#   9. run the service with a Runner (text log, like twistd's), which starts
#      it once the reactor runs; a daemon tells the waiting parent once it
#      has started, or why it failed;
#  10. give the pid file up, log "Server Shut Down.", exit 0 (1 if the
#      service failed to start or stop).
# Errors up to step 7 are written to stderr as "twistd: ..." and exit 1; in
# a daemon, errors from step 8 on go to the parent, which prints them.
from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import IO, Any, NoReturn

from torsion import __version__
from torsion.application._iservice import IProcess, IService
from torsion.application.runner._pidfile import (
    AlreadyRunningError,
    IPIDFile,
    PIDFile,
    PIDFileError,
    nonePIDFile,
)
from torsion.application.runner._runner import Runner
from torsion.application.runner._setup import describeError, installReactor, openLogFile
from torsion.logger import Logger, textFileLogObserver
from torsion.python.reflect import qual
from torsion.python.usage import UsageError
from torsion.scripts._daemon import DaemonStatus, daemonize
from torsion.scripts._tac import NoApplicationError, loadApplication
from torsion.scripts._twistdoptions import ServerOptions

_log = Logger(namespace="torsion.scripts.twistd")

_DAEMON_UMASK = 0o077


class _Failed(Exception):
    """Stop with exit status 1, reporting C{message}."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """
    Run C{twistd}: the application of a .tac file (C{-y}) or the service
    of a plugin, in the foreground (C{-n}) or as a daemon.

    @param argv: The command line, program name first; L{None} means
        C{sys.argv}.
    @raise SystemExit: Always: 0 after a clean stop, 1 after an error
        (written to stderr first).
    """
    argv = sys.argv if argv is None else argv
    config = ServerOptions()
    try:
        config.parseOptions(list(argv[1:]))
    except UsageError as e:
        sys.stderr.write(f"{config}\ntwistd: {e}\n")
        raise SystemExit(1) from None
    try:
        status = _run(config)
    except _Failed as e:
        sys.stderr.write(f"twistd: {e.message}\n")
        status = 1
    sys.stderr.flush()
    raise SystemExit(status)


def _run(config: ServerOptions) -> int:
    here = os.path.abspath(os.getcwd())
    if here not in sys.path:
        sys.path.insert(0, here)
    pidFile: IPIDFile = PIDFile(config["pidfile"]) if config["pidfile"] else nonePIDFile
    try:
        holder = pidFile.runningPID()
    except PIDFileError as e:
        raise _Failed(str(e)) from None
    if holder is not None:
        raise _Failed(str(AlreadyRunningError(os.path.abspath(config["pidfile"]), holder)))
    try:
        reactor = installReactor(config["reactor"])
    except Exception as e:
        raise _Failed(str(e)) from None
    service = _makeService(config)
    daemon = not config["nodaemon"]
    logName = config["logfile"] or ("twistd.log" if daemon else "-")
    try:
        logFile = openLogFile(logName)
    except UsageError as e:
        raise _Failed(str(e)) from None
    rundir = config["rundir"]
    try:
        os.chdir(rundir)
    except OSError as e:
        raise _Failed(
            f"cannot change to the directory {rundir!r} (--rundir): {e.strerror}; give a "
            f"directory that exists"
        ) from None
    umask = config["umask"]
    status: DaemonStatus | None = None
    if daemon:
        status = daemonize(_DAEMON_UMASK if umask is None else umask)
    elif umask is not None:
        os.umask(umask)
    try:
        return _serve(reactor, service, pidFile, logFile, logName, status)
    except _Failed as e:
        if status is None:
            raise
        status.failed(e.message)
        return 1


def _makeService(config: ServerOptions) -> IService:
    """The service to run: from the .tac file, or from the plugin."""
    path = config["python"]
    if path is None:
        name = config.subCommand
        assert name is not None
        try:
            made: IService = config.plugins[name].makeService(config.subOptions)
        except Exception as e:
            raise _Failed(
                f"the {name!r} plugin could not make its service: {describeError(e)}"
            ) from None
        return made
    try:
        application = loadApplication(path)
    except OSError as e:
        raise _Failed(f"cannot read the .tac file {path!r}: {e.strerror}") from None
    except NoApplicationError as e:
        raise _Failed(str(e)) from None
    except Exception:
        raise _Failed(
            f"running the .tac file {path!r} failed:\n{traceback.format_exc().rstrip()}"
        ) from None
    service = IService(application, None)
    if service is None:
        raise _Failed(
            f"'application' in {path!r} is {application!r}, which is not an application; "
            f"make it with service.Application('NAME')"
        )
    process = IProcess(application, None)
    uid, gid = getattr(process, "uid", None), getattr(process, "gid", None)
    if (uid is not None and uid != os.getuid()) or (gid is not None and gid != os.getgid()):
        _log.warn(
            "The application asks to run as uid {uid} and gid {gid}; torsion's twistd does "
            "not switch users: start it as that user instead.",
            uid=uid,
            gid=gid,
        )
    return service


def _serve(
    reactor: Any,
    service: IService,
    pidFile: IPIDFile,
    logFile: IO[Any],
    logName: str,
    status: DaemonStatus | None,
) -> int:
    """Hold the pid file and run the service until the reactor stops."""
    try:
        pidFile.writeRunningPID()
    except PIDFileError as e:
        raise _Failed(str(e)) from None
    terminal = sys.stderr
    try:
        runner = Runner(
            reactor,
            service=service,
            logFile=logFile,
            fileLogObserverFactory=textFileLogObserver,
            whenRunning=None if status is None else status.started,
        )
        _log.info(
            "twistd (torsion {version}, Python {python}) starting up.",
            version=__version__,
            python=sys.version.split()[0],
        )
        _log.info("reactor class: {reactorClass}.", reactorClass=qual(type(reactor)))
        exitStatus = runner.run()
        _log.info("Server Shut Down.")
    finally:
        pidFile.remove()
    failure = runner.startFailure
    if failure is not None:
        where = "standard output" if logName == "-" else repr(logName)
        message = (
            f"the application failed to start: {describeError(failure.value)} "
            f"(the log, {where}, has the traceback)"
        )
        if status is None:
            terminal.write(f"twistd: {message}\n")
        else:
            status.failed(message)
    elif status is not None and not status.reported:
        status.failed("the daemon stopped before its application had started")
    return 0 if exitStatus == 0 else 1
