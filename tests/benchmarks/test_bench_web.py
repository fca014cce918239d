"""
Smoke tests for benchmarks/bench_web.py, the HTTP server benchmark.

The script runs the way people run it, with C{--quick} (one round of 1 s
wrk runs), and the tests check what it prints.  Speed is never asserted:
these tests only show that every server starts, answers every workload
correctly under wrk, and that every figure and ratio is reported.  The
report's helpers are checked on made-up figures.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import socket
import sys
import threading
from pathlib import Path

import pytest
from benchmarks._harness import BenchmarkError
from benchmarks.bench_echo import ServerSpec, choosePinning, serving
from benchmarks.bench_web import (
    WORKLOADS,
    Results,
    Run,
    checkServer,
    contentionWarning,
    formatRatioLines,
    formatRunTable,
    measureRounds,
    parseReport,
    wrkArguments,
)

from tests.benchmarks.support import assertRefused, runScript
from tests.helpers import requireTool

#: Runs the script in a fresh interpreter: C{runBenchmark(*arguments, env=...)}.
runBenchmark = functools.partial(runScript, "bench_web.py", timeout=120)

HAVE_PEERS = all(importlib.util.find_spec(name) for name in ("twisted", "aiohttp"))

needsPeers = pytest.mark.skipif(
    not HAVE_PEERS, reason="Twisted and aiohttp (the 'bench' extra) are needed"
)

SPECS = [
    ServerSpec("torsion", "torsion.web", ()),
    ServerSpec("twisted", "twisted.web", ()),
    ServerSpec("aiohttp", "aiohttp", ()),
    ServerSpec("bare", "bare epoll", ()),
]


def checkTable(output: str, case: str, headings: list[str], file: bool) -> None:
    """
    Assert that C{output} has case C{case}'s table with a row per server
    holding every figure.
    """
    assert re.search(rf"^\({case}\) .*: medians over rounds$", output, re.M), output
    megabytes = r" +[\d,]+" if file else ""
    figures = (
        rf"[\d,]+{megabytes} +[\d.,]+ ms +[\d.,]+ ms +\d+% +[\d.,]+ us +[\d.,]+ us +\d+% +\d+%"
    )
    section = output.split(f"({case}) ", 1)[1].split("\n\n", 1)[0]
    for heading in headings:
        name = re.escape(heading)
        assert re.search(rf"^{name} +{figures}$", section, re.M), (heading, output)


@needsPeers
def test_helloCases() -> None:
    """
    A quick run of (a) and (b) prints the versions and the pinning, a row
    with every figure for every server (the bare one included) in both
    tables, every ratio with its verdict, and wrk's CPU; it exits with 0.
    """
    requireTool("wrk")
    process = runBenchmark("--quick", "--cases", "ab")
    assert process.returncode == 0, process.stdout + process.stderr
    output = process.stdout
    assert re.search(r"^twisted\.web: \d+\.\d+.*, epoll reactor$", output, re.M)
    assert re.search(r"^aiohttp: \d+\.\d+", output, re.M)
    assert re.search(r"^wrk: wrk ", output, re.M)
    assert re.search(
        r"^(pinned: load generator on CPU \d+, servers on CPU \d+|not pinned)", output, re.M
    )
    for case in "ab":
        checkTable(output, case, [spec.heading for spec in SPECS], False)
        for pattern in (
            r"torsion\.web / aiohttp +\d+\.\d\dx +\[.*\] +target >= 1\.50x  (PASS|BELOW)$",
            r"CPU/request: aiohttp / torsion\.web +\d+\.\d\dx .* (PASS|BELOW)$",
            r"torsion\.web / twisted\.web +\d+\.\d\dx .* aim \(information\) >= 5\.00x  "
            r"(PASS|BELOW)$",
            r"bare epoll / twisted\.web +\d+\.\d\dx .* no target \(information only\)$",
        ):
            assert re.search(rf"^\({case}\) {pattern}", output, re.M), (case, pattern, output)
    for case in "ab":
        assert re.search(
            rf"^wrk check \({case}\): wrk's CPU, median per server: torsion\.web \d+%",
            output,
            re.M,
        )
    assert "FAILED" not in output


@needsPeers
def test_staticFile() -> None:
    """
    A quick run of (c) prints a row with requests/s, MB/s and every other
    figure for torsion, twisted.web and aiohttp, and exits with 0.
    """
    requireTool("wrk")
    process = runBenchmark("--quick", "--cases", "c")
    assert process.returncode == 0, process.stdout + process.stderr
    checkTable(process.stdout, "c", [spec.heading for spec in SPECS[:3]], True)
    assert "bare epoll" not in process.stdout.split("(c) ", 1)[1]


def test_checkServerNamesProblems() -> None:
    """
    The checking request names the server and everything wrong with its
    answer: the status, a doubled Content-Length (which wrk refuses), and a
    body other than the expected one.
    """
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(1)

    def answerOnce() -> None:
        connection, _ = listening.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nContent-Length: 3\r\n"
                b"Connection: close\r\n\r\nabc"
            )

    thread = threading.Thread(target=answerOnce)
    thread.start()
    try:
        with pytest.raises(BenchmarkError) as caught:
            checkServer("Wrong", listening.getsockname()[1], WORKLOADS[0], b"Hello, world!")
    finally:
        thread.join(10)
        listening.close()
    assert str(caught.value) == (
        "Wrong answered GET /hello wrongly: status 404, expected 200; 2 Content-Length headers "
        "['3', '3'], expected one (wrk's HTTP parser refuses a response with two); a body of 3 "
        "bytes starting b'abc', expected 13 bytes starting b'Hello, world!'"
    )


def test_checkServerRefused() -> None:
    """
    A server that cannot be reached fails the checking request, named.
    """
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    listening.close()
    with pytest.raises(BenchmarkError, match=r"^Gone failed the checking request GET /hello: "):
        checkServer("Gone", port, WORKLOADS[0], b"Hello, world!")


#: A server that answers its first request correctly (the checking
#: request), then closes every connection without answering.
RUDE_SERVER = """
import socket
listening = socket.socket()
listening.bind(("127.0.0.1", 0))
listening.listen(64)
print(listening.getsockname()[1], flush=True)
connection, _ = listening.accept()
connection.recv(65536)
connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 13\\r\\n\\r\\nHello, world!")
connection.close()
while True:
    listening.accept()[0].close()
"""


def test_wrkErrorsFailTheServer() -> None:
    """
    A server that passes the checking request but then drops connections
    is recorded as failing the workload, with wrk's error counts, and has
    no runs left in it.
    """
    wrk = requireTool("wrk")
    spec = ServerSpec("rude", "Rude", (sys.executable, "-c", RUDE_SERVER))
    with serving([spec], choosePinning(False)) as servers:
        results = measureRounds(wrk, servers, WORKLOADS[:1], b"", 1, 1, False)
    assert not results.has("a", "rude")
    [problem] = results.problems[("a", "rude")]
    assert re.match(
        r"wrk counted errors against Rude in round 1: (connect|read|write) [\d,]+", problem
    )


def test_profile() -> None:
    """
    --profile runs (a) once against torsion's server under cProfile and
    prints where its time went, naming torsion's HTTP modules.
    """
    requireTool("wrk")
    process = runBenchmark("--profile", "--seconds", "1")
    assert process.returncode == 0, process.stderr
    assert re.search(
        r"^== \(a\) hello world, .*: torsion\.web under cProfile, [\d,]+ requests/s",
        process.stdout,
        re.M,
    )
    assert "Ordered by: internal time" in process.stdout
    assert "torsion/web/" in process.stdout


def test_profileCase() -> None:
    """--profile with --cases profiles the first case named: here (b), Connection: close."""
    requireTool("wrk")
    process = runBenchmark("--profile", "--cases", "b", "--seconds", "1")
    assert process.returncode == 0, process.stderr
    assert re.search(r"^== \(b\) .*: torsion\.web under cProfile", process.stdout, re.M)
    assert "torsion/web/" in process.stdout


def test_noWrk(tmp_path: Path) -> None:
    """
    Without wrk on the PATH, the benchmark says how to install it and exits
    with status 3.
    """
    process = runBenchmark("--quick", env={"PATH": str(tmp_path)})
    assert process.returncode == 3
    assert "wrk is not installed: install it (Debian/Ubuntu: apt-get install wrk" in (
        process.stderr
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "must be a positive whole number, not 0"),
        (["--seconds", "0.5"], "must be a positive whole number of seconds, not '0.5'"),
        (["--cases", "ax"], "--cases takes letters among a, b and c, not 'ax'"),
    ],
)
def test_badArguments(arguments: list[str], message: str) -> None:
    """
    Nonsense options are refused with a message naming the bad value.
    """
    assertRefused(runBenchmark(*arguments), message)


def fakeRun(rate: float, cpuUs: float | None = None, wait: float = 0.0) -> Run:
    """
    @return: A made-up run at C{rate} requests/s whose server spends
        C{cpuUs} (default: 1e6 / C{rate}) per request, half in user mode.
    """
    cpu = 1e6 / rate if cpuUs is None else cpuUs
    return Run(rate, rate / 1000, 1000.0, 2000.0, 1000, 99.0, cpu / 2, cpu / 2, wait, 50.0)


def fakeResults(rates: dict[str, list[float]], wait: float = 0.0) -> Results:
    """
    @return: Results where each server does the same rate in every
        workload it answers, round by round as given.
    """
    results = Results()
    for workload in WORKLOADS:
        for key, perRound in rates.items():
            if key == "bare" and workload.file:
                continue
            for rate in perRound:
                results.add(workload.key, key, fakeRun(rate, wait=wait))
    return results


def test_ratioLines() -> None:
    """
    Ratio lines take the median of per-round ratios and show their range,
    by requests/s and by CPU per request, with the target against aiohttp,
    the aim against twisted.web, and the bare server for information; the
    bare server has no line in (c).
    """
    results = fakeResults(
        {
            "torsion": [300.0, 320.0, 200.0],
            "twisted": [100.0, 100.0, 100.0],
            "aiohttp": [200.0, 200.0, 200.0],
            "bare": [1000.0, 1000.0, 1000.0],
        }
    )
    lines = [" ".join(line.split()) for line in formatRatioLines(results, WORKLOADS, SPECS)]
    assert "(a) torsion.web / aiohttp 1.50x [1.00..1.60] target >= 1.50x PASS" in lines
    assert "(b) CPU/request: aiohttp / torsion.web 1.50x [1.00..1.60] target >= 1.50x PASS" in (
        lines
    )
    assert "(c) torsion.web / twisted.web 3.00x [2.00..3.20] aim (information) >= 5.00x BELOW" in (
        lines
    )
    assert "(a) bare epoll / twisted.web 10.00x [10.00..10.00] no target (information only)" in (
        lines
    )
    assert len(lines) == 2 * 3 + 2 * 3 + 2 * 2


def test_ratioLinesLeaveOutFailures() -> None:
    """
    A server without runs in a workload (it failed, or is not installed)
    has no ratio lines there; its row in the table says FAILED.
    """
    results = fakeResults({"torsion": [300.0], "twisted": [100.0], "aiohttp": [200.0]})
    del results.runs["c"]["torsion"]
    lines = formatRatioLines(results, WORKLOADS, SPECS)
    assert not [line for line in lines if line.startswith("(c) ")]
    assert [line for line in lines if line.startswith("(a) torsion.web / aiohttp ")]
    table = formatRunTable(results, WORKLOADS[2], SPECS)
    assert table[2].split() == ["torsion.web", "FAILED"]
    assert table[0].split()[:3] == ["server", "requests/s", "MB/s"]
    assert len(table) == 5  # heading, rule, three servers: no bare row for the file


def test_contentionWarning() -> None:
    """
    A server that waited for its CPU more than 5% of a run draws a warning
    naming the case and the server; quiet runs do not.
    """
    rates = {"torsion": [1.0], "twisted": [1.0], "aiohttp": [1.0], "bare": [1.0]}
    assert contentionWarning(fakeResults(rates), WORKLOADS, SPECS) is None
    warning = contentionWarning(fakeResults(rates, wait=12.0), WORKLOADS, SPECS)
    assert warning is not None
    assert "((a) torsion.web 12%, (a) twisted.web 12%, (a) aiohttp 12%, (a) bare epoll 12%, " in (
        warning
    )


def test_wrkArgumentsAndReport() -> None:
    """
    wrk runs one thread with the workload's connections, a report script,
    C{Connection: close} for (b) only; its report line is read exactly.
    """
    argv = wrkArguments("wrk", 8080, WORKLOADS[1], 3)
    assert argv[:4] == ["wrk", "-t1", "-c50", "-d3s"]
    assert argv[-3:] == ["-H", "Connection: close", "http://127.0.0.1:8080/hello"]
    assert "-H" not in wrkArguments("wrk", 8080, WORKLOADS[0], 3)
    assert wrkArguments("wrk", 1, WORKLOADS[2], 1)[-1] == "http://127.0.0.1:1/static/big.bin"
    report = parseReport('Running 1s test\nbench_web {"requests": 12, "read": 0}\n')
    assert report == {"requests": 12, "read": 0}
