"""
Tests for L{torsion.python.usage}: declaring options, parsing command lines
into an L{Options} dict, sub-commands, errors and the C{--help} text.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from torsion import __version__
from torsion.python import usage
from torsion.python.usage import CoerceParameter, Options, UsageError, portCoerce


def parsed(options: Options, *args: str) -> Options:
    """
    Parse C{args} into C{options} and return it.
    """
    options.parseOptions(list(args))
    return options


def usageError(options: Options, *args: str) -> str:
    """
    The message of the L{UsageError} that parsing C{args} raises.
    """
    with pytest.raises(UsageError) as info:
        options.parseOptions(list(args))
    return str(info.value)


class Basic(Options):
    optFlags = [["verbose", "v", "Talk more."], ["debug", "d", None], ["all", "a", "Do all."]]
    optParameters = [
        ["name", "n", "world", "Who to greet."],
        ["count", "c", 1, "How many times.", int],
        ["out", None, None, "Where to write."],
    ]


class FlagTests:
    """
    C{optFlags}: 1 when given, 0 otherwise.
    """

    def test_defaultsAreZero(self) -> None:
        """
        Before parsing, every flag's key is 0.
        """
        options = Basic()
        assert (options["verbose"], options["debug"], options["all"]) == (0, 0, 0)

    def test_longAndShort(self) -> None:
        """
        C{--verbose} and C{-d} set their flags to 1; the others stay 0.
        """
        options = parsed(Basic(), "--verbose", "-d")
        assert (options["verbose"], options["debug"], options["all"]) == (1, 1, 0)

    def test_combinedShortFlags(self) -> None:
        """
        C{-vda} sets three flags at once.
        """
        options = parsed(Basic(), "-vda")
        assert (options["verbose"], options["debug"], options["all"]) == (1, 1, 1)

    def test_repeatedFlagStaysOne(self) -> None:
        """
        A flag given twice is still 1 (count with an C{opt_} method instead).
        """
        assert parsed(Basic(), "-v", "--verbose")["verbose"] == 1

    def test_flagWithValue(self) -> None:
        """
        C{--verbose=3} is an error naming the flag and the value.
        """
        assert usageError(Basic(), "--verbose=3") == (
            "option --verbose is a flag and takes no value, but was given '3'; try --help"
        )


class ParameterTests:
    """
    C{optParameters}: a value with a default and an optional coerce function.
    """

    def test_defaults(self) -> None:
        """
        Before parsing, each parameter's key holds its default, not coerced.
        """
        options = Basic()
        assert (options["name"], options["count"], options["out"]) == ("world", 1, None)

    @pytest.mark.parametrize(
        "args",
        [
            ["--name=bob"],
            ["--name", "bob"],
            ["-n", "bob"],
            ["-nbob"],
        ],
    )
    def test_valueForms(self, args: list[str]) -> None:
        """
        C{--long=value}, C{--long value}, C{-s value} and C{-svalue} all
        give the value.
        """
        assert parsed(Basic(), *args)["name"] == "bob"

    def test_lastValueWins(self) -> None:
        """
        A parameter given twice keeps the last value.
        """
        assert parsed(Basic(), "-n", "a", "--name=b")["name"] == "b"

    def test_flagsThenParameterInOneBundle(self) -> None:
        """
        In C{-vc3} the flag is set and the parameter takes the rest.
        """
        options = parsed(Basic(), "-vc3")
        assert (options["verbose"], options["count"]) == (1, 3)

    def test_emptyValue(self) -> None:
        """
        C{--name=} gives the empty string.
        """
        assert parsed(Basic(), "--name=")["name"] == ""

    def test_valueStartingWithDash(self) -> None:
        """
        The argument after C{--name} is its value even if it starts with a dash.
        """
        assert parsed(Basic(), "--name", "-x")["name"] == "-x"

    def test_coerced(self) -> None:
        """
        The coerce function converts the value given.
        """
        assert parsed(Basic(), "--count=7")["count"] == 7

    def test_coerceFails(self) -> None:
        """
        A C{ValueError} from the coerce function is a UsageError naming the
        option and the value.
        """
        message = usageError(Basic(), "-c", "many")
        assert message.startswith("invalid value 'many' for --count: ")
        assert "invalid literal for int()" in message

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--name"], "option --name requires a value, as in --name=VALUE; try --help"),
            (["-n"], "option -n requires a value, as in -n VALUE; try --help"),
            (["-vn"], "option -n requires a value, as in -n VALUE; try --help"),
        ],
    )
    def test_missingValue(self, args: list[str], message: str) -> None:
        """
        A parameter at the end of the command line, without a value, is an
        error that shows how to give one.
        """
        assert usageError(Basic(), *args) == message


class Methods(Options):
    def __init__(self) -> None:
        super().__init__()
        self["verbosity"] = 0
        self["symbols"] = []

    def opt_verbose(self) -> None:
        """
        Say more (repeat for even more).

        @raise Nothing: This second paragraph is not part of the help.
        """
        self["verbosity"] += 1

    opt_v = opt_verbose

    def opt_define(self, symbol: str) -> None:
        """Define a symbol."""
        self["symbols"].append(symbol)

    opt_D = opt_define

    def opt_no_color(self) -> None:
        self["color"] = False

    def opt_x(self) -> None:
        """Short only."""
        self["x"] = True


class MethodTests:
    """
    C{opt_<name>} methods: called each time their option is given.
    """

    def test_counting(self) -> None:
        """
        A method without a parameter is a flag, called each time; its
        one-letter alias is the short option.
        """
        assert parsed(Methods(), "-v", "--verbose", "-vv")["verbosity"] == 4

    def test_withValue(self) -> None:
        """
        A method with a parameter takes a value, in any of the forms.
        """
        options = parsed(Methods(), "-DA", "-D", "B", "--define=C", "--define", "D")
        assert options["symbols"] == ["A", "B", "C", "D"]

    def test_underscoresAreDashes(self) -> None:
        """
        C{opt_no_color} is C{--no-color}; the underscore spelling works too.
        """
        assert parsed(Methods(), "--no-color")["color"] is False
        assert parsed(Methods(), "--no_color")["color"] is False

    def test_shortOnly(self) -> None:
        """
        A one-letter method with no long alias is a short option only.
        """
        assert parsed(Methods(), "-x")["x"] is True
        assert usageError(Methods(), "--x").startswith("option --x not recognized")

    def test_help(self) -> None:
        """
        The help text is the method docstring's first paragraph; the alias
        is shown as the short option.
        """
        text = Methods().getUsage(width=80)
        assert "  -v, --verbose   Say more (repeat for even more).\n" in text
        assert "  -D, --define=   Define a symbol.\n" in text
        assert "      --no-color\n" in text
        assert "  -x              Short only.\n" in text
        assert "Nothing" not in text

    def test_methodOverridesFlag(self) -> None:
        """
        A method named like a flag is called instead of setting the flag;
        the flag's short letter and help still apply.
        """

        class Loud(Options):
            optFlags = [["quiet", "q", "Say nothing."]]

            def opt_quiet(self) -> None:
                self["silence"] = "yes"

        options = parsed(Loud(), "-q")
        assert (options["quiet"], options["silence"]) == (0, "yes")
        assert "  -q, --quiet    Say nothing.\n" in Loud().getUsage(width=80)

    def test_longAliases(self) -> None:
        """
        Two long names for one method are one option; help lists the alias.
        """

        class Colour(Options):
            def opt_color(self, value: str) -> None:
                """The color."""
                self["color"] = value

            opt_colour = opt_color

        assert parsed(Colour(), "--colour=red")["color"] == "red"
        assert "      --color=   The color. (also --colour)\n" in Colour().getUsage(width=80)


class LongNameTests:
    """
    Long options: exact names, unique prefixes, and unknown names.
    """

    def test_uniquePrefix(self) -> None:
        """
        Any unique prefix of a long name works, as with getopt.
        """
        options = parsed(Basic(), "--verb", "--na=x")
        assert (options["verbose"], options["name"]) == (1, "x")

    def test_ambiguousPrefix(self) -> None:
        """
        A prefix of two names is an error listing both.
        """

        class Two(Options):
            optFlags = [["color", None, ""], ["count", None, ""]]

        assert usageError(Two(), "--co") == (
            "option --co is ambiguous: it could be --color or --count; type more of the name"
        )

    def test_unknownSuggests(self) -> None:
        """
        An unknown long option is named, with the closest known one.
        """
        assert usageError(Basic(), "--verbos3") == (
            "option --verbos3 not recognized (did you mean --verbose?); try --help"
        )

    def test_unknownWithoutSuggestion(self) -> None:
        """
        With nothing close, the message only names the option.
        """
        assert usageError(Basic(), "--zzzzzz") == "option --zzzzzz not recognized; try --help"

    def test_underscoreSpellings(self) -> None:
        """
        A declared C{max_count} also answers to C{--max-count}.
        """

        class Under(Options):
            optParameters = [["max_count", "m", 5, "Most."]]

        assert parsed(Under(), "--max-count=3")["max_count"] == "3"
        assert parsed(Under(), "--max_count=4")["max_count"] == "4"


class ShortNameTests:
    """
    Unknown short options.
    """

    def test_unknown(self) -> None:
        """
        An unknown short option is named.
        """
        assert usageError(Basic(), "-z") == "option -z not recognized; try --help"

    def test_unknownInBundle(self) -> None:
        """
        In a bundle, the message shows the letter and the bundle.
        """
        assert usageError(Basic(), "-vzd") == "option -z (in -vzd) not recognized; try --help"

    def test_negativeNumberHint(self) -> None:
        """
        Something that looks like a negative number gets a hint about C{--}.
        """
        assert usageError(Basic(), "-5") == (
            "option -5 not recognized; to pass an argument that starts with '-', put '--' "
            "before it; try --help"
        )


class Pair(Options):
    optFlags = [["verbose", "v", ""]]

    def parseArgs(self, origin: str, changed: str) -> None:
        self["origin"] = origin
        self["changed"] = changed


class Many(Options):
    optFlags = [["verbose", "v", ""]]

    def parseArgs(self, first: str, *rest: str) -> None:
        self["files"] = (first, *rest)


class HostPort(Options):
    def parseArgs(self, host: str, port: str = "80") -> None:
        self["where"] = (host, port)


class ArgumentTests:
    """
    Positional arguments go to C{parseArgs}, checked against its signature.
    """

    def test_exact(self) -> None:
        """
        The arguments after the options reach C{parseArgs}.
        """
        options = parsed(Pair(), "-v", "a", "b")
        assert (options["verbose"], options["origin"], options["changed"]) == (1, "a", "b")

    def test_optionsEndAtFirstArgument(self) -> None:
        """
        After the first positional argument, a dash argument is positional.
        """
        options = parsed(Pair(), "a", "-v")
        assert (options["verbose"], options["changed"]) == (0, "-v")

    def test_doubleDashEndsOptions(self) -> None:
        """
        C{--} ends the options; it is not passed on.
        """
        assert parsed(Many(), "--", "-v", "--x")["files"] == ("-v", "--x")

    def test_loneDashIsAnArgument(self) -> None:
        """
        A lone C{-} (often: standard input) is an argument.
        """
        assert parsed(Many(), "-")["files"] == ("-",)

    @pytest.mark.parametrize(
        ("cls", "args", "message"),
        [
            (
                Pair,
                ["a"],
                "Wrong number of arguments: expected 2 arguments (ORIGIN CHANGED), got 1 ('a'); "
                "try --help",
            ),
            (
                Pair,
                ["a", "b", "c"],
                "Wrong number of arguments: expected 2 arguments (ORIGIN CHANGED), got 3 "
                "('a' 'b' 'c'); try --help",
            ),
            (
                Many,
                [],
                "Wrong number of arguments: expected at least 1 argument (FIRST [REST...]), "
                "got 0; try --help",
            ),
            (
                HostPort,
                ["h", "1", "x"],
                "Wrong number of arguments: expected 1 to 2 arguments (HOST [PORT]), got 3 "
                "('h' '1' 'x'); try --help",
            ),
            (
                Options,
                ["stray"],
                "Wrong number of arguments: expected no arguments, got 1 ('stray'); try --help",
            ),
        ],
    )
    def test_wrongCount(self, cls: type[Options], args: list[str], message: str) -> None:
        """
        A count C{parseArgs} cannot take is a UsageError saying what it takes.
        """
        assert usageError(cls(), *args) == message

    def test_optionalArgument(self) -> None:
        """
        An argument with a default may be left out.
        """
        assert parsed(HostPort(), "h")["where"] == ("h", "80")
        assert parsed(HostPort(), "h", "8")["where"] == ("h", "8")

    def test_typeErrorInsideParseArgs(self) -> None:
        """
        A TypeError raised by the body of C{parseArgs} is not mistaken for a
        wrong argument count.
        """

        class Buggy(Options):
            def parseArgs(self, value: str) -> None:
                len(5)  # type: ignore[arg-type]

        with pytest.raises(TypeError, match="has no len"):
            Buggy().parseOptions(["x"])

    def test_defaultsToSysArgv(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without an argument, C{parseOptions} parses C{sys.argv[1:]}.
        """
        monkeypatch.setattr(sys, "argv", ["prog", "-v", "one", "two"])
        options = Pair()
        options.parseOptions()
        assert (options["verbose"], options["origin"], options["changed"]) == (1, "one", "two")


class PostOptionsTests:
    """
    C{postOptions} runs after everything else is parsed.
    """

    def test_raises(self) -> None:
        """
        A UsageError from C{postOptions} comes out of C{parseOptions}.
        """

        class NotAll(Options):
            optFlags = [["fast", "f", ""], ["good", "g", ""], ["cheap", "c", ""]]

            def postOptions(self) -> None:
                if self["fast"] and self["good"] and self["cheap"]:
                    raise UsageError("can't have it all")

        assert parsed(NotAll(), "-fg")["good"] == 1
        assert usageError(NotAll(), "-fgc") == "can't have it all"

    def test_order(self) -> None:
        """
        Options, then C{parseArgs}, then C{postOptions}; a parent's
        C{postOptions} runs after its sub-command's whole parse.
        """
        calls: list[str] = []

        class Sub(Options):
            def opt_x(self) -> None:
                calls.append("sub option")

            def postOptions(self) -> None:
                calls.append("sub postOptions")

        class Top(Options):
            subCommands = [["go", None, Sub, ""]]

            def opt_t(self) -> None:
                calls.append("top option")

            def postOptions(self) -> None:
                calls.append("top postOptions")

        class Leaf(Options):
            def parseArgs(self, *args: str) -> None:
                calls.append("parseArgs")

            def postOptions(self) -> None:
                calls.append("postOptions")

        parsed(Top(), "-t", "go", "-x")
        parsed(Leaf(), "a")
        assert calls == [
            "top option",
            "sub option",
            "sub postOptions",
            "top postOptions",
            "parseArgs",
            "postOptions",
        ]


class Serve(Options):
    longdesc = "Serves the files under PATH."
    optFlags = [["quiet", "q", "Say nothing."]]
    optParameters = [["port", "p", 8080, "The port.", portCoerce]]

    def parseArgs(self, path: str = ".") -> None:
        self["path"] = path


class Clean(Options):
    pass


class Tool(Options):
    synopsis = "Usage: tool [options] command"
    optFlags = [["verbose", "v", "Talk more."]]
    subCommands = [
        ["serve", "s", Serve, "Serve files."],
        ["clean", None, Clean, "Remove the cache."],
    ]


class Defaulted(Tool):
    defaultSubCommand = "serve"


class SubCommandTests:
    """
    C{subCommands}: the first argument picks a command that parses the rest.
    """

    def test_selected(self) -> None:
        """
        The command's options parse everything after its name; the parent
        records the command and keeps its own options.
        """
        options = parsed(Tool(), "-v", "serve", "-q", "--port=80", "www")
        assert options.subCommand == "serve"
        assert isinstance(options.subOptions, Serve)
        assert dict(options.subOptions) == {"quiet": 1, "port": 80, "path": "www"}
        assert options["verbose"] == 1
        assert options.subOptions.parent is options

    def test_shortcut(self) -> None:
        """
        The shortcut selects the command; C{subCommand} is its full name.
        """
        options = parsed(Tool(), "s")
        assert options.subCommand == "serve"
        assert options.subOptions["path"] == "."

    def test_parentOptionsAfterCommand(self) -> None:
        """
        The parent's options after the command name belong to the command,
        which does not know them.
        """
        assert usageError(Tool(), "clean", "-v") == ("option -v not recognized; try 'clean --help'")

    def test_unknownCommand(self) -> None:
        """
        An unknown command is an error listing the commands.
        """
        assert usageError(Tool(), "build") == (
            "Unknown command: 'build'; the commands are clean, serve; try --help"
        )

    def test_noCommand(self) -> None:
        """
        With no command and no default, there is no sub-command.
        """
        options = parsed(Tool(), "-v")
        assert options.subCommand is None
        assert not hasattr(options, "subOptions")

    def test_defaultSubCommand(self) -> None:
        """
        With no arguments left, C{defaultSubCommand} runs with none.
        """
        options = parsed(Defaulted(), "-v")
        assert options.subCommand == "serve"
        assert dict(options.subOptions) == {"quiet": 0, "port": 8080, "path": "."}

    def test_defaultDoesNotSwallowArguments(self) -> None:
        """
        An argument that names no command is still an error, even with a
        default command.
        """
        assert usageError(Defaulted(), "-q").startswith("option -q not recognized")
        assert usageError(Defaulted(), "www").startswith("Unknown command: 'www'")

    def test_badDefault(self) -> None:
        """
        A C{defaultSubCommand} that is not a command is the program's bug:
        a ValueError naming it and the choices.
        """

        class Bad(Tool):
            defaultSubCommand = "srve"

        with pytest.raises(ValueError, match=r"defaultSubCommand is 'srve'.*\['clean', 'serve'\]"):
            Bad().parseOptions([])

    def test_parserFactory(self) -> None:
        """
        The parser may be any callable that returns Options, as plugins give.
        """

        def makeServe() -> Options:
            return Serve()

        class Lazy(Options):
            subCommands = [["run", None, makeServe, "Run."]]

        assert parsed(Lazy(), "run", "x").subOptions["path"] == "x"

    def test_subCommandErrorNamesPath(self) -> None:
        """
        An error in a sub-command's arguments points at that command's help.
        """
        assert usageError(Tool(), "serve", "a", "b") == (
            "Wrong number of arguments: expected 0 to 1 arguments ([PATH]), got 2 ('a' 'b'); "
            "try 'serve --help'"
        )

    def test_instanceSubCommands(self) -> None:
        """
        C{subCommands} may be set on the instance, for commands found at run
        time (plugins).
        """

        class Dynamic(Options):
            def __init__(self) -> None:
                super().__init__()
                self.subCommands = [["clean", None, Clean, "Clean."]]

        assert parsed(Dynamic(), "clean").subCommand == "clean"

    def test_malformedEntry(self) -> None:
        """
        A C{subCommands} entry of the wrong shape is a TypeError showing it.
        """

        class Broken(Options):
            subCommands = [["a", None, Clean]]

        with pytest.raises(TypeError, match=r"\['a', None, .*\[name, shortcut, parserClass, doc\]"):
            Broken().parseOptions(["a"])


class HelpTests:
    """
    C{--help}, C{getSynopsis}, C{getUsage} and C{str()}.
    """

    def test_helpExitsZero(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        C{--help} prints the synopsis and usage to stdout and exits with 0.
        """
        with pytest.raises(SystemExit) as info:
            Tool().parseOptions(["--help"])
        assert info.value.code == 0
        out, err = capsys.readouterr()
        assert out == str(Tool())
        assert out.startswith("Usage: tool [options] command\nOptions:\n")
        assert err == ""

    def test_helpStopsParsing(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        C{--help} works even when the rest of the command line is wrong.
        """
        with pytest.raises(SystemExit):
            Pair().parseOptions(["--help", "--bogus"])
        assert capsys.readouterr().out.startswith("Usage: ")

    def test_subCommandHelp(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        C{serve --help} shows the command's options under a synopsis that
        starts with the parent's.
        """
        with pytest.raises(SystemExit) as info:
            Tool().parseOptions(["serve", "--help"])
        assert info.value.code == 0
        assert capsys.readouterr().out == (
            "Usage: tool [options] command serve [options]\n"
            "Options:\n"
            "      --help     Show this help text and exit.\n"
            "  -p, --port=    The port. A port number, 0 to 65535. [default: 8080]\n"
            "  -q, --quiet    Say nothing.\n"
            "      --version  Show the torsion version and exit.\n"
            "\n"
            "Serves the files under PATH.\n"
        )

    def test_usageText(self) -> None:
        """
        The usage text: options sorted by long name, flags without and
        parameters with C{=}, defaults and coerce docs; commands with
        shortcut and default; then the long description, wrapped.
        """

        class Documented(Defaulted):
            optParameters = [["level", "l", 2, "Compression level.", int]]
            longdesc = (
                "Tool does things to files, and this description is long enough to need "
                "wrapping at forty columns.\n\nA second paragraph."
            )

        assert Documented().getUsage(width=40) == (
            "Options:\n"
            "      --help     Show this help text and\n"
            "                 exit.\n"
            "  -l, --level=   Compression level.\n"
            "                 [default: 2]\n"
            "  -v, --verbose  Talk more.\n"
            "      --version  Show the torsion\n"
            "                 version and exit.\n"
            "Commands:\n"
            "  clean      Remove the cache.\n"
            "  serve (s)  Serve files. (the default)\n"
            "\n"
            "Tool does things to files, and this\n"
            "description is long enough to need\n"
            "wrapping at forty columns.\n"
            "\n"
            "A second paragraph.\n"
        )

    def test_moduleDocstringByDefault(self) -> None:
        """
        Without C{longdesc}, the description is the docstring of the module
        that defines the class, as in Twisted; C{longdesc = ""} shows none.
        """

        class Plain(Options):
            pass

        class Silent(Options):
            longdesc = ""

        assert __doc__ is not None
        expected = " ".join(__doc__.split())
        assert " ".join(Plain().getUsage(width=80).split("\n\n", 1)[1].split()) == expected
        assert Silent().getUsage(width=80).count("\n") == 3

    def test_indentedParagraphKept(self) -> None:
        """
        A paragraph with indented lines (an example) is printed as written.
        """

        class Example(Options):
            longdesc = """
                Some words that are wrapped.

                Run:
                    example --help
                    example   --version
            """

        text = Example().getUsage(width=80)
        assert text.endswith(
            "\nSome words that are wrapped.\n\nRun:\n    example --help\n    example   --version\n"
        )

    def test_longLeftColumn(self) -> None:
        """
        An option name too long for the left column puts its help on the
        next line.
        """

        class Wide(Options):
            optParameters = [["an-extraordinarily-long-option-name", "e", None, "Help."]]

        text = Wide().getUsage(width=40)
        assert "  -e, --an-extraordinarily-long-option-name=\n                    Help.\n" in text

    def test_widthFromEnvironment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without a width, the text wraps to C{$COLUMNS}.
        """
        monkeypatch.setenv("COLUMNS", "40")
        assert Tool().getUsage() == Tool().getUsage(width=40)
        monkeypatch.setenv("COLUMNS", "200")
        assert Tool().getUsage() == Tool().getUsage(width=200)

    def test_defaultSynopsis(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        Without C{synopsis}, the usage line names the program run.
        """
        monkeypatch.setattr(sys, "argv", ["/usr/local/bin/frob", "x"])
        assert Basic().getSynopsis() == "Usage: frob [options]"

    def test_subCommandSynopsis(self) -> None:
        """
        A command's own C{synopsis} follows the parent's and its name.
        """

        class Own(Options):
            synopsis = "[own options] FILE  "

            def parseArgs(self, *args: str) -> None:
                pass

        class Top(Tool):
            subCommands = [["own", None, Own, ""]]

        assert parsed(Top(), "own").subOptions.getSynopsis() == (
            "Usage: tool [options] command own [own options] FILE"
        )

    def test_str(self) -> None:
        """
        C{str(options)} is the synopsis line followed by the usage text.
        """
        assert str(Tool()) == Tool().getSynopsis() + "\n" + Tool().getUsage()

    def test_emptyDefaultShown(self) -> None:
        """
        An empty-string default is shown quoted, so it is visible.
        """

        class Empty(Options):
            optParameters = [["prefix", None, "", "Prefix."]]

        assert "      --prefix=  Prefix. [default: '']\n" in Empty().getUsage(width=80)


class VersionTests:
    """
    C{--version}.
    """

    def test_torsionVersion(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        By default C{--version} prints the torsion version and exits with 0.
        """
        with pytest.raises(SystemExit) as info:
            Options().parseOptions(["--version"])
        assert info.value.code == 0
        assert capsys.readouterr().out == f"torsion {__version__}\n"

    def test_ownVersion(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        A program's own C{opt_version} replaces it.
        """

        class Mine(Options):
            def opt_version(self) -> None:
                """Show mine."""
                print("mine 2.0")
                raise SystemExit(0)

        with pytest.raises(SystemExit):
            Mine().parseOptions(["--version"])
        assert capsys.readouterr().out == "mine 2.0\n"
        assert "      --version  Show mine.\n" in Mine().getUsage(width=80)

    def test_removed(self) -> None:
        """
        Setting C{opt_version = None} removes the option.
        """

        class NoVersion(Options):
            opt_version = None  # type: ignore[assignment]

        assert "--version" not in NoVersion().getUsage(width=80)
        assert usageError(NoVersion(), "--version").startswith("option --version not recognized")


class InheritanceTests:
    """
    Flags and parameters are gathered from the whole class hierarchy.
    """

    def test_merged(self) -> None:
        """
        A subclass has its bases' flags and parameters as well as its own.
        """

        class Base(Options):
            optFlags = [["quiet", "q", "Be quiet."]]
            optParameters = [["log", "l", "-", "Log file."]]

        class Specific(Base):
            optFlags = [["fast", "f", "Be fast."]]

        options = parsed(Specific(), "-qf")
        assert dict(options) == {"quiet": 1, "fast": 1, "log": "-"}
        text = Specific().getUsage(width=80)
        assert "-q, --quiet" in text
        assert "-f, --fast" in text

    def test_subclassReplaces(self) -> None:
        """
        A subclass entry with a base's long name replaces the base's.
        """

        class Base(Options):
            optParameters = [["port", "p", 80, "Base port."]]

        class Specific(Base):
            optParameters = [["port", "P", 8080, "Specific port.", int]]

        options = Specific()
        assert options["port"] == 8080
        assert parsed(Specific(), "-P", "9")["port"] == 9
        assert usageError(Specific(), "-p", "9").startswith("option -p not recognized")
        assert "Base port" not in options.getUsage(width=80)

    def test_shortLetterClash(self) -> None:
        """
        One short letter for two options is a TypeError naming both.
        """

        class Clash(Options):
            optFlags = [["verbose", "v", ""], ["vacuum", "v", ""]]

        with pytest.raises(
            TypeError,
            match=r"^Clash: the short option -v is claimed by both --verbose and --vacuum; "
            r"give one of them another short name, or None$",
        ):
            Clash()


class DeclarationErrorTests:
    """
    Malformed C{optFlags} and C{optParameters} entries.
    """

    @pytest.mark.parametrize(
        ("entry", "problem"),
        [
            ("verbose", "each entry must be a list"),
            (["--verbose", "v", ""], "the long name must be a non-empty string without dashes"),
            (["verbose", "vb", ""], "the short name must be one character or None, not 'vb'"),
            (["verbose", "v", "", "extra"], "expected 1 to 3 items, got 4"),
        ],
    )
    def test_badFlag(self, entry: Any, problem: str) -> None:
        """
        A bad entry is a TypeError naming the class, the entry and the fault.
        """

        class Bad(Options):
            optFlags = [entry]

        with pytest.raises(TypeError) as info:
            Bad()
        assert str(info.value).startswith(f"Bad.optFlags entry {entry!r}: ")
        assert problem in str(info.value)

    def test_shortEntries(self) -> None:
        """
        Entries may leave out trailing items: they count as None.
        """

        class Terse(Options):
            optFlags = [["fast"]]
            optParameters = [["level", "l"]]

        options = parsed(Terse(), "--fast", "-l", "3")
        assert dict(options) == {"fast": 1, "level": "3"}


class CoerceTests:
    """
    L{portCoerce} and L{CoerceParameter}.
    """

    @pytest.mark.parametrize(("text", "port"), [("0", 0), ("80", 80), ("65535", 65535)])
    def test_port(self, text: str, port: int) -> None:
        """
        Whole numbers from 0 to 65535 are ports.
        """
        assert portCoerce(text) == port

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("http", "a port must be a whole number, not 'http'"),
            ("65536", "port 65536 is out of range; use a number from 0 to 65535"),
            ("-1", "port -1 is out of range; use a number from 0 to 65535"),
        ],
    )
    def test_badPort(self, text: str, message: str) -> None:
        """
        Anything else is a ValueError saying why.
        """
        with pytest.raises(ValueError) as info:
            portCoerce(text)
        assert str(info.value) == message

    def test_portDoc(self) -> None:
        """
        C{portCoerce} has a C{coerceDoc} for the help text.
        """
        assert getattr(portCoerce, "coerceDoc", None) == "A port number, 0 to 65535."

    def test_coerceParameter(self) -> None:
        """
        L{CoerceParameter} stores the coerced value, or raises UsageError.
        """
        options = Options()
        store = CoerceParameter(options, portCoerce)
        store("port", "80")
        assert options["port"] == 80
        assert store.doc == "A port number, 0 to 65535."
        with pytest.raises(UsageError, match=r"^invalid value 'x' for --port: "):
            store("port", "x")


def test_publicNames() -> None:
    """
    The names are public in C{torsion.python.usage}; C{error} is
    L{UsageError}, an C{Exception}.
    """
    assert usage.error is UsageError
    assert issubclass(UsageError, Exception)
    for obj in (Options, UsageError, CoerceParameter, portCoerce):
        assert obj.__module__ == "torsion.python.usage"


# -- the same command lines under Twisted ------------------------------------


def declare(usageModule: ModuleType) -> type[Any]:
    """
    Declare the same options with C{usageModule} (ours or Twisted's).
    """

    class Sub(usageModule.Options):  # type: ignore[name-defined,misc]
        optFlags = [["quiet", "q", "Quiet."]]
        optParameters = [["port", "p", 8080, "Port.", usageModule.portCoerce]]

        def parseArgs(self, *paths: str) -> None:
            self["paths"] = list(paths)

    class Top(usageModule.Options):  # type: ignore[name-defined,misc]
        optFlags = [["verbose", "v", "Verbose."], ["all", "a", "All."]]
        optParameters = [["name", "n", "world", "Name."], ["count", "c", 1, "Count.", int]]
        subCommands = [["serve", "s", Sub, "Serve."]]
        defaultSubCommand = "serve"

        def __init__(self) -> None:
            usageModule.Options.__init__(self)
            self["symbols"] = []
            self["level"] = 0

        def opt_define(self, symbol: str) -> None:
            """Define."""
            self["symbols"].append(symbol)

        opt_D = opt_define

        def opt_louder(self) -> None:
            """Louder."""
            self["level"] += 1

        opt_L = opt_louder

    return Top


COMMAND_LINES = [
    [],
    ["-v"],
    ["-va", "-c3", "-nbob"],
    ["-vc", "7", "--name=", "serve", "-q", "x", "-v"],
    ["--verb", "--na", "alice"],
    ["-DA", "-D", "B", "--define=C", "-LLL", "--louder"],
    ["s", "--port=80", "--", "-a"],
    ["serve", "-p", "99999"],
    ["--count=x"],
    ["--bogus"],
    ["-z"],
    ["build"],
    ["--verbose=1"],
    ["--name"],
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=" ".join)
def test_sameAsTwisted(args: list[str]) -> None:
    """
    A command line gives the same dicts and sub-command under torsion and
    Twisted, or an error under both (the messages differ: ours say more).
    """
    if importlib.util.find_spec("twisted") is None:
        pytest.skip("Twisted is not installed, so the comparison cannot run")
    from twisted.python import usage as twistedUsage

    def outcome(usageModule: ModuleType) -> object:
        options = declare(usageModule)()
        try:
            options.parseOptions(args)
        except usageModule.UsageError:
            return "UsageError"
        sub = getattr(options, "subOptions", None)
        return dict(options), options.subCommand, None if sub is None else dict(sub)

    assert outcome(usage) == outcome(twistedUsage)
