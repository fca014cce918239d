# LogPublisher: fan one event out to many observers.
#
# Observers are kept in a tuple that add/remove replace wholesale, so a call
# iterates a snapshot: an observer may add or remove observers (itself
# included) while an event is being delivered, and the delivery in progress
# is unaffected.  The hot path is a bare loop with a try block, which costs
# nothing unless an observer raises.
#
# When observers raise, every other observer still gets the event.  Then, for
# each observer that raised, a critical event carrying the Failure is
# delivered to the observers that did not raise.  If one of those raises in
# turn, the same happens again with it excluded too; each round excludes at
# least one more observer, so the reporting always ends.

from __future__ import annotations

from zope.interface import implementer

from torsion.logger._interfaces import ILogObserver, LogEvent, LogObserver
from torsion.logger._logger import Logger
from torsion.python.failure import Failure

_ERROR_NAMESPACE = "torsion.logger"


@implementer(ILogObserver)
class LogPublisher:
    """
    An observer that passes each event on to the observers added to it.

    An observer that raises does not stop the event from reaching the others;
    the exception is reported to them as a critical event whose
    C{log_failure} is the exception and whose C{observer} field is the
    observer that raised.
    """

    def __init__(self, *observers: LogObserver) -> None:
        """
        @param observers: The initial observers, in delivery order.
        """
        self._observers: tuple[LogObserver, ...] = observers

    def addObserver(self, observer: LogObserver) -> None:
        """
        Add an observer, after the existing ones; adding one twice does nothing.

        @param observer: The observer to add.
        @raise TypeError: If C{observer} is not callable.
        """
        if not callable(observer):
            raise TypeError(
                f"a log observer must be callable with an event dict, "
                f"not {type(observer).__name__} {observer!r}"
            )
        if observer not in self._observers:
            self._observers = (*self._observers, observer)

    def removeObserver(self, observer: LogObserver) -> None:
        """
        Remove an observer; removing one that was not added does nothing.

        @param observer: The observer to remove.
        """
        observers = list(self._observers)
        if observer in observers:
            observers.remove(observer)
            self._observers = tuple(observers)

    def __call__(self, event: LogEvent) -> None:
        """
        Deliver an event to every observer, in the order they were added.

        @param event: The event.
        """
        failures: list[tuple[LogObserver, Failure]] | None = None
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                if failures is None:
                    failures = []
                failures.append((observer, Failure()))
        if failures is not None:
            self._reportFailures(failures, ())

    def _deliverExcept(self, event: LogEvent, excluded: tuple[LogObserver, ...]) -> None:
        """
        Deliver an error report to the observers not in C{excluded}.
        """
        failures: list[tuple[LogObserver, Failure]] = []
        for observer in self._observers:
            if observer in excluded:
                continue
            try:
                observer(event)
            except Exception:
                failures.append((observer, Failure()))
        if failures:
            self._reportFailures(failures, excluded)

    def _reportFailures(
        self,
        failures: list[tuple[LogObserver, Failure]],
        excluded: tuple[LogObserver, ...],
    ) -> None:
        """
        Report observers that raised to the observers that have not.
        """
        excluded = (*excluded, *(observer for observer, _ in failures))
        log = Logger(
            _ERROR_NAMESPACE,
            self,
            lambda event: self._deliverExcept(event, excluded),
        )
        for observer, failure in failures:
            log.failure(
                "Log observer {observer!r} raised an exception; "
                "the other observers still received the event.",
                failure,
                observer=observer,
            )
