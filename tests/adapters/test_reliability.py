"""Reliability at the wire, under the real Granian server, with raw WebSocket clients.

These clients speak the protocol the page bridge speaks: ``?page=<id>`` to be resumable,
numbered frames, ``pywry:hello`` and ``pywry:ack`` from the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import tracemalloc
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
import websockets

from recorder import Recorder

pytestmark = pytest.mark.server

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion in a thread of its own.

    Playwright's sync API, once started by an earlier test, leaves an event loop running
    in the main thread, where ``asyncio.run`` refuses to start.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def ws_url(handle: Any, query: str = "") -> str:
    return f"ws://{urlsplit(handle.url).netloc}/ws/{handle.label}{query}"


def protocols(app: Any, label: str) -> list[str]:
    token = app.container.gateway().widget(label).token.reveal()
    return ["pywry.v1", f"pywry.token.{token}"]


async def frames_of(ws: Any, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The frames of the next message (a batch is unpacked)."""
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return list(message.get("events", [message]))


async def until(ws: Any, event_type: str, timeout: float = 5.0) -> dict[str, Any]:
    """Read frames until one of ``event_type`` arrives; return it."""
    deadline = time.monotonic() + timeout
    while True:
        for frame in await frames_of(ws, max(0.01, deadline - time.monotonic())):
            if frame.get("type") == event_type:
                return frame


def numbered(seq: int, n: int) -> str:
    return json.dumps({"type": "app:n", "data": n, "seq": seq})


# ------------------------------------------------------------------ exactly once inbound
def test_a_page_that_resends_after_a_reconnect_is_handled_exactly_once(make_app):
    app = make_app()
    record = Recorder()
    handle = app.show("<p/>", label="once", callbacks={"app:n": record})
    url = ws_url(handle, "?page=tab1")

    async def exchange() -> None:
        async with websockets.connect(url, subprotocols=protocols(app, "once")) as ws:
            hello = (await frames_of(ws))[0]
            assert hello["type"] == "pywry:hello"
            assert (hello["data"]["inbound"], hello["data"]["resumed"]) == (0, False)
            for seq in range(1, 11):
                await ws.send(numbered(seq, seq))
            ack = await until(ws, "pywry:ack")
            assert ack["data"]["inbound"] == 10
        async with websockets.connect(url, subprotocols=protocols(app, "once")) as ws:
            hello = (await frames_of(ws))[0]
            assert (hello["data"]["inbound"], hello["data"]["resumed"]) == (10, True)
            # A page that never saw the ack resends from where it believes it stands.
            for seq in range(5, 13):
                await ws.send(numbered(seq, seq))
            assert (await until(ws, "pywry:ack"))["data"]["inbound"] == 12

    run(exchange())
    assert record.wait_for(12) == list(range(1, 13))
    time.sleep(0.2)  # room for a duplicate to show up, if there were one
    assert record.items == list(range(1, 13))


def test_acknowledgements_come_in_bulk_or_after_a_short_delay(make_app):
    app = make_app()
    handle = app.show("<p/>", label="ack", callbacks={"app:n": lambda d: None})

    async def exchange() -> None:
        url = ws_url(handle, "?page=acker")
        async with websockets.connect(url, subprotocols=protocols(app, "ack")) as ws:
            await frames_of(ws)  # hello
            started = time.monotonic()
            await ws.send(numbered(1, 1))
            assert (await until(ws, "pywry:ack"))["data"]["inbound"] == 1
            assert time.monotonic() - started < 1.0
            await ws.send(
                json.dumps({"events": [json.loads(numbered(s, s)) for s in range(2, 302)]})
            )
            acks = []
            while not acks or acks[-1] < 301:
                acks.append((await until(ws, "pywry:ack"))["data"]["inbound"])
            assert len(acks) <= 2  # one per burst, not one per frame

    run(exchange())


def test_a_second_connection_of_the_same_page_replaces_the_first(make_app):
    app = make_app()
    handle = app.show("<p/>", label="twice")
    url = ws_url(handle, "?page=same")

    async def exchange() -> None:
        async with websockets.connect(url, subprotocols=protocols(app, "twice")) as old:
            await frames_of(old)
            async with websockets.connect(url, subprotocols=protocols(app, "twice")) as new:
                await frames_of(new)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(old.recv(), 5)
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 1000
                deadline = time.monotonic() + 5
                # Nothing to await: the server detaches the old page once its reader ends.
                while app.page_count("twice") != 1 and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                assert app.page_count("twice") == 1
                handle.emit("app:n", 1)
                assert (await until(new, "app:n"))["data"] == 1

    run(exchange())


def test_a_page_over_its_inbound_rate_is_slowed_down_not_dropped(make_app):
    app = make_app(max_inbound_rate=1_000)
    record = Recorder()
    handle = app.show("<p/>", label="fast", callbacks={"app:n": record})

    async def exchange() -> None:
        url = ws_url(handle, "?page=fast")
        async with websockets.connect(url, subprotocols=protocols(app, "fast")) as ws:
            await frames_of(ws)
            for seq in range(1, 1_601):
                await ws.send(numbered(seq, seq))
            while (await until(ws, "pywry:ack"))["data"]["inbound"] < 1_600:
                pass

    started = time.monotonic()
    run(exchange())
    assert record.wait_for(1_600) == list(range(1, 1_601))
    assert time.monotonic() - started >= 0.5  # 600 frames beyond the 1 s burst at 1,000/s


# ------------------------------------------------------------------ backpressure
@pytest.mark.timeout(60)
def test_a_page_that_stops_reading_costs_bounded_memory_and_never_blocks_emit(make_app):
    app = make_app(replay_buffer_frames=100)
    handle = app.show("<p/>", label="frozen")
    pad = "x" * 8_000  # 10,000 emits of 8 kB: 80 MB that must not pile up anywhere

    async def exchange() -> tuple[float, float, float, list[dict[str, Any]], int]:
        url = ws_url(handle, "?page=frozen")
        async with websockets.connect(
            url, subprotocols=protocols(app, "frozen"), max_queue=1, max_size=None
        ) as ws:
            await frames_of(ws)  # hello
            ws.transport.pause_reading()  # frozen: reads nothing from now on
            # What the process keeps, counted by Python's own allocator tracing: RSS also
            # counts memory a burst used for a moment and the allocator has not given back.
            tracemalloc.start()
            slowest = 0.0
            started = time.perf_counter()
            for i in range(10_000):
                t = time.perf_counter()
                handle.emit("app:n", {"i": i, "pad": pad})
                slowest = max(slowest, time.perf_counter() - t)
                if i % 500 == 0:
                    await asyncio.sleep(0)  # let the server's loop thread run too
            total = time.perf_counter() - started
            await asyncio.sleep(0.5)
            grown = tracemalloc.get_traced_memory()[0] / 2**20
            tracemalloc.stop()
            ws.transport.resume_reading()
            seen: list[dict[str, Any]] = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    seen.extend(await frames_of(ws, timeout=10))
            assert closed.value.rcvd is not None
            return total, slowest, grown, seen, closed.value.rcvd.code

    total, slowest, grown, seen, code = run(exchange())
    logging.getLogger("pywry.tests").info(
        "10,000 emits to a frozen page: %.3f s, slowest %.1f ms, %.1f MiB kept",
        total,
        slowest * 1000,
        grown,
    )
    assert total < 5.0
    assert slowest < 0.25
    assert grown < 16, f"the server kept {grown:.0f} MiB for a page that reads nothing"
    kinds = [f.get("type") for f in seen]
    overflow = seen[kinds.index("pywry:overflow")]
    assert overflow["data"]["missed"] > 0
    assert kinds[-1] == "pywry:resync"
    assert code == 4000
    numbers = [f["data"]["i"] for f in seen if f.get("type") == "app:n"]
    assert numbers == list(range(len(numbers)))  # what did arrive came in order


# ------------------------------------------------------------------ where callbacks run
@pytest.mark.parametrize(
    ("sync_to_thread", "thread"), [(True, "pywry-callback-"), (False, "pywry-loop")]
)
def test_a_sync_callback_runs_where_it_was_registered_and_every_reply_arrives_in_order(
    make_app, sync_to_thread, thread
):
    app = make_app()
    threads: list[str] = []

    def on_ping(data: Any, event_type: str, label: str) -> None:
        threads.append(threading.current_thread().name)
        handle.emit("app:pong", data)

    handle = app.show(
        "<p/>", label="quick", callbacks={"app:ping": on_ping}, sync_to_thread=sync_to_thread
    )

    async def exchange() -> list[int]:
        got: list[int] = []
        url = ws_url(handle, "?page=tab1")
        async with websockets.connect(url, subprotocols=protocols(app, "quick")) as ws:
            await until(ws, "pywry:hello")
            for seq in range(1, 41):
                await ws.send(json.dumps({"type": "app:ping", "data": seq, "seq": seq}))
                got.append((await until(ws, "app:pong"))["data"])
        return got

    assert run(exchange()) == list(range(1, 41))
    assert len(threads) == 40
    assert all(name.startswith(thread) for name in threads)


@pytest.mark.timeout(60)
def test_a_page_that_sends_a_burst_before_reading_its_answers_is_read_to_the_end(make_app):
    # Answers of a callback on the loop are produced while the socket's reader handles the
    # page's frames: the reader must never wait for their sends, or a page that writes
    # before it reads would fill both directions and stall.
    app = make_app(max_inbound_rate=10_000_000)
    pad = "p" * 4000
    threads: list[str] = []

    def on_ping(data: Any, event_type: str, label: str) -> None:
        threads.append(threading.current_thread().name)
        handle.emit("app:pong", pad)

    handle = app.show("<p/>", label="burst", callbacks={"app:ping": on_ping}, sync_to_thread=False)
    burst = 3000  # about 12 MB of answers: far more than the sockets' buffers hold

    async def exchange() -> int:
        url = ws_url(handle, "?page=burst")
        async with websockets.connect(
            url, subprotocols=protocols(app, "burst"), max_queue=1, max_size=None, close_timeout=1
        ) as ws:
            await until(ws, "pywry:hello")
            seq = 0
            sent = 0

            async def send_burst() -> None:
                nonlocal sent
                for k in range(1, burst + 1):
                    frame = json.dumps({"type": "app:ping", "data": pad, "seq": seq + k})
                    await ws.send(frame)
                    sent = k

            try:
                await asyncio.wait_for(send_burst(), 20)
            except TimeoutError:
                ws.transport.abort()  # the server stopped reading us: do not wait for it
            return sent

    assert run(exchange()) == burst, "the server stopped reading a page that did not read"
    assert threads.count("pywry-loop") >= burst
