"""
Tests for the reactor support of torsion's pytest plugin: the C{reactor}
and C{anyReactor} fixtures, test functions that return Deferreds or are
C{async def}, the C{torsion_timeout} marker and the dirty-reactor check;
and for L{torsion.trial.util.runUntil}.

Plugin behaviour is checked by running pytest on small test files with
C{pytester}, in this process: the inner runs share the global reactor,
which is installed here first.
"""

from __future__ import annotations

import select
from typing import Any

import pytest

from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import CancelledError, Deferred, TimeoutError, succeed
from torsion.internet.epollreactor import EPollReactor
from torsion.internet.pollreactor import PollReactor
from torsion.internet.selectreactor import SelectReactor
from torsion.internet.task import deferLater
from torsion.trial._waiting import globalReactor
from torsion.trial.util import runUntil

pytest_plugins = ["pytester"]

_REACTOR = globalReactor()


def _runpytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Leaving hypothesis's plugin out saves re-importing hypothesis (most
    # of a second) in every run.
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


@pytest.fixture(autouse=True)
def _globalReactorClean() -> Any:
    """
    Each test here leaves the global reactor not running, its own stop()
    in place and nothing scheduled.
    """
    yield
    assert not _REACTOR.running
    assert "stop" not in vars(_REACTOR)
    assert _REACTOR.getDelayedCalls() == []


# -- the reactor fixture --------------------------------------------------------


def test_reactorFixture(reactor: Any) -> None:
    """
    The C{reactor} fixture is the global reactor, and while the test runs
    its stop() crashes it instead.
    """
    from torsion.internet import reactor as installed

    assert reactor is installed
    assert reactor.stop == reactor.crash


def test_reactorChosenByEnvironment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    The reactor the fixture installs is the one TORSION_REACTOR names.
    """
    pytester.makepyfile(
        """
        def test_it(reactor):
            assert type(reactor).__name__ == "SelectReactor"
        """
    )
    monkeypatch.setenv("TORSION_REACTOR", "select")
    result = pytester.runpytest_subprocess("-p", "no:hypothesispytest", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_markerRegistered(pytestconfig: pytest.Config) -> None:
    """
    The C{torsion_timeout} marker is registered (the suite runs with
    C{--strict-markers}).
    """
    markers = pytestconfig.getini("markers")
    assert any(line.startswith("torsion_timeout(seconds):") for line in markers)


# -- async and Deferred-returning test functions --------------------------------


def test_deferredAndAsyncTests(pytester: pytest.Pytester) -> None:
    """
    Test functions returning Deferreds, and async def test functions, are
    run on the reactor: they pass when the Deferred succeeds, and fail with
    the exception (and assertion introspection) when it fails.
    """
    pytester.makepyfile(
        """
        from torsion.internet.task import deferLater

        def test_deferredPasses(reactor):
            return deferLater(reactor, 0, lambda: None)

        def test_deferredFails(reactor):
            def boom():
                raise KeyError("late")
            return deferLater(reactor, 0, boom)

        async def test_asyncPasses(reactor):
            assert await deferLater(reactor, 0, lambda: 5) == 5

        async def test_asyncFails(reactor):
            value = await deferLater(reactor, 0, lambda: 5)
            assert value == 6

        async def test_withoutFixture():
            from torsion.internet import reactor
            await deferLater(reactor, 0)

        async def test_failsAtOnce():
            total = 1 + 1
            assert total == 3
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*KeyError: 'late'",
            "*assert 5 == 6",
            ">       assert total == 3",
            "E       assert 2 == 3",
        ]
    )


def test_timeoutMarker(pytester: pytest.Pytester) -> None:
    """
    A test still waiting after its torsion_timeout fails with a message
    saying so, and its Deferred is cancelled.
    """
    pytester.makepyfile(
        """
        import pytest
        from torsion.internet.defer import Deferred, CancelledError

        cancelled = []

        @pytest.mark.torsion_timeout(0.01)
        async def test_slow():
            try:
                await Deferred()
            except CancelledError:
                cancelled.append(True)
                raise

        def test_cancelled():
            assert cancelled == [True]
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_slow timed out after 0.01 seconds: the Deferred it returned had not "
            "fired, so it was cancelled.  If it needs longer, mark it with "
            "@pytest.mark.torsion_timeout(<seconds>)"
        ]
    )


def test_badTimeoutMarker(pytester: pytest.Pytester) -> None:
    """
    A torsion_timeout marker without one positive number fails the test,
    saying what it takes.
    """
    pytester.makepyfile(
        """
        import pytest
        from torsion.internet.defer import succeed

        @pytest.mark.torsion_timeout("soon")
        def test_it():
            return succeed(None)
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*takes one positive number of seconds, not ('soon',) {}*"])


def test_otherReturnValuesUntouched(pytester: pytest.Pytester) -> None:
    """
    Test functions returning other things are left to pytest, which warns
    about them as usual; generator functions too.
    """
    pytester.makepyfile(
        """
        def test_returnsNumber():
            return 1
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*Test functions should return None*"])


def test_otherPluginsFirst(pytester: pytest.Pytester) -> None:
    """
    An async test that another plugin runs (here a conftest implementing
    pytest_pyfunc_call for marked tests) is left to it; unmarked ones are
    run on the reactor.
    """
    pytester.makeconftest(
        """
        import inspect
        import pytest

        ran = []

        def pytest_configure(config):
            config.addinivalue_line("markers", "other: run by the other plugin")

        def pytest_pyfunc_call(pyfuncitem):
            if pyfuncitem.get_closest_marker("other") is None:
                return None
            assert inspect.iscoroutinefunction(pyfuncitem.obj)
            coroutine = pyfuncitem.obj()
            try:
                coroutine.send(None)
            except StopIteration:
                ran.append(pyfuncitem.name)
            return True
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from torsion.internet.task import deferLater

        @pytest.mark.other
        async def test_other():
            pass

        async def test_ours():
            from torsion.internet import reactor
            await deferLater(reactor, 0)

        def test_check(request):
            import conftest
            assert conftest.ran == ["test_other"]
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=3)


def test_pluginWrappingFunction(pytester: pytest.Pytester) -> None:
    """
    A plugin that replaces an async test function with a synchronous one
    (as pytest-asyncio does) keeps it: the replacement is what runs.
    """
    pytester.makeconftest(
        """
        import inspect
        import pytest

        ran = []

        @pytest.hookimpl(wrapper=True, tryfirst=True)
        def pytest_pyfunc_call(pyfuncitem):
            original = pyfuncitem.obj
            if not inspect.iscoroutinefunction(original):
                return (yield)

            def replacement(**kwargs):
                coroutine = original(**kwargs)
                coroutine.close()
                ran.append(pyfuncitem.name)

            pyfuncitem.obj = replacement
            try:
                return (yield)
            finally:
                pyfuncitem.obj = original
        """
    )
    pytester.makepyfile(
        """
        from torsion.internet.defer import Deferred

        async def test_wrapped():
            await Deferred()

        def test_check():
            import conftest
            assert conftest.ran == ["test_wrapped"]
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=2)


# -- dirty reactor -------------------------------------------------------------


def test_dirtyTestFails(pytester: pytest.Pytester) -> None:
    """
    A test that leaves a delayed call on the global reactor fails (at
    teardown) with the message naming it; the next test starts clean.
    """
    pytester.makepyfile(
        """
        def leftBehind():
            pass

        async def test_dirty(reactor):
            reactor.callLater(60, leftBehind)

        def test_clean(reactor):
            assert reactor.getDelayedCalls() == []
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_dirty*",
            "Reactor was unclean: test_dirtyTestFails.py::test_dirty left work behind on "
            "the reactor.*",
            "DelayedCalls still pending (now cancelled)*",
            "<DelayedCall * leftBehind()>",
        ]
    )


def test_fixturesCleanFirst(pytester: pytest.Pytester) -> None:
    """
    What a function fixture cleans up in its teardown is not a leftover,
    and what a module fixture keeps for several tests is left alone.
    """
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def kept(reactor):
            call = reactor.callLater(60, lambda: None)
            yield call
            call.cancel()

        @pytest.fixture
        def cleaned(reactor):
            call = reactor.callLater(60, lambda: None)
            yield call
            call.cancel()

        def test_first(reactor, kept, cleaned):
            reactor.callLater(60, lambda: None).cancel()

        def test_second(reactor, kept):
            assert kept.active()
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=2)


def test_stopDoesNotBreakLaterTests(pytester: pytest.Pytester) -> None:
    """
    A test that stops the reactor only crashes it; later tests still run
    it.
    """
    pytester.makepyfile(
        """
        from torsion.internet.defer import Deferred
        from torsion.internet.task import deferLater

        def test_stops(reactor):
            reactor.callLater(0, reactor.stop)
            return Deferred()

        def test_stopsNow(reactor):
            reactor.stop()

        async def test_after(reactor):
            await deferLater(reactor, 0)
        """
    )
    result = _runpytest(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*RuntimeError: the reactor stopped running before*"])


# -- anyReactor and runUntil ---------------------------------------------------


def test_anyReactorFresh(anyReactor: PollingReactor, request: pytest.FixtureRequest) -> None:
    """
    anyReactor is a new reactor of the backend its test ID names, not the
    global one.
    """
    backend = request.node.callspec.params["anyReactor"]
    expected = {"select": SelectReactor, "poll": PollReactor, "epoll": EPollReactor}[backend]
    assert type(anyReactor) is expected
    assert anyReactor is not _REACTOR


def test_runUntilResult(anyReactor: PollingReactor) -> None:
    """
    runUntil runs the reactor until the Deferred fires and returns its
    result; the reactor can run again afterwards.
    """
    assert runUntil(anyReactor, deferLater(anyReactor, 0, lambda: 1), timeout=10) == 1
    assert not anyReactor.running
    assert runUntil(anyReactor, deferLater(anyReactor, 0, lambda: 2), timeout=10) == 2


def test_runUntilCoroutine(anyReactor: PollingReactor) -> None:
    """
    runUntil takes a coroutine too.
    """

    async def twice() -> int:
        first = await deferLater(anyReactor, 0, lambda: 20)
        return first + await deferLater(anyReactor, 0, lambda: 22)

    assert runUntil(anyReactor, twice(), timeout=10) == 42


def test_runUntilFailure(anyReactor: PollingReactor) -> None:
    """
    runUntil raises the exception the Deferred failed with, with the
    traceback of where it was raised.
    """

    def lookUp() -> None:
        raise KeyError("nobody")

    with pytest.raises(KeyError, match="nobody") as caught:
        runUntil(anyReactor, deferLater(anyReactor, 0, lookUp), timeout=10)
    assert caught.traceback[-1].name == "lookUp"


def test_runUntilCoroutineFailsAtOnce(anyReactor: PollingReactor) -> None:
    """
    A coroutine that fails before its first await is reported with the
    traceback of where it raised.
    """

    async def broken() -> None:
        raise ValueError("at once")

    with pytest.raises(ValueError, match="at once") as caught:
        runUntil(anyReactor, broken(), timeout=10)
    assert caught.traceback[-1].name == "broken"


def test_runUntilTimeout(anyReactor: PollingReactor) -> None:
    """
    runUntil gives up after the timeout: the Deferred is cancelled and
    TimeoutError says how long it waited.
    """
    d: Deferred[None] = Deferred()
    with pytest.raises(
        TimeoutError, match=r"did not fire within 0.01 seconds, so it was cancelled"
    ):
        runUntil(anyReactor, d, timeout=0.01)
    failures: list[Any] = []
    d.addErrback(failures.append)
    assert failures == []  # the CancelledError was consumed
    assert anyReactor.getDelayedCalls() == []


def test_runUntilFired() -> None:
    """
    A Deferred that has already fired is not waited for: the reactor is
    not even touched.
    """
    assert runUntil(object(), succeed("now")) == "now"


def test_runUntilWhileRunning(anyReactor: PollingReactor) -> None:
    """
    runUntil from inside the running reactor is refused with an error
    saying what to do instead.
    """
    errors: list[BaseException] = []

    def nested() -> None:
        try:
            runUntil(anyReactor, Deferred(), timeout=1)
        except RuntimeError as e:
            errors.append(e)

    runUntil(anyReactor, deferLater(anyReactor, 0, nested), timeout=10)
    [error] = errors
    assert "is already running" in str(error)
    assert "return or await the Deferred instead" in str(error)


def test_runUntilStopped(anyReactor: PollingReactor) -> None:
    """
    If the reactor stops before the Deferred fires, runUntil says so.
    """
    anyReactor.callLater(0, anyReactor.stop)
    d: Deferred[None] = Deferred()
    with pytest.raises(RuntimeError, match="the reactor stopped running before"):
        runUntil(anyReactor, d, timeout=10)
    d.cancel()
    with pytest.raises(CancelledError):
        runUntil(anyReactor, d)


def test_anyReactorDirty(pytester: pytest.Pytester) -> None:
    """
    A test that leaves work on its anyReactor fails at teardown with the
    dirty-reactor message, once per backend.
    """
    pytester.makepyfile(
        """
        def test_dirty(anyReactor):
            anyReactor.callLater(60, lambda: None)
        """
    )
    result = _runpytest(pytester)
    backends = 1 + hasattr(select, "poll") + hasattr(select, "epoll")
    result.assert_outcomes(passed=backends, errors=backends)
    result.stdout.fnmatch_lines(["*Reactor was unclean: *test_dirty[[]select[]] left work*"])


def test_anyReactorSkipsMissingBackend(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    A backend the platform lacks is skipped, with the reason shown.
    """
    monkeypatch.delattr(select, "epoll", raising=False)
    pytester.makepyfile(
        """
        def test_it(anyReactor):
            assert anyReactor.getDelayedCalls() == []
        """
    )
    result = _runpytest(pytester, "-rs")
    poll = hasattr(select, "poll")
    result.assert_outcomes(passed=1 + poll, skipped=2 - poll)
    result.stdout.fnmatch_lines(
        ["*the epoll reactor is not available on this platform (it needs select.epoll)"]
    )


def test_anyReactorDisposed(pytester: pytest.Pytester) -> None:
    """
    After the test, the reactor's waker is closed and its thread pool
    stopped.
    """
    pytester.makepyfile(
        """
        made = []

        def test_use(anyReactor):
            made.append(anyReactor)
            anyReactor.getThreadPool()

        def test_check():
            for reactor in made:
                assert reactor.waker.fileno() == -1
                assert reactor.threadpool is None
            assert len(made) == 1
        """
    )
    result = _runpytest(pytester, "-k", "select or check")
    result.assert_outcomes(passed=2)
