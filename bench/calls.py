"""A page -> Python ``call()`` round trip next to the emit round trip, in headless Chromium.

The emit round trip is the seed's: the page emits, a sync three-argument callback answers
with ``handle.emit``, the page's handler gets it. The call round trip: the page awaits
``pywry.call``, a sync callback returns the value. Both run on a worker thread, in the
same page, against the same server, alternating in blocks so the machine's drift hits
both alike. The page times each trip with ``performance.now()``, which Chromium rounds to
0.1 ms: medians of single trips move in steps of that size, so the comparison uses each
block's mean (its total time over its trips, which rounding does not bias), and the
median of the per-block ratios; p99 is of single trips.

Writes the block ``calls`` of ``docs/performance.md``. Run:
``python bench/calls.py [--trips 2000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from scalesoak_doc import machine, percentile, update_doc  # noqa: E402

DOC = BENCH.parent / "docs" / "performance.md"
CHROMIUM = "/usr/bin/chromium"
GOAL = 1.1  # the call round trip's median within this factor of the emit round trip's

PAGE = """<p>calls</p>
<script>
window.trips = async function (kind, n) {
  const times = [];
  let waiter = null;
  pywry.off('bench:pong');
  pywry.on('bench:pong', (d) => { if (waiter) { const w = waiter; waiter = null; w(); } });
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    if (kind === 'call') {
      await pywry.call('bench:call', {i: i});
    } else {
      await new Promise((res) => { waiter = res; pywry.emit('bench:ping', {i: i}); });
    }
    times.push(performance.now() - t0);
  }
  return times;
};
</script>"""


def run(trips: int, repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from pywry import PyWry

    app = PyWry(settings={"server": {"port": 0}, "headless": True})
    handle = app.show(PAGE, label="calls", open_browser=False)
    handle.on("bench:ping", lambda data, event_type, label: handle.emit("bench:pong", data))
    handle.on("bench:call", lambda data, event_type, label: data)
    samples: dict[str, list[float]] = {"emit": [], "call": []}
    blocks: dict[str, list[float]] = {"emit": [], "call": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(handle.url)
            page.wait_for_function("() => window.pywry && window.pywry.connected")
            for kind in ("emit", "call"):  # warm both paths up
                page.evaluate("([k, n]) => trips(k, n)", [kind, 200])
            for block in range(repeat):
                order = ("emit", "call") if block % 2 == 0 else ("call", "emit")
                for kind in order:
                    times: list[float] = page.evaluate("([k, n]) => trips(k, n)", [kind, trips])
                    samples[kind].extend(times)
                    blocks[kind].append(statistics.fmean(times))
            browser.close()
    finally:
        app.destroy()
    return {**samples, "emit_blocks": blocks["emit"], "call_blocks": blocks["call"]}


def report(result: dict[str, list[float]], trips: int, repeat: int) -> list[str]:
    emit, call = result["emit"], result["call"]
    ratios = [c / e for c, e in zip(result["call_blocks"], result["emit_blocks"], strict=True)]
    ratio = statistics.median(ratios)
    met = "met" if ratio <= GOAL else "missed"
    box = machine()
    return [
        "## Calls: `await pywry.call()` next to the emit round trip",
        "",
        "Written by `python bench/calls.py`.",
        f"Page -> Python round trips in headless Chromium, {repeat} blocks of {trips} trips"
        f" each, alternating ({box['cores']} cores, {box['cpu']}, Python {box['python']},"
        f" load {box['load_at_start']} at start):",
        "",
        "| Round trip | mean per block, median of blocks (ms) | median (ms) | p99 (ms) |",
        "|---|---|---|---|",
        f"| emit -> callback -> `handle.emit` -> `on` |"
        f" {statistics.median(result['emit_blocks']):.3f} | {statistics.median(emit):.1f} |"
        f" {percentile(emit, 99):.1f} |",
        f"| `await pywry.call()` -> callback returns |"
        f" {statistics.median(result['call_blocks']):.3f} | {statistics.median(call):.1f} |"
        f" {percentile(call, 99):.1f} |",
        "",
        f"Call / emit, median of the per-block ratios of the means: **{ratio:.2f}x** (goal"
        f" <= {GOAL}x: {met}); per block: {', '.join(f'{r:.2f}' for r in ratios)}. Single"
        " trips are timed to 0.1 ms (Chromium's clock), hence one decimal.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print, leave the doc alone")
    args = parser.parse_args()
    result = run(args.trips, args.repeat)
    lines = report(result, args.trips, args.repeat)
    print("\n".join(lines))
    if not args.no_write:
        update_doc("calls", lines, doc=DOC)


if __name__ == "__main__":
    main()
