# The endpoint description syntax, and checking a description's arguments
# against what its type takes.
#
# Syntax
# ------
#     TYPE:ARG:ARG:...    each ARG is a positional VALUE or a KEY=VALUE
# The text is split at each ':' and, within an argument, at its first '=';
# a backslash makes the next character plain ('\:' '\=' '\\'), anywhere.
# The TYPE is compared without regard to case.  An argument with an '=' in
# its value needs nothing more ('key=a=b' is key -> 'a=b'); a positional
# argument containing '=' must escape it.  quoteStringArgument() escapes
# all three characters, so its result is safe in either place.
#
# Arguments
# ---------
# A built-in type describes what it takes as a _Signature: its parameters,
# in positional order, each with a placeholder for the usage text, a
# converter from text, a default (or none: required) and whether it may be
# given by position.  bind() applies Python-like rules, with one relaxation
# Twisted's client parser also has: positional arguments fill, in order, the
# positional parameters that were not given by keyword (so
# "tcp:host=example.org:80" is host example.org, port 80).  Every problem
# raises _DescriptionError, a ValueError saying what is wrong and showing
# the type's usage; serverFromString/clientFromString add the description.
from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_REQUIRED: Any = object()


class _DescriptionError(ValueError):
    """
    An endpoint description that cannot be parsed.

    @ivar problem: What is wrong, naming the bad part.
    @ivar usage: The expected form (empty if there is none to show).
    """

    def __init__(self, problem: str, usage: str = "") -> None:
        super().__init__(problem, usage)
        self.problem = problem
        self.usage = usage

    def __str__(self) -> str:
        if self.usage:
            return f"{self.problem}; expected {self.usage}"
        return self.problem


def _split(description: str) -> tuple[str, list[str], dict[str, str]]:
    """
    Split a description into its type, positional and keyword arguments,
    removing the escapes.

    @raise _DescriptionError: If it ends with a lone backslash, has an
        empty keyword name or gives a keyword twice.
    """
    segments: list[tuple[str | None, str]] = []
    key: str | None = None
    current: list[str] = []
    index, end = 0, len(description)
    while index < end:
        char = description[index]
        if char == "\\":
            if index + 1 == end:
                raise _DescriptionError(
                    "it ends with a lone backslash; write \\\\ for a backslash, "
                    "\\: for a colon and \\= for an equals sign"
                )
            current.append(description[index + 1])
            index += 2
            continue
        if char == ":":
            segments.append((key, "".join(current)))
            key, current = None, []
        elif char == "=" and key is None and segments:
            key, current = "".join(current), []
        else:
            current.append(char)
        index += 1
    segments.append((key, "".join(current)))
    kind = segments[0][1]
    args: list[str] = []
    kwargs: dict[str, str] = {}
    for name, value in segments[1:]:
        if name is None:
            args.append(value)
        elif not name:
            raise _DescriptionError(
                f"the argument '={value}' has no keyword name before '='; "
                "write \\= for a plain equals sign"
            )
        elif name in kwargs:
            raise _DescriptionError(f"the keyword {name!r} is given twice")
        else:
            kwargs[name] = value
    return kind, args, kwargs


def quoteStringArgument(argument: str) -> str:
    """
    Escape C{argument} so it can be put in an endpoint description as one
    argument, value or keyword value, whatever characters it holds.

    For example, C{"tcp:80:interface=" + quoteStringArgument("::1")} is
    C{"tcp:80:interface=\\:\\:1"}.

    @param argument: The text, such as a file name.
    @return: It with each C{\\}, C{:} and C{=} preceded by a backslash.
    """
    return argument.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")


@dataclass(frozen=True)
class _Param:
    """
    One parameter of a description type.

    @ivar name: The keyword name, as the endpoint class calls it.
    @ivar placeholder: What the usage text shows for its value.
    @ivar convert: Makes the value from text; its C{ValueError} message
        completes "NAME 'TEXT' ...".
    @ivar default: The value when it is not given; C{_REQUIRED} if it must be.
    @ivar positional: Whether it may be given without its name.
    @ivar named: Whether the usage text shows it with its name even though
        it is required and positional.
    """

    name: str
    placeholder: str
    convert: Callable[[str], Any] = str
    default: Any = _REQUIRED
    positional: bool = True
    named: bool = False


class _Signature:
    """
    What a description type takes, and its usage text.
    """

    def __init__(self, prefix: str, params: Sequence[_Param], example: str) -> None:
        """
        @param prefix: The type, such as C{"tcp"}.
        @param params: Its parameters, in positional order.
        @param example: A typical description of this type.
        """
        self.prefix = prefix
        self.params = tuple(params)
        self.example = example

    @property
    def usage(self) -> str:
        """
        The expected form, such as C{tcp:PORT[:interface=ADDRESS]}, and an
        example.
        """
        parts = [self.prefix]
        for param in self.params:
            if param.default is _REQUIRED:
                parts.append(
                    f":{param.placeholder}"
                    if param.positional and not param.named
                    else f":{param.name}={param.placeholder}"
                )
            else:
                parts.append(f"[:{param.name}={param.placeholder}]")
        return f"{''.join(parts)}, e.g. {self.example}"

    def fail(self, problem: str) -> _DescriptionError:
        """
        @return: The error for C{problem}, with this type's usage.
        """
        return _DescriptionError(problem, self.usage)

    def bind(self, args: Sequence[str], kwargs: dict[str, str]) -> dict[str, Any]:
        """
        Match the arguments to the parameters and convert them.

        @return: Each parameter's value, by name (defaults filled in).
        @raise _DescriptionError: For an unknown keyword, too many
            positional arguments, a missing one or a bad value.
        """
        byName = {param.name: param for param in self.params}
        for name in kwargs:
            if name not in byName:
                close = difflib.get_close_matches(name, byName, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(byName) or "no keywords"
                raise self.fail(f"unknown keyword {name!r}{hint}: {self.prefix} takes {known}")
        given: dict[str, str] = dict(kwargs)
        free = [p for p in self.params if p.positional and p.name not in kwargs]
        if list(args) == [""] and not free:
            args = []  # "stdio:" is "stdio" with a trailing colon
        if len(args) > len(free):
            extra = args[len(free)]
            allowed = [p.name for p in self.params if p.positional]
            if not allowed:
                takes = "no positional argument"
            else:
                takes = (
                    f"at most {_count(len(allowed), 'positional argument')} ({', '.join(allowed)})"
                )
            byKeyword = " counting those given by keyword" if len(free) < len(allowed) else ""
            raise self.fail(
                f"unexpected argument {extra!r}: {self.prefix} takes {takes}{byKeyword}"
                " (write \\: for a colon that is part of a value)"
            )
        for param, value in zip(free, args, strict=False):
            given[param.name] = value
        values: dict[str, Any] = {}
        for param in self.params:
            if param.name not in given:
                if param.default is _REQUIRED:
                    raise self.fail(f"{param.placeholder} ({param.name}) is missing")
                values[param.name] = param.default
                continue
            text = given[param.name]
            try:
                values[param.name] = param.convert(text)
            except ValueError as e:
                raise self.fail(f"{param.name} {text!r} {e}") from None
        return values


def _count(number: int, noun: str) -> str:
    if number == 0:
        return f"no {noun}"
    return f"{number} {noun}{'' if number == 1 else 's'}"


# -- converters: each raises ValueError with the end of "NAME 'TEXT' ..." -----


def _digits(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise ValueError("is not a whole number")
    return int(text)


def port(text: str) -> int:
    """
    A port number, 0 to 65535.
    """
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise ValueError("is not a port number (a whole number from 0 to 65535)")
    return int(text)


def count(text: str) -> int:
    """
    A whole number, 0 or more.
    """
    return _digits(text)


def seconds(text: str) -> float:
    """
    A number of seconds, more than 0.
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError("is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise ValueError("is not a number of seconds above 0")
    return int(value) if value.is_integer() else value


def octal(text: str) -> int:
    """
    File permissions in octal: C{660}, C{0660} or C{0o660}.
    """
    digits = text[2:] if text[:2].lower() == "0o" else text
    try:
        if not digits or not digits.isascii():
            raise ValueError(digits)
        value = int(digits, 8)
    except ValueError:
        raise ValueError("is not octal permissions such as 660 or 0o600") from None
    if value > 0o7777:
        raise ValueError("is not octal permissions such as 660 or 0o600 (at most 7777)")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def flag(text: str) -> bool:
    """
    A yes/no value: C{1} or C{0} (C{true}/C{false}, C{yes}/C{no} too).
    """
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("is not 1 or 0 (yes or no)")


def text(value: str) -> str:
    """
    Any text, as it is.
    """
    return value


def nonEmpty(value: str) -> str:
    """
    Any text but the empty one.
    """
    if not value:
        raise ValueError("is empty")
    return value


__all__ = ["quoteStringArgument"]
