"""
The web server: a L{Site} answers HTTP requests from a tree of resources
(C{torsion.web.resource}).

    from torsion.internet import reactor
    from torsion.web.server import Site
    reactor.listenTCP(8080, Site(root))

See C{docs/web-server.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._encoders import GzipEncoderFactory
from torsion.web._notdone import NOT_DONE_YET
from torsion.web._server import Request, Site, version
from torsion.web._serversession import Session

__all__ = ["NOT_DONE_YET", "GzipEncoderFactory", "Request", "Session", "Site", "version"]

_publish(globals())
