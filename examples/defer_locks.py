"""
Coordinating Deferred-using code: DeferredSemaphore, DeferredLock and
DeferredQueue.

- A DeferredSemaphore lets at most two pretend downloads run at once; the
  others wait their turn (semaphore.run releases the token when each one
  finishes, whether it succeeds or fails).
- A DeferredLock keeps two coroutines from interleaving their writes to a
  shared log ("async with lock:").
- A DeferredQueue connects a producer to a consumer that waits for each item.

There is no reactor here: a Clock stands in for it, and runUntilIdle()
moves time forward from one scheduled call to the next.

Run: python examples/defer_locks.py
"""

from __future__ import annotations

from torsion.internet import task
from torsion.internet.defer import (
    Deferred,
    DeferredLock,
    DeferredQueue,
    DeferredSemaphore,
    ensureDeferred,
    gatherResults,
)
from torsion.internet.task import Clock
from torsion.python.failure import Failure

FILES = {"a.txt": 2.0, "b.txt": 1.0, "c.txt": 1.0, "broken.txt": 0.5, "d.txt": 1.0}


def runUntilIdle(clock: Clock) -> None:
    """
    Play the reactor's part: jump to each scheduled call until none is left.
    """
    while clock.getDelayedCalls():
        nextTime = min(call.getTime() for call in clock.getDelayedCalls())
        clock.advance(nextTime - clock.seconds())


def main() -> None:
    clock = Clock()

    def say(message: str) -> None:
        print(f"[{clock.seconds():3.1f}s] {message}")

    # -- at most two downloads at a time ---------------------------------
    semaphore = DeferredSemaphore(2)

    def finished(name: str) -> str:
        if name.startswith("broken"):
            raise OSError(f"{name}: connection reset")
        say(f"  finished {name}")
        return name

    def download(name: str) -> Deferred[str]:
        say(f"  start {name} (free slots now: {semaphore.tokens})")
        return task.deferLater(clock, FILES[name], finished, name)

    def failedDownload(failure: Failure) -> str:
        failure.trap(OSError)
        say(f"  failed: {failure.getErrorMessage()}")
        return "(failed)"

    say("downloads, two at a time:")
    downloads = [semaphore.run(download, name).addErrback(failedDownload) for name in FILES]
    gatherResults(downloads).addCallback(lambda names: say(f"downloaded {names}"))
    runUntilIdle(clock)

    # -- a lock around a shared resource ---------------------------------
    lock = DeferredLock()
    log: list[str] = []

    async def writeRecord(who: str, lines: int) -> None:
        say(f"  {who} waits for the lock")
        async with lock:
            say(f"  {who} has the lock")
            for n in range(lines):
                log.append(f"{who} line {n + 1}")
                await task.deferLater(clock, 1.0)

    say("two writers sharing one log:")
    writers = [ensureDeferred(writeRecord("first", 2)), ensureDeferred(writeRecord("second", 2))]
    gatherResults(writers).addCallback(lambda _: say(f"log: {log}"))
    runUntilIdle(clock)

    # -- a queue between a producer and a consumer ------------------------
    queue: DeferredQueue[str | None] = DeferredQueue()

    async def consume() -> int:
        count = 0
        while (item := await queue.get()) is not None:
            say(f"  working on {item} ({len(queue.pending)} more in the queue)")
            await task.deferLater(clock, 1.0)
            count += 1
        return count

    say("producer and consumer:")
    for n in range(3):
        queue.put(f"job{n}")  # a burst: they wait in the queue
    consumer = ensureDeferred(consume())
    clock.callLater(5.0, queue.put, "job3")  # the consumer is idle, waiting for it
    clock.callLater(5.0, queue.put, None)  # tells the consumer to stop
    consumer.addCallback(lambda count: say(f"consumer done after {count} items"))
    runUntilIdle(clock)


if __name__ == "__main__":
    main()
