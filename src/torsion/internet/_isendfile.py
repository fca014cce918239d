# ISendFileTransport: a torsion extension (Twisted has no such interface)
# for transports that can send a range of an open file without the bytes
# passing through Python, with the kernel's sendfile(2).  Kept apart from
# _itransport.py, the interfaces Twisted also has.
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zope.interface import Interface

if TYPE_CHECKING:
    from torsion.internet._deferred import Deferred


class ISendFileTransport(Interface):
    """
    A stream transport that sends file contents straight from the kernel's
    page cache to the socket (Linux C{sendfile(2)}), without reading them
    into Python: serving a large file costs a few system calls and no copies
    in user space.

    The file bytes take their place in the transport's outgoing stream: they
    go after everything written before, and what is written afterwards goes
    after them.  They count as buffered bytes for flow control, so a
    streaming producer is paused while a large range is outstanding.
    Connections that switched to TLS refuse, since the bytes would go out
    unencrypted; a protocol should check C{transport.TLS} (or use
    C{write}) in that case.
    """

    def sendFile(fileObject: Any, offset: int, count: int) -> Deferred[int]:
        """
        Send C{count} bytes of C{fileObject}, starting at C{offset}.

        The file's own position is neither used nor moved, and the caller
        still owns the file: keep it open until the result fires.

        @param fileObject: An open regular file: an object with C{fileno()},
            or a file descriptor.
        @param offset: Where in the file to start.
        @param count: How many bytes to send; 0 fires at once.
        @return: Fires with C{count} once the last byte was handed to the
            kernel; fails with L{EOFError} if the file ended before that
            (what was sent stays sent: the peer has a truncated stream, so
            close the connection), or with the reason the connection was
            lost first.
        @raise RuntimeError: If the connection uses TLS or is closed.
        @raise ValueError: If C{offset} or C{count} is negative.
        """


__all__ = ["ISendFileTransport"]
