"""
Smoke tests for benchmarks/bench_tls.py, the TLS benchmark.

The script runs the way people run it, with C{--quick} (one round of very
short runs), and the tests check what it prints.  Speed is never asserted:
these tests only show that the C programs compile, every server starts,
passes the checking runs and answers every workload, and that every figure
and ratio is reported.  The report's helpers are checked on made-up
figures.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest
from benchmarks.bench_echo import ServerSpec
from benchmarks.bench_tls import (
    WORKLOADS,
    Results,
    Run,
    Workload,
    contentionWarning,
    formatRatioLines,
    formatRunTable,
    loadgenCheck,
    negotiationLines,
)
from benchmarks.tls.libraries import Floor, formatFloors

from tests.benchmarks.support import (
    assertRefused,
    checkCompilerFailure,
    failingCompiler,
    runScript,
)

#: Runs the script in a fresh interpreter: C{runBenchmark(*arguments, env=...)}.
runBenchmark = functools.partial(runScript, "bench_tls.py")

HAVE_CC = bool(os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc"))
HAVE_HEADERS = any(
    Path(prefix, "include", "openssl", "ssl.h").exists() for prefix in ("/usr", "/usr/local")
)
HAVE_TWISTED = all(importlib.util.find_spec(name) for name in ("twisted", "OpenSSL"))
HAVE_UVLOOP = importlib.util.find_spec("uvloop") is not None
HAVE_TRUSTME = importlib.util.find_spec("trustme") is not None

needsBuild = pytest.mark.skipif(
    not (HAVE_CC and HAVE_HEADERS and HAVE_TRUSTME),
    reason="needs a C compiler, the OpenSSL headers (libssl-dev) and trustme",
)

SPECS = [
    ServerSpec("torsion", "torsion", ()),
    ServerSpec("twisted", "Twisted", ()),
    ServerSpec("asyncio", "asyncio", ()),
    ServerSpec("c", "C OpenSSL", ()),
]


def checkTables(output: str, headings: list[str]) -> None:
    """
    Assert that C{output} has a table for each workload with a row per
    server holding every figure.
    """
    sections = re.findall(r"^\((\w+)\) .*: medians over rounds$", output, re.M)
    assert sections == ["a", "b", "c"], output
    echo = r"[\d,]+ +\d+% +[\d.]+ ms +[\d.]+ ms +\d+% +\d+% +\d+%"
    handshake = r"[\d,]+ +\d+% +[\d.,]+ us +[\d.,]+ us +\d+% +\d+% +\d+% +\d+\.\d"
    for heading in headings:
        name = re.escape(heading)
        assert len(re.findall(rf"^{name} +{echo}$", output, re.M)) == 2, (heading, output)
        assert len(re.findall(rf"^{name} +{handshake}$", output, re.M)) == 1, (heading, output)


def checkRatios(output: str, baselines: list[str]) -> None:
    """
    Assert that C{output} has, per workload and baseline, a rate ratio and a
    CPU ratio, with a verdict against Twisted and none against the others.
    """
    spread = r" +\d+\.\d\dx +\[\d+\.\d\d\.\.\d+\.\d\d\] +(?P<rest>.*)$"
    for workload, unit in (("a", "MB"), ("b", "MB"), ("c", "handshake")):
        for baseline in baselines:
            name = re.escape(baseline)
            for label in (f"torsion / {name}", f"CPU/{unit}: {name} / torsion"):
                match = re.search(rf"^\({workload}\) {label}{spread}", output, re.M)
                assert match is not None, (workload, label, output)
                if baseline == "Twisted":
                    assert re.match(r"target >= 1\.50x  (PASS|BELOW)$", match.group("rest"))
                else:
                    assert match.group("rest") == "no target (information only)"
        lines = re.findall(rf"^\({workload}\) (torsion / |CPU/)", output, re.M)
        assert len(lines) == 2 * len(baselines), (workload, output)


@needsBuild
@pytest.mark.skipif(
    not (HAVE_TWISTED and HAVE_UVLOOP),
    reason="Twisted with pyOpenSSL, and uvloop (the 'bench' extra) are needed",
)
def test_printsEveryFigure() -> None:
    """
    A quick run with every peer prints the versions, the TLS settings and
    the pinning, a row for every server in every workload's table, the
    parameters every server negotiated, every ratio (with a verdict against
    Twisted), the load generator check of every workload, and the cost of
    each TLS library alone.
    """
    process = runBenchmark("--quick")
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert re.search(r"^Python \d+\.\d+\.\d+ ", output, re.M)
    assert re.search(r"^torsion: .*, stdlib ssl on OpenSSL \d", output, re.M)
    assert re.search(r"^Twisted: \d+\.\d+.*, pyOpenSSL \d+\.\d+.* on OpenSSL \d", output, re.M)
    assert re.search(r"^uvloop: \d+\.\d+", output, re.M)
    assert re.search(r"^C server and load generator: OpenSSL \d", output, re.M)
    assert "TLS: 1.3 only, TLS_AES_128_GCM_SHA256, X25519, ECDSA P-256 certificate" in output
    assert re.search(
        r"^(pinned: load generator on CPU \d+, servers on CPU \d+|not pinned)", output, re.M
    )
    headings = ["torsion", "Twisted", "asyncio", "uvloop", "C OpenSSL"]
    checkTables(output, headings)
    assert re.search(
        r"^negotiated with every server: TLSv1\.3 TLS_AES_128_GCM_SHA256 x25519, EC-256 key, "
        r"ECDSA-SHA256 signature$",
        output,
        re.M,
    )
    checkRatios(output, headings[1:])
    for workload in "abc":
        assert re.search(
            rf"^load generator check \({workload}\): its CPU, median per server: torsion \d+%, "
            r"Twisted \d+%, asyncio \d+%, uvloop \d+%, C OpenSSL \d+%; .*: (OK|NOT PROVEN)$",
            output,
            re.M,
        ), workload
    assert re.search(r"^stdlib ssl \(OpenSSL .*\) +[\d,]+ us +[\d.]+ us +[\d.]+ ms$", output, re.M)
    assert re.search(
        r"^pyOpenSSL, as Twisted sets it up \(OpenSSL .*\) +[\d,]+ us +[\d.]+ us +[\d.]+ ms$",
        output,
        re.M,
    )
    assert re.search(r"^the standard library's ssl needs \d+\.\d\dx pyOpenSSL's", output, re.M)


@needsBuild
def test_withoutPeersUnpinned() -> None:
    """
    Without Twisted and uvloop, with --no-pin and an RSA key, the benchmark
    says so, leaves their rows and ratios out, still compares torsion with
    asyncio and the C server, and skips the libraries' comparison.
    """
    process = runBenchmark(
        "--quick", "--no-twisted", "--no-uvloop", "--no-pin", "--key", "rsa", "--seconds", "0.1"
    )
    assert process.returncode == 0, process.stderr
    output = process.stdout
    assert "Twisted: left out (--no-twisted)" in output
    assert "uvloop: left out (--no-uvloop)" in output
    assert "not pinned (--no-pin): the scheduler places both" in output
    assert "RSA-2048 certificate" in output
    checkTables(output, ["torsion", "asyncio", "C OpenSSL"])
    checkRatios(output, ["asyncio", "C OpenSSL"])
    assert "Twisted" not in output.split("uvloop: left out")[1].replace(
        "the TLS libraries alone: skipped (Twisted: left out (--no-twisted))", ""
    )
    assert "RSA-2048 key, RSA-PSS-SHA256 signature" in output


@needsBuild
def test_profile() -> None:
    """
    --profile echo runs (a) once against torsion's server under cProfile
    and prints where its time went, naming torsion's TLS module.
    """
    process = runBenchmark("--profile", "echo", "--seconds", "0.2", "--no-twisted", "--no-uvloop")
    assert process.returncode == 0, process.stderr
    assert re.search(
        r"^== \(a\) echo, .*: torsion under cProfile, [\d,]+ MB/s", process.stdout, re.M
    )
    assert "protocols/_tls.py" in process.stdout


def test_noCompiler(tmp_path: Path) -> None:
    """
    When the C compiler fails, the benchmark says which program did not
    compile and with what, and exits with status 3.
    """
    checkCompilerFailure(runBenchmark, tmp_path)


def test_noHeaders(tmp_path: Path) -> None:
    """
    When the OpenSSL headers are missing, the benchmark says how to install
    them.
    """
    failing = failingCompiler(
        tmp_path, "loadgen.c:1: fatal error: openssl/ssl.h: No such file or directory"
    )
    process = runBenchmark("--quick", env={"CC": str(failing)})
    assert process.returncode == 3
    assert "the OpenSSL headers are missing: install them" in process.stderr
    assert "apt-get install libssl-dev" in process.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "must be a positive whole number, not 0"),
        (["--seconds", "soon"], "must be a positive number of seconds, not 'soon'"),
        (["--key", "dsa"], "invalid choice: 'dsa'"),
        (["--profile", "everything"], "invalid choice: 'everything'"),
    ],
)
def test_badArguments(arguments: list[str], message: str) -> None:
    """
    Nonsense options are refused with a message naming the bad value.
    """
    assertRefused(runBenchmark(*arguments), message)


def fakeRun(
    rate: float,
    loadgenCpu: float = 50.0,
    cpu: float = 1e-3,
    wait: float = 0.0,
    unclean: int = 0,
) -> Run:
    """
    @return: A made-up run at C{rate} (MB/s or handshakes/s), with the
        server spending C{cpu} seconds per unit, half of them in user mode.
    """
    return Run(
        rate,
        loadgenCpu,
        0.0,
        99.0,
        cpu / 2,
        cpu / 2,
        wait,
        tickets=2.0,
        unclean=unclean,
        tls="TLSv1.3",
    )


def fakeResults(
    rates: dict[str, list[float]], loadgenCpu: float = 50.0, wait: float = 0.0
) -> Results:
    """
    @return: Results where each server does the same rate in every
        workload, round by round as given, its CPU per unit the inverse of
        its rate.
    """
    results = Results()
    for workload in WORKLOADS:
        for key, perRound in rates.items():
            for rate in perRound:
                run = fakeRun(rate, loadgenCpu=loadgenCpu, cpu=1 / rate, wait=wait)
                results.add(workload, key, run)
    return results


def test_ratioLines() -> None:
    """
    Ratio lines take the median of per-round ratios and show their range,
    for rates and for CPU per unit, with a verdict against Twisted only.
    """
    results = fakeResults(
        {
            "torsion": [150.0, 160.0, 100.0],
            "twisted": [100.0, 100.0, 100.0],
            "asyncio": [150.0, 160.0, 100.0],
            "c": [300.0, 300.0, 300.0],
        }
    )
    # Compare with runs of spaces (the column padding) squeezed to one.
    lines = [" ".join(line.split()) for line in formatRatioLines(results, SPECS)]
    assert "(a) torsion / Twisted 1.50x [1.00..1.60] target >= 1.50x PASS" in lines
    assert "(c) CPU/handshake: Twisted / torsion 1.50x [1.00..1.60] target >= 1.50x PASS" in lines
    assert "(b) torsion / asyncio 1.00x [1.00..1.00] no target (information only)" in lines
    assert "(b) CPU/MB: C OpenSSL / torsion 0.50x [0.33..0.53] no target (information only)" in (
        lines
    )
    assert len(lines) == 3 * 2 * 3
    below = fakeResults({"torsion": [140.0], "twisted": [100.0], "asyncio": [1.0], "c": [1.0]})
    lines = [" ".join(line.split()) for line in formatRatioLines(below, SPECS)]
    assert "(a) torsion / Twisted 1.40x [1.40..1.40] target >= 1.50x BELOW" in lines


def test_runTable() -> None:
    """
    Tables give MB/s with CPU in ms per MB for echo workloads, and
    handshakes/s with CPU in us per handshake and the tickets for
    handshakes.
    """
    results = fakeResults({"torsion": [1000.0], "twisted": [500.0], "asyncio": [1.0], "c": [1.0]})
    echo = [" ".join(line.split()) for line in formatRunTable(results, WORKLOADS[0], SPECS[:2])]
    assert echo[0] == ("server MB/s server CPU user/MB system/MB CPU wait loadgen CPU loadgen wait")
    assert echo[3] == "Twisted 500 99% 1.000 ms 1.000 ms 0% 50% 0%"
    handshakes = [
        " ".join(line.split()) for line in formatRunTable(results, WORKLOADS[2], SPECS[:1])
    ]
    assert handshakes[0].startswith("server handshakes/s server CPU user/handshake ")
    assert handshakes[0].endswith(" tickets")
    assert handshakes[2] == "torsion 1,000 99% 500.0 us 500.0 us 0% 50% 0% 2.0"


def test_loadgenCheck() -> None:
    """
    The load generator check passes when it stayed below 90% of its CPU
    against every Python server; else only if it drove the C server at
    least 1.1x as fast as the fastest Python server.
    """
    rates = {"torsion": [100.0], "twisted": [50.0], "asyncio": [80.0], "c": [120.0]}
    line = loadgenCheck(fakeResults(rates), WORKLOADS[0], SPECS)
    assert line == (
        "load generator check (a): its CPU, median per server: torsion 50%, Twisted 50%, "
        "asyncio 50%, C OpenSSL 50%; below 90% against every Python server: OK"
    )
    busy = fakeResults(rates, loadgenCpu=95.0)
    assert loadgenCheck(busy, WORKLOADS[0], SPECS).endswith(
        "95% against torsion, but it drove the C server at 1.20x the fastest Python server "
        "(torsion); needed >= 1.10x: OK"
    )
    rates["c"] = [105.0]
    busy = fakeResults(rates, loadgenCpu=95.0)
    assert loadgenCheck(busy, WORKLOADS[0], SPECS).endswith("needed >= 1.10x: NOT PROVEN")
    assert loadgenCheck(busy, WORKLOADS[0], SPECS[:3]).endswith("95% against torsion: NOT PROVEN")


def test_contentionWarning() -> None:
    """
    A server or load generator that waited for its CPU more than 5% of a
    run draws a warning naming the workload and the server; quiet runs do
    not.
    """
    rates = {"torsion": [1.0], "twisted": [1.0], "asyncio": [1.0], "c": [1.0]}
    assert contentionWarning(fakeResults(rates), SPECS) is None
    warning = contentionWarning(fakeResults(rates, wait=12.0), SPECS)
    assert warning is not None
    assert "((a) torsion 12%, (a) Twisted 12%, (a) asyncio 12%, (a) C OpenSSL 12%, (b) " in (
        warning
    )


def test_negotiationLines() -> None:
    """
    The negotiated parameters take one line when every server agrees, a
    line per server otherwise; unclean closes are noted per server.
    """
    results = fakeResults({"torsion": [1.0], "c": [1.0]})
    results.negotiated = {"torsion": "TLSv1.3 X", "c": "TLSv1.3 X"}
    specs = [SPECS[0], SPECS[3]]
    assert negotiationLines(results, specs) == ["negotiated with every server: TLSv1.3 X"]
    results.negotiated["c"] = "TLSv1.3 Y"
    results.add(WORKLOADS[2], "c", fakeRun(1.0, unclean=3))
    assert negotiationLines(results, specs) == [
        "warning: the servers negotiated different parameters:",
        "  torsion: TLSv1.3 X",
        "  C OpenSSL: TLSv1.3 Y",
        "note: C OpenSSL closed 3 connection(s) without a close_notify",
    ]


def test_loadgenArguments() -> None:
    """
    Echo workloads count in the measured runs and check every byte in the
    checking run; handshake workloads use the minimal client, and OpenSSL's
    in the checking run.
    """
    echo = Workload("x", "echo", "echo", 10, 16384, 65536)
    assert echo.loadgenArguments(4433, 1.0, 0.25, False) == [
        "echo",
        "4433",
        "10",
        "16384",
        "65536",
        "1.0",
        "0.25",
        "count",
    ]
    assert echo.loadgenArguments(4433, 1.0, 0.25, True)[-1] == "verify"
    handshake = Workload("y", "handshakes", "handshake", 16)
    assert handshake.loadgenArguments(4433, 1.0, 0.0, False) == [
        "handshake",
        "4433",
        "16",
        "1.0",
        "0.0",
        "lite",
    ]
    assert handshake.loadgenArguments(4433, 1.0, 0.0, True)[-1] == "openssl"
    assert (echo.unit, handshake.unit) == ("MB", "handshake")


def test_formatFloors() -> None:
    """
    The libraries' table gives each one's time per handshake and per
    record (and per MB), then how many times the first one's the second
    needs.
    """
    lines = formatFloors([Floor("stdlib ssl", 200e-6, 10e-6), Floor("pyOpenSSL", 100e-6, 8e-6)])
    assert lines[2].split() == ["stdlib", "ssl", "200", "us", "10.0", "us", "0.610", "ms"]
    assert lines[-1].startswith(
        "the standard library's ssl needs 2.00x pyOpenSSL's time per handshake and 1.25x per record"
    )
