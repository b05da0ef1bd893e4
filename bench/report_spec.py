"""What the main benchmark reports: its figures, how the floors stand in for the `async def`
form, and the goals each figure is held to."""

from __future__ import annotations

__all__ = ["ASYNC_REFERENCE", "FIGURES", "FLOORS", "GOALS"]

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
