"""The floor for binary payloads: the same bytes over a bare Granian WebSocket, no protocol.

Kept in ``bench/`` only. A bare ASGI app on pywry's own ``GranianRunner`` and
``LoopThread`` (the server pywry runs on) serves one page at ``/`` and one socket at
``/ws``: no token, no frame numbers, no JSON head, no replay buffer. What it measures is
the most any app on Granian can get for moving binary data between Python and Chromium on
this machine; ``bench/payloads.py`` compares pywry's binary events with it.

Trips, timed like ``payloads_server.py``'s with ``time.perf_counter()`` in this process:

- ``tiny``: the text ``tiny`` to the page, which answers ``ack``;
- ``down-bin`` / ``down-bin-whole``: the text ``down <bytes>``, then the bytes, in 1 MiB
  pieces or as one message; the page counts them and answers ``ack`` when all are in;
- ``up-bin``: the text ``up <piece bytes>``; the page sends its bytes in 1 MiB pieces (one
  message would exceed Granian's 16 MiB frame limit); the time is when the last arrives.

Same stdio protocol as ``payloads_server.py`` (``URL``, ``READY``, ``rt <kind> <n>``, ``RT``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import sys
import time
from typing import Any

from payloads_server import BIN_BYTES

from pywry.adapters.granian import GranianRunner
from pywry.app.loop import LoopThread
from pywry.domain.ports import Bind

__all__ = ["PAGE"]

PIECE = 1 << 20

PAGE = b"""<!doctype html><html><body><p>raw floor</p><script>
(function(){
  const R = window.payloads = {ready: false, blob: null};
  R.build = function(rows, binBytes){
    R.blob = new Uint8Array(binBytes);
    for (let i = 0; i < binBytes; i += 4096) R.blob[i] = i & 255;
    return 0;
  };
  let want = 0, got = 0;
  const ws = new WebSocket('ws://' + location.host + '/ws');
  ws.binaryType = 'arraybuffer';
  ws.onopen = function(){ R.ready = true; };
  ws.onmessage = function(e){
    if (typeof e.data !== 'string') {
      got += e.data.byteLength;
      if (got >= want) { want = Infinity; ws.send('ack'); }
      return;
    }
    const [cmd, arg] = e.data.split(' ');
    if (cmd === 'tiny') ws.send('ack');
    else if (cmd === 'down') { want = +arg; got = 0; }
    else if (cmd === 'up') {
      const step = +arg;
      for (let at = 0; at < R.blob.length; at += step) ws.send(R.blob.subarray(at, at + step));
    }
  };
})();
</script></body></html>"""


class RawFloor:
    """The ASGI app: one page's socket, bytes counted as they arrive."""

    def __init__(self) -> None:
        self.send: Any = None
        self.arrived: queue.Queue[float] = queue.Queue()
        self.want = 0
        self.got = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": PAGE})
            return
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        self.send = send
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return
            data = message.get("bytes")
            if data is not None:
                self.got += len(data)
                if self.got >= self.want:
                    self.want = 1 << 62
                    self.arrived.put(time.perf_counter())
            elif message.get("text") == "ack":
                self.arrived.put(time.perf_counter())

    async def down(self, pieces: list[bytes]) -> None:
        total = sum(len(p) for p in pieces)
        await self.send({"type": "websocket.send", "text": f"down {total}"})
        for piece in pieces:
            await self.send({"type": "websocket.send", "bytes": piece})

    async def text(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contender", default="rawfloor")
    parser.add_argument("--widgets", type=int, default=1)
    parser.parse_args()
    floor = RawFloor()
    loop = LoopThread()
    loop.start()
    port = int(os.environ.get("PYWRY_SERVER__PORT", "0"))
    runner = GranianRunner(log_level="warning")
    address = runner.start(floor, Bind("127.0.0.1", port), loop.loop)
    blob = os.urandom(BIN_BYTES)
    pieces = [blob[at : at + PIECE] for at in range(0, len(blob), PIECE)]
    print("URL", f"http://127.0.0.1:{address.port}/", flush=True)
    print("READY", flush=True)

    def trip(kind: str) -> float:
        t0 = time.perf_counter()
        if kind == "tiny":
            job = floor.text("tiny")
        elif kind == "up-bin":
            floor.got, floor.want = 0, BIN_BYTES
            job = floor.text(f"up {PIECE}")
        else:
            job = floor.down([blob] if kind == "down-bin-whole" else pieces)
        asyncio.run_coroutine_threadsafe(job, loop.loop).result(120)
        return floor.arrived.get(timeout=120) - t0

    for line in sys.stdin:
        cmd, *rest = line.split()
        if cmd == "warm":  # the page is ready once its socket is open: nothing to wait for
            print("WARM", trip("tiny") > 0, flush=True)
        elif cmd == "rt":
            times = [trip(rest[0]) for _ in range(int(rest[1]))]
            print("RT", rest[0], *times, flush=True)
        elif cmd == "quit":
            break
    runner.stop()
    os._exit(0)


if __name__ == "__main__":
    main()
