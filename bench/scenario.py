"""The app side of every benchmark, run by each contender's own interpreter.

The same script serves the PyWry release, this project's pywry and both floors: it uses
only the public API the three share (``PyWry(mode=WindowMode.BROWSER)``,
``app.show(html, label=..., callbacks={...})``, ``handle.url``, ``handle.emit``,
``app.destroy()``; three-argument callbacks, the form the release accepts).

Round trips come in two forms: ``bench:ping`` answered by a sync callback, and, for the
contenders that take ``async def`` callbacks (:data:`ASYNC_CALLBACKS`), ``bench:aping``
answered by an ``async def`` one. The floors run every callback inline on their loop: they
register only the sync one, and their one round trip is the reference for both forms.

It talks to the runner on stdio, one line each way:
  out: ``PHASE <name> <monotonic> <rss_kib>``, ``URL <url>``, ``READY``,
       ``CPU <seconds>``, ``PUSHED <n> <seconds>``, ``FANNED <k> <seconds>``
  in:  ``cpu``, ``push <n>``, ``fan <k>``, ``quit``
Pages ask for a push themselves (``bench:pushgo``) so the page's clock times it.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections.abc import Callable

from server_io import commands_from_stdin, say

__all__ = ["ASYNC_CALLBACKS", "PAGE"]

# Contenders that take ``async def`` callbacks. The release does in browser mode: it hands
# them to its server's loop (``asyncio.run_coroutine_threadsafe`` in ``pywry/inline.py``).
ASYNC_CALLBACKS = frozenset({"release", "ours"})

PAGE = """<div id="bench">bench</div>
<script>
(function(){
  const B = window.bench = {ready:false, got:[], tFirst:0, tLast:0, tGo:0, want:0,
                            done:null, doneRes:null};
  let waiter = null;
  function setup(){
    if (!window.pywry || !window.pywry.on) { setTimeout(setup, 2); return; }
    window.pywry.on('bench:pong', function(d){
      if (waiter && d && d.i === waiter.i){ const w = waiter; waiter = null; w.res(); }
    });
    window.pywry.on('bench:push', function(d){
      const now = performance.now();
      if (B.got.length === 0) B.tFirst = now;
      B.got.push(d.i); B.tLast = now;
      if (B.got.length >= B.want && B.doneRes){ const r = B.doneRes; B.doneRes = null; r(); }
    });
    B.ready = true;
  }
  B.ping = function(i, name){
    return new Promise(function(res, rej){
      const t = setTimeout(function(){ waiter = null; rej(new Error('no pong for ' + i)); }, 5000);
      waiter = {i: i, res: function(){ clearTimeout(t); res(); }};
      window.pywry.emit(name, {i: i});
    });
  };
  B.roundTrips = async function(n, start, name){
    name = name || 'bench:ping';
    const out = new Array(n);
    for (let k = 0; k < n; k++){
      const t0 = performance.now();
      await B.ping(start + k, name);
      out[k] = performance.now() - t0;
    }
    return out;
  };
  B.push = function(n, timeoutMs){
    B.got = []; B.tFirst = 0; B.tLast = 0; B.want = n;
    const done = new Promise(function(res){ B.doneRes = res; });
    const timeout = new Promise(function(res){ setTimeout(res, timeoutMs); });
    B.tGo = performance.now();
    window.pywry.emit('bench:pushgo', {n: n});
    return Promise.race([done, timeout]).then(function(){
      let inOrder = true;
      for (let k = 0; k < B.got.length; k++){ if (B.got[k] !== k){ inOrder = false; break; } }
      return {n: B.got.length, inOrder: inOrder, tGo: B.tGo, tFirst: B.tFirst, tLast: B.tLast};
    });
  };
  setup();
})();
</script>"""


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    contenders = ["release", "ours", "floor", "granian"]
    parser.add_argument("--contender", choices=contenders, required=True)
    parser.add_argument("--widgets", type=int, default=1)
    args = parser.parse_args()

    say("PHASE start", time.monotonic(), _rss_kib())
    if args.contender == "release":
        # The release's browser mode calls webbrowser.open() on every show(), whatever
        # PYWRY_HEADLESS says; neutralise it so no browser is launched.
        import webbrowser

        webbrowser.open = lambda *a, **k: True  # type: ignore[assignment]
    if args.contender == "floor":
        from floor import FloorApp as PyWry  # type: ignore[import-not-found]
        from floor import WindowMode  # type: ignore[import-not-found]
    elif args.contender == "granian":
        from floor_granian import GranianFloorApp as PyWry  # type: ignore[import-not-found]
        from floor_granian import WindowMode  # type: ignore[import-not-found]
    else:
        from pywry import PyWry, WindowMode  # type: ignore[import-not-found]
    say("PHASE imported", time.monotonic(), _rss_kib())

    commands: queue.Queue[str] = queue.Queue()
    handles: dict[str, object] = {}

    def on_ping(data: object, event_type: str, label: str) -> None:
        handles[label].emit("bench:pong", data)  # type: ignore[attr-defined]

    async def on_aping(data: object, event_type: str, label: str) -> None:
        handles[label].emit("bench:pong", data)  # type: ignore[attr-defined]

    def on_pushgo(data: object, event_type: str, label: str) -> None:
        # Hand the push to the main thread: Python -> page data comes from user code.
        commands.put(f"push {int(data['n'])} {label}")  # type: ignore[index]

    callbacks: dict[str, Callable[..., object]] = {"bench:ping": on_ping, "bench:pushgo": on_pushgo}
    if args.contender in ASYNC_CALLBACKS:
        callbacks["bench:aping"] = on_aping
    app = PyWry(mode=WindowMode.BROWSER)
    ordered = []
    for k in range(args.widgets):
        handle = app.show(PAGE, label=f"bench{k}", callbacks=callbacks)
        handles[handle.label] = handle
        ordered.append(handle)
        say("URL", handle.url)
    say("PHASE shown", time.monotonic(), _rss_kib())
    say("READY")

    commands_from_stdin(commands)
    while True:
        cmd, *rest = commands.get().split()
        if cmd == "cpu":
            say("CPU", time.process_time())
        elif cmd == "push":
            n = int(rest[0])
            handle = handles[rest[1]] if len(rest) > 1 else ordered[0]
            emit = handle.emit  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            for i in range(n):
                emit("bench:push", {"i": i})
            say("PUSHED", n, time.perf_counter() - t0)
        elif cmd == "fan":
            k = int(rest[0])
            t0 = time.monotonic()
            for handle in ordered:
                handle.emit("bench:fan", {"k": k, "t0": t0})  # type: ignore[attr-defined]
            say("FANNED", k, time.monotonic() - t0)
        elif cmd == "quit":
            break
    # Some servers take long to stop; the measurements are done, so do not wait forever.
    threading.Timer(5.0, lambda: os._exit(0)).start()
    try:
        app.destroy()
    finally:
        say("BYE")
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
