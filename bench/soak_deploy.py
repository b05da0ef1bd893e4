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

The parts: ``soakdeploy_tabs.py`` and ``soakdeploy_checker.py`` (the pages and what they
accepted), ``soakdeploy_emitter.py``, ``soakdeploy_faults.py``, ``soakdeploy_rss.py``,
``soakdeploy_run.py`` (one soak), ``soakdeploy_verdicts.py`` and ``soakdeploy_doc.py``; the
processes are those of ``bench/deploy_workers.py`` (``redisserver.py``, ``deployment.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scalesoak_doc import save_raw, update_doc
from soakdeploy_doc import doc_lines
from soakdeploy_run import run
from soakdeploy_verdicts import verdicts

__all__ = ["main"]


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
