"""
Tests for L{torsion.web.error} and for the status codes and reason phrases
of C{torsion.web._status}.
"""

from __future__ import annotations

import importlib.util
import re
import traceback

import pytest

from torsion.web import _status, error
from torsion.web.error import (
    Error,
    FlattenerError,
    InfiniteRedirection,
    MissingRenderMethod,
    MissingTemplateLoader,
    PageRedirect,
    RedirectWithNoLocation,
    RenderError,
    UnsupportedMethod,
)


class ErrorTests:
    """
    L{Error}: a status code, a reason phrase and a response body.
    """

    def test_intCode(self) -> None:
        """
        An int code is kept as bytes, with the standard reason phrase.
        """
        e = Error(404)
        assert e.status == b"404"
        assert e.message == b"Not Found"
        assert e.response is None
        assert str(e) == "404 Not Found"
        assert e.args == (404, b"Not Found", None)

    def test_bytesCode(self) -> None:
        """
        A bytes code works the same.
        """
        e = Error(b"500", response=b"<html/>")
        assert (e.status, e.message, e.response) == (b"500", b"Internal Server Error", b"<html/>")

    def test_ownMessage(self) -> None:
        """
        A message given replaces the standard phrase.
        """
        assert str(Error(404, b"Nothing here")) == "404 Nothing here"

    def test_unknownCode(self) -> None:
        """
        A code without a standard phrase has no message; its text is the
        code alone.
        """
        e = Error(599)
        assert e.message is None
        assert str(e) == "599"
        assert str(Error(b"abc")) == "abc"

    def test_textCode(self) -> None:
        """
        A code given as text is refused, saying what to pass.
        """
        with pytest.raises(
            TypeError,
            match=re.escape(
                "an HTTP status code must be an int such as 404 (or bytes such as b'404'), "
                "not str: '404'"
            ),
        ):
            Error("404")  # type: ignore[arg-type]

    def test_boolCode(self) -> None:
        """
        C{True} is not a status code.
        """
        with pytest.raises(TypeError, match="not bool"):
            Error(True)

    def test_undecodableMessage(self) -> None:
        """
        A message that is not ASCII still formats, escaped.
        """
        assert str(Error(400, b"bad \xff")) == "400 bad \\xff"


class RedirectErrorTests:
    """
    L{PageRedirect}, L{InfiniteRedirection} and L{RedirectWithNoLocation}.
    """

    def test_pageRedirect(self) -> None:
        """
        The location is kept and added to the message.
        """
        e = PageRedirect(302, location=b"/elsewhere")
        assert e.location == b"/elsewhere"
        assert e.message == b"Found to /elsewhere"
        assert str(e) == "302 Found to /elsewhere"
        assert isinstance(e, Error)

    def test_pageRedirectOwnMessage(self) -> None:
        """
        A message given is extended with the location too.
        """
        assert str(PageRedirect(301, b"Gone", location=b"/x")) == "301 Gone to /x"

    def test_pageRedirectNoLocation(self) -> None:
        """
        Without a location the message is unchanged.
        """
        e = PageRedirect(303)
        assert e.location is None
        assert str(e) == "303 See Other"

    def test_pageRedirectUnknownCode(self) -> None:
        """
        A code without a phrase has no message, even with a location.
        """
        e = PageRedirect(399, location=b"/x")
        assert e.message is None
        assert str(e) == "399"

    def test_infiniteRedirection(self) -> None:
        """
        L{InfiniteRedirection} is a L{PageRedirect}.
        """
        e = InfiniteRedirection(302, location=b"/loop")
        assert isinstance(e, PageRedirect)
        assert str(e) == "302 Found to /loop"

    def test_redirectWithNoLocation(self) -> None:
        """
        The URI is kept and added to the message.
        """
        e = RedirectWithNoLocation(302, b"Found", b"http://example.com/")
        assert e.uri == b"http://example.com/"
        assert str(e) == "302 Found to http://example.com/"


class UnsupportedMethodTests:
    """
    L{UnsupportedMethod} carries the methods that are allowed.
    """

    def test_allowedMethods(self) -> None:
        """
        The allowed methods are kept and listed in the message.
        """
        e = UnsupportedMethod([b"GET", b"HEAD"])
        assert e.allowedMethods == [b"GET", b"HEAD"]
        assert e.args == ([b"GET", b"HEAD"],)
        assert str(e) == "Expected one of: GET, HEAD"
        assert str(UnsupportedMethod(())) == "No method is allowed"

    def test_extraArgs(self) -> None:
        """
        Extra arguments go into C{args}.
        """
        assert UnsupportedMethod((b"GET",), "detail").args == ((b"GET",), "detail")

    @pytest.mark.parametrize("bad", ["GET", b"GET", None, 3])
    def test_notASequence(self, bad: object) -> None:
        """
        A single string or a non-sequence is refused.
        """
        with pytest.raises(
            TypeError, match=r"^UnsupportedMethod\(\) takes a sequence of method names as bytes"
        ):
            UnsupportedMethod(bad)  # type: ignore[arg-type]

    def test_textMethod(self) -> None:
        """
        A method name given as text is refused, showing the bytes form.
        """
        with pytest.raises(
            TypeError,
            match=re.escape("takes method names as bytes, not str: 'GET'; write b'GET', not 'GET'"),
        ):
            UnsupportedMethod([b"HEAD", "GET"])  # type: ignore[list-item]


class TemplateErrorTests:
    """
    The errors of template rendering.
    """

    def test_missingRenderMethod(self) -> None:
        """
        L{MissingRenderMethod} names the element and the render method.
        """
        e = MissingRenderMethod("an element", "title")
        assert (e.element, e.renderName) == ("an element", "title")
        assert isinstance(e, RenderError)
        assert str(e) == (
            "'an element' has no render method named 'title'; "
            "define it and decorate it with @renderer"
        )

    def test_missingTemplateLoader(self) -> None:
        """
        L{MissingTemplateLoader} names the element.
        """
        e = MissingTemplateLoader("an element")
        assert e.element == "an element"
        assert isinstance(e, RenderError)
        assert str(e) == "'an element' has no template loader; set its loader attribute"

    def test_flattenerError(self) -> None:
        """
        L{FlattenerError} shows the stack of objects being flattened (long
        strings shortened, tags by name), where the error happened, and the
        error.
        """

        class Tag:
            tagName = "p"

        try:
            raise ValueError("cannot flatten")
        except ValueError as e:
            original = e
            frames = traceback.extract_tb(e.__traceback__)
        wrapped = FlattenerError(original, ["x" * 100, Tag(), 7], frames)
        text = str(wrapped)
        lines = text.splitlines()
        assert lines[0] == "Exception while flattening:"
        assert lines[1] == "  'xxxxxxxxxxxxxxxxxxx<...>xxxxxxxxxxxxxxxxxxx'"
        assert lines[2] == "  Tag <p>"
        assert lines[3] == "  7"
        assert "test_flattenerError" in text
        assert lines[-1] == "ValueError: cannot flatten"
        assert repr(wrapped) == text
        assert wrapped._exception is original

    def test_flattenerErrorNoTraceback(self) -> None:
        """
        Without a traceback the message still names the roots and error.
        """
        text = str(FlattenerError(KeyError("k"), [b"short"], []))
        assert text == "Exception while flattening:\n  b'short'\nKeyError: 'k'\n"


class PublicNamesTests:
    """
    The module mirrors C{twisted.web.error}.
    """

    def test_exceptions(self) -> None:
        """
        Every exported name is an exception class of this module.
        """
        for name in error.__all__:
            value = getattr(error, name)
            assert issubclass(value, Exception), name
            assert value.__module__ == "torsion.web.error"

    def test_twistedNames(self) -> None:
        """
        Every exception Twisted's C{twisted.web.error} exports exists here.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        import twisted.web.error

        theirs = {
            name
            for name in dir(twisted.web.error)
            if isinstance(getattr(twisted.web.error, name), type)
            and issubclass(getattr(twisted.web.error, name), Exception)
        }
        assert theirs <= set(error.__all__)


class StatusTests:
    """
    The status constants and reason phrases of C{torsion.web._status}.
    """

    def test_values(self) -> None:
        """
        Constants have their RFC values, under Twisted's names and the RFC
        9110 names.
        """
        assert (_status.OK, _status.NOT_FOUND, _status.INTERNAL_SERVER_ERROR) == (200, 404, 500)
        assert _status.NOT_ALLOWED == _status.METHOD_NOT_ALLOWED == 405
        assert _status.REQUEST_ENTITY_TOO_LARGE == _status.CONTENT_TOO_LARGE == 413
        assert _status.REQUEST_URI_TOO_LONG == _status.URI_TOO_LONG == 414
        assert _status.MULTIPLE_CHOICE == _status.MULTIPLE_CHOICES == 300
        assert _status.UNPROCESSABLE_CONTENT == _status.UNPROCESSABLE_ENTITY == 422

    def test_rfc9110(self) -> None:
        """
        Every code RFC 9110 defines (section 15) has a phrase, as the RFC
        spells it.
        """
        rfc = {
            100: b"Continue",
            101: b"Switching Protocols",
            200: b"OK",
            201: b"Created",
            202: b"Accepted",
            203: b"Non-Authoritative Information",
            204: b"No Content",
            205: b"Reset Content",
            206: b"Partial Content",
            300: b"Multiple Choices",
            301: b"Moved Permanently",
            302: b"Found",
            303: b"See Other",
            304: b"Not Modified",
            305: b"Use Proxy",
            307: b"Temporary Redirect",
            308: b"Permanent Redirect",
            400: b"Bad Request",
            401: b"Unauthorized",
            402: b"Payment Required",
            403: b"Forbidden",
            404: b"Not Found",
            405: b"Method Not Allowed",
            406: b"Not Acceptable",
            407: b"Proxy Authentication Required",
            408: b"Request Timeout",
            409: b"Conflict",
            410: b"Gone",
            411: b"Length Required",
            412: b"Precondition Failed",
            413: b"Content Too Large",
            414: b"URI Too Long",
            415: b"Unsupported Media Type",
            416: b"Range Not Satisfiable",
            417: b"Expectation Failed",
            421: b"Misdirected Request",
            422: b"Unprocessable Content",
            426: b"Upgrade Required",
            500: b"Internal Server Error",
            501: b"Not Implemented",
            502: b"Bad Gateway",
            503: b"Service Unavailable",
            504: b"Gateway Timeout",
            505: b"HTTP Version Not Supported",
        }
        for code, phrase in rfc.items():
            assert _status.RESPONSES[code] == phrase, code

    def test_everyConstantHasAPhrase(self) -> None:
        """
        Each constant is a code in C{RESPONSES}, and each code there has a
        constant.
        """
        constants = {
            value
            for name, value in vars(_status).items()
            if name.lstrip("_").isupper() and isinstance(value, int)
        }
        assert constants == set(_status.RESPONSES)
        for phrase in _status.RESPONSES.values():
            assert phrase.isascii() and phrase

    def test_twistedNames(self) -> None:
        """
        Every status name of Twisted's C{twisted.web._responses} exists here
        with the same value.
        """
        if importlib.util.find_spec("twisted") is None:
            pytest.skip("Twisted is not installed")
        import twisted.web._responses as theirs

        for name, value in vars(theirs).items():
            if name.lstrip("_").isupper() and isinstance(value, int):
                assert getattr(_status, name) == value, name
        assert set(theirs.RESPONSES) <= set(_status.RESPONSES)
