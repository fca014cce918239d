"""
A TCP port forwarder: every connection to the listening port is relayed,
both ways, to another host and port.

Run: python examples/port_forwarder.py --listen PORT --to HOST:PORT
                                       [--interface ADDRESS] [--timeout SECONDS]

It prints `forwarding ADDRESS:PORT to HOST:PORT` once it listens (with
--listen 0 the system picks a free port, and that line says which), then
forwards until Ctrl-C or SIGTERM.  Flow control works both ways: a side
that reads slowly makes the forwarder stop reading from the other side, so
a fast sender cannot fill the forwarder's memory.  When either side closes,
so does the other.  A connection with no traffic for --timeout seconds is
closed (TimeoutFactory).

For example, in front of examples/echo_server.py:

    python examples/echo_server.py --port 8007 &
    python examples/port_forwarder.py --listen 9000 --to 127.0.0.1:8007 &
    python examples/echo_client.py --port 9000 hello there

Written as a Twisted program would be: rename `torsion` to `twisted` in the
imports and it runs the same.
"""

from __future__ import annotations

import argparse

from torsion.protocols.policies import TimeoutFactory
from torsion.protocols.portforward import ProxyFactory


def hostAndPort(text: str) -> tuple[str, int]:
    """
    Parse C{HOST:PORT} (C{[V6ADDRESS]:PORT} for an IPv6 address).

    @raise argparse.ArgumentTypeError: If C{text} is not of that form.
    """
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(
            f"expected HOST:PORT with a port from 1 to 65535, such as 127.0.0.1:8007, not {text!r}"
        )
    return host.strip("[]"), int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description="Forward TCP connections to HOST:PORT.")
    parser.add_argument("--listen", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--to", type=hostAndPort, required=True, metavar="HOST:PORT")
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--timeout", type=float, default=300.0, help="idle seconds allowed")
    options = parser.parse_args()
    host, port = options.to

    from torsion.internet import reactor

    proxy = ProxyFactory(host, port)
    proxy.noisy = False
    factory = TimeoutFactory(proxy, options.timeout)
    factory.noisy = False
    listening = reactor.listenTCP(options.listen, factory, interface=options.interface)
    address = listening.getHost()
    print(f"forwarding {address.host}:{address.port} to {host}:{port}", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
