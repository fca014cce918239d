"""
Deferred micro-benchmarks: torsion against Twisted and asyncio, in one run.

Run C{python benchmarks/bench_defer.py [--quick] [--rounds N]}.  Cases:

 - (a) create a Deferred, add 10 callbacks, fire it;
 - (b) the same, but each callback returns an already-fired Deferred;
 - (c1) C{Deferred.fromCoroutine} of an C{async def} awaiting 1,000 fired
   Deferreds, against asyncio running the same coroutine over 1,000 done
   Futures (with C{coro.send(None)}, and as a Task on an event loop);
 - (c2) the same 1,000 awaits written as an C{@inlineCallbacks} generator;
 - (d) not in the issue: (c1) with a single await, which shows the fixed
   cost of starting and finishing a coroutine that 1,000 awaits hide.

Each workload is written once, as a function of the C{defer} module it runs
on, so torsion and Twisted execute the same source.  See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for `benchmarks`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torsion
from benchmarks._harness import (
    SUBJECT,
    Case,
    CaseResult,
    Comparison,
    Contender,
    environmentLines,
    formatRatios,
    formatTable,
    measure,
    parseTimingOptions,
    profileCases,
    sampleLine,
    timingParser,
)
from torsion.internet import defer as torsionDefer

#: Callbacks added in cases (a) and (b).
CALLBACKS = 10
#: Awaits (or yields) per coroutine in cases (c1) and (c2).
AWAITS = 1000

#: Targets from the issue: torsion at least 1.3x Twisted; (c) at least asyncio.
#: Case (d) is not in the issue and has no target.
TWISTED_TARGET = 1.3
ASYNCIO_TARGET = 1.0

#: Contender names and their column headings, in round-robin order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("torsion", "torsion"),
    ("twisted", "Twisted"),
    ("asyncio-send", "asyncio send"),
    ("asyncio-task", "asyncio Task"),
)
HEADINGS = dict(COLUMNS)

_RANGE_CALLBACKS = range(CALLBACKS)


def _addOne(result: int) -> int:
    return result + 1


# -- the workloads, each written once ------------------------------------


def callbacksWorkload(defer: ModuleType) -> Callable[[int], object]:
    """
    Case (a): create a Deferred, add L{CALLBACKS} callbacks, fire it.

    @param defer: The C{defer} module to run on (torsion's or Twisted's).
    @return: C{run(loops)}, returning the last Deferred's result.
    """
    deferredClass = defer.Deferred

    def run(loops: int) -> object:
        addOne = _addOne
        d = deferredClass()
        for _ in range(loops):
            d = deferredClass()
            for _ in _RANGE_CALLBACKS:
                d.addCallback(addOne)
            d.callback(0)
        return d.result

    return run


def chainWorkload(defer: ModuleType) -> Callable[[int], object]:
    """
    Case (b): like (a), but every callback returns an already-fired Deferred.

    @param defer: The C{defer} module to run on (torsion's or Twisted's).
    @return: C{run(loops)}, returning the last Deferred's result.
    """
    deferredClass = defer.Deferred
    succeed = defer.succeed

    def step(result: int) -> object:
        return succeed(result + 1)

    def run(loops: int) -> object:
        d = deferredClass()
        for _ in range(loops):
            d = deferredClass()
            for _ in _RANGE_CALLBACKS:
                d.addCallback(step)
            d.callback(0)
        return d.result

    return run


async def awaitAll(awaitables: Sequence[Any]) -> int:
    """
    Await each of C{awaitables} in turn (the coroutine of case (c1)).

    The same function object runs on torsion, Twisted and asyncio.

    @param awaitables: Already-fired Deferreds, or done asyncio Futures.
    @return: How many were awaited.
    """
    for awaitable in awaitables:
        await awaitable
    return len(awaitables)


def yieldAll(awaitables: Sequence[Any]) -> Generator[Any, Any, int]:
    """
    Yield each of C{awaitables} in turn (the generator of case (c2)).

    Undecorated here; each implementation's C{inlineCallbacks} wraps it.

    @param awaitables: Already-fired Deferreds.
    @return: How many were yielded.
    """
    # Not `yield from`: inlineCallbacks sends each result back in, which a
    # list iterator cannot take.
    for awaitable in awaitables:  # noqa: UP028
        yield awaitable
    return len(awaitables)


def firedDeferreds(defer: ModuleType, count: int) -> list[Any]:
    """
    @param defer: The C{defer} module to use.
    @param count: How many to make.
    @return: C{count} Deferreds that already have a result.

    Made once per contender, outside the timed code, and awaited again by
    every repetition: awaiting does not change what a later await does.
    (inlineCallbacks takes the result, leaving L{None}; the path is the same.)
    """
    return [defer.succeed(i) for i in range(count)]


def coroutineWorkload(defer: ModuleType, count: int = AWAITS) -> Callable[[int], object]:
    """
    Cases (c1) and (d), Deferred side: C{Deferred.fromCoroutine(awaitAll(fired))}.

    @param defer: The C{defer} module to run on (torsion's or Twisted's).
    @param count: How many fired Deferreds the coroutine awaits.
    @return: C{run(loops)}, returning the last coroutine's result.
    """
    fromCoroutine = defer.Deferred.fromCoroutine
    fired = firedDeferreds(defer, count)

    def run(loops: int) -> object:
        d = fromCoroutine(awaitAll(fired))
        for _ in range(loops - 1):
            d = fromCoroutine(awaitAll(fired))
        return d.result

    return run


def inlineCallbacksWorkload(defer: ModuleType) -> Callable[[int], object]:
    """
    Case (c2): an C{@inlineCallbacks} generator yielding 1,000 fired Deferreds.

    @param defer: The C{defer} module to run on (torsion's or Twisted's).
    @return: C{run(loops)}, returning the last generator's result.
    """
    decorated = defer.inlineCallbacks(yieldAll)
    fired = firedDeferreds(defer, AWAITS)

    def run(loops: int) -> object:
        d = decorated(fired)
        for _ in range(loops - 1):
            d = decorated(fired)
        return d.result

    return run


def doneFutures(loop: asyncio.AbstractEventLoop, count: int) -> list[asyncio.Future[int]]:
    """
    @param loop: The loop the Futures belong to.
    @param count: How many to make.
    @return: C{count} asyncio Futures that already have a result.
    """
    futures: list[asyncio.Future[int]] = []
    for i in range(count):
        future = loop.create_future()
        future.set_result(i)
        futures.append(future)
    return futures


def asyncioSendWorkload(
    loop: asyncio.AbstractEventLoop, count: int = AWAITS
) -> Callable[[int], object]:
    """
    Case (c), asyncio run bare: C{awaitAll(done).send(None)} until it returns.

    No loop and no Task: the cheapest way the coroutine can be completed.
    One C{send} finishes it because no Future is pending.

    @param loop: The loop the done Futures belong to (it is not run).
    @param count: How many done Futures the coroutine awaits.
    @return: C{run(loops)}, returning the last coroutine's result.
    """
    done = doneFutures(loop, count)

    def run(loops: int) -> object:
        value: object = None
        for _ in range(loops):
            coro = awaitAll(done)
            try:
                coro.send(None)
            except StopIteration as stop:
                value = stop.value
            else:
                coro.close()
        return value

    return run


def asyncioTaskWorkload(
    loop: asyncio.AbstractEventLoop, count: int = AWAITS
) -> Callable[[int], object]:
    """
    Case (c), asyncio as it runs coroutines: one Task per repetition.

    Each repetition is C{loop.create_task(awaitAll(done))}; the loop then runs
    until the last Task is done (one C{run_until_complete} per sample; Tasks
    run first-in first-out, so all of them are done by then).

    @param loop: The event loop to run the Tasks on.
    @param count: How many done Futures the coroutine awaits.
    @return: C{run(loops)}, returning the last Task's result.
    """
    done = doneFutures(loop, count)

    def run(loops: int) -> object:
        createTask = loop.create_task
        task = createTask(awaitAll(done))
        for _ in range(loops - 1):
            task = createTask(awaitAll(done))
        return loop.run_until_complete(task)

    return run


# -- assembling the run --------------------------------------------------


def importTwisted() -> tuple[ModuleType | None, str]:
    """
    Import Twisted's C{defer} module if Twisted is installed.

    @return: The module (or L{None}) and a version, or why it is missing.
    """
    try:
        import twisted
        from twisted.internet import defer
    except ImportError as e:
        return None, (
            f"not importable ({e}); its columns are skipped. "
            "Install the 'bench' extra: pip install -e '.[bench]'"
        )
    return defer, str(twisted.__version__)


def describeTorsion() -> str:
    """
    @return: torsion's version, and whether its C accelerator is in use.
    """
    try:
        from torsion.internet import _deferredbase
    except ImportError:
        return torsion.__version__
    if getattr(_deferredbase, "HAVE_C", False):
        return f"{torsion.__version__}, C accelerator (torsion._cdefer) in use"
    if os.environ.get("TORSION_NO_EXTENSIONS"):
        return f"{torsion.__version__}, pure Python (TORSION_NO_EXTENSIONS is set)"
    return f"{torsion.__version__}, pure Python (torsion._cdefer is not built)"


def buildCases(twistedDefer: ModuleType | None, loop: asyncio.AbstractEventLoop) -> list[Case]:
    """
    @param twistedDefer: Twisted's C{defer} module, or L{None} to leave it out.
    @param loop: The asyncio event loop for the asyncio contenders.
    @return: Cases (a), (b), (c1), (c2) from the issue, and (d), which shows
        the per-call cost that (c1)'s 1,000 awaits hide.
    """

    def deferredContenders(
        workload: Callable[[ModuleType], Callable[[int], object]],
    ) -> list[Contender]:
        contenders = [Contender(SUBJECT, workload(torsionDefer))]
        if twistedDefer is not None:
            contenders.append(Contender("twisted", workload(twistedDefer)))
        return contenders

    asyncioContenders = [
        Contender("asyncio-send", asyncioSendWorkload(loop)),
        Contender("asyncio-task", asyncioTaskWorkload(loop)),
    ]
    asyncioOnce = [
        Contender("asyncio-send", asyncioSendWorkload(loop, 1)),
        Contender("asyncio-task", asyncioTaskWorkload(loop, 1)),
    ]
    vsTwisted = (Comparison("twisted", TWISTED_TARGET),)
    vsAll = (
        *vsTwisted,
        Comparison("asyncio-send", ASYNCIO_TARGET),
        Comparison("asyncio-task", ASYNCIO_TARGET),
    )
    return [
        Case(
            "a",
            f"Deferred + {CALLBACKS} callbacks + fire",
            CALLBACKS,
            tuple(deferredContenders(callbacksWorkload)),
            vsTwisted,
        ),
        Case(
            "b",
            f"chain of {CALLBACKS} returning fired Deferreds",
            CALLBACKS,
            tuple(deferredContenders(chainWorkload)),
            vsTwisted,
        ),
        Case(
            "c1",
            f"async def, {AWAITS:,} awaits (fromCoroutine)",
            AWAITS,
            (*deferredContenders(coroutineWorkload), *asyncioContenders),
            vsAll,
        ),
        Case(
            "c2",
            f"@inlineCallbacks, {AWAITS:,} yields",
            AWAITS,
            (*deferredContenders(inlineCallbacksWorkload), *asyncioContenders),
            vsAll,
        ),
        Case(
            "d",
            "async def, 1 await (fromCoroutine)",
            1,
            (
                *deferredContenders(lambda defer: coroutineWorkload(defer, 1)),
                *asyncioOnce,
            ),
            (
                Comparison("twisted", None),
                Comparison("asyncio-send", None),
                Comparison("asyncio-task", None),
            ),
        ),
    ]


def parseArguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """
    @param argv: Command-line arguments (without the program name).
    @return: The parsed options, with C{rounds} and C{sample_ms} filled in.
    """
    parser = timingParser("Compare torsion's Deferreds with Twisted's and with asyncio.")
    parser.add_argument(
        "--no-twisted", action="store_true", help="leave Twisted out, as if it were not installed"
    )
    return parseTimingOptions(parser, argv)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the benchmark and print its report.

    @param argv: Command-line arguments; L{None} for C{sys.argv[1:]}.
    @return: The exit status.
    """
    options = parseArguments(argv)
    sampleNs = int(options.sample_ms * 1_000_000)
    if options.no_twisted:
        twistedDefer, twistedVersion = None, "left out (--no-twisted)"
    else:
        twistedDefer, twistedVersion = importTwisted()
    torsionDefer.setDebugging(False)

    loop = asyncio.new_event_loop()
    try:
        cases = buildCases(twistedDefer, loop)
        if options.profile:
            print("\n".join(profileCases(cases, sampleNs, top=12)))
            return 0
        print("torsion Deferred micro-benchmarks")
        print(
            "\n".join(
                environmentLines([("torsion", describeTorsion()), ("Twisted", twistedVersion)])
            )
        )
        print(sampleLine(options.rounds, options.sample_ms))
        print()
        results: list[CaseResult] = []
        for case in cases:
            results.append(measure(case, options.rounds, sampleNs))
        print("median time per repetition")
        print("\n".join(formatTable(results, COLUMNS)))
        print()
        print(
            "ratios: baseline time / torsion time (>1 means torsion is faster); "
            "median of per-round ratios [lowest..highest round]"
        )
        print("  asyncio send = coroutine finished by coro.send(None), no loop")
        print("  asyncio Task = loop.create_task(coro) per repetition, run on the event loop")
        print("\n".join(formatRatios(results, HEADINGS)))
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
