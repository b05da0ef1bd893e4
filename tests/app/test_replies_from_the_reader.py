"""A reply made while a page's message is handled leaves from the task that read it.

The page's reader hands each message to ``Bridge.receive_and_reply``; what handling it
produced for that page (the answer of a callback on the loop, the acknowledgement, an error
report) is sent by the reader itself instead of waking the page's writer task. These tests
pin what must hold whichever task sends: one send at a time, frames in order, a close only
after what was queued before it. The bridge is real; the socket is a recorder that names
the task of every send and can be frozen to hold a send half-way.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from pywry import PyWry, WindowMode
from pywry.app.bridge import Bridge
from pywry.app.callbacks import PROMOTE_AFTER
from pywry.app.pages import PageSession
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

READER = "page-reader"


@pytest.fixture
def app():
    app = PyWry(mode=WindowMode.BROWSER, settings={"server": {"reconnect_grace": 0.2}})
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    yield app
    app.destroy()


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


def read(app: PyWry, bridge: Bridge, page: PageSession, frame: dict[str, Any]) -> Any:
    """Hand one message to the bridge from a task named like a page's reader; the task."""

    async def run() -> asyncio.Task[float]:
        raw = json.dumps(frame)
        return asyncio.get_running_loop().create_task(
            bridge.receive_and_reply(page, raw), name=READER
        )

    return app.container.loop_thread().run(run())


def test_the_answer_of_a_callback_on_the_loop_leaves_from_the_reader_with_its_ack(app):
    app.show("<p/>", label="w", callbacks={"app:ping": lambda d: app.emit("app:pong", d, "w")})
    sock = Socket()
    bridge, page = connect(app, "w", sock)
    trips = PROMOTE_AFTER + 6
    for seq in range(1, trips + 1):
        read(app, bridge, page, {"type": "app:ping", "data": seq, "seq": seq})
        sock.wait(lambda s, seq=seq: s.frames("app:pong") == list(range(1, seq + 1)))
    last = [(task, [f["type"] for f in frames]) for task, frames in sock.messages[-5:]]
    # On the loop by now: each answer is one message, sent by the reader, the ack inside.
    assert last == [(READER, ["pywry:ack", "app:pong"])] * 5
    assert [ack["inbound"] for ack in sock.frames("pywry:ack")[-5:]] == list(
        range(trips - 4, trips + 1)
    )


def test_one_send_at_a_time_and_in_order_while_the_reader_is_stuck_in_a_send(app):
    app.show("<p/>", label="w")
    sock = Socket()
    bridge, page = connect(app, "w", sock)
    sock.wait(lambda s: bool(s.frames("pywry:hello")))
    sock.freeze()
    # A refused event name: its error report is the reader's to send, and the send hangs.
    read(app, bridge, page, {"type": "not a name", "data": None, "seq": 1})
    assert sock.holding.wait(5)
    for k in range(50):  # meanwhile the script emits: the writer task wakes for these
        app.emit("app:n", k, "w")
    sock.thaw()
    sock.wait(lambda s: len(s.frames("app:n")) == 50)
    assert sock.frames("app:n") == list(range(50))
    assert sock.frames("pywry:error")[0]["error"] == "bad-event"
    assert sock.most_at_once == 1


def test_a_close_asked_for_while_the_reader_sends_comes_after_what_was_queued(app):
    app.show("<p/>", label="w")
    sock = Socket()
    bridge, page = connect(app, "w", sock)
    sock.wait(lambda s: bool(s.frames("pywry:hello")))
    sock.freeze()
    read(app, bridge, page, {"type": "not a name", "data": None, "seq": 1})
    assert sock.holding.wait(5)
    for k in range(20):
        app.emit("app:n", k, "w")
    closing = threading.Thread(target=app.close, args=("w",))
    closing.start()  # waits for the page to get what was queued, then closes it
    sock.thaw()
    closing.join(5)
    assert not closing.is_alive()
    sock.wait(lambda s: s.closed_after is not None)
    assert sock.frames("app:n") == list(range(20))
    assert sock.closed_after == len(sock.messages)
    assert sock.most_at_once == 1
