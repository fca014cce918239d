# A small treq-like layer over Agent: get/post/... take str or bytes URLs,
# dict headers, query params, form or JSON bodies and a timeout, follow
# redirects, and return a plain IResponse; content/text_content/
# json_content collect its body.
#
# Each call makes its own Agent (non-persistent: one connection per
# request, closed afterwards) unless an agent or a pool is passed; that
# keeps a program (and a test) free of idle connections it did not ask
# for.  Pass pool=HTTPConnectionPool(reactor) to reuse connections.
#
# The timeout covers the request until the response's head arrives: when
# it expires the request is cancelled (its connection aborted) and the
# Deferred fails with torsion.internet.error.TimeoutError naming the URL.
# Collecting the body treats a body that ended at the close of a
# connection that never stated its length (PotentialDataLoss) as complete,
# as browsers and treq do; readBody, following Twisted, does not.
from __future__ import annotations

import io
import json as _json
from collections.abc import Mapping, Sequence
from email.message import Message
from typing import Any
from urllib.parse import urlencode

from torsion.internet.defer import CancelledError, Deferred
from torsion.internet.error import ConnectingCancelledError, TimeoutError
from torsion.internet.protocol import Protocol, connectionDone
from torsion.python.failure import Failure
from torsion.web._clientagent import Agent
from torsion.web._clientbody import FileBodyProducer
from torsion.web._clienterrors import PotentialDataLoss, ResponseDone, ResponseNeverReceived
from torsion.web._clientpool import HTTPConnectionPool
from torsion.web._clientwrappers import BrowserLikeRedirectAgent
from torsion.web.http_headers import Headers
from torsion.web.iweb import IAgent, IResponse

_HeaderValues = str | bytes | Sequence[str | bytes]


def _asBytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def _headers(headers: Headers | Mapping[str | bytes, _HeaderValues] | None) -> Headers:
    if headers is None:
        return Headers()
    if isinstance(headers, Headers):
        return headers.copy()
    result = Headers()
    for name, given in headers.items():
        values = [given] if isinstance(given, (str, bytes)) else given
        for value in values:
            result.addRawHeader(_asBytes(name), _asBytes(value))
    return result


def _withParams(url: bytes, params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None) -> bytes:
    if not params:
        return url
    query = urlencode(params, doseq=True).encode("ascii")
    base, hashMark, fragment = url.partition(b"#")
    joiner = b"&" if b"?" in base else b"?"
    return base + joiner + query + hashMark + fragment


def request(
    method: str | bytes,
    url: str | bytes,
    *,
    headers: Headers | Mapping[str | bytes, _HeaderValues] | None = None,
    params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
    data: bytes | Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
    json: Any = None,
    timeout: float | None = None,
    allow_redirects: bool = True,
    agent: IAgent | None = None,
    pool: HTTPConnectionPool | None = None,
    reactor: Any = None,
) -> Deferred[IResponse]:
    """
    Send a request.

    @param method: E.g. C{"GET"}.
    @param url: The absolute http or https URL.
    @param headers: Headers to send: a L{Headers}, or a mapping from each
        name to a value or a list of values (str or bytes).
    @param params: Query arguments appended to the URL.
    @param data: The body: bytes as they are, or a mapping (or pairs)
        sent form-encoded.
    @param json: A value sent as a JSON body (instead of C{data}).
    @param timeout: Seconds to wait for the response's head; then the
        request is cancelled and fails with L{TimeoutError}.
    @param allow_redirects: Whether to follow redirects (as a browser).
    @param agent: The agent to use; by default a new L{Agent}.
    @param pool: The connection pool of the default agent.
    @param reactor: The reactor; by default the global one.
    @return: Fires with the L{IResponse}, whatever its status.
    @raise ValueError: If both C{data} and C{json} are given.
    """
    if reactor is None:
        from torsion.internet import reactor as globalReactor

        reactor = globalReactor
    if data is not None and json is not None:
        raise ValueError("pass either data= or json=, not both")
    method = _asBytes(method).upper()
    uri = _withParams(_asBytes(url), params)
    sent = _headers(headers)
    body = None
    if json is not None:
        data = _json.dumps(json, separators=(",", ":")).encode("utf-8")
        if not sent.hasHeader(b"content-type"):
            sent.addRawHeader(b"Content-Type", b"application/json; charset=UTF-8")
    elif data is not None and not isinstance(data, bytes):
        data = urlencode(data, doseq=True).encode("ascii")
        if not sent.hasHeader(b"content-type"):
            sent.addRawHeader(b"Content-Type", b"application/x-www-form-urlencoded")
    if data is not None:
        body = FileBodyProducer(io.BytesIO(data))
    if agent is None:
        agent = Agent(reactor, pool=pool)
        if allow_redirects:
            agent = BrowserLikeRedirectAgent(agent)
    d = agent.request(method, uri, sent, body)
    if timeout is None:
        return d
    return _limit(d, timeout, reactor, uri)


def _limit(d: Deferred[IResponse], timeout: float, reactor: Any, uri: bytes) -> Deferred[IResponse]:
    """
    Cancel C{d} after C{timeout} seconds; it then fails with
    L{TimeoutError}.
    """
    expired: list[bool] = []

    def expire() -> None:
        expired.append(True)
        d.cancel()

    call = reactor.callLater(timeout, expire)

    def done(result: Any) -> Any:
        if call.active():
            call.cancel()
        if expired and isinstance(result, Failure):
            error = result.value
            cancelled = isinstance(error, (CancelledError, ConnectingCancelledError)) or (
                isinstance(error, ResponseNeverReceived)
                and any(r.check(CancelledError) for r in error.reasons)
            )
            if cancelled:
                raise TimeoutError(
                    string=f"no response from {uri.decode('ascii', 'replace')} "
                    f"within {timeout} seconds; the request was cancelled"
                )
        return result

    return d.addBoth(done)


def get(url: str | bytes, **kwargs: Any) -> Deferred[IResponse]:
    """
    Send a GET; see L{request} for the keyword arguments.

    @param url: The URL.
    @return: Fires with the response.
    """
    return request(b"GET", url, **kwargs)


def head(url: str | bytes, **kwargs: Any) -> Deferred[IResponse]:
    """
    Send a HEAD; see L{request}.

    @param url: The URL.
    @return: Fires with the response.
    """
    return request(b"HEAD", url, **kwargs)


def post(url: str | bytes, data: Any = None, **kwargs: Any) -> Deferred[IResponse]:
    """
    Send a POST; see L{request}.

    @param url: The URL.
    @param data: The body (bytes, or a mapping to form-encode).
    @return: Fires with the response.
    """
    return request(b"POST", url, data=data, **kwargs)


def put(url: str | bytes, data: Any = None, **kwargs: Any) -> Deferred[IResponse]:
    """
    Send a PUT; see L{request}.

    @param url: The URL.
    @param data: The body.
    @return: Fires with the response.
    """
    return request(b"PUT", url, data=data, **kwargs)


def patch(url: str | bytes, data: Any = None, **kwargs: Any) -> Deferred[IResponse]:
    """
    Send a PATCH; see L{request}.

    @param url: The URL.
    @param data: The body.
    @return: Fires with the response.
    """
    return request(b"PATCH", url, data=data, **kwargs)


def delete(url: str | bytes, **kwargs: Any) -> Deferred[IResponse]:
    """
    Send a DELETE; see L{request}.

    @param url: The URL.
    @return: Fires with the response.
    """
    return request(b"DELETE", url, **kwargs)


class _Collector(Protocol):
    def __init__(self, done: Deferred[bytes]) -> None:
        self._done = done
        self._pieces: list[bytes] = []

    def dataReceived(self, data: bytes) -> None:
        self._pieces.append(data)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self._done.called:
            return
        if reason.check(ResponseDone, PotentialDataLoss):
            self._done.callback(b"".join(self._pieces))
        else:
            self._done.errback(reason)


def content(response: IResponse) -> Deferred[bytes]:
    """
    Collect a response's body.  Unlike L{readBody}, a body that ended when
    the server closed a connection without stating the length counts as
    complete.

    @param response: The response.
    @return: Fires with the body; fails with L{ResponseFailed} if it was
        cut short.  Cancelling it aborts the connection.
    """

    def cancel(d: Deferred[bytes]) -> None:
        if collector.transport is not None:
            collector.transport.stopProducing()

    d: Deferred[bytes] = Deferred(cancel)
    collector = _Collector(d)
    response.deliverBody(collector)
    return d


def _charset(response: IResponse) -> str | None:
    values = response.headers.getRawHeaders(b"content-type")
    if not values:
        return None
    message = Message()
    message["content-type"] = values[-1].decode("latin-1")
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) else None


def text_content(response: IResponse, encoding: str = "ISO-8859-1") -> Deferred[str]:
    """
    Collect a response's body as text.

    @param response: The response.
    @param encoding: The encoding when the Content-Type names no charset.
    @return: Fires with the decoded body.
    """
    chosen = _charset(response) or encoding
    return content(response).addCallback(lambda body: body.decode(chosen))


def json_content(response: IResponse, **loadsArgs: Any) -> Deferred[Any]:
    """
    Collect a response's body and parse it as JSON.

    @param response: The response.
    @param loadsArgs: Passed on to L{json.loads}.
    @return: Fires with the parsed value; fails with
        L{json.JSONDecodeError} if the body is not JSON.
    """
    chosen = _charset(response) or "utf-8"
    return content(response).addCallback(lambda body: _json.loads(body.decode(chosen), **loadsArgs))


__all__ = [
    "content",
    "delete",
    "get",
    "head",
    "json_content",
    "patch",
    "post",
    "put",
    "request",
    "text_content",
]
