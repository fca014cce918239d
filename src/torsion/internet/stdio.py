"""
Standard input and output as a transport: run a protocol over the pipes,
files or terminal a program was started with.

C{StandardIO(protocol)} connects C{protocol} to descriptors 0 and 1 (or
others given in their place); see C{docs/stdio-and-sockets.md}.
"""

from torsion.internet._stdio import PipeAddress, StandardIO
from torsion.python._publish import publish as _publish

__all__ = ["PipeAddress", "StandardIO"]

_publish(globals())
