"""
A grep-like line filter on the reactor: StandardIO carries a LineReceiver
over standard input and output.

Run: python examples/stdio_filter.py [-i] [-v] PATTERN < input > output

Prints the lines of standard input that match the regular expression
PATTERN (-i: ignoring case; -v: the lines that do not match).  At the end of
input it says on standard error how many lines matched and exits 0 if any
did, 1 if none did, as grep does; a line longer than 1 MiB is refused with
exit status 2.

The protocol is half-closeable: when input ends it still has work to do (a
last line without a newline), and then it closes its output itself.

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from zope.interface import implementer

from torsion.internet import defer, stdio, task
from torsion.internet.interfaces import IHalfCloseableProtocol
from torsion.protocols.basic import LineReceiver


@implementer(IHalfCloseableProtocol)
class Grep(LineReceiver):
    """
    Sends on the lines that match a pattern; fires C{done} with the exit
    status once its output is closed.
    """

    delimiter = b"\n"
    MAX_LENGTH = 2**20

    def __init__(self, pattern: re.Pattern[bytes], invert: bool) -> None:
        self.pattern = pattern
        self.invert = invert
        self.seen = 0
        self.matched = 0
        self.status = 0
        self.done: defer.Deferred[None] = defer.Deferred()

    def lineReceived(self, line: bytes) -> None:
        self.seen += 1
        if (self.pattern.search(line) is None) == self.invert:
            self.matched += 1
            self.sendLine(line)

    def readConnectionLost(self) -> None:
        # Input is over; a last line may lack its newline.
        rest = self.clearLineBuffer()
        if rest:
            self.lineReceived(rest)
        sys.stderr.write(f"{self.matched} of {self.seen} lines matched\n")
        self.status = 0 if self.matched else 1
        self.transport.loseConnection()

    def writeConnectionLost(self) -> None:
        # Whoever read our output went away: nothing more to do.
        self.transport.loseConnection()

    def lineLengthExceeded(self, line: bytes) -> None:
        sys.stderr.write(
            f"stdio_filter: line {self.seen + 1} is longer than {self.MAX_LENGTH} bytes; "
            "is the input text?\n"
        )
        self.status = 2
        self.transport.loseConnection()

    def connectionLost(self, reason: Any = None) -> None:
        self.done.callback(None)


def main(reactor: Any, *argv: str) -> defer.Deferred[None]:
    """
    Filter standard input to standard output.

    @return: A Deferred that fires when done; it fails with SystemExit
        carrying the status when that is not 0.
    """
    parser = argparse.ArgumentParser(description="Print the lines that match PATTERN.")
    parser.add_argument("-i", "--ignore-case", action="store_true")
    parser.add_argument("-v", "--invert-match", action="store_true")
    parser.add_argument("pattern")
    options = parser.parse_args(argv)
    flags = re.IGNORECASE if options.ignore_case else 0
    grep = Grep(re.compile(options.pattern.encode(), flags), options.invert_match)
    stdio.StandardIO(grep)

    def finished(_: None) -> None:
        if grep.status:
            raise SystemExit(grep.status)

    return grep.done.addCallback(finished)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
