"""
Tests for L{torsion.web.http_headers}.

The tests of the API Twisted documents run twice: on torsion's L{Headers}
and, when Twisted is installed, on Twisted's, so that a difference in
behaviour shows up as a failure on one side.  Tests of what torsion does
beyond Twisted (NUL sanitised, copies handed out, clearer errors) run on
torsion only.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from torsion.web import http_headers
from torsion.web._httpparse import RequestHead, RequestParser
from torsion.web.http_headers import Headers, InvalidHeaderName


def _implementations() -> list[Any]:
    """
    @return: pytest params: torsion's Headers, and Twisted's if installed.
    """
    params: list[Any] = [pytest.param(Headers, id="torsion")]
    try:
        from twisted.web.http_headers import Headers as TwistedHeaders
    except ImportError:  # pragma: no cover - Twisted comes with the bench extra
        params.append(pytest.param(None, id="twisted", marks=pytest.mark.skip("no Twisted")))
    else:
        params.append(pytest.param(TwistedHeaders, id="twisted"))
    return params


@pytest.fixture(params=_implementations())
def headersClass(request: pytest.FixtureRequest) -> Any:
    """
    The Headers class under test.
    """
    return request.param


class HeadersAPITests:
    """
    The documented behaviour of C{Headers}, checked on both implementations.
    """

    def test_emptyByDefault(self, headersClass: Any) -> None:
        """
        C{Headers()} holds nothing: no header is present, and every lookup
        gives the default.
        """
        headers = headersClass()
        assert not headers.hasHeader(b"Content-Type")
        assert headers.getRawHeaders(b"Content-Type") is None
        assert headers.getRawHeaders(b"Content-Type", [b"x"]) == [b"x"]
        assert list(headers.getAllRawHeaders()) == []

    def test_initialMapping(self, headersClass: Any) -> None:
        """
        A mapping given to the constructor sets each name's values.
        """
        headers = headersClass({b"Content-Type": [b"text/html"], b"X-A": [b"1", b"2"]})
        assert headers.getRawHeaders(b"content-type") == [b"text/html"]
        assert headers.getRawHeaders(b"x-a") == [b"1", b"2"]

    def test_namesCaseInsensitive(self, headersClass: Any) -> None:
        """
        A header set under one capitalisation is found under any other.
        """
        headers = headersClass()
        headers.setRawHeaders(b"X-Forwarded-For", [b"1.2.3.4"])
        for name in (b"x-forwarded-for", b"X-FORWARDED-FOR", "x-Forwarded-For"):
            assert headers.hasHeader(name)

    def test_strNameGivesStrValues(self, headersClass: Any) -> None:
        """
        A str name gives str values (UTF-8 decoded), a bytes name bytes
        values; str values are stored as UTF-8.
        """
        headers = headersClass()
        headers.setRawHeaders("X-Name", ["caf\u00e9"])
        assert headers.getRawHeaders("x-name") == ["caf\u00e9"]
        assert headers.getRawHeaders(b"x-name") == [b"caf\xc3\xa9"]

    def test_addRawHeaderAppends(self, headersClass: Any) -> None:
        """
        C{addRawHeader} adds a value after the existing ones, and creates
        the header when absent; str and bytes may be mixed.
        """
        headers = headersClass()
        headers.addRawHeader(b"Set-Cookie", b"a=1")
        headers.addRawHeader("set-cookie", "b=2")
        assert headers.getRawHeaders(b"Set-Cookie") == [b"a=1", b"b=2"]

    def test_setRawHeadersReplaces(self, headersClass: Any) -> None:
        """
        C{setRawHeaders} replaces every earlier value of the header.
        """
        headers = headersClass({b"a": [b"1", b"2"]})
        headers.setRawHeaders(b"A", (b"3",))
        assert headers.getRawHeaders(b"a") == [b"3"]

    def test_removeHeader(self, headersClass: Any) -> None:
        """
        C{removeHeader} removes every value; removing an absent header does
        nothing.
        """
        headers = headersClass({b"a": [b"1"], b"b": [b"2"]})
        headers.removeHeader("A")
        headers.removeHeader(b"absent")
        assert not headers.hasHeader(b"a")
        assert headers.getRawHeaders(b"b") == [b"2"]

    def test_emptyValueList(self, headersClass: Any) -> None:
        """
        A header set to no values is present, yet C{getRawHeaders} gives the
        default for it.
        """
        headers = headersClass()
        headers.setRawHeaders(b"e", [])
        assert headers.hasHeader(b"e")
        assert headers.getRawHeaders(b"e") is None
        assert list(headers.getAllRawHeaders()) == [(b"E", [])]

    def test_canonicalNames(self, headersClass: Any) -> None:
        """
        C{getAllRawHeaders} gives names capitalised per dash-separated
        word, with HTTP's own spellings for a few (ETag, WWW-Authenticate,
        Content-MD5, X-XSS-Protection, DNT, TE, P3P), in insertion order.
        """
        names = [
            b"content-type",
            b"x-foo-bar",
            b"etag",
            b"www-authenticate",
            b"content-md5",
            b"x-xss-protection",
            b"dnt",
            b"te",
            b"p3p",
            b"x_y-z",
            b"CoNtEnT-LeNgTh",
        ]
        headers = headersClass()
        for name in names:
            headers.setRawHeaders(name, [b"1"])
        assert [name for name, _ in headers.getAllRawHeaders()] == [
            b"Content-Type",
            b"X-Foo-Bar",
            b"ETag",
            b"WWW-Authenticate",
            b"Content-MD5",
            b"X-XSS-Protection",
            b"DNT",
            b"TE",
            b"P3P",
            b"X_y-Z",
            b"Content-Length",
        ]

    def test_lineBreaksInValuesSanitised(self, headersClass: Any) -> None:
        """
        CR, LF and CRLF in a value each become one space, so a value cannot
        end its header line (no header injection); a trailing line break
        disappears.
        """
        headers = headersClass({b"a": [b"x\r\nSet-Cookie: evil"], b"b": [b"1\r2\n3"], "c": ["v\n"]})
        assert headers.getRawHeaders(b"a") == [b"x Set-Cookie: evil"]
        assert headers.getRawHeaders(b"b") == [b"1 2 3"]
        assert headers.getRawHeaders(b"c") == [b"v"]
        headers.addRawHeader(b"d", b"p\r\nq")
        assert headers.getRawHeaders(b"d") == [b"p q"]

    @pytest.mark.parametrize(
        "name", [b"", b"a b", b"a:b", b"a\r\nb", b"a\x00", b"(x)", b"x/y", b"a\tb", "caf\u00e9"]
    )
    def test_invalidNames(self, headersClass: Any, name: bytes | str) -> None:
        """
        A name that is not an HTTP token is refused with InvalidHeaderName,
        a ValueError.
        """
        headers = headersClass()
        with pytest.raises(ValueError) as raised:
            headers.setRawHeaders(name, [b"v"])
        assert type(raised.value).__name__ == "InvalidHeaderName"

    def test_allTokenCharactersAccepted(self, headersClass: Any) -> None:
        """
        Every token character is allowed in a name.
        """
        headers = headersClass()
        headers.setRawHeaders(b"A-b_c.d!#$%&'*+^`|~9", [b"v"])
        assert headers.getRawHeaders(b"a-b_c.d!#$%&'*+^`|~9") == [b"v"]

    def test_equality(self, headersClass: Any) -> None:
        """
        Headers are equal when they hold the same values under the same
        names, whatever the capitalisation, name order or string type;
        comparing with another type is never equal.
        """
        first = headersClass({b"a": [b"1"], b"b": [b"2"]})
        assert first == headersClass({b"B": [b"2"], "A": ["1"]})
        assert first != headersClass({b"a": [b"1"]})
        assert first != headersClass({b"a": [b"1"], b"b": [b"3"]})
        assert first != {b"a": [b"1"], b"b": [b"2"]}

    def test_copyIsIndependent(self, headersClass: Any) -> None:
        """
        C{copy} makes equal headers that change independently.
        """
        original = headersClass({b"a": [b"1"]})
        copied = original.copy()
        assert copied == original
        assert copied is not original
        copied.addRawHeader(b"a", b"2")
        assert original.getRawHeaders(b"a") == [b"1"]

    def test_repr(self, headersClass: Any) -> None:
        """
        The repr shows the canonical names and the byte values.
        """
        headers = headersClass({b"content-type": [b"text/html"]})
        headers.addRawHeader(b"x-a", b"1")
        assert repr(headers) == "Headers({b'Content-Type': [b'text/html'], b'X-A': [b'1']})"
        assert repr(headersClass()) == "Headers({})"


class TorsionHeadersTests:
    """
    What torsion's C{Headers} does beyond (or more strictly than) Twisted's.
    """

    def test_publicModule(self) -> None:
        """
        The classes report the public module they are imported from.
        """
        assert Headers.__module__ == "torsion.web.http_headers"
        assert InvalidHeaderName.__module__ == "torsion.web.http_headers"
        assert http_headers.__all__ == ["Headers", "InvalidHeaderName"]

    def test_nulSanitised(self) -> None:
        """
        A NUL in a value becomes a space too.
        """
        headers = Headers({b"a": [b"x\x00y"]})
        headers.addRawHeader("b", "p\x00q")
        assert headers.getRawHeaders(b"a") == [b"x y"]
        assert headers.getRawHeaders(b"b") == [b"p q"]

    def test_gettersReturnCopies(self) -> None:
        """
        Mutating a list from C{getRawHeaders} or C{getAllRawHeaders} does
        not change the headers, so the sanitising cannot be bypassed.
        """
        headers = Headers({b"a": [b"1"]})
        values = headers.getRawHeaders(b"a")
        assert isinstance(values, list)
        values.append(b"x\r\ny")
        for _, allValues in headers.getAllRawHeaders():
            assert isinstance(allValues, list)
            allValues.append(b"z")
        assert headers.getRawHeaders(b"a") == [b"1"]

    def test_invalidHeaderNameMessage(self) -> None:
        """
        InvalidHeaderName keeps the name and says what a name may hold.
        """
        with pytest.raises(InvalidHeaderName) as raised:
            Headers().addRawHeader(b"bad name", b"v")
        assert raised.value.name == b"bad name"
        assert str(raised.value).startswith(
            "invalid HTTP header name b'bad name': a name must be one or more of the letters"
        )

    def test_singleStringValuesRefused(self) -> None:
        """
        C{setRawHeaders} with one string instead of a list of them is a
        TypeError that shows the right call (Twisted would store one value
        per character).
        """
        with pytest.raises(TypeError, match=r"write setRawHeaders\(name, \[b'text/html'\]\)$"):
            Headers().setRawHeaders(b"Content-Type", b"text/html")  # type: ignore[type-var]

    def test_wrongTypes(self) -> None:
        """
        Names and values that are neither bytes nor str are TypeErrors
        naming the type.
        """
        with pytest.raises(TypeError, match=r"^a header name must be bytes or str.* not int: 3$"):
            Headers().hasHeader(3)  # type: ignore[type-var]
        with pytest.raises(TypeError, match=r"^a header value must be bytes or str.* not int: 4$"):
            Headers().addRawHeader(b"a", 4)  # type: ignore[type-var]

    def test_bytesSubclasses(self) -> None:
        """
        Subclasses of bytes are stored as plain bytes.
        """

        class Name(bytes):
            pass

        headers = Headers()
        headers.addRawHeader(Name(b"X-A"), Name(b"v"))
        assert [(type(n), type(v[0])) for n, v in headers.getAllRawHeaders()] == [(bytes, bytes)]

    def test_notHashable(self) -> None:
        """
        Headers compare by value and are mutable, so they are not hashable.
        """
        with pytest.raises(TypeError):
            hash(Headers())

    def test_fromParsed(self) -> None:
        """
        C{Headers._fromParsed} builds headers from a parser's output,
        grouping repeated names in order.
        """
        events = RequestParser().feed(
            b"GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\nACCEPT: b\r\n\r\n"
        )
        head = events[0]
        assert isinstance(head, RequestHead)
        headers = Headers._fromParsed(head.headers)
        assert headers == Headers({b"Host": [b"x"], b"Accept": [b"a", b"b"]})

    @given(
        st.dictionaries(
            st.text("abcXYZ-_", min_size=1, max_size=8).map(str.encode),
            st.lists(st.binary(max_size=12), max_size=3),
            max_size=5,
        )
    )
    def test_valuesNeverBreakLines(self, raw: dict[bytes, list[bytes]]) -> None:
        """
        Whatever bytes values hold, what comes out holds no CR, LF or NUL.
        """
        headers = Headers(raw)
        for _, values in headers.getAllRawHeaders():
            for value in values:
                assert not set(value) & {0x0D, 0x0A, 0x00}
