"""Server CPU per round trip without a browser: where Granian puts the floor for pywry.

``make bench`` measures round trips in Chromium against the release. This benchmark asks a
narrower question, with one plain WebSocket client (no browser on the machine's two cores)
doing sequential ping -> pong round trips against these servers, alternating, in fresh
processes, medians over the repeats:

- ``ours``: pywry, a sync three-argument callback answering with ``handle.emit`` (the
  scenario of ``make bench``; it runs on a worker thread);
- ``ours-async``: the same with an ``async def`` callback (it runs on pywry's loop);
- ``ours-loop``: the sync one registered with ``sync_to_thread=False`` (on the loop);
- ``granian-floor``: ``bench/floor_granian.py``, the page protocol with nothing else, as a
  bare ASGI app on pywry's own Granian runner (what any app on Granian costs for this job);
- ``granian-floor-workers``: the same with its callback on a worker thread (the least an
  app on Granian pays to keep sync callbacks off its loop);
- ``granian``: a bare ASGI app that echoes each text frame, served by pywry's own
  Granian runner on pywry's loop thread (uvloop): the least any ASGI app on Granian costs;
- ``floor``: ``bench/floor.py`` (one asyncio protocol, no framework).

It writes the block ``pingpong`` of ``docs/performance-analysis.md``. Run:
``python bench/pingpong.py [--trips 3000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from contenders import free_port  # noqa: E402 - bench/ is not a package
from profiles import thread_cpu  # noqa: E402
from scalesoak_doc import update_doc  # noqa: E402

DOC = BENCH.parent / "docs" / "performance-analysis.md"
CONTENDERS = (
    "ours",
    "ours-async",
    "ours-loop",
    "granian-floor",
    "granian-floor-workers",
    "granian",
    "floor",
)
_CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)


# ---------------------------------------------------------------------------- servers
def _serve(kind: str) -> None:
    if kind == "granian":
        _serve_bare_granian()
        return
    if kind == "floor":
        from floor import FloorApp as PyWry  # type: ignore[import-not-found]
        from floor import WindowMode  # type: ignore[import-not-found]

        app = PyWry(mode=WindowMode.BROWSER)
    elif kind in ("granian-floor", "granian-floor-workers"):
        from floor_granian import GranianFloorApp  # type: ignore[import-not-found]

        if kind == "granian-floor-workers":
            os.environ["PYWRY_FLOOR_WORKER"] = "1"
        app = GranianFloorApp()
    else:
        from pywry import PyWry, WindowMode

        app = PyWry(mode=WindowMode.BROWSER, settings={"server": {"port": 0}})
    handles: dict[str, Any] = {}

    def on_ping(data: object, event_type: str, label: str) -> None:
        handles[label].emit("bench:pong", data)

    async def on_ping_async(data: object, event_type: str, label: str) -> None:
        handles[label].emit("bench:pong", data)

    callback = on_ping_async if kind == "ours-async" else on_ping
    placement = {"sync_to_thread": False} if kind == "ours-loop" else {}
    handle = app.show(
        "<p>ping</p>", label="bench0", callbacks={"bench:ping": callback}, **placement
    )
    handles[handle.label] = handle
    print("URL", handle.url, flush=True)
    _answer_stdin()


def _serve_bare_granian() -> None:
    from pywry.adapters.granian import GranianRunner
    from pywry.app.loop import LoopThread
    from pywry.domain.ports import Bind

    async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        inflight = None
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return
            if inflight is not None and not inflight.done():
                await inflight  # one send in flight at a time, so echoes keep their order
            # Not awaited: Granian starts the send at once (as pywry's reader does).
            inflight = send({"type": "websocket.send", "text": message["text"]})

    loop = LoopThread()
    loop.start()
    address = GranianRunner(log_level="warning").start(echo, Bind("127.0.0.1", 0), loop.loop)
    print("WS", f"ws://127.0.0.1:{address.port}/ws", flush=True)
    _answer_stdin()


def _answer_stdin() -> None:
    # "threads": which OS thread is which Python thread; threads with no Python name are
    # the HTTP server's own (Granian's Rust runtime). End of input: exit.
    for line in sys.stdin:
        if line.strip() == "threads":
            names = {t.native_id: t.name for t in threading.enumerate()}
            print("THREADS", json.dumps(names), flush=True)
    os._exit(0)


# ---------------------------------------------------------------------------- client
def _role(name: str | None) -> str:
    if name is None:
        return "server"  # no Python thread: the HTTP server's native threads
    if name.startswith(("pywry-callback", "floor-worker")):
        return "workers"
    return "loop" if name == "pywry-loop" else "other"


def _connect(line: str) -> tuple[Any, str | None]:
    from websockets.sync.client import connect

    kind, target = line.split()
    if kind == "WS":
        return connect(target, max_size=None), None
    html = urllib.request.urlopen(target, timeout=10).read().decode()
    match = _CONFIG.search(html)
    assert match is not None, "no pywry-config in the widget page"
    cfg = json.loads(match.group(1))
    host = target.split("/")[2]
    ws = connect(
        f"ws://{host}{cfg['ws']}?page=pingpong&since=0",
        subprotocols=["pywry.v1", "pywry.token." + cfg["token"]],  # type: ignore[list-item]
        max_size=None,
    )
    return ws, str(cfg.get("label") or "bench0")


def _measure(kind: str, trips: int) -> dict[str, float] | None:
    """One run of ``trips`` round trips on a fresh server; None when it does not serve."""
    env = dict(os.environ, PYWRY_HEADLESS="1", PYWRY_SERVER__PORT=str(free_port()))
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        line = ""
        while not line.startswith(("URL ", "WS ")):
            line = server.stdout.readline()
            if line.startswith("SKIP "):
                print(f"pingpong: {kind} not measured: {line[5:].strip()}")
                return None
            if not line:
                raise RuntimeError(f"{kind}: the server exited before it served")
        ws, label = _connect(line)
        seq = 0

        def trip(i: int) -> None:
            nonlocal seq
            if label is None:
                ws.send(f'{{"type":"bench:ping","data":{{"i":{i}}}}}')
                ws.recv(timeout=5)
                return
            seq += 1
            ws.send(f'{{"seq":{seq},"type":"bench:ping","data":{{"i":{i}}},"widgetId":"{label}"}}')
            while '"bench:pong"' not in ws.recv(timeout=5):
                pass  # the hello and acknowledgements

        for i in range(300):  # warm-up
            trip(i)
        assert server.stdin is not None
        server.stdin.write("threads\n")
        server.stdin.flush()
        reply = server.stdout.readline()
        names = {int(k): v for k, v in json.loads(reply.split(" ", 1)[1]).items()}
        threads0 = {tid: cpu for tid, (_, cpu) in thread_cpu(server.pid).items()}
        t0 = time.perf_counter()
        times = []
        for i in range(trips):
            start = time.perf_counter()
            trip(i)
            times.append(time.perf_counter() - start)
        t1 = time.perf_counter()
        by_role = {"loop": 0.0, "workers": 0.0, "server": 0.0, "other": 0.0}
        for tid, (_, cpu) in thread_cpu(server.pid).items():
            by_role[_role(names.get(tid))] += cpu - threads0.get(tid, 0.0)
        ws.close()
        return {
            **{f"{role}_us": cpu / trips * 1e6 for role, cpu in by_role.items()},
            "cpu_us": sum(by_role.values()) / trips * 1e6,  # schedstat: ns, not ticks
            "rt_median_us": statistics.median(times) * 1e6,
            "wall_us": (t1 - t0) / trips * 1e6,
        }
    finally:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------- report
def main() -> None:
    # The sync client is used without a context manager on purpose (closed explicitly).
    warnings.filterwarnings("ignore", message="connect.. must be used as a context manager")
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", choices=CONTENDERS)
    parser.add_argument("--trips", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve)
        return
    kinds = list(CONTENDERS)
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    started = time.monotonic()
    for rep in range(args.repeat):
        order = kinds[rep % len(kinds) :] + kinds[: rep % len(kinds)]
        for kind in order:
            result = _measure(kind, args.trips)
            if result is None:  # the server cannot be this variant: not asked again
                kinds.remove(kind)
                continue
            runs[kind].append(result)
            print(f"pingpong: rep {rep + 1} {kind:13s} {result['cpu_us']:6.0f} µs CPU/trip")
    med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in runs.items() if v}
    bare, floor = med["granian"]["cpu_us"], med["granian-floor"]["cpu_us"]
    lines = [
        f"Written by `python bench/pingpong.py` ({args.trips:,} sequential round trips per run, "
        f"{args.repeat} runs per server, alternating, fresh processes; "
        f"{time.strftime('%Y-%m-%d')}, {(time.monotonic() - started) / 60:.1f} min).",
        "",
        "| server | CPU per round trip (µs) | of it: loop thread | callback workers | "
        "HTTP server's native threads | round trip median (µs) | CPU / bare Granian "
        "| CPU / Granian floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in CONTENDERS:
        m = med.get(kind)
        if m is None:
            lines.append(f"| {kind} | not measured | | | | | | |")
            continue
        loop = f"{m['loop_us']:.0f}" if kind != "floor" else f"{m['other_us']:.0f} (main)"
        lines.append(
            f"| {kind} | {m['cpu_us']:.0f} | {loop} | {m['workers_us']:.0f} | "
            f"{m['server_us']:.0f} | {m['rt_median_us']:.0f} | {m['cpu_us'] / bare:.2f}x "
            f"| {m['cpu_us'] / floor:.2f}x |"
        )
    lines += [
        "",
        "Runs (CPU µs per trip): "
        + "; ".join(
            f"{k} " + ", ".join(f"{r['cpu_us']:.0f}" for r in v) for k, v in runs.items() if v
        ),
    ]
    update_doc("pingpong", lines, DOC)
    print(f"pingpong: wrote {DOC.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
