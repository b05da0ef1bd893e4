"""The ``payloads`` block of ``docs/performance.md``: figures, goals, method, findings."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from payloads_rss import IN_FLIGHT, REPLAY_BYTES
from payloads_server import BIN_BYTES, JSON_ROWS, STREAM_BYTES

__all__ = ["FINDINGS", "GOALS", "report"]

GOALS = {"json_vs_floor": 1.2, "json_vs_release": 0.5, "bin_vs_floor": 0.5, "rss_buffers": 2.0}
NOISY_LOAD = 1.5
CONTENDERS = ("ours", "release", "floor")
MIB = 1 << 20

# Where the time and the memory go: read by hand from the server process during the trips
# (bench/payloads_profile.py's on-CPU sampler, tracemalloc, a bare Granian send test) on
# 2026-12-04; kept here so that a rerun keeps them next to the figures they explain.
FINDINGS: list[str] = [
    "- Bytes, Python -> page: pywry's loop thread spends most of its running time in"
    " `_SocketConnection.send_bytes` (`adapters/http/websocket.py`). Granian takes a"
    " `memoryview` piece far more slowly than `bytes` (bare Granian, 8 MiB in 1 MiB pieces:"
    " 71 ms of `send` calls as memoryviews, 8-14 ms as bytes), hence the server CPU per"
    " 50 MB above against the floor's. Handing Granian `bytes` pieces, cut once when the"
    " event is encoded and shared by every page, would take most of it away.",
    "- Memory, page that never reads: `emit` encodes each event in the emitting thread (one"
    " 10 MB copy, `frames.encode_body`) and hands it to the loop without waiting. Emitted"
    " back to back, several encoded events wait for the loop on top of the replay buffer:"
    " tracemalloc in the server peaked at 124 MiB with the 100 events back to back, 76 MiB"
    " with them 50 ms apart (buffer 64 MiB). It is bounded (runs of 50, 100 and 200 events"
    " peaked between 1.8x and 2.1x the buffer, not growing with the amount), but near 2x,"
    " not 1x, so it lands on either side of this goal from run to run. Counting the bytes"
    " waiting between `emit` and the loop against `replay_buffer_bytes`, and making `emit`"
    " wait beyond that, would bring it near 1x plus one event.",
    "- RSS after the events holds the replay buffer's last events (64 MiB: the widget keeps"
    " them for a reconnect) and, beyond that, freed 10 MB bodies kept by glibc's allocator"
    " (it raises its mmap threshold after the first large free, so later ones come from the"
    " heap): with `MALLOC_MMAP_THRESHOLD_=1048576` the frozen page's after fell from 245 to"
    " 197 MiB (128 before + the buffer). `malloc_trim(0)` after large events would do the"
    " same from inside.",
    "- Bytes, page -> Python: the page's sending bounds it, not the server (CPU column);"
    " single trips of pywry and of the floor both swing between 0.7 and 2 s here, so a"
    " ratio above 1x is noise, not pywry beating the floor.",
    "- JSON: the server's share is the CPU column (tens of ms per 10 MB for pywry and the"
    " floor); the rest of each trip is Chromium's. With every bridge (pywry's, the"
    " release's, the floor's) `window.pywry.emit` of the 10 MB columns took 170-450 ms in"
    " the page (`JSON.stringify` 30-180 ms of it, the rest `WebSocket.send` of the string),"
    " and those times swing 2x between trips on this shared machine.",
]


def _net(runs: list[dict[str, Any]], kind: str) -> float | None:
    """Median over the runs of (the run's median trip of ``kind`` - its median tiny trip)."""
    nets = [r["median_s"][kind] - r["median_s"]["tiny"] for r in runs if "median_s" in r]
    return statistics.median(nets) if nets else None


def _cpu_ms(runs: list[dict[str, Any]], kind: str) -> float | None:
    """Median over the runs of the server's CPU per trip of ``kind``, tiny trip's taken off."""
    cpu = [r["cpu_per_trip_s"] for r in runs if kind in r.get("cpu_per_trip_s", {})]
    nets = [(c[kind] - c["tiny"]) * 1000 for c in cpu]
    return statistics.median(nets) if nets else None


def _mbps(seconds: float | None) -> float | None:
    return BIN_BYTES / 1e6 / seconds if seconds else None


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**FAIL**")


def _f(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def report(results: dict[str, Any], raw: Path) -> list[str]:
    runs = results["runs"]
    box, opts = results["machine"], results["options"]
    load0, load1 = box["load_at_start"], box.get("load_at_end", [0.0])
    noisy = max(load0[0], load1[0]) > NOISY_LOAD
    lines = [
        "## Large and binary payloads",
        "",
        f"Written by `python bench/payloads.py` on {results['started']}"
        f" ({results['elapsed_s'] / 60:.1f} min; {box['cpu']}, {box['cores']} cores,"
        f" Python {box['python']}, headless Chromium; load average at the start {load0},"
        f" at the end {load1}). {opts['repeats']} repeats, each a fresh server per contender"
        f" in a rotated order, {opts['trips']} trips of each kind per server after one"
        " warm-up; figures are medians over the repeats.",
    ]
    if noisy:
        lines += [
            "",
            f"**The load average was above {NOISY_LOAD} (others were using the machine's"
            " cores): these figures are noisy; the ratios, taken from the same repeats, are"
            " steadier than the times.**",
        ]
    goals: list[tuple[str, float | None, bool | None]] = []
    lines += ["", "### 10 MB of JSON", ""]
    lines += [
        "| Direction | pywry (s) | release (s) | floor (s) | pywry / floor | pywry / release"
        " | server CPU per trip (ms): pywry / release / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, name in (("down-json", "Python -> page"), ("up-json", "page -> Python")):
        ours, rel, floor = (_net(runs.get(c, []), kind) for c in ("ours", "release", "floor"))
        vs_floor, vs_rel = _ratio(ours, floor), _ratio(ours, rel)
        lines.append(
            f"| {name} | {_f(ours, '.3f')} | {_f(rel, '.3f')} | {_f(floor, '.3f')} |"
            f" {_f(vs_floor, '.2f')}x | {_f(vs_rel, '.2f')}x | "
            + " / ".join(_f(_cpu_ms(runs.get(c, []), kind), ".0f") for c in CONTENDERS)
            + " |"
        )
        ok_floor = None if vs_floor is None else vs_floor <= GOALS["json_vs_floor"]
        ok_rel = None if vs_rel is None else vs_rel <= GOALS["json_vs_release"]
        goals.append(
            (f"JSON {name}: time <= {GOALS['json_vs_floor']}x the floor's", vs_floor, ok_floor)
        )
        goals.append(
            (f"JSON {name}: time <= {GOALS['json_vs_release']}x the release's", vs_rel, ok_rel)
        )
    lines += ["", "### 50 MB of bytes", ""]
    lines += [
        "| Direction | pywry (MB/s) | bare Granian floor (MB/s) | pywry / floor | release"
        " | server CPU per 50 MB (ms): pywry / floor |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    raw_runs = runs.get("rawfloor", [])
    for kind, name in (("down-bin", "Python -> page"), ("up-bin", "page -> Python")):
        ours = _mbps(_net(runs.get("ours", []), kind))
        floor = _mbps(_net(raw_runs, kind))
        how = "1 MiB pieces"
        if kind == "down-bin":
            whole = _mbps(_net(raw_runs, "down-bin-whole"))
            if whole is not None and (floor is None or whole > floor):
                floor, how = whole, "one message"
        ratio = _ratio(ours, floor)
        floor_kind = "down-bin-whole" if how == "one message" else kind
        cpu = (_cpu_ms(runs.get("ours", []), kind), _cpu_ms(raw_runs, floor_kind))
        lines.append(
            f"| {name} | {_f(ours, '.1f')} | {_f(floor, '.1f')} ({how}) | {_f(ratio, '.2f')}x"
            f" | n/a (no binary) | {_f(cpu[0], '.0f')} / {_f(cpu[1], '.0f')} |"
        )
        ok = None if ratio is None else ratio >= GOALS["bin_vs_floor"]
        goals.append(
            (f"bytes {name}: throughput >= {GOALS['bin_vs_floor']}x the floor's", ratio, ok)
        )
    lines += _rss_lines(results, goals)
    lines += ["", "### Goals", "", "| Goal | measured | result |", "| --- | ---: | --- |"]
    lines += [f"| {what} | {_f(value, '.2f')}x | {_verdict(ok)} |" for what, value, ok in goals]
    if FINDINGS:
        lines += ["", "### Where the time and the memory go", "", *FINDINGS]
    lines += _method(results, raw)
    return lines


def _rss_lines(results: dict[str, Any], goals: list[Any]) -> list[str]:
    lines = ["", f"### Server memory: {results['options']['events']} x 10 MB of bytes", ""]
    lines += [
        "| Page | RSS before (MiB) | peak (MiB) | after (MiB) | peak - before (MiB) |"
        " replay_buffer_bytes (MiB) | (peak - before) / buffer |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    half = results["options"]["events"] // 2
    pages = [
        ("rss_reading", "reads (Chromium)"),
        ("rss_frozen", "never reads"),
        ("rss_frozen_half", f"never reads, {half} events"),
    ]
    for key, name in pages:
        r = results.get(key)
        if not r:
            lines.append(f"| {name} | not measured | | | | | |")
            continue
        grown = r["peak_over_before_bytes"]
        ratio = grown / r["replay_buffer_bytes"]
        lines.append(
            f"| {name} | {r['before_kib'] / 1024:.0f} | {r['peak_kib'] / 1024:.0f} |"
            f" {r['after_kib'] / 1024:.0f} | {grown / MIB:.0f} |"
            f" {r['replay_buffer_bytes'] / MIB:.0f} | {ratio:.2f} |"
        )
        ok = ratio <= GOALS["rss_buffers"] and r.get("complete", True)
        limit = GOALS["rss_buffers"]
        if key == "rss_frozen_half":
            continue  # shown to compare with the full amount, not a goal of its own
        goals.append(
            (f"RSS, page that {name}: peak - before <= {limit}x replay_buffer_bytes", ratio, ok)
        )
    reading, frozen = results.get("rss_reading") or {}, results.get("rss_frozen") or {}
    if reading:
        done = "all" if reading.get("complete") else "NOT all"
        lines += [
            "",
            f"The reading page got {done} of the {reading['events'] * STREAM_BYTES / 1e9:.1f} GB"
            f" ({reading['page_bytes']:,} bytes) in {reading['seconds']:.1f} s"
            f" ({reading['page_bytes'] / 1e6 / reading['seconds']:.1f} MB/s), at most"
            f" {IN_FLIGHT} events emitted and not yet acknowledged by its handler.",
        ]
    if frozen:
        dropped = "closed" if frozen.get("page_dropped") else "did not close"
        lines += [
            "",
            f"To the page that never reads, `emit` returned for all {frozen['events']} events"
            f" in {frozen['emit_seconds']:.2f} s; the server {dropped} its socket (the page"
            " fell behind the replay buffer).",
        ]
    return lines


def _method(results: dict[str, Any], raw: Path) -> list[str]:
    return [
        "",
        "Method. Every time is a round trip timed in the server process with"
        " `time.perf_counter()`, so no clocks of two processes are compared: Python -> page"
        " is from just before `handle.emit` of the big event to the callback that gets the"
        " page handler's tiny answer; page -> Python is from just before `handle.emit` of a"
        " tiny request to the callback that gets the big event the page's handler emitted"
        " (its payload built beforehand, so building it is not timed, but `JSON.stringify`"
        " is). Each figure is the big trip minus a tiny trip measured the same way on the"
        " same server (its median), so what remains is the big payload's cost. Server CPU"
        " per trip is every thread's (Granian's native ones too, from `schedstat`) over the"
        " trips, the tiny trip's taken off: unlike the times, it does not depend on what"
        " Chromium and the machine's other work do meanwhile.",
        f"JSON: {{'i': n, 'cols': {{'a', 'b', 'c', 'd'}}}}, {JSON_ROWS:,} random floats per"
        " column, about 10 MB encoded (the page's own, the same shape, was"
        f" {_page_json(results)} bytes). pywry runs with `max_message_size` and"
        " `replay_buffer_bytes` at 64 MiB (the defaults, 4 and 16 MiB, are below the events);"
        " the release and the floor take 10 MB frames as they are. The callbacks are sync"
        " three-argument ones (pywry runs them on its worker threads, the floor inline on its"
        " loop). Bytes: {'i': n, 'blob': 50,000,000 bytes} (a `Uint8Array` from the page);"
        " MB/s is 50 MB over the net time. The floor for bytes is"
        " `bench/payloads_rawfloor.py`: the same bytes over a bare Granian WebSocket (pywry's"
        " own runner and loop) with no protocol, Python -> page in 1 MiB pieces and as one"
        " message (the faster counts), page -> Python in 1 MiB pieces (Granian reads at most"
        " 16 MiB per frame).",
        "Memory: `bench/payloads_rss.py`. RSS is the server's `VmRSS`; the peak is the"
        " larger of `VmHWM` (reset via `/proc/<pid>/clear_refs` just before) and `VmRSS`"
        " sampled every 5 ms; after is 3 s past the last event. Before already holds the"
        " payloads the server process made at start (about 80 MB of floats and bytes)."
        f" 'Bounded' means the peak grew by at most {GOALS['rss_buffers']:.0f}x"
        f" `replay_buffer_bytes` while {_through(results):.0f}x that went through. The page"
        " that never reads is"
        " a raw WebSocket client that connects as the page does and then reads nothing.",
        f"Raw results: `{raw}` (kept out of git).",
    ]


def _through(results: dict[str, Any]) -> float:
    return results["options"]["events"] * STREAM_BYTES / REPLAY_BYTES


def _page_json(results: dict[str, Any]) -> str:
    sizes = [
        r["page_json_bytes"] for r in results["runs"].get("ours", []) if r.get("page_json_bytes")
    ]
    return f"{statistics.median(sizes):,.0f}" if sizes else "n/a"
