"""How a page is sent what is queued for it: one message at a time, in order, batched.

The hub and the page's sender are real; the socket is a :class:`RecordingConnection`,
which can be frozen to hold a send half-way (a page that stopped reading). What must hold
whoever queues what: one send in flight at a time, frames in order, what was queued while
a send was in flight in one message, a close only after what was queued before it, and a
page whose sends are stuck is still read.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from conftest import fake_settings
from pywry import PyWry
from pywry.app.pacing import ACK_EVERY
from pywry.app.pages import PageSession
from pywry.domain.protocol import Close
from pywry.testing import RecordingConnection


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings())


def attach(app: PyWry, label: str, conn: RecordingConnection, page_id: str = "tab") -> PageSession:
    hub = app.container.reception()
    token = app.container.gateway().widget(label).token.reveal()

    async def run() -> Any:
        return await hub.attach(label, token=token, page_id=page_id, since=0, conn=conn)

    page = app.container.loop_thread().run(run())
    assert isinstance(page, PageSession)
    return page


def read(app: PyWry, page: PageSession, frame: dict[str, Any]) -> None:
    """Hand one message to the hub as the page's socket reader does (on the loop)."""
    hub = app.container.reception()

    async def run() -> None:
        await hub.receive(page, json.dumps(frame))

    app.container.loop_thread().run(run())


def pinged(app: PyWry, *, on_loop: bool = True) -> list[str]:
    """Show ``w``, whose ``app:ping`` callback answers ``app:pong``; the callback's threads."""
    threads: list[str] = []

    def on_ping(data: Any) -> None:
        threads.append(threading.current_thread().name)
        app.emit("app:pong", data, "w")

    app.show("<p/>", label="w", callbacks={"app:ping": on_ping}, sync_to_thread=not on_loop)
    return threads


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.001)  # state of the loop's: nothing to await from this thread


def test_an_event_goes_at_once_and_what_queues_meanwhile_goes_as_one_message(app):
    app.show("<p/>", label="w")
    conn = RecordingConnection()
    attach(app, "w", conn)
    conn.wait_for("pywry:hello")
    conn.freeze()
    app.emit("app:first", None, "w")  # sent at once: its send is held half-way
    assert conn.holding.wait(5)
    for k in range(3):
        app.emit("app:n", k, "w")
    conn.thaw()
    conn.wait(lambda c: len(c.data("app:n")) == 3)
    assert [[f["type"] for f in m] for m in conn.messages[1:]] == [
        ["app:first"],
        ["app:n"] * 3,
    ]


@pytest.mark.parametrize("on_loop", [True, False])
def test_acknowledgements_do_not_go_with_every_answer(app, on_loop):
    pinged(app, on_loop=on_loop)
    conn = RecordingConnection()
    page = attach(app, "w", conn)
    for seq in range(1, 51):
        read(app, page, {"type": "app:ping", "data": seq, "seq": seq})
        conn.wait(lambda c, seq=seq: seq in c.data("app:pong"))
    # Fifty answers in well under a second: a handful of acknowledgements at most, each
    # covering every frame handled so far.
    conn.wait(lambda c: any(a["inbound"] == 50 for a in c.data("pywry:ack")))
    assert len(conn.data("pywry:ack")) <= 10
    assert conn.data("app:pong") == list(range(1, 51))


def test_after_many_frames_the_acknowledgement_does_not_wait_for_its_delay(app):
    app.show("<p/>", label="w")
    conn = RecordingConnection()
    page = attach(app, "w", conn)
    batch = [{"type": "app:n", "data": k, "seq": k} for k in range(1, ACK_EVERY + 1)]
    read(app, page, {"events": batch})
    conn.wait(lambda c: any(a["inbound"] == ACK_EVERY for a in c.data("pywry:ack")))


def test_a_page_whose_sends_are_stuck_is_still_read_and_gets_everything_in_order(app):
    threads = pinged(app)
    conn = RecordingConnection()
    page = attach(app, "w", conn)
    conn.wait_for("pywry:hello")
    conn.freeze()  # the page stops reading: the next send hangs
    for seq in range(1, 201):
        read(app, page, {"type": "app:ping", "data": seq, "seq": seq})
    assert len(threads) == 200  # every ping was handled while the send hangs
    conn.thaw()
    conn.wait(lambda c: len(c.data("app:pong")) == 200)
    assert conn.data("app:pong") == list(range(1, 201))
    assert conn.most_at_once == 1


def stuck_send(app: PyWry) -> tuple[RecordingConnection, PageSession]:
    """A page of ``w`` whose socket holds a send half-way (frozen)."""
    app.show("<p/>", label="w")
    conn = RecordingConnection()
    page = attach(app, "w", conn)
    conn.wait_for("pywry:hello")
    conn.freeze()
    # A refused event name: its error report's send hangs. No seq: no acknowledgement.
    read(app, page, {"type": "not a name", "data": None})
    assert conn.holding.wait(5)
    return conn, page


def test_one_send_at_a_time_and_in_order_while_a_send_is_stuck(app):
    conn, _ = stuck_send(app)
    for k in range(50):
        app.emit("app:n", k, "w")
    conn.thaw()
    conn.wait(lambda c: len(c.data("app:n")) == 50)
    assert conn.data("app:n") == list(range(50))
    assert conn.data("pywry:error")[0]["error"] == "bad-event"
    assert conn.most_at_once == 1


def test_a_close_asked_for_while_a_send_is_stuck_comes_after_what_was_queued(app):
    conn, page = stuck_send(app)
    for k in range(20):
        app.emit("app:n", k, "w")
    closing = threading.Thread(target=app.close, args=("w",))
    closing.start()  # waits for the page to get what was queued, then closes it
    wait_until(lambda: page.outbox.close_due() is not None)
    conn.thaw()
    assert conn.wait_closed() == Close.NORMAL
    closing.join(5)
    assert not closing.is_alive()
    assert conn.data("app:n") == list(range(20))
    assert conn.types()[-1] == "pywry:closed"
    assert conn.closed_after == len(conn.messages)
    assert conn.most_at_once == 1


def test_an_event_emitted_after_a_close_was_asked_for_is_not_sent_before_the_close(app):
    conn, page = stuck_send(app)
    app.emit("app:n", 0, "w")

    async def close_after_flush() -> None:
        page.close_after_flush(Close.RESYNC, "test")

    wait_until(lambda: page.channel.stream.head == 1)  # the emit reached the stream
    app.container.loop_thread().run(close_after_flush())
    app.emit("app:n", 1, "w")  # after the close was asked for: never sent, even alone
    conn.thaw()
    assert conn.wait_closed() == Close.RESYNC
    assert conn.data("app:n") == [0]
    assert conn.closed_after == len(conn.messages)


def test_a_page_far_behind_the_replay_buffer_is_told_and_closed_to_reload(pywry_app_factory):
    app = pywry_app_factory(fake_settings(replay_buffer_frames=50))
    app.show("<p/>", label="w")
    conn = RecordingConnection()
    attach(app, "w", conn)
    conn.wait_for("pywry:hello")
    conn.freeze()
    app.emit("app:n", -1, "w")  # its send hangs; meanwhile the stream moves on
    assert conn.holding.wait(5)
    for k in range(120):
        app.emit("app:n", k, "w")
    app.emit("app:last", None, "w")
    conn.thaw()
    assert conn.wait_closed() == Close.RESYNC
    assert conn.data("pywry:overflow")[0]["missed"] > 0
    assert conn.data("pywry:resync") == [{"reason": "overflow"}]
    assert conn.closed_after == len(conn.messages)


class GoneConnection(RecordingConnection):
    """A socket whose peer went away: starting a send raises at once."""

    gone = False

    def send_text(self, text: str) -> Any:
        if self.gone:
            raise ConnectionResetError("the page went away")
        return super().send_text(text)


def test_a_send_that_fails_at_once_does_not_break_the_handling_of_what_the_page_sent(app):
    threads = pinged(app)
    conn = GoneConnection()
    page = attach(app, "w", conn)
    conn.wait_for("pywry:hello")
    conn.gone = True
    for seq in range(1, 4):  # the answers' sends fail as they start: handling goes on
        read(app, page, {"type": "app:ping", "data": seq, "seq": seq})
    assert threads == ["pywry-loop"] * 3
