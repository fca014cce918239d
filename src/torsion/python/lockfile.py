"""
A lock between processes, kept in the file system.
"""

from torsion.python._lockfile import FilesystemLock, isLocked
from torsion.python._publish import publish as _publish

__all__ = ["FilesystemLock", "isLocked"]

_publish(globals())
