"""Latency on a deployment: round trips on one worker and across two, and broadcasts.

Round trips: two pages of widget ``rt``, one on each worker when there are two, take
turns to ping; each pong reaches the pinger through its own worker and the other page
through Redis. Broadcasts: one emit to each widget, timed to the last and the median page.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from httpconn import Http
from pageclient import Page, PageLoop, fetch_config
from scalesoak_doc import percentile
from workers_pages import Tally, send_event

__all__ = ["RT_LABEL", "WARM_CASTS", "WARM_TRIPS", "broadcasts", "round_trips"]

RT_LABEL = "rt"
WARM_CASTS = 10  # broadcasts not counted (first frames, caches)
WARM_TRIPS = 50  # round trips not counted


def round_trips(
    loop: PageLoop, tally: Tally, base: str, workers: int, trips: int
) -> tuple[dict[str, Any], list[Page]]:
    """Same-worker and cross-worker round trips on widget ``rt`` (see the docstring)."""
    config = fetch_config(f"{base}/widget/{RT_LABEL}")
    kept: list[Page] = []
    pids: list[int] = []
    want = 2
    for attempt in range(60):
        page = Page(config, f"rt-{attempt}")
        loop.open(page)
        if not loop.run_until(lambda p=page: p.control.get("pywry:hello"), 10):
            raise RuntimeError("a round-trip page got no hello")
        send_event(page, "rt:who", {"page": page.page_id})
        if not loop.run_until(lambda p=page: p.page_id in tally.rt_pid, 10, step=0.001):
            raise RuntimeError("no rt:me answer to rt:who")
        pid = tally.rt_pid[page.page_id]
        if pid not in pids or (workers == 1 and len(kept) < want):
            kept.append(page)
            pids.append(pid)
        else:
            loop.close(page)
        if len(kept) == want:
            break
    if len(kept) < want:
        raise RuntimeError(f"could not get a page on each worker: {tally.rt_pid}")
    same: list[float] = []  # the pinger's own pong: its socket is on the emitting worker
    cross: list[float] = []  # the other page's, on the other worker
    beside: list[float] = []  # the other page's when it is on the same worker (one worker)
    timeouts = 0
    for i in range(WARM_TRIPS + trips):
        pinger, listener = kept[i % 2], kept[1 - i % 2]
        t0 = time.monotonic()
        send_event(pinger, "rt:ping", {"i": i})
        ok = loop.run_until(
            lambda i=i: all((p.page_id, i) in tally.rt_got for p in kept), 5, step=0.001
        )
        if not ok:
            timeouts += 1
            continue
        if i < WARM_TRIPS:
            continue
        at, pid = tally.rt_got[(pinger.page_id, i)]
        if tally.rt_pid[pinger.page_id] != pid:
            raise RuntimeError("a ping was answered by a worker that does not hold the page")
        same.append((at - t0) * 1000)
        at, _ = tally.rt_got[(listener.page_id, i)]
        (beside if tally.rt_pid[listener.page_id] == pid else cross).append((at - t0) * 1000)
    out = {
        "pids": pids,
        "trips": trips,
        "timeouts": timeouts,
        "same_ms": same,
        "cross_ms": cross,
        "beside_ms": beside,
        "same_median_ms": statistics.median(same) if same else None,
        "same_p99_ms": percentile(same, 99) if same else None,
        "cross_median_ms": statistics.median(cross) if cross else None,
        "cross_p99_ms": percentile(cross, 99) if cross else None,
    }
    return out, kept


def broadcasts(
    loop: PageLoop, tally: Tally, port: int, count: int, pages: int
) -> list[dict[str, Any]]:
    """``count`` broadcasts (one emit to each widget) one after the other; ms from the emit."""
    http = Http(port)
    out = []
    try:
        for k in range(count):
            http.send(f"/cast/{k}")
            done = loop.run_until(lambda k=k: len(tally.cast_arrivals[k]) >= pages, 10.0, 0.001)
            _, pid = http.answer()
            got = tally.cast_arrivals[k]
            lat = sorted((t - tally.cast_t0[k]) * 1000 for t in got) if got else [float("nan")]
            out.append(
                {
                    "k": k,
                    "received": len(got),
                    "complete": done,
                    "last_ms": lat[-1],
                    "median_ms": statistics.median(lat),
                    "first_ms": lat[0],
                    "emitter_pid": int(pid),
                }
            )
            loop.idle(0.02)
    finally:
        http.close()
    return out
