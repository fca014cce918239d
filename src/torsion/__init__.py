"""
torsion: an event-driven networking engine with Twisted's public API.
"""

__version__ = "0.1.0.dev0"
__all__ = ["__version__"]
