"""Server CPU per widget page request, ours against the Granian floor, alternating.

The page-request part of ``bench/run.py`` on its own (the same servers, ``bench/scenario.py``,
the same load, ``measure.http_load``: 10 keep-alive connections, and the same figure: the
server's CPU time over the load / requests served), without the rest of a run or a browser.
Each run starts a fresh server, loads its widget page for half a second to warm it up, then
for ``--seconds`` while measuring. Ours and the Granian floor take turns, the next run
starting with the other, and each run also notes how busy the machine was with anything
else, since the two cores are shared.

Writes the block ``page-route`` of ``docs/performance.md``. Run:
``python bench/page_route.py [--runs 7] [--seconds 3]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import proc  # noqa: E402
from contenders import CACHE, Contender, ServerProcess  # noqa: E402
from measure import http_load  # noqa: E402
from scalesoak_doc import machine, save_raw, update_doc  # noqa: E402

DOC = BENCH.parent / "docs" / "performance.md"
GOAL = 2.0  # ours at most this many times the Granian floor's CPU per page request
CONTENDERS = ("ours", "granian")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(name: str, seconds: float) -> dict[str, Any]:
    """One fresh server of ``name``: its CPU per page request under load, and the machine's."""
    server = ServerProcess(Contender(name, sys.executable, name))
    try:
        line, _ = server.wait_for("URL ", 60)
        url = line.split(" ", 1)[1]
        server.wait_for("READY", 30)
        http_load(url, 0.5)
        cpu0, client0, busy0, t0 = (
            server.cpu(),
            _children_cpu_s(),
            proc.machine_busy_s(),
            time.monotonic(),
        )
        load = http_load(url, seconds)
        cpu1, client1, busy1, t1 = (
            server.cpu(),
            _children_cpu_s(),
            proc.machine_busy_s(),
            time.monotonic(),
        )
    finally:
        server.stop()
    served = load["rps"] * seconds
    other = (busy1 - busy0) - (cpu1 - cpu0) - (client1 - client0)
    return {
        "contender": name,
        "cpu_per_request_us": (cpu1 - cpu0) / served * 1e6,
        "rps": load["rps"],
        "non_2xx": load["non_2xx"],
        "other_cores": max(0.0, other) / (t1 - t0),
        "tool": load["tool"],
    }


def run(runs: int, seconds: float) -> list[dict[str, Any]]:
    results = []
    for k in range(runs):
        order = CONTENDERS if k % 2 == 0 else CONTENDERS[::-1]
        for name in order:
            result = one_run(name, seconds)
            results.append(result)
            print(
                f"page-route: {name} {result['cpu_per_request_us']:.1f} µs/request,"
                f" {result['rps']:,.0f} req/s, others {result['other_cores']:.2f} cores",
                flush=True,
            )
    return results


def report(results: list[dict[str, Any]], info: dict[str, Any], seconds: float) -> list[str]:
    cpu = {n: [r["cpu_per_request_us"] for r in results if r["contender"] == n] for n in CONTENDERS}
    rps = {n: [r["rps"] for r in results if r["contender"] == n] for n in CONTENDERS}
    median = {n: statistics.median(values) for n, values in cpu.items()}
    ratio = median["ours"] / median["granian"]
    met = "met" if ratio <= GOAL else "**NOT MET**"
    others = statistics.median(r["other_cores"] for r in results)
    bad = sum(r["non_2xx"] for r in results)
    runs = len(cpu["ours"])
    return [
        "## The page route: server CPU per widget page request",
        "",
        f"Written by `python bench/page_route.py` on {info['started']} ({info['cpu']},"
        f" {info['cores']} cores, Python {info['python']}; load average at the start"
        f" {info['load_at_start']}, at the end {info['load_at_end']}). {runs} runs per"
        " contender, alternating, each a fresh `bench/scenario.py` server loaded for"
        f" {seconds:g} s with {results[0]['tool']}; CPU per request is the server's CPU time"
        " over the load divided by the requests served, as in the HTTP rows above (which"
        " have one idle Chromium page connected; here no page is).",
        "",
        "| Figure | ours | Granian floor | ours / Granian floor |",
        "| --- | ---: | ---: | ---: |",
        f"| Server CPU per page request, median (µs, lower is better) | {median['ours']:.1f} |"
        f" {median['granian']:.1f} | {ratio:.2f}x |",
        f"| Requests/s, median | {statistics.median(rps['ours']):,.0f} |"
        f" {statistics.median(rps['granian']):,.0f} | |",
        "",
        f"Goal: server CPU per page request <= {GOAL:g}x the Granian floor: {ratio:.2f}x, {met}.",
        "",
        f"- Per run (µs), ours: {', '.join(f'{v:.1f}' for v in cpu['ours'])}; Granian floor:"
        f" {', '.join(f'{v:.1f}' for v in cpu['granian'])}.",
        f"- Other work on the machine during the loads (median): {others:.2f} of"
        f" {info['cores']} cores; answers other than 2xx: {bad}.",
        f"- Raw results: `{info['raw']}` (kept out of git).",
        "- What the page route does per request, and what it cost before:"
        " [performance-analysis.md](performance-analysis.md#the-page-route).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--no-write", action="store_true", help="print, leave the doc alone")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    info = {**machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    results = run(args.runs, args.seconds)
    info["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    raw = save_raw("page-route", {"info": info, "results": results})
    info["raw"] = str(raw.relative_to(BENCH.parent))
    lines = report(results, info, args.seconds)
    print("\n".join(lines))
    if not args.no_write:
        update_doc("page-route", lines, doc=DOC)


if __name__ == "__main__":
    main()
