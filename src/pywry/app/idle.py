"""When ``block()`` may return: pages came, and every one has been gone for a grace period.

A reload closes a page's socket and opens a new one a moment later; the grace period
(``reconnect_grace``) keeps that from counting as the user closing the tab. The same is
kept for each widget, so ``block(label)`` waits for that widget's pages only. Fed by the hub
and reception on the event loop; waited on by the script's thread.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["IdleWatch"]


class _Pages:
    """Open pages of one widget (or of all), and whether they have been gone long enough."""

    def __init__(self) -> None:
        self.idle = threading.Event()
        self.open = 0
        self.ever_opened = False
        self.timer: asyncio.TimerHandle | None = None

    def expect(self) -> None:
        self.idle.clear()
        self.cancel_timer()

    def opened(self) -> None:
        self.open += 1
        self.ever_opened = True
        self.expect()

    def closed(self, grace: float, *, stopping: bool) -> None:
        self.open -= 1
        if self.open == 0 and self.ever_opened and not stopping:
            self.cancel_timer()
            self.timer = asyncio.get_running_loop().call_later(grace, self.grace_over)

    def grace_over(self) -> None:
        self.timer = None
        if self.open == 0:
            self.idle.set()

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def end(self) -> None:
        self.cancel_timer()
        self.idle.set()


class IdleWatch:
    """Counts open pages, in all and per widget, and says when all of them (or one widget's)
    have been gone for ``grace`` seconds."""

    def __init__(self, *, grace: float) -> None:
        self._grace = grace
        self._all = _Pages()
        self._widgets: dict[str, _Pages] = {}
        self._released = False

    @property
    def open_pages(self) -> int:
        return self._all.open

    def _of(self, label: str) -> _Pages:
        # setdefault: the script's thread may ask for a widget before the loop has seen it.
        return self._widgets.setdefault(label, _Pages())

    def expect_page(self, label: str) -> None:
        """A widget was shown: wait for its page, whatever pages went before."""
        self._released = False
        self._all.expect()
        self._of(label).expect()

    def page_opened(self, label: str) -> None:
        self._all.opened()
        self._of(label).opened()

    def page_closed(self, label: str, *, stopping: bool = False) -> None:
        self._all.closed(self._grace, stopping=stopping)
        pages = self._widgets.get(label)  # gone already when its widget was closed
        if pages is not None:
            pages.closed(self._grace, stopping=stopping)

    def widget_closed(self, label: str) -> None:
        """A widget was closed: nothing is left to wait for on it."""
        pages = self._widgets.pop(label, None)
        if pages is not None:
            pages.end()

    def nothing_shown(self) -> None:
        """Every widget was closed: nothing is left to wait for."""
        self._all.idle.set()

    def release(self) -> None:
        """The app stopped: waiting ends now."""
        self._released = True
        for pages in [self._all, *list(self._widgets.values())]:
            pages.end()

    def wait(self, timeout: float | None = None, label: str | None = None) -> bool:
        """Wait until idle, in all or for one widget (from the script's thread); whether it is."""
        if label is not None and self._released and label not in self._widgets:
            return True  # stopped: no page of it will come
        return (self._all if label is None else self._of(label)).idle.wait(timeout)
