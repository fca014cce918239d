"""
HTTP/1.1 request parsing: torsion's parser against httptools (llhttp) and h11.

Run C{python benchmarks/bench_httpparse.py [--quick] [--rounds N]}.  Every
contender parses the same bytes on a long-lived parser (as on a keep-alive
connection) and produces the same information per request: method, target,
the list of (name, value) headers and the body.  Cases:

 - (a) a minimal GET (C{Host} and C{User-Agent});
 - (b) a browser-like GET with 12 headers (cookies, Accept-*, Sec-Fetch-*);
 - (c) 16 pipelined minimal GETs in one buffer;
 - (d) a POST with a 4 KiB Content-Length body;
 - (e) a chunked POST: 4 KiB in four 1 KiB chunks.

How each peer is driven:

 - torsion: C{RequestParser.feed(data)}; the events are walked into
   records (that walk is what a server does, so it is timed);
 - httptools: C{HttpRequestParser.feed_data(data)} with the callbacks a
   server needs (C{on_url}, C{on_header}, C{on_body}, C{on_message_begin},
   C{on_message_complete}, and C{get_method()} once per request);
 - h11: h11 parses the next pipelined request only after the response to
   the previous one is sent.  Rather than charge it for writing responses,
   each request gets a fresh C{h11.Connection(SERVER)} fed the bytes left
   over, and C{next_event()} is called until C{EndOfMessage}.

Figures are requests per second (median of interleaved rounds, see
C{benchmarks/_harness.py}); ratios are peer time / torsion time, so a ratio
under 1 means the peer is faster.  No ratio has a target: the issue asks to
measure both ways and choose.

After the timings the bad-input corpus below runs through all three parsers
and a table shows, per input, whether each rejects it ("rejected", with
torsion's status), lets a request through without an error ("ACCEPTED":
a strict server must not), or only waits for more bytes ("waits").  With
httptools 0.9.0 (llhttp) and h11 0.16.0 on CPython 3.11:

 - torsion rejects all 33 inputs;
 - httptools accepts 8: a request line with two spaces, an HTTP/0.9
   request line, version HTTP/2.0, a backslash in the target, an HTTP/1.1
   request without Host, two Host headers, a Host with a space, and
   Transfer-Encoding in HTTP/1.0 (llhttp checks syntax, not these
   semantics: a server on httptools would have to check them itself);
 - h11 accepts 10: version HTTP/2.0, a backslash in the target, obs-fold
   continuation lines (in headers and in trailers), a control character
   (0x01) in a value, bare LF line endings, a Host with a space,
   Content-Length together with Transfer-Encoding (chunked wins),
   Transfer-Encoding in HTTP/1.0, and a chunk size over 64 bits (it waits
   for the data).

The table the run prints is authoritative for the installed versions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for `benchmarks`.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torsion
from benchmarks._harness import (
    Case,
    CaseResult,
    Comparison,
    Contender,
    environmentLines,
    formatRatios,
    measure,
    parseTimingOptions,
    profileCases,
    sampleLine,
    timingParser,
)
from torsion.web._httpparse import Data, EndOfMessage, HTTPParseError, RequestHead, RequestParser

#: Contender names and their column headings, in round-robin order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("torsion", "torsion"),
    ("httptools", "httptools"),
    ("h11", "h11"),
)
HEADINGS = dict(COLUMNS)

#: A parsed request as every contender reports it: method, target,
#: headers with lowercased names, body.
Record = tuple[bytes, bytes, tuple[tuple[bytes, bytes], ...], bytes]

MINIMAL = b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: wrk\r\n\r\n"
BROWSER = (
    b"GET /static/css/site.css?v=12 HTTP/1.1\r\n"
    b"Host: www.example.com\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    b"Accept: text/css,*/*;q=0.1\r\n"
    b"Accept-Language: en-GB,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
    b"Connection: keep-alive\r\n"
    b"Referer: https://www.example.com/index.html\r\n"
    b"Cookie: session=3f2a9c1e8b7d4a60; theme=dark; lang=en\r\n"
    b"Sec-Fetch-Dest: style\r\n"
    b"Sec-Fetch-Mode: no-cors\r\n"
    b"Sec-Fetch-Site: same-origin\r\n"
    b'If-None-Match: "5f3c-1a2b3c"\r\n'
    b"\r\n"
)
PIPELINED = MINIMAL * 16
BODY = bytes(range(256)) * 16
POST_LENGTH = (
    b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Length: 4096\r\n\r\n" + BODY
)
POST_CHUNKED = (
    b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    + b"".join(b"400\r\n" + BODY[i : i + 1024] + b"\r\n" for i in range(0, 4096, 1024))
    + b"0\r\n\r\n"
)

#: (key, title, bytes, requests in the bytes).
WORKLOADS: list[tuple[str, str, bytes, int]] = [
    ("a", "minimal GET (2 headers)", MINIMAL, 1),
    ("b", "browser GET (12 headers)", BROWSER, 1),
    ("c", "16 pipelined GETs, one buffer", PIPELINED, 16),
    ("d", "POST, 4 KiB Content-Length body", POST_LENGTH, 1),
    ("e", "POST, 4 KiB chunked (4 chunks)", POST_CHUNKED, 1),
]

#: Bad input: each must be refused by a strict server (RFC 9110/9112, and
#: the request smuggling cases).  Bodies are included where the problem is
#: in the body.
BAD_INPUTS: list[tuple[str, bytes]] = [
    ("request line with two spaces", b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("HTTP/0.9 request line", b"GET /\r\n\r\n"),
    ("version HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
    ("lowercase version", b"GET / http/1.1\r\nHost: x\r\n\r\n"),
    ("bad method char", b"G(ET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("backslash in target", b"GET /a\\..\\b HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("raw UTF-8 in target", b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("NUL in target", b"GET /a\x00 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("obs-fold continuation", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
    ("header without colon", b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"),
    ("empty header name", b"GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"),
    ("NUL in header value", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n"),
    ("CTL 0x01 in value", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n"),
    ("bare CR in value", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n"),
    ("bare LF line ends", b"GET / HTTP/1.1\nHost: x\n\n"),
    ("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\nX: y\r\n\r\n"),
    ("two Host headers", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    ("Host with a space", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
    ("Content-Length +5", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"),
    ("Content-Length 5, 6", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello"),
    (
        "two Content-Lengths",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    ),
    (
        "CL + TE: chunked",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nG",
    ),
    ("TE: xchunked", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
    (
        "TE: chunked, gzip",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    ),
    (
        "TE: chunked twice",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    ("TE in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    (
        "TE with vertical tab",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "chunk size overflow",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
    ),
    (
        "chunk size not hex",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ),
    (
        "chunk-ext with bare LF",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;\n\r\nxx\r\n0\r\n\r\n",
    ),
    (
        "chunk data without CRLF",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
    ),
    (
        "obs-fold in trailer",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n",
    ),
]


def normalise(records: list[tuple[bytes, bytes, Sequence[tuple[bytes, bytes]], bytes]]) -> object:
    """
    Put every contender's records in one form, so that they compare equal.

    Called once per sample, outside the repeated work.

    @return: A list of L{Record}s, header names lowercased.
    """
    return [
        (method, target, tuple((name.lower(), value) for name, value in headers), body)
        for method, target, headers, body in records
    ]


# -- the contenders --------------------------------------------------------------


def torsionWorkload(data: bytes) -> Callable[[int], object]:
    """
    Parse C{data} with torsion's L{RequestParser}, walking the events into
    records as a server would.

    @return: C{run(loops)}, returning the last repetition's records.
    """
    parser = RequestParser()
    feed = parser.feed

    def run(loops: int) -> object:
        records: list[Any] = []
        for _ in range(loops):
            records = []
            head: Any = None
            body: list[bytes] = []
            for event in feed(data):
                kind = type(event)
                if kind is RequestHead:
                    head = event
                    body = []
                elif kind is Data:
                    body.append(event.data)  # type: ignore[union-attr]
                elif kind is EndOfMessage:
                    records.append((head.method, head.target, head.headers, b"".join(body)))
                else:
                    raise AssertionError(f"torsion rejected a benchmark request: {event}")
        return normalise(records)

    return run


def httptoolsWorkload(data: bytes) -> Callable[[int], object]:
    """
    Parse C{data} with httptools' C{HttpRequestParser} and the callbacks
    needed to collect the same records.

    @return: C{run(loops)}, returning the last repetition's records.
    """
    import httptools

    class Collector:
        __slots__ = ("body", "headers", "parser", "records", "url")

        def __init__(self) -> None:
            self.records: list[Any] = []
            self.url = b""
            self.headers: list[tuple[bytes, bytes]] = []
            self.body: list[bytes] = []
            self.parser: Any = None

        def on_message_begin(self) -> None:
            self.headers = []
            self.body = []

        def on_url(self, url: bytes) -> None:
            self.url = url

        def on_header(self, name: bytes, value: bytes) -> None:
            self.headers.append((name, value))

        def on_body(self, body: bytes) -> None:
            self.body.append(body)

        def on_message_complete(self) -> None:
            self.records.append(
                (self.parser.get_method(), self.url, self.headers, b"".join(self.body))
            )

    collector = Collector()
    parser = httptools.HttpRequestParser(collector)
    collector.parser = parser
    feed = parser.feed_data

    def run(loops: int) -> object:
        for _ in range(loops):
            collector.records = []
            feed(data)
        return normalise(collector.records)

    return run


def h11Workload(data: bytes) -> Callable[[int], object]:
    """
    Parse C{data} with h11, one fresh C{Connection} per request (see the
    module docstring).

    @return: C{run(loops)}, returning the last repetition's records.
    """
    import h11

    Connection, SERVER = h11.Connection, h11.SERVER
    Request, H11Data, End = h11.Request, h11.Data, h11.EndOfMessage

    def run(loops: int) -> object:
        records: list[Any] = []
        for _ in range(loops):
            records = []
            rest = data
            while rest:
                connection = Connection(SERVER)
                connection.receive_data(rest)
                body: list[bytes] = []
                request: Any = None
                while True:
                    event = connection.next_event()
                    kind = type(event)
                    if kind is Request:
                        request = event
                    elif kind is H11Data:
                        body.append(event.data)  # type: ignore[union-attr]
                    elif kind is End:
                        break
                    else:
                        raise AssertionError(f"h11 stopped on a benchmark request: {event!r}")
                records.append(
                    (request.method, request.target, request.headers.raw_items(), b"".join(body))
                )
                rest = connection.trailing_data[0]
        return normalise(records)

    return run


# -- the bad-input table -------------------------------------------------------

#: Outcomes of one parser on one bad input.
ACCEPTED = "ACCEPTED"
WAITS = "waits"


def torsionVerdict(data: bytes) -> str:
    """
    @return: C{"rejected NNN"} if torsion returns an error at any point,
        else L{ACCEPTED} if a request head came out, else L{WAITS}.
    """
    events = RequestParser().feed(data)
    for event in events:
        if isinstance(event, HTTPParseError):
            return f"rejected {event.status}"
    return ACCEPTED if events else WAITS


def httptoolsVerdict(data: bytes) -> str:
    """
    @return: C{"rejected"} if httptools raises at any point, else
        L{ACCEPTED} if it completed a head, else L{WAITS}.
    """
    import httptools

    class Probe:
        complete = False
        headers = False

        def on_headers_complete(self) -> None:
            self.headers = True

        def on_message_complete(self) -> None:
            self.complete = True

    probe = Probe()
    try:
        httptools.HttpRequestParser(probe).feed_data(data)
    except httptools.HttpParserError:
        return "rejected"
    return ACCEPTED if probe.complete or probe.headers else WAITS


def h11Verdict(data: bytes) -> str:
    """
    @return: C{"rejected"} if h11 raises at any point, else L{ACCEPTED} if
        it produced a request, else L{WAITS}.
    """
    import h11

    connection = h11.Connection(h11.SERVER)
    try:
        connection.receive_data(data)
        seen = False
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return ACCEPTED if seen else WAITS
            if isinstance(event, h11.Request | h11.EndOfMessage):
                seen = True
    except h11.RemoteProtocolError:
        return "rejected"


def badInputTable(peers: Sequence[str]) -> list[str]:
    """
    Run L{BAD_INPUTS} through torsion and each available peer.

    @param peers: Names of the peers to include (C{"httptools"}, C{"h11"}).
    @return: Lines: one row per input, then per parser the inputs it
        accepted.
    """
    verdicts: dict[str, Callable[[bytes], str]] = {
        "torsion": torsionVerdict,
        "httptools": httptoolsVerdict,
        "h11": h11Verdict,
    }
    names = ["torsion", *peers]
    title = "bad input (each should be rejected)"
    width = max(len(title), *(len(label) for label, _ in BAD_INPUTS))
    header = title.ljust(width) + "".join(f"  {HEADINGS[n]:>12}" for n in names)
    lines = [header, "-" * len(header)]
    accepted: dict[str, list[str]] = {name: [] for name in names}
    for label, data in BAD_INPUTS:
        row = []
        for name in names:
            verdict = verdicts[name](data)
            if verdict == ACCEPTED:
                accepted[name].append(label)
            row.append(f"  {verdict:>12}")
        lines.append(label.ljust(width) + "".join(row))
    lines.append("")
    for name in names:
        found = accepted[name]
        summary = ", ".join(found) if found else "none"
        lines.append(f"{HEADINGS[name]} accepts {len(found)} of {len(BAD_INPUTS)}: {summary}")
    return lines


# -- assembling the run --------------------------------------------------------


def importPeers(leaveOut: bool) -> tuple[list[str], list[tuple[str, str]]]:
    """
    Find which peers can be imported.

    @param leaveOut: Leave both out, as if they were not installed.
    @return: The names of the available peers, and (name, version or reason
        it is missing) pairs for the report header.
    """
    available: list[str] = []
    versions: list[tuple[str, str]] = []
    for name in ("httptools", "h11"):
        if leaveOut:
            versions.append((name, "left out (--no-peers)"))
            continue
        try:
            module = __import__(name)
        except ImportError as e:
            versions.append(
                (
                    name,
                    f"not importable ({e}); install the 'bench' extra: pip install -e '.[bench]'",
                )
            )
            continue
        available.append(name)
        versions.append((name, str(getattr(module, "__version__", "unknown version"))))
    return available, versions


def buildCases(peers: Sequence[str]) -> list[Case]:
    """
    @param peers: Names of the available peers.
    @return: One case per workload.
    """
    workloads: dict[str, Callable[[bytes], Callable[[int], object]]] = {
        "torsion": torsionWorkload,
        "httptools": httptoolsWorkload,
        "h11": h11Workload,
    }
    cases = []
    for key, title, data, _ in WORKLOADS:
        expected = torsionWorkload(data)(1)
        contenders = tuple(Contender(name, workloads[name](data)) for name in ["torsion", *peers])
        comparisons = tuple(Comparison(name, None) for name in peers)
        cases.append(Case(key, title, expected, contenders, comparisons))
    return cases


def formatRates(results: Sequence[CaseResult]) -> list[str]:
    """
    Lay out requests per second (from the median time per repetition).

    @return: Lines of text.
    """
    perCase = {key: count for key, _, _, count in WORKLOADS}
    titleWidth = max(len(f"({r.case.key}) {r.case.title}") for r in results)
    header = "case".ljust(titleWidth) + "".join(f"  {heading:>12}" for _, heading in COLUMNS)
    lines = [header, "-" * len(header)]
    for result in results:
        cells = []
        for name, _ in COLUMNS:
            if name in result.samples:
                rate = perCase[result.case.key] / result.median(name) * 1e9
                cells.append(f"  {rate:>12,.0f}")
            else:
                cells.append(f"  {'-':>12}")
        lines.append(f"({result.case.key}) {result.case.title}".ljust(titleWidth) + "".join(cells))
    return lines


def parseArguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """
    @param argv: Command-line arguments (without the program name).
    @return: The parsed options, with C{rounds} and C{sample_ms} filled in.
    """
    parser = timingParser("Compare torsion's HTTP/1.1 request parser with httptools and h11.")
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="leave httptools and h11 out, as if they were not installed",
    )
    return parseTimingOptions(parser, argv)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the benchmark and print its report.

    @param argv: Command-line arguments; L{None} for C{sys.argv[1:]}.
    @return: The exit status.
    """
    options = parseArguments(argv)
    sampleNs = int(options.sample_ms * 1_000_000)
    peers, versions = importPeers(options.no_peers)
    cases = buildCases(peers)
    if options.profile:
        print("\n".join(profileCases(cases, sampleNs, top=12)))
        return 0
    print("torsion HTTP/1.1 request parser benchmark")
    print("\n".join(environmentLines([("torsion", torsion.__version__), *versions])))
    print(sampleLine(options.rounds, options.sample_ms))
    print()
    results = [measure(case, options.rounds, sampleNs) for case in cases]
    print("requests parsed per second (from the median time per repetition)")
    print("\n".join(formatRates(results)))
    print()
    print(
        "ratios: peer time / torsion time (>1 means torsion is faster); "
        "median of per-round ratios [lowest..highest round]"
    )
    print("\n".join(formatRatios(results, HEADINGS)))
    print()
    print("\n".join(badInputTable(peers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
