# task.react: run a main function on the reactor and exit with its outcome.
#
# main(reactor, *argv) may return a value, a Deferred or a coroutine.  When
# its result is ready the reactor is stopped (unless something else already
# stopped it) and, once run() returns, the process exits: status 0 for
# success, the code of a SystemExit failure, or 1 (with the error logged) for
# any other failure.  If the reactor stops first (a signal, say), the exit
# status is 0 unless main's result arrived as a failure by then.
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from torsion.internet._deferred import maybeDeferred
from torsion.internet._errors import ReactorNotRunning
from torsion.logger import Logger
from torsion.python.failure import Failure

_log = Logger(namespace="torsion.internet.task")


def react(main: Callable[..., Any], argv: Sequence[object] = (), _reactor: Any = None) -> NoReturn:
    """
    Run C{main(reactor, *argv)} on the reactor, then exit the process.

    @param main: Returns a value, a Deferred or a coroutine.
    @param argv: Further arguments for C{main}.
    @param _reactor: The reactor to use (default: the global one).
    @raise SystemExit: Always, with 0 on success, the code of a L{SystemExit}
        failure, or 1 for any other failure.
    """
    if _reactor is None:
        from torsion.internet import reactor as _reactor
    reactor: Any = _reactor
    code: int | str | None = 0
    stopping = False

    def onShutdown() -> None:
        nonlocal stopping
        stopping = True

    reactor.addSystemEventTrigger("before", "shutdown", onShutdown)

    def finish(result: object, stopReactor: bool) -> None:
        nonlocal code
        if stopReactor:
            try:
                reactor.stop()
            except ReactorNotRunning:
                pass
        if isinstance(result, Failure):
            if result.check(SystemExit):
                code = result.value.code  # type: ignore[attr-defined]
            else:
                _log.failure("main function encountered error", failure=result)
                code = 1

    def done(result: object) -> None:
        if stopping:
            finish(result, False)
        else:
            reactor.callWhenRunning(finish, result, True)

    maybeDeferred(main, reactor, *argv).addBoth(done)
    reactor.run()
    sys.exit(code)


__all__ = ["react"]
