"""Benchmark pywry against the PyWry release and a floor; write docs/performance.md.

    python bench/run.py [--quick] [--repeat N] [--no-profile]

Contenders, measured side by side and alternating in one run (the starting contender
rotates each repeat): the PyWry release (installed once into ``bench/.cache/``), this
project's pywry (the runner's interpreter with this checkout's ``src/``; skipped with a
note when ``from pywry import PyWry`` fails), the floor (``bench/floor.py``) and the
Granian floor (``bench/floor_granian.py``: the same thin protocol as a bare ASGI app on
pywry's own Granian runner). Round trips are measured with a sync callback and, for the
contenders that take one, with an ``async def`` callback; the floors run every callback
inline, and their one round trip is the reference for both. Every figure is a median over
the repeats. Raw results go to ``bench/.cache/results-<timestamp>.json``; the report to
``docs/performance.md`` and ``docs/performance.png``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import proc
from contenders import (
    BENCH,
    CACHE,
    RELEASE_SPEC,
    Contender,
    ensure_venv,
    probe_ours,
)
from measure import fanout_run, import_time, page_run
from report import GOALS, evaluate_goals, summarize, write_markdown

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The bench serves each widget page through Playwright to add COOP/COEP headers (a
    # finer page clock); Chromium then treats the page as public and would block its
    # WebSocket to 127.0.0.1 under Local Network Access rules.
    "--disable-features=LocalNetworkAccessChecks",
]


def options(quick: bool, repeat: int | None) -> dict[str, Any]:
    opts = {
        "repeats": 2 if quick else 5,
        "fan_repeats": 1 if quick else 5,
        "import_runs": 3 if quick else 7,
        "settle_s": 1.0 if quick else 1.5,
        "push_n": 10_000,
        "push_timeout_ms": 30_000,
        "http_s": 1.0 if quick else 3.0,
        "fan_widgets": 100,
        "fan_per_widget": 10,
        "fan_count": 10 if quick else 20,
        "quick": quick,
    }
    if repeat:
        opts["repeats"] = repeat
        opts["fan_repeats"] = max(1, min(repeat, opts["fan_repeats"]))
    return opts


def rotation(items: list[Contender], k: int) -> list[Contender]:
    k %= len(items)
    return items[k:] + items[:k]


def machine_facts(contenders: list[Contender]) -> dict[str, Any]:
    cpu = proc.cpu_model()
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    versions = {}
    for c in contenders:
        if c.name in ("floor", "granian"):
            continue
        code = "import importlib.metadata as m; print(m.version('pywry'))"
        versions[c.name] = subprocess.run(
            [c.python, "-c", code], cwd=CACHE, capture_output=True, text=True, check=False
        ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "chromium": chromium,
        "pywry_versions": versions,
        "http_tool": "wrk -t1 -c10" if shutil.which("wrk") else "bench/httpload.py",
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter loads")
    parser.add_argument("--repeat", type=int, help="repeats per figure (default 5, quick 2)")
    parser.add_argument("--no-profile", action="store_true", help="skip profiles of missed goals")
    args = parser.parse_args()
    opts = options(args.quick, args.repeat)
    started = time.monotonic()
    CACHE.mkdir(exist_ok=True)

    release_py = ensure_venv(CACHE / "release-venv", [RELEASE_SPEC], CACHE / "release-pip.log")
    tools_py = ensure_venv(CACHE / "tools-venv", ["matplotlib", "py-spy"], CACHE / "tools-pip.log")
    pyspy = str(Path(tools_py).parent / "py-spy")

    contenders = [Contender("release", release_py, "PyWry 2.0.6")]
    skipped = probe_ours(sys.executable)
    if skipped is None:
        contenders.append(Contender("ours", sys.executable, "pywry (this project)"))
    else:
        print(f"bench: skipping this project's pywry: {skipped}", flush=True)
    contenders.append(Contender("floor", sys.executable, "floor (bench/floor.py)"))
    if skipped is None:  # served by pywry's own Granian runner: needs this project's pywry
        contenders.append(Contender("granian", sys.executable, "Granian floor"))

    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "options": opts,
        "machine": machine_facts(contenders),
        "ours_skipped": skipped,
        "contenders": {
            c.name: {"title": c.title, "python": c.python, "async_callbacks": c.async_callbacks}
            for c in contenders
        },
        "runs": {c.name: {"import": [], "page": [], "fanout": []} for c in contenders},
    }

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright's launch() gives the browser a fresh temporary user data dir itself.
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for rep in range(opts["repeats"]):
                for c in rotation(contenders, rep):
                    t0 = time.monotonic()
                    run = page_run(c, browser, opts)
                    results["runs"][c.name]["page"].append(run)
                    status = run.get("error", "ok")
                    print(
                        f"bench: page   rep {rep + 1} {c.name:8s} {time.monotonic() - t0:5.1f}s "
                        f"{status}",
                        flush=True,
                    )
                for c in rotation(contenders, rep):
                    results["runs"][c.name]["import"].append(import_time(c, opts["import_runs"]))
                if rep < opts["fan_repeats"]:
                    for c in rotation(contenders, rep):
                        t0 = time.monotonic()
                        run = fanout_run(c, opts)
                        results["runs"][c.name]["fanout"].append(run)
                        status = run.get("error", "ok")
                        print(
                            f"bench: fanout rep {rep + 1} {c.name:8s} "
                            f"{time.monotonic() - t0:5.1f}s {status}",
                            flush=True,
                        )

            summary = summarize(results)
            goals = evaluate_goals(summary, results)
            results["summary"], results["goals"] = summary, goals
            results["profiles"] = {}
            ours = next((c for c in contenders if c.name == "ours"), None)
            if ours is not None and not args.no_profile:
                results["profiles"] = profile_missed(ours, browser, pyspy, goals, opts)
        finally:
            browser.close()

    results["elapsed_s"] = time.monotonic() - started
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    raw = CACHE / f"results-{stamp}.json"
    raw.write_text(json.dumps(results, indent=1, default=str))
    docs = BENCH.parent / "docs"
    docs.mkdir(exist_ok=True)
    chart = subprocess.run(
        [tools_py, str(BENCH / "chart.py"), str(raw), str(docs / "performance.png")],
        capture_output=True,
        text=True,
        check=False,
    )
    if chart.returncode != 0:
        print(f"bench: chart failed:\n{chart.stderr}", flush=True)
    write_markdown(results, docs / "performance.md", raw.relative_to(BENCH.parent))
    print(
        f"bench: wrote docs/performance.md, docs/performance.png and {raw.name} "
        f"in {results['elapsed_s'] / 60:.1f} min",
        flush=True,
    )


def profile_missed(
    ours: Contender, browser: Any, pyspy: str, goals: list[dict[str, Any]], opts: dict[str, Any]
) -> dict[str, Any]:
    """Profiles for the goals ours missed (the reasons go into the report)."""
    from profiles import import_profile, sampled_profile

    missed = {g["figure"] for g in goals if g["passed"] is False}
    out: dict[str, Any] = {}
    if "cold_start_s" in missed:
        out["import"] = import_profile(ours)
    if missed & {"cpu_per_rt_us", "rt_median_ms", "rt_p99_ms"}:
        out["rt"] = sampled_profile(ours, browser, pyspy, "rt", opts)
    if missed & {"cpu_per_rt_async_us", "rt_async_median_ms", "rt_async_p99_ms"}:
        out["rt_async"] = sampled_profile(ours, browser, pyspy, "rt_async", opts)
    if "push_eps" in missed:
        out["push"] = sampled_profile(ours, browser, pyspy, "push", opts)
    return out


__all__ = ["GOALS", "main"]

if __name__ == "__main__":
    main()
