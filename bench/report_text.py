"""The parts of docs/performance.md that only describe a run: the scenario process's
phases, the method, and the blocks other benchmarks wrote, kept when the page is rewritten."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

__all__ = ["kept_blocks", "method_section", "phase_rows"]


def phase_rows(results: dict[str, Any]) -> list[str]:
    rows = [
        "| contender | RSS at interpreter start (MiB) | after import | after show | idle, one page "
        "| import (s, in process) | show -> server up (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in results["runs"].items():
        ok = [r for r in runs["page"] if "error" not in r and "shown" in r.get("phases", {})]
        if not ok:
            continue
        med = statistics.median

        def ph(r: dict[str, Any], k: str, f: str) -> float:
            return float(r["phases"][k][f])

        imp = med(ph(r, "imported", "monotonic") - ph(r, "start", "monotonic") for r in ok)
        show = med(ph(r, "shown", "monotonic") - ph(r, "imported", "monotonic") for r in ok)
        rows.append(
            f"| {name} | {med(ph(r, 'start', 'rss_kib') for r in ok) / 1024:.0f} "
            f"| {med(ph(r, 'imported', 'rss_kib') for r in ok) / 1024:.0f} "
            f"| {med(ph(r, 'shown', 'rss_kib') for r in ok) / 1024:.0f} "
            f"| {med(r['idle_rss_kib'] for r in ok) / 1024:.0f} "
            f"| {imp:.3f} | {show:.3f} |"
        )
    return rows


def method_section(results: dict[str, Any]) -> list[str]:
    m, o = results["machine"], results["options"]
    return [
        "",
        "## Method",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}, "
        f"Python {m['python']}, {m['chromium']} (headless, driven by Playwright, "
        "`--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--disable-features=LocalNetworkAccessChecks`, one browser per bench run, a fresh "
        "context per server). Everything on 127.0.0.1. Load average (1, 5, 15 min) at the "
        f"start {m.get('load_at_start')}, at the end {m.get('load_at_end')}: anything else "
        "running on the two cores shows up in every figure, which is why the contenders "
        "alternate.",
        "",
        "- Every server is `bench/scenario.py`, one script for all the contenders, run by "
        "the contender's own interpreter with `PYWRY_HEADLESS=1` and a free port in "
        "`PYWRY_SERVER__PORT` (ours with this checkout's `src/` on `PYTHONPATH`). It uses "
        "only the API they share: `PyWry(mode=WindowMode.BROWSER)`, `app.show(html, "
        "label=..., callbacks={...})` with three-argument callbacks (a plain function, and "
        "an `async def` one for the contenders that take it), `handle.url`, `handle.emit`, "
        "`app.destroy()`. Defaults everywhere.",
        "- Headless release: its browser mode calls `webbrowser.open()` on every `show()` "
        "whatever `PYWRY_HEADLESS` says, so the scenario replaces `webbrowser.open` with a "
        "no-op for the release only.",
        "- `import pywry`: wall time of `python -c 'import pywry'` minus that of "
        "`python -c 'pass'` (medians, alternating; raw figures in the notes). For the floor, "
        "`import floor`.",
        "- Cold start: from just before the runner starts the process until a GET of the "
        "`handle.url` the process printed answers 200 (the runner polls every 2 ms).",
        "- Idle RSS: `VmRSS` of the server process (Python only, not Chromium) "
        f"{o['settle_s']} s after its one page has loaded.",
        "- Round trip, in two forms on the same page and server, one after the other: the "
        "page emits `bench:ping` and a sync callback (`def`) answers with "
        "`handle.emit('bench:pong', data)`; then the page emits `bench:aping` and an "
        "`async def` callback answers the same way. Where each form runs is the "
        "contender's own: pywry runs a sync callback on a worker thread (on its loop only "
        "when asked, which the bench does not do) and an `async def` one on its loop; the "
        "release runs a sync callback on its callback thread and hands an `async def` one "
        "to its server's loop (`asyncio.run_coroutine_threadsafe`); the floors run every "
        "callback inline on their loop, so they have one round trip, measured with the "
        "sync callback, and it is the reference for both forms (in italics in the `async "
        "def` rows). A contender that takes no `async def` callback is marked not measured "
        "there. For each form: 100 warm-up trips, then 1,000 timed one after the other with "
        "`performance.now()` in the page. Chromium coarsens that clock to 100 µs unless the "
        "page is cross-origin isolated, so the runner serves the page's own response "
        "through Playwright with `Cross-Origin-Opener-Policy: same-origin` and "
        "`Cross-Origin-Embedder-Policy: require-corp` added (5 µs clock; the WebSocket "
        "is untouched; Local Network Access checks are off because a routed page counts as "
        "public). Server CPU per round trip, for each form: the process's CPU time "
        "(`time.process_time()`, all threads, user + system) over its 1,000 trips / 1,000.",
        "- Push: the page emits `bench:pushgo`; the callback hands the job to the script's "
        "main thread, which calls `handle.emit('bench:push', {'i': n})` 10,000 times as fast "
        "as it can; the page records every `i`. Throughput = 10,000 / (time from the page's "
        "request to the last event received), by the page's clock; all 10,000 must arrive in "
        "order or the run is marked incomplete. (Time from first to last event received is "
        "in the raw results; it cannot be used alone, since a server that batches well may "
        "deliver everything in one frame.)",
        f"- HTTP: `{m['http_tool']}`, {o['http_s']:g} s against the widget page, with the page "
        "still connected; CPU per request from the server's CPU time over the load.",
        "- Fan-out: one server with 100 widgets; `bench/wsclients.py` (raw sockets on one "
        "epoll loop in one process) fetches each page, takes its token the way the page does (the "
        "`pywry-config` block, or the release's inline `WS_AUTH_TOKEN`), and opens 10 "
        "WebSockets per widget offering the page's subprotocols. RSS is the server's after "
        f"{o['settle_s']} s. A broadcast is one `handle.emit('bench:fan', ...)` to each of "
        "the 100 widgets from the script's main thread; latency is from just before the "
        "first emit to the moment the last live client received it (`time.monotonic()` in "
        f"both processes); median over {o['fan_count']} broadcasts per run. The clients share "
        "the two cores with the server, so this figure includes their cost; the floor shows "
        "how low it can go here. The release keeps one socket per widget: each new "
        "connection to a widget closes the one before, so only the last of each widget's 10 "
        "stays and its fan-out figures are for 100 pages, not 1,000. RSS added per page: "
        "(RSS with the clients - RSS before them) / pages connected.",
        "- Ratios are of medians. Raw values per run are in the JSON file.",
    ]


def kept_blocks(path: Path) -> str:
    """The blocks other benchmarks wrote into ``path`` (``<!-- begin:NAME -->`` to
    ``<!-- end:NAME -->``), kept when this report rewrites the rest."""
    if not path.exists():
        return ""
    text = path.read_text()
    blocks = re.findall(r"\n*(<!-- begin:([\w-]+) -->.*?<!-- end:\2 -->)", text, re.S)
    return "".join(f"\n{block}\n" for block, _ in blocks)
