"""Profiles that explain a missed goal: py-spy samples, import times, memory by phase.

Only run after the measurements (profiling slows the process it watches), and only for
the goals this project's pywry missed. The results are small text tables for
``docs/performance.md``.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from contenders import CACHE, Contender, ServerProcess, bench_env, free_port

__all__ = ["import_profile", "sampled_profile", "summarize_raw"]


# Frames at the bottom of every thread's stack: true but uninformative when ranked.
_GENERIC = {
    "Thread._bootstrap (threading.py)",
    "Thread._bootstrap_inner (threading.py)",
    "Thread.run (threading.py)",
    "<module> (scenario.py)",
    "main (scenario.py)",
}


def _function(frame: str) -> str:
    """``name (path/file.py:123)`` -> ``name (file.py)``: group samples by function."""
    m = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not m:
        return frame
    return f"{m.group(1)} ({Path(m.group(2)).name})"


def summarize_raw(raw: str, top: int = 15) -> dict[str, Any]:
    """Self and inclusive sample shares per function, and per thread, from py-spy raw output."""
    self_c: Counter[str] = Counter()
    incl_c: Counter[str] = Counter()
    thread_c: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        frames = stack.split(";")
        m = re.match(r"thread \((\d+)\)(?:: (.*))?$", frames[0])
        if m:
            thread_c[m.group(2) or f"unnamed thread {m.group(1)} (native)"] += count
            frames = frames[1:]
        # A sample with no Python frame is native code (a server's own threads) running.
        funcs = [_function(f) for f in frames] or ["(native code, no Python frame)"]
        total += count
        self_c[funcs[-1]] += count
        for f in set(funcs):
            incl_c[f] += count

    for generic in _GENERIC:
        incl_c.pop(generic, None)

    def share(c: Counter[str]) -> list[tuple[str, float]]:
        return [(k, v / total * 100) for k, v in c.most_common(top)] if total else []

    return {
        "samples": total,
        "threads": share(thread_c),
        "self": share(self_c),
        "inclusive": share(incl_c),
    }


def thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each live thread of ``pid`` (exact, from schedstat)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ns = int((task / "schedstat").read_text().split()[0])
            comm = (task / "comm").read_text().strip()
        except (OSError, ValueError, IndexError):
            continue
        out[int(task.name)] = (comm, ns / 1e9)
    return out


def thread_names(raw: str) -> dict[int, str]:
    """Thread id -> Python thread name, as py-spy saw them."""
    return {
        int(m.group(1)): m.group(2) for m in re.finditer(r"^thread \((\d+)\): ([^;]+);", raw, re.M)
    }


def sampled_profile(
    contender: Contender, browser: Any, pyspy: str, what: str, opts: dict[str, Any]
) -> dict[str, Any]:
    """py-spy over round trips (``what``: ``"rt"`` with the sync callback, ``"rt_async"``
    with the ``async def`` one) or over the push (``"push"``).
    """
    event = "bench:aping" if what == "rt_async" else "bench:ping"
    server = ServerProcess(contender)
    context = None
    out = CACHE / f"profile-{contender.name}-{what}.txt"
    spy = None
    try:
        line, _ = server.wait_for("URL ", 60)
        url = line.split(" ", 1)[1]
        server.wait_for("READY", 30)
        context = browser.new_context()
        page = context.new_page()
        page.goto(url, wait_until="load", timeout=30000)
        page.wait_for_function("window.bench && window.bench.ready", timeout=15000)
        page.evaluate("name => bench.roundTrips(100, 0, name)", event)
        spy = subprocess.Popen(
            [
                pyspy,
                "record",
                "-p",
                str(server.pid),
                "-r",
                "500",
                "--threads",
                "--nonblocking",
                "-f",
                "raw",
                "-o",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # py-spy attaches
        before = thread_cpu(server.pid)
        if what != "push":
            page.evaluate("name => bench.roundTrips(1000, 1000, name)", event)
        else:
            n = opts["push_n"]
            page.evaluate("([n, t]) => bench.push(n, t)", [n, opts["push_timeout_ms"]])
        after = thread_cpu(server.pid)
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=30)
        spy = None
        if not out.exists():
            return {"error": "no py-spy output"}
        raw = out.read_text()
        names = thread_names(raw)
        per_thread = []
        for tid, (comm, cpu) in after.items():
            used = cpu - before.get(tid, (comm, 0.0))[1]
            if used > 0.0005:
                per_thread.append((f"{names.get(tid, comm)} [{comm}]", used * 1000))
        per_thread.sort(key=lambda t: t[1], reverse=True)
        return {**summarize_raw(raw), "thread_cpu_ms": per_thread}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        if spy is not None:
            spy.kill()
        if context is not None:
            context.close()
        server.stop()


def import_profile(contender: Contender, top: int = 15) -> list[tuple[str, float, float]]:
    """``-X importtime``: the slowest top-level imports as (module, self ms, cumulative ms)."""
    proc = subprocess.run(
        [contender.python, "-X", "importtime", "-c", contender.import_code()],
        cwd=contender.cwd(),
        env=bench_env(free_port(), contender),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            depth = (len(m.group(3)) - 1) // 2
            rows.append((m.group(4), int(m.group(1)) / 1000, int(m.group(2)) / 1000, depth))
    # The shallow part of the tree (depth 0-2) tells where the time goes.
    first_level = [r for r in rows if r[3] <= 2]
    first_level.sort(key=lambda r: r[2], reverse=True)
    return [("  " * d + name, s, c) for name, s, c, d in first_level[:top]]
