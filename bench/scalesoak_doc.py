"""Shared by ``bench/scale.py`` and ``bench/soak.py``: figures, machine load, the report.

Each benchmark writes its raw results to ``bench/.cache/<name>-<timestamp>.json`` and
replaces only its own block of ``docs/scale-and-soak.md`` (between ``<!-- begin:<name> -->``
and ``<!-- end:<name> -->``), so running one keeps the other's results and any text
written by hand around the blocks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import proc

__all__ = [
    "CACHE",
    "DOC",
    "CpuWatch",
    "machine",
    "percentile",
    "save_raw",
    "update_doc",
]

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
DOC = BENCH.parent / "docs" / "scale-and-soak.md"

_SKELETON = """# Scale and soak

Two benchmarks of issue 4 (items 9 and 10), written by `python bench/scale.py` and
`python bench/soak.py --minutes 10`; each replaces only its own block below.

## Scale: 1,000 pages on 100 widgets, and one widget with 100 pages

<!-- begin:scale -->
(not run yet: `python bench/scale.py`)
<!-- end:scale -->

## Soak: 10 minutes of 1,000 events/s with a forced reconnect every 30 s

<!-- begin:soak -->
(not run yet: `python bench/soak.py --minutes 10`)
<!-- end:soak -->
"""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class CpuWatch:
    """CPU used by the server, by this process, and by everything else on the machine.

    "Everything else" is the machine's busy time minus the two benchmark processes: other
    work on the two cores (tests of other engineers, say) shows up there and means the
    figures were disturbed.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.t0 = time.monotonic()
        self.start = self._now()

    def _now(self) -> tuple[float, float, float]:
        return proc.cpu_s(self.server_pid), proc.cpu_s("self"), proc.machine_busy_s()

    def since_start(self) -> dict[str, float]:
        server, me, busy = self._now()
        wall = time.monotonic() - self.t0
        s0, m0, b0 = self.start
        used = {"server": server - s0, "clients": me - m0}
        other = max(0.0, (busy - b0) - used["server"] - used["clients"])
        return {
            "wall_s": wall,
            "server_cpu_s": used["server"],
            "clients_cpu_s": used["clients"],
            "other_cpu_s": other,
            "other_cores": other / wall if wall > 0 else 0.0,
        }


def machine() -> dict[str, Any]:
    cpu = proc.cpu_model()
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def save_raw(name: str, results: dict[str, Any]) -> Path:
    CACHE.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = CACHE / f"{name}-{stamp}.json"
    path.write_text(json.dumps(results, indent=1, default=str))
    return path


def update_doc(name: str, lines: list[str], doc: Path = DOC) -> None:
    """Replace the block of ``name`` in ``doc`` (docs/scale-and-soak.md) with ``lines``."""
    text = doc.read_text() if doc.exists() else _SKELETON
    begin, end = f"<!-- begin:{name} -->", f"<!-- end:{name} -->"
    if begin not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(head + begin + "\n" + "\n".join(lines).strip("\n") + "\n" + end + tail)
