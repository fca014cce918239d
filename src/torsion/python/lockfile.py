"""
A lock between processes, kept in the file system.
"""

from torsion.python._lockfile import FilesystemLock, isLocked

__all__ = ["FilesystemLock", "isLocked"]
