"""
L{URLPath}: an absolute URL to navigate from, as web resources do
(C{request.URLPath().child(b"edit")}).
"""

from __future__ import annotations

from urllib.parse import quote, unquote_to_bytes, urljoin, urlsplit, urlunsplit

from torsion.python._publish import publish as _publish


def _segments(path: bytes) -> list[bytes]:
    return path.split(b"/")


class URLPath:
    """
    An absolute URL, split in its parts (all bytes, path percent-encoded).

    @ivar scheme: Such as C{b"http"}.
    @ivar netloc: The host and port, such as C{b"example.com:8080"}.
    @ivar path: The path, starting with C{b"/"}.
    @ivar query: The query, without C{?}.
    @ivar fragment: The fragment, without C{#}.
    """

    def __init__(
        self,
        scheme: bytes = b"",
        netloc: bytes = b"localhost",
        path: bytes = b"",
        query: bytes = b"",
        fragment: bytes = b"",
    ) -> None:
        """
        @param scheme: The scheme; C{b"http"} if empty.
        @param netloc: The host and port.
        @param path: The path; C{b"/"} if empty.
        @param query: The query.
        @param fragment: The fragment.
        """
        self.scheme = scheme or b"http"
        self.netloc = netloc
        self.path = path or b"/"
        self.query = query
        self.fragment = fragment

    @classmethod
    def fromString(cls, url: str) -> URLPath:
        """
        Parse a URL given as text.

        @param url: Such as C{"http://example.com/a?b=c"}.
        @return: The URL path.
        @raise ValueError: If C{url} is not text.
        """
        if not isinstance(url, str):
            raise ValueError(f"URLPath.fromString() takes text, not {type(url).__name__}: {url!r}")
        return cls.fromBytes(url.encode("utf-8"))

    @classmethod
    def fromBytes(cls, url: bytes) -> URLPath:
        """
        Parse a URL given as bytes.

        @param url: Such as C{b"http://example.com/a?b=c"}.
        @return: The URL path.
        @raise ValueError: If C{url} is not bytes.
        """
        if not isinstance(url, bytes):
            raise ValueError(f"URLPath.fromBytes() takes bytes, not {type(url).__name__}: {url!r}")
        scheme, netloc, path, query, fragment = urlsplit(url)
        return cls(scheme, netloc, path, query, fragment)

    @classmethod
    def fromRequest(cls, request: object) -> URLPath:
        """
        The URL of the resource a request is rendering.

        @param request: A request with C{prePathURL()}.
        @return: The URL path.
        """
        return cls.fromBytes(request.prePathURL())  # type: ignore[attr-defined]

    def pathList(self, unquote: bool = False, copy: bool = True) -> list[bytes]:
        """
        The path's segments.

        @param unquote: Percent-decode them.
        @param copy: Ignored (a new list is always returned).
        @return: The segments; the first is C{b""} (before the first slash).
        """
        segments = _segments(self.path)
        if unquote:
            return [unquote_to_bytes(s) for s in segments]
        return segments

    def _withPath(self, segments: list[bytes], query: bytes = b"") -> URLPath:
        return type(self)(self.scheme, self.netloc, b"/".join(segments), query)

    def _keep(self, keepQuery: bool) -> bytes:
        return self.query if keepQuery else b""

    def sibling(self, path: bytes, keepQuery: bool = False) -> URLPath:
        """
        The URL with the last path segment replaced by C{path}.

        @param path: The segment (not yet percent-encoded).
        @param keepQuery: Keep the query.
        @return: The new URL path.
        """
        segments = self.pathList()
        segments[-1] = quote(path, safe="").encode("ascii")
        return self._withPath(segments, self._keep(keepQuery))

    def child(self, path: bytes, keepQuery: bool = False) -> URLPath:
        """
        The URL with C{path} appended as a segment.

        @param path: The segment (not yet percent-encoded).
        @param keepQuery: Keep the query.
        @return: The new URL path.
        """
        segments = self.pathList()
        encoded = quote(path, safe="").encode("ascii")
        if segments[-1] == b"":
            segments[-1] = encoded
        else:
            segments.append(encoded)
        return self._withPath(segments, self._keep(keepQuery))

    def parent(self, keepQuery: bool = False) -> URLPath:
        """
        The URL of the parent "directory": C{/a/b/c} gives C{/a/}.

        @param keepQuery: Keep the query.
        @return: The new URL path.
        """
        segments = self.here().pathList()
        if len(segments) > 2:
            del segments[-2]
        return self._withPath(segments, self._keep(keepQuery))

    def here(self, keepQuery: bool = False) -> URLPath:
        """
        The URL of the current "directory": C{/a/b} gives C{/a/}.

        @param keepQuery: Keep the query.
        @return: The new URL path.
        """
        segments = self.pathList()
        if segments[-1] != b"":
            segments[-1] = b""
        return self._withPath(segments, self._keep(keepQuery))

    def click(self, st: bytes) -> URLPath:
        """
        Follow a link relative to this URL, as a browser would.

        @param st: The link, such as C{b"../x?q=1"}.
        @return: The new URL path.
        """
        return self.fromBytes(urljoin(bytes(self), st))

    def __bytes__(self) -> bytes:
        return urlunsplit((self.scheme, self.netloc, self.path, self.query, self.fragment))

    def __str__(self) -> str:
        return bytes(self).decode("utf-8", "replace")

    def __repr__(self) -> str:
        return (
            f"URLPath(scheme={self.scheme!r}, netloc={self.netloc!r}, path={self.path!r}, "
            f"query={self.query!r}, fragment={self.fragment!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, URLPath):
            return NotImplemented
        return bytes(self) == bytes(other)

    def __hash__(self) -> int:
        return hash(bytes(self))


__all__ = ["URLPath"]

_publish(globals())
