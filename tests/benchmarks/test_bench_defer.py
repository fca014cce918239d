"""
Smoke tests for benchmarks/bench_defer.py.

They run the benchmark as a script, the way people run it, with one round of
tiny samples, and check what it prints.  Speed is never asserted here: these
tests only show that every case runs, agrees on its result across
implementations, and reports each ratio.
"""

from __future__ import annotations

import functools
import gc
import re

import pytest
from benchmarks._harness import (
    BenchmarkError,
    Case,
    CaseResult,
    Comparison,
    Contender,
    measure,
    timeSample,
    verdict,
)

from tests.benchmarks.support import assertRefused, profileHeadings, runScript

#: Runs the script in a fresh interpreter: C{runBenchmark(*arguments, env=...)}.
runBenchmark = functools.partial(runScript, "bench_defer.py")

#: Ratio lines with a target (from the issue), when every peer is available.
TARGET_RATIOS = [
    ("a", "Twisted"),
    ("b", "Twisted"),
    ("c1", "Twisted"),
    ("c1", "asyncio send"),
    ("c1", "asyncio Task"),
    ("c2", "Twisted"),
    ("c2", "asyncio send"),
    ("c2", "asyncio Task"),
]

#: Ratio lines shown for information, without a target.
INFO_RATIOS = [("d", "Twisted"), ("d", "asyncio send"), ("d", "asyncio Task")]

#: Fast enough for a test: one round, samples of about a millisecond.
TINY = ["--quick", "--rounds", "1", "--sample-ms", "1"]


def ratioLine(output: str, case: str, baseline: str) -> re.Match[str] | None:
    """
    Find the ratio line of C{case} against C{baseline} in C{output}.

    @return: The match, with groups C{ratio} and C{verdict} (C{PASS},
        C{BELOW}, or C{no target}), or L{None}.
    """
    pattern = (
        rf"^\({re.escape(case)}\) {re.escape(baseline)} / torsion +(?P<ratio>\d+\.\d\d)x +"
        r"\[\d+\.\d\d\.\.\d+\.\d\d\] +"
        r"(target >= \d+\.\d\dx +(?P<verdict>PASS|BELOW)\b|(?P<none>no target))"
    )
    return re.search(pattern, output, re.MULTILINE)


def twistedInstalled() -> bool:
    """
    @return: Whether Twisted can be imported in this environment.
    """
    try:
        import twisted  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not twistedInstalled(), reason="Twisted (the 'bench' extra) is not installed")
def test_printsEveryRatio() -> None:
    """
    A tiny run prints versions, one table row per case, every ratio line
    from the issue with a numeric ratio and a PASS or BELOW verdict, and the
    extra case's ratios marked as having no target.
    """
    process = runBenchmark(*TINY)
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert re.search(r"^Python \d+\.\d+\.\d+ ", output, re.MULTILINE)
    assert re.search(r"^Twisted: \d+\.\d+", output, re.MULTILINE)
    for key in ("a", "b", "c1", "c2", "d"):
        assert re.search(rf"^\({key}\) .* ns", output, re.MULTILINE), key
    matches = {pair: ratioLine(output, *pair) for pair in TARGET_RATIOS + INFO_RATIOS}
    missing = [pair for pair, match in matches.items() if match is None]
    assert missing == [], output
    verdicts = {pair: match.group("verdict", "none") for pair, match in matches.items() if match}
    assert all(verdicts[pair][0] in ("PASS", "BELOW") for pair in TARGET_RATIOS), verdicts
    assert all(verdicts[pair] == (None, "no target") for pair in INFO_RATIOS), verdicts
    assert len(re.findall(r"\b(PASS|BELOW)\b", output)) == len(TARGET_RATIOS)


def test_withoutTwisted() -> None:
    """
    Without Twisted the benchmark says so, leaves out the Twisted ratios,
    and still prints the asyncio ones.
    """
    process = runBenchmark(*TINY, "--no-twisted")
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert "Twisted: left out" in output
    cases = ("a", "b", "c1", "c2", "d")
    assert [ratioLine(output, case, "Twisted") for case in cases] == [None] * len(cases)
    for case in ("c1", "c2", "d"):
        for baseline in ("asyncio send", "asyncio Task"):
            assert ratioLine(output, case, baseline) is not None, (case, baseline)


def test_profile() -> None:
    """
    --profile prints a cProfile listing of torsion's side of each case.
    """
    process = runBenchmark("--profile", "--sample-ms", "1", "--no-twisted")
    assert process.returncode == 0, process.stderr
    assert profileHeadings(process.stdout) == ["a", "b", "c1", "c2", "d"]
    assert "_deferred.py" in process.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "--rounds must be at least 1, not 0"),
        (["--sample-ms", "-5"], "--sample-ms must be a positive number of milliseconds, not -5"),
    ],
)
def test_badArguments(arguments: list[str], message: str) -> None:
    """
    Nonsense options are refused with a message naming the bad value.
    """
    assertRefused(runBenchmark(*arguments), message)


def test_pureTorsion() -> None:
    """
    With torsion's C accelerator switched off, the header says torsion runs
    in pure Python, and the run still completes.
    """
    process = runBenchmark(*TINY, "--no-twisted", env={"TORSION_NO_EXTENSIONS": "1"})
    assert process.returncode == 0, process.stderr
    assert re.search(r"^torsion: .*pure Python", process.stdout, re.MULTILINE)
    assert ratioLine(process.stdout, "c1", "asyncio Task") is not None


def test_checkRejectsWrongResult() -> None:
    """
    A contender computing something other than the expected value stops the
    benchmark before any timing, naming the case, the contender and both values.
    """
    case = Case("z", "sums", 4, (Contender("torsion", lambda loops: 3),), ())
    with pytest.raises(
        BenchmarkError, match=r"^case \(z\) contender 'torsion' returned 3, expected 4;"
    ):
        measure(case, rounds=1, sampleNs=1000)


def test_measureInterleaves() -> None:
    """
    After calibration, each round samples every contender once, in the
    case's order, and there is one ns/op figure per round for each.
    """
    calls: list[str] = []

    def contender(name: str) -> Contender:
        def run(loops: int) -> int:
            calls.append(name)
            return 1

        return Contender(name, run)

    case = Case("z", "order", 1, (contender("torsion"), contender("twisted")), ())
    result = measure(case, rounds=3, sampleNs=1)
    assert calls[-6:] == ["torsion", "twisted"] * 3
    assert [len(result.samples[name]) for name in ("torsion", "twisted")] == [3, 3]


def test_ratiosPairRounds() -> None:
    """
    A ratio is taken within each round (baseline over torsion) and the
    median of those is reported, so a slow round cancels out.
    """
    case = Case("z", "pairs", 1, (), (Comparison("twisted", 1.3),))
    result = CaseResult(
        case, samples={"torsion": [100.0, 300.0, 110.0], "twisted": [150.0, 450.0, 121.0]}
    )
    assert result.ratios("twisted") == [1.5, 1.5, 1.1]
    assert result.median("torsion") == 110.0


def test_verdict() -> None:
    """
    A ratio at or over the target passes; under it, the verdict says how much
    of torsion's time has to go; without a target it says so.
    """
    assert verdict(1.3, 1.3) == "target >= 1.30x  PASS"
    assert verdict(0.65, 1.3) == "target >= 1.30x  BELOW (torsion needs 50% less time)"
    assert verdict(0.5, None) == "no target (information only)"


def test_timeSampleDisablesGC() -> None:
    """
    The garbage collector is off while a sample runs and back on afterwards.
    """
    seen: list[bool] = []
    gc.enable()
    elapsed = timeSample(lambda loops: seen.append(gc.isenabled()), 1)
    assert seen == [False]
    assert gc.isenabled()
    assert elapsed >= 0
