"""Deploy mode on one worker and on two, sharing a real redis-server: fan-out and round trips.

    python bench/deploy_workers.py [--pages 1000] [--widgets 10] [--events 500]
                                   [--bursts 3] [--broadcasts 100] [--trips 500] [--repeat 5]

The script starts its own ``redis-server`` (free port, no persistence; stopped at the end)
and serves ``bench/deploy_app.py`` with ``pywry deploy ... --workers 1`` and then
``--workers 2`` (the order alternates from one repeat to the next; every run is a fresh
deployment on a flushed Redis). The pages are plain WebSocket clients on one epoll loop in
this process (``bench/pageclient.py``), each with its own page id; with two workers the
kernel spreads their connections over both (``SO_REUSEPORT``). Measured in each run:

- (a) ``--pages`` pages spread over ``--widgets`` widgets. Broadcast: ``GET /cast/{k}``
  emits one event to each widget; latency from ``time.monotonic()`` in the worker just
  before the emits to the moment the last (and the median) page read it, ``--broadcasts``
  times one after the other. Throughput: one ``GET /burst/...`` per widget, each on a new
  connection (so the emits come from both workers), emits ``--events`` events to its
  widget as fast as the worker takes them; events/s = every widget's events / (time from
  sending the first request until the last page has its widget's last event), and
  deliveries/s the same times the pages of a widget. ``--bursts`` bursts per run.
- Exactly once: every page must receive every event once, in order: frame numbers
  contiguous (none missing, none twice) and each event's own counter in order.
- (b) Round trips on widget ``rt``: a page sends ``rt:ping``; the callback, on the worker
  that holds that page's socket, emits ``rt:pong`` to the widget. Two pages, one on each
  worker (found by an ``rt:who`` answered with the worker's ``os.getpid()``), take turns
  to ping: the pinger's time to its pong is the same-worker round trip, the other page's
  time to the same pong the cross-worker one (the pong reaches the other worker through
  Redis: the stream and its doorbell). With one worker both pages are on it.

Goals: cross-worker round trip median <= 2x the same-worker one; two workers sustain
>= 1.5x one worker's fan-out throughput; every event delivered exactly once in every run.

Raw results go to ``bench/.cache/deploy-workers-<timestamp>.json``, the figures to the
block ``deploy-workers`` of ``docs/performance.md``. ``bench/soak_deploy.py`` uses the
helpers here (:class:`RedisServer`, :class:`Deployment`, :class:`Http`, :func:`send_event`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from pageclient import Item, Page, PageLoop, fetch_config, raise_fd_limit  # noqa: E402
from proc import rss_kib  # noqa: E402
from scalesoak_doc import machine, percentile, save_raw, update_doc  # noqa: E402

__all__ = [
    "APP",
    "Deployment",
    "Http",
    "RedisServer",
    "close_page",
    "cpu_s",
    "free_port",
    "main",
    "send_event",
]

APP = BENCH / "deploy_app.py"
PYWRY = Path(sys.executable).parent / "pywry"
DOC = BENCH.parent / "docs" / "performance.md"
RT_LABEL = "rt"
WARM_CASTS = 10  # broadcasts not counted (first frames, caches)
WARM_TRIPS = 50  # round trips not counted
GOAL_RT = 2.0  # cross-worker round trip median <= this x the same-worker one
GOAL_FANOUT = 1.5  # two workers' fan-out throughput >= this x one worker's

_SPAWNED = re.compile(r"Spawning (worker-\d+) with PID: (\d+)")


# ---------------------------------------------------------------------------- processes
def free_port() -> int:
    """A port nobody listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_s(pid: int | str) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy since boot."""
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return (sum(cpu[:8]) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")


class RedisServer:
    """A real ``redis-server`` on a loopback port, without persistence (``--save ""``).

    ``stop()`` then ``start()`` restarts it on the same port with nothing in it: what a
    Redis without persistence does on a restart.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="pywry-bench-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.command("PING") == b"+PONG":
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (it saves nothing: no persistence), then wait for it."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def cleanup(self) -> None:
        """Stop it and remove its (empty: no persistence) directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def command(self, *args: str) -> bytes:
        """Send one command (RESP); its reply: a status line's text, or a bulk string."""
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            raw = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(b"".join(parts))
            reply = b""
            while b"\r\n" not in reply:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
            first, _, rest = reply.partition(b"\r\n")
            if not first.startswith(b"$") or first == b"$-1":
                return first
            length = int(first[1:])
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                rest += chunk
        return rest[:length]

    def calls(self) -> dict[str, int]:
        """Commands Redis ran so far, by name (``INFO commandstats``)."""
        out = {}
        for line in self.command("INFO", "commandstats").decode().splitlines():
            if line.startswith("cmdstat_"):
                name, _, stats = line[8:].partition(":")
                out[name] = int(stats.split(",")[0].split("=")[1])
        return out


class Deployment:
    """``pywry deploy bench/deploy_app.py:widgets --workers N`` on a free port, on Redis."""

    def __init__(
        self,
        *,
        workers: int,
        redis_url: str,
        widgets: int,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.prefix = f"bench-{secrets.token_hex(4)}"
        self.lines: list[str] = []
        self.worker_pids: dict[str, int] = {}  # Granian's worker name -> its current pid
        self.spawned: list[tuple[float, str, int]] = []  # (when, worker, pid), in order
        self._queue: queue.Queue[str] = queue.Queue()
        self._cwd = tempfile.mkdtemp(prefix="pywry-bench-deploy-")
        self._env = {
            **os.environ,
            "PYWRY_CONFIG_FILE": os.devnull,  # defaults, not a pywry.toml found on the way
            "PYWRY_DEPLOY__STATE_BACKEND": "redis",
            "PYWRY_DEPLOY__REDIS_URL": redis_url,
            "PYWRY_DEPLOY__REDIS_PREFIX": self.prefix,
            "PYWRY_BENCH_WIDGETS": str(widgets),
            **(env or {}),
        }
        self.proc: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 60.0) -> None:
        self.proc = subprocess.Popen(
            [
                str(PYWRY),
                "deploy",
                f"{APP}:widgets",
                "--workers",
                str(self.workers),
                "--port",
                str(self.port),
            ],
            cwd=self._cwd,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout
        started = 0
        while True:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                if time.monotonic() < deadline and self.proc.poll() is None:
                    continue
                self.stop()
                raise RuntimeError(
                    f"pywry deploy --workers {self.workers} did not serve within {timeout} s: "
                    + "".join(self.lines[-20:])
                ) from None
            if self.workers == 1 and "listening on" in line:
                break
            started += "Started worker-" in line
            if self.workers > 1 and started >= self.workers:
                break
        if self.workers == 1:
            self.worker_pids["worker-1"] = self.proc.pid

    def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = _SPAWNED.search(line)
            if match:
                self.worker_pids[match.group(1)] = int(match.group(2))
                self.spawned.append((time.monotonic(), match.group(1), int(match.group(2))))
            self.lines.append(line)
            self._queue.put(line)

    def wait_line(self, text: str, timeout: float) -> str | None:
        """The next line of output that contains ``text`` (None after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if text in line:
                return line

    def pids(self) -> list[int]:
        """The processes serving: the workers (the process itself with one worker)."""
        return list(self.worker_pids.values())

    def main_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def problems(self) -> list[str]:
        """Lines of its output that are warnings, errors or tracebacks."""
        keys = ("WARNING", "ERROR", "Traceback", "Error")
        return [ln.rstrip() for ln in self.lines if any(k in ln for k in keys)]

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            shutil.rmtree(self._cwd, ignore_errors=True)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        shutil.rmtree(self._cwd, ignore_errors=True)


class Http:
    """One keep-alive HTTP/1.1 connection: a request may be sent now and read later."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
        self.hostport = f"{host}:{port}"
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, path: str) -> None:
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {self.hostport}\r\n\r\n".encode())

    def answer(self) -> tuple[int, str]:
        """The status and body of the next response."""
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        self.buf = rest
        while len(self.buf) < length:
            self._more()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body.decode()

    def get(self, path: str) -> tuple[int, str]:
        self.send(path)
        return self.answer()

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


# ---------------------------------------------------------------------------- pages
def _masked(payload: bytes) -> bytes:
    """A client's text frame (clients must mask what they send)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x81, 0x80 | n))
    elif n < 65536:
        head = bytes((0x81, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 0x80 | 127)) + n.to_bytes(8, "big")
    key = os.urandom(4)
    mask = (key * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big")
    return head + key + body


def send_event(page: Page, event_type: str, data: Any) -> None:
    """The page sends ``{"type", "data", "widgetId", "seq"}``, numbered 1, 2, 3 ... ."""
    sock = page.sock
    if sock is None:
        raise ConnectionError(f"page {page.page_id} has no socket")
    seq = getattr(page, "out_seq", 0) + 1
    page.out_seq = seq  # type: ignore[attr-defined]
    frame = _masked(
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


def close_page(loop: PageLoop, page: Page) -> None:
    """Close a page's socket for good (no reconnect): a tab closed."""
    page.reconnect_at = None
    sock = page.sock
    if sock is not None:
        loop.ep.unregister(sock.fileno())
        loop.by_fd.pop(sock.fileno(), None)
        sock.close()
        page.sock = None
    if page in loop.pages:
        loop.pages.remove(page)


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


def connect_all(loop: PageLoop, pages: list[Page], timeout: float) -> float:
    """Open every page, then wait for each one's hello; seconds it took."""
    t0 = time.monotonic()
    for page in pages:
        loop.open(page)
        loop.poll(0)
    if not loop.run_until(lambda: all(p.control.get("pywry:hello") for p in pages), timeout):
        waiting = sum(1 for p in pages if not p.control.get("pywry:hello"))
        raise RuntimeError(f"{waiting} of {len(pages)} pages got no hello within {timeout} s")
    return time.monotonic() - t0


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


# ---------------------------------------------------------------------------- measures
def round_trips(
    loop: PageLoop, tally: Tally, base: str, workers: int, trips: int
) -> tuple[dict[str, Any], list[Page]]:
    """Same-worker and cross-worker round trips on widget ``rt`` (see the docstring)."""
    config = fetch_config(f"{base}/widget/{RT_LABEL}")
    kept: list[Page] = []
    pids: list[int] = []
    want = 2
    for attempt in range(60):
        page = Page(config, f"rt-{attempt}")
        loop.open(page)
        if not loop.run_until(lambda p=page: p.control.get("pywry:hello"), 10):
            raise RuntimeError("a round-trip page got no hello")
        send_event(page, "rt:who", {"page": page.page_id})
        if not loop.run_until(lambda p=page: p.page_id in tally.rt_pid, 10, step=0.001):
            raise RuntimeError("no rt:me answer to rt:who")
        pid = tally.rt_pid[page.page_id]
        if pid not in pids or (workers == 1 and len(kept) < want):
            kept.append(page)
            pids.append(pid)
        else:
            close_page(loop, page)
        if len(kept) == want:
            break
    if len(kept) < want:
        raise RuntimeError(f"could not get a page on each worker: {tally.rt_pid}")
    same: list[float] = []  # the pinger's own pong: its socket is on the emitting worker
    cross: list[float] = []  # the other page's, on the other worker
    beside: list[float] = []  # the other page's when it is on the same worker (one worker)
    timeouts = 0
    for i in range(WARM_TRIPS + trips):
        pinger, listener = kept[i % 2], kept[1 - i % 2]
        t0 = time.monotonic()
        send_event(pinger, "rt:ping", {"i": i})
        ok = loop.run_until(
            lambda i=i: all((p.page_id, i) in tally.rt_got for p in kept), 5, step=0.001
        )
        if not ok:
            timeouts += 1
            continue
        if i < WARM_TRIPS:
            continue
        at, pid = tally.rt_got[(pinger.page_id, i)]
        if tally.rt_pid[pinger.page_id] != pid:
            raise RuntimeError("a ping was answered by a worker that does not hold the page")
        same.append((at - t0) * 1000)
        at, _ = tally.rt_got[(listener.page_id, i)]
        (beside if tally.rt_pid[listener.page_id] == pid else cross).append((at - t0) * 1000)
    out = {
        "pids": pids,
        "trips": trips,
        "timeouts": timeouts,
        "same_ms": same,
        "cross_ms": cross,
        "beside_ms": beside,
        "same_median_ms": statistics.median(same) if same else None,
        "same_p99_ms": percentile(same, 99) if same else None,
        "cross_median_ms": statistics.median(cross) if cross else None,
        "cross_p99_ms": percentile(cross, 99) if cross else None,
    }
    return out, kept


def broadcasts(
    loop: PageLoop, tally: Tally, port: int, count: int, pages: int
) -> list[dict[str, Any]]:
    """``count`` broadcasts (one emit to each widget) one after the other; ms from the emit."""
    http = Http(port)
    out = []
    try:
        for k in range(count):
            http.send(f"/cast/{k}")
            done = loop.run_until(lambda k=k: len(tally.cast_arrivals[k]) >= pages, 10.0, 0.001)
            _, pid = http.answer()
            got = tally.cast_arrivals[k]
            lat = sorted((t - tally.cast_t0[k]) * 1000 for t in got) if got else [float("nan")]
            out.append(
                {
                    "k": k,
                    "received": len(got),
                    "complete": done,
                    "last_ms": lat[-1],
                    "median_ms": statistics.median(lat),
                    "first_ms": lat[0],
                    "emitter_pid": int(pid),
                }
            )
            loop.idle(0.02)
    finally:
        http.close()
    return out


def bursts(
    loop: PageLoop,
    tally: Tally,
    port: int,
    pages: list[Page],
    events: int,
    count: int,
    cpu_pids: dict[str, list[int]],
    page_worker: dict[str, int],
    redis: RedisServer,
) -> list[dict[str, Any]]:
    """``count`` bursts of ``events`` emits to every widget at once; throughput of each.

    With ``page_worker`` (page id -> worker pid), each page is counted as on the worker
    that emitted its widget's burst ("local") or on another ("remote"): when each side's
    last page had everything, and how many frames each message carried.
    """
    labels = sorted({p.widget.label for p in pages})
    out = []
    for b in range(count):
        conns = [Http(port) for _ in labels]  # new connections: spread over the workers
        messages0 = {p.page_id: getattr(p, "messages", 0) for p in pages}
        settle(loop, cpu_pids["workers"])
        calls0 = redis.calls()
        before = _cpu(cpu_pids)
        t0 = time.monotonic()
        for conn, label in zip(conns, labels, strict=True):
            conn.send(f"/burst/{label}/{b}/{events}")
        done = loop.run_until(lambda b=b: len(tally.burst_done[b]) >= len(pages), 120.0, 0.001)
        arrivals = tally.burst_done[b]
        end = max(arrivals.values()) if arrivals else time.monotonic()
        after = _cpu(cpu_pids)
        settle(loop, cpu_pids["workers"])
        idle = _cpu(cpu_pids)
        calls1 = redis.calls()
        published = calls1.get("evalsha", 0) - calls0.get("evalsha", 0)
        emitter: dict[str, int] = {}
        for conn, label in zip(conns, labels, strict=True):
            with contextlib.suppress(OSError, ValueError):
                emitter[label] = int(conn.answer()[1])
            conn.close()
        seconds = end - t0
        sides: dict[str, dict[str, list[float]]] = {
            "local": {"done_ms": [], "frames_per_message": []},
            "remote": {"done_ms": [], "frames_per_message": []},
        }
        for page in pages:
            pid = page_worker.get(page.page_id)
            if pid is None or page.widget.label not in emitter:
                continue
            side = sides["local" if pid == emitter[page.widget.label] else "remote"]
            if page.page_id in arrivals:
                side["done_ms"].append((arrivals[page.page_id] - t0) * 1000)
            read = getattr(page, "messages", 0) - messages0[page.page_id]
            side["frames_per_message"].append(events / read if read else float("nan"))
        out.append(
            {
                "b": b,
                "complete_pages": len(arrivals),
                "complete": done,
                "seconds": seconds,
                "events_per_s": len(labels) * events / seconds,
                "deliveries_per_s": len(pages) * events / seconds,
                "first_page_done_ms": (min(arrivals.values()) - t0) * 1000 if arrivals else None,
                "emitter_pids": emitter,
                "cpu_s": {role: after[role] - before[role] for role in after},
                # Until the workers were idle again: what the burst cost in all.
                "cpu_until_idle_s": {role: idle[role] - before[role] for role in idle},
                "redis_calls": {
                    name: calls1[name] - calls0.get(name, 0)
                    for name in calls1
                    if calls1[name] != calls0.get(name, 0)
                },
                "redis_per_event": {
                    name: (calls1.get(name, 0) - calls0.get(name, 0)) / published
                    for name in ("xrange", "exec", "publish")
                }
                if published
                else {},
                "sides": {
                    name: {
                        "pages": len(side["frames_per_message"]),
                        "last_done_ms": max(side["done_ms"]) if side["done_ms"] else None,
                        "frames_per_message": statistics.median(side["frames_per_message"])
                        if side["frames_per_message"]
                        else None,
                    }
                    for name, side in sides.items()
                },
            }
        )
    return out


def _cpu(pids: dict[str, list[int]]) -> dict[str, float]:
    now = {role: sum(cpu_s(pid) for pid in group) for role, group in pids.items()}
    now["machine"] = machine_busy_s()
    now["wall"] = time.monotonic()
    return now


def settle(loop: PageLoop, pids: list[int], timeout: float = 20.0) -> float:
    """Keep reading until the workers are idle (under 5 % of a core over 0.2 s); seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        before = sum(cpu_s(pid) for pid in pids)
        loop.idle(0.2)
        if sum(cpu_s(pid) for pid in pids) - before < 0.01:
            break
    return time.monotonic() - t0


def run_once(args: argparse.Namespace, workers: int, redis: RedisServer) -> dict[str, Any]:
    """One fresh deployment of ``workers`` workers; everything measured on it."""
    redis.command("FLUSHALL")
    per_widget = -(-args.pages // args.widgets)
    deployment = Deployment(
        workers=workers,
        redis_url=redis.url,
        widgets=args.widgets,
        env={"PYWRY_SERVER__MAX_PAGES_PER_WIDGET": str(max(100, per_widget * 2))},
    )
    tally = Tally()
    tally.burst_len = args.events
    loop = CountingLoop(on_frame=tally.on_frame)
    res: dict[str, Any] = {
        "workers": workers,
        "options_events": args.events,
        "options_widgets": args.widgets,
    }
    t_start = time.monotonic()
    deployment.start()
    try:
        res["start_s"] = time.monotonic() - t_start
        base = deployment.base
        pids = deployment.pids()
        res["worker_pids"] = pids
        cpu_pids = {"workers": pids, "redis": [redis.pid or 0], "clients": [os.getpid()]}
        res["round_trips"], rt_pages = round_trips(loop, tally, base, workers, args.trips)
        rt = res["round_trips"]
        print(
            f"deploy-workers: {workers} worker(s): round trip same-worker median "
            f"{_fmt(rt['same_median_ms'])} ms, cross-worker {_fmt(rt['cross_median_ms'])} ms",
            flush=True,
        )
        labels = [f"w{i}" for i in range(args.widgets)]
        configs = {label: fetch_config(f"{base}/widget/{label}") for label in labels}
        rss_before = {pid: rss_kib(pid) for pid in pids}
        pages = [
            Page(configs[labels[j % len(labels)]], f"{labels[j % len(labels)]}-p{j}")
            for j in range(args.pages)
        ]
        res["connect_s"] = connect_all(loop, pages, 120)
        loop.idle(1.0)
        page_worker = worker_of_pages(pages, pids)
        res["pages_per_worker"] = {
            str(pid): sum(1 for w in page_worker.values() if w == pid) for pid in pids
        }
        res["rss_kib"] = {
            str(pid): {"before_pages": rss_before[pid], "with_pages": rss_kib(pid)} for pid in pids
        }
        settle(loop, pids)
        casts = broadcasts(loop, tally, deployment.port, WARM_CASTS + args.broadcasts, len(pages))
        counted = casts[WARM_CASTS:]
        last = [c["last_ms"] for c in counted]
        res["broadcast"] = {
            "repeats": len(counted),
            "complete": sum(1 for c in counted if c["complete"]),
            "last_median_ms": statistics.median(last),
            "last_p99_ms": percentile(last, 99),
            "median_page_median_ms": statistics.median(c["median_ms"] for c in counted),
            "first_median_ms": statistics.median(c["first_ms"] for c in counted),
        }
        res["broadcast_raw"] = casts
        print(f"deploy-workers: {workers} worker(s): broadcast {res['broadcast']}", flush=True)
        res["bursts"] = bursts(
            loop,
            tally,
            deployment.port,
            pages,
            args.events,
            args.bursts,
            cpu_pids,
            page_worker,
            redis,
        )
        rates = [b["events_per_s"] for b in res["bursts"]]
        res["events_per_s_median"] = statistics.median(rates)
        res["deliveries_per_s_median"] = statistics.median(
            b["deliveries_per_s"] for b in res["bursts"]
        )
        print(
            f"deploy-workers: {workers} worker(s): bursts "
            + ", ".join(f"{r:,.0f}" for r in rates)
            + " events/s",
            flush=True,
        )
        for pid in pids:
            res["rss_kib"][str(pid)]["after_bursts"] = rss_kib(pid)
        loop.idle(0.5)
        expected = WARM_CASTS + args.broadcasts + args.bursts * args.events
        res["checks"] = {
            "pages": len(pages),
            "expected_each": expected,
            "open_at_end": sum(1 for p in pages if p.is_open),
            "connects": sum(p.connects for p in pages),
            "missing": sum(p.missing for p in pages),
            "duplicates": sum(p.duplicates for p in pages),
            "order_errors": tally.order_errors,
            "short_pages": sum(1 for p in pages if p.accepted != expected),
            "hello_mismatches": sum(p.hello_mismatches for p in pages),
            "unexpected_frames": dict(tally.unexpected),
            "rt_pages_open": sum(1 for p in rt_pages if p.is_open),
        }
        c = res["checks"]
        c["exactly_once"] = (
            c["missing"] == 0
            and c["duplicates"] == 0
            and c["order_errors"] == 0
            and c["short_pages"] == 0
            and c["open_at_end"] == c["pages"]
            and all(b["complete"] for b in res["bursts"])
            and res["broadcast"]["complete"] == res["broadcast"]["repeats"]
        )
        print(f"deploy-workers: {workers} worker(s): checks {c}", flush=True)
    finally:
        loop.close_all()
        deployment.stop()
    res["server_problems"] = deployment.problems()[:20]
    res["elapsed_s"] = time.monotonic() - t_start
    return res


# ---------------------------------------------------------------------------- report
def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _med(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by[run["workers"]].append(run)
    out: dict[str, Any] = {}
    for workers, group in sorted(by.items()):
        out[str(workers)] = {
            "runs": len(group),
            "broadcast_last_median_ms": _med([r["broadcast"]["last_median_ms"] for r in group]),
            "broadcast_last_p99_ms": _med([r["broadcast"]["last_p99_ms"] for r in group]),
            "broadcast_median_page_ms": _med(
                [r["broadcast"]["median_page_median_ms"] for r in group]
            ),
            "events_per_s": _med([r["events_per_s_median"] for r in group]),
            "deliveries_per_s": _med([r["deliveries_per_s_median"] for r in group]),
            "rt_same_median_ms": _med([r["round_trips"]["same_median_ms"] for r in group]),
            "rt_same_p99_ms": _med([r["round_trips"]["same_p99_ms"] for r in group]),
            "rt_cross_median_ms": _med([r["round_trips"]["cross_median_ms"] for r in group]),
            "rt_cross_p99_ms": _med([r["round_trips"]["cross_p99_ms"] for r in group]),
            "exactly_once_runs": sum(1 for r in group if r["checks"]["exactly_once"]),
            "connect_s": _med([r["connect_s"] for r in group]),
        }
    one, two = out.get("1"), out.get("2")
    goals: dict[str, Any] = {}
    if two and two["rt_same_median_ms"] and two["rt_cross_median_ms"]:
        ratio = two["rt_cross_median_ms"] / two["rt_same_median_ms"]
        goals["rt_ratio"] = ratio
        goals["rt_ok"] = ratio <= GOAL_RT
    if one and two and one["events_per_s"]:
        ratio = two["events_per_s"] / one["events_per_s"]
        goals["fanout_ratio"] = ratio
        goals["fanout_ok"] = ratio >= GOAL_FANOUT
    goals["exactly_once_ok"] = all(r["checks"]["exactly_once"] for r in runs)
    out["goals"] = goals
    return out


def doc_lines(res: dict[str, Any], raw: Path) -> list[str]:
    o, m, s = res["options"], res["machine"], res["summary"]
    g = s["goals"]
    one, two = s.get("1", {}), s.get("2", {})
    word = {True: "met", False: "**NOT MET**", None: "not measured"}
    cpu = res["cpu_bursts"]
    per_widget = -(-o["pages"] // o["widgets"])

    def cell(group: dict[str, Any], key: str, digits: int = 2) -> str:
        return _fmt(group.get(key), digits)

    def rate(group: dict[str, Any], key: str) -> str:
        value = group.get(key)
        return "n/a" if value is None else f"{value:,.0f}"

    lines = [
        "## Deploy mode: one worker and two, sharing Redis",
        "",
        f"Written by `python bench/deploy_workers.py` on {res['started']} "
        f"({res['elapsed_s'] / 60:.1f} min; {m['cpu']}, {m['cores']} cores, Linux "
        f"{m['kernel']}, Python {m['python']}; load average at the start {m['load_at_start']}, "
        f"at the end {m['load_at_end']}). `pywry deploy bench/deploy_app.py:widgets` with "
        f"`--workers 1` and `--workers 2` on one real `redis-server` "
        f'(`state_backend = "redis"`), {o["repeat"]} fresh deployments of each, alternating; '
        "every figure is the median over those runs of each run's median.",
        "",
        f"{o['pages']:,} WebSocket pages (plain clients, one epoll loop in one process) on "
        f"{o['widgets']} widgets ({per_widget} each); with two workers the kernel spreads the "
        "connections over both.",
        "",
        "| Figure | 1 worker | 2 workers | 2 / 1 |",
        "| --- | ---: | ---: | ---: |",
        f"| Broadcast, one emit to each of {o['widgets']} widgets -> last of {o['pages']:,} "
        f"pages, median of {o['broadcasts']} (ms) | {cell(one, 'broadcast_last_median_ms', 1)} "
        f"| {cell(two, 'broadcast_last_median_ms', 1)} | "
        f"{_ratio(two, one, 'broadcast_last_median_ms')} |",
        f"| Broadcast -> last page, p99 (ms) | {cell(one, 'broadcast_last_p99_ms', 1)} | "
        f"{cell(two, 'broadcast_last_p99_ms', 1)} | {_ratio(two, one, 'broadcast_last_p99_ms')} |",
        f"| Broadcast -> median page (ms) | {cell(one, 'broadcast_median_page_ms', 1)} | "
        f"{cell(two, 'broadcast_median_page_ms', 1)} | "
        f"{_ratio(two, one, 'broadcast_median_page_ms')} |",
        f"| Fan-out throughput, bursts of {o['events']:,} emits to each widget (events/s) | "
        f"{rate(one, 'events_per_s')} | {rate(two, 'events_per_s')} | "
        f"{_ratio(two, one, 'events_per_s')} |",
        f"| ... deliveries to pages per second | {rate(one, 'deliveries_per_s')} | "
        f"{rate(two, 'deliveries_per_s')} | {_ratio(two, one, 'deliveries_per_s')} |",
        f"| Round trip page -> Python -> page, socket on the emitting worker, median (ms) | "
        f"{cell(one, 'rt_same_median_ms')} | {cell(two, 'rt_same_median_ms')} | "
        f"{_ratio(two, one, 'rt_same_median_ms')} |",
        f"| ... p99 (ms) | {cell(one, 'rt_same_p99_ms')} | {cell(two, 'rt_same_p99_ms')} | |",
        f"| Round trip, socket on the other worker, median (ms) | | "
        f"{cell(two, 'rt_cross_median_ms')} | |",
        f"| ... p99 (ms) | | {cell(two, 'rt_cross_p99_ms')} | |",
        f"| Connect {o['pages']:,} pages (handshake until every hello, s) | "
        f"{cell(one, 'connect_s')} | {cell(two, 'connect_s')} | |",
        "",
        "| Goal | ratio | result |",
        "| --- | ---: | --- |",
        f"| cross-worker round trip median <= {GOAL_RT:g}x the same-worker one | "
        f"{_fmt(g.get('rt_ratio'))}x | {word[g.get('rt_ok')]} |",
        f"| 2 workers sustain >= {GOAL_FANOUT:g}x one worker's fan-out throughput | "
        f"{_fmt(g.get('fanout_ratio'))}x | {word[g.get('fanout_ok')]} |",
        f"| every event delivered exactly once, in order, in every run | "
        f"{sum(1 for r in res['runs'] if r['checks']['exactly_once'])} of {len(res['runs'])} "
        f"runs | {word[g.get('exactly_once_ok')]} |",
        "",
        "Runs (workers: events/s; broadcast last-page median ms; round trip same / cross "
        "median ms): "
        + "; ".join(
            f"{r['workers']}: {r['events_per_s_median']:,.0f}; "
            f"{r['broadcast']['last_median_ms']:.1f}; "
            f"{_fmt(r['round_trips']['same_median_ms'])} / "
            f"{_fmt(r['round_trips']['cross_median_ms'])}"
            for r in res["runs"]
        )
        + ".",
        "",
    ]
    bad = [r for r in res["runs"] if not r["checks"]["exactly_once"]]
    for r in bad:
        c = r["checks"]
        lines.append(
            f"- Run with {r['workers']} worker(s) not exact: {c['missing']} frames missing, "
            f"{c['duplicates']} duplicates, {c['order_errors']} out of order, "
            f"{c['short_pages']} pages short of {c['expected_each']:,} events, "
            f"{c['open_at_end']} of {c['pages']:,} pages open at the end."
        )
    spread = [r["pages_per_worker"] for r in res["runs"] if r["workers"] == 2]
    if spread:
        lines.append(
            "- Pages per worker with two workers (each page's socket found among the "
            "workers' own, by its port): "
            + "; ".join("/".join(str(v) for v in sp.values()) for sp in spread)
            + "."
        )
    sides = _sides_summary(res["runs"])
    if sides:
        lines.append(
            "- In the bursts with two workers, pages on the worker that emitted their "
            f"widget's burst had all {o['events']:,} events after "
            f"{_fmt(sides['local']['last_done_ms'], 0)} ms (the last of them; median over "
            f"the bursts), {_fmt(sides['local']['frames_per_message'], 1)} events per "
            "WebSocket message (median page); pages on the other worker after "
            f"{_fmt(sides['remote']['last_done_ms'], 0)} ms, "
            f"{_fmt(sides['remote']['frames_per_message'], 1)} events per message. With one "
            f"worker: {_fmt(sides['one']['last_done_ms'], 0)} ms, "
            f"{_fmt(sides['one']['frames_per_message'], 1)} events per message."
        )
    for workers in ("1", "2"):
        c = cpu.get(workers)
        if c:
            lines.append(
                f"- CPU per burst with {workers} worker(s) (median), while delivering: "
                f"workers {c['workers']:.2f} s, redis-server {c['redis']:.2f} s, the clients "
                f"{c['clients']:.2f} s, everything else {c['other']:.2f} s, over "
                f"{c['wall']:.2f} s of wall time ({c['busy_cores']:.2f} of {m['cores']} cores "
                f"busy); until the workers were idle again: workers "
                f"{c['workers_until_idle']:.2f} s ({c['workers_us_per_event']:.0f} µs per "
                f"event emitted). Redis stream reads (`XRANGE`) per event published: "
                f"{c['xrange_per_event']:.2f}."
            )
    two_cpu = cpu.get("2")
    if two_cpu and two_cpu["xrange_per_event"] >= 1.5:
        lines.append(
            "- With two workers Redis ran about one `XRANGE` per worker per event published: "
            "each worker reads the widget's stream once per doorbell (one per event) rather "
            "than once per batch, so the worker that did not emit works through its backlog "
            "of doorbells before it has the last event, and both keep reading after the "
            "pages have everything (the CPU until idle)."
        )
    problems = [p for r in res["runs"] for p in r["server_problems"]]
    if problems:
        lines.append(
            f"- The servers logged {len(problems)} warnings or errors; first: `{problems[0]}`."
        )
    lines += [
        "",
        "Method: broadcast latency is from `time.monotonic()` in the worker just before the "
        "emits (carried in the event) to `time.monotonic()` when the client process read the "
        "frame. Throughput: one `GET /burst/<widget>/...` per widget, each on a new TCP "
        "connection (so both workers emit), sent at once; the time runs from sending the "
        "first request until the last page has its widget's last event. Round trips: the "
        "page's socket write to its read of the answer, one at a time, "
        f"{o['trips']} per run after {WARM_TRIPS} warm-up trips, the two pages taking turns. "
        "The clients, the workers and `redis-server` share the machine's cores, so the "
        "clients' CPU (line above) is part of every figure; on two cores, two workers can "
        "only gain what the clients and Redis leave them. "
        f"Raw results: `{raw}` (kept out of git).",
    ]
    return lines


def _ratio(top: dict[str, Any], bottom: dict[str, Any], key: str) -> str:
    a, b = top.get(key), bottom.get(key)
    return "" if not a or not b else f"{a / b:.2f}x"


def _sides_summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Medians over the bursts: two workers' local and remote pages, and one worker's."""
    rows: dict[str, list[dict[str, Any]]] = {"local": [], "remote": [], "one": []}
    for run in runs:
        for burst in run["bursts"]:
            if run["workers"] == 1:
                rows["one"].append(burst["sides"]["local"])
            elif run["workers"] == 2:
                rows["local"].append(burst["sides"]["local"])
                rows["remote"].append(burst["sides"]["remote"])
    if not rows["local"] or not rows["one"]:
        return {}
    return {
        name: {key: _med([r[key] for r in group]) for key in ("last_done_ms", "frames_per_message")}
        for name, group in rows.items()
    }


def _cpu_summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Medians over the bursts of each worker count: CPU while delivering, CPU until the
    workers were idle again, and Redis's stream reads per event published."""
    out: dict[str, dict[str, float]] = {}
    for workers in (1, 2):
        bursts = [b for r in runs if r["workers"] == workers for b in r["bursts"]]
        if not bursts:
            continue
        rows = [b["cpu_s"] for b in bursts]
        med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
        used = med["workers"] + med["redis"] + med["clients"]
        events = runs[0]["options_events"] * runs[0]["options_widgets"]
        out[str(workers)] = {
            "workers": med["workers"],
            "redis": med["redis"],
            "clients": med["clients"],
            "other": max(0.0, med["machine"] - used),
            "wall": med["wall"],
            "busy_cores": med["machine"] / med["wall"] if med["wall"] else 0.0,
            "workers_until_idle": statistics.median(
                b["cpu_until_idle_s"]["workers"] for b in bursts
            ),
            "workers_us_per_event": statistics.median(
                b["cpu_until_idle_s"]["workers"] for b in bursts
            )
            / events
            * 1e6,
            "xrange_per_event": statistics.median(
                b["redis_per_event"].get("xrange", 0.0) for b in bursts
            ),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages over all the widgets")
    parser.add_argument("--widgets", type=int, default=10)
    parser.add_argument("--events", type=int, default=500, help="emits per widget per burst")
    parser.add_argument("--bursts", type=int, default=3, help="bursts per run")
    parser.add_argument("--broadcasts", type=int, default=100, help="broadcasts per run")
    parser.add_argument("--trips", type=int, default=500, help="round trips per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each worker count")
    parser.add_argument("--no-doc", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    raise_fd_limit(args.pages * 4 + 512)  # the workers inherit it
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res: dict[str, Any] = {"options": vars(args), "machine": machine(), "runs": []}
    redis = RedisServer()
    redis.start()
    try:
        for rep in range(args.repeat):
            for workers in (1, 2) if rep % 2 == 0 else (2, 1):
                print(f"deploy-workers: run {rep + 1}, {workers} worker(s)", flush=True)
                res["runs"].append(run_once(args, workers, redis))
    finally:
        redis.cleanup()
    res["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    res["summary"] = summarize(res["runs"])
    res["cpu_bursts"] = _cpu_summary(res["runs"])
    res["started"], res["elapsed_s"] = stamp, time.monotonic() - started
    raw = save_raw("deploy-workers", res)
    lines = doc_lines(res, raw.relative_to(raw.parents[2]))
    print("\n".join(lines), flush=True)
    if not args.no_doc:
        update_doc("deploy-workers", lines, DOC)
        print("deploy-workers: wrote docs/performance.md", flush=True)
    goals = res["summary"]["goals"]
    sys.exit(0 if goals.get("exactly_once_ok") else 1)


if __name__ == "__main__":
    main()
