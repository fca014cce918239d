"""
A countdown on the real reactor: LoopingCall ticks once a second, a worker
thread reports back with callFromThread, and the program exits cleanly when
the countdown ends, or on Ctrl-C/SIGTERM (shutdown triggers run either way).

Run: python examples/reactor_countdown.py [SECONDS] [--interval I]

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import threading
from typing import Any

from torsion.internet import defer, task


def run(reactor: Any, seconds: int, interval: float) -> defer.Deferred[Any]:
    """
    The countdown, as a Deferred that fires at liftoff.
    """
    remaining = [seconds]

    def tick() -> None:
        if remaining[0] == 0:
            loop.stop()
            return
        print(f"{remaining[0]}...", flush=True)
        remaining[0] -= 1

    def worker() -> None:
        # Runs in another thread; hands its result to the reactor thread.
        total = sum(range(1_000_000))
        reactor.callFromThread(print, f"worker thread computed {total}", flush=True)

    reactor.addSystemEventTrigger("before", "shutdown", print, "shutting down", flush=True)
    threading.Thread(target=worker).start()
    loop = task.LoopingCall(tick)
    loop.clock = reactor
    done: defer.Deferred[Any] = defer.Deferred()

    def begin() -> None:
        # Once running: Ctrl-C and SIGTERM are handled from here on.
        loop.start(interval).chainDeferred(done)

    reactor.callWhenRunning(begin)
    return done.addCallback(lambda _: print("liftoff!", flush=True))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Count down on the reactor.")
    parser.add_argument("seconds", type=int, nargs="?", default=3)
    parser.add_argument("--interval", type=float, default=1.0)
    options = parser.parse_args()
    task.react(run, [options.seconds, options.interval])
