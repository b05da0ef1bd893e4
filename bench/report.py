"""Turn raw runs into medians, ratios and goal verdicts, and write docs/performance.md."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

from report_spec import ASYNC_REFERENCE, FIGURES, FLOORS, GOALS
from report_text import kept_blocks, method_section, phase_rows

__all__ = ["FIGURES", "GOALS", "evaluate_goals", "summarize", "write_markdown"]


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
    lines += method_section(results)
    lines += ["", f"Raw results: `{raw_name}` (kept out of git).", ""]
    path.write_text("\n".join(lines).rstrip("\n") + "\n" + kept_blocks(path))


def _cell(cell: dict[str, Any] | None) -> str:
    """One contender's median in the results table."""
    if cell is None:
        return "skipped"
    if cell["median"] is None and cell["note"].startswith("not measured"):
        return "not measured"
    if cell.get("reference"):
        return f"*{_fmt(cell['median'])}*"
    return _fmt(cell["median"])


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
    lines += phase_rows(results)
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
