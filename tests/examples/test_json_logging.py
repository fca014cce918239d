"""
Tests for the example program C{examples/json_logging.py}.

The program is run as a subprocess and its output checked.  With C{torsion}
renamed to C{twisted} in its imports, it must print the same under Twisted
(skipped if Twisted is not installed): the porting contract, and a check
that the JSON files of the two read alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, run, toTwisted

EXAMPLE = EXAMPLES / "json_logging.py"

EXPECTED = """\
4 events read back:
  [__main__.Till#info] Sold apple for 50 cents
  [__main__.Till#info] Sold pear for 75 cents
  [shop#warn] Only 3 pears left
  [shop#critical] Could not compute the average basket
takings: 125 cents
failure: ZeroDivisionError, raised in averageBasket()
"""


def test_output() -> None:
    """
    The program reads back its four events, with their namespaces, levels,
    messages and fields, and the failure with its type and traceback.
    """
    assert run(EXAMPLE) == EXPECTED


def test_logFileKept(tmp_path: Path) -> None:
    """
    Given a path, the program leaves its log there: an RFC 7464 JSON text
    sequence, one record per event, each a JSON object with the event's
    fields.
    """
    path = tmp_path / "shop.json"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout == EXPECTED
    records = path.read_text(encoding="utf-8").split("\x1e")
    assert records[0] == ""
    assert all(record.endswith("\n") for record in records[1:])
    events = [json.loads(record) for record in records[1:]]
    assert [event.get("item") for event in events] == ["apple", "pear", None, None]
    assert events[-1]["log_failure"]["type"] == {
        "__module__": "builtins",
        "__name__": "ZeroDivisionError",
    }


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    With its imports renamed to C{twisted}, the program prints the same
    under Twisted.
    """
    requireTwisted()
    ported = tmp_path / "json_logging_twisted.py"
    ported.write_text(toTwisted(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    assert run(ported) == EXPECTED
