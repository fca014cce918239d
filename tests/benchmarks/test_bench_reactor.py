"""
Smoke tests for benchmarks/bench_reactor.py and the harness additions it uses.

The script runs the way people run it, with one round of tiny workloads, and
the tests check what it prints.  Speed is never asserted: these tests only
show that every case runs on every loop, agrees on its result, and reports
each ratio and figure.
"""

from __future__ import annotations

import functools
import importlib.util
import re

import pytest
from benchmarks._harness import (
    BenchmarkError,
    Case,
    CaseResult,
    Contender,
    Timed,
    check,
    formatTable,
    measure,
    percentile,
    timeSample,
)
from benchmarks.bench_reactor import (
    Countdown,
    TimerPlan,
    roundTripWorkload,
    threadWorkload,
    timersWorkload,
    torsionLoop,
)

from tests.benchmarks.support import assertRefused, profileHeadings, runScript
from torsion.internet.epollreactor import EPollReactor

#: Runs the script in a fresh interpreter: C{runBenchmark(*arguments, env=...)}.
runBenchmark = functools.partial(runScript, "bench_reactor.py")

#: One round of workloads small enough for a test.
TINY = [
    "--quick",
    "--rounds",
    "1",
    "--sample-ms",
    "1",
    "--timers",
    "2000",
    "--wakes",
    "5",
    "--wake-gap-ms",
    "0.2",
]

HAVE_TWISTED = importlib.util.find_spec("twisted") is not None
HAVE_UVLOOP = importlib.util.find_spec("uvloop") is not None


def expectedRatios(
    twisted: bool, uvloop: bool
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """
    @param twisted: Whether Twisted takes part.
    @param uvloop: Whether uvloop takes part.
    @return: The (case, baseline) ratio lines that have a target, and those
        shown for information.
    """
    peers = ["Twisted"] * twisted + ["asyncio"] + ["uvloop"] * uvloop
    targets = [("1", "Twisted")] * twisted + [("1", "asyncio")]
    information = [("1", "uvloop")] * uvloop
    roundTrips = ["Twisted"] * twisted + ["asyncio", "asyncio call_soon"]
    roundTrips += ["uvloop", "uvloop call_soon"] * uvloop
    information += [("2", peer) for peer in roundTrips]
    information += [(case, peer) for case in ("3a", "3b") for peer in peers]
    return targets, information


def ratioLine(output: str, case: str, baseline: str) -> re.Match[str] | None:
    """
    Find the ratio line of C{case} against C{baseline} in C{output}.

    @return: The match, with groups C{verdict} (C{PASS} or C{BELOW}) and
        C{none} (C{no target}), or L{None}.
    """
    pattern = (
        rf"^\({re.escape(case)}\) {re.escape(baseline)} / torsion +\d+\.\d\dx +"
        r"\[\d+\.\d\d\.\.\d+\.\d\d\] +"
        r"(target >= \d+\.\d\dx +(?P<verdict>PASS|BELOW)\b|(?P<none>no target))"
    )
    return re.search(pattern, output, re.MULTILINE)


def checkRatios(output: str, twisted: bool, uvloop: bool) -> None:
    """
    Assert that C{output} has exactly the ratio lines expected, with a
    verdict on those with a target and "no target" on the others.
    """
    targets, information = expectedRatios(twisted, uvloop)
    matches = {pair: ratioLine(output, *pair) for pair in targets + information}
    missing = [pair for pair, match in matches.items() if match is None]
    assert missing == [], output
    for pair in targets:
        assert matches[pair].group("verdict") in ("PASS", "BELOW"), pair  # type: ignore[union-attr]
    for pair in information:
        assert matches[pair].group("none") == "no target", pair  # type: ignore[union-attr]
    assert len(re.findall(r"^\(\w+\) .* / torsion ", output, re.MULTILINE)) == len(matches)
    assert len(re.findall(r"\b(PASS|BELOW)\b", output)) == len(targets)


@pytest.mark.skipif(
    not (HAVE_TWISTED and HAVE_UVLOOP), reason="Twisted and uvloop (the 'bench' extra) are needed"
)
def test_printsEveryFigure() -> None:
    """
    A tiny run with every peer prints the versions, each case's table row,
    the phases of (1), the wake latencies, every ratio line (the two of (1)
    with a PASS or BELOW verdict, the rest marked as having no target) and
    the memory held by each loop's timers.
    """
    process = runBenchmark(*TINY)
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert re.search(r"^Python \d+\.\d+\.\d+ ", output, re.MULTILINE)
    assert re.search(r"^Twisted: \d+\.\d+.*EPollReactor", output, re.MULTILINE)
    assert re.search(r"^uvloop: \d+\.\d+", output, re.MULTILINE)
    assert re.search(r"^\(1\) 2,000 callLater, half cancelled( +[\d.,]+ ms){4}$", output, re.M)
    rate = r"[\d,]+ ns = [\d,]+k/s"
    assert re.search(rf"^\(2\) callLater\(0\) round trip( +{rate}){{6}}$", output, re.M)
    assert re.search(
        rf"^\(3a\) callFromThread, 4 threads( +{rate}){{3}} +- +{rate} +-$", output, re.M
    )
    for name in ("torsion", "Twisted", "asyncio", "uvloop"):
        assert re.search(rf"^{name} +([\d.,]+ ms +){{4}}[\d,]+ +[\d,]+ +[\d,]+$", output, re.M), (
            name
        )
        assert re.search(rf"^{name} +5 +([\d.,]+ us +){{2}}[\d.,]+ us$", output, re.M), name
        assert re.search(
            rf"^{name} +([\d.,]+ MB +){{3}}[\d.]+x +[\d.,]+ MB +[\d,-]+$", output, re.M
        )
    checkRatios(output, twisted=True, uvloop=True)


def test_withoutPeers() -> None:
    """
    Without Twisted and uvloop the benchmark says so, leaves their columns
    and ratios out, and still compares torsion with asyncio.
    """
    process = runBenchmark(*TINY, "--no-twisted", "--no-uvloop")
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert "Twisted: left out" in output
    assert "uvloop: left out" in output
    checkRatios(output, twisted=False, uvloop=False)


def test_profile() -> None:
    """
    --profile prints a cProfile listing of torsion's side of (1), (2) and
    (3a), where the reactor's own modules show up.
    """
    process = runBenchmark("--profile", "--sample-ms", "1", "--timers", "2000", "--no-twisted")
    assert process.returncode == 0, process.stderr
    assert profileHeadings(process.stdout) == ["1", "2", "3a"]
    assert "_timerqueue.py" in process.stdout
    assert "_reactorbase.py" in process.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "--rounds must be at least 1, not 0"),
        (["--timers", "1"], "--timers must be at least 2 (half are cancelled), not 1"),
        (["--timers", "ten"], "must be a positive whole number, not 'ten'"),
        (["--wake-gap-ms", "0"], "must be a positive number of milliseconds, not 0"),
        (["--sample-ms", "-5"], "must be a positive number of milliseconds, not -5"),
    ],
)
def test_badArguments(arguments: list[str], message: str) -> None:
    """
    Nonsense options are refused with a message naming the bad value.
    """
    assertRefused(runBenchmark(*arguments), message)


def test_timerPlan() -> None:
    """
    The plan of (1) is the same for the same seed, its delays lie in the
    range asked for, and it cancels half of the calls, each once.
    """
    plan = TimerPlan.make(1001, 0.05, seed=7)
    assert plan == TimerPlan.make(1001, 0.05, seed=7)
    assert plan != TimerPlan.make(1001, 0.05, seed=8)
    assert all(0 <= delay <= 0.05 for delay in plan.delays)
    assert len(plan.cancelOrder) == 500
    assert len(set(plan.cancelOrder)) == 500
    assert plan.live == 501


def test_countdown() -> None:
    """
    A Countdown calls its finish function on the last tick, and only then.
    """
    finished: list[int] = []
    counter = Countdown(3, lambda: finished.append(counter.left))
    counter.tick()
    counter.tick("ignored", "arguments")
    assert finished == []
    counter.tick()
    assert finished == [0]


def test_timersOnTorsion() -> None:
    """
    Case (1) on torsion's reactor runs exactly the calls left after
    cancelling, and records the phases of the run.  (Delays of at most a
    microsecond: every call is due by the time the reactor starts.)
    """
    plan = TimerPlan.make(300, 1e-6, seed=1)
    phases: list[tuple[int, int, int, int]] = []
    result = timersWorkload(torsionLoop, plan, phases)(2)
    assert result.value == 150
    assert result.ns > 0
    assert len(phases) == 2
    assert all(all(part >= 0 for part in phase) for phase in phases)


def test_roundTripsAndThreadsOnTorsion() -> None:
    """
    Cases (2) and (3a) on torsion's reactor run as many round trips and
    calls from threads as asked for.
    """
    assert roundTripWorkload(torsionLoop, soon=False)(50).value == 50
    assert threadWorkload(torsionLoop, threads=3)(100).value == 100


def test_roundTripNeedsCallSoon() -> None:
    """
    Asking for call_soon round trips on a loop without call_soon is refused.
    """
    with pytest.raises(BenchmarkError, match=r"^this loop has no call_soon; use soon=False$"):
        roundTripWorkload(torsionLoop, soon=True)(1)


def test_timeSampleUsesTimed() -> None:
    """
    A contender returning a Timed is charged the time it reports, not the
    time of the whole call; check() compares the value inside.
    """
    assert timeSample(lambda loops: Timed("done", 42), 1) == 42
    check(Case("z", "timed", "done", (Contender("torsion", lambda loops: Timed("done", 1)),), ()))
    wrong = Case("z", "timed", "done", (Contender("torsion", lambda loops: Timed("oops", 1)),), ())
    with pytest.raises(BenchmarkError, match=r"returned 'oops', expected 'done'"):
        check(wrong)


def test_fixedLoops() -> None:
    """
    A case with fixed loops is not calibrated: after the check, every sample
    runs the workload exactly that many times.
    """
    calls: list[int] = []

    def run(loops: int) -> Timed:
        calls.append(loops)
        return Timed(1, 1000 * loops)

    case = Case("z", "fixed", 1, (Contender("torsion", run),), (), loops=3)
    result = measure(case, rounds=2, sampleNs=10**9)
    assert calls == [1, 3, 3]
    assert result.samples["torsion"] == [1000.0, 1000.0]


def test_percentile() -> None:
    """
    percentile() picks the nearest-rank value and refuses empty input.
    """
    values = list(range(1, 101))
    assert percentile(values, 0.99) == 99
    assert percentile(values, 0.5) == 50
    assert percentile(values, 1.0) == 100
    assert percentile([7], 0.99) == 7
    with pytest.raises(ValueError, match=r"^percentile\(\) needs at least one value"):
        percentile([], 0.5)
    with pytest.raises(ValueError, match=r"between 0 and 1, not 99"):
        percentile(values, 99)


def test_formatTableFitsCells() -> None:
    """
    formatTable() uses the value formatter it is given and widens a column
    to fit its longest cell.
    """
    case = Case("z", "wide", 1, (), ())
    result = CaseResult(case, samples={"torsion": [1.0]})
    lines = formatTable([result], [("torsion", "t")], lambda ns: "x" * 20)
    assert lines[-1] == "(z) wide  " + "x" * 20
    assert len(lines[0]) == len(lines[-1])


def test_compactionDropsTheCallBeingCancelled() -> None:
    """
    When a cancel makes the cancelled entries outnumber the live ones, the
    heap is rebuilt from live calls only: no cancelled call is left in it,
    the one whose cancel triggered the rebuild included.  (Found while
    measuring the memory of case (1); fixed in DelayedCall.cancel.)
    """
    reactor = EPollReactor()
    try:
        calls = [reactor.callLater(1 + i, int) for i in range(600)]
        for call in calls[:301]:
            call.cancel()
        heap = reactor._timers._heap
        assert [entry[2] for entry in heap if entry[2].cancelled] == []
        assert len(heap) == 299
    finally:
        reactor.waker.close()
