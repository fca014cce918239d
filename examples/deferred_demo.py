"""
A download manager in virtual time: the main job until the reactor lands.

Five "downloads" of different durations run at most two at a time
(DeferredSemaphore); one is too slow and times out (addTimeout); the results
are gathered with DeferredList.  A task.Clock stands in for the reactor, so
the whole program runs instantly while printing a timeline in virtual
seconds.  Written exactly as a Twisted program would be: replace `torsion`
with `twisted` in the imports and it runs the same.

Run: python examples/deferred_demo.py [--limit N]
"""

from __future__ import annotations

import argparse
from typing import Any

from torsion.internet import defer, task
from torsion.python.failure import Failure

DOWNLOADS = {
    "index.html": 1.5,
    "style.css": 0.5,
    "logo.png": 2.0,
    "huge.iso": 30.0,
    "app.js": 1.0,
}
TIMEOUT = 5.0


def log(clock: task.Clock, message: str) -> None:
    print(f"[t={clock.seconds():5.1f}s] {message}")


def download(clock: task.Clock, name: str, duration: float) -> defer.Deferred[int]:
    """
    Pretend to download C{name}: it takes C{duration} virtual seconds.
    """
    log(clock, f"start    {name}")
    size = len(name) * 1000
    d = task.deferLater(clock, duration, lambda: size)
    d.addTimeout(TIMEOUT, clock)
    return d


async def fetch(
    clock: task.Clock, slots: defer.DeferredSemaphore, name: str, duration: float
) -> str:
    async with slots:
        try:
            size = await download(clock, name, duration)
        except defer.TimeoutError:
            log(clock, f"timeout  {name} after {TIMEOUT}s")
            raise
        log(clock, f"finished {name} ({size} bytes)")
        return name


def report(results: list[tuple[bool, Any]]) -> int:
    ok = [value for success, value in results if success]
    failed = [value for success, value in results if not success]
    print(f"{len(ok)} downloaded: {', '.join(ok)}")
    for failure in failed:
        assert isinstance(failure, Failure)
        print(f"1 failed: {failure.type.__name__}")
    return len(failed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--limit", type=int, default=2, help="parallel downloads")
    args = parser.parse_args()
    clock = task.Clock()
    slots = defer.DeferredSemaphore(args.limit)
    jobs = [
        defer.ensureDeferred(fetch(clock, slots, name, duration))
        for name, duration in DOWNLOADS.items()
    ]
    done = defer.DeferredList(jobs, consumeErrors=True)
    outcome: list[int] = []
    done.addCallback(report).addCallback(outcome.append)
    # No reactor yet: step virtual time until everything has finished.
    while not outcome:
        clock.advance(0.5)
    log(clock, "all done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
