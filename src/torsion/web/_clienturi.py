# URI: an absolute http or https URI cut into the parts an HTTP client
# needs (scheme, host, port, the origin-form target).  It leans on
# urllib.parse for the split and adds the defaults: port 80 or 443 from the
# scheme, brackets removed from an IPv6 literal host, and "/" for an empty
# path in the request target.
from __future__ import annotations

from urllib.parse import urlparse, urlunparse

_DEFAULT_PORTS = {b"http": 80, b"https": 443}


class URI:
    """
    An absolute URI, split into parts, all bytes except C{port}.

    @ivar scheme: E.g. C{b"https"}.
    @ivar netloc: Host and optional port as written, e.g. C{b"[::1]:8080"}.
    @ivar host: The host without brackets, e.g. C{b"::1"}.
    @ivar port: The port: the one written, else the scheme's default.
    @ivar path: E.g. C{b"/a/b"}; may be empty.
    @ivar params: The part after C{;} in the last path segment.
    @ivar query: The part after C{?}.
    @ivar fragment: The part after C{#}.
    """

    def __init__(
        self,
        scheme: bytes,
        netloc: bytes,
        host: bytes,
        port: int,
        path: bytes,
        params: bytes,
        query: bytes,
        fragment: bytes,
    ) -> None:
        """
        @param scheme: The scheme.
        @param netloc: Host and optional port as written.
        @param host: The host name or address.
        @param port: The port number.
        @param path: The path.
        @param params: The path parameters.
        @param query: The query.
        @param fragment: The fragment.
        """
        self.scheme = scheme
        self.netloc = netloc
        self.host = host
        self.port = port
        self.path = path
        self.params = params
        self.query = query
        self.fragment = fragment

    @classmethod
    def fromBytes(cls, uri: bytes, defaultPort: int | None = None) -> URI:
        """
        Parse an absolute URI.

        @param uri: E.g. C{b"http://example.com:8080/a?b=c"}.
        @param defaultPort: The port when the URI has none; by default the
            scheme's (80 for http, 443 for https).
        @return: The parsed URI.
        @raise TypeError: If C{uri} is not bytes.
        @raise ValueError: If the port is not a number.
        """
        if not isinstance(uri, bytes):
            raise TypeError(
                f"URI.fromBytes takes bytes, not {type(uri).__name__}: {uri!r}; "
                "encode it first, e.g. uri.encode('ascii')"
            )
        scheme, netloc, path, params, query, fragment = urlparse(uri.strip())
        if defaultPort is None:
            defaultPort = _DEFAULT_PORTS.get(scheme, 80)
        host, port = netloc, defaultPort
        if b"@" in host:
            host = host.rpartition(b"@")[2]
        if host.startswith(b"["):
            end = host.find(b"]")
            rest = host[end + 1 :]
            host = host[1:end]
            if rest.startswith(b":") and rest[1:]:
                port = _port(rest[1:], uri)
        elif b":" in host:
            host, _, text = host.rpartition(b":")
            if text:
                port = _port(text, uri)
        return cls(scheme, netloc, host, port, path, params, query, fragment)

    def toBytes(self) -> bytes:
        """
        Put the URI back together.

        @return: The absolute URI as bytes.
        """
        return urlunparse(
            (self.scheme, self.netloc, self.path, self.params, self.query, self.fragment)
        )

    @property
    def originForm(self) -> bytes:
        """
        The request target for a request to the origin server: path,
        params and query, with C{b"/"} for an empty path.
        """
        target = urlunparse((b"", b"", self.path or b"/", self.params, self.query, b""))
        return target

    def __repr__(self) -> str:
        return f"<URI {self.toBytes()!r}>"


def _port(text: bytes, uri: bytes) -> int:
    """
    The port number in C{text}.

    @raise ValueError: If it is not a number from 0 to 65535.
    """
    if not text.isdigit() or int(text) > 65535:
        raise ValueError(f"invalid port {text!r} in URI {uri!r}: use a number from 0 to 65535")
    return int(text)


__all__ = ["URI"]
