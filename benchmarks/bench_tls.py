"""
TLS benchmark: torsion's TLS echo server against Twisted (pyOpenSSL),
asyncio, uvloop and a C OpenSSL server, in one run.

Run C{python benchmarks/bench_tls.py [--quick] [--rounds N]}.  Cases:

 - (a) echo throughput, 10 connections each streaming 16 KiB writes (at
   most 64 KiB in flight per connection): MB/s echoed;
 - (b) the same over 1 connection, with at most 256 KiB in flight;
 - (c) full handshakes per second: 16 connections at a time, each a new
   TCP connection, a full TLS 1.3 handshake (never a resumption), a
   close_notify each way, and close.

Every server gets the same certificate (ECDSA P-256 by default, RSA-2048
with C{--key rsa}, made for the run with trustme), and every connection
negotiates the same TLS 1.3 parameters (TLS_AES_128_GCM_SHA256, X25519),
because the load generator offers nothing else.  Besides the rates, each
run reports the server's user and system CPU time per MB and per
handshake, which do not depend on which process was the bottleneck, and
the share of the run the server spent waiting for its CPU (other
processes), which says how far to trust the rates.

The load generator (C{tls/loadgen.c}) and the C server (C{tls/tls_server.c})
are C programs on OpenSSL, compiled with C{cc -O2 ... -lssl -lcrypto} into
a temporary directory at the start of the run (they need the OpenSSL
headers: C{libssl-dev} on Debian).  C, because TLS costs the client about
as much as the server, and the client must be the cheaper one: the counted
echo runs do not decrypt the echoed records (they count them by their
headers), and the counted handshakes come from a minimal TLS 1.3 client
that skips what only a client needs (checking the certificate); both are
cheaper for the client and exactly the same for the server.  Each server
first gets an unrecorded run with every echoed byte decrypted and checked,
and handshakes made by a plain OpenSSL client.  The load generator's CPU
use is in every table: below 90% of its CPU, it was not what held a server
back; where it was busier, it must have driven the C server at least 1.1x
as fast as the fastest Python server.

Last, the report shows what the two TLS libraries cost by themselves
(C{tls/libraries.py}): the standard library's C{ssl}, which torsion,
asyncio and uvloop use, and pyOpenSSL, Twisted's, are built on different
OpenSSL versions, and part of each ratio with Twisted is theirs.  See
C{tls/loadgen.c} and README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import shutil
import ssl
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
from benchmarks._harness import BenchmarkError, environmentLines, fillQuickDefaults
from benchmarks.bench_echo import (
    Pinning,
    RoundResults,
    Server,
    ServerSpec,
    addLeaveOutOptions,
    addRunTimeOptions,
    alignRows,
    choosePinning,
    peerVersion,
    profileServer,
    serverParser,
    serving,
)
from benchmarks.tls.libraries import formatFloors, measureFloors

HERE = Path(__file__).resolve().parent / "tls"

#: The issue's target: torsion at least this many times Twisted, in MB/s
#: and in handshakes per second, in the same run.
TWISTED_TARGET = 1.5

#: A load generator below this share of its CPU (percent) was not what
#: held the server back.
LOADGEN_LIMIT = 90.0

#: Or, when it was busier: it drove the C server at least this many times
#: as fast as the fastest Python server, so it had that much to spare.
LOADGEN_MARGIN = 1.1

#: A server that waited for its CPU longer than this share of a run
#: (percent) was held back by other processes.
WAIT_LIMIT = 5.0

#: Handshakes and 16 KiB records each library does when measured alone
#: (see tls/libraries.py).
FLOOR_HANDSHAKES = 200
FLOOR_RECORDS = 400


@dataclass(frozen=True, slots=True)
class Workload:
    """
    One load generator workload.

    @ivar key: Case label: C{"a"}, C{"b"} or C{"c"}.
    @ivar title: What it is, for headings.
    @ivar kind: C{"echo"} or C{"handshake"}.
    @ivar connections: Connections open at once.
    @ivar size: Bytes per write (echo only).
    @ivar window: Bytes a connection may have written and not yet had
        back (echo only).
    """

    key: str
    title: str
    kind: str
    connections: int
    size: int = 0
    window: int = 0

    @property
    def unit(self) -> str:
        """
        @return: What the rate counts: C{"MB"} or C{"handshake"}.
        """
        return "MB" if self.kind == "echo" else "handshake"

    def loadgenArguments(self, port: int, seconds: float, warmup: float, check: bool) -> list[str]:
        """
        @param check: The unrecorded run: decrypt and check every byte, or
            handshake with OpenSSL's own client.
        @return: The load generator's arguments after its path.
        """
        timing = [repr(seconds), repr(warmup)]
        if self.kind == "echo":
            return [
                "echo",
                str(port),
                str(self.connections),
                str(self.size),
                str(self.window),
                *timing,
                "verify" if check else "count",
            ]
        return [
            "handshake",
            str(port),
            str(self.connections),
            *timing,
            "openssl" if check else "lite",
        ]


WORKLOADS = (
    Workload(
        "a", "echo, 10 connections x 16 KiB writes, 64 KiB in flight each", "echo", 10, 16384, 65536
    ),
    Workload(
        "b", "echo, 1 connection x 16 KiB writes, 256 KiB in flight", "echo", 1, 16384, 262144
    ),
    Workload("c", "full TLS 1.3 handshakes, 16 connections at a time", "handshake", 16),
)


@dataclass(frozen=True, slots=True)
class Run:
    """
    The figures of one load generator run against one server.

    @ivar rate: MB/s echoed, or handshakes per second.
    @ivar loadgenCpu: CPU the load generator used while counting, percent
        of one CPU.
    @ivar loadgenWait: Share of the counted time (percent) the load
        generator was ready to run but waited for its CPU.
    @ivar serverCpu: CPU the server used over the run (warm-up included),
        percent of wall time.
    @ivar user: The server's user-mode CPU seconds per MB or per
        handshake: the framework's share, the interpreter's and most of
        the TLS library's.
    @ivar system: Its kernel-mode CPU seconds per MB or per handshake.
    @ivar wait: Share of the run (percent) the server was ready to run but
        waited for its CPU: other processes had it.
    @ivar tickets: Session tickets the server sent per connection
        (handshakes only; else -1).
    @ivar unclean: Connections that ended without the server's
        close_notify (handshakes only).
    @ivar tls: What the load generator says was negotiated.
    """

    rate: float
    loadgenCpu: float
    loadgenWait: float
    serverCpu: float
    user: float
    system: float
    wait: float
    tickets: float = -1.0
    unclean: int = 0
    tls: str = ""

    @property
    def cpu(self) -> float:
        """
        @return: The server's CPU seconds per MB or per handshake.
        """
        return self.user + self.system


@dataclass(frozen=True, slots=True)
class Programs:
    """
    The compiled C programs.
    """

    loadgen: Path
    server: Path


@dataclass(frozen=True, slots=True)
class Certificate:
    """
    The servers' certificate and key, as PEM files.

    @ivar description: Key type and size, e.g. C{"ECDSA P-256"}.
    """

    certificate: Path
    key: Path
    description: str


def compilePrograms(directory: Path) -> Programs:
    """
    Compile the load generator and the C server into C{directory}.

    @raise BenchmarkError: If there is no C compiler, no OpenSSL headers,
        or compiling fails.
    """
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise BenchmarkError("no C compiler found (cc or gcc, or set CC); install one, e.g. gcc")
    programs = Programs(directory / "loadgen", directory / "tls_server")
    for source, output in (
        (HERE / "loadgen.c", programs.loadgen),
        (HERE / "tls_server.c", programs.server),
    ):
        result = subprocess.run(
            [compiler, "-O2", "-o", str(output), str(source), "-lssl", "-lcrypto"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            hint = ""
            if "openssl/" in result.stderr and "No such file" in result.stderr:
                hint = (
                    "\nthe OpenSSL headers are missing: install them (Debian, Ubuntu: "
                    "apt-get install libssl-dev; Fedora: dnf install openssl-devel)"
                )
            raise BenchmarkError(
                f"compiling {source.name} with {compiler} failed:\n{result.stderr}{hint}"
            )
    return programs


def makeCertificate(directory: Path, keyType: str) -> Certificate:
    """
    Make a CA and a certificate for C{localhost} and 127.0.0.1 with trustme.

    @param keyType: C{"ecdsa"} (P-256) or C{"rsa"} (2048 bits).
    @raise BenchmarkError: If trustme is not installed.
    """
    try:
        import trustme
    except ImportError:
        raise BenchmarkError(
            "trustme is needed to make the certificates: pip install trustme "
            "(it is in the 'test' extra)"
        ) from None
    kind = trustme.KeyType.RSA if keyType == "rsa" else trustme.KeyType.ECDSA
    authority = trustme.CA(key_type=kind)
    leaf = authority.issue_cert("localhost", "127.0.0.1", key_type=kind)
    certificate = Certificate(
        directory / "certificate.pem",
        directory / "key.pem",
        "RSA-2048" if keyType == "rsa" else "ECDSA P-256",
    )
    leaf.cert_chain_pems[0].write_to_path(str(certificate.certificate))
    leaf.private_key_pem.write_to_path(str(certificate.key))
    return certificate


def serverSpecs(
    programs: Programs, certificate: Certificate, twisted: bool, uvloop: bool
) -> list[ServerSpec]:
    """
    @param twisted: Include Twisted's server.
    @param uvloop: Include asyncio's server on uvloop's loop.
    @return: The servers to compare, torsion first.
    """
    python = sys.executable
    files = (str(certificate.certificate), str(certificate.key))

    def script(name: str, *extra: str) -> tuple[str, ...]:
        return (python, str(HERE / name), *files, *extra)

    specs = [ServerSpec("torsion", "torsion", script("server_torsion.py"))]
    if twisted:
        specs.append(ServerSpec("twisted", "Twisted", script("server_twisted.py")))
    specs.append(ServerSpec("asyncio", "asyncio", script("server_asyncio.py")))
    if uvloop:
        specs.append(ServerSpec("uvloop", "uvloop", script("server_asyncio.py", "--uvloop")))
    specs.append(ServerSpec("c", "C OpenSSL", (str(programs.server), *files)))
    return specs


# -- running the load generator ---------------------------------------------------


def waitSeconds(server: Server) -> float:
    """
    @return: Seconds the server's main thread has spent ready to run but
        waiting for a CPU (C{/proc/PID/schedstat}), or 0 where that is not
        available.
    """
    try:
        fields = Path(f"/proc/{server.process.pid}/schedstat").read_text().split()
    except OSError:
        return 0.0
    return int(fields[1]) / 1e9


def runLoad(
    programs: Programs,
    server: Server,
    workload: Workload,
    seconds: float,
    warmup: float,
    check: bool = False,
) -> Run:
    """
    Run the load generator against C{server}.

    @param check: Decrypt and check every echoed byte, or handshake with
        OpenSSL's client, instead of the cheaper counted way.
    @raise BenchmarkError: If the load generator fails (a wrong echo, a
        closed connection, a failed handshake, ...).
    """
    argv = [str(programs.loadgen), *workload.loadgenArguments(server.port, seconds, warmup, check)]
    (userBefore, systemBefore), wallBefore = server.cpuSeconds(), time.monotonic()
    waitBefore = waitSeconds(server)
    result = subprocess.run(
        argv, capture_output=True, text=True, check=False, timeout=seconds + warmup + 60
    )
    userAfter, systemAfter = server.cpuSeconds()
    wall = time.monotonic() - wallBefore
    user, system = userAfter - userBefore, systemAfter - systemBefore
    wait = waitSeconds(server) - waitBefore
    if result.returncode != 0:
        raise BenchmarkError(
            f"the load generator failed against {server.spec.heading} ({workload.title}"
            f"{', checking run' if check else ''}): {result.stderr.strip()}\n"
            f"{server.spec.heading}'s standard error:\n{server.errors()}"
        )
    report = json.loads(result.stdout)
    if workload.kind == "echo":
        rate, units = report["mb_per_second"], report["all_bytes"] / 1e6
    else:
        rate, units = report["handshakes_per_second"], report["all_handshakes"]
    return Run(
        rate=rate,
        loadgenCpu=report["loadgen_cpu_percent"],
        loadgenWait=report["loadgen_wait_percent"],
        serverCpu=(user + system) / wall * 100,
        user=user / units,
        system=system / units,
        wait=wait / wall * 100,
        tickets=report.get("tickets_per_connection", -1.0),
        unclean=report.get("unclean", 0),
        tls=report["tls"],
    )


@dataclass(slots=True)
class Results(RoundResults[Run]):
    """
    Every counted run of every server, per workload, in round order, and
    what the checking runs negotiated.
    """

    negotiated: dict[str, str] = field(default_factory=dict)

    def add(self, workload: Workload, key: str, run: Run) -> None:
        """
        Record C{run} of server C{key} on C{workload}.
        """
        self.runs.setdefault(workload.key, {}).setdefault(key, []).append(run)

    def cpuRatios(self, workload: str, key: str, baseline: str) -> list[float]:
        """
        @return: Per round, C{baseline}'s server CPU per unit over C{key}'s
            (>1: C{key} needs less CPU per MB or per handshake).
        """
        pairs = zip(self.runs[workload][key], self.runs[workload][baseline], strict=True)
        return [theirs.cpu / ours.cpu for ours, theirs in pairs]


def measureRounds(
    programs: Programs,
    servers: Sequence[Server],
    rounds: int,
    seconds: float,
    warmup: float,
    checkSeconds: float,
) -> Results:
    """
    First a checking run of each workload against each server (every
    echoed byte decrypted and checked, handshakes by OpenSSL's client; not
    recorded, and it settles each server in).  Then C{rounds} rounds: each
    runs every workload against every server, starting one server further
    along the list than the round before.
    """
    results = Results()
    for server in servers:
        for workload in WORKLOADS:
            run = runLoad(programs, server, workload, checkSeconds, 0.0, check=True)
            if workload.kind == "handshake":
                results.negotiated[server.spec.key] = run.tls
    for number in range(rounds):
        start = number % len(servers)
        order = [*servers[start:], *servers[:start]]
        for workload in WORKLOADS:
            for server in order:
                results.add(
                    workload, server.spec.key, runLoad(programs, server, workload, seconds, warmup)
                )
    return results


def profileTorsion(
    programs: Programs,
    pinning: Pinning,
    spec: ServerSpec,
    workload: Workload,
    seconds: float,
    top: int,
) -> list[str]:
    """
    Run C{workload} once against torsion's server under cProfile.

    @return: The report: the rate, then the C{top} functions by own time.
    """
    run, profile = profileServer(
        spec, pinning, top, lambda server: runLoad(programs, server, workload, seconds, 0.5)
    )
    rate = f"{run.rate:,.0f} {'MB' if workload.kind == 'echo' else 'handshakes'}/s"
    return [
        f"== ({workload.key}) {workload.title}: torsion under cProfile, {rate} "
        "(cProfile slows it down; compare shares, not times)",
        *profile,
    ]


# -- reporting ----------------------------------------------------------------------


def formatPerUnit(seconds: float, unit: str) -> str:
    """
    @return: C{seconds} per MB in ms, or per handshake in us.
    """
    if unit == "MB":
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:,.1f} us"


def formatRunTable(results: Results, workload: Workload, specs: Sequence[ServerSpec]) -> list[str]:
    """
    One line per server: median rate, server CPU, CPU per unit, waiting
    for the CPU, load generator CPU (and tickets, for handshakes).
    """
    unit = workload.unit
    heading = ["server", "MB/s" if unit == "MB" else "handshakes/s", "server CPU"]
    heading += [f"user/{unit}", f"system/{unit}", "CPU wait", "loadgen CPU", "loadgen wait"]
    if workload.kind == "handshake":
        heading.append("tickets")
    rows = [tuple(heading)]
    key = workload.key
    for spec in specs:
        row = [
            spec.heading,
            f"{results.median(key, spec.key, 'rate'):,.0f}",
            f"{results.median(key, spec.key, 'serverCpu'):.0f}%",
            formatPerUnit(results.median(key, spec.key, "user"), unit),
            formatPerUnit(results.median(key, spec.key, "system"), unit),
            f"{results.median(key, spec.key, 'wait'):.0f}%",
            f"{results.median(key, spec.key, 'loadgenCpu'):.0f}%",
            f"{results.median(key, spec.key, 'loadgenWait'):.0f}%",
        ]
        if workload.kind == "handshake":
            row.append(f"{results.median(key, spec.key, 'tickets'):.1f}")
        rows.append(tuple(row))
    return alignRows(rows)


def formatRatioLines(results: Results, specs: Sequence[ServerSpec]) -> list[str]:
    """
    Per workload and baseline: the median of the per-round ratios of
    torsion's rate to the baseline's and of the baseline's CPU per unit to
    torsion's, their ranges, and the verdict against Twisted.
    """
    headings = {spec.key: spec.heading for spec in specs}
    rows: list[tuple[str, str, str, str]] = []

    def verdict(key: str, ratio: float) -> str:
        if key != "twisted":
            return "no target (information only)"
        passed = "PASS" if ratio >= TWISTED_TARGET else "BELOW"
        return f"target >= {TWISTED_TARGET:.2f}x  {passed}"

    for workload in WORKLOADS:
        if workload.key not in results.runs:
            continue
        for spec in specs:
            if spec.key == "torsion":
                continue
            perRound = results.ratios(workload.key, "torsion", spec.key)
            ratio = statistics.median(perRound)
            rows.append(
                (
                    f"({workload.key}) torsion / {headings[spec.key]}",
                    f"{ratio:.2f}x",
                    f"[{min(perRound):.2f}..{max(perRound):.2f}]",
                    verdict(spec.key, ratio),
                )
            )
        for spec in specs:
            if spec.key == "torsion":
                continue
            perRound = results.cpuRatios(workload.key, "torsion", spec.key)
            ratio = statistics.median(perRound)
            rows.append(
                (
                    f"({workload.key}) CPU/{workload.unit}: {headings[spec.key]} / torsion",
                    f"{ratio:.2f}x",
                    f"[{min(perRound):.2f}..{max(perRound):.2f}]",
                    verdict(spec.key, ratio),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"{label.ljust(widths[0])}  {ratio.rjust(widths[1])}  {spread.ljust(widths[2])}  {rest}"
        for label, ratio, spread, rest in rows
    ]


def loadgenCheck(results: Results, workload: Workload, specs: Sequence[ServerSpec]) -> str:
    """
    @return: The line saying whether the load generator was not what held
        the Python servers back in C{workload}: it stayed below
        L{LOADGEN_LIMIT} of its CPU against every one of them, or else it
        drove the C server at least L{LOADGEN_MARGIN} times as fast as the
        fastest of them.  Its CPU use overstates how busy it is against a
        fast server: it then wakes up for every record or two, where
        against a slower one it would find more to do at each wake-up.
    """
    key = workload.key
    cpu = {spec.key: results.median(key, spec.key, "loadgenCpu") for spec in specs}
    python = [spec for spec in specs if spec.key != "c"]
    busiest = max(python, key=lambda spec: cpu[spec.key])
    listed = ", ".join(f"{spec.heading} {cpu[spec.key]:.0f}%" for spec in specs)
    line = f"load generator check ({key}): its CPU, median per server: {listed}; "
    if cpu[busiest.key] < LOADGEN_LIMIT:
        return line + f"below {LOADGEN_LIMIT:.0f}% against every Python server: OK"
    line += f"{cpu[busiest.key]:.0f}% against {busiest.heading}"
    if not any(spec.key == "c" for spec in specs):
        return line + ": NOT PROVEN"
    fastest = max(python, key=lambda spec: results.median(key, spec.key, "rate"))
    margin = results.median(key, "c", "rate") / results.median(key, fastest.key, "rate")
    verdict = "OK" if margin >= LOADGEN_MARGIN else "NOT PROVEN"
    return line + (
        f", but it drove the C server at {margin:.2f}x the fastest Python server "
        f"({fastest.heading}); needed >= {LOADGEN_MARGIN:.2f}x: {verdict}"
    )


def contentionWarning(results: Results, specs: Sequence[ServerSpec]) -> str | None:
    """
    @return: A warning naming the servers (and the load generator runs)
        that, in some workload, waited for their CPU more than
        L{WAIT_LIMIT} of the time: other processes had it, so those rates
        are low for reasons that are not the server's; or L{None}.
    """
    waits = []
    for workload in WORKLOADS:
        if workload.key not in results.runs:
            continue
        for spec in specs:
            for attribute, whose in (("wait", ""), ("loadgenWait", "load generator vs ")):
                wait = results.median(workload.key, spec.key, attribute)
                if wait > WAIT_LIMIT:
                    waits.append(f"({workload.key}) {whose}{spec.heading} {wait:.0f}%")
    if not waits:
        return None
    return (
        "warning: processes waited for their CPU while other processes had it ("
        + ", ".join(waits)
        + "): those rates are understated; compare CPU per MB and per handshake, "
        "and re-run on a quieter machine for the rates"
    )


def negotiationLines(results: Results, specs: Sequence[ServerSpec]) -> list[str]:
    """
    @return: What the OpenSSL client negotiated with each server: one line
        if it was the same everywhere (as it must be), else one per server;
        and a note for servers that closed without close_notify.
    """
    seen = {results.negotiated.get(spec.key, "?") for spec in specs}
    if len(seen) == 1:
        lines = [f"negotiated with every server: {seen.pop()}"]
    else:
        lines = ["warning: the servers negotiated different parameters:"]
        lines += [f"  {spec.heading}: {results.negotiated.get(spec.key, '?')}" for spec in specs]
    for spec in specs:
        runs = results.runs.get("c", {}).get(spec.key, [])
        unclean = sum(run.unclean for run in runs)
        if unclean:
            lines.append(
                f"note: {spec.heading} closed {unclean:,} connection(s) without a close_notify"
            )
    return lines


# -- command line --------------------------------------------------------------------


def parseArguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """
    @return: The command line, with C{--quick} defaults filled in.
    """
    parser = serverParser(__doc__.split("\n\n")[0], "1 round of short runs", rounds=5)
    addRunTimeOptions(parser, "counted time of each run (default 1; quick: 0.2)")
    parser.add_argument(
        "--key",
        choices=["ecdsa", "rsa"],
        default="ecdsa",
        help="the servers' key: ECDSA P-256 (default) or RSA-2048",
    )
    addLeaveOutOptions(parser, [("twisted", "Twisted"), ("uvloop", "uvloop")])
    parser.add_argument(
        "--profile",
        choices=["echo", "handshake"],
        help="only run (a) or (c) once against torsion under cProfile",
    )
    arguments = parser.parse_args(argv)
    fillQuickDefaults(arguments, rounds=(1, 5), seconds=(0.2, 1.0), warmup=(0.05, 0.3))
    arguments.check = 0.1 if arguments.quick else 0.3
    return arguments


def loadgenOpenSSL(programs: Programs) -> str:
    """
    @return: The OpenSSL version the C programs run with.
    """
    result = subprocess.run(
        [str(programs.loadgen), "version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


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
    if haveTwisted and importlib.util.find_spec("OpenSSL") is None:
        twistedVersion = "left out: pyOpenSSL is not installed (pip install 'twisted[tls]')"
        haveTwisted = False
    pinning = choosePinning(not arguments.no_pin)
    with tempfile.TemporaryDirectory(prefix="bench_tls-") as name:
        directory = Path(name)
        try:
            programs = compilePrograms(directory)
            certificate = makeCertificate(directory, arguments.key)
        except BenchmarkError as e:
            print(f"bench_tls: {e}", file=sys.stderr)
            return 3
        specs = serverSpecs(programs, certificate, haveTwisted, haveUvloop)
        if arguments.profile:
            workload = WORKLOADS[0] if arguments.profile == "echo" else WORKLOADS[2]
            print(
                "\n".join(
                    profileTorsion(programs, pinning, specs[0], workload, arguments.seconds, 15)
                )
            )
            return 0
        if haveTwisted:
            twistedVersion += (
                f", pyOpenSSL {importlib.metadata.version('pyOpenSSL')} on " + _pyOpenSSLVersion()
            )
        print("torsion TLS benchmark")
        print(
            "\n".join(
                environmentLines(
                    [
                        (
                            "torsion",
                            f"{torsion.__version__}, default reactor (epoll), "
                            f"stdlib ssl on {ssl.OPENSSL_VERSION}",
                        ),
                        ("Twisted", twistedVersion),
                        ("asyncio", f"default event loop, stdlib ssl on {ssl.OPENSSL_VERSION}"),
                        ("uvloop", uvloopVersion),
                        ("C server and load generator", loadgenOpenSSL(programs)),
                    ]
                )
            )
        )
        print(
            f"TLS: 1.3 only, TLS_AES_128_GCM_SHA256, X25519, {certificate.description} "
            "certificate (trustme); servers: TLS 1.3 minimum, their library's defaults "
            "otherwise; the client never resumes a session"
        )
        print(pinning.note)
        print(
            f"{arguments.rounds} round(s); each run: {arguments.warmup:g} s warm-up, "
            f"{arguments.seconds:g} s counted; servers interleaved, each round starting one "
            f"further along; before the rounds, a {arguments.check:g} s checking run of each "
            "workload per server (every byte decrypted and checked; OpenSSL's own client)"
        )
        print()
        with serving(specs, pinning) as servers:
            results = measureRounds(
                programs,
                servers,
                arguments.rounds,
                arguments.seconds,
                arguments.warmup,
                arguments.check,
            )
        for workload in WORKLOADS:
            print(f"({workload.key}) {workload.title}: medians over rounds")
            print("\n".join(formatRunTable(results, workload, specs)))
            print()
        print("\n".join(negotiationLines(results, specs)))
        print(
            "ratios: torsion's rate / the baseline's, and the baseline's server CPU per MB "
            "or per handshake / torsion's (>1: torsion is faster); median of per-round "
            "ratios [lowest..highest round]"
        )
        print("\n".join(formatRatioLines(results, specs)))
        for workload in WORKLOADS:
            print(loadgenCheck(results, workload, specs))
        warning = contentionWarning(results, specs)
        if warning is not None:
            print(warning)
        print()
        if not haveTwisted:
            print(f"the TLS libraries alone: skipped (Twisted: {twistedVersion})")
            return 0
        handshakes, records = (20, 40) if arguments.quick else (FLOOR_HANDSHAKES, FLOOR_RECORDS)
        floors = measureFloors(certificate.certificate, certificate.key, handshakes, records)
        if floors:
            print(
                "the TLS libraries alone: their server side in this process over memory "
                "buffers (no sockets, no framework), against a pyOpenSSL client restricted as "
                "the load generator; medians"
            )
            print("\n".join(formatFloors(floors)))
        else:
            print("the TLS libraries alone: skipped (needs pyOpenSSL)")
    return 0


def _pyOpenSSLVersion() -> str:
    from OpenSSL import SSL

    return SSL.SSLeay_version(SSL.SSLEAY_VERSION).decode()


if __name__ == "__main__":
    sys.exit(main())
