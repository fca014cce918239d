# Exceptions of the reactor and transports, collected in one module so that
# torsion.internet.error can re-export them.  Each formats its facts in
# __str__, with an optional extra message, as Twisted's do.
from __future__ import annotations

import errno
import socket


class _DescribedError(Exception):
    """
    An error with a fixed description plus optional detail arguments.
    """

    description = "An error occurred"

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        if detail:
            return f"{self.description}: {detail}."
        return f"{self.description}."


class AlreadyCalled(ValueError):
    """
    A delayed call was cancelled, reset or delayed after it had already run.
    """

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        return detail or "Tried to cancel an already-called event."


class AlreadyCancelled(ValueError):
    """
    A delayed call was cancelled, reset or delayed after it had been cancelled.
    """

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        return detail or "Tried to cancel an already-cancelled event."


class ConnectError(Exception):
    """
    A connection could not be made.

    @ivar osError: The operating system's error, if that is the cause.
    """

    description = "An error occurred while connecting"

    def __init__(self, osError: object = None, string: str = "") -> None:
        super().__init__(string)
        self.osError = osError

    def __str__(self) -> str:
        text = self.description
        if self.osError:
            text = f"{text}: {self.osError}"
        if self.args and self.args[0]:
            text = f"{text}: {self.args[0]}"
        return f"{text}."


class ConnectBindError(ConnectError):
    """
    The local address asked for (bindAddress) could not be bound.
    """

    description = "Couldn't bind"


class UnknownHostError(ConnectError):
    """
    The host name is not known.
    """

    description = "Hostname couldn't be looked up"


class NoRouteError(ConnectError):
    """
    There is no route to the host.
    """

    description = "No route to host"


class ConnectionRefusedError(ConnectError):
    """
    The other side refused the connection (nothing listens there).
    """

    description = "Connection was refused by other side"


class TCPTimedOutError(ConnectError):
    """
    The operating system gave up connecting (ETIMEDOUT).
    """

    description = "TCP connection timed out"


class BadFileError(ConnectError):
    """
    A bad file descriptor was used.
    """

    description = "File used for UNIX socket is no good"


class ServiceNameUnknownError(ConnectError):
    """
    The service (port) name is not known.
    """

    description = "Service name given as port is unknown"


class UserError(ConnectError):
    """
    The connection attempt was stopped by the user.
    """

    description = "User aborted connection"


class TimeoutError(UserError):
    """
    A connection attempt took longer than its timeout.
    """

    description = "User timeout caused connection failure"


class SSLError(ConnectError):
    """
    A TLS error while connecting.
    """

    description = "An SSL error occurred"


class ConnectingCancelledError(Exception):
    """
    A connection attempt was cancelled (its Deferred was cancelled).

    @ivar address: The address being connected to.
    """

    def __init__(self, address: object) -> None:
        super().__init__(address)
        self.address = address


class DNSLookupError(OSError):
    """
    A host name could not be resolved.
    """


class BindError(Exception):
    """
    An address could not be bound.
    """

    def __str__(self) -> str:
        detail = " ".join(str(arg) for arg in self.args)
        return f"An error occurred binding to an interface{': ' + detail if detail else ''}."


class CannotListenError(BindError):
    """
    listenTCP (or a sibling) could not listen on the address.

    @ivar interface: The interface asked for.
    @ivar port: The port asked for.
    @ivar socketError: The operating system's error.
    """

    def __init__(self, interface: str, port: int | str, socketError: BaseException) -> None:
        super().__init__(interface, port, socketError)
        self.interface = interface
        self.port = port
        self.socketError = socketError

    def __str__(self) -> str:
        if isinstance(self.port, str) and not self.interface:
            return f"Couldn't listen on {self.port}: {self.socketError}."  # a path
        where = self.interface or "any"
        return f"Couldn't listen on {where}:{self.port}: {self.socketError}."


class AlreadyListened(Exception):
    """
    An adopted socket was already listening (or not listening when it should).
    """


class NotListeningError(RuntimeError):
    """
    The port is not listening.
    """


class NotConnectingError(RuntimeError):
    """
    The connector is not connecting (stopConnecting called at the wrong time).
    """


class ConnectInProgressError(Exception):
    """
    A connection attempt is already under way.
    """


class MessageLengthError(Exception):
    """
    A datagram was too long to send.
    """


class MulticastJoinError(Exception):
    """
    Joining a multicast group failed.
    """


class NoProtocol(Exception):
    """
    A factory's buildProtocol returned None.
    """


class InvalidAddressError(ValueError):
    """
    An address is not valid for its kind.

    @ivar address: The address.
    @ivar message: What is wrong with it.
    """

    def __init__(self, address: object, message: str) -> None:
        super().__init__(address, message)
        self.address = address
        self.message = message

    def __str__(self) -> str:
        return f"Invalid address {self.address!r}: {self.message}"


class UnsupportedAddressFamily(Exception):
    """
    An address family is not supported here.
    """


class UnsupportedSocketType(Exception):
    """
    A socket type is not supported here.
    """


class ConnectionClosed(Exception):
    """
    A connection ended, cleanly or not.
    """


class ConnectionLost(ConnectionClosed, _DescribedError):
    """
    A connection ended in an unclean way (reset, broken pipe, aborted).
    """

    description = "Connection to the other side was lost in a non-clean fashion"


class ConnectionAborted(ConnectionLost):
    """
    The connection was ended by abortConnection().
    """

    description = "Connection was aborted locally using ITCPTransport.abortConnection"


class ConnectionDone(ConnectionClosed, _DescribedError):
    """
    A connection was closed cleanly.
    """

    description = "Connection was closed cleanly"


class ConnectionFdescWentAway(ConnectionLost):
    """
    The descriptor's fileno() went bad (closed behind the reactor's back).
    """

    description = "The file descriptor of the connection went away"


class FileDescriptorOverrun(ConnectionLost):
    """
    More file descriptors were received than the protocol could take.
    """

    description = (
        "A mis-use of IUNIXTransport.sendFileDescriptor caused the connection to be closed"
    )


class ProcessDone(ConnectionDone):
    """
    A process exited with status 0.

    @ivar exitCode: 0.
    @ivar signal: None.
    @ivar status: The raw wait status.
    """

    description = "A process has ended without apparent errors"

    def __init__(self, status: int) -> None:
        super().__init__("process finished with exit code 0")
        self.exitCode = 0
        self.signal = None
        self.status = status


class ProcessTerminated(ConnectionLost):
    """
    A process exited with a non-zero status or was killed by a signal.

    @ivar exitCode: The exit code, or None if killed by a signal.
    @ivar signal: The signal number, or None.
    @ivar status: The raw wait status.
    """

    description = "A process has ended with a probable error condition"

    def __init__(
        self, exitCode: int | None = None, signal: int | None = None, status: int | None = None
    ) -> None:
        self.exitCode = exitCode
        self.signal = signal
        self.status = status
        detail = []
        if exitCode is not None:
            detail.append(f"process ended with exit code {exitCode}")
        if signal is not None:
            detail.append(f"process ended by signal {signal}")
        super().__init__(*detail)


class ProcessExitedAlready(Exception):
    """
    The process has already exited (signalProcess on a dead process).
    """


class VerifyError(Exception):
    """
    Certificate verification failed.
    """


class PeerVerifyError(VerifyError):
    """
    The peer's certificate failed verification.
    """


class CertificateError(Exception):
    """
    A certificate is not valid.
    """


class ReactorNotRunning(RuntimeError):
    """
    stop() or crash() was called on a reactor that is not running.
    """


class ReactorNotRestartable(RuntimeError):
    """
    run() was called on a reactor that has already been stopped.
    """


class ReactorAlreadyRunning(RuntimeError):
    """
    run() was called on a reactor that is running.
    """


class ReactorAlreadyInstalledError(AssertionError):
    """
    A reactor was installed when one already was.
    """


__all__ = [
    "AlreadyCalled",
    "AlreadyCancelled",
    "AlreadyListened",
    "BadFileError",
    "BindError",
    "CannotListenError",
    "CertificateError",
    "ConnectBindError",
    "ConnectError",
    "ConnectInProgressError",
    "ConnectingCancelledError",
    "ConnectionAborted",
    "ConnectionClosed",
    "ConnectionDone",
    "ConnectionFdescWentAway",
    "ConnectionLost",
    "ConnectionRefusedError",
    "DNSLookupError",
    "FileDescriptorOverrun",
    "InvalidAddressError",
    "MessageLengthError",
    "MulticastJoinError",
    "NoProtocol",
    "NoRouteError",
    "NotConnectingError",
    "NotListeningError",
    "PeerVerifyError",
    "ProcessDone",
    "ProcessExitedAlready",
    "ProcessTerminated",
    "ReactorAlreadyInstalledError",
    "ReactorAlreadyRunning",
    "ReactorNotRestartable",
    "ReactorNotRunning",
    "SSLError",
    "ServiceNameUnknownError",
    "TCPTimedOutError",
    "TimeoutError",
    "UnknownHostError",
    "UnsupportedAddressFamily",
    "UnsupportedSocketType",
    "UserError",
    "VerifyError",
    "getConnectError",
]


_ERRNO_ERRORS: dict[int, type[ConnectError]] = {
    errno.ECONNREFUSED: ConnectionRefusedError,
    errno.ENETUNREACH: NoRouteError,
    errno.EHOSTUNREACH: NoRouteError,
    errno.ETIMEDOUT: TCPTimedOutError,
}


def getConnectError(e: BaseException) -> ConnectError:
    """
    Translate an OS error from connecting into the matching L{ConnectError}.

    @param e: The exception (usually an C{OSError}).
    @return: A L{ConnectError} subclass instance that names the OS error.
    """
    if isinstance(e, ConnectError):
        return e
    if isinstance(e, socket.gaierror):
        return UnknownHostError(string=str(e))
    number = getattr(e, "errno", None)
    kind = _ERRNO_ERRORS.get(number, ConnectError) if isinstance(number, int) else ConnectError
    return kind(string=f"{e.strerror or e}" if isinstance(e, OSError) else str(e))
