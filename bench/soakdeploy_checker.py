"""What the tabs of ``bench/soak_deploy.py`` accepted, checked frame by frame.

Per segment: the event counter must rise strictly and never come back to what the tab had
before it reloaded. Per widget: every counter any of its pages accepted (to find what one
page lacks that another saw). And the latency of every delivery.
"""

from __future__ import annotations

from collections import defaultdict

from latency_hist import LatencyHistogram
from pageclient import Item, Page
from soakdeploy_tabs import Tab

__all__ = ["Checker"]


class Checker:
    """Every accepted frame: the event counter per segment, what each widget's pages saw,
    latencies."""

    def __init__(self) -> None:
        self.seen: dict[str, set[int]] = defaultdict(set)  # label -> every n any page accepted
        # Every delivery, and those emitted while their page was connected (the others
        # came with a replay after a cut).
        self.hist = LatencyHistogram()
        self.live_hist = LatencyHistogram()
        self.max_ms = 0.0
        self.others: dict[str, int] = defaultdict(int)

    def on_frame(self, page: Page, item: Item, now: float) -> None:
        assert isinstance(page, Tab)
        kind = item.type
        if kind == "soak:ev":
            seg = page.seg
            n = item.data["n"]
            if seg["last_n"] is not None and n <= seg["last_n"]:
                seg["n_errors"] += 1
            if n <= page.max_n_before:
                seg["stale"] += 1
            if seg["first_n"] is None:
                seg["first_n"] = n
            seg["last_n"] = n
            seg["accepted"] += 1
            self.seen[page.widget.label].add(n)
            ms = (now - item.data["t0"]) * 1000
            self.max_ms = max(self.max_ms, ms)
            self.hist.add(ms)
            if item.data["t0"] >= page.connected_at:
                self.live_hist.add(ms)
        elif kind == "pywry:hello":
            page.attempts = 0
            page.seg["connects"] += 1
            data = item.data if isinstance(item.data, dict) else {}
            if data.get("cursor") != page.since_sent:
                page.seg["hello_mismatches"] += 1
                if len(page.seg["hellos_behind"]) < 5:
                    page.seg["hellos_behind"].append((page.since_sent, data.get("cursor")))
        elif kind in ("pywry:resync", "pywry:overflow"):
            page.resync_told = kind
            self.others[kind] += 1
        elif kind != "pywry:ack":
            self.others[kind or "?"] += 1

    def latency_ms(self, q: float, *, live: bool = False) -> float:
        return (self.live_hist if live else self.hist).percentile(q)
