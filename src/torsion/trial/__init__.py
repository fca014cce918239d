"""
Testing support: trial-style TestCases that pytest runs.
"""
