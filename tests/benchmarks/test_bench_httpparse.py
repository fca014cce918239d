"""
Smoke tests for benchmarks/bench_httpparse.py.

They run the benchmark as a script, the way people run it, with one round
of tiny samples, and check what it prints.  Speed is never asserted: these
tests only show that every parser reports a figure for every case, that all
parsers agree on what the benchmark requests contain, and that the
bad-input table is printed.
"""

from __future__ import annotations

import functools
import re

import pytest
from benchmarks.bench_httpparse import BAD_INPUTS, WORKLOADS, torsionVerdict

from benchmarks import bench_httpparse
from tests.benchmarks.support import assertRefused, profileHeadings, runScript

#: Runs the script in a fresh interpreter: C{runBenchmark(*arguments, env=...)}.
runBenchmark = functools.partial(runScript, "bench_httpparse.py")

#: Fast enough for a test: one round, samples of about a millisecond.
TINY = ["--quick", "--rounds", "1", "--sample-ms", "1"]


def peersInstalled() -> bool:
    """
    @return: Whether httptools and h11 (the 'bench' extra) can be imported.
    """
    try:
        import h11  # noqa: F401
        import httptools  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not peersInstalled(), reason="httptools/h11 (the 'bench' extra) missing")
def test_everyParserReportsAFigure() -> None:
    """
    A tiny run prints a requests/s figure from torsion, httptools and h11
    for every case, a ratio line for each peer and case, and the bad-input
    table with a summary line per parser.
    """
    process = runBenchmark(*TINY)
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert re.search(r"^httptools: \d+\.\d+", output, re.MULTILINE)
    assert re.search(r"^h11: \d+\.\d+", output, re.MULTILINE)
    for key, _, _, _ in WORKLOADS:
        row = re.search(rf"^\({key}\) .*?((?:\s+[\d,]+){{3}})$", output, re.MULTILINE)
        assert row is not None, (key, output)
        for peer in ("httptools", "h11"):
            assert re.search(
                rf"^\({key}\) {peer} / torsion +\d+\.\d\dx +\[\d+\.\d\d\.\.\d+\.\d\d\] +no target",
                output,
                re.MULTILINE,
            ), (key, peer)
    for label, _ in BAD_INPUTS:
        assert re.search(rf"^{re.escape(label)} +rejected \d{{3}}\s", output, re.MULTILINE), label
    assert f"torsion accepts 0 of {len(BAD_INPUTS)}: none" in output
    assert re.search(rf"^httptools accepts \d+ of {len(BAD_INPUTS)}: ", output, re.MULTILINE)
    assert re.search(rf"^h11 accepts \d+ of {len(BAD_INPUTS)}: ", output, re.MULTILINE)


def test_withoutPeers() -> None:
    """
    With the peers left out, the benchmark says so and still reports
    torsion's figures and its column of the bad-input table.
    """
    process = runBenchmark(*TINY, "--no-peers")
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert "httptools: left out (--no-peers)" in output
    assert "h11: left out (--no-peers)" in output
    assert re.search(r"^\(a\) minimal GET .*\d\s+-\s+-$", output, re.MULTILINE)
    assert not re.search(r"^\(\w\) \w+ / torsion ", output, re.MULTILINE)
    assert f"torsion accepts 0 of {len(BAD_INPUTS)}: none" in output


def test_profile() -> None:
    """
    --profile prints a cProfile listing of torsion's side of each case.
    """
    process = runBenchmark("--profile", "--sample-ms", "1", "--no-peers")
    assert process.returncode == 0, process.stderr
    assert profileHeadings(process.stdout) == ["a", "b", "c", "d", "e"]
    assert "_httpparse.py" in process.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "--rounds must be at least 1, not 0"),
        (["--sample-ms", "0"], "--sample-ms must be a positive number of milliseconds, not 0"),
    ],
)
def test_badArguments(arguments: list[str], message: str) -> None:
    """
    Nonsense options are refused with a message naming the bad value.
    """
    assertRefused(runBenchmark(*arguments), message)


def test_workloadsAgree() -> None:
    """
    Each workload holds the number of requests the rate table assumes, and
    torsion parses every one of them (the benchmark's own check).
    """
    for _, _, data, count in WORKLOADS:
        records = bench_httpparse.torsionWorkload(data)(1)
        assert isinstance(records, list)
        assert len(records) == count


def test_corpusAllRejectedByTorsion() -> None:
    """
    torsion rejects every input of the bad-input corpus.
    """
    assert [label for label, data in BAD_INPUTS if not torsionVerdict(data).startswith("rej")] == []
