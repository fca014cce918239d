"""
HTTPChannel's safety net: a request object that raises while the channel
hands it a complete request (a bug in a Request subclass, not in a
resource, whose errors Site turns into 500 pages itself) costs that one
connection: a 500 if nothing was sent yet, the response cut short if it
was; the error is logged and other connections are served.  And a
producer that fails to stop when its connection is lost is logged, not
hidden.
"""

from __future__ import annotations

import http.client as httpclient
from collections.abc import Callable
from typing import Any

from tests.web.test_server_support import Hello, ThreadedServer, recvAll, serve
from torsion.internet.task import Clock
from torsion.internet.testing import StringTransport
from torsion.logger import capturedLogs
from torsion.web import server
from torsion.web.server import Site

__all__ = ["serve"]


class Exploding(server.Request):
    """A request class whose requestReceived fails for paths under /boom."""

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if path.startswith(b"/boom"):
            raise ZeroDivisionError("a bug in a request class")
        super().requestReceived(command, path, version)


class FailingAfterHead(server.Request):
    """A request class that fails after its response head went out."""

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        self.setHeader(b"content-length", b"100")
        self.write(b"partial")
        self._bufferStop()  # the head and the first bytes leave now
        raise ZeroDivisionError("failed mid-response")


def exploding(requestFactory: type[server.Request]) -> Site:
    """A Site of L{Hello} whose requests are made by C{requestFactory}."""
    site = Site(Hello(), reactor=Clock())
    site.requestFactory = requestFactory
    return site


def test_500BeforeAnythingSent() -> None:
    """
    Nothing sent yet: the client gets a 500 that does not show the error,
    the connection closes, and the error is logged with its traceback.
    """
    channel = exploding(Exploding).buildProtocol(None)
    transport = StringTransport()
    channel.makeConnection(transport)
    with capturedLogs() as events:
        channel.dataReceived(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
    response = transport.value()
    assert response.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"\r\nConnection: close\r\n" in response
    assert b"ZeroDivisionError" not in response and b"a bug" not in response
    assert transport.disconnecting
    failures = [e for e in events if "log_failure" in e]
    assert len(failures) == 1
    assert failures[0]["log_failure"].check(ZeroDivisionError)
    assert "its connection is closed" in failures[0]["log_format"]


def test_pipelinedAfterFailureNotAnswered() -> None:
    """A request pipelined behind the failing one is not answered."""
    channel = exploding(Exploding).buildProtocol(None)
    transport = StringTransport()
    channel.makeConnection(transport)
    with capturedLogs():
        channel.dataReceived(
            b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /fine HTTP/1.1\r\nHost: x\r\n\r\n"
        )
    assert transport.value().count(b"HTTP/1.1 ") == 1
    assert b"hello /fine" not in transport.value()


def test_cutShortAfterHead() -> None:
    """
    A failure after the head went out closes the connection after what was
    sent (the client sees fewer bytes than the Content-Length promised).
    """
    channel = exploding(FailingAfterHead).buildProtocol(None)
    transport = StringTransport()
    channel.makeConnection(transport)
    with capturedLogs() as events:
        channel.dataReceived(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    response = transport.value()
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert response.endswith(b"\r\n\r\npartial")
    assert b"500" not in response
    assert transport.disconnecting
    assert [e["log_failure"].type for e in events if "log_failure" in e] == [ZeroDivisionError]


def test_otherConnectionsServed(serve: Callable[..., ThreadedServer]) -> None:
    """Over real sockets: the failing connection gets its 500, the next client its page."""
    server_ = serve(Hello())

    def install(reactor: Any) -> None:
        server_.site.requestFactory = Exploding

    server_.call(install, server_.reactor)
    with capturedLogs():
        sock = server_.connect()
        sock.sendall(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        failed = recvAll(sock)
        sock.close()
        conn = httpclient.HTTPConnection("127.0.0.1", server_.portNumber, timeout=10)
        conn.request("GET", "/fine")
        fine = conn.getresponse()
        body = fine.read()
        conn.close()
    assert failed.startswith(b"HTTP/1.1 500 ")
    assert (fine.status, body) == (200, b"hello /fine")


def test_producerFailingToStopIsLogged() -> None:
    """
    A producer whose stopProducing raises when the connection is lost is
    logged (not hidden), and the request's notifyFinish still fails.
    """
    from torsion.python.failure import Failure
    from torsion.web.http import Request

    class Stubborn:
        def stopProducing(self) -> None:
            raise ZeroDivisionError("will not stop")

        def pauseProducing(self) -> None:
            pass

        def resumeProducing(self) -> None:
            pass

    request = Request(None)
    request.producer = Stubborn()  # type: ignore[assignment]
    finished = request.notifyFinish()
    errors: list[Failure] = []
    finished.addErrback(errors.append)
    with capturedLogs() as events:
        request.connectionLost(Failure(ConnectionError("gone")))
    assert [e["log_failure"].type for e in events if "log_failure" in e] == [ZeroDivisionError]
    assert len(errors) == 1 and errors[0].check(ConnectionError)
