"""The faults of ``bench/soak_deploy.py``: pages cut, Redis restarted empty, a worker killed."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from deployment import Deployment
from redisserver import RedisServer
from soakdeploy_tabs import Tab, TabLoop

__all__ = ["cut_all", "kill_worker", "restart_redis"]


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
