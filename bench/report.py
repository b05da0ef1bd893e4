"""Turn raw runs into medians, ratios and goal verdicts, and write docs/performance.md."""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "GOALS", "evaluate_goals", "summarize", "write_markdown"]

# key, label, unit, which way is better
FIGURES: list[tuple[str, str, str, str]] = [
    ("import_s", "`import pywry` (minus a bare interpreter)", "s", "lower"),
    ("cold_start_s", "Cold start: new process until `handle.url` answers 200", "s", "lower"),
    ("rt_median_ms", "Round trip page -> Python -> page, sync callback, median", "ms", "lower"),
    ("rt_p99_ms", "Round trip, sync callback, p99", "ms", "lower"),
    ("cpu_per_rt_us", "Server CPU per round trip, sync callback", "µs", "lower"),
    ("rt_async_median_ms", "Round trip, `async def` callback, median", "ms", "lower"),
    ("rt_async_p99_ms", "Round trip, `async def` callback, p99", "ms", "lower"),
    ("cpu_per_rt_async_us", "Server CPU per round trip, `async def` callback", "µs", "lower"),
    ("push_eps", "Push, Python -> page, 10,000 events", "events/s", "higher"),
    ("idle_rss_mib", "Idle RSS, one widget and one page", "MiB", "lower"),
    ("http_rps", "HTTP requests/s, widget page, 10 connections", "req/s", "higher"),
    ("http_cpu_us", "Server CPU per HTTP request", "µs", "lower"),
    ("fan_rss_mib", "RSS with 1,000 pages on 100 widgets", "MiB", "lower"),
    ("fan_rss_per_page_kib", "RSS added per connected page (of those 1,000)", "KiB", "lower"),
    ("fan_last_ms", "Broadcast to 100 widgets x 10 pages: emit -> last page", "ms", "lower"),
]

# The floors run every callback inline on their loop: they have one round trip, measured
# with the sync callback, and it is their figure for the `async def` form too.
FLOORS = ("floor", "granian")
ASYNC_REFERENCE = {
    "rt_async_median_ms": "rt_median_ms",
    "rt_async_p99_ms": "rt_p99_ms",
    "cpu_per_rt_async_us": "cpu_per_rt_us",
}

# figure, measured against, comparison, target ratio (ours / other), wording
GOALS: list[tuple[str, str, str, float, str]] = [
    ("cold_start_s", "release", "<=", 0.4, "cold start <= 0.4x the release"),
    (
        "rt_median_ms",
        "release",
        "<=",
        0.8,
        "round trip median with a sync callback <= 0.8x the release",
    ),
    (
        "rt_p99_ms",
        "release",
        "<=",
        1.0,
        "round trip p99 with a sync callback no worse than the release",
    ),
    (
        "cpu_per_rt_us",
        "release",
        "<=",
        0.7,
        "server CPU per round trip with a sync callback <= 0.7x the release",
    ),
    (
        "cpu_per_rt_async_us",
        "granian",
        "<=",
        1.25,
        "server CPU per round trip with an async callback <= 1.25x the Granian floor",
    ),
    ("push_eps", "release", ">=", 10.0, "push throughput >= 10x the release"),
    ("push_eps", "floor", ">=", 1 / 3, "push throughput within 3x of the floor"),
    ("idle_rss_mib", "release", "<=", 0.5, "idle RSS <= 0.5x the release"),
]


def _page_values(runs: list[dict[str, Any]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k, *_ in FIGURES}
    for r in runs:
        if "error" in r:
            continue
        out["cold_start_s"].append(r["cold_start_s"])
        out["rt_median_ms"].append(r["rt_median_ms"])
        out["rt_p99_ms"].append(r["rt_p99_ms"])
        out["cpu_per_rt_us"].append(r["cpu_per_rt_us"])
        if "rt_async_median_ms" in r:
            out["rt_async_median_ms"].append(r["rt_async_median_ms"])
            out["rt_async_p99_ms"].append(r["rt_async_p99_ms"])
            out["cpu_per_rt_async_us"].append(r["cpu_per_rt_async_us"])
        out["push_eps"].append(r["push"]["events_per_s"])
        out["idle_rss_mib"].append(r["idle_rss_kib"] / 1024)
        out["http_rps"].append(r["http"]["rps"])
        out["http_cpu_us"].append(r["http"]["cpu_per_request_us"])
    return out


def _async_cells(
    name: str, results: dict[str, Any], values: dict[str, list[float]], notes: dict[str, str]
) -> set[str]:
    """Fill in the `async def` round trip figures of one contender; return its reference ones.

    A floor's are its one round trip's (a reference, not a measurement of its own); a
    contender that takes no `async def` callback has none, with a note saying so.
    """
    if name in FLOORS:
        for key, ref in ASYNC_REFERENCE.items():
            values[key] = list(values[ref])
        return set(ASYNC_REFERENCE)
    runs = results["runs"][name]["page"]
    if not results["contenders"].get(name, {}).get("async_callbacks", False):
        for key in ASYNC_REFERENCE:
            notes[key] = "not measured: it takes no `async def` callback"
        return set()
    errors = [r["rt_async_error"] for r in runs if "rt_async_error" in r]
    if errors:
        for key in ASYNC_REFERENCE:
            notes[key] = f"{len(errors)} of {len(runs)} runs failed: {errors[0]}"
    return set()


def summarize(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """figure -> contender -> {"median", "values", "note", "reference"}.

    ``reference``: a floor's `async def` figure, which is its one round trip's.
    """
    summary: dict[str, dict[str, Any]] = {k: {} for k, *_ in FIGURES}
    for name, runs in results["runs"].items():
        values = _page_values(runs["page"])
        notes: dict[str, str] = {}
        references = _async_cells(name, results, values, notes)
        errors = [r["error"] for r in runs["page"] if "error" in r]
        if errors:
            notes["cold_start_s"] = f"{len(errors)} of {len(runs['page'])} runs failed: {errors[0]}"
        pushes = [r["push"] for r in runs["page"] if "error" not in r]
        bad = [p for p in pushes if not p["complete"]]
        if bad:
            notes["push_eps"] = (
                f"INCOMPLETE in {len(bad)} of {len(pushes)} runs "
                f"(received {bad[0]['n']}, in order: {bad[0]['inOrder']})"
            )
        sizes = [r["page_bytes"] for r in runs["page"] if "page_bytes" in r]
        if sizes:
            notes["http_rps"] = f"the widget page is {statistics.median(sizes) / 1024:,.1f} KiB"
        imports = runs["import"]
        values["import_s"] = [
            statistics.median(i["import_s"]) - statistics.median(i["bare_s"]) for i in imports
        ]
        if imports:
            raw = statistics.median(x for i in imports for x in i["import_s"])
            bare = statistics.median(x for i in imports for x in i["bare_s"])
            notes["import_s"] = f"raw {raw:.3f} s, bare interpreter {bare:.3f} s"
        fans = [f for f in runs["fanout"] if "error" not in f]
        values["fan_rss_mib"] = [f["rss_kib"] / 1024 for f in fans]
        values["fan_last_ms"] = [f["fan_last_ms"] for f in fans]
        values["fan_rss_per_page_kib"] = [
            (f["rss_kib"] - f["rss_before_clients_kib"]) / f["live"] for f in fans if f["live"]
        ]
        fan_errors = [f["error"] for f in runs["fanout"] if "error" in f]
        if fans:
            live = statistics.median(f["live"] for f in fans)
            if live < 1000:
                notes["fan_last_ms"] = f"only {live:.0f} of 1,000 pages stayed connected"
                notes["fan_rss_mib"] = notes["fan_last_ms"]
                notes["fan_rss_per_page_kib"] = notes["fan_last_ms"]
        if fan_errors:
            notes["fan_last_ms"] = f"{len(fan_errors)} runs failed: {fan_errors[0]}"
        for key, vals in values.items():
            summary[key][name] = {
                "median": statistics.median(vals) if vals else None,
                "values": vals,
                "note": notes.get(key, ""),
                "reference": key in references,
            }
    return summary


def _ratio(summary: dict[str, Any], key: str, a: str, b: str) -> float | None:
    x = summary[key].get(a, {}).get("median")
    y = summary[key].get(b, {}).get("median")
    if x is None or y is None or y == 0 or math.isnan(x) or math.isnan(y):
        return None
    return float(x / y)


def evaluate_goals(summary: dict[str, Any], results: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, other, op, target, text in GOALS:
        ratio = _ratio(summary, key, "ours", other)
        passed = None if ratio is None else (ratio <= target if op == "<=" else ratio >= target)
        note = summary[key].get("ours", {}).get("note", "")
        if key == "push_eps" and note.startswith("INCOMPLETE"):
            passed = False
        out.append(
            {
                "figure": key,
                "against": other,
                "op": op,
                "target": target,
                "text": text,
                "ratio": ratio,
                "passed": passed,
            }
        )
    return out


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def _ratio_fmt(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


def write_markdown(results: dict[str, Any], path: Path, raw_name: Path) -> None:
    s, goals, m, opts = results["summary"], results["goals"], results["machine"], results["options"]
    names = list(results["contenders"])
    has_ours = "ours" in names
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python bench/run.py`); do not edit by hand. "
        f"Run started {results['started']} and took {results['elapsed_s'] / 60:.1f} min"
        f"{' (--quick)' if opts['quick'] else ''}.",
        "",
        "Contenders, measured side by side in one run, alternating (release, ours, floor, Granian "
        "floor, then "
        "the next repeat starts one contender later):",
        "",
        f"- **release**: PyWry {m['pywry_versions'].get('release', '2.0.6')} "
        "(`pip install 'pywry[notebook]==2.0.6'` in `bench/.cache/release-venv`).",
    ]
    if has_ours:
        lines.append(f"- **ours**: this project's pywry {m['pywry_versions'].get('ours', '')}.")
    else:
        lines.append(
            f"- **ours**: SKIPPED in this run: `from pywry import PyWry` failed "
            f"(`{results['ours_skipped']}`)."
        )
    lines += [
        "- **floor**: `bench/floor.py`, the thinnest server for the same page protocol that "
        "Python allows (one asyncio `Protocol` per connection, no framework, sync callbacks "
        'inline on the loop, events queued in one loop tick sent as one `{"events": [...]}` '
        "frame). It shows how close a real server can get to the limit of Python, loopback "
        "and Chromium; it is never shipped.",
        "- **Granian floor**: `bench/floor_granian.py`, the same thin protocol as a bare ASGI "
        "app (no framework, no exactly-once ledger, no replay buffer) served by pywry's own "
        "Granian runner on pywry's loop thread. It shows the limit of any app served by "
        "Granian, the server pywry is built on: what is left between it and ours is pywry's "
        "own code. Never shipped.",
        "",
        f"Every figure is the median over {opts['repeats']} runs per contender "
        f"(fan-out: {opts['fan_repeats']} runs; `import`: {opts['import_runs']} timings per run), "
        "each run in a fresh server process.",
        "",
        "## Results",
        "",
        "| Figure | release | ours | floor | Granian floor | ours / release | ours / floor "
        "| Granian floor / release |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label, unit, better in FIGURES:
        row = [f"{label} ({unit}, {better} is better)"]
        for name in ("release", "ours", "floor", "granian"):
            row.append(_cell(s[key].get(name)))
        row.append(_ratio_fmt(_ratio(s, key, "ours", "release")))
        row.append(_ratio_fmt(_ratio(s, key, "ours", "floor")))
        row.append(_ratio_fmt(_ratio(s, key, "granian", "release")))
        lines.append("| " + " | ".join(row) + " |")
    if any(cell.get("reference") for key in ASYNC_REFERENCE for cell in s[key].values()):
        lines += [
            "",
            "In italics: the floors run every callback inline on their loop, so they have one "
            "round trip, measured with the sync callback; it stands as their figure for the "
            "`async def` form too, the reference for both forms.",
        ]
    notes = [
        f"- {label}, {name}: {cell['note']}"
        for key, label, *_ in FIGURES
        for name, cell in s[key].items()
        if cell["note"]
    ]
    if notes:
        lines += ["", "Notes on single cells:", "", *notes]
    lines += ["", "![Benchmark chart](performance.png)", "", "## Goals", ""]
    lines += [
        "The last column is what the Granian floor reaches against the same target: the "
        "best any app served by Granian, the server pywry is built on, can do here (with "
        "its callback inline on its loop, whichever form ours is measured with). A goal "
        "set against the Granian floor has it as the reference instead.",
        "",
        "| Goal | ratio | result | Granian floor's ratio |",
        "| --- | ---: | --- | ---: |",
    ]
    unmeasured = "not measured (ours skipped)" if not has_ours else "not measured"
    for g in goals:
        verdict = {True: "met", False: "**NOT MET**", None: unmeasured}
        best = (
            "the reference"
            if g["against"] == "granian"
            else _ratio_fmt(_ratio(s, g["figure"], "granian", g["against"]))
        )
        lines.append(
            f"| {g['text']} | {_ratio_fmt(g['ratio'])} | {verdict[g['passed']]} | {best} |"
        )
    lines += _profile_section(results)
    lines += _method_section(results)
    lines += ["", f"Raw results: `{raw_name}` (kept out of git).", ""]
    path.write_text("\n".join(lines).rstrip("\n") + "\n" + _kept_blocks(path))


def _cell(cell: dict[str, Any] | None) -> str:
    """One contender's median in the results table."""
    if cell is None:
        return "skipped"
    if cell["median"] is None and cell["note"].startswith("not measured"):
        return "not measured"
    if cell.get("reference"):
        return f"*{_fmt(cell['median'])}*"
    return _fmt(cell["median"])


def _phase_rows(results: dict[str, Any]) -> list[str]:
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


def _reach(summary: dict[str, Any], goal: dict[str, Any]) -> str:
    """Whether the Granian floor, in the same run, meets a goal ours missed."""
    key = goal["figure"]
    if goal["against"] == "granian":
        # The Granian floor is the reference itself: say how much ours adds to it.
        ours, floor = summary[key]["ours"]["median"], summary[key]["granian"]["median"]
        unit = next(u for k, _, u, _ in FIGURES if k == key)
        return (
            f"{goal['text']}: ours {goal['ratio']:.2f}x ({_fmt(ours)} against {_fmt(floor)} "
            f"{unit}). The Granian floor does nothing but the page protocol, with its callback "
            f"inline on the same loop, so the {_fmt(ours - floor)} {unit} over it are pywry's "
            "own cost."
        )
    best = _ratio(summary, key, "granian", goal["against"])
    if best is None:
        return f"{goal['text']}: the Granian floor was not measured in this run."
    reached = best <= goal["target"] if goal["op"] == "<=" else best >= goal["target"]
    what = (
        "so it is within reach of an app on Granian, and what is missing is pywry's own cost"
        if reached
        else "so no app served by Granian reaches it on this machine"
    )
    if reached and key in ("rt_median_ms", "rt_p99_ms", "cpu_per_rt_us"):
        what += ", including where it runs a sync callback (the Granian floor runs it inline)"
    return f"{goal['text']}: ours {goal['ratio']:.2f}x; the Granian floor {best:.2f}x, {what}."


def _profile_section(results: dict[str, Any]) -> list[str]:
    goals = results["goals"]
    missed = [g for g in goals if g["passed"] is False]
    lines = ["", "## Where the time and memory go", ""]
    lines += ["Phases of the scenario process, medians over the page runs:", ""]
    lines += _phase_rows(results)
    if not missed:
        if any(g["passed"] for g in goals):
            lines += ["", "Every goal measured in this run was met."]
        return lines
    lines += ["", "Goals not met: " + "; ".join(g["text"] for g in missed) + "."]
    lines += [""] + [f"- {_reach(results['summary'], g)}" for g in missed]
    lines += [
        "",
        "Why, with the measurements behind it: [performance-analysis.md](performance-analysis.md).",
    ]
    prof = results.get("profiles", {})
    if "import" in prof:
        lines += ["", "### Cold start: `python -X importtime -c 'import pywry'` (ours)", ""]
        lines += ["| module | self (ms) | cumulative (ms) |", "| --- | ---: | ---: |"]
        lines += [f"| `{n}` | {a:.1f} | {c:.1f} |" for n, a, c in prof["import"]]
    for what, title in (
        ("rt", "round trips with a sync callback"),
        ("rt_async", "round trips with an `async def` callback"),
        ("push", "the push"),
    ):
        p = prof.get(what)
        if not p:
            continue
        lines += ["", f"### Profile of {title} (ours; py-spy at 500 Hz, all threads)", ""]
        if "error" in p:
            tail = "\n".join(p["error"].splitlines()[-6:])
            lines += ["Profile failed:", "", "```text", tail, "```"]
            continue
        scope = "push" if what == "push" else "1,000 round trips"
        lines.append(
            f"CPU time by thread over the whole {scope} (exact, from "
            "`/proc/<pid>/task/*/schedstat`; [OS thread name]): "
            + ", ".join(f"{t} {v:.0f} ms" for t, v in p.get("thread_cpu_ms", []))
            + "."
        )
        lines += [
            "",
            f"py-spy: {p['samples']} samples of threads it judged busy. Its idle filter is a "
            "heuristic: a thread parked in `select`/`epoll` or on a lock is sometimes counted, "
            "so trust the thread CPU times above over the shares of waiting functions below. "
            "Samples with no Python frame are native code (the HTTP server's own threads). "
            "By thread: " + ", ".join(f"{t} {v:.0f}%" for t, v in p["threads"]) + ".",
        ]
        lines += [
            "",
            "| function (self) | % | function (inclusive) | % |",
            "| --- | ---: | --- | ---: |",
        ]
        for (fs, vs), (fi, vi) in zip(p["self"], p["inclusive"], strict=False):
            lines.append(f"| `{fs}` | {vs:.1f} | `{fi}` | {vi:.1f} |")
    if any(g["figure"] == "idle_rss_mib" for g in missed):
        lines += ["", "Idle RSS: see the phase table above for how much each step adds."]
    return lines


def _method_section(results: dict[str, Any]) -> list[str]:
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


def _kept_blocks(path: Path) -> str:
    """The blocks other benchmarks wrote into ``path`` (``<!-- begin:NAME -->`` to
    ``<!-- end:NAME -->``), kept when this report rewrites the rest."""
    if not path.exists():
        return ""
    text = path.read_text()
    blocks = re.findall(r"\n*(<!-- begin:([\w-]+) -->.*?<!-- end:\2 -->)", text, re.S)
    return "".join(f"\n{block}\n" for block, _ in blocks)
