"""
A small command line built with usage.Options: a global flag and a counting
option, two subcommands (one of them the default), coerced parameters,
positional arguments, a postOptions check, and --help.

Run:
    python examples/options_demo.py                       # greets the world
    python examples/options_demo.py greet --shout -t 2 alice bob
    python examples/options_demo.py -v sum -- 1 2.5 -3    # "--": a negative number follows
    python examples/options_demo.py --help
    python examples/options_demo.py sum --help

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same (the wording of --help and of errors differs).
"""

from __future__ import annotations

import sys

from torsion.python import usage


def positive(value: str) -> int:
    """
    Coerce a parameter to a whole number of at least 1.
    """
    number = int(value)
    if number < 1:
        raise ValueError(f"must be at least 1, not {number}")
    return number


positive.coerceDoc = "At least 1."  # type: ignore[attr-defined]


class GreetOptions(usage.Options):
    synopsis = "[greet options] [NAME...]"
    longdesc = "Prints 'GREETING, NAME!' for each NAME, or for the world."
    optFlags = [["shout", "s", "Greet in capitals."]]
    optParameters = [
        ["greeting", "g", "Hello", "The word to greet with."],
        ["times", "t", 1, "How many times to greet each name.", positive],
    ]

    def parseArgs(self, *names: str) -> None:
        self["names"] = list(names) or ["world"]


class SumOptions(usage.Options):
    synopsis = "[sum options] NUMBER [NUMBER...]"
    longdesc = "Prints the sum of the NUMBERs.  If the first is negative, put -- before it."
    optParameters = [["places", "p", 2, "Digits after the decimal point.", int]]

    def parseArgs(self, number: str, *numbers: str) -> None:
        try:
            self["numbers"] = [float(n) for n in (number, *numbers)]
        except ValueError as e:
            raise usage.UsageError(f"sum adds numbers: {e}") from None


class DemoOptions(usage.Options):
    synopsis = "Usage: options_demo.py [options] [command]"
    longdesc = "Greets people or adds numbers up: a tour of usage.Options."
    optFlags = [["quiet", "q", "Print the results only."]]
    subCommands = [
        ["greet", "g", GreetOptions, "Greet people (or the world)."],
        ["sum", None, SumOptions, "Add numbers up."],
    ]
    defaultSubCommand = "greet"

    def __init__(self) -> None:
        super().__init__()
        self["verbosity"] = 0

    def opt_verbose(self) -> None:
        """
        Say what is going on (repeat for more).
        """
        self["verbosity"] += 1

    opt_v = opt_verbose

    def postOptions(self) -> None:
        if self["quiet"] and self["verbosity"]:
            raise usage.UsageError("--quiet and --verbose contradict each other; choose one")


def main(argv: list[str]) -> int:
    """
    Parse C{argv}, run the command, and return the exit status.
    """
    options = DemoOptions()
    try:
        options.parseOptions(argv)
    except usage.UsageError as e:
        print(f"options_demo.py: {e}", file=sys.stderr)
        return 1
    command = options.subOptions
    if options["verbosity"]:
        print(f"running {options.subCommand} with {dict(command)}", file=sys.stderr)
    if options.subCommand == "greet":
        for name in command["names"]:
            line = f"{command['greeting']}, {name}!"
            for _ in range(command["times"]):
                print(line.upper() if command["shout"] else line)
    else:
        total = sum(command["numbers"])
        print(f"{total:.{command['places']}f}")
    if not options["quiet"]:
        print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
