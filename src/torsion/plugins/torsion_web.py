"""
The C{web} plugin of the C{torsion} command: a web server for a directory
or for a WSGI application, on each address given with C{--listen}.

    torsion web --listen tcp:8080 --path /srv/www
    torsion web --listen tcp:8080:interface=127.0.0.1 --wsgi myproject.wsgi.application

Each address is logged once it listens, with its real port (so
C{--listen tcp:0} tells you which port it got).
"""

from __future__ import annotations

import os

from zope.interface import alsoProvides

from torsion.application.service import IService, ServiceMaker
from torsion.plugin import IPlugin
from torsion.python import usage

DEFAULT_LISTEN = "tcp:8080"


class Options(usage.Options):
    """
    The options of C{torsion web}.
    """

    synopsis = "[--listen DESCRIPTION]... (--path DIR | --wsgi MODULE.APP) [--logfile FILE]"
    longdesc = (
        "A web server: serves the files of a directory (--path), or a WSGI "
        "application such as a Flask or Django app (--wsgi), run in a thread pool."
    )
    optParameters = [
        [
            "listen",
            None,
            None,
            "Listen on this endpoint description, e.g. tcp:8080:interface=127.0.0.1 "
            f"(may be repeated; default: {DEFAULT_LISTEN}).",
        ],
        ["path", None, None, "Serve the files of this directory."],
        [
            "wsgi",
            None,
            None,
            "Serve this WSGI application, named as module.attribute (importable "
            "from sys.path: set PYTHONPATH).",
        ],
        [
            "logfile",
            None,
            None,
            "Append the access log (combined format) to this file "
            "(default: emit it as log events).",
        ],
    ]

    def opt_listen(self, description: str) -> None:
        """
        Listen on this endpoint description (may be repeated).
        """
        self["listen"] = [*(self["listen"] or []), description]

    def postOptions(self) -> None:
        """
        Check that exactly one of C{--path} and C{--wsgi} was given, and
        listen on the default address if no C{--listen} was.

        @raise usage.UsageError: If both or neither were given, or the
            directory does not exist.
        """
        path, wsgi = self["path"], self["wsgi"]
        if (path is None) == (wsgi is None):
            raise usage.UsageError(
                "give exactly one of --path DIR (serve a directory) and --wsgi MODULE.APP "
                f"(serve a WSGI application); got {'both' if path else 'neither'}"
            )
        if path is not None and not os.path.isdir(path):
            raise usage.UsageError(
                f"--path {path!r} is not a directory; give the directory to serve"
            )
        if wsgi is not None and "." not in wsgi.strip("."):
            raise usage.UsageError(
                f"--wsgi {wsgi!r} is not MODULE.APP; name the application with its "
                "module, such as myproject.wsgi.application"
            )
        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]


def _application(name: str) -> object:
    """
    Import the WSGI application called C{name}.

    @param name: Its dotted name, C{module.attribute}.
    @return: The application.
    @raise ValueError: If it cannot be found, or is not callable.
    """
    from torsion.python.reflect import namedAny

    try:
        application = namedAny(name)
    except (ImportError, AttributeError, ValueError) as e:
        raise ValueError(f"--wsgi {name!r}: no such WSGI application: {e}") from None
    if not callable(application):
        raise ValueError(
            f"--wsgi {name!r} is {application!r}, not a WSGI application: name a callable "
            "taking (environ, start_response)"
        )
    return application


def makeService(options: Options) -> IService:
    """
    Make the web server's service.

    @param options: The parsed options.
    @return: A service serving the site on each C{--listen} description.
    @raise ValueError: If a description is wrong, or the WSGI application
        cannot be imported.
    """
    from torsion.application.twist._listening import listeningService
    from torsion.web.iweb import IResource
    from torsion.web.server import Site

    if options["wsgi"] is not None:
        from torsion.internet import reactor
        from torsion.web.wsgi import WSGIResource

        application = _application(options["wsgi"])
        resource: IResource = WSGIResource(reactor, reactor.getThreadPool(), application)
        what = f"Web server for {options['wsgi']}"
    else:
        from torsion.web.static import File

        resource = File(os.path.abspath(options["path"]))
        what = f"Web server for {options['path']}"
    site = Site(resource, logPath=options["logfile"])
    return listeningService(options["listen"], site, what)


webMaker = ServiceMaker(
    "torsion web",
    __name__,
    "A web server for a directory (--path) or a WSGI application (--wsgi).",
    "web",
)
alsoProvides(webMaker, IPlugin)
