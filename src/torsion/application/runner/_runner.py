# Runner: what the torsion command (and twistd) do once the command line is
# parsed and the service is made.
#
#   run()   take the pid file             (errors raised: nothing has started)
#           startLogging()                the log file, filtered by level,
#                                         through the log beginner
#           startReactor()                shutdown trigger, "Starting
#                                         reactor..." (with the reactor's
#                                         class as `reactorClass`), run()
#               reactor running  ->       privilegedStartService, startService,
#                                         then the whenRunning hook
#               shutdown ('before') ->    stopService, waited for
#           reactorExited()               "Main loop terminated.", the hook
#           give the pid file up
#
# The service starts once the reactor runs, so a service that listens does
# so from inside the loop, as it would if started later.  If starting raises
# (a port that is taken, with strports' services), the failure is logged at
# critical level, kept in `startFailure`, the exit status becomes
# EX_SOFTWARE and the reactor is stopped: the 'before shutdown' trigger then
# stops what did start.  The trigger is added before the reactor runs, so
# even a stop that comes before the service started (a SIGTERM during
# startup) goes through stopService.
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

from torsion.application._iservice import IService
from torsion.application.runner._exit import ExitStatus
from torsion.application.runner._pidfile import IPIDFile, nonePIDFile
from torsion.internet.defer import Deferred, maybeDeferred
from torsion.logger import (
    FilteringLogObserver,
    LogBeginner,
    Logger,
    LogLevel,
    LogLevelFilterPredicate,
    globalLogBeginner,
    textFileLogObserver,
)
from torsion.logger._interfaces import LogObserver
from torsion.python.failure import Failure
from torsion.python.reflect import qual


class Runner:
    """
    Run a service on a reactor, as the C{torsion} command does: take the
    pid file, begin logging, start the service when the reactor runs, stop
    it (waiting for it) when the reactor shuts down.

    @ivar exitStatus: What the process should exit with, once L{run} has
        returned: C{0}, or L{ExitStatus.EX_SOFTWARE} if the service failed
        to start or to stop.
    @ivar startFailure: Why the service failed to start, or L{None}.
    """

    _log = Logger()

    def __init__(
        self,
        reactor: Any,
        *,
        service: IService | None = None,
        pidFile: IPIDFile = nonePIDFile,
        defaultLogLevel: LogLevel = LogLevel.info,
        logFile: IO[Any] | None = None,
        fileLogObserverFactory: Callable[[IO[Any]], LogObserver] = textFileLogObserver,
        logBeginner: LogBeginner | None = None,
        redirectStandardIO: bool = True,
        whenRunning: Callable[..., object] | None = None,
        whenRunningArguments: Mapping[str, object] | None = None,
        reactorExited: Callable[..., object] | None = None,
        reactorExitedArguments: Mapping[str, object] | None = None,
    ) -> None:
        """
        @param reactor: The reactor to run (an C{IReactorCore}).
        @param service: The service to start when the reactor runs and to
            stop when it shuts down; L{None} for none.
        @param pidFile: The pid file to hold while running.
        @param defaultLogLevel: Events below this level are not logged.
        @param logFile: Where the log goes; L{None} means C{sys.stdout} as
            it is when logging begins.
        @param fileLogObserverFactory: Makes the observer that writes to
            C{logFile} (C{textFileLogObserver} or C{jsonFileLogObserver}).
        @param logBeginner: Begins logging; L{None} means the global one.
        @param redirectStandardIO: Whether C{print()} output and writes to
            C{sys.stderr} become log events once logging begins.
        @param whenRunning: Called, with C{whenRunningArguments} as keyword
            arguments, once the reactor runs and the service has started.
        @param whenRunningArguments: The keyword arguments for it.
        @param reactorExited: Called, with C{reactorExitedArguments} as
            keyword arguments, once the reactor has stopped.
        @param reactorExitedArguments: The keyword arguments for it.
        """
        self._reactor = reactor
        self._service = service
        self._pidFile = pidFile
        self._defaultLogLevel = defaultLogLevel
        self._logFile = logFile
        self._fileLogObserverFactory = fileLogObserverFactory
        self._logBeginner = globalLogBeginner if logBeginner is None else logBeginner
        self._redirectStandardIO = redirectStandardIO
        self._whenRunning = whenRunning
        self._whenRunningArguments = dict(whenRunningArguments or {})
        self._reactorExited = reactorExited
        self._reactorExitedArguments = dict(reactorExitedArguments or {})
        self.exitStatus: int = ExitStatus.EX_OK
        self.startFailure: Failure | None = None

    def run(self) -> int:
        """
        Take the pid file, begin logging, run the reactor (starting and
        stopping the service), then give the pid file up.

        @return: L{exitStatus}.
        @raise torsion.application.runner.AlreadyRunningError: If the pid
            file names a running process; nothing else was done.
        @raise torsion.application.runner.InvalidPIDFileError: If the pid
            file holds something that is not a process id.
        @raise torsion.application.runner.PIDFileWriteError: If the pid
            file cannot be written.
        """
        self._pidFile.writeRunningPID()
        try:
            self.startLogging()
            self.startReactor()
            self.reactorExited()
        finally:
            self._pidFile.remove()
        return self.exitStatus

    def startLogging(self) -> None:
        """
        Begin logging to the log file, leaving out events below the
        default level.
        """
        logFile = sys.stdout if self._logFile is None else self._logFile
        observer = self._fileLogObserverFactory(logFile)
        predicate = LogLevelFilterPredicate(defaultLogLevel=self._defaultLogLevel)
        filtering = FilteringLogObserver(observer, [predicate])
        self._logBeginner.beginLoggingTo([filtering], redirectStandardIO=self._redirectStandardIO)

    def startReactor(self) -> None:
        """
        Run the reactor until it stops, starting the service once it runs.
        """
        if self._service is not None:
            self._reactor.addSystemEventTrigger("before", "shutdown", self._stopService)
        self._reactor.callWhenRunning(self._reactorRunning)
        self._log.info("Starting reactor...", reactorClass=qual(type(self._reactor)))
        self._reactor.run()

    def reactorExited(self) -> None:
        """
        Log that the reactor has stopped, and call the C{reactorExited} hook.
        """
        self._log.info("Main loop terminated.")
        if self._reactorExited is not None:
            self._reactorExited(**self._reactorExitedArguments)

    def _reactorRunning(self) -> None:
        service = self._service
        if service is not None:
            try:
                service.privilegedStartService()
                service.startService()
            except Exception:
                self.startFailure = Failure()
                self.exitStatus = ExitStatus.EX_SOFTWARE
                self._log.failure(
                    "{service!r} failed to start; stopping.",
                    self.startFailure,
                    level=LogLevel.critical,
                    service=service,
                )
                self._reactor.stop()
                return
        if self._whenRunning is not None:
            self._whenRunning(**self._whenRunningArguments)

    def _stopService(self) -> Deferred[None]:
        service = self._service
        assert service is not None

        def failed(failure: Failure) -> None:
            self.exitStatus = ExitStatus.EX_SOFTWARE
            self._log.failure("{service!r} failed to stop.", failure, service=service)

        stopping: Deferred[Any] = maybeDeferred(service.stopService)
        return stopping.addCallbacks(lambda ignored: None, failed)
