"""
Tests run in child processes: signals stopping a real reactor, installing
the global reactor, and task.react's exit status.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

TIMEOUT = 60


def spawn(source: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def runChild(source: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=TIMEOUT,
        check=False,
    )


SIGNALLED = """
    import sys
    from torsion.internet.{backend}reactor import install
    from torsion.internet import defer
    reactor = install()

    def before():
        print("before shutdown", flush=True)
        if {hold}:
            d = defer.Deferred()
            def finish():
                print("held shutdown finished", flush=True)
                d.callback(None)
            reactor.callLater(0.05, finish)
            return d

    reactor.addSystemEventTrigger("before", "shutdown", before)
    reactor.addSystemEventTrigger("after", "shutdown", print, "after shutdown")
    reactor.callWhenRunning(print, "ready", flush=True)
    reactor.run()
    print("run returned", flush=True)
"""


@pytest.mark.parametrize("backend", ["select", "poll", "epoll"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signalStopsCleanly(backend: str, signum: int) -> None:
    """
    SIGTERM or SIGINT stops a running reactor: shutdown triggers run and
    the process exits 0.
    """
    child = spawn(SIGNALLED.format(backend=backend, hold=False))
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    child.send_signal(signum)
    out, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0, err
    assert out == "before shutdown\nafter shutdown\nrun returned\n"


def test_signalWaitsForBeforeShutdownDeferred() -> None:
    """
    A 'before shutdown' Deferred still pending when SIGTERM arrives is
    finished first; then the process exits 0.
    """
    child = spawn(SIGNALLED.format(backend="epoll", hold=True))
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0, err
    assert out == ("before shutdown\nheld shutdown finished\nafter shutdown\nrun returned\n")


def test_withoutSignalHandlers() -> None:
    """
    run(installSignalHandlers=False) leaves SIGTERM's default action alone.
    """
    child = spawn(
        """
        from torsion.internet.epollreactor import install
        reactor = install()
        reactor.callWhenRunning(print, "ready", flush=True)
        reactor.run(installSignalHandlers=False)
        """
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=TIMEOUT)
    assert child.returncode == -signal.SIGTERM


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "EPollReactor"),
        ({"TORSION_REACTOR": "poll"}, "PollReactor"),
        ({"TORSION_REACTOR": "select"}, "SelectReactor"),
    ],
)
def test_globalReactorInstall(env: dict[str, str], expected: str) -> None:
    """
    Importing torsion.internet.reactor installs the default (epoll on Linux)
    or the one TORSION_REACTOR names; both import forms give the same object.
    """
    result = runChild(
        """
        import torsion.internet.reactor
        from torsion.internet import reactor
        import sys
        assert sys.modules["torsion.internet.reactor"] is reactor
        print(type(reactor).__name__)
        """,
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{expected}\n"


def test_installTwice() -> None:
    """
    Installing a reactor when one is installed raises
    ReactorAlreadyInstalledError saying which.
    """
    result = runChild(
        """
        from torsion.internet import reactor, selectreactor
        from torsion.internet.error import ReactorAlreadyInstalledError
        try:
            selectreactor.install()
        except ReactorAlreadyInstalledError as e:
            print(e)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("a reactor is already installed (<EPollReactor")


def test_unknownReactorName() -> None:
    """
    An unknown TORSION_REACTOR fails the import with the valid names.
    """
    result = runChild("import torsion.internet.reactor", TORSION_REACTOR="kqueue-ish")
    assert result.returncode == 1
    assert "unknown reactor 'kqueue-ish'; choose one of: epoll, poll, select" in result.stderr


REACT = """
    import sys
    from torsion.internet import task, defer

    async def main(reactor, how):
        await task.deferLater(reactor, 0.01)
        if how == "fail":
            raise ValueError("main failed")
        if how == "exit":
            raise SystemExit(3)
        print("main done", reactor.running)

    task.react(main, [sys.argv[1]])
"""


@pytest.mark.parametrize(("how", "status"), [("ok", 0), ("fail", 1), ("exit", 3)])
def test_react(how: str, status: int) -> None:
    """
    task.react runs main on the reactor, stops it, and exits with 0, 1 (an
    error, logged) or the SystemExit code.
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(REACT), how],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == status, result.stderr
    if how == "ok":
        assert result.stdout == "main done True\n"
    if how == "fail":
        assert "main function encountered error" in result.stderr
        assert "ValueError: main failed" in result.stderr
