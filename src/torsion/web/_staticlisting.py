# The HTML page File shows for a directory that has no index file.
#
# DirectoryLister reads the directory when it renders (not when it is
# made), sorts the entries by name, directories first, and renders one
# table row per entry: a link, the size and the content type (and content
# encoding) that File would serve it with.  Every name reaches the page
# twice and both ways are made safe: the link is percent-encoded from the
# file system bytes (so names with spaces, '#', '?' or undecodable bytes
# still link to themselves), the text is HTML-escaped (so a file named
# "<script>" cannot inject markup).  The page title comes from the request
# URI, which the client controls, so it is decoded and escaped the same way.
from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import quote, unquote_to_bytes

from torsion.web._resource import Resource
from torsion.web.iweb import IRequest

_UNITS = (b"K", b"M", b"G", b"T")


def formatFileSize(size: int) -> bytes:
    """
    A file size for people: whole bytes, kibibytes, mebibytes or gibibytes.

    @param size: The size in bytes.
    @return: Such as C{b"512B"}, C{b"1K"}, C{b"3M"} or C{b"5G"}.
    """
    if size < 1024:
        return b"%dB" % (size,)
    unit = b"B"
    for unit in _UNITS:
        size //= 1024
        if size < 1024 or unit == _UNITS[-1]:
            break
    return b"%d%s" % (size, unit)


def getTypeAndEncoding(
    filename: str, types: Mapping[str, str], encodings: Mapping[str, str], defaultType: str
) -> tuple[str, str | None]:
    """
    The content type and content encoding of a file, from its extensions.

    A compression extension (one of C{encodings}, such as C{.gz}) gives the
    encoding and the extension before it gives the type:
    C{"notes.txt.gz"} is C{("text/plain", "gzip")}.  Extensions are matched
    without regard to case.

    @param filename: The file's name or path.
    @param types: Content types by extension, such as C{{".txt":
        "text/plain"}}.
    @param encodings: Content encodings by extension.
    @param defaultType: The type of a file whose extension is unknown.
    @return: C{(contentType, contentEncoding or None)}.
    """
    base, ext = os.path.splitext(filename)
    encoding = encodings.get(ext.lower())
    if encoding is not None:
        base, ext = os.path.splitext(base)
    return types.get(ext.lower(), defaultType), encoding


_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
th, td {{ padding: 0 1em; text-align: left }}
</style>
</head>
<body>
<h1>{title}</h1>
<table>
<thead><tr><th>Filename</th><th>Size</th><th>Content type</th><th>Content encoding</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""

_ROW = (
    '<tr class="{kind}"><td><a href="{href}">{text}</a></td>'
    "<td>{size}</td><td>{type}</td><td>{encoding}</td></tr>"
)


def _display(name: str) -> str:
    """
    A file name as safe HTML text; undecodable bytes show as U+FFFD.
    """
    text = os.fsencode(name).decode("utf-8", "replace")
    return escape(text, quote=True)


class DirectoryLister(Resource):
    """
    An HTML listing of a directory: names (linked), sizes and types.

    @ivar path: The directory.
    @ivar dirs: The names to list, or L{None} for all the directory's
        entries.
    @ivar contentTypes: Content types by extension.
    @ivar contentEncodings: Content encodings by extension.
    @ivar defaultType: The type shown for unknown extensions.
    """

    isLeaf = True

    def __init__(
        self,
        pathname: str | bytes | os.PathLike[str] | os.PathLike[bytes],
        dirs: Sequence[str] | None = None,
        contentTypes: Mapping[str, str] | None = None,
        contentEncodings: Mapping[str, str] | None = None,
        defaultType: str = "text/html",
    ) -> None:
        """
        @param pathname: The directory to list.
        @param dirs: The names to list; by default the directory's entries,
            read at each render.
        @param contentTypes: Content types by extension; by default
            C{File.contentTypes}.
        @param contentEncodings: Content encodings by extension; by default
            C{File.contentEncodings}.
        @param defaultType: The type shown for unknown extensions.
        """
        super().__init__()
        if contentTypes is None or contentEncodings is None:
            from torsion.web._static import File

            contentTypes = File.contentTypes if contentTypes is None else contentTypes
            if contentEncodings is None:
                contentEncodings = File.contentEncodings
        self.path = os.fsdecode(pathname)
        self.dirs = list(dirs) if dirs is not None else None
        self.contentTypes = contentTypes
        self.contentEncodings = contentEncodings
        self.defaultType = defaultType

    def _getFilesAndDirectories(
        self, names: Sequence[str]
    ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """
        The template fields of each entry, split into files and
        directories; entries that vanish or cannot be read are left out.
        """
        files: list[dict[str, str]] = []
        directories: list[dict[str, str]] = []
        for name in sorted(names):
            try:
                info = os.stat(os.path.join(self.path, name))
            except (OSError, ValueError):
                continue
            href = quote(os.fsencode(name), safe="")
            if stat.S_ISDIR(info.st_mode):
                directories.append(
                    {
                        "kind": "directory",
                        "href": href + "/",
                        "text": _display(name) + "/",
                        "size": "",
                        "type": "[Directory]",
                        "encoding": "",
                    }
                )
            else:
                kind, encoding = getTypeAndEncoding(
                    name, self.contentTypes, self.contentEncodings, self.defaultType
                )
                files.append(
                    {
                        "kind": "file",
                        "href": href,
                        "text": _display(name),
                        "size": formatFileSize(info.st_size).decode("ascii"),
                        "type": escape(f"[{kind}]"),
                        "encoding": escape(f"[{encoding}]") if encoding else "",
                    }
                )
        return files, directories

    def render(self, request: IRequest) -> bytes:
        """
        The listing page, as UTF-8 HTML.

        @param request: The request; its URI path titles the page.
        @return: The page.
        """
        names = self.dirs
        if names is None:
            try:
                names = os.listdir(self.path)
            except OSError:
                names = []
        files, directories = self._getFilesAndDirectories(names)
        rows = "\n".join(_ROW.format(**entry) for entry in directories + files)
        where = unquote_to_bytes(request.uri.split(b"?", 1)[0]).decode("utf-8", "replace")
        title = escape(f"Directory listing for {where}", quote=True)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        return _PAGE.format(title=title, rows=rows).encode("utf-8")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.path!r}>"
