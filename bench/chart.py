"""Draw docs/performance.png from a results file (run by the bench's tools venv).

    python bench/chart.py RESULTS.json OUT.png

One small bar chart per figure: the median of each contender, with the spread of the
runs (first to third quartile) as error bars.
"""

from __future__ import annotations

import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from report import FIGURES

COLORS = {"release": "#9e9e9e", "ours": "#1f77b4", "floor": "#2ca02c", "granian": "#ff7f0e"}


def quartiles(values: list[float]) -> tuple[float, float]:
    """First and third quartiles (the runs' middle half), robust to one odd run."""
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def main() -> None:
    with open(sys.argv[1]) as f:
        results = json.load(f)
    summary = results["summary"]
    figures = [f for f in FIGURES if any(c["median"] is not None for c in summary[f[0]].values())]
    cols = 4
    rows = (len(figures) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows))
    footnotes: set[str] = set()
    for ax, (key, label, unit, better) in zip(axes.flat, figures, strict=False):
        names, meds, lo, hi = [], [], [], []
        for name in ("release", "ours", "floor", "granian"):
            cell = summary[key].get(name)
            if not cell or cell["median"] is None:
                continue
            # A starred name: that contender's cell carries a caveat (see the footnote).
            if cell.get("reference"):
                names.append(name + "*")
                footnotes.add(f"* {name}: its one round trip, callback inline (the sync figure)")
            else:
                names.append(name + ("*" if cell.get("note", "").startswith("only") else ""))
                footnotes.update({f"* {name}: {cell['note']}"} if "*" in names[-1] else set())
            meds.append(cell["median"])
            q1, q3 = quartiles(cell["values"])
            lo.append(max(0.0, cell["median"] - q1))
            hi.append(max(0.0, q3 - cell["median"]))
        # Values go under the bars, where no error bar can cover them.
        labels = [
            f"{n}\n{v:,.0f}" if v >= 100 else f"{n}\n{v:.3g}"
            for n, v in zip(names, meds, strict=False)
        ]
        ax.bar(labels, meds, color=[COLORS[n.rstrip("*")] for n in names], yerr=[lo, hi], capsize=3)
        if key == "push_eps":
            ax.set_yscale("log")
        title = label.replace("`", "")
        ax.set_title(f"{title}\n({unit}, {better} is better)", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(figures) :]:
        ax.axis("off")
    stamp = results["started"][:16].replace("T", " ")
    fig.suptitle(
        f"pywry vs PyWry 2.0.6 vs the floors, {stamp} UTC: medians; "
        "bars span the middle half of the runs (quartiles)",
        fontsize=10,
    )
    if footnotes:
        fig.text(0.01, 0.005, "   ".join(sorted(footnotes)), fontsize=8)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
