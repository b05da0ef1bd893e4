"""One run of ``bench/deploy_workers.py``: a fresh deployment, everything measured on it.

Redis is flushed, ``--workers`` workers are started, then in turn: round trips, the
pages connected, broadcasts, bursts, and the exactly-once checks over every page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from deployment import Deployment
from pageclient import Page, connect_all, fetch_config
from proc import rss_kib
from redisserver import RedisServer
from scalesoak_doc import percentile
from workers_bursts import bursts, settle
from workers_latency import WARM_CASTS, broadcasts, round_trips
from workers_pages import CountingLoop, Tally, worker_of_pages
from workers_summary import fmt

__all__ = ["run_once"]


def run_once(args: argparse.Namespace, workers: int, redis: RedisServer) -> dict[str, Any]:
    """One fresh deployment of ``workers`` workers; everything measured on it."""
    redis.command("FLUSHALL")
    per_widget = -(-args.pages // args.widgets)
    deployment = Deployment(
        workers=workers,
        redis_url=redis.url,
        widgets=args.widgets,
        env={"PYWRY_SERVER__MAX_PAGES_PER_WIDGET": str(max(100, per_widget * 2))},
    )
    tally = Tally()
    tally.burst_len = args.events
    loop = CountingLoop(on_frame=tally.on_frame)
    res: dict[str, Any] = {
        "workers": workers,
        "options_events": args.events,
        "options_widgets": args.widgets,
    }
    t_start = time.monotonic()
    deployment.start()
    try:
        res["start_s"] = time.monotonic() - t_start
        base = deployment.base
        pids = deployment.pids()
        res["worker_pids"] = pids
        cpu_pids = {"workers": pids, "redis": [redis.pid or 0], "clients": [os.getpid()]}
        res["round_trips"], rt_pages = round_trips(loop, tally, base, workers, args.trips)
        rt = res["round_trips"]
        print(
            f"deploy-workers: {workers} worker(s): round trip same-worker median "
            f"{fmt(rt['same_median_ms'])} ms, cross-worker {fmt(rt['cross_median_ms'])} ms",
            flush=True,
        )
        labels = [f"w{i}" for i in range(args.widgets)]
        configs = {label: fetch_config(f"{base}/widget/{label}") for label in labels}
        rss_before = {pid: rss_kib(pid) for pid in pids}
        pages = [
            Page(configs[labels[j % len(labels)]], f"{labels[j % len(labels)]}-p{j}")
            for j in range(args.pages)
        ]
        res["connect_s"] = connect_all(loop, pages, 120)
        loop.idle(1.0)
        page_worker = worker_of_pages(pages, pids)
        res["pages_per_worker"] = {
            str(pid): sum(1 for w in page_worker.values() if w == pid) for pid in pids
        }
        res["rss_kib"] = {
            str(pid): {"before_pages": rss_before[pid], "with_pages": rss_kib(pid)} for pid in pids
        }
        settle(loop, pids)
        casts = broadcasts(loop, tally, deployment.port, WARM_CASTS + args.broadcasts, len(pages))
        counted = casts[WARM_CASTS:]
        last = [c["last_ms"] for c in counted]
        res["broadcast"] = {
            "repeats": len(counted),
            "complete": sum(1 for c in counted if c["complete"]),
            "last_median_ms": statistics.median(last),
            "last_p99_ms": percentile(last, 99),
            "median_page_median_ms": statistics.median(c["median_ms"] for c in counted),
            "first_median_ms": statistics.median(c["first_ms"] for c in counted),
        }
        res["broadcast_raw"] = casts
        print(f"deploy-workers: {workers} worker(s): broadcast {res['broadcast']}", flush=True)
        res["bursts"] = bursts(
            loop,
            tally,
            deployment.port,
            pages,
            args.events,
            args.bursts,
            cpu_pids,
            page_worker,
            redis,
        )
        rates = [b["events_per_s"] for b in res["bursts"]]
        res["events_per_s_median"] = statistics.median(rates)
        res["deliveries_per_s_median"] = statistics.median(
            b["deliveries_per_s"] for b in res["bursts"]
        )
        print(
            f"deploy-workers: {workers} worker(s): bursts "
            + ", ".join(f"{r:,.0f}" for r in rates)
            + " events/s",
            flush=True,
        )
        for pid in pids:
            res["rss_kib"][str(pid)]["after_bursts"] = rss_kib(pid)
        loop.idle(0.5)
        expected = WARM_CASTS + args.broadcasts + args.bursts * args.events
        res["checks"] = {
            "pages": len(pages),
            "expected_each": expected,
            "open_at_end": sum(1 for p in pages if p.is_open),
            "connects": sum(p.connects for p in pages),
            "missing": sum(p.missing for p in pages),
            "duplicates": sum(p.duplicates for p in pages),
            "order_errors": tally.order_errors,
            "short_pages": sum(1 for p in pages if p.accepted != expected),
            "hello_mismatches": sum(p.hello_mismatches for p in pages),
            "unexpected_frames": dict(tally.unexpected),
            "rt_pages_open": sum(1 for p in rt_pages if p.is_open),
        }
        c = res["checks"]
        c["exactly_once"] = (
            c["missing"] == 0
            and c["duplicates"] == 0
            and c["order_errors"] == 0
            and c["short_pages"] == 0
            and c["open_at_end"] == c["pages"]
            and all(b["complete"] for b in res["bursts"])
            and res["broadcast"]["complete"] == res["broadcast"]["repeats"]
        )
        print(f"deploy-workers: {workers} worker(s): checks {c}", flush=True)
    finally:
        loop.close_all()
        deployment.stop()
    res["server_problems"] = deployment.problems()[:20]
    res["elapsed_s"] = time.monotonic() - t_start
    return res
