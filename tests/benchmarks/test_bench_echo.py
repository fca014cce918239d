"""
Smoke tests for benchmarks/bench_echo.py, the TCP echo benchmark.

The script runs the way people run it, with C{--quick} (one round of very
short runs, 200 idle connections), and the tests check what it prints.
Speed is never asserted: these tests only show that every server is
compiled or started, answers every workload, and that every figure and
ratio is reported.  The report's helpers are checked on made-up figures.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import resource
import shutil
from pathlib import Path

import pytest
from benchmarks.bench_echo import (
    WORKLOADS,
    Memory,
    Pinning,
    Results,
    Run,
    ServerSpec,
    alignRows,
    contentionWarning,
    formatMemory,
    formatRatioLines,
    idleLimitProblem,
    loadgenCheck,
    workloadsFor,
)

from tests.benchmarks.support import assertRefused, checkCompilerFailure, runScript

#: Runs the script in a fresh interpreter: C{runBenchmark(*arguments, env=...)}.
runBenchmark = functools.partial(runScript, "bench_echo.py")

HAVE_CC = bool(os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc"))
HAVE_TWISTED = importlib.util.find_spec("twisted") is not None
HAVE_UVLOOP = importlib.util.find_spec("uvloop") is not None
CAN_PIN = hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) >= 2

needsCompiler = pytest.mark.skipif(
    not HAVE_CC, reason="no C compiler (cc or gcc): the benchmark compiles its load generator"
)

SPECS = [
    ServerSpec("torsion", "torsion", ()),
    ServerSpec("twisted", "Twisted", ()),
    ServerSpec("asyncio", "asyncio", ()),
    ServerSpec("c", "C epoll", ()),
]


def checkTables(output: str, headings: list[str], workloads: list[str]) -> None:
    """
    Assert that C{output} has, for each workload, a table row per server
    with every figure, and nothing for other workloads.
    """
    sections = re.findall(r"^\((\w+)\) .*: medians over rounds$", output, re.M)
    assert sections == workloads, output
    rate = r"[\d,]+ +[\d.,]+ us +[\d.,]+ us +\d+% +[\d.]+ us +[\d.]+ us +\d+%"
    for heading in headings:
        rows = re.findall(rf"^{re.escape(heading)} +{rate}$", output, re.M)
        assert len(rows) == len(workloads), (heading, output)


def checkRatios(output: str, baselines: list[str], workloads: list[str]) -> None:
    """
    Assert that C{output} has a ratio line per workload and baseline (with a
    verdict against asyncio where the issue sets a target) and a CPU per
    message line per baseline (with a verdict against asyncio).
    """
    for workload in workloads:
        for baseline in baselines:
            match = re.search(
                rf"^\({workload}\) torsion / {re.escape(baseline)} +\d+\.\d\dx +"
                r"\[\d+\.\d\d\.\.\d+\.\d\d\] +(?P<rest>.*)$",
                output,
                re.M,
            )
            assert match is not None, (workload, baseline, output)
            if baseline == "asyncio" and workload != "b1":
                assert re.match(
                    r"target >= 1\.30x  (PASS|BELOW) \(C server: \d+\.\d\dx asyncio\)$",
                    match.group("rest"),
                )
            else:
                assert match.group("rest") == "no target (information only)"
        assert len(re.findall(rf"^\({workload}\) torsion / ", output, re.M)) == len(baselines)
    for baseline in baselines:
        match = re.search(
            rf"^\(a\) CPU/message: {re.escape(baseline)} / torsion +\d+\.\d\dx +"
            r"\[\d+\.\d\d\.\.\d+\.\d\d\] +(?P<rest>.*)$",
            output,
            re.M,
        )
        assert match is not None, baseline
        if baseline == "asyncio":
            assert re.match(r"target >= 1\.30x  (PASS|BELOW)$", match.group("rest"))
        else:
            assert match.group("rest") == "no target (information only)"


@needsCompiler
@pytest.mark.skipif(
    not (HAVE_TWISTED and HAVE_UVLOOP), reason="Twisted and uvloop (the 'bench' extra) are needed"
)
def test_printsEveryFigure() -> None:
    """
    A quick run with every peer prints the versions and the pinning, a row
    for every server in every workload's table, every ratio (a verdict
    against asyncio where the issue sets a target), the load generator
    check, and the memory per idle connection of every server with the
    verdict against Twisted.
    """
    process = runBenchmark("--quick")
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert re.search(r"^Python \d+\.\d+\.\d+ ", output, re.M)
    assert re.search(r"^Twisted: \d+\.\d+", output, re.M)
    assert re.search(r"^uvloop: \d+\.\d+", output, re.M)
    assert re.search(
        r"^(pinned: load generator on CPU \d+, servers on CPU \d+|not pinned)", output, re.M
    )
    headings = ["torsion", "Twisted", "asyncio", "uvloop", "C epoll"]
    workloads = ["a", "b", "b1"] if CAN_PIN else ["a", "b"]
    checkTables(output, headings, workloads)
    checkRatios(output, headings[1:], workloads)
    assert re.search(
        r"^load generator check \(a\): the C server did \d+\.\d\dx the messages/s of the "
        r"fastest Python server \(\w+\); needed >= 1\.20x: (OK|NOT PROVEN) \(against \w+ the "
        r"load generator used \d+% of its CPU, the server \d+%\)$",
        output,
        re.M,
    )
    assert "holds 200 idle connections" in output
    for heading in headings:
        assert re.search(
            rf"^{re.escape(heading)} +[\d.,]+ MiB +[\d.,]+ MiB +-?[\d,]+ B$", output, re.M
        ), heading
    assert re.search(
        r"^torsion / Twisted memory per idle connection: -?\d+\.\d\dx  target <= 1\.00x  "
        r"(PASS|BELOW)$",
        output,
        re.M,
    )


@needsCompiler
def test_withoutPeersUnpinned() -> None:
    """
    Without Twisted and uvloop, and with --no-pin, the benchmark says so,
    leaves their rows and ratios out, leaves out the one-CPU case (b1), and
    still compares torsion with asyncio and the C server.
    """
    process = runBenchmark("--quick", "--no-twisted", "--no-uvloop", "--no-pin", "--idle", "50")
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert "Twisted: left out (--no-twisted)" in output
    assert "uvloop: left out (--no-uvloop)" in output
    assert "not pinned (--no-pin): the scheduler places both" in output
    checkTables(output, ["torsion", "asyncio", "C epoll"], ["a", "b"])
    checkRatios(output, ["asyncio", "C epoll"], ["a", "b"])
    assert "Twisted" not in output.split("uvloop: left out")[1]
    assert "holds 50 idle connections" in output
    assert "torsion / Twisted memory" not in output


@needsCompiler
def test_profile() -> None:
    """
    --profile runs (a) once against torsion's server under cProfile and
    prints where its time went, naming the reactor's and the transport's
    modules.
    """
    process = runBenchmark("--profile", "--seconds", "0.2", "--no-twisted", "--no-uvloop")
    assert process.returncode == 0, process.stderr
    assert re.search(
        r"^== \(a\) echo, .*: torsion under cProfile, [\d,]+ messages/s", process.stdout, re.M
    )
    for module in ("_pollingreactor.py", "_tcp.py"):
        assert module in process.stdout, module


def test_noCompiler(tmp_path: Path) -> None:
    """
    When the C compiler fails, the benchmark says which program did not
    compile and with what, and exits with status 3.
    """
    checkCompilerFailure(runBenchmark, tmp_path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "must be a positive whole number, not 0"),
        (["--seconds", "soon"], "must be a positive number of seconds, not 'soon'"),
        (["--idle", "-5"], "must be a positive whole number, not -5"),
    ],
)
def test_badArguments(arguments: list[str], message: str) -> None:
    """
    Nonsense options are refused with a message naming the bad value.
    """
    assertRefused(runBenchmark(*arguments), message)


def fakeRun(rate: float, cpu: float = 99.0, userUs: float = 1.0) -> Run:
    """
    @return: A made-up run at C{rate} messages per second.
    """
    return Run(rate, 10.0, 20.0, 50.0, cpu, userUs, 4.0)


def fakeResults(rates: dict[str, list[float]], cpu: float = 99.0) -> Results:
    """
    @return: Results where each server does the same messages/s in every
        workload, round by round as given.
    """
    results = Results()
    for workload in WORKLOADS:
        for key, perRound in rates.items():
            for rate in perRound:
                results.add(workload, key, fakeRun(rate, cpu))
    return results


def test_ratioLines() -> None:
    """
    Ratio lines take the median of per-round ratios, show their range, and
    give a verdict against asyncio only where the issue sets a target: (a)
    and (b) in messages/s, and (a) in CPU per message.
    """
    results = fakeResults(
        {
            "torsion": [130.0, 140.0, 100.0],
            "twisted": [65.0, 70.0, 50.0],
            "asyncio": [100.0, 100.0, 100.0],
            "c": [200.0, 200.0, 200.0],
        }
    )
    # Compare with runs of spaces (the column padding) squeezed to one.
    lines = [" ".join(line.split()) for line in formatRatioLines(results, SPECS)]
    assert "(a) torsion / Twisted 2.00x [2.00..2.00] no target (information only)" in lines
    assert (
        "(a) torsion / asyncio 1.30x [1.00..1.40] target >= 1.30x PASS "
        "(C server: 2.00x asyncio)" in lines
    )
    assert "(b1) torsion / asyncio 1.30x [1.00..1.40] no target (information only)" in lines
    assert "(a) CPU/message: C epoll / torsion 1.00x [1.00..1.00] no target (information only)" in (
        lines
    )
    assert "(a) CPU/message: asyncio / torsion 1.00x [1.00..1.00] target >= 1.30x BELOW" in lines


def test_loadgenCheck() -> None:
    """
    The load generator check compares the C server with the fastest Python
    server in (a) and passes only with a 1.2x margin.
    """
    rates = {"torsion": [100.0], "twisted": [50.0], "asyncio": [110.0], "c": [150.0]}
    assert loadgenCheck(fakeResults(rates), SPECS).endswith(
        "did 1.36x the messages/s of the fastest Python server (asyncio); needed >= 1.20x: OK "
        "(against asyncio the load generator used 50% of its CPU, the server 99%)"
    )
    rates["c"] = [120.0]
    assert loadgenCheck(fakeResults(rates), SPECS).endswith(
        "did 1.09x the messages/s of the fastest Python server (asyncio); "
        "needed >= 1.20x: NOT PROVEN (against asyncio the load generator used 50% of its CPU, "
        "the server 99%)"
    )


def test_contentionWarning() -> None:
    """
    A Python server that used less than 90% of its CPU in (a) draws a
    warning naming it; the C server, and busy servers, do not.
    """
    rates = {"torsion": [1.0], "twisted": [1.0], "asyncio": [1.0], "c": [1.0]}
    assert contentionWarning(fakeResults(rates), SPECS) is None
    warning = contentionWarning(fakeResults(rates, cpu=60.0), SPECS)
    assert warning is not None
    assert "(torsion 60%, Twisted 60%, asyncio 60%)" in warning


def test_memory() -> None:
    """
    Memory per idle connection is the RSS growth divided by the number of
    connections; torsion passes when it needs no more than Twisted.
    """
    memory = {
        "torsion": Memory(10 * 2**20, 10 * 2**20 + 5_000_000, 5000),
        "twisted": Memory(20 * 2**20, 20 * 2**20 + 10_000_000, 5000),
    }
    assert memory["torsion"].perConnection == 1000
    lines = formatMemory(memory, SPECS)
    assert lines[2].split() == ["torsion", "10.0", "MiB", "14.8", "MiB", "1,000", "B"]
    assert lines[-1] == (
        "torsion / Twisted memory per idle connection: 0.50x  target <= 1.00x  PASS"
    )


def test_idleLimit(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    Too low a hard descriptor limit skips the memory figure with a reason
    that names the limit and what to do; a high enough one does not.
    """
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 1024))
    problem = idleLimitProblem(5000)
    assert problem == (
        "the hard RLIMIT_NOFILE is 1024, and 5,000 idle connections need 5,064 descriptors "
        "in each process; raise it (ulimit -Hn) or pass a smaller --idle"
    )
    assert idleLimitProblem(900) is None


def test_workloadsFor() -> None:
    """
    The one-CPU ping-pong (b1) runs only when processes are pinned.
    """
    pinned = Pinning(0, 1, "pinned")
    assert [w.key for w in workloadsFor(pinned)] == ["a", "b", "b1"]
    assert [w.key for w in workloadsFor(Pinning(None, None, "not pinned"))] == ["a", "b"]


def test_alignRows() -> None:
    """
    Tables put the first column on the left, the others on the right, with
    a rule under the heading.
    """
    assert alignRows([("a", "bb"), ("ccc", "d")]) == ["a    bb", "-------", "ccc   d"]
