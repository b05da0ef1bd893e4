"""The runs of ``bench/deploy_workers.py`` reduced to medians per worker count, and goals.

Every figure is the median over the runs of each run's own median; the goals compare two
workers with one (fan-out) and the cross-worker round trip with the same-worker one.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

__all__ = ["GOAL_FANOUT", "GOAL_RT", "cpu_summary", "fmt", "sides_summary", "summarize"]

GOAL_RT = 2.0  # cross-worker round trip median <= this x the same-worker one
GOAL_FANOUT = 1.5  # two workers' fan-out throughput >= this x one worker's


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _med(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by[run["workers"]].append(run)
    out: dict[str, Any] = {}
    for workers, group in sorted(by.items()):
        out[str(workers)] = {
            "runs": len(group),
            "broadcast_last_median_ms": _med([r["broadcast"]["last_median_ms"] for r in group]),
            "broadcast_last_p99_ms": _med([r["broadcast"]["last_p99_ms"] for r in group]),
            "broadcast_median_page_ms": _med(
                [r["broadcast"]["median_page_median_ms"] for r in group]
            ),
            "events_per_s": _med([r["events_per_s_median"] for r in group]),
            "deliveries_per_s": _med([r["deliveries_per_s_median"] for r in group]),
            "rt_same_median_ms": _med([r["round_trips"]["same_median_ms"] for r in group]),
            "rt_same_p99_ms": _med([r["round_trips"]["same_p99_ms"] for r in group]),
            "rt_cross_median_ms": _med([r["round_trips"]["cross_median_ms"] for r in group]),
            "rt_cross_p99_ms": _med([r["round_trips"]["cross_p99_ms"] for r in group]),
            "exactly_once_runs": sum(1 for r in group if r["checks"]["exactly_once"]),
            "connect_s": _med([r["connect_s"] for r in group]),
        }
    one, two = out.get("1"), out.get("2")
    goals: dict[str, Any] = {}
    if two and two["rt_same_median_ms"] and two["rt_cross_median_ms"]:
        ratio = two["rt_cross_median_ms"] / two["rt_same_median_ms"]
        goals["rt_ratio"] = ratio
        goals["rt_ok"] = ratio <= GOAL_RT
    if one and two and one["events_per_s"]:
        ratio = two["events_per_s"] / one["events_per_s"]
        goals["fanout_ratio"] = ratio
        goals["fanout_ok"] = ratio >= GOAL_FANOUT
    goals["exactly_once_ok"] = all(r["checks"]["exactly_once"] for r in runs)
    out["goals"] = goals
    return out


def sides_summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Medians over the bursts: two workers' local and remote pages, and one worker's."""
    rows: dict[str, list[dict[str, Any]]] = {"local": [], "remote": [], "one": []}
    for run in runs:
        for burst in run["bursts"]:
            if run["workers"] == 1:
                rows["one"].append(burst["sides"]["local"])
            elif run["workers"] == 2:
                rows["local"].append(burst["sides"]["local"])
                rows["remote"].append(burst["sides"]["remote"])
    if not rows["local"] or not rows["one"]:
        return {}
    return {
        name: {key: _med([r[key] for r in group]) for key in ("last_done_ms", "frames_per_message")}
        for name, group in rows.items()
    }


def cpu_summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Medians over the bursts of each worker count: CPU while delivering, CPU until the
    workers were idle again, and Redis's stream reads per event published."""
    out: dict[str, dict[str, float]] = {}
    for workers in (1, 2):
        bursts = [b for r in runs if r["workers"] == workers for b in r["bursts"]]
        if not bursts:
            continue
        rows = [b["cpu_s"] for b in bursts]
        med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
        used = med["workers"] + med["redis"] + med["clients"]
        events = runs[0]["options_events"] * runs[0]["options_widgets"]
        out[str(workers)] = {
            "workers": med["workers"],
            "redis": med["redis"],
            "clients": med["clients"],
            "other": max(0.0, med["machine"] - used),
            "wall": med["wall"],
            "busy_cores": med["machine"] / med["wall"] if med["wall"] else 0.0,
            "workers_until_idle": statistics.median(
                b["cpu_until_idle_s"]["workers"] for b in bursts
            ),
            "workers_us_per_event": statistics.median(
                b["cpu_until_idle_s"]["workers"] for b in bursts
            )
            / events
            * 1e6,
            "xrange_per_event": statistics.median(
                b["redis_per_event"].get("xrange", 0.0) for b in bursts
            ),
        }
    return out
