"""
Saving and restoring the process-wide state that logging may change.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from torsion.logger import globalLogPublisher


@contextmanager
def preservedLogState() -> Iterator[None]:
    """
    Put back C{sys.stdout}, C{sys.stderr}, C{warnings.showwarning}, the root
    stdlib logger's handlers and level, and the observers of the global
    publisher, as they were, when the block ends.
    """
    stdout, stderr = sys.stdout, sys.stderr
    showwarning = warnings.showwarning
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    observers = globalLogPublisher._observers
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
        warnings.showwarning = showwarning
        root.handlers[:] = handlers
        root.setLevel(level)
        globalLogPublisher._observers = observers


class FakeWarnings:
    """
    A stand-in for the C{warnings} module: a C{showwarning} that records.
    """

    def __init__(self) -> None:
        self.shown: list[tuple[Any, ...]] = []
        self.showwarning = self.original

    def original(self, *args: Any) -> None:
        """
        The C{showwarning} in place before logging began.
        """
        self.shown.append(args)


def fakeStdio() -> SimpleNamespace:
    """
    A stand-in for the C{sys} module, with C{stdout} and C{stderr}.
    """
    return SimpleNamespace(stdout=object(), stderr=object())
