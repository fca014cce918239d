"""
C{twistd} for torsion: run the application of a .tac file, or a plugin's
service, in the foreground or as a daemon, as Twisted's C{twistd} does.

    python -m torsion.scripts.twistd -n -y app.tac --pidfile app.pid -l app.log
    python -m torsion.scripts.twistd -y app.tac       # as a daemon
    python -m torsion.scripts.twistd -n echo --listen tcp:8000

L{run} is the program; L{ServerOptions} its command line.  See
C{docs/command-line.md} for the options and what is left out.
"""

from torsion.python._publish import publish as _publish
from torsion.scripts._tac import NoApplicationError, loadApplication
from torsion.scripts._twistd import run
from torsion.scripts._twistdoptions import ServerOptions

__all__ = ["NoApplicationError", "ServerOptions", "loadApplication", "run"]

if __name__ == "__main__":
    run()
else:
    _publish(globals())
