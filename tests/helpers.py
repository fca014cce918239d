"""
Helpers shared by the tests: reading a Deferred's result synchronously,
finding third-party tools, a loopback port that refuses connections.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

import pytest

from torsion.internet.defer import Deferred
from torsion.python.failure import Failure


def resultOf(d: Deferred[Any]) -> Any:
    """
    The result C{d} has now, consuming a failure so it is not logged.

    @raise AssertionError: If C{d} has no result yet.
    """
    box: list[Any] = []
    d.addBoth(box.append)
    assert box, f"{d!r} has no result yet"
    return box[0]


def failureOf(d: Deferred[Any], *types: type[BaseException]) -> Failure:
    """
    The failure C{d} has now, checking that it wraps one of C{types}.

    @raise AssertionError: If C{d} has no result, succeeded, or failed
        otherwise.
    """
    result = resultOf(d)
    assert isinstance(result, Failure), f"{d!r} succeeded with {result!r}"
    assert result.check(*types), result.getTraceback()
    return result


def assertNoResult(d: Deferred[Any]) -> None:
    """
    Check that C{d} has no result yet; a result arriving later passes
    through untouched.
    """
    seen: list[Any] = []

    def look(result: Any) -> Any:
        seen.append(result)
        return result

    d.addBoth(look)
    assert not seen, f"{d!r} has a result but should not: {seen[0]!r}"


def requireTool(command: str) -> str:
    """
    The path of a third-party program the test drives (e.g. C{socat}).

    In CI (C{CI} set) a missing tool fails the test: C{./dev test} installs
    them.  Elsewhere the test is skipped, saying why.
    """
    path = shutil.which(command)
    if path is None:
        message = f"{command} is not installed (./dev test installs it with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run this test")
        pytest.skip(message)
    return path


class RefusingPort:
    """
    A port on 127.0.0.1 that refuses connections for as long as this object
    is open: a socket is bound to it but never listens, so the kernel answers
    every connection attempt with a reset and hands the port to nobody else
    (a port merely closed after a probe can be given to the next listener,
    even one in the same test).
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    def close(self) -> None:
        """Give the port back."""
        self._socket.close()

    def __enter__(self) -> int:
        return self.port

    def __exit__(self, *exc: object) -> None:
        self.close()
