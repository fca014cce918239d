"""
A small convenience layer over L{torsion.web.client.Agent}, in the style
of treq: L{get}, L{post} and friends take a URL (str or bytes) and
keyword arguments (C{headers}, C{params}, C{data}, C{json}, C{timeout},
C{allow_redirects}, C{agent}, C{pool}), and L{content}, L{text_content}
and L{json_content} collect a response's body.  See C{docs/web-client.md}.
"""

# The public names are listed once, in torsion.web._clientsimple.__all__;
# the star import brings in exactly those (type checkers re-export
# star-imported names), and __all__ is copied from the same list.
from torsion.python._publish import publish as _publish
from torsion.web._clientsimple import *  # noqa: F403
from torsion.web._clientsimple import __all__ as _names

__all__ = list(_names)

_publish(globals())
