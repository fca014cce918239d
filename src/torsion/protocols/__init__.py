"""
Wire protocols: line, netstring and length-prefixed framing in
L{torsion.protocols.basic}, and more to come.

Each protocol is a sans-IO parser (bytes in, events out) with a thin
L{torsion.internet.protocol.Protocol} subclass as glue.
"""
