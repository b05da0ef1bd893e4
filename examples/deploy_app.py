"""Deploy mode: the server is the application, on one worker or on two sharing Redis.

    redis-server --port 6379 &                                   # any Redis 6.2 or newer
    REDIS_URL=redis://127.0.0.1:6379/0 python examples/deploy_app.py     # two workers
    python examples/deploy_app.py                                # one worker, no Redis
    pywry deploy examples.deploy_app:widgets                     # the same, from the CLI

pywry's own Litestar app serves the widgets (and the route ``/`` added below) on
``[server] host/port`` until Ctrl+C or SIGTERM; open pages are then told the server is
restarting, and reconnect by themselves once it is back. ``show()`` registers the widget
at import time and never opens a browser.

With ``REDIS_URL`` set, two Granian worker processes share the port and the widget: a page
may be served by either, its clicks are handled by the worker holding its socket, and each
answer reaches every open page on both workers. State of the app's own (the click count)
lives in Redis too, so both workers count on one number; the page says which worker
process answered. ``REDIS_PREFIX`` (default ``pywry-example``) keeps its keys apart from
other apps on the same Redis.
"""

import os

from litestar import get
from litestar.response import Redirect

from pywry import PyWry

REDIS_URL = os.environ.get("REDIS_URL", "")
PREFIX = os.environ.get("REDIS_PREFIX", "pywry-example")
WORKERS = 2 if REDIS_URL else 1

if REDIS_URL:
    import redis

    widgets = PyWry(
        settings={
            "deploy": {"state_backend": "redis", "redis_url": REDIS_URL, "redis_prefix": PREFIX}
        }
    )
    # Every worker process imports this module: each has its own client, one shared count.
    store = redis.Redis.from_url(REDIS_URL)

    def count_click():
        return int(store.incr(f"{PREFIX}:example:clicks"))

else:
    widgets = PyWry(settings={"deploy": {"enabled": True}})
    clicks = {"n": 0}  # one worker: its memory is the only copy

    def count_click():
        clicks["n"] += 1
        return clicks["n"]


server = widgets.get_server_app()  # pywry's own Litestar app: add routes to it


def on_click(data, event_type, label):
    dashboard.emit("app:count", {"clicks": count_click(), "pid": os.getpid()})


dashboard = widgets.show(
    """
    <h1>Dashboard</h1>
    <button id="click" onclick="window.pywry.emit('app:click', {})">Count</button>
    <p>Clicks: <span id="count">0</span> <small id="worker"></small></p>
    <script>
      window.pywry.on('app:count', function (data) {
        document.getElementById('count').textContent = data.clicks;
        document.getElementById('worker').textContent = '(counted by process ' + data.pid + ')';
      });
    </script>
    """,
    label="dashboard",
    title="Dashboard",
    callbacks={"app:click": on_click},
)


@get("/", sync_to_thread=False)
def home() -> Redirect:
    return Redirect(dashboard.url)


@get("/worker", sync_to_thread=False)
def worker() -> dict[str, int]:
    """Which worker process served this request (a new connection may get the other)."""
    return {"pid": os.getpid()}


server.register(home)
server.register(worker)

if __name__ == "__main__":
    print(
        f"pywry deploy example: {WORKERS} worker(s), "
        + (f"state in Redis under {PREFIX!r}" if REDIS_URL else "state in memory"),
        flush=True,
    )
    widgets.deploy(workers=WORKERS)
