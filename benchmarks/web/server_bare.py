"""
A bare pure-Python epoll hello-world server for the web benchmark.

No framework: non-blocking sockets and C{select.epoll}, one loop.  It reads
each request only up to its C{\\r\\n\\r\\n} (GET requests have no body),
answers every one with the same C{Hello, world!} response, keeps the
connection open unless the request said C{Connection: close}, and answers
pipelined requests in order.  It checks nothing else, so it shows the
ceiling for a Python HTTP server on this machine, not a usable one.
Prints the port on its own line, then serves until SIGTERM.
"""

from __future__ import annotations

import select
import signal
import socket
import sys

BODY = b"Hello, world!"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n" % len(BODY)
KEEP = HEAD + b"\r\n" + BODY
CLOSE = HEAD + b"Connection: close\r\n\r\n" + BODY


def serve() -> None:
    """
    Listen on 127.0.0.1 (a port the kernel picks), print it, serve until
    SIGTERM.
    """
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(0))
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    listening.listen(1024)
    listening.setblocking(False)
    print(listening.getsockname()[1], flush=True)
    poller = select.epoll()
    poller.register(listening.fileno(), select.EPOLLIN)
    connections: dict[int, tuple[socket.socket, bytearray]] = {}
    while True:
        for fd, _events in poller.poll():
            if fd == listening.fileno():
                while True:
                    try:
                        connection, _ = listening.accept()
                    except BlockingIOError:
                        break
                    connection.setblocking(False)
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    connections[connection.fileno()] = (connection, bytearray())
                    poller.register(connection.fileno(), select.EPOLLIN)
                continue
            connection, buffer = connections[fd]
            try:
                data = connection.recv(65536)
            except OSError:
                data = b""
            buffer += data
            replies, close = [], not data
            while not close and (end := buffer.find(b"\r\n\r\n")) >= 0:
                close = b"connection: close" in bytes(buffer[:end]).lower()
                replies.append(CLOSE if close else KEEP)
                del buffer[: end + 4]
            if replies:
                # Small replies into an empty send buffer: sendall does not block.
                connection.sendall(b"".join(replies))
            if close:
                poller.unregister(fd)
                del connections[fd]
                connection.close()


if __name__ == "__main__":
    serve()
