"""The workers' memory over ``bench/soak_deploy.py``: samples, and whether it stayed flat.

Each process is shown over its own life: the median of its first window after the warm-up
against that of its last window. A Redis outage makes workers hold what waits to be
published, and Python keeps the memory it grew into, so flatness is judged once the faults
are over: from a window starting a minute after the last fault to the last window. Only the
workers that lived through the whole run are judged; the killed one's successor and
redis-server are shown.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from deployment import Deployment
from proc import rss_kib
from redisserver import RedisServer

__all__ = ["RSS_EVERY", "RSS_GROWTH_LIMIT", "RSS_MIN_MINUTES", "rss_verdicts", "sample_rss"]

RSS_EVERY = 2.0  # seconds between two RSS samples
RSS_GROWTH_LIMIT = 5.0  # % growth allowed from the first minute after warm-up to the last
RSS_MIN_MINUTES = 5.0  # shorter runs show RSS but do not judge it (buffers still filling)


def sample_rss(deployment: Deployment, redis: RedisServer, t: float) -> list[dict[str, Any]]:
    rows = [
        {"t": t, "who": name, "pid": pid, "rss_kib": rss_kib(pid)}
        for name, pid in sorted(deployment.worker_pids.items())
    ]
    if redis.pid:
        rows.append(
            {"t": t, "who": "redis-server", "pid": redis.pid, "rss_kib": rss_kib(redis.pid)}
        )
    return rows


SETTLE_S = 60.0  # seconds after the last fault before the settled window starts


def rss_verdicts(
    samples: list[dict[str, Any]],
    warmup: float,
    window: float,
    end: float,
    last_fault: float | None = None,
) -> dict[str, Any]:
    """Per process: median RSS of the first window after warm-up (of its own life), of the
    window starting ``SETTLE_S`` after ``last_fault``, and of the last window; judged for
    the workers that lived through the whole run, on the settled growth where there is one."""
    by_pid: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in samples:
        by_pid[row["pid"]].append(row)
    out = {}
    for pid, rows in by_pid.items():
        born, died = rows[0]["t"], rows[-1]["t"]
        start = born + (warmup if born < 1 else 0.0)
        first = [r["rss_kib"] for r in rows if start <= r["t"] < start + window and r["rss_kib"]]
        last = [r["rss_kib"] for r in rows if died - window <= r["t"] <= died and r["rss_kib"]]
        whole = born < 1 and died >= end - RSS_EVERY - 1
        entry: dict[str, Any] = {
            "who": rows[-1]["who"],
            "from_s": born,
            "to_s": died,
            "whole_run": whole,
            "first_kib": statistics.median(first) if first else None,
            "last_kib": statistics.median(last) if last else None,
        }
        if entry["first_kib"] and entry["last_kib"]:
            entry["growth_pct"] = (
                (entry["last_kib"] - entry["first_kib"]) / entry["first_kib"] * 100
            )
        if last_fault is not None and entry["last_kib"]:
            begin = last_fault + SETTLE_S
            settled = [r["rss_kib"] for r in rows if begin <= r["t"] < begin + window]
            if settled and begin + window <= died - window:
                entry["settled_kib"] = statistics.median(settled)
                entry["settled_growth_pct"] = (
                    (entry["last_kib"] - entry["settled_kib"]) / entry["settled_kib"] * 100
                )
        entry["judged_pct"] = entry.get("settled_growth_pct", entry.get("growth_pct"))
        entry["judged"] = (
            whole and rows[-1]["who"].startswith("worker") and entry["judged_pct"] is not None
        )
        out[str(pid)] = entry
    return out
