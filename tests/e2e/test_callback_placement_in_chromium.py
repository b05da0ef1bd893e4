"""One widget's slow callback never stalls another widget's pages, whatever its history.

A sync callback answers quickly for many clicks, then turns slow (a query that takes
seconds). Meanwhile another widget's page must keep its round trips in milliseconds: sync
callbacks run on worker threads, one widget's lane apart from another's, and nothing moves
a callback onto the server's loop because it was quick before. Real server, real Chromium.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tabs import open_widget

pytestmark = pytest.mark.e2e

PING = """
async (count) => {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await new Promise((resolve) => {
      const done = () => { window.pywry.off('app:pong', done); resolve(); };
      window.pywry.on('app:pong', done);
      window.pywry.emit('app:ping', {i});
    });
    times.push(performance.now() - t0);
  }
  return times;
}
"""


@pytest.mark.timeout(60)
def test_a_callback_quick_many_times_then_slow_does_not_delay_another_widget(make_app, new_page):
    app = make_app()
    release = threading.Event()
    slow_started = threading.Event()

    def sometimes_slow(data: Any, event_type: str, label: str) -> None:
        if data["i"] == "slow":
            slow_started.set()
            release.wait(10)  # seconds of work, after many quick runs
        app.emit("app:pong", data, label)

    def quick(data: Any, event_type: str, label: str) -> None:
        app.emit("app:pong", data, label)

    a = app.show("<p>a</p>", label="a", callbacks={"app:ping": sometimes_slow})
    b = app.show("<p>b</p>", label="b", callbacks={"app:ping": quick})
    page_a, page_b = new_page(), new_page()
    open_widget(page_a, a.url)
    open_widget(page_b, b.url)
    try:
        assert len(page_a.evaluate(PING, 30)) == 30  # quick, thirty times
        page_a.evaluate("() => { window.pywry.emit('app:ping', {i: 'slow'}); }")
        assert slow_started.wait(5)
        times = page_b.evaluate(PING, 20)  # while a's callback is busy
        assert max(times) < 500, f"widget b's round trips took up to {max(times):.0f} ms"
    finally:
        release.set()
