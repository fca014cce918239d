# The reading side of torsion.web.http.Request, split out to keep modules
# small: header and cookie lookups, the addresses and host the request came
# from and to, Basic credentials, and the multipart/form-data body parser.
# Everything here reads attributes the Request sets up (requestHeaders,
# client, host, transport) and changes nothing except in setHost().
from __future__ import annotations

import binascii
from base64 import b64decode
from email.message import Message
from email.parser import BytesParser
from typing import Any, overload
from urllib.parse import unquote_to_bytes

from torsion.internet.interfaces import IAddress, ISSLTransport
from torsion.web._headers import Headers, _encodeName


def parse_qs(
    qs: bytes, keep_blank_values: bool = False, strict_parsing: bool = False
) -> dict[bytes, list[bytes]]:
    """
    Parse a query string (or a urlencoded form body) into names and values,
    all bytes: percent-escapes and C{+} are decoded to the bytes they stand
    for, whatever the text encoding (unlike C{urllib.parse.parse_qs} on
    bytes, which fails on non-ASCII).

    Pairs are separated by C{&} only, as in Python since 3.10 (Twisted also
    splits on C{;}, which lets a proxy and the application disagree on the
    parameters).

    @param qs: The query, without the C{?}.
    @param keep_blank_values: Keep names without a value (C{a} or C{a=}),
        with the value C{b""}.
    @param strict_parsing: Raise instead of skipping a piece without C{=}.
    @return: Each name's values, in order.
    @raise ValueError: With C{strict_parsing}, for a piece without C{=}.
    """
    result: dict[bytes, list[bytes]] = {}
    for piece in qs.split(b"&"):
        if not piece:
            continue
        name, equals, value = piece.partition(b"=")
        if not equals:
            if strict_parsing:
                raise ValueError(f"query piece {piece!r} has no '=': expected name=value")
            if not keep_blank_values:
                continue
        elif not value and not keep_blank_values:
            continue
        result.setdefault(_unquotePlus(name), []).append(_unquotePlus(value))
    return result


def _unquotePlus(data: bytes) -> bytes:
    if b"+" in data:
        data = data.replace(b"+", b" ")
    return unquote_to_bytes(data) if b"%" in data else data


def multipartFields(contentType: bytes, body: bytes) -> list[tuple[bytes, bytes]]:
    """
    The fields of a C{multipart/form-data} body: (name, value) pairs, in
    order; a malformed body gives none.
    """
    message = BytesParser().parsebytes(b"Content-Type: " + contentType + b"\r\n\r\n" + body)
    if not message.is_multipart():
        return []
    fields = []
    for part in message.get_payload():
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields.append((name.encode("utf-8", "surrogateescape"), payload))
    return fields


class RequestReading:
    """
    What a request tells about itself: headers, cookies, addresses,
    credentials.  A base of L{torsion.web.http.Request}.
    """

    requestHeaders: Headers
    client: IAddress | None
    host: IAddress | None
    transport: Any
    _forceSSL = False

    @overload
    def getHeader(self, key: bytes) -> bytes | None: ...

    @overload
    def getHeader(self, key: str) -> str | None: ...

    def getHeader(self, key: bytes | str) -> bytes | str | None:
        """
        The last value of a request header.

        @param key: The name, any case.
        @return: The value, of C{key}'s type, or L{None}.
        """
        headers = self.requestHeaders
        if type(key) is bytes and type(headers) is Headers:
            # Speed: the usual lookup, without getRawHeaders' copy.
            values = headers._rawHeaders.get(_encodeName(key))
            return values[-1] if values else None
        if isinstance(key, str):
            text = self.requestHeaders.getRawHeaders(key)
            return text[-1] if text else None
        raw = self.requestHeaders.getRawHeaders(key)
        return raw[-1] if raw else None

    def getAllHeaders(self) -> dict[bytes, bytes]:
        """
        Every request header, by lowercased name, with its last value.

        @return: A new dict.
        """
        return {
            name.lower(): values[-1]
            for name, values in self.requestHeaders.getAllRawHeaders()
            if values
        }

    def getCookie(self, key: bytes) -> bytes | None:
        """
        A cookie from the request's I{Cookie} headers.

        @param key: The cookie's name.
        @return: Its value, or L{None}.
        """
        found = None
        for header in self.requestHeaders.getRawHeaders(b"cookie") or ():
            for pair in header.split(b";"):
                name, sep, value = pair.strip().partition(b"=")
                if sep and name == key:
                    found = value
        return found

    def getRequestHostname(self) -> bytes:
        """
        The host the client asked for: the I{Host} header without its port,
        or the server's address.

        @return: The host name.
        """
        host = self.getHeader(b"host")
        if host:
            if host.startswith(b"["):
                end = host.find(b"]")
                return host[: end + 1] if end >= 0 else host
            return host.split(b":", 1)[0]
        return str(getattr(self.getHost(), "host", "")).encode("ascii", "replace")

    def getHost(self) -> IAddress:
        """
        @return: The server's address for this connection.
        """
        return self.host  # type: ignore[return-value]

    def setHost(self, host: bytes, port: int, ssl: bool = False) -> None:
        """
        Pretend the request arrived on C{host}, C{port} (for servers behind
        a proxy); sets the I{Host} header.

        @param host: The host name.
        @param port: The port.
        @param ssl: Whether it is HTTPS.
        """
        from torsion.internet.address import IPv4Address

        self._forceSSL = bool(ssl)
        self.host = IPv4Address("TCP", host.decode("ascii", "replace"), port)
        default = 443 if ssl else 80
        self.requestHeaders.setRawHeaders(
            b"host", [host if port == default else b"%s:%d" % (host, port)]
        )

    def getClientAddress(self) -> IAddress:
        """
        @return: The client's address.
        """
        return self.client  # type: ignore[return-value]

    def getClientIP(self) -> str | None:
        """
        @return: The client's IP address, or L{None} if it has none (UNIX).
        """
        host = getattr(self.client, "host", None)
        return host if isinstance(host, str) else None

    def isSecure(self) -> bool:
        """
        @return: Whether the request came over TLS.
        """
        if getattr(self, "_forceSSL", False):
            return True
        return self.transport is not None and ISSLTransport.providedBy(self.transport)

    def _credentials(self) -> tuple[bytes, bytes]:
        header = self.getHeader(b"authorization")
        if header is None:
            return b"", b""
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return b"", b""
        try:
            decoded = b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return b"", b""
        user, _, password = decoded.partition(b":")
        return user, password

    def getUser(self) -> bytes:
        """
        @return: The user of a Basic I{Authorization} header, or C{b""}.
        """
        return self._credentials()[0]

    def getPassword(self) -> bytes:
        """
        @return: The password of a Basic I{Authorization} header, or C{b""}.
        """
        return self._credentials()[1]


__all__ = ["RequestReading", "multipartFields"]
