"""
The standard-library-level helpers the rest of torsion builds on.
"""
