# torsion's pytest plugin, loaded by pytest through the "pytest11" entry
# point that installing torsion registers.
#
# What it provides:
# - the `clock` fixture: a fresh torsion.internet.task.Clock per test, for
#   code that schedules calls (imported when first used, so that loading the
#   plugin costs nothing);
# - the `flushLoggedErrors` fixture, for plain test functions: it starts
#   collecting failure events logged to the global log publisher, and is the
#   function that claims them (like SynchronousTestCase.flushLoggedErrors);
# - the logged-error check for plain test functions: a test that requests
#   `flushLoggedErrors`, or every test when the ini option
#   `torsion_check_logged_errors = true` is set, fails if a failure is
#   logged during its call phase and not claimed.  It is opt-in because
#   tests that observe the global log themselves would have to claim what
#   they observe.  SynchronousTestCase tests always check, by themselves,
#   and are left alone here;
# - a root directory for SynchronousTestCase.mktemp() under pytest's own
#   temporary directory, so that --basetemp and pytest's clean-up apply.
#
# Not here yet: the `reactor` fixture, tests that return Deferreds, and
# `async def` tests.  They need the reactor and come with it.
from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import pytest

from torsion.python.failure import Failure
from torsion.trial import _synctest, _trialsupport
from torsion.trial._triallog import _ErrorLog

if TYPE_CHECKING:
    from torsion.internet.task import Clock

_CHECK_OPTION = "torsion_check_logged_errors"
_errorLogKey = pytest.StashKey[_ErrorLog]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        _CHECK_OPTION,
        type="bool",
        default=False,
        help=(
            "Fail every test function during which torsion logs an error "
            "(a log_failure event) that the test does not claim with the "
            "flushLoggedErrors fixture.  SynchronousTestCase tests always check."
        ),
    )


@pytest.fixture(autouse=True, scope="session")
def _torsionTemporaryRoot(
    tmp_path_factory: pytest.TempPathFactory,
) -> Generator[None, None, None]:
    """
    Make SynchronousTestCase.mktemp() use pytest's temporary directory.
    """
    # A pytest run inside a test (pytester) must give the outer run's back.
    previous = _trialsupport._setTemporaryRootFactory(
        lambda: str(tmp_path_factory.mktemp("mktemp"))
    )
    yield
    _trialsupport._setTemporaryRootFactory(*previous)


@pytest.fixture
def clock() -> Clock:
    """
    A fresh L{torsion.internet.task.Clock}: time that moves only when the
    test calls its C{advance}.
    """
    from torsion.internet.task import Clock

    return Clock()


@pytest.fixture
def flushLoggedErrors(
    request: pytest.FixtureRequest,
) -> Generator[Callable[..., list[Failure]], None, None]:
    """
    Check this test for logged errors, and claim the expected ones.

    Requesting it makes the test fail if a failure is logged during it and
    not claimed.  It is a function: C{flushLoggedErrors(ValueError)}
    removes and returns the logged failures of those types (all, with no
    argument), as C{SynchronousTestCase.flushLoggedErrors} does.
    """
    errorLog = _ErrorLog()
    errorLog.start()
    request.node.stash[_errorLogKey] = errorLog
    try:
        yield errorLog.flush
    finally:
        errorLog.stop()
        del request.node.stash[_errorLogKey]


def _isTrialCase(item: pytest.Item) -> bool:
    return isinstance(getattr(item, "instance", None), _synctest.SynchronousTestCase)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    errorLog = item.stash.get(_errorLogKey, None)
    ownLog = errorLog is None and not _isTrialCase(item) and bool(item.config.getini(_CHECK_OPTION))
    if ownLog:
        errorLog = _ErrorLog()
        errorLog.start()
    if errorLog is None:
        return (yield)
    try:
        result = yield
        # A Deferred in a reference cycle reports its unhandled failure
        # only when the collector frees it.
        errorLog.collectGarbage()
    except BaseException:
        # The test's own failure is what is reported; the errors logged
        # may explain it, so they go in a section of the report.
        message = errorLog.describe(item.nodeid)
        if message is not None:
            item.add_report_section("call", "torsion errors", message)
        raise
    finally:
        if ownLog:
            errorLog.stop()
    message = errorLog.describe(item.nodeid)
    if message is not None:
        pytest.fail(message, pytrace=False)
    return result
