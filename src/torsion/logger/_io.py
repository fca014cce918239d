# LoggingFile: a write-only text file whose lines become log events.
#
# It stands in for sys.stdout and sys.stderr once logging begins with
# redirectStandardIO, so that print() output reaches the log observers.
# Writes are gathered until a newline; each complete line becomes one event
# with format "{log_io}".  The unfinished tail waits for the next write, and
# close() emits it (Twisted drops it).  flush() emits nothing: print(x,
# end="", flush=True) must not split a line in two.  Bytes are decoded with
# the file's encoding, replacing undecodable bytes, because a print() must
# never fail on account of logging.
#
# Loops: an observer that writes to this very file while one of its events is
# being delivered (say, a stdlib handler that looks up sys.stderr at each
# write) would emit another event, which it would write again, forever.  A
# per-thread "delivering" flag breaks that: such nested writes are dropped.
# The buffer is guarded by a lock so that lines written from several threads
# are not mixed up inside one event (whole lines may still interleave, as
# they do on a terminal).

from __future__ import annotations

import io
import threading
from collections.abc import Iterable

from torsion.logger._levels import LogLevel
from torsion.logger._logger import Logger


class LoggingFile:
    """
    A write-only file that turns each line written to it into a log event.

    Each complete line becomes an event at this file's level, emitted by its
    logger, with the line (without its newline) in the C{log_io} field and
    the format C{"{log_io}"}.

    @ivar log: The logger emitting the events.
    @ivar level: The level of the events.
    @ivar encoding: How bytes written to the file are decoded.
    @ivar closed: Whether L{close} was called.
    @ivar mode: Always C{"w"}.
    @ivar newlines: Always L{None}.
    """

    mode = "w"
    newlines = None

    def __init__(
        self, logger: Logger, level: LogLevel = LogLevel.info, encoding: str | None = None
    ) -> None:
        """
        @param logger: The logger emitting the events; its namespace is
            typically C{"stdout"} or C{"stderr"}.
        @param level: The level of the events.
        @param encoding: The encoding of bytes written to the file; L{None}
            means UTF-8.
        """
        self.log = logger
        self.level = level
        self.encoding = "utf-8" if encoding is None else encoding
        self.closed = False
        self._pending = ""
        self._lock = threading.Lock()
        self._delivering = threading.local()

    @property
    def name(self) -> str:
        """
        A description such as C{"<LoggingFile stdout#info>"}.
        """
        return f"<LoggingFile {self.log.namespace}#{self.level.name}>"

    def __repr__(self) -> str:
        return self.name

    def write(self, message: str | bytes) -> None:
        """
        Write text; each completed line becomes a log event.

        @param message: Text, or bytes in this file's encoding.
        @raise ValueError: If the file is closed.
        @raise TypeError: If C{message} is neither C{str} nor C{bytes}.
        """
        if self.closed:
            raise ValueError(f"write to closed file {self.name}; the log redirection was closed")
        if isinstance(message, bytes | bytearray):
            message = bytes(message).decode(self.encoding, "replace")
        elif not isinstance(message, str):
            raise TypeError(
                f"{self.name}.write() takes str or bytes, not {type(message).__name__}; "
                "convert it first, e.g. write(str(value))"
            )
        if getattr(self._delivering, "active", False):
            return  # written by an observer of this file's own event: see the top
        with self._lock:
            text = self._pending + message
            *lines, self._pending = text.split("\n")
        self._emit(lines)

    def writelines(self, lines: Iterable[str | bytes]) -> None:
        """
        Write each of several strings, as L{write} does.

        @param lines: The strings; like C{file.writelines}, no newlines are added.
        """
        for line in lines:
            self.write(line)

    def _emit(self, lines: list[str]) -> None:
        if not lines:
            return
        self._delivering.active = True
        try:
            for line in lines:
                self.log.emit(self.level, "{log_io}", log_io=line)
        finally:
            self._delivering.active = False

    def flush(self) -> None:
        """
        Do nothing: only complete lines are logged, and they are logged at once.
        """

    def close(self) -> None:
        """
        Close the file, logging any unfinished last line.
        """
        if self.closed:
            return
        self.closed = True
        with self._lock:
            pending, self._pending = self._pending, ""
        if pending:
            self._emit([pending])

    def isatty(self) -> bool:
        """
        @return: L{False}: a log is not a terminal.
        """
        return False

    def readable(self) -> bool:
        """
        @return: L{False}.
        """
        return False

    def writable(self) -> bool:
        """
        @return: L{True}.
        """
        return True

    def seekable(self) -> bool:
        """
        @return: L{False}.
        """
        return False

    def fileno(self) -> int:
        """
        Refuse: there is no file descriptor behind a log.

        @raise io.UnsupportedOperation: Always.
        """
        raise io.UnsupportedOperation(
            f"{self.name} has no file descriptor; to hand a child process real "
            "output, pass sys.__stdout__ or sys.__stderr__"
        )

    def read(self, size: int = -1) -> str:
        """
        Refuse: the file is write-only.

        @raise io.UnsupportedOperation: Always.
        """
        raise io.UnsupportedOperation(f"{self.name} is write-only")

    def readline(self, size: int = -1) -> str:
        """
        Refuse: the file is write-only.

        @raise io.UnsupportedOperation: Always.
        """
        raise io.UnsupportedOperation(f"{self.name} is write-only")
