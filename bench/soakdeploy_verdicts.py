"""The verdicts of ``bench/soak_deploy.py``: what was lost, doubled or replayed, and why.

An event emitted but seen by no page is lost unless the killed worker took it just before
it died, or it was emitted while the pages resynchronised after the Redis restart (it went
into the new log before they reloaded, and a reload renders the widget as it is).
"""

from __future__ import annotations

import bisect
from typing import Any

from soakdeploy_checker import Checker
from soakdeploy_emitter import Emitter
from soakdeploy_rss import RSS_GROWTH_LIMIT, RSS_MIN_MINUTES
from soakdeploy_tabs import Tab

__all__ = ["classify_unseen", "coverage", "verdicts"]

KILL_WINDOW = 1.0  # s before the kill: events the killed worker took may die with it
RESYNC_MARGIN = 0.5  # s before the Redis stop: publishes then in flight go to the new log


def classify_unseen(
    emitter: Emitter,
    checker: Checker,
    per_request: int,
    t0: float,
    redis_restart: dict[str, Any],
    kill: dict[str, Any],
) -> dict[str, Any]:
    """Events emitted (HTTP 200) that no page accepted, by why."""
    out = {"emitted_ok": 0, "seen": 0, "died_with_worker": 0, "during_resync": 0, "lost": 0}
    lost_examples = []
    # From just before the stop (a publish in flight when Redis went away is retried into
    # the new log) until every page reloaded (at most 30 s after Redis came back: a page
    # never told to resynchronise must not hide losses).
    resync_from = redis_restart.get("stopped_at", float("inf")) - RESYNC_MARGIN
    resync_to = min(
        redis_restart.get("all_resynced_at", float("inf")),
        redis_restart.get("started_at", float("inf")) + 30,
    )
    for label, n, t, ok, pid in emitter.records:
        if not ok:
            continue
        at = t - t0
        seen = checker.seen[label]
        for m in range(n, n + per_request):
            out["emitted_ok"] += 1
            if m in seen:
                out["seen"] += 1
            elif kill and pid == kill["pid"] and kill["at"] - KILL_WINDOW <= at <= kill["at"]:
                out["died_with_worker"] += 1
            elif resync_from <= at <= resync_to:
                out["during_resync"] += 1
            else:
                out["lost"] += 1
                if len(lost_examples) < 10:
                    lost_examples.append((label, m, round(at, 2), pid))
    out["lost_examples"] = lost_examples
    return out


def coverage(tabs: list[Tab], checker: Checker) -> dict[str, int]:
    """Events another page saw inside a segment's range that the segment lacks."""
    seen_sorted = {label: sorted(ns) for label, ns in checker.seen.items()}
    lacking = 0
    segments_lacking = 0
    for tab in tabs:
        ns = seen_sorted.get(tab.widget.label, [])
        for seg in tab.segments:
            if seg["first_n"] is None:
                continue
            expected = bisect.bisect_right(ns, seg["last_n"]) - bisect.bisect_left(
                ns, seg["first_n"]
            )
            if expected > seg["accepted"]:
                lacking += expected - seg["accepted"]
                segments_lacking += 1
    return {"events_lacking": lacking, "segments_lacking": segments_lacking}


def verdicts(res: dict[str, Any]) -> dict[str, bool | None]:
    """Each check's verdict; ``None``: not judged (RSS in a run under ``RSS_MIN_MINUTES``)."""
    segs = [s for t in res["tabs"] for s in t["segments"]]
    exact = not any(s["missing"] or s["hidden"] or s["n_errors"] for s in segs)
    exact = exact and res["coverage"]["events_lacking"] == 0
    restart = res["redis_restart"]
    if restart:
        until = restart.get("all_resynced_at", restart["started_at"] + 30) + 5
        after_restart = lambda t: restart["stopped_at"] <= t <= until  # noqa: E731
    else:
        after_restart = lambda t: False  # noqa: E731
    # A page that fell too far behind is told (pywry:overflow) and reloads: by design.
    stray = [
        s
        for s in segs
        if s["reason"] != "start"
        and not s["reason"].startswith("overflow")
        and not after_restart(s["t_start"])
    ]
    judged = [e for e in res["rss"].values() if e["judged"]]
    return {
        "no_event_replayed_after_a_reload": not any(s["stale"] for s in segs),
        "nothing_lost_or_doubled_in_segments": exact,
        "every_emitted_event_delivered": res["delivery"]["lost"] == 0,
        "resyncs_only_after_the_redis_restart": not stray,
        "every_page_caught_up": bool(res["caught_up"])
        and all(t["open_at_end"] for t in res["tabs"]),
        "workers_rss_flat": None
        if res["options"]["minutes"] < RSS_MIN_MINUTES
        else bool(judged) and all(e["judged_pct"] < RSS_GROWTH_LIMIT for e in judged),
    }
