"""
Applications: services that start and stop together, and the services that
run servers, clients and timers on the reactor.

L{torsion.application.service} has the service hierarchy (C{IService},
C{MultiService}, C{Application}); L{torsion.application.internet} has the
reactor-based services.  See C{docs/services.md}.
"""
