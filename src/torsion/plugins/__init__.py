"""
The drop-in plugin package that L{torsion.plugin.getPlugins} searches by
default.

Each module here may define plugins: module-level objects that declare
L{torsion.plugin.IPlugin} and the interface they are for (for example
C{IServiceMaker}, which makes a subcommand of the C{torsion} command).  Your
own plugins go in a C{torsion/plugins/} directory, without an
C{__init__.py}, under any directory on C{sys.path}: this package's path is
extended with every such directory when it is imported.
"""

from torsion.plugin import pluginPackagePaths

__path__.extend(pluginPackagePaths(__name__))

__all__: list[str] = []
