# Events as JSON, and JSON log files.
#
# Writing.  eventAsJSON walks the event and builds plain JSON data:
# strings, numbers, booleans and None stay; dicts (keys made strings) and
# lists/tuples are walked; a LogLevel becomes {"name": ..., "__class_uuid__":
# LEVEL}; a Failure becomes a dict of its type, message, parents, frames and
# traceback text, tagged {"__class_uuid__": FAILURE}; anything else becomes
# its repr.  A reference cycle becomes a short marker string.  Before the
# walk, each field of log_format is rendered while the real objects are still
# there and stored as log_rendered (see _flatten.py), so the message can be
# rendered from the revived event even where a field became a repr.  The
# output is ASCII (ensure_ascii), so it can go to any file without encoding
# errors.  Nothing here raises for an odd event.
#
# The tags are the ones Twisted's JSON log files use, so the files of the two
# are interchangeable: Twisted reads our LogLevels and Failures, and we read
# theirs.  Our failure dicts carry one more key, "traceback", the full text;
# for Twisted's, which lack it, a traceback is rebuilt from the frames.
#
# Reading.  eventFromJSON parses with an object hook that revives tagged
# dicts.  A revived Failure is a real Failure whose exception class is made
# up on the spot with the original's module and name, and with made-up
# bases for the non-builtin classes of its MRO over the builtin one (so
# check("myapp.errors.Timeout") and check(TimeoutError) still work); a
# builtin exception class is used as it is, unless its str() is not simply
# its message (KeyError, OSError), in which case a look-alike subclass
# carries the message.  Nothing is imported and no code from the file runs.
# The message and the traceback text are the ones written.
#
# JSON log files are RFC 7464 JSON text sequences: each record is a record
# separator (0x1E), the JSON, and a newline.  eventsFromJSONLogFile reads
# fixed-size chunks, works on bytes (text files are encoded back), and cuts
# records at separators, searching each chunk once; a record that spans many
# reads is simply kept until its end arrives.  Without a separator given, a
# file whose first byte is 0x1E is read as a sequence and any other as one
# JSON object per line.  A record that is not UTF-8, not JSON, not an object,
# or (in a sequence) lacks its final newline, i.e. was cut short, is skipped
# and reported as an error event in namespace "torsion.logger".

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from typing import IO, Any

from torsion.logger._file import FileLogObserver
from torsion.logger._flatten import flattenFields
from torsion.logger._interfaces import LogEvent
from torsion.logger._levels import LogLevel
from torsion.logger._logger import Logger
from torsion.python.failure import Failure

_LEVEL_TAG = "02e59486-f24d-46ad-8224-3acdf2a5732a"
_FAILURE_TAG = "e76887e2-20ed-49bf-a8f8-ba25cc586f2d"
_TAG_KEY = "__class_uuid__"

_log = Logger("torsion.logger")


def _safeRepr(value: object) -> str:
    try:
        return repr(value)
    except Exception as e:
        return f"<{type(value).__name__} object with broken repr: {type(e).__name__}>"


def _keyText(key: object) -> str:
    # JSON object keys are strings; a dict may have others.
    return key if isinstance(key, str) else _safeRepr(key)


def _qual(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _failureAsJSON(failure: Failure, active: set[int]) -> dict[str, Any]:
    try:
        traceback: str | None = failure.getTraceback()
    except Exception:
        traceback = None
    try:
        frames: Any = [list(frame) for frame in failure.frames]
    except Exception:
        frames = []
    return {
        "type": {"__module__": failure.type.__module__, "__name__": failure.type.__qualname__},
        "value": failure.getErrorMessage(),
        "parents": _toJSON(failure.parents, active),
        "frames": _toJSON(frames, active),
        "stack": [],
        "count": failure.count,
        "captureVars": False,
        "pickled": 1,
        "tb": None,
        "traceback": traceback,
        _TAG_KEY: _FAILURE_TAG,
    }


def _toJSON(value: Any, active: set[int]) -> Any:
    """
    Turn a value into JSON data; C{active} holds the containers being walked.
    """
    if value is None or isinstance(value, str | int | float):
        return value
    if type(value) is LogLevel:
        return {"name": value.name, _TAG_KEY: _LEVEL_TAG}
    if isinstance(value, dict | list | tuple | Failure):
        if id(value) in active:
            return f"<recursion on {type(value).__name__} with id={id(value)}>"
        active.add(id(value))
        try:
            if isinstance(value, Failure):
                return _failureAsJSON(value, active)
            if isinstance(value, dict):
                return {_keyText(key): _toJSON(item, active) for key, item in value.items()}
            return [_toJSON(item, active) for item in value]
        finally:
            active.discard(id(value))
    return _safeRepr(value)


def eventAsJSON(event: LogEvent) -> str:
    """
    Encode an event as JSON text.

    Values JSON cannot hold become their C{repr}, except that a L{LogLevel}
    and a L{Failure} are tagged so that L{eventFromJSON} revives them.  The
    fields of C{log_format} are rendered first and stored as
    C{log_rendered}, so the message still renders after the round trip.
    This function does not raise for an unusual event.

    @param event: The event.
    @return: The JSON text: one line of ASCII.
    """
    rendered = flattenFields(event)
    if rendered:
        previous = event.get("log_rendered")
        if isinstance(previous, dict):
            rendered = {**previous, **rendered}
        event = {**event, "log_rendered": rendered}
    data: dict[str, Any] = {}
    for key, value in event.items():
        name = _keyText(key)
        try:
            data[name] = _toJSON(value, {id(event)})
        except Exception:  # a RecursionError on absurdly deep data, say
            data[name] = _safeRepr(value)
    return json.dumps(data)


def _standInClass(module: str, name: str, parents: list[object]) -> type[BaseException]:
    """
    Make up an exception class that looks like the original one.
    """
    chain = [parent for parent in parents if isinstance(parent, str)]
    if not chain:
        chain = [f"{module}.{name}"]
    base: type[BaseException] = Exception
    made: list[str] = []
    for parent in chain:
        parentModule, _, parentName = parent.rpartition(".")
        found = getattr(builtins, parentName, None) if parentModule == "builtins" else None
        if isinstance(found, type) and issubclass(found, BaseException):
            base = found
            break
        made.append(parent)
    for parent in reversed(made):
        parentModule, _, parentName = parent.rpartition(".")
        base = _makeClass(parentModule, parentName, base)
    if not made and base.__str__ is not BaseException.__str__:
        # A builtin whose str() is not its message (KeyError quotes it,
        # OSError adds the errno): subclass it so that str() is the message.
        base = _makeClass(base.__module__, base.__qualname__, base)
    return base


def _revivedStr(self: BaseException) -> str:
    return str(self.args[0]) if self.args else ""


def _makeClass(module: str, qualname: str, base: type[BaseException]) -> type[BaseException]:
    cls = type(
        qualname.rpartition(".")[2],
        (base,),
        {"__module__": module, "__qualname__": qualname, "__str__": _revivedStr},
    )
    return cls


def _failureFromJSON(data: dict[str, Any]) -> Failure:
    typeInfo = data.get("type")
    if not isinstance(typeInfo, dict):
        typeInfo = {}
    module = str(typeInfo.get("__module__", "builtins"))
    name = str(typeInfo.get("__name__", "Exception"))
    parents = data.get("parents")
    cls = _standInClass(module, name, parents if isinstance(parents, list) else [])
    message = data.get("value")
    if not isinstance(message, str):
        message = ""
    try:
        value = cls.__new__(cls)
        value.args = (message,)
    except Exception:
        cls = _makeClass(module, name, Exception)
        value = cls(message)
    frames: list[Any] = []
    rawFrames = data.get("frames")
    for frame in rawFrames if isinstance(rawFrames, list) else []:
        if isinstance(frame, list) and len(frame) >= 3:
            frames.append((str(frame[0]), str(frame[1]), frame[2], [], []))
    traceback = data.get("traceback")
    if not isinstance(traceback, str):
        lines = ["Traceback (most recent call last):\n"]
        for function, fileName, line, _, _ in frames:
            lines.append(f'  File "{fileName}", line {line}, in {function}\n')
        shownName = _qual(cls).removeprefix("builtins.")
        lines.append(f"{shownName}: {message}\n" if message else f"{shownName}\n")
        traceback = "".join(lines)
    count = data.get("count")
    failure = Failure.__new__(Failure)
    # The same state a Failure has after unpickling: no live traceback,
    # frame summaries, and the text of its traceback.
    failure.__dict__.update(
        value=value,
        type=cls,
        tb=None,
        count=count if isinstance(count, int) else 0,
        captureVars=False,
        pickled=1,
        _frames=frames,
        _tbText=traceback,
    )
    return failure


def _revive(data: dict[str, Any]) -> Any:
    tag = data.get(_TAG_KEY)
    if tag == _LEVEL_TAG:
        level = LogLevel.__members__.get(str(data.get("name")))
        return data if level is None else level
    if tag == _FAILURE_TAG:
        return _failureFromJSON(data)
    return data


def eventFromJSON(eventText: str | bytes) -> LogEvent:
    """
    Decode an event written by L{eventAsJSON}.

    L{LogLevel}s and L{Failure}s come back as such: the failure's exception
    class is a stand-in with the original's name and module, and its
    traceback text is the original's.  Other objects come back as the
    C{repr} text they were written as.

    @param eventText: The JSON text of one event.
    @return: The event.
    @raise ValueError: If the text is not JSON, or not a JSON object.
    """
    event = json.loads(eventText, object_hook=_revive)
    if not isinstance(event, dict):
        raise ValueError(
            f"a log event must be a JSON object, not {type(event).__name__} {event!r}; "
            "was this written by eventAsJSON?"
        )
    return event


def jsonFileLogObserver(outFile: IO[Any], recordSeparator: str = "\x1e") -> FileLogObserver:
    """
    Make an observer that writes each event to a file as a JSON record.

    Each record is C{recordSeparator}, the event's JSON (see
    L{eventAsJSON}), and a newline: with the default separator, an RFC 7464
    JSON text sequence.  Read it back with L{eventsFromJSONLogFile}.

    @param outFile: A text or binary file; binary files get UTF-8.
    @param recordSeparator: What starts each record; C{""} gives one JSON
        object per line.
    @return: The observer.
    """

    def formatJSON(event: LogEvent) -> str:
        return f"{recordSeparator}{eventAsJSON(event)}\n"

    return FileLogObserver(outFile, formatJSON)


def _readChunks(inFile: IO[Any], bufferSize: int) -> Iterator[bytes]:
    while True:
        chunk = inFile.read(bufferSize)
        if not chunk:
            return
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8", "surrogatepass")
        yield chunk


def _parseRecord(record: bytes, sequence: bool) -> LogEvent | None:
    """
    Parse one record, or report it as an error event and give L{None}.
    """
    if sequence and not record.endswith(b"\n"):
        _log.error(
            "Skipped a truncated JSON log record (no newline before the next "
            "record separator or the end of the file): {record!r}",
            record=record,
        )
        return None
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError as e:
        _log.error(
            "Skipped a JSON log record that is not UTF-8 ({error}): {record!r}",
            record=record,
            error=str(e),
        )
        return None
    try:
        return eventFromJSON(text)
    except ValueError as e:
        _log.error(
            "Skipped a JSON log record that is not a JSON event ({error}): {record!r}",
            record=record,
            error=str(e),
        )
        return None


def eventsFromJSONLogFile(
    inFile: IO[Any], recordSeparator: str | None = None, bufferSize: int = 4096
) -> Iterator[LogEvent]:
    """
    Read the events of a JSON log file, as written by L{jsonFileLogObserver}.

    A record that cannot be read (cut short, not UTF-8, not a JSON object)
    is skipped, and an C{error} event in namespace C{"torsion.logger"}
    naming it is emitted to L{torsion.logger.globalLogPublisher}.

    @param inFile: A file open for reading, binary or text.
    @param recordSeparator: What starts each record; L{None} means
        C{"\\x1e"} if the file starts with it and one record per line
        otherwise.
    @param bufferSize: How many bytes (or characters) to read at a time.
    @return: An iterator of the events, in file order.
    @raise ValueError: If C{bufferSize} is not positive.
    """
    if bufferSize < 1:
        raise ValueError(f"bufferSize must be a positive number of bytes, not {bufferSize!r}")
    return _events(inFile, recordSeparator, bufferSize)


def _events(inFile: IO[Any], recordSeparator: str | None, bufferSize: int) -> Iterator[LogEvent]:
    chunks = _readChunks(inFile, bufferSize)
    pending = bytearray(next(chunks, b""))
    if recordSeparator is None:
        sequence = pending.startswith(b"\x1e")
        separator = b"\x1e" if sequence else b"\n"
    else:
        sequence = recordSeparator != ""
        separator = recordSeparator.encode("utf-8") if sequence else b"\n"
    searchFrom = 0
    while True:
        end = pending.find(separator, searchFrom)
        if end < 0:
            chunk = next(chunks, None)
            if chunk is None:
                break
            searchFrom = max(0, len(pending) - len(separator) + 1)
            pending += chunk
            continue
        record = bytes(pending[:end])
        del pending[: end + len(separator)]
        searchFrom = 0
        if record.strip():
            event = _parseRecord(record, sequence)
            if event is not None:
                yield event
    if pending.strip():
        event = _parseRecord(bytes(pending), sequence)
        if event is not None:
            yield event
