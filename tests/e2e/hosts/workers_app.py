"""A deploy-mode app for the multi-worker tests: every worker imports it.

A page's ``app:who`` is answered, by whichever worker holds that page's socket, with an
``app:me`` event to every page of the widget, naming that worker's process.
"""

import os

from pywry import PyWry

widgets = PyWry()
board = widgets.show("<p>board</p>", label="board")


def who(data, event_type, label):
    board.emit("app:me", {"pid": os.getpid(), "n": data["n"]})


board.on("app:who", who)
