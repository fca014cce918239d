# torsion's pytest plugin, loaded by pytest through the "pytest11" entry
# point that installing torsion registers.
#
# What it provides:
# - the `clock` fixture: a fresh torsion.internet.task.Clock per test, for
#   code that schedules calls (imported when first used, so that loading the
#   plugin costs nothing);
# - the `reactor` fixture: the global reactor, installed on first use
#   (TORSION_REACTOR chooses which), with its stop() crashing it instead
#   while the test runs, so that it can run again for the next test;
# - the `anyReactor` fixture: a fresh reactor of each backend in turn
#   (select, poll, epoll; a backend the platform lacks is skipped, saying
#   so), disposed of after the test; torsion.trial.util.runUntil runs it;
# - test functions that return a Deferred, or are `async def` and no other
#   plugin runs them: pytest_pyfunc_call below runs them on the global
#   reactor until the Deferred fires, within @pytest.mark.torsion_timeout
#   (120 seconds by default);
# - the dirty-reactor check: after a test that used the global reactor (it
#   requested `reactor`, or was run on it as above) and all its fixtures
#   are torn down, what the test left on the reactor (see _janitor.py) is
#   cleaned up and fails the test's teardown.  Calls and descriptors that
#   were there when the test function started belong to longer-lived
#   fixtures and are left alone.  `anyReactor` checks its own reactor when
#   it is torn down;
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
# How async tests are taken over without taking them from other plugins:
# pytest_pyfunc_call is a first-result hook, and ours is `trylast`, so it
# runs only when no other plugin (anyio, pytest-asyncio, pytest-trio...)
# has run the test; those that wrap the test function instead leave a
# plain function behind, which ours then sees.  Ours does not call the
# test itself: it replaces the item's function by a wrapper and returns
# None, so pytest's own implementation (also `trylast`, registered before
# ours, so called after it) calls the wrapper with the fixtures, handles
# the other return values as usual, and the wrapper puts the original
# function back.  The wrapper waits for a returned Deferred or coroutine.
from __future__ import annotations

import functools
import importlib
import inspect
import numbers
import select
import warnings
from collections.abc import Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pytest

from torsion.internet.defer import Deferred
from torsion.python.failure import Failure
from torsion.trial import _synctest, _trialsupport
from torsion.trial._janitor import Baseline, cleanReactor, snapshot
from torsion.trial._triallog import _ErrorLog
from torsion.trial._waiting import (
    DEFAULT_TIMEOUT_DURATION,
    StopPatch,
    consume,
    globalReactor,
    installedReactor,
    raiseFailure,
    spin,
    startCoroutine,
)

if TYPE_CHECKING:
    from torsion.internet._pollingreactor import PollingReactor
    from torsion.internet.task import Clock

_CHECK_OPTION = "torsion_check_logged_errors"
_TIMEOUT_MARK = "torsion_timeout"
_errorLogKey = pytest.StashKey[_ErrorLog]()
_usesReactorKey = pytest.StashKey[bool]()
_baselineKey = pytest.StashKey[Baseline]()

# The backends anyReactor runs each test on: name -> (module, class, the
# select module's function the backend needs).
_BACKENDS = {
    "select": ("torsion.internet.selectreactor", "SelectReactor", "select"),
    "poll": ("torsion.internet.pollreactor", "PollReactor", "poll"),
    "epoll": ("torsion.internet.epollreactor", "EPollReactor", "epoll"),
}


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_TIMEOUT_MARK}(seconds): how long a test function that returns a Deferred "
        "or is async def may wait for it on the reactor (default "
        f"{DEFAULT_TIMEOUT_DURATION:g}); then the Deferred is cancelled and the test fails.",
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


# -- the reactor ---------------------------------------------------------------


@pytest.fixture(scope="session")
def reactor() -> Any:
    """
    The global reactor, C{torsion.internet.reactor}.

    The first use installs the default reactor (the environment variable
    C{TORSION_REACTOR}, C{select}, C{poll} or C{epoll}, chooses which).
    A test that uses it, directly or through its fixtures, must leave it
    clean: a delayed call still pending, a descriptor still watched or a
    thread-pool job still running when the test and its fixtures are done
    fails the test's teardown, and is cleaned up.  While the test function
    runs, C{reactor.stop()} crashes the reactor instead, so that it can run
    again for later tests.
    """
    return globalReactor()


def _makeBackend(name: str) -> PollingReactor:
    module, className, needed = _BACKENDS[name]
    if not hasattr(select, needed):
        pytest.skip(
            f"the {name} reactor is not available on this platform (it needs select.{needed})"
        )
    made: PollingReactor = getattr(importlib.import_module(module), className)()
    return made


def _dispose(reactor: PollingReactor) -> None:
    if reactor.running:
        reactor.crash()
    pool = reactor.threadpool
    if pool is not None:
        reactor.threadpool = None
        pool.stop()
    reactor.waker.close()
    # Reactors have no public way to release their poller (an epoll
    # descriptor); without this, each test's would wait for the collector.
    poller = getattr(reactor, "_poller", None)
    close = getattr(poller, "close", None)
    if close is not None:
        close()


@pytest.fixture(params=sorted(_BACKENDS))
def anyReactor(request: pytest.FixtureRequest) -> Iterator[PollingReactor]:
    """
    A fresh reactor (not the global one) of each backend in turn.

    A test that uses it runs once per backend: C{select}, C{poll} and
    C{epoll}, its ID ending in C{[select]}, ...; a backend the platform
    lacks is skipped, with the reason.  Run the reactor with
    L{torsion.trial.util.runUntil}.  Afterwards the reactor must be clean
    (as for the C{reactor} fixture: what is left fails the test's teardown,
    and is cleaned up), then it is thrown away.
    """
    made = _makeBackend(request.param)
    yield made
    error = cleanReactor(made, where=request.node.nodeid)
    _dispose(made)
    if error is not None:
        pytest.fail(str(error), pytrace=False)


def _timeoutOf(item: pytest.Function) -> float:
    marker = item.get_closest_marker(_TIMEOUT_MARK)
    if marker is None:
        return DEFAULT_TIMEOUT_DURATION
    values = [*marker.args, *marker.kwargs.values()]
    seconds = values[0] if len(values) == 1 else None
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or seconds <= 0:
        raise TypeError(
            f"@pytest.mark.{_TIMEOUT_MARK} on {item.nodeid} takes one positive number of "
            f"seconds, not {marker.args!r} {marker.kwargs!r}; e.g. "
            f"@pytest.mark.{_TIMEOUT_MARK}(5)"
        )
    return float(seconds)


def _waitForTest(
    item: pytest.Function, d: Deferred[Any], tracebacks: list[TracebackType] | None = None
) -> None:
    item.stash[_usesReactorKey] = True
    timeout = _timeoutOf(item)
    what = f"the Deferred {item.nodeid} returned"
    outcome, tb, timedOut = spin(globalReactor(), d, timeout, lambda: what, stopCrashes=True)
    if timedOut:
        consume(d)
        pytest.fail(
            f"{item.nodeid} timed out after {timeout:g} seconds: the Deferred it returned "
            "had not fired, so it was cancelled.  If it needs longer, mark it with "
            f"@pytest.mark.{_TIMEOUT_MARK}(<seconds>)",
            pytrace=False,
        )
    if isinstance(outcome, Failure):
        consume(d)
        raiseFailure(outcome, tb or (tracebacks[-1] if tracebacks else None), what)


def _testArguments(item: pytest.Function) -> dict[str, Any]:
    # What pytest's own pytest_pyfunc_call passes (as other async plugins
    # do, from the item's fixture info).
    return {name: item.funcargs[name] for name in item._fixtureinfo.argnames}


_refusals: tuple[type[BaseException], ...] = (pytest.fail.Exception, pytest.skip.Exception)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    original = pyfuncitem.obj
    if inspect.isasyncgenfunction(original) or inspect.isgeneratorfunction(original):
        return (yield)
    installed = installedReactor()
    pyfuncitem.stash[_baselineKey] = snapshot(installed) if installed is not None else Baseline()
    patch = None
    if installed is not None and "reactor" in pyfuncitem.fixturenames:
        pyfuncitem.stash[_usesReactorKey] = True
        patch = StopPatch(installed)
        patch.apply()
    try:
        if inspect.iscoroutinefunction(original):
            return (yield from _runCoroutineTest(pyfuncitem, original))
        pyfuncitem.obj = _deferredWaiter(pyfuncitem, original)
        try:
            return (yield)
        finally:
            pyfuncitem.obj = original
    finally:
        if patch is not None:
            patch.restore()


def _runCoroutineTest(
    item: pytest.Function, original: Callable[..., Any]
) -> Generator[None, object, object]:
    # Another plugin may run the test.  The proxy is still a coroutine
    # function to them, and records whether one called it.
    called: list[bool] = []

    @functools.wraps(original)
    async def proxy(*args: Any, **kwargs: Any) -> object:
        called.append(True)
        return await original(*args, **kwargs)

    item.obj = proxy
    try:
        with warnings.catch_warnings():
            if _UnhandledCoroutine is not None:
                warnings.simplefilter("ignore", _UnhandledCoroutine)
            return (yield)
    except _refusals:
        # pytest's own implementation refuses async functions (it fails
        # them, or skips them before pytest 9) without calling them.
        if called:
            raise
    finally:
        item.obj = original
    _waitForTest(item, *startCoroutine(original(**_testArguments(item))))
    return True


# pytest before 9 warned about the async functions it skipped.
_UnhandledCoroutine: type[Warning] | None = getattr(pytest, "PytestUnhandledCoroutineWarning", None)


def _deferredWaiter(
    item: pytest.Function, original: Callable[..., object]
) -> Callable[..., object]:
    """
    Wrap a test function so that what it returns is waited for if it is a
    Deferred or a coroutine.
    """

    @functools.wraps(original)
    def runTest(*args: Any, **kwargs: Any) -> object:
        item.obj = original
        returned = original(*args, **kwargs)
        if inspect.iscoroutine(returned):
            _waitForTest(item, *startCoroutine(returned))
            return None
        if isinstance(returned, Deferred):
            _waitForTest(item, returned)
            return None
        return returned

    return runTest


def _checkGlobalReactor(item: pytest.Item) -> str | None:
    if not item.stash.get(_usesReactorKey, False):
        return None
    installed = installedReactor()
    if installed is None:
        return None
    error = cleanReactor(
        installed, item.stash.get(_baselineKey, None), where=item.nodeid, stopCrashes=True
    )
    return None if error is None else str(error)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    try:
        yield
    except BaseException:
        # The teardown's own error is what is reported; still clean up.
        _checkGlobalReactor(item)
        raise
    message = _checkGlobalReactor(item)
    if message is not None:
        pytest.fail(message, pytrace=False)
