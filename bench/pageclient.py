"""Pages without a browser: raw WebSocket clients that resume the way pywry's page does.

Used by ``bench/scale.py``, ``bench/soak.py`` and the deploy-mode benchmarks. A
:class:`Page` fetches nothing itself: the widget's page is fetched once per widget
(:func:`fetch_config`), and every page of that widget connects with the token and
``since`` found in its ``pywry-config`` block, offering ``["pywry.v1",
"pywry.token.<token>"]`` and giving its own page id. Like the real page, it remembers the
last numbered frame it saw, drops any frame numbered at or below it, and reconnects with
``?since=<that number>`` and the same page id.

All pages of a benchmark are served by one :class:`PageLoop` (``epoll``, no asyncio):
a thousand sockets in one process must cost little, or the client becomes the
bottleneck. Receipt times are ``time.monotonic()``, comparable with the server's.

Every numbered frame is checked: a number at or below the last one is a duplicate, a
jump is a gap (frames lost). Nothing is sent to the server except pong answers and
close replies: pywry does not require a page to acknowledge anything.
"""

from __future__ import annotations

import json
import re
import resource
import select
import socket
import struct
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wsclients import connect

__all__ = [
    "Item",
    "Page",
    "PageLoop",
    "WidgetConfig",
    "connect_all",
    "fetch_config",
    "raise_fd_limit",
]

_CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)


class Item(msgspec.Struct):
    """One frame from the server: numbered (``seq``) or a control frame (no ``seq``)."""

    seq: int | None = None
    type: str | None = None
    data: Any = None


class _Message(Item):
    events: list[Item] | None = None


_decode = msgspec.json.Decoder(_Message).decode


@dataclass(frozen=True)
class WidgetConfig:
    """What a widget's page knows after loading: where to connect and with which token."""

    host: str
    port: int
    label: str
    ws_path: str
    token: str
    since: int
    epoch: str = ""  # the event log ``since`` counts in (deploy mode on Redis)


def fetch_config(url: str) -> WidgetConfig:
    """GET a widget page and read its ``pywry-config`` block (loopback only)."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        html = resp.read().decode()
    match = _CONFIG.search(html)
    if match is None:
        raise RuntimeError(f"no pywry-config block in {url}")
    cfg = json.loads(match.group(1))
    parts = urlsplit(url)
    return WidgetConfig(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 80,
        label=cfg["label"],
        ws_path=cfg["ws"],
        token=cfg["token"],
        since=int(cfg["since"]),
        epoch=str(cfg.get("epoch") or ""),
    )


def raise_fd_limit(wanted: int) -> None:
    """Lift the soft limit of open files towards ``wanted`` (sockets are files)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(wanted, soft)), hard))


# Called for every frame a page accepts: numbered ones once each, control frames always.
FrameHandler = Callable[["Page", Item, float], None]


class Page:
    """One page id of one widget, across as many connections as it takes."""

    def __init__(self, widget: WidgetConfig, page_id: str) -> None:
        self.widget = widget
        self.page_id = page_id
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self.fragments = bytearray()
        self.last_seq = widget.since
        self.accepted = 0  # numbered frames accepted (each number once)
        self.duplicates = 0  # numbered frames at or below last_seq
        self.missing = 0  # numbers skipped: frames lost
        self.gaps: list[tuple[int, int]] = []  # (last seen, next received), the first few
        self.connects = 0
        self.connect_failures = 0
        self.hellos: list[dict[str, Any]] = []
        self.hello_mismatches = 0  # hello cursor differs from the since we sent
        self.close_codes: list[int | None] = []
        self.control: dict[str, int] = {}
        self.since_sent = widget.since
        self.down_since: float | None = None
        self.connected_at = 0.0  # when the current socket's handshake completed
        self.reconnect_at: float | None = None
        self.downtimes: list[float] = []

    @property
    def is_open(self) -> bool:
        return self.sock is not None

    def path(self) -> str:
        epoch = f"&epoch={self.widget.epoch}" if self.widget.epoch else ""
        return f"{self.widget.ws_path}?page={self.page_id}&since={self.last_seq}{epoch}"

    def take(self, item: Item) -> bool:
        """Check a numbered frame's number; whether it is new (the page would handle it)."""
        seq = item.seq
        assert seq is not None
        if seq <= self.last_seq:
            self.duplicates += 1
            return False
        if seq != self.last_seq + 1:
            self.missing += seq - self.last_seq - 1
            if len(self.gaps) < 10:
                self.gaps.append((self.last_seq, seq))
        self.last_seq = seq
        self.accepted += 1
        return True


class PageLoop:
    """Every page's socket on one ``epoll``; reconnects pages that were cut."""

    def __init__(
        self,
        *,
        on_frame: FrameHandler | None = None,
        reconnect_delay: Callable[[], float] | None = None,
    ) -> None:
        self.ep = select.epoll()
        self.by_fd: dict[int, Page] = {}
        self.pages: list[Page] = []
        self.on_frame = on_frame
        self.reconnect_delay = reconnect_delay

    # ------------------------------------------------------------ connections
    def open(self, page: Page) -> None:
        """Connect ``page`` (blocking handshake), resuming after its last frame."""
        if page not in self.pages:
            self.pages.append(page)
        w = page.widget
        protos = ["pywry.v1", f"pywry.token.{w.token}"]
        page.since_sent = page.last_seq
        try:
            sock, rest = connect(w.host, w.port, page.path(), protos)
        except OSError:
            page.connect_failures += 1
            self._schedule(page, time.monotonic())
            return
        page.sock = sock
        page.connected_at = time.monotonic()
        page.buf = bytearray()
        page.fragments = bytearray()
        page.connects += 1
        page.reconnect_at = None
        self.by_fd[sock.fileno()] = page
        self.ep.register(sock.fileno(), select.EPOLLIN)
        if rest:
            self._feed(page, rest, time.monotonic())

    def cut(self, page: Page) -> None:
        """Drop the page's TCP connection abruptly (RST, no close frame), like a blip."""
        sock = page.sock
        if sock is None:
            return
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._lost(page, time.monotonic(), None)

    def close(self, page: Page) -> None:
        """Close a page's socket for good (no reconnect): a tab closed."""
        page.reconnect_at = None
        sock = page.sock
        if sock is not None:
            self.ep.unregister(sock.fileno())
            self.by_fd.pop(sock.fileno(), None)
            sock.close()
            page.sock = None
        if page in self.pages:
            self.pages.remove(page)

    def close_all(self) -> None:
        for page in self.pages:
            page.reconnect_at = None
            if page.sock is not None:
                self.ep.unregister(page.sock.fileno())
                self.by_fd.pop(page.sock.fileno(), None)
                page.sock.close()
                page.sock = None

    def _lost(self, page: Page, now: float, code: int | None) -> None:
        sock = page.sock
        if sock is None:
            return
        self.ep.unregister(sock.fileno())
        self.by_fd.pop(sock.fileno(), None)
        sock.close()
        page.sock = None
        page.close_codes.append(code)
        page.down_since = now
        self._schedule(page, now)

    def _schedule(self, page: Page, now: float) -> None:
        if self.reconnect_delay is not None:
            page.reconnect_at = now + self.reconnect_delay()

    # ------------------------------------------------------------------ loop
    def poll(self, timeout: float) -> None:
        """Read what arrived (waiting up to ``timeout`` s) and reconnect pages that are due."""
        now = time.monotonic()
        due = [p for p in self.pages if p.reconnect_at is not None and p.reconnect_at <= now]
        for page in due:
            self.open(page)
        if due:
            timeout = 0
        for fd, _ in self.ep.poll(timeout):
            page = self.by_fd.get(fd)
            if page is None or page.sock is None:
                continue
            now = time.monotonic()
            try:
                data = page.sock.recv(262144)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self._lost(page, now, None)
            else:
                self._feed(page, data, now)

    def run_until(self, done: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
        """Poll until ``done()`` or ``timeout`` seconds passed; whether it was done."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() >= deadline:
                return False
            self.poll(step)
        return True

    def idle(self, seconds: float) -> None:
        """Keep reading for ``seconds`` (so nothing piles up in the sockets meanwhile)."""
        self.run_until(lambda: False, seconds)

    # ---------------------------------------------------------------- frames
    def _feed(self, page: Page, data: bytes, now: float) -> None:
        buf = page.buf
        buf += data
        pos = 0
        end = len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            n, hdr = b1 & 0x7F, 2
            if n == 126:
                if end - pos < 4:
                    break
                n, hdr = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif n == 127:
                if end - pos < 10:
                    break
                n, hdr = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if end - pos < hdr + n:
                break
            payload = bytes(buf[pos + hdr : pos + hdr + n])
            pos += hdr + n
            fin, opcode = b0 & 0x80, b0 & 0x0F
            if opcode in (0, 1):
                page.fragments += payload
                if fin:
                    message = bytes(page.fragments)
                    page.fragments = bytearray()
                    self._message(page, message, now)
            elif opcode == 8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                del buf[:pos]
                self._lost(page, now, code)
                return
            elif opcode == 9 and page.sock is not None:
                # Answer pings, masked with a zero key as clients must.
                page.sock.send(bytes((0x8A, 0x80 | len(payload))) + b"\0\0\0\0" + payload)
        del buf[:pos]

    def _message(self, page: Page, raw: bytes, now: float) -> None:
        msg = _decode(raw)
        items: list[Item] = msg.events if msg.events is not None else [msg]
        handler = self.on_frame
        for item in items:
            if item.seq is None:
                self._control(page, item, now)
                if handler is not None:
                    handler(page, item, now)
            elif page.take(item) and handler is not None:
                handler(page, item, now)

    def _control(self, page: Page, item: Item, now: float) -> None:
        name = item.type or "?"
        page.control[name] = page.control.get(name, 0) + 1
        if name == "pywry:hello":
            data = item.data if isinstance(item.data, dict) else {}
            page.hellos.append(data)
            if data.get("cursor") != page.since_sent:
                page.hello_mismatches += 1
            if page.down_since is not None:
                page.downtimes.append(now - page.down_since)
                page.down_since = None


def connect_all(loop: PageLoop, pages: list[Page], timeout: float) -> float:
    """Open every page, then wait for each one's hello; seconds it took."""
    t0 = time.monotonic()
    for page in pages:
        loop.open(page)
        loop.poll(0)
    ok = loop.run_until(lambda: all(p.control.get("pywry:hello") for p in pages), timeout)
    if not ok:
        waiting = sum(1 for p in pages if not p.control.get("pywry:hello"))
        raise RuntimeError(f"{waiting} of {len(pages)} pages got no hello within {timeout} s")
    return time.monotonic() - t0
