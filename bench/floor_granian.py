"""The Granian floor: the floor's page protocol as a bare ASGI app on pywry's Granian runner.

Kept in ``bench/`` only, never shipped. ``bench/floor.py`` shows the limit of Python,
loopback and Chromium; this one shows the limit of *any* app served by Granian, the
server the design card fixes for pywry. It speaks the same page protocol and the same
small API as the floor (the scenario script drives it unchanged) and does nothing else:
no framework, no exactly-once ledger, no replay buffer, no checks beyond the token. Its
server is pywry's own: ``GranianRunner`` on pywry's ``LoopThread`` (uvloop where
installed), so the only difference from pywry is pywry's own code.

A sync callback runs inline on the loop and the task that read the page's message starts
the send of what it emits without waiting for it; other emits are sent by each page's
writer task. With ``PYWRY_FLOOR_WORKER=1`` (``granian-floor-workers`` in
``bench/pingpong.py``) callbacks run on one worker thread instead, handed over with a
``SimpleQueue`` and their emits handed back with one wake-up of the loop: the least any app
on Granian pays to keep sync callbacks off its loop, as pywry does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import queue
import secrets
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from floor import _BRIDGE, FloorHandle, WindowMode, _decode, _encode

from pywry.adapters.granian import GranianRunner
from pywry.app.loop import LoopThread
from pywry.domain.ports import Bind

__all__ = ["GranianFloorApp", "WindowMode"]

_PAGE_HEADERS = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]


class _Page:
    """One page's socket: an outbox sent one message at a time, in order."""

    __slots__ = ("busy", "inflight", "outbox", "send", "wake")

    def __init__(self, send: Any) -> None:
        self.send = send
        self.outbox: deque[str] = deque()
        self.wake = asyncio.Event()
        self.busy = False
        self.inflight: Any = None  # a send started by the reader, not awaited by it

    def start(self) -> None:
        """The reader's path: start one send without waiting for it (Granian starts it)."""
        if self.busy or (self.inflight is not None and not self.inflight.done()):
            self.wake.set()
            return
        self.inflight = self.send({"type": "websocket.send", "text": self.outbox.popleft()})
        if self.outbox:
            self.wake.set()

    async def drain(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            while True:
                inflight, self.inflight = self.inflight, None
                if inflight is not None:
                    await inflight
                if not self.outbox:
                    return
                await self.send({"type": "websocket.send", "text": self.outbox.popleft()})
        finally:
            self.busy = False

    async def writer(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            await self.drain()


class _Widget:
    __slots__ = ("body", "callbacks", "handling", "label", "pages", "queue", "scheduled", "token")

    def __init__(self, label: str, html: str, callbacks: dict[str, Callable[..., Any]]) -> None:
        self.label = label
        self.token = secrets.token_urlsafe(32)
        self.callbacks = dict(callbacks)
        self.pages: set[_Page] = set()
        self.queue: deque[tuple[str, Any]] = deque()
        self.scheduled = False
        self.handling = False  # a page's reader is running a callback of this widget
        config = json.dumps({"label": label, "token": self.token, "ws": f"/ws/{label}"})
        self.body = (
            '<!doctype html><html><head><meta charset="utf-8">'
            f'<script id="pywry-config" type="application/json">{config}</script>'
            f"{_BRIDGE}</head><body>{html}</body></html>"
        ).encode()

    def flush(self, reader: _Page | None = None) -> None:
        """Queue everything emitted so far as one message per page; wake their writers.

        ``reader``'s own page is not woken: its reader sends it right after.
        """
        self.scheduled = False
        q = self.queue
        items = [q.popleft() for _ in range(len(q))]
        if not items or not self.pages:
            return
        if len(items) == 1:
            payload = _encode({"type": items[0][0], "data": items[0][1], "ts": 0})
        else:
            payload = _encode({"events": [{"type": t, "data": d} for t, d in items]})
        text = payload.decode()
        for page in self.pages:
            page.outbox.append(text)
            if page is not reader:
                page.wake.set()


class _Asgi:
    def __init__(self, app: GranianFloorApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path: str = scope["path"]
        if scope["type"] == "http":
            widget = self.app.widgets.get(path[8:]) if path.startswith("/widget/") else None
            if widget is None:
                await send({"type": "http.response.start", "status": 404, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": _PAGE_HEADERS})
            await send({"type": "http.response.body", "body": widget.body})
        elif scope["type"] == "websocket":
            await self._socket(path, scope, receive, send)

    async def _socket(self, path: str, scope: dict[str, Any], receive: Any, send: Any) -> None:
        widget = self.app.widgets.get(path[4:]) if path.startswith("/ws/") else None
        offered = [str(p) for p in scope.get("subprotocols") or []]
        token = next((p[12:] for p in offered if p.startswith("pywry.token.")), "")
        await receive()  # websocket.connect
        if widget is None or not hmac.compare_digest(token.encode(), widget.token.encode()):
            await send({"type": "websocket.close", "code": 1008})
            return
        chosen = "pywry.v1" if "pywry.v1" in offered else f"pywry.token.{token}"
        await send({"type": "websocket.accept", "subprotocol": chosen})
        page = _Page(send)
        widget.pages.add(page)
        writer = asyncio.get_running_loop().create_task(page.writer())
        try:
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return
                msg = _decode(message.get("text") or message.get("bytes") or b"null")
                callback = widget.callbacks.get(msg.get("type")) if isinstance(msg, dict) else None
                if callback is not None and self.app.jobs is not None:
                    self.app.jobs.put((callback, msg.get("data"), msg["type"], widget.label))
                elif callback is not None:
                    widget.handling = True
                    try:
                        callback(msg.get("data"), msg["type"], widget.label)
                    finally:
                        widget.handling = False
                if widget.queue:
                    widget.flush(reader=page)
                if page.outbox:
                    page.start()
        finally:
            widget.pages.discard(page)
            writer.cancel()


class GranianFloorHandle(FloorHandle):
    """The floor's handle (label, URL); only ``emit`` hands events over differently."""

    def emit(self, event_type: str, data: Any) -> None:
        """Queue an event; all events queued before the loop's next turn travel together."""
        w = self._widget
        w.queue.append((event_type, data))
        if w.scheduled:
            return
        loop_thread = self._app.loop_thread
        if loop_thread.in_loop():
            if not w.handling:  # a reader that runs a callback flushes right after it
                w.scheduled = True
                loop_thread.loop.call_soon(w.flush)
        else:
            w.scheduled = True
            loop_thread.call_soon(w.flush)

    send = emit


class GranianFloorApp:
    """Served by pywry's Granian runner on pywry's loop thread, started by the first ``show``."""

    def __init__(self, mode: Any = None, **_: Any) -> None:
        self.host = "127.0.0.1"
        self.port = int(os.environ.get("PYWRY_SERVER__PORT", "8765"))
        self.widgets: dict[str, _Widget] = {}
        self.loop_thread = LoopThread()
        self._runner: GranianRunner | None = None
        self._count = 0
        self._lock = threading.Lock()
        self.jobs: queue.SimpleQueue[Any] | None = None
        if os.environ.get("PYWRY_FLOOR_WORKER") == "1":
            self.jobs = queue.SimpleQueue()
            threading.Thread(target=self._work, name="floor-worker", daemon=True).start()

    def _work(self) -> None:
        assert self.jobs is not None
        while True:
            callback, data, event_type, label = self.jobs.get()
            callback(data, event_type, label)

    def show(
        self,
        content: str,
        *,
        label: str | None = None,
        callbacks: dict[str, Callable[..., Any]] | None = None,
        **_: Any,
    ) -> GranianFloorHandle:
        with self._lock:
            if self._runner is None:
                self.loop_thread.start()
                self._runner = GranianRunner(log_level="warning")
                bound = self._runner.start(
                    _Asgi(self), Bind(self.host, self.port), self.loop_thread.loop
                )
                self.port = bound.port
        self._count += 1
        label = label or f"w{self._count}"
        widget = _Widget(label, content, callbacks or {})
        self.widgets[label] = widget
        return GranianFloorHandle(self, widget)  # type: ignore[arg-type]

    def destroy(self) -> None:
        if self._runner is not None:
            self._runner.stop()
            self._runner = None
        self.loop_thread.stop()
