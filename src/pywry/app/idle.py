"""When ``block()`` may return: pages came, and every one has been gone for a grace period.

A reload closes a page's socket and opens a new one a moment later; the grace period
(``reconnect_grace``) keeps that from counting as the user closing the tab. Fed by the hub
on the event loop; waited on by the script's thread.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["IdleWatch"]


class IdleWatch:
    """Counts open pages and says when all of them have been gone for ``grace`` seconds."""

    def __init__(self, *, grace: float) -> None:
        self._grace = grace
        self._idle = threading.Event()
        self._open = 0
        self._ever_opened = False
        self._timer: asyncio.TimerHandle | None = None

    @property
    def open_pages(self) -> int:
        return self._open

    def expect_page(self) -> None:
        """A widget was shown: wait for its page, whatever pages went before."""
        self._idle.clear()
        self._cancel_timer()

    def page_opened(self) -> None:
        self._open += 1
        self._ever_opened = True
        self._idle.clear()
        self._cancel_timer()

    def page_closed(self, *, stopping: bool = False) -> None:
        self._open -= 1
        if self._open == 0 and self._ever_opened and not stopping:
            self._cancel_timer()
            self._timer = asyncio.get_running_loop().call_later(self._grace, self._grace_over)

    def nothing_shown(self) -> None:
        """Every widget was closed: nothing is left to wait for."""
        self._idle.set()

    def release(self) -> None:
        """The app stopped: waiting ends now."""
        self._cancel_timer()
        self._idle.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until idle (from the script's thread); whether it is."""
        return self._idle.wait(timeout)

    def _grace_over(self) -> None:
        self._timer = None
        if self._open == 0:
            self._idle.set()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
