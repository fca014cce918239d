"""
The reactor, Deferreds, transports and everything internet.
"""
