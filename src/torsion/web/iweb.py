"""
Interfaces of the web layer: the server-side request and resource, the HTTP
client's agent, request and response, body producers, HTTP authentication
and access logging.

A server hands each request, an L{IRequest}, to a tree of L{IResource}s::

    getChildWithDefault* (one per path segment, from the root)
        -> render -> (write* -> finish) or NOT_DONE_YET then write* -> finish

A client asks an L{IAgent} for a resource and gets an L{IResponse} whose body
it reads with C{deliverBody}; a request body comes from an
L{IBodyProducer}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, overload

from zope.interface import Attribute, Interface

from torsion.internet.interfaces import IPushProducer

if TYPE_CHECKING:
    from torsion.internet.defer import Deferred
    from torsion.internet.interfaces import (
        IAddress,
        IConsumer,
        IOpenSSLClientConnectionCreator,
        IProtocol,
        IStreamClientEndpoint,
    )
    from torsion.web.http_headers import Headers

UNKNOWN_LENGTH: Final = "torsion.web.iweb.UNKNOWN_LENGTH"
"""
The length of a body whose size is not known in advance (see
L{IBodyProducer.length} and L{IResponse.length}).
"""


class IRequest(Interface):
    """
    An HTTP request as a server's resources see it, and the response they
    build for it.

    A resource reads the request's attributes and headers, sets the
    response code and headers, then either returns the whole body from
    C{render} or writes it with L{write} and ends it with L{finish}.
    Headers and the code must be set before the first L{write}.
    """

    method = Attribute("The request method as bytes, such as b'GET'.")
    uri = Attribute("The request target as bytes, with the query: b'/a/b?x=1'.")
    path = Attribute("The request target's path as bytes, without the query: b'/a/b'.")
    args = Attribute(
        "The decoded query arguments (and form fields of a form body): a dict "
        "from bytes names to lists of bytes values, such as "
        "{b'x': [b'1', b'2']} for '?x=1&x=2'."
    )
    prepath = Attribute(
        "The path segments (bytes) already used to find the resource, "
        "outermost first.  Traversal moves segments from postpath to here."
    )
    postpath = Attribute(
        "The path segments (bytes) not yet used to find the resource.  A leaf "
        "resource renders with the rest of the path left here."
    )
    requestHeaders = Attribute("The request's headers: a torsion.web.http_headers.Headers.")
    responseHeaders = Attribute(
        "The response's headers, sent with the first write: a torsion.web.http_headers.Headers."
    )
    content = Attribute(
        "The request body as a binary file object (in memory or on disk), positioned at its start."
    )

    @overload
    def getHeader(key: bytes) -> bytes | None: ...

    @overload
    def getHeader(key: str) -> str | None: ...

    def getHeader(key: bytes | str) -> bytes | str | None:
        """
        The last value of a request header.

        @param key: The header name, any case.
        @return: The value, of the same type as C{key} (L{str} values are
            decoded from UTF-8), or L{None} if the request has no such
            header.
        """

    def getCookie(key: bytes) -> bytes | None:
        """
        A cookie the client sent.

        @param key: The cookie's name.
        @return: Its value, or L{None} if the client sent no such cookie.
        """

    def getAllHeaders() -> dict[bytes, bytes]:
        """
        Every request header, by lowercased name, with its last value.

        Headers sent more than once lose all but their last value here;
        C{requestHeaders.getAllRawHeaders()} has them all.

        @return: A new dict.
        """

    def getRequestHostname() -> bytes:
        """
        The host the client asked for: the I{Host} header without its port,
        or the server's own address if the header is missing.

        The value comes from the client: it may be an IP address and need
        not be a valid host name.

        @return: The host name.
        """

    def getHost() -> IAddress:
        """
        The server's end of the connection the request came on.

        @return: The local address (changed by L{setHost}).
        """

    def getClientAddress() -> IAddress:
        """
        The client's end of the connection the request came on.

        It need not be an IP address (a UNIX socket has none): check its
        type before using it.

        @return: The peer's address.
        """

    def getClientIP() -> str | None:
        """
        The client's IP address, if it connected over IP.

        Prefer L{getClientAddress}, which also covers other transports.

        @return: The address as text, or L{None}.
        """

    def getUser() -> bytes:
        """
        The user name of the request's HTTP Basic credentials.

        @return: The name, or C{b""} if the request has no credentials.
        """

    def getPassword() -> bytes:
        """
        The password of the request's HTTP Basic credentials.

        @return: The password, or C{b""} if the request has no credentials.
        """

    def isSecure() -> bool:
        """
        Whether the request came over TLS (or L{setHost} said it did).

        @return: C{True} for HTTPS.
        """

    def getSession(sessionInterface: Any = None) -> Any:
        """
        The session of the client that made the request, made on first use.

        @param sessionInterface: If given, return this interface's component
            of the session instead of the session itself.
        @return: The session (or its component).
        """

    def URLPath() -> Any:
        """
        The URL of the request, as a C{URLPath} to build related URLs from.

        @return: A C{URLPath}.
        """

    def prePathURL() -> bytes:
        """
        The absolute URL of the resource reached so far: scheme, host and
        port, then the segments of C{prepath}.

        @return: The URL, such as C{b"http://example.com/a/b"}.
        """

    def rememberRootURL() -> None:
        """
        Remember the URL of the resource being traversed now (without its
        last segment) for L{getRootURL}.
        """

    def getRootURL() -> bytes | None:
        """
        The URL remembered by L{rememberRootURL}.

        @return: The URL, or L{None} if none was remembered.
        """

    def finish() -> None:
        """
        End the response: everything has been written.

        @raise RuntimeError: If the request is already finished.
        """

    def write(data: bytes) -> None:
        """
        Write part of the response body.  The first call sends the status
        line and headers, which cannot change afterwards.

        @param data: The bytes.
        @raise RuntimeError: If the request is already finished.
        """

    def addCookie(
        k: bytes | str,
        v: bytes | str,
        expires: bytes | str | None = None,
        domain: bytes | str | None = None,
        path: bytes | str | None = None,
        max_age: bytes | str | int | None = None,
        comment: bytes | str | None = None,
        secure: bool | None = None,
    ) -> None:
        """
        Set a cookie on the client with a I{Set-Cookie} response header.

        @param k: The cookie's name.
        @param v: Its value.
        @param expires: When it expires, as an HTTP date.
        @param domain: The domain it is sent to.
        @param path: The path it is sent for.
        @param max_age: How many seconds it lives.
        @param comment: A comment.
        @param secure: Whether it is sent over HTTPS only.
        """

    def setResponseCode(code: int, message: bytes | None = None) -> None:
        """
        Set the response's status code.

        @param code: The code, such as C{404}.
        @param message: The reason phrase; by default the standard one.
        """

    def setHeader(k: bytes | str, v: bytes | str) -> None:
        """
        Set a response header, replacing any value it had.

        @param k: The header name.
        @param v: The value; L{str} is encoded to UTF-8.
        """

    def redirect(url: bytes) -> None:
        """
        Answer with a redirect (I{302 Found}) to C{url}; the caller still
        writes a body, if any, and finishes the request.

        @param url: Where to.
        """

    def setLastModified(when: float) -> object:
        """
        Set the I{Last-Modified} time of the response; a later time replaces
        an earlier one, never the reverse.

        For a conditional request (I{If-Modified-Since}) this may set the
        code to I{304 Not Modified}.

        @param when: Seconds since the epoch.
        @return: A true value (C{http.CACHED}) if the response must have no
            body because the client's copy is current; a false value
            otherwise.
        """

    def setETag(etag: bytes) -> object:
        """
        Set the entity tag (I{ETag}) of the response.

        For a conditional request (I{If-None-Match}, I{If-Match}) this may
        set the code to I{304 Not Modified} or I{412 Precondition Failed}.

        @param etag: The tag.
        @return: A true value (C{http.CACHED}) if the response must have no
            body; a false value otherwise.
        """

    def setHost(host: bytes, port: int, ssl: bool = False) -> None:
        """
        Change the host, port and scheme the request believes it arrived
        on, as a server behind a reverse proxy must.

        @param host: The public host name.
        @param port: The public port.
        @param ssl: Whether the public side is HTTPS.
        """

    def notifyFinish() -> Deferred[None]:
        """
        A Deferred for the end of the request.

        It fires with L{None} once L{finish} has been called, or fails if
        the connection is lost first (or processing failed), which tells a
        resource rendering with C{NOT_DONE_YET} to stop.

        @return: A new Deferred each call.
        """


class IResource(Interface):
    """
    A node in a server's tree of web resources.

    The server finds the resource for a request by walking from the root:
    while the request has path segments left and the current resource is
    not a leaf, it moves one segment from C{request.postpath} to
    C{request.prepath} and asks C{getChildWithDefault} for that child.  It
    then calls C{render} on the resource it reached.
    """

    isLeaf = Attribute(
        "Whether traversal stops here: a leaf renders every request whose "
        "path reaches it, with the rest of the path in request.postpath."
    )

    def getChildWithDefault(name: bytes, request: IRequest) -> IResource:
        """
        The child for one path segment.

        @param name: The segment, percent-decoded; C{b""} for the empty
            segment after a trailing slash.
        @param request: The request being traversed.
        @return: The child: a registered one, a computed one, or a resource
            that renders an error (such as a 404 page).
        """

    def putChild(path: bytes, child: IResource) -> None:
        """
        Register a child for one path segment.

        @param path: The segment, as bytes; C{b""} for the path with a
            trailing slash.
        @param child: The resource.
        @raise TypeError: If C{path} is not bytes.
        """

    def render(request: IRequest) -> bytes | int:
        """
        Answer a request.

        @param request: The request.
        @return: The whole response body as bytes, or C{NOT_DONE_YET} if the
            resource will write the body and call C{request.finish()}
            itself later.
        @raise torsion.web.error.UnsupportedMethod: If the resource does not
            implement the request's method (the server answers 405).
        """


class IRenderable(Interface):
    """
    Something the template system can render: an element with a template
    and named render methods.
    """

    def lookupRenderMethod(name: str) -> Any:
        """
        The render method a template's C{t:render} directive names.

        @param name: The directive's value.
        @return: A callable taking the request and the tag.
        @raise torsion.web.error.MissingRenderMethod: If there is none.
        """

    def render(request: IRequest | None) -> Any:
        """
        The document to flatten.

        @param request: The request being answered, or L{None}.
        @return: A flattenable object.
        """


class ITemplateLoader(Interface):
    """
    Loads a template: what an element's C{loader} attribute holds.
    """

    def load() -> list[Any]:
        """
        Load the template.

        @return: Flattenable objects: strings, tags, renderables.
        """


class IBodyProducer(IPushProducer):
    """
    Produces a request (or response) body into a consumer.

    Calls::

        startProducing -> (pauseProducing -> resumeProducing)* -> stopProducing?

    The producer writes to the consumer as soon as C{startProducing} is
    called, and fires the returned Deferred when it has written everything;
    it never calls the consumer's C{unregisterProducer}.  The consumer's
    C{write} may call C{pauseProducing}, C{resumeProducing} or
    C{stopProducing} re-entrantly.
    """

    length = Attribute(
        "How many bytes the producer will write in total, as an int, or "
        "UNKNOWN_LENGTH if that is not known in advance."
    )

    def startProducing(consumer: IConsumer) -> Deferred[None]:
        """
        Start writing the body to C{consumer}.

        @param consumer: Where to write.
        @return: A Deferred that fires with L{None} when the whole body is
            written, or fails if producing fails; cancelling it stops
            producing.
        """

    def stopProducing() -> None:
        """
        Stop writing; the Deferred from C{startProducing} then never fires.
        """


class IClientRequest(Interface):
    """
    A request an HTTP client sent (see L{IResponse.request}).
    """

    method = Attribute("The request method as bytes, such as b'GET'.")
    absoluteURI = Attribute("The absolute URI requested, as bytes, or None if unknown.")
    headers = Attribute("The headers sent: a torsion.web.http_headers.Headers.")


class IResponse(Interface):
    """
    An HTTP response an HTTP client received.

    The status line and headers are here when the agent's Deferred fires;
    the body arrives later, through L{deliverBody}.
    """

    version = Attribute("The protocol version: a tuple such as (b'HTTP', 1, 1).")
    code = Attribute("The status code, an int such as 200.")
    phrase = Attribute("The reason phrase, as bytes, such as b'OK'.")
    headers = Attribute("The response headers: a torsion.web.http_headers.Headers.")
    length = Attribute(
        "The body's length in bytes from its Content-Length, UNKNOWN_LENGTH "
        "if the server did not say, or 0 for a response to HEAD."
    )
    request = Attribute("The IClientRequest this responds to.")
    previousResponse = Attribute(
        "The IResponse that redirected to this one, or None: follow it to see "
        "every hop of a redirect chain."
    )

    def deliverBody(protocol: IProtocol) -> None:
        """
        Send the body to C{protocol}.

        The protocol is connected to a transport that is an
        L{IPushProducer}, receives the body in C{dataReceived}, then
        C{connectionLost} with C{ResponseDone} (the whole body arrived),
        C{PotentialDataLoss} (the server closed the connection without
        saying how long the body was) or C{ResponseFailed} (part of the body
        was lost).

        @param protocol: The protocol to deliver to.
        """

    def setPreviousResponse(response: IResponse) -> None:
        """
        Set L{previousResponse}.

        @param response: The response that redirected to this one.
        """


class IAgent(Interface):
    """
    Makes HTTP requests.

    Agents compose: one that follows redirects, decodes content or keeps
    cookies wraps another agent and adds one feature.
    """

    def request(
        method: bytes,
        uri: bytes,
        headers: Headers | None = None,
        bodyProducer: IBodyProducer | None = None,
    ) -> Deferred[IResponse]:
        """
        Request a resource.

        @param method: The method, such as C{b"GET"} or C{b"POST"}.
        @param uri: The absolute URI (some agents also take relative ones).
        @param headers: Headers to send, or L{None}; the agent may add its
            own.
        @param bodyProducer: Produces the request body, or L{None} for no
            body.
        @return: A Deferred that fires with the L{IResponse} once its status
            line and headers have arrived (whatever the code), or fails if
            the request could not be sent or the response not received.
        """


class IAgentEndpointFactory(Interface):
    """
    Chooses the endpoint an agent connects to for a URI.
    """

    def endpointForURI(uri: Any) -> IStreamClientEndpoint:
        """
        The endpoint to connect to for C{uri}.

        @param uri: The parsed URI (a C{torsion.web.client.URI}).
        @return: A client endpoint.
        @raise torsion.web.error.SchemeNotSupported: If the URI's scheme is
            not supported.
        """


class IPolicyForHTTPS(Interface):
    """
    Decides how an HTTPS client verifies each server it connects to.
    """

    def creatorForNetloc(hostname: bytes, port: int) -> IOpenSSLClientConnectionCreator:
        """
        The TLS settings for connecting to C{hostname} on C{port}.

        @param hostname: The server's host name.
        @param port: The server's port.
        @return: A connection creator that verifies that server.
        """


class ICredentialFactory(Interface):
    """
    One HTTP authentication scheme: builds the challenge a server sends,
    and turns the client's answer into credentials.
    """

    scheme = Attribute("The scheme's name as bytes, such as b'basic' or b'digest'.")

    def getChallenge(request: IRequest) -> dict[str, Any]:
        """
        The parameters of the I{WWW-Authenticate} challenge for C{request}.

        @param request: The request being refused.
        @return: The challenge's parameters (such as C{realm}).
        """

    def decode(response: bytes, request: IRequest) -> Any:
        """
        Turn the client's I{Authorization} header value into credentials.

        @param response: The header's value after the scheme name.
        @param request: The request that carried it.
        @return: Credentials to check.
        @raise Exception: C{LoginFailed} if C{response} is malformed.
        """


class IUsernameDigestHash(Interface):
    """
    Credentials that can be checked against a stored digest-authentication
    hash (C{HA1}) instead of a password.
    """

    def checkHash(digestHash: bytes) -> bool:
        """
        Whether the credentials match C{digestHash}.

        @param digestHash: The hash of user name, realm and password.
        @return: C{True} if they match.
        """


class IAccessLogFormatter(Interface):
    """
    Turns a finished request into one line of a server's access log.
    """

    def __call__(timestamp: str, request: IRequest) -> str:
        """
        The log line for C{request}.

        @param timestamp: When the request finished, in access-log format.
        @param request: The request.
        @return: One line, without a trailing newline.
        """


class INonQueuedRequestFactory(Interface):
    """
    Makes the request object for each request on an HTTP connection.
    """

    def __call__(channel: Any) -> IRequest:
        """
        A new request on C{channel}.

        @param channel: The HTTP connection; it processes one request at a
            time.
        @return: The request.
        """


__all__ = [
    "UNKNOWN_LENGTH",
    "IAccessLogFormatter",
    "IAgent",
    "IAgentEndpointFactory",
    "IBodyProducer",
    "IClientRequest",
    "ICredentialFactory",
    "INonQueuedRequestFactory",
    "IPolicyForHTTPS",
    "IRenderable",
    "IRequest",
    "IResource",
    "IResponse",
    "ITemplateLoader",
    "IUsernameDigestHash",
]
