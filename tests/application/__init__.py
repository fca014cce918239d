"""
Tests for torsion.application.
"""
