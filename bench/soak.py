"""Soak: minutes of 1,000 events/s to 10 pages, with a forced reconnect every 30 s.

    python bench/soak.py --minutes 10      # the real run (about 11 minutes)
    python bench/soak.py --minutes 1       # a smoke run

One pywry server (``bench/loadserver.py``) shows one widget; ten pages (plain WebSocket
clients on one epoll loop, ``bench/pageclient.py``, each with its own page id) connect
to it. The server's main thread emits ``--rate`` events per second to the widget (each
event reaches all ten pages). Every ``--every`` seconds all ten pages lose their
connection at once, alternately from the server side
(``app.container.gateway().drop_connections(label)``: the sockets are closed without any
notice in-band) and from the client side (the TCP connection is reset, no close frame).
Each page reconnects after 0.8-1.2 s (the real page's first backoff step) with the same
page id and ``?since=<last frame number it saw>``.

Verdicts:
- No event lost: every page ends with every frame number 1..N exactly once, in order
  (numbers and the event's own counter checked), and no page was told to resync.
- RSS growth under 5 % after warm-up: the server's RSS is sampled every 2 s; the warm-up
  value is the median of the samples in the 10 s before the end of the warm-up
  (``--warmup``, default a tenth of the run, at least 15 s and at most 60 s), the final
  value the median of the samples in the last 10 s of the load.

Raw results go to ``bench/.cache/soak-<timestamp>.json``, the figures to
``docs/scale-and-soak.md`` (only with ``--minutes`` of 10 or more, unless ``--doc``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency_hist import LatencyHistogram
from loadserver import LoadServer
from pageclient import Item, Page, PageLoop, fetch_config
from scalesoak_doc import CpuWatch, machine, save_raw, update_doc

__all__ = ["main"]

LABEL = "soak"
RSS_EVERY = 2.0  # seconds between two RSS samples
RSS_WINDOW = 10.0  # seconds of samples in the warm-up and final medians


class Checker:
    """Per page: the event counter must follow 0, 1, 2 ...; latencies into a histogram."""

    def __init__(self) -> None:
        self.next_i: dict[str, int] = {}
        self.order_errors = 0
        # Latency of every delivery, and of those emitted while their page was connected
        # (the others were emitted while it was cut and came with the replay).
        self.hist = LatencyHistogram()
        self.live_hist = LatencyHistogram()
        self.max_latency_ms = 0.0
        self.others: dict[str, int] = {}

    def on_frame(self, page: Page, item: Item, now: float) -> None:
        if item.type == "bench:soak":
            i = item.data["i"]
            if i != self.next_i.get(page.page_id, 0):
                self.order_errors += 1
            self.next_i[page.page_id] = i + 1
            t0 = item.data["t0"]
            ms = (now - t0) * 1000
            self.max_latency_ms = max(self.max_latency_ms, ms)
            self.hist.add(ms)
            if t0 >= page.connected_at:
                self.live_hist.add(ms)
        elif item.type not in ("pywry:hello", "pywry:ack"):
            key = item.type or "?"
            self.others[key] = self.others.get(key, 0) + 1

    def latency_ms(self, q: float, *, live: bool = False) -> float:
        return (self.live_hist if live else self.hist).percentile(q)


def _median_between(samples: list[tuple[float, int]], start: float, end: float) -> float:
    window = [rss for t, rss in samples if start <= t <= end]
    return float(statistics.median(window)) if window else float("nan")


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.minutes * 60
    warmup = args.warmup if args.warmup is not None else min(60.0, max(15.0, seconds / 10))
    res: dict[str, Any] = {
        "options": {**vars(args), "seconds": seconds, "warmup_s": warmup},
        "machine": machine(),
    }
    server = LoadServer(max_pages=200)
    checker = Checker()
    loop = PageLoop(on_frame=checker.on_frame, reconnect_delay=lambda: random.uniform(0.8, 1.2))
    samples: list[tuple[float, int]] = []
    cuts: list[dict[str, Any]] = []
    try:
        config = fetch_config(server.show(LABEL))
        pages = [Page(config, f"soak-p{j}") for j in range(args.pages)]
        for page in pages:
            loop.open(page)
        if not loop.run_until(lambda: all(p.control.get("pywry:hello") for p in pages), 30):
            raise RuntimeError("not every page got its hello")
        loop.idle(1.0)
        res["rss_before_load_kib"] = server.rss_kib()
        watch = CpuWatch(server.pid)
        server.send(f"pace {LABEL} {args.rate} {seconds}")
        t0 = time.monotonic()
        next_sample, next_cut, side = t0, t0 + args.every, "server"
        paced: list[str] | None = None
        while paced is None:
            loop.poll(0.005)
            now = time.monotonic()
            if now >= next_sample:
                samples.append((now - t0, server.rss_kib()))
                next_sample += RSS_EVERY
            if now >= next_cut and now - t0 < seconds - 5:
                cuts.append(cut_all(loop, server, pages, side, now - t0))
                side = "client" if side == "server" else "server"
                next_cut += args.every
            paced = server.poll_line("PACED")
            if now - t0 > seconds + 60:
                raise RuntimeError("the server did not finish pacing within 60 s of the end")
        load_s = time.monotonic() - t0
        samples.append((load_s, server.rss_kib()))
        emitted = int(paced[1])
        res["paced"] = {"emitted": emitted, "seconds": float(paced[2]), "max_behind": int(paced[3])}
        res["cpu"] = watch.since_start()
        caught_up = loop.run_until(lambda: all(p.last_seq >= emitted for p in pages), 30)
        res["catch_up_after_load_s"] = time.monotonic() - t0 - load_s
        res["caught_up"] = caught_up
        loop.idle(1.0)
        res["rss_after_kib"] = server.rss_kib()
        res["pages"] = [
            {
                "page_id": p.page_id,
                "last_seq": p.last_seq,
                "accepted": p.accepted,
                "missing": p.missing,
                "gaps": p.gaps,
                "duplicates": p.duplicates,
                "connects": p.connects,
                "connect_failures": p.connect_failures,
                "hello_mismatches": p.hello_mismatches,
                "close_codes": p.close_codes,
                "control": p.control,
                "downtime_median_s": statistics.median(p.downtimes) if p.downtimes else None,
                "downtime_max_s": max(p.downtimes) if p.downtimes else None,
            }
            for p in pages
        ]
        res["order_errors"] = checker.order_errors
        res["other_frames"] = checker.others
        res["latency_ms"] = {
            "median": checker.latency_ms(50),
            "p99": checker.latency_ms(99),
            "p999": checker.latency_ms(99.9),
            "max": checker.max_latency_ms,
            "live_median": checker.latency_ms(50, live=True),
            "live_p99": checker.latency_ms(99, live=True),
            "live_p999": checker.latency_ms(99.9, live=True),
            "live_share": checker.live_hist.total() / max(1, checker.hist.total()),
        }
    finally:
        loop.close_all()
        server.stop()
    res["cuts"] = cuts
    res["rss_samples"] = samples
    res["server_log"] = [line for line in server.stderr if not line.startswith("INFO")][:50]
    end = max(t for t, _ in samples)
    res["rss"] = {
        "warmup_kib": _median_between(samples, warmup - RSS_WINDOW, warmup),
        "final_kib": _median_between(samples, end - RSS_WINDOW, end),
        "peak_after_warmup_kib": max((r for t, r in samples if t >= warmup), default=0),
        "first_kib": samples[0][1],
    }
    r = res["rss"]
    r["growth_pct"] = (r["final_kib"] - r["warmup_kib"]) / r["warmup_kib"] * 100
    r["peak_growth_pct"] = (r["peak_after_warmup_kib"] - r["warmup_kib"]) / r["warmup_kib"] * 100
    r["slope_kib_per_min"] = _slope([(t, v) for t, v in samples if t >= warmup]) * 60
    res["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return res


def cut_all(
    loop: PageLoop, server: LoadServer, pages: list[Page], side: str, at: float
) -> dict[str, Any]:
    """Cut every page's connection from ``side``; what happened."""
    before = [p.last_seq for p in pages]
    if side == "server":
        server.send(f"drop {LABEL}")
        # Keep reading while the server closes the sockets: the pages see the closes.
        answer: list[list[str]] = []

        def answered() -> bool:
            line = server.poll_line("DROPPED")
            if line is not None:
                answer.append(line)
            return bool(answer)

        loop.run_until(answered, 10)
        dropped = int(answer[0][2]) if answer else -1
    else:
        for page in pages:
            loop.cut(page)
        dropped = len(pages)
    return {"at_s": round(at, 1), "side": side, "dropped": dropped, "last_seq_min": min(before)}


def _slope(points: list[tuple[float, int]]) -> float:
    """Least-squares slope (KiB per second) of RSS over time."""
    if len(points) < 2:
        return 0.0
    mt = statistics.fmean(t for t, _ in points)
    mv = statistics.fmean(v for _, v in points)
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (v - mv) for t, v in points) / den if den else 0.0


def verdicts(res: dict[str, Any]) -> dict[str, bool]:
    pages = res["pages"]
    emitted = res["paced"]["emitted"]
    lost = any(p["missing"] or p["last_seq"] < emitted or p["accepted"] != emitted for p in pages)
    resynced = any(
        p["control"].get("pywry:resync") or p["control"].get("pywry:overflow") for p in pages
    )
    exact = not any(p["duplicates"] for p in pages) and res["order_errors"] == 0
    return {
        "no_event_lost": not lost and not resynced and res["caught_up"],
        "exactly_once_in_order": exact and not lost,
        "rss_growth_under_5pct": res["rss"]["growth_pct"] < 5.0,
    }


def doc_lines(res: dict[str, Any], raw: Path) -> list[str]:
    o, m, r, lat, cpu = res["options"], res["machine"], res["rss"], res["latency_ms"], res["cpu"]
    v = res["verdicts"]
    pages = res["pages"]
    emitted = res["paced"]["emitted"]
    by_side = {
        s: [c["dropped"] for c in res["cuts"] if c["side"] == s] for s in ("server", "client")
    }
    downs = [p["downtime_max_s"] for p in pages if p["downtime_max_s"] is not None]
    word = {True: "**pass**", False: "**FAIL**"}
    lines = [
        f"Run of {res['started']} ({res['elapsed_s'] / 60:.1f} min): {m['cpu']}, {m['cores']} "
        f"cores, Linux {m['kernel']}, Python {m['python']}. Load average at the start "
        f"{m['load_at_start']}, at the end {m['load_at_end']}. CPU used during the load: "
        f"server {cpu['server_cpu_s']:.0f} s ({cpu['server_cpu_s'] / cpu['wall_s']:.2f} cores), "
        f"clients {cpu['clients_cpu_s']:.0f} s, everything else on the machine "
        f"{cpu['other_cpu_s']:.0f} s ({cpu['other_cores']:.2f} cores on average"
        f"{'; the figures were disturbed' if cpu['other_cores'] > 0.2 else ''}).",
        "",
        f"One widget, {o['pages']} pages; {o['rate']:,} events/s emitted to the widget for "
        f"{o['minutes']:g} min ({emitted:,} events, each reaching all {o['pages']} pages: "
        f"{emitted * o['pages']:,} deliveries). Every {o['every']:g} s all pages lose their "
        f"connection: {len(res['cuts'])} times, {len(by_side['server'])} from the server "
        f"(`drop_connections`, {sum(by_side['server'])} sockets) and "
        f"{len(by_side['client'])} from the client (TCP reset, {sum(by_side['client'])} "
        "sockets).",
        "",
        "| Check | Result |",
        "| --- | --- |",
        f"| No event lost (every page has 1..{emitted:,}, none missing, never told to "
        f"resync) | {word[v['no_event_lost']]} |",
        f"| Exactly once, in order (no duplicate, event counter in order) "
        f"| {word[v['exactly_once_in_order']]} |",
        f"| RSS growth after warm-up under 5 % ({r['growth_pct']:+.1f} %) "
        f"| {word[v['rss_growth_under_5pct']]} |",
        "",
        "| Figure | Value |",
        "| --- | ---: |",
        f"| Server RSS before the load | {res['rss_before_load_kib'] / 1024:.1f} MiB |",
        f"| RSS at the end of the warm-up ({o['warmup_s']:g} s; median of the samples of the "
        f"10 s before) | {r['warmup_kib'] / 1024:.1f} MiB |",
        f"| RSS at the end of the load (median of the last 10 s) "
        f"| {r['final_kib'] / 1024:.1f} MiB |",
        f"| Growth after warm-up | {r['growth_pct']:+.2f} % |",
        f"| Highest sample after warm-up | {r['peak_after_warmup_kib'] / 1024:.1f} MiB "
        f"({r['peak_growth_pct']:+.1f} %) |",
        f"| Trend after warm-up (least squares) | {r['slope_kib_per_min']:+.0f} KiB/min |",
        f"| Events emitted / per second achieved | {emitted:,} / "
        f"{emitted / res['paced']['seconds']:,.0f} |",
        f"| Largest emit backlog of the pacing thread | {res['paced']['max_behind']} events |",
        f"| Emit -> page latency, median / p99 / p99.9 (all deliveries) "
        f"| {lat['median']:.1f} / {lat['p99']:.1f} / {lat['p999']:.0f} ms |",
        f"| Emit -> page latency, max"
        f"{' (an event emitted while its page was cut)' if res['cuts'] else ''} "
        f"| {lat['max']:.0f} ms |",
        f"| Emit -> page latency of the {lat['live_share']:.1%} of deliveries emitted while "
        f"their page was connected, median / p99 / p99.9 | {lat['live_median']:.1f} / "
        f"{lat['live_p99']:.1f} / {lat['live_p999']:.1f} ms |",
        f"| Longest a page was without a socket | {max(downs) if downs else 0:.2f} s |",
        f"| Connections per page (first + reconnects) "
        f"| {statistics.median(p['connects'] for p in pages):.0f} |",
        "",
    ]
    bad = [p for p in pages if p["missing"] or p["duplicates"] or p["accepted"] != emitted]
    if bad:
        lines.append(
            "Pages that did not end with exactly every event: "
            + "; ".join(
                f"{p['page_id']}: {p['accepted']:,} accepted, {p['missing']} missing "
                f"(gaps {p['gaps'][:3]}), {p['duplicates']} duplicates"
                for p in bad
            )
            + "."
        )
        lines.append("")
    mism = sum(p["hello_mismatches"] for p in pages)
    codes = sorted({str(c) for p in pages for c in p["close_codes"]})
    lines.append(
        f"Other observations: close codes seen by the pages {', '.join(codes) or 'none'} "
        "(None: reset or closed without a close frame); "
        f"{mism} hellos whose cursor differed from the `since` sent; "
        f"frames the benchmark did not expect: {res['other_frames'] or 'none'}; "
        f"server log lines above INFO: {len(res['server_log'])}"
        + (f" (first: `{res['server_log'][0]}`)" if res["server_log"] else "")
        + "."
    )
    lines += [
        "",
        "RSS of the server over the run (MiB, one sample per minute):",
        "",
        "```text",
        _rss_line(res["rss_samples"]),
        "```",
        "",
        f"Raw results, with every RSS sample: `{raw}` (kept out of git).",
    ]
    return lines


def _rss_line(samples: list[tuple[float, int]]) -> str:
    out, next_t = [], 0.0
    for t, rss in samples:
        if t >= next_t:
            out.append(f"{t / 60:4.1f} min {rss / 1024:6.1f}")
            next_t += 60
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=1000, help="events per second")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between cuts")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up (default: see above)")
    parser.add_argument("--doc", action="store_true", help="update the docs even if short")
    args = parser.parse_args()
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res = run(args)
    res["started"], res["elapsed_s"] = stamp, time.monotonic() - started
    res["verdicts"] = verdicts(res)
    raw = save_raw("soak", res)
    lines = doc_lines(res, raw.relative_to(raw.parents[2]))
    print("\n".join(lines), flush=True)
    if args.minutes >= 10 or args.doc:
        update_doc("soak", lines)
        print("soak: wrote docs/scale-and-soak.md", flush=True)
    sys.exit(0 if all(res["verdicts"].values()) else 1)


if __name__ == "__main__":
    main()
