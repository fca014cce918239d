"""
Tests for the command-line programs in L{torsion.scripts}.
"""
