"""
Serve a WSGI (PEP 3333) application, such as a Flask or Django app, with
the torsion web server.

    from torsion.internet import reactor
    from torsion.web.server import Site
    from torsion.web.wsgi import WSGIResource

    resource = WSGIResource(reactor, reactor.getThreadPool(), app)
    reactor.listenTCP(8080, Site(resource))

The application runs in the thread pool; its response is streamed to the
client chunk by chunk.  See C{docs/web-wsgi.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._wsgi import WSGIResource

__all__ = ["WSGIResource"]

_publish(globals())
