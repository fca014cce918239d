"""
The default reactor for this platform (epoll on Linux), or the one named by
the TORSION_REACTOR environment variable.
"""

from torsion.internet._install import installDefault as install

__all__ = ["install"]
