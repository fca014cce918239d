"""
The resource tree a web server answers requests from.

Build a tree of L{Resource} subclasses with C{render_GET} (and friends)
methods, connect them with C{putChild}, and give the root to
C{torsion.web.server.Site}.  See C{docs/web-resources.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._encoders import EncodingResourceWrapper
from torsion.web._resource import (
    ErrorPage,
    ForbiddenResource,
    NoResource,
    Resource,
    getChildForRequest,
)
from torsion.web.iweb import IResource

__all__ = [
    "EncodingResourceWrapper",
    "ErrorPage",
    "ForbiddenResource",
    "IResource",
    "NoResource",
    "Resource",
    "getChildForRequest",
]

_publish(globals())
