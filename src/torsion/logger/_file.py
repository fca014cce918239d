# Writing events to files.
#
# FileLogObserver calls a formatting function and writes (then flushes) the
# text.  Whether the file takes str or bytes is decided once, up front: text
# I/O classes, binary I/O classes, then a "mode" attribute; anything else is
# treated as text.  Bytes are written UTF-8 encoded.

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any

from zope.interface import implementer

from torsion.logger._format import formatEventAsClassicLogText, formatTime, timeFormatRFC3339
from torsion.logger._interfaces import ILogObserver, LogEvent


def _takesText(outFile: object) -> bool:
    if isinstance(outFile, io.TextIOBase):
        return True
    if isinstance(outFile, (io.BufferedIOBase, io.RawIOBase)):
        return False
    mode = getattr(outFile, "mode", None)
    if isinstance(mode, str):
        return "b" not in mode
    return True


@implementer(ILogObserver)
class FileLogObserver:
    """
    An observer that writes each event to a file as text.

    @ivar formatEvent: The function rendering events as text.
    """

    def __init__(self, outFile: IO[Any], formatEvent: Callable[[LogEvent], str | None]) -> None:
        """
        @param outFile: A text or binary file; binary files get UTF-8.
        @param formatEvent: Renders an event as the exact text to write,
            including any trailing newline; L{None} or C{""} writes nothing.
        """
        self._outFile = outFile
        self._text = _takesText(outFile)
        self.formatEvent = formatEvent

    def __call__(self, event: LogEvent) -> None:
        """
        Write an event, then flush the file.

        @param event: The event.
        """
        text = self.formatEvent(event)
        if not text:
            return
        if self._text:
            self._outFile.write(text)
        else:
            self._outFile.write(text.encode("utf-8"))
        self._outFile.flush()


def textFileLogObserver(
    outFile: IO[Any], timeFormat: str | None = timeFormatRFC3339
) -> FileLogObserver:
    """
    Make an observer that writes events to a file in the classic text format.

    Each event becomes C{"<time> [<namespace>#<level>] <message>\\n"}, followed
    by the failure's traceback if the event has one (see
    L{torsion.logger.formatEventAsClassicLogText}).

    @param outFile: A text or binary file.
    @param timeFormat: A C{strftime} format for the timestamps, or L{None} to
        show C{-} instead of the time.
    @return: The observer.
    """

    def formatTimeWithFormat(when: float | None) -> str:
        return formatTime(when, timeFormat)

    def formatClassic(event: LogEvent) -> str | None:
        return formatEventAsClassicLogText(event, formatTime=formatTimeWithFormat)

    return FileLogObserver(outFile, formatClassic)
