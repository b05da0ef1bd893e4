"""The app side of ``bench/payloads.py``, run by each contender's own interpreter.

It uses only the public API the release, this project's pywry and the floor share
(``PyWry(mode=WindowMode.BROWSER)``, ``app.show(html, label=..., callbacks={...})``,
``handle.emit``, three-argument callbacks); this project's pywry also gets the settings a
big event needs (``max_message_size``, ``replay_buffer_bytes``: :data:`OURS_SETTINGS`).

Every figure is a round trip timed in this process with ``time.perf_counter()``, one at a
time, so no clock is compared across processes:

- ``tiny``: Python emits ``pl:go`` (kind ``tiny``), the page answers with a tiny ``pl:up``;
- ``down-json`` / ``down-bin``: Python emits the big event, the page's handler answers with a
  tiny ``pl:ack`` carrying the size it saw;
- ``up-json`` / ``up-bin``: Python emits ``pl:go``, the page's handler emits the big event
  it built beforehand, the callback records the time it got it and checks its size.

The runner subtracts the median ``tiny`` trip from the big ones. Stdio, one line each way:
  out: ``URL <url>``, ``READY``, ``WARM True``, ``RT <kind> <seconds>...``,
       ``STREAMED <events> <seconds> <bytes acknowledged>``, ``FLOODED <events> <seconds>``
  in:  ``warm``, ``rt <kind> <n>``, ``stream <events> <in flight>``, ``flood <events>``,
       ``sample on``, ``sample off`` (answered ``SAMPLED <report>``), ``quit``
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import threading
import time
from typing import Any

from server_io import commands_from_stdin, say

__all__ = ["BIN_BYTES", "JSON_ROWS", "OURS_SETTINGS", "PAGE", "STREAM_BYTES"]

MB = 1 << 20
JSON_ROWS = 130_000  # 4 columns of random floats: about 10 MB of JSON
BIN_BYTES = 50 * 1000 * 1000  # the binary event: 50 MB
STREAM_BYTES = 10 * 1000 * 1000  # each of the 100 events that push 1 GB through one page
OURS_SETTINGS = {"server": {"max_message_size": 64 * MB, "replay_buffer_bytes": 64 * MB}}
COLUMNS = ("a", "b", "c", "d")

PAGE = """<div id="payloads">payloads</div>
<script>
(function(){
  const P = window.payloads = {ready: false, cols: null, blob: null, count: 0, bytes: 0};
  function setup(){
    if (!window.pywry || !window.pywry.on) { setTimeout(setup, 2); return; }
    window.pywry.on('pl:json', function(d){
      window.pywry.emit('pl:ack', {i: d.i, n: d.cols.a.length});
    });
    window.pywry.on('pl:bin', function(d){
      P.count++; P.bytes += d.blob.byteLength;
      window.pywry.emit('pl:ack', {i: d.i, n: d.blob.byteLength});
    });
    window.pywry.on('pl:go', function(d){
      if (d.kind === 'json') window.pywry.emit('pl:up', {i: d.i, cols: P.cols});
      else if (d.kind === 'bin') window.pywry.emit('pl:up', {i: d.i, blob: P.blob});
      else window.pywry.emit('pl:up', {i: d.i});
    });
    P.ready = true;
  }
  // The page's own big payloads, built once before any trip (not timed).
  P.build = function(rows, binBytes){
    P.cols = {};
    for (const k of ['a', 'b', 'c', 'd']) {
      const col = new Array(rows);
      for (let r = 0; r < rows; r++) col[r] = Math.random();
      P.cols[k] = col;
    }
    if (binBytes) {
      P.blob = new Uint8Array(binBytes);
      for (let i = 0; i < binBytes; i += 4096) P.blob[i] = i & 255;
    }
    return JSON.stringify(P.cols).length;
  };
  setup();
})();
</script>"""


def _size(data: Any) -> int:
    """What the runner checks a big event by: rows of a column, or bytes."""
    if isinstance(data, dict) and "cols" in data:
        return len(data["cols"]["a"])
    if isinstance(data, dict) and "blob" in data:
        return len(data["blob"])
    return 0


class Trips:
    """Round trips one at a time: each waits for the page's answer numbered like it."""

    def __init__(self, emit: Any, answers: queue.Queue[tuple[float, int, Any]]) -> None:
        self.emit = emit
        self.answers = answers
        self.next_i = 0
        cols = random.Random(1)
        self.cols = {k: [cols.random() for _ in range(JSON_ROWS)] for k in COLUMNS}
        self.blob = os.urandom(BIN_BYTES)
        self.chunk = os.urandom(STREAM_BYTES)

    def wait(self, i: int, timeout: float = 120.0) -> tuple[float, int]:
        while True:
            t, got, n = self.answers.get(timeout=timeout)
            if got == i:
                return t, n

    def warm(self) -> bool:
        """A tiny trip, tried again until the page answers (its socket may still be opening)."""
        for _ in range(60):
            i = self.next_i = self.next_i + 1
            self.emit("pl:go", {"i": i, "kind": "tiny"})
            try:
                self.wait(i, timeout=1.0)
                return True
            except queue.Empty:
                continue
        return False

    def one(self, kind: str) -> float:
        i = self.next_i = self.next_i + 1
        event, data, want = {
            "tiny": ("pl:go", {"i": i, "kind": "tiny"}, 0),
            "down-json": ("pl:json", {"i": i, "cols": self.cols}, JSON_ROWS),
            "up-json": ("pl:go", {"i": i, "kind": "json"}, JSON_ROWS),
            "down-bin": ("pl:bin", {"i": i, "blob": self.blob}, BIN_BYTES),
            "up-bin": ("pl:go", {"i": i, "kind": "bin"}, BIN_BYTES),
        }[kind]
        t0 = time.perf_counter()
        self.emit(event, data)
        t1, n = self.wait(i)
        if n != want:
            raise RuntimeError(f"{kind}: the other side saw size {n}, not {want}")
        return t1 - t0

    def stream(self, events: int, in_flight: int) -> tuple[float, int]:
        """Emit ``events`` binary events, at most ``in_flight`` not yet acknowledged."""
        acked = 0
        first = self.next_i + 1
        t0 = time.perf_counter()
        for k in range(events):
            if k >= in_flight:
                acked += self.wait(first + k - in_flight)[1]
            self.next_i += 1
            self.emit("pl:bin", {"i": self.next_i, "blob": self.chunk})
        for k in range(max(0, events - in_flight), events):
            acked += self.wait(first + k)[1]
        return time.perf_counter() - t0, acked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contender", choices=["release", "ours", "floor"], required=True)
    parser.add_argument("--widgets", type=int, default=1)  # ServerProcess passes it; one here
    args = parser.parse_args()
    if args.contender == "release":
        import webbrowser  # the release opens a browser on show() whatever the settings say

        webbrowser.open = lambda *a, **k: True  # type: ignore[assignment]
    if args.contender == "floor":
        from floor import FloorApp as PyWry  # type: ignore[import-not-found]
        from floor import WindowMode  # type: ignore[import-not-found]
    else:
        from pywry import PyWry, WindowMode  # type: ignore[import-not-found]

    answers: queue.Queue[tuple[float, int, Any]] = queue.Queue()

    def on_answer(data: Any, event_type: str, label: str) -> None:
        answers.put((time.perf_counter(), int(data["i"]), data.get("n", _size(data))))

    callbacks = {"pl:ack": on_answer, "pl:up": on_answer}
    extra = {"settings": OURS_SETTINGS} if args.contender == "ours" else {}
    app = PyWry(mode=WindowMode.BROWSER, **extra)
    handle = app.show(PAGE, label="payloads", callbacks=callbacks)
    trips = Trips(handle.emit, answers)
    say("URL", handle.url)
    say("READY")
    commands: queue.Queue[str] = queue.Queue()

    commands_from_stdin(commands)
    while True:
        cmd, *rest = commands.get().split()
        if cmd == "warm":
            say("WARM", trips.warm())
        elif cmd == "rt":
            say("RT", rest[0], *(trips.one(rest[0]) for _ in range(int(rest[1]))))
        elif cmd == "stream":
            seconds, acked = trips.stream(int(rest[0]), int(rest[1]))
            say("STREAMED", rest[0], seconds, acked)
        elif cmd == "flood":
            t0 = time.perf_counter()
            for _ in range(int(rest[0])):
                trips.next_i += 1
                handle.emit("pl:bin", {"i": trips.next_i, "blob": trips.chunk})
            say("FLOODED", rest[0], time.perf_counter() - t0)
        elif cmd == "sample":  # bench/payloads_profile.py: where the server's time goes
            if rest[0] == "on":
                from payloads_profile import Sampler  # type: ignore[import-not-found]

                sampler = Sampler()
            else:
                say("SAMPLED", "\\n".join(sampler.stop()))
        elif cmd == "quit":
            break
    threading.Timer(5.0, lambda: os._exit(0)).start()
    try:
        app.destroy()
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
