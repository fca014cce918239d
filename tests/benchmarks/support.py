# Helpers shared by the benchmark smoke tests.
#
# Each test module runs its benchmark script in a fresh interpreter, the way
# people run it, and checks what it prints: runScript() starts the script and
# collects its output, assertRefused() checks how a bad option is turned
# down, and profileHeadings() picks the per-case headings out of a --profile
# report of the in-process benchmarks (defer, httpparse, reactor).
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

#: Where the benchmark scripts are.
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def runScript(
    name: str, *arguments: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """
    Run a benchmark script in a fresh interpreter.

    @param name: The script's file name in C{benchmarks/}, e.g.
        C{"bench_defer.py"}.
    @param arguments: Command-line arguments for the script.
    @param env: Environment variables to set or replace.
    @param timeout: Seconds the script may take.
    @return: The finished process, with text output.
    """
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def assertRefused(process: subprocess.CompletedProcess[str], message: str) -> None:
    """
    Assert that a script refused its command line with C{message}.

    @param process: The finished script.
    @param message: What its standard error must contain.
    """
    assert process.returncode == 2, process.stderr
    assert message in process.stderr


def profileHeadings(output: str) -> list[str]:
    """
    @param output: What an in-process benchmark printed under C{--profile}.
    @return: The keys of the cases profiled, in order, from the headings
        C{== (key) title: torsion, N repetitions}.
    """
    return re.findall(r"^== \((\w+)\) .*: torsion, [\d,]+ repetitions$", output, re.M)


def failingCompiler(directory: Path, message: str) -> Path:
    """
    Write a stand-in C compiler that prints C{message} and fails.

    @param directory: Where to put it.
    @param message: What it prints on its standard error (no single quotes).
    @return: Its path, for C{CC}.
    """
    compiler = directory / "cc"
    compiler.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    compiler.chmod(0o755)
    return compiler


def checkCompilerFailure(
    run: Callable[..., subprocess.CompletedProcess[str]], directory: Path
) -> None:
    """
    Assert that a benchmark that compiles C programs reports a failing
    compiler: which program did not compile, with what, the compiler's
    own message, and exit status 3.

    @param run: Runs the script: C{run(*arguments, env=...)}.
    @param directory: Where to put the failing compiler.
    """
    failing = failingCompiler(directory, "no compiling today")
    process = run("--quick", env={"CC": str(failing)})
    assert process.returncode == 3
    assert f"compiling loadgen.c with {failing} failed" in process.stderr
    assert "no compiling today" in process.stderr
