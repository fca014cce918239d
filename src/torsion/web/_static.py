# File, the resource that serves a directory tree from disk, and its small
# companions (Data, Registry, loadMimeTypes, isDangerous, addSlash).
#
# Traversal.  The server hands File.getChild one path segment at a time,
# already percent-decoded (b"%2e%2e" arrives as b".."; a test double may
# hand either form).  File never decodes a segment again: decoding twice is
# how "%252e%252e" traversals get through.  A segment that is b".", b"..",
# or holds "/", "\" or NUL is refused with 400 before the file system is
# touched; such a segment cannot come from a link to a file.  Then the
# child's real path (every symlink resolved) must stay inside the real path
# of the root File -- the File the user made, handed down to every child
# by createSimilarFile -- unless followSymlinks is true: a symlink that
# leads out of the tree answers 403, a missing file 404.  The check is made
# when the child is looked up; a symlink swapped in between lookup and
# open is not caught (serve trees that hostile local users cannot write).
#
# Rendering.  render_GET opens the file, takes size and mtime from the
# open descriptor (so headers and bytes describe the same file), sets the
# validators, evaluates conditionals and Range (see _staticrange) and hands
# the open file to a producer (see _staticproducer), returning
# NOT_DONE_YET; the producer finishes the request.  HEAD sets the same
# headers and sends no body.  A directory without its trailing slash is
# redirected to it, so that relative links in its listing resolve.
#
# Scripts.  Twisted maps ".rpy" (and with a registry ".cgi", ".epy") to
# processors that run code.  torsion runs no code from the served tree:
# File.processors is empty, a ".rpy" file is refused with 403 (it is
# Python source, often with secrets in it), and a processor that the user
# installs in File.processors is called as in Twisted.
from __future__ import annotations

import errno
import mimetypes
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from typing import IO

from torsion.python.components import Componentized
from torsion.web import _staticrange as _range
from torsion.web._notdone import NOT_DONE_YET
from torsion.web._resource import ErrorPage, ForbiddenResource, NoResource, Resource
from torsion.web._staticlisting import DirectoryLister, getTypeAndEncoding
from torsion.web._staticproducer import (
    MultipleRangeStaticProducer,
    NoRangeStaticProducer,
    SingleRangeStaticProducer,
    StaticProducer,
)
from torsion.web._status import (
    BAD_REQUEST,
    NOT_MODIFIED,
    PARTIAL_CONTENT,
    PRECONDITION_FAILED,
    REQUESTED_RANGE_NOT_SATISFIABLE,
)
from torsion.web.iweb import IRequest, IResource
from torsion.web.util import redirectTo

# Extensions whose files are refused unless a processor is installed.
_SCRIPT_EXTENSIONS = frozenset({".rpy"})

_EXTRA_TYPES = {
    ".conf": "text/plain",
    ".diff": "text/plain",
    ".patch": "text/plain",
    ".flac": "audio/flac",
    ".java": "text/plain",
    ".md": "text/markdown",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
}


def loadMimeTypes(mimetype_locations: Sequence[str] | None = None) -> dict[str, str]:
    """
    Content types by extension: the standard library's table, the system's
    C{mime.types} files and a few additions torsion knows.

    Unlike Twisted, the global C{mimetypes} module is left untouched.

    @param mimetype_locations: The C{mime.types} style files to read; by
        default the usual system locations (C{mimetypes.knownfiles}) that
        exist.
    @return: A new dict such as C{{".txt": "text/plain", ...}}.
    """
    database = mimetypes.MimeTypes()
    locations = mimetypes.knownfiles if mimetype_locations is None else mimetype_locations
    for location in locations:
        if os.path.isfile(location):
            database.read(location)
    types = dict(database.types_map[True])
    types.update(_EXTRA_TYPES)
    return types


def isDangerous(path: bytes) -> bool:
    """
    Whether a path segment could leave the directory it names a child of.

    @param path: One decoded path segment.
    @return: C{True} for C{b"."}, C{b".."} and any segment holding
        C{"/"}, C{"\\"} or NUL.
    """
    return path in (b".", b"..") or b"/" in path or b"\\" in path or b"\x00" in path


def addSlash(request: IRequest) -> bytes:
    """
    The URL of the request with a slash added to its path, query kept.

    @param request: The request for a directory.
    @return: Such as C{b"http://host/docs/?sort=name"}.
    """
    query = request.uri.partition(b"?")[2]
    url = request.prePathURL() + b"/"
    return url + b"?" + query if query else url


dangerousPathError = ErrorPage(
    BAD_REQUEST,
    "Bad Request",
    "Invalid request URL: a path segment may not be '.', '..' or hold '/', '\\' or NUL.",
)
"""
The page for a path segment that L{isDangerous} refuses (I{400}).
"""


class Registry(Componentized):
    """
    A per-site cache that L{File} hands to the processors in
    C{File.processors}; torsion ships no processors, so it is only a cache.
    """

    def __init__(self) -> None:
        super().__init__()
        self._pathCache: dict[str, IResource] = {}

    def cachePath(self, path: str, rsrc: IResource) -> None:
        """
        Remember the resource made for C{path}.

        @param path: The file's path.
        @param rsrc: Its resource.
        """
        self._pathCache[path] = rsrc

    def getCachedPath(self, path: str) -> IResource | None:
        """
        The resource remembered for C{path}, or L{None}.

        @param path: The file's path.
        @return: The resource, or L{None}.
        """
        return self._pathCache.get(path)


class Data(Resource):
    """
    A fixed body with a fixed content type, held in memory.

    @ivar data: The body.
    @ivar type: The content type.
    """

    isLeaf = True

    def __init__(self, data: bytes, type: str | bytes) -> None:
        """
        @param data: The body.
        @param type: Its content type, such as C{"text/plain"}.
        """
        super().__init__()
        self.data = data
        self.type = type

    def render_GET(self, request: IRequest) -> bytes:
        """
        The body, with its Content-Type and Content-Length.

        @param request: The request.
        @return: C{data}.
        """
        request.setHeader(b"content-type", self.type)
        request.setHeader(b"content-length", b"%d" % (len(self.data),))
        if request.method == b"HEAD":
            return b""
        return self.data

    render_HEAD = render_GET


ProcessorFactory = Callable[[str, Registry], IResource]


class File(Resource):
    """
    A file or a directory tree on disk, served over HTTP.

    Files are sent with Content-Type (from C{contentTypes}), Content-Length,
    Last-Modified, a strong ETag and C{Accept-Ranges: bytes}; conditional
    requests and byte ranges (one, or several as I{multipart/byteranges})
    are answered, and the bytes are read a chunk at a time as the client
    takes them.  A directory serves its first index file (C{indexNames}) or
    a L{DirectoryLister}.  Segments such as C{..} are refused (I{400});
    symlinks that lead outside the root are refused (I{403}) unless
    C{followSymlinks} is true.  See C{docs/web-static.md}.

    @cvar contentTypes: Content types by extension, shared by all Files;
        assign a new dict on an instance to change one File.
    @cvar contentEncodings: Content encodings by extension.
    @cvar processors: Resource factories by extension, called as
        C{factory(path, registry)}; empty: torsion runs no scripts.
    @cvar indexNames: The names tried, in order, for a directory's page.
    @ivar path: The file or directory, as text (undecodable bytes kept with
        C{surrogateescape}).
    @ivar defaultType: The content type of unknown extensions.
    @ivar ignoredExts: Extensions tried when a child does not exist.
    @ivar registry: The L{Registry} handed to processors.
    @ivar followSymlinks: Whether symlinks leading outside the root are
        followed; C{False} unless given.
    """

    contentTypes: dict[str, str] = loadMimeTypes()
    contentEncodings: dict[str, str] = {".gz": "gzip", ".bz2": "bzip2"}
    processors: dict[str, ProcessorFactory] = {}
    indexNames: list[str] = ["index", "index.html", "index.htm", "index.rpy"]
    type: str | None = None
    encoding: str | None = None
    childNotFound: IResource = NoResource("File not found.")
    forbidden: IResource = ForbiddenResource()

    def __init__(
        self,
        path: str | bytes | os.PathLike[str] | os.PathLike[bytes],
        defaultType: str = "text/html",
        ignoredExts: Sequence[str] = (),
        registry: Registry | None = None,
        allowExt: int = 0,
        *,
        followSymlinks: bool = False,
    ) -> None:
        """
        @param path: The file or directory to serve: text, bytes or a
            path object.
        @param defaultType: The content type of files whose extension is
            unknown.  Twisted's default, C{"text/html"}, is kept; pass
            C{"application/octet-stream"} for trees holding files that
            others upload, so that no unknown file renders as a page.
        @param ignoredExts: Extensions to try when a child is missing, such
            as C{(".html",)} so that C{/about} finds C{about.html}.
        @param registry: The L{Registry} for processors; a new one if
            L{None}.
        @param allowExt: Unused; kept for Twisted's signature.
        @param followSymlinks: Serve symlinks whose target is outside the
            root too (torsion addition).
        """
        super().__init__()
        self.path = os.fsdecode(path)
        self.defaultType = defaultType
        self.ignoredExts = list(ignoredExts)
        self.registry = registry if registry is not None else Registry()
        self.followSymlinks = followSymlinks
        #: The root this File serves below: as given, and resolved (made on
        #: first use: most Files are children made per request).
        self._rootPath = self.path
        self._realRoot: str | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path!r}>"

    # FilePath-like queries.

    def exists(self) -> bool:
        """
        @return: Whether the path exists (following symlinks).
        """
        return os.path.exists(self.path)

    def isdir(self) -> bool:
        """
        @return: Whether the path is a directory (following symlinks).
        """
        return os.path.isdir(self.path)

    def basename(self) -> str:
        """
        @return: The last component of the path.
        """
        return os.path.basename(self.path)

    def getFileSize(self) -> int:
        """
        @return: The file's size in bytes.
        @raise OSError: If it cannot be read.
        """
        return os.stat(self.path).st_size

    def ignoreExt(self, ext: str) -> None:
        """
        Also find a missing child by adding C{ext} to its name.

        @param ext: Such as C{".html"}.
        """
        self.ignoredExts.append(ext)

    # Traversal.

    def directoryListing(self) -> DirectoryLister:
        """
        The listing page of this directory.

        @return: A L{DirectoryLister}.
        """
        return DirectoryLister(
            self.path,
            self.listNames(),
            self.contentTypes,
            self.contentEncodings,
            self.defaultType,
        )

    def listNames(self) -> list[str]:  # type: ignore[override]
        """
        The names in this directory, sorted; empty for a file.

        @return: The names.
        """
        if not self.isdir():
            return []
        try:
            return sorted(os.listdir(self.path))
        except OSError:
            return []

    def listEntities(self) -> list[tuple[str, IResource]]:  # type: ignore[override]
        """
        Each name in this directory with its resource.

        @return: C{(name, resource)} pairs, sorted by name.
        """
        return [
            (name, self.createSimilarFile(os.path.join(self.path, name)))
            for name in self.listNames()
        ]

    def createSimilarFile(self, path: str) -> File:
        """
        A File for C{path} with this File's settings and root.

        @param path: The path.
        @return: The new File.
        """
        child = type(self)(
            path,
            self.defaultType,
            self.ignoredExts,
            self.registry,
            followSymlinks=self.followSymlinks,
        )
        child.processors = self.processors
        child.indexNames = self.indexNames[:]
        child._rootPath = self._rootPath
        child._realRoot = self._realRoot
        return child

    def _inside(self, path: str) -> bool:
        """
        Whether C{path}, symlinks resolved, is inside the root.
        """
        root = self._realRoot
        if root is None:
            root = self._realRoot = os.path.realpath(self._rootPath)
        # Speed: a path below the root whose components under it are no
        # symlinks resolves to the resolved root plus those components, so
        # only they need a look (realpath would look at every ancestor).
        prefix = self._rootPath.rstrip(os.sep) + os.sep
        if path.startswith(prefix):
            parts = path[len(prefix) :].split(os.sep)
            if "" not in parts and "." not in parts and ".." not in parts:
                current = prefix
                for part in parts:
                    current += part
                    try:
                        if stat.S_ISLNK(os.lstat(current).st_mode):
                            break
                    except OSError:
                        break
                    current += os.sep
                else:
                    return True
        real = os.path.realpath(path)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def _childResource(self, path: str) -> IResource:
        """
        The resource for an existing child path, policies applied.
        """
        if not self.followSymlinks and not self._inside(path):
            return self.forbidden
        ext = os.path.splitext(path)[1].lower()
        processor = self.processors.get(ext)
        if processor is not None:
            return IResource(processor(path, self.registry))
        if ext in _SCRIPT_EXTENSIONS:
            return self.forbidden
        return self.createSimilarFile(path)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        """
        The resource for one path segment below this directory.

        @param path: The segment, percent-decoded; C{b""} (a trailing
            slash) asks for the directory's own page.
        @param request: The request.
        @return: The child File, the index file, the listing, or an error
            page: I{400} for a dangerous segment, I{403} for a forbidden
            one, I{404} for a missing one.
        """
        if not self.isdir():
            return self.childNotFound
        if path == b"":
            for name in self.indexNames:
                candidate = os.path.join(self.path, name)
                if os.path.exists(candidate):
                    return self._childResource(candidate)
            if not self.followSymlinks and not self._inside(self.path):
                return self.forbidden
            return self.directoryListing()
        if isDangerous(path):
            return dangerousPathError
        child = os.path.join(self.path, os.fsdecode(path))
        if not os.path.lexists(child):
            for ext in self.ignoredExts:
                if os.path.exists(child + ext):
                    child += ext
                    break
            else:
                return self.childNotFound
        if not os.path.exists(child):
            return self.childNotFound  # a dangling symlink
        return self._childResource(child)

    # Rendering.

    def openForReading(self) -> IO[bytes]:
        """
        Open the file for reading, in binary mode.

        @return: The open file.
        @raise OSError: If it cannot be opened.
        """
        return open(self.path, "rb")  # the producer closes it

    def redirect(self, request: IRequest) -> bytes:
        """
        Redirect to this directory's URL with a trailing slash.

        @param request: The request.
        @return: The redirect page.
        """
        return redirectTo(addSlash(request), request)

    def _setContentHeaders(self, request: IRequest, size: int | None = None) -> None:
        """
        Set Content-Type, Content-Encoding and Content-Length.
        """
        kind, encoding = getTypeAndEncoding(
            self.basename(), self.contentTypes, self.contentEncodings, self.defaultType
        )
        self.type, self.encoding = kind, encoding
        request.setHeader(b"content-type", kind)
        if encoding is not None:
            request.setHeader(b"content-encoding", encoding)
        if size is not None:
            request.setHeader(b"content-length", b"%d" % (size,))

    def render_GET(self, request: IRequest) -> bytes | int:
        """
        Send the file; for a directory, redirect to its URL with a slash,
        or render its page if the URL has one.

        @param request: The request.
        @return: C{NOT_DONE_YET} while a producer sends the body, or a
            short body (error page, redirect, empty I{304}/I{416}/HEAD body).
        """
        if not self.exists():
            return self.childNotFound.render(request)
        if self.isdir():
            if request.uri.partition(b"?")[0].endswith(b"/"):
                return self.getChild(b"", request).render(request)
            return self.redirect(request)
        if not self.followSymlinks and not self._inside(self.path):
            return self.forbidden.render(request)
        try:
            fileObject = self.openForReading()
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM):
                return self.forbidden.render(request)
            return self.childNotFound.render(request)
        try:
            producer = self._prepare(request, fileObject)
        except BaseException:
            fileObject.close()
            raise
        if producer is None:
            fileObject.close()
            return b""
        producer.start()
        return NOT_DONE_YET

    render_HEAD = render_GET

    def _prepare(self, request: IRequest, fileObject: IO[bytes]) -> StaticProducer | None:
        """
        Set the response code and headers; return the producer of the body,
        or L{None} if there is no body to send.
        """
        info = os.fstat(fileObject.fileno())
        size = info.st_size
        lastModified = int(info.st_mtime)
        etag = _range.makeETag(size, info.st_mtime_ns)
        request.setHeader(b"accept-ranges", b"bytes")
        request.setHeader(b"last-modified", _range.httpDate(lastModified))
        request.setHeader(b"etag", etag)

        def header(name: bytes) -> bytes | None:
            values = request.requestHeaders.getRawHeaders(name)
            return b", ".join(values) if values else None

        verdict = _range.evaluateConditions(
            header(b"if-match"),
            header(b"if-unmodified-since"),
            header(b"if-none-match"),
            header(b"if-modified-since"),
            etag,
            lastModified,
        )
        if verdict == 304:
            request.setResponseCode(NOT_MODIFIED)
            return None
        if verdict == 412:
            request.setResponseCode(PRECONDITION_FAILED)
            request.setHeader(b"content-length", b"0")
            return None
        isHead = request.method == b"HEAD"
        ranges = None
        rangeHeaders = request.requestHeaders.getRawHeaders(b"range")
        if (
            rangeHeaders is not None
            and len(rangeHeaders) == 1
            and _range.rangeApplies(header(b"if-range"), etag, lastModified)
        ):
            ranges = _range.parseRange(rangeHeaders[0], size)
        if ranges is None:
            self._setContentHeaders(request, size)
            return None if isHead else NoRangeStaticProducer(request, fileObject)
        if not ranges:
            request.setResponseCode(REQUESTED_RANGE_NOT_SATISFIABLE)
            request.setHeader(b"content-range", b"bytes */%d" % (size,))
            request.setHeader(b"content-length", b"0")
            return None
        request.setResponseCode(PARTIAL_CONTENT)
        if len(ranges) == 1:
            offset, length = ranges[0]
            self._setContentHeaders(request, length)
            request.setHeader(b"content-range", _range.contentRange(offset, length, size))
            if isHead:
                return None
            return SingleRangeStaticProducer(request, fileObject, offset, length)
        return self._multipleRanges(request, fileObject, ranges, size, isHead)

    def _multipleRanges(
        self,
        request: IRequest,
        fileObject: IO[bytes],
        ranges: list[tuple[int, int]],
        size: int,
        isHead: bool,
    ) -> StaticProducer | None:
        """
        Set the headers of a I{multipart/byteranges} answer and make its
        producer.
        """
        self._setContentHeaders(request)
        kind = request.responseHeaders.getRawHeaders(b"content-type", [b""])[0]
        encoding = request.responseHeaders.getRawHeaders(b"content-encoding")
        boundary = secrets.token_hex(16).encode("ascii")
        partHeaders = b"Content-Type: " + kind + b"\r\n"
        if encoding:
            partHeaders += b"Content-Encoding: " + encoding[0] + b"\r\n"
        rangeInfo: list[tuple[bytes, int, int]] = []
        total = 0
        for index, (offset, length) in enumerate(ranges):
            separator = (
                (b"\r\n" if index else b"")
                + b"--"
                + boundary
                + b"\r\n"
                + partHeaders
                + b"Content-Range: "
                + _range.contentRange(offset, length, size)
                + b"\r\n\r\n"
            )
            rangeInfo.append((separator, offset, length))
            total += len(separator) + length
        closing = b"\r\n--" + boundary + b"--\r\n"
        rangeInfo.append((closing, 0, 0))
        total += len(closing)
        request.setHeader(b"content-type", b"multipart/byteranges; boundary=" + boundary)
        request.responseHeaders.removeHeader(b"content-encoding")
        request.setHeader(b"content-length", b"%d" % (total,))
        if isHead:
            return None
        return MultipleRangeStaticProducer(request, fileObject, rangeInfo)

    def makeProducer(self, request: IRequest, fileForReading: IO[bytes]) -> StaticProducer:
        """
        Set the response's headers for C{request} and make the producer of
        its body, which the caller then C{start()}s.

        @param request: The request (its Range and conditional headers are
            read).
        @param fileForReading: The open file; the producer closes it.
        @return: The producer; for a body-less answer (I{304}, I{416},
            I{412}), one that writes nothing and finishes.
        """
        producer = self._prepare(request, fileForReading)
        if producer is None:
            return SingleRangeStaticProducer(request, fileForReading, 0, 0)
        return producer
