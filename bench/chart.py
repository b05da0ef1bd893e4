"""Draw docs/performance.png from a results file (run by the bench's tools venv).

    python bench/chart.py RESULTS.json OUT.png

One small bar chart per figure: the median of each contender, with the spread of the
runs (min to max) as error bars.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from report import FIGURES

COLORS = {"release": "#9e9e9e", "ours": "#1f77b4", "floor": "#2ca02c"}


def main() -> None:
    with open(sys.argv[1]) as f:
        results = json.load(f)
    summary = results["summary"]
    figures = [f for f in FIGURES if any(c["median"] is not None for c in summary[f[0]].values())]
    cols = 4
    rows = (len(figures) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows))
    for ax, (key, label, unit, better) in zip(axes.flat, figures, strict=False):
        names, meds, lo, hi = [], [], [], []
        for name in ("release", "ours", "floor"):
            cell = summary[key].get(name)
            if not cell or cell["median"] is None:
                continue
            names.append(name)
            meds.append(cell["median"])
            lo.append(cell["median"] - min(cell["values"]))
            hi.append(max(cell["values"]) - cell["median"])
        bars = ax.bar(names, meds, color=[COLORS[n] for n in names], yerr=[lo, hi], capsize=3)
        for bar, v in zip(bars, meds, strict=False):
            text = f"{v:,.0f}" if v >= 100 else f"{v:.3g}"
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        if key == "push_eps":
            ax.set_yscale("log")
        title = label.replace("`", "")
        ax.set_title(f"{title}\n({unit}, {better} is better)", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(figures) :]:
        ax.axis("off")
    stamp = results["started"][:16].replace("T", " ")
    fig.suptitle(
        f"pywry vs PyWry 2.0.6 vs floor - medians, bars = min..max ({stamp} UTC)", fontsize=10
    )
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
