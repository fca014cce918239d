# WSGIResource: a leaf resource that runs a WSGI (PEP 3333) application.
#
# How it works.  render() runs in the reactor thread: it builds the environ
# from the request (all of it, since the request must not be touched from
# another thread afterwards), registers a _WSGIResponse as the request's
# streaming producer, hands _WSGIResponse.run to the thread pool and returns
# NOT_DONE_YET.
#
# In the pool thread, run() calls the application and iterates what it
# returns.  Each non-empty chunk crosses to the reactor thread with
# blockingCallFromThread(reactor, _writeChunk, chunk), so the pool thread
# waits until the chunk has been handed to the transport.  The first chunk
# (or the end of the body, for an empty one) sends the status and headers
# recorded by start_response: nothing is sent before that, as PEP 3333
# asks, so an application may still change its mind with exc_info.
#
# Back-pressure.  The transport pauses its producer (the _WSGIResponse)
# when its send buffer is full, i.e. when the client reads slower than the
# application writes.  While paused, _writeChunk returns a Deferred that
# fires on resumeProducing, and blockingCallFromThread waits for it: the
# pool thread stops pulling chunks out of the application, and a large
# response is never buffered whole.
#
# The end.  When the client goes away, the request calls stopProducing:
# _stopped is set, a waiting write is released, and the pool thread stops
# iterating at the next chunk.  Whatever happens, the iterable's close() is
# called (in the pool thread).  An exception from the application is
# logged with its traceback; if no header was sent yet the client gets a
# plain 500, otherwise the connection is closed (the response cannot be
# completed honestly).  At reactor shutdown blockingCallFromThread raises
# ReactorStoppingError in the pool thread: the response ends there.
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote

from zope.interface import implementer

from torsion.internet.defer import Deferred
from torsion.internet.interfaces import IPushProducer
from torsion.internet.threads import blockingCallFromThread
from torsion.logger import Logger
from torsion.python.failure import Failure
from torsion.web.iweb import IResource
from torsion.web.server import NOT_DONE_YET

_log = Logger(namespace="torsion.web.wsgi")

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
_StartResponse = Callable[..., Callable[[bytes], None]]

# 1xx responses are the server's business (100 Continue), not the application's.
_STATUS = re.compile(r"[2-9][0-9]{2} [^\r\n\x00]*")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\r\n\x00]")

_ERROR_BODY = b"Internal Server Error"


class _InputStream:
    """
    C{wsgi.input}: the request's body, read-only, never past its end.
    """

    def __init__(self, content: IO[bytes], length: int) -> None:
        self._content = content
        self._left = length

    def _limit(self, size: int | None) -> int:
        if size is None or size < 0 or size > self._left:
            return self._left
        return size

    def read(self, size: int | None = -1) -> bytes:
        """
        Read at most C{size} bytes (all that is left with a negative or no
        size).

        @param size: How many bytes at most.
        @return: The bytes; C{b""} at the end.
        """
        data = self._content.read(self._limit(size))
        self._left -= len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        """
        Read one line, at most C{size} bytes of it.

        @param size: How many bytes at most.
        @return: The line with its newline; C{b""} at the end.
        """
        data = self._content.readline(self._limit(size))
        self._left -= len(data)
        return data

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """
        Read lines until about C{hint} bytes were read (all with no hint).

        @param hint: How many bytes, roughly.
        @return: The lines.
        """
        lines: list[bytes] = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class _ErrorStream:
    """
    C{wsgi.errors}: text written to it is logged, one event per write.
    """

    def write(self, text: str) -> int:
        """
        Log C{text} as an error event of the C{torsion.web.wsgi} logger.

        @param text: The text.
        @return: How many characters were written.
        @raise TypeError: If C{text} is not a L{str}.
        """
        if not isinstance(text, str):
            raise TypeError(
                f"wsgi.errors.write() takes str, not {type(text).__name__}: {text!r}; "
                "decode bytes first"
            )
        if text.strip():
            _log.error("{text}", text=text.rstrip("\n"))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """
        Write each of C{lines}.

        @param lines: The texts.
        """
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """
        Nothing to do: each write is logged at once.
        """


def _text(value: bytes) -> str:
    # PEP 3333: environ strings carry bytes as latin-1.
    return value.decode("iso-8859-1")


def _environ(request: Any) -> dict[str, Any]:
    """
    The WSGI environ for C{request}, built in the reactor thread.
    """
    prepath: list[bytes] = list(request.prepath)
    postpath: list[bytes] = list(request.postpath)
    uri: bytes = request.uri
    query = uri.split(b"?", 1)[1] if b"?" in uri else b""
    content: IO[bytes] = request.content
    content.seek(0, 2)
    size = content.tell()
    content.seek(0)
    declared = request.getHeader(b"content-length")
    contentType = request.getHeader(b"content-type")
    host = request.getHost()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": _text(request.method),
        "SCRIPT_NAME": _text(b"/" + b"/".join(prepath)) if prepath else "",
        "PATH_INFO": _text(b"/" + b"/".join(postpath)) if postpath else "",
        "QUERY_STRING": _text(query),
        "CONTENT_TYPE": _text(contentType) if contentType is not None else "",
        "CONTENT_LENGTH": (
            _text(declared) if declared is not None else (str(size) if size else "")
        ),
        "SERVER_NAME": _text(request.getRequestHostname()),
        "SERVER_PORT": str(getattr(host, "port", 0)),
        "SERVER_PROTOCOL": _text(request.clientproto),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if request.isSecure() else "http",
        "wsgi.input": _InputStream(content, size),
        "wsgi.input_terminated": True,
        "wsgi.errors": _ErrorStream(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    client = request.getClientAddress()
    clientHost = getattr(client, "host", None)
    if isinstance(clientHost, str):
        environ["REMOTE_ADDR"] = clientHost
        environ["REMOTE_PORT"] = str(getattr(client, "port", ""))
    for name, values in request.requestHeaders.getAllRawHeaders():
        if b"_" in name:
            # "X_User" would pose as "X-User" (both are HTTP_X_USER).
            continue
        key = "HTTP_" + _text(name).upper().replace("-", "_")
        if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            continue
        environ[key] = ",".join(_text(v) for v in values)
    return environ


class _StopResponse(Exception):
    """
    The client went away, or the reactor is stopping: stop producing.
    """


@implementer(IPushProducer)
class _WSGIResponse:
    """
    One request's run of the application: the pool-thread side and the
    reactor-thread side, meeting in L{_writeChunk} and L{_end}.
    """

    def __init__(self, reactor: Any, request: Any, application: Any, environ: Any) -> None:
        self._reactor = reactor
        self._request = request
        self._application = application
        self._environ = environ
        self._status: str | None = None
        self._headers: list[tuple[str, str]] = []
        self._headersSent = False
        self._paused: list[Deferred[None]] | None = None
        self._stopped = False

    # -- producer, reactor thread ------------------------------------------------

    def pauseProducing(self) -> None:
        """
        The client is slow: hold the next chunk back.
        """
        if self._paused is None:
            self._paused = []

    def resumeProducing(self) -> None:
        """
        The client caught up: let the pool thread go on.
        """
        waiting, self._paused = self._paused, None
        for d in waiting or []:
            d.callback(None)

    def stopProducing(self) -> None:
        """
        The client went away: stop iterating the application's response.
        """
        self._stopped = True
        self.resumeProducing()

    # -- pool thread ---------------------------------------------------------

    def startResponse(
        self, status: str, headers: Any, exc_info: _ExcInfo | None = None
    ) -> Callable[[bytes], None]:
        """
        PEP 3333's C{start_response}: record the status and headers.

        @param status: Such as C{"200 OK"}.
        @param headers: (name, value) pairs, all L{str}.
        @param exc_info: With an error page: the exception being handled.
        @return: The C{write} callable.
        @raise TypeError: If the status or a header is not a L{str}.
        @raise ValueError: If the status or a header is malformed.
        @raise RuntimeError: If called twice without C{exc_info}.
        """
        if exc_info is not None:
            try:
                if self._headersSent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self._status is not None:
            raise RuntimeError(
                f"start_response({status!r}, ...) called twice; call it again only "
                "with exc_info, to replace the headers of an error response"
            )
        if not isinstance(status, str):
            raise TypeError(
                f"start_response(): the status must be a str such as '200 OK', "
                f"not {type(status).__name__}: {status!r}"
            )
        if not _STATUS.fullmatch(status) or not status.isascii():
            raise ValueError(
                f"start_response(): the status {status!r} is not 'NNN reason' (a code "
                "from 200 to 999, a space, a reason without CR or LF), such as '200 OK'"
            )
        if not isinstance(headers, list):
            raise TypeError(
                f"start_response(): the headers must be a list of (name, value) tuples, "
                f"not {type(headers).__name__}: {headers!r}"
            )
        checked: list[tuple[str, str]] = []
        for header in headers:
            if not (isinstance(header, tuple) and len(header) == 2):
                raise TypeError(
                    f"start_response(): each header must be a (name, value) tuple, not {header!r}"
                )
            name, value = header
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(
                    f"start_response(): header names and values must be str, not {header!r}"
                )
            if not _TOKEN.fullmatch(name):
                raise ValueError(
                    f"start_response(): the header name {name!r} is not an HTTP token "
                    "(letters, digits and !#$%&'*+-.^_`|~)"
                )
            if _BAD_VALUE.search(value) or not all(ord(c) < 256 for c in value):
                raise ValueError(
                    f"start_response(): the value {value!r} of header {name!r} holds CR, "
                    "LF, NUL or a character beyond latin-1; encode it first"
                )
            checked.append((name, value))
        self._status = status
        self._headers = checked
        return self.write

    def write(self, data: bytes) -> None:
        """
        PEP 3333's C{write} callable: send C{data} now.

        @param data: Part of the body.
        @raise TypeError: If C{data} is not bytes.
        @raise RuntimeError: If C{start_response} was not called.
        """
        if not isinstance(data, bytes):
            raise TypeError(
                f"a WSGI body must be bytes, not {type(data).__name__}: {data!r:.80}; "
                "encode text first"
            )
        if self._status is None:
            raise RuntimeError(
                "the WSGI application wrote its body before calling start_response()"
            )
        if not data:
            return
        if self._stopped:
            raise _StopResponse()
        self._call(self._writeChunk, data)

    def _call(self, f: Callable[..., Any], *args: Any) -> Any:
        from torsion.internet.threads import ReactorStoppingError

        try:
            return blockingCallFromThread(self._reactor, f, *args)
        except ReactorStoppingError:
            self._stopped = True
            raise _StopResponse() from None

    def run(self) -> None:
        """
        Run the application and send its response (in a pool thread).
        """
        result: Any = None
        if self._stopped:
            return  # the client left while the request waited for a thread
        try:
            result = self._application(self._environ, self.startResponse)
            if (
                isinstance(result, (list, tuple))
                and len(result) == 1
                and isinstance(result[0], bytes)
                and not self._headersSent
                and self._environ["REQUEST_METHOD"] != "HEAD"
                and not any(name.lower() == "content-length" for name, _ in self._headers)
            ):
                # The whole body is known: give it a Content-Length.
                self._headers.append(("Content-Length", str(len(result[0]))))
            for chunk in result:
                if self._stopped:
                    break
                self.write(chunk)
            if self._status is None:
                raise RuntimeError("the WSGI application returned without calling start_response()")
        except _StopResponse:
            pass
        except BaseException:
            # Even SystemExit: the request must not be left unanswered.
            self._end(Failure())
        else:
            self._end(None)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    _log.failure(
                        "close() of the response of WSGI application {application!r} failed",
                        application=self._application,
                    )

    def _end(self, failure: Failure | None) -> None:
        try:
            self._call(self._finish, failure)
        except _StopResponse:
            pass

    # -- reactor thread ----------------------------------------------------------

    def _sendHeaders(self) -> None:
        request = self._request
        assert self._status is not None
        code, _, reason = self._status.partition(" ")
        request.setResponseCode(int(code), reason.encode("iso-8859-1"))
        for name, value in self._headers:
            request.responseHeaders.addRawHeader(
                name.encode("iso-8859-1"), value.encode("iso-8859-1")
            )
        self._headersSent = True

    def _writeChunk(self, data: bytes) -> Deferred[None] | None:
        if self._stopped:
            return None
        if not self._headersSent:
            self._sendHeaders()
        self._request.write(data)
        if self._paused is not None:
            d: Deferred[None] = Deferred()
            self._paused.append(d)
            return d
        return None

    def _finish(self, failure: Failure | None) -> None:
        request = self._request
        if failure is not None:
            _log.failure(
                "WSGI application {application!r} failed on {method} {uri}",
                failure=failure,
                application=self._application,
                method=_text(request.method),
                uri=_text(request.uri),
            )
        if self._stopped:
            return
        request.unregisterProducer()
        if failure is None:
            if not self._headersSent:
                self._sendHeaders()
            request.finish()
        elif not self._headersSent:
            request.setResponseCode(500)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            request.setHeader(b"content-length", b"%d" % len(_ERROR_BODY))
            request.write(_ERROR_BODY)
            request.finish()
        else:
            # Part of the response is out: it cannot be completed honestly.
            request.loseConnection()


@implementer(IResource)
class WSGIResource:
    """
    A resource that answers every request below it with a WSGI (PEP 3333)
    application, such as a Flask or Django app, run in a thread pool.

    The application's response is streamed: each chunk it yields is sent
    before the next is asked for, and a client that reads slowly holds the
    application back.

    @cvar isLeaf: Always true: the application handles the whole subtree.
    """

    isLeaf = True

    def __init__(self, reactor: Any, threadpool: Any, application: Any) -> None:
        """
        @param reactor: The reactor whose thread serves the requests.
        @param threadpool: The thread pool that runs the application, such
            as C{reactor.getThreadPool()}.
        @param application: The WSGI application: a callable taking
            C{(environ, start_response)}.
        """
        self._reactor = reactor
        self._threadpool = threadpool
        self._application = application

    def __repr__(self) -> str:
        return f"<WSGIResource {self._application!r}>"

    def render(self, request: Any) -> int:
        """
        Start the application for C{request} in the thread pool.

        @param request: The request.
        @return: L{NOT_DONE_YET}: the response is written from the pool.
        """
        response = _WSGIResponse(self._reactor, request, self._application, _environ(request))
        request.registerProducer(response, True)
        self._threadpool.callInThread(response.run)
        return NOT_DONE_YET

    def getChildWithDefault(self, name: bytes, request: Any) -> IResource:
        """
        Refuse: a WSGI application has no child resources.

        @param name: The path segment.
        @param request: The request.
        @raise RuntimeError: Always.
        """
        raise RuntimeError(
            f"WSGIResource has no children (asked for {name!r}): it is a leaf, and its "
            "application sees the rest of the path in PATH_INFO"
        )

    def putChild(self, path: bytes, child: IResource) -> None:
        """
        Refuse: a WSGI application has no child resources.

        @param path: The path segment.
        @param child: The child.
        @raise RuntimeError: Always.
        """
        raise RuntimeError(
            f"WSGIResource cannot have children (putChild({path!r}, ...)): route "
            f"{quote(path.decode('latin-1'))!r} inside the WSGI application instead"
        )


__all__ = ["WSGIResource"]
