"""
Basic framing protocols: lines, netstrings and length-prefixed strings, and
a producer that sends a file.

Subclass L{LineReceiver} (or the faster L{LineOnlyReceiver}) for
line-based protocols, L{NetstringReceiver} or an
L{Int32StringReceiver}/L{Int16StringReceiver}/L{Int8StringReceiver} for
binary framing; use L{FileSender} to stream a file to a transport.  See
C{docs/protocols-basic.md}.
"""

from torsion.protocols._filesender import FileSender
from torsion.protocols._linereceiver import LineOnlyReceiver, LineReceiver
from torsion.protocols._netstring import IncompleteNetstring, NetstringParseError
from torsion.protocols._stringreceivers import (
    Int8StringReceiver,
    Int16StringReceiver,
    Int32StringReceiver,
    IntNStringReceiver,
    NetstringReceiver,
    StatefulStringProtocol,
    StringTooLongError,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "FileSender",
    "IncompleteNetstring",
    "Int8StringReceiver",
    "Int16StringReceiver",
    "Int32StringReceiver",
    "IntNStringReceiver",
    "LineOnlyReceiver",
    "LineReceiver",
    "NetstringParseError",
    "NetstringReceiver",
    "StatefulStringProtocol",
    "StringTooLongError",
]

_publish(globals())
