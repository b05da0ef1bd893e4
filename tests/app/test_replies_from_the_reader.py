"""A reply made while a page's message is handled is started by the task that read it.

The page's reader hands each message to ``Bridge.receive_and_reply``; what handling it
produced for that page (the answer of a callback on the loop, the acknowledgement, an error
report) is started at once instead of waking the page's writer task, and the reader does
not wait for it. These tests pin what must hold whoever sends: one send at a time, frames in
order, a close only after what was queued before it, and a page that does not read its
answers is still read. The bridge is real; the socket is a recorder that names the task of
every send and can be frozen to hold a send half-way.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pywry import PyWry
from pywry.app.bridge import Bridge
from pywry.app.callbacks import PROMOTE_AFTER
from pywry.app.pages import ACK_EVERY, PageSession


@pytest.fixture
def app(fake_app):
    return fake_app()


class Socket:
    """Records each message with the name of the task that sent it; can hold sends."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[dict[str, Any]]]] = []
        self.closed_after: int | None = None  # messages received before the close
        self.most_at_once = 0
        self._sending = 0
        self._cond = threading.Condition()
        self._open = threading.Event()
        self._open.set()
        self.holding = threading.Event()  # a send is waiting for thaw()

    def freeze(self) -> None:
        self._open.clear()

    def thaw(self) -> None:
        self._open.set()

    async def send_text(self, text: str) -> None:
        self._sending += 1
        self.most_at_once = max(self.most_at_once, self._sending)
        try:
            if not self._open.is_set():
                self.holding.set()
                await asyncio.to_thread(self._open.wait)
            task = asyncio.current_task()
            message = json.loads(text)
            with self._cond:
                self.messages.append(
                    (task.get_name() if task else "", message.get("events", [message]))
                )
                self._cond.notify_all()
        finally:
            self._sending -= 1

    async def close(self, code: int, reason: str) -> None:
        with self._cond:
            self.closed_after = len(self.messages)
            self._cond.notify_all()

    def frames(self, event_type: str) -> list[Any]:
        with self._cond:
            return [f.get("data") for _, m in self.messages for f in m if f["type"] == event_type]

    def wait(self, predicate: Any, timeout: float = 5.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self), timeout), self.messages[-3:]


def connect(app: PyWry, label: str, sock: Socket) -> tuple[Bridge, PageSession]:
    bridge: Bridge = app.container.bridge()
    token = bridge.widget(label).token.reveal()

    async def run() -> Any:
        return await bridge.attach(label, token=token, page_id="tab", since=0, conn=sock)

    page = app.container.loop_thread().run(run())
    assert isinstance(page, PageSession)
    return bridge, page


def read(app: PyWry, bridge: Bridge, page: PageSession, frame: dict[str, Any]) -> None:
    """Hand one message to the bridge as the page's reader does (on the loop)."""

    async def run() -> None:
        bridge.receive_and_reply(page, json.dumps(frame))

    app.container.loop_thread().run(run())


def types(frames: list[dict[str, Any]]) -> list[str]:
    return [f["type"] for f in frames]


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.001)  # a private flag on the loop: nothing to await from this thread


def promoted(
    app: PyWry, bridge: Bridge, page: PageSession, sock: Socket, threads: list[str]
) -> int:
    """Ping until the callback has run on the loop 5 times in a row; the next seq."""
    seq = 0
    while threads[-5:] != ["pywry-loop"] * 5:
        seq += 1
        assert seq < 200, "the callback never moved to the loop"
        read(app, bridge, page, {"type": "app:ping", "data": seq, "seq": seq})
        sock.wait(lambda s, seq=seq: len(s.frames("app:pong")) == seq)
    return seq + 1


@dataclass
class Promoted:
    """Widget ``w`` whose ``app:ping`` callback answers ``app:pong`` and now runs on the loop."""

    bridge: Bridge
    page: PageSession
    threads: list[str]  # where each run of the callback ran
    next_seq: int

    def ping(self, app: PyWry, data: Any, *, numbered: bool = True) -> None:
        frame = {"type": "app:ping", "data": data}
        if numbered:
            frame["seq"] = self.next_seq
            self.next_seq += 1
        read(app, self.bridge, self.page, frame)


def promoted_page(app: PyWry, sock: Socket, then: Callable[[Any], None] | None = None) -> Promoted:
    """Show ``w``, connect ``sock`` and ping until the callback runs on the loop.

    ``then`` runs after each answer, inside the callback.
    """
    threads: list[str] = []

    def on_ping(data: Any) -> None:
        threads.append(threading.current_thread().name)
        app.emit("app:pong", data, "w")
        if then is not None:
            then(data)

    app.show("<p/>", label="w", callbacks={"app:ping": on_ping})
    bridge, page = connect(app, "w", sock)
    return Promoted(bridge, page, threads, promoted(app, bridge, page, sock, threads))


def test_the_answer_of_a_callback_on_the_loop_leaves_without_the_writer(app):
    sock = Socket()
    next_seq = promoted_page(app, sock).next_seq
    assert next_seq > PROMOTE_AFTER
    answers = [(task, frames) for task, frames in sock.messages if "app:pong" in types(frames)]
    # Each answer is one message started by the reader; the writer task was not woken. An
    # acknowledgement may ride along with one, if its short delay ran out just then.
    for task, frames in answers[-5:]:
        assert not task.startswith("pywry-writer")
        assert [t for t in types(frames) if t != "pywry:ack"] == ["app:pong"]
    # The acknowledgement of the last ping follows within its short delay.
    sock.wait(lambda s: any(a["inbound"] == next_seq - 1 for a in s.frames("pywry:ack")))


def test_acknowledgements_do_not_go_with_every_answer(app):
    sock = Socket()
    scene = promoted_page(app, sock)
    acks_before = len(sock.frames("pywry:ack"))
    for k in range(50):
        scene.ping(app, k)
        sock.wait(lambda s, k=k: k in s.frames("app:pong"))
    # Fifty answers in well under a second: a handful of acknowledgements at most, each
    # covering every frame handled so far.
    sock.wait(lambda s: any(a["inbound"] == scene.next_seq - 1 for a in s.frames("pywry:ack")))
    assert len(sock.frames("pywry:ack")) - acks_before <= 10


def test_after_many_frames_the_acknowledgement_goes_at_once_with_the_reader(app):
    sock = Socket()
    app.show("<p/>", label="w")
    bridge, page = connect(app, "w", sock)
    batch = [{"type": "app:n", "data": k, "seq": k} for k in range(1, ACK_EVERY + 1)]
    read(app, bridge, page, {"events": batch})
    sock.wait(lambda s: any(a["inbound"] == ACK_EVERY for a in s.frames("pywry:ack")))
    # Started by the reader that handled the frames, not by the writer after the delay.
    (task,) = [t for t, frames in sock.messages if "pywry:ack" in types(frames)]
    assert not task.startswith("pywry-writer")


def test_a_page_whose_answers_are_stuck_is_still_read_and_gets_them_all_in_order(app):
    sock = Socket()
    scene = promoted_page(app, sock)
    seq = scene.next_seq
    handled = len(scene.threads)
    sock.freeze()  # the page stops reading: the next answer's send hangs
    for k in range(200):
        scene.ping(app, seq + k)
    assert len(scene.threads) == handled + 200  # every ping was handled while the sends hang
    sock.thaw()
    sock.wait(lambda s: len(s.frames("app:pong")) == seq + 199)
    assert sock.frames("app:pong") == list(range(1, seq + 200))
    assert sock.most_at_once == 1


def stuck_send(app: PyWry) -> tuple[Socket, PageSession]:
    """A page whose reader has started an error report that the socket holds (frozen)."""
    app.show("<p/>", label="w")
    sock = Socket()
    bridge, page = connect(app, "w", sock)
    sock.wait(lambda s: bool(s.frames("pywry:hello")))
    sock.freeze()
    # A refused event name: the reader starts its error report, and that send hangs. No
    # seq: no acknowledgement timer that could wake the writer by chance.
    read(app, bridge, page, {"type": "not a name", "data": None})
    assert sock.holding.wait(5)
    return sock, page


def test_one_send_at_a_time_and_in_order_while_the_readers_send_is_stuck(app):
    sock, _ = stuck_send(app)
    for k in range(50):  # meanwhile the script emits: the writer task wakes for these
        app.emit("app:n", k, "w")
    sock.thaw()
    sock.wait(lambda s: len(s.frames("app:n")) == 50)
    assert sock.frames("app:n") == list(range(50))
    assert sock.frames("pywry:error")[0]["error"] == "bad-event"
    assert sock.most_at_once == 1


def test_a_close_asked_for_while_the_readers_send_is_stuck_comes_after_what_was_queued(app):
    sock, page = stuck_send(app)
    for k in range(20):
        app.emit("app:n", k, "w")
    closing = threading.Thread(target=app.close, args=("w",))
    closing.start()  # waits for the page to get what was queued, then closes it
    wait_until(lambda: page._close_after is not None)
    sock.thaw()
    sock.wait(lambda s: s.closed_after is not None, timeout=1.0)
    closing.join(5)
    assert not closing.is_alive()
    assert sock.frames("app:n") == list(range(20))
    assert sock.closed_after == len(sock.messages)
    assert sock.most_at_once == 1


def test_an_event_emitted_after_a_close_was_asked_for_is_not_sent_before_the_close(app):
    sock, page = stuck_send(app)
    app.emit("app:n", 0, "w")

    async def close_after_flush() -> None:
        page.close_after_flush(4000, "test")

    app.container.loop_thread().run(close_after_flush())
    app.emit("app:n", 1, "w")  # after the close was asked for: never sent, even alone
    sock.thaw()
    sock.wait(lambda s: s.closed_after is not None, timeout=2.0)
    assert sock.frames("app:n") == [0]
    assert sock.closed_after == len(sock.messages)


def test_a_page_its_own_event_floods_past_the_buffer_is_told_and_closed_to_reload(fake_app):
    app = fake_app(replay_buffer_frames=50)

    def flood(data: Any) -> None:
        if data == "flood":  # more than the replay buffer holds, while the page waits
            for k in range(120):
                app.emit("app:n", k, "w")

    sock = Socket()
    scene = promoted_page(app, sock, then=flood)
    # Nothing may wake the writer by chance: the pings' acknowledgement timer has run out,
    # and the flood's ping has no seq (so it arms no new one).
    wait_until(lambda: scene.page._ack_timer is None)
    scene.ping(app, "flood", numbered=False)
    sock.wait(lambda s: s.closed_after is not None, timeout=2.0)
    assert sock.frames("pywry:overflow")[0]["missed"] > 0
    assert sock.frames("pywry:resync") == [{"reason": "overflow"}]
    assert sock.closed_after == len(sock.messages)


class GoneSocket(Socket):
    """A socket whose peer can go away: then starting a send raises at once."""

    gone = False

    def send_text(self, text: str) -> Any:
        if self.gone:
            raise ConnectionResetError("the page went away")
        return super().send_text(text)


def test_a_send_that_fails_at_once_does_not_break_the_readers_handling(app):
    sock = GoneSocket()
    scene = promoted_page(app, sock)
    sock.gone = True
    for k in range(3):  # the answers' sends fail as they start: handling goes on
        scene.ping(app, k)
    assert scene.threads[-3:] == ["pywry-loop"] * 3
