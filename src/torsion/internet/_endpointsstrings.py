# serverFromString / clientFromString: from a description such as
# "tcp:8080:interface=127.0.0.1" to an endpoint.
#
# How it works
# ------------
# The description is split (_endpointsdescription._split) into its type and
# arguments.  The type picks a parser among _parsersFor(interface): the
# built-in ones first, then those of plugins, the first whose `prefix`
# matches without regard to case.  The parser gets the reactor and the
# arguments (keywords as keyword arguments) and returns the endpoint.
#
# Errors: a ValueError whose message starts with the whole description,
# then names the bad part and shows the expected form.  A built-in parser's
# _DescriptionError gets the description prefixed; what a plugin's parser
# raises goes to the caller unchanged.
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zope.interface.interface import InterfaceClass

from torsion.internet._endpointsdescription import _DescriptionError, _split
from torsion.internet._endpointsparsers import CLIENT_PARSERS, SERVER_PARSERS
from torsion.internet._iendpoints import (
    IStreamClientEndpointStringParserWithReactor,
    IStreamServerEndpointStringParser,
)
from torsion.internet._ireactornet import IStreamClientEndpoint, IStreamServerEndpoint


def _parsersFor(interface: InterfaceClass) -> list[Any]:
    """
    The description parsers providing C{interface}, in the order they are
    tried: the built-in ones, then those of plugins (modules in
    C{torsion.plugins} with an object providing C{interface}; they are
    imported only when no built-in parser matched).

    @param interface: L{IStreamServerEndpointStringParser} or
        L{IStreamClientEndpointStringParserWithReactor}.
    @return: The parsers.
    """
    if interface is IStreamServerEndpointStringParser:
        builtIn: tuple[Any, ...] = tuple(SERVER_PARSERS)
    elif interface is IStreamClientEndpointStringParserWithReactor:
        builtIn = tuple(CLIENT_PARSERS)
    else:
        raise TypeError(f"there are no endpoint description parsers for {interface!r}")
    return [*builtIn, *_plugins(interface)]


def _plugins(interface: InterfaceClass) -> Iterator[Any]:
    from torsion.plugin import getPlugins

    found: Any = getPlugins(interface)
    yield from found


def _find(interface: InterfaceClass, kind: str, side: str, example: str) -> Any:
    """
    The parser for description type C{kind}.

    @raise _DescriptionError: If there is none.
    """
    parsers = _parsersFor(interface)
    wanted = kind.lower()
    for parser in parsers:
        if str(parser.prefix).lower() == wanted:
            return parser
    if not kind:
        raise _DescriptionError("it has no endpoint type", f"TYPE:ARGUMENTS, e.g. {example}")
    if kind.isdigit():
        listen = "listen on" if side == "server" else "connect to"
        fix = "tcp:" + kind if side == "server" else "tcp:HOST:" + kind
        raise _DescriptionError(
            f"it has no endpoint type; to {listen} TCP port {kind}, write {fix}"
        )
    known = ", ".join(sorted({str(parser.prefix).lower() for parser in parsers}))
    raise _DescriptionError(f"unknown endpoint type {kind!r}", f"one of {known}, e.g. {example}")


def _parse(
    interface: InterfaceClass, side: str, example: str, reactor: Any, description: str
) -> Any:
    if not isinstance(description, str):
        raise TypeError(
            f"an endpoint description is a str, not {type(description).__name__} "
            f"({description!r}); decode bytes first"
        )
    try:
        kind, args, kwargs = _split(description)
        parser = _find(interface, kind, side, example)
        if side == "server":
            return parser.parseStreamServer(reactor, *args, **kwargs)
        return parser.parseStreamClient(reactor, *args, **kwargs)
    except _DescriptionError as e:
        problem = e.problem
        if "[" in description:
            problem += (
                " (addresses are not put in brackets: escape an IPv6 address's colons"
                " instead, as in tcp6:\\:\\:1:80)"
            )
        raise _DescriptionError(
            f"bad {side} endpoint description {description!r}: {problem}", e.usage
        ) from None


def serverFromString(reactor: Any, description: str) -> IStreamServerEndpoint:
    """
    Make a stream server endpoint from a description such as
    C{"tcp:8080:interface=127.0.0.1"}.

    The description is C{TYPE:ARG:ARG...}; each argument is a value or a
    C{key=value}; a backslash makes the next character plain (C{\\:},
    C{\\=}, C{\\\\}; see L{quoteStringArgument}).  Built-in types:
      - C{tcp:PORT[:interface=ADDRESS][:backlog=N]}
      - C{tcp6:PORT[:backlog=N][:interface=ADDRESS]} (default C{::})
      - C{unix:PATH[:mode=OCTAL][:backlog=N][:lockfile=0|1]} (a lock file
        is held unless C{lockfile=0})
      - C{systemd:domain=INET|INET6|UNIX:index=N} or C{:name=NAME}: a
        socket passed by systemd
      - C{stdio:}: standard input and output
      - C{ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=…]}: TLS
        (see docs/endpoints.md)
    Plugins providing L{IStreamServerEndpointStringParser} add more.

    @param reactor: The reactor the endpoint listens with.
    @param description: The description.
    @return: The endpoint.
    @raise ValueError: If the description is bad; the message names the bad
        part and shows the expected form.
    """
    endpoint: IStreamServerEndpoint = _parse(
        IStreamServerEndpointStringParser,
        "server",
        "tcp:8080:interface=127.0.0.1",
        reactor,
        description,
    )
    return endpoint


def clientFromString(reactor: Any, description: str) -> IStreamClientEndpoint:
    """
    Make a stream client endpoint from a description such as
    C{"tcp:example.org:80"}.

    The syntax is L{serverFromString}'s.  Built-in types:
      - C{tcp:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS]}
      - C{tcp6:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS]} (an IPv6
        address is escaped: C{tcp6:\\:\\:1:80}; not in Twisted)
      - C{unix:PATH[:timeout=SECONDS][:checkPID=0|1]}
      - C{tls:HOST:PORT[:trustRoots=DIR][:certificate=…:privateKey=…]} and
        C{ssl:host=HOST:port=PORT[:caCertsDir=DIR]}: TLS, verifying the
        certificate and the host name
    Plugins providing L{IStreamClientEndpointStringParserWithReactor} add
    more.

    @param reactor: The reactor the endpoint connects with.
    @param description: The description.
    @return: The endpoint.
    @raise ValueError: If the description is bad; the message names the bad
        part and shows the expected form.
    """
    endpoint: IStreamClientEndpoint = _parse(
        IStreamClientEndpointStringParserWithReactor,
        "client",
        "tcp:example.org:80",
        reactor,
        description,
    )
    return endpoint


__all__ = ["clientFromString", "serverFromString"]
