"""The floor: the thinnest server for pywry's page protocol that Python allows.

Kept in ``bench/`` only, never shipped. It speaks the same page protocol as pywry
(``GET /widget/<label>`` -> HTML with an inline bridge and a ``pywry-config`` block,
``WS /ws/<label>`` offering ``pywry.token.<token>``, JSON text frames
``{"type", "data", "ts"}`` and server -> page batches ``{"events": [...]}``) and the
small part of the public API the bench scenarios use (``show``, ``handle.url``,
``handle.emit``, ``destroy``), so the very same scenario script drives it.

Everything that costs time and is not needed is left out: one asyncio ``Protocol`` per
connection (no framework, no per-connection task), a pre-rendered HTTP response per
widget, sync callbacks run inline on the server loop, and one encode per batch of
events queued together in one loop tick. Its numbers are the limit of Python,
loopback and Chromium that a real server can approach.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

try:  # msgspec is faster than the stdlib; use it when the interpreter has it.
    from msgspec.json import decode as _decode
    from msgspec.json import encode as _encode
except ImportError:  # pragma: no cover - the project's venv has msgspec

    def _encode(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    _decode = json.loads

__all__ = ["FloorApp", "FloorHandle", "WindowMode"]

_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

_BRIDGE = """<script>
(function(){
 const cfg=JSON.parse(document.getElementById('pywry-config').textContent);
 const handlers={}; const queue=[]; let ws=null;
 function fire(m){const hs=handlers[m.type]; if(hs) for(const h of hs) h(m.data);}
 ws=new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+cfg.ws,
                  ['pywry.v1','pywry.token.'+cfg.token]);
 ws.onopen=function(){for(const s of queue) ws.send(s); queue.length=0;
                      fire({type:'pywry:ready',data:{}});};
 ws.onmessage=function(e){const m=JSON.parse(e.data);
   if(m.events){for(const x of m.events) fire(x);} else fire(m);};
 window.pywry={
  emit:function(type,data){const s=JSON.stringify({type:type,data:data,ts:Date.now()});
    if(ws.readyState===1) ws.send(s); else queue.push(s);},
  on:function(type,fn){(handlers[type]||(handlers[type]=[])).push(fn); return this;}
 };
})();
</script>"""


class WindowMode:
    """Stand-in so ``PyWry(mode=WindowMode.BROWSER)`` also reads for the floor."""

    BROWSER = "browser"


def _frame(payload: bytes) -> bytes:
    """One unmasked, final text frame (server -> client frames are never masked)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + payload


class _Widget:
    __slots__ = ("callbacks", "label", "page", "queue", "scheduled", "sessions", "token")

    def __init__(self, label: str, html: str, callbacks: dict[str, Callable[..., Any]]) -> None:
        self.label = label
        self.token = secrets.token_urlsafe(32)
        self.callbacks = dict(callbacks)
        self.sessions: set[_Conn] = set()
        self.queue: deque[tuple[str, Any]] = deque()
        self.scheduled = False
        config = json.dumps({"label": label, "token": self.token, "ws": f"/ws/{label}"})
        body = (
            '<!doctype html><html><head><meta charset="utf-8">'
            f'<script id="pywry-config" type="application/json">{config}</script>'
            f"{_BRIDGE}</head><body>{html}</body></html>"
        ).encode()
        self.page = (
            b"HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n"
            b"cache-control: no-store\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n"
        ) + body

    def flush(self) -> None:
        """Send everything queued since the last flush as one frame to every page."""
        self.scheduled = False  # cleared before draining: a racing emit reschedules
        q = self.queue
        items = [q.popleft() for _ in range(len(q))]
        if not items or not self.sessions:
            return
        if len(items) == 1:
            payload = _encode({"type": items[0][0], "data": items[0][1], "ts": 0})
        else:
            payload = _encode({"events": [{"type": t, "data": d} for t, d in items]})
        frame = _frame(payload)
        for conn in self.sessions:
            conn.transport.write(frame)


class _Conn(asyncio.Protocol):
    """One TCP connection: HTTP/1.1 keep-alive until it upgrades to a WebSocket."""

    def __init__(self, app: FloorApp) -> None:
        self.app = app
        self.buf = b""
        self.widget: _Widget | None = None
        self.fragments: list[bytes] = []
        self.transport: asyncio.Transport = None  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.widget is not None:
            self.widget.sessions.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.widget is None:
            self._http()
        if self.widget is not None:
            self._ws()

    def _http(self) -> None:
        while self.widget is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4 :]
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            path = parts[1] if len(parts) > 1 else ""
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            if parts[0] != "GET" or "content-length" in headers:
                self.transport.write(
                    b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n"
                )
                self.transport.close()
                return
            if path.startswith("/ws/") and headers.get("upgrade", "").lower() == "websocket":
                self._upgrade(path[4:].split("?", 1)[0], headers)
                return
            widget = self.app.widgets.get(path[8:]) if path.startswith("/widget/") else None
            if widget is None:
                self.transport.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
            else:
                self.transport.write(widget.page)

    def _upgrade(self, label: str, headers: dict[str, str]) -> None:
        widget = self.app.widgets.get(label)
        offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
        token = next((p[12:] for p in offered if p.startswith("pywry.token.")), "")
        if widget is None or not hmac.compare_digest(token.encode(), widget.token.encode()):
            self.transport.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            self.transport.close()
            return
        chosen = "pywry.v1" if "pywry.v1" in offered else f"pywry.token.{token}"
        key = headers.get("sec-websocket-key", "").encode()
        accept = base64.b64encode(hashlib.sha1(key + _WS_GUID).digest()).decode()
        self.transport.write(
            (
                "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
                f"sec-websocket-accept: {accept}\r\nsec-websocket-protocol: {chosen}\r\n\r\n"
            ).encode()
        )
        self.widget = widget
        widget.sessions.add(self)

    def _ws(self) -> None:
        buf = self.buf
        pos = 0
        while True:
            if len(buf) - pos < 2:
                break
            b0, b1 = buf[pos], buf[pos + 1]
            n = b1 & 0x7F
            hdr = 2
            if n == 126:
                if len(buf) - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                hdr = 4
            elif n == 127:
                if len(buf) - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                hdr = 10
            masked = b1 & 0x80
            if len(buf) - pos < hdr + (4 if masked else 0) + n:
                break
            if masked:
                mask = buf[pos + hdr : pos + hdr + 4]
                start = pos + hdr + 4
                raw = buf[start : start + n]
                key = int.from_bytes((mask * (n // 4 + 1))[:n], "little")
                payload = (int.from_bytes(raw, "little") ^ key).to_bytes(n, "little")
            else:
                start = pos + hdr
                payload = buf[start : start + n]
            pos = start + n
            self._frame(b0 & 0x0F, bool(b0 & 0x80), payload)
        self.buf = buf[pos:]

    def _frame(self, opcode: int, fin: bool, payload: bytes) -> None:
        if opcode == 0:  # continuation of a fragmented message
            self.fragments.append(payload)
            if fin:
                self._message(b"".join(self.fragments))
                self.fragments = []
        elif opcode in (1, 2):
            if fin:
                self._message(payload)
            else:
                self.fragments = [payload]
        elif opcode == 8:  # close: echo it, then drop the connection
            self.transport.write(b"\x88\x02\x03\xe8")
            self.transport.close()
        elif opcode == 9:  # ping -> pong
            self.transport.write(bytes((0x8A, len(payload))) + payload)

    def _message(self, payload: bytes) -> None:
        widget = self.widget
        assert widget is not None
        try:
            msg = _decode(payload)
            callback = widget.callbacks.get(msg.get("type"))
            if callback is not None:
                callback(msg.get("data"), msg["type"], widget.label)
        except Exception as exc:  # a bad frame or a failing callback must not kill the server
            print(f"floor: {type(exc).__name__}: {exc}", file=sys.stderr)


class FloorHandle:
    """What ``show`` returns: the widget's URL and a thread-safe ``emit``."""

    def __init__(self, app: FloorApp, widget: _Widget) -> None:
        self._app = app
        self._widget = widget
        self.label = self.widget_id = widget.label
        self.url = f"http://{app.host}:{app.port}/widget/{widget.label}"

    def emit(self, event_type: str, data: Any) -> None:
        """Queue an event; all events queued before the loop's next turn travel in one frame."""
        w = self._widget
        w.queue.append((event_type, data))
        if not w.scheduled:
            w.scheduled = True
            loop = self._app.loop
            if threading.get_ident() == self._app.loop_thread_id:
                loop.call_soon(w.flush)
            else:
                loop.call_soon_threadsafe(w.flush)

    send = emit


class FloorApp:
    """A server in a daemon thread with its own loop, started by the first ``show``."""

    def __init__(self, mode: Any = None, **_: Any) -> None:
        self.host = "127.0.0.1"
        self.port = int(os.environ.get("PYWRY_SERVER__PORT", "8765"))
        self.widgets: dict[str, _Widget] = {}
        self.loop = asyncio.new_event_loop()
        self.loop_thread_id = 0
        self._server: asyncio.AbstractServer | None = None
        self._count = 0

    def _start(self) -> None:
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop_thread_id = threading.get_ident()
            self._server = self.loop.run_until_complete(
                self.loop.create_server(
                    lambda: _Conn(self), self.host, self.port, reuse_address=True, backlog=2048
                )
            )
            started.set()
            self.loop.run_forever()

        threading.Thread(target=run, name="floor-server", daemon=True).start()
        started.wait()

    def show(
        self,
        content: str,
        *,
        label: str | None = None,
        callbacks: dict[str, Callable[..., Any]] | None = None,
        **_: Any,
    ) -> FloorHandle:
        if self._server is None:
            self._start()
        self._count += 1
        label = label or f"w{self._count}"
        widget = _Widget(label, content, callbacks or {})
        self.widgets[label] = widget
        return FloorHandle(self, widget)

    def destroy(self) -> None:
        if self._server is not None:
            self.loop.call_soon_threadsafe(self._server.close)
