"""A latency histogram: every delivery counted in a 0.1 ms bucket, percentiles read back.

The soaks see millions of deliveries; a list of them all would grow with the run and
weigh on the client process that is part of what they measure, so they count buckets.
"""

from __future__ import annotations

__all__ = ["LatencyHistogram"]

STEP_MS = 0.1
BUCKETS = 200_000  # up to 20 s; anything later goes into the last bucket


class LatencyHistogram:
    """Counts of latencies, 0.1 ms wide buckets from 0 to 20 s."""

    def __init__(self) -> None:
        self.counts = [0] * (BUCKETS + 1)

    def add(self, ms: float) -> None:
        self.counts[min(BUCKETS, max(0, int(ms / STEP_MS)))] += 1

    def total(self) -> int:
        return sum(self.counts)

    def percentile(self, q: float) -> float:
        """The middle of the bucket at rank ``q`` (0..100); NaN when nothing was counted."""
        total = self.total()
        if total == 0:
            return float("nan")
        rank, seen = q / 100 * total, 0
        for bucket, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return (bucket + 0.5) * STEP_MS
        return float("nan")
