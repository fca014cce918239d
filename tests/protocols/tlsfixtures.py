"""
Certificates and TLS settings shared by the TLS tests: one test CA (made
with trustme), a certificate for C{example.test}, and old-style context
factories (C{getContext()} returning a standard library C{ssl.SSLContext}).
"""

from __future__ import annotations

import ssl
from functools import cache

import trustme

HOSTNAME = "example.test"


@cache
def authority() -> trustme.CA:
    """
    @return: The test CA (made once per test run).
    """
    return trustme.CA()


@cache
def serverCertificate() -> trustme.LeafCert:
    """
    @return: A certificate for L{HOSTNAME} and 127.0.0.1, signed by
        L{authority}.
    """
    return authority().issue_cert(HOSTNAME, "127.0.0.1")


class ServerContextFactory:
    """
    A server's TLS settings: L{serverCertificate}, TLS 1.2 or later.
    """

    def __init__(self, alpn: list[str] | None = None) -> None:
        self.alpn = alpn

    def getContext(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        serverCertificate().configure_cert(context)
        if self.alpn:
            context.set_alpn_protocols(self.alpn)
        return context


class ClientContextFactory:
    """
    A client's TLS settings: trusts L{authority}, checks host names.
    """

    def __init__(self, trusted: bool = True) -> None:
        self.trusted = trusted

    def getContext(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.trusted:
            authority().configure_trust(context)
        return context


__all__ = ["HOSTNAME", "ClientContextFactory", "ServerContextFactory", "authority"]
