"""
The listening sockets systemd passes to a socket-activated service.

L{ListenFDs.fromEnvironment} reads C{LISTEN_PID}, C{LISTEN_FDS} and
C{LISTEN_FDNAMES}; C{inheritedDescriptors()} and
C{inheritedNamedDescriptors()} give the descriptors.  The endpoint
description C{systemd:domain=INET:index=0} uses it; see
C{docs/endpoints.md}.
"""

from torsion.internet._endpointssystemd import ListenFDs
from torsion.python._publish import publish as _publish

__all__ = ["ListenFDs"]

_publish(globals())
