"""Scale on one machine: 1,000 pages on 100 widgets, and one widget with 100 pages.

    python bench/scale.py [--widgets 100] [--per-widget 10] [--big 100] [--fans 200]
                          [--broadcasts 100] [--bursts 5] [--burst-n 1000]

One pywry server (``bench/loadserver.py``, this project's pywry, ``max_pages_per_widget``
200) shows ``--widgets`` widgets with ``--per-widget`` pages each and one more widget
(``big``) with ``--big`` pages. The pages are plain WebSocket clients on one epoll loop
in this process (``bench/pageclient.py``), each with its own page id, resuming like the
real page. Measured:

- RSS of the server before any page, with the 1,000 pages, and with the 100 more: RSS
  per page is the growth divided by the pages added.
- Fan-out to the widget with 100 pages: one ``emit`` at a time, from just before the
  emit to the moment the last (and the median) page received it; ``--fans`` repeats.
- Broadcast: one ``emit`` to each of the 100 widgets, until the last of the 1,000 pages
  has it; ``--broadcasts`` repeats.
- Order: ``--bursts`` bursts of ``--burst-n`` numbered emits to the widget with 100
  pages; every page must receive every event once, in order (checked by the frame
  numbers and by the event's own counter).

Raw results go to ``bench/.cache/scale-<timestamp>.json``, the figures to
``docs/scale-and-soak.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadserver import LoadServer
from pageclient import Item, Page, PageLoop, connect_all, fetch_config, raise_fd_limit
from scalesoak_doc import CpuWatch, machine, percentile, save_raw, update_doc

__all__ = ["main"]

BIG = "big"
WARM_FANS = 10  # fan-outs not counted (first frames, caches)


class Tally:
    """What the pages received: fan arrivals, and the order of every burst per page."""

    def __init__(self) -> None:
        self.fan_t0: dict[int, float] = {}
        self.fan_arrivals: dict[int, list[float]] = defaultdict(list)
        self.burst_t0: dict[int, float] = {}
        self.burst_done: dict[int, list[float]] = defaultdict(list)
        self.burst_pos: dict[str, tuple[int, int]] = {}  # page id -> (burst, last i)
        self.order_errors = 0
        self.unexpected: dict[str, int] = defaultdict(int)
        self.burst_len = 0

    def on_frame(self, page: Page, item: Item, now: float) -> None:
        kind = item.type
        if kind == "bench:fan":
            k = item.data["k"]
            self.fan_t0[k] = item.data["t0"]
            self.fan_arrivals[k].append(now)
        elif kind == "bench:seq":
            b, i = item.data["b"], item.data["i"]
            prev_b, prev_i = self.burst_pos.get(page.page_id, (-1, -1))
            expected = prev_i + 1 if b == prev_b else 0
            if i != expected:
                self.order_errors += 1
            self.burst_pos[page.page_id] = (b, i)
            self.burst_t0[b] = item.data["t0"]
            if i == self.burst_len - 1:
                self.burst_done[b].append(now)
        elif item.seq is None and kind in ("pywry:hello", "pywry:ack"):
            pass
        else:
            self.unexpected[kind or "?"] += 1


def fan_series(
    loop: PageLoop,
    server: LoadServer,
    tally: Tally,
    *,
    first_k: int,
    count: int,
    labels: list[str],
    pages: int,
) -> list[dict[str, float]]:
    """``count`` fan-outs one after the other; latencies in ms (from the emit)."""
    out = []
    line = " ".join(labels)
    for k in range(first_k, first_k + count):
        server.send(f"fan {k} {line}")
        loop.run_until(lambda k=k: len(tally.fan_arrivals[k]) >= pages, 10.0, step=0.001)
        got = tally.fan_arrivals[k]
        lat = sorted((t - tally.fan_t0[k]) * 1000 for t in got) if got else [float("nan")]
        out.append(
            {
                "received": len(got),
                "last_ms": lat[-1],
                "median_ms": statistics.median(lat),
                "first_ms": lat[0],
            }
        )
        loop.idle(0.02)
    return out


def cpu_per(
    before: dict[str, float], after: dict[str, float], fans: list[dict[str, float]]
) -> dict[str, float]:
    """CPU of the server per fan-out and of the clients per frame received, in µs."""
    received = sum(f["received"] for f in fans) or 1
    server = after["server_cpu_s"] - before["server_cpu_s"]
    clients = after["clients_cpu_s"] - before["clients_cpu_s"]
    return {
        "server_per_fan_us": server / len(fans) * 1e6,
        "server_per_delivery_us": server / received * 1e6,
        "clients_per_delivery_us": clients / received * 1e6,
        "other_cpu_s": after["other_cpu_s"] - before["other_cpu_s"],
    }


def summarize_fans(fans: list[dict[str, float]], expected: int) -> dict[str, Any]:
    last = [f["last_ms"] for f in fans]
    return {
        "repeats": len(fans),
        "complete": sum(1 for f in fans if f["received"] == expected),
        "last_median_ms": statistics.median(last),
        "last_p99_ms": percentile(last, 99),
        "last_max_ms": max(last),
        "median_page_median_ms": statistics.median(f["median_ms"] for f in fans),
        "first_median_ms": statistics.median(f["first_ms"] for f in fans),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    total = args.widgets * args.per_widget + args.big
    raise_fd_limit(total * 2 + 256)
    res: dict[str, Any] = {"options": vars(args), "machine": machine()}
    server = LoadServer(max_pages=max(200, args.big, args.per_widget))
    watch = CpuWatch(server.pid)
    tally = Tally()
    tally.burst_len = args.burst_n
    loop = PageLoop(on_frame=tally.on_frame)
    try:
        labels = [f"w{k:03d}" for k in range(args.widgets)]
        urls = {label: server.show(label) for label in [*labels, BIG]}
        configs = {label: fetch_config(url) for label, url in urls.items()}
        loop.idle(1.0)
        rss: dict[str, int] = {"widgets_shown": server.rss_kib()}
        res["threads_before_pages"] = server.threads()

        small = [
            Page(configs[label], f"{label}-p{j}")
            for label in labels
            for j in range(args.per_widget)
        ]
        res["connect_small_s"] = connect_all(loop, small, 60)
        loop.idle(args.settle)
        rss["with_small_pages"] = server.rss_kib()
        big = [Page(configs[BIG], f"big-p{j}") for j in range(args.big)]
        res["connect_big_s"] = connect_all(loop, big, 60)
        loop.idle(args.settle)
        rss["with_all_pages"] = server.rss_kib()
        res["threads_with_pages"] = server.threads()
        res["cpu_connect"] = watch.since_start()
        print(
            f"scale: {len(small) + len(big)} pages connected, RSS "
            f"{rss['widgets_shown'] / 1024:.1f} -> {rss['with_all_pages'] / 1024:.1f} MiB",
            flush=True,
        )

        before = watch.since_start()
        fans = fan_series(
            loop,
            server,
            tally,
            first_k=0,
            count=WARM_FANS + args.fans,
            labels=[BIG],
            pages=len(big),
        )
        res["fan_big"] = summarize_fans(fans[WARM_FANS:], len(big))
        res["fan_big"]["cpu"] = cpu_per(before, watch.since_start(), fans)
        before = watch.since_start()
        res["fan_big_raw"] = fans
        print(f"scale: fan-out to {len(big)} pages {res['fan_big']}", flush=True)

        casts = fan_series(
            loop,
            server,
            tally,
            first_k=100_000,
            count=WARM_FANS + args.broadcasts,
            labels=labels,
            pages=len(small),
        )
        res["broadcast"] = summarize_fans(casts[WARM_FANS:], len(small))
        res["broadcast"]["cpu"] = cpu_per(before, watch.since_start(), casts)
        res["broadcast_raw"] = casts
        print(f"scale: broadcast to {len(small)} pages {res['broadcast']}", flush=True)

        bursts = []
        for b in range(args.bursts):
            server.send(f"burst {BIG} {b} {args.burst_n}")
            ok = loop.run_until(lambda b=b: len(tally.burst_done[b]) >= len(big), 60.0, 0.001)
            emitted = server.wait_for("BURST ", 30)
            done = tally.burst_done[b]
            bursts.append(
                {
                    "complete_pages": len(done),
                    "in_time": ok,
                    "emit_loop_ms": float(emitted[3]) * 1000,
                    "last_page_done_ms": (max(done) - tally.burst_t0[b]) * 1000 if done else None,
                    "first_page_done_ms": (min(done) - tally.burst_t0[b]) * 1000 if done else None,
                }
            )
            loop.idle(0.2)
        res["bursts"] = bursts
        print(f"scale: bursts {bursts}", flush=True)
        rss["after_bursts"] = server.rss_kib()
        res["cpu_total"] = watch.since_start()

        every = small + big
        res["checks"] = {
            "pages": len(every),
            "open_at_end": sum(1 for p in every if p.is_open),
            "connects": sum(p.connects for p in every),
            "missing": sum(p.missing for p in every),
            "duplicates": sum(p.duplicates for p in every),
            "order_errors": tally.order_errors,
            "hello_mismatches": sum(p.hello_mismatches for p in every),
            "unexpected_frames": dict(tally.unexpected),
            "small_expected_each": WARM_FANS + args.broadcasts,
            "small_short": sum(1 for p in small if p.accepted != WARM_FANS + args.broadcasts),
            "big_expected_each": WARM_FANS + args.fans + args.bursts * args.burst_n,
            "big_short": sum(
                1 for p in big if p.accepted != WARM_FANS + args.fans + args.bursts * args.burst_n
            ),
        }
        res["rss_kib"] = rss
        res["rss_per_page_kib"] = {
            "small": (rss["with_small_pages"] - rss["widgets_shown"]) / len(small),
            "big": (rss["with_all_pages"] - rss["with_small_pages"]) / len(big),
            "all": (rss["with_all_pages"] - rss["widgets_shown"]) / len(every),
        }
        res["server_warnings"] = [ln for ln in server.stderr if not ln.startswith("INFO")][:20]
    finally:
        loop.close_all()
        server.stop()
    res["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return res


def _verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def doc_lines(res: dict[str, Any], raw: Path) -> list[str]:
    o, m, c, rss = res["options"], res["machine"], res["checks"], res["rss_kib"]
    per, fb, bc = res["rss_per_page_kib"], res["fan_big"], res["broadcast"]
    n_small = o["widgets"] * o["per_widget"]
    ordered = (
        c["missing"] == 0
        and c["duplicates"] == 0
        and c["order_errors"] == 0
        and c["big_short"] == 0
        and all(b["complete_pages"] == o["big"] for b in res["bursts"])
    )
    cpu = res["cpu_total"]
    burst_last = [b["last_page_done_ms"] for b in res["bursts"] if b["last_page_done_ms"]]
    lines = [
        f"Run of {res['started']} ({res['elapsed_s']:.0f} s): {m['cpu']}, {m['cores']} cores, "
        f"Linux {m['kernel']}, Python {m['python']}. Load average at the start "
        f"{m['load_at_start']}, at the end {m['load_at_end']}. CPU used during the run: "
        f"server {cpu['server_cpu_s']:.1f} s, clients {cpu['clients_cpu_s']:.1f} s, "
        f"everything else on the machine {cpu['other_cpu_s']:.1f} s "
        f"({cpu['other_cores']:.2f} cores on average"
        f"{'; the figures were disturbed' if cpu['other_cores'] > 0.2 else ''}).",
        "",
        f"One server, {o['widgets']} widgets x {o['per_widget']} pages ({n_small:,} pages) "
        f"plus one widget with {o['big']} pages: {c['pages']:,} WebSocket pages, "
        f"{c['open_at_end']:,} still open at the end.",
        "",
        "| Figure | Value |",
        "| --- | ---: |",
        f"| Server RSS with the widgets shown, no page | {rss['widgets_shown'] / 1024:.1f} MiB |",
        f"| ... with {n_small:,} pages on {o['widgets']} widgets "
        f"| {rss['with_small_pages'] / 1024:.1f} MiB |",
        f"| ... with {o['big']} more pages on one widget "
        f"| {rss['with_all_pages'] / 1024:.1f} MiB |",
        f"| ... after the bursts | {rss['after_bursts'] / 1024:.1f} MiB |",
        f"| RSS per page ({n_small:,} pages on {o['widgets']} widgets) | {per['small']:.0f} KiB |",
        f"| RSS per page ({o['big']} pages on one widget) | {per['big']:.0f} KiB |",
        f"| RSS per page (all {c['pages']:,}) | {per['all']:.0f} KiB |",
        f"| Connect {n_small:,} pages (handshake until every hello) "
        f"| {res['connect_small_s']:.2f} s |",
        f"| Fan-out, one emit -> last of {o['big']} pages, median of {fb['repeats']} "
        f"| {fb['last_median_ms']:.2f} ms |",
        f"| Fan-out, one emit -> last of {o['big']} pages, p99 | {fb['last_p99_ms']:.2f} ms |",
        f"| Fan-out, one emit -> median page, median | {fb['median_page_median_ms']:.2f} ms |",
        f"| Fan-out, one emit -> first page, median | {fb['first_median_ms']:.2f} ms |",
        f"| Broadcast, one emit to each of {o['widgets']} widgets -> last of {n_small:,} pages, "
        f"median of {bc['repeats']} | {bc['last_median_ms']:.1f} ms |",
        f"| Broadcast -> last of {n_small:,} pages, p99 | {bc['last_p99_ms']:.1f} ms |",
        f"| Burst of {o['burst_n']:,} emits -> last of {o['big']} pages has all, median of "
        f"{len(burst_last)} | {statistics.median(burst_last):.0f} ms |"
        if burst_last
        else "| Burst | no burst completed |",
        "",
        f"- Every page received every event once, in order: {_verdict(ordered)} "
        f"({c['missing']} frames missing, {c['duplicates']} duplicates, "
        f"{c['order_errors']} out of order; {o['bursts']} bursts of {o['burst_n']:,} numbered "
        f"emits to the widget with {o['big']} pages, each page checking the frame numbers and "
        f"the event's own counter; {c['big_short']} of {o['big']} pages and "
        f"{c['small_short']} of {n_small:,} pages short of their count).",
        f"- Fan-outs complete (every page had it within 10 s): {fb['complete']} of "
        f"{fb['repeats']} to the widget with {o['big']} pages, {bc['complete']} of "
        f"{bc['repeats']} broadcasts to {n_small:,} pages.",
        f"- Server threads: {res['threads_before_pages']} before the pages, "
        f"{res['threads_with_pages']} with them.",
    ]
    if c["unexpected_frames"]:
        lines.append(f"- Frames the benchmark did not send: {c['unexpected_frames']}.")
    if res["server_warnings"]:
        lines.append(
            f"- The server logged: `{res['server_warnings'][0]}` (first of "
            f"{len(res['server_warnings'])})."
        )
    lines += [
        "",
        "Method: latencies are from `time.monotonic()` just before the emit (in the server "
        "process, carried in the event) to `time.monotonic()` when the client process read "
        "the frame from its socket. The clients are one Python process on the same two "
        "cores; the last page's time includes the client reading the sockets before it "
        f"({fb['cpu']['clients_per_delivery_us']:.0f} µs of client CPU per frame received, "
        f"against {fb['cpu']['server_per_delivery_us']:.0f} µs of server CPU per delivery in "
        f"the fan-outs to {o['big']} pages; {bc['cpu']['clients_per_delivery_us']:.0f} and "
        f"{bc['cpu']['server_per_delivery_us']:.0f} µs in the broadcasts), so the server's "
        "own share of the latency is smaller. The fan-outs are one "
        "after the other, 20 ms apart; p99 over the repeats. RSS is `VmRSS` of the server "
        "process after the clients sat idle for "
        f"{o['settle']:g} s. Raw results: `{raw}` (kept out of git).",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widgets", type=int, default=100)
    parser.add_argument("--per-widget", type=int, default=10)
    parser.add_argument("--big", type=int, default=100, help="pages of the fan-out widget")
    parser.add_argument("--fans", type=int, default=200, help="fan-outs to the big widget")
    parser.add_argument("--broadcasts", type=int, default=100)
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--burst-n", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds before RSS")
    parser.add_argument("--no-doc", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res = run(args)
    res["started"], res["elapsed_s"] = stamp, time.monotonic() - started
    raw = save_raw("scale", res)
    lines = doc_lines(res, raw.relative_to(raw.parents[2]))
    print("\n".join(lines), flush=True)
    if not args.no_doc:
        update_doc("scale", lines)
        print("scale: wrote docs/scale-and-soak.md", flush=True)


if __name__ == "__main__":
    main()
