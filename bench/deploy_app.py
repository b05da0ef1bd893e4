"""The deploy-mode app of ``bench/deploy_workers.py`` and ``bench/soak_deploy.py``.

Every worker imports it (``pywry deploy bench/deploy_app.py:widgets --workers N``). Like
``tests/e2e/hosts/workers_app.py``, with the routes the benchmarks need:

- widgets ``w0`` .. ``w<N-1>`` (``N`` from ``PYWRY_BENCH_WIDGETS``, default 10), and ``rt``
  for round trips;
- ``GET /cast/{k}``: one ``bench:cast`` ``{k, t0}`` to each widget ``w*`` (``t0`` is
  ``time.monotonic()`` just before the emits: system-wide on Linux, so the client can
  subtract it from its own receipt times);
- ``GET /burst/{label}/{b}/{count}``: ``count`` ``bench:burst`` ``{b, i, t0}`` to one widget;
- ``GET /emit/{label}/{n}/{count}``: ``count`` ``soak:ev`` ``{n, t0}`` numbered ``n``,
  ``n + 1`` ... to one widget (the soak's steady emitter);
- on ``rt``, a page's ``rt:who`` ``{page}`` is answered with ``rt:me`` ``{pid, page}`` and
  its ``rt:ping`` ``{i}`` with ``rt:pong`` ``{i, pid}``, by the worker that holds that page's
  socket, to every page of ``rt``.

Every route answers with the process id of the worker that served it.
"""

import os
import time

from litestar import get
from litestar.params import FromPath

from pywry import PyWry

WIDGETS = int(os.environ.get("PYWRY_BENCH_WIDGETS", "10"))
PID = os.getpid()

widgets = PyWry()
server = widgets.get_server_app()
handles = {
    f"w{i}": widgets.show(f"<p>w{i}</p>", label=f"w{i}", title=f"w{i}") for i in range(WIDGETS)
}
rt = widgets.show("<p>rt</p>", label="rt", title="rt")


def who(data, event_type, label):
    rt.emit("rt:me", {"pid": PID, "page": data["page"]})


def ping(data, event_type, label):
    rt.emit("rt:pong", {"i": data["i"], "pid": PID})


rt.on("rt:who", who)
rt.on("rt:ping", ping)


@get("/cast/{k:int}", sync_to_thread=False)
def cast(k: FromPath[int]) -> str:
    data = {"k": k, "t0": time.monotonic()}
    for handle in handles.values():
        handle.emit("bench:cast", data)
    return str(PID)


@get("/burst/{label:str}/{b:int}/{count:int}", sync_to_thread=False)
def burst(label: FromPath[str], b: FromPath[int], count: FromPath[int]) -> str:
    handle = handles[label]
    t0 = time.monotonic()
    for i in range(count):
        handle.emit("bench:burst", {"b": b, "i": i, "t0": t0})
    return str(PID)


@get("/emit/{label:str}/{n:int}/{count:int}", sync_to_thread=False)
def emit(label: FromPath[str], n: FromPath[int], count: FromPath[int]) -> str:
    handle = handles[label]
    t0 = time.monotonic()
    for j in range(count):
        handle.emit("soak:ev", {"n": n + j, "t0": t0})
    return str(PID)


server.register(cast)
server.register(burst)
server.register(emit)
