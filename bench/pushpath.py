"""pywry's own CPU per pushed event, in one process, with no server and no socket.

A script's thread emits a burst of 10,000 events to a widget with one page, whose
connection takes each message at once: everything pywry does for a push (the emit's checks
and encoding in the script's thread, the hand-over through the inbox, the bus's numbering,
the replay stream, the page's sender batching what piled up), before Granian's costs.
Measured twice: as it runs (the script's thread and the loop taking turns), and with the
loop held while the script emits, which gives the emitting thread's part alone. Medians of
7 bursts after one to warm up. Run: ``python bench/pushpath.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Awaitable
from typing import Any

from pywry import PyWry, WindowMode
from pywry.domain.ports import PageConnection
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

EVENTS = 10_000
BURSTS = 7


class _Socket(PageConnection):
    """Takes each message at once, and says when the last event of a burst went."""

    def __init__(self) -> None:
        self.last = threading.Event()
        self.wanted = ""

    def send_text(self, text: str) -> Awaitable[None]:
        if self.wanted and self.wanted in text:
            self.last.set()
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def send_bytes(self, data: bytes | memoryview) -> Awaitable[None]:
        return self.send_text("")

    def close(self, code: int, reason: str) -> None:
        return None


def _hold(held: threading.Event, release: threading.Event) -> None:
    held.set()
    release.wait(30)  # the loop thread waits here: the script's emits pile up in the inbox


def measure(*, hold_loop: bool) -> tuple[float, float]:
    """CPU per event of the whole push, and of the emitting thread's part, in µs."""
    app = PyWry(mode=WindowMode.BROWSER)
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    handle = app.show("<p/>", label="push")
    hub = app.container.reception()
    token = app.container.gateway().widget("push").token.reveal()
    loop = app.container.loop_thread()
    sock = _Socket()

    async def attach() -> Any:
        return await hub.attach("push", token=token, page_id="p", since=None, conn=sock)

    loop.run(attach())
    totals, emits = [], []
    for burst in range(BURSTS + 1):
        sock.last.clear()
        sock.wanted = f'"i":{burst * EVENTS + EVENTS - 1}}}'
        release = threading.Event()
        if hold_loop:
            held = threading.Event()
            loop.call_soon(_hold, held, release)
            held.wait(30)
        cpu0 = time.process_time()
        for i in range(burst * EVENTS, (burst + 1) * EVENTS):
            handle.emit("bench:push", {"i": i})
        cpu1 = time.process_time()
        release.set()
        if not sock.last.wait(30):
            raise RuntimeError("the burst did not reach the page")
        cpu2 = time.process_time()
        if burst:  # the first warms up
            totals.append((cpu2 - cpu0) / EVENTS * 1e6)
            emits.append((cpu1 - cpu0) / EVENTS * 1e6)
    app.destroy()
    return statistics.median(totals), statistics.median(emits)


def main() -> None:
    total, _ = measure(hold_loop=False)
    _, emitting = measure(hold_loop=True)
    print(f"pywry's push, {EVENTS:,} events a burst: {total:.2f} µs of CPU per event")
    print(f"  of which the emitting thread's part (the loop held meanwhile): {emitting:.2f} µs")


if __name__ == "__main__":
    main()
