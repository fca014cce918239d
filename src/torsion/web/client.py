"""
An HTTP/1.1 client: L{Agent} sends requests over TCP or TLS and fires with
an L{IResponse} whose body L{readBody} collects.  L{HTTPConnectionPool}
keeps connections open for reuse; L{FileBodyProducer} sends a file as a
request body.  Wrapping agents add features: L{RedirectAgent} and
L{BrowserLikeRedirectAgent} follow redirects, L{ContentDecoderAgent}
decodes gzip bodies, L{CookieAgent} keeps cookies; L{ProxyAgent} goes
through an HTTP proxy (https in a CONNECT tunnel; L{TunnelError} when
the proxy refuses it).  See C{docs/web-client.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._clientagent import Agent, BrowserLikePolicyForHTTPS, ProxyAgent
from torsion.web._clientbody import FileBodyProducer
from torsion.web._clienterrors import (
    PartialDownloadError,
    PotentialDataLoss,
    RequestGenerationFailed,
    RequestNotSent,
    RequestTransmissionFailed,
    ResponseDone,
    ResponseFailed,
    ResponseNeverReceived,
    WrongBodyLength,
)
from torsion.web._clientpool import HTTPConnectionPool
from torsion.web._clientprotocol import HTTP11ClientProtocol
from torsion.web._clientrequest import Request
from torsion.web._clientresponse import Response, readBody
from torsion.web._clienttunnel import TunnelError
from torsion.web._clienturi import URI
from torsion.web._clientwrappers import (
    BrowserLikeRedirectAgent,
    ContentDecoderAgent,
    CookieAgent,
    GzipDecoder,
    RedirectAgent,
)

__all__ = [
    "URI",
    "Agent",
    "BrowserLikePolicyForHTTPS",
    "BrowserLikeRedirectAgent",
    "ContentDecoderAgent",
    "CookieAgent",
    "FileBodyProducer",
    "GzipDecoder",
    "HTTP11ClientProtocol",
    "HTTPConnectionPool",
    "PartialDownloadError",
    "PotentialDataLoss",
    "ProxyAgent",
    "RedirectAgent",
    "Request",
    "RequestGenerationFailed",
    "RequestNotSent",
    "RequestTransmissionFailed",
    "Response",
    "ResponseDone",
    "ResponseFailed",
    "ResponseNeverReceived",
    "TunnelError",
    "WrongBodyLength",
    "readBody",
]

_publish(globals())
