"""Round trips with a sync callback in Chromium, against the least any app on Granian pays.

``make bench`` compares pywry's round trip with a sync callback to the release's and to the
Granian floor's, whose callback runs inline on its loop. pywry runs a sync callback on a
worker thread (a rule: a slow callback never stalls another widget), so this benchmark adds
the fair reference: the Granian floor with its callback on a worker thread
(``PYWRY_FLOOR_WORKER=1``), the least an app on Granian pays to keep sync callbacks off its
loop. The release, ours, the Granian floor inline and with a worker, alternating, each run a
fresh server and a fresh page, 1,000 round trips after 100 to warm up (as ``make bench``
times them); medians over the runs. Run: ``python bench/sync_reference.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contenders import CACHE, RELEASE_SPEC, Contender, ServerProcess, ensure_venv
from measure import open_page, round_trips
from run import CHROMIUM, CHROMIUM_ARGS


def _one(browser: object, contender: Contender, env: dict[str, str]) -> tuple[float, ...]:
    """CPU per round trip (µs), median and p99 (ms) on one fresh server."""
    server = ServerProcess(contender, env=env)
    try:
        line, _ = server.wait_for("URL ", 60)
        server.wait_for("READY", 30)
        context, page = open_page(browser, line.split(" ", 1)[1])
        try:
            found = round_trips(page, server, "bench:ping", "rt")
        finally:
            context.close()
    finally:
        server.stop()
    return found["cpu_per_rt_us"], found["rt_median_ms"], found["rt_p99_ms"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    release = ensure_venv(CACHE / "release-venv", [RELEASE_SPEC], CACHE / "release-pip.log")
    runs: list[tuple[str, Contender, dict[str, str]]] = [
        ("release", Contender("release", release, "release"), {}),
        ("ours", Contender("ours", sys.executable, "ours"), {}),
        ("Granian floor, inline", Contender("granian", sys.executable, "granian"), {}),
        (
            "Granian floor, worker thread",
            Contender("granian", sys.executable, "granian"),
            {"PYWRY_FLOOR_WORKER": "1"},
        ),
    ]
    found: dict[str, list[tuple[float, ...]]] = {name: [] for name, _, _ in runs}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for k in range(args.repeat):
            for name, contender, env in runs[k % 4 :] + runs[: k % 4]:
                found[name].append(_one(browser, contender, env))
                print(f"sync-reference: rep {k + 1} {name}: {found[name][-1][0]:.0f} µs CPU")
        browser.close()
    base = [statistics.median(r[i] for r in found["release"]) for i in range(3)]
    print("\n| server | CPU per round trip (µs) | median (ms) | p99 (ms) | each / the release's |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, results in found.items():
        med = [statistics.median(r[i] for r in results) for i in range(3)]
        ratios = ", ".join(f"{m / b:.2f}x" for m, b in zip(med, base, strict=True))
        print(f"| {name} | {med[0]:.0f} | {med[1]:.3f} | {med[2]:.2f} | {ratios} |")
    print("\nCPU per run:", {name: [round(r[0]) for r in rs] for name, rs in found.items()})


if __name__ == "__main__":
    main()
