"""
TCP echo benchmark: torsion's echo server against Twisted, asyncio, uvloop
and a trivial C epoll server, in one run.

Run C{python benchmarks/bench_echo.py [--quick] [--rounds N]}.  Cases, as
in the issue:

 - (a) echo, 100 connections x 1 KiB messages: messages per second, p50
   and p99 latency;
 - (b) ping-pong, 1 connection x 64 B messages: the same figures;
 - (b1), not in the issue: (b) with the server and the load generator on
   the same CPU, so that a round trip costs context switches instead of
   the cross-CPU wake-ups that take most of (b)'s time in a VM;
 - memory per idle connection: server RSS before and after a load
   generator holds 5,000 idle connections, divided by 5,000.

Besides messages per second, each run reports the server's user and system
CPU time per message, which does not depend on which side was the
bottleneck nor on other processes taking CPU time.

A C load generator (C{echo/loadgen.c}) and a C epoll echo server
(C{echo/echo_server.c}) are compiled with C{cc -O2} into a temporary
directory at the start of the run.  Each server is a subprocess
(C{echo/server_*.py}) that prints its port and serves until SIGTERM.  The C
server's figures show what the load generator can drive: it must do well
above every Python server for theirs to measure the servers.  See
README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import io
import json
import os
import pstats
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Generic, Protocol, TypeVar

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for `benchmarks`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torsion
from benchmarks._harness import BenchmarkError, environmentLines, fillQuickDefaults, positive

HERE = Path(__file__).resolve().parent / "echo"

#: The issue's target: torsion's messages per second at least this many
#: times asyncio's, in the same run.
ASYNCIO_TARGET = 1.3

#: The C server must do at least this many times the messages per second of
#: the fastest Python server in (a) for the load generator to count as not
#: being the bottleneck.
LOADGEN_MARGIN = 1.2

#: A server that has not printed its port after this long is broken.
START_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """
    One echo server to start.

    @ivar key: Short name used in ratios (C{"torsion"}, C{"asyncio"}, ...).
    @ivar heading: Name shown in tables.
    @ivar argv: The command that starts it.
    """

    key: str
    heading: str
    argv: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Workload:
    """
    One echo workload for the load generator.

    @ivar key: Case label: C{"a"}, C{"b"} or C{"b1"}.
    @ivar title: What it is, for headings.
    @ivar connections: Connections open at once, each with one message in
        flight.
    @ivar size: Bytes per message.
    @ivar sameCpu: Run the load generator on the servers' CPU (only when
        pinning; the case is left out otherwise).
    @ivar target: Whether the issue's target against asyncio applies.
    """

    key: str
    title: str
    connections: int
    size: int
    sameCpu: bool = False
    target: bool = True


WORKLOADS = (
    Workload("a", "echo, 100 connections x 1 KiB", 100, 1024),
    Workload("b", "ping-pong, 1 connection x 64 B", 1, 64),
    # Not in the issue: (b) with both processes on one CPU, where a message
    # costs a context switch instead of a cross-CPU wake-up (which takes
    # most of (b)'s round trip in a VM), so the servers' own cost shows.
    Workload("b1", "ping-pong as (b), server and load generator on one CPU", 1, 64, True, False),
)


def workloadsFor(pinning: Pinning) -> tuple[Workload, ...]:
    """
    @return: The workloads that can run: those on one CPU only if pinning.
    """
    return tuple(w for w in WORKLOADS if not w.sameCpu or pinning.server is not None)


@dataclass(frozen=True, slots=True)
class Run:
    """
    The figures of one load generator run against one server.

    @ivar rate: Messages per second.
    @ivar p50: Median latency, microseconds.
    @ivar p99: 99th percentile latency, microseconds.
    @ivar loadgenCpu: CPU the load generator used, percent of wall time.
    @ivar serverCpu: CPU the server used over the same run (warm-up
        included), percent of wall time.
    @ivar userUs: The server's user-mode CPU time per message echoed,
        microseconds: the framework's own cost (and the interpreter's).
    @ivar systemUs: Its kernel-mode CPU time per message, microseconds:
        mostly the system calls, the same floor for every server.
    """

    rate: float
    p50: float
    p99: float
    loadgenCpu: float
    serverCpu: float
    userUs: float
    systemUs: float


@dataclass(frozen=True, slots=True)
class Programs:
    """
    The compiled C programs.
    """

    loadgen: Path
    echoServer: Path


@dataclass(slots=True)
class Pinning:
    """
    Which CPU the load generator and the servers run on, if pinned.

    @ivar loadgen: CPU of the load generator, or L{None} if not pinned.
    @ivar server: CPU of the servers, or L{None} if not pinned.
    @ivar note: A line saying what was done and why.
    """

    loadgen: int | None
    server: int | None
    note: str

    def become(self, cpu: int | None) -> None:
        """
        Pin this process to C{cpu} (if pinning), so that the processes it
        starts next inherit that CPU from the moment they exist.
        """
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})


def choosePinning(wanted: bool) -> Pinning:
    """
    Pin the load generator and the servers to two different CPUs when the
    platform lets us and there are two.

    @param wanted: False to leave placement to the scheduler.
    """
    if not wanted:
        return Pinning(None, None, "not pinned (--no-pin): the scheduler places both")
    if not hasattr(os, "sched_setaffinity"):
        return Pinning(None, None, "not pinned: os.sched_setaffinity is not available here")
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return Pinning(None, None, f"not pinned: only CPU {cpus} is available to this process")
    try:
        os.sched_setaffinity(0, {cpus[0]})
    except OSError as e:
        return Pinning(None, None, f"not pinned: sched_setaffinity failed ({e})")
    return Pinning(
        cpus[0], cpus[1], f"pinned: load generator on CPU {cpus[0]}, servers on CPU {cpus[1]}"
    )


def compilePrograms(directory: Path) -> Programs:
    """
    Compile the load generator and the C echo server into C{directory}.

    @raise BenchmarkError: If there is no C compiler, or compiling fails.
    """
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise BenchmarkError("no C compiler found (cc or gcc, or set CC); install one, e.g. gcc")
    programs = Programs(directory / "loadgen", directory / "echo_server")
    for source, output in (
        (HERE / "loadgen.c", programs.loadgen),
        (HERE / "echo_server.c", programs.echoServer),
    ):
        result = subprocess.run(
            [compiler, "-O2", "-o", str(output), str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BenchmarkError(
                f"compiling {source.name} with {compiler} failed:\n{result.stderr}"
            )
    return programs


def serverSpecs(programs: Programs, twisted: bool, uvloop: bool) -> list[ServerSpec]:
    """
    @param twisted: Include Twisted's server.
    @param uvloop: Include asyncio's server on uvloop's loop.
    @return: The servers to compare, torsion first.
    """
    python = sys.executable
    specs = [ServerSpec("torsion", "torsion", (python, str(HERE / "server_torsion.py")))]
    if twisted:
        specs.append(ServerSpec("twisted", "Twisted", (python, str(HERE / "server_twisted.py"))))
    specs.append(ServerSpec("asyncio", "asyncio", (python, str(HERE / "server_asyncio.py"))))
    if uvloop:
        specs.append(
            ServerSpec("uvloop", "uvloop", (python, str(HERE / "server_asyncio.py"), "--uvloop"))
        )
    specs.append(ServerSpec("c", "C epoll", (str(programs.echoServer),)))
    return specs


# -- processes ----------------------------------------------------------------


@dataclass(slots=True)
class Server:
    """
    A running echo server.

    @ivar spec: What it is.
    @ivar process: Its process.
    @ivar port: The port it listens on (127.0.0.1).
    @ivar log: Where its standard error goes.
    """

    spec: ServerSpec
    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    def cpuSeconds(self) -> tuple[float, float]:
        """
        @return: User and system CPU time the server has used so far.
        """
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # Counting from after the command name: state, ..., utime, stime.
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick

    def rssBytes(self) -> int:
        """
        @return: The server's resident set size (VmRSS), in bytes.
        """
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise BenchmarkError(f"no VmRSS line for {self.spec.heading}'s process")

    def stop(self) -> None:
        """
        Send SIGTERM and wait for it to exit (kill it after 10 s).

        @raise BenchmarkError: If it exits with an error status.
        """
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise BenchmarkError(
                    f"{self.spec.heading} did not stop within 10 s of SIGTERM"
                ) from None
        if self.process.returncode not in (0, -15):
            raise BenchmarkError(
                f"{self.spec.heading} exited with status {self.process.returncode}:\n"
                + self.errors()
            )

    def errors(self) -> str:
        """
        @return: What the server wrote on its standard error so far.
        """
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def startServer(spec: ServerSpec, pinning: Pinning, extra: Sequence[str] = ()) -> Server:
    """
    Start C{spec}'s server and read its port.

    @param extra: Further arguments for its command.
    @raise BenchmarkError: If it does not print a port.
    """
    # Owned by the Server, which serving() closes.
    log = tempfile.TemporaryFile()  # noqa: SIM115
    pinning.become(pinning.server)
    process = subprocess.Popen(
        [*spec.argv, *extra],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    pinning.become(pinning.loadgen)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
    line = process.stdout.readline() if ready else b""
    server = Server(spec, process, 0, log)
    try:
        server.port = int(line)
    except ValueError:
        process.kill()
        process.wait()
        raise BenchmarkError(
            f"{spec.heading} printed {line!r} instead of its port:\n{server.errors()}"
        ) from None
    return server


@contextlib.contextmanager
def serving(specs: Sequence[ServerSpec], pinning: Pinning) -> Iterator[list[Server]]:
    """
    Start every server in C{specs}; stop them all on the way out.
    """
    servers: list[Server] = []
    try:
        for spec in specs:
            servers.append(startServer(spec, pinning))
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.terminate()
        for server in servers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.process.wait(10)
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()
            server.log.close()


def runLoad(
    programs: Programs,
    pinning: Pinning,
    server: Server,
    workload: Workload,
    seconds: float,
    warmup: float,
) -> Run:
    """
    Run the load generator's echo mode against C{server}.

    @raise BenchmarkError: If the load generator fails (a wrong echo, a
        closed connection, ...).
    """
    argv = [
        str(programs.loadgen),
        "echo",
        str(server.port),
        str(workload.connections),
        str(workload.size),
        repr(seconds),
        repr(warmup),
    ]
    if workload.sameCpu:
        pinning.become(pinning.server)
    (userBefore, systemBefore), wallBefore = server.cpuSeconds(), time.monotonic()
    result = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + warmup + 60,
    )
    pinning.become(pinning.loadgen)
    userAfter, systemAfter = server.cpuSeconds()
    user, system = userAfter - userBefore, systemAfter - systemBefore
    serverCpu = (user + system) / (time.monotonic() - wallBefore) * 100
    if result.returncode != 0:
        raise BenchmarkError(
            f"the load generator failed against {server.spec.heading} ({workload.title}): "
            f"{result.stderr.strip()}\n{server.errors()}"
        )
    report = json.loads(result.stdout)
    return Run(
        rate=report["messages_per_second"],
        p50=report["p50_us"],
        p99=report["p99_us"],
        loadgenCpu=report["loadgen_cpu_percent"],
        serverCpu=serverCpu,
        userUs=user / report["all_messages"] * 1e6,
        systemUs=system / report["all_messages"] * 1e6,
    )


class Rated(Protocol):
    """
    What L{RoundResults} needs of a run: its rate.
    """

    @property
    def rate(self) -> float:
        """
        The run's rate: messages, MB, handshakes or requests per second.
        """


RunT = TypeVar("RunT", bound=Rated)


def profileServer(
    spec: ServerSpec, pinning: Pinning, top: int, load: Callable[[Server], RunT]
) -> tuple[RunT, list[str]]:
    """
    Start C{spec}'s server under cProfile, load it once, and stop it.

    @param top: How many functions to list, by own time.
    @param load: Runs the load against the started server; its result is
        returned.
    @return: What C{load} returned, and the profile's lines.
    @raise BenchmarkError: If the server fails to start or to stop.
    """
    with tempfile.TemporaryDirectory() as directory:
        statsPath = Path(directory) / "torsion.prof"
        server = startServer(spec, pinning, ["--profile", str(statsPath)])
        try:
            run = load(server)
            server.stop()
        finally:
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()
            server.log.close()
        stream = io.StringIO()
        pstats.Stats(str(statsPath), stream=stream).sort_stats("tottime").print_stats(top)
    return run, stream.getvalue().splitlines()


# -- measuring ------------------------------------------------------------------


@dataclass(slots=True)
class RoundResults(Generic[RunT]):
    """
    Every run of every server, per workload, in round order: what the
    server benchmarks (echo, tls, web) take their medians and per-round
    ratios from.

    @ivar runs: Workload key to server key to runs.
    """

    runs: dict[str, dict[str, list[RunT]]] = field(default_factory=dict)

    def median(self, workload: str, key: str, attribute: str) -> float:
        """
        @return: The median over rounds of C{attribute} of C{key}'s runs.
        """
        values: list[float] = [getattr(run, attribute) for run in self.runs[workload][key]]
        return statistics.median(values)

    def ratios(self, workload: str, key: str, baseline: str) -> list[float]:
        """
        @return: Per round, C{key}'s rate over C{baseline}'s.
        """
        pairs = zip(self.runs[workload][key], self.runs[workload][baseline], strict=True)
        return [ours.rate / theirs.rate for ours, theirs in pairs]


@dataclass(slots=True)
class Results(RoundResults[Run]):
    """
    Every run of every server, per workload, in round order.
    """

    def add(self, workload: Workload, key: str, run: Run) -> None:
        """
        Record C{run} of server C{key} on C{workload}.
        """
        self.runs.setdefault(workload.key, {}).setdefault(key, []).append(run)

    def cpuRatios(self, workload: str, key: str, baseline: str) -> list[float]:
        """
        @return: Per round, C{baseline}'s server CPU time per message over
            C{key}'s (>1: C{key} needs less CPU per message).
        """
        pairs = zip(self.runs[workload][key], self.runs[workload][baseline], strict=True)
        return [
            (theirs.userUs + theirs.systemUs) / (ours.userUs + ours.systemUs)
            for ours, theirs in pairs
        ]


def measureRounds(
    programs: Programs,
    pinning: Pinning,
    servers: Sequence[Server],
    rounds: int,
    seconds: float,
    warmup: float,
) -> Results:
    """
    Run every workload against every server, C{rounds} times, interleaving
    the servers: each round visits them all, starting one further along the
    list than the round before, so no server always follows the same one.
    A short unrecorded run of each workload against each server comes first.
    """
    results = Results()
    # One unrecorded short run of each workload per server first: the
    # interpreter's and the allocator's state settles (asyncio's 256 KiB
    # receive buffer, for one, costs an mmap per read until glibc's mmap
    # threshold has moved up, which the first connection to close does).
    workloads = workloadsFor(pinning)
    for server in servers:
        for workload in workloads:
            runLoad(programs, pinning, server, workload, min(seconds, 0.2), 0.0)
    for number in range(rounds):
        start = number % len(servers)
        order = [*servers[start:], *servers[:start]]
        for workload in workloads:
            for server in order:
                run = runLoad(programs, pinning, server, workload, seconds, warmup)
                results.add(workload, server.spec.key, run)
    return results


@dataclass(frozen=True, slots=True)
class Memory:
    """
    One server's memory before and after holding idle connections.

    @ivar before: RSS with no connection, bytes.
    @ivar after: RSS holding them, bytes.
    @ivar connections: How many.
    """

    before: int
    after: int
    connections: int

    @property
    def perConnection(self) -> float:
        """
        @return: Bytes of RSS per idle connection.
        """
        return (self.after - self.before) / self.connections


def idleLimitProblem(connections: int) -> str | None:
    """
    @return: Why C{connections} idle connections cannot be opened (each
        side needs that many descriptors), or L{None} if they can.
    """
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = connections + 64
    if hard != resource.RLIM_INFINITY and hard < needed:
        return (
            f"the hard RLIMIT_NOFILE is {hard}, and {connections:,} idle connections need "
            f"{needed:,} descriptors in each process; raise it (ulimit -Hn) or pass a "
            "smaller --idle"
        )
    return None


def measureMemory(
    programs: Programs, pinning: Pinning, spec: ServerSpec, connections: int
) -> Memory:
    """
    Start a fresh C{spec} server, read its RSS, have the load generator open
    C{connections} idle connections (each echoes one byte first, so the
    server has surely accepted it), read the RSS again, then close them.
    """
    with serving([spec], pinning) as (server,):
        before = server.rssBytes()
        loadgen = subprocess.Popen(
            [str(programs.loadgen), "idle", str(server.port), str(connections)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert loadgen.stdout is not None and loadgen.stdin is not None
        try:
            ready, _, _ = select.select([loadgen.stdout], [], [], 120)
            line = loadgen.stdout.readline() if ready else b""
            if not line.startswith(b'{"mode": "idle"'):
                raise BenchmarkError(
                    f"the load generator could not open {connections:,} idle connections "
                    f"to {spec.heading}: {line!r}\n{server.errors()}"
                )
            after = server.rssBytes()
        finally:
            loadgen.stdin.close()
            try:
                loadgen.wait(30)
            except subprocess.TimeoutExpired:
                loadgen.kill()
                loadgen.wait()
            loadgen.stdout.close()
            assert loadgen.stderr is not None
            loadgen.stderr.close()
        server.stop()
    return Memory(before, after, connections)


def profileTorsion(
    programs: Programs, pinning: Pinning, spec: ServerSpec, seconds: float, top: int
) -> list[str]:
    """
    Run (a) once against torsion's server under cProfile.

    @return: The report: the load generator's figures, then the C{top}
        functions by own time.
    """
    run, profile = profileServer(
        spec,
        pinning,
        top,
        lambda server: runLoad(programs, pinning, server, WORKLOADS[0], seconds, 0.5),
    )
    return [
        f"== (a) {WORKLOADS[0].title}: torsion under cProfile, {run.rate:,.0f} messages/s "
        "(cProfile slows it down several times; compare shares, not times)",
        *profile,
    ]


# -- reporting ----------------------------------------------------------------


def formatRunTable(results: Results, workload: Workload, specs: Sequence[ServerSpec]) -> list[str]:
    """
    One line per server: median messages/s, p50, p99, server and load
    generator CPU.
    """
    rows = [
        (
            "server",
            "messages/s",
            "p50",
            "p99",
            "server CPU",
            "user/msg",
            "system/msg",
            "loadgen CPU",
        )
    ]
    for spec in specs:
        rows.append(
            (
                spec.heading,
                f"{results.median(workload.key, spec.key, 'rate'):,.0f}",
                f"{results.median(workload.key, spec.key, 'p50'):,.1f} us",
                f"{results.median(workload.key, spec.key, 'p99'):,.1f} us",
                f"{results.median(workload.key, spec.key, 'serverCpu'):.0f}%",
                f"{results.median(workload.key, spec.key, 'userUs'):.2f} us",
                f"{results.median(workload.key, spec.key, 'systemUs'):.2f} us",
                f"{results.median(workload.key, spec.key, 'loadgenCpu'):.0f}%",
            )
        )
    return alignRows(rows)


def alignRows(rows: Sequence[Sequence[str]]) -> list[str]:
    """
    Lay out C{rows} as a table: first column left-aligned, the others
    right-aligned, a rule under the first row.
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return lines


def formatRatioLines(results: Results, specs: Sequence[ServerSpec]) -> list[str]:
    """
    One line per workload and baseline: the median of the per-round ratios
    of torsion's messages/s to the baseline's, their range, and a verdict
    against asyncio.
    """
    headings = {spec.key: spec.heading for spec in specs}
    rows: list[tuple[str, str, str, str]] = []
    for workload in WORKLOADS:
        if workload.key not in results.runs:
            continue
        ceiling = statistics.median(results.ratios(workload.key, "c", "asyncio"))
        for spec in specs:
            if spec.key == "torsion":
                continue
            perRound = results.ratios(workload.key, "torsion", spec.key)
            ratio = statistics.median(perRound)
            if spec.key == "asyncio" and workload.target:
                passed = "PASS" if ratio >= ASYNCIO_TARGET else "BELOW"
                note = (
                    f"target >= {ASYNCIO_TARGET:.2f}x  {passed} (C server: {ceiling:.2f}x asyncio)"
                )
            else:
                note = "no target (information only)"
            rows.append(
                (
                    f"({workload.key}) torsion / {headings[spec.key]}",
                    f"{ratio:.2f}x",
                    f"[{min(perRound):.2f}..{max(perRound):.2f}]",
                    note,
                )
            )
    for spec in specs:
        if spec.key == "torsion":
            continue
        perRound = results.cpuRatios("a", "torsion", spec.key)
        ratio = statistics.median(perRound)
        note = "no target (information only)"
        if spec.key == "asyncio":
            # On a quiet machine every server in (a) is busy all the time,
            # so this is the messages/s ratio; on a busy one it still holds.
            passed = "PASS" if ratio >= ASYNCIO_TARGET else "BELOW"
            note = f"target >= {ASYNCIO_TARGET:.2f}x  {passed}"
        rows.append(
            (
                f"(a) CPU/message: {headings[spec.key]} / torsion",
                f"{ratio:.2f}x",
                f"[{min(perRound):.2f}..{max(perRound):.2f}]",
                note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"{label.ljust(widths[0])}  {ratio.rjust(widths[1])}  {spread.ljust(widths[2])}  {rest}"
        for label, ratio, spread, rest in rows
    ]


def contentionWarning(results: Results, specs: Sequence[ServerSpec]) -> str | None:
    """
    @return: A warning if some Python server used much less than a whole
        CPU in (a), where each should be busy all the time: something other
        than the server (other processes, a throttled VM) held it back, so
        messages/s understate it (CPU per message does not); L{None} if
        they all kept their CPU busy.
    """
    starved = [
        f"{spec.heading} {results.median('a', spec.key, 'serverCpu'):.0f}%"
        for spec in specs
        if spec.key != "c" and results.median("a", spec.key, "serverCpu") < 90
    ]
    if not starved:
        return None
    return (
        "warning: in (a) some servers used less than 90% of their CPU ("
        + ", ".join(starved)
        + "): something else held them back (other processes, or a VM being throttled); "
        "compare CPU/message, and re-run on a quieter machine for messages/s"
    )


def loadgenCheck(results: Results, specs: Sequence[ServerSpec]) -> str:
    """
    @return: The line saying whether the C server proves that the load
        generator was not the bottleneck in (a), with how busy the load
        generator and that server were.
    """
    python = [spec for spec in specs if spec.key != "c"]
    fastest = max(python, key=lambda spec: results.median("a", spec.key, "rate"))
    margin = results.median("a", "c", "rate") / results.median("a", fastest.key, "rate")
    verdict = "OK" if margin >= LOADGEN_MARGIN else "NOT PROVEN"
    return (
        f"load generator check (a): the C server did {margin:.2f}x the messages/s of the "
        f"fastest Python server ({fastest.heading}); needed >= {LOADGEN_MARGIN:.2f}x: {verdict} "
        f"(against {fastest.heading} the load generator used "
        f"{results.median('a', fastest.key, 'loadgenCpu'):.0f}% of its CPU, the server "
        f"{results.median('a', fastest.key, 'serverCpu'):.0f}%)"
    )


def formatMemory(memory: dict[str, Memory], specs: Sequence[ServerSpec]) -> list[str]:
    """
    One line per server: RSS before, after, and per idle connection; then
    torsion's verdict against Twisted's.
    """
    rows = [("server", "RSS before", "RSS after", "per connection")]
    for spec in specs:
        if spec.key in memory:
            m = memory[spec.key]
            rows.append(
                (
                    spec.heading,
                    f"{m.before / 2**20:,.1f} MiB",
                    f"{m.after / 2**20:,.1f} MiB",
                    f"{m.perConnection:,.0f} B",
                )
            )
    lines = alignRows(rows)
    if "twisted" in memory:
        ours, theirs = memory["torsion"].perConnection, memory["twisted"].perConnection
        passed = "PASS" if ours <= theirs else "BELOW"
        lines.append(
            f"torsion / Twisted memory per idle connection: {ours / theirs:.2f}x  "
            f"target <= 1.00x  {passed}"
        )
    return lines


# -- command line -----------------------------------------------------------------


def parseArguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """
    @return: The command line, with C{--quick} defaults filled in.
    """
    parser = serverParser(__doc__.split("\n\n")[0], "1 round of short runs, 200 idle", rounds=7)
    addRunTimeOptions(parser, "measured time of each run (default 1; quick: 0.2)")
    parser.add_argument(
        "--idle",
        type=positive(int, "a positive whole number"),
        help="idle connections for the memory figure (default 5000; quick: 200)",
    )
    addLeaveOutOptions(parser, [("twisted", "Twisted"), ("uvloop", "uvloop")])
    parser.add_argument(
        "--profile", action="store_true", help="only run (a) against torsion under cProfile"
    )
    arguments = parser.parse_args(argv)
    fillQuickDefaults(
        arguments, rounds=(1, 7), seconds=(0.2, 1.0), warmup=(0.05, 0.3), idle=(200, 5000)
    )
    return arguments


def peerVersion(module: str, package: str, leftOut: bool, option: str) -> str:
    """
    @return: The installed version of C{package}, or why it is left out
        (starting with C{"left out"}).
    """
    if leftOut:
        return f"left out ({option})"
    if importlib.util.find_spec(module) is None:
        return f"left out: not installed (pip install {package}, or the 'bench' extra)"
    return importlib.metadata.version(package)


def serverParser(description: str, quick: str, rounds: int) -> argparse.ArgumentParser:
    """
    Start the command line of a benchmark that runs servers: C{--quick} and
    C{--rounds}.

    @param description: The benchmark's summary.
    @param quick: Help of C{--quick}.
    @param rounds: The default number of rounds (1 under C{--quick}); fill
        it in with L{fillQuickDefaults}.
    @return: The parser.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument(
        "--rounds",
        type=positive(int, "a positive whole number"),
        help=f"default {rounds}; quick: 1",
    )
    return parser


def addRunTimeOptions(parser: argparse.ArgumentParser, seconds: str) -> None:
    """
    Add C{--seconds}, the counted time of each run, and C{--warmup}, the
    uncounted load before it (fill them in with L{fillQuickDefaults}).

    @param parser: A benchmark's parser.
    @param seconds: Help of C{--seconds}.
    """
    parser.add_argument(
        "--seconds", type=positive(float, "a positive number of seconds"), help=seconds
    )
    parser.add_argument(
        "--warmup",
        type=positive(float, "a positive number of seconds"),
        help="uncounted time before each run (default 0.3; quick: 0.05)",
    )


def addLeaveOutOptions(parser: argparse.ArgumentParser, peers: Sequence[tuple[str, str]]) -> None:
    """
    Add a C{--no-PEER} switch per peer, then C{--no-pin}.

    @param parser: A benchmark's parser.
    @param peers: (option suffix, name in the help) pairs, e.g.
        C{("twisted", "Twisted")} for C{--no-twisted}.
    """
    for option, name in peers:
        parser.add_argument(f"--no-{option}", action="store_true", help=f"leave {name} out")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the benchmark and print its report.

    @param argv: Command-line arguments; L{None} for C{sys.argv[1:]}.
    @return: The exit status.
    """
    arguments = parseArguments(argv)
    twistedVersion = peerVersion("twisted", "twisted", arguments.no_twisted, "--no-twisted")
    uvloopVersion = peerVersion("uvloop", "uvloop", arguments.no_uvloop, "--no-uvloop")
    haveTwisted = not twistedVersion.startswith("left out")
    haveUvloop = not uvloopVersion.startswith("left out")
    pinning = choosePinning(not arguments.no_pin)
    with tempfile.TemporaryDirectory(prefix="bench_echo-") as directory:
        try:
            programs = compilePrograms(Path(directory))
        except BenchmarkError as e:
            print(f"bench_echo: {e}", file=sys.stderr)
            return 3
        specs = serverSpecs(programs, haveTwisted, haveUvloop)
        if arguments.profile:
            print("\n".join(profileTorsion(programs, pinning, specs[0], arguments.seconds, 30)))
            return 0
        print("torsion TCP echo benchmark")
        print(
            "\n".join(
                environmentLines(
                    [
                        ("torsion", f"{torsion.__version__}, default reactor (epoll)"),
                        ("Twisted", twistedVersion),
                        ("asyncio", "default event loop"),
                        ("uvloop", uvloopVersion),
                    ]
                )
            )
        )
        print(pinning.note)
        print(
            f"{arguments.rounds} round(s); each run: {arguments.warmup:g} s warm-up, "
            f"{arguments.seconds:g} s counted; servers interleaved, each round starting one "
            "further along; servers and load generator compiled/started once"
        )
        print()
        with serving(specs, pinning) as servers:
            results = measureRounds(
                programs, pinning, servers, arguments.rounds, arguments.seconds, arguments.warmup
            )
        for workload in workloadsFor(pinning):
            print(f"({workload.key}) {workload.title}: medians over rounds")
            print("\n".join(formatRunTable(results, workload, specs)))
            print()
        print(
            "ratios: torsion messages/s / baseline messages/s, and baseline CPU/message / "
            "torsion CPU/message (>1: torsion is faster); median of per-round ratios "
            "[lowest..highest round]"
        )
        print("\n".join(formatRatioLines(results, specs)))
        print(loadgenCheck(results, specs))
        warning = contentionWarning(results, specs)
        if warning is not None:
            print(warning)
        print()
        problem = idleLimitProblem(arguments.idle)
        if problem is not None:
            print(f"memory per idle connection: skipped: {problem}")
            return 0
        memory = {
            spec.key: measureMemory(programs, pinning, spec, arguments.idle) for spec in specs
        }
        print(
            f"memory per idle connection: server RSS before and while the load generator "
            f"holds {arguments.idle:,} idle connections (fresh server each)"
        )
        print("\n".join(formatMemory(memory, specs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
