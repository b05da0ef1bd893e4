"""Fan-out throughput on a deployment: bursts of emits to every widget at once.

Each burst also records the CPU it cost (the workers, redis-server, the clients, the
machine) while delivering and until the workers were idle again, the Redis commands per
event published, and, per page, whether it sat on the worker that emitted its widget's
burst ("local") or on another ("remote").
"""

from __future__ import annotations

import contextlib
import statistics
import time
from typing import Any

from httpconn import Http
from pageclient import Page, PageLoop
from proc import cpu_s, machine_busy_s
from redisserver import RedisServer
from workers_pages import Tally

__all__ = ["bursts", "settle"]


def bursts(
    loop: PageLoop,
    tally: Tally,
    port: int,
    pages: list[Page],
    events: int,
    count: int,
    cpu_pids: dict[str, list[int]],
    page_worker: dict[str, int],
    redis: RedisServer,
) -> list[dict[str, Any]]:
    """``count`` bursts of ``events`` emits to every widget at once; throughput of each.

    With ``page_worker`` (page id -> worker pid), each page is counted as on the worker
    that emitted its widget's burst ("local") or on another ("remote"): when each side's
    last page had everything, and how many frames each message carried.
    """
    labels = sorted({p.widget.label for p in pages})
    out = []
    for b in range(count):
        conns = [Http(port) for _ in labels]  # new connections: spread over the workers
        messages0 = {p.page_id: getattr(p, "messages", 0) for p in pages}
        settle(loop, cpu_pids["workers"])
        calls0 = redis.calls()
        before = _cpu(cpu_pids)
        t0 = time.monotonic()
        for conn, label in zip(conns, labels, strict=True):
            conn.send(f"/burst/{label}/{b}/{events}")
        done = loop.run_until(lambda b=b: len(tally.burst_done[b]) >= len(pages), 120.0, 0.001)
        arrivals = tally.burst_done[b]
        end = max(arrivals.values()) if arrivals else time.monotonic()
        after = _cpu(cpu_pids)
        settle(loop, cpu_pids["workers"])
        idle = _cpu(cpu_pids)
        calls1 = redis.calls()
        published = calls1.get("evalsha", 0) - calls0.get("evalsha", 0)
        emitter: dict[str, int] = {}
        for conn, label in zip(conns, labels, strict=True):
            with contextlib.suppress(OSError, ValueError):
                emitter[label] = int(conn.answer()[1])
            conn.close()
        seconds = end - t0
        sides: dict[str, dict[str, list[float]]] = {
            "local": {"done_ms": [], "frames_per_message": []},
            "remote": {"done_ms": [], "frames_per_message": []},
        }
        for page in pages:
            pid = page_worker.get(page.page_id)
            if pid is None or page.widget.label not in emitter:
                continue
            side = sides["local" if pid == emitter[page.widget.label] else "remote"]
            if page.page_id in arrivals:
                side["done_ms"].append((arrivals[page.page_id] - t0) * 1000)
            read = getattr(page, "messages", 0) - messages0[page.page_id]
            side["frames_per_message"].append(events / read if read else float("nan"))
        out.append(
            {
                "b": b,
                "complete_pages": len(arrivals),
                "complete": done,
                "seconds": seconds,
                "events_per_s": len(labels) * events / seconds,
                "deliveries_per_s": len(pages) * events / seconds,
                "first_page_done_ms": (min(arrivals.values()) - t0) * 1000 if arrivals else None,
                "emitter_pids": emitter,
                "cpu_s": {role: after[role] - before[role] for role in after},
                # Until the workers were idle again: what the burst cost in all.
                "cpu_until_idle_s": {role: idle[role] - before[role] for role in idle},
                "redis_calls": {
                    name: calls1[name] - calls0.get(name, 0)
                    for name in calls1
                    if calls1[name] != calls0.get(name, 0)
                },
                "redis_per_event": {
                    name: (calls1.get(name, 0) - calls0.get(name, 0)) / published
                    for name in ("xrange", "exec", "publish")
                }
                if published
                else {},
                "sides": {
                    name: {
                        "pages": len(side["frames_per_message"]),
                        "last_done_ms": max(side["done_ms"]) if side["done_ms"] else None,
                        "frames_per_message": statistics.median(side["frames_per_message"])
                        if side["frames_per_message"]
                        else None,
                    }
                    for name, side in sides.items()
                },
            }
        )
    return out


def _cpu(pids: dict[str, list[int]]) -> dict[str, float]:
    now = {role: sum(cpu_s(pid) for pid in group) for role, group in pids.items()}
    now["machine"] = machine_busy_s()
    now["wall"] = time.monotonic()
    return now


def settle(loop: PageLoop, pids: list[int], timeout: float = 20.0) -> float:
    """Keep reading until the workers are idle (under 5 % of a core over 0.2 s); seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        before = sum(cpu_s(pid) for pid in pids)
        loop.idle(0.2)
        if sum(cpu_s(pid) for pid in pids) - before < 0.01:
            break
    return time.monotonic() - t0
