"""Past one machine: two deploy servers sharing one Redis, behind a round-robin TCP proxy.

The proxy stands in for a load balancer with no stickiness: each new connection goes to
the next server that accepts it. Pages in Chromium connect through it, so some land on one
server and some on the other. Events are emitted on one server; the other server is killed
(SIGKILL) halfway; its pages reconnect through the proxy to the survivor and, with what
the shared stream kept, every page has every event once, in order.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.server]

APP = Path(__file__).resolve().parent / "hosts" / "workers_app.py"
PYWRY = Path(sys.executable).parent / "pywry"
TICKS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RoundRobinProxy:
    """Forwards each new TCP connection to the next backend that accepts it."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.port = free_port()
        self._next = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in self.backends:
            port = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that backend is down: the next one
            await asyncio.gather(
                _pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True
            )
            return
        writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


def start_server(port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [str(PYWRY), "deploy", f"{APP}:widgets", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    while "listening on" not in (seen[-1] if seen else ""):
        try:
            seen.append(lines.get(timeout=30))
        except queue.Empty:
            raise AssertionError(f"the server did not start: {seen}") from None
    return proc


@pytest.fixture
def two_servers(redis_url, redis_prefix, tmp_path) -> Iterator[tuple[list[Any], RoundRobinProxy]]:
    env = {
        **os.environ,
        "PYWRY_DEPLOY__STATE_BACKEND": "redis",
        "PYWRY_DEPLOY__REDIS_URL": redis_url,
        "PYWRY_DEPLOY__REDIS_PREFIX": redis_prefix,
        "PYWRY_SERVER__ALLOWED_HOSTS": "*",
    }
    ports = [free_port(), free_port()]
    procs = [start_server(port, env, tmp_path) for port in ports]
    proxy = RoundRobinProxy(ports)
    proxy.start()
    servers = [{"port": port, "proc": proc} for port, proc in zip(ports, procs, strict=True)]
    yield servers, proxy
    proxy.stop()
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


# Counts the sockets a page opens: more than one means it reconnected (it was on the victim).
COUNT_SOCKETS = """
window.__sockets = 0;
const Native = window.WebSocket;
window.WebSocket = function (url, protocols) { window.__sockets++; return new Native(url, protocols); };
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
"""

PAGE_RECORDER = """() => {
  window.ticks = [];
  pywry.on('app:tick', (d) => window.ticks.push(d.n));
}"""


@pytest.mark.timeout(120)
def test_every_page_has_every_event_once_in_order_when_one_server_is_killed(two_servers, new_page):
    servers, proxy = two_servers
    url = f"http://127.0.0.1:{proxy.port}/widget/board"
    pages = []
    for _ in range(4):
        page = new_page()
        page.add_init_script(COUNT_SOCKETS)
        page.goto(url)
        page.wait_for_function("() => window.pywry && window.pywry.connected")
        page.evaluate(PAGE_RECORDER)
        pages.append(page)
    survivor, victim = servers
    with httpx.Client(base_url=f"http://127.0.0.1:{survivor['port']}") as emitter:
        for n in range(1, TICKS + 1):
            assert emitter.get(f"/tick/{n}").text == "ok"
            if n == TICKS // 2:
                os.killpg(victim["proc"].pid, signal.SIGKILL)  # mid-stream, unannounced
                victim["proc"].wait(10)
    expected = list(range(1, TICKS + 1))
    for page in pages:
        page.wait_for_function(f"() => window.ticks.length >= {TICKS}", timeout=30_000)
        page.wait_for_function("() => window.pywry.connected", timeout=30_000)
    for page in pages:
        assert page.evaluate("() => window.ticks") == expected
    reconnected = sum(page.evaluate("() => window.__sockets") > 1 for page in pages)
    assert reconnected >= 1  # pages of the killed server came back through the proxy
