"""
Exceptions of the web layer: HTTP errors and redirects, unsupported request
methods, and errors met while rendering templates.
"""

from __future__ import annotations

import traceback as _traceback
from collections.abc import Sequence
from typing import Any

from torsion.web._status import RESPONSES


def _statusBytes(code: object) -> bytes:
    """
    The status code C{code} as ASCII digits.

    @param code: An L{int} such as C{404} or L{bytes} such as C{b"404"}.
    @raise TypeError: If C{code} is neither.
    """
    if isinstance(code, bool) or not isinstance(code, int | bytes):
        raise TypeError(
            f"an HTTP status code must be an int such as 404 (or bytes such as b'404'), "
            f"not {type(code).__name__}: {code!r}"
        )
    if isinstance(code, int):
        return b"%d" % (code,)
    return code


def _reasonFor(status: bytes) -> bytes | None:
    """
    The standard reason phrase of C{status}, or L{None} if it has none.
    """
    try:
        return RESPONSES.get(int(status))
    except ValueError:
        return None


def _text(value: bytes) -> str:
    """
    C{value} as text for an exception message; undecodable bytes are escaped.
    """
    return value.decode("ascii", "backslashreplace")


class Error(Exception):
    """
    An HTTP error: a status code with a reason phrase and, optionally, the
    response body that came with it.

    @ivar status: The status code as bytes, such as C{b"404"}.
    @ivar message: The reason phrase, such as C{b"Not Found"}; by default
        the standard phrase of the code, or L{None} for a code without one.
    @ivar response: The body of the response, or L{None}.
    """

    def __init__(
        self, code: int | bytes, message: bytes | None = None, response: bytes | None = None
    ) -> None:
        """
        @param code: The status code, such as C{404} or C{b"404"}.
        @param message: The reason phrase; by default the standard one.
        @param response: The body of the response, if any.
        @raise TypeError: If C{code} is neither L{int} nor L{bytes}.
        """
        status = _statusBytes(code)
        if message is None:
            message = _reasonFor(status)
        super().__init__(code, message, response)
        self.status = status
        self.message = message
        self.response = response

    def __str__(self) -> str:
        if self.message is None:
            return _text(self.status)
        return f"{_text(self.status)} {_text(self.message)}"


class PageRedirect(Error):
    """
    A response that redirects to another page.

    @ivar location: Where to, as bytes, or L{None}.  When given, the
        reason phrase is extended with C{b" to "} and the location.
    """

    def __init__(
        self,
        code: int | bytes,
        message: bytes | None = None,
        response: bytes | None = None,
        location: bytes | None = None,
    ) -> None:
        """
        @param code: The status code, such as C{302}.
        @param message: The reason phrase; by default the standard one.
        @param response: The body of the response, if any.
        @param location: The URL redirected to, if known.
        @raise TypeError: If C{code} is neither L{int} nor L{bytes}.
        """
        status = _statusBytes(code)
        if message is None:
            message = _reasonFor(status)
        if location is not None and message is not None:
            message = message + b" to " + location
        super().__init__(code, message, response)
        self.location = location


class InfiniteRedirection(PageRedirect):
    """
    Following redirects went round in a loop (or past the allowed number of
    redirects).
    """


class RedirectWithNoLocation(Error):
    """
    A redirect response came without a I{Location} header, so there is
    nowhere to follow it to.

    @ivar uri: The URI whose response was the redirect.
    """

    def __init__(self, code: int | bytes, message: bytes, uri: bytes) -> None:
        """
        @param code: The status code, such as C{302}.
        @param message: The reason phrase.
        @param uri: The URI that was requested.
        @raise TypeError: If C{code} is neither L{int} nor L{bytes}.
        """
        super().__init__(code, message + b" to " + uri)
        self.uri = uri


class UnsupportedMethod(Exception):
    """
    A resource was asked to render a request method it does not implement.

    The server answers I{405 Method Not Allowed} with an I{Allow} header
    that lists L{allowedMethods}.

    @ivar allowedMethods: The methods the resource does implement, as a
        sequence of bytes such as C{[b"GET", b"HEAD"]}.
    """

    def __init__(self, allowedMethods: Sequence[bytes], *args: object) -> None:
        """
        @param allowedMethods: The methods the resource implements.
        @param args: Extra details, kept in C{args}.
        @raise TypeError: If C{allowedMethods} is not a sequence of bytes.
        """
        given: object = allowedMethods
        if isinstance(given, str | bytes) or not isinstance(given, Sequence):
            raise TypeError(
                "UnsupportedMethod() takes a sequence of method names as bytes, such as "
                f"[b'GET', b'HEAD'], not {type(given).__name__}: {given!r}"
            )
        for method in given:
            if not isinstance(method, bytes):
                raise TypeError(
                    f"UnsupportedMethod() takes method names as bytes, not "
                    f"{type(method).__name__}: {method!r}; write b'GET', not 'GET'"
                )
        super().__init__(allowedMethods, *args)
        self.allowedMethods = allowedMethods

    def __str__(self) -> str:
        names = ", ".join(_text(method) for method in self.allowedMethods)
        return f"Expected one of: {names}" if names else "No method is allowed"


class SchemeNotSupported(Exception):
    """
    A URL's scheme is not one the HTTP client can speak (it knows
    C{http} and C{https}).
    """


class UnexposedMethodError(Exception):
    """
    An attempt was made to look up a method that was not exposed.
    """


class RenderError(Exception):
    """
    The base of the errors raised while rendering a template.
    """


class MissingRenderMethod(RenderError):
    """
    A template named a render method that its element does not have.

    @ivar element: The element without the method.
    @ivar renderName: The name of the missing render method.
    """

    def __init__(self, element: object, renderName: str) -> None:
        """
        @param element: The element without the method.
        @param renderName: The name the template used.
        """
        super().__init__(element, renderName)
        self.element = element
        self.renderName = renderName

    def __str__(self) -> str:
        return (
            f"{self.element!r} has no render method named {self.renderName!r}; "
            "define it and decorate it with @renderer"
        )


class MissingTemplateLoader(RenderError):
    """
    An element was rendered without a template: its C{loader} is not set.

    @ivar element: The element without a loader.
    """

    def __init__(self, element: object) -> None:
        """
        @param element: The element without a loader.
        """
        super().__init__(element)
        self.element = element

    def __str__(self) -> str:
        return f"{self.element!r} has no template loader; set its loader attribute"


class UnfilledSlot(Exception):
    """
    A template slot was flattened before any value was filled into it.
    """


class UnsupportedType(Exception):
    """
    An object of a type the flattener cannot render was met.
    """


class ExcessiveBufferingError(Exception):
    """
    An HTTP/2 connection had to buffer too much outgoing data for a peer
    that does not read it, so it was closed and the data dropped.
    """


class UnsupportedSpecialHeader(Exception):
    """
    An HTTP/2 request carried a pseudo-header (C{:name}) that is not known.
    """


_ROOT_LIMIT = 40


def _describeRoot(root: object) -> str:
    """
    One line naming C{root}, an object on the flattener's stack.
    """
    if isinstance(root, bytes | str):
        text = repr(root)
        if len(text) > _ROOT_LIMIT:
            half = _ROOT_LIMIT // 2
            text = f"{text[:half]}<...>{text[-half:]}"
        return text
    tagName = getattr(root, "tagName", None)
    if isinstance(tagName, str | bytes) and tagName:
        if isinstance(tagName, bytes):
            tagName = _text(tagName)
        return f"Tag <{tagName}>"
    return repr(root)


class FlattenerError(Exception):
    """
    Flattening a template failed: wraps the original exception with the
    stack of objects that were being flattened.

    @ivar _exception: The original exception.
    @ivar _roots: The objects being flattened, outermost first.
    @ivar _traceback: Where the original exception was raised, as a
        L{traceback.StackSummary} or a list of C{FrameSummary}.
    """

    def __init__(self, exception: BaseException, roots: list[Any], traceback: Any) -> None:
        """
        @param exception: The original exception.
        @param roots: The objects being flattened, outermost first.
        @param traceback: Where the exception was raised: the result of
            C{traceback.extract_tb}.
        """
        super().__init__(exception, roots, traceback)
        self._exception = exception
        self._roots = roots
        self._traceback = traceback

    def __str__(self) -> str:
        lines = ["Exception while flattening:"]
        lines.extend(f"  {_describeRoot(root)}" for root in self._roots)
        if self._traceback:
            lines.append("".join(_traceback.format_list(self._traceback)).rstrip("\n"))
        lines.append(f"{type(self._exception).__name__}: {self._exception}")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return str(self)


__all__ = [
    "Error",
    "ExcessiveBufferingError",
    "FlattenerError",
    "InfiniteRedirection",
    "MissingRenderMethod",
    "MissingTemplateLoader",
    "PageRedirect",
    "RedirectWithNoLocation",
    "RenderError",
    "SchemeNotSupported",
    "UnexposedMethodError",
    "UnfilledSlot",
    "UnsupportedMethod",
    "UnsupportedSpecialHeader",
    "UnsupportedType",
]
