"""
Tests for C{examples/timer_service.py}: an Application of a
StreamServerEndpointService and a TimerService, run on the real reactor
(on 127.0.0.1) as a subprocess.  Renamed to use Twisted, it must print the
same (skipped if Twisted is not installed): the porting contract.
"""

from __future__ import annotations

from pathlib import Path

from tests.examples.test_defer_examples import EXAMPLES, requireTwisted, run, toTwisted

EXAMPLE = EXAMPLES / "timer_service.py"

EXPECTED = """\
the greeter listens on 127.0.0.1
tick 1: a visitor goes to the greeter
the visitor heard: hello, visitor 1
tick 2: a visitor goes to the greeter
the visitor heard: hello, visitor 2
tick 3: a visitor goes to the greeter
the visitor heard: hello, visitor 3
stopping the application
both services stopped: True
the port is closed: True
"""


def test_output() -> None:
    """
    The greeter listens before the first tick; each tick waits for its
    visitor to hear the greeting; stopping the reactor stops both services
    and closes the port before the program ends, with nothing on stderr.
    """
    assert run(EXAMPLE) == EXPECTED


def test_sameUnderTwisted(tmp_path: Path) -> None:
    """
    With its imports renamed to C{twisted}, the example prints the same
    under Twisted.
    """
    requireTwisted()
    ported = tmp_path / "timer_service_twisted.py"
    ported.write_text(toTwisted(EXAMPLE.read_text()))
    assert run(ported) == EXPECTED
