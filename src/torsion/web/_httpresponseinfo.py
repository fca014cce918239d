# The parts of a request that torsion.web.http.Request (and so the server's
# torsion.web.server.Request) and the test double torsion.web.testing.
# DummyRequest do the same way, written once here; the reading side is
# _httprequestinfo.RequestReading.
#
# ResponseBuilding: setting headers, redirecting, building Set-Cookie values
# (refusing parts that would change the header's meaning), notifyFinish
# (over _finishDeferreds and _lostReason, which both requests keep), the
# "one producer at a time" rule, and the errors for a bad status code or a
# bad write().  Each class keeps what differs: how the status is stored and
# when it may change, and what write() and finish() do (the server's are
# performance-tuned: they call in here only to build an error).
#
# SiteURLs: the URLs of a resource traversal (prePathURL, rememberRootURL,
# URLPath), made from prepath, the scheme and the Host header; for the
# server's request and DummyRequest, which both traverse a resource tree.
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from torsion.internet.defer import Deferred, fail, succeed
from torsion.internet.interfaces import IProducer
from torsion.python.failure import Failure
from torsion.web._headers import Headers
from torsion.web._httprequestinfo import RequestReading
from torsion.web._status import FOUND


def _cookiePart(value: bytes | str | int, what: str) -> bytes:
    """
    C{value} as bytes (text as UTF-8), refused if it holds C{;}, CR, LF or
    NUL, which would end the I{Set-Cookie} value or the header early.
    """
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    if b";" in data or b"\r" in data or b"\n" in data or b"\x00" in data:
        raise ValueError(
            f"addCookie(): the cookie {what} {data!r} contains ';', CR, LF or NUL, which would "
            "change the Set-Cookie header's meaning; encode it (e.g. percent-encoding) first"
        )
    return data


def checkResponseCode(code: object) -> None:
    """
    Check the C{code} given to C{setResponseCode}.

    @param code: The code.
    @raise TypeError: If C{code} is not an L{int} (or is a L{bool}).
    """
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(
            f"setResponseCode() takes the code as an int, such as 404, "
            f"not {type(code).__name__}: {code!r}"
        )


def writeError(request: object, data: object) -> Exception:
    """
    The error for C{request.write(data)} when C{data} is not bytes or the
    request is finished (only called then: write() itself stays free of
    calls).

    @param request: The request.
    @param data: What was written.
    @return: A L{TypeError} if C{data} is not bytes, else a
        L{RuntimeError}.
    """
    if not isinstance(data, bytes):
        hint = "; encode text first, e.g. text.encode('utf-8')" if isinstance(data, str) else ""
        return TypeError(f"write() takes bytes, not {type(data).__name__}: {data!r}{hint}")
    return RuntimeError(
        f"write() after finish() on {request!r}; write the whole body before finishing"
    )


class ResponseBuilding:
    """
    What a request does to build its response the same way whether it is
    sent (L{torsion.web.http.Request}) or recorded
    (L{torsion.web.testing.DummyRequest}).
    """

    responseHeaders: Headers
    cookies: list[bytes]
    finished: bool
    producer: IProducer | None
    _finishDeferreds: list[Deferred[None]]
    _lostReason: Failure | None

    if TYPE_CHECKING:

        def setResponseCode(self, code: int, message: bytes | None = None) -> None: ...

    def setHeader(self, name: bytes | str, value: bytes | str) -> None:
        """
        Set a response header, replacing its values.

        @param name: The name; text is encoded as ISO-8859-1.
        @param value: The value; text is encoded as UTF-8.
        """
        self.responseHeaders.setRawHeaders(
            name if isinstance(name, bytes) else name.encode("iso-8859-1"),
            [value if isinstance(value, bytes) else value.encode("utf-8")],
        )

    def redirect(self, url: bytes) -> None:
        """
        Answer I{302 Found} with C{url} as I{Location}.

        @param url: Where to.
        """
        self.setResponseCode(FOUND)
        self.setHeader(b"Location", url)

    def addCookie(
        self,
        k: bytes | str,
        v: bytes | str,
        expires: bytes | str | None = None,
        domain: bytes | str | None = None,
        path: bytes | str | None = None,
        max_age: bytes | str | int | None = None,
        comment: bytes | str | None = None,
        secure: bool | None = None,
        httpOnly: bool = False,
        sameSite: str | None = None,
    ) -> None:
        """
        Add a I{Set-Cookie} header to the response (its value goes to
        C{cookies}).

        @param k: The cookie's name.
        @param v: Its value.
        @param expires: When it expires, as an HTTP date.
        @param domain: The domain it is sent to.
        @param path: The path it is sent for.
        @param max_age: How many seconds it lives.
        @param comment: A comment.
        @param secure: Whether it is sent over HTTPS only.
        @param httpOnly: Whether scripts are kept from it.
        @param sameSite: C{"lax"} or C{"strict"}, or L{None}.
        @raise ValueError: If a part holds C{;}, CR, LF or NUL, or
            C{sameSite} is another value.
        """
        cookie = _cookiePart(k, "name") + b"=" + _cookiePart(v, "value")
        for label, value in (
            (b"Expires", expires),
            (b"Domain", domain),
            (b"Path", path),
            (b"Max-Age", max_age),
            (b"Comment", comment),
        ):
            if value is not None:
                cookie += b"; " + label + b"=" + _cookiePart(value, label.decode().lower())
        if secure:
            cookie += b"; Secure"
        if httpOnly:
            cookie += b"; HttpOnly"
        if sameSite is not None:
            if sameSite.lower() not in ("lax", "strict"):
                raise ValueError(
                    f"addCookie(): sameSite must be 'lax' or 'strict', not {sameSite!r}"
                )
            cookie += b"; SameSite=" + sameSite.lower().encode("ascii")
        self.cookies.append(cookie)

    def notifyFinish(self) -> Deferred[None]:
        """
        A Deferred that fires with L{None} once the response is finished,
        or fails if the request ends otherwise first (the connection is
        lost, or for L{torsion.web.testing.DummyRequest}, processing
        fails).

        @return: A new Deferred.
        """
        if self.finished:
            return succeed(None)
        if self._lostReason is not None:
            return fail(self._lostReason)
        d: Deferred[None] = Deferred()
        self._finishDeferreds.append(d)
        return d

    def _claimProducer(self, producer: IProducer) -> None:
        """
        Make C{producer} the request's producer.

        @raise RuntimeError: If the request has one already.
        """
        if self.producer is not None:
            raise RuntimeError(
                f"registerProducer({producer!r}) on {self!r}, which already has "
                f"{self.producer!r}; unregister it first"
            )
        self.producer = producer


class SiteURLs(RequestReading):
    """
    The URLs of a resource traversal, for the requests that traverse one
    (L{torsion.web.server.Request}, L{torsion.web.testing.DummyRequest}).

    @ivar prepath: The path segments traversed so far.
    @ivar appRootURL: The URL L{rememberRootURL} remembered, or L{None}.
    """

    prepath: list[bytes]
    appRootURL: bytes | None

    def _prePathURL(self, segments: list[bytes]) -> bytes:
        """
        The absolute URL of C{segments} on this request's scheme and host.
        """
        secure = self.isSecure()
        scheme = b"https" if secure else b"http"
        host = self.getRequestHostname()
        port = getattr(self.getHost(), "port", None)
        if isinstance(port, int) and port != (443 if secure else 80):
            host = b"%s:%d" % (host, port)
        path = b"/".join(quote(segment, safe="").encode("ascii") for segment in segments)
        return b"%s://%s/%s" % (scheme, host, path)

    def prePathURL(self) -> bytes:
        """
        The absolute URL of the segments traversed so far.

        @return: Such as C{b"http://example.com/a/b"}.
        """
        return self._prePathURL(self.prepath)

    def rememberRootURL(self) -> None:
        """
        Remember the URL of C{prepath} without its last segment.
        """
        self.appRootURL = self._prePathURL(self.prepath[:-1])

    def getRootURL(self) -> bytes | None:
        """
        @return: The URL L{rememberRootURL} remembered, or L{None}.
        """
        return self.appRootURL

    def URLPath(self) -> Any:
        """
        The URL of the resource being rendered, as a
        C{torsion.python.urlpath.URLPath} to build related URLs from.

        @return: The URL path.
        """
        from torsion.python.urlpath import URLPath

        return URLPath.fromBytes(self.prePathURL())


__all__ = ["ResponseBuilding", "SiteURLs", "checkResponseCode", "writeError"]
