"""The server's memory while 1 GB goes through one page in 10 MB binary events.

Used by ``bench/payloads.py``, on this project's pywry only (the release has no binary).
Two runs, each on a fresh server (``payloads_server.py``):

- a reading page (headless Chromium, its handler counts the bytes): 100 events of 10 MB,
  at most :data:`IN_FLIGHT` emitted and not yet acknowledged by the page's handler;
- a frozen page: a raw WebSocket client (``pageclient``) that connects the way the page
  does and then never reads a byte, so everything the server sends stays in the socket
  buffers and in the server; the 100 events are emitted as fast as ``emit`` returns.

Resident memory is read from ``/proc``: ``VmRSS`` before (page connected, idle) and after
(:data:`SETTLE_S` after the last event), the peak as the larger of ``VmHWM`` (the kernel's
high-water mark, reset through ``/proc/<pid>/clear_refs`` just before the events) and
``VmRSS`` sampled every few milliseconds.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import proc
from contenders import Contender, ServerProcess
from pageclient import Page, fetch_config
from payloads_measure import open_tab
from payloads_server import OURS_SETTINGS, STREAM_BYTES
from wsclients import connect

__all__ = ["EVENTS", "IN_FLIGHT", "rss_frozen", "rss_reading"]

EVENTS = 100
IN_FLIGHT = 4
SETTLE_S = 3.0
REPLAY_BYTES = int(OURS_SETTINGS["server"]["replay_buffer_bytes"])


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


class PeakWatch:
    """The peak RSS of a process from now until :meth:`stop`."""

    def __init__(self, pid: int, every_s: float = 0.005) -> None:
        self.pid = pid
        self.every_s = every_s
        self.sampled = 0
        self.done = threading.Event()
        try:  # "5" resets VmHWM to the current RSS (Linux >= 4.0)
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(self.every_s):
            self.sampled = max(self.sampled, proc.rss_kib(self.pid))

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        hwm = _status_kib(self.pid, "VmHWM") if self.hwm_reset else 0
        return max(self.sampled, hwm)


def _figures(server: ServerProcess, before: int, watch: PeakWatch) -> dict[str, Any]:
    time.sleep(SETTLE_S)  # what the server frees once the events are through
    peak = watch.stop()
    after = server.rss_kib()
    return {
        "before_kib": before,
        "peak_kib": peak,
        "after_kib": after,
        "peak_over_before_bytes": (peak - before) * 1024,
        "replay_buffer_bytes": REPLAY_BYTES,
    }


def rss_reading(python: str, browser: Any, events: int = EVENTS) -> dict[str, Any]:
    """``events`` x 10 MB through a page that reads, ``IN_FLIGHT`` unacknowledged at most."""
    server = ServerProcess(Contender("ours", python, "pywry"), script="payloads_server.py")
    context = None
    try:
        line, _ = server.wait_for("URL ", 120)
        server.wait_for("READY", 60)
        context, page, _ = open_tab(browser, line.split(" ", 1)[1], 0)
        server.send("warm")
        server.wait_for("WARM ", 120)
        time.sleep(1.0)
        before = server.rss_kib()
        watch = PeakWatch(server.pid)
        server.send(f"stream {events} {IN_FLIGHT}")
        streamed, _ = server.wait_for("STREAMED ", 600)
        _, _, seconds, acked = streamed.split()
        res = _figures(server, before, watch)
        res["seconds"] = float(seconds)
        res["bytes_acknowledged"] = int(acked)
        res["page_bytes"] = page.evaluate("payloads.bytes")
        res["events"] = events
        res["complete"] = res["page_bytes"] == events * STREAM_BYTES == int(acked)
        return res
    finally:
        if context is not None:
            context.close()
        server.stop()


def rss_frozen(python: str, events: int = EVENTS) -> dict[str, Any]:
    """``events`` x 10 MB emitted to a page that never reads: what the server holds."""
    server = ServerProcess(Contender("ours", python, "pywry"), script="payloads_server.py")
    sock: socket.socket | None = None
    try:
        line, _ = server.wait_for("URL ", 120)
        server.wait_for("READY", 60)
        widget = fetch_config(line.split(" ", 1)[1])
        page = Page(widget, "frozen")
        protos = ["pywry.v1", f"pywry.token.{widget.token}"]
        sock, _ = connect(widget.host, widget.port, page.path(), protos)
        time.sleep(1.0)
        before = server.rss_kib()
        watch = PeakWatch(server.pid)
        server.send(f"flood {events}")
        flooded, _ = server.wait_for("FLOODED ", 600)
        res = _figures(server, before, watch)
        res["emit_seconds"] = float(flooded.split()[2])
        res["events"] = events
        res["page_dropped"] = _dropped(sock)
        return res
    finally:
        if sock is not None:
            sock.close()
        server.stop()


def _dropped(sock: socket.socket) -> bool:
    """Whether the server closed the frozen page's socket (read it all now to see)."""
    sock.settimeout(5.0)
    try:
        while sock.recv(1 << 20):
            pass
    except TimeoutError:
        return False  # still open: the server is waiting for it to read
    except OSError:
        return True  # reset
    return True  # EOF
