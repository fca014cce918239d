"""
HTTP server benchmark: torsion.web against twisted.web and aiohttp under
wrk, in one run.

Run C{python benchmarks/bench_web.py [--quick] [--rounds N] [--profile]}.
Cases, as in the issue:

 - (a) hello world, keep-alive: C{GET /hello} answered with
   C{Hello, world!} by a leaf resource, 50 connections;
 - (b) the same without keep-alive: every request says C{Connection:
   close}, so every request is a new connection;
 - (c) a 1 MiB static file, keep-alive, 4 connections: requests/s and MB/s.

Each server is a subprocess (C{web/server_*.py}) that prints its port and
serves until SIGTERM, pinned to one CPU while wrk runs on the other.  A bare
pure-Python epoll server (C{web/server_bare.py}) answers (a) and (b) for
information: the ceiling for Python on this machine.  Besides requests/s
and wrk's latency percentiles, each run reports the server's CPU time per
request (from C{/proc}), which holds when other processes take CPU time.
Any error wrk counts (connect, read, write, timeout, or a non-2xx/3xx
status) is printed and makes the run exit with status 1.  See README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for `benchmarks`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torsion
from benchmarks._harness import BenchmarkError, environmentLines, fillQuickDefaults, positive
from benchmarks.bench_echo import (
    Pinning,
    RoundResults,
    Server,
    ServerSpec,
    addLeaveOutOptions,
    alignRows,
    choosePinning,
    peerVersion,
    profileServer,
    serverParser,
    serving,
)
from benchmarks.bench_tls import waitSeconds

HERE = Path(__file__).resolve().parent / "web"

#: The issue's target: torsion's requests/s at least this many times
#: aiohttp's, in the same run.
AIOHTTP_TARGET = 1.5

#: What the issue aims for against twisted.web (information, not a target).
TWISTED_AIM = 5.0

#: Size of the static file of case (c).
FILE_SIZE = 2**20

#: Its name in the served directory.
FILE_NAME = "big.bin"

#: A server or wrk that waited for its CPU more than this share of a run
#: (percent) draws a contention warning.
WAIT_LIMIT = 5.0

INSTALL_WRK = (
    "wrk is not installed: install it (Debian/Ubuntu: apt-get install wrk; macOS: brew "
    "install wrk; or ./dev test, which installs it)"
)


@dataclass(frozen=True, slots=True)
class Workload:
    """
    One wrk workload.

    @ivar key: Case label: C{"a"}, C{"b"} or C{"c"}.
    @ivar title: What it is, for headings.
    @ivar path: The URL path requested.
    @ivar connections: Connections wrk keeps open (C{-c}).
    @ivar close: Send C{Connection: close} with every request.
    @ivar file: Whether it fetches the static file (which the bare server
        does not serve) rather than the hello-world resource.
    """

    key: str
    title: str
    path: str
    connections: int
    close: bool = False
    file: bool = False


WORKLOADS = (
    Workload("a", "hello world, keep-alive, 50 connections", "/hello", 50),
    Workload("b", "hello world, Connection: close, 50 connections", "/hello", 50, close=True),
    Workload(
        "c", "1 MiB static file, keep-alive, 4 connections", f"/static/{FILE_NAME}", 4, file=True
    ),
)


@dataclass(frozen=True, slots=True)
class Run:
    """
    The figures of one wrk run against one server.

    @ivar rate: Requests per second.
    @ivar megabytes: MB (10**6 bytes) per second read by wrk, heads included.
    @ivar p50: Median latency, microseconds.
    @ivar p99: 99th percentile latency, microseconds.
    @ivar requests: Requests answered.
    @ivar serverCpu: CPU the server used, percent of wall time.
    @ivar userUs: The server's user-mode CPU time per request, microseconds.
    @ivar systemUs: Its kernel-mode CPU time per request, microseconds.
    @ivar wait: Share of the run the server waited for its CPU, percent.
    @ivar wrkCpu: CPU wrk used, percent of wall time.
    @ivar errors: What wrk counted as errors, by kind; empty if none.
    """

    rate: float
    megabytes: float
    p50: float
    p99: float
    requests: int
    serverCpu: float
    userUs: float
    systemUs: float
    wait: float
    wrkCpu: float
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def cpuUs(self) -> float:
        """
        @return: The server's CPU time per request, microseconds.
        """
        return self.userUs + self.systemUs


def wrkArguments(wrk: str, port: int, workload: Workload, seconds: int) -> list[str]:
    """
    @return: The command that runs C{workload} against C{port} for
        C{seconds}, reporting through C{web/report.lua}.
    """
    argv = [
        wrk,
        "-t1",
        f"-c{workload.connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(HERE / "report.lua"),
    ]
    if workload.close:
        argv += ["-H", "Connection: close"]
    return [*argv, f"http://127.0.0.1:{port}{workload.path}"]


def parseReport(output: str) -> dict[str, int]:
    """
    @return: The figures C{web/report.lua} printed on wrk's standard output.
    @raise BenchmarkError: If there is no such line.
    """
    for line in output.splitlines():
        if line.startswith("bench_web "):
            report: dict[str, int] = json.loads(line.removeprefix("bench_web "))
            return report
    raise BenchmarkError(f"wrk printed no report line:\n{output}")


def runWrk(wrk: str, server: Server, workload: Workload, seconds: int) -> Run:
    """
    Run wrk with C{workload} against C{server} (wrk inherits this process's
    CPU), measuring the server's CPU time meanwhile.

    @raise BenchmarkError: If wrk fails or prints no report.
    """
    argv = wrkArguments(wrk, server.port, workload, seconds)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    (userBefore, systemBefore), waitBefore = server.cpuSeconds(), waitSeconds(server)
    wallBefore = time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=seconds + 60)
    wall = time.monotonic() - wallBefore
    userAfter, systemAfter = server.cpuSeconds()
    waited = waitSeconds(server) - waitBefore
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrkCpu = after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime
    if result.returncode != 0:
        raise BenchmarkError(
            f"wrk failed against {server.spec.heading} ({workload.title}), status "
            f"{result.returncode}: {result.stderr.strip()}"
        )
    report = parseReport(result.stdout)
    requests = report["requests"]
    duration = report["duration_us"] / 1e6
    user, system = userAfter - userBefore, systemAfter - systemBefore
    errors = {
        kind: report[kind]
        for kind in ("connect", "read", "write", "timeout", "status")
        if report[kind]
    }
    perRequest = 1e6 / requests if requests else float("nan")
    return Run(
        rate=requests / duration,
        megabytes=report["bytes"] / duration / 1e6,
        p50=float(report["p50_us"]),
        p99=float(report["p99_us"]),
        requests=requests,
        serverCpu=(user + system) / wall * 100,
        userUs=user * perRequest,
        systemUs=system * perRequest,
        wait=waited / wall * 100,
        wrkCpu=wrkCpu / wall * 100,
        errors=errors,
    )


# -- servers ----------------------------------------------------------------------


def serverSpecs(directory: Path, twisted: bool, aiohttp: bool) -> list[ServerSpec]:
    """
    @param directory: The directory the servers serve under C{/static/}.
    @param twisted: Include twisted.web's server.
    @param aiohttp: Include aiohttp's server.
    @return: The servers to compare, torsion first, the bare server last.
    """

    def script(name: str) -> tuple[str, ...]:
        return (sys.executable, str(HERE / name), "--directory", str(directory))

    specs = [ServerSpec("torsion", "torsion.web", script("server_torsion.py"))]
    if twisted:
        specs.append(ServerSpec("twisted", "twisted.web", script("server_twisted.py")))
    if aiohttp:
        specs.append(ServerSpec("aiohttp", "aiohttp", script("server_aiohttp.py")))
    specs.append(ServerSpec("bare", "bare epoll", (sys.executable, str(HERE / "server_bare.py"))))
    return specs


def answers(spec: ServerSpec, workload: Workload) -> bool:
    """
    @return: Whether C{spec}'s server takes part in C{workload}.
    """
    return not workload.file or spec.key != "bare"


def makeDirectory(directory: Path) -> bytes:
    """
    Write the 1 MiB file of case (c) into C{directory}.

    @return: Its content.
    """
    content = os.urandom(FILE_SIZE)
    (directory / FILE_NAME).write_bytes(content)
    return content


def checkServer(heading: str, port: int, workload: Workload, expected: bytes) -> None:
    """
    Make one request of C{workload} with the standard library's client and
    check the answer: status 200, one Content-Length, the expected body.

    @param heading: The server's name, for the error.
    @param port: Its port on 127.0.0.1.
    @raise BenchmarkError: Naming what is wrong.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Connection": "close"} if workload.close else {}
        connection.request("GET", workload.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as e:
        raise BenchmarkError(
            f"{heading} failed the checking request GET {workload.path}: {e!r}"
        ) from None
    finally:
        connection.close()
    problems = []
    if response.status != 200:
        problems.append(f"status {response.status}, expected 200")
    lengths = response.headers.get_all("Content-Length") or []
    if len(lengths) != 1:
        problems.append(
            f"{len(lengths)} Content-Length headers {lengths!r}, expected one "
            "(wrk's HTTP parser refuses a response with two)"
        )
    if body != expected:
        problems.append(
            f"a body of {len(body):,} bytes starting {body[:20]!r}, expected {len(expected):,} "
            f"bytes starting {expected[:20]!r}"
        )
    if problems:
        raise BenchmarkError(
            f"{heading} answered GET {workload.path} wrongly: " + "; ".join(problems)
        )


# -- measuring ----------------------------------------------------------------------


@dataclass(slots=True)
class Results(RoundResults[Run]):
    """
    Every run of every server, per workload, in round order, and the
    problems found.

    @ivar runs: Workload key to server key to runs.
    @ivar problems: Per workload and server key, what went wrong (wrong
        answers, wrk errors): those runs failed.
    """

    problems: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, workload: str, key: str, run: Run) -> None:
        """
        Record C{run} of server C{key} on C{workload}.
        """
        self.runs.setdefault(workload, {}).setdefault(key, []).append(run)

    def fail(self, workload: str, key: str, problem: str) -> None:
        """
        Record that server C{key} failed C{workload}, and why.
        """
        self.problems.setdefault((workload, key), []).append(problem)

    def has(self, workload: str, key: str) -> bool:
        """
        @return: Whether C{key} has runs on C{workload}.
        """
        return bool(self.runs.get(workload, {}).get(key))

    def cpuRatios(self, workload: str, key: str, baseline: str) -> list[float]:
        """
        @return: Per round, C{baseline}'s CPU time per request over
            C{key}'s (>1: C{key} needs less CPU per request).
        """
        pairs = zip(self.runs[workload][key], self.runs[workload][baseline], strict=True)
        return [theirs.cpuUs / ours.cpuUs for ours, theirs in pairs]


def measureRounds(
    wrk: str,
    servers: Sequence[Server],
    workloads: Sequence[Workload],
    content: bytes,
    rounds: int,
    seconds: int,
    warmup: bool,
) -> Results:
    """
    Check every server's answers, then run every workload against every
    server C{rounds} times, interleaving the servers: each round visits
    them all, starting one further along the list than the round before.
    A server that answers a workload wrongly, or with errors wrk counts, is
    recorded as failing it and left out of it from then on.

    @param warmup: Run each workload once against each server, unrecorded,
        first.
    """
    results = Results()
    failed: set[tuple[str, str]] = set()
    for server in servers:
        for workload in workloads:
            if not answers(server.spec, workload):
                continue
            expected = content if workload.file else b"Hello, world!"
            try:
                checkServer(server.spec.heading, server.port, workload, expected)
                if warmup:
                    errors = runWrk(wrk, server, workload, 1).errors
                    if errors:
                        raise BenchmarkError(
                            f"wrk counted errors against {server.spec.heading} in the warm-up "
                            f"run: {formatErrors(errors)}"
                        )
            except BenchmarkError as e:
                results.fail(workload.key, server.spec.key, str(e))
                failed.add((workload.key, server.spec.key))
    for number in range(rounds):
        start = number % len(servers)
        order = [*servers[start:], *servers[:start]]
        for workload in workloads:
            for server in order:
                if not answers(server.spec, workload) or (workload.key, server.spec.key) in failed:
                    continue
                run = runWrk(wrk, server, workload, seconds)
                if run.errors:
                    counts = formatErrors(run.errors)
                    results.fail(
                        workload.key,
                        server.spec.key,
                        f"wrk counted errors against {server.spec.heading} in round "
                        f"{number + 1}: {counts} ({run.requests:,} requests answered)",
                    )
                    failed.add((workload.key, server.spec.key))
                    continue
                results.add(workload.key, server.spec.key, run)
        for server in servers:
            if server.process.poll() is not None:
                raise BenchmarkError(
                    f"{server.spec.heading} exited with status {server.process.returncode} "
                    f"during the run:\n{server.errors()}"
                )
    # Rounds before a failure are dropped too, so every ratio pairs rounds.
    for case, key in failed:
        results.runs.get(case, {}).pop(key, None)
    return results


def formatErrors(errors: dict[str, int]) -> str:
    """
    @return: wrk's error counts as text, e.g. C{"read 12, status 3"}.
    """
    return ", ".join(f"{kind} {count:,}" for kind, count in errors.items())


def profileTorsion(
    wrk: str,
    pinning: Pinning,
    spec: ServerSpec,
    workload: Workload,
    content: bytes,
    seconds: int,
    top: int,
) -> tuple[list[str], Run]:
    """
    Run C{workload} once against torsion's server under cProfile.

    @return: The report (wrk's figures, then the C{top} functions by own
        time) and the run.
    """

    def load(server: Server) -> Run:
        expected = content if workload.file else b"Hello, world!"
        checkServer(spec.heading, server.port, workload, expected)
        return runWrk(wrk, server, workload, seconds)

    run, profile = profileServer(spec, pinning, top, load)
    errors = f", WRK COUNTED ERRORS: {formatErrors(run.errors)}" if run.errors else ""
    return [
        f"== ({workload.key}) {workload.title}: torsion.web under cProfile, "
        f"{run.rate:,.0f} requests/s, "
        f"{run.cpuUs:,.1f} us CPU/request{errors} (cProfile slows it down several times; "
        "compare shares, not times)",
        *profile,
    ], run


# -- reporting ----------------------------------------------------------------------


def formatRunTable(results: Results, workload: Workload, specs: Sequence[ServerSpec]) -> list[str]:
    """
    One line per server: median requests/s (and MB/s for the file), p50,
    p99, server CPU, CPU per request, wait, and wrk's CPU; a failed server's
    line says so.
    """
    head = ["server", "requests/s"]
    if workload.file:
        head.append("MB/s")
    head += ["p50", "p99", "server CPU", "user/req", "system/req", "CPU wait", "wrk CPU"]
    rows = [tuple(head)]
    for spec in specs:
        if not answers(spec, workload):
            continue
        if not results.has(workload.key, spec.key):
            rows.append((spec.heading, "FAILED", *[""] * (len(head) - 2)))
            continue

        def median(attribute: str, key: str = spec.key) -> float:
            return results.median(workload.key, key, attribute)

        row = [spec.heading, f"{median('rate'):,.0f}"]
        if workload.file:
            row.append(f"{median('megabytes'):,.0f}")
        row += [
            f"{median('p50') / 1000:,.2f} ms",
            f"{median('p99') / 1000:,.2f} ms",
            f"{median('serverCpu'):.0f}%",
            f"{median('userUs'):,.1f} us",
            f"{median('systemUs'):,.1f} us",
            f"{median('wait'):.0f}%",
            f"{median('wrkCpu'):.0f}%",
        ]
        rows.append(tuple(row))
    return alignRows(rows)


def formatRatioLines(
    results: Results, workloads: Sequence[Workload], specs: Sequence[ServerSpec]
) -> list[str]:
    """
    Per workload: torsion / aiohttp (with the issue's verdict), torsion /
    twisted.web (against the aim), bare / twisted.web, by requests/s and by
    CPU per request; each the median of per-round ratios and their range.
    Pairs where a server failed or is missing are left out.
    """
    headings = {spec.key: spec.heading for spec in specs}
    rows: list[tuple[str, str, str, str]] = []

    def add(label: str, perRound: list[float], note: str, target: float | None) -> None:
        ratio = statistics.median(perRound)
        if target is not None:
            passed = "PASS" if ratio >= target else "BELOW"
            note = f"{note} >= {target:.2f}x  {passed}"
        rows.append((label, f"{ratio:.2f}x", f"[{min(perRound):.2f}..{max(perRound):.2f}]", note))

    for workload in workloads:
        pairs = [
            ("torsion", "aiohttp", "target", AIOHTTP_TARGET),
            ("torsion", "twisted", "aim (information)", TWISTED_AIM),
            ("bare", "twisted", "ceiling (information)", None),
        ]
        for key, baseline, note, target in pairs:
            if not (results.has(workload.key, key) and results.has(workload.key, baseline)):
                continue
            add(
                f"({workload.key}) {headings[key]} / {headings[baseline]}",
                results.ratios(workload.key, key, baseline),
                note if target is not None else "no target (information only)",
                target,
            )
            add(
                f"({workload.key}) CPU/request: {headings[baseline]} / {headings[key]}",
                results.cpuRatios(workload.key, key, baseline),
                note if target is not None else "no target (information only)",
                target,
            )
    if not rows:
        return ["no ratios: the servers to compare are missing or failed"]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"{label.ljust(widths[0])}  {ratio.rjust(widths[1])}  {spread.ljust(widths[2])}  {rest}"
        for label, ratio, spread, rest in rows
    ]


def contentionWarning(
    results: Results, workloads: Sequence[Workload], specs: Sequence[ServerSpec]
) -> str | None:
    """
    @return: A warning naming the servers that, in some workload, waited
        for their CPU more than L{WAIT_LIMIT} of the time (other processes
        had it, so their requests/s are low for reasons that are not
        theirs); or L{None}.
    """
    waits = [
        f"({workload.key}) {spec.heading} {results.median(workload.key, spec.key, 'wait'):.0f}%"
        for workload in workloads
        for spec in specs
        if results.has(workload.key, spec.key)
        and results.median(workload.key, spec.key, "wait") > WAIT_LIMIT
    ]
    if not waits:
        return None
    return (
        "warning: servers waited for their CPU while other processes had it ("
        + ", ".join(waits)
        + "): those requests/s are understated; compare CPU/request, and re-run on a "
        "quieter machine for requests/s"
    )


def wrkCheck(
    results: Results, specs: Sequence[ServerSpec], workloads: Sequence[Workload]
) -> list[str]:
    """
    @return: For each case that ran, the line saying how busy wrk was: if
        it used nearly all its CPU against a server, that server's figure
        is a lower bound (wrk, not the server, set the pace).
    """
    lines = []
    for workload in workloads:
        busy = [
            f"{spec.heading} {results.median(workload.key, spec.key, 'wrkCpu'):.0f}%"
            for spec in specs
            if results.has(workload.key, spec.key)
        ]
        if busy:
            lines.append(
                f"wrk check ({workload.key}): wrk's CPU, median per server: "
                + ", ".join(busy)
                + "; near 100% means wrk, not the server, set the pace (that server's "
                "requests/s are a lower bound)"
            )
    return lines


# -- command line ---------------------------------------------------------------------


def parseArguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """
    @return: The command line, with C{--quick} defaults filled in.
    """
    parser = serverParser(
        __doc__.split("\n\n")[0], "1 round of 1 s runs, no warm-up runs", rounds=5
    )
    parser.add_argument(
        "--seconds",
        type=positive(int, "a positive whole number of seconds"),
        help="length of each wrk run (wrk takes whole seconds; default 3; quick: 1)",
    )
    parser.add_argument(
        "--cases",
        default="abc",
        help="which cases to run, e.g. 'ab' (default: abc)",
    )
    addLeaveOutOptions(parser, [("twisted", "twisted.web"), ("aiohttp", "aiohttp")])
    parser.add_argument(
        "--profile",
        action="store_true",
        help=(
            "only run the first case of --cases (default (a)) against torsion under "
            "cProfile and print the top 15 functions by own time"
        ),
    )
    arguments = parser.parse_args(argv)
    unknown = set(arguments.cases) - {w.key for w in WORKLOADS}
    if unknown or not arguments.cases:
        parser.error(f"--cases takes letters among a, b and c, not {arguments.cases!r}")
    fillQuickDefaults(arguments, rounds=(1, 5), seconds=(1, 3))
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the benchmark and print its report.

    @param argv: Command-line arguments; L{None} for C{sys.argv[1:]}.
    @return: The exit status: 0, 1 if a server failed, 3 if wrk is missing.
    """
    arguments = parseArguments(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(f"bench_web: {INSTALL_WRK}", file=sys.stderr)
        return 3
    twistedVersion = peerVersion("twisted", "twisted", arguments.no_twisted, "--no-twisted")
    aiohttpVersion = peerVersion("aiohttp", "aiohttp", arguments.no_aiohttp, "--no-aiohttp")
    pinning = choosePinning(not arguments.no_pin)
    workloads = [w for w in WORKLOADS if w.key in arguments.cases]
    with tempfile.TemporaryDirectory(prefix="bench_web-") as name:
        directory = Path(name)
        content = makeDirectory(directory)
        specs = serverSpecs(
            directory,
            not twistedVersion.startswith("left out"),
            not aiohttpVersion.startswith("left out"),
        )
        if arguments.profile:
            try:
                lines, run = profileTorsion(
                    wrk, pinning, specs[0], workloads[0], content, arguments.seconds, 15
                )
            except BenchmarkError as e:
                print(f"bench_web: {e}", file=sys.stderr)
                return 1
            print("\n".join(lines))
            return 1 if run.errors else 0
        print("torsion web benchmark (wrk)")
        wrkVersion = subprocess.run(
            [wrk, "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
        print(
            "\n".join(
                environmentLines(
                    [
                        ("torsion", f"{torsion.__version__}, epoll reactor"),
                        ("twisted.web", f"{twistedVersion}, epoll reactor"),
                        ("aiohttp", f"{aiohttpVersion}, asyncio's default event loop"),
                        ("wrk", wrkVersion[0] if wrkVersion else "version unknown"),
                    ]
                )
            )
        )
        print(pinning.note)
        print(
            f"{arguments.rounds} round(s) of {arguments.seconds} s wrk runs (-t1)"
            + ("" if arguments.quick else ", after one unrecorded 1 s run each")
            + "; servers interleaved, each round starting one further along; servers started once"
        )
        print()
        try:
            with serving(specs, pinning) as servers:
                results = measureRounds(
                    wrk,
                    servers,
                    workloads,
                    content,
                    arguments.rounds,
                    arguments.seconds,
                    not arguments.quick,
                )
        except BenchmarkError as e:
            print(f"bench_web: {e}", file=sys.stderr)
            return 1
        for workload in workloads:
            print(f"({workload.key}) {workload.title}: medians over rounds")
            print("\n".join(formatRunTable(results, workload, specs)))
            print()
        print(
            "ratios: requests/s over requests/s, and CPU/request over CPU/request (>1: the "
            "first is faster); median of per-round ratios [lowest..highest round]"
        )
        print("\n".join(formatRatioLines(results, workloads, specs)))
        for line in wrkCheck(results, specs, workloads):
            print(line)
        warning = contentionWarning(results, workloads, specs)
        if warning is not None:
            print(warning)
        if results.problems:
            print()
            print("FAILED: some servers did not answer every workload correctly:")
            for (case, _key), problems in sorted(results.problems.items()):
                for problem in problems:
                    print(f"  ({case}) {problem}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
