"""The block ``deploy-workers`` of docs/performance.md, written from the summarised runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workers_latency import WARM_TRIPS
from workers_summary import GOAL_FANOUT, GOAL_RT, fmt, sides_summary

__all__ = ["doc_lines"]


def doc_lines(res: dict[str, Any], raw: Path) -> list[str]:
    o, m, s = res["options"], res["machine"], res["summary"]
    g = s["goals"]
    one, two = s.get("1", {}), s.get("2", {})
    word = {True: "met", False: "**NOT MET**", None: "not measured"}
    cpu = res["cpu_bursts"]
    per_widget = -(-o["pages"] // o["widgets"])

    def cell(group: dict[str, Any], key: str, digits: int = 2) -> str:
        return fmt(group.get(key), digits)

    def rate(group: dict[str, Any], key: str) -> str:
        value = group.get(key)
        return "n/a" if value is None else f"{value:,.0f}"

    lines = [
        "## Deploy mode: one worker and two, sharing Redis",
        "",
        f"Written by `python bench/deploy_workers.py` on {res['started']} "
        f"({res['elapsed_s'] / 60:.1f} min; {m['cpu']}, {m['cores']} cores, Linux "
        f"{m['kernel']}, Python {m['python']}; load average at the start {m['load_at_start']}, "
        f"at the end {m['load_at_end']}). `pywry deploy bench/deploy_app.py:widgets` with "
        f"`--workers 1` and `--workers 2` on one real `redis-server` "
        f'(`state_backend = "redis"`), {o["repeat"]} fresh deployments of each, alternating; '
        "every figure is the median over those runs of each run's median.",
        "",
        f"{o['pages']:,} WebSocket pages (plain clients, one epoll loop in one process) on "
        f"{o['widgets']} widgets ({per_widget} each); with two workers the kernel spreads the "
        "connections over both.",
        "",
        "| Figure | 1 worker | 2 workers | 2 / 1 |",
        "| --- | ---: | ---: | ---: |",
        f"| Broadcast, one emit to each of {o['widgets']} widgets -> last of {o['pages']:,} "
        f"pages, median of {o['broadcasts']} (ms) | {cell(one, 'broadcast_last_median_ms', 1)} "
        f"| {cell(two, 'broadcast_last_median_ms', 1)} | "
        f"{_ratio(two, one, 'broadcast_last_median_ms')} |",
        f"| Broadcast -> last page, p99 (ms) | {cell(one, 'broadcast_last_p99_ms', 1)} | "
        f"{cell(two, 'broadcast_last_p99_ms', 1)} | {_ratio(two, one, 'broadcast_last_p99_ms')} |",
        f"| Broadcast -> median page (ms) | {cell(one, 'broadcast_median_page_ms', 1)} | "
        f"{cell(two, 'broadcast_median_page_ms', 1)} | "
        f"{_ratio(two, one, 'broadcast_median_page_ms')} |",
        f"| Fan-out throughput, bursts of {o['events']:,} emits to each widget (events/s) | "
        f"{rate(one, 'events_per_s')} | {rate(two, 'events_per_s')} | "
        f"{_ratio(two, one, 'events_per_s')} |",
        f"| ... deliveries to pages per second | {rate(one, 'deliveries_per_s')} | "
        f"{rate(two, 'deliveries_per_s')} | {_ratio(two, one, 'deliveries_per_s')} |",
        f"| Round trip page -> Python -> page, socket on the emitting worker, median (ms) | "
        f"{cell(one, 'rt_same_median_ms')} | {cell(two, 'rt_same_median_ms')} | "
        f"{_ratio(two, one, 'rt_same_median_ms')} |",
        f"| ... p99 (ms) | {cell(one, 'rt_same_p99_ms')} | {cell(two, 'rt_same_p99_ms')} | |",
        f"| Round trip, socket on the other worker, median (ms) | | "
        f"{cell(two, 'rt_cross_median_ms')} | |",
        f"| ... p99 (ms) | | {cell(two, 'rt_cross_p99_ms')} | |",
        f"| Connect {o['pages']:,} pages (handshake until every hello, s) | "
        f"{cell(one, 'connect_s')} | {cell(two, 'connect_s')} | |",
        "",
        "| Goal | ratio | result |",
        "| --- | ---: | --- |",
        f"| cross-worker round trip median <= {GOAL_RT:g}x the same-worker one | "
        f"{fmt(g.get('rt_ratio'))}x | {word[g.get('rt_ok')]} |",
        f"| 2 workers sustain >= {GOAL_FANOUT:g}x one worker's fan-out throughput | "
        f"{fmt(g.get('fanout_ratio'))}x | {word[g.get('fanout_ok')]} |",
        f"| every event delivered exactly once, in order, in every run | "
        f"{sum(1 for r in res['runs'] if r['checks']['exactly_once'])} of {len(res['runs'])} "
        f"runs | {word[g.get('exactly_once_ok')]} |",
        "",
        "Runs (workers: events/s; broadcast last-page median ms; round trip same / cross "
        "median ms): "
        + "; ".join(
            f"{r['workers']}: {r['events_per_s_median']:,.0f}; "
            f"{r['broadcast']['last_median_ms']:.1f}; "
            f"{fmt(r['round_trips']['same_median_ms'])} / "
            f"{fmt(r['round_trips']['cross_median_ms'])}"
            for r in res["runs"]
        )
        + ".",
        "",
    ]
    bad = [r for r in res["runs"] if not r["checks"]["exactly_once"]]
    for r in bad:
        c = r["checks"]
        lines.append(
            f"- Run with {r['workers']} worker(s) not exact: {c['missing']} frames missing, "
            f"{c['duplicates']} duplicates, {c['order_errors']} out of order, "
            f"{c['short_pages']} pages short of {c['expected_each']:,} events, "
            f"{c['open_at_end']} of {c['pages']:,} pages open at the end."
        )
    spread = [r["pages_per_worker"] for r in res["runs"] if r["workers"] == 2]
    if spread:
        lines.append(
            "- Pages per worker with two workers (each page's socket found among the "
            "workers' own, by its port): "
            + "; ".join("/".join(str(v) for v in sp.values()) for sp in spread)
            + "."
        )
    sides = sides_summary(res["runs"])
    if sides:
        lines.append(
            "- In the bursts with two workers, pages on the worker that emitted their "
            f"widget's burst had all {o['events']:,} events after "
            f"{fmt(sides['local']['last_done_ms'], 0)} ms (the last of them; median over "
            f"the bursts), {fmt(sides['local']['frames_per_message'], 1)} events per "
            "WebSocket message (median page); pages on the other worker after "
            f"{fmt(sides['remote']['last_done_ms'], 0)} ms, "
            f"{fmt(sides['remote']['frames_per_message'], 1)} events per message. With one "
            f"worker: {fmt(sides['one']['last_done_ms'], 0)} ms, "
            f"{fmt(sides['one']['frames_per_message'], 1)} events per message."
        )
    for workers in ("1", "2"):
        c = cpu.get(workers)
        if c:
            lines.append(
                f"- CPU per burst with {workers} worker(s) (median), while delivering: "
                f"workers {c['workers']:.2f} s, redis-server {c['redis']:.2f} s, the clients "
                f"{c['clients']:.2f} s, everything else {c['other']:.2f} s, over "
                f"{c['wall']:.2f} s of wall time ({c['busy_cores']:.2f} of {m['cores']} cores "
                f"busy); until the workers were idle again: workers "
                f"{c['workers_until_idle']:.2f} s ({c['workers_us_per_event']:.0f} µs per "
                f"event emitted). Redis stream reads (`XRANGE`) per event published: "
                f"{c['xrange_per_event']:.2f}."
            )
    two_cpu = cpu.get("2")
    if two_cpu and two_cpu["xrange_per_event"] >= 1.5:
        lines.append(
            "- With two workers Redis ran about one `XRANGE` per worker per event published: "
            "each worker reads the widget's stream once per doorbell (one per event) rather "
            "than once per batch, so the worker that did not emit works through its backlog "
            "of doorbells before it has the last event, and both keep reading after the "
            "pages have everything (the CPU until idle)."
        )
    problems = [p for r in res["runs"] for p in r["server_problems"]]
    if problems:
        lines.append(
            f"- The servers logged {len(problems)} warnings or errors; first: `{problems[0]}`."
        )
    lines += [
        "",
        "Method: broadcast latency is from `time.monotonic()` in the worker just before the "
        "emits (carried in the event) to `time.monotonic()` when the client process read the "
        "frame. Throughput: one `GET /burst/<widget>/...` per widget, each on a new TCP "
        "connection (so both workers emit), sent at once; the time runs from sending the "
        "first request until the last page has its widget's last event. Round trips: the "
        "page's socket write to its read of the answer, one at a time, "
        f"{o['trips']} per run after {WARM_TRIPS} warm-up trips, the two pages taking turns. "
        "The clients, the workers and `redis-server` share the machine's cores, so the "
        "clients' CPU (line above) is part of every figure; on two cores, two workers can "
        "only gain what the clients and Redis leave them. "
        f"Raw results: `{raw}` (kept out of git).",
    ]
    return lines


def _ratio(top: dict[str, Any], bottom: dict[str, Any], key: str) -> str:
    a, b = top.get(key), bottom.get(key)
    return "" if not a or not b else f"{a / b:.2f}x"
