"""
Tests for torsion's pytest plugin (L{torsion.trial._pytestplugin}) and for
how pytest reports L{torsion.trial.unittest.SynchronousTestCase} tests.

Most run pytest on a small test file with C{pytester} and check the
outcomes and the report.
"""

import re
import select
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.trial import _pytestplugin

if TYPE_CHECKING:
    from torsion.internet.task import Clock

pytest_plugins = ["pytester"]

_log = Logger(namespace="tests.trial")


def _runpytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Leaving hypothesis's plugin out saves re-importing hypothesis (most
    # of a second) in every run.
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


def test_pluginRegistered(request: pytest.FixtureRequest) -> None:
    """
    Installing torsion registers the plugin with pytest, as C{torsion}.
    """
    assert request.config.pluginmanager.get_plugin("torsion") is _pytestplugin


def test_failuresReported(pytester: pytest.Pytester) -> None:
    """
    pytest reports a SynchronousTestCase's failures with their messages.
    """
    pytester.makepyfile(
        """
        from torsion.internet.defer import Deferred
        from torsion.trial.unittest import SynchronousTestCase

        class SomeTests(SynchronousTestCase):
            def test_passes(self):
                pass

            def test_noResult(self):
                self.successResultOf(Deferred())
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*FailTest: Success result expected on <Deferred at 0x*>, found no result instead"]
    )


def test_skipReasonShown(pytester: pytest.Pytester) -> None:
    """
    Tests skipped with trial's C{skip} attribute, on a method, a class or a
    module, are reported as skipped with the reason.
    """
    pytester.makepyfile(
        test_skipping="""
        from torsion.trial.unittest import SynchronousTestCase

        class MethodTests(SynchronousTestCase):
            def test_it(self):
                raise AssertionError("ran")
            test_it.skip = "method reason"

        class ClassTests(SynchronousTestCase):
            skip = "class reason"

            def test_it(self):
                raise AssertionError("ran")
        """,
        test_skippedModule="""
        from torsion.trial.unittest import SynchronousTestCase

        skip = "module reason"

        class ModuleTests(SynchronousTestCase):
            def test_it(self):
                raise AssertionError("ran")
        """,
    )
    result = _runpytest(pytester, "-rs")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines_random(
        [
            "SKIPPED * method reason",
            "SKIPPED * class reason",
            "SKIPPED * module reason",
        ]
    )


def test_todoReported(pytester: pytest.Pytester) -> None:
    """
    A failing C{todo} test is an xfail with the reason; a passing one fails
    as an unexpected success naming the reason; C{pytest.skip} still skips.
    """
    pytester.makepyfile(
        """
        import pytest

        from torsion.trial.unittest import SynchronousTestCase

        class TodoTests(SynchronousTestCase):
            todo = "not written yet"

            def test_fails(self):
                raise NotImplementedError()

            def test_passes(self):
                pass

            def test_skips(self):
                pytest.skip("not here")
        """
    )
    result = _runpytest(pytester, "-rxf")
    result.assert_outcomes(xfailed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines_random(
        ["XFAIL *test_fails - not written yet", "*Unexpected success: not written yet"]
    )


def test_loggedErrorReported(pytester: pytest.Pytester) -> None:
    """
    A SynchronousTestCase test during which a Deferred with an unhandled
    failure is garbage collected fails, with the traceback in the report.
    """
    pytester.makepyfile(
        """
        from torsion.internet.defer import fail
        from torsion.trial.unittest import SynchronousTestCase

        def explode():
            raise RuntimeError("lost failure")

        class LeakTests(SynchronousTestCase):
            def test_leaks(self):
                d = fail(RuntimeError("lost failure"))
                d.cycle = d
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*FailTest: An error was logged during test_loggedErrorReported.LeakTests.test_leaks"
            " and not flushed.  If the test expects it, claim it with"
            " flushLoggedErrors(RuntimeError).",
            "*Unhandled error in Deferred:",
            "*RuntimeError: lost failure",
        ]
    )


def test_mktempUnderBasetemp(pytester: pytest.Pytester) -> None:
    """
    Under pytest, C{mktemp} paths are in pytest's temporary directory.
    """
    pytester.makepyfile(
        """
        from torsion.trial.unittest import SynchronousTestCase

        class TempTests(SynchronousTestCase):
            def test_it(self):
                print("PATH=" + self.mktemp())
        """
    )
    basetemp = pytester.path / "base"
    result = _runpytest(pytester, "-s", f"--basetemp={basetemp}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*PATH={basetemp}/mktemp*/*/TempTests/test_it/*/temp"])


def test_flushLoggedErrorsFixture(
    flushLoggedErrors: Callable[..., list[Failure]],
) -> None:
    """
    The C{flushLoggedErrors} fixture returns the failures logged so far in
    this test, of the types given, and claims them.
    """
    _log.failure("first", Failure(KeyError("k")))
    _log.failure("second", Failure(ValueError("v")))
    assert [f.type for f in flushLoggedErrors(ValueError)] == [ValueError]
    assert [f.type for f in flushLoggedErrors()] == [KeyError]
    assert flushLoggedErrors() == []


_PLAIN_TESTS = """
import gc

from torsion.internet.defer import fail
from torsion.logger import Logger
from torsion.python.failure import Failure

log = Logger(namespace="plain")

def test_logsWithFixture(flushLoggedErrors):
    log.failure("unclaimed", Failure(KeyError("k")))

def test_claimsWithFixture(flushLoggedErrors):
    log.failure("claimed", Failure(KeyError("k")))
    assert len(flushLoggedErrors(KeyError)) == 1

def test_dropsDeferredWithFixture(flushLoggedErrors):
    d = fail(ValueError("dropped"))
    d.cycle = d

def test_logsWithoutFixture():
    log.failure("not checked unless the ini option is set", Failure(OSError("o")))
"""


def test_plainTestsWithFixtureChecked(pytester: pytest.Pytester) -> None:
    """
    A plain test function that requests C{flushLoggedErrors} fails if a
    failure is logged during it and not claimed, including a Deferred
    garbage collected with an unhandled failure; one that does not request
    it is not checked by default.
    """
    pytester.makepyfile(_PLAIN_TESTS)
    result = _runpytest(pytester)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED *::test_logsWithFixture - *",
            "FAILED *::test_dropsDeferredWithFixture - *",
            "An error was logged during *::test_logsWithFixture and not flushed.*",
            "An error was logged during *::test_dropsDeferredWithFixture and not flushed.*",
            "*Unhandled error in Deferred:",
            "ValueError: dropped",
        ]
    )


def test_iniChecksEveryTest(pytester: pytest.Pytester) -> None:
    """
    With C{torsion_check_logged_errors = true}, every plain test function
    is checked.
    """
    pytester.makeini("[pytest]\ntorsion_check_logged_errors = true\n")
    pytester.makepyfile(_PLAIN_TESTS)
    result = _runpytest(pytester)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        ["*test_logsWithoutFixture*", "*claim it with flushLoggedErrors(OSError).*"]
    )


def test_errorsOfFailingTestInReport(pytester: pytest.Pytester) -> None:
    """
    When a checked test fails anyway, the errors it logged are shown in a
    section of its report.
    """
    pytester.makepyfile(
        """
        from torsion.logger import Logger
        from torsion.python.failure import Failure

        def test_it(flushLoggedErrors):
            Logger(namespace="plain").failure("context", Failure(KeyError("why")))
            assert False, "the test's own failure"
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: the test's own failure*",
            "*- Captured torsion errors call -*",
            "*KeyError: 'why'",
        ]
    )


def test_trialCasesLeftToThemselves(pytester: pytest.Pytester) -> None:
    """
    With the ini option set, a SynchronousTestCase test is checked once,
    by itself: one failure, not two.
    """
    pytester.makeini("[pytest]\ntorsion_check_logged_errors = true\n")
    pytester.makepyfile(
        """
        from torsion.logger import Logger
        from torsion.python.failure import Failure
        from torsion.trial.unittest import SynchronousTestCase

        class LogTests(SynchronousTestCase):
            def test_claims(self):
                Logger().failure("x", Failure(KeyError()))
                self.flushLoggedErrors(KeyError)

            def test_logs(self):
                Logger().failure("x", Failure(KeyError()))
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=1, failed=1)


def test_clockFixture(clock: "Clock") -> None:
    """
    The C{clock} fixture is a fresh Clock, at time 0, that runs calls when
    advanced.
    """
    from torsion.internet.task import Clock

    assert isinstance(clock, Clock)
    assert clock.seconds() == 0
    calls: list[float] = []
    clock.callLater(2, lambda: calls.append(clock.seconds()))
    clock.advance(1)
    assert calls == []
    clock.advance(1)
    assert calls == [2]


def test_docsExamplesRun(pytester: pytest.Pytester) -> None:
    """
    The test examples in C{docs/testing.md} pass when pytest runs them.
    """
    text = (Path(__file__).parents[2] / "docs" / "testing.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if "def test" in b]
    assert len(blocks) == 6
    for number, block in enumerate(blocks):
        pytester.makepyfile(**{f"test_doc{number}": block})
    result = _runpytest(pytester)
    backends = 1 + hasattr(select, "poll") + hasattr(select, "epoll")
    result.assert_outcomes(passed=5 + 3 + 3 + backends, skipped=3 - backends)
