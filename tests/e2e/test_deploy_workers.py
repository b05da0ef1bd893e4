"""Deploy mode on two Granian workers sharing a real redis-server.

Pages connect to whichever worker the kernel gives them (no stickiness). A widget defined
at import time by both workers is one widget (one token), and an event emitted on either
worker reaches every page on both, once, in one order.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

pytestmark = [pytest.mark.e2e, pytest.mark.server]

APP = Path(__file__).resolve().parent / "hosts" / "workers_app.py"
PYWRY = Path(sys.executable).parent / "pywry"
CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def two_workers(redis_url, redis_prefix, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYWRY_DEPLOY__STATE_BACKEND": "redis",
        "PYWRY_DEPLOY__REDIS_URL": redis_url,
        "PYWRY_DEPLOY__REDIS_PREFIX": redis_prefix,
        "PYWRY_SERVER__RECONNECT_GRACE": "0.5",
        "PYWRY_DEPLOY__CONNECTION_TTL": "2",  # a dead worker stops counting within 2 s
    }
    proc = subprocess.Popen(
        [str(PYWRY), "deploy", f"{APP}:widgets", "--workers", "2", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    started = 0
    while started < 2:  # Granian says when each worker serves
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            raise AssertionError(f"the workers did not start within 30 s: {output}") from None
        started += "Started worker-" in line
    base = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{base}/widget/board", timeout=5).status_code == 200
    yield base, proc, redis_prefix, redis_url
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def open_page(base: str, index: int, stack: ExitStack) -> Any:
    # A new TCP connection each time, so the kernel spreads pages over the workers.
    with httpx.Client(headers={"Connection": "close"}) as client:
        html = client.get(f"{base}/widget/board").text
    cfg = json.loads(CONFIG.search(html).group(1))  # type: ignore[union-attr]
    ws = stack.enter_context(
        connect(
            f"{base.replace('http', 'ws')}/ws/board?page=p{index}&since={cfg['since']}",
            subprotocols=["pywry.v1", f"pywry.token.{cfg['token']}"],  # type: ignore[list-item]
            open_timeout=10,
        )
    )
    hello = json.loads(ws.recv(10))
    assert hello["type"] == "pywry:hello"
    return cfg["token"], ws


def frames(ws: Any, want: int, timeout: float = 20) -> list[dict[str, Any]]:
    """The first ``want`` ``app:me`` frames this page gets."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < want:
        try:
            message = json.loads(ws.recv(max(0.1, deadline - time.monotonic())))
        except TimeoutError:
            raise AssertionError(f"got only {[(f['seq'], f['data']) for f in got]}") from None
        for frame in message.get("events", [message]):
            if frame.get("type") == "app:me":
                got.append(frame)
    return got


@pytest.mark.timeout(120)
def test_every_page_on_both_workers_gets_every_event_once_in_one_order(two_workers):
    base, *_ = two_workers
    stack = ExitStack()
    pages = [open_page(base, i, stack) for i in range(12)]
    assert len({token for token, _ in pages}) == 1  # one widget, whichever worker rendered it
    for i, (_, ws) in enumerate(pages):
        ws.send(json.dumps({"type": "app:who", "data": {"n": i}, "widgetId": "board", "seq": 1}))
    seen = [frames(ws, len(pages)) for _, ws in pages]
    orders = [[(f["seq"], f["data"]["n"]) for f in got] for got in seen]
    assert all(order == orders[0] for order in orders)  # one stream, one order, everywhere
    assert sorted(n for _, n in orders[0]) == list(range(len(pages)))  # each once
    seqs = [seq for seq, _ in orders[0]]
    assert seqs == list(range(seqs[0], seqs[0] + len(pages)))  # numbered without a gap
    workers = {f["data"]["pid"] for f in seen[0]}
    assert len(workers) == 2  # the callbacks ran on both workers: pages were on both
    stack.close()


@pytest.mark.timeout(90)
def test_sigterm_stops_both_workers_and_exits_zero(two_workers):
    _, proc, *_ = two_workers
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(30) == 0


@pytest.mark.timeout(120)
def test_a_theme_switch_on_one_worker_is_the_boards_on_every_worker_after(two_workers):
    base, *_ = two_workers
    with ExitStack() as stack:
        pages = [open_page(base, i, stack)[1] for i in range(8)]  # on both workers
        httpx.get(f"{base}/theme/light", headers={"Connection": "close"}, timeout=10)
        for ws in pages:  # each worker has it once its pages have
            events_of(ws, "pywry:update-theme", 1)
    for _ in range(8):  # pages loaded now, from either worker, come up light
        with httpx.Client(headers={"Connection": "close"}) as client:
            html = client.get(f"{base}/widget/board").text
        assert json.loads(CONFIG.search(html).group(1))["theme"] == "light"  # type: ignore[union-attr]
        assert '<html lang="en" data-theme="light" class="light pywry-theme-light">' in html


def send(ws: Any, label: str, seq: int, event: str, data: Any) -> None:
    ws.send(json.dumps({"type": event, "data": data, "widgetId": label, "seq": seq}))


def open_widget(base: str, label: str, index: int, stack: ExitStack) -> Any:
    with httpx.Client(headers={"Connection": "close"}) as client:
        html = client.get(f"{base}/widget/{label}").text
    cfg = json.loads(CONFIG.search(html).group(1))  # type: ignore[union-attr]
    ws = stack.enter_context(
        connect(
            f"{base.replace('http', 'ws')}/ws/{label}?page=q{index}&since={cfg['since']}",
            subprotocols=["pywry.v1", f"pywry.token.{cfg['token']}"],  # type: ignore[list-item]
            open_timeout=10,
        )
    )
    assert json.loads(ws.recv(10))["type"] == "pywry:hello"
    return ws


def events_of(ws: Any, event: str, want: int, timeout: float = 20) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < want:
        message = json.loads(ws.recv(max(0.1, deadline - time.monotonic())))
        got.extend(f for f in message.get("events", [message]) if f.get("type") == event)
    return got


def worker_of(ws: Any, n: int) -> int:
    """The process id of the worker that holds this board page's socket (the one that
    answers its ``app:who``, sent as its first event with ``n`` to tell its answer apart)."""
    send(ws, "board", 1, "app:who", {"n": n})
    mine: list[dict[str, Any]] = []
    while not mine:  # every page hears every app:me; this page's is the one with its n
        mine = [me for me in events_of(ws, "app:me", 1) if me["data"]["n"] == n]
    return int(mine[0]["data"]["pid"])


@pytest.mark.timeout(120)
def test_a_widget_shown_by_one_worker_runs_its_callback_there_for_pages_on_both(two_workers):
    base, *_ = two_workers
    made = httpx.get(f"{base}/make/x", headers={"Connection": "close"}).json()
    with ExitStack() as stack:
        pages = [open_widget(base, made["label"], i, stack) for i in range(8)]
        for i, ws in enumerate(pages):
            send(ws, made["label"], 1, "app:ping", {"n": i})
        pongs = events_of(pages[0], "app:pong", len(pages))
    assert sorted(p["data"]["n"] for p in pongs) == list(range(len(pages)))  # each once
    assert {p["data"]["pid"] for p in pongs} == {made["pid"]}  # all on the worker that made it


@pytest.mark.timeout(120)
def test_a_request_from_one_worker_is_answered_by_a_page_on_the_other(two_workers):
    base, *_ = two_workers
    with ExitStack() as stack:
        page = open_widget(base, "board", 0, stack)
        page_worker = worker_of(page, 0)
        answered: list[dict[str, Any]] = []
        seen: set[str] = set()  # a question may come twice (as a frame and in the stream)
        asked_elsewhere = False

        def ask(into: list[Any]) -> None:
            into.append(
                httpx.get(f"{base}/ask", headers={"Connection": "close"}, timeout=15).json()
            )

        for _ in range(20):  # until the kernel hands /ask to the other worker
            replies: list[Any] = []
            asking = threading.Thread(target=ask, args=(replies,))
            asking.start()
            request = events_of(page, "pywry:request", 1)[0]["data"]
            while request["id"] in seen:
                request = events_of(page, "pywry:request", 1)[0]["data"]
            seen.add(request["id"])
            answer = {"id": request["id"], "ok": True, "value": f"hi {request['data']['x']}"}
            send(page, "board", 2 + len(answered), "pywry:response", answer)
            asking.join(20)
            answered.append(replies[0])
            if replies[0]["pid"] != page_worker:
                asked_elsewhere = True
                break
    assert asked_elsewhere, "every /ask landed on the page's worker"
    assert all(reply["answer"] == "hi 1" for reply in answered)


def until(check: Any, timeout: float = 15) -> Any:
    """Poll ``check()`` until it gives something true (the state is in other processes)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.1)
    return result


@pytest.mark.timeout(120)
def test_every_worker_counts_the_pages_of_all_workers(two_workers):
    base, *_ = two_workers

    def counts() -> set[int]:
        answers = [
            httpx.get(f"{base}/count", headers={"Connection": "close"}).json() for _ in range(6)
        ]
        assert all("board" in a["labels"] for a in answers)
        return {a["pages"] for a in answers}

    with ExitStack() as stack:
        for i in range(6):
            open_widget(base, "board", i, stack)
        until(lambda: counts() == {6})
    until(lambda: counts() == {0})


@pytest.mark.timeout(120)
def test_events_for_a_widget_whose_worker_died_are_answered_with_an_error(two_workers):
    base, _, prefix, redis_url = two_workers
    from redis import Redis

    made = httpx.get(f"{base}/make/y", headers={"Connection": "close"}).json()
    with ExitStack() as stack:
        # Enough pages that some are on the other worker however the two share out sockets.
        pages = [open_widget(base, made["label"], i, stack) for i in range(16)]
        os.kill(made["pid"], signal.SIGKILL)  # Granian starts another worker in its place
        redis = Redis.from_url(redis_url)
        until(lambda: not redis.keys(f"{prefix}:alive:*-{made['pid']}-*"))
        survivors = []
        for ws in pages:
            try:
                send(ws, made["label"], 1, "app:ping", {"n": 0})
                survivors.append(ws)
            except Exception:
                continue  # its socket was on the dead worker
        assert survivors, "every page was on the dead worker"
        for ws in survivors:
            error = events_of(ws, "pywry:error", 1)[0]["data"]
            assert "is gone" in error["message"]


def one_page_on_each_worker(base: str, stack: ExitStack) -> dict[int, Any]:
    """Open board pages until one is on each worker (keyed by the worker's process id).

    The kernel shares sockets out between the workers as it likes: most often both get some of
    a few pages, but sometimes one gets them all, so the test asks rather than assumes.
    """
    by_worker: dict[int, Any] = {}
    for i in range(40):
        ws = open_widget(base, "board", i, stack)
        by_worker.setdefault(worker_of(ws, i), ws)
        if len(by_worker) == 2:
            return by_worker
    raise AssertionError("40 pages in a row landed on one worker")


@pytest.mark.timeout(120)
def test_a_callback_whose_worker_dies_in_the_middle_runs_again_on_a_live_one(two_workers, tmp_path):
    base, *_ = two_workers
    hold = tmp_path / "hold"
    hold.write_text("a slow query is running")
    with ExitStack() as stack:
        (first, page), (_, other) = one_page_on_each_worker(base, stack).items()
        send(page, "board", 2, "app:slow", {"n": 7, "hold": str(hold)})
        victim = events_of(page, "app:started", 1)[0]["data"]["pid"]
        assert victim == first  # the callback runs on the worker that holds the page's socket
        os.kill(victim, signal.SIGKILL)  # in the middle of the callback
        hold.unlink()  # a run from now on completes
        # A live worker finds the dead one's heartbeat gone and runs the event again.
        finished = events_of(other, "app:finished", 1, timeout=30)[0]["data"]
        assert finished["n"] == 7
        assert finished["pid"] != victim
        # Once: a later event comes after it, and no second run came before that.
        httpx.get(f"{base}/tick/99", headers={"Connection": "close"})
        seen: list[str] = []
        while "app:tick" not in seen:
            message = json.loads(other.recv(20))
            seen += [f["type"] for f in message.get("events", [message])]
        assert "app:finished" not in seen
