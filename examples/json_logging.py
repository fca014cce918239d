"""
Structured logs a program can read back: log events to a JSON file, then
load them again and query them.

A small shop logs its sales, a warning and a failure with
jsonFileLogObserver.  Each event is written as one JSON record, fields and
all, so the program (or any other tool) can later read the events back with
eventsFromJSONLogFile and work with the fields rather than with text: here
it prints every message, adds up the takings from the "cents" fields, and
shows that the failure came back with its exception type and traceback.

Run: python examples/json_logging.py [LOGFILE]
(without LOGFILE the log goes to a temporary file, removed at the end)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from torsion.logger import (
    Logger,
    eventsFromJSONLogFile,
    formatEvent,
    globalLogBeginner,
    jsonFileLogObserver,
)

log = Logger(namespace="shop")


class Till:
    """
    Sells things, and logs each sale with its fields.
    """

    log = Logger()  # namespace "<module>.Till"

    def sell(self, item: str, cents: int) -> None:
        self.log.info("Sold {item} for {cents} cents", item=item, cents=cents)


def averageBasket(baskets: list[int]) -> float:
    """
    The average of some baskets' totals (fails when there are none).
    """
    return sum(baskets) / len(baskets)


def writeLog(path: Path) -> None:
    """
    Log a few events to a JSON file, through the global log publisher.
    """
    out = open(path, "w", encoding="utf-8")  # noqa: SIM115 -- open for the program's life
    globalLogBeginner.beginLoggingTo([jsonFileLogObserver(out)], redirectStandardIO=False)
    till = Till()
    till.sell("apple", 50)
    till.sell("pear", 75)
    log.warn("Only {count} pears left", count=3)
    try:
        averageBasket([])
    except ZeroDivisionError:
        log.failure("Could not compute the average basket")


def readLog(path: Path) -> None:
    """
    Read the events back and report on them.
    """
    with open(path, "rb") as f:
        events = list(eventsFromJSONLogFile(f))
    print(f"{len(events)} events read back:")
    for event in events:
        level = event["log_level"].name
        print(f"  [{event['log_namespace']}#{level}] {formatEvent(event)}")
    takings = sum(event["cents"] for event in events if "cents" in event)
    print(f"takings: {takings} cents")
    for event in events:
        failure = event.get("log_failure")
        if failure is not None:
            where = failure.frames[-1][0]
            print(f"failure: {failure.type.__name__}, raised in {where}()")


def main(argv: list[str]) -> None:
    """
    Write the log (to the path given, or to a temporary file) and read it back.
    """
    if len(argv) > 1:
        path = Path(argv[1])
        writeLog(path)
        readLog(path)
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "shop.json"
        writeLog(path)
        readLog(path)


if __name__ == "__main__":
    main(sys.argv)
