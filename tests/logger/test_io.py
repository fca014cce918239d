"""
Tests for L{torsion.logger.LoggingFile}.
"""

from __future__ import annotations

import io
import threading

import pytest

from torsion.logger import LogEvent, Logger, LoggingFile, LogLevel, LogPublisher, formatEvent


def makeFile(
    level: LogLevel = LogLevel.info, encoding: str | None = None
) -> tuple[LoggingFile, list[LogEvent]]:
    """
    A L{LoggingFile} on logger C{"out"} and the list of its events.
    """
    events: list[LogEvent] = []
    return LoggingFile(Logger("out", observer=events.append), level, encoding), events


def lines(events: list[LogEvent]) -> list[str]:
    """
    The C{log_io} of each event.
    """
    return [event["log_io"] for event in events]


def test_completeLinesOnly() -> None:
    """
    Each complete line becomes one event; an unfinished line waits.
    """
    f, events = makeFile()
    f.write("one\ntw")
    assert lines(events) == ["one"]
    f.write("o\nthree\n\n")
    assert lines(events) == ["one", "two", "three", ""]


def test_eventShape() -> None:
    """
    Events have the file's level, the logger's namespace, and the format
    C{"{log_io}"}.
    """
    f, events = makeFile(LogLevel.error)
    f.write("oops {not a field}\n")
    [event] = events
    assert event["log_level"] is LogLevel.error
    assert event["log_namespace"] == "out"
    assert event["log_format"] == "{log_io}"
    assert formatEvent(event) == "oops {not a field}"


def test_print() -> None:
    """
    C{print} to the file logs its line.
    """
    f, events = makeFile()
    print("a", 1, file=f)
    print("b", end="", file=f, flush=True)
    assert lines(events) == ["a 1"]


def test_bytes() -> None:
    """
    Bytes are decoded with the file's encoding, undecodable bytes replaced.
    """
    f, events = makeFile(encoding="latin-1")
    f.write(b"caf\xe9\n")
    g, more = makeFile()
    g.write(b"caf\xc3\xa9 \xff\n")
    assert lines(events) == ["caf\u00e9"]
    assert lines(more) == ["caf\u00e9 \ufffd"]
    assert (f.encoding, g.encoding) == ("latin-1", "utf-8")


def test_wrongType() -> None:
    """
    Writing something other than text or bytes raises L{TypeError}
    saying what to do.
    """
    f, _ = makeFile()
    with pytest.raises(
        TypeError,
        match=r"^<LoggingFile out#info>\.write\(\) takes str or bytes, not int; "
        r"convert it first, e\.g\. write\(str\(value\)\)$",
    ):
        f.write(3)  # type: ignore[arg-type]


def test_writelines() -> None:
    """
    C{writelines} writes each string, adding no newlines.
    """
    f, events = makeFile()
    f.writelines(["a", "b\n", "c\n"])
    assert lines(events) == ["ab", "c"]


def test_flushKeepsPartialLine() -> None:
    """
    Flushing does not log an unfinished line.
    """
    f, events = makeFile()
    f.write("partial")
    f.flush()
    assert events == []


def test_close() -> None:
    """
    Closing logs the unfinished line; writing afterwards raises.
    """
    f, events = makeFile()
    f.write("last")
    f.close()
    f.close()
    assert f.closed
    assert lines(events) == ["last"]
    with pytest.raises(ValueError, match=r"^write to closed file <LoggingFile out#info>; "):
        f.write("more\n")


def test_fileAttributes() -> None:
    """
    The file looks like a write-only, non-terminal text file.
    """
    f, _ = makeFile(LogLevel.warn)
    assert f.name == repr(f) == "<LoggingFile out#warn>"
    assert (f.mode, f.newlines, f.closed) == ("w", None, False)
    assert (f.isatty(), f.readable(), f.writable(), f.seekable()) == (False, False, True, False)
    with pytest.raises(io.UnsupportedOperation, match=r"has no file descriptor"):
        f.fileno()
    with pytest.raises(io.UnsupportedOperation, match=r"is write-only"):
        f.read()
    with pytest.raises(io.UnsupportedOperation, match=r"is write-only"):
        f.readline()


def test_observerWritingBackDropped() -> None:
    """
    An observer that writes to the file while getting one of its events
    does not cause another event (which would never end).
    """
    publisher = LogPublisher()
    f = LoggingFile(Logger("out", observer=publisher))
    events: list[LogEvent] = []

    def echo(event: LogEvent) -> None:
        events.append(event)
        f.write(f"echo of {event['log_io']}\n")

    publisher.addObserver(echo)
    f.write("hello\n")
    f.write("again\n")
    assert lines(events) == ["hello", "again"]


def test_threadsDoNotMixLines() -> None:
    """
    Lines written whole from several threads each arrive as one event.
    """
    f, events = makeFile()

    def writeMany(name: str) -> None:
        for n in range(200):
            f.write(f"{name}-{n}\n")

    threads = [threading.Thread(target=writeMany, args=(name,)) for name in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(lines(events)) == sorted(f"{name}-{n}" for name in "abcd" for n in range(200))
