"""
Services: things that start and stop, arranged in a tree.

A L{MultiService} starts its children in the order they were added and
stops them in the reverse order, waiting for every child's Deferred.  An
C{Application} is the root of a program's services, adaptable to
L{IService}, L{IServiceCollection} and L{IProcess}.  See C{docs/services.md}.
"""

from torsion.application._iservice import IProcess, IService, IServiceCollection, IServiceMaker
from torsion.application._service import (
    Application,
    MultiService,
    Process,
    Service,
    ServiceMaker,
)
from torsion.python._publish import publish as _publish

__all__ = [
    "Application",
    "IProcess",
    "IService",
    "IServiceCollection",
    "IServiceMaker",
    "MultiService",
    "Process",
    "Service",
    "ServiceMaker",
]

_publish(globals())
