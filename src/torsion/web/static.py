"""
Static files: serve a directory tree from disk over HTTP.

L{File} is the resource; give it to C{torsion.web.server.Site}::

    site = Site(File("/srv/www", defaultType="application/octet-stream"))

It answers conditional requests and byte ranges, lists directories without
an index file, refuses path traversal and (by default) symlinks that leave
the tree, and sends large files a chunk at a time through the producer API.
See C{docs/web-static.md}.
"""

from torsion.python._publish import publish as _publish
from torsion.web._static import (
    Data,
    File,
    Registry,
    addSlash,
    dangerousPathError,
    isDangerous,
    loadMimeTypes,
)
from torsion.web._staticlisting import DirectoryLister, formatFileSize, getTypeAndEncoding
from torsion.web._staticproducer import (
    MultipleRangeStaticProducer,
    NoRangeStaticProducer,
    SingleRangeStaticProducer,
    StaticProducer,
)

__all__ = [
    "Data",
    "DirectoryLister",
    "File",
    "MultipleRangeStaticProducer",
    "NoRangeStaticProducer",
    "Registry",
    "SingleRangeStaticProducer",
    "StaticProducer",
    "addSlash",
    "dangerousPathError",
    "formatFileSize",
    "getTypeAndEncoding",
    "isDangerous",
    "loadMimeTypes",
]

_publish(globals())
