"""
Trial-style test cases that pytest runs.

Port a trial test suite by importing from here instead of
C{twisted.trial.unittest}; run it with pytest.  See C{docs/testing.md}.
"""

from unittest import SkipTest

from torsion.python._publish import publish as _publish
from torsion.trial._asynctest import TestCase
from torsion.trial._synctest import SynchronousTestCase
from torsion.trial._trialassertions import FailTest
from torsion.trial._trialsupport import Todo, makeTodo

__all__ = ["FailTest", "SkipTest", "SynchronousTestCase", "TestCase", "Todo", "makeTodo"]

_publish(globals())
