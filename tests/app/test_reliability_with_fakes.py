"""Reliability of the hub itself, with fakes: no socket, no browser, exact control.

A :class:`RecordingConnection` stands for one page's WebSocket: it records what the hub
sends and can be frozen (its sends wait) to play a page that stopped reading.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from conftest import fake_settings
from pywry import PyWry
from pywry.app.outbox import MAX_CONTROL
from pywry.app.page_port import Rejection
from pywry.app.pages import PageSession
from pywry.testing import RecordingConnection


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings(replay_buffer_frames=50))


@pytest.fixture
def frozen(app: PyWry) -> Any:
    """Make frozen connections; all are thawed before the app is destroyed, even on failure."""
    made: list[RecordingConnection] = []

    def make() -> RecordingConnection:
        conn = RecordingConnection(frozen=True)
        made.append(conn)
        return conn

    yield make
    for conn in made:
        conn.thaw()


def attach(
    app: PyWry, label: str, page_id: str, conn: RecordingConnection, since: int | None = None
) -> Any:
    hub = app.container.reception()
    token = app.container.gateway().widget(label).token.reveal()

    async def run() -> PageSession | Rejection:
        return await hub.attach(label, token=token, page_id=page_id, since=since, conn=conn)

    return app.container.loop_thread().run(run())


def send(app: PyWry, page: PageSession, *frames: dict[str, Any]) -> float:
    async def run() -> float:
        raw = json.dumps({"events": list(frames)} if len(frames) > 1 else frames[0])
        return await app.container.reception().receive(page, raw)

    return app.container.loop_thread().run(run())


def detach(app: PyWry, page: PageSession) -> None:
    app.container.loop_thread().run(app.container.reception().detach(page))


def n(seq: int) -> dict[str, Any]:
    return {"type": "app:n", "data": seq, "seq": seq}


# ------------------------------------------------------------------ exactly once
def test_the_first_frame_says_what_was_handled_and_resent_frames_are_not_handled_twice(app):
    seen: list[int] = []
    done = threading.Event()

    def record(data: int) -> None:
        seen.append(data)
        if data == 6:
            done.set()

    app.show("<p/>", label="w", callbacks={"app:n": record})
    first = RecordingConnection()
    page = attach(app, "w", "tab", first)
    first.wait(lambda s: s.types()[:1] == ["pywry:hello"])
    assert first.frames[0]["data"]["inbound"] == 0
    send(app, page, n(1), n(2), n(3))
    detach(app, page)  # the socket died; the page never heard an ack
    again = RecordingConnection()
    page = attach(app, "w", "tab", again)
    again.wait(lambda s: bool(s.frames))
    hello = again.frames[0]
    assert (hello["type"], hello["data"]["inbound"], hello["data"]["resumed"]) == (
        "pywry:hello",
        3,
        True,
    )
    send(app, page, n(2), n(3), n(4), n(5), n(6))
    assert done.wait(5)
    assert seen == [1, 2, 3, 4, 5, 6]


def test_handled_frames_are_acknowledged_in_bulk(app):
    app.show("<p/>", label="w", callbacks={"app:n": lambda d: None})
    sock = RecordingConnection()
    page = attach(app, "w", "tab", sock)
    send(app, page, *(n(i) for i in range(1, 301)))
    sock.wait(
        lambda s: any(f["data"]["inbound"] == 300 for f in s.frames if f["type"] == "pywry:ack")
    )
    time.sleep(0.25)  # past the ack delay: any straggler ack would be here
    acks = [f["data"]["inbound"] for f in sock.frames if f["type"] == "pywry:ack"]
    assert acks == [256, 300]  # one per 256 frames, then the rest after a short delay


def test_a_client_without_a_page_id_gets_no_hello_and_resumes_nothing(app):
    app.show("<p/>", label="w")
    sock = RecordingConnection()
    attach(app, "w", "anonymous", sock)
    app.emit("app:n", 1, "w")
    sock.wait(lambda s: bool(s.frames))
    assert sock.types() == ["app:n"]


def test_a_new_connection_of_a_page_closes_its_stale_one(app):
    app.show("<p/>", label="w")
    stale, fresh = RecordingConnection(), RecordingConnection()
    attach(app, "w", "tab", stale)
    attach(app, "w", "tab", fresh)
    stale.wait_closed()
    assert stale.close_code == 1000
    assert fresh.close_code is None


def test_closing_a_widget_acknowledges_what_its_page_sent_first(app):
    app.show("<p/>", label="w", callbacks={"app:n": lambda data: None})
    sock = RecordingConnection()
    page = attach(app, "w", "tab", sock)
    send(app, page, *(n(i) for i in range(1, 6)))
    app.close("w")
    sock.wait_closed()
    acks = [f["data"]["inbound"] for f in sock.frames if f["type"] == "pywry:ack"]
    assert acks[-1:] == [5]  # the page then keeps nothing for a resend
    assert "pywry:closed" in sock.types()


def test_an_emit_on_the_loop_goes_after_what_other_threads_emitted_before(app):
    app.show("<p/>", label="w")
    sock = RecordingConnection()
    attach(app, "w", "tab", sock)
    gateway = app.container.gateway()

    async def scene() -> None:
        # A worker's emit returns; the loop has not taken it yet when code on the loop
        # (a callback that runs there) emits the next event of the same widget.
        worker = threading.Thread(target=lambda: gateway.emit("app:x", 1, "w"))
        worker.start()
        worker.join()
        gateway.emit("app:y", 2, "w")

    app.container.loop_thread().run(scene())
    sock.wait(lambda s: "app:y" in s.types())
    assert [t for t in sock.types() if t.startswith("app:")] == ["app:x", "app:y"]


def test_a_burst_of_emits_reaches_each_widgets_pages_in_order_numbered_one_by_one(app):
    app.show("<p/>", label="a")
    app.show("<p/>", label="b")
    socks = {label: RecordingConnection() for label in ("a", "b")}
    for label, sock in socks.items():
        attach(app, label, "tab", sock)
    held, release = threading.Event(), threading.Event()
    # The loop is held while the script emits, so the whole burst waits in the inbox and
    # the hub takes it in one go: runs for one widget, another's in between, a broadcast.
    app.container.loop_thread().call_soon(lambda: (held.set(), release.wait(5)))
    assert held.wait(5)
    for label, value in [("a", 1), ("a", 2), ("b", 1), ("a", 3), (None, 9), ("b", 2)]:
        app.emit("app:v", value, label)
    release.set()
    for sock in socks.values():
        sock.wait(lambda s: len(s.data("app:v")) == (4 if s is socks["a"] else 3))
    for label, expected in (("a", [1, 2, 3, 9]), ("b", [1, 9, 2])):
        events = [f for f in socks[label].frames if f["type"] == "app:v"]
        assert [f["data"] for f in events] == expected
        seqs = [f["seq"] for f in events]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


# ------------------------------------------------------------------ replay
def test_a_widgets_events_are_kept_once_and_a_returning_page_gets_each_it_missed(app):
    handle = app.show("<p/>", label="w")
    first = RecordingConnection()
    page = attach(app, "w", "tab", first)
    handle.emit("app:n", 0)
    first.wait(lambda s: s.data("app:n") == [0])
    read = first.frames[-1]["seq"]
    detach(app, page)
    for i in range(1, 31):
        handle.emit("app:n", i)
    back = RecordingConnection()
    attach(app, "w", "tab", back, since=read)
    back.wait(lambda s: len(s.data("app:n")) == 30)
    assert back.data("app:n") == list(range(1, 31))
    # In one process the widget's channel is the replay: the bus holds no second copy.
    bus = app.container.event_bus()
    kept = app.container.loop_thread().run(bus.history("w", 0, 1_000))
    assert len(kept) <= 1


# ------------------------------------------------------------------ overflow policy
def test_a_page_that_fell_off_the_buffer_is_told_and_closed_to_reload(app, frozen):
    handle = app.show("<p/>", label="w")
    sock = frozen()
    attach(app, "w", "tab", sock)
    started = time.perf_counter()
    for i in range(1_000):  # 20 times the buffer, while the page reads nothing
        handle.emit("app:n", i)
    assert time.perf_counter() - started < 1.0
    sock.thaw()
    sock.wait_closed()
    types = sock.types()
    assert types[-2:] == ["pywry:overflow", "pywry:resync"]
    assert sock.frames[-2]["data"]["missed"] > 0
    assert sock.close_code == 4000
    assert types.count("pywry:resync") == 1


def test_error_reports_to_a_page_that_does_not_read_are_bounded(app, frozen):
    app.show("<p/>", label="w")
    conn = frozen()
    page = attach(app, "w", "tab", conn)
    for i in range(1, MAX_CONTROL * 3):
        send(app, page, {"type": "not a name", "seq": i})
    conn.thaw()
    conn.wait(lambda c: any(a["inbound"] == MAX_CONTROL * 3 - 1 for a in c.data("pywry:ack")))
    # The hello and one report went before the page stopped reading; the rest is bounded.
    assert len(conn.data("pywry:error")) <= MAX_CONTROL + 1


def test_a_page_over_the_inbound_rate_is_paused_not_dropped(pywry_app_factory):
    # A low rate: the bucket refills while the frames are handled, and handling few
    # frames takes little of the half second expected, even on a busy machine.
    app = pywry_app_factory(fake_settings(max_inbound_rate=100))
    seen: list[int] = []
    all_seen = threading.Event()

    def count(data: int) -> None:
        seen.append(data)
        if len(seen) == 150:
            all_seen.set()

    app.show("<p/>", label="w", callbacks={"app:n": count})
    page = attach(app, "w", "tab", RecordingConnection())
    assert send(app, page, *(n(i) for i in range(1, 101))) == 0.0
    pause = send(app, page, *(n(i) for i in range(101, 151)))
    assert 0.35 < pause <= 0.51  # 50 frames over: half a second at 100/s
    assert all_seen.wait(5)  # paused, not dropped: every frame reaches the callback
    assert seen == [n(i)["data"] for i in range(1, 151)]


# ------------------------------------------------------------------ cuts and shutdown
def test_drop_connections_cuts_sockets_without_a_goodbye(app):
    app.show("<p/>", label="w")
    socks = [RecordingConnection(), RecordingConnection()]
    for i, sock in enumerate(socks):
        attach(app, "w", f"tab{i}", sock)
    assert app.container.gateway().drop_connections("w") == 2
    for sock in socks:
        assert sock.wait_closed() == 1012
        assert "pywry:server-stopped" not in sock.types()


def test_a_stopping_server_tells_pages_and_refuses_new_ones(app):
    app.show("<p/>", label="w")
    sock = RecordingConnection()
    attach(app, "w", "tab", sock)
    app.container.loop_thread().run(app.container.runtime().stop(grace=1))
    assert "pywry:server-stopped" in sock.types()
    assert sock.close_code == 1001
    refused = attach(app, "w", "late", RecordingConnection())
    assert isinstance(refused, Rejection)
    assert (refused.code, refused.error) == (1001, "server-stopped")


@pytest.mark.parametrize("goodbye", ["close", "shutdown"])
def test_a_goodbye_reaches_the_page_after_every_event_emitted_before_it(app, goodbye):
    app.show("<p/>", label="w")
    sock = RecordingConnection()
    attach(app, "w", "tab", sock)
    sock.wait(lambda s: "pywry:hello" in s.types())
    runtime = app.container.runtime()

    async def emit_then_say_goodbye() -> None:
        # One loop step: none of the events was sent when the goodbye is queued.
        for i in range(20):
            app.emit("app:x", i, label="w")
        if goodbye == "close":
            app.close("w")
        else:
            await runtime.stop(grace=2)

    app.container.loop_thread().run(emit_then_say_goodbye())
    sock.wait_closed()
    last = "pywry:closed" if goodbye == "close" else "pywry:server-stopped"
    types = [t for t in sock.types() if t not in ("pywry:hello", "pywry:ack")]
    assert types == ["app:x"] * 20 + [last]


def test_events_acknowledged_before_a_destroy_still_reach_their_callbacks(app):
    release = threading.Event()
    ran: list[int] = []

    def slow(data):
        release.wait(5)  # the first call holds the widget's lane: the others queue behind it
        ran.append(data)

    app.show("<p/>", label="w", callbacks={"app:n": slow})
    sock = RecordingConnection()
    page = attach(app, "w", "tab", sock)
    send(app, page, *(n(i) for i in range(1, 6)))
    assert page.session.handled == 5  # handled, as the next acknowledgement will say
    threading.Timer(0.2, release.set).start()
    app.destroy()
    assert ran == [1, 2, 3, 4, 5]


def test_callbacks_still_queued_when_the_stop_times_out_are_counted_in_a_warning(
    caplog, pywry_app_factory
):
    app = pywry_app_factory({"server": {"timeout_graceful_shutdown": 0.2}})
    release = threading.Event()
    started = threading.Event()

    def blocking(data):
        started.set()
        release.wait(5)

    app.show("<p/>", label="w", callbacks={"app:n": blocking})
    page = attach(app, "w", "tab", RecordingConnection())
    send(app, page, *(n(i) for i in range(1, 4)))
    assert started.wait(5)  # the first call runs; the other two wait behind it
    try:
        with caplog.at_level("WARNING", logger="pywry"):
            app.destroy()
    finally:
        release.set()
    assert "2 callback call(s) had not run when the server stopped" in caplog.text
