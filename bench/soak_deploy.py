"""Soak of deploy mode: two workers on a real redis-server, with cuts, a Redis restart and a
worker killed.

    python bench/soak_deploy.py --minutes 10     # the real run (make soak-deploy)
    python bench/soak_deploy.py --minutes 1      # a quick check

The script starts its own ``redis-server`` (free port, no persistence) and serves
``bench/deploy_app.py`` with ``pywry deploy ... --workers 2`` (``--workers``). ``--pages``
pages (plain WebSocket clients on one epoll loop, ``bench/pageclient.py``) are spread over
``--widgets`` widgets and behave as pywry's page (``bridge.js``) does:

- a page keeps the number of the last frame it saw and drops any frame numbered at or
  below it; when its socket drops it reconnects after the bridge's backoff (1 s, doubling
  up to 10 s, +-20 %) with the same page id and ``?since=<that number>``;
- told to resynchronise (close 4000, ``pywry:resync``) or refused for its token (4001) it
  reloads: it fetches the widget's page again and starts over with a new page id and the
  ``since`` of the new page. Every reload starts a new *segment* of that page.

A thread emits ``--rate`` events per second in all, ``--per-request`` at a time, through
``GET /emit/{label}/{n}/{count}`` (one keep-alive connection per widget, so the events of
a widget come from one worker at a time; a connection that breaks is opened again, to
whichever worker the kernel picks). Each event carries its own counter ``n``.

During the run: every ``--every`` seconds every page loses its connection (alternately a
TCP reset and a close frame from the page) and resumes; at a third of the run the
redis-server is stopped and started again on the same port (``--redis-down`` s between:
without persistence its data is gone, so the widgets' logs start a new epoch and pages are
told to resynchronise); at two thirds one worker is killed with SIGKILL (Granian starts a
new one). At the end the emitter stops and every page must catch up.

Verdicts:

- nothing lost and nothing doubled within each segment of each page: frame numbers
  contiguous, the event counter strictly increasing, no new event dropped as already seen,
  and every event that another page saw in the segment's range there too;
- every event emitted (HTTP 200) reached the pages, except those that died with the killed
  worker (answered by it less than a second before the kill, not yet published) and those
  emitted while the pages resynchronised after the Redis restart (from half a second
  before the stop until every page reloaded: they went into the new log before the pages
  reloaded, and a reload renders the widget as it is);
- resyncs only after the Redis restart; every page connected and caught up at the end;
- workers' RSS flat: the median of each worker's samples over the first minute after the
  warm-up (``--warmup``, default 90 s or a quarter of the run: the replay buffers fill)
  against that over the last minute, under 5 % growth, for the workers that lived through
  the whole run (the killed one's successor is shown, not judged); runs under 5 minutes
  show RSS but do not judge it.
- also reported: events a page had before it reloaded and got again after the reload (a
  page loaded from one worker whose socket lands on a worker still on the old log).

Raw results go to ``bench/.cache/soak-deploy-<timestamp>.json``, the figures to the block
``deploy-soak`` of ``docs/scale-and-soak.md`` (only with ``--minutes`` of 10 or more,
unless ``--doc``).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import os
import random
import signal
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from deploy_workers import (  # noqa: E402
    Deployment,
    Http,
    RedisServer,
    cpu_s,
)
from pageclient import Item, Page, PageLoop, WidgetConfig, fetch_config, raise_fd_limit  # noqa: E402
from proc import rss_kib  # noqa: E402
from scalesoak_doc import machine, save_raw, update_doc  # noqa: E402

__all__ = ["main"]

RSS_EVERY = 2.0  # seconds between two RSS samples
RSS_GROWTH_LIMIT = 5.0  # % growth allowed from the first minute after warm-up to the last
RSS_MIN_MINUTES = 5.0  # shorter runs show RSS but do not judge it (buffers still filling)
RELOAD_CODES = {4000: "resync", 4001: "auth"}  # closes after which a page reloads
HIST_STEP_MS = 0.1
HIST_BUCKETS = 200_000  # up to 20 s
KILL_WINDOW = 1.0  # s before the kill: events the killed worker took may die with it
RESYNC_MARGIN = 0.5  # s before the Redis stop: publishes then in flight go to the new log


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


class Checker:
    """Every accepted frame: the event counter per segment, what each widget's pages saw,
    latencies."""

    def __init__(self) -> None:
        self.seen: dict[str, set[int]] = defaultdict(set)  # label -> every n any page accepted
        self.hist = [0] * (HIST_BUCKETS + 1)
        self.live_hist = [0] * (HIST_BUCKETS + 1)
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
            bucket = min(HIST_BUCKETS, max(0, int(ms / HIST_STEP_MS)))
            self.hist[bucket] += 1
            if item.data["t0"] >= page.connected_at:
                self.live_hist[bucket] += 1
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
        hist = self.live_hist if live else self.hist
        total = sum(hist)
        if total == 0:
            return float("nan")
        rank, seen = q / 100 * total, 0
        for bucket, count in enumerate(hist):
            seen += count
            if seen >= rank:
                return (bucket + 0.5) * HIST_STEP_MS
        return float("nan")


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
            key = os.urandom(4)
            payload = (1000).to_bytes(2, "big")
            sock.send(
                bytes((0x88, 0x80 | 2)) + key + bytes(b ^ key[i] for i, b in enumerate(payload))
            )
        self._lost(page, time.monotonic(), None)


class Emitter(threading.Thread):
    """``rate`` events per second to the widgets in turn, ``per_request`` per request."""

    def __init__(self, port: int, labels: list[str], rate: float, per_request: int) -> None:
        super().__init__(name="soak-emitter", daemon=True)
        self.port = port
        self.labels = labels
        self.interval = per_request / rate
        self.per_request = per_request
        self.stop_event = threading.Event()
        self.records: list[tuple[str, int, float, bool, int | None]] = []  # label, n, t, ok, pid
        self.next_n = dict.fromkeys(labels, 1)
        self.conns: dict[str, Http] = {}
        self.max_behind_s = 0.0
        self.failures = 0

    def run(self) -> None:
        t_next = time.monotonic()
        i = 0
        while not self.stop_event.is_set():
            label = self.labels[i % len(self.labels)]
            i += 1
            n = self.next_n[label]
            self.next_n[label] += self.per_request
            t = time.monotonic()
            ok, pid = self._request(label, n)
            self.records.append((label, n, t, ok, pid))
            t_next += self.interval
            behind = time.monotonic() - t_next
            self.max_behind_s = max(self.max_behind_s, behind)
            if behind < 0:
                self.stop_event.wait(-behind)
            elif behind > 1.0:
                t_next = time.monotonic()  # do not rush to catch up after a stall

    def _request(self, label: str, n: int) -> tuple[bool, int | None]:
        conn = self.conns.get(label)
        try:
            if conn is None:
                conn = self.conns[label] = Http(self.port, timeout=5)
            status, body = conn.get(f"/emit/{label}/{n}/{self.per_request}")
            if status != 200:
                raise ValueError(f"status {status}")
            return True, int(body)
        except (OSError, ValueError):
            self.failures += 1
            if conn is not None:
                conn.close()
            self.conns.pop(label, None)
            return False, None

    def stop(self) -> None:
        self.stop_event.set()
        self.join(10)
        for conn in self.conns.values():
            conn.close()


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
        for tab in tabs:
            loop.open(tab)
            loop.poll(0)
        if not loop.run_until(lambda: all(t.control.get("pywry:hello") for t in tabs), 30):
            raise RuntimeError("not every page got its hello")
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
    res["rss"] = rss_verdicts(rss, warmup, window, res["load_s"])
    res["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return res


def cut_all(loop: TabLoop, tabs: list[Tab], side: str, at: float) -> dict[str, Any]:
    cut = 0
    for tab in tabs:
        if tab.sock is None:
            continue
        cut += 1
        if side == "reset":
            loop.cut(tab)
        else:
            loop.close_by_page(tab)
    return {"at_s": round(at, 1), "side": side, "cut": cut}


def restart_redis(
    loop: TabLoop, redis: RedisServer, down: float, t0: float, tabs: list[Tab]
) -> dict[str, Any]:
    """Stop redis-server (its data goes with it), wait ``down`` s, start it again."""
    stopped = time.monotonic()
    redis.stop()
    loop.idle(down)
    redis.start()
    started = time.monotonic()
    return {
        "stopped_at": stopped - t0,
        "started_at": started - t0,
        "pages_reloaded_before": sum(t.reloads for t in tabs),
    }


def kill_worker(loop: TabLoop, deployment: Deployment, t0: float) -> dict[str, Any]:
    name = sorted(deployment.worker_pids)[0]
    pid = deployment.worker_pids[name]
    lines_before = len(deployment.lines)
    os.kill(pid, signal.SIGKILL)
    return {"worker": name, "pid": pid, "at": time.monotonic() - t0, "lines_before": lines_before}


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


def rss_verdicts(
    samples: list[dict[str, Any]], warmup: float, window: float, end: float
) -> dict[str, Any]:
    """Per process: median RSS of the first window after warm-up (of its own life) and of
    the last window; judged for the workers that lived through the whole run."""
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
        entry["judged"] = whole and rows[-1]["who"].startswith("worker") and "growth_pct" in entry
        out[str(pid)] = entry
    return out


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
    stray = [s for s in segs if s["reason"] != "start" and not after_restart(s["t_start"])]
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
        else bool(judged) and all(e["growth_pct"] < RSS_GROWTH_LIMIT for e in judged),
    }


# ---------------------------------------------------------------------------- report
def doc_lines(res: dict[str, Any], raw: Path) -> list[str]:
    o, m, v = res["options"], res["machine"], res["verdicts"]
    tabs = res["tabs"]
    segs = [s for t in tabs for s in t["segments"]]
    d, e, lat = res["delivery"], res["emitter"], res["latency_ms"]
    restart, kill = res["redis_restart"], res["kill"]
    word = {
        True: "**pass**",
        False: "**FAIL**",
        None: f"not judged (run under {RSS_MIN_MINUTES:g} min)",
    }
    reloads = sum(t["reloads"] for t in tabs)
    reasons: dict[str, int] = defaultdict(int)
    for s in segs:
        if s["reason"] != "start":
            reasons[s["reason"]] += 1
    by_side = {s: sum(c["cut"] for c in res["cuts"] if c["side"] == s) for s in ("reset", "close")}
    lines = [
        "## Deploy soak: two workers on Redis, cuts, a Redis restart and a worker killed",
        "",
        f"Written by `python bench/soak_deploy.py --minutes {o['minutes']:g}` on "
        f"{res['started']} ({res['elapsed_s'] / 60:.1f} min; {m['cpu']}, {m['cores']} cores, "
        f"Linux {m['kernel']}, Python {m['python']}; load average at the start "
        f"{m['load_at_start']}, at the end {m['load_at_end']}).",
        "",
        f"`pywry deploy bench/deploy_app.py:widgets --workers {o['workers']}` on a real "
        f"`redis-server` without persistence; {o['pages']} pages (plain WebSocket clients "
        f"behaving as `bridge.js` does) on {o['widgets']} widgets; {o['rate']:g} events/s "
        f"emitted through HTTP ({o['per_request']} per request, {e['requests']:,} requests, "
        f"{e['failed']} failed; {e['events_ok']:,} events emitted). Every {o['every']:g} s "
        f"every page lost its connection ({len(res['cuts'])} cuts: {by_side['reset']} TCP "
        f"resets, {by_side['close']} close frames from the page) and resumed with `?since=`. "
        f"redis-server stopped at {_t(restart.get('stopped_at'))} and started again at "
        f"{_t(restart.get('started_at'))} on the same port (its data lost); every page had "
        f"reloaded by {_t(restart.get('all_resynced_at'))}. Worker "
        f"{kill.get('worker', '?')} killed (SIGKILL) at {_t(kill.get('at'))}, replaced by "
        f"Granian at {_t(kill.get('respawned_at'))}.",
        "",
        "| Check | Result |",
        "| --- | --- |",
        f"| Nothing lost, nothing doubled within each page's continuous segments "
        f"({len(segs)} segments: frame numbers contiguous, event counter strictly "
        f"increasing, no new event dropped as seen, none that another page saw in the range "
        f"missing) | {word[v['nothing_lost_or_doubled_in_segments']]} |",
        f"| Every event emitted reached the pages ({d['seen']:,} of {d['emitted_ok']:,}; "
        f"{d['died_with_worker']} died with the killed worker, {d['during_resync']} were "
        f"emitted while the pages resynchronised, {d['lost']} lost) "
        f"| {word[v['every_emitted_event_delivered']]} |",
        f"| Resyncs only after the Redis restart ({reloads} reloads: "
        + (", ".join(f"{k} {n}" for k, n in sorted(reasons.items())) or "none")
        + f") | {word[v['resyncs_only_after_the_redis_restart']]} |",
        f"| No event a page had before it reloaded delivered again after the reload "
        f"({sum(s['stale'] for s in segs)} such) "
        f"| {word[v['no_event_replayed_after_a_reload']]} |",
        f"| Every page connected and caught up at the end | {word[v['every_page_caught_up']]} |",
        f"| Workers' RSS flat (first minute after warm-up vs last, under "
        f"{RSS_GROWTH_LIMIT:g} %) | {word[v['workers_rss_flat']]} |",
        "",
        "| Process | lived (s) | RSS first window (MiB) | RSS last window (MiB) | growth |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for pid, r in sorted(res["rss"].items(), key=lambda kv: (kv[1]["who"], kv[1]["from_s"])):
        growth = f"{r['growth_pct']:+.1f} %" if "growth_pct" in r else "n/a"
        judged = "" if r["judged"] else " (not judged)"
        lines.append(
            f"| {r['who']} pid {pid}{judged} | {r['from_s']:.0f}-{r['to_s']:.0f} | "
            f"{_mib(r['first_kib'])} | {_mib(r['last_kib'])} | {growth} |"
        )
    seg_sum = {k: sum(s[k] for s in segs) for k in ("missing", "hidden", "n_errors", "resent")}
    mism = sum(s["hello_mismatches"] for s in segs)
    codes: dict[str, int] = defaultdict(int)
    for t in tabs:
        for c in t["close_codes"]:
            codes[str(c)] += 1
    lines += [
        "",
        f"- Within segments: {seg_sum['missing']} frame numbers skipped, {seg_sum['hidden']} "
        f"new events dropped as already seen, {seg_sum['n_errors']} events doubled or out of "
        f"order, {res['coverage']['events_lacking']} events lacking that other pages had; "
        f"{seg_sum['resent']} frames sent again after a reconnect (already seen, dropped by "
        f"the page); {mism} hellos whose cursor differed from the page's `since`.",
        "- Close codes the pages saw: "
        + ", ".join(f"{k} x{n}" for k, n in sorted(codes.items()))
        + " (None: reset or closed without a close frame, or closed by the page). "
        f"Reloads that failed to fetch the page: {res['reload_failures']}. Control frames: "
        f"{res['other_frames'] or 'none'}.",
        f"- Emit -> page latency of events emitted while their page was connected: median "
        f"{lat['live_median']:.1f} ms, p99 {lat['live_p99']:.1f} ms, p99.9 "
        f"{lat['live_p999']:.1f} ms; all deliveries (with the replays after cuts): median "
        f"{lat['median']:.1f} ms, p99 {lat['p99']:.0f} ms, max {lat['max']:.0f} ms. The "
        f"emitter fell behind its pace by at most {e['max_behind_s']:.2f} s.",
    ]
    if d["lost_examples"]:
        lines.append(
            "- Events emitted that no page had (label, n, s, worker): "
            + "; ".join(str(x) for x in d["lost_examples"])
            + "."
        )
    if res["server_problems"]:
        lines.append(
            f"- The server logged {len(res['server_problems'])} warning or error lines; "
            f"first: `{res['server_problems'][0][:200]}`."
        )
    lines += [
        "",
        "RSS of the workers over the run (MiB, one sample per minute):",
        "",
        "```text",
        *_rss_table(res["rss_samples"]),
        "```",
        "",
        f"Raw results, with every segment and RSS sample: `{raw}` (kept out of git).",
    ]
    return lines


def _t(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f} s"


def _mib(kib: float | None) -> str:
    return "n/a" if not kib else f"{kib / 1024:.1f}"


def _rss_table(samples: list[dict[str, Any]]) -> list[str]:
    rows: list[str] = []
    next_t = 0.0
    times = sorted({s["t"] for s in samples})
    for t in times:
        if t < next_t:
            continue
        at = [s for s in samples if s["t"] == t and s["who"].startswith("worker")]
        rows.append(
            f"{t / 60:4.1f} min  "
            + "  ".join(f"{s['who']} ({s['pid']}) {s['rss_kib'] / 1024:6.1f}" for s in at)
        )
        next_t = t + 60
    if times and times[-1] >= 60 and not rows[-1].startswith(f"{times[-1] / 60:4.1f}"):
        at = [s for s in samples if s["t"] == times[-1] and s["who"].startswith("worker")]
        rows.append(
            f"{times[-1] / 60:4.1f} min  "
            + "  ".join(f"{s['who']} ({s['pid']}) {s['rss_kib'] / 1024:6.1f}" for s in at)
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--widgets", type=int, default=4)
    parser.add_argument("--rate", type=float, default=500.0, help="events per second in all")
    parser.add_argument("--per-request", type=int, default=5, help="events per HTTP request")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between cuts")
    parser.add_argument("--redis-down", type=float, default=2.0, help="seconds Redis is down")
    parser.add_argument("--warmup", type=float, help="seconds before the first RSS window")
    parser.add_argument("--doc", action="store_true", help="update the docs even if short")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be 2 or more (one is killed during the run)")
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res = run(args)
    res["started"], res["elapsed_s"] = stamp, time.monotonic() - started
    res["verdicts"] = verdicts(res)
    raw = save_raw("soak-deploy", res)
    lines = doc_lines(res, raw.relative_to(raw.parents[2]))
    print("\n".join(lines), flush=True)
    if args.minutes >= 10 or args.doc:
        update_doc("deploy-soak", lines)
        print("soak-deploy: wrote docs/scale-and-soak.md", flush=True)
    sys.exit(0 if all(v is not False for v in res["verdicts"].values()) else 1)


if __name__ == "__main__":
    main()
