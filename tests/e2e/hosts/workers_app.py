"""A deploy-mode app for the multi-worker tests: every worker (and server) imports it.

A page's ``app:who`` is answered, by whichever worker holds that page's socket, with an
``app:me`` event to every page of the widget, naming that worker's process.
``GET /tick/{n}`` emits ``app:tick`` ``{n}`` from the worker that serves the request.
"""

import os

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
