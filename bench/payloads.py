"""Large and binary payloads in headless Chromium: 10 MB of JSON, 50 MB of bytes, 1 GB.

1. 10 MB of JSON (four columns of random floats), Python -> page and page -> Python:
   this project's pywry, the PyWry release and the floor (``bench/floor.py``);
2. 50 MB of bytes both ways: pywry's binary events next to the same bytes over a bare
   Granian WebSocket (``bench/payloads_rawfloor.py``); the release has no binary;
3. the server's resident memory while 1 GB goes through one page in 10 MB binary events,
   to a page that reads and to one that never does (``bench/payloads_rss.py``).

Each figure is a round trip timed in the server process, minus a tiny round trip timed the
same way (``bench/payloads_server.py`` says how). Every repeat starts a fresh server per
contender, in an order rotated per repeat; figures are medians over the repeats.

Writes the block ``payloads`` of ``docs/performance.md`` and the raw results to
``bench/.cache/payloads-<time>.json``. Run: ``python bench/payloads.py [--quick]``;
``--report bench/.cache/payloads-<time>.json`` writes the block again from a run's results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from contenders import CACHE, Contender  # noqa: E402
from payloads_doc import report  # noqa: E402
from payloads_measure import trips_run  # noqa: E402
from payloads_rss import EVENTS, rss_frozen, rss_reading  # noqa: E402
from run import CHROMIUM, CHROMIUM_ARGS, rotation  # noqa: E402
from scalesoak_doc import machine, save_raw, update_doc  # noqa: E402

DOC = BENCH.parent / "docs" / "performance.md"


def contenders() -> list[Contender]:
    out = []
    release = CACHE / "release-venv" / "bin" / "python"
    if release.exists():  # made by bench/run.py; never installed again here
        out.append(Contender("release", str(release), "PyWry 2.0.6"))
    else:
        print("payloads: no bench/.cache/release-venv: the release is not measured", flush=True)
    out.append(Contender("ours", sys.executable, "pywry (this project)"))
    out.append(Contender("floor", sys.executable, "floor (bench/floor.py)"))
    out.append(Contender("rawfloor", sys.executable, "bare Granian WebSocket"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 200 MB not 1 GB")
    parser.add_argument("--repeat", type=int, help="repeats (default 5, quick 2)")
    parser.add_argument("--no-write", action="store_true", help="print, leave the doc alone")
    parser.add_argument("--report", type=Path, help="rewrite the block from a raw results file")
    args = parser.parse_args()
    if args.report:
        write(json.loads(args.report.read_text()), args.report.absolute(), args.no_write)
        return
    repeats = args.repeat or (2 if args.quick else 5)
    opts = {
        "repeats": repeats,
        "trips": 2 if args.quick else 4,
        "tiny": 10 if args.quick else 20,
        "events": 20 if args.quick else EVENTS,
    }
    started = time.monotonic()
    everyone = contenders()
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "options": opts,
        "machine": machine(),
        "runs": {c.name: [] for c in everyone},
    }
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for rep in range(repeats):
                for c in rotation(everyone, rep):
                    t0 = time.monotonic()
                    run = trips_run(c, browser, opts["trips"], opts["tiny"])
                    results["runs"][c.name].append(run)
                    status = run.get("error", "ok")
                    print(
                        f"payloads: rep {rep + 1} {c.name:8s} {time.monotonic() - t0:5.1f}s "
                        f"{status}",
                        flush=True,
                    )
            print("payloads: 1 GB (or less with --quick) through a reading page", flush=True)
            results["rss_reading"] = rss_reading(sys.executable, browser, opts["events"])
        finally:
            browser.close()
    print("payloads: the same to a page that never reads", flush=True)
    results["rss_frozen"] = rss_frozen(sys.executable, opts["events"])
    # Half as much to the same kind of page: a bounded cost does not grow with the amount.
    results["rss_frozen_half"] = rss_frozen(sys.executable, opts["events"] // 2)
    results["elapsed_s"] = time.monotonic() - started
    results["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write(results, save_raw("payloads", results), args.no_write)


def write(results: dict[str, Any], raw: Path, no_write: bool) -> None:
    shown = raw.relative_to(BENCH.parent) if raw.is_relative_to(BENCH.parent) else raw
    lines = report(results, shown)
    print("\n".join(lines))
    if not no_write:
        update_doc("payloads", lines, doc=DOC)
        print(f"payloads: wrote {DOC.relative_to(BENCH.parent)}", flush=True)


if __name__ == "__main__":
    main()
