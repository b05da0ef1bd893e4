"""A live dashboard: Python streams readings to a chart the page draws on a <canvas>.

    python examples/live_dashboard.py        # or: make demo

It prints ``pywry demo: <url>``; open it (the system browser opens it for you when there is a
display). Python simulates three signals of a web service and pushes the newest reading of
the one on screen every 100 ms (``handle.emit``). The chart is plain JavaScript on a
<canvas>, with nothing loaded from anywhere else (``live_dashboard.html`` beside this file).
The buttons pick the signal and the select the rate: the page tells Python
(``window.pywry.emit``), and Python changes what it sends. Close the tab, or press Ctrl+C,
to stop.
"""

import math
import random
import threading
import time
from collections import deque
from pathlib import Path

from pywry import IllegalTransitionError, PyWry

HISTORY = 300  # readings kept per signal: 30 s at the fastest rate
RATES_MS = (100, 250, 1000)


class Signal:
    """A noisy reading that wanders around a level and swings slowly (mean-reverting)."""

    def __init__(self, name, unit, level, swing, noise, low, high, seed):
        self.name, self.unit = name, unit
        self.level, self.swing, self.noise = level, swing, noise
        self.low, self.high = low, high
        self.value = level
        self.rng = random.Random(seed)  # noqa: S311 (a made-up walk: nothing here is a secret)

    def step(self, t, dt):
        target = self.level + self.swing * math.sin(t / 7) + self.swing / 3 * math.sin(t / 2.3)
        pull = 1 - math.exp(-1.5 * dt)  # the same drift back whatever the rate
        jitter = self.noise * math.sqrt(dt) * self.rng.gauss(0, 1)
        self.value += (target - self.value) * pull + jitter
        if self.rng.random() < 0.01:  # now and then a spike, as real services have
            self.value += self.noise * 4
        self.value = min(self.high, max(self.low, self.value))
        return round(self.value, 2)


class Feed:
    """What Python sends: the signal on screen, how often, and each signal's recent readings."""

    def __init__(self):
        self.signals = {
            "cpu": Signal("CPU load", "%", 38, 16, 6, 0, 100, seed=1),
            "latency": Signal("Response time", "ms", 120, 40, 22, 5, 2000, seed=2),
            "requests": Signal("Requests", "req/s", 820, 240, 70, 0, 5000, seed=3),
        }
        self.history = {name: deque(maxlen=HISTORY) for name in self.signals}
        self.series = "cpu"
        self.interval_ms = RATES_MS[0]
        self.lock = threading.Lock()  # callbacks change what the pushing thread reads
        # Thirty seconds of past readings, so that the chart is full from the first look.
        for i in range(-HISTORY, 0):
            for name, signal in self.signals.items():
                self.history[name].append([round(i / 10, 3), signal.step(i / 10, 0.1)])
        self.started = time.monotonic()

    def sample(self):
        """Advance every signal to now; the reading of the one on screen."""
        with self.lock:
            t = round(time.monotonic() - self.started, 3)
            dt = self.interval_ms / 1000
            for name, signal in self.signals.items():
                self.history[name].append([t, signal.step(t, dt)])
            return self.describe() | {"t": t, "v": self.history[self.series][-1][1]}

    def describe(self):
        signal = self.signals[self.series]
        return {
            "series": self.series,
            "name": signal.name,
            "unit": signal.unit,
            "interval_ms": self.interval_ms,
        }

    def snapshot(self):
        """The signal on screen and its recent readings, for a page that (re)draws it all."""
        with self.lock:
            return self.describe() | {"points": list(self.history[self.series])}


app = PyWry()
feed = Feed()


def on_hello(data):
    handle.emit("dash:history", feed.snapshot())


def on_series(data):
    if data.get("series") not in feed.signals:
        handle.alert(f"unknown signal: {data.get('series')!r}", alert_type="error")
        return
    with feed.lock:
        feed.series = data["series"]
    print(f"series: {feed.series}", flush=True)
    handle.emit("dash:history", feed.snapshot())  # every open page follows


def on_rate(data):
    if data.get("interval_ms") not in RATES_MS:
        handle.alert(f"unknown rate: {data.get('interval_ms')!r}", alert_type="error")
        return
    with feed.lock:
        feed.interval_ms = data["interval_ms"]
    print(f"rate: one reading every {feed.interval_ms} ms", flush=True)
    handle.emit("dash:rate", {"interval_ms": feed.interval_ms})


def push(stop):
    """Send a reading every interval until told to stop (the pages may come and go)."""
    due = time.monotonic()
    while not stop.is_set():
        point = feed.sample()
        try:
            if app.page_count() > 0:  # nobody watching: nothing to queue for later
                handle.emit("dash:point", point)
        except IllegalTransitionError:  # Ctrl+C stopped the app under us
            return
        due = max(due + point["interval_ms"] / 1000, time.monotonic() - 1)
        stop.wait(max(0.0, due - time.monotonic()))


handle = app.show(
    Path(__file__).with_name("live_dashboard.html").read_text(encoding="utf-8"),
    title="pywry live dashboard",
    callbacks={"dash:hello": on_hello, "dash:series": on_series, "dash:rate": on_rate},
)
print(f"pywry demo: {handle.url}", flush=True)

stop = threading.Event()
pusher = threading.Thread(target=push, args=(stop,), name="dashboard-feed", daemon=True)
pusher.start()
try:
    app.block()  # until the last tab closes, or Ctrl+C
finally:
    stop.set()
    pusher.join(5)
