"""
Test doubles for networking code: fake transports, protocols and reactors
that record what happens instead of doing I/O.

Connect a protocol to a L{StringTransport} to check what it writes; give
code a L{MemoryReactorClock} to check what it listens on, connects to and
schedules, moving time with C{advance}.  L{SynchronousResolver} answers
every name lookup with 127.0.0.1 at once.  See C{docs/testing-kit.md}.
"""

from torsion.internet._resolver import SynchronousResolver
from torsion.internet._testingfakes import _FakeConnector, _FakePort
from torsion.internet._testinglog import EventLoggingObserver
from torsion.internet._testingraising import RaisingMemoryReactor
from torsion.internet._testingreactor import MemoryReactor, MemoryReactorClock
from torsion.internet._testingtransport import (
    AccumulatingProtocol,
    FakeDatagramTransport,
    NonStreamingProducer,
    StringIOWithoutClosing,
    StringTransport,
    StringTransportWithDisconnection,
    waitUntilAllDisconnected,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "AccumulatingProtocol",
    "EventLoggingObserver",
    "FakeDatagramTransport",
    "MemoryReactor",
    "MemoryReactorClock",
    "NonStreamingProducer",
    "RaisingMemoryReactor",
    "StringIOWithoutClosing",
    "StringTransport",
    "StringTransportWithDisconnection",
    "SynchronousResolver",
    "_FakeConnector",
    "_FakePort",
    "waitUntilAllDisconnected",
]

_publish(globals())
