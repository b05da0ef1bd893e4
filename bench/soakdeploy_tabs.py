"""Browser tabs of ``bench/soak_deploy.py``: pages that resume, back off and reload.

A :class:`Tab` is one page of a widget across reloads: each reload (told to resynchronise,
or refused for its token) starts a new segment with a new page id, and every segment is
judged on its own. :class:`TabLoop` reconnects with the bridge's backoff and reloads the
tabs that were told to.
"""

from __future__ import annotations

import contextlib
import random
import time
from typing import TYPE_CHECKING, Any

from pageclient import Item, Page, PageLoop, WidgetConfig, fetch_config
from wsclients import masked_frame

if TYPE_CHECKING:
    from soakdeploy_checker import Checker

__all__ = ["RELOAD_CODES", "Tab", "TabLoop"]

RELOAD_CODES = {4000: "resync", 4001: "auth"}  # closes after which a page reloads


class Tab(Page):
    """One browser tab of a widget: a page that reloads when told to, segment by segment."""

    def __init__(self, base: str, label: str, index: int) -> None:
        self.base = base
        self.index = index
        self.url = f"{base}/widget/{label}"
        super().__init__(fetch_config(self.url), f"t{index}-s0")
        self.segments: list[dict[str, Any]] = []
        self.attempts = 0  # reconnects since the last hello (the backoff's exponent)
        self.reload_at: float | None = None
        self.resync_told: str | None = None  # a pywry:resync/overflow arrived
        self.reloads = 0
        self.max_n_before = 0  # the highest event counter of the segments before this one
        self.seg: dict[str, Any] = {}
        self._open_segment(self.widget, "start", time.monotonic())

    def _open_segment(self, config: WidgetConfig, reason: str, now: float) -> None:
        self.seg = {
            "page_id": self.page_id,
            "reason": reason,
            "since": config.since,
            "t_start": now,
            "accepted": 0,
            "first_n": None,
            "last_n": None,
            "n_errors": 0,  # counter not strictly increasing: doubled or out of order
            "stale": 0,  # events the page had before it reloaded, delivered again after
            "resent": 0,  # frames at or below the last number, already seen: dropped
            "hidden": 0,  # frames at or below the last number carrying a NEW event: lost
            "missing": 0,
            "gaps": [],
            "connects": 0,
            "hello_mismatches": 0,
            "hellos_behind": [],  # (since sent, cursor given) when the server went back
            "end": None,
        }
        self.segments.append(self.seg)

    def reload(self, config: WidgetConfig, reason: str, now: float) -> None:
        """Start over as a freshly loaded page: a new page id, the new page's ``since``."""
        self.close_segment(f"reload ({reason})", now)
        if self.seg["last_n"] is not None:
            self.max_n_before = max(self.max_n_before, self.seg["last_n"])
        self.reloads += 1
        self.widget = config
        self.page_id = f"t{self.index}-s{self.reloads}"
        self.last_seq = config.since
        self.since_sent = config.since
        self.resync_told = None
        self.reload_at = None
        self._open_segment(config, reason, now)

    def close_segment(self, why: str, now: float) -> None:
        seg = self.seg
        seg["end"] = why
        seg["t_end"] = now
        seg["last_seq"] = self.last_seq

    def take(self, item: Item) -> bool:
        seq = item.seq
        assert seq is not None
        seg = self.seg
        if seq <= self.last_seq:
            # What the page drops as already seen. A new event, though, is lost: one after
            # the last the segment accepted, or (before it accepted any) one emitted after
            # the page was loaded.
            n = _n_of(item)
            if n is not None and (
                n > seg["last_n"]
                if seg["last_n"] is not None
                else item.data.get("t0", 0) > seg["t_start"]
            ):
                seg["hidden"] += 1
            else:
                seg["resent"] += 1
            return False
        if seq != self.last_seq + 1:
            seg["missing"] += seq - self.last_seq - 1
            if len(seg["gaps"]) < 10:
                seg["gaps"].append((self.last_seq, seq))
        self.last_seq = seq
        return True


def _n_of(item: Item) -> int | None:
    if item.type == "soak:ev" and isinstance(item.data, dict):
        n = item.data.get("n")
        return n if isinstance(n, int) else None
    return None


class TabLoop(PageLoop):
    """The pages' loop, reconnecting with the bridge's backoff and reloading when told."""

    def __init__(self, checker: Checker) -> None:
        super().__init__(on_frame=checker.on_frame, reconnect_delay=lambda: 1.0)
        self.reload_failures = 0

    def _schedule(self, page: Page, now: float) -> None:
        assert isinstance(page, Tab)
        base = min(10.0, 2.0**page.attempts)
        page.attempts += 1
        page.reconnect_at = now + base * random.uniform(0.8, 1.2)

    def _lost(self, page: Page, now: float, code: int | None) -> None:
        assert isinstance(page, Tab)
        if page.sock is None:
            return
        super()._lost(page, now, code)
        reason = RELOAD_CODES.get(code or 0) or (page.resync_told and "resync")
        if reason and page.resync_told == "pywry:overflow":
            reason = "overflow"  # the page fell too far behind: the server's slow-page policy
        if reason:
            page.reconnect_at = None
            page.reload_at = now + random.uniform(0.05, 0.2)  # the browser reloads at once
            page.seg["reload_reason"] = f"{reason} (close {code})"

    def poll(self, timeout: float) -> None:
        now = time.monotonic()
        for page in self.pages:
            assert isinstance(page, Tab)
            if page.reload_at is not None and page.reload_at <= now:
                self._reload(page, now)
                timeout = 0
        super().poll(timeout)

    def _reload(self, tab: Tab, now: float) -> None:
        try:
            config = fetch_config(tab.url)
        except (OSError, RuntimeError):
            self.reload_failures += 1
            tab.reload_at = now + 1.0
            return
        # The segment starts once the page is rendered: an event emitted after this moment
        # is numbered after the page's ``since`` (see Tab.take).
        tab.reload(config, tab.seg.get("reload_reason", "reload"), time.monotonic())
        self.open(tab)

    def cut(self, page: Page) -> None:
        """A TCP reset, no close frame: the network blips."""
        super().cut(page)

    def close_by_page(self, page: Page) -> None:
        """The page sends a close frame (1000) and drops the connection."""
        sock = page.sock
        if sock is None:
            return
        with contextlib.suppress(OSError):
            sock.send(masked_frame((1000).to_bytes(2, "big"), opcode=0x8))
        self._lost(page, time.monotonic(), None)
