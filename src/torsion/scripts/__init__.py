"""
Command-line programs: L{torsion.scripts.twistd}, for deployments that start
their servers with Twisted's C{twistd}.  The C{torsion} command itself is
L{torsion.application.twist}.  See C{docs/command-line.md}.
"""

__all__: list[str] = []
