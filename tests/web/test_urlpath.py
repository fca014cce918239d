"""
Tests for C{torsion.python.urlpath.URLPath}.
"""

from __future__ import annotations

import pytest

from torsion.python.urlpath import URLPath


def test_parts() -> None:
    """fromString splits a URL into bytes parts."""
    url = URLPath.fromString("https://example.com:8443/a/b?x=1#top")
    assert (url.scheme, url.netloc, url.path, url.query, url.fragment) == (
        b"https",
        b"example.com:8443",
        b"/a/b",
        b"x=1",
        b"top",
    )
    assert url.pathList() == [b"", b"a", b"b"]


def test_emptyPath() -> None:
    """A URL without a path has the path /."""
    assert str(URLPath.fromBytes(b"http://x")) == "http://x/"


def test_childOfDirectory() -> None:
    """child of a URL ending in a slash replaces the empty last segment."""
    assert str(URLPath.fromBytes(b"http://x/a/").child(b"b")) == "http://x/a/b"


def test_parentAndHereOfDirectory() -> None:
    """here of a directory is itself; its parent is one level up."""
    url = URLPath.fromBytes(b"http://x/a/b/")
    assert str(url.here()) == "http://x/a/b/"
    assert str(url.parent()) == "http://x/a/"


def test_pathListUnquoted() -> None:
    """pathList(unquote=True) decodes percent-escapes."""
    assert URLPath.fromBytes(b"http://x/a%20b").pathList(unquote=True) == [b"", b"a b"]


def test_equality() -> None:
    """URL paths compare and hash by their bytes."""
    assert URLPath.fromString("http://x/a") == URLPath.fromBytes(b"http://x/a")
    assert len({URLPath.fromString("http://x/a"), URLPath.fromBytes(b"http://x/a")}) == 1


def test_wrongTypes() -> None:
    """fromString takes text and fromBytes bytes; the other is a ValueError naming it."""
    with pytest.raises(ValueError, match="takes text, not bytes"):
        URLPath.fromString(b"http://x/")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="takes bytes, not str"):
        URLPath.fromBytes("http://x/")  # type: ignore[arg-type]
