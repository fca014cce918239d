# Server-side sessions: a Session is a Componentized object a Site keeps by
# uid (a 256-bit random hex string, so that ids cannot be guessed).  Each
# session schedules its own expiry on the site's reactor clock:
# sessionTimeout seconds after the last touch() (which a request's
# getSession() calls), expire() runs, drops it from the site and calls the
# notifyOnExpire callbacks.  touch() only records the time; the timer, when
# it fires, reschedules itself for the remaining time if the session was
# touched meanwhile, so a busy session costs one timer, not one reset per
# request.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torsion.internet.interfaces import IDelayedCall
from torsion.python.components import Componentized


class Session(Componentized):
    """
    A user's session on a L{Site}, found again through a cookie.

    @ivar uid: The session's id, as bytes.
    @ivar site: The site that keeps it.
    @ivar lastModified: When it was last touched, in the reactor's seconds.
    @ivar sessionTimeout: Seconds of disuse after which it expires.
    @ivar expireCallbacks: What L{expire} calls.
    """

    sessionTimeout: float = 900

    def __init__(self, site: Any, uid: bytes, reactor: Any = None) -> None:
        """
        @param site: The site.
        @param uid: The session's id.
        @param reactor: Whose clock times the expiry; the site's by default.
        """
        super().__init__()
        if reactor is None:
            reactor = site.reactor
        self._reactor = reactor
        self.site = site
        self.uid = uid
        self.expireCallbacks: list[Callable[[], object]] = []
        self.lastModified = reactor.seconds()
        self._expireCall: IDelayedCall | None = reactor.callLater(
            self.sessionTimeout, self._checkExpired
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} uid={self.uid[:8]!r}...>"

    def startCheckingExpiration(self) -> None:
        """
        Kept for Twisted compatibility: the expiry timer starts on creation.
        """

    def notifyOnExpire(self, callback: Callable[[], object]) -> None:
        """
        Call C{callback} (with no arguments) when the session expires.

        @param callback: The callable.
        """
        self.expireCallbacks.append(callback)

    def touch(self) -> None:
        """
        Note that the session is in use: its expiry starts over.
        """
        self.lastModified = self._reactor.seconds()

    def _checkExpired(self) -> None:
        self._expireCall = None
        left = self.lastModified + self.sessionTimeout - self._reactor.seconds()
        if left > 0:
            self._expireCall = self._reactor.callLater(left, self._checkExpired)
            return
        self.expire()

    def expire(self) -> None:
        """
        End the session now: forget it and call the L{notifyOnExpire}
        callbacks.
        """
        call, self._expireCall = self._expireCall, None
        if call is not None and call.active():
            call.cancel()
        sessions = getattr(self.site, "sessions", {})
        if sessions.get(self.uid) is self:
            del sessions[self.uid]
        callbacks, self.expireCallbacks = self.expireCallbacks, []
        for callback in callbacks:
            callback()


__all__ = ["Session"]
