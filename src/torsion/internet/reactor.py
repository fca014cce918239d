"""
The global reactor.

C{from torsion.internet import reactor} gives the installed reactor; if none
is installed yet, the default one is installed first (see
L{torsion.internet.default}).  Importing this module therefore replaces it,
in C{sys.modules}, by the reactor object itself.
"""

import sys

from torsion.internet._install import installDefault

del sys.modules["torsion.internet.reactor"]
installDefault()
