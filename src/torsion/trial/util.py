"""
Utilities for tests that run a reactor.

L{runUntil} runs a reactor until a Deferred fires (the way
L{torsion.trial.unittest.TestCase} waits, for a reactor of your own);
L{DirtyReactorAggregateError} is how a test that leaves work on the reactor
fails.  See C{docs/testing.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.trial._janitor import DirtyReactorAggregateError
from torsion.trial._waiting import DEFAULT_TIMEOUT_DURATION, runUntil

__all__ = ["DEFAULT_TIMEOUT_DURATION", "DirtyReactorAggregateError", "runUntil"]

_publish(globals())
