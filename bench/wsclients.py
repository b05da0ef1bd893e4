"""Many plain WebSocket clients standing in for browser tabs (fan-out benchmark).

Run by the runner with the project's interpreter. Reads a JSON object on the first
stdin line: ``{"urls": [...], "per_widget": 10}``. For each widget page it fetches the
HTML, finds the page's token (a ``pywry-config`` block, or the release's inline
``WS_AUTH_TOKEN``), and opens ``per_widget`` WebSockets the way that page would.

The clients are raw sockets served by one ``epoll`` loop, not a WebSocket library or
asyncio: a thousand sockets in one process must cost as little as possible, or the
measuring tool becomes the bottleneck (asyncio costs about 60 µs of CPU per message
here; this loop a small fraction of that). Receipt times are ``time.monotonic()``
(system-wide on Linux, so comparable with the server's).

Prints ``CONNECTED <live> <failed> <closed>``; then for every ``bench:fan`` broadcast
``FAN <k> <received> <live> <last_s> <median_s> <first_s>`` once every live client
has it (or after 5 s).
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import socket
import statistics
import sys
import time
import urllib.request
from urllib.parse import urlsplit

_CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
_REL_TOKEN = re.compile(r"WS_AUTH_TOKEN = '([^']*)'")
_REL_ID = re.compile(r"const widgetId = '([^']*)'")
_K = re.compile(rb'"k":\s*(\d+)')


def handshake_for(url: str) -> tuple[str, list[str]]:
    """Fetch a widget page; return (ws path, subprotocols to offer) as the page would."""
    with urllib.request.urlopen(url, timeout=10) as resp:  # loopback only
        html = resp.read().decode()
    m = _CONFIG.search(html)
    if m:
        cfg = json.loads(m.group(1))
        return cfg["ws"], ["pywry.v1", f"pywry.token.{cfg['token']}"]
    tok, wid = _REL_TOKEN.search(html), _REL_ID.search(html)
    if tok and wid:
        return f"/ws/{wid.group(1)}", [f"pywry.token.{tok.group(1)}"]
    raise SystemExit(f"no token found in {url}")


def connect(host: str, port: int, path: str, protos: list[str]) -> tuple[socket.socket, bytes]:
    """Open one WebSocket; return the socket and any bytes that followed the 101."""
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection((host, port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {', '.join(protos)}\r\nOrigin: http://{host}:{port}\r\n\r\n"
        ).encode()
    )
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        sock.close()
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    sock.setblocking(False)
    return sock, rest


def masked_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One final frame from a client (a text frame unless ``opcode`` says otherwise).

    Clients must mask what they send; the key is random, as a browser's is.
    """
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    mask = (key * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big")
    return head + key + body


class Clients:
    """All sockets, their receive buffers, and the arrivals of every broadcast."""

    def __init__(self) -> None:
        self.ep = select.epoll()
        self.socks: dict[int, socket.socket] = {}
        self.bufs: dict[int, bytes] = {}
        self.arrivals: dict[int, list[float]] = {}
        self.t0: dict[int, float] = {}
        self.closed = 0

    def add(self, sock: socket.socket, rest: bytes) -> None:
        fd = sock.fileno()
        self.socks[fd] = sock
        self.bufs[fd] = b""
        self.ep.register(fd, select.EPOLLIN)
        if rest:
            self.feed(fd, rest, time.monotonic())

    def drop(self, fd: int) -> None:
        self.ep.unregister(fd)
        self.socks.pop(fd).close()
        self.bufs.pop(fd, None)
        self.closed += 1

    def poll(self, timeout: float) -> None:
        for fd, _ in self.ep.poll(timeout):
            now = time.monotonic()
            try:
                data = self.socks[fd].recv(65536)
            except (BlockingIOError, KeyError):
                continue
            except OSError:
                data = b""
            if not data:
                self.drop(fd)
            else:
                self.feed(fd, data, now)

    def feed(self, fd: int, data: bytes, now: float) -> None:
        buf = self.bufs[fd] + data
        pos = 0
        while len(buf) - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            n, hdr = b1 & 0x7F, 2
            if n == 126:
                if len(buf) - pos < 4:
                    break
                n, hdr = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif n == 127:
                if len(buf) - pos < 10:
                    break
                n, hdr = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if len(buf) - pos < hdr + n:
                break
            payload = buf[pos + hdr : pos + hdr + n]
            pos += hdr + n
            opcode = b0 & 0x0F
            if opcode in (0, 1) and b"bench:fan" in payload:
                self.arrived(payload, now)
            elif opcode == 8:
                self.drop(fd)
                return
            elif opcode == 9:  # answer pings (masked with a zero key, as clients must)
                self.socks[fd].send(bytes((0x8A, 0x80 | len(payload))) + b"\0\0\0\0" + payload)
        self.bufs[fd] = buf[pos:]

    def arrived(self, payload: bytes, now: float) -> None:
        for m in _K.finditer(payload):  # a batch may carry several broadcasts
            k = int(m.group(1))
            if k not in self.t0:
                msg = json.loads(payload)
                for ev in msg.get("events") or [msg]:
                    if ev.get("type") == "bench:fan":
                        self.t0[ev["data"]["k"]] = ev["data"]["t0"]
            self.arrivals.setdefault(k, []).append(now)


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    clients = Clients()
    failed = 0
    for url in spec["urls"]:
        parts = urlsplit(url)
        path, protos = handshake_for(url)
        for _ in range(int(spec["per_widget"])):
            try:
                clients.add(*connect(parts.hostname or "127.0.0.1", parts.port or 80, path, protos))
            except OSError:
                failed += 1
            clients.poll(0)
    deadline = time.monotonic() + 1.0  # let servers that replace older sockets do so
    while time.monotonic() < deadline:
        clients.poll(0.05)
    print("CONNECTED", len(clients.socks), failed, clients.closed, flush=True)

    reported = -1
    while True:
        clients.poll(0.01)
        pending = sorted(k for k in clients.arrivals if k > reported)
        if not pending:
            continue
        k = pending[0]
        give_up = time.monotonic() + 5.0
        while len(clients.arrivals[k]) < len(clients.socks) and time.monotonic() < give_up:
            clients.poll(0.01)
        got = clients.arrivals[k]
        lat = [t - clients.t0[k] for t in got]
        print(
            "FAN",
            k,
            len(got),
            len(clients.socks),
            max(lat),
            statistics.median(lat),
            min(lat),
            flush=True,
        )
        reported = k


if __name__ == "__main__":
    main()
