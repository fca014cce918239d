# TLS settings for torsion.internet.ssl: CertificateOptions and
# optionsForClientTLS (versions, ciphers and trust roots are in
# _sslsettings.py, the legacy context factories in _sslcontextfactory.py).
#
# Everything here turns Twisted-shaped settings into ssl.SSLContext objects
# and hands the TLS protocol ssl.SSLObjects over its memory BIOs (see
# _itls.py for that contract).
#
# The standard library wants a context made for one side
# (PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER; the two-sided PROTOCOL_TLS is
# deprecated), while Twisted's CertificateOptions serves both.  So a
# CertificateOptions builds up to two contexts, lazily, and caches them:
# serverConnectionForTLS uses the server one, clientConnectionForTLS the
# client one, and getContext() returns the server one when a certificate is
# configured (what listenSSL needs) and the client one otherwise.
#
# Server name indication: when serverNames, sniCallback or
# contextForServerName is given, the server context gets an sni_callback
# that picks another context for the name the client sent and switches the
# SSLObject to it (SSLObject.context = ...).  A PrivateCertificate picked
# that way gets a context built from a copy of the same options with only
# the certificate replaced (cached per certificate); a CertificateOptions
# picked that way supplies its own server context.  OpenSSL keeps the first
# context's verification mode after the switch; certificate, key, chain,
# trust store and ALPN come from the chosen one.  An exception in a user
# callback is logged and aborts that handshake with an internal_error alert.
from __future__ import annotations

import copy
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

from zope.interface import implementer

from torsion.internet._itls import (
    IOpenSSLClientConnectionCreator,
    IOpenSSLContextFactory,
    IOpenSSLServerConnectionCreator,
)
from torsion.internet._sslcert import (
    Certificate,
    KeyPair,
    PrivateCertificate,
    loadCertificateChain,
)
from torsion.internet._sslsettings import (
    _DEFAULT_MINIMUM,
    AcceptableCiphers,
    DiffieHellmanParameters,
    OpenSSLCertificateAuthorities,
    TLSVersion,
    _certificates,
    _methodVersions,
    _newContext,
    _stdlibVersion,
    _trustRoot,
    platformTrust,
)
from torsion.logger import Logger

_log = Logger()


# --- CertificateOptions ----------------------------------------------------

_ServerChoice = Union[PrivateCertificate, "CertificateOptions"]


@implementer(
    IOpenSSLContextFactory, IOpenSSLServerConnectionCreator, IOpenSSLClientConnectionCreator
)
class CertificateOptions:
    """
    TLS settings for servers, and for clients that do not check host names.

    As in Twisted, a client made from these settings verifies the server's
    certificate chain only when C{verify} (or C{trustRoot}) is given, and
    never checks the host name: use L{optionsForClientTLS} for clients.
    """

    def __init__(
        self,
        privateKey: KeyPair | None = None,
        certificate: Certificate | None = None,
        method: int | None = None,
        verify: bool = False,
        caCerts: Sequence[Certificate] | None = None,
        verifyDepth: int = 9,
        requireCertificate: bool = True,
        verifyOnce: bool = True,
        enableSingleUseKeys: bool = True,
        enableSessions: bool = False,
        fixBrokenPeers: bool = False,
        enableSessionTickets: bool = False,
        extraCertChain: Sequence[Certificate] | None = None,
        acceptableCiphers: AcceptableCiphers | str | None = None,
        dhParameters: DiffieHellmanParameters | None = None,
        trustRoot: Any = None,
        acceptableProtocols: Sequence[bytes] | None = None,
        raiseMinimumTo: TLSVersion | None = None,
        insecurelyLowerMinimumTo: TLSVersion | None = None,
        lowerMaximumSecurityTo: TLSVersion | None = None,
        contextForServerName: Callable[[bytes | None], ssl.SSLContext | None] | None = None,
        *,
        serverNames: Mapping[str, _ServerChoice] | None = None,
        sniCallback: Callable[[str], _ServerChoice | None] | None = None,
    ) -> None:
        """
        @param privateKey: The L{KeyPair} of C{certificate}.
        @param certificate: The L{Certificate} to present.
        @param method: A pyOpenSSL method number: C{SSLv23_METHOD} or
            C{TLS_METHOD} (negotiate, the default) or C{TLSv1_2_METHOD}
            (TLS 1.2 only); older ones are refused.
        @param verify: Verify the peer's certificate against C{caCerts}.
        @param caCerts: L{Certificate}s of the authorities to trust.
        @param verifyDepth: Accepted for compatibility; OpenSSL's limit holds.
        @param requireCertificate: With C{verify} on a server: refuse clients
            that send no certificate (otherwise a certificate is optional,
            but checked when sent).
        @param verifyOnce: Accepted; renegotiation is disabled anyway.
        @param enableSingleUseKeys: Accepted; OpenSSL always uses fresh
            ephemeral keys.
        @param enableSessions: Allow session resumption (server side).
        @param fixBrokenPeers: Accepted; OpenSSL's bug workarounds are on.
        @param enableSessionTickets: Allow session tickets.
        @param extraCertChain: Intermediate L{Certificate}s sent after
            C{certificate}.
        @param acceptableCiphers: L{AcceptableCiphers} or an OpenSSL cipher
            string; by default the ssl module's secure list.
        @param dhParameters: L{DiffieHellmanParameters} for DHE suites.
        @param trustRoot: A L{Certificate}, L{platformTrust}() or
            L{trustRootFromCertificates}(...); implies verification with a
            required peer certificate.
        @param acceptableProtocols: ALPN protocol names, most preferred first,
            e.g. C{[b"h2", b"http/1.1"]}.
        @param raiseMinimumTo: Raise the minimum version above TLS 1.2.
        @param insecurelyLowerMinimumTo: Set the minimum version, even below
            TLS 1.2.
        @param lowerMaximumSecurityTo: Cap the maximum version.
        @param contextForServerName: Twisted's SNI hook: called with the name
            the client sent (bytes, or None) and returning the
            C{ssl.SSLContext} to switch to, or None.
        @param serverNames: (torsion) Server name to L{PrivateCertificate} or
            L{CertificateOptions}; a C{"*.example.com"} key matches one label.
        @param sniCallback: (torsion) Called with a name the client sent that
            C{serverNames} lacks; returns a L{PrivateCertificate}, a
            L{CertificateOptions}, or None for the default.
        @raise TypeError: For arguments of the wrong type, or that exclude
            each other.
        @raise ValueError: For inconsistent or insecure settings.
        """
        if privateKey is not None and not isinstance(privateKey, KeyPair):
            raise TypeError(
                f"privateKey must be a torsion KeyPair, not {type(privateKey).__name__}; "
                "for a PrivateCertificate pc pass privateKey=pc.privateKey, certificate=pc"
            )
        if certificate is not None and not isinstance(certificate, Certificate):
            raise TypeError(
                f"certificate must be a torsion Certificate, not {type(certificate).__name__}"
            )
        if (privateKey is None) != (certificate is None):
            raise ValueError("pass both privateKey and certificate, or neither")
        self.extraCertChain = _certificates(extraCertChain or (), "extraCertChain")
        if self.extraCertChain and certificate is None:
            raise ValueError("extraCertChain needs a privateKey and a certificate to follow")
        if privateKey is not None and certificate is not None:
            loadCertificateChain(
                ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER),
                certificate,
                privateKey,
                self.extraCertChain,
            )
        self.privateKey = privateKey
        self.certificate = certificate

        if trustRoot is not None:
            for name, given in (("verify", verify), ("caCerts", caCerts)):
                if given:
                    raise TypeError(f"pass trustRoot or {name}, not both")
            if not requireCertificate:
                raise TypeError("pass trustRoot or requireCertificate, not both")
            self.trustRoot: Any = _trustRoot(trustRoot)
            verify = True
        elif verify:
            if not caCerts:
                raise ValueError(
                    "verify=True needs the authorities to trust: pass caCerts=[...] or "
                    "trustRoot=platformTrust()"
                )
            self.trustRoot = OpenSSLCertificateAuthorities(caCerts)
        else:
            self.trustRoot = None
        self.verify = verify
        self.caCerts = _certificates(caCerts or (), "caCerts")
        self.requireCertificate = requireCertificate
        if verifyDepth < 0:
            raise ValueError(f"verifyDepth must not be negative, got {verifyDepth!r}")
        self.verifyDepth = verifyDepth
        self.verifyOnce = verifyOnce
        self.enableSingleUseKeys = enableSingleUseKeys
        self.enableSessions = enableSessions
        self.fixBrokenPeers = fixBrokenPeers
        self.enableSessionTickets = enableSessionTickets
        self.method = method

        self._minimumVersion, self._maximumVersion = self._versions(
            method, raiseMinimumTo, insecurelyLowerMinimumTo, lowerMaximumSecurityTo
        )
        if isinstance(acceptableCiphers, str):
            acceptableCiphers = AcceptableCiphers(acceptableCiphers)
        elif acceptableCiphers is not None and not isinstance(acceptableCiphers, AcceptableCiphers):
            raise TypeError(
                "acceptableCiphers takes an OpenSSL cipher string or "
                f"AcceptableCiphers, not {type(acceptableCiphers).__name__}"
            )
        self._acceptableCiphers = acceptableCiphers
        if dhParameters is not None and not isinstance(dhParameters, DiffieHellmanParameters):
            raise TypeError("dhParameters takes DiffieHellmanParameters.fromFile(path)")
        self.dhParameters = dhParameters
        self._acceptableProtocols = _alpnNames(acceptableProtocols)

        self._serverNames = _serverNames(serverNames or {})
        if sniCallback is not None and not callable(sniCallback):
            raise TypeError(f"sniCallback must be callable, not {sniCallback!r}")
        self._sniCallback = sniCallback
        self._contextForServerName = contextForServerName
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self._sniContexts: dict[PrivateCertificate, ssl.SSLContext] = {}

    @staticmethod
    def _versions(
        method: int | None,
        raiseMinimumTo: TLSVersion | None,
        insecurelyLowerMinimumTo: TLSVersion | None,
        lowerMaximumSecurityTo: TLSVersion | None,
    ) -> tuple[ssl.TLSVersion, ssl.TLSVersion | None]:
        given = {
            "raiseMinimumTo": raiseMinimumTo,
            "insecurelyLowerMinimumTo": insecurelyLowerMinimumTo,
            "lowerMaximumSecurityTo": lowerMaximumSecurityTo,
        }
        if method is not None:
            for name, value in given.items():
                if value is not None:
                    raise TypeError(f"pass method or {name}, not both (prefer {name})")
            return _methodVersions(method, "CertificateOptions")
        if raiseMinimumTo is not None and insecurelyLowerMinimumTo is not None:
            raise TypeError("pass raiseMinimumTo or insecurelyLowerMinimumTo, not both")
        minimum = _stdlibVersion(_DEFAULT_MINIMUM, "")
        if raiseMinimumTo is not None:
            minimum = max(minimum, _stdlibVersion(raiseMinimumTo, "raiseMinimumTo"))
        if insecurelyLowerMinimumTo is not None:
            minimum = _stdlibVersion(insecurelyLowerMinimumTo, "insecurelyLowerMinimumTo")
        maximum = None
        if lowerMaximumSecurityTo is not None:
            maximum = _stdlibVersion(lowerMaximumSecurityTo, "lowerMaximumSecurityTo")
            if maximum < minimum:
                raise ValueError(
                    f"lowerMaximumSecurityTo={lowerMaximumSecurityTo} is below the minimum "
                    f"version {minimum.name}: no version would be left to negotiate"
                )
        return minimum, maximum

    def _makeContext(self, server: bool) -> ssl.SSLContext:
        context = _newContext(
            ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT,
            self._minimumVersion,
            self._maximumVersion,
        )
        if not self.enableSessionTickets:
            context.options |= ssl.OP_NO_TICKET
        if server:
            context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
            if not (self.enableSessions or self.enableSessionTickets):
                context.num_tickets = 0
        else:
            context.check_hostname = False
            if not self.verify:
                context.verify_mode = ssl.CERT_NONE
        if self._acceptableCiphers is not None:
            context.set_ciphers(self._acceptableCiphers.cipherString)
        if self._acceptableProtocols:
            context.set_alpn_protocols(self._acceptableProtocols)
        if self.privateKey is not None and self.certificate is not None:
            loadCertificateChain(context, self.certificate, self.privateKey, self.extraCertChain)
        if self.verify:
            required = self.requireCertificate or not server
            context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
            self.trustRoot._addCACertsToContext(context)
        if server and self.dhParameters is not None:
            try:
                context.load_dh_params(self.dhParameters.path)
            except (OSError, ssl.SSLError) as e:
                raise ValueError(
                    f"cannot load Diffie-Hellman parameters from {self.dhParameters.path!r}: {e}"
                ) from None
        if server and (self._serverNames or self._sniCallback or self._contextForServerName):
            context.sni_callback = self._selectServerName
        return context

    def _context(self, server: bool) -> ssl.SSLContext:
        context = self._contexts.get(server)
        if context is None:
            context = self._contexts[server] = self._makeContext(server)
        return context

    def getContext(self) -> ssl.SSLContext:
        """
        @return: The cached C{ssl.SSLContext}: a server one when a certificate
            is configured, else a client one.
        """
        return self._context(self.certificate is not None)

    def serverConnectionForTLS(self, tlsProtocol: Any) -> ssl.SSLObject:
        """
        @param tlsProtocol: Provides C{incomingBIO} and C{outgoingBIO}.
        @return: The server side of one connection.
        @raise ValueError: If there is no certificate to present.
        """
        if self.certificate is None and not (
            self._serverNames or self._sniCallback or self._contextForServerName
        ):
            raise ValueError(
                "a TLS server needs a certificate: pass privateKey= and certificate= "
                "(or use PrivateCertificate.options())"
            )
        return self._context(True).wrap_bio(
            tlsProtocol.incomingBIO, tlsProtocol.outgoingBIO, server_side=True
        )

    def clientConnectionForTLS(self, tlsProtocol: Any) -> ssl.SSLObject:
        """
        @param tlsProtocol: Provides C{incomingBIO}, C{outgoingBIO} and
            C{serverHostname} (sent as SNI when not None; never checked).
        @return: The client side of one connection.
        """
        return self._context(False).wrap_bio(
            tlsProtocol.incomingBIO,
            tlsProtocol.outgoingBIO,
            server_side=False,
            server_hostname=getattr(tlsProtocol, "serverHostname", None),
        )

    def _contextFor(self, choice: object) -> ssl.SSLContext:
        if isinstance(choice, CertificateOptions):
            return choice._context(True)
        if not isinstance(choice, PrivateCertificate):
            raise TypeError(
                f"an SNI choice must be a PrivateCertificate, CertificateOptions or None, "
                f"not {type(choice).__name__}"
            )
        context = self._sniContexts.get(choice)
        if context is None:
            if len(self._sniContexts) >= 1000:
                self._sniContexts.clear()
            options = copy.copy(self)
            options.privateKey, options.certificate = choice.privateKey, choice
            options.extraCertChain = []
            options._serverNames, options._sniCallback, options._contextForServerName = (
                {},
                None,
                None,
            )
            options._contexts, options._sniContexts = {}, {}
            context = self._sniContexts[choice] = options._makeContext(True)
        return context

    def _selectServerName(
        self, connection: ssl.SSLObject, serverName: str | None, context: ssl.SSLContext
    ) -> int | None:
        try:
            chosen = self._lookUpServerName(serverName)
        except Exception:
            _log.failure(
                "Choosing the TLS settings for server name {name!r} failed", name=serverName
            )
            return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
        if chosen is not None:
            connection.context = chosen
        return None

    def _lookUpServerName(self, serverName: str | None) -> ssl.SSLContext | None:
        if serverName is not None:
            name = serverName.lower().rstrip(".")
            choice = self._serverNames.get(name)
            if choice is None and "." in name:
                choice = self._serverNames.get("*." + name.split(".", 1)[1])
            if choice is None and self._sniCallback is not None:
                choice = self._sniCallback(name)
            if choice is not None:
                return self._contextFor(choice)
        if self._contextForServerName is not None:
            encoded = None if serverName is None else serverName.encode("ascii")
            context = self._contextForServerName(encoded)
            if context is not None and not isinstance(context, ssl.SSLContext):
                raise TypeError(f"contextForServerName returned {context!r}, not an SSLContext")
            return context
        return None


def _alpnNames(protocols: Sequence[bytes] | None) -> list[str]:
    if protocols is None:
        return []
    if isinstance(protocols, bytes | str):
        raise TypeError(f"acceptableProtocols takes a list of names, e.g. [{protocols!r}]")
    names = []
    for protocol in protocols:
        if not isinstance(protocol, bytes):
            raise TypeError(
                f"ALPN protocol names are bytes, not {type(protocol).__name__}: "
                f"write {protocol!r} as b{str(protocol)!r}"
            )
        if not 0 < len(protocol) < 256 or not protocol.isascii():
            raise ValueError(f"ALPN protocol name {protocol!r} must be 1 to 255 ASCII bytes")
        names.append(protocol.decode("ascii"))
    return names


def _serverNames(serverNames: Mapping[str, _ServerChoice]) -> dict[str, _ServerChoice]:
    names = {}
    for name, choice in serverNames.items():
        if not isinstance(name, str):
            raise TypeError(f"serverNames keys are host names (str), not {name!r}")
        if not isinstance(choice, CertificateOptions | PrivateCertificate):
            raise TypeError(
                f"serverNames[{name!r}] must be a PrivateCertificate or CertificateOptions, "
                f"not {type(choice).__name__}"
            )
        names[name.lower().rstrip(".")] = choice
    return names


# --- clients ---------------------------------------------------------------


@implementer(IOpenSSLClientConnectionCreator)
class ClientTLSOptions:
    """
    Client connections that verify the server's certificate and host name
    (what L{optionsForClientTLS} returns).
    """

    def __init__(self, hostname: str, ctx: ssl.SSLContext) -> None:
        """
        @param hostname: The name (or IP address) the certificate must match.
        @param ctx: A client context with hostname checking on.
        """
        self._hostname = hostname
        self._ctx = ctx

    def clientConnectionForTLS(self, tlsProtocol: Any) -> ssl.SSLObject:
        """
        @param tlsProtocol: Provides C{incomingBIO} and C{outgoingBIO}.
        @return: The client side of one connection to C{hostname}.
        """
        return self._ctx.wrap_bio(
            tlsProtocol.incomingBIO,
            tlsProtocol.outgoingBIO,
            server_side=False,
            server_hostname=self._hostname,
        )

    def __repr__(self) -> str:
        return f"<ClientTLSOptions for {self._hostname!r}>"


def optionsForClientTLS(
    hostname: str,
    trustRoot: Any = None,
    clientCertificate: PrivateCertificate | None = None,
    acceptableProtocols: Sequence[bytes] | None = None,
    *,
    extraCertificateOptions: Mapping[str, Any] | None = None,
    sendServerName: bool | None = None,
) -> ClientTLSOptions:
    """
    Settings for a TLS client that verifies the server's certificate chain
    and that the certificate is for C{hostname}.

    @param hostname: The server's DNS name (sent as SNI) or IP address.
    @param trustRoot: A L{Certificate}, L{trustRootFromCertificates}(...) or
        L{platformTrust}() (the default).
    @param clientCertificate: A L{PrivateCertificate} to authenticate with.
    @param acceptableProtocols: ALPN names, most preferred first.
    @param extraCertificateOptions: More L{CertificateOptions} arguments.
    @param sendServerName: None or True; the ssl module always sends a DNS
        name as SNI (and never an IP address).
    @return: An L{IOpenSSLClientConnectionCreator} provider.
    @raise TypeError: If C{hostname} is not text.
    """
    if not isinstance(hostname, str):
        advice = ""
        if isinstance(hostname, bytes):
            advice = (
                f"; decode it first: optionsForClientTLS({hostname.decode('ascii', 'replace')!r})"
            )
        raise TypeError(
            f"optionsForClientTLS takes the host name as str, not {type(hostname).__name__}{advice}"
        )
    if not hostname:
        raise ValueError("optionsForClientTLS needs a host name to verify, got ''")
    if sendServerName is False:
        raise ValueError(
            "sendServerName=False is not supported: the ssl module checks the host name "
            "it sends as SNI"
        )
    extra = dict(extraCertificateOptions or {})
    for name in ("trustRoot", "acceptableProtocols", "privateKey", "certificate"):
        if name in extra:
            raise TypeError(
                f"pass {name} as an argument of optionsForClientTLS, not in extraCertificateOptions"
            )
    if clientCertificate is not None:
        if not isinstance(clientCertificate, PrivateCertificate):
            raise TypeError(
                f"clientCertificate must be a PrivateCertificate, not "
                f"{type(clientCertificate).__name__}"
            )
        extra["privateKey"] = clientCertificate.privateKey
        extra["certificate"] = clientCertificate
    options = CertificateOptions(
        trustRoot=platformTrust() if trustRoot is None else trustRoot,
        acceptableProtocols=acceptableProtocols,
        **extra,
    )
    context = options._makeContext(server=False)
    context.check_hostname = True
    return ClientTLSOptions(hostname, context)
