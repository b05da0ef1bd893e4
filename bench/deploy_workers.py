"""Deploy mode on one worker and on two, sharing a real redis-server: fan-out and round trips.

    python bench/deploy_workers.py [--pages 1000] [--widgets 10] [--events 500]
                                   [--bursts 3] [--broadcasts 100] [--trips 500] [--repeat 5]

The script starts its own ``redis-server`` (free port, no persistence; stopped at the end)
and serves ``bench/deploy_app.py`` with ``pywry deploy ... --workers 1`` and then
``--workers 2`` (the order alternates from one repeat to the next; every run is a fresh
deployment on a flushed Redis). The pages are plain WebSocket clients on one epoll loop in
this process (``bench/pageclient.py``), each with its own page id; with two workers the
kernel spreads their connections over both (``SO_REUSEPORT``). Measured in each run:

- (a) ``--pages`` pages spread over ``--widgets`` widgets. Broadcast: ``GET /cast/{k}``
  emits one event to each widget; latency from ``time.monotonic()`` in the worker just
  before the emits to the moment the last (and the median) page read it, ``--broadcasts``
  times one after the other. Throughput: one ``GET /burst/...`` per widget, each on a new
  connection (so the emits come from both workers), emits ``--events`` events to its
  widget as fast as the worker takes them; events/s = every widget's events / (time from
  sending the first request until the last page has its widget's last event), and
  deliveries/s the same times the pages of a widget. ``--bursts`` bursts per run.
- Exactly once: every page must receive every event once, in order: frame numbers
  contiguous (none missing, none twice) and each event's own counter in order.
- (b) Round trips on widget ``rt``: a page sends ``rt:ping``; the callback, on the worker
  that holds that page's socket, emits ``rt:pong`` to the widget. Two pages, one on each
  worker (found by an ``rt:who`` answered with the worker's ``os.getpid()``), take turns
  to ping: the pinger's time to its pong is the same-worker round trip, the other page's
  time to the same pong the cross-worker one (the pong reaches the other worker through
  Redis: the stream and its doorbell). With one worker both pages are on it.

Goals: cross-worker round trip median <= 2x the same-worker one; two workers sustain
>= 1.5x one worker's fan-out throughput; every event delivered exactly once in every run.

Raw results go to ``bench/.cache/deploy-workers-<timestamp>.json``, the figures to the
block ``deploy-workers`` of ``docs/performance.md``. The parts: ``redisserver.py`` and
``deployment.py`` (the processes), ``workers_pages.py`` (the pages), ``workers_latency.py``
and ``workers_bursts.py`` (the measures), ``workers_run.py`` (one run),
``workers_summary.py`` and ``workers_doc.py`` (the report); ``bench/soak_deploy.py``
shares the processes and ``httpconn.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from pageclient import raise_fd_limit  # noqa: E402
from redisserver import RedisServer  # noqa: E402
from scalesoak_doc import machine, save_raw, update_doc  # noqa: E402
from workers_doc import doc_lines  # noqa: E402
from workers_run import run_once  # noqa: E402
from workers_summary import cpu_summary, summarize  # noqa: E402

__all__ = ["main"]

DOC = BENCH.parent / "docs" / "performance.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages over all the widgets")
    parser.add_argument("--widgets", type=int, default=10)
    parser.add_argument("--events", type=int, default=500, help="emits per widget per burst")
    parser.add_argument("--bursts", type=int, default=3, help="bursts per run")
    parser.add_argument("--broadcasts", type=int, default=100, help="broadcasts per run")
    parser.add_argument("--trips", type=int, default=500, help="round trips per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each worker count")
    parser.add_argument("--no-doc", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    raise_fd_limit(args.pages * 4 + 512)  # the workers inherit it
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res: dict[str, Any] = {"options": vars(args), "machine": machine(), "runs": []}
    redis = RedisServer()
    redis.start()
    try:
        for rep in range(args.repeat):
            for workers in (1, 2) if rep % 2 == 0 else (2, 1):
                print(f"deploy-workers: run {rep + 1}, {workers} worker(s)", flush=True)
                res["runs"].append(run_once(args, workers, redis))
    finally:
        redis.cleanup()
    res["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    res["summary"] = summarize(res["runs"])
    res["cpu_bursts"] = cpu_summary(res["runs"])
    res["started"], res["elapsed_s"] = stamp, time.monotonic() - started
    raw = save_raw("deploy-workers", res)
    lines = doc_lines(res, raw.relative_to(raw.parents[2]))
    print("\n".join(lines), flush=True)
    if not args.no_doc:
        update_doc("deploy-workers", lines, DOC)
        print("deploy-workers: wrote docs/performance.md", flush=True)
    goals = res["summary"]["goals"]
    sys.exit(0 if goals.get("exactly_once_ok") else 1)


if __name__ == "__main__":
    main()
