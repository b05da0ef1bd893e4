"""The block ``deploy-soak`` of docs/scale-and-soak.md, written from one soak's results."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from soakdeploy_rss import RSS_GROWTH_LIMIT, RSS_MIN_MINUTES

__all__ = ["doc_lines"]


def doc_lines(res: dict[str, Any], raw: Path) -> list[str]:
    o, m, v = res["options"], res["machine"], res["verdicts"]
    tabs = res["tabs"]
    segs = [s for t in tabs for s in t["segments"]]
    d, e, lat = res["delivery"], res["emitter"], res["latency_ms"]
    restart, kill = res["redis_restart"], res["kill"]
    word = {
        True: "**pass**",
        False: "**FAIL**",
        None: f"not judged (run under {RSS_MIN_MINUTES:g} min)",
    }
    reloads = sum(t["reloads"] for t in tabs)
    reasons: dict[str, int] = defaultdict(int)
    for s in segs:
        if s["reason"] != "start":
            reasons[s["reason"]] += 1
    by_side = {s: sum(c["cut"] for c in res["cuts"] if c["side"] == s) for s in ("reset", "close")}
    lines = [
        "## Deploy soak: two workers on Redis, cuts, a Redis restart and a worker killed",
        "",
        f"Written by `python bench/soak_deploy.py --minutes {o['minutes']:g}` on "
        f"{res['started']} ({res['elapsed_s'] / 60:.1f} min; {m['cpu']}, {m['cores']} cores, "
        f"Linux {m['kernel']}, Python {m['python']}; load average at the start "
        f"{m['load_at_start']}, at the end {m['load_at_end']}).",
        "",
        f"`pywry deploy bench/deploy_app.py:widgets --workers {o['workers']}` on a real "
        f"`redis-server` without persistence; {o['pages']} pages (plain WebSocket clients "
        f"behaving as `bridge.js` does) on {o['widgets']} widgets; {o['rate']:g} events/s "
        f"emitted through HTTP ({o['per_request']} per request, {e['requests']:,} requests, "
        f"{e['failed']} failed; {e['events_ok']:,} events emitted). Every {o['every']:g} s "
        f"every page lost its connection ({len(res['cuts'])} cuts: {by_side['reset']} TCP "
        f"resets, {by_side['close']} close frames from the page) and resumed with `?since=`. "
        f"redis-server stopped at {_t(restart.get('stopped_at'))} and started again at "
        f"{_t(restart.get('started_at'))} on the same port (its data lost); every page had "
        f"reloaded by {_t(restart.get('all_resynced_at'))}. Worker "
        f"{kill.get('worker', '?')} killed (SIGKILL) at {_t(kill.get('at'))}, replaced by "
        f"Granian at {_t(kill.get('respawned_at'))}.",
        "",
        "| Check | Result |",
        "| --- | --- |",
        f"| Nothing lost, nothing doubled within each page's continuous segments "
        f"({len(segs)} segments: frame numbers contiguous, event counter strictly "
        f"increasing, no new event dropped as seen, none that another page saw in the range "
        f"missing) | {word[v['nothing_lost_or_doubled_in_segments']]} |",
        f"| Every event emitted reached the pages ({d['seen']:,} of {d['emitted_ok']:,}; "
        f"{d['died_with_worker']} died with the killed worker, {d['during_resync']} were "
        f"emitted while the pages resynchronised, {d['lost']} lost) "
        f"| {word[v['every_emitted_event_delivered']]} |",
        f"| Resyncs only after the Redis restart, or told by an overflow ({reloads} reloads: "
        + (", ".join(f"{k} {n}" for k, n in sorted(reasons.items())) or "none")
        + f") | {word[v['resyncs_only_after_the_redis_restart']]} |",
        f"| No event a page had before it reloaded delivered again after the reload "
        f"({sum(s['stale'] for s in segs)} such) "
        f"| {word[v['no_event_replayed_after_a_reload']]} |",
        f"| Every page connected and caught up at the end | {word[v['every_page_caught_up']]} |",
        f"| Workers' RSS flat once the faults are over (a minute after the last fault vs the "
        f"last minute, under {RSS_GROWTH_LIMIT:g} %) | {word[v['workers_rss_flat']]} |",
        "",
        "| Process | lived (s) | RSS first window (MiB) | RSS after the faults (MiB) "
        "| RSS last window (MiB) | growth over its life | growth after the faults |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for pid, r in sorted(res["rss"].items(), key=lambda kv: (kv[1]["who"], kv[1]["from_s"])):
        growth = f"{r['growth_pct']:+.1f} %" if "growth_pct" in r else "n/a"
        settled = f"{r['settled_growth_pct']:+.1f} %" if "settled_growth_pct" in r else "n/a"
        judged = "" if r["judged"] else " (not judged)"
        lines.append(
            f"| {r['who']} pid {pid}{judged} | {r['from_s']:.0f}-{r['to_s']:.0f} | "
            f"{_mib(r['first_kib'])} | {_mib(r.get('settled_kib'))} | {_mib(r['last_kib'])} "
            f"| {growth} | {settled} |"
        )
    seg_sum = {k: sum(s[k] for s in segs) for k in ("missing", "hidden", "n_errors", "resent")}
    mism = sum(s["hello_mismatches"] for s in segs)
    codes: dict[str, int] = defaultdict(int)
    for t in tabs:
        for c in t["close_codes"]:
            codes[str(c)] += 1
    lines += [
        "",
        f"- Within segments: {seg_sum['missing']} frame numbers skipped, {seg_sum['hidden']} "
        f"new events dropped as already seen, {seg_sum['n_errors']} events doubled or out of "
        f"order, {res['coverage']['events_lacking']} events lacking that other pages had; "
        f"{seg_sum['resent']} frames sent again after a reconnect (already seen, dropped by "
        f"the page); {mism} hellos whose cursor differed from the page's `since`.",
        "- Close codes the pages saw: "
        + ", ".join(f"{k} x{n}" for k, n in sorted(codes.items()))
        + " (None: reset or closed without a close frame, or closed by the page). "
        f"Reloads that failed to fetch the page: {res['reload_failures']}. Control frames: "
        f"{res['other_frames'] or 'none'}.",
        f"- Emit -> page latency of events emitted while their page was connected: median "
        f"{lat['live_median']:.1f} ms, p99 {lat['live_p99']:.1f} ms, p99.9 "
        f"{lat['live_p999']:.1f} ms; all deliveries (with the replays after cuts): median "
        f"{lat['median']:.1f} ms, p99 {lat['p99']:.0f} ms, max {lat['max']:.0f} ms. The "
        f"emitter fell behind its pace by at most {e['max_behind_s']:.2f} s.",
    ]
    if d["lost_examples"]:
        lines.append(
            "- Events emitted that no page had (label, n, s, worker): "
            + "; ".join(str(x) for x in d["lost_examples"])
            + "."
        )
    if res["server_problems"]:
        lines.append(
            f"- The server logged {len(res['server_problems'])} warning or error lines; "
            f"first: `{res['server_problems'][0][:200]}`."
        )
    lines += [
        "",
        "RSS of the workers over the run (MiB, one sample per minute):",
        "",
        "```text",
        *_rss_table(res["rss_samples"]),
        "```",
        "",
        f"Raw results, with every segment and RSS sample: `{raw}` (kept out of git).",
    ]
    return lines


def _t(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f} s"


def _mib(kib: float | None) -> str:
    return "n/a" if not kib else f"{kib / 1024:.1f}"


def _rss_table(samples: list[dict[str, Any]]) -> list[str]:
    rows: list[str] = []
    next_t = 0.0
    times = sorted({s["t"] for s in samples})
    for t in times:
        if t < next_t:
            continue
        at = [s for s in samples if s["t"] == t and s["who"].startswith("worker")]
        rows.append(
            f"{t / 60:4.1f} min  "
            + "  ".join(f"{s['who']} ({s['pid']}) {s['rss_kib'] / 1024:6.1f}" for s in at)
        )
        next_t = t + 60
    if times and times[-1] >= 60 and not rows[-1].startswith(f"{times[-1] / 60:4.1f}"):
        at = [s for s in samples if s["t"] == times[-1] and s["who"].startswith("worker")]
        rows.append(
            f"{times[-1] / 60:4.1f} min  "
            + "  ".join(f"{s['who']} ({s['pid']}) {s['rss_kib'] / 1024:6.1f}" for s in at)
        )
    return rows
