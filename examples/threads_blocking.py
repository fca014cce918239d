"""
Hash files in threads while the reactor stays responsive.

Hashing a big file is blocking work: done in the reactor thread, it would
freeze every connection and timer until it finished.  Here each file is
hashed by deferToThread, in the reactor's thread pool, while:

  - a heartbeat LoopingCall keeps beating in the reactor thread;
  - after every chunk, each hashing thread reports its progress with
    blockingCallFromThread: the report runs in the reactor thread, where
    the progress table lives, so the table needs no lock;
  - before it returns, each hashing thread waits for one more heartbeat
    (blockingCallFromThread of a function that returns a Deferred), which
    can only come if the reactor thread is free while the threads work.

gatherResults collects the digests in file order, then the reactor stops.
The output is the same on every run.

Run: python examples/threads_blocking.py
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from torsion.internet.defer import Deferred, gatherResults
from torsion.internet.interfaces import IReactorFromThreads
from torsion.internet.task import LoopingCall
from torsion.internet.threads import blockingCallFromThread, deferToThread

CHUNK = 256 * 1024
FILES = {"small.bin": 100 * 1024, "medium.bin": 1024 * 1024, "large.bin": 4 * 1024 * 1024}


class Heartbeat:
    """
    Beats every 10ms in the reactor thread; hands out Deferreds that fire at
    the next beat.
    """

    def __init__(self) -> None:
        self.waiting: list[Deferred[None]] = []
        self.loop = LoopingCall(self.beat)

    def beat(self) -> None:
        waiting, self.waiting = self.waiting, []
        for d in waiting:
            d.callback(None)

    def nextBeat(self) -> Deferred[None]:
        d: Deferred[None] = Deferred()
        self.waiting.append(d)
        return d


class Progress:
    """
    Bytes hashed so far, per file: only ever touched in the reactor thread.
    """

    def __init__(self) -> None:
        self.done: dict[str, int] = {}
        self.reports = 0
        self.reportsInReactorThread = 0
        self.reactorThread: threading.Thread | None = None

    def report(self, name: str, size: int) -> None:
        self.reports += 1
        if threading.current_thread() is self.reactorThread:
            self.reportsInReactorThread += 1
        self.done[name] = self.done.get(name, 0) + size


def makeFiles(directory: Path) -> list[Path]:
    paths = []
    pattern = bytes(range(256))
    for name, size in FILES.items():
        path = directory / name
        path.write_bytes((pattern * (size // len(pattern) + 1))[:size])
        paths.append(path)
    return paths


def hashFile(
    reactor: IReactorFromThreads, path: Path, progress: Progress, heartbeat: Heartbeat
) -> tuple[str, int, str, bool]:
    """
    Runs in a pool thread: blocking reads and hashing are fine here.
    """
    digest = hashlib.sha256()
    chunks = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            chunks += 1
            blockingCallFromThread(reactor, progress.report, path.name, len(chunk))
    # Returns only once the reactor thread has run the heartbeat again.
    blockingCallFromThread(reactor, heartbeat.nextBeat)
    inReactorThread = threading.current_thread() is progress.reactorThread
    return path.name, chunks, digest.hexdigest()[:16], inReactorThread


def main(reactor: Any) -> None:
    """
    Hash the files with C{reactor}: the global reactor, which provides
    IReactorCore, IReactorTime and IReactorThreads (type checkers see the
    module C{torsion.internet.reactor}, hence C{Any}).
    """
    progress = Progress()
    heartbeat = Heartbeat()
    with tempfile.TemporaryDirectory() as directory:
        paths = makeFiles(Path(directory))

        def start() -> None:
            progress.reactorThread = threading.current_thread()
            heartbeat.loop.start(0.01)
            print(f"hashing {len(paths)} files in the reactor's thread pool")
            hashed = [deferToThread(hashFile, reactor, path, progress, heartbeat) for path in paths]
            done = gatherResults(hashed).addCallback(show)
            done.addErrback(lambda f: print(f.getTraceback(), file=sys.stderr))
            done.addBoth(lambda _: reactor.stop())

        def show(results: list[tuple[str, int, str, bool]]) -> None:
            heartbeat.loop.stop()
            for name, chunks, digest, inReactorThread in results:
                print(
                    f"{name}: {progress.done[name]} bytes in {chunks} chunk(s), "
                    f"sha256 {digest}..., hashed in the reactor thread: {inReactorThread}"
                )
            print(
                f"progress reports run in the reactor thread: "
                f"{progress.reportsInReactorThread} of {progress.reports}"
            )
            print("every thread saw the heartbeat beat while it worked")

        reactor.callWhenRunning(start)
        reactor.run()


if __name__ == "__main__":
    from torsion.internet import reactor

    main(reactor)
