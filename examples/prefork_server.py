"""
A pre-forked server: the parent binds one listening socket and forks worker
processes; each worker adopts the socket with reactor.adoptStreamPort and
serves from it with a reactor of its own.  The kernel hands each new
connection to one of them, so CPU-heavy requests run in parallel on
several cores.

Run: python examples/prefork_server.py [--port N] [--workers N]

Each request is a line (a password); the answer is a line with the pid of
the worker that served it and the hex PBKDF2-SHA256 digest of the password
(100,000 iterations: a few milliseconds of real work).  Lines over 1 KiB
close that connection; the others are not affected.

The parent prints "listening on 127.0.0.1:PORT", each worker "worker PID
serving".  Ctrl-C or SIGTERM to the parent stops every worker cleanly (each
runs its shutdown triggers), and the parent reports how each one exited.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import sys

from torsion.internet.protocol import Factory
from torsion.protocols.basic import LineReceiver

SALT = b"prefork example salt"
ITERATIONS = 100_000
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class Hasher(LineReceiver):
    """
    Answers each line with this worker's pid and the line's PBKDF2 digest.
    """

    delimiter = b"\n"
    MAX_LENGTH = 1024

    def lineReceived(self, line: bytes) -> None:
        digest = hashlib.pbkdf2_hmac("sha256", line, SALT, ITERATIONS).hex()
        self.sendLine(f"{os.getpid()} {digest}".encode())


def say(text: str) -> None:
    """
    Print a line at once, in one piece (the processes share one stdout).
    """
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def worker(listening: socket.socket) -> int:
    """
    Serve from the inherited listening socket until told to stop.

    Runs in a forked child, so the reactor is imported (and made) here:
    a reactor must not cross a fork.

    @return: The exit status.
    """
    from torsion.internet import reactor

    port = reactor.adoptStreamPort(listening.fileno(), socket.AF_INET, Factory.forProtocol(Hasher))
    listening.close()  # The port has its own duplicate.
    # Take one connection per wake-up (instead of up to 100), so that a
    # burst of connections is spread over the workers instead of being
    # queued behind one of them.
    port.numberAccepts = 1
    pid = os.getpid()

    def started() -> None:
        # The reactor now handles SIGTERM/SIGINT: let them through.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        say(f"worker {pid} serving")

    reactor.callWhenRunning(started)
    reactor.addSystemEventTrigger("before", "shutdown", say, f"worker {pid} stopping")
    reactor.run()
    return 0


def main() -> int:
    """
    Bind, fork the workers, wait for a stop signal, stop the workers.

    @return: The exit status: 0 if every worker exited cleanly.
    """
    parser = argparse.ArgumentParser(description="A pre-forked PBKDF2 server.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    listening = socket.create_server(("127.0.0.1", options.port), backlog=128)
    listening.setblocking(False)
    say(f"listening on 127.0.0.1:{listening.getsockname()[1]}")

    # Hold stop signals from here on: the parent waits for them below, and
    # each worker lets them in once its reactor can handle them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {*STOP_SIGNALS, signal.SIGCHLD})
    workers = []
    for _ in range(options.workers):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                status = worker(listening)
            finally:
                sys.stdout.flush()
                os._exit(status)
        workers.append(pid)
    listening.close()

    received = signal.sigwait({*STOP_SIGNALS, signal.SIGCHLD})
    if received == signal.SIGCHLD:
        say("a worker exited by itself; stopping the others")
    for pid in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    clean = True
    for pid in workers:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        clean = clean and code == 0
        say(f"worker {pid} exited with status {code}")
    return 0 if clean and received != signal.SIGCHLD else 1


if __name__ == "__main__":
    sys.exit(main())
