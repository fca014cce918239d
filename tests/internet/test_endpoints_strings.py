"""
Tests for endpoint descriptions: L{serverFromString}, L{clientFromString}
and L{quoteStringArgument}, every built-in type with good and bad
descriptions, the syntax's escapes and the built-in parser objects.

The endpoints are made on a L{MemoryReactor} and asked to listen or
connect, so each test checks the reactor call a description leads to.
"""

from __future__ import annotations

import os
import re
import socket
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from torsion.internet import _endpointsstrings
from torsion.internet._endpointsdescription import _split
from torsion.internet._endpointsparsers import CLIENT_PARSERS, SERVER_PARSERS, _SystemdParser
from torsion.internet._endpointsstrings import _parsersFor
from torsion.internet._endpointssystemd import ListenFDs
from torsion.internet.endpoints import (
    AdoptedStreamServerEndpoint,
    StandardIOEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    TCP6ClientEndpoint,
    TCP6ServerEndpoint,
    UNIXClientEndpoint,
    UNIXServerEndpoint,
    clientFromString,
    quoteStringArgument,
    serverFromString,
)
from torsion.internet.interfaces import (
    IStreamClientEndpoint,
    IStreamClientEndpointStringParserWithReactor,
    IStreamServerEndpoint,
    IStreamServerEndpointStringParser,
)
from torsion.internet.protocol import Factory, Protocol
from torsion.internet.testing import MemoryReactor

TCP_USAGE = "tcp:PORT[:interface=ADDRESS][:backlog=N], e.g. tcp:8080:interface=127.0.0.1"
TCP6_USAGE = "tcp6:PORT[:backlog=N][:interface=ADDRESS], e.g. tcp6:8080:interface=\\:\\:1"
UNIX_USAGE = "unix:PATH[:mode=OCTAL][:backlog=N][:lockfile=0|1], e.g. unix:/run/app.sock:mode=660"
SYSTEMD_USAGE = (
    "systemd:domain=INET|INET6|UNIX[:index=N][:name=NAME], e.g. systemd:domain=INET:index=0"
)
CLIENT_TCP_USAGE = (
    "tcp:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS], e.g. tcp:example.org:80:timeout=10"
)
CLIENT_UNIX_USAGE = (
    "unix:PATH[:timeout=SECONDS][:checkPID=0|1][:lockfile=0|1], e.g. unix:/run/app.sock:timeout=5"
)


def listened(description: str) -> tuple[Any, tuple[Any, ...]]:
    """
    Make a server endpoint from C{description}, listen, and give the
    endpoint and the reactor call it made (the factory left out).
    """
    reactor = MemoryReactor()
    endpoint = serverFromString(reactor, description)
    factory = Factory.forProtocol(Protocol)
    endpoint.listen(factory)
    calls = reactor.tcpServers + reactor.unixServers
    assert len(calls) == 1, calls
    return endpoint, tuple(arg for arg in calls[0] if arg is not factory)


def connected(description: str) -> tuple[Any, tuple[Any, ...]]:
    """
    Make a client endpoint from C{description}, connect, and give the
    endpoint and the reactor call it made (the factory left out).
    """
    reactor = MemoryReactor()
    endpoint = clientFromString(reactor, description)
    endpoint.connect(Factory.forProtocol(Protocol))
    calls = reactor.tcpClients + reactor.unixClients
    assert len(calls) == 1, calls
    return endpoint, tuple(arg for arg in calls[0] if not isinstance(arg, Factory))


def serverError(description: str) -> str:
    """
    The message of the ValueError C{serverFromString} raises.
    """
    with pytest.raises(ValueError) as caught:
        serverFromString(MemoryReactor(), description)
    return str(caught.value)


def clientError(description: str) -> str:
    """
    The message of the ValueError C{clientFromString} raises.
    """
    with pytest.raises(ValueError) as caught:
        clientFromString(MemoryReactor(), description)
    return str(caught.value)


class ServerTCPTests:
    """
    The C{tcp} and C{tcp6} server types.
    """

    @pytest.mark.parametrize(
        ("description", "call"),
        [
            ("tcp:8080", (8080, 50, "")),
            ("tcp:0", (0, 50, "")),
            ("tcp:65535", (65535, 50, "")),
            ("tcp:port=8080", (8080, 50, "")),
            ("tcp:8080:interface=127.0.0.1", (8080, 50, "127.0.0.1")),
            ("tcp:8080:backlog=5", (8080, 5, "")),
            ("tcp:8080:backlog=5:interface=127.0.0.1", (8080, 5, "127.0.0.1")),
            ("tcp:8080:127.0.0.1", (8080, 50, "127.0.0.1")),
            ("tcp:8080:127.0.0.1:7", (8080, 7, "127.0.0.1")),
            ("tcp:interface=127.0.0.1:8080", (8080, 50, "127.0.0.1")),
            ("tcp:8080:interface=\\:\\:1", (8080, 50, "::1")),
            ("TCP:8080", (8080, 50, "")),
        ],
    )
    def test_tcp(self, description: str, call: tuple[Any, ...]) -> None:
        """
        C{tcp:} makes a L{TCP4ServerEndpoint} calling C{listenTCP} with the
        port, backlog and interface described (positionally in Twisted's
        order, or by keyword; the type in any case).
        """
        endpoint, made = listened(description)
        assert type(endpoint) is TCP4ServerEndpoint
        assert made == call

    @pytest.mark.parametrize(
        ("description", "call"),
        [
            ("tcp6:8080", (8080, 50, "::")),
            ("tcp6:8080:interface=\\:\\:1", (8080, 50, "::1")),
            ("tcp6:8080:3", (8080, 3, "::")),
            ("tcp6:8080:3:\\:\\:1", (8080, 3, "::1")),
            ("Tcp6:port=443:backlog=9", (443, 9, "::")),
        ],
    )
    def test_tcp6(self, description: str, call: tuple[Any, ...]) -> None:
        """
        C{tcp6:} makes a L{TCP6ServerEndpoint} on C{::} unless told
        otherwise; its positional order is port, backlog, interface.
        """
        endpoint, made = listened(description)
        assert type(endpoint) is TCP6ServerEndpoint
        assert made == call

    @pytest.mark.parametrize(
        ("description", "problem"),
        [
            ("tcp", "PORT (port) is missing"),
            ("tcp:", "port '' is not a port number (a whole number from 0 to 65535)"),
            ("tcp:http", "port 'http' is not a port number (a whole number from 0 to 65535)"),
            ("tcp:-1", "port '-1' is not a port number (a whole number from 0 to 65535)"),
            ("tcp:65536", "port '65536' is not a port number (a whole number from 0 to 65535)"),
            ("tcp:8e3", "port '8e3' is not a port number (a whole number from 0 to 65535)"),
            (
                "tcp:\uff18\uff10",  # full-width digits: isdigit() but not ASCII
                "port '\uff18\uff10' is not a port number (a whole number from 0 to 65535)",
            ),
            ("tcp:80:backlog=many", "backlog 'many' is not a whole number"),
            ("tcp:80:bogus=1", "unknown keyword 'bogus': tcp takes port, interface, backlog"),
            (
                "tcp:80:Interface=x",
                "unknown keyword 'Interface' (did you mean 'interface'?): "
                "tcp takes port, interface, backlog",
            ),
            (
                "tcp:80:a:2:extra",
                "unexpected argument 'extra': tcp takes at most 3 positional arguments "
                "(port, interface, backlog) (write \\: for a colon that is part of a value)",
            ),
            (
                "tcp:port=80:a:2:extra",
                "unexpected argument 'extra': tcp takes at most 3 positional arguments "
                "(port, interface, backlog) counting those given by keyword "
                "(write \\: for a colon that is part of a value)",
            ),
            ("tcp:80:backlog=1:backlog=2", "the keyword 'backlog' is given twice"),
        ],
    )
    def test_tcpBad(self, description: str, problem: str) -> None:
        """
        A bad C{tcp:} description raises a ValueError giving the
        description, naming the bad part and showing the expected form.
        """
        message = serverError(description)
        if "given twice" in problem:
            assert message == f"bad server endpoint description {description!r}: {problem}"
        else:
            assert message == (
                f"bad server endpoint description {description!r}: {problem}; expected {TCP_USAGE}"
            )

    def test_tcp6Bad(self) -> None:
        """
        A bad C{tcp6:} port is named, with C{tcp6}'s own usage.
        """
        assert serverError("tcp6:x") == (
            "bad server endpoint description 'tcp6:x': port 'x' is not a port number "
            f"(a whole number from 0 to 65535); expected {TCP6_USAGE}"
        )

    def test_bracketedIPv6(self) -> None:
        """
        An IPv6 address in brackets gets a hint to escape its colons.
        """
        message = serverError("tcp6:80:interface=[::1]")
        assert "unexpected argument" in message
        assert "escape an IPv6 address's colons instead, as in tcp6:\\:\\:1:80" in message


class ServerUNIXTests:
    """
    The C{unix} server type.
    """

    @pytest.mark.parametrize(
        ("description", "call"),
        [
            ("unix:/run/app.sock", ("/run/app.sock", 50, 0o666, True)),
            ("unix:/run/app.sock:mode=660", ("/run/app.sock", 50, 0o660, True)),
            ("unix:/run/app.sock:mode=0o600", ("/run/app.sock", 50, 0o600, True)),
            ("unix:/run/app.sock:mode=0600", ("/run/app.sock", 50, 0o600, True)),
            ("unix:/run/app.sock:lockfile=0", ("/run/app.sock", 50, 0o666, False)),
            ("unix:/run/app.sock:lockfile=no", ("/run/app.sock", 50, 0o666, False)),
            ("unix:/run/app.sock:backlog=3", ("/run/app.sock", 3, 0o666, True)),
            ("unix:address=/run/a.sock:backlog=3", ("/run/a.sock", 3, 0o666, True)),
            ("unix:/run/app.sock:640:7:0", ("/run/app.sock", 7, 0o640, False)),
            ("unix:/tmp/a\\:b\\=c\\\\d", ("/tmp/a:b=c\\d", 50, 0o666, True)),
        ],
    )
    def test_unix(self, description: str, call: tuple[Any, ...]) -> None:
        """
        C{unix:} makes a L{UNIXServerEndpoint}; the mode is octal; a lock
        file is held unless C{lockfile=0}, as in Twisted; escapes give
        colons, equals signs and backslashes in the path.
        """
        endpoint, made = listened(description)
        assert type(endpoint) is UNIXServerEndpoint
        assert made == call

    @pytest.mark.parametrize(
        ("description", "problem"),
        [
            ("unix", "PATH (address) is missing"),
            ("unix:", "address '' is empty"),
            ("unix:/x:mode=999", "mode '999' is not octal permissions such as 660 or 0o600"),
            ("unix:/x:mode=rw", "mode 'rw' is not octal permissions such as 660 or 0o600"),
            (
                "unix:/x:mode=77777",
                "mode '77777' is not octal permissions such as 660 or 0o600 (at most 7777)",
            ),
            ("unix:/x:lockfile=maybe", "lockfile 'maybe' is not 1 or 0 (yes or no)"),
            (
                "unix:/x:wantPID=1",
                "unknown keyword 'wantPID': unix takes address, mode, backlog, lockfile",
            ),
        ],
    )
    def test_unixBad(self, description: str, problem: str) -> None:
        """
        A bad C{unix:} server description names the bad part and shows the
        expected form.
        """
        assert serverError(description) == (
            f"bad server endpoint description {description!r}: {problem}; expected {UNIX_USAGE}"
        )


class ServerOtherTypesTests:
    """
    C{stdio}, unknown types and the syntax errors every type shares.
    """

    @pytest.mark.parametrize("description", ["stdio", "stdio:", "STDIO:"])
    def test_stdio(self, description: str) -> None:
        """
        C{stdio} (with or without a trailing colon) makes a
        L{StandardIOEndpoint}.
        """
        assert type(serverFromString(MemoryReactor(), description)) is StandardIOEndpoint

    def test_stdioTakesNothing(self) -> None:
        """
        C{stdio} takes no argument.
        """
        assert serverError("stdio:x") == (
            "bad server endpoint description 'stdio:x': unexpected argument 'x': stdio takes "
            "no positional argument (write \\: for a colon that is part of a value); "
            "expected stdio, e.g. stdio:"
        )

    def test_unknownType(self) -> None:
        """
        An unknown type is named, with the types there are.
        """
        assert serverError("foo:1") == (
            "bad server endpoint description 'foo:1': unknown endpoint type 'foo'; expected "
            "one of ssl, stdio, systemd, tcp, tcp6, unix, e.g. tcp:8080:interface=127.0.0.1"
        )

    def test_bareNumber(self) -> None:
        """
        A bare port number is refused, as in Twisted, saying what to write.
        """
        assert serverError("8080") == (
            "bad server endpoint description '8080': it has no endpoint type; to listen on "
            "TCP port 8080, write tcp:8080"
        )

    @pytest.mark.parametrize("description", ["", ":8080"])
    def test_noType(self, description: str) -> None:
        """
        A description without a type says what the form is.
        """
        assert serverError(description) == (
            f"bad server endpoint description {description!r}: it has no endpoint type; "
            "expected TYPE:ARGUMENTS, e.g. tcp:8080:interface=127.0.0.1"
        )

    def test_loneBackslash(self) -> None:
        """
        A description ending in a lone backslash says how to escape.
        """
        assert serverError("tcp:80\\") == (
            "bad server endpoint description 'tcp:80\\\\': it ends with a lone backslash; "
            "write \\\\ for a backslash, \\: for a colon and \\= for an equals sign"
        )

    def test_emptyKeyword(self) -> None:
        """
        An argument starting with C{=} has no keyword name.
        """
        assert serverError("tcp:=3:80") == (
            "bad server endpoint description 'tcp:=3:80': the argument '=3' has no keyword "
            "name before '='; write \\= for a plain equals sign"
        )

    def test_notText(self) -> None:
        """
        A description must be text; bytes raise TypeError saying so.
        """
        with pytest.raises(TypeError, match=r"^an endpoint description is a str, not bytes"):
            serverFromString(MemoryReactor(), b"tcp:80")  # type: ignore[arg-type]


class SyntaxTests:
    """
    How a description is split into its type and arguments.
    """

    @pytest.mark.parametrize(
        ("description", "split"),
        [
            ("tcp:80", ("tcp", ["80"], {})),
            ("a:b\\:c:d=e\\=f:g\\\\h", ("a", ["b:c", "g\\h"], {"d": "e=f"})),
            ("a:b=c=d", ("a", [], {"b": "c=d"})),
            ("a::b", ("a", ["", "b"], {})),
            ("a:k\\=x=v", ("a", [], {"k=x": "v"})),
            ("a=b:c", ("a=b", ["c"], {})),
            ("a\\:b:c", ("a:b", ["c"], {})),
            ("a:\\q", ("a", ["q"], {})),
            ("a:x=", ("a", [], {"x": ""})),
        ],
    )
    def test_split(self, description: str, split: tuple[Any, ...]) -> None:
        """
        Arguments are split at unescaped colons, keywords at their first
        unescaped equals sign; a backslash makes any next character plain;
        the type's own C{=} is not special.
        """
        assert _split(description) == split

    @given(st.text())
    def test_quoteRoundTrip(self, argument: str) -> None:
        """
        Any text quoted with L{quoteStringArgument} comes back whole, as a
        positional argument and as a keyword value.
        """
        quoted = quoteStringArgument(argument)
        assert _split(f"t:{quoted}:k={quoted}") == ("t", [argument], {"k": argument})

    @given(st.text(alphabet=st.sampled_from("tcp6unixsd:=\\01.a"), max_size=30) | st.text())
    def test_garbage(self, description: str) -> None:
        """
        Any text gives an endpoint or a ValueError saying it is a bad
        description, never another exception.
        """
        for make, side in ((serverFromString, "server"), (clientFromString, "client")):
            try:
                make(MemoryReactor(), description)
            except ValueError as e:
                assert str(e).startswith(f"bad {side} endpoint description {description!r}: ")

    def test_quoteExample(self) -> None:
        """
        L{quoteStringArgument} escapes backslashes, colons and equals signs.
        """
        assert quoteStringArgument("C:\\dir=x") == "C\\:\\\\dir\\=x"

    def test_quotedPathListens(self) -> None:
        """
        A path quoted into a description reaches C{listenUNIX} unchanged.
        """
        path = "/tmp/we:ird=na\\me"
        _, made = listened("unix:" + quoteStringArgument(path) + ":lockfile=0")
        assert made == (path, 50, 0o666, False)


class ClientTests:
    """
    L{clientFromString}: the C{tcp}, C{tcp6} and C{unix} client types.
    """

    @pytest.mark.parametrize(
        ("description", "kind", "call"),
        [
            ("tcp:example.org:80", TCP4ClientEndpoint, ("example.org", 80, 30, None)),
            ("tcp:host=example.org:port=80", TCP4ClientEndpoint, ("example.org", 80, 30, None)),
            ("tcp:host=example.org:80", TCP4ClientEndpoint, ("example.org", 80, 30, None)),
            ("tcp:port=80:example.org", TCP4ClientEndpoint, ("example.org", 80, 30, None)),
            ("tcp:example.org:80:timeout=5", TCP4ClientEndpoint, ("example.org", 80, 5, None)),
            ("tcp:example.org:80:timeout=2.5", TCP4ClientEndpoint, ("example.org", 80, 2.5, None)),
            (
                "tcp:example.org:80:bindAddress=10.0.0.1",
                TCP4ClientEndpoint,
                ("example.org", 80, 30, ("10.0.0.1", 0)),
            ),
            ("TCP:127.0.0.1:1", TCP4ClientEndpoint, ("127.0.0.1", 1, 30, None)),
            ("tcp6:\\:\\:1:80", TCP6ClientEndpoint, ("::1", 80, 30, None)),
            ("tcp6:host=\\:\\:1:port=80:timeout=3", TCP6ClientEndpoint, ("::1", 80, 3, None)),
        ],
    )
    def test_tcp(self, description: str, kind: type, call: tuple[Any, ...]) -> None:
        """
        C{tcp:} (and C{tcp6:}, which Twisted lacks) makes a TCP client
        endpoint calling C{connectTCP} with the host, port, timeout and
        bind address described.
        """
        endpoint, made = connected(description)
        assert type(endpoint) is kind
        assert made == call

    @pytest.mark.parametrize(
        ("description", "call"),
        [
            ("unix:/run/app.sock", ("/run/app.sock", 30, False)),
            ("unix:path=/run/app.sock:timeout=3", ("/run/app.sock", 3, False)),
            ("unix:/run/app.sock:checkPID=1", ("/run/app.sock", 30, True)),
            ("unix:/run/app.sock:lockfile=1", ("/run/app.sock", 30, True)),
        ],
    )
    def test_unix(self, description: str, call: tuple[Any, ...]) -> None:
        """
        C{unix:} makes a L{UNIXClientEndpoint}; C{lockfile} is another name
        for C{checkPID}, as in Twisted.
        """
        endpoint, made = connected(description)
        assert type(endpoint) is UNIXClientEndpoint
        assert made == call

    @pytest.mark.parametrize(
        ("description", "problem"),
        [
            ("tcp", "HOST (host) is missing"),
            ("tcp:example.org", "PORT (port) is missing"),
            ("tcp::80", "host '' is empty"),
            (
                "tcp:example.org:http",
                "port 'http' is not a port number (a whole number from 0 to 65535)",
            ),
            ("tcp:example.org:80:timeout=soon", "timeout 'soon' is not a number of seconds"),
            ("tcp:example.org:80:timeout=0", "timeout '0' is not a number of seconds above 0"),
            ("tcp:example.org:80:timeout=inf", "timeout 'inf' is not a number of seconds above 0"),
            ("tcp:example.org:80:timeout=nan", "timeout 'nan' is not a number of seconds above 0"),
            (
                "tcp:example.org:80:bindaddress=x",
                "unknown keyword 'bindaddress' (did you mean 'bindAddress'?): tcp takes host, "
                "port, timeout, bindAddress",
            ),
            (
                "tcp:example.org:80:30",
                "unexpected argument '30': tcp takes at most 2 positional arguments (host, "
                "port) (write \\: for a colon that is part of a value)",
            ),
        ],
    )
    def test_tcpBad(self, description: str, problem: str) -> None:
        """
        A bad C{tcp:} client description names the bad part and shows the
        expected form.
        """
        assert clientError(description) == (
            f"bad client endpoint description {description!r}: {problem}; "
            f"expected {CLIENT_TCP_USAGE}"
        )

    @pytest.mark.parametrize(
        ("description", "problem"),
        [
            ("unix", "PATH (path) is missing"),
            ("unix:/x:checkPID=2", "checkPID '2' is not 1 or 0 (yes or no)"),
            (
                "unix:/x:y",
                "unexpected argument 'y': unix takes at most 1 positional argument (path) "
                "(write \\: for a colon that is part of a value)",
            ),
        ],
    )
    def test_unixBad(self, description: str, problem: str) -> None:
        """
        A bad C{unix:} client description names the bad part and shows the
        expected form.
        """
        assert clientError(description) == (
            f"bad client endpoint description {description!r}: {problem}; "
            f"expected {CLIENT_UNIX_USAGE}"
        )

    def test_unknownType(self) -> None:
        """
        An unknown client type is named, with the client types there are.
        """
        assert clientError("ssh:host") == (
            "bad client endpoint description 'ssh:host': unknown endpoint type 'ssh'; "
            "expected one of ssl, tcp, tcp6, tls, unix, e.g. tcp:example.org:80"
        )

    def test_bareNumber(self) -> None:
        """
        A bare port number says what to write instead.
        """
        assert clientError("80") == (
            "bad client endpoint description '80': it has no endpoint type; to connect to "
            "TCP port 80, write tcp:HOST:80"
        )

    def test_serverOnlyType(self) -> None:
        """
        A server-only type is unknown to clients.
        """
        assert "unknown endpoint type 'systemd'" in clientError("systemd:domain=INET:index=0")


class SystemdTests:
    """
    The C{systemd} server type, with the environment and first descriptor
    given to the parser (so descriptor 3 of the test process is left
    alone).
    """

    def parser(self, environ: dict[str, str], start: int = 3) -> _SystemdParser:
        """
        A systemd parser reading C{environ}.
        """
        return _SystemdParser(environ=environ, start=start)

    def environ(self, count: int, names: str | None = None) -> dict[str, str]:
        """
        The variables systemd sets when passing C{count} sockets to this
        process.
        """
        made = {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": str(count)}
        if names is not None:
            made["LISTEN_FDNAMES"] = names
        return made

    @pytest.mark.parametrize(
        ("kwargs", "fileno", "family"),
        [
            ({"domain": "INET", "index": "0"}, 10, socket.AF_INET),
            ({"domain": "INET6", "index": "2"}, 12, socket.AF_INET6),
            ({"domain": "UNIX", "name": "web"}, 11, socket.AF_UNIX),
            ({"domain": "inet", "name": "api"}, 10, socket.AF_INET),
        ],
    )
    def test_choose(self, kwargs: dict[str, str], fileno: int, family: int) -> None:
        """
        The socket is chosen by index or by name (LISTEN_FDNAMES), and
        adopted with the family C{domain} names (in any case).
        """
        parser = self.parser(self.environ(3, "api:web:other"), start=10)
        endpoint = parser.parseStreamServer(MemoryReactor(), **kwargs)
        assert isinstance(endpoint, AdoptedStreamServerEndpoint)
        assert (endpoint.fileno, endpoint.addressFamily) == (fileno, family)

    def test_positional(self) -> None:
        """
        As in Twisted, domain, index and name may be given by position.
        """
        endpoint = self.parser(self.environ(1)).parseStreamServer(MemoryReactor(), "INET", "0")
        assert isinstance(endpoint, AdoptedStreamServerEndpoint)
        assert endpoint.fileno == 3

    def test_throughServerFromString(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        C{serverFromString} uses the built-in systemd parser, which reads
        the environment each time (here set with monkeypatch).
        """
        monkeypatch.setenv("LISTEN_PID", str(os.getpid()))
        monkeypatch.setenv("LISTEN_FDS", "2")
        monkeypatch.setenv("LISTEN_FDNAMES", "a:b")
        reactor = MemoryReactor()
        endpoint = serverFromString(reactor, "systemd:domain=INET6:name=b")
        assert isinstance(endpoint, AdoptedStreamServerEndpoint)
        assert (endpoint.fileno, endpoint.addressFamily) == (4, socket.AF_INET6)

    @pytest.mark.parametrize(
        ("environ", "description", "problem"),
        [
            (
                {},
                "systemd:domain=INET:index=0",
                "index=0: systemd passed no socket: LISTEN_PID and LISTEN_FDS are not set: "
                "systemd did not start this process with sockets (see systemd.socket(5))",
            ),
            (
                {"LISTEN_PID": "1", "LISTEN_FDS": "1"},
                "systemd:domain=INET:index=0",
                f"index=0: systemd passed no socket: LISTEN_PID is 1, not this process "
                f"({os.getpid()}): the sockets were passed to another process",
            ),
            (
                {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "x"},
                "systemd:domain=INET:name=web",
                f"name=web: systemd passed no socket: LISTEN_PID ('{os.getpid()}') and "
                "LISTEN_FDS ('x') must be whole numbers",
            ),
            (
                {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "0"},
                "systemd:domain=INET:index=0",
                "index=0: systemd passed no socket: LISTEN_FDS is 0: systemd passed no socket",
            ),
            (
                {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "2"},
                "systemd:domain=INET:index=2",
                "index=2 is out of range: systemd passed 2 socket(s), index 0 to 1",
            ),
            (
                {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "2", "LISTEN_FDNAMES": "a:b"},
                "systemd:domain=INET:name=c",
                "name=c: systemd passed no socket of that name (its names: 'a', 'b')",
            ),
            (
                {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "1"},
                "systemd:domain=INET",
                "give the socket's index=N or its name=NAME (exactly one of them)",
            ),
            (
                {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "1"},
                "systemd:domain=INET:index=0:name=a",
                "give the socket's index=N or its name=NAME (exactly one of them)",
            ),
            ({}, "systemd:index=0", "INET|INET6|UNIX (domain) is missing"),
            ({}, "systemd:domain=IPX:index=0", "domain 'IPX' is not one of INET, INET6 or UNIX"),
            ({}, "systemd:domain=INET:index=-1", "index '-1' is not a whole number"),
        ],
    )
    def test_bad(
        self,
        monkeypatch: pytest.MonkeyPatch,
        environ: dict[str, str],
        description: str,
        problem: str,
    ) -> None:
        """
        A systemd description that chooses no passed socket says why: no
        variables, sockets for another process, malformed variables, an
        index out of range, an unknown name, both or neither of index and
        name, a bad domain.
        """
        parser = next(p for p in SERVER_PARSERS if p.prefix == "systemd")
        monkeypatch.setattr(parser, "environ", environ)
        assert serverError(description) == (
            f"bad server endpoint description {description!r}: {problem}; expected {SYSTEMD_USAGE}"
        )

    def test_listenFDsNames(self) -> None:
        """
        Without LISTEN_FDNAMES (or with a wrong count of names), every
        socket is named C{unknown}, as systemd documents.
        """
        passed = ListenFDs.fromEnvironment(self.environ(2), start=3)
        assert passed.names() == ["unknown", "unknown"]
        assert passed.inheritedNamedDescriptors() == {"unknown": 3}
        passed = ListenFDs.fromEnvironment(self.environ(2, "one"), start=3)
        assert passed.names() == ["unknown", "unknown"]
        assert ListenFDs.fromEnvironment(self.environ(2, "x:y")).inheritedDescriptors() == [3, 4]

    def test_listenFDsDefaultsToOSEnviron(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        L{ListenFDs.fromEnvironment} reads C{os.environ} and starts at 3 by
        default.
        """
        monkeypatch.setenv("LISTEN_PID", str(os.getpid()))
        monkeypatch.setenv("LISTEN_FDS", "1")
        monkeypatch.delenv("LISTEN_FDNAMES", raising=False)
        assert ListenFDs.fromEnvironment().inheritedDescriptors() == [3]


class ParserObjectsTests:
    """
    The built-in parsers are objects providing the plugin interfaces, found
    through C{_parsersFor}.
    """

    def test_serverParsers(self) -> None:
        """
        Each built-in server parser provides
        L{IStreamServerEndpointStringParser}, and its endpoints provide
        L{IStreamServerEndpoint}.
        """
        prefixes = []
        for parser in _parsersFor(IStreamServerEndpointStringParser):
            assert verifyObject(IStreamServerEndpointStringParser, parser)
            prefixes.append(parser.prefix)
        assert prefixes == ["tcp", "tcp6", "unix", "systemd", "stdio", "ssl"]
        for description in ("tcp:1", "tcp6:1", "unix:/x", "stdio:"):
            assert verifyObject(IStreamServerEndpoint, serverFromString(None, description))

    def test_clientParsers(self) -> None:
        """
        Each built-in client parser provides
        L{IStreamClientEndpointStringParserWithReactor}, and its endpoints
        provide L{IStreamClientEndpoint}.
        """
        prefixes = []
        for parser in _parsersFor(IStreamClientEndpointStringParserWithReactor):
            assert verifyObject(IStreamClientEndpointStringParserWithReactor, parser)
            prefixes.append(parser.prefix)
        assert prefixes == ["tcp", "tcp6", "unix", "ssl", "tls"]
        for description in ("tcp:h:1", "tcp6:h:1", "unix:/x", "ssl:h:1", "tls:h:1"):
            assert verifyObject(IStreamClientEndpoint, clientFromString(None, description))

    def test_parsersForOtherInterface(self) -> None:
        """
        C{_parsersFor} refuses an interface that has no parsers.
        """
        with pytest.raises(TypeError, match=r"^there are no endpoint description parsers for"):
            _parsersFor(IStreamServerEndpoint)

    def test_pluginPoint(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        A parser that C{_parsersFor} returns after the built-in ones adds a
        type (compared without regard to case), getting the reactor and the
        unescaped arguments; a built-in type of the same name wins.
        """
        seen: list[tuple[Any, tuple[str, ...], dict[str, str]]] = []

        class Plugin:
            prefix = "Memory"

            def parseStreamServer(self, reactor: Any, *args: str, **kwargs: str) -> Any:
                seen.append((reactor, args, kwargs))
                return "made"

        class Impostor:
            prefix = "tcp"

            def parseStreamServer(self, reactor: Any, *args: str, **kwargs: str) -> Any:
                raise AssertionError("a built-in type must win")

        builtIn = _parsersFor

        def withPlugins(interface: Any) -> list[Any]:
            found = builtIn(interface)
            if interface is IStreamServerEndpointStringParser:
                found += [Plugin(), Impostor()]
            return found

        monkeypatch.setattr(_endpointsstrings, "_parsersFor", withPlugins)
        reactor = MemoryReactor()
        made: Any = serverFromString(reactor, "memory:a\\:b:k=v")
        assert made == "made"
        assert seen == [(reactor, ("a:b",), {"k": "v"})]
        assert type(serverFromString(reactor, "tcp:1")) is TCP4ServerEndpoint
        assert re.search("one of memory, ssl, stdio, systemd, tcp, tcp6, unix", serverError("x:1"))

    def test_pluginErrorsPassThrough(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        What a plugin's parser raises reaches the caller unchanged.
        """

        class Plugin:
            prefix = "broken"

            def parseStreamClient(self, reactor: Any, *args: str, **kwargs: str) -> Any:
                raise KeyError("plugin's own")

        monkeypatch.setattr(
            _endpointsstrings, "_parsersFor", lambda interface: [*CLIENT_PARSERS, Plugin()]
        )
        with pytest.raises(KeyError, match="plugin's own"):
            clientFromString(MemoryReactor(), "broken:")


def test_dropInPluginParser(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """
    A module dropped into a C{torsion/plugins} directory with an object
    providing L{IStreamServerEndpointStringParser} adds its description type
    to L{serverFromString}.
    """
    import sys

    import torsion.plugins

    module = "torsion_test_dropin_endpoint"
    (tmp_path / f"{module}.py").write_text(
        "from zope.interface import implementer\n"
        "from torsion.internet.interfaces import IStreamServerEndpointStringParser\n"
        "from torsion.plugin import IPlugin\n"
        "@implementer(IPlugin, IStreamServerEndpointStringParser)\n"
        "class Parser:\n"
        "    prefix = 'dropin'\n"
        "    def parseStreamServer(self, reactor, *args, **kwargs):\n"
        "        return ('dropin', args, kwargs)\n"
        "parser = Parser()\n"
    )
    monkeypatch.setattr(torsion.plugins, "__path__", [*torsion.plugins.__path__, str(tmp_path)])
    try:
        made: Any = serverFromString(MemoryReactor(), "dropin:x:y=z")
    finally:
        sys.modules.pop(f"torsion.plugins.{module}", None)
    assert made == ("dropin", ("x",), {"y": "z"})
