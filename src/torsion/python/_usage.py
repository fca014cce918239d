# Command-line options the Twisted way: a dict subclass that declares its
# options and parses argv into itself.
#
# Declaring.  When an instance is made, _gatherOptions() walks the MRO from
# object down, so a subclass's optFlags/optParameters entry for a long name
# replaces its base's, and builds one _Option per option (names, whether it
# takes a value, help text, and what to do with it).  opt_ methods are
# grouped by function identity, which is how "opt_v = opt_verbose" becomes a
# short alias; a method whose long name is a flag's or parameter's takes over
# that option's action, and the entry keeps its short letter and default.  A
# short letter claimed by two options is a TypeError at construction.
#
# Parsing is POSIX getopt's: options first; the first non-option argument,
# or "--", ends them.  Long names match with "_" and "-" alike, and any
# unique prefix works, as with getopt.  Short flags bundle (-abc); a short
# parameter takes the rest of its bundle (-n5) or the next argument.  The
# remaining arguments pick a sub-command (a fresh sub-Options, whose .parent
# is set before it parses, so its help and errors name the command path) or
# go to parseArgs(), whose signature is checked first: a wrong count is a
# UsageError saying what was expected, and a TypeError raised inside
# parseArgs is not mistaken for one.  postOptions() runs last.
#
# Help: getUsage() renders the same records as a table wrapped to the
# terminal width; opt_help prints it and raises SystemExit(0), as Twisted's.

from __future__ import annotations

import difflib
import inspect
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from torsion import __version__


class UsageError(Exception):
    """
    The command line is wrong: an unknown option, a missing value, the wrong
    number of arguments, or a check in L{Options.postOptions} that failed.

    Programs catch it around L{Options.parseOptions}, print it with a hint
    to use C{--help}, and exit with a non-zero status.
    """


error = UsageError


def portCoerce(value: str) -> int:
    """
    Turn a command-line string into a port number, for C{optParameters}.

    @param value: The text given on the command line.
    @return: The port, from 0 to 65535.
    @raise ValueError: If C{value} is not a whole number in that range.
    """
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"a port must be a whole number, not {value!r}") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range; use a number from 0 to 65535")
    return port


portCoerce.coerceDoc = "A port number, 0 to 65535."  # type: ignore[attr-defined]


class CoerceParameter:
    """
    Converts a parameter's text with a coerce function and stores the result.

    The action L{Options} uses for C{optParameters} entries with a coerce
    function.  A C{ValueError} from the function becomes a L{UsageError}
    that names the option and the value.

    @ivar options: The options the values are stored in.
    @ivar coerce: The function turning text into a value.
    @ivar doc: The coerce function's C{coerceDoc}, or C{""}.
    """

    def __init__(self, options: Options, coerce: Callable[[str], Any]) -> None:
        """
        @param options: Where to store values.
        @param coerce: Called with the text; raises C{ValueError} to reject it.
        """
        self.options = options
        self.coerce = coerce
        self.doc: str = getattr(coerce, "coerceDoc", "") or ""

    def __call__(self, parameterName: str, value: str) -> None:
        """
        Coerce C{value} and store it as C{options[parameterName]}.

        @param parameterName: The parameter's long name.
        @param value: The text from the command line.
        @raise UsageError: If the coerce function raises C{ValueError}.
        """
        try:
            result = self.coerce(value)
        except ValueError as e:
            raise UsageError(f"invalid value {value!r} for --{parameterName}: {e}") from e
        self.options[parameterName] = result


@dataclass(slots=True)
class _Option:
    """
    One option as the parser and the help text see it.  C{key} is the dict
    key a flag or parameter sets; C{method}, when set, is called instead.
    """

    key: str
    longs: list[str]
    shorts: list[str]
    takesValue: bool
    doc: str
    default: Any = None
    coerce: Callable[[str], Any] | None = None
    method: Callable[..., Any] | None = None


def _normal(name: str) -> str:
    """The lookup key of a long option name: C{_} and C{-} are the same."""
    return name.replace("_", "-")


def _entry(klass: type, attribute: str, entry: object, size: int) -> list[Any]:
    """Check one C{optFlags} or C{optParameters} entry and pad it to C{size}."""
    where = f"{klass.__name__}.{attribute} entry {entry!r}"
    if isinstance(entry, str) or not isinstance(entry, Sequence):
        raise TypeError(f"{where}: each entry must be a list such as ['verbose', 'v', 'help']")
    if not 1 <= len(entry) <= size:
        raise TypeError(f"{where}: expected 1 to {size} items, got {len(entry)}")
    items = [*entry, *[None] * (size - len(entry))]
    if not isinstance(items[0], str) or not items[0] or items[0].startswith("-"):
        raise TypeError(f"{where}: the long name must be a non-empty string without dashes")
    short = items[1]
    if short is not None and (not isinstance(short, str) or len(short) != 1 or short == "-"):
        raise TypeError(f"{where}: the short name must be one character or None, not {short!r}")
    return items


def _sentences(*parts: str | None) -> str:
    """Join help texts as sentences: C{"Port", "0 to 65535."} is C{"Port. 0 to 65535."}."""
    texts = [p.strip() for p in parts if p and p.strip()]
    ended = [t if t.endswith((".", "!", "?", ")", "]")) else t + "." for t in texts[:-1]]
    return " ".join(ended + texts[-1:])


def _firstParagraph(doc: str | None) -> str:
    """
    The first paragraph of a docstring, on one line (the help text of an
    C{opt_} method; C{@param} fields and the like come later).
    """
    if not doc:
        return ""
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


def _takesValue(method: Callable[..., Any]) -> bool:
    """Whether a bound C{opt_} method takes the option's value."""
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # no signature to read: treat as a flag
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in positional for p in parameters)


def _expected(signature: inspect.Signature) -> str:
    """Describe the positional arguments C{signature} accepts, for an error."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = list(signature.parameters.values())
    required = [p.name.upper() for p in params if p.kind in positional and p.default is p.empty]
    optional = [p.name.upper() for p in params if p.kind in positional and p.default is not p.empty]
    rest = [p.name.upper() for p in params if p.kind is inspect.Parameter.VAR_POSITIONAL]
    shape = " ".join([*required, *(f"[{n}]" for n in optional), *(f"[{n}...]" for n in rest)])
    low = len(required)
    if rest:
        count = f"at least {low}"
    elif optional:
        count = f"{low} to {low + len(optional)}"
    else:
        count = str(low)
    if not shape:
        return "no arguments"
    plural = "" if count in ("1", "at least 1") else "s"
    return f"{count} argument{plural} ({shape})"


def _table(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Lay out C{rows} of (left, text) as two columns, wrapping the text."""
    if not rows:
        return []
    column = min(max(len(left) for left, _ in rows) + 2, max(width // 2, 12))
    textWidth = max(width - column, 20)
    lines: list[str] = []
    for left, text in rows:
        wrapped = textwrap.wrap(text, textWidth) or [""]
        if len(left) + 2 > column:
            lines.append(left)
        else:
            lines.append((left.ljust(column) + wrapped.pop(0)).rstrip())
        lines.extend(" " * column + more for more in wrapped)
    return lines


class Options(dict[str, Any]):
    """
    A command line's options, parsed into a dict (subclass it to use it).

    Declare the options in the subclass::

        class ServeOptions(usage.Options):
            optFlags = [["verbose", "v", "Log every request."]]
            optParameters = [["port", "p", 8080, "The port to listen on.", usage.portCoerce]]

            def opt_header(self, value: str) -> None:
                "Add a response header (may be repeated)."
                self.setdefault("headers", []).append(value)

            opt_H = opt_header

            def parseArgs(self, path: str) -> None:
                self["path"] = path

    then C{options.parseOptions()} fills C{options["verbose"]} (1 or 0),
    C{options["port"]} (the default, or the coerced value given) and so on,
    or raises L{UsageError}.  C{--help} prints the usage and exits.

    @cvar optFlags: Options without a value, each C{[long, short, doc]};
        the key C{long} is 1 if the flag was given, else 0.  Entries are
        gathered from every class in the hierarchy.
    @cvar optParameters: Options with a value, each C{[long, short,
        default, doc, coerce]}; the key C{long} holds C{default} (not
        coerced) until the option is given, then C{coerce(text)} (or the
        text, without C{coerce}).  Gathered like C{optFlags}.
    @cvar subCommands: Sub-commands, each C{[name, shortcut, parserClass,
        doc]}; the first positional argument picks one, and the rest of the
        command line is parsed by C{parserClass()}.
    @cvar defaultSubCommand: The sub-command to run, with no arguments,
        when the command line names none; L{None} for none.
    @cvar synopsis: The usage line; L{None} for C{"Usage: PROGRAM
        [options]"} (for a sub-command: the parent's, the command name,
        and C{"[options]"}).
    @cvar longdesc: A description printed after the option and command
        tables in C{--help}; L{None} means the docstring of the module
        defining the class (as in Twisted), C{""} none.  Paragraphs are
        re-wrapped, except those with indented lines.
    @ivar subCommand: The name of the sub-command given, after parsing, or
        L{None}.
    @ivar subOptions: The sub-command's parsed options (set when
        C{subCommand} is).
    @ivar parent: For a sub-command's options, the options of the command
        above it; else L{None}.
    """

    optFlags: Sequence[Sequence[Any]] = ()
    optParameters: Sequence[Sequence[Any]] = ()
    subCommands: Sequence[Sequence[Any]] = ()
    defaultSubCommand: str | None = None
    synopsis: str | None = None
    longdesc: str | None = None
    subCommand: str | None = None
    subOptions: Options
    parent: Options | None = None

    def __init__(self) -> None:
        super().__init__()
        self._gatherOptions()

    # -- declaring --------------------------------------------------------

    def _gatherOptions(self) -> None:
        """Build the option records and set each flag's and parameter's default."""
        byName: dict[str, _Option] = {}
        for klass in reversed(type(self).__mro__):
            for entry in vars(klass).get("optFlags", ()):
                long, short, doc = _entry(klass, "optFlags", entry, 3)
                byName[_normal(long)] = _Option(long, [long], [short] if short else [], False, doc)
            for entry in vars(klass).get("optParameters", ()):
                long, short, default, doc, coerce = _entry(klass, "optParameters", entry, 5)
                doc = _sentences(doc, getattr(coerce, "coerceDoc", None))
                shorts = [short] if short else []
                byName[_normal(long)] = _Option(long, [long], shorts, True, doc, default, coerce)
        for option in byName.values():
            self[option.key] = option.default if option.takesValue else 0
        withMethods = self._gatherMethods(byName)
        options = [*byName.values(), *withMethods]
        self._longOptions: dict[str, _Option] = {}
        self._shortOptions: dict[str, _Option] = {}
        for option in options:
            for long in option.longs:
                self._longOptions[_normal(long)] = option
            for short in option.shorts:
                other = self._shortOptions.setdefault(short, option)
                if other is not option:
                    raise TypeError(
                        f"{type(self).__name__}: the short option -{short} is claimed by both "
                        f"{_describe(other)} and {_describe(option)}; give one of them another "
                        f"short name, or None"
                    )
        self._options = options

    def _gatherMethods(self, byName: dict[str, _Option]) -> list[_Option]:
        """
        Make records for the C{opt_} methods, merging those whose long name
        is a flag's or parameter's into that record.

        @return: The records of the methods; those merged are removed from
            C{byName}.
        """
        groups: dict[int, list[str]] = {}
        functions: dict[int, Any] = {}
        for attribute in dir(type(self)):
            if attribute.startswith("opt_") and len(attribute) > 4:
                function = getattr(type(self), attribute)
                if not callable(function):
                    continue
                function = getattr(function, "__func__", function)
                groups.setdefault(id(function), []).append(attribute[4:])
                functions[id(function)] = function
        new: list[_Option] = []
        for key, names in groups.items():
            own = functions[key].__name__[4:] if hasattr(functions[key], "__name__") else ""
            longs = sorted((n for n in names if len(n) > 1), key=lambda n: (n != own, n))
            shorts = sorted(n for n in names if len(n) == 1)
            method = getattr(self, "opt_" + (longs[0] if longs else shorts[0]))
            takesValue = _takesValue(method)
            doc = _firstParagraph(getattr(method, "__doc__", None))
            merged = [byName.pop(_normal(n)) for n in longs if _normal(n) in byName]
            if merged:
                option = merged[0]
                for other in merged[1:]:
                    option.longs.extend(other.longs)
                    option.shorts.extend(other.shorts)
                known = {_normal(n) for n in option.longs}
                option.longs.extend(_normal(n) for n in longs if _normal(n) not in known)
                option.shorts.extend(s for s in shorts if s not in option.shorts)
                option.takesValue = takesValue
                option.doc = option.doc or doc
                option.method = method
            else:
                longs = [_normal(n) for n in longs]
                option = _Option(
                    (longs or shorts)[0], longs, shorts, takesValue, doc, method=method
                )
            new.append(option)
        return new

    def _apply(self, option: _Option, value: str | None) -> None:
        """
        Act on one option given on the command line (C{value} is L{None}
        for an option that takes none).
        """
        if option.method is not None:
            option.method(*([value] if option.takesValue else []))
        elif value is None:
            self[option.key] = 1
        elif option.coerce is None:
            self[option.key] = value
        else:
            CoerceParameter(self, option.coerce)(option.key, value)

    # -- parsing ----------------------------------------------------------

    def parseOptions(self, options: Sequence[str] | None = None) -> None:
        """
        Parse a command line into this dict, then call L{postOptions}.

        @param options: The arguments, without the program name; L{None}
            means C{sys.argv[1:]}.
        @raise UsageError: If the command line is wrong; the message names
            the bad option or argument and suggests C{--help}.
        @raise SystemExit: With status 0, after C{--help} or C{--version}
            printed their text.
        """
        args = list(sys.argv[1:] if options is None else options)
        index = 0
        while index < len(args) and args[index].startswith("-") and args[index] != "-":
            arg = args[index]
            index += 1
            if arg == "--":
                break
            if not arg.startswith("--"):
                index = self._parseShort(arg, args, index)
                continue
            name, equals, value = arg[2:].partition("=")
            option = self._findLong(name)
            if option.takesValue and not equals:
                value, index = self._nextValue(args, index, f"--{name}", f"--{name}=VALUE")
            elif equals and not option.takesValue:
                raise UsageError(
                    f"option --{name} is a flag and takes no value, but was given {value!r}; "
                    f"{self._helpHint()}"
                )
            self._apply(option, value if option.takesValue else None)
        self._dispatchRest(args[index:])
        self.postOptions()

    def _parseShort(self, arg: str, args: list[str], index: int) -> int:
        """Apply the bundle of short options C{arg}; return the next index."""
        for position, letter in enumerate(arg[1:], 1):
            option = self._shortOptions.get(letter)
            if option is None:
                where = f" (in {arg})" if len(arg) > 2 else ""
                hint = ""
                if arg[1:].replace(".", "", 1).isdigit():
                    hint = "; to pass an argument that starts with '-', put '--' before it"
                raise UsageError(
                    f"option -{letter}{where} not recognized{hint}; {self._helpHint()}"
                )
            if not option.takesValue:
                self._apply(option, None)
                continue
            value = arg[position + 1 :]
            if not value:
                value, index = self._nextValue(args, index, f"-{letter}", f"-{letter} VALUE")
            self._apply(option, value)
            break
        return index

    def _nextValue(
        self, args: list[str], index: int, spelled: str, example: str
    ) -> tuple[str, int]:
        """The value of option C{spelled}, taken from the next argument."""
        if index == len(args):
            raise UsageError(
                f"option {spelled} requires a value, as in {example}; {self._helpHint()}"
            )
        return args[index], index + 1

    def _findLong(self, name: str) -> _Option:
        """
        The option C{--name} means: an exact name, or a unique prefix.

        @raise UsageError: If there is no such option, or the prefix is
            ambiguous.
        """
        key = _normal(name)
        option = self._longOptions.get(key)
        if option is not None:
            return option
        if key:
            candidates = {
                id(opt): opt for long, opt in self._longOptions.items() if long.startswith(key)
            }
            if len(candidates) == 1:
                return next(iter(candidates.values()))
            if candidates:
                names = " or ".join(sorted(f"--{opt.longs[0]}" for opt in candidates.values()))
                raise UsageError(
                    f"option --{name} is ambiguous: it could be {names}; type more of the name"
                )
        close = difflib.get_close_matches(key, list(self._longOptions), n=1)
        suggestion = f" (did you mean --{self._longOptions[close[0]].longs[0]}?)" if close else ""
        raise UsageError(f"option --{name} not recognized{suggestion}; {self._helpHint()}")

    def _dispatchRest(self, rest: list[str]) -> None:
        """
        Hand the arguments after the options to a sub-command or to
        L{parseArgs}.
        """
        commands = [_command(entry) for entry in self.subCommands]
        if not commands:
            self._callParseArgs(rest)
            return
        if rest:
            name, subArgs = rest[0], rest[1:]
            found = [c for c in commands if name in (c[0], c[1])]
            if not found:
                names = ", ".join(sorted(c[0] for c in commands))
                raise UsageError(
                    f"Unknown command: {name!r}; the commands are {names}; {self._helpHint()}"
                )
        elif self.defaultSubCommand is not None:
            found = [c for c in commands if c[0] == self.defaultSubCommand]
            if not found:
                raise ValueError(
                    f"{type(self).__name__}.defaultSubCommand is "
                    f"{self.defaultSubCommand!r}, which is not one of its subCommands; "
                    f"use one of {sorted(c[0] for c in commands)} or None"
                )
            subArgs = []
        else:
            return
        name, _, parserClass, _ = found[0]
        self.subCommand = name
        self.subOptions = parserClass()
        self.subOptions.parent = self
        self.subOptions.parseOptions(subArgs)

    def _callParseArgs(self, args: list[str]) -> None:
        """Call L{parseArgs} with C{args} after checking that it accepts them."""
        try:
            signature: inspect.Signature | None = inspect.signature(self.parseArgs)
        except (TypeError, ValueError):  # no signature to check against
            signature = None
        if signature is not None:
            try:
                signature.bind(*args)
            except TypeError:
                given = f" ({' '.join(map(repr, args))})" if args else ""
                raise UsageError(
                    f"Wrong number of arguments: expected {_expected(signature)}, got "
                    f"{len(args)}{given}; {self._helpHint()}"
                ) from None
        self.parseArgs(*args)

    def _noArguments(self) -> None:
        pass

    parseArgs: Callable[..., None] = _noArguments
    """
    Receive the positional arguments left after the options.

    Override it with the arguments the program takes, such as
    C{def parseArgs(self, origin, changed)} or C{def parseArgs(self,
    *files)}; store what you need in C{self}.  L{parseOptions} checks the
    count first and raises L{UsageError} if it does not fit.  The default
    accepts no arguments.  Not called when the class has C{subCommands}.
    """

    def postOptions(self) -> None:
        """
        Check or complete the parsed options; called last by L{parseOptions}.

        Override it to check combinations and fill derived values.

        @raise UsageError: Raise it when the options do not make sense.
        """

    def _helpHint(self) -> str:
        """Where to get help, for the end of an error message."""
        path: list[str] = []
        node: Options = self
        while node.parent is not None and node.parent.subCommand is not None:
            path.insert(0, node.parent.subCommand)
            node = node.parent
        if not path:
            return "try --help"
        return f"try '{' '.join(path)} --help'"

    # -- built-in options -------------------------------------------------

    def opt_help(self) -> None:
        """
        Show this help text and exit.

        @raise SystemExit: Always, with status 0.
        """
        sys.stdout.write(str(self))
        sys.stdout.flush()
        raise SystemExit(0)

    def opt_version(self) -> None:
        """
        Show the torsion version and exit.

        @raise SystemExit: Always, with status 0.
        """
        sys.stdout.write(f"torsion {__version__}\n")
        sys.stdout.flush()
        raise SystemExit(0)

    # -- help text --------------------------------------------------------

    def getSynopsis(self) -> str:
        """
        The usage line, the first line of C{--help}.

        @return: C{synopsis}, or C{"Usage: PROGRAM [options]"}; for a
            sub-command, the parent's synopsis, the command name and its own
            synopsis (C{"[options]"} by default).
        """
        if self.parent is None:
            program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "program"
            default = f"Usage: {program} [options]"
        else:
            default = "[options]"
        synopsis = (self.synopsis if self.synopsis is not None else default).rstrip()
        if self.parent is not None:
            parts = [self.parent.getSynopsis(), self.parent.subCommand or "", synopsis]
            synopsis = " ".join(p for p in parts if p)
        return synopsis

    def getUsage(self, width: int | None = None) -> str:
        """
        The help text after the synopsis: options, commands, description.

        @param width: The width to wrap to; L{None} means the terminal's
            (C{$COLUMNS}, else the terminal size, else 80).
        @return: Lines of text, ending with a newline.
        """
        if width is None:
            width = shutil.get_terminal_size((80, 24)).columns  # $COLUMNS first
        lines = ["Options:"]
        ordered = sorted(self._options, key=lambda o: (o.longs or o.shorts)[0].lower())
        rows = [(_left(option), _help(option)) for option in ordered]
        lines.extend(_table(rows, width))
        commands = [_command(entry) for entry in self.subCommands]
        if commands:
            lines.append("Commands:")
            commandRows = []
            for name, shortcut, _, doc in sorted(commands, key=lambda c: c[0]):
                left = f"  {name}" + (f" ({shortcut})" if shortcut else "")
                default = "(the default)" if name == self.defaultSubCommand else ""
                commandRows.append((left, " ".join(filter(None, [doc, default]))))
            lines.extend(_table(commandRows, width))
        longdesc = self.longdesc
        if longdesc is None:
            longdesc = getattr(sys.modules.get(type(self).__module__), "__doc__", None)
        for paragraph in inspect.cleandoc(longdesc or "").split("\n\n"):
            if paragraph.strip():
                lines.append("")
                if any(line[:1].isspace() for line in paragraph.splitlines()):
                    lines.extend(paragraph.splitlines())  # indented: an example; keep it
                else:
                    lines.extend(textwrap.wrap(" ".join(paragraph.split()), width))
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        """The whole help text: the synopsis, then L{getUsage}."""
        return f"{self.getSynopsis()}\n{self.getUsage()}"


def _command(entry: object) -> tuple[str, str | None, Callable[[], Options], str]:
    """Check one C{subCommands} entry."""
    if isinstance(entry, str) or not isinstance(entry, Sequence) or len(entry) != 4:
        raise TypeError(
            f"subCommands entry {entry!r}: each entry must be [name, shortcut, parserClass, doc]"
        )
    name, shortcut, parserClass, doc = entry
    if not isinstance(name, str) or not callable(parserClass):
        raise TypeError(
            f"subCommands entry {entry!r}: the name must be a string and the parser class callable"
        )
    return name, shortcut or None, parserClass, doc or ""


def _describe(option: _Option) -> str:
    """Name an option for an error message."""
    if option.longs:
        return f"--{option.longs[0]}"
    return f"-{option.shorts[0]}"


def _left(option: _Option) -> str:
    """
    The left column of an option's help row: C{"  -p, --port="}.
    """
    shorts = ", ".join(f"-{s}" for s in option.shorts)
    if not option.longs:
        return f"  {shorts}" + (" VALUE" if option.takesValue else "")
    long = f"--{option.longs[0]}" + ("=" if option.takesValue else "")
    return f"  {shorts}, {long}" if shorts else f"      {long}"


def _help(option: _Option) -> str:
    """The right column of an option's help row."""
    parts = [option.doc]
    if len(option.longs) > 1:
        parts.append("(also " + ", ".join(f"--{n}" for n in option.longs[1:]) + ")")
    if option.takesValue and option.default is not None:
        shown = repr(option.default) if option.default == "" else str(option.default)
        parts.append(f"[default: {shown}]")
    return " ".join(p for p in parts if p)
