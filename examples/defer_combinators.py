"""
Waiting for many Deferreds at once: DeferredList and gatherResults.

Three pretend weather stations report temperatures after different delays;
one of them is broken.  The same readings are combined four ways:

- DeferredList: a (success, result) pair per station, failures included;
- DeferredList(fireOnOneCallback=True): the first reading to arrive, with
  the index of its station;
- gatherResults: just the values, or the first failure, wrapped in
  FirstError, which the errback traps to report the broken station;
- gatherResults after each Deferred recovered with its own errback, so one
  broken station no longer spoils the rest.

There is no reactor here: a Clock stands in for it, and runUntilIdle()
moves time forward from one scheduled call to the next.

Run: python examples/defer_combinators.py
"""

from __future__ import annotations

from typing import Any

from torsion.internet import defer, task
from torsion.internet.defer import Deferred, DeferredList
from torsion.internet.task import Clock
from torsion.python.failure import Failure

STATIONS = [("harbour", 2.0, 14.5), ("airport", 1.0, None), ("hill", 3.0, 9.0)]


class StationDown(Exception):
    """
    The station did not answer.
    """


def reading(name: str, temperature: float | None) -> float:
    """
    Return the temperature reported by station C{name}.

    @raise StationDown: If it has none.
    """
    if temperature is None:
        raise StationDown(f"{name} is not answering")
    return temperature


def readAll(clock: Clock) -> list[Deferred[float]]:
    """
    Ask every station; each answers after its own delay.
    """
    return [
        task.deferLater(clock, delay, reading, name, temperature)
        for name, delay, temperature in STATIONS
    ]


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

    def showPairs(pairs: list[tuple[bool, float | Failure]]) -> None:
        for (name, _, _), (succeeded, value) in zip(STATIONS, pairs, strict=True):
            if isinstance(value, Failure):
                say(f"DeferredList: {name} failed: {value.getErrorMessage()}")
            else:
                say(f"DeferredList: {name} ok={succeeded} {value:.1f}C")

    DeferredList(readAll(clock), consumeErrors=True).addCallback(showPairs)
    runUntilIdle(clock)

    def showFirst(first: Any) -> None:
        # With fireOnOneCallback the result is (result, index), not the list
        # of pairs that DeferredList's type promises; hence Any.
        value, index = first
        say(f"first reading: {value:.1f}C from {STATIONS[index][0]}")

    firstOne = DeferredList(readAll(clock), fireOnOneCallback=True, consumeErrors=True)
    firstOne.addCallback(showFirst)
    runUntilIdle(clock)

    def showAverage(values: list[float]) -> None:
        say(f"average of {len(values)}: {sum(values) / len(values):.2f}C")

    def showBroken(failure: Failure) -> None:
        failure.trap(defer.FirstError)
        error = failure.value
        assert isinstance(error, defer.FirstError)
        station = STATIONS[error.index][0]
        say(f"gatherResults failed: station {station}: {error.subFailure.getErrorMessage()}")

    defer.gatherResults(readAll(clock), consumeErrors=True).addCallbacks(showAverage, showBroken)
    runUntilIdle(clock)

    def skipBroken(failure: Failure) -> None:
        # Returning normally (here, None) recovers: the reading is just missing.
        failure.trap(StationDown)

    def showKnown(values: list[float | None]) -> None:
        known = [v for v in values if v is not None]
        average = sum(known) / len(known)
        say(f"{len(known)} of {len(values)} stations answered, average {average:.2f}C")

    recovered = [d.addErrback(skipBroken) for d in readAll(clock)]
    defer.gatherResults(recovered).addCallback(showKnown)
    runUntilIdle(clock)


if __name__ == "__main__":
    main()
