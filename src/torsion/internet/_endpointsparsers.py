# The built-in endpoint description types, as parser objects providing the
# same interfaces a plugin would (IStreamServerEndpointStringParser,
# IStreamClientEndpointStringParserWithReactor).
#
# Each parser is a _Signature (_endpointsdescription.py: the arguments it
# takes, in Twisted's positional order, and how to convert them) plus a
# function from the converted values to an endpoint.  The types:
#   server  tcp:PORT[:interface=][:backlog=]          TCP4ServerEndpoint
#           tcp6:PORT[:backlog=][:interface=]         TCP6ServerEndpoint
#           unix:ADDRESS[:mode=][:backlog=][:lockfile=]  UNIXServerEndpoint
#           systemd:domain=[:index=|:name=]           AdoptedStreamServerEndpoint
#           stdio:                                    StandardIOEndpoint
#           ssl:PORT[:privateKey=][:certKey=]...      SSL4ServerEndpoint
#   client  tcp:HOST:PORT[:timeout=][:bindAddress=]   TCP4ClientEndpoint
#           tcp6:HOST:PORT[:timeout=][:bindAddress=]  TCP6ClientEndpoint (not in Twisted)
#           unix:PATH[:timeout=][:checkPID=]          UNIXClientEndpoint
#           ssl:HOST:PORT[:caCertsDir=]...            SSL4ClientEndpoint
#           tls:HOST:PORT[:trustRoots=]...            wrapClientTLS(HostnameEndpoint)
# The TLS types' signatures and the functions making their endpoints (which
# read the key and certificate files) are in _endpointstlsparsers.py.
# As in Twisted, a UNIX server made from a description holds a lock file
# unless lockfile=0, and the systemd type reads the environment each time a
# description is parsed (so a test can set it), from a ListenFDs source the
# test can replace (`environ`, `start`).
from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import Any

from zope.interface import implementer

from torsion.internet import _endpointsdescription as d
from torsion.internet import _endpointstlsparsers as tls
from torsion.internet._endpointsbasic import (
    AdoptedStreamServerEndpoint,
    StandardIOEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    TCP6ClientEndpoint,
    TCP6ServerEndpoint,
    UNIXClientEndpoint,
    UNIXServerEndpoint,
)
from torsion.internet._endpointsdescription import _Param, _Signature
from torsion.internet._endpointssystemd import ListenFDs
from torsion.internet._iendpoints import (
    IStreamClientEndpointStringParserWithReactor,
    IStreamServerEndpointStringParser,
)
from torsion.internet._ireactornet import IStreamClientEndpoint, IStreamServerEndpoint

_Make = Callable[..., Any]


class _Parser:
    """
    A built-in description type: a signature and the function that makes
    the endpoint from the converted arguments.
    """

    _side = ""

    def __init__(self, signature: _Signature, make: _Make) -> None:
        self.prefix = signature.prefix
        self.signature = signature
        self._make = make

    def _build(self, reactor: Any, args: tuple[str, ...], kwargs: dict[str, str]) -> Any:
        """
        The endpoint of the parse methods below.

        @raise ValueError: If the arguments do not fit the signature.
        """
        return self._make(reactor, **self.signature.bind(args, kwargs))

    def __repr__(self) -> str:
        return f"<{self._side} endpoint parser {self.prefix!r}>"


@implementer(IStreamServerEndpointStringParser)
class _ServerParser(_Parser):
    """
    A built-in server description type.
    """

    _side = "server"

    def parseStreamServer(self, reactor: Any, *args: str, **kwargs: str) -> IStreamServerEndpoint:
        """
        Make the endpoint the arguments describe.

        @raise ValueError: If they do not fit this type.
        """
        endpoint: IStreamServerEndpoint = self._build(reactor, args, kwargs)
        return endpoint


@implementer(IStreamClientEndpointStringParserWithReactor)
class _ClientParser(_Parser):
    """
    A built-in client description type.
    """

    _side = "client"

    def parseStreamClient(self, reactor: Any, *args: str, **kwargs: str) -> IStreamClientEndpoint:
        """
        Make the endpoint the arguments describe.

        @raise ValueError: If they do not fit this type.
        """
        endpoint: IStreamClientEndpoint = self._build(reactor, args, kwargs)
        return endpoint


# -- servers -------------------------------------------------------------------

_tcpServer = _ServerParser(
    _Signature(
        "tcp",
        [
            _Param("port", "PORT", d.port),
            _Param("interface", "ADDRESS", d.text, ""),
            _Param("backlog", "N", d.count, 50),
        ],
        "tcp:8080:interface=127.0.0.1",
    ),
    TCP4ServerEndpoint,
)

_tcp6Server = _ServerParser(
    _Signature(
        "tcp6",
        [
            _Param("port", "PORT", d.port),
            _Param("backlog", "N", d.count, 50),
            _Param("interface", "ADDRESS", d.text, "::"),
        ],
        "tcp6:8080:interface=\\:\\:1",
    ),
    TCP6ServerEndpoint,
)


def _unixServer(
    reactor: Any, address: str, mode: int, backlog: int, lockfile: bool
) -> UNIXServerEndpoint:
    return UNIXServerEndpoint(reactor, address, backlog=backlog, mode=mode, wantPID=lockfile)


_unixServerParser = _ServerParser(
    _Signature(
        "unix",
        [
            _Param("address", "PATH", d.nonEmpty),
            _Param("mode", "OCTAL", d.octal, 0o666),
            _Param("backlog", "N", d.count, 50),
            _Param("lockfile", "0|1", d.flag, True),
        ],
        "unix:/run/app.sock:mode=660",
    ),
    _unixServer,
)

_FAMILIES = {
    "INET": socket.AF_INET,
    "INET6": socket.AF_INET6,
    "UNIX": socket.AF_UNIX,
}


def _domain(text: str) -> socket.AddressFamily:
    try:
        return _FAMILIES[text.upper()]
    except KeyError:
        raise ValueError("is not one of INET, INET6 or UNIX") from None


@implementer(IStreamServerEndpointStringParser)
class _SystemdParser:
    """
    The C{systemd} type: a listening socket passed by systemd (socket
    activation), chosen by its index or its name.

    @ivar environ: The environment to read; L{None} for C{os.environ}.
    @ivar start: The first passed descriptor; L{None} for 3.
    """

    prefix = "systemd"

    def __init__(self, environ: Mapping[str, str] | None = None, start: int | None = None) -> None:
        self.environ = environ
        self.start = start
        self.signature = _Signature(
            "systemd",
            [
                _Param("domain", "INET|INET6|UNIX", _domain, named=True),
                _Param("index", "N", d.count, None),
                _Param("name", "NAME", d.nonEmpty, None),
            ],
            "systemd:domain=INET:index=0",
        )

    def parseStreamServer(self, reactor: Any, *args: str, **kwargs: str) -> IStreamServerEndpoint:
        """
        Make an endpoint adopting the socket the arguments choose.

        @raise ValueError: If they do not fit this type, or systemd passed
            no such socket.
        """
        values = self.signature.bind(args, kwargs)
        index, name = values["index"], values["name"]
        if (index is None) == (name is None):
            raise self.signature.fail(
                "give the socket's index=N or its name=NAME (exactly one of them)"
            )
        passed = ListenFDs.fromEnvironment(self.environ, self.start)
        descriptors = passed.inheritedDescriptors()
        if not descriptors:
            chosen = f"index={index}" if name is None else f"name={name}"
            raise self.signature.fail(f"{chosen}: systemd passed no socket: {passed.reason}")
        if name is None:
            if index >= len(descriptors):
                raise self.signature.fail(
                    f"index={index} is out of range: systemd passed "
                    f"{len(descriptors)} socket(s), index 0 to {len(descriptors) - 1}"
                )
            fileno = descriptors[index]
        else:
            named = passed.inheritedNamedDescriptors()
            if name not in named:
                known = ", ".join(repr(n) for n in passed.names())
                raise self.signature.fail(
                    f"name={name}: systemd passed no socket of that name (its names: {known})"
                )
            fileno = named[name]
        return AdoptedStreamServerEndpoint(reactor, fileno, values["domain"])

    def __repr__(self) -> str:
        return "<server endpoint parser 'systemd'>"


_stdioServer = _ServerParser(
    _Signature("stdio", [], "stdio:"),
    StandardIOEndpoint,
)


# -- clients -------------------------------------------------------------------


def _clientTCPSignature(prefix: str, example: str) -> _Signature:
    return _Signature(
        prefix,
        [
            _Param("host", "HOST", d.nonEmpty),
            _Param("port", "PORT", d.port),
            _Param("timeout", "SECONDS", d.seconds, 30, positional=False),
            _Param("bindAddress", "ADDRESS", d.nonEmpty, None, positional=False),
        ],
        example,
    )


_tcpClient = _ClientParser(
    _clientTCPSignature("tcp", "tcp:example.org:80:timeout=10"), TCP4ClientEndpoint
)
_tcp6Client = _ClientParser(_clientTCPSignature("tcp6", "tcp6:\\:\\:1:80"), TCP6ClientEndpoint)


def _unixClient(
    reactor: Any, path: str, timeout: float, checkPID: bool, lockfile: bool
) -> UNIXClientEndpoint:
    return UNIXClientEndpoint(reactor, path, timeout=timeout, checkPID=checkPID or lockfile)


_unixClientParser = _ClientParser(
    _Signature(
        "unix",
        [
            _Param("path", "PATH", d.nonEmpty),
            _Param("timeout", "SECONDS", d.seconds, 30, positional=False),
            _Param("checkPID", "0|1", d.flag, False, positional=False),
            _Param("lockfile", "0|1", d.flag, False, positional=False),
        ],
        "unix:/run/app.sock:timeout=5",
    ),
    _unixClient,
)

# -- TLS -----------------------------------------------------------------------

_sslServer = _ServerParser(tls.SSL_SERVER, tls.sslServer)
_sslClient = _ClientParser(tls.SSL_CLIENT, tls.sslClient)
_tlsClient = _ClientParser(tls.TLS_CLIENT, tls.tlsClient)

SERVER_PARSERS: tuple[Any, ...] = (
    _tcpServer,
    _tcp6Server,
    _unixServerParser,
    _SystemdParser(),
    _stdioServer,
    _sslServer,
)
"""
The built-in server description types.
"""

CLIENT_PARSERS: tuple[Any, ...] = (
    _tcpClient,
    _tcp6Client,
    _unixClientParser,
    _sslClient,
    _tlsClient,
)
"""
The built-in client description types.
"""

__all__ = ["CLIENT_PARSERS", "SERVER_PARSERS"]
