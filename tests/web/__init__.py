"""
Tests for L{torsion.web}.
"""
