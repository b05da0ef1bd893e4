"""One contender's round trips with big payloads, in a fresh server and a fresh tab.

Used by ``bench/payloads.py``. The server is ``payloads_server.py`` (the release, this
project's pywry, the floor) or ``payloads_rawfloor.py`` (bare Granian, binary only); both
time their trips themselves and print them (see their docstrings).
"""

from __future__ import annotations

import statistics
from typing import Any

from contenders import Contender, ServerProcess
from payloads_server import BIN_BYTES, JSON_ROWS
from profiles import thread_cpu

__all__ = ["KINDS", "open_tab", "trips_run"]

# The trips each contender makes: the release has no binary values, the raw floor no JSON.
KINDS = {
    "release": ["tiny", "down-json", "up-json"],
    "floor": ["tiny", "down-json", "up-json"],
    "ours": ["tiny", "down-json", "up-json", "down-bin", "up-bin"],
    "rawfloor": ["tiny", "down-bin", "down-bin-whole", "up-bin"],
}


def script_of(contender: Contender) -> str:
    return "payloads_rawfloor.py" if contender.name == "rawfloor" else "payloads_server.py"


def open_tab(browser: Any, url: str, bin_bytes: int) -> tuple[Any, Any, int]:
    """A new context and page on ``url``, its big payloads built; the page's JSON size."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url, wait_until="load", timeout=30_000)
    page.wait_for_function("window.payloads && window.payloads.ready", timeout=30_000)
    size = int(page.evaluate("([r, b]) => payloads.build(r, b)", [JSON_ROWS, bin_bytes]))
    return context, page, size


def _cpu(pid: int) -> float:
    """The server's CPU seconds so far, all threads (Granian's native ones too), exact."""
    return sum(cpu for _, cpu in thread_cpu(pid).values())


def trips_run(contender: Contender, browser: Any, trips: int, tiny: int) -> dict[str, Any]:
    """Median of ``trips`` trips of each kind (``tiny`` tiny ones) after one warm-up each."""
    kinds = KINDS[contender.name]
    server = ServerProcess(contender, script=script_of(contender))
    context = None
    res: dict[str, Any] = {"trips": {}, "cpu_per_trip_s": {}}
    try:
        line, _ = server.wait_for("URL ", 120)
        server.wait_for("READY", 60)
        binary = any(k.endswith("bin") for k in kinds)
        context, _page, res["page_json_bytes"] = open_tab(
            browser, line.split(" ", 1)[1], BIN_BYTES if binary else 0
        )
        server.send("warm")
        if server.wait_for("WARM ", 120)[0].split()[1] != "True":
            raise RuntimeError("the page never answered")
        for kind in kinds:
            n = tiny if kind == "tiny" else trips
            server.send(f"rt {kind} 1")  # warm-up: first use of each path
            server.wait_for(f"RT {kind} ", 300)
            cpu0 = _cpu(server.pid)
            server.send(f"rt {kind} {n}")
            got, _ = server.wait_for(f"RT {kind} ", 300)
            res["cpu_per_trip_s"][kind] = (_cpu(server.pid) - cpu0) / n
            res["trips"][kind] = [float(x) for x in got.split()[2:]]
        res["median_s"] = {k: statistics.median(v) for k, v in res["trips"].items()}
    except Exception as exc:
        res["error"] = f"{type(exc).__name__}: {exc}"
        res["server_log"] = server.log[-30:]
    finally:
        if context is not None:
            context.close()
        server.stop()
    return res
