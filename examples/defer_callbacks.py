"""
Callbacks and errbacks: how a result travels down a Deferred's chain.

A pretend name service answers lookups one second after they are asked.
Each lookup's Deferred gets the same chain:

    lookup ──> describe ──> ping (returns a Deferred: the chain waits for it)
                  │
                  └─ unknownName (errback: traps KeyError and recovers)
                         │
                         └─ report / reportError

"alice" and "bob" succeed, "carol" is unknown and is recovered by the
errback, and "" fails with an error the errback does not trap, so it
reaches the last errback.

There is no reactor here: a Clock stands in for it, and runUntilIdle()
moves time forward from one scheduled call to the next.

Run: python examples/defer_callbacks.py
"""

from __future__ import annotations

from torsion.internet import task
from torsion.internet.defer import Deferred, DeferredList
from torsion.internet.task import Clock
from torsion.python.failure import Failure

ADDRESSES = {"alice": "10.0.0.1", "bob": "10.0.0.2"}
PING_TIMES = {"10.0.0.1": 0.5, "10.0.0.2": 2.0}


def find(name: str) -> str:
    """
    Look C{name} up in the address book.

    @raise ValueError: If C{name} is empty.
    @raise KeyError: If C{name} is unknown.
    """
    if not name:
        raise ValueError("a name is needed")
    return ADDRESSES[name]


def lookup(clock: Clock, name: str) -> Deferred[str]:
    """
    Find C{name}'s address, one second from now.
    """
    return task.deferLater(clock, 1.0, find, name)


def ping(clock: Clock, address: str) -> Deferred[float]:
    """
    Measure the round trip to C{address}; the answer takes that long.
    """
    seconds = PING_TIMES[address]
    return task.deferLater(clock, seconds, lambda: seconds)


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

    def describe(address: str, name: str) -> Deferred[str]:
        say(f"{name} is at {address}; pinging it")

        def withTime(seconds: float) -> str:
            return f"{name} ({address}) answers in {seconds:.1f}s"

        # Returning a Deferred from a callback: the chain waits for it, and
        # its result becomes the chain's result.
        return ping(clock, address).addCallback(withTime)

    def unknownName(failure: Failure, name: str) -> str:
        # trap() re-raises anything that is not a KeyError, so other errors
        # go on down the errback path.
        failure.trap(KeyError)
        return f"{name} is unknown; using the default route"

    def report(line: str) -> None:
        say(line)

    def reportError(failure: Failure, name: str) -> None:
        say(f"lookup of {name!r} failed: {failure.type.__name__}: {failure.getErrorMessage()}")

    lookups: list[Deferred[None]] = []
    for name in ["alice", "bob", "carol", ""]:
        say(f"looking up {name!r}")
        d = lookup(clock, name)
        d.addCallback(describe, name)
        d.addErrback(unknownName, name)
        lookups.append(d.addCallbacks(report, reportError, errbackArgs=(name,)))

    def allDone(results: list[tuple[bool, None]]) -> None:
        say(f"all {len(results)} lookups finished")

    DeferredList(lookups).addCallback(allDone)
    runUntilIdle(clock)


if __name__ == "__main__":
    main()
