"""pywry's own Python per round trip, on the loop, with no server and no socket.

The page's reader path (``Bridge.receive_and_reply``) with the scenario's callback, once it
runs on the loop, and a connection that takes each message at once: what pywry adds to
every round trip before Granian's costs. Medians of 5 runs of 20,000 trips. Run:
``python bench/looppath.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from typing import Any

from pywry import PyWry, WindowMode
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

TRIPS = 20_000


class _Socket:
    """Takes each message at once: its send is done as soon as it is started."""

    def send_text(self, text: str) -> asyncio.Future[None]:
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def close(self, code: int, reason: str) -> None:
        return None


def main() -> None:
    app = PyWry(mode=WindowMode.BROWSER)
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    handles: dict[str, Any] = {}

    off_loop = [0]

    def on_ping(data: object, event_type: str, label: str) -> None:
        if threading.current_thread().name != "pywry-loop":
            off_loop[0] += 1
        handles[label].emit("bench:pong", data)

    handles["bench0"] = app.show("<p/>", label="bench0", callbacks={"bench:ping": on_ping})
    bridge = app.container.bridge()
    token = bridge.widget("bench0").token.reveal()

    async def run(page_id: str) -> float:
        page = await bridge.attach(
            "bench0", token=token, page_id=page_id, since=None, conn=_Socket()
        )

        async def trips(count: int, start: int) -> None:
            for seq in range(start, start + count):
                raw = (
                    f'{{"seq":{seq},"type":"bench:ping","data":{{"i":{seq}}},'
                    f'"widgetId":"bench0","ts":1795478884451}}'
                )
                bridge.receive_and_reply(page, raw)  # type: ignore[arg-type]

        await trips(100, 1)  # the callback proves quick on a worker, then runs on the loop
        await asyncio.sleep(0.2)
        before = off_loop[0]
        t0 = time.perf_counter()
        await trips(TRIPS, 101)
        elapsed = time.perf_counter() - t0
        timed_off_loop[0] += off_loop[0] - before
        await bridge.detach(page)  # type: ignore[arg-type]
        return elapsed / TRIPS * 1e6

    loop = app.container.loop_thread()
    timed_off_loop = [0]
    runs = [loop.run(run(f"run{k}")) for k in range(5)]
    app.destroy()
    print(
        f"pywry's loop path: {statistics.median(runs):.1f} µs per round trip "
        f"(runs: {', '.join(f'{r:.1f}' for r in runs)}; "
        f"timed callback runs off the loop: {timed_off_loop[0]})"
    )


if __name__ == "__main__":
    main()
