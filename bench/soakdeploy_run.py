"""One soak of ``bench/soak_deploy.py``: the deployment under load, faults on a timetable.

Redis and the workers are started, every tab connects, the emitter runs for the whole
load; meanwhile RSS is sampled, every page is cut every ``--every`` s, Redis is restarted
at a third of the run and a worker killed at two thirds. At the end every tab must catch
up with its widget's last event, and everything the verdicts need is gathered.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from typing import Any

from deployment import Deployment
from pageclient import connect_all, raise_fd_limit
from proc import cpu_s
from redisserver import RedisServer
from scalesoak_doc import machine
from soakdeploy_checker import Checker
from soakdeploy_emitter import Emitter
from soakdeploy_faults import cut_all, kill_worker, restart_redis
from soakdeploy_rss import RSS_EVERY, rss_verdicts, sample_rss
from soakdeploy_tabs import Tab, TabLoop
from soakdeploy_verdicts import classify_unseen, coverage

__all__ = ["run"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.minutes * 60
    warmup = args.warmup if args.warmup is not None else min(90.0, seconds / 4)
    window = min(60.0, (seconds - warmup) / 3)
    raise_fd_limit(args.pages * 4 + 512)
    res: dict[str, Any] = {
        "options": {**vars(args), "seconds": seconds, "warmup_s": warmup, "window_s": window},
        "machine": machine(),
    }
    redis = RedisServer()
    redis.start()
    deployment = Deployment(workers=args.workers, redis_url=redis.url, widgets=args.widgets)
    checker = Checker()
    loop = TabLoop(checker)
    labels = [f"w{i}" for i in range(args.widgets)]
    timeline: list[tuple[float, str]] = []
    rss: list[dict[str, Any]] = []
    cuts: list[dict[str, Any]] = []
    emitter: Emitter | None = None
    t0 = time.monotonic()

    def mark(what: str) -> None:
        timeline.append((round(time.monotonic() - t0, 2), what))
        print(f"soak-deploy: {time.monotonic() - t0:6.1f} s  {what}", flush=True)

    try:
        deployment.start()
        pids0 = deployment.pids()
        mark(f"{args.workers} workers serving: {deployment.worker_pids}")
        tabs = [Tab(deployment.base, labels[j % len(labels)], j) for j in range(args.pages)]
        connect_all(loop, tabs, 30)
        cpu0 = {pid: cpu_s(pid) for pid in pids0}
        emitter = Emitter(deployment.port, labels, args.rate, args.per_request)
        t0 = time.monotonic()
        emitter.start()
        mark(f"{args.pages} pages connected; emitting {args.rate:g} events/s")
        redis_at, kill_at = seconds / 3, seconds * 2 / 3
        next_sample, next_cut, side = 0.0, args.every, "reset"
        redis_restart: dict[str, Any] = {}
        kill: dict[str, Any] = {}
        while True:
            loop.poll(0.005)
            now = time.monotonic() - t0
            if now >= seconds:
                break
            if now >= next_sample:
                rss.extend(sample_rss(deployment, redis, now))
                next_sample += RSS_EVERY
            if now >= next_cut:
                cuts.append(cut_all(loop, tabs, side, now))
                mark(f"cut every page ({side}): {cuts[-1]['cut']} sockets")
                side = "close" if side == "reset" else "reset"
                next_cut += args.every
            if not redis_restart and now >= redis_at:
                redis_restart = restart_redis(loop, redis, args.redis_down, t0, tabs)
                mark(f"redis-server restarted on port {redis.port} (down {args.redis_down:g} s)")
            if (
                redis_restart
                and "all_resynced_at" not in redis_restart
                and all(
                    t.reloads and t.seg["t_start"] - t0 >= redis_restart["stopped_at"] and t.is_open
                    for t in tabs
                )
            ):
                redis_restart["all_resynced_at"] = now
                mark("every page reloaded after the Redis restart")
            if not kill and now >= kill_at:
                kill = kill_worker(loop, deployment, t0)
                mark(f"worker {kill['worker']} (pid {kill['pid']}) killed")
            if (
                kill
                and "respawned_at" not in kill
                and deployment.worker_pids.get(kill["worker"]) not in (None, kill["pid"])
            ):
                started = any(
                    f"Started {kill['worker']}" in line
                    for line in deployment.lines[kill["lines_before"] :]
                )
                if started:
                    kill["respawned_at"] = now
                    kill["new_pid"] = deployment.worker_pids[kill["worker"]]
                    mark(f"{kill['worker']} respawned as pid {kill['new_pid']}")
        emitter.stop()
        load_s = time.monotonic() - t0
        mark(f"emitter stopped: {len(emitter.records):,} requests, {emitter.failures} failed")
        rss.extend(sample_rss(deployment, redis, load_s))
        heads = final_heads(redis, deployment.prefix, labels, tabs, loop)
        caught = loop.run_until(
            lambda: all(t.is_open and t.last_seq >= heads[t.widget.label] for t in tabs), 30
        )
        mark(f"pages caught up: {caught}")
        loop.idle(0.5)
        res["cpu_workers_s"] = {str(pid): cpu_s(pid) - cpu0[pid] for pid in pids0}
        res["heads"] = heads
        res["caught_up"] = caught
        for tab in tabs:
            tab.close_segment("end of the run", time.monotonic())
        res["tabs"] = [
            {
                "index": t.index,
                "label": t.widget.label,
                "reloads": t.reloads,
                "connects": t.connects,
                "connect_failures": t.connect_failures,
                "close_codes": t.close_codes,
                "open_at_end": t.is_open,
                "last_seq": t.last_seq,
                "segments": [
                    {**s, "t_start": s["t_start"] - t0, "t_end": s["t_end"] - t0}
                    for s in t.segments
                ],
            }
            for t in tabs
        ]
        res["emitter"] = {
            "requests": len(emitter.records),
            "failed": emitter.failures,
            "max_behind_s": emitter.max_behind_s,
            "events_ok": sum(args.per_request for r in emitter.records if r[3]),
        }
        res["delivery"] = classify_unseen(
            emitter, checker, args.per_request, t0, redis_restart, kill
        )
        res["coverage"] = coverage(tabs, checker)
        res["latency_ms"] = {
            "median": checker.latency_ms(50),
            "p99": checker.latency_ms(99),
            "max": checker.max_ms,
            "live_median": checker.latency_ms(50, live=True),
            "live_p99": checker.latency_ms(99, live=True),
            "live_p999": checker.latency_ms(99.9, live=True),
        }
        res["other_frames"] = dict(checker.others)
        res["reload_failures"] = loop.reload_failures
        res["redis_restart"] = redis_restart
        res["kill"] = kill
        res["load_s"] = load_s
    finally:
        if emitter is not None:
            emitter.stop_event.set()
        loop.close_all()
        deployment.stop()
        redis.cleanup()
    res["cuts"] = cuts
    res["timeline"] = timeline
    res["rss_samples"] = rss
    res["spawned"] = [(round(t - t0, 2), w, pid) for t, w, pid in deployment.spawned]
    res["server_problems"] = deployment.problems()[:40]
    kill, restart = res["kill"] or {}, res["redis_restart"] or {}
    faults = [kill.get("respawned_at"), restart.get("all_resynced_at")]
    last_fault = max((f for f in faults if f is not None), default=None)
    res["rss"] = rss_verdicts(rss, warmup, window, res["load_s"], last_fault)
    res["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return res


def final_heads(
    redis: RedisServer, prefix: str, labels: list[str], tabs: list[Tab], loop: TabLoop
) -> dict[str, int]:
    """Each widget's last event number, as Redis counts it (the pages' highest otherwise)."""
    loop.idle(1.0)
    heads = {}
    for label in labels:
        raw = b""
        with contextlib.suppress(OSError, ValueError):
            raw = redis.command("HGET", f"{prefix}:{{{label}}}:meta", "seq")
        if raw.isdigit():
            heads[label] = int(raw)
        else:
            heads[label] = max(t.last_seq for t in tabs if t.widget.label == label)
    return heads
