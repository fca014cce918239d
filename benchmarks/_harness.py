# Timing helpers shared by the peer-comparison benchmarks.
#
# How a measurement works
# -----------------------
# A benchmark is a list of Cases.  A Case is one workload written once per
# implementation ("contender": torsion, twisted, asyncio, ...).  Each contender
# is a function run(loops) that performs the workload `loops` times in a plain
# `for` loop and returns the result of the last repetition, so the harness can
# check that every contender computed the same thing before timing it.
#
# 1. Check: run(1) must return the Case's expected value.
# 2. Calibrate: for each contender separately, grow `loops` until one sample
#    (one call of run(loops)) takes about the requested sample time.  This is
#    also the warm-up.
# 3. Rounds: in each round every contender takes one sample, in a fixed
#    round-robin order (torsion, twisted, asyncio, torsion, ...).  Machines
#    are noisy and drift (frequency scaling, other processes); interleaving
#    means a slow patch hurts all contenders alike instead of one of them.
# 4. Report: the median ns/op of each contender over the rounds, and for each
#    comparison the median over rounds of the per-round ratio
#    baseline ns/op / torsion ns/op.  The two samples of a pair are taken
#    seconds apart at most, so a per-round ratio cancels most drift; its
#    median is what is compared with the target.
#
# Every sample runs with the cyclic garbage collector disabled (it would
# otherwise run at moments that depend on what the *previous* contender
# allocated) and starts from a freshly collected heap; the collector is
# re-enabled afterwards if it was on before.
#
# Two additions for workloads that need set-up they should not be charged
# for (a fresh event loop per sample, threads started before the clock runs):
# - a contender's run(loops) may return Timed(value, ns): the harness then
#   takes `ns` as the sample's duration instead of timing the whole call, and
#   checks `value` against the expected result;
# - a Case with `loops` set is not calibrated: every sample is run(loops)
#   (for workloads whose size is fixed by the issue, e.g. "100,000 timers").
#
# The scripts also share their command-line plumbing.  Every option whose
# default depends on --quick is declared with default None and filled in
# after parsing by fillQuickDefaults().  The in-process benchmarks (defer,
# httpparse, reactor) start from timingParser() and finish with
# parseTimingOptions(), which adds --profile and checks --rounds and
# --sample-ms; their --profile runs profileCases().  (The benchmarks that
# start server processes share theirs through bench_echo.py.)
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The reference implementation every ratio is taken against.
SUBJECT = "torsion"


class BenchmarkError(Exception):
    """
    A contender computed something other than what its case expects.
    """


@dataclass(frozen=True, slots=True)
class Timed:
    """
    What a contender returns when it times its workload itself.

    @ivar value: The result of the last repetition, as C{run} would return it.
    @ivar ns: Nanoseconds spent on the part of the call that is measured
        (set-up and tear-down left out).
    """

    value: object
    ns: int


@dataclass(frozen=True, slots=True)
class Contender:
    """
    One implementation of a case's workload.

    @ivar name: Column key, e.g. C{"torsion"}, C{"twisted"}, C{"asyncio-task"}.
    @ivar run: C{run(loops)} performs the workload C{loops} times and returns
        the result of the last repetition, or a L{Timed} holding that result
        and the time its measured part took.
    """

    name: str
    run: Callable[[int], object]


@dataclass(frozen=True, slots=True)
class Comparison:
    """
    A ratio to report: C{baseline} time divided by torsion's time.

    @ivar baseline: The contender name in the numerator.
    @ivar target: The ratio torsion is meant to reach (1.3 means "torsion is
        at least 1.3 times as fast as the baseline"), or L{None} for a ratio
        shown for information only.
    """

    baseline: str
    target: float | None


@dataclass(frozen=True, slots=True)
class Case:
    """
    One workload, written once for each contender.

    @ivar key: Short label, e.g. C{"a"}; printed in parentheses.
    @ivar title: What the workload does, for the table.
    @ivar expected: What every contender's C{run} must return.
    @ivar contenders: The implementations, in round-robin order.
    @ivar comparisons: The ratios to report for this case.
    @ivar loops: Repetitions per sample, if fixed; L{None} to calibrate them
        to the wanted sample time.
    """

    key: str
    title: str
    expected: object
    contenders: tuple[Contender, ...]
    comparisons: tuple[Comparison, ...]
    loops: int | None = None


@dataclass(slots=True)
class CaseResult:
    """
    The samples taken for one case.

    @ivar case: The case measured.
    @ivar loops: Repetitions per sample, by contender name.
    @ivar samples: ns per repetition, one entry per round, by contender name.
    """

    case: Case
    loops: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        """
        @param name: A contender name.
        @return: The median ns per repetition of that contender.
        """
        return statistics.median(self.samples[name])

    def ratios(self, baseline: str) -> list[float]:
        """
        @param baseline: A contender name.
        @return: For each round, C{baseline}'s time divided by torsion's.
        """
        return [b / s for b, s in zip(self.samples[baseline], self.samples[SUBJECT], strict=True)]


def positive(kind: type[int] | type[float], what: str) -> Callable[[str], Any]:
    """
    An argparse type for the benchmarks' counts and durations.

    @param kind: C{int} or C{float}.
    @param what: How the value is described in an error message.
    @return: An argparse type accepting only positive numbers of C{kind}.
    """

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be {what}, not {text}")
        return value

    return parse


def fillQuickDefaults(options: argparse.Namespace, **defaults: tuple[object, object]) -> None:
    """
    Give the options that were not on the command line their default.

    @param options: Parsed options, with a C{quick} attribute; an option
        not given is L{None}.
    @param defaults: For each option's attribute name, its default under
        C{--quick} and its default otherwise.
    """
    for name, (quick, full) in defaults.items():
        if getattr(options, name) is None:
            setattr(options, name, quick if options.quick else full)


def timingParser(
    description: str,
    *,
    quick: str = "3 rounds of 10 ms samples (a rough look)",
    sampleType: Callable[[str], Any] = float,
    sampleHelp: str = "wanted duration of one sample in ms (default 100; quick: 10)",
) -> argparse.ArgumentParser:
    """
    Start the command line of an in-process benchmark: C{--quick},
    C{--rounds} and C{--sample-ms}.

    @param description: What the benchmark compares.
    @param quick: Help of C{--quick}.
    @param sampleType: The argparse type of C{--sample-ms}.
    @param sampleHelp: Help of C{--sample-ms}.
    @return: The parser; add the benchmark's own options, then call
        L{parseTimingOptions}.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument(
        "--rounds", type=int, default=None, help="samples per contender (default 11; quick: 3)"
    )
    parser.add_argument("--sample-ms", type=sampleType, default=None, help=sampleHelp)
    return parser


def parseTimingOptions(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    *,
    profile: str = "instead of timing, profile torsion's side of each case with cProfile",
    **quickDefaults: tuple[object, object],
) -> argparse.Namespace:
    """
    Finish and parse the command line of an in-process benchmark.

    @param parser: From L{timingParser}, with the benchmark's own options.
    @param argv: Command-line arguments (without the program name).
    @param profile: Help of C{--profile}, added last.
    @param quickDefaults: The benchmark's own options to fill in, as for
        L{fillQuickDefaults}.
    @return: The options, with C{rounds} and C{sample_ms} filled in (3
        rounds of 10 ms under C{--quick}, else 11 of 100 ms).
    """
    parser.add_argument("--profile", action="store_true", help=profile)
    options = parser.parse_args(argv)
    fillQuickDefaults(options, rounds=(3, 11), sample_ms=(10.0, 100.0), **quickDefaults)
    if options.rounds < 1:
        parser.error(f"--rounds must be at least 1, not {options.rounds}")
    if not options.sample_ms > 0:
        parser.error(
            f"--sample-ms must be a positive number of milliseconds, not {options.sample_ms}"
        )
    return options


def timeSample(run: Callable[[int], object], loops: int) -> int:
    """
    Time one call of C{run(loops)} with the garbage collector off.

    @param run: A contender's C{run}.
    @param loops: Repetitions to perform.
    @return: Elapsed nanoseconds: those C{run} reports if it returns a
        L{Timed}, else the duration of the whole call.
    """
    wasEnabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        result = run(loops)
        elapsed = time.perf_counter_ns() - start
        return result.ns if isinstance(result, Timed) else elapsed
    finally:
        if wasEnabled:
            gc.enable()


def calibrate(run: Callable[[int], object], sampleNs: int) -> int:
    """
    Find how many repetitions make one sample last about C{sampleNs}.

    @param run: A contender's C{run}.
    @param sampleNs: Wanted duration of one sample, in nanoseconds.
    @return: A repetition count, at least 1.
    """
    loops = 1
    while True:
        elapsed = timeSample(run, loops)
        if elapsed > 0 and elapsed >= sampleNs // 4:
            return max(1, round(loops * sampleNs / elapsed))
        # Grow fast while far off, but never overshoot the wanted time by
        # much on a noisy first estimate.
        growth = sampleNs / 2 / elapsed if elapsed > 0 else 100.0
        loops = max(loops + 1, round(loops * min(100.0, growth)))


def check(case: Case) -> None:
    """
    Run each contender once and compare its result with the expected one.

    @param case: The case to check.
    @raise BenchmarkError: If a contender computes something else, which
        would make its timing meaningless.
    """
    for contender in case.contenders:
        got = contender.run(1)
        if isinstance(got, Timed):
            got = got.value
        if got != case.expected:
            raise BenchmarkError(
                f"case ({case.key}) contender {contender.name!r} returned {got!r}, "
                f"expected {case.expected!r}; fix the workload before timing it"
            )


def measure(case: Case, rounds: int, sampleNs: int) -> CaseResult:
    """
    Check, calibrate and time one case, interleaving its contenders.

    @param case: The case to measure.
    @param rounds: How many samples to take of each contender.
    @param sampleNs: Wanted duration of one sample, in nanoseconds (unused
        if the case fixes its C{loops}).
    @return: The samples, in ns per repetition.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {rounds!r}")
    check(case)
    result = CaseResult(case)
    for contender in case.contenders:
        if case.loops is None:
            result.loops[contender.name] = calibrate(contender.run, sampleNs)
        else:
            result.loops[contender.name] = case.loops
        result.samples[contender.name] = []
    for _ in range(rounds):
        for contender in case.contenders:
            loops = result.loops[contender.name]
            elapsed = timeSample(contender.run, loops)
            result.samples[contender.name].append(elapsed / loops)
    return result


def profileCases(cases: Sequence[Case], sampleNs: int, top: int) -> list[str]:
    """
    Check every case, then run torsion's contender of each under cProfile.

    Only the calling thread is profiled.  As when timing, the garbage
    collector is off (after a collection).  cProfile slows Python calls
    down much more than C code, so read the result as "where the time
    goes", not as timings.

    @param cases: The cases.
    @param sampleNs: Roughly how long (unprofiled) to run a case that does
        not fix its C{loops}.
    @param top: How many functions to list per case, by own time.
    @return: Lines of text.
    @raise BenchmarkError: If a contender computes something wrong.
    """
    for case in cases:
        check(case)
    lines: list[str] = []
    for case in cases:
        run = next(c.run for c in case.contenders if c.name == SUBJECT)
        loops = case.loops if case.loops is not None else calibrate(run, sampleNs)
        profiler = cProfile.Profile()
        wasEnabled = gc.isenabled()
        gc.collect()
        gc.disable()
        try:
            profiler.runcall(run, loops)
        finally:
            if wasEnabled:
                gc.enable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
        lines.append(f"== ({case.key}) {case.title}: torsion, {loops:,} repetitions")
        lines.extend(
            line
            for line in out.getvalue().splitlines()
            if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced"))
        )
        lines.append("")
    return lines


def sampleLine(rounds: int, sampleMs: float) -> str:
    """
    @param rounds: Samples per contender.
    @param sampleMs: Wanted duration of one sample, in milliseconds.
    @return: The report header's line on how the samples are taken.
    """
    return (
        f"{rounds} rounds x ~{sampleMs:g} ms samples; contenders "
        "interleaved round-robin in each round; gc disabled while timing"
    )


def environmentLines(peers: Iterable[tuple[str, str]]) -> list[str]:
    """
    Describe the interpreter and machine, for the report header.

    @param peers: (name, version or reason it is missing) pairs to list.
    @return: Lines of text.
    """
    lines = [
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        f"executable: {sys.executable}",
    ]
    try:
        load = os.getloadavg()
    except (AttributeError, OSError):  # not on every platform
        pass
    else:
        lines.append(
            f"load average before the run: {load[0]:.2f} (1 min); other busy "
            "processes make the figures noisier"
        )
    lines.extend(f"{name}: {version}" for name, version in peers)
    return lines


def formatNs(value: float) -> str:
    """
    @param value: Nanoseconds.
    @return: C{value} with thousands separators, e.g. C{"12,345 ns"}.
    """
    return f"{value:,.0f} ns"


def formatTable(
    results: Sequence[CaseResult],
    columns: Sequence[tuple[str, str]],
    formatValue: Callable[[float], str] = formatNs,
) -> list[str]:
    """
    Lay out the median ns/op of every contender, one row per case.

    @param results: Measured cases.
    @param columns: (contender name, column heading) pairs, in order; a case
        without that contender shows C{-}.
    @param formatValue: Turns a median (ns per repetition) into a cell.
    @return: Lines of text.
    """
    titleWidth = max([len("case"), *(len(f"({r.case.key}) {r.case.title}") for r in results)])
    texts = [
        [formatValue(result.median(name)) if name in result.samples else "-" for name, _ in columns]
        for result in results
    ]
    widths = [
        max([len(heading), 12, *(len(row[i]) for row in texts)])
        for i, (_, heading) in enumerate(columns)
    ]
    header = "case".ljust(titleWidth) + "".join(
        "  " + heading.rjust(width) for (_, heading), width in zip(columns, widths, strict=True)
    )
    lines = [header, "-" * len(header)]
    for result, row in zip(results, texts, strict=True):
        cells = "".join("  " + text.rjust(width) for text, width in zip(row, widths, strict=True))
        lines.append(f"({result.case.key}) {result.case.title}".ljust(titleWidth) + cells)
    return lines


def percentile(values: Sequence[float], fraction: float) -> float:
    """
    The value below which C{fraction} of C{values} lie (nearest rank).

    @param values: Measurements; at least one.
    @param fraction: Between 0 and 1, e.g. C{0.99} for the 99th percentile.
    @return: One of C{values}: the smallest with at least C{fraction} of
        them at or below it.
    @raise ValueError: If C{values} is empty or C{fraction} is out of range.
    """
    if not values:
        raise ValueError("percentile() needs at least one value; measure something first")
    if not 0 <= fraction <= 1:
        raise ValueError(f"percentile() fraction must be between 0 and 1, not {fraction!r}")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def verdict(ratio: float, target: float | None) -> str:
    """
    @param ratio: Measured baseline/torsion ratio.
    @param target: The ratio to reach, or L{None} if there is none.
    @return: C{"target >= 1.30x  PASS"}, or C{BELOW} with the share of
        torsion's time that would have to go for the ratio to reach the
        target, or C{"no target (information only)"}.
    """
    if target is None:
        return "no target (information only)"
    if ratio >= target:
        return f"target >= {target:.2f}x  PASS"
    return f"target >= {target:.2f}x  BELOW (torsion needs {1 - ratio / target:.0%} less time)"


def formatRatios(results: Sequence[CaseResult], headings: dict[str, str]) -> list[str]:
    """
    One line per comparison: median ratio, its range over rounds, verdict.

    @param results: Measured cases.
    @param headings: Display name of each contender.
    @return: Lines of text; comparisons whose baseline was not measured are
        left out.
    """
    rows: list[tuple[str, str, str, str]] = []
    for result in results:
        for comparison in result.case.comparisons:
            if comparison.baseline not in result.samples:
                continue
            perRound = result.ratios(comparison.baseline)
            ratio = statistics.median(perRound)
            rows.append(
                (
                    f"({result.case.key}) {headings[comparison.baseline]} / {headings[SUBJECT]}",
                    f"{ratio:.2f}x",
                    f"[{min(perRound):.2f}..{max(perRound):.2f}]",
                    verdict(ratio, comparison.target),
                )
            )
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"{label.ljust(widths[0])}  {ratio.rjust(widths[1])}  {spread.ljust(widths[2])}  {rest}"
        for label, ratio, spread, rest in rows
    ]


__all__ = [
    "SUBJECT",
    "BenchmarkError",
    "Case",
    "CaseResult",
    "Comparison",
    "Contender",
    "Timed",
    "calibrate",
    "check",
    "environmentLines",
    "fillQuickDefaults",
    "formatNs",
    "formatRatios",
    "formatTable",
    "measure",
    "parseTimingOptions",
    "percentile",
    "positive",
    "profileCases",
    "sampleLine",
    "timeSample",
    "timingParser",
    "verdict",
]
