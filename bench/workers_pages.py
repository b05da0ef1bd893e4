"""The pages of ``bench/deploy_workers.py``: what they send, what they receive, where they sit.

A page sends events as pywry's page does (numbered, masked frames); the loop counts the
WebSocket messages each page reads (a message may carry a batch of frames); the tally
checks every frame as it arrives; and a page's socket is traced to the worker that holds
its other end through /proc, since the kernel, not the benchmark, spreads them.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import defaultdict
from typing import Any

from pageclient import Item, Page, PageLoop
from wsclients import masked_frame

__all__ = ["CountingLoop", "Tally", "send_event", "worker_of_pages"]


def send_event(page: Page, event_type: str, data: Any) -> None:
    """The page sends ``{"type", "data", "widgetId", "seq"}``, numbered 1, 2, 3 ... ."""
    sock = page.sock
    if sock is None:
        raise ConnectionError(f"page {page.page_id} has no socket")
    seq = getattr(page, "out_seq", 0) + 1
    page.out_seq = seq  # type: ignore[attr-defined]
    frame = masked_frame(
        json.dumps(
            {"type": event_type, "data": data, "widgetId": page.widget.label, "seq": seq},
            separators=(",", ":"),
        ).encode()
    )
    view = memoryview(frame)
    deadline = time.monotonic() + 5
    while view:
        try:
            view = view[sock.send(view) :]
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.0005)


class CountingLoop(PageLoop):
    """A :class:`PageLoop` that also counts the messages each page reads (a message may
    carry a batch of frames)."""

    def _message(self, page: Page, raw: bytes, now: float) -> None:
        page.messages = getattr(page, "messages", 0) + 1  # type: ignore[attr-defined]
        super()._message(page, raw, now)


def worker_of_pages(pages: list[Page], pids: list[int]) -> dict[str, int]:
    """Page id -> pid of the worker holding its socket (from the sockets' inodes)."""
    inode_pid: dict[str, int] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.scandir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(fd.path)
                    if link.startswith("socket:["):
                        inode_pid[link[8:-1]] = pid
    port_pid: dict[int, int] = {}  # the client's port (the server's remote port) -> pid
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                pid = inode_pid.get(fields[9])
                if pid is not None:
                    port_pid[int(fields[2].rsplit(":", 1)[1], 16)] = pid
    out = {}
    for page in pages:
        if page.sock is not None:
            pid = port_pid.get(page.sock.getsockname()[1])
            if pid is not None:
                out[page.page_id] = pid
    return out


class Tally:
    """What the pages received, checked as it arrives."""

    def __init__(self) -> None:
        self.cast_t0: dict[int, float] = {}
        self.cast_arrivals: dict[int, list[float]] = defaultdict(list)
        self.cast_next: dict[str, int] = {}
        self.burst_pos: dict[str, tuple[int, int]] = {}  # page id -> (burst, last i)
        self.burst_done: dict[int, dict[str, float]] = defaultdict(dict)  # page id -> when
        self.burst_len = 0
        self.order_errors = 0
        self.rt_pid: dict[str, int] = {}  # rt page id -> its worker's pid
        self.rt_got: dict[tuple[str, int], tuple[float, int]] = {}  # (page, i) -> (time, pid)
        self.unexpected: dict[str, int] = defaultdict(int)

    def on_frame(self, page: Page, item: Item, now: float) -> None:
        kind = item.type
        data = item.data
        if kind == "bench:cast":
            k = data["k"]
            if k != self.cast_next.get(page.page_id, 0):
                self.order_errors += 1
            self.cast_next[page.page_id] = k + 1
            self.cast_t0[k] = data["t0"]
            self.cast_arrivals[k].append(now)
        elif kind == "bench:burst":
            b, i = data["b"], data["i"]
            prev_b, prev_i = self.burst_pos.get(page.page_id, (-1, -1))
            if i != (prev_i + 1 if b == prev_b else 0):
                self.order_errors += 1
            self.burst_pos[page.page_id] = (b, i)
            if i == self.burst_len - 1:
                self.burst_done[b][page.page_id] = now
        elif kind == "rt:pong":
            self.rt_got[(page.page_id, data["i"])] = (now, data["pid"])
        elif kind == "rt:me":
            self.rt_pid[data["page"]] = data["pid"]
        elif item.seq is None and kind in ("pywry:hello", "pywry:ack"):
            pass
        else:
            self.unexpected[kind or "?"] += 1
