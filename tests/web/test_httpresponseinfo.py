"""
Tests for L{torsion.web._httpresponseinfo}: the response-side code the
server's request and L{DummyRequest} share, and the public modules that
take their name lists from a private module.
"""

from __future__ import annotations

from typing import Any

import pytest

import torsion.internet._errors
import torsion.internet.error
import torsion.web._clientsimple
import torsion.web.simple
from torsion.internet.testing import StringTransport
from torsion.web._httprequest import Request as HTTPRequest
from torsion.web._httpresponseinfo import (
    ResponseBuilding,
    SiteURLs,
    checkResponseCode,
    writeError,
)
from torsion.web.server import Request as ServerRequest
from torsion.web.testing import DummyRequest


class _Channel:
    """
    Just enough of an HTTP channel for a request that is never sent.
    """

    def __init__(self) -> None:
        self.transport = StringTransport()
        self.site: Any = None

    def requestDone(self, request: object) -> None:
        pass


def test_bothRequestsShareOneImplementation() -> None:
    """
    The server's request and L{DummyRequest} get C{setHeader}, C{redirect},
    C{addCookie}, C{notifyFinish} and the traversal URLs from the same
    classes.
    """
    for name in ("setHeader", "redirect", "addCookie", "notifyFinish"):
        assert getattr(HTTPRequest, name) is getattr(ResponseBuilding, name)
        assert getattr(DummyRequest, name) is getattr(ResponseBuilding, name)
    for name in ("prePathURL", "rememberRootURL", "getRootURL", "URLPath"):
        assert getattr(ServerRequest, name) is getattr(SiteURLs, name)
        assert getattr(DummyRequest, name) is getattr(SiteURLs, name)


@pytest.mark.parametrize("make", [lambda: HTTPRequest(_Channel()), lambda: DummyRequest([])])
def test_addCookieSameValue(make: Any) -> None:
    """
    Both requests build the same I{Set-Cookie} value, and refuse a value
    that would change the header's meaning with the same message.
    """
    request = make()
    request.addCookie("k", b"v", path=b"/", max_age=60, secure=True, sameSite="Lax")
    assert request.cookies == [b"k=v; Path=/; Max-Age=60; Secure; SameSite=lax"]
    with pytest.raises(ValueError, match=r"^addCookie\(\): the cookie value b'a;b' contains"):
        request.addCookie(b"k", b"a;b")


def test_checkResponseCode() -> None:
    """
    C{checkResponseCode} accepts an int and names anything else, a bool
    included.
    """
    checkResponseCode(404)
    with pytest.raises(TypeError, match=r"^setResponseCode\(\) takes .* not bool: True$"):
        checkResponseCode(True)
    with pytest.raises(TypeError, match=r"not str: '404'$"):
        checkResponseCode("404")


def test_writeError() -> None:
    """
    C{writeError} is a L{TypeError} for data that is not bytes (with a hint
    for text), else a L{RuntimeError} naming the finished request.
    """
    request = DummyRequest([])
    typeError = writeError(request, "text")
    assert isinstance(typeError, TypeError)
    assert str(typeError).endswith("encode text first, e.g. text.encode('utf-8')")
    finished = writeError(request, b"late")
    assert isinstance(finished, RuntimeError)
    assert str(finished).startswith(f"write() after finish() on {request!r}")


@pytest.mark.parametrize(
    "public, private",
    [
        (torsion.internet.error, torsion.internet._errors),
        (torsion.web.simple, torsion.web._clientsimple),
    ],
    ids=lambda m: m.__name__,
)
def test_publicNamesFromPrivateList(public: Any, private: Any) -> None:
    """
    A public module whose names are listed once in its private module
    exports exactly those names, each claimed by the public module.
    """
    assert public.__all__ == private.__all__
    # (isidentifier: pytest's assertion rewriting adds "@py_builtins".)
    exported = {name for name in vars(public) if name.isidentifier() and name[0] != "_"}
    assert exported == set(private.__all__)
    for name in public.__all__:
        assert getattr(public, name).__module__ == public.__name__
