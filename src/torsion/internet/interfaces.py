"""
The interfaces of torsion.internet: the documented contract between the
reactor, transports, protocols and the code that uses them.
"""

from torsion.internet._ireactor import (
    IDelayedCall,
    IHalfCloseableDescriptor,
    ILoggingContext,
    IReactorCore,
    IReactorFDSet,
    IReactorFromThreads,
    IReactorInThreads,
    IReactorThreads,
    IReactorTime,
    IReadDescriptor,
    IReadWriteDescriptor,
    IWriteDescriptor,
)

__all__ = [
    "IDelayedCall",
    "IHalfCloseableDescriptor",
    "ILoggingContext",
    "IReactorCore",
    "IReactorFDSet",
    "IReactorFromThreads",
    "IReactorInThreads",
    "IReactorThreads",
    "IReactorTime",
    "IReadDescriptor",
    "IReadWriteDescriptor",
    "IWriteDescriptor",
]
