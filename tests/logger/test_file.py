"""
Tests for L{torsion.logger.FileLogObserver} and L{torsion.logger.textFileLogObserver}.
"""

import io
import re
from pathlib import Path

from zope.interface.verify import verifyObject

from torsion.logger import FileLogObserver, ILogObserver, LogEvent, LogLevel, textFileLogObserver


class CountingStringIO(io.StringIO):
    """
    A text file that counts flushes.
    """

    flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def render(event: LogEvent) -> str | None:
    """
    A formatter: the event's C{text}, if any, with a newline.
    """
    text = event.get("text")
    return None if text is None else f"{text}\n"


def test_interface() -> None:
    """
    L{FileLogObserver} provides L{ILogObserver}.
    """
    assert verifyObject(ILogObserver, FileLogObserver(io.StringIO(), render))


def test_writesText() -> None:
    """
    Each event's formatted text is written to a text file and flushed.
    """
    out = CountingStringIO()
    observer = FileLogObserver(out, render)
    observer({"text": "one"})
    observer({"text": "t\u00e9o"})
    assert out.getvalue() == "one\nt\u00e9o\n"
    assert out.flushes == 2
    assert observer.formatEvent is render


def test_writesBytes() -> None:
    """
    A binary file gets the text encoded as UTF-8.
    """
    out = io.BytesIO()
    FileLogObserver(out, render)({"text": "caf\u00e9"})
    assert out.getvalue() == "caf\u00e9\n".encode()


def test_nothingToWrite() -> None:
    """
    When the formatter gives L{None} or C{""}, nothing is written or flushed.
    """
    out = CountingStringIO()
    observer = FileLogObserver(out, render)
    observer({})
    observer({"text": None})
    FileLogObserver(out, lambda event: "")({})
    assert out.getvalue() == ""
    assert out.flushes == 0


def test_realFiles(tmp_path: Path) -> None:
    """
    Files opened in text mode get text; files opened in binary mode
    (buffered or not) get UTF-8 bytes.
    """
    with open(tmp_path / "t.log", "w", encoding="utf-8") as text:
        FileLogObserver(text, render)({"text": "\u00e9"})
    with open(tmp_path / "b.log", "wb") as binary:
        FileLogObserver(binary, render)({"text": "\u00e9"})
    with open(tmp_path / "r.log", "wb", buffering=0) as raw:
        FileLogObserver(raw, render)({"text": "\u00e9"})
    for name in ("t.log", "b.log", "r.log"):
        assert (tmp_path / name).read_bytes() == "\u00e9\n".encode()


def test_textFileClassicFormat() -> None:
    """
    Events are written in the classic text format, with a timestamp.
    """
    out = io.StringIO()
    observer = textFileLogObserver(out)
    observer(
        {
            "log_format": "hello {x}",
            "x": 1,
            "log_namespace": "ns",
            "log_level": LogLevel.info,
            "log_time": 0.0,
        }
    )
    pattern = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d{4} \[ns#info\] hello 1\n$"
    assert re.match(pattern, out.getvalue())


def test_textFileTimeFormat() -> None:
    """
    C{timeFormat} sets the timestamp format; L{None} shows C{-}.
    """
    out = io.StringIO()
    event: LogEvent = {"log_format": "m", "log_time": 0.0}
    textFileLogObserver(out, timeFormat="<%S>")(event)
    textFileLogObserver(out, timeFormat=None)(event)
    assert out.getvalue() == "<00> [-#-] m\n- [-#-] m\n"


def test_textFileBinary() -> None:
    """
    A binary file gets the classic text as UTF-8.
    """
    out = io.BytesIO()
    textFileLogObserver(out, timeFormat=None)({"log_format": "\u2713"})
    assert out.getvalue() == "- [-#-] \u2713\n".encode()
