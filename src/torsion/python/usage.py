"""
Command-line options parsed the Twisted way.

Subclass L{Options} and declare flags (C{optFlags}), parameters with
defaults and coerce functions (C{optParameters}), C{opt_<name>} methods and
sub-commands (C{subCommands}); L{Options.parseOptions} fills the instance,
which is a dict, and raises L{UsageError} when the command line is wrong.
See C{docs/usage-and-plugins.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.python._usage import CoerceParameter, Options, UsageError, error, portCoerce

__all__ = ["CoerceParameter", "Options", "UsageError", "error", "portCoerce"]

_publish(globals())
