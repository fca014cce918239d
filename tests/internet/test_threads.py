"""
Tests for torsion.internet.threads: calls into threads, and from threads
back into the reactor.

Two kinds of reactor are used.  L{QueueReactor} is a double whose
callFromThread puts calls on a queue that the test, acting as the reactor
thread, runs itself: the functions take the reactor as a parameter, so the
test controls exactly when results arrive.  Then the same behaviour is
checked on every real reactor backend.  The global reactor is never
installed in the test process; deferToThread and callMultipleInThread,
which use it, are tested in a subprocess.
"""

from __future__ import annotations

import gc
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from tests.internet.reactors import backendReactor, runReactor
from torsion.internet._pollingreactor import PollingReactor
from torsion.internet.defer import CancelledError, Deferred, succeed
from torsion.internet.interfaces import IReactorFromThreads
from torsion.internet.threads import (
    BlockingCallInReactorThreadError,
    ReactorStoppingError,
    blockingCallFromThread,
    callMultipleInThread,
    deferToThread,
    deferToThreadPool,
)
from torsion.logger import LogEvent
from torsion.python.threadpool import PoolStoppedError, ThreadPool

if TYPE_CHECKING:
    from typing import assert_type

__all__ = ["backendReactor"]

TIMEOUT = 10.0


@implementer(IReactorFromThreads)
class QueueReactor:
    """
    A reactor double: calls from threads wait on a queue until the test,
    in the thread that made the double (its "reactor thread"), runs them.
    """

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
        self.calls = queue.Queue()
        self._reactorThread = threading.current_thread()

    def callFromThread(self, callable: Callable[..., Any], *args: object, **kwargs: object) -> None:
        """
        Queue C{callable(*args, **kwargs)} for L{runCall}.
        """
        self.calls.put((callable, args, kwargs))

    def runCall(self) -> None:
        """
        Wait for the next call from a thread and run it here.
        """
        callable, args, kwargs = self.calls.get(timeout=TIMEOUT)
        callable(*args, **kwargs)


@pytest.fixture
def pool() -> Iterator[ThreadPool]:
    """
    A started pool of up to 4 threads, stopped after the test.
    """
    made = ThreadPool(0, 4, "test")
    made.start()
    yield made
    made.stop()


@pytest.fixture
def fake() -> QueueReactor:
    """
    A fresh L{QueueReactor}, whose reactor thread is the test's thread.
    """
    return QueueReactor()


def inThread(f: Callable[[], object]) -> tuple[threading.Thread, list[tuple[str, Any]]]:
    """
    Start a thread running C{f}; the list gets C{("ok", result)} or
    C{("raised", exception)} when it ends.
    """
    outcome: list[tuple[str, Any]] = []

    def run() -> None:
        try:
            outcome.append(("ok", f()))
        except BaseException as e:
            outcome.append(("raised", e))

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def finish(thread: threading.Thread) -> None:
    """
    Wait for C{thread} to end.
    """
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "the thread did not finish"


def test_doubleProvidesInterface(fake: QueueReactor) -> None:
    """
    The reactor double provides L{IReactorFromThreads}.
    """
    assert verifyObject(IReactorFromThreads, fake)


def test_publicNames() -> None:
    """
    The module's names belong to C{torsion.internet.threads}.
    """
    for obj in (
        BlockingCallInReactorThreadError,
        ReactorStoppingError,
        blockingCallFromThread,
        callMultipleInThread,
        deferToThread,
        deferToThreadPool,
    ):
        assert obj.__module__ == "torsion.internet.threads"


class DeferToThreadPoolTests:
    """
    deferToThreadPool with the queue double: the function runs in a pool
    thread, the Deferred fires in the reactor thread.
    """

    def test_result(self, fake: QueueReactor, pool: ThreadPool) -> None:
        """
        The function runs with its arguments in a pool thread; the Deferred
        has no result until the reactor thread runs the delivery, then has
        the return value.
        """

        def job(a: int, *, b: int) -> tuple[int, str]:
            return a + b, threading.current_thread().name

        d = deferToThreadPool(fake, pool, job, 2, b=3)
        assertNoResult(d)
        fake.runCall()
        assert resultOf(d) == (5, "test-worker-1")

    def test_firesInReactorThread(self, fake: QueueReactor, pool: ThreadPool) -> None:
        """
        Callbacks on the Deferred run in the reactor thread.
        """
        d = deferToThreadPool(fake, pool, int, "4")
        seen: list[str] = []
        d.addCallback(lambda _: seen.append(threading.current_thread().name))
        fake.runCall()
        assert seen == [threading.current_thread().name]

    def test_failure(self, fake: QueueReactor, pool: ThreadPool) -> None:
        """
        What the function raises fails the Deferred.
        """
        d = deferToThreadPool(fake, pool, int, "not a number")
        fake.runCall()
        failure = failureOf(d, ValueError)
        assert "not a number" in failure.getErrorMessage()

    def test_cancel(
        self, fake: QueueReactor, pool: ThreadPool, loggedFailures: list[LogEvent]
    ) -> None:
        """
        Cancelling fails the Deferred at once; the late result is dropped
        quietly when it arrives.
        """
        release = threading.Event()
        d = deferToThreadPool(fake, pool, release.wait, TIMEOUT)
        d.cancel()
        failureOf(d, CancelledError)
        release.set()
        fake.runCall()
        assert loggedFailures == []

    def test_stoppedPool(self, fake: QueueReactor) -> None:
        """
        With a stopped pool, the Deferred fails with L{PoolStoppedError}
        at once.
        """
        stopped = ThreadPool(0, 1, "gone")
        stopped.start()
        stopped.stop()
        d = deferToThreadPool(fake, stopped, int, "1")
        failure = failureOf(d, PoolStoppedError)
        assert isinstance(failure.value, PoolStoppedError)
        assert failure.value.pool == "gone"

    def test_poolStopsBeforeJobRuns(self, fake: QueueReactor) -> None:
        """
        A job dropped from the queue by stop() fails its Deferred with
        L{PoolStoppedError}, rather than leaving it waiting forever.
        """
        notStarted = ThreadPool(0, 1)
        d = deferToThreadPool(fake, notStarted, int, "1")
        notStarted.stop()
        fake.runCall()
        failure = failureOf(d, PoolStoppedError)
        assert isinstance(failure.value, PoolStoppedError)
        assert failure.value.queued

    def test_manyCallsInParallel(self, fake: QueueReactor, pool: ThreadPool) -> None:
        """
        Several calls run in different threads at once, and each Deferred
        gets its own function's result.
        """
        barrier = threading.Barrier(4, timeout=TIMEOUT)

        def job(n: int) -> int:
            barrier.wait()
            return n * n

        ds = [deferToThreadPool(fake, pool, job, n) for n in range(4)]
        for _ in ds:
            fake.runCall()
        assert [resultOf(d) for d in ds] == [0, 1, 4, 9]


class BlockingCallFromThreadTests:
    """
    blockingCallFromThread with the queue double: the test thread is the
    reactor thread, and runs the call when the other thread asks for it.
    """

    def test_value(self, fake: QueueReactor) -> None:
        """
        The function runs in the reactor thread; its return value is
        returned in the calling thread.
        """
        thread, outcome = inThread(
            lambda: blockingCallFromThread(fake, lambda x: (x, threading.current_thread()), 7)
        )
        fake.runCall()
        finish(thread)
        assert outcome == [("ok", (7, threading.current_thread()))]

    def test_deferred(self, fake: QueueReactor) -> None:
        """
        If the function returns a Deferred, the calling thread waits until
        it fires and gets its result.
        """
        later: Deferred[str] = Deferred()
        thread, outcome = inThread(lambda: blockingCallFromThread(fake, lambda: later))
        fake.runCall()
        assert outcome == []
        assert thread.is_alive()
        later.callback("fired")
        finish(thread)
        assert outcome == [("ok", "fired")]

    def test_coroutine(self, fake: QueueReactor) -> None:
        """
        If the function is a coroutine function, its coroutine is run and
        its result returned, awaited Deferreds included.
        """
        later: Deferred[int] = Deferred()

        async def add(n: int) -> int:
            return n + await later

        thread, outcome = inThread(lambda: blockingCallFromThread(fake, add, 1))
        fake.runCall()
        later.callback(41)
        finish(thread)
        assert outcome == [("ok", 42)]

    def test_exception(self, fake: QueueReactor) -> None:
        """
        What the function raises is raised in the calling thread, with the
        function's frame in its traceback.
        """

        def broken() -> None:
            raise LookupError("no such thing")

        thread, outcome = inThread(lambda: blockingCallFromThread(fake, broken))
        fake.runCall()
        finish(thread)
        [(kind, error)] = outcome
        assert kind == "raised"
        assert isinstance(error, LookupError)
        assert error.args == ("no such thing",)
        names = []
        tb = error.__traceback__
        while tb is not None:
            names.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        assert "broken" in names

    def test_failedDeferred(self, fake: QueueReactor, loggedFailures: list[LogEvent]) -> None:
        """
        A Deferred that fails makes the call raise its exception in the
        calling thread, and the failure is not also logged as unhandled.
        """
        later: Deferred[None] = Deferred()
        handOver = [later]
        thread, outcome = inThread(lambda: blockingCallFromThread(fake, handOver.pop))
        fake.runCall()
        later.errback(KeyError("gone"))
        finish(thread)
        [(kind, error)] = outcome
        assert (kind, type(error)) == ("raised", KeyError)
        del later, thread
        gc.collect()
        assert loggedFailures == []

    def test_inReactorThread(self, fake: QueueReactor) -> None:
        """
        Called from the reactor thread, it raises at once rather than
        deadlocking, and schedules nothing.
        """

        def f() -> None:
            pass

        with pytest.raises(
            BlockingCallInReactorThreadError,
            match=r"^blockingCallFromThread\(reactor, <function .*f at 0x[0-9a-f]+>, \.\.\.\) "
            r"was called from the reactor thread, where it would deadlock; ",
        ) as info:
            blockingCallFromThread(fake, f)
        assert info.value.func is f
        assert fake.calls.empty()

    def test_reactorWithoutThreadAttribute(self) -> None:
        """
        A reactor that does not say which its thread is gets the call
        scheduled, trusting the caller.
        """

        @implementer(IReactorFromThreads)
        class Immediate:
            def callFromThread(
                self, callable: Callable[..., Any], *args: object, **kwargs: object
            ) -> None:
                callable(*args, **kwargs)

        assert blockingCallFromThread(Immediate(), succeed, 5) == 5


class ShutdownTests:
    """
    A pool thread waiting in blockingCallFromThread while the reactor
    thread stops its pool gives up rather than deadlocking.
    """

    def test_reactorThreadStopsPool(self) -> None:
        """
        The waiting call raises L{ReactorStoppingError} when the reactor
        thread stops the pool, so stop() can return.
        """
        pool = ThreadPool(0, 1, "shutdown")
        pool.start()
        fake = QueueReactor()
        stopper = threading.Thread(target=pool.stop)
        fake._reactorThread = stopper  # the thread that will stop the pool

        d = deferToThreadPool(fake, pool, blockingCallFromThread, fake, int, "1")
        pending = fake.calls.get(timeout=TIMEOUT)  # the call the job waits for
        stopper.start()
        stopper.join(TIMEOUT)
        if stopper.is_alive():
            callable, args, kwargs = pending
            callable(*args, **kwargs)  # unblock the job so the test can end
            pytest.fail("stop() still waited for the job after the timeout")
        fake.runCall()
        failure = failureOf(d, ReactorStoppingError)
        assert str(failure.value) == (
            "blockingCallFromThread(reactor, <class 'int'>, ...) gave up waiting: the "
            "reactor thread is stopping this thread's pool (the reactor is shutting "
            "down), so the call may not have run; let the job end when it sees this error"
        )

    def test_alreadyStoppingByReactorThread(self) -> None:
        """
        A call made after the reactor thread began stopping the pool raises
        at once, and schedules nothing.
        """
        pool = ThreadPool(0, 1, "shutdown")
        pool.start()
        fake = QueueReactor()
        stopper = threading.Thread(target=pool.stop)
        fake._reactorThread = stopper
        running = threading.Event()
        go = threading.Event()

        def job() -> object:
            running.set()
            assert go.wait(TIMEOUT)
            return blockingCallFromThread(fake, int, "1")

        d = deferToThreadPool(fake, pool, job)
        assert running.wait(TIMEOUT)
        dropped = threading.Event()
        pool.callInThreadWithCallback(lambda success, result: dropped.set(), int)
        stopper.start()
        assert dropped.wait(TIMEOUT)  # stop() has begun: it dropped the queued job
        go.set()
        stopper.join(TIMEOUT)
        assert not stopper.is_alive()
        fake.runCall()
        failureOf(d, ReactorStoppingError)
        assert fake.calls.empty()

    def test_otherThreadStopsPool(self) -> None:
        """
        When a thread other than the reactor's stops the pool, the reactor
        can still answer: the waiting call gets its result, then stop()
        returns.
        """
        pool = ThreadPool(0, 1, "shutdown")
        pool.start()
        fake = QueueReactor()
        d = deferToThreadPool(fake, pool, blockingCallFromThread, fake, int, "12")
        pending = fake.calls.get(timeout=TIMEOUT)
        dropped = threading.Event()
        pool.callInThreadWithCallback(lambda success, result: dropped.set(), int)
        stopper = threading.Thread(target=pool.stop)
        stopper.start()
        assert dropped.wait(TIMEOUT)  # stop() has begun, and woken the job
        callable, args, kwargs = pending
        callable(*args, **kwargs)
        stopper.join(TIMEOUT)
        assert not stopper.is_alive()
        fake.runCall()
        assert resultOf(d) == 12

    def test_realReactorShutdown(self) -> None:
        """
        A process whose reactor stops while a pool thread keeps calling
        into it with blockingCallFromThread exits (Twisted hangs there).
        """
        done = subprocess.run(
            [sys.executable, "-c", SHUTDOWN_SCRIPT],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == (
            "answered in the reactor thread before shutdown: [True, True, True]\nexited\n"
        )


SHUTDOWN_SCRIPT = """\
import threading
from torsion.internet import reactor
from torsion.internet.threads import blockingCallFromThread, deferToThread

answered = []

def answer():
    answered.append(threading.current_thread() is threading.main_thread())
    if len(answered) == 3:
        reactor.stop()

def job():
    while True:  # only ReactorStoppingError ends this loop
        blockingCallFromThread(reactor, answer)

reactor.callWhenRunning(deferToThread, job)
reactor.run()
print("answered in the reactor thread before shutdown:", answered[:3])
print("exited")
"""


class RealReactorTests:
    """
    The same crossings on every real reactor backend, with its own pool.
    """

    def test_deferToThreadPool(self, backendReactor: PollingReactor) -> None:
        """
        A call in the reactor's pool runs in a pool thread and its Deferred
        fires in the reactor thread while the reactor runs.
        """
        reactor = backendReactor
        seen: list[object] = []

        def job(n: int) -> tuple[int, str]:
            return n + 1, threading.current_thread().name

        def started() -> None:
            d = deferToThreadPool(reactor, reactor.getThreadPool(), job, 1)

            def got(result: tuple[int, str]) -> None:
                seen.append((result, threading.current_thread()))
                reactor.stop()

            d.addCallback(got)

        reactor.callWhenRunning(started)
        runReactor(reactor)
        assert seen == [((2, "torsion.reactor-worker-1"), threading.current_thread())]

    def test_blockingCallFromThread(self, backendReactor: PollingReactor) -> None:
        """
        A pool thread can call into the running reactor and wait for a
        Deferred that a reactor timer fires.
        """
        reactor = backendReactor
        seen: list[object] = []

        def inReactor(value: str) -> Deferred[str]:
            d: Deferred[str] = Deferred()
            reactor.callLater(0, d.callback, value + " via a timer")
            return d

        def job() -> tuple[str, str]:
            result = blockingCallFromThread(reactor, inReactor, "hello")
            return result, threading.current_thread().name

        def started() -> None:
            d = deferToThreadPool(reactor, reactor.getThreadPool(), job)
            d.addBoth(seen.append)
            d.addBoth(lambda _: reactor.stop())

        reactor.callWhenRunning(started)
        runReactor(reactor)
        assert seen == [("hello via a timer", "torsion.reactor-worker-1")]

    def test_blockingCallInReactorThread(self, backendReactor: PollingReactor) -> None:
        """
        On a real reactor too, a blocking call from the reactor thread
        raises instead of deadlocking.
        """
        reactor = backendReactor
        raised: list[BaseException] = []

        def started() -> None:
            try:
                blockingCallFromThread(reactor, int, "1")
            except BlockingCallInReactorThreadError as e:
                raised.append(e)
            reactor.stop()

        reactor.callWhenRunning(started)
        runReactor(reactor)
        assert [type(e) for e in raised] == [BlockingCallInReactorThreadError]

    def test_poolStoppedAtShutdown(self, backendReactor: PollingReactor) -> None:
        """
        The reactor's pool threads are all gone once the reactor has stopped.
        """
        reactor = backendReactor
        pool = reactor.getThreadPool()
        threads: list[threading.Thread] = []

        def job() -> None:
            threads.extend(pool.threads)

        def started() -> None:
            deferToThreadPool(reactor, pool, job).addBoth(lambda _: reactor.stop())

        reactor.callWhenRunning(started)
        runReactor(reactor)
        assert pool.joined
        assert len(threads) == 1
        assert not threads[0].is_alive()


GLOBAL_REACTOR_SCRIPT = """\
import threading
from torsion.internet import reactor
from torsion.internet.threads import callMultipleInThread, deferToThread

order = []

def started():
    d = deferToThread(
        lambda a, b: (a * b, threading.current_thread().name.startswith("torsion.reactor-worker-")),
        6, b=7,
    )
    d.addCallback(lambda r: print("deferToThread:", r))
    failed = deferToThread(int, "x")
    failed.addErrback(lambda f: print("failed with", f.type.__name__))
    callMultipleInThread([
        (order.append, (1,), {}),
        (order.append, (2,), {}),
        (lambda: reactor.callFromThread(finish), (), {}),
    ])

def finish():
    print("callMultipleInThread ran in order:", order)
    reactor.stop()

reactor.callWhenRunning(started)
reactor.run()
print("pool stopped:", reactor.threadpool is None)
"""


def test_globalReactor() -> None:
    """
    deferToThread and callMultipleInThread use the global reactor's pool
    (in a subprocess, so this process keeps no global reactor).
    """
    done = subprocess.run(
        [sys.executable, "-c", GLOBAL_REACTOR_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stderr == ""
    assert done.returncode == 0
    assert sorted(done.stdout.splitlines()) == [
        "callMultipleInThread ran in order: [1, 2]",
        "deferToThread: (42, True)",
        "failed with ValueError",
        "pool stopped: True",
    ]


if TYPE_CHECKING:
    # Checked by mypy, never run: the types these functions give.
    def _typeChecks(reactor: IReactorFromThreads, tp: ThreadPool) -> None:
        async def coro() -> bytes:
            return b""

        def deferred() -> Deferred[float]:
            return Deferred()

        assert_type(deferToThread(len, "abc"), Deferred[int])
        assert_type(deferToThreadPool(reactor, tp, str.upper, "a"), Deferred[str])
        assert_type(blockingCallFromThread(reactor, len, "abc"), int)
        assert_type(blockingCallFromThread(reactor, deferred), float)
        assert_type(blockingCallFromThread(reactor, coro), bytes)
        deferToThread(len, 3)  # type: ignore[arg-type]
        blockingCallFromThread(reactor, len)  # type: ignore[call-overload]
