"""pywry's own Python per round trip, on the loop, with no server and no socket.

A page's message handed to the hub as the socket's reader does, the scenario's callback
registered to run on the loop (``sync_to_thread=False``) or ``async def``, and a connection
that takes each message at once: from the message to its answer's send, everything pywry
does on the loop for one round trip before Granian's costs (decoding and checking, the
exactly-once ledger, the dispatch, the emit through the inbox, the bus's numbering, the
replay stream, the page's sender). Medians of 5 runs of 20,000 trips. Run:
``python bench/looppath.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable
from typing import Any

from pywry import PyWry, WindowMode
from pywry.app.pages import PageSession
from pywry.domain.ports import PageConnection
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

TRIPS = 20_000


class _Socket(PageConnection):
    """Takes each message at once, and says when an answer went."""

    def __init__(self) -> None:
        self.sent = asyncio.Event()

    def send_text(self, text: str) -> Awaitable[None]:
        self.sent.set()
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def close(self, code: int, reason: str) -> None:
        return None


def measure(kind: str) -> float:
    app = PyWry(mode=WindowMode.BROWSER)
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    handles: dict[str, Any] = {}

    def on_ping(data: object, event_type: str, label: str) -> None:
        handles[label].emit("bench:pong", data)

    async def on_ping_async(data: object, event_type: str, label: str) -> None:
        handles[label].emit("bench:pong", data)

    callback = on_ping_async if kind == "async" else on_ping
    handles["bench0"] = app.show(
        "<p/>", label="bench0", callbacks={"bench:ping": callback}, sync_to_thread=False
    )
    hub = app.container.reception()
    token = app.container.gateway().widget("bench0").token.reveal()

    async def run(page_id: str) -> float:
        sock = _Socket()
        page = await hub.attach("bench0", token=token, page_id=page_id, since=None, conn=sock)
        assert isinstance(page, PageSession)

        async def trips(count: int, start: int) -> None:
            for seq in range(start, start + count):
                raw = (
                    f'{{"seq":{seq},"type":"bench:ping","data":{{"i":{seq}}},'
                    f'"widgetId":"bench0","ts":1795478884451}}'
                )
                sock.sent.clear()
                await hub.receive(page, raw)
                await sock.sent.wait()

        await trips(100, 1)
        t0 = time.perf_counter()
        await trips(TRIPS, 101)
        elapsed = time.perf_counter() - t0
        await hub.detach(page)
        return elapsed / TRIPS * 1e6

    loop = app.container.loop_thread()
    runs = [loop.run(run(f"run{k}"), timeout=120) for k in range(5)]
    app.destroy()
    return statistics.median(runs)


def main() -> None:
    for kind in ("sync", "async"):
        label = "sync_to_thread=False" if kind == "sync" else "async def"
        print(f"pywry's loop path, {label} callback: {measure(kind):.1f} µs per round trip")


if __name__ == "__main__":
    main()
