# The Logger: the object emitters call.
#
# A Logger builds an event dict from the keyword arguments and a few log_*
# keys, and hands it to one observer (by default the global publisher).  That
# is the whole hot path: one type check on the level, six dict stores, one
# call.  No formatting happens here; observers format only if they need text.
#
# As a class attribute a Logger is a descriptor: reading it through a class or
# instance builds a new Logger named after the class, whose source is the
# class or instance, and that shares the original's observer.
#
# failuresHandled and failureHandler are context managers that log an
# exception raised in their block and swallow it.  They handle Exception
# only: KeyboardInterrupt, SystemExit and GeneratorExit pass through (Twisted
# swallows those too, which can make a program ignore Ctrl-C).
# failureHandler's object holds no per-use state, so one can be made at
# import time and shared by every call, even across threads.

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any

from torsion.logger._interfaces import LogObserver
from torsion.logger._levels import InvalidLogLevelError, LogLevel
from torsion.python.failure import Failure


class Logger:
    """
    Emits structured log events to an observer.

    Typical use is one logger per module or per class::

        log = Logger()                 # namespace: this module's __name__

        class Server:
            log = Logger()             # namespace "module.Server", source: the instance
            def start(self, port: int) -> None:
                self.log.info("Listening on port {port}", port=port)

    @ivar namespace: Where events come from, usually a dotted module or class name.
    @ivar source: The object emitting, if any (a class or an instance).
    @ivar observer: The observer receiving this logger's events.
    """

    def __init__(
        self,
        namespace: str | None = None,
        source: object = None,
        observer: LogObserver | None = None,
    ) -> None:
        """
        @param namespace: The namespace of the events; L{None} means the
            C{__name__} of the module that creates the logger.
        @param source: The object the events are about, stored as C{log_source}.
        @param observer: Where the events go; L{None} means
            L{torsion.logger.globalLogPublisher}.
        """
        if namespace is None:
            namespace = sys._getframe(1).f_globals.get("__name__", "<unknown>")
        if observer is None:
            # Imported here: _global builds on Logger, so it cannot be imported first.
            from torsion.logger._global import globalLogPublisher

            observer = globalLogPublisher
        self.namespace: str = namespace
        self.source = source
        self.observer: LogObserver = observer

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Logger:
        """
        Give a logger for the class or instance this logger is read through.

        @param instance: The instance, or L{None} when read from the class.
        @param owner: The class.
        @return: A logger with namespace C{"module.ClassName"}, source
            C{instance} (or the class), and this logger's observer.
        """
        if owner is None:
            owner = type(instance)
        source = owner if instance is None else instance
        return self.__class__(f"{owner.__module__}.{owner.__name__}", source, self.observer)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.namespace!r}>"

    def emit(self, level: LogLevel, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit an event at the given level.

        The event holds C{kwargs} plus C{log_logger}, C{log_level},
        C{log_namespace}, C{log_source}, C{log_format} and C{log_time}.  An
        invalid C{level} does not raise: a critical event about it is emitted
        instead, and the original event is dropped.

        @param level: The event's level.
        @param format: A PEP 3101 format for the event's message, whose
            fields name keys of the event (see L{torsion.logger.formatEvent}).
            Pass values as keyword arguments rather than pre-formatting them,
            so observers get structured data.
        @param kwargs: The event's fields.
        """
        if type(level) is not LogLevel:
            self._reportInvalidLevel(level, format)
            return
        # Stores rather than dict.update(...): one less dict to build per event.
        kwargs["log_logger"] = self
        kwargs["log_level"] = level
        kwargs["log_namespace"] = self.namespace
        kwargs["log_source"] = self.source
        kwargs["log_format"] = format
        kwargs["log_time"] = time.time()
        self.observer(kwargs)

    def _reportInvalidLevel(self, level: object, format: str | None) -> None:
        try:
            raise InvalidLogLevelError(level)
        except InvalidLogLevelError:
            self.failure(
                "Got invalid log level {invalidLevel!r} in {logger}.emit(); "
                "dropped the event with format {invalidFormat!r}.",
                invalidLevel=level,
                invalidFormat=format,
                logger=self,
            )

    def failure(
        self,
        format: str,
        failure: Failure | None = None,
        level: LogLevel = LogLevel.critical,
        **kwargs: Any,
    ) -> None:
        """
        Emit an event about a failure, with the failure as C{log_failure}.

        Call it in an C{except} block to log the exception being handled::

            try:
                frobnicate()
            except Exception:
                log.failure("Frobnication of {name} failed", name=name)

        @param format: The message format, as for L{emit}.
        @param failure: The failure; L{None} means C{Failure()}, the
            exception being handled.
        @param level: The event's level.
        @param kwargs: The event's other fields.
        @raise torsion.python.failure.NoCurrentExceptionError: If C{failure}
            is L{None} and no exception is being handled.
        """
        if failure is None:
            failure = Failure()
        self.emit(level, format, log_failure=failure, **kwargs)

    def failuresHandled(
        self, format: str, level: LogLevel = LogLevel.critical, **kwargs: Any
    ) -> _FailuresHandled:
        """
        Run a block, logging (and swallowing) an exception it raises.

        ::

            with log.failuresHandled("While frobbing {knob}:", knob=knob) as op:
                frob(knob)
            if op.succeeded:
                log.info("frobbed {knob}", knob=knob)

        Only L{Exception}s are handled: C{KeyboardInterrupt}, C{SystemExit}
        and C{GeneratorExit} propagate.

        @param format: The message format of the failure event, as for L{emit}.
        @param level: The failure event's level.
        @param kwargs: The failure event's other fields.
        @return: A context manager giving an L{Operation} that tells whether
            the block succeeded or failed.
        """
        return _FailuresHandled(self, format, level, kwargs)

    def failureHandler(
        self, staticMessage: str, level: LogLevel = LogLevel.critical
    ) -> _FailureHandler:
        """
        Make a reusable context manager that logs and swallows exceptions.

        Cheaper than L{failuresHandled} in hot code: make it once, at import
        time, and enter it on every call::

            ignoringFrobErrors = log.failureHandler("while frobbing:")

            def hotLoop() -> None:
                with ignoringFrobErrors:
                    frob()

        Only L{Exception}s are handled: C{KeyboardInterrupt}, C{SystemExit}
        and C{GeneratorExit} propagate.

        @param staticMessage: The message format of the failure event; no
            fields other than the event's own C{log_*} keys are available.
        @param level: The failure event's level.
        @return: The context manager; it gives L{None} when entered.
        """
        return _FailureHandler(self, staticMessage, level)

    def debug(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit a C{debug} event.

        @param format: The message format, as for L{emit}.
        @param kwargs: The event's fields.
        """
        self.emit(LogLevel.debug, format, **kwargs)

    def info(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit an C{info} event.

        @param format: The message format, as for L{emit}.
        @param kwargs: The event's fields.
        """
        self.emit(LogLevel.info, format, **kwargs)

    def warn(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit a C{warn} event.

        @param format: The message format, as for L{emit}.
        @param kwargs: The event's fields.
        """
        self.emit(LogLevel.warn, format, **kwargs)

    def error(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit an C{error} event.

        @param format: The message format, as for L{emit}.
        @param kwargs: The event's fields.
        """
        self.emit(LogLevel.error, format, **kwargs)

    def critical(self, format: str | None = None, **kwargs: Any) -> None:
        """
        Emit a C{critical} event.

        @param format: The message format, as for L{emit}.
        @param kwargs: The event's fields.
        """
        self.emit(LogLevel.critical, format, **kwargs)


class Operation:
    """
    The outcome of a block run under L{Logger.failuresHandled}.

    @ivar succeeded: True once the block has completed without an exception.
    @ivar failed: True once the block has raised an exception.
    @ivar failure: The L{Failure} of the exception the block raised, if any.
    """

    __slots__ = ("failed", "failure", "succeeded")

    def __init__(self) -> None:
        self.succeeded = False
        self.failed = False
        self.failure: Failure | None = None

    def __repr__(self) -> str:
        state = "succeeded" if self.succeeded else "failed" if self.failed else "running"
        return f"<Operation {state}>"


class _FailuresHandled:
    """
    The context manager of L{Logger.failuresHandled}.
    """

    __slots__ = ("_format", "_kwargs", "_level", "_logger", "_operation")

    def __init__(
        self, logger: Logger, format: str, level: LogLevel, kwargs: dict[str, Any]
    ) -> None:
        self._logger = logger
        self._format = format
        self._level = level
        self._kwargs = kwargs
        self._operation = Operation()

    def __enter__(self) -> Operation:
        return self._operation

    def __exit__(
        self,
        excType: type[BaseException] | None,
        excValue: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        operation = self._operation
        if excValue is None:
            operation.succeeded = True
            return False
        if not isinstance(excValue, Exception):
            return False
        operation.failed = True
        operation.failure = Failure(excValue, excType, traceback)
        self._logger.failure(self._format, operation.failure, self._level, **self._kwargs)
        return True


class _FailureHandler:
    """
    The reusable context manager of L{Logger.failureHandler}.
    """

    __slots__ = ("_level", "_logger", "_message")

    def __init__(self, logger: Logger, message: str, level: LogLevel) -> None:
        self._logger = logger
        self._message = message
        self._level = level

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        excType: type[BaseException] | None,
        excValue: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(excValue, Exception):
            return False
        self._logger.failure(self._message, Failure(excValue, excType, traceback), self._level)
        return True
