"""A deploy-mode app for the multi-worker tests: every worker (and server) imports it.

A page's ``app:who`` is answered, by whichever worker holds that page's socket, with an
``app:me`` event to every page of the widget, naming that worker's process.
``GET /tick/{n}`` emits ``app:tick`` ``{n}`` from the worker that serves the request;
``GET /make/{name}`` shows a widget (and its callback) on that worker only; ``GET /ask``
asks the board's pages from that worker; ``GET /theme/{name}`` switches the board's theme there.
"""

import os
import time

from litestar import get
from litestar.params import FromPath

from pywry import PyWry

widgets = PyWry()
server = widgets.get_server_app()
board = widgets.show("<p>board</p>", label="board")


def who(data, event_type, label):
    board.emit("app:me", {"pid": os.getpid(), "n": data["n"]})


board.on("app:who", who)


@get("/tick/{n:int}", sync_to_thread=False)
def tick(n: FromPath[int]) -> str:
    board.emit("app:tick", {"n": n})
    return "ok"


server.register(tick)


@get("/make/{name:str}", sync_to_thread=True)
def make(name: FromPath[str]) -> dict[str, object]:
    """A widget of this worker only, with its callback here: pages on any worker use it."""
    handle = widgets.show("<p>made</p>", label=f"made-{name}")

    def ping(data):
        handle.emit("app:pong", {"pid": os.getpid(), "n": data["n"]})

    handle.on("app:ping", ping)
    return {"pid": os.getpid(), "label": handle.label}


@get("/ask", sync_to_thread=True)
def ask() -> dict[str, object]:
    """This worker asks the board's pages, wherever they are served."""
    return {"pid": os.getpid(), "answer": board.request("ui:q", {"x": 1}, timeout=10)}


server.register(make)
server.register(ask)


@get("/theme/{name:str}", sync_to_thread=True)
def theme(name: FromPath[str]) -> dict[str, object]:
    """This worker switches the board's theme."""
    board.set_theme(name)
    return {"pid": os.getpid()}


server.register(theme)


@get("/count", sync_to_thread=True)
def count() -> dict[str, object]:
    """Pages of the board, as this worker sees them over every live worker."""
    return {
        "pid": os.getpid(),
        "pages": widgets.page_count("board"),
        "labels": widgets.get_labels(),
    }


server.register(count)


def slow(data, event_type, label):
    """Stands for a long query: holds while the file named in ``data`` exists."""
    board.emit("app:started", {"pid": os.getpid(), "n": data["n"]})
    hold = data["hold"]
    for _ in range(600):  # polls a file the test removes: the test's stand-in for slow work
        if not os.path.exists(hold):
            break
        time.sleep(0.05)
    board.emit("app:finished", {"pid": os.getpid(), "n": data["n"]})


board.on("app:slow", slow)
