"""
async/await on Deferreds: coroutines, timeouts, races and cancellation.

Coroutines written with "async def" can await Deferreds once they are run
by ensureDeferred() or Deferred.fromCoroutine(), which return a Deferred for
the coroutine's result.  This program asks pretend mirrors for a file:

- it waits for each answer with a timeout (addTimeout turns a slow answer
  into a TimeoutError raised at the await);
- it races the mirrors (race() gives the first answer and cancels the
  others);
- it gathers several downloads at once (gatherResults), and
- it cancels a download in progress, which raises CancelledError inside the
  coroutine at its await.

There is no reactor here: a Clock stands in for it, and runUntilIdle()
moves time forward from one scheduled call to the next.

Run: python examples/defer_coroutines.py
"""

from __future__ import annotations

from torsion.internet import defer, task
from torsion.internet.defer import Deferred
from torsion.internet.task import Clock

MIRRORS = {"fast": 1.0, "slow": 4.0, "medium": 2.0}


def download(clock: Clock, mirror: str, name: str) -> Deferred[str]:
    """
    Download C{name} from C{mirror}; each mirror takes its own time.
    """
    return task.deferLater(clock, MIRRORS[mirror], lambda: f"{name} from {mirror}")


def runUntilIdle(clock: Clock) -> None:
    """
    Play the reactor's part: jump to each scheduled call until none is left.
    """
    while clock.getDelayedCalls():
        nextTime = min(call.getTime() for call in clock.getDelayedCalls())
        clock.advance(nextTime - clock.seconds())


async def downloadWithTimeout(clock: Clock, mirror: str, timeout: float) -> str:
    """
    Download from C{mirror}, giving up after C{timeout} seconds.
    """
    try:
        return await download(clock, mirror, "data.txt").addTimeout(timeout, clock)
    except defer.TimeoutError:
        return f"{mirror} mirror timed out after {timeout:.0f}s"


async def cancelledMidway(clock: Clock) -> str:
    """
    Start a slow download; it is cancelled from outside while we wait.
    """
    try:
        return await download(clock, "slow", "big.iso")
    except defer.CancelledError:
        return "gave up on big.iso"


async def main(clock: Clock) -> None:
    def say(message: str) -> None:
        print(f"[{clock.seconds():3.1f}s] {message}")

    say(await downloadWithTimeout(clock, "fast", 3))
    say(await downloadWithTimeout(clock, "slow", 3))

    index, winner = await defer.race(
        [download(clock, mirror, "race.txt") for mirror in ("slow", "medium", "fast")]
    )
    say(f"race won by mirror #{index}: {winner}")

    contents = await defer.gatherResults(
        [download(clock, mirror, f"part{n}") for n, mirror in enumerate(MIRRORS)]
    )
    say(f"gathered {contents}")

    pending = defer.ensureDeferred(cancelledMidway(clock))
    clock.callLater(1.5, pending.cancel)
    say(await pending)


if __name__ == "__main__":
    clock = Clock()
    done = Deferred.fromCoroutine(main(clock))
    runUntilIdle(clock)
    done.addCallback(lambda _: print("finished"))
