"""
HTTP header collections: L{Headers}, with twisted.web.http_headers' API.

Names are case-insensitive and each holds a list of values; values that
contain line breaks or NUL are sanitised so that no header can be injected.
"""

from torsion.python._publish import publish as _publish
from torsion.web._headers import Headers, InvalidHeaderName

__all__ = ["Headers", "InvalidHeaderName"]

_publish(globals())
