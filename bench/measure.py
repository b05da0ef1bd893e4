"""One measurement of one contender: each function starts its own server process.

- ``import_time``: wall time of ``python -c "import pywry"`` and of a bare interpreter.
- ``page_run``: cold start, idle RSS, round trips (sync callback, then ``async def``
  callback where the contender takes one), push and HTTP load, all on one fresh server
  with one widget and one Chromium page.
- ``fanout_run``: 100 widgets, 1,000 plain WebSocket clients: RSS and broadcast latency.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from contenders import BENCH, Contender, ServerProcess, bench_env, free_port

__all__ = ["fanout_run", "import_time", "open_page", "page_run", "percentile", "round_trips"]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def import_time(contender: Contender, runs: int) -> dict[str, Any]:
    """Median wall time of importing the contender, and of a bare interpreter, alternating."""
    env = bench_env(free_port(), contender)
    bare, imp = [], []
    for _ in range(runs):
        for code, out in (("pass", bare), (contender.import_code(), imp)):
            t0 = time.perf_counter()
            subprocess.run([contender.python, "-c", code], cwd=contender.cwd(), env=env, check=True)
            out.append(time.perf_counter() - t0)
    return {"bare_s": bare, "import_s": imp}


def _get_status(url: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=2)
    try:
        conn.request("GET", parts.path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _page_bytes(url: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        conn.request("GET", parts.path)
        return len(conn.getresponse().read())
    finally:
        conn.close()


def _wait_200(url: str, timeout: float) -> float:
    deadline = time.perf_counter() + timeout
    while True:
        try:
            if _get_status(url) == 200:
                return time.perf_counter()
        except OSError:
            pass
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{url} did not answer 200 within {timeout} s")
        time.sleep(0.002)


def http_load(url: str, seconds: float) -> dict[str, Any]:
    """Requests/s for ``url`` with 10 concurrent keep-alive connections."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t1", "-c10", f"-d{seconds:g}s", url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors:.*", out)
        return {
            "tool": "wrk -t1 -c10",
            "rps": rps,
            "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else "",
        }
    out = subprocess.run(
        [sys.executable, str(BENCH / "httpload.py"), url, str(seconds), "10"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    return {"tool": "bench/httpload.py (10 connections)", **json.loads(out)}


def _isolate(route: Any) -> None:
    """Serve the widget page with COOP/COEP headers added, so it is cross-origin isolated.

    Chromium coarsens ``performance.now()`` to 100 µs on other pages and to 5 µs on
    isolated ones; round trips well under a millisecond need the finer clock. Only the
    page's own response passes through here; its WebSocket goes straight to the server.
    """
    response = route.fetch()
    headers = {
        **response.headers,
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
    }
    route.fulfill(response=response, headers=headers)


def open_page(browser: Any, url: str) -> tuple[Any, Any]:
    """A fresh context and page on the scenario's widget ``url``, its bench script ready."""
    context = browser.new_context()
    page = context.new_page()
    page.route(url, _isolate)
    page.goto(url, wait_until="load", timeout=30000)
    page.wait_for_function("window.bench && window.bench.ready", timeout=15000)
    return context, page


def round_trips(page: Any, server: ServerProcess, event: str, key: str) -> dict[str, Any]:
    """100 warm-up round trips, then 1,000 timed ones, each answered by ``event``'s callback."""
    page.evaluate("name => bench.roundTrips(100, 0, name)", event)  # also proves it answers
    cpu0, w0 = server.cpu(), time.perf_counter()
    rts = page.evaluate("name => bench.roundTrips(1000, 1000, name)", event)
    cpu1, w1 = server.cpu(), time.perf_counter()
    return {
        f"{key}_ms": rts,
        f"{key}_median_ms": statistics.median(rts),
        f"{key}_p99_ms": percentile(rts, 99),
        f"{key}_mean_ms": statistics.fmean(rts),
        f"cpu_per_{key}_us": (cpu1 - cpu0) / len(rts) * 1e6,
        f"{key}_wall_s": w1 - w0,
    }


def page_run(contender: Contender, browser: Any, opts: dict[str, Any]) -> dict[str, Any]:
    """Cold start, idle RSS, round trips, push and HTTP load on one fresh server."""
    res: dict[str, Any] = {}
    server = ServerProcess(contender)
    context = None
    try:
        line, t_url = server.wait_for("URL ", 60)
        url = line.split(" ", 1)[1]
        t_200 = _wait_200(url, 30)
        res["cold_start_s"] = t_200 - server.t_exec
        res["url_line_s"] = t_url - server.t_exec
        res["page_bytes"] = _page_bytes(url)
        server.wait_for("READY", 30)
        res["phases"] = dict(server.phases)

        context, page = open_page(browser, url)
        res["page_clock_isolated"] = page.evaluate("window.crossOriginIsolated")
        time.sleep(opts["settle_s"])
        res["idle_rss_kib"] = server.rss_kib()

        res.update(round_trips(page, server, "bench:ping", "rt"))
        if contender.async_callbacks:
            try:
                res.update(round_trips(page, server, "bench:aping", "rt_async"))
            except Exception as exc:  # the other figures of this run still count
                res["rt_async_error"] = f"{type(exc).__name__}: {exc}"

        n = opts["push_n"]
        push = page.evaluate("([n, t]) => bench.push(n, t)", [n, opts["push_timeout_ms"]])
        pushed, _ = server.wait_for("PUSHED ", 30)
        push["emit_loop_s"] = float(pushed.split()[2])
        push["complete"] = push["n"] == n and push["inOrder"]
        span_ms = push["tLast"] - push["tGo"]
        push["events_per_s"] = push["n"] / (span_ms / 1000) if span_ms > 0 else float("nan")
        first_last = push["tLast"] - push["tFirst"]
        push["first_to_last_events_per_s"] = (
            push["n"] / (first_last / 1000) if first_last > 0 else float("inf")
        )
        res["push"] = push

        cpu0 = server.cpu()
        load = http_load(url, opts["http_s"])
        load["cpu_per_request_us"] = (server.cpu() - cpu0) / (load["rps"] * opts["http_s"]) * 1e6
        res["http"] = load
    except Exception as exc:
        res["error"] = f"{type(exc).__name__}: {exc}"
        res["server_log"] = server.log[-40:]
    finally:
        if context is not None:
            context.close()
        server.stop()
    return res


def fanout_run(contender: Contender, opts: dict[str, Any]) -> dict[str, Any]:
    """100 widgets, 10 plain WebSocket clients each; RSS and broadcast latency."""
    res: dict[str, Any] = {}
    widgets, per = opts["fan_widgets"], opts["fan_per_widget"]
    server = ServerProcess(contender, widgets=widgets)
    clients = None
    try:
        urls = []
        t_show0 = None
        while len(urls) < widgets:
            line, t = server.wait_for("URL ", 120)
            t_show0 = t_show0 or t
            urls.append(line.split(" ", 1)[1])
        res["rss_before_clients_kib"] = server.rss_kib()
        clients = subprocess.Popen(
            [sys.executable, str(BENCH / "wsclients.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert clients.stdin is not None
        assert clients.stdout is not None
        clients.stdin.write(json.dumps({"urls": urls, "per_widget": per}) + "\n")
        clients.stdin.flush()
        t0 = time.perf_counter()
        line = clients.stdout.readline().split()
        if not line or line[0] != "CONNECTED":
            raise RuntimeError(f"clients failed: {line}")
        res["connect_s"] = time.perf_counter() - t0
        res["live"], res["failed"], res["closed"] = int(line[1]), int(line[2]), int(line[3])
        time.sleep(opts["settle_s"])
        res["rss_kib"] = server.rss_kib()
        fans = []
        for k in range(opts["fan_count"]):
            server.send(f"fan {k}")
            got = clients.stdout.readline().split()
            if not got or got[0] != "FAN":
                raise RuntimeError(f"clients said {got}")
            fans.append(
                {
                    "received": int(got[2]),
                    "live": int(got[3]),
                    "last_ms": float(got[4]) * 1000,
                    "median_ms": float(got[5]) * 1000,
                    "first_ms": float(got[6]) * 1000,
                }
            )
            time.sleep(0.05)
        res["fans"] = fans
        res["fan_last_ms"] = statistics.median(f["last_ms"] for f in fans)
        res["fan_median_ms"] = statistics.median(f["median_ms"] for f in fans)
        res["fan_first_ms"] = statistics.median(f["first_ms"] for f in fans)
        res["delivered"] = sum(f["received"] for f in fans)
        res["expected"] = widgets * per * len(fans)
    except Exception as exc:
        res["error"] = f"{type(exc).__name__}: {exc}"
        res["server_log"] = server.log[-40:]
    finally:
        if clients is not None:
            clients.kill()
            clients.wait(timeout=5)
        server.stop()
    return res
