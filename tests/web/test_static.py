"""
Tests for L{torsion.web.static.File} and its companions, through
L{DummyRequest}: traversal and its refusals, headers, conditional requests,
byte ranges, directory listings and L{Data}.
"""

from __future__ import annotations

import email.parser
import errno
import os
import re
from pathlib import Path
from typing import Any

import pytest

from torsion.web import static
from torsion.web._staticrange import httpDate
from torsion.web.iweb import IRequest, IResource
from torsion.web.resource import Resource, getChildForRequest
from torsion.web.static import (
    Data,
    DirectoryLister,
    File,
    Registry,
    addSlash,
    dangerousPathError,
    formatFileSize,
    getTypeAndEncoding,
    isDangerous,
    loadMimeTypes,
)
from torsion.web.testing import DummyRequest

BODY = b"0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """
    A served tree, and a secret beside it::

        tmp/outside/secret.txt
        tmp/root/a.txt  sub/  sub/b.html  index-less/  <x>.html  ...
    """
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    tree = tmp_path / "root"
    tree.mkdir()
    (tree / "a.txt").write_bytes(BODY)
    (tree / "sub").mkdir()
    (tree / "sub" / "b.html").write_bytes(b"<p>b</p>")
    return tree


def fetch(
    resource: IResource,
    segments: list[bytes],
    method: bytes = b"GET",
    **headers: bytes,
) -> DummyRequest:
    """
    Traverse C{resource} for C{segments} and render the request with the
    given headers (C{if_none_match="..."} is I{If-None-Match}).
    """
    request = DummyRequest(list(segments))
    request.method = method
    for name, value in headers.items():
        request.requestHeaders.setRawHeaders(name.replace("_", "-").encode(), [value])
    request.render(getChildForRequest(resource, request))
    return request


def body(request: DummyRequest) -> bytes:
    return b"".join(request.written)


def header(request: DummyRequest, name: bytes) -> bytes | None:
    values = request.responseHeaders.getRawHeaders(name)
    return values[-1] if values else None


def code(request: DummyRequest) -> int:
    return request.responseCode if request.responseCode is not None else 200


class ModuleTests:
    """
    The public module.
    """

    def test_publicNames(self) -> None:
        """
        Each public name reports C{torsion.web.static} as its module.
        """
        for name in static.__all__:
            obj = getattr(static, name)
            if isinstance(obj, type):
                assert obj.__module__ == "torsion.web.static", name

    def test_twistedAttributes(self) -> None:
        """
        File has Twisted's class attributes with Twisted's values.
        """
        assert File.indexNames == ["index", "index.html", "index.htm", "index.rpy"]
        assert File.contentEncodings == {".gz": "gzip", ".bz2": "bzip2"}
        assert File.processors == {}
        assert File.contentTypes[".txt"] == "text/plain"


class GetTests:
    """
    A plain GET of a file.
    """

    def test_body(self, root: Path) -> None:
        """
        The whole file is sent with a 200.
        """
        request = fetch(File(root), [b"a.txt"])
        assert code(request) == 200
        assert body(request) == BODY
        assert request.finished

    def test_headers(self, root: Path) -> None:
        """
        Content-Type, Content-Length, Last-Modified, ETag and Accept-Ranges
        describe the file.
        """
        info = os.stat(root / "a.txt")
        request = fetch(File(root), [b"a.txt"])
        assert header(request, b"content-type") == b"text/plain"
        assert header(request, b"content-length") == b"%d" % (len(BODY),)
        assert header(request, b"last-modified") == httpDate(info.st_mtime)
        assert header(request, b"etag") == b'"%x-%x"' % (info.st_mtime_ns, len(BODY))
        assert header(request, b"accept-ranges") == b"bytes"

    def test_head(self, root: Path) -> None:
        """
        HEAD sets the same headers and sends no body.
        """
        request = fetch(File(root), [b"a.txt"], method=b"HEAD")
        assert body(request) == b""
        assert header(request, b"content-length") == b"%d" % (len(BODY),)
        assert header(request, b"etag") is not None
        assert request.finished

    def test_emptyFile(self, root: Path) -> None:
        """
        An empty file is sent as an empty 200.
        """
        (root / "empty").write_bytes(b"")
        request = fetch(File(root), [b"empty"])
        assert (code(request), body(request), request.finished) == (200, b"", True)
        assert header(request, b"content-length") == b"0"

    def test_fileAsRoot(self, root: Path) -> None:
        """
        A File made for a single file serves it.
        """
        request = fetch(File(root / "a.txt"), [])
        assert body(request) == BODY

    def test_bytesPath(self, root: Path) -> None:
        """
        The path may be given as bytes.
        """
        resource = File(os.fsencode(root))
        assert resource.path == str(root)
        assert body(fetch(resource, [b"a.txt"])) == BODY

    def test_defaultType(self, root: Path) -> None:
        """
        An unknown extension gets C{defaultType}: C{text/html} unless given,
        as in Twisted.
        """
        (root / "data.unknownext").write_bytes(b"x")
        assert header(fetch(File(root), [b"data.unknownext"]), b"content-type") == b"text/html"
        safe = File(root, defaultType="application/octet-stream")
        assert header(fetch(safe, [b"data.unknownext"]), b"content-type") == (
            b"application/octet-stream"
        )

    def test_contentEncoding(self, root: Path) -> None:
        """
        A compressed file's type comes from the extension before the
        compression one, which sets Content-Encoding.
        """
        (root / "notes.txt.gz").write_bytes(b"\x1f\x8b")
        request = fetch(File(root), [b"notes.txt.gz"])
        assert header(request, b"content-type") == b"text/plain"
        assert header(request, b"content-encoding") == b"gzip"

    def test_missing(self, root: Path) -> None:
        """
        A missing child is a 404.
        """
        assert code(fetch(File(root), [b"nope.txt"])) == 404

    def test_renderMissingFile(self, tmp_path: Path) -> None:
        """
        Rendering a File whose path does not exist gives the 404 page.
        """
        assert code(fetch(File(tmp_path / "gone"), [])) == 404

    def test_childOfFile(self, root: Path) -> None:
        """
        A file has no children: 404.
        """
        assert code(fetch(File(root), [b"a.txt", b"x"])) == 404

    def test_unreadable(self, root: Path) -> None:
        """
        A file the server may not open is a 403; another open error is a
        404.
        """

        class Locked(File):
            error = errno.EACCES

            def openForReading(self) -> Any:
                raise OSError(self.error, os.strerror(self.error))

        assert code(fetch(Locked(root), [b"a.txt"])) == 403
        Locked.error = errno.ENOENT
        assert code(fetch(Locked(root), [b"a.txt"])) == 404

    def test_post(self, root: Path) -> None:
        """
        Other methods than GET and HEAD are refused with 405.
        """
        request = fetch(File(root), [b"a.txt"], method=b"POST")
        assert code(request) == 405


class TraversalTests:
    """
    Path segments that could leave the tree are refused with the right
    4xx, in decoded and (never decoded again) encoded forms.
    """

    @pytest.mark.parametrize(
        "segments",
        [
            [b".."],
            [b"sub", b"..", b"..", b"outside", b"secret.txt"],
            [b"."],
            [b"sub", b"..", b"a.txt"],
            [b"..\\outside"],
            [b"sub\\..\\a.txt"],
            [b"a.txt\x00.html"],
            [b"\x00"],
            [b"../outside/secret.txt"],
            [b"sub/b.html"],
        ],
    )
    def test_dangerousSegment(self, root: Path, segments: list[bytes]) -> None:
        """
        C{.}, C{..} and segments with C{/}, C{\\} or NUL (which a server
        yields from C{%2e%2e}, C{%2f}, C{%5c}, C{%00}) answer 400.
        """
        request = fetch(File(root), segments)
        assert code(request) == 400
        assert b"secret" not in body(request)

    @pytest.mark.parametrize("segment", [b"%2e%2e", b"%2E%2E", b"%252e%252e", b"%2e", b"%00"])
    def test_encodedNotDecodedAgain(self, root: Path, segment: bytes) -> None:
        """
        A segment is a name as given: percent signs are not decoded a second
        time, so C{%2e%2e} names a (missing) file called that: 404.
        """
        request = fetch(File(root), [b"sub", segment, b"outside", b"secret.txt"])
        assert code(request) == 404

    def test_literalPercentName(self, root: Path) -> None:
        """
        A file whose name holds percent escapes is served by that name.
        """
        (root / "%2e%2e").write_bytes(b"odd")
        assert body(fetch(File(root), [b"%2e%2e"])) == b"odd"

    def test_isDangerous(self) -> None:
        """
        L{isDangerous} flags the segments File refuses, and only them.
        """
        for bad in (b".", b"..", b"a/b", b"a\\b", b"a\x00"):
            assert isDangerous(bad), bad
        for good in (b"a", b"...", b".hidden", b"a..b", b"%2e%2e", b""):
            assert not isDangerous(good), good

    def test_dangerousPathError(self) -> None:
        """
        The refusal page is a 400.
        """
        request = DummyRequest([])
        request.render(dangerousPathError)
        assert request.responseCode == 400


class SymlinkTests:
    """
    Symlinks inside the tree are followed; those leading out of it are
    refused unless C{followSymlinks} is true.
    """

    def test_inside(self, root: Path) -> None:
        """
        A symlink to a file in the tree serves it.
        """
        (root / "alias.txt").symlink_to("a.txt")
        assert body(fetch(File(root), [b"alias.txt"])) == BODY

    def test_outsideFile(self, root: Path) -> None:
        """
        A symlink to a file outside the tree is a 403.
        """
        (root / "leak.txt").symlink_to(root.parent / "outside" / "secret.txt")
        request = fetch(File(root), [b"leak.txt"])
        assert code(request) == 403
        assert b"secret" not in body(request)

    def test_outsideDirectory(self, root: Path) -> None:
        """
        A symlink to a directory outside the tree is refused too, for its
        listing and its files.
        """
        (root / "out").symlink_to(root.parent / "outside")
        assert code(fetch(File(root), [b"out", b"secret.txt"])) == 403
        assert code(fetch(File(root), [b"out", b""])) == 403

    def test_followSymlinks(self, root: Path) -> None:
        """
        With C{followSymlinks=True} a symlink out of the tree is served,
        and children inherit the policy.
        """
        (root / "out").symlink_to(root.parent / "outside")
        request = fetch(File(root, followSymlinks=True), [b"out", b"secret.txt"])
        assert body(request) == b"secret"

    def test_dangling(self, root: Path) -> None:
        """
        A symlink to nothing is a 404.
        """
        (root / "dangling").symlink_to(root / "nothing")
        assert code(fetch(File(root), [b"dangling"])) == 404

    def test_symlinkedRoot(self, root: Path, tmp_path: Path) -> None:
        """
        The root itself may be a symlink; its files are served.
        """
        (tmp_path / "rootlink").symlink_to(root)
        assert body(fetch(File(tmp_path / "rootlink"), [b"a.txt"])) == BODY

    def test_sameDirectFileOutside(self, root: Path) -> None:
        """
        A File made directly for a symlinked file is checked against its
        own real path: it is served.
        """
        link = root / "direct"
        link.symlink_to(root.parent / "outside" / "secret.txt")
        assert body(fetch(File(link), [])) == b"secret"

    def test_prefixSibling(self, root: Path) -> None:
        """
        A sibling directory whose name starts with the root's name is
        outside the root.
        """
        sibling = root.parent / (root.name + "2")
        sibling.mkdir()
        (sibling / "x").write_bytes(b"x")
        (root / "sib").symlink_to(sibling / "x")
        assert code(fetch(File(root), [b"sib"])) == 403

    def test_symlinkSwappedInLater(self, root: Path) -> None:
        """
        Each request looks again: a directory deep in the tree that is
        replaced by a symlink out of it after being served is refused from
        then on (the same File answers both requests).
        """
        (root / "deep" / "er").mkdir(parents=True)
        (root / "deep" / "er" / "secret.txt").write_bytes(b"fine")
        served = File(root)
        assert body(fetch(served, [b"deep", b"er", b"secret.txt"])) == b"fine"
        (root / "deep" / "er" / "secret.txt").unlink()
        (root / "deep" / "er").rmdir()
        (root / "deep" / "er").symlink_to(root.parent / "outside")
        request = fetch(served, [b"deep", b"er", b"secret.txt"])
        assert code(request) == 403
        assert b"secret" not in body(request)

    def test_symlinkInsideThenOut(self, root: Path) -> None:
        """
        A chain of links is resolved whole: a link inside the tree to a
        link that leads out of it is refused.
        """
        (root / "hop").symlink_to(root.parent / "outside" / "secret.txt")
        (root / "first").symlink_to("hop")
        assert code(fetch(File(root), [b"first"])) == 403


class DirectoryTests:
    """
    Directories: redirects, index files and listings.
    """

    def test_redirectAddsSlash(self, root: Path) -> None:
        """
        A directory without its trailing slash redirects to it.
        """
        request = fetch(File(root), [b"sub"])
        assert code(request) == 302
        assert header(request, b"location") == b"http://dummy/sub/"

    def test_redirectKeepsQuery(self, root: Path) -> None:
        """
        The redirect keeps the query string.
        """
        request = DummyRequest([b"sub"])
        request.uri = b"/sub?sort=name"
        request.render(getChildForRequest(File(root), request))
        assert header(request, b"location") == b"http://dummy/sub/?sort=name"

    def test_directoryRenderedWithSlash(self, root: Path) -> None:
        """
        A directory File rendered for a URL that already ends in a slash
        (a File at the root of a tree) renders its page, not a redirect.
        """
        request = fetch(File(root), [])
        assert code(request) == 200
        assert b"Directory listing for /" in body(request)

    def test_addSlash(self) -> None:
        """
        L{addSlash} is the request's URL with a slash added.
        """
        request = DummyRequest([b"docs"])
        request.prepath, request.postpath = [b"docs"], []
        assert addSlash(request) == b"http://dummy/docs/"

    def test_index(self, root: Path) -> None:
        """
        The first existing index name is served for the directory.
        """
        (root / "sub" / "index.html").write_bytes(b"<h1>index</h1>")
        (root / "sub" / "index.htm").write_bytes(b"other")
        request = fetch(File(root), [b"sub", b""])
        assert body(request) == b"<h1>index</h1>"
        assert header(request, b"content-type") == b"text/html"

    def test_rpyIndexRefused(self, root: Path) -> None:
        """
        An C{index.rpy} is Python source: it is neither run nor shown (403).
        """
        (root / "sub" / "index.rpy").write_bytes(b"password = 'x'")
        request = fetch(File(root), [b"sub", b""])
        assert code(request) == 403
        assert b"password" not in body(request)

    def test_rpyRefused(self, root: Path) -> None:
        """
        Any C{.rpy} file is refused.
        """
        (root / "tool.RPY").write_bytes(b"password = 'x'")
        assert code(fetch(File(root), [b"tool.RPY"])) == 403

    def test_processor(self, root: Path) -> None:
        """
        A processor installed in C{processors} is called with the path and
        the registry, as in Twisted.
        """
        calls: list[tuple[str, Registry]] = []

        def processor(path: str, registry: Registry) -> Resource:
            calls.append((path, registry))
            return Data(b"processed", "text/plain")

        (root / "page.rpy").write_bytes(b"")
        resource = File(root)
        resource.processors = {".rpy": processor}
        assert body(fetch(resource, [b"page.rpy"])) == b"processed"
        assert calls == [(str(root / "page.rpy"), resource.registry)]

    def test_listing(self, root: Path) -> None:
        """
        Without an index, the directory's listing is rendered: directories
        first, each sorted, with sizes and types.
        """
        (root / "B.css").write_bytes(b"x" * 2048)
        request = fetch(File(root), [b""])
        page = body(request).decode()
        assert header(request, b"content-type") == b"text/html; charset=utf-8"
        hrefs = re.findall(r'href="([^"]*)"', page)
        assert hrefs == ["sub/", "B.css", "a.txt"]
        assert "<td>2K</td><td>[text/css]</td>" in page
        assert "<td>36B</td><td>[text/plain]</td>" in page
        assert "[Directory]" in page

    def test_listingEscapes(self, root: Path) -> None:
        """
        Names are HTML-escaped in the text and percent-encoded in links;
        the title, from the URI, is escaped too.
        """
        (root / "sub" / '<script>"&.txt').write_bytes(b"x")
        (root / "sub" / "a b#?.txt").write_bytes(b"x")
        request = DummyRequest([b"sub", b""])
        request.uri = b"/sub/%3Cimg%3E/"
        request.render(getChildForRequest(File(root), request))
        page = body(request).decode()
        assert "<script>" not in page and "<img>" not in page
        assert "&lt;script&gt;&quot;&amp;.txt" in page
        assert 'href="%3Cscript%3E%22%26.txt"' in page
        assert 'href="a%20b%23%3F.txt"' in page
        assert "Directory listing for /sub/&lt;img&gt;/" in page

    def test_listingUndecodableName(self, root: Path) -> None:
        """
        A name that is not UTF-8 is still listed and links to itself.
        """
        os.mkdir(os.path.join(os.fsencode(root), b"x\xff"))
        page = body(fetch(File(root), [b""])).decode()
        assert 'href="x%FF/"' in page
        assert "x\ufffd/" in page

    def test_directoryLister(self, root: Path) -> None:
        """
        L{DirectoryLister} lists the names it is given, or else reads the
        directory when rendered.
        """
        lister = DirectoryLister(str(root), ["a.txt"])
        request = DummyRequest([])
        page = lister.render(request).decode()
        assert re.findall(r'href="([^"]*)"', page) == ["a.txt"]
        (root / "new.txt").write_bytes(b"")
        page = DirectoryLister(root.as_posix()).render(DummyRequest([])).decode()
        assert "new.txt" in page
        assert repr(lister) == f"<DirectoryLister of {str(root)!r}>"

    def test_directoryListing(self, root: Path) -> None:
        """
        L{File.directoryListing} is a lister with the File's settings.
        """
        resource = File(root, defaultType="application/octet-stream")
        lister = resource.directoryListing()
        assert isinstance(lister, DirectoryLister)
        assert lister.path == str(root)
        assert lister.dirs == ["a.txt", "sub"]
        assert lister.defaultType == "application/octet-stream"

    def test_listNames(self, root: Path) -> None:
        """
        L{File.listNames} gives the directory's names sorted, and nothing
        for a file; L{File.listEntities} pairs them with Files.
        """
        resource = File(root)
        assert resource.listNames() == ["a.txt", "sub"]
        assert File(root / "a.txt").listNames() == []
        entities = resource.listEntities()
        assert [name for name, _ in entities] == ["a.txt", "sub"]
        child = entities[0][1]
        assert isinstance(child, File) and child.path == str(root / "a.txt")

    def test_ignoredExts(self, root: Path) -> None:
        """
        A missing child is found with an ignored extension added.
        """
        resource = File(root, ignoredExts=(".txt",))
        assert body(fetch(resource, [b"a"])) == BODY
        other = File(root)
        other.ignoreExt(".html")
        assert body(fetch(other, [b"sub", b"b"])) == b"<p>b</p>"

    def test_createSimilarFile(self, root: Path) -> None:
        """
        Children inherit the settings of their parent.
        """
        resource = File(root, "text/plain", [".x"], followSymlinks=True)
        resource.indexNames = ["home.html"]
        child = resource.createSimilarFile(str(root / "sub"))
        assert (child.defaultType, child.ignoredExts, child.followSymlinks) == (
            "text/plain",
            [".x"],
            True,
        )
        assert child.indexNames == ["home.html"]
        assert child.registry is resource.registry


class ConditionalTests:
    """
    Conditional GETs, through File.
    """

    def test_ifNoneMatch(self, root: Path) -> None:
        """
        The current ETag in If-None-Match answers 304 with no body but the
        validators.
        """
        etag = header(fetch(File(root), [b"a.txt"]), b"etag")
        assert etag is not None
        request = fetch(File(root), [b"a.txt"], if_none_match=etag)
        assert code(request) == 304
        assert body(request) == b""
        assert header(request, b"etag") == etag
        assert header(request, b"content-length") is None

    def test_ifNoneMatchStale(self, root: Path) -> None:
        """
        An old ETag gets the file.
        """
        request = fetch(File(root), [b"a.txt"], if_none_match=b'"old"')
        assert body(request) == BODY

    def test_ifModifiedSince(self, root: Path) -> None:
        """
        If-Modified-Since at or after the modification answers 304; before
        it gets the file.
        """
        os.utime(root / "a.txt", (1_700_000_000, 1_700_000_000))
        later = fetch(File(root), [b"a.txt"], if_modified_since=httpDate(1_700_000_000))
        assert code(later) == 304
        earlier = fetch(File(root), [b"a.txt"], if_modified_since=httpDate(1_600_000_000))
        assert body(earlier) == BODY

    def test_ifMatchFails(self, root: Path) -> None:
        """
        If-Match with another tag answers 412.
        """
        request = fetch(File(root), [b"a.txt"], if_match=b'"old"')
        assert code(request) == 412
        assert body(request) == b""

    def test_multipleHeaderLines(self, root: Path) -> None:
        """
        If-None-Match values on several header lines are all considered.
        """
        etag = header(fetch(File(root), [b"a.txt"]), b"etag")
        assert etag is not None
        request = DummyRequest([b"a.txt"])
        request.requestHeaders.setRawHeaders(b"if-none-match", [b'"x"', etag])
        request.render(getChildForRequest(File(root), request))
        assert request.responseCode == 304


def parseMultipart(contentType: bytes, data: bytes) -> list[tuple[str, str, bytes]]:
    """
    The parts of a I{multipart/byteranges} body: (type, range, bytes).
    """
    message = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + contentType + b"\r\n\r\n" + data
    )
    assert message.is_multipart()
    parts = []
    for part in message.get_payload():
        assert not isinstance(part, str)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts.append((part["Content-Type"], part["Content-Range"], payload))
    return parts


class RangeTests:
    """
    Range requests, through File.
    """

    def test_single(self, root: Path) -> None:
        """
        One range answers 206 with Content-Range and just those bytes.
        """
        request = fetch(File(root), [b"a.txt"], range=b"bytes=10-19")
        assert code(request) == 206
        assert body(request) == BODY[10:20]
        assert header(request, b"content-range") == b"bytes 10-19/36"
        assert header(request, b"content-length") == b"10"
        assert header(request, b"content-type") == b"text/plain"

    def test_suffix(self, root: Path) -> None:
        """
        A suffix range sends the file's last bytes.
        """
        request = fetch(File(root), [b"a.txt"], range=b"bytes=-6")
        assert body(request) == BODY[-6:]
        assert header(request, b"content-range") == b"bytes 30-35/36"

    def test_singleHead(self, root: Path) -> None:
        """
        HEAD with a range gives the 206 headers and no body.
        """
        request = fetch(File(root), [b"a.txt"], method=b"HEAD", range=b"bytes=0-9")
        assert (code(request), body(request)) == (206, b"")
        assert header(request, b"content-length") == b"10"

    def test_multiple(self, root: Path) -> None:
        """
        Several ranges answer a I{multipart/byteranges} body whose parts
        carry their type and range, with an exact Content-Length.
        """
        request = fetch(File(root), [b"a.txt"], range=b"bytes=0-9,20-29")
        assert code(request) == 206
        contentType = header(request, b"content-type")
        assert contentType is not None
        assert re.fullmatch(rb"multipart/byteranges; boundary=[0-9a-f]{32}", contentType)
        data = body(request)
        assert header(request, b"content-length") == b"%d" % (len(data),)
        assert parseMultipart(contentType, data) == [
            ("text/plain", "bytes 0-9/36", BODY[0:10]),
            ("text/plain", "bytes 20-29/36", BODY[20:30]),
        ]
        assert data.endswith(b"--\r\n")
        assert header(request, b"content-range") is None

    def test_multipleBoundaryRandom(self, root: Path) -> None:
        """
        Each response has its own boundary.
        """
        first = fetch(File(root), [b"a.txt"], range=b"bytes=0-1,3-4")
        second = fetch(File(root), [b"a.txt"], range=b"bytes=0-1,3-4")
        assert header(first, b"content-type") != header(second, b"content-type")

    def test_multipleHead(self, root: Path) -> None:
        """
        HEAD with several ranges gives the length the GET would send.
        """
        request = fetch(File(root), [b"a.txt"], method=b"HEAD", range=b"bytes=0-1,3-4")
        contentType = header(request, b"content-type")
        assert contentType is not None and contentType.startswith(b"multipart/byteranges")
        length = header(request, b"content-length")
        assert length is not None and int(length) > 4
        assert body(request) == b""

    def test_multipleEncoded(self, root: Path) -> None:
        """
        With a compressed file, each part carries the Content-Encoding and
        the whole response does not.
        """
        (root / "n.txt.gz").write_bytes(bytes(range(50)))
        request = fetch(File(root), [b"n.txt.gz"], range=b"bytes=0-1,10-11")
        assert header(request, b"content-encoding") is None
        assert body(request).count(b"Content-Encoding: gzip\r\n") == 2

    def test_unsatisfiable(self, root: Path) -> None:
        """
        A range past the end answers 416 with C{Content-Range: bytes */size}.
        """
        request = fetch(File(root), [b"a.txt"], range=b"bytes=100-200")
        assert code(request) == 416
        assert header(request, b"content-range") == b"bytes */36"
        assert body(request) == b""

    @pytest.mark.parametrize("value", [b"bytes=z-1", b"pages=1-2", b"bytes=0-,0-"])
    def test_ignored(self, root: Path, value: bytes) -> None:
        """
        A malformed, foreign-unit or overlapping Range is ignored: 200 and
        the whole file.
        """
        request = fetch(File(root), [b"a.txt"], range=value)
        assert (code(request), body(request)) == (200, BODY)

    def test_twoRangeHeaders(self, root: Path) -> None:
        """
        Two Range header lines are malformed: the whole file is sent.
        """
        request = DummyRequest([b"a.txt"])
        request.requestHeaders.setRawHeaders(b"range", [b"bytes=0-1", b"bytes=2-3"])
        request.render(getChildForRequest(File(root), request))
        assert body(request) == BODY

    def test_ifRangeMatch(self, root: Path) -> None:
        """
        If-Range with the current ETag applies the range.
        """
        etag = header(fetch(File(root), [b"a.txt"]), b"etag")
        assert etag is not None
        request = fetch(File(root), [b"a.txt"], range=b"bytes=0-0", if_range=etag)
        assert (code(request), body(request)) == (206, b"0")

    def test_ifRangeStale(self, root: Path) -> None:
        """
        If-Range with an old ETag or date sends the whole file.
        """
        request = fetch(File(root), [b"a.txt"], range=b"bytes=0-0", if_range=b'"old"')
        assert (code(request), body(request)) == (200, BODY)
        old = httpDate(1_000_000_000)
        request = fetch(File(root), [b"a.txt"], range=b"bytes=0-0", if_range=old)
        assert body(request) == BODY

    def test_notModifiedBeatsRange(self, root: Path) -> None:
        """
        A conditional 304 takes precedence over a Range.
        """
        etag = header(fetch(File(root), [b"a.txt"]), b"etag")
        assert etag is not None
        request = fetch(File(root), [b"a.txt"], range=b"bytes=0-0", if_none_match=etag)
        assert code(request) == 304


class MakeProducerTests:
    """
    L{File.makeProducer} sets the headers and gives the producer to start.
    """

    def test_whole(self, root: Path) -> None:
        """
        Without a Range, the producer sends the whole file.
        """
        resource = File(root / "a.txt")
        request = DummyRequest([])
        producer = resource.makeProducer(request, resource.openForReading())
        assert isinstance(producer, static.NoRangeStaticProducer)
        assert header(request, b"content-length") == b"36"
        producer.start()
        assert (body(request), request.finished) == (BODY, True)

    def test_ranges(self, root: Path) -> None:
        """
        One range gives a L{static.SingleRangeStaticProducer}, several a
        L{static.MultipleRangeStaticProducer}.
        """
        resource = File(root / "a.txt")
        single = DummyRequest([])
        single.requestHeaders.setRawHeaders(b"range", [b"bytes=1-2"])
        producer = resource.makeProducer(single, resource.openForReading())
        assert isinstance(producer, static.SingleRangeStaticProducer)
        producer.start()
        assert body(single) == b"12"
        several = DummyRequest([])
        several.requestHeaders.setRawHeaders(b"range", [b"bytes=1-2,5-6"])
        producer = resource.makeProducer(several, resource.openForReading())
        assert isinstance(producer, static.MultipleRangeStaticProducer)
        producer.start()
        assert several.finished

    def test_noBody(self, root: Path) -> None:
        """
        For an answer without a body (here 416) the producer writes nothing
        and finishes.
        """
        resource = File(root / "a.txt")
        request = DummyRequest([])
        request.requestHeaders.setRawHeaders(b"range", [b"bytes=99-"])
        fileObject = resource.openForReading()
        producer = resource.makeProducer(request, fileObject)
        producer.start()
        assert (request.responseCode, body(request), request.finished) == (416, b"", True)
        assert fileObject.closed


class MimeTests:
    """
    Content types and sizes.
    """

    def test_getTypeAndEncoding(self) -> None:
        """
        The last extension gives the type, or the encoding and then the
        type; case does not matter; unknown gives the default.
        """
        types = {".txt": "text/plain", ".tar": "application/x-tar"}
        encodings = {".gz": "gzip"}
        assert getTypeAndEncoding("a.TXT", types, encodings, "d") == ("text/plain", None)
        assert getTypeAndEncoding("a.tar.GZ", types, encodings, "d") == (
            "application/x-tar",
            "gzip",
        )
        assert getTypeAndEncoding("a.gz", types, encodings, "d") == ("d", "gzip")
        assert getTypeAndEncoding("README", types, encodings, "d") == ("d", None)

    def test_loadMimeTypes(self, tmp_path: Path) -> None:
        """
        L{loadMimeTypes} reads the given files on top of the standard table,
        and leaves the global C{mimetypes} table alone.
        """
        import mimetypes

        before = dict(mimetypes.types_map)
        table = tmp_path / "mime.types"
        table.write_text("application/x-torsion-test\ttorsiontest\n")
        types = loadMimeTypes([str(table), str(tmp_path / "missing")])
        assert types[".torsiontest"] == "application/x-torsion-test"
        assert types[".html"] == "text/html"
        assert types[".md"] == "text/markdown"
        assert mimetypes.types_map == before

    @pytest.mark.parametrize(
        ("size", "text"),
        [
            (0, b"0B"),
            (1023, b"1023B"),
            (1024, b"1K"),
            (1536, b"1K"),
            (2**20, b"1M"),
            (5 * 2**30, b"5G"),
        ],
    )
    def test_formatFileSize(self, size: int, text: bytes) -> None:
        """
        Sizes are shown in the largest unit that keeps them at least 1.
        """
        assert formatFileSize(size) == text


class DataTests:
    """
    L{Data} serves bytes held in memory.
    """

    def test_get(self) -> None:
        """
        GET sends the data with its type and length.
        """
        request = fetch(Data(b"hi", "text/plain"), [])
        assert body(request) == b"hi"
        assert header(request, b"content-type") == b"text/plain"
        assert header(request, b"content-length") == b"2"

    def test_head(self) -> None:
        """
        HEAD sends the headers only.
        """
        request = fetch(Data(b"hi", "text/plain"), [], method=b"HEAD")
        assert body(request) == b""
        assert header(request, b"content-length") == b"2"

    def test_leaf(self) -> None:
        """
        Data is a leaf: the rest of the path is left to it.
        """
        request = fetch(Data(b"hi", "text/plain"), [b"a", b"b"])
        assert body(request) == b"hi"


class RegistryTests:
    """
    L{Registry} caches resources by path.
    """

    def test_cache(self) -> None:
        """
        A cached resource is given back for its path only.
        """
        registry = Registry()
        resource: Any = Data(b"", "text/plain")
        registry.cachePath("/a", resource)
        assert registry.getCachedPath("/a") is resource
        assert registry.getCachedPath("/b") is None


def test_getChildDirect(root: Path) -> None:
    """
    L{File.getChild} called directly gives the child File for a name.
    """
    request: IRequest = DummyRequest([])
    child = File(root).getChild(b"a.txt", request)
    assert isinstance(child, File) and child.path == str(root / "a.txt")
