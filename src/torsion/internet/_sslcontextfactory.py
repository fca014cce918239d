# The legacy context factories of torsion.internet.ssl: objects whose
# getContext() returns one ssl.SSLContext for every connection.
# ContextFactory is the base; DefaultOpenSSLContextFactory serves a key and
# certificate read from files; ClientContextFactory verifies servers against
# the platform's trust store and (unlike Twisted's) checks host names, the
# TLS protocol supplying the name given to reactor.connectSSL.
from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

from zope.interface import implementer

from torsion.internet._itls import (
    IOpenSSLContextFactory,
)
from torsion.internet._sslcert import (
    Certificate,
    KeyPair,
    rememberHostCertificate,
)
from torsion.internet._sslsettings import (
    SSLv23_METHOD,
    _methodVersions,
    _newContext,
    platformTrust,
)

# --- legacy context factories ----------------------------------------------


@implementer(IOpenSSLContextFactory)
class ContextFactory:
    """
    The base of old-style context factories: subclasses return an
    C{ssl.SSLContext} from L{getContext}.
    """

    isClient = 0

    def getContext(self) -> ssl.SSLContext:
        """
        @return: The context for a connection.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement getContext()")


class DefaultOpenSSLContextFactory(ContextFactory):
    """
    A server context from a private key file and a certificate file (PEM).
    """

    _context: ssl.SSLContext | None = None

    def __init__(
        self, privateKeyFileName: str, certificateFileName: str, sslmethod: int | None = None
    ) -> None:
        """
        @param privateKeyFileName: A PEM file holding the private key.
        @param certificateFileName: A PEM file holding the certificate,
            optionally followed by intermediates.
        @param sslmethod: As C{method} of L{CertificateOptions}.
        @raise OSError: If a file cannot be read.
        @raise ValueError: If a file's contents are wrong; the message names
            the file.
        """
        self.privateKeyFileName = privateKeyFileName
        self.certificateFileName = certificateFileName
        self.sslmethod = SSLv23_METHOD if sslmethod is None else sslmethod
        self.cacheContext()

    def cacheContext(self) -> None:
        """
        Build the context from the files now.
        """
        if self._context is not None:
            return
        low, high = _methodVersions(self.sslmethod, "DefaultOpenSSLContextFactory")
        key = _readFile(self.privateKeyFileName, "private key", KeyPair.loadPEM)
        certificate = _readFile(self.certificateFileName, "certificate", Certificate.loadPEM)
        context = _newContext(ssl.PROTOCOL_TLS_SERVER, low, high)
        context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
        try:
            context.load_cert_chain(self.certificateFileName, self.privateKeyFileName)
        except ssl.SSLError as e:
            raise ValueError(
                f"the private key in {self.privateKeyFileName!r} ({key!r}) and the certificate "
                f"in {self.certificateFileName!r} ({certificate!r}) cannot be used together: "
                f"{e.reason or e}"
            ) from None
        rememberHostCertificate(context, certificate)
        self._context = context

    def getContext(self) -> ssl.SSLContext:
        """
        @return: The server context.
        """
        self.cacheContext()
        assert self._context is not None
        return self._context


def _readFile(path: str, what: str, parse: Callable[[bytes], Any]) -> Any:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise type(e)(e.errno, f"cannot read the {what} file: {e.strerror}", path) from None
    try:
        return parse(data)
    except ValueError as e:
        raise ValueError(f"{path!r} is not a usable {what} file: {e}") from None


class ClientContextFactory(ContextFactory):
    """
    An old-style client context factory that, unlike Twisted's, verifies
    the server: its chain against the platform's authorities and its host
    name against the name given to C{connectSSL}.
    """

    isClient = 1
    method = SSLv23_METHOD
    _context: ssl.SSLContext | None = None

    def getContext(self) -> ssl.SSLContext:
        """
        @return: A cached client context with C{check_hostname=True} and
            C{verify_mode=CERT_REQUIRED}, trusting L{platformTrust}().
        """
        if self._context is None:
            low, high = _methodVersions(self.method, "ClientContextFactory")
            context = _newContext(ssl.PROTOCOL_TLS_CLIENT, low, high)
            platformTrust()._addCACertsToContext(context)
            self._context = context
        return self._context
