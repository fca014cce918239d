"""
Unit tests for the pieces of C{torsion.web.client}: L{URI},
L{FileBodyProducer}, L{Response}, L{readBody} and L{HTTP11ClientProtocol}
over a L{StringTransport}, and L{HTTPConnectionPool} on a L{Clock}.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zope.interface.verify import verifyObject

from tests.helpers import assertNoResult, failureOf, resultOf
from torsion.internet.defer import CancelledError, Deferred, succeed
from torsion.internet.error import ConnectionDone, ConnectionLost, TimeoutError
from torsion.internet.task import Clock, Cooperator
from torsion.internet.testing import MemoryReactorClock, StringTransport
from torsion.python.failure import Failure
from torsion.web.client import (
    URI,
    Agent,
    BrowserLikePolicyForHTTPS,
    FileBodyProducer,
    HTTP11ClientProtocol,
    HTTPConnectionPool,
    PartialDownloadError,
    PotentialDataLoss,
    Request,
    RequestGenerationFailed,
    RequestNotSent,
    RequestTransmissionFailed,
    Response,
    ResponseDone,
    ResponseFailed,
    ResponseNeverReceived,
    readBody,
)
from torsion.web.http_headers import Headers
from torsion.web.iweb import UNKNOWN_LENGTH, IBodyProducer, IPolicyForHTTPS


class URITests:
    """URI.fromBytes and its parts."""

    def test_parts(self) -> None:
        """Every part is split out; the port defaults from the scheme."""
        uri = URI.fromBytes(b"https://example.com/a/b;p?q=1#frag")
        assert (uri.scheme, uri.netloc, uri.host, uri.port) == (
            b"https",
            b"example.com",
            b"example.com",
            443,
        )
        assert (uri.path, uri.params, uri.query, uri.fragment) == (b"/a/b", b"p", b"q=1", b"frag")
        assert uri.originForm == b"/a/b;p?q=1"
        assert uri.toBytes() == b"https://example.com/a/b;p?q=1#frag"

    def test_ipv6AndPort(self) -> None:
        """An IPv6 literal loses its brackets; an explicit port is kept."""
        uri = URI.fromBytes(b"http://[::1]:8080")
        assert (uri.host, uri.port, uri.originForm) == (b"::1", 8080, b"/")

    def test_defaultPort(self) -> None:
        """defaultPort applies when the URI has no port."""
        assert URI.fromBytes(b"http://h/", defaultPort=8000).port == 8000
        assert URI.fromBytes(b"http://h/").port == 80

    def test_badPort(self) -> None:
        """A port that is not a number is refused, naming it."""
        with pytest.raises(ValueError, match="invalid port b'x'"):
            URI.fromBytes(b"http://h:x/")

    def test_text(self) -> None:
        """Text is refused with advice to encode it."""
        with pytest.raises(TypeError, match="encode it first"):
            URI.fromBytes("http://h/")  # type: ignore[arg-type]


class FileBodyProducerTests:
    """Reading a file into a consumer, a block per cooperator step."""

    def _cooperator(self) -> tuple[Cooperator, list[Any]]:
        steps: list[Any] = []

        def schedule(step: Any) -> Any:
            steps.append(step)
            return None

        cooperator = Cooperator(
            terminationPredicateFactory=lambda: lambda: True, scheduler=schedule
        )
        return cooperator, steps

    def _run(self, steps: list[Any]) -> None:
        while steps:
            steps.pop(0)()

    def test_length(self) -> None:
        """The length is what remains from the file's position."""
        data = io.BytesIO(b"0123456789")
        data.seek(3)
        producer = FileBodyProducer(data)
        assert producer.length == 7
        assert data.tell() == 3
        assert verifyObject(IBodyProducer, producer)

    def test_unseekable(self) -> None:
        """A file that cannot seek has an unknown length."""

        class Pipe(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def seekable(self) -> bool:
                return False

            def tell(self) -> int:
                raise OSError("not seekable")

        assert FileBodyProducer(Pipe()).length == UNKNOWN_LENGTH  # type: ignore[arg-type]

    def test_produces(self) -> None:
        """Each step writes one block; the Deferred fires at the end, the file closed."""
        cooperator, steps = self._cooperator()
        data = io.BytesIO(b"abcdefg")
        producer = FileBodyProducer(data, cooperator=cooperator, readSize=3)
        consumer = StringTransport()
        d = producer.startProducing(consumer)
        steps.pop(0)()
        assert consumer.value() == b"abc"
        assertNoResult(d)
        self._run(steps)
        assert consumer.value() == b"abcdefg"
        assert resultOf(d) is None
        assert data.closed

    def test_pauseResume(self) -> None:
        """While paused nothing is read."""
        cooperator, steps = self._cooperator()
        producer = FileBodyProducer(io.BytesIO(b"abcdef"), cooperator=cooperator, readSize=2)
        consumer = StringTransport()
        d = producer.startProducing(consumer)
        producer.pauseProducing()
        self._run(steps)
        assert consumer.value() == b""
        producer.resumeProducing()
        self._run(steps)
        assert consumer.value() == b"abcdef"
        assert resultOf(d) is None

    def test_stop(self) -> None:
        """stopProducing closes the file; the Deferred never fires."""
        cooperator, steps = self._cooperator()
        data = io.BytesIO(b"abcdef")
        producer = FileBodyProducer(data, cooperator=cooperator, readSize=2)
        d = producer.startProducing(StringTransport())
        producer.stopProducing()
        self._run(steps)
        assert data.closed
        assertNoResult(d)

    def test_readFails(self) -> None:
        """An error reading the file fails the Deferred."""
        cooperator, steps = self._cooperator()

        class Broken(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:
                raise OSError("disk on fire")

        d = FileBodyProducer(Broken(b"x"), cooperator=cooperator).startProducing(StringTransport())
        self._run(steps)
        assert "disk on fire" in str(failureOf(d, OSError).value)

    def test_badReadSize(self) -> None:
        """readSize must be positive."""
        with pytest.raises(ValueError, match="readSize must be a positive int, not 0"):
            FileBodyProducer(io.BytesIO(b""), readSize=0)


class _Producer:
    """A body producer driven by hand."""

    def __init__(self, length: int | str) -> None:
        self.length = length
        self.consumer: Any = None
        self.finished: Deferred[None] = Deferred()
        self.stopped = False

    def startProducing(self, consumer: Any) -> Deferred[None]:
        self.consumer = consumer
        return self.finished

    def pauseProducing(self) -> None:
        """Unused."""

    def resumeProducing(self) -> None:
        """Unused."""

    def stopProducing(self) -> None:
        self.stopped = True


def connect(quiescent: list[Any] | None = None) -> tuple[HTTP11ClientProtocol, StringTransport]:
    """A client protocol on a StringTransport."""
    protocol = HTTP11ClientProtocol((quiescent if quiescent is not None else []).append)
    transport = StringTransport()
    protocol.makeConnection(transport)
    return protocol, transport


def get(
    path: bytes = b"/", persistent: bool = True, body: Any = None, method: bytes = b"GET"
) -> Request:
    """A request."""
    return Request(method, path, Headers({b"Host": [b"h"]}), body, persistent=persistent)


def reasonsOf(failure: Failure) -> list[Failure]:
    """The reasons of the wrapper error in C{failure}."""
    reasons: list[Failure] = failure.value.reasons  # type: ignore[attr-defined]
    return reasons


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class ProtocolTests:
    """HTTP11ClientProtocol over a StringTransport."""

    def test_requestAndResponse(self) -> None:
        """The request is written; the response fires; the connection goes quiescent."""
        quiescent: list[Any] = []
        protocol, transport = connect(quiescent)
        d = protocol.request(get(b"/x"))
        assert transport.value() == b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
        assert protocol.state == "WAITING"
        protocol.dataReceived(OK)
        response = resultOf(d)
        assert (response.code, response.length) == (200, 2)
        assert resultOf(readBody(response)) == b"ok"
        assert quiescent == [protocol]
        assert protocol.state == "QUIESCENT"

    def test_notPersistent(self) -> None:
        """A non-persistent request says Connection: close and closes afterwards."""
        quiescent: list[Any] = []
        protocol, transport = connect(quiescent)
        d = protocol.request(get(persistent=False))
        assert b"Connection: close\r\n" in transport.value()
        protocol.dataReceived(OK)
        assert resultOf(readBody(resultOf(d))) == b"ok"
        assert transport.disconnecting
        assert quiescent == []

    def test_busy(self) -> None:
        """A second request while one is in flight fails with RequestNotSent."""
        protocol, _ = connect()
        protocol.request(get())
        failureOf(protocol.request(get()), RequestNotSent)

    def test_chunkedBody(self) -> None:
        """An unknown-length body is chunked; the last chunk ends it."""
        protocol, transport = connect()
        producer = _Producer(UNKNOWN_LENGTH)
        protocol.request(get(body=producer, method=b"POST"))
        assert transport.producer is producer  # type: ignore[comparison-overlap]
        producer.consumer.write(b"abc")
        producer.consumer.write(b"")
        assert protocol.state == "TRANSMITTING"
        producer.finished.callback(None)
        assert transport.value().endswith(
            b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        )
        assert transport.producer is None
        assert protocol.state == "WAITING"

    def test_bodyTooLong(self) -> None:
        """A producer writing past its length fails with RequestGenerationFailed."""
        protocol, transport = connect()
        producer = _Producer(2)
        d = protocol.request(get(body=producer, method=b"PUT"))
        producer.consumer.write(b"abc")
        error = failureOf(d, RequestGenerationFailed).value
        assert "3 bytes or more" in str(error)
        assert producer.stopped
        assert transport.disconnected

    def test_producerFails(self) -> None:
        """A producer that fails fails the request with RequestGenerationFailed."""
        protocol, transport = connect()
        producer = _Producer(5)
        d = protocol.request(get(body=producer, method=b"PUT"))
        producer.finished.errback(ZeroDivisionError("boom"))
        failure = failureOf(d, RequestGenerationFailed)
        assert reasonsOf(failure)[0].check(ZeroDivisionError)
        assert transport.disconnected

    def test_badHeader(self) -> None:
        """A header value with a line break fails with RequestGenerationFailed."""
        protocol, transport = connect()
        request = Request(b"GET", b"/", Headers({b"X": [b"a"]}), None)
        request.headers._rawHeaders[b"x"] = [b"a\r\nInjected: yes"]
        failure = failureOf(protocol.request(request), RequestGenerationFailed)
        assert reasonsOf(failure)[0].check(ValueError)
        assert transport.value() == b""

    def test_lostWhileTransmitting(self) -> None:
        """Losing the connection mid-body: RequestTransmissionFailed, producer stopped."""
        protocol, _ = connect()
        producer = _Producer(10)
        d = protocol.request(get(body=producer, method=b"POST"))
        protocol.connectionLost(Failure(ConnectionLost("gone")))
        failureOf(d, RequestTransmissionFailed)
        assert producer.stopped

    def test_earlyResponse(self) -> None:
        """A response that completes before the body is sent stops the body and closes."""
        quiescent: list[Any] = []
        protocol, transport = connect(quiescent)
        producer = _Producer(100)
        d = protocol.request(get(body=producer, method=b"POST"))
        protocol.dataReceived(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n")
        assert resultOf(d).code == 413
        assert producer.stopped
        assert transport.disconnecting
        assert quiescent == []

    def test_cancel(self) -> None:
        """Cancelling aborts the connection: ResponseNeverReceived(CancelledError)."""
        protocol, transport = connect()
        d = protocol.request(get())
        d.cancel()
        failure = failureOf(d, ResponseNeverReceived)
        assert reasonsOf(failure)[0].check(CancelledError)
        assert transport.disconnected
        protocol.connectionLost(Failure(ConnectionDone()))

    def test_abort(self) -> None:
        """abort() aborts the connection and fires once it is lost; the request fails."""
        protocol, transport = connect()
        d = protocol.request(get())
        aborted = protocol.abort()
        assert transport.disconnected
        assertNoResult(aborted)
        protocol.connectionLost(Failure(ConnectionLost("aborted")))
        assert resultOf(aborted) is None
        failureOf(d, ResponseNeverReceived)
        assert resultOf(protocol.abort()) is None

    def test_dataWhileIdle(self) -> None:
        """Bytes the server sends unasked make the connection unusable."""
        protocol, transport = connect()
        protocol.dataReceived(b"HTTP/1.1 200 OK\r\n")
        assert transport.disconnected
        failureOf(protocol.request(get()), RequestNotSent)

    def test_deliverBodyLateAndTwice(self) -> None:
        """A body that ended before deliverBody is replayed; a second deliverBody fails."""
        protocol, _ = connect()
        d = protocol.request(get())
        protocol.dataReceived(OK)
        response = resultOf(d)
        assert resultOf(readBody(response)) == b"ok"
        with pytest.raises(RuntimeError, match="already delivered"):
            response.deliverBody(_Collector())

    def test_bodyFlowControl(self) -> None:
        """The body's transport pauses and resumes the connection, then lets go."""
        protocol, transport = connect()
        d = protocol.request(get())
        protocol.dataReceived(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")
        collector = _Collector()
        resultOf(d).deliverBody(collector)
        collector.transport.pauseProducing()
        assert transport.producerState == "paused"
        protocol.dataReceived(b"cd")
        assert transport.producerState == "producing"
        assert collector.reason is not None and collector.reason.check(ResponseDone)
        collector.transport.pauseProducing()
        assert transport.producerState == "producing"

    def test_trailingBodyLoss(self) -> None:
        """An until-close body ends with PotentialDataLoss; readBody gives PartialDownloadError."""
        protocol, _ = connect()
        d = protocol.request(get())
        protocol.dataReceived(b"HTTP/1.1 200 OK\r\n\r\nsome")
        response = resultOf(d)
        body = readBody(response)
        protocol.connectionLost(Failure(ConnectionDone()))
        error = failureOf(body, PartialDownloadError).value
        assert isinstance(error, PartialDownloadError)
        assert error.response == b"some"


class _Collector:
    """A body protocol that records what it got."""

    def __init__(self) -> None:
        self.data = b""
        self.reason: Failure | None = None
        self.transport: Any = None

    def makeConnection(self, transport: Any) -> None:
        self.transport = transport

    def dataReceived(self, data: bytes) -> None:
        self.data += data

    def connectionLost(self, reason: Failure) -> None:
        self.reason = reason


class ResponseTests:
    """Response on its own."""

    def test_failedBodyBeforeDelivery(self) -> None:
        """A failure that came before deliverBody reaches the protocol after the data."""
        response = Response((b"HTTP", 1, 1), 200, b"OK", Headers(), None)
        response._bodyDataReceived(b"x")
        response._bodyDataFinished(Failure(ResponseFailed([Failure(ConnectionLost())])))
        collector = _Collector()
        response.deliverBody(collector)  # type: ignore[arg-type]
        assert collector.data == b"x"
        assert collector.reason is not None and collector.reason.check(ResponseFailed)

    def test_previousResponse(self) -> None:
        """setPreviousResponse records the redirecting response."""
        first = Response((b"HTTP", 1, 1), 301, b"Moved", Headers(), None)
        second = Response((b"HTTP", 1, 1), 200, b"OK", Headers(), None)
        second.setPreviousResponse(first)
        assert second.previousResponse is first

    def test_errorsNameReasons(self) -> None:
        """The wrapper errors' messages name each reason."""
        error = ResponseNeverReceived([Failure(ConnectionLost("peer reset"))])
        assert "ConnectionLost" in str(error) and "peer reset" in str(error)
        assert str(PotentialDataLoss()) == ""


class PoolUnitTests:
    """HTTPConnectionPool with a fake endpoint and a Clock."""

    class _Endpoint:
        def __init__(self) -> None:
            self.made: list[tuple[HTTP11ClientProtocol, StringTransport]] = []

        def connect(self, factory: Any) -> Deferred[Any]:
            protocol = factory.buildProtocol(None)
            transport = StringTransport()
            protocol.makeConnection(transport)
            self.made.append((protocol, transport))
            return succeed(protocol)

    def test_lostIdleConnectionSkipped(self) -> None:
        """A cached connection that the server closes is forgotten at once, timer and all."""
        clock = Clock()
        pool = HTTPConnectionPool(clock)
        endpoint = self._Endpoint()
        first = resultOf(pool.getConnection("k", endpoint))  # type: ignore[arg-type]
        resultOf(readBody(_answer(first)))
        assert len(clock.getDelayedCalls()) == 1
        endpoint.made[0][0].connectionLost(Failure(ConnectionDone()))
        assert clock.getDelayedCalls() == []
        assert pool._connections == {}
        second = resultOf(pool.getConnection("k", endpoint))  # type: ignore[arg-type]
        assert second is endpoint.made[1][0]

    def test_nonPersistentClosesQuiescent(self) -> None:
        """A non-persistent pool closes a connection that becomes idle."""
        pool = HTTPConnectionPool(Clock(), persistent=False)
        endpoint = self._Endpoint()
        connection = resultOf(pool.getConnection("k", endpoint))  # type: ignore[arg-type]
        resultOf(readBody(_answer(connection)))
        assert endpoint.made[0][1].disconnecting

    def test_defaults(self) -> None:
        """The documented defaults."""
        pool = HTTPConnectionPool(Clock())
        assert (pool.persistent, pool.maxPersistentPerHost, pool.cachedConnectionTimeout) == (
            True,
            2,
            240,
        )
        assert pool.retryAutomatically is True


def _answer(connection: Any) -> Any:
    """Send a GET on C{connection} and answer it; the response."""
    d = connection.request(get())
    connection.dataReceived(OK)
    return resultOf(d)


def test_policy() -> None:
    """BrowserLikePolicyForHTTPS gives settings that check the host name."""
    policy = BrowserLikePolicyForHTTPS()
    assert verifyObject(IPolicyForHTTPS, policy)
    creator = policy.creatorForNetloc(b"example.com", 443)
    assert "example.com" in repr(creator)


class ConnectingTests:
    """The agent while connecting, on a MemoryReactorClock."""

    def test_connectTimeoutAndBindAddress(self) -> None:
        """connectTimeout and bindAddress reach connectTCP."""
        reactor = MemoryReactorClock()
        agent = Agent(reactor, connectTimeout=5, bindAddress=("127.0.0.1", 0))
        agent.request(b"GET", b"http://127.0.0.1:8080/")
        host, port, _, timeout, bindAddress = reactor.tcpClients[0]
        assert (host, port, timeout, bindAddress) == ("127.0.0.1", 8080, 5, ("127.0.0.1", 0))

    def test_connectTimesOut(self) -> None:
        """A connection attempt that times out fails the request with TimeoutError."""
        reactor = MemoryReactorClock()
        d = Agent(reactor, connectTimeout=5).request(b"GET", b"http://127.0.0.1:8080/")
        factory = reactor.tcpClients[0][2]
        factory.clientConnectionFailed(reactor.connectors[0], Failure(TimeoutError()))
        failureOf(d, TimeoutError)

    def test_cancelWhileConnecting(self) -> None:
        """Cancelling before the connection is made fails with CancelledError."""
        reactor = MemoryReactorClock()
        d = Agent(reactor).request(b"GET", b"http://127.0.0.1:8080/")
        d.cancel()
        failureOf(d, CancelledError)
        assert reactor.connectors[0].stoppedConnecting


_CHUNKED = (
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n"
    b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n"
)


@given(st.lists(st.integers(min_value=0, max_value=len(_CHUNKED)), max_size=8))
def test_anySplit(cuts: list[int]) -> None:
    """However the response bytes are split, the same response and body come out."""
    quiescent: list[Any] = []
    protocol, _ = connect(quiescent)
    d = protocol.request(get())
    edges = [0, *sorted(cuts), len(_CHUNKED)]
    for start, end in itertools.pairwise(edges):
        if end > start:
            protocol.dataReceived(_CHUNKED[start:end])
    response = resultOf(d)
    assert (response.code, response.length) == (200, UNKNOWN_LENGTH)
    assert response.headers.getRawHeaders(b"x-a") == [b"b"]
    assert resultOf(readBody(response)) == b"hello world"
    assert quiescent == [protocol]
