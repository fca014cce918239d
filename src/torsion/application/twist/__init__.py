"""
The C{torsion} command, like Twisted's C{twist}: run the service a plugin
makes.

    torsion [--reactor NAME] [--log-file F] [--log-format text|json]
            [--log-level L] [--pidfile F] PLUGIN [plugin options]

L{Twist.main} is the console script (also C{python -m torsion});
L{TwistOptions} parses its command line, whose subcommands are the
C{IServiceMaker} plugins in C{torsion.plugins}.  See
C{docs/command-line.md}.
"""

from torsion.application.twist._options import TwistOptions
from torsion.application.twist._twist import Twist
from torsion.python._publish import publish as _publish

__all__ = ["Twist", "TwistOptions"]

_publish(globals())
