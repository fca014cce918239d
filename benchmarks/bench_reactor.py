"""
Reactor benchmarks: torsion's reactor against Twisted, asyncio and uvloop, in one run.

Run C{python benchmarks/bench_reactor.py [--quick] [--rounds N]}.  Cases,
numbered as in the issue:

 - (1) timers: schedule 100,000 calls with random delays (uniform in
   [0, 50 ms], the same seeded delays for everyone), cancel a random half,
   and run the loop until every live call has run; the wall time of the
   whole (schedule + cancel + run);
 - (2) C{callLater(0)} round trips: a call that schedules itself again with
   delay 0, N times (asyncio and uvloop also with C{call_soon});
 - (3a) C{callFromThread} throughput: 4 threads each make M calls; the time
   from releasing them until the last call has run in the loop's thread;
 - (3b) idle wake latency: the loop is idle, another thread calls
   C{callFromThread(record, perf_counter_ns())}, and C{record} notes how long
   that took to arrive; median and 99th percentile over 200 wakes.

It also reports the memory the timers of (1) hold, before and after half of
them are cancelled.  Each workload is written once, over the few loop
operations it needs (see L{EventLoop}), so every implementation runs the same
source.  Every sample uses a fresh loop, made and closed outside the timed
part.  See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import importlib.metadata
import random
import select
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for `benchmarks`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torsion
from benchmarks._harness import (
    BenchmarkError,
    Case,
    CaseResult,
    Comparison,
    Contender,
    Timed,
    environmentLines,
    formatRatios,
    formatTable,
    measure,
    parseTimingOptions,
    percentile,
    positive,
    profileCases,
    timingParser,
)
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.epollreactor import EPollReactor
from torsion.internet.pollreactor import PollReactor
from torsion.internet.selectreactor import SelectReactor

#: Targets from the issue, for case (1) only: at least as fast as asyncio,
#: aiming for twice as fast as Twisted.  Every other ratio is information.
ASYNCIO_TARGET = 1.0
TWISTED_TARGET = 2.0

#: Contender names and their column headings, in round-robin order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("torsion", "torsion"),
    ("twisted", "Twisted"),
    ("asyncio", "asyncio"),
    ("asyncio-soon", "asyncio call_soon"),
    ("uvloop", "uvloop"),
    ("uvloop-soon", "uvloop call_soon"),
)
HEADINGS = dict(COLUMNS)

#: The readiness backend both reactors use: epoll where there is one (Linux,
#: where it is the default of torsion and of Twisted), else poll, else select.
BACKEND = "epoll" if hasattr(select, "epoll") else "poll" if hasattr(select, "poll") else "select"

#: torsion's reactor class for each backend.
TORSION_REACTORS: dict[str, Callable[[], PollingReactor]] = {
    "epoll": EPollReactor,
    "poll": PollReactor,
    "select": SelectReactor,
}

#: The name of that class, in torsion as in Twisted.
REACTOR_NAME = {"epoll": "EPollReactor", "poll": "PollReactor", "select": "SelectReactor"}[BACKEND]

#: A loop that has not finished its workload after this long is broken.
GUARD_SECONDS = 60.0


# -- the loops, seen through the operations the workloads use -------------


@dataclass(frozen=True, slots=True)
class EventLoop:
    """
    One fresh event loop, as the bound methods the workloads call.

    The workloads fetch these once, so the timed code calls each library's
    own method directly, with nothing in between.

    @ivar callLater: C{(delay, f, *args)}: run C{f(*args)} after C{delay}
        seconds; returns a handle with C{cancel()}.
    @ivar callSoon: C{(f, *args)}: run C{f(*args)} at the next iteration
        (asyncio's C{call_soon}), or L{None} if the library has no such call.
    @ivar callFromThread: C{(f, *args)}, thread-safe: run C{f(*args)} in the
        loop's thread.
    @ivar callWhenRunning: C{(f)}: run C{f()} once the loop is running.
    @ivar run: Run the loop until C{stop()} is called.
    @ivar stop: Make C{run()} return.
    @ivar close: Release the loop's descriptors (after C{run()} returned).
    @ivar timerEntries: How many entries the loop's timer queue holds
        (cancelled ones included); L{None} where that cannot be seen.
    """

    callLater: Callable[..., Any]
    callSoon: Callable[..., Any] | None
    callFromThread: Callable[..., Any]
    callWhenRunning: Callable[[Callable[[], object]], object]
    run: Callable[[], object]
    stop: Callable[[], object]
    close: Callable[[], object]
    timerEntries: Callable[[], int | None]


def torsionLoop() -> EventLoop:
    """
    @return: A fresh torsion reactor (of the L{BACKEND} backend), run
        without signal handlers.
    """
    reactor = TORSION_REACTORS[BACKEND]()

    def run() -> None:
        reactor.run(installSignalHandlers=False)

    return EventLoop(
        callLater=reactor.callLater,
        callSoon=None,
        callFromThread=reactor.callFromThread,
        callWhenRunning=reactor.callWhenRunning,
        run=run,
        stop=reactor.stop,
        # A stopped reactor keeps its waker's descriptor (the epoll one is
        # closed when the reactor is collected).
        close=reactor.waker.close,
        timerEntries=lambda: len(reactor._timers),
    )


def twistedLoopFactory(reactorClass: Any) -> Callable[[], EventLoop]:
    """
    @param reactorClass: A Twisted reactor class, e.g. its C{EPollReactor}.
    @return: A function making a fresh, never installed, instance of it.

    A Twisted reactor cannot run twice, but a new instance can be made and
    run without installing it as C{twisted.internet.reactor}.
    """

    def make() -> EventLoop:
        reactor = reactorClass()

        def run() -> None:
            reactor.run(installSignalHandlers=False)

        def close() -> None:
            reactor.waker.connectionLost(None)  # it is not closed at shutdown

        def timerEntries() -> int:
            return len(reactor._pendingTimedCalls) + len(reactor._newTimedCalls)

        return EventLoop(
            callLater=reactor.callLater,
            callSoon=None,
            callFromThread=reactor.callFromThread,
            callWhenRunning=reactor.callWhenRunning,
            run=run,
            stop=reactor.stop,
            close=close,
            timerEntries=timerEntries,
        )

    return make


def asyncioLoopFactory(newLoop: Callable[[], asyncio.AbstractEventLoop]) -> Callable[[], EventLoop]:
    """
    @param newLoop: Makes a new asyncio event loop (stdlib or uvloop).
    @return: A function making a fresh loop, seen as an L{EventLoop}.
    """

    def make() -> EventLoop:
        loop = newLoop()

        def timerEntries() -> int | None:
            scheduled = getattr(loop, "_scheduled", None)
            return None if scheduled is None else len(scheduled)

        return EventLoop(
            callLater=loop.call_later,
            callSoon=loop.call_soon,
            callFromThread=loop.call_soon_threadsafe,
            callWhenRunning=loop.call_soon,
            run=loop.run_forever,
            stop=loop.stop,
            close=loop.close,
            timerEntries=timerEntries,
        )

    return make


# -- the workloads, each written once ------------------------------------


class Countdown:
    """
    Counts calls down from C{left}; the last one calls C{finish()}.
    """

    __slots__ = ("finish", "left")

    def __init__(self, left: int, finish: Callable[[], object]) -> None:
        self.left = left
        self.finish = finish

    def tick(self, *ignored: object) -> None:
        """
        One call has run.
        """
        left = self.left - 1
        self.left = left
        if not left:
            self.finish()


@dataclass(frozen=True, slots=True)
class TimerPlan:
    """
    The timers of case (1): the same for every contender.

    @ivar delays: The delay of each call, in seconds.
    @ivar cancelOrder: Indexes into C{delays} of the calls to cancel, in the
        order they are cancelled.
    """

    delays: tuple[float, ...]
    cancelOrder: tuple[int, ...]

    @classmethod
    def make(cls, count: int, maxDelay: float, seed: int) -> TimerPlan:
        """
        @param count: How many calls to schedule.
        @param maxDelay: Delays are uniform in [0, maxDelay] seconds.
        @param seed: Seed of the random choices.
        @return: A plan with random delays and a random half to cancel.
        """
        rng = random.Random(seed)
        delays = tuple(rng.uniform(0, maxDelay) for _ in range(count))
        return cls(delays, tuple(rng.sample(range(count), count // 2)))

    @property
    def live(self) -> int:
        """
        How many calls are left to run once the others are cancelled.
        """
        return len(self.delays) - len(self.cancelOrder)


#: Per-contender phase durations of case (1), in ns: (schedule, cancel, run,
#: time the process was idle during run).
Phases = dict[str, list[tuple[int, int, int, int]]]


def timersWorkload(
    make: Callable[[], EventLoop], plan: TimerPlan, phases: list[tuple[int, int, int, int]]
) -> Callable[[int], Timed]:
    """
    Case (1): schedule the plan's calls, cancel its half, run until done.

    @param make: Makes a fresh loop for each repetition.
    @param plan: The delays and the calls to cancel.
    @param phases: Gets the (schedule, cancel, run, idle) ns of each
        repetition.  Idle is the part of run the process spent waiting
        (wall time less CPU time): the last calls may not be due yet when
        the loop starts, and no loop can run them sooner.
    @return: C{run(loops)}, reporting how many calls ran in the last
        repetition and the time of the timed parts.
    """
    delays = plan.delays
    cancelOrder = plan.cancelOrder
    live = plan.live

    def run(loops: int) -> Timed:
        total = 0
        ran = 0
        for _ in range(loops):
            loop = make()
            try:
                counter = Countdown(live, loop.stop)
                tick = counter.tick
                callLater = loop.callLater
                start = time.perf_counter_ns()
                handles = [callLater(delay, tick) for delay in delays]
                scheduled = time.perf_counter_ns()
                for index in cancelOrder:
                    handles[index].cancel()
                # Drop the handles, as a program would: freeing the calls is
                # part of what is measured.
                del handles
                cancelled = time.perf_counter_ns()
                cpu = time.process_time_ns()
                loop.run()
                end = time.perf_counter_ns()
                cpu = time.process_time_ns() - cpu
            finally:
                loop.close()
            runNs = end - cancelled
            phases.append((scheduled - start, cancelled - scheduled, runNs, max(0, runNs - cpu)))
            total += end - start
            ran = live - counter.left
        return Timed(ran, total)

    return run


class LaterRelay:
    """
    Case (2): a call that schedules itself again with C{callLater(0, ...)}.
    """

    __slots__ = ("again", "callLater", "left", "stop")

    def __init__(self, left: int, callLater: Callable[..., Any], stop: Callable[[], object]):
        self.left = left
        self.callLater = callLater
        self.stop = stop
        self.again = self.step

    def step(self) -> None:
        """
        One round trip done: schedule the next, or stop after the last.
        """
        self.left -= 1
        if self.left:
            self.callLater(0, self.again)
        else:
            self.stop()


class SoonRelay:
    """
    Case (2), asyncio style: a call that schedules itself with C{call_soon}.
    """

    __slots__ = ("again", "callSoon", "left", "stop")

    def __init__(self, left: int, callSoon: Callable[..., Any], stop: Callable[[], object]):
        self.left = left
        self.callSoon = callSoon
        self.stop = stop
        self.again = self.step

    def step(self) -> None:
        """
        One round trip done: schedule the next, or stop after the last.
        """
        self.left -= 1
        if self.left:
            self.callSoon(self.again)
        else:
            self.stop()


def roundTripWorkload(make: Callable[[], EventLoop], soon: bool) -> Callable[[int], Timed]:
    """
    Case (2): C{loops} round trips through the loop, on one fresh loop.

    @param make: Makes the loop.
    @param soon: Use C{call_soon} instead of C{callLater(0, ...)}.
    @return: C{run(loops)}, reporting how many round trips ran.
    """

    def run(loops: int) -> Timed:
        loop = make()
        try:
            callSoon = loop.callSoon if soon else None
            relay: LaterRelay | SoonRelay
            if callSoon is not None:
                relay = SoonRelay(loops, callSoon, loop.stop)
            elif soon:
                raise BenchmarkError("this loop has no call_soon; use soon=False")
            else:
                relay = LaterRelay(loops, loop.callLater, loop.stop)
            start = time.perf_counter_ns()
            if callSoon is not None:
                callSoon(relay.again)
            else:
                loop.callLater(0, relay.again)
            loop.run()
            end = time.perf_counter_ns()
        finally:
            loop.close()
        return Timed(loops - relay.left, end - start)

    return run


def threadWorkload(make: Callable[[], EventLoop], threads: int) -> Callable[[int], Timed]:
    """
    Case (3a): C{threads} threads share C{loops} calls to C{callFromThread}.

    The threads are started first and wait; the clock starts when the
    running loop releases them and stops when the last call has run in the
    loop's thread.

    @param make: Makes the loop.
    @param threads: How many threads make calls.
    @return: C{run(loops)}, reporting how many calls ran.
    """

    def run(loops: int) -> Timed:
        loop = make()
        marks: list[int] = []

        def finish() -> None:
            marks.append(time.perf_counter_ns())
            loop.stop()

        counter = Countdown(loops, finish)
        go = threading.Event()

        def produce(calls: int) -> None:
            callFromThread = loop.callFromThread
            tick = counter.tick
            go.wait()
            for _ in range(calls):
                callFromThread(tick)

        def begin() -> None:
            marks.append(time.perf_counter_ns())
            go.set()

        shares = [loops // threads + (i < loops % threads) for i in range(threads)]
        workers = [
            threading.Thread(target=produce, args=(share,), daemon=True)
            for share in shares
            if share
        ]
        try:
            for worker in workers:
                worker.start()
            loop.callWhenRunning(begin)
            loop.callLater(GUARD_SECONDS, loop.stop)
            loop.run()
        finally:
            go.set()
            for worker in workers:
                worker.join()
            loop.close()
        if counter.left:
            raise BenchmarkError(
                f"only {loops - counter.left:,} of {loops:,} calls from threads ran within "
                f"{GUARD_SECONDS:g} s; the loop is not waking up for them"
            )
        return Timed(loops, marks[1] - marks[0])

    return run


def wakeLatencies(make: Callable[[], EventLoop], wakes: int, gap: float) -> list[int]:
    """
    Case (3b): how long a call from another thread takes to reach an idle loop.

    A sender thread waits C{gap} seconds (so the loop is back asleep in its
    poll), then calls C{callFromThread(record, perf_counter_ns())}; C{record}
    runs in the loop's thread and notes the difference.  The next call is sent
    only after C{record} has run.

    @param make: Makes the loop.
    @param wakes: How many calls to send.
    @param gap: Seconds of idleness before each call.
    @return: The latency of each call, in ns.
    """
    loop = make()
    latencies: list[int] = []
    arrived = threading.Event()
    go = threading.Event()
    failed: list[str] = []

    def record(sent: int) -> None:
        latencies.append(time.perf_counter_ns() - sent)
        if len(latencies) == wakes:
            loop.stop()
        arrived.set()

    def send() -> None:
        callFromThread = loop.callFromThread
        go.wait()
        for _ in range(wakes):
            time.sleep(gap)
            arrived.clear()
            callFromThread(record, time.perf_counter_ns())
            if not arrived.wait(GUARD_SECONDS):
                failed.append("a call from the sender thread never arrived")
                return

    sender = threading.Thread(target=send, daemon=True)
    try:
        sender.start()
        loop.callWhenRunning(go.set)
        loop.callLater(GUARD_SECONDS * 2, loop.stop)
        loop.run()
    finally:
        go.set()
        sender.join()
        loop.close()
    if failed or len(latencies) != wakes:
        raise BenchmarkError(
            f"{len(latencies)} of {wakes} wake-ups arrived ({'; '.join(failed) or 'timed out'})"
        )
    return latencies


@dataclass(frozen=True, slots=True)
class LatencyResult:
    """
    Case (3b) measured.

    @ivar result: Per-round medians (ns), in the form the ratio lines use.
    @ivar pooled: Every latency measured (ns), by contender name.
    """

    result: CaseResult
    pooled: dict[str, list[int]]


def measureLatency(
    case: Case, makers: dict[str, Callable[[], EventLoop]], rounds: int, wakes: int, gap: float
) -> LatencyResult:
    """
    Measure case (3b): each round takes C{wakes} wake-ups of every contender.

    @param case: The case (its contenders name the loops to use).
    @param makers: Loop factories by contender name.
    @param rounds: How many rounds.
    @param wakes: Wake-ups per contender per round.
    @param gap: Seconds of idleness before each wake-up.
    @return: Per-round medians and all latencies.
    """
    result = CaseResult(case)
    pooled: dict[str, list[int]] = {}
    names = [contender.name for contender in case.contenders]
    for name in names:
        wakeLatencies(makers[name], min(wakes, 5), gap)  # warm-up
        result.loops[name] = wakes
        result.samples[name] = []
        pooled[name] = []
    wasEnabled = gc.isenabled()
    try:
        for _ in range(rounds):
            for name in names:
                # As in the timed cases: a fresh heap and no collections.
                gc.collect()
                gc.disable()
                latencies = wakeLatencies(makers[name], wakes, gap)
                gc.enable()
                result.samples[name].append(statistics.median(latencies))
                pooled[name].extend(latencies)
    finally:
        if wasEnabled:
            gc.enable()
        else:
            gc.disable()
    return LatencyResult(result, pooled)


# -- memory held by timers -------------------------------------------------


def _noop() -> None:
    pass


@dataclass(frozen=True, slots=True)
class TimerMemory:
    """
    Memory traced while scheduling and cancelling the timers of case (1).

    @ivar scheduled: Bytes held after scheduling all the calls (including
        the benchmark's own list of handles: 8 bytes a call).
    @ivar cancelled: Bytes held after cancelling half and dropping the
        handles: what the loop keeps for its live calls.
    @ivar peak: The most bytes held at any moment.
    @ivar liveOnly: Bytes held by scheduling only as many calls as remain
        live, none cancelled (handles dropped): the floor for C{cancelled}.
    @ivar entries: Timer queue entries after cancelling, or L{None}.
    """

    scheduled: int
    cancelled: int
    peak: int
    liveOnly: int
    entries: int | None


def _traceTimers(
    make: Callable[[], EventLoop], delays: Sequence[float], cancelOrder: Sequence[int]
) -> tuple[int, int, int, int | None]:
    gc.collect()
    loop = make()
    try:
        callLater = loop.callLater
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        handles = [callLater(delay, _noop) for delay in delays]
        scheduled = tracemalloc.get_traced_memory()[0] - base
        for index in cancelOrder:
            handles[index].cancel()
        del handles
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return scheduled, current - base, peak - base, loop.timerEntries()
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        loop.close()


def timerMemory(make: Callable[[], EventLoop], plan: TimerPlan) -> TimerMemory:
    """
    Trace the Python memory a loop's timers take (not timed).

    @param make: Makes the loop.
    @param plan: The delays and the half to cancel.
    @return: The memory held at each step.
    """
    scheduled, cancelled, peak, entries = _traceTimers(make, plan.delays, plan.cancelOrder)
    liveOnly = _traceTimers(make, plan.delays[: plan.live], ())[1]
    return TimerMemory(scheduled, cancelled, peak, liveOnly, entries)


def compactionLine(plan: TimerPlan) -> str:
    """
    Show what torsion's timer queue holds when one more call is cancelled.

    Its heap drops cancelled entries once they outnumber the live ones;
    cancelling exactly half, as (1) does, stops one short of that.

    @param plan: Case (1)'s timers.
    @return: A line of text.
    """
    cancelling = set(plan.cancelOrder)
    extra = next(i for i in range(len(plan.delays)) if i not in cancelling)
    cancelOrder = (*plan.cancelOrder, extra)
    _, held, _, entries = _traceTimers(torsionLoop, plan.delays, cancelOrder)
    return (
        f"torsion with {len(cancelOrder):,} cancelled instead (one more than half): "
        f"{entries:,} queue entries, {formatMegabytes(held)} held"
    )


# -- assembling the run --------------------------------------------------


def importTwisted() -> tuple[Callable[[], EventLoop] | None, str]:
    """
    Find Twisted's reactor class for L{BACKEND} (epoll: its default on Linux).

    @return: A loop factory (or L{None}) and a description, or why Twisted
        is missing.
    """
    try:
        import twisted

        module = importlib.import_module(f"twisted.internet.{BACKEND}reactor")
    except ImportError as e:
        return None, (
            f"not importable ({e}); its columns are skipped. "
            "Install the 'bench' extra: pip install -e '.[bench]'"
        )
    reactorClass = getattr(module, REACTOR_NAME)
    return twistedLoopFactory(reactorClass), (
        f"{twisted.__version__}, {reactorClass.__name__} "
        "(a fresh instance per sample, never installed)"
    )


def importUvloop() -> tuple[Callable[[], EventLoop] | None, str]:
    """
    @return: A uvloop loop factory (or L{None}) and its version, or why it
        is missing.
    """
    try:
        import uvloop
    except ImportError as e:
        return None, f"not importable ({e}); its columns are skipped (pip install uvloop)"
    return asyncioLoopFactory(uvloop.new_event_loop), importlib.metadata.version("uvloop")


def describeAsyncio() -> str:
    """
    @return: The class of loop C{asyncio.new_event_loop()} makes, and its
        selector.
    """
    loop = asyncio.new_event_loop()
    try:
        selector = getattr(loop, "_selector", None)
        via = f" over {type(selector).__name__}" if selector is not None else ""
        return f"{type(loop).__name__}{via} (a fresh loop per sample)"
    finally:
        loop.close()


@dataclass(frozen=True, slots=True)
class Options:
    """
    The sizes of the workloads.

    @ivar timers: Calls scheduled in (1).
    @ivar maxDelay: Largest delay in (1), in seconds.
    @ivar seed: Seed of (1)'s random delays and cancellations.
    @ivar threads: Threads calling in (3a).
    @ivar wakes: Wake-ups per contender per round in (3b).
    @ivar gap: Idle seconds before each wake-up in (3b).
    """

    timers: int
    maxDelay: float
    seed: int
    threads: int
    wakes: int
    gap: float


def buildCases(
    makers: dict[str, Callable[[], EventLoop]], options: Options, plan: TimerPlan, phases: Phases
) -> tuple[list[Case], Case]:
    """
    @param makers: Loop factories by implementation name (C{torsion},
        C{twisted}, C{asyncio}, C{uvloop}); the missing ones are left out.
    @param options: Workload sizes.
    @param plan: Case (1)'s timers.
    @param phases: Gets case (1)'s phase durations, by contender name.
    @return: The timed cases (1), (2), (3a), and case (3b), which is
        measured apart (see L{measureLatency}).
    """
    loops = [name for name in ("torsion", "twisted", "asyncio", "uvloop") if name in makers]
    for name in loops:
        phases[name] = []
    timerTargets = {"twisted": TWISTED_TARGET, "asyncio": ASYNCIO_TARGET}
    timers = Case(
        "1",
        f"{options.timers:,} callLater, half cancelled",
        plan.live,
        tuple(Contender(name, timersWorkload(makers[name], plan, phases[name])) for name in loops),
        tuple(Comparison(name, timerTargets.get(name)) for name in loops[1:]),
        loops=1,
    )
    roundTrips: list[Contender] = []
    for name in loops:
        roundTrips.append(Contender(name, roundTripWorkload(makers[name], soon=False)))
        if name in ("asyncio", "uvloop"):
            roundTrips.append(Contender(f"{name}-soon", roundTripWorkload(makers[name], soon=True)))
    information = tuple(Comparison(c.name, None) for c in roundTrips[1:])
    roundTrip = Case("2", "callLater(0) round trip", 1, tuple(roundTrips), information)
    fromThreads = Case(
        "3a",
        f"callFromThread, {options.threads} threads",
        1,
        tuple(Contender(name, threadWorkload(makers[name], options.threads)) for name in loops),
        tuple(Comparison(name, None) for name in loops[1:]),
    )
    latency = Case(
        "3b",
        "idle wake latency (median)",
        None,
        tuple(Contender(name, lambda loops: None) for name in loops),
        tuple(Comparison(name, None) for name in loops[1:]),
    )
    return [timers, roundTrip, fromThreads], latency


def columnsOf(results: Sequence[CaseResult]) -> list[tuple[str, str]]:
    """
    @param results: Measured cases.
    @return: The entries of L{COLUMNS} that at least one of them measured.
    """
    return [column for column in COLUMNS if any(column[0] in r.samples for r in results)]


def formatMs(ns: float) -> str:
    """
    @param ns: Nanoseconds.
    @return: Milliseconds, e.g. C{"12.3 ms"}.
    """
    return f"{ns / 1e6:,.1f} ms"


def formatMicroseconds(ns: float) -> str:
    """
    @param ns: Nanoseconds.
    @return: Microseconds, e.g. C{"41.5 us"}.
    """
    return f"{ns / 1e3:,.1f} us"


def formatRate(ns: float) -> str:
    """
    @param ns: Nanoseconds per operation.
    @return: The time and the matching rate, e.g. C{"1,234 ns = 810k/s"}.
    """
    return f"{ns:,.0f} ns = {1e6 / ns:,.0f}k/s" if ns > 0 else f"{ns:,.0f} ns"


def formatMegabytes(size: int) -> str:
    """
    @param size: Bytes.
    @return: Megabytes, e.g. C{"12.3 MB"}.
    """
    return f"{size / 1e6:,.1f} MB"


def phaseLines(phases: Phases, plan: TimerPlan) -> list[str]:
    """
    @param phases: Case (1)'s phase durations, by contender name.
    @param plan: Case (1)'s timers.
    @return: A table of the median time of each phase, and per call.
    """
    header = (
        f"{'':<10}{'schedule':>11}{'cancel':>10}{'run':>10}{'(idle)':>10}"
        f"{'ns/callLater':>15}{'ns/cancel':>12}{'ns/live call run':>19}"
    )
    lines = [header, "-" * len(header)]
    for name, samples in phases.items():
        if not samples:
            continue
        schedule, cancel, run, idle = (
            statistics.median(column) for column in zip(*samples, strict=True)
        )
        lines.append(
            f"{HEADINGS[name]:<10}{formatMs(schedule):>11}{formatMs(cancel):>10}"
            f"{formatMs(run):>10}{formatMs(idle):>10}{schedule / len(plan.delays):>15,.0f}"
            f"{cancel / max(1, len(plan.cancelOrder)):>12,.0f}{run / max(1, plan.live):>19,.0f}"
        )
    return lines


def latencyLines(latency: LatencyResult) -> list[str]:
    """
    @param latency: Case (3b) measured.
    @return: A table of the median and 99th percentile of all wake-ups.
    """
    header = f"{'':<10}{'wakes':>8}{'median':>12}{'p99':>12}{'max':>12}"
    lines = [header, "-" * len(header)]
    for name, values in latency.pooled.items():
        lines.append(
            f"{HEADINGS[name]:<10}{len(values):>8,}"
            f"{formatMicroseconds(statistics.median(values)):>12}"
            f"{formatMicroseconds(percentile(values, 0.99)):>12}"
            f"{formatMicroseconds(max(values)):>12}"
        )
    return lines


def memoryLines(memory: dict[str, TimerMemory], plan: TimerPlan) -> list[str]:
    """
    @param memory: What each loop's timers held.
    @param plan: Case (1)'s timers.
    @return: A table of the memory held at each step.
    """
    header = (
        f"{'':<10}{'scheduled':>11}{'half cancelled':>16}{'live only':>11}"
        f"{'cancelled/live-only':>21}{'peak':>10}{'queue entries':>15}"
    )
    lines = [header, "-" * len(header)]
    for name, used in memory.items():
        entries = "-" if used.entries is None else f"{used.entries:,}"
        proportion = used.cancelled / used.liveOnly if used.liveOnly > 0 else float("nan")
        lines.append(
            f"{HEADINGS[name]:<10}{formatMegabytes(used.scheduled):>11}"
            f"{formatMegabytes(used.cancelled):>16}{formatMegabytes(used.liveOnly):>11}"
            f"{proportion:>20.2f}x{formatMegabytes(used.peak):>10}{entries:>15}"
        )
    return lines


def parseArguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """
    @param argv: Command-line arguments (without the program name).
    @return: The parsed options, with C{rounds}, C{sample_ms} and C{wakes}
        filled in.
    """
    parser = timingParser(
        "Compare torsion's reactor with Twisted's, asyncio's and uvloop's.",
        quick="3 rounds, 10 ms samples, 50 wakes (a rough look)",
        sampleType=positive(float, "a positive number of milliseconds"),
        sampleHelp="wanted duration of one sample of (2) and (3a) in ms (default 100; quick: 10)",
    )
    parser.add_argument(
        "--timers",
        type=positive(int, "a positive whole number"),
        default=100_000,
        help="calls scheduled in (1) (default 100,000; half are cancelled)",
    )
    parser.add_argument(
        "--max-delay-ms",
        type=positive(float, "a positive number of milliseconds"),
        default=50.0,
        help="delays in (1) are uniform in [0, this] (default 50 ms)",
    )
    parser.add_argument("--seed", type=int, default=2024, help="seed of (1)'s random choices")
    parser.add_argument(
        "--threads",
        type=positive(int, "a positive whole number"),
        default=4,
        help="threads calling callFromThread in (3a) (default 4)",
    )
    parser.add_argument(
        "--wakes",
        type=positive(int, "a positive whole number"),
        default=None,
        help="wake-ups per contender per round in (3b) (default 200; quick: 50)",
    )
    parser.add_argument(
        "--wake-gap-ms",
        type=positive(float, "a positive number of milliseconds"),
        default=1.0,
        help="idle time before each wake-up in (3b) (default 1 ms)",
    )
    parser.add_argument(
        "--no-twisted", action="store_true", help="leave Twisted out, as if it were not installed"
    )
    parser.add_argument(
        "--no-uvloop", action="store_true", help="leave uvloop out, as if it were not installed"
    )
    options = parseTimingOptions(
        parser,
        argv,
        profile="instead of timing, profile torsion's side of (1), (2) and (3a) with cProfile",
        wakes=(50, 200),
    )
    if options.timers < 2:
        parser.error(f"--timers must be at least 2 (half are cancelled), not {options.timers}")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the benchmark and print its report.

    @param argv: Command-line arguments; L{None} for C{sys.argv[1:]}.
    @return: The exit status.
    """
    arguments = parseArguments(argv)
    options = Options(
        timers=arguments.timers,
        maxDelay=arguments.max_delay_ms / 1000,
        seed=arguments.seed,
        threads=arguments.threads,
        wakes=arguments.wakes,
        gap=arguments.wake_gap_ms / 1000,
    )
    sampleNs = int(arguments.sample_ms * 1_000_000)
    makers: dict[str, Callable[[], EventLoop]] = {"torsion": torsionLoop}
    if arguments.no_twisted:
        twisted, twistedVersion = None, "left out (--no-twisted)"
    else:
        twisted, twistedVersion = importTwisted()
    if twisted is not None:
        makers["twisted"] = twisted
    makers["asyncio"] = asyncioLoopFactory(asyncio.new_event_loop)
    if arguments.no_uvloop:
        uvloop, uvloopVersion = None, "left out (--no-uvloop)"
    else:
        uvloop, uvloopVersion = importUvloop()
    if uvloop is not None:
        makers["uvloop"] = uvloop

    plan = TimerPlan.make(options.timers, options.maxDelay, options.seed)
    phases: Phases = {}
    cases, latencyCase = buildCases(makers, options, plan, phases)
    if arguments.profile:
        print("\n".join(profileCases(cases, sampleNs, top=14)))
        return 0

    print("torsion reactor benchmarks")
    print(
        "\n".join(
            environmentLines(
                [
                    (
                        "torsion",
                        f"{torsion.__version__}, {REACTOR_NAME} (a fresh instance per sample)",
                    ),
                    ("Twisted", twistedVersion),
                    ("asyncio", describeAsyncio()),
                    ("uvloop", uvloopVersion),
                ]
            )
        )
    )
    print(
        f"{arguments.rounds} rounds; (2) and (3a) in ~{arguments.sample_ms:g} ms samples; "
        "contenders interleaved round-robin in each round; gc disabled while timing; "
        "loops made and closed outside the timed part"
    )
    print(
        f"(1): {options.timers:,} calls, delays uniform in [0, {arguments.max_delay_ms:g} ms] "
        f"(seed {options.seed}), {len(plan.cancelOrder):,} cancelled in random order, "
        f"run until the {plan.live:,} others have run; one run per sample"
    )
    print(
        f"(3a): {options.threads} threads; (3b): {options.wakes} wake-ups per contender per "
        f"round, each after {arguments.wake_gap_ms:g} ms idle"
    )
    print()

    results: list[CaseResult] = [measure(case, arguments.rounds, sampleNs) for case in cases]
    latency = measureLatency(latencyCase, makers, arguments.rounds, options.wakes, options.gap)
    memory = {name: timerMemory(make, plan) for name, make in makers.items()}

    print("(1) median wall time of one run: schedule + cancel + run")
    print("\n".join(formatTable(results[:1], columnsOf(results[:1]), formatMs)))
    print()
    print("(1) median time of each phase, and per call; (idle) = part of run spent waiting")
    print("\n".join(phaseLines(phases, plan)))
    print()
    print("(2), (3a) median time per call, and calls per second")
    print("  (2) asyncio, uvloop = call_later(0); 'call_soon' columns = call_soon")
    print("\n".join(formatTable(results[1:], columnsOf(results[1:]), formatRate)))
    print()
    print(f"(3b) idle wake latency, pooled over {arguments.rounds} round(s)")
    print("\n".join(latencyLines(latency)))
    print()
    print(
        "ratios: baseline time / torsion time (>1 means torsion is faster); "
        "median of per-round ratios [lowest..highest round]"
    )
    print("  (2) asyncio, uvloop = call_later(0); 'call_soon' = call_soon")
    print("  (3b) compares each round's median latency")
    print("\n".join(formatRatios([*results, latency.result], HEADINGS)))
    print()
    print(
        "memory held by (1)'s timers (tracemalloc: Python allocations only; one untimed run each)"
    )
    print(
        f"  scheduled = after scheduling {options.timers:,}; half cancelled = after cancelling "
        f"{len(plan.cancelOrder):,} and dropping the handles; live only = only the "
        f"{plan.live:,} live ones scheduled"
    )
    print("\n".join(memoryLines(memory, plan)))
    print(compactionLine(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
