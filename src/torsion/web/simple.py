"""
A small convenience layer over L{torsion.web.client.Agent}, in the style
of treq: L{get}, L{post} and friends take a URL (str or bytes) and
keyword arguments (C{headers}, C{params}, C{data}, C{json}, C{timeout},
C{allow_redirects}, C{agent}, C{pool}), and L{content}, L{text_content}
and L{json_content} collect a response's body.  See C{docs/web-client.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._clientsimple import (
    content,
    delete,
    get,
    head,
    json_content,
    patch,
    post,
    put,
    request,
    text_content,
)

__all__ = [
    "content",
    "delete",
    "get",
    "head",
    "json_content",
    "patch",
    "post",
    "put",
    "request",
    "text_content",
]

_publish(globals())
